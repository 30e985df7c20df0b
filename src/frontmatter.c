/*
 * frontmatter.c: a README's front matter read as huggingface_hub reads
 * it, PyYAML's safe_load: YAML 1.1 with its implicit types (yes/no/on/off
 * are booleans, 010 is octal, 1:30 is 90, 1e3 is a string), anchors,
 * aliases and merge keys, the core tags. The parsing is libyaml's event
 * parser (the C half of PyYAML); what PyYAML's composer, resolver and
 * safe constructor add is here, checked against PyYAML itself by the
 * vectors of tests/vectors/frontmatter.
 *
 * Bounds: FRONTMATTER_MAX bytes, MAX_DEPTH nesting, MAX_NODES values once
 * aliases are expanded (what a JSON answer would hold: a "billion laughs"
 * of aliases is refused, not built).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "frontmatter.h"

#define MAX_DEPTH	64
#define MAX_NODES	100000

#define TAG(t)		"tag:yaml.org,2002:" t

struct anchor {
	const char	*name;
	json_object	*o;
	size_t		 size;		/* values in it, aliases expanded */
};

struct yp {
	yaml_parser_t	 p;
	struct arena	*a;
	struct anchor	*anch;
	size_t		 nanch, capanch;
	size_t		 nodes;
	int		 depth;
};

static int	node(struct yp *, yaml_event_t *, json_object **, size_t *);

static int
next(struct yp *y, yaml_event_t *ev)
{
	return yaml_parser_parse(&y->p, ev) ? 0 : -1;
}

/* Counts n more values; -1 past MAX_NODES. */
static int
count(struct yp *y, size_t n)
{
	if (n > MAX_NODES || y->nodes + n > MAX_NODES)
		return -1;
	y->nodes += n;
	return 0;
}

/* Registers a node under its anchor; a second anchor of that name is an
 * error in PyYAML's composer. */
static int
anchor_add(struct yp *y, const yaml_char_t *name, json_object *o,
    size_t size)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < y->nanch; i++)
		if (!strcmp(y->anch[i].name, (const char *)name))
			return -1;
	if (y->nanch == y->capanch) {
		struct anchor *v;

		y->capanch = y->capanch ? 2 * y->capanch : 16;
		v = arena_alloc(y->a, y->capanch * sizeof(*v));
		if (y->nanch)
			memcpy(v, y->anch, y->nanch * sizeof(*v));
		y->anch = v;
	}
	y->anch[y->nanch].name = arena_strdup(y->a, (const char *)name);
	y->anch[y->nanch].o = json_object_get(o);
	y->anch[y->nanch++].size = size;
	return 0;
}

/* s[0..n) without its '_' separators, NUL-terminated, in the arena. */
static char *
digits(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1), *p = d;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '_')
			*p++ = s[i];
	*p = '\0';
	return d;
}

static bool
all_of(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(set, s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

/* (:[0-5]?[0-9])+ from s[0..n): each part one or two digits, under 60. */
static bool
sexagesimal_tail(const char *s, size_t n)
{
	size_t i = 0, k;

	if (n == 0)
		return false;
	while (i < n) {
		if (s[i++] != ':')
			return false;
		for (k = 0; i < n && isdigit((unsigned char)s[i]); i++, k++)
			;
		if (k == 0 || k > 2 || (k == 2 && s[i - 2] > '5'))
			return false;
	}
	return true;
}

/* The value of base-60 parts "a:b:c" (the first part any digits). */
static double
base60(const char *s)
{
	double v = 0;

	for (;;) {
		v = v * 60 + strtod(s, NULL);
		if ((s = strchr(s, ':')) == NULL)
			return v;
		s++;
	}
}

/*
 * PyYAML's int: [-+]? then 0b[01_]+ | 0[0-7_]+ | 0 | [1-9][0-9_]* |
 * 0x[0-9a-fA-F_]+ | [1-9][0-9_]*(:[0-5]?[0-9])+. 1 with *out, 0 when s
 * is no int, -1 when it matches but holds no digits ("0b_").
 */
static int
plain_int(struct arena *a, const char *s, size_t n, json_object **out)
{
	size_t i = 0, k;
	bool neg = false;
	const char *b;
	char *d, *end;
	int base = 10;
	long long v;

	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	b = s + i;
	k = n - i;
	if (k > 2 && b[0] == '0' && b[1] == 'b' && all_of(b + 2, k - 2, "01_"))
		base = 2, b += 2, k -= 2;
	else if (k > 2 && b[0] == '0' && b[1] == 'x' &&
	    all_of(b + 2, k - 2, "0123456789abcdefABCDEF_"))
		base = 16, b += 2, k -= 2;
	else if (k > 1 && b[0] == '0' && all_of(b + 1, k - 1, "01234567_"))
		base = 8;	/* "0_" is 0, as PyYAML reads it */
	else if (k == 1 && b[0] == '0')
		;
	else if (k > 0 && b[0] >= '1' && b[0] <= '9') {
		size_t j = strspn(b, "0123456789_");

		if (j > k)
			j = k;
		if (j < k) {
			double sv;

			if (!sexagesimal_tail(b + j, k - j))
				return 0;
			sv = base60(digits(a, b, k));
			*out = fabs(sv) < 9.2e18 ? json_object_new_int64(
			    (int64_t)(neg ? -sv : sv)) :
			    json_object_new_double(neg ? -sv : sv);
			return 1;
		}
	} else
		return 0;
	d = digits(a, b, k);
	if (*d == '\0')
		return -1;
	errno = 0;
	v = strtoll(d, &end, base);
	if (errno == ERANGE) {
		/* beyond int64: JSON's number, as near as a double is */
		double dv = strtod(d, NULL);

		*out = json_object_new_double(neg ? -dv : dv);
		return 1;
	}
	*out = json_object_new_int64(neg ? -v : v);
	return 1;
}

/*
 * A JSON number for v written as Python writes a float: the shortest
 * text that reads back as v, with a '.' or an exponent (0.91, not
 * json-c's 0.91000000000000003; 3.0, not 3).
 */
static json_object *
double_of(struct arena *a, double v)
{
	char buf[40];
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof(buf), "%.17g", v);
	if (strpbrk(buf, ".e") == NULL)
		strcat(buf, ".0");
	return json_object_new_double_s(v, arena_strdup(a, buf));
}

/*
 * PyYAML's float: [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? |
 * \.[0-9][0-9_]*([eE][-+][0-9]+)? | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
 * | [-+]?\.inf | \.nan (three spellings each). 1 with *out, 0 when s is
 * no float, -1 for infinity and NaN (which JSON cannot say).
 */
static int
plain_float(struct arena *a, const char *s, size_t n, json_object **out)
{
	size_t i = 0, j;
	bool sign = false, lead;
	char *d;

	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		sign = true, i = 1;
	if ((n - i == 4 && (!strncmp(s + i, ".inf", 4) ||
	    !strncmp(s + i, ".Inf", 4) || !strncmp(s + i, ".INF", 4))) ||
	    (!sign && n == 4 && (!strncmp(s, ".nan", 4) ||
	    !strncmp(s, ".NaN", 4) || !strncmp(s, ".NAN", 4))))
		return -1;
	lead = i < n && isdigit((unsigned char)s[i]);
	if (!lead && (sign || i >= n || s[i] != '.' || i + 1 >= n ||
	    !isdigit((unsigned char)s[i + 1])))
		return 0;
	for (j = i; j < n && (isdigit((unsigned char)s[j]) || s[j] == '_');
	    j++)
		;
	if (lead && j < n && s[j] == ':') {
		size_t c = j;

		while (c < n && s[c] != '.')
			c++;
		if (c == n || !sexagesimal_tail(s + j, c - j) ||
		    !all_of(s + c + 1, n - c - 1, "0123456789_"))
			return 0;
		d = digits(a, s + i, n - i);
		*out = double_of(a, (s[0] == '-' ? -1 : 1) * base60(d));
		return 1;
	}
	if (j >= n || s[j] != '.')
		return 0;
	for (j++; j < n && (isdigit((unsigned char)s[j]) || s[j] == '_'); j++)
		;
	if (j < n) {
		if ((s[j] != 'e' && s[j] != 'E') || j + 2 >= n ||
		    (s[j + 1] != '-' && s[j + 1] != '+') ||
		    !all_of(s + j + 2, n - j - 2, "0123456789"))
			return 0;
	}
	d = digits(a, s, n);
	*out = double_of(a, strtod(d, NULL));
	return 1;
}

static bool
is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static bool
is_null(const char *s, size_t n)
{
	return n == 0 || is(s, n, "~") || is(s, n, "null") ||
	    is(s, n, "Null") || is(s, n, "NULL");
}

/* PyYAML's booleans: 1 true, 0 false, -1 none of them. */
static int
bool_of(const char *s, size_t n)
{
	static const char *const t[] = { "yes", "Yes", "YES", "true", "True",
	    "TRUE", "on", "On", "ON", NULL };
	static const char *const f[] = { "no", "No", "NO", "false", "False",
	    "FALSE", "off", "Off", "OFF", NULL };
	size_t i;

	for (i = 0; t[i] != NULL; i++)
		if (is(s, n, t[i]))
			return 1;
	for (i = 0; f[i] != NULL; i++)
		if (is(s, n, f[i]))
			return 0;
	return -1;
}

/* A plain scalar resolved as PyYAML's SafeLoader does; -1 on error. */
static int
plain(struct arena *a, const char *s, size_t n, json_object **out)
{
	int rc;

	*out = NULL;
	if (is_null(s, n))
		return 0;
	if ((rc = bool_of(s, n)) >= 0) {
		*out = json_object_new_boolean(rc);
		return 0;
	}
	if (is(s, n, "="))
		return -1;	/* tag:yaml.org,2002:value: safe_load has none */
	if ((rc = plain_float(a, s, n, out)) != 0 ||
	    (rc = plain_int(a, s, n, out)) != 0)
		return rc < 0 ? -1 : 0;
	/* timestamps stay text, and so does everything else */
	*out = json_object_new_string_len(s, (int)n);
	return 0;
}

/* A scalar with an explicit core tag, as the safe constructor builds it. */
static int
tagged(struct arena *a, const char *tag, const char *s, size_t n,
    json_object **out)
{
	int rc;

	*out = NULL;
	if (!strcmp(tag, "!") || !strcmp(tag, TAG("str")) ||
	    !strcmp(tag, TAG("timestamp"))) {
		*out = json_object_new_string_len(s, (int)n);
		return 0;
	}
	if (!strcmp(tag, TAG("null")))
		return 0;
	if (!strcmp(tag, TAG("bool"))) {
		char *l = arena_strndup(a, s, n), *p;

		for (p = l; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		if ((rc = bool_of(l, n)) < 0)
			return -1;
		*out = json_object_new_boolean(rc);
		return 0;
	}
	if (!strcmp(tag, TAG("int"))) {
		if (plain_int(a, s, n, out) != 1)
			return -1;
		return 0;
	}
	if (!strcmp(tag, TAG("float"))) {
		char *d, *end;
		double v;

		/* float(value): any decimal, an int among them */
		if (plain_float(a, s, n, out) == 1)
			return 0;
		d = digits(a, s, n);
		errno = 0;
		v = strtod(d, &end);
		if (*d == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
			return -1;
		*out = double_of(a, v);
		return 0;
	}
	return -1;	/* binary, set, omap, python/..., a local tag */
}

/* A mapping key as JSON names it (json.dumps' spelling); NULL for a
 * key PyYAML cannot hash (a list or a mapping). */
static char *
key_text(struct arena *a, json_object *k)
{
	switch (json_object_get_type(k)) {
	case json_type_null:
		return arena_strdup(a, "null");
	case json_type_string:
		return arena_strndup(a, json_object_get_string(k),
		    (size_t)json_object_get_string_len(k));
	case json_type_boolean:
	case json_type_int:
	case json_type_double:
		return arena_strdup(a, json_object_to_json_string_ext(k,
		    JSON_C_TO_STRING_PLAIN));
	default:
		return NULL;
	}
}

/* Copies the pairs of mapping m into o, but keys o has already. */
static void
merge_into(json_object *o, json_object *m)
{
	json_object_object_foreach(m, k, v)
		if (!json_object_object_get_ex(o, k, NULL))
			json_object_object_add(o, k, json_object_get(v));
}

static int
mapping(struct yp *y, json_object **out, size_t *size)
{
	json_object *o = json_object_new_object(), *merges[64];
	size_t nmerge = 0, i;
	yaml_event_t ev;
	int rc = -1;

	*size = 1;
	for (;;) {
		json_object *k = NULL, *v = NULL;
		size_t ks, vs;
		bool is_merge;
		char *name;

		if (next(y, &ev) != 0)
			goto out;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		is_merge = ev.type == YAML_SCALAR_EVENT &&
		    ev.data.scalar.plain_implicit && ev.data.scalar.tag == NULL &&
		    ev.data.scalar.length == 2 &&
		    !memcmp(ev.data.scalar.value, "<<", 2);
		if (node(y, &ev, &k, &ks) != 0)
			goto out;
		if (next(y, &ev) != 0 || node(y, &ev, &v, &vs) != 0) {
			json_object_put(k);
			goto out;
		}
		*size += vs;
		if (is_merge) {
			json_object_put(k);
			/* a mapping, or a list of them, earlier ones first */
			if (json_object_is_type(v, json_type_object) &&
			    nmerge < 64)
				merges[nmerge++] = v;
			else if (json_object_is_type(v, json_type_array) &&
			    nmerge + json_object_array_length(v) <= 64) {
				size_t m, len = json_object_array_length(v);

				for (m = 0; m < len; m++) {
					json_object *x = json_object_array_get_idx(
					    v, m);

					if (!json_object_is_type(x,
					    json_type_object)) {
						json_object_put(v);
						goto out;
					}
					merges[nmerge++] = json_object_get(x);
				}
				json_object_put(v);
			} else {
				json_object_put(v);
				goto out;
			}
			continue;
		}
		if ((name = key_text(y->a, k)) == NULL) {
			json_object_put(k);
			json_object_put(v);
			goto out;
		}
		json_object_put(k);
		/* a key given twice: the last one wins, as in a dict */
		json_object_object_add(o, name, v);
	}
	/* explicit keys win over merged ones, earlier merges over later */
	for (i = 0; i < nmerge; i++)
		merge_into(o, merges[i]);
	*out = o;
	o = NULL;
	rc = 0;
out:
	for (i = 0; i < nmerge; i++)
		json_object_put(merges[i]);
	json_object_put(o);
	return rc;
}

static int
sequence(struct yp *y, json_object **out, size_t *size)
{
	json_object *o = json_object_new_array(), *v;
	yaml_event_t ev;
	size_t vs;

	*size = 1;
	for (;;) {
		if (next(y, &ev) != 0)
			break;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			*out = o;
			return 0;
		}
		if (node(y, &ev, &v, &vs) != 0)
			break;
		*size += vs;
		json_object_array_add(o, v);
	}
	json_object_put(o);
	return -1;
}

/* The node that starts with event ev (deleted here), into a new *out. */
static int
node(struct yp *y, yaml_event_t *ev, json_object **out, size_t *size)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	int rc = -1;
	size_t i;

	*out = NULL;
	*size = 1;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		for (i = 0; i < y->nanch; i++)
			if (!strcmp(y->anch[i].name,
			    (const char *)ev->data.alias.anchor))
				break;
		if (i < y->nanch && count(y, y->anch[i].size) == 0) {
			*out = json_object_get(y->anch[i].o);
			*size = y->anch[i].size;
			rc = 0;
		}
		yaml_event_delete(ev);
		return rc;
	case YAML_SCALAR_EVENT: {
		const char *s = (const char *)ev->data.scalar.value;
		size_t n = ev->data.scalar.length;

		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		if (count(y, 1) != 0)
			rc = -1;
		else if (tag != NULL)
			rc = tagged(y->a, (const char *)tag, s, n, out);
		else if (ev->data.scalar.plain_implicit)
			rc = plain(y->a, s, n, out);
		else {
			*out = json_object_new_string_len(s, (int)n);
			rc = 0;
		}
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;

		anchor = seq ? ev->data.sequence_start.anchor :
		    ev->data.mapping_start.anchor;
		tag = seq ? ev->data.sequence_start.tag :
		    ev->data.mapping_start.tag;
		if ((tag != NULL && strcmp((const char *)tag, "!") != 0 &&
		    strcmp((const char *)tag, seq ? TAG("seq") : TAG("map")) !=
		    0) || ++y->depth > MAX_DEPTH || count(y, 1) != 0)
			break;
		/* the anchor's name outlives the event */
		anchor = anchor != NULL ? (const yaml_char_t *)arena_strdup(
		    y->a, (const char *)anchor) : NULL;
		yaml_event_delete(ev);
		rc = seq ? sequence(y, out, size) : mapping(y, out, size);
		y->depth--;
		if (rc == 0 && anchor_add(y, anchor, *out, *size) != 0) {
			json_object_put(*out);
			*out = NULL;
			rc = -1;
		}
		return rc;
	}
	default:
		break;
	}
	if (rc == 0 && anchor_add(y, anchor, *out, *size) != 0) {
		json_object_put(*out);
		*out = NULL;
		rc = -1;
	}
	yaml_event_delete(ev);
	return rc;
}

/* One document of YAML text as JSON; 0, or -1 when it is no YAML. */
static int
document(struct yp *y, const char *text, size_t len, json_object **out)
{
	yaml_event_t ev;
	size_t size;
	int rc = -1;

	*out = NULL;
	yaml_parser_set_input_string(&y->p, (const unsigned char *)text, len);
	if (next(y, &ev) != 0)
		return -1;
	yaml_event_delete(&ev);			/* the stream's start */
	if (next(y, &ev) != 0)
		return -1;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);		/* nothing: null */
		return 0;
	}
	yaml_event_delete(&ev);			/* the document's start */
	if (next(y, &ev) != 0 || node(y, &ev, out, &size) != 0)
		goto fail;
	if (next(y, &ev) != 0)
		goto fail;
	yaml_event_delete(&ev);			/* the document's end */
	if (next(y, &ev) != 0)
		goto fail;
	/* safe_load reads a single document */
	rc = ev.type == YAML_STREAM_END_EVENT ? 0 : -1;
	yaml_event_delete(&ev);
	if (rc == 0)
		return 0;
fail:
	json_object_put(*out);
	*out = NULL;
	return -1;
}

/* Whether s[0..n) is a line of three dashes (or dots), maybe then spaces. */
static bool
marker(const char *s, size_t n, const char *m)
{
	size_t k;

	if (n < 3 || strncmp(s, m, 3) != 0)
		return false;
	for (k = 3; k < n; k++)
		if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r')
			return false;
	return true;
}

json_object *
frontmatter_parse(struct arena *a, const char *text, size_t len)
{
	struct yp y;
	const char *body, *p, *end;
	json_object *o;
	size_t blen, i;
	int rc;

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
	memset(&y, 0, sizeof(y));
	y.a = a;
	if (!yaml_parser_initialize(&y.p))
		return NULL;
	rc = document(&y, body, blen, &o);
	yaml_parser_delete(&y.p);
	for (i = 0; i < y.nanch; i++)
		json_object_put(y.anch[i].o);
	if (rc != 0 || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
