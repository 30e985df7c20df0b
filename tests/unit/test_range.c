/*
 * test_range.c: the Range header of a download (range.c).
 */
#include "check.h"
#include "range.h"

static void
test_ranges(void)
{
	static const struct {
		const char *h;
		size_t len;
		int rc;
		size_t from, to;
	} cases[] = {
		{ "bytes=0-99", 1000, 1, 0, 99 },
		{ "bytes=100-", 1000, 1, 100, 999 },
		{ "bytes=-50", 1000, 1, 950, 999 },
		{ "bytes=-5000", 1000, 1, 0, 999 },
		{ "bytes=0-5000", 1000, 1, 0, 999 },
		{ "bytes=1000-", 1000, -1, 0, 0 },
		{ "bytes=5-4", 1000, -1, 0, 0 },
		{ "bytes=-0", 1000, -1, 0, 0 },
		{ "bytes=0-", 0, -1, 0, 0 },
		{ "bytes=99999999999999999999-", 1000, -1, 0, 0 },
		{ NULL, 1000, 0, 0, 0 },
		{ "bytes=0-1,5-6", 1000, 0, 0, 0 },
		{ "items=0-1", 1000, 0, 0, 0 },
		{ "bytes=-", 1000, 0, 0, 0 },
		{ "bytes=a-b", 1000, 0, 0, 0 },
		/* strtoull() takes these; RFC 9110 does not */
		{ "bytes=0--5", 1000, 0, 0, 0 },
		{ "bytes=+1-2", 1000, 0, 0, 0 },
		{ "bytes= 1-2", 1000, 0, 0, 0 },
		{ "bytes=1- 2", 1000, 0, 0, 0 },
		{ "bytes=--5", 1000, 0, 0, 0 },
	};
	size_t i, from, to;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		from = to = 0;
		rc = range_parse(cases[i].h, cases[i].len, &from, &to);
		if (rc != cases[i].rc || (rc == 1 && (from != cases[i].from ||
		    to != cases[i].to))) {
			fprintf(stderr, "range '%s' of %zu: %d %zu-%zu\n",
			    cases[i].h ? cases[i].h : "(null)", cases[i].len,
			    rc, from, to);
			CHECK(!"range");
		}
	}
}

int
main(void)
{
	RUN(test_ranges);
	return check_done("range");
}
