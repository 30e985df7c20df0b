/*
 * listing.c: the query behind every listing of repositories (listing.h):
 * the API's (api_info.c) and the pages' (ui_list.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "listing.h"

/*
 * A listing page. Keyset pagination: the cursor is the last row's sort
 * value and id, and "after it" is a range on the (type, column) index
 * (whose entries end with the primary key), so page N costs page 1. A
 * first page uses a bound past every value. list_sql() puts the pieces
 * together, each a constant: the author condition, then the range and
 * order on the sort column. Without an author, the plan is forced (repo
 * first, through the sort column's index): left alone, the optimizer
 * may start from namespace and sort every repository of the type.
 */
static const char SQL_LIST_SELECT[] =
    "SELECT STRAIGHT_JOIN r.id, n.name, r.name, r.private, r.gated,"
    " r.disabled, r.downloads, r.likes,"
    " FLOOR(UNIX_TIMESTAMP(r.created_at) * 1000),"
    " FLOOR(UNIX_TIMESTAMP(r.updated_at) * 1000), b.target, mr.upstream"
    " FROM repo r";
static const char SQL_LIST_JOIN[] =
    " JOIN namespace n ON n.id = r.owner_id"
    " LEFT JOIN ref b ON b.repo_id = r.id AND b.kind = 'branch'"
    "  AND b.name = 'main'"
    " LEFT JOIN mirror_repo mr ON mr.repo_id = r.id"
    " WHERE r.type = ?";
static const char SQL_LIST_VISIBLE[] =
    " AND (r.private = 0 OR r.owner_id = ? OR EXISTS (SELECT 1"
    "  FROM org_member m WHERE m.org_id = r.owner_id AND m.user_id = ?))"
    " AND CONCAT(n.name, '/', r.name) LIKE ?"
    " AND (? = 0 OR (r.gated <> 0) = (? = 1))";
static const char SQL_AUTHOR[] =
    " AND r.owner_id = (SELECT id FROM namespace WHERE name = ?)";

/* Sort orders: the query's spellings, the column, whether it is a time. */
static const struct listing_key sortkeys[] = {
	{ { "recent", "lastModified", "last_modified", "updated" },
	    "r.updated_at", "repo_type_updated", LS_UPDATED, true },
	{ { "createdAt", "created_at", "created", NULL }, "r.created_at",
	    "repo_type_created", LS_CREATED, true },
	{ { "likes", NULL, NULL, NULL }, "r.likes", "repo_type_likes",
	    LS_LIKES, false },
	{ { "downloads", "trending", "trendingScore", "trending_score" },
	    "r.downloads", "repo_type_downloads", LS_DOWNLOADS, false },
};

const struct listing_key *
listing_sort_of(const char *s)
{
	size_t k, j;

	if (s == NULL || *s == '\0')
		return &sortkeys[0];
	for (k = 0; k < sizeof(sortkeys) / sizeof(sortkeys[0]); k++)
		for (j = 0; j < 4 && sortkeys[k].names[j] != NULL; j++)
			if (!strcmp(s, sortkeys[k].names[j]))
				return &sortkeys[k];
	return NULL;
}

/* A time in ms as MariaDB reads a DATETIME(3) (the session is UTC). */
static char *
sql_time(struct arena *a, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms < 0)
		return "1000-01-01 00:00:00.000";
	gmtime_r(&t, &tm);
	return arena_printf(a, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/*
 * The listing query for q, from constant pieces only. The database layer
 * knows prepared statements by their text's address: each of the
 * sixteen variants is built once per process and kept.
 */
static const struct db_stmt *
list_sql(const struct listing_q *q)
{
	static struct db_stmt made[4][2][2];
	struct db_stmt *st = &made[q->sk->which][q->asc][q->author != NULL];
	const char *col = q->sk->col, *op = q->asc ? ">" : "<",
	    *dir = q->asc ? "ASC" : "DESC";
	char *sql;

	if (st->sql != NULL)
		return st;
	if (asprintf(&sql, "%s%s%s%s%s%s%s AND (%s %s ? OR (%s ="
	    " ? AND r.id %s ?)) ORDER BY %s %s, r.id %s LIMIT ?",
	    SQL_LIST_SELECT, q->author != NULL ? "" : " FORCE INDEX (",
	    q->author != NULL ? "" : q->sk->index, q->author != NULL ? "" :
	    ")", SQL_LIST_JOIN, q->author != NULL ? SQL_AUTHOR : "",
	    SQL_LIST_VISIBLE, col, op, col, op, col, dir, dir) < 0)
		oom();
	/* the type, the author, the viewer twice, the name's pattern, the
	 * gated filter twice, the cursor (a time or a number) twice, the
	 * id, the limit */
	st->in = q->sk->time ? (q->author ? "ssiisiissiu" : "siisiissiu") :
	    q->author ? "ssiisiiiiiu" : "siisiiiiiu";
	st->out = LISTING_KINDS;
	st->reads = true;
	st->sql = sql;
	return st;
}

int
listing_exec(struct db *db, struct arena *a, const struct listing_q *q,
    size_t want, struct db_res **res)
{
	const struct db_stmt *sql = list_sql(q);
	struct db_param ps[11];
	size_t n = 0;
	int64_t g = q->gated;

	/* list_sql()'s placeholders, in order: the author's only with one,
	 * the cursor a time or a number by the sort */
	ps[n++] = db_s(q->type);
	if (q->author)
		ps[n++] = db_s(q->author);
	ps[n++] = db_i(q->viewer);
	ps[n++] = db_i(q->viewer);
	ps[n++] = db_s(q->like);
	ps[n++] = db_i(g);
	ps[n++] = db_i(g);
	if (q->sk->time) {
		const char *cv = q->has_cursor ? sql_time(a, q->cv) :
		    q->asc ? "1000-01-01 00:00:00.000" :
		    "9999-12-31 23:59:59.999";

		ps[n++] = db_s(cv);
		ps[n++] = db_s(cv);
	} else {
		int64_t cv = q->has_cursor ? q->cv : q->asc ? -1 : INT64_MAX;

		ps[n++] = db_i(cv);
		ps[n++] = db_i(cv);
	}
	ps[n++] = db_i(q->has_cursor ? q->cid : 0);
	ps[n++] = db_u(want);
	return db_exec_(db, a, res, sql, ps, n);
}

char *
listing_like(struct arena *a, const char *s)
{
	struct buf b;

	buf_init(&b, a);
	buf_addc(&b, '%');
	for (; s != NULL && *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return NULL;
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, *s);
	}
	if (b.len > 1)
		buf_addc(&b, '%');
	return b.data;
}

int
listing_cursor_parse(const char *s, int64_t *cv, int64_t *cid)
{
	char *end;

	*cv = strtoll(s, &end, 10);
	if (end == s || *end != '_')
		return -1;
	s = end + 1;
	*cid = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return -1;
	return 0;
}
