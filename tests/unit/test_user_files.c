/* The user's files (store/user_files): where they live, names refused,
 * directories that cannot be read or written, garbage in the files and a
 * half-written temporary file left by a crash, then saving, listing,
 * replacing and deleting cohorts, and the history's order and cap. Each
 * test points XDG_DATA_HOME at a directory of its own under a scratch dir. */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/user_files.h"
#include "util/file.h"
#include "util/xmalloc.h"

#include "support.h"

static char *scratch;

static const char hash_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char hash_b[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* A fresh XDG_DATA_HOME that does not exist yet; returns the ecii
 * directory in it (new). */
static char *fresh_home(const char *name)
{
	char *home = test_temp_path(scratch, name), *dir = xasprintf("%s/ecii", home);

	assert_int_equal(setenv("XDG_DATA_HOME", home, 1), 0);
	user_files_set_dir(NULL);
	free(home);
	return dir;
}

static void write_text(const char *path, const char *text)
{
	test_write_file(path, text, strlen(text));
}

static size_t count_lines(const char *path)
{
	size_t len, n = 0;
	char *data = file_read_all(path, &len);

	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		n += data[i] == '\n';
	free(data);
	return n;
}

/* Whether dir holds a name starting with '.' other than "." and "..". */
static bool hidden_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			found = true;
	closedir(d);
	return found;
}

static void test_dir_from_env(void **state)
{
	char err[256] = "", *dir;

	user_files_set_dir(NULL);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	dir = user_files_dir(err, sizeof err);
	assert_string_equal(dir, "/x/data/ecii");
	free(dir);
	/* A relative XDG_DATA_HOME is ignored, as the spec says. */
	setenv("XDG_DATA_HOME", "relative", 1);
	setenv("HOME", "/home/someone", 1);
	dir = user_files_dir(err, sizeof err);
	assert_string_equal(dir, "/home/someone/.local/share/ecii");
	free(dir);
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	assert_null(user_files_dir(err, sizeof err));
	assert_non_null(strstr(err, "HOME"));
	user_files_set_dir("/over/there");
	dir = user_files_dir(err, sizeof err);
	assert_string_equal(dir, "/over/there");
	free(dir);
	user_files_set_dir(NULL);
	/* Without a directory every call fails cleanly. */
	err[0] = '\0';
	assert_int_equal(user_cohort_save("a", "sex:male", hash_a, false, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	assert_false(user_cohort_exists("a"));
	assert_int_equal(user_history_add(hash_a, "sex:male", err, sizeof err), -1);
}

static void test_bad_names(void **state)
{
	static const char *bad[] = {
		"",          ".hidden",     "..",         "a/b",   "../up",       "tab\there",
		"new\nline", "caf\xc3\xa9", "semi;colon", "star*", "back\\slash", "q'uote",
	};
	char err[256], *dir = fresh_home("names"), *long_name;
	struct user_cohort *list;
	size_t n;

	assert_int_equal(user_name_check(NULL, err, sizeof err), -1);
	assert_string_equal(err, "a name is needed");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (user_name_check(bad[i], err, sizeof err) == 0)
			fail_msg("'%s' was taken as a name", bad[i]);
		assert_true(err[0] != '\0');
		assert_null(strchr(err, '\n'));
		assert_int_equal(
		    user_cohort_save(bad[i], "sex:male", hash_a, true, err, sizeof err), -1);
		assert_int_equal(user_cohort_delete(bad[i], err, sizeof err), -1);
		assert_false(user_cohort_exists(bad[i]));
	}
	assert_int_equal(user_name_check("a/b", err, sizeof err), -1);
	assert_non_null(strstr(err, "'/'"));
	long_name = xmalloc(USER_NAME_MAX + 2);
	memset(long_name, 'x', USER_NAME_MAX + 1);
	long_name[USER_NAME_MAX + 1] = '\0';
	assert_int_equal(user_name_check(long_name, err, sizeof err), -1);
	assert_non_null(strstr(err, "64"));
	long_name[USER_NAME_MAX] = '\0';
	assert_int_equal(user_name_check(long_name, err, sizeof err), 0);
	assert_int_equal(user_name_check("My cohort-1_v2.0", err, sizeof err), 0);
	assert_int_equal(user_name_check("a..b", err, sizeof err), 0);
	free(long_name);
	/* Nothing was written for the refused names. */
	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	assert_null(list);
	free(dir);
}

static void test_bad_content(void **state)
{
	char err[256], *dir = fresh_home("content");

	assert_int_equal(user_cohort_save("a", NULL, hash_a, false, err, sizeof err), -1);
	assert_int_equal(user_cohort_save("a", "", hash_a, false, err, sizeof err), -1);
	assert_int_equal(
	    user_cohort_save("a", "sex:male\nquery: x", hash_a, false, err, sizeof err), -1);
	assert_int_equal(user_cohort_save("a", "sex:male", NULL, false, err, sizeof err), -1);
	assert_int_equal(user_cohort_save("a", "sex:male", "abc", false, err, sizeof err), -1);
	assert_int_equal(
	    user_cohort_save("a", "sex:male",
	                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	                     false, err, sizeof err),
	    -1);
	assert_false(user_cohort_exists("a"));
	assert_int_equal(user_history_add(hash_a, "two\nlines", err, sizeof err), -1);
	assert_int_equal(user_history_add(hash_a, "", err, sizeof err), -1);
	assert_int_equal(user_history_add("zz", "sex:male", err, sizeof err), -1);
	assert_int_equal(access(dir, F_OK), -1); /* nothing made for refused input */
	free(dir);
}

static void test_unusable_dirs(void **state)
{
	char err[256], *dir = fresh_home("unusable"), *path;
	struct user_cohort *list = (struct user_cohort *)1;
	struct user_history *hist = (struct user_history *)1;
	size_t n = 7;

	/* cohorts is a file and history a directory. */
	assert_int_equal(user_cohort_save("a", "sex:male", hash_a, false, err, sizeof err), 0);
	path = xasprintf("%s/cohorts", dir);
	test_rmtree(path);
	write_text(path, "not a directory\n");
	err[0] = '\0';
	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), -1);
	assert_null(list);
	assert_int_equal(n, 0);
	assert_true(err[0] != '\0');
	assert_int_equal(user_cohort_save("b", "sex:male", hash_a, false, err, sizeof err), -1);
	assert_int_equal(user_cohort_delete("a", err, sizeof err), -1);
	free(path);
	path = xasprintf("%s/history", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(user_history_add(hash_a, "sex:male", err, sizeof err), -1);
	assert_int_equal(user_history_list(10, &hist, &n, err, sizeof err), -1);
	assert_null(hist);
	free(path);
	/* An unreadable cohorts directory (root reads it anyway). */
	path = xasprintf("%s/cohorts", dir);
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	if (geteuid() != 0) {
		assert_int_equal(chmod(path, 0), 0);
		assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), -1);
		assert_non_null(strstr(err, "cannot read"));
		chmod(path, 0700);
	}
	free(path);
	free(dir);
}

static void test_garbage_files(void **state)
{
	char err[256], *dir = fresh_home("garbage"), *cohorts, *path;
	struct user_cohort *list;
	size_t n;
	static const char nul_file[] = "name: nul\nquery: sex:male\0query: x\n";

	assert_int_equal(user_cohort_save("good", "sex:male", hash_a, false, err, sizeof err), 0);
	cohorts = xasprintf("%s/cohorts", dir);
	/* A crash between writing and renaming leaves this behind. */
	path = xasprintf("%s/.half.cohort.Ab12Cd", cohorts);
	write_text(path, "name: half\nhash: 01");
	free(path);
	path = xasprintf("%s/.half.cohort", cohorts);
	write_text(path, "name: .half\nquery: sex:female\n");
	free(path);
	path = xasprintf("%s/no-query.cohort", cohorts);
	write_text(path, "name: no-query\nhash: 0123\n\x1b[31m garbage\n");
	free(path);
	path = xasprintf("%s/other.cohort", cohorts);
	write_text(path, "name: somebody else\nquery: sex:female\n");
	free(path);
	path = xasprintf("%s/bad name!.cohort", cohorts);
	write_text(path, "name: bad name!\nquery: sex:female\n");
	free(path);
	path = xasprintf("%s/nul.cohort", cohorts);
	test_write_file(path, nul_file, sizeof nul_file - 1);
	free(path);
	path = xasprintf("%s/notes.txt", cohorts);
	write_text(path, "query: sex:female\n");
	free(path);
	path = xasprintf("%s/lines.cohort", cohorts);
	write_text(path, "garbage\nhash: not hex\nsaved: yesterday\r\n: \nquery:nospace\n"
	                 "query: age:50..70\r\nquery: second\n");
	free(path);
	path = xasprintf("%s/dir.cohort", cohorts);
	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "good");
	assert_string_equal(list[1].name, "lines");
	assert_string_equal(list[1].text, "age:50..70");
	assert_string_equal(list[1].hash, "");
	assert_string_equal(list[1].saved, "");
	user_cohorts_free(&list, n);
	assert_null(list);
	free(cohorts);
	free(dir);
}

static void test_round_trip(void **state)
{
	char err[256], *dir = fresh_home("round"), *path, *data;
	struct user_cohort *list;
	struct stat st;
	size_t n;

	assert_int_equal(user_cohort_save("beta", "sex:female", hash_b, false, err, sizeof err), 0);
	assert_int_equal(user_cohort_save("Alpha", "sex:male", hash_a, false, err, sizeof err), 0);
	assert_int_equal(user_cohort_save("c 1", "age:50..70", hash_a, false, err, sizeof err), 0);
	assert_true(user_cohort_exists("beta"));
	assert_false(user_cohort_exists("gamma"));
	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].name, "Alpha");
	assert_string_equal(list[0].text, "sex:male");
	assert_string_equal(list[0].hash, hash_a);
	assert_int_equal(strlen(list[0].saved), USER_TIME_LEN);
	assert_int_equal(list[0].saved[10], 'T');
	assert_string_equal(list[1].name, "beta");
	assert_string_equal(list[1].hash, hash_b);
	assert_string_equal(list[2].name, "c 1");
	user_cohorts_free(&list, n);

	/* The file: the query line last, mode 0600, in a 0700 directory. */
	path = xasprintf("%s/cohorts/beta.cohort", dir);
	data = file_read_all(path, NULL);
	assert_non_null(data);
	assert_true(strncmp(data, "name: beta\nhash: ", 17) == 0);
	assert_non_null(strstr(data, "\nsaved: "));
	assert_int_equal(strlen(data) - strlen("query: sex:female\n"),
	                 (size_t)(strstr(data, "query: ") - data));
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* An existing name is replaced only when asked. */
	err[0] = '\0';
	assert_int_equal(user_cohort_save("beta", "sex:male", hash_a, false, err, sizeof err), -1);
	assert_non_null(strstr(err, "'beta'"));
	data = file_read_all(path, NULL);
	assert_non_null(strstr(data, "query: sex:female\n"));
	free(data);
	assert_int_equal(user_cohort_save("beta", "age:<40", hash_a, true, err, sizeof err), 0);
	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[1].text, "age:<40");
	assert_string_equal(list[1].hash, hash_a);
	user_cohorts_free(&list, n);
	free(path);
	path = xasprintf("%s/cohorts", dir);
	assert_false(hidden_files(path)); /* no temporary file left */
	free(path);

	assert_int_equal(user_cohort_delete("beta", err, sizeof err), 0);
	assert_false(user_cohort_exists("beta"));
	err[0] = '\0';
	assert_int_equal(user_cohort_delete("beta", err, sizeof err), -1);
	assert_non_null(strstr(err, "no cohort"));
	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[1].name, "c 1");
	user_cohorts_free(&list, n);
	free(dir);
}

static void test_generation(void **state)
{
	char err[256], *dir = fresh_home("generation");
	unsigned long g = user_files_generation();

	assert_int_equal(user_cohort_save("a", "sex:male", hash_a, false, err, sizeof err), 0);
	assert_true(user_files_generation() > g);
	g = user_files_generation();
	assert_int_equal(user_cohort_save("a", "sex:male", hash_a, false, err, sizeof err), -1);
	assert_int_equal(user_files_generation(), g);
	assert_int_equal(user_history_add(hash_a, "sex:male", err, sizeof err), 0);
	assert_true(user_files_generation() > g);
	free(dir);
}

static void test_history(void **state)
{
	char err[256], *dir = fresh_home("history"), *path, *garbage;
	struct user_history *h;
	size_t n;

	assert_int_equal(user_history_list(10, &h, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	assert_null(h);
	assert_int_equal(user_history_add(hash_a, "sex:male", err, sizeof err), 0);
	assert_int_equal(user_history_add(hash_b, "sex:female\tage:<40", err, sizeof err), 0);
	assert_int_equal(user_history_add(hash_a, "sex:male", err, sizeof err), 0);
	/* Garbage in the file is skipped, never shown. */
	path = xasprintf("%s/history", dir);
	garbage = xasprintf("not a line\n\n2026-01-01T00:00:00Z\t%s\n"
	                    "2026-13-01 00:00:00Z\t%s\tx\n2026-01-01T00:00:00Z\tshort\tx\n"
	                    "2026-01-02T03:04:05Z\t%s\tage:50..70\r\n",
	                    hash_a, hash_a, hash_b);
	{
		FILE *f = fopen(path, "a");

		assert_non_null(f);
		fputs(garbage, f);
		fclose(f);
	}
	free(garbage);
	assert_int_equal(user_history_list(10, &h, &n, err, sizeof err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(h[0].text, "age:50..70");
	assert_string_equal(h[0].time, "2026-01-02T03:04:05Z");
	assert_string_equal(h[1].text, "sex:male");
	assert_string_equal(h[2].text, "sex:female\tage:<40");
	assert_string_equal(h[2].hash, hash_b);
	assert_string_equal(h[3].text, "sex:male");
	assert_int_equal(strlen(h[3].time), USER_TIME_LEN);
	user_history_free(&h, n);
	assert_int_equal(user_history_list(2, &h, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(h[1].text, "sex:male");
	user_history_free(&h, n);
	assert_int_equal(user_history_list(0, &h, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	free(path);
	free(dir);
}

static void test_history_cap(void **state)
{
	char err[256], *dir = fresh_home("cap"), *path = xasprintf("%s/history", dir);
	struct user_history *h;
	size_t n;

	for (int i = 1; i <= USER_HISTORY_MAX; i++) {
		char hash[65], text[32];

		snprintf(hash, sizeof hash, "%064d", i);
		snprintf(text, sizeof text, "query %d", i);
		assert_int_equal(user_history_add(hash, text, err, sizeof err), 0);
	}
	assert_int_equal(count_lines(path), USER_HISTORY_MAX);
	assert_int_equal(user_history_add(hash_a, "query 1201", err, sizeof err), 0);
	assert_int_equal(count_lines(path), USER_HISTORY_KEEP);
	assert_int_equal(user_history_list(5000, &h, &n, err, sizeof err), 0);
	assert_int_equal(n, USER_HISTORY_KEEP);
	assert_string_equal(h[0].text, "query 1201");
	assert_string_equal(h[n - 1].text, "query 202");
	user_history_free(&h, n);
	assert_false(hidden_files(dir));
	free(path);
	free(dir);
}

static int setup(void **state)
{
	scratch = test_tmpdir("user-files");
	return 0;
}

static int teardown(void **state)
{
	user_files_set_dir(NULL);
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_from_env),  cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_bad_content),   cmocka_unit_test(test_unusable_dirs),
		cmocka_unit_test(test_garbage_files), cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_generation),    cmocka_unit_test(test_history),
		cmocka_unit_test(test_history_cap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
