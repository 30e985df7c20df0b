/*
 * receivepack.h: git's receive-pack (what git push talks to), into the
 * store. Protocol v0 over stateless HTTP (gitprotocol-pack): the commands
 * and the pack are parsed strictly and bounded, every object is checked
 * (git fsck's rules, the API's path rules, LFS possession, the 10 MiB
 * rule for files not in LFS, the quota) before anything is stored, and
 * refs move by compare-and-set. No HTTP here: the front door (api_git.c)
 * opens the repository for writing and hands the body over.
 *
 * Objects a pushed commit or tree names without bringing them must be
 * this repository's (repo_commit, repo_blob, or a tree of one of its
 * commits at the same path), never just any object of the shared store.
 * So must the base of a delta the pack lacks (a thin pack, which git
 * sends by default, as index-pack --fix-thin takes it): a blob or a
 * commit of this repository, or a tree of the snapshots the push stands
 * on; its bytes come from the store. Tags may tag tags, GIT_TAG_DEPTH
 * deep at most.
 */
#ifndef KHUB_RECEIVEPACK_H
#define KHUB_RECEIVEPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "dctx.h"
#include "gitobj.h"
#include "kerr.h"

/* Bounds checked before the work they limit. */
#define RECEIVE_COMMANDS_MAX	1000
#define RECEIVE_OBJECTS_MAX	1000000
/* A regular file larger than this must be in LFS (huggingface.co's rule). */
#define RECEIVE_FILE_MAX	(10u << 20)
/* The most bytes of objects one push holds in memory once inflated (they
 * are kept until stored), or [server] request_memory when lower. */
#define RECEIVE_MEMORY_MAX	(UINT64_C(1) << 30)

/* One command: move ref from old to new (zero ids: create, delete). */
struct push_cmd {
	struct oid	 old, new;
	const char	*ref;		/* "refs/heads/main" */
	const char	*ng;		/* NULL: done; else git's reason */
};

struct push_req {
	struct push_cmd	*cmds;
	size_t		 ncmds;
	bool		 report_status, sideband, atomic, quiet;
	/* where the pack starts in the body; no pack when has_pack is
	 * false (only deletes) */
	size_t		 pack_off;
	bool		 has_pack;
};

/* The capabilities of receive-pack's advertisement (after the NUL). */
const char *receive_capabilities(struct arena *, const char *agent);

/*
 * Parses a push body's commands (pkt-lines up to a flush; shallow lines
 * before them are skipped; capabilities on the first). Returns 0, or -1
 * with *e (400 with git's words) for a malformed body.
 */
int	 receive_parse(struct push_req *, struct arena *, const char *body,
	    size_t len, struct kerr *e);

/* Where a push says things to the pusher (git shows "remote: ..."); a
 * NULL line between the steps of a long push is a keepalive (the front
 * end and the client see bytes even when the push is quiet). */
typedef void (*push_say)(void *arg, const char *line);

/*
 * Takes the pack and runs the commands on repository repo_id of
 * namespace ns_id, named ns (for the quota's message), for caller x. Returns 0 when
 * the pack was taken, each command's outcome in its ng (refused pushes
 * too: a file over RECEIVE_FILE_MAX not in LFS, an LFS object the pusher
 * may not use, the quota; say() tells why); -1 when the pack itself is
 * bad, or the store failed, with *e (the report's "unpack" line says it).
 */
int	 receive_pack(const struct dctx *x, int64_t repo_id, int64_t ns_id,
	    const char *ns, struct push_req *q, const unsigned char *pack,
	    size_t len, push_say say, void *arg, struct kerr *e);

/* The report (report-status): "unpack ok" or unpack_error, then each
 * command's ok or ng, then a flush, as pkt-lines into b. */
void	 receive_report(struct buf *b, const struct push_req *q,
	    const char *unpack_error);

#endif
