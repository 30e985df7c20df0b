/*
 * ui_repo.c: the repository page, /{ns}/{name} (and /datasets/...,
 * /spaces/..., canonical names): the card (README.md rendered), its
 * front matter as metadata, size, downloads, likes, the last commit, and
 * snippets to use it from huggingface_hub, transformers and git.
 */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "api_repo.h"
#include "cache.h"
#include "frontmatter.h"
#include "gitstore.h"
#include "hub.h"
#include "quota.h"
#include "ui.h"

/* The most of a README shown (the rest is cut, and said so). */
#define CARD_MAX	(1024 * 1024)

/*
 * README blob id -> whether it was cut, then its front matter (JSON
 * text, none when empty), in the worker's cache; html.c keeps the
 * rendered body under the same id. Blob ids name content, so an entry is
 * never stale; it saves the S3 read, which is most of a page's time.
 */
static void
card_keep(const struct oid *oid, json_object *card, bool cut)
{
	const char *t = card != NULL ? json_object_to_json_string_ext(card,
	    JSON_C_TO_STRING_PLAIN) : "";
	size_t n = strlen(t);
	char *v = malloc(n + 1);

	if (v == NULL)
		oom();
	v[0] = cut ? '1' : '0';
	memcpy(v + 1, t, n);
	cache_put(CACHE_CARD_PAGE, oid, v, n + 1);
	free(v);
}

/* The card's text after its front matter ("---" lines around YAML). */
static const char *
card_body(const char *text, size_t len, size_t *blen)
{
	const char *p, *end = text + len;

	*blen = len;
	if (len < 4 || strncmp(text, "---", 3) != 0 ||
	    (text[3] != '\n' && text[3] != '\r'))
		return text;
	for (p = strchr(text, '\n'); p != NULL && p < end;
	    p = memchr(p + 1, '\n', (size_t)(end - p - 1))) {
		const char *l = p + 1;

		if (end - l >= 3 && !strncmp(l, "---", 3) && (end - l == 3 ||
		    l[3] == '\n' || l[3] == '\r')) {
			l += 3;
			l += strspn(l, "\r\n");
			*blen = (size_t)(end - l);
			return l;
		}
		if (p + 1 >= end)
			break;
	}
	return text;	/* never closed: no front matter */
}

/* A row of metadata: card[key], a string or a list of strings, as
 * badges (nothing when it has neither shape). */
static void
meta_row(struct html *h, json_object *card, const char *key,
    const char *label)
{
	json_object *v;
	size_t i, n;

	if (card == NULL || !json_object_object_get_ex(card, key, &v) ||
	    v == NULL)
		return;
	if (json_object_is_type(v, json_type_string)) {
		html_printf(h, "<dt>%s</dt><dd><span class=\"badge\">%s</span>"
		    "</dd>", label, json_object_get_string(v));
		return;
	}
	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) == 0)
		return;
	html_printf(h, "<dt>%s</dt><dd>", label);
	for (i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(v, i);

		if (json_object_is_type(x, json_type_string))
			html_printf(h, "<span class=\"badge\">%s</span>",
			    json_object_get_string(x));
	}
	html_printf(h, "</dd>");
}

/* The snippets: huggingface_hub, transformers (models), git. */
static void
snippets(struct req *r, struct html *h, const struct repo *repo,
    json_object *card)
{
	const char *type = repo->type == REPO_DATASET ? ", repo_type=\"dataset\"" :
	    repo->type == REPO_SPACE ? ", repo_type=\"space\"" : "";
	json_object *v;

	html_printf(h, "<section><h2>Use this %s</h2>",
	    repo_type_name(repo->type));
	/* tabindex: a snippet wider than its box scrolls by keyboard too */
	html_printf(h, "<p class=\"mute\">huggingface_hub</p>"
	    "<pre tabindex=\"0\"><code>"
	    "# HF_ENDPOINT=%s HF_HUB_DISABLE_XET=1\n"
	    "from huggingface_hub import snapshot_download\n"
	    "path = snapshot_download(\"%s\"%s)</code></pre>", r->endpoint,
	    repo->full, type);
	if (repo->type == REPO_MODEL) {
		if (card != NULL && json_object_object_get_ex(card,
		    "pipeline_tag", &v) && json_object_is_type(v,
		    json_type_string))
			html_printf(h, "<p class=\"mute\">transformers</p>"
			    "<pre tabindex=\"0\"><code>"
			    "from transformers import pipeline\n"
			    "pipe = pipeline(\"%s\", model=\"%s\")</code></pre>",
			    json_object_get_string(v), repo->full);
		else
			html_printf(h, "<p class=\"mute\">transformers</p>"
			    "<pre tabindex=\"0\"><code>"
			    "from transformers import AutoModel\n"
			    "model = AutoModel.from_pretrained(\"%s\")"
			    "</code></pre>", repo->full);
	}
	html_printf(h, "<p class=\"mute\">git</p><pre tabindex=\"0\"><code>"
	    "git lfs install\n"
	    "git clone %s/%s%s</code></pre></section>", r->endpoint,
	    repo_type_prefix(repo->type), repo->full);
}

static void
card_free(void *p)
{
	json_object_put(p);
}

void
ui_repo(struct req *r)
{
	struct repo *repo;
	struct rev rv;
	struct commit_info ci;
	struct tree_entry e;
	struct blob_info bi;
	struct html h, md;
	json_object *card = NULL;
	const char *body = NULL, *base;
	char *text = NULL, hex[OID_HEX + 1], key[OID_HEX + 1];
	size_t len = 0, blen = 0;
	uint64_t used = 0;
	bool cut = false, have_commit = false, have_readme = false;
	int rc;

	repo = r->repo;		/* looked up with main */
	if (repo->rev_is_ref) {
		if (repo_resolve(r, repo, "main", &rv) != 0)
			return;
		if (gitstore_commit(r->hub->db, r->a, &rv.commit, &ci) != 0) {
			resp_db_error(r);
			return;
		}
		have_commit = true;
		oid_hex(&rv.commit, hex);
		if ((rc = gitstore_walk(r->hub->db, r->a, &ci.tree,
		    "README.md", &e)) < 0) {
			resp_db_error(r);
			return;
		}
		if (rc == 0 && e.mode != MODE_DIR) {
			const char *kept;
			size_t klen;

			oid_hex(&e.oid, key);
			html_init(&md, r->a);
			kept = cache_get(CACHE_CARD_PAGE, &e.oid, &klen);
			if (kept != NULL && klen >= 1 &&
			    html_markdown_cached(&md, key)) {
				have_readme = true;
				cut = kept[0] == '1';
				if (klen > 1 && (card = json_tokener_parse(
				    kept + 1)) != NULL)
					arena_on_reset(r->a, card_free, card);
			} else if ((rc = gitstore_blob(r->hub->db, r->a,
			    &e.oid, &bi)) < 0) {
				resp_db_error(r);
				return;
			} else if (rc == 0 && !bi.lfs && ui_blob_read(r, &bi,
			    CARD_MAX, &text, &len, &cut) == 0) {
				/* An LFS README is no card (the Hub's rule). */
				have_readme = true;
				if ((card = frontmatter_parse(r->a, text,
				    len)) != NULL)
					arena_on_reset(r->a, card_free, card);
				body = card_body(text, len, &blen);
				html_markdown(&md, body, blen, key);
				card_keep(&e.oid, card, cut);
			}
		}
	}
	if (quota_repo_used(r->hub->db, r->a, repo->id, repo->updated_ms,
	    &used) != 0) {
		resp_db_error(r);
		return;
	}
	base = ui_repo_path(r, repo);
	html_init(&h, r->a);
	ui_head(r, &h, repo->full);
	ui_repo_header(r, &h, repo, "card", "main");
	html_printf(&h, "<div class=\"cols\"><article class=\"card "
	    "markdown\">");
	if (have_readme && md.b.len > 0) {
		html_append(&h, &md);
		if (cut)
			html_printf(&h, "<p class=\"mute\">(The card is longer "
			    "than %d kB: the rest is not shown.)</p>",
			    CARD_MAX / 1000);
	} else
		html_printf(&h, "<p class=\"mute\">No card: this %s has no "
		    "README.md.</p>", repo_type_name(repo->type));
	html_printf(&h, "</article><aside>");
	html_printf(&h, "<section><h2>About</h2><dl class=\"facts\">");
	meta_row(&h, card, "license", "License");
	meta_row(&h, card, "pipeline_tag", "Task");
	meta_row(&h, card, "library_name", "Library");
	meta_row(&h, card, "language", "Language");
	meta_row(&h, card, "datasets", "Datasets");
	meta_row(&h, card, "base_model", "Base model");
	meta_row(&h, card, "tags", "Tags");
	html_printf(&h, "<dt>Size</dt><dd>%s</dd><dt>Downloads</dt><dd>%lld"
	    "</dd><dt>Likes</dt><dd>%lld</dd>", html_size(r->a, used),
	    (long long)repo->downloads, (long long)repo->likes);
	if (have_commit)
		html_printf(&h, "<dt>Last commit</dt><dd><a href=\"%s/commits/"
		    "main\">%.*s</a><br><span class=\"mute\">%s &middot; "
		    "<code>%.7s</code></span></dd>", base,
		    (int)strcspn(ci.message, "\n"), ci.message,
		    ui_date(r->a, ci.time), hex);
	html_printf(&h, "</dl></section>");
	snippets(r, &h, repo, card);
	html_printf(&h, "</aside></div>");
	ui_send(r, &h, 200);
}
