/*
 * api_info.c: repository information and listings.
 * (Not written yet: each endpoint answers 501.)
 */
#include "api.h"

void
api_repo_info(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_repo_list(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_user_repos(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}
