/*
 * cache.c: hash table with chaining and an LRU list, sized in bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cache.h"
#include "metrics.h"

struct centry {
	struct centry	*hnext;		/* hash chain */
	struct centry	*prev, *next;	/* LRU list, most recent first */
	struct centry	*kprev, *knext;	/* the entries of its kind */
	enum cache_kind	 kind;
	struct oid	 oid;
	size_t		 len;
	unsigned char	 data[];
};

#define NBUCKETS	8192		/* power of two */

static struct centry *buckets[NBUCKETS];
static struct centry *lru_head, *lru_tail;
static struct centry *kind_head[CACHE_KINDS];
static size_t used, budget = 64u << 20;

static size_t
bucket_of(enum cache_kind k, const struct oid *o)
{
	size_t h;

	/* Object ids are already uniformly distributed hashes. */
	memcpy(&h, o->b, sizeof(h));
	return (h ^ (size_t)k) & (NBUCKETS - 1);
}

static void
lru_unlink(struct centry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		lru_tail = e->prev;
}

static void
lru_push(struct centry *e)
{
	e->prev = NULL;
	e->next = lru_head;
	if (lru_head)
		lru_head->prev = e;
	lru_head = e;
	if (lru_tail == NULL)
		lru_tail = e;
}

static struct centry **
find(enum cache_kind k, const struct oid *o)
{
	struct centry **p = &buckets[bucket_of(k, o)];

	for (; *p != NULL; p = &(*p)->hnext)
		if ((*p)->kind == k && oid_eq(&(*p)->oid, o))
			return p;
	return p;
}

const void *
cache_get(enum cache_kind k, const struct oid *o, size_t *len)
{
	struct centry *e = *find(k, o);

	metrics_add(e != NULL ? MET_CACHE_HITS : MET_CACHE_MISSES, 1);
	if (e == NULL)
		return NULL;
	lru_unlink(e);
	lru_push(e);
	*len = e->len;
	return e->data;
}

const void *
cache_put(enum cache_kind k, const struct oid *o, const void *data,
    size_t len)
{
	struct centry **p = find(k, o), *e;

	if (*p != NULL)
		return (*p)->data;	/* same id, same bytes */
	if (len > budget / 4)
		return NULL;
	if ((e = malloc(sizeof(*e) + len + 1)) == NULL)
		oom();
	e->kind = k;
	e->oid = *o;
	e->len = len;
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->hnext = NULL;
	*p = e;
	lru_push(e);
	e->kprev = NULL;
	if ((e->knext = kind_head[k]) != NULL)
		e->knext->kprev = e;
	kind_head[k] = e;
	used += sizeof(*e) + len;
	return e->data;
}

void
cache_update(enum cache_kind k, const struct oid *o, const void *data,
    size_t len)
{
	struct centry *e = *find(k, o);

	if (e != NULL && e->len == len)
		memcpy(e->data, data, len);
}

static void
evict(struct centry *e)
{
	struct centry **p = find(e->kind, &e->oid);

	*p = e->hnext;
	lru_unlink(e);
	if (e->kprev)
		e->kprev->knext = e->knext;
	else
		kind_head[e->kind] = e->knext;
	if (e->knext)
		e->knext->kprev = e->kprev;
	used -= sizeof(*e) + e->len;
	free(e);
}

void
cache_drop(enum cache_kind k, const struct oid *o)
{
	struct centry *e = *find(k, o);

	if (e != NULL)
		evict(e);
}

void
cache_drop_if(enum cache_kind k,
    bool (*drop)(const void *data, size_t len, void *arg), void *arg)
{
	struct centry *e, *next;

	for (e = kind_head[k]; e != NULL; e = next) {
		next = e->knext;
		if (drop(e->data, e->len, arg))
			evict(e);
	}
}

void
cache_trim(void)
{
	while (used > budget && lru_tail != NULL)
		evict(lru_tail);
}

void
cache_set_budget(size_t bytes)
{
	budget = bytes;
	cache_trim();
}

size_t
cache_bytes(void)
{
	return used;
}

void
cache_clear(void)
{
	while (lru_tail != NULL)
		evict(lru_tail);
}
