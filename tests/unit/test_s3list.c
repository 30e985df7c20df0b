/*
 * test_s3list.c: reading S3's ListObjectsV2 answers (s3_list_parse()).
 */
#include "check.h"
#include "s3.h"

static const char PAGE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>khub</Name><Prefix>lfs-staging/</Prefix><KeyCount>2</KeyCount>"
    "<MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
    "</NextContinuationToken>"
    "<Contents><Key>lfs-staging/7/ab-12</Key>"
    "<LastModified>2026-12-03T08:34:46.123Z</LastModified>"
    "<ETag>&quot;fee2&quot;</ETag><Size>12</Size>"
    "<StorageClass>STANDARD</StorageClass></Contents>"
    "<Contents><Key>lfs-staging/a&amp;b</Key>"
    "<LastModified>2026-12-03T08:34:47Z</LastModified><Size>0</Size>"
    "</Contents></ListBucketResult>";

static void
test_page(void)
{
	struct arena a;
	struct s3_entry *v;
	size_t n;
	char *next;

	arena_init(&a, 1024);
	CHECK(s3_list_parse(&a, PAGE, &v, &n, &next) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(v[0].key, "lfs-staging/7/ab-12");
		CHECK(v[0].size == 12);
		CHECK(v[0].modified == 1796286886);
		CHECK_STR(v[1].key, "lfs-staging/a&b");
		CHECK(v[1].size == 0);
		CHECK(v[1].modified == 1796286887);
	}
	CHECK_STR(next, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	/* the last page, and an empty one */
	CHECK(s3_list_parse(&a, "<ListBucketResult><IsTruncated>false"
	    "</IsTruncated></ListBucketResult>", &v, &n, &next) == 0);
	CHECK(n == 0 && next == NULL);
	arena_free(&a);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		/* truncated, no token to go on with */
		"<IsTruncated>true</IsTruncated>",
		/* an entry without its size, time or key */
		"<Contents><Key>k</Key><LastModified>2026-12-03T08:34:46Z"
		"</LastModified></Contents>",
		"<Contents><Key>k</Key><Size>1</Size></Contents>",
		"<Contents><Size>1</Size><LastModified>2026-12-03T08:34:46Z"
		"</LastModified></Contents>",
		"<Contents><Key></Key><Size>1</Size><LastModified>"
		"2026-12-03T08:34:46Z</LastModified></Contents>",
		/* sizes and times that are not */
		"<Contents><Key>k</Key><Size>-1</Size><LastModified>"
		"2026-12-03T08:34:46Z</LastModified></Contents>",
		"<Contents><Key>k</Key><Size>99999999999999999999</Size>"
		"<LastModified>2026-12-03T08:34:46Z</LastModified></Contents>",
		"<Contents><Key>k</Key><Size>1</Size><LastModified>"
		"2026-12-03 08:34:46</LastModified></Contents>",
		"<Contents><Key>k</Key><Size>1</Size><LastModified>"
		"2026-12-03T08:34:46+01:00</LastModified></Contents>",
		/* cut short */
		"<Contents><Key>k</Key><Size>1</Size>",
		NULL,
	};
	struct arena a;
	struct s3_entry *v;
	size_t n, i;
	char *next;

	arena_init(&a, 1024);
	for (i = 0; bad[i] != NULL; i++) {
		if (s3_list_parse(&a, bad[i], &v, &n, &next) != -1)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(s3_list_parse(&a, bad[i], &v, &n, &next) == -1);
	}
	CHECK(s3_list_parse(&a, NULL, &v, &n, &next) == -1);
	arena_free(&a);
}

int
main(void)
{
	RUN(test_page);
	RUN(test_refused);
	return check_done("s3list");
}
