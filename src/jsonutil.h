/*
 * jsonutil.h: small helpers over json-c for building answers.
 * json-c allocates with malloc: an answer's tree is released by resp_json().
 */
#ifndef KHUB_JSONUTIL_H
#define KHUB_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json.h>

#include "arena.h"

/* New object/array; out of memory ends the process (arena.h). */
json_object	*jobj(void);
json_object	*jarr(void);
/* A string, or JSON null for NULL. */
json_object	*jstr(const char *);
json_object	*jbool(int);
json_object	*jint(int64_t);
/* obj[key] = val (val may be NULL for JSON null). */
void		 jset(json_object *obj, const char *key, json_object *val);
/* The string member key of obj, or NULL when absent or not a string. */
const char	*jget_str(json_object *obj, const char *key);
/*
 * Whether s[0..n) is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF. On success *chars is the number of characters.
 */
int		 utf8_valid(const unsigned char *s, size_t n, size_t *chars);
/* Whether every string and member name in o is UTF-8 without NUL (json-c
 * passes any bytes through); the tokener's depth limit bounds the walk. */
bool		 json_text_valid(json_object *o);
/* "2025-01-20T10:15:32.123Z" from Unix milliseconds. */
char		*iso_time_ms(struct arena *, int64_t ms);

#endif
