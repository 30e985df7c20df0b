/*
 * api_summary.c: a repository's summary, as its info and a listing's
 * items show it (see api_summary.h).
 */
#include <string.h>

#include "api_summary.h"
#include "jtext.h"
#include "jsonutil.h"

static const struct {
	const char	*name;
	unsigned	 bit;
} expand_names[] = {
	{ "author", F_AUTHOR }, { "sha", F_SHA },
	{ "lastModified", F_LASTMOD }, { "createdAt", F_CREATED },
	{ "private", F_PRIVATE }, { "gated", F_GATED },
	{ "disabled", F_DISABLED }, { "downloads", F_DOWNLOADS },
	{ "likes", F_LIKES }, { "tags", F_TAGS },
	{ "pipeline_tag", F_PIPELINE }, { "library_name", F_LIBRARY },
	{ "cardData", F_CARD }, { "siblings", F_SIBLINGS },
	{ "spaces", F_SPACES }, { "usedStorage", F_USED },
	{ "xetEnabled", F_XET }, { "trendingScore", F_TRENDING },
};

unsigned
expand_of(const struct req *r, bool *given)
{
	unsigned mask = 0;
	size_t i, k;

	*given = false;
	for (i = 0; i < r->nquery; i++) {
		if (strcmp(r->query[i].key, "expand") != 0 &&
		    strcmp(r->query[i].key, "expand[]") != 0)
			continue;
		if (*r->query[i].value == '\0')
			continue;	/* httpx's None */
		*given = true;
		for (k = 0; k < sizeof(expand_names) / sizeof(expand_names[0]);
		    k++)
			if (!strcmp(r->query[i].value, expand_names[k].name))
				mask |= expand_names[k].bit;
	}
	return mask;
}

static void
jtext_tags(struct buf *b, const struct tags *t)
{
	size_t i;

	buf_addc(b, '[');
	for (i = 0; i < t->n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		jtext_str(b, t->v[i], strlen(t->v[i]));
	}
	buf_addc(b, ']');
}

/* card[key] when it is a string, else NULL. */
static const char *
card_str(json_object *card, const char *key)
{
	return card == NULL ? NULL : jget_str(card, key);
}

static char *
repo_oid_str(struct arena *a, int64_t id)
{
	/* 24 hex digits, the shape of the Hub's ids. */
	return arena_printf(a, "%024llx", (unsigned long long)id);
}

void
jtext_summary(struct req *r, struct buf *b, const struct summary *s,
    unsigned f, bool expanded)
{
	buf_printf(b, "{\"_id\":\"%s\",\"id\":", repo_oid_str(r->a, s->id));
	jtext_str(b, s->full, strlen(s->full));
	if (s->type == REPO_MODEL && !expanded) {
		buf_adds(b, ",\"modelId\":");
		jtext_str(b, s->full, strlen(s->full));
	}
	if (f & F_AUTHOR)
		jtext_opt(b, "author", *s->ns ? s->ns : NULL);
	if (f & F_SHA)
		jtext_opt(b, "sha", s->sha);
	if (f & F_LASTMOD)
		jtext_opt(b, "lastModified", iso_time_ms(r->a, s->updated_ms));
	if (f & F_CREATED)
		jtext_opt(b, "createdAt", iso_time_ms(r->a, s->created_ms));
	if (f & F_PRIVATE)
		buf_printf(b, ",\"private\":%s", s->private_ ? "true" :
		    "false");
	if (f & F_DISABLED)
		buf_printf(b, ",\"disabled\":%s", s->disabled ? "true" :
		    "false");
	if (f & F_GATED && gate_name(s->gated) != NULL)
		jtext_opt(b, "gated", gate_name(s->gated));
	else if (f & F_GATED)
		buf_adds(b, ",\"gated\":false");
	if (f & F_DOWNLOADS)
		buf_printf(b, ",\"downloads\":%lld", (long long)s->downloads);
	if (f & F_LIKES)
		buf_printf(b, ",\"likes\":%lld", (long long)s->likes);
	if (f & F_TRENDING)
		buf_adds(b, ",\"trendingScore\":0");
	if (f & F_TAGS) {
		buf_adds(b, ",\"tags\":");
		jtext_tags(b, &s->tags);
	}
	if (f & F_PIPELINE)
		jtext_opt(b, "pipeline_tag", card_str(s->card,
		    "pipeline_tag"));
	if (f & F_LIBRARY)
		jtext_opt(b, "library_name", card_str(s->card,
		    "library_name"));
	if (f & F_CARD && s->card != NULL) {
		buf_adds(b, ",\"cardData\":");
		jtext_json(b, s->card);
	}
	if (f & F_XET)
		buf_adds(b, ",\"xetEnabled\":false");
	if (s->mirror != NULL) {
		/* khub's own: a read-only mirror of that hub (mirror.h) */
		buf_adds(b, ",\"mirror\":{\"upstream\":");
		jtext_str(b, s->mirror, strlen(s->mirror));
		buf_addc(b, '}');
	}
}
