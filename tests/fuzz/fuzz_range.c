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
	/* the same header on an empty body is never a range */
	FUZZ_ASSERT(range_parse(h, 0, &from, &to) != 1);
	free(h);
	return 0;
}
