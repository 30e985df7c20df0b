/*
 * api_orgs.c: organizations over HTTP, members, user overview.
 * (Not written yet: each endpoint answers 501.)
 */
#include "api.h"

void
api_org_create(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_org_get(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_org_members(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_org_member(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_user_overview(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}
