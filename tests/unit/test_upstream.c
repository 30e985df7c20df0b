/*
 * test_upstream.c: where an upstream's redirect leads (upstream.c), the
 * Hub's relative ones included.
 */
#include "arena.h"
#include "check.h"
#include "upstream.h"

static struct arena a;

static void
test_location(void)
{
	const char *u = "https://hub.example:8443/org/m/resolve/abc/a%20b.json";

	CHECK_STR(upstream_location(&a, u, "https://cdn.example/x?sig=1"),
	    "https://cdn.example/x?sig=1");
	CHECK_STR(upstream_location(&a, u, "/api/resolve-cache/models/org/m/x"),
	    "https://hub.example:8443/api/resolve-cache/models/org/m/x");
	CHECK_STR(upstream_location(&a, "http://h", "/x"), "http://h/x");
	/* another host without a scheme, a relative path, other schemes */
	CHECK(upstream_location(&a, u, "//evil.example/x") == NULL);
	CHECK(upstream_location(&a, u, "x.json") == NULL);
	CHECK(upstream_location(&a, u, "file:///etc/passwd") == NULL);
	CHECK(upstream_location(&a, u, "") == NULL);
}

int
main(void)
{
	arena_init(&a, 4096);
	RUN(test_location);
	arena_free(&a);
	return check_done("test_upstream");
}
