/*
 * card.c: a repository's model card and its tags (see card.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "blobstore.h"
#include "cache.h"
#include "card.h"
#include "db.h"
#include "frontmatter.h"
#include "gitstore.h"
#include "hub.h"
#include "log.h"

/* The most of a README read for its front matter. */
#define README_MAX	(FRONTMATTER_MAX + 4096)

struct sink {
	struct buf	 b;
	bool		 full;
};

static int
readme_sink(void *arg, const void *data, size_t len)
{
	struct sink *s = arg;

	if (s->b.len + len > README_MAX) {
		buf_add(&s->b, data, README_MAX - s->b.len);
		s->full = true;
		return 1;	/* the rest cannot hold front matter */
	}
	buf_add(&s->b, data, len);
	return 0;
}

/* README blob id -> its front matter as JSON text, empty for none, in
 * the worker's cache: blob ids name content, so it is never stale. */
static void
card_remember(const struct oid *oid, json_object *card)
{
	const char *t = card != NULL ? json_object_to_json_string_ext(card,
	    JSON_C_TO_STRING_PLAIN) : "";

	cache_put(CACHE_CARD, oid, t, strlen(t));
}

json_object *
card_load(struct dctx *x, const struct oid *root, const char *what)
{
	struct tree_entry e;
	struct blob_info bi;
	struct sink s;
	struct kerr err;
	json_object *card;
	const char *kept;
	size_t klen;
	int rc;

	if (gitstore_walk(x->hub->db, x->a, root, "README.md", &e) != 0 ||
	    e.mode == MODE_DIR)
		return NULL;
	if ((kept = cache_get(CACHE_CARD, &e.oid, &klen)) != NULL)
		return klen == 0 ? NULL : json_tokener_parse(kept);
	if (gitstore_blob(x->hub->db, x->a, &e.oid, &bi) != 0)
		return NULL;
	if (bi.lfs) {
		card_remember(&e.oid, NULL);
		return NULL;
	}
	buf_init(&s.b, x->a);
	s.full = false;
	rc = blobstore_get(x->hub->db, x->hub->s3, x->a, &bi, readme_sink, &s,
	    &err);
	if (rc != 0 && !s.full) {
		log_warn("README.md %s: %s", what,
		    rc == -1 ? db_error(x->hub->db) : err.msg);
		return NULL;
	}
	card = frontmatter_parse(x->a, s.b.data, s.b.len);
	card_remember(&e.oid, card);
	return card;
}

json_object *
card_of_commit(struct dctx *x, const struct oid *commit, const char *what)
{
	struct commit_info ci;

	if (gitstore_commit(x->hub->db, x->a, commit, &ci) != 0)
		return NULL;
	return card_load(x, &ci.tree, what);
}

static void
tag_add(struct arena *a, struct tags *t, const char *prefix, const char *s)
{
	const char *tag;
	size_t i;

	if (s == NULL || *s == '\0')
		return;
	tag = prefix ? arena_printf(a, "%s:%s", prefix, s) : s;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], tag))
			return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		const char **v = arena_alloc(a, cap * sizeof(*v));

		if (t->n > 0)
			memcpy(v, t->v, t->n * sizeof(*v));
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = tag;
}

/* Adds card[key] (a string or a list of strings) as tags. */
static void
tags_from(struct arena *a, struct tags *t, json_object *card,
    const char *key, const char *prefix)
{
	json_object *v;
	size_t i, n;

	if (!json_object_object_get_ex(card, key, &v) || v == NULL)
		return;
	if (json_object_is_type(v, json_type_string)) {
		tag_add(a, t, prefix, json_object_get_string(v));
		return;
	}
	if (!json_object_is_type(v, json_type_array))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(v, i);

		if (json_object_is_type(x, json_type_string))
			tag_add(a, t, prefix, json_object_get_string(x));
	}
}

void
card_tags(struct arena *a, json_object *card, enum repo_type type,
    struct tags *t)
{
	static const char *ds_keys[] = { "task_categories", "task_ids",
	    "annotations_creators", "language_creators", "multilinguality",
	    "size_categories", "source_datasets" };
	size_t i;

	memset(t, 0, sizeof(*t));
	if (card == NULL)
		return;
	if (type == REPO_MODEL)
		tags_from(a, t, card, "library_name", NULL);
	tags_from(a, t, card, "tags", NULL);
	if (type == REPO_MODEL) {
		tags_from(a, t, card, "pipeline_tag", NULL);
		tags_from(a, t, card, "datasets", "dataset");
		tags_from(a, t, card, "base_model", "base_model");
		tags_from(a, t, card, "language", NULL);
	} else if (type == REPO_DATASET) {
		for (i = 0; i < sizeof(ds_keys) / sizeof(ds_keys[0]); i++)
			tags_from(a, t, card, ds_keys[i], ds_keys[i]);
		tags_from(a, t, card, "language", "language");
	}
	tags_from(a, t, card, "license", "license");
}
