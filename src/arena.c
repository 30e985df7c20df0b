/*
 * arena.c: bump allocator in chained blocks, with cleanups.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "hex.h"

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	max_align_t data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *ptr;
};

#define ALIGN	(sizeof(max_align_t))

/* Under AddressSanitizer every allocation is its own malloc of exactly its
 * size, so a read or write past it is reported (inside a shared block it
 * would land on a neighbour unseen). */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_EXACT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_EXACT 1
#endif
#endif

void
oom(void)
{
	static const char msg[] = "khub: out of memory\n";

	/* write(2): stdio may itself need memory. */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to report with */
	}
	_exit(70);
}

static struct arena_block *
block_new(size_t size)
{
	struct arena_block *b = malloc(sizeof(*b) + size);

	if (b == NULL)
		oom();
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

void
arena_init(struct arena *a, size_t block_size)
{
	a->block_size = block_size ? block_size : 16384;
	a->head = a->first = block_new(a->block_size);
	a->cleanups = NULL;
	a->held = a->block_size;
	a->limit = 0;
	a->over = NULL;
	a->over_arg = NULL;
}

void
arena_set_limit(struct arena *a, size_t limit, void (*over)(void *),
    void *arg)
{
	a->limit = over != NULL ? limit : 0;
	a->over = over;
	a->over_arg = arg;
}

/* A new block of size for a: past the limit, the handler first. */
static struct arena_block *
block_for(struct arena *a, size_t size)
{
	if (a->limit != 0 && (a->held + size < a->held ||
	    a->held + size > a->limit)) {
		a->limit = 0;
		a->over(a->over_arg);
	}
	a->held += size;
	return block_new(size);
}

static void
run_cleanups(struct arena *a)
{
	struct arena_cleanup *c;

	/* A cleanup may allocate (unlikely) or register more: loop until empty. */
	while ((c = a->cleanups) != NULL) {
		a->cleanups = c->next;
		c->fn(c->ptr);
	}
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	run_cleanups(a);
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (b != a->first)
			free(b);
	}
	a->head = a->first;
	a->first->next = NULL;
	a->first->used = 0;
	a->held = a->first->size;
}

void
arena_free(struct arena *a)
{
	arena_reset(a);
	free(a->first);
	a->head = a->first = NULL;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
	void *p;

	if (need < n)
		oom();
#ifdef ARENA_EXACT
	{
		struct arena_block *own = block_new(n);

		own->used = n;
		own->next = b->next;
		b->next = own;
		return own->data;
	}
#endif
	if (b->size - b->used < need) {
		size_t size = need > a->block_size / 4 ? need : a->block_size;

		if (size == need) {
			/* A large allocation gets its own block behind the head,
			 * so the head's free space is not wasted. */
			struct arena_block *big = block_for(a, size);

			big->used = need;
			big->next = b->next;
			b->next = big;
			return big->data;
		}
		b = block_for(a, size);
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += need;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

void *
arena_memdup(struct arena *a, const void *src, size_t n)
{
	void *p = arena_alloc(a, n ? n : 1);

	if (n)
		memcpy(p, src, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

#ifndef ARENA_EXACT
	/* Formatted straight into the head block's free tail when it fits
	 * (most strings): one pass of vsnprintf instead of two. */
	{
		struct arena_block *h = a->head;
		size_t avail = h->size - h->used;

		va_copy(ap2, ap);
		n = vsnprintf((char *)h->data + h->used, avail, fmt, ap2);
		va_end(ap2);
		if (n < 0)
			oom();
		if ((size_t)n < avail) {
			p = (char *)h->data + h->used;
			h->used += ((size_t)n + 1 + ALIGN - 1) & ~(ALIGN - 1);
			if (h->used > h->size)
				h->used = h->size;
			return p;
		}
	}
#else
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		oom();
#endif
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_on_reset(struct arena *a, void (*fn)(void *), void *ptr)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->ptr = ptr;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t
arena_held(const struct arena *a)
{
	const struct arena_block *b;
	size_t n = 0;

	for (b = a->head; b != NULL; b = b->next)
		n += b->size;
	return n;
}

/* ---- buf ---- */

void
buf_init(struct buf *b, struct arena *a)
{
	b->a = a;
	b->cap = 64;
	b->len = 0;
	b->data = arena_alloc(a, b->cap);
	b->data[0] = '\0';
}

static void
buf_grow(struct buf *b, size_t extra)
{
	size_t cap = b->cap;
	char *p;

	if (b->len + extra + 1 <= cap)
		return;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2)
			oom();
		cap *= 2;
	}
	/* The old storage stays in the arena until reset: growth doubles, so
	 * the waste is bounded by the final size. */
	p = arena_alloc(b->a, cap);
	memcpy(p, b->data, b->len + 1);
	b->data = p;
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* into the room there is first: one pass when it fits */
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	if ((size_t)n < b->cap - b->len) {
		b->len += (size_t)n;
		return;
	}
	b->data[b->len] = '\0';	/* what the try wrote is not kept */
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_addhex(struct buf *b, const unsigned char *p, size_t n)
{
	buf_grow(b, 2 * n);
	hex_encode(b->data + b->len, p, n);
	b->len += 2 * n;
}

void
buf_addmarkup(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			buf_addc(b, *s);
		}
}

void *
arena_grow(struct arena *a, void *v, size_t n, size_t *cap, size_t elem,
    size_t min)
{
	void *bigger;

	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : min;
	bigger = arena_alloc(a, *cap * elem);
	if (n > 0)
		memcpy(bigger, v, n * elem);
	return bigger;
}
