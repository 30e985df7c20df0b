/*
 * names.h: the names of things and their rules: the kinds of repository;
 * user, organization and repository names, as the Hub's (letters,
 * digits, '-', '_', '.'; 1 to 96 characters; no "--" or ".."; not
 * starting or ending with '-' or '.'); file paths; revisions and refs.
 */
#ifndef KHUB_NAMES_H
#define KHUB_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* The kinds of repository, and their names in the API and the URLs. */
enum repo_type { REPO_MODEL, REPO_DATASET, REPO_SPACE };

const char *repo_type_name(enum repo_type);	/* "model" */
const char *repo_type_plural(enum repo_type);	/* "models" */
const char *repo_type_prefix(enum repo_type);	/* "", "datasets/", "spaces/" */
/* The kind a name gives: "model", "dataset", "space" (repo_type_name's;
 * the API's "type", khubctl's --type, the database's column), or the
 * plural (a URL's "models/"...). 0, or -1 for anything else, NULL too. */
int	 repo_type_of(const char *name, enum repo_type *);
int	 repo_type_of_plural(const char *plural, enum repo_type *);

struct arena;

/*
 * A repository id as the Hub writes it: "ns/name" (both parts non-empty,
 * one '/') into *ns and *name, or "name" alone (a canonical repository's:
 * *ns ""). The parts are not checked as names (name_invalid()). 0, or -1
 * for anything else (NULL too). *ns is a copy in a; *name points into id.
 */
int	 repo_id_split(struct arena *, const char *id, const char **ns,
	    const char **name);
/* NULL when name is valid, else what is wrong ("is too long"...). */
const char	*name_invalid(const char *name);
/* Names the URL space keeps for itself (api, models, datasets...): no
 * user or organization may take them. */
int		 name_reserved(const char *name);
/* Whether name is ASCII, as every stored name is (the name columns are
 * ASCII: a query comparing them with other text fails). A name that is
 * not is simply a name no one has. */
int		 name_ascii(const char *name);
/* The longest e-mail address taken (RFC 5321's path limit). */
#define EMAIL_MAX	254
/* Whether e looks like an address (one '@', a dotted domain, no blanks,
 * quotes or brackets); its length is the caller's (EMAIL_MAX). */
bool	 email_plausible(const char *e);
/* Whether s is text a person may give (a full name, a token's name):
 * UTF-8 without control characters, at most max_chars characters. */
int		 text_plain(const char *s, size_t max_chars);

/*
 * NULL when path may name a file in a repository (the API's commits and
 * git push alike); else why not: empty, over 1,000 bytes, leading '/', a
 * '.' or '..' or empty segment, backslash, NUL or control characters, or
 * a segment git refuses as .git (any case, NTFS and HFS+ spellings).
 */
const char *path_invalid(const char *path);

/* Whether rev may name a ref at all (git's check-ref-format, simplified). */
bool		 rev_valid(const char *rev);
/* Whether name (a branch or tag, after refs/heads/ or refs/tags/) is one
 * git's check-ref-format takes: rev_valid(), no component that starts
 * with '.' or ends with ".lock", not "@"; and UTF-8. The API's ref
 * endpoints and git push alike. */
bool		 ref_name_valid(const char *name);
/* Whether name would read as something else in a revision: a commit id
 * (4 to 40 hex digits), HEAD, or a full ref name (refs/...). */
bool		 ref_name_ambiguous(const char *name);

#endif
