/* ecii-hub's command line. Tokens are printed once, alone on stdout, so a
 * script can take them with $(...); every other message goes to stderr as
 * "ecii-hub: ...". Nothing here logs or echoes a token. */
#include "config.h"

#include "hub/hub_cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/access_form.h"
#include "core/vocab.h"
#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "store/hub_store_nego.h"
#include "util/conf.h"
#include "util/datadir.h"
#include "util/log.h"
#include "util/format.h"
#include "util/xmalloc.h"

#define DEFAULT_DB     "./ecii-hub.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define STR_(x)        #x
#define STR(x)         STR_(x)
#define HEARTBEAT_TEXT STR(HUB_DEFAULT_HEARTBEAT)

struct hub_cli {
	const char *db;   /* --db PATH, else the config's db, else DEFAULT_DB */
	struct conf conf; /* --config FILE; empty without one */
};

/* The keys of a --config file: the global --db and serve's options, each
 * by its long option's name. */
static const char *const config_keys[] = {
	"db", "listen", "criteria", "access-form", "max-body", "log", "task-ttl", "heartbeat", NULL,
};

static const char main_usage[] =
    "usage: ecii-hub [--config FILE] [--db PATH] COMMAND [ARGS]\n"
    "       ecii-hub --help | --version\n"
    "The central hub of an ecii federation: the catalogue API, users and site tokens.\n"
    "\n"
    "Commands:\n"
    "  init                                   create the hub database\n"
    "  user add NAME --role researcher|admin [--represents COLLECTION[,...]]\n"
    "                                         add a user; prints its token once\n"
    "  user list [--json] | rotate NAME | remove NAME\n"
    "                                         list users; new token; remove one\n"
    "  user represent|unrepresent NAME COLLECTION\n"
    "                                         make NAME a collection's representative, or not\n"
    "  site add NAME [--country CC]           add a site; prints its token once\n"
    "  site list [--json] | rotate NAME | remove NAME\n"
    "                                         list sites; new token; remove one\n"
    "  serve [--listen ADDR:PORT] [--criteria FILE] [--access-form FILE]\n"
    "        [--max-body BYTES] [--log FILE] [--task-ttl SECONDS] [--heartbeat SECONDS]\n"
    "                                         answer the HTTP API until SIGTERM or SIGINT\n"
    "  help [COMMAND]                         this text, or a command's\n"
    "\n"
    "Options:\n"
    "  --config FILE  settings as \"key = value\" lines, '#' for comments; keys: db,\n"
    "                 and serve's listen, criteria, access-form, max-body, log,\n"
    "                 task-ttl, heartbeat; an option on the command line wins\n"
    "                 (default: none)\n"
    "  --db PATH      the hub database (default " DEFAULT_DB ")\n"
    "\n"
    "Exit status: 0 success, 1 the work could not be done, 2 bad usage.\n"
    "See ecii-hub(8).\n";

static const char init_usage[] = "usage: ecii-hub [--db PATH] init\n"
                                 "Create the hub database (an existing one is kept as it is).\n";

static const char user_usage[] =
    "usage: ecii-hub [--db PATH] user add NAME --role researcher|admin\n"
    "                                [--represents COLLECTION[,COLLECTION...]]\n"
    "       ecii-hub [--db PATH] user list [--json]\n"
    "       ecii-hub [--db PATH] user rotate|remove NAME\n"
    "       ecii-hub [--db PATH] user represent|unrepresent NAME COLLECTION\n"
    "add     add user NAME (letters, digits, '.', '_', '-'; at most 64) and print its\n"
    "        bearer token on stdout, this once: the hub keeps only its hash\n"
    "        --represents  the collections (catalogue ids) NAME represents: it moves\n"
    "                      their states in access requests (REPRESENTATIVE)\n"
    "list    a table of name, role, creation time (UTC) and the collections each\n"
    "        represents; --json: a JSON array\n"
    "represent    make NAME a representative of COLLECTION (it need not be published\n"
    "             yet); unrepresent undoes it; an unknown NAME fails with status 1\n"
    "rotate  give NAME a new token and print it once; the old one stops working\n"
    "remove  remove NAME (its audit rows stay); an unknown NAME fails with status 1\n";

static const char site_usage[] =
    "usage: ecii-hub [--db PATH] site add NAME [--country CC]\n"
    "       ecii-hub [--db PATH] site list [--json]\n"
    "       ecii-hub [--db PATH] site rotate|remove NAME\n"
    "add     add site NAME and print its bearer token on stdout, once. The site uses\n"
    "        it to publish its collections (PUT /api/catalogue/sites/NAME/collections)\n"
    "        --country CC   the site's country, e.g. ES\n"
    "list    a table of name, country, creation time, last poll (UTC) and online or\n"
    "        offline (seen in the last " HEARTBEAT_TEXT " seconds); --json: a JSON array\n"
    "rotate  give NAME a new token and print it once; the old one stops working\n"
    "remove  remove NAME and the collections it published; an unknown NAME fails\n"
    "        with status 1\n";

static const char serve_usage[] =
    "usage: ecii-hub [--db PATH] serve [--listen ADDR:PORT] [--criteria FILE]\n"
    "                                  [--access-form FILE] [--max-body BYTES] [--log FILE]\n"
    "                                  [--task-ttl SECONDS] [--heartbeat SECONDS]\n"
    "Answer the HTTP API (catalogue, search, access requests) until SIGTERM or SIGINT.\n"
    "  --listen ADDR:PORT  numeric address and port (default " DEFAULT_LISTEN ");\n"
    "                      port 0 picks a free one; [::1]:PORT for IPv6\n"
    "  --criteria FILE     the vocabulary served at /api/catalogue/criteria\n"
    "                      (default: the installed data/criteria.json; also ECII_DATA)\n"
    "  --access-form FILE  the form of access requests (PROTOCOL.md 6) (default: the\n"
    "                      installed data/access-form.json; also ECII_DATA)\n"
    "  --max-body BYTES    longest request body accepted (default 1048576)\n"
    "  --log FILE          log requests to FILE (default: standard error); tokens\n"
    "                      are never logged\n"
    "  --task-ttl SECONDS  lifetime of a federated-search task (default 360; 1-86400)\n"
    "  --heartbeat SECONDS a site not polling for this long shows offline\n"
    "                      (default " HEARTBEAT_TEXT "; 1-86400)\n"
    "Each can be set in the --config file too, by its name without the dashes.\n";

static int hub_cli_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int hub_cli_error(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("ecii-hub: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static const char *command_usage(const char *command)
{
	if (command == NULL)
		return main_usage;
	if (strcmp(command, "init") == 0)
		return init_usage;
	if (strcmp(command, "user") == 0)
		return user_usage;
	if (strcmp(command, "site") == 0)
		return site_usage;
	if (strcmp(command, "serve") == 0)
		return serve_usage;
	return main_usage;
}

static int bad_option(const char *command, const char *arg)
{
	hub_cli_error(HUB_CLI_USAGE, "%s: unknown option or missing value '%s'", command, arg);
	fputs(command_usage(command), stderr);
	return HUB_CLI_USAGE;
}

/* Opens the existing database in mode; prints why not and returns NULL. */
static struct hub_store *open_existing(const struct hub_cli *cli, enum hub_store_mode mode)
{
	char err[512] = "";
	struct hub_store *s;

	if (access(cli->db, F_OK) != 0) {
		hub_cli_error(HUB_CLI_FAIL, "no hub database at %s (run 'ecii-hub init' first)",
		              cli->db);
		return NULL;
	}
	s = hub_store_open(cli->db, mode, err, sizeof err);
	if (s == NULL)
		hub_cli_error(HUB_CLI_FAIL, "%s", err);
	return s;
}

static int run_init(struct hub_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hub_store *s;
	char err[512] = "";
	int c;

	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c != 'h')
			return bad_option("init", argv[optind - 1]);
		fputs(init_usage, stdout);
		return HUB_CLI_OK;
	}
	if (optind < argc) {
		hub_cli_error(HUB_CLI_USAGE, "init: unexpected argument '%s'", argv[optind]);
		return HUB_CLI_USAGE;
	}
	s = hub_store_open(cli->db, HUB_STORE_CREATE, err, sizeof err);
	if (s == NULL)
		return hub_cli_error(HUB_CLI_FAIL, "%s", err);
	hub_store_close(&s);
	return HUB_CLI_OK;
}

/* Prints t (seconds since the epoch) as UTC ISO 8601 into buf. */
static const char *format_time(json_t *t, char *buf, size_t len)
{
	char utc[FORMAT_UTC_LEN + 1];

	if (!json_is_integer(t))
		return "never";
	format_utc((time_t)json_integer_value(t), utc);
	snprintf(buf, len, "%s", utc);
	return buf;
}

static const char *json_text(json_t *v, const char *none)
{
	return json_is_string(v) ? json_string_value(v) : none;
}

/* Prints a store list as a table or, with as_json, as the store's array. */
static int print_list(json_t *list, bool is_user, bool as_json)
{
	char created[32], seen[32];
	size_t i, width = 4;
	json_t *row;

	if (as_json) {
		if (json_dumpf(list, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
			return HUB_CLI_FAIL;
		putchar('\n');
		return fflush(stdout) == 0 ? HUB_CLI_OK : HUB_CLI_FAIL;
	}
	json_array_foreach (list, i, row) {
		size_t n = strlen(json_text(json_object_get(row, "name"), ""));
		if (n > width)
			width = n;
	}
	if (is_user)
		printf("%-*s  %-10s  %-20s  %s\n", (int)width, "NAME", "ROLE", "CREATED",
		       "REPRESENTS");
	else
		printf("%-*s  %-7s  %-20s  %-20s  %s\n", (int)width, "NAME", "COUNTRY", "CREATED",
		       "LAST SEEN", "STATUS");
	json_array_foreach (list, i, row) {
		const char *name = json_text(json_object_get(row, "name"), "?");
		const char *when =
		    format_time(json_object_get(row, "created"), created, sizeof created);

		if (is_user) {
			json_t *reps = json_object_get(row, "represents"), *r;
			size_t k;

			printf("%-*s  %-10s  %-20s  ", (int)width, name,
			       json_text(json_object_get(row, "role"), "?"), when);
			json_array_foreach (reps, k, r)
				printf("%s%s", k > 0 ? "," : "", json_text(r, "?"));
			puts(json_array_size(reps) > 0 ? "" : "-");
		} else {
			printf("%-*s  %-7s  %-20s  %-20s  %s\n", (int)width, name,
			       json_text(json_object_get(row, "country"), "-"), when,
			       format_time(json_object_get(row, "last_seen"), seen, sizeof seen),
			       json_is_true(json_object_get(row, "online")) ? "online" : "offline");
		}
	}
	return fflush(stdout) == 0 ? HUB_CLI_OK : HUB_CLI_FAIL;
}

/* Adds to each user of list (hub_store_user_list's) "represents": the
 * collections it represents, sorted. Returns 0, or -1 with err set. */
static int add_represents(struct hub_store *s, json_t *list, char *err, size_t errlen)
{
	json_t *all = hub_store_representatives(s, err, errlen), *row, *reps;
	size_t i;

	if (all == NULL)
		return -1;
	json_array_foreach (list, i, row) {
		reps = json_object_get(all, json_text(json_object_get(row, "name"), ""));
		json_object_set_new(row, "represents",
		                    reps != NULL ? json_incref(reps) : json_array());
	}
	json_decref(all);
	return 0;
}

/* "user represent|unrepresent NAME COLLECTION". */
static int run_represent(struct hub_cli *cli, bool represent, const char *name,
                         const char *collection)
{
	struct hub_store *s;
	char err[512] = "";
	int rc;

	if (!hub_collection_id_valid(collection)) {
		hub_cli_error(HUB_CLI_USAGE, "user %s: bad collection id '%s'",
		              represent ? "represent" : "unrepresent", collection);
		return HUB_CLI_USAGE;
	}
	s = open_existing(cli, HUB_STORE_WRITE);
	if (s == NULL)
		return HUB_CLI_FAIL;
	rc = represent ? hub_store_represent(s, name, collection, err, sizeof err)
	               : hub_store_unrepresent(s, name, collection, err, sizeof err);
	hub_store_close(&s);
	if (rc != 0)
		return hub_cli_error(HUB_CLI_FAIL, "user %s: %s",
		                     represent ? "represent" : "unrepresent", err);
	return HUB_CLI_OK;
}

/* Splits "A,B,C" into a new NULL-terminated list of new strings, each a
 * collection id; NULL when one is not. */
static char **split_collections(const char *text)
{
	char **list = xcalloc(strlen(text) + 2, sizeof *list), *copy = xstrdup(text), *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
		list[n++] = xstrdup(tok);
	free(copy);
	for (size_t i = 0; i < n; i++) {
		if (!hub_collection_id_valid(list[i]))
			n = 0;
	}
	if (n == 0 || text[0] == ',' || text[strlen(text) - 1] == ',' ||
	    strstr(text, ",,") != NULL) {
		for (size_t i = 0; list[i] != NULL; i++)
			free(list[i]);
		free(list);
		return NULL;
	}
	return list;
}

static void free_list(char **list)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

/* "user|site list [--json]", "user|site rotate NAME", "user|site remove NAME",
 * once options and the NAME are parsed. */
static int run_manage(struct hub_cli *cli, const char *what, const char *verb, const char *name,
                      bool as_json)
{
	bool is_user = strcmp(what, "user") == 0;
	struct hub_store *s;
	json_t *list = NULL;
	char err[512] = "", *token = NULL;
	int status = HUB_CLI_FAIL;

	s = open_existing(cli, strcmp(verb, "list") == 0 ? HUB_STORE_READ : HUB_STORE_WRITE);
	if (s == NULL)
		return HUB_CLI_FAIL;
	if (strcmp(verb, "list") == 0) {
		list = is_user ? hub_store_user_list(s, err, sizeof err)
		               : hub_store_site_list(s, (int64_t)time(NULL), HUB_DEFAULT_HEARTBEAT,
		                                     err, sizeof err);
		if (list == NULL || (is_user && add_represents(s, list, err, sizeof err) != 0)) {
			hub_cli_error(HUB_CLI_FAIL, "%s list: %s", what, err);
			goto out;
		}
		status = print_list(list, is_user, as_json);
	} else if (strcmp(verb, "rotate") == 0) {
		token = is_user ? hub_store_user_rotate(s, name, err, sizeof err)
		                : hub_store_site_rotate(s, name, err, sizeof err);
		if (token == NULL) {
			hub_cli_error(HUB_CLI_FAIL, "%s rotate: %s", what, err);
			goto out;
		}
		puts(token);
		status = fflush(stdout) == 0 ? HUB_CLI_OK : HUB_CLI_FAIL;
	} else {
		if ((is_user ? hub_store_user_remove(s, name, err, sizeof err)
		             : hub_store_site_remove(s, name, err, sizeof err)) != 0) {
			hub_cli_error(HUB_CLI_FAIL, "%s remove: %s", what, err);
			goto out;
		}
		status = HUB_CLI_OK;
	}
out:
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	json_decref(list);
	hub_store_close(&s);
	return status;
}

/* "user|site add|list|rotate|remove ...". */
static int run_user_site(struct hub_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "country", required_argument, NULL, 'c' },
		{ "represents", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *what = argv[0], *role_text = NULL, *country = NULL, *name, *verb;
	const char *represents = NULL;
	bool is_user = strcmp(what, "user") == 0, as_json = false, is_add, is_list, is_rep;
	enum hub_role role = HUB_ROLE_RESEARCHER;
	struct hub_store *s;
	char err[512] = "", *token, **collections = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c != 'h')
			return bad_option(what, argv[optind - 1]);
		fputs(command_usage(what), stdout);
		return HUB_CLI_OK;
	}
	is_rep =
	    is_user && optind < argc &&
	    (strcmp(argv[optind], "represent") == 0 || strcmp(argv[optind], "unrepresent") == 0);
	if (optind >= argc ||
	    (strcmp(argv[optind], "add") != 0 && strcmp(argv[optind], "list") != 0 &&
	     strcmp(argv[optind], "rotate") != 0 && strcmp(argv[optind], "remove") != 0 &&
	     !is_rep)) {
		hub_cli_error(
		    HUB_CLI_USAGE,
		    "%s: expected add, list, rotate or remove%s (try 'ecii-hub %s --help')", what,
		    is_user ? ", represent or unrepresent" : "", what);
		return HUB_CLI_USAGE;
	}
	verb = argv[optind];
	is_add = strcmp(verb, "add") == 0;
	is_list = strcmp(verb, "list") == 0;
	/* options may follow the name (NAME --role admin): restart getopt after
	 * the verb, in permuting mode */
	argv += optind;
	argc -= optind;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(command_usage(what), stdout);
			return HUB_CLI_OK;
		} else if (c == 'r' && is_user && is_add) {
			role_text = optarg;
		} else if (c == 'c' && !is_user && is_add) {
			country = optarg;
		} else if (c == 'R' && is_user && is_add) {
			represents = optarg;
		} else if (c == 'j' && is_list) {
			as_json = true;
		} else {
			return bad_option(what, c == 'r'   ? "--role"
			                        : c == 'c' ? "--country"
			                        : c == 'R' ? "--represents"
			                        : c == 'j' ? "--json"
			                                   : argv[optind - 1]);
		}
	}
	if (is_list) {
		if (optind < argc) {
			hub_cli_error(HUB_CLI_USAGE, "%s list: unexpected argument '%s'", what,
			              argv[optind]);
			return HUB_CLI_USAGE;
		}
		return run_manage(cli, what, verb, NULL, as_json);
	}
	if (is_rep) {
		if (optind + 2 != argc) {
			hub_cli_error(HUB_CLI_USAGE, "user %s: expected NAME and COLLECTION", verb);
			return HUB_CLI_USAGE;
		}
		if (!hub_name_valid(argv[optind])) {
			hub_cli_error(HUB_CLI_USAGE, "user %s: bad name '%s'", verb, argv[optind]);
			return HUB_CLI_USAGE;
		}
		return run_represent(cli, verb[0] == 'r', argv[optind], argv[optind + 1]);
	}
	if (optind + 1 != argc) {
		hub_cli_error(HUB_CLI_USAGE, "%s %s: expected one NAME", what, verb);
		return HUB_CLI_USAGE;
	}
	name = argv[optind];
	if (!hub_name_valid(name)) {
		hub_cli_error(HUB_CLI_USAGE,
		              "%s %s: bad name '%s' (1-%d letters, digits, '.', '_', '-')", what,
		              verb, name, HUB_NAME_MAX);
		return HUB_CLI_USAGE;
	}
	if (!is_add)
		return run_manage(cli, what, verb, name, false);
	if (is_user) {
		if (role_text == NULL) {
			hub_cli_error(HUB_CLI_USAGE,
			              "user add: --role researcher|admin is required");
			return HUB_CLI_USAGE;
		}
		if (hub_role_parse(role_text, &role, err, sizeof err) != 0)
			return hub_cli_error(HUB_CLI_USAGE, "user add: %s", err);
		if (represents != NULL && (collections = split_collections(represents)) == NULL)
			return hub_cli_error(HUB_CLI_USAGE,
			                     "user add: bad --represents '%s' (collection ids "
			                     "separated by commas)",
			                     represents);
	}
	s = open_existing(cli, HUB_STORE_WRITE);
	if (s == NULL) {
		free_list(collections);
		return HUB_CLI_FAIL;
	}
	token = is_user ? hub_store_user_add(s, name, role, err, sizeof err)
	                : hub_store_site_add(s, name, country, err, sizeof err);
	/* the user exists now: a representation that cannot be written is
	 * reported, and the user kept, so the command can be repeated with
	 * `user represent` */
	for (size_t i = 0; token != NULL && collections != NULL && collections[i] != NULL; i++) {
		if (hub_store_represent(s, name, collections[i], err, sizeof err) != 0) {
			hub_cli_error(HUB_CLI_FAIL, "user add: %s", err);
			puts(token);
			explicit_bzero(token, strlen(token));
			free(token);
			free_list(collections);
			hub_store_close(&s);
			return HUB_CLI_FAIL;
		}
	}
	free_list(collections);
	hub_store_close(&s);
	if (token == NULL)
		return hub_cli_error(HUB_CLI_FAIL, "%s add: %s", what, err);
	puts(token);
	explicit_bzero(token, strlen(token));
	free(token);
	return fflush(stdout) == 0 ? HUB_CLI_OK : HUB_CLI_FAIL;
}

/* Parses a whole number of seconds in 1..86400 into *out. */
static int parse_seconds(const char *text, int64_t *out)
{
	unsigned long v;
	char *stop;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(text, &stop, 10);
	if (errno != 0 || *stop != '\0' || v < 1 || v > 86400)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Splits "ADDR:PORT" or "[V6ADDR]:PORT" into *addr (new) and *port. */
static int parse_listen(const char *text, char **addr, uint16_t *port)
{
	const char *colon = strrchr(text, ':'), *start = text, *end;
	char *stop;
	unsigned long p;

	if (colon == NULL || colon == text || colon[1] == '\0')
		return -1;
	end = colon;
	if (text[0] == '[') {
		if (colon[-1] != ']')
			return -1;
		start = text + 1;
		end = colon - 1;
	}
	errno = 0;
	p = strtoul(colon + 1, &stop, 10);
	if (errno != 0 || *stop != '\0' || p > 65535 || colon[1] < '0' || colon[1] > '9' ||
	    end <= start)
		return -1;
	*addr = xstrndup(start, (size_t)(end - start));
	*port = (uint16_t)p;
	return 0;
}

/* serve's settings: the defaults, then the config file's, then the
 * command line's. Strings are borrowed from argv or the config. */
struct serve_opts {
	const char *listen_text, *criteria, *access_form, *log_path;
	unsigned long long max_body;
	int64_t task_ttl, heartbeat;
};

static void serve_opts_init(struct serve_opts *o)
{
	o->listen_text = DEFAULT_LISTEN;
	o->criteria = NULL;
	o->access_form = NULL;
	o->log_path = "/dev/stderr";
	o->max_body = SERVER_DEFAULT_MAX_BODY;
	o->task_ttl = HUB_DEFAULT_TASK_TTL_MS / 1000;
	o->heartbeat = HUB_DEFAULT_HEARTBEAT;
}

/* Sets the option named name (without "--") to value. Returns 0, or -1
 * with why set to what follows "bad --NAME " in a message. */
static int serve_opts_set(struct serve_opts *o, const char *name, const char *value, char *why,
                          size_t whylen)
{
	char *stop, *addr = NULL;
	uint16_t port;

	if (strcmp(name, "listen") == 0) {
		if (parse_listen(value, &addr, &port) != 0) {
			snprintf(why, whylen, "'%s' (ADDR:PORT)", value);
			return -1;
		}
		free(addr);
		o->listen_text = value;
	} else if (strcmp(name, "criteria") == 0 || strcmp(name, "log") == 0 ||
	           strcmp(name, "access-form") == 0) {
		if (*value == '\0') {
			snprintf(why, whylen, "'' (a file name is needed)");
			return -1;
		}
		if (name[0] == 'c')
			o->criteria = value;
		else if (name[0] == 'a')
			o->access_form = value;
		else
			o->log_path = value;
	} else if (strcmp(name, "max-body") == 0) {
		errno = 0;
		o->max_body = strtoull(value, &stop, 10);
		if (errno != 0 || *stop != '\0' || value[0] < '0' || value[0] > '9' ||
		    o->max_body == 0 || o->max_body > SIZE_MAX / 2) {
			snprintf(why, whylen, "'%s' (a number of bytes, 1 or more)", value);
			return -1;
		}
	} else if (strcmp(name, "task-ttl") == 0 || strcmp(name, "heartbeat") == 0) {
		if (parse_seconds(value, name[0] == 't' ? &o->task_ttl : &o->heartbeat) != 0) {
			snprintf(why, whylen, "'%s' (1-86400 seconds)", value);
			return -1;
		}
	} else {
		snprintf(why, whylen, "option");
		return -1;
	}
	return 0;
}

static int run_serve(struct hub_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "criteria", required_argument, NULL, 'c' },
		{ "access-form", required_argument, NULL, 'a' },
		{ "max-body", required_argument, NULL, 'm' },
		{ "log", required_argument, NULL, 'L' },
		{ "task-ttl", required_argument, NULL, 't' },
		{ "heartbeat", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct serve_opts o;
	struct datadir dd = { 0 };
	struct hub_store *store = NULL;
	struct vocab *vocab = NULL;
	struct access_form *form = NULL;
	struct hub *hub = NULL;
	const char *criteria, *form_path;
	char err[512] = "", *addr = NULL;
	uint16_t port = 0;
	sigset_t sigs;
	int c, which, sig, status = HUB_CLI_FAIL;

	serve_opts_init(&o);
	/* hub_cli_main checked every value already. */
	for (size_t i = 0; i < cli->conf.n; i++) {
		if (strcmp(cli->conf.entries[i].key, "db") != 0)
			serve_opts_set(&o, cli->conf.entries[i].key, cli->conf.entries[i].value,
			               err, sizeof err);
	}
	while ((c = getopt_long(argc, argv, "h", options, &which)) != -1) {
		if (c == 'h') {
			fputs(serve_usage, stdout);
			return HUB_CLI_OK;
		}
		if (c == '?' || c == ':')
			return bad_option("serve", argv[optind - 1]);
		if (serve_opts_set(&o, options[which].name, optarg, err, sizeof err) != 0) {
			hub_cli_error(HUB_CLI_USAGE, "serve: bad --%s %s", options[which].name,
			              err);
			return HUB_CLI_USAGE;
		}
	}
	if (optind < argc) {
		hub_cli_error(HUB_CLI_USAGE, "serve: unexpected argument '%s'", argv[optind]);
		return HUB_CLI_USAGE;
	}
	if (parse_listen(o.listen_text, &addr, &port) != 0) {
		hub_cli_error(HUB_CLI_USAGE, "serve: bad --listen '%s' (ADDR:PORT)", o.listen_text);
		return HUB_CLI_USAGE;
	}
	if (log_open(o.log_path) != 0) {
		hub_cli_error(HUB_CLI_FAIL, "cannot open log file %s", o.log_path);
		goto out;
	}
	criteria = o.criteria;
	if (criteria == NULL) {
		if (datadir_find(NULL, &dd, err, sizeof err) != 0) {
			hub_cli_error(HUB_CLI_FAIL, "%s", err);
			goto out;
		}
		criteria = dd.criteria;
	}
	vocab = vocab_load(criteria, err, sizeof err);
	if (vocab == NULL) {
		hub_cli_error(HUB_CLI_FAIL, "%s", err);
		goto out;
	}
	/* A named form must load; without one the installed form is used if
	 * there is one, and the hub serves without access requests if not. */
	form_path = o.access_form;
	if (form_path == NULL && dd.criteria == NULL)
		datadir_find(NULL, &dd, err, sizeof err);
	if (form_path == NULL && dd.access_form != NULL && access(dd.access_form, F_OK) == 0)
		form_path = dd.access_form;
	if (form_path != NULL) {
		form = access_form_load(form_path, err, sizeof err);
		if (form == NULL) {
			hub_cli_error(HUB_CLI_FAIL, "%s", err);
			goto out;
		}
	} else {
		fprintf(stderr, "ecii-hub: warning: no access form (--access-form): access "
		                "requests cannot be made\n");
	}
	store = open_existing(cli, HUB_STORE_WRITE);
	if (store == NULL)
		goto out;

	/* Blocked before the server's thread starts, so it inherits the mask and
	 * only sigwait() below takes them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	hub = hub_new(store, vocab);
	hub->form = form;
	hub->max_body = (size_t)o.max_body;
	hub->task_ttl_ms = o.task_ttl * 1000;
	hub->heartbeat = o.heartbeat;
	if (hub_start(hub, addr, port, SERVER_THREAD, err, sizeof err) != 0) {
		hub_cli_error(HUB_CLI_FAIL, "%s", err);
		goto out;
	}
	fprintf(stderr,
	        strchr(addr, ':') != NULL ? "listening on http://[%s]:%u\n"
	                                  : "listening on http://%s:%u\n",
	        addr, (unsigned int)hub_port(hub));
	fflush(stderr);
	do {
		if (sigwait(&sigs, &sig) != 0)
			sig = 0;
	} while (sig != SIGINT && sig != SIGTERM);
	log_info("signal %d: stopping", sig);
	hub_stop(hub);
	status = HUB_CLI_OK;
out:
	hub_free(&hub);
	hub_store_close(&store);
	vocab_free(&vocab);
	access_form_free(&form);
	datadir_clear(&dd);
	free(addr);
	log_close();
	return status;
}

/* Reads the --config file at path into cli->conf and checks every key and
 * value, so a mistake stops any command. Returns 0, or HUB_CLI_USAGE after
 * saying "FILE:LINE: ..." . */
static int load_config(struct hub_cli *cli, const char *path)
{
	struct serve_opts scratch;
	char err[1024] = "", why[512];
	int rc;

	rc = conf_read(path, &cli->conf, err, sizeof err);
	if (rc == 1) {
		conf_clear(&cli->conf);
		return hub_cli_error(HUB_CLI_USAGE, "cannot read %s: %s", path, strerror(ENOENT));
	}
	if (rc != 0 || conf_check(&cli->conf, config_keys, err, sizeof err) != 0)
		return hub_cli_error(HUB_CLI_USAGE, "%s", err);
	serve_opts_init(&scratch);
	for (size_t i = 0; i < cli->conf.n; i++) {
		const struct conf_entry *e = &cli->conf.entries[i];

		if (strcmp(e->key, "db") == 0) {
			if (e->value[0] != '\0')
				continue;
			snprintf(why, sizeof why, "'' (a file name is needed)");
		} else if (serve_opts_set(&scratch, e->key, e->value, why, sizeof why) == 0) {
			continue;
		}
		return hub_cli_error(HUB_CLI_USAGE, "%s:%u: bad %s %s", cli->conf.path, e->line,
		                     e->key, why);
	}
	return 0;
}

static int run_command(struct hub_cli *cli, int argc, char **argv)
{
	const char *command = argv[0];

	optind = 0; /* restart getopt for the command */
	if (strcmp(command, "init") == 0)
		return run_init(cli, argc, argv);
	if (strcmp(command, "user") == 0 || strcmp(command, "site") == 0)
		return run_user_site(cli, argc, argv);
	if (strcmp(command, "serve") == 0)
		return run_serve(cli, argc, argv);
	hub_cli_error(HUB_CLI_USAGE, "unknown command '%s' (try 'ecii-hub --help')", command);
	return HUB_CLI_USAGE;
}

int hub_cli_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct hub_cli cli = { .db = NULL };
	const char *config = NULL;
	int c, status;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hVd:", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(main_usage, stdout);
			return HUB_CLI_OK;
		case 'V':
			printf("ecii-hub %s\n", PACKAGE_VERSION);
			return HUB_CLI_OK;
		case 'd':
			cli.db = optarg;
			break;
		case 'C':
			config = optarg;
			break;
		default:
			hub_cli_error(HUB_CLI_USAGE, "unknown option '%s'", argv[optind - 1]);
			fputs(main_usage, stderr);
			return HUB_CLI_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(main_usage, stderr);
		return HUB_CLI_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		fputs(command_usage(optind + 1 < argc ? argv[optind + 1] : NULL), stdout);
		return HUB_CLI_OK;
	}
	/* No file unless one is named: nothing is read from /etc behind the
	 * administrator's back. */
	if (config != NULL && load_config(&cli, config) != 0) {
		conf_clear(&cli.conf);
		return HUB_CLI_USAGE;
	}
	if (cli.db == NULL)
		cli.db = conf_get(&cli.conf, "db");
	if (cli.db == NULL)
		cli.db = DEFAULT_DB;
	status = run_command(&cli, argc - optind, argv + optind);
	conf_clear(&cli.conf);
	return status;
}
