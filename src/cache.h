/*
 * cache.h: a worker's one cache, keyed by kind and a 20-byte id, bounded
 * in bytes (least recently used out).
 *
 * Most kinds hold what never changes: git objects by their id, cards and
 * rendered Markdown by their README's blob id, used bytes by repository
 * and commit time; a cached copy is never stale and no machine needs to
 * know. (cache_update(): a flag that only ever goes one way, where a
 * stale copy costs a query and is never a wrong answer.) Two kinds can go
 * stale, resolve answers and tokens: their owners drop them when fresh.h
 * reports a change (cache_drop_if()).
 * Entries stay valid until cache_trim(), which the request loop calls
 * between requests: a handler may hold cached pointers for its whole
 * request.
 */
#ifndef KHUB_CACHE_H
#define KHUB_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "gitobj.h"

enum cache_kind {
	CACHE_TREE = 1,		/* raw tree (gitstore.c) */
	CACHE_COMMIT,		/* commit text (gitstore.c) */
	CACHE_BLOB,		/* blob metadata (gitstore.c) */
	CACHE_CONTENT,		/* small file contents (api_commit.c) */
	CACHE_BLOB_META,	/* blob metadata of listings (filelist.c) */
	/* A resolve's answer (api_resolve.c), keyed by the SHA-1 of its
	 * request: not immutable, dropped by cache_drop_if() when its
	 * repository changes (fresh.h). */
	CACHE_RESOLVE,
	/* A token's principal (auth.c), keyed by its hash: dropped at any
	 * change to a token or account (fresh.h). */
	CACHE_TOKEN,
	CACHE_CARD,		/* README blob -> card JSON text (card.c) */
	CACHE_CARD_PAGE,	/* README blob -> cut flag, card (ui_repo.c) */
	CACHE_MARKDOWN,		/* rendered Markdown by its key's SHA-1 (html.c) */
	CACHE_USED,		/* a repository's used bytes as of a time (quota.c) */
	CACHE_KINDS
};

/* The cached bytes of (kind, oid) or NULL; *len gets their length. */
const void	*cache_get(enum cache_kind, const struct oid *, size_t *len);
/* Stores a copy of data; returns the cached copy (or NULL if larger than
 * the whole budget, when nothing is kept). */
const void	*cache_put(enum cache_kind, const struct oid *, const void *data,
		    size_t len);
/*
 * Overwrites the cached bytes of (kind, oid), when there are len of them,
 * with data: for the one thing about an object that changes, one way only
 * (a blob's in_s3, gitstore.h). Pointers to the entry see the new bytes.
 */
void		 cache_update(enum cache_kind, const struct oid *,
		    const void *data, size_t len);
/*
 * Drops every entry of kind for which drop(data, len, arg) is true: for
 * the kinds that may go stale. Call it only where no pointer to such an
 * entry is held (a handler's start). Costs a pass over the entries of
 * that kind.
 */
void		 cache_drop_if(enum cache_kind,
		    bool (*drop)(const void *data, size_t len, void *arg),
		    void *arg);
/* Drops the entry of (kind, oid), if any; the same care as cache_drop_if(). */
void		 cache_drop(enum cache_kind, const struct oid *);
/* Evicts least recently used entries down to the budget. */
void		 cache_trim(void);
void		 cache_set_budget(size_t bytes);
size_t		 cache_bytes(void);
void		 cache_clear(void);

#endif
