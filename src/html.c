/*
 * html.c: the escaping writer (html.h) and the model card renderer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "cache.h"
#include "hash.h"
#include "html.h"
#include "url.h"

void
html_init(struct html *h, struct arena *a)
{
	buf_init(&h->b, a);
}

void
html_text(struct html *h, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		const char *e;

		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		buf_add(&h->b, s + run, i - run);
		buf_adds(&h->b, e);
		run = i + 1;
	}
	buf_add(&h->b, s + run, n - run);
}

void
html_printf(struct html *h, const char *fmt, ...)
{
	va_list ap;
	const char *p = fmt, *pc;

	va_start(ap, fmt);
	while ((pc = strchr(p, '%')) != NULL) {
		buf_add(&h->b, p, (size_t)(pc - p));
		p = pc + 1;
		if (*p == '%') {
			buf_addc(&h->b, '%');
			p++;
		} else if (*p == 's') {
			const char *s = va_arg(ap, const char *);

			if (s != NULL)
				html_text(h, s, strlen(s));
			p++;
		} else if (*p == '.') {
			const char *s;
			int n = 0;

			/* %.*s and %.Ns: at most n bytes of the value */
			if (*++p == '*') {
				n = va_arg(ap, int);
				p++;
			} else
				while (*p >= '0' && *p <= '9')
					n = 10 * n + (*p++ - '0');
			if (*p != 's') {
				buf_addc(&h->b, '?');
				break;
			}
			p++;
			s = va_arg(ap, const char *);
			if (s != NULL && n > 0)
				html_text(h, s, strnlen(s, (size_t)n));
		} else if (*p == 'd') {
			buf_printf(&h->b, "%d", va_arg(ap, int));
			p++;
		} else if (*p == 'u') {
			buf_printf(&h->b, "%u", va_arg(ap, unsigned));
			p++;
		} else if (!strncmp(p, "ld", 2)) {
			buf_printf(&h->b, "%ld", va_arg(ap, long));
			p += 2;
		} else if (!strncmp(p, "lld", 3)) {
			buf_printf(&h->b, "%lld", va_arg(ap, long long));
			p += 3;
		} else if (!strncmp(p, "llu", 3)) {
			buf_printf(&h->b, "%llu", va_arg(ap, unsigned long long));
			p += 3;
		} else if (!strncmp(p, "zu", 2)) {
			buf_printf(&h->b, "%zu", va_arg(ap, size_t));
			p += 2;
		} else {
			/* Unknown: the arguments can no longer be read. */
			buf_addc(&h->b, '?');
			break;
		}
	}
	if (pc == NULL)
		buf_adds(&h->b, p);
	va_end(ap);
}

/* cmark-gfm's extensions, registered once per process. */
static void
extensions_once(void)
{
	static int done;

	if (!done) {
		cmark_gfm_core_extensions_ensure_registered();
		done = 1;
	}
}

/* Rendered cards by key (a README's blob id), in the worker's cache
 * under the key's SHA-1; a larger one is not kept. */
#define HTML_MD_KEEP	(256 * 1024)

static void
md_key(struct oid *o, const char *key)
{
	struct hash h;

	hash_init(&h, HASH_SHA1);
	hash_update(&h, key, strlen(key));
	hash_final(&h, o->b);
}

bool
html_markdown_cached(struct html *h, const char *key)
{
	struct oid o;
	const void *html;
	size_t len;

	md_key(&o, key);
	if ((html = cache_get(CACHE_MARKDOWN, &o, &len)) == NULL)
		return false;
	buf_add(&h->b, html, len);
	return true;
}

static void
md_keep(const char *key, const char *html, size_t len)
{
	struct oid o;

	if (len > HTML_MD_KEEP)
		return;
	md_key(&o, key);
	cache_put(CACHE_MARKDOWN, &o, html, len);
}

void
html_append(struct html *h, const struct html *part)
{
	buf_add(&h->b, part->b.data, part->b.len);
}

void
html_markdown(struct html *h, const char *text, size_t len, const char *key)
{
	static const char *names[] = { "table", "strikethrough", "autolink",
	    "tagfilter" };
	/* CMARK_OPT_SAFE is the default since 0.29; said anyway, so that
	 * a build against an older library stays safe. */
	int opt = CMARK_OPT_SAFE | CMARK_OPT_GITHUB_PRE_LANG;
	cmark_parser *p;
	cmark_node *doc;
	char *out;
	size_t i;

	extensions_once();
	if ((p = cmark_parser_new(opt)) == NULL)
		oom();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(
		    names[i]);

		if (e != NULL)
			cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, text, len);
	if ((doc = cmark_parser_finish(p)) == NULL)
		oom();
	if ((out = cmark_render_html(doc, opt,
	    cmark_parser_get_syntax_extensions(p))) == NULL)
		oom();
	buf_adds(&h->b, out);
	if (key != NULL)
		md_keep(key, out, strlen(out));
	free(out);
	cmark_node_free(doc);
	cmark_parser_free(p);
}

char *
html_url(struct arena *a, const char *s, bool keep_slash)
{
	struct buf b;

	buf_init(&b, a);
	url_encode(&b, s, strlen(s), keep_slash);
	return b.data;
}

char *
html_size(struct arena *a, unsigned long long n)
{
	static const char *units[] = { "kB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1000)
		return arena_printf(a, "%llu B", n);
	v /= 1000;
	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	return arena_printf(a, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}
