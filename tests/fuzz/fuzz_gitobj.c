/*
 * fuzz_gitobj.c: git tree and commit objects (gitobj.c), as read back
 * from the database. A tree that parses writes back to the same bytes; a
 * commit that parses writes back to a text that parses the same.
 */
#include "fuzz.h"
#include "gitobj.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_exact(data, size);
	struct arena a;
	struct tree t;
	struct commit_info c, c2;
	struct buf b;
	size_t i;

	arena_init(&a, 4096);
	if (tree_parse(&t, &a, s, size) == 0) {
		buf_init(&b, &a);
		tree_write(&b, &t);
		FUZZ_ASSERT(b.len == size && !memcmp(b.data, s, size));
		for (i = 0; i < t.n; i++)
			FUZZ_ASSERT(tree_find(&t, t.e[i].name,
			    t.e[i].namelen) == (long)i);
	}
	if (commit_parse(&c, &a, s, size) == 0) {
		buf_init(&b, &a);
		commit_write(&b, &c);
		FUZZ_ASSERT(commit_parse(&c2, &a, b.data, b.len) == 0);
		FUZZ_ASSERT(oid_eq(&c.tree, &c2.tree));
		FUZZ_ASSERT(c.has_parent == c2.has_parent);
		FUZZ_ASSERT(c.time == c2.time);
	}
	arena_free(&a);
	free(s);
	return 0;
}
