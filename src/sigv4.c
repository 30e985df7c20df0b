/*
 * sigv4.c: AWS Signature Version 4, as described in the AWS General
 * Reference ("Create a signed AWS API request") and checked against the
 * AWS SigV4 test suite (tests/vectors/sigv4) and the S3 worked examples.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "arena.h"
#include "hash.h"
#include "hex.h"
#include "sigv4.h"

#define ALGORITHM	"AWS4-HMAC-SHA256"

int
sigv4_init(struct sigv4 *s, const char *access_key, const char *secret_key,
    const char *region, const char *service)
{
	memset(s, 0, sizeof(*s));
	s->access_key = access_key;
	s->secret_key = secret_key;
	s->region = region;
	s->service = service;
	/* Picks the fastest SHA-256 code; safe to call more than once. */
	return sodium_init() < 0 ? -1 : 0;
}

void
sigv4_amz_date(char out[17], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void
sigv4_sha256_hex(char out[65], const void *p, size_t n)
{
	unsigned char h[HASH_SHA256_LEN];

	hash_sha256(h, p, n);
	hex_encode(out, h, sizeof(h));
}

static void
hmac(unsigned char out[32], const unsigned char *key, size_t keylen,
    const char *msg, size_t len)
{
	hash_hmac_sha256(out, key, keylen, msg, len);
}

static bool
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

void
sigv4_encode(struct buf *b, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/'))
			buf_addc(b, (char)c);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

struct seg {
	const char	*p;
	size_t		 len;
};

char *
sigv4_canonical_uri(struct arena *a, const char *path, bool normalize)
{
	struct buf b;
	struct seg *seg;
	const char *p, *q;
	size_t n, nseg = 0, len, i;
	bool last, dotend = false;

	buf_init(&b, a);
	n = strlen(path);
	if (!normalize) {
		/* S3: the path as it is, each byte encoded exactly once. */
		if (n == 0 || path[0] != '/')
			buf_addc(&b, '/');
		sigv4_encode(&b, path, n, true);
		return b.data;
	}

	/* RFC 3986 remove_dot_segments, empty segments dropped too. */
	seg = arena_alloc(a, (n + 1) * sizeof(*seg));
	for (p = path;; p = q + 1) {
		q = strchr(p, '/');
		len = q != NULL ? (size_t)(q - p) : strlen(p);
		last = q == NULL;
		if (len == 0)
			;
		else if (len == 1 && p[0] == '.')
			dotend = last;
		else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg > 0)
				nseg--;
			dotend = last;
		} else {
			seg[nseg].p = p;
			seg[nseg++].len = len;
		}
		if (last)
			break;
	}
	buf_addc(&b, '/');
	for (i = 0; i < nseg; i++) {
		sigv4_encode(&b, seg[i].p, seg[i].len, false);
		/* A trailing "/", "/." or "/.." names a directory. */
		if (i + 1 < nseg || (n > 0 && path[n - 1] == '/') || dotend)
			buf_addc(&b, '/');
	}
	return b.data;
}

struct pair {
	char	*k, *v;
};

static int
pair_cmp(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;
	int c;

	if ((c = strcmp(a->k, b->k)) != 0)
		return c;
	return strcmp(a->v, b->v);
}

static char *
encoded(struct arena *a, const char *s)
{
	struct buf b;

	buf_init(&b, a);
	sigv4_encode(&b, s, strlen(s), false);
	return b.data;
}

char *
sigv4_canonical_query(struct arena *a, const struct sigv4_kv *q, size_t n)
{
	struct pair *p;
	struct buf b;
	size_t i;

	buf_init(&b, a);
	if (n == 0)
		return b.data;
	p = arena_alloc(a, n * sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].k = encoded(a, q[i].key);
		p[i].v = encoded(a, q[i].value != NULL ? q[i].value : "");
	}
	qsort(p, n, sizeof(*p), pair_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, '&');
		buf_adds(&b, p[i].k);
		buf_addc(&b, '=');
		buf_adds(&b, p[i].v);
	}
	return b.data;
}

struct hdr {
	char	*name;		/* lower-cased */
	char	*value;		/* trimmed, blanks collapsed */
	size_t	 order;		/* keeps repeated names in request order */
};

static int
hdr_cmp(const void *x, const void *y)
{
	const struct hdr *a = x, *b = y;
	int c;

	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims v and turns each run of blanks (folded lines too) into one space. */
static char *
header_value(struct arena *a, const char *v)
{
	char *out, *o;

	out = o = arena_alloc(a, strlen(v) + 1);
	while (blank(*v))
		v++;
	while (*v != '\0') {
		if (blank(*v)) {
			while (blank(*v))
				v++;
			if (*v != '\0')
				*o++ = ' ';
		} else
			*o++ = *v++;
	}
	*o = '\0';
	return out;
}

char *
sigv4_canonical_headers(struct arena *a, const struct sigv4_kv *h, size_t n,
    char **signed_headers)
{
	struct hdr *hd;
	struct buf b, sb;
	size_t i;
	char *c;

	buf_init(&b, a);
	buf_init(&sb, a);
	hd = arena_alloc(a, (n ? n : 1) * sizeof(*hd));
	for (i = 0; i < n; i++) {
		hd[i].name = arena_strdup(a, h[i].key);
		for (c = hd[i].name; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 'a' - 'A';
		hd[i].value = header_value(a, h[i].value);
		hd[i].order = i;
	}
	qsort(hd, n, sizeof(*hd), hdr_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(hd[i].name, hd[i - 1].name) == 0) {
			/* Repeated name: one line, values joined by ','. */
			b.len--;
			buf_printf(&b, ",%s\n", hd[i].value);
			continue;
		}
		buf_adds(&b, hd[i].name);
		buf_addc(&b, ':');
		buf_adds(&b, hd[i].value);
		buf_addc(&b, '\n');
		if (sb.len > 0)
			buf_addc(&sb, ';');
		buf_adds(&sb, hd[i].name);
	}
	if (signed_headers != NULL)
		*signed_headers = sb.data;
	return b.data;
}

char *
sigv4_canonical_request(struct arena *a, const struct sigv4_req *r,
    char **signed_headers)
{
	char *sh, *hdrs;

	hdrs = sigv4_canonical_headers(a, r->headers, r->nheaders, &sh);
	if (signed_headers != NULL)
		*signed_headers = sh;
	return arena_printf(a, "%s\n%s\n%s\n%s\n%s\n%s", r->method,
	    sigv4_canonical_uri(a, r->path, r->normalize),
	    r->canonical_query != NULL ? r->canonical_query :
	    sigv4_canonical_query(a, r->query, r->nquery), hdrs, sh,
	    r->payload_hash != NULL ? r->payload_hash : SIGV4_EMPTY_SHA256);
}

char *
sigv4_scope(struct sigv4 *s, struct arena *a, const char *amz_date)
{
	return arena_printf(a, "%.8s/%s/%s/aws4_request", amz_date,
	    s->region, s->service);
}

char *
sigv4_string_to_sign(struct arena *a, const char *amz_date,
    const char *scope, const char *canonical_request)
{
	char hash[65];

	sigv4_sha256_hex(hash, canonical_request, strlen(canonical_request));
	return arena_printf(a, ALGORITHM "\n%s\n%s\n%s", amz_date, scope,
	    hash);
}

const unsigned char *
sigv4_signing_key(struct sigv4 *s, const char *date)
{
	struct hash hs;
	unsigned char k[64], kd[32];
	char scope[sizeof(s->key_scope)];
	size_t slen, klen;
	int n;

	n = snprintf(scope, sizeof(scope), "%.8s/%s/%s", date, s->region,
	    s->service);
	if (n > 0 && (size_t)n < sizeof(scope) &&
	    strcmp(scope, s->key_scope) == 0)
		return s->key;

	/*
	 * kSecret = "AWS4" + secret. HMAC hashes a key longer than its
	 * 64-byte block first, so do that here rather than allocate.
	 */
	slen = strlen(s->secret_key);
	if (4 + slen <= sizeof(k)) {
		memcpy(k, "AWS4", 4);
		memcpy(k + 4, s->secret_key, slen);
		klen = 4 + slen;
	} else {
		hash_init(&hs, HASH_SHA256);
		hash_update(&hs, "AWS4", 4);
		hash_update(&hs, s->secret_key, slen);
		hash_final(&hs, k);
		klen = HASH_SHA256_LEN;
	}
	hmac(kd, k, klen, date, 8);
	hmac(kd, kd, sizeof(kd), s->region, strlen(s->region));
	hmac(kd, kd, sizeof(kd), s->service, strlen(s->service));
	hmac(s->key, kd, sizeof(kd), "aws4_request", 12);
	sodium_memzero(k, sizeof(k));
	sodium_memzero(kd, sizeof(kd));

	/* A scope too long for the cache is derived every time. */
	if (n > 0 && (size_t)n < sizeof(scope))
		memcpy(s->key_scope, scope, (size_t)n + 1);
	else
		s->key_scope[0] = '\0';
	return s->key;
}

void
sigv4_signature(struct sigv4 *s, const char *amz_date,
    const char *string_to_sign, char out[65])
{
	unsigned char mac[32];

	hmac(mac, sigv4_signing_key(s, amz_date), 32, string_to_sign,
	    strlen(string_to_sign));
	hex_encode(out, mac, sizeof(mac));
}

/* Canonical request, string to sign and signature of r into res. */
static void
sign(struct sigv4 *s, struct arena *a, const struct sigv4_req *r,
    const char *scope, struct sigv4_result *res)
{
	res->canonical_request = sigv4_canonical_request(a, r,
	    &res->signed_headers);
	res->string_to_sign = sigv4_string_to_sign(a, res->amz_date, scope,
	    res->canonical_request);
	sigv4_signature(s, res->amz_date, res->string_to_sign,
	    res->signature);
}

void
sigv4_sign_header(struct sigv4 *s, struct arena *a,
    const struct sigv4_req *req, time_t now, bool content_sha256,
    struct sigv4_result *res)
{
	struct sigv4_req r = *req;
	struct sigv4_kv *h;
	size_t n;
	char *scope;

	memset(res, 0, sizeof(*res));
	sigv4_amz_date(res->amz_date, now);
	scope = sigv4_scope(s, a, res->amz_date);

	h = arena_alloc(a, (req->nheaders + 3) * sizeof(*h));
	if (req->nheaders > 0)
		memcpy(h, req->headers, req->nheaders * sizeof(*h));
	n = req->nheaders;
	h[n].key = "x-amz-date";
	h[n++].value = res->amz_date;
	if (content_sha256) {
		h[n].key = "x-amz-content-sha256";
		h[n++].value = req->payload_hash != NULL ?
		    req->payload_hash : SIGV4_EMPTY_SHA256;
	}
	if (s->session_token != NULL) {
		h[n].key = "x-amz-security-token";
		h[n++].value = s->session_token;
	}
	r.headers = h;
	r.nheaders = n;

	sign(s, a, &r, scope, res);
	res->authorization = arena_printf(a, ALGORITHM " Credential=%s/%s, "
	    "SignedHeaders=%s, Signature=%s", s->access_key, scope,
	    res->signed_headers, res->signature);
}

void
sigv4_sign_query(struct sigv4 *s, struct arena *a,
    const struct sigv4_req *req, time_t now, unsigned expires,
    struct sigv4_result *res)
{
	struct sigv4_req r = *req;
	struct sigv4_kv *q;
	size_t n;
	char *scope, *sh;

	memset(res, 0, sizeof(*res));
	sigv4_amz_date(res->amz_date, now);
	scope = sigv4_scope(s, a, res->amz_date);
	/* X-Amz-SignedHeaders is itself signed: compute it first. */
	(void)sigv4_canonical_headers(a, req->headers, req->nheaders, &sh);

	q = arena_alloc(a, (req->nquery + 6) * sizeof(*q));
	if (req->nquery > 0)
		memcpy(q, req->query, req->nquery * sizeof(*q));
	n = req->nquery;
	q[n].key = "X-Amz-Algorithm";
	q[n++].value = ALGORITHM;
	q[n].key = "X-Amz-Credential";
	q[n++].value = arena_printf(a, "%s/%s", s->access_key, scope);
	q[n].key = "X-Amz-Date";
	q[n++].value = res->amz_date;
	q[n].key = "X-Amz-Expires";
	q[n++].value = arena_printf(a, "%u", expires);
	if (s->session_token != NULL) {
		q[n].key = "X-Amz-Security-Token";
		q[n++].value = s->session_token;
	}
	q[n].key = "X-Amz-SignedHeaders";
	q[n++].value = sh;
	r.query = q;
	r.nquery = n;
	r.canonical_query = sigv4_canonical_query(a, q, n);

	sign(s, a, &r, scope, res);
	/* The canonical order is as good as any for the URL itself. */
	res->query = arena_printf(a, "%s&X-Amz-Signature=%s",
	    r.canonical_query, res->signature);
}
