/*
 * test_mirror_json.c: reading upstream hubs' answers (mirror_json.c):
 * what is kept of a good answer, and that each kind of bad one is refused.
 */
#include <string.h>

#include "arena.h"
#include "check.h"
#include "mirror_json.h"

static struct arena a;
static char err[256];

#define SHA1 "c6d1344d746e5e190fbdca1efdf2fd955f3bb8aa"
#define LFS_SHA \
	"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

static int
info(const char *s, struct up_info *i)
{
	return mirror_parse_info(&a, s, strlen(s), i, err, sizeof(err));
}

static void
test_info(void)
{
	struct up_info i;

	CHECK(info("{\"sha\":\"" SHA1 "\",\"private\":false,\"gated\":false,"
	    "\"createdAt\":\"2024-01-02T03:04:05.678Z\"}", &i) == 0);
	CHECK(!i.private_ && !i.gated && !i.disabled);
	CHECK(i.created_ms == INT64_C(1704164645678));
	/* gated as a string is gated; no "private" is private (safe) */
	CHECK(info("{\"sha\":\"" SHA1 "\",\"gated\":\"manual\"}", &i) == 0);
	CHECK(i.gated && i.private_);
	CHECK(info("{\"sha\":\"" SHA1 "\"} x", &i) != 0);
	CHECK(info("{\"sha\":\"C6D1344D746E5E190FBDCA1EFDF2FD955F3BB8AA\"}",
	    &i) != 0);
	CHECK(info("{\"sha\":\"c6d1\"}", &i) != 0);
	CHECK(info("[]", &i) != 0);
	CHECK(strstr(err, "repo info") != NULL);
}

static void
test_refs(void)
{
	struct up_ref *v = NULL;
	size_t n = 0;
	const char *ok = "{\"branches\":[{\"name\":\"main\",\"ref\":"
	    "\"refs/heads/main\",\"targetCommit\":\"" SHA1 "\"}],\"tags\":"
	    "[{\"name\":\"v1\",\"targetCommit\":\"" SHA1 "\"}],\"converts\":[]}";
	const char *bad = "{\"branches\":[{\"name\":\"a..b\",\"targetCommit\":"
	    "\"" SHA1 "\"}],\"tags\":[]}";

	CHECK(mirror_parse_refs(&a, ok, strlen(ok), &v, &n, err,
	    sizeof(err)) == 0);
	CHECK(n == 2);
	CHECK_STR(v[0].name, "main");
	CHECK(!v[0].tag && v[1].tag);
	n = 0;
	CHECK(mirror_parse_refs(&a, bad, strlen(bad), &v, &n, err,
	    sizeof(err)) != 0);
}

static int
tree(const char *s, struct up_entry **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	return mirror_parse_tree(&a, s, strlen(s), v, n, 10, err,
	    sizeof(err));
}

static void
test_tree(void)
{
	struct up_entry *v;
	size_t n;

	CHECK(tree("[{\"type\":\"directory\",\"oid\":\"" SHA1 "\",\"size\":0,"
	    "\"path\":\"a\"},{\"type\":\"file\",\"oid\":\"" SHA1 "\","
	    "\"size\":6,\"path\":\"a/b.txt\"}]", &v, &n) == 0);
	CHECK(n == 2 && v[0].dir && !v[1].dir && v[1].size == 6);
	CHECK_STR(v[1].path, "a/b.txt");
	/* paths git refuses */
	CHECK(tree("[{\"type\":\"file\",\"oid\":\"" SHA1 "\",\"size\":1,"
	    "\"path\":\"../x\"}]", &v, &n) != 0);
	CHECK(tree("[{\"type\":\"file\",\"oid\":\"" SHA1 "\",\"size\":1,"
	    "\"path\":\".git/config\"}]", &v, &n) != 0);
	CHECK(tree("[{\"type\":\"file\",\"oid\":\"" SHA1 "\",\"size\":-1,"
	    "\"path\":\"x\"}]", &v, &n) != 0);
	CHECK(tree("[{\"type\":\"link\",\"oid\":\"" SHA1 "\",\"size\":1,"
	    "\"path\":\"x\"}]", &v, &n) != 0);
	/* an LFS entry whose oid is not its pointer's blob id */
	CHECK(tree("[{\"type\":\"file\",\"oid\":\"" SHA1 "\",\"size\":1,"
	    "\"path\":\"w\",\"lfs\":{\"oid\":\"" LFS_SHA "\",\"size\":1}}]", &v,
	    &n) != 0);
	CHECK(strstr(err, "LFS pointer") != NULL);
	/* more than max */
	CHECK(tree("[{},{},{},{},{},{},{},{},{},{},{}]", &v, &n) != 0);
	CHECK(strstr(err, "max_files") != NULL);
}

static void
test_lfs_entry(void)
{
	/* the pointer's blob id computed here, so the test holds itself */
	struct buf ptr, s;
	struct oid poid;
	unsigned char sha[SHA256_LEN];
	struct up_entry *v = NULL;
	size_t n = 0;
	char hex[OID_HEX + 1];

	hex_decode(sha, SHA256_LEN, LFS_SHA, 64);
	buf_init(&ptr, &a);
	lfs_pointer(&ptr, sha, 1);
	git_blob_oid(&poid, ptr.data, ptr.len);
	oid_hex(&poid, hex);
	buf_init(&s, &a);
	buf_printf(&s, "[{\"type\":\"file\",\"oid\":\"%s\",\"size\":1,"
	    "\"path\":\"w.bin\",\"lfs\":{\"oid\":\"%s\",\"size\":1,"
	    "\"pointerSize\":%zu}}]", hex, LFS_SHA, ptr.len);
	CHECK(mirror_parse_tree(&a, s.data, s.len, &v, &n, 10, err,
	    sizeof(err)) == 0);
	CHECK(n == 1 && v[0].lfs && !memcmp(v[0].sha256, sha, SHA256_LEN));
}

static void
test_commits(void)
{
	struct up_commit *v = NULL;
	size_t n = 0;
	const char *ok = "[{\"id\":\"" SHA1 "\",\"title\":\"s\",\"message\":"
	    "\"d\",\"authors\":[{\"user\":\"seed\"}],\"date\":"
	    "\"2026-12-03T08:45:41.000Z\"},{\"id\":\"" SHA1 "\",\"title\":"
	    "\"t\",\"message\":\"\",\"authors\":[],\"date\":"
	    "\"2026-12-03T08:45:35Z\"}]";
	const char *nl = "[{\"id\":\"" SHA1 "\",\"title\":\"a\\nb\","
	    "\"message\":\"\",\"date\":\"2026-12-03T08:45:35Z\"}]";

	CHECK(mirror_parse_commits(&a, ok, strlen(ok), &v, &n, 1000, err,
	    sizeof(err)) == 0);
	CHECK(n == 2);
	CHECK_STR(v[0].author, "seed");
	CHECK_STR(v[1].author, "");
	CHECK(v[0].time == 1796287541);
	/* at most max kept: older history is left out */
	n = 0;
	CHECK(mirror_parse_commits(&a, ok, strlen(ok), &v, &n, 1, err,
	    sizeof(err)) == 0);
	CHECK(n == 1);
	n = 0;
	CHECK(mirror_parse_commits(&a, nl, strlen(nl), &v, &n, 10, err,
	    sizeof(err)) != 0);
}

static void
test_time(void)
{
	int64_t ms;

	CHECK(mirror_parse_time("1970-01-01T00:00:00Z", &ms) == 0 && ms == 0);
	CHECK(mirror_parse_time("2025-01-20T10:15:32.123Z", &ms) == 0);
	CHECK(ms == INT64_C(1737368132123));
	CHECK(mirror_parse_time("2025-13-20T10:15:32Z", &ms) != 0);
	CHECK(mirror_parse_time("2025-01-20 10:15:32", &ms) != 0);
	CHECK(mirror_parse_time("", &ms) != 0);
}

int
main(void)
{
	arena_init(&a, 4096);
	RUN(test_info);
	RUN(test_refs);
	RUN(test_tree);
	RUN(test_lfs_entry);
	RUN(test_commits);
	RUN(test_time);
	arena_free(&a);
	return check_done("test_mirror_json");
}
