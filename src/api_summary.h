/*
 * api_summary.h: what a repository's info (api_info.c) and a listing's
 * items (api_list.c) share: the fields that expand names, and the JSON
 * text of a repository's summary.
 */
#ifndef KHUB_API_SUMMARY_H
#define KHUB_API_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include <json.h>

#include "arena.h"
#include "card.h"
#include "gated.h"
#include "request.h"

/* ---- fields and expand ---- */

enum field {
	F_AUTHOR = 1 << 0, F_SHA = 1 << 1, F_LASTMOD = 1 << 2,
	F_CREATED = 1 << 3, F_PRIVATE = 1 << 4, F_GATED = 1 << 5,
	F_DISABLED = 1 << 6, F_DOWNLOADS = 1 << 7, F_LIKES = 1 << 8,
	F_TAGS = 1 << 9, F_PIPELINE = 1 << 10, F_LIBRARY = 1 << 11,
	F_CARD = 1 << 12, F_SIBLINGS = 1 << 13, F_SPACES = 1 << 14,
	F_USED = 1 << 15, F_XET = 1 << 16, F_TRENDING = 1 << 17
};
/* The fields the card gives. */
#define F_FROM_CARD	(F_TAGS | F_PIPELINE | F_LIBRARY | F_CARD)

/*
 * The fields named by repeated expand (or expand[]) parameters, or 0 when
 * none was given. Unknown names are ignored (the Hub knows more fields
 * than khub has).
 */
unsigned	 expand_of(const struct req *, bool *given);

/* What a repository's info and a listing item share. */
struct summary {
	int64_t		 id;
	enum repo_type	 type;
	const char	*ns, *full;
	const char	*sha;		/* hex, or NULL */
	int64_t		 updated_ms, created_ms, downloads, likes;
	bool		 private_, disabled;
	enum gate	 gated;
	json_object	*card;		/* or NULL */
	struct tags	 tags;
	const char	*mirror;	/* a mirror's upstream, or NULL */
};

/*
 * Opens the JSON object of s in b and writes the fields f names (all the
 * usual ones unless expanded: then only those, besides id and _id); the
 * caller adds its own and the closing '}'.
 */
void	 jtext_summary(struct req *, struct buf *, const struct summary *,
	    unsigned f, bool expanded);

#endif
