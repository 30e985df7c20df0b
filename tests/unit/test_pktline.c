/*
 * test_pktline.c: git's pkt-line framing (pktline.c) and the upload-pack
 * request parser (uploadpack.c) on malformed and boundary input.
 */
#include <stdlib.h>

#include "check.h"
#include "kerr.h"
#include "pktline.h"
#include "uploadpack.h"

static int
read_all(const char *s, size_t len, int *n)
{
	struct pkt_reader rd;
	struct pkt p;
	int rc;

	*n = 0;
	pkt_reader_init(&rd, s, len);
	while ((rc = pkt_read(&rd, &p)) == 1)
		(*n)++;
	return rc;
}

static void
test_malformed(void)
{
	int n;

	CHECK(read_all("", 0, &n) == 0 && n == 0);
	CHECK(read_all("000", 3, &n) == -1);
	CHECK(read_all("0003", 4, &n) == -1);
	CHECK(read_all("zzzz", 4, &n) == -1);
	CHECK(read_all("00 5x", 5, &n) == -1);
	CHECK(read_all("0009abc", 7, &n) == -1);	/* past the end */
	CHECK(read_all("fff1", 4, &n) == -1);		/* over PKT_MAX */
	CHECK(read_all("0000000100020004", 16, &n) == 0 && n == 4);
	CHECK(read_all("0006a\n0005b", 11, &n) == 0 && n == 2);
	CHECK(read_all("0006a\n000", 9, &n) == -1 && n == 1);
}

static void
test_lines(void)
{
	struct pkt_reader rd;
	struct arena a;
	struct buf b;
	struct pkt p;
	const char *arg;
	size_t len;
	char h[5];

	arena_init(&a, 4096);
	buf_init(&b, &a);
	pkt_printf(&b, "want %s\n", "x");
	pkt_printf(&b, "a%cb\n", '\0');
	pkt_flush(&b);
	CHECK(b.len == 11 + 8 + 4 && !memcmp(b.data, "000bwant x\n0008a", 16));
	pkt_reader_init(&rd, b.data, b.len);
	CHECK(pkt_read(&rd, &p) == 1 && p.kind == PKT_DATA && p.len == 6);
	CHECK(pkt_word(&p, "want", &arg, &len) && len == 1 && *arg == 'x');
	CHECK(!pkt_word(&p, "wan", &arg, &len));
	CHECK(pkt_read(&rd, &p) == 1 && p.len == 3 && p.data[1] == '\0');
	CHECK(pkt_read(&rd, &p) == 1 && p.kind == PKT_FLUSH);
	CHECK(pkt_read(&rd, &p) == 0);
	pkt_band_header(h, 1, PKT_BAND_MAX);
	CHECK(!memcmp(h, "fff0\001", 5));
	arena_free(&a);
}

static int
parse(int version, const char *body, size_t len, struct upload_req *q,
    struct arena *a, struct kerr *e)
{
	return upload_parse(q, a, version, body, len, e);
}

#define S(x) x, sizeof(x) - 1
#define OID "0123456789abcdef0123456789abcdef01234567"

static void
test_requests(void)
{
	struct upload_req q;
	struct arena a;
	struct kerr e;
	struct buf b;
	size_t i;

	arena_init(&a, 4096);
	CHECK(parse(2, S("0014command=ls-refs\n0000"), &q, &a, &e) == 0 &&
	    q.cmd == UPLOAD_LS_REFS);
	CHECK(parse(2, S("0011command=push\n0000"), &q, &a, &e) == -1);
	CHECK(parse(2, S("0012command=fetch\n0000"), &q, &a, &e) == -1);
	CHECK(strstr(e.msg, "expected want") != NULL);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n0009done\n0000"), &q, &a, &e) == 0 &&
	    q.nwants == 1 && q.done && q.sideband);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n0009done\n0000x"), &q, &a, &e) == -1);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n001cdeepen-since 1000000000\n"
	    "0012deepen-not v1\n0014deepen-relative\n0000"), &q, &a,
	    &e) == 0 && q.deepen_since == 1000000000 && q.ndeepen_not == 1 &&
	    q.deepen_not[0].len == 2 && !memcmp(q.deepen_not[0].s, "v1", 2) &&
	    q.deepen_relative);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n0013deepen-since 0\n0000"), &q, &a, &e) == -1);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n0014deepen-since -1\n0000"), &q, &a,
	    &e) == -1);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n000fdeepen-not\n0000"), &q, &a, &e) == -1);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n000ddeepen 1\n0013deepen-since 5\n0000"), &q,
	    &a, &e) == -1 && strstr(e.msg, "cannot be used together"));
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n0015filter blob:none\n0000"), &q, &a,
	    &e) == 0 && q.filter == UPLOAD_FILTER_BLOB_NONE);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n0015filter blob:none\n"
	    "0015filter blob:none\n0000"), &q, &a, &e) == -1);
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n0012filter tree:0\n0000"), &q, &a, &e) == -1 &&
	    strstr(e.msg, "filter 'tree:0' is not supported") != NULL);
	/* v0 takes a filter after its wants */
	CHECK(parse(0, S("0032want " OID "\n0015filter blob:none\n"
	    "00000009done\n"), &q, &a, &e) == 0 &&
	    q.filter == UPLOAD_FILTER_BLOB_NONE && q.done);
	CHECK(parse(0, S("0015filter blob:none\n0032want " OID "\n"
	    "00000009done\n"), &q, &a, &e) == -1);
	CHECK(parse(0, S("0032want " OID "\n0015filter blob:none\n"
	    "0032want " OID "\n00000009done\n"), &q, &a, &e) == -1);
	CHECK(parse(0, S("0032want " OID "\n0012filter tree:0\n"
	    "00000009done\n"), &q, &a, &e) == -1);
	/* v0's shallow: shallow and deepen lines beside the wants, the
	 * deepen-relative capability; a first stateless request ends at
	 * the flush */
	CHECK(parse(0, S("0055want " OID " multi_ack_detailed deepen-relative\n"
	    "0035shallow " OID "\n000ddeepen 3\n0000"), &q, &a, &e) == 0 &&
	    q.deepen == 3 && q.deepen_relative && q.nshallows == 1 &&
	    q.wants_only && !q.done);
	CHECK(parse(0, S("0032want " OID "\n0013deepen-since 5\n"
	    "0012deepen-not v1\n0015filter blob:none\n00000009done\n"), &q,
	    &a, &e) == 0 && q.deepen_since == 5 && q.ndeepen_not == 1 &&
	    q.filter == UPLOAD_FILTER_BLOB_NONE && q.done && !q.wants_only);
	CHECK(parse(0, S("0032want " OID "\n000ddeepen 1\n0013deepen-since 5\n"
	    "00000009done\n"), &q, &a, &e) == -1 &&
	    strstr(e.msg, "cannot be used together"));
	CHECK(parse(0, S("0032want " OID "\n0014deepen-relative\n"
	    "00000009done\n"), &q, &a, &e) == -1);	/* a capability */
	CHECK(parse(0, S("0032want " OID "\n000ddeepen 0\n00000009done\n"),
	    &q, &a, &e) == -1);
	CHECK(parse(2, S("0012command=fetch\n0011frobnicate=1\n0000"), &q,
	    &a, &e) == -1 && strstr(e.msg, "unknown capability"));
	CHECK(parse(2, S("0012command=fetch\n0001"
	    "0032want " OID "\n000ddeepen 0\n0000"), &q, &a, &e) == -1);
	CHECK(parse(0, S("0053want " OID " multi_ack_detailed side-band-64k\n"
	    "00000032have " OID "\n0000"), &q, &a, &e) == 0 && q.multi_ack &&
	    q.sideband && q.nhaves == 1 && !q.done);
	CHECK(parse(0, S("0032want " OID "\n00000032have " OID "\n0000"), &q,
	    &a, &e) == -1);	/* rounds need multi_ack_detailed */
	CHECK(parse(0, S("0032want " OID "\n00000032have " OID "\n"), &q, &a,
	    &e) == -1);	/* no flush, no done */
	CHECK(parse(0, S("0032want " OID "\n00000009done\n0009done\n"), &q,
	    &a, &e) == -1);
	/* the bound on wants holds before any work */
	buf_init(&b, &a);
	for (i = 0; i <= UPLOAD_WANTS_MAX; i++)
		pkt_printf(&b, "want %s\n", OID);
	pkt_flush(&b);
	pkt_printf(&b, "done\n");
	CHECK(parse(0, b.data, b.len, &q, &a, &e) == -1 &&
	    strstr(e.msg, "too many want") != NULL);
	arena_free(&a);
}

static void
test_filters(void)
{
	static const struct {
		const char	*spec;
		int		 rc;
		enum upload_filter f;
		uint64_t	 limit;
	} t[] = {
		{ "blob:none", 0, UPLOAD_FILTER_BLOB_NONE, 0 },
		{ "blob:limit=0", 0, UPLOAD_FILTER_BLOB_LIMIT, 0 },
		{ "blob:limit=1024", 0, UPLOAD_FILTER_BLOB_LIMIT, 1024 },
		{ "blob:limit=1k", 0, UPLOAD_FILTER_BLOB_LIMIT, 1024 },
		{ "blob:limit=1K", 0, UPLOAD_FILTER_BLOB_LIMIT, 1024 },
		{ "blob:limit=3m", 0, UPLOAD_FILTER_BLOB_LIMIT, 3 << 20 },
		{ "blob:limit=2g", 0, UPLOAD_FILTER_BLOB_LIMIT, 2ull << 30 },
		{ "blob:limit=0x10", 0, UPLOAD_FILTER_BLOB_LIMIT, 16 },
		{ "blob:limit=010", 0, UPLOAD_FILTER_BLOB_LIMIT, 8 },
		{ "blob:limit=18446744073709551615", 0,
		    UPLOAD_FILTER_BLOB_LIMIT, UINT64_MAX },
		{ "blob:limit=18446744073709551616", -1, 0, 0 },
		{ "blob:limit=17179869184g", -1, 0, 0 },	/* 2^64 */
		{ "blob:limit=", -1, 0, 0 },
		{ "blob:limit=k", -1, 0, 0 },
		{ "blob:limit=1kb", -1, 0, 0 },
		{ "blob:limit=1t", -1, 0, 0 },
		{ "blob:limit=-1", -1, 0, 0 },
		{ "blob:limit=08", -1, 0, 0 },
		{ "blob:limit=0x", -1, 0, 0 },
		{ "blob:limit= 1", -1, 0, 0 },
		{ "blob:none ", -1, 0, 0 },
		{ "tree:0", -1, 0, 0 },
		{ "sparse:oid=abc", -1, 0, 0 },
		{ "combine:blob:none+tree:1", -1, 0, 0 },
		{ "", -1, 0, 0 },
	};
	enum upload_filter f;
	uint64_t limit;
	struct kerr e;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = upload_parse_filter(t[i].spec, strlen(t[i].spec),
		    &f, &limit, &e);

		CHECK(rc == t[i].rc);
		if (rc == 0)
			CHECK(f == t[i].f && limit == t[i].limit);
		else
			CHECK(e.status == 400 && strstr(e.msg, "filter"));
	}
}

int
main(void)
{
	RUN(test_malformed);
	RUN(test_lines);
	RUN(test_requests);
	RUN(test_filters);
	return check_done("pktline");
}
