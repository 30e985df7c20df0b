/*
 * gitstore.c: reading and writing git objects; every read goes through the
 * cache first, since an object never changes.
 */
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "cache.h"
#include "blobstore.h"
#include "db.h"
#include "gitstore.h"
#include "jsonutil.h"
#include "s3.h"

/* The parents after the first come as one string of 20-byte ids. */
static const struct db_stmt SQL_COMMIT = DB_READ("b", "bbssisbb",
    "SELECT tree, parent, author_name, author_email, time, message, raw,"
    " (SELECT GROUP_CONCAT(p.parent ORDER BY p.n SEPARATOR '')"
    "  FROM git_commit_parent p WHERE p.oid = c.oid)"
    " FROM git_commit c WHERE oid = ?");
static const struct db_stmt SQL_TREE = DB_READ("b", "b",
    "SELECT entries FROM git_tree WHERE oid = ?");
static const struct db_stmt SQL_BLOB = DB_READ("b", "ubii",
    "SELECT size, sha256, lfs, in_s3 FROM git_blob WHERE oid = ?");
static const struct db_stmt SQL_PUT_BLOB = DB_WRITE("bubii",
    "INSERT IGNORE INTO git_blob (oid, size, sha256, lfs, in_s3)"
    " VALUES (?, ?, ?, ?, ?)");
static const struct db_stmt SQL_SET_IN_S3 = DB_WRITE("b",
    "UPDATE git_blob SET in_s3 = 1 WHERE oid = ?");
static const struct db_stmt SQL_PUT_TREE = DB_WRITE("bb",
    "INSERT IGNORE INTO git_tree (oid, entries) VALUES (?, ?)");
static const struct db_stmt SQL_PUT_COMMIT = DB_WRITE("bbbssisb",
    "INSERT IGNORE INTO git_commit (oid, tree, parent, author_name,"
    " author_email, time, message, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
/* A tree's subtrees, its reference rows for gc (gc.h "Git objects"):
 * one statement for a tree however wide (a JSON array of hex ids). */
static const struct db_stmt SQL_PUT_EDGES = DB_WRITE("bs",
    "INSERT IGNORE INTO git_tree_edge (child, parent) SELECT UNHEX(j.h), ?"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j");
static const struct db_stmt SQL_TAG = DB_READ("b", "b",
    "SELECT raw FROM git_tag WHERE oid = ?");
static const struct db_stmt SQL_PUT_TAG = DB_WRITE("bbsb",
    "INSERT IGNORE INTO git_tag (oid, object, type, raw) VALUES (?, ?, ?, ?)");
static const struct db_stmt SQL_PUT_TAG_CHAIN = DB_WRITE("bbsbbs",
    "INSERT IGNORE INTO git_tag (oid, object, type, raw, peeled, peeled_type)"
    " VALUES (?, ?, ?, ?, ?, ?)");
static const struct db_stmt SQL_PUT_PARENT = DB_WRITE("bib",
    "INSERT IGNORE INTO git_commit_parent (oid, n, parent) VALUES (?, ?, ?)");

/* The blob cache holds this packed form. Of a blob only in_s3 changes,
 * and only from 0 to 1 (gitstore.h): a stale 0 costs a query, never a
 * wrong answer. */
struct packed_blob {
	uint64_t	 size;
	unsigned char	 sha256[SHA256_LEN];
	unsigned char	 lfs;
	unsigned char	 in_s3;
};

int
gitstore_commit(struct db *db, struct arena *a, const struct oid *oid,
    struct commit_info *out)
{
	struct db_res *res;
	struct buf text;
	const void *cached;
	void *tree, *parent, *raw, *more;
	size_t tlen, plen, rawlen, mlen, len;
	int rc;

	if ((cached = cache_get(CACHE_COMMIT, oid, &len)) != NULL)
		return commit_parse(out, a, cached, len, NULL) == 0 ? 0 : -1;
	if (db_exec(db, a, &res, &SQL_COMMIT, db_b(oid->b, OID_LEN)))
		return -1;
	memset(out, 0, sizeof(*out));
	rc = db_row(res, db_out_b(&tree, &tlen), db_out_b(&parent, &plen),
	    db_out_s(&out->author_name), db_out_s(&out->author_email),
	    db_out_i(&out->time), db_out_s(&out->message), db_out_b(&raw,
	    &rawlen), db_out_b(&more, &mlen));
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	if (raw != NULL) {
		/* the exact text: everything is in it */
		cache_put(CACHE_COMMIT, oid, raw, rawlen);
		return commit_parse(out, a, raw, rawlen, NULL) == 0 ? 0 : -1;
	}
	if (tlen != OID_LEN || (parent != NULL && plen != OID_LEN) ||
	    (more != NULL && (parent == NULL || mlen % OID_LEN != 0)))
		return -1;
	memcpy(out->tree.b, tree, OID_LEN);
	if (parent != NULL) {
		memcpy(out->parent.b, parent, OID_LEN);
		out->has_parent = true;
	}
	if (more != NULL) {
		out->more_parents = more;	/* 20-byte ids, as struct oid */
		out->nmore = mlen / OID_LEN;
	}
	/* Cache the git text: it is also what the id is the hash of. */
	buf_init(&text, a);
	commit_write(&text, out);
	cache_put(CACHE_COMMIT, oid, text.data, text.len);
	return 0;
}

int
gitstore_tree_raw(struct db *db, struct arena *a, const struct oid *oid,
    const void **out, size_t *outlen)
{
	struct db_res *res;
	const void *raw;
	void *entries;
	size_t len;
	int rc;

	if ((raw = cache_get(CACHE_TREE, oid, &len)) == NULL) {
		if (db_exec(db, a, &res, &SQL_TREE, db_b(oid->b, OID_LEN)))
			return -1;
		if ((rc = db_row(res, db_out_b(&entries, &len))) <= 0)
			return rc < 0 ? -1 : 1;
		raw = cache_put(CACHE_TREE, oid, entries, len);
		if (raw == NULL)
			raw = entries;	/* too large to cache: arena copy */
	}
	*out = raw;
	*outlen = len;
	return 0;
}

int
gitstore_tree(struct db *db, struct arena *a, const struct oid *oid,
    struct tree *out)
{
	const void *raw;
	size_t len;
	int rc;

	if ((rc = gitstore_tree_raw(db, a, oid, &raw, &len)) != 0)
		return rc;
	return tree_parse(out, a, raw, len) == 0 ? 0 : -1;
}

int
gitstore_blob(struct db *db, struct arena *a, const struct oid *oid,
    struct blob_info *out)
{
	struct packed_blob pb;
	struct db_res *res;
	const void *cached;
	void *sha;
	size_t len;
	int64_t lfs, in_s3;
	int rc;

	out->oid = *oid;
	if ((cached = cache_get(CACHE_BLOB, oid, &len)) != NULL &&
	    len == sizeof(pb)) {
		memcpy(&pb, cached, sizeof(pb));
	} else {
		memset(&pb, 0, sizeof(pb));
		if (db_exec(db, a, &res, &SQL_BLOB, db_b(oid->b, OID_LEN)))
			return -1;
		rc = db_row(res, db_out_u(&pb.size), db_out_b(&sha, &len),
		    db_out_i(&lfs), db_out_i(&in_s3));
		if (rc <= 0)
			return rc < 0 ? -1 : 1;
		if (len != SHA256_LEN)
			return -1;
		memcpy(pb.sha256, sha, SHA256_LEN);
		pb.lfs = lfs != 0;
		pb.in_s3 = in_s3 != 0;
		cache_put(CACHE_BLOB, oid, &pb, sizeof(pb));
	}
	out->size = pb.size;
	memcpy(out->sha256, pb.sha256, SHA256_LEN);
	out->lfs = pb.lfs;
	out->in_s3 = pb.in_s3;
	return 0;
}

/* This worker's cached copy of the blob, now in S3. */
static void
cache_in_s3(const struct oid *oid)
{
	struct packed_blob pb;
	const void *cached;
	size_t len;

	if ((cached = cache_get(CACHE_BLOB, oid, &len)) == NULL ||
	    len != sizeof(pb))
		return;
	memcpy(&pb, cached, sizeof(pb));
	pb.in_s3 = 1;
	cache_update(CACHE_BLOB, oid, &pb, sizeof(pb));
}

int
gitstore_blob_in_s3(struct db *db, struct arena *a, const struct oid *oid,
    bool *in_s3)
{
	struct db_res *res;
	uint64_t size;
	void *sha;
	size_t len;
	int64_t lfs, v;
	int rc;

	if (db_exec(db, a, &res, &SQL_BLOB, db_b(oid->b, OID_LEN)))
		return -1;
	if ((rc = db_row(res, db_out_u(&size), db_out_b(&sha, &len),
	    db_out_i(&lfs), db_out_i(&v))) <= 0)
		return rc < 0 ? -1 : 1;
	if ((*in_s3 = v != 0))
		cache_in_s3(oid);
	return 0;
}

int
gitstore_set_in_s3(struct db *db, struct arena *a, const struct oid *oid)
{
	if (db_exec(db, a, NULL, &SQL_SET_IN_S3, db_b(oid->b, OID_LEN)))
		return -1;
	cache_in_s3(oid);
	return 0;
}

int
gitstore_walk(struct db *db, struct arena *a, const struct oid *root,
    const char *path, struct tree_entry *out)
{
	struct oid at = *root;
	const char *p = path;

	memset(out, 0, sizeof(*out));
	out->mode = MODE_DIR;
	out->oid = *root;
	out->name = "";
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		struct tree t;
		long i;
		int rc;

		if (out->mode != MODE_DIR)
			return 1;	/* a file where a folder must be */
		/* A tree a commit names but the store lacks is corruption:
		 * an error, not "no such path". */
		if ((rc = gitstore_tree(db, a, &at, &t)) != 0)
			return -1;
		if (n == 0 || (i = tree_find(&t, p, n)) < 0)
			return 1;
		*out = t.e[i];
		at = t.e[i].oid;
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

int
gitstore_put_blob(struct db *db, struct arena *a, const struct blob_info *b)
{
	return db_exec(db, a, NULL, &SQL_PUT_BLOB, db_b(b->oid.b, OID_LEN),
	    db_u(b->size), db_b(b->sha256, SHA256_LEN), db_i((int64_t)b->lfs),
	    db_i((int64_t)b->in_s3));
}

/* The rows of a tree with n subtrees sub[0..n), in one transaction when
 * n > 0 (no tree row without its edges): the tree first, so that a gc
 * deleting the same tree holds it before this transaction holds any
 * edge of it (else each would wait for the other). */
static int
put_tree_rows(struct db *db, struct arena *a, const struct oid *oid,
    const void *raw, size_t len, const struct oid *sub, size_t n)
{
	char hex[OID_HEX + 1];
	struct buf q;
	size_t i;

	if (db_exec(db, a, NULL, &SQL_PUT_TREE, db_b(oid->b, OID_LEN), db_b(raw,
	    len)) != 0)
		return -1;
	if (n == 0)
		return 0;
	/* 43 bytes an entry: within max_allowed_packet as the tree is */
	buf_init(&q, a);
	for (i = 0; i < n; i++) {
		oid_hex(&sub[i], hex);
		buf_printf(&q, "%s\"%s\"", i ? "," : "[", hex);
	}
	buf_addc(&q, ']');
	return db_exec(db, a, NULL, &SQL_PUT_EDGES, db_b(oid->b, OID_LEN),
	    db_s(q.data));
}

static int	oid_cmp(const void *, const void *);

/* Deadlocks of a tree's transaction retried (two writers storing the
 * same tree at once, or gc deleting what it names). */
#define TREE_TX_ATTEMPTS	8

int
gitstore_put_tree(struct db *db, struct arena *a, const struct oid *oid,
    const void *raw, size_t len)
{
	struct oid *sub;
	size_t n = 0, cap = 16, pos = 0;
	int rc, attempt;

	sub = arena_alloc(a, cap * sizeof(*sub));
	while ((rc = tree_next_subtree(raw, len, &pos, &sub[n])) == 1)
		if (++n == cap) {
			struct oid *v = arena_alloc(a, 2 * cap * sizeof(*v));

			memcpy(v, sub, n * sizeof(*v));
			sub = v;
			cap *= 2;
		}
	if (rc < 0)
		return -1;
	/* in id order: two writers of trees with shared subtrees lock
	 * their edges in one order */
	qsort(sub, n, sizeof(*sub), oid_cmp);
	if (n == 0 || db_in_transaction(db)) {
		if (put_tree_rows(db, a, oid, raw, len, sub, n) != 0)
			return -1;
	} else
		for (attempt = 1; ; attempt++) {
			if (db_begin(db) != 0)
				return -1;
			if (put_tree_rows(db, a, oid, raw, len, sub, n) == 0 &&
			    db_commit(db) == 0)
				break;
			db_rollback(db);
			if (db_errno(db) != ER_LOCK_DEADLOCK ||
			    attempt == TREE_TX_ATTEMPTS)
				return -1;
		}
	cache_put(CACHE_TREE, oid, raw, len);
	return 0;
}

int
gitstore_tag(struct db *db, struct arena *a, const struct oid *oid,
    const void **raw, size_t *len, struct tag_info *t)
{
	struct db_res *res;
	void *text;
	int rc;

	if (db_exec(db, a, &res, &SQL_TAG, db_b(oid->b, OID_LEN)))
		return -1;
	if ((rc = db_row(res, db_out_b(&text, len))) <= 0)
		return rc < 0 ? -1 : 1;
	*raw = text;
	return tag_parse(t, a, text, *len, NULL) == 0 ? 0 : -1;
}

int
gitstore_put_tag(struct db *db, struct arena *a, const struct oid *oid,
    const struct tag_info *t, const struct oid *peeled,
    const char *peeled_type, const void *raw, size_t len)
{
	if (peeled != NULL)
		return db_exec(db, a, NULL, &SQL_PUT_TAG_CHAIN, db_b(oid->b,
		    OID_LEN), db_b(t->object.b, OID_LEN), db_s(t->type),
		    db_b(raw, len), db_b(peeled->b, OID_LEN),
		    db_s(peeled_type));
	return db_exec(db, a, NULL, &SQL_PUT_TAG, db_b(oid->b, OID_LEN),
	    db_b(t->object.b, OID_LEN), db_s(t->type), db_b(raw, len));
}

/* s as a column of at most max characters of UTF-8 can hold it: the
 * columns of a commit kept raw only show it, so invalid bytes become '?'
 * and the rest is cut. */
static const char *
column_text(struct arena *a, const char *s, size_t max)
{
	size_t len = strlen(s), chars, i, n = 0;
	char *t;

	if (utf8_valid((const unsigned char *)s, len, &chars) != 0 &&
	    chars <= max)
		return s;
	t = arena_alloc(a, len + 1);
	for (i = 0; i < len && n < max; n++) {
		size_t k = 1;

		while (k < 4 && i + k < len &&
		    ((unsigned char)s[i + k] & 0xc0) == 0x80)
			k++;
		if (utf8_valid((const unsigned char *)s + i, k, &chars) != 0) {
			memcpy(t + i, s + i, k);
			i += k;
		} else
			t[i++] = '?';
	}
	t[i] = '\0';
	return t;
}

int
gitstore_put_commit(struct db *db, struct arena *a, const struct oid *oid,
    const struct commit_info *c)
{
	const char *name = c->author_name, *email = c->author_email;
	const char *message = c->message;
	const struct oid *p;
	size_t k;

	/* the parents after the first before the row: no row without them */
	for (k = 1; (p = commit_parent(c, k)) != NULL; k++)
		if (db_exec(db, a, NULL, &SQL_PUT_PARENT, db_b(oid->b, OID_LEN),
		    db_i((int64_t)k), db_b(p->b, OID_LEN)) != 0)
			return -1;
	name = column_text(a, name, 255);
	email = column_text(a, email, 255);
	message = column_text(a, message, 16000000);
	if (c->raw == NULL && (name != c->author_name ||
	    email != c->author_email || message != c->message)) {
		/* the columns cannot hold the fields: keep the text */
		struct commit_info exact = *c;
		struct buf text;

		buf_init(&text, a);
		commit_write(&text, c);
		exact.raw = text.data;
		exact.rawlen = text.len;
		return gitstore_put_commit(db, a, oid, &exact);
	}
	return db_exec(db, a, NULL, &SQL_PUT_COMMIT, db_b(oid->b, OID_LEN),
	    db_b(c->tree.b, OID_LEN), c->has_parent ? db_b(c->parent.b,
	    OID_LEN) : db_null(), db_s(name), db_s(email), db_i(c->time),
	    db_s(message), c->raw != NULL ? db_b(c->raw, c->rawlen) :
	    db_null());
}

char *
gitstore_s3_key(struct arena *a, const struct blob_info *b)
{
	char hex[2 * SHA256_LEN + 1];

	if (b->lfs) {
		hex_encode(hex, b->sha256, SHA256_LEN);
		return arena_printf(a, "lfs/%.2s/%.2s/%s", hex, hex + 2, hex);
	}
	oid_hex(&b->oid, hex);
	return arena_printf(a, "blob/%.2s/%.2s/%s", hex, hex + 2, hex);
}

uint64_t
gitstore_blob_git_size(const struct blob_info *b)
{
	struct arena a;
	struct buf p;
	uint64_t n;

	if (!b->lfs)
		return b->size;
	arena_init(&a, 256);
	buf_init(&p, &a);
	lfs_pointer(&p, b->sha256, b->size);
	n = p.len;
	arena_free(&a);
	return n;
}

int
gitstore_blob_read(struct db *db, struct s3 *s3, struct arena *a,
    const struct blob_info *b, int (*sink)(void *, const void *, size_t),
    void *arg, struct kerr *e)
{
	struct buf p;
	int rc;

	if (b->lfs) {
		/* git holds the pointer; the object itself is git-lfs's */
		buf_init(&p, a);
		lfs_pointer(&p, b->sha256, b->size);
		if (sink(arg, p.data, p.len) != 0)
			return kerr_set(e, 500, "InternalError", "Writing a "
			    "pointer stopped");
		return 0;
	}
	/* Small blobs may be only in blob_data: blobstore.c knows where. */
	if ((rc = blobstore_get(db, s3, a, b, sink, arg, e)) == -1)
		return kerr_db(e, db);
	return rc == 0 ? 0 : -1;
}

/* ---- walking a tree (gitstore_tree_walk) ---- */

char *
gitstore_path(struct arena *a, const char *dir, const struct tree_entry *e)
{
	return *dir == '\0' ? arena_strndup(a, e->name, e->namelen) :
	    arena_printf(a, "%s/%.*s", dir, (int)e->namelen, e->name);
}

/* The walk of tree (folder dir): 0 done, GS_WALK_STOP, or -1. */
static int
tree_walk_at(struct db *db, struct arena *a, const struct oid *tree,
    const char *dir,
    int (*fn)(void *, const char *, const struct tree_entry *), void *arg)
{
	struct tree t;
	size_t i;
	int rc;

	if (gitstore_tree(db, a, tree, &t) != 0)
		return -1;
	for (i = 0; i < t.n; i++) {
		const struct tree_entry *e = &t.e[i];

		if ((rc = fn(arg, dir, e)) < 0 || rc == GS_WALK_STOP)
			return rc;
		if (rc == GS_WALK_ON && e->mode == MODE_DIR &&
		    (rc = tree_walk_at(db, a, &e->oid, gitstore_path(a, dir, e),
		    fn, arg)) != 0)
			return rc;
	}
	return 0;
}

int
gitstore_tree_walk(struct db *db, struct arena *a, const struct oid *tree,
    const char *dir,
    int (*fn)(void *, const char *, const struct tree_entry *), void *arg)
{
	return tree_walk_at(db, a, tree, dir, fn, arg) < 0 ? -1 : 0;
}

/* ---- blob metadata in bulk (gitstore_blobs) ---- */

/*
 * Blob metadata for many ids in one round trip: the ids go as one JSON
 * array of hex strings, unpacked by JSON_TABLE, each looked up by the
 * primary key.
 */
static const struct db_stmt SQL_BLOBS = DB_READ("s", "bubi",
    "SELECT b.oid, b.size, b.sha256, b.lfs"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j"
    " JOIN git_blob b ON b.oid = UNHEX(j.h)");

/* Ids per query: keeps the statement's parameter under a few KiB. */
#define BLOBS_CHUNK	1000

/*
 * What blobs_query() learned goes into the worker's object cache too, in
 * its own packing under its own kind (CACHE_BLOB_META): a folder
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
	if (db_exec(db, a, &res, &SQL_BLOBS, db_s(q.data)) != 0)
		return -1;
	while ((rc = db_row(res, db_out_b(&oid, &olen), db_out_u(&size),
	    db_out_b(&sha, &slen), db_out_i(&lfs))) == 1) {
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

/* gitstore_blobs(), from the cache first when cached. */
static int
blobs(struct db *db, struct arena *a, const struct oid *oids, size_t n,
    struct blob_info *out, bool *found, bool cached)
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
		if (!cached)
			miss[nmiss++] = oids[i];
		else if (meta_get(&oids[i], &out[i]))
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

int
gitstore_blobs(struct db *db, struct arena *a, const struct oid *oids,
    size_t n, struct blob_info *out, bool *found)
{
	return blobs(db, a, oids, n, out, found, true);
}

int
gitstore_blobs_stored(struct db *db, struct arena *a, const struct oid *oids,
    size_t n, struct blob_info *out, bool *found)
{
	return blobs(db, a, oids, n, out, found, false);
}
