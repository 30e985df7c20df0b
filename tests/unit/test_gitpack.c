/*
 * test_gitpack.c: git packs both ways (gitpack.c): what the writer makes
 * the reader indexes, and the reader refuses truncated packs, bad
 * trailers, junk, bad headers and bad deltas; git's delta format; the
 * push request parser (receivepack.c) on malformed commands.
 */
#include <stdlib.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "check.h"
#include "gitobj.h"
#include "gitpack.h"
#include "kerr.h"
#include "receivepack.h"

struct sinkbuf {
	unsigned char	*p;
	size_t		 len, cap;
};

static int
sink(void *arg, const void *data, size_t len)
{
	struct sinkbuf *s = arg;

	if (len == 0)
		return 0;
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->p = realloc(s->p, s->cap);
	}
	memcpy(s->p + s->len, data, len);
	s->len += len;
	return 0;
}

/* A pack of blobs "one", "two", "three" as the writer makes it. */
static void
three_blobs(struct sinkbuf *s)
{
	static const char *v[] = { "one", "two", "three" };
	struct pack_writer *w = pack_new(sink, s, 1);
	int i;

	memset(s, 0, sizeof(*s));
	pack_begin(w, 3);
	for (i = 0; i < 3; i++) {
		pack_object_begin(w, PACK_BLOB, strlen(v[i]));
		pack_object_data(w, v[i], strlen(v[i]));
		pack_object_end(w);
	}
	pack_end(w);
	pack_free(w);
}

/* A new trailer for p[0..len): the SHA-1 of the rest. */
static void
retrail(unsigned char *p, size_t len)
{
	unsigned mdlen;

	EVP_Digest(p, len - 20, p + len - 20, &mdlen, EVP_sha1(), NULL);
}

static int
index_of(const unsigned char *p, size_t len, uint32_t *n, const char **why)
{
	struct pack_entry *v;
	int rc;

	*why = NULL;
	rc = pack_index(p, len, 100, 1 << 20, &v, n, why);
	free(v);
	return rc;
}

static void
test_roundtrip(void)
{
	struct sinkbuf s;
	struct pack_entry *v;
	unsigned char out[8];
	const char *why;
	uint32_t n;

	three_blobs(&s);
	CHECK(pack_index(s.p, s.len, 100, 1 << 20, &v, &n, &why) == 0);
	CHECK(n == 3 && v[2].type == PACK_BLOB && v[2].size == 5);
	CHECK(pack_inflate(s.p, s.len, &v[2], out) == 0 &&
	    !memcmp(out, "three", 5));
	free(v);
	/* the bounds: objects and their size */
	CHECK(pack_index(s.p, s.len, 2, 1 << 20, &v, &n, &why) == -1 &&
	    strstr(why, "too many"));
	CHECK(pack_index(s.p, s.len, 100, 4, &v, &n, &why) == -1 &&
	    strstr(why, "larger"));
	/* the sizes add up: 3 + 3 + 5 */
	CHECK(pack_index(s.p, s.len, 100, 10, &v, &n, &why) == -1 &&
	    strstr(why, "larger"));
	CHECK(pack_index(s.p, s.len, 100, 11, &v, &n, &why) == 0);
	free(v);
	free(s.p);
}

/* Objects on either side of the writer's small-object stream (4 KiB),
 * interleaved, read back byte for byte. */
static void
test_small_and_large(void)
{
	static const size_t sizes[] = { 0, 1, 4096, 4097, 100000, 3, 4095,
	    200000, 7 };
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	struct sinkbuf s;
	struct pack_writer *w;
	struct pack_entry *v;
	unsigned char *data, *out;
	const char *why;
	uint32_t n;
	size_t i, k;

	memset(&s, 0, sizeof(s));
	data = malloc(200000 + N);	/* object i starts at data + i */
	out = malloc(200000);
	for (k = 0; k < 200000 + N; k++)
		data[k] = (unsigned char)(k * 7 + k / 300);
	w = pack_new(sink, &s, 1);
	CHECK(pack_begin(w, N) == 0);
	for (i = 0; i < N; i++) {
		CHECK(pack_object_begin(w, PACK_BLOB, sizes[i]) == 0);
		CHECK(pack_object_data(w, data + i, sizes[i]) == 0);
		CHECK(pack_object_end(w) == 0);
	}
	CHECK(pack_end(w) == 0);
	pack_free(w);
	CHECK(pack_index(s.p, s.len, 100, 1 << 20, &v, &n, &why) == 0 &&
	    n == N);
	for (i = 0; i < N && n == N; i++) {
		CHECK(v[i].size == sizes[i]);
		CHECK(pack_inflate(s.p, s.len, &v[i], out) == 0 &&
		    !memcmp(out, data + i, sizes[i]));
	}
	free(v);
	free(s.p);
	free(data);
	free(out);
}

static void
test_truncated_and_trailer(void)
{
	struct sinkbuf s;
	const char *why;
	uint32_t n;
	size_t k;

	three_blobs(&s);
	/* every truncation fails, none reads past the end */
	for (k = 0; k < s.len; k++)
		CHECK(index_of(s.p, k, &n, &why) == -1 && why != NULL);
	/* a bit flipped in the trailer, or in an object (trailer fixed) */
	s.p[s.len - 1] ^= 1;
	CHECK(index_of(s.p, s.len, &n, &why) == -1 && strstr(why, "trailer"));
	s.p[s.len - 1] ^= 1;
	s.p[14] ^= 0xff;
	retrail(s.p, s.len);
	CHECK(index_of(s.p, s.len, &n, &why) == -1);
	s.p[14] ^= 0xff;
	retrail(s.p, s.len);
	CHECK(index_of(s.p, s.len, &n, &why) == 0 && n == 3);
	/* a count that is wrong either way */
	s.p[11] = 2;
	retrail(s.p, s.len);
	CHECK(index_of(s.p, s.len, &n, &why) == -1 && strstr(why, "junk"));
	s.p[11] = 4;
	retrail(s.p, s.len);
	CHECK(index_of(s.p, s.len, &n, &why) == -1);
	s.p[11] = 3;
	/* another signature or version */
	s.p[0] = 'X';
	retrail(s.p, s.len);
	CHECK(index_of(s.p, s.len, &n, &why) == -1 && strstr(why, "PACK"));
	s.p[0] = 'P';
	s.p[7] = 4;
	retrail(s.p, s.len);
	CHECK(index_of(s.p, s.len, &n, &why) == -1 && strstr(why, "version"));
	free(s.p);
}

/* Appends an object header (type, size) and the deflated data to b. */
static void
put_obj(struct sinkbuf *b, unsigned type, const void *data, size_t len,
    const unsigned char *pre, size_t prelen)
{
	unsigned char h[16], z[512];
	uLongf zl = sizeof(z);
	size_t n = 0, sz = len;

	h[n++] = (unsigned char)((type << 4) | (sz & 15) | (sz > 15 ? 0x80 : 0));
	sz >>= 4;
	while (sz > 0) {
		h[n++] = (unsigned char)((sz & 0x7f) | (sz > 0x7f ? 0x80 : 0));
		sz >>= 7;
	}
	sink(b, h, n);
	sink(b, pre, prelen);
	compress(z, &zl, data, len);
	sink(b, z, zl);
}

static void
finish(struct sinkbuf *b, uint32_t count)
{
	unsigned char t[20] = { 0 };

	b->p[8] = (unsigned char)(count >> 24);
	b->p[9] = (unsigned char)(count >> 16);
	b->p[10] = (unsigned char)(count >> 8);
	b->p[11] = (unsigned char)count;
	sink(b, t, 20);
	retrail(b->p, b->len);
}

static void
test_deltas_in_packs(void)
{
	/* base "hello world", delta: copy 0..5 ("hello"), insert "!" */
	static const unsigned char delta[] = { 11, 6, 0x90, 5, 1, '!' };
	struct sinkbuf b;
	struct pack_entry *v;
	unsigned char *out, back = 0, ref[20];
	size_t outlen, base_off;
	const char *why;
	uint32_t n;
	struct oid base;

	memset(&b, 0, sizeof(b));
	sink(&b, "PACK\0\0\0\2\0\0\0\0", 12);
	base_off = b.len;
	put_obj(&b, PACK_BLOB, "hello world", 11, NULL, 0);
	back = (unsigned char)(b.len - base_off);
	put_obj(&b, PACK_OFS_DELTA, delta, sizeof(delta), &back, 1);
	git_blob_oid(&base, "hello world", 11);
	memcpy(ref, base.b, 20);
	put_obj(&b, PACK_REF_DELTA, delta, sizeof(delta), ref, 20);
	finish(&b, 3);
	CHECK(pack_index(b.p, b.len, 10, 1 << 20, &v, &n, &why) == 0);
	CHECK(n == 3 && v[1].type == PACK_OFS_DELTA && v[1].base_off == 12);
	CHECK(v[2].type == PACK_REF_DELTA && !memcmp(v[2].base, ref, 20));
	{
		unsigned char d[sizeof(delta)];

		CHECK(pack_inflate(b.p, b.len, &v[1], d) == 0);
		CHECK(delta_apply((const unsigned char *)"hello world", 11, d,
		    sizeof(d), 100, &out, &outlen, &why) == 0);
		CHECK(outlen == 6 && !memcmp(out, "hello!", 6));
		free(out);
	}
	free(v);
	free(b.p);

	/* an OFS_DELTA whose offset points before the pack or inside an
	 * object */
	memset(&b, 0, sizeof(b));
	sink(&b, "PACK\0\0\0\2\0\0\0\0", 12);
	back = 100;
	put_obj(&b, PACK_OFS_DELTA, delta, sizeof(delta), &back, 1);
	finish(&b, 1);
	CHECK(pack_index(b.p, b.len, 10, 1 << 20, &v, &n, &why) == -1 &&
	    strstr(why, "outside"));
	free(b.p);
	/* types 0 and 5 do not exist */
	memset(&b, 0, sizeof(b));
	sink(&b, "PACK\0\0\0\2\0\0\0\0", 12);
	put_obj(&b, 5, "x", 1, NULL, 0);
	finish(&b, 1);
	CHECK(pack_index(b.p, b.len, 10, 1 << 20, &v, &n, &why) == -1 &&
	    strstr(why, "type"));
	free(b.p);
}

static void
test_delta_apply(void)
{
	const unsigned char *base = (const unsigned char *)"0123456789";
	unsigned char *out;
	size_t len;
	const char *why;
#define D(...) ((const unsigned char[]){ __VA_ARGS__ })
#define APPLY(d, max) delta_apply(base, 10, d, sizeof(d), max, &out, &len, \
	    &why)

	/* copy 3..7, insert "ab": "34567ab" */
	CHECK(APPLY(D(10, 7, 0x91, 3, 5, 2, 'a', 'b'), 100) == 0 &&
	    len == 7 && !memcmp(out, "34567ab", 7));
	free(out);
	/* the base's size is not 10 */
	CHECK(APPLY(D(9, 1, 1, 'a'), 100) == -1 && strstr(why, "base"));
	/* a copy past the base's end */
	CHECK(APPLY(D(10, 5, 0x91, 8, 5), 100) == -1 && strstr(why, "outside"));
	/* the reserved opcode */
	CHECK(APPLY(D(10, 1, 0, 1, 'a'), 100) == -1 && strstr(why, "reserved"));
	/* an insert past the delta's end, or past the result's size */
	CHECK(APPLY(D(10, 5, 5, 'a'), 100) == -1);
	CHECK(APPLY(D(10, 1, 2, 'a', 'b'), 100) == -1);
	/* shorter than announced; larger than allowed */
	CHECK(APPLY(D(10, 9, 2, 'a', 'b'), 100) == -1 && strstr(why, "shorter"));
	CHECK(APPLY(D(10, 9, 2, 'a', 'b'), 5) == -1 && strstr(why, "larger"));
	/* a truncated header or copy */
	CHECK(APPLY(D(0x8a), 100) == -1);
	CHECK(APPLY(D(10, 5, 0x91, 3), 100) == -1 && strstr(why, "truncated"));
	/* a copy of size 0 means 0x10000, past this base */
	CHECK(APPLY(D(10, 1, 0x81, 0), 100) == -1);
	/* no delta at all; a size that never ends (10 bytes of 0x80) */
	CHECK(delta_apply(base, 10, D(0), 0, 100, &out, &len, &why) == -1 &&
	    strstr(why, "truncated"));
	CHECK(APPLY(D(10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	    0x80, 0x80, 1), 100) == -1 && strstr(why, "truncated"));
	/* an offset of 2^32 - 1 (four offset bytes) */
	CHECK(APPLY(D(10, 1, 0x9f, 0xff, 0xff, 0xff, 0xff, 1), 100) == -1 &&
	    strstr(why, "outside"));
	/* a copy inside the base but longer than the result */
	CHECK(APPLY(D(10, 3, 0x91, 0, 5), 100) == -1 && strstr(why, "past"));
	/* a copy of the base's last byte, then the base past its end */
	CHECK(APPLY(D(10, 1, 0x91, 9, 1), 100) == 0 && len == 1 &&
	    out[0] == '9');
	free(out);
	CHECK(APPLY(D(10, 1, 0x91, 10, 1), 100) == -1);
	/* the header alone: an empty result, or one never written */
	CHECK(APPLY(D(10, 0), 100) == 0 && len == 0);
	free(out);
	CHECK(APPLY(D(10, 1), 100) == -1 && strstr(why, "shorter"));
	/* a result of exactly the bound is taken, one byte more is not */
	CHECK(APPLY(D(10, 3, 0x91, 0, 3), 3) == 0 && len == 3 &&
	    !memcmp(out, "012", 3));
	free(out);
	CHECK(APPLY(D(10, 4, 0x91, 0, 4), 3) == -1 && strstr(why, "larger"));
	/* on failure nothing is handed back */
	CHECK(APPLY(D(10, 5, 0x91, 8, 5), 100) == -1 && out == NULL);
#undef APPLY
#undef D
}

static int
parse(const char *body, size_t len, struct push_req *q)
{
	struct arena a;
	struct kerr e;
	int rc;

	arena_init(&a, 4096);
	rc = receive_parse(q, &a, body, len, &e);
	if (rc == 0)
		CHECK(q->ncmds > 0 && q->cmds[0].ref != NULL);
	arena_free(&a);
	return rc;
}

#define Z40 "0000000000000000000000000000000000000000"
#define A40 "1111111111111111111111111111111111111111"

/* A body of pkt-lines: each argument a line's data (its length counted
 * here, so a NUL inside needs the explicit form), "" for a flush. */
static size_t
body(char *out, const char *const *lines, const size_t *lens, size_t n)
{
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		if (lens[i] == 0) {
			memcpy(out + len, "0000", 4);
			len += 4;
			continue;
		}
		snprintf(out + len, 5, "%04zx", lens[i] + 4);
		memcpy(out + len + 4, lines[i], lens[i]);
		len += 4 + lens[i];
	}
	return len;
}

#define BODY(...) do {							\
	const char *const ls_[] = { __VA_ARGS__ };			\
	size_t ns_[sizeof(ls_) / sizeof(ls_[0])], k_;			\
	for (k_ = 0; k_ < sizeof(ls_) / sizeof(ls_[0]); k_++)		\
		ns_[k_] = strlen(ls_[k_]);				\
	blen = body(buf, ls_, ns_, sizeof(ls_) / sizeof(ls_[0]));	\
	for (k_ = 0; k_ < blen; k_++)					\
		if (buf[k_] == '|')					\
			buf[k_] = '\0';	/* '|' stands for the NUL */	\
} while (0)

static void
test_receive_parse(void)
{
	struct push_req q;
	char buf[1024];
	size_t blen;

	/* one command with capabilities ('|': the NUL), then the pack */
	BODY(Z40 " " A40 " refs/heads/main|report-status side-band-64k "
	    "atomic", "");
	memcpy(buf + blen, "PACK", 4);
	CHECK(parse(buf, blen + 4, &q) == 0);
	CHECK(q.report_status && q.sideband && q.atomic && !q.quiet);
	CHECK(q.has_pack && q.pack_off == blen);
	/* a delete only: no pack */
	BODY(A40 " " Z40 " refs/heads/x|quiet", "");
	CHECK(parse(buf, blen, &q) == 0 && !q.has_pack && q.quiet);
	/* shallow lines first are skipped */
	BODY("shallow " A40, A40 " " A40 " refs/heads/m", "");
	CHECK(parse(buf, blen, &q) == 0 && q.ncmds == 1);
	/* refused: no flush, no commands, short lines, bad ids, a NUL in a
	 * later line, special lines, a malformed length */
	BODY(A40 " " A40 " refs/heads/m");
	CHECK(parse(buf, blen, &q) == -1);
	BODY("");
	CHECK(parse(buf, blen, &q) == -1);
	BODY("abcdef", "");
	CHECK(parse(buf, blen, &q) == -1);
	BODY(A40 " " A40 "Xrefs/heads/m", "");
	CHECK(parse(buf, blen, &q) == -1);
	BODY("g111111111111111111111111111111111111111 " A40 " refs/heads/m",
	    "");
	CHECK(parse(buf, blen, &q) == -1);
	BODY(A40 " " A40 " refs/heads/m", A40 " " A40 " refs/heads/n|x", "");
	CHECK(parse(buf, blen, &q) == -1);
	CHECK(parse("zzzz", 4, &q) == -1);
	CHECK(parse("0001", 4, &q) == -1);
	CHECK(parse("00", 2, &q) == -1);
}

int
main(void)
{
	RUN(test_roundtrip);
	RUN(test_small_and_large);
	RUN(test_truncated_and_trailer);
	RUN(test_deltas_in_packs);
	RUN(test_delta_apply);
	RUN(test_receive_parse);
	return check_done("gitpack");
}
