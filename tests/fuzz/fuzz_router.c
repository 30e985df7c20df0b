/*
 * fuzz_router.c: a request line through req_begin() (URI splitting, query,
 * Host) and the server's own route table (router.c), no handler run.
 * Input: the first byte picks the method, the rest is the REQUEST_URI.
 */
#include "../unit/fakereq.h"
#include "commit.h"
#include "fuzz.h"
#include "names.h"
#include "router.h"

static struct fake f;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *methods[] = { "GET", "HEAD", "POST", "PUT",
	    "DELETE", "OPTIONS", "PATCH", "BREW" };
	char *uri, m[32];
	const char *vars[4];
	const struct route *rt;
	unsigned allowed;
	int status;

	if (size == 0 || size > 12000)
		return 0;
	uri = malloc(size + 12);
	if (uri == NULL)
		abort();
	memcpy(uri, "REQUEST_URI=", 12);
	memcpy(uri + 12, data + 1, size - 1);
	uri[size + 11] = '\0';
	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", methods[data[0] & 7]);
	vars[0] = m;
	vars[1] = uri;
	vars[2] = "HTTP_HOST=hub.example.org";
	vars[3] = NULL;
	if (fake_begin(&f, vars, NULL) == 0) {
		rt = router_match(router_table, router_table_len, &f.r, &status,
		    &allowed);
		if (rt != NULL) {
			/* what handlers check first: names, the path */
			FUZZ_ASSERT(f.r.args.path != NULL);
			if (f.r.args.ns != NULL)
				(void)name_invalid(f.r.args.ns);
			if (f.r.args.name != NULL) {
				(void)name_invalid(f.r.args.name);
				(void)name_reserved(f.r.args.name);
			}
			if (*f.r.args.path != '\0')
				(void)path_invalid(f.r.args.path);
		} else
			FUZZ_ASSERT(status == 404 || status == 405);
	}
	fake_end(&f);
	free(uri);
	return 0;
}
