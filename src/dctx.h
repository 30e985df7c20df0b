/*
 * dctx.h: what domain code needs to act for someone, and nothing of HTTP:
 * the hub (database, S3, configuration), the arena the work allocates
 * from, the caller, and a name for the work in the log. Every front door
 * fills one its own way: the API from its request (req_dctx()), khubctl,
 * git, the pages to come. Domain functions take it first.
 */
#ifndef KHUB_DCTX_H
#define KHUB_DCTX_H

#include <stdint.h>

struct arena;
struct hub;

struct dctx {
	struct hub	*hub;
	struct arena	*a;
	int64_t		 user_id;	/* the caller; 0: anonymous */
	const char	*id;		/* the request id, "khubctl"... */
};

#endif
