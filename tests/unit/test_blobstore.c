/*
 * test_blobstore.c: how the small blobs of a commit are cut into multi-row
 * INSERTs (blobstore_batch()), and which blobs are small.
 */
#include <stdlib.h>

#include "blobstore.h"
#include "check.h"

static struct blob_row *
rows_of(size_t n, size_t len)
{
	struct blob_row *v = calloc(n + 1, sizeof(*v));
	size_t i;

	if (v == NULL)
		abort();
	for (i = 0; i < n; i++)
		v[i].len = len;
	return v;
}

static void
test_small(void)
{
	CHECK(blobstore_is_small(false, 0));
	CHECK(blobstore_is_small(false, BLOB_SMALL_MAX));
	CHECK(!blobstore_is_small(false, BLOB_SMALL_MAX + 1));
	/* an LFS file's bytes are an LFS object, in S3 */
	CHECK(!blobstore_is_small(true, 10));
}

static void
test_batch(void)
{
	struct blob_row *v = rows_of(5000, 6);
	size_t cost = 6 + BLOB_ROW_COST;

	CHECK(blobstore_batch(v, 0, 1 << 20) == 0);
	CHECK(blobstore_batch(v, 1, 1 << 20) == 1);
	/* tiny rows: the row limit decides */
	CHECK(blobstore_batch(v, 5000, 1 << 20) == BLOB_ROWS_MAX);
	CHECK(blobstore_batch(v, 700, 1 << 20) == 700);
	/* the byte budget decides: exactly k rows fit */
	CHECK(blobstore_batch(v, 5000, 10 * cost) == 10);
	CHECK(blobstore_batch(v, 5000, 10 * cost + cost - 1) == 10);
	/* at least one row, even over the budget (the server then says) */
	CHECK(blobstore_batch(v, 5000, 1) == 1);
	free(v);

	/* 4 KiB rows under 4 MiB: about a thousand, never over budget */
	v = rows_of(5000, BLOB_SMALL_MAX);
	{
		size_t n = blobstore_batch(v, 5000, 4u << 20);

		CHECK(n > 0 && n <= BLOB_ROWS_MAX);
		CHECK(n * (BLOB_SMALL_MAX + BLOB_ROW_COST) <= (4u << 20));
		CHECK((n + 1) * (BLOB_SMALL_MAX + BLOB_ROW_COST) > (4u << 20) ||
		    n == BLOB_ROWS_MAX);
	}
	free(v);
}

static void
test_mixed(void)
{
	struct blob_row v[4] = { { NULL, NULL, 100 }, { NULL, NULL, 4000 },
	    { NULL, NULL, 0 }, { NULL, NULL, 4096 } };
	size_t c = BLOB_ROW_COST;

	CHECK(blobstore_batch(v, 4, 100 + c + 4000 + c) == 2);
	CHECK(blobstore_batch(v, 4, 100 + c + 4000 + c + c) == 3);
	CHECK(blobstore_batch(v + 1, 3, 100) == 1);
	CHECK(blobstore_batch(v, 4, 1 << 20) == 4);
}

int
main(void)
{
	RUN(test_small);
	RUN(test_batch);
	RUN(test_mixed);
	return check_done("blobstore");
}
