/*
 * api_resolve.c: downloads. GET answers 302 to a presigned S3 URL, HEAD
 * answers 200; both say which commit, which content (etag) and how big.
 * /raw/ is the same, except that an LFS file is its pointer file there.
 *
 * A gated repository's files are for those its gate lets in (api_gated.c):
 * the gate comes with the repository's row, so an ungated one costs
 * nothing more.
 *
 * The hot path: the answer from the worker's memory (the resolve cache,
 * below) and one signature; else one query (repository, rights and ref
 * together), the tree walk and blob metadata from the worker's cache. A blob's
 * bytes are in S3 before its row says so (in_s3), so no S3 call is needed
 * here, except once per small blob: its first GET puts its bytes from the
 * database into S3 (blobstore.h), for the redirect to name an object. HEAD
 * answers 200 without a Location, so it needs no object and no S3 call.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "blobstore.h"
#include "cache.h"
#include "downloads.h"
#include "fresh.h"
#include "gitstore.h"
#include "hash.h"
#include "hub.h"
#include "range.h"
#include "s3.h"
#include "url.h"

/* The Content-Disposition of a file (RFC 6266): an ASCII fallback name and
 * the exact UTF-8 one. */
static char *
disposition(struct req *r, const char *path)
{
	const char *base = strrchr(path, '/');
	struct buf b;
	size_t i, n;

	base = base ? base + 1 : path;
	n = strlen(base);
	buf_init(&b, r->a);
	buf_adds(&b, "inline; filename*=UTF-8''");
	url_encode(&b, base, n, false);
	buf_adds(&b, "; filename=\"");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)base[i];

		buf_addc(&b, c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ?
		    '_' : (char)c);
	}
	buf_addc(&b, '"');
	return b.data;
}

/*
 * /raw/ of an LFS file is its pointer file, as git stores it (the Hub
 * serves it so): small, answered here, with ranges.
 */
static void
serve_pointer(struct req *r, const struct blob_info *bi, const char *commit)
{
	struct buf ptr;
	size_t from, to;
	char etag[OID_HEX + 1];
	int rc;

	buf_init(&ptr, r->a);
	lfs_pointer(&ptr, bi->sha256, bi->size);
	oid_hex(&bi->oid, etag);
	resp_header(r, "X-Repo-Commit", "%s", commit);
	resp_header(r, "ETag", "\"%s\"", etag);
	resp_header(r, "Accept-Ranges", "bytes");
	rc = range_parse(req_header(r, "Range"), ptr.len, &from, &to);
	if (rc < 0) {
		resp_header(r, "Content-Range", "bytes */%zu", ptr.len);
		resp_error(r, 416, "RangeNotSatisfiable", "Range not "
		    "satisfiable");
		return;
	}
	if (rc == 1) {
		resp_header(r, "Content-Range", "bytes %zu-%zu/%zu", from, to,
		    ptr.len);
		resp_send(r, 206, "text/plain; charset=utf-8", ptr.data + from,
		    to - from + 1);
		return;
	}
	resp_send(r, 200, "text/plain; charset=utf-8", ptr.data, ptr.len);
}

/*
 * The resolve cache: what a resolve of a public, ungated repository found
 * (the repository, the commit, the file's blob), by request, in the
 * worker's cache (cache.h), with the repository's change seq (fresh.h).
 * It answers while the worker's view of changes is current: a change made
 * on this machine drops the answers about that repository at once, one
 * made through another machine within [server] resolve_cache_ms, and the
 * change's own caller, told of its success only once the other machines
 * polled (fresh_barrier()), sees it through any of them. A caller with a
 * token is identified from memory too (auth_token_recall(), forgotten at
 * any change to tokens or accounts); one with a session cookie asks the
 * database.
 */
struct rcache_entry {
	int64_t		 repo_id;
	uint64_t	 seq;
	char		 commit[OID_HEX + 1];
	struct blob_info bi;
};

/* The changes fresh_sync() reports, gathered for one pass. */
#define DROPS_MAX	64

struct drops {
	int64_t		 repo_id[DROPS_MAX];
	uint64_t	 seq[DROPS_MAX];	/* 0: whatever its seq */
	int		 n;
	bool		 all, auth;
};

static void
gather(int64_t repo_id, uint64_t seq, void *arg)
{
	struct drops *d = arg;

	if (repo_id == FRESH_ALL || repo_id == FRESH_AUTH)
		d->auth = true;
	if (repo_id == FRESH_ALL || d->n == DROPS_MAX)
		d->all = true;
	else if (repo_id != FRESH_AUTH) {
		d->repo_id[d->n] = repo_id;
		d->seq[d->n++] = seq;
	}
}

static bool
stale(const void *data, size_t len, void *arg)
{
	const struct rcache_entry *e = data;
	const struct drops *d = arg;
	int i;

	if (d->all)
		return true;
	for (i = 0; i < d->n; i++)
		if (e->repo_id == d->repo_id[i] &&
		    (d->seq[i] == 0 || e->seq < d->seq[i]))
			return true;
	return false;
}

/*
 * The cache key of r into *key, or false when r may not use the cache
 * (it is off, the caller has a session, or this worker's view of changes
 * is not current). Each part but the last carries its length: a revision
 * may hold '/' (branch "v1/x", file "y") and must not meet revision "v1"
 * with file "x/y".
 */
static bool
rcache_key(struct req *r, struct oid *key)
{
	const struct route_args *g = &r->args;
	struct drops d = { .n = 0 };
	struct hash h;
	char *k;
	bool current;

	if (r->hub->conf.resolve_cache_ms == 0 ||
	    req_header(r, "Cookie") != NULL)
		return false;
	current = fresh_sync(r->hub->db, r->hub->conf.resolve_cache_ms,
	    gather, &d);
	if (d.all || d.n > 0)
		cache_drop_if(CACHE_RESOLVE, stale, &d);
	if (d.auth)
		auth_forget_tokens();
	if (!current)
		return false;
	k = arena_printf(r->a, "%d %zu:%s %zu:%s %zu:%s %s", (int)g->type,
	    strlen(g->ns), g->ns, strlen(g->name), g->name, strlen(g->rev),
	    g->rev, g->path);
	hash_init(&h, HASH_SHA1);
	hash_update(&h, k, strlen(k));
	hash_final(&h, key->b);
	return true;
}

/*
 * The cached answer for key, or NULL: then the caller asks the database.
 * A caller with a token is identified here (r->who) when it is used.
 * *answered: it answered (a malformed token, the database down).
 */
static const struct rcache_entry *
rcache_get(struct req *r, const struct oid *key, bool *answered)
{
	const struct rcache_entry *e;
	size_t len;
	int rc;

	*answered = false;
	if ((e = cache_get(CACHE_RESOLVE, key, &len)) == NULL ||
	    len != sizeof(*e))
		return NULL;
	if (req_header(r, "Authorization") == NULL)
		return e;
	/* the entry is public: any valid token may read it */
	if ((rc = auth_token_recall(r)) < 0)
		*answered = true;
	return rc == 1 ? e : NULL;
}

static void
rcache_put(const struct oid *key, const struct repo *repo,
    const char *commit, const struct blob_info *bi)
{
	const struct rcache_entry *was;
	struct rcache_entry e;
	size_t len;

	memset(&e, 0, sizeof(e));
	e.repo_id = repo->id;
	e.seq = repo->change_seq;
	memcpy(e.commit, commit, sizeof(e.commit));
	e.bi = *bi;
	/* a put keeps an entry that is there: one read at another seq (or
	 * of another repository of that name) goes first */
	if ((was = cache_get(CACHE_RESOLVE, key, &len)) != NULL &&
	    (len != sizeof(e) || was->repo_id != e.repo_id ||
	    was->seq != e.seq))
		cache_drop(CACHE_RESOLVE, key);
	cache_put(CACHE_RESOLVE, key, &e, sizeof(e));
}

/* The blob's bytes into S3 if they are only in the database yet (never an
 * LFS file's: its object is in S3); 0, or answers and returns -1. */
static int
publish(struct req *r, struct blob_info *bi)
{
	struct kerr e;
	int rc;

	if (bi->in_s3)
		return 0;
	if ((rc = blobstore_publish(r->hub->db, r->hub->s3, r->a, bi, &e)) ==
	    -1)
		resp_db_error(r);
	else if (rc != 0)
		resp_error(r, e.status, e.code, "%s", e.msg);
	return rc != 0 ? -1 : 0;
}

/* GET/HEAD of a file; raw: the /raw/ form (an LFS file's pointer). */
static void
serve(struct req *r, bool raw)
{
	struct commit_info ci;
	struct tree_entry e;
	struct blob_info bi;
	struct repo *repo = NULL;
	struct rev rev;
	struct buf q;
	char commit[OID_HEX + 1], etag[2 * SHA256_LEN + 1], *disp, *url;
	const struct rcache_entry *hit;
	struct oid key;
	bool cacheable, answered = false;
	int64_t repo_id;
	int rc;

	cacheable = rcache_key(r, &key);
	if (cacheable && (hit = rcache_get(r, &key, &answered)) != NULL) {
		repo_id = hit->repo_id;
		memcpy(commit, hit->commit, sizeof(commit));
		bi = hit->bi;
		/* cached by a HEAD before the bytes were in S3 */
		if (r->method != M_HEAD && !bi.in_s3) {
			if (publish(r, &bi) != 0)
				return;
			struct rcache_entry now = *hit;

			now.bi.in_s3 = true;
			cache_update(CACHE_RESOLVE, &key, &now, sizeof(now));
		}
		goto found;
	}
	if (cacheable && answered)
		return;
	if ((repo = repo_open_rev(r, ACCESS_READ, r->args.rev)) == NULL ||
	    api_gate_files(r, repo) != 0 ||
	    repo_resolve(r, repo, r->args.rev, &rev) != 0)
		return;
	repo_id = repo->id;
	oid_hex(&rev.commit, commit);
	if (gitstore_commit(r->hub->db, r->a, &rev.commit, &ci) != 0) {
		resp_db_error(r);
		return;
	}
	rc = *r->args.path == '\0' ? 1 : gitstore_walk(r->hub->db, r->a,
	    &ci.tree, r->args.path, &e);
	if (rc < 0) {
		resp_db_error(r);
		return;
	}
	if (rc == 1 || e.mode == MODE_DIR) {
		/* The client caches "no such file" under this commit. */
		resp_header(r, "X-Repo-Commit", "%s", commit);
		resp_error(r, 404, "EntryNotFound", "Entry not found: %s",
		    r->args.path);
		return;
	}
	if ((rc = gitstore_blob(r->hub->db, r->a, &e.oid, &bi)) != 0) {
		if (rc < 0)
			resp_db_error(r);
		else
			resp_error(r, 500, "InternalError", "No metadata for "
			    "blob of %s", r->args.path);
		return;
	}
	if (bi.lfs && !bi.in_s3 && r->method != M_HEAD &&
	    api_mirror_lfs(r, repo, commit, &bi) != 0)
		return;
	if (r->method != M_HEAD && publish(r, &bi) != 0)
		return;
	/* (an LFS object not here yet is a mirror's: never cached) */
	if (cacheable && !repo->private_ && repo->gated == GATE_OFF &&
	    repo->mirror == NULL && (bi.in_s3 || !bi.lfs))
		rcache_put(&key, repo, commit, &bi);
found:
	if (raw && bi.lfs) {
		serve_pointer(r, &bi, commit);
		return;
	}
	if (bi.lfs)
		hex_encode(etag, bi.sha256, SHA256_LEN);
	else
		oid_hex(&bi.oid, etag);
	disp = disposition(r, r->args.path);
	resp_header(r, "X-Repo-Commit", "%s", commit);
	resp_header(r, "ETag", "\"%s\"", etag);
	resp_header(r, "X-Linked-Etag", "\"%s\"", etag);
	resp_header(r, "X-Linked-Size", "%llu", (unsigned long long)bi.size);
	resp_header(r, "Content-Disposition", "%s", disp);
	resp_header(r, "Accept-Ranges", "bytes");
	if (r->method == M_HEAD) {
		/* The size is in X-Linked-Size, which clients read first. */
		resp_send(r, 200, "application/octet-stream", NULL, 0);
		return;
	}
	buf_init(&q, r->a);
	buf_adds(&q, "response-content-disposition=");
	url_encode(&q, disp, strlen(disp), false);
	url = s3_presign_url(r->hub->s3, r->a, "GET", gitstore_s3_key(r->a,
	    &bi), q.data, r->hub->conf.presign_lifetime, time(NULL));
	if (url == NULL) {
		resp_error(r, 500, "InternalError", "Cannot sign a download "
		    "URL: %s", s3_errmsg(r->hub->s3));
		return;
	}
	downloads_count(repo_id);
	resp_redirect(r, 302, url);
}

void
api_resolve(struct req *r)
{
	serve(r, false);
}

void
api_raw(struct req *r)
{
	serve(r, true);
}
