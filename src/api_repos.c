/*
 * api_repos.c: repositories as a whole: create, delete, move, settings.
 */
#include <string.h>

#include <mysqld_error.h>

#include "api.h"
#include "auth.h"
#include "commit.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
#include "names.h"
#include "repo.h"

static const char SQL_NAMESPACE[] =
    "SELECT n.id, n.kind, (SELECT m.role FROM org_member m"
    " WHERE m.org_id = n.id AND m.user_id = ?) FROM namespace n"
    " WHERE n.name = ?";
static const char SQL_CREATE[] =
    "INSERT INTO repo (type, owner_id, name, private,"
    " lfs_multipart_threshold) VALUES (?, ?, ?, ?, ?)";
static const char SQL_DELETE[] = "DELETE FROM repo WHERE id = ?";
static const char SQL_MOVE[] =
    "UPDATE repo SET owner_id = ?, name = ? WHERE id = ?";
static const char SQL_SET_PRIVATE[] =
    "UPDATE repo SET private = ? WHERE id = ?";

/* The Hub's default .gitattributes of a new repository. */
static const char *const lfs_patterns[] = {
	"*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz",
	"*.h5", "*.joblib", "*.lfs.*", "*.mlmodel", "*.model", "*.msgpack",
	"*.npy", "*.npz", "*.onnx", "*.ot", "*.parquet", "*.pb", "*.pickle",
	"*.pkl", "*.pt", "*.pth", "*.rar", "*.safetensors",
	"saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm",
	"*.xz", "*.zip", "*.zst", "*tfevents*", NULL
};

static int
type_from_name(const char *s, enum repo_type *t)
{
	if (s == NULL || !strcmp(s, "model"))
		*t = REPO_MODEL;
	else if (!strcmp(s, "dataset"))
		*t = REPO_DATASET;
	else if (!strcmp(s, "space"))
		*t = REPO_SPACE;
	else
		return -1;
	return 0;
}

/*
 * Whether the caller may create or move repositories into namespace ns;
 * *id gets its id. Answers (404 no such namespace, 403) and returns -1.
 */
static int
namespace_writable(struct req *r, const char *ns, int64_t *id)
{
	struct db_res *res;
	char *kind, *role;
	int rc;

	if (db_exec(r->hub->db, r->a, &res, SQL_NAMESPACE, "is",
	    r->who->user_id, ns) != 0 ||
	    (rc = db_row(res, "iss", id, &kind, &role)) < 0) {
		resp_db_error(r);
		return -1;
	}
	if (rc == 0) {
		resp_error(r, 404, "NotFound", "No user or organization "
		    "named %s", ns);
		return -1;
	}
	if (!strcmp(kind, "user") ? *id != r->who->user_id :
	    role == NULL || !strcmp(role, "read")) {
		resp_error(r, 403, "Forbidden", "You don't have the rights "
		    "to create repositories in %s", ns);
		return -1;
	}
	if (strcmp(r->who->token_role, "write") != 0) {
		resp_error(r, 403, "Forbidden", "This token is read-only");
		return -1;
	}
	return 0;
}

/* "private": true/false, or "visibility": "private"/"public"; -1 when
 * neither, -2 when unreadable. */
static int
privacy_of(json_object *body)
{
	json_object *v;
	const char *vis;

	if ((vis = jget_str(body, "visibility")) != NULL)
		return !strcmp(vis, "private") ? 1 :
		    !strcmp(vis, "public") ? 0 : -2;
	if (json_object_object_get_ex(body, "private", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_boolean))
			return -2;
		return json_object_get_boolean(v);
	}
	return -1;
}

void
api_repo_create(struct req *r)
{
	struct blob_info attrs;
	struct commit_op op;
	struct db_res *res;
	struct buf text;
	struct oid head;
	json_object *body, *o, *v;
	const char *name, *org, *ns, *why;
	enum repo_type type;
	int64_t ns_id, thresh = 0;
	int priv;
	size_t i;
	char *url;

	if (auth_require(r) != 0 || (body = req_json(r)) == NULL)
		return;
	name = jget_str(body, "name");
	org = jget_str(body, "organization");
	if (name == NULL) {
		resp_error(r, 400, "BadRequest", "'name' is required");
		return;
	}
	if ((why = name_invalid(name)) != NULL) {
		resp_error(r, 400, "BadRequest", "Repository name '%s' %s",
		    name, why);
		return;
	}
	if (type_from_name(jget_str(body, "type"), &type) != 0) {
		resp_error(r, 400, "BadRequest", "'type' must be model, "
		    "dataset or space");
		return;
	}
	if ((priv = privacy_of(body)) == -2) {
		resp_error(r, 400, "BadRequest", "'private' must be a boolean "
		    "and 'visibility' public or private");
		return;
	}
	if (json_object_object_get_ex(body, "lfsmultipartthresh", &v) &&
	    json_object_is_type(v, json_type_int))
		thresh = json_object_get_int64(v);
	if (thresh < 0) {
		resp_error(r, 400, "BadRequest", "'lfsmultipartthresh' must "
		    "be positive");
		return;
	}
	ns = org != NULL ? org : r->who->name;
	if (namespace_writable(r, ns, &ns_id) != 0)
		return;

	/* The default .gitattributes, stored before the transaction. */
	buf_init(&text, r->a);
	for (i = 0; lfs_patterns[i] != NULL; i++)
		buf_printf(&text, "%s filter=lfs diff=lfs merge=lfs -text\n",
		    lfs_patterns[i]);
	if (commit_store_regular(r, text.data, text.len, &attrs) != 0)
		return;
	memset(&op, 0, sizeof(op));
	op.kind = OP_PUT;
	op.path = ".gitattributes";
	op.blob = attrs;

	url = arena_printf(r->a, "%s/%s%s/%s", r->endpoint,
	    repo_type_prefix(type), ns, name);
	if (db_begin(r->hub->db) != 0) {
		resp_db_error(r);
		return;
	}
	if (db_exec(r->hub->db, r->a, &res, SQL_CREATE, "sisii",
	    repo_type_name(type), ns_id, name, (int64_t)(priv == 1),
	    thresh) != 0) {
		unsigned err = db_errno(r->hub->db);

		db_rollback(r->hub->db);
		if (err == ER_DUP_ENTRY) {
			o = jobj();
			jset(o, "url", jstr(url));
			resp_error_with(r, 409, "RepoExists", o, "You already "
			    "created this %s repo: %s/%s",
			    repo_type_name(type), ns, name);
		} else
			resp_db_error(r);
		return;
	}
	if (commit_initial(r, (int64_t)db_insert_id(res), &op, 1, &head) !=
	    0 || db_commit(r->hub->db) != 0) {
		db_rollback(r->hub->db);
		resp_db_error(r);
		return;
	}
	o = jobj();
	jset(o, "url", jstr(url));
	jset(o, "name", jstr(arena_printf(r->a, "%s/%s", ns, name)));
	jset(o, "id", jstr(arena_printf(r->a, "%s/%s", ns, name)));
	resp_json(r, 200, o);
}

/*
 * Fills r->args from a body naming a repository the way delete and move
 * do ("name" + "organization", or "ns/name"), then opens it.
 */
static struct repo *
open_named(struct req *r, json_object *body, const char *full,
    enum access need)
{
	const char *slash, *type = jget_str(body, "type");

	if (type_from_name(type, &r->args.type) != 0) {
		resp_error(r, 400, "BadRequest", "'type' must be model, "
		    "dataset or space");
		return NULL;
	}
	if (full == NULL || (slash = strchr(full, '/')) == NULL ||
	    slash == full || slash[1] == '\0' || strchr(slash + 1, '/')) {
		/* A bare name without namespace names nothing here. */
		resp_error(r, r->who ? 404 : 401, "RepoNotFound",
		    "Repository not found");
		return NULL;
	}
	r->args.ns = arena_strndup(r->a, full, (size_t)(slash - full));
	r->args.name = slash + 1;
	return repo_open(r, need);
}

void
api_repo_delete(struct req *r)
{
	json_object *body;
	struct repo *repo;
	const char *name, *org;

	if (auth_require(r) != 0 || (body = req_json(r)) == NULL)
		return;
	name = jget_str(body, "name");
	org = jget_str(body, "organization");
	if (name == NULL) {
		resp_error(r, 400, "BadRequest", "'name' is required");
		return;
	}
	if (strchr(name, '/') == NULL)
		name = arena_printf(r->a, "%s/%s", org ? org : r->who->name,
		    name);
	if ((repo = open_named(r, body, name, ACCESS_ADMIN)) == NULL)
		return;
	/* Refs, repo_commit and repo_blob go with it (ON DELETE CASCADE);
	 * objects stay, shared by content with other repositories. */
	if (db_exec(r->hub->db, r->a, NULL, SQL_DELETE, "i", repo->id) != 0) {
		resp_db_error(r);
		return;
	}
	resp_json(r, 200, jobj());
}

void
api_repo_move(struct req *r)
{
	json_object *body, *o;
	struct repo *repo;
	const char *to, *slash, *why;
	char *ns;
	int64_t ns_id;

	if (auth_require(r) != 0 || (body = req_json(r)) == NULL)
		return;
	to = jget_str(body, "toRepo");
	if (to == NULL || (slash = strchr(to, '/')) == NULL ||
	    strchr(slash + 1, '/') != NULL) {
		resp_error(r, 400, "BadRequest", "'toRepo' must be "
		    "namespace/name");
		return;
	}
	ns = arena_strndup(r->a, to, (size_t)(slash - to));
	if ((why = name_invalid(slash + 1)) != NULL) {
		resp_error(r, 400, "BadRequest", "Repository name '%s' %s",
		    slash + 1, why);
		return;
	}
	if ((repo = open_named(r, body, jget_str(body, "fromRepo"),
	    ACCESS_ADMIN)) == NULL)
		return;
	if (namespace_writable(r, ns, &ns_id) != 0)
		return;
	if (db_exec(r->hub->db, r->a, NULL, SQL_MOVE, "isi", ns_id, slash + 1,
	    repo->id) != 0) {
		if (db_errno(r->hub->db) == ER_DUP_ENTRY) {
			o = jobj();
			jset(o, "url", jstr(arena_printf(r->a, "%s/%s%s",
			    r->endpoint, repo_type_prefix(repo->type), to)));
			resp_error_with(r, 409, "RepoExists", o, "A %s "
			    "repository called %s already exists",
			    repo_type_name(repo->type), to);
		} else
			resp_db_error(r);
		return;
	}
	o = jobj();
	jset(o, "url", jstr(arena_printf(r->a, "%s/%s%s", r->endpoint,
	    repo_type_prefix(repo->type), to)));
	resp_json(r, 200, o);
}

void
api_repo_settings(struct req *r)
{
	json_object *body, *o;
	struct repo *repo;
	int priv;

	if (auth_require(r) != 0 || (body = req_json(r)) == NULL)
		return;
	if ((repo = repo_open(r, ACCESS_ADMIN)) == NULL)
		return;
	if ((priv = privacy_of(body)) == -2) {
		resp_error(r, 400, "BadRequest", "'private' must be a boolean "
		    "and 'visibility' public or private");
		return;
	}
	if (priv >= 0 && db_exec(r->hub->db, r->a, NULL, SQL_SET_PRIVATE,
	    "ii", (int64_t)priv, repo->id) != 0) {
		resp_db_error(r);
		return;
	}
	o = jobj();
	jset(o, "private", jbool(priv >= 0 ? priv : repo->private_));
	resp_json(r, 200, o);
}
