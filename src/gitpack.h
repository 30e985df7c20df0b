/*
 * gitpack.h: writing a git pack (gitformat-pack) as a stream: version 2,
 * whole (undeltified) objects deflated with zlib, the SHA-1 of everything
 * before it as the trailer. Memory is bounded whatever the pack's size: the
 * bytes leave through the sink in chunks of at most PACK_CHUNK as they are
 * made.
 */
#ifndef KHUB_GITPACK_H
#define KHUB_GITPACK_H

#include <stddef.h>
#include <stdint.h>

/* git's object types, as a pack numbers them. */
enum pack_type { PACK_COMMIT = 1, PACK_TREE = 2, PACK_BLOB = 3, PACK_TAG = 4 };

/* The most bytes one call of the sink gets: one side-band-64k packet. */
#define PACK_CHUNK	65515

/* Takes the next len bytes of the pack; returns 0, or -1 to stop (every
 * later call of the writer then fails). */
typedef int (*pack_sink)(void *arg, const void *data, size_t len);

struct pack_writer;

/* A writer whose bytes go to sink; deflate at zlib level (1 to 9). Out of
 * memory ends the process (arena.h's rule). Free with pack_free(). */
struct pack_writer *pack_new(pack_sink, void *arg, int level);
void	 pack_free(struct pack_writer *);
/*
 * Each returns 0, or -1 when the sink refused or the calls broke the
 * format's rules (pack_errmsg() says which): pack_begin() once with the
 * number of objects to come; per object pack_object_begin() with its type
 * and exact size, pack_object_data() for its bytes in any pieces, and
 * pack_object_end() (a size other than the one announced fails: the pack
 * would be corrupt); pack_end() writes the trailer once the count is met.
 */
int	 pack_begin(struct pack_writer *, uint32_t nobjects);
int	 pack_object_begin(struct pack_writer *, enum pack_type, uint64_t size);
int	 pack_object_data(struct pack_writer *, const void *, size_t);
int	 pack_object_end(struct pack_writer *);
int	 pack_end(struct pack_writer *);
const char *pack_errmsg(const struct pack_writer *);
/* Bytes handed to the sink so far. */
uint64_t pack_bytes(const struct pack_writer *);

/* ---- reading a pack (git push) ---- */

/* The two delta kinds a pack may hold besides the four object types. */
#define PACK_OFS_DELTA	6
#define PACK_REF_DELTA	7

/* One object of a pack as pack_index() finds it. */
struct pack_entry {
	uint64_t	 off;		/* of its header */
	uint64_t	 zoff;		/* of its zlib stream */
	uint64_t	 size;		/* inflated (for a delta: the delta's) */
	uint64_t	 base_off;	/* PACK_OFS_DELTA: the base's header */
	unsigned char	 base[20];	/* PACK_REF_DELTA: the base's id */
	unsigned char	 type;		/* enum pack_type or a delta kind */
};

/*
 * Indexes the whole pack p[0..len) (gitformat-pack, version 2 or 3):
 * every object's header, its zlib stream inflated to the announced size
 * and no further (all of them at most max_size bytes together, checked
 * before each is inflated), an OFS_DELTA's base an earlier
 * object's header, at most max_objects objects, nothing between the last
 * object and the trailer, and the trailer the SHA-1 of all before it. A
 * malloc'd array of the entries (in pack order) in *out, its length in
 * *n. Returns 0, or -1 with *why a static string.
 */
int	 pack_index(const unsigned char *p, size_t len, uint32_t max_objects,
	    uint64_t max_size, struct pack_entry **out, uint32_t *n,
	    const char **why);
/* The inflated bytes of entry e of pack p into out[0..e->size). 0 or -1. */
int	 pack_inflate(const unsigned char *p, size_t len,
	    const struct pack_entry *e, unsigned char *out);
/*
 * Applies git's delta (gitformat-pack "Deltified representation") to
 * base: the result, malloc'd, in *out (*outlen bytes, at most max).
 * Strict: the delta's base size must be blen, every copy inside the base,
 * no zero opcode, the result exactly the size announced. 0, or -1 with
 * *why.
 */
int	 delta_apply(const unsigned char *base, size_t blen,
	    const unsigned char *delta, size_t dlen, uint64_t max,
	    unsigned char **out, size_t *outlen, const char **why);

#endif
