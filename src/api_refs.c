/*
 * api_refs.c: refs, history, branches and tags.
 * (Not written yet: each endpoint answers 501.)
 */
#include "api.h"

void
api_refs(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_commits(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_branch(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_tag_create(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_tag_delete(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}
