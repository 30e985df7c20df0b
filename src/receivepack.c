/*
 * receivepack.c: git push into the store, in four steps:
 *
 *   1. the pack indexed and every object resolved in memory, once, in
 *      the order of its deltas (on objects of the pack, or of this
 *      repository: a thin pack's bases, read from the store; trees once
 *      the commits the push stands on are known), each checked as git
 *      fsck would (commits, trees, LFS pointers, tags);
 *   2. from each command's new commit, the pushed commits and their trees
 *      walked: every parent, subtree and blob they name but the pack
 *      lacks must be this repository's; tree paths pass path_invalid();
 *      regular files over RECEIVE_FILE_MAX are listed (then refused as
 *      huggingface.co refuses them); LFS objects must be usable by the
 *      pusher (lfs_ensure_verified(), the API's possession rule); quota
 *      (again, atomically, in the refs' transaction: quota.h);
 *   3. the objects stored: blobs (bytes, then rows), trees, commits,
 *      tags (a tag ref's target is the tag object: readers peel it; a
 *      tag of a tag's row says what its chain peels to), as
 *      the API's commits do (content-addressed: one a failed push left
 *      is unreferenced and harmless);
 *   4. the refs moved by compare-and-set, with repo_commit and repo_blob
 *      rows: one transaction for an atomic push, else one per ref; the
 *      first one holds the pushed blobs against gc (gc_hold(), gc.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysqld_error.h>

#include "blobstore.h"
#include "db.h"
#include "fresh.h"
#include "gc.h"
#include "gitpack.h"
#include "gitstore.h"
#include "hash.h"
#include "hub.h"
#include "lfs.h"
#include "names.h"
#include "oidmap.h"
#include "pktline.h"
#include "quota.h"
#include "receivepack.h"
#include "s3.h"

static const struct db_stmt SQL_IS_COMMIT = DB_READ("ib", "i",
    "SELECT 1 FROM repo_commit WHERE repo_id = ? AND oid = ?");
/* An annotated tag this repository has: a tag ref points at it. */
static const struct db_stmt SQL_IS_TAG = DB_READ("ib", "i",
    "SELECT 1 FROM ref r JOIN git_tag g ON g.oid = r.target"
    " WHERE r.repo_id = ? AND r.kind = 'tag' AND r.target = ?");
/* The tag refs whose tag tags a tag (where a tag may be held deeper). */
static const struct db_stmt SQL_TAG_CHAINS = DB_READ("i", "b",
    "SELECT r.target FROM ref r JOIN git_tag g ON g.oid = r.target"
    " WHERE r.repo_id = ? AND r.kind = 'tag' AND g.type = 'tag'");
static const struct db_stmt SQL_IS_BLOB = DB_READ("ib", "i",
    "SELECT 1 FROM repo_blob WHERE repo_id = ? AND oid = ?");
/* Which ids of a JSON array of hex ids are this repository's blobs, with
 * their rows and a small file's bytes (an LFS file's pointer is made from
 * its row; a large file's bytes are in S3), or its commits: a thin pack's
 * bases, THIN_BATCH a query. */
static const struct db_stmt SQL_BASE_BLOBS = DB_READ("si", "bubiib",
    "SELECT g.oid, g.size, g.sha256, g.lfs, g.in_s3, d.data"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j"
    " JOIN repo_blob r ON r.repo_id = ? AND r.oid = UNHEX(j.h)"
    " JOIN git_blob g ON g.oid = r.oid"
    " LEFT JOIN blob_data d ON d.oid = g.oid AND g.lfs = 0");
static const struct db_stmt SQL_BASE_COMMITS = DB_READ("si", "b",
    "SELECT c.oid FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
    " PATH '$')) AS j JOIN repo_commit c ON c.repo_id = ?"
    " AND c.oid = UNHEX(j.h)");
/* Ids a batch: 1,000 are 43 KB of JSON; their small files' bytes at most
 * 4 MiB (blobstore.h). */
#define THIN_BATCH	1000
/* A root tree of one of this repository's commits (a tag of a tree the
 * push does not bring): O(the repository's commits), once a tag. */
static const struct db_stmt SQL_IS_ROOT_TREE = DB_READ("ib", "i",
    "SELECT 1 FROM repo_commit rc JOIN git_commit c ON c.oid = rc.oid"
    " WHERE rc.repo_id = ? AND c.tree = ? LIMIT 1");
static const struct db_stmt SQL_HEADS = DB_READ("i", "b",
    "SELECT target FROM ref WHERE repo_id = ? AND kind = 'branch'");
static const struct db_stmt SQL_REF_MOVE = DB_WRITE("bissb",
    "UPDATE ref SET target = ? WHERE repo_id = ? AND kind = ? AND name = ?"
    " AND target = ?");
static const struct db_stmt SQL_REF_CREATE = DB_WRITE("issb",
    "INSERT IGNORE INTO ref (repo_id, kind, name, target) VALUES (?, ?, ?, ?)");
static const struct db_stmt SQL_REF_DELETE = DB_WRITE("issb",
    "DELETE FROM ref WHERE repo_id = ? AND kind = ? AND name = ?"
    " AND target = ?");
/* Many rows a statement (db_exec_rows()): a push of many files holds the
 * ref's lock for a few statements, not one per object. */
static struct db_rows repo_commit_rows = DB_ROWS(
    "INSERT IGNORE INTO repo_commit (repo_id, oid) VALUES ",
    "(?, ?)", "ib");
static struct db_rows repo_blob_rows = DB_ROWS(
    "INSERT IGNORE INTO repo_blob (repo_id, oid) VALUES ",
    "(?, ?)", "ib");
static const struct db_stmt SQL_TOUCH = DB_WRITE("i",
    "UPDATE repo SET updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?");

static const struct oid ZERO;

/* ---- the request ---- */

const char *
receive_capabilities(struct arena *a, const char *agent)
{
	return arena_printf(a, "report-status report-status-v2 delete-refs "
	    "side-band-64k quiet atomic ofs-delta object-format=sha1 "
	    "agent=%s", agent);
}

/* Whether the capability list caps (n bytes) has word. */
static bool
has_cap(const char *caps, size_t n, const char *word)
{
	size_t w = strlen(word), i = 0;

	while (i < n) {
		size_t k = i;

		while (k < n && caps[k] != ' ')
			k++;
		if (k - i == w && !memcmp(caps + i, word, w))
			return true;
		i = k + 1;
	}
	return false;
}

int
receive_parse(struct push_req *q, struct arena *a, const char *body,
    size_t len, struct kerr *e)
{
	struct pkt_reader rd;
	struct pkt p;
	size_t cap = 0;
	int rc;

	memset(q, 0, sizeof(*q));
	pkt_reader_init(&rd, body, len);
	for (;;) {
		const char *nul, *sp;
		size_t n;
		struct push_cmd *c;

		if ((rc = pkt_read(&rd, &p)) <= 0)
			return kerr_set(e, 400, "BadRequest", "protocol error: "
			    "the commands end without a flush");
		if (p.kind == PKT_FLUSH)
			break;
		if (p.kind != PKT_DATA)
			return kerr_set(e, 400, "BadRequest", "protocol error: "
			    "unexpected special line");
		if (q->ncmds == 0 && p.len >= 8 && !memcmp(p.data, "shallow ",
		    8))
			continue;	/* the pusher's shallow commits */
		n = p.len;
		if ((nul = memchr(p.data, '\0', p.len)) != NULL) {
			if (q->ncmds > 0)
				return kerr_set(e, 400, "BadRequest", "protocol "
				    "error: capabilities after the first "
				    "command");
			n = (size_t)(nul - p.data);
			rc = (int)(p.len - n - 1);
			q->report_status = has_cap(nul + 1, (size_t)rc,
			    "report-status") || has_cap(nul + 1, (size_t)rc,
			    "report-status-v2");
			q->sideband = has_cap(nul + 1, (size_t)rc,
			    "side-band-64k");
			q->atomic = has_cap(nul + 1, (size_t)rc, "atomic");
			q->quiet = has_cap(nul + 1, (size_t)rc, "quiet");
		}
		if (n < 2 * OID_HEX + 3 || p.data[OID_HEX] != ' ' ||
		    p.data[2 * OID_HEX + 1] != ' ')
			return kerr_set(e, 400, "BadRequest", "protocol error: "
			    "expected <old> <new> <ref>");
		if (q->ncmds >= RECEIVE_COMMANDS_MAX)
			return kerr_set(e, 400, "BadRequest", "too many "
			    "commands (at most %d)", RECEIVE_COMMANDS_MAX);
		if (q->ncmds == cap) {
			struct push_cmd *v;

			cap = cap ? 2 * cap : 8;
			v = arena_alloc(a, cap * sizeof(*v));
			if (q->ncmds)
				memcpy(v, q->cmds, q->ncmds * sizeof(*v));
			q->cmds = v;
		}
		c = &q->cmds[q->ncmds];
		memset(c, 0, sizeof(*c));
		sp = p.data + 2 * OID_HEX + 2;
		if (oid_parse(&c->old, p.data, OID_HEX) != 0 ||
		    oid_parse(&c->new, p.data + OID_HEX + 1, OID_HEX) != 0)
			return kerr_set(e, 400, "BadRequest", "protocol error: "
			    "expected <old> <new> <ref>");
		c->ref = arena_strndup(a, sp, n - 2 * OID_HEX - 2);
		if (strlen(c->ref) != n - 2 * OID_HEX - 2)
			return kerr_set(e, 400, "BadRequest", "protocol error: "
			    "a ref name holds a NUL");
		if (!oid_eq(&c->new, &ZERO))
			q->has_pack = true;
		q->ncmds++;
	}
	if (q->ncmds == 0)
		return kerr_set(e, 400, "BadRequest", "protocol error: no "
		    "commands");
	q->pack_off = len - rd.left;
	if (!q->has_pack && rd.left != 0)
		q->has_pack = true;	/* a pack after deletes only: read it */
	return 0;
}

void
receive_report(struct buf *b, const struct push_req *q,
    const char *unpack_error)
{
	size_t i;

	if (unpack_error != NULL)
		pkt_printf(b, "unpack %s\n", unpack_error);
	else
		pkt_printf(b, "unpack ok\n");
	for (i = 0; i < q->ncmds; i++) {
		if (q->cmds[i].ng == NULL)
			pkt_printf(b, "ok %s\n", q->cmds[i].ref);
		else
			pkt_printf(b, "ng %s %s\n", q->cmds[i].ref,
			    q->cmds[i].ng);
	}
	pkt_flush(b);
}

/* ---- the objects ---- */

/* One pushed object, resolved. */
struct pobj {
	struct oid	 oid;
	unsigned char	 type;		/* enum pack_type */
	bool		 done;		/* resolved */
	bool		 lfs;		/* a blob that is an LFS pointer */
	bool		 reached;	/* by a command's walk */
	bool		 known;		/* a blob the store has already */
	bool		 checked;	/* by check_object() */
	unsigned char	*data;		/* malloc'd */
	size_t		 len;
	unsigned char	 sha256[SHA256_LEN];	/* LFS: the object's */
	uint64_t	 lfs_size;
	struct commit_info ci;		/* commits */
	struct tag_info	 ti;		/* tags */
};

struct push {
	const struct dctx *x;
	struct db	*db;
	int64_t		 repo_id;
	struct kerr	*e;
	push_say	 say;
	void		*arg;
	struct pobj	*o;
	uint32_t	 n;
	struct oidmap	 byid;		/* oid -> index in o */
	/* the repository's commits the pushed ones stand on */
	struct oid	*bound;
	size_t		 nbound, capbound;
	struct oidmap	 known;		/* their trees, once needed */
	bool		 known_loaded;
	/* regular files over the limit: "path (ref: name)" */
	char		**big;
	size_t		 nbig, capbig;
	int64_t		 ns_id;		/* the namespace, for the quota */
	const char	*ns;
	uint64_t	 quota;		/* its quota (0: none) */
	/* the pushed blobs' ids, JSON arrays of hex (gc_hold(),
	 * quota_commit_check()) */
	char		**json;
	size_t		*counts, nchunks;
	uint64_t	 memory_max;	/* inflated objects held at most */
	uint64_t	 held;		/* inflated bytes held now */
	bool		 recorded;	/* record() committed */
	bool		 heads_bound;	/* bound has the branch heads */
	/*
	 * Step 1's state: the pack's entries; per entry the next one waiting
	 * on the same base (a list), the first OFS_DELTA waiting on it, and
	 * the base it is resolved against; the REF_DELTAs waiting on each
	 * base id; a stack of entries ready to resolve; thin bases (objects
	 * of this repository the pack's deltas name): ext.
	 */
	const unsigned char *pack;
	size_t		 packlen;
	struct pack_entry *v;
	uint32_t	*next, *ofs_wait, *stack, sp, left;
	struct pobj	**base_of;
	struct oidmap	 waiting, tried;
	struct pobj	*ext;
	uint32_t	 next_n;
};

/* No entry (the end of a waiting list, a list released). */
#define NONE	UINT32_MAX

static const char *
type_name(unsigned t)
{
	return t == PACK_COMMIT ? "commit" : t == PACK_TREE ? "tree" :
	    t == PACK_BLOB ? "blob" : "tag";
}

static void
free_objects(void *p)
{
	struct push *s = p;
	uint32_t i;

	for (i = 0; s->o != NULL && i < s->n; i++)
		free(s->o[i].data);
	for (i = 0; s->ext != NULL && i < s->next_n; i++)
		free(s->ext[i].data);
	free(s->o);
	free(s->ext);
	free(s->v);
	free(s->next);
	free(s->ofs_wait);
	free(s->stack);
	free(s->base_of);
}

/* The entry whose header is at off (entries are in pack order). */
static long
entry_at(const struct pack_entry *v, uint32_t n, uint64_t off)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v[mid].off == off)
			return (long)mid;
		if (v[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* An LFS pointer exactly as git-lfs writes it (lfs_pointer()): 1 with
 * sha256 and size, 0 when not a pointer at all, -1 when malformed. */
static int
parse_pointer(struct pobj *ob, struct arena *a)
{
	const char *t = (const char *)ob->data, *p;
	char *end;
	struct buf again;

	if (!lfs_is_pointer(ob->data, ob->len))
		return 0;
	p = memmem(t, ob->len, "\noid sha256:", 12);
	if (p == NULL || (size_t)(t + ob->len - p) < 12 + 64 + 6 ||
	    hex_decode(ob->sha256, SHA256_LEN, p + 12, 64) != 0 ||
	    memcmp(p + 12 + 64, "\nsize ", 6) != 0)
		return -1;
	p += 12 + 64 + 6;
	if (*p < '0' || *p > '9')
		return -1;
	ob->lfs_size = strtoull(p, &end, 10);
	buf_init(&again, a);
	lfs_pointer(&again, ob->sha256, ob->lfs_size);
	if (again.len != ob->len || memcmp(again.data, ob->data, ob->len))
		return -1;
	return 1;
}

/* Files git reads from the work tree itself: git fsck refuses them as
 * symbolic links (gitmodulesSymlink, gitattributesSymlink...). */
static bool
git_file(const char *name)
{
	return !strcasecmp(name, ".gitmodules") ||
	    !strcasecmp(name, ".gitattributes") ||
	    !strcasecmp(name, ".gitignore") || !strcasecmp(name, ".mailmap");
}

/* Step 1's check of one resolved object. */
static int
check_object(struct push *s, struct pobj *ob)
{
	const char *why = NULL;
	char hex[OID_HEX + 1];
	struct tree t;
	size_t i;
	int rc;

	oid_hex(&ob->oid, hex);
	switch (ob->type) {
	case PACK_COMMIT:
		if (commit_parse(&ob->ci, s->x->a, (const char *)ob->data,
		    ob->len, &why) != 0)
			return kerr_set(s->e, 400, "BadRequest", "commit %s: "
			    "%s", hex, why);
		return 0;
	case PACK_TREE:
		if (tree_parse(&t, s->x->a, ob->data, ob->len) != 0)
			return kerr_set(s->e, 400, "BadRequest", "tree %s is "
			    "malformed (git fsck's rules: known modes, sorted, "
			    "no duplicates, no '/' in names)", hex);
		for (i = 0; i < t.n; i++) {
			char *name = arena_strndup(s->x->a, t.e[i].name,
			    t.e[i].namelen);

			if (t.e[i].mode == 0160000)
				return kerr_set(s->e, 400, "BadRequest",
				    "tree %s: submodules (%s) are not "
				    "supported", hex, name);
			if (oid_eq(&t.e[i].oid, &ZERO))
				return kerr_set(s->e, 400, "BadRequest",
				    "tree %s: %s has a null id", hex, name);
			if (t.e[i].mode == MODE_LINK && git_file(name))
				return kerr_set(s->e, 400, "BadRequest",
				    "tree %s: %s may not be a symbolic link",
				    hex, name);
			if ((why = path_invalid(name)) != NULL)
				return kerr_set(s->e, 400, "BadRequest",
				    "tree %s: the name \"%s\" %s", hex, name,
				    why);
		}
		return 0;
	case PACK_BLOB:
		if ((rc = parse_pointer(ob, s->x->a)) < 0)
			return kerr_set(s->e, 400, "BadRequest", "blob %s looks "
			    "like an LFS pointer but is not one git-lfs "
			    "writes", hex);
		ob->lfs = rc == 1;
		return 0;
	default:
		if (tag_parse(&ob->ti, s->x->a, (const char *)ob->data,
		    ob->len, &why) != 0)
			return kerr_set(s->e, 400, "BadRequest", "tag %s: %s",
			    hex, why);
		return 0;
	}
}

static int	 load_known(struct push *);
static int	 add_heads(struct push *);

/* Entry i is ready: resolved against base (NULL: a whole object) next. */
static void
ready(struct push *s, uint32_t i, struct pobj *base)
{
	s->base_of[i] = base;
	s->stack[s->sp++] = i;
}

/* Everything waiting on ob (index i in the pack, or NONE for a thin
 * base) is ready. */
static void
release(struct push *s, uint32_t i, struct pobj *ob)
{
	uint32_t *w, k;

	if (i != NONE)
		for (k = s->ofs_wait[i]; k != NONE; k = s->next[k])
			ready(s, k, ob);
	if ((w = map_get(&s->waiting, &ob->oid)) != NULL && *w != NONE) {
		for (k = *w; k != NONE; k = s->next[k])
			ready(s, k, ob);
		*w = NONE;
	}
}

/*
 * Entry i inflated, and applied to its base when a delta; what waits on
 * it then ready. Bounded: what is held (objects, and the delta being
 * applied) stays within memory_max, checked before each allocation.
 * 0, or -1 with *why.
 */
static int
resolve_entry(struct push *s, uint32_t i, const char **why)
{
	const struct pack_entry *e = &s->v[i];
	struct pobj *ob = &s->o[i], *base = s->base_of[i];
	unsigned char *raw;

	if (e->size > s->memory_max - s->held) {
		*why = "the pack's objects are larger than khub takes at once";
		return -1;
	}
	if ((raw = malloc(e->size ? e->size : 1)) == NULL)
		oom();
	if (pack_inflate(s->pack, s->packlen, e, raw) != 0) {
		free(raw);
		*why = "an object's data is corrupt";
		return -1;
	}
	if (base == NULL) {
		ob->type = e->type;
		ob->data = raw;
		ob->len = (size_t)e->size;
		s->held += e->size;
	} else {
		int rc = delta_apply(base->data, base->len, raw,
		    (size_t)e->size, s->memory_max - s->held - e->size,
		    &ob->data, &ob->len, why);

		free(raw);
		if (rc != 0)
			return -1;
		s->held += ob->len;
		ob->type = base->type;
	}
	git_object_oid(&ob->oid, type_name(ob->type), ob->data, ob->len);
	ob->done = true;
	map_add(&s->byid, &ob->oid, i);
	s->left--;
	release(s, i, ob);
	return 0;
}

/* Resolves every entry that is ready, and what that makes ready. */
static int
drain(struct push *s)
{
	const char *why;

	while (s->sp > 0)
		if (resolve_entry(s, s->stack[--s->sp], &why) != 0)
			return kerr_set(s->e, 400, "BadRequest", "pack: %s",
			    why);
	return 0;
}

/*
 * Whether tree o is one this repository reaches: a tree of the snapshots
 * of the commits the push stands on (where git takes a thin pack's bases
 * from), or, for a pusher who knows more (a shallow one's bases come from
 * the refs it saw), of the branch heads'. 1, 0, -1.
 */
static int
repo_reaches_tree(struct push *s, const struct oid *o)
{
	if (!s->known_loaded && load_known(s) != 0)
		return -1;
	if (map_get(&s->known, o) != NULL)
		return 1;
	if (s->heads_bound)
		return 0;
	if (add_heads(s) != 0 || (!s->known_loaded && load_known(s) != 0))
		return -1;
	return map_get(&s->known, o) != NULL;
}

/* Takes the next len bytes of a thin base being read. */
struct base_read {
	unsigned char	*p;
	size_t		 len, cap;
};

static int
base_sink(void *arg, const void *data, size_t len)
{
	struct base_read *r = arg;

	if (len > r->cap - r->len)
		return -1;
	memcpy(r->p + r->len, data, len);
	r->len += len;
	return 0;
}

/* Room for len bytes more within the push's memory bound, else *s->e. */
static int
base_room(struct push *s, size_t len)
{
	if (len <= s->memory_max - s->held)
		return 0;
	return kerr_set(s->e, 400, "BadRequest", "pack: the pack's objects "
	    "are larger than khub takes at once");
}

/*
 * Object o of type t as a thin base: p (malloc'd, len bytes, taken)
 * checked against its id, held (ext), and what waits on it made ready.
 * 0, or -1 with *s->e.
 */
static int
add_base(struct push *s, const struct oid *o, unsigned t, unsigned char *p,
    size_t len)
{
	struct pobj *b = &s->ext[s->next_n];
	struct oid got;

	git_object_oid(&got, type_name(t), p, len);
	if (!oid_eq(&got, o)) {
		free(p);
		return kerr_set(s->e, 500, "InternalError", "the stored %s %s "
		    "does not match its id", type_name(t), oid_hex_a(s->x->a,
		    o));
	}
	b->oid = *o;
	b->type = (unsigned char)t;
	b->done = true;
	b->data = p;
	b->len = len;
	s->held += len;
	s->next_n++;
	release(s, NONE, b);
	return 0;
}

/* Blob bi of this repository as a thin base: a small file's bytes as its
 * row came with them (data, dlen), else read (blob_data or S3; an LFS
 * file's pointer made from its row, as upload-pack makes it). */
static int
base_blob(struct push *s, const struct blob_info *bi, const void *data,
    size_t dlen)
{
	size_t len = (size_t)gitstore_blob_git_size(bi);
	struct base_read r = { NULL, 0, len };

	if (base_room(s, len) != 0)
		return -1;
	if ((r.p = malloc(len ? len : 1)) == NULL)
		oom();
	if (!bi->lfs && data != NULL && dlen == bi->size)
		base_sink(&r, data, dlen);
	else if (gitstore_blob_read(s->db, s->x->hub->s3, s->x->a, bi,
	    base_sink, &r, s->e) != 0) {
		free(r.p);
		return -1;
	}
	if (r.len != len) {
		free(r.p);
		return kerr_set(s->e, 500, "InternalError", "the stored "
		    "blob %s is not of its size", oid_hex_a(s->x->a,
		    &bi->oid));
	}
	return add_base(s, &bi->oid, PACK_BLOB, r.p, len);
}

/* Commit or tree o of this repository as a thin base (its text, or its
 * raw form, from the store). */
static int
base_object(struct push *s, const struct oid *o, unsigned t)
{
	struct commit_info ci;
	struct buf text;
	const void *raw;
	unsigned char *p;
	size_t len;
	int rc;

	if (t == PACK_COMMIT) {
		if ((rc = gitstore_commit(s->db, s->x->a, o, &ci)) == 0) {
			buf_init(&text, s->x->a);
			commit_write(&text, &ci);
			raw = text.data;
			len = text.len;
		}
	} else
		rc = gitstore_tree_raw(s->db, s->x->a, o, &raw, &len);
	if (rc != 0)
		return rc < 0 ? kerr_db(s->e, s->db) : kerr_set(s->e, 500,
		    "InternalError", "%s %s is missing from the store",
		    type_name(t), oid_hex_a(s->x->a, o));
	if (base_room(s, len) != 0)
		return -1;
	if ((p = malloc(len ? len : 1)) == NULL)
		oom();
	memcpy(p, raw, len);
	return add_base(s, o, t, p, len);
}

/* Whether base o is still waited on (by a delta not yet resolved). */
static bool
awaited(const struct push *s, const struct oid *o)
{
	uint32_t *w = map_get(&s->waiting, o);

	return w != NULL && *w != NONE;
}

/* A thin base's row, as the batch query gives it. */
struct base_row {
	struct blob_info bi;
	const void	*data;
	size_t		 dlen;
};

/*
 * The thin bases that are blobs or commits of this repository (git's
 * index-pack --fix-thin; repo_blob, repo_commit), found a batch of ids a
 * query each (with a blob's row, and a small file's bytes) and loaded;
 * what waits on them resolved. A base it lacks stays missing, whoever
 * else has it. 0 or -1.
 */
static int
thin_rows(struct push *s)
{
	struct oid *ids = arena_alloc(s->x->a, (s->n + 1) * sizeof(*ids));
	struct base_row *rows = NULL;
	struct oid *commits = NULL;
	struct db_res *res;
	struct buf js;
	size_t nids = 0, nrows, cap = 0, ncommits, ccap = 0, i, k, olen, slen;
	char hex[OID_HEX + 1];
	void *o, *sha, *data;
	uint64_t size;
	int64_t lfs, in_s3;
	int rc;

	for (i = 0; i < s->n; i++) {
		struct oid b;

		if (s->o[i].done || s->v[i].type != PACK_REF_DELTA)
			continue;
		memcpy(b.b, s->v[i].base, OID_LEN);
		if (awaited(s, &b) && map_add(&s->tried, &b, 1))
			ids[nids++] = b;
	}
	for (i = 0; i < nids; i += THIN_BATCH) {
		buf_init(&js, s->x->a);
		buf_addc(&js, '[');
		for (k = i; k < nids && k < i + THIN_BATCH; k++) {
			oid_hex(&ids[k], hex);
			buf_printf(&js, "%s\"%s\"", k > i ? "," : "", hex);
		}
		buf_add(&js, "]", 2);	/* with its NUL: a C string */
		/* the rows first: reading a blob queries too */
		if (db_exec(s->db, s->x->a, &res, &SQL_BASE_BLOBS,
		    db_s(js.data), db_i(s->repo_id)) != 0)
			return kerr_db(s->e, s->db);
		nrows = 0;
		for (;;) {
			struct base_row *r;
			size_t dlen;

			if ((rc = db_row(res, db_out_b(&o, &olen),
			    db_out_u(&size), db_out_b(&sha, &slen),
			    db_out_i(&lfs), db_out_i(&in_s3), db_out_b(&data,
			    &dlen))) != 1)
				break;
			if (olen != OID_LEN || slen != SHA256_LEN)
				continue;
			rows = arena_grow(s->x->a, rows, nrows, &cap,
			    sizeof(*rows), 64);
			r = &rows[nrows++];
			memset(r, 0, sizeof(*r));
			memcpy(r->bi.oid.b, o, OID_LEN);
			r->bi.size = size;
			memcpy(r->bi.sha256, sha, SHA256_LEN);
			r->bi.lfs = lfs != 0;
			r->bi.in_s3 = in_s3 != 0;
			r->data = data;
			r->dlen = dlen;
		}
		if (rc < 0)
			return kerr_db(s->e, s->db);
		for (k = 0; k < nrows; k++)
			if (awaited(s, &rows[k].bi.oid) && base_blob(s,
			    &rows[k].bi, rows[k].data, rows[k].dlen) != 0)
				return -1;
		/* then commits (git deltifies commits on commits rarely) */
		if (db_exec(s->db, s->x->a, &res, &SQL_BASE_COMMITS,
		    db_s(js.data), db_i(s->repo_id)) != 0)
			return kerr_db(s->e, s->db);
		ncommits = 0;
		while ((rc = db_row(res, db_out_b(&o, &olen))) == 1) {
			if (olen != OID_LEN)
				continue;
			commits = arena_grow(s->x->a, commits, ncommits, &ccap,
			    sizeof(*commits), 8);
			memcpy(commits[ncommits++].b, o, OID_LEN);
		}
		if (rc < 0)
			return kerr_db(s->e, s->db);
		for (k = 0; k < ncommits; k++)
			if (awaited(s, &commits[k]) && base_object(s,
			    &commits[k], PACK_COMMIT) != 0)
				return -1;
		if (drain(s) != 0)
			return -1;
	}
	return 0;
}

/*
 * The thin bases that are trees this repository reaches (once the
 * commits the push stands on are known: repo_reaches_tree()), loaded, and
 * what waits on them resolved. 0 or -1.
 */
static int
thin_trees(struct push *s)
{
	uint32_t i, *t;
	int rc;

	for (i = 0; i < s->n && s->left > 0; i++) {
		struct oid o;

		if (s->o[i].done || s->v[i].type != PACK_REF_DELTA)
			continue;
		memcpy(o.b, s->v[i].base, OID_LEN);
		if (!awaited(s, &o))
			continue;
		if (!map_add(&s->tried, &o, 2)) {
			t = map_get(&s->tried, &o);
			if (*t == 2)
				continue;
			*t = 2;
		}
		if ((rc = repo_reaches_tree(s, &o)) < 0)
			return -1;
		if (rc == 1 && (base_object(s, &o, PACK_TREE) != 0 ||
		    drain(s) != 0))
			return -1;
	}
	return 0;
}

/* Step 1's checks of the objects resolved since the last call. */
static int
check_resolved(struct push *s)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (s->o[i].done && !s->o[i].checked) {
			s->o[i].checked = true;
			if (check_object(s, &s->o[i]) != 0)
				return -1;
		}
	return 0;
}

/*
 * Step 1: the pack indexed, then every object resolved once, in an order
 * that follows the deltas (what waits on an object is resolved when it
 * is: linear, whatever the chains' depth and order), the thin bases
 * without trees loaded; the objects resolved checked. What is left waits
 * on trees (thin_trees(), once the commits are walked) or on
 * nothing this repository has.
 */
static int
resolve(struct push *s, const unsigned char *pack, size_t len)
{
	const char *why;
	uint32_t i, n, *w;
	long k;

	if (pack_index(pack, len, RECEIVE_OBJECTS_MAX, s->memory_max, &s->v,
	    &n, &why) != 0)
		return kerr_set(s->e, 400, "BadRequest", "pack: %s", why);
	s->pack = pack;
	s->packlen = len;
	s->n = s->left = n;
	if ((s->o = calloc(n ? n : 1, sizeof(*s->o))) == NULL ||
	    (s->ext = calloc(n ? n : 1, sizeof(*s->ext))) == NULL ||
	    (s->next = malloc((n ? n : 1) * sizeof(*s->next))) == NULL ||
	    (s->ofs_wait = malloc((n ? n : 1) * sizeof(*s->ofs_wait))) ==
	    NULL || (s->stack = malloc((n ? n : 1) * sizeof(*s->stack))) ==
	    NULL || (s->base_of = calloc(n ? n : 1, sizeof(*s->base_of))) ==
	    NULL)
		oom();
	map_init(&s->waiting, s->x->a);
	map_init(&s->tried, s->x->a);
	for (i = 0; i < n; i++)
		s->next[i] = s->ofs_wait[i] = NONE;
	for (i = 0; i < n; i++) {
		const struct pack_entry *e = &s->v[i];
		struct oid b;

		if (e->type == PACK_OFS_DELTA) {
			if ((k = entry_at(s->v, n, e->base_off)) < 0)
				return kerr_set(s->e, 400, "BadRequest",
				    "pack: a delta's base offset is not an "
				    "object");
			s->next[i] = s->ofs_wait[k];
			s->ofs_wait[k] = i;
		} else if (e->type == PACK_REF_DELTA) {
			memcpy(b.b, e->base, OID_LEN);
			if (!map_add(&s->waiting, &b, i)) {
				w = map_get(&s->waiting, &b);
				s->next[i] = *w;
				*w = i;
			}
		} else
			ready(s, i, NULL);
	}
	if (drain(s) != 0 || (s->left > 0 && thin_rows(s) != 0))
		return -1;
	return check_resolved(s);
}

/* The base a delta still waits on, for the refusal. */
static int
base_missing(struct push *s)
{
	uint32_t i, *w;

	for (i = 0; i < s->n; i++) {
		struct oid o;

		if (s->o[i].done || s->v[i].type != PACK_REF_DELTA)
			continue;
		memcpy(o.b, s->v[i].base, OID_LEN);
		if ((w = map_get(&s->waiting, &o)) != NULL && *w != NONE)
			return kerr_set(s->e, 400, "BadRequest", "pack: delta "
			    "base %s is neither in the pack nor in this "
			    "repository", oid_hex_a(s->x->a, &o));
	}
	return kerr_set(s->e, 400, "BadRequest", "pack: a delta's base "
	    "cannot be resolved");
}
/* The pushed object o of type t, or NULL. */
static struct pobj *
pushed(struct push *s, const struct oid *o, unsigned t)
{
	uint32_t *at = map_get(&s->byid, o);

	return at != NULL && s->o[*at].type == t ? &s->o[*at] : NULL;
}

/* Whether the repository has o in table sql: 1, 0, -1 (database). */
static int
repo_has(struct push *s, const struct db_stmt *st, const struct oid *o)
{
	struct db_res *res;
	int64_t one;
	int rc;

	if (db_exec(s->db, s->x->a, &res, st, db_i(s->repo_id), db_b(o->b,
	    OID_LEN)) != 0 || (rc = db_row(res, db_out_i(&one))) < 0)
		return kerr_db(s->e, s->db);
	return rc;
}

/* Every tree of the snapshots of the commits the push stands on, into
 * s->known (once, on the first tree the pack lacks elsewhere than at its
 * old path: a folder moved). Bounded by those snapshots' size. */
static int
load_known(struct push *s)
{
	struct commit_info ci;
	struct oid *stack;
	size_t n = 0, cap = 64, i, k;
	int rc;

	s->known_loaded = true;
	map_init(&s->known, s->x->a);
	stack = arena_alloc(s->x->a, cap * sizeof(*stack));
	for (i = 0; i < s->nbound; i++) {
		if ((rc = gitstore_commit(s->db, s->x->a, &s->bound[i],
		    &ci)) != 0)
			return rc < 0 ? kerr_db(s->e, s->db) : 0;
		if (map_add(&s->known, &ci.tree, 0))
			stack[n++] = ci.tree;
		while (n > 0) {
			struct oid t = stack[--n];
			struct tree tr;

			if ((rc = gitstore_tree(s->db, s->x->a, &t, &tr)) != 0)
				return rc < 0 ? kerr_db(s->e, s->db) :
				    kerr_set(s->e, 500, "InternalError", "a "
				    "tree is missing from the store");
			for (k = 0; k < tr.n; k++) {
				if (tr.e[k].mode != MODE_DIR ||
				    !map_add(&s->known, &tr.e[k].oid, 0))
					continue;
				if (n == cap) {
					struct oid *v = arena_alloc(s->x->a,
					    2 * cap * sizeof(*v));

					memcpy(v, stack, n * sizeof(*v));
					stack = v;
					cap *= 2;
				}
				stack[n++] = tr.e[k].oid;
			}
		}
	}
	return 0;
}

/* Whether the tree o, which the pack lacks, is a tree of one of the
 * repository's commits the push stands on: at the same path (the common
 * case, one walk), or anywhere in their snapshots. 1, 0, -1. */
static int
repo_tree_at(struct push *s, const char *path, const struct oid *o)
{
	struct commit_info ci;
	struct tree_entry te;
	size_t i;
	int rc;

	for (i = 0; i < s->nbound; i++) {
		if ((rc = gitstore_commit(s->db, s->x->a, &s->bound[i],
		    &ci)) != 0)
			return rc < 0 ? kerr_db(s->e, s->db) : 0;
		if ((rc = gitstore_walk(s->db, s->x->a, &ci.tree, path,
		    &te)) < 0)
			return kerr_db(s->e, s->db);
		if (rc == 0 && te.mode == MODE_DIR && oid_eq(&te.oid, o))
			return 1;
	}
	if (!s->known_loaded && load_known(s) != 0)
		return -1;
	return map_get(&s->known, o) != NULL;
}

static void
add_bound(struct push *s, const struct oid *o)
{
	size_t i;

	for (i = 0; i < s->nbound; i++)
		if (oid_eq(&s->bound[i], o))
			return;
	if (s->nbound == s->capbound) {
		struct oid *v;

		s->capbound = s->capbound ? 2 * s->capbound : 8;
		v = arena_alloc(s->x->a, s->capbound * sizeof(*v));
		if (s->nbound)
			memcpy(v, s->bound, s->nbound * sizeof(*v));
		s->bound = v;
	}
	s->bound[s->nbound++] = *o;
	s->known_loaded = false;	/* a snapshot more to know */
}

static int
missing(struct push *s, const char *what, const struct oid *o)
{
	return kerr_set(s->e, 400, "BadRequest", "%s %s is neither in the "
	    "pack nor in this repository", what, oid_hex_a(s->x->a, o));
}

/* Step 2 for blob o at path (named so in the 10 MiB refusal), for ref:
 * pushed (then reached: stored, recorded, its size and LFS object
 * checked) or this repository's. 0 or -1. */
static int
reach_blob(struct push *s, const struct oid *o, const char *path,
    const char *ref)
{
	struct pobj *b;
	int rc;

	if ((b = pushed(s, o, PACK_BLOB)) == NULL) {
		if ((rc = repo_has(s, &SQL_IS_BLOB, o)) <= 0)
			return rc < 0 ? -1 : missing(s, "blob", o);
		return 0;
	}
	if (b->reached)
		return 0;
	b->reached = true;
	if (!b->lfs && b->len > RECEIVE_FILE_MAX) {
		if (s->nbig == s->capbig) {
			char **v;

			s->capbig = s->capbig ? 2 * s->capbig : 8;
			v = arena_alloc(s->x->a, s->capbig * sizeof(*v));
			if (s->nbig)
				memcpy(v, s->big, s->nbig * sizeof(*v));
			s->big = v;
		}
		s->big[s->nbig++] = arena_printf(s->x->a, "%s (ref: %s)",
		    path, ref);
	}
	return 0;
}

/* Step 2 for one pushed tree at path ("" or "dir/"), for ref. */
static int
walk_tree(struct push *s, struct pobj *t, const char *path, const char *ref)
{
	struct tree tr;
	size_t i;
	int rc;

	if (t->reached)
		return 0;
	t->reached = true;
	if (tree_parse(&tr, s->x->a, t->data, t->len) != 0)
		return -1;	/* checked in step 1 */
	for (i = 0; i < tr.n; i++) {
		const struct tree_entry *en = &tr.e[i];
		char *p = arena_printf(s->x->a, "%s%.*s", path,
		    (int)en->namelen, en->name);
		const char *why;
		struct pobj *sub;

		if ((why = path_invalid(p)) != NULL)
			return kerr_set(s->e, 400, "BadRequest", "the path "
			    "\"%s\" %s", p, why);
		if (en->mode == MODE_DIR) {
			if ((sub = pushed(s, &en->oid, PACK_TREE)) != NULL) {
				if (walk_tree(s, sub, arena_printf(s->x->a,
				    "%s/", p), ref) != 0)
					return -1;
				continue;
			}
			if ((rc = repo_tree_at(s, p, &en->oid)) <= 0)
				return rc < 0 ? -1 : missing(s, "tree",
				    &en->oid);
			continue;
		}
		if (reach_blob(s, &en->oid, p, ref) != 0)
			return -1;
	}
	return 0;
}

/*
 * Step 2 for a tag of tree o: pushed, then walked as a commit's root; or
 * this repository's: a root tree of one of its commits (one query over
 * its commits), or a tree of a branch head's snapshot (a subfolder: git
 * sends no tree the remote's refs reach). 0 or -1.
 */
static int
walk_tagged_tree(struct push *s, const struct oid *o, const char *ref)
{
	struct pobj *t;
	int rc;

	if ((t = pushed(s, o, PACK_TREE)) != NULL)
		return walk_tree(s, t, "", ref);
	if ((rc = repo_has(s, &SQL_IS_ROOT_TREE, o)) != 0)
		return rc < 0 ? -1 : 0;
	if (add_heads(s) != 0 || (!s->known_loaded && load_known(s) != 0))
		return -1;
	return map_get(&s->known, o) != NULL ? 0 : missing(s, "tree", o);
}

/* The branch heads into the commits the push stands on (once). 0, -1. */
static int
add_heads(struct push *s)
{
	struct db_res *res;
	void *head;
	size_t len;
	int rc;

	if (s->heads_bound)
		return 0;
	s->heads_bound = true;
	if (db_exec(s->db, s->x->a, &res, &SQL_HEADS, db_i(s->repo_id)) != 0)
		return kerr_db(s->e, s->db);
	while ((rc = db_row(res, db_out_b(&head, &len))) == 1) {
		struct oid h;

		if (len != OID_LEN)
			continue;
		memcpy(h.b, head, OID_LEN);
		add_bound(s, &h);
	}
	return rc < 0 ? kerr_db(s->e, s->db) : 0;
}

/*
 * Whether this repository has tag o: a tag ref points at it, or at a
 * chain of tags (a tag of a tag...) that holds it. 1, 0, -1.
 */
static int
repo_tag(struct push *s, const struct oid *o)
{
	struct db_res *res;
	struct oid *tips = NULL;
	size_t ntips = 0, cap = 0, len, i;
	void *tip;
	int rc, depth;

	if ((rc = repo_has(s, &SQL_IS_TAG, o)) != 0)
		return rc;
	if (db_exec(s->db, s->x->a, &res, &SQL_TAG_CHAINS, db_i(s->repo_id)) !=
	    0)
		return kerr_db(s->e, s->db);
	while ((rc = db_row(res, db_out_b(&tip, &len))) == 1) {
		if (len != OID_LEN)
			continue;
		tips = arena_grow(s->x->a, tips, ntips, &cap, sizeof(*tips), 8);
		memcpy(tips[ntips++].b, tip, OID_LEN);
	}
	if (rc < 0)
		return kerr_db(s->e, s->db);
	for (i = 0; i < ntips; i++) {
		struct oid t = tips[i];
		struct tag_info ti;
		const void *raw;

		for (depth = 1; depth < GIT_TAG_DEPTH; depth++) {
			if ((rc = gitstore_tag(s->db, s->x->a, &t, &raw, &len,
			    &ti)) != 0)
				return rc < 0 ? kerr_db(s->e, s->db) : 0;
			if (strcmp(ti.type, "tag") != 0)
				break;
			if (oid_eq(&ti.object, o))
				return 1;
			t = ti.object;
		}
	}
	return 0;
}

/*
 * Follows the chain of tags from pushed tag ob (each pushed one of it
 * reached) to the first object that is not a tag: *end, of *type. A tag
 * the pack lacks must be this repository's (then *stored: the rest of
 * the chain is), its chain read from the store. At most GIT_TAG_DEPTH
 * tags, so that every reader peels within a bound. 0, or -1.
 */
static int
peel(struct push *s, struct pobj *ob, struct oid *end, const char **type,
    bool *stored)
{
	struct tag_info ti = ob->ti;
	int depth = 1, rc;

	*stored = false;
	ob->reached = true;
	while (!strcmp(ti.type, "tag")) {
		struct oid nx = ti.object;
		struct pobj *t;
		const void *raw;
		size_t len;

		if (++depth > GIT_TAG_DEPTH)
			return kerr_set(s->e, 400, "BadRequest", "tag %s: a "
			    "chain of more than %d tags", oid_hex_a(s->x->a,
			    &ob->oid), GIT_TAG_DEPTH);
		if ((t = pushed(s, &nx, PACK_TAG)) != NULL) {
			t->reached = true;
			ti = t->ti;
			continue;
		}
		if (!*stored) {
			if ((rc = repo_tag(s, &nx)) <= 0)
				return rc < 0 ? -1 : missing(s, "tag", &nx);
			*stored = true;
		}
		if ((rc = gitstore_tag(s->db, s->x->a, &nx, &raw, &len,
		    &ti)) != 0)
			return rc < 0 ? kerr_db(s->e, s->db) : kerr_set(s->e,
			    500, "InternalError", "tag %s is missing from the "
			    "store", oid_hex_a(s->x->a, &nx));
	}
	*end = ti.object;
	*type = ti.type;
	return 0;
}

/* The parents of ci onto a walk's stack (n ids of room cap); the stack,
 * moved when it grew. */
static struct oid *
push_parents(struct push *s, struct oid *stack, size_t *n, size_t *cap,
    const struct commit_info *ci)
{
	const struct oid *p;
	size_t k;

	for (k = 0; (p = commit_parent(ci, k)) != NULL; k++) {
		stack = arena_grow(s->x->a, stack, *n, cap, sizeof(*stack), 16);
		stack[(*n)++] = *p;
	}
	return stack;
}

/*
 * The commits of this repository that command c's pushed commits stand
 * on, into bound, before the walk (thin_trees() takes trees from their
 * snapshots); seen: the pushed commits visited, across commands. Nothing
 * is refused or marked here: the walk does it.
 */
static void
find_bound(struct push *s, const struct push_cmd *c, struct oidmap *seen)
{
	struct oid start = c->new, *stack;
	size_t n = 0, cap = 16;
	struct pobj *ob;
	int depth = 0;

	while ((ob = pushed(s, &start, PACK_TAG)) != NULL &&
	    depth++ < GIT_TAG_DEPTH)
		start = ob->ti.object;
	stack = arena_alloc(s->x->a, cap * sizeof(*stack));
	stack[n++] = start;
	while (n > 0) {
		struct oid o = stack[--n];

		if ((ob = pushed(s, &o, PACK_COMMIT)) == NULL) {
			if (repo_has(s, &SQL_IS_COMMIT, &o) == 1)
				add_bound(s, &o);
			continue;
		}
		if (!map_add(seen, &o, 0))
			continue;
		stack = push_parents(s, stack, &n, &cap, &ob->ci);
	}
}

/* Step 2 from one command's new commit. */
static int
walk_command(struct push *s, const struct push_cmd *c)
{
	struct pobj *ob;
	struct oid *stack;
	size_t n = 0, cap = 16, k;
	int rc;

	bool tag = !strncmp(c->ref, "refs/tags/", 10);
	struct oid start = c->new;

	/* an annotated tag (of a tag...): its commit is what the walk
	 * starts from; a tree or a blob is walked as a commit's would be */
	if ((ob = pushed(s, &c->new, PACK_TAG)) != NULL) {
		const char *type;
		bool stored;

		if (!tag)
			return kerr_set(s->e, 400, "BadRequest", "%s: a branch "
			    "must point at a commit, not at tag %s", c->ref,
			    oid_hex_a(s->x->a, &c->new));
		if (peel(s, ob, &start, &type, &stored) != 0)
			return -1;
		if (stored)
			return 0;	/* a tag of this repository's */
		if (!strcmp(type, "tree"))
			return walk_tagged_tree(s, &start, c->ref);
		if (!strcmp(type, "blob"))
			return reach_blob(s, &start, "(a tagged blob)",
			    c->ref);
	} else if (pushed(s, &c->new, PACK_COMMIT) == NULL) {
		if (s->o != NULL && map_get(&s->byid, &c->new) != NULL)
			return kerr_set(s->e, 400, "BadRequest", "%s: %s is "
			    "not a commit", c->ref, oid_hex_a(s->x->a,
			    &c->new));
		if ((rc = repo_has(s, &SQL_IS_COMMIT, &c->new)) != 0)
			return rc < 0 ? -1 : 0;
		/* a tag of this repository under another name */
		if (tag && (rc = repo_tag(s, &c->new)) != 0)
			return rc < 0 ? -1 : 0;
		return missing(s, "commit", &c->new);
	}
	stack = arena_alloc(s->x->a, cap * sizeof(*stack));
	stack[n++] = start;
	while (n > 0) {
		struct oid o = stack[--n];

		if ((ob = pushed(s, &o, PACK_COMMIT)) == NULL) {
			if ((rc = repo_has(s, &SQL_IS_COMMIT, &o)) <= 0)
				return rc < 0 ? -1 : missing(s, "commit", &o);
			add_bound(s, &o);
			continue;
		}
		if (ob->reached)
			continue;
		ob->reached = true;
		stack = push_parents(s, stack, &n, &cap, &ob->ci);
	}
	/* the trees once every commit the push stands on is known */
	for (k = 0; k < s->n; k++) {
		struct pobj *cm = &s->o[k], *t;

		if (cm->type != PACK_COMMIT || !cm->reached)
			continue;
		if ((t = pushed(s, &cm->ci.tree, PACK_TREE)) != NULL) {
			if (walk_tree(s, t, "", c->ref) != 0)
				return -1;
		} else if ((rc = repo_tree_at(s, "", &cm->ci.tree)) <= 0)
			return rc < 0 ? -1 : missing(s, "tree", &cm->ci.tree);
	}
	return 0;
}

/* The 10 MiB refusal, as huggingface.co words it, on band 2. */
static void
say_too_large(struct push *s)
{
	static const char rule[] = "-------------------------------------"
	    "------------------------------------";
	size_t i;

	s->say(s->arg, rule);
	s->say(s->arg, "Your push was rejected because it contains files "
	    "larger than 10 MiB.");
	s->say(s->arg, "Please use https://git-lfs.github.com/ to store "
	    "large files.");
	s->say(s->arg, "See also: https://hf.co/docs/hub/"
	    "repositories-getting-started#terminal");
	s->say(s->arg, "");
	s->say(s->arg, "Offending files:");
	for (i = 0; i < s->nbig; i++)
		s->say(s->arg, arena_printf(s->x->a, "  - %s", s->big[i]));
	s->say(s->arg, rule);
}

/* The pushed blobs the walk reached, with their sizes (an LFS pointer's
 * object's), for quota_new_bytes(). */
static size_t
reached_blobs(struct push *s, struct quota_blob **out)
{
	struct quota_blob *v = arena_alloc(s->x->a, (s->n + 1) * sizeof(*v));
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		const struct pobj *ob = &s->o[i];

		if (!ob->reached || ob->type != PACK_BLOB)
			continue;
		v[n].oid = ob->oid;
		v[n++].size = ob->lfs ? ob->lfs_size : ob->len;
	}
	*out = v;
	return n;
}

/*
 * Step 2's refusals after the walk: LFS possession, then the quota
 * (what the push adds to its namespace; checked again atomically with the
 * refs, quota.h). 0, 1 (refused: said why), -1 (store).
 */
static int
admit(struct push *s)
{
	struct quota_blob *blobs;
	struct quota qt;
	struct kerr qe;
	uint64_t adding = 0;
	size_t nblobs;
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		struct pobj *ob = &s->o[i];
		struct kerr le;

		if (!ob->reached || !ob->lfs)
			continue;
		if (lfs_ensure_verified(s->x, s->repo_id, ob->sha256,
		    ob->lfs_size, &le) != 0) {
			if (le.status >= 500) {
				*s->e = le;
				return -1;
			}
			s->say(s->arg, le.msg);	/* names the object */
			s->say(s->arg, "Push the LFS objects first (git lfs "
			    "push), or make sure they were uploaded to this "
			    "repository.");
			return 1;
		}
	}
	nblobs = reached_blobs(s, &blobs);
	if (quota_load(s->db, s->x->a, s->x->hub->conf.default_quota,
	    s->repo_id, &qt, &qe) != 0) {
		*s->e = qe;
		return -1;
	}
	if (qt.limited && quota_new_bytes(s->db, s->x->a, s->repo_id, blobs,
	    nblobs, &adding) != 0)
		return kerr_db(s->e, s->db);
	if (!quota_allows(&qt, adding)) {
		s->say(s->arg, quota_message(s->x->a, s->ns, &qt, adding));
		return 1;
	}
	return quota_commit_limit(s->db, s->x->a,
	    s->x->hub->conf.default_quota, s->ns_id, &s->quota) != 0 ?
	    kerr_db(s->e, s->db) : 0;
}

/* Ids a JSON array of the guards (as commit.c's). */
#define GUARD_CHUNK	1000

/* s->json and s->counts: the distinct ids of the pushed blobs. */
static void
guard_json(struct push *s)
{
	size_t max = s->n / GUARD_CHUNK + 1, m = 0;
	struct buf b;
	uint32_t i;
	char hex[OID_HEX + 1];

	s->json = arena_alloc(s->x->a, max * sizeof(*s->json));
	s->counts = arena_zalloc(s->x->a, max * sizeof(*s->counts));
	buf_init(&b, s->x->a);
	for (i = 0; i < s->n; i++) {
		if (!s->o[i].reached || s->o[i].type != PACK_BLOB)
			continue;
		buf_addc(&b, m == 0 ? '[' : ',');
		oid_hex(&s->o[i].oid, hex);
		buf_printf(&b, "\"%s\"", hex);
		if (++m == GUARD_CHUNK) {
			buf_addc(&b, ']');
			s->json[s->nchunks] = b.data;
			s->counts[s->nchunks++] = m;
			buf_init(&b, s->x->a);
			m = 0;
		}
	}
	if (m > 0) {
		buf_addc(&b, ']');
		s->json[s->nchunks] = b.data;
		s->counts[s->nchunks++] = m;
	}
}

/* The git_blob row of a pushed blob (reached, and checked: an LFS
 * pointer's row names its object). */
static int
put_blob_row(struct push *s, const struct pobj *ob)
{
	struct blob_info bi;

	memset(&bi, 0, sizeof(bi));
	bi.oid = ob->oid;
	bi.lfs = ob->lfs;
	if (ob->lfs) {
		bi.size = ob->lfs_size;
		memcpy(bi.sha256, ob->sha256, SHA256_LEN);
	} else {
		bi.size = ob->len;
		hash_sha256(bi.sha256, ob->data, ob->len);
	}
	bi.in_s3 = ob->lfs || !blobstore_is_small(false, ob->len);
	return gitstore_put_blob(s->db, s->x->a, &bi);
}

/* A pushed tag's row, with what it peels to when it tags a tag. */
static int
put_tag(struct push *s, struct pobj *ob)
{
	struct oid end;
	const char *type = NULL;
	bool stored;

	if (!strcmp(ob->ti.type, "tag") && peel(s, ob, &end, &type,
	    &stored) != 0)
		return -1;
	if (gitstore_put_tag(s->db, s->x->a, &ob->oid, &ob->ti, type ? &end :
	    NULL, type, ob->data, ob->len) != 0)
		return kerr_db(s->e, s->db);
	return 0;
}

/*
 * Step 3: the bytes of regular blobs (large ones PUT to S3, 16 at a time;
 * small ones to blob_data in the transaction of their rows), the blob
 * rows, then trees, then commits: a row only once what it names is.
 */
static int
store(struct push *s)
{
	struct db *db = s->db;
	struct s3_obj *puts = arena_alloc(s->x->a, (s->n + 1) *
	    sizeof(*puts));
	struct blob_row *rows = arena_alloc(s->x->a, (s->n + 1) *
	    sizeof(*rows));
	struct oid *ids = arena_alloc(s->x->a, (s->n + 1) * sizeof(*ids));
	struct blob_info *have;
	bool *found;
	size_t nputs = 0, nrows = 0, n = 0, k;
	uint32_t i;
	int pass;

	for (i = 0; i < s->n; i++)
		if (s->o[i].reached && s->o[i].type == PACK_BLOB &&
		    !s->o[i].lfs)
			ids[n++] = s->o[i].oid;
	/* what is stored, from the database: gc may have collected rows
	 * this worker's cache still holds (one query a thousand) */
	have = arena_alloc(s->x->a, (n + 1) * sizeof(*have));
	found = arena_alloc(s->x->a, (n + 1) * sizeof(*found));
	if (n > 0 && gitstore_blobs_stored(db, s->x->a, ids, n, have,
	    found) != 0)
		return kerr_db(s->e, db);
	for (i = 0, k = 0; i < s->n; i++) {
		struct pobj *ob = &s->o[i];
		unsigned char sha[SHA256_LEN];
		struct blob_info bi;

		if (!ob->reached || ob->type != PACK_BLOB || ob->lfs)
			continue;
		/* stored already: the same bytes, unless SHA-1 collided */
		hash_sha256(sha, ob->data, ob->len);
		if (found[k] && (have[k].lfs || memcmp(have[k].sha256, sha,
		    SHA256_LEN)))
			return kerr_set(s->e, 400, "BadRequest", "blob %s "
			    "collides with a stored blob of the same id (SHA-1)",
			    oid_hex_a(s->x->a, &ob->oid));
		if ((ob->known = found[k++]))
			continue;
		if (blobstore_is_small(false, ob->len)) {
			rows[nrows].oid = &ob->oid;
			rows[nrows].data = ob->data;
			rows[nrows++].len = ob->len;
			continue;
		}
		memset(&bi, 0, sizeof(bi));
		bi.oid = ob->oid;
		puts[nputs].key = gitstore_s3_key(s->x->a, &bi);
		puts[nputs].data = ob->data;
		puts[nputs++].len = ob->len;
	}
	if (nputs > 0 && s3_put_many(s->x->hub->s3, puts, nputs) != S3_OK)
		return kerr_set(s->e, 503, "ServiceUnavailable", "S3 did not "
		    "take the push's files; try again");
	if (db_begin(db) != 0 ||
	    blobstore_put_small(db, s->x->a, rows, nrows) != 0)
		goto dberr;
	for (i = 0; i < s->n; i++)
		if (s->o[i].reached && s->o[i].type == PACK_BLOB &&
		    !s->o[i].known && put_blob_row(s, &s->o[i]) != 0)
			goto dberr;
	if (db_commit(db) != 0)
		goto dberr;
	/* gc's orphan sweep may have deleted bytes just PUT before their
	 * rows landed: stored again, as a commit does (gc_store_again()) */
	if (gc_store_again(db, s->x->a, s->x->hub->s3, puts, nputs, s->e) != 0)
		return -1;
	/* trees, commits, then tags (the order of what names what) */
	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < s->n; i++) {
			static const unsigned char order[] = { PACK_TREE,
			    PACK_COMMIT, PACK_TAG };
			struct pobj *ob = &s->o[i];
			int rc;

			if (!ob->reached || ob->type != order[pass])
				continue;
			if (ob->type == PACK_TAG)
				rc = put_tag(s, ob);
			else if ((ob->type == PACK_TREE ? gitstore_put_tree(db,
			    s->x->a, &ob->oid, ob->data, ob->len) :
			    gitstore_put_commit(db, s->x->a, &ob->oid,
			    &ob->ci)) != 0)
				rc = kerr_db(s->e, db);
			else
				rc = 0;
			if (rc != 0)
				return -1;
		}
	return 0;
dberr:
	db_rollback(db);
	return kerr_db(s->e, db);
}

/* The rows that make the pushed objects of type t (commits, blobs) the
 * repository's, DB_ROWS_MAX a statement. 0 or -1. */
static int
record_rows(struct push *s, struct db_rows *st, unsigned t)
{
	struct db_param *ps = arena_zalloc(s->x->a, 2 * DB_ROWS_MAX *
	    sizeof(*ps));
	uint32_t i = 0;

	while (i < s->n) {
		size_t m = 0;

		for (; i < s->n && m < DB_ROWS_MAX; i++) {
			if (!s->o[i].reached || s->o[i].type != t)
				continue;
			ps[2 * m] = db_i(s->repo_id);
			ps[2 * m + 1] = db_b(s->o[i].oid.b, OID_LEN);
			m++;
		}
		if (m > 0 && db_exec_rows(s->db, s->x->a, st, ps, m) != 0)
			return -1;
	}
	return 0;
}

/* The rows that make the pushed commits and blobs the repository's, in
 * the transaction of a ref's move (once: every later one has them), and
 * the change of its refs, in every such transaction. */
static int
record(struct push *s)
{
	if (!s->recorded &&
	    (record_rows(s, &repo_commit_rows, PACK_COMMIT) != 0 ||
	    record_rows(s, &repo_blob_rows, PACK_BLOB) != 0 ||
	    db_exec(s->db, s->x->a, NULL, &SQL_TOUCH, db_i(s->repo_id)) != 0))
		return -1;
	return fresh_bump(s->db, s->repo_id);
}

/* One command's ref move, inside the caller's transaction: 0 done, 1
 * refused (c->ng says why), -1 database. */
static int
move_ref(struct push *s, struct push_cmd *c)
{
	const char *kind, *name;
	struct db_res *res;
	bool del = oid_eq(&c->new, &ZERO), create = oid_eq(&c->old, &ZERO);

	if (!strncmp(c->ref, "refs/heads/", 11)) {
		kind = "branch";
		name = c->ref + 11;
	} else if (!strncmp(c->ref, "refs/tags/", 10)) {
		kind = "tag";
		name = c->ref + 10;
	} else {
		c->ng = "khub takes refs/heads/ and refs/tags/ only";
		return 1;
	}
	/* the API's rules: a name it could not address is refused */
	if (!ref_name_valid(name) || ref_name_ambiguous(name)) {
		c->ng = "funny refname";
		return 1;
	}
	if (del && !strcmp(kind, "branch") && !strcmp(name, "main")) {
		c->ng = "deletion of the current branch prohibited";
		return 1;
	}
	if (del && create) {
		c->ng = "nothing to do";
		return 1;
	}
	if (del) {
		if (db_exec(s->db, s->x->a, &res, &SQL_REF_DELETE,
		    db_i(s->repo_id), db_s(kind), db_s(name), db_b(c->old.b,
		    OID_LEN)) != 0)
			return -1;
	} else if (create) {
		if (db_exec(s->db, s->x->a, &res, &SQL_REF_CREATE,
		    db_i(s->repo_id), db_s(kind), db_s(name), db_b(c->new.b,
		    OID_LEN)) != 0)
			return -1;
	} else if (db_exec(s->db, s->x->a, &res, &SQL_REF_MOVE, db_b(c->new.b,
	    OID_LEN), db_i(s->repo_id), db_s(kind), db_s(name), db_b(c->old.b,
	    OID_LEN)) != 0)
		return -1;
	if (db_affected(res) != 1) {
		/* someone moved it first (or it is not at old) */
		c->ng = del ? "failed to delete" : "failed to update ref";
		return 1;
	}
	return 0;
}

/* The pushed trees, commits and tags held against gc (gc_hold_git()):
 * 0, 1 (one was collected meanwhile), -1. */
static int
hold_objects(struct push *s)
{
	struct gc_git h;
	uint32_t i;

	gc_git_init(&h, s->x->a);
	for (i = 0; i < s->n; i++) {
		const struct pobj *ob = &s->o[i];

		if (!ob->reached)
			continue;
		if (ob->type == PACK_TREE)
			gc_git_tree(&h, &ob->oid, ob->data, ob->len);
		else if (ob->type == PACK_COMMIT)
			gc_git_commit(&h, &ob->oid, &ob->ci);
		else if (ob->type == PACK_TAG)
			gc_git_tag(&h, &ob->oid, &ob->ti);
	}
	return gc_hold_git(s->db, s->x->a, &h);
}

/*
 * Moves the refs of cmds[0..n) in one transaction, with record(); a
 * deadlock is retried a few times. 0 done; 1 when one was refused (its ng
 * says why; *failed is its index), nothing moved; -1 (database, *s->e).
 */
static int
move_in_one(struct push *s, struct push_cmd *cmds, size_t n, size_t *failed)
{
	struct kerr qe;
	size_t i;
	int rc = 0, attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		if (db_begin(s->db) != 0)
			return kerr_db(s->e, s->db);
		/* before the first write (quota.h): the pushed objects are
		 * still stored and stay so (gc.h); what they add fits */
		if (!s->recorded && (rc = hold_objects(s)) != 0) {
			db_rollback(s->db);
			if (rc < 0)
				return kerr_db(s->e, s->db);
			return kerr_set(s->e, 503, "ServiceUnavailable",
			    "an object of the push was collected meanwhile; "
			    "push again");
		}
		if (!s->recorded && s->nchunks > 0) {
			if ((rc = gc_hold(s->db, s->x->a, s->json, s->counts,
			    s->nchunks)) != 0) {
				db_rollback(s->db);
				if (rc < 0)
					return kerr_db(s->e, s->db);
				return kerr_set(s->e, 503, "ServiceUnavailable",
				    "a file of the push was collected "
				    "meanwhile; push again");
			}
			memset(&qe, 0, sizeof(qe));
			if (quota_commit_check(s->db, s->x->a, s->quota,
			    s->ns_id, s->ns, s->repo_id, s->json, s->nchunks,
			    &qe) != 0) {
				db_rollback(s->db);
				if (qe.status == 413) {
					s->say(s->arg, qe.msg);
					for (i = 0; i < n; i++)
						cmds[i].ng = "pre-receive "
						    "hook declined";
					*failed = 0;
					return 1;
				}
				if (db_errno(s->db) == ER_LOCK_DEADLOCK)
					continue;
				return kerr_db(s->e, s->db);
			}
		}
		for (i = 0; i < n && (rc = move_ref(s, &cmds[i])) == 0; i++)
			;
		if (rc == 0 && ((!s->recorded && s->nchunks > 0 &&
		    quota_commit_mark(s->db, s->x->a, s->quota, s->ns_id) !=
		    0) || record(s) != 0 || db_commit(s->db) != 0))
			rc = -1;
		if (rc == 0) {
			s->recorded = true;
			return 0;
		}
		db_rollback(s->db);
		if (rc == 1) {
			*failed = i;
			return 1;
		}
		if (db_errno(s->db) != ER_LOCK_DEADLOCK)
			break;
	}
	return kerr_db(s->e, s->db);
}

/* Step 4: an atomic push in one transaction, else one per ref; a lost
 * compare-and-set is the command's ng. 0, or -1 (database). */
static int
move_refs(struct push *s, struct push_req *q)
{
	size_t i, failed;
	int rc;

	if (q->atomic) {
		if ((rc = move_in_one(s, q->cmds, q->ncmds, &failed)) == 1)
			for (i = 0; i < q->ncmds; i++)
				if (i != failed && q->cmds[i].ng == NULL)
					q->cmds[i].ng = "atomic push failed";
		return rc < 0 ? -1 : 0;
	}
	for (i = 0; i < q->ncmds; i++)
		if (move_in_one(s, &q->cmds[i], 1, &failed) < 0)
			return -1;
	return 0;
}

static void
refuse_all(struct push_req *q, const char *why)
{
	size_t i;

	for (i = 0; i < q->ncmds; i++)
		if (q->cmds[i].ng == NULL)
			q->cmds[i].ng = why;
}

int
receive_pack(const struct dctx *x, int64_t repo_id, int64_t ns_id,
    const char *ns, struct push_req *q, const unsigned char *pack,
    size_t len, push_say say, void *arg, struct kerr *e)
{
	struct push *s = arena_zalloc(x->a, sizeof(*s));
	size_t i;
	int rc;

	s->x = x;
	s->db = x->hub->db;
	s->repo_id = repo_id;
	s->ns_id = ns_id;
	s->ns = ns;
	s->e = e;
	s->say = say;
	s->arg = arg;
	s->memory_max = RECEIVE_MEMORY_MAX;
	if (x->hub->conf.request_memory != 0 &&
	    x->hub->conf.request_memory < s->memory_max)
		s->memory_max = x->hub->conf.request_memory;
	map_init(&s->byid, x->a);
	arena_on_reset(x->a, free_objects, s);
	if (q->has_pack && resolve(s, pack, len) != 0)
		return -1;
	if (s->left > 0) {
		/* deltas on trees the pack lacks: the commits first */
		struct oidmap *seen = arena_zalloc(x->a, sizeof(*seen));

		map_init(seen, x->a);
		for (i = 0; i < q->ncmds; i++)
			if (!oid_eq(&q->cmds[i].new, &ZERO))
				find_bound(s, &q->cmds[i], seen);
		if (thin_trees(s) != 0 || check_resolved(s) != 0)
			return -1;
		if (s->left > 0)
			return base_missing(s);
	}
	/* git's index-pack --fix-thin says "completed with N local
	 * objects" */
	if (!q->quiet && s->n > 0)
		say(arg, arena_printf(x->a, "khub: %u objects received%s, "
		    "checking", s->n, s->next_n == 0 ? "" : arena_printf(x->a,
		    " (deltas completed with %u local object%s)", s->next_n,
		    s->next_n == 1 ? "" : "s")));
	say(arg, NULL);
	for (i = 0; i < q->ncmds; i++)
		if (!oid_eq(&q->cmds[i].new, &ZERO) &&
		    walk_command(s, &q->cmds[i]) != 0)
			return -1;
	if (s->nbig > 0) {
		say_too_large(s);
		refuse_all(q, "pre-receive hook declined");
		return 0;
	}
	say(arg, NULL);
	if ((rc = admit(s)) != 0) {
		if (rc < 0)
			return -1;
		refuse_all(q, "pre-receive hook declined");
		return 0;
	}
	say(arg, NULL);
	if (store(s) != 0)
		return -1;
	guard_json(s);
	say(arg, NULL);
	if (move_refs(s, q) != 0)
		return -1;
	if (!q->quiet && s->n > 0)
		say(arg, "khub: stored");
	return 0;
}
