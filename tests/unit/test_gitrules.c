/*
 * test_gitrules.c: wildmatch, .gitattributes (LFS) and .gitignore rules.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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

/*
 * Text that is not NUL-terminated, its last byte the last of a page whose
 * successor is unmapped: a parser reading past len faults here even
 * without ASan.
 */
static void
test_unterminated(void)
{
	static const char text[] = "*.bin\tfilter=lfs\nmodel.pt";
	long pg = sysconf(_SC_PAGESIZE);
	char *map, *t;
	struct arena a;
	struct rules rs;

	map = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	CHECK(mprotect(map + pg, (size_t)pg, PROT_NONE) == 0);
	t = map + pg - (sizeof(text) - 1);
	memcpy(t, text, sizeof(text) - 1);
	arena_init(&a, 1024);
	rules_parse_attributes(&rs, &a, t, sizeof(text) - 1);
	CHECK(rs.n == 1);
	CHECK(rules_is_lfs(&rs, "w.bin"));
	rules_parse_ignore(&rs, &a, t, sizeof(text) - 1);
	CHECK(rs.n == 2);
	CHECK(rules_is_ignored(&rs, "model.pt"));
	/* the last line, a pattern with an attribute and no newline */
	memcpy(map + pg - 9, "x -filte", 8);
	map[pg - 1] = 'r';
	rules_parse_attributes(&rs, &a, map + pg - 9, 9);
	CHECK(rs.n == 1 && !rs.r[0].lfs);
	arena_free(&a);
	munmap(map, 2 * (size_t)pg);
}

/* 1 MiB without a blank: one line, parsed once (the scan for the end of
 * the pattern once ran to the next blank of the whole text, per line). */
static void
test_long_text(void)
{
	size_t len = 1 << 20, i;
	char *t = malloc(len);
	struct arena a;
	struct rules rs;

	CHECK(t != NULL);
	if (t == NULL)
		return;
	/* 128 Ki lines "*.aaaa\n" with no attribute, then one that has one */
	for (i = 0; i + 8 <= len; i += 8)
		memcpy(t + i, "*.aaaaa\n", 8);
	memcpy(t + len - 16, "*.b filter=lfs\n", 16);
	arena_init(&a, 1 << 16);
	rules_parse_attributes(&rs, &a, t, len);
	CHECK(rs.n == 1);
	CHECK(rules_is_lfs(&rs, "x.b"));
	CHECK(!rules_is_lfs(&rs, "x.aaaaa"));
	arena_free(&a);
	free(t);
}

int
main(void)
{
	RUN(test_glob);
	RUN(test_attributes);
	RUN(test_ignore);
	RUN(test_garbage);
	RUN(test_unterminated);
	RUN(test_long_text);
	return check_done("gitrules");
}
