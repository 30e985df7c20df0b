/*
 * fuzz_range.c: the Range header of a download (range.c). Input: two
 * bytes of body length, then the header. A range it returns lies inside
 * the body.
 */
#include "fuzz.h"
#include "range.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, from = 0, to = 0;
	char *h;
	int rc;

	if (size < 2)
		return 0;
	len = (size_t)data[0] << 8 | data[1];
	h = fuzz_cstr(data + 2, size - 2);
	rc = range_parse(h, len, &from, &to);
	FUZZ_ASSERT(rc >= -1 && rc <= 1);
	if (rc == 1)
		FUZZ_ASSERT(from <= to && to < len);
	/* a range at all only in RFC 9110's grammar for one range:
	 * "bytes=" digits "-" [digits], or "bytes=-" digits */
	if (rc != 0) {
		const char *p = h + 6;
		size_t d1 = strspn(p, "0123456789"), d2;

		FUZZ_ASSERT(!strncmp(h, "bytes=", 6) && p[d1] == '-');
		d2 = strspn(p + d1 + 1, "0123456789");
		FUZZ_ASSERT(p[d1 + 1 + d2] == '\0' && (d1 > 0 || d2 > 0));
	}
	/* the same header on an empty body is never a range */
	FUZZ_ASSERT(range_parse(h, 0, &from, &to) != 1);
	free(h);
	return 0;
}
