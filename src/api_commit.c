/*
 * api_commit.c: the write path: preupload, commit, validate-yaml.
 * (Not written yet: each endpoint answers 501.)
 */
#include "api.h"

void
api_preupload(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_commit(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_validate_yaml(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}
