/*
 * api_tree.c: the files of a revision: tree and paths-info.
 * (Not written yet: each endpoint answers 501.)
 */
#include "api.h"

void
api_tree(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}

void
api_paths_info(struct req *r)
{
	resp_error(r, 501, "NotImplemented", "Not implemented yet");
}
