/*
 * prefork.c: the master of the standalone process pool.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"
#include "prefork.h"

static volatile sig_atomic_t stopping, hup;

static void
on_stop(int sig)
{
	stopping = sig;
}

static void
on_hup(int sig)
{
	hup = sig;
}

static pid_t
spawn(int fd, int (*worker)(int, void *), void *arg)
{
	pid_t master = getpid(), pid = fork();

	if (pid == 0) {
		/*
		 * A master killed outright (SIGKILL, OOM) cannot stop us:
		 * the kernel does, so no orphan keeps serving on the socket.
		 */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != master)
			_exit(0);	/* the master died before prctl */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_IGN);	/* the master decides */
		_exit(worker(fd, arg));
	}
	if (pid < 0)
		log_error("prefork: fork: %s", strerror(errno));
	return pid;
}

int
prefork_run(int fd, int n, int (*worker)(int, void *), void *arg)
{
	struct sigaction sa;
	pid_t *pids;
	time_t last_death = 0;
	int i, alive = 0, status, waited;

	if ((pids = calloc((size_t)n, sizeof(*pids))) == NULL)
		oom();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: waitpid returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;		/* reopen logs: passed on to workers */
	sigaction(SIGHUP, &sa, NULL);

	for (i = 0; i < n; i++)
		if ((pids[i] = spawn(fd, worker, arg)) > 0)
			alive++;
		else
			pids[i] = 0;
	log_info("prefork: %d workers started", alive);
	while (!stopping) {
		pid_t pid = waitpid(-1, &status, 0);

		if (hup) {
			hup = 0;
			log_reopen_request();
			for (i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGHUP);
		}
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD && alive == 0) {
				/* every fork failed: wait, then try again */
				sleep(1);
			}
		}
		for (i = 0; i < n; i++) {
			if (pid > 0 && pids[i] != pid)
				continue;
			if (pid > 0) {
				alive--;
				if (WIFSIGNALED(status))
					log_warn("prefork: worker %d killed by "
					    "signal %d", (int)pid,
					    WTERMSIG(status));
				else
					log_warn("prefork: worker %d exited "
					    "with %d", (int)pid,
					    WEXITSTATUS(status));
				pids[i] = 0;
			}
			if (pids[i] != 0 || stopping)
				continue;
			/* A worker that dies at once would make us spin. */
			if (time(NULL) == last_death)
				sleep(1);
			last_death = time(NULL);
			if ((pids[i] = spawn(fd, worker, arg)) > 0)
				alive++;
			else
				pids[i] = 0;
		}
	}
	log_info("prefork: stopping %d workers", alive);
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	/* Requests in flight get 30 s to finish. */
	for (waited = 0; alive > 0 && waited < 300; ) {
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			alive--;
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			break;
		usleep(100000);
		waited++;
	}
	if (alive > 0) {
		log_warn("prefork: %d workers did not stop; killing", alive);
		for (i = 0; i < n; i++)
			if (pids[i] > 0)
				kill(pids[i], SIGKILL);
		while (waitpid(-1, &status, 0) > 0)
			;
	}
	free(pids);
	return 0;
}
