/*
 * range.h: the HTTP Range header (RFC 9110 14.2) of a download, as khub
 * serves it: one byte range, or the whole body.
 */
#ifndef KHUB_RANGE_H
#define KHUB_RANGE_H

#include <stddef.h>

/*
 * Parses a single "bytes=a-b", "bytes=a-" or "bytes=-n" range of a body of
 * len bytes into [*from, *to] (then 0 <= *from <= *to < len). Returns 1
 * for a range, 0 for none or one to ignore (NULL, another unit, several
 * ranges, junk: the whole body), -1 when unsatisfiable (answer 416).
 * h is any NUL-terminated text from the client.
 */
int	range_parse(const char *h, size_t len, size_t *from, size_t *to);

#endif
