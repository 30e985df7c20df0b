/*
 * request.h: one HTTP request as FastCGI hands it over, and its answer.
 *
 * The request owns everything parsed or allocated for it (its arena); a
 * handler reads decoded, validated parameters from r->args and answers with
 * exactly one resp_*() call. Errors have one way out: resp_error().
 */
#ifndef KHUB_REQUEST_H
#define KHUB_REQUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <time.h>
#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>
#include <json.h>

#include "arena.h"
#include "dctx.h"
#include "names.h"	/* enum repo_type */
#include "url.h"

struct hub;
struct principal;
struct repo;

enum method {
	M_GET = 1, M_HEAD = 2, M_POST = 4, M_PUT = 8, M_DELETE = 16,
	M_OPTIONS = 32, M_PATCH = 64, M_OTHER = 128
};

/* What the router captured from the path, decoded. */
struct route_args {
	enum repo_type	 type;
	const char	*ns, *name;	/* repository id */
	const char	*rev;		/* revision (one segment: may hold '/') */
	const char	*path;		/* rest of the path, '/'-joined, or "" */
	const char	*arg;		/* another single segment (branch, tag, id) */
};

/*
 * What a request's body must be, as its route's line in the table says
 * (router.h); req_read_body() reads it so, once. BODY_LATE: the handler
 * calls req_read_body() itself, after checks of its own (the repository's
 * access first: a caller who may not write learns nothing from its body,
 * and the server reads none for them).
 */
enum body_kind {
	BODY_NONE,	/* none is read */
	BODY_JSON,	/* a JSON object: r->json */
	BODY_JSON_OPT,	/* a small JSON object, or no body (r->json NULL):
			 * at most the route's body_max bytes */
	BODY_NDJSON,	/* raw bytes, one JSON value a line: r->body */
	BODY_JSON_OR_FORM, /* a JSON object (Content-Type application/json,
			 * or a body starting with '{') into r->json, else
			 * an urlencoded form into r->form */
	BODY_FORM,	/* a page's urlencoded form into r->form, of at
			 * most body_max bytes (ui_form()) */
	BODY_KIND = 0x0f,	/* the kind's bits */
	BODY_LATE = 0x10
};

/* The longest raw REQUEST_URI accepted (file paths are at most 1,000 bytes,
 * percent-encoded up to three times that). */
#define REQ_URI_MAX	6144

struct req {
	struct arena	*a;
	struct hub	*hub;
	FCGX_Request	*fcgi;
	enum method	 method;
	const char	*method_name;
	const char	*uri;		/* raw REQUEST_URI */
	struct qarg	*query;
	size_t		 nquery;
	char		**segs;		/* decoded path segments */
	size_t		 nsegs;
	struct route_args args;
	/* The route's repository, opened for the access its line says
	 * (router.h), or NULL. */
	struct repo	*repo;
	char		 id[17];	/* X-Request-Id */
	const char	*endpoint;	/* scheme://host[:port] the client used */

	/* Authentication, resolved on first use (auth.c). */
	int		 auth_done;
	struct principal *who;
	/* A page's form proved it comes from the hub's pages with the
	 * session's CSRF token (ui_form_session): its urlencoded body may
	 * carry the session cookie. */
	bool		 form_ok;

	/* The body, as req_read_body() read it for the route's body kind
	 * (body_kind, body_max from the table): every string and member
	 * name in r->json, every key and value of r->form, is UTF-8 with
	 * no NUL; r->body is raw (NDJSON: its lines are checked as they
	 * are parsed). */
	unsigned	 body_kind;
	size_t		 body_max;
	bool		 body_read;
	json_object	*json;
	const char	*body;
	size_t		 body_len;
	struct qarg	*form;
	size_t		 nform;

	/* The answer. */
	int		 status;	/* 0 until answered */
	/* WWW-Authenticate sent with a 401, or NULL: git asks for
	 * credentials only after one (api_git.c sets it). */
	const char	*challenge;
	struct buf	 headers;	/* extra header lines, CRLF-terminated */
	const char	*error_code;	/* X-Error-Code sent, for logs/tests */
	const char	*error_msg;	/* and its message */
	/* How this front door shows an error: NULL, the Hub's JSON answer;
	 * the pages set an HTML one (ui_begin()). Called by resp_error()
	 * after the X-Error-* headers, for any method but HEAD. */
	void		(*error_page)(struct req *, int status,
			    const char *code, const char *msg);

	/* For the access log. */
	struct timespec	 started;
	const char	*route;		/* the route's pattern, or NULL */
	size_t		 route_index;	/* its place in the table (metrics) */
	size_t		 bytes_out;	/* body bytes sent */
};

/* A CGI variable (REQUEST_METHOD, HTTP_AUTHORIZATION...), or NULL. */
const char *req_env(const struct req *, const char *name);
/* A request header by its HTTP name ("Content-Type"), or NULL. */
const char *req_header(const struct req *, const char *name);
/* The first value of a query parameter, or NULL. */
const char *req_query(const struct req *, const char *key);
/* A query boolean: 1, 0, or dflt when absent; answers 400 and returns -1
 * for an unreadable value. */
int	 req_query_bool(struct req *, const char *key, int dflt);

/* Whether the client's address (REMOTE_ADDR) is a word of list (spaces
 * or commas between; exact, no masks). */
bool	 req_from(const struct req *, const char *list);
/* Whether the request carries "Authorization: Bearer <secret>" (compared
 * in constant time); never for a NULL or empty secret. */
bool	 req_bearer_is(const struct req *, const char *secret);

/*
 * Reads the whole body (up to the configured limit) into the arena.
 * Returns 0, or answers 413/400 itself and returns -1.
 */
int	 req_body(struct req *, const char **out, size_t *len);
/* The body as a JSON object; answers 400 and returns NULL otherwise. The
 * object is released at the request's end. */
json_object *req_json(struct req *);
/*
 * Reads the body as r->body_kind says (the router sets it from the
 * route's line for the methods that carry one), once: called again, it
 * returns 0 and reads nothing. Returns 0, or answers (400 with
 * X-Error-Code BadRequest, 413) and -1. The router calls it before the
 * handler, but for BODY_LATE.
 */
int	 req_read_body(struct req *);
/* Member key of a JSON body (body NULL: none) that must be a string, or
 * a boolean, when present: *out NULL (false) when absent or null. 0, or
 * answers 400 and -1. */
int	 req_member_str(struct req *, json_object *body, const char *key,
	    const char **out);
int	 req_member_bool(struct req *, json_object *body, const char *key,
	    bool *out);

/* Adds a header to the answer; value printf-formatted. CR/LF are dropped. */
void	 resp_header(struct req *, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Whether resp_header() added header name (any case) to this answer. */
bool	 resp_has_header(const struct req *, const char *name);
/* Sends status, headers and body (no body for HEAD). */
void	 resp_send(struct req *, int status, const char *content_type,
	    const void *body, size_t len);
/* Sends a JSON value (and releases it). */
void	 resp_json(struct req *, int status, json_object *);
/* Sends a redirect to an absolute URL. */
void	 resp_redirect(struct req *, int status, const char *location);
/*
 * The one place an error becomes the HF answer: status, X-Error-Code,
 * X-Error-Message and a JSON body {"error": message} (none for HEAD).
 */
void	 resp_error(struct req *, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * The part of resp_error() every error answer shares: X-Error-Code,
 * X-Error-Message and, for 5xx, the log line. For an answer whose body
 * has another shape (git-lfs reads {"message"}): the caller then sends
 * it. Returns the message.
 */
const char *resp_error_headers(struct req *, int status, const char *code,
	    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* resp_error(), the members of extra (a JSON object, taken over) added to
 * the body: the Hub's 409 on create carries the existing repo's "url". */
void	 resp_error_with(struct req *, int status, const char *code,
	    json_object *extra, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* 503 "database unavailable" or 500, from the database's last error. */
void	 resp_db_error(struct req *);
struct kerr;
/* The answer to a domain error (kerr.h): its status, code and message; a
 * 5xx's message goes to the log too, and a hidden one (internals) only
 * there: the client gets the request id. */
void	 resp_kerr(struct req *, const struct kerr *);
/*
 * Sets "Link: <endpoint + path?query>; rel=\"next\"" (a page of a
 * listing): path already percent-encoded, the request's query kept but
 * for its cursor, which becomes cursor.
 */
void	 resp_link_next(struct req *, const char *path, const char *cursor);
/*
 * The page of a list the query asks for: "limit" (dflt when absent or 0,
 * at most max) into *limit, and "cursor" (the id of the last item of the
 * page before: a positive decimal number, as resp_link_next() was given
 * it) into *cursor, 0 when absent. Answers 400 and returns -1 for a
 * malformed one.
 */
int	 req_page(struct req *, size_t dflt, size_t max, size_t *limit,
	    int64_t *cursor);
/* What domain code needs of r (dctx.h): its hub, arena, id and the caller
 * as authenticated so far (anonymous until auth.c ran). */
struct dctx	 req_dctx(struct req *);

/* Begins and ends one request: fills r from the FastCGI request; returns 0,
 * or answers a malformed request itself (400) and returns -1. */
int	 req_begin(struct req *, struct hub *, struct arena *, FCGX_Request *);
void	 req_end(struct req *);

#endif
