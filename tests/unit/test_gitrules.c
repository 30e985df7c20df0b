/*
 * test_gitrules.c: wildmatch, .gitattributes (LFS) and .gitignore rules.
 */
#include "check.h"
#include "gitrules.h"

static void
test_glob(void)
{
	static const struct { const char *p, *t; bool m; } cases[] = {
		{ "*.bin", "model.bin", true },
		{ "*.bin", "dir/model.bin", false },	/* '*' stops at '/' */
		{ "*", "", true },
		{ "a?c", "abc", true },
		{ "a?c", "a/c", false },
		{ "*.tar.*", "x.tar.gz", true },
		{ "*tfevents*", "events.out.tfevents.123", true },
		{ "saved_model/**/*", "saved_model/a/b/c.pb", true },
		{ "saved_model/**/*", "saved_model/c.pb", true },
		{ "saved_model/**/*", "other/c.pb", false },
		{ "**/foo", "foo", true },
		{ "**/foo", "a/b/foo", true },
		{ "**/foo", "a/b/foox", false },
		{ "a/**", "a/b/c", true },
		{ "a/**/b", "a/b", true },
		{ "a/**/b", "a/x/y/b", true },
		{ "a/**/b", "a/x/y/c", false },
		{ "[abc].txt", "b.txt", true },
		{ "[!abc].txt", "b.txt", false },
		{ "[a-c]x", "bx", true },
		{ "[a-c]x", "dx", false },
		{ "[]]", "]", true },
		{ "[", "[", true },		/* malformed class: literal */
		{ "\\*", "*", true },
		{ "\\*", "a", false },
		{ "*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
		{ "data/*.csv", "data/x.csv", true },
		{ "data/*.csv", "data/sub/x.csv", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (glob_match(cases[i].p, cases[i].t) != cases[i].m) {
			fprintf(stderr, "glob '%s' '%s' should be %d\n",
			    cases[i].p, cases[i].t, cases[i].m);
			CHECK(!"glob");
		}
}

static void
test_attributes(void)
{
	static const char text[] =
	    "# comment\n"
	    "*.bin filter=lfs diff=lfs merge=lfs -text\r\n"
	    "*.json filter=lfs\n"
	    "small.json -filter\n"
	    "saved_model/**/* filter=lfs diff=lfs merge=lfs -text\n"
	    "/top.dat filter=lfs\n"
	    "*.txt text\n"
	    "!neg filter=lfs\n";
	struct arena a;
	struct rules rs;

	arena_init(&a, 1024);
	rules_parse_attributes(&rs, &a, text, sizeof(text) - 1);
	CHECK(rules_is_lfs(&rs, "w.bin"));
	CHECK(rules_is_lfs(&rs, "deep/dir/w.bin"));
	CHECK(rules_is_lfs(&rs, "config.json"));
	CHECK(!rules_is_lfs(&rs, "small.json"));	/* later rule unsets */
	CHECK(!rules_is_lfs(&rs, "dir/small.json"));
	CHECK(rules_is_lfs(&rs, "saved_model/v1/x.pb"));
	CHECK(rules_is_lfs(&rs, "top.dat"));
	CHECK(!rules_is_lfs(&rs, "sub/top.dat"));	/* anchored */
	CHECK(!rules_is_lfs(&rs, "a.txt"));
	CHECK(!rules_is_lfs(&rs, "neg"));
	CHECK(!rules_is_lfs(&rs, "README.md"));
	arena_free(&a);
}

static void
test_ignore(void)
{
	static const char text[] =
	    "*.log\n"
	    "!keep.log\n"
	    "build/\n"
	    "/secret.txt\n"
	    "docs/*.tmp\n"
	    "\n# nothing\n";
	struct arena a;
	struct rules rs;

	arena_init(&a, 1024);
	rules_parse_ignore(&rs, &a, text, sizeof(text) - 1);
	CHECK(rules_is_ignored(&rs, "x.log"));
	CHECK(rules_is_ignored(&rs, "a/b/x.log"));
	CHECK(!rules_is_ignored(&rs, "keep.log"));
	CHECK(rules_is_ignored(&rs, "build/out.bin"));
	CHECK(rules_is_ignored(&rs, "src/build/out.bin"));
	CHECK(!rules_is_ignored(&rs, "build"));		/* a file, not dir */
	CHECK(rules_is_ignored(&rs, "secret.txt"));
	CHECK(!rules_is_ignored(&rs, "sub/secret.txt"));
	CHECK(rules_is_ignored(&rs, "docs/a.tmp"));
	CHECK(!rules_is_ignored(&rs, "docs/sub/a.tmp"));
	CHECK(!rules_is_ignored(&rs, "model.safetensors"));
	arena_free(&a);
}

static void
test_garbage(void)
{
	static const char junk[] = "\0\0[[[**//\\\n!\n/\n   \n\xff\xfe filter=lfs";
	struct arena a;
	struct rules rs;

	arena_init(&a, 1024);
	rules_parse_attributes(&rs, &a, junk, sizeof(junk) - 1);
	rules_parse_ignore(&rs, &a, junk, sizeof(junk) - 1);
	CHECK(!rules_is_lfs(&rs, "a"));
	arena_free(&a);
}

int
main(void)
{
	RUN(test_glob);
	RUN(test_attributes);
	RUN(test_ignore);
	RUN(test_garbage);
	return check_done("gitrules");
}
