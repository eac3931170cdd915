/* The researcher's drafts (store/drafts): degenerate cases first (no
 * directory, an empty one, garbage and truncated files, every member of the
 * wrong type, files over the limit, permissions), then round trips of every
 * member with unicode and control characters, the submit states, list order
 * and removal, and a crash test: a child saving one draft in a tight loop
 * is killed with SIGKILL at random moments, and the file must always load
 * as one of the two versions it alternated. Each test points the module at
 * a directory of its own under a scratch directory. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "store/drafts.h"
#include "util/file.h"
#include "util/uuid.h"
#include "util/xdg.h"
#include "util/xmalloc.h"

#include "support.h"

static char *scratch;

static const char hash_a[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char hub[] = "https://hub.example.org";
static const char ast_text[] =
    "{\"key\":\"main\",\"operand\":\"OR\",\"children\":[{\"key\":\"and\",\"operand\":"
    "\"AND\",\"children\":[{\"key\":\"SNOMEDCT263495000\",\"type\":\"EQUALS\","
    "\"system\":\"\",\"value\":\"SNOMEDCT248153007\"}]}]}";
/* Text with every kind of character a person or a paste can put there. */
static const char odd_text[] = "Gr\xc3\xb6\xc3\x9f"
                               "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\xab\x81 \x01\x1b[31m\t\r\n"
                               "\x7f\"quoted\" back\\slash \xc2\x85 end";

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (doc == NULL)
		fail_msg("test JSON: %s: %s", jerr.text, text);
	return doc;
}

/* Points the module at a fresh drafts directory that does not exist yet
 * (nor does its parent); returns it (new). */
static char *fresh_dir(const char *name)
{
	char *base = test_temp_path(scratch, name), *dir = xasprintf("%s/ecii/drafts", base);

	draft_set_dir(dir);
	free(base);
	return dir;
}

static char *path_of(const char *dir, const char *id)
{
	return xasprintf("%s/%s.json", dir, id);
}

static void write_text(const char *path, const char *text)
{
	test_write_file(path, text, strlen(text));
}

static struct draft *plain_draft(void)
{
	char err[256] = "";
	json_t *ast = parse(ast_text);
	struct draft *d = draft_new(hub, "sex:male", ast, hash_a, err, sizeof err);

	json_decref(ast);
	if (d == NULL)
		fail_msg("draft_new: %s", err);
	return d;
}

/* A draft with every member set. */
static struct draft *full_draft(void)
{
	char err[256] = "";
	struct draft *d = plain_draft();
	json_t *v;

	assert_int_equal(draft_set_counts(d, 120, 340, "2026-01-31T12:00:00.250Z", err, sizeof err),
	                 0);
	assert_int_equal(draft_add_site_count(d, "site-a", 100, 300, "succeeded", err, sizeof err),
	                 0);
	assert_int_equal(draft_add_site_count(d, "site-b", 20, 40, "succeeded", err, sizeof err),
	                 0);
	assert_int_equal(draft_add_site_count(d, "site-c", -1, -1, "timed_out", err, sizeof err),
	                 0);
	assert_int_equal(
	    draft_add_collection(d, "coll-1", "Prostate MR", "site-a", "Site A", err, sizeof err),
	    0);
	assert_int_equal(
	    draft_add_collection(d, "coll-2", "Breast", "site-b", "Site B", err, sizeof err), 0);
	v = json_string("A study of things");
	assert_int_equal(draft_set_answer(d, "summary", "title", v), 0);
	json_decref(v);
	v = json_integer(3);
	assert_int_equal(draft_set_answer(d, "summary", "years", v), 0);
	json_decref(v);
	v = parse("[\"a\",\"b\"]");
	assert_int_equal(draft_set_answer(d, "consent", "kinds", v), 0);
	json_decref(v);
	draft_set_request(d, "req-1");
	draft_set_error(d, "the hub is busy");
	return d;
}

/* The draft's JSON (new), checked to be there. */
static json_t *as_json(const struct draft *d)
{
	char err[256] = "";
	json_t *doc = draft_to_json(d, err, sizeof err);

	if (doc == NULL)
		fail_msg("draft_to_json: %s", err);
	return doc;
}

static char *as_text(const struct draft *d)
{
	json_t *doc = as_json(d);
	char *text = json_dumps(doc, JSON_INDENT(2));

	json_decref(doc);
	assert_non_null(text);
	return text;
}

/* Sets (value non-NULL, stolen) or deletes (value NULL) the member at path
 * in doc: "counts.sites[0].site". Fails the test when the path is not
 * there. */
static void json_put(json_t *doc, const char *path, json_t *value)
{
	char *copy = xstrdup(path), *save = NULL, *part, *next;
	json_t *at = doc;

	part = strtok_r(copy, ".", &save);
	while (part != NULL) {
		char *bracket = strchr(part, '[');
		long index = -1;

		next = strtok_r(NULL, ".", &save);
		if (bracket != NULL) {
			index = strtol(bracket + 1, NULL, 10);
			*bracket = '\0';
			at = json_object_get(at, part);
			assert_true(json_is_array(at));
		}
		if (next == NULL) {
			if (index >= 0 && value != NULL)
				assert_int_equal(json_array_set_new(at, (size_t)index, value), 0);
			else if (index >= 0)
				assert_int_equal(json_array_remove(at, (size_t)index), 0);
			else if (value != NULL)
				assert_int_equal(json_object_set_new(at, part, value), 0);
			else
				assert_int_equal(json_object_del(at, part), 0);
			break;
		}
		at = index >= 0 ? json_array_get(at, (size_t)index) : json_object_get(at, part);
		assert_non_null(at);
		part = next;
	}
	free(copy);
}

static bool one_line(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Whether dir holds a name starting with '.' other than "." and "..". */
static size_t hidden_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* ---- degenerate cases ---- */

static void test_dir_from_env(void **state)
{
	char err[256] = "", *dir;

	(void)state;
	draft_set_dir(NULL);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	dir = draft_dir(err, sizeof err);
	assert_string_equal(dir, "/x/data/ecii/drafts");
	free(dir);
	setenv("XDG_DATA_HOME", "relative", 1);
	setenv("HOME", "/home/someone", 1);
	dir = draft_dir(err, sizeof err);
	assert_string_equal(dir, "/home/someone/.local/share/ecii/drafts");
	free(dir);
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	assert_null(draft_dir(err, sizeof err));
	assert_non_null(strstr(err, "HOME"));
	{
		struct draft *d = plain_draft();
		struct draft_list l;

		err[0] = '\0';
		assert_int_equal(draft_save(d, err, sizeof err), -1);
		assert_true(err[0] != '\0');
		assert_null(draft_load(d->id, err, sizeof err));
		assert_int_equal(draft_list(&l, err, sizeof err), -1);
		assert_int_equal(l.n, 0);
		draft_free(&d);
	}
	draft_set_dir("/over/there");
	dir = draft_dir(err, sizeof err);
	assert_string_equal(dir, "/over/there");
	free(dir);
	draft_set_dir(NULL);
}

static void test_new_refuses(void **state)
{
	char err[256];
	json_t *ast = parse(ast_text), *arr = parse("[]");
	struct draft *a, *b;

	(void)state;
	assert_null(draft_new(NULL, "x", ast, hash_a, err, sizeof err));
	assert_null(draft_new("", "x", ast, hash_a, err, sizeof err));
	assert_null(draft_new(hub, NULL, ast, hash_a, err, sizeof err));
	assert_null(draft_new(hub, "x", NULL, hash_a, err, sizeof err));
	assert_null(draft_new(hub, "x", arr, hash_a, err, sizeof err));
	assert_null(draft_new(hub, "x", ast, NULL, err, sizeof err));
	assert_null(draft_new(hub, "x", ast, "abc", err, sizeof err));
	assert_null(draft_new(hub, "x", ast,
	                      "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	                      err, sizeof err));
	assert_non_null(strstr(err, "hash"));
	a = draft_new(hub, "", ast, hash_a, err, sizeof err); /* everything: empty text */
	b = draft_new(hub, "", ast, hash_a, err, sizeof err);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(uuid_is_valid(a->id));
	assert_true(uuid_is_valid(a->idempotency_key));
	assert_string_not_equal(a->id, b->id);
	assert_string_not_equal(a->id, a->idempotency_key);
	assert_string_not_equal(a->idempotency_key, b->idempotency_key);
	assert_int_equal(a->state, DRAFT_EDITING);
	assert_false(a->counts.present);
	assert_int_equal(a->n_collections, 0);
	assert_int_equal(json_object_size(a->payload), 0);
	assert_null(a->request_id);
	assert_null(a->negotiation_id);
	assert_null(a->error);
	assert_string_equal(a->created, a->updated);
	/* The AST is the draft's own copy. */
	json_object_set_new(ast, "key", json_string("changed"));
	assert_string_equal(json_string_value(json_object_get(a->cohort_ast, "key")), "main");
	/* Sites need counts first; counts are not negative. */
	assert_int_equal(draft_add_site_count(a, "s", 1, 1, "succeeded", err, sizeof err), -1);
	assert_int_equal(draft_set_counts(a, -1, 0, NULL, err, sizeof err), -1);
	assert_int_equal(draft_set_counts(a, 1, 1, "yesterday", err, sizeof err), -1);
	assert_false(a->counts.present);
	assert_int_equal(draft_set_counts(a, 1, 1, NULL, err, sizeof err), 0);
	assert_int_equal(strlen(a->counts.when), DRAFT_TIME_LEN);
	assert_int_equal(draft_add_site_count(a, "", 1, 1, "succeeded", err, sizeof err), -1);
	assert_int_equal(draft_add_site_count(a, "s", -2, 1, "succeeded", err, sizeof err), -1);
	assert_int_equal(draft_add_site_count(a, "s", 1, 1, NULL, err, sizeof err), -1);
	assert_int_equal(draft_add_collection(a, "", "n", "p", "P", err, sizeof err), -1);
	assert_int_equal(draft_add_collection(a, "c", NULL, "p", "P", err, sizeof err), -1);
	assert_int_equal(draft_add_collection(a, "c", "n", "p", "P", err, sizeof err), 0);
	assert_int_equal(draft_add_collection(a, "c", "m", "q", "Q", err, sizeof err), -1);
	assert_int_equal(a->n_collections, 1);
	assert_int_equal(draft_remove_collection(a, "nope"), -1);
	assert_int_equal(draft_remove_collection(a, NULL), -1);
	assert_int_equal(draft_remove_collection(a, "c"), 0);
	assert_int_equal(a->n_collections, 0);
	assert_int_equal(draft_set_answer(a, NULL, "e", arr), -1);
	assert_int_equal(draft_set_answer(a, "", "e", arr), -1);
	assert_int_equal(draft_set_answer(a, "s", "", arr), -1);
	assert_int_equal(draft_set_answer(a, "s", NULL, arr), -1);
	assert_null(draft_answer(a, "s", "e"));
	assert_null(draft_answer(a, NULL, "e"));
	draft_free(&a);
	assert_null(a);
	draft_free(&a);
	draft_free(NULL);
	draft_free(&b);
	draft_list_clear(NULL);
	json_decref(arr);
	json_decref(ast);
}

static void test_no_dir(void **state)
{
	static const char *bad_ids[] = {
		NULL,
		"",
		"../../etc/passwd",
		"0123",
		"01234567-89ab-cdef-0123-456789abcdef/x",
		"01234567-89ab-cdef-0123-456789abcdeg",
	};
	char err[512] = "", *dir = fresh_dir("none"), *parent = xstrdup(dir);
	struct draft_list l;
	struct draft *d = plain_draft();

	(void)state;
	assert_int_equal(draft_list(&l, err, sizeof err), 0);
	assert_int_equal(l.n, 0);
	assert_null(l.items);
	assert_int_equal(l.n_problems, 0);
	assert_null(draft_load(d->id, err, sizeof err));
	assert_non_null(strstr(err, "no such draft"));
	assert_non_null(strstr(err, dir));
	assert_int_equal(draft_remove(d->id, err, sizeof err), -1);
	assert_non_null(strstr(err, "no such draft"));
	/* Ids are checked before any path is made of them. */
	for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
		err[0] = '\0';
		assert_null(draft_load(bad_ids[i], err, sizeof err));
		assert_non_null(strstr(err, "not a draft id"));
		assert_int_equal(draft_remove(bad_ids[i], err, sizeof err), -1);
		assert_non_null(strstr(err, "not a draft id"));
	}
	/* Reading made nothing, not even the ecii directory. */
	*strrchr(parent, '/') = '\0';
	assert_int_equal(access(parent, F_OK), -1);
	free(parent);
	draft_free(&d);
	free(dir);
}

static void test_dir_is_a_file(void **state)
{
	char err[512] = "", *dir = fresh_dir("file"), *parent = xstrdup(dir);
	struct draft *d = plain_draft();
	char before[DRAFT_TIME_LEN + 1];
	struct draft_list l;

	(void)state;
	*strrchr(parent, '/') = '\0';
	assert_int_equal(xdg_make_dirs(parent, err, sizeof err), 0);
	write_text(dir, "not a directory\n");
	memcpy(before, "2000-01-01T00:00:00Z", 21);
	memcpy(d->updated, before, sizeof before);
	assert_int_equal(draft_save(d, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	assert_string_equal(d->updated, before); /* a failed save changes nothing */
	err[0] = '\0';
	assert_int_equal(draft_list(&l, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot read"));
	assert_int_equal(l.n, 0);
	assert_null(draft_load(d->id, err, sizeof err));
	draft_free(&d);
	free(parent);
	free(dir);
}

static void test_empty_dir(void **state)
{
	char err[256], *dir = fresh_dir("empty"), *parent = xstrdup(dir);
	struct draft_list l;

	(void)state;
	*strrchr(parent, '/') = '\0';
	assert_int_equal(xdg_make_dirs(parent, err, sizeof err), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(draft_list(&l, err, sizeof err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.n_problems, 0);
	draft_list_clear(&l);
	free(parent);
	free(dir);
}

static void test_garbage_files(void **state)
{
	char err[512] = "", *dir = fresh_dir("garbage"), *path, *text;
	struct draft *good = full_draft(), *other = plain_draft(), *d;
	struct draft_list l;
	static const char nul_text[] = "{\"version\":1,\0\"id\":\"x\"}";
	/* Files named like drafts that are not: each must be reported. */
	static const char *bad[] = {
		"",
		"not json at all",
		"[]",
		"null",
		"{}",
		"{\"version\":1}",
		"\xef\xbb\xbf{\"version\":1}",
		"{\"version\":1,\"version\":1}",
		"{\"version\":1,\"id\":\"\xff\xfe\"}",
		"\x1b[2J\x1b[H{{{{",
	};
	char ids[sizeof bad / sizeof bad[0] + 4][UUID_TEXT_LEN + 1];
	size_t n_bad = 0;

	(void)state;
	assert_int_equal(draft_save(good, err, sizeof err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(uuid_v4(ids[n_bad]), 0);
		path = path_of(dir, ids[n_bad++]);
		write_text(path, bad[i]);
		free(path);
	}
	/* A NUL in the file. */
	assert_int_equal(uuid_v4(ids[n_bad]), 0);
	path = path_of(dir, ids[n_bad++]);
	test_write_file(path, nul_text, sizeof nul_text - 1);
	free(path);
	/* A good draft under another draft's name. */
	text = as_text(other);
	assert_int_equal(uuid_v4(ids[n_bad]), 0);
	path = path_of(dir, ids[n_bad++]);
	write_text(path, text);
	free(path);
	/* A directory and a FIFO named like drafts: reading must not hang. */
	assert_int_equal(uuid_v4(ids[n_bad]), 0);
	path = path_of(dir, ids[n_bad++]);
	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
	assert_int_equal(uuid_v4(ids[n_bad]), 0);
	path = path_of(dir, ids[n_bad++]);
	assert_int_equal(mkfifo(path, 0600), 0);
	free(path);
	/* Names that are not drafts, even holding a good one, are ignored. */
	path = xasprintf("%s/notes.txt", dir);
	write_text(path, text);
	free(path);
	path = xasprintf("%s/copy.json", dir);
	write_text(path, text);
	free(path);
	path = xasprintf("%s/%s.json.bak", dir, other->id);
	write_text(path, text);
	free(path);
	path = xasprintf("%s/.%s.Ab12Cd", dir, other->id);
	write_text(path, text);
	free(path);
	free(text);

	assert_int_equal(draft_list(&l, err, sizeof err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->id, good->id);
	assert_int_equal(l.n_problems, n_bad);
	for (size_t i = 0; i < l.n_problems; i++) {
		if (!one_line(l.problems[i]))
			fail_msg("problem not on one line: %s", l.problems[i]);
		assert_true(strncmp(l.problems[i], dir, strlen(dir)) == 0);
	}
	draft_list_clear(&l);
	assert_null(l.items);
	assert_null(l.problems);
	/* Each reported file is left where it was, and says why on load. */
	for (size_t i = 0; i < n_bad; i++) {
		path = path_of(dir, ids[i]);
		assert_int_equal(access(path, F_OK), 0);
		err[0] = '\0';
		assert_null(draft_load(ids[i], err, sizeof err));
		assert_true(strncmp(err, path, strlen(path)) == 0);
		assert_true(one_line(err));
		free(path);
	}
	assert_null(draft_load(ids[n_bad - 3], err, sizeof err));
	assert_non_null(strstr(err, "is not the file's name"));
	assert_null(draft_load(ids[n_bad - 1], err, sizeof err));
	assert_non_null(strstr(err, "not a regular file"));
	assert_null(draft_read_text(NULL, 0, err, sizeof err));
	assert_null(draft_read_text("", 0, err, sizeof err));
	assert_non_null(strstr(err, "not JSON"));
	d = draft_load(good->id, err, sizeof err);
	assert_non_null(d);
	draft_free(&d);
	draft_free(&other);
	draft_free(&good);
	free(dir);
}

static void test_truncated(void **state)
{
	char err[512], *dir = fresh_dir("truncated"), *path, *text;
	struct draft *d = full_draft(), *back;
	size_t len;

	(void)state;
	text = as_text(d);
	len = strlen(text);
	/* Every cut of the file is refused, never half-read. */
	for (size_t cut = 0; cut < len; cut++) {
		err[0] = '\0';
		back = draft_read_text(text, cut, err, sizeof err);
		if (back != NULL)
			fail_msg("a draft cut at %zu of %zu bytes was read", cut, len);
		assert_true(err[0] != '\0');
		assert_true(one_line(err));
	}
	back = draft_read_text(text, len, err, sizeof err);
	assert_non_null(back);
	draft_free(&back);
	/* As a file the error names it. */
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	path = path_of(dir, d->id);
	test_write_file(path, text, len / 2);
	assert_null(draft_load(d->id, err, sizeof err));
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_non_null(strstr(err, "not JSON"));
	free(path);
	free(text);
	draft_free(&d);
	free(dir);
}

static void test_wrong_members(void **state)
{
	static const struct {
		const char *path;
		const char *value; /* JSON; NULL removes the member */
		const char *expect;
	} cases[] = {
		{ "version", NULL, "version: missing" },
		{ "version", "\"1\"", "version: not an integer" },
		{ "version", "1.0", "version: not an integer" },
		{ "version", "2", "version: 2 is newer than this ecii reads (1)" },
		{ "version", "0", "version: 0 is not a draft version" },
		{ "id", NULL, "id: missing" },
		{ "id", "5", "id: not a string" },
		{ "id", "\"x\"", "id: not a UUID" },
		{ "hub", "\"\"", "hub: empty" },
		{ "hub", "null", "hub: not a string" },
		{ "created", "\"yesterday\"", "created: not an ISO 8601 UTC time" },
		{ "created", "\"2026-02-29T00:00:00Z\"", "created: not an ISO" },
		{ "updated", "\"2026-01-31 12:00:00Z\"", "updated: not an ISO" },
		{ "updated", "\"2026-01-31T12:00:00.5Z\"", "updated: not an ISO" },
		{ "updated", "\"2026-01-31T24:00:00Z\"", "updated: not an ISO" },
		{ "state", "\"DONE\"", "state: \"DONE\" is not EDITING" },
		{ "state", "1", "state: not a string" },
		{ "state", "\"SUBMITTED\"", "negotiationId: missing, and the state is SUBMITTED" },
		{ "idempotencyKey", NULL, "idempotencyKey: missing" },
		{ "idempotencyKey", "\"\"", "idempotencyKey: not a UUID" },
		{ "requestId", "7", "requestId: not a string" },
		{ "requestId", "\"\"", "requestId: empty" },
		{ "negotiationId", "[]", "negotiationId: not a string" },
		{ "error", "{}", "error: not a string" },
		{ "cohort", NULL, "cohort: missing" },
		{ "cohort", "[]", "cohort: not an object" },
		{ "cohort.text", NULL, "cohort.text: missing" },
		{ "cohort.text", "false", "cohort.text: not a string" },
		{ "cohort.hash",
		  "\"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"",
		  "cohort.hash: not 64 lower-case hex digits" },
		{ "cohort.hash", "\"abc\"", "cohort.hash: not 64" },
		{ "cohort.ast", NULL, "cohort.ast: missing" },
		{ "cohort.ast", "\"sex:male\"", "cohort.ast: not an object" },
		{ "counts", "3", "counts: not an object" },
		{ "counts.subjects", "-1", "counts.subjects: negative" },
		{ "counts.subjects", "1.5", "counts.subjects: not an integer" },
		{ "counts.studies", NULL, "counts.studies: missing" },
		{ "counts.when", "\"\"", "counts.when: not an ISO" },
		{ "counts.sites", "{}", "counts.sites: not an array" },
		{ "counts.sites[1]", "\"x\"", "counts.sites[1]: not an object" },
		{ "counts.sites[0].site", NULL, "counts.sites[0].site: missing" },
		{ "counts.sites[0].site", "\"\"", "counts.sites[0].site: empty" },
		{ "counts.sites[2].subjects", "\"3\"", "counts.sites[2].subjects: not an integer" },
		{ "counts.sites[1].studies", "-2", "counts.sites[1].studies: negative" },
		{ "counts.sites[2].status", NULL, "counts.sites[2].status: missing" },
		{ "collections", NULL, "collections: missing" },
		{ "collections", "{}", "collections: not an array" },
		{ "collections[0]", "[]", "collections[0]: not an object" },
		{ "collections[1].id", "\"coll-1\"",
		  "collections[1]: \"coll-1\" is already collections[0]" },
		{ "collections[0].id", "\"\"", "collections[0].id: empty" },
		{ "collections[0].name", "1", "collections[0].name: not a string" },
		{ "collections[1].provider", "\"Site B\"",
		  "collections[1].provider: not an object" },
		{ "collections[1].provider.name", "3",
		  "collections[1].provider.name: not a string" },
		{ "collections[1].provider.id", NULL, "collections[1].provider.id: missing" },
		{ "payload", NULL, "payload: missing" },
		{ "payload", "[]", "payload: not an object" },
		{ "payload.summary", "\"x\"", "payload.summary: not an object" },
		{ "payload.summary.", "1", "payload.summary: an element has an empty name" },
	};
	char err[512], *dir = fresh_dir("members"), *path;
	struct draft *d = full_draft(), *back;
	json_t *base, *doc;

	(void)state;
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	path = path_of(dir, d->id);
	base = as_json(d);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text;

		doc = json_deep_copy(base);
		if (strcmp(cases[i].path, "payload.summary.") == 0)
			json_object_set_new(
			    json_object_get(json_object_get(doc, "payload"), "summary"), "",
			    parse(cases[i].value));
		else
			json_put(doc, cases[i].path,
			         cases[i].value != NULL ? parse(cases[i].value) : NULL);
		text = json_dumps(doc, JSON_INDENT(2));
		err[0] = '\0';
		back = draft_read_text(text, strlen(text), err, sizeof err);
		if (back != NULL)
			fail_msg("case %zu (%s) was read", i, cases[i].path);
		if (strstr(err, cases[i].expect) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, cases[i].expect);
		/* The same as a file: the error names the file, then the member. */
		write_text(path, text);
		assert_null(draft_load(d->id, err, sizeof err));
		if (strncmp(err, path, strlen(path)) != 0 || strstr(err, cases[i].expect) == NULL)
			fail_msg("case %zu as a file: %s", i, err);
		assert_true(one_line(err));
		free(text);
		json_decref(doc);
	}
	/* A name from the file with a newline and an escape in it stays inert. */
	doc = json_deep_copy(base);
	json_object_set_new(json_object_get(doc, "payload"), "evil\n\x1b[2Jsection",
	                    json_string("x"));
	{
		char *text = json_dumps(doc, 0);

		assert_null(draft_read_text(text, strlen(text), err, sizeof err));
		assert_true(one_line(err));
		assert_null(strchr(err, '\x1b'));
		assert_non_null(strstr(err, "payload.evil"));
		free(text);
	}
	json_decref(doc);
	/* Unknown members are ignored, and so is an absent nullable one. */
	doc = json_deep_copy(base);
	json_object_set_new(doc, "futureMember", parse("{\"a\":[1,2]}"));
	json_object_set_new(json_object_get(doc, "cohort"), "note", json_string("x"));
	json_object_del(doc, "counts");
	json_object_del(doc, "requestId");
	json_object_del(doc, "error");
	{
		char *text = json_dumps(doc, 0);

		back = draft_read_text(text, strlen(text), err, sizeof err);
		if (back == NULL)
			fail_msg("unknown members refused: %s", err);
		assert_false(back->counts.present);
		assert_null(back->request_id);
		assert_null(back->error);
		assert_string_equal(back->cohort_text, "sex:male");
		draft_free(&back);
		free(text);
	}
	json_decref(doc);
	assert_null(draft_read_text("{\"version\":1,\"version\":1}", 26, err, sizeof err));
	assert_null(draft_read_text("[1]", 3, err, sizeof err));
	assert_non_null(strstr(err, "not a JSON object"));
	json_decref(base);
	free(path);
	draft_free(&d);
	free(dir);
}

static void test_huge(void **state)
{
	char err[512], *dir = fresh_dir("huge"), *path, *text, *big;
	struct draft *d = plain_draft(), *back;
	size_t len;

	(void)state;
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	path = path_of(dir, d->id);
	text = as_text(d);
	len = strlen(text);
	/* Padded with blanks to exactly the limit: read; one byte more: not. */
	big = xmalloc(DRAFT_FILE_MAX + 2);
	memcpy(big, text, len);
	memset(big + len, ' ', DRAFT_FILE_MAX + 1 - len);
	test_write_file(path, big, DRAFT_FILE_MAX);
	back = draft_load(d->id, err, sizeof err);
	if (back == NULL)
		fail_msg("a file of exactly the limit: %s", err);
	draft_free(&back);
	test_write_file(path, big, DRAFT_FILE_MAX + 1);
	assert_null(draft_load(d->id, err, sizeof err));
	assert_non_null(strstr(err, "larger than 4 MiB"));
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_null(draft_read_text(big, DRAFT_FILE_MAX + 1, err, sizeof err));
	assert_non_null(strstr(err, "larger than 4 MiB"));
	free(big);
	/* A draft that would not read back is not saved; the last save stays. */
	write_text(path, text);
	big = xmalloc(DRAFT_FILE_MAX + 1);
	memset(big, 'a', DRAFT_FILE_MAX);
	big[DRAFT_FILE_MAX] = '\0';
	free(d->cohort_text);
	d->cohort_text = big;
	assert_int_equal(draft_save(d, err, sizeof err), -1);
	assert_non_null(strstr(err, "larger than 4 MiB"));
	{
		char *now = file_read_all(path, NULL);

		assert_string_equal(now, text);
		free(now);
	}
	/* Big but under the limit is fine. */
	big[3 * 1024 * 1024] = '\0';
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	back = draft_load(d->id, err, sizeof err);
	assert_non_null(back);
	assert_int_equal(strlen(back->cohort_text), 3 * 1024 * 1024);
	draft_free(&back);
	assert_int_equal(hidden_files(dir), 0);
	free(text);
	free(path);
	draft_free(&d);
	free(dir);
}

static void test_permissions(void **state)
{
	char err[512], *dir = fresh_dir("perm"), *path, *parent = xstrdup(dir);
	struct draft *d = plain_draft(), *back;
	struct draft_list l;
	struct stat st;
	mode_t old = umask(0); /* the modes must not depend on the umask */

	(void)state;
	*strrchr(parent, '/') = '\0';
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	umask(old);
	path = path_of(dir, d->id);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(parent, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* Replacing keeps the mode. */
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	if (geteuid() != 0) { /* root reads and writes anyway */
		char *before = file_read_all(path, NULL);

		assert_int_equal(chmod(path, 0), 0);
		assert_null(draft_load(d->id, err, sizeof err));
		assert_true(strncmp(err, path, strlen(path)) == 0);
		assert_non_null(strstr(err, "ermission"));
		assert_int_equal(draft_list(&l, err, sizeof err), 0);
		assert_int_equal(l.n, 0);
		assert_int_equal(l.n_problems, 1);
		draft_list_clear(&l);
		assert_int_equal(chmod(path, 0600), 0);
		/* A directory that cannot be written: the save fails, the old
		 * draft stays whole. */
		assert_int_equal(chmod(dir, 0500), 0);
		d->cohort_text[0] = 'S';
		assert_int_equal(draft_save(d, err, sizeof err), -1);
		assert_int_equal(chmod(dir, 0700), 0);
		{
			char *after = file_read_all(path, NULL);

			assert_string_equal(after, before);
			free(after);
		}
		free(before);
		/* A directory that cannot be listed. */
		assert_int_equal(chmod(dir, 0), 0);
		assert_int_equal(draft_list(&l, err, sizeof err), -1);
		assert_non_null(strstr(err, "cannot read"));
		assert_int_equal(chmod(dir, 0700), 0);
	}
	back = draft_load(d->id, err, sizeof err);
	assert_non_null(back);
	draft_free(&back);
	free(path);
	free(parent);
	draft_free(&d);
	free(dir);
}

/* ---- round trips ---- */

static void test_round_trip(void **state)
{
	char err[512], *dir = fresh_dir("round"), *path;
	struct draft *d = full_draft(), *back;
	json_t *v, *want, *got;
	char before[DRAFT_TIME_LEN + 1];

	(void)state;
	/* Odd characters in every text member. */
	free(d->hub);
	d->hub = xstrdup(odd_text);
	free(d->cohort_text);
	d->cohort_text = xstrdup(odd_text);
	free(d->counts.sites[0].status);
	d->counts.sites[0].status = xstrdup(odd_text);
	free(d->counts.sites[1].site);
	d->counts.sites[1].site = xstrdup(odd_text);
	free(d->collections[1].name);
	d->collections[1].name = xstrdup(odd_text);
	free(d->collections[1].provider_id);
	d->collections[1].provider_id = xstrdup("");
	free(d->collections[0].provider_name);
	d->collections[0].provider_name = xstrdup(odd_text);
	draft_set_error(d, odd_text);
	draft_set_request(d, odd_text);
	v = json_string(odd_text);
	assert_int_equal(draft_set_answer(d, odd_text, odd_text, v), 0);
	json_decref(v);
	v = parse("{\"n\":-12.5e-3,\"big\":9007199254740993,\"t\":true,\"f\":false,\"z\":null,"
	          "\"deep\":[[[{\"a\":[]}]]],\"r\":0.1}");
	assert_int_equal(draft_set_answer(d, "summary", "mixed", v), 0);
	json_decref(v);
	assert_int_equal(draft_set_answer(d, "summary", "cleared", json_null()), 0);
	memcpy(before, d->updated, sizeof before);
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	assert_true(strcmp(d->updated, before) >= 0);
	assert_int_equal(strlen(d->updated), DRAFT_TIME_LEN);
	back = draft_load(d->id, err, sizeof err);
	if (back == NULL)
		fail_msg("load: %s", err);

	assert_string_equal(back->id, d->id);
	assert_string_equal(back->hub, odd_text);
	assert_string_equal(back->created, d->created);
	assert_string_equal(back->updated, d->updated);
	assert_string_equal(back->cohort_text, odd_text);
	assert_string_equal(back->cohort_hash, hash_a);
	assert_true(json_equal(back->cohort_ast, d->cohort_ast));
	assert_true(back->counts.present);
	assert_int_equal(back->counts.subjects, 120);
	assert_int_equal(back->counts.studies, 340);
	assert_string_equal(back->counts.when, "2026-01-31T12:00:00.250Z");
	assert_int_equal(back->counts.n_sites, 3);
	assert_string_equal(back->counts.sites[0].site, "site-a");
	assert_string_equal(back->counts.sites[0].status, odd_text);
	assert_int_equal(back->counts.sites[0].subjects, 100);
	assert_int_equal(back->counts.sites[0].studies, 300);
	assert_string_equal(back->counts.sites[1].site, odd_text);
	assert_int_equal(back->counts.sites[2].subjects, -1);
	assert_int_equal(back->counts.sites[2].studies, -1);
	assert_string_equal(back->counts.sites[2].status, "timed_out");
	assert_int_equal(back->n_collections, 2);
	assert_string_equal(back->collections[0].id, "coll-1");
	assert_string_equal(back->collections[0].name, "Prostate MR");
	assert_string_equal(back->collections[0].provider_id, "site-a");
	assert_string_equal(back->collections[0].provider_name, odd_text);
	assert_string_equal(back->collections[1].name, odd_text);
	assert_string_equal(back->collections[1].provider_id, "");
	assert_true(json_equal(back->payload, d->payload));
	assert_string_equal(json_string_value(draft_answer(back, odd_text, odd_text)), odd_text);
	assert_true(json_is_null(draft_answer(back, "summary", "cleared")));
	assert_int_equal(
	    json_integer_value(json_object_get(draft_answer(back, "summary", "mixed"), "big")),
	    9007199254740993LL);
	assert_true(json_real_value(json_object_get(draft_answer(back, "summary", "mixed"), "r")) ==
	            0.1);
	assert_string_equal(back->request_id, odd_text);
	assert_null(back->negotiation_id);
	assert_string_equal(back->error, odd_text);
	assert_string_equal(back->idempotency_key, d->idempotency_key);
	assert_int_equal(back->state, DRAFT_EDITING);
	want = as_json(d);
	got = as_json(back);
	assert_true(json_equal(want, got));
	json_decref(want);
	json_decref(got);
	draft_free(&back);

	/* Text that is not UTF-8 is refused by name; nothing changes. */
	path = path_of(dir, d->id);
	{
		char *on_disk = file_read_all(path, NULL);

		memcpy(before, d->updated, sizeof before);
		free(d->collections[1].provider_name);
		d->collections[1].provider_name = xstrdup("bad \xff byte");
		assert_int_equal(draft_save(d, err, sizeof err), -1);
		assert_string_equal(err, "collections[1].provider.name: not valid UTF-8");
		assert_string_equal(d->updated, before);
		{
			char *now = file_read_all(path, NULL);

			assert_string_equal(now, on_disk);
			free(now);
		}
		free(on_disk);
	}
	free(d->collections[1].provider_name);
	d->collections[1].provider_name = xstrdup("Site B");
	/* The rules hold on save too. */
	d->counts.sites[0].subjects = -5;
	assert_int_equal(draft_save(d, err, sizeof err), -1);
	assert_non_null(strstr(err, "counts.sites[0].subjects"));
	d->counts.sites[0].subjects = 0;
	d->cohort_hash[0] = 'X';
	assert_int_equal(draft_save(d, err, sizeof err), -1);
	assert_non_null(strstr(err, "cohort.hash"));
	d->cohort_hash[0] = '0';
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	assert_int_equal(hidden_files(dir), 0); /* no temporary file left */
	free(path);
	draft_free(&d);
	free(dir);
}

static void test_answers(void **state)
{
	struct draft *d = plain_draft();
	json_t *v = parse("{\"a\":1}"), *got;

	(void)state;
	assert_int_equal(draft_set_answer(d, "s", "e", v), 0);
	json_object_set_new(v, "a", json_integer(2)); /* the draft kept a copy */
	got = draft_answer(d, "s", "e");
	assert_int_equal(json_integer_value(json_object_get(got, "a")), 1);
	assert_int_equal(draft_set_answer(d, "s", "f", v), 0);
	assert_int_equal(json_object_size(json_object_get(d->payload, "s")), 2);
	assert_int_equal(draft_set_answer(d, "s", "e", NULL), 0);
	assert_null(draft_answer(d, "s", "e"));
	assert_non_null(draft_answer(d, "s", "f"));
	assert_int_equal(draft_set_answer(d, "s", "f", NULL), 0);
	assert_null(json_object_get(d->payload, "s")); /* no empty section left */
	assert_int_equal(draft_set_answer(d, "nope", "e", NULL), 0);
	assert_int_equal(json_object_size(d->payload), 0);
	json_decref(v);
	draft_free(&d);
}

static void test_submit_states(void **state)
{
	char err[512], *dir = fresh_dir("states"), key[UUID_TEXT_LEN + 1];
	struct draft *d = plain_draft(), *back;

	(void)state;
	(void)dir;
	memcpy(key, d->idempotency_key, sizeof key);
	assert_int_equal(draft_submit_done(d, "neg-1"), -1); /* not sent yet */
	assert_int_equal(draft_submit_refused(d, "no"), -1);
	draft_set_error(d, "old");
	assert_int_equal(draft_submit_begin(d), 0);
	assert_int_equal(d->state, DRAFT_SUBMITTING);
	assert_null(d->error);
	/* Killed here: reopening finds SUBMITTING and the same key. */
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	back = draft_load(d->id, err, sizeof err);
	assert_non_null(back);
	assert_int_equal(back->state, DRAFT_SUBMITTING);
	assert_string_equal(back->idempotency_key, key);
	/* A reply that never came: retried with the same key. */
	draft_set_error(back, "connection lost");
	assert_int_equal(draft_submit_begin(back), 0);
	assert_string_equal(back->error, "connection lost");
	assert_string_equal(back->idempotency_key, key);
	/* The hub refused: editing again, with a new key. */
	assert_int_equal(draft_submit_refused(back, "summary.title: required"), 0);
	assert_int_equal(back->state, DRAFT_EDITING);
	assert_string_equal(back->error, "summary.title: required");
	assert_true(uuid_is_valid(back->idempotency_key));
	assert_string_not_equal(back->idempotency_key, key);
	memcpy(key, back->idempotency_key, sizeof key);
	assert_int_equal(draft_submit_begin(back), 0);
	assert_int_equal(draft_submit_done(back, NULL), -1);
	assert_int_equal(draft_submit_done(back, ""), -1);
	assert_int_equal(draft_submit_done(back, "neg-1"), 0);
	assert_int_equal(back->state, DRAFT_SUBMITTED);
	assert_string_equal(back->negotiation_id, "neg-1");
	assert_string_equal(back->idempotency_key, key);
	assert_int_equal(draft_submit_begin(back), -1);
	assert_int_equal(draft_submit_refused(back, "x"), -1);
	assert_int_equal(draft_save(back, err, sizeof err), 0);
	draft_free(&back);
	back = draft_load(d->id, err, sizeof err);
	assert_non_null(back);
	assert_int_equal(back->state, DRAFT_SUBMITTED);
	assert_string_equal(back->negotiation_id, "neg-1");
	draft_free(&back);
	/* State names both ways. */
	for (int s = 0; s < DRAFT_N_STATES; s++) {
		enum draft_state out;

		assert_int_equal(draft_state_parse(draft_state_name((enum draft_state)s), &out), 0);
		assert_int_equal(out, s);
	}
	assert_null(draft_state_name(DRAFT_N_STATES));
	{
		enum draft_state out;

		assert_int_equal(draft_state_parse(NULL, &out), -1);
		assert_int_equal(draft_state_parse("editing", &out), -1);
	}
	/* A state out of range is not written. */
	d->state = DRAFT_N_STATES;
	assert_int_equal(draft_save(d, err, sizeof err), -1);
	assert_non_null(strstr(err, "state"));
	draft_free(&d);
	free(dir);
}

/* Writes d as its file with the given times. */
static void write_with_times(const char *dir, struct draft *d, const char *created,
                             const char *updated)
{
	char *path = path_of(dir, d->id), *text;

	memcpy(d->created, created, strlen(created) + 1);
	memcpy(d->updated, updated, strlen(updated) + 1);
	text = as_text(d);
	write_text(path, text);
	free(text);
	free(path);
}

static void test_list_order(void **state)
{
	char err[512], *dir = fresh_dir("order");
	struct draft *d[5];
	struct draft_list l;
	unsigned long g;

	(void)state;
	for (size_t i = 0; i < 5; i++)
		d[i] = plain_draft();
	assert_int_equal(draft_save(d[0], err, sizeof err), 0); /* makes the directory */
	write_with_times(dir, d[0], "2019-01-01T00:00:00Z", "2020-01-01T00:00:00Z");
	/* Later by half a second, though its text sorts first. */
	write_with_times(dir, d[1], "2019-01-01T00:00:00Z", "2020-03-01T00:00:00.500Z");
	write_with_times(dir, d[2], "2019-01-01T00:00:00Z", "2020-03-01T00:00:00Z");
	/* The same update: the newer created first. */
	write_with_times(dir, d[3], "2019-06-01T00:00:00.000Z", "2020-02-01T00:00:00Z");
	write_with_times(dir, d[4], "2019-07-01T00:00:00Z", "2020-02-01T00:00:00.000Z");
	assert_int_equal(draft_list(&l, err, sizeof err), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.items[0]->id, d[1]->id);
	assert_string_equal(l.items[1]->id, d[2]->id);
	assert_string_equal(l.items[2]->id, d[4]->id);
	assert_string_equal(l.items[3]->id, d[3]->id);
	assert_string_equal(l.items[4]->id, d[0]->id);
	draft_list_clear(&l);
	/* A save makes a draft the newest. */
	g = draft_generation();
	assert_int_equal(draft_save(d[0], err, sizeof err), 0);
	assert_true(draft_generation() > g);
	assert_int_equal(draft_list(&l, err, sizeof err), 0);
	assert_string_equal(l.items[0]->id, d[0]->id);
	assert_string_equal(l.items[1]->id, d[1]->id);
	draft_list_clear(&l);
	for (size_t i = 0; i < 5; i++)
		draft_free(&d[i]);
	free(dir);
}

static void test_remove(void **state)
{
	char err[512], *dir = fresh_dir("remove"), *path;
	struct draft *a = plain_draft(), *b = full_draft(), *back;
	struct draft_list l;
	unsigned long g;

	(void)state;
	assert_int_equal(draft_save(a, err, sizeof err), 0);
	assert_int_equal(draft_save(b, err, sizeof err), 0);
	g = draft_generation();
	assert_int_equal(draft_remove(a->id, err, sizeof err), 0);
	assert_true(draft_generation() > g);
	path = path_of(dir, a->id);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	err[0] = '\0';
	assert_null(draft_load(a->id, err, sizeof err));
	assert_non_null(strstr(err, "no such draft"));
	assert_int_equal(draft_remove(a->id, err, sizeof err), -1);
	assert_non_null(strstr(err, "no such draft"));
	assert_int_equal(draft_list(&l, err, sizeof err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->id, b->id);
	draft_list_clear(&l);
	back = draft_load(b->id, err, sizeof err);
	assert_non_null(back);
	draft_free(&back);
	/* A removed draft saved again comes back (the form was still open). */
	assert_int_equal(draft_save(a, err, sizeof err), 0);
	back = draft_load(a->id, err, sizeof err);
	assert_non_null(back);
	draft_free(&back);
	draft_free(&a);
	draft_free(&b);
	free(dir);
}

/* ---- crashes ---- */

static void test_stray_temp_files(void **state)
{
	char err[512], *dir = fresh_dir("stray"), *path, *text;
	struct draft *d = full_draft(), *other = plain_draft(), *back;
	struct draft_list l;

	(void)state;
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	text = as_text(other);
	/* What a crash between write and rename leaves, whole or cut. */
	path = xasprintf("%s/.%s.Ab12Cd", dir, d->id);
	write_text(path, text);
	free(path);
	path = xasprintf("%s/.%s.Zz99Yy", dir, other->id);
	test_write_file(path, text, strlen(text) / 3);
	free(path);
	path = xasprintf("%s/.%s.json", dir, other->id);
	write_text(path, text);
	free(path);
	assert_int_equal(draft_list(&l, err, sizeof err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.n_problems, 0);
	assert_string_equal(l.items[0]->id, d->id);
	assert_string_equal(l.items[0]->cohort_text, d->cohort_text);
	draft_list_clear(&l);
	assert_null(draft_load(other->id, err, sizeof err));
	back = draft_load(d->id, err, sizeof err);
	assert_non_null(back);
	assert_int_equal(back->n_collections, 2);
	draft_free(&back);
	/* Saving again leaves them be. */
	assert_int_equal(draft_save(d, err, sizeof err), 0);
	assert_int_equal(hidden_files(dir), 3);
	free(text);
	draft_free(&other);
	draft_free(&d);
	free(dir);
}

/* The draft's JSON without "updated", which every save changes. */
static json_t *content(const struct draft *d)
{
	json_t *doc = as_json(d);

	json_object_del(doc, "updated");
	return doc;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static void spin_us(long us)
{
	long start = now_us();

	while (now_us() - start < us)
		continue;
}

static void test_kill_while_saving(void **state)
{
	char err[512], *dir = fresh_dir("kill");
	struct draft *a = full_draft(), *b;
	json_t *va, *vb, *v;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	int rounds = 40, saw_a = 0, saw_b = 0, strays = 0;
	long save_us;

	(void)state;
	/* Two versions of one draft that differ throughout. */
	assert_int_equal(draft_save(a, err, sizeof err), 0);
	b = draft_load(a->id, err, sizeof err);
	assert_non_null(b);
	free(b->cohort_text);
	b->cohort_text = xstrdup(odd_text);
	v = json_string("version B, which is rather longer than version A's answer");
	assert_int_equal(draft_set_answer(b, "summary", "title", v), 0);
	json_decref(v);
	assert_int_equal(draft_remove_collection(b, "coll-1"), 0);
	assert_int_equal(draft_submit_begin(b), 0);
	va = content(a);
	vb = content(b);
	assert_false(json_equal(va, vb));
	/* How long a save takes here, so a kill can land anywhere in one. */
	save_us = now_us();
	for (int i = 0; i < 10; i++)
		assert_int_equal(draft_save(i % 2 == 0 ? b : a, err, sizeof err), 0);
	save_us = (now_us() - save_us) / 10 + 1;
	srand(seed);
	print_message("# crash test seed %u\n", seed);
	for (int round = 0; round < rounds; round++) {
		int fds[2], status, wanted = 1 + rand() % 4;
		struct draft *back;
		struct draft_list l;
		char c;
		pid_t pid;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char cerr[512];

			close(fds[0]);
			for (unsigned long i = 0;; i++) {
				if (draft_save(i % 2 == 0 ? b : a, cerr, sizeof cerr) != 0) {
					fprintf(stderr, "child: %s\n", cerr);
					_exit(2);
				}
				if (write(fds[1], "s", 1) != 1)
					_exit(3);
			}
		}
		close(fds[1]);
		/* Let it finish some saves, then kill it somewhere in the next. */
		for (int got = 0; got < wanted;) {
			ssize_t r = read(fds[0], &c, 1);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break; /* it died: waitpid says how */
			got++;
		}
		spin_us(rand() % save_us);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		close(fds[0]);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("the saving child ended by itself (status %d)", status);
		back = draft_load(a->id, err, sizeof err);
		if (back == NULL)
			fail_msg("round %d: after the kill: %s", round, err);
		v = content(back);
		if (json_equal(v, va))
			saw_a++;
		else if (json_equal(v, vb))
			saw_b++;
		else
			fail_msg("round %d: the draft is neither version", round);
		assert_true(uuid_is_valid(back->idempotency_key));
		json_decref(v);
		draft_free(&back);
		assert_int_equal(draft_list(&l, err, sizeof err), 0);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.n_problems, 0);
		draft_list_clear(&l);
	}
	strays = (int)hidden_files(dir);
	print_message("# %d kills over saves of %ld us: %d found version A, %d version B, %d "
	              "temporary files left\n",
	              rounds, save_us, saw_a, saw_b, strays);
	assert_int_equal(saw_a + saw_b, rounds);
	json_decref(va);
	json_decref(vb);
	draft_free(&a);
	draft_free(&b);
	free(dir);
}

static int setup(void **state)
{
	(void)state;
	scratch = test_tmpdir("drafts");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	draft_set_dir(NULL);
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_from_env),
		cmocka_unit_test(test_new_refuses),
		cmocka_unit_test(test_no_dir),
		cmocka_unit_test(test_dir_is_a_file),
		cmocka_unit_test(test_empty_dir),
		cmocka_unit_test(test_garbage_files),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_wrong_members),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_submit_states),
		cmocka_unit_test(test_list_order),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_stray_temp_files),
		cmocka_unit_test(test_kill_while_saving),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
