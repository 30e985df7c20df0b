/*
 * hello.c: the yardstick of `make bench`: the least a libfcgi program can do
 * per request (read the request, answer a fixed 302 like a resolve does), to
 * be served by the same web server the same way as khub.fcgi.
 */
#include <fcgiapp.h>

int
main(void)
{
	FCGX_Request r;

	FCGX_Init();
	FCGX_InitRequest(&r, 0, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutS("Status: 302 Found\r\n"
		    "Location: http://127.0.0.1/bucket/object\r\n"
		    "X-Repo-Commit: 0000000000000000000000000000000000000000\r\n"
		    "Content-Length: 0\r\n\r\n", r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
