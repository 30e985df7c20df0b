/*
 * names.c: what a name may be.
 */
#include <string.h>
#include <strings.h>

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
