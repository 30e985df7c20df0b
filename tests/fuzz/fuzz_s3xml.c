/*
 * fuzz_s3xml.c: the elements khub reads from S3's XML answers (error Code
 * and Message, UploadId) through s3_xml_text().
 */
#include "fuzz.h"
#include "s3.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *tags[] = { "Code", "Message", "UploadId", "ETag" };
	char *xml = fuzz_cstr(data, size), *t;
	struct arena a;
	size_t i;

	arena_init(&a, 1024);
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if ((t = s3_xml_text(&a, xml, tags[i])) != NULL)
			FUZZ_ASSERT(strlen(t) <= size);
	arena_free(&a);
	free(xml);
	return 0;
}
