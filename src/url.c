/*
 * url.c: strict percent-decoding. A malformed escape is an error, never
 * passed through, so two spellings cannot name one path differently.
 */
#include <string.h>

#include "hex.h"
#include "url.h"

char *
url_decode(struct arena *a, const char *s, size_t n, bool plus_is_space)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)	/* fewer than two characters follow */
				return NULL;
			hi = hex_digit((unsigned char)s[i + 1]);
			lo = hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			c = hi << 4 | lo;
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == 0)
			return NULL;
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

int
url_split_path(struct arena *a, const char *path, size_t n, char ***out,
    size_t *nout)
{
	size_t count = 0, i, start, k = 0;
	char **segs;

	if (n == 0 || path[0] != '/')
		return -1;
	for (i = 0; i < n; i++)
		if (path[i] == '/')
			count++;
	segs = arena_alloc(a, (count + 1) * sizeof(*segs));
	for (start = 1, i = 1; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		if ((segs[k] = url_decode(a, path + start, i - start, false)) ==
		    NULL)
			return -1;
		k++;
		start = i + 1;
	}
	segs[k] = NULL;
	*out = segs;
	*nout = k;
	return 0;
}

int
url_parse_query(struct arena *a, const char *q, size_t n, struct qarg **out,
    size_t *nout)
{
	size_t count = 1, i, start, k = 0;
	struct qarg *args;

	for (i = 0; i < n; i++)
		if (q[i] == '&')
			count++;
	args = arena_alloc(a, count * sizeof(*args));
	for (start = 0, i = 0; i <= n; i++) {
		const char *eq;
		size_t len;

		if (i < n && q[i] != '&')
			continue;
		len = i - start;
		if (len > 0) {
			eq = memchr(q + start, '=', len);
			if (eq == NULL) {
				args[k].key = url_decode(a, q + start, len,
				    true);
				args[k].value = "";
			} else {
				args[k].key = url_decode(a, q + start,
				    (size_t)(eq - (q + start)), true);
				args[k].value = url_decode(a, eq + 1,
				    (size_t)(q + i - eq - 1), true);
			}
			if (args[k].key == NULL || args[k].value == NULL)
				return -1;
			k++;
		}
		start = i + 1;
	}
	*out = args;
	*nout = k;
	return 0;
}

const char *
query_get(const struct qarg *q, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(q[i].key, key))
			return q[i].value;
	return NULL;
}

int
query_bool(const struct qarg *q, size_t n, const char *key, int dflt)
{
	const char *v = query_get(q, n, key);

	if (v == NULL || *v == '\0')
		return dflt;
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "True"))
		return 1;
	if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "False"))
		return 0;
	return -1;
}

void
url_encode(struct buf *b, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || (c == '/' && keep_slash))
			buf_addc(b, (char)c);
		else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			buf_add(b, e, 3);
		}
	}
}
