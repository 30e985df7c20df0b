/*
 * api_commit.c: the write path: preupload (how to send each file), commit
 * (NDJSON operations landed atomically), validate-yaml.
 */
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "blobstore.h"
#include "cache.h"
#include "commit.h"
#include "db.h"
#include "discussions.h"
#include "gitrules.h"
#include "hub.h"
#include "jsonutil.h"
#include "lfs.h"
#include "quota.h"
#include "s3.h"

/* Files above this many bytes are not read back for .gitattributes and
 * .gitignore (the Hub's own rules files are a few KiB). */
#define RULES_FILE_MAX	(1 << 20)
#define PREUPLOAD_MAX	1000
/* A commit message's parts, in bytes: what a commit list page of 1000
 * commits may carry stays in tens of MB, and a message never reaches the
 * column's 16 MiB (which answered 503, and clients retry a 503). */
#define SUMMARY_MAX	4096
#define DESCRIPTION_MAX	65536

struct sink_buf {
	struct buf	 b;
	size_t		 max;
};

static int
sink_to_buf(void *arg, const void *data, size_t len)
{
	struct sink_buf *s = arg;

	if (s->b.len + len > s->max)
		return 1;
	buf_add(&s->b, data, len);
	return 0;
}

/*
 * The text of a small file at path in the revision's tree ("" when there
 * is none). Contents are immutable per blob id, so they are cached.
 * Returns 0, or answers and returns -1.
 */
static int
read_small(struct req *r, const struct oid *root, const char *path,
    const char **out, size_t *len)
{
	struct tree_entry e;
	struct blob_info bi;
	struct sink_buf s;
	struct kerr err;
	const void *cached;
	int rc;

	*out = "";
	*len = 0;
	rc = gitstore_walk(r->hub->db, r->a, root, path, &e);
	if (rc == 1 || (rc == 0 && e.mode == MODE_DIR))
		return 0;
	if (rc < 0 || (rc = gitstore_blob(r->hub->db, r->a, &e.oid, &bi)) < 0) {
		resp_db_error(r);
		return -1;
	}
	if (rc == 1 || bi.lfs || bi.size > RULES_FILE_MAX)
		return 0;
	if ((cached = cache_get(CACHE_CONTENT, &e.oid, len)) != NULL) {
		*out = cached;
		return 0;
	}
	buf_init(&s.b, r->a);
	s.max = RULES_FILE_MAX;
	if ((rc = blobstore_get(r->hub->db, r->hub->s3, r->a, &bi,
	    sink_to_buf, &s, &err)) != 0) {
		if (rc == -1)
			resp_db_error(r);
		else
			resp_error(r, err.status, err.code, "Reading %s: %s",
			    path, err.msg);
		return -1;
	}
	cache_put(CACHE_CONTENT, &e.oid, s.b.data, s.b.len);
	*out = s.b.data;
	*len = s.b.len;
	return 0;
}

/* The branch name a commit revision names ("refs/heads/x" or "x"). */
static const char *
branch_of(const char *rev)
{
	return strncmp(rev, "refs/heads/", 11) == 0 ? rev + 11 : rev;
}

/*
 * Pull requests through commits. A commit (and its preupload) with
 * ?create_pr=1 opens one from a branch; a commit to refs/pr/N adds to
 * one. Both need only read access to the repository, then the rules of
 * discussions.c: a user's write token to open one, its author or a
 * writer to add to it.
 */
struct pr_write {
	bool		 create;	/* ?create_pr=1 */
	int64_t		 num;		/* refs/pr/N written to, or opened */
	struct dctx	 x;
	int64_t		 repo_id;
	const char	*branch, *summary, *description;
};

/* What a write to rev needs of the repository. */
static enum access
pr_need(struct req *r, const char *rev, struct pr_write *p)
{
	memset(p, 0, sizeof(*p));
	p->create = query_bool(r->query, r->nquery, "create_pr", 0) == 1;
	p->num = discussion_pr_of_rev(rev);
	return p->create || p->num ? ACCESS_READ : ACCESS_WRITE;
}

/* Once the repository is open: whether the caller may write to the pull
 * request. 0, or answers and -1. */
static int
pr_allowed(struct req *r, struct repo *repo, struct pr_write *p)
{
	struct dactor who = { 0, false, false };
	struct kerr e;

	if (!p->create && p->num == 0)
		return 0;
	if (repo->mirror != NULL) {
		/* upstream's history: its pull requests are upstream's */
		resp_error(r, 403, "Forbidden", "%s is a read-only mirror of "
		    "%s: open pull requests there", repo->full, repo->mirror);
		return -1;
	}
	p->x = req_dctx(r);
	p->repo_id = repo->id;
	if (r->who != NULL) {
		who.user_id = r->who->user_id;
		who.participate = !strcmp(r->who->token_role, "write");
		who.write = repo->access >= ACCESS_WRITE;
	}
	if (p->create && p->num != 0) {
		resp_error(r, 400, "BadRequest", "A pull request is opened "
		    "from a branch, not from %s", r->args.rev);
		return -1;
	}
	if (p->create && !who.participate) {
		resp_error(r, who.user_id ? 403 : 401, who.user_id ?
		    "Forbidden" : "Unauthorized", "Opening a pull request "
		    "needs a user's write token");
		return -1;
	}
	if (p->num != 0 && discussion_may_push(&p->x, repo->id, p->num, &who,
	    &e) != 0) {
		resp_kerr(r, &e);
		return -1;
	}
	return 0;
}

/* commit_req.with: the pull request's rows, with the commit. */
static int
pr_land(void *arg, const struct oid *parent, const struct oid *commit,
    struct kerr *e)
{
	struct pr_write *p = arg;

	if (p->create)
		return discussion_open_pr_tx(&p->x, p->repo_id, p->branch,
		    parent, commit, p->summary, p->description, &p->num, e);
	return discussion_commit_tx(&p->x, p->repo_id, p->num, commit,
	    p->summary, e);
}

/* Makes c a pull request's commit (a no-op for a plain one). */
static void
pr_commit(struct pr_write *p, struct commit_req *c)
{
	if (!p->create && p->num == 0)
		return;
	p->branch = c->branch;
	p->summary = c->summary;
	p->description = c->description;
	c->detached = p->create;
	c->with = pr_land;
	c->with_arg = p;
}

/*
 * The blob id a preupload entry f will have, when the client says enough:
 * for an LFS file its sha256 (the pointer's id), for a regular one a
 * sample that is the whole file. 0, or -1 when it cannot be known.
 */
static int
content_id(struct req *r, json_object *f, bool lfs, uint64_t size,
    struct oid *out)
{
	const char *sha = jget_str(f, "sha256"), *sample = jget_str(f, "sample");
	unsigned char want[SHA256_LEN], sbuf[512];
	size_t slen;
	struct buf p;

	if (lfs) {
		if (sha == NULL || hex_decode(want, SHA256_LEN, sha,
		    strlen(sha)) != 0)
			return -1;
		buf_init(&p, r->a);
		lfs_pointer(&p, want, size);
		git_blob_oid(out, p.data, p.len);
		return 0;
	}
	if (sample == NULL || size > sizeof(sbuf) ||
	    sodium_base642bin(sbuf, sizeof(sbuf), sample, strlen(sample), NULL,
	    &slen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || slen != size)
		return -1;
	git_blob_oid(out, sbuf, slen);
	return 0;
}

void
api_preupload(struct req *r)
{
	json_object *body, *files, *out, *list;
	struct repo *repo;
	struct commit_info head;
	struct rules attrs, ignore, req_ignore, repo_attrs;
	struct pr_write pr;
	struct rev rev;
	struct quota quota;
	struct kerr qe;
	const char *text, *gi, *why;
	size_t len, i, n;
	uint64_t adding = 0, unknown = 0, threshold;
	struct quota_blob *qv;
	size_t nq = 0;

	if ((repo = repo_open_rev(r, pr_need(r, r->args.rev, &pr),
	    r->args.rev)) == NULL || pr_allowed(r, repo, &pr) != 0 ||
	    req_read_body(r) != 0)
		return;
	body = r->json;
	if (repo_resolve(r, repo, r->args.rev, &rev) != 0)
		return;
	if (!json_object_object_get_ex(body, "files", &files) ||
	    !json_object_is_type(files, json_type_array)) {
		resp_error(r, 400, "BadRequest", "'files' must be an array");
		return;
	}
	if ((n = json_object_array_length(files)) > PREUPLOAD_MAX) {
		resp_error(r, 400, "BadRequest", "At most %d files per "
		    "request", PREUPLOAD_MAX);
		return;
	}
	if (gitstore_commit(r->hub->db, r->a, &rev.commit, &head) != 0) {
		resp_db_error(r);
		return;
	}
	/* The repository's own rules at that revision decide, as the Hub's
	 * do; a gitIgnore text sent along adds to them. */
	if (read_small(r, &head.tree, ".gitattributes", &text, &len) != 0)
		return;
	if ((why = rules_parse_attributes(&attrs, r->a, text, len)) != NULL) {
		resp_error(r, 400, "BadRequest", "The repository's "
		    ".gitattributes %s", why);
		return;
	}
	if (read_small(r, &head.tree, ".gitignore", &text, &len) != 0)
		return;
	if ((why = rules_parse_ignore(&ignore, r->a, text, len)) != NULL) {
		resp_error(r, 400, "BadRequest", "The repository's .gitignore "
		    "%s", why);
		return;
	}
	gi = jget_str(body, "gitIgnore");
	if ((why = rules_parse_ignore(&req_ignore, r->a, gi ? gi : "",
	    gi ? strlen(gi) : 0)) != NULL) {
		resp_error(r, 400, "BadRequest", "'gitIgnore' %s", why);
		return;
	}
	/* Quota and LFS settings (quota.c): the repository's own LFS
	 * patterns add to .gitattributes, its threshold replaces the
	 * server's. One query. */
	if (quota_load(r->hub->db, r->a, r->hub->conf.default_quota, repo->id,
	    &quota, &qe) != 0) {
		resp_kerr(r, &qe);
		return;
	}
	threshold = quota.has_lfs_threshold ? quota.lfs_threshold :
	    r->hub->conf.lfs_threshold;
	lfs_settings_rules(r->a, &quota, &repo_attrs);
	qv = arena_alloc(r->a, (n + 1) * sizeof(*qv));

	list = jarr();
	for (i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(files, i), *o, *v;
		const char *path = jget_str(f, "path"), *sha, *sample;
		struct tree_entry e;
		struct blob_info bi;
		int64_t size = -1;
		bool lfs, same = false, exists = false, skip;
		int rc;

		if (json_object_object_get_ex(f, "size", &v) &&
		    json_object_is_type(v, json_type_int))
			size = json_object_get_int64(v);
		if (path == NULL || size < 0) {
			json_object_put(list);
			resp_error(r, 400, "BadRequest", "files[%zu]: 'path' "
			    "and a non-negative 'size' are required", i);
			return;
		}
		if ((why = path_invalid(path)) != NULL) {
			json_object_put(list);
			resp_error(r, 422, "InvalidPath", "Invalid path '%s': "
			    "%s", path, why);
			return;
		}
		rc = gitstore_walk(r->hub->db, r->a, &head.tree, path, &e);
		if (rc == 0 && e.mode != MODE_DIR) {
			if (gitstore_blob(r->hub->db, r->a, &e.oid, &bi) != 0) {
				json_object_put(list);
				resp_db_error(r);
				return;
			}
			exists = true;
		} else if (rc < 0) {
			json_object_put(list);
			resp_db_error(r);
			return;
		}
		/* Empty files are always regular (the clients force it). */
		lfs = size > 0 && (rules_is_lfs(&attrs, path) ||
		    rules_is_lfs(&repo_attrs, path) ||
		    (uint64_t)size > threshold);
		/* "The same content already there": by sha256 when given,
		 * else when the sample is the whole file. Never for the same
		 * content at another path. */
		if (exists && (uint64_t)size == bi.size) {
			unsigned char want[SHA256_LEN], sbuf[512];
			size_t slen;

			sha = jget_str(f, "sha256");
			sample = jget_str(f, "sample");
			if (sha != NULL && hex_decode(want, SHA256_LEN, sha,
			    strlen(sha)) == 0)
				same = memcmp(want, bi.sha256, SHA256_LEN) == 0;
			else if (sample != NULL && !bi.lfs && size <= 512 &&
			    sodium_base642bin(sbuf, sizeof(sbuf), sample,
			    strlen(sample), NULL, &slen, NULL,
			    sodium_base64_VARIANT_ORIGINAL) == 0 &&
			    slen == (size_t)size) {
				struct oid so;

				git_blob_oid(&so, sbuf, slen);
				same = oid_eq(&so, &bi.oid);
			}
		}
		o = jobj();
		jset(o, "path", jstr(path));
		jset(o, "uploadMode", jstr(lfs ? "lfs" : "regular"));
		skip = same || rules_is_ignored(&ignore, path) ||
		    rules_is_ignored(&req_ignore, path);
		jset(o, "shouldIgnore", jbool(skip));
		/* quota: what will be uploaded (quota.c), and what that is
		 * when the client says (near the quota, only what the
		 * repository does not hold yet counts, as in the commit) */
		if (!skip) {
			adding = quota_add(adding, (uint64_t)size);
			if (content_id(r, f, lfs, (uint64_t)size,
			    &qv[nq].oid) == 0)
				qv[nq++].size = (uint64_t)size;
			else
				unknown = quota_add(unknown, (uint64_t)size);
		}
		if (exists) {
			char hex[2 * SHA256_LEN + 1];

			/* what the client compares: sha256 for LFS content,
			 * the git blob id otherwise */
			if (bi.lfs)
				hex_encode(hex, bi.sha256, SHA256_LEN);
			else
				oid_hex(&bi.oid, hex);
			jset(o, "oid", jstr(hex));
		}
		json_object_array_add(list, o);
	}
	/* Matching is bounded per rule set (gitrules.h): past the bound
	 * some answers may be wrong, so none is given. */
	if (rules_too_costly(&attrs) || rules_too_costly(&repo_attrs) ||
	    rules_too_costly(&ignore) || rules_too_costly(&req_ignore)) {
		json_object_put(list);
		resp_error(r, 413, "PayloadTooLarge", "Matching these %zu paths "
		    "against the .gitattributes and .gitignore rules takes too "
		    "long: send fewer paths per request, or simpler rules", n);
		return;
	}
	if (!quota_allows(&quota, adding)) {
		uint64_t known;

		if (quota_new_bytes(r->hub->db, r->a, repo->id, qv, nq,
		    &known) != 0) {
			json_object_put(list);
			resp_db_error(r);
			return;
		}
		adding = quota_add(unknown, known);
	}
	if (!quota_allows(&quota, adding)) {
		json_object_put(list);
		resp_error(r, 413, "QuotaExceeded", "%s",
		    quota_message(r->a, repo->ns, &quota, adding));
		return;
	}
	out = jobj();
	jset(out, "files", list);
	jset(out, "commitOid", jstr(oid_hex_a(r->a, &rev.commit)));
	resp_json(r, 200, out);
}

/*
 * The regular contents one commit already stored, by blob id: a commit of
 * many identical files (or the same file twice) stores its bytes once.
 * Open addressing over op indexes; ids are hashes, so their first bytes
 * spread well.
 */
struct stored_set {
	long		*slot;		/* op index, or -1 */
	size_t		 mask;
};

static void
stored_init(struct req *r, struct stored_set *s, size_t nops)
{
	size_t cap = 16, i;

	while (cap < 2 * nops)
		cap *= 2;
	s->slot = arena_alloc(r->a, cap * sizeof(*s->slot));
	for (i = 0; i < cap; i++)
		s->slot[i] = -1;
	s->mask = cap - 1;
}

/* The op that stored blob oid, or -1 after recording op k for it. */
static long
stored_find_or_add(struct stored_set *s, const struct commit_op *ops,
    const struct oid *oid, size_t k)
{
	size_t h;

	memcpy(&h, oid->b, sizeof(h));
	for (h &= s->mask; s->slot[h] >= 0; h = (h + 1) & s->mask)
		if (oid_eq(&ops[s->slot[h]].blob.oid, oid))
			return s->slot[h];
	s->slot[h] = (long)k;
	return -1;
}

/*
 * The quota, before anything is stored (quota.c): the sizes of what ops
 * put (LFS sizes as given, regular contents from their base64 length;
 * lines[k] is op k's line), and when that does not fit, only the content
 * the repository does not hold yet: re-adding stored files under a full
 * quota works. The commit checks again, atomically (commit_apply()).
 * Returns 0, or answers (413) and returns -1.
 */
static int
quota_precheck(struct req *r, struct repo *repo, const struct commit_op *ops,
    size_t nops, const struct ndjson_line *lines)
{
	struct quota_blob *v;
	struct quota q;
	struct kerr e;
	struct buf ptr;
	uint64_t adding = 0;
	size_t k, n = 0;

	if (quota_load(r->hub->db, r->a, r->hub->conf.default_quota, repo->id,
	    &q, &e) != 0) {
		resp_kerr(r, &e);
		return -1;
	}
	for (k = 0; k < nops; k++)
		if (ops[k].kind == OP_PUT)
			adding = quota_add(adding, ops[k].blob.lfs ?
			    ops[k].blob.size : strlen(lines[k].content) / 4 * 3);
	if (quota_allows(&q, adding))
		return 0;
	/* Near the quota: which blobs are these, and which new? */
	v = arena_alloc(r->a, (nops + 1) * sizeof(*v));
	for (k = 0; k < nops; k++) {
		const char *b64 = lines[k].content;
		size_t blen, dlen;
		unsigned char *data;

		if (ops[k].kind != OP_PUT)
			continue;
		if (ops[k].blob.lfs) {
			v[n].size = ops[k].blob.size;
			buf_init(&ptr, r->a);
			lfs_pointer(&ptr, ops[k].blob.sha256, ops[k].blob.size);
			git_blob_oid(&v[n++].oid, ptr.data, ptr.len);
			continue;
		}
		blen = strlen(b64);
		data = arena_alloc(r->a, blen / 4 * 3 + 3);
		if (sodium_base642bin(data, blen / 4 * 3 + 3, b64, blen,
		    " \r\n", &dlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			continue;	/* refused below (400) */
		v[n].size = dlen;
		git_blob_oid(&v[n++].oid, data, dlen);
	}
	if (quota_new_bytes(r->hub->db, r->a, repo->id, v, n, &adding) != 0) {
		resp_db_error(r);
		return -1;
	}
	if (quota_allows(&q, adding))
		return 0;
	resp_error(r, 413, "QuotaExceeded", "%s", quota_message(r->a,
	    repo->ns, &q, adding));
	return -1;
}

/* The path member of an operation, validated; NULL after answering. */
static const char *
op_path(struct req *r, const char *path, size_t lineno, bool folder)
{
	const char *why;
	size_t n;

	if (path == NULL) {
		resp_error(r, 400, "BadRequest", "line %zu: 'path' is "
		    "required", lineno);
		return NULL;
	}
	/* "dir/" names a folder in deletedFolder */
	if (folder && (n = strlen(path)) > 1 && path[n - 1] == '/')
		path = arena_strndup(r->a, path, n - 1);
	if ((why = path_invalid(path)) != NULL) {
		resp_error(r, 422, "InvalidPath", "line %zu: invalid path "
		    "'%s': %s", lineno, path, why);
		return NULL;
	}
	return path;
}

void
api_commit(struct req *r)
{
	struct commit_req c;
	struct repo *repo;
	struct ndjson_line *lines;
	struct oid parent, result;
	struct stored_set stored;
	struct pr_write pr;
	struct commit_blob *blobs;
	size_t *blob_op, nblobs = 0;
	long *same;
	const char *s;
	struct buf ptr;
	size_t n, i, k = 0;
	struct kerr qe, ce;
	struct dctx cx = req_dctx(r);
	json_object *o;

	if ((repo = repo_open(r, pr_need(r, r->args.rev, &pr))) == NULL ||
	    pr_allowed(r, repo, &pr) != 0 || req_read_body(r) != 0)
		return;
	if (commit_ndjson_parse(r->a, r->body, r->body_len, &lines, &n,
	    &ce) != 0) {
		resp_kerr(r, &ce);
		return;
	}
	if (n == 0 || strcmp(lines[0].key, "header") != 0) {
		resp_error(r, 400, "BadRequest", "line 1 must be the 'header' "
		    "line");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.repo = repo;
	auth_author(r, &c.author_name, &c.author_email);
	c.branch = branch_of(r->args.rev);
	c.summary = lines[0].summary;
	c.description = lines[0].description;
	if (c.summary == NULL || *c.summary == '\0') {
		resp_error(r, 400, "BadRequest", "header: 'summary' is "
		    "required");
		return;
	}
	if (strlen(c.summary) > SUMMARY_MAX) {
		resp_error(r, 400, "BadRequest", "header: 'summary' is longer "
		    "than the limit of %d bytes", SUMMARY_MAX);
		return;
	}
	if (c.description != NULL && strlen(c.description) > DESCRIPTION_MAX) {
		resp_error(r, 400, "BadRequest", "header: 'description' is "
		    "longer than the limit of %d bytes", DESCRIPTION_MAX);
		return;
	}
	if ((s = lines[0].parent) != NULL) {
		if (oid_parse(&parent, s, strlen(s)) != 0) {
			resp_error(r, 400, "BadRequest", "header: "
			    "'parentCommit' must be a 40-hex commit id");
			return;
		}
		c.parent = &parent;
	}
	c.ops = arena_zalloc(r->a, n * sizeof(*c.ops));

	/* First check every line, then store contents: a bad line stores
	 * nothing. */
	for (i = 1; i < n; i++) {
		struct commit_op *op = &c.ops[k];
		const struct ndjson_line *l = &lines[i];
		const char *key = l->key;

		if (!strcmp(key, "header")) {
			resp_error(r, 400, "BadRequest", "line %zu: a second "
			    "header", i + 1);
			return;
		} else if (!strcmp(key, "file")) {
			if ((op->path = op_path(r, l->path, i + 1, false)) ==
			    NULL)
				return;
			if (l->content == NULL || (l->encoding != NULL &&
			    strcmp(l->encoding, "base64"))) {
				resp_error(r, 400, "BadRequest", "line %zu: "
				    "'content' must be base64", i + 1);
				return;
			}
			op->kind = OP_PUT;
		} else if (!strcmp(key, "lfsFile")) {
			const char *oid = l->oid;

			if ((op->path = op_path(r, l->path, i + 1, false)) ==
			    NULL)
				return;
			if (oid == NULL || (l->algo && strcmp(l->algo,
			    "sha256")) || hex_decode(op->blob.sha256,
			    SHA256_LEN, oid, strlen(oid)) != 0 ||
			    l->has_size == NDJSON_BAD_SIZE) {
				resp_error(r, 400, "BadRequest", "line %zu: "
				    "lfsFile needs a sha256 'oid' and a 'size'",
				    i + 1);
				return;
			}
			op->kind = OP_PUT;
			op->blob.lfs = true;
			if (l->has_size == NDJSON_SIZE) {
				op->blob.size = (uint64_t)l->size;
			} else {
				/* A copy (CommitOperationCopy): no size, and
				 * only from this repository's own files. */
				struct dctx x = req_dctx(r);
				int rc = lfs_size_in_repo(&x, repo->id,
				    op->blob.sha256, &op->blob.size);

				if (rc < 0) {
					resp_db_error(r);
					return;
				}
				if (rc == 0) {
					resp_error(r, 422, "LfsObjectNotFound",
					    "line %zu: an lfsFile without a "
					    "'size' copies a file of this "
					    "repository, and it has no LFS file "
					    "%s", i + 1, oid);
					return;
				}
			}
		} else if (!strcmp(key, "deletedFile") ||
		    !strcmp(key, "deletedFolder")) {
			if ((op->path = op_path(r, l->path, i + 1,
			    key[7] == 'F' && key[8] == 'o')) == NULL)
				return;
			op->kind = OP_DELETE;
		} else {
			resp_error(r, 400, "BadRequest", "line %zu: unknown key "
			    "'%s'", i + 1, key);
			return;
		}
		k++;
	}
	c.nops = k;
	if (quota_precheck(r, repo, c.ops, c.nops, lines + 1) != 0)
		return;
	/* Contents: LFS objects must be stored and verified; regular files
	 * go to S3 now, small ones to the database with their rows. */
	stored_init(r, &stored, c.nops);
	blobs = arena_alloc(r->a, (c.nops + 1) * sizeof(*blobs));
	blob_op = arena_alloc(r->a, (c.nops + 1) * sizeof(*blob_op));
	same = arena_alloc(r->a, (c.nops + 1) * sizeof(*same));
	for (k = 0; k < c.nops; k++)
		same[k] = -1;
	for (i = 1, k = 0; i < n; i++, k++) {
		struct commit_op *op = &c.ops[k];
		long seen;

		if (op->kind != OP_PUT)
			continue;
		if (op->blob.lfs) {
			/* Verified before (batch verify), or now from its
			 * staging key: clients that never call verify get
			 * the same check here. */
			struct dctx x = req_dctx(r);

			if (lfs_ensure_verified(&x, repo->id, op->blob.sha256,
			    op->blob.size, &qe) != 0) {
				resp_kerr(r, &qe);
				return;
			}
			buf_init(&ptr, r->a);
			lfs_pointer(&ptr, op->blob.sha256, op->blob.size);
			git_blob_oid(&op->blob.oid, ptr.data, ptr.len);
		} else {
			const char *b64 = lines[i].content;
			size_t blen = strlen(b64), dlen;
			unsigned char *data = arena_alloc(r->a, blen / 4 * 3 + 3);

			if (sodium_base642bin(data, blen / 4 * 3 + 3, b64, blen,
			    " \r\n", &dlen, NULL,
			    sodium_base64_VARIANT_ORIGINAL) != 0) {
				resp_error(r, 400, "BadRequest", "line %zu: "
				    "'content' is not valid base64", i + 1);
				return;
			}
			/* A pointer's blob id is its LFS file's: as a regular
			 * file it would name an object without its bytes.
			 * Refused whether or not that object exists. */
			if (lfs_is_pointer(data, dlen)) {
				resp_error(r, 422, "LfsPointerAsFile", "line "
				    "%zu: this is a git-lfs pointer file; "
				    "upload the file itself through LFS",
				    i + 1);
				return;
			}
			git_blob_oid(&op->blob.oid, data, dlen);
			if ((seen = stored_find_or_add(&stored, c.ops,
			    &op->blob.oid, k)) >= 0) {
				same[k] = seen;
				continue;
			}
			blobs[nblobs].data = data;
			blobs[nblobs].len = dlen;
			blob_op[nblobs++] = k;
		}
	}
	/* Distinct contents stored together: one existence query per
	 * thousand, PUTs in parallel; then each op gets its blob (and a small
	 * new one its bytes). */
	if (commit_store_regulars(&cx, blobs, nblobs, &ce) != 0) {
		resp_kerr(r, &ce);
		return;
	}
	for (i = 0; i < nblobs; i++) {
		c.ops[blob_op[i]].blob = blobs[i].blob;
		c.ops[blob_op[i]].data = blobs[i].row_data;
		c.ops[blob_op[i]].stored = blobs[i].stored;
		/* S3's bytes, for commit_store_again(): stored now or before */
		c.ops[blob_op[i]].bytes = blobs[i].blob.in_s3 ?
		    blobs[i].data : NULL;
	}
	for (k = 0; k < c.nops; k++)
		if (same[k] >= 0) {
			c.ops[k].blob = c.ops[same[k]].blob;
			c.ops[k].data = c.ops[same[k]].data;
			c.ops[k].stored = c.ops[same[k]].stored;
			c.ops[k].bytes = c.ops[same[k]].bytes;
		}
	pr_commit(&pr, &c);
	if (commit_apply(&cx, &c, &result, &ce) != 0) {
		resp_kerr(r, &ce);
		return;
	}
	o = jobj();
	if (pr.create)
		jset(o, "pullRequestUrl", jstr(arena_printf(r->a,
		    "%s/discussions/%lld", repo_url(r, repo),
		    (long long)pr.num)));
	jset(o, "success", jbool(1));
	jset(o, "commitOid", jstr(oid_hex_a(r->a, &result)));
	jset(o, "commitUrl", jstr(arena_printf(r->a, "%s/commit/%s",
	    repo_url(r, repo), oid_hex_a(r->a, &result))));
	jset(o, "hookOutput", jstr(""));
	resp_json(r, 200, o);
}

void
api_validate_yaml(struct req *r)
{
	json_object *o;

	/* Clients read the JSON before the status: always answer JSON. The
	 * front matter is parsed where it is used (repo info); nothing here
	 * refuses a commit. The router read the body (BODY_JSON). */
	o = jobj();
	jset(o, "errors", jarr());
	jset(o, "warnings", jarr());
	resp_json(r, 200, o);
}
