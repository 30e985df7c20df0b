/*
 * frontmatter.c: the YAML subset of model cards, read into json-c values.
 *
 * A line-based recursive descent: a block node is a mapping, a sequence
 * or a scalar, told apart by its first line; nesting follows indentation.
 * Errors set f->err and unwind; the caller then drops the whole result
 * (json-c's NULL is JSON null, so the flag, not the pointer, says "error").
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "jsonutil.h"

#define MAX_DEPTH	64

struct line {
	int		 indent;	/* leading spaces */
	const char	*s;		/* the rest, NUL-terminated */
	bool		 blank;		/* only spaces */
};

struct fm {
	struct arena	*a;
	struct line	*l;
	size_t		 nl, i;		/* lines, the current one */
	int		 depth;
	bool		 err;
};

static json_object	*parse_block(struct fm *, int);
static bool		 map_entry(struct fm *, const char *, char **,
			    const char **);

static bool
is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* A line that holds no node: blank or a comment. */
static bool
is_empty(const struct line *l)
{
	return l->blank || l->s[0] == '#';
}

static void
skip_empty(struct fm *f)
{
	while (f->i < f->nl && is_empty(&f->l[f->i]))
		f->i++;
}

static bool
is_seq_item(const char *s)
{
	return s[0] == '-' && (s[1] == '\0' || is_space(s[1]));
}

/* Trailing spaces and a " # comment" off a plain scalar's text. */
static size_t
plain_len(const char *s)
{
	size_t n, k;

	for (n = 0; s[n] != '\0'; n++)
		if (s[n] == '#' && (n == 0 || is_space(s[n - 1])))
			break;
	for (k = n; k > 0 && is_space(s[k - 1]); k--)
		;
	return k;
}

/* Whether only spaces and a comment follow. */
static bool
only_comment(const char *s)
{
	while (is_space(*s))
		s++;
	return *s == '\0' || *s == '#';
}

/* Appends code point cp in UTF-8. */
static void
put_utf8(struct buf *b, uint32_t cp)
{
	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | cp >> 6));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | cp >> 12));
		buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | cp >> 18));
		buf_addc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Drops trailing spaces from b (before a folded line break). */
static void
trim_buf(struct buf *b)
{
	while (b->len > 0 && is_space(b->data[b->len - 1]))
		b->data[--b->len] = '\0';
}

/*
 * A quoted scalar at *pp (its opening quote), gathered text where '\n'
 * stands for a line break (continuation lines already left-trimmed).
 * Folds breaks as YAML does: one break is a space, k breaks k-1 newlines.
 * Advances *pp past the closing quote. NULL on error.
 */
static char *
quoted(struct fm *f, const char **pp)
{
	const char *p = *pp;
	char q = *p++;
	struct buf b;

	buf_init(&b, f->a);
	for (;;) {
		char c = *p;

		if (c == '\0')
			return NULL;
		if (c == q) {
			if (q == '\'' && p[1] == '\'') {
				buf_addc(&b, '\'');
				p += 2;
				continue;
			}
			p++;
			break;
		}
		if (c == '\n') {
			size_t k = 0;

			while (*p == '\n') {
				k++;
				p++;
			}
			trim_buf(&b);
			if (k == 1)
				buf_addc(&b, ' ');
			else
				while (--k > 0)
					buf_addc(&b, '\n');
			continue;
		}
		if (c == '\\' && q == '"') {
			uint32_t cp = 0;
			int nhex = 0, j;

			p++;
			switch (*p) {
			case '0': buf_addc(&b, '\0'); break;
			case 'a': buf_addc(&b, '\a'); break;
			case 'b': buf_addc(&b, '\b'); break;
			case 't': case '\t': buf_addc(&b, '\t'); break;
			case 'n': buf_addc(&b, '\n'); break;
			case 'v': buf_addc(&b, '\v'); break;
			case 'f': buf_addc(&b, '\f'); break;
			case 'r': buf_addc(&b, '\r'); break;
			case 'e': buf_addc(&b, 0x1b); break;
			case ' ': buf_addc(&b, ' '); break;
			case '"': buf_addc(&b, '"'); break;
			case '/': buf_addc(&b, '/'); break;
			case '\\': buf_addc(&b, '\\'); break;
			case 'N': put_utf8(&b, 0x85); break;
			case '_': put_utf8(&b, 0xa0); break;
			case 'L': put_utf8(&b, 0x2028); break;
			case 'P': put_utf8(&b, 0x2029); break;
			case 'x': nhex = 2; break;
			case 'u': nhex = 4; break;
			case 'U': nhex = 8; break;
			case '\n':
				/* An escaped line break joins the lines. */
				while (p[1] == '\n')
					p++;
				break;
			default:
				return NULL;
			}
			for (j = 0; j < nhex; j++) {
				char h = *++p;

				cp <<= 4;
				if (h >= '0' && h <= '9')
					cp |= (uint32_t)(h - '0');
				else if (h >= 'a' && h <= 'f')
					cp |= (uint32_t)(h - 'a' + 10);
				else if (h >= 'A' && h <= 'F')
					cp |= (uint32_t)(h - 'A' + 10);
				else
					return NULL;
			}
			if (nhex > 0) {
				if (cp == 0 || cp > 0x10ffff ||
				    (cp >= 0xd800 && cp <= 0xdfff))
					return NULL;
				put_utf8(&b, cp);
			}
			p++;
			continue;
		}
		buf_addc(&b, c);
		p++;
	}
	/* A string with a NUL cannot be a C string: refuse it. */
	if (strlen(b.data) != b.len)
		return NULL;
	*pp = p;
	return b.data;
}

/* The shortest text of d that reads back as d, as a JSON number. */
static json_object *
jdouble(const char *text, size_t n, double d)
{
	char s[40];
	int prec;

	if (!isfinite(d))	/* 1e999: JSON has no infinity */
		return json_object_new_string_len(text, (int)n);
	for (prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	if (strchr(s, 'e') != NULL && fabs(d) >= 1e-4 && fabs(d) < 1e15) {
		/* 1e3: written 1000.0, as the reader of the card expects */
		for (prec = 1; prec <= 17; prec++) {
			snprintf(s, sizeof(s), "%.*f", prec, d);
			if (strtod(s, NULL) == d)
				break;
		}
	}
	if (strspn(s, "-0123456789") == strlen(s))
		strcat(s, ".0");
	return json_object_new_double_s(d, s);
}

static bool
all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(set, s[i]) == NULL)
			return false;
	return n > 0;
}

/* A plain scalar's value under the YAML 1.2 core schema. */
static json_object *
resolve(const char *s, size_t n)
{
	char *end;
	size_t k;

	if (n == 0 || (n == 1 && s[0] == '~') ||
	    (n == 4 && (!strncmp(s, "null", 4) || !strncmp(s, "Null", 4) ||
	    !strncmp(s, "NULL", 4))))
		return NULL;
	if (n == 4 && (!strncmp(s, "true", 4) || !strncmp(s, "True", 4) ||
	    !strncmp(s, "TRUE", 4)))
		return jbool(1);
	if (n == 5 && (!strncmp(s, "false", 5) || !strncmp(s, "False", 5) ||
	    !strncmp(s, "FALSE", 5)))
		return jbool(0);
	k = (s[0] == '-' || s[0] == '+') ? 1 : 0;
	if (all_in(s + k, n - k, "0123456789")) {
		long long v;

		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno == 0 && end == s + n)
			return jint(v);
		return jdouble(s, n, strtod(s, NULL));
	}
	if (n > 2 && s[0] == '0' && s[1] == 'x' &&
	    all_in(s + 2, n - 2, "0123456789abcdefABCDEF") && n <= 17)
		return jint((int64_t)strtoull(s + 2, NULL, 16));
	if (n > 2 && s[0] == '0' && s[1] == 'o' && all_in(s + 2, n - 2,
	    "01234567") && n <= 23)
		return jint((int64_t)strtoull(s + 2, NULL, 8));
	/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
	{
		const char *p = s + k, *e = s + n;
		size_t digits = 0;

		while (p < e && *p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
		if (p < e && *p == '.') {
			p++;
			while (p < e && *p >= '0' && *p <= '9') {
				p++;
				digits++;
			}
		}
		if (digits > 0 && p < e && (*p == 'e' || *p == 'E')) {
			p++;
			if (p < e && (*p == '-' || *p == '+'))
				p++;
			if (p == e || *p < '0' || *p > '9')
				digits = 0;
			while (p < e && *p >= '0' && *p <= '9')
				p++;
		}
		if (digits > 0 && p == e) {
			char *t = strndup(s, n);
			double d;

			if (t == NULL)
				oom();
			d = strtod(t, NULL);
			free(t);
			return jdouble(s, n, d);
		}
	}
	return json_object_new_string_len(s, (int)n);
}

/*
 * Collects a flow collection or quoted scalar that starts in rest and may
 * go on over the next lines (each more indented than n), into one string
 * where '\n' marks line breaks. Comments outside quotes are dropped. NULL
 * on error (unclosed, or something other than a comment after the end).
 */
static char *
gather(struct fm *f, const char *rest, int n)
{
	struct buf b;
	const char *s = rest;
	int depth = 0;
	char q = 0;

	buf_init(&b, f->a);
	for (;;) {
		size_t j;

		for (j = 0; s[j] != '\0'; j++) {
			char c = s[j];

			if (q == '"') {
				buf_addc(&b, c);
				if (c == '\\' && s[j + 1] != '\0')
					buf_addc(&b, s[++j]);
				else if (c == '"')
					q = 0;
			} else if (q == '\'') {
				buf_addc(&b, c);
				if (c == '\'' && s[j + 1] == '\'')
					buf_addc(&b, s[++j]);
				else if (c == '\'')
					q = 0;
			} else if (c == '#' && (j == 0 || is_space(s[j - 1])))
				break;
			else {
				buf_addc(&b, c);
				if (c == '"' || c == '\'')
					q = c;
				else if (c == '[' || c == '{')
					depth++;
				else if (c == ']' || c == '}') {
					if (--depth < 0)
						return NULL;
				}
			}
			if (q == 0 && depth == 0)
				return only_comment(s + j + 1) ? b.data : NULL;
		}
		/* Not closed on this line: the next one continues it. */
		if (f->i >= f->nl)
			return NULL;
		if (!f->l[f->i].blank && f->l[f->i].indent <= n)
			return NULL;
		s = f->l[f->i].blank ? "" : f->l[f->i].s;
		f->i++;
		trim_buf(&b);
		buf_addc(&b, '\n');
	}
}

static void
skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n')
		(*p)++;
}

/* A plain scalar inside a flow collection, up to , [ ] { } or ": ";
 * with key, its text into *keyout instead of a value. */
static json_object *
flow_plain(struct fm *f, const char **pp, bool key, char **keyout)
{
	const char *p = *pp, *start = p;
	size_t n;

	if (strchr("&*!|>%@`#", *p) != NULL) {
		f->err = true;
		return NULL;
	}
	while (*p != '\0' && strchr(",[]{}", *p) == NULL) {
		if (*p == ':' && (p[1] == ' ' || p[1] == '\n' ||
		    p[1] == '\0' || strchr(",[]{}", p[1]) != NULL))
			break;
		p++;
	}
	n = (size_t)(p - start);
	while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\n' ||
	    start[n - 1] == '\t'))
		n--;
	*pp = p;
	if (key) {
		*keyout = arena_strndup(f->a, start, n);
		return NULL;
	}
	if (memchr(start, '\n', n) != NULL) {
		/* A plain scalar over lines: breaks fold to spaces. */
		char *t = arena_strndup(f->a, start, n), *c;

		for (c = t; *c != '\0'; c++)
			if (*c == '\n')
				*c = ' ';
		return resolve(t, n);
	}
	return resolve(start, n);
}

/* A flow mapping's key at *pp (quoted or plain) into *keyout. */
static void
flow_key(struct fm *f, const char **pp, char **keyout)
{
	if (**pp == '"' || **pp == '\'') {
		if ((*keyout = quoted(f, pp)) == NULL)
			f->err = true;
		return;
	}
	(void)flow_plain(f, pp, true, keyout);
}

static json_object *
flow_node(struct fm *f, const char **pp, bool in_seq)
{
	const char *p;
	json_object *o, *v;

	skip_ws(pp);
	p = *pp;
	if (++f->depth > MAX_DEPTH) {
		f->err = true;
		return NULL;
	}
	if (*p == '[') {
		o = jarr();
		p++;
		for (;;) {
			skip_ws(&p);
			if (*p == ']') {
				p++;
				break;
			}
			v = flow_node(f, &p, true);
			if (f->err)
				break;
			json_object_array_add(o, v);
			skip_ws(&p);
			if (*p == ',')
				p++;
			else if (*p != ']') {
				f->err = true;
				break;
			}
		}
	} else if (*p == '{') {
		o = jobj();
		p++;
		for (;;) {
			char *key = NULL;

			skip_ws(&p);
			if (*p == '}') {
				p++;
				break;
			}
			flow_key(f, &p, &key);
			if (f->err || key == NULL) {
				f->err = true;
				break;
			}
			skip_ws(&p);
			v = NULL;
			if (*p == ':') {
				p++;
				skip_ws(&p);
				if (*p != ',' && *p != '}')
					v = flow_node(f, &p, false);
				if (f->err)
					break;
			}
			jset(o, key, v);
			skip_ws(&p);
			if (*p == ',')
				p++;
			else if (*p != '}') {
				f->err = true;
				break;
			}
		}
	} else if (*p == '"' || *p == '\'') {
		char *s = quoted(f, &p);

		o = s == NULL ? NULL : jstr(s);
		if (s == NULL)
			f->err = true;
	} else
		o = flow_plain(f, &p, false, NULL);
	f->depth--;
	if (!f->err && in_seq) {
		/* "[a: b]" (a pair in a sequence) is not read. */
		const char *t = p;

		skip_ws(&t);
		if (*t == ':')
			f->err = true;
	}
	*pp = p;
	if (f->err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * A block scalar (| or >) whose header is hdr, its lines those after the
 * current one that are blank or indented more than n.
 */
static json_object *
block_scalar(struct fm *f, const char *hdr, int n)
{
	char style = *hdr++, chomp = 'c';
	int ci = -1, m = 0, cap = 16, k, trailing;
	const char **lines;
	struct buf b;

	for (; *hdr == '-' || *hdr == '+' || (*hdr >= '1' && *hdr <= '9');
	    hdr++) {
		if (*hdr == '-' || *hdr == '+')
			chomp = *hdr;
		else
			ci = n + (*hdr - '0');
	}
	/* Then nothing, or spaces and maybe a comment. */
	if ((*hdr != '\0' && !is_space(*hdr)) || !only_comment(hdr)) {
		f->err = true;
		return NULL;
	}
	if (ci < 0) {
		size_t j;

		for (j = f->i; j < f->nl && f->l[j].blank; j++)
			;
		ci = j < f->nl && f->l[j].indent > n ? f->l[j].indent : n + 1;
	}
	lines = arena_alloc(f->a, (size_t)cap * sizeof(*lines));
	while (f->i < f->nl) {
		const struct line *l = &f->l[f->i];
		const char *t;

		if (l->blank)
			t = "";
		else if (l->indent >= ci) {
			/* Spaces beyond the content indent are content. */
			t = arena_printf(f->a, "%*s%s", l->indent - ci, "",
			    l->s);
		} else
			break;
		if (m == cap) {
			const char **bigger = arena_alloc(f->a, (size_t)cap *
			    2 * sizeof(*bigger));

			memcpy(bigger, lines, (size_t)m * sizeof(*lines));
			lines = bigger;
			cap *= 2;
		}
		lines[m++] = t;
		f->i++;
	}
	for (trailing = 0; trailing < m && *lines[m - 1 - trailing] == '\0';
	    trailing++)
		;
	m -= trailing;
	buf_init(&b, f->a);
	if (style == '|') {
		for (k = 0; k < m; k++) {
			if (k > 0)
				buf_addc(&b, '\n');
			buf_adds(&b, lines[k]);
		}
	} else {
		/* Folding: a break between two text lines is a space; e
		 * empty lines between them are e newlines; breaks next to
		 * more indented lines stay. */
		for (k = 0; k < m && *lines[k] == '\0'; k++)
			buf_addc(&b, '\n');
		if (k < m)
			buf_adds(&b, lines[k++]);
		while (k < m) {
			int e = 0, j;
			bool more;

			while (*lines[k + e] == '\0')
				e++;	/* lines[m - 1] is not empty */
			more = is_space(*lines[k - 1]) ||
			    is_space(*lines[k + e]);
			if (e == 0)
				buf_addc(&b, more ? '\n' : ' ');
			for (j = 0; j < e + (more && e > 0); j++)
				buf_addc(&b, '\n');
			buf_adds(&b, lines[k + e]);
			k += e + 1;
		}
	}
	if (m > 0 && chomp != '-')
		buf_addc(&b, '\n');
	if (chomp == '+')
		for (k = 0; k < trailing; k++)
			buf_addc(&b, '\n');
	return jstr(b.data);
}

/*
 * The value after "key:" or "- " (rest), on a line at indent n: inline,
 * or a block below. in_map: a sequence may then sit at indent n itself.
 */
static json_object *
parse_value(struct fm *f, const char *rest, int n, bool in_map)
{
	const struct line *next;

	while (is_space(*rest))
		rest++;
	if (only_comment(rest)) {
		skip_empty(f);
		if (f->i >= f->nl)
			return NULL;
		next = &f->l[f->i];
		if (next->indent > n || (in_map && next->indent == n &&
		    is_seq_item(next->s)))
			return parse_block(f, next->indent);
		return NULL;
	}
	if (*rest == '|' || *rest == '>')
		return block_scalar(f, rest, n);
	if (strchr("&*!%@`", *rest) != NULL) {
		f->err = true;
		return NULL;
	}
	if (*rest == '[' || *rest == '{' || *rest == '"' || *rest == '\'') {
		char *text = gather(f, rest, n);
		const char *p = text;
		json_object *o;

		if (text == NULL) {
			f->err = true;
			return NULL;
		}
		o = flow_node(f, &p, false);
		skip_ws(&p);
		if (!f->err && *p != '\0')
			f->err = true;
		if (f->err) {
			json_object_put(o);
			return NULL;
		}
		return o;
	}
	/* A plain scalar, maybe continued on more indented lines. */
	{
		struct buf b;
		size_t blanks = 0;
		const char *dummy;
		char *key;

		buf_init(&b, f->a);
		buf_add(&b, rest, plain_len(rest));
		if (plain_len(rest) == strlen(rest)) {
			while (f->i < f->nl) {
				const struct line *l = &f->l[f->i];

				if (l->blank) {
					blanks++;
					f->i++;
					continue;
				}
				if (l->indent <= n || l->s[0] == '#')
					break;
				if (map_entry(f, l->s, &key, &dummy)) {
					/* "a: x\n  b: y": YAML refuses it */
					f->err = true;
					return NULL;
				}
				if (blanks > 0)
					while (blanks-- > 0)
						buf_addc(&b, '\n');
				else
					buf_addc(&b, ' ');
				blanks = 0;
				buf_add(&b, l->s, plain_len(l->s));
				f->i++;
				if (plain_len(l->s) != strlen(l->s))
					break;	/* a comment ends it */
			}
		}
		return resolve(b.data, b.len);
	}
}

/*
 * If s starts a mapping entry ("key:" then a space or the end), its key
 * into *key and the text after the ':' into *rest; else false.
 */
static bool
map_entry(struct fm *f, const char *s, char **key, const char **rest)
{
	const char *p = s;

	if (*s == '"' || *s == '\'') {
		char *k;

		if ((k = quoted(f, &p)) == NULL)
			return false;
		while (is_space(*p))
			p++;
		if (*p != ':' || (p[1] != '\0' && !is_space(p[1])))
			return false;
		*key = k;
		*rest = p + 1;
		return true;
	}
	if (is_seq_item(s) || strchr("[{#&*!|>%@`?", *s) != NULL)
		return false;
	for (; *p != '\0'; p++) {
		if (*p == '#' && p > s && is_space(p[-1]))
			return false;
		if (*p == ':' && (p[1] == '\0' || is_space(p[1]))) {
			size_t n = (size_t)(p - s);

			while (n > 0 && is_space(s[n - 1]))
				n--;
			*key = arena_strndup(f->a, s, n);
			*rest = p + 1;
			return true;
		}
	}
	return false;
}

static json_object *
parse_map(struct fm *f, int n)
{
	json_object *o = jobj();

	for (;;) {
		struct line *l;
		const char *rest;
		char *key;
		json_object *v;

		skip_empty(f);
		if (f->i >= f->nl || f->l[f->i].indent < n)
			break;
		l = &f->l[f->i];
		if (l->indent > n || !map_entry(f, l->s, &key, &rest)) {
			f->err = true;
			break;
		}
		f->i++;
		v = parse_value(f, rest, n, true);
		if (f->err) {
			json_object_put(v);
			break;
		}
		jset(o, key, v);
	}
	if (f->err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *
parse_seq(struct fm *f, int n)
{
	json_object *a = jarr();

	for (;;) {
		struct line *l;
		const char *content;
		const char *dummy;
		char *key;
		json_object *v;
		int off;

		skip_empty(f);
		if (f->i >= f->nl || f->l[f->i].indent < n)
			break;
		l = &f->l[f->i];
		if (!is_seq_item(l->s)) {
			/* The parent mapping goes on at this indent. */
			if (l->indent > n)
				f->err = true;
			break;
		}
		if (l->indent > n) {
			f->err = true;
			break;
		}
		for (off = 1; is_space(l->s[off]); off++)
			;
		content = l->s + off;
		if (only_comment(content)) {
			f->i++;
			v = parse_value(f, "", n, false);
		} else if (is_seq_item(content) ||
		    map_entry(f, content, &key, &dummy)) {
			/* A nested node starts on the item's own line: the
			 * line now begins where that node does. */
			l->indent = n + off;
			l->s = content;
			v = parse_block(f, l->indent);
		} else {
			f->i++;
			v = parse_value(f, content, n, false);
		}
		if (f->err) {
			json_object_put(v);
			break;
		}
		json_object_array_add(a, v);
	}
	if (f->err) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

/* The block node whose first line is the current one, at indent n. */
static json_object *
parse_block(struct fm *f, int n)
{
	const char *rest;
	char *key;
	json_object *o;

	if (++f->depth > MAX_DEPTH) {
		f->err = true;
		return NULL;
	}
	if (is_seq_item(f->l[f->i].s))
		o = parse_seq(f, n);
	else if (map_entry(f, f->l[f->i].s, &key, &rest))
		o = parse_map(f, n);
	else {
		/* A scalar alone on its lines, below its key. */
		const char *s = f->l[f->i].s;

		f->i++;
		o = parse_value(f, s, n - 1, false);
	}
	f->depth--;
	return o;
}

/* Splits the front matter's text into lines; -1 for a tab in indentation
 * or a NUL byte. */
static int
split_lines(struct fm *f, const char *s, size_t len)
{
	size_t cap = 64, i = 0;

	f->l = arena_alloc(f->a, cap * sizeof(*f->l));
	f->nl = 0;
	while (i < len) {
		const char *e = memchr(s + i, '\n', len - i);
		size_t n = e ? (size_t)(e - (s + i)) : len - i;
		size_t next = i + n + (e ? 1 : 0);
		struct line *l;
		size_t k = 0;

		if (n > 0 && s[i + n - 1] == '\r')
			n--;
		if (f->nl == cap) {
			struct line *bigger = arena_alloc(f->a, 2 * cap *
			    sizeof(*bigger));

			memcpy(bigger, f->l, cap * sizeof(*bigger));
			f->l = bigger;
			cap *= 2;
		}
		l = &f->l[f->nl++];
		while (k < n && s[i + k] == ' ')
			k++;
		l->indent = (int)k;
		l->s = arena_strndup(f->a, s + i + k, n - k);
		if (strlen(l->s) != n - k)
			return -1;
		l->blank = true;
		for (; k < n; k++)
			if (!is_space(s[i + k]))
				l->blank = false;
		if (!l->blank && l->s[0] == '\t')
			return -1;
		i = next;
	}
	return 0;
}

/* Whether s[0..n) is a line of three dashes (or dots), maybe then spaces. */
static bool
marker(const char *s, size_t n, const char *m)
{
	size_t k;

	if (n < 3 || strncmp(s, m, 3) != 0)
		return false;
	for (k = 3; k < n; k++)
		if (!is_space(s[k]) && s[k] != '\r')
			return false;
	return true;
}

json_object *
frontmatter_parse(struct arena *a, const char *text, size_t len)
{
	struct fm f;
	const char *body, *p, *end;
	size_t blen;
	json_object *o;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3;
		len -= 3;
	}
	p = memchr(text, '\n', len);
	if (p == NULL || !marker(text, (size_t)(p - text), "---"))
		return NULL;
	body = p + 1;
	end = text + len;
	/* The closing line: "---" (or "...") alone. */
	for (p = body; p < end; ) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t n = e ? (size_t)(e - p) : (size_t)(end - p);

		if (marker(p, n, "---") || marker(p, n, "..."))
			break;
		p = e ? e + 1 : end;
	}
	if (p >= end)
		return NULL;
	blen = (size_t)(p - body);
	if (blen > FRONTMATTER_MAX)
		return NULL;
	memset(&f, 0, sizeof(f));
	f.a = a;
	if (split_lines(&f, body, blen) != 0)
		return NULL;
	skip_empty(&f);
	if (f.i >= f.nl)
		return NULL;
	o = parse_block(&f, f.l[f.i].indent);
	skip_empty(&f);
	if (f.err || f.i < f.nl || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
