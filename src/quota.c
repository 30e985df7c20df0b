/*
 * quota.c: storage quotas per namespace; per-repository LFS settings.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "db.h"
#include "gitobj.h"
#include "gitrules.h"
#include "quota.h"

/*
 * The namespace's quota (its own, else the default, the second parameter),
 * its usage only when that quota is not 0 (the sum reads a row per blob:
 * skipped on servers without quotas), and the repository's LFS settings.
 */
static const struct db_stmt SQL_LOAD = DB_READ("ui", "uuius",
    "SELECT q.quota,"
    " IF(q.quota = 0, 0, (SELECT CAST(COALESCE(SUM(b.size), 0) AS UNSIGNED)"
    "  FROM repo o JOIN repo_blob rb ON rb.repo_id = o.id"
    "  JOIN git_blob b ON b.oid = rb.oid WHERE o.owner_id = q.owner_id)),"
    " q.lfs_threshold IS NOT NULL, COALESCE(q.lfs_threshold, 0),"
    " q.lfs_patterns"
    " FROM (SELECT r.owner_id, r.lfs_threshold, r.lfs_patterns,"
    "  COALESCE(n.quota_bytes, ?) AS quota"
    "  FROM repo r JOIN namespace n ON n.id = r.owner_id WHERE r.id = ?) q");
static const struct db_stmt SQL_USED = DB_READ("ui", "uu",
    "SELECT COALESCE(n.quota_bytes, ?),"
    " (SELECT CAST(COALESCE(SUM(b.size), 0) AS UNSIGNED)"
    "  FROM repo o JOIN repo_blob rb ON rb.repo_id = o.id"
    "  JOIN git_blob b ON b.oid = rb.oid WHERE o.owner_id = n.id)"
    " FROM namespace n WHERE n.id = ?");

int
quota_load(struct db *db, struct arena *a, uint64_t default_quota,
    int64_t repo_id, struct quota *q, struct kerr *e)
{
	struct db_res *res;
	int64_t has_thr;
	char *patterns;
	int rc;

	memset(q, 0, sizeof(*q));
	if (db_exec(db, a, &res, &SQL_LOAD, db_u(default_quota),
	    db_i(repo_id)) != 0 ||
	    (rc = db_row(res, db_out_u(&q->quota), db_out_u(&q->used),
	    db_out_i(&has_thr), db_out_u(&q->lfs_threshold),
	    db_out_s(&patterns))) < 0)
		return kerr_db(e, db);
	db_done(res);
	if (rc == 0)	/* deleted meanwhile: nothing to count against */
		return 0;
	q->limited = q->quota != 0;
	q->has_lfs_threshold = has_thr != 0;
	q->lfs_patterns = patterns;
	return 0;
}

bool
quota_allows(const struct quota *q, uint64_t adding)
{
	/* nothing new (a deletion, content stored already) always fits,
	 * even over a quota lowered meanwhile */
	if (!q->limited || adding == 0)
		return true;
	return q->used <= q->quota && adding <= q->quota - q->used;
}

char *
quota_message(struct arena *a, const char *ns, const struct quota *q,
    uint64_t adding)
{
	return arena_printf(a, "Storage quota exceeded: %s uses %llu of "
	    "its %llu bytes; this upload of %llu bytes does not fit",
	    ns, (unsigned long long)q->used,
	    (unsigned long long)q->quota, (unsigned long long)adding);
}

/* Used bytes of one repository: every blob a commit of it ever named. */
static const struct db_stmt SQL_REPO_USED = DB_READ("i", "u",
    "SELECT CAST(COALESCE(SUM(b.size), 0) AS UNSIGNED)"
    " FROM repo_blob rb JOIN git_blob b ON b.oid = rb.oid"
    " WHERE rb.repo_id = ?");

/*
 * Used bytes per repository, as of its updated_at (which every commit
 * moves): the sum reads a row per blob, so a worker keeps the answer in
 * its cache (CACHE_USED), keyed by the repository and that time.
 */
static void
used_key(struct oid *k, int64_t repo_id, int64_t updated_ms)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->b, &repo_id, sizeof(repo_id));
	memcpy(k->b + sizeof(repo_id), &updated_ms, sizeof(updated_ms));
}

int
quota_repo_used(struct db *db, struct arena *a, int64_t repo_id,
    int64_t updated_ms, uint64_t *used)
{
	struct db_res *res;
	const void *kept;
	struct oid k;
	size_t len;
	int rc;

	used_key(&k, repo_id, updated_ms);
	if ((kept = cache_get(CACHE_USED, &k, &len)) != NULL &&
	    len == sizeof(*used)) {
		memcpy(used, kept, sizeof(*used));
		return 0;
	}
	if (db_exec(db, a, &res, &SQL_REPO_USED, db_i(repo_id)) != 0 ||
	    (rc = db_row(res, db_out_u(used))) < 0)
		return -1;
	db_done(res);
	if (rc == 0)
		*used = 0;
	cache_put(CACHE_USED, &k, used, sizeof(*used));
	return 0;
}

int
quota_used(struct db *db, struct arena *a, int64_t ns_id,
    uint64_t default_quota, uint64_t *used, uint64_t *quota)
{
	struct db_res *res;
	int rc;

	*used = *quota = 0;
	if (db_exec(db, a, &res, &SQL_USED, db_u(default_quota),
	    db_i(ns_id)) != 0 ||
	    (rc = db_row(res, db_out_u(quota), db_out_u(used))) < 0)
		return -1;
	db_done(res);
	return 0;
}

void
lfs_settings_rules(struct arena *a, const struct quota *q, struct rules *out)
{
	const char *p = q->lfs_patterns, *nl;
	struct buf b;

	buf_init(&b, a);
	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		if (nl != p)
			buf_printf(&b, "%.*s filter=lfs\n",
			    (int)(nl ? nl - p : (ptrdiff_t)strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	}
	/* at most 100 patterns (api_repos.c): never too many rules */
	(void)rules_parse_attributes(out, a, b.len ? b.data : "", b.len);
}

/* The quota of a namespace, read before the commit's transaction: a read
 * inside it would fix its snapshot before the namespace's lock. */
static const struct db_stmt SQL_LIMIT = DB_READ("ui", "u",
    "SELECT COALESCE(quota_bytes, ?) FROM namespace WHERE id = ?");
static const struct db_stmt SQL_LOCK = DB_READ("i", "i",
    "SELECT quota_seq FROM namespace WHERE id = ? FOR UPDATE");
static const struct db_stmt SQL_SERIALIZE = DB_WRITE("i",
    "UPDATE namespace SET quota_seq = quota_seq + 1 WHERE id = ?");
/* Bytes of the blobs of a JSON array of hex ids the repository does not
 * reference yet: what a commit of them adds to its namespace's use. */
static const struct db_stmt SQL_NEW_BYTES = DB_READ("si", "u",
    "SELECT CAST(COALESCE(SUM(b.size), 0) AS UNSIGNED)"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j"
    " JOIN git_blob b ON b.oid = UNHEX(j.h) WHERE NOT EXISTS"
    " (SELECT 1 FROM repo_blob rb WHERE rb.repo_id = ? AND rb.oid = b.oid)");

int
quota_commit_limit(struct db *db, struct arena *a, uint64_t default_quota,
    int64_t ns_id, uint64_t *quota)
{
	struct db_res *res;
	int rc;

	*quota = 0;
	if (db_exec(db, a, &res, &SQL_LIMIT, db_u(default_quota),
	    db_i(ns_id)) != 0 ||
	    (rc = db_row(res, db_out_u(quota))) < 0)
		return -1;
	db_done(res);
	return 0;
}

int
quota_commit_check(struct db *db, struct arena *a, uint64_t quota,
    int64_t ns_id, const char *ns, int64_t repo_id, char *const *chunk,
    size_t nchunks, struct kerr *e)
{
	struct db_res *res;
	struct quota q;
	uint64_t adding = 0, part;
	size_t i;
	int rc;

	if (quota == 0)
		return 0;
	/* First the namespace's row, so that what is read next includes
	 * every commit that held it before (the snapshot starts at the
	 * first plain read). */
	if (db_exec(db, a, NULL, &SQL_LOCK, db_i(ns_id)) != 0)
		return kerr_db(e, db);
	for (i = 0; i < nchunks; i++) {
		if (db_exec(db, a, &res, &SQL_NEW_BYTES, db_s(chunk[i]),
		    db_i(repo_id)) != 0 || (rc = db_row(res,
		    db_out_u(&part))) < 0)
			return kerr_db(e, db);
		db_done(res);
		adding = quota_add(adding, part);
	}
	if (adding == 0)
		return 0;
	memset(&q, 0, sizeof(q));
	if (quota_used(db, a, ns_id, quota, &q.used, &q.quota) != 0)
		return kerr_db(e, db);
	q.limited = q.quota != 0;
	if (quota_allows(&q, adding))
		return 0;
	return kerr_set(e, 413, "QuotaExceeded", "%s",
	    quota_message(a, ns, &q, adding));
}

/* Which ids of a JSON array of hex blob ids the repository references. */
static const struct db_stmt SQL_HAS = DB_READ("si", "b",
    "SELECT rb.oid FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
    " PATH '$')) AS j JOIN repo_blob rb ON rb.repo_id = ?"
    " AND rb.oid = UNHEX(j.h)");
/* Ids a query: keeps the JSON parameter under a hundred KiB. */
#define HAS_CHUNK	1000

static int
cmp_qblob(const void *x, const void *y)
{
	return memcmp(((const struct quota_blob *)x)->oid.b,
	    ((const struct quota_blob *)y)->oid.b, OID_LEN);
}

int
quota_new_bytes(struct db *db, struct arena *a, int64_t repo_id,
    struct quota_blob *v, size_t n, uint64_t *adding)
{
	struct db_res *res;
	struct quota_blob key, *hit;
	struct buf q;
	size_t i, j, m, len;
	void *oid;
	int rc;

	*adding = 0;
	qsort(v, n, sizeof(*v), cmp_qblob);
	for (i = j = 0; i < n; i++)	/* distinct ids */
		if (j == 0 || !oid_eq(&v[j - 1].oid, &v[i].oid))
			v[j++] = v[i];
	n = j;
	for (i = 0; i < n; i++)
		*adding = quota_add(*adding, v[i].size);
	for (i = 0; i < n; i += HAS_CHUNK) {
		m = n - i < HAS_CHUNK ? n - i : HAS_CHUNK;
		buf_init(&q, a);
		for (j = 0; j < m; j++) {
			char hex[OID_HEX + 1];

			oid_hex(&v[i + j].oid, hex);
			buf_printf(&q, "%s\"%s\"", j ? "," : "[", hex);
		}
		buf_addc(&q, ']');
		if (db_exec(db, a, &res, &SQL_HAS, db_s(q.data),
		    db_i(repo_id)) != 0)
			return -1;
		while ((rc = db_row(res, db_out_b(&oid, &len))) == 1) {
			if (len != OID_LEN)
				continue;
			memcpy(key.oid.b, oid, OID_LEN);
			if ((hit = bsearch(&key, v + i, m, sizeof(*v),
			    cmp_qblob)) != NULL)
				*adding -= hit->size < *adding ? hit->size :
				    *adding;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
quota_commit_mark(struct db *db, struct arena *a, uint64_t quota,
    int64_t ns_id)
{
	if (quota == 0)
		return 0;
	return db_exec(db, a, NULL, &SQL_SERIALIZE, db_i(ns_id));
}
