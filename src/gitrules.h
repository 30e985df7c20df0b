/*
 * gitrules.h: .gitattributes and .gitignore patterns, as git matches them,
 * for preupload's two questions: is this path LFS, is it ignored?
 *
 * Both files come from users: the parser takes any bytes, keeps at most
 * RULES_MAX rules, and never recurses on input (the glob matcher is
 * iterative with one backtrack point per '*' kind).
 */
#ifndef KHUB_GITRULES_H
#define KHUB_GITRULES_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define RULES_MAX	4096

struct rule {
	const char	*pattern;	/* without '!', leading and trailing '/' */
	bool		 negate;	/* gitignore "!pattern" */
	bool		 anchored;	/* contains a '/' before its end */
	bool		 dir_only;	/* ended with '/' */
	int		 lfs;		/* gitattributes: 1 filter=lfs, 0 unset
					   (-filter, !filter, other filter),
					   -1 not mentioned */
};

struct rules {
	struct rule	*r;
	size_t		 n;
};

/* Parses .gitattributes text (only the filter attribute matters here). */
void	 rules_parse_attributes(struct rules *, struct arena *,
	    const char *text, size_t len);
/* Parses .gitignore text. */
void	 rules_parse_ignore(struct rules *, struct arena *, const char *text,
	    size_t len);
/* Whether path gets filter=lfs: the last rule that says anything wins. */
bool	 rules_is_lfs(const struct rules *, const char *path);
/* Whether path is ignored: the file itself or any folder above it. */
bool	 rules_is_ignored(const struct rules *, const char *path);
/*
 * git's wildmatch, with FNM_PATHNAME semantics: '*' and '?' do not match
 * '/', "**" matches across folders, [...] classes with ranges and '!'/'^'.
 */
bool	 glob_match(const char *pattern, const char *text);

#endif
