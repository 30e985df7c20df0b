/*
 * api_lfs.c: the git-lfs batch API, verify and multipart completion.
 * (Not written yet: each endpoint answers 501.)
 */
#include "api.h"

void
api_lfs_batch(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_lfs_verify(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_lfs_complete(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}
