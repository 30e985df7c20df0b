/*
 * fuzz_url.c: percent-decoding, path splitting and query strings (url.c)
 * on any bytes; a decoded string re-encoded decodes back to itself.
 */
#include <string.h>

#include "fuzz.h"
#include "url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_exact(data, size), *d, **segs;
	struct qarg *q;
	struct arena a;
	struct buf b;
	size_t n, i;

	arena_init(&a, 1024);
	if ((d = url_decode(&a, s, size, false)) != NULL) {
		buf_init(&b, &a);
		url_encode(&b, d, strlen(d), false);
		FUZZ_ASSERT(!strcmp(url_decode(&a, b.data, b.len, false), d));
		buf_init(&b, &a);
		url_encode(&b, d, strlen(d), true);
		FUZZ_ASSERT(!strcmp(url_decode(&a, b.data, b.len, false), d));
	}
	(void)url_decode(&a, s, size, true);
	if (url_split_path(&a, s, size, &segs, &n) == 0)
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(segs[i] != NULL);
	if (url_parse_query(&a, s, size, &q, &n) == 0) {
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(q[i].key != NULL && q[i].value != NULL);
		if (n > 0) {
			FUZZ_ASSERT(query_get(q, n, q[0].key) != NULL);
			(void)query_bool(q, n, q[0].key, 0);
		}
	}
	arena_free(&a);
	free(s);
	return 0;
}
