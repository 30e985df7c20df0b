/*
 * api_account.c: the Authentication API: register, login, logout, me, tokens.
 * (Not written yet: each endpoint answers 501.)
 */
#include "api.h"

void
api_auth_register(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_auth_login(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_auth_logout(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_auth_me(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_tokens_list(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_token_create(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_token_delete(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}
