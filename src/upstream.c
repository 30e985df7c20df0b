/*
 * upstream.c: GETs to an upstream hub over libcurl, one easy handle per
 * call (a mirror calls upstream only on what it does not have yet, so
 * connection reuse is not worth the state).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "upstream.h"

#define CONNECT_TIMEOUT	5L		/* seconds, bounded by the call's */
#define HEADER_MAX	8192		/* one header line kept up to this */
#define HOPS_MAX	3		/* redirects a download follows */

struct call {
	struct arena	*a;
	struct up_resp	*out;
	struct buf	 body;
	size_t		 cap;
	bool		 toobig;
	s3_sink		 sink;		/* downloads: bytes go here */
	void		*sink_arg;
	uint64_t	 got, want;
	bool		 sink_stopped;
};

/* "<url>; rel=\"next\"" out of a Link header value, or NULL. */
static char *
link_next(struct arena *a, const char *v, size_t n)
{
	const char *p = v, *end = v + n;

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p)), *gt, *comma;

		if (lt == NULL || (gt = memchr(lt, '>', (size_t)(end - lt))) ==
		    NULL)
			return NULL;
		comma = memchr(gt, ',', (size_t)(end - gt));
		if (comma == NULL)
			comma = end;
		if (memmem(gt, (size_t)(comma - gt), "rel=\"next\"", 10) !=
		    NULL)
			return arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
		p = comma + 1;
	}
	return NULL;
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	size_t len = size * n, klen, vlen;
	const char *colon, *v;

	if (len > HEADER_MAX)
		return len;
	if (len >= 12 && !strncmp(data, "HTTP/", 5)) {
		/* a new answer (after a 100 Continue): forget the last one */
		const char *sp = memchr(data, ' ', len);

		c->out->next = c->out->location = c->out->error_code = NULL;
		c->out->status = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if ((colon = memchr(data, ':', len)) == NULL)
		return len;
	klen = (size_t)(colon - data);
	v = colon + 1;
	vlen = len - klen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' '))
		vlen--;
	if (klen == 4 && !strncasecmp(data, "Link", 4))
		c->out->next = link_next(c->a, v, vlen);
	else if (klen == 8 && !strncasecmp(data, "Location", 8))
		c->out->location = arena_strndup(c->a, v, vlen);
	else if (klen == 12 && !strncasecmp(data, "X-Error-Code", 12))
		c->out->error_code = arena_strndup(c->a, v, vlen);
	return len;
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	size_t len = size * n;

	/* only a 200's body is the file; others are error pages */
	if (c->sink != NULL && c->out->status == 200) {
		if (c->got + len > c->want) {
			c->toobig = true;
			return 0;
		}
		c->got += len;
		if (c->sink(c->sink_arg, data, len) != 0) {
			c->sink_stopped = true;
			return 0;
		}
		return len;
	}
	if (c->body.len + len > c->cap) {
		c->toobig = true;
		return 0;
	}
	buf_add(&c->body, data, len);
	return len;
}

static CURL *
handle(struct call *c, const char *url, struct curl_slist *hdrs,
    unsigned timeout, bool download, char *curlerr)
{
	CURL *h = curl_easy_init();

	if (h == NULL)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)timeout <
	    CONNECT_TIMEOUT ? (long)timeout : CONNECT_TIMEOUT);
	if (download) {
		/* a large file takes as long as it takes, if it moves */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)timeout);
	} else
		curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	return h;
}

/* One GET; the status is known before the body (curl calls headers
 * first), so on_body can tell a 200 from an error page. */
static int
perform(struct call *c, const char *url, const char *token, unsigned timeout,
    bool download, char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL;
	char curlerr[CURL_ERROR_SIZE] = "", *auth = NULL;
	CURLcode cc;
	CURL *h;
	int rc = UP_OK;

	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (token != NULL) {
		auth = arena_printf(c->a, "Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if ((h = handle(c, url, hdrs, timeout, download, curlerr)) == NULL) {
		curl_slist_free_all(hdrs);
		snprintf(err, errlen, "cannot make a libcurl handle");
		return UP_DOWN;
	}
	c->out->status = 0;
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->out->status);
	if (cc != CURLE_OK) {
		if (c->toobig)
			rc = download ? UP_BADBYTES : UP_TOOBIG;
		else if (c->sink_stopped)
			rc = UP_BADBYTES;
		else
			rc = cc == CURLE_OPERATION_TIMEDOUT ? UP_TIMEOUT :
			    UP_DOWN;
		snprintf(err, errlen, "GET %s: %s", url, c->toobig ?
		    "the answer is larger than allowed" : c->sink_stopped ?
		    "the bytes were refused" : *curlerr ? curlerr :
		    curl_easy_strerror(cc));
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	return rc;
}

int
upstream_get(struct arena *a, const char *url, const char *token,
    unsigned timeout, size_t cap, struct up_resp *out, char *err,
    size_t errlen)
{
	struct call c;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.out = out;
	c.cap = cap;
	buf_init(&c.body, a);
	rc = perform(&c, url, token, timeout, false, err, errlen);
	buf_addc(&c.body, '\0');
	out->body = c.body.data;
	out->len = c.body.len - 1;
	return rc;
}

char *
upstream_location(struct arena *a, const char *url, const char *loc)
{
	const char *host, *path;

	if (!strncmp(loc, "http://", 7) || !strncmp(loc, "https://", 8))
		return arena_strdup(a, loc);
	if (loc[0] != '/' || loc[1] == '/')
		return NULL;	/* relative to the path, or another host */
	if ((host = strstr(url, "://")) == NULL)
		return NULL;
	host += 3;
	path = host + strcspn(host, "/?#");
	return arena_printf(a, "%.*s%s", (int)(path - url), url, loc);
}

int
upstream_download(struct arena *a, const char *url, const char *token,
    unsigned timeout, uint64_t size, s3_sink sink, void *arg, long *status,
    char *err, size_t errlen)
{
	struct up_resp out;
	struct call c;
	int hop, rc;

	*status = 0;
	for (hop = 0; hop <= HOPS_MAX; hop++) {
		memset(&out, 0, sizeof(out));
		memset(&c, 0, sizeof(c));
		c.a = a;
		c.out = &out;
		c.cap = 65536;		/* error pages, kept for nothing */
		c.sink = sink;
		c.sink_arg = arg;
		c.want = size;
		buf_init(&c.body, a);
		rc = perform(&c, url, hop == 0 ? token : NULL, timeout, true,
		    err, errlen);
		*status = out.status;
		if (rc != UP_OK)
			return rc;
		if (out.status >= 300 && out.status < 400 &&
		    out.location != NULL) {
			const char *next = upstream_location(a, url,
			    out.location);

			if (next == NULL) {
				snprintf(err, errlen, "GET %s: redirect to an "
				    "odd URL", url);
				return UP_DOWN;
			}
			url = next;
			continue;
		}
		if (out.status != 200)
			return UP_OK;	/* the caller reads *status */
		if (c.got != size) {
			snprintf(err, errlen, "GET %s: %llu bytes, not the "
			    "%llu upstream listed", url, (unsigned long long)
			    c.got, (unsigned long long)size);
			return UP_BADBYTES;
		}
		return UP_OK;
	}
	snprintf(err, errlen, "GET %s: more than %d redirects", url, HOPS_MAX);
	return UP_DOWN;
}
