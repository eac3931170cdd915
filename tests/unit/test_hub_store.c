/* store/hub_store.c: bad names, taken names, tokens that are not a user's
 * (empty, unknown, a site's), corrupt, foreign and newer files first; then
 * tokens in and out, what the file holds, rotation, removal, last seen and
 * online, the published catalogue with its ETag, clashes between sites,
 * the audit, and WAL mode; previews (ids, types and sizes refused first,
 * then who may store which id, what is served, and the migration from
 * schema version 2). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "store/catalogue_store.h"
#include "store/hub_store.h"
#include "util/hash.h"
#include "util/xmalloc.h"

#include "support.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static char *tmpdir;

static int group_setup(void **state)
{
	tmpdir = test_tmpdir("hub");
	return 0;
}

static int group_teardown(void **state)
{
	test_rmtree(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
	return 0;
}

/* A new, empty hub store opened for writing; its path in *path (new). */
static struct hub_store *new_store(char **path)
{
	struct hub_store *s;
	char err[512] = "";

	*path = test_temp_path(tmpdir, "hub.db");
	s = hub_store_open(*path, HUB_STORE_CREATE, err, sizeof err);
	if (s == NULL)
		fail_msg("open %s: %s", *path, err);
	return s;
}

static json_t *make_item(const char *id, const char *name)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s}, s:i, s:[s, s]}", "id", id, "name", name,
	                 "provider", "id", "es-x", "country", "ES", "number_of_subjects", 120,
	                 "imaging_modality", "MR", "CT");
}

static const char *id_at(json_t *list, size_t i)
{
	return json_string_value(json_object_get(json_array_get(list, i), "id"));
}

/* The bytes of path, new, length in *len; NULL with *len 0 if it is not there. */
static char *read_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *data;

	*len = 0;
	if (f == NULL)
		return NULL;
	assert_int_equal(fstat(fileno(f), &st), 0);
	data = xmalloc((size_t)st.st_size + 1);
	*len = fread(data, 1, (size_t)st.st_size, f);
	fclose(f);
	return data;
}

/* true if needle occurs in the database file or its WAL. */
static bool file_holds(const char *path, const char *needle)
{
	const char *suffixes[] = { "", "-wal" };
	bool found = false;

	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		size_t len;
		char *data = read_bytes(p, &len);

		if (data != NULL && memmem(data, len, needle, strlen(needle)) != NULL)
			found = true;
		free(data);
		free(p);
	}
	return found;
}

/* ---- degenerate input -------------------------------------------------- */

static void test_bad_names(void **state)
{
	char *path, err[512] = "", long_name[HUB_NAME_MAX + 2], *tok;
	struct hub_store *s = new_store(&path);
	const char *bad[] = { "", "a b", "al/ice", "caf\xc3\xa9", "tab\t", "x\x1b]0;t\x07" };
	enum hub_role role = HUB_ROLE_ADMIN;

	assert_null(hub_store_user_add(s, NULL, HUB_ROLE_RESEARCHER, err, sizeof err));
	assert_non_null(strstr(err, "user name"));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_false(hub_name_valid(bad[i]));
		assert_null(hub_store_user_add(s, bad[i], HUB_ROLE_RESEARCHER, err, sizeof err));
		assert_non_null(strstr(err, "user name is 1 to 64"));
		/* The refused name is not echoed (it may hold escapes). */
		assert_null(strchr(err, '\x1b'));
		assert_null(hub_store_site_add(s, bad[i], "ES", err, sizeof err));
		assert_non_null(strstr(err, "site name is 1 to 64"));
	}
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[HUB_NAME_MAX + 1] = '\0';
	assert_null(hub_store_user_add(s, long_name, HUB_ROLE_RESEARCHER, err, sizeof err));
	assert_non_null(strstr(err, "longer"));
	long_name[HUB_NAME_MAX] = '\0'; /* exactly 64: allowed */
	tok = hub_store_user_add(s, long_name, HUB_ROLE_RESEARCHER, err, sizeof err);
	assert_non_null(tok);
	free(tok);
	tok = hub_store_user_add(s, "A-z_0.9", HUB_ROLE_RESEARCHER, err, sizeof err);
	assert_non_null(tok);
	free(tok);
	/* Roles and countries. */
	assert_null(hub_store_user_add(s, "bob", (enum hub_role)7, err, sizeof err));
	assert_non_null(strstr(err, "role"));
	assert_int_equal(hub_role_parse("root", &role, err, sizeof err), -1);
	assert_int_equal(hub_role_parse(NULL, &role, err, sizeof err), -1);
	assert_int_equal(role, HUB_ROLE_ADMIN);
	assert_int_equal(hub_role_parse("researcher", &role, err, sizeof err), 0);
	assert_int_equal(role, HUB_ROLE_RESEARCHER);
	assert_null(hub_role_name((enum hub_role)7));
	assert_null(hub_store_site_add(s, "site-a", "E\x1bS", err, sizeof err));
	assert_non_null(strstr(err, "country"));
	assert_null(hub_store_site_add(s, "site-a", "", err, sizeof err));
	/* Nothing refused was written. */
	json_t *users = hub_store_user_list(s, err, sizeof err);
	assert_int_equal(json_array_size(users), 2);
	json_decref(users);
	json_t *sites = hub_store_site_list(s, 0, 60, err, sizeof err);
	assert_int_equal(json_array_size(sites), 0);
	json_decref(sites);
	hub_store_close(&s);
	hub_store_close(&s);
	hub_store_close(NULL);
	free(path);
}

static void test_duplicate_names(void **state)
{
	char *path, err[512] = "", *t1, *t2, *name = NULL;
	struct hub_store *s = new_store(&path);

	t1 = hub_store_user_add(s, "alice", HUB_ROLE_RESEARCHER, err, sizeof err);
	assert_non_null(t1);
	assert_null(hub_store_user_add(s, "alice", HUB_ROLE_ADMIN, err, sizeof err));
	assert_string_equal(err, "user alice already exists");
	t2 = hub_store_site_add(s, "site-a", "ES", err, sizeof err);
	assert_non_null(t2);
	free(t2);
	assert_null(hub_store_site_add(s, "site-a", "FR", err, sizeof err));
	assert_string_equal(err, "site site-a already exists");
	/* Users and sites are named apart. */
	t2 = hub_store_site_add(s, "alice", NULL, err, sizeof err);
	assert_non_null(t2);
	free(t2);
	/* The refused add left the first alice and her role alone. */
	enum hub_role role = HUB_ROLE_ADMIN;
	assert_int_equal(hub_store_user_find_by_token(s, t1, &name, &role, err, sizeof err), 1);
	assert_string_equal(name, "alice");
	assert_int_equal(role, HUB_ROLE_RESEARCHER);
	free(name);
	free(t1);
	hub_store_close(&s);
	free(path);
}

static void test_unknown_tokens(void **state)
{
	char *path, err[512] = "", *tok, *name = NULL, *bad;
	struct hub_store *s = new_store(&path);
	const char *unknown[] = {
		"",
		"ecii_u_",
		"ecii_u_0000000000000000000000000000000000000000000000000000000000000000",
		"Bearer ecii_u_00",
		"not a token at all",
	};

	tok = hub_store_user_add(s, "alice", HUB_ROLE_ADMIN, err, sizeof err);
	assert_non_null(tok);
	assert_int_equal(hub_store_user_find_by_token(s, NULL, &name, NULL, err, sizeof err), 0);
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		assert_int_equal(
		    hub_store_user_find_by_token(s, unknown[i], &name, NULL, err, sizeof err), 0);
		assert_int_equal(
		    hub_store_site_find_by_token(s, unknown[i], &name, err, sizeof err), 0);
	}
	assert_null(name);
	/* Near misses of the real token: upper-case, cut short, one more digit. */
	bad = xstrdup(tok);
	for (char *p = bad + strlen(HUB_TOKEN_USER_PREFIX); *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	if (strcmp(bad, tok) != 0)
		assert_int_equal(hub_store_user_find_by_token(s, bad, &name, NULL, err, sizeof err),
		                 0);
	free(bad);
	bad = xstrndup(tok, strlen(tok) - 1);
	assert_int_equal(hub_store_user_find_by_token(s, bad, &name, NULL, err, sizeof err), 0);
	free(bad);
	bad = xasprintf("%s0", tok);
	assert_int_equal(hub_store_user_find_by_token(s, bad, &name, NULL, err, sizeof err), 0);
	free(bad);
	assert_null(name);
	/* Unknown names are named. */
	assert_null(hub_store_user_rotate(s, "bob", err, sizeof err));
	assert_string_equal(err, "no user bob");
	assert_int_equal(hub_store_user_remove(s, "bob", err, sizeof err), -1);
	assert_string_equal(err, "no user bob");
	assert_null(hub_store_site_rotate(s, "site-z", err, sizeof err));
	assert_string_equal(err, "no site site-z");
	assert_int_equal(hub_store_site_remove(s, "site-z", err, sizeof err), -1);
	assert_string_equal(err, "no site site-z");
	assert_int_equal(hub_store_site_touch(s, "site-z", 10, err, sizeof err), -1);
	assert_string_equal(err, "no site site-z");
	free(tok);
	hub_store_close(&s);
	free(path);
}

static void test_wrong_kind(void **state)
{
	char *path, err[512] = "", *user_tok, *site_tok, *swapped, *name = NULL;
	struct hub_store *s = new_store(&path);
	size_t plen = strlen(HUB_TOKEN_USER_PREFIX);

	/* Same name for both, so only the kind can tell them apart. */
	user_tok = hub_store_user_add(s, "same", HUB_ROLE_ADMIN, err, sizeof err);
	site_tok = hub_store_site_add(s, "same", "ES", err, sizeof err);
	assert_non_null(user_tok);
	assert_non_null(site_tok);
	assert_int_equal(hub_store_user_find_by_token(s, site_tok, &name, NULL, err, sizeof err),
	                 0);
	assert_int_equal(hub_store_site_find_by_token(s, user_tok, &name, err, sizeof err), 0);
	/* A site's secret behind a user's prefix is still not a user token. */
	swapped = xasprintf("%s%s", HUB_TOKEN_USER_PREFIX, site_tok + plen);
	assert_int_equal(hub_store_user_find_by_token(s, swapped, &name, NULL, err, sizeof err), 0);
	free(swapped);
	swapped = xasprintf("%s%s", HUB_TOKEN_SITE_PREFIX, user_tok + plen);
	assert_int_equal(hub_store_site_find_by_token(s, swapped, &name, err, sizeof err), 0);
	free(swapped);
	assert_null(name);
	free(user_tok);
	free(site_tok);
	hub_store_close(&s);
	free(path);
}

static void test_open_corrupt(void **state)
{
	char *path = test_temp_path(tmpdir, "junk.db");
	char *missing = test_temp_path(tmpdir, "missing.db");
	char junk[4096], err[512] = "";

	memset(junk, 0x5a, sizeof junk);
	test_write_file(path, junk, sizeof junk);
	assert_null(hub_store_open(path, HUB_STORE_READ, err, sizeof err));
	assert_non_null(strstr(err, "not a database"));
	assert_non_null(strstr(err, path));
	assert_null(hub_store_open(path, HUB_STORE_WRITE, err, sizeof err));
	assert_non_null(strstr(err, "not a database"));
	assert_null(hub_store_open(path, HUB_STORE_CREATE, err, sizeof err));
	assert_non_null(strstr(err, "not a database"));
	/* Missing: read and write refuse without making it. */
	assert_null(hub_store_open(missing, HUB_STORE_READ, err, sizeof err));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_null(hub_store_open(missing, HUB_STORE_WRITE, err, sizeof err));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_int_equal(access(missing, F_OK), -1);
	assert_null(hub_store_open(NULL, HUB_STORE_CREATE, err, sizeof err));
	assert_null(hub_store_open("", HUB_STORE_WRITE, err, sizeof err));
	free(missing);
	free(path);
}

static void test_open_foreign(void **state)
{
	char *path = test_temp_path(tmpdir, "catalogue.db");
	struct catalogue_store *c;
	char err[512] = "";

	c = catalogue_store_open(path, true, err, sizeof err);
	assert_non_null(c);
	catalogue_store_close(&c);
	assert_null(hub_store_open(path, HUB_STORE_READ, err, sizeof err));
	assert_non_null(strstr(err, "not an ecii hub store"));
	assert_null(hub_store_open(path, HUB_STORE_CREATE, err, sizeof err));
	assert_non_null(strstr(err, "not an ecii hub store"));
	free(path);
}

static void test_open_newer_schema(void **state)
{
	char *path, err[512] = "";
	struct hub_store *s = new_store(&path);

	hub_store_close(&s);
	test_exec_sql(path, "UPDATE schema_version SET version = 9");
	assert_null(hub_store_open(path, HUB_STORE_READ, err, sizeof err));
	assert_non_null(strstr(err, "newer"));
	assert_non_null(strstr(err, "9"));
	assert_null(hub_store_open(path, HUB_STORE_WRITE, err, sizeof err));
	assert_non_null(strstr(err, "newer"));
	free(path);
}

static void test_read_only(void **state)
{
	char *path, err[512] = "", *tok, *name = NULL;
	struct hub_store *s = new_store(&path);
	json_t *items = json_array();

	tok = hub_store_user_add(s, "alice", HUB_ROLE_ADMIN, err, sizeof err);
	free(hub_store_site_add(s, "site-a", "ES", err, sizeof err));
	hub_store_close(&s);
	s = hub_store_open(path, HUB_STORE_READ, err, sizeof err);
	assert_non_null(s);
	assert_null(hub_store_user_add(s, "bob", HUB_ROLE_ADMIN, err, sizeof err));
	assert_non_null(strstr(err, "read-only"));
	assert_null(hub_store_user_rotate(s, "alice", err, sizeof err));
	assert_int_equal(hub_store_user_remove(s, "alice", err, sizeof err), -1);
	assert_null(hub_store_site_add(s, "site-b", NULL, err, sizeof err));
	assert_int_equal(hub_store_site_touch(s, "site-a", 5, err, sizeof err), -1);
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", items, err, sizeof err), -1);
	assert_int_equal(hub_store_audit_add(s, "alice", 1, HASH_A, items, err, sizeof err), -1);
	/* Reading still works. */
	assert_int_equal(hub_store_user_find_by_token(s, tok, &name, NULL, err, sizeof err), 1);
	assert_string_equal(name, "alice");
	free(name);
	hub_store_close(&s);
	json_decref(items);
	free(tok);
	free(path);
}

/* ---- real cases ------------------------------------------------------ */

static void test_token_round_trip(void **state)
{
	char *path, err[512] = "", *admin, *res, *site, *name = NULL;
	struct hub_store *s = new_store(&path);
	enum hub_role role;
	size_t plen = strlen(HUB_TOKEN_USER_PREFIX);
	json_t *users;

	admin = hub_store_user_add(s, "dac", HUB_ROLE_ADMIN, err, sizeof err);
	res = hub_store_user_add(s, "alice", HUB_ROLE_RESEARCHER, err, sizeof err);
	site = hub_store_site_add(s, "site-a", "ES", err, sizeof err);
	assert_non_null(admin);
	assert_non_null(res);
	assert_non_null(site);
	/* Shape: prefix and 64 lower-case hex digits; each token different. */
	assert_int_equal(strncmp(admin, HUB_TOKEN_USER_PREFIX, plen), 0);
	assert_int_equal(strncmp(site, HUB_TOKEN_SITE_PREFIX, plen), 0);
	assert_int_equal(strlen(admin), plen + 64);
	assert_int_equal(strspn(admin + plen, "0123456789abcdef"), 64);
	assert_int_equal(strspn(site + plen, "0123456789abcdef"), 64);
	assert_string_not_equal(admin + plen, res + plen);
	hub_store_close(&s);

	/* Tokens survive a reopen. */
	s = hub_store_open(path, HUB_STORE_WRITE, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(hub_store_user_find_by_token(s, admin, &name, &role, err, sizeof err), 1);
	assert_string_equal(name, "dac");
	assert_int_equal(role, HUB_ROLE_ADMIN);
	free(name);
	name = NULL;
	assert_int_equal(hub_store_user_find_by_token(s, res, &name, &role, err, sizeof err), 1);
	assert_string_equal(name, "alice");
	assert_int_equal(role, HUB_ROLE_RESEARCHER);
	free(name);
	name = NULL;
	assert_int_equal(hub_store_user_find_by_token(s, res, NULL, NULL, err, sizeof err), 1);
	assert_int_equal(hub_store_site_find_by_token(s, site, &name, err, sizeof err), 1);
	assert_string_equal(name, "site-a");
	free(name);
	assert_int_equal(hub_store_site_find_by_token(s, site, NULL, err, sizeof err), 1);
	users = hub_store_user_list(s, err, sizeof err);
	assert_non_null(users);
	assert_int_equal(json_array_size(users), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(users, 0), "name")),
	                    "alice");
	assert_string_equal(json_string_value(json_object_get(json_array_get(users, 1), "role")),
	                    "admin");
	assert_true(json_integer_value(json_object_get(json_array_get(users, 0), "created")) > 0);
	assert_null(json_object_get(json_array_get(users, 0), "token_hash"));
	json_decref(users);
	hub_store_close(&s);
	free(admin);
	free(res);
	free(site);
	free(path);
}

static void test_token_not_in_file(void **state)
{
	char *path, err[512] = "", *tokens[3], hash[2 * HASH_SHA256_LEN + 1];
	struct hub_store *s = new_store(&path);
	size_t plen = strlen(HUB_TOKEN_USER_PREFIX);

	tokens[0] = hub_store_user_add(s, "alice", HUB_ROLE_RESEARCHER, err, sizeof err);
	tokens[1] = hub_store_site_add(s, "site-a", "ES", err, sizeof err);
	tokens[2] = hub_store_user_rotate(s, "alice", err, sizeof err);
	for (int pass = 0; pass < 2; pass++) {
		/* Open (the rows may sit in the WAL), then closed (checkpointed). */
		for (size_t i = 0; i < 3; i++) {
			assert_non_null(tokens[i]);
			assert_false(file_holds(path, tokens[i]));
			assert_false(file_holds(path, tokens[i] + plen));
		}
		/* The scan can see: the current hashes are there. */
		hash_sha256_hex(tokens[1], strlen(tokens[1]), hash);
		assert_true(file_holds(path, hash));
		hash_sha256_hex(tokens[2], strlen(tokens[2]), hash);
		assert_true(file_holds(path, hash));
		hub_store_close(&s);
	}
	for (size_t i = 0; i < 3; i++)
		free(tokens[i]);
	free(path);
}

static void test_rotation(void **state)
{
	char *path, err[512] = "", *old, *new, *other, *site_old, *site_new, *name = NULL;
	struct hub_store *s = new_store(&path);
	enum hub_role role;

	old = hub_store_user_add(s, "alice", HUB_ROLE_ADMIN, err, sizeof err);
	other = hub_store_user_add(s, "bob", HUB_ROLE_RESEARCHER, err, sizeof err);
	site_old = hub_store_site_add(s, "site-a", "ES", err, sizeof err);
	new = hub_store_user_rotate(s, "alice", err, sizeof err);
	assert_non_null(new);
	assert_string_not_equal(old, new);
	assert_int_equal(hub_store_user_find_by_token(s, old, &name, NULL, err, sizeof err), 0);
	assert_int_equal(hub_store_user_find_by_token(s, new, &name, &role, err, sizeof err), 1);
	assert_string_equal(name, "alice");
	assert_int_equal(role, HUB_ROLE_ADMIN); /* the role stays */
	free(name);
	name = NULL;
	assert_int_equal(hub_store_user_find_by_token(s, other, NULL, NULL, err, sizeof err), 1);
	site_new = hub_store_site_rotate(s, "site-a", err, sizeof err);
	assert_non_null(site_new);
	assert_int_equal(hub_store_site_find_by_token(s, site_old, &name, err, sizeof err), 0);
	assert_int_equal(hub_store_site_find_by_token(s, site_new, &name, err, sizeof err), 1);
	assert_string_equal(name, "site-a");
	free(name);
	free(old);
	free(new);
	free(other);
	free(site_old);
	free(site_new);
	hub_store_close(&s);
	free(path);
}

static void test_removal(void **state)
{
	char *path, err[512] = "", *alice, *site_a, *site_b;
	struct hub_store *s = new_store(&path);
	json_t *a_items = json_pack("[o, o]", make_item("a-1", "A one"), make_item("a-2", "A two"));
	json_t *b_items = json_pack("[o]", make_item("b-1", "B one"));
	json_t *list;

	alice = hub_store_user_add(s, "alice", HUB_ROLE_RESEARCHER, err, sizeof err);
	site_a = hub_store_site_add(s, "site-a", "ES", err, sizeof err);
	site_b = hub_store_site_add(s, "site-b", "FR", err, sizeof err);
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", a_items, err, sizeof err), 0);
	assert_int_equal(hub_store_catalogue_replace(s, "site-b", b_items, err, sizeof err), 0);
	assert_int_equal(hub_store_user_remove(s, "alice", err, sizeof err), 0);
	assert_int_equal(hub_store_user_find_by_token(s, alice, NULL, NULL, err, sizeof err), 0);
	assert_int_equal(hub_store_user_remove(s, "alice", err, sizeof err), -1);
	/* A removed site takes its collections with it (foreign keys are on). */
	assert_int_equal(hub_store_site_remove(s, "site-a", err, sizeof err), 0);
	assert_int_equal(hub_store_site_find_by_token(s, site_a, NULL, err, sizeof err), 0);
	assert_int_equal(hub_store_site_find_by_token(s, site_b, NULL, err, sizeof err), 1);
	list = hub_store_catalogue_list(s, NULL, err, sizeof err);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(id_at(list, 0), "b-1");
	json_decref(list);
	/* The name can be taken again, with a new token. */
	free(alice);
	alice = hub_store_user_add(s, "alice", HUB_ROLE_ADMIN, err, sizeof err);
	assert_non_null(alice);
	free(alice);
	free(site_a);
	free(site_b);
	json_decref(a_items);
	json_decref(b_items);
	hub_store_close(&s);
	free(path);
}

static json_t *site_named(json_t *sites, const char *name)
{
	size_t i;
	json_t *site;

	json_array_foreach (sites, i, site)
		if (strcmp(json_string_value(json_object_get(site, "name")), name) == 0)
			return site;
	fail_msg("no site %s in the list", name);
	return NULL;
}

static void test_last_seen_online(void **state)
{
	char *path, err[512] = "";
	struct hub_store *s = new_store(&path);
	json_t *sites, *a, *b;

	free(hub_store_site_add(s, "site-b", NULL, err, sizeof err));
	free(hub_store_site_add(s, "site-a", "ES", err, sizeof err));
	sites = hub_store_site_list(s, 1000, 60, err, sizeof err);
	assert_non_null(sites);
	assert_int_equal(json_array_size(sites), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sites, 0), "name")),
	                    "site-a");
	a = site_named(sites, "site-a");
	b = site_named(sites, "site-b");
	assert_string_equal(json_string_value(json_object_get(a, "country")), "ES");
	assert_true(json_is_null(json_object_get(b, "country")));
	assert_true(json_is_null(json_object_get(a, "last_seen")));
	assert_true(json_is_false(json_object_get(a, "online")));
	json_decref(sites);

	assert_int_equal(hub_store_site_touch(s, "site-a", 1000, err, sizeof err), 0);
	assert_int_equal(hub_store_site_touch(s, "site-b", 900, err, sizeof err), 0);
	sites = hub_store_site_list(s, 1030, 60, err, sizeof err);
	a = site_named(sites, "site-a");
	b = site_named(sites, "site-b");
	assert_int_equal(json_integer_value(json_object_get(a, "last_seen")), 1000);
	assert_true(json_is_true(json_object_get(a, "online")));
	assert_true(json_is_false(json_object_get(b, "online")));
	json_decref(sites);
	/* Exactly one interval is still online; one second more is not. */
	sites = hub_store_site_list(s, 1060, 60, err, sizeof err);
	assert_true(json_is_true(json_object_get(site_named(sites, "site-a"), "online")));
	json_decref(sites);
	sites = hub_store_site_list(s, 1061, 60, err, sizeof err);
	assert_true(json_is_false(json_object_get(site_named(sites, "site-a"), "online")));
	json_decref(sites);
	/* A later poll brings it back. */
	assert_int_equal(hub_store_site_touch(s, "site-a", 1100, err, sizeof err), 0);
	sites = hub_store_site_list(s, 1101, 60, err, sizeof err);
	assert_true(json_is_true(json_object_get(site_named(sites, "site-a"), "online")));
	json_decref(sites);
	hub_store_close(&s);
	free(path);
}

static void test_catalogue(void **state)
{
	char *path, err[512] = "x", *etag0 = NULL, *etag1 = NULL, *etag2 = NULL, *etag3 = NULL;
	struct hub_store *s = new_store(&path);
	json_t *a = json_pack("[o, o, o]", make_item("a-1", "Prostate MR"),
	                      make_item("a-2", "Breast MG"), make_item("a-3", "Lung CT"));
	json_t *b = json_pack("[o, o]", make_item("b-1", "Colon CT"), make_item("b-2", "Abdomen"));
	json_t *list, *got, *reordered;

	free(hub_store_site_add(s, "site-a", "ES", err, sizeof err));
	free(hub_store_site_add(s, "site-b", "FR", err, sizeof err));
	list = hub_store_catalogue_list(s, &etag0, err, sizeof err);
	assert_int_equal(json_array_size(list), 0);
	assert_non_null(etag0);
	json_decref(list);

	assert_int_equal(hub_store_catalogue_replace(s, "site-a", a, err, sizeof err), 0);
	assert_int_equal(hub_store_catalogue_replace(s, "site-b", b, err, sizeof err), 0);
	list = hub_store_catalogue_list(s, &etag1, err, sizeof err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 5);
	/* Name order across sites. */
	assert_string_equal(id_at(list, 0), "b-2"); /* Abdomen */
	assert_string_equal(id_at(list, 1), "a-2"); /* Breast MG */
	assert_string_equal(id_at(list, 2), "b-1"); /* Colon CT */
	assert_string_equal(id_at(list, 3), "a-3"); /* Lung CT */
	assert_string_equal(id_at(list, 4), "a-1"); /* Prostate MR */
	assert_true(json_equal(json_array_get(list, 4), json_array_get(a, 0)));
	json_decref(list);
	/* ETag: quoted SHA-256 hex, different from the empty list's. */
	assert_int_equal(strlen(etag1), 66);
	assert_int_equal(etag1[0], '"');
	assert_int_equal(etag1[65], '"');
	assert_int_equal(strspn(etag1 + 1, "0123456789abcdef"), 64);
	assert_string_not_equal(etag0, etag1);

	got = hub_store_catalogue_get(s, "b-1", err, sizeof err);
	assert_non_null(got);
	assert_string_equal(json_string_value(json_object_get(got, "name")), "Colon CT");
	json_decref(got);
	assert_null(hub_store_catalogue_get(s, "nope", err, sizeof err));
	assert_string_equal(err, "");
	assert_null(hub_store_catalogue_get(s, NULL, err, sizeof err));

	/* Publishing the same items again, keys in another order, keeps the
	 * ETag: it is over the list, not over how a site spelled it. */
	reordered = json_array();
	for (size_t i = json_array_size(a); i-- > 0;) {
		json_t *src = json_array_get(a, i), *copy = json_object();
		const char *keys[] = { "imaging_modality", "number_of_subjects", "provider", "name",
			               "id" };
		for (size_t k = 0; k < 5; k++)
			json_object_set(copy, keys[k], json_object_get(src, keys[k]));
		json_array_append_new(reordered, copy);
	}
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", reordered, err, sizeof err), 0);
	json_decref(hub_store_catalogue_list(s, &etag2, err, sizeof err));
	assert_string_equal(etag1, etag2);

	/* A changed field changes it; dropping items shrinks the list. */
	json_object_set_new(json_array_get(a, 0), "number_of_subjects", json_integer(121));
	json_array_remove(a, 2);
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", a, err, sizeof err), 0);
	list = hub_store_catalogue_list(s, &etag3, err, sizeof err);
	assert_int_equal(json_array_size(list), 4);
	assert_string_not_equal(etag2, etag3);
	assert_null(hub_store_catalogue_get(s, "a-3", err, sizeof err));
	assert_string_equal(err, "");
	json_decref(list);
	free(etag2);
	etag2 = NULL;
	/* An empty publication withdraws the site's collections only. */
	json_t *none = json_array();
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", none, err, sizeof err), 0);
	list = hub_store_catalogue_list(s, &etag2, err, sizeof err);
	assert_int_equal(json_array_size(list), 2);
	assert_string_not_equal(etag2, etag3);
	json_decref(list);
	json_decref(none);

	json_decref(reordered);
	json_decref(a);
	json_decref(b);
	free(etag0);
	free(etag1);
	free(etag2);
	free(etag3);
	hub_store_close(&s);
	free(path);
}

static void test_catalogue_bad(void **state)
{
	char *path, err[512] = "", *etag = NULL, *etag_after = NULL;
	struct hub_store *s = new_store(&path);
	json_t *good = json_pack("[o, o]", make_item("a-1", "One"), make_item("a-2", "Two"));
	json_t *bad[] = {
		json_pack("[o, {s:s}]", make_item("a-9", "Nine"), "name", "no id"),
		json_pack("[{s:s, s:i}]", "id", "a-9", "name", 3),
		json_pack("[{s:i, s:s}]", "id", 9, "name", "x"),
		json_pack("[{s:s, s:s}]", "id", "", "name", "x"),
		json_pack("[s]", "a-9"),
		json_pack("[o, o]", make_item("a-9", "Nine"), make_item("a-9", "Again")),
	};
	json_t *obj = json_object(), *list;

	free(hub_store_site_add(s, "site-a", "ES", err, sizeof err));
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", good, err, sizeof err), 0);
	json_decref(hub_store_catalogue_list(s, &etag, err, sizeof err));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(hub_store_catalogue_replace(s, "site-a", bad[i], err, sizeof err),
		                 -1);
		assert_non_null(strstr(err, "site-a"));
		json_decref(bad[i]);
	}
	assert_non_null(strstr(err, "a-9 appears twice"));
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", NULL, err, sizeof err), -1);
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", obj, err, sizeof err), -1);
	assert_non_null(strstr(err, "array"));
	assert_int_equal(hub_store_catalogue_replace(s, "site-z", good, err, sizeof err), -1);
	assert_string_equal(err, "no site site-z");
	assert_int_equal(hub_store_catalogue_replace(s, "bad name", good, err, sizeof err), -1);
	/* All or nothing: the first publication is still whole. */
	list = hub_store_catalogue_list(s, &etag_after, err, sizeof err);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(etag, etag_after);
	json_decref(list);
	/* And the store still takes a good one (no transaction left open). */
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", good, err, sizeof err), 0);
	free(etag);
	free(etag_after);
	json_decref(obj);
	json_decref(good);
	hub_store_close(&s);
	free(path);
}

static void test_collection_clash(void **state)
{
	char *path, err[512] = "";
	struct hub_store *s = new_store(&path);
	json_t *a = json_pack("[o]", make_item("c-1", "Shared id"));
	json_t *b = json_pack("[o, o]", make_item("b-1", "B one"), make_item("c-1", "Mine too"));
	json_t *b_ok = json_pack("[o]", make_item("b-1", "B one"));
	json_t *list, *got;

	free(hub_store_site_add(s, "site-a", "ES", err, sizeof err));
	free(hub_store_site_add(s, "site-b", "FR", err, sizeof err));
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", a, err, sizeof err), 0);
	assert_int_equal(hub_store_catalogue_replace(s, "site-b", b_ok, err, sizeof err), 0);
	assert_int_equal(hub_store_catalogue_replace(s, "site-b", b, err, sizeof err), -1);
	assert_string_equal(err, "site site-b: collection c-1 is already published by site site-a");
	/* Neither site's list changed. */
	list = hub_store_catalogue_list(s, NULL, err, sizeof err);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	got = hub_store_catalogue_get(s, "c-1", err, sizeof err);
	assert_string_equal(json_string_value(json_object_get(got, "name")), "Shared id");
	json_decref(got);
	/* Once site-a withdraws it, site-b may publish it. */
	json_array_clear(a);
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", a, err, sizeof err), 0);
	assert_int_equal(hub_store_catalogue_replace(s, "site-b", b, err, sizeof err), 0);
	got = hub_store_catalogue_get(s, "c-1", err, sizeof err);
	assert_string_equal(json_string_value(json_object_get(got, "name")), "Mine too");
	json_decref(got);
	json_decref(a);
	json_decref(b);
	json_decref(b_ok);
	hub_store_close(&s);
	free(path);
}

static void test_audit(void **state)
{
	char *path, err[512] = "";
	struct hub_store *s = new_store(&path);
	json_t *ab = json_pack("[s, s]", "site-a", "site-b"), *none = json_array();
	json_t *bad_sites = json_pack("[s, i]", "site-a", 3), *list, *row;

	assert_int_equal(hub_store_audit_add(s, "alice", 100, HASH_A, ab, err, sizeof err), 0);
	assert_int_equal(hub_store_audit_add(s, "bob", 150, HASH_B, ab, err, sizeof err), 0);
	assert_int_equal(hub_store_audit_add(s, "alice", 300, HASH_B, none, err, sizeof err), 0);
	assert_int_equal(hub_store_audit_add(s, "alice", 200, HASH_A, ab, err, sizeof err), 0);
	/* Same second: the later one is newer. */
	assert_int_equal(hub_store_audit_add(s, "alice", 300, HASH_A, ab, err, sizeof err), 0);
	/* Refused rows. */
	assert_int_equal(hub_store_audit_add(s, "alice", 1, "abc", ab, err, sizeof err), -1);
	assert_non_null(strstr(err, "cohort hash"));
	assert_int_equal(hub_store_audit_add(s, "alice", 1, NULL, ab, err, sizeof err), -1);
	assert_int_equal(hub_store_audit_add(s, "alice", 1, HASH_A, bad_sites, err, sizeof err),
	                 -1);
	assert_int_equal(hub_store_audit_add(s, "alice", 1, HASH_A, NULL, err, sizeof err), -1);
	assert_int_equal(hub_store_audit_add(s, "", 1, HASH_A, ab, err, sizeof err), -1);

	list = hub_store_audit_list_by_user(s, "alice", 0, err, sizeof err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 4);
	row = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(row, "when")), 300);
	assert_string_equal(json_string_value(json_object_get(row, "cohort_hash")), HASH_A);
	assert_true(json_equal(json_object_get(row, "sites"), ab));
	row = json_array_get(list, 1);
	assert_int_equal(json_integer_value(json_object_get(row, "when")), 300);
	assert_string_equal(json_string_value(json_object_get(row, "cohort_hash")), HASH_B);
	assert_int_equal(json_array_size(json_object_get(row, "sites")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 2), "when")), 200);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 3), "when")), 100);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 3), "user")),
	                    "alice");
	json_decref(list);
	list = hub_store_audit_list_by_user(s, "alice", 2, err, sizeof err);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "when")), 300);
	json_decref(list);
	list = hub_store_audit_list_by_user(s, "bob", 10, err, sizeof err);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	list = hub_store_audit_list_by_user(s, "carol", 10, err, sizeof err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_null(hub_store_audit_list_by_user(s, NULL, 10, err, sizeof err));
	json_decref(ab);
	json_decref(none);
	json_decref(bad_sites);
	hub_store_close(&s);
	free(path);
}

static void test_wal(void **state)
{
	char *path, err[512] = "", *wal, *shm;
	struct hub_store *s = new_store(&path);
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;

	free(hub_store_user_add(s, "alice", HUB_ROLE_ADMIN, err, sizeof err));
	wal = xasprintf("%s-wal", path);
	shm = xasprintf("%s-shm", path);
	assert_int_equal(access(wal, F_OK), 0);
	assert_int_equal(access(shm, F_OK), 0);
	/* The mode is kept in the file: another connection sees it. */
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	sqlite3_close(db);
	hub_store_close(&s);
	free(wal);
	free(shm);
	free(path);
}

/* ---- previews (schema version 3) --------------------------------------- */

/* A collection item id of site listing the previews ids (a JSON array text). */
static json_t *item_with_previews(const char *id, const char *previews)
{
	json_t *item = make_item(id, id);

	json_object_set_new(item, "previews", json_loads(previews, 0, NULL));
	return item;
}

static void test_preview_degenerate(void **state)
{
	char *path, err[512] = "", *long_id;
	struct hub_store *s = new_store(&path);
	struct hub_preview p;
	json_t *items;

	(void)state;
	/* ids: what may reach a URL path or a file name */
	assert_false(hub_preview_id_valid(NULL));
	assert_false(hub_preview_id_valid(""));
	assert_false(hub_preview_id_valid("."));
	assert_false(hub_preview_id_valid(".."));
	assert_false(hub_preview_id_valid("-rf"));
	assert_false(hub_preview_id_valid("a/b"));
	assert_false(hub_preview_id_valid("a b"));
	assert_false(hub_preview_id_valid("a%2f"));
	assert_true(hub_preview_id_valid("p-1.dcm"));
	assert_true(hub_preview_id_valid("9_x"));
	long_id = xmalloc(HUB_PREVIEW_ID_MAX + 2);
	memset(long_id, 'a', HUB_PREVIEW_ID_MAX + 1);
	long_id[HUB_PREVIEW_ID_MAX + 1] = '\0';
	assert_false(hub_preview_id_valid(long_id));
	long_id[HUB_PREVIEW_ID_MAX] = '\0';
	assert_true(hub_preview_id_valid(long_id));
	free(long_id);
	assert_false(hub_preview_type_valid(NULL));
	assert_false(hub_preview_type_valid("image/jpeg"));
	assert_false(hub_preview_type_valid("image/png; x=1"));
	assert_true(hub_preview_type_valid("image/png"));
	assert_true(hub_preview_type_valid("application/dicom"));

	free(hub_store_site_add(s, "site-a", NULL, err, sizeof err));
	items = json_pack("[o]", item_with_previews("a-1", "[{\"id\":\"p-1\"}]"));
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", items, err, sizeof err), 0);
	assert_int_equal(
	    hub_store_preview_put(s, NULL, "p-1", "image/png", "x", 1, 1, err, sizeof err),
	    HUB_PREVIEW_ERROR);
	assert_int_equal(
	    hub_store_preview_put(s, "site-a", "../p-1", "image/png", "x", 1, 1, err, sizeof err),
	    HUB_PREVIEW_ERROR);
	assert_non_null(strstr(err, "preview id"));
	assert_int_equal(
	    hub_store_preview_put(s, "site-a", "p-1", "text/html", "x", 1, 1, err, sizeof err),
	    HUB_PREVIEW_ERROR);
	assert_int_equal(
	    hub_store_preview_put(s, "site-a", "p-1", "image/png", NULL, 1, 1, err, sizeof err),
	    HUB_PREVIEW_ERROR);
	assert_int_equal(hub_store_preview_put(s, "site-a", "p-1", "image/png", "x",
	                                       (size_t)HUB_PREVIEW_MAX + 1, 1, err, sizeof err),
	                 HUB_PREVIEW_ERROR);
	assert_non_null(strstr(err, "at most"));
	/* nothing stored by any of them */
	assert_int_equal(hub_store_preview_get(s, "p-1", true, &p, err, sizeof err), 0);
	assert_int_equal(hub_store_preview_get(s, NULL, true, &p, err, sizeof err), 0);
	assert_int_equal(hub_store_preview_get(s, "../x", true, &p, err, sizeof err), 0);
	/* an empty preview is a preview */
	assert_int_equal(
	    hub_store_preview_put(s, "site-a", "p-1", "image/png", NULL, 0, 1, err, sizeof err),
	    HUB_PREVIEW_STORED);
	assert_int_equal(hub_store_preview_get(s, "p-1", true, &p, err, sizeof err), 1);
	assert_int_equal(p.len, 0);
	assert_null(p.bytes);
	/* SHA-256 of nothing */
	assert_string_equal(p.sha256,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hub_preview_clear(&p);
	hub_preview_clear(NULL);
	hub_store_close(&s);
	/* read-only refuses to write, reads */
	s = hub_store_open(path, HUB_STORE_READ, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(
	    hub_store_preview_put(s, "site-a", "p-1", "image/png", "x", 1, 1, err, sizeof err),
	    HUB_PREVIEW_ERROR);
	assert_non_null(strstr(err, "read-only"));
	assert_int_equal(hub_store_preview_get(s, "p-1", false, &p, err, sizeof err), 1);
	hub_preview_clear(&p);
	hub_store_close(&s);
	json_decref(items);
	free(path);
}

static void test_previews(void **state)
{
	char *path, err[512] = "", sha[65];
	struct hub_store *s = new_store(&path);
	struct hub_preview p;
	json_t *a, *b, *none = json_array();
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0bytes";
	static const char dcm[] = "DICM and more";

	(void)state;
	free(hub_store_site_add(s, "site-a", NULL, err, sizeof err));
	free(hub_store_site_add(s, "site-b", NULL, err, sizeof err));
	/* previews entries that are not objects are ignored, not an error */
	a = json_pack("[o, o]", item_with_previews("a-1", "[\"p-x\", 3, null, {\"id\":\"p-a1\"}]"),
	              item_with_previews("a-2", "[{\"id\":\"p-a2\",\"title\":\"T\"}]"));
	b = json_pack("[o]", item_with_previews("b-1", "{\"id\":\"p-b1\"}"));
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", a, err, sizeof err), 0);
	assert_int_equal(hub_store_catalogue_replace(s, "site-b", b, err, sizeof err), 0);

	/* not listed anywhere; listed by another site; "previews" not an array */
	assert_int_equal(hub_store_preview_put(s, "site-a", "p-zz", "image/png", png, sizeof png,
	                                       10, err, sizeof err),
	                 HUB_PREVIEW_UNLISTED);
	assert_non_null(strstr(err, "p-zz"));
	assert_int_equal(hub_store_preview_put(s, "site-b", "p-a1", "image/png", png, sizeof png,
	                                       10, err, sizeof err),
	                 HUB_PREVIEW_OTHER_SITE);
	assert_non_null(strstr(err, "site-a"));
	assert_int_equal(hub_store_preview_put(s, "site-a", "p-x", "image/png", png, sizeof png, 10,
	                                       err, sizeof err),
	                 HUB_PREVIEW_UNLISTED);
	assert_int_equal(hub_store_preview_put(s, "site-b", "p-b1", "image/png", png, sizeof png,
	                                       10, err, sizeof err),
	                 HUB_PREVIEW_UNLISTED);

	/* stored: bytes exact (NULs and all), type, SHA-256 */
	assert_int_equal(hub_store_preview_put(s, "site-a", "p-a1", "image/png", png, sizeof png,
	                                       10, err, sizeof err),
	                 HUB_PREVIEW_STORED);
	assert_int_equal(hub_store_preview_put(s, "site-a", "p-a2", "application/dicom", dcm,
	                                       strlen(dcm), 10, err, sizeof err),
	                 HUB_PREVIEW_STORED);
	assert_int_equal(hub_store_preview_get(s, "p-a1", true, &p, err, sizeof err), 1);
	assert_string_equal(p.site, "site-a");
	assert_string_equal(p.media_type, "image/png");
	assert_int_equal(p.len, sizeof png);
	assert_memory_equal(p.bytes, png, sizeof png);
	hash_sha256_hex(png, sizeof png, sha);
	assert_string_equal(p.sha256, sha);
	hub_preview_clear(&p);
	/* without the bytes: the hash and length only */
	assert_int_equal(hub_store_preview_get(s, "p-a2", false, &p, err, sizeof err), 1);
	assert_null(p.bytes);
	assert_int_equal(p.len, strlen(dcm));
	assert_string_equal(p.media_type, "application/dicom");
	hub_preview_clear(&p);
	/* replaced: new bytes, new hash */
	assert_int_equal(hub_store_preview_put(s, "site-a", "p-a1", "application/dicom", dcm,
	                                       strlen(dcm), 11, err, sizeof err),
	                 HUB_PREVIEW_STORED);
	assert_int_equal(hub_store_preview_get(s, "p-a1", true, &p, err, sizeof err), 1);
	assert_string_not_equal(p.sha256, sha);
	assert_string_equal(p.media_type, "application/dicom");
	hub_preview_clear(&p);

	/* republishing keeps them; withdrawing the listing hides them */
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", a, err, sizeof err), 0);
	assert_int_equal(hub_store_preview_get(s, "p-a2", false, &p, err, sizeof err), 1);
	hub_preview_clear(&p);
	json_array_remove(a, 1);
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", a, err, sizeof err), 0);
	assert_int_equal(hub_store_preview_get(s, "p-a2", false, &p, err, sizeof err), 0);
	assert_int_equal(hub_store_preview_get(s, "p-a1", false, &p, err, sizeof err), 1);
	hub_preview_clear(&p);
	/* another site listing a stored id does not get it served as its own */
	json_decref(b);
	b = json_pack("[o]", item_with_previews("b-1", "[{\"id\":\"p-a2\"}]"));
	assert_int_equal(hub_store_catalogue_replace(s, "site-b", b, err, sizeof err), 0);
	assert_int_equal(hub_store_preview_get(s, "p-a2", false, &p, err, sizeof err), 0);
	/* ... until it uploads its own */
	assert_int_equal(hub_store_preview_put(s, "site-b", "p-a2", "image/png", png, sizeof png,
	                                       12, err, sizeof err),
	                 HUB_PREVIEW_STORED);
	assert_int_equal(hub_store_preview_get(s, "p-a2", false, &p, err, sizeof err), 1);
	assert_string_equal(p.site, "site-b");
	hub_preview_clear(&p);
	/* removing a site removes its previews */
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", none, err, sizeof err), 0);
	assert_int_equal(hub_store_site_remove(s, "site-a", err, sizeof err), 0);
	{
		sqlite3 *db;
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(
		    sqlite3_prepare_v2(db, "SELECT count(*) FROM previews", -1, &q, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), 1); /* site-b's only */
		sqlite3_finalize(q);
		sqlite3_close(db);
	}
	json_decref(a);
	json_decref(b);
	json_decref(none);
	hub_store_close(&s);
	free(path);
}

static void test_migration_from_v2(void **state)
{
	char *path, err[512] = "", *tok, *name = NULL;
	struct hub_store *s = new_store(&path);
	struct hub_preview p;
	json_t *items = json_pack("[o]", item_with_previews("a-1", "[{\"id\":\"p-1\"}]"));

	(void)state;
	tok = hub_store_site_add(s, "site-a", "ES", err, sizeof err);
	assert_int_equal(hub_store_catalogue_replace(s, "site-a", items, err, sizeof err), 0);
	hub_store_close(&s);
	/* back to version 2, as a hub of before the previews left it */
	test_exec_sql(path, "DROP TABLE previews; UPDATE schema_version SET version = 2");
	s = hub_store_open(path, HUB_STORE_READ, err, sizeof err);
	assert_null(s); /* a reader does not migrate */
	assert_non_null(strstr(err, "older"));
	s = hub_store_open(path, HUB_STORE_WRITE, err, sizeof err);
	if (s == NULL)
		fail_msg("migrate: %s", err);
	/* the site, its token and its catalogue survived; previews work */
	assert_int_equal(hub_store_site_find_by_token(s, tok, &name, err, sizeof err), 1);
	assert_string_equal(name, "site-a");
	assert_int_equal(
	    hub_store_preview_put(s, "site-a", "p-1", "image/png", "png", 3, 1, err, sizeof err),
	    HUB_PREVIEW_STORED);
	assert_int_equal(hub_store_preview_get(s, "p-1", true, &p, err, sizeof err), 1);
	assert_memory_equal(p.bytes, "png", 3);
	hub_preview_clear(&p);
	hub_store_close(&s);
	/* and it is now version 3: a reader opens it */
	s = hub_store_open(path, HUB_STORE_READ, err, sizeof err);
	if (s == NULL)
		fail_msg("reopen: %s", err);
	hub_store_close(&s);
	json_decref(items);
	free(name);
	free(tok);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_duplicate_names),
		cmocka_unit_test(test_unknown_tokens),
		cmocka_unit_test(test_wrong_kind),
		cmocka_unit_test(test_open_corrupt),
		cmocka_unit_test(test_open_foreign),
		cmocka_unit_test(test_open_newer_schema),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_token_round_trip),
		cmocka_unit_test(test_token_not_in_file),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_removal),
		cmocka_unit_test(test_last_seen_online),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_catalogue_bad),
		cmocka_unit_test(test_collection_clash),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_wal),
		cmocka_unit_test(test_preview_degenerate),
		cmocka_unit_test(test_previews),
		cmocka_unit_test(test_migration_from_v2),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
