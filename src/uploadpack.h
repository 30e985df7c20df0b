/*
 * uploadpack.h: git's upload-pack (what git clone, fetch, pull and
 * ls-remote talk to), served from the store: the request parsed strictly
 * and bounded, the refs, the negotiation, and the pack written as a
 * stream (gitpack.h). Protocol v2 (gitprotocol-v2) and v0 over stateless
 * HTTP (gitprotocol-pack, multi_ack_detailed). No HTTP here: the front
 * door (api_git.c) opens the repository, reads the body and hands the
 * answer's bytes on.
 *
 * Every object served is reached from a commit or a ref of this
 * repository, never looked up by id in the shared store: a want must be a
 * ref's target, one of its commits (repo_commit) or a blob its commits
 * reference (repo_blob: a partial clone's later fetches); a have that is
 * not one of its commits is unknown.
 */
#ifndef KHUB_UPLOADPACK_H
#define KHUB_UPLOADPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "gitobj.h"
#include "kerr.h"

struct db;
struct s3;

/* Bounds checked while parsing, before any work. A clone wants one line
 * per ref, but the checkout after a partial clone (filter blob:none) wants
 * every missing blob at once: 200,000 wants are 10 MB of lines, under the
 * body's cap (api_git.c). git sends haves in rounds and stops after 256 in
 * vain, so a real negotiation is far below these. deepen-not names refs,
 * one line each, and a client sends a handful. */
#define UPLOAD_WANTS_MAX	200000
#define UPLOAD_HAVES_MAX	100000
#define UPLOAD_SHALLOWS_MAX	10000
#define UPLOAD_PREFIXES_MAX	256
#define UPLOAD_DEPTH_MAX	0x7fffffff	/* git's "infinite" depth */
#define UPLOAD_DEEPEN_NOT_MAX	256

enum upload_cmd { UPLOAD_LS_REFS = 1, UPLOAD_FETCH };

struct upload_prefix {
	const char	*s;
	size_t		 len;
};

/* A fetch's object filter (gitprotocol-v2 "filter", git rev-list
 * --filter): only the blob forms. Blobs a want names are sent anyway. */
enum upload_filter {
	UPLOAD_FILTER_NONE = 0,
	UPLOAD_FILTER_BLOB_NONE,	/* blob:none: no blobs */
	UPLOAD_FILTER_BLOB_LIMIT,	/* blob:limit=<n>: blobs under n bytes */
};

/* One request, as upload_parse() read it; strings point into the body. */
struct upload_req {
	int		 version;	/* 0 or 2 */
	enum upload_cmd	 cmd;		/* v0: always fetch */
	/* ls-refs */
	bool		 symrefs, peel, unborn;
	struct upload_prefix *prefixes;
	size_t		 nprefixes;
	/* fetch */
	struct oid	*wants, *haves, *shallows;
	size_t		 nwants, nhaves, nshallows;
	uint32_t	 deepen;	/* 0: the whole history */
	bool		 deepen_relative; /* deepen counts from the shallows */
	int64_t		 deepen_since;	/* 0, or Unix seconds: no older commits */
	struct upload_prefix *deepen_not; /* ref names: none of their history */
	size_t		 ndeepen_not;
	enum upload_filter filter;
	uint64_t	 blob_limit;	/* UPLOAD_FILTER_BLOB_LIMIT: in bytes */
	bool		 done;
	bool		 wants_only;	/* v0: nothing after the wants' flush */
	bool		 sideband;	/* side-band-64k (v2: always) */
	bool		 multi_ack;	/* v0: multi_ack_detailed */
	bool		 no_progress;
};

/*
 * Parses a filter spec as git's --filter takes it: "blob:none", or
 * "blob:limit=<n>" with n decimal, 0x hex or 0 octal (git_parse_ulong),
 * an optional k, m or g (either case, powers of 1024), no overflow.
 * 0 with *f and *limit set, or -1 with e (400, naming the spec).
 */
int	 upload_parse_filter(const char *spec, size_t len,
	    enum upload_filter *f, uint64_t *limit, struct kerr *e);

/*
 * Parses an upload-pack request body of protocol version (0 or 2) into
 * out, arrays in the arena. Strict: pkt-lines well formed, only the
 * commands and arguments khub advertises, 40-hex ids, the bounds above;
 * deepen N and deepen-since/deepen-not not together (as git refuses);
 * a filter other than blob:none and blob:limit=<n>[kmg] refused by name.
 * Returns 0, or -1 with e (400, a message for git's "remote error:").
 */
int	 upload_parse(struct upload_req *out, struct arena *, int version,
	    const void *body, size_t len, struct kerr *e);

/* The refs a repository advertises: its branches and tags in byte order
 * of their full names, and HEAD (refs/heads/main) when main exists. */
struct upload_ref {
	const char	*name;		/* "refs/heads/main" */
	struct oid	 oid;
	bool		 annotated;	/* oid is a tag object, of peeled */
	struct oid	 peeled;
	unsigned char	 peeled_type;	/* enum pack_type: commit, tree, blob */
	bool		 chain;		/* oid tags a tag (of ...) */
};
struct upload_refs {
	struct upload_ref *v;
	size_t		 n;
	bool		 head;		/* refs/heads/main exists */
	struct oid	 head_oid;
};

/* Reads repository repo_id's refs. 0, or -1 with e (the database). */
int	 upload_refs(struct db *, struct arena *, int64_t repo_id,
	    struct upload_refs *out, struct kerr *e);
/* The v2 capability advertisement (after "version 2"), flush included. */
void	 upload_advertise_v2(struct buf *, const char *agent);
/* The v0 advertisement: refs, HEAD first with the capabilities, flush. */
void	 upload_advertise_v0(struct buf *, const struct upload_refs *,
	    const char *agent);
/* The answer to a v2 ls-refs request, flush included. */
void	 upload_ls_refs(struct buf *, const struct upload_refs *,
	    const struct upload_req *);

/* Where an answer's bytes go; 0, or -1 when the client went away. A call
 * with no bytes (NULL, 0) asks for what was written to go to the client
 * now, not to wait in a buffer (a keepalive). */
typedef int (*upload_sink)(void *arg, const void *data, size_t len);

/*
 * Answers a fetch request (v2 command=fetch, or a v0 request) of
 * repository repo_id: checks the wants, negotiates with the haves and,
 * when the client is done or the common commits suffice, writes the pack
 * (commits from the wants down to what the haves reach, their trees and
 * blobs by tree diffs against the parent; deepen N, deepen-since,
 * deepen-not and deepen-relative cut the history where git cuts it, with
 * v2's shallow-info section or v0's shallow list, which opens every v0
 * answer to a deepening request and is all of it when the request ends
 * with its wants (wants_only); the filter leaves blobs out; a wanted blob,
 * or what an annotated tag of a tree or a blob tags, is sent whole), all
 * through sink, streamed. Blob bytes come from blob_data with the rows
 * read ahead, else gitstore_blob_read().
 * Returns 0 when the answer is complete. Returns -1 with e when it could
 * not be given: if *started is false nothing was written and the caller
 * answers the error (as a git "ERR" line); if true the answer broke off
 * (a side-band error message was sent when the request had side-band).
 * With side-band, what precedes the pack goes out before the commits are
 * walked (or, when it holds v2's shallow-info, before the objects are
 * listed), and after it an empty packet of band 1 (git's keepalive)
 * whenever nothing went out for keepalive_ms (0: never), an S3 read that
 * stalls included.
 */
int	 upload_fetch(struct db *, struct s3 *, struct arena *, int64_t repo_id,
	    const struct upload_refs *, const struct upload_req *,
	    unsigned keepalive_ms, upload_sink sink, void *arg, bool *started,
	    struct kerr *e);

#endif
