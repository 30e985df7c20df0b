/*
 * fresh.h: what changed, so that what a worker remembers about a
 * repository (its refs, its visibility, its name) is never wrong for long.
 *
 * Every change to a repository's refs or settings bumps its repo_change
 * row (a sequence number) in the changing transaction: fresh_bump().
 * Workers learn of changes two ways. Those made on this machine, at once:
 * when the transaction commits, the repository's id goes into a ring in
 * shared memory that every worker of this hub on this machine reads at
 * its next request (one atomic load when nothing changed). Those made on
 * other machines, by polling repo_change for the rows changed since the
 * last poll, every period (one indexed range query; [server]
 * resolve_cache_ms). A cached answer names the sequence number it was read
 * at, so a caller that must see the latest (a client with a token that has
 * just committed, on any machine) can check it in one cheap lookup.
 */
#ifndef KHUB_FRESH_H
#define KHUB_FRESH_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

struct db;

/* The name in shared memory (shm_open) of this hub's what ("fresh",
 * "git") on this machine: one per database and bucket. */
void	 fresh_shm_name(const struct conf *, const char *what, char *name,
	    size_t size);

/*
 * Maps this machine's ring of the hub named by conf (its database and
 * bucket) from shared memory, creating it if needed. Without one (no
 * /dev/shm, or it belongs to another user) changes made on this machine
 * are learnt by polling, as those of other machines are. Idempotent.
 */
void	 fresh_init(const struct conf *);

/*
 * Records in db's open transaction (or at once, outside one) that the
 * repository changed. Its workers on this machine hear of it when the
 * transaction commits (db_commit() calls fresh_committed()). 0, or -1 on
 * a database error (the transaction is then rolled back by the caller).
 */
int	 fresh_bump(struct db *, int64_t repo_id);

/* For db.c: the open transaction committed (announce its bumps) or was
 * rolled back (forget them). */
void	 fresh_committed(void);
void	 fresh_rolled_back(void);

/*
 * Before a request's answer goes out (request.c): when the request changed
 * something and another machine's workers answer from memory (they told
 * fresh_node they poll), waits until each of them has polled since, so
 * that the caller, reading through any machine next, sees its change: at
 * most period_ms. Nothing to wait for on one machine (the ring told its
 * workers). fresh_request() starts a request's account.
 */
void	 fresh_barrier(struct db *, unsigned period_ms);
void	 fresh_request(void);

/* The ids fresh_bump() and fresh_drop_fn take besides a repository's. */
#define FRESH_ALL	(-1)	/* anything may have changed: forget all */
#define FRESH_AUTH	0	/* a token, a session or an account */

/* Called by fresh_sync() for each repository that changed, with its new
 * sequence number (0: unknown, drop whatever is remembered of it), for
 * FRESH_AUTH, or for FRESH_ALL. */
typedef void	(*fresh_drop_fn)(int64_t repo_id, uint64_t seq, void *arg);

/*
 * Brings this worker's view up to date: the ring's news, and, when
 * period_ms has passed since the last poll, repo_change's. Returns true
 * when the view is current within period_ms (remembered answers may be
 * used), false when the last poll failed or is older than that.
 */
bool	 fresh_sync(struct db *, unsigned period_ms, fresh_drop_fn, void *arg);

#endif
