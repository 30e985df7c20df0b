/*
 * test_s3_live.c: s3.c against a real S3 that checks signatures (Ceph
 * RADOS Gateway in development: contrib/dev, or any S3).
 *
 *	test_s3_live /path/to/khub.conf
 *
 * The [s3] section of that file names the endpoint, bucket and keys; the
 * bucket must exist. Without an argument nothing is run (the suite needs
 * a gateway) and the test passes with 0 checks.
 *
 * Presigned URLs are fetched with a plain libcurl handle, sending no
 * header of its own, as a client that only has the URL would.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "arena.h"
#include "conf.h"
#include "s3.h"
#include "sigv4.h"
#include "check.h"

static struct conf C;
static struct s3 *S;
static struct arena A;
static CURL *H;
static char prefix[64];		/* this run's keys start with it */

#define HELLO		"hello, khub\n"
#define HELLO_MD5	"fee25c5c801e2c617cc488c88dad7a23"
#define MiB		(1024 * 1024)

/* A key of this run. */
static char *
key(const char *name)
{
	return arena_printf(&A, "%s%s", prefix, name);
}

/* A key of this run where upload URLs may put objects. */
static char *
upkey(const char *name)
{
	return arena_printf(&A, S3_UPLOAD_PREFIX "%s%s", prefix, name);
}

/* ---- a plain HTTP client, for presigned URLs ---- */

struct http {
	long		 status;
	struct buf	 body;
	char		 etag[128];
	char		 disposition[256];
	const char	*up;		/* PUT body */
	size_t		 uplen, upoff;
};

static size_t
http_body(char *p, size_t size, size_t n, void *arg)
{
	struct http *h = arg;

	buf_add(&h->body, p, size * n);
	return size * n;
}

static void
header_value(char *dst, size_t dstlen, const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '"')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' ||
	    p[n - 1] == '"'))
		n--;
	snprintf(dst, dstlen, "%.*s", (int)n, p);
}

static size_t
http_header(char *p, size_t size, size_t n, void *arg)
{
	struct http *h = arg;
	size_t len = size * n;

	if (len > 5 && strncasecmp(p, "etag:", 5) == 0)
		header_value(h->etag, sizeof(h->etag), p + 5, len - 5);
	else if (len > 20 && strncasecmp(p, "content-disposition:", 20) == 0)
		header_value(h->disposition, sizeof(h->disposition), p + 20,
		    len - 20);
	return len;
}

static size_t
http_read(char *p, size_t size, size_t n, void *arg)
{
	struct http *h = arg;
	size_t len = size * n;

	if (len > h->uplen - h->upoff)
		len = h->uplen - h->upoff;
	memcpy(p, h->up + h->upoff, len);
	h->upoff += len;
	return len;
}

/* GET (body NULL) or PUT url; returns the status, 0 if no answer. */
static long
http(const char *url, const void *body, size_t len, struct http *h)
{
	struct curl_slist *nohdr = NULL;

	memset(h, 0, sizeof(*h));
	buf_init(&h->body, &A);
	if (url == NULL)
		return 0;
	curl_easy_reset(H);
	curl_easy_setopt(H, CURLOPT_URL, url);
	curl_easy_setopt(H, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(H, CURLOPT_WRITEFUNCTION, http_body);
	curl_easy_setopt(H, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(H, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(H, CURLOPT_HEADERDATA, h);
	/* Only what HTTP needs: no Accept, no Expect. */
	nohdr = curl_slist_append(nohdr, "Accept:");
	nohdr = curl_slist_append(nohdr, "Expect:");
	curl_easy_setopt(H, CURLOPT_HTTPHEADER, nohdr);
	if (body != NULL) {
		h->up = body;
		h->uplen = len;
		curl_easy_setopt(H, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(H, CURLOPT_READFUNCTION, http_read);
		curl_easy_setopt(H, CURLOPT_READDATA, h);
		curl_easy_setopt(H, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	}
	if (curl_easy_perform(H) == CURLE_OK)
		curl_easy_getinfo(H, CURLINFO_RESPONSE_CODE, &h->status);
	curl_slist_free_all(nohdr);
	return h->status;
}

/* ---- s3_get into memory or a hash ---- */

static int
sink_buf(void *arg, const void *p, size_t n)
{
	buf_add(arg, p, n);
	return 0;
}

static int
sink_sha256(void *arg, const void *p, size_t n)
{
	crypto_hash_sha256_update(arg, p, n);
	return 0;
}

static int
sink_stop(void *arg, const void *p, size_t n)
{
	return -1;
}

static bool
object_is(const char *k, const void *want, size_t len)
{
	struct buf b;

	buf_init(&b, &A);
	if (s3_get(S, k, sink_buf, &b) != S3_OK) {
		fprintf(stderr, "GET %s: %s\n", k, s3_errmsg(S));
		return false;
	}
	return b.len == len && memcmp(b.data, want, len) == 0;
}

static char *
fill(size_t len, unsigned seed)
{
	char *p = arena_alloc(&A, len);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)((i * 2654435761u + seed) >> 13);
	return p;
}

/* ---- the tests ---- */

static void
test_check(void)
{
	char err[256] = "x";

	CHECK(s3_check(S, err, sizeof(err)) == S3_OK);
	CHECK_STR(err, "");
}

/* ListObjectsV2: the keys under a prefix, their sizes and times. */
static void
test_list(void)
{
	struct s3_entry *v;
	char *pre = key("list/"), *next;
	time_t now = time(NULL);
	size_t n, i;

	CHECK(s3_put(S, key("list/b"), "bb", 2) == S3_OK);
	CHECK(s3_put(S, key("list/a"), "a", 1) == S3_OK);
	CHECK(s3_put(S, key("listed-not"), "x", 1) == S3_OK);
	CHECK(s3_list_page(S, &A, pre, NULL, &v, &n, &next) == S3_OK);
	CHECK(n == 2);
	CHECK(next == NULL);
	for (i = 0; i < n && i < 2; i++) {
		CHECK(strncmp(v[i].key, pre, strlen(pre)) == 0);
		CHECK(v[i].size == (i == 0 ? 1u : 2u));
		CHECK(v[i].modified >= now - 60 && v[i].modified <= now + 60);
	}
	if (n == 2) {
		CHECK_STR(v[0].key + strlen(pre), "a");
		CHECK_STR(v[1].key + strlen(pre), "b");
	}
	CHECK(s3_list_page(S, &A, key("nothing-here/"), NULL, &v, &n,
	    &next) == S3_OK && n == 0 && next == NULL);
}

static void
test_put_head(void)
{
	struct s3_stat st;
	char *k = key("hello.txt");

	CHECK(s3_put(S, k, HELLO, strlen(HELLO)) == S3_OK);
	CHECK(s3_head(S, k, &st) == S3_OK);
	CHECK(st.size == strlen(HELLO));
	CHECK_STR(st.etag, HELLO_MD5);
	CHECK(object_is(k, HELLO, strlen(HELLO)));
	/* An empty object. */
	CHECK(s3_put(S, key("empty"), "", 0) == S3_OK);
	CHECK(s3_head(S, key("empty"), &st) == S3_OK);
	CHECK(st.size == 0);
	CHECK_STR(st.etag, "d41d8cd98f00b204e9800998ecf8427e");
}

/* Keys with every byte a file path may hold that URLs care about. */
static const char *const odd[] = {
	"dir/with space.txt",
	"q?mark=1&x#frag",
	"100%25 %.bin",
	"a+b+c.txt",
	"c:d,e(f)g;h=i@j!k'l*m$n",
	"unicode-\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87-\xe6\x97\xa5\xe6\x9c\xac.bin",
	"all of it ?%+:,()\xc3\xbc~.-_/dir.x/.hidden/a..b",
	"tab\tand\"quote\"<>[]{}|\\^`",
};

static void
test_presigned_get(void)
{
	struct http h;
	char *k, *url, *body;
	size_t i;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		k = key(odd[i]);
		body = arena_printf(&A, "object %zu: %s\n", i, odd[i]);
		if (s3_put(S, k, body, strlen(body)) != S3_OK) {
			fprintf(stderr, "PUT %s: %s\n", k, s3_errmsg(S));
			CHECK(!"put of an odd key");
			continue;
		}
		url = s3_presign_url(S, &A, "GET", k, NULL, 300, time(NULL));
		CHECK(url != NULL);
		if (http(url, NULL, 0, &h) != 200)
			fprintf(stderr, "%s: %ld %s\n", url, h.status,
			    h.body.data);
		CHECK(h.status == 200);
		CHECK(h.body.len == strlen(body) &&
		    memcmp(h.body.data, body, h.body.len) == 0);
		/* HEAD of the same key through s3.c. */
		CHECK(object_is(k, body, strlen(body)));
	}

	/* An extra signed parameter: the download's file name. */
	url = s3_presign_url(S, &A, "GET", key(odd[0]),
	    "response-content-disposition=attachment%3B%20filename%3D%22"
	    "with%20space.txt%22", 300, time(NULL));
	CHECK(http(url, NULL, 0, &h) == 200);
	CHECK_STR(h.disposition, "attachment; filename=\"with space.txt");
	/* The caller's parameter is signed: changing it breaks the URL. */
	url = arena_strdup(&A, url);
	*strstr(url, "with%20space") = 'W';
	CHECK(http(url, NULL, 0, &h) == 403);
}

static void
test_presigned_refused(void)
{
	struct http h;
	char *url, *sig;

	url = s3_presign_url(S, &A, "GET", key("hello.txt"), NULL, 300,
	    time(NULL));
	CHECK(http(url, NULL, 0, &h) == 200);
	/* One character of the signature changed. */
	url = arena_strdup(&A, url);
	CHECK((sig = strstr(url, "X-Amz-Signature=")) != NULL);
	if (sig == NULL)
		return;
	sig += strlen("X-Amz-Signature=") + 10;
	*sig = *sig == '0' ? '1' : '0';
	CHECK(http(url, NULL, 0, &h) == 403);
	CHECK(strstr(h.body.data, "SignatureDoesNotMatch") != NULL);
	/* Expired: signed two hours ago for one minute. */
	url = s3_presign_url(S, &A, "GET", key("hello.txt"), NULL, 60,
	    time(NULL) - 7200);
	CHECK(http(url, NULL, 0, &h) == 403);
	/* A GET URL does not allow a PUT. */
	url = s3_presign_url(S, &A, "GET", key("hello.txt"), NULL, 300,
	    time(NULL));
	CHECK(http(url, "x", 1, &h) == 403);
	CHECK(object_is(key("hello.txt"), HELLO, strlen(HELLO)));
}

static void
test_presigned_put(void)
{
	struct s3_stat st;
	struct http h;
	char *k = upkey("uploaded/a b?c%d+e:f,(g) \xc3\xa9.bin"), *url, *body;
	size_t len = 100000;

	body = fill(len, 7);
	url = s3_presign_upload(S, &A, k, len, 300, time(NULL));
	/* Content-Length is signed: another length is refused. */
	CHECK(http(url, body, len - 1, &h) == 403);
	CHECK(http(url, body, len, &h) == 200);
	CHECK(s3_head(S, k, &st) == S3_OK);
	CHECK(st.size == len);
	CHECK(object_is(k, body, len));
}

static void
test_multipart(void)
{
	crypto_hash_sha256_state hs;
	unsigned char want[32], got[32];
	struct s3_part parts[2];
	struct s3_stat st;
	struct http h;
	char *k = upkey("big file (multipart).bin"), *id, *p1, *p2, *url;
	size_t n1 = 5 * MiB, n2 = 12345;

	p1 = fill(n1, 1);
	p2 = fill(n2, 2);
	CHECK(s3_multipart_create(S, &A, k, &id) == S3_OK);
	CHECK(id != NULL && *id != '\0');
	if (id == NULL)
		return;

	/* Parts in any order; each answers its ETag. */
	url = s3_presign_part(S, &A, k, id, 2, n2, 300, time(NULL));
	CHECK(http(url, p2, n2, &h) == 200);
	parts[1].number = 2;
	parts[1].etag = arena_strdup(&A, h.etag);
	url = s3_presign_part(S, &A, k, id, 1, n1, 300, time(NULL));
	CHECK(http(url, p1, n1, &h) == 200);
	parts[0].number = 1;
	parts[0].etag = arena_printf(&A, "\"%s\"", h.etag);	/* quoted */

	if (s3_multipart_complete(S, k, id, parts, 2) != S3_OK)
		fprintf(stderr, "complete: %s\n", s3_errmsg(S));
	CHECK(s3_errmsg(S)[0] == '\0');
	CHECK(s3_head(S, k, &st) == S3_OK);
	CHECK(st.size == n1 + n2);
	CHECK(strlen(st.etag) > 2 &&
	    strcmp(st.etag + strlen(st.etag) - 2, "-2") == 0);

	/* Read back through a hash, as an upload's check would. */
	crypto_hash_sha256_init(&hs);
	crypto_hash_sha256_update(&hs, (unsigned char *)p1, n1);
	crypto_hash_sha256_update(&hs, (unsigned char *)p2, n2);
	crypto_hash_sha256_final(&hs, want);
	crypto_hash_sha256_init(&hs);
	CHECK(s3_get(S, k, sink_sha256, &hs) == S3_OK);
	crypto_hash_sha256_final(&hs, got);
	CHECK(memcmp(want, got, 32) == 0);

	/* A part below 5 MiB that is not the last: S3 refuses. */
	CHECK(s3_multipart_create(S, &A, upkey("too small"), &id) == S3_OK);
	url = s3_presign_part(S, &A, upkey("too small"), id, 1, n2, 300,
	    time(NULL));
	CHECK(http(url, p2, n2, &h) == 200);
	parts[0].etag = arena_strdup(&A, h.etag);
	url = s3_presign_part(S, &A, upkey("too small"), id, 2, n2, 300,
	    time(NULL));
	CHECK(http(url, p2, n2, &h) == 200);
	parts[1].etag = arena_strdup(&A, h.etag);
	CHECK(s3_multipart_complete(S, upkey("too small"), id, parts, 2) ==
	    S3_ERROR);
	CHECK(strstr(s3_errmsg(S), "EntityTooSmall") != NULL);
	CHECK(s3_multipart_abort(S, upkey("too small"), id) == S3_OK);
}

static void
test_abort(void)
{
	struct s3_part part;
	struct http h;
	char *k = upkey("aborted.bin"), *id, *url;

	CHECK(s3_multipart_create(S, &A, k, &id) == S3_OK);
	if (id == NULL)
		return;
	url = s3_presign_part(S, &A, k, id, 1, 4, 300, time(NULL));
	CHECK(http(url, "part", 4, &h) == 200);
	CHECK(s3_multipart_abort(S, k, id) == S3_OK);
	/* Gone: no more parts, no completion, no second abort. */
	url = s3_presign_part(S, &A, k, id, 2, 4, 300, time(NULL));
	CHECK(http(url, "part", 4, &h) == 404);
	part.number = 1;
	part.etag = "\"8d777f385d3dfec8815d20f7496026dc\"";
	CHECK(s3_multipart_complete(S, k, id, &part, 1) == S3_NOTFOUND);
	CHECK(strstr(s3_errmsg(S), "no such upload") != NULL);
	CHECK(s3_multipart_complete(S, k, "2~no-such-upload", &part, 1) ==
	    S3_NOTFOUND);
	CHECK(s3_multipart_abort(S, k, id) == S3_NOTFOUND);
	CHECK(strstr(s3_errmsg(S), "NoSuchUpload") != NULL);
	CHECK(s3_head(S, k, &(struct s3_stat){ 0 }) == S3_NOTFOUND);
}

/*
 * Upload URLs name staged keys only, and are signed with the upload keys,
 * which (with the dev stack's bucket policy) read nothing and write
 * nothing elsewhere.
 */
static void
test_upload_keys(void)
{
	struct conf c = C;
	struct s3_stat st;
	struct http h;
	struct s3 *up;
	char *k = upkey("staged.bin");

	CHECK(s3_presign_upload(S, &A, key("x.bin"), 1, 300, time(NULL)) ==
	    NULL);
	CHECK(strstr(s3_errmsg(S), "outside " S3_UPLOAD_PREFIX) != NULL);
	CHECK(s3_presign_upload(S, &A, S3_UPLOAD_PREFIX, 1, 300,
	    time(NULL)) == NULL);
	CHECK(s3_presign_part(S, &A, "lfs/00/00/x", "id", 1, 1, 300,
	    time(NULL)) == NULL);
	CHECK(s3_presign_url(S, &A, "PUT", k, NULL, 300, time(NULL)) == NULL);
	CHECK(s3_presign_url(S, &A, "DELETE", k, NULL, 300, time(NULL)) ==
	    NULL);
	CHECK(http(s3_presign_upload(S, &A, k, 5, 300, time(NULL)), "bytes",
	    5, &h) == 200);
	CHECK(s3_head(S, k, &st) == S3_OK && st.size == 5);
	if (!s3_upload_keys_own(S)) {
		fprintf(stderr, "  (no [s3] upload_access_key: upload URLs "
		    "are signed with the main keys)\n");
		return;
	}
	/* The upload keys as khub's own: they may do nothing but put. */
	c.s3_access_key = C.s3_upload_access_key;
	c.s3_secret_key = C.s3_upload_secret_key;
	if ((up = s3_new(&c)) == NULL) {
		CHECK(up != NULL);
		return;
	}
	CHECK(s3_head(up, key("hello.txt"), &st) == S3_ERROR);
	CHECK(s3_head(up, k, &st) == S3_ERROR);
	CHECK(s3_copy(up, key("hello.txt"), upkey("copied")) == S3_ERROR);
	CHECK(s3_head(S, upkey("copied"), &st) == S3_NOTFOUND);
	CHECK(s3_put(up, key("outside"), "x", 1) == S3_ERROR);
	CHECK(s3_delete(up, k) == S3_ERROR);
	CHECK(s3_put(up, upkey("put"), "x", 1) == S3_OK);
	s3_free(up);
}

static void
test_copy(void)
{
	struct s3_stat st;
	char *src = key("hello.txt"), *dst = key("copies/hello (1) + x?.txt");

	CHECK(s3_copy(S, src, dst) == S3_OK);
	CHECK(s3_head(S, dst, &st) == S3_OK);
	CHECK(st.size == strlen(HELLO));
	CHECK_STR(st.etag, HELLO_MD5);
	CHECK(object_is(dst, HELLO, strlen(HELLO)));
	/* From an odd key too. */
	CHECK(s3_copy(S, key(odd[6]), key("copies/odd")) == S3_OK);
	CHECK(s3_copy(S, key("no such source"), dst) == S3_NOTFOUND);
}

static void
test_delete(void)
{
	struct s3_stat st;
	struct buf b;
	char *k = key("copies/hello (1) + x?.txt");

	CHECK(s3_delete(S, k) == S3_OK);
	CHECK(s3_head(S, k, &st) == S3_NOTFOUND);
	CHECK(strstr(s3_errmsg(S), "no such key") != NULL);
	buf_init(&b, &A);
	CHECK(s3_get(S, k, sink_buf, &b) == S3_NOTFOUND);
	CHECK(b.len == 0);
	CHECK(strstr(s3_errmsg(S), "NoSuchKey") != NULL);
	/* As in S3, deleting what is not there is no error. */
	CHECK(s3_delete(S, k) == S3_OK);
}

static void
test_get_stopped(void)
{
	CHECK(s3_get(S, key("hello.txt"), sink_stop, NULL) == S3_ERROR);
	CHECK(strstr(s3_errmsg(S), "stopped") != NULL);
	/* The handle is still good afterwards. */
	CHECK(object_is(key("hello.txt"), HELLO, strlen(HELLO)));
}

/* GETs ahead: more than run at once, taken in order, each whole; a
 * missing one and one of another length say so, the rest go on. */
static void
test_getq(void)
{
	struct s3_obj objs[20];
	struct s3_getq *q;
	const void *data;
	size_t len, i;
	char *body[20];

	for (i = 0; i < 20; i++) {
		/* of lengths from 9 to some KiB, each its own bytes */
		body[i] = arena_printf(&A, "object %zu%*s", i, (int)(i * 300),
		    "");
		memset(body[i] + 8, 'a' + (int)i, strlen(body[i]) - 8);
		objs[i].key = key(arena_printf(&A, "getq/%zu", i));
		objs[i].data = body[i];
		objs[i].len = strlen(body[i]);
	}
	CHECK(s3_put_many(S, objs, 20) == S3_OK);
	CHECK((q = s3_getq_new(S)) != NULL);
	for (i = 0; i < 20; i++)
		CHECK(s3_getq_add(q, objs[i].key, i == 7 ? objs[i].len - 1 :
		    objs[i].len) == S3_OK);
	CHECK(s3_getq_add(q, key("getq/none"), 10) == S3_OK);
	for (i = 0; i < 20; i++) {
		int rc = s3_getq_take(q, &data, &len);

		if (i == 7) {
			CHECK(rc == S3_ERROR);
			CHECK(strstr(s3_errmsg(S), "getq/7") != NULL);
			continue;
		}
		CHECK(rc == S3_OK);
		CHECK(len == objs[i].len && !memcmp(data, objs[i].data, len));
	}
	CHECK(s3_getq_take(q, &data, &len) == S3_NOTFOUND);
	CHECK(s3_getq_take(q, &data, &len) == S3_ERROR);	/* none left */
	/* refilled once empty, and the client's own calls still work */
	CHECK(s3_getq_add(q, objs[3].key, objs[3].len) == S3_OK);
	CHECK(s3_getq_take(q, &data, &len) == S3_OK && len == objs[3].len);
	s3_getq_free(q);
	CHECK(object_is(objs[5].key, objs[5].data, objs[5].len));
}

/* s3_check() with a changed configuration: the message says what is wrong. */
static int
check_with(struct conf *c, char *err, size_t errlen)
{
	struct s3 *s;
	int rc;

	if ((s = s3_new(c)) == NULL)
		return 99;
	rc = s3_check(s, err, errlen);
	fprintf(stderr, "  (s3_check said: %s)\n", err);
	s3_free(s);
	return rc;
}

static void
test_wrong_keys(void)
{
	struct conf c = C;
	char err[512];

	c.s3_secret_key = "not-the-secret";
	CHECK(check_with(&c, err, sizeof(err)) == S3_ERROR);
	CHECK(strstr(err, "refuses") != NULL);
	CHECK(strstr(err, "403") != NULL);
	CHECK(strstr(err, "SignatureDoesNotMatch") != NULL);
	CHECK(strstr(err, "secret_key") != NULL);

	c = C;
	c.s3_access_key = "no-such-access-key";
	CHECK(check_with(&c, err, sizeof(err)) == S3_ERROR);
	CHECK(strstr(err, "InvalidAccessKeyId") != NULL);
}

static void
test_unreachable(void)
{
	struct conf c = C;
	char err[512];
	time_t t0 = time(NULL);

	/* Nothing listens there (the ports 39480-39499 are this test's). */
	c.s3_endpoint = "http://127.0.0.1:39499";
	CHECK(check_with(&c, err, sizeof(err)) == S3_UNAVAILABLE);
	CHECK(strstr(err, "unreachable") != NULL);
	CHECK(time(NULL) - t0 < 10);
	/* A bucket that does not exist. */
	c = C;
	c.s3_bucket = "khub-no-such-bucket";
	CHECK(check_with(&c, err, sizeof(err)) == S3_NOTFOUND);
	CHECK(strstr(err, "does not exist") != NULL);
}

int
main(int argc, char *argv[])
{
	char err[512];

	if (argc < 2) {
		printf("s3_live: needs a khub config naming a real S3 "
		    "(test_s3_live khub.conf); not run\n");
		printf("s3_live: 0 passed, 0 failed\n");
		return 0;
	}
	if (conf_load(&C, argv[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "s3_live: %s\n", err);
		return 1;
	}
	if (sodium_init() < 0 || (S = s3_new(&C)) == NULL ||
	    (H = curl_easy_init()) == NULL) {
		fprintf(stderr, "s3_live: cannot start\n");
		return 1;
	}
	arena_init(&A, 0);
	snprintf(prefix, sizeof(prefix), "test-s3-live/%ld-%d/",
	    (long)time(NULL), (int)(randombytes_random() % 100000));

	RUN(test_check);
	RUN(test_put_head);
	RUN(test_list);
	RUN(test_presigned_get);
	RUN(test_presigned_refused);
	RUN(test_presigned_put);
	RUN(test_multipart);
	RUN(test_abort);
	RUN(test_upload_keys);
	RUN(test_copy);
	RUN(test_delete);
	RUN(test_get_stopped);
	RUN(test_getq);
	RUN(test_wrong_keys);
	RUN(test_unreachable);

	curl_easy_cleanup(H);
	s3_free(S);
	conf_free(&C);
	arena_free(&A);
	return check_done("s3_live");
}
