/*
 * oidmap.h: sets of git object ids with a value each (an index, a depth),
 * for walks over many objects: about 30 bytes an id, malloc'd and freed
 * with the arena of map_init().
 */
#ifndef KHUB_OIDMAP_H
#define KHUB_OIDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "gitobj.h"

struct oidmap {
	struct oid	*key;
	uint32_t	*val;
	unsigned char	*used;
	size_t		 cap, n;	/* n: ids held */
};

/* An empty map; m must live as long as the arena (whose reset frees its
 * arrays). */
void	 map_init(struct oidmap *m, struct arena *a);
/* The value of o, or NULL when o is not in m. */
uint32_t *map_get(const struct oidmap *m, const struct oid *o);
/* Adds o with value v: true if it was new (else its value stays). */
bool	 map_add(struct oidmap *m, const struct oid *o, uint32_t v);

#endif
