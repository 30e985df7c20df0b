/*
 * fuzz_pktline.c: git's pkt-line framing (pktline.c) and the upload-pack
 * request parser built on it (uploadpack.c), the first code to read a git
 * client's bytes. Input: one byte choosing the protocol (odd: v2), then
 * the body. The reader never goes past the input and every line it
 * returns lies inside it; lines written back read back the same; a
 * request that parses keeps the bounds.
 */
#include "fuzz.h"
#include "kerr.h"
#include "pktline.h"
#include "uploadpack.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_reader rd, back;
	struct upload_req q;
	struct kerr e;
	struct arena a;
	struct buf b;
	struct pkt p, p2;
	char *s;
	int rc, rc2, version;

	if (size < 1)
		return 0;
	version = data[0] & 1 ? 2 : 0;
	s = fuzz_exact(data + 1, size - 1);
	size--;
	arena_init(&a, 4096);
	buf_init(&b, &a);
	pkt_reader_init(&rd, s, size);
	while ((rc = pkt_read(&rd, &p)) == 1) {
		FUZZ_ASSERT(p.data >= s && p.data + p.len <= s + size);
		FUZZ_ASSERT(p.len <= PKT_DATA_MAX);
		FUZZ_ASSERT(p.kind == PKT_DATA || p.len == 0);
		if (p.kind == PKT_DATA)
			pkt_write(&b, p.data, p.len);
		else if (p.kind == PKT_FLUSH)
			pkt_flush(&b);
		else if (p.kind == PKT_DELIM)
			pkt_delim(&b);
	}
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(rd.left <= size);
	/* written back (no LF: the reader drops one), it reads the same */
	pkt_reader_init(&back, b.data, b.len);
	pkt_reader_init(&rd, s, size);
	while (pkt_read(&rd, &p) == 1) {
		if (p.kind == PKT_END)
			continue;
		FUZZ_ASSERT(pkt_read(&back, &p2) == 1);
		FUZZ_ASSERT(p2.kind == p.kind && p2.len <= p.len);
		FUZZ_ASSERT(!memcmp(p2.data, p.data, p2.len));
	}
	rc2 = upload_parse(&q, &a, version, s, size, &e);
	FUZZ_ASSERT(rc2 == 0 || rc2 == -1);
	if (rc2 == 0) {
		FUZZ_ASSERT(rc == 0);	/* only well-framed bodies parse */
		FUZZ_ASSERT(q.nwants <= UPLOAD_WANTS_MAX);
		FUZZ_ASSERT(q.nhaves <= UPLOAD_HAVES_MAX);
		FUZZ_ASSERT(q.nshallows <= UPLOAD_SHALLOWS_MAX);
		FUZZ_ASSERT(q.nprefixes <= UPLOAD_PREFIXES_MAX);
		FUZZ_ASSERT(q.deepen <= UPLOAD_DEPTH_MAX);
		FUZZ_ASSERT(q.ndeepen_not <= UPLOAD_DEEPEN_NOT_MAX);
		FUZZ_ASSERT(!q.deepen || (!q.deepen_since && !q.ndeepen_not));
		FUZZ_ASSERT(q.filter == UPLOAD_FILTER_BLOB_LIMIT ||
		    q.blob_limit == 0);
		FUZZ_ASSERT(q.version == 0 || !q.wants_only);
		FUZZ_ASSERT(!q.wants_only || (!q.done && q.nhaves == 0));
		FUZZ_ASSERT(q.cmd == UPLOAD_LS_REFS || q.nwants > 0);
	} else
		FUZZ_ASSERT(e.status == 400 && e.msg[0] != '\0');
	arena_free(&a);
	free(s);
	return 0;
}
