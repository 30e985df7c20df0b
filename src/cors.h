/*
 * cors.h: what a page of another origin may read.
 *
 * Browsers run the JS clients (transformers.js, @huggingface/hub) on pages
 * of any origin. Every answer outside the session endpoints (/api/auth/...)
 * says "Access-Control-Allow-Origin: *" and never Allow-Credentials: a
 * browser then refuses the answer to any request that carried cookies, so
 * a page reads only what its own Bearer token (or none) may read. Cookie
 * writes from other sites are refused by auth.c besides.
 */
#ifndef KHUB_CORS_H
#define KHUB_CORS_H

#include "request.h"

/* The CORS header lines (CRLF-ended) r's answer carries, or "". */
const char	*cors_headers(const struct req *);
/*
 * Answers a CORS preflight (OPTIONS with Access-Control-Request-Method)
 * with 204 and the methods and headers a page may use; returns 1. Returns
 * 0, answering nothing, for any other request.
 */
int		 cors_preflight(struct req *);

#endif
