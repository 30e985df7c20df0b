/*
 * sigv4.h: AWS Signature Version 4 (AWS4-HMAC-SHA256), on libsodium.
 *
 * The generic core (canonical request, string to sign, signing key,
 * signature) follows the AWS test suite; sigv4_sign_header() and
 * sigv4_sign_query() put it together for an Authorization header or a
 * presigned URL. Every string returned lives in the arena passed in.
 */
#ifndef KHUB_SIGV4_H
#define KHUB_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "arena.h"

#define SIGV4_UNSIGNED_PAYLOAD	"UNSIGNED-PAYLOAD"
/* SHA-256 of the empty string: the payload hash of a request with no body. */
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* A header or a query parameter, not percent-encoded. */
struct sigv4_kv {
	const char	*key;
	const char	*value;
};

/* The request to sign. */
struct sigv4_req {
	const char		*method;	/* "GET" */
	const char		*path;		/* raw bytes, starts with '/' */
	bool			 normalize;	/* drop "." ".." "//" (not S3) */
	const struct sigv4_kv	*query;		/* decoded parameters */
	size_t			 nquery;
	const struct sigv4_kv	*headers;	/* Host included, any case */
	size_t			 nheaders;
	const char		*payload_hash;	/* hex, UNSIGNED-PAYLOAD; NULL:
						   no body */
	/* sigv4_canonical_query() of query, when the caller has it (a
	 * presigned URL needs it twice); NULL: computed */
	const char		*canonical_query;
};

/*
 * Credentials and scope. The strings are borrowed and must outlive the
 * struct. key_scope/key cache the derived signing key of the last
 * (date, region, service): presigning is on every download's path.
 */
struct sigv4 {
	const char	*access_key;
	const char	*secret_key;
	const char	*session_token;	/* temporary credentials, or NULL */
	const char	*region;
	const char	*service;
	char		 key_scope[128];	/* "" when the cache is empty */
	unsigned char	 key[32];
};

/* What a signing produced; the strings are in the arena. */
struct sigv4_result {
	char	 amz_date[17];		/* 20150830T123600Z */
	char	 signature[65];		/* lower-case hex */
	char	*canonical_request;
	char	*signed_headers;	/* "host;x-amz-date" */
	char	*string_to_sign;
	char	*authorization;		/* header signing: the header value */
	char	*query;			/* query signing: the URL's whole query
					   string, X-Amz-Signature last */
};

/*
 * Sets up a signer (session_token NULL). Returns 0, or -1 if libsodium
 * cannot initialize.
 */
int	 sigv4_init(struct sigv4 *, const char *access_key,
	    const char *secret_key, const char *region, const char *service);

/* t as the ISO 8601 basic form SigV4 uses: 20150830T123600Z. */
void	 sigv4_amz_date(char out[17], time_t t);
/* Lower-case hex SHA-256 of p[0..n). */
void	 sigv4_sha256_hex(char out[65], const void *p, size_t n);
/*
 * Appends s[0..n) percent-encoded the SigV4 way: A-Z a-z 0-9 - . _ ~ kept,
 * '/' kept when keep_slash, every other byte as %XX (upper-case hex), once.
 */
void	 sigv4_encode(struct buf *, const char *s, size_t n, bool keep_slash);

/*
 * The canonical URI of a raw path: with normalize, "." and ".." segments
 * and empty segments are removed first (the rule of every service but S3);
 * then each byte is encoded by sigv4_encode(), '/' kept.
 */
char	*sigv4_canonical_uri(struct arena *, const char *path, bool normalize);
/*
 * The canonical query string: keys and values encoded, sorted by encoded
 * key then encoded value, joined as k=v&k=v (an empty value gives "k=").
 */
char	*sigv4_canonical_query(struct arena *, const struct sigv4_kv *,
	    size_t);
/*
 * The canonical headers block (one "name:value\n" per name: names lower-
 * cased and sorted, values trimmed with inner runs of blanks and line
 * breaks collapsed to one space, repeated names joined with ',') and, in
 * *signed_headers, the names joined with ';'.
 */
char	*sigv4_canonical_headers(struct arena *, const struct sigv4_kv *,
	    size_t, char **signed_headers);
/* The whole canonical request; *signed_headers as above. */
char	*sigv4_canonical_request(struct arena *, const struct sigv4_req *,
	    char **signed_headers);
/* "date/region/service/aws4_request" for the date of amz_date. */
char	*sigv4_scope(struct sigv4 *, struct arena *, const char *amz_date);
char	*sigv4_string_to_sign(struct arena *, const char *amz_date,
	    const char *scope, const char *canonical_request);
/*
 * The 32-byte signing key for date (YYYYMMDD) and the signer's region and
 * service, derived once and then served from the cache. Never fails.
 */
const unsigned char *sigv4_signing_key(struct sigv4 *, const char *date);
/* Hex HMAC of string_to_sign under the signing key of amz_date's date. */
void	 sigv4_signature(struct sigv4 *, const char *amz_date,
	    const char *string_to_sign, char out[65]);

/*
 * Signs req for an Authorization header at time now. The signed headers are
 * req's plus x-amz-date, x-amz-content-sha256 (when content_sha256: S3
 * requires it) and x-amz-security-token (with a session token); the caller
 * sends those too, with res->amz_date, req->payload_hash (the empty hash
 * when NULL) and the token. req must not carry them itself.
 */
void	 sigv4_sign_header(struct sigv4 *, struct arena *,
	    const struct sigv4_req *req, time_t now, bool content_sha256,
	    struct sigv4_result *res);
/*
 * Presigns req: adds the X-Amz-* parameters (expires in seconds, 1 to
 * 604800 for S3) to its query and signs req's headers (for a URL handed to
 * someone else: Host alone). res->query is the query string for the URL.
 */
void	 sigv4_sign_query(struct sigv4 *, struct arena *,
	    const struct sigv4_req *req, time_t now, unsigned expires,
	    struct sigv4_result *res);

#endif
