/*
 * api_info.c: repository information and listings.
 *
 *	GET /api/{type}s/{ns}/{name}[/revision/{rev}]	repo info
 *	GET /api/{type}s				listing
 *	GET /api/users/{name}/repos			one owner's, by type
 *
 * The card (README.md's front matter) gives tags, pipeline_tag,
 * library_name and cardData. It is read from S3 once per README content
 * and kept per worker (card_cache); listings read cards only when asked
 * to (filter, full, cardData, expand of card fields): a plain listing
 * page is one indexed query, whatever the page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "auth.h"
#include "blobstore.h"
#include "db.h"
#include "filelist.h"
#include "frontmatter.h"
#include "gitstore.h"
#include "hub.h"
#include "jsonutil.h"
#include "listing.h"
#include "log.h"
#include "names.h"
#include "quota.h"
#include "repo.h"
#include "s3.h"

static const char SQL_NAMESPACE[] =
    "SELECT id FROM namespace WHERE name = ?";

/* Listing sizes: the default page, the most, and (with a tag filter,
 * which reads cards) the rows examined per page at most. */
#define LIST_LIMIT		50
#define LIST_LIMIT_MAX		100000
#define USER_LIMIT		100
#define FILTER_SCAN		500

/* ---- fields and expand ---- */

enum field {
	F_AUTHOR = 1 << 0, F_SHA = 1 << 1, F_LASTMOD = 1 << 2,
	F_CREATED = 1 << 3, F_PRIVATE = 1 << 4, F_GATED = 1 << 5,
	F_DISABLED = 1 << 6, F_DOWNLOADS = 1 << 7, F_LIKES = 1 << 8,
	F_TAGS = 1 << 9, F_PIPELINE = 1 << 10, F_LIBRARY = 1 << 11,
	F_CARD = 1 << 12, F_SIBLINGS = 1 << 13, F_SPACES = 1 << 14,
	F_USED = 1 << 15, F_XET = 1 << 16, F_TRENDING = 1 << 17
};
/* The fields the card gives. */
#define F_FROM_CARD	(F_TAGS | F_PIPELINE | F_LIBRARY | F_CARD)

static const struct {
	const char	*name;
	unsigned	 bit;
} expand_names[] = {
	{ "author", F_AUTHOR }, { "sha", F_SHA },
	{ "lastModified", F_LASTMOD }, { "createdAt", F_CREATED },
	{ "private", F_PRIVATE }, { "gated", F_GATED },
	{ "disabled", F_DISABLED }, { "downloads", F_DOWNLOADS },
	{ "likes", F_LIKES }, { "tags", F_TAGS },
	{ "pipeline_tag", F_PIPELINE }, { "library_name", F_LIBRARY },
	{ "cardData", F_CARD }, { "siblings", F_SIBLINGS },
	{ "spaces", F_SPACES }, { "usedStorage", F_USED },
	{ "xetEnabled", F_XET }, { "trendingScore", F_TRENDING },
};

/*
 * The fields named by repeated expand (or expand[]) parameters, or 0 when
 * none was given. Unknown names are ignored (the Hub knows more fields
 * than khub has).
 */
static unsigned
expand_of(const struct req *r, bool *given)
{
	unsigned mask = 0;
	size_t i, k;

	*given = false;
	for (i = 0; i < r->nquery; i++) {
		if (strcmp(r->query[i].key, "expand") != 0 &&
		    strcmp(r->query[i].key, "expand[]") != 0)
			continue;
		if (*r->query[i].value == '\0')
			continue;	/* httpx's None */
		*given = true;
		for (k = 0; k < sizeof(expand_names) / sizeof(expand_names[0]);
		    k++)
			if (!strcmp(r->query[i].value, expand_names[k].name))
				mask |= expand_names[k].bit;
	}
	return mask;
}

/* ---- the card ---- */

/*
 * README blob id -> its front matter as JSON text (NULL: none). Blob ids
 * name content, so an entry is never stale; replaced round-robin.
 */
#define CARD_CACHE	256
static struct {
	struct oid	 oid;
	char		*json;
	bool		 used;
} card_cache[CARD_CACHE];
static size_t card_next;

/* The most of a README read for its front matter. */
#define README_MAX	(FRONTMATTER_MAX + 4096)

struct sink {
	struct buf	 b;
	bool		 full;
};

static int
readme_sink(void *arg, const void *data, size_t len)
{
	struct sink *s = arg;

	if (s->b.len + len > README_MAX) {
		buf_add(&s->b, data, README_MAX - s->b.len);
		s->full = true;
		return 1;	/* the rest cannot hold front matter */
	}
	buf_add(&s->b, data, len);
	return 0;
}

static void
card_remember(const struct oid *oid, json_object *card)
{
	size_t k = card_next++ % CARD_CACHE;

	free(card_cache[k].json);
	card_cache[k].json = NULL;
	if (card != NULL && (card_cache[k].json = strdup(
	    json_object_to_json_string_ext(card, JSON_C_TO_STRING_PLAIN))) ==
	    NULL)
		oom();
	card_cache[k].oid = *oid;
	card_cache[k].used = true;
}

/*
 * The card of the tree root: README.md's front matter as a new JSON
 * object, or NULL (no README, no front matter, S3 or database trouble:
 * the card is then missing from the answer, never an error).
 */
static json_object *
card_load(struct req *r, const struct oid *root)
{
	struct tree_entry e;
	struct blob_info bi;
	struct sink s;
	struct kerr err;
	json_object *card;
	size_t k;
	int rc;

	if (gitstore_walk(r->hub->db, r->a, root, "README.md", &e) != 0 ||
	    e.mode == MODE_DIR)
		return NULL;
	for (k = 0; k < CARD_CACHE; k++)
		if (card_cache[k].used && oid_eq(&card_cache[k].oid, &e.oid))
			return card_cache[k].json == NULL ? NULL :
			    json_tokener_parse(card_cache[k].json);
	if (gitstore_blob(r->hub->db, r->a, &e.oid, &bi) != 0)
		return NULL;
	if (bi.lfs) {
		card_remember(&e.oid, NULL);
		return NULL;
	}
	buf_init(&s.b, r->a);
	s.full = false;
	rc = blobstore_get(r->hub->db, r->hub->s3, r->a, &bi, readme_sink, &s,
	    &err);
	if (rc != 0 && !s.full) {
		log_warn("README.md %s: %s", r->args.name ? r->args.name : "",
		    rc == -1 ? db_error(r->hub->db) : err.msg);
		return NULL;
	}
	card = frontmatter_parse(r->a, s.b.data, s.b.len);
	card_remember(&e.oid, card);
	return card;
}

/* The card of a commit (its tree's README), or NULL. */
static json_object *
card_of_commit(struct req *r, const struct oid *commit)
{
	struct commit_info ci;

	if (gitstore_commit(r->hub->db, r->a, commit, &ci) != 0)
		return NULL;
	return card_load(r, &ci.tree);
}

/* A tag list being built: distinct strings in order. */
struct tags {
	const char	**v;
	size_t		  n, cap;
};

static void
tag_add(struct arena *a, struct tags *t, const char *prefix, const char *s)
{
	const char *tag;
	size_t i;

	if (s == NULL || *s == '\0')
		return;
	tag = prefix ? arena_printf(a, "%s:%s", prefix, s) : s;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], tag))
			return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		const char **v = arena_alloc(a, cap * sizeof(*v));

		if (t->n > 0)
			memcpy(v, t->v, t->n * sizeof(*v));
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = tag;
}

/* Adds card[key] (a string or a list of strings) as tags. */
static void
tags_from(struct arena *a, struct tags *t, json_object *card,
    const char *key, const char *prefix)
{
	json_object *v;
	size_t i, n;

	if (!json_object_object_get_ex(card, key, &v) || v == NULL)
		return;
	if (json_object_is_type(v, json_type_string)) {
		tag_add(a, t, prefix, json_object_get_string(v));
		return;
	}
	if (!json_object_is_type(v, json_type_array))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(v, i);

		if (json_object_is_type(x, json_type_string))
			tag_add(a, t, prefix, json_object_get_string(x));
	}
}

/*
 * The Hub's tags from a card: the library, the card's own tags, the
 * pipeline, then "key:value" tags of the metadata the Hub turns into
 * tags (license, datasets, base_model; a dataset's task categories...).
 */
static void
card_tags(struct arena *a, json_object *card, enum repo_type type,
    struct tags *t)
{
	static const char *ds_keys[] = { "task_categories", "task_ids",
	    "annotations_creators", "language_creators", "multilinguality",
	    "size_categories", "source_datasets" };
	size_t i;

	memset(t, 0, sizeof(*t));
	if (card == NULL)
		return;
	if (type == REPO_MODEL)
		tags_from(a, t, card, "library_name", NULL);
	tags_from(a, t, card, "tags", NULL);
	if (type == REPO_MODEL) {
		tags_from(a, t, card, "pipeline_tag", NULL);
		tags_from(a, t, card, "datasets", "dataset");
		tags_from(a, t, card, "base_model", "base_model");
		tags_from(a, t, card, "language", NULL);
	} else if (type == REPO_DATASET) {
		for (i = 0; i < sizeof(ds_keys) / sizeof(ds_keys[0]); i++)
			tags_from(a, t, card, ds_keys[i], ds_keys[i]);
		tags_from(a, t, card, "language", "language");
	}
	tags_from(a, t, card, "license", "license");
}

static void
jtext_tags(struct buf *b, const struct tags *t)
{
	size_t i;

	buf_addc(b, '[');
	for (i = 0; i < t->n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		jtext_str(b, t->v[i], strlen(t->v[i]));
	}
	buf_addc(b, ']');
}

/* card[key] when it is a string, else NULL. */
static const char *
card_str(json_object *card, const char *key)
{
	return card == NULL ? NULL : jget_str(card, key);
}

/* Appends ,"key":"value" or ,"key":null. */
static void
jtext_opt(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, ",\"%s\":", key);
	if (v == NULL)
		buf_adds(b, "null");
	else
		jtext_str(b, v, strlen(v));
}

static void
jtext_json(struct buf *b, json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	buf_add(b, s, len);
}

/* What a repository's info and a listing item share. */
struct summary {
	int64_t		 id;
	enum repo_type	 type;
	const char	*ns, *full;
	const char	*sha;		/* hex, or NULL */
	int64_t		 updated_ms, created_ms, downloads, likes;
	bool		 private_, disabled;
	enum gate	 gated;
	json_object	*card;		/* or NULL */
	struct tags	 tags;
	const char	*mirror;	/* a mirror's upstream, or NULL */
};

static char *
repo_oid_str(struct arena *a, int64_t id)
{
	/* 24 hex digits, the shape of the Hub's ids. */
	return arena_printf(a, "%024llx", (unsigned long long)id);
}

/*
 * Opens the JSON object of s and writes the fields f names (all the
 * usual ones unless expanded: then only those, besides id and _id).
 */
static void
jtext_summary(struct req *r, struct buf *b, const struct summary *s,
    unsigned f, bool expanded)
{
	buf_printf(b, "{\"_id\":\"%s\",\"id\":", repo_oid_str(r->a, s->id));
	jtext_str(b, s->full, strlen(s->full));
	if (s->type == REPO_MODEL && !expanded) {
		buf_adds(b, ",\"modelId\":");
		jtext_str(b, s->full, strlen(s->full));
	}
	if (f & F_AUTHOR)
		jtext_opt(b, "author", *s->ns ? s->ns : NULL);
	if (f & F_SHA)
		jtext_opt(b, "sha", s->sha);
	if (f & F_LASTMOD)
		jtext_opt(b, "lastModified", iso_time_ms(r->a, s->updated_ms));
	if (f & F_CREATED)
		jtext_opt(b, "createdAt", iso_time_ms(r->a, s->created_ms));
	if (f & F_PRIVATE)
		buf_printf(b, ",\"private\":%s", s->private_ ? "true" :
		    "false");
	if (f & F_DISABLED)
		buf_printf(b, ",\"disabled\":%s", s->disabled ? "true" :
		    "false");
	if (f & F_GATED && gate_name(s->gated) != NULL)
		jtext_opt(b, "gated", gate_name(s->gated));
	else if (f & F_GATED)
		buf_adds(b, ",\"gated\":false");
	if (f & F_DOWNLOADS)
		buf_printf(b, ",\"downloads\":%lld", (long long)s->downloads);
	if (f & F_LIKES)
		buf_printf(b, ",\"likes\":%lld", (long long)s->likes);
	if (f & F_TRENDING)
		buf_adds(b, ",\"trendingScore\":0");
	if (f & F_TAGS) {
		buf_adds(b, ",\"tags\":");
		jtext_tags(b, &s->tags);
	}
	if (f & F_PIPELINE)
		jtext_opt(b, "pipeline_tag", card_str(s->card,
		    "pipeline_tag"));
	if (f & F_LIBRARY)
		jtext_opt(b, "library_name", card_str(s->card,
		    "library_name"));
	if (f & F_CARD && s->card != NULL) {
		buf_adds(b, ",\"cardData\":");
		jtext_json(b, s->card);
	}
	if (f & F_XET)
		buf_adds(b, ",\"xetEnabled\":false");
	if (s->mirror != NULL) {
		/* khub's own: a read-only mirror of that hub (mirror.h) */
		buf_adds(b, ",\"mirror\":{\"upstream\":");
		jtext_str(b, s->mirror, strlen(s->mirror));
		buf_addc(b, '}');
	}
}

/* ---- repository info ---- */

/* The files of a revision, recursively, in git order (= path order). */
struct walk {
	struct req	*r;
	const char	**paths;
	struct oid	*oids;
	size_t		 n, cap;
};

static int
walk_tree(struct walk *w, const struct oid *tree, const char *prefix)
{
	struct tree t;
	size_t i;

	if (gitstore_tree(w->r->hub->db, w->r->a, tree, &t) != 0)
		return -1;
	for (i = 0; i < t.n; i++) {
		const struct tree_entry *e = &t.e[i];
		char *path = *prefix ? arena_printf(w->r->a, "%s/%.*s",
		    prefix, (int)e->namelen, e->name) :
		    arena_strndup(w->r->a, e->name, e->namelen);

		if (e->mode == MODE_DIR) {
			if (walk_tree(w, &e->oid, path) != 0)
				return -1;
			continue;
		}
		if (e->mode == 0160000)
			continue;
		if (w->n == w->cap) {
			size_t cap = w->cap ? 2 * w->cap : 256;
			const char **p = arena_alloc(w->r->a, cap * sizeof(*p));
			struct oid *o = arena_alloc(w->r->a, cap * sizeof(*o));

			if (w->n > 0) {
				memcpy(p, w->paths, w->n * sizeof(*p));
				memcpy(o, w->oids, w->n * sizeof(*o));
			}
			w->paths = p;
			w->oids = o;
			w->cap = cap;
		}
		w->paths[w->n] = path;
		w->oids[w->n++] = e->oid;
	}
	return 0;
}

/* Appends "siblings":[...] for the tree root; -1 on a database error. */
static int
jtext_siblings(struct req *r, struct buf *b, const struct oid *root,
    bool blobs)
{
	struct walk w;
	struct blob_info *bi = NULL;
	bool *found = NULL;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.r = r;
	if (walk_tree(&w, root, "") != 0)
		return -1;
	if (blobs) {
		bi = arena_alloc(r->a, (w.n + 1) * sizeof(*bi));
		found = arena_alloc(r->a, (w.n + 1) * sizeof(*found));
		if (blobs_get(r->hub->db, r->a, w.oids, w.n, bi, found) != 0)
			return -1;
	}
	buf_adds(b, ",\"siblings\":[");
	for (i = 0; i < w.n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		buf_adds(b, "{\"rfilename\":");
		jtext_str(b, w.paths[i], strlen(w.paths[i]));
		if (blobs) {
			char hex[OID_HEX + 1];

			oid_hex(&w.oids[i], hex);
			buf_printf(b, ",\"size\":%llu,\"blobId\":\"%s\"",
			    found[i] ? (unsigned long long)bi[i].size : 0ULL,
			    hex);
			if (found[i] && bi[i].lfs) {
				char sha[2 * SHA256_LEN + 1];
				struct buf ptr;

				buf_init(&ptr, r->a);
				lfs_pointer(&ptr, bi[i].sha256, bi[i].size);
				hex_encode(sha, bi[i].sha256, SHA256_LEN);
				buf_printf(b, ",\"lfs\":{\"sha256\":\"%s\","
				    "\"size\":%llu,\"pointerSize\":%zu}", sha,
				    (unsigned long long)bi[i].size, ptr.len);
			} else
				buf_adds(b, ",\"lfs\":null");
		}
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
	return 0;
}

/*
 * Appends "storage":{...} (or "usedStorage": N); -1 on a database error.
 * used_bytes is this repository's; the quota and what is left of it are
 * its namespace's, as quotas are counted (quota.c).
 */
static int
jtext_storage(struct req *r, struct buf *b, const struct repo *repo,
    bool used_only)
{
	uint64_t quota = 0, used, ns_used = 0;

	if (quota_repo_used(r->hub->db, r->a, repo->id, repo->updated_ms,
	    &used) != 0)
		return -1;
	if (used_only) {
		buf_printf(b, ",\"usedStorage\":%llu", (unsigned long long)used);
		return 0;
	}
	if (quota_used(r->hub->db, r->a, repo->owner_id,
	    r->hub->conf.default_quota, &ns_used, &quota) != 0)
		return -1;
	buf_printf(b, ",\"storage\":{\"used_bytes\":%llu",
	    (unsigned long long)used);
	if (quota == 0)		/* none */
		buf_adds(b, ",\"quota_bytes\":null,\"available_bytes\":null,"
		    "\"percentage_used\":null,\"effective_quota_bytes\":null");
	else
		buf_printf(b, ",\"quota_bytes\":%llu,\"available_bytes\":%llu,"
		    "\"percentage_used\":%.2f,\"effective_quota_bytes\":%llu",
		    (unsigned long long)quota, (unsigned long long)(quota >
		    ns_used ? quota - ns_used : 0), 100.0 * (double)ns_used /
		    (double)quota, (unsigned long long)quota);
	buf_adds(b, ",\"is_inheriting\":false}");
	return 0;
}

void
api_repo_info(struct req *r)
{
	/* HEAD (the JS client's default revision) is resolved by repo.c. */
	const char *asked = r->args.rev != NULL ? r->args.rev : "main",
	    *rev = asked;
	bool revform = r->args.rev != NULL, given, have_commit = false;
	struct repo *repo;
	struct rev rv;
	struct commit_info ci;
	struct summary sum;
	struct buf b;
	char hex[OID_HEX + 1];
	unsigned f;
	int blobs;

	if ((blobs = req_query_bool(r, "blobs", 0)) < 0)
		return;
	f = expand_of(r, &given);
	if (!given)
		f = F_AUTHOR | F_SHA | F_LASTMOD | F_CREATED | F_PRIVATE |
		    F_GATED | F_DISABLED | F_DOWNLOADS | F_LIKES | F_FROM_CARD |
		    F_SIBLINGS | F_SPACES;
	if ((repo = repo_open_rev(r, ACCESS_READ, rev)) == NULL)
		return;
	/* A repository always has main; if it ever had not, its info still
	 * answers (without a commit), while a revision asked for must
	 * exist. */
	if (revform || repo->rev_is_ref) {
		if (repo_resolve(r, repo, rev, &rv) != 0)
			return;
		if (gitstore_commit(r->hub->db, r->a, &rv.commit, &ci) != 0) {
			resp_db_error(r);
			return;
		}
		have_commit = true;
		oid_hex(&rv.commit, hex);
		resp_header(r, "X-Repo-Commit", "%s", hex);
	}
	memset(&sum, 0, sizeof(sum));
	if (have_commit && f & F_FROM_CARD)
		sum.card = card_load(r, &ci.tree);
	card_tags(r->a, sum.card, repo->type, &sum.tags);
	sum.id = repo->id;
	sum.type = repo->type;
	sum.ns = repo->ns;
	sum.full = repo->full;
	sum.mirror = repo->mirror;
	sum.sha = have_commit ? hex : NULL;
	/* A revision was last modified by its commit. */
	sum.updated_ms = revform ? ci.time * 1000 : repo->updated_ms;
	sum.created_ms = repo->created_ms;
	sum.downloads = repo->downloads;
	sum.likes = repo->likes;
	sum.private_ = repo->private_;
	sum.gated = repo->gated;
	sum.disabled = repo->disabled;
	buf_init(&b, r->a);
	jtext_summary(r, &b, &sum, f & ~F_XET, given);
	if (f & F_SIBLINGS) {
		if (!have_commit)
			buf_adds(&b, ",\"siblings\":[]");
		else if (jtext_siblings(r, &b, &ci.tree, blobs) != 0) {
			json_object_put(sum.card);
			resp_db_error(r);
			return;
		}
	}
	if (f & F_SPACES)
		buf_adds(&b, ",\"spaces\":[]");
	if (f & F_XET || revform)
		buf_adds(&b, ",\"xetEnabled\":false");
	if (((f & F_USED) || (!given && repo->access >= ACCESS_WRITE)) &&
	    jtext_storage(r, &b, repo, given) != 0) {
		json_object_put(sum.card);
		resp_db_error(r);
		return;
	}
	if (revform) {
		buf_printf(&b, ",\"type\":\"%s\",\"revision\":",
		    repo_type_name(repo->type));
		jtext_str(&b, asked, strlen(asked));
		buf_printf(&b, ",\"commit\":{\"oid\":\"%s\",\"date\":%lld}",
		    hex, (long long)ci.time);
	}
	buf_addc(&b, '}');
	json_object_put(sum.card);
	resp_send(r, 200, "application/json", b.data, b.len);
}

/* ---- listings ---- */

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
		rc = db_row(res, "issiiiiiiibs", &id, &ns, &name, &priv,
		    &gated, &disabled, &sum.downloads, &sum.likes,
		    &sum.created_ms, &sum.updated_ms, &head, &hlen,
		    &sum.mirror);
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
		if (head != NULL && hlen == OID_LEN) {
			struct oid c;

			hex_encode(hex, head, OID_LEN);
			sum.sha = hex;
			memcpy(c.b, head, OID_LEN);
			if (q->card)
				sum.card = card_of_commit(r, &c);
		}
		card_tags(r->a, sum.card, q->type, &sum.tags);
		if (q->nfilters > 0 && !has_all_tags(&sum.tags, q)) {
			json_object_put(sum.card);
			continue;
		}
		sum.id = id;
		sum.type = q->type;
		sum.ns = ns;
		sum.full = repo_id_of(r->a, ns, name);
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

	if (auth_identify(r) != 0)
		return;
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

	if (auth_identify(r) != 0)
		return;
	if (!name_ascii(r->args.arg))
		rc = 0;		/* a name no one can have */
	else if (db_exec(r->hub->db, r->a, &res, SQL_NAMESPACE, "s",
	    r->args.arg) != 0 || (rc = db_row(res, "i", &nsid)) < 0) {
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
