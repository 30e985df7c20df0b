/*
 * conf.c: a small, strict INI parser driven by one table of settings.
 *
 * The format: "[section]" lines, "key = value" lines, "#" or ";" comments on
 * their own line, blank lines. Values run to the end of the line (trailing
 * blanks dropped) and may be double-quoted to keep blanks or a '#'.
 * Unknown sections or keys, duplicates and bad values are errors: a typo must
 * stop start-up, not be ignored.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

enum ctype { C_STR, C_UINT, C_BOOL, C_SIZE, C_LEVEL, C_URL };

struct setting {
	const char	*section, *key;
	enum ctype	 type;
	size_t		 off;
	const char	*dflt;		/* NULL: required (unless optional) */
	int		 optional;	/* may stay unset (NULL) */
	uint64_t	 min, max;	/* for numbers */
};

#define O(f)	offsetof(struct conf, f)
static const struct setting settings[] = {
	{ "database", "socket", C_STR, O(db_socket), NULL, 1, 0, 0 },
	{ "database", "host", C_STR, O(db_host), "127.0.0.1", 0, 0, 0 },
	{ "database", "port", C_UINT, O(db_port), "3306", 0, 1, 65535 },
	{ "database", "user", C_STR, O(db_user), NULL, 0, 0, 0 },
	{ "database", "password", C_STR, O(db_password), "", 0, 0, 0 },
	{ "database", "name", C_STR, O(db_name), NULL, 0, 0, 0 },
	{ "s3", "endpoint", C_URL, O(s3_endpoint), NULL, 0, 0, 0 },
	{ "s3", "public_endpoint", C_URL, O(s3_public_endpoint), NULL, 1, 0, 0 },
	{ "s3", "region", C_STR, O(s3_region), "us-east-1", 0, 0, 0 },
	{ "s3", "bucket", C_STR, O(s3_bucket), NULL, 0, 0, 0 },
	{ "s3", "access_key", C_STR, O(s3_access_key), NULL, 0, 0, 0 },
	{ "s3", "secret_key", C_STR, O(s3_secret_key), NULL, 0, 0, 0 },
	{ "s3", "upload_access_key", C_STR, O(s3_upload_access_key), NULL, 1,
	    0, 0 },
	{ "s3", "upload_secret_key", C_STR, O(s3_upload_secret_key), NULL, 1,
	    0, 0 },
	{ "s3", "path_style", C_BOOL, O(s3_path_style), "true", 0, 0, 0 },
	{ "server", "base_url", C_URL, O(base_url), NULL, 1, 0, 0 },
	{ "server", "lfs_threshold", C_SIZE, O(lfs_threshold), "10MiB", 0,
	    1, UINT64_C(5) << 30 },
	{ "server", "lfs_multipart_threshold", C_SIZE,
	    O(lfs_multipart_threshold), "100MiB", 0, 5 << 20,
	    UINT64_C(5) << 40 },
	{ "server", "lfs_chunk_size", C_SIZE, O(lfs_chunk_size), "64MiB", 0,
	    5 << 20, UINT64_C(5) << 30 },
	{ "server", "presign_lifetime", C_UINT, O(presign_lifetime), "86400",
	    0, 1, 604800 },
	{ "server", "max_body", C_SIZE, O(max_body), "512MiB", 0, 1024,
	    UINT64_C(64) << 30 },
	{ "server", "request_memory", C_SIZE, O(request_memory), "2GiB", 0,
	    0, UINT64_C(1) << 40 },
	{ "server", "resolve_cache_ms", C_UINT, O(resolve_cache_ms), "500", 0,
	    0, 60000 },
	/* git's uploadpack.keepAlive: an empty side-band packet after this
	 * long without a byte (proxies give up on a silent answer); 0: off */
	{ "server", "git_keepalive_ms", C_UINT, O(git_keepalive_ms), "5000",
	    0, 0, 600000 },
	/* git clones, fetches and pushes at once on this machine; 0: any */
	{ "server", "git_workers", C_UINT, O(git_workers), "0", 0, 0, 4096 },
	{ "server", "log_level", C_LEVEL, O(log_level), "info", 0, 0, 0 },
	{ "server", "log_file", C_STR, O(log_file), NULL, 1, 0, 0 },
	{ "server", "access_log", C_STR, O(access_log), NULL, 1, 0, 0 },
	{ "server", "metrics_file", C_STR, O(metrics_file), NULL, 1, 0, 0 },
	{ "server", "metrics_allow", C_STR, O(metrics_allow), "127.0.0.1 ::1",
	    0, 0, 0 },
	{ "server", "metrics_token", C_STR, O(metrics_token), NULL, 1, 0, 0 },
	{ "server", "admin_token", C_STR, O(admin_token), NULL, 1, 0, 0 },
	{ "server", "admin_allow", C_STR, O(admin_allow), "127.0.0.1 ::1", 0,
	    0, 0 },
	{ "server", "allow_registration", C_BOOL, O(allow_registration),
	    "true", 0, 0, 0 },
	{ "server", "trust_forwarded", C_BOOL, O(trust_forwarded), "false", 0,
	    0, 0 },
	{ "server", "default_quota", C_SIZE, O(default_quota), "0", 0, 0,
	    UINT64_MAX },
	{ "mirror", "upstream1", C_URL, O(mirror_upstream[0]), NULL, 1, 0, 0 },
	{ "mirror", "token1", C_STR, O(mirror_token[0]), NULL, 1, 0, 0 },
	{ "mirror", "upstream2", C_URL, O(mirror_upstream[1]), NULL, 1, 0, 0 },
	{ "mirror", "token2", C_STR, O(mirror_token[1]), NULL, 1, 0, 0 },
	{ "mirror", "upstream3", C_URL, O(mirror_upstream[2]), NULL, 1, 0, 0 },
	{ "mirror", "token3", C_STR, O(mirror_token[2]), NULL, 1, 0, 0 },
	{ "mirror", "upstream4", C_URL, O(mirror_upstream[3]), NULL, 1, 0, 0 },
	{ "mirror", "token4", C_STR, O(mirror_token[3]), NULL, 1, 0, 0 },
	{ "mirror", "timeout", C_UINT, O(mirror_timeout), "10", 0, 1, 600 },
	{ "mirror", "fresh", C_UINT, O(mirror_fresh), "60", 0, 0, 86400 * 30 },
	{ "mirror", "allow", C_STR, O(mirror_allow), "*", 0, 0, 0 },
	{ "mirror", "deny", C_STR, O(mirror_deny), NULL, 1, 0, 0 },
	/* A revision's tree is copied whole, its regular files too: these
	 * bound what one first read can cost. */
	{ "mirror", "max_files", C_UINT, O(mirror_max_files), "20000", 0, 1,
	    1000000 },
	{ "mirror", "max_regular_bytes", C_SIZE, O(mirror_max_regular),
	    "256MiB", 0, 0, UINT64_C(64) << 30 },
	/* An LFS object up to this size is copied while its first download
	 * waits (a second at LAN speed); a larger one is sent to upstream
	 * that once and copied after the answer. */
	{ "mirror", "wait_max", C_SIZE, O(mirror_wait_max), "64MiB", 0, 0,
	    UINT64_C(5) << 30 },
};
#undef O
#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

const char *
conf_default_path(void)
{
	const char *p = getenv("KHUB_CONFIG");

	return p != NULL && *p != '\0' ? p : KHUB_DEFAULT_CONFIG;
}

int
conf_parse_size(const char *s, uint64_t *out)
{
	static const struct { const char *sfx; unsigned shift; } units[] = {
		{ "", 0 }, { "b", 0 }, { "k", 10 }, { "kb", 10 }, { "kib", 10 },
		{ "m", 20 }, { "mb", 20 }, { "mib", 20 }, { "g", 30 },
		{ "gb", 30 }, { "gib", 30 }, { "t", 40 }, { "tb", 40 },
		{ "tib", 40 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].sfx) != 0)
			continue;
		if (units[i].shift && v > (UINT64_MAX >> units[i].shift))
			return -1;
		*out = (uint64_t)v << units[i].shift;
		return 0;
	}
	return -1;
}

static int
parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
	    !strcasecmp(s, "on") || !strcmp(s, "1"))
		*out = true;
	else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") ||
	    !strcasecmp(s, "off") || !strcmp(s, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static int
parse_level(const char *s, enum log_level *out)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (!strcasecmp(s, names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

/* Stores value into the field; returns NULL or what is wrong with it. */
static const char *
set_value(struct conf *c, const struct setting *st, const char *v)
{
	char *field = (char *)c + st->off;
	uint64_t n;
	size_t len;

	switch (st->type) {
	case C_URL:
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return "must start with http:// or https://";
		len = strlen(v);
		if (v[len - 1] == '/')
			return "must not end with '/'";
		/* FALLTHROUGH */
	case C_STR:
		free(*(char **)field);
		if ((*(char **)field = strdup(v)) == NULL)
			return "out of memory";
		return NULL;
	case C_UINT:
	case C_SIZE:
		if (st->type == C_UINT ? conf_parse_size(v, &n) || strspn(v,
		    "0123456789") != strlen(v) : conf_parse_size(v, &n))
			return st->type == C_UINT ? "must be a whole number" :
			    "must be a size such as 1048576 or 10MiB";
		if (n < st->min || n > st->max)
			return "is out of range";
		if (st->type == C_UINT)
			*(unsigned *)field = (unsigned)n;
		else
			*(uint64_t *)field = n;
		return NULL;
	case C_BOOL:
		return parse_bool(v, (bool *)field) ?
		    "must be true or false" : NULL;
	case C_LEVEL:
		return parse_level(v, (enum log_level *)field) ?
		    "must be error, warn, info or debug" : NULL;
	}
	return "unknown setting type";
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
conf_parse(struct conf *c, const char *text, const char *name, char *err,
    size_t errlen)
{
	unsigned char seen[NSETTINGS];
	char section[32] = "";
	const char *p = text, *nl;
	char line[4096];
	unsigned lineno = 0;
	size_t i;

	memset(c, 0, sizeof(*c));
	memset(seen, 0, sizeof(seen));
	for (; *p != '\0'; p = *nl ? nl + 1 : nl) {
		char *s, *eq, *key, *val;
		const struct setting *st = NULL;
		const char *why;

		lineno++;
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((size_t)(nl - p) >= sizeof(line)) {
			snprintf(err, errlen, "%s:%u: line too long", name,
			    lineno);
			goto fail;
		}
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (close == NULL || close[1] != '\0' ||
			    (size_t)(close - s - 1) >= sizeof(section)) {
				snprintf(err, errlen, "%s:%u: bad section line",
				    name, lineno);
				goto fail;
			}
			*close = '\0';
			snprintf(section, sizeof(section), "%s", trim(s + 1));
			if (strcmp(section, "database") &&
			    strcmp(section, "s3") && strcmp(section, "server") &&
			    strcmp(section, "mirror")) {
				snprintf(err, errlen, "%s:%u: unknown section "
				    "[%s]", name, lineno, section);
				goto fail;
			}
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			snprintf(err, errlen, "%s:%u: expected 'key = value'",
			    name, lineno);
			goto fail;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (*val == '"') {
			size_t n = strlen(val);

			if (n < 2 || val[n - 1] != '"') {
				snprintf(err, errlen, "%s:%u: unterminated "
				    "quoted value", name, lineno);
				goto fail;
			}
			val[n - 1] = '\0';
			val++;
		}
		for (i = 0; i < NSETTINGS; i++)
			if (!strcmp(settings[i].section, section) &&
			    !strcmp(settings[i].key, key)) {
				st = &settings[i];
				break;
			}
		if (st == NULL) {
			snprintf(err, errlen, "%s:%u: unknown setting '%s' in "
			    "[%s]", name, lineno, key,
			    *section ? section : "(no section)");
			goto fail;
		}
		if (seen[i]) {
			snprintf(err, errlen, "%s:%u: %s.%s is set twice",
			    name, lineno, section, key);
			goto fail;
		}
		seen[i] = 1;
		if (*val == '\0' && st->optional)
			continue;	/* explicitly empty = unset */
		if (*val == '\0' && st->type != C_STR) {
			snprintf(err, errlen, "%s:%u: %s.%s is empty", name,
			    lineno, section, key);
			goto fail;
		}
		if ((why = set_value(c, st, val)) != NULL) {
			snprintf(err, errlen, "%s:%u: %s.%s %s (got '%s')",
			    name, lineno, section, key, why, val);
			goto fail;
		}
	}
	/* Defaults, then required settings. */
	for (i = 0; i < NSETTINGS; i++) {
		const struct setting *st = &settings[i];

		if (seen[i] || st->optional)
			continue;
		if (st->dflt == NULL) {
			snprintf(err, errlen, "%s: missing setting %s.%s",
			    name, st->section, st->key);
			goto fail;
		}
		if (set_value(c, st, st->dflt) != NULL) {
			snprintf(err, errlen, "%s: bad default for %s.%s",
			    name, st->section, st->key);
			goto fail;
		}
	}
	/* Half a key pair would sign upload URLs S3 refuses. */
	if ((c->s3_upload_access_key == NULL) !=
	    (c->s3_upload_secret_key == NULL)) {
		snprintf(err, errlen, "%s: s3.upload_access_key and "
		    "s3.upload_secret_key go together", name);
		goto fail;
	}
	/* A token is sent to its own upstream only: one without one is a
	 * slip that would leave the token unused. */
	for (i = 0; i < MIRROR_UPSTREAMS; i++)
		if (c->mirror_token[i] != NULL && c->mirror_upstream[i] == NULL) {
			snprintf(err, errlen, "%s: mirror.token%zu needs "
			    "mirror.upstream%zu", name, i + 1, i + 1);
			goto fail;
		}
	if (c->s3_public_endpoint == NULL &&
	    (c->s3_public_endpoint = strdup(c->s3_endpoint)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	return 0;
fail:
	conf_free(c);
	return -1;
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *text;
	long n;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open configuration: %s",
		    path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > 1 << 20 ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: cannot read configuration (not a "
		    "regular file under 1 MiB)", path);
		fclose(f);
		return -1;
	}
	if ((text = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (fread(text, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, errlen, "%s: read error", path);
		free(text);
		fclose(f);
		return -1;
	}
	text[n] = '\0';
	fclose(f);
	if (strlen(text) != (size_t)n) {
		snprintf(err, errlen, "%s: configuration contains a NUL byte",
		    path);
		free(text);
		return -1;
	}
	rc = conf_parse(c, text, path, err, errlen);
	free(text);
	return rc;
}

void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (settings[i].type == C_STR || settings[i].type == C_URL) {
			char **f = (char **)((char *)c + settings[i].off);

			free(*f);
			*f = NULL;
		}
}
