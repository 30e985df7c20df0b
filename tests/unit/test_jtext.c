/*
 * test_jtext.c: the JSON text written straight into listings must parse
 * back to the same string (quotes, backslashes, controls, UTF-8).
 */
#include <json.h>

#include "check.h"
#include "jtext.h"

static struct arena a;

/* jtext_str(s), then parsed back by json-c: the same bytes? */
static int
roundtrip(const char *s, const char *want_text)
{
	struct buf b;
	json_object *o;
	int ok;

	buf_init(&b, &a);
	jtext_str(&b, s, strlen(s));
	if (want_text != NULL && strcmp(b.data, want_text) != 0) {
		fprintf(stderr, "  got %s\n", b.data);
		return 0;
	}
	o = json_tokener_parse(b.data);
	ok = o != NULL && json_object_is_type(o, json_type_string) &&
	    !strcmp(json_object_get_string(o), s);
	json_object_put(o);
	arena_reset(&a);
	return ok;
}

static void
test_strings(void)
{
	CHECK(roundtrip("plain.txt", "\"plain.txt\""));
	CHECK(roundtrip("a\"b\\c", "\"a\\\"b\\\\c\""));
	CHECK(roundtrip("dir with space/\xc3\xbc (1).txt",
	    "\"dir with space/\xc3\xbc (1).txt\""));
	CHECK(roundtrip("t\ta\nb\rc\x01\x1f", "\"t\\ta\\nb\\rc\\u0001\\u001f\""));
	CHECK(roundtrip("a/b%20c?d", "\"a/b%20c?d\""));	/* no '/' escape */
	CHECK(roundtrip("", "\"\""));
}

int
main(void)
{
	arena_init(&a, 4096);
	RUN(test_strings);
	arena_free(&a);
	return check_done("jtext");
}
