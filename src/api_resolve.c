/*
 * api_resolve.c: downloads. GET answers 302 to a presigned S3 URL, HEAD
 * answers 200; both say which commit, which content (etag) and how big.
 * /raw/ is the same, except that an LFS file is its pointer file there.
 *
 * A gated repository's files are for those its gate lets in (api_gated.c):
 * the gate comes with the repository's row, so an ungated one costs
 * nothing more.
 *
 * The hot path: one query (repository, rights and ref together), the tree
 * walk and blob metadata from the worker's cache, one signature. A blob's
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
#include "blobstore.h"
#include "downloads.h"
#include "gitstore.h"
#include "hub.h"
#include "range.h"
#include "repo.h"
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
 * The opt-in resolve cache ([server] resolve_cache_ms): what an anonymous
 * resolve of a public repository found, by URL, for a few hundred
 * milliseconds. Off by default: it trades freshness across workers for a
 * resolve without a database round trip. Fixed slots, overwritten on
 * collision; keys are compared whole.
 */
#define RCACHE_SLOTS	4096

struct rcache_entry {
	char		*key;		/* malloc'd */
	int64_t		 repo_id;
	char		 commit[OID_HEX + 1];
	struct blob_info bi;
	int64_t		 expires_ms;
};

static struct rcache_entry rcache[RCACHE_SLOTS];

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The cache key of r, or NULL when r may not use the cache. Each part but
 * the last carries its length: a revision may hold '/' (branch "v1/x",
 * file "y") and must not meet revision "v1" with file "x/y".
 */
static char *
rcache_key(struct req *r)
{
	const struct route_args *g = &r->args;

	if (r->hub->conf.resolve_cache_ms == 0 ||
	    req_header(r, "Authorization") != NULL ||
	    req_header(r, "Cookie") != NULL)
		return NULL;
	return arena_printf(r->a, "%d %zu:%s %zu:%s %zu:%s %s", (int)g->type,
	    strlen(g->ns), g->ns, strlen(g->name), g->name, strlen(g->rev),
	    g->rev, g->path);
}

static struct rcache_entry *
rcache_slot(const char *key)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return &rcache[h % RCACHE_SLOTS];
}

static struct rcache_entry *
rcache_get(const char *key)
{
	struct rcache_entry *e = rcache_slot(key);

	if (e->key == NULL || strcmp(e->key, key) != 0 ||
	    now_ms() >= e->expires_ms)
		return NULL;
	return e;
}

static void
rcache_put(struct req *r, const char *key, int64_t repo_id,
    const char *commit, const struct blob_info *bi)
{
	struct rcache_entry *e = rcache_slot(key);

	free(e->key);
	if ((e->key = strdup(key)) == NULL)
		oom();
	e->repo_id = repo_id;
	memcpy(e->commit, commit, sizeof(e->commit));
	e->bi = *bi;
	e->expires_ms = now_ms() + r->hub->conf.resolve_cache_ms;
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
	struct rcache_entry *hit;
	char *key;
	int64_t repo_id;
	int rc;

	if ((key = rcache_key(r)) != NULL && (hit = rcache_get(key)) != NULL) {
		repo_id = hit->repo_id;
		memcpy(commit, hit->commit, sizeof(commit));
		bi = hit->bi;
		/* cached by a HEAD before the bytes were in S3 */
		if (r->method != M_HEAD && !bi.in_s3) {
			if (publish(r, &bi) != 0)
				return;
			hit->bi.in_s3 = true;
		}
		goto found;
	}
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
	if (key != NULL && !repo->private_ && repo->gated == GATE_OFF &&
	    (bi.in_s3 || !bi.lfs))
		rcache_put(r, key, repo_id, commit, &bi);
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
