/*
 * test_frontmatter.c: README front matter to JSON, as model cards write it,
 * and the YAML this reader refuses.
 */
#include <json.h>

#include "check.h"
#include "frontmatter.h"

static struct arena a;

/* The JSON text of the front matter of s, or NULL. */
static const char *
fm(const char *s)
{
	static char out[4096];
	json_object *o = frontmatter_parse(&a, s, strlen(s));

	if (o == NULL)
		return NULL;
	snprintf(out, sizeof(out), "%s", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	arena_reset(&a);
	return out;
}

static void
test_card(void)
{
	CHECK_STR(fm("---\nlicense: mit\ntags:\n- a\n- b\nlibrary_name: "
	    "transformers\n---\n# title\n"),
	    "{\"license\":\"mit\",\"tags\":[\"a\",\"b\"],"
	    "\"library_name\":\"transformers\"}");
	/* CRLF, a BOM, indented sequences, comments, "..." as the end */
	CHECK_STR(fm("\xef\xbb\xbf---\r\nlanguage:\r\n  - en # english\r\n"
	    "  - fr\r\n# a comment\r\npipeline_tag: text-generation\r\n"
	    "...\r\nbody"),
	    "{\"language\":[\"en\",\"fr\"],"
	    "\"pipeline_tag\":\"text-generation\"}");
	/* nested mappings, sequences of mappings (model-index style) */
	CHECK_STR(fm("---\nmodel-index:\n- name: m\n  results:\n  - task:\n"
	    "      type: tc\n    metrics:\n    - {type: acc, value: 0.91}\n"
	    "widget:\n  - text: \"Hi \\\"you\\\"\"\n---\n"),
	    "{\"model-index\":[{\"name\":\"m\",\"results\":[{\"task\":"
	    "{\"type\":\"tc\"},\"metrics\":[{\"type\":\"acc\",\"value\":"
	    "0.91}]}]}],\"widget\":[{\"text\":\"Hi \\\"you\\\"\"}]}");
}

static void
test_scalars(void)
{
	CHECK_STR(fm("---\na: 1\nb: -2\nc: 1.5\nd: 1e3\ne: true\nf: False\n"
	    "g: ~\nh:\ni: null\nj: 0x1f\nk: '1'\nl: 'it''s'\nm: 1.0\n"
	    "n: v1.0\no: 99999999999999999999\np: \"\\u00fc\\x41\"\n---\n"),
	    "{\"a\":1,\"b\":-2,\"c\":1.5,\"d\":1000.0,\"e\":true,"
	    "\"f\":false,\"g\":null,\"h\":null,\"i\":null,\"j\":31,"
	    "\"k\":\"1\",\"l\":\"it's\",\"m\":1.0,\"n\":\"v1.0\","
	    "\"o\":1e+20,\"p\":\"\xc3\xbc" "A\"}");
	/* a URL, colons inside a value, a '#' that is not a comment */
	CHECK_STR(fm("---\nurl: http://x.org/a#b\nt: a: b\n---\n"),
	    "{\"url\":\"http://x.org/a#b\",\"t\":\"a: b\"}");
	/* flow collections over lines, quoted keys, empty collections */
	CHECK_STR(fm("---\ntags: [a, \"b c\",\n  d]\n\"k e\": {x: 1, y: [] }\n"
	    "z: {}\n---\n"),
	    "{\"tags\":[\"a\",\"b c\",\"d\"],\"k e\":{\"x\":1,\"y\":[]},"
	    "\"z\":{}}");
	/* plain and quoted scalars folded over lines */
	CHECK_STR(fm("---\nd: a long\n  text here\n\n  and more\nq: \"x\n  y\"\n"
	    "---\n"), "{\"d\":\"a long text here\\nand more\",\"q\":\"x y\"}");
}

static void
test_block_scalars(void)
{
	CHECK_STR(fm("---\nl: |\n  one\n    two\n\n  three\nnext: 1\n---\n"),
	    "{\"l\":\"one\\n  two\\n\\nthree\\n\",\"next\":1}");
	CHECK_STR(fm("---\nf: >-\n  one\n  two\n\n  three\n---\n"),
	    "{\"f\":\"one two\\nthree\"}");
	CHECK_STR(fm("---\na:\n  - - x\n    - y\n  - z\nb:\nc: 1\n---\n"),
	    "{\"a\":[[\"x\",\"y\"],\"z\"],\"b\":null,\"c\":1}");
	CHECK_STR(fm("---\nk: |+\n  a\n\n---\n"), "{\"k\":\"a\\n\\n\"}");
	CHECK_STR(fm("---\ns:\n- |\n  x\n- y\n---\n"),
	    "{\"s\":[\"x\\n\",\"y\"]}");
}

static void
test_none_or_refused(void)
{
	CHECK(fm("# title\n---\na: 1\n---\n") == NULL);	/* not at start */
	CHECK(fm("---\na: 1\n") == NULL);		/* never closed */
	CHECK(fm("---\n---\nbody") == NULL);		/* empty */
	CHECK(fm("---\n- a\n- b\n---\n") == NULL);	/* not a mapping */
	CHECK(fm("---\njust text\n---\n") == NULL);
	CHECK(fm("---\na: &x 1\nb: *x\n---\n") == NULL);	/* anchors */
	CHECK(fm("---\na: !!str 1\n---\n") == NULL);	/* tags */
	CHECK(fm("---\na:\n\t- 1\n---\n") == NULL);	/* tab indentation */
	CHECK(fm("---\na: 1\n  b: 2\n---\n") == NULL);	/* bad indentation */
	CHECK(fm("---\na: [1, 2\n---\n") == NULL);	/* unclosed flow */
	CHECK(fm("---\na: \"x\n---\n") == NULL);		/* unclosed quote */
	CHECK(fm("---\na: \"\\q\"\n---\n") == NULL);	/* bad escape */
	CHECK(fm("---\n? a\n: b\n---\n") == NULL);	/* complex key */
	CHECK(fm("---\na: [x: y]\n---\n") == NULL);	/* pair in a list */
	CHECK(fm("") == NULL);
	CHECK(fm("---") == NULL);
}

static void
test_deep(void)
{
	char s[2048];
	size_t i, n = 0;

	n += (size_t)snprintf(s + n, sizeof(s) - n, "---\na: ");
	for (i = 0; i < 100; i++)
		s[n++] = '[';
	for (i = 0; i < 100; i++)
		s[n++] = ']';
	snprintf(s + n, sizeof(s) - n, "\n---\n");
	CHECK(fm(s) == NULL);			/* too deep: refused */
}

int
main(void)
{
	arena_init(&a, 4096);
	RUN(test_card);
	RUN(test_scalars);
	RUN(test_block_scalars);
	RUN(test_none_or_refused);
	RUN(test_deep);
	arena_free(&a);
	return check_done("frontmatter");
}
