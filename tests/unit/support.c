/* The unit tests' shared set-up (see support.h): paths in the source tree,
 * the vocabulary, scratch directories and files. Failures end the running
 * test through cmocka; nothing here checks the code under test. */
#include "config.h"

#include "support.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/vocab.h"
#include "util/xmalloc.h"

char *test_source_path(const char *rel)
{
	const char *src = getenv("ECII_SRCDIR");

	return xasprintf("%s/%s", src != NULL && *src != '\0' ? src : ECII_SOURCE_DIR, rel);
}

struct vocab *test_vocab_load(void)
{
	char *path = test_source_path("data/criteria.json");
	char err[512];
	struct vocab *v = vocab_load(path, err, sizeof err);

	free(path);
	if (v == NULL)
		fail_msg("vocabulary: %s", err);
	return v;
}

int test_vocab_setup(void **state)
{
	*state = test_vocab_load();
	return 0;
}

int test_vocab_teardown(void **state)
{
	struct vocab *v = *state;

	vocab_free(&v);
	*state = NULL;
	return 0;
}

char *test_tmpdir(const char *name)
{
	const char *base = getenv("TMPDIR");
	char *dir;
	int e;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	dir = xasprintf("%s/ecii-test-%s.XXXXXX", base, name);
	if (mkdtemp(dir) == NULL) {
		e = errno;
		free(dir);
		dir = NULL;
		fail_msg("cannot make a directory in %s: %s", base, strerror(e));
	}
	return dir;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

void test_rmtree(const char *dir)
{
	if (dir != NULL)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *test_temp_path(const char *dir, const char *name)
{
	static int serial;

	return xasprintf("%s/%d-%s", dir, ++serial, name);
}

void test_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void test_exec_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}
