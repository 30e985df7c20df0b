/*
 * gitrules.c: .gitattributes / .gitignore rules and git's wildmatch.
 */
#include <string.h>

#include "gitrules.h"

/* Matches one bracket class at *pp against c; advances *pp past ']'.
 * Returns 1 match, 0 no match, -1 malformed (then '[' is literal). */
static int
match_class(const char **pp, unsigned char c)
{
	const char *p = *pp + 1;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	if (*p == ']') {		/* a leading ']' is literal */
		hit = c == ']';
		p++;
	}
	for (; *p != '\0' && *p != ']'; p++) {
		unsigned char lo = (unsigned char)*p;

		if (p[1] == '-' && p[2] != '\0' && p[2] != ']') {
			if (c >= lo && c <= (unsigned char)p[2])
				hit = true;
			p += 2;
		} else if (c == lo)
			hit = true;
	}
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return hit != neg;
}

bool
glob_match(const char *p, const char *t)
{
	/* Backtrack points: the last '*' (within a segment) and the last
	 * "**" (across segments). */
	const char *star_p = NULL, *star_t = NULL;
	const char *dstar_p = NULL, *dstar_t = NULL;

	for (;;) {
		if (*p == '*' && p[1] == '*' &&
		    (p[2] == '/' || p[2] == '\0')) {
			/* "**" or "**\/": any number of whole segments */
			p += 2;
			if (*p == '\0')
				return true;
			p++;		/* the '/' */
			dstar_p = p;
			dstar_t = t;
			star_p = NULL;
			continue;
		}
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_t = t;
			continue;
		}
		if (*t == '\0' && *p == '\0')
			return true;
		if (*t != '\0' && *p != '\0') {
			if (*p == '[') {
				const char *q = p;
				int m = match_class(&q, (unsigned char)*t);

				if (m == 1 && *t != '/') {
					p = q;
					t++;
					continue;
				}
				if (m == -1 && *t == '[') {
					p++;
					t++;
					continue;
				}
			} else if (*p == '?' ? *t != '/' :
			    *p == '\\' && p[1] != '\0' ? p[1] == *t &&
			    (p++, true) : *p == *t) {
				p++;
				t++;
				continue;
			}
		}
		/* Mismatch: let the last '*' eat one more character (not a
		 * '/'), else let the last "**" eat one more segment. */
		if (star_p != NULL && *star_t != '\0' && *star_t != '/') {
			p = star_p;
			t = ++star_t;
			continue;
		}
		if (dstar_p != NULL) {
			const char *slash = strchr(dstar_t, '/');

			if (slash == NULL)
				return false;
			p = dstar_p;
			t = dstar_t = slash + 1;
			star_p = NULL;
			continue;
		}
		return false;
	}
}

/* One line of either file into a rule (pattern part only). Returns false
 * for a line that holds no rule. */
static bool
parse_pattern(struct rule *rl, struct arena *a, const char *s, size_t n)
{
	memset(rl, 0, sizeof(*rl));
	rl->lfs = -1;
	if (n > 0 && s[0] == '!') {
		rl->negate = true;
		s++;
		n--;
	}
	if (n > 0 && s[n - 1] == '/') {
		rl->dir_only = true;
		n--;
	}
	if (n > 0 && s[0] == '/') {
		rl->anchored = true;
		s++;
		n--;
	}
	if (n == 0)
		return false;
	if (memchr(s, '/', n) != NULL)
		rl->anchored = true;
	rl->pattern = arena_strndup(a, s, n);
	return true;
}

static void
add(struct rules *rs, struct arena *a, const struct rule *rl, size_t *cap)
{
	if (rs->n == RULES_MAX)
		return;
	if (rs->n == *cap) {
		struct rule *bigger;

		*cap = *cap ? 2 * *cap : 16;
		bigger = arena_alloc(a, *cap * sizeof(*bigger));
		if (rs->n)
			memcpy(bigger, rs->r, rs->n * sizeof(*bigger));
		rs->r = bigger;
	}
	rs->r[rs->n++] = *rl;
}

/* The next line of [*p, end) into line/n, trailing CR and blanks removed;
 * false at the end. */
static bool
next_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*n = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	while (*n > 0 && ((*line)[*n - 1] == '\r' || (*line)[*n - 1] == ' ' ||
	    (*line)[*n - 1] == '\t'))
		(*n)--;
	return true;
}

void
rules_parse_attributes(struct rules *rs, struct arena *a, const char *text,
    size_t len)
{
	const char *p = text, *end = text + len, *line;
	size_t cap = 0, n;

	rs->r = NULL;
	rs->n = 0;
	while (next_line(&p, end, &line, &n)) {
		size_t plen, i;
		struct rule rl;

		while (n > 0 && (*line == ' ' || *line == '\t')) {
			line++;
			n--;
		}
		if (n == 0 || *line == '#' || *line == '!')
			continue;	/* '!' patterns are invalid here */
		/* the pattern ends at the first blank of this line; never
		 * look past it (the text need not be NUL-terminated, and a
		 * scan to the next blank anywhere made parsing quadratic) */
		for (plen = 0; plen < n && line[plen] != ' ' &&
		    line[plen] != '\t'; plen++)
			;
		if (!parse_pattern(&rl, a, line, plen) || rl.negate)
			continue;
		/* attributes: filter=lfs sets; -filter, !filter or another
		 * filter unsets; the last mention on the line wins */
		for (i = plen; i < n; ) {
			size_t k;

			while (i < n && (line[i] == ' ' || line[i] == '\t'))
				i++;
			k = i;
			while (k < n && line[k] != ' ' && line[k] != '\t')
				k++;
			if (k - i == 10 && !memcmp(line + i, "filter=lfs", 10))
				rl.lfs = 1;
			else if ((k - i == 7 && (!memcmp(line + i, "-filter", 7)
			    || !memcmp(line + i, "!filter", 7))) ||
			    (k - i > 7 && !memcmp(line + i, "filter=", 7)))
				rl.lfs = 0;
			i = k;
		}
		if (rl.lfs != -1)
			add(rs, a, &rl, &cap);
	}
}

void
rules_parse_ignore(struct rules *rs, struct arena *a, const char *text,
    size_t len)
{
	const char *p = text, *end = text + len, *line;
	size_t cap = 0, n;
	struct rule rl;

	rs->r = NULL;
	rs->n = 0;
	while (next_line(&p, end, &line, &n))
		if (n > 0 && *line != '#' && parse_pattern(&rl, a, line, n))
			add(rs, a, &rl, &cap);
}

/* Does rule rl match path (a file, or a folder when is_dir)? */
static bool
rule_matches(const struct rule *rl, const char *path, bool is_dir)
{
	const char *base;

	if (rl->dir_only && !is_dir)
		return false;
	if (rl->anchored)
		return glob_match(rl->pattern, path);
	base = strrchr(path, '/');
	return glob_match(rl->pattern, base ? base + 1 : path);
}

bool
rules_is_lfs(const struct rules *rs, const char *path)
{
	size_t i = rs->n;

	while (i-- > 0)
		if (rule_matches(&rs->r[i], path, false))
			return rs->r[i].lfs == 1;
	return false;
}

/* The last rule matching path decides; none: not ignored. */
static bool
ignored_here(const struct rules *rs, const char *path, bool is_dir)
{
	size_t i = rs->n;

	while (i-- > 0)
		if (rule_matches(&rs->r[i], path, is_dir))
			return !rs->r[i].negate;
	return false;
}

bool
rules_is_ignored(const struct rules *rs, const char *path)
{
	char buf[1024];
	size_t n = strlen(path), i;

	if (rs->n == 0 || n >= sizeof(buf))
		return false;
	/* A file inside an ignored folder is ignored, whatever its own
	 * rules say (git does not look inside an excluded folder). */
	memcpy(buf, path, n + 1);
	for (i = 0; i < n; i++)
		if (buf[i] == '/') {
			buf[i] = '\0';
			if (ignored_here(rs, buf, true))
				return true;
			buf[i] = '/';
		}
	return ignored_here(rs, path, false);
}
