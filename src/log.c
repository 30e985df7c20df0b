/*
 * log.c: level-filtered lines on stderr or a file, each written with one
 * write(2) (O_APPEND for a file) so lines from several workers do not
 * interleave.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"

static enum log_level level = LOG_INFO;
static int fd = STDERR_FILENO, access_fd = -1;
static char *path_of_log, *path_of_access;
static volatile sig_atomic_t reopen_wanted;

static int
append_fd(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

/* After SIGHUP: the files again by name (a rotated one is left to its
 * new name); a failure keeps the old descriptor. */
static void
reopen(void)
{
	int n;

	reopen_wanted = 0;
	if (path_of_log != NULL && (n = append_fd(path_of_log)) >= 0) {
		close(fd);
		fd = n;
	}
	if (path_of_access != NULL && (n = append_fd(path_of_access)) >= 0) {
		close(access_fd);
		access_fd = n;
	}
}

void
log_reopen_request(void)
{
	reopen_wanted = 1;
}

void
log_set_level(enum log_level l)
{
	level = l;
}

int
log_open(const char *path)
{
	int n = append_fd(path);

	if (n < 0)
		return -1;
	if (fd != STDERR_FILENO)
		close(fd);
	fd = n;
	free(path_of_log);
	if ((path_of_log = strdup(path)) == NULL)
		oom();
	return 0;
}

int
log_access_open(const char *path)
{
	int n = append_fd(path);

	if (n < 0)
		return -1;
	if (access_fd >= 0)
		close(access_fd);
	access_fd = n;
	free(path_of_access);
	if ((path_of_access = strdup(path)) == NULL)
		oom();
	return 0;
}

void
log_access(const char *line, size_t len)
{
	if (reopen_wanted)
		reopen();
	if (access_fd >= 0 && write(access_fd, line, len) < 0) {
		/* a full disk: the answer went out, the line is lost */
	}
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	char line[2048];
	struct tm tm;
	time_t now;
	va_list ap;
	int n, m;

	if (l > level)
		return;
	if (reopen_wanted)
		reopen();
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ "
	    "khub[%d] %s: ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, (int)getpid(), names[l]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(fd, line, (size_t)n) < 0) {
		/* nowhere left to say it */
	}
}
