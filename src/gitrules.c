/*
 * gitrules.c: .gitattributes / .gitignore rules and git's wildmatch.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "gitrules.h"

/* Whether c is in the POSIX class name[0..n) ("digit"...): 1 or 0; -1 for
 * a name git does not know (the whole pattern then matches nothing). */
static int
posix_class(const char *name, size_t n, unsigned char c)
{
	static const struct { const char *name; int (*is)(int); } cls[] = {
		{ "alnum", isalnum }, { "alpha", isalpha }, { "blank", isblank },
		{ "cntrl", iscntrl }, { "digit", isdigit }, { "graph", isgraph },
		{ "lower", islower }, { "print", isprint }, { "punct", ispunct },
		{ "space", isspace }, { "upper", isupper },
		{ "xdigit", isxdigit },
	};
	size_t i;

	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		if (strlen(cls[i].name) == n && !memcmp(cls[i].name, name, n))
			return c < 0x80 && cls[i].is(c) ? 1 : 0;
	return -1;
}

/*
 * Matches one bracket class at *pp against c; advances *pp past ']'.
 * Returns 1 match, 0 no match, -1 malformed (no closing ']', a trailing
 * '\', an unknown [:class:]): then, as in git's wildmatch, the whole
 * pattern matches nothing. Inside, '\' escapes the next character, a
 * leading ']' is literal, "a-z" is a range, "[:digit:]" a POSIX class.
 */
static int
match_class(const char **pp, unsigned char c)
{
	const char *p = *pp + 1;
	unsigned char pc, prev = 0;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	pc = (unsigned char)*p;
	do {
		if (pc == '\0')
			return -1;
		if (pc == '\\') {
			if ((pc = (unsigned char)*++p) == '\0')
				return -1;
			if (c == pc)
				hit = true;
		} else if (pc == '-' && prev != 0 && p[1] != '\0' &&
		    p[1] != ']') {
			pc = (unsigned char)*++p;
			if (pc == '\\' && (pc = (unsigned char)*++p) == '\0')
				return -1;
			if (c >= prev && c <= pc)
				hit = true;
			pc = 0;		/* no range may start here */
		} else if (pc == '[' && p[1] == ':') {
			const char *name = p + 2, *q = name;
			int m;

			while (*q != '\0' && *q != ']')
				q++;
			if (*q == '\0')
				return -1;
			if (q - name >= 1 && q[-1] == ':') {
				m = posix_class(name, (size_t)(q - 1 - name), c);
				if (m < 0)
					return -1;
				if (m)
					hit = true;
				p = q;
				pc = 0;
			} else if (c == '[')	/* no ":]": a literal '[' */
				hit = true;
		} else if (c == pc)
			hit = true;
		prev = pc;
		pc = (unsigned char)*++p;
	} while (pc != ']');
	*pp = p + 1;
	return hit != neg;
}

/* glob_match(), adding its steps to *steps; false (no match) once *steps
 * passes max. */
static bool
glob_steps(const char *p, const char *t, uint64_t *steps, uint64_t max)
{
	/* Backtrack points: the last '*' (within a segment) and the last
	 * "**" (across segments). */
	const char *star_p = NULL, *star_t = NULL;
	const char *dstar_p = NULL, *dstar_t = NULL;
	const char *start = p;

	for (;; ++*steps) {
		if (*steps > max)
			return false;
		if (*p == '*' && p[1] == '*' && (p == start || p[-1] == '/') &&
		    (p[2] == '/' || p[2] == '\0')) {
			/* a whole segment "**" or "**\/": any number of whole
			 * segments (elsewhere "**" is one '*') */
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

				if (m < 0)
					return false;
				if (m == 1 && *t != '/') {
					p = q;
					t++;
					continue;
				}
			} else if (*p == '?' ? *t != '/' :
			    *p == '\\' ? p[1] != '\0' && p[1] == *t &&
			    (p++, true) : *p == *t) {
				/* a trailing '\' matches nothing */
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

bool
glob_match(const char *p, const char *t)
{
	uint64_t steps = 0;

	return glob_steps(p, t, &steps, UINT64_MAX);
}

/* One pattern (s[0..n), no NUL) into a rule. Returns false for a
 * pattern that holds no rule. */
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
	/* "**\/name" is "name" at any depth: matched on the last segment
	 * only, not on the whole path (same answers, a fraction of the
	 * steps on deep paths) */
	while (n > 3 && !memcmp(s, "**/", 3) && memchr(s + 3, '/', n - 3) ==
	    NULL) {
		s += 3;
		n -= 3;
		rl->anchored = false;
	}
	if (n == 0)
		return false;
	if (memchr(s, '/', n) != NULL)
		rl->anchored = true;
	rl->pattern = arena_strndup(a, s, n);
	rl->prefix = strcspn(rl->pattern, "*?[\\");
	return true;
}

/* Appends rl; false when the set already holds RULES_MAX rules. */
static bool
add(struct rules *rs, const struct rule *rl, size_t *cap)
{
	if (rs->n == RULES_MAX)
		return false;
	if (rs->n == *cap) {
		struct rule *bigger;

		*cap = *cap ? 2 * *cap : 16;
		bigger = arena_alloc(rs->a, *cap * sizeof(*bigger));
		if (rs->n)
			memcpy(bigger, rs->r, rs->n * sizeof(*bigger));
		rs->r = bigger;
	}
	rs->r[rs->n++] = *rl;
	return true;
}

static void
rules_init(struct rules *rs, struct arena *a)
{
	memset(rs, 0, sizeof(*rs));
	rs->a = a;
	rs->max_steps = RULES_STEPS_MAX;
}

/* The next line of [*p, end) into line/n, without its '\n' and one '\r'
 * before it (git strips that one too); false at the end. Reads nothing
 * outside [*p, end). */
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
	if (*n > 0 && (*line)[*n - 1] == '\r')
		(*n)--;
	return true;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * git's unquote_c_style() of the quoted pattern at s[0..n) (s[0] is '"'):
 * the text into out (n bytes are enough), its length into *outlen, and
 * *used the bytes read with both quotes. False when it is not a whole
 * quoted string, or holds a NUL (git then reads the line unquoted).
 */
static bool
unquote(const char *s, size_t n, char *out, size_t *outlen, size_t *used)
{
	static const char from[] = "abfnrtv\"\\", to[] = "\a\b\f\n\r\t\v\"\\";
	size_t i = 1, o = 0;

	while (i < n && s[i] != '"') {
		const char *e;

		if (s[i] != '\\') {
			out[o++] = s[i++];
			continue;
		}
		if (++i >= n)
			return false;
		if ((e = memchr(from, s[i], sizeof(from) - 1)) != NULL) {
			out[o++] = to[e - from];
			i++;
		} else if (s[i] >= '0' && s[i] <= '3' && i + 2 < n &&
		    s[i + 1] >= '0' && s[i + 1] <= '7' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7') {
			char c = (char)((s[i] - '0') << 6 | (s[i + 1] - '0') <<
			    3 | (s[i + 2] - '0'));

			if (c == '\0')
				return false;
			out[o++] = c;
			i += 3;
		} else
			return false;
	}
	if (i >= n)
		return false;
	*outlen = o;
	*used = i + 1;
	return true;
}

const char *
rules_parse_attributes(struct rules *rs, struct arena *a, const char *text,
    size_t len)
{
	const char *p = text, *end = text + len, *line;
	size_t cap = 0, n;

	rules_init(rs, a);
	while (next_line(&p, end, &line, &n)) {
		const char *pat;
		char *unq = NULL;
		size_t plen, i;
		struct rule rl;

		/* git ignores (with a warning) lines this long */
		if (n >= RULES_ATTR_LINE_MAX)
			continue;
		while (n > 0 && blank(*line)) {
			line++;
			n--;
		}
		if (n == 0 || *line == '#')
			continue;
		pat = line;
		if (*line == '"' && (unq = arena_alloc(a, n)) != NULL &&
		    unquote(line, n, unq, &plen, &i)) {
			pat = unq;
		} else {
			/* the pattern ends at the first blank of this line;
			 * never look past it (the text need not be
			 * NUL-terminated, and a scan to the next blank
			 * anywhere made parsing quadratic) */
			for (plen = 0; plen < n && !blank(line[plen]); plen++)
				;
			i = plen;
		}
		/* "[attr]name ..." defines a macro, "!pattern" is refused
		 * by git: neither is a rule */
		if (plen > 6 && !memcmp(pat, "[attr]", 6))
			continue;
		if (memchr(pat, '\0', plen) != NULL ||
		    !parse_pattern(&rl, a, pat, plen) || rl.negate)
			continue;
		/* attributes: filter=lfs sets; -filter, !filter or another
		 * filter unsets; the last mention on the line wins */
		while (i < n) {
			size_t k;

			while (i < n && blank(line[i]))
				i++;
			k = i;
			while (k < n && !blank(line[k]))
				k++;
			if (k - i == 10 && !memcmp(line + i, "filter=lfs", 10))
				rl.lfs = 1;
			else if ((k - i == 7 && (!memcmp(line + i, "-filter", 7)
			    || !memcmp(line + i, "!filter", 7))) ||
			    (k - i > 7 && !memcmp(line + i, "filter=", 7)))
				rl.lfs = 0;
			i = k;
		}
		if (rl.lfs != -1 && !add(rs, &rl, &cap))
			return "has more than " RULES_MAX_S " rules";
	}
	return NULL;
}

const char *
rules_parse_ignore(struct rules *rs, struct arena *a, const char *text,
    size_t len)
{
	const char *p = text, *end = text + len, *line;
	size_t cap = 0, n, i, keep;
	struct rule rl;

	rules_init(rs, a);
	while (next_line(&p, end, &line, &n)) {
		if (n == 0 || *line == '#')
			continue;
		/* trailing spaces go unless escaped ("x\ " keeps one);
		 * tabs stay, as in git's trim_trailing_spaces() */
		for (i = 0, keep = 0; i < n; i++)
			if (line[i] == '\\' && i + 1 < n)
				keep = ++i + 1;
			else if (line[i] != ' ')
				keep = i + 1;
		n = keep;
		if (n > RULES_PATTERN_MAX)
			return "has a pattern longer than " RULES_PATTERN_MAX_S
			    " bytes";
		if (memchr(line, '\0', n) != NULL ||
		    !parse_pattern(&rl, a, line, n))
			continue;
		if (!add(rs, &rl, &cap))
			return "has more than " RULES_MAX_S " rules";
	}
	return NULL;
}

/* Does rule rl match path (a file, or a folder when is_dir)? */
static bool
rule_matches(struct rules *rs, const struct rule *rl, const char *path,
    bool is_dir)
{
	const char *base;

	/* a rule costs a step even when its glob is never run */
	if (++rs->steps > rs->max_steps || (rl->dir_only && !is_dir))
		return false;
	if (rl->anchored) {
		/* git compares the part before the first wildcard first,
		 * then globs the rest as a pattern of its own: "a**\/b"
		 * is "a" then "**\/b", which matches "a/x/b" */
		size_t k = rl->prefix;

		if (strncmp(rl->pattern, path, k) != 0)
			return false;
		return glob_steps(rl->pattern + k, path + k, &rs->steps,
		    rs->max_steps);
	}
	base = strrchr(path, '/');
	return glob_steps(rl->pattern, base ? base + 1 : path, &rs->steps,
	    rs->max_steps);
}

bool
rules_is_lfs(struct rules *rs, const char *path)
{
	size_t i = rs->n;

	while (i-- > 0 && !rules_too_costly(rs))
		if (rule_matches(rs, &rs->r[i], path, false))
			return rs->r[i].lfs == 1;
	return false;
}

/* The last rule matching path decides; none: not ignored. */
static bool
ignored_here(struct rules *rs, const char *path, bool is_dir)
{
	size_t i = rs->n;

	while (i-- > 0 && !rules_too_costly(rs))
		if (rule_matches(rs, &rs->r[i], path, is_dir))
			return !rs->r[i].negate;
	return false;
}

/*
 * The verdicts on folders, cached: the paths of one request share their
 * folders, and a folder is asked about once. Open addressing on an FNV-1a
 * hash of the folder's path.
 */
struct folder_slot {
	const char	*path;		/* NULL: empty slot */
	size_t		 len;
	uint32_t	 hash;
	bool		 ignored;
};

#define FNV_START	2166136261u
#define FNV_STEP(h, c)	(((h) ^ (unsigned char)(c)) * 16777619u)

/* The slot of folder path[0..len) (hash h, fnv() of it), empty or holding
 * it. */
static struct folder_slot *
folder_slot(struct rules *rs, const char *path, size_t len, uint32_t h)
{
	size_t k;

	if (rs->nfolders * 2 >= rs->folder_cap) {
		size_t cap = rs->folder_cap ? 2 * rs->folder_cap : 64, j;
		struct folder_slot *old = rs->folders, *t;

		t = arena_zalloc(rs->a, cap * sizeof(*t));
		for (j = 0; j < rs->folder_cap; j++) {
			if (old[j].path == NULL)
				continue;
			for (k = old[j].hash & (cap - 1); t[k].path != NULL;
			    k = (k + 1) & (cap - 1))
				;
			t[k] = old[j];
		}
		rs->folders = t;
		rs->folder_cap = cap;
	}
	for (k = h & (rs->folder_cap - 1);; k = (k + 1) & (rs->folder_cap - 1)) {
		struct folder_slot *f = &rs->folders[k];

		if (f->path == NULL) {
			f->hash = h;
			return f;
		}
		if (f->hash == h && f->len == len && !memcmp(f->path, path, len))
			return f;
	}
}

bool
rules_is_ignored(struct rules *rs, const char *path)
{
	char buf[RULES_PATH_MAX + 1];
	size_t n = strlen(path), i;
	uint32_t h = FNV_START;

	if (rs->n == 0 || rules_too_costly(rs))
		return false;
	if (n > RULES_PATH_MAX) {
		rs->steps = rs->max_steps + 1;	/* refuse, as too costly */
		return false;
	}
	/* A file inside an ignored folder is ignored, whatever its own
	 * rules say (git does not look inside an excluded folder). */
	memcpy(buf, path, n + 1);
	for (i = 0; i < n; h = FNV_STEP(h, buf[i]), i++)
		if (buf[i] == '/') {
			struct folder_slot *f = folder_slot(rs, buf, i, h);

			if (f->path == NULL) {
				/* the folders above are not ignored, or the
				 * loop would have returned there */
				buf[i] = '\0';
				f->ignored = ignored_here(rs, buf, true);
				buf[i] = '/';
				f->path = arena_strndup(rs->a, buf, i);
				f->len = i;
				rs->nfolders++;
			}
			if (f->ignored)
				return true;
		}
	return ignored_here(rs, path, false);
}

bool
rules_too_costly(const struct rules *rs)
{
	return rs->steps > rs->max_steps;
}
