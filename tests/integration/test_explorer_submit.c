/* The explorer's submit of an access request against a real hub on a
 * loopback port, headless (each call is waited for before the next key):
 * a submit the hub refuses puts the draft back to EDITING with a new
 * Idempotency-Key and the hub's reason on screen; a submit that gets no
 * reply (the hub gone) leaves the draft SUBMITTING with the same key and
 * says it will be sent again. What the draft holds is read back from disk. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/federation.h"
#include "core/access_form.h"
#include "hub/hub.h"
#include "net/http_client.h"
#include "net/http_multi.h"
#include "screens/access.h"
#include "screens/app.h"
#include "store/drafts.h"
#include "util/xmalloc.h"

#include "../unit/screen_support.h"
#include "../unit/support.h"
#include "hub_support.h"

static char *tmpdir;
static struct hub_store *store;
static struct vocab *vocab;
static struct access_form *form;
static struct hub *hub;
static char *token;
static char url[64];

/* A complete draft for a request the hub does not have. */
static void make_draft(char id[UUID_TEXT_LEN + 1], char key[UUID_TEXT_LEN + 1])
{
	char err[256];
	json_t *ast = json_pack("{s:s, s:[]}", "operand", "OR", "children");
	struct draft *d = draft_new(
	    url, "diagnosis:prostate", ast,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", err, sizeof err);

	json_decref(ast);
	assert_non_null(d);
	assert_int_equal(draft_add_collection(d, "c-1", "C 1", "site-a", "Site A", err, sizeof err),
	                 0);
	draft_set_request(d, "00000000-0000-4000-8000-000000000000");
	json_decref(d->payload);
	d->payload = json_loads(hub_test_valid_payload, 0, NULL);
	assert_non_null(d->payload);
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	snprintf(id, UUID_TEXT_LEN + 1, "%s", d->id);
	snprintf(key, UUID_TEXT_LEN + 1, "%s", d->idempotency_key);
	draft_free(&d);
}

/* The explorer on the hub, headless, with the form screen on a new draft. */
static struct screen_test *open_form(struct federation **fed, struct http_multi **net,
                                     char id[UUID_TEXT_LEN + 1], char key[UUID_TEXT_LEN + 1])
{
	struct federation_options o = { 0 };
	struct request_form_open fo;
	struct screen_test *u;
	char err[512], *cache = test_temp_path(tmpdir, "catalogue.db");

	o.hub = url;
	o.token = token;
	o.cache = cache;
	*fed = federation_open(&o, err, sizeof err);
	free(cache);
	if (*fed == NULL)
		fail_msg("federation_open: %s", err);
	*net = http_multi_new();
	u = screen_test_open_app(app_new(*fed, *net, false), 24, 80, true);
	make_draft(id, key);
	fo.draft_id = id;
	fo.form = form;
	app_push(u->app, &request_form_screen, &fo);
	screen_test_redraw(u);
	return u;
}

static struct draft *load(const char *id)
{
	char err[256];
	struct draft *d = draft_load(id, err, sizeof err);

	if (d == NULL)
		fail_msg("draft_load: %s", err);
	return d;
}

static void test_refused(void **state)
{
	char id[UUID_TEXT_LEN + 1], key[UUID_TEXT_LEN + 1];
	struct federation *fed;
	struct http_multi *net;
	struct screen_test *u = open_form(&fed, &net, id, key);
	struct draft *d;

	(void)state;
	screen_test_assert_shows(u, "complete: y sends it");
	screen_test_press(u, "y");
	screen_test_assert_shows(u, "The hub refused it");
	d = load(id);
	assert_int_equal(d->state, DRAFT_EDITING);
	assert_non_null(d->error);
	/* The hub may keep its refusal under the old key: a new one. */
	assert_string_not_equal(d->idempotency_key, key);
	draft_free(&d);
	/* Still editable. */
	screen_test_press(u, "g Enter");
	screen_test_assert_shows(u, "Project title:");
	screen_test_press(u, "Esc");
	screen_test_close(&u);
	http_multi_free(&net);
	federation_close(&fed);
}

/* Last: it stops the hub. */
static void test_no_reply(void **state)
{
	char id[UUID_TEXT_LEN + 1], key[UUID_TEXT_LEN + 1];
	struct federation *fed;
	struct http_multi *net;
	struct screen_test *u = open_form(&fed, &net, id, key);
	struct draft *d;

	(void)state;
	hub_stop(hub);
	screen_test_press(u, "y");
	screen_test_assert_shows(u, "No reply: y sends it again");
	d = load(id);
	assert_int_equal(d->state, DRAFT_SUBMITTING);
	assert_string_equal(d->idempotency_key, key);
	draft_free(&d);
	/* It cannot change now: what was sent must be what is sent again. */
	screen_test_press(u, "g Space");
	screen_test_assert_shows(u, "sent, no reply yet");
	screen_test_press(u, "y");
	d = load(id);
	assert_int_equal(d->state, DRAFT_SUBMITTING);
	assert_string_equal(d->idempotency_key, key);
	draft_free(&d);
	screen_test_close(&u);
	http_multi_free(&net);
	federation_close(&fed);
}

static int setup(void **state)
{
	char err[512];
	char *path, *drafts;

	(void)state;
	setenv("LC_ALL", "C.UTF-8", 1);
	tmpdir = test_tmpdir("explorer-submit");
	drafts = test_temp_path(tmpdir, "drafts");
	draft_set_dir(drafts);
	free(drafts);
	path = test_temp_path(tmpdir, "hub.db");
	store = hub_store_open(path, HUB_STORE_CREATE, err, sizeof err);
	free(path);
	if (store == NULL)
		fail_msg("open: %s", err);
	token = hub_test_add_user(store, "rita", HUB_ROLE_RESEARCHER);
	free(hub_test_add_site(store, "site-a", "ES"));
	vocab = test_vocab_load();
	form = hub_test_form_load();
	assert_int_equal(http_client_global_init(), 0);
	hub = hub_new(store, vocab);
	hub->form = form;
	hub_test_start(hub);
	snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)hub_port(hub));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hub_free(&hub);
	vocab_free(&vocab);
	access_form_free(&form);
	hub_store_close(&store);
	free(token);
	draft_set_dir(NULL);
	test_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_no_reply),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
