/*
 * pktline.h: git's pkt-line framing (gitprotocol-common): four hex digits
 * of length (the four included) then the data; 0000 is a flush, 0001 a
 * delimiter, 0002 a response end. Pure: no I/O, no HTTP.
 */
#ifndef KHUB_PKTLINE_H
#define KHUB_PKTLINE_H

#include <stddef.h>

#include "arena.h"

/* The longest pkt-line git reads or writes, its four digits included
 * (LARGE_PACKET_MAX), and so the most data one line carries. */
#define PKT_MAX		65520
#define PKT_DATA_MAX	(PKT_MAX - 4)
/* The most pack bytes in one side-band-64k packet: one byte is the band. */
#define PKT_BAND_MAX	(PKT_DATA_MAX - 1)

enum pkt_kind { PKT_DATA, PKT_FLUSH, PKT_DELIM, PKT_END };

struct pkt {
	enum pkt_kind	 kind;
	const char	*data;		/* inside the input; not NUL-terminated */
	size_t		 len;		/* one trailing LF already dropped */
};

struct pkt_reader {
	const char	*p;
	size_t		 left;
};

void	 pkt_reader_init(struct pkt_reader *, const void *data, size_t len);
/*
 * The next pkt-line of the input into out. Returns 1 for a line, 0 when
 * the input ends exactly between lines, -1 when it is malformed: a length
 * that is not four hex digits, 0003 (no such special line), a length
 * beyond PKT_MAX or beyond the input. Never reads past the input.
 */
int	 pkt_read(struct pkt_reader *, struct pkt *out);

/* Appends data[0..len) as one pkt-line (len <= PKT_DATA_MAX). */
void	 pkt_write(struct buf *, const void *data, size_t len);
/* Appends one printf-formatted pkt-line (at most PKT_DATA_MAX bytes). */
void	 pkt_printf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 pkt_flush(struct buf *);
void	 pkt_delim(struct buf *);
/* The five bytes that begin a side-band packet of len bytes on band
 * (1 data, 2 progress, 3 fatal error), len <= PKT_BAND_MAX. */
void	 pkt_band_header(char out[5], int band, size_t len);

/*
 * Whether line (a pkt's data) is word or starts with word followed by a
 * space; *arg then points after the space (or at the end). The upload-pack
 * request's keywords ("want <oid>", "done") are read with it.
 */
int	 pkt_word(const struct pkt *, const char *word, const char **arg,
	    size_t *arglen);

#endif
