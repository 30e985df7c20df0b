/*
 * log.h: one line per event on stderr (the web server's error log), or in
 * [server] log_file.
 */
#ifndef KHUB_LOG_H
#define KHUB_LOG_H

#include "conf.h"

void	log_set_level(enum log_level);
/* Appends lines to path from now on instead of stderr (which a web server
 * may send nowhere: lighttpd gives FastCGI children /dev/null). Returns 0,
 * or -1 with errno and lines still on stderr. */
int	log_open(const char *path);
/* Appends access-log lines (accesslog_write()) to path. Returns 0, or -1
 * with errno. */
int	log_access_open(const char *path);
/* Writes one whole line (newline included) to the access log, if open. */
void	log_access(const char *line, size_t len);
/* Asks that both files be opened again before their next line (after
 * logrotate moved them): safe in a signal handler (SIGHUP). */
void	log_reopen_request(void);
void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
