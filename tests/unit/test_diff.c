/*
 * test_diff.c: the line diff (diff.c) against diff -u's answers, and on
 * random texts: the script rebuilds both sides, and it is minimal (its
 * edits equal N + M - 2 LCS, the LCS found by the textbook table).
 */
#include <stdlib.h>

#include "check.h"
#include "diff.h"

static struct arena a;

/* The script as text: "op line" per line, for comparing. */
static const char *
script(const char *x, const char *y, size_t max)
{
	struct diff_line *s;
	struct buf b;
	size_t n, i;

	if (diff_lines(&a, x, strlen(x), y, strlen(y), max, &s, &n) != 0)
		return "too different";
	buf_init(&b, &a);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%c%.*s%s|", s[i].op, (int)s[i].len, s[i].s,
		    s[i].eol ? "" : "\\");
	return b.data;
}

static void
test_simple(void)
{
	CHECK_STR(script("", "", 10), "");
	CHECK_STR(script("a\nb\nc\n", "a\nb\nc\n", 10), " a| b| c|");
	CHECK_STR(script("a\nb\nc\n", "a\nc\n", 10), " a|-b| c|");
	CHECK_STR(script("a\nc\n", "a\nb\nc\n", 10), " a|+b| c|");
	CHECK_STR(script("", "x\n", 10), "+x|");
	CHECK_STR(script("x\n", "", 10), "-x|");
	/* deletions before insertions in a changed run, as diff -u */
	CHECK_STR(script("a\nb\nc\n", "a\nB\nc\n", 10), " a|-b|+B| c|");
	/* the missing last newline is a difference */
	CHECK_STR(script("a\nb", "a\nb\n", 10), " a|-b\\|+b|");
	CHECK_STR(script("a\nb\nc\nd\n", "x\ny\nz\nw\n", 3), "too different");
	CHECK_STR(script("a\nb\nc\nd\n", "x\ny\nz\nw\n", 8),
	    "-a|-b|-c|-d|+x|+y|+z|+w|");
	CHECK_STR(script("", "1\n2\n3\n", 2), "too different");
}

static void
test_numbers(void)
{
	struct diff_line *s;
	size_t n;
	const char *x = "a\nb\nc\n", *y = "a\nc\nd\n";

	CHECK(diff_lines(&a, x, strlen(x), y, strlen(y), 10, &s, &n) == 0);
	CHECK(n == 4);
	CHECK(s[0].a_no == 1 && s[0].b_no == 1);
	CHECK(s[1].op == '-' && s[1].a_no == 2 && s[1].b_no == 0);
	CHECK(s[2].op == ' ' && s[2].a_no == 3 && s[2].b_no == 2);
	CHECK(s[3].op == '+' && s[3].a_no == 0 && s[3].b_no == 3);
}

/* "N\n" for n in [from, to) */
static char *
lines(int from, int to)
{
	struct buf b;
	int i;

	buf_init(&b, &a);
	for (i = from; i < to; i++)
		buf_printf(&b, "%d\n", i);
	return b.data;
}

static void
test_hunks(void)
{
	struct diff_line *s;
	struct diff_hunk h;
	struct buf bx, by;
	size_t n, pos = 0;
	int i;

	/* 1..30 with line 5 and line 25 changed: two hunks, 3 lines around */
	buf_init(&bx, &a);
	buf_init(&by, &a);
	for (i = 1; i <= 30; i++) {
		buf_printf(&bx, "%d\n", i);
		buf_printf(&by, i == 5 || i == 25 ? "x%d\n" : "%d\n", i);
	}
	CHECK(diff_lines(&a, bx.data, bx.len, by.data, by.len, 100, &s, &n) ==
	    0);
	CHECK(diff_next_hunk(s, n, 3, &pos, &h) == 1);
	CHECK(h.a_start == 2 && h.a_len == 7 && h.b_start == 2 &&
	    h.b_len == 7);
	CHECK(diff_next_hunk(s, n, 3, &pos, &h) == 1);
	CHECK(h.a_start == 22 && h.a_len == 7 && h.b_start == 22 &&
	    h.b_len == 7);
	CHECK(diff_next_hunk(s, n, 3, &pos, &h) == 0);

	/* changes 6 kept lines apart merge into one hunk (2 * ctx) */
	pos = 0;
	buf_init(&by, &a);
	for (i = 1; i <= 30; i++)
		buf_printf(&by, i == 5 || i == 12 ? "x%d\n" : "%d\n", i);
	CHECK(diff_lines(&a, bx.data, bx.len, by.data, by.len, 100, &s, &n) ==
	    0);
	CHECK(diff_next_hunk(s, n, 3, &pos, &h) == 1);
	CHECK(h.a_start == 2 && h.a_len == 14);
	CHECK(diff_next_hunk(s, n, 3, &pos, &h) == 0);

	/* a new file: "@@ -0,0 +1,3 @@" */
	pos = 0;
	CHECK(diff_lines(&a, "", 0, lines(0, 3), 6, 100, &s, &n) == 0);
	CHECK(diff_next_hunk(s, n, 3, &pos, &h) == 1);
	CHECK(h.a_start == 0 && h.a_len == 0 && h.b_start == 1 &&
	    h.b_len == 3);
}

/* The length of the longest common subsequence of lines, by the table. */
static size_t
lcs(char **x, size_t n, char **y, size_t m)
{
	size_t *t = calloc((n + 1) * (m + 1), sizeof(*t)), i, j, r;

	for (i = 1; i <= n; i++)
		for (j = 1; j <= m; j++)
			t[i * (m + 1) + j] = !strcmp(x[i - 1], y[j - 1]) ?
			    t[(i - 1) * (m + 1) + j - 1] + 1 :
			    t[(i - 1) * (m + 1) + j] > t[i * (m + 1) + j - 1] ?
			    t[(i - 1) * (m + 1) + j] : t[i * (m + 1) + j - 1];
	r = t[n * (m + 1) + m];
	free(t);
	return r;
}

static void
test_random(void)
{
	int round;

	srand(7);
	for (round = 0; round < 500; round++) {
		char *xl[40], *yl[40];
		struct buf bx, by, rx, ry;
		struct diff_line *s;
		size_t n, m, i, edits = 0, cnt;

		buf_init(&bx, &a);
		buf_init(&by, &a);
		n = (size_t)rand() % 40;
		m = (size_t)rand() % 40;
		for (i = 0; i < n; i++) {
			xl[i] = arena_printf(&a, "%c", 'a' + rand() % 4);
			buf_printf(&bx, "%s\n", xl[i]);
		}
		for (i = 0; i < m; i++) {
			yl[i] = arena_printf(&a, "%c", 'a' + rand() % 4);
			buf_printf(&by, "%s\n", yl[i]);
		}
		if (diff_lines(&a, bx.data, bx.len, by.data, by.len, 100, &s,
		    &cnt) != 0) {
			CHECK(!"diff refused");
			continue;
		}
		buf_init(&rx, &a);
		buf_init(&ry, &a);
		for (i = 0; i < cnt; i++) {
			if (s[i].op != '+')
				buf_printf(&rx, "%.*s\n", (int)s[i].len, s[i].s);
			if (s[i].op != '-')
				buf_printf(&ry, "%.*s\n", (int)s[i].len, s[i].s);
			edits += s[i].op != ' ';
		}
		CHECK_STR(rx.data, bx.data);
		CHECK_STR(ry.data, by.data);
		CHECK(edits == n + m - 2 * lcs(xl, n, yl, m));
		if (round % 50 == 0)
			arena_reset(&a);
	}
}

int
main(void)
{
	arena_init(&a, 4096);
	RUN(test_simple);
	RUN(test_numbers);
	RUN(test_hunks);
	RUN(test_random);
	arena_free(&a);
	return check_done("diff");
}
