/*
 * mirror_json.c: the parsers of upstream's answers. json-c reads the
 * bytes (depth-limited); every value kept is checked here: ids are exact
 * hex, names pass the rules local ones pass, counts and sizes are bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "commit.h"
#include "hex.h"
#include "jsonutil.h"
#include "mirror_json.h"
#include "repo.h"

#define DEPTH_MAX	16	/* upstream's answers nest 4 deep */

#define FAIL(...)	do { snprintf(err, errlen, __VA_ARGS__); \
	goto fail; } while (0)

static void
release(void *o)
{
	json_object_put(o);
}

/* The whole body as one JSON value of the given type, freed at the
 * arena's reset; NULL when it is not. */
static json_object *
parse(struct arena *a, const char *body, size_t len, json_type type)
{
	struct json_tokener *tok;
	json_object *o;
	size_t end;

	if (len > MIRROR_BODY_MAX || (tok = json_tokener_new_ex(DEPTH_MAX)) ==
	    NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, body, (int)len);
	end = o != NULL ? json_tokener_get_parse_end(tok) : 0;
	/* only blanks after the value (body need not end with a NUL) */
	while (end < len && strchr(" \t\r\n", body[end]) != NULL &&
	    body[end] != '\0')
		end++;
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    end != len ||
	    !json_object_is_type(o, type) || !json_text_valid(o))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	if (o != NULL)
		arena_on_reset(a, release, o);
	return o;
}

static json_object *
member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

static bool
hex_member(json_object *o, const char *key, unsigned char *out, size_t n)
{
	json_object *v = member(o, key, json_type_string);
	const char *s;

	if (v == NULL)
		return false;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != 2 * n ||
	    strspn(s, "0123456789abcdef") != 2 * n)
		return false;
	return hex_decode(out, n, s, 2 * n) == 0;
}

static bool
size_member(json_object *o, const char *key, uint64_t *out)
{
	json_object *v = member(o, key, json_type_int);
	int64_t n;

	if (v == NULL)
		return false;
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > MIRROR_SIZE_MAX)
		return false;
	*out = (uint64_t)n;
	return true;
}

static bool
bool_member(json_object *o, const char *key, bool dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return dflt;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	/* "gated": "auto" or "manual" is gated */
	return json_object_is_type(v, json_type_string) ? true : dflt;
}

int
mirror_parse_time(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, frac = 0, k = 0;
	char z[2];
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) > 40)
		return -1;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%1[Z]", &y, &mo, &d, &h,
	    &mi, &sec, &frac, z) == 8)
		k = 8;
	else if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%1[Z]", &y, &mo, &d, &h,
	    &mi, &sec, z) == 7) {
		frac = 0;
		k = 7;
	}
	if (k == 0 || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31 || h > 23 || mi > 59 || sec > 60 || frac < 0 ||
	    h < 0 || mi < 0 || sec < 0)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000 + frac;
	return 0;
}

int
mirror_parse_info(struct arena *a, const char *body, size_t len,
    struct up_info *out, char *err, size_t errlen)
{
	json_object *o, *v;

	memset(out, 0, sizeof(*out));
	if ((o = parse(a, body, len, json_type_object)) == NULL)
		FAIL("repo info: not a JSON object");
	if (!hex_member(o, "sha", out->sha.b, OID_LEN))
		FAIL("repo info: no 40-hex 'sha'");
	out->private_ = bool_member(o, "private", true);
	out->gated = bool_member(o, "gated", false);
	out->disabled = bool_member(o, "disabled", false);
	if ((v = member(o, "createdAt", json_type_string)) != NULL &&
	    mirror_parse_time(json_object_get_string(v), &out->created_ms) != 0)
		out->created_ms = 0;
	return 0;
fail:
	return -1;
}

/* A ref name git and khub would take. */
static bool
ref_ok(const char *s)
{
	return rev_valid(s) && strlen(s) <= 255 && strncmp(s, "refs/", 5) != 0;
}

int
mirror_parse_refs(struct arena *a, const char *body, size_t len,
    struct up_ref **v, size_t *n, char *err, size_t errlen)
{
	static const char *const kinds[] = { "branches", "tags" };
	json_object *o, *arr, *e, *name;
	size_t k, i, m, cap = *n;

	if ((o = parse(a, body, len, json_type_object)) == NULL)
		FAIL("refs: not a JSON object");
	for (k = 0; k < 2; k++) {
		if ((arr = member(o, kinds[k], json_type_array)) == NULL)
			FAIL("refs: no '%s' array", kinds[k]);
		m = json_object_array_length(arr);
		if (*n + m > MIRROR_REFS_MAX)
			FAIL("refs: more than %d", MIRROR_REFS_MAX);
		if (*n + m > cap) {
			struct up_ref *nv = arena_alloc(a, (*n + m) *
			    sizeof(*nv));

			if (*n > 0)
				memcpy(nv, *v, *n * sizeof(*nv));
			*v = nv;
			cap = *n + m;
		}
		for (i = 0; i < m; i++) {
			struct up_ref *r = &(*v)[*n];

			e = json_object_array_get_idx(arr, i);
			if (!json_object_is_type(e, json_type_object) ||
			    (name = member(e, "name", json_type_string)) ==
			    NULL || !ref_ok(json_object_get_string(name)))
				FAIL("refs: a %s entry without a valid name",
				    kinds[k]);
			if (!hex_member(e, "targetCommit", r->target.b,
			    OID_LEN))
				FAIL("refs: %s has no 40-hex targetCommit",
				    json_object_get_string(name));
			r->name = arena_strdup(a, json_object_get_string(name));
			r->tag = k == 1;
			(*n)++;
		}
	}
	return 0;
fail:
	return -1;
}

/* Grows *v to hold m more (arena arrays: copied, the old one dropped). */
static void *
grow(struct arena *a, void *v, size_t n, size_t m, size_t size)
{
	void *nv = arena_alloc(a, (n + m) * size);

	if (n > 0)
		memcpy(nv, v, n * size);
	return nv;
}

int
mirror_parse_tree(struct arena *a, const char *body, size_t len,
    struct up_entry **v, size_t *n, size_t max, char *err, size_t errlen)
{
	json_object *o, *e, *t, *p, *lfs;
	const char *type, *why;
	size_t i, m;

	if ((o = parse(a, body, len, json_type_array)) == NULL)
		FAIL("tree: not a JSON array");
	m = json_object_array_length(o);
	if (*n + m > max)
		FAIL("tree: more than %zu entries ([mirror] max_files)", max);
	*v = grow(a, *v, *n, m, sizeof(**v));
	for (i = 0; i < m; i++) {
		struct up_entry *u = &(*v)[*n];

		memset(u, 0, sizeof(*u));
		e = json_object_array_get_idx(o, i);
		if (!json_object_is_type(e, json_type_object) ||
		    (t = member(e, "type", json_type_string)) == NULL ||
		    (p = member(e, "path", json_type_string)) == NULL)
			FAIL("tree: an entry without type and path");
		type = json_object_get_string(t);
		if ((why = path_invalid(json_object_get_string(p))) != NULL)
			FAIL("tree: a path that %s", why);
		u->path = arena_strdup(a, json_object_get_string(p));
		if (!hex_member(e, "oid", u->oid.b, OID_LEN))
			FAIL("tree: %s has no 40-hex oid", u->path);
		if (!strcmp(type, "directory"))
			u->dir = true;
		else if (strcmp(type, "file") != 0)
			FAIL("tree: %s is a '%s'", u->path, type);
		else if (!size_member(e, "size", &u->size))
			FAIL("tree: %s has no valid size", u->path);
		if (!u->dir && (lfs = member(e, "lfs", json_type_object)) !=
		    NULL) {
			struct buf ptr;
			struct oid poid;
			uint64_t lsize;

			if (!hex_member(lfs, "oid", u->sha256, SHA256_LEN) ||
			    !size_member(lfs, "size", &lsize) ||
			    lsize != u->size)
				FAIL("tree: %s has bad LFS facts", u->path);
			/* the pointer's id is the oid: both say one thing */
			buf_init(&ptr, a);
			lfs_pointer(&ptr, u->sha256, lsize);
			git_blob_oid(&poid, ptr.data, ptr.len);
			if (!oid_eq(&poid, &u->oid))
				FAIL("tree: %s: its oid is not the blob id "
				    "of its LFS pointer", u->path);
			u->lfs = true;
		}
		(*n)++;
	}
	return 0;
fail:
	return -1;
}

int
mirror_parse_commits(struct arena *a, const char *body, size_t len,
    struct up_commit **v, size_t *n, size_t max, char *err, size_t errlen)
{
	json_object *o, *e, *t, *msg, *date, *au, *who, *user;
	size_t i, m;
	int64_t ms;

	if ((o = parse(a, body, len, json_type_array)) == NULL)
		FAIL("commits: not a JSON array");
	m = json_object_array_length(o);
	if (m > max - *n)
		m = max - *n;		/* older history is left out */
	*v = grow(a, *v, *n, m, sizeof(**v));
	for (i = 0; i < m; i++) {
		struct up_commit *c = &(*v)[*n];

		memset(c, 0, sizeof(*c));
		e = json_object_array_get_idx(o, i);
		if (!json_object_is_type(e, json_type_object) ||
		    !hex_member(e, "id", c->id.b, OID_LEN))
			FAIL("commits: an entry without a 40-hex id");
		if ((t = member(e, "title", json_type_string)) == NULL ||
		    strchr(json_object_get_string(t), '\n') != NULL ||
		    (msg = member(e, "message", json_type_string)) == NULL ||
		    (date = member(e, "date", json_type_string)) == NULL ||
		    mirror_parse_time(json_object_get_string(date), &ms) != 0)
			FAIL("commits: %s lacks a title, message or date",
			    oid_hex_a(a, &c->id));
		c->title = arena_strdup(a, json_object_get_string(t));
		c->message = arena_strdup(a, json_object_get_string(msg));
		c->time = ms / 1000;
		c->author = "";
		if ((au = member(e, "authors", json_type_array)) != NULL &&
		    json_object_array_length(au) > 0 &&
		    (who = json_object_array_get_idx(au, 0)) != NULL &&
		    json_object_is_type(who, json_type_object) &&
		    (user = member(who, "user", json_type_string)) != NULL &&
		    json_object_get_string_len(user) <= 255)
			c->author = arena_strdup(a,
			    json_object_get_string(user));
		(*n)++;
	}
	return 0;
fail:
	return -1;
}
