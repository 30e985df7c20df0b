/*
 * gitslots.c: the bound on git requests at once (gitslots.h).
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fresh.h"
#include "gitslots.h"
#include "log.h"

static int	 fd = -2;	/* -2: not opened yet; -1: none to be had */
static long	 held = -1;	/* the byte this worker holds */

static int
slots_open(const struct conf *c)
{
	char name[64];
	struct stat st;

	if (fd != -2)
		return fd;
	fresh_shm_name(c, "git", name, sizeof(name));
	if ((fd = shm_open(name, O_RDWR | O_CREAT, 0600)) == -1) {
		log_warn("git: no shared slots %s (%m): git_workers is not "
		    "enforced", name);
		return fd = -1;
	}
	/* another user's file is not ours to lock against */
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		log_warn("git: %s is not this user's alone: git_workers is "
		    "not enforced", name);
		close(fd);
		return fd = -1;
	}
	return fd;
}

static int
lock_byte(long i, short type)
{
	struct flock l;

	memset(&l, 0, sizeof(l));
	l.l_type = type;
	l.l_whence = SEEK_SET;
	l.l_start = i;
	l.l_len = 1;
	return fcntl(fd, F_SETLK, &l);
}

int
gitslot_take(const struct conf *c)
{
	long i;

	if (c->git_workers == 0 || held >= 0)
		return 1;
	if (slots_open(c) == -1)
		return 1;
	/* byte ranges past the end of the file lock all the same */
	for (i = 0; i < (long)c->git_workers; i++)
		if (lock_byte(i, F_WRLCK) == 0) {
			held = i;
			return 1;
		} else if (errno != EACCES && errno != EAGAIN) {
			log_warn("git: cannot lock a slot (%m): git_workers "
			    "is not enforced");
			return 1;
		}
	return 0;
}

void
gitslot_give(void)
{
	if (held < 0)
		return;
	if (lock_byte(held, F_UNLCK) != 0)
		log_warn("git: cannot let slot %ld go (%m)", held);
	held = -1;
}
