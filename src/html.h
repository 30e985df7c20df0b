/*
 * html.h: HTML that escapes by construction.
 *
 * A page writes markup only through html_printf(), whose format is the
 * page's own markup: a string literal (the format attribute makes
 * -Wformat=2 refuse anything else), and every %s argument is a value,
 * written escaped for text and for quoted attributes alike. So no value
 * can reach the page as markup; the one other way in is html_markdown(),
 * cmark-gfm's safe rendering of a model card (raw HTML and dangerous URLs
 * left out). Links are built with html_url() (percent-encoded) and still
 * pass through %s, after a literal "/" that fixes their scheme.
 */
#ifndef KHUB_HTML_H
#define KHUB_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct html {
	struct buf	 b;		/* the page so far */
};

void	 html_init(struct html *, struct arena *);
/*
 * Appends fmt with its conversions filled in: %s (%.*s, %.Ns) escaped
 * (& < > " ' as entities), %d %u %ld %lld %llu %zu as numbers, %% a
 * percent sign. Any other conversion is a programming error: it writes
 * "?" and logs nothing (the compiler's format check sees it first).
 */
void	 html_printf(struct html *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Appends s escaped, as %s does (for loops over parts of a value). */
void	 html_text(struct html *, const char *s, size_t n);
/*
 * Appends markdown text[0..len) rendered as HTML by cmark-gfm with the
 * table, strikethrough, autolink and tagfilter extensions, in safe mode:
 * raw HTML becomes a comment, javascript:/vbscript:/file: and data: URLs
 * (but images) become empty. Never fails (out of memory ends the process).
 * With key non-NULL the result is kept under it (html_markdown_cached).
 */
void	 html_markdown(struct html *, const char *text, size_t len,
	    const char *key);
/*
 * Appends what html_markdown() rendered under key (non-NULL: kept per
 * worker, HTML_MD_CACHE of them, each up to HTML_MD_KEEP bytes; a key
 * must name the text, as a blob id does) and returns true; false when
 * it is not kept.
 */
bool	 html_markdown_cached(struct html *, const char *key);
/* Appends a part written with these functions (escaped already). */
void	 html_append(struct html *, const struct html *part);
/* s percent-encoded for a URL path ('/' kept when keep_slash), in a. */
char	*html_url(struct arena *, const char *s, bool keep_slash);
/* A byte count for people: "512 B", "1.5 kB", "2.3 GB" (powers of 1000,
 * as the Hub shows them), in a. */
char	*html_size(struct arena *, unsigned long long bytes);

#endif
