/*
 * fuzz_gitpack.c: what git push sends, read by khub: the commands
 * (receive_parse(), receivepack.c) and the pack (pack_index(),
 * pack_inflate(), delta_apply(), gitpack.c). Input: one byte choosing
 * the reader (odd: the commands; even: a pack), then the bytes. Every
 * entry an index returns lies inside the pack and inflates to its size;
 * deltas are resolved as receive-pack resolves them (an OFS_DELTA on the
 * entry at its base's offset, a REF_DELTA on a resolved entry of that id
 * or, as a thin pack's, on a base from outside: THIN, a blob), and a
 * delta never writes past its result, nor makes one larger than the
 * bound.
 */
#include <string.h>

#include "fuzz.h"
#include "gitobj.h"
#include "gitpack.h"
#include "kerr.h"
#include "receivepack.h"

/* Small bounds keep each input fast (a pack's header may announce
 * anything). */
#define MAX_OBJECTS	64
#define MAX_SIZE	(1u << 20)

static void
commands(const char *s, size_t size)
{
	struct push_req q;
	struct arena a;
	struct kerr e;
	size_t i;

	arena_init(&a, 4096);
	if (receive_parse(&q, &a, s, size, &e) == 0) {
		FUZZ_ASSERT(q.ncmds > 0 && q.ncmds <= RECEIVE_COMMANDS_MAX);
		FUZZ_ASSERT(q.pack_off <= size);
		for (i = 0; i < q.ncmds; i++)
			FUZZ_ASSERT(q.cmds[i].ref != NULL);
	}
	arena_free(&a);
}

/* The base from outside a thin pack (the seeds name it: blob 7ec4008b...). */
static const char THIN[] = "a blob this repository has, a thin pack's base\n";

/* One entry resolved: its bytes (NULL: not resolved), type and id. */
struct res {
	unsigned char	*data;
	size_t		 len;
	unsigned	 type;
	struct oid	 oid;
};

static const char *
type_name(unsigned t)
{
	return t == PACK_COMMIT ? "commit" : t == PACK_TREE ? "tree" :
	    t == PACK_BLOB ? "blob" : "tag";
}

static void
pack(const unsigned char *p, size_t size)
{
	struct pack_entry *v;
	struct res *r, thin;
	unsigned char *cur, *out;
	size_t outlen;
	const char *why;
	uint32_t n, i, k;

	if (pack_index(p, size, MAX_OBJECTS, MAX_SIZE, &v, &n, &why) != 0) {
		FUZZ_ASSERT(why != NULL);
		return;
	}
	r = calloc(n ? n : 1, sizeof(*r));
	FUZZ_ASSERT(r != NULL);
	thin.data = (unsigned char *)(uintptr_t)THIN;
	thin.len = sizeof(THIN) - 1;
	thin.type = PACK_BLOB;
	git_object_oid(&thin.oid, "blob", thin.data, thin.len);
	for (i = 0; i < n; i++) {
		const struct res *base = NULL;

		FUZZ_ASSERT(v[i].off >= 12 && v[i].zoff < size - 20);
		FUZZ_ASSERT(v[i].size <= MAX_SIZE);
		cur = malloc(v[i].size ? v[i].size : 1);
		FUZZ_ASSERT(cur != NULL);
		FUZZ_ASSERT(pack_inflate(p, size, &v[i], cur) == 0);
		if (v[i].type < PACK_OFS_DELTA) {
			r[i].data = cur;
			r[i].len = (size_t)v[i].size;
			r[i].type = v[i].type;
			git_object_oid(&r[i].oid, type_name(r[i].type), cur,
			    r[i].len);
			continue;
		}
		for (k = 0; k < i && base == NULL; k++)
			if (v[i].type == PACK_OFS_DELTA ?
			    v[k].off == v[i].base_off :
			    r[k].data != NULL && !memcmp(r[k].oid.b, v[i].base,
			    OID_LEN))
				base = &r[k];
		if (v[i].type == PACK_OFS_DELTA)
			FUZZ_ASSERT(base != NULL);	/* an earlier entry */
		else if (base == NULL)
			base = &thin;
		if (base->data != NULL && delta_apply(base->data, base->len,
		    cur, (size_t)v[i].size, MAX_SIZE, &out, &outlen,
		    &why) == 0) {
			FUZZ_ASSERT(outlen <= MAX_SIZE);
			r[i].data = out;
			r[i].len = outlen;
			r[i].type = base->type;
			git_object_oid(&r[i].oid, type_name(r[i].type), out,
			    outlen);
		} else if (base->data != NULL)
			FUZZ_ASSERT(why != NULL);
		free(cur);
	}
	for (i = 0; i < n; i++)
		free(r[i].data);
	free(r);
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = fuzz_exact(data + 1, size - 1);
	if (data[0] & 1)
		commands(s, size - 1);
	else
		pack((const unsigned char *)s, size - 1);
	free(s);
	return 0;
}
