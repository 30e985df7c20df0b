/*
 * test_html.c: the escaping writer (html.c): every value escaped, the
 * format's markup kept, numbers, the card renderer's safe mode.
 */
#include "check.h"
#include "html.h"

static struct arena a;

static void
test_escaping(void)
{
	struct html h;

	html_init(&h, &a);
	html_printf(&h, "<a href=\"/%s\">%s</a>", "x\"onclick=\"y",
	    "<script>alert('1')</script> & co");
	CHECK_STR(h.b.data, "<a href=\"/x&quot;onclick=&quot;y\">&lt;script&gt;"
	    "alert(&#39;1&#39;)&lt;/script&gt; &amp; co</a>");
	html_init(&h, &a);
	html_printf(&h, "%d|%u|%ld|%lld|%llu|%zu|%%|%.3s|%.*s|", -1, 2u, 3L,
	    -4LL, 5ULL, (size_t)6, "abc<def", 2, "<<<");
	CHECK_STR(h.b.data, "-1|2|3|-4|5|6|%|abc|&lt;&lt;|");
	html_init(&h, &a);
	html_text(&h, "a<b", 2);
	CHECK_STR(h.b.data, "a&lt;");
}

static void
test_markdown(void)
{
	static const char md[] = "# T\n\n<script>alert(1)</script>\n\n"
	    "<img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
	    "[x](javascript:alert(1)) https://example.org\n";
	struct html h;

	html_init(&h, &a);
	html_markdown(&h, md, sizeof(md) - 1, "k1");
	CHECK(strstr(h.b.data, "<h1>T</h1>") != NULL);
	CHECK(strstr(h.b.data, "<table>") != NULL);
	CHECK(strstr(h.b.data, "<td>1</td>") != NULL);
	CHECK(strstr(h.b.data, "<script") == NULL);
	CHECK(strstr(h.b.data, "onerror") == NULL);
	CHECK(strstr(h.b.data, "javascript:") == NULL);
	CHECK(strstr(h.b.data, "<a href=\"https://example.org\">") != NULL);
	{
		struct html again;

		html_init(&again, &a);
		CHECK(html_markdown_cached(&again, "k1"));
		CHECK_STR(again.b.data, h.b.data);
		CHECK(!html_markdown_cached(&again, "k2"));
	}
}

static void
test_helpers(void)
{
	CHECK_STR(html_url(&a, "a b/c\"<", true), "a%20b/c%22%3C");
	CHECK_STR(html_url(&a, "a/b", false), "a%2Fb");
	CHECK_STR(html_size(&a, 999), "999 B");
	CHECK_STR(html_size(&a, 1500), "1.5 kB");
	CHECK_STR(html_size(&a, 2300000000ULL), "2.3 GB");
	CHECK_STR(html_size(&a, 45000000), "45 MB");
}

int
main(void)
{
	arena_init(&a, 4096);
	RUN(test_escaping);
	RUN(test_markdown);
	RUN(test_helpers);
	arena_free(&a);
	return check_done("html");
}
