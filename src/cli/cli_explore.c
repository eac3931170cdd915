/* ecii with no command: the explorer, on the terminal or, for tests,
 * headless (a script of keys in, screen text out). */
#include "config.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "screens/app.h"
#include "screens/headless.h"
#include "ui/term.h"

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

static int wait(void *ctx, struct pollfd *tty)
{
	return app_wait(ctx, tty, -1) < 0 ? -1 : 0;
}

int cli_explore(struct cli *cli, const char *script, const char *size)
{
	struct federation *fed = NULL;
	struct http_multi *net = NULL;
	struct app *app = NULL;
	char err[512];
	int rows = 24, cols = 80, status = CLI_FAIL;
	/* Headless: images as --graphics says, with cells of 10x20 pixels. */
	struct ui_canvas_graphics graphics = { cli->graphics_forced ? cli->graphics : GRAPHICS_NONE,
		                               10, 20, cli->gray_levels };

	if (size != NULL && (sscanf(size, "%dx%d", &rows, &cols) != 2 || rows < 1 || cols < 1 ||
	                     rows > 1000 || cols > 1000))
		return cli_error(CLI_USAGE, "--size takes ROWSxCOLS, e.g. 24x80");
	if ((fed = cli_open_federation(cli, &net, &status)) == NULL)
		return status;
	app = app_new(fed, net, script == NULL);
	if (script != NULL) {
		FILE *f = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");

		if (f == NULL) {
			cli_error(CLI_FAIL, "cannot open script %s", script);
			goto out;
		}
		status = headless_run(app, f, rows, cols, cli->utf8, &graphics, stdout, err,
		                      sizeof err) == 0
		             ? CLI_OK
		             : cli_error(CLI_USAGE, "%s", err);
		if (f != stdin)
			fclose(f);
	} else {
		struct graphics_caps caps;
		struct ui_term_client client = { app, draw, key, wait, &caps, cli->gray_levels };
		int rc;

		cli_graphics(cli, STDIN_FILENO, &caps);
		rc = ui_term_run(&client, err, sizeof err);

		status = rc < 0 ? cli_error(CLI_FAIL, "%s", err) : rc;
	}
out:
	app_free(&app);
	federation_close(&fed);
	http_multi_free(&net);
	return status;
}
