/*
 * fuzz_ndjson.c: a commit's NDJSON body (commit_ndjson_parse()) and the
 * path check every operation's path goes through (path_invalid()).
 */
#include "../unit/fakereq.h"
#include "commit.h"
#include "fuzz.h"
#include "jsonutil.h"

static struct fake f;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *vars[] = { "REQUEST_METHOD=POST",
	    "REQUEST_URI=/api/models/u/r/commit/main", NULL };
	struct ndjson_line *lines;
	char *body = fuzz_cstr(data, size);
	size_t n, i;

	if (fake_begin(&f, vars, NULL) == 0 &&
	    commit_ndjson_parse(&f.r, body, size, &lines, &n) == 0) {
		FUZZ_ASSERT(f.r.status == 0);
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
		FUZZ_ASSERT(f.r.status == 400 || f.r.status == 413);
	fake_end(&f);
	free(body);
	return 0;
}
