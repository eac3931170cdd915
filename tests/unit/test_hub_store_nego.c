/* store/hub_store_nego: the access-request tables of hub.db. Degenerate
 * input first (bad names and ids, unknown users, a read-only store), then
 * the migration from schema version 1, requests and negotiations with
 * their Idempotency-Key and request rules, listings, transitions that only
 * happen from the state seen and write their timeline row in the same
 * transaction, posts, and the timeline's refusal of UPDATE and DELETE. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "store/hub_store.h"
#include "store/hub_store_nego.h"
#include "util/xmalloc.h"

#include "support.h"

static char *tmpdir;

static int setup(void **state)
{
	(void)state;
	tmpdir = test_tmpdir("hub-store-nego");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

/* A new store at a new path (*path new when not NULL) with users rita
 * (researcher), adam (admin) and rep, who represents c-1. */
static struct hub_store *new_store(char **path)
{
	char *p = test_temp_path(tmpdir, "hub.db"), err[512] = "";
	struct hub_store *s = hub_store_open(p, HUB_STORE_CREATE, err, sizeof err);

	if (s == NULL)
		fail_msg("open: %s", err);
	free(hub_store_user_add(s, "rita", HUB_ROLE_RESEARCHER, err, sizeof err));
	free(hub_store_user_add(s, "adam", HUB_ROLE_ADMIN, err, sizeof err));
	free(hub_store_user_add(s, "rep", HUB_ROLE_RESEARCHER, err, sizeof err));
	if (hub_store_represent(s, "rep", "c-1", err, sizeof err) != 0)
		fail_msg("represent: %s", err);
	if (path != NULL)
		*path = p;
	else
		free(p);
	return s;
}

/* Stores request id by rita for c-1 and c-2. */
static void add_request(struct hub_store *s, const char *id)
{
	json_t *doc = json_pack("{s:s, s:s, s:s, s:[{s:s},{s:s}]}", "id", id, "url", "u",
	                        "humanReadable", "h", "resources", "id", "c-1", "id", "c-2");
	char err[512] = "";

	if (hub_store_request_add(s, id, "rita", 100, doc, err, sizeof err) != 0)
		fail_msg("request: %s", err);
	json_decref(doc);
}

static const char *const two[] = { "c-1", "c-2" };

/* Creates negotiation id of request req by author: expects made. */
static void create(struct hub_store *s, const char *id, const char *req, const char *author,
                   const char *key, bool draft, enum hub_store_made want)
{
	struct hub_negotiation_new nn = {
		.id = id,
		.request = req,
		.author = author,
		.idempotency_key = key,
		.draft = draft,
		.payload = json_object(),
		.collections = two,
		.n_collections = 2,
		.when = 200,
	};
	char err[512] = "", *existing = NULL;
	enum hub_store_made got = hub_store_negotiation_create(s, &nn, &existing, err, sizeof err);

	if (got != want)
		fail_msg("create %s: %d, want %d: %s", id, got, want, err);
	if (want == HUB_STORE_MADE)
		assert_null(existing);
	else
		assert_non_null(existing);
	free(existing);
	json_decref(nn.payload);
}

static size_t timeline_len(struct hub_store *s, const char *id)
{
	char err[512] = "";
	json_t *tl = hub_store_timeline(s, id, err, sizeof err);
	size_t n;

	assert_non_null(tl);
	n = json_array_size(tl);
	json_decref(tl);
	return n;
}

static void test_degenerate(void **state)
{
	struct hub_store *s = new_store(NULL), *ro;
	char err[512] = "", *path;
	json_t *list;

	(void)state;
	assert_false(hub_collection_id_valid(NULL));
	assert_false(hub_collection_id_valid(""));
	assert_false(hub_collection_id_valid("a b"));
	assert_false(hub_collection_id_valid("a/b"));
	assert_false(hub_collection_id_valid("a,b"));
	assert_false(hub_collection_id_valid("\x1b[2J"));
	assert_true(hub_collection_id_valid("c-pros-01"));
	assert_int_equal(hub_store_represent(s, "nobody", "c-1", err, sizeof err), -1);
	assert_string_equal(err, "no user nobody");
	assert_int_equal(hub_store_represent(s, "rep", "bad id", err, sizeof err), -1);
	assert_int_equal(hub_store_represent(s, "not a name", "c-1", err, sizeof err), -1);
	assert_int_equal(hub_store_unrepresent(s, "rep", "c-9", err, sizeof err), -1);
	assert_string_equal(err, "rep does not represent c-9");
	assert_int_equal(hub_store_represent(s, "rep", "c-1", err, sizeof err), 0); /* again */
	assert_int_equal(hub_store_represents(s, "rep", "c-1", err, sizeof err), 1);
	assert_int_equal(hub_store_represents(s, "rep", "c-2", err, sizeof err), 0);
	assert_null(hub_store_request_get(s, "nope", NULL, NULL, err, sizeof err));
	assert_string_equal(err, "");
	assert_null(hub_store_negotiation_get(s, "nope", err, sizeof err));
	assert_string_equal(err, "");
	list = hub_store_timeline(s, "nope", err, sizeof err);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	hub_store_close(&s);

	s = new_store(&path);
	hub_store_close(&s);
	ro = hub_store_open(path, HUB_STORE_READ, err, sizeof err);
	assert_non_null(ro);
	assert_int_equal(hub_store_represent(ro, "rita", "c-1", err, sizeof err), -1);
	assert_non_null(strstr(err, "read-only"));
	assert_int_equal(hub_store_represents(ro, "rep", "c-1", err, sizeof err), 1);
	hub_store_close(&ro);
	free(path);
}

static void test_migration_from_v1(void **state)
{
	struct hub_store *s;
	char *path, err[512] = "";
	json_t *reps;

	(void)state;
	s = new_store(&path);
	hub_store_close(&s);
	/* back to version 1, as a hub of before the access requests left it */
	test_exec_sql(path, "DROP TABLE timeline; DROP TABLE negotiation_resources;"
	                    "DROP TABLE negotiations; DROP TABLE requests;"
	                    "DROP TABLE representatives; DROP TABLE previews;"
	                    "UPDATE schema_version SET version = 1");
	s = hub_store_open(path, HUB_STORE_READ, err, sizeof err);
	assert_null(s); /* a reader does not migrate */
	assert_non_null(strstr(err, "older"));
	s = hub_store_open(path, HUB_STORE_WRITE, err, sizeof err);
	if (s == NULL)
		fail_msg("migrate: %s", err);
	/* the users survived and the new tables work */
	assert_int_equal(hub_store_represent(s, "rita", "c-7", err, sizeof err), 0);
	reps = hub_store_representatives(s, err, sizeof err);
	assert_int_equal(json_object_size(reps), 1);
	assert_int_equal(json_array_size(json_object_get(reps, "rita")), 1);
	json_decref(reps);
	hub_store_close(&s);
	free(path);
}

static void test_representatives(void **state)
{
	struct hub_store *s = new_store(NULL);
	char err[512] = "";
	json_t *list, *all;

	(void)state;
	assert_int_equal(hub_store_represent(s, "rep", "c-3", err, sizeof err), 0);
	assert_int_equal(hub_store_represent(s, "adam", "c-2", err, sizeof err), 0);
	list = hub_store_represented(s, "rep", err, sizeof err);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_array_get(list, 0)), "c-1");
	json_decref(list);
	assert_int_equal(hub_store_unrepresent(s, "rep", "c-3", err, sizeof err), 0);
	all = hub_store_representatives(s, err, sizeof err);
	assert_int_equal(json_object_size(all), 2);
	assert_null(json_object_get(all, "rita"));
	json_decref(all);
	/* removing a user removes what it represented */
	assert_int_equal(hub_store_user_remove(s, "adam", err, sizeof err), 0);
	all = hub_store_representatives(s, err, sizeof err);
	assert_null(json_object_get(all, "adam"));
	json_decref(all);
	hub_store_close(&s);
}

static void test_create_and_replay(void **state)
{
	struct hub_store *s = new_store(NULL);
	struct hub_negotiation_filter f = { 0 };
	char err[512] = "", *creator, *nego;
	json_t *row, *req, *list;
	int64_t total;

	(void)state;
	add_request(s, "r-1");
	add_request(s, "r-2");
	row = json_object();
	assert_int_equal(hub_store_request_add(s, "r-1", NULL, 1, row, err, sizeof err),
	                 -1); /* the id is taken */
	json_decref(row);
	create(s, "n-1", "r-1", "rita", "k", true, HUB_STORE_MADE);
	create(s, "n-x", "r-2", "rita", "k", true, HUB_STORE_REPLAYED); /* same author, key */
	create(s, "n-y", "r-1", "adam", NULL, false, HUB_STORE_TAKEN);  /* request taken */
	create(s, "n-2", "r-2", "adam", "k", false, HUB_STORE_MADE);    /* keys are per author */
	assert_null(hub_store_negotiation_get(s, "n-x", err, sizeof err));
	assert_null(hub_store_negotiation_get(s, "n-y", err, sizeof err));

	req = hub_store_request_get(s, "r-1", &creator, &nego, err, sizeof err);
	assert_non_null(req);
	assert_string_equal(creator, "rita");
	assert_string_equal(nego, "n-1");
	free(creator);
	free(nego);
	json_decref(req);

	row = hub_store_negotiation_get(s, "n-1", err, sizeof err);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "status")), "DRAFT");
	assert_int_equal(json_integer_value(json_object_get(row, "seq")), 1);
	assert_int_equal(json_array_size(json_object_get(row, "resources")), 2);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(row, "resources"), 1), "state")),
	                    "SUBMITTED");
	json_decref(row);
	/* a draft has no timeline yet; a submission starts with SUBMIT */
	assert_int_equal(timeline_len(s, "n-1"), 0);
	assert_int_equal(timeline_len(s, "n-2"), 1);

	list = hub_store_negotiation_list(s, &f, 0, 10, &total, err, sizeof err);
	assert_int_equal(total, 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")),
	                    "n-1");
	json_decref(list);
	f.status = "SUBMITTED";
	list = hub_store_negotiation_list(s, &f, 0, 10, &total, err, sizeof err);
	assert_int_equal(total, 1);
	json_decref(list);
	f = (struct hub_negotiation_filter){ .representative = "rep" };
	list = hub_store_negotiation_list(s, &f, 0, 10, &total, err, sizeof err);
	assert_int_equal(total, 1); /* not the draft */
	json_decref(list);
	f = (struct hub_negotiation_filter){ .author = "rita" };
	list = hub_store_negotiation_list(s, &f, 1, 10, &total, err, sizeof err);
	assert_int_equal(total, 1);
	assert_int_equal(json_array_size(list), 0); /* offset past the end */
	json_decref(list);
	assert_int_equal(hub_store_represents_negotiation(s, "rep", "n-2", err, sizeof err), 1);
	assert_int_equal(hub_store_represents_negotiation(s, "rita", "n-2", err, sizeof err), 0);
	hub_store_close(&s);
}

static void test_transitions(void **state)
{
	struct hub_store *s = new_store(NULL);
	struct hub_transition t = {
		.negotiation = "n-1",
		.event = "SUBMIT",
		.from = "SUBMITTED", /* not what it is */
		.to = "SUBMITTED",
		.actor = "rita",
		.when = 300,
	};
	char err[512] = "";
	json_t *payload = json_pack("{s:{s:s}}", "summary", "title", "T"), *row, *tl;
	int64_t post_id = 0;

	(void)state;
	add_request(s, "r-1");
	create(s, "n-1", "r-1", "rita", NULL, true, HUB_STORE_MADE);
	assert_int_equal(hub_store_transition(s, &t, err, sizeof err), 1);
	assert_int_equal(timeline_len(s, "n-1"), 0);
	assert_int_equal(hub_store_negotiation_set_payload(s, "n-1", payload, 250, err, sizeof err),
	                 0);
	t.from = "DRAFT";
	assert_int_equal(hub_store_transition(s, &t, err, sizeof err), 0);
	assert_int_equal(hub_store_negotiation_set_payload(s, "n-1", payload, 260, err, sizeof err),
	                 1); /* no longer a draft */
	assert_int_equal(
	    hub_store_negotiation_set_payload(s, "nope", payload, 260, err, sizeof err), 1);
	/* a collection moves only while IN_PROGRESS */
	t = (struct hub_transition){ .negotiation = "n-1",
		                     .resource = "c-1",
		                     .event = "CONTACT",
		                     .from = "SUBMITTED",
		                     .to = "REPRESENTATIVE_CONTACTED",
		                     .actor = "adam",
		                     .when = 400 };
	assert_int_equal(hub_store_transition(s, &t, err, sizeof err), 1);
	t = (struct hub_transition){ .negotiation = "n-1",
		                     .event = "APPROVE",
		                     .from = "SUBMITTED",
		                     .to = "IN_PROGRESS",
		                     .actor = "adam",
		                     .message = "fine",
		                     .when = 410 };
	assert_int_equal(hub_store_transition(s, &t, err, sizeof err), 0);
	t = (struct hub_transition){ .negotiation = "n-1",
		                     .resource = "c-1",
		                     .event = "CONTACT",
		                     .from = "SUBMITTED",
		                     .to = "REPRESENTATIVE_CONTACTED",
		                     .actor = "adam",
		                     .when = 420 };
	assert_int_equal(hub_store_transition(s, &t, err, sizeof err), 0);
	assert_int_equal(hub_store_transition(s, &t, err, sizeof err), 1); /* already moved */
	t.resource = "c-9";
	assert_int_equal(hub_store_transition(s, &t, err, sizeof err), 1); /* not its collection */
	assert_int_equal(
	    hub_store_post_add(s, "n-1", "rep", 430, "hello", "PRIVATE", &post_id, err, sizeof err),
	    0);
	assert_true(post_id > 0);
	assert_int_equal(
	    hub_store_post_add(s, "n-1", "rep", 430, "hello", "SECRET", &post_id, err, sizeof err),
	    -1); /* the table's CHECK */

	row = hub_store_negotiation_get(s, "n-1", err, sizeof err);
	assert_string_equal(json_string_value(json_object_get(row, "status")), "IN_PROGRESS");
	assert_int_equal(json_integer_value(json_object_get(row, "modified")), 430);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(row, "resources"), 0), "state")),
	                    "REPRESENTATIVE_CONTACTED");
	assert_true(json_equal(json_object_get(row, "payload"), payload));
	json_decref(row);

	tl = hub_store_timeline(s, "n-1", err, sizeof err);
	assert_int_equal(json_array_size(tl), 5);
	/* SUBMIT, APPROVE with its message, the post it became, CONTACT, the post */
	assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 1), "message")),
	                    "fine");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 2), "kind")),
	                    "post");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 2), "post_type")),
	                    "PUBLIC");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 3), "resource")),
	                    "c-1");
	assert_true(json_is_null(json_object_get(json_array_get(tl, 0), "resource")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(tl, 4), "id")), post_id);
	json_decref(tl);
	json_decref(payload);
	hub_store_close(&s);
}

/* Runs sql on the file at path; returns sqlite's result and its message in
 * msg. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t len)
{
	sqlite3 *db = NULL;
	char *emsg = NULL;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &emsg);
	snprintf(msg, len, "%s", emsg != NULL ? emsg : "");
	sqlite3_free(emsg);
	sqlite3_close(db);
	return rc;
}

static void test_timeline_append_only(void **state)
{
	struct hub_store *s;
	char *path, msg[256];

	(void)state;
	s = new_store(&path);
	add_request(s, "r-1");
	create(s, "n-1", "r-1", "rita", NULL, false, HUB_STORE_MADE);
	hub_store_close(&s);
	assert_int_not_equal(
	    raw_exec(path, "UPDATE timeline SET actor = 'mallory'", msg, sizeof msg), SQLITE_OK);
	assert_string_equal(msg, "the timeline is append-only");
	assert_int_not_equal(raw_exec(path, "DELETE FROM timeline", msg, sizeof msg), SQLITE_OK);
	assert_string_equal(msg, "the timeline is append-only");
	/* appending is what it is for */
	assert_int_equal(raw_exec(path,
	                          "INSERT INTO timeline(negotiation, at, actor, kind, message,"
	                          " post_type) VALUES ('n-1', 1, 'rita', 'post', 'x', 'PUBLIC')",
	                          msg, sizeof msg),
	                 SQLITE_OK);
	/* and a row must be a transition or a post */
	assert_int_not_equal(raw_exec(path,
	                              "INSERT INTO timeline(negotiation, at, actor, kind)"
	                              " VALUES ('n-1', 1, 'rita', 'edit')",
	                              msg, sizeof msg),
	                     SQLITE_OK);
	s = hub_store_open(path, HUB_STORE_READ, msg, sizeof msg);
	assert_int_equal(timeline_len(s, "n-1"), 2);
	hub_store_close(&s);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),      cmocka_unit_test(test_migration_from_v1),
		cmocka_unit_test(test_representatives), cmocka_unit_test(test_create_and_replay),
		cmocka_unit_test(test_transitions),     cmocka_unit_test(test_timeline_append_only),
	};

	return cmocka_run_group_tests_name("hub_store_nego", tests, setup, teardown);
}
