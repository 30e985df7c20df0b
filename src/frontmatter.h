/*
 * frontmatter.h: a README's YAML front matter as JSON (the Hub's cardData).
 *
 * The YAML read is the subset model cards use: block mappings and
 * sequences, flow [..] and {..}, plain, quoted and block (| >) scalars,
 * comments, with YAML 1.2 core scalars (null, booleans, integers, floats).
 * Anything else (anchors, aliases, tags, directives, tabs in indentation,
 * complex keys) makes the whole front matter unreadable: strict, never a
 * guess.
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
 * mapping, or not readable (see above). Temporaries come from a.
 */
json_object	*frontmatter_parse(struct arena *a, const char *text,
		    size_t len);

#endif
