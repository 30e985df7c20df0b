/*
 * log.c: level-filtered lines on stderr or a file, each written with one
 * write(2) (O_APPEND for a file) so lines from several workers do not
 * interleave.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level level = LOG_INFO;
static int fd = STDERR_FILENO;

void
log_set_level(enum log_level l)
{
	level = l;
}

int
log_open(const char *path)
{
	int n = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (n < 0)
		return -1;
	if (fd != STDERR_FILENO)
		close(fd);
	fd = n;
	return 0;
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
