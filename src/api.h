/*
 * api.h: the handlers the route table (router.c) names, by API area.
 * Each answers its request with one resp_*() call.
 */
#ifndef KHUB_API_H
#define KHUB_API_H

#include "discussions.h"
#include "request.h"

/* The limits of the routes whose small JSON body may be left out
 * (BODY_JSON_OPT: the table's body_max): a branch's or tag's call, a
 * discussion's (a comment, escaped, and the rest of its JSON), and an
 * access request's answers. */
#define REF_BODY_MAX		65536
#define DISCUSSION_BODY_MAX	(4 * DISCUSSION_TEXT_MAX + 4096)
#define ASK_BODY_MAX		(16 << 10)

/* api_health.c: database and S3 reachable */
void	api_health(struct req *);
/* api_health.c: Prometheus counters, for metrics_allow or metrics_token */
void	api_metrics(struct req *);
/* api_admin.c: the admin API (admin_token from admin_allow): users,
 * a namespace's repositories and usage, storage totals */
void	api_admin_users(struct req *);
void	api_admin_user(struct req *);
void	api_admin_namespace(struct req *);
void	api_admin_storage(struct req *);

/* api_account.c: whoami-v2, register, login, logout, me, tokens */
void	api_whoami(struct req *);
void	api_auth_register(struct req *);
void	api_auth_login(struct req *);
void	api_auth_logout(struct req *);
void	api_auth_me(struct req *);
void	api_tokens_list(struct req *);
void	api_token_create(struct req *);
void	api_token_delete(struct req *);

/* api_orgs.c: organizations, members, user overview */
void	api_org_create(struct req *);
void	api_org_get(struct req *);
void	api_org_members(struct req *);
void	api_org_member(struct req *);
void	api_user_overview(struct req *);

/* api_repos.c: create, delete, move, settings */
void	api_repo_create(struct req *);
void	api_repo_delete(struct req *);
void	api_repo_move(struct req *);
void	api_repo_settings(struct req *);

/* api_info.c: repository information, listings */
void	api_repo_info(struct req *);
void	api_repo_list(struct req *);
void	api_user_repos(struct req *);

/* api_tree.c: files of a revision */
void	api_tree(struct req *);
void	api_paths_info(struct req *);

/* api_commit.c: preupload, commit, validate-yaml */
void	api_preupload(struct req *);
void	api_commit(struct req *);
void	api_validate_yaml(struct req *);

/* api_refs.c: refs, history, branches, tags */
void	api_refs(struct req *);
void	api_commits(struct req *);
void	api_branch(struct req *);
void	api_tag_create(struct req *);
void	api_tag_delete(struct req *);

/* api_discussions.c: discussions and pull requests: list and create,
 * details, comment, edit and hide a comment, rename, status, merge */
void	api_discussions(struct req *);
void	api_discussion(struct req *);
void	api_discussion_comment(struct req *);
void	api_discussion_comment_edit(struct req *);
void	api_discussion_comment_hide(struct req *);
void	api_discussion_title(struct req *);
void	api_discussion_status(struct req *);
void	api_discussion_merge(struct req *);

/* api_resolve.c: file downloads (302 to S3) and HEAD metadata; /raw/ */
void	api_resolve(struct req *);
void	api_raw(struct req *);
/* api_mirror.c: a GET of an LFS file of a mirror whose object is not
 * here yet (bi->in_s3 false): 0 once it is (bi->in_s3 set; serve it), 1
 * when answered (a redirect to upstream this once, or the error) */
struct repo;
struct blob_info;
int	api_mirror_lfs(struct req *, const struct repo *, const char *commit,
	    struct blob_info *bi);

/* api_likes.c: like and unlike, a user's likes, a repository's likers */
void	api_like(struct req *);
void	api_user_likes(struct req *);
void	api_repo_likers(struct req *);

/* api_gated.c: auth-check, access requests to gated repositories */
void	api_auth_check(struct req *);
void	api_auth_check_write(struct req *);
void	api_ask_access(struct req *);
void	api_access_requests(struct req *);
void	api_access_handle(struct req *);
void	api_access_grant(struct req *);
struct repo;
/*
 * Whether the caller may read the files of repo (readable: repo_open())
 * as its gate decides: 0 yes (at once, no query, for an ungated
 * repository or a member); 1 no, with *status (401 anonymous, 403) and
 * the Hub's message for X-Error-Code GatedRepo; -1 answered (a database
 * failure). For a path that answers errors its own way (git, git-lfs).
 */
int	api_gate_check(struct req *, const struct repo *, int *status,
	    const char **msg);
/* api_gate_check(), answering a refusal as the API does; 0, or -1 when
 * it answered. */
int	api_gate_files(struct req *, const struct repo *);

/* api_lfs.c: LFS batch, verify, multipart completion */
void	api_lfs_batch(struct req *);
void	api_lfs_verify(struct req *);
void	api_lfs_complete(struct req *);

/* api_git.c: git clone, fetch, ls-remote over smart HTTP; push: 501 */
void	api_git_info_refs(struct req *);
void	api_git_upload_pack(struct req *);
void	api_git_receive_pack(struct req *);

#endif
