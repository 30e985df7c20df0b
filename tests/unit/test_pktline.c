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
	    "0032want " OID "\n0013deepen-since 1\n0000"), &q, &a, &e) == -1);
	CHECK(strstr(e.msg, "does not support deepen-since") != NULL);
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

int
main(void)
{
	RUN(test_malformed);
	RUN(test_lines);
	RUN(test_requests);
	return check_done("pktline");
}
