/*
 * test_gitrules.c: wildmatch, .gitattributes (LFS) and .gitignore rules.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
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
		{ "[", "[", false },		/* malformed class: git matches nothing */
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

/* The caps: rules per text, pattern length, git's attribute line limit. */
static void
test_caps(void)
{
	size_t len = (RULES_MAX + 1) * 8, i;
	char *t = malloc(16 * (RULES_MAX + 1) + RULES_PATTERN_MAX);
	struct arena a;
	struct rules rs;

	CHECK(t != NULL);
	if (t == NULL)
		return;
	arena_init(&a, 1 << 16);
	for (i = 0; i < RULES_MAX + 1; i++)
		snprintf(t + 8 * i, 9, "r%06zu\n", i);
	CHECK(rules_parse_ignore(&rs, &a, t, len - 8) == NULL);
	CHECK(rs.n == RULES_MAX);
	CHECK(rules_parse_ignore(&rs, &a, t, len) != NULL);
	for (i = 0; i < RULES_MAX + 1; i++)
		memcpy(t + 8 * i, "*.b -fi\n", 8);	/* "-fi": no rule */
	CHECK(rules_parse_attributes(&rs, &a, t, len) == NULL && rs.n == 0);
	for (i = 0; i < RULES_MAX + 1; i++)
		snprintf(t + 14 * i, 15, "%02zu filter=lfs\n", i % 100);
	CHECK(rules_parse_attributes(&rs, &a, t, 14 * RULES_MAX) == NULL);
	CHECK(rs.n == RULES_MAX);
	CHECK(rules_parse_attributes(&rs, &a, t, 14 * (RULES_MAX + 1)) !=
	    NULL);
	/* a pattern of RULES_PATTERN_MAX bytes, then one byte more */
	memset(t, 'x', RULES_PATTERN_MAX + 1);
	CHECK(rules_parse_ignore(&rs, &a, t, RULES_PATTERN_MAX) == NULL &&
	    rs.n == 1);
	CHECK(rules_parse_ignore(&rs, &a, t, RULES_PATTERN_MAX + 1) != NULL);
	/* attributes: lines of 2,048 bytes or more are skipped, as git does */
	memcpy(t + RULES_ATTR_LINE_MAX - 11, " filter=lfs", 11);
	CHECK(rules_parse_attributes(&rs, &a, t, RULES_ATTR_LINE_MAX) ==
	    NULL && rs.n == 0);
	CHECK(rules_parse_attributes(&rs, &a, t + 1, RULES_ATTR_LINE_MAX - 1)
	    == NULL && rs.n == 1);
	arena_free(&a);
	free(t);
}

/*
 * The cost of matching is bounded: 4,096 "**\/xN" rules against 1,000
 * paths 490 folders deep (once 2.8 s per path) stop at the step budget,
 * and the set says so. Folders shared by paths are matched once.
 */
static void
test_cost(void)
{
	char *t = malloc(4096 * 12), path[1100];
	size_t n = 0, i, j, k;
	struct arena a;
	struct rules rs;

	CHECK(t != NULL);
	if (t == NULL)
		return;
	arena_init(&a, 1 << 16);
	for (i = 0; i < 4096; i++)
		n += (size_t)sprintf(t + n, "**/x%zu\n", i);
	CHECK(rules_parse_ignore(&rs, &a, t, n) == NULL && rs.n == 4096);
	for (i = 0; i < 1000; i++) {
		k = (size_t)sprintf(path, "%zu", i);
		for (j = 0; j < 490; j++)
			k += (size_t)sprintf(path + k, "/a");
		strcpy(path + k, "/f");
		(void)rules_is_ignored(&rs, path);
	}
	CHECK(rules_too_costly(&rs));
	CHECK(rs.steps == rs.max_steps + 1);
	/* 1,000 files in one folder 400 deep: each folder once */
	CHECK(rules_parse_ignore(&rs, &a, t, n) == NULL);
	for (i = 0; i < 1000; i++) {
		for (k = 0, j = 0; j < 400; j++)
			k += (size_t)sprintf(path + k, "a/");
		sprintf(path + k, "f%zu", i);
		CHECK(!rules_is_ignored(&rs, path));
	}
	CHECK(!rules_too_costly(&rs));
	CHECK(rs.nfolders == 400);
	/* each file and each folder tries every rule once */
	CHECK(rs.steps >= (1000 + 400) * 4096);
	CHECK(rs.steps < (uint64_t)(1000 + 400) * 4096 * 30);
	arena_free(&a);
	free(t);
}

/*
 * khub against git itself: each case's rules as the .gitignore (kind 'i')
 * or .gitattributes ('a') of a scratch repository, the path asked of
 * `git check-ignore` / `git check-attr filter`, and khub's answer must be
 * git's. Without git on PATH the comparison is skipped.
 */
static const struct { char kind; const char *rules, *path; } vs_git[] = {
	{ 'i', "*.log\n", "a/b/x.log" },
	{ 'i', "*.log\n!keep.log\n", "keep.log" },
	{ 'i', "build/\n", "build/out.bin" },
	{ 'i', "build/\n", "build" },
	{ 'i', "/secret.txt\n", "sub/secret.txt" },
	{ 'i', "docs/*.tmp\n", "docs/sub/a.tmp" },
	{ 'i', "[[:digit:]]*.log\n", "1.log" },
	{ 'i', "[[:digit:]]*.log\n", "a.log" },
	{ 'i', "[[:alpha:]][[:alnum:]]\n", "a1" },
	{ 'i', "[[:upper:]]\n", "a" },
	{ 'i', "[[:space:]]x\n", " x" },
	{ 'i', "[[:punct:]]\n", "!" },
	{ 'i', "[[:digit:]-z]\n", "-" },
	{ 'i', "[[:foo:]]\n", "f" },
	{ 'i', "[]]\n", "]" },
	{ 'i', "[\\]]\n", "]" },
	{ 'i', "[\\]]\n", "\\" },
	{ 'i', "[a\\-c]\n", "b" },
	{ 'i', "[!a]\n", "b" },
	{ 'i', "[^a]\n", "a" },
	{ 'i', "[z-a]\n", "q" },
	{ 'i', "[\n", "[" },
	{ 'i', "x\\ \n", "x " },
	{ 'i', "x \n", "x" },
	{ 'i', "x\\ \\ \n", "x  " },
	{ 'i', "\\#a\n", "#a" },
	{ 'i', "#a\n", "#a" },
	{ 'i', "\\!a\n", "!a" },
	{ 'i', "\"q\"\n", "\"q\"" },
	{ 'i', "a\\\n", "a" },
	{ 'i', "**/foo\n", "a/b/foo" },
	{ 'i', "a/**/b\n", "a/b" },
	{ 'i', "a/**\n", "a/x/y" },
	{ 'i', "a/**\n", "a" },
	{ 'i', "a**b\n", "axxb" },
	{ 'i', "a**b\n", "ax/xb" },
	{ 'i', "*/b\n", "x/a/b" },
	{ 'i', "a?b\n", "a/b" },
	{ 'i', "dir/\n", "x/dir/y" },
	{ 'i', "d/\n!d/f\n", "d/f" },
	{ 'i', "d/*\n!d/f\n", "d/f" },
	{ 'i', "*.[oa]\n", "x.o" },
	{ 'i', "\\*\n", "a" },
	{ 'i', "\\a\n", "a" },
	{ 'i', "a**/b\n", "ax/b" },
	{ 'i', "a**/b\n", "a/x/b" },	/* git: literal "a", then "**\/b" */
	{ 'i', "a*/**/b\n", "ab/b" },
	{ 'i', "ab**/c\n", "ab/x/c" },
	{ 'a', "a**/b filter=lfs\n", "a/x/b" },
	{ 'i', "**\n", "x/y" },
	{ 'i', "foo/**/\n", "foo/x/y" },
	{ 'i', "x\t\n", "x" },
	{ 'i', "x\r\n", "x" },
	{ 'i', "[[:xdigit:]]\n", "F" },
	{ 'i', "[a-]\n", "-" },
	{ 'i', "[!]a]\n", "]" },
	{ 'i', "[a-c-e]\n", "d" },
	{ 'i', "[[:digit:]\n", "1" },
	{ 'i', "x[[:]\n", "x:" },	/* ":" alone is pathspec magic */
	{ 'a', "*.bin filter=lfs\n", "x/y.bin" },
	{ 'a', "\"a b\" filter=lfs\n", "a b" },
	{ 'a', "\"a\\\"b\" filter=lfs\n", "a\"b" },
	{ 'a', "\"a\\tb\" filter=lfs\n", "a\tb" },
	{ 'a', "[[:digit:]]* filter=lfs\n", "1x" },
	{ 'a', "*.bin filter=lfs\nsmall.bin -filter\n", "small.bin" },
	{ 'a', "*.bin filter=lfs\nsmall.bin !filter\n", "small.bin" },
	{ 'a', "dir/ filter=lfs\n", "dir/x" },
	{ 'a', "dir/** filter=lfs\n", "dir/x/y" },
	{ 'a', "*.BIN filter=lfs\n", "a.bin" },
	{ 'a', "/top.dat filter=lfs\n", "sub/top.dat" },
	{ 'a', "*.bin filter=lfs\n*.bin filter=xet\n", "a.bin" },
	{ 'a', "*.bin\tfilter=lfs\n", "a.bin" },
	{ 'a', "  *.bin filter=lfs\n", "a.bin" },
	{ 'a', "*.bin filter=lfs -filter\n", "a.bin" },
	{ 'a', "**/x filter=lfs\n", "a/b/x" },
	{ 'a', "a\\ b filter=lfs\n", "a\\" },
	{ 'a', "[\\]] filter=lfs\n", "]" },
	{ 'a', "[attr]lfs filter=lfs\n", "alfs" },
	{ 'a', "*.bin filter=lfs\r\n", "a.bin" },
	{ 'a', "\"a b filter=lfs\n", "\"a" },
	{ 'a', "\"a\\101\" filter=lfs\n", "aA" },
};

/* Runs argv in dir; its first line of output into out (may be NULL).
 * Returns the exit status, or -1. */
static int
run_git(const char *dir, char *const argv[], char *out, size_t outlen)
{
	int fd[2], st;
	pid_t pid;
	ssize_t k;
	size_t got = 0;

	if (pipe(fd) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		if (chdir(dir) != 0)
			_exit(127);
		execvp("git", argv);
		_exit(127);
	}
	close(fd[1]);
	while (out != NULL && got + 1 < outlen &&
	    (k = read(fd[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)k;
	if (out != NULL)
		out[got] = '\0';
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void
test_versus_git(void)
{
	char dir[] = "/tmp/khub-gitrules-XXXXXX", file[256], out[1024];
	char *init[] = { "git", "init", "-q", NULL, NULL };
	struct arena a;
	size_t i, disagree = 0;

	if (mkdtemp(dir) == NULL || run_git(dir, init, NULL, 0) != 0) {
		fprintf(stderr, "test_versus_git: no git; skipped\n");
		return;
	}
	arena_init(&a, 1024);
	for (i = 0; i < sizeof(vs_git) / sizeof(vs_git[0]); i++) {
		const char *rules = vs_git[i].rules, *path = vs_git[i].path;
		bool ign = vs_git[i].kind == 'i', git, ours;
		char *ci[] = { "git", "check-ignore", "-q", "--no-index", "--",
		    (char *)path, NULL };
		char *ca[] = { "git", "check-attr", "filter", "--",
		    (char *)path, NULL };
		struct rules rs;
		FILE *f;
		int rc;

		snprintf(file, sizeof(file), "%s/.gitignore", dir);
		unlink(file);
		snprintf(file, sizeof(file), "%s/.gitattributes", dir);
		unlink(file);
		snprintf(file, sizeof(file), "%s/%s", dir, ign ? ".gitignore" :
		    ".gitattributes");
		if ((f = fopen(file, "w")) == NULL)
			break;
		fputs(rules, f);
		fclose(f);
		if (ign) {
			rc = run_git(dir, ci, NULL, 0);
			git = rc == 0;
			rules_parse_ignore(&rs, &a, rules, strlen(rules));
			ours = rules_is_ignored(&rs, path);
		} else {
			const char *v;

			rc = run_git(dir, ca, out, sizeof(out));
			v = strstr(out, ": filter: ");
			git = rc == 0 && v != NULL && !strcmp(v + 10, "lfs\n");
			rules_parse_attributes(&rs, &a, rules, strlen(rules));
			ours = rules_is_lfs(&rs, path);
		}
		if (rc < 0 || rc > 1) {
			fprintf(stderr, "test_versus_git: git failed (%d) on "
			    "case %zu\n", rc, i);
			CHECK(!"git ran");
			continue;
		}
		if (git != ours) {
			disagree++;
			fprintf(stderr, "vs git: %s rules \"%s\" path \"%s\": "
			    "git %d, khub %d\n", ign ? "ignore" : "attr",
			    rules, path, git, ours);
		}
	}
	CHECK(disagree == 0);
	arena_free(&a);
	snprintf(file, sizeof(file), "rm -rf '%s'", dir);
	if (system(file) != 0)
		fprintf(stderr, "test_versus_git: %s failed\n", file);
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
	RUN(test_caps);
	RUN(test_cost);
	RUN(test_versus_git);
	return check_done("gitrules");
}
