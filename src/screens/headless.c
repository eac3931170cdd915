/* The headless script runner. */
#include "config.h"

#include "screens/headless.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/keys.h"

static void dump(struct app *app, struct ui_canvas *c, FILE *out)
{
	char *text;

	app_draw(app, c);
	text = ui_canvas_text(c);
	fprintf(out, "--- screen %dx%d\n%s", c->rows, c->cols, text);
	free(text);
	/* Sixel images are drawn over blank cells by the terminal backend:
	 * say where, so tests can check the cells and the bounds. */
	for (int i = 0; i < c->n_images; i++) {
		const struct ui_placement *p = &c->images[i];

		fprintf(out, "--- image at row %d col %d: %ux%u px over %dx%d cells\n", p->y, p->x,
		        p->px_w, p->px_h, p->rows, p->cols);
	}
}

/* Presses each key named in the space-separated list. */
static int press_names(struct app *app, char *names, char *err, size_t errlen, int line)
{
	char *save = NULL;

	for (char *n = strtok_r(names, " \t", &save); n != NULL; n = strtok_r(NULL, " \t", &save)) {
		int key = ui_key_parse(n);

		if (key == UI_KEY_NONE) {
			snprintf(err, errlen, "script:%d: unknown key '%s'", line, n);
			return -1;
		}
		if (!app_key(app, key))
			break;
	}
	return 0;
}

static void type_text(struct app *app, const char *text)
{
	size_t n = strlen(text);

	while (n > 0 && !app->quit) {
		wchar_t wc;
		mbstate_t st;
		size_t len;

		memset(&st, 0, sizeof st);
		len = mbrtowc(&wc, text, n, &st);
		if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
			len = 1;
			wc = (unsigned char)*text;
		}
		app_key(app, (int)wc);
		text += len;
		n -= len;
	}
}

int headless_run(struct app *app, FILE *script, int rows, int cols, bool utf8,
                 const struct ui_canvas_graphics *graphics, FILE *out, char *err, size_t errlen)
{
	struct ui_canvas *c = ui_canvas_new(rows, cols, utf8);
	char buf[4096];
	int line = 0, rc = 0;

	if (graphics != NULL)
		c->graphics = *graphics;
	while (rc == 0 && !app->quit && fgets(buf, sizeof buf, script) != NULL) {
		size_t len = strcspn(buf, "\n");
		int y, x;

		line++;
		buf[len] = '\0';
		if (buf[0] == '\0' || buf[0] == '#')
			continue;
		if (strncmp(buf, "key ", 4) == 0) {
			rc = press_names(app, buf + 4, err, errlen, line);
		} else if (strncmp(buf, "type ", 5) == 0) {
			type_text(app, buf + 5);
		} else if (sscanf(buf, "click %d %d", &y, &x) == 2) {
			app->mouse_y = y;
			app->mouse_x = x;
			app_key(app, UI_KEY_MOUSE_CLICK);
		} else if (sscanf(buf, "resize %dx%d", &y, &x) == 2 && y > 0 && x > 0) {
			ui_canvas_resize(c, y, x);
			app_key(app, UI_KEY_RESIZE);
		} else if (strcmp(buf, "dump") == 0) {
			dump(app, c, out);
		} else {
			snprintf(err, errlen, "script:%d: unknown command '%s'", line, buf);
			rc = -1;
		}
	}
	ui_canvas_free(&c);
	return rc;
}
