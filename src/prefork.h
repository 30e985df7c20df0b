/*
 * prefork.h: khub.fcgi as its own process pool: a master that keeps N
 * workers accepting on one listening socket.
 */
#ifndef KHUB_PREFORK_H
#define KHUB_PREFORK_H

/*
 * Forks nworkers processes that each run worker(listen_fd, arg) and exit
 * with its result. Restarts a worker that dies (at most one restart a second
 * when they keep dying). On SIGTERM or SIGINT, passes SIGTERM to the workers
 * (they finish the request in flight), waits for them and returns 0.
 */
int	prefork_run(int listen_fd, int nworkers,
	    int (*worker)(int listen_fd, void *arg), void *arg);

#endif
