/*
 * upstream.h: HTTP calls to an upstream hub (mirror.h), with libcurl.
 *
 * Everything upstream sends is untrusted: answers are capped in size and
 * time, redirects are never followed with the token (a download's bytes
 * come from wherever upstream redirects, without credentials), and the
 * caller parses bodies with mirror_json.h.
 */
#ifndef KHUB_UPSTREAM_H
#define KHUB_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "s3.h"

/* Outcomes besides an HTTP answer. */
enum up_rc {
	UP_OK = 0,		/* an answer came (any status) */
	UP_DOWN = -1,		/* no connection, reset, bad answer */
	UP_TIMEOUT = -2,	/* no complete answer in time */
	UP_TOOBIG = -3,		/* the body went past its cap */
	UP_BADBYTES = -4	/* a download's bytes were refused (size) */
};

struct up_resp {
	long		 status;
	char		*body;		/* NUL-terminated, in the arena */
	size_t		 len;
	char		*next;		/* Link rel="next" target, or NULL */
	char		*location;	/* Location, or NULL */
	char		*error_code;	/* X-Error-Code, or NULL */
};

/*
 * GET url (token, if not NULL, as a Bearer token), the body kept up to cap
 * bytes, the whole call within timeout seconds; no redirect followed.
 * Returns UP_OK with *out filled, or a negative enum up_rc with a line
 * for the log in err.
 */
int	 upstream_get(struct arena *, const char *url, const char *token,
	    unsigned timeout, size_t cap, struct up_resp *out, char *err,
	    size_t errlen);
/*
 * The absolute URL a Location of an answer to url names: itself when it
 * is absolute (http/https), the same origin for a path ("/..."), as the
 * Hub's relative redirects are; NULL for anything else.
 */
char	*upstream_location(struct arena *, const char *url,
	    const char *location);
/*
 * Downloads a file from url: upstream answers its bytes or redirects
 * (up to 3 hops, followed without the token, http(s) only). The body goes
 * to sink as it arrives and must be exactly size bytes (UP_BADBYTES
 * otherwise); a transfer slower than 1 byte/s for timeout seconds is
 * UP_TIMEOUT. *status is the last answer's status (0 for none): only 200
 * with the right length is UP_OK.
 */
int	 upstream_download(struct arena *, const char *url, const char *token,
	    unsigned timeout, uint64_t size, s3_sink sink, void *arg,
	    long *status, char *err, size_t errlen);

#endif
