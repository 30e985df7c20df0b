/*
 * fuzz_frontmatter.c: a README's YAML front matter (frontmatter.c), on a
 * buffer of exactly the input's size; what it answers is a JSON object.
 */
#include "fuzz.h"
#include "frontmatter.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_exact(data, size);
	struct arena a;
	json_object *o;

	arena_init(&a, 4096);
	if ((o = frontmatter_parse(&a, s, size)) != NULL) {
		FUZZ_ASSERT(json_object_is_type(o, json_type_object));
		(void)json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		json_object_put(o);
	}
	arena_free(&a);
	free(s);
	return 0;
}
