/*
 * gc.c: marking unreferenced objects, deleting them after their grace
 * period under the lock protocol of gc.h, and the commit's side of it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysqld_error.h>

#include "arena.h"
#include "blobstore.h"
#include "db.h"
#include "gc.h"
#include "gitobj.h"
#include "gitstore.h"
#include "hex.h"
#include "hub.h"
#include "lfs.h"
#include "log.h"
#include "s3.h"

/* Rows a page: every query below reads at most this many. */
#define PAGE	1000

/* ---- marking ---- */

/* Blob rows no repository references, in id order after a given id. */
static const struct db_stmt SQL_UNREF_BLOBS = DB_READ("b", "b",
    "SELECT b.oid FROM git_blob b WHERE b.oid > ? AND NOT EXISTS"
    " (SELECT 1 FROM repo_blob rb WHERE rb.oid = b.oid)"
    " ORDER BY b.oid LIMIT 1000");
static const struct db_stmt SQL_LFS_PAGE = DB_READ("b", "bu",
    "SELECT sha256, size FROM lfs_object WHERE sha256 > ?"
    " ORDER BY sha256 LIMIT 1000");
/* Which ids of a JSON array of hex blob ids some repository references. */
static const struct db_stmt SQL_REFERENCED = DB_READ("s", "b",
    "SELECT UNHEX(j.h) FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
    " PATH '$')) AS j WHERE EXISTS (SELECT 1 FROM repo_blob rb"
    " WHERE rb.oid = UNHEX(j.h))");
static struct db_rows mark_rows = DB_ROWS(
    "INSERT IGNORE INTO gc_mark (kind, id, ref_oid) VALUES ",
    "(?, ?, ?)", "sbb");
/* A mark whose object is referenced again is dropped: its grace starts
 * over the next time it is unreferenced. */
static const struct db_stmt SQL_UNMARK_REFERENCED = DB_WRITE("",
    "DELETE FROM gc_mark WHERE kind IN ('blob', 'lfs') AND EXISTS"
    " (SELECT 1 FROM repo_blob rb WHERE rb.oid = gc_mark.ref_oid)");
static const struct db_stmt SQL_MARKED = DB_READ("", "u",
    "SELECT COUNT(*) FROM gc_mark");

/* ---- sweeping ---- */

static const struct db_stmt SQL_DUE = DB_READ("sbi", "bb",
    "SELECT id, ref_oid FROM gc_mark WHERE kind = ? AND id > ?"
    " AND since <= NOW(3) - INTERVAL ? SECOND ORDER BY id LIMIT 1000");
static const struct db_stmt SQL_BLOB_LOCK = DB_READ("b", "uii",
    "SELECT size, lfs, in_s3 FROM git_blob WHERE oid = ? FOR UPDATE");
static const struct db_stmt SQL_LFS_LOCK = DB_READ("b", "u",
    "SELECT size FROM lfs_object WHERE sha256 = ? FOR UPDATE");
/* A locking read: a commit adding the reference waits for this
 * transaction, or this one sees its row. */
static const struct db_stmt SQL_REF_LOCK = DB_READ("b", "i",
    "SELECT 1 FROM repo_blob WHERE oid = ? LIMIT 1 LOCK IN SHARE MODE");
static const struct db_stmt SQL_BLOB_READ = DB_READ("b", "uii",
    "SELECT size, lfs, in_s3 FROM git_blob b WHERE oid = ? AND NOT EXISTS"
    " (SELECT 1 FROM repo_blob rb WHERE rb.oid = b.oid)");
static const struct db_stmt SQL_LFS_READ = DB_READ("bb", "u",
    "SELECT size FROM lfs_object WHERE sha256 = ? AND NOT EXISTS"
    " (SELECT 1 FROM repo_blob rb WHERE rb.oid = ?)");
static const struct db_stmt SQL_DEL_BLOB_DATA = DB_WRITE("b",
    "DELETE FROM blob_data WHERE oid = ?");
static const struct db_stmt SQL_DEL_BLOB = DB_WRITE("b",
    "DELETE FROM git_blob WHERE oid = ?");
static const struct db_stmt SQL_DEL_PROOFS = DB_WRITE("b",
    "DELETE FROM lfs_proof WHERE sha256 = ?");
static const struct db_stmt SQL_DEL_LFS = DB_WRITE("b",
    "DELETE FROM lfs_object WHERE sha256 = ?");
static const struct db_stmt SQL_DEL_MARK = DB_WRITE("sb",
    "DELETE FROM gc_mark WHERE kind = ? AND id = ?");

static const struct db_stmt SQL_OLD_UPLOADS = DB_READ("si", "sbui",
    "SELECT upload_id, sha256, size, repo_id FROM lfs_upload"
    " WHERE upload_id > ? AND created_at <= NOW(3) - INTERVAL ? SECOND"
    " ORDER BY upload_id LIMIT 1000");
static const struct db_stmt SQL_DEL_UPLOAD = DB_WRITE("s",
    "DELETE FROM lfs_upload WHERE upload_id = ?");

/* Which ids of a JSON array of hex ids (blob ids, sha256s) have a row:
 * keys under blob/ and lfs/ that have none are orphans. */
static const struct db_stmt SQL_HAVE_BLOB = DB_READ("s", "b",
    "SELECT b.oid FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
    " PATH '$')) AS j JOIN git_blob b ON b.oid = UNHEX(j.h)");
static const struct db_stmt SQL_HAVE_LFS = DB_READ("s", "b",
    "SELECT l.sha256 FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(64)"
    " PATH '$')) AS j JOIN lfs_object l ON l.sha256 = UNHEX(j.h)");
/* Locking reads of an orphan's row: none, and none can be inserted
 * (a gap lock) until the transaction deleting its bytes ends. */
static const struct db_stmt SQL_ORPHAN_BLOB_LOCK = DB_READ("b", "i",
    "SELECT 1 FROM git_blob WHERE oid = ? FOR UPDATE");
static const struct db_stmt SQL_ORPHAN_LFS_LOCK = DB_READ("b", "i",
    "SELECT 1 FROM lfs_object WHERE sha256 = ? FOR UPDATE");
/* The key's tombstone, in the same transaction: committed after the
 * DELETE, before any row the lock above held back (sql/014). */
static const struct db_stmt SQL_TOMBSTONE = DB_WRITE("s",
    "INSERT INTO gc_orphan (s3_key) VALUES (?)"
    " ON DUPLICATE KEY UPDATE deleted_at = CURRENT_TIMESTAMP(3)");
static const struct db_stmt SQL_PRUNE_TOMBSTONES = DB_WRITE("",
    "DELETE FROM gc_orphan WHERE deleted_at < NOW(3) - INTERVAL 1 DAY");

/* ---- the writers' side ---- */

/* Which keys of a JSON array (their positions, from 1) have a tombstone. */
static const struct db_stmt SQL_TOMBSTONED = DB_READ("s", "i",
    "SELECT j.i FROM JSON_TABLE(?, '$[*]' COLUMNS (i FOR ORDINALITY,"
    " k VARCHAR(200) PATH '$')) AS j"
    " JOIN gc_orphan o ON o.s3_key = CAST(j.k AS BINARY)");

static const struct db_stmt SQL_HOLD = DB_READ("s", "uu",
    "SELECT COUNT(*), CAST(COALESCE(SUM(b.lfs = 1 AND l.sha256 IS NULL), 0)"
    " AS UNSIGNED)"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j"
    " JOIN git_blob b ON b.oid = UNHEX(j.h)"
    " LEFT JOIN lfs_object l ON b.lfs = 1 AND l.sha256 = b.sha256"
    " LOCK IN SHARE MODE");

/* The same for a mirror's copy: an LFS file's object may not be here yet
 * (in_s3 = 0 until its fill, mirror_fill.c), and is not owed. */
static const struct db_stmt SQL_HOLD_COPY = DB_READ("s", "uu",
    "SELECT COUNT(*), CAST(COALESCE(SUM(b.lfs = 1 AND b.in_s3 = 1 AND"
    " l.sha256 IS NULL), 0) AS UNSIGNED)"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j"
    " JOIN git_blob b ON b.oid = UNHEX(j.h)"
    " LEFT JOIN lfs_object l ON b.lfs = 1 AND l.sha256 = b.sha256"
    " LOCK IN SHARE MODE");

/* ---- git objects (gc.h "Git objects") ---- */

static const struct db_stmt SQL_EDGES_STATE = DB_READ("", "bi",
    "SELECT last, done FROM gc_state WHERE name = 'tree-edges'");
/* Trees a page for their edges: a tree may be megabytes. */
#define EDGE_PAGE	100
static const struct db_stmt SQL_EDGES_PAGE = DB_READ("b", "bb",
    "SELECT oid, entries FROM git_tree WHERE oid > ? ORDER BY oid LIMIT 100");
static const struct db_stmt SQL_EDGES_SAVE = DB_WRITE("bi",
    "UPDATE gc_state SET last = ?, done = ? WHERE name = 'tree-edges'");
static struct db_rows edge_rows = DB_ROWS(
    "INSERT IGNORE INTO git_tree_edge (child, parent) VALUES ",
    "(?, ?)", "bb");
/* The rows nothing names, in id order after a given id. */
static const struct db_stmt SQL_UNREF_COMMITS = DB_READ("b", "b",
    "SELECT c.oid FROM git_commit c WHERE c.oid > ?"
    " AND NOT EXISTS (SELECT 1 FROM repo_commit r WHERE r.oid = c.oid)"
    " AND NOT EXISTS (SELECT 1 FROM git_commit k WHERE k.parent = c.oid)"
    " AND NOT EXISTS (SELECT 1 FROM git_commit_parent p"
    "  WHERE p.parent = c.oid)"
    " AND NOT EXISTS (SELECT 1 FROM git_tag g WHERE g.object = c.oid)"
    " AND NOT EXISTS (SELECT 1 FROM ref f WHERE f.target = c.oid)"
    " ORDER BY c.oid LIMIT 1000");
static const struct db_stmt SQL_UNREF_TREES = DB_READ("b", "b",
    "SELECT t.oid FROM git_tree t WHERE t.oid > ?"
    " AND NOT EXISTS (SELECT 1 FROM git_tree_edge e WHERE e.child = t.oid)"
    " AND NOT EXISTS (SELECT 1 FROM git_commit c WHERE c.tree = t.oid)"
    " AND NOT EXISTS (SELECT 1 FROM git_tag g WHERE g.object = t.oid)"
    " ORDER BY t.oid LIMIT 1000");
static const struct db_stmt SQL_UNREF_TAGS = DB_READ("b", "b",
    "SELECT t.oid FROM git_tag t WHERE t.oid > ?"
    " AND NOT EXISTS (SELECT 1 FROM ref f WHERE f.target = t.oid)"
    " AND NOT EXISTS (SELECT 1 FROM git_tag g WHERE g.object = t.oid)"
    " ORDER BY t.oid LIMIT 1000");
/* Marks of git objects named again since. */
static const struct db_stmt SQL_UNMARK_GIT = DB_WRITE("",
    "DELETE FROM gc_mark WHERE (kind = 'commit' AND (EXISTS (SELECT 1"
    " FROM repo_commit r WHERE r.oid = gc_mark.id) OR EXISTS (SELECT 1"
    " FROM git_commit k WHERE k.parent = gc_mark.id) OR EXISTS (SELECT 1"
    " FROM git_commit_parent p WHERE p.parent = gc_mark.id)))"
    " OR (kind = 'tree' AND (EXISTS (SELECT 1 FROM git_tree_edge e"
    " WHERE e.child = gc_mark.id) OR EXISTS (SELECT 1 FROM git_commit c"
    " WHERE c.tree = gc_mark.id)))"
    " OR (kind IN ('commit', 'tree', 'tag') AND (EXISTS (SELECT 1"
    " FROM git_tag g WHERE g.object = gc_mark.id) OR EXISTS (SELECT 1"
    " FROM ref f WHERE f.target = gc_mark.id)))");
/* A row to delete, held exclusively, with what it names and its bytes. */
static const struct db_stmt SQL_TREE_LOCK = DB_READ("b", "b",
    "SELECT entries FROM git_tree WHERE oid = ? FOR UPDATE");
static const struct db_stmt SQL_COMMIT_LOCK = DB_READ("b", "bbu",
    "SELECT tree, parent, OCTET_LENGTH(author_name) +"
    " OCTET_LENGTH(author_email) + OCTET_LENGTH(message) +"
    " COALESCE(OCTET_LENGTH(raw), 0) FROM git_commit WHERE oid = ?"
    " FOR UPDATE");
static const struct db_stmt SQL_COMMIT_MORE = DB_READ("b", "b",
    "SELECT parent FROM git_commit_parent WHERE oid = ? ORDER BY n");
static const struct db_stmt SQL_TAG_LOCK = DB_READ("b", "bsu",
    "SELECT object, type, OCTET_LENGTH(raw) FROM git_tag WHERE oid = ?"
    " FOR UPDATE");
/* The locking reads of what names a row, by kind (NULL ends a list);
 * each takes one id. */
static const struct db_stmt names_commit[] = {
	DB_READ("b", "i",
	    "SELECT 1 FROM repo_commit WHERE oid = ? LIMIT 1 LOCK IN SHARE"
	    " MODE"),
	DB_READ("b", "i",
	    "SELECT 1 FROM git_commit WHERE parent = ? LIMIT 1 LOCK IN SHARE"
	    " MODE"),
	DB_READ("b", "i",
	    "SELECT 1 FROM git_commit_parent WHERE parent = ? LIMIT 1 LOCK IN"
	    " SHARE MODE"),
	DB_READ("b", "i",
	    "SELECT 1 FROM git_tag WHERE object = ? LIMIT 1 LOCK IN SHARE MODE"),
	DB_READ("b", "i",
	    "SELECT 1 FROM ref WHERE target = ? LIMIT 1 LOCK IN SHARE MODE"),
	{ NULL, NULL, NULL, false }
};
static const struct db_stmt names_tree[] = {
	DB_READ("b", "i",
	    "SELECT 1 FROM git_tree_edge WHERE child = ? LIMIT 1 LOCK IN SHARE"
	    " MODE"),
	DB_READ("b", "i",
	    "SELECT 1 FROM git_commit WHERE tree = ? LIMIT 1 LOCK IN SHARE"
	    " MODE"),
	DB_READ("b", "i",
	    "SELECT 1 FROM git_tag WHERE object = ? LIMIT 1 LOCK IN SHARE MODE"),
	{ NULL, NULL, NULL, false }
};
static const struct db_stmt names_tag[] = {
	DB_READ("b", "i",
	    "SELECT 1 FROM ref WHERE target = ? LIMIT 1 LOCK IN SHARE MODE"),
	DB_READ("b", "i",
	    "SELECT 1 FROM git_tag WHERE object = ? LIMIT 1 LOCK IN SHARE MODE"),
	{ NULL, NULL, NULL, false }
};
/* For a dry run: what names a row (up to REFERRERS of each), plain reads;
 * a row is reported when only rows reported before name it. A ref or a
 * repo_commit row names it for good (the id itself comes back). */
#define REFERRERS	100
static const struct db_stmt who_commit[] = {
	DB_READ("b", "b",
	    "SELECT oid FROM repo_commit WHERE oid = ? LIMIT 1"),
	DB_READ("b", "b",
	    "SELECT oid FROM git_commit WHERE parent = ? LIMIT 101"),
	DB_READ("b", "b",
	    "SELECT oid FROM git_commit_parent WHERE parent = ? LIMIT 101"),
	DB_READ("b", "b",
	    "SELECT oid FROM git_tag WHERE object = ? LIMIT 101"),
	DB_READ("b", "b",
	    "SELECT target FROM ref WHERE target = ? LIMIT 1"),
	{ NULL, NULL, NULL, false }
};
static const struct db_stmt who_tree[] = {
	DB_READ("b", "b",
	    "SELECT parent FROM git_tree_edge WHERE child = ? LIMIT 101"),
	DB_READ("b", "b",
	    "SELECT oid FROM git_commit WHERE tree = ? LIMIT 101"),
	DB_READ("b", "b",
	    "SELECT oid FROM git_tag WHERE object = ? LIMIT 101"),
	{ NULL, NULL, NULL, false }
};
static const struct db_stmt who_tag[] = {
	DB_READ("b", "b",
	    "SELECT target FROM ref WHERE target = ? LIMIT 1"),
	DB_READ("b", "b",
	    "SELECT oid FROM git_tag WHERE object = ? LIMIT 101"),
	{ NULL, NULL, NULL, false }
};
static const struct db_stmt SQL_TREE_READ = DB_READ("b", "b",
    "SELECT entries FROM git_tree WHERE oid = ?");
static const struct db_stmt SQL_COMMIT_READ = DB_READ("b", "bbu",
    "SELECT tree, parent, OCTET_LENGTH(author_name) +"
    " OCTET_LENGTH(author_email) + OCTET_LENGTH(message) +"
    " COALESCE(OCTET_LENGTH(raw), 0) FROM git_commit WHERE oid = ?");
static const struct db_stmt SQL_TAG_READ = DB_READ("b", "bsu",
    "SELECT object, type, OCTET_LENGTH(raw) FROM git_tag WHERE oid = ?");
static const struct db_stmt SQL_DEL_EDGES = DB_WRITE("b",
    "DELETE FROM git_tree_edge WHERE parent = ?");
static const struct db_stmt SQL_DEL_TREE = DB_WRITE("b",
    "DELETE FROM git_tree WHERE oid = ?");
static const struct db_stmt SQL_DEL_PARENTS = DB_WRITE("b",
    "DELETE FROM git_commit_parent WHERE oid = ?");
static const struct db_stmt SQL_DEL_COMMIT = DB_WRITE("b",
    "DELETE FROM git_commit WHERE oid = ?");
static const struct db_stmt SQL_DEL_TAG = DB_WRITE("b",
    "DELETE FROM git_tag WHERE oid = ?");
/* What a row named, left for the next run when the run's list is full:
 * marked as old as the row that named it. */
static const struct db_stmt SQL_MARK_AT = DB_WRITE("sbbi",
    "INSERT IGNORE INTO gc_mark (kind, id, ref_oid, since) VALUES"
    " (?, ?, ?, NOW(3) - INTERVAL ? SECOND)");
/* Objects a run deletes after what named them, at most (then the next
 * run goes on). */
#define CASCADE_MAX	(1024 * 1024)

/* Ids a statement of the writers' hold: a commit to the root of a wide
 * tree holds each of its subtrees, in one statement (430 KiB). */
#define HOLD_PAGE	10000
/* The writers' hold, by table (gc_git.v[]). */
static const struct db_stmt SQL_HOLD_GIT[3] = {
	DB_READ("s", "u",
	    "SELECT COUNT(*) FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
	    " PATH '$')) AS j JOIN git_tree t ON t.oid = UNHEX(j.h) LOCK IN"
	    " SHARE MODE"),
	DB_READ("s", "u",
	    "SELECT COUNT(*) FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
	    " PATH '$')) AS j JOIN git_commit t ON t.oid = UNHEX(j.h) LOCK IN"
	    " SHARE MODE"),
	DB_READ("s", "u",
	    "SELECT COUNT(*) FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
	    " PATH '$')) AS j JOIN git_tag t ON t.oid = UNHEX(j.h) LOCK IN"
	    " SHARE MODE")
};

/* S3 prefixes of keys that are garbage once old: staged uploads never
 * verified, and copies a verification left behind (lfs.c). */
static const char *const stale_prefixes[] = { S3_UPLOAD_PREFIX,
    "lfs-verify/" };

/* One run's state. */
struct run {
	const struct dctx	*x;
	const struct gc_opts	*o;
	struct gc_stats		*st;
	struct kerr		*e;
	struct db		*db;
	struct arena		 a;	/* reset a page */
};

static void
found(struct run *g, const char *what, const char *key, uint64_t bytes)
{
	g->st->objects++;
	g->st->bytes += bytes;
	if (g->o->report != NULL)
		g->o->report(g->o->arg, what, key, bytes);
}

static int
dberr(struct run *g)
{
	if (db_in_transaction(g->db))
		db_rollback(g->db);
	return kerr_db(g->e, g->db);
}

/*
 * Whether the object whose sweep just failed lost a deadlock to a writer
 * (a commit or a mirror's copy taking its rows): it is left for the next
 * run, which decides again, and this one goes on. Nothing of it was
 * deleted: its bytes go only after its rows (sweep_blob()).
 */
static bool
busy(struct run *g)
{
	if (db_errno(g->db) != ER_LOCK_DEADLOCK)
		return false;
	log_info("gc: an object in use by a writer is left for the next run");
	memset(g->e, 0, sizeof(*g->e));
	return true;
}

static int
s3err(struct run *g, const char *key)
{
	if (db_in_transaction(g->db))
		db_rollback(g->db);
	kerr_set(g->e, 503, "ServiceUnavailable", "S3: cannot delete %s: %s",
	    key, s3_errmsg(g->x->hub->s3));
	g->e->hidden = true;
	return -1;
}

/* Records marks for n objects (ids of idlen bytes), kind "blob"/"lfs". */
static int
mark(struct run *g, const char *kind, const unsigned char *ids,
    size_t idlen, const struct oid *refs, size_t n)
{
	struct db_param *ps;
	size_t i;

	if (n == 0)
		return 0;
	ps = arena_zalloc(&g->a, 3 * n * sizeof(*ps));
	for (i = 0; i < n; i++) {
		ps[3 * i] = db_s(kind);
		ps[3 * i + 1] = db_b(ids + i * idlen, idlen);
		ps[3 * i + 2] = db_b(refs[i].b, OID_LEN);
	}
	return db_exec_rows(g->db, &g->a, &mark_rows, ps, n);
}

/* Marks every blob row no repository references. */
static int
mark_blobs(struct run *g)
{
	unsigned char last[OID_LEN], *ids;
	struct oid *refs;
	size_t lastlen = 0, n, len;
	struct db_res *res;
	void *oid;
	int rc;

	do {
		arena_reset(&g->a);
		ids = arena_alloc(&g->a, PAGE * OID_LEN);
		refs = arena_alloc(&g->a, PAGE * sizeof(*refs));
		if (db_exec(g->db, &g->a, &res, &SQL_UNREF_BLOBS, db_b(last,
		    lastlen)) != 0)
			return dberr(g);
		n = 0;
		while ((rc = db_row(res, db_out_b(&oid, &len))) == 1) {
			if (len != OID_LEN || n == PAGE)
				continue;
			memcpy(ids + n * OID_LEN, oid, OID_LEN);
			memcpy(refs[n].b, oid, OID_LEN);
			n++;
		}
		if (rc < 0 || mark(g, "blob", ids, OID_LEN, refs, n) != 0)
			return dberr(g);
		if (n > 0) {
			memcpy(last, ids + (n - 1) * OID_LEN, OID_LEN);
			lastlen = OID_LEN;
		}
	} while (n == PAGE);
	return 0;
}

/* The id of the pointer blob of an LFS object. */
static void
pointer_oid(struct arena *a, const unsigned char *sha256, uint64_t size,
    struct oid *out)
{
	struct buf p;

	buf_init(&p, a);
	lfs_pointer(&p, sha256, size);
	git_blob_oid(out, p.data, p.len);
}

static int
cmp_oid(const void *x, const void *y)
{
	return memcmp(x, y, OID_LEN);
}

/* Marks every LFS object whose pointer no repository references. */
static int
mark_lfs(struct run *g)
{
	unsigned char last[SHA256_LEN], *shas, *keep;
	struct oid *ptrs, *hit, *kref;
	size_t lastlen = 0, n, i, k, len;
	struct db_res *res;
	struct buf q;
	uint64_t size;
	void *p;
	int rc;

	do {
		arena_reset(&g->a);
		shas = arena_alloc(&g->a, PAGE * SHA256_LEN);
		ptrs = arena_alloc(&g->a, PAGE * sizeof(*ptrs));
		if (db_exec(g->db, &g->a, &res, &SQL_LFS_PAGE, db_b(last,
		    lastlen)) != 0)
			return dberr(g);
		n = 0;
		while ((rc = db_row(res, db_out_b(&p, &len),
		    db_out_u(&size))) == 1) {
			if (len != SHA256_LEN || n == PAGE)
				continue;
			memcpy(shas + n * SHA256_LEN, p, SHA256_LEN);
			pointer_oid(&g->a, p, size, &ptrs[n]);
			n++;
		}
		if (rc < 0)
			return dberr(g);
		if (n == 0)
			break;
		memcpy(last, shas + (n - 1) * SHA256_LEN, SHA256_LEN);
		lastlen = SHA256_LEN;

		/* which pointers are referenced: not marked */
		buf_init(&q, &g->a);
		buf_addc(&q, '[');
		for (i = 0; i < n; i++) {
			char hex[OID_HEX + 1];

			oid_hex(&ptrs[i], hex);
			buf_printf(&q, "%s\"%s\"", i ? "," : "", hex);
		}
		buf_addc(&q, ']');
		if (db_exec(g->db, &g->a, &res, &SQL_REFERENCED,
		    db_s(q.data)) != 0)
			return dberr(g);
		hit = arena_alloc(&g->a, PAGE * sizeof(*hit));
		k = 0;
		while ((rc = db_row(res, db_out_b(&p, &len))) == 1)
			if (len == OID_LEN && k < PAGE)
				memcpy(hit[k++].b, p, OID_LEN);
		if (rc < 0)
			return dberr(g);
		qsort(hit, k, sizeof(*hit), cmp_oid);
		keep = arena_alloc(&g->a, PAGE * SHA256_LEN);
		kref = arena_alloc(&g->a, PAGE * sizeof(*kref));
		for (i = 0, len = 0; i < n; i++) {
			if (bsearch(&ptrs[i], hit, k, sizeof(*hit),
			    cmp_oid) != NULL)
				continue;
			memcpy(keep + len * SHA256_LEN,
			    shas + i * SHA256_LEN, SHA256_LEN);
			kref[len++] = ptrs[i];
		}
		if (mark(g, "lfs", keep, SHA256_LEN, kref, len) != 0)
			return dberr(g);
	} while (n == PAGE);
	return 0;
}

/* The locking read of gc.h: whether some repository references ref. */
static int
referenced(struct run *g, const struct oid *ref)
{
	struct db_res *res;
	int64_t one;
	int rc;

	if (db_exec(g->db, &g->a, &res, &SQL_REF_LOCK, db_b(ref->b, OID_LEN)) !=
	    0 || (rc = db_row(res, db_out_i(&one))) < 0)
		return -1;
	db_done(res);
	return rc;
}

static int
unmark(struct run *g, const char *kind, const void *id, size_t idlen)
{
	return db_exec(g->db, &g->a, NULL, &SQL_DEL_MARK, db_s(kind),
	    db_b(id, idlen));
}

/*
 * Whether a blob is small (blobstore.h): its bytes are in blob_data, and
 * its S3 copy, made by a first download, is kept. A worker may have cached
 * that the blob is in S3 (in_s3 only ever goes from 0 to 1 there); were
 * the same bytes committed again, their new row would start at 0 and that
 * worker would redirect to the copy, which must then exist. At most 4 KiB
 * each, and used again by the next download of that content.
 */
static bool
small(const struct blob_info *b, int64_t lfs)
{
	return blobstore_is_small(lfs != 0, b->size);
}

/* Deletes one marked blob row (and its bytes) if still unreferenced. */
static int
sweep_blob(struct run *g, const struct oid *oid)
{
	struct blob_info b;
	int64_t lfs, in_s3;
	struct db_res *res;
	const char *what;
	char *key, hex[OID_HEX + 1];
	int rc;

	memset(&b, 0, sizeof(b));
	b.oid = *oid;
	oid_hex(oid, hex);
	if (g->o->dry_run) {
		if (db_exec(g->db, &g->a, &res, &SQL_BLOB_READ, db_b(oid->b,
		    OID_LEN)) != 0 ||
		    (rc = db_row(res, db_out_u(&b.size), db_out_i(&lfs),
		    db_out_i(&in_s3))) < 0)
			return dberr(g);
		db_done(res);
		if (rc == 1)
			found(g, lfs ? "lfs-pointer" : small(&b, lfs) ?
			    "small-blob" : "blob", lfs || small(&b, lfs) ? hex :
			    gitstore_s3_key(&g->a, &b), lfs ? 0 : b.size);
		return 0;
	}
	if (db_begin(g->db) != 0 ||
	    db_exec(g->db, &g->a, &res, &SQL_BLOB_LOCK, db_b(oid->b,
	    OID_LEN)) != 0 ||
	    (rc = db_row(res, db_out_u(&b.size), db_out_i(&lfs),
	    db_out_i(&in_s3))) < 0)
		return dberr(g);
	db_done(res);
	if (rc == 1 && (rc = referenced(g, oid)) < 0)
		return dberr(g);
	if (rc == 1) {	/* gone, or referenced again: only the mark goes */
		if (unmark(g, "blob", oid->b, OID_LEN) != 0 ||
		    db_commit(g->db) != 0)
			return dberr(g);
		return 0;
	}
	what = lfs ? "lfs-pointer" : small(&b, lfs) ? "small-blob" : "blob";
	key = hex;
	/* The rows first: a deadlock with a writer taking them (busy())
	 * rolls back before any byte is gone. */
	if (db_exec(g->db, &g->a, NULL, &SQL_DEL_BLOB_DATA, db_b(oid->b,
	    OID_LEN)) != 0 ||
	    db_exec(g->db, &g->a, NULL, &SQL_DEL_BLOB, db_b(oid->b,
	    OID_LEN)) != 0 ||
	    unmark(g, "blob", oid->b, OID_LEN) != 0)
		return dberr(g);
	if (!lfs && in_s3 && !small(&b, lfs)) {
		/* Then the bytes, while the row's lock is held: a commit
		 * that finds the row stored no bytes of its own. */
		key = gitstore_s3_key(&g->a, &b);
		if ((rc = s3_delete(g->x->hub->s3, key)) != S3_OK &&
		    rc != S3_NOTFOUND)
			return s3err(g, key);
	}
	if (db_commit(g->db) != 0)
		return dberr(g);
	found(g, what, key, lfs ? 0 : b.size);
	return 0;
}

/* Deletes one marked LFS object (bytes, proofs, row) if still
 * unreferenced. */
static int
sweep_lfs(struct run *g, const unsigned char *sha256, const struct oid *ptr)
{
	struct db_res *res;
	uint64_t size;
	char *key = lfs_object_key(&g->a, sha256);
	int rc;

	if (g->o->dry_run) {
		if (db_exec(g->db, &g->a, &res, &SQL_LFS_READ, db_b(sha256,
		    SHA256_LEN), db_b(ptr->b, OID_LEN)) != 0 ||
		    (rc = db_row(res, db_out_u(&size))) < 0)
			return dberr(g);
		db_done(res);
		if (rc == 1)
			found(g, "lfs", key, size);
		return 0;
	}
	if (db_begin(g->db) != 0 ||
	    db_exec(g->db, &g->a, &res, &SQL_LFS_LOCK, db_b(sha256,
	    SHA256_LEN)) != 0 || (rc = db_row(res, db_out_u(&size))) < 0)
		return dberr(g);
	db_done(res);
	if (rc == 1 && (rc = referenced(g, ptr)) < 0)
		return dberr(g);
	if (rc == 1) {
		if (unmark(g, "lfs", sha256, SHA256_LEN) != 0 ||
		    db_commit(g->db) != 0)
			return dberr(g);
		return 0;
	}
	/* the rows, then the bytes (as sweep_blob()) */
	if (db_exec(g->db, &g->a, NULL, &SQL_DEL_PROOFS, db_b(sha256,
	    SHA256_LEN)) != 0 ||
	    db_exec(g->db, &g->a, NULL, &SQL_DEL_LFS, db_b(sha256,
	    SHA256_LEN)) != 0 ||
	    unmark(g, "lfs", sha256, SHA256_LEN) != 0)
		return dberr(g);
	if ((rc = s3_delete(g->x->hub->s3, key)) != S3_OK && rc != S3_NOTFOUND)
		return s3err(g, key);
	if (db_commit(g->db) != 0)
		return dberr(g);
	found(g, "lfs", key, size);
	return 0;
}

/* Sweeps every mark of kind whose grace has run out. */
static int
sweep(struct run *g, const char *kind)
{
	struct { unsigned char id[SHA256_LEN]; size_t len; struct oid ref; }
	    *due;
	unsigned char last[SHA256_LEN];
	size_t lastlen = 0, n, i, len, rlen;
	struct db_res *res;
	void *id, *ref;
	int rc;

	do {
		arena_reset(&g->a);
		due = arena_alloc(&g->a, PAGE * sizeof(*due));
		if (db_exec(g->db, &g->a, &res, &SQL_DUE, db_s(kind), db_b(last,
		    lastlen), db_i(g->o->grace)) != 0)
			return dberr(g);
		n = 0;
		while ((rc = db_row(res, db_out_b(&id, &len), db_out_b(&ref,
		    &rlen))) == 1) {
			if (len > SHA256_LEN || rlen != OID_LEN || n == PAGE)
				continue;
			memcpy(due[n].id, id, len);
			due[n].len = len;
			memcpy(due[n].ref.b, ref, OID_LEN);
			n++;
		}
		if (rc < 0)
			return dberr(g);
		for (i = 0; i < n; i++) {
			if (kind[0] == 'b' && due[i].len == OID_LEN)
				rc = sweep_blob(g, &due[i].ref);
			else if (kind[0] == 'l' && due[i].len == SHA256_LEN)
				rc = sweep_lfs(g, due[i].id, &due[i].ref);
			else
				rc = 0;
			if (rc != 0 && !busy(g))
				return -1;
		}
		if (n > 0) {
			memcpy(last, due[n - 1].id, due[n - 1].len);
			lastlen = due[n - 1].len;
		}
	} while (n == PAGE);
	return 0;
}

/* Aborts the multipart uploads begun more than the grace period ago. */
static int
sweep_uploads(struct run *g)
{
	char *last = arena_strdup(&g->a, ""), *id, *key;
	unsigned char sha[SHA256_LEN];
	struct db_res *res;
	void *p;
	size_t len, n;
	uint64_t size;
	int64_t repo_id;
	int rc;

	do {
		if (db_exec(g->db, &g->a, &res, &SQL_OLD_UPLOADS, db_s(last),
		    db_i(g->o->grace)) != 0)
			return dberr(g);
		n = 0;
		while ((rc = db_row(res, db_out_s(&id), db_out_b(&p, &len),
		    db_out_u(&size), db_out_i(&repo_id))) == 1) {
			n++;
			last = id;
			if (len != SHA256_LEN)
				continue;
			memcpy(sha, p, SHA256_LEN);
			key = lfs_staging_key(&g->a, repo_id, sha, size);
			if (!g->o->dry_run) {
				rc = s3_multipart_abort(g->x->hub->s3, key, id);
				if (rc != S3_OK && rc != S3_NOTFOUND)
					return s3err(g, key);
				if (db_exec(g->db, &g->a, NULL, &SQL_DEL_UPLOAD,
				    db_s(id)) != 0)
					return dberr(g);
			}
			found(g, "multipart", key, size);
		}
		if (rc < 0)
			return dberr(g);
		/* the rows read are in the arena: keep the last id */
		last = arena_strdup(&g->a, last);
	} while (n == PAGE);
	return 0;
}

/*
 * The S3 keys of content (blob/ab/cd/<blob id>, lfs/ab/cd/<sha256>) that
 * no row names and that were not written for the grace period: bytes a
 * commit stored and never recorded (it failed, or S3 answered after khub
 * gave up on it), a copy whose row was never written. Each is deleted in
 * a transaction holding its row's absence (a gap lock: a writer's row
 * waits), after a HEAD that finds it still as old: a writer that stored
 * the same bytes again before the HEAD is seen there and wins. One that
 * stores them between the HEAD and the DELETE loses them, but its rows
 * wait for this transaction, which leaves the key's tombstone
 * (gc_orphan): the writer reads it once its rows are committed and stores
 * the bytes again (gc_store_again()). LFS verifications HEAD their object
 * after its row in any case (lfs.c).
 */
struct orphan {
	char		*key;
	uint64_t	 size;
	unsigned char	 id[SHA256_LEN];
};

/* Whether key is one of khub's content keys under prefix: its id. */
static bool
content_key(const char *key, const char *prefix, size_t idlen,
    unsigned char *id)
{
	size_t pl = strlen(prefix), hl = 2 * idlen;
	char hex[2 * SHA256_LEN + 1];
	const char *h;

	if (strncmp(key, prefix, pl) != 0 || strlen(key) != pl + 6 + hl ||
	    key[pl + 2] != '/' || key[pl + 5] != '/')
		return false;
	h = key + pl + 6;
	if (strncmp(key + pl, h, 2) != 0 || strncmp(key + pl + 3, h + 2, 2) ||
	    hex_decode(id, idlen, h, hl) != 0)
		return false;
	/* exactly as khub writes it: lower-case hex */
	hex_encode(hex, id, idlen);
	return memcmp(hex, h, hl) == 0;
}

static int
sweep_orphan(struct run *g, const struct orphan *o, bool lfs, time_t before)
{
	size_t idlen = lfs ? SHA256_LEN : OID_LEN;
	struct s3_stat st;
	struct db_res *res;
	int64_t one;
	int rc;

	if (g->o->dry_run) {
		found(g, "orphan", o->key, o->size);
		return 0;
	}
	if (db_begin(g->db) != 0 || db_exec(g->db, &g->a, &res, lfs ?
	    &SQL_ORPHAN_LFS_LOCK : &SQL_ORPHAN_BLOB_LOCK, db_b(o->id,
	    idlen)) != 0 ||
	    (rc = db_row(res, db_out_i(&one))) < 0)
		return dberr(g);
	db_done(res);
	if (rc == 1)	/* recorded since the listing */
		return db_commit(g->db) != 0 ? dberr(g) : 0;
	if ((rc = s3_head(g->x->hub->s3, o->key, &st)) == S3_NOTFOUND)
		return db_commit(g->db) != 0 ? dberr(g) : 0;
	if (rc != S3_OK)
		return s3err(g, o->key);
	if (st.modified == 0 || st.modified > before)	/* written again */
		return db_commit(g->db) != 0 ? dberr(g) : 0;
	if (db_exec(g->db, &g->a, NULL, &SQL_TOMBSTONE, db_s(o->key)) != 0)
		return dberr(g);
	/* the tombstone stays even when S3 failed: it may have deleted */
	rc = s3_delete(g->x->hub->s3, o->key);
	if (db_commit(g->db) != 0)
		return dberr(g);
	if (rc != S3_OK && rc != S3_NOTFOUND)
		return s3err(g, o->key);
	found(g, "orphan", o->key, st.size);
	return 0;
}

/*
 * Calls page(g, entries, n, arg) for each page of the keys under prefix,
 * in g's arena (reset a page); -1 as soon as S3 or page fails (page sets
 * g->e), else 0.
 */
static int
list_pages(struct run *g, const char *prefix,
    int (*page)(struct run *, const struct s3_entry *, size_t, void *),
    void *arg)
{
	struct s3_entry *e;
	char *token = NULL, *next;
	size_t n;
	int rc;

	do {
		/* the token outlives the page's arena */
		arena_reset(&g->a);
		rc = s3_list_page(g->x->hub->s3, &g->a, prefix, token, &e, &n,
		    &next);
		free(token);
		token = NULL;
		if (rc == S3_OK && next != NULL && (token = strdup(next)) == NULL)
			rc = S3_ERROR;
		if (rc != S3_OK) {
			kerr_set(g->e, 503, "ServiceUnavailable", "S3: cannot "
			    "list %s: %s", prefix, s3_errmsg(g->x->hub->s3));
			g->e->hidden = true;
			return -1;
		}
		if (page(g, e, n, arg) != 0) {
			free(token);
			return -1;
		}
	} while (token != NULL);
	return 0;
}

/* What an orphan sweep of one prefix looks for. */
struct orphan_scan {
	const char	*prefix;
	bool		 lfs;
	size_t		 idlen;
	time_t		 before;
};

/* The orphans of one page: content keys old enough that no row names. */
static int
orphan_page(struct run *g, const struct s3_entry *e, size_t n, void *arg)
{
	const struct orphan_scan *o = arg;
	char hex[2 * SHA256_LEN + 1];
	unsigned char *have;
	struct orphan *v;
	struct db_res *res;
	struct buf q;
	size_t i, k, len;
	void *p;
	int rc;

	/* the page's content keys old enough, and their ids */
	v = arena_alloc(&g->a, (n + 1) * sizeof(*v));
	buf_init(&q, &g->a);
	buf_addc(&q, '[');
	for (i = 0, k = 0; i < n; i++) {
		if (e[i].modified > o->before || (!o->lfs &&
		    blobstore_is_small(false, e[i].size)) ||
		    !content_key(e[i].key, o->prefix, o->idlen, v[k].id))
			continue;
		v[k].key = (char *)e[i].key;
		v[k].size = e[i].size;
		hex_encode(hex, v[k].id, o->idlen);
		buf_printf(&q, "%s\"%s\"", k ? "," : "", hex);
		k++;
	}
	buf_addc(&q, ']');
	if (k == 0)
		return 0;
	if (db_exec(g->db, &g->a, &res, o->lfs ? &SQL_HAVE_LFS : &SQL_HAVE_BLOB,
	    db_s(q.data)) != 0)
		return dberr(g);
	have = arena_alloc(&g->a, k * SHA256_LEN);
	len = 0;
	while ((rc = db_row(res, db_out_b(&p, &i))) == 1)
		if (i == o->idlen && len < k)
			memcpy(have + o->idlen * len++, p, o->idlen);
	if (rc < 0)
		return dberr(g);
	for (i = 0; i < k; i++) {
		size_t j;

		for (j = 0; j < len; j++)
			if (memcmp(have + o->idlen * j, v[i].id,
			    o->idlen) == 0)
				break;
		if (j == len && sweep_orphan(g, &v[i], o->lfs, o->before) != 0 &&
		    !busy(g))
			return -1;
	}
	return 0;
}

/* Deletes the orphans under prefix ("blob/", "lfs/"). */
static int
sweep_orphans_in(struct run *g, const char *prefix, bool lfs)
{
	int64_t age = g->o->orphan_age >= 0 ? g->o->orphan_age :
	    g->o->grace > GC_ORPHAN_MIN_AGE ? g->o->grace : GC_ORPHAN_MIN_AGE;
	struct orphan_scan o = { prefix, lfs, lfs ? SHA256_LEN : OID_LEN,
	    time(NULL) - (time_t)age };

	return list_pages(g, prefix, orphan_page, &o);
}

/* Deletes the orphans (and tombstones a day old: no writer waits that
 * long between its bytes and its rows). */
static int
sweep_orphans(struct run *g)
{
	if (!g->o->dry_run && db_exec(g->db, &g->a, NULL,
	    &SQL_PRUNE_TOMBSTONES) != 0)
		return dberr(g);
	return sweep_orphans_in(g, "blob/", false) != 0 ||
	    sweep_orphans_in(g, "lfs/", true) != 0 ? -1 : 0;
}

/* Of v[0..n) (at most PAGE), the tombstoned: stored again if gone. */
static int
store_again_page(struct db *db, struct arena *a, struct s3 *s3,
    const struct s3_obj *v, size_t n, struct kerr *e)
{
	struct s3_stat st;
	struct db_res *res;
	struct buf q;
	int64_t pos;
	size_t i;
	int rc;

	buf_init(&q, a);
	for (i = 0; i < n; i++)	/* content keys: hex and slashes */
		buf_printf(&q, "%s\"%s\"", i ? "," : "[", v[i].key);
	buf_addc(&q, ']');
	if (db_exec(db, a, &res, &SQL_TOMBSTONED, db_s(q.data)) != 0)
		return kerr_db(e, db);
	while ((rc = db_row(res, db_out_i(&pos))) == 1) {
		const struct s3_obj *o;

		if (pos < 1 || (size_t)pos > n)
			continue;
		o = &v[pos - 1];
		if ((rc = s3_head(s3, o->key, &st)) == S3_NOTFOUND) {
			log_info("gc: %s was collected as an orphan before its "
			    "row landed: stored again", o->key);
			rc = s3_put(s3, o->key, o->len > 0 ? o->data : "",
			    o->len);
		}
		if (rc != S3_OK) {
			db_done(res);
			kerr_set(e, 503, "ServiceUnavailable", "S3: %s",
			    s3_errmsg(s3));
			e->hidden = true;
			return -1;
		}
	}
	if (rc < 0)
		return kerr_db(e, db);
	return 0;
}

int
gc_store_again(struct db *db, struct arena *a, struct s3 *s3,
    const struct s3_obj *v, size_t n, struct kerr *e)
{
	size_t i;

	for (i = 0; i < n; i += PAGE)
		if (store_again_page(db, a, s3, v + i, n - i < PAGE ? n - i :
		    PAGE, e) != 0)
			return -1;
	return 0;
}

/* The keys of one page not modified for the grace period (arg: that
 * time). */
static int
staging_page(struct run *g, const struct s3_entry *v, size_t n, void *arg)
{
	time_t before = *(const time_t *)arg;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (v[i].modified > before)
			continue;
		if (!g->o->dry_run &&
		    (rc = s3_delete(g->x->hub->s3, v[i].key)) != S3_OK &&
		    rc != S3_NOTFOUND)
			return s3err(g, v[i].key);
		found(g, "staging", v[i].key, v[i].size);
	}
	return 0;
}

/* Deletes the keys under prefix not modified for the grace period. */
static int
sweep_prefix(struct run *g, const char *prefix)
{
	time_t before = time(NULL) - (time_t)g->o->grace;

	return list_pages(g, prefix, staging_page, &before);
}

/* ---- git objects ---- */

enum { GIT_TREE, GIT_COMMIT, GIT_TAG };
static const char *const git_kind[] = { "tree", "commit", "tag" };

struct gobj {
	struct oid	 oid;
	int		 kind;
};

/* One run's list of what the deleted rows named, and for a dry run the
 * set of what it reported (open addressing on the id's first bytes). */
struct cascade {
	struct gobj	*v;
	size_t		 n, cap;
	struct oid	*set;
	unsigned char	*used;
	size_t		 nset, setcap;
};

/* Writes the edges of the trees stored before sql/016 (gc_state), a page
 * at a time from where a run stopped. *done: every tree has its edges. */
static int
fill_edges(struct run *g, bool *done)
{
	struct { struct oid child, parent; } *pairs;
	unsigned char last[OID_LEN];
	size_t lastlen = 0, n, len, rlen, pos, np, cap, i, m;
	struct db_param *ps;
	struct db_res *res;
	struct oid child;
	void *p, *raw;
	int64_t d;
	int rc;

	arena_reset(&g->a);
	if (db_exec(g->db, &g->a, &res, &SQL_EDGES_STATE) != 0 ||
	    (rc = db_row(res, db_out_b(&p, &len), db_out_i(&d))) < 0)
		return dberr(g);
	if (rc == 0) {
		kerr_set(g->e, 500, "InternalError", "gc_state has no "
		    "tree-edges row: run khubctl migrate");
		return -1;
	}
	if (p != NULL && len == OID_LEN) {
		memcpy(last, p, OID_LEN);
		lastlen = OID_LEN;
	}
	db_done(res);
	*done = d != 0;
	if (*done || g->o->dry_run)
		return 0;
	do {
		arena_reset(&g->a);
		if (db_exec(g->db, &g->a, &res, &SQL_EDGES_PAGE, db_b(last,
		    lastlen)) != 0)
			return dberr(g);
		n = np = 0;
		cap = 64;
		pairs = arena_alloc(&g->a, cap * sizeof(*pairs));
		while ((rc = db_row(res, db_out_b(&p, &len), db_out_b(&raw,
		    &rlen))) == 1) {
			if (len != OID_LEN)
				continue;
			n++;
			memcpy(last, p, OID_LEN);
			lastlen = OID_LEN;
			for (pos = 0; tree_next_subtree(raw, rlen, &pos,
			    &child) == 1; np++) {
				if (np == cap) {
					void *v = arena_alloc(&g->a, 2 * cap *
					    sizeof(*pairs));

					memcpy(v, pairs, np * sizeof(*pairs));
					pairs = v;
					cap *= 2;
				}
				pairs[np].child = child;
				memcpy(pairs[np].parent.b, p, OID_LEN);
			}
		}
		if (rc < 0)
			return dberr(g);
		ps = arena_zalloc(&g->a, 2 * DB_ROWS_MAX * sizeof(*ps));
		for (i = 0; i < np; i += m) {
			size_t k;

			m = np - i < DB_ROWS_MAX ? np - i : DB_ROWS_MAX;
			for (k = 0; k < m; k++) {
				ps[2 * k] = db_b(pairs[i + k].child.b, OID_LEN);
				ps[2 * k + 1] = db_b(pairs[i + k].parent.b, OID_LEN);
			}
			if (db_exec_rows(g->db, &g->a, &edge_rows, ps, m) != 0)
				return dberr(g);
		}
		*done = n < EDGE_PAGE;
		if (db_exec(g->db, &g->a, NULL, &SQL_EDGES_SAVE, db_b(last,
		    lastlen), db_i((int64_t)*done)) != 0)
			return dberr(g);
	} while (!*done);
	log_info("gc: every tree has its edges");
	return 0;
}

/* Marks every row of a kind nothing names (st: SQL_UNREF_*). */
static int
mark_git(struct run *g, const struct db_stmt *st, const char *kind)
{
	unsigned char last[OID_LEN], *ids;
	struct oid *refs;
	size_t lastlen = 0, n, len;
	struct db_res *res;
	void *oid;
	int rc;

	do {
		arena_reset(&g->a);
		ids = arena_alloc(&g->a, PAGE * OID_LEN);
		refs = arena_alloc(&g->a, PAGE * sizeof(*refs));
		if (db_exec(g->db, &g->a, &res, st, db_b(last, lastlen)) != 0)
			return dberr(g);
		n = 0;
		while ((rc = db_row(res, db_out_b(&oid, &len))) == 1) {
			if (len != OID_LEN || n == PAGE)
				continue;
			memcpy(ids + n * OID_LEN, oid, OID_LEN);
			memcpy(refs[n].b, oid, OID_LEN);
			n++;
		}
		if (rc < 0 || mark(g, kind, ids, OID_LEN, refs, n) != 0)
			return dberr(g);
		if (n > 0) {
			memcpy(last, ids + (n - 1) * OID_LEN, OID_LEN);
			lastlen = OID_LEN;
		}
	} while (n == PAGE);
	return 0;
}

static size_t
set_slot(const struct cascade *c, const struct oid *o)
{
	uint64_t h;

	memcpy(&h, o->b, sizeof(h));
	return (size_t)(h % c->setcap);
}

static bool
set_has(const struct cascade *c, const struct oid *o)
{
	size_t i;

	if (c->setcap == 0)
		return false;
	for (i = set_slot(c, o); c->used[i]; i = (i + 1) % c->setcap)
		if (oid_eq(&c->set[i], o))
			return true;
	return false;
}

static int
set_add(struct cascade *c, const struct oid *o)
{
	size_t i;

	if (2 * (c->nset + 1) > c->setcap) {
		struct cascade old = *c;

		c->setcap = old.setcap ? 2 * old.setcap : 1024;
		c->set = calloc(c->setcap, sizeof(*c->set));
		c->used = calloc(c->setcap, 1);
		if (c->set == NULL || c->used == NULL) {
			free(c->set);
			free(c->used);
			*c = old;
			return -1;
		}
		c->nset = 0;
		for (i = 0; i < old.setcap; i++)
			if (old.used[i])
				set_add(c, &old.set[i]);
		free(old.set);
		free(old.used);
	}
	for (i = set_slot(c, o); c->used[i]; i = (i + 1) % c->setcap)
		;
	c->set[i] = *o;
	c->used[i] = 1;
	c->nset++;
	return 0;
}

/* Something a deleted row named, to look at in this run; when the list
 * is full, marked as due for the next. */
static int
cascade_push(struct run *g, struct cascade *c, int kind, const struct oid *o)
{
	if (c->n == c->cap) {
		struct gobj *v;

		if (c->cap >= CASCADE_MAX)
			return g->o->dry_run ? 0 : db_exec(g->db, &g->a, NULL,
			    &SQL_MARK_AT, db_s(git_kind[kind]), db_b(o->b,
			    OID_LEN), db_b(o->b, OID_LEN), db_i(g->o->grace)) !=
			    0 ? dberr(g) : 0;
		if ((v = realloc(c->v, (c->cap ? 2 * c->cap : 1024) *
		    sizeof(*v))) == NULL) {
			kerr_set(g->e, 500, "InternalError", "out of memory");
			return -1;
		}
		c->v = v;
		c->cap = c->cap ? 2 * c->cap : 1024;
	}
	c->v[c->n].oid = *o;
	c->v[c->n++].kind = kind;
	return 0;
}

/* What row o of kind names: children v[0..*n) (arena), their kinds, and
 * the row's bytes, from the locked or plain read; 1 found, 0 gone. */
static int
git_read(struct run *g, int kind, const struct oid *o, bool lock,
    struct gobj **v, size_t *n, uint64_t *bytes)
{
	struct db_res *res;
	void *a, *b;
	char *type;
	size_t alen, blen, pos, cap;
	struct oid sub;
	uint64_t size;
	int rc;

	*n = 0;
	if (kind == GIT_TREE) {
		if (db_exec(g->db, &g->a, &res, lock ? &SQL_TREE_LOCK :
		    &SQL_TREE_READ, db_b(o->b, OID_LEN)) != 0 ||
		    (rc = db_row(res, db_out_b(&a, &alen))) < 0)
			return -1;
		if (rc == 0)
			return 0;
		*bytes = alen;
		cap = 16;
		*v = arena_alloc(&g->a, cap * sizeof(**v));
		for (pos = 0; tree_next_subtree(a, alen, &pos, &sub) == 1;) {
			if (*n == cap) {
				struct gobj *w = arena_alloc(&g->a, 2 * cap *
				    sizeof(*w));

				memcpy(w, *v, *n * sizeof(*w));
				*v = w;
				cap *= 2;
			}
			(*v)[*n].oid = sub;
			(*v)[(*n)++].kind = GIT_TREE;
		}
		return 1;
	}
	if (kind == GIT_TAG) {
		if (db_exec(g->db, &g->a, &res, lock ? &SQL_TAG_LOCK :
		    &SQL_TAG_READ, db_b(o->b, OID_LEN)) != 0 ||
		    (rc = db_row(res, db_out_b(&a, &alen), db_out_s(&type),
		    db_out_u(&size))) < 0)
			return -1;
		if (rc == 0)
			return 0;
		*bytes = size;
		*v = arena_alloc(&g->a, sizeof(**v));
		if (alen == OID_LEN && strcmp(type, "blob") != 0) {
			memcpy((*v)[0].oid.b, a, OID_LEN);
			(*v)[0].kind = !strcmp(type, "tree") ? GIT_TREE :
			    !strcmp(type, "tag") ? GIT_TAG : GIT_COMMIT;
			*n = 1;
		}
		return 1;
	}
	if (db_exec(g->db, &g->a, &res, lock ? &SQL_COMMIT_LOCK :
	    &SQL_COMMIT_READ, db_b(o->b, OID_LEN)) != 0 ||
	    (rc = db_row(res, db_out_b(&a, &alen), db_out_b(&b, &blen),
	    db_out_u(&size))) < 0)
		return -1;
	if (rc == 0)
		return 0;
	*bytes = size;
	cap = 8;
	*v = arena_alloc(&g->a, cap * sizeof(**v));
	if (alen == OID_LEN) {
		memcpy((*v)[*n].oid.b, a, OID_LEN);
		(*v)[(*n)++].kind = GIT_TREE;
	}
	if (b != NULL && blen == OID_LEN) {
		memcpy((*v)[*n].oid.b, b, OID_LEN);
		(*v)[(*n)++].kind = GIT_COMMIT;
	}
	db_done(res);
	if (db_exec(g->db, &g->a, &res, &SQL_COMMIT_MORE, db_b(o->b,
	    OID_LEN)) != 0)
		return -1;
	while ((rc = db_row(res, db_out_b(&a, &alen))) == 1) {
		if (alen != OID_LEN)
			continue;
		if (*n == cap) {
			struct gobj *w = arena_alloc(&g->a, 2 * cap *
			    sizeof(*w));

			memcpy(w, *v, *n * sizeof(*w));
			*v = w;
			cap *= 2;
		}
		memcpy((*v)[*n].oid.b, a, OID_LEN);
		(*v)[(*n)++].kind = GIT_COMMIT;
	}
	return rc < 0 ? -1 : 1;
}

/* Whether something names o (the locking reads of gc.h): 1, 0, -1. */
static int
git_named(struct run *g, int kind, const struct oid *o)
{
	const struct db_stmt *q = kind == GIT_TREE ? names_tree :
	    kind == GIT_TAG ? names_tag : names_commit;
	struct db_res *res;
	int64_t one;
	int rc;

	for (; q->sql != NULL; q++) {
		if (db_exec(g->db, &g->a, &res, q, db_b(o->b, OID_LEN)) != 0 ||
		    (rc = db_row(res, db_out_i(&one))) < 0)
			return -1;
		db_done(res);
		if (rc == 1)
			return 1;
	}
	return 0;
}

/* For a dry run: whether something not reported names o. */
static int
git_named_dry(struct run *g, struct cascade *c, int kind,
    const struct oid *o)
{
	const struct db_stmt *q = kind == GIT_TREE ? who_tree :
	    kind == GIT_TAG ? who_tag : who_commit;
	struct db_res *res;
	struct oid by;
	size_t len, k;
	void *p;
	int rc;

	for (; q->sql != NULL; q++) {
		if (db_exec(g->db, &g->a, &res, q, db_b(o->b, OID_LEN)) != 0)
			return -1;
		for (k = 0; (rc = db_row(res, db_out_b(&p, &len))) == 1; k++) {
			if (len != OID_LEN || k == REFERRERS)
				break;
			memcpy(by.b, p, OID_LEN);
			if (oid_eq(&by, o) || !set_has(c, &by))
				break;
		}
		if (rc < 0)
			return -1;
		db_done(res);
		if (rc == 1)
			return 1;
	}
	return 0;
}

/* Deletes row o of kind (reports it, in a dry run) if nothing names it,
 * and lists what it named. A deadlock with a writer leaves it for the
 * next run. */
static int
git_drop(struct run *g, struct cascade *c, int kind, const struct oid *o)
{
	static const struct db_stmt *const del[][2] = {
		{ &SQL_DEL_EDGES, &SQL_DEL_TREE },
		{ &SQL_DEL_PARENTS, &SQL_DEL_COMMIT },
		{ &SQL_DEL_TAG, NULL },
	};
	char hex[OID_HEX + 1];
	struct gobj *v;
	uint64_t bytes = 0;
	size_t n, i;
	int rc, named = 0;

	arena_reset(&g->a);	/* the caller keeps nothing in it */
	oid_hex(o, hex);
	if (g->o->dry_run) {
		if (set_has(c, o))
			return 0;
		if ((rc = git_read(g, kind, o, false, &v, &n, &bytes)) < 0 ||
		    (rc == 1 && (named = git_named_dry(g, c, kind, o)) < 0))
			return dberr(g);
		if (rc == 0 || named == 1)
			return 0;
		if (set_add(c, o) != 0) {
			kerr_set(g->e, 500, "InternalError", "out of memory");
			return -1;
		}
	} else {
		if (db_begin(g->db) != 0 ||
		    (rc = git_read(g, kind, o, true, &v, &n, &bytes)) < 0 ||
		    (rc == 1 && (named = git_named(g, kind, o)) < 0))
			goto dberr;
		/* gone, or named (again): only the mark goes */
		if (rc == 0 || named == 1) {
			if (unmark(g, git_kind[kind], o->b, OID_LEN) != 0 ||
			    db_commit(g->db) != 0)
				goto dberr;
			return 0;
		}
		for (i = 0; i < 2 && del[kind][i] != NULL; i++)
			if (db_exec(g->db, &g->a, NULL, del[kind][i], db_b(o->b,
			    OID_LEN)) != 0)
				goto dberr;
		if (unmark(g, git_kind[kind], o->b, OID_LEN) != 0 ||
		    db_commit(g->db) != 0)
			goto dberr;
	}
	found(g, git_kind[kind], hex, bytes);
	for (i = 0; i < n; i++)
		if (cascade_push(g, c, v[i].kind, &v[i].oid) != 0)
			return -1;
	return 0;
dberr:
	if (db_errno(g->db) == ER_LOCK_DEADLOCK ||
	    db_errno(g->db) == ER_LOCK_WAIT_TIMEOUT) {
		db_rollback(g->db);
		log_info("gc: %s %s: a writer holds it; left for the next run",
		    git_kind[kind], hex);
		return 0;
	}
	return dberr(g);
}

/* Sweeps the marks of git objects whose grace has run out, tags, then
 * commits, then trees, each with what only it named. */
static int
sweep_git(struct run *g)
{
	static const int kinds[] = { GIT_TAG, GIT_COMMIT, GIT_TREE };
	struct cascade c;
	unsigned char last[OID_LEN];
	struct oid *due;
	size_t lastlen, n, i, k, len, rlen;
	struct db_res *res;
	void *id, *ref;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	/* not in the arena: each object resets it (git_drop()) */
	if ((due = malloc(PAGE * sizeof(*due))) == NULL) {
		kerr_set(g->e, 500, "InternalError", "out of memory");
		return -1;
	}
	for (k = 0; k < 3 && rc == 0; k++) {
		lastlen = 0;
		do {
			arena_reset(&g->a);
			if (db_exec(g->db, &g->a, &res, &SQL_DUE,
			    db_s(git_kind[kinds[k]]), db_b(last, lastlen),
			    db_i(g->o->grace)) != 0) {
				rc = dberr(g);
				break;
			}
			n = 0;
			while ((rc = db_row(res, db_out_b(&id, &len),
			    db_out_b(&ref, &rlen))) == 1)
				if (len == OID_LEN && n < PAGE)
					memcpy(due[n++].b, id, OID_LEN);
			if (rc < 0) {
				rc = dberr(g);
				break;
			}
			rc = 0;
			for (i = 0; i < n && rc == 0; i++) {
				rc = git_drop(g, &c, kinds[k], &due[i]);
				while (rc == 0 && c.n > 0) {
					struct gobj x = c.v[--c.n];

					rc = git_drop(g, &c, x.kind, &x.oid);
				}
			}
			if (n > 0) {
				memcpy(last, due[n - 1].b, OID_LEN);
				lastlen = OID_LEN;
			}
		} while (rc == 0 && n == PAGE);
	}
	free(due);
	free(c.v);
	free(c.set);
	free(c.used);
	return rc;
}

int
gc_run(const struct dctx *x, const struct gc_opts *o, struct gc_stats *st,
    struct kerr *e)
{
	struct run g;
	struct db_res *res;
	size_t i;
	bool edges = false;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	memset(&g, 0, sizeof(g));
	g.x = x;
	g.o = o;
	g.st = st;
	g.e = e;
	g.db = x->hub->db;
	arena_init(&g.a, 64 * 1024);
	if (fill_edges(&g, &edges) != 0)
		goto out;
	if (edges && (mark_git(&g, &SQL_UNREF_TAGS, "tag") != 0 ||
	    mark_git(&g, &SQL_UNREF_COMMITS, "commit") != 0 ||
	    mark_git(&g, &SQL_UNREF_TREES, "tree") != 0))
		goto out;
	if (mark_blobs(&g) != 0 || mark_lfs(&g) != 0)
		goto out;
	if (db_exec(g.db, &g.a, NULL, &SQL_UNMARK_REFERENCED) != 0 ||
	    db_exec(g.db, &g.a, NULL, &SQL_UNMARK_GIT) != 0) {
		dberr(&g);
		goto out;
	}
	if ((edges && sweep_git(&g) != 0) ||
	    sweep(&g, "blob") != 0 || sweep(&g, "lfs") != 0 ||
	    sweep_uploads(&g) != 0 || sweep_orphans(&g) != 0)
		goto out;
	for (i = 0; i < sizeof(stale_prefixes) / sizeof(stale_prefixes[0]);
	    i++)
		if (sweep_prefix(&g, stale_prefixes[i]) != 0)
			goto out;
	arena_reset(&g.a);
	if (db_exec(g.db, &g.a, &res, &SQL_MARKED) != 0 ||
	    db_row(res, db_out_u(&st->marked)) < 0) {
		dberr(&g);
		goto out;
	}
	db_done(res);
	rc = 0;
out:
	if (rc == 0)
		log_info("gc: %llu objects, %llu bytes%s; %llu waiting for "
		    "their grace period", (unsigned long long)st->objects,
		    (unsigned long long)st->bytes, o->dry_run ?
		    " (dry run)" : "", (unsigned long long)st->marked);
	arena_free(&g.a);
	return rc;
}

int
gc_hold(struct db *db, struct arena *a, char *const *chunk,
    const size_t *counts, size_t nchunks)
{
	struct db_res *res;
	uint64_t have, lost_lfs;
	size_t i;
	int rc;

	for (i = 0; i < nchunks; i++) {
		if (db_exec(db, a, &res, &SQL_HOLD, db_s(chunk[i])) != 0 ||
		    (rc = db_row(res, db_out_u(&have),
		    db_out_u(&lost_lfs))) < 0)
			return -1;
		db_done(res);
		if (rc == 0 || have != counts[i] || lost_lfs != 0)
			return 1;
	}
	return 0;
}

int
gc_hold_copy(struct db *db, struct arena *a, const struct oid *ids, size_t n)
{
	struct oid *v = arena_alloc(a, (n + 1) * sizeof(*v));
	struct db_res *res;
	uint64_t have, lost_lfs;
	size_t i, j, m;
	struct buf q;
	int rc;

	memcpy(v, ids, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_oid);
	for (i = j = 0; i < n; i++)	/* distinct ids, in order */
		if (j == 0 || memcmp(v[j - 1].b, v[i].b, OID_LEN) != 0)
			v[j++] = v[i];
	n = j;
	for (i = 0; i < n; i += m) {
		m = n - i < PAGE ? n - i : PAGE;
		buf_init(&q, a);
		for (j = 0; j < m; j++) {
			char hex[OID_HEX + 1];

			oid_hex(&v[i + j], hex);
			buf_printf(&q, "%s\"%s\"", j ? "," : "[", hex);
		}
		buf_addc(&q, ']');
		if (db_exec(db, a, &res, &SQL_HOLD_COPY, db_s(q.data)) != 0 ||
		    (rc = db_row(res, db_out_u(&have),
		    db_out_u(&lost_lfs))) < 0)
			return -1;
		db_done(res);
		if (rc == 0 || have != m || lost_lfs != 0)
			return 1;
	}
	return 0;
}

void
gc_git_init(struct gc_git *h, struct arena *a)
{
	memset(h, 0, sizeof(*h));
	h->a = a;
}

static void
git_add(struct gc_git *h, int k, const struct oid *o)
{
	if (h->n[k] == h->cap[k]) {
		size_t cap = h->cap[k] ? 2 * h->cap[k] : 64;
		struct oid *v = arena_alloc(h->a, cap * sizeof(*v));

		if (h->n[k] > 0)
			memcpy(v, h->v[k], h->n[k] * sizeof(*v));
		h->v[k] = v;
		h->cap[k] = cap;
	}
	h->v[k][h->n[k]++] = *o;
}

void
gc_git_tree(struct gc_git *h, const struct oid *oid, const void *raw,
    size_t len)
{
	struct oid sub;
	size_t pos = 0;

	git_add(h, GIT_TREE, oid);
	while (tree_next_subtree(raw, len, &pos, &sub) == 1)
		git_add(h, GIT_TREE, &sub);
}

void
gc_git_commit(struct gc_git *h, const struct oid *oid,
    const struct commit_info *c)
{
	const struct oid *p;
	size_t k;

	git_add(h, GIT_COMMIT, oid);
	git_add(h, GIT_TREE, &c->tree);
	for (k = 0; (p = commit_parent(c, k)) != NULL; k++)
		git_add(h, GIT_COMMIT, p);
}

void
gc_git_tag(struct gc_git *h, const struct oid *oid, const struct tag_info *t)
{
	git_add(h, GIT_TAG, oid);
	if (!strcmp(t->type, "commit"))
		git_add(h, GIT_COMMIT, &t->object);
	else if (!strcmp(t->type, "tree"))
		git_add(h, GIT_TREE, &t->object);
	else if (!strcmp(t->type, "tag"))
		git_add(h, GIT_TAG, &t->object);
}

int
gc_hold_git(struct db *db, struct arena *a, struct gc_git *h)
{
	struct db_res *res;
	struct oid *v;
	uint64_t have;
	size_t i, j, m, n;
	struct buf q;
	int k, rc;

	for (k = 0; k < 3; k++) {
		v = h->v[k];
		n = h->n[k];
		if (n == 0)
			continue;
		qsort(v, n, sizeof(*v), cmp_oid);
		for (i = j = 0; i < n; i++)	/* distinct, in id order */
			if (j == 0 || memcmp(v[j - 1].b, v[i].b, OID_LEN) != 0)
				v[j++] = v[i];
		h->n[k] = n = j;
		for (i = 0; i < n; i += m) {
			m = n - i < HOLD_PAGE ? n - i : HOLD_PAGE;
			buf_init(&q, a);
			for (j = 0; j < m; j++) {
				char hex[OID_HEX + 1];

				oid_hex(&v[i + j], hex);
				buf_printf(&q, "%s\"%s\"", j ? "," : "[", hex);
			}
			buf_addc(&q, ']');
			if (db_exec(db, a, &res, &SQL_HOLD_GIT[k],
			    db_s(q.data)) != 0 || (rc = db_row(res,
			    db_out_u(&have))) < 0)
				return -1;
			db_done(res);
			if (rc == 0 || have != m)
				return 1;
		}
	}
	return 0;
}
