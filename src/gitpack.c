/*
 * gitpack.c: the pack writer. Two z_streams are reused for every object
 * (deflateReset), one SHA-1 runs over the whole stream, and output
 * collects in one PACK_CHUNK buffer that goes to the sink when full.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "arena.h"
#include "gitpack.h"

#define PACK_SMALL	4096

struct pack_writer {
	pack_sink	 sink;
	void		*arg;
	EVP_MD_CTX	*sha;
	/*
	 * deflateReset() clears the stream's hash table: 128 KiB at zlib's
	 * default memLevel, which for a clone of 100,000 small files was the
	 * largest cost of the worker (13% of its time in memset). Objects of
	 * at most PACK_SMALL bytes go through a stream of memLevel 1 (512
	 * bytes to clear; on such sizes it compresses as well), the others
	 * through the default one. cur: the open object's.
	 */
	z_stream	 z, zs, *cur;
	uint32_t	 want, done;	/* objects announced, finished */
	uint64_t	 left;		/* bytes still due of the open object */
	int		 open;		/* an object is being written */
	int		 failed;
	const char	*err;
	uint64_t	 sent;
	size_t		 fill;
	unsigned char	 out[PACK_CHUNK];
};

static int
fail(struct pack_writer *w, const char *why)
{
	if (!w->failed)
		w->err = why;
	w->failed = 1;
	return -1;
}

static int
drain(struct pack_writer *w)
{
	if (w->fill == 0)
		return 0;
	if (w->sink(w->arg, w->out, w->fill) != 0)
		return fail(w, "the client went away");
	w->sent += w->fill;
	w->fill = 0;
	return 0;
}

/* Raw bytes into the stream (hashed unless they are the trailer). */
static int
emit(struct pack_writer *w, const void *data, size_t len, int hash)
{
	const unsigned char *p = data;

	if (hash && EVP_DigestUpdate(w->sha, data, len) != 1)
		return fail(w, "SHA-1 failed");
	while (len > 0) {
		size_t n = sizeof(w->out) - w->fill;

		if (n > len)
			n = len;
		memcpy(w->out + w->fill, p, n);
		w->fill += n;
		p += n;
		len -= n;
		if (w->fill == sizeof(w->out) && drain(w) != 0)
			return -1;
	}
	return 0;
}

struct pack_writer *
pack_new(pack_sink sink, void *arg, int level)
{
	struct pack_writer *w = calloc(1, sizeof(*w));

	if (w == NULL || (w->sha = EVP_MD_CTX_new()) == NULL)
		oom();
	if (deflateInit(&w->z, level) != Z_OK ||
	    deflateInit2(&w->zs, level, Z_DEFLATED, 15, 1,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		oom();
	w->cur = &w->z;
	w->sink = sink;
	w->arg = arg;
	return w;
}

void
pack_free(struct pack_writer *w)
{
	if (w == NULL)
		return;
	deflateEnd(&w->z);
	deflateEnd(&w->zs);
	EVP_MD_CTX_free(w->sha);
	free(w);
}

int
pack_begin(struct pack_writer *w, uint32_t n)
{
	unsigned char h[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2 };

	if (w->failed)
		return -1;
	if (EVP_DigestInit_ex(w->sha, EVP_sha1(), NULL) != 1)
		return fail(w, "SHA-1 failed");
	h[8] = (unsigned char)(n >> 24);
	h[9] = (unsigned char)(n >> 16);
	h[10] = (unsigned char)(n >> 8);
	h[11] = (unsigned char)n;
	w->want = n;
	return emit(w, h, sizeof(h), 1);
}

/* Deflates in[0..len) (flush: Z_NO_FLUSH or Z_FINISH) into the stream. */
static int
deflate_out(struct pack_writer *w, const void *in, size_t len, int flush)
{
	unsigned char tmp[16384];
	int rc;

	z_stream *z = w->cur;

	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)len;
	do {
		z->next_out = tmp;
		z->avail_out = sizeof(tmp);
		rc = deflate(z, flush);
		if (rc == Z_STREAM_ERROR)
			return fail(w, "deflate failed");
		if (emit(w, tmp, sizeof(tmp) - z->avail_out, 1) != 0)
			return -1;
	} while (z->avail_out == 0 || (flush == Z_FINISH &&
	    rc != Z_STREAM_END));
	return 0;
}

int
pack_object_begin(struct pack_writer *w, enum pack_type type, uint64_t size)
{
	unsigned char h[16];
	size_t n = 0;
	uint64_t s = size;

	if (w->failed)
		return -1;
	if (w->open || w->done >= w->want)
		return fail(w, "more objects than announced");
	/* type and the size's low 4 bits, then 7 bits a byte, MSB: more */
	h[n] = (unsigned char)((unsigned)type << 4 | (s & 0x0f));
	s >>= 4;
	while (s != 0) {
		h[n++] |= 0x80;
		h[n] = (unsigned char)(s & 0x7f);
		s >>= 7;
	}
	n++;
	w->cur = size <= PACK_SMALL ? &w->zs : &w->z;
	if (deflateReset(w->cur) != Z_OK)
		return fail(w, "deflate failed");
	w->open = 1;
	w->left = size;
	return emit(w, h, n, 1);
}

int
pack_object_data(struct pack_writer *w, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (w->failed)
		return -1;
	if (!w->open || len > w->left)
		return fail(w, "an object is longer than announced");
	w->left -= len;
	/* zlib takes at most UINT_MAX at a time */
	while (len > 0) {
		size_t n = len > (1u << 30) ? 1u << 30 : len;

		if (deflate_out(w, p, n, Z_NO_FLUSH) != 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int
pack_object_end(struct pack_writer *w)
{
	if (w->failed)
		return -1;
	if (!w->open || w->left != 0)
		return fail(w, "an object is shorter than announced");
	if (deflate_out(w, NULL, 0, Z_FINISH) != 0)
		return -1;
	w->open = 0;
	w->done++;
	return 0;
}

int
pack_end(struct pack_writer *w)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (w->failed)
		return -1;
	if (w->open || w->done != w->want)
		return fail(w, "fewer objects than announced");
	if (EVP_DigestFinal_ex(w->sha, md, &mdlen) != 1 || mdlen != 20)
		return fail(w, "SHA-1 failed");
	if (emit(w, md, mdlen, 0) != 0)
		return -1;
	return drain(w);
}

const char *
pack_errmsg(const struct pack_writer *w)
{
	return w->err ? w->err : "";
}

uint64_t
pack_bytes(const struct pack_writer *w)
{
	return w->sent;
}

/* ---- reading ---- */

#define NO(msg)	do { *why = (msg); goto fail; } while (0)

/* Inflates the zlib stream at p[off..len) into out (size bytes; NULL:
 * discard), which must end exactly there: its end offset, or 0. */
static uint64_t
inflate_at(const unsigned char *p, size_t len, uint64_t off, uint64_t size,
    unsigned char *out)
{
	unsigned char sink[16384];
	uint64_t got = 0;
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)p + off;
	z.avail_in = (uInt)(len - off > UINT32_MAX ? UINT32_MAX : len - off);
	do {
		uint64_t room = size - got;

		if (out != NULL && room > 0) {
			z.next_out = out + got;
			z.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX :
			    room);
		} else {
			/* discarded; one byte more than announced shows a
			 * stream that is too long */
			z.next_out = sink;
			z.avail_out = (uInt)(room + 1 < sizeof(sink) ?
			    room + 1 : sizeof(sink));
		}
		rc = inflate(&z, Z_NO_FLUSH);
		got = z.total_out;
		if (got > size)
			break;
	} while (rc == Z_OK);
	inflateEnd(&z);
	if (rc != Z_STREAM_END || got != size)
		return 0;
	return off + z.total_in;
}

int
pack_index(const unsigned char *p, size_t len, uint32_t max_objects,
    uint64_t max_size, struct pack_entry **out, uint32_t *nout,
    const char **why)
{
	struct pack_entry *v = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	uint64_t off = 12, total = 0;
	uint32_t n, ver, i;

	*out = NULL;
	*nout = 0;
	if (len < 32 || memcmp(p, "PACK", 4) != 0)
		NO("not a pack (no PACK signature)");
	ver = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
	    (uint32_t)p[6] << 8 | p[7];
	n = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
	    (uint32_t)p[10] << 8 | p[11];
	if (ver != 2 && ver != 3)
		NO("unsupported pack version");
	if (n > max_objects)
		NO("too many objects in the pack");
	/* every object takes at least a byte of header and 8 of zlib */
	if ((uint64_t)n * 9 > len - 32)
		NO("the pack is truncated");
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL)
		oom();
	for (i = 0; i < n; i++) {
		struct pack_entry *e = &v[i];
		uint64_t size, end = len - 20;
		unsigned c, shift = 4;

		e->off = off;
		if (off >= end)
			NO("the pack is truncated");
		c = p[off++];
		e->type = (c >> 4) & 7;
		size = c & 15;
		while (c & 0x80) {
			if (off >= end || shift > 57)
				NO("bad object header");
			c = p[off++];
			size |= (uint64_t)(c & 0x7f) << shift;
			shift += 7;
		}
		if (e->type == 0 || e->type == 5)
			NO("bad object type");
		/* checked before inflating: a small pack may announce (and
		 * inflate to) far more than it holds */
		if (size > max_size || (total += size) > max_size)
			NO("the pack's objects are larger than khub takes");
		e->size = size;
		if (e->type == PACK_OFS_DELTA) {
			uint64_t back;

			if (off >= end)
				NO("the pack is truncated");
			c = p[off++];
			back = c & 0x7f;
			while (c & 0x80) {
				if (off >= end || back > (UINT64_MAX >> 8))
					NO("bad delta offset");
				c = p[off++];
				back = ((back + 1) << 7) | (c & 0x7f);
			}
			if (back == 0 || back > e->off)
				NO("a delta's base is outside the pack");
			e->base_off = e->off - back;
		} else if (e->type == PACK_REF_DELTA) {
			if (end - off < 20)
				NO("the pack is truncated");
			memcpy(e->base, p + off, 20);
			off += 20;
		}
		e->zoff = off;
		if ((off = inflate_at(p, end, off, size, NULL)) == 0)
			NO("an object's data is corrupt or truncated");
	}
	if (off != len - 20)
		NO("junk between the last object and the trailer");
	if (EVP_Digest(p, len - 20, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != 20 || memcmp(md, p + len - 20, 20) != 0)
		NO("the pack's trailer is not its SHA-1");
	*out = v;
	*nout = n;
	return 0;
fail:
	free(v);
	return -1;
}

int
pack_inflate(const unsigned char *p, size_t len, const struct pack_entry *e,
    unsigned char *out)
{
	return inflate_at(p, len - 20, e->zoff, e->size, out) != 0 ? 0 : -1;
}

/* A delta's size varint at *p (below end): 0, or -1. */
static int
delta_size(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0, c;

	do {
		if (*p >= end || shift > 63)
			return -1;
		c = *(*p)++;
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	*out = v;
	return 0;
}

int
delta_apply(const unsigned char *base, size_t blen,
    const unsigned char *delta, size_t dlen, uint64_t max,
    unsigned char **out, size_t *outlen, const char **why)
{
	const unsigned char *d = delta, *end = delta + dlen;
	unsigned char *r = NULL;
	uint64_t src, dst, at = 0;

	*out = NULL;
	if (delta_size(&d, end, &src) != 0 || delta_size(&d, end, &dst) != 0)
		NO("a delta's header is truncated");
	if (src != blen)
		NO("a delta's base has another size");
	if (dst > max)
		NO("a delta's result is larger than khub takes");
	if ((r = malloc(dst ? dst : 1)) == NULL)
		oom();
	while (d < end) {
		unsigned op = *d++;

		if (op & 0x80) {
			uint64_t o = 0, n = 0;
			unsigned k;

			for (k = 0; k < 4; k++)
				if (op & (1u << k)) {
					if (d >= end)
						NO("a delta's copy is truncated");
					o |= (uint64_t)*d++ << (8 * k);
				}
			for (k = 0; k < 3; k++)
				if (op & (0x10u << k)) {
					if (d >= end)
						NO("a delta's copy is truncated");
					n |= (uint64_t)*d++ << (8 * k);
				}
			if (n == 0)
				n = 0x10000;
			if (o + n > blen)
				NO("a delta copies from outside its base");
			if (n > dst - at)
				NO("a delta's copy runs past its result");
			memcpy(r + at, base + o, n);
			at += n;
		} else if (op != 0) {
			if (op > (uint64_t)(end - d) || op > dst - at)
				NO("a delta's insert is out of bounds");
			memcpy(r + at, d, op);
			d += op;
			at += op;
		} else
			NO("a delta has the reserved opcode 0");
	}
	if (at != dst)
		NO("a delta's result is shorter than announced");
	*out = r;
	*outlen = (size_t)dst;
	return 0;
fail:
	free(r);
	return -1;
}
