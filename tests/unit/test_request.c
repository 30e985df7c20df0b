/*
 * test_request.c: request parsing and the error answer, on in-memory
 * FastCGI streams.
 */
#include "check.h"
#include "fakereq.h"
#include "jsonutil.h"
#include "request.h"

static void
test_error_answer(void)
{
	static const char *vars[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/api/models/a/b", "HTTP_HOST=hub.test", NULL };
	struct fake f;
	const char *out;

	CHECK(fake_begin(&f, vars, NULL) == 0);
	resp_error(&f.r, 404, "RepoNotFound", "Repository %s not found",
	    "a/b");
	out = fake_output(&f);
	CHECK(strncmp(out, "Status: 404 Not Found\r\n", 23) == 0);
	CHECK(strstr(out, "X-Error-Code: RepoNotFound\r\n") != NULL);
	CHECK(strstr(out, "X-Error-Message: Repository a/b not found\r\n") !=
	    NULL);
	CHECK(strstr(out, "X-Request-Id: ") != NULL);
	CHECK(strstr(out, "Content-Type: application/json\r\n") != NULL);
	CHECK(strstr(out, "\r\n\r\n{\"error\":\"Repository a/b not found\","
	    "\"requestId\":\"") != NULL);
	CHECK(f.r.status == 404);
	fake_end(&f);
}

static void
test_error_head_has_no_body(void)
{
	static const char *vars[] = { "REQUEST_METHOD=HEAD",
	    "REQUEST_URI=/x/y/resolve/main/f", NULL };
	struct fake f;
	const char *out;

	CHECK(fake_begin(&f, vars, NULL) == 0);
	resp_error(&f.r, 404, "EntryNotFound", "no such file");
	out = fake_output(&f);
	CHECK(strstr(out, "X-Error-Code: EntryNotFound\r\n") != NULL);
	CHECK(strstr(out, "X-Error-Message: no such file\r\n") != NULL);
	/* headers end the answer */
	CHECK(strlen(out) >= 4 && !strcmp(out + strlen(out) - 4, "\r\n\r\n"));
	fake_end(&f);
}

static void
test_header_injection(void)
{
	static const char *vars[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/", NULL };
	struct fake f;

	CHECK(fake_begin(&f, vars, NULL) == 0);
	resp_error(&f.r, 400, "BadRequest", "bad\r\nSet-Cookie: x=1");
	CHECK(strstr(fake_output(&f), "\r\nSet-Cookie") == NULL);
	fake_end(&f);
}

static void
test_bad_escape_is_400(void)
{
	static const char *vars[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/api/models/a%zz/b", NULL };
	static const char *nul[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/a/b%00c", NULL };
	static const char *q[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/a?x=%4", NULL };
	struct fake f;

	CHECK(fake_begin(&f, vars, NULL) == -1);
	CHECK(f.r.status == 400);
	CHECK(strstr(fake_output(&f), "X-Error-Code: BadRequest") != NULL);
	fake_end(&f);
	CHECK(fake_begin(&f, nul, NULL) == -1);
	CHECK(f.r.status == 400);
	fake_end(&f);
	CHECK(fake_begin(&f, q, NULL) == -1);
	CHECK(f.r.status == 400);
	fake_end(&f);
}

static void
test_long_uri_is_400(void)
{
	static char uri[REQ_URI_MAX + 32];
	const char *vars[] = { "REQUEST_METHOD=GET", uri, NULL };
	struct fake f;

	memcpy(uri, "REQUEST_URI=/", 13);
	memset(uri + 13, 'a', REQ_URI_MAX + 1);
	CHECK(fake_begin(&f, vars, NULL) == -1);
	CHECK(f.r.status == 400);
	fake_end(&f);
	/* exactly at the limit is fine */
	uri[12 + REQ_URI_MAX] = '\0';
	CHECK(fake_begin(&f, vars, NULL) == 0);
	fake_end(&f);
}

static void
test_endpoint(void)
{
	static const char *plain[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/",
	    "HTTP_HOST=127.0.0.1:28080", NULL };
	static const char *proxied[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/", "HTTP_HOST=10.0.0.1:9000",
	    "HTTP_X_FORWARDED_PROTO=https",
	    "HTTP_X_FORWARDED_HOST=hub.example.org, proxy", NULL };
	struct fake f;

	CHECK(fake_begin(&f, plain, NULL) == 0);
	CHECK_STR(f.r.endpoint, "http://127.0.0.1:28080");
	fake_end(&f);
	/* X-Forwarded-* is anyone's to send: ignored unless trusted */
	CHECK(fake_begin(&f, proxied, NULL) == 0);
	CHECK_STR(f.r.endpoint, "http://10.0.0.1:9000");
	fake_end(&f);
	fake_trust_forwarded = true;
	CHECK(fake_begin(&f, proxied, NULL) == 0);
	CHECK_STR(f.r.endpoint, "https://hub.example.org");
	fake_end(&f);
	/* base_url pins it whatever the Host */
	fake_base_url = "https://pinned.example";
	CHECK(fake_begin(&f, proxied, NULL) == 0);
	CHECK_STR(f.r.endpoint, "https://pinned.example");
	fake_end(&f);
	fake_base_url = NULL;
	fake_trust_forwarded = false;
}

static void
test_absolute_uri(void)
{
	static const char *vars[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=http://hub.test:8080/api/models/a%2Fb?x=1", NULL };
	static const char *bare[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=https://hub.test", NULL };
	struct fake f;

	CHECK(fake_begin(&f, vars, NULL) == 0);
	CHECK(f.r.nsegs == 3);
	CHECK_STR(f.r.segs[2], "a/b");
	CHECK_STR(req_query(&f.r, "x"), "1");
	fake_end(&f);
	CHECK(fake_begin(&f, bare, NULL) == 0);
	CHECK(f.r.nsegs == 1 && *f.r.segs[0] == '\0');
	fake_end(&f);
}

static void
test_body_without_length(void)
{
	static const char *vars[] = { "REQUEST_METHOD=POST",
	    "REQUEST_URI=/", NULL };
	struct fake f;
	const char *body;
	size_t len;

	/* no CONTENT_LENGTH: the body is read to its end */
	CHECK(fake_begin(&f, vars, "{\"a\":1}") == 0);
	CHECK(req_body(&f.r, &body, &len) == 0);
	CHECK(len == 7 && !memcmp(body, "{\"a\":1}", 7));
	fake_end(&f);
}

static void
test_query(void)
{
	static const char *vars[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/api/models?search=a+b%2Fc&full=True&x=false&"
	    "expand%5B%5D=formatted&bad=maybe&none=", NULL };
	struct fake f;

	CHECK(fake_begin(&f, vars, NULL) == 0);
	CHECK_STR(req_query(&f.r, "search"), "a b/c");
	CHECK_STR(req_query(&f.r, "expand[]"), "formatted");
	CHECK(req_query_bool(&f.r, "full", 0) == 1);
	CHECK(req_query_bool(&f.r, "x", 1) == 0);
	CHECK(req_query_bool(&f.r, "none", 1) == 1);
	CHECK(req_query_bool(&f.r, "absent", 0) == 0);
	CHECK(f.r.status == 0);
	CHECK(req_query_bool(&f.r, "bad", 0) == -1);
	CHECK(f.r.status == 400);
	fake_end(&f);
}

static void
test_body_limit(void)
{
	static const char *big[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/",
	    "CONTENT_LENGTH=4096", NULL };
	static const char *ok[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/",
	    "CONTENT_LENGTH=13", NULL };
	static const char *short_body[] = { "REQUEST_METHOD=POST",
	    "REQUEST_URI=/", "CONTENT_LENGTH=20", NULL };
	struct fake f;
	const char *body;
	size_t len;
	json_object *o;

	/* refused before routing */
	CHECK(fake_begin(&f, big, "x") == -1);
	CHECK(f.r.status == 413);
	fake_end(&f);

	CHECK(fake_begin(&f, ok, "{\"a\": \"b\"}   ") == 0);
	o = req_json(&f.r);
	CHECK(o != NULL && jget_str(o, "a") != NULL &&
	    !strcmp(jget_str(o, "a"), "b"));
	fake_end(&f);	/* releases o */

	CHECK(fake_begin(&f, short_body, "{}") == 0);
	CHECK(req_body(&f.r, &body, &len) == -1);
	CHECK(f.r.status == 400);
	fake_end(&f);
}

static void
test_bad_json(void)
{
	static const char *const bodies[] = { "{", "[1]", "{} x", "nul",
	    "{\"a\":1}{}" };
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char cl[48];
		const char *vars[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/",
		    cl, NULL };
		struct fake f;

		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu",
		    strlen(bodies[i]));
		CHECK(fake_begin(&f, vars, bodies[i]) == 0);
		CHECK(req_json(&f.r) == NULL);
		CHECK(f.r.status == 400);
		fake_end(&f);
	}
}

/* A NUL byte ends no JSON body: what follows it was once never looked at
 * (found by fuzz_json). */
static void
test_json_nul(void)
{
	static const char body[] = "{\"a\":1}\0junk";
	const char *vars[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/",
	    "CONTENT_LENGTH=12", NULL };
	struct fake f;

	CHECK(fake_begin(&f, vars, NULL) == 0);
	f.in.rdNext = (unsigned char *)body;
	f.in.stop = f.in.rdNext + sizeof(body) - 1;
	f.in.stopUnget = f.in.rdNext;
	CHECK(req_json(&f.r) == NULL);
	CHECK(f.r.status == 400);
	fake_end(&f);
}

static void
test_json_helpers(void)
{
	struct arena a;
	json_object *o = jobj();

	jset(o, "s", jstr("x\"y"));
	jset(o, "n", jstr(NULL));
	jset(o, "b", jbool(1));
	jset(o, "i", jint(-5));
	CHECK_STR(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    "{\"s\":\"x\\\"y\",\"n\":null,\"b\":true,\"i\":-5}");
	CHECK_STR(jget_str(o, "s"), "x\"y");
	CHECK(jget_str(o, "i") == NULL);
	CHECK(jget_str(o, "missing") == NULL);
	json_object_put(o);
	arena_init(&a, 1024);
	CHECK_STR(iso_time_ms(&a, INT64_C(1737360932123)),
	    "2025-01-20T08:15:32.123Z");
	CHECK_STR(iso_time_ms(&a, 0), "1970-01-01T00:00:00.000Z");
	arena_free(&a);
}

/* One req_page() on query q: its return, limit and cursor. */
static int
page_of(const char *q, size_t *limit, int64_t *cursor)
{
	char uri[256];
	const char *vars[] = { "REQUEST_METHOD=GET", uri, NULL };
	struct fake f;
	int rc;

	snprintf(uri, sizeof(uri), "REQUEST_URI=/api/models/a/b/likers?%s", q);
	CHECK(fake_begin(&f, vars, NULL) == 0);
	rc = req_page(&f.r, 100, 1000, limit, cursor);
	if (rc != 0)
		CHECK(strstr(fake_output(&f), "Status: 400") != NULL);
	fake_end(&f);
	return rc;
}

static void
test_page(void)
{
	static const char *bad[] = { "cursor=0", "cursor=-1", "cursor=%2B1",
	    "cursor=01", "cursor=1x", "cursor=1%20", "cursor=0x10",
	    "cursor=1234567890123456789", "limit=-1", "limit=1.5",
	    "limit=abc", "limit=%201", NULL };
	size_t limit, i;
	int64_t cursor;

	CHECK(page_of("", &limit, &cursor) == 0);
	CHECK(limit == 100 && cursor == 0);
	CHECK(page_of("limit=0&cursor=", &limit, &cursor) == 0);
	CHECK(limit == 100 && cursor == 0);
	CHECK(page_of("limit=7&cursor=42", &limit, &cursor) == 0);
	CHECK(limit == 7 && cursor == 42);
	CHECK(page_of("limit=999999999999999999&cursor=123456789012345678",
	    &limit, &cursor) == 0);
	CHECK(limit == 1000 && cursor == 123456789012345678LL);
	for (i = 0; bad[i] != NULL; i++)
		CHECK(page_of(bad[i], &limit, &cursor) == -1);
}

int
main(void)
{
	RUN(test_error_answer);
	RUN(test_error_head_has_no_body);
	RUN(test_header_injection);
	RUN(test_bad_escape_is_400);
	RUN(test_long_uri_is_400);
	RUN(test_endpoint);
	RUN(test_absolute_uri);
	RUN(test_body_without_length);
	RUN(test_query);
	RUN(test_body_limit);
	RUN(test_bad_json);
	RUN(test_json_nul);
	RUN(test_json_helpers);
	RUN(test_page);
	return check_done("request");
}
