/*
 * fuzz_gitrules.c: .gitattributes and .gitignore text (gitrules.c) on a
 * buffer of exactly the input's size, then the LFS and ignore questions
 * for a few paths, some taken from the input's own lines.
 */
#include "fuzz.h"
#include "gitrules.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *paths[] = { "model.bin", "a/b/c.safetensors",
	    "build/out.o", "docs/x.tmp", "[x]", "a\\b", " x ", "*", "a/" };
	char *s = fuzz_exact(data, size), path[128];
	const char *nl;
	struct arena a;
	struct rules at, ig;
	size_t i, n;

	if (size > 1 << 16) {
		free(s);
		return 0;
	}
	arena_init(&a, 4096);
	rules_parse_attributes(&at, &a, s, size);
	rules_parse_ignore(&ig, &a, s, size);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		(void)rules_is_lfs(&at, paths[i]);
		(void)rules_is_ignored(&ig, paths[i]);
	}
	/* the folder cache: the lines as paths, asked in both orders of
	 * two fresh sets, get the same answers */
	{
		struct rules f1, f2;
		const char *q[16];
		char *copy = fuzz_cstr(data, size), *line, *save = NULL;
		bool v1[16], v2[16];
		size_t k = 0;

		(void)rules_parse_ignore(&f1, &a, s, size);
		(void)rules_parse_ignore(&f2, &a, s, size);
		for (line = strtok_r(copy, "\n", &save); line != NULL &&
		    k < 16; line = strtok_r(NULL, "\n", &save))
			if (strlen(line) <= RULES_PATH_MAX)
				q[k++] = line;
		for (i = 0; i < k; i++)
			v1[i] = rules_is_ignored(&f1, q[i]);
		for (i = k; i-- > 0; )
			v2[i] = rules_is_ignored(&f2, q[i]);
		for (i = 0; i < k && !rules_too_costly(&f1) &&
		    !rules_too_costly(&f2); i++)
			FUZZ_ASSERT(v1[i] == v2[i]);
		free(copy);
	}
	/* the first line as a path, and as a pattern against the second */
	nl = memchr(s, '\n', size);
	n = nl ? (size_t)(nl - s) : size;
	if (n < sizeof(path) && memchr(s, '\0', n) == NULL) {
		memcpy(path, s, n);
		path[n] = '\0';
		(void)rules_is_lfs(&at, path);
		(void)rules_is_ignored(&ig, path);
		/* glob_match() has no step budget: keep to the paths
		 * khub asks about (at most RULES_PATH_MAX bytes) */
		if (nl != NULL && size - n - 1 <= RULES_PATH_MAX &&
		    memchr(nl + 1, '\0', size - n - 1) == NULL) {
			char *t = fuzz_cstr((const uint8_t *)nl + 1,
			    size - n - 1);

			(void)glob_match(path, t);
			free(t);
		}
	}
	arena_free(&a);
	free(s);
	return 0;
}
