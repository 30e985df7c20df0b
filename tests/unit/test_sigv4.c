/*
 * test_sigv4.c: SigV4 against the whole AWS test suite (tests/vectors/sigv4,
 * or the folder in argv[1]), both header and query signing, and against
 * the worked examples of the S3 API reference.
 *
 * Each case folder's request.txt is parsed here: the request target is
 * percent-decoded (an HTTP request line is encoded; "/example space/" is
 * not, and decodes to itself) and given to the signer as raw bytes, which
 * encodes them exactly once.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <sodium.h>

#include "arena.h"
#include "conf.h"
#include "s3.h"
#include "hex.h"
#include "sigv4.h"
#include "check.h"

#define MAXKV	32

static struct arena A;
static const char *vecdir = "tests/vectors/sigv4";
static char **cases;
static size_t ncases;

/* One AWS test case: context.json and request.txt. */
struct vcase {
	const char	*name;
	char		*dir;
	const char	*access, *secret, *token, *region, *service;
	bool		 normalize, sign_body, omit_token;
	unsigned	 expires;
	time_t		 when;
	char		*method, *path;
	struct sigv4_kv	 q[MAXKV], h[MAXKV];
	size_t		 nq, nh;
	char		*body;
	size_t		 bodylen;
};

/* The file's bytes, NUL-terminated, or NULL. */
static char *
slurp(const char *dir, const char *name, size_t *lenp)
{
	struct stat st;
	char *path, *p;
	ssize_t n;
	size_t len = 0;
	int fd;

	path = arena_printf(&A, "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return NULL;
	}
	p = arena_alloc(&A, (size_t)st.st_size + 1);
	while (len < (size_t)st.st_size &&
	    (n = read(fd, p + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	p[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return p;
}

/* An expected-result file, without a final line break. */
static char *
expected(const struct vcase *c, const char *name)
{
	size_t len;
	char *p;

	if ((p = slurp(c->dir, name, &len)) == NULL)
		return arena_printf(&A, "(missing %s)", name);
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		p[--len] = '\0';
	return p;
}

static char *
pct_decode(const char *s, size_t n)
{
	char *out = arena_alloc(&A, n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '%' && i + 2 < n && hex_digit(s[i + 1]) >= 0 &&
		    hex_digit(s[i + 2]) >= 0) {
			*o++ = (char)(hex_digit(s[i + 1]) << 4 | hex_digit(s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	*o = '\0';
	return out;
}

static const char *
jstring(json_object *o, const char *k1, const char *k2)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k1, &v))
		return NULL;
	if (k2 != NULL && !json_object_object_get_ex(v, k2, &v))
		return NULL;
	return arena_strdup(&A, json_object_get_string(v));
}

static bool
jbool(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) &&
	    json_object_get_boolean(v);
}

static int
load_context(struct vcase *c)
{
	json_object *o, *v;
	struct tm tm;
	const char *ts;
	char *text;

	if ((text = slurp(c->dir, "context.json", NULL)) == NULL ||
	    (o = json_tokener_parse(text)) == NULL)
		return -1;
	c->access = jstring(o, "credentials", "access_key_id");
	c->secret = jstring(o, "credentials", "secret_access_key");
	c->token = jstring(o, "credentials", "token");
	c->region = jstring(o, "region", NULL);
	c->service = jstring(o, "service", NULL);
	c->normalize = jbool(o, "normalize");
	c->sign_body = jbool(o, "sign_body");
	c->omit_token = jbool(o, "omit_session_token");
	c->expires = json_object_object_get_ex(o, "expiration_in_seconds",
	    &v) ? (unsigned)json_object_get_int(v) : 3600;
	ts = jstring(o, "timestamp", NULL);
	json_object_put(o);
	memset(&tm, 0, sizeof(tm));
	if (ts == NULL || strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL ||
	    c->access == NULL || c->secret == NULL || c->region == NULL ||
	    c->service == NULL)
		return -1;
	c->when = timegm(&tm);
	return 0;
}

/*
 * request.txt: "METHOD target HTTP/1.1", header lines (a line starting
 * with a blank continues the previous value), a blank line, the body.
 */
static int
load_request(struct vcase *c)
{
	char *text, *line, *end, *sp, *colon, *qm, *p, *amp, *eq;
	size_t len, n;

	if ((text = slurp(c->dir, "request.txt", &len)) == NULL)
		return -1;
	if ((end = strchr(text, '\n')) == NULL)
		end = text + len;
	*end = '\0';
	if ((sp = strchr(text, ' ')) == NULL ||
	    (p = strrchr(text, ' ')) == sp)
		return -1;
	*sp = *p = '\0';
	c->method = text;
	line = sp + 1;
	if ((qm = strchr(line, '?')) != NULL)
		*qm = '\0';
	c->path = pct_decode(line, strlen(line));
	for (p = qm != NULL ? qm + 1 : NULL; p != NULL && *p != '\0';
	    p = amp != NULL ? amp + 1 : NULL) {
		if ((amp = strchr(p, '&')) != NULL)
			*amp = '\0';
		if (c->nq == MAXKV)
			return -1;
		if ((eq = strchr(p, '=')) != NULL) {
			c->q[c->nq].key = pct_decode(p, (size_t)(eq - p));
			c->q[c->nq++].value = pct_decode(eq + 1, strlen(eq + 1));
		} else {
			c->q[c->nq].key = pct_decode(p, strlen(p));
			c->q[c->nq++].value = "";
		}
	}

	c->body = "";
	for (line = end < text + len ? end + 1 : text + len;
	    line < text + len; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			end = text + len;
		n = (size_t)(end - line);
		if (n == 0) {
			/* The body: everything after the blank line. */
			c->body = end + 1 <= text + len ? end + 1 : end;
			c->bodylen = (size_t)(text + len - c->body);
			break;
		}
		*end = '\0';
		if (line[0] == ' ' || line[0] == '\t') {
			if (c->nh == 0)
				return -1;
			c->h[c->nh - 1].value = arena_printf(&A, "%s\n%s",
			    c->h[c->nh - 1].value, line);
			continue;
		}
		if ((colon = strchr(line, ':')) == NULL || c->nh == MAXKV)
			return -1;
		*colon = '\0';
		c->h[c->nh].key = line;
		c->h[c->nh++].value = colon + 1;
		if (end == text + len)
			break;
	}
	return 0;
}

static int
load_case(struct vcase *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->dir = arena_printf(&A, "%s/%s", vecdir, name);
	if (load_context(c) == -1 || load_request(c) == -1) {
		fprintf(stderr, "%s: cannot read the case\n", c->dir);
		return -1;
	}
	return 0;
}

static void
setup_signer(const struct vcase *c, struct sigv4 *s)
{
	CHECK(sigv4_init(s, c->access, c->secret, c->region, c->service) == 0);
	/* omit_session_token: the token is added after signing, unsigned. */
	if (c->token != NULL && !c->omit_token)
		s->session_token = c->token;
}

static void
setup_req(const struct vcase *c, struct sigv4_req *r, char hash[65])
{
	sigv4_sha256_hex(hash, c->body, c->bodylen);
	memset(r, 0, sizeof(*r));
	r->method = c->method;
	r->path = c->path;
	r->normalize = c->normalize;
	r->query = c->q;
	r->nquery = c->nq;
	r->headers = c->h;
	r->nheaders = c->nh;
	r->payload_hash = hash;
}

/* The value of "Authorization:" in a signed request. */
static char *
authorization_line(const char *signed_request)
{
	const char *p, *e;

	if ((p = strstr(signed_request, "\nAuthorization:")) == NULL)
		return NULL;
	p += strlen("\nAuthorization:");
	e = strchr(p, '\n');
	return arena_strndup(&A, p, e != NULL ? (size_t)(e - p) : strlen(p));
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A query string's parameters sorted and each encoded the one way, so that
 * neither order nor AWS's raw UTF-8 in a signed request matters.
 */
static char *
sorted_query(const char *q)
{
	char *copy, **v, *p, *amp, *eq, *k;
	size_t n = 0, i;
	struct buf b;

	copy = arena_strdup(&A, q);
	v = arena_alloc(&A, (strlen(q) + 1) * sizeof(*v));
	for (p = copy; p != NULL; p = amp != NULL ? amp + 1 : NULL) {
		if ((amp = strchr(p, '&')) != NULL)
			*amp = '\0';
		if ((eq = strchr(p, '=')) != NULL)
			*eq = '\0';
		buf_init(&b, &A);
		k = pct_decode(p, strlen(p));
		sigv4_encode(&b, k, strlen(k), false);
		buf_addc(&b, '=');
		if (eq != NULL) {
			k = pct_decode(eq + 1, strlen(eq + 1));
			sigv4_encode(&b, k, strlen(k), false);
		}
		v[n++] = b.data;
	}
	qsort(v, n, sizeof(*v), strp_cmp);
	buf_init(&b, &A);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "&" : "", v[i]);
	return b.data;
}

/* The query of the first line of a signed request. */
static char *
signed_query(const char *signed_request)
{
	const char *q, *e;

	if ((q = strchr(signed_request, '?')) == NULL ||
	    (e = strstr(q, " HTTP/")) == NULL)
		return arena_strdup(&A, "");
	return arena_strndup(&A, q + 1, (size_t)(e - q - 1));
}

static const char *cur;
static int vec_checked;

static void
vector_header(void)
{
	struct sigv4_result res;
	struct sigv4_req r;
	struct sigv4 s;
	struct vcase c;
	char hash[65];
	int before = check_cur_failed;

	if (load_case(&c, cur) == -1) {
		CHECK(!"case readable");
		return;
	}
	setup_signer(&c, &s);
	setup_req(&c, &r, hash);
	sigv4_sign_header(&s, &A, &r, c.when, c.sign_body, &res);
	CHECK_STR(res.canonical_request,
	    expected(&c, "header-canonical-request.txt"));
	CHECK_STR(res.string_to_sign, expected(&c, "header-string-to-sign.txt"));
	CHECK_STR(res.signature, expected(&c, "header-signature.txt"));
	CHECK_STR(res.authorization,
	    authorization_line(expected(&c, "header-signed-request.txt")));
	CHECK_STR(res.amz_date, "20150830T123600Z");
	if (check_cur_failed != before)
		fprintf(stderr, "  in case %s (header signing)\n", c.name);
	vec_checked++;
}

static void
vector_query(void)
{
	struct sigv4_result res;
	struct sigv4_req r;
	struct sigv4 s;
	struct vcase c;
	char hash[65], *ours;
	int before = check_cur_failed;
	struct buf b;

	if (load_case(&c, cur) == -1) {
		CHECK(!"case readable");
		return;
	}
	setup_signer(&c, &s);
	setup_req(&c, &r, hash);
	sigv4_sign_query(&s, &A, &r, c.when, c.expires, &res);
	CHECK_STR(res.canonical_request,
	    expected(&c, "query-canonical-request.txt"));
	CHECK_STR(res.string_to_sign, expected(&c, "query-string-to-sign.txt"));
	CHECK_STR(res.signature, expected(&c, "query-signature.txt"));

	/* The URL's query: the same parameters as AWS's, in any order. */
	ours = res.query;
	if (c.token != NULL && c.omit_token) {
		buf_init(&b, &A);
		buf_printf(&b, "%s&X-Amz-Security-Token=", ours);
		sigv4_encode(&b, c.token, strlen(c.token), false);
		ours = b.data;
	}
	CHECK_STR(sorted_query(ours), sorted_query(signed_query(
	    expected(&c, "query-signed-request.txt"))));
	if (check_cur_failed != before)
		fprintf(stderr, "  in case %s (query signing)\n", c.name);
	vec_checked++;
}

static int
list_cases(void)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *p;

	if ((d = opendir(vecdir)) == NULL)
		return -1;
	cases = arena_alloc(&A, 256 * sizeof(*cases));
	while ((de = readdir(d)) != NULL && ncases < 256) {
		if (de->d_name[0] == '.')
			continue;
		p = arena_printf(&A, "%s/%s/context.json", vecdir, de->d_name);
		if (stat(p, &st) == 0)
			cases[ncases++] = arena_strdup(&A, de->d_name);
	}
	closedir(d);
	qsort(cases, ncases, sizeof(*cases), strp_cmp);
	return 0;
}

/* Every case of the suite is there (a missing copy must not pass). */
static void
vector_count(void)
{
	CHECK(ncases == 38);
}

/* ---- the generic core ---- */

static char *
enc(const char *s, bool keep_slash)
{
	struct buf b;

	buf_init(&b, &A);
	sigv4_encode(&b, s, strlen(s), keep_slash);
	return b.data;
}

static void
test_encode(void)
{
	CHECK_STR(enc("AZaz09-._~", false), "AZaz09-._~");
	CHECK_STR(enc("a b+c%d/e", false), "a%20b%2Bc%25d%2Fe");
	CHECK_STR(enc("a b+c%d/e", true), "a%20b%2Bc%25d/e");
	CHECK_STR(enc("?#[]@!$&'()*,;=:", true),
	    "%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2C%3B%3D%3A");
	CHECK_STR(enc("\xe1\x88\xb4\x7f\x01", false), "%E1%88%B4%7F%01");
	/* Already encoded input is encoded again: each byte exactly once. */
	CHECK_STR(enc("%2F", true), "%252F");
}

static void
test_canonical_uri(void)
{
	/* S3: no normalization at all. */
	CHECK_STR(sigv4_canonical_uri(&A, "/hub/a b?c%d+e:f,g(h).bin", false),
	    "/hub/a%20b%3Fc%25d%2Be%3Af%2Cg%28h%29.bin");
	CHECK_STR(sigv4_canonical_uri(&A, "//a/./b/../", false),
	    "//a/./b/../");
	CHECK_STR(sigv4_canonical_uri(&A, "", false), "/");
	/* Other services. */
	CHECK_STR(sigv4_canonical_uri(&A, "/a/b/../c/./d//", true), "/a/c/d/");
	CHECK_STR(sigv4_canonical_uri(&A, "/a/b/..", true), "/a/");
	CHECK_STR(sigv4_canonical_uri(&A, "/a/b/.", true), "/a/b/");
	CHECK_STR(sigv4_canonical_uri(&A, "/../..", true), "/");
	CHECK_STR(sigv4_canonical_uri(&A, "", true), "/");
	CHECK_STR(sigv4_canonical_uri(&A, "/a b", true), "/a%20b");
}

static void
test_canonical_query(void)
{
	struct sigv4_kv q[] = {
		{ "b", "2" }, { "a", "z" }, { "a", "y" }, { "c d", "" },
		{ "A", "1" }, { "a-", "=&" }, { "uploads", NULL },
	};

	CHECK_STR(sigv4_canonical_query(&A, q, sizeof(q) / sizeof(q[0])),
	    "A=1&a=y&a=z&a-=%3D%26&b=2&c%20d=&uploads=");
	CHECK_STR(sigv4_canonical_query(&A, NULL, 0), "");
}

static void
test_canonical_headers(void)
{
	struct sigv4_kv h[] = {
		{ "X-B", "  two   words \t here " },
		{ "Host", "example.com" },
		{ "x-a", "v1" },
		{ "X-A", "\tv2\n   folded" },
	};
	char *sh, *ch;

	ch = sigv4_canonical_headers(&A, h, sizeof(h) / sizeof(h[0]), &sh);
	CHECK_STR(ch, "host:example.com\nx-a:v1,v2 folded\n"
	    "x-b:two words here\n");
	CHECK_STR(sh, "host;x-a;x-b");
}

static void
test_amz_date(void)
{
	char d[17];

	sigv4_amz_date(d, 1369353600);
	CHECK_STR(d, "20130524T000000Z");
	sigv4_amz_date(d, 0);
	CHECK_STR(d, "19700101T000000Z");
}

static char *
hex(const unsigned char *p, size_t n)
{
	struct buf b;

	buf_init(&b, &A);
	buf_addhex(&b, p, n);
	return b.data;
}

/* The AWS General Reference's key derivation example. */
static void
test_signing_key_doc(void)
{
	struct sigv4 s;

	CHECK(sigv4_init(&s, "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
	    "iam") == 0);
	CHECK_STR(hex(sigv4_signing_key(&s, "20120215"), 32),
	    "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

/* The key straight from the definition, for comparison. */
static char *
reference_key(const char *secret, const char *date, const char *region,
    const char *service)
{
	crypto_auth_hmacsha256_state st;
	unsigned char k[32];
	char *ks = arena_printf(&A, "AWS4%s", secret);
	const char *msg[4] = { date, region, service, "aws4_request" };
	int i;

	for (i = 0; i < 4; i++) {
		crypto_auth_hmacsha256_init(&st, i == 0 ?
		    (const unsigned char *)ks : k, i == 0 ? strlen(ks) : 32);
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)msg[i], strlen(msg[i]));
		crypto_auth_hmacsha256_final(&st, k);
	}
	return hex(k, 32);
}

static void
test_signing_key_cache(void)
{
	static const char longsecret[] = "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef-longer-than-a-block";
	struct sigv4 s;

	CHECK(sigv4_init(&s, "AK", "short", "us-east-1", "s3") == 0);
	CHECK_STR(hex(sigv4_signing_key(&s, "20240101"), 32),
	    reference_key("short", "20240101", "us-east-1", "s3"));
	CHECK_STR(s.key_scope, "20240101/us-east-1/s3");
	/* Another day, then the first again: never a stale key. */
	CHECK_STR(hex(sigv4_signing_key(&s, "20240102"), 32),
	    reference_key("short", "20240102", "us-east-1", "s3"));
	CHECK_STR(hex(sigv4_signing_key(&s, "20240101"), 32),
	    reference_key("short", "20240101", "us-east-1", "s3"));
	/* Another region with the cache warm. */
	s.region = "eu-west-1";
	CHECK_STR(hex(sigv4_signing_key(&s, "20240101"), 32),
	    reference_key("short", "20240101", "eu-west-1", "s3"));
	/* A secret longer than HMAC's block (hashed first). */
	CHECK(sigv4_init(&s, "AK", longsecret, "us-east-1", "s3") == 0);
	CHECK_STR(hex(sigv4_signing_key(&s, "20240101"), 32),
	    reference_key(longsecret, "20240101", "us-east-1", "s3"));
	/* A secret of exactly 60 bytes: "AWS4" + it fills the block. */
	CHECK(sigv4_init(&s, "AK", "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef012345678901", "us-east-1", "s3") == 0);
	CHECK_STR(hex(sigv4_signing_key(&s, "20240101"), 32),
	    reference_key("0123456789abcdef0123456789abcdef"
	    "0123456789abcdef012345678901", "20240101", "us-east-1", "s3"));
}

/* ---- the S3 API reference's worked examples ---- */

#define S3_AK	"AKIAIOSFODNN7EXAMPLE"
#define S3_SK	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define S3_HOST	"examplebucket.s3.amazonaws.com"
#define S3_WHEN	((time_t)1369353600)	/* 2013-05-24T00:00:00Z */

static void
s3_signer(struct sigv4 *s)
{
	CHECK(sigv4_init(s, S3_AK, S3_SK, "us-east-1", "s3") == 0);
}

/* GET Object, first 10 bytes (header signing). */
static void
test_s3_get_object(void)
{
	struct sigv4_kv h[] = { { "Host", S3_HOST }, { "Range", "bytes=0-9" } };
	struct sigv4_req r = { "GET", "/test.txt", false, NULL, 0, h, 2, NULL,
	    NULL };
	struct sigv4_result res;
	struct sigv4 s;

	s3_signer(&s);
	sigv4_sign_header(&s, &A, &r, S3_WHEN, true, &res);
	CHECK_STR(res.canonical_request, "GET\n/test.txt\n\n"
	    "host:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
	    "x-amz-content-sha256:" SIGV4_EMPTY_SHA256 "\n"
	    "x-amz-date:20130524T000000Z\n\n"
	    "host;range;x-amz-content-sha256;x-amz-date\n"
	    SIGV4_EMPTY_SHA256);
	CHECK_STR(res.string_to_sign, "AWS4-HMAC-SHA256\n20130524T000000Z\n"
	    "20130524/us-east-1/s3/aws4_request\n"
	    "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
	CHECK_STR(res.signature,
	    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	CHECK_STR(res.authorization, "AWS4-HMAC-SHA256 Credential="
	    "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
	    "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
	    "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c"
	    "6036bdb41");
}

/* PUT Object with a body, and a '$' in the key. */
static void
test_s3_put_object(void)
{
	static const char body[] = "Welcome to Amazon S3.";
	struct sigv4_kv h[] = {
		{ "Date", "Fri, 24 May 2013 00:00:00 GMT" },
		{ "Host", S3_HOST },
		{ "x-amz-storage-class", "REDUCED_REDUNDANCY" },
	};
	struct sigv4_req r = { "PUT", "/test$file.text", false, NULL, 0, h, 3,
	    NULL, NULL };
	struct sigv4_result res;
	struct sigv4 s;
	char hash[65];

	sigv4_sha256_hex(hash, body, strlen(body));
	CHECK_STR(hash,
	    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
	r.payload_hash = hash;
	s3_signer(&s);
	sigv4_sign_header(&s, &A, &r, S3_WHEN, true, &res);
	CHECK(strncmp(res.canonical_request, "PUT\n/test%24file.text\n\n", 23)
	    == 0);
	CHECK_STR(res.signed_headers,
	    "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
	CHECK_STR(res.signature,
	    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

/* GET Bucket lifecycle: a parameter without a value. */
static void
test_s3_get_lifecycle(void)
{
	struct sigv4_kv h[] = { { "Host", S3_HOST } };
	struct sigv4_kv q[] = { { "lifecycle", "" } };
	struct sigv4_req r = { "GET", "/", false, q, 1, h, 1, NULL, NULL };
	struct sigv4_result res;
	struct sigv4 s;

	s3_signer(&s);
	sigv4_sign_header(&s, &A, &r, S3_WHEN, true, &res);
	CHECK_STR(res.signature,
	    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

/* GET Bucket (list objects): parameters sorted. */
static void
test_s3_list_objects(void)
{
	struct sigv4_kv h[] = { { "Host", S3_HOST } };
	struct sigv4_kv q[] = { { "prefix", "J" }, { "max-keys", "2" } };
	struct sigv4_req r = { "GET", "/", false, q, 2, h, 1, NULL, NULL };
	struct sigv4_result res;
	struct sigv4 s;

	s3_signer(&s);
	sigv4_sign_header(&s, &A, &r, S3_WHEN, true, &res);
	CHECK_STR(res.signature,
	    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

#define PRESIGNED_QUERY "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" \
	"AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&" \
	"X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&" \
	"X-Amz-SignedHeaders=host&X-Amz-Signature=" \
	"aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

/* The presigned GET of test.txt, valid 86400 s (query signing). */
static void
test_s3_presigned(void)
{
	struct sigv4_kv h[] = { { "Host", S3_HOST } };
	struct sigv4_req r = { "GET", "/test.txt", false, NULL, 0, h, 1,
	    SIGV4_UNSIGNED_PAYLOAD, NULL };
	struct sigv4_result res;
	struct sigv4 s;

	s3_signer(&s);
	sigv4_sign_query(&s, &A, &r, S3_WHEN, 86400, &res);
	CHECK_STR(res.canonical_request, "GET\n/test.txt\n"
	    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
	    "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&"
	    "X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
	    "X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\n"
	    "host\nUNSIGNED-PAYLOAD");
	CHECK_STR(res.string_to_sign, "AWS4-HMAC-SHA256\n20130524T000000Z\n"
	    "20130524/us-east-1/s3/aws4_request\n"
	    "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
	CHECK_STR(res.signature,
	    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	CHECK_STR(res.query, PRESIGNED_QUERY);
}

static bool
starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The same example through s3.c, virtual-hosted style, as a URL. */
static void
test_s3_presign_url(void)
{
	struct conf c;
	struct s3 *s3;

	memset(&c, 0, sizeof(c));
	c.s3_endpoint = "http://127.0.0.1:1";
	c.s3_public_endpoint = "https://s3.amazonaws.com";
	c.s3_region = "us-east-1";
	c.s3_bucket = "examplebucket";
	c.s3_access_key = S3_AK;
	c.s3_secret_key = S3_SK;
	c.s3_path_style = false;
	CHECK((s3 = s3_new(&c)) != NULL);
	if (s3 == NULL)
		return;
	CHECK_STR(s3_presign_url(s3, &A, "GET", "test.txt", NULL, 86400,
	    S3_WHEN), "https://examplebucket.s3.amazonaws.com/test.txt?"
	    PRESIGNED_QUERY);
	s3_free(s3);

	/* Path style, a port, and a key that needs encoding. */
	c.s3_public_endpoint = "http://files.example.org:8080";
	c.s3_path_style = true;
	CHECK((s3 = s3_new(&c)) != NULL);
	if (s3 == NULL)
		return;
	CHECK(starts_with(s3_presign_url(s3, &A, "GET", "a b/c?d%e+f.bin",
	    NULL, 60, S3_WHEN), "http://files.example.org:8080/examplebucket/"
	    "a%20b/c%3Fd%25e%2Bf.bin?X-Amz-Algorithm="));
	CHECK(strstr(s3_presign_url(s3, &A, "GET", "k",
	    "response-content-disposition=attachment%3B%20filename%3D%22x%22",
	    60, S3_WHEN), "&response-content-disposition=attachment%3B%20"
	    "filename%3D%22x%22") != NULL);
	/* The default port is left out: clients do not send it in Host. */
	s3_free(s3);
	c.s3_public_endpoint = "http://files.example.org:80";
	CHECK((s3 = s3_new(&c)) != NULL);
	if (s3 == NULL)
		return;
	CHECK(starts_with(s3_presign_url(s3, &A, "GET", "k", NULL, 60,
	    S3_WHEN), "http://files.example.org/examplebucket/k?"));
	s3_free(s3);
}

/* Upload URLs: staged keys only, the upload keys, Content-Length signed;
 * without upload keys, the main ones. */
static void
test_s3_presign_upload(void)
{
	struct conf c;
	struct s3 *s3;
	char *u;

	memset(&c, 0, sizeof(c));
	c.s3_endpoint = "http://127.0.0.1:1";
	c.s3_region = "us-east-1";
	c.s3_bucket = "examplebucket";
	c.s3_access_key = S3_AK;
	c.s3_secret_key = S3_SK;
	c.s3_path_style = true;
	CHECK((s3 = s3_new(&c)) != NULL);
	if (s3 == NULL)
		return;
	CHECK(!s3_upload_keys_own(s3));
	u = s3_presign_upload(s3, &A, "lfs-staging/1/ab-5", 5, 60, S3_WHEN);
	CHECK(u != NULL && strstr(u, "X-Amz-Credential=" S3_AK "%2F") != NULL);
	s3_free(s3);

	c.s3_upload_access_key = "AKIAUPLOADONLY";
	c.s3_upload_secret_key = "upload-secret";
	CHECK((s3 = s3_new(&c)) != NULL);
	if (s3 == NULL)
		return;
	CHECK(s3_upload_keys_own(s3));
	u = s3_presign_upload(s3, &A, "lfs-staging/1/ab-5", 5, 60, S3_WHEN);
	CHECK(u != NULL && starts_with(u,
	    "http://127.0.0.1:1/examplebucket/lfs-staging/1/ab-5?"));
	CHECK(u != NULL && strstr(u, "X-Amz-Credential=AKIAUPLOADONLY%2F") !=
	    NULL);
	CHECK(u != NULL && strstr(u,
	    "X-Amz-SignedHeaders=content-length%3Bhost") != NULL);
	u = s3_presign_part(s3, &A, "lfs-staging/1/ab-5", "up id", 3, 7, 60,
	    S3_WHEN);
	CHECK(u != NULL && strstr(u, "X-Amz-Credential=AKIAUPLOADONLY%2F") !=
	    NULL);
	CHECK(u != NULL && strstr(u, "partNumber=3") != NULL);
	/* Reads stay with the main keys. */
	u = s3_presign_url(s3, &A, "GET", "lfs/ab/cd/abcd", NULL, 60, S3_WHEN);
	CHECK(u != NULL && strstr(u, "X-Amz-Credential=" S3_AK "%2F") != NULL);
	/* No upload URL outside the staging prefix, no write URL with the
	 * main keys. */
	CHECK(s3_presign_upload(s3, &A, "lfs/ab/cd/abcd", 5, 60, S3_WHEN) ==
	    NULL);
	CHECK(s3_presign_upload(s3, &A, "lfs-staging", 5, 60, S3_WHEN) ==
	    NULL);
	CHECK(s3_presign_upload(s3, &A, "lfs-staging/", 5, 60, S3_WHEN) ==
	    NULL);
	CHECK(s3_presign_upload(s3, &A, "blob/lfs-staging/x", 5, 60,
	    S3_WHEN) == NULL);
	CHECK(s3_presign_part(s3, &A, "blob/ab/cd/x", "id", 1, 5, 60,
	    S3_WHEN) == NULL);
	CHECK(s3_presign_url(s3, &A, "PUT", "lfs-staging/1/ab-5", NULL, 60,
	    S3_WHEN) == NULL);
	CHECK(strstr(s3_errmsg(s3), "not a read") != NULL);
	CHECK(s3_presign_url(s3, &A, "HEAD", "k", NULL, 60, S3_WHEN) != NULL);
	s3_free(s3);
}

int
main(int argc, char *argv[])
{
	size_t i;

	arena_init(&A, 0);
	if (argc > 1)
		vecdir = argv[1];
	if (list_cases() == -1)
		fprintf(stderr, "sigv4: cannot open %s (run from the top "
		    "folder, or give the vectors folder)\n", vecdir);
	RUN(vector_count);
	for (i = 0; i < ncases; i++) {
		cur = cases[i];
		RUN(vector_header);
		RUN(vector_query);
	}
	RUN(test_encode);
	RUN(test_canonical_uri);
	RUN(test_canonical_query);
	RUN(test_canonical_headers);
	RUN(test_amz_date);
	RUN(test_signing_key_doc);
	RUN(test_signing_key_cache);
	RUN(test_s3_get_object);
	RUN(test_s3_put_object);
	RUN(test_s3_get_lifecycle);
	RUN(test_s3_list_objects);
	RUN(test_s3_presigned);
	RUN(test_s3_presign_url);
	RUN(test_s3_presign_upload);
	printf("sigv4: %d AWS vector signings checked in %zu cases\n",
	    vec_checked, ncases);
	arena_free(&A);
	return check_done("sigv4");
}
