/*
 * filelist.c: the page cursor of a revision's file listings (see
 * filelist.h).
 */
#include <stdlib.h>
#include <string.h>

#include "filelist.h"

int
tree_cursor_parse(const char *s, size_t *offset, char hex[OID_HEX + 1])
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '.' || strlen(end + 1) != OID_HEX ||
	    strspn(end + 1, "0123456789abcdef") != OID_HEX || v > 1u << 30)
		return -1;
	*offset = (size_t)v;
	memcpy(hex, end + 1, OID_HEX + 1);
	return 0;
}
