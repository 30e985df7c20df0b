/*
 * s3.c: the S3 calls khub makes itself, over one reused libcurl handle,
 * signed with sigv4.c (not CURLOPT_AWS_SIGV4: libcurl 7.88 leaves out the
 * x-amz-content-sha256 header that S3 requires).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "arena.h"
#include "conf.h"
#include "metrics.h"
#include "s3.h"
#include "sigv4.h"

#define CONNECT_TIMEOUT	3L		/* seconds */
#define CALL_TIMEOUT	30L		/* seconds, for calls without data */
#define SLOW_TIMEOUT	600L		/* complete, copy: S3 may take minutes */
/* s3_check(), for GET /api/health: a balancer's probe gives up after a
 * few seconds, and a gateway that accepts and answers nothing must not
 * hold each probe's worker for CALL_TIMEOUT (t_59_rgw_restart.mjs). */
#define CHECK_TIMEOUT	2L		/* seconds */
#define MIN_RATE	(1L << 20)	/* bytes/s a PUT is given time for */
#define ERRBODY_MAX	65536		/* error answers kept up to this */
/* Other answers read whole (a listing page of 1,000 keys is about 270
 * KiB, up to some MiB with long keys; ListParts of 10,000 parts more):
 * kept up to this, which no answer khub asks for reaches. */
#define BODY_MAX	(16L << 20)
#define MAX_LIFETIME	604800U		/* S3's limit on X-Amz-Expires */
#define PUT_PARALLEL	16		/* s3_put_many()'s transfers at once */
/* s3_getq's, on the same handles: 1,000 GETs of 4.7 KiB took 0.5-0.8 s
 * 16 at once, about 1 s 4 or 8 at once, 1.3-1.9 s one after another
 * (tests/bench/clone, BENCH_CLONE_UNITS=400, on this 2-core machine) */
#define GET_PARALLEL	PUT_PARALLEL

/* Where requests go: scheme://host/prefix/key. */
struct endpoint {
	const char	*scheme;	/* "http" or "https" */
	char		*host;		/* Host, lower-case, no default port */
	char		*prefix;	/* raw path before the key: "/bucket" */
	const char	*bad;		/* why the endpoint is unusable */
};

struct s3 {
	const struct conf *conf;
	CURL		*curl;
	struct sigv4	 sig;
	struct sigv4	 upsig;		/* upload URLs: the upload keys */
	struct endpoint	 api;		/* conf->s3_endpoint */
	struct endpoint	 pub;		/* conf->s3_public_endpoint */
	struct arena	 perm;		/* the endpoints' strings */
	struct arena	 tmp;		/* one call's; reset by the next call */
	char		 err[512];
	char		 curlerr[CURL_ERROR_SIZE];
	char		 code[64];	/* S3's error code of the last answer */

	/* The answer of the call in progress. */
	long		 status;
	struct buf	 body;		/* small answers, error documents */
	char		 etag[128];
	s3_sink		 sink;		/* s3_get(): a 2xx body goes here */
	void		*sink_arg;
	bool		 sink_stopped;
	s3_tick		 tick;		/* s3_set_tick(): while a GET waits */
	void		*tick_arg;

	/* s3_put_many(): made on first use, kept for their connections. */
	CURLM		*multi;
	CURL		*pool[PUT_PARALLEL];
	struct arena	 pool_a[PUT_PARALLEL];
	bool		 pool_ready;
};

/* One request. */
struct call {
	const char		*what;		/* for messages: "HEAD" */
	const char		*method;
	const char		*key;		/* NULL: the bucket itself */
	const struct sigv4_kv	*query;
	size_t			 nquery;
	const struct sigv4_kv	*headers;	/* signed, besides Host */
	size_t			 nheaders;
	const void		*data;		/* the body, or NULL */
	size_t			 len;
	long			 timeout;	/* seconds; 0: none */
	bool			 stream;	/* GET with a sink */
	bool			 error_in_200;	/* S3 may answer 200 <Error> */
	bool			 filetime;	/* parse Last-Modified */
};

static void
seterr(struct s3 *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
seterr(struct s3 *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

/*
 * Splits "http://Host:Port/base" into the parts requests need; the bucket
 * goes into the host (virtual-hosted style) or the path (path style).
 */
static void
endpoint_parse(struct s3 *s, struct endpoint *e, const char *url)
{
	const char *auth, *slash;
	size_t n;
	char *p;

	memset(e, 0, sizeof(*e));
	e->host = e->prefix = "";
	if (url == NULL) {
		e->bad = "no endpoint configured";
		return;
	}
	if (strncasecmp(url, "https://", 8) == 0) {
		e->scheme = "https";
		auth = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		e->scheme = "http";
		auth = url + 7;
	} else {
		e->bad = "endpoint must start with http:// or https://";
		return;
	}
	slash = strchr(auth, '/');
	n = slash != NULL ? (size_t)(slash - auth) : strlen(auth);
	if (n == 0) {
		e->bad = "endpoint has no host";
		return;
	}
	p = arena_strndup(&s->perm, auth, n);
	for (e->host = p; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	/*
	 * Clients leave a default port out of Host, and Host is signed:
	 * leave it out here too so that presigned URLs match.
	 */
	n = strlen(e->host);
	if (strcmp(e->scheme, "http") == 0 && n > 3 &&
	    strcmp(e->host + n - 3, ":80") == 0)
		e->host[n - 3] = '\0';
	else if (strcmp(e->scheme, "https") == 0 && n > 4 &&
	    strcmp(e->host + n - 4, ":443") == 0)
		e->host[n - 4] = '\0';
	e->prefix = arena_strdup(&s->perm, slash != NULL ? slash : "");
	n = strlen(e->prefix);
	while (n > 0 && e->prefix[n - 1] == '/')
		e->prefix[--n] = '\0';

	if (s->conf->s3_bucket == NULL || s->conf->s3_bucket[0] == '\0')
		e->bad = "no bucket configured";
	else if (s->conf->s3_path_style)
		e->prefix = arena_printf(&s->perm, "%s/%s", e->prefix,
		    s->conf->s3_bucket);
	else
		e->host = arena_printf(&s->perm, "%s.%s", s->conf->s3_bucket,
		    e->host);
}

char *
s3_public_origin(const struct s3 *s, struct arena *a)
{
	if (s->pub.bad != NULL)
		return arena_strdup(a, "");
	return arena_printf(a, "%s://%s", s->pub.scheme, s->pub.host);
}

struct s3 *
s3_new(const struct conf *conf)
{
	static bool curl_ready;
	struct s3 *s;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_ready = true;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->conf = conf;
	if ((s->curl = curl_easy_init()) == NULL ||
	    sigv4_init(&s->sig, conf->s3_access_key != NULL ?
	    conf->s3_access_key : "", conf->s3_secret_key != NULL ?
	    conf->s3_secret_key : "", conf->s3_region != NULL ?
	    conf->s3_region : "us-east-1", "s3") == -1 ||
	    sigv4_init(&s->upsig, conf->s3_upload_access_key != NULL ?
	    conf->s3_upload_access_key : s->sig.access_key,
	    conf->s3_upload_secret_key != NULL ? conf->s3_upload_secret_key :
	    s->sig.secret_key, s->sig.region, "s3") == -1) {
		if (s->curl != NULL)
			curl_easy_cleanup(s->curl);
		free(s);
		return NULL;
	}
	arena_init(&s->perm, 1024);
	arena_init(&s->tmp, 16384);
	endpoint_parse(s, &s->api, conf->s3_endpoint);
	endpoint_parse(s, &s->pub, conf->s3_public_endpoint != NULL ?
	    conf->s3_public_endpoint : conf->s3_endpoint);
	return s;
}

void
s3_free(struct s3 *s)
{
	if (s == NULL)
		return;
	curl_easy_cleanup(s->curl);
	if (s->pool_ready) {
		size_t i;

		for (i = 0; i < PUT_PARALLEL; i++) {
			curl_easy_cleanup(s->pool[i]);
			arena_free(&s->pool_a[i]);
		}
	}
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	arena_free(&s->tmp);
	arena_free(&s->perm);
	free(s);
}

const char *
s3_errmsg(const struct s3 *s)
{
	return s->err;
}

/* ---- small helpers ---- */

/* The raw path of key (or of the bucket when key is NULL). */
static char *
raw_path(struct arena *a, const struct endpoint *e, const char *key)
{
	if (key == NULL)
		return arena_printf(a, "%s/", e->prefix);
	return arena_printf(a, "%s/%s", e->prefix, key);
}

/* "k=v&k" for the URL, in the order given. */
static char *
url_query(struct arena *a, const struct sigv4_kv *q, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, a);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, '&');
		sigv4_encode(&b, q[i].key, strlen(q[i].key), false);
		/* "?uploads", not "?uploads=": what S3's documents send. */
		if (q[i].value != NULL && q[i].value[0] != '\0') {
			buf_addc(&b, '=');
			sigv4_encode(&b, q[i].value, strlen(q[i].value),
			    false);
		}
	}
	return b.data;
}

char *
s3_xml_text(struct arena *a, const char *xml, const char *tag)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	const char *p, *e;
	char *open, *close, *out, *o;
	size_t i;

	open = arena_printf(a, "<%s>", tag);
	close = arena_printf(a, "</%s>", tag);
	if (xml == NULL || (p = strstr(xml, open)) == NULL)
		return NULL;
	p += strlen(open);
	if ((e = strstr(p, close)) == NULL)
		return NULL;
	out = o = arena_alloc(a, (size_t)(e - p) + 1);
	while (p < e) {
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < sizeof(ents) / sizeof(ents[0])) {
			*o++ = ents[i].c;
			p += strlen(ents[i].ent);
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* Copies an ETag without its quotes. */
static void
etag_copy(char *dst, size_t size, const char *v, size_t n)
{
	while (n > 0 && (*v == '"' || *v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '"' || v[n - 1] == ' ' ||
	    v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* ---- libcurl callbacks ---- */

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct s3 *s = arg;
	size_t n = size * nmemb;

	/* A new status line (after "100 Continue"): forget the last one's. */
	if (n > 5 && strncmp(p, "HTTP/", 5) == 0)
		s->etag[0] = '\0';
	else if (n > 5 && strncasecmp(p, "etag:", 5) == 0)
		etag_copy(s->etag, sizeof(s->etag), p + 5, n - 5);
	return n;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct s3 *s = arg;
	size_t n = size * nmemb;

	if (s->status == 0)
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->sink != NULL && s->status / 100 == 2) {
		if (s->sink(s->sink_arg, p, n) != 0) {
			s->sink_stopped = true;
			return 0;	/* makes libcurl stop */
		}
		return n;
	}
	if (s->body.len + n <= (s->status / 100 == 2 ? (size_t)BODY_MAX :
	    (size_t)ERRBODY_MAX))
		buf_add(&s->body, p, n);
	return n;
}

/* libcurl's progress callback, about once a second even while nothing
 * arrives: the caller's tick (a keepalive to its own client). */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct s3 *s = arg;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	if (s->tick != NULL && s->tick(s->tick_arg) != 0) {
		s->sink_stopped = true;
		return 1;	/* makes libcurl stop */
	}
	return 0;
}

/* ---- one request ---- */

/* A curl_slist node in the call's arena: nothing to free afterwards. */
static struct curl_slist *
hdr(struct arena *a, struct curl_slist *next, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct curl_slist *
hdr(struct arena *a, struct curl_slist *next, const char *fmt, ...)
{
	struct curl_slist *l = arena_alloc(a, sizeof(*l));
	va_list ap;

	va_start(ap, fmt);
	l->data = arena_vprintf(a, fmt, ap);
	va_end(ap);
	l->next = next;
	return l;
}

static bool
unavailable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return true;
	default:
		return false;
	}
}

/* The code of a status (and of S3's error code, for a 200 <Error>). */
static int
status_code(long status, const char *code)
{
	if (code != NULL && (strcmp(code, "NoSuchKey") == 0 ||
	    strcmp(code, "NoSuchUpload") == 0 ||
	    strcmp(code, "NoSuchBucket") == 0))
		return S3_NOTFOUND;
	if (code != NULL && (strcmp(code, "InternalError") == 0 ||
	    strcmp(code, "SlowDown") == 0 ||
	    strcmp(code, "ServiceUnavailable") == 0))
		return S3_UNAVAILABLE;
	if (status == 404)
		return S3_NOTFOUND;
	if (status >= 500 || status == 429)
		return S3_UNAVAILABLE;
	return S3_ERROR;
}

/*
 * Signs call c and sets it up on handle h (options reset, connection kept),
 * its strings (headers, URL) in arena a, which must outlive the transfer;
 * the body callbacks are the caller's.
 */
static void
request_setup(struct s3 *s, struct arena *a, CURL *h, const struct call *c)
{
	struct sigv4_kv *kv;
	struct sigv4_req r;
	struct sigv4_result res;
	struct curl_slist *list;
	const struct endpoint *e = &s->api;
	char hash[65], *path, *url;
	const char *q;
	size_t i;

	/* Sign: Host, the call's headers, the body's hash. */
	path = raw_path(a, e, c->key);
	kv = arena_alloc(a, (c->nheaders + 1) * sizeof(*kv));
	kv[0].key = "Host";
	kv[0].value = e->host;
	for (i = 0; i < c->nheaders; i++)
		kv[i + 1] = c->headers[i];
	sigv4_sha256_hex(hash, c->data != NULL ? c->data : "", c->len);
	memset(&r, 0, sizeof(r));
	r.method = c->method;
	r.path = path;
	r.query = c->query;
	r.nquery = c->nquery;
	r.headers = kv;
	r.nheaders = c->nheaders + 1;
	r.payload_hash = hash;
	sigv4_sign_header(&s->sig, a, &r, time(NULL), true, &res);

	q = url_query(a, c->query, c->nquery);
	url = arena_printf(a, "%s://%s%s%s%s", e->scheme, e->host,
	    sigv4_canonical_uri(a, path, false), *q ? "?" : "", q);

	/* What libcurl would add on its own and S3 does not need, removed. */
	list = hdr(a, NULL, "Expect:");
	list = hdr(a, list, "Accept:");
	list = hdr(a, list, "Content-Type:");
	for (i = 0; i < c->nheaders; i++)
		list = hdr(a, list, "%s: %s", c->headers[i].key,
		    c->headers[i].value);
	list = hdr(a, list, "Authorization: %s", res.authorization);
	list = hdr(a, list, "x-amz-content-sha256: %s", hash);
	list = hdr(a, list, "x-amz-date: %s", res.amz_date);
	list = hdr(a, list, "Host: %s", e->host);

	/* Options reset, the connection and DNS caches kept. */
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout);
	if (c->filetime)
		curl_easy_setopt(h, CURLOPT_FILETIME, 1L);
	if (c->stream || c->len > 0) {
		/* A transfer that stalls for a minute is given up. */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	}
	if (strcmp(c->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(c->method, "GET") != 0) {
		/* libcurl rewinds POSTFIELDS itself on a connection retry. */
		if (c->data != NULL || strcmp(c->method, "DELETE") != 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)c->len);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS,
			    c->data != NULL ? c->data : "");
		}
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
	}
}

static int
perform(struct s3 *s, const struct call *c)
{
	const struct endpoint *e = &s->api;
	char *code, *msg;
	CURLcode rc;

	if (e->bad != NULL) {
		seterr(s, "S3 %s: %s", c->what, e->bad);
		return S3_ERROR;
	}
	request_setup(s, &s->tmp, s->curl, c);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->curlerr);
	curl_easy_setopt(s->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(s->curl, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, s);
	if (c->stream && s->tick != NULL) {
		curl_easy_setopt(s->curl, CURLOPT_XFERINFOFUNCTION,
		    on_progress);
		curl_easy_setopt(s->curl, CURLOPT_XFERINFODATA, s);
		curl_easy_setopt(s->curl, CURLOPT_NOPROGRESS, 0L);
	}

	s->status = 0;
	s->etag[0] = '\0';
	s->code[0] = '\0';
	s->curlerr[0] = '\0';
	s->sink_stopped = false;
	buf_init(&s->body, &s->tmp);
	rc = curl_easy_perform(s->curl);
	metrics_add(MET_S3_CALLS, 1);
	if (rc != CURLE_OK) {
		metrics_add(MET_S3_ERRORS, 1);
		if (s->sink_stopped) {
			seterr(s, "S3 %s %s: stopped by the caller", c->what,
			    c->key != NULL ? c->key : "");
			return S3_ERROR;
		}
		seterr(s, "S3 %s %s://%s: %s", c->what, e->scheme, e->host,
		    s->curlerr[0] != '\0' ? s->curlerr :
		    curl_easy_strerror(rc));
		return unavailable(rc) ? S3_UNAVAILABLE : S3_ERROR;
	}
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);

	if (s->status / 100 == 2 && !(c->error_in_200 &&
	    strstr(s->body.data, "<Error>") != NULL))
		return S3_OK;
	metrics_add(MET_S3_ERRORS, 1);
	code = s3_xml_text(&s->tmp, s->body.data, "Code");
	snprintf(s->code, sizeof(s->code), "%s", code != NULL ? code : "");
	msg = s3_xml_text(&s->tmp, s->body.data, "Message");
	seterr(s, "S3 %s %s: %ld%s%s%s%s", c->what,
	    c->key != NULL ? c->key : s->conf->s3_bucket, s->status,
	    code != NULL ? " " : "", code != NULL ? code : "",
	    msg != NULL ? ": " : "", msg != NULL ? msg : "");
	return status_code(s->status / 100 == 2 ? 0 : s->status, code);
}

/* ---- the calls ---- */

static void
call_init(struct s3 *s, struct call *c, const char *what,
    const char *method, const char *key)
{
	arena_reset(&s->tmp);
	s->err[0] = '\0';
	s->sink = NULL;
	memset(c, 0, sizeof(*c));
	c->what = what;
	c->method = method;
	c->key = key;
	c->timeout = CALL_TIMEOUT;
}

int
s3_check(struct s3 *s, char *err, size_t errlen)
{
	struct sigv4_kv q[] = { { "location", "" } };
	struct call c;
	int rc;
	const char *bucket = s->conf->s3_bucket;

	call_init(s, &c, "HEAD bucket", "HEAD", NULL);
	c.timeout = CHECK_TIMEOUT;
	if ((rc = perform(s, &c)) == S3_OK) {
		if (errlen > 0)
			err[0] = '\0';
		return S3_OK;
	}
	if (s->api.bad != NULL)
		;	/* the message says it */
	else if (s->status == 0)
		seterr(s, "%s://%s %s: %s", s->api.scheme, s->api.host,
		    rc == S3_UNAVAILABLE ? "unreachable" : "failed",
		    s->curlerr[0] != '\0' ? s->curlerr : "no answer");
	else if (rc == S3_UNAVAILABLE)
		seterr(s, "%s://%s answers %ld: S3 unavailable", s->api.scheme,
		    s->api.host, s->status);
	else if (rc == S3_NOTFOUND)
		seterr(s, "%s://%s answers, but bucket %s does not exist",
		    s->api.scheme, s->api.host, bucket);
	else {
		/*
		 * A HEAD answer has no body to say why: ask again with a
		 * GET that carries S3's error code (SignatureDoesNotMatch,
		 * InvalidAccessKeyId...).
		 */
		long status = s->status;

		call_init(s, &c, "GET bucket location", "GET", NULL);
		c.timeout = CHECK_TIMEOUT;
		c.query = q;
		c.nquery = 1;
		if (perform(s, &c) == S3_OK || s->status != status)
			s->code[0] = '\0';
		seterr(s, "%s://%s answers but refuses access to bucket %s: "
		    "%ld%s%s%s", s->api.scheme, s->api.host, bucket, status,
		    s->code[0] != '\0' ? " " : "", s->code,
		    status == 403 ? "; check access_key and secret_key" :
		    status == 301 || status == 400 ?
		    "; check region and endpoint" : "");
	}
	if (errlen > 0)
		snprintf(err, errlen, "%s", s->err);
	return rc;
}

int
s3_head(struct s3 *s, const char *key, struct s3_stat *out)
{
	curl_off_t len = -1, ft = -1;
	struct call c;
	int rc;

	call_init(s, &c, "HEAD", "HEAD", key);
	c.filetime = true;
	memset(out, 0, sizeof(*out));
	if ((rc = perform(s, &c)) != S3_OK) {
		if (rc == S3_NOTFOUND)
			seterr(s, "S3 HEAD %s: no such key", key);
		return rc;
	}
	curl_easy_getinfo(s->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	out->size = len > 0 ? (uint64_t)len : 0;
	memcpy(out->etag, s->etag, sizeof(out->etag));
	if (curl_easy_getinfo(s->curl, CURLINFO_FILETIME_T, &ft) == CURLE_OK &&
	    ft > 0)
		out->modified = (time_t)ft;
	return S3_OK;
}

int
s3_put(struct s3 *s, const char *key, const void *data, size_t len)
{
	struct call c;

	call_init(s, &c, "PUT", "PUT", key);
	c.data = data;
	c.len = len;
	c.timeout = CALL_TIMEOUT + (long)(len / MIN_RATE);
	return perform(s, &c);
}

/* One transfer of s3_put_many(). */
struct xfer {
	struct buf	 body;		/* an error answer */
	size_t		 obj;
	bool		 busy;
	char		 curlerr[CURL_ERROR_SIZE];
};

static size_t
on_body_xfer(char *p, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;

	if (b->len + n <= ERRBODY_MAX)
		buf_add(b, p, n);
	return n;
}

/* The pool's handles and arenas, made once; 0 or -1 (out of memory). */
static int
pool_ready(struct s3 *s)
{
	size_t i;

	if (s->multi == NULL) {
		if ((s->multi = curl_multi_init()) == NULL)
			return -1;
		curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		    (long)PUT_PARALLEL);
	}
	if (!s->pool_ready) {
		for (i = 0; i < PUT_PARALLEL; i++)
			if ((s->pool[i] = curl_easy_init()) == NULL) {
				while (i-- > 0)
					curl_easy_cleanup(s->pool[i]);
				return -1;
			}
		for (i = 0; i < PUT_PARALLEL; i++)
			arena_init(&s->pool_a[i], 4096);
		s->pool_ready = true;
	}
	return 0;
}

/* Records how the transfer on slot x ended; the call's code so far is rc. */
static int
put_done(struct s3 *s, const struct s3_obj *objs, struct xfer *x, CURL *h,
    CURLcode result, int rc)
{
	const struct endpoint *e = &s->api;
	const char *key = objs[x->obj].key;
	long status = 0;
	char *code, *msg;
	int one;

	metrics_add(MET_S3_CALLS, 1);
	if (result != CURLE_OK) {
		metrics_add(MET_S3_ERRORS, 1);
		one = unavailable(result) ? S3_UNAVAILABLE : S3_ERROR;
		if (rc == S3_OK)
			seterr(s, "S3 PUT %s://%s: %s", e->scheme, e->host,
			    x->curlerr[0] != '\0' ? x->curlerr :
			    curl_easy_strerror(result));
		return rc == S3_OK ? one : rc;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status / 100 == 2)
		return rc;
	metrics_add(MET_S3_ERRORS, 1);
	code = s3_xml_text(&s->tmp, x->body.data, "Code");
	msg = s3_xml_text(&s->tmp, x->body.data, "Message");
	one = status_code(status, code);
	if (rc == S3_OK)
		seterr(s, "S3 PUT %s: %ld%s%s%s%s", key, status,
		    code != NULL ? " " : "", code != NULL ? code : "",
		    msg != NULL ? ": " : "", msg != NULL ? msg : "");
	return rc == S3_OK ? one : rc;
}

int
s3_put_many(struct s3 *s, const struct s3_obj *objs, size_t n)
{
	struct xfer x[PUT_PARALLEL];
	size_t next = 0, running = 0, i;
	int rc = S3_OK, still, left;
	CURLMsg *m;

	if (n == 1)
		return s3_put(s, objs[0].key, objs[0].data, objs[0].len);
	arena_reset(&s->tmp);
	s->err[0] = '\0';
	if (n == 0)
		return S3_OK;
	if (s->api.bad != NULL) {
		seterr(s, "S3 PUT: %s", s->api.bad);
		return S3_ERROR;
	}
	if (pool_ready(s) != 0) {
		seterr(s, "S3 PUT: out of memory for transfers");
		return S3_ERROR;
	}
	memset(x, 0, sizeof(x));
	while (running > 0 || (next < n && rc == S3_OK)) {
		/* Free slots take the next objects; after a failure no new
		 * transfer starts, the running ones finish. */
		for (i = 0; i < PUT_PARALLEL && next < n && rc == S3_OK; i++) {
			struct call c;

			if (x[i].busy)
				continue;
			arena_reset(&s->pool_a[i]);
			memset(&c, 0, sizeof(c));
			c.what = "PUT";
			c.method = "PUT";
			c.key = objs[next].key;
			c.data = objs[next].data;
			c.len = objs[next].len;
			c.timeout = CALL_TIMEOUT + (long)(c.len / MIN_RATE);
			request_setup(s, &s->pool_a[i], s->pool[i], &c);
			buf_init(&x[i].body, &s->pool_a[i]);
			x[i].curlerr[0] = '\0';
			curl_easy_setopt(s->pool[i], CURLOPT_ERRORBUFFER,
			    x[i].curlerr);
			curl_easy_setopt(s->pool[i], CURLOPT_WRITEFUNCTION,
			    on_body_xfer);
			curl_easy_setopt(s->pool[i], CURLOPT_WRITEDATA,
			    &x[i].body);
			x[i].obj = next++;
			x[i].busy = true;
			curl_multi_add_handle(s->multi, s->pool[i]);
			running++;
		}
		if (curl_multi_perform(s->multi, &still) != CURLM_OK)
			still = 0;
		while ((m = curl_multi_info_read(s->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < PUT_PARALLEL &&
			    s->pool[i] != m->easy_handle; i++)
				;
			if (i == PUT_PARALLEL)
				continue;
			rc = put_done(s, objs, &x[i], m->easy_handle,
			    m->data.result, rc);
			curl_multi_remove_handle(s->multi, m->easy_handle);
			x[i].busy = false;
			running--;
		}
		if (running > 0 && still > 0)
			curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
	}
	return rc;
}

/* ---- GETs ahead (s3_getq) ---- */

/* One object of the queue: its bytes, whole, once its GET ended. */
struct getq_ent {
	char		*key;		/* malloc'd */
	size_t		 size;		/* expected */
	unsigned char	*data;		/* malloc'd, size bytes */
	size_t		 len;
	long		 status;
	int		 rc;		/* when done: S3_OK or an S3_* code */
	bool		 done, over;	/* over: more bytes than size */
	char		 err[256];	/* s3_errmsg() once taken */
};

/* A transfer slot: the pool's handle of the same index. */
struct getq_slot {
	struct s3_getq	*q;
	size_t		 ent;		/* index in q->v */
	bool		 busy;
	char		 curlerr[CURL_ERROR_SIZE];
};

struct s3_getq {
	struct s3	*s;
	struct getq_ent	*v;
	size_t		 head, n, cap;	/* [head, n) queued, not taken */
	size_t		 next;		/* the first not started */
	unsigned char	*taken;		/* the last taken's bytes */
	struct getq_slot slot[GET_PARALLEL];
};

static size_t
on_getq_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct getq_slot *sl = arg;
	struct getq_ent *e = &sl->q->v[sl->ent];
	size_t n = size * nmemb;

	if (e->status == 0)
		curl_easy_getinfo(sl->q->s->pool[sl - sl->q->slot],
		    CURLINFO_RESPONSE_CODE, &e->status);
	if (e->status / 100 != 2)
		return n;	/* an error document: its status says it */
	if (e->len + n > e->size) {
		e->over = true;
		return 0;	/* makes libcurl stop */
	}
	memcpy(e->data + e->len, p, n);
	e->len += n;
	return n;
}

struct s3_getq *
s3_getq_new(struct s3 *s)
{
	struct s3_getq *q;

	if (s->api.bad != NULL || pool_ready(s) != 0 ||
	    (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->s = s;
	return q;
}

/* Starts the next queued GETs on free slots, up to GET_PARALLEL. */
static void
getq_start(struct s3_getq *q)
{
	struct s3 *s = q->s;
	size_t i;

	for (i = 0; i < GET_PARALLEL && q->next < q->n; i++) {
		struct getq_slot *sl = &q->slot[i];
		struct call c;

		if (sl->busy)
			continue;
		arena_reset(&s->pool_a[i]);
		memset(&c, 0, sizeof(c));
		c.what = "GET";
		c.method = "GET";
		c.key = q->v[q->next].key;
		c.stream = true;	/* as s3_get(): a stall ends it */
		c.timeout = 0;
		request_setup(s, &s->pool_a[i], s->pool[i], &c);
		sl->q = q;
		sl->ent = q->next++;
		sl->busy = true;
		sl->curlerr[0] = '\0';
		curl_easy_setopt(s->pool[i], CURLOPT_ERRORBUFFER, sl->curlerr);
		curl_easy_setopt(s->pool[i], CURLOPT_WRITEFUNCTION,
		    on_getq_body);
		curl_easy_setopt(s->pool[i], CURLOPT_WRITEDATA, sl);
		curl_multi_add_handle(s->multi, s->pool[i]);
	}
}

/* Moves the transfers on: what arrived into its entry, ended ones done
 * (and their slots free for the next), without waiting. */
static void
getq_pump(struct s3_getq *q)
{
	struct s3 *s = q->s;
	CURLMsg *m;
	int still, left;
	size_t i;

	getq_start(q);
	if (curl_multi_perform(s->multi, &still) != CURLM_OK)
		still = 0;
	while ((m = curl_multi_info_read(s->multi, &left)) != NULL) {
		struct getq_ent *e;

		if (m->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < GET_PARALLEL && s->pool[i] != m->easy_handle;
		    i++)
			;
		if (i == GET_PARALLEL || !q->slot[i].busy)
			continue;
		e = &q->v[q->slot[i].ent];
		metrics_add(MET_S3_CALLS, 1);
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE,
		    &e->status);
		if (m->data.result != CURLE_OK || e->over) {
			e->rc = e->over ? S3_ERROR : unavailable(m->data.result) ?
			    S3_UNAVAILABLE : S3_ERROR;
			snprintf(e->err, sizeof(e->err), "S3 GET %s: %s",
			    e->key, e->over ? "more bytes than expected" :
			    q->slot[i].curlerr[0] ? q->slot[i].curlerr :
			    curl_easy_strerror(m->data.result));
		} else if (e->status / 100 != 2) {
			e->rc = status_code(e->status, NULL);
			snprintf(e->err, sizeof(e->err), "S3 GET %s: %ld",
			    e->key, e->status);
		} else if (e->len != e->size) {
			e->rc = S3_ERROR;
			snprintf(e->err, sizeof(e->err), "S3 GET %s: %zu bytes, "
			    "not %zu", e->key, e->len, e->size);
		} else
			e->rc = S3_OK;
		if (e->rc != S3_OK)
			metrics_add(MET_S3_ERRORS, 1);
		e->done = true;
		curl_multi_remove_handle(s->multi, m->easy_handle);
		q->slot[i].busy = false;
	}
	getq_start(q);
}

int
s3_getq_add(struct s3_getq *q, const char *key, size_t size)
{
	struct getq_ent *e;

	if (q->head == q->n) {	/* empty: start over at the front */
		q->head = q->n = q->next = 0;
	}
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 64;
		struct getq_ent *nv;

		if ((nv = realloc(q->v, ncap * sizeof(*nv))) == NULL)
			return S3_ERROR;
		q->v = nv;
		q->cap = ncap;
	}
	e = &q->v[q->n];
	memset(e, 0, sizeof(*e));
	e->size = size;
	if ((e->key = strdup(key)) == NULL ||
	    (e->data = malloc(size ? size : 1)) == NULL) {
		free(e->key);
		return S3_ERROR;
	}
	q->n++;
	getq_pump(q);
	return S3_OK;
}

int
s3_getq_take(struct s3_getq *q, const void **data, size_t *len)
{
	struct s3 *s = q->s;
	struct getq_ent *e;
	int rc;

	free(q->taken);
	q->taken = NULL;
	if (q->head == q->n) {
		seterr(s, "S3 GET: nothing queued");
		return S3_ERROR;
	}
	e = &q->v[q->head];
	getq_pump(q);
	while (!e->done) {
		/* a second at most, for the caller's tick (a keepalive) */
		curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
		if (s->tick != NULL && s->tick(s->tick_arg) != 0) {
			seterr(s, "S3 GET %s: stopped by the caller", e->key);
			return S3_ERROR;	/* the queue stays as it is */
		}
		getq_pump(q);
	}
	q->head++;
	if (e->rc != S3_OK)
		seterr(s, "%s", e->err);
	free(e->key);
	q->taken = e->data;
	*data = e->data;
	*len = e->len;
	rc = e->rc;
	return rc;
}

void
s3_getq_free(struct s3_getq *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < GET_PARALLEL; i++)
		if (q->slot[i].busy)
			curl_multi_remove_handle(q->s->multi, q->s->pool[i]);
	for (i = q->head; i < q->n; i++) {
		free(q->v[i].key);
		free(q->v[i].data);
	}
	free(q->taken);
	free(q->v);
	free(q);
}

int
s3_delete(struct s3 *s, const char *key)
{
	struct call c;

	call_init(s, &c, "DELETE", "DELETE", key);
	return perform(s, &c);
}

int
s3_copy(struct s3 *s, const char *src_key, const char *dst_key)
{
	struct sigv4_kv h[1];
	struct call c;
	struct buf b;

	call_init(s, &c, "COPY", "PUT", dst_key);
	/* The source is /bucket/key, URL-encoded. */
	buf_init(&b, &s->tmp);
	buf_addc(&b, '/');
	if (s->conf->s3_bucket != NULL)
		sigv4_encode(&b, s->conf->s3_bucket,
		    strlen(s->conf->s3_bucket), false);
	buf_addc(&b, '/');
	sigv4_encode(&b, src_key, strlen(src_key), true);
	h[0].key = "x-amz-copy-source";
	h[0].value = b.data;
	c.headers = h;
	c.nheaders = 1;
	c.timeout = SLOW_TIMEOUT;
	c.error_in_200 = true;
	return perform(s, &c);
}

static int
sink_call(struct s3 *s, const struct call *c, s3_sink sink, void *arg)
{
	int rc;

	s->sink = sink;
	s->sink_arg = arg;
	rc = perform(s, c);
	s->sink = NULL;
	return rc;
}

void
s3_set_tick(struct s3 *s, s3_tick tick, void *arg)
{
	s->tick = tick;
	s->tick_arg = arg;
}

int
s3_get(struct s3 *s, const char *key, s3_sink sink, void *arg)
{
	struct call c;

	call_init(s, &c, "GET", "GET", key);
	c.stream = true;
	c.timeout = 0;		/* any size; stalls end it (perform) */
	return sink_call(s, &c, sink, arg);
}

int
s3_multipart_create(struct s3 *s, struct arena *a, const char *key,
    char **upload_id)
{
	struct sigv4_kv q[] = { { "uploads", "" } };
	struct call c;
	char *id;
	int rc;

	*upload_id = NULL;
	call_init(s, &c, "CreateMultipartUpload", "POST", key);
	c.query = q;
	c.nquery = 1;
	if ((rc = perform(s, &c)) != S3_OK)
		return rc;
	if ((id = s3_xml_text(&s->tmp, s->body.data, "UploadId")) == NULL ||
	    *id == '\0') {
		seterr(s, "S3 CreateMultipartUpload %s: no UploadId in the "
		    "answer", key);
		return S3_ERROR;
	}
	*upload_id = arena_strdup(a, id);
	return S3_OK;
}

int
s3_multipart_complete(struct s3 *s, const char *key, const char *upload_id,
    const struct s3_part *parts, size_t nparts)
{
	struct sigv4_kv q[] = { { "uploadId", upload_id } };
	struct sigv4_kv lq[] = { { "max-parts", "1" },
	    { "uploadId", upload_id } };
	char first[sizeof(s->err)], etag[128];
	struct call c;
	struct buf b;
	size_t i;
	int rc;

	call_init(s, &c, "CompleteMultipartUpload", "POST", key);
	buf_init(&b, &s->tmp);
	buf_adds(&b, "<CompleteMultipartUpload>");
	for (i = 0; i < nparts; i++) {
		buf_printf(&b, "<Part><PartNumber>%u</PartNumber><ETag>\"",
		    parts[i].number);
		/* Quoted as S3 gives it, whether or not the caller kept them. */
		etag_copy(etag, sizeof(etag), parts[i].etag,
		    strlen(parts[i].etag));
		buf_addmarkup(&b, etag);
		buf_adds(&b, "\"</ETag></Part>");
	}
	buf_adds(&b, "</CompleteMultipartUpload>");
	c.query = q;
	c.nquery = 1;
	c.data = b.data;
	c.len = b.len;
	c.timeout = SLOW_TIMEOUT;
	c.error_in_200 = true;
	if ((rc = perform(s, &c)) != S3_UNAVAILABLE || s->status < 500)
		return rc;

	/*
	 * Ceph RGW answers 500, not 404 NoSuchUpload, for an upload that
	 * was aborted or never was (ceph/s3-tests#728): a client would be
	 * told to retry forever. ListParts tells the two apart.
	 */
	snprintf(first, sizeof(first), "%s", s->err);
	call_init(s, &c, "ListParts", "GET", key);
	c.query = lq;
	c.nquery = 2;
	if (perform(s, &c) == S3_NOTFOUND) {
		seterr(s, "S3 CompleteMultipartUpload %s: no such upload", key);
		return S3_NOTFOUND;
	}
	snprintf(s->err, sizeof(s->err), "%s", first);
	return rc;
}

int
s3_multipart_abort(struct s3 *s, const char *key, const char *upload_id)
{
	struct sigv4_kv q[] = { { "uploadId", upload_id } };
	struct call c;

	call_init(s, &c, "AbortMultipartUpload", "DELETE", key);
	c.query = q;
	c.nquery = 1;
	return perform(s, &c);
}

/* ---- listing ---- */

/* "2026-12-03T08:34:46.123Z" (fraction optional) as a time, or -1. */
static time_t
iso8601_utc(const char *v)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (v == NULL || (end = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return (time_t)-1;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	if (strcmp(end, "Z") != 0)
		return (time_t)-1;
	return timegm(&tm);
}

/* A decimal of at most 19 digits, or -1. */
static int
parse_u64(const char *v, uint64_t *out)
{
	size_t i;

	*out = 0;
	if (v == NULL || *v == '\0' || strlen(v) > 19)
		return -1;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		*out = *out * 10 + (uint64_t)(v[i] - '0');
	}
	return 0;
}

int
s3_list_parse(struct arena *a, const char *xml, struct s3_entry **out,
    size_t *nout, char **next)
{
	const char *p = xml, *b, *e;
	char *trunc, *one;
	size_t n = 0, cap = 0;
	struct s3_entry *v = NULL;

	*out = NULL;
	*nout = 0;
	*next = NULL;
	if (xml == NULL)
		return -1;
	while ((b = strstr(p, "<Contents>")) != NULL) {
		if ((e = strstr(b, "</Contents>")) == NULL)
			return -1;
		one = arena_alloc(a, (size_t)(e - b) + 1);
		memcpy(one, b, (size_t)(e - b));
		one[e - b] = '\0';
		if (n == cap) {
			struct s3_entry *nv;

			cap = cap ? 2 * cap : 64;
			nv = arena_alloc(a, cap * sizeof(*nv));
			if (n > 0)
				memcpy(nv, v, n * sizeof(*nv));
			v = nv;
		}
		v[n].key = s3_xml_text(a, one, "Key");
		v[n].modified = iso8601_utc(s3_xml_text(a, one,
		    "LastModified"));
		if (v[n].key == NULL || v[n].key[0] == '\0' ||
		    parse_u64(s3_xml_text(a, one, "Size"), &v[n].size) != 0 ||
		    v[n].modified == (time_t)-1)
			return -1;
		n++;
		p = e + strlen("</Contents>");
	}
	trunc = s3_xml_text(a, xml, "IsTruncated");
	if (trunc != NULL && strcmp(trunc, "true") == 0) {
		*next = s3_xml_text(a, xml, "NextContinuationToken");
		if (*next == NULL || **next == '\0')
			return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

int
s3_list_page(struct s3 *s, struct arena *a, const char *prefix,
    const char *token, struct s3_entry **out, size_t *nout, char **next)
{
	/* in the order of their names: the signature sorts them anyway */
	struct sigv4_kv q[] = { { "continuation-token", token },
	    { "list-type", "2" }, { "prefix", prefix } };
	struct call c;
	int rc;

	call_init(s, &c, "ListObjectsV2", "GET", NULL);
	c.query = token != NULL ? q : q + 1;
	c.nquery = token != NULL ? 3 : 2;
	if ((rc = perform(s, &c)) != S3_OK)
		return rc;
	if (s3_list_parse(a, s->body.data, out, nout, next) != 0) {
		seterr(s, "S3 ListObjectsV2 %s: an answer khub cannot read",
		    prefix);
		return S3_ERROR;
	}
	return S3_OK;
}

/* ---- presigned URLs ---- */

bool
s3_upload_keys_own(const struct s3 *s)
{
	return s->conf->s3_upload_access_key != NULL;
}

/* An upload (size is not NULL: signed as Content-Length) is signed with
 * the upload keys, anything else with the main ones. */
static char *
presign(struct s3 *s, struct arena *a, const char *method, const char *key,
    const struct sigv4_kv *q, size_t nq, const uint64_t *size,
    unsigned lifetime, time_t now)
{
	const struct endpoint *e = &s->pub;
	struct sigv4_result res;
	struct sigv4_req r;
	struct sigv4_kv h[2];
	char *path;

	if (e->bad != NULL) {
		seterr(s, "S3 presign: %s", e->bad);
		return NULL;
	}
	if (lifetime < 1)
		lifetime = 1;
	if (lifetime > MAX_LIFETIME)
		lifetime = MAX_LIFETIME;
	path = raw_path(&s->tmp, e, key);
	h[0].key = "host";
	h[0].value = e->host;
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.path = path;
	r.query = q;
	r.nquery = nq;
	r.headers = h;
	r.nheaders = 1;
	if (size != NULL) {
		h[1].key = "content-length";
		h[1].value = arena_printf(&s->tmp, "%llu",
		    (unsigned long long)*size);
		r.nheaders = 2;
	}
	/* The body is the client's: S3 presigns UNSIGNED-PAYLOAD. */
	r.payload_hash = SIGV4_UNSIGNED_PAYLOAD;
	sigv4_sign_query(size != NULL ? &s->upsig : &s->sig, &s->tmp, &r,
	    now, lifetime, &res);
	return arena_printf(a, "%s://%s%s?%s", e->scheme, e->host,
	    sigv4_canonical_uri(&s->tmp, path, false), res.query);
}

static int
hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes %XX in s[0..n) (not '+': S3 reads it as a plus). */
static char *
pct_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '%' && i + 2 < n && hexdigit(s[i + 1]) >= 0 &&
		    hexdigit(s[i + 2]) >= 0) {
			*o++ = (char)(hexdigit(s[i + 1]) << 4 |
			    hexdigit(s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	*o = '\0';
	return out;
}

char *
s3_presign_url(struct s3 *s, struct arena *a, const char *method,
    const char *key, const char *extra_query, unsigned lifetime, time_t now)
{
	struct sigv4_kv *q = NULL;
	const char *p, *amp, *eq;
	size_t nq = 0, n;

	arena_reset(&s->tmp);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		seterr(s, "S3 presign: %s is not a read; uploads are signed "
		    "with the upload keys", method);
		return NULL;
	}
	if (extra_query != NULL && *extra_query != '\0') {
		/* Decoded here, encoded again by the signer: one encoding. */
		q = arena_alloc(&s->tmp, (strlen(extra_query) / 2 + 1) *
		    sizeof(*q));
		for (p = extra_query; p != NULL; p = amp != NULL ? amp + 1 :
		    NULL) {
			amp = strchr(p, '&');
			n = amp != NULL ? (size_t)(amp - p) : strlen(p);
			if (n == 0)
				continue;
			eq = memchr(p, '=', n);
			q[nq].key = pct_decode(&s->tmp, p, eq != NULL ?
			    (size_t)(eq - p) : n);
			q[nq++].value = eq != NULL ? pct_decode(&s->tmp, eq + 1,
			    n - (size_t)(eq + 1 - p)) : "";
		}
	}
	return presign(s, a, method, key, q, nq, NULL, lifetime, now);
}

/* Whether an upload URL may name key (a staged object, nothing else). */
static bool
upload_key_ok(struct s3 *s, const char *key)
{
	if (strncmp(key, S3_UPLOAD_PREFIX, strlen(S3_UPLOAD_PREFIX)) == 0 &&
	    key[strlen(S3_UPLOAD_PREFIX)] != '\0')
		return true;
	seterr(s, "S3 presign: upload URL for '%s', outside %s", key,
	    S3_UPLOAD_PREFIX);
	return false;
}

char *
s3_presign_upload(struct s3 *s, struct arena *a, const char *key,
    uint64_t size, unsigned lifetime, time_t now)
{
	arena_reset(&s->tmp);
	if (!upload_key_ok(s, key))
		return NULL;
	return presign(s, a, "PUT", key, NULL, 0, &size, lifetime, now);
}

char *
s3_presign_part(struct s3 *s, struct arena *a, const char *key,
    const char *upload_id, unsigned part_number, uint64_t size,
    unsigned lifetime, time_t now)
{
	struct sigv4_kv q[2];

	arena_reset(&s->tmp);
	if (!upload_key_ok(s, key))
		return NULL;
	q[0].key = "partNumber";
	q[0].value = arena_printf(&s->tmp, "%u", part_number);
	q[1].key = "uploadId";
	q[1].value = upload_id;
	return presign(s, a, "PUT", key, q, 2, &size, lifetime, now);
}
