/*
 * fakereq.h: a FastCGI request in memory for unit tests: CGI variables from
 * a list, the body from a string, the answer captured in a buffer.
 */
#ifndef KHUB_FAKEREQ_H
#define KHUB_FAKEREQ_H

#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "hub.h"
#include "request.h"

struct fake {
	FCGX_Request	 fr;
	FCGX_Stream	 in, out;
	char		*env[32];
	unsigned char	 outbuf[65536];
	struct arena	 a;
	struct hub	 hub;
	struct req	 r;
};

/* The [server] base_url of the next fake_begin(). */
static const char *fake_base_url;
/* The [server] trust_forwarded of the next fake_begin(). */
static bool fake_trust_forwarded;

static void
fake_full(FCGX_Stream *s, int doclose)
{
	(void)doclose;
	/* The buffer is large enough for every test answer. */
	if (s->wrNext == s->stop)
		abort();
}

static void
fake_empty_in(FCGX_Stream *s)
{
	s->isClosed = 1;	/* end of body */
}

/* Sets up f for a request: vars are "NAME=value" strings, NULL-ended. */
static inline int
fake_begin(struct fake *f, const char *const *vars, const char *body)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; vars[i] != NULL && i < 31; i++)
		f->env[i] = (char *)vars[i];
	f->env[i] = NULL;
	f->out.wrNext = f->outbuf;
	f->out.stop = f->outbuf + sizeof(f->outbuf) - 1;
	f->out.emptyBuffProc = fake_full;
	f->in.isReader = 1;
	f->in.rdNext = (unsigned char *)(body ? body : "");
	f->in.stop = f->in.rdNext + (body ? strlen(body) : 0);
	f->in.stopUnget = f->in.rdNext;
	f->in.fillBuffProc = fake_empty_in;
	f->fr.in = &f->in;
	f->fr.out = &f->out;
	f->fr.envp = f->env;
	f->hub.configured = true;
	f->hub.conf.max_body = 1024;
	f->hub.conf.base_url = (char *)fake_base_url;
	f->hub.conf.trust_forwarded = fake_trust_forwarded;
	arena_init(&f->a, 4096);
	return req_begin(&f->r, &f->hub, &f->a, &f->fr);
}

/* The answer so far, NUL-terminated. */
static inline const char *
fake_output(struct fake *f)
{
	*f->out.wrNext = '\0';
	return (const char *)f->outbuf;
}

static inline void
fake_end(struct fake *f)
{
	arena_free(&f->a);
}

#endif
