/*
 * api_list.c: listings of repositories.
 *
 *	GET /api/{type}s				listing
 *	GET /api/users/{name}/repos			one owner's, by type
 *
 * Listings read cards (card.c) only when asked to (filter, full,
 * cardData, expand of card fields): a plain listing page is one indexed
 * query (listing.c), whatever the page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_repo.h"
#include "api_summary.h"
#include "auth.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
#include "listing.h"
#include "names.h"

static const struct db_stmt SQL_NAMESPACE = DB_READ("s", "i",
    "SELECT id FROM namespace WHERE name = ?");

/* Listing sizes: the default page, the most, and (with a tag filter,
 * which reads cards) the rows examined per page at most. */
#define LIST_LIMIT		50
#define LIST_LIMIT_MAX		100000
#define USER_LIMIT		100
#define FILTER_SCAN		500

/* One listing query's parameters. */
struct listq {
	enum repo_type	 type;
	const struct listing_key *sk;
	bool		 asc;
	const char	*author;	/* NULL: any */
	const char	*like;		/* LIKE pattern of the id */
	bool		 has_cursor;
	int64_t		 cv, cid;	/* after this sort value and id */
	size_t		 limit;
	const char	**filters;	/* tags every item must have */
	size_t		 nfilters;
	unsigned	 fields;
	bool		 expanded;	/* fields named by expand */
	bool		 card;		/* read cards (tags from them) */
	enum listing_gated gated;	/* ?gated= */
};

/* Runs a listing query for up to want rows (listing.c). */
static int
list_exec(struct req *r, const struct listq *q, size_t want,
    struct db_res **res)
{
	struct listing_q lq;

	memset(&lq, 0, sizeof(lq));
	lq.type = repo_type_name(q->type);
	lq.sk = q->sk;
	lq.asc = q->asc;
	lq.author = q->author;
	lq.like = q->like;
	lq.has_cursor = q->has_cursor;
	lq.cv = q->cv;
	lq.cid = q->cid;
	lq.viewer = r->who ? r->who->user_id : 0;
	lq.gated = q->gated;
	return listing_exec(r->hub->db, r->a, &lq, want, res);
}

static bool
has_all_tags(const struct tags *t, const struct listq *q)
{
	size_t i, k;

	for (i = 0; i < q->nfilters; i++) {
		for (k = 0; k < t->n && strcmp(t->v[k], q->filters[i]); k++)
			;
		if (k == t->n)
			return false;
	}
	return true;
}

/*
 * One page of a listing into out (items, comma-separated, no brackets).
 * *next gets the cursor of the following page, or NULL at the end.
 * Returns 0 or -1 (database error, not answered).
 */
static int
list_page(struct req *r, const struct listq *q, struct buf *out,
    char **next)
{
	struct db_res *res;
	size_t want, seen = 0, emitted = 0;
	int64_t last_v = 0, last_id = 0;
	bool stopped = false;
	int rc;

	*next = NULL;
	want = q->nfilters > 0 ? (q->limit > FILTER_SCAN ? q->limit :
	    FILTER_SCAN) : q->limit + 1;
	if (list_exec(r, q, want, &res) != 0)
		return -1;
	for (;;) {
		int64_t id, priv, gated, disabled;
		char *ns, *name;
		void *head;
		size_t hlen;
		struct summary sum;
		char hex[OID_HEX + 1];

		memset(&sum, 0, sizeof(sum));
		rc = db_row(res, db_out_i(&id), db_out_s(&ns), db_out_s(&name),
		    db_out_i(&priv), db_out_i(&gated), db_out_i(&disabled),
		    db_out_i(&sum.downloads), db_out_i(&sum.likes),
		    db_out_i(&sum.created_ms), db_out_i(&sum.updated_ms),
		    db_out_b(&head, &hlen), db_out_s(&sum.mirror));
		if (rc <= 0)
			break;
		if (emitted == q->limit) {
			stopped = true;	/* one more row: more pages */
			break;
		}
		seen++;
		last_id = id;
		last_v = q->sk->which == LS_UPDATED ? sum.updated_ms :
		    q->sk->which == LS_CREATED ? sum.created_ms :
		    q->sk->which == LS_LIKES ? sum.likes : sum.downloads;
		sum.full = repo_id_of(r->a, ns, name);
		if (head != NULL && hlen == OID_LEN) {
			struct oid c;

			hex_encode(hex, head, OID_LEN);
			sum.sha = hex;
			memcpy(c.b, head, OID_LEN);
			if (q->card)
				{
				struct dctx x = req_dctx(r);

				sum.card = card_of_commit(&x, &c,
				    sum.full);
			}
		}
		card_tags(r->a, sum.card, q->type, &sum.tags);
		if (q->nfilters > 0 && !has_all_tags(&sum.tags, q)) {
			json_object_put(sum.card);
			continue;
		}
		sum.id = id;
		sum.type = q->type;
		sum.ns = ns;
		sum.private_ = priv != 0;
		sum.gated = gate_of(gated);
		sum.disabled = disabled != 0;
		if (emitted++ > 0)
			buf_addc(out, ',');
		jtext_summary(r, out, &sum, q->fields, q->expanded);
		buf_addc(out, '}');
		json_object_put(sum.card);
	}
	if (rc < 0)
		return -1;
	db_done(res);
	/* More rows may follow when the page stopped early, or when the
	 * query gave all it was asked for (a filter scan ran out). */
	if (stopped || (q->nfilters > 0 && seen == want))
		*next = arena_printf(r->a, "%lld_%lld", (long long)last_v,
		    (long long)last_id);
	return 0;
}

/* "<value>_<id>" into q (listing_cursor_parse); -1 when malformed. */
static int
cursor_parse(const char *s, struct listq *q)
{
	if (listing_cursor_parse(s, &q->cv, &q->cid) != 0)
		return -1;
	q->has_cursor = true;
	return 0;
}

/*
 * The listing parameters common to both endpoints: sort, direction,
 * limit, search, filter, fields. Answers 400 and returns -1 when bad.
 */
static int
listq_init(struct req *r, struct listq *q, size_t dflt_limit)
{
	const char *s, *dir, *lim;
	bool given;
	int full, carddata, g;
	size_t i;

	memset(q, 0, sizeof(*q));
	q->type = r->args.type;
	if ((q->sk = listing_sort_of(s = req_query(r, "sort"))) == NULL) {
		resp_error(r, 400, "BadRequest", "Invalid sort: %s", s);
		return -1;
	}
	dir = req_query(r, "direction");
	if (dir != NULL && *dir != '\0' && strcmp(dir, "-1") != 0 &&
	    strcmp(dir, "1") != 0) {
		resp_error(r, 400, "BadRequest", "Invalid direction: %s", dir);
		return -1;
	}
	q->asc = dir != NULL && !strcmp(dir, "1");
	q->limit = dflt_limit;
	if ((lim = req_query(r, "limit")) != NULL && *lim != '\0') {
		char *end;
		long long v = strtoll(lim, &end, 10);

		if (*end != '\0' || end == lim || v < 0) {
			resp_error(r, 400, "BadRequest", "Invalid limit: %s",
			    lim);
			return -1;
		}
		q->limit = v == 0 ? dflt_limit : v > LIST_LIMIT_MAX ?
		    LIST_LIMIT_MAX : (size_t)v;
	}
	if ((s = req_query(r, "cursor")) != NULL && *s != '\0' &&
	    cursor_parse(s, q) != 0) {
		resp_error(r, 400, "BadRequest", "Invalid cursor");
		return -1;
	}
	q->like = listing_like(r->a, req_query(r, "search"));
	/* gated=True|False (requests), true|false (httpx) */
	if ((g = req_query_bool(r, "gated", 2)) < 0)
		return -1;
	q->gated = g == 2 ? LG_ANY : g ? LG_GATED : LG_NOT_GATED;
	/* Tags to have: filter, and the Hub's shorthands for some. */
	q->filters = arena_alloc(r->a, (r->nquery + 1) * sizeof(*q->filters));
	for (i = 0; i < r->nquery; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;

		if (*v == '\0')
			continue;
		if (!strcmp(k, "filter") || !strcmp(k, "filter[]") ||
		    !strcmp(k, "pipeline_tag") || !strcmp(k, "library") ||
		    (!strcmp(k, "language") && q->type == REPO_MODEL))
			q->filters[q->nfilters++] = v;
		else if (!strcmp(k, "license") || (!strcmp(k, "language") &&
		    q->type == REPO_DATASET))
			q->filters[q->nfilters++] = arena_printf(r->a,
			    "%s:%s", k, v);
	}
	if ((full = req_query_bool(r, "full", 0)) < 0 ||
	    (carddata = req_query_bool(r, "cardData", 0)) < 0)
		return -1;
	q->fields = expand_of(r, &given);
	q->expanded = given;
	if (!given) {
		q->fields = F_AUTHOR | F_SHA | F_LASTMOD | F_CREATED |
		    F_PRIVATE | F_GATED | F_DISABLED | F_DOWNLOADS | F_LIKES |
		    F_TAGS;
		if (full)
			q->fields |= F_PIPELINE | F_LIBRARY;
		if (carddata)
			q->fields |= F_CARD;
	}
	/* Cards cost a read each: only when a field needs them or a
	 * filter tests their tags. A plain listing's tags are []. */
	q->card = q->nfilters > 0 || full || carddata ||
	    (given && (q->fields & F_FROM_CARD));
	return 0;
}

void
api_repo_list(struct req *r)
{
	struct listq q;
	struct buf b;
	char *next = NULL;

	if (listq_init(r, &q, LIST_LIMIT) != 0)
		return;
	if ((q.author = req_query(r, "author")) != NULL && *q.author == '\0')
		q.author = NULL;
	buf_init(&b, r->a);
	buf_addc(&b, '[');
	/* An author no one can be has no repositories. */
	if (q.like != NULL && (q.author == NULL || name_ascii(q.author)) &&
	    list_page(r, &q, &b, &next) != 0) {
		resp_db_error(r);
		return;
	}
	buf_addc(&b, ']');
	if (q.like != NULL && next != NULL)
		resp_link_next(r, arena_printf(r->a, "/api/%s",
		    repo_type_plural(q.type)), next);
	resp_send(r, 200, "application/json", b.data, b.len);
}

void
api_user_repos(struct req *r)
{
	static const enum repo_type types[] = { REPO_MODEL, REPO_DATASET,
	    REPO_SPACE };
	struct db_res *res;
	struct listq q;
	struct buf b;
	int64_t nsid;
	size_t k;
	int rc;

	if (!name_ascii(r->args.arg))
		rc = 0;		/* a name no one can have */
	else if (db_exec(r->hub->db, r->a, &res, &SQL_NAMESPACE,
	    db_s(r->args.arg)) != 0 || (rc = db_row(res,
	    db_out_i(&nsid))) < 0) {
		resp_db_error(r);
		return;
	} else
		db_done(res);
	if (rc == 0) {
		resp_error(r, 404, "NotFound", "User %s not found",
		    r->args.arg);
		return;
	}
	if (listq_init(r, &q, USER_LIMIT) != 0)
		return;
	q.author = r->args.arg;
	q.has_cursor = false;
	buf_init(&b, r->a);
	buf_addc(&b, '{');
	for (k = 0; k < 3; k++) {
		char *next;

		q.type = types[k];
		buf_printf(&b, "%s\"%s\":[", k ? "," : "",
		    repo_type_plural(types[k]));
		if (q.like != NULL && list_page(r, &q, &b, &next) != 0) {
			resp_db_error(r);
			return;
		}
		buf_addc(&b, ']');
	}
	buf_addc(&b, '}');
	resp_send(r, 200, "application/json", b.data, b.len);
}
