/*
 * jtext.h: JSON text written straight into a buffer, for the answers that
 * list thousands of items (repo info siblings, tree, paths-info,
 * listings): no json-c object each.
 */
#ifndef KHUB_JTEXT_H
#define KHUB_JTEXT_H

#include <stddef.h>

#include <json.h>

#include "arena.h"

/* Appends s[0..n) as a JSON string, quotes included. */
void	 jtext_str(struct buf *, const char *s, size_t n);
/* Appends "key": as JSON text (key is a literal, not escaped). */
#define jtext_key(b, key)	buf_adds((b), "\"" key "\":")
/* Appends ,"key":"value" (escaped), or ,"key":null for v NULL. */
void	 jtext_opt(struct buf *, const char *key, const char *v);
/* Appends o as compact JSON text. */
void	 jtext_json(struct buf *, json_object *o);

#endif
