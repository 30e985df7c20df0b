/*
 * names.h: validation of user, organization and repository names, as the
 * Hub's: letters, digits, '-', '_', '.'; 1 to 96 characters; no "--" or
 * ".."; not starting or ending with '-' or '.'.
 */
#ifndef KHUB_NAMES_H
#define KHUB_NAMES_H

#include <stddef.h>

/* NULL when name is valid, else what is wrong ("is too long"...). */
const char	*name_invalid(const char *name);
/* Names the URL space keeps for itself (api, models, datasets...): no
 * user or organization may take them. */
int		 name_reserved(const char *name);
/* Whether name is ASCII, as every stored name is (the name columns are
 * ASCII: a query comparing them with other text fails). A name that is
 * not is simply a name no one has. */
int		 name_ascii(const char *name);
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

#endif
