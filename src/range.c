/*
 * range.c: the Range header of a download (range.h).
 */
#include <stdlib.h>
#include <string.h>

#include "range.h"

int
range_parse(const char *h, size_t len, size_t *from, size_t *to)
{
	unsigned long long a = 0, b = 0;
	char *end;

	if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
		return 0;
	h += 6;
	/* digits and one '-' only: strtoull() would also take blanks and
	 * signs, and read "0--5" as 0 to 2^64 - 5 */
	if (h[strspn(h, "0123456789-")] != '\0' || strchr(h, '-') !=
	    strrchr(h, '-'))
		return 0;
	if (*h == '-') {		/* the last n bytes */
		b = strtoull(h + 1, &end, 10);
		if (end == h + 1 || *end != '\0')
			return 0;
		if (b == 0 || len == 0)
			return -1;
		*from = b >= len ? 0 : len - (size_t)b;
		*to = len - 1;
		return 1;
	}
	a = strtoull(h, &end, 10);
	if (end == h || *end != '-')
		return 0;
	h = end + 1;
	b = *h == '\0' ? (unsigned long long)len - 1 : strtoull(h, &end, 10);
	if (*h != '\0' && *end != '\0')
		return 0;
	if (a >= len || b < a)
		return -1;
	*from = (size_t)a;
	*to = b >= len ? len - 1 : (size_t)b;
	return 1;
}
