/*
 * fuzz_s3xml.c: the elements khub reads from S3's XML answers (error Code
 * and Message, UploadId) through s3_xml_text(), and listings
 * (ListObjectsV2) through s3_list_parse().
 */
#include "fuzz.h"
#include "s3.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *tags[] = { "Code", "Message", "UploadId", "ETag" };
	char *xml = fuzz_cstr(data, size), *t;
	struct s3_entry *v;
	struct arena a;
	size_t i, n;
	char *next;

	arena_init(&a, 1024);

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if ((t = s3_xml_text(&a, xml, tags[i])) != NULL)
			FUZZ_ASSERT(strlen(t) <= size);
	if (s3_list_parse(&a, xml, &v, &n, &next) == 0) {
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(v[i].key != NULL && *v[i].key != '\0' &&
			    strlen(v[i].key) <= size);
		FUZZ_ASSERT(next == NULL || *next != '\0');
	}
	arena_free(&a);
	free(xml);
	return 0;
}
