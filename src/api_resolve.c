/*
 * api_resolve.c: downloads: 302 to a presigned S3 URL, HEAD metadata.
 * (Not written yet: each endpoint answers 501.)
 */
#include "api.h"

void
api_resolve(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}
