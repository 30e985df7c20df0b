/*
 * diff.c: line diffs (diff.h). Lines are compared by a 64-bit hash and
 * then their bytes, so a long equal run costs one compare per line.
 */
#include <stdint.h>
#include <string.h>

#include "diff.h"

struct line {
	const char	*s;
	size_t		 len;		/* with its '\n', if any */
	uint64_t	 h;
};

/* Splits t into lines; the last one may lack its '\n'. */
static size_t
split(struct arena *a, const char *t, size_t len, struct line **out)
{
	struct line *l;
	size_t n = 0, i, start;

	for (i = 0; i < len; i++)
		if (t[i] == '\n')
			n++;
	if (len > 0 && t[len - 1] != '\n')
		n++;
	l = arena_alloc(a, (n ? n : 1) * sizeof(*l));
	for (i = 0, start = 0, n = 0; i < len; i++)
		if (t[i] == '\n' || i + 1 == len) {
			uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
			size_t j;

			for (j = start; j <= i; j++)
				h = (h ^ (unsigned char)t[j]) * 1099511628211ULL;
			l[n].s = t + start;
			l[n].len = i + 1 - start;
			l[n++].h = h;
			start = i + 1;
		}
	*out = l;
	return n;
}

static int
eq(const struct line *x, const struct line *y)
{
	return x->h == y->h && x->len == y->len &&
	    memcmp(x->s, y->s, x->len) == 0;
}

static void
put(struct diff_line *d, char op, const struct line *l, size_t a_no,
    size_t b_no)
{
	d->op = op;
	d->s = l->s;
	d->eol = l->len > 0 && l->s[l->len - 1] == '\n';
	d->len = l->len - (size_t)d->eol;
	d->a_no = a_no;
	d->b_no = b_no;
}

int
diff_lines(struct arena *ar, const char *a, size_t alen, const char *b,
    size_t blen, size_t max_edits, struct diff_line **out, size_t *nout)
{
	struct line *la, *lb, *x0, *y0;
	struct diff_line *s;
	uint32_t **trace;
	size_t na, nb, pre = 0, suf = 0, N, M, d, D = 0, i, o, limit;
	long x, y, k;
	int found = 0;

	na = split(ar, a, alen, &la);
	nb = split(ar, b, blen, &lb);
	while (pre < na && pre < nb && eq(&la[pre], &lb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	    eq(&la[na - 1 - suf], &lb[nb - 1 - suf]))
		suf++;
	x0 = la + pre;
	y0 = lb + pre;
	N = na - pre - suf;
	M = nb - pre - suf;
	if (N + M > max_edits && (N == 0 || M == 0))
		return 1;
	limit = N + M < max_edits ? N + M : max_edits;
	/* trace[d][i]: the furthest x on diagonal k = -d + 2i after d edits */
	trace = arena_alloc(ar, (limit + 1) * sizeof(*trace));
	for (d = 0; d <= limit && !found; d++) {
		uint32_t *cur = arena_alloc(ar, (d + 1) * sizeof(*cur));
		uint32_t *prev = d > 0 ? trace[d - 1] : NULL;

		trace[d] = cur;
		for (i = 0; i <= d; i++) {
			k = -(long)d + 2 * (long)i;
			if (d == 0)
				x = 0;
			else if (k == -(long)d ||
			    (k != (long)d && prev[i - 1] < prev[i]))
				x = prev[i];		/* down: an insertion */
			else
				x = prev[i - 1] + 1;	/* right: a deletion */
			y = x - k;
			while ((size_t)x < N && (size_t)y < M &&
			    eq(&x0[x], &y0[y]))
				x++, y++;
			cur[i] = (uint32_t)x;
			if ((size_t)x >= N && (size_t)y >= M) {
				found = 1;
				D = d;
				break;
			}
		}
	}
	if (!found)
		return 1;

	/* Walk back from (N, M), writing the script from its end. */
	/* kept lines count once: pre + suf + (N + M - D) / 2 + D */
	*nout = pre + suf + (N + M + D) / 2;
	s = arena_alloc(ar, (*nout ? *nout : 1) * sizeof(*s));
	o = *nout;
	for (i = 0; i < suf; i++) {
		o--;
		put(&s[o], ' ', &la[na - 1 - i], na - i, nb - i);
	}
	x = (long)N;
	y = (long)M;
	for (d = D;; d--) {
		long px = 0, py = 0, sx = 0;
		int down = 0;

		k = x - y;
		if (d > 0) {
			uint32_t *prev = trace[d - 1];
			size_t j = (size_t)(k + (long)d) / 2;

			/* the same choice the forward pass made on this diagonal */
			down = k == -(long)d ||
			    (k != (long)d && prev[j - 1] < prev[j]);
			px = down ? prev[j] : prev[j - 1];
			py = px - (down ? k + 1 : k - 1);
			sx = down ? px : px + 1;
		}
		while (x > sx) {
			x--, y--;
			o--;
			put(&s[o], ' ', &x0[x], pre + (size_t)x + 1,
			    pre + (size_t)y + 1);
		}
		if (d == 0)
			break;
		o--;
		if (down)
			put(&s[o], '+', &y0[py], 0, pre + (size_t)py + 1);
		else
			put(&s[o], '-', &x0[px], pre + (size_t)px + 1, 0);
		x = px;
		y = py;
	}
	for (i = pre; i-- > 0;) {
		o--;
		put(&s[o], ' ', &la[i], i + 1, i + 1);
	}
	*out = s;
	return 0;
}

int
diff_next_hunk(const struct diff_line *s, size_t n, size_t ctx, size_t *pos,
    struct diff_hunk *h)
{
	size_t i = *pos, start, end, last, j;

	while (i < n && s[i].op == ' ')
		i++;
	if (i == n) {
		*pos = n;
		return 0;
	}
	start = i > *pos + ctx ? i - ctx : *pos;
	/* extend while the next change is within 2 * ctx kept lines */
	for (last = i;;) {
		for (j = last + 1; j < n && s[j].op != ' '; j++)
			;
		last = j - 1;		/* the end of this run of changes */
		while (j < n && s[j].op == ' ' && j - last <= 2 * ctx)
			j++;
		if (j < n && s[j].op != ' ' && j - last <= 2 * ctx + 1) {
			last = j;
			continue;
		}
		break;
	}
	end = last + 1 + ctx < n ? last + 1 + ctx : n;
	h->start = start;
	h->end = end;
	h->a_start = h->b_start = 0;
	h->a_len = h->b_len = 0;
	/* the first line of each side in the hunk, as diff -u counts */
	for (j = start; j < end; j++) {
		if (s[j].op != '+') {
			if (h->a_len++ == 0)
				h->a_start = s[j].a_no;
		}
		if (s[j].op != '-') {
			if (h->b_len++ == 0)
				h->b_start = s[j].b_no;
		}
	}
	/* an empty side: diff -u names the line before it */
	if (h->a_len == 0)
		for (j = start; j-- > 0;)
			if (s[j].op != '+') {
				h->a_start = s[j].a_no;
				break;
			}
	if (h->b_len == 0)
		for (j = start; j-- > 0;)
			if (s[j].op != '-') {
				h->b_start = s[j].b_no;
				break;
			}
	*pos = end;
	return 1;
}
