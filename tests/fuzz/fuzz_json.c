/*
 * fuzz_json.c: a JSON request body as every endpoint reads it (req_json():
 * json-c with depth 64, trailing junk refused, UTF-8 checked by
 * json_text_valid()), then the accessors handlers use on preupload,
 * paths-info, LFS batch, settings and token bodies.
 */
#include "../unit/fakereq.h"
#include "fuzz.h"
#include "jsonutil.h"

static struct fake f;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *keys[] = { "files", "paths", "objects",
	    "operation", "transfers", "gitIgnore", "private", "gated",
	    "name", "role", "expires_at", "lfsThreshold" };
	char cl[40], *body;
	const char *vars[4];
	json_object *o;
	size_t i, chars;

	if (size > 1 << 20)
		return 0;
	body = fuzz_cstr(data, size);
	snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", size);
	vars[0] = "REQUEST_METHOD=POST";
	vars[1] = "REQUEST_URI=/api/models/u/r/preupload/main";
	vars[2] = NULL;
	if (fake_begin(&f, vars, NULL) == 0) {
		/* fake_begin() sets a 1 KiB body limit: the length and the
		 * limit come after it. The body may hold NULs: point the
		 * stream at all of it. */
		f.env[2] = cl;
		f.env[3] = NULL;
		f.hub.conf.max_body = 1 << 20;
		f.in.rdNext = (unsigned char *)body;
		f.in.stop = f.in.rdNext + size;
		f.in.stopUnget = f.in.rdNext;
		if ((o = req_json(&f.r)) != NULL) {
			/* JSON text holds no NUL byte, in a string or not */
			FUZZ_ASSERT(memchr(body, '\0', size) == NULL);
			FUZZ_ASSERT(json_object_is_type(o, json_type_object));
			for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
				const char *s = jget_str(o, keys[i]);

				if (s != NULL)
					FUZZ_ASSERT(utf8_valid(
					    (const unsigned char *)s,
					    strlen(s), &chars) == 1);
			}
		} else
			FUZZ_ASSERT(f.r.status == 400 || f.r.status == 413);
	}
	fake_end(&f);
	(void)utf8_valid(data, size, &chars);
	free(body);
	return 0;
}
