/*
 * arena.h: one allocator per request.
 *
 * Everything a request allocates comes from its arena and is released by one
 * arena_reset() at the request's end; objects that live outside the arena
 * (json-c trees, MySQL result sets) register a cleanup that runs then.
 * Out of memory is handled in one place: the process logs and exits, and the
 * supervisor (prefork master, web server) starts a fresh worker.
 */
#ifndef KHUB_ARENA_H
#define KHUB_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
	struct arena_block *head;	/* block being filled, newest first */
	struct arena_block *first;	/* kept between requests */
	struct arena_cleanup *cleanups;	/* run newest first at reset */
	size_t block_size;		/* size of ordinary blocks */
	size_t held;			/* bytes in blocks */
	size_t limit;			/* 0: none; see arena_set_limit() */
	void (*over)(void *);		/* called past the limit */
	void *over_arg;
};

/* A growable byte string whose storage lives in an arena. */
struct buf {
	struct arena *a;
	char *data;		/* always NUL-terminated */
	size_t len, cap;
};

void	 arena_init(struct arena *, size_t block_size);
/* Frees every block but the first, runs the cleanups; the arena is reusable. */
void	 arena_reset(struct arena *);
/* arena_reset() and the first block too. */
void	 arena_free(struct arena *);
/* Never returns NULL: out of memory ends the process (see above). */
void	*arena_alloc(struct arena *, size_t);
void	*arena_zalloc(struct arena *, size_t);
char	*arena_strdup(struct arena *, const char *);
char	*arena_strndup(struct arena *, const char *, size_t);
void	*arena_memdup(struct arena *, const void *, size_t);
char	*arena_printf(struct arena *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*arena_vprintf(struct arena *, const char *, va_list)
	    __attribute__((format(printf, 2, 0), nonnull(2)));
/*
 * For an array that grows an element at a time: v (n elements of elem
 * bytes) itself while n < *cap, else a copy in the arena with twice the
 * room (at least min), *cap updated. v = arena_grow(a, v, n, &cap, sizeof
 * *v, 16); v[n++] = x;
 */
void	*arena_grow(struct arena *, void *v, size_t n, size_t *cap,
	    size_t elem, size_t min);
/* Runs fn(ptr) at the next reset. */
void	 arena_on_reset(struct arena *, void (*fn)(void *), void *ptr);
/* Bytes held in blocks (for the memory tests). */
size_t	 arena_held(const struct arena *);
/*
 * A ceiling on the bytes the arena holds (0: none). An allocation that
 * would take it past limit first clears the limit (so that answering can
 * allocate), then calls over(arg), which must not return (it longjmps to
 * the request loop); a request that needs too much memory is answered as
 * an error, not killed by the kernel with its worker.
 */
void	 arena_set_limit(struct arena *, size_t limit, void (*over)(void *),
	    void *arg);

void	 buf_init(struct buf *, struct arena *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_addhex(struct buf *, const unsigned char *, size_t);
/* Appends s with & < > " ' escaped, for HTML or XML text. */
void	 buf_addmarkup(struct buf *, const char *s);

/* The one out-of-memory path: log and _exit. */
__attribute__((noreturn, cold)) void oom(void);

#endif
