/*
 * test_frontmatter.c: README front matter to JSON, as model cards write it
 * and as PyYAML's safe_load reads it (huggingface_hub's reader), and the
 * YAML this reader refuses.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>

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
	    "{\"a\":1,\"b\":-2,\"c\":1.5,\"d\":\"1e3\",\"e\":true,"
	    "\"f\":false,\"g\":null,\"h\":null,\"i\":null,\"j\":31,"
	    "\"k\":\"1\",\"l\":\"it's\",\"m\":1.0,\"n\":\"v1.0\","
	    "\"o\":1e+20,\"p\":\"\xc3\xbc" "A\"}");
	/* a URL, a '#' that is not a comment */
	CHECK_STR(fm("---\nurl: http://x.org/a#b\nt: a:b\n---\n"),
	    "{\"url\":\"http://x.org/a#b\",\"t\":\"a:b\"}");
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
	CHECK(fm("---\nt: a: b\n---\n") == NULL);	/* ": " in a plain value */
	CHECK(fm("---\na: *x\n---\n") == NULL);	/* an unknown alias */
	CHECK(fm("---\na: &x 1\nb: &x 2\n---\n") == NULL); /* anchor twice */
	CHECK(fm("---\na: !!binary aGk=\n---\n") == NULL);	/* not JSON */
	CHECK(fm("---\na: !!python/name:os.system\n---\n") == NULL);
	CHECK(fm("---\na: .inf\n---\n") == NULL);	/* not JSON either */
	CHECK(fm("---\n? [a]\n: b\n---\n") == NULL);	/* unhashable key */
	CHECK(fm("---\n<<: 1\n---\n") == NULL);	/* merging no mapping */
	CHECK(fm("---\na:\n\t- 1\n---\n") == NULL);	/* tab indentation */
	CHECK(fm("---\na: 1\n  b: 2\n---\n") == NULL);	/* bad indentation */
	CHECK(fm("---\na: [1, 2\n---\n") == NULL);	/* unclosed flow */
	CHECK(fm("---\na: \"x\n---\n") == NULL);		/* unclosed quote */
	CHECK(fm("---\na: \"\\q\"\n---\n") == NULL);	/* bad escape */

	CHECK(fm("") == NULL);
	CHECK(fm("---") == NULL);
}

/* What PyYAML reads and the reader before libyaml refused. */
static void
test_pyyaml(void)
{
	CHECK_STR(fm("---\na: &x 1\nb: *x\n---\n"), "{\"a\":1,\"b\":1}");
	CHECK_STR(fm("---\na: !!str 1\n---\n"), "{\"a\":\"1\"}");
	CHECK_STR(fm("---\n? a\n: b\n---\n"), "{\"a\":\"b\"}");
	CHECK_STR(fm("---\na: [x: y]\n---\n"), "{\"a\":[{\"x\":\"y\"}]}");
	CHECK_STR(fm("---\na: 0.91\nb: 3.0\nc: 1.0e+3\nd: 2.5e-5\n---\n"),
	    "{\"a\":0.91,\"b\":3.0,\"c\":1000.0,\"d\":2.5e-05}");
}

/* Aliases multiply what a small text says: bounded by values made. */
static void
test_laughs(void)
{
	char s[4096];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(s + n, sizeof(s) - n, "---\na0: &a0 [x, x, x, "
	    "x, x, x, x, x, x, x]\n");
	for (i = 1; i < 9; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "a%d: &a%d [*a%d, "
		    "*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
		    i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
		    i - 1, i - 1);
	snprintf(s + n, sizeof(s) - n, "---\n");
	CHECK(fm(s) == NULL);		/* 10^9 values: refused */
	CHECK(fm("---\na: &a [x, x]\nb: [*a, *a]\n---\n") != NULL);
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

/* A whole file into a NUL-terminated string (malloc), or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (s = malloc((size_t)n + 1)) == NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	*len = fread(s, 1, (size_t)n, f);
	s[*len] = '\0';
	fclose(f);
	return s;
}

static int
cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/*
 * tests/vectors/frontmatter: each NAME.yaml as a card's front matter,
 * against NAME.json, what PyYAML's safe_load reads (see the README
 * there). Prints every vector that differs.
 */
static void
test_vectors(void)
{
	static const char dir[] = "tests/vectors/frontmatter";
	char *names[512], path[1024];
	struct dirent *d;
	size_t n = 0, i, same = 0;
	DIR *dp = opendir(dir);

	CHECK(dp != NULL);
	if (dp == NULL)
		return;
	while ((d = readdir(dp)) != NULL && n < 512) {
		size_t l = strlen(d->d_name);

		if (l > 5 && !strcmp(d->d_name + l - 5, ".yaml"))
			names[n++] = strndup(d->d_name, l - 5);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_names);
	CHECK(n >= 60);
	for (i = 0; i < n; i++) {
		char *yaml, *want, *card;
		size_t ylen, wlen, bom;
		json_object *got, *exp;
		bool ok;

		snprintf(path, sizeof(path), "%s/%s.yaml", dir, names[i]);
		yaml = slurp(path, &ylen);
		snprintf(path, sizeof(path), "%s/%s.json", dir, names[i]);
		want = slurp(path, &wlen);
		CHECK(yaml != NULL && want != NULL);
		if (yaml == NULL || want == NULL)
			continue;
		/* a byte order mark comes before the first "---" */
		bom = ylen >= 3 && !memcmp(yaml, "\xef\xbb\xbf", 3) ? 3 : 0;
		card = arena_printf(&a, "%.*s---\n%s---\nbody\n", (int)bom,
		    yaml, yaml + bom);
		got = frontmatter_parse(&a, card, strlen(card));
		exp = strncmp(want, "none", 4) ? json_tokener_parse(want) :
		    NULL;
		ok = (got == NULL && exp == NULL) || (got != NULL &&
		    exp != NULL && json_object_equal(got, exp));
		if (ok)
			same++;
		else
			fprintf(stderr, "frontmatter vector %s: got %s, PyYAML "
			    "reads %s", names[i], got ?
			    json_object_to_json_string_ext(got,
			    JSON_C_TO_STRING_PLAIN) : "none", want);
		json_object_put(got);
		json_object_put(exp);
		free(yaml);
		free(want);
		free(names[i]);
		arena_reset(&a);
	}
	printf("frontmatter vectors: %zu of %zu read as PyYAML reads them\n",
	    same, n);
	CHECK(same == n);
}

int
main(void)
{
	arena_init(&a, 4096);
	RUN(test_card);
	RUN(test_scalars);
	RUN(test_block_scalars);
	RUN(test_none_or_refused);
	RUN(test_pyyaml);
	RUN(test_laughs);
	RUN(test_deep);
	RUN(test_vectors);
	arena_free(&a);
	return check_done("frontmatter");
}
