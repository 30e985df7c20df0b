/*
 * fuzz_conf.c: the configuration file (conf.c), and the size syntax its
 * limits use.
 */
#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), err[512];
	struct conf c;
	uint64_t n;

	memset(&c, 0, sizeof(c));
	if (conf_parse(&c, text, "fuzz.conf", err, sizeof(err)) != 0)
		FUZZ_ASSERT(err[0] != '\0');
	conf_free(&c);
	(void)conf_parse_size(text, &n);
	free(text);
	return 0;
}
