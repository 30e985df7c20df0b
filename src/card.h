/*
 * card.h: a repository's model card, README.md's front matter as JSON,
 * and the Hub's tags drawn from it (repo info, listings). A card is read
 * from S3 once per README content and kept per worker: blob ids name
 * content, so a kept card is never stale. Nothing here answers: a card
 * that cannot be read is simply missing, never an error.
 */
#ifndef KHUB_CARD_H
#define KHUB_CARD_H

#include <stddef.h>

#include <json.h>

#include "arena.h"
#include "dctx.h"
#include "gitobj.h"
#include "names.h"	/* enum repo_type */

/*
 * The card of tree root: README.md's front matter as a new JSON object
 * (the caller puts it), or NULL (no README, no front matter, S3 or
 * database trouble: logged, naming the repository what).
 */
json_object	*card_load(struct dctx *, const struct oid *root,
		    const char *what);
/* The card of a commit (its tree's README), or NULL. */
json_object	*card_of_commit(struct dctx *, const struct oid *commit,
		    const char *what);

/* A tag list being built: distinct strings in order. */
struct tags {
	const char	**v;
	size_t		  n, cap;
};

/*
 * The Hub's tags from a card (NULL: none) into *t, from the arena: the
 * library, the card's own tags, the pipeline, then "key:value" tags of
 * the metadata the Hub turns into tags (license, datasets, base_model; a
 * dataset's task categories...).
 */
void	 card_tags(struct arena *, json_object *card, enum repo_type,
	    struct tags *t);

#endif
