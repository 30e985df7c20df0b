/*
 * fuzz_gitobj.c: git tree and commit objects (gitobj.c), as read back
 * from the database or pushed. A tree that parses writes back to the same
 * bytes; so does a commit (exactly: its id depends on it), and the text
 * parses the same again. A tag that parses has a name and a known type.
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
	struct tag_info tg;
	struct buf b;
	struct oid o;
	size_t i, pos;
	int rc;

	arena_init(&a, 4096);
	/* gc's walk of any tree: it ends, inside the bytes */
	for (pos = 0, i = 0; (rc = tree_next_subtree(s, size, &pos, &o)) == 1;
	    i++)
		FUZZ_ASSERT(pos <= size && i < size);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (tree_parse(&t, &a, s, size) == 0) {
		size_t dirs = 0;

		buf_init(&b, &a);
		tree_write(&b, &t);
		FUZZ_ASSERT(b.len == size && !memcmp(b.data, s, size));
		for (i = 0; i < t.n; i++) {
			FUZZ_ASSERT(tree_find(&t, t.e[i].name,
			    t.e[i].namelen) == (long)i);
			dirs += t.e[i].mode == MODE_DIR;
		}
		/* a valid tree: the walk finds exactly its folders */
		for (pos = 0, i = 0; tree_next_subtree(s, size, &pos, &o) == 1;
		    i++)
			;
		FUZZ_ASSERT(i == dirs);
	}
	if (commit_parse(&c, &a, s, size, NULL) == 0) {
		buf_init(&b, &a);
		commit_write(&b, &c);
		FUZZ_ASSERT(b.len == size && !memcmp(b.data, s, size));
		FUZZ_ASSERT(commit_parse(&c2, &a, b.data, b.len, NULL) == 0);
		FUZZ_ASSERT(oid_eq(&c.tree, &c2.tree));
		FUZZ_ASSERT(c.has_parent == c2.has_parent);
		FUZZ_ASSERT(c.nmore == c2.nmore);
		FUZZ_ASSERT(c.time == c2.time);
		/* the fields alone give the text back, or raw is kept */
		if (c.raw == NULL) {
			c.raw = NULL;
			buf_init(&b, &a);
			commit_write(&b, &c);
			FUZZ_ASSERT(b.len == size);
		}
	}
	if (tag_parse(&tg, &a, s, size, NULL) == 0) {
		FUZZ_ASSERT(tg.name != NULL && tg.name[0] != '\0');
		FUZZ_ASSERT(!strcmp(tg.type, "commit") ||
		    !strcmp(tg.type, "tree") || !strcmp(tg.type, "blob") ||
		    !strcmp(tg.type, "tag"));
	}
	arena_free(&a);
	free(s);
	return 0;
}
