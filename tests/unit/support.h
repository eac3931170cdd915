/* Set-up shared by the cmocka programs under tests/unit/: finding the source
 * tree, loading the shipped vocabulary, a scratch directory per program and
 * small files and SQL in it. Every helper fails the running test (or group
 * fixture) instead of returning an error, so it is for tests only; it must not
 * assert anything about the code under test, which each program does itself. */
#ifndef ECII_TESTS_UNIT_SUPPORT_H
#define ECII_TESTS_UNIT_SUPPORT_H

#include <stddef.h>

struct vocab;

/* rel under the source tree: $ECII_SRCDIR (set by make check), or the
 * configured source directory when that is unset or empty. Returns new. */
char *test_source_path(const char *rel);

/* The shipped vocabulary, data/criteria.json. Returns new (vocab_free);
 * fails the test with the loader's message if it cannot be read. */
struct vocab *test_vocab_load(void);
/* Group fixtures for programs that pass the vocabulary to every test as
 * *state: setup stores test_vocab_load()'s result there, teardown frees it. */
int test_vocab_setup(void **state);
int test_vocab_teardown(void **state);

/* Makes a new, empty directory $TMPDIR/ecii-test-<name>.XXXXXX (/tmp when
 * TMPDIR is unset or empty). Returns its path, new; fails the test if it
 * cannot be made. */
char *test_tmpdir(const char *name);
/* Removes dir and everything below it, never following links; NULL is a
 * no-op. Errors are ignored: it is the clean-up path. */
void test_rmtree(const char *dir);
/* A path in dir no earlier call gave: "dir/<n>-name", n counting up over the
 * program's life. Nothing is created. Returns new. */
char *test_temp_path(const char *dir, const char *name);

/* Writes the len bytes at data to path, creating or replacing it; fails the
 * test if it cannot. */
void test_write_file(const char *path, const void *data, size_t len);
/* Runs the fixed SQL sql on the existing SQLite database at path; fails the
 * test if it cannot be opened or the SQL fails. */
void test_exec_sql(const char *path, const char *sql);

#endif
