/*
 * filelist.h: a revision's file listings in pages (the API's tree, the
 * pages' folders): where the next page starts. What the listings write
 * is jtext.h's JSON text, gitstore_blobs()' metadata and history.h's
 * last commits.
 */
#ifndef KHUB_FILELIST_H
#define KHUB_FILELIST_H

#include <stddef.h>

#include "gitobj.h"

/*
 * A tree listing's page cursor, "<offset>.<commit hex>" (where the next
 * page starts, in which commit: the API's Link and the pages' "next"):
 * 0 with *offset and hex (NUL-terminated), -1 when malformed.
 */
int	 tree_cursor_parse(const char *s, size_t *offset,
	    char hex[OID_HEX + 1]);

#endif
