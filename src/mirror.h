/*
 * mirror.h: a pull-through mirror of other hubs (issue 13, [mirror] in
 * khub.conf).
 *
 * A read of a repository khub does not have asks the upstream hubs, in
 * their order; the first that serves it makes it a local, read-only
 * mirror repository: an ordinary repository (refs, commits, trees and
 * blobs with upstream's ids exactly, so a client's cache holds the same
 * files from either endpoint) marked by a mirror_repo row. A revision's
 * tree and its regular files are copied when the revision is first read;
 * an LFS object when it is first downloaded (a fill, mirror_fill.c). When
 * upstream cannot be reached, whatever was copied keeps answering.
 *
 * Repository types are given by name ("model", "dataset", "space").
 * Functions return 0, or -1 with e filled (502 UpstreamError or 504
 * UpstreamTimeout for upstream's failures, 404 RevisionNotFound ...).
 */
#ifndef KHUB_MIRROR_H
#define KHUB_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "dctx.h"
#include "gitobj.h"
#include "gitstore.h"
#include "kerr.h"

struct conf;

/* Whether [mirror] names an upstream. */
bool	 mirror_enabled(const struct conf *);
/*
 * A read found no repository type/ns/name here: asks the upstreams and,
 * when one serves it (anonymously, or with the token configured for that
 * upstream), makes it a mirror repository here. 0: it exists now (look
 * again); 1: no upstream has it, or the mirror may not take it (allow and
 * deny, a local namespace of that name): RepoNotFound stands; -1 with e
 * when no upstream answered at all (502/504).
 */
int	 mirror_pull(struct dctx *, const char *type, const char *ns,
	    const char *name, struct kerr *e);
/* What the database last said of a revision of a mirror (mirror_rev), when
 * the caller looked already (repo.c does, in its one query). */
struct mirror_seen {
	bool		 looked;	/* the fields below are set */
	bool		 known;		/* upstream answered it once */
	bool		 fresh;		/* less than [mirror] fresh ago */
	struct oid	 commit;
};

/*
 * The commit revision rev of mirror repository repo_id (id full, "ns/name"
 * or "name", from upstream) names, into *commit: what upstream last said
 * when that is less than [mirror] fresh seconds old, else upstream's
 * answer now, its tree and regular files copied here first (once per
 * commit), its refs with it. Upstream unreachable: the last answer, if
 * any, with a log line. seen: what mirror_rev holds for rev, if the
 * caller looked (else NULL: looked up here). -1 with e: 404
 * RevisionNotFound (upstream says
 * so), 502/504 (upstream failed and nothing is known), 500/503.
 */
int	 mirror_revision(struct dctx *, int64_t repo_id, const char *upstream,
	    const char *type, const char *full, const char *rev,
	    const struct mirror_seen *seen, struct oid *commit,
	    struct kerr *e);
/*
 * An LFS file of a mirror repository whose object is not in S3 here yet
 * (b->in_s3 false): queues its fill (one per object, however many ask)
 * and, if the object is at most [mirror] wait_max bytes, runs it now or
 * waits for the worker that runs it. 0: the object is in S3 now (b->in_s3
 * set); 1: not yet: *url is where upstream serves the bytes, for the
 * client to fetch them there this once while the fill runs after the
 * answer; -1 with e (502/504 when upstream fails, 502 UpstreamBadBytes
 * when its bytes are not the object).
 */
int	 mirror_lfs_want(struct dctx *, const char *upstream, const char *type,
	    const char *full, const char *commit, const char *path,
	    struct blob_info *b, char **url, struct kerr *e);
/*
 * Runs a queued fill (the one of sha256, or any when NULL) if one is free
 * to claim: claimed with FOR UPDATE SKIP LOCKED and a lease, so any worker
 * on any machine may run it, and a fill whose worker died is taken up
 * again once its lease passes. 0: one ran (or the object was there
 * already); 1: none to run; -1 with e: it failed (left queued to be tried
 * again, or failed for good after a few tries).
 */
int	 mirror_fill_run(struct dctx *, const unsigned char *sha256,
	    struct kerr *e);
/*
 * The worker's call after each answer: runs a fill when this worker
 * queued one, or now and then when some may be waiting (a dead worker's).
 * Cheap when there is nothing to do: no query at all, mostly.
 */
void	 mirror_idle(struct dctx *);

/* ---- khubctl mirror (mirror_admin.c) ---- */

struct mirror_info {
	char		*type;		/* "model", "dataset", "space" */
	char		*id;		/* "ns/name" or "name" */
	char		*upstream;
	int64_t		 revisions;	/* revisions copied */
	int64_t		 lfs_missing;	/* LFS objects not copied yet */
};
/* Every mirror repository, by type and id, into *v (*n). 0 or -1. */
int	 mirror_list(struct dctx *, struct mirror_info **v, size_t *n,
	    struct kerr *e);
/* Upstream is asked again at the next read of any revision of mirror
 * type/id ("ns/name"). 0, or -1 (404 for no such mirror). */
int	 mirror_refresh(struct dctx *, const char *type, const char *id,
	    struct kerr *e);
/*
 * Copies revision rev of type/id (read through first if it is not here)
 * and every LFS object of it, now, for offline use; progress(arg, path,
 * size, done, total) after each object. *commit: the revision's commit.
 * 0, or -1 at the first failure (what was copied stays).
 */
int	 mirror_pin(struct dctx *, const char *type, const char *id,
	    const char *rev, void (*progress)(void *, const char *, uint64_t,
	    size_t, size_t), void *arg, struct oid *commit, struct kerr *e);
/* Deletes the local mirror type/id (objects shared with others stay); it
 * is read through again at its next read. 0 or -1 (404). */
int	 mirror_drop(struct dctx *, const char *type, const char *id,
	    struct kerr *e);
/* Runs queued fills until none is left to claim: *ran copied, *failed not
 * (upstream's fault: tried again later; e holds the last reason). 0, or
 * -1 when the database or S3 here fails. */
int	 mirror_work(struct dctx *, size_t *ran, size_t *failed,
	    struct kerr *e);

#endif
