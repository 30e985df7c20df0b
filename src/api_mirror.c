/*
 * api_mirror.c: the front door's part of the mirror (mirror.h): the first
 * download of a mirrored LFS file whose object is still upstream.
 */
#include "api.h"
#include "api_repo.h"
#include "gitstore.h"
#include "mirror.h"

int
api_mirror_lfs(struct req *r, const struct repo *repo, const char *commit,
    struct blob_info *bi)
{
	struct dctx d = req_dctx(r);
	struct kerr e;
	char *url, sha[2 * SHA256_LEN + 1];
	int rc;

	if (repo == NULL || repo->mirror == NULL) {
		resp_error(r, 500, "InternalError", "The object of %s is "
		    "missing", r->args.path);
		return 1;
	}
	rc = mirror_lfs_want(&d, repo->mirror, repo_type_name(repo->type),
	    repo->full, commit, r->args.path, bi, &url, &e);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		resp_kerr(r, &e);
		return 1;
	}
	/* Upstream serves it this once (the fill runs after this answer):
	 * the same facts as every download of it. */
	hex_encode(sha, bi->sha256, SHA256_LEN);
	resp_header(r, "X-Repo-Commit", "%s", commit);
	resp_header(r, "ETag", "\"%s\"", sha);
	resp_header(r, "X-Linked-Etag", "\"%s\"", sha);
	resp_header(r, "X-Linked-Size", "%llu", (unsigned long long)bi->size);
	resp_redirect(r, 302, url);
	return 1;
}
