/*
 * uploadpack.c: upload-pack from the store. The request parser and the
 * ref lists are small and strict; the fetch is three steps:
 *
 *   1. wants checked (commits of this repository), haves kept when they
 *      are commits of this repository (the common ones);
 *   2. the commits to send: from each want down its parents, stopping at
 *      what the common commits reach (their ancestors, cut at the
 *      client's shallow commits) or at the requested depth; or, for
 *      deepen-since, deepen-not and deepen-relative, first the cut as
 *      git computes it, then the walk down to it;
 *   3. their objects: each sent commit's tree against its parent's,
 *      descending only where ids differ (a parent the client has or gets
 *      holds the rest); the whole tree at a root or a shallow boundary.
 *      A seen-set keeps every object once; a filter (blob:none,
 *      blob:limit) leaves blobs out, and a want of a blob (a partial
 *      clone's later fetch) sends it. Then the pack is written,
 *      object by object, with a scratch arena reset after each.
 *
 * With side-band, what precedes the pack (v2's sections, v0's ACK or NAK)
 * goes out before step 2 (before step 3 when it holds v2's shallow-info,
 * which step 2 makes), and then git's keepalive, an empty packet of band
 * 1, whenever nothing went out for a while: the walk of a long history,
 * the listing of a large tree and a stalled S3 read are silent, and
 * front ends time out.
 *
 * Memory: the object list (21 bytes an object) and the seen-set; object
 * bytes one at a time, but for the regular blobs read from S3 ahead of
 * the writing (AHEAD_S3_BYTES at most).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "blobstore.h"
#include "db.h"
#include "gitpack.h"
#include "gitstore.h"
#include "oidmap.h"
#include "pktline.h"
#include "s3.h"
#include "uploadpack.h"

/* With what an annotated tag's object peels to (NULL for the rest), and
 * whether it tags a tag. */
static const struct db_stmt SQL_REFS = DB_READ("i", "ssbbsi",
    "SELECT r.kind, r.name, r.target, COALESCE(g.peeled, g.object),"
    " COALESCE(g.peeled_type, g.type), g.peeled IS NOT NULL FROM ref r"
    " LEFT JOIN git_tag g ON g.oid = r.target WHERE r.repo_id = ?");
static const struct db_stmt SQL_IS_COMMIT = DB_READ("ib", "i",
    "SELECT 1 FROM repo_commit WHERE repo_id = ? AND oid = ?");
/* Which ids of a JSON array of hex ids are this repository's commits, or
 * blobs its commits reference (a partial clone's later fetches want blobs
 * by id, thousands at once): one query a batch of wants. */
static const struct db_stmt SQL_COMMITS_IN = DB_READ("si", "b",
    "SELECT c.oid FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
    " PATH '$')) AS j JOIN repo_commit c ON c.repo_id = ?"
    " AND c.oid = UNHEX(j.h)");
static const struct db_stmt SQL_BLOBS_IN = DB_READ("si", "b",
    "SELECT b.oid FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40)"
    " PATH '$')) AS j JOIN repo_blob b ON b.repo_id = ?"
    " AND b.oid = UNHEX(j.h)");
/* Wants a batch: 1,000 ids are 43 KB of JSON, far under
 * max_allowed_packet. */
#define WANTS_BATCH	1000
/* The rows of the blobs about to be written, and a small one's bytes (an
 * LFS file's pointer is made from its row; a large file's bytes are in
 * S3): one query for a window of blobs, not two a blob. */
static const struct db_stmt SQL_BLOBS_AHEAD = DB_READ("s", "bubiib",
    "SELECT g.oid, g.size, g.sha256, g.lfs, g.in_s3, d.data"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (h CHAR(40) PATH '$')) AS j"
    " JOIN git_blob g ON g.oid = UNHEX(j.h)"
    " LEFT JOIN blob_data d ON d.oid = g.oid AND g.lfs = 0");
/* Blobs a window: 256 small ones are at most 1 MiB of bytes (blobstore.h's
 * 4 KiB), and a window is 1/256 of the queries of one a blob. */
#define AHEAD_BLOBS	256
/* A window's regular blobs in S3 are read ahead of the writing, several
 * GETs at once (s3_getq): one after another they were 1.9 ms each, most
 * of a clone of larger files. At most AHEAD_S3_BYTES held at once; a blob
 * over AHEAD_S3_ONE streams through one GET as before. */
#define AHEAD_S3_BYTES	(8u << 20)
#define AHEAD_S3_ONE	(1u << 20)
/* Every ancestor of a commit (through every parent), each once, with its
 * parents: the first, and the rest as one string of 20-byte ids. */
static const struct db_stmt SQL_ANCESTRY = DB_READ("b", "bbb",
    "SET STATEMENT max_recursive_iterations = 100000000 FOR"
    " WITH RECURSIVE h (oid) AS ("
    "  SELECT CAST(? AS BINARY(20))"
    "  UNION"
    "  SELECT c.parent FROM h JOIN git_commit c ON c.oid = h.oid"
    "   WHERE c.parent IS NOT NULL"
    "  UNION"
    "  SELECT p.parent FROM h JOIN git_commit_parent p ON p.oid = h.oid)"
    " SELECT c.oid, c.parent,"
    "  (SELECT GROUP_CONCAT(p.parent ORDER BY p.n SEPARATOR '')"
    "   FROM git_commit_parent p WHERE p.oid = c.oid)"
    " FROM h JOIN git_commit c ON c.oid = h.oid");

/* ---- the request ---- */

static int
parse_oid(struct oid *o, const char *s, size_t len)
{
	return len == OID_HEX && oid_parse(o, s, len) == 0 ? 0 : -1;
}

/* Appends to a growing array of oids in the arena, within max. */
static int
push_oid(struct arena *a, struct oid **v, size_t *n, size_t *cap, size_t max,
    const char *hex, size_t len, const char *what, struct kerr *e)
{
	struct oid o;

	if (parse_oid(&o, hex, len) != 0)
		return kerr_set(e, 400, "BadRequest", "protocol error: "
		    "expected %s <40 hex digits>", what);
	if (*n >= max)
		return kerr_set(e, 400, "BadRequest", "too many %s lines "
		    "(at most %zu)", what, max);
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct oid *nv = arena_alloc(a, ncap * sizeof(*nv));

		if (*n)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = o;
	return 0;
}

static int
parse_depth(uint32_t *out, const char *s, size_t len, struct kerr *e)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		goto bad;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0 || v > UPLOAD_DEPTH_MAX)
		goto bad;
	*out = (uint32_t)v;
	return 0;
bad:
	return kerr_set(e, 400, "BadRequest", "protocol error: deepen wants "
	    "a depth from 1 to %d", UPLOAD_DEPTH_MAX);
}

int
upload_parse_filter(const char *spec, size_t len, enum upload_filter *f,
    uint64_t *limit, struct kerr *e)
{
	const char *s = spec + 11, *end = spec + len;
	uint64_t v = 0, unit = 1;
	unsigned base = 10;
	size_t nd = 0;

	if (len == 9 && !memcmp(spec, "blob:none", 9)) {
		*f = UPLOAD_FILTER_BLOB_NONE;
		*limit = 0;
		return 0;
	}
	if (len < 12 || memcmp(spec, "blob:limit=", 11) != 0)
		goto unsupported;
	/* git_parse_ulong: strtoumax base 0, then one unit letter */
	if (end - s > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0')
		base = 8;
	for (; s < end; s++, nd++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (d >= base || v > (UINT64_MAX - d) / base)
			goto bad;
		v = v * base + d;
	}
	if (nd == 0)
		goto bad;
	if (s < end) {
		switch (*s++) {
		case 'k': case 'K': unit = 1024; break;
		case 'm': case 'M': unit = 1024 * 1024; break;
		case 'g': case 'G': unit = 1024 * 1024 * 1024; break;
		default: goto bad;
		}
		if (s != end)
			goto bad;
	}
	if (v > UINT64_MAX / unit)
		goto bad;
	*f = UPLOAD_FILTER_BLOB_LIMIT;
	*limit = v * unit;
	return 0;
bad:
	return kerr_set(e, 400, "BadRequest", "invalid filter-spec '%.*s': "
	    "blob:limit wants a size (a number, then k, m or g)",
	    (int)(len > 64 ? 64 : len), spec);
unsupported:
	return kerr_set(e, 400, "BadRequest", "filter '%.*s' is not "
	    "supported by khub (blob:none and blob:limit=<n> are)",
	    (int)(len > 64 ? 64 : len), spec);
}

/* deepen-since's Unix seconds: decimal, not 0 (git: "invalid deepen-since"). */
static int
parse_since(int64_t *out, const char *s, size_t len, struct kerr *e)
{
	int64_t v = 0;
	size_t i;

	if (len == 0 || len > 18)	/* 18 digits: no overflow */
		goto bad;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (v == 0)
		goto bad;
	*out = v;
	return 0;
bad:
	return kerr_set(e, 400, "BadRequest", "protocol error: invalid "
	    "deepen-since (Unix seconds, not 0)");
}

struct caps {
	size_t		 nw, nh, ns, np;	/* capacities */
	size_t		 nn;		/* deepen-not */
};

/* The arguments v2's fetch takes beside fetch_arg()'s (v0 takes
 * deepen-since and deepen-not as lines too; its deepen-relative is a
 * capability, its filter comes after the wants). 1: taken, 0: not one of
 * them, -1: e set. */
static int
fetch_arg_v2(struct upload_req *q, struct arena *a, struct caps *c,
    const struct pkt *p, struct kerr *e)
{
	const char *arg;
	size_t n;

	if (pkt_word(p, "deepen-relative", &arg, &n) && n == 0) {
		q->deepen_relative = true;
		return 1;
	}
	if (pkt_word(p, "deepen-since", &arg, &n))
		return parse_since(&q->deepen_since, arg, n, e) == 0 ? 1 : -1;
	if (pkt_word(p, "deepen-not", &arg, &n)) {
		if (n == 0 || memchr(arg, '\0', n) != NULL)
			return kerr_set(e, 400, "BadRequest", "protocol "
			    "error: deepen-not wants a ref name");
		if (q->ndeepen_not >= UPLOAD_DEEPEN_NOT_MAX)
			return kerr_set(e, 400, "BadRequest", "too many "
			    "deepen-not lines (at most %d)",
			    UPLOAD_DEEPEN_NOT_MAX);
		if (q->ndeepen_not == c->nn) {
			struct upload_prefix *nv;

			c->nn = c->nn ? c->nn * 2 : 4;
			nv = arena_alloc(a, c->nn * sizeof(*nv));
			if (q->ndeepen_not)
				memcpy(nv, q->deepen_not, q->ndeepen_not *
				    sizeof(*nv));
			q->deepen_not = nv;
		}
		q->deepen_not[q->ndeepen_not].s = arg;
		q->deepen_not[q->ndeepen_not++].len = n;
		return 1;
	}
	if (pkt_word(p, "filter", &arg, &n)) {
		/* git takes one filter line (combine: is one spec) */
		if (q->filter != UPLOAD_FILTER_NONE)
			return kerr_set(e, 400, "BadRequest", "protocol "
			    "error: more than one filter line");
		return upload_parse_filter(arg, n, &q->filter, &q->blob_limit,
		    e) == 0 ? 1 : -1;
	}
	return 0;
}

/* The arguments of a v2 fetch or v0's lines that v2 shares. 1: taken. */
static int
fetch_arg(struct upload_req *q, struct arena *a, struct caps *c,
    const struct pkt *p, struct kerr *e)
{
	const char *arg;
	size_t n;

	if (pkt_word(p, "want", &arg, &n))
		return push_oid(a, &q->wants, &q->nwants, &c->nw,
		    UPLOAD_WANTS_MAX, arg, n, "want", e) == 0 ? 1 : -1;
	if (pkt_word(p, "have", &arg, &n)) {
		if (q->done)
			return kerr_set(e, 400, "BadRequest", "protocol "
			    "error: have after done");
		return push_oid(a, &q->haves, &q->nhaves, &c->nh,
		    UPLOAD_HAVES_MAX, arg, n, "have", e) == 0 ? 1 : -1;
	}
	if (pkt_word(p, "shallow", &arg, &n))
		return push_oid(a, &q->shallows, &q->nshallows, &c->ns,
		    UPLOAD_SHALLOWS_MAX, arg, n, "shallow", e) == 0 ? 1 : -1;
	if (pkt_word(p, "deepen", &arg, &n))
		return parse_depth(&q->deepen, arg, n, e) == 0 ? 1 : -1;
	if (pkt_word(p, "done", &arg, &n) && n == 0) {
		q->done = true;
		return 1;
	}
	return 0;
}

/* A word of a line (for messages): up to its first space, 40 bytes. */
static const char *
first_word(struct arena *a, const struct pkt *p)
{
	size_t n = 0;

	while (n < p->len && n < 40 && p->data[n] != ' ' &&
	    (unsigned char)p->data[n] >= 0x20 && p->data[n] != 0x7f)
		n++;
	return arena_strndup(a, p->data, n);
}

static int
unexpected(struct arena *a, const struct pkt *p, struct kerr *e)
{
	const char *w = first_word(a, p);
	static const char *const later[] = { "want-ref", "packfile-uris",
	    "sideband-all", NULL };
	size_t i;

	if (p->kind != PKT_DATA)
		return kerr_set(e, 400, "BadRequest", "protocol error: "
		    "unexpected %s packet", p->kind == PKT_FLUSH ? "flush" :
		    p->kind == PKT_DELIM ? "delim" : "response-end");
	for (i = 0; later[i] != NULL; i++)
		if (!strcmp(w, later[i]))
			return kerr_set(e, 400, "BadRequest", "khub does not "
			    "support %s yet", w);
	return kerr_set(e, 400, "BadRequest", "protocol error: unexpected "
	    "line '%s'", w);
}

static int
parse_v2(struct upload_req *q, struct arena *a, struct pkt_reader *rd,
    struct kerr *e)
{
	struct caps c = { 0, 0, 0, 0, 0 };
	struct pkt p;
	const char *arg;
	size_t n, cap_prefixes = 0;
	int rc;

	if ((rc = pkt_read(rd, &p)) != 1)
		goto malformed;
	if (p.kind == PKT_DATA && p.len == 15 &&
	    !memcmp(p.data, "command=ls-refs", 15))
		q->cmd = UPLOAD_LS_REFS;
	else if (p.kind == PKT_DATA && p.len == 13 &&
	    !memcmp(p.data, "command=fetch", 13))
		q->cmd = UPLOAD_FETCH;
	else
		return kerr_set(e, 400, "BadRequest", "protocol error: "
		    "expected command=ls-refs or command=fetch");
	/* capabilities, up to the delimiter (or a flush: no arguments) */
	for (;;) {
		if ((rc = pkt_read(rd, &p)) != 1)
			goto malformed;
		if (p.kind == PKT_DELIM || p.kind == PKT_FLUSH)
			break;
		if (p.kind != PKT_DATA)
			return unexpected(a, &p, e);
		if (pkt_word(&p, "object-format=sha1", &arg, &n) && n == 0)
			continue;
		if (p.len >= 6 && !memcmp(p.data, "agent=", 6))
			continue;
		return kerr_set(e, 400, "BadRequest", "unknown capability "
		    "'%s'", first_word(a, &p));
	}
	while (p.kind != PKT_FLUSH) {
		if ((rc = pkt_read(rd, &p)) != 1)
			goto malformed;
		if (p.kind == PKT_FLUSH)
			break;
		if (q->cmd == UPLOAD_LS_REFS) {
			if (p.kind == PKT_DATA && p.len == 7 &&
			    !memcmp(p.data, "symrefs", 7))
				q->symrefs = true;
			else if (p.kind == PKT_DATA && p.len == 4 &&
			    !memcmp(p.data, "peel", 4))
				q->peel = true;
			else if (p.kind == PKT_DATA && p.len == 6 &&
			    !memcmp(p.data, "unborn", 6))
				q->unborn = true;
			else if (pkt_word(&p, "ref-prefix", &arg, &n) &&
			    n > 0) {
				if (q->nprefixes >= UPLOAD_PREFIXES_MAX)
					return kerr_set(e, 400, "BadRequest",
					    "too many ref-prefix lines (at "
					    "most %d)", UPLOAD_PREFIXES_MAX);
				if (q->nprefixes == cap_prefixes) {
					struct upload_prefix *np;

					cap_prefixes = cap_prefixes ?
					    cap_prefixes * 2 : 8;
					np = arena_alloc(a, cap_prefixes *
					    sizeof(*np));
					if (q->nprefixes)
						memcpy(np, q->prefixes,
						    q->nprefixes * sizeof(*np));
					q->prefixes = np;
				}
				q->prefixes[q->nprefixes].s = arg;
				q->prefixes[q->nprefixes++].len = n;
			} else
				return unexpected(a, &p, e);
			continue;
		}
		if ((rc = fetch_arg(q, a, &c, &p, e)) < 0 ||
		    (rc == 0 && (rc = fetch_arg_v2(q, a, &c, &p, e)) < 0))
			return -1;
		if (rc == 1)
			continue;
		if (p.kind == PKT_DATA && ((p.len == 9 &&
		    !memcmp(p.data, "thin-pack", 9)) || (p.len == 9 &&
		    !memcmp(p.data, "ofs-delta", 9)) || (p.len == 11 &&
		    !memcmp(p.data, "include-tag", 11))))
			continue;	/* nothing to do: no deltas, no tag
					   objects */
		if (p.kind == PKT_DATA && p.len == 11 &&
		    !memcmp(p.data, "no-progress", 11)) {
			q->no_progress = true;
			continue;
		}
		return unexpected(a, &p, e);
	}
	if (rd->left != 0)
		return kerr_set(e, 400, "BadRequest", "protocol error: bytes "
		    "after the request's flush");
	q->sideband = true;
	if (q->cmd == UPLOAD_FETCH && q->nwants == 0)
		return kerr_set(e, 400, "BadRequest", "protocol error: "
		    "expected want");
	if (q->deepen && (q->deepen_since || q->ndeepen_not))
		return kerr_set(e, 400, "BadRequest", "deepen and "
		    "deepen-since (or deepen-not) cannot be used together");
	return 0;
malformed:
	return kerr_set(e, 400, "BadRequest", "protocol error: %s",
	    rc == 0 ? "the request ends before its flush" :
	    "malformed pkt-line");
}

/* v0's first want line carries the client's capabilities. */
static void
v0_caps(struct upload_req *q, const char *s, size_t len)
{
	while (len > 0) {
		size_t n = 0;

		while (n < len && s[n] != ' ')
			n++;
		if (n == 18 && !memcmp(s, "multi_ack_detailed", n))
			q->multi_ack = true;
		else if (n == 13 && !memcmp(s, "side-band-64k", n))
			q->sideband = true;
		else if (n == 11 && !memcmp(s, "no-progress", n))
			q->no_progress = true;
		else if (n == 15 && !memcmp(s, "deepen-relative", n))
			q->deepen_relative = true;
		/* others (agent=, ofs-delta, thin-pack) change nothing */
		s += n;
		len -= n;
		while (len > 0 && *s == ' ') {
			s++;
			len--;
		}
	}
}

static int
parse_v0(struct upload_req *q, struct arena *a, struct pkt_reader *rd,
    struct kerr *e)
{
	struct caps c = { 0, 0, 0, 0, 0 };
	struct pkt p;
	const char *arg;
	size_t n;
	int rc;

	q->cmd = UPLOAD_FETCH;
	/* wants (the first with capabilities), the client's shallow commits
	 * and the deepen lines, the filter, up to a flush */
	for (;;) {
		if ((rc = pkt_read(rd, &p)) != 1)
			goto malformed;
		if (p.kind == PKT_FLUSH)
			break;
		/* filter (advertised in v0 too): after the wants */
		if (q->nwants > 0 && pkt_word(&p, "filter", &arg, &n)) {
			if (q->filter != UPLOAD_FILTER_NONE)
				return kerr_set(e, 400, "BadRequest", "protocol "
				    "error: more than one filter line");
			if (upload_parse_filter(arg, n, &q->filter,
			    &q->blob_limit, e) != 0)
				return -1;
			continue;
		}
		if (pkt_word(&p, "shallow", &arg, &n) ||
		    pkt_word(&p, "deepen", &arg, &n)) {
			if (fetch_arg(q, a, &c, &p, e) < 0)
				return -1;
			continue;
		}
		/* deepen-relative is a capability in v0, not a line */
		if (pkt_word(&p, "deepen-since", &arg, &n) ||
		    pkt_word(&p, "deepen-not", &arg, &n)) {
			if (fetch_arg_v2(q, a, &c, &p, e) < 0)
				return -1;
			continue;
		}
		if (!pkt_word(&p, "want", &arg, &n))
			return unexpected(a, &p, e);
		if (q->filter != UPLOAD_FILTER_NONE)
			return kerr_set(e, 400, "BadRequest", "protocol error: "
			    "want after filter");
		if (q->nwants == 0 && n > OID_HEX && arg[OID_HEX] == ' ') {
			v0_caps(q, arg + OID_HEX + 1, n - OID_HEX - 1);
			n = OID_HEX;
		}
		if (push_oid(a, &q->wants, &q->nwants, &c.nw,
		    UPLOAD_WANTS_MAX, arg, n, "want", e) != 0)
			return -1;
	}
	if (q->nwants == 0)
		return kerr_set(e, 400, "BadRequest", "protocol error: "
		    "expected want");
	if (q->deepen && (q->deepen_since || q->ndeepen_not))
		return kerr_set(e, 400, "BadRequest", "deepen and "
		    "deepen-since (or deepen-not) cannot be used together");
	/* stateless: a deepening client's first request stops here, and
	 * is answered with the shallow list only */
	q->wants_only = rd->left == 0;
	/* haves in rounds ended by flushes, then done or the end */
	while ((rc = pkt_read(rd, &p)) == 1) {
		if (q->done)
			return kerr_set(e, 400, "BadRequest", "protocol "
			    "error: lines after done");
		if (p.kind == PKT_FLUSH)
			continue;
		if (!pkt_word(&p, "have", &arg, &n) &&
		    !(pkt_word(&p, "done", &arg, &n) && n == 0))
			return unexpected(a, &p, e);
		if (fetch_arg(q, a, &c, &p, e) < 0)
			return -1;
	}
	if (rc < 0)
		goto malformed;
	if (!q->done && p.kind != PKT_FLUSH)
		return kerr_set(e, 400, "BadRequest", "protocol error: the "
		    "request ends before its flush");
	if (!q->done && !q->multi_ack)
		return kerr_set(e, 400, "BadRequest", "protocol error: "
		    "negotiation needs multi_ack_detailed");
	return 0;
malformed:
	return kerr_set(e, 400, "BadRequest", "protocol error: %s",
	    rc == 0 ? "the request ends before its flush" :
	    "malformed pkt-line");
}

int
upload_parse(struct upload_req *q, struct arena *a, int version,
    const void *body, size_t len, struct kerr *e)
{
	struct pkt_reader rd;

	memset(q, 0, sizeof(*q));
	q->version = version;
	pkt_reader_init(&rd, body, len);
	return version == 2 ? parse_v2(q, a, &rd, e) : parse_v0(q, a, &rd, e);
}

/* ---- refs and advertisements ---- */

static int
ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct upload_ref *)a)->name,
	    ((const struct upload_ref *)b)->name);
}

int
upload_refs(struct db *db, struct arena *a, int64_t repo_id,
    struct upload_refs *out, struct kerr *e)
{
	struct db_res *res;
	char *kind, *name, *ptype;
	void *target, *peeled;
	size_t tlen, plen, cap = 0;
	int64_t chain;
	int rc;

	memset(out, 0, sizeof(*out));
	if (db_exec(db, a, &res, &SQL_REFS, db_i(repo_id)) != 0)
		return kerr_db(e, db);
	while ((rc = db_row(res, db_out_s(&kind), db_out_s(&name),
	    db_out_b(&target, &tlen), db_out_b(&peeled, &plen),
	    db_out_s(&ptype), db_out_i(&chain))) == 1) {
		struct upload_ref *r;

		if (tlen != OID_LEN)
			continue;
		if (out->n == cap) {
			struct upload_ref *nv;

			cap = cap ? cap * 2 : 16;
			nv = arena_alloc(a, cap * sizeof(*nv));
			if (out->n)
				memcpy(nv, out->v, out->n * sizeof(*nv));
			out->v = nv;
		}
		r = &out->v[out->n++];
		/* a pull request's ref is a branch row named refs/pr/N */
		r->name = !strncmp(name, "refs/", 5) ? name :
		    arena_printf(a, "refs/%s/%s", !strcmp(kind, "branch") ?
		    "heads" : "tags", name);
		memcpy(r->oid.b, target, OID_LEN);
		if ((r->annotated = peeled != NULL && plen == OID_LEN)) {
			memcpy(r->peeled.b, peeled, OID_LEN);
			r->peeled_type = ptype == NULL ||
			    !strcmp(ptype, "commit") ? PACK_COMMIT :
			    !strcmp(ptype, "tree") ? PACK_TREE : PACK_BLOB;
			r->chain = chain != 0;
		}
		if (!strcmp(r->name, "refs/heads/main")) {
			out->head = true;
			out->head_oid = r->oid;
		}
	}
	if (rc < 0)
		return kerr_db(e, db);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), ref_cmp);
	return 0;
}

void
upload_advertise_v2(struct buf *b, const char *agent)
{
	pkt_printf(b, "version 2\n");
	pkt_printf(b, "agent=%s\n", agent);
	pkt_printf(b, "ls-refs=unborn\n");
	/* shallow: deepen N, deepen-relative, deepen-since, deepen-not;
	 * filter: blob:none and blob:limit (others refused by name) */
	pkt_printf(b, "fetch=shallow filter\n");
	pkt_printf(b, "object-format=sha1\n");
	pkt_flush(b);
}

/* After an annotated tag's line, what it tags: "<commit> <name>^{}". */
static void
advertise_peeled(struct buf *b, const struct upload_ref *r)
{
	char hex[OID_HEX + 1];

	if (!r->annotated)
		return;
	oid_hex(&r->peeled, hex);
	pkt_printf(b, "%s %s^{}\n", hex, r->name);
}

void
upload_advertise_v0(struct buf *b, const struct upload_refs *refs,
    const char *agent)
{
	char hex[OID_HEX + 1];
	const char *caps;
	size_t i = 0;

	/* Any commit of this repository may be wanted (repo_commit), as
	 * the API resolves any of them, and any blob they reference (a
	 * partial clone's later fetches). Shallow as in v2 (deepen N,
	 * -since, -not, -relative); no deltas, no tag objects to include. */
	caps = arena_printf(b->a, "multi_ack_detailed side-band-64k shallow "
	    "deepen-since deepen-not deepen-relative no-progress "
	    "allow-tip-sha1-in-want allow-reachable-sha1-in-want"
	    " filter%s object-format=sha1 agent=%s", refs->head ?
	    " symref=HEAD:refs/heads/main" : "", agent);
	if (refs->head) {
		oid_hex(&refs->head_oid, hex);
		pkt_printf(b, "%s HEAD%c%s\n", hex, '\0', caps);
	} else if (refs->n == 0) {
		pkt_printf(b, "%040d capabilities^{}%c%s\n", 0, '\0', caps);
	} else {
		oid_hex(&refs->v[0].oid, hex);
		pkt_printf(b, "%s %s%c%s\n", hex, refs->v[0].name, '\0', caps);
		advertise_peeled(b, &refs->v[0]);
		i = 1;
	}
	for (; i < refs->n; i++) {
		oid_hex(&refs->v[i].oid, hex);
		pkt_printf(b, "%s %s\n", hex, refs->v[i].name);
		advertise_peeled(b, &refs->v[i]);
	}
	pkt_flush(b);
}

static bool
prefix_match(const struct upload_req *q, const char *name)
{
	size_t i, n = strlen(name);

	if (q->nprefixes == 0)
		return true;
	for (i = 0; i < q->nprefixes; i++)
		if (q->prefixes[i].len <= n &&
		    !memcmp(name, q->prefixes[i].s, q->prefixes[i].len))
			return true;
	return false;
}

void
upload_ls_refs(struct buf *b, const struct upload_refs *refs,
    const struct upload_req *q)
{
	char hex[OID_HEX + 1];
	size_t i;

	if (prefix_match(q, "HEAD")) {
		if (refs->head) {
			oid_hex(&refs->head_oid, hex);
			pkt_printf(b, "%s HEAD%s\n", hex, q->symrefs ?
			    " symref-target:refs/heads/main" : "");
		} else if (q->unborn)
			pkt_printf(b, "unborn HEAD symref-target:"
			    "refs/heads/main\n");
	}
	for (i = 0; i < refs->n; i++) {
		char peeled[OID_HEX + 1];

		if (!prefix_match(q, refs->v[i].name))
			continue;
		oid_hex(&refs->v[i].oid, hex);
		if (q->peel && refs->v[i].annotated) {
			oid_hex(&refs->v[i].peeled, peeled);
			pkt_printf(b, "%s %s peeled:%s\n", hex,
			    refs->v[i].name, peeled);
		} else
			pkt_printf(b, "%s %s\n", hex, refs->v[i].name);
	}
	pkt_flush(b);
}

/* ---- the fetch ---- */

/* A commit met on the walk from the wants. */
struct walked {
	struct oid	 oid, tree, parent;
	bool		 has_parent;
	bool		 cut;		/* its parents are not sent: whole tree */
	uint32_t	 depth;		/* from the nearest want, 1 for a want */
};

/* Tree depths with an arena of their own (enum_tree); deeper ones are
 * rare and share the scratch arena. */
#define TREE_LEVELS	64

struct obj {
	struct oid	 oid;
	unsigned char	 type;		/* enum pack_type */
};

struct fetch {
	struct db	*db;
	struct s3	*s3;
	struct arena	*a;
	struct arena	*scratch;	/* reset after each object */
	int64_t		 repo_id;
	const struct upload_req *q;
	struct kerr	*e;
	upload_sink	 sink;
	void		*arg;
	bool		*started;
	int64_t		 keepalive_ms;	/* 0: none */
	int64_t		 last_out_ms;	/* when bytes last went out */
	bool		 head_sent;	/* head_out() done (side-band only) */
	bool		 live;		/* head sent: keepalives may go */

	struct oidmap	 tips;		/* ref targets: surely ours */
	struct oidmap	 tags;		/* annotated tags -> index in refs */
	const struct upload_refs *refs;
	struct oidmap	 client_shallow;
	struct oidmap	 closure;	/* what the common commits reach */
	struct oidmap	 walk;		/* walked commit -> index in w */
	struct oidmap	 seen;		/* objects listed for the pack */
	struct oid	*common;
	size_t		 ncommon;
	bool		*want_blob;	/* per want: a blob (sent, no walk) */
	struct ahead	*ahead;		/* the next blobs' rows */
	struct s3_getq	*getq;		/* their S3 bytes read ahead, or NULL */
	size_t		 getq_bytes;	/* held or under way in getq */
	struct arena	*level[TREE_LEVELS];	/* enum_tree's, by depth */
	struct walked	*w;
	size_t		 nw, capw;
	struct obj	*objs;
	size_t		 nobjs, capo;
	uint32_t	 ncommits;
	struct pack_writer *pack;
};

static int	 keepalive(struct fetch *);

static void
free_ptr(void *p)
{
	free(*(void **)p);
}

static void
push_obj(struct fetch *f, const struct oid *o, enum pack_type t)
{
	if (f->nobjs == f->capo) {
		f->capo = f->capo ? f->capo * 2 : 1024;
		if ((f->objs = realloc(f->objs, f->capo *
		    sizeof(*f->objs))) == NULL)
			oom();
	}
	f->objs[f->nobjs].oid = *o;
	f->objs[f->nobjs++].type = (unsigned char)t;
}

static struct walked *
push_walked(struct fetch *f)
{
	if (f->nw == f->capw) {
		f->capw = f->capw ? f->capw * 2 : 256;
		if ((f->w = realloc(f->w, f->capw * sizeof(*f->w))) == NULL)
			oom();
	}
	memset(&f->w[f->nw], 0, sizeof(f->w[0]));
	return &f->w[f->nw++];
}

/* Whether o is a commit of this repository: 1, 0, or -1 (database). */
static int
is_ours(struct fetch *f, const struct oid *o)
{
	struct db_res *res;
	int64_t one;
	int rc;

	if (map_get(&f->tips, o) != NULL)
		return 1;
	if (db_exec(f->db, f->scratch, &res, &SQL_IS_COMMIT, db_i(f->repo_id),
	    db_b(o->b, OID_LEN)) != 0 ||
	    (rc = db_row(res, db_out_i(&one))) < 0)
		return kerr_db(f->e, f->db);
	return rc;
}

/* Which of v[0..n) are in this repository by st (SQL_COMMITS_IN,
 * SQL_BLOBS_IN), into found, WANTS_BATCH a query. 0, or -1 with f->e. */
static int
in_repo_batch(struct fetch *f, const struct db_stmt *st,
    const struct oid *v, size_t n, struct oidmap *found)
{
	struct db_res *res;
	struct buf js;
	char hex[OID_HEX + 1];
	void *o;
	size_t i, k, len;
	int rc;

	for (i = 0; i < n; i += WANTS_BATCH) {
		buf_init(&js, f->scratch);
		buf_add(&js, "[", 1);
		for (k = i; k < n && k < i + WANTS_BATCH; k++) {
			oid_hex(&v[k], hex);
			buf_printf(&js, "%s\"%s\"", k > i ? "," : "", hex);
		}
		buf_add(&js, "]", 2);	/* with its NUL: a C string */
		if (db_exec(f->db, f->scratch, &res, st, db_s(js.data),
		    db_i(f->repo_id)) != 0)
			return kerr_db(f->e, f->db);
		while ((rc = db_row(res, db_out_b(&o, &len))) == 1) {
			struct oid x;

			if (len != OID_LEN)
				continue;
			memcpy(x.b, o, OID_LEN);
			map_add(found, &x, 0);
		}
		if (rc < 0)
			return kerr_db(f->e, f->db);
		arena_reset(f->scratch);
	}
	return 0;
}

/* A commit to visit, and its depth from the nearest want. */
struct visit {
	struct oid	 oid;
	uint32_t	 depth;
};

/* A queue of visits, malloc'd (freed with the arena). */
struct queue {
	struct visit	*v;
	size_t		 head, n, cap;
};

static void
enqueue(struct queue *q, const struct oid *o, uint32_t depth)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		if ((q->v = realloc(q->v, q->cap * sizeof(*q->v))) == NULL)
			oom();
	}
	q->v[q->n].oid = *o;
	q->v[q->n++].depth = depth;
}

/* A commit's parents as the ancestry query gives them, into q. */
static int
enqueue_parents(struct queue *q, const void *first, size_t flen,
    const void *more, size_t mlen, uint32_t depth)
{
	struct oid o;
	size_t k;

	if (first == NULL)
		return 0;
	if (flen != OID_LEN || (more != NULL && mlen % OID_LEN != 0))
		return -1;
	memcpy(o.b, first, OID_LEN);
	enqueue(q, &o, depth);
	for (k = 0; more != NULL && k < mlen / OID_LEN; k++) {
		memcpy(o.b, (const char *)more + k * OID_LEN, OID_LEN);
		enqueue(q, &o, depth);
	}
	return 0;
}

/*
 * The ancestors of the common commits into f->closure, through every
 * parent; the client has no parent of its shallow commits. One query a
 * common commit not reached yet gives its ancestry (edges); the walk over
 * them stops at the client's shallow commits.
 */
static int
fill_closure(struct fetch *f)
{
	struct oidmap *edges = arena_zalloc(f->a, sizeof(*edges));
	struct arena *ea = arena_zalloc(f->a, sizeof(*ea));	/* the rows */
	struct queue q = { 0 };
	struct db_res *res;
	struct edge {
		const void	*first, *more;
		size_t		 flen, mlen;
	} *rows = NULL;
	size_t nrow = 0, caprow = 0, i;
	int rc = 0;

	map_init(edges, f->a);
	arena_init(ea, 65536);
	for (i = 0; i < f->ncommon && rc == 0; i++) {
		void *o, *fp, *mp;
		size_t olen, fl, ml;
		struct oid c;

		if (map_get(edges, &f->common[i]) != NULL)
			continue;
		if ((rc = keepalive(f)) != 0)
			break;
		if (db_exec(f->db, ea, &res, &SQL_ANCESTRY, db_b(f->common[i].b,
		    OID_LEN)) != 0) {
			rc = kerr_db(f->e, f->db);
			break;
		}
		while ((rc = db_row(res, db_out_b(&o, &olen), db_out_b(&fp,
		    &fl), db_out_b(&mp, &ml))) == 1) {
			if (olen != OID_LEN)
				continue;
			memcpy(c.b, o, OID_LEN);
			if (!map_add(edges, &c, (uint32_t)nrow))
				continue;
			if (nrow == caprow) {
				caprow = caprow ? caprow * 2 : 256;
				if ((rows = realloc(rows, caprow *
				    sizeof(*rows))) == NULL)
					oom();
			}
			rows[nrow].first = fp;
			rows[nrow].flen = fl;
			rows[nrow].more = mp;
			rows[nrow].mlen = ml;
			nrow++;
		}
		if (rc < 0)
			rc = kerr_db(f->e, f->db);
		else
			rc = 0;
	}
	for (i = 0; rc == 0 && i < f->ncommon; i++)
		enqueue(&q, &f->common[i], 0);
	while (rc == 0 && q.head < q.n) {
		struct visit v = q.v[q.head++];
		uint32_t *row;

		if (!map_add(&f->closure, &v.oid, 0) ||
		    map_get(&f->client_shallow, &v.oid) != NULL ||
		    (row = map_get(edges, &v.oid)) == NULL)
			continue;
		if (enqueue_parents(&q, rows[*row].first, rows[*row].flen,
		    rows[*row].more, rows[*row].mlen, 0) != 0)
			rc = kerr_set(f->e, 500, "InternalError", "a commit's "
			    "parents are malformed in the store");
	}
	free(q.v);
	free(rows);
	arena_free(ea);
	return rc;
}

/*
 * The walk from the wants, breadth first through every parent: every
 * commit within the depth (all of them without deepen; without deepen the
 * walk stops where the client's history begins), first met at its
 * smallest depth from a want.
 */
static int
walk_wants(struct fetch *f, const struct oid *wants, size_t nwants)
{
	uint32_t limit = f->q->deepen ? f->q->deepen : UINT32_MAX;
	struct queue q = { 0 };
	struct commit_info ci;
	const struct oid *p;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < nwants; i++)
		enqueue(&q, &wants[i], 1);
	while (rc == 0 && q.head < q.n) {
		struct visit v = q.v[q.head++];
		struct walked *w;

		if (v.depth > limit || map_get(&f->walk, &v.oid) != NULL)
			continue;
		if (!f->q->deepen && map_get(&f->closure, &v.oid) != NULL)
			continue;
		if ((rc = keepalive(f)) != 0)
			break;
		if ((rc = gitstore_commit(f->db, f->scratch, &v.oid,
		    &ci)) != 0) {
			rc = rc < 0 ? kerr_db(f->e, f->db) : kerr_set(f->e,
			    500, "InternalError", "commit %s is missing from "
			    "the store", oid_hex_a(f->a, &v.oid));
			break;
		}
		map_add(&f->walk, &v.oid, (uint32_t)f->nw);
		w = push_walked(f);
		w->oid = v.oid;
		w->tree = ci.tree;
		w->parent = ci.parent;
		w->has_parent = ci.has_parent;
		w->depth = v.depth;
		for (k = 0; v.depth < limit &&
		    (p = commit_parent(&ci, k)) != NULL; k++)
			enqueue(&q, p, v.depth + 1);
		arena_reset(f->scratch);
	}
	free(q.v);
	return rc;
}

/* ---- deepen-since, deepen-not, deepen-relative ---- */

/*
 * These cut the history where git's upload-pack cuts it (shallow.c,
 * get_shallow_commits_by_rev_list and get_shallow_commits): first the
 * set of commits the client is to have (the "kept" ones), and among them
 * the boundaries (a kept commit with a parent not kept: shallow for the
 * client); then the walk of what to send, from the wants down, stopping
 * at the common commits and at every shallow commit.
 */
struct cut {
	bool		 rev_list;	/* by deepen-since/-not: what is not
					   kept is not sent */
	struct oidmap	 kept;		/* -> index in node */
	struct oidmap	 boundary;
	struct node {
		struct oid	 oid;
		struct oid	*parents;	/* in f->a */
		size_t		 nparents;
		uint32_t	 depth;
	}		*node;
	size_t		 n, cap;
};

static void
cut_free(void *p)
{
	free(((struct cut *)p)->node);
}

static struct node *
push_node(struct fetch *f, struct cut *c, const struct oid *o,
    const struct commit_info *ci, uint32_t depth)
{
	struct node *nd;
	const struct oid *p;
	size_t k;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		if ((c->node = realloc(c->node, c->cap *
		    sizeof(*c->node))) == NULL)
			oom();
	}
	map_add(&c->kept, o, (uint32_t)c->n);
	nd = &c->node[c->n++];
	nd->oid = *o;
	nd->depth = depth;
	nd->nparents = ci->has_parent ? 1 + ci->nmore : 0;
	nd->parents = nd->nparents ? arena_alloc(f->a, nd->nparents *
	    sizeof(*nd->parents)) : NULL;
	for (k = 0; (p = commit_parent(ci, k)) != NULL; k++)
		nd->parents[k] = *p;
	return nd;
}

static int
load_commit(struct fetch *f, const struct oid *o, struct commit_info *ci)
{
	int rc;

	if ((rc = gitstore_commit(f->db, f->scratch, o, ci)) != 0)
		return rc < 0 ? kerr_db(f->e, f->db) : kerr_set(f->e, 500,
		    "InternalError", "commit %s is missing from the store",
		    oid_hex_a(f->a, o));
	return 0;
}

/* The committer's time of a commit (what --shallow-since compares): the
 * exact text's committer line when there is one, else the one time the
 * fields hold (committer = author). */
static int64_t
committer_time(const struct commit_info *ci)
{
	const char *p, *end, *eol, *gt;
	int64_t v = 0;

	if (ci->raw == NULL)
		return ci->time;
	end = ci->raw + ci->rawlen;
	for (p = ci->raw; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL || eol == p)
			break;		/* the headers end */
		if ((size_t)(eol - p) > 10 && !memcmp(p, "committer ", 10)) {
			for (gt = eol; gt > p && gt[-1] != '>'; gt--)
				;
			if (gt == p)
				return ci->time;
			while (gt < eol && *gt == ' ')
				gt++;
			while (gt < eol && *gt >= '0' && *gt <= '9')
				v = v * 10 + (*gt++ - '0');
			return v;
		}
	}
	return ci->time;
}

/*
 * deepen-not's ref names, resolved as git's expand_ref() does (name,
 * refs/name, refs/tags/name, refs/heads/name, refs/remotes/name,
 * refs/remotes/name/HEAD): exactly one ref must match. Every ancestor of
 * each (an annotated tag: of what it tags) into excl.
 */
static int
fill_excluded(struct fetch *f, struct oidmap *excl)
{
	static const char *const rules[][2] = { { "", "" },
	    { "refs/", "" }, { "refs/tags/", "" }, { "refs/heads/", "" },
	    { "refs/remotes/", "" }, { "refs/remotes/", "/HEAD" } };
	const struct upload_req *q = f->q;
	struct db_res *res;
	size_t i, r, k;
	int rc;

	for (i = 0; i < q->ndeepen_not; i++) {
		const struct upload_prefix *nm = &q->deepen_not[i];
		const struct upload_ref *found = NULL;
		size_t nfound = 0;
		struct oid tip;
		void *o, *fp, *mp;	/* the parents: not needed here */
		size_t olen, fl, ml;

		for (r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
			char *full = arena_printf(f->scratch, "%s%.*s%s",
			    rules[r][0], (int)nm->len, nm->s, rules[r][1]);

			if (!strcmp(full, "HEAD") && f->refs->head) {
				nfound++;
				for (k = 0; k < f->refs->n; k++)
					if (!strcmp(f->refs->v[k].name,
					    "refs/heads/main"))
						found = &f->refs->v[k];
				continue;
			}
			for (k = 0; k < f->refs->n; k++)
				if (!strcmp(f->refs->v[k].name, full)) {
					if (found == NULL)
						found = &f->refs->v[k];
					nfound++;
				}
		}
		if (nfound != 1 || found == NULL)
			return kerr_set(f->e, 400, "BadRequest", "%s "
			    "deepen-not: %.*s", nfound ? "ambiguous" :
			    "no such ref for", (int)(nm->len > 200 ? 200 :
			    nm->len), nm->s);
		tip = found->annotated ? found->peeled : found->oid;
		if (map_get(excl, &tip) != NULL)
			continue;
		if (db_exec(f->db, f->scratch, &res, &SQL_ANCESTRY, db_b(tip.b,
		    OID_LEN)) != 0)
			return kerr_db(f->e, f->db);
		while ((rc = db_row(res, db_out_b(&o, &olen), db_out_b(&fp,
		    &fl), db_out_b(&mp, &ml))) == 1) {
			struct oid c;

			if (olen != OID_LEN)
				continue;
			memcpy(c.b, o, OID_LEN);
			map_add(excl, &c, 0);
		}
		if (rc < 0)
			return kerr_db(f->e, f->db);
		arena_reset(f->scratch);
	}
	return 0;
}

/* deepen-since and deepen-not: kept are the commits reached from the
 * wants through commits no older than the time and outside the excluded
 * histories (git rev-list --max-age=T --not <refs> <wants>). */
static int
cut_by_rev_list(struct fetch *f, struct cut *c, const struct oid *wants,
    size_t nwants)
{
	struct oidmap *excl = arena_zalloc(f->a, sizeof(*excl));
	struct oidmap *met = arena_zalloc(f->a, sizeof(*met));
	struct queue q = { 0 };
	struct commit_info ci;
	size_t i, k;
	int rc = 0;

	c->rev_list = true;
	map_init(excl, f->a);
	map_init(met, f->a);
	if (fill_excluded(f, excl) != 0)
		return -1;
	for (i = 0; i < nwants; i++)
		enqueue(&q, &wants[i], 1);
	while (rc == 0 && q.head < q.n) {
		struct visit v = q.v[q.head++];
		const struct oid *p;

		if (!map_add(met, &v.oid, 0) || map_get(excl, &v.oid) != NULL)
			continue;
		if ((rc = load_commit(f, &v.oid, &ci)) != 0)
			break;
		if (f->q->deepen_since && committer_time(&ci) <
		    f->q->deepen_since) {
			arena_reset(f->scratch);
			continue;	/* old: not kept, nor walked past */
		}
		push_node(f, c, &v.oid, &ci, v.depth);
		for (k = 0; (p = commit_parent(&ci, k)) != NULL; k++)
			enqueue(&q, p, v.depth + 1);
		arena_reset(f->scratch);
	}
	free(q.v);
	if (rc != 0)
		return -1;
	if (c->n == 0)
		return kerr_set(f->e, 400, "BadRequest", "no commits selected "
		    "for shallow requests");
	for (i = 0; i < c->n; i++)
		for (k = 0; k < c->node[i].nparents; k++)
			if (map_get(&c->kept, &c->node[i].parents[k]) == NULL) {
				map_add(&c->boundary, &c->node[i].oid, 0);
				break;
			}
	return 0;
}

/* deepen N with deepen-relative: N more commits below the client's
 * shallow commits (those of this repository), counted as git counts them
 * (the shallow commit itself is at depth 1, the new boundary at N + 1). */
static int
cut_relative(struct fetch *f, struct cut *c)
{
	uint32_t limit = f->q->deepen + 1;	/* at most 2^31: no overflow */
	struct queue q = { 0 };
	struct commit_info ci;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < f->q->nshallows; i++) {
		if ((rc = is_ours(f, &f->q->shallows[i])) < 0)
			return -1;
		if (rc == 1)
			enqueue(&q, &f->q->shallows[i], 1);
		arena_reset(f->scratch);
	}
	rc = 0;
	while (rc == 0 && q.head < q.n) {
		struct visit v = q.v[q.head++];
		const struct oid *p;
		struct node *nd;

		if (map_get(&c->kept, &v.oid) != NULL)
			continue;	/* breadth first: met at its least depth */
		if ((rc = load_commit(f, &v.oid, &ci)) != 0)
			break;
		nd = push_node(f, c, &v.oid, &ci, v.depth);
		if (v.depth >= limit) {
			if (nd->nparents > 0)
				map_add(&c->boundary, &v.oid, 0);
		} else
			for (k = 0; (p = commit_parent(&ci, k)) != NULL; k++)
				enqueue(&q, p, v.depth + 1);
		arena_reset(f->scratch);
	}
	free(q.v);
	return rc;
}

/*
 * The walk of what to send after a cut: its shallow and unshallow lines
 * into b (git's send_shallow and send_unshallow), then the commits from
 * the wants and from the parents of each unshallowed commit, down to the
 * common commits, not past a shallow commit (a new boundary, or one of
 * the client's that stays shallow), into f->w. A want the cut does not
 * keep (older than deepen-since, or in a deepen-not history) is cut
 * itself, so the client's history stays bounded (git would send all
 * below it).
 */
static int
walk_cut(struct fetch *f, struct cut *c, const struct oid *wants,
    size_t nwants, struct buf *b)
{
	struct oidmap *unshallowed = arena_zalloc(f->a, sizeof(*unshallowed));
	struct queue q = { 0 };
	struct commit_info ci;
	struct buf un;		/* the unshallow lines, after the shallow ones */
	char hex[OID_HEX + 1];
	size_t i, k;
	int rc = 0;

	map_init(unshallowed, f->a);
	buf_init(&un, f->a);
	for (i = 0; i < c->n; i++) {
		const struct node *nd = &c->node[i];
		bool cs = map_get(&f->client_shallow, &nd->oid) != NULL;

		if (map_get(&c->boundary, &nd->oid) != NULL) {
			if (!cs) {
				oid_hex(&nd->oid, hex);
				pkt_printf(b, "shallow %s\n", hex);
			}
		} else if (cs) {
			oid_hex(&nd->oid, hex);
			pkt_printf(&un, "unshallow %s\n", hex);
			map_add(unshallowed, &nd->oid, 0);
			for (k = 0; k < nd->nparents; k++)
				enqueue(&q, &nd->parents[k], 1);
		}
	}
	for (i = 0; i < nwants; i++)
		enqueue(&q, &wants[i], 1);
	while (rc == 0 && q.head < q.n) {
		struct visit v = q.v[q.head++];
		const struct oid *p;
		struct walked *w;

		if (map_get(&f->walk, &v.oid) != NULL ||
		    map_get(&f->closure, &v.oid) != NULL)
			continue;
		if ((rc = load_commit(f, &v.oid, &ci)) != 0)
			break;
		map_add(&f->walk, &v.oid, (uint32_t)f->nw);
		w = push_walked(f);
		w->oid = v.oid;
		w->tree = ci.tree;
		w->parent = ci.parent;
		w->has_parent = ci.has_parent;
		w->depth = 1;
		w->cut = map_get(&c->boundary, &v.oid) != NULL ||
		    (map_get(&f->client_shallow, &v.oid) != NULL &&
		    map_get(unshallowed, &v.oid) == NULL) ||
		    (c->rev_list && map_get(&c->kept, &v.oid) == NULL);
		if (w->cut && ci.has_parent &&
		    map_get(&c->boundary, &v.oid) == NULL &&
		    map_get(&f->client_shallow, &v.oid) == NULL) {
			/* a want the cut leaves out: shallow too */
			oid_hex(&v.oid, hex);
			pkt_printf(b, "shallow %s\n", hex);
		}
		for (k = 0; !w->cut && (p = commit_parent(&ci, k)) != NULL;
		    k++)
			enqueue(&q, p, 1);
		arena_reset(f->scratch);
	}
	free(q.v);
	buf_add(b, un.data, un.len);
	return rc;
}

/* Whether the filter keeps blob o: 1, 0, or -1 with f->e. blob:limit
 * compares the git object's size (an LFS file's pointer text), as git
 * does, and omits a blob of at least the limit. */
static int
keep_blob(struct fetch *f, struct arena *a, const struct oid *o)
{
	struct blob_info bi;
	int rc;

	switch (f->q->filter) {
	case UPLOAD_FILTER_NONE:
		return 1;
	case UPLOAD_FILTER_BLOB_NONE:
		return 0;
	default:
		if (keepalive(f) != 0)
			return -1;
		if ((rc = gitstore_blob(f->db, a, o, &bi)) != 0)
			return rc < 0 ? kerr_db(f->e, f->db) : kerr_set(f->e,
			    500, "InternalError", "blob %s is missing from "
			    "the store", oid_hex_a(f->a, o));
		return gitstore_blob_git_size(&bi) < f->q->blob_limit;
	}
}

/*
 * The arena of the trees read at a depth of the walk, emptied as the walk
 * comes to the next tree at that depth: what a walk holds is the trees
 * of one path from the root, not every tree of the snapshot (1,000 parsed
 * trees of 100 entries were 8 MB of a 100,000-file clone). Deeper than
 * TREE_LEVELS, the scratch arena (emptied after each commit).
 */
static void
level_free(void *p)
{
	arena_free(p);
	free(p);
}

static struct arena *
level_arena(struct fetch *f, unsigned depth)
{
	struct arena *la;

	if (depth >= TREE_LEVELS)
		return f->scratch;
	if ((la = f->level[depth]) == NULL) {
		if ((la = calloc(1, sizeof(*la))) == NULL)
			oom();
		arena_init(la, 16384);
		arena_on_reset(f->a, level_free, la);
		f->level[depth] = la;
	} else
		arena_reset(la);
	return la;
}

/* Lists tree nt's objects that old (NULL: none) does not hold; nt is at
 * depth (0: a root) of the walk. */
static int
enum_tree(struct fetch *f, const struct oid *nt, const struct oid *old,
    unsigned depth)
{
	struct arena *la;
	struct tree t, o;
	size_t i;
	int rc;

	if (old != NULL && oid_eq(nt, old))
		return 0;
	if (!map_add(&f->seen, nt, 0))
		return 0;	/* listed, and what it holds that is new */
	if (keepalive(f) != 0)
		return -1;
	push_obj(f, nt, PACK_TREE);
	la = level_arena(f, depth);
	if ((rc = gitstore_tree(f->db, la, nt, &t)) != 0 ||
	    (old != NULL && (rc = gitstore_tree(f->db, la, old,
	    &o)) != 0))
		return rc < 0 ? kerr_db(f->e, f->db) : kerr_set(f->e, 500,
		    "InternalError", "a tree is missing from the store");
	for (i = 0; i < t.n; i++) {
		const struct tree_entry *e = &t.e[i], *oe = NULL;
		long k;

		if (old != NULL && (k = tree_find(&o, e->name,
		    e->namelen)) >= 0) {
			oe = &o.e[k];
			if (oe->mode == e->mode && oid_eq(&oe->oid, &e->oid))
				continue;
		}
		if (e->mode == MODE_DIR) {
			if (enum_tree(f, &e->oid, oe != NULL &&
			    oe->mode == MODE_DIR ? &oe->oid : NULL,
			    depth + 1) != 0)
				return -1;
		} else if (map_add(&f->seen, &e->oid, 0)) {
			/* a blob filtered out stays seen: it is out wherever
			 * it appears (same id, same size) */
			if ((rc = keep_blob(f, la, &e->oid)) < 0)
				return -1;
			if (rc == 1)
				push_obj(f, &e->oid, PACK_BLOB);
		}
	}
	return 0;
}

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
out(struct fetch *f, const struct buf *b)
{
	*f->started = true;
	f->last_out_ms = now_ms();
	if (f->sink(f->arg, b->data, b->len) != 0)
		return kerr_set(f->e, 499, "ClientGone", "the client went "
		    "away");
	return 0;
}

/* Side-band packet on band (or, without side-band, the bare bytes). */
static int
band(void *arg, int which, const void *data, size_t len)
{
	struct fetch *f = arg;
	char h[5];

	f->last_out_ms = now_ms();
	if (!f->q->sideband)
		return which == 1 ? f->sink(f->arg, data, len) : 0;
	pkt_band_header(h, which, len);
	if (f->sink(f->arg, h, 5) != 0 || f->sink(f->arg, data, len) != 0)
		return -1;
	return 0;
}

/*
 * git's keepalive (uploadpack.keepAlive): once the header is out, an
 * empty packet of band 1 when nothing went out for keepalive_ms, pushed
 * to the client at once, so that a front end or git itself does not give
 * up on an answer that is silent while the objects are listed or a read
 * stalls. 0, or -1 with f->e when the client went away.
 */
static int
keepalive(struct fetch *f)
{
	int64_t now;

	if (!f->live)
		return 0;
	now = now_ms();
	if (now - f->last_out_ms < f->keepalive_ms)
		return 0;
	f->last_out_ms = now;
	if (f->sink(f->arg, "0005\1", 5) != 0 || f->sink(f->arg, NULL, 0) != 0)
		return kerr_set(f->e, 499, "ClientGone", "the client went "
		    "away");
	return 0;
}

/* s3_get()'s tick while a blob is read: a stalled read is kept alive. */
static int
pack_tick(void *arg)
{
	return keepalive(arg);
}

static void
tick_clear(void *p)
{
	s3_set_tick(p, NULL, NULL);
}

static void
getq_free(void *p)
{
	struct s3_getq **q = p;

	s3_getq_free(*q);
	*q = NULL;
}

static int
pack_out(void *arg, const void *data, size_t len)
{
	return band(arg, 1, data, len);
}

/* After head_out(), an error on band 3 (git shows it and stops); before,
 * nothing: the caller answers with an ERR line. */
static void
band_error(struct fetch *f)
{
	char *msg = arena_printf(f->a, "khub: %s\n", f->e->msg);

	if (f->head_sent && f->e->status != 499)
		band(f, 3, msg, strlen(msg));
}

/* With side-band: head (what precedes the pack) out and pushed to the
 * client now, and keepalives from now on. 0, or -1 with f->e. */
static int
head_out(struct fetch *f, const struct buf *head)
{
	if (out(f, head) != 0 || f->sink(f->arg, NULL, 0) != 0)
		return kerr_set(f->e, 499, "ClientGone", "the client went "
		    "away");
	f->head_sent = true;
	f->live = f->keepalive_ms > 0;
	return 0;
}

struct blob_feed {
	struct fetch	*f;
	EVP_MD_CTX	*sha;
};

static int
blob_feed(void *arg, const void *data, size_t len)
{
	struct blob_feed *bf = arg;

	if (EVP_DigestUpdate(bf->sha, data, len) != 1)
		return -1;
	return pack_object_data(bf->f->pack, data, len);
}

/* The rows of the blobs of the next window of the object list. */
struct ahead {
	struct arena	 a;		/* reset each window */
	struct oidmap	 map;		/* oid -> index in v */
	struct ahead_blob {
		struct blob_info bi;
		const void	*data;	/* NULL: not in blob_data */
		size_t		 len;
		bool		 queued;	/* in f->getq */
	}		*v;
	size_t		 n;
	size_t		 next;		/* the first object not looked at */
	size_t		*s3;		/* v's blobs to read ahead, in order */
	size_t		 ns3, s3_next;	/* s3_next: the first not queued */
};

/* Queues the window's next S3 blobs while f->getq holds under
 * AHEAD_S3_BYTES (the first one whatever its size). A blob not queued is
 * read one by one when written. */
static void
ahead_queue(struct fetch *f)
{
	struct ahead *h = f->ahead;

	while (f->getq != NULL && h->s3_next < h->ns3) {
		struct ahead_blob *b = &h->v[h->s3[h->s3_next]];

		if (f->getq_bytes > 0 && f->getq_bytes + b->bi.size >
		    AHEAD_S3_BYTES)
			break;
		if (s3_getq_add(f->getq, gitstore_s3_key(&h->a, &b->bi),
		    (size_t)b->bi.size) != S3_OK) {
			h->s3_next = h->ns3;	/* the rest one by one */
			break;
		}
		b->queued = true;
		f->getq_bytes += (size_t)b->bi.size;
		h->s3_next++;
	}
}

static void
ahead_free(void *p)
{
	arena_free(&((struct ahead *)p)->a);
}

/*
 * Reads the rows of the blobs among the next objects from index i on,
 * up to AHEAD_BLOBS of them, in one query, when i has gone past what the
 * last window covered. A blob the window lacks is read one by one, as
 * before (write_obj). 0, or -1 with f->e.
 */
static int
ahead_fill(struct fetch *f, size_t i)
{
	struct ahead *h = f->ahead;
	struct db_res *res;
	struct buf js;
	char hex[OID_HEX + 1];
	void *o, *sha, *data;
	size_t k, n = 0, olen, slen, dlen;
	uint64_t size;
	int64_t lfs, in_s3;
	int rc;

	if (i < h->next)
		return 0;
	if (f->getq_bytes != 0)		/* every queued blob was taken */
		return kerr_set(f->e, 500, "InternalError", "blobs read "
		    "ahead were not written");
	arena_reset(&h->a);
	map_init(&h->map, &h->a);
	h->v = arena_alloc(&h->a, AHEAD_BLOBS * sizeof(*h->v));
	h->n = 0;
	h->ns3 = h->s3_next = 0;
	buf_init(&js, &h->a);
	buf_addc(&js, '[');
	for (k = i; k < f->nobjs && n < AHEAD_BLOBS; k++) {
		if (f->objs[k].type != PACK_BLOB)
			continue;
		oid_hex(&f->objs[k].oid, hex);
		buf_printf(&js, "%s\"%s\"", n > 0 ? "," : "", hex);
		n++;
	}
	h->next = k;
	if (n == 0)
		return 0;
	buf_add(&js, "]", 2);	/* with its NUL: a C string */
	if (db_exec(f->db, &h->a, &res, &SQL_BLOBS_AHEAD, db_s(js.data)) != 0)
		return kerr_db(f->e, f->db);
	while (h->n < AHEAD_BLOBS && (rc = db_row(res, db_out_b(&o, &olen),
	    db_out_u(&size), db_out_b(&sha, &slen), db_out_i(&lfs),
	    db_out_i(&in_s3), db_out_b(&data, &dlen))) == 1) {
		struct ahead_blob *b = &h->v[h->n];

		if (olen != OID_LEN || slen != SHA256_LEN)
			continue;
		memcpy(b->bi.oid.b, o, OID_LEN);
		b->bi.size = size;
		memcpy(b->bi.sha256, sha, SHA256_LEN);
		b->bi.lfs = lfs != 0;
		b->bi.in_s3 = in_s3 != 0;
		b->data = data;
		b->len = dlen;
		b->queued = false;
		if (map_add(&h->map, &b->bi.oid, (uint32_t)h->n))
			h->n++;
	}
	if (rc < 0)
		return kerr_db(f->e, f->db);
	if (f->getq == NULL)
		return 0;
	/* the regular blobs in S3 in the order of writing (blobstore_get()
	 * reads the others, and those whose row says not in S3 yet) */
	h->s3 = arena_alloc(&h->a, (h->n ? h->n : 1) * sizeof(*h->s3));
	for (k = i; k < h->next; k++) {
		uint32_t *x;
		const struct ahead_blob *b;

		if (f->objs[k].type != PACK_BLOB ||
		    (x = map_get(&h->map, &f->objs[k].oid)) == NULL)
			continue;
		b = &h->v[*x];
		if (!b->bi.lfs && b->data == NULL && b->bi.in_s3 &&
		    !blobstore_is_small(false, b->bi.size) &&
		    b->bi.size <= AHEAD_S3_ONE)
			h->s3[h->ns3++] = *x;
	}
	ahead_queue(f);
	return 0;
}

/* A blob read ahead (taken from f->getq) into the pack: 0, -1 with f->e,
 * or 1 when its GET failed (the caller reads it again, one by one, and
 * says what is wrong). */
static int
read_ahead(struct fetch *f, struct ahead_blob *ab, struct blob_feed *bf)
{
	const void *data;
	size_t len;
	int rc;

	rc = s3_getq_take(f->getq, &data, &len);
	ab->queued = false;
	f->getq_bytes -= (size_t)ab->bi.size;
	ahead_queue(f);
	if (rc != S3_OK || len != ab->bi.size)
		return 1;
	if (blob_feed(bf, data, len) != 0)
		return pack_errmsg(f->pack)[0] != '\0' ? kerr_set(f->e, 499,
		    "ClientGone", "pack: %s", pack_errmsg(f->pack)) :
		    kerr_set(f->e, 500, "InternalError", "hashing a blob "
		    "failed");
	return 0;
}

/* One object of the list into the pack. */
static int
write_obj(struct fetch *f, const struct obj *ob, EVP_MD_CTX *sha)
{
	struct commit_info ci;
	struct blob_info bi;
	struct blob_feed bf = { f, sha };
	struct ahead_blob *ab;
	uint32_t *k;
	const void *raw;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char hdr[32];
	size_t len;
	uint64_t size;
	int rc, n;

	switch (ob->type) {
	case PACK_COMMIT: {
		struct buf text;

		if ((rc = gitstore_commit(f->db, f->scratch, &ob->oid,
		    &ci)) != 0)
			goto store;
		buf_init(&text, f->scratch);
		commit_write(&text, &ci);
		raw = text.data;
		len = text.len;
		break;
	}
	case PACK_TREE:
		if ((rc = gitstore_tree_raw(f->db, f->scratch, &ob->oid, &raw,
		    &len)) != 0)
			goto store;
		break;
	case PACK_TAG: {
		struct tag_info ti;

		if ((rc = gitstore_tag(f->db, f->scratch, &ob->oid, &raw,
		    &len, &ti)) != 0)
			goto store;
		break;
	}
	default:
		ab = (k = map_get(&f->ahead->map, &ob->oid)) != NULL ?
		    &f->ahead->v[*k] : NULL;
		if (ab != NULL)
			bi = ab->bi;
		else if ((rc = gitstore_blob(f->db, f->scratch, &ob->oid,
		    &bi)) != 0)
			goto store;
		size = gitstore_blob_git_size(&bi);
		n = snprintf(hdr, sizeof(hdr), "blob %llu",
		    (unsigned long long)size);
		if (EVP_DigestInit_ex(sha, EVP_sha1(), NULL) != 1 ||
		    EVP_DigestUpdate(sha, hdr, (size_t)n + 1) != 1 ||
		    pack_object_begin(f->pack, PACK_BLOB, size) != 0)
			goto pack;
		/* a small file's bytes came with its row (a length that is
		 * not the file's falls to the one-by-one read, which says
		 * what is wrong) */
		if (ab != NULL && ab->data != NULL && !bi.lfs &&
		    ab->len == bi.size)
			rc = blob_feed(&bf, ab->data, ab->len) != 0 ? kerr_set(
			    f->e, 500, "InternalError", "hashing a blob "
			    "failed") : 0;
		else if (ab != NULL && ab->queued &&
		    (rc = read_ahead(f, ab, &bf)) != 1)
			;	/* read ahead (0), or -1 with f->e */
		else
			rc = gitstore_blob_read(f->db, f->s3, f->scratch, &bi,
			    blob_feed, &bf, f->e);
		if (rc != 0 && pack_errmsg(f->pack)[0] != '\0')
			goto pack;
		if (rc != 0)
			return -1;	/* *f->e says why */
		if (EVP_DigestFinal_ex(sha, md, &mdlen) != 1 ||
		    mdlen != OID_LEN || memcmp(md, ob->oid.b, OID_LEN) != 0)
			return kerr_set(f->e, 500, "InternalError", "the "
			    "stored bytes of blob %s do not match its id",
			    oid_hex_a(f->a, &ob->oid));
		if (pack_object_end(f->pack) != 0)
			goto pack;
		return 0;
	}
	if (pack_object_begin(f->pack, (enum pack_type)ob->type, len) != 0 ||
	    pack_object_data(f->pack, raw, len) != 0 ||
	    pack_object_end(f->pack) != 0)
		goto pack;
	return 0;
store:
	return rc < 0 ? kerr_db(f->e, f->db) : kerr_set(f->e, 500,
	    "InternalError", "object %s is missing from the store",
	    oid_hex_a(f->a, &ob->oid));
pack:
	return kerr_set(f->e, 499, "ClientGone", "pack: %s",
	    pack_errmsg(f->pack));
}

static void
scratch_free(void *p)
{
	arena_free(p);
}

static void
pack_free_ptr(void *p)
{
	pack_free(*(struct pack_writer **)p);
}

static void
md_free(void *p)
{
	EVP_MD_CTX_free(p);
}

/* The tags between tag o, which tags a tag, and what the chain peels to
 * (at most GIT_TAG_DEPTH, as receive-pack takes them). */
static int
tag_chain(struct fetch *f, const struct oid *o)
{
	struct tag_info ti;
	struct oid t = *o;
	const void *raw;
	size_t len;
	int depth, rc;

	for (depth = 1; depth < GIT_TAG_DEPTH; depth++) {
		if ((rc = gitstore_tag(f->db, f->scratch, &t, &raw, &len,
		    &ti)) != 0)
			return rc < 0 ? kerr_db(f->e, f->db) : kerr_set(f->e,
			    500, "InternalError", "tag %s is missing from the "
			    "store", oid_hex_a(f->a, &t));
		if (strcmp(ti.type, "tag") != 0)
			return 0;
		t = ti.object;
		if (map_add(&f->seen, &t, 0))
			push_obj(f, &t, PACK_TAG);
	}
	return 0;
}

/*
 * Step 2: the commits to send into f->objs (a wanted blob, an annotated
 * tag and what it tags too), their shallow and unshallow lines into b
 * (git's send_shallow and send_unshallow; none without a cut).
 */
static int
plan_commits(struct fetch *f, struct buf *b)
{
	const struct upload_req *q = f->q;
	struct oid *wants = arena_alloc(f->a, q->nwants * sizeof(*wants));
	uint32_t limit = q->deepen ? q->deepen : UINT32_MAX;
	size_t i, nwants = 0;
	char hex[OID_HEX + 1];
	struct oidmap *dedup = arena_zalloc(f->a, sizeof(*dedup));
	struct buf un;

	map_init(dedup, f->a);
	for (i = 0; i < q->nwants; i++) {
		const struct oid *w = &q->wants[i];
		uint32_t *t = map_get(&f->tags, w);

		/* a blob (a partial clone's later fetch): itself, whatever
		 * the filter (git sends what a want names) */
		if (f->want_blob[i]) {
			if (map_add(&f->seen, w, 0))
				push_obj(f, w, PACK_BLOB);
			continue;
		}
		/* an annotated tag: the object itself, and what it tags (a
		 * tree or a blob here, a commit by the walk) */
		if (t != NULL) {
			const struct upload_ref *r = &f->refs->v[*t];
			int rc;

			if (map_add(&f->seen, w, 0))
				push_obj(f, w, PACK_TAG);
			if (r->chain && tag_chain(f, w) != 0)
				return -1;
			if (r->peeled_type == PACK_TREE) {
				if (enum_tree(f, &r->peeled, NULL, 0) != 0)
					return -1;
				arena_reset(f->scratch);
				continue;
			}
			if (r->peeled_type == PACK_BLOB) {
				if (map_add(&f->seen, &r->peeled, 0)) {
					if ((rc = keep_blob(f, f->scratch,
					    &r->peeled)) < 0)
						return -1;
					if (rc == 1)
						push_obj(f, &r->peeled,
						    PACK_BLOB);
				}
				continue;
			}
			w = &r->peeled;
		}
		if (map_add(dedup, w, 0))
			wants[nwants++] = *w;
	}
	if (fill_closure(f) != 0)
		return -1;
	if (q->deepen_since || q->ndeepen_not || (q->deepen &&
	    q->deepen_relative)) {
		struct cut *c = arena_zalloc(f->a, sizeof(*c));

		map_init(&c->kept, f->a);
		map_init(&c->boundary, f->a);
		arena_on_reset(f->a, cut_free, c);
		if ((q->deepen ? cut_relative(f, c) : cut_by_rev_list(f, c,
		    wants, nwants)) != 0 || walk_cut(f, c, wants, nwants,
		    b) != 0)
			return -1;
		for (i = 0; i < f->nw; i++) {
			map_add(&f->seen, &f->w[i].oid, 0);
			push_obj(f, &f->w[i].oid, PACK_COMMIT);
			f->ncommits++;
		}
		return 0;
	}
	if (walk_wants(f, wants, nwants) != 0)
		return -1;
	buf_init(&un, f->a);
	for (i = 0; i < f->nw; i++) {
		struct walked *w = &f->w[i];
		bool boundary = w->depth >= limit && w->has_parent;
		bool cs = map_get(&f->client_shallow, &w->oid) != NULL;

		w->cut = w->depth >= limit;
		if (q->deepen && boundary && !cs) {
			oid_hex(&w->oid, hex);
			pkt_printf(b, "shallow %s\n", hex);
		} else if (q->deepen && cs && !boundary && w->has_parent) {
			oid_hex(&w->oid, hex);
			pkt_printf(&un, "unshallow %s\n", hex);
		}
		if (map_get(&f->closure, &w->oid) != NULL)
			continue;
		map_add(&f->seen, &w->oid, 0);
		push_obj(f, &w->oid, PACK_COMMIT);
		f->ncommits++;
	}
	buf_add(b, un.data, un.len);	/* after the shallow lines, as git */
	return 0;
}

/* Step 3: the trees and blobs of the commits to send, by tree diffs. */
static int
list_objects(struct fetch *f)
{
	size_t i;

	for (i = 0; i < f->nw; i++) {
		struct walked *w = &f->w[i];
		const struct oid *base = NULL;
		struct commit_info pc;
		uint32_t *pi;
		int rc;

		if (map_get(&f->closure, &w->oid) != NULL)
			continue;
		if (w->has_parent && !w->cut) {
			if ((pi = map_get(&f->walk, &w->parent)) != NULL)
				base = &f->w[*pi].tree;
			else if (map_get(&f->closure, &w->parent) != NULL) {
				if ((rc = gitstore_commit(f->db, f->scratch,
				    &w->parent, &pc)) != 0)
					return rc < 0 ? kerr_db(f->e, f->db) :
					    kerr_set(f->e, 500,
					    "InternalError", "a commit is "
					    "missing from the store");
				base = arena_memdup(f->scratch, &pc.tree,
				    sizeof(pc.tree));
			}
		}
		if (enum_tree(f, &w->tree, base, 0) != 0)
			return -1;
		arena_reset(f->scratch);
	}
	if (f->nobjs > UINT32_MAX)
		return kerr_set(f->e, 413, "PayloadTooLarge", "too many "
		    "objects for one pack");
	return 0;
}

/*
 * Step 3 and the answer: head (what precedes the pack: acknowledgments,
 * shallow lines, the packfile section's header), the objects listed, the
 * pack. With side-band, head goes out before the listing, and keepalives
 * while it lasts and while the pack is written; an error after head goes
 * out on band 3.
 */
static int
send_pack(struct fetch *f, struct buf *head)
{
	const struct upload_req *q = f->q;
	EVP_MD_CTX *sha;
	struct buf b;
	size_t i;

	if (q->sideband && !f->head_sent && head_out(f, head) != 0)
		return -1;
	if (list_objects(f) != 0) {
		band_error(f);
		return -1;
	}
	if (!q->sideband && out(f, head) != 0)
		return -1;
	if (q->sideband && !q->no_progress) {
		char *msg = arena_printf(f->a, "khub: %zu objects (%u "
		    "commits)\n", f->nobjs, f->ncommits);

		band(f, 2, msg, strlen(msg));
	}
	f->pack = pack_new(pack_out, f, 1);
	arena_on_reset(f->a, pack_free_ptr, arena_memdup(f->a, &f->pack,
	    sizeof(f->pack)));
	if ((sha = EVP_MD_CTX_new()) == NULL)
		oom();
	arena_on_reset(f->a, md_free, sha);
	if (pack_begin(f->pack, (uint32_t)f->nobjs) != 0)
		return kerr_set(f->e, 499, "ClientGone", "the client went "
		    "away");
	f->ahead = arena_zalloc(f->a, sizeof(*f->ahead));
	arena_init(&f->ahead->a, 65536);
	arena_on_reset(f->a, ahead_free, f->ahead);
	map_init(&f->ahead->map, &f->ahead->a);
	if (f->live && f->s3 != NULL) {
		s3_set_tick(f->s3, pack_tick, f);
		arena_on_reset(f->a, tick_clear, f->s3);
	}
	if (f->s3 != NULL && (f->getq = s3_getq_new(f->s3)) != NULL)
		arena_on_reset(f->a, getq_free, &f->getq);
	for (i = 0; i < f->nobjs; i++) {
		if (keepalive(f) != 0 || ahead_fill(f, i) != 0 ||
		    write_obj(f, &f->objs[i], sha) != 0) {
			band_error(f);
			return -1;
		}
		arena_reset(f->scratch);
	}
	if (f->live && f->s3 != NULL)
		s3_set_tick(f->s3, NULL, NULL);
	getq_free(&f->getq);
	if (pack_end(f->pack) != 0)
		return kerr_set(f->e, 499, "ClientGone", "the client went "
		    "away");
	if (q->sideband) {
		buf_init(&b, f->a);
		pkt_flush(&b);
		return out(f, &b);
	}
	return 0;
}

/*
 * Step 1 for the wants: each a ref's target, a commit of this repository
 * or a blob its commits reference (f->want_blob), checked in batches (the
 * checkout after a blob:none clone wants every blob it lacks at once).
 * 0, or -1 with f->e (400 "not our ref" for the first that is none).
 */
static int
check_wants(struct fetch *f)
{
	const struct upload_req *q = f->q;
	struct oidmap *commits = arena_zalloc(f->a, sizeof(*commits));
	struct oidmap *blobs = arena_zalloc(f->a, sizeof(*blobs));
	struct oid *rest = arena_alloc(f->a, q->nwants * sizeof(*rest));
	size_t i, nrest = 0, nblob = 0;
	char hex[OID_HEX + 1];

	map_init(commits, f->a);
	map_init(blobs, f->a);
	f->want_blob = arena_zalloc(f->a, q->nwants * sizeof(*f->want_blob));
	for (i = 0; i < q->nwants; i++)
		if (map_get(&f->tips, &q->wants[i]) == NULL)
			rest[nrest++] = q->wants[i];
	if (nrest > 0 && in_repo_batch(f, &SQL_COMMITS_IN, rest, nrest,
	    commits) != 0)
		return -1;
	for (i = 0; i < nrest; i++)
		if (map_get(commits, &rest[i]) == NULL)
			rest[nblob++] = rest[i];
	if (nblob > 0 && in_repo_batch(f, &SQL_BLOBS_IN, rest, nblob,
	    blobs) != 0)
		return -1;
	for (i = 0; i < q->nwants; i++) {
		const struct oid *w = &q->wants[i];

		if (map_get(&f->tips, w) != NULL || map_get(commits, w) != NULL)
			continue;
		if (map_get(blobs, w) == NULL) {
			oid_hex(w, hex);
			return kerr_set(f->e, 400, "BadRequest",
			    "upload-pack: not our ref %s", hex);
		}
		f->want_blob[i] = true;
	}
	return 0;
}

int
upload_fetch(struct db *db, struct s3 *s3, struct arena *a, int64_t repo_id,
    const struct upload_refs *refs, const struct upload_req *q,
    unsigned keepalive_ms, upload_sink sink, void *arg, bool *started,
    struct kerr *e)
{
	struct fetch *f = arena_zalloc(a, sizeof(*f));
	struct arena *scratch = arena_zalloc(a, sizeof(*scratch));
	struct oidmap *have_seen = arena_zalloc(a, sizeof(*have_seen));
	struct oidmap *have_ours = arena_zalloc(a, sizeof(*have_ours));
	struct buf head, lines;
	char hex[OID_HEX + 1];
	bool planned = false, shallow_info;
	size_t i;

	*started = false;
	arena_init(scratch, 65536);
	arena_on_reset(a, scratch_free, scratch);
	f->db = db;
	f->s3 = s3;
	f->a = a;
	f->scratch = scratch;
	f->repo_id = repo_id;
	f->q = q;
	f->e = e;
	f->sink = sink;
	f->arg = arg;
	f->started = started;
	f->keepalive_ms = keepalive_ms;
	arena_on_reset(a, free_ptr, &f->objs);
	arena_on_reset(a, free_ptr, &f->w);
	map_init(&f->tips, a);
	map_init(&f->client_shallow, a);
	map_init(&f->closure, a);
	map_init(&f->walk, a);
	map_init(&f->seen, a);
	map_init(have_seen, a);
	map_init(have_ours, a);
	map_init(&f->tags, a);
	f->refs = refs;
	for (i = 0; i < refs->n; i++) {
		map_add(&f->tips, &refs->v[i].oid, 0);
		if (refs->v[i].annotated)
			map_add(&f->tags, &refs->v[i].oid, (uint32_t)i);
	}
	for (i = 0; i < q->nshallows; i++)
		map_add(&f->client_shallow, &q->shallows[i], 0);
	/* step 1: every want ours; the haves that are ours are common */
	if (check_wants(f) != 0)
		return -1;
	/* the haves that are this repository's commits, in their order (a
	 * negotiation round is up to 256 of them: one query a thousand) */
	f->common = arena_alloc(a, (q->nhaves ? q->nhaves : 1) *
	    sizeof(*f->common));
	if (q->nhaves > 0 && in_repo_batch(f, &SQL_COMMITS_IN, q->haves,
	    q->nhaves, have_ours) != 0)
		return -1;
	for (i = 0; i < q->nhaves; i++) {
		if (!map_add(have_seen, &q->haves[i], 0))
			continue;
		if ((map_get(have_ours, &q->haves[i]) != NULL ||
		    map_get(&f->tips, &q->haves[i]) != NULL) &&
		    map_get(&f->tags, &q->haves[i]) == NULL)
			f->common[f->ncommon++] = q->haves[i];
	}
	/* v0's shallow list comes first in every answer to a deepening
	 * request (gitprotocol-pack; stateless, the first request has only
	 * the wants, and its answer is this list) */
	buf_init(&head, a);
	buf_init(&lines, a);
	if (q->version == 0 && (q->deepen || q->deepen_since ||
	    q->ndeepen_not)) {
		if (plan_commits(f, &lines) != 0)
			return -1;
		planned = true;
		buf_add(&head, lines.data, lines.len);
		pkt_flush(&head);
		if (q->wants_only)
			return out(f, &head);
	}
	/* the negotiation's answer */
	if (q->version == 2 && !q->done) {
		pkt_printf(&head, "acknowledgments\n");
		if (f->ncommon == 0) {
			pkt_printf(&head, "NAK\n");
			pkt_flush(&head);
			return out(f, &head);
		}
		for (i = 0; i < f->ncommon; i++) {
			oid_hex(&f->common[i], hex);
			pkt_printf(&head, "ACK %s\n", hex);
		}
		/* the common commits suffice: the pack comes now */
		pkt_printf(&head, "ready\n");
		pkt_delim(&head);
	} else if (q->version == 0 && !q->done) {
		/* multi_ack_detailed, stateless: this round's commons, and
		 * ready (the client then sends done) */
		for (i = 0; i < f->ncommon; i++) {
			oid_hex(&f->common[i], hex);
			pkt_printf(&head, "ACK %s common\n", hex);
		}
		if (f->ncommon > 0)
			pkt_printf(&head, "ACK %s ready\n", hex);
		pkt_printf(&head, "NAK\n");
		return out(f, &head);
	} else if (q->version == 0) {
		if (f->ncommon > 0) {
			oid_hex(&f->common[f->ncommon - 1], hex);
			pkt_printf(&head, "ACK %s\n", hex);
		} else
			pkt_printf(&head, "NAK\n");
	}
	/* step 2, and v2's sections before the pack; with side-band, what
	 * precedes the pack goes out before the walk when it does not
	 * depend on it (all but v2's shallow-info) */
	shallow_info = q->version == 2 && (q->deepen || q->nshallows ||
	    q->deepen_since || q->ndeepen_not);
	if (q->version == 2 && !shallow_info)
		pkt_printf(&head, "packfile\n");
	if (q->sideband && !shallow_info && head_out(f, &head) != 0)
		return -1;
	if (!planned && plan_commits(f, &lines) != 0) {
		band_error(f);
		return -1;
	}
	if (shallow_info) {
		pkt_printf(&head, "shallow-info\n");
		buf_add(&head, lines.data, lines.len);
		pkt_delim(&head);
		pkt_printf(&head, "packfile\n");
	}
	return send_pack(f, &head);
}
