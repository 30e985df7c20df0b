/*
 * names.c: what a name may be.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "jsonutil.h"
#include "names.h"

int
name_reserved(const char *name)
{
	/* First path segments with a meaning of their own in URLs. */
	static const char *const reserved[] = { "api", "models", "datasets",
	    "spaces", "organizations", "settings", "login", "logout", "join",
	    "auth", "docs", "new", "org", "static", NULL };
	size_t i;

	for (i = 0; reserved[i] != NULL; i++)
		if (!strcasecmp(name, reserved[i]))
			return 1;
	return 0;
}

int
name_ascii(const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p >= 0x80)
			return 0;
	return 1;
}

const char *
name_invalid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0)
		return "is empty";
	if (n > 96)
		return "is longer than 96 characters";
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.'))
			return "may hold only letters, digits, '-', '_' and "
			    "'.'";
	}
	if (name[0] == '-' || name[0] == '.' || name[n - 1] == '-' ||
	    name[n - 1] == '.')
		return "may not start or end with '-' or '.'";
	if (strstr(name, "--") != NULL || strstr(name, "..") != NULL)
		return "may not contain '--' or '..'";
	return NULL;
}

int
text_plain(const char *s, size_t max_chars)
{
	const unsigned char *p;
	size_t chars;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid((const unsigned char *)s, strlen(s), &chars) &&
	    chars <= max_chars;
}

/* The length of an HFS+ ignorable code point (U+200C-U+200F, U+202A-U+202E,
 * U+206A-U+206F, U+FEFF) at s (n bytes left), or 0: macOS drops them from
 * names, so ".g\u200cit" is ".git" there (git's is_hfs_dotgit). */
static size_t
hfs_ignorable(const unsigned char *s, size_t n)
{
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x8c && s[2] <= 0x8f) || (s[2] >= 0xaa && s[2] <= 0xae)))
		return 3;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xaa &&
	    s[2] <= 0xaf)
		return 3;
	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3;
	return 0;
}

/*
 * Whether the segment s[0..n) is, on some checkout, the folder .git: in
 * any case (Windows, macOS), with trailing spaces or dots or an alternate
 * data stream (".git.", ".git ", ".git::$INDEX_ALLOCATION": NTFS), as the
 * 8.3 short name "git~1", or with HFS+ ignorables inside. What git's
 * verify_path() refuses, so a clone of the repository is never refused
 * or, worse, writes into its own .git.
 */
static bool
segment_is_dotgit(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char low[8];
	size_t i, k = 0, skip;

	for (i = 0; i < n; ) {
		if ((skip = hfs_ignorable(p + i, n - i)) > 0) {
			i += skip;
			continue;
		}
		if (p[i] == ':')
			break;		/* NTFS: what follows is a stream name */
		if (k == sizeof(low))
			break;		/* longer than any spelling, unless only
					 * blanks and dots follow: see below */
		low[k++] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
		i++;
	}
	if (k == sizeof(low)) {
		/* ".git" then many dots or spaces is still ".git" on NTFS */
		for (; i < n && (p[i] == ' ' || p[i] == '.' ||
		    hfs_ignorable(p + i, n - i) > 0); i += p[i] < 0x80 ? 1 : 3)
			;
		if (i < n && p[i] != ':')
			return false;
	}
	while (k > 0 && (low[k - 1] == ' ' || low[k - 1] == '.'))
		k--;
	return (k == 4 && !memcmp(low, ".git", 4)) ||
	    (k == 5 && !memcmp(low, "git~1", 5));
}

const char *
path_invalid(const char *path)
{
	size_t n = strlen(path), i, seg = 0;

	if (n == 0)
		return "is empty";
	if (n > 1000)
		return "is longer than 1000 bytes";
	if (path[0] == '/')
		return "starts with '/'";
	for (i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c == '\\')
			return "contains a backslash";
		if ((c < 0x20 && c != '\0') || c == 0x7f)
			return "contains a control character";
		if (c != '/' && c != '\0')
			continue;
		if (i == seg)
			return "has an empty segment";
		if ((i - seg == 1 && path[seg] == '.') ||
		    (i - seg == 2 && path[seg] == '.' && path[seg + 1] == '.'))
			return "has a '.' or '..' segment";
		if (segment_is_dotgit(path + seg, i - seg))
			return "is or is inside .git/ (in some spelling that "
			    "git refuses: any case, trailing dots or spaces, "
			    "git~1, ignorable characters)";
		seg = i + 1;
	}
	return NULL;
}

bool
rev_valid(const char *rev)
{
	size_t n = strlen(rev), i;

	if (n == 0 || n > 255 || rev[0] == '/' || rev[n - 1] == '/' ||
	    rev[n - 1] == '.' || rev[0] == '-' || rev[0] == '.' ||
	    !strcmp(rev, "@"))
		return false;
	if (strstr(rev, "..") || strstr(rev, "//") || strstr(rev, "@{") ||
	    strstr(rev, "/.") || strstr(rev, ".lock/") ||
	    (n >= 5 && !strcmp(rev + n - 5, ".lock")))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)rev[i];

		if (c < 0x20 || c == 0x7f || strchr(" ~^:?*[\\", c))
			return false;
	}
	return true;
}

/* What git's check-ref-format refuses beyond rev_valid(): a component
 * that starts with '.' or ends with ".lock", and the name "@". */
static bool
components_valid(const char *s)
{
	if (!strcmp(s, "@"))
		return false;
	while (*s != '\0') {
		size_t n = strcspn(s, "/");

		if (*s == '.' || (n >= 5 && !strncmp(s + n - 5, ".lock", 5)))
			return false;
		s += n;
		if (*s == '/')
			s++;
	}
	return true;
}

bool
ref_name_valid(const char *name)
{
	size_t chars;

	return rev_valid(name) && components_valid(name) &&
	    utf8_valid((const unsigned char *)name, strlen(name), &chars) != 0;
}

bool
ref_name_ambiguous(const char *name)
{
	size_t n = strlen(name);

	/* 4-40 hex digits: a client takes 40 for an immutable commit, and
	 * resolve would let a ref shadow a short id */
	return (n >= 4 && n <= 40 &&
	    strspn(name, "0123456789abcdefABCDEF") == n) ||
	    !strcmp(name, "HEAD") || !strncmp(name, "refs/", 5);
}

const char *
repo_type_name(enum repo_type t)
{
	return t == REPO_DATASET ? "dataset" : t == REPO_SPACE ? "space" :
	    "model";
}

const char *
repo_type_plural(enum repo_type t)
{
	return t == REPO_DATASET ? "datasets" : t == REPO_SPACE ? "spaces" :
	    "models";
}

const char *
repo_type_prefix(enum repo_type t)
{
	return t == REPO_DATASET ? "datasets/" : t == REPO_SPACE ? "spaces/" :
	    "";
}

/* The kind whose name (or plural) is s, from the three kinds' names. */
static int
type_by(const char *(*name_of)(enum repo_type), const char *s,
    enum repo_type *t)
{
	static const enum repo_type all[] = { REPO_MODEL, REPO_DATASET,
	    REPO_SPACE };
	size_t i;

	for (i = 0; s != NULL && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, name_of(all[i]))) {
			*t = all[i];
			return 0;
		}
	return -1;
}

int
repo_type_of(const char *name, enum repo_type *t)
{
	return type_by(repo_type_name, name, t);
}

int
repo_type_of_plural(const char *plural, enum repo_type *t)
{
	return type_by(repo_type_plural, plural, t);
}

int
repo_id_split(struct arena *a, const char *id, const char **ns,
    const char **name)
{
	const char *slash;

	if (id == NULL || *id == '\0')
		return -1;
	if ((slash = strchr(id, '/')) == NULL) {
		*ns = "";
		*name = id;
		return 0;
	}
	if (slash == id || slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
		return -1;
	*ns = arena_strndup(a, id, (size_t)(slash - id));
	*name = slash + 1;
	return 0;
}

bool
email_plausible(const char *e)
{
	const char *at, *d, *p;

	if ((at = strchr(e, '@')) == NULL || at == e ||
	    strchr(at + 1, '@') != NULL)
		return false;
	for (p = e; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
		    strchr("\"'(),:;<>[\\]", *p) != NULL)
			return false;
	d = at + 1;
	if (*d == '\0' || *d == '.' || *d == '-' || strchr(d, '.') == NULL ||
	    d[strlen(d) - 1] == '.' || strstr(d, "..") != NULL)
		return false;
	return true;
}
