/*
 * metrics.h: counters every worker of one configuration adds to, summed
 * for GET /metrics (Prometheus text format).
 *
 * Each worker owns a slot of a shared file (mmap'd; /dev/shm by default):
 * only it writes there, so no locks on the hot path, and a reader sums the
 * slots. A worker that replaces a dead one takes its slot and goes on from
 * its counts, so totals never go back. Nothing in it is state another
 * machine needs: each machine is scraped on its own.
 */
#ifndef KHUB_METRICS_H
#define KHUB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "conf.h"

enum metric {
	MET_DB_QUERIES, MET_DB_ERRORS,		/* statements run, failed */
	MET_S3_CALLS, MET_S3_ERRORS,		/* khub's own S3 requests */
	MET_CACHE_HITS, MET_CACHE_MISSES,	/* the object cache */
	MET_BODY_BYTES,				/* request bodies read */
	MET_LFS_VERIFIED_BYTES,			/* LFS uploads checked */
	MET_WORKER_STARTS, MET_WORKER_RESTARTS,	/* slots taken, of the dead */
	MET__N
};

/* The most routes the request counters tell apart (the last one counts
 * paths no route takes). */
#define METRICS_ROUTES	64

/*
 * Gives this process a slot in the metrics file of configuration conf
 * (read from conf_path): conf->metrics_file, else /dev/shm/khub-<hash of
 * conf_path>. Returns 0, or -1 with a message in err (counting is then
 * off; the server works on).
 */
int	 metrics_attach(const struct conf *conf, const char *conf_path,
	    char *err, size_t errlen);
/* Adds n to a counter of this process's slot (nothing when detached). */
void	 metrics_add(enum metric, uint64_t n);
/* Counts one answered request: route (0 to METRICS_ROUTES - 1; the last
 * for none), its status and how long it took. */
void	 metrics_request(size_t route, int status, double seconds);
/*
 * The sums over all slots in Prometheus text format into b; route_names
 * [0..nroutes) label the routes (a NULL entry: the unrouted). Returns 0,
 * -1 when detached.
 */
int	 metrics_render(struct buf *b, const char *const *route_names,
	    size_t nroutes);

#endif
