/*
 * khubctl.c: the administrator's command line, on the same configuration
 * file as the server.
 *
 *	khubctl [-c CONFIG] migrate
 *	khubctl [-c CONFIG] user add NAME [--email E] [--fullname F]
 *	    [--password-stdin]
 *	khubctl [-c CONFIG] token add USER [--name N] [--role read|write]
 *	khubctl [-c CONFIG] org add NAME --owner USER
 *	khubctl [-c CONFIG] org member ORG USER --role read|write|admin
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <sodium.h>

#include "arena.h"
#include "db.h"
#include "hub.h"
#include "migrate.h"
#include "names.h"
#include "secrets.h"

static const char SQL_USER_ADD[] =
    "INSERT INTO namespace (kind, name, fullname, email, password_hash)"
    " VALUES ('user', ?, ?, ?, ?)";
static const char SQL_ORG_ADD[] =
    "INSERT INTO namespace (kind, name, fullname) VALUES ('org', ?, ?)";
static const char SQL_FIND[] =
    "SELECT id, kind FROM namespace WHERE name = ?";
static const char SQL_TOKEN_ADD[] =
    "INSERT INTO token (user_id, name, role, hash) VALUES (?, ?, ?, ?)";
static const char SQL_MEMBER_SET[] =
    "INSERT INTO org_member (org_id, user_id, role) VALUES (?, ?, ?)"
    " ON DUPLICATE KEY UPDATE role = VALUES(role)";

static struct hub hub;
static struct arena arena;

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: khubctl [-c CONFIG] COMMAND\n"
	    "  migrate\n"
	    "  user add NAME [--email E] [--fullname F] [--password-stdin]\n"
	    "  token add USER [--name N] [--role read|write]\n"
	    "  org add NAME --owner USER\n"
	    "  org member ORG USER --role read|write|admin\n", stderr);
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

/* The id of a namespace of the given kind, or exit. */
static int64_t
find(const char *name, const char *kind)
{
	struct db_res *res;
	char *k;
	int64_t id;
	int rc;

	if (db_exec(hub.db, &arena, &res, SQL_FIND, "s", name) != 0)
		die_db("lookup");
	if ((rc = db_row(res, "is", &id, &k)) < 0)
		die_db("lookup");
	if (rc == 0 || strcmp(k, kind) != 0)
		die("no %s named '%s'", !strcmp(kind, "org") ?
		    "organization" : "user", name);
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
	if (n < 8)
		die("the password must have at least 8 characters");
	return pw;
}

static int
cmd_user_add(int argc, char **argv)
{
	static const char *const known[] = { "--email", "--fullname",
	    "--password-stdin", NULL };
	char hash[crypto_pwhash_STRBYTES];
	const char *name, *email, *fullname, *why;

	if (argc < 1)
		usage();
	name = argv[0];
	email = option(argc, argv, 1, "--email", known);
	fullname = option(argc, argv, 1, "--fullname", known);
	if ((why = name_invalid(name)) != NULL ||
	    (name_reserved(name) && (why = "is reserved") != NULL))
		die("user name '%s' %s", name, why);
	if (option(argc, argv, 1, "--password-stdin", known) != NULL) {
		if (password_hash(read_password(), hash) != 0)
			die("out of memory hashing the password");
	} else
		hash[0] = '\0';
	if (db_exec(hub.db, &arena, NULL, SQL_USER_ADD, "ss" "ss", name,
	    fullname ? fullname : "", email ? email : NULL,
	    hash[0] ? hash : NULL) != 0) {
		if (db_errno(hub.db) == ER_DUP_ENTRY)
			die("the name '%s'%s already exists", name,
			    email ? " or the email" : "");
		die_db("user add");
	}
	printf("user %s added\n", name);
	return 0;
}

static int
cmd_token_add(int argc, char **argv)
{
	static const char *const known[] = { "--name", "--role", NULL };
	unsigned char hash[TOKEN_HASH_LEN];
	char token[TOKEN_LEN + 1];
	const char *user, *name, *role;
	int64_t uid;

	if (argc < 1)
		usage();
	user = argv[0];
	name = option(argc, argv, 1, "--name", known);
	role = option(argc, argv, 1, "--role", known);
	if (role == NULL)
		role = "read";
	if (strcmp(role, "read") && strcmp(role, "write"))
		die("--role must be read or write");
	if (name == NULL)
		name = "khubctl";
	if (strlen(name) > 100)
		die("--name is longer than 100 characters");
	uid = find(user, "user");
	token_generate(token);
	token_hash(token, TOKEN_LEN, hash);
	if (db_exec(hub.db, &arena, NULL, SQL_TOKEN_ADD, "issb", uid, name,
	    role, hash, sizeof(hash)) != 0)
		die_db("token add");
	/* The only time the token is ever shown. */
	printf("%s\n", token);
	return 0;
}

static int
cmd_org_add(int argc, char **argv)
{
	static const char *const known[] = { "--owner", NULL };
	const char *name, *owner, *why;
	struct db_res *res;
	int64_t uid, oid;

	if (argc < 1)
		usage();
	name = argv[0];
	if ((owner = option(argc, argv, 1, "--owner", known)) == NULL)
		die("org add needs --owner USER");
	if ((why = name_invalid(name)) != NULL ||
	    (name_reserved(name) && (why = "is reserved") != NULL))
		die("organization name '%s' %s", name, why);
	uid = find(owner, "user");
	/* The organization and its first admin together, or neither. */
	if (db_begin(hub.db) != 0)
		die_db("org add");
	if (db_exec(hub.db, &arena, &res, SQL_ORG_ADD, "ss", name, "") != 0) {
		unsigned e = db_errno(hub.db);

		db_rollback(hub.db);
		if (e == ER_DUP_ENTRY)
			die("the name '%s' already exists", name);
		die_db("org add");
	}
	oid = (int64_t)db_insert_id(res);
	if (db_exec(hub.db, &arena, NULL, SQL_MEMBER_SET, "iis", oid, uid,
	    "admin") != 0) {
		db_rollback(hub.db);
		die_db("org add");
	}
	if (db_commit(hub.db) != 0)
		die_db("org add");
	printf("organization %s added, owner %s\n", name, owner);
	return 0;
}

static int
cmd_org_member(int argc, char **argv)
{
	static const char *const known[] = { "--role", NULL };
	const char *role;
	int64_t oid, uid;

	if (argc < 2)
		usage();
	if ((role = option(argc, argv, 2, "--role", known)) == NULL)
		die("org member needs --role read|write|admin");
	if (strcmp(role, "read") && strcmp(role, "write") &&
	    strcmp(role, "admin"))
		die("--role must be read, write or admin");
	oid = find(argv[0], "org");
	uid = find(argv[1], "user");
	if (db_exec(hub.db, &arena, NULL, SQL_MEMBER_SET, "iis", oid, uid,
	    role) != 0)
		die_db("org member");
	printf("%s is %s in %s\n", argv[1], role, argv[0]);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *config = NULL;
	char err[512];
	int i = 1, rc;

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
	else
		usage();
	arena_free(&arena);
	hub_close(&hub);
	mysql_library_end();
	return rc;
}
