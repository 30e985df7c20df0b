/*
 * conf.h: the configuration file (etc/khub.conf), parsed once per process.
 */
#ifndef KHUB_CONF_H
#define KHUB_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef KHUB_DEFAULT_CONFIG
#define KHUB_DEFAULT_CONFIG "/usr/local/etc/khub.conf"
#endif

/* Upstream hubs a mirror may read from ([mirror] upstream1..4). */
#define MIRROR_UPSTREAMS	4

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct conf {
	/* [database] */
	char		*db_socket;	/* unix socket, or NULL for TCP */
	char		*db_host;
	unsigned	 db_port;
	char		*db_user;
	char		*db_password;
	char		*db_name;
	/* [s3] */
	char		*s3_endpoint;		/* the server's own S3 calls */
	char		*s3_public_endpoint;	/* host in presigned URLs */
	char		*s3_region;
	char		*s3_bucket;
	char		*s3_access_key;
	char		*s3_secret_key;
	char		*s3_upload_access_key;	/* sign upload URLs; NULL: the */
	char		*s3_upload_secret_key;	/* main keys (they read too) */
	bool		 s3_path_style;
	/* [server] */
	char		*base_url;	/* NULL: from the request's Host */
	uint64_t	 lfs_threshold;	/* bytes; larger files go to LFS */
	uint64_t	 lfs_multipart_threshold;
	uint64_t	 lfs_chunk_size;
	unsigned	 presign_lifetime;	/* seconds */
	uint64_t	 max_body;	/* request body limit, bytes */
	uint64_t	 request_memory;	/* one request's arena, 0: none */
	unsigned	 resolve_cache_ms;	/* 0: every resolve asks MariaDB */
	unsigned	 git_keepalive_ms;	/* upload-pack's; 0: none */
	unsigned	 git_workers;	/* git requests at once here; 0: any */
	enum log_level	 log_level;
	char		*log_file;	/* NULL: stderr */
	char		*access_log;	/* NULL: none */
	char		*metrics_file;	/* NULL: /dev/shm/khub-<hash> */
	char		*metrics_allow;	/* addresses that may GET /metrics */
	char		*metrics_token;	/* or this Bearer token; NULL: none */
	char		*admin_token;	/* the admin API's; NULL: no admin API */
	char		*admin_allow;	/* addresses it is accepted from */
	bool		 allow_registration;
	bool		 trust_forwarded;	/* X-Forwarded-Host/-Proto */
	uint64_t	 default_quota;	/* bytes per namespace, 0 = none */
	/* [mirror]: off unless upstream1 is set (mirror.h) */
	char		*mirror_upstream[MIRROR_UPSTREAMS];	/* by priority */
	char		*mirror_token[MIRROR_UPSTREAMS];	/* or NULL */
	unsigned	 mirror_timeout;	/* seconds per upstream call */
	unsigned	 mirror_fresh;	/* seconds a branch -> commit holds */
	char		*mirror_allow;	/* repo id patterns, blank-separated */
	char		*mirror_deny;	/* NULL: none */
	unsigned	 mirror_max_files;	/* per mirrored revision */
	uint64_t	 mirror_max_regular;	/* regular bytes per revision */
	uint64_t	 mirror_wait_max;	/* LFS copied while a GET waits */
};

/*
 * Reads and validates the file at path into *out (fields malloc'd, freed by
 * conf_free). On failure returns -1 and writes one line naming the file, the
 * line or setting, and what is wrong into err.
 */
int	 conf_load(struct conf *out, const char *path, char *err, size_t errlen);
/* The same from a string (tests, fuzzing); name is used in messages. */
int	 conf_parse(struct conf *out, const char *text, const char *name,
	    char *err, size_t errlen);
void	 conf_free(struct conf *);
/* Parses "123", "10MiB", "5 GB", "64k" (binary units, any case); 0 or -1. */
int	 conf_parse_size(const char *s, uint64_t *out);
/* Path from $KHUB_CONFIG, else the default. */
const char *conf_default_path(void);

#endif
