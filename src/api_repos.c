/*
 * api_repos.c: repositories as a whole: create, delete, move, settings.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "commit.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
#include "lfs.h"
#include "names.h"
#include "quota.h"
#include "repos.h"

#define LFS_PATTERNS_MAX	100
#define LFS_PATTERN_LEN		255

/* A body's "type": model (the default), dataset or space; -1 otherwise. */
static int
type_of_body(json_object *body, enum repo_type *t)
{
	const char *s = jget_str(body, "type");

	return repo_type_of(s != NULL ? s : "model", t);
}

/*
 * Whether the caller may create or move repositories into namespace ns;
 * *id gets its id. Answers (404 no such namespace, 403) and returns -1.
 */
static int
namespace_writable(struct req *r, const char *ns, int64_t *id)
{
	struct kerr e;

	if (repos_namespace_writable(r->hub->db, r->a, r->who->user_id,
	    !strcmp(r->who->token_role, "write"), ns, id, &e) != 0) {
		resp_kerr(r, &e);
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

#define CREATE_MAX_FILES	100	/* initial files in a create body */

/* Whether a license id is plausible: what the Hub's cards carry
 * (apache-2.0, cc-by-4.0, other): lower-case, digits, '.', '-'. */
static bool
license_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n;
}

/*
 * The initial files of a create body ("files": [{path, content, encoding:
 * base64}], as @huggingface/hub's createRepo sends them) into ops, with a
 * README.md naming the license when "license" is given and no README.md
 * is; their total size into *bytes. Nothing is stored yet. Returns the
 * number of ops, or answers 400/422 and returns -1.
 */
static int
initial_files(struct req *r, json_object *body, struct commit_op *ops,
    unsigned char **data, size_t *lens, uint64_t *bytes)
{
	json_object *files, *f;
	const char *path, *b64, *enc, *lic, *why;
	size_t i, j, n = 0, blen;
	bool readme = false;

	*bytes = 0;
	if (json_object_object_get_ex(body, "files", &files) &&
	    !json_object_is_type(files, json_type_null)) {
		if (!json_object_is_type(files, json_type_array) ||
		    json_object_array_length(files) > CREATE_MAX_FILES) {
			resp_error(r, 400, "BadRequest", "'files' must be an "
			    "array of at most %d files", CREATE_MAX_FILES);
			return -1;
		}
		for (i = 0; i < json_object_array_length(files); i++) {
			f = json_object_array_get_idx(files, i);
			path = jget_str(f, "path");
			b64 = jget_str(f, "content");
			enc = jget_str(f, "encoding");
			if (path == NULL || b64 == NULL || (enc != NULL &&
			    strcmp(enc, "base64") != 0)) {
				resp_error(r, 400, "BadRequest", "files[%zu]: "
				    "'path' and base64 'content' are required",
				    i);
				return -1;
			}
			if ((why = path_invalid(path)) != NULL) {
				resp_error(r, 422, "InvalidPath", "Invalid "
				    "path '%s': %s", path, why);
				return -1;
			}
			for (j = 0; j < n; j++)
				if (!strcmp(ops[j].path, path)) {
					resp_error(r, 400, "BadRequest", "files"
					    "[%zu]: '%s' is listed twice", i,
					    path);
					return -1;
				}
			blen = strlen(b64);
			data[n] = arena_alloc(r->a, blen / 4 * 3 + 3);
			if (sodium_base642bin(data[n], blen / 4 * 3 + 3, b64,
			    blen, " \r\n", &lens[n], NULL,
			    sodium_base64_VARIANT_ORIGINAL) != 0) {
				resp_error(r, 400, "BadRequest", "files[%zu]: "
				    "'content' is not valid base64", i);
				return -1;
			}
			if (lfs_is_pointer(data[n], lens[n])) {
				resp_error(r, 422, "LfsPointerAsFile", "files"
				    "[%zu]: a git-lfs pointer file; upload the "
				    "file itself through LFS", i);
				return -1;
			}
			memset(&ops[n], 0, sizeof(ops[n]));
			ops[n].kind = OP_PUT;
			ops[n].path = path;
			readme |= !strcmp(path, "README.md");
			*bytes = quota_add(*bytes, lens[n]);
			n++;
		}
	}
	if ((lic = jget_str(body, "license")) != NULL && !readme) {
		if (!license_valid(lic)) {
			resp_error(r, 400, "BadRequest", "'license' must be a "
			    "license id such as apache-2.0 or mit");
			return -1;
		}
		data[n] = (unsigned char *)arena_printf(r->a, "---\nlicense: "
		    "%s\n---\n", lic);
		lens[n] = strlen((char *)data[n]);
		memset(&ops[n], 0, sizeof(ops[n]));
		ops[n].kind = OP_PUT;
		ops[n].path = "README.md";
		*bytes = quota_add(*bytes, lens[n]);
		n++;
	}
	return (int)n;
}

void
api_repo_create(struct req *r)
{
	struct commit_op ops[CREATE_MAX_FILES + 2];
	unsigned char *data[CREATE_MAX_FILES + 2];
	size_t lens[CREATE_MAX_FILES + 2];
	json_object *body, *o, *v;
	const char *name, *org, *ns, *why, *author, *email;
	enum repo_type type;
	int64_t ns_id, id, thresh = 0;
	uint64_t bytes, used, quota;
	int priv, nops;
	struct dctx x;
	struct kerr e;
	size_t k;

	body = r->json;	/* AUTH_USER, BODY_JSON */
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
	if (type_of_body(body, &type) != 0) {
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
	if ((nops = initial_files(r, body, ops, data, lens, &bytes)) < 0)
		return;
	if (org != NULL && *org == '\0') {
		resp_error(r, 400, "BadRequest", "'organization' may not be "
		    "empty (canonical repositories are made with khubctl)");
		return;
	}
	ns = org != NULL ? org : r->who->name;
	if (namespace_writable(r, ns, &ns_id) != 0)
		return;
	if (nops > 0) {
		if (quota_used(r->hub->db, r->a, ns_id,
		    r->hub->conf.default_quota, &used, &quota) != 0) {
			resp_db_error(r);
			return;
		}
		if (quota != 0 && quota_add(used, bytes) > quota) {
			resp_error(r, 413, "QuotaExceeded", "The initial files "
			    "(%llu bytes) do not fit in %s's storage quota",
			    (unsigned long long)bytes, ns);
			return;
		}
	}

	/* The files' bytes first: a failure leaves only garbage. */
	x = req_dctx(r);
	for (k = 0; k < (size_t)nops; k++)
		if (commit_store_regular(&x, data[k], lens[k], &ops[k],
		    &e) != 0) {
			resp_kerr(r, &e);
			return;
		}
	auth_author(r, &author, &email);
	if (repos_create(&x, ns_id, ns, type, name, priv == 1, thresh, author,
	    email, ops, (size_t)nops, &id, &e) != 0) {
		if (e.status == 409) {
			/* The Hub's 409 names the existing repository. */
			o = jobj();
			jset(o, "url", jstr(arena_printf(r->a, "%s/%s%s",
			    r->endpoint, repo_type_prefix(type),
			    repo_id_of(r->a, ns, name))));
			resp_error_with(r, 409, e.code, o, "%s", e.msg);
		} else
			resp_kerr(r, &e);
		return;
	}
	o = jobj();
	jset(o, "url", jstr(arena_printf(r->a, "%s/%s%s/%s", r->endpoint,
	    repo_type_prefix(type), ns, name)));
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
	if (type_of_body(body, &r->args.type) != 0) {
		resp_error(r, 400, "BadRequest", "'type' must be model, "
		    "dataset or space");
		return NULL;
	}
	if (repo_id_split(r->a, full, &r->args.ns, &r->args.name) != 0 ||
	    *r->args.ns == '\0') {
		/* A bare name without namespace names nothing here. */
		resp_error(r, r->who ? 404 : 401, "RepoNotFound",
		    "Repository not found");
		return NULL;
	}
	return repo_open(r, need);
}

void
api_repo_delete(struct req *r)
{
	json_object *body;
	struct repo *repo;
	struct kerr e;
	const char *name, *org;

	/* AUTH_IDENTIFY: anonymous callers go on to repo_open(), which
	 * answers them as the Hub does (RepoNotFound for a private one). */
	body = r->json;
	name = jget_str(body, "name");
	org = jget_str(body, "organization");
	if (name == NULL) {
		resp_error(r, 400, "BadRequest", "'name' is required");
		return;
	}
	if (strchr(name, '/') == NULL && (org != NULL || r->who != NULL))
		name = arena_printf(r->a, "%s/%s", org ? org : r->who->name,
		    name);
	if ((repo = open_named(r, body, name, ACCESS_ADMIN)) == NULL)
		return;
	if (repos_delete(r->hub->db, r->a, repo->id, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	resp_json(r, 200, jobj());
}

void
api_repo_move(struct req *r)
{
	json_object *body, *o;
	struct repo *repo;
	const char *to, *ns, *name, *why;
	struct kerr e;
	int64_t ns_id;

	/* AUTH_IDENTIFY: repo_open() (in open_named) answers anonymous
	 * callers. */
	body = r->json;
	to = jget_str(body, "toRepo");
	if (repo_id_split(r->a, to, &ns, &name) != 0 || *ns == '\0') {
		resp_error(r, 400, "BadRequest", "'toRepo' must be "
		    "namespace/name");
		return;
	}
	if ((why = name_invalid(name)) != NULL) {
		resp_error(r, 400, "BadRequest", "Repository name '%s' %s",
		    name, why);
		return;
	}
	if ((repo = open_named(r, body, jget_str(body, "fromRepo"),
	    ACCESS_ADMIN)) == NULL)
		return;
	if (namespace_writable(r, ns, &ns_id) != 0)
		return;
	if (repos_move(r->hub->db, r->a, repo->id, ns_id, name,
	    &e) != 0) {
		if (e.status == 409) {
			o = jobj();
			jset(o, "url", jstr(arena_printf(r->a, "%s/%s%s",
			    r->endpoint, repo_type_prefix(repo->type), to)));
			resp_error_with(r, 409, "RepoExists", o, "A %s "
			    "repository called %s already exists",
			    repo_type_name(repo->type), to);
		} else
			resp_kerr(r, &e);
		return;
	}
	o = jobj();
	jset(o, "url", jstr(arena_printf(r->a, "%s/%s%s", r->endpoint,
	    repo_type_prefix(repo->type), to)));
	resp_json(r, 200, o);
}

/*
 * A size member of a settings body: *set when present, *out its decimal
 * text or NULL for null. Returns -1 when it is neither a number of bytes
 * of at least min nor null.
 */
static int
size_setting(struct req *r, json_object *body, const char *key, int64_t min,
    int *set, const char **out)
{
	json_object *v;

	*set = 0;
	*out = NULL;
	if (!json_object_object_get_ex(body, key, &v))
		return 0;
	*set = 1;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < min)
		return -1;
	*out = arena_printf(r->a, "%lld", (long long)json_object_get_int64(v));
	return 0;
}

/*
 * The LFS settings of a settings body: "lfsThreshold" (bytes, or null for
 * the server's), "lfsMultipartThreshold" (the same for multipart uploads)
 * and "lfsPatterns" (an array of .gitattributes patterns, or null for
 * none), each optional. *set_* tell which were given; patterns come out
 * one a line. Returns NULL, or what is wrong.
 */
static const char *
lfs_settings_of(struct req *r, json_object *body, int *set_thr,
    const char **thr, int *set_multi, const char **multi, int *set_pat,
    const char **pat)
{
	json_object *v, *p;
	struct buf b;
	size_t i, n, j;

	*set_pat = 0;
	*pat = NULL;
	if (size_setting(r, body, "lfsThreshold", 0, set_thr, thr) != 0)
		return "'lfsThreshold' must be a number of bytes or null";
	if (size_setting(r, body, "lfsMultipartThreshold", 1, set_multi,
	    multi) != 0)
		return "'lfsMultipartThreshold' must be a positive number of "
		    "bytes or null";
	if (!json_object_object_get_ex(body, "lfsPatterns", &v))
		return NULL;
	*set_pat = 1;
	if (v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > LFS_PATTERNS_MAX)
		return "'lfsPatterns' must be an array of at most 100 patterns "
		    "or null";
	buf_init(&b, r->a);
	for (i = 0; i < n; i++) {
		const char *s;

		p = json_object_array_get_idx(v, i);
		if (p == NULL || !json_object_is_type(p, json_type_string) ||
		    *(s = json_object_get_string(p)) == '\0' ||
		    strlen(s) > LFS_PATTERN_LEN || *s == '#' || *s == '!')
			return "each of 'lfsPatterns' must be a pattern such "
			    "as *.bin (1 to 255 characters)";
		/* one .gitattributes pattern: no blanks, no controls */
		for (j = 0; s[j] != '\0'; j++)
			if ((unsigned char)s[j] <= ' ' || s[j] == 0x7f ||
			    s[j] == '"' || s[j] == '\\')
				return "an LFS pattern cannot hold blanks, "
				    "quotes, backslashes or control "
				    "characters";
		buf_printf(&b, "%s%s", i ? "\n" : "", s);
	}
	*pat = n ? arena_strndup(r->a, b.data, b.len) : NULL;
	return NULL;
}

/* "gated": "auto", "manual" or false (update_repo_settings()): the gate,
 * -1 when absent, -2 for anything else. */
static int
gate_setting(json_object *body)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(body, "gated", &v))
		return -1;
	if (json_object_is_type(v, json_type_boolean) &&
	    !json_object_get_boolean(v))
		return GATE_OFF;
	if (!json_object_is_type(v, json_type_string))
		return -2;
	s = json_object_get_string(v);
	return !strcmp(s, "auto") ? GATE_AUTO : !strcmp(s, "manual") ?
	    GATE_MANUAL : -2;
}

void
api_repo_settings(struct req *r)
{
	json_object *body, *o;
	struct repo *repo = r->repo;	/* ACCESS_ADMIN, the route's line */
	const char *thr, *multi, *pat, *why;
	int priv, gate, set_thr, set_multi, set_pat;
	struct repos_settings st;
	struct kerr e;
	enum gate now;

	if (req_read_body(r) != 0)
		return;
	body = r->json;
	if ((priv = privacy_of(body)) == -2) {
		resp_error(r, 400, "BadRequest", "'private' must be a boolean "
		    "and 'visibility' public or private");
		return;
	}
	if ((gate = gate_setting(body)) == -2) {
		resp_error(r, 400, "BadRequest", "'gated' must be \"auto\", "
		    "\"manual\" or false");
		return;
	}
	if ((why = lfs_settings_of(r, body, &set_thr, &thr, &set_multi,
	    &multi, &set_pat, &pat)) != NULL) {
		resp_error(r, 400, "BadRequest", "%s", why);
		return;
	}
	st.private_ = priv;
	st.gated = gate;
	st.set_threshold = set_thr;
	st.threshold = thr;
	st.set_multipart = set_multi;
	st.multipart = multi;
	st.set_patterns = set_pat;
	st.patterns = pat;
	if (repos_settings(r->hub->db, r->a, repo->id, &st, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = jobj();
	jset(o, "private", jbool(priv >= 0 ? priv : repo->private_));
	now = gate >= 0 ? (enum gate)gate : repo->gated;
	jset(o, "gated", gate_name(now) ? jstr(gate_name(now)) : jbool(0));
	if (set_thr)
		jset(o, "lfsThreshold", thr ? jint(strtoll(thr, NULL, 10)) :
		    NULL);
	if (set_multi)
		jset(o, "lfsMultipartThreshold", multi ?
		    jint(strtoll(multi, NULL, 10)) : NULL);
	if (set_pat) {
		json_object *a = NULL, *v;

		json_object_object_get_ex(body, "lfsPatterns", &v);
		if (v != NULL)
			a = json_object_get(v);
		jset(o, "lfsPatterns", a);
	}
	resp_json(r, 200, o);
}
