/* The client's settings and credentials (store/client_config): where the
 * directory is, the defaults with no file, hub URLs refused and
 * normalised, each key's good and bad values with file:line in the
 * message, then the credentials file: missing, bad input, put, get,
 * replace and remove for two hubs, its modes, a file others can read
 * refused, and no token ever in a message. Each test uses a directory of
 * its own under a scratch dir. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/client_config.h"
#include "util/file.h"
#include "util/xmalloc.h"

#include "support.h"

static char *scratch;

static const char token_a[] = "ecii_u_0123456789abcdef0123456789abcdef";
static const char token_b[] = "ecii_u_fedcba9876543210fedcba9876543210";
static const char token_c[] = "ecii_u_cccccccccccccccccccccccccccccccc";

/* A fresh config directory that does not exist yet, set as the module's;
 * returns it (new). */
static char *fresh_dir(const char *name)
{
	char *home = test_temp_path(scratch, name), *dir = xasprintf("%s/ecii", home);

	client_config_set_dir(dir);
	free(home);
	return dir;
}

/* Makes dir and its parent if they are missing. */
static void make_dir(const char *dir)
{
	char *parent = xstrndup(dir, (size_t)(strrchr(dir, '/') - dir));

	mkdir(parent, 0700);
	mkdir(dir, 0700);
	free(parent);
}

/* Writes text as the config file in dir (made if needed). */
static void write_config(const char *dir, const char *text)
{
	char *path = xasprintf("%s/config", dir);

	make_dir(dir);
	test_write_file(path, text, strlen(text));
	free(path);
}

static void assert_no_token(const char *err)
{
	assert_null(strstr(err, token_a));
	assert_null(strstr(err, token_b));
	assert_null(strstr(err, token_c));
	assert_null(strstr(err, "ecii_u_"));
}

static void test_dir_from_env(void **state)
{
	char err[256] = "", *dir, *home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;

	client_config_set_dir(NULL);
	setenv("XDG_CONFIG_HOME", "/x/config", 1);
	setenv("HOME", "/home/someone", 1);
	dir = client_config_dir(err, sizeof err);
	assert_string_equal(dir, "/x/config/ecii");
	free(dir);
	/* A relative or empty XDG_CONFIG_HOME is ignored, as the spec says. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	dir = client_config_dir(err, sizeof err);
	assert_string_equal(dir, "/home/someone/.config/ecii");
	free(dir);
	setenv("XDG_CONFIG_HOME", "", 1);
	dir = client_config_dir(err, sizeof err);
	assert_string_equal(dir, "/home/someone/.config/ecii");
	free(dir);
	unsetenv("XDG_CONFIG_HOME");
	dir = client_config_dir(err, sizeof err);
	assert_string_equal(dir, "/home/someone/.config/ecii");
	free(dir);
	/* XDG_DATA_HOME is the data directory's, not this one's. */
	setenv("XDG_DATA_HOME", "/x/data", 1);
	dir = client_config_dir(err, sizeof err);
	assert_string_equal(dir, "/home/someone/.config/ecii");
	free(dir);
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	assert_null(client_config_dir(err, sizeof err));
	assert_non_null(strstr(err, "config directory"));
	assert_non_null(strstr(err, "HOME"));
	client_config_set_dir("/over/there");
	dir = client_config_dir(err, sizeof err);
	assert_string_equal(dir, "/over/there");
	free(dir);
	client_config_set_dir(NULL);
	/* Without a directory everything fails cleanly, the defaults kept. */
	{
		struct client_config c;

		err[0] = '\0';
		assert_int_equal(client_config_load(&c, err, sizeof err), -1);
		assert_non_null(strstr(err, "HOME"));
		assert_null(c.hub);
		assert_int_equal(c.site_timeout_ms, CLIENT_SITE_TIMEOUT_MS);
		assert_string_equal(c.graphics, "auto");
		assert_true(c.colour);
		client_config_clear(&c);
	}
	assert_null(credentials_get("http://h:1", err, sizeof err));
	assert_true(err[0] != '\0');
	assert_int_equal(credentials_put("http://h:1", token_a, err, sizeof err), -1);
	assert_no_token(err);
	assert_int_equal(credentials_remove("http://h:1", err, sizeof err), -1);
	if (home != NULL)
		setenv("HOME", home, 1);
	free(home);
}

static void test_defaults(void **state)
{
	char err[256] = "", *dir = fresh_dir("defaults"), *want = xasprintf("%s/config", dir);
	struct client_config c;

	assert_int_equal(client_config_load(&c, err, sizeof err), 0);
	assert_string_equal(c.path, want);
	assert_null(c.hub);
	assert_int_equal(c.site_timeout_ms, CLIENT_SITE_TIMEOUT_MS);
	assert_int_equal(CLIENT_SITE_TIMEOUT_MS, 10000);
	assert_string_equal(c.graphics, "auto");
	assert_true(c.colour);
	client_config_clear(&c);
	assert_null(c.path);
	client_config_clear(&c);
	client_config_clear(NULL);
	/* Loading made nothing. */
	assert_int_equal(access(dir, F_OK), -1);

	/* An empty file, and one of comments only, are the defaults too. */
	write_config(dir, "");
	assert_int_equal(client_config_load(&c, err, sizeof err), 0);
	assert_null(c.hub);
	client_config_clear(&c);
	write_config(dir, "# nothing here\n\n");
	assert_int_equal(client_config_load(&c, err, sizeof err), 0);
	assert_string_equal(c.graphics, "auto");
	client_config_clear(&c);
	free(want);
	free(dir);
}

static void test_hub_normalise(void **state)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "http://localhost:8080", "http://localhost:8080" },
		{ "http://localhost:8080/", "http://localhost:8080" },
		{ "HTTPS://Hub.Example.ORG", "https://hub.example.org" },
		{ "https://hub.example.org:443/", "https://hub.example.org" },
		{ "http://hub:80", "http://hub" },
		{ "https://hub:8443/api/v1//", "https://hub:8443/api/v1" },
		{ "https://hub/Case/Kept", "https://hub/Case/Kept" },
		{ "http://127.0.0.1:9", "http://127.0.0.1:9" },
		{ "http://[::1]:8080/", "http://[::1]:8080" },
	};
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ NULL, "needed" },
		{ "", "needed" },
		{ "hub.example.org", "must start with http:// or https://" },
		{ "ftp://hub", "must start with http:// or https://" },
		{ "http:/hub", "must start with http:// or https://" },
		{ "http://", "host" },
		{ "http:///path", "host" },
		{ "http://:8080", "host" },
		{ "http://hub:", "port" },
		{ "http://hub:0", "port" },
		{ "http://hub:65536", "port" },
		{ "http://hub:80x", "port" },
		{ "http://hub_x", "host" },
		{ "http://[::1", "host" },
		{ "http://[zz]:1", "host" },
		{ "http://user:pw@hub", "user name" },
		{ "http://hub/?q=1", "query" },
		{ "http://hub/#x", "fragment" },
		{ "http://hub/a b", "space" },
		{ "http://h\xc3\xbc"
		  "b",
		  "ASCII" },
		{ "http://hub/\x1b[31m", "ASCII" },
	};
	char err[256], *out, *huge;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		out = client_hub_normalise(good[i].in, err, sizeof err);
		if (out == NULL)
			fail_msg("%s: %s", good[i].in, err);
		assert_string_equal(out, good[i].out);
		free(out);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		out = client_hub_normalise(bad[i].in, err, sizeof err);
		if (out != NULL)
			fail_msg("took '%s' as '%s'", bad[i].in, out);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("%s: '%s' does not say '%s'", bad[i].in ? bad[i].in : "NULL", err,
			         bad[i].why);
	}
	assert_null(client_hub_normalise("hub", err, sizeof err));
	assert_string_equal(err, "hub URL must start with http:// or https://");
	huge = xmalloc(5000);
	memset(huge, 'a', 4999);
	memcpy(huge, "http://", 7);
	huge[4999] = '\0';
	assert_null(client_hub_normalise(huge, err, sizeof err));
	assert_non_null(strstr(err, "longer"));
	free(huge);
}

/* text as the config file fails to load with a message naming the file,
 * line and saying want; the defaults are kept. */
static void assert_bad_config(const char *dir, const char *text, unsigned line, const char *want)
{
	char err[512] = "", at[600];
	struct client_config c;

	write_config(dir, text);
	if (client_config_load(&c, err, sizeof err) != -1)
		fail_msg("loaded: %s", text);
	snprintf(at, sizeof at, "%s/config:%u: ", dir, line);
	if (strncmp(err, at, strlen(at)) != 0 || strstr(err, want) == NULL)
		fail_msg("for %s: got '%s', wanted '%s...%s'", text, err, at, want);
	assert_null(strchr(err, '\x1b'));
	assert_null(c.hub);
	assert_int_equal(c.site_timeout_ms, CLIENT_SITE_TIMEOUT_MS);
	assert_string_equal(c.graphics, "auto");
	assert_true(c.colour);
	assert_non_null(c.path);
	client_config_clear(&c);
}

static void test_keys(void **state)
{
	static const struct {
		const char *value;
		long ms;
	} timeouts[] = {
		{ "10", 10000 },  { "0.1", 100 },    { "2.5", 2500 },       { "600", 600000 },
		{ "0.125", 125 }, { "007", 7000 },   { "600.000", 600000 }, { "1.0009", 1000 },
		{ "0.10", 100 },  { "\"3\"", 3000 },
	};
	static const char *bad_timeouts[] = {
		"0",       "0.0",      "0.09",  "0.0999",
		"600.001", "600.0001", "601",   "99999999999999999999",
		"-1",      "+1",       "1e2",   "2,5",
		".5",      "5.",       "1.2.3", "10s",
		" ",       "",         "inf",   "0x10",
	};
	char err[512] = "", *dir = fresh_dir("keys"), *text;
	struct client_config c;

	write_config(dir, "# mine\n"
	                  "hub = HTTPS://Hub.Example.org/\n"
	                  "site-timeout = 2.5\n"
	                  "graphics = sixel\n"
	                  "colour = no\n");
	assert_int_equal(client_config_load(&c, err, sizeof err), 0);
	assert_string_equal(c.hub, "https://hub.example.org");
	assert_int_equal(c.site_timeout_ms, 2500);
	assert_string_equal(c.graphics, "sixel");
	assert_false(c.colour);
	client_config_clear(&c);

	for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
		text = xasprintf("site-timeout = %s\n", timeouts[i].value);
		write_config(dir, text);
		if (client_config_load(&c, err, sizeof err) != 0)
			fail_msg("%s: %s", timeouts[i].value, err);
		assert_int_equal(c.site_timeout_ms, timeouts[i].ms);
		client_config_clear(&c);
		free(text);
	}
	for (size_t i = 0; i < sizeof bad_timeouts / sizeof bad_timeouts[0]; i++) {
		text = xasprintf("\nsite-timeout = %s\n", bad_timeouts[i]);
		assert_bad_config(dir, text, 2, "site-timeout");
		free(text);
	}
	assert_bad_config(dir, "site-timeout = 601\n", 1, "bad site-timeout '601'");

	for (const char *const *g = (const char *const[]){ "auto", "sixel", "text", "none", NULL };
	     *g != NULL; g++) {
		text = xasprintf("graphics = %s\n", *g);
		write_config(dir, text);
		assert_int_equal(client_config_load(&c, err, sizeof err), 0);
		assert_string_equal(c.graphics, *g);
		client_config_clear(&c);
		free(text);
	}
	assert_bad_config(dir, "graphics = kitty\n", 1, "bad graphics 'kitty'");
	assert_bad_config(dir, "graphics = Sixel\n", 1, "auto, sixel, text or none");
	assert_bad_config(dir, "graphics =\n", 1, "bad graphics");

	write_config(dir, "colour = yes\n");
	assert_int_equal(client_config_load(&c, err, sizeof err), 0);
	assert_true(c.colour);
	client_config_clear(&c);
	assert_bad_config(dir, "colour = true\n", 1, "bad colour 'true': yes or no");
	assert_bad_config(dir, "colour = maybe\n", 1, "yes or no");

	assert_bad_config(dir, "hub = hub.example.org\n", 1,
	                  "hub URL must start with http:// or https://");
	assert_bad_config(dir, "hub = http://hub:99999\n", 1, "port");
	/* Every line is checked, also one a later line overrides. */
	assert_bad_config(dir, "hub = nowhere\nhub = http://h:1\n", 1, "http://");
	/* Unknown keys, and the reader's own errors, keep their file:line. */
	assert_bad_config(dir, "hub = http://h:1\ncolor = no\n", 2,
	                  "unknown key 'color' (known: hub, site-timeout, graphics, colour)");
	assert_bad_config(dir, "hub = http://h:1\n\ntimeout\n", 3, "expected key = value");
	/* A value that is not printable is not echoed. */
	assert_bad_config(dir, "graphics = \"\xc3\xa9\xc3\xa9\"\n", 1, "bad graphics '...'");
	free(dir);
}

static char *cred_path(const char *dir)
{
	return xasprintf("%s/credentials", dir);
}

static void test_credentials_missing(void **state)
{
	char err[256], *dir = fresh_dir("cred-missing");

	strcpy(err, "stale");
	assert_null(credentials_get("http://localhost:8080", err, sizeof err));
	assert_string_equal(err, "");
	/* Removing from no file writes nothing. */
	assert_int_equal(credentials_remove("http://localhost:8080", err, sizeof err), 0);
	assert_int_equal(access(dir, F_OK), -1);
	/* Bad hubs and tokens: nothing written, no token echoed. */
	assert_null(credentials_get("localhost", err, sizeof err));
	assert_non_null(strstr(err, "http://"));
	assert_int_equal(credentials_put("localhost", token_a, err, sizeof err), -1);
	assert_no_token(err);
	assert_int_equal(credentials_put("http://h:1", NULL, err, sizeof err), -1);
	assert_int_equal(credentials_put("http://h:1", "", err, sizeof err), -1);
	assert_int_equal(credentials_put("http://h:1", "ecii_u_two words", err, sizeof err), -1);
	assert_null(strstr(err, "two words"));
	assert_int_equal(credentials_put("http://h:1", "ecii_u_line\nbreak", err, sizeof err), -1);
	assert_null(strstr(err, "ecii_u_"));
	assert_int_equal(credentials_put("http://h:1", "ecii_u_\xc3\xa9", err, sizeof err), -1);
	assert_int_equal(access(dir, F_OK), -1);
	free(dir);
}

static void test_credentials_round_trip(void **state)
{
	static const char hub1[] = "http://localhost:8080", hub2[] = "https://hub.example.org";
	char err[256] = "", *dir = fresh_dir("cred-round"), *path = cred_path(dir), *token, *data;
	struct stat st;

	assert_int_equal(credentials_put(hub1, token_a, err, sizeof err), 0);
	/* The directory was made 0700, the file is 0600. */
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(credentials_put(hub2, token_b, err, sizeof err), 0);

	token = credentials_get(hub1, err, sizeof err);
	assert_non_null(token);
	assert_string_equal(token, token_a);
	free(token);
	/* Any spelling of the hub finds it. */
	token = credentials_get("HTTPS://HUB.example.org:443/", err, sizeof err);
	assert_non_null(token);
	assert_string_equal(token, token_b);
	free(token);
	strcpy(err, "stale");
	assert_null(credentials_get("http://localhost:8081", err, sizeof err));
	assert_string_equal(err, "");

	/* Replacing keeps one line per hub and the other hub's token. */
	assert_int_equal(credentials_put("http://LOCALHOST:8080/", token_c, err, sizeof err), 0);
	token = credentials_get(hub1, err, sizeof err);
	assert_string_equal(token, token_c);
	free(token);
	token = credentials_get(hub2, err, sizeof err);
	assert_string_equal(token, token_b);
	free(token);
	data = file_read_all(path, NULL);
	assert_non_null(data);
	assert_null(strstr(data, token_a));
	assert_string_equal(data,
	                    "https://hub.example.org ecii_u_fedcba9876543210fedcba9876543210\n"
	                    "http://localhost:8080 ecii_u_cccccccccccccccccccccccccccccccc\n");
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Removing one leaves the other; removing again is fine. */
	assert_int_equal(credentials_remove(hub1, err, sizeof err), 0);
	assert_null(credentials_get(hub1, err, sizeof err));
	assert_string_equal(err, "");
	token = credentials_get(hub2, err, sizeof err);
	assert_string_equal(token, token_b);
	free(token);
	assert_int_equal(credentials_remove(hub1, err, sizeof err), 0);
	assert_int_equal(credentials_remove(hub2, err, sizeof err), 0);
	assert_null(credentials_get(hub2, err, sizeof err));
	assert_string_equal(err, "");
	/* No temporary file is left beside it. */
	data = xasprintf("%s/.credentials.XXXXXX", dir);
	assert_int_equal(access(data, F_OK), -1);
	free(data);
	free(path);
	free(dir);
}

static void test_credentials_hand_edited(void **state)
{
	char err[256] = "", *dir = fresh_dir("cred-edited"), *path = cred_path(dir), *token, *data;
	static const char text[] = "# my tokens\r\n"
	                           "\n"
	                           "not-a-hub whatever\n"
	                           "  http://a:1/   ecii_u_first  \r\n"
	                           "http://b:2 bad\x01token\n"
	                           "http://c:3\n"
	                           "http://a:1 ecii_u_second";

	make_dir(dir);
	test_write_file(path, text, sizeof text - 1);
	chmod(path, 0600);
	/* The last line for a hub wins; CRLF and spaces are fine. */
	token = credentials_get("http://a:1", err, sizeof err);
	assert_non_null(token);
	assert_string_equal(token, "ecii_u_second");
	free(token);
	/* A bad token is an error naming the line, never echoing it. */
	assert_null(credentials_get("http://b:2", err, sizeof err));
	assert_non_null(strstr(err, "credentials:5: "));
	assert_null(strstr(err, "bad"));
	assert_null(credentials_get("http://c:3", err, sizeof err));
	assert_non_null(strstr(err, ":6: "));
	/* Rewriting keeps the lines it does not understand. */
	assert_int_equal(credentials_remove("http://a:1", err, sizeof err), 0);
	data = file_read_all(path, NULL);
	assert_string_equal(data, "# my tokens\r\n\nnot-a-hub whatever\nhttp://b:2 bad\x01token\n"
	                          "http://c:3\n");
	free(data);
	free(path);
	free(dir);
}

static void test_credentials_mode(void **state)
{
	char err[512] = "", *dir = fresh_dir("cred-mode"), *path = cred_path(dir), *token, *want;
	struct stat st;

	assert_int_equal(credentials_put("http://h:1", token_a, err, sizeof err), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_null(credentials_get("http://h:1", err, sizeof err));
	want = xasprintf("%s is readable by others (mode 0644): run chmod 600 %s", path, path);
	assert_string_equal(err, want);
	free(want);
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(credentials_get("http://h:1", err, sizeof err));
	assert_non_null(strstr(err, "(mode 0640)"));
	assert_int_equal(chmod(path, 0620), 0);
	assert_null(credentials_get("http://h:1", err, sizeof err));
	assert_non_null(strstr(err, "writable by others (mode 0620)"));
	assert_no_token(err);
	/* Storing again makes it private. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(credentials_put("http://h:2", token_b, err, sizeof err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	token = credentials_get("http://h:1", err, sizeof err);
	assert_string_equal(token, token_a);
	free(token);

	/* A directory in its place, and an unwritable directory. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(credentials_get("http://h:1", err, sizeof err));
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(credentials_put("http://h:1", token_a, err, sizeof err), -1);
	assert_no_token(err);
	assert_int_equal(rmdir(path), 0);
	if (geteuid() != 0) {
		assert_int_equal(chmod(dir, 0500), 0);
		assert_int_equal(credentials_put("http://h:1", token_c, err, sizeof err), -1);
		assert_non_null(strstr(err, dir));
		assert_no_token(err);
		assert_int_equal(chmod(dir, 0700), 0);
	}
	free(path);
	free(dir);
}

static int setup(void **state)
{
	scratch = test_tmpdir("client-config");
	return 0;
}

static int teardown(void **state)
{
	client_config_set_dir(NULL);
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_from_env),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_hub_normalise),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_credentials_missing),
		cmocka_unit_test(test_credentials_round_trip),
		cmocka_unit_test(test_credentials_hand_edited),
		cmocka_unit_test(test_credentials_mode),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
