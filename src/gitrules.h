/*
 * gitrules.h: .gitattributes and .gitignore patterns, as git matches them,
 * for preupload's two questions: is this path LFS, is it ignored?
 *
 * Both files come from users: the parsers take any bytes in time linear in
 * their length, never read past it, and refuse more than RULES_MAX rules;
 * matching never recurses on input (the glob matcher is iterative with one
 * backtrack point per '*' kind) and stops after RULES_STEPS_MAX steps per
 * rule set, which the caller answers as too costly. Verdicts on folders
 * are cached in the rule set, so the paths of one request that share
 * folders pay for each folder once.
 */
#ifndef KHUB_GITRULES_H
#define KHUB_GITRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* Rules one text may hold (the Hub's default .gitattributes has ~35; a
 * .gitattributes of `git lfs track` lines has one per tracked file). */
#define RULES_MAX		10000
#define RULES_MAX_S		"10,000"
/* A .gitignore pattern's length; .gitattributes lines this long or longer
 * are skipped, as git skips them (ATTR_MAX_LINE_LENGTH). */
#define RULES_PATTERN_MAX	2048
#define RULES_PATTERN_MAX_S	"2,048"
#define RULES_ATTR_LINE_MAX	2048
/* The longest path asked about (khub's paths are at most 1,000 bytes). */
#define RULES_PATH_MAX		1024
/* Steps (rules tried, glob steps) one rule set may spend in one request:
 * at most about 0.5 s; 1,000 rules against 1,000 paths in 1,000 distinct
 * folders five deep take 17 million. */
#define RULES_STEPS_MAX		((uint64_t)30 * 1000 * 1000)

struct rule {
	const char	*pattern;	/* without '!', leading and trailing '/' */
	bool		 negate;	/* gitignore "!pattern" */
	bool		 anchored;	/* contains a '/' before its end */
	bool		 dir_only;	/* ended with '/' */
	size_t		 prefix;	/* bytes before the first wildcard */
	int		 lfs;		/* gitattributes: 1 filter=lfs, 0 unset
					   (-filter, !filter, other filter),
					   -1 not mentioned */
};

struct folder_slot;

struct rules {
	struct rule	*r;
	size_t		 n;
	struct arena	*a;		/* the rules', the cache's memory */
	uint64_t	 steps, max_steps;	/* spent, allowed */
	struct folder_slot *folders;	/* verdicts on folders (ignore) */
	size_t		 nfolders, folder_cap;
};

/*
 * Parses .gitattributes text (any len bytes; only the filter attribute
 * matters here) as git does: blank-separated, a pattern may be C-quoted
 * ("a b"), '#' comments, "[attr]" macro lines and '!' patterns are no
 * rules. Returns NULL, or why the text is refused ("has more than 10,000
 * rules"; the rules so far are kept).
 */
const char *rules_parse_attributes(struct rules *, struct arena *,
	    const char *text, size_t len);
/* Parses .gitignore text (any len bytes) as git does: one pattern a line,
 * unescaped trailing spaces dropped. Returns NULL or why it is refused
 * (too many rules, a pattern over RULES_PATTERN_MAX bytes). */
const char *rules_parse_ignore(struct rules *, struct arena *,
	    const char *text, size_t len);
/* Whether path gets filter=lfs: the last rule that says anything wins. */
bool	 rules_is_lfs(struct rules *, const char *path);
/* Whether path is ignored: the file itself or any folder above it. A path
 * over RULES_PATH_MAX bytes is not, and makes the set too costly. */
bool	 rules_is_ignored(struct rules *, const char *path);
/* Whether the answers so far spent more than the set's max_steps (some
 * may then be wrong): the caller answers 413 and uses none of them. */
bool	 rules_too_costly(const struct rules *);
/*
 * git's wildmatch, with FNM_PATHNAME semantics: '*' and '?' do not match
 * '/', "**" matches across folders, [...] classes with ranges and '!'/'^'.
 */
bool	 glob_match(const char *pattern, const char *text);

#endif
