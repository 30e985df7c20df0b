/*
 * filelist.c: JSON text for file listings, blob metadata in bulk, and the
 * last commit of paths.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "db.h"
#include "filelist.h"
#include "jsonutil.h"

/*
 * Blob metadata for many ids in one round trip: the ids go as one JSON
 * array of hex strings, unpacked by JSON_TABLE, each looked up by the
 * primary key.
 */
static const char SQL_BLOBS[] =
    "SELECT b.oid, b.size, b.sha256, b.lfs"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j"
    " JOIN git_blob b ON b.oid = UNHEX(j.h)";

/* Ids per query: keeps the statement's parameter under a few KiB. */
#define BLOBS_CHUNK	1000

/*
 * What blobs_query() learned goes into the worker's object cache too, in
 * this module's own packing under its own kind (CACHE_BLOB_META): a folder
 * listed again costs no query.
 */
struct blob_meta {
	uint64_t	 size;
	unsigned char	 sha256[SHA256_LEN];
	unsigned char	 lfs;
};

static bool
meta_get(const struct oid *oid, struct blob_info *out)
{
	struct blob_meta m;
	const void *p;
	size_t len;

	if ((p = cache_get(CACHE_BLOB_META, oid, &len)) == NULL ||
	    len != sizeof(m))
		return false;
	memcpy(&m, p, sizeof(m));
	out->oid = *oid;
	out->size = m.size;
	memcpy(out->sha256, m.sha256, SHA256_LEN);
	out->lfs = m.lfs != 0;
	return true;
}

static void
meta_put(const struct blob_info *b)
{
	struct blob_meta m;

	memset(&m, 0, sizeof(m));
	m.size = b->size;
	memcpy(m.sha256, b->sha256, SHA256_LEN);
	m.lfs = b->lfs;
	cache_put(CACHE_BLOB_META, &b->oid, &m, sizeof(m));
}

void
jtext_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default: {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4],
			    hex[c & 15] };

			buf_add(b, e, sizeof(e));
		}
		}
	}
	buf_add(b, s + run, n - run);
	buf_addc(b, '"');
}

static int
oid_cmp(const void *x, const void *y)
{
	return memcmp(x, y, OID_LEN);
}

/* The index of o among the sorted ids (n of them), or -1. */
static long
oid_find(const struct oid *sorted, size_t n, const struct oid *o)
{
	const struct oid *hit = bsearch(o, sorted, n, sizeof(*sorted),
	    oid_cmp);

	return hit == NULL ? -1 : hit - sorted;
}

/* Looks up the distinct ids want[0..n) and fills the matching entries. */
static int
blobs_query(struct db *db, struct arena *a, const struct oid *want, size_t n,
    struct blob_info *got, bool *have)
{
	struct db_res *res;
	struct buf q;
	size_t i, olen, slen;
	void *oid, *sha;
	uint64_t size;
	int64_t lfs;
	int rc;

	buf_init(&q, a);
	buf_addc(&q, '[');
	for (i = 0; i < n; i++) {
		char hex[OID_HEX + 1];

		oid_hex(&want[i], hex);
		buf_printf(&q, "%s\"%s\"", i ? "," : "", hex);
	}
	buf_addc(&q, ']');
	if (db_exec(db, a, &res, SQL_BLOBS, "s", q.data) != 0)
		return -1;
	while ((rc = db_row(res, "bubi", &oid, &olen, &size, &sha, &slen,
	    &lfs)) == 1) {
		long k;

		if (olen != OID_LEN || slen != SHA256_LEN)
			continue;
		if ((k = oid_find(want, n, oid)) < 0)
			continue;
		got[k].oid = want[k];
		got[k].size = size;
		memcpy(got[k].sha256, sha, SHA256_LEN);
		got[k].lfs = lfs != 0;
		have[k] = true;
		meta_put(&got[k]);
	}
	db_done(res);
	return rc < 0 ? -1 : 0;
}

int
blobs_get(struct db *db, struct arena *a, const struct oid *oids, size_t n,
    struct blob_info *out, bool *found)
{
	struct oid *miss;
	struct blob_info *got;
	bool *have;
	size_t i, nmiss = 0, k, u;

	miss = arena_alloc(a, (n ? n : 1) * sizeof(*miss));
	for (i = 0; i < n; i++) {
		size_t len;
		int rc;

		found[i] = false;
		if (meta_get(&oids[i], &out[i]))
			found[i] = true;
		else if (cache_get(CACHE_BLOB, &oids[i], &len) != NULL) {
			if ((rc = gitstore_blob(db, a, &oids[i],
			    &out[i])) < 0)
				return -1;
			found[i] = rc == 0;
		} else
			miss[nmiss++] = oids[i];
	}
	if (nmiss == 0)
		return 0;
	/* Distinct ids, sorted: the same content may be at many paths. */
	qsort(miss, nmiss, sizeof(*miss), oid_cmp);
	for (u = 0, k = 0; k < nmiss; k++)
		if (u == 0 || !oid_eq(&miss[u - 1], &miss[k]))
			miss[u++] = miss[k];
	got = arena_zalloc(a, u * sizeof(*got));
	have = arena_zalloc(a, u * sizeof(*have));
	for (k = 0; k < u; k += BLOBS_CHUNK)
		if (blobs_query(db, a, miss + k, u - k < BLOBS_CHUNK ? u - k :
		    BLOBS_CHUNK, got + k, have + k) != 0)
			return -1;
	for (i = 0; i < n; i++) {
		long j;

		if (found[i] || (j = oid_find(miss, u, &oids[i])) < 0 ||
		    !have[j])
			continue;
		out[i] = got[j];
		found[i] = true;
	}
	return 0;
}

/* The first line of a commit message: its title. */
static const char *
title_of(struct arena *a, const char *msg)
{
	return arena_strndup(a, msg, strcspn(msg, "\n"));
}

/* An entry waiting for its last commit, grouped by its folder. */
struct lc_entry {
	size_t		 item;		/* index in the caller's arrays */
	const char	*dir;		/* folder path ("" for the root) */
	const char	*name;
	size_t		 namelen;
	bool		 pending;
};

static int
lc_cmp(const void *x, const void *y)
{
	const struct lc_entry *a = x, *b = y;

	return strcmp(a->dir, b->dir);
}

int
last_commits(struct db *db, struct arena *a, const struct oid *head,
    size_t n, const char *const *paths, const struct oid *oids,
    struct last_commit *out)
{
	struct commit_info cur, par;
	struct lc_entry *e;
	struct oid *diroid;
	size_t *gstart, ngroups = 0, npending = n, i, g, steps;
	const char *title;

	if (n == 0)
		return 0;
	if (gitstore_commit(db, a, head, &cur) != 0)
		return -1;
	title = title_of(a, cur.message);
	e = arena_alloc(a, n * sizeof(*e));
	for (i = 0; i < n; i++) {
		const char *slash = strrchr(paths[i], '/');

		out[i].id = *head;
		out[i].time = cur.time;
		out[i].title = title;
		e[i].item = i;
		e[i].dir = slash ? arena_strndup(a, paths[i],
		    (size_t)(slash - paths[i])) : "";
		e[i].name = slash ? slash + 1 : paths[i];
		e[i].namelen = strlen(e[i].name);
		e[i].pending = true;
	}
	/* Entries of one folder are checked together: when the folder's
	 * tree did not change between two commits, none of them did. */
	qsort(e, n, sizeof(*e), lc_cmp);
	gstart = arena_alloc(a, (n + 1) * sizeof(*gstart));
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(e[i - 1].dir, e[i].dir) != 0)
			gstart[ngroups++] = i;
	gstart[ngroups] = n;
	diroid = arena_alloc(a, ngroups * sizeof(*diroid));
	for (g = 0; g < ngroups; g++) {
		struct tree_entry te;

		if (gitstore_walk(db, a, &cur.tree, e[gstart[g]].dir,
		    &te) != 0)
			return -1;	/* the caller found them there */
		diroid[g] = te.oid;
	}
	for (steps = 0; npending > 0 && cur.has_parent &&
	    steps < LAST_COMMIT_WALK; steps++) {
		struct oid pid = cur.parent;
		int rc;

		if ((rc = gitstore_commit(db, a, &pid, &par)) < 0)
			return -1;
		if (rc > 0)
			break;		/* history cut short: keep what we have */
		title = NULL;
		for (g = 0; g < ngroups; g++) {
			struct tree_entry te;
			struct tree t;
			bool same, gone;

			for (i = gstart[g]; i < gstart[g + 1] && !e[i].pending;
			    i++)
				;
			if (i == gstart[g + 1])
				continue;	/* nothing left to find here */
			if (oid_eq(&par.tree, &cur.tree)) {
				same = true;
				gone = false;
			} else {
				if ((rc = gitstore_walk(db, a, &par.tree,
				    e[gstart[g]].dir, &te)) < 0)
					return -1;
				gone = rc > 0 || te.mode != MODE_DIR;
				same = !gone && oid_eq(&te.oid, &diroid[g]);
			}
			if (!same && !gone && gitstore_tree(db, a, &te.oid,
			    &t) != 0)
				return -1;
			for (i = gstart[g]; i < gstart[g + 1]; i++) {
				struct lc_entry *x = &e[i];
				long k;

				if (!x->pending)
					continue;
				if (!same && (gone || (k = tree_find(&t,
				    x->name, x->namelen)) < 0 ||
				    !oid_eq(&t.e[k].oid, &oids[x->item]))) {
					/* changed by cur: cur is its answer */
					x->pending = false;
					npending--;
					continue;
				}
				if (title == NULL)
					title = title_of(a, par.message);
				out[x->item].id = pid;
				out[x->item].time = par.time;
				out[x->item].title = title;
			}
			if (!gone)
				diroid[g] = same ? diroid[g] : te.oid;
		}
		cur = par;
	}
	return 0;
}

void
jtext_last_commit(struct arena *a, struct buf *b, const struct last_commit *lc)
{
	char hex[OID_HEX + 1];

	oid_hex(&lc->id, hex);
	buf_printf(b, "\"lastCommit\":{\"id\":\"%s\",\"title\":", hex);
	jtext_str(b, lc->title, strlen(lc->title));
	buf_printf(b, ",\"date\":\"%s\"}", iso_time_ms(a, lc->time * 1000));
}

int
tree_cursor_parse(const char *s, size_t *offset, char hex[OID_HEX + 1])
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '.' || strlen(end + 1) != OID_HEX ||
	    strspn(end + 1, "0123456789abcdef") != OID_HEX || v > 1u << 30)
		return -1;
	*offset = (size_t)v;
	memcpy(hex, end + 1, OID_HEX + 1);
	return 0;
}
