/*
 * frontmatter.h: a README's YAML front matter as JSON (the Hub's cardData),
 * read as huggingface_hub reads it: PyYAML's safe_load (YAML 1.1, its
 * implicit types, anchors, aliases, merge keys, the core tags), through
 * libyaml. JSON has no dates: timestamps stay the text written. A tag
 * safe_load refuses, or a YAML error anywhere, makes the whole front
 * matter unreadable: strict, never a guess.
 */
#ifndef KHUB_FRONTMATTER_H
#define KHUB_FRONTMATTER_H

#include <stddef.h>

#include <json.h>

#include "arena.h"

/* Front matter larger than this is not read. */
#define FRONTMATTER_MAX	(256 * 1024)

/*
 * The front matter of text ("---\n" YAML "\n---\n" at its very start) as
 * a new JSON object, or NULL when there is none, it is empty, not a
 * mapping, or not readable (see above; also infinities and NaN, which
 * JSON cannot hold). Temporaries come from a.
 */
json_object	*frontmatter_parse(struct arena *a, const char *text,
		    size_t len);

#endif
