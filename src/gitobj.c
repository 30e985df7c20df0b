/*
 * gitobj.c: object ids (SHA-1 as git uses it, hash.h), trees and commits
 * in git's exact formats.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "gitobj.h"
#include "hash.h"

void
oid_hex(const struct oid *o, char *out)
{
	hex_encode(out, o->b, OID_LEN);
}

char *
oid_hex_a(struct arena *a, const struct oid *o)
{
	char *s = arena_alloc(a, OID_HEX + 1);

	oid_hex(o, s);
	return s;
}

int
oid_parse(struct oid *o, const char *hex, size_t len)
{
	return hex_decode(o->b, OID_LEN, hex, len);
}

bool
oid_eq(const struct oid *a, const struct oid *b)
{
	return memcmp(a->b, b->b, OID_LEN) == 0;
}

void
git_object_oid(struct oid *o, const char *type, const void *data, size_t len)
{
	struct hash h;
	char hdr[64];
	int n = snprintf(hdr, sizeof(hdr), "%s %zu", type, len);

	hash_init(&h, HASH_SHA1);
	hash_update(&h, hdr, (size_t)n + 1);	/* with the NUL */
	hash_update(&h, data, len);
	hash_final(&h, o->b);
}

void
git_blob_oid(struct oid *o, const void *data, size_t len)
{
	git_object_oid(o, "blob", data, len);
}

void
lfs_pointer(struct buf *b, const unsigned char sha256[SHA256_LEN],
    uint64_t size)
{
	char hex[2 * SHA256_LEN + 1];

	hex_encode(hex, sha256, SHA256_LEN);
	buf_printf(b, "version https://git-lfs.github.com/spec/v1\n"
	    "oid sha256:%s\nsize %llu\n", hex, (unsigned long long)size);
}

int
tree_entry_cmp(const struct tree_entry *a, const struct tree_entry *b)
{
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c = memcmp(a->name, b->name, n);
	unsigned ca, cb;

	if (c != 0)
		return c;
	/* After the common prefix, a folder continues with '/'. */
	ca = n < a->namelen ? (unsigned char)a->name[n] :
	    a->mode == MODE_DIR ? '/' : 0;
	cb = n < b->namelen ? (unsigned char)b->name[n] :
	    b->mode == MODE_DIR ? '/' : 0;
	return ca < cb ? -1 : ca > cb;
}

static int
cmp_qsort(const void *a, const void *b)
{
	return tree_entry_cmp(a, b);
}

void
tree_sort(struct tree *t)
{
	if (t->n > 1)
		qsort(t->e, t->n, sizeof(*t->e), cmp_qsort);
}

static long
bsearch_mode(const struct tree *t, const char *name, size_t len,
    unsigned mode)
{
	struct tree_entry key;
	size_t lo = 0, hi = t->n;

	key.name = name;
	key.namelen = len;
	key.mode = mode;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = tree_entry_cmp(&key, &t->e[mid]);

		if (c == 0)
			return t->e[mid].namelen == len &&
			    (t->e[mid].mode == MODE_DIR) == (mode == MODE_DIR) ?
			    (long)mid : -1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

long
tree_find(const struct tree *t, const char *name, size_t len)
{
	long i = bsearch_mode(t, name, len, MODE_FILE);

	return i >= 0 ? i : bsearch_mode(t, name, len, MODE_DIR);
}

int
tree_next_subtree(const void *raw, size_t len, size_t *pos, struct oid *out)
{
	const unsigned char *base = raw, *p, *end = base + len, *nul;
	bool dir;

	while (*pos < len) {
		p = base + *pos;
		/* "40000 " exactly: git writes no leading zero */
		dir = (size_t)(end - p) > 6 && memcmp(p, "40000 ", 6) == 0;
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL ||
		    (size_t)(end - nul - 1) < OID_LEN)
			return -1;
		*pos = (size_t)(nul + 1 + OID_LEN - base);
		if (dir) {
			memcpy(out->b, nul + 1, OID_LEN);
			return 1;
		}
	}
	return 0;
}

int
tree_parse(struct tree *out, struct arena *a, const void *raw, size_t len)
{
	const unsigned char *p = raw, *end = p + len;
	size_t n = 0, cap = 16;

	out->e = arena_alloc(a, cap * sizeof(*out->e));
	while (p < end) {
		struct tree_entry *e;
		unsigned mode = 0;
		const unsigned char *name, *nul;

		/* mode: octal digits, no leading zero, then a space */
		if (*p == '0')
			return -1;
		for (; p < end && *p >= '0' && *p <= '7'; p++) {
			mode = mode * 8 + (unsigned)(*p - '0');
			if (mode > 0177777)
				return -1;
		}
		if (p >= end || *p++ != ' ')
			return -1;
		if (mode != MODE_FILE && mode != MODE_EXEC &&
		    mode != MODE_LINK && mode != MODE_DIR && mode != 0160000)
			return -1;
		name = p;
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL ||
		    nul == name || (size_t)(end - nul - 1) < OID_LEN)
			return -1;
		if (memchr(name, '/', (size_t)(nul - name)) != NULL)
			return -1;
		if (n == cap) {
			struct tree_entry *bigger = arena_alloc(a,
			    2 * cap * sizeof(*bigger));

			memcpy(bigger, out->e, n * sizeof(*bigger));
			out->e = bigger;
			cap *= 2;
		}
		e = &out->e[n];
		e->name = (const char *)name;
		e->namelen = (size_t)(nul - name);
		e->mode = mode;
		memcpy(e->oid.b, nul + 1, OID_LEN);
		if (n > 0 && tree_entry_cmp(&out->e[n - 1], e) >= 0)
			return -1;
		/* A folder and a file of the same name sort apart ("a",
		 * "a-b", "a/"): git fsck refuses such a tree
		 * (duplicateEntries), and tree_find() would see the file
		 * only. */
		if (mode == MODE_DIR) {
			struct tree before = { out->e, n };

			if (bsearch_mode(&before, e->name, e->namelen,
			    MODE_FILE) >= 0)
				return -1;
		}
		n++;
		p = nul + 1 + OID_LEN;
	}
	out->n = n;
	return 0;
}

void
tree_write(struct buf *b, const struct tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		/* the common modes without printf: trees can be wide */
		if (t->e[i].mode == MODE_FILE)
			buf_add(b, "100644 ", 7);
		else if (t->e[i].mode == MODE_DIR)
			buf_add(b, "40000 ", 6);
		else
			buf_printf(b, "%o ", t->e[i].mode);
		buf_add(b, t->e[i].name, t->e[i].namelen);
		buf_addc(b, '\0');
		buf_add(b, t->e[i].oid.b, OID_LEN);
	}
}

const struct oid *
commit_parent(const struct commit_info *c, size_t k)
{
	if (!c->has_parent || k > c->nmore)
		return NULL;
	return k == 0 ? &c->parent : &c->more_parents[k - 1];
}

/* The text of c's fields alone. */
static void
fields_write(struct buf *b, const struct commit_info *c)
{
	char hex[OID_HEX + 1];
	size_t mlen = strlen(c->message), k;
	const struct oid *p;

	oid_hex(&c->tree, hex);
	buf_printf(b, "tree %s\n", hex);
	for (k = 0; (p = commit_parent(c, k)) != NULL; k++) {
		oid_hex(p, hex);
		buf_printf(b, "parent %s\n", hex);
	}
	buf_printf(b, "author %s <%s> %lld +0000\n", c->author_name,
	    c->author_email, (long long)c->time);
	buf_printf(b, "committer %s <%s> %lld +0000\n\n", c->author_name,
	    c->author_email, (long long)c->time);
	buf_add(b, c->message, mlen);
	if (mlen == 0 || c->message[mlen - 1] != '\n')
		buf_addc(b, '\n');
}

void
commit_write(struct buf *b, const struct commit_info *c)
{
	if (c->raw != NULL)
		buf_add(b, c->raw, c->rawlen);
	else
		fields_write(b, c);
}

/*
 * An ident, "Name <email> 1700000000 +0200", checked as git fsck does
 * (fsck_ident); name, email and time out when not NULL.
 */
static int
parse_ident(const char *s, size_t len, struct arena *a, const char **name,
    const char **email, int64_t *time)
{
	const char *p = s, *end = s + len, *lt, *gt, *d;
	int64_t t = 0;

	if (memchr(s, '\0', len) != NULL || p == end || *p == '<')
		return -1;
	while (p < end && *p != '<' && *p != '>')
		p++;
	if (p == end || *p != '<' || p[-1] != ' ')
		return -1;
	lt = p++;
	while (p < end && *p != '<' && *p != '>')
		p++;
	if (p == end || *p != '>')
		return -1;
	gt = p++;
	if (p == end || *p++ != ' ')
		return -1;
	if (p < end && *p == '0' && p + 1 < end && p[1] != ' ')
		return -1;	/* zero-padded date */
	for (d = p; p < end && *p >= '0' && *p <= '9'; p++) {
		if (t > (INT64_MAX - 9) / 10)
			return -1;	/* overflow */
		t = t * 10 + (*p - '0');
	}
	if (p == d || p == end || *p++ != ' ')
		return -1;
	if (end - p != 5 || (*p != '+' && *p != '-'))
		return -1;
	for (d = p + 1; d < end; d++)
		if (*d < '0' || *d > '9')
			return -1;
	if (name != NULL) {
		*name = arena_strndup(a, s, (size_t)(lt - 1 - s));
		*email = arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
		*time = t;
	}
	return 0;
}

#define BAD(msg)	do { if (why != NULL) *why = (msg); return -1; } \
			while (0)

int
commit_parse(struct commit_info *c, struct arena *a, const char *text,
    size_t len, const char **why)
{
	const char *p = text, *end = text + len, *nl, *body;
	struct oid *more = NULL;
	size_t cap = 0;
	struct buf again;

	memset(c, 0, sizeof(*c));
	/* the headers end at the first empty line, or the text ends */
	if ((body = memmem(text, len, "\n\n", 2)) != NULL)
		body += 2;
	else if (len > 0 && text[len - 1] == '\n')
		body = end;
	else
		BAD("unterminated header");
	if (memchr(text, '\0', (size_t)(body - text)) != NULL)
		BAD("NUL in header");
	if ((size_t)(end - p) < 46 || strncmp(p, "tree ", 5) != 0 ||
	    p[45] != '\n' || oid_parse(&c->tree, p + 5, OID_HEX) != 0)
		BAD("invalid or missing tree line");
	p += 46;
	while ((size_t)(end - p) >= 7 && !strncmp(p, "parent ", 7)) {
		struct oid o;

		if ((size_t)(end - p) < 48 || p[47] != '\n' ||
		    oid_parse(&o, p + 7, OID_HEX) != 0)
			BAD("invalid parent line");
		if (!c->has_parent) {
			c->parent = o;
			c->has_parent = true;
		} else {
			if (c->nmore == cap) {
				struct oid *m = arena_alloc(a, (cap ? 2 *
				    cap : 4) * sizeof(*m));

				if (c->nmore)
					memcpy(m, more, c->nmore * sizeof(*m));
				more = m;
				cap = cap ? 2 * cap : 4;
			}
			more[c->nmore++] = o;
		}
		p += 48;
	}
	c->more_parents = more;
	if ((size_t)(end - p) < 7 || strncmp(p, "author ", 7) != 0 ||
	    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
	    parse_ident(p + 7, (size_t)(nl - p - 7), a, &c->author_name,
	    &c->author_email, &c->time) != 0)
		BAD("invalid or missing author");
	p = nl + 1;
	if ((size_t)(end - p) < 10 || strncmp(p, "committer ", 10) != 0 ||
	    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
	    parse_ident(p + 10, (size_t)(nl - p - 10), a, NULL, NULL,
	    NULL) != 0)
		BAD("invalid or missing committer");
	/* other headers (encoding, gpgsig, mergetag...) are kept in raw */
	c->message = body < end ? arena_strndup(a, body,
	    (size_t)(end - body)) : "";
	/* the fields alone must give the text back, or raw keeps it */
	buf_init(&again, a);
	fields_write(&again, c);
	if (again.len != len || memcmp(again.data, text, len) != 0 ||
	    strlen(c->message) != (size_t)(end - body)) {
		c->raw = arena_memdup(a, text, len);
		c->rawlen = len;
	}
	return 0;
}

int
tag_parse(struct tag_info *t, struct arena *a, const char *text, size_t len,
    const char **why)
{
	const char *p = text, *end = text + len, *body, *nl;
	size_t n;

	memset(t, 0, sizeof(*t));
	if ((body = memmem(text, len, "\n\n", 2)) != NULL)
		body += 2;
	else if (len > 0 && text[len - 1] == '\n')
		body = end;
	else
		BAD("unterminated header");
	if (memchr(text, '\0', (size_t)(body - text)) != NULL)
		BAD("NUL in header");
	if ((size_t)(end - p) < 48 || strncmp(p, "object ", 7) != 0 ||
	    p[47] != '\n' || oid_parse(&t->object, p + 7, OID_HEX) != 0)
		BAD("invalid or missing object line");
	p += 48;
	if ((size_t)(end - p) < 5 || strncmp(p, "type ", 5) != 0 ||
	    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		BAD("invalid or missing type line");
	n = (size_t)(nl - p - 5);
	t->type = arena_strndup(a, p + 5, n);
	if (strcmp(t->type, "commit") && strcmp(t->type, "tree") &&
	    strcmp(t->type, "blob") && strcmp(t->type, "tag"))
		BAD("unknown object type");
	p = nl + 1;
	if ((size_t)(end - p) < 4 || strncmp(p, "tag ", 4) != 0 ||
	    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL || nl == p + 4)
		BAD("invalid or missing tag name");
	t->name = arena_strndup(a, p + 4, (size_t)(nl - p - 4));
	p = nl + 1;
	if ((size_t)(end - p) >= 7 && !strncmp(p, "tagger ", 7)) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    parse_ident(p + 7, (size_t)(nl - p - 7), a, NULL, NULL,
		    NULL) != 0)
			BAD("invalid tagger");
	}
	return 0;
}
