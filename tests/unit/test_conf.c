/*
 * test_conf.c: the configuration parser: defaults, every kind of value, and
 * one clear message for each kind of mistake.
 */
#include "check.h"
#include "conf.h"

#define MINIMAL \
	"[database]\nuser = khub\nname = khub\n" \
	"[s3]\nendpoint = http://127.0.0.1:7480\nbucket = b\n" \
	"access_key = a\nsecret_key = s\n"

static char err[512];

static void
test_minimal_and_defaults(void)
{
	struct conf c;

	CHECK(conf_parse(&c, MINIMAL, "t", err, sizeof(err)) == 0);
	CHECK_STR(c.db_user, "khub");
	CHECK_STR(c.db_host, "127.0.0.1");
	CHECK(c.db_port == 3306);
	CHECK(c.db_socket == NULL);
	CHECK_STR(c.db_password, "");
	CHECK_STR(c.s3_public_endpoint, "http://127.0.0.1:7480");
	CHECK_STR(c.s3_region, "us-east-1");
	CHECK(c.s3_path_style);
	CHECK(c.base_url == NULL);
	CHECK(c.lfs_threshold == 10u << 20);
	CHECK(c.presign_lifetime == 86400);
	CHECK(c.git_keepalive_ms == 5000);
	CHECK(c.git_workers == 0);
	CHECK(c.log_level == LOG_INFO);
	CHECK(c.allow_registration);
	CHECK(c.s3_upload_access_key == NULL);
	CHECK(c.s3_upload_secret_key == NULL);
	conf_free(&c);
}

static void
test_values(void)
{
	struct conf c;

	CHECK(conf_parse(&c, "# comment\n; other\n\n" MINIMAL
	    "[server]\n  lfs_threshold = 1 GiB  \nmax_body=2048\n"
	    "presign_lifetime = 3600\nlog_level = DEBUG\n"
	    "git_keepalive_ms = 0\ngit_workers = 3\n"
	    "base_url = https://hub.example.org\n"
	    "allow_registration = no\n"
	    "[s3]\nupload_access_key = ua\nupload_secret_key = us\n"
	    "[database]\npassword = \" p#ss \"\r\n", "t", err,
	    sizeof(err)) == 0);
	CHECK_STR(c.s3_upload_access_key, "ua");
	CHECK_STR(c.s3_upload_secret_key, "us");
	CHECK(c.lfs_threshold == 1u << 30);
	CHECK(c.max_body == 2048);
	CHECK(c.presign_lifetime == 3600);
	CHECK(c.git_keepalive_ms == 0);
	CHECK(c.git_workers == 3);
	CHECK(c.log_level == LOG_DEBUG);
	CHECK_STR(c.base_url, "https://hub.example.org");
	CHECK(!c.allow_registration);
	CHECK_STR(c.db_password, " p#ss ");
	conf_free(&c);
}

/* Each bad file must fail with a message that holds the expected words. */
static void
test_errors(void)
{
	static const struct { const char *text, *words; } cases[] = {
		{ "[database]\nname = k\n[s3]\nendpoint = http://x\n"
		  "bucket = b\naccess_key = a\nsecret_key = s\n",
		  "missing setting database.user" },
		{ MINIMAL "[server]\nlfs_treshold = 5\n",
		  "unknown setting 'lfs_treshold' in [server]" },
		{ MINIMAL "[servers]\n", "unknown section [servers]" },
		{ MINIMAL "[server]\nlfs_threshold = ten\n",
		  "server.lfs_threshold must be a size" },
		{ MINIMAL "[server]\npresign_lifetime = 10MiB\n",
		  "server.presign_lifetime must be a whole number" },
		{ MINIMAL "[server]\npresign_lifetime = 9999999\n",
		  "out of range" },
		{ MINIMAL "[s3]\npath_style = maybe\n",
		  "s3.path_style must be true or false" },
		{ MINIMAL "[server]\nbase_url = hub.example.org\n",
		  "server.base_url must start with http" },
		{ MINIMAL "[server]\nbase_url = http://h/\n",
		  "must not end with '/'" },
		{ MINIMAL "[database]\nuser = again\n", "set twice" },
		{ MINIMAL "[server]\nlog_level = loud\n", "log_level" },
		{ MINIMAL "garbage\n", "t:9: expected 'key = value'" },
		{ MINIMAL "[server\n", "bad section line" },
		{ MINIMAL "[database]\nport = 70000\n", "out of range" },
		{ MINIMAL "[database]\npassword = \"open\n", "unterminated" },
		{ "user = x\n", "unknown setting 'user' in [(no section)]" },
		{ MINIMAL "[server]\nlfs_threshold = 99999999999999999999999\n",
		  "must be a size" },
		{ MINIMAL "upload_access_key = ua\n",
		  "s3.upload_access_key and s3.upload_secret_key go together" },
		{ MINIMAL "upload_secret_key = us\n", "go together" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf c;

		err[0] = '\0';
		CHECK(conf_parse(&c, cases[i].text, "t", err,
		    sizeof(err)) == -1);
		if (strstr(err, cases[i].words) == NULL) {
			fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, err,
			    cases[i].words);
			CHECK(!"message names the problem");
		}
		CHECK(strchr(err, '\n') == NULL);
	}
}

static void
test_mirror(void)
{
	struct conf c;

	/* off unless an upstream is named */
	CHECK(conf_parse(&c, MINIMAL, "t", err, sizeof(err)) == 0);
	CHECK(c.mirror_upstream[0] == NULL);
	CHECK(c.mirror_timeout == 10);
	CHECK(c.mirror_fresh == 60);
	CHECK_STR(c.mirror_allow, "*");
	CHECK(c.mirror_deny == NULL);
	conf_free(&c);
	CHECK(conf_parse(&c, MINIMAL "[mirror]\nupstream1 = https://hf.co\n"
	    "upstream2 = http://10.0.0.2:8080\ntoken2 = hf_x\nfresh = 0\n"
	    "allow = org/* other/*\ndeny = org/secret\n", "t", err,
	    sizeof(err)) == 0);
	CHECK_STR(c.mirror_upstream[0], "https://hf.co");
	CHECK(c.mirror_token[0] == NULL);
	CHECK_STR(c.mirror_token[1], "hf_x");
	CHECK(c.mirror_fresh == 0);
	CHECK_STR(c.mirror_deny, "org/secret");
	conf_free(&c);
	/* a token of no upstream, a bad URL, a zero timeout */
	CHECK(conf_parse(&c, MINIMAL "[mirror]\ntoken3 = hf_x\n", "t", err,
	    sizeof(err)) != 0);
	CHECK(strstr(err, "mirror.token3 needs mirror.upstream3") != NULL);
	CHECK(conf_parse(&c, MINIMAL "[mirror]\nupstream1 = hf.co\n", "t", err,
	    sizeof(err)) != 0);
	CHECK(strstr(err, "mirror.upstream1") != NULL);
	CHECK(conf_parse(&c, MINIMAL "[mirror]\ntimeout = 0\n", "t", err,
	    sizeof(err)) != 0);
}

static void
test_load_missing_file(void)
{
	struct conf c;

	CHECK(conf_load(&c, "/nonexistent/khub.conf", err, sizeof(err)) ==
	    -1);
	CHECK(strstr(err, "/nonexistent/khub.conf: cannot open") != NULL);
}

static void
test_sample_file_loads(void)
{
	struct conf c;

	/* The documented sample must itself be valid. */
	CHECK(conf_load(&c, "etc/khub.conf", err, sizeof(err)) == 0);
	if (*err)
		fprintf(stderr, "%s\n", err);
	conf_free(&c);
}

int
main(void)
{
	RUN(test_minimal_and_defaults);
	RUN(test_values);
	RUN(test_errors);
	RUN(test_mirror);
	RUN(test_load_missing_file);
	err[0] = '\0';
	RUN(test_sample_file_loads);
	return check_done("conf");
}
