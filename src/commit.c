/*
 * commit.c: building trees for a commit in memory, then landing it with a
 * compare-and-set on the branch.
 *
 * Objects (blobs, trees, the commit) are written before the transaction
 * that moves the branch: they are named by their content, so one that a
 * failed commit left behind is unreferenced and harmless, and the
 * transaction itself stays short (ref, repo_commit, repo_blob, repo).
 * A small blob's bytes (blobstore.h) and its git_blob row are written in
 * one transaction of their own: no row without its bytes, and no bytes
 * without the row whose sha256 vouches for them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysqld_error.h>
#include <sodium.h>

#include "blobstore.h"
#include "commit.h"
#include "db.h"
#include "fresh.h"
#include "gc.h"
#include "hash.h"
#include "hub.h"
#include "jsonutil.h"
#include "log.h"
#include "quota.h"
#include "s3.h"

static const struct db_stmt SQL_HEAD = DB_READ("is", "b",
    "SELECT target FROM ref WHERE repo_id = ? AND kind = 'branch'"
    " AND name = ?");
static const struct db_stmt SQL_MOVE = DB_WRITE("bisb",
    "UPDATE ref SET target = ? WHERE repo_id = ? AND kind = 'branch'"
    " AND name = ? AND target = ?");
static const struct db_stmt SQL_NEW_BRANCH = DB_WRITE("isb",
    "INSERT INTO ref (repo_id, kind, name, target) VALUES (?, 'branch', ?, ?)");
static const struct db_stmt SQL_REPO_COMMIT = DB_WRITE("ib",
    "INSERT IGNORE INTO repo_commit (repo_id, oid) VALUES (?, ?)");
static const struct db_stmt SQL_IS_COMMIT = DB_READ("ib", "i",
    "SELECT 1 FROM repo_commit WHERE repo_id = ? AND oid = ?");
/* Many rows a statement (db_exec_rows()), ids as bytes: a commit of
 * 100,000 files costs a hundred statements, not 200,000, and MariaDB takes
 * VALUES rows about twice as fast as rows from JSON_TABLE. */
static struct db_rows repo_blob_rows = DB_ROWS(
    "INSERT IGNORE INTO repo_blob (repo_id, oid) VALUES ",
    "(?, ?)", "ib");
static struct db_rows git_blob_rows = DB_ROWS(
    "INSERT IGNORE INTO git_blob (oid, size, sha256, lfs, in_s3) VALUES ",
    "(?, ?, ?, ?, ?)", "bubii");
/* Rows per multi-row statement. */
#define ROWS_CHUNK	DB_ROWS_MAX
static const struct db_stmt SQL_TOUCH = DB_WRITE("i",
    "UPDATE repo SET updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?");
/* Stored blobs among the ids of a JSON array of hex strings, and the
 * sha256 of their bytes: the id is SHA-1, so equal ids prove equal bytes
 * only once the sha256 agrees. */
static const struct db_stmt SQL_BLOBS_KNOWN = DB_READ("s", "bbii",
    "SELECT b.oid, b.sha256, b.lfs, b.in_s3"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j"
    " JOIN git_blob b ON b.oid = UNHEX(j.h)");

/* A folder being rebuilt: its entries, loaded from the store on demand. */
struct mnode;

struct mentry {
	char		*name;
	size_t		 namelen;
	unsigned	 mode;
	struct oid	 oid;
	struct mnode	*child;		/* set once descended into */
};

struct mnode {
	struct mentry	*e;
	size_t		 n, cap;
	/* name -> index + 1 (0: empty), open addressing; built once the
	 * node is large enough that a scan would cost (a folder of 100,000
	 * new files would cost n^2/2 comparisons). Entries never move out
	 * of their index while the node changes: removed ones are marked. */
	uint32_t	*slot;
	size_t		 mask;
};

/* An entry removed from its folder: kept in place, skipped at the end. */
#define MODE_GONE	0u
/* Below this many entries a node is scanned. */
#define NODE_SCAN_MAX	16

struct build {
	struct dctx	*x;
	struct db	*db;
	/* trees to write, in no particular order */
	struct oid	*tree_oids;
	char		**tree_raw;
	size_t		*tree_len;
	size_t		 ntrees, cap;
};

static void	 node_index(struct build *, struct mnode *);

static struct mnode *
node_load(struct build *b, const struct oid *oid)
{
	struct mnode *m = arena_zalloc(b->x->a, sizeof(*m));
	struct tree t;
	size_t i;

	if (oid == NULL)
		return m;
	if (gitstore_tree(b->db, b->x->a, oid, &t) != 0)
		return NULL;
	m->cap = t.n + 4;
	m->e = arena_alloc(b->x->a, m->cap * sizeof(*m->e));
	for (i = 0; i < t.n; i++) {
		m->e[i].name = (char *)t.e[i].name;
		m->e[i].namelen = t.e[i].namelen;
		m->e[i].mode = t.e[i].mode;
		m->e[i].oid = t.e[i].oid;
		m->e[i].child = NULL;
	}
	m->n = t.n;
	if (m->n > NODE_SCAN_MAX)
		node_index(b, m);
	return m;
}

static size_t
name_hash(const char *name, size_t len)
{
	size_t h = 1469598103934665603ULL, i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
	return h;
}

static void
slot_put(struct mnode *m, size_t i)
{
	size_t h = name_hash(m->e[i].name, m->e[i].namelen) & m->mask;

	while (m->slot[h] != 0)
		h = (h + 1) & m->mask;
	m->slot[h] = (uint32_t)(i + 1);
}

/* (Re)builds the index for at least twice the entries m can hold. */
static void
node_index(struct build *b, struct mnode *m)
{
	size_t cap = 64, i;

	while (cap < 2 * (m->cap > m->n ? m->cap : m->n))
		cap *= 2;
	m->slot = arena_zalloc(b->x->a, cap * sizeof(*m->slot));
	m->mask = cap - 1;
	for (i = 0; i < m->n; i++)
		slot_put(m, i);
}

/* The index of the entry named name (maybe MODE_GONE), or -1. */
static long
node_find(struct mnode *m, const char *name, size_t len)
{
	size_t i, h;

	if (m->slot == NULL) {
		for (i = 0; i < m->n; i++)
			if (m->e[i].namelen == len &&
			    !memcmp(m->e[i].name, name, len))
				return (long)i;
		return -1;
	}
	for (h = name_hash(name, len) & m->mask; m->slot[h] != 0;
	    h = (h + 1) & m->mask) {
		struct mentry *e = &m->e[m->slot[h] - 1];

		if (e->namelen == len && !memcmp(e->name, name, len))
			return (long)m->slot[h] - 1;
	}
	return -1;
}

static struct mentry *
node_add(struct build *b, struct mnode *m, const char *name, size_t len)
{
	struct mentry *e;

	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		struct mentry *bigger = arena_alloc(b->x->a,
		    cap * sizeof(*bigger));

		if (m->n)
			memcpy(bigger, m->e, m->n * sizeof(*bigger));
		m->e = bigger;
		m->cap = cap;
	}
	e = &m->e[m->n++];
	memset(e, 0, sizeof(*e));
	e->name = arena_strndup(b->x->a, name, len);
	e->namelen = len;
	if (m->slot == NULL && m->n > NODE_SCAN_MAX)
		node_index(b, m);
	else if (m->slot != NULL && 2 * m->n > m->mask + 1)
		node_index(b, m);
	else if (m->slot != NULL)
		slot_put(m, m->n - 1);
	return e;
}

static void
node_remove(struct mnode *m, size_t i)
{
	m->e[i].mode = MODE_GONE;
	m->e[i].child = NULL;
}

/* Applies one operation below m. Returns 0 or -1 (store error). */
static int
apply(struct build *b, struct mnode *m, const char *path,
    const struct commit_op *op)
{
	const char *slash = strchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : strlen(path);
	long i = node_find(m, path, len);
	struct mentry *e;

	if (i >= 0 && m->e[i].mode == MODE_GONE && op->kind == OP_DELETE)
		return 0;	/* already deleted by an earlier op */
	if (slash == NULL) {
		if (op->kind == OP_DELETE) {
			/* a file or a whole folder; a missing path is fine */
			if (i >= 0)
				node_remove(m, (size_t)i);
			return 0;
		}
		e = i >= 0 ? &m->e[i] : node_add(b, m, path, len);
		e->mode = MODE_FILE;
		e->oid = op->blob.oid;
		e->child = NULL;
		return 0;
	}
	if (i < 0 || m->e[i].mode != MODE_DIR) {
		if (op->kind == OP_DELETE)
			return 0;	/* nothing there to delete */
		/* a new folder (replacing a file of that name) */
		e = i >= 0 ? &m->e[i] : node_add(b, m, path, len);
		e->mode = MODE_DIR;
		e->child = arena_zalloc(b->x->a, sizeof(*e->child));
	} else {
		e = &m->e[i];
		if (e->child == NULL &&
		    (e->child = node_load(b, &e->oid)) == NULL)
			return -1;
	}
	return apply(b, e->child, slash + 1, op);
}

static int
cmp_mentry(const void *x, const void *y)
{
	const struct mentry *a = x, *c = y;
	struct tree_entry ta = { a->name, a->namelen, a->mode, a->oid },
	    tc = { c->name, c->namelen, c->mode, c->oid };

	return tree_entry_cmp(&ta, &tc);
}

/*
 * Writes the changed folders bottom-up: each changed node gets its new id;
 * folders left empty disappear (git has no empty trees). Returns 0, or 1
 * when m itself is now empty.
 */
static int
finish(struct build *b, struct mnode *m, struct oid *out)
{
	struct tree t;
	struct buf raw;
	size_t i;

	size_t k;

	/* Children first; removed entries and emptied folders go. */
	for (i = 0, k = 0; i < m->n; i++) {
		struct mentry *e = &m->e[i];

		if (e->mode == MODE_GONE)
			continue;
		if (e->child != NULL && finish(b, e->child, &e->oid) == 1)
			continue;
		m->e[k++] = *e;
	}
	m->n = k;
	m->slot = NULL;		/* indices moved: the index is stale */
	if (m->n == 0)
		return 1;
	qsort(m->e, m->n, sizeof(*m->e), cmp_mentry);
	t.n = m->n;
	t.e = arena_alloc(b->x->a, m->n * sizeof(*t.e));
	for (i = 0; i < m->n; i++) {
		t.e[i].name = m->e[i].name;
		t.e[i].namelen = m->e[i].namelen;
		t.e[i].mode = m->e[i].mode;
		t.e[i].oid = m->e[i].oid;
	}
	buf_init(&raw, b->x->a);
	tree_write(&raw, &t);
	git_object_oid(out, "tree", raw.data, raw.len);
	if (b->ntrees == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		struct oid *o = arena_alloc(b->x->a, cap * sizeof(*o));
		char **rw = arena_alloc(b->x->a, cap * sizeof(*rw));
		size_t *ln = arena_alloc(b->x->a, cap * sizeof(*ln));

		if (b->ntrees) {
			memcpy(o, b->tree_oids, b->ntrees * sizeof(*o));
			memcpy(rw, b->tree_raw, b->ntrees * sizeof(*rw));
			memcpy(ln, b->tree_len, b->ntrees * sizeof(*ln));
		}
		b->tree_oids = o;
		b->tree_raw = rw;
		b->tree_len = ln;
		b->cap = cap;
	}
	b->tree_oids[b->ntrees] = *out;
	b->tree_raw[b->ntrees] = raw.data;
	b->tree_len[b->ntrees] = raw.len;
	b->ntrees++;
	return 0;
}

static struct commit_op *sort_ops;

static int
cmp_op_blob(const void *x, const void *y)
{
	const struct commit_op *a = &sort_ops[*(const size_t *)x],
	    *b = &sort_ops[*(const size_t *)y];
	int c = memcmp(a->blob.oid.b, b->blob.oid.b, OID_LEN);

	if (c == 0)	/* earlier first, so the first one is kept */
		return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
	return c;
}

/*
 * The puts' indices in blob id order (earlier first among equals) into
 * *out, marking each put whose blob an earlier put already brings, so that
 * a commit of many identical files writes its blob rows once. Returns the
 * number of puts.
 */
static size_t
mark_repeats(struct dctx *x, struct commit_op *ops, size_t nops, size_t **out)
{
	size_t *idx = arena_alloc(x->a, (nops + 1) * sizeof(*idx)), n = 0, i;

	for (i = 0; i < nops; i++) {
		ops[i].repeat = false;
		if (ops[i].kind == OP_PUT)
			idx[n++] = i;
	}
	sort_ops = ops;
	qsort(idx, n, sizeof(*idx), cmp_op_blob);
	for (i = 1; i < n; i++)
		if (oid_eq(&ops[idx[i]].blob.oid, &ops[idx[i - 1]].blob.oid))
			ops[idx[i]].repeat = true;
	*out = idx;
	return n;
}

/* The blob_data rows, then the git_blob rows, of puts idx[0..n) (repeats
 * once), in id order: two commits bringing the same new blobs take their
 * locks in the same order. Returns 0 or -1 (database). */
static int
write_blobs(struct dctx *x, const struct commit_op *ops, const size_t *idx,
    size_t n)
{
	struct blob_row *rows = arena_alloc(x->a, (n + 1) * sizeof(*rows));
	struct db_param *ps;
	size_t i = 0, nrows = 0;

	for (i = 0; i < n; i++) {
		const struct commit_op *op = &ops[idx[i]];

		if (op->repeat || op->data == NULL)
			continue;
		rows[nrows].oid = &op->blob.oid;
		rows[nrows].data = op->data;
		rows[nrows].len = (size_t)op->blob.size;
		nrows++;
	}
	if (blobstore_put_small(x->hub->db, x->a, rows, nrows) != 0)
		return -1;
	ps = arena_zalloc(x->a, 5 * ROWS_CHUNK * sizeof(*ps));
	i = 0;
	while (i < n) {
		size_t m = 0;

		for (; i < n && m < ROWS_CHUNK; i++) {
			const struct commit_op *op = &ops[idx[i]];
			struct db_param *p = &ps[5 * m];

			if (op->repeat || op->stored)
				continue;
			m++;
			p[0] = db_b(op->blob.oid.b, OID_LEN);
			p[1] = db_u(op->blob.size);
			p[2] = db_b(op->blob.sha256, SHA256_LEN);
			p[3] = db_i(op->blob.lfs ? 1 : 0);
			/* in S3 unless its bytes go to blob_data above */
			p[4] = db_i(op->data != NULL ? 0 : 1);
		}
		if (db_exec_rows(x->hub->db, x->a, &git_blob_rows, ps, m) != 0)
			return -1;
	}
	return 0;
}

struct blobs_tx {
	struct dctx		*x;
	const struct commit_op	*ops;
	const size_t		*idx;
	size_t			 n;
};

static int
blobs_tx(void *arg)
{
	struct blobs_tx *t = arg;

	return write_blobs(t->x, t->ops, t->idx, t->n);
}

/* write_blobs() in a transaction of its own (two commits bringing the
 * same new blobs may deadlock: rows go in id order, so this is rare),
 * unless the caller has one open (commit_initial()). Returns 0 or -1
 * (database). */
static int
put_blobs(struct dctx *x, const struct commit_op *ops, const size_t *idx,
    size_t n)
{
	struct blobs_tx t = { x, ops, idx, n };

	if (db_in_transaction(x->hub->db))
		return write_blobs(x, ops, idx, n);
	return db_transaction(x->hub->db, blobs_tx, &t);
}

/* The puts of a commit in blob id order (mark_repeats()), and their
 * distinct ids as JSON arrays of hex, KNOWN_CHUNK a chunk (gc_hold(),
 * quota_commit_check()). */
struct puts {
	size_t		*idx;
	size_t		 n;
	char		**json;
	size_t		*counts;
	size_t		 nchunks;
};

/* Ids per existence query: keeps the JSON parameter under a hundred KiB. */
#define KNOWN_CHUNK	1000

/* p->json and p->counts from the puts. */
static void
puts_json(struct dctx *x, const struct commit_op *ops, struct puts *p)
{
	size_t i, m = 0, max = p->n / KNOWN_CHUNK + 1;
	struct buf b;

	p->json = arena_alloc(x->a, max * sizeof(*p->json));
	p->counts = arena_alloc(x->a, max * sizeof(*p->counts));
	p->nchunks = 0;
	buf_init(&b, x->a);
	for (i = 0; i <= p->n; i++) {
		char hex[OID_HEX + 1];

		if (i == p->n || m == KNOWN_CHUNK) {
			if (m > 0) {
				buf_addc(&b, ']');
				p->json[p->nchunks] = b.data;
				p->counts[p->nchunks++] = m;
			}
			if (i == p->n)
				break;
			m = 0;
			buf_init(&b, x->a);
		}
		if (ops[p->idx[i]].repeat)
			continue;
		oid_hex(&ops[p->idx[i]].blob.oid, hex);
		buf_printf(&b, "%s\"%s\"", m ? "," : "[", hex);
		m++;
	}
}

/*
 * Writes the blob rows of the puts (and small blobs' bytes); *p gets the
 * puts in id order. Once per commit, not per attempt: they do not depend
 * on the branch's head, and a retry's window stays short. Returns 0, or
 * -1 (database).
 */
static int
store_blobs(struct dctx *x, struct commit_op *ops, size_t nops, struct puts *p)
{
	p->n = mark_repeats(x, ops, nops, &p->idx);
	puts_json(x, ops, p);
	return put_blobs(x, ops, p->idx, p->n);
}

int
commit_store_again(struct dctx *x, const struct commit_op *ops, size_t nops,
    struct kerr *e)
{
	struct s3_obj *v = arena_alloc(x->a, (nops + 1) * sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < nops; i++) {
		if (ops[i].repeat || ops[i].bytes == NULL)
			continue;
		v[n].key = gitstore_s3_key(x->a, &ops[i].blob);
		v[n].data = ops[i].bytes;
		v[n++].len = (size_t)ops[i].blob.size;
	}
	return n == 0 ? 0 : gc_store_again(x->hub->db, x->a, x->hub->s3, v, n,
	    e);
}

/*
 * Builds the root tree of base (NULL: an empty history) with ops applied,
 * and writes every new tree, each added to h (gc.h). Returns 0, or -1
 * (database).
 */
static int
build_tree(struct dctx *x, const struct oid *base, struct commit_op *ops,
    size_t nops, struct gc_git *h, struct oid *root)
{
	struct build b;
	struct mnode *top;
	size_t i;

	memset(&b, 0, sizeof(b));
	b.x = x;
	b.db = x->hub->db;
	if ((top = node_load(&b, base)) == NULL)
		return -1;
	for (i = 0; i < nops; i++)
		if (apply(&b, top, ops[i].path, &ops[i]) != 0)
			return -1;
	if (finish(&b, top, root) == 1) {
		/* every file deleted: git's empty tree */
		git_object_oid(root, "tree", "", 0);
		if (gitstore_put_tree(b.db, x->a, root, "", 0) != 0)
			return -1;
		gc_git_tree(h, root, "", 0);
	}
	for (i = 0; i < b.ntrees; i++) {
		if (gitstore_put_tree(b.db, x->a, &b.tree_oids[i],
		    b.tree_raw[i], b.tree_len[i]) != 0)
			return -1;
		gc_git_tree(h, &b.tree_oids[i], b.tree_raw[i], b.tree_len[i]);
	}
	return 0;
}

/* The commit object for a new tree on parent; written to the store, and
 * added to h (gc.h). */
static int
write_commit(struct dctx *x, const char *author_name,
    const char *author_email, const struct oid *tree,
    const struct oid *parent, const char *message, struct gc_git *h,
    struct oid *out)
{
	struct commit_info c;
	struct buf text;
	size_t mlen = strlen(message);

	memset(&c, 0, sizeof(c));
	c.tree = *tree;
	if (parent != NULL) {
		c.parent = *parent;
		c.has_parent = true;
	}
	c.author_name = author_name != NULL ? author_name : "khub";
	c.author_email = author_email != NULL ? author_email :
	    arena_printf(x->a, "%s@users.noreply.khub", c.author_name);
	c.time = (int64_t)time(NULL);
	/* stored exactly as hashed: with its final newline */
	c.message = mlen && message[mlen - 1] == '\n' ? message :
	    arena_printf(x->a, "%s\n", message);
	buf_init(&text, x->a);
	commit_write(&text, &c);
	git_object_oid(out, "commit", text.data, text.len);
	gc_git_commit(h, out, &c);
	return gitstore_put_commit(x->hub->db, x->a, out, &c);
}

/* Rows that make the commit part of the repository: inside the
 * transaction. */
static int
record(struct dctx *x, int64_t repo_id, const struct oid *commit,
    const struct commit_op *ops, const struct puts *p)
{
	struct db *db = x->hub->db;
	struct db_param *ps;
	size_t i;

	if (db_exec(db, x->a, NULL, &SQL_REPO_COMMIT, db_i(repo_id),
	    db_b(commit->b, OID_LEN)) != 0)
		return -1;
	/* The blobs, a thousand rows a statement, in id order: InnoDB
	 * appends to its index instead of splitting pages at random (twice
	 * as fast for 100,000 rows). */
	ps = arena_zalloc(x->a, 2 * ROWS_CHUNK * sizeof(*ps));
	for (i = 0; i < p->n; ) {
		size_t m = 0;

		for (; i < p->n && m < ROWS_CHUNK; i++) {
			const struct commit_op *op = &ops[p->idx[i]];

			if (op->repeat)
				continue;
			ps[2 * m] = db_i(repo_id);
			ps[2 * m + 1] = db_b(op->blob.oid.b, OID_LEN);
			m++;
		}
		if (db_exec_rows(db, x->a, &repo_blob_rows, ps, m) != 0)
			return -1;
	}
	if (db_exec(db, x->a, NULL, &SQL_TOUCH, db_i(repo_id)) != 0)
		return -1;
	return fresh_bump(db, repo_id);
}

/* The error of a commit that named content gc collected meanwhile. */
static int
collected(struct kerr *e)
{
	return kerr_set(e, 503, "ServiceUnavailable", "Content this commit "
	    "names was deleted as garbage while it was sent; send the "
	    "commit again (with its files)");
}

/*
 * Inside the commit's transaction, before its first write: the blobs,
 * trees and commits it names are still stored, and stay so until it ends
 * (gc_hold(), gc_hold_git()), and what
 * it adds fits the namespace's quota (0: none; quota.h). Reads only: on
 * Galera a read waits for the cluster (wsrep_sync_wait), and one after
 * the ref's write was seen to let two commits from one parent both land.
 * Returns 0; 1 when gc collected one of them meanwhile; -1 with *e filled
 * (413, or the database error).
 */
static int
commit_guard(struct dctx *x, const struct repo *repo, uint64_t quota,
    const struct puts *p, struct gc_git *h, struct kerr *e)
{
	int rc = gc_hold(x->hub->db, x->a, p->json, p->counts, p->nchunks);

	if (rc == 0)
		rc = gc_hold_git(x->hub->db, x->a, h);
	if (rc != 0)
		return rc < 0 ? kerr_db(e, x->hub->db) : 1;
	return quota_commit_check(x->hub->db, x->a, quota, repo->owner_id,
	    repo->ns, repo->id, p->json, p->nchunks, e);
}

static char *
message_of(struct dctx *x, const struct commit_req *c)
{
	if (c->description != NULL && *c->description != '\0')
		return arena_printf(x->a, "%s\n\n%s", c->summary,
		    c->description);
	return arena_strdup(x->a, c->summary);
}

/* A detached commit's parent must be a commit of the repository: 0, or
 * -1 with *e filled. */
static int
detached_base(struct dctx *x, const struct commit_req *c, struct kerr *e)
{
	struct db_res *res;
	int64_t one;
	int rc;

	if (db_exec(x->hub->db, x->a, &res, &SQL_IS_COMMIT, db_i(c->repo->id),
	    db_b(c->parent->b, OID_LEN)) != 0 ||
	    (rc = db_row(res, db_out_i(&one))) < 0)
		return kerr_db(e, x->hub->db);
	db_done(res);
	if (rc == 0)
		return kerr_set(e, 404, "RevisionNotFound", "Invalid rev id: %s "
		    "(parentCommit is no commit of this repository)",
		    oid_hex_a(x->a, c->parent));
	return 0;
}

int
commit_apply(struct dctx *x, struct commit_req *c, struct oid *out,
    struct kerr *e)
{
	struct db *db = x->hub->db;
	const char *message = message_of(x, c);
	struct puts puts;
	struct kerr ge;
	uint64_t quota;
	int attempt;

	if (store_blobs(x, c->ops, c->nops, &puts) != 0 ||
	    quota_commit_limit(db, x->a, x->hub->conf.default_quota,
	    c->repo->owner_id, &quota) != 0)
		goto dberr;
	if (commit_store_again(x, c->ops, c->nops, e) != 0)
		return -1;
	for (attempt = 0; attempt < 8; attempt++) {
		struct commit_info head_commit;
		struct db_res *res;
		struct oid head, root;
		struct gc_git held;
		void *target;
		size_t tlen;
		int rc;

		if (db_exec(db, x->a, &res, &SQL_HEAD, db_i(c->repo->id),
		    db_s(c->branch)) != 0 ||
		    (rc = db_row(res, db_out_b(&target, &tlen))) < 0)
			goto dberr;
		if (rc == 0 || tlen != OID_LEN)
			return kerr_set(e, 404, "RevisionNotFound", "Invalid "
			    "rev id: %s (no such branch)", c->branch);
		memcpy(head.b, target, OID_LEN);
		if (c->detached && c->parent != NULL) {
			if ((rc = detached_base(x, c, e)) != 0)
				return rc;
			head = *c->parent;
		} else if (c->parent != NULL && !oid_eq(c->parent, &head))
			return kerr_set(e, 412, "PreconditionFailed", "A commit "
			    "has happened since. Please refresh and try again.");
		if (gitstore_commit(db, x->a, &head, &head_commit) != 0)
			goto dberr;
		gc_git_init(&held, x->a);
		if (build_tree(x, &head_commit.tree, c->ops, c->nops, &held,
		    &root))
			goto dberr;
		if (write_commit(x, c->author_name, c->author_email, &root,
		    &head, message, &held, out) != 0)
			goto dberr;

		if (db_begin(db) != 0)
			goto dberr;
		if ((rc = commit_guard(x, c->repo, quota, &puts, &held,
		    &ge)) != 0) {
			db_rollback(db);
			if (rc == 1)
				return collected(e);
			if (db_errno(db) == ER_LOCK_DEADLOCK)
				continue;
			*e = ge;
			return -1;
		}
		if (!c->detached && db_exec(db, x->a, &res, &SQL_MOVE,
		    db_b(out->b, OID_LEN), db_i(c->repo->id), db_s(c->branch),
		    db_b(head.b, OID_LEN)) != 0) {
			db_rollback(db);
			if (db_errno(db) == ER_LOCK_DEADLOCK)
				continue;
			goto dberr;
		}
		if (c->detached || db_affected(res) == 1) {
			memset(&ge, 0, sizeof(ge));
			if (quota_commit_mark(db, x->a, quota,
			    c->repo->owner_id) != 0 ||
			    record(x, c->repo->id, out, c->ops, &puts) != 0 ||
			    (c->with != NULL && c->with(c->with_arg, &head, out,
			    &ge) != 0) || db_commit(db) != 0) {
				db_rollback(db);
				if (db_errno(db) == ER_LOCK_DEADLOCK)
					continue;
				if (ge.status != 0) {
					*e = ge;
					return -1;
				}
				goto dberr;
			}
			return 0;
		}
		/* Someone moved the branch between our read and our write:
		 * rebuild on the new head, unless a parent was promised. */
		db_rollback(db);
		if (c->parent != NULL)
			return kerr_set(e, 412, "PreconditionFailed", "A commit "
			    "has happened since. Please refresh and try again.");
		log_debug("commit to %s@%s raced; rebuilding (attempt %d)",
		    c->repo->full, c->branch, attempt + 2);
	}
	return kerr_set(e, 503, "ServiceUnavailable", "Too many concurrent "
	    "commits to %s; try again", c->branch);
dberr:
	return kerr_db(e, db);
}

int
commit_initial(struct dctx *x, int64_t repo_id, const char *author_name,
    const char *author_email, struct commit_op *ops, size_t nops,
    struct oid *out, struct kerr *e)
{
	struct db *db = x->hub->db;
	struct gc_git held;
	struct puts puts;
	struct oid root;
	int rc;

	gc_git_init(&held, x->a);
	if (store_blobs(x, ops, nops, &puts) != 0 ||
	    build_tree(x, NULL, ops, nops, &held, &root) != 0 ||
	    write_commit(x, author_name, author_email, &root, NULL,
	    "initial commit", &held, out) != 0 ||
	    db_exec(db, x->a, NULL, &SQL_NEW_BRANCH, db_i(repo_id),
	    db_s("main"), db_b(out->b, OID_LEN)) != 0 ||
	    (rc = gc_hold(db, x->a, puts.json, puts.counts, puts.nchunks)) < 0 ||
	    (rc == 0 && (rc = gc_hold_git(db, x->a, &held)) < 0))
		return kerr_db(e, db);
	if (rc == 1)
		return collected(e);
	if (record(x, repo_id, out, ops, &puts) != 0)
		return kerr_db(e, db);
	return 0;
}

static int
cmp_blob_oid(const void *x, const void *y)
{
	const struct commit_blob *const *a = x, *const *b = y;

	return memcmp((*a)->blob.oid.b, (*b)->blob.oid.b, OID_LEN);
}

/*
 * Marks which of v[0..n) (ids distinct) are stored already, by one query
 * per KNOWN_CHUNK: v[i].stored. Answers and returns -1 on a database error
 * or a SHA-1 collision.
 */
static int
blobs_known(struct dctx *x, struct commit_blob *v, size_t n, struct kerr *e)
{
	struct db_res *res;
	struct buf q;
	size_t i, j, olen, slen;
	void *oid, *sha;
	int64_t lfs, in_s3;
	int rc;
	struct commit_blob **by_oid = arena_alloc(x->a, KNOWN_CHUNK *
	    sizeof(*by_oid));

	for (i = 0; i < n; i += KNOWN_CHUNK) {
		size_t m = n - i < KNOWN_CHUNK ? n - i : KNOWN_CHUNK;

		/* the rows come in any order: found by binary search */
		for (j = 0; j < m; j++)
			by_oid[j] = &v[i + j];
		qsort(by_oid, m, sizeof(*by_oid), cmp_blob_oid);
		buf_init(&q, x->a);
		buf_addc(&q, '[');
		for (j = 0; j < m; j++) {
			char hex[OID_HEX + 1];

			oid_hex(&v[i + j].blob.oid, hex);
			buf_printf(&q, "%s\"%s\"", j ? "," : "", hex);
		}
		buf_addc(&q, ']');
		if (db_exec(x->hub->db, x->a, &res, &SQL_BLOBS_KNOWN,
		    db_s(q.data)) != 0)
			return kerr_db(e, x->hub->db);
		while ((rc = db_row(res, db_out_b(&oid, &olen), db_out_b(&sha,
		    &slen), db_out_i(&lfs), db_out_i(&in_s3))) == 1) {
			struct commit_blob key, *kp = &key, **hit, *b;

			if (olen != OID_LEN)
				continue;
			memcpy(key.blob.oid.b, oid, OID_LEN);
			if ((hit = bsearch(&kp, by_oid, m, sizeof(*by_oid),
			    cmp_blob_oid)) == NULL)
				continue;
			b = *hit;
			if (!lfs && slen == SHA256_LEN &&
			    !memcmp(sha, b->blob.sha256, SHA256_LEN)) {
				b->stored = true;	/* these very bytes */
				b->blob.in_s3 = in_s3 != 0;
				continue;
			}
			/* Same git id, other bytes: a SHA-1 collision.
			 * Storing would let one blob stand for the other. */
			db_done(res);
			return kerr_set(e, 422, "BlobCollision", "This file's "
			    "git blob id %s is already taken by other content "
			    "(a SHA-1 collision); it cannot be stored",
			    oid_hex_a(x->a, &b->blob.oid));
		}
		if (rc < 0)
			return kerr_db(e, x->hub->db);
	}
	return 0;
}

int
commit_store_regulars(struct dctx *x, struct commit_blob *v, size_t n,
    struct kerr *e)
{
	struct s3_obj *put;
	size_t i, nput = 0;
	int rc;

	for (i = 0; i < n; i++) {
		memset(&v[i].blob, 0, sizeof(v[i].blob));
		git_blob_oid(&v[i].blob.oid, v[i].data, v[i].len);
		hash_sha256(v[i].blob.sha256, v[i].data, v[i].len);
		v[i].blob.size = v[i].len;
		v[i].stored = false;
		v[i].row_data = NULL;
	}
	/* A blob row exists only once its bytes are stored: in S3 before
	 * the row is written, or in blob_data with it. */
	if (blobs_known(x, v, n, e) != 0)
		return -1;
	put = arena_alloc(x->a, (n + 1) * sizeof(*put));
	for (i = 0; i < n; i++) {
		if (v[i].stored)
			continue;
		if (blobstore_is_small(false, v[i].len)) {
			/* S3 does a thousand PUTs a second: these go to the
			 * database with their rows (issue 17). */
			v[i].blob.in_s3 = false;
			v[i].row_data = v[i].data;
			continue;
		}
		v[i].blob.in_s3 = true;
		put[nput].key = gitstore_s3_key(x->a, &v[i].blob);
		put[nput].data = v[i].data;
		put[nput].len = v[i].len;
		nput++;
	}
	rc = s3_put_many(x->hub->s3, put, nput);
	if (rc != S3_OK)
		return kerr_set(e, rc == S3_UNAVAILABLE ? 503 : 500,
		    rc == S3_UNAVAILABLE ? "ServiceUnavailable" :
		    "InternalError", "Storing a file in S3 failed: %s",
		    s3_errmsg(x->hub->s3));
	return 0;
}

/* A string member of v, copied into the arena (NULL when it is none). */
static const char *
member(struct arena *a, json_object *v, const char *key)
{
	const char *s = jget_str(v, key);

	return s != NULL ? arena_strdup(a, s) : NULL;
}

/* The members of value a commit reads, into l (struct ndjson_line). */
static void
line_members(struct arena *a, json_object *v, struct ndjson_line *l)
{
	json_object *sz;

	l->path = member(a, v, "path");
	l->content = member(a, v, "content");
	l->encoding = member(a, v, "encoding");
	l->oid = member(a, v, "oid");
	l->algo = member(a, v, "algo");
	l->summary = member(a, v, "summary");
	l->description = member(a, v, "description");
	l->parent = member(a, v, "parentCommit");
	l->has_size = NDJSON_NO_SIZE;
	l->size = 0;
	if (json_object_object_get_ex(v, "size", &sz)) {
		if (sz != NULL && json_object_is_type(sz, json_type_int) &&
		    json_object_get_int64(sz) >= 0) {
			l->has_size = NDJSON_SIZE;
			l->size = json_object_get_int64(sz);
		} else
			l->has_size = NDJSON_BAD_SIZE;
	}
}

int
commit_ndjson_parse(struct arena *a, const char *body, size_t len,
    struct ndjson_line **out, size_t *nout, struct kerr *e)
{
	const char *p = body, *end = body + len;
	size_t n = 0, cap = 16, lineno = 0;
	struct ndjson_line *lines = arena_alloc(a, cap * sizeof(*lines));

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)((nl ? nl : end) - p);
		struct json_tokener *tok;
		json_object *o, *v;
		const char *key;

		lineno++;
		if (strspn(p, " \t\r") >= ll) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (ll > INT32_MAX || (tok = json_tokener_new_ex(32)) == NULL)
			return kerr_set(e, 413, "PayloadTooLarge", "line %zu is "
			    "too long", lineno);
		o = json_tokener_parse_ex(tok, p, (int)ll);
		if (o != NULL && json_tokener_get_parse_end(tok) < ll &&
		    strspn(p + json_tokener_get_parse_end(tok), " \t\r") <
		    ll - json_tokener_get_parse_end(tok)) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
		if (o == NULL)
			return kerr_set(e, 400, "BadRequest", "line %zu is not a "
			    "JSON object", lineno);
		if (!json_text_valid(o)) {
			json_object_put(o);
			return kerr_set(e, 400, "BadRequest", "line %zu is not "
			    "valid UTF-8 text", lineno);
		}
		key = jget_str(o, "key");
		if (key == NULL || !json_object_object_get_ex(o, "value", &v) ||
		    !json_object_is_type(v, json_type_object)) {
			json_object_put(o);
			return kerr_set(e, 400, "BadRequest", "line %zu needs a "
			    "'key' string and a 'value' object", lineno);
		}
		if (n == cap) {
			struct ndjson_line *bigger = arena_alloc(a,
			    2 * cap * sizeof(*bigger));

			memcpy(bigger, lines, n * sizeof(*bigger));
			lines = bigger;
			cap *= 2;
		}
		lines[n].key = arena_strdup(a, key);
		line_members(a, v, &lines[n]);
		json_object_put(o);
		n++;
		p = nl ? nl + 1 : end;
	}
	*out = lines;
	*nout = n;
	return 0;
}

int
commit_store_regular(struct dctx *x, const void *data, size_t len,
    struct commit_op *op, struct kerr *e)
{
	struct commit_blob b;

	b.data = data;
	b.len = len;
	if (commit_store_regulars(x, &b, 1, e) != 0)
		return -1;
	op->blob = b.blob;
	op->data = b.row_data;
	op->stored = b.stored;
	op->bytes = b.blob.in_s3 ? data : NULL;
	return 0;
}
