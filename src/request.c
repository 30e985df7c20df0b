/*
 * request.c: reading a FastCGI request, writing its answer.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api_repo.h"
#include "auth.h"
#include "cors.h"
#include "db.h"
#include "fresh.h"
#include "hub.h"
#include "jsonutil.h"
#include "kerr.h"
#include "log.h"
#include "metrics.h"
#include "request.h"

static const struct {
	const char	*name;
	enum method	 m;
} methods[] = {
	{ "GET", M_GET }, { "HEAD", M_HEAD }, { "POST", M_POST },
	{ "PUT", M_PUT }, { "DELETE", M_DELETE }, { "OPTIONS", M_OPTIONS },
	{ "PATCH", M_PATCH },
};

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

const char *
req_env(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi->envp);
}

const char *
req_header(const struct req *r, const char *name)
{
	char key[128] = "HTTP_";
	size_t i, n = strlen(name);

	if (n + 6 > sizeof(key))
		return NULL;
	for (i = 0; i < n; i++)
		key[5 + i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	key[5 + n] = '\0';
	/* CGI passes these two without the HTTP_ prefix. */
	if (!strcmp(key, "HTTP_CONTENT_TYPE") ||
	    !strcmp(key, "HTTP_CONTENT_LENGTH"))
		return req_env(r, key + 5);
	return req_env(r, key);
}

const char *
req_query(const struct req *r, const char *key)
{
	return query_get(r->query, r->nquery, key);
}

int
req_query_bool(struct req *r, const char *key, int dflt)
{
	int v = query_bool(r->query, r->nquery, key, dflt);

	if (v < 0)
		resp_error(r, 400, "BadRequest", "Query parameter '%s' must "
		    "be true or false", key);
	return v;
}

/* The endpoint as the client named it: config base_url wins, else the
 * request's own scheme and Host (a proxy's X-Forwarded-* first, when the
 * configuration trusts them: any client can send them). */
static const char *
endpoint_of(struct req *r)
{
	const char *scheme, *host, *https;
	char *h;
	bool fwd = r->hub->configured && r->hub->conf.trust_forwarded;

	if (r->hub->configured && r->hub->conf.base_url != NULL)
		return r->hub->conf.base_url;
	if (!fwd || (scheme = req_header(r, "X-Forwarded-Proto")) == NULL) {
		https = req_env(r, "HTTPS");
		scheme = https != NULL && !strcasecmp(https, "on") ?
		    "https" : "http";
	}
	if ((!fwd || (host = req_header(r, "X-Forwarded-Host")) == NULL) &&
	    (host = req_header(r, "Host")) == NULL) {
		const char *name = req_env(r, "SERVER_NAME"),
		    *port = req_env(r, "SERVER_PORT");

		host = arena_printf(r->a, "%s:%s", name ? name : "localhost",
		    port ? port : "80");
	}
	/* A forwarded list names the client's host first. */
	h = arena_strndup(r->a, host, strcspn(host, ", "));
	if (strncmp(scheme, "https", 5) && strncmp(scheme, "http", 4))
		scheme = "http";
	return arena_printf(r->a, "%s://%s", scheme, h);
}

/*
 * The declared body length into *n; answers 400 (unreadable) or 413 (over
 * the configured limit) and returns false.
 */
static bool
body_length(struct req *r, unsigned long long *n)
{
	const char *cl = req_env(r, "CONTENT_LENGTH");
	char *end;

	*n = 0;
	if (cl != NULL && *cl != '\0') {
		*n = strtoull(cl, &end, 10);
		if (*end != '\0' || *cl == '-') {
			resp_error(r, 400, "BadRequest", "Bad Content-Length");
			return false;
		}
	}
	if (*n > r->hub->conf.max_body) {
		resp_error(r, 413, "PayloadTooLarge", "Request body of %llu "
		    "bytes is larger than the limit of %llu bytes", *n,
		    (unsigned long long)r->hub->conf.max_body);
		return false;
	}
	return true;
}

int
req_begin(struct req *r, struct hub *hub, struct arena *a, FCGX_Request *fr)
{
	unsigned char rnd[8];
	unsigned long long blen;
	const char *uri, *q;
	size_t i, plen;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	r->route_index = METRICS_ROUTES - 1;
	r->a = a;
	r->hub = hub;
	r->fcgi = fr;
	buf_init(&r->headers, a);
	randombytes_buf(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(r->id + 2 * i, 3, "%02x", rnd[i]);

	r->method_name = req_env(r, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "GET";
	r->method = M_OTHER;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(r->method_name, methods[i].name))
			r->method = methods[i].m;
	r->endpoint = endpoint_of(r);

	uri = req_env(r, "REQUEST_URI");
	/* The absolute form (http://host/path), which Apache passes on when
	 * a client sends it: the path is what routes. */
	if (uri != NULL && (!strncmp(uri, "http://", 7) ||
	    !strncmp(uri, "https://", 8))) {
		const char *p = strchr(strstr(uri, "://") + 3, '/');

		uri = p != NULL ? p : "/";
	}
	if (uri == NULL || *uri != '/') {
		static bool told;

		if (!told) {
			log_error("the web server passes no REQUEST_URI: khub "
			    "routes on it (lighttpd, Apache and nginx's "
			    "fastcgi_params set it)");
			told = true;
		}
		resp_error(r, 400, "BadRequest", "Missing or relative "
		    "REQUEST_URI");
		return -1;
	}
	r->uri = uri;
	if (strlen(uri) > REQ_URI_MAX) {
		resp_error(r, 400, "BadRequest", "Request URI longer than "
		    "%d bytes", REQ_URI_MAX);
		return -1;
	}
	q = strchr(uri, '?');
	plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if (url_split_path(a, uri, plen, &r->segs, &r->nsegs) != 0) {
		resp_error(r, 400, "BadRequest", "Malformed percent-escape "
		    "or NUL byte in the request path");
		return -1;
	}
	if (q != NULL && url_parse_query(a, q + 1, strlen(q + 1), &r->query,
	    &r->nquery) != 0) {
		resp_error(r, 400, "BadRequest", "Malformed percent-escape "
		    "or NUL byte in the query string");
		return -1;
	}
	/* Refuse an oversized body before any handler (or route) looks. */
	return body_length(r, &blen) ? 0 : -1;
}

/* One JSON line per request: who asked what of which repository, the
 * answer, its size and time. The caller is named only when the request
 * authenticated (never its token); the repository as the URL named it. */
static void
access_line(struct req *r)
{
	struct timespec now, wall;
	json_object *o;
	const char *s;
	size_t len;
	double ms;
	char *line;

	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_gettime(CLOCK_REALTIME, &wall);
	ms = (double)(now.tv_sec - r->started.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - r->started.tv_nsec) / 1e6;
	o = jobj();
	jset(o, "time", jstr(iso_time_ms(r->a, (int64_t)wall.tv_sec * 1000 +
	    wall.tv_nsec / 1000000)));
	jset(o, "id", jstr(r->id));
	jset(o, "method", jstr(r->method_name ? r->method_name : "-"));
	jset(o, "route", r->route ? jstr(r->route) : NULL);
	jset(o, "repo", r->args.name == NULL ? NULL : jstr(arena_printf(r->a,
	    "%s%s", repo_type_prefix(r->args.type), repo_id_of(r->a,
	    r->args.ns ? r->args.ns : "", r->args.name))));
	jset(o, "status", jint(r->status));
	jset(o, "error", r->error_code ? jstr(r->error_code) : NULL);
	jset(o, "bytes", jint((int64_t)r->bytes_out));
	jset(o, "ms", json_object_new_double_s(ms, arena_printf(r->a, "%.3f",
	    ms)));
	jset(o, "user", r->who ? jstr(r->who->name) : NULL);
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	line = arena_alloc(r->a, len + 1);
	memcpy(line, s, len);
	line[len] = '\n';
	log_access(line, len + 1);
	json_object_put(o);
}

void
req_end(struct req *r)
{
	if (r->status == 0)
		resp_error(r, 500, "InternalError", "The handler gave no "
		    "answer");
	if (r->hub->configured && r->hub->conf.access_log != NULL)
		access_line(r);
	{
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		metrics_request(r->route_index, r->status, (double)(now.tv_sec -
		    r->started.tv_sec) + (double)(now.tv_nsec -
		    r->started.tv_nsec) / 1e9);
	}
	log_debug("%s %s %d %s", r->method_name, r->uri ? r->uri : "-",
	    r->status, r->id);
}

/*
 * A body whose length the web server did not pass (no CONTENT_LENGTH):
 * FastCGI still ends it, so read to its end, within the limit.
 */
static int
body_to_eof(struct req *r, const char **out, size_t *len)
{
	static bool told;
	struct buf b;
	char chunk[65536];
	int k;

	buf_init(&b, r->a);
	while ((k = FCGX_GetStr(chunk, sizeof(chunk), r->fcgi->in)) > 0) {
		if (b.len + (size_t)k > r->hub->conf.max_body) {
			resp_error(r, 413, "PayloadTooLarge", "Request body is "
			    "larger than the limit of %llu bytes",
			    (unsigned long long)r->hub->conf.max_body);
			return -1;
		}
		buf_add(&b, chunk, (size_t)k);
	}
	if (b.len > 0 && !told) {
		log_warn("a request body came without CONTENT_LENGTH: pass it "
		    "from the web server (nginx: fastcgi_param CONTENT_LENGTH "
		    "$content_length)");
		told = true;
	}
	*out = b.data;
	*len = b.len;
	metrics_add(MET_BODY_BYTES, b.len);
	return 0;
}

bool
req_from(const struct req *r, const char *list)
{
	const char *addr = req_env(r, "REMOTE_ADDR");
	size_t n, k;

	if (addr == NULL || (n = strlen(addr)) == 0)
		return false;
	while (list != NULL && *list != '\0') {
		list += strspn(list, " ,");
		k = strcspn(list, " ,");
		if (k == n && memcmp(list, addr, n) == 0)
			return true;
		list += k;
	}
	return false;
}

bool
req_bearer_is(const struct req *r, const char *secret)
{
	const char *h = req_header(r, "Authorization");
	size_t n;

	if (secret == NULL || (n = strlen(secret)) == 0 || h == NULL ||
	    strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != n)
		return false;
	return sodium_memcmp(h + 7, secret, n) == 0;
}

int
req_body(struct req *r, const char **out, size_t *len)
{
	unsigned long long n;
	char *data;
	size_t got = 0;

	if (!body_length(r, &n))
		return -1;
	if (req_env(r, "CONTENT_LENGTH") == NULL)
		return body_to_eof(r, out, len);
	data = arena_alloc(r->a, (size_t)n + 1);
	while (got < n) {
		size_t want = n - got > (1 << 30) ? 1 << 30 : n - got;
		int k = FCGX_GetStr(data + got, (int)want, r->fcgi->in);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got != n) {
		resp_error(r, 400, "BadRequest", "Request body ended after "
		    "%zu of %llu bytes", got, n);
		return -1;
	}
	data[n] = '\0';
	*out = data;
	*len = (size_t)n;
	metrics_add(MET_BODY_BYTES, (uint64_t)n);
	return 0;
}

static void
json_release(void *p)
{
	json_object_put(p);
}

/* The JSON object of body[0..len) (already read), released with the
 * request: every string and name UTF-8 with no NUL. NULL when answered
 * (400, 413). */
static json_object *
json_of(struct req *r, const char *body, size_t len)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *obj;

	if (len > INT32_MAX) {
		resp_error(r, 413, "PayloadTooLarge", "JSON body too large");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(64)) == NULL)
		oom();
	obj = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	/* only blanks may follow the value, up to len: a NUL ends no body */
	if (obj != NULL && jerr == json_tokener_success &&
	    json_tokener_get_parse_end(tok) < len &&
	    json_tokener_get_parse_end(tok) + strspn(body +
	    json_tokener_get_parse_end(tok), " \t\r\n") < len) {
		json_object_put(obj);
		obj = NULL;
		jerr = json_tokener_error_parse_unexpected;
	}
	json_tokener_free(tok);
	if (obj == NULL) {
		resp_error(r, 400, "BadRequest", "Request body is not valid "
		    "JSON: %s", jerr == json_tokener_continue ?
		    "unexpected end" : json_tokener_error_desc(jerr));
		return NULL;
	}
	arena_on_reset(r->a, json_release, obj);
	if (!json_object_is_type(obj, json_type_object)) {
		resp_error(r, 400, "BadRequest", "Request body must be a JSON "
		    "object");
		return NULL;
	}
	if (!json_text_valid(obj)) {
		resp_error(r, 400, "BadRequest", "Request body is not valid "
		    "UTF-8 text");
		return NULL;
	}
	return obj;
}

json_object *
req_json(struct req *r)
{
	const char *body;
	size_t len;

	if (req_body(r, &body, &len) != 0)
		return NULL;
	return json_of(r, body, len);
}

/* An urlencoded form body (already read) into r->form: every key and
 * value UTF-8 (url_decode() refuses NUL). 0, or answers 400 (malformed:
 * with message bad) and -1. */
static int
form_of(struct req *r, const char *body, size_t len, const char *bad)
{
	size_t i, chars;

	if (url_parse_query(r->a, body, len, &r->form, &r->nform) != 0) {
		resp_error(r, 400, "BadRequest", "%s", bad);
		return -1;
	}
	for (i = 0; i < r->nform; i++)
		if (!utf8_valid((const unsigned char *)r->form[i].key,
		    strlen(r->form[i].key), &chars) ||
		    !utf8_valid((const unsigned char *)r->form[i].value,
		    strlen(r->form[i].value), &chars)) {
			resp_error(r, 400, "BadRequest", "Request body is not "
			    "valid UTF-8 text");
			return -1;
		}
	return 0;
}

/*
 * The small JSON body of a request that may come without one, or NULL in
 * *out when there is none (no Content-Length, or 0: the clients post
 * some calls with no body). Its size is bounded by max before it is
 * read. Returns 0, or answers (413, 400) and -1.
 */
static int
json_small(struct req *r, size_t max, json_object **out)
{
	const char *cl = req_env(r, "CONTENT_LENGTH");

	*out = NULL;
	if (cl == NULL || *cl == '\0' || !strcmp(cl, "0"))
		return 0;
	if (strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 12 ||
	    strtoull(cl, NULL, 10) > max) {
		resp_error(r, 413, "PayloadTooLarge", "This request's body is "
		    "at most %zu bytes", max);
		return -1;
	}
	return (*out = req_json(r)) != NULL ? 0 : -1;
}

int
req_read_body(struct req *r)
{
	const char *ct, *cl;
	size_t i;

	if (r->body_read)
		return 0;
	r->body_read = true;
	switch (r->body_kind & BODY_KIND) {
	case BODY_NONE:
		return 0;
	case BODY_JSON:
		return (r->json = req_json(r)) != NULL ? 0 : -1;
	case BODY_JSON_OPT:
		return json_small(r, r->body_max, &r->json);
	case BODY_NDJSON:
		return req_body(r, &r->body, &r->body_len);
	case BODY_JSON_OR_FORM:
		if (req_body(r, &r->body, &r->body_len) != 0)
			return -1;
		ct = req_header(r, "Content-Type");
		for (i = 0; i < r->body_len && strchr(" \t\r\n", r->body[i]);
		    i++)
			;
		if ((ct != NULL && !strncasecmp(ct, "application/json", 16)) ||
		    (i < r->body_len && r->body[i] == '{'))
			return (r->json = json_of(r, r->body, r->body_len)) !=
			    NULL ? 0 : -1;
		return form_of(r, r->body, r->body_len, "Malformed form body");
	case BODY_FORM:
		/* A page's form says how long it is, and is short. */
		cl = req_env(r, "CONTENT_LENGTH");
		if (cl == NULL || strtoull(cl, NULL, 10) > r->body_max) {
			resp_error(r, 413, "PayloadTooLarge", "This form is "
			    "larger than a form of this page can be.");
			return -1;
		}
		if (req_body(r, &r->body, &r->body_len) != 0)
			return -1;
		return form_of(r, r->body, r->body_len, "The form could not be "
		    "read.");
	}
	return 0;
}


/* The member key of body, or NULL when absent or null. */
static json_object *
member(json_object *body, const char *key)
{
	json_object *v;

	if (body == NULL || !json_object_object_get_ex(body, key, &v))
		return NULL;
	return v;
}

int
req_member_str(struct req *r, json_object *body, const char *key,
    const char **out)
{
	json_object *v = member(body, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		resp_error(r, 400, "BadRequest", "'%s' must be a string", key);
		return -1;
	}
	*out = json_object_get_string(v);
	return 0;
}

int
req_member_bool(struct req *r, json_object *body, const char *key, bool *out)
{
	json_object *v = member(body, key);

	*out = false;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		resp_error(r, 400, "BadRequest", "'%s' must be a boolean", key);
		return -1;
	}
	*out = json_object_get_boolean(v);
	return 0;
}

void
resp_header(struct req *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v, *p;

	va_start(ap, fmt);
	v = arena_vprintf(r->a, fmt, ap);
	va_end(ap);
	/* No header injection, no byte HTTP forbids in a value: control
	 * characters (CR and LF among them) become blanks. */
	for (p = v; *p != '\0'; p++)
		if ((*p > 0 && *p < 0x20 && *p != '\t') || *p == 0x7f)
			*p = ' ';
	buf_adds(&r->headers, name);
	buf_add(&r->headers, ": ", 2);
	buf_adds(&r->headers, v);
	buf_add(&r->headers, "\r\n", 2);
}

bool
resp_has_header(const struct req *r, const char *name)
{
	const char *p = r->headers.data, *end = p + r->headers.len;
	size_t n = strlen(name);

	while (p != NULL && p < end) {
		if ((size_t)(end - p) > n && p[n] == ':' &&
		    strncasecmp(p, name, n) == 0)
			return true;
		if ((p = memchr(p, '\n', (size_t)(end - p))) != NULL)
			p++;
	}
	return false;
}

void
resp_send(struct req *r, int status, const char *content_type,
    const void *body, size_t len)
{
	FCGX_Stream *out;
	struct buf h;

	if (r->status != 0) {
		log_error("request %s answered twice (%d then %d)", r->id,
		    r->status, status);
		return;
	}
	r->status = status;
	/* a change this request made is seen through every machine first */
	fresh_barrier(r->hub->db, r->hub->conf.resolve_cache_ms);
	out = r->fcgi->out;
	/* Formatted here, not by FCGX_FPrintF: its own printf knows no %zu. */
	buf_init(&h, r->a);
	buf_printf(&h, "Status: %d %s\r\nX-Request-Id: %s\r\n", status,
	    status_text(status), r->id);
	if (content_type != NULL)
		/* nosniff: a JSON answer holding user text is never HTML. */
		buf_printf(&h, "Content-Type: %s\r\n"
		    "X-Content-Type-Options: nosniff\r\n", content_type);
	if (body != NULL)
		buf_printf(&h, "Content-Length: %zu\r\n", len);
	if (status == 401 && r->challenge != NULL)
		buf_printf(&h, "WWW-Authenticate: %s\r\n", r->challenge);
	buf_adds(&h, cors_headers(r));
	buf_add(&h, r->headers.data, r->headers.len);
	buf_adds(&h, "\r\n");
	FCGX_PutStr(h.data, (int)h.len, out);
	if (body != NULL && len > 0 && r->method != M_HEAD) {
		FCGX_PutStr(body, (int)len, out);
		r->bytes_out += len;
	}
}

void
resp_json(struct req *r, int status, json_object *obj)
{
	size_t len;
	const char *s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	resp_send(r, status, "application/json", s, len);
	json_object_put(obj);
}

void
resp_redirect(struct req *r, int status, const char *location)
{
	resp_header(r, "Location", "%s", location);
	resp_send(r, status, NULL, "", 0);
}

/* resp_error() and resp_error_with(): extra's members join the body. */
const char *
resp_error_headers(struct req *r, int status, const char *code,
    const char *fmt, va_list ap)
{
	char *msg = arena_vprintf(r->a, fmt, ap);

	r->error_code = code;
	r->error_msg = msg;
	resp_header(r, "X-Error-Code", "%s", code);
	resp_header(r, "X-Error-Message", "%s", msg);
	if (status >= 500)
		log_error("%s %s: %d %s: %s (request %s)", r->method_name,
		    r->uri ? r->uri : "-", status, code, msg, r->id);
	return msg;
}

static void error_answer(struct req *, int, const char *, json_object *,
    const char *, va_list) __attribute__((format(printf, 5, 0)));

static void
error_answer(struct req *r, int status, const char *code, json_object *extra,
    const char *fmt, va_list ap)
{
	json_object *obj;
	const char *msg = resp_error_headers(r, status, code, fmt, ap);

	if (r->method == M_HEAD) {
		json_object_put(extra);
		resp_send(r, status, r->error_page != NULL ?
		    "text/html; charset=utf-8" : "application/json", NULL, 0);
		return;
	}
	if (r->error_page != NULL) {
		json_object_put(extra);
		r->error_page(r, status, code, msg);
		return;
	}
	if ((obj = extra) == NULL && (obj = json_object_new_object()) == NULL)
		oom();
	json_object_object_add(obj, "error", json_object_new_string(msg));
	json_object_object_add(obj, "requestId",
	    json_object_new_string(r->id));
	resp_json(r, status, obj);
}

void
resp_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_answer(r, status, code, NULL, fmt, ap);
	va_end(ap);
}

void
resp_error_with(struct req *r, int status, const char *code,
    json_object *extra, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_answer(r, status, code, extra, fmt, ap);
	va_end(ap);
}

void
resp_db_error(struct req *r)
{
	/* The answer names no SQL detail; the log keeps it. */
	log_error("database: %s (request %s)", db_error(r->hub->db), r->id);
	if (db_unavailable(r->hub->db))
		resp_error(r, 503, "ServiceUnavailable", "The database is "
		    "unavailable; try again shortly");
	else
		resp_error(r, 500, "InternalError", "Database error "
		    "(request %s)", r->id);
}

struct dctx
req_dctx(struct req *r)
{
	struct dctx x = { r->hub, r->a, r->who != NULL ? r->who->user_id : 0,
	    r->id };

	return x;
}

void
resp_kerr(struct req *r, const struct kerr *e)
{
	if (e->status >= 500)
		log_error("request %s: %s", r->id, e->msg);
	if (e->hidden) {
		resp_error(r, e->status, e->code, "%s (request %s)",
		    e->status == 503 ? "The database is unavailable; try "
		    "again shortly" : "Internal error", r->id);
		return;
	}
	resp_error(r, e->status, e->code, "%s", e->msg);
}

/* A positive decimal number of at most 18 digits (no sign, no blanks);
 * -1 for anything else. */
static int64_t
positive_of(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 18 || s[n] != '\0' || (n > 1 && s[0] == '0'))
		return -1;
	return strtoll(s, NULL, 10);
}

int
req_page(struct req *r, size_t dflt, size_t max, size_t *limit,
    int64_t *cursor)
{
	const char *l = req_query(r, "limit"), *c = req_query(r, "cursor");
	int64_t v;

	*limit = dflt;
	*cursor = 0;
	if (l != NULL && *l != '\0' && strcmp(l, "0") != 0) {
		if ((v = positive_of(l)) < 0) {
			resp_error(r, 400, "BadRequest", "Invalid limit");
			return -1;
		}
		*limit = (uint64_t)v > max ? max : (size_t)v;
	}
	if (c != NULL && *c != '\0' && (*cursor = positive_of(c)) <= 0) {
		resp_error(r, 400, "BadRequest", "Invalid cursor");
		return -1;
	}
	return 0;
}

void
resp_link_next(struct req *r, const char *path, const char *cursor)
{
	struct buf b;
	size_t i;

	buf_init(&b, r->a);
	buf_printf(&b, "%s%s?", r->endpoint, path);
	for (i = 0; i < r->nquery; i++) {
		if (!strcmp(r->query[i].key, "cursor"))
			continue;
		url_encode(&b, r->query[i].key, strlen(r->query[i].key),
		    false);
		buf_addc(&b, '=');
		url_encode(&b, r->query[i].value, strlen(r->query[i].value),
		    false);
		buf_addc(&b, '&');
	}
	buf_adds(&b, "cursor=");
	url_encode(&b, cursor, strlen(cursor), false);
	resp_header(r, "Link", "<%s>; rel=\"next\"", b.data);
}
