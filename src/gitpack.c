/*
 * gitpack.c: the pack writer. One z_stream is reused for every object
 * (deflateReset), one SHA-1 runs over the whole stream, and output
 * collects in one PACK_CHUNK buffer that goes to the sink when full.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "arena.h"
#include "gitpack.h"

struct pack_writer {
	pack_sink	 sink;
	void		*arg;
	EVP_MD_CTX	*sha;
	z_stream	 z;
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
	if (deflateInit(&w->z, level) != Z_OK)
		oom();
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

	w->z.next_in = (Bytef *)(uintptr_t)in;
	w->z.avail_in = (uInt)len;
	do {
		w->z.next_out = tmp;
		w->z.avail_out = sizeof(tmp);
		rc = deflate(&w->z, flush);
		if (rc == Z_STREAM_ERROR)
			return fail(w, "deflate failed");
		if (emit(w, tmp, sizeof(tmp) - w->z.avail_out, 1) != 0)
			return -1;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH &&
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
	if (deflateReset(&w->z) != Z_OK)
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
