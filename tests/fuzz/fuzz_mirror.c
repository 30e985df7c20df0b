/*
 * fuzz_mirror.c: the parsers of an upstream hub's answers (mirror_json.c).
 * The first byte picks the parser (info, refs, tree, commits, a time), the
 * rest is upstream's body.
 */
#include "arena.h"
#include "commit.h"
#include "fuzz.h"
#include "mirror_json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct up_info info;
	struct up_ref *refs = NULL;
	struct up_entry *files = NULL;
	struct up_commit *commits = NULL;
	char *body, err[256];
	size_t n = 0, i;
	int64_t ms;
	int rc = -1;

	if (size == 0)
		return 0;
	body = fuzz_exact(data + 1, size - 1);
	arena_init(&a, 4096);
	err[0] = '\0';
	switch (data[0] % 5) {
	case 0:
		rc = mirror_parse_info(&a, body, size - 1, &info, err,
		    sizeof(err));
		break;
	case 1:
		rc = mirror_parse_refs(&a, body, size - 1, &refs, &n, err,
		    sizeof(err));
		for (i = 0; rc == 0 && i < n; i++)
			FUZZ_ASSERT(refs[i].name[0] != '\0');
		break;
	case 2:
		rc = mirror_parse_tree(&a, body, size - 1, &files, &n, 100000,
		    err, sizeof(err));
		for (i = 0; rc == 0 && i < n; i++) {
			/* every path kept is one a commit could hold */
			FUZZ_ASSERT(path_invalid(files[i].path) == NULL);
			FUZZ_ASSERT(files[i].size <= MIRROR_SIZE_MAX);
		}
		break;
	case 3:
		rc = mirror_parse_commits(&a, body, size - 1, &commits, &n,
		    1000, err, sizeof(err));
		FUZZ_ASSERT(n <= 1000);
		break;
	default: {
		char *s = fuzz_cstr(data + 1, size - 1);

		rc = mirror_parse_time(s, &ms) == 0 ? 0 : -2;
		free(s);
		break;
	}
	}
	FUZZ_ASSERT(rc == 0 || rc == -2 || err[0] != '\0');
	arena_free(&a);
	free(body);
	return 0;
}
