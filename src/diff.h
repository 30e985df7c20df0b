/*
 * diff.h: the line diff of two texts, for people (the commit page).
 *
 * Myers' greedy O(ND) algorithm ("An O(ND) Difference Algorithm and Its
 * Variations", 1986) after the common prefix and suffix are set aside, as
 * git's xdiff does first. The work is bounded by the caller: at most
 * max_edits inserted plus deleted lines, else the texts are "too different"
 * and no script is made. Memory is O(max_edits^2 / 2) 32-bit words for the
 * trace, in the arena.
 */
#ifndef KHUB_DIFF_H
#define KHUB_DIFF_H

#include <stddef.h>

#include "arena.h"

/* One line of an edit script: kept (' '), deleted ('-') or added ('+'). */
struct diff_line {
	char		 op;
	const char	*s;		/* the line, its '\n' not included */
	size_t		 len;
	int		 eol;		/* 1 when the line ends with '\n' */
	size_t		 a_no, b_no;	/* 1-based line in a / b (0: none) */
};

/*
 * The edit script turning text a into text b, line by line: every line of
 * both texts once, in order, kept lines shared. A last line without '\n'
 * differs from the same line with one. Returns 0 with *out and *n (in the
 * arena), or 1 when more than max_edits lines differ (nothing made).
 */
int	 diff_lines(struct arena *, const char *a, size_t alen, const char *b,
	    size_t blen, size_t max_edits, struct diff_line **out, size_t *n);

/* A hunk: lines [start, end) of a script, and its "@@ -a,b +c,d @@". */
struct diff_hunk {
	size_t		 start, end;
	size_t		 a_start, a_len, b_start, b_len;
};

/*
 * The next hunk of script[0..n) at or after *pos with ctx lines of context
 * around its changes (hunks closer than 2 * ctx kept lines merge, as in
 * diff -u). Returns 1 with *h filled and *pos past it, 0 when no change is
 * left.
 */
int	 diff_next_hunk(const struct diff_line *script, size_t n, size_t ctx,
	    size_t *pos, struct diff_hunk *h);

#endif
