/*
 * fuzz_diff.c: the line diff (diff.c) on two texts cut from the input at
 * its first NUL (or its middle): a script, when one is made, rebuilds both
 * texts exactly, and its hunks cover every change in order.
 */
#include <string.h>

#include "diff.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_exact(data, size), *cut;
	struct diff_line *l;
	struct diff_hunk h;
	struct arena a;
	struct buf x, y;
	size_t alen, n, i, pos = 0, last = 0, changes = 0, covered = 0;

	arena_init(&a, 4096);
	cut = memchr(s, '\0', size);
	alen = cut != NULL ? (size_t)(cut - s) : size / 2;
	if (diff_lines(&a, s, alen, s + alen + (cut != NULL),
	    size - alen - (cut != NULL), 200, &l, &n) == 0) {
		buf_init(&x, &a);
		buf_init(&y, &a);
		for (i = 0; i < n; i++) {
			FUZZ_ASSERT(l[i].op == ' ' || l[i].op == '+' ||
			    l[i].op == '-');
			if (l[i].op != '+') {
				buf_add(&x, l[i].s, l[i].len);
				if (l[i].eol)
					buf_add(&x, "\n", 1);
			}
			if (l[i].op != '-') {
				buf_add(&y, l[i].s, l[i].len);
				if (l[i].eol)
					buf_add(&y, "\n", 1);
			}
			changes += l[i].op != ' ';
		}
		FUZZ_ASSERT(x.len == alen && memcmp(x.data, s, alen) == 0);
		FUZZ_ASSERT(y.len == size - alen - (cut != NULL) &&
		    memcmp(y.data, s + alen + (cut != NULL), y.len) == 0);
		while (diff_next_hunk(l, n, 3, &pos, &h)) {
			FUZZ_ASSERT(h.start >= last && h.start < h.end &&
			    h.end <= n);
			for (i = h.start; i < h.end; i++)
				covered += l[i].op != ' ';
			last = h.end;
		}
		FUZZ_ASSERT(covered == changes);
	}
	arena_free(&a);
	free(s);
	return 0;
}
