/*
 * khubctl.c: the administrator's command line, on the same configuration
 * file as the server.
 *
 *	khubctl --version
 *	khubctl [-c CONFIG] migrate
 *	khubctl [-c CONFIG] user add NAME [--email E] [--fullname F]
 *	    [--password-stdin]
 *	khubctl [-c CONFIG] token add USER [--name N] [--role read|write]
 *	khubctl [-c CONFIG] org add NAME --owner USER
 *	khubctl [-c CONFIG] org member ORG USER --role read|write|admin
 *	khubctl [-c CONFIG] repo create [NS/]NAME [--type model|dataset|space]
 *	    [--private]		(no NS: a canonical repository)
 *	khubctl [-c CONFIG] user list
 *	khubctl [-c CONFIG] user disable|enable NAME
 *	khubctl [-c CONFIG] user admin NAME on|off
 *	khubctl [-c CONFIG] user password NAME	(the new one on stdin)
 *	khubctl [-c CONFIG] quota set NAME BYTES|none
 *	khubctl [-c CONFIG] usage NAME
 *	khubctl [-c CONFIG] gc [--dry-run] [--grace DURATION]
 *	    [--orphan-age DURATION]
 *	khubctl [-c CONFIG] mirror list | work
 *	khubctl [-c CONFIG] mirror refresh|drop ID [--type T]
 *	khubctl [-c CONFIG] mirror pin ID[@REV] [--type T]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <mysql.h>
#include <sodium.h>

#include "accounts.h"
#include "arena.h"
#include "commit.h"
#include "db.h"
#include "dctx.h"
#include "gc.h"
#include "hub.h"
#include "migrate.h"
#include "names.h"
#include "orgs.h"
#include "quota.h"
#include "mirror.h"
#include "repos.h"
#include "secrets.h"
#include "tokens.h"

static struct hub hub;
static struct arena arena;

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: khubctl [-c CONFIG] COMMAND | --version\n"
	    "  migrate\n"
	    "  user add NAME [--email E] [--fullname F] [--password-stdin]\n"
	    "  token add USER [--name N] [--role read|write]\n"
	    "  org add NAME --owner USER\n"
	    "  org member ORG USER --role read|write|admin  (ORG '': the"
	    " canonical\n"
	    "                              repositories' writers)\n"
	    "  repo create [NS/]NAME [--type model|dataset|space] [--private]"
	    "\n"
	    "                              (no NS: a canonical repository,"
	    " such as gpt2)\n"
	    "  user list\n"
	    "  user disable NAME\n"
	    "  user enable NAME\n"
	    "  user admin NAME on|off      (a site admin: the admin API takes"
	    " its\n"
	    "                              write tokens)\n"
	    "  user password NAME          (the new password on standard input)\n"
	    "  quota set NAME BYTES|none   (sizes such as 10GiB; none: the"
	    " default)\n"
	    "  usage NAME\n"
	    "  gc [--dry-run] [--grace DURATION]  (unreferenced objects after"
	    " DURATION,\n"
	    "                              such as 30s, 15m, 24h (the"
	    " default), 7d)\n"
	    "     [--orphan-age DURATION]  (S3 objects no row names: the"
	    " grace, at least 1h)\n"
	    "  mirror list | work\n"
	    "  mirror refresh|drop [NS/]NAME [--type model|dataset|space]\n"
	    "  mirror pin [NS/]NAME[@REV] [--type model|dataset|space]\n",
	    stderr);
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("khubctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((noreturn))
die_db(const char *what)
{
	die("%s: %s", what, db_error(hub.db));
}

/* The value of --key in argv[from..], or NULL; flags must be known. */
static const char *
option(int argc, char **argv, int from, const char *key,
    const char *const *known)
{
	const char *v = NULL;
	int i, k;

	for (i = from; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0)
			usage();
		for (k = 0; known[k] != NULL; k++)
			if (!strcmp(argv[i], known[k]))
				break;
		if (known[k] == NULL)
			die("unknown option %s", argv[i]);
		if (!strcmp(argv[i], "--password-stdin")) {
			if (!strcmp(key, argv[i]))
				v = "";
			continue;
		}
		if (i + 1 >= argc)
			die("%s needs a value", argv[i]);
		if (!strcmp(argv[i], key))
			v = argv[i + 1];
		i++;
	}
	return v;
}

/* The id of a namespace of the given kind (NULL: either), or exit. */
static int64_t
find(const char *name, const char *kind)
{
	struct kerr e;
	int64_t id;

	if (account_find(hub.db, &arena, name, kind, &id, &e) != 0)
		die("%s", e.msg);
	return id;
}

static char *
read_password(void)
{
	static char pw[1024];
	size_t n;

	if (fgets(pw, sizeof(pw), stdin) == NULL)
		die("no password on standard input");
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	return pw;
}

static int
cmd_user_add(int argc, char **argv)
{
	static const char *const known[] = { "--email", "--fullname",
	    "--password-stdin", NULL };
	const char *name, *email, *fullname, *pw = NULL;
	struct kerr e;
	int64_t id;

	if (argc < 1)
		usage();
	name = argv[0];
	email = option(argc, argv, 1, "--email", known);
	fullname = option(argc, argv, 1, "--fullname", known);
	if (option(argc, argv, 1, "--password-stdin", known) != NULL)
		pw = read_password();
	if (account_create(hub.db, &arena, name, email, fullname, pw, &id,
	    &e) != 0)
		die("user add: %s", e.msg);
	printf("user %s added\n", name);
	return 0;
}

static int
cmd_token_add(int argc, char **argv)
{
	static const char *const known[] = { "--name", "--role", NULL };
	struct token_issued t;
	struct kerr e;
	const char *user, *name, *role;
	int64_t uid;

	if (argc < 1)
		usage();
	user = argv[0];
	name = option(argc, argv, 1, "--name", known);
	role = option(argc, argv, 1, "--role", known);
	if (role == NULL)
		role = "read";
	if (!token_role_valid(role))
		die("--role must be read or write");
	if (name == NULL)
		name = "khubctl";
	uid = find(user, "user");
	if (token_issue(hub.db, &arena, uid, name, role, 0, &t, &e) != 0)
		die("token add: %s", e.msg);
	/* The only time the token is ever shown. */
	printf("%s\n", t.token);
	sodium_memzero(t.token, sizeof(t.token));
	return 0;
}

static int
cmd_org_add(int argc, char **argv)
{
	static const char *const known[] = { "--owner", NULL };
	const char *name, *owner;
	struct kerr e;
	int64_t oid;

	if (argc < 1)
		usage();
	name = argv[0];
	if ((owner = option(argc, argv, 1, "--owner", known)) == NULL)
		die("org add needs --owner USER");
	if (org_create(hub.db, &arena, name, NULL, find(owner, "user"), &oid,
	    &e) != 0)
		die("org add: %s", e.msg);
	printf("organization %s added, owner %s\n", name, owner);
	return 0;
}

/* A repository with its first commit, through the server's own code:
 * the same default .gitattributes and all-or-nothing creation. */
static int
cmd_repo_create(int argc, char **argv)
{
	static const char *const known[] = { "--type", "--private", NULL };
	struct commit_op ops[1];
	struct dctx x = { &hub, &arena, 0, "khubctl repo create" };
	struct kerr e;
	const char *id, *type, *name, *ns;
	enum repo_type t;
	int64_t repo_id;
	bool priv = false;
	int i;

	if (argc < 1)
		usage();
	id = argv[0];
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--private")) {
			priv = true;
			memmove(argv + i, argv + i + 1,
			    (size_t)(argc - i - 1) * sizeof(*argv));
			argc--;
			break;
		}
	type = option(argc, argv, 1, "--type", known);
	if (repo_type_of(type != NULL ? type : "model", &t) != 0)
		die("--type must be model, dataset or space");
	if (repo_id_split(&arena, id, &ns, &name) != 0)
		die("'%s' is not namespace/name (or a canonical name)", id);
	/* repos_create() checks the name, as for the API */
	if (repos_create(&x, find(ns, NULL), ns, t, name, priv, 0, NULL, NULL,
	    ops, 0, &repo_id, &e) != 0)
		die("repo create %s: %s", id, e.msg);
	printf("%s repository %s created%s\n", repo_type_name(t), id,
	    priv ? " (private)" : "");
	return 0;
}

static int
cmd_org_member(int argc, char **argv)
{
	static const char *const known[] = { "--role", NULL };
	const char *role;
	struct kerr e;

	if (argc < 2)
		usage();
	if ((role = option(argc, argv, 2, "--role", known)) == NULL)
		die("org member needs --role read|write|admin");
	if (!org_role_valid(role))
		die("--role must be read, write or admin");
	if (org_member_set(hub.db, &arena, find(argv[0], "org"), argv[0],
	    argv[1], role, NULL, &e) != 0)
		die("org member: %s", e.msg);
	printf("%s is %s in %s\n", argv[1], role, argv[0]);
	return 0;
}

static int
cmd_user_list(int argc, char **argv)
{
	struct account *u;
	struct kerr e;
	size_t i, n;

	(void)argv;
	if (argc != 0)
		usage();
	if (account_list(hub.db, &arena, &u, &n, &e) != 0)
		die("user list: %s", e.msg);
	/* One user a line: name, email, state, quota, site admin or not
	 * (tab-separated; the newest column last, for scripts that cut). */
	for (i = 0; i < n; i++) {
		printf("%s\t%s\t%s\t", u[i].name, u[i].email ? u[i].email :
		    "-", u[i].disabled ? "disabled" : "active");
		if (u[i].default_quota)
			printf("default");
		else
			printf("%llu", (unsigned long long)u[i].quota_bytes);
		printf("\t%s\n", u[i].site_admin ? "site-admin" : "-");
	}
	return 0;
}

static int
cmd_user_disable(int argc, char **argv, int disable)
{
	struct kerr e;

	if (argc != 1)
		usage();
	if (account_set_disabled(hub.db, &arena, argv[0], disable, &e) != 0)
		die("%s", e.msg);
	printf("user %s %s\n", argv[0], disable ? "disabled" : "enabled");
	return 0;
}

static int
cmd_user_admin(int argc, char **argv)
{
	struct kerr e;
	bool on;

	if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
		usage();
	on = !strcmp(argv[1], "on");
	if (account_set_site_admin(hub.db, &arena, argv[0], on, &e) != 0)
		die("user admin: %s", e.msg);
	printf("user %s is %s\n", argv[0], on ? "a site admin" :
	    "not a site admin");
	return 0;
}

static int
cmd_user_password(int argc, char **argv)
{
	struct kerr e;

	if (argc != 1)
		usage();
	find(argv[0], "user");		/* before reading a password */
	if (account_set_password(hub.db, &arena, argv[0], read_password(),
	    &e) != 0)
		die("user password: %s", e.msg);
	printf("password of %s changed\n", argv[0]);
	return 0;
}

static int
cmd_quota_set(int argc, char **argv)
{
	uint64_t bytes = 0;
	struct kerr e;
	int none;

	if (argc != 2)
		usage();
	none = !strcmp(argv[1], "none");
	if (!none && (conf_parse_size(argv[1], &bytes) != 0 ||
	    bytes > (uint64_t)INT64_MAX))
		die("quota must be a size such as 1073741824 or 10GiB, or "
		    "none");
	if (account_set_quota(hub.db, &arena, argv[0], none, bytes, &e) != 0)
		die("quota set: %s", e.msg);
	if (none)
		printf("quota of %s: the default\n", argv[0]);
	else
		printf("quota of %s: %llu bytes\n", argv[0],
		    (unsigned long long)bytes);
	return 0;
}

static int
cmd_usage(int argc, char **argv)
{
	struct usage u;
	struct kerr e;

	if (argc != 1)
		usage();
	if (account_usage(hub.db, &arena, argv[0], hub.conf.default_quota,
	    &u, &e) != 0)
		die("usage: %s", e.msg);
	printf("name: %s\n", argv[0]);
	printf("repositories: %lld\n", (long long)u.repos);
	printf("used_bytes: %llu\n", (unsigned long long)u.used);
	if (u.quota == 0)
		printf("quota_bytes: none\n");
	else
		printf("quota_bytes: %llu%s\n", (unsigned long long)u.quota,
		    u.default_quota ? " (the default)" : "");
	if (u.quota != 0)
		printf("available_bytes: %llu\n", (unsigned long long)(u.quota >
		    u.used ? u.quota - u.used : 0));
	return 0;
}

/* "90", "90s", "15m", "24h", "7d" in seconds, or -1. */
static int64_t
duration(const char *v)
{
	char *end;
	long long n;

	if (*v < '0' || *v > '9')
		return -1;
	n = strtoll(v, &end, 10);
	if (n < 0 || n > 3650LL * 86400)
		return -1;
	if (*end == '\0' || !strcmp(end, "s"))
		return n;
	if (!strcmp(end, "m"))
		return n * 60;
	if (!strcmp(end, "h"))
		return n * 3600;
	if (!strcmp(end, "d"))
		return n * 86400;
	return -1;
}

static void
gc_print(void *arg, const char *what, const char *key, uint64_t bytes)
{
	printf("%s %s %s %llu\n", *(bool *)arg ? "would delete" : "deleted",
	    what, key, (unsigned long long)bytes);
}

/* Collects garbage (gc.h): one line per object, then the totals. */
static int
cmd_gc(int argc, char **argv)
{
	struct gc_opts o;
	struct gc_stats st;
	struct dctx x;
	struct kerr e;
	int i;

	memset(&o, 0, sizeof(o));
	o.grace = 86400;	/* a day: longer than any upload takes */
	o.orphan_age = -1;	/* the grace, at least GC_ORPHAN_MIN_AGE */
	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--dry-run"))
			o.dry_run = true;
		else if (!strcmp(argv[i], "--grace") && i + 1 < argc) {
			if ((o.grace = duration(argv[++i])) < 0)
				die("gc: --grace takes a duration such as 30s, "
				    "15m, 24h or 7d, not '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--orphan-age") && i + 1 < argc) {
			if ((o.orphan_age = duration(argv[++i])) < 0)
				die("gc: --orphan-age takes a duration such as "
				    "30s, 15m, 24h or 7d, not '%s'", argv[i]);
		} else
			usage();
	o.report = gc_print;
	o.arg = &o.dry_run;
	memset(&x, 0, sizeof(x));
	x.hub = &hub;
	x.a = &arena;
	x.id = "khubctl";
	if (gc_run(&x, &o, &st, &e) != 0)
		die("gc: %s", e.msg);
	printf("%s %llu objects, %llu bytes; %llu unreferenced objects in "
	    "their grace period\n", o.dry_run ? "would delete" : "deleted",
	    (unsigned long long)st.objects, (unsigned long long)st.bytes,
	    (unsigned long long)st.marked);
	return 0;
}

static void
pin_progress(void *arg, const char *path, uint64_t size, size_t done,
    size_t total)
{
	(void)arg;
	printf("[%zu/%zu] %s (%llu bytes)\n", done, total, path,
	    (unsigned long long)size);
	fflush(stdout);
}

/* khubctl mirror ...: the mirror's repositories (mirror.h). */
static int
cmd_mirror(int argc, char **argv)
{
	static const char *const known[] = { "--type", NULL };
	struct dctx d = { &hub, &arena, 0, "khubctl" };
	struct mirror_info *v;
	struct kerr e;
	struct oid commit;
	const char *type;
	enum repo_type t;
	char *id, *at, *rev = "main";
	size_t n, i;

	if (argc == 1 && !strcmp(argv[0], "list")) {
		if (mirror_list(&d, &v, &n, &e) != 0)
			die("mirror list: %s", e.msg);
		for (i = 0; i < n; i++)
			printf("%s\t%s\t%s\t%lld revisions\t%lld LFS objects "
			    "not copied\n", v[i].type, v[i].id, v[i].upstream,
			    (long long)v[i].revisions,
			    (long long)v[i].lfs_missing);
		return 0;
	}
	if (argc == 1 && !strcmp(argv[0], "work")) {
		size_t failed;

		if (mirror_work(&d, &n, &failed, &e) != 0)
			die("mirror work: %s", e.msg);
		printf("%zu fills ran, %zu failed%s%s\n", n, failed,
		    failed ? ": " : "", failed ? e.msg : "");
		return 0;
	}
	if (argc < 2)
		usage();
	type = option(argc, argv, 2, "--type", known);
	if (type == NULL)
		type = "model";
	else if (repo_type_of(type, &t) != 0)
		die("--type must be model, dataset or space");
	id = arena_strdup(&arena, argv[1]);
	if (!strcmp(argv[0], "pin") && (at = strchr(id, '@')) != NULL) {
		*at = '\0';
		rev = at + 1;
	}
	if (!strcmp(argv[0], "refresh")) {
		if (mirror_refresh(&d, type, id, &e) != 0)
			die("mirror refresh %s: %s", id, e.msg);
		printf("%s %s: upstream is asked again at its next read\n", type,
		    id);
	} else if (!strcmp(argv[0], "drop")) {
		if (mirror_drop(&d, type, id, &e) != 0)
			die("mirror drop %s: %s", id, e.msg);
		printf("%s %s: dropped\n", type, id);
	} else if (!strcmp(argv[0], "pin")) {
		if (mirror_pin(&d, type, id, rev, pin_progress, NULL, &commit,
		    &e) != 0)
			die("mirror pin %s@%s: %s", id, rev, e.msg);
		printf("%s %s@%s: %s, every file here\n", type, id, rev,
		    oid_hex_a(&arena, &commit));
	} else
		usage();
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *config = NULL;
	char err[512];
	int i = 1, rc;

	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("khubctl %s\n", KHUB_VERSION);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "-c")) {
		config = argv[2];
		i = 3;
	}
	if (i >= argc)
		usage();
	if (sodium_init() < 0 || mysql_library_init(0, NULL, NULL) != 0 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die("cannot initialise libraries");
	if (config == NULL)
		config = conf_default_path();
	if (hub_configure(&hub, config, err, sizeof(err)) != 0)
		die("%s", err);
	arena_init(&arena, 8192);

	if (!strcmp(argv[i], "migrate") && argc == i + 1) {
		int before = migrate_current(hub.db);

		if (before < 0)
			die_db("migrate");
		if (migrate(hub.db, 1, err, sizeof(err)) != 0)
			die("migrate: %s", err);
		printf("schema at version %d\n", migrate_current(hub.db));
		rc = 0;
	} else if (!strcmp(argv[i], "user") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "add"))
		rc = cmd_user_add(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "token") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "add"))
		rc = cmd_token_add(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "org") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "add"))
		rc = cmd_org_add(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "org") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "member"))
		rc = cmd_org_member(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "repo") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "create"))
		rc = cmd_repo_create(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "user") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "list"))
		rc = cmd_user_list(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "user") && i + 1 < argc &&
	    (!strcmp(argv[i + 1], "disable") || !strcmp(argv[i + 1], "enable")))
		rc = cmd_user_disable(argc - i - 2, argv + i + 2,
		    !strcmp(argv[i + 1], "disable"));
	else if (!strcmp(argv[i], "user") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "admin"))
		rc = cmd_user_admin(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "user") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "password"))
		rc = cmd_user_password(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "quota") && i + 1 < argc &&
	    !strcmp(argv[i + 1], "set"))
		rc = cmd_quota_set(argc - i - 2, argv + i + 2);
	else if (!strcmp(argv[i], "usage"))
		rc = cmd_usage(argc - i - 1, argv + i + 1);
	else if (!strcmp(argv[i], "gc"))
		rc = cmd_gc(argc - i - 1, argv + i + 1);
	else if (!strcmp(argv[i], "mirror"))
		rc = cmd_mirror(argc - i - 1, argv + i + 1);
	else
		usage();
	arena_free(&arena);
	hub_close(&hub);
	mysql_library_end();
	return rc;
}
