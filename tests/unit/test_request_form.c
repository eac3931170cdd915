/* The access-request screens driven headless over the demo federation, with
 * no hub: the form screen opened on a saved draft with the bundled access
 * form (data/access-form.json), keys in, screen text and the draft file
 * out. What the draft holds is read back from disk with draft_load after
 * each key, so "saved on every edit" is checked where a kill -9 would
 * look. Degenerate cases first (local mode refuses requests, a draft that
 * is not there), then each element type, the messages at the fields, the
 * submit check, and "My requests" listing the drafts. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/access_form.h"
#include "core/negotiation.h"
#include "screens/access.h"
#include "screens/app.h"
#include "store/drafts.h"
#include "ui/canvas.h"
#include "util/xmalloc.h"

#include "screen_support.h"
#include "support.h"

static struct federation *demo;
static struct access_form *form;
static char *dir;

/* A new draft saved in the test's directory; its id into id. */
static void make_draft(char id[UUID_TEXT_LEN + 1])
{
	char err[256];
	json_t *ast = json_pack("{s:s, s:[]}", "operand", "OR", "children");
	struct draft *d = draft_new(
	    "http://127.0.0.1:9", "diagnosis:prostate", ast,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", err, sizeof err);

	json_decref(ast);
	assert_non_null(d);
	assert_int_equal(
	    draft_add_collection(d, "c-1", "Prostate MRI", "site-a", "Site A", err, sizeof err), 0);
	assert_int_equal(draft_set_counts(d, 120, 300, NULL, err, sizeof err), 0);
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	snprintf(id, UUID_TEXT_LEN + 1, "%s", d->id);
	draft_free(&d);
}

/* The explorer with the form screen open on a new draft. */
static struct screen_test *open_form(char id[UUID_TEXT_LEN + 1], int rows, int cols)
{
	struct screen_test *u = screen_test_open(demo, rows, cols, true);
	struct request_form_open o;

	make_draft(id);
	o.draft_id = id;
	o.form = form;
	app_push(u->app, &request_form_screen, &o);
	screen_test_redraw(u);
	return u;
}

/* The draft's answer as saved on disk, as compact JSON ("" when none). New. */
static char *saved(const char *id, const char *section, const char *element)
{
	char err[256];
	struct draft *d = draft_load(id, err, sizeof err);
	json_t *v;
	char *text;

	if (d == NULL)
		fail_msg("draft_load: %s", err);
	v = draft_answer(d, section, element);
	text = v != NULL ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : xstrdup("");
	draft_free(&d);
	return text;
}

static void assert_saved(const char *id, const char *section, const char *element, const char *want)
{
	char *got = saved(id, section, element);

	if (strcmp(got, want) != 0)
		fail_msg("%s.%s saved as '%s', expected '%s'", section, element, got, want);
	free(got);
}

/* Moves the cursor from the top down until the row it marks contains text. */
static void go_to(struct screen_test *u, const char *text)
{
	screen_test_press(u, "g");
	for (int i = 0; i < 80; i++) {
		int y = screen_test_find_row(u, text);

		if (y >= 0) {
			char *row = screen_test_row_text(u, y);
			bool here = strstr(row, "\xe2\x96\xb8") != NULL;

			free(row);
			if (here)
				return;
		}
		screen_test_press(u, "j");
	}
	fail_msg("never reached '%s'", text);
}

static void test_local_mode_refuses(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);

	(void)state;
	screen_test_press(u, "A");
	screen_test_assert_shows(u, "access requests go to a hub");
	screen_test_press(u, "M");
	screen_test_assert_shows(u, "My requests");
	screen_test_assert_shows(u, "access requests go to a hub");
	screen_test_close(&u);
}

static void test_missing_draft(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	struct request_form_open o = { "00000000-0000-4000-8000-000000000000", NULL };

	(void)state;
	app_push(u->app, &request_form_screen, &o);
	screen_test_redraw(u);
	screen_test_assert_shows(u, "Cannot read the draft");
	screen_test_press(u, "y");
	screen_test_assert_sane(u);
	screen_test_press(u, "q");
	screen_test_assert_shows(u, "Catalogue");
	screen_test_close(&u);
}

static void test_shows_the_form(void **state)
{
	char id[UUID_TEXT_LEN + 1];
	struct screen_test *u = open_form(id, 24, 80);

	(void)state;
	screen_test_assert_shows(u, "Cohort diagnosis:prostate");
	screen_test_assert_shows(u, "1 collection: Prostate MRI; about 120 subjects seen");
	screen_test_assert_shows(u, "Request summary");
	screen_test_assert_shows(u, "Project title *");
	screen_test_assert_shows(u, "fields to answer before sending");
	screen_test_assert_sane(u);
	/* Every section is reached by moving down, and nothing overflows. */
	screen_test_press(u, "G");
	screen_test_assert_shows(u, "Further comments");
	screen_test_assert_sane(u);
	screen_test_press(u, "g");
	screen_test_assert_shows(u, "Request summary");
	screen_test_close(&u);
}

static void test_text_saved_on_every_key(void **state)
{
	char id[UUID_TEXT_LEN + 1];
	struct screen_test *u = open_form(id, 24, 80);

	(void)state;
	go_to(u, "Project title");
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Project title:");
	screen_test_type(u, "P");
	assert_saved(id, "summary", "title", "\"P\"");
	screen_test_type(u, "ro");
	assert_saved(id, "summary", "title", "\"Pro\"");
	/* Esc puts the answer back as it was: none. */
	screen_test_press(u, "Esc");
	assert_saved(id, "summary", "title", "");
	screen_test_press(u, "Enter");
	screen_test_type(u, "Prostate MRI study");
	screen_test_press(u, "Enter");
	assert_saved(id, "summary", "title", "\"Prostate MRI study\"");
	screen_test_assert_shows(u, "Prostate MRI study");
	/* Enter went on to the next field; reopening the draft shows it as it was. */
	screen_test_press(u, "q");
	screen_test_assert_shows(u, "kept");
	{
		struct request_form_open o = { id, form };

		app_push(u->app, &request_form_screen, &o);
		screen_test_redraw(u);
	}
	screen_test_assert_shows(u, "Prostate MRI study");
	screen_test_close(&u);
}

static void test_long_text_wraps(void **state)
{
	char id[UUID_TEXT_LEN + 1];
	struct screen_test *u = open_form(id, 30, 80);
	const char *text = "We will train and validate a lesion detection model for biparametric "
	                   "prostate MRI across sites, comparing readers with and without AI "
	                   "support over two years of follow-up.";

	(void)state;
	go_to(u, "Project description");
	screen_test_press(u, "Enter");
	screen_test_type_then_draw(u, text);
	screen_test_assert_sane(u);
	/* Wrapped at its field while typing, at spaces. */
	screen_test_assert_shows(u, "    We will train and validate a lesion detection model for");
	screen_test_assert_shows(u, "support over two years of follow-up.");
	/* The bottom line keeps the cursor in view: the end of the text shows. */
	{
		char *bottom = screen_test_row_text(u, 29);

		assert_non_null(strstr(bottom, "follow-up."));
		free(bottom);
	}
	screen_test_press(u, "Enter");
	screen_test_close(&u);
}

static void test_number_and_date_messages(void **state)
{
	char id[UUID_TEXT_LEN + 1];
	struct screen_test *u = open_form(id, 40, 80);

	(void)state;
	go_to(u, "Duration (months)");
	screen_test_press(u, "Enter");
	screen_test_type(u, "24");
	assert_saved(id, "summary", "duration_months", "24");
	screen_test_type(u, "x");
	/* Not a number: said at the field as it is typed; the last number stays. */
	screen_test_assert_shows(u, "    not a number");
	assert_saved(id, "summary", "duration_months", "24");
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "not a number (Esc puts back the old answer)");
	screen_test_press(u, "Backspace Enter");
	assert_saved(id, "summary", "duration_months", "24");

	go_to(u, "Planned start");
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Planned start (YYYY-MM-DD):");
	screen_test_type(u, "2026-02-30");
	screen_test_press(u, "Enter");
	/* Kept (nothing typed is lost) and marked at the field. */
	assert_saved(id, "summary", "start_date", "\"2026-02-30\"");
	screen_test_assert_shows(u, "    not a date (YYYY-MM-DD)");
	screen_test_press(u, "Enter C-u");
	screen_test_type(u, "2026-03-01");
	screen_test_press(u, "Enter");
	assert_saved(id, "summary", "start_date", "\"2026-03-01\"");
	screen_test_assert_not_shows(u, "not a date");
	screen_test_close(&u);
}

static void test_choices_and_booleans(void **state)
{
	char id[UUID_TEXT_LEN + 1];
	struct screen_test *u = open_form(id, 40, 80);

	(void)state;
	/* A single choice: Space picks one, another replaces it. */
	go_to(u, "Clinical research");
	screen_test_press(u, "Space");
	screen_test_assert_shows(u, "(*) Clinical research");
	assert_saved(id, "summary", "project_type", "\"clinical\"");
	screen_test_press(u, "k Space");
	screen_test_assert_shows(u, "(*) Academic research");
	screen_test_assert_shows(u, "( ) Clinical research");
	assert_saved(id, "summary", "project_type", "\"academic\"");

	/* A multiple choice: Space toggles each. */
	go_to(u, "Training AI models");
	screen_test_press(u, "Space j Space");
	screen_test_assert_shows(u, "[x] Training AI models");
	assert_saved(id, "scientific", "intended_uses", "[\"ai_training\",\"ai_validation\"]");
	screen_test_press(u, "k Space");
	assert_saved(id, "scientific", "intended_uses", "[\"ai_validation\"]");

	/* Yes/no: Space toggles; d clears. */
	go_to(u, "The project develops AI tools");
	screen_test_assert_shows(u, "[ ] not answered");
	screen_test_press(u, "Space");
	assert_saved(id, "scientific", "uses_ai", "true");
	screen_test_assert_shows(u, "[x] yes");
	screen_test_press(u, "Space");
	assert_saved(id, "scientific", "uses_ai", "false");
	screen_test_press(u, "d");
	assert_saved(id, "scientific", "uses_ai", "");

	/* Information is shown, and takes no answer. */
	go_to(u, "About ethics approval");
	screen_test_assert_shows(u, "ethics committee");
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "it takes no answer");
	screen_test_close(&u);
}

static void test_submit_check(void **state)
{
	char id[UUID_TEXT_LEN + 1], err[256];
	struct screen_test *u = open_form(id, 24, 80);
	struct draft *d;

	(void)state;
	screen_test_press(u, "y");
	screen_test_assert_shows(u, "fields to correct before sending");
	/* The cursor went to the first field, marked "required" there. */
	screen_test_assert_shows(u, "\xe2\x96\xb8 Project title *");
	screen_test_assert_shows(u, "    required");
	screen_test_press(u, "Enter");
	screen_test_type(u, "A title");
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "\xe2\x96\xb8 Project description *");
	screen_test_assert_not_shows(u, "Project title: required");
	/* Tab goes to the next field with a message. */
	screen_test_press(u, "Tab");
	screen_test_assert_shows(u, "\xe2\x96\xb8 Type of project *");
	/* Nothing was sent: the draft is still being edited. */
	d = draft_load(id, err, sizeof err);
	assert_non_null(d);
	assert_int_equal(d->state, DRAFT_EDITING);
	draft_free(&d);
	screen_test_close(&u);
}

static void test_my_requests_lists_drafts(void **state)
{
	char id[UUID_TEXT_LEN + 1];
	struct screen_test *u = open_form(id, 24, 100);

	(void)state;
	screen_test_press(u, "q M");
	screen_test_assert_shows(u, "My requests");
	screen_test_assert_shows(u, "draft: being written");
	screen_test_assert_shows(u, "diagnosis:prostate");
	/* Without a hub it opens, and says why it cannot go on. */
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Access request");
	screen_test_assert_shows(u, "access requests go to a hub");
	screen_test_assert_shows(u, "The draft is kept");
	screen_test_close(&u);
}

static void test_who_words(void **state)
{
	static const struct {
		unsigned who;
		bool author;
		const char *want;
	} cases[] = {
		{ NEGOTIATION_WHO_AUTHOR, true, "you" },
		{ NEGOTIATION_WHO_AUTHOR | NEGOTIATION_WHO_ADMIN, true, "you or the committee" },
		{ NEGOTIATION_WHO_ADMIN, true, "the committee" },
		{ NEGOTIATION_WHO_AUTHOR, false, "the author" },
		{ NEGOTIATION_WHO_REPRESENTATIVE, false, "a representative" },
		{ NEGOTIATION_WHO_NOBODY, true, "nobody" },
	};
	enum negotiation_resource_state rs[] = {
		NEGOTIATION_RESOURCE_SUBMITTED,
		NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED,
	};
	char *got;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = access_who_words(cases[i].who, cases[i].author);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("who %u (author %d): '%s', expected '%s'", cases[i].who,
			         cases[i].author, got, cases[i].want);
		free(got);
	}
	/* From the tables: what the author of a request waits for. */
	got = access_who_words(negotiation_who_next(NEGOTIATION_SUBMITTED, NULL, 0), true);
	assert_string_equal(got, "the committee");
	free(got);
	got = access_who_words(negotiation_who_next(NEGOTIATION_IN_PROGRESS, rs, 2), true);
	assert_string_equal(got, "you or the committee");
	free(got);
}

static int setup(void **state)
{
	char err[256], *path;

	(void)state;
	demo = screen_test_demo_open();
	dir = test_tmpdir("request-form");
	draft_set_dir(dir);
	path = test_source_path("data/access-form.json");
	form = access_form_load(path, err, sizeof err);
	free(path);
	if (demo == NULL || form == NULL) {
		fprintf(stderr, "setup: %s\n", form == NULL ? err : "no demo");
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	federation_close(&demo);
	access_form_free(&form);
	draft_set_dir(NULL);
	test_rmtree(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_mode_refuses),
		cmocka_unit_test(test_missing_draft),
		cmocka_unit_test(test_shows_the_form),
		cmocka_unit_test(test_text_saved_on_every_key),
		cmocka_unit_test(test_long_text_wraps),
		cmocka_unit_test(test_number_and_date_messages),
		cmocka_unit_test(test_choices_and_booleans),
		cmocka_unit_test(test_submit_check),
		cmocka_unit_test(test_my_requests_lists_drafts),
		cmocka_unit_test(test_who_words),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
