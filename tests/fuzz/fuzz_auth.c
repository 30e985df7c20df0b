/*
 * fuzz_auth.c: the Authorization header and the session_id cookie
 * (auth.c), as auth_identify() reads them before any database lookup.
 * Input: the Authorization value, a NUL, the Cookie value.
 */
#include <strings.h>

#include "../unit/fakereq.h"
#include "auth.h"
#include "fuzz.h"

static struct fake f;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *cookie, *hc;
	const char *vars[4], *tok, *v;
	size_t len, k = strlen(s);

	cookie = k < size ? s + k + 1 : "";
	hc = malloc(strlen(cookie) + 13);
	if (hc == NULL)
		abort();
	strcpy(hc, "HTTP_COOKIE=");
	strcat(hc, cookie);
	vars[0] = "REQUEST_URI=/api/whoami-v2";
	vars[1] = hc;
	vars[2] = NULL;
	if (fake_begin(&f, vars, NULL) == 0) {
		if ((tok = auth_token_of(&f.a, s, &len)) != NULL &&
		    !strncasecmp(s, "Bearer ", 7))
			FUZZ_ASSERT(tok + len <= s + k);
		if (auth_cookie(&f.r, &v, &len) == 1)
			FUZZ_ASSERT(len == 64);
	}
	fake_end(&f);
	free(hc);
	free(s);
	return 0;
}
