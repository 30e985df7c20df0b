/*
 * s3.h: the server's own S3 client.
 *
 * One libcurl easy handle per process, reused for every call so that the
 * connection stays open (keep-alive); requests signed by sigv4.c. Object
 * keys are raw bytes (any bytes of a file path) and are encoded here.
 *
 * Calls return S3_OK or one of the negative S3_* codes below; the message
 * of the last failure is kept for s3_errmsg(). A call's temporaries live
 * in an arena inside struct s3, reset at the start of the next call.
 */
#ifndef KHUB_S3_H
#define KHUB_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "conf.h"

struct s3;

#define S3_OK		  0
#define S3_NOTFOUND	(-1)	/* 404: no such key, bucket or upload */
#define S3_UNAVAILABLE	(-2)	/* unreachable, timed out, 5xx: answer 503 */
#define S3_ERROR	(-3)	/* anything else: refused, unreadable answer */

/*
 * Clients upload only under this prefix, with URLs signed by the upload
 * keys ([s3] upload_access_key): S3 honours unsigned x-amz-copy-source and
 * x-amz-acl on a presigned PUT (RGW does), so those keys must be able to
 * do nothing else (contrib/s3/), and no upload URL names another key.
 */
#define S3_UPLOAD_PREFIX	"lfs-staging/"

/* An object's metadata, from HEAD. */
struct s3_stat {
	uint64_t	 size;
	char		 etag[128];	/* without the quotes: the hex MD5 of
					   a plain PUT, "hex-N" for multipart */
	time_t		 modified;	/* Last-Modified, UTC; 0 if none */
};

/* One uploaded part, for s3_multipart_complete(). */
struct s3_part {
	unsigned	 number;	/* 1 to 10000 */
	const char	*etag;		/* as its PUT answered; quotes optional */
};

/*
 * Receives an object's bytes in order, chunk by chunk; returns 0 to go
 * on, anything else to stop the transfer (s3_get() then fails).
 */
typedef int (*s3_sink)(void *arg, const void *data, size_t len);

/*
 * Called about once a second while an s3_get() is under way, whether or
 * not bytes arrive (a caller streaming to its own client keeps that
 * connection alive through a stalled read); 0 to go on, anything else
 * stops the transfer as a sink's stop does.
 */
typedef int (*s3_tick)(void *arg);

/*
 * A client for conf's [s3] section; conf must outlive it. Opens no
 * connection yet. Returns NULL only when libcurl cannot start (out of
 * memory); a bad endpoint shows in every call's error instead.
 */
struct s3	*s3_new(const struct conf *);
void		 s3_free(struct s3 *);
/* The message of the last failed call (or "" ). */
const char	*s3_errmsg(const struct s3 *);

/*
 * HEAD of the bucket, for /api/health, given 2 s (a probe must answer
 * while a gateway hangs). On failure also writes into err a
 * line telling "unreachable" (S3_UNAVAILABLE) from "reachable but refused"
 * (S3_ERROR: bad keys, wrong region) and "no such bucket" (S3_NOTFOUND).
 */
int	 s3_check(struct s3 *, char *err, size_t errlen);
/* HEAD of an object: S3_NOTFOUND when it does not exist. */
int	 s3_head(struct s3 *, const char *key, struct s3_stat *out);
/* PUT of data[0..len), its SHA-256 signed (S3 checks it on arrival). */
int	 s3_put(struct s3 *, const char *key, const void *data, size_t len);
/* An object for s3_put_many(). */
struct s3_obj {
	const char	*key;
	const void	*data;
	size_t		 len;
};
/*
 * PUTs n objects as s3_put() does, up to 16 at a time over their own
 * kept-alive connections (a commit of many small files is bound by round
 * trips, not bytes). S3_OK when every one is stored; else the code and
 * message of the first failure (no new PUT starts after it; some objects
 * may be stored: harmless, as an object is named by its content).
 */
int	 s3_put_many(struct s3 *, const struct s3_obj *objs, size_t n);
/* DELETE; deleting a missing key succeeds, as in S3. */
int	 s3_delete(struct s3 *, const char *key);
/* CopyObject inside the bucket (S3 copies up to 5 GiB this way). */
int	 s3_copy(struct s3 *, const char *src_key, const char *dst_key);
/*
 * GET of an object, its bytes handed to sink as they arrive (to hash a
 * large object without holding it). S3_NOTFOUND when missing.
 */
int	 s3_get(struct s3 *, const char *key, s3_sink sink, void *arg);
/* The tick of the s3_get() calls (and s3_getq_take()'s waits) from now
 * on; NULL: none. The caller clears it before arg goes away. */
void	 s3_set_tick(struct s3 *, s3_tick tick, void *arg);

/*
 * GETs ahead, for a reader that takes objects in the order it asked for
 * them (a git pack's blobs): several transfers at once over
 * s3_put_many()'s handles, each object's bytes held whole from its GET
 * until it is taken. The caller bounds what is queued (the sizes are
 * its own, known before: a body of another length is an error). One
 * queue at a time per client, and no s3_put_many() while it lives.
 * s3_getq_new() returns NULL when none can be made (out of memory, a bad
 * endpoint): the caller reads one by one.
 */
struct s3_getq;
struct s3_getq	*s3_getq_new(struct s3 *);
/* Queues the GET of key, of size bytes. S3_OK or S3_ERROR (memory). */
int	 s3_getq_add(struct s3_getq *, const char *key, size_t size);
/* Waits for the oldest object not taken and takes it: S3_OK with its
 * bytes in *data (valid until the next take or the free), or the GET's
 * S3_* code (s3_errmsg() says why); taken either way, except when the
 * tick stopped the wait. S3_ERROR when nothing is queued. */
int	 s3_getq_take(struct s3_getq *, const void **data, size_t *len);
void	 s3_getq_free(struct s3_getq *);

/* Starts a multipart upload; *upload_id is put in the arena. */
int	 s3_multipart_create(struct s3 *, struct arena *, const char *key,
	    char **upload_id);
/*
 * Completes an upload from its parts, in ascending part number order. S3
 * may answer 200 with an error inside; that is a failure here.
 */
int	 s3_multipart_complete(struct s3 *, const char *key,
	    const char *upload_id, const struct s3_part *parts, size_t nparts);
/* Aborts an upload and frees its parts: S3_NOTFOUND for no such upload. */
int	 s3_multipart_abort(struct s3 *, const char *key, const char *upload_id);

/* One object of a listing. */
struct s3_entry {
	const char	*key;
	uint64_t	 size;
	time_t		 modified;	/* LastModified, UTC */
};

/*
 * One page (up to 1,000 objects) of the keys under prefix, in key order
 * (ListObjectsV2), from token (NULL: the first page). The entries and
 * *next (the next page's token, NULL after the last) are put in the
 * arena, so that other calls may run between pages.
 */
int	 s3_list_page(struct s3 *, struct arena *, const char *prefix,
	    const char *token, struct s3_entry **out, size_t *nout,
	    char **next);
/*
 * Parses a ListObjectsV2 answer (any bytes up to a NUL) into the arena:
 * every <Contents> with a non-empty Key, a decimal Size and an ISO 8601
 * LastModified; *next is NextContinuationToken when IsTruncated is true,
 * else NULL. Returns 0, or -1 when an entry lacks one of them or the
 * answer is truncated without a token.
 */
int	 s3_list_parse(struct arena *, const char *xml, struct s3_entry **out,
	    size_t *nout, char **next);

/* "scheme://host[:port]" of the presigned URLs (the bucket in the host
 * when virtual-hosted), for a page's Content-Security-Policy; in a. */
char	*s3_public_origin(const struct s3 *, struct arena *);
/*
 * A presigned read URL on the public endpoint, valid lifetime seconds
 * (kept to 1..604800, as S3 requires) from now: method "GET" or "HEAD"
 * (anything else is refused: the main keys read and write everything).
 * extra_query is NULL or already percent-encoded "k=v&k=v" (such as
 * response-content-disposition=...; '+' is a plus, not a space); it is
 * signed with the rest. Only Host is signed, so a client may send the
 * request with no other header. The URL is put in the arena; NULL when
 * the configuration has no usable endpoint or bucket, or the method is
 * not a read (s3_errmsg()).
 */
char	*s3_presign_url(struct s3 *, struct arena *, const char *method,
	    const char *key, const char *extra_query, unsigned lifetime,
	    time_t now);
/*
 * A presigned PUT of exactly size bytes to key, signed with the upload
 * keys; Host and Content-Length are signed (clients send both, nothing
 * else). NULL, as s3_presign_url(), also when key is not under
 * S3_UPLOAD_PREFIX.
 */
char	*s3_presign_upload(struct s3 *, struct arena *, const char *key,
	    uint64_t size, unsigned lifetime, time_t now);
/* A presigned UploadPart URL of size bytes (PUT, partNumber and uploadId
 * signed), as s3_presign_upload(). */
char	*s3_presign_part(struct s3 *, struct arena *, const char *key,
	    const char *upload_id, unsigned part_number, uint64_t size,
	    unsigned lifetime, time_t now);
/* Whether upload URLs are signed with their own keys ([s3]
 * upload_access_key); if not, with the main ones, which also read. */
bool	 s3_upload_keys_own(const struct s3 *);

/*
 * The text of the first <tag>...</tag> of an S3 answer (any bytes up to a
 * NUL; xml may be NULL), its five predefined entities decoded, put in the
 * arena; NULL when there is no such element.
 */
char	*s3_xml_text(struct arena *, const char *xml, const char *tag);

#endif
