/*
 * fuzz_ndjson.c: a commit's NDJSON body (commit_ndjson_parse()) and the
 * path check every operation's path goes through (path_invalid()).
 */
#include "commit.h"
#include "fuzz.h"
#include "jsonutil.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndjson_line *lines;
	char *body = fuzz_cstr(data, size);
	struct arena a;
	struct kerr e;
	size_t n, i;

	arena_init(&a, 4096);
	memset(&e, 0, sizeof(e));
	if (commit_ndjson_parse(&a, body, size, &lines, &n, &e) == 0) {
		FUZZ_ASSERT(e.status == 0);
		/* JSON text holds no NUL byte, in a string or not */
		FUZZ_ASSERT(memchr(body, '\0', size) == NULL);
		for (i = 0; i < n; i++) {
			const char *path = lines[i].path;

			FUZZ_ASSERT(lines[i].key != NULL);
			FUZZ_ASSERT(lines[i].has_size != NDJSON_SIZE ||
			    lines[i].size >= 0);
			if (path != NULL)
				(void)path_invalid(path);
		}
	} else
		FUZZ_ASSERT(e.status == 400 || e.status == 413);
	arena_free(&a);
	free(body);
	return 0;
}
