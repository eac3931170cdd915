/* Which federation ecii works on, and the commands that concern a hub:
 * login, logout and sites. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "net/http_client.h"
#include "store/client_config.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

#define TOKEN_MAX 512

/* The hub to use, new, or NULL for local mode; *status set on an error. */
static char *pick_hub(const struct cli *cli, const struct client_config *cfg, int *status)
{
	const char *env = getenv("ECII_HUB"), *url;
	char err[256], *hub;

	if (cli->local)
		return NULL;
	url = cli->hub != NULL ? cli->hub : env != NULL && env[0] != '\0' ? env : cfg->hub;
	if (url == NULL)
		return NULL;
	hub = client_hub_normalise(url, err, sizeof err);
	if (hub == NULL)
		*status = cli_error(CLI_USAGE, "%s", err);
	return hub;
}

int cli_load_config(struct client_config *cfg)
{
	char err[512];

	if (client_config_load(cfg, err, sizeof err) != 0)
		return cli_error(CLI_USAGE, "%s", err);
	return CLI_OK;
}

/* The user's token for hub: $ECII_TOKEN, else the stored one; new or NULL. */
static char *pick_token(const char *hub)
{
	const char *env = getenv("ECII_TOKEN");
	char err[512], *token;

	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	token = credentials_get(hub, err, sizeof err);
	if (token == NULL && err[0] != '\0')
		cli_error(CLI_FAIL, "%s", err); /* a warning: go on without it */
	return token;
}

struct federation *cli_open_federation(struct cli *cli, struct http_multi **net, int *status)
{
	struct client_config cfg = { 0 };
	struct federation_options o = { .data = cli->data };
	struct federation *fed = NULL;
	char err[1024], *hub = NULL, *token = NULL;

	*status = cli_load_config(&cfg);
	if (*status != CLI_OK)
		goto out;
	hub = pick_hub(cli, &cfg, status);
	if (*status != CLI_OK)
		goto out;
	if (hub != NULL) {
		if (http_client_global_init() != 0) {
			*status = cli_error(CLI_FAIL, "cannot start libcurl");
			goto out;
		}
		token = pick_token(hub);
	}
	o.hub = hub;
	o.token = token;
	o.site_timeout_ms = cfg.site_timeout_ms;
	fed = federation_open(&o, err, sizeof err);
	if (fed == NULL) {
		char *clean = sanitize_text(err);

		*status = cli_error(CLI_FAIL, "%s", clean);
		free(clean);
		goto out;
	}
	if (fed->offline_as_of != NULL) {
		char *why = sanitize_text(fed->offline_reason),
		     *as_of = sanitize_text(fed->offline_as_of);

		cli_error(CLI_FAIL, "%s; using the catalogue cached at %s", why, as_of);
		free(why);
		free(as_of);
	}
	if (hub != NULL)
		*net = http_multi_new();
	*status = CLI_OK;
out:
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	free(hub);
	client_config_clear(&cfg);
	return fed;
}

/* Reads the token from the terminal without echo, or a line of stdin.
 * Returns new, or NULL after saying why. */
static char *read_token(const char *hub)
{
	char line[TOKEN_MAX + 2];
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t len;
	char *ok;

	if (tty) {
		char *clean = sanitize_text(hub);

		fprintf(stderr, "Token for %s (ecii-hub user add prints it): ", clean);
		free(clean);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(line, sizeof line, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (ok == NULL) {
		cli_error(CLI_USAGE, "login: no token given");
		return NULL;
	}
	len = strcspn(line, "\r\n");
	if (line[len] == '\0' && len > TOKEN_MAX) {
		cli_error(CLI_USAGE, "login: the token is longer than %d characters", TOKEN_MAX);
		return NULL;
	}
	line[len] = '\0';
	if (len == 0) {
		cli_error(CLI_USAGE, "login: no token given");
		return NULL;
	}
	ok = xstrdup(line);
	explicit_bzero(line, sizeof line);
	return ok;
}

/* Asks the hub who token belongs to. Returns 0 with *who ("name (ROLE,
 * ...)", new, sanitised), or a CLI status after saying why. */
static int check_token(const char *hub, const char *token, char **who)
{
	struct http_client *c;
	struct http_reply reply = { 0 };
	json_t *doc = NULL, *roles;
	char err[512], msg[256];
	int status = CLI_FAIL;

	if (http_client_global_init() != 0) {
		cli_error(CLI_FAIL, "cannot start libcurl");
		return CLI_FAIL;
	}
	c = http_client_new(hub, token, 3000, NULL, err, sizeof err);
	if (c == NULL || http_client_request(c, "GET", "/api/v3/userinfo", NULL, 10000, 0, &reply,
	                                     err, sizeof err) != 0) {
		cli_error(CLI_FAIL, "login: %s", err);
		goto out;
	}
	if (reply.status == 401 || reply.status == 403) {
		http_reply_message(&reply, msg, sizeof msg);
		cli_error(CLI_FAIL,
		          "login: the hub does not accept this token (%ld %s); nothing stored",
		          reply.status, msg);
		goto out;
	}
	doc = reply.status == 200 ? json_loads(reply.body.data, 0, NULL) : NULL;
	if (json_string_value(json_object_get(doc, "name")) == NULL) {
		cli_error(CLI_FAIL,
		          "login: the hub answered %ld to GET /api/v3/userinfo, not a user",
		          reply.status);
		goto out;
	}
	{
		struct buf text = BUF_INIT;
		size_t i;
		json_t *r;
		char *clean;

		buf_puts(&text, json_string_value(json_object_get(doc, "name")));
		roles = json_object_get(doc, "roles");
		json_array_foreach (roles, i, r)
			buf_printf(&text, "%s%s", i == 0 ? " (" : ", ",
			           json_string_value(r) != NULL ? json_string_value(r) : "?");
		if (json_array_size(roles) > 0)
			buf_puts(&text, ")");
		clean = sanitize_text(buf_str(&text));
		buf_free(&text);
		*who = clean;
	}
	status = CLI_OK;
out:
	json_decref(doc);
	http_reply_clear(&reply);
	http_client_free(&c);
	return status;
}

/* The hub a login or logout is about, new; NULL after saying why. */
static char *hub_for(const struct cli *cli, const char *command)
{
	struct client_config cfg = { 0 };
	int status = CLI_OK;
	char *hub = NULL;

	if (cli_load_config(&cfg) != CLI_OK)
		return NULL;
	if (cli->local)
		cli_error(CLI_USAGE, "%s: --local has no hub", command);
	else if ((hub = pick_hub(cli, &cfg, &status)) == NULL && status == CLI_OK)
		cli_error(CLI_USAGE,
		          "%s: which hub? Give --hub URL, set ECII_HUB, or put hub = URL in %s",
		          command, cfg.path != NULL ? cfg.path : "~/.config/ecii/config");
	client_config_clear(&cfg);
	return hub;
}

static int simple_opts(int argc, char **argv, const char *command)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(command, stdout);
			return -2;
		}
		cli_error(CLI_USAGE, "%s: unknown option '%s'", command, argv[optind - 1]);
		return -1;
	}
	if (optind != argc) {
		cli_error(CLI_USAGE, "%s: unexpected argument '%s'", command, argv[optind]);
		return -1;
	}
	return 0;
}

int cli_login(struct cli *cli, int argc, char **argv)
{
	char *hub = NULL, *token = NULL, *who = NULL, err[512], *clean_hub;
	int rc = simple_opts(argc, argv, "login"), status;

	if (rc != 0)
		return rc == -2 ? CLI_OK : CLI_USAGE;
	if ((hub = hub_for(cli, "login")) == NULL)
		return CLI_USAGE;
	status = CLI_USAGE;
	if ((token = read_token(hub)) == NULL)
		goto out;
	if ((status = check_token(hub, token, &who)) != CLI_OK)
		goto out;
	if (credentials_put(hub, token, err, sizeof err) != 0) {
		status = cli_error(CLI_FAIL, "login: %s", err);
		goto out;
	}
	clean_hub = sanitize_text(hub);
	printf("Logged in to %s as %s.\n", clean_hub, who);
	free(clean_hub);
out:
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	free(who);
	free(hub);
	return status;
}

int cli_logout(struct cli *cli, int argc, char **argv)
{
	char *hub, err[512], *clean;
	int rc = simple_opts(argc, argv, "logout"), status = CLI_OK;

	if (rc != 0)
		return rc == -2 ? CLI_OK : CLI_USAGE;
	if ((hub = hub_for(cli, "logout")) == NULL)
		return CLI_USAGE;
	clean = sanitize_text(hub);
	if (credentials_remove(hub, err, sizeof err) != 0)
		status = cli_error(CLI_FAIL, "logout: %s", err);
	else
		printf("Logged out of %s: its token is no longer stored.\n", clean);
	free(clean);
	free(hub);
	return status;
}

int cli_sites(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *headers[] = { "SITE", "COUNTRY", "STATE" };
	struct federation *fed;
	struct http_multi *net = NULL;
	bool json = false;
	int c, status;

	while ((c = getopt_long(argc, argv, "hj", options, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			cli_usage("sites", stdout);
			return CLI_OK;
		} else {
			cli_error(CLI_USAGE, "sites: unknown option '%s'", argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return cli_error(CLI_USAGE, "sites: unexpected argument '%s'", argv[optind]);
	if ((fed = cli_open_federation(cli, &net, &status)) == NULL)
		return status;
	if (json) {
		json_t *doc = json_array();
		char *dump;

		for (size_t i = 0; i < fed->n_sites; i++)
			json_array_append_new(
			    doc, json_pack("{s:s, s:s, s:b}", "name", fed->sites[i].id, "country",
			                   fed->sites[i].country, "online", fed->sites[i].online));
		dump = json_dumps(doc, JSON_INDENT(2));
		puts(dump);
		free(dump);
		json_decref(doc);
	} else {
		struct table *t = table_new(3, headers);

		for (size_t i = 0; i < fed->n_sites; i++) {
			char *id = sanitize_text(fed->sites[i].id);
			char *country = sanitize_text(fed->sites[i].country);
			const char *row[] = { id, country,
				              fed->local != NULL           ? "local"
				              : fed->offline_as_of != NULL ? "unknown (offline)"
				              : fed->sites[i].online       ? "online"
				                                           : "offline" };

			table_add_row(t, row);
			free(id);
			free(country);
		}
		table_print(t, stdout, cli->width, 0, cli->utf8);
		table_free(&t);
	}
	federation_close(&fed);
	http_multi_free(&net);
	return CLI_OK;
}
