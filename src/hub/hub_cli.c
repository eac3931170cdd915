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
#include <unistd.h>

#include "core/vocab.h"
#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "util/datadir.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DEFAULT_DB     "./ecii-hub.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"

struct hub_cli {
	const char *db; /* --db PATH */
};

static const char main_usage[] =
    "usage: ecii-hub [--db PATH] COMMAND [ARGS]\n"
    "       ecii-hub --help | --version\n"
    "The central hub of an ecii federation: the catalogue API, users and site tokens.\n"
    "\n"
    "Commands:\n"
    "  init                                   create the hub database\n"
    "  user add NAME --role researcher|admin  add a user; prints its token once\n"
    "  site add NAME [--country CC]           add a site; prints its token once\n"
    "  serve [--listen ADDR:PORT] [--criteria FILE] [--max-body BYTES] [--log FILE]\n"
    "                                         answer the HTTP API until SIGTERM or SIGINT\n"
    "  help [COMMAND]                         this text, or a command's\n"
    "\n"
    "Options:\n"
    "  --db PATH   the hub database (default " DEFAULT_DB ")\n"
    "\n"
    "Exit status: 0 success, 1 the work could not be done, 2 bad usage.\n"
    "See ecii-hub(8).\n";

static const char init_usage[] = "usage: ecii-hub [--db PATH] init\n"
                                 "Create the hub database (an existing one is kept as it is).\n";

static const char user_usage[] =
    "usage: ecii-hub [--db PATH] user add NAME --role researcher|admin\n"
    "Add user NAME (letters, digits, '.', '_', '-'; at most 64) and print its bearer\n"
    "token on stdout. The token is shown this once: the hub keeps only its hash.\n";

static const char site_usage[] =
    "usage: ecii-hub [--db PATH] site add NAME [--country CC]\n"
    "Add site NAME and print its bearer token on stdout, once. The site uses it to\n"
    "publish its collections (PUT /api/catalogue/sites/NAME/collections).\n"
    "  --country CC   the site's country, e.g. ES\n";

static const char serve_usage[] =
    "usage: ecii-hub [--db PATH] serve [--listen ADDR:PORT] [--criteria FILE]\n"
    "                                  [--max-body BYTES] [--log FILE]\n"
    "Answer the catalogue API over HTTP until SIGTERM or SIGINT.\n"
    "  --listen ADDR:PORT  numeric address and port (default " DEFAULT_LISTEN ");\n"
    "                      port 0 picks a free one; [::1]:PORT for IPv6\n"
    "  --criteria FILE     the vocabulary served at /api/catalogue/criteria\n"
    "                      (default: the installed data/criteria.json; also ECII_DATA)\n"
    "  --max-body BYTES    longest request body accepted (default 1048576)\n"
    "  --log FILE          log requests to FILE (default: standard error); tokens\n"
    "                      are never logged\n";

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

/* Opens the existing database for writing; prints why not and returns NULL. */
static struct hub_store *open_existing(const struct hub_cli *cli)
{
	char err[512] = "";
	struct hub_store *s;

	if (access(cli->db, F_OK) != 0) {
		hub_cli_error(HUB_CLI_FAIL, "no hub database at %s (run 'ecii-hub init' first)",
		              cli->db);
		return NULL;
	}
	s = hub_store_open(cli->db, HUB_STORE_WRITE, err, sizeof err);
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

/* "user add NAME --role R" and "site add NAME [--country CC]". */
static int run_add(struct hub_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "country", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *what = argv[0], *role_text = NULL, *country = NULL, *name;
	bool is_user = strcmp(what, "user") == 0;
	enum hub_role role = HUB_ROLE_RESEARCHER;
	struct hub_store *s;
	char err[512] = "", *token;
	int c;

	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(command_usage(what), stdout);
			return HUB_CLI_OK;
		} else if (c == 'r' && is_user) {
			role_text = optarg;
		} else if (c == 'c' && !is_user) {
			country = optarg;
		} else {
			return bad_option(what, c == 'r'   ? "--role"
			                        : c == 'c' ? "--country"
			                                   : argv[optind - 1]);
		}
	}
	if (optind >= argc || strcmp(argv[optind], "add") != 0) {
		hub_cli_error(HUB_CLI_USAGE, "%s: expected 'add' (try 'ecii-hub %s --help')", what,
		              what);
		return HUB_CLI_USAGE;
	}
	/* options may follow the name (NAME --role admin): restart getopt after
	 * "add", in permuting mode */
	argv += optind;
	argc -= optind;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(command_usage(what), stdout);
			return HUB_CLI_OK;
		} else if (c == 'r' && is_user) {
			role_text = optarg;
		} else if (c == 'c' && !is_user) {
			country = optarg;
		} else {
			return bad_option(what, c == 'r'   ? "--role"
			                        : c == 'c' ? "--country"
			                                   : argv[optind - 1]);
		}
	}
	if (optind + 1 != argc) {
		hub_cli_error(HUB_CLI_USAGE, "%s add: expected one NAME", what);
		return HUB_CLI_USAGE;
	}
	name = argv[optind];
	if (!hub_name_valid(name)) {
		hub_cli_error(HUB_CLI_USAGE,
		              "%s add: bad name '%s' (1-%d letters, digits, '.', '_', '-')", what,
		              name, HUB_NAME_MAX);
		return HUB_CLI_USAGE;
	}
	if (is_user) {
		if (role_text == NULL) {
			hub_cli_error(HUB_CLI_USAGE,
			              "user add: --role researcher|admin is required");
			return HUB_CLI_USAGE;
		}
		if (hub_role_parse(role_text, &role, err, sizeof err) != 0)
			return hub_cli_error(HUB_CLI_USAGE, "user add: %s", err);
	}
	s = open_existing(cli);
	if (s == NULL)
		return HUB_CLI_FAIL;
	token = is_user ? hub_store_user_add(s, name, role, err, sizeof err)
	                : hub_store_site_add(s, name, country, err, sizeof err);
	hub_store_close(&s);
	if (token == NULL)
		return hub_cli_error(HUB_CLI_FAIL, "%s add: %s", what, err);
	puts(token);
	explicit_bzero(token, strlen(token));
	free(token);
	return fflush(stdout) == 0 ? HUB_CLI_OK : HUB_CLI_FAIL;
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

static int run_serve(struct hub_cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "criteria", required_argument, NULL, 'c' },
		{ "max-body", required_argument, NULL, 'm' },
		{ "log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_text = DEFAULT_LISTEN, *criteria = NULL, *log_path = "/dev/stderr";
	unsigned long long max_body = SERVER_DEFAULT_MAX_BODY;
	struct datadir dd = { 0 };
	struct hub_store *store = NULL;
	struct vocab *vocab = NULL;
	struct hub *hub = NULL;
	char err[512] = "", *addr = NULL, *stop;
	uint16_t port = 0;
	sigset_t sigs;
	int c, sig, status = HUB_CLI_FAIL;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(serve_usage, stdout);
			return HUB_CLI_OK;
		case 'l':
			listen_text = optarg;
			break;
		case 'c':
			criteria = optarg;
			break;
		case 'm':
			errno = 0;
			max_body = strtoull(optarg, &stop, 10);
			if (errno != 0 || *stop != '\0' || optarg[0] < '0' || optarg[0] > '9' ||
			    max_body == 0 || max_body > SIZE_MAX / 2) {
				hub_cli_error(HUB_CLI_USAGE, "serve: bad --max-body '%s'", optarg);
				return HUB_CLI_USAGE;
			}
			break;
		case 'L':
			log_path = optarg;
			break;
		default:
			return bad_option("serve", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		hub_cli_error(HUB_CLI_USAGE, "serve: unexpected argument '%s'", argv[optind]);
		return HUB_CLI_USAGE;
	}
	if (parse_listen(listen_text, &addr, &port) != 0) {
		hub_cli_error(HUB_CLI_USAGE, "serve: bad --listen '%s' (ADDR:PORT)", listen_text);
		return HUB_CLI_USAGE;
	}
	if (log_open(log_path) != 0) {
		hub_cli_error(HUB_CLI_FAIL, "cannot open log file %s", log_path);
		goto out;
	}
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
	store = open_existing(cli);
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
	hub->max_body = (size_t)max_body;
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
	datadir_clear(&dd);
	free(addr);
	log_close();
	return status;
}

int hub_cli_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct hub_cli cli = { .db = DEFAULT_DB };
	const char *command;
	int c;

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
	command = argv[optind];
	if (strcmp(command, "help") == 0) {
		fputs(command_usage(optind + 1 < argc ? argv[optind + 1] : NULL), stdout);
		return HUB_CLI_OK;
	}
	argv += optind;
	argc -= optind;
	optind = 0; /* restart getopt for the command */
	if (strcmp(command, "init") == 0)
		return run_init(&cli, argc, argv);
	if (strcmp(command, "user") == 0 || strcmp(command, "site") == 0)
		return run_add(&cli, argc, argv);
	if (strcmp(command, "serve") == 0)
		return run_serve(&cli, argc, argv);
	hub_cli_error(HUB_CLI_USAGE, "unknown command '%s' (try 'ecii-hub --help')", command);
	return HUB_CLI_USAGE;
}
