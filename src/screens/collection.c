/* The collection screen: everything the catalogue says about one
 * collection (the fields `ecii show` prints), its description wrapped to
 * the width and its published previews, in a scrollable page. Space
 * selects it for an access request. It reads the §5 item and never edits
 * it; every string goes through the pager, which sanitises it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "screens/app.h"
#include "screens/pager.h"
#include "screens/preview_view.h"
#include "screens/screen.h"
#include "util/xmalloc.h"
#include "util/format.h"

/* As wide as `ecii show`'s labels. */
#define COLLECTION_LABEL_WIDTH 18
/* The first preview shows beside the page on terminals this wide. */
#define COLLECTION_PREVIEW_MIN_COLS 80

struct collection_state {
	char *id;     /* copied at enter */
	json_t *item; /* borrowed from app->catalogue; NULL if the id is unknown */
	struct pager page;
	struct preview_view preview; /* the first preview, opened when first shown */
	size_t n_previews;
};

static const char *count_text(json_t *item, const char *name, char *buf, size_t size)
{
	return format_count(catalogue_item_count(item, name), buf, size);
}

static void add_list(struct pager *p, json_t *item, const char *label, const char *name)
{
	char *joined = catalogue_item_join(item, name, ", ");

	pager_add_field(p, label, joined);
	free(joined);
}

static void add_formatted(struct pager *p, const char *label, char *value)
{
	pager_add_field(p, label, value);
	free(value);
}

static void add_previews(struct pager *p, json_t *item)
{
	json_t *previews = json_object_get(item, "previews"), *v;
	size_t i, shown = 0;

	pager_add_heading(p, "Previews", UI_STYLE_HEADER);
	json_array_foreach (previews, i, v) {
		const char *title = catalogue_item_str(v, "title");
		const char *type = catalogue_item_str(v, "media_type");
		char *line;

		if (*title == '\0')
			title = catalogue_item_str(v, "id");
		line = *type != '\0' ? xasprintf("%s (%s)", title, type) : xstrdup(title);
		pager_add_paragraph(p, line, 2, UI_STYLE_NORMAL);
		free(line);
		shown++;
	}
	if (shown == 0)
		pager_add_paragraph(p, "No previews published", 2, UI_STYLE_MUTED);
	else
		pager_add_paragraph(p, "v shows them", 2, UI_STYLE_MUTED);
}

/* Fills the page from the item; called again when the selection changes. */
static void build(struct app *app, struct collection_state *s)
{
	struct pager *p = &s->page;
	json_t *item = s->item, *low, *high, *years;
	char a[32], b[32], c[32];
	bool selected = app_is_selected(app, s->id);
	const char *name;
	char *heading;

	pager_reset(p, COLLECTION_LABEL_WIDTH);
	if (item == NULL) {
		add_formatted(p, "Id", xstrdup(s->id));
		pager_add_paragraph(p, "No collection with this id in the catalogue.", 0,
		                    UI_STYLE_ERROR);
		return;
	}
	name = catalogue_item_str(item, "name");
	heading = xasprintf("%s%s", *name != '\0' ? name : s->id, selected ? "  [selected]" : "");
	pager_add_heading(p, heading, UI_STYLE_ACCENT);
	free(heading);
	pager_add_field(p, "Selection",
	                selected ? "selected for an access request (Space unselects)"
	                         : "not selected (Space selects)");
	pager_add_blank(p);
	pager_add_field(p, "Id", catalogue_item_str(item, "id"));
	pager_add_field(p, "Name", name);
	pager_add_field(p, "Acronym", catalogue_item_str(item, "acronym"));
	if (*catalogue_item_str2(item, "provider", "name") != '\0')
		add_formatted(p, "Provider",
		              xasprintf("%s (%s), %s",
		                        catalogue_item_str2(item, "provider", "name"),
		                        catalogue_item_str2(item, "provider", "id"),
		                        catalogue_item_str2(item, "provider", "country")));
	add_formatted(p, "Size",
	              xasprintf("%s subjects, %s studies, %s series",
	                        count_text(item, "number_of_subjects", a, sizeof a),
	                        count_text(item, "number_of_studies", b, sizeof b),
	                        count_text(item, "number_of_series", c, sizeof c)));
	add_list(p, item, "Condition", "condition");
	add_list(p, item, "Body parts", "body_part_examined");
	add_list(p, item, "Modalities", "imaging_modality");
	add_list(p, item, "Vendors", "vendor");
	add_list(p, item, "Sex", "sex");
	low = json_object_get(item, "age_low");
	high = json_object_get(item, "age_high");
	if (json_is_number(low) && json_is_number(high))
		add_formatted(
		    p, "Age",
		    xasprintf("%g to %g years", json_number_value(low), json_number_value(high)));
	years = json_object_get(item, "image_year_range");
	if (json_is_string(years))
		pager_add_field(p, "Image years", json_string_value(years));
	else if (json_is_object(years))
		add_formatted(p, "Image years",
		              xasprintf("%g to %g",
		                        json_number_value(json_object_get(years, "min")),
		                        json_number_value(json_object_get(years, "max"))));
	pager_add_field(p, "Access", catalogue_item_str(item, "image_access_type"));
	pager_add_field(p, "Intended purpose", catalogue_item_str(item, "intended_purpose"));
	pager_add_field(p, "Terms of use", catalogue_item_str(item, "terms_of_use"));
	if (*catalogue_item_str2(item, "contact", "email") != '\0')
		add_formatted(p, "Contact",
		              xasprintf("%s <%s>", catalogue_item_str2(item, "contact", "name"),
		                        catalogue_item_str2(item, "contact", "email")));
	else
		pager_add_field(p, "Contact", catalogue_item_str2(item, "contact", "name"));
	pager_add_field(p, "Version", catalogue_item_str(item, "version"));
	pager_add_field(p, "Updated", catalogue_item_str(item, "updated"));
	if (json_is_true(json_object_get(item, "synthetic")))
		pager_add_field(p, "Data", "synthetic demo data");
	if (*catalogue_item_str(item, "description") != '\0') {
		pager_add_blank(p);
		pager_add_heading(p, "Description", UI_STYLE_HEADER);
		pager_add_paragraph(p, catalogue_item_str(item, "description"), 2, UI_STYLE_NORMAL);
	}
	pager_add_blank(p);
	add_previews(p, item);
}

static void collection_enter(struct app *app, void *state, const void *arg)
{
	struct collection_state *s = state;

	s->id = xstrdup(arg != NULL ? arg : "");
	/* Items without an id cannot be told apart: none is shown for "". */
	s->item = *s->id != '\0' ? catalogue_find(app->catalogue, s->id) : NULL;
	s->n_previews = json_array_size(json_object_get(s->item, "previews"));
	build(app, s);
}

static void collection_leave(struct app *app, void *state)
{
	struct collection_state *s = state;

	pager_free(&s->page);
	preview_view_close(&s->preview);
	free(s->id);
}

/* The first preview in a panel at the right of the page: a heading, the
 * image, and its title under it on up to two lines. */
static void draw_preview_panel(struct app *app, struct collection_state *s, struct ui_canvas *c,
                               int top, int rows, int x, int cols)
{
	json_t *first = json_array_get(json_object_get(s->item, "previews"), 0);
	const char *title = catalogue_item_str(first, "title");
	int used, cut;
	char *head;

	if (s->preview.id == NULL)
		preview_view_open(&s->preview, app, catalogue_item_str(first, "id"));
	head = s->n_previews > 1 ? xasprintf("Preview 1 of %zu (v shows all)", s->n_previews)
	                         : xstrdup("Preview (v shows it)");
	ui_put(c, top, x, cols, UI_STYLE_HEADER, head);
	free(head);
	used = preview_view_draw(&s->preview, c, top + 1, x, rows - 3, cols);
	/* The title: cut at the last space that fits, the rest below (ui_put
	 * cuts what is still too long). */
	cut = (int)strlen(title);
	if (cut > cols) {
		cut = cols;
		while (cut > 0 && title[cut] != ' ')
			cut--;
	}
	if (cut == 0 || title[cut] == '\0') {
		ui_put(c, top + 1 + used, x, cols, UI_STYLE_MUTED, title);
	} else {
		char *first_line = xstrndup(title, (size_t)cut);

		ui_put(c, top + 1 + used, x, cols, UI_STYLE_MUTED, first_line);
		ui_put(c, top + 2 + used, x, cols, UI_STYLE_MUTED, title + cut + 1);
		free(first_line);
	}
}

static void collection_draw(struct app *app, void *state, struct ui_canvas *c,
                            struct screen_area area)
{
	struct collection_state *s = state;
	int panel = area.cols >= 120 ? 48 : area.cols >= 100 ? 40 : 30;

	if (s->n_previews == 0 || c->graphics.mode == GRAPHICS_NONE ||
	    area.cols < COLLECTION_PREVIEW_MIN_COLS || area.rows < 6) {
		pager_draw(&s->page, c, area);
		return;
	}
	pager_draw(&s->page, c, (struct screen_area){ area.top, area.rows, area.cols - panel - 1 });
	draw_preview_panel(app, s, c, area.top, area.rows, area.cols - panel, panel);
}

static struct screen_result collection_action(struct app *app, void *state, enum ui_action a)
{
	struct collection_state *s = state;

	if (pager_action(&s->page, a))
		return screen_handled();
	switch (a) {
	case UI_ACTION_SELECT:
		if (s->item == NULL)
			return screen_handled();
		app_toggle_selected(app, s->id);
		app_status(app, false, "%s",
		           app_is_selected(app, s->id) ? "Selected" : "Unselected");
		build(app, s);
		return screen_handled();
	case UI_ACTION_PREVIEW:
		if (s->n_previews == 0) {
			app_status(app, false, "This collection has published no previews");
			return screen_handled();
		}
		return screen_push(&preview_screen, s->id);
	case UI_ACTION_BACK:
		return screen_pop();
	default:
		return screen_unhandled();
	}
}

static struct screen_result collection_key(struct app *app, void *state, int key)
{
	struct collection_state *s = state;

	return pager_key(&s->page, key) ? screen_handled() : screen_unhandled();
}

static const char *collection_hint(struct app *app, void *state)
{
	struct collection_state *s = state;

	if (s->n_previews > 0)
		return app_is_selected(app, s->id) ? "Space unselect  v previews"
		                                   : "Space select  v previews";
	return app_is_selected(app, s->id) ? "Space unselect" : "Space select";
}

const struct screen_ops collection_screen = {
	.name = "collection",
	.title = "Collection",
	.state_size = sizeof(struct collection_state),
	.enter = collection_enter,
	.leave = collection_leave,
	.draw = collection_draw,
	.action = collection_action,
	.key = collection_key,
	.hint = collection_hint,
};
