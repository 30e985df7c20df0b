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

#endif
