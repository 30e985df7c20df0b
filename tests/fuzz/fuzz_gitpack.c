/*
 * fuzz_gitpack.c: what git push sends, read by khub: the commands
 * (receive_parse(), receivepack.c) and the pack (pack_index(),
 * pack_inflate(), delta_apply(), gitpack.c). Input: one byte choosing
 * the reader (odd: the commands; even: a pack), then the bytes. Every
 * entry an index returns lies inside the pack and inflates to its size;
 * a delta applied to the object before it never writes past its result.
 */
#include "fuzz.h"
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

static void
pack(const unsigned char *p, size_t size)
{
	struct pack_entry *v;
	unsigned char *prev = NULL, *cur, *out;
	size_t prevlen = 0, outlen;
	const char *why;
	uint32_t n, i;

	if (pack_index(p, size, MAX_OBJECTS, MAX_SIZE, &v, &n, &why) != 0) {
		FUZZ_ASSERT(why != NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i].off >= 12 && v[i].zoff < size - 20);
		FUZZ_ASSERT(v[i].size <= MAX_SIZE);
		cur = malloc(v[i].size ? v[i].size : 1);
		FUZZ_ASSERT(cur != NULL);
		FUZZ_ASSERT(pack_inflate(p, size, &v[i], cur) == 0);
		if (v[i].type >= PACK_OFS_DELTA && prev != NULL &&
		    delta_apply(prev, prevlen, cur, v[i].size, MAX_SIZE, &out,
		    &outlen, &why) == 0) {
			FUZZ_ASSERT(outlen <= MAX_SIZE);
			free(out);
		}
		free(prev);
		prev = cur;
		prevlen = v[i].size;
	}
	free(prev);
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
