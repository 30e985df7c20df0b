/*
 * pktline.c: reading and writing git's pkt-lines. The reader is the first
 * code to see a git client's bytes: it is strict and never reads past
 * what it was given.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "pktline.h"

static const char hexdigits[] = "0123456789abcdef";

void
pkt_reader_init(struct pkt_reader *rd, const void *data, size_t len)
{
	rd->p = data;
	rd->left = len;
}

int
pkt_read(struct pkt_reader *rd, struct pkt *out)
{
	size_t len = 0, i;
	int v;

	if (rd->left == 0)
		return 0;
	if (rd->left < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((v = hex_digit((unsigned char)rd->p[i])) < 0)
			return -1;
		len = len << 4 | (size_t)v;
	}
	memset(out, 0, sizeof(*out));
	out->data = rd->p + 4;
	if (len < 4) {
		if (len == 3)
			return -1;
		out->kind = len == 0 ? PKT_FLUSH : len == 1 ? PKT_DELIM :
		    PKT_END;
		rd->p += 4;
		rd->left -= 4;
		return 1;
	}
	if (len > PKT_MAX || len > rd->left)
		return -1;
	out->kind = PKT_DATA;
	out->len = len - 4;
	/* git drops one trailing LF of a text line; so does the reader */
	if (out->len > 0 && out->data[out->len - 1] == '\n')
		out->len--;
	rd->p += len;
	rd->left -= len;
	return 1;
}

void
pkt_write(struct buf *b, const void *data, size_t len)
{
	char h[4];
	size_t n = len + 4;

	if (len > PKT_DATA_MAX)
		abort();	/* a caller's bug, never input: stop loudly */
	h[0] = hexdigits[n >> 12 & 0xf];
	h[1] = hexdigits[n >> 8 & 0xf];
	h[2] = hexdigits[n >> 4 & 0xf];
	h[3] = hexdigits[n & 0xf];
	buf_add(b, h, 4);
	buf_add(b, data, len);
}

void
pkt_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	/* the length comes from vsnprintf: a line may hold a NUL (v0's
	 * first ref line puts the capabilities after one) */
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || n > PKT_DATA_MAX)
		abort();	/* a caller's bug, never input */
	s = arena_alloc(b->a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	pkt_write(b, s, (size_t)n);
}

void
pkt_flush(struct buf *b)
{
	buf_add(b, "0000", 4);
}

void
pkt_delim(struct buf *b)
{
	buf_add(b, "0001", 4);
}

void
pkt_band_header(char out[5], int band, size_t len)
{
	size_t n = len + 5;

	out[0] = hexdigits[n >> 12 & 0xf];
	out[1] = hexdigits[n >> 8 & 0xf];
	out[2] = hexdigits[n >> 4 & 0xf];
	out[3] = hexdigits[n & 0xf];
	out[4] = (char)band;
}

int
pkt_word(const struct pkt *p, const char *word, const char **arg,
    size_t *arglen)
{
	size_t n = strlen(word);

	if (p->kind != PKT_DATA || p->len < n || memcmp(p->data, word, n) != 0)
		return 0;
	if (p->len == n) {
		*arg = p->data + n;
		*arglen = 0;
		return 1;
	}
	if (p->data[n] != ' ')
		return 0;
	*arg = p->data + n + 1;
	*arglen = p->len - n - 1;
	return 1;
}
