/*
 * api_git.c: git over smart HTTP (gitprotocol-http), the front door of
 * uploadpack.c: git clone, fetch, pull and ls-remote on every repository
 * URL form (/ns/name, /datasets/ns/name, /spaces/ns/name, canonical
 * names; with or without .git).
 *
 * Who may read or push is repo_open()'s answer, exactly as for the API: a
 * private repository is 401 to an anonymous caller, with WWW-Authenticate
 * so that git asks for credentials (user:token, HTTP Basic), and "not
 * found" to a stranger; a push by a reader is 403. Errors before the
 * answer starts are text/plain, which git shows as "remote: ..."; protocol
 * errors are git's own ERR line in a 200. A push's body (receivepack.c)
 * is spooled to an unlinked temporary file, at most [server] max_body
 * bytes once inflated, and read through mmap.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "api.h"
#include "api_repo.h"
#include "fresh.h"
#include "gitslots.h"
#include "hub.h"
#include "kerr.h"
#include "log.h"
#include "pktline.h"
#include "receivepack.h"
#include "uploadpack.h"

/* The largest upload-pack request, compressed or not: a clone of 10,000
 * refs is 0.5 MB of wants, 100,000 haves 5 MB. */
#define GIT_BODY_MAX	(16u << 20)

static const char CHALLENGE[] = "Basic realm=\"khub\"";

static void git_error(struct req *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* An error answer git shows: text/plain, one line. */
static void
git_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
	const char *msg;
	char *body;
	va_list ap;

	va_start(ap, fmt);
	msg = resp_error_headers(r, status, code, fmt, ap);
	va_end(ap);
	body = arena_printf(r->a, "%s\n", msg);
	resp_send(r, status, "text/plain; charset=utf-8", body, strlen(body));
}

static void
git_kerr(struct req *r, const struct kerr *e)
{
	if (e->status >= 500) {
		log_error("request %s: %s", r->id, e->msg);
		git_error(r, e->status, e->code, "%s (request %s)",
		    e->status == 503 ? "khub is unavailable; try again "
		    "shortly" : "internal error", r->id);
		return;
	}
	git_error(r, e->status, e->code, "%s", e->msg);
}

/* What git-http-backend sends: never cache an answer about refs. */
static void
no_cache(struct req *r)
{
	resp_header(r, "Expires", "Fri, 01 Jan 1980 00:00:00 GMT");
	resp_header(r, "Pragma", "no-cache");
	resp_header(r, "Cache-Control", "no-cache, max-age=0, "
	    "must-revalidate");
}

/* Protocol v2 when the client asks for it (Git-Protocol: version=2). */
static int
git_version(const struct req *r)
{
	const char *h = req_header(r, "Git-Protocol"), *p;

	for (p = h; p != NULL && *p != '\0'; p += strcspn(p, ":"),
	    p += *p == ':') {
		size_t n = strcspn(p, ":");

		if (n == 9 && !strncmp(p, "version=2", 9))
			return 2;
	}
	return 0;
}

static const char *
agent(void)
{
	return "khub/" KHUB_VERSION;
}

/* The repository, readable (or writable: need) by the caller and not
 * disabled; NULL when answered. */
static struct repo *
git_repo(struct req *r, enum access need)
{
	struct repo *repo;
	const char *msg;
	int rc, status;

	r->challenge = CHALLENGE;
	if ((repo = repo_open(r, need)) == NULL)
		return NULL;
	if (repo->disabled) {
		git_error(r, 403, "DisabledRepo", "Access to this resource is "
		    "disabled");
		return NULL;
	}
	if (repo->mirror != NULL) {
		/* its commits are upstream's ids over snapshots, not
		 * upstream's bytes: a pack would not match them (mirror.h) */
		git_error(r, 501, "NotImplemented", "%s is a mirror of %s: "
		    "clone it from there; here it is served over the Hub API",
		    repo->full, repo->mirror);
		return NULL;
	}
	/* A clone holds every file: a gated repository's gate decides. */
	if ((rc = api_gate_check(r, repo, &status, &msg)) != 0) {
		if (rc == 1)
			git_error(r, status, "GatedRepo", "%s", msg);
		return NULL;
	}
	return repo;
}

/* receive-pack's v0 advertisement: the refs (no HEAD), capabilities on
 * the first line or on capabilities^{} when there is none. */
static void
receive_advertise(struct buf *b, const struct upload_refs *refs)
{
	const char *caps = receive_capabilities(b->a, agent());
	char hex[OID_HEX + 1];
	size_t i;

	pkt_printf(b, "# service=git-receive-pack\n");
	pkt_flush(b);
	if (refs->n == 0)
		pkt_printf(b, "%040d capabilities^{}%c%s\n", 0, '\0', caps);
	for (i = 0; i < refs->n; i++) {
		oid_hex(&refs->v[i].oid, hex);
		if (i == 0)
			pkt_printf(b, "%s %s%c%s\n", hex, refs->v[i].name,
			    '\0', caps);
		else
			pkt_printf(b, "%s %s\n", hex, refs->v[i].name);
	}
	pkt_flush(b);
}

void
api_git_info_refs(struct req *r)
{
	const char *svc = req_query(r, "service");
	struct upload_refs refs;
	struct repo *repo;
	struct kerr e;
	struct buf b;

	if (svc == NULL || (strcmp(svc, "git-upload-pack") != 0 &&
	    strcmp(svc, "git-receive-pack") != 0)) {
		git_error(r, 403, "Forbidden", "khub speaks git's smart HTTP "
		    "protocol only (service=git-upload-pack)");
		return;
	}
	if ((repo = git_repo(r, !strcmp(svc, "git-receive-pack") ?
	    ACCESS_WRITE : ACCESS_READ)) == NULL)
		return;
	if (upload_refs(r->hub->db, r->a, repo->id, &refs, &e) != 0) {
		git_kerr(r, &e);
		return;
	}
	buf_init(&b, r->a);
	if (!strcmp(svc, "git-receive-pack")) {
		receive_advertise(&b, &refs);
		no_cache(r);
		resp_send(r, 200, "application/x-git-receive-pack-"
		    "advertisement", b.data, b.len);
		return;
	}
	if (git_version(r) == 2)
		upload_advertise_v2(&b, agent());
	else {
		pkt_printf(&b, "# service=git-upload-pack\n");
		pkt_flush(&b);
		upload_advertise_v0(&b, &refs, agent());
	}
	no_cache(r);
	resp_send(r, 200, "application/x-git-upload-pack-advertisement",
	    b.data, b.len);
}

/* The body, at most GIT_BODY_MAX, inflated when gzipped; 0, or answers
 * (413, 400) and -1. */
static int
git_body(struct req *r, const char **out, size_t *outlen)
{
	const char *cl = req_env(r, "CONTENT_LENGTH");
	const char *ce = req_header(r, "Content-Encoding");
	char chunk[16384];
	struct buf b, z;
	z_stream zs;
	int k, rc;

	if (cl != NULL && *cl != '\0' && (strlen(cl) > 9 ||
	    strspn(cl, "0123456789") != strlen(cl) ||
	    strtoul(cl, NULL, 10) > GIT_BODY_MAX)) {
		git_error(r, 413, "PayloadTooLarge", "An upload-pack request "
		    "is at most %u bytes", GIT_BODY_MAX);
		return -1;
	}
	buf_init(&b, r->a);
	while ((k = FCGX_GetStr(chunk, sizeof(chunk), r->fcgi->in)) > 0) {
		if (b.len + (size_t)k > GIT_BODY_MAX) {
			git_error(r, 413, "PayloadTooLarge", "An upload-pack "
			    "request is at most %u bytes", GIT_BODY_MAX);
			return -1;
		}
		buf_add(&b, chunk, (size_t)k);
	}
	if (ce == NULL || *ce == '\0' || !strcmp(ce, "identity")) {
		*out = b.data;
		*outlen = b.len;
		return 0;
	}
	if (strcmp(ce, "gzip") != 0 && strcmp(ce, "x-gzip") != 0) {
		git_error(r, 415, "UnsupportedMediaType", "Content-Encoding "
		    "%s is not supported (gzip is)", ce);
		return -1;
	}
	/* git gzips request bodies over 1,024 bytes */
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		oom();
	buf_init(&z, r->a);
	zs.next_in = (Bytef *)b.data;
	zs.avail_in = (uInt)b.len;
	do {
		zs.next_out = (Bytef *)chunk;
		zs.avail_out = sizeof(chunk);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		if (z.len + (sizeof(chunk) - zs.avail_out) > GIT_BODY_MAX) {
			inflateEnd(&zs);
			git_error(r, 413, "PayloadTooLarge", "An upload-pack "
			    "request is at most %u bytes", GIT_BODY_MAX);
			return -1;
		}
		buf_add(&z, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc == Z_OK && (zs.avail_in > 0 || zs.avail_out == 0));
	inflateEnd(&zs);
	if (rc != Z_STREAM_END || zs.avail_in != 0) {
		git_error(r, 400, "BadRequest", "The gzip body is malformed "
		    "or truncated");
		return -1;
	}
	*out = z.data;
	*outlen = z.len;
	return 0;
}

/* The answer's bytes straight into the FastCGI stream. */
static int
fcgi_sink(void *arg, const void *data, size_t len)
{
	struct req *r = arg;

	if (len == 0)
		return data == NULL && FCGX_FFlush(r->fcgi->out) != 0 ? -1 : 0;
	/* a push's report, once its refs moved: seen everywhere first */
	fresh_barrier(r->hub->db, r->hub->conf.resolve_cache_ms);
	if (FCGX_PutStr(data, (int)len, r->fcgi->out) != (int)len)
		return -1;
	r->bytes_out += len;
	return 0;
}

/* git's ERR line: git shows "remote error: <msg>". In a 200 of its own
 * (of the service's result type), or in the answer already started. */
static void
git_err_line_as(struct req *r, const char *type, const struct kerr *e)
{
	struct buf b;

	buf_init(&b, r->a);
	if (e->status >= 500) {
		log_error("request %s: %s", r->id, e->msg);
		pkt_printf(&b, "ERR khub: %s (request %s)\n", e->status ==
		    503 ? "unavailable, try again shortly" : "internal error",
		    r->id);
	} else
		pkt_printf(&b, "ERR %s\n", e->msg);
	r->error_code = e->code;
	r->error_msg = arena_strdup(r->a, e->msg);
	if (r->status == 0)
		resp_send(r, 200, type, b.data, b.len);
	else
		fcgi_sink(r, b.data, b.len);
}

static void
git_err_line(struct req *r, const struct kerr *e)
{
	git_err_line_as(r, "application/x-git-upload-pack-result", e);
}

static void
slot_give(void *unused)
{
	gitslot_give();
}

/*
 * One of [server] git_workers slots for this request (released with its
 * arena), or 503 with Retry-After and -1: the API keeps its workers while
 * long clones and pushes wait their turn.
 */
static int
git_slot(struct req *r)
{
	if (gitslot_take(&r->hub->conf)) {
		arena_on_reset(r->a, slot_give, NULL);
		return 0;
	}
	resp_header(r, "Retry-After", "%d", 5);
	git_error(r, 503, "ServiceUnavailable", "Too many git clones and "
	    "pushes at once on this server: try again shortly");
	return -1;
}

void
api_git_upload_pack(struct req *r)
{
	const char *ct = req_header(r, "Content-Type"), *body;
	struct upload_refs refs;
	struct upload_req q;
	struct repo *repo;
	struct kerr e;
	struct buf b;
	size_t len;
	bool started = false;

	if ((repo = git_repo(r, ACCESS_READ)) == NULL)
		return;
	if (ct == NULL || strcmp(ct, "application/x-git-upload-pack-request")) {
		git_error(r, 415, "UnsupportedMediaType", "Content-Type must "
		    "be application/x-git-upload-pack-request");
		return;
	}
	if (git_body(r, &body, &len) != 0)
		return;
	if (upload_parse(&q, r->a, git_version(r), body, len, &e) != 0) {
		git_err_line(r, &e);
		return;
	}
	if (upload_refs(r->hub->db, r->a, repo->id, &refs, &e) != 0) {
		git_err_line(r, &e);
		return;
	}
	no_cache(r);
	if (q.cmd == UPLOAD_LS_REFS) {
		buf_init(&b, r->a);
		upload_ls_refs(&b, &refs, &q);
		resp_send(r, 200, "application/x-git-upload-pack-result",
		    b.data, b.len);
		return;
	}
	if (git_slot(r) != 0)
		return;
	/* Streamed: headers now, the pack as it is written. */
	resp_send(r, 200, "application/x-git-upload-pack-result", NULL, 0);
	if (upload_fetch(r->hub->db, r->hub->s3, r->a, repo->id, &refs, &q,
	    r->hub->conf.git_keepalive_ms, fcgi_sink, r, &started, &e) != 0) {
		if (!started)
			git_err_line(r, &e);
		else {
			if (e.status != 499)
				log_error("request %s: fetch broke off: %s",
				    r->id, e.msg);
			r->error_code = e.code;
			r->error_msg = arena_strdup(r->a, e.msg);
		}
	}
}

/* A push body in an unlinked temporary file. */
struct spool {
	int		 fd;
	uint64_t	 len, max;
	unsigned char	*map;
};

static void
spool_free(void *p)
{
	struct spool *s = p;

	if (s->map != NULL)
		munmap(s->map, s->len);
	if (s->fd >= 0)
		close(s->fd);
}

/* Appends to the spool: 0, 1 over its limit, -1 on a write error. */
static int
spool_add(struct spool *s, const void *data, size_t len)
{
	const char *p = data;

	if (s->len + len > s->max)
		return 1;
	while (len > 0) {
		ssize_t k = write(s->fd, p, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		len -= (size_t)k;
		s->len += (uint64_t)k;
	}
	return 0;
}

/*
 * The push body (inflated when gzipped, chunked or not: read to its end)
 * into a spool mapped at s->map. 0, or answers (413, 400, 500) and -1.
 */
static int
push_body(struct req *r, struct spool *s)
{
	const char *ce = req_header(r, "Content-Encoding");
	const char *cl = req_env(r, "CONTENT_LENGTH");
	const char *dir = getenv("TMPDIR");
	unsigned char chunk[65536], out[65536];
	bool gz = ce != NULL && (!strcmp(ce, "gzip") || !strcmp(ce, "x-gzip"));
	z_stream zs;
	int k, rc = 0, zr = Z_OK;

	if (ce != NULL && *ce != '\0' && !gz && strcmp(ce, "identity") != 0) {
		git_error(r, 415, "UnsupportedMediaType", "Content-Encoding "
		    "%s is not supported (gzip is)", ce);
		return -1;
	}
	s->max = r->hub->conf.max_body;
	if (cl != NULL && *cl != '\0' && strtoull(cl, NULL, 10) > s->max &&
	    !gz) {
		git_error(r, 413, "PayloadTooLarge", "A push is at most %llu "
		    "bytes ([server] max_body)", (unsigned long long)s->max);
		return -1;
	}
	s->fd = open(dir != NULL && *dir != '\0' ? dir : "/tmp",
	    O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	arena_on_reset(r->a, spool_free, s);
	if (s->fd < 0) {
		log_error("request %s: push: no temporary file: %s", r->id,
		    strerror(errno));
		git_error(r, 500, "InternalError", "internal error (request "
		    "%s)", r->id);
		return -1;
	}
	memset(&zs, 0, sizeof(zs));
	if (gz && inflateInit2(&zs, 15 + 16) != Z_OK)
		oom();
	while (rc == 0 && (k = FCGX_GetStr((char *)chunk, sizeof(chunk),
	    r->fcgi->in)) > 0) {
		if (!gz) {
			rc = spool_add(s, chunk, (size_t)k);
			continue;
		}
		zs.next_in = chunk;
		zs.avail_in = (uInt)k;
		do {
			zs.next_out = out;
			zs.avail_out = sizeof(out);
			zr = inflate(&zs, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
				rc = 2;
			else
				rc = spool_add(s, out, sizeof(out) -
				    zs.avail_out);
		} while (rc == 0 && zr == Z_OK && zs.avail_out == 0);
	}
	if (gz) {
		inflateEnd(&zs);
		if (rc == 0 && zr != Z_STREAM_END)
			rc = 2;
	}
	if (rc == 1) {
		git_error(r, 413, "PayloadTooLarge", "A push is at most %llu "
		    "bytes ([server] max_body)", (unsigned long long)s->max);
		return -1;
	}
	if (rc == 2) {
		git_error(r, 400, "BadRequest", "The gzip body is malformed "
		    "or truncated");
		return -1;
	}
	if (rc < 0 || (s->len > 0 && (s->map = mmap(NULL, s->len, PROT_READ,
	    MAP_PRIVATE, s->fd, 0)) == MAP_FAILED)) {
		s->map = NULL;
		log_error("request %s: push: spooling failed: %s", r->id,
		    strerror(errno));
		git_error(r, 500, "InternalError", "internal error (request "
		    "%s)", r->id);
		return -1;
	}
	return 0;
}

/* What the push says on band 2 (without side-band, or quiet, nothing
 * but errors), straight into the answer. */
struct push_out {
	struct req	*r;
	bool		 sideband, quiet;
};

static void
band_out(struct req *r, int band, const void *data, size_t len)
{
	const char *p = data;
	char h[5];

	while (len > 0) {
		size_t n = len > PKT_BAND_MAX ? PKT_BAND_MAX : len;

		pkt_band_header(h, band, n);
		if (fcgi_sink(r, h, 5) != 0 || fcgi_sink(r, p, n) != 0)
			return;		/* the client went away */
		p += n;
		len -= n;
	}
}

static void
push_say_line(void *arg, const char *line)
{
	struct push_out *o = arg;
	char *l;

	if (!o->sideband)
		return;
	if (line == NULL) {
		/* git's own keepalive: an empty packet of band 1 */
		fcgi_sink(o->r, "0005\1", 5);
	} else {
		l = arena_printf(o->r->a, "%s\n", line);
		band_out(o->r, 2, l, strlen(l));
	}
	FCGX_FFlush(o->r->fcgi->out);
}

void
api_git_receive_pack(struct req *r)
{
	static const char result[] = "application/x-git-receive-pack-result";
	const char *ct = req_header(r, "Content-Type");
	struct spool *sp = arena_zalloc(r->a, sizeof(*sp));
	struct push_out *o = arena_zalloc(r->a, sizeof(*o));
	struct dctx x = req_dctx(r);
	const char *unpack = NULL;
	struct push_req q;
	struct repo *repo;
	struct kerr e;
	struct buf rep;
	size_t i;

	sp->fd = -1;
	if ((repo = git_repo(r, ACCESS_WRITE)) == NULL)
		return;
	if (ct == NULL || strcmp(ct, "application/x-git-receive-pack-request")) {
		git_error(r, 415, "UnsupportedMediaType", "Content-Type must "
		    "be application/x-git-receive-pack-request");
		return;
	}
	if (push_body(r, sp) != 0)
		return;
	no_cache(r);
	/* git probes with a flush alone before a large chunked push */
	if (sp->len == 4 && !memcmp(sp->map, "0000", 4)) {
		resp_send(r, 200, result, NULL, 0);
		return;
	}
	if (receive_parse(&q, r->a, (const char *)sp->map, sp->len, &e) != 0) {
		git_err_line_as(r, result, &e);
		return;
	}
	if (git_slot(r) != 0)
		return;
	/* Streamed from here: what the push says as it works (front ends
	 * see bytes, not a silent minute), then the report. */
	o->r = r;
	o->sideband = q.sideband;
	o->quiet = q.quiet;
	resp_send(r, 200, result, NULL, 0);
	if (receive_pack(&x, repo->id, repo->owner_id, repo->ns, &q,
	    sp->map + q.pack_off, sp->len - q.pack_off, push_say_line, o,
	    &e) != 0) {
		if (e.status >= 500) {
			log_error("request %s: push: %s", r->id, e.msg);
			unpack = arena_printf(r->a, "khub: %s (request %s)",
			    e.status == 503 ? "unavailable, try again shortly" :
			    "internal error", r->id);
		} else
			unpack = e.msg;
		push_say_line(o, arena_printf(r->a, "error: %s", unpack));
		for (i = 0; i < q.ncmds; i++)
			q.cmds[i].ng = "unpacker error";
		r->error_code = e.code;
		r->error_msg = arena_strdup(r->a, e.msg);
	}
	buf_init(&rep, r->a);
	if (q.report_status)
		receive_report(&rep, &q, unpack);
	if (q.sideband) {
		band_out(r, 1, rep.data, rep.len);
		fcgi_sink(r, "0000", 4);
	} else
		fcgi_sink(r, rep.data, rep.len);
}
