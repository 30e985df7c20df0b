/*
 * repo.c: repository lookup with the caller's rights in one query, and
 * creation.
 */
#include <string.h>

#include <mysqld_error.h>

#include "auth.h"
#include "commit.h"
#include "db.h"
#include "filelist.h"
#include "hub.h"
#include "jsonutil.h"
#include "mirror.h"
#include "names.h"
#include "repo.h"

/*
 * The caller's token (when the request has one: its hash, else bytes no
 * token has), the repository, the caller's role in its namespace (the
 * token's user, else the second parameter: a session's) and the ref the
 * revision may name, in one round trip: one row always, each part NULL
 * when there is none.
 */
static const char SQL_OPEN[] =
    "SELECT k.token_id, k.token_name, k.token_role, k.token_hash,"
    " k.token_created_ms, k.user_id, k.user_name, k.user_fullname,"
    " k.user_email, k.token_expires_ms,"
    " r.id, r.type, r.owner_id, n.name, r.name, r.private, r.gated,"
    " r.disabled, COALESCE(r.lfs_multipart_threshold, 0), r.downloads,"
    " r.likes, FLOOR(UNIX_TIMESTAMP(r.created_at) * 1000),"
    " FLOOR(UNIX_TIMESTAMP(r.updated_at) * 1000),"
    " (SELECT m.role FROM org_member m"
    "   WHERE m.org_id = r.owner_id AND m.user_id = COALESCE(k.user_id, ?)),"
    " b.target,"
    /* an annotated tag (pushed by git) names its object: peeled */
    " COALESCE((SELECT g.object FROM git_tag g WHERE g.oid = t.target),"
    "  t.target), mr.upstream,"
    " mv.target, mv.checked_at > NOW(3) - INTERVAL ? SECOND,"
    " COALESCE(rc.seq, 0)"
    " FROM (SELECT 1) one"
    " LEFT JOIN (" AUTH_TOKEN_SELECT ") k ON 1"
    " LEFT JOIN (repo r JOIN namespace n ON n.id = r.owner_id)"
    "  ON n.name = ? AND r.type = ? AND r.name = ?"
    " LEFT JOIN mirror_repo mr ON mr.repo_id = r.id"
    " LEFT JOIN ref b ON b.repo_id = r.id AND b.kind = 'branch' AND b.name = ?"
    " LEFT JOIN ref t ON t.repo_id = r.id AND t.kind = 'tag' AND t.name = ?"
    /* a tag of a tree or a blob is git's only: no revision */
    "  AND NOT EXISTS (SELECT 1 FROM git_tag g WHERE g.oid = t.target"
    "   AND g.type <> 'commit')"
    " LEFT JOIN mirror_rev mv ON mv.repo_id = r.id AND mv.rev = ?"
    " LEFT JOIN repo_change rc ON rc.repo_id = r.id";
static const char SQL_REF[] =
    "SELECT kind, COALESCE((SELECT g.object FROM git_tag g"
    "  WHERE g.oid = ref.target), target) FROM ref WHERE repo_id = ?"
    " AND ((kind = 'branch' AND name = ?) OR (kind = 'tag' AND name = ?))"
    " AND NOT EXISTS (SELECT 1 FROM git_tag g WHERE g.oid = ref.target"
    "  AND g.type <> 'commit')"
    " ORDER BY kind LIMIT 1";
static const char SQL_COMMIT_PREFIX[] =
    "SELECT oid FROM repo_commit WHERE repo_id = ? AND oid BETWEEN ? AND ?"
    " LIMIT 2";

static enum access
rights(const struct req *r, const struct repo *repo, const char *role)
{
	enum access acc = ACCESS_NONE;

	if (r->who != NULL) {
		if (repo->owner_id == r->who->user_id)
			acc = ACCESS_ADMIN;
		else if (role != NULL)
			acc = !strcmp(role, "admin") ? ACCESS_ADMIN :
			    !strcmp(role, "write") ? ACCESS_WRITE : ACCESS_READ;
		/* A read token reads, whatever its owner may do. */
		if (acc > ACCESS_READ && strcmp(r->who->token_role, "write"))
			acc = ACCESS_READ;
	}
	if (acc == ACCESS_NONE && !repo->private_)
		acc = ACCESS_READ;
	return acc;
}

static void
not_found(struct req *r)
{
	/* The Hub's answer depends on the caller, never on the repository:
	 * a private repository's existence does not show. */
	resp_error(r, r->who ? 404 : 401, "RepoNotFound", "Repository not "
	    "found");
}

/*
 * A read of a repository that is not here: the mirror's upstreams may have
 * it (unless ?fallback=false). 0: it is here now, look again; 1: answered.
 */
static int
pull(struct req *r, enum access need)
{
	struct dctx d;
	struct kerr e;
	const char *fb = req_query(r, "fallback");
	int rc;

	if (need != ACCESS_READ || !mirror_enabled(&r->hub->conf) ||
	    (fb != NULL && !strcmp(fb, "false"))) {
		not_found(r);
		return 1;
	}
	d = req_dctx(r);
	if ((rc = mirror_pull(&d, repo_type_name(r->args.type), r->args.ns,
	    r->args.name, &e)) < 0)
		resp_kerr(r, &e);
	else if (rc == 1)
		not_found(r);
	return rc == 0 ? 0 : 1;
}

/* Splits a revision into the branch and tag names it may denote. */
static void
ref_names(const char *rev, const char **branch, const char **tag)
{
	*branch = *tag = rev;
	if (!strcmp(rev, "HEAD")) {
		/* the default branch (the JS client's default revision) */
		*branch = "main";
		*tag = "";
	} else if (!strncmp(rev, "refs/heads/", 11)) {
		*branch = rev + 11;
		*tag = "";
	} else if (!strncmp(rev, "refs/tags/", 10)) {
		*tag = rev + 10;
		*branch = "";
	}
}

struct repo *
repo_open_rev(struct req *r, enum access need, const char *rev)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct principal *p;
	struct repo *repo;
	struct db_res *res;
	const char *branch = "", *tag = "";
	char *type, *role;
	void *bt, *tt, *th, *mt;
	size_t bl, tl, thl, ml;
	int64_t priv, gated, disabled, mfresh;
	bool pulled = false;
	int rc, token;

	/* A token is looked up with the repository (one round trip); the
	 * rest (a session cookie) first. */
	memset(hash, 0, sizeof(hash));
	if ((token = auth_token_pending(r, hash)) < 0 ||
	    (token == 0 && auth_identify(r) != 0))
		return NULL;
	if (!name_ascii(r->args.ns) || !name_ascii(r->args.name)) {
		if (token && auth_identify(r) != 0)
			return NULL;
		not_found(r);	/* a name no repository can have */
		return NULL;
	}
	if (rev != NULL)
		ref_names(rev, &branch, &tag);
again:
	if (db_exec(r->hub->db, r->a, &res, SQL_OPEN, "iibssssss",
	    r->who ? r->who->user_id : (int64_t)0,
	    (int64_t)r->hub->conf.mirror_fresh, hash,
	    token ? sizeof(hash) : (size_t)0, r->args.ns,
	    repo_type_name(r->args.type), r->args.name, branch, tag,
	    rev != NULL ? rev : "") != 0) {
		resp_db_error(r);
		return NULL;
	}
	repo = arena_zalloc(r->a, sizeof(*repo));
	p = arena_zalloc(r->a, sizeof(*p));
	rc = db_row(res, AUTH_TOKEN_FORMAT "isissiiiuiiiisbbsbiu", &p->token_id,
	    &p->token_name, &p->token_role, &th, &thl, &p->token_created_ms,
	    &p->user_id, &p->name, &p->fullname, &p->email,
	    &p->token_expires_ms, &repo->id, &type,
	    &repo->owner_id, &repo->ns, &repo->name, &priv, &gated, &disabled,
	    &repo->lfs_multipart_threshold, &repo->downloads, &repo->likes,
	    &repo->created_ms, &repo->updated_ms, &role, &bt, &bl, &tt, &tl,
	    &repo->mirror, &mt, &ml, &mfresh, &repo->change_seq);
	if (rc <= 0) {
		resp_db_error(r);
		return NULL;
	}
	if (token && auth_token_found(r, p, th, thl, hash) != 0)
		return NULL;
	if (repo->id == 0) {
		/* not here: an upstream hub may have it (mirror.c) */
		if (!pulled && pull(r, need) == 0) {
			pulled = true;
			token = 0;	/* r->who is known now */
			goto again;
		}
		if (r->status == 0)
			not_found(r);
		return NULL;
	}
	repo->type = r->args.type;
	repo->private_ = priv != 0;
	repo->gated = gate_of(gated);
	repo->disabled = disabled != 0;
	repo->full = repo_id_of(r->a, repo->ns, repo->name);
	repo->access = rights(r, repo, role);
	repo->member = r->who != NULL && (repo->owner_id == r->who->user_id ||
	    role != NULL);
	repo->rev_asked = rev;
	if (bt != NULL && bl == OID_LEN) {
		repo->rev_is_ref = true;
		repo->rev_kind = "branch";
		memcpy(repo->rev_target.b, bt, OID_LEN);
	} else if (tt != NULL && tl == OID_LEN) {
		repo->rev_is_ref = true;
		repo->rev_kind = "tag";
		memcpy(repo->rev_target.b, tt, OID_LEN);
	}
	/* A mirror's refs are upstream's: repo_resolve() asks for them,
	 * starting from what this query found of the last answer. */
	if (repo->mirror != NULL && rev != NULL) {
		repo->rev_is_ref = true;
		repo->mirror_seen.looked = true;
		repo->mirror_seen.known = mt != NULL && ml == OID_LEN;
		repo->mirror_seen.fresh = mfresh != 0;
		if (repo->mirror_seen.known)
			memcpy(repo->mirror_seen.commit.b, mt, OID_LEN);
	}
	if (repo->access == ACCESS_NONE) {
		not_found(r);
		return NULL;
	}
	if (repo->mirror != NULL && need > ACCESS_READ) {
		/* upstream's history, for everyone to read, no one to change */
		resp_error(r, 403, "Forbidden", "%s is a read-only mirror of "
		    "%s: it cannot be changed here", repo->full, repo->mirror);
		return NULL;
	}
	if (repo->access < need) {
		if (r->who == NULL)
			resp_error(r, 401, "Unauthorized", "You must be "
			    "authenticated to write to %s", repo->full);
		else
			resp_error(r, 403, "Forbidden", "You don't have the "
			    "rights to %s %s", need == ACCESS_ADMIN ?
			    "administer" : "write to", repo->full);
		return NULL;
	}
	return repo;
}

struct repo *
repo_open(struct req *r, enum access need)
{
	return repo_open_rev(r, need, NULL);
}

struct repo *
repo_open_page(struct req *r, const char *rev, size_t *offset,
    struct rev *out)
{
	struct repo *repo;
	const char *cursor = req_query(r, "cursor");
	/* in the arena: repo_resolve() keeps it as repo->rev_asked */
	char *hex = arena_alloc(r->a, OID_HEX + 1);
	bool paged = cursor != NULL && *cursor != '\0';

	*offset = 0;
	if (paged && tree_cursor_parse(cursor, offset, hex) != 0) {
		resp_error(r, 400, "BadRequest", "Invalid cursor");
		return NULL;
	}
	if ((repo = repo_open_rev(r, ACCESS_READ, rev)) == NULL)
		return NULL;
	if (paged) {
		/* not the ref repo_open_rev() looked up: the commit itself */
		repo->rev_is_ref = false;
		rev = hex;
	}
	if (repo_resolve(r, repo, rev, out) != 0)
		return NULL;
	return repo;
}

/* repo_resolve() of a mirror: upstream's answer, or the last one. */
static int
mirror_resolve(struct req *r, struct repo *repo, const char *rev,
    struct rev *out)
{
	struct dctx d = req_dctx(r);
	struct kerr e;
	size_t n = strlen(rev);
	/* what repo_open_rev() found, if it looked for this rev */
	const struct mirror_seen *seen = repo->mirror_seen.looked &&
	    repo->rev_asked != NULL && !strcmp(repo->rev_asked, rev) ?
	    &repo->mirror_seen : NULL;

	if (mirror_revision(&d, repo->id, repo->mirror,
	    repo_type_name(repo->type), repo->full, rev, seen, &out->commit,
	    &e) != 0) {
		if (!strcmp(e.code, "RepoNotFound"))
			not_found(r);	/* 401 or 404 by caller, as ever */
		else
			resp_kerr(r, &e);
		return -1;
	}
	repo->rev_asked = rev;
	repo->rev_is_ref = false;	/* not the ref row: upstream's answer */
	repo->mirror_seen.looked = repo->mirror_seen.known = true;
	repo->mirror_seen.fresh = true;	/* for this request */
	repo->mirror_seen.commit = out->commit;
	if (n >= 7 && n <= OID_HEX && strspn(rev, "0123456789abcdef") == n) {
		out->kind = "commit";
		out->name = oid_hex_a(r->a, &out->commit);
	} else {
		out->kind = !strncmp(rev, "refs/tags/", 10) ? "tag" : "branch";
		out->name = rev;
	}
	return 0;
}

int
repo_resolve(struct req *r, struct repo *repo, const char *rev,
    struct rev *out)
{
	unsigned char lo[OID_LEN], hi[OID_LEN];
	struct db_res *res;
	size_t n = strlen(rev), i;
	void *oid;
	size_t olen;
	int rc, rows = 0;

	if (!rev_valid(rev)) {
		resp_error(r, 400, "BadRequest", "Invalid rev id: %s", rev);
		return -1;
	}
	if (repo->mirror != NULL)
		return mirror_resolve(r, repo, rev, out);
	if (repo->rev_asked == NULL || strcmp(repo->rev_asked, rev) != 0) {
		/* Not the revision repo_open_rev() looked up: look now. */
		const char *branch, *tag;
		char *kind;

		ref_names(rev, &branch, &tag);
		if (db_exec(r->hub->db, r->a, &res, SQL_REF, "iss", repo->id,
		    branch, tag) != 0 ||
		    (rc = db_row(res, "sb", &kind, &oid, &olen)) < 0) {
			resp_db_error(r);
			return -1;
		}
		repo->rev_asked = rev;
		repo->rev_is_ref = rc == 1 && olen == OID_LEN;
		if (repo->rev_is_ref) {
			repo->rev_kind = kind;
			memcpy(repo->rev_target.b, oid, OID_LEN);
		}
	}
	if (repo->rev_is_ref) {
		out->commit = repo->rev_target;
		out->kind = repo->rev_kind;
		out->name = rev;
		return 0;
	}
	/* A commit id of this repository, whole or its first 7+ digits. */
	if (n >= 7 && n <= OID_HEX && strspn(rev, "0123456789abcdef") == n) {
		memset(lo, 0, sizeof(lo));
		memset(hi, 0xff, sizeof(hi));
		for (i = 0; i < n; i++) {
			unsigned v = (unsigned)(rev[i] <= '9' ? rev[i] - '0' :
			    rev[i] - 'a' + 10);

			if (i % 2 == 0) {
				lo[i / 2] = (unsigned char)(v << 4);
				hi[i / 2] = (unsigned char)(v << 4 | 0xf);
			} else {
				lo[i / 2] |= (unsigned char)v;
				hi[i / 2] = (unsigned char)((hi[i / 2] & 0xf0) |
				    v);
			}
		}
		if (db_exec(r->hub->db, r->a, &res, SQL_COMMIT_PREFIX, "ibb",
		    repo->id, lo, sizeof(lo), hi, sizeof(hi)) != 0) {
			resp_db_error(r);
			return -1;
		}
		while ((rc = db_row(res, "b", &oid, &olen)) == 1) {
			if (olen == OID_LEN)
				memcpy(out->commit.b, oid, OID_LEN);
			rows++;
		}
		if (rc < 0) {
			resp_db_error(r);
			return -1;
		}
		if (rows == 1) {
			out->kind = "commit";
			out->name = oid_hex_a(r->a, &out->commit);
			return 0;
		}
	}
	resp_error(r, 404, "RevisionNotFound", "Invalid rev id: %s", rev);
	return -1;
}

char *
repo_url(struct req *r, const struct repo *repo)
{
	return arena_printf(r->a, "%s/%s%s", r->endpoint,
	    repo_type_prefix(repo->type), repo->full);
}

char *
repo_id_of(struct arena *a, const char *ns, const char *name)
{
	return *ns == '\0' ? arena_strdup(a, name) :
	    arena_printf(a, "%s/%s", ns, name);
}

