/*
 * api_lfs.c: the git-lfs batch API, verify and multipart completion.
 *
 *	POST {repo}.git/info/lfs/objects/batch
 *	POST {repo}.git/info/lfs/objects/verify
 *	POST {repo}.git/info/lfs/objects/complete/{token}
 *
 * Bytes never pass through khub: uploads are presigned PUTs to a staging
 * key (or presigned parts of a multipart upload to it), downloads are
 * presigned GETs of the final key. An upload becomes an object only when
 * lfs.c has checked it, at verify, at completion, or at commit.
 *
 * The completion URL is called with no authentication (the clients send
 * none): it carries a capability instead, the upload id and its MAC under
 * a key derived from the configuration's S3 secret key (there is no
 * dedicated secret; a new secret key voids the uploads in progress).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "db.h"
#include "discussions.h"
#include "gitobj.h"
#include "hub.h"
#include "jsonutil.h"
#include "lfs.h"
#include "log.h"
#include "quota.h"
#include "s3.h"

#define LFS_TYPE	"application/vnd.git-lfs+json"
#define MAX_OBJECTS	1000	/* per batch; git-lfs sends 100, Python 256 */
#define MAX_PARTS	10000	/* S3's limit */
#define TOKEN_LABEL	"khub lfs multipart completion token v1"

/* An object this repository's commits reference, by its pointer's blob id
 * (a primary key lookup), and verified. */
static const struct db_stmt SQL_DOWNLOADABLE = DB_READ("ibbu", "u",
    "SELECT o.size FROM repo_blob rb"
    " JOIN git_blob g ON g.oid = rb.oid"
    " JOIN lfs_object o ON o.sha256 = g.sha256"
    " WHERE rb.repo_id = ? AND rb.oid = ? AND g.lfs = 1 AND g.sha256 = ?"
    " AND o.size = ?");
static const struct db_stmt SQL_UPLOAD_ADD = DB_WRITE("sbui",
    "INSERT INTO lfs_upload (upload_id, sha256, size, repo_id)"
    " VALUES (?, ?, ?, ?)");
static const struct db_stmt SQL_UPLOAD_GET = DB_READ("s", "bui",
    "SELECT sha256, size, repo_id FROM lfs_upload WHERE upload_id = ?");
static const struct db_stmt SQL_UPLOAD_DEL = DB_WRITE("s",
    "DELETE FROM lfs_upload WHERE upload_id = ?");

/* One object of a batch request, validated. */
struct obj {
	unsigned char	 sha256[SHA256_LEN];
	char		 hex[2 * SHA256_LEN + 1];
	uint64_t	 size;
};

/* ---- answers ---- */

/* Sends a JSON value as application/vnd.git-lfs+json (and releases it). */
static void
lfs_send(struct req *r, int status, json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	resp_send(r, status, LFS_TYPE, s, len);
	json_object_put(o);
}

/*
 * The one error answer of this file: the git-lfs shape, {"message": ...}
 * (what git-lfs prints), with the X-Error-Code and X-Error-Message headers
 * the HF clients read.
 */
static void
lfs_error(struct req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
lfs_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
	json_object *o;
	va_list ap;
	const char *msg;

	va_start(ap, fmt);
	msg = resp_error_headers(r, status, code, fmt, ap);
	va_end(ap);
	o = jobj();
	jset(o, "message", jstr(msg));
	jset(o, "request_id", jstr(r->id));
	lfs_send(r, status, o);
}

static void
lfs_db_error(struct req *r)
{
	if (db_unavailable(r->hub->db))
		lfs_error(r, 503, "ServiceUnavailable", "The database is "
		    "unavailable; try again shortly");
	else
		lfs_error(r, 500, "InternalError", "Database error "
		    "(request %s)", r->id);
}

/* The answer for a failed lfs_verify(); missing_status for LFS_MISSING. */
static void
lfs_verify_error(struct req *r, enum lfs_result res, const char *msg,
    int missing_status)
{
	switch (res) {
	case LFS_OK:
		break;
	case LFS_MISSING:
		lfs_error(r, missing_status, "LfsObjectNotFound", "%s", msg);
		break;
	case LFS_MISMATCH:
		lfs_error(r, 422, "LfsObjectMismatch", "%s", msg);
		break;
	case LFS_TOO_LARGE:
		lfs_error(r, 413, "PayloadTooLarge", "%s", msg);
		break;
	case LFS_UNAVAILABLE:
		lfs_error(r, 503, "ServiceUnavailable", "%s", msg);
		break;
	case LFS_ERROR:
		lfs_error(r, 500, "InternalError", "%s", msg);
		break;
	}
}

/* A per-object error of a batch answer. */
static json_object *
obj_error(json_object *item, int code, const char *msg)
{
	json_object *e = jobj();

	jset(e, "code", jint(code));
	jset(e, "message", jstr(msg));
	jset(item, "error", e);
	return item;
}

/* ---- input ---- */

/*
 * An object id as git-lfs spells it: 64 lower-case hex digits; and a size,
 * a non-negative JSON integer. NULL when valid, else why not.
 */
static const char *
parse_obj(json_object *in, struct obj *o)
{
	json_object *v;
	const char *oid;
	size_t i;
	int64_t n;

	if (!json_object_is_type(in, json_type_object))
		return "Each object must be a JSON object";
	if ((oid = jget_str(in, "oid")) == NULL)
		return "oid must be a string";
	if (strlen(oid) != 2 * SHA256_LEN)
		return "oid must be a sha256: 64 lower-case hex digits";
	for (i = 0; i < 2 * SHA256_LEN; i++)
		if (!((oid[i] >= '0' && oid[i] <= '9') ||
		    (oid[i] >= 'a' && oid[i] <= 'f')))
			return "oid must be a sha256: 64 lower-case hex digits";
	if (hex_decode(o->sha256, SHA256_LEN, oid, 2 * SHA256_LEN) != 0)
		return "oid must be a sha256: 64 lower-case hex digits";
	memcpy(o->hex, oid, sizeof(o->hex));
	if (!json_object_object_get_ex(in, "size", &v) ||
	    !json_object_is_type(v, json_type_int))
		return "size must be an integer";
	if ((n = json_object_get_int64(v)) < 0)
		return "size must not be negative";
	o->size = (uint64_t)n;
	return NULL;
}

/*
 * The bytes the n objects of a batch upload add to the repository's
 * namespace: the sizes of those whose pointer it does not reference yet
 * (quota_new_bytes()). 0, or -1 (database).
 */
static int
batch_new_bytes(struct req *r, const struct repo *repo, json_object *objs,
    size_t n, uint64_t *adding)
{
	struct quota_blob *v = arena_alloc(r->a, (n + 1) * sizeof(*v));
	struct obj o;
	struct buf b;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (parse_obj(json_object_array_get_idx(objs, i), &o) != NULL)
			continue;
		buf_init(&b, r->a);
		lfs_pointer(&b, o.sha256, o.size);
		git_blob_oid(&v[k].oid, b.data, b.len);
		v[k++].size = o.size;
	}
	return quota_new_bytes(r->hub->db, r->a, repo->id, v, k, adding);
}

/* Whether the JSON array arr holds the string s. */
static bool
has_string(json_object *arr, const char *s)
{
	size_t i, n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return false;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), s) == 0)
			return true;
	}
	return false;
}

/* ---- the completion capability ---- */

static void
token_key(struct req *r, unsigned char key[crypto_auth_KEYBYTES])
{
	crypto_generichash_state st;
	const char *secret = r->hub->conf.s3_secret_key != NULL ?
	    r->hub->conf.s3_secret_key : "";

	crypto_generichash_init(&st, NULL, 0, crypto_auth_KEYBYTES);
	crypto_generichash_update(&st, (const unsigned char *)TOKEN_LABEL,
	    sizeof(TOKEN_LABEL));	/* with its NUL: a separator */
	crypto_generichash_update(&st, (const unsigned char *)secret,
	    strlen(secret));
	crypto_generichash_final(&st, key, crypto_auth_KEYBYTES);
	sodium_memzero(&st, sizeof(st));
}

/* "<base64url(upload id)>.<base64url(MAC)>" */
static char *
token_make(struct req *r, const char *upload_id)
{
	unsigned char key[crypto_auth_KEYBYTES], mac[crypto_auth_BYTES];
	size_t n = strlen(upload_id);
	size_t l1 = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	size_t l2 = sodium_base64_ENCODED_LEN(sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *id64 = arena_alloc(r->a, l1), *mac64 = arena_alloc(r->a, l2);

	token_key(r, key);
	crypto_auth(mac, (const unsigned char *)upload_id, n, key);
	sodium_memzero(key, sizeof(key));
	sodium_bin2base64(id64, l1, (const unsigned char *)upload_id, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(mac64, l2, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return arena_printf(r->a, "%s.%s", id64, mac64);
}

/* The upload id a token names, or NULL when it is not one of ours. */
static char *
token_check(struct req *r, const char *token)
{
	unsigned char key[crypto_auth_KEYBYTES], mac[crypto_auth_BYTES];
	const char *dot;
	size_t idlen, maclen, n;
	char *id;
	int ok;

	if (token == NULL || (dot = strchr(token, '.')) == NULL)
		return NULL;
	n = (size_t)(dot - token);
	if (n == 0 || n > 512)
		return NULL;
	id = arena_alloc(r->a, n + 1);
	if (sodium_base642bin((unsigned char *)id, n, token, n, NULL, &idlen,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    idlen == 0)
		return NULL;
	id[idlen] = '\0';
	if (strlen(id) != idlen)
		return NULL;
	if (sodium_base642bin(mac, sizeof(mac), dot + 1, strlen(dot + 1),
	    NULL, &maclen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    maclen != sizeof(mac))
		return NULL;
	token_key(r, key);
	ok = crypto_auth_verify(mac, (const unsigned char *)id, idlen,
	    key) == 0;
	sodium_memzero(key, sizeof(key));
	return ok ? id : NULL;
}

/* ---- batch ---- */

/* "{repo URL}.git/info/lfs/objects/{what}" */
static char *
lfs_url(struct req *r, const struct repo *repo, const char *what)
{
	return arena_printf(r->a, "%s.git/info/lfs/objects/%s",
	    repo_url(r, repo), what);
}

static json_object *
action(const char *href, unsigned lifetime)
{
	json_object *a = jobj();

	jset(a, "href", jstr(href));
	jset(a, "expires_in", jint(lifetime));
	return a;
}

/*
 * The upload actions of one object: a presigned PUT to its staging key,
 * or a multipart upload: part URLs in the header, the completion URL as
 * href. Returns NULL when it answered (an error of the whole batch).
 */
static json_object *
upload_actions(struct req *r, struct repo *repo, const struct obj *o,
    bool multipart, time_t now)
{
	struct s3 *s3 = r->hub->s3;
	unsigned lifetime = r->hub->conf.presign_lifetime;
	json_object *acts, *up, *hdr, *ver;
	uint64_t chunk, nparts, i;
	char *key, *href, *upload_id;
	int rc;

	key = lfs_staging_key(r->a, repo->id, o->sha256, o->size);
	acts = jobj();
	if (!multipart) {
		if ((href = s3_presign_upload(s3, r->a, key, o->size,
		    lifetime, now)) == NULL)
			goto presign_failed;
		up = action(href, lifetime);
	} else {
		chunk = r->hub->conf.lfs_chunk_size;
		if ((o->size + chunk - 1) / chunk > MAX_PARTS) {
			/* Larger parts, in whole MiB, to stay in S3's limit. */
			chunk = (o->size + MAX_PARTS - 1) / MAX_PARTS;
			chunk = (chunk + (1 << 20) - 1) & ~(uint64_t)((1 << 20)
			    - 1);
		}
		nparts = (o->size + chunk - 1) / chunk;
		if ((rc = s3_multipart_create(s3, r->a, key, &upload_id)) !=
		    S3_OK) {
			json_object_put(acts);
			log_error("lfs: %s", s3_errmsg(s3));
			lfs_error(r, rc == S3_UNAVAILABLE ? 503 : 500,
			    rc == S3_UNAVAILABLE ? "ServiceUnavailable" :
			    "InternalError", "The storage cannot start an "
			    "upload (request %s)", r->id);
			return NULL;
		}
		if (db_exec(r->hub->db, r->a, NULL, &SQL_UPLOAD_ADD,
		    db_s(upload_id), db_b(o->sha256, SHA256_LEN), db_u(o->size),
		    db_i(repo->id)) != 0) {
			json_object_put(acts);
			s3_multipart_abort(s3, key, upload_id);
			lfs_db_error(r);
			return NULL;
		}
		hdr = jobj();
		jset(hdr, "chunk_size", jstr(arena_printf(r->a, "%llu",
		    (unsigned long long)chunk)));
		for (i = 1; i <= nparts; i++) {
			if ((href = s3_presign_part(s3, r->a, key, upload_id,
			    (unsigned)i, i < nparts ? chunk : o->size -
			    (nparts - 1) * chunk, lifetime, now)) == NULL) {
				json_object_put(hdr);
				goto presign_failed;
			}
			jset(hdr, arena_printf(r->a, "%05u", (unsigned)i),
			    jstr(href));
		}
		up = action(lfs_url(r, repo, arena_printf(r->a, "complete/%s",
		    token_make(r, upload_id))), lifetime);
		jset(up, "header", hdr);
	}
	jset(acts, "upload", up);
	/* No header: git-lfs sends its own credentials, so does Python. */
	ver = action(lfs_url(r, repo, "verify"), lifetime);
	jset(acts, "verify", ver);
	return acts;

presign_failed:
	json_object_put(acts);
	lfs_error(r, 500, "InternalError", "Cannot sign S3 URLs: %s",
	    s3_errmsg(s3));
	return NULL;
}

/* One object of an upload batch: its answer, or NULL when it answered. */
static json_object *
batch_upload(struct req *r, struct repo *repo, json_object *item,
    const struct obj *o, bool multi_offered, bool *used_multi, time_t now)
{
	json_object *acts;
	struct dctx x;
	uint64_t threshold;
	bool multipart;
	int rc;

	if (o->size > LFS_MAX_SIZE)
		return obj_error(item, 413, arena_printf(r->a, "Object is "
		    "%llu bytes: this server stores objects of up to 5 GiB",
		    (unsigned long long)o->size));
	/* No actions only when this repository may use the object already;
	 * elsewhere the bytes must come (and are checked): the answer says
	 * nothing of objects outside the repository, not even their size. */
	x = req_dctx(r);
	if ((rc = lfs_linkable(&x, repo->id, o->sha256, o->size)) < 0) {
		json_object_put(item);
		lfs_db_error(r);
		return NULL;
	}
	if (rc == 1)
		return item;	/* usable here already: no actions */

	threshold = repo->lfs_multipart_threshold != 0 ?
	    repo->lfs_multipart_threshold :
	    r->hub->conf.lfs_multipart_threshold;
	multipart = multi_offered && o->size > threshold;
	if ((acts = upload_actions(r, repo, o, multipart, now)) == NULL) {
		json_object_put(item);
		return NULL;
	}
	if (multipart)
		*used_multi = true;
	jset(item, "actions", acts);
	return item;
}

/* One object of a download batch: its answer, or NULL when it answered. */
static json_object *
batch_download(struct req *r, struct repo *repo, json_object *item,
    const struct obj *o, time_t now)
{
	unsigned lifetime = r->hub->conf.presign_lifetime;
	struct db_res *res;
	struct oid pointer;
	json_object *acts;
	struct buf b;
	uint64_t have;
	char *href;
	int rc;

	/* The pointer file's blob id names the object in repo_blob. */
	buf_init(&b, r->a);
	lfs_pointer(&b, o->sha256, o->size);
	git_blob_oid(&pointer, b.data, b.len);
	if (db_exec(r->hub->db, r->a, &res, &SQL_DOWNLOADABLE, db_i(repo->id),
	    db_b(pointer.b, OID_LEN), db_b(o->sha256, SHA256_LEN),
	    db_u(o->size)) != 0 ||
	    (rc = db_row(res, db_out_u(&have))) < 0) {
		json_object_put(item);
		lfs_db_error(r);
		return NULL;
	}
	if (rc == 0)
		return obj_error(item, 404, "Object does not exist");
	if ((href = s3_presign_url(r->hub->s3, r->a, "GET",
	    lfs_object_key(r->a, o->sha256), NULL, lifetime, now)) == NULL) {
		json_object_put(item);
		lfs_error(r, 500, "InternalError", "Cannot sign S3 URLs: %s",
		    s3_errmsg(r->hub->s3));
		return NULL;
	}
	acts = jobj();
	jset(acts, "download", action(href, lifetime));
	jset(item, "actions", acts);
	return item;
}

/*
 * What uploading needs: write rights, but for a pull request read access
 * and a user's write token, as on the Hub. The clients then name no ref
 * (create_pr) or refs/pr/N; the commit decides who may land what
 * (api_commit.c), and the objects are proofs for this repository only
 * (lfs.c). body NULL: verify, which names no ref. After auth_identify().
 */
static enum access
upload_need(struct req *r, json_object *body)
{
	json_object *ref;
	const char *name = NULL;

	if (r->who == NULL ||
	    strcmp(r->who->token_role, "write") != 0)
		return ACCESS_WRITE;
	if (body != NULL && json_object_object_get_ex(body, "ref", &ref) &&
	    ref != NULL) {
		if ((name = jget_str(ref, "name")) == NULL)
			return ACCESS_WRITE;
		if (discussion_pr_of_rev(name) == 0)
			return ACCESS_WRITE;
	}
	return ACCESS_READ;
}

/*
 * Uploads to a mirror: refused (true, answered) as repo_open() refuses
 * writes, also those a pull request lets a reader make (upload_need()).
 */
static bool
mirror_refused(struct req *r, const struct repo *repo)
{
	if (repo->mirror == NULL)
		return false;
	lfs_error(r, 403, "Forbidden", "%s is a read-only mirror of %s: it "
	    "cannot be changed here", repo->full, repo->mirror);
	return true;
}

void
api_lfs_batch(struct req *r)
{
	json_object *body, *objs, *transfers, *out, *list, *in, *item, *v;
	const char *op, *algo, *why, *gmsg;
	struct repo *repo;
	struct obj o;
	bool upload, multi_offered, used_multi = false;
	time_t now = time(NULL);
	size_t i, n;
	int rc, gst;

	body = r->json;	/* BODY_JSON, read before the caller is known */
	op = jget_str(body, "operation");
	if (op == NULL || (strcmp(op, "upload") && strcmp(op, "download"))) {
		lfs_error(r, 422, "BadRequest", "operation must be \"upload\" "
		    "or \"download\"");
		return;
	}
	upload = strcmp(op, "upload") == 0;
	if (auth_identify(r) != 0)
		return;
	if ((repo = repo_open(r, upload ? upload_need(r, body) :
	    ACCESS_READ)) == NULL || (upload && mirror_refused(r, repo)))
		return;
	if (repo->disabled) {
		lfs_error(r, 403, "DisabledRepo", "Access to this resource is "
		    "disabled.");
		return;
	}
	/* A download hands out the bytes: a gated repository's gate first. */
	if (!upload && (rc = api_gate_check(r, repo, &gst, &gmsg)) != 0) {
		if (rc == 1)
			lfs_error(r, gst, "GatedRepo", "%s", gmsg);
		return;
	}
	/* git-lfs and Python say "sha256", the JS client "sha_256". */
	if (json_object_object_get_ex(body, "hash_algo", &v) && v != NULL &&
	    (!json_object_is_type(v, json_type_string) ||
	    (strcmp(algo = json_object_get_string(v), "sha256") &&
	    strcmp(algo, "sha_256")))) {
		lfs_error(r, 409, "BadRequest", "Unsupported hash algorithm: "
		    "this server knows sha256 only");
		return;
	}
	if (!json_object_object_get_ex(body, "objects", &objs) ||
	    !json_object_is_type(objs, json_type_array)) {
		lfs_error(r, 422, "BadRequest", "objects must be an array");
		return;
	}
	if ((n = json_object_array_length(objs)) > MAX_OBJECTS) {
		lfs_error(r, 413, "PayloadTooLarge", "At most %d objects per "
		    "batch request, not %zu", MAX_OBJECTS, n);
		return;
	}
	transfers = NULL;
	json_object_object_get_ex(body, "transfers", &transfers);
	multi_offered = upload && has_string(transfers, "multipart");
	/* Quota (quota.c): the objects' sizes must fit before any upload
	 * is offered. One query. */
	if (upload) {
		struct quota q;
		struct kerr e;
		uint64_t adding = 0;

		for (i = 0; i < n; i++)
			if (parse_obj(json_object_array_get_idx(objs, i),
			    &o) == NULL)
				adding = quota_add(adding, o.size);
		if (quota_load(r->hub->db, r->a, r->hub->conf.default_quota,
		    repo->id, &q, &e) != 0) {
			log_error("request %s: %s", r->id, e.msg);
			lfs_db_error(r);
			return;
		}
		/* Near the quota: only what the repository does not hold
		 * yet counts, as in the commit (git lfs push asks to upload
		 * every object it pushes, stored ones too). */
		if (!quota_allows(&q, adding) &&
		    batch_new_bytes(r, repo, objs, n, &adding) != 0) {
			lfs_db_error(r);
			return;
		}
		if (!quota_allows(&q, adding)) {
			lfs_error(r, 413, "QuotaExceeded", "%s",
			    quota_message(r->a, repo->ns, &q, adding));
			return;
		}
	}

	list = jarr();
	for (i = 0; i < n; i++) {
		in = json_object_array_get_idx(objs, i);
		item = jobj();
		/* The oid and size echoed as sent: the clients match them. */
		if (json_object_is_type(in, json_type_object)) {
			if (json_object_object_get_ex(in, "oid", &v))
				jset(item, "oid", json_object_get(v));
			if (json_object_object_get_ex(in, "size", &v))
				jset(item, "size", json_object_get(v));
		}
		if ((why = parse_obj(in, &o)) != NULL)
			item = obj_error(item, 422, why);
		else if (upload)
			item = batch_upload(r, repo, item, &o, multi_offered,
			    &used_multi, now);
		else
			item = batch_download(r, repo, item, &o, now);
		if (item == NULL) {
			json_object_put(list);
			return;
		}
		json_object_array_add(list, item);
	}
	out = jobj();
	/* Never "xet"; "multipart" only when some object uses it. */
	jset(out, "transfer", jstr(used_multi ? "multipart" : "basic"));
	jset(out, "objects", list);
	jset(out, "hash_algo", jstr("sha256"));
	lfs_send(r, 200, out);
}

/* ---- verify ---- */

void
api_lfs_verify(struct req *r)
{
	json_object *body;
	struct repo *repo;
	enum lfs_result res;
	struct dctx x;
	const char *why;
	struct obj o;
	char *msg;

	/* AUTH_IDENTIFY; the body (BODY_LATE) once the caller may upload */
	if ((repo = repo_open(r, upload_need(r, NULL))) == NULL ||
	    mirror_refused(r, repo) || req_read_body(r) != 0)
		return;
	body = r->json;
	if ((why = parse_obj(body, &o)) != NULL) {
		lfs_error(r, 422, "BadRequest", "%s", why);
		return;
	}
	x = req_dctx(r);
	if ((res = lfs_verify(&x, repo->id, o.sha256, o.size, &msg)) !=
	    LFS_OK) {
		lfs_verify_error(r, res, msg, 404);
		return;
	}
	lfs_send(r, 200, jobj());
}

/* ---- multipart completion ---- */

static int
part_cmp(const void *a, const void *b)
{
	const struct s3_part *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/*
 * The parts of a completion body, sorted and checked: numbers 1..10000,
 * no duplicates, an etag each. NULL when valid, else why not.
 */
static const char *
parse_parts(struct req *r, json_object *body, struct s3_part **out,
    size_t *nout)
{
	json_object *parts, *p, *v;
	struct s3_part *a;
	size_t i, n;
	int64_t num;

	if (!json_object_object_get_ex(body, "parts", &parts) ||
	    !json_object_is_type(parts, json_type_array))
		return "parts must be an array";
	n = json_object_array_length(parts);
	if (n == 0 || n > MAX_PARTS)
		return "parts must list 1 to 10000 parts";
	a = arena_alloc(r->a, n * sizeof(*a));
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(parts, i);
		if (!json_object_is_type(p, json_type_object) ||
		    !json_object_object_get_ex(p, "partNumber", &v) ||
		    !json_object_is_type(v, json_type_int))
			return "each part needs an integer partNumber";
		num = json_object_get_int64(v);
		if (num < 1 || num > MAX_PARTS)
			return "partNumber must be 1 to 10000";
		a[i].number = (unsigned)num;
		if ((a[i].etag = jget_str(p, "etag")) == NULL ||
		    a[i].etag[0] == '\0')
			return "each part needs its etag";
	}
	qsort(a, n, sizeof(*a), part_cmp);
	for (i = 1; i < n; i++)
		if (a[i].number == a[i - 1].number)
			return "a part is listed twice";
	*out = a;
	*nout = n;
	return NULL;
}

void
api_lfs_complete(struct req *r)
{
	unsigned char sha256[SHA256_LEN], bsha[SHA256_LEN];
	json_object *body;
	struct db_res *res;
	struct s3_part *parts;
	enum lfs_result lr;
	struct dctx x;
	const char *oid, *why;
	char *upload_id, *key, *msg;
	void *sha;
	size_t shalen, nparts;
	uint64_t size;
	int64_t repo_id;
	int rc;

	if ((upload_id = token_check(r, r->args.arg)) == NULL) {
		lfs_error(r, 403, "Forbidden", "Invalid upload completion "
		    "URL");
		return;
	}
	if (req_read_body(r) != 0)
		return;
	body = r->json;
	oid = jget_str(body, "oid");
	if (oid == NULL || strlen(oid) != 2 * SHA256_LEN ||
	    hex_decode(bsha, SHA256_LEN, oid, 2 * SHA256_LEN) != 0) {
		lfs_error(r, 422, "BadRequest", "oid must be a sha256: 64 "
		    "lower-case hex digits");
		return;
	}
	if (db_exec(r->hub->db, r->a, &res, &SQL_UPLOAD_GET, db_s(upload_id)) !=
	    0 || (rc = db_row(res, db_out_b(&sha, &shalen), db_out_u(&size),
	    db_out_i(&repo_id))) < 0) {
		lfs_db_error(r);
		return;
	}
	if (rc == 0) {
		lfs_error(r, 404, "UploadNotFound", "No such upload: it was "
		    "aborted, failed its check or has expired");
		return;
	}
	if (shalen != SHA256_LEN) {
		lfs_error(r, 500, "InternalError", "Corrupt upload record");
		return;
	}
	memcpy(sha256, sha, SHA256_LEN);
	if (sodium_memcmp(sha256, bsha, SHA256_LEN) != 0) {
		lfs_error(r, 422, "BadRequest", "This upload is not for object "
		    "%s", oid);
		return;
	}
	if ((why = parse_parts(r, body, &parts, &nparts)) != NULL) {
		lfs_error(r, 422, "BadRequest", "%s", why);
		return;
	}

	key = lfs_staging_key(r->a, repo_id, sha256, size);
	rc = s3_multipart_complete(r->hub->s3, key, upload_id, parts, nparts);
	if (rc == S3_UNAVAILABLE) {
		log_error("lfs: %s", s3_errmsg(r->hub->s3));
		lfs_error(r, 503, "ServiceUnavailable", "The storage is "
		    "unavailable; try again shortly");
		return;
	}
	if (rc == S3_ERROR) {
		/* Wrong etags, a missing or too small part: say which. */
		lfs_error(r, 400, "BadRequest", "The storage refused to "
		    "complete the upload: %s", s3_errmsg(r->hub->s3));
		return;
	}
	/* Done, or gone (S3_NOTFOUND: completed by an earlier call whose
	 * answer was lost): either way the bytes are staged or proved. The
	 * upload's row stays while it checks out, so that a retry of this
	 * call finds its repository; a failed check ends the upload. */
	x = req_dctx(r);
	if ((lr = lfs_verify(&x, repo_id, sha256, size, &msg)) != LFS_OK) {
		if (lr == LFS_MISMATCH || lr == LFS_MISSING)
			(void)db_exec(r->hub->db, r->a, NULL, &SQL_UPLOAD_DEL,
			    db_s(upload_id));
		lfs_verify_error(r, lr, msg, 404);
		return;
	}
	lfs_send(r, 200, jobj());
}
