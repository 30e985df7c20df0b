/*
 * discussions.h: a repository's discussions and pull requests, their
 * events, and merging a pull request into its base branch.
 *
 * Discussions and pull requests share one number sequence per repository
 * (discussion_seq, bumped in the creating transaction). A pull request's
 * changes are the ref refs/pr/N: a `ref` row of kind 'branch' named by
 * that full name, so every revision lookup takes it as a branch. Every
 * write is one transaction. Functions return 0, or -1 with *e filled
 * (kerr.h): 404 NotFound for a missing discussion, 403 for a caller
 * without the right, 400/409 for a change the state does not allow.
 */
#ifndef KHUB_DISCUSSIONS_H
#define KHUB_DISCUSSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dctx.h"
#include "gitobj.h"
#include "kerr.h"

/* Bounds on what one request may buy. */
#define DISCUSSION_PAGE		50	/* discussions a listing page */
#define DISCUSSION_TITLE_MAX	200	/* characters, as on the Hub */
#define DISCUSSION_TEXT_MAX	65536	/* bytes of a comment */
#define DISCUSSION_EVENTS_MAX	5000	/* events one discussion may hold */
#define DISCUSSION_CHANGES_MAX	10000	/* files a diff or merge may touch */

/* What the caller may do on the repository, as its front door found it
 * (repo.c rights() and the token's role). */
struct dactor {
	int64_t		 user_id;	/* 0: anonymous */
	bool		 participate;	/* open, comment: a user's write token
					 * on a repository it may read */
	bool		 write;		/* write rights on the repository */
};

struct discussion {
	int64_t		 num;
	bool		 is_pr;
	int64_t		 author_id;
	char		*author, *author_fullname;	/* NULL: deleted */
	char		*title;
	char		*status;	/* draft, open, closed, merged */
	char		*base_branch;	/* a pull request's: "main" */
	struct oid	 base_oid;	/* where refs/pr/N started */
	bool		 has_merge;
	struct oid	 merge_oid;
	int64_t		 created_ms;
	int64_t		 ncomments;	/* in listings */
};

struct dedit {
	char		*body, *author;
	int64_t		 at_ms;
};

struct devent {
	int64_t		 id;
	char		*type;		/* comment, status-change, commit,
					 * title-change */
	char		*author, *author_fullname;	/* NULL: deleted */
	char		*body;		/* comment text, commit subject, new
					 * title */
	char		*prior;		/* title-change: the old title */
	char		*status;	/* status-change: the new status */
	bool		 has_oid;
	struct oid	 oid;		/* commit */
	bool		 hidden;
	char		*editor;	/* the latest version's author */
	int64_t		 created_ms, updated_ms;
	struct dedit	*history;	/* earlier versions, oldest first */
	size_t		 nhistory;
};

/* A listing's filters: type 0 all, 1 discussions, 2 pull requests;
 * status 0 all, 1 open (drafts too), 2 closed (merged too); author NULL
 * for anyone. */
struct dfilter {
	int		 type, status;
	const char	*author;
};

/* A file changed between two trees. */
struct dchange {
	char		*path;
	bool		 has_old, has_new;
	unsigned	 old_mode, new_mode;
	struct oid	 old_oid, new_oid;
};

/*
 * Page page (DISCUSSION_PAGE a page, newest first) of repo_id's
 * discussions that pass f, into *out and *n, and *count, how many pass f in
 * all (an unknown author passes none).
 */
int	 discussion_list(struct dctx *, int64_t repo_id, const struct dfilter *f,
	    int64_t page, struct discussion **out, size_t *n, int64_t *count,
	    struct kerr *e);
/* Discussion num of repo_id into *out; 404 NotFound when there is none. */
int	 discussion_get(struct dctx *, int64_t repo_id, int64_t num,
	    struct discussion *out, struct kerr *e);
/* Its events in order, each comment with its earlier versions. */
int	 discussion_events(struct dctx *, int64_t repo_id, int64_t num,
	    struct devent **out, size_t *n, struct kerr *e);
/* The event with this id (the hex string the answers give) of discussion
 * num into *out, history included; 404 when it is none of its events. */
int	 discussion_event(struct dctx *, int64_t repo_id, int64_t num,
	    int64_t id, struct devent *out, struct kerr *e);

/*
 * Opens a discussion, or with is_pr a pull request (status draft) whose
 * ref refs/pr/N starts at base (the head of base_branch), by a
 * participant; its one event is the description comment. *num gets its
 * number. Title and description are checked (names.c text rules).
 */
int	 discussion_create(struct dctx *, int64_t repo_id,
	    const struct dactor *, const char *title, const char *description,
	    bool is_pr, const char *base_branch, const struct oid *base,
	    int64_t *num, struct kerr *e);
/*
 * Inside the caller's transaction (a commit with create_pr): opens pull
 * request *num (status open) titled by the commit's summary, its
 * description comment, and its commit event, with refs/pr/N at head,
 * started at base on base_branch. 0, or -1 with *e (a deadlock shows in
 * db_errno()).
 */
int	 discussion_open_pr_tx(struct dctx *, int64_t repo_id,
	    const char *base_branch, const struct oid *base,
	    const struct oid *head, const char *summary,
	    const char *description, int64_t *num, struct kerr *e);
/* Inside the caller's transaction: the commit event of a commit landed on
 * refs/pr/num. */
int	 discussion_commit_tx(struct dctx *, int64_t repo_id, int64_t num,
	    const struct oid *commit, const char *summary, struct kerr *e);
/*
 * Whether the actor may commit to refs/pr/num: a writer, or its author,
 * while it is a draft or open. 0 when it may; -1 with *e (404 when the
 * pull request does not exist, 403, 409 once it is closed or merged).
 */
int	 discussion_may_push(struct dctx *, int64_t repo_id, int64_t num,
	    const struct dactor *, struct kerr *e);

/* A comment by a participant; *out the new event. */
int	 discussion_comment(struct dctx *, int64_t repo_id, int64_t num,
	    const struct dactor *, const char *text, struct devent *out,
	    struct kerr *e);
/* A new version of comment id, by its author only, unless hidden. */
int	 discussion_edit_comment(struct dctx *, int64_t repo_id, int64_t num,
	    const struct dactor *, int64_t id, const char *text,
	    struct devent *out, struct kerr *e);
/* Hides comment id for good (its text and history are erased), by a
 * writer. */
int	 discussion_hide_comment(struct dctx *, int64_t repo_id, int64_t num,
	    const struct dactor *, int64_t id, struct devent *out,
	    struct kerr *e);
/* A new title, by the author or a writer; *out the title-change event. */
int	 discussion_rename(struct dctx *, int64_t repo_id, int64_t num,
	    const struct dactor *, const char *title, struct devent *out,
	    struct kerr *e);
/*
 * Status "open" or "closed" (a draft opens), by the author or a writer,
 * with an optional comment posted first; *out the status-change event.
 * A merged pull request keeps its status (409), and so does one already
 * in the status asked for (409).
 */
int	 discussion_set_status(struct dctx *, int64_t repo_id, int64_t num,
	    const struct dactor *, const char *status, const char *comment,
	    struct devent *out, struct kerr *e);

/*
 * The files that differ between trees from and to (either may be NULL:
 * the empty tree), in path order, at most max; more is 413.
 */
int	 discussion_changes(struct dctx *, const struct oid *from,
	    const struct oid *to, size_t max, struct dchange **out, size_t *n,
	    struct kerr *e);
/*
 * What merging pull request d would conflict on: the paths its changes
 * (base_oid to its head) and the base branch's since then both touch,
 * differently. *head and *base_head get the two heads.
 */
int	 discussion_conflicts(struct dctx *, int64_t repo_id,
	    const struct discussion *d, struct oid *head, struct oid *base_head,
	    struct dchange **out, size_t *n, struct kerr *e);
/*
 * Merges pull request num into its base branch, by a writer: a
 * fast-forward when the branch has not moved since the pull request
 * started, else a merge commit with both heads as parents. Conflicts refuse it: 409 with the paths in *conflicts.
 * The status becomes merged, with the merge's commit, an optional comment
 * and the status-change event, all with the branch's move.
 */
int	 discussion_merge(struct dctx *, int64_t repo_id, int64_t num,
	    const struct dactor *, const char *comment,
	    struct dchange **conflicts, size_t *nconflicts, struct kerr *e);

/* The number of "refs/pr/N", or 0 when rev names no pull request. */
int64_t	 discussion_pr_of_rev(const char *rev);

#endif
