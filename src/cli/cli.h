/* ecii's command line: global options, the subcommand table, and what the
 * subcommands share. User-facing messages are made here, at the boundary. */
#ifndef ECII_CLI_CLI_H
#define ECII_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "client/federation.h"
#include "core/query.h"
#include "core/vocab.h"
#include "net/http_multi.h"
#include "store/client_config.h"
#include "ui/graphics.h"

/* Exit statuses (documented in ecii(1)). */
enum {
	CLI_OK = 0,
	CLI_FAIL = 1,  /* the work could not be done: data missing, I/O */
	CLI_USAGE = 2, /* bad usage or a malformed query: nothing was done */
};

struct cli {
	const char *data; /* --data DIR, or NULL */
	const char *hub;  /* --hub URL, or NULL */
	bool local;       /* --local: the demo, whatever hub is configured */
	bool json;        /* request/review: --json anywhere among their arguments */
	bool utf8;        /* the locale can show UTF-8 */
	size_t width;     /* terminal columns when stdout is a terminal, else 0 */
	/* --graphics or ECII_GRAPHICS: how images show, instead of asking the
	 * terminal; graphics_forced says whether it was given. */
	bool graphics_forced;
	enum graphics_mode graphics;
	unsigned gray_levels; /* --gray-levels: sixel gray palette, 64 by default */
};

/* Runs ecii with its command line; returns the exit status. */
int cli_main(int argc, char **argv);

/* Prints "ecii: <message>" to stderr; returns status for `return cli_error(...)`. */
int cli_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a query argument: the text itself, or stdin for "-". Returns new or
 * NULL after printing why. */
char *cli_read_arg(const char *arg);
/* Parses query text and prints any error as "ecii: query:L:C: ..."; the
 * result is canonical. Returns new or NULL. */
struct query *cli_parse_query(const struct vocab *v, const char *text);

/* Reads the config file into *cfg. Returns CLI_OK, or CLI_USAGE after
 * saying what is wrong with it. */
int cli_load_config(struct client_config *cfg);
/* Opens the federation to work on: with --local the demo; else the hub of
 * --hub, $ECII_HUB or the config file, if any; else the demo. The token is
 * $ECII_TOKEN, else the one `ecii login` stored. With a hub *net is set
 * (new). Says on stderr when the hub could not be reached and its cached
 * catalogue is used. Returns new with *status CLI_OK, or NULL with *status
 * set after saying why. */
struct federation *cli_open_federation(struct cli *cli, struct http_multi **net, int *status);

/* What the terminal on fd can show: probed (ui/graphics.h) unless the
 * user said with --graphics. */
void cli_graphics(const struct cli *cli, int fd, struct graphics_caps *caps);

/* Prints the usage of a subcommand (or of ecii for NULL) to out. */
void cli_usage(const char *command, FILE *out);

/* Subcommands: argv[0] is the subcommand's name. */
int cli_count(struct cli *cli, int argc, char **argv);
int cli_catalogue(struct cli *cli, int argc, char **argv);
int cli_show(struct cli *cli, int argc, char **argv);
int cli_query(struct cli *cli, int argc, char **argv);
int cli_preview(struct cli *cli, int argc, char **argv);
int cli_login(struct cli *cli, int argc, char **argv);
int cli_logout(struct cli *cli, int argc, char **argv);
int cli_sites(struct cli *cli, int argc, char **argv);
int cli_request(struct cli *cli, int argc, char **argv);
int cli_review(struct cli *cli, int argc, char **argv);
/* The explorer; headless when script (a file, or "-" for stdin) is given,
 * at size ("ROWSxCOLS", default 24x80). */
int cli_explore(struct cli *cli, const char *script, const char *size);

#endif
