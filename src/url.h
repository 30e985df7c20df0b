/*
 * url.h: percent-decoding, query strings and URL building.
 */
#ifndef KHUB_URL_H
#define KHUB_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct qarg {
	const char	*key, *value;	/* decoded, NUL-terminated */
};

/*
 * Decodes %XX escapes of s[0..n) into a new arena string; plus_is_space for
 * form and query encoding. Returns NULL for a malformed escape or a decoded
 * NUL byte (callers answer 400).
 */
char	*url_decode(struct arena *, const char *s, size_t n, bool plus_is_space);
/*
 * Splits a raw path ("/a/b%2Fc/") on '/' and decodes each segment:
 * out gets the segments ("a", "b/c", ""), *nout their count. The leading
 * '/' is required. Returns 0, or -1 for a malformed escape or NUL.
 */
int	 url_split_path(struct arena *, const char *path, size_t n,
	    char ***out, size_t *nout);
/*
 * Parses an application/x-www-form-urlencoded string (a query or a form
 * body). Returns 0, or -1 for a malformed escape.
 */
int	 url_parse_query(struct arena *, const char *q, size_t n,
	    struct qarg **out, size_t *nout);
/* The first value of key, or NULL. */
const char *query_get(const struct qarg *, size_t n, const char *key);
/*
 * A boolean as the clients send them (True/true/1, False/false/0, "" for
 * None): 1, 0, or dflt when absent or empty; -1 when unreadable.
 */
int	 query_bool(const struct qarg *, size_t n, const char *key, int dflt);
/* Appends s percent-encoded; '/' kept when keep_slash (RFC 3986 unreserved
 * otherwise). */
void	 url_encode(struct buf *, const char *s, size_t n, bool keep_slash);

#endif
