/*
 * listing.h: one page of repositories of a type, sorted, as a keyset
 * query: the cursor is the last row's sort value and id, so page N costs
 * what page 1 does. Visibility is in the query: private repositories only
 * for their owner and the members of their organization.
 */
#ifndef KHUB_LISTING_H
#define KHUB_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

enum listing_sort { LS_UPDATED, LS_CREATED, LS_LIKES, LS_DOWNLOADS };
/* Repositories whatever their gate (0, as a zeroed query has it), only
 * the gated ones, or only those that are not. */
enum listing_gated { LG_ANY, LG_GATED, LG_NOT_GATED };

/* A sort order: the query's spellings, the column and its index, whether
 * it is a time. */
struct listing_key {
	const char	*names[4];
	const char	*col, *index;
	enum listing_sort which;
	bool		 time;
};

struct listing_q {
	const char	*type;		/* "model", "dataset", "space" */
	const struct listing_key *sk;
	bool		 asc;
	const char	*author;	/* NULL: any namespace */
	const char	*like;		/* listing_like() of the search */
	bool		 has_cursor;
	int64_t		 cv, cid;	/* after this sort value and id */
	int64_t		 viewer;	/* the caller's user id; 0: anonymous */
	enum listing_gated gated;	/* ?gated=: which, by gate */
};

/* The sort order spelled s (NULL or "": by last update), or NULL for a
 * spelling no order has. */
const struct listing_key *listing_sort_of(const char *s);
/* A LIKE pattern matching ids that contain s (case-insensitive: names are
 * ASCII with a case-insensitive collation). NULL when s is not ASCII (no
 * id can contain it). */
char	*listing_like(struct arena *, const char *s);
#define LISTING_KINDS	"issiiiiiiibs"
/*
 * Runs the query for up to want rows into *res. Each row: id, namespace,
 * name, private, gated, disabled, downloads, likes, created and updated
 * (ms), main's commit id (or NULL), a mirror's upstream (or NULL)
 * (of kinds LISTING_KINDS, db.h). Returns 0,
 * or -1 on a database error.
 */
int	 listing_exec(struct db *, struct arena *, const struct listing_q *,
	    size_t want, struct db_res **res);

/* A listing's page cursor, "<sort value>_<id>" (the last row of a page):
 * 0 with *cv and *cid, -1 when malformed. */
int	 listing_cursor_parse(const char *s, int64_t *cv, int64_t *cid);

#endif
