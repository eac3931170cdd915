/* ecii with no command: the explorer, on the terminal or, for tests,
 * headless (a script of keys in, screen text out). */
#include "config.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "node/local.h"
#include "screens/app.h"
#include "screens/headless.h"
#include "ui/term.h"
#include "util/datadir.h"

static void draw(void *ctx, struct ui_canvas *c)
{
	app_draw(ctx, c);
}

static bool key(void *ctx, int k, int y, int x)
{
	struct app *app = ctx;

	app->mouse_y = y;
	app->mouse_x = x;
	return app_key(app, k);
}

static int fd(void *ctx)
{
	return app_fd(ctx);
}

static bool fd_ready(void *ctx)
{
	return app_fd_ready(ctx);
}

int cli_explore(struct cli *cli, const char *script, const char *size)
{
	struct datadir dd;
	struct local_fed *fed = NULL;
	struct app *app = NULL;
	char err[512];
	int rows = 24, cols = 80, status = CLI_FAIL;

	if (size != NULL && (sscanf(size, "%dx%d", &rows, &cols) != 2 || rows < 1 || cols < 1 ||
	                     rows > 1000 || cols > 1000))
		return cli_error(CLI_USAGE, "--size takes ROWSxCOLS, e.g. 24x80");
	if (datadir_find(cli->data, &dd, err, sizeof err) != 0 ||
	    (fed = local_open(&dd, err, sizeof err)) == NULL) {
		cli_error(CLI_FAIL, "%s", err);
		goto out;
	}
	app = app_new(fed, script == NULL);
	if (script != NULL) {
		FILE *f = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");

		if (f == NULL) {
			cli_error(CLI_FAIL, "cannot open script %s", script);
			goto out;
		}
		status = headless_run(app, f, rows, cols, cli->utf8, stdout, err, sizeof err) == 0
		             ? CLI_OK
		             : cli_error(CLI_USAGE, "%s", err);
		if (f != stdin)
			fclose(f);
	} else {
		struct ui_term_client client = { app, draw, key, fd, fd_ready };
		int rc = ui_term_run(&client, err, sizeof err);

		status = rc < 0 ? cli_error(CLI_FAIL, "%s", err) : rc;
	}
out:
	app_free(&app);
	local_close(&fed);
	datadir_clear(&dd);
	return status;
}
