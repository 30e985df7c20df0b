/*
 * cors.c: Access-Control-* for pages of other origins (see cors.h).
 */
#include <string.h>

#include "cors.h"

/* The answer headers the clients read: revision, errors, pagination,
 * ranges, and the LFS facts of a resolve. */
static const char CORS[] =
    "Access-Control-Allow-Origin: *\r\n"
    "Access-Control-Expose-Headers: X-Repo-Commit, X-Request-Id, "
    "X-Error-Code, X-Error-Message, X-Total-Count, ETag, Link, "
    "Accept-Ranges, Content-Range, Content-Length, X-Linked-Size, "
    "X-Linked-ETag, Location\r\n";

#define REQUEST_HEADERS_MAX	512

/* The session endpoints (the API's and the login form's) set and read
 * cookies: same origin only. */
static int
cors_allowed(const struct req *r)
{
	return r->uri == NULL || (strncmp(r->uri, "/api/auth/", 10) != 0 &&
	    strncmp(r->uri, "/login", 6) != 0 &&
	    strncmp(r->uri, "/logout", 7) != 0);
}

const char *
cors_headers(const struct req *r)
{
	return cors_allowed(r) ? CORS : "";
}

int
cors_preflight(struct req *r)
{
	const char *want;
	size_t n;

	if (r->method != M_OPTIONS ||
	    req_header(r, "Access-Control-Request-Method") == NULL ||
	    !cors_allowed(r))
		return 0;
	/* The headers asked for may all be sent (no cookie rides along);
	 * echoed only when they are a plain list of names. */
	want = req_header(r, "Access-Control-Request-Headers");
	if (want != NULL && ((n = strlen(want)) > REQUEST_HEADERS_MAX ||
	    strspn(want, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_, ") != n))
		want = NULL;
	resp_header(r, "Access-Control-Allow-Methods",
	    "GET, HEAD, POST, PUT, DELETE");
	resp_header(r, "Access-Control-Allow-Headers", "%s", want != NULL ?
	    want : "Authorization, Content-Type, Range, If-None-Match");
	resp_header(r, "Access-Control-Max-Age", "86400");
	resp_send(r, 204, NULL, NULL, 0);
	return 1;
}
