/*
 * oidmap.c: a map from object ids to 32-bit values, open addressing over
 * ids (already uniform: their first bytes are a hash).
 */
#include <stdlib.h>
#include <string.h>

#include "oidmap.h"

static void
map_free_arrays(void *p)
{
	struct oidmap *m = p;

	free(m->key);
	free(m->val);
	free(m->used);
}

static void
map_alloc(struct oidmap *m, size_t cap)
{
	m->cap = cap;
	m->n = 0;
	if ((m->key = malloc(cap * sizeof(*m->key))) == NULL ||
	    (m->val = malloc(cap * sizeof(*m->val))) == NULL ||
	    (m->used = calloc(cap, 1)) == NULL)
		oom();
}

void
map_init(struct oidmap *m, struct arena *a)
{
	map_alloc(m, 1024);
	arena_on_reset(a, map_free_arrays, m);
}

static size_t
map_slot(const struct oidmap *m, const struct oid *o)
{
	uint64_t h;
	size_t i;

	memcpy(&h, o->b, sizeof(h));
	for (i = (size_t)h & (m->cap - 1); m->used[i] &&
	    !oid_eq(&m->key[i], o); i = (i + 1) & (m->cap - 1))
		;
	return i;
}

uint32_t *
map_get(const struct oidmap *m, const struct oid *o)
{
	size_t i = map_slot(m, o);

	return m->used[i] ? &m->val[i] : NULL;
}

bool
map_add(struct oidmap *m, const struct oid *o, uint32_t v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct oidmap old = *m;
		size_t k;

		map_alloc(m, old.cap * 2);
		for (k = 0; k < old.cap; k++)
			if (old.used[k]) {
				i = map_slot(m, &old.key[k]);
				m->used[i] = 1;
				m->key[i] = old.key[k];
				m->val[i] = old.val[k];
				m->n++;
			}
		map_free_arrays(&old);
	}
	i = map_slot(m, o);
	if (m->used[i])
		return false;
	m->used[i] = 1;
	m->key[i] = *o;
	m->val[i] = v;
	m->n++;
	return true;
}

