/* ecii-node's command line. Messages go to stderr as "ecii-node: ...";
 * the work is logged to --log (default standard error). The site token
 * comes from --site-token, --token-file (mode 0600 or stricter) or
 * $ECII_SITE_TOKEN, and is never printed or logged. */
#include "config.h"

#include "node/node_cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/vocab.h"
#include "net/http_client.h"
#include "node/agent.h"
#include "node/site.h"
#include "util/datadir.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xmalloc.h"

static atomic_bool node_cli_stop;

static const char usage[] =
    "usage: ecii-node --hub URL (--site-token TOKEN | --token-file FILE) --store SITE.db\n"
    "                 [--criteria FILE] [--log FILE] [--once]\n"
    "       ecii-node --help | --version\n"
    "The site agent of an ecii federation: publishes the site's collections to the hub,\n"
    "then answers its count tasks with the privacy rule applied, until SIGTERM or SIGINT.\n"
    "It only makes outbound connections.\n"
    "\n"
    "  --hub URL          the hub, e.g. http://hub.example:8080\n"
    "  --site-token TOKEN the site's token (from 'ecii-hub site add'); visible in ps:\n"
    "                     prefer --token-file or ECII_SITE_TOKEN\n"
    "  --token-file FILE  read the token from FILE, which others must not be able to\n"
    "                     read (mode 0600 or stricter)\n"
    "  --store SITE.db    the site's store; its site id is the site's name at the hub\n"
    "  --criteria FILE    the vocabulary (default: the installed data/criteria.json;\n"
    "                     also ECII_DATA)\n"
    "  --log FILE         log to FILE (default: standard error); tokens are never logged\n"
    "  --once             publish, answer the tasks waiting now, and exit\n"
    "\n"
    "Environment: ECII_SITE_TOKEN, the token when no option gives one.\n"
    "Exit status: 0 success, 1 the work could not be done, 2 bad usage.\n"
    "See ecii-node(8).\n";

static int node_cli_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int node_cli_error(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("ecii-node: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&node_cli_stop, true);
}

/* Reads the token from path into *token (new). Returns 0, or -1 after
 * saying why; the token itself is never in a message. */
static int read_token_file(const char *path, char **token)
{
	struct stat st;
	char *text;
	size_t len = 0;

	if (stat(path, &st) != 0)
		return node_cli_error(-1, "cannot read token file %s: %s", path, strerror(errno));
	if ((st.st_mode & 07777 & ~(mode_t)0600) != 0) {
		node_cli_error(-1,
		               "token file %s has mode %04o: others may read it; "
		               "run 'chmod 600 %s'",
		               path, (unsigned int)(st.st_mode & 07777), path);
		return -1;
	}
	text = file_read_all(path, &len);
	if (text == NULL)
		return node_cli_error(-1, "cannot read token file %s: %s", path, strerror(errno));
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' ||
	                   text[len - 1] == '\t'))
		text[--len] = '\0';
	*token = text;
	return 0;
}

static bool token_ok(const char *t)
{
	if (t[0] == '\0')
		return false;
	for (const char *p = t; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	}
	return true;
}

static bool url_ok(const char *url)
{
	return (strncmp(url, "http://", 7) == 0 && url[7] != '\0') ||
	       (strncmp(url, "https://", 8) == 0 && url[8] != '\0');
}

int node_cli_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "hub", required_argument, NULL, 'u' },
		{ "site-token", required_argument, NULL, 't' },
		{ "token-file", required_argument, NULL, 'f' },
		{ "store", required_argument, NULL, 's' },
		{ "criteria", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'L' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *hub = NULL, *token_arg = NULL, *token_file = NULL, *store = NULL;
	const char *criteria = NULL, *log_path = "/dev/stderr";
	struct node_agent_config cfg = { 0 };
	struct datadir dd = { 0 };
	struct vocab *vocab = NULL;
	struct node_site *site = NULL;
	struct sigaction sa;
	char err[512] = "", *token = NULL;
	bool once = false, curl_up = false;
	int c, status = NODE_CLI_FAIL;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return NODE_CLI_OK;
		case 'V':
			printf("ecii-node %s\n", PACKAGE_VERSION);
			return NODE_CLI_OK;
		case 'u':
			hub = optarg;
			break;
		case 't':
			token_arg = optarg;
			break;
		case 'f':
			token_file = optarg;
			break;
		case 's':
			store = optarg;
			break;
		case 'c':
			criteria = optarg;
			break;
		case 'L':
			log_path = optarg;
			break;
		case 'o':
			once = true;
			break;
		default:
			node_cli_error(NODE_CLI_USAGE, "unknown option or missing value '%s'",
			               argv[optind - 1]);
			fputs(usage, stderr);
			return NODE_CLI_USAGE;
		}
	}
	if (optind < argc)
		return node_cli_error(NODE_CLI_USAGE, "unexpected argument '%s'", argv[optind]);
	if (hub == NULL || store == NULL)
		return node_cli_error(NODE_CLI_USAGE,
		                      "--hub and --store are required (try --help)");
	if (!url_ok(hub))
		return node_cli_error(NODE_CLI_USAGE, "bad --hub '%s' (http://HOST:PORT)", hub);
	if (token_arg != NULL && token_file != NULL)
		return node_cli_error(NODE_CLI_USAGE,
		                      "give --site-token or --token-file, not both");
	if (token_file != NULL) {
		if (read_token_file(token_file, &token) != 0)
			return NODE_CLI_USAGE;
	} else if (token_arg != NULL) {
		token = xstrdup(token_arg);
	} else if (getenv("ECII_SITE_TOKEN") != NULL) {
		token = xstrdup(getenv("ECII_SITE_TOKEN"));
	} else {
		return node_cli_error(NODE_CLI_USAGE,
		                      "no site token: give --site-token, --token-file or "
		                      "ECII_SITE_TOKEN");
	}
	if (!token_ok(token)) {
		node_cli_error(NODE_CLI_USAGE, "the site token is empty or holds spaces or "
		                               "control characters");
		status = NODE_CLI_USAGE;
		goto out;
	}
	if (log_open(log_path) != 0) {
		node_cli_error(NODE_CLI_FAIL, "cannot open log file %s", log_path);
		goto out;
	}
	if (criteria == NULL) {
		if (datadir_find(NULL, &dd, err, sizeof err) != 0) {
			node_cli_error(NODE_CLI_FAIL, "%s", err);
			goto out;
		}
		criteria = dd.criteria;
	}
	vocab = vocab_load(criteria, err, sizeof err);
	if (vocab == NULL) {
		node_cli_error(NODE_CLI_FAIL, "%s", err);
		goto out;
	}
	site = node_site_open(store, vocab, err, sizeof err);
	if (site == NULL) {
		node_cli_error(NODE_CLI_FAIL, "%s", err);
		goto out;
	}
	if (http_client_global_init() != 0) {
		node_cli_error(NODE_CLI_FAIL, "cannot set up libcurl");
		goto out;
	}
	curl_up = true;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	cfg.hub_url = hub;
	cfg.token = token;
	cfg.once = once;
	cfg.stop = &node_cli_stop;
	if (node_agent_run(site, &cfg, err, sizeof err) != 0) {
		node_cli_error(NODE_CLI_FAIL, "%s", err);
		goto out;
	}
	status = NODE_CLI_OK;
out:
	if (curl_up)
		http_client_global_cleanup();
	node_site_close(&site);
	vocab_free(&vocab);
	datadir_clear(&dd);
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	log_close();
	return status;
}
