/* client/previews.c and the site store's preview reader: cache files that
 * are not one (empty, truncated, foreign, bad media type, bad ETag line)
 * and ids that must not reach a path first; then the cache's round trip,
 * its whole-file writes and its least-recently-used trimming; local mode
 * over two site stores; and hub mode against a real hub on a loopback
 * port: the bytes, the 304 that serves the cached copy, a changed preview,
 * a withdrawn one, a cancelled fetch whose callback never runs, and the
 * offline copy once the hub is gone. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "client/federation.h"
#include "client/previews.h"
#include "hub/hub.h"
#include "net/http_client.h"
#include "net/http_multi.h"
#include "node/local.h"
#include "store/hub_store.h"
#include "store/site_store.h"
#include "util/file.h"
#include "util/xmalloc.h"

#include "support.h"

static char *tmpdir;

static int group_setup(void **state)
{
	tmpdir = test_tmpdir("previews");
	return http_client_global_init();
}

static int group_teardown(void **state)
{
	http_client_global_cleanup();
	test_rmtree(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
	return 0;
}

/* A new directory under tmpdir; new. */
static char *new_dir(const char *name)
{
	char *dir = test_temp_path(tmpdir, name);

	assert_int_equal(mkdir(dir, 0700), 0);
	return dir;
}

static size_t count_files(const char *dir, bool hidden)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    (e->d_name[0] == '.') == hidden)
			n++;
	closedir(d);
	return n;
}

static void set_age(const char *dir, const char *id, time_t seconds_ago)
{
	char *path = xasprintf("%s/%s.preview", dir, id);
	struct timespec t[2];

	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= seconds_ago;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
	free(path);
}

static bool cached(const char *dir, const char *id)
{
	char *path = xasprintf("%s/%s.preview", dir, id);
	bool there = access(path, F_OK) == 0;

	free(path);
	return there;
}

/* ---- degenerate input -------------------------------------------------- */

static void test_parse_degenerate(void **state)
{
	static const char *const bad[] = {
		"",
		"ecii-preview 1",
		"ecii-preview 1\n",
		"ecii-preview 2\nimage/png\n\"e\"\nbytes",
		"ECII-PREVIEW 1\nimage/png\n\"e\"\nbytes",
		"ecii-preview 1\nimage/png\n\"e\"",    /* no end to the ETag line */
		"ecii-preview 1\nimage/png",           /* no end to the type line */
		"ecii-preview 1\n\n\"e\"\nbytes",      /* no type */
		"ecii-preview 1\ntext/html\n\"e\"\nx", /* not a preview's type */
		"ecii-preview 1\nimage/png\n\"e\x01\"\nx",
		"ecii-preview 1\nimage/png\x7f\n\"e\"\nx",
		"ecii-preview 1\nimage/png; charset=x\n\"e\"\nx",
	};
	struct preview_bytes b;
	char *etag = NULL, big[600];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (preview_cache_parse(bad[i], strlen(bad[i]), &b, &etag) != -1)
			fail_msg("case %zu parsed", i);
		assert_null(etag);
		assert_null(b.data);
		assert_int_equal(b.len, 0);
	}
	assert_int_equal(preview_cache_parse(NULL, 0, &b, &etag), -1);
	/* an ETag line longer than any the hub sends */
	snprintf(big, sizeof big, "ecii-preview 1\nimage/png\n%0300d\nx", 0);
	assert_int_equal(preview_cache_parse(big, strlen(big), &b, &etag), -1);
	/* empty ETag and empty bytes are fine */
	assert_int_equal(preview_cache_parse("ecii-preview 1\nimage/png\n\n", 26, &b, &etag), 0);
	assert_string_equal(etag, "");
	assert_int_equal(b.len, 0);
	assert_null(b.data);
	assert_string_equal(b.media_type, "image/png");
	free(etag);
	preview_bytes_clear(&b);
	preview_bytes_clear(NULL);
}

static void test_cache_bad_ids(void **state)
{
	static unsigned char x[] = "x";
	char *dir = new_dir("cache"), err[256] = "", *etag;
	struct preview_bytes b = { .len = 1, .data = x }, got;
	static const char *const ids[] = { "", ".", "..", "../x", "a/b", ".hidden", "x\ny" };

	snprintf(b.media_type, sizeof b.media_type, "image/png");
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		assert_int_equal(preview_cache_store(dir, ids[i], "\"e\"", &b, 0, err, sizeof err),
		                 -1);
		assert_non_null(strstr(err, "preview id"));
		assert_int_equal(preview_cache_load(dir, ids[i], &got, &etag, err, sizeof err), -1);
		preview_cache_drop(dir, ids[i]);
	}
	assert_int_equal(preview_cache_store(dir, NULL, "\"e\"", &b, 0, err, sizeof err), -1);
	/* an ETag that would break the file's lines; a type not a preview's */
	assert_int_equal(preview_cache_store(dir, "p", "\"e\"\nx", &b, 0, err, sizeof err), -1);
	snprintf(b.media_type, sizeof b.media_type, "text/html");
	assert_int_equal(preview_cache_store(dir, "p", "\"e\"", &b, 0, err, sizeof err), -1);
	assert_int_equal(count_files(dir, false) + count_files(dir, true), 0);
	/* no cache directory, or nothing cached: 0 */
	assert_int_equal(preview_cache_load(NULL, "p", &got, &etag, err, sizeof err), 0);
	assert_int_equal(preview_cache_load(dir, "p", &got, &etag, err, sizeof err), 0);
	assert_null(etag);
	free(dir);
}

/* ---- the cache --------------------------------------------------------- */

static void test_cache_round_trip(void **state)
{
	char *base = new_dir("cache"), *dir = xasprintf("%s/a/previews", base), err[256] = "";
	char *etag = NULL, *path;
	static unsigned char bytes[] = { 'D', 'I', 'C', 'M', 0, '\n', 0xff, '\r' };
	struct preview_bytes b = { .data = bytes, .len = sizeof bytes }, got;
	struct stat st;

	snprintf(b.media_type, sizeof b.media_type, "application/dicom");
	/* the directory is made, private */
	assert_int_equal(preview_cache_store(dir, "p-1.dcm", "\"abc\"", &b, 0, err, sizeof err), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(preview_cache_load(dir, "p-1.dcm", &got, &etag, err, sizeof err), 1);
	assert_int_equal(got.len, sizeof bytes);
	assert_memory_equal(got.data, bytes, sizeof bytes);
	assert_string_equal(got.media_type, "application/dicom");
	assert_string_equal(etag, "\"abc\"");
	free(etag);
	preview_bytes_clear(&got);
	/* one file, no temporary left, mode 0600 */
	assert_int_equal(count_files(dir, false), 1);
	assert_int_equal(count_files(dir, true), 0);
	path = xasprintf("%s/p-1.dcm.preview", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a corrupt file is no copy */
	test_write_file(path, "garbage", 7);
	assert_int_equal(preview_cache_load(dir, "p-1.dcm", &got, NULL, err, sizeof err), 0);
	/* replaced whole; dropped */
	assert_int_equal(preview_cache_store(dir, "p-1.dcm", NULL, &b, 0, err, sizeof err), 0);
	assert_int_equal(preview_cache_load(dir, "p-1.dcm", &got, &etag, err, sizeof err), 1);
	assert_string_equal(etag, "");
	free(etag);
	preview_bytes_clear(&got);
	preview_cache_drop(dir, "p-1.dcm");
	assert_false(cached(dir, "p-1.dcm"));
	free(path);
	free(dir);
	free(base);
}

static void test_cache_trim(void **state)
{
	char *dir = new_dir("cache"), err[256] = "";
	unsigned char bytes[1000];
	struct preview_bytes b = { .data = bytes, .len = sizeof bytes }, got;
	size_t each;
	struct stat st;
	char *path;

	memset(bytes, 7, sizeof bytes);
	snprintf(b.media_type, sizeof b.media_type, "image/png");
	assert_int_equal(preview_cache_store(dir, "a", "\"a\"", &b, 0, err, sizeof err), 0);
	path = xasprintf("%s/a.preview", dir);
	assert_int_equal(stat(path, &st), 0);
	each = (size_t)st.st_size;
	free(path);
	assert_int_equal(preview_cache_store(dir, "b", "\"b\"", &b, 0, err, sizeof err), 0);
	assert_int_equal(preview_cache_store(dir, "c", "\"c\"", &b, 0, err, sizeof err), 0);
	set_age(dir, "a", 300);
	set_age(dir, "b", 200);
	set_age(dir, "c", 100);
	/* a is read: now the most recently used */
	assert_int_equal(preview_cache_load(dir, "a", &got, NULL, err, sizeof err), 1);
	preview_bytes_clear(&got);
	/* room for three: d pushes out b, the least recently used */
	assert_int_equal(preview_cache_store(dir, "d", "\"d\"", &b, 3 * each, err, sizeof err), 0);
	assert_true(cached(dir, "a"));
	assert_false(cached(dir, "b"));
	assert_true(cached(dir, "c"));
	assert_true(cached(dir, "d"));
	/* room for less than one: all but the new one go */
	assert_int_equal(preview_cache_store(dir, "e", "\"e\"", &b, each / 2, err, sizeof err), 0);
	assert_int_equal(count_files(dir, false), 1);
	assert_true(cached(dir, "e"));
	free(dir);
}

/* ---- local mode -------------------------------------------------------- */

/* A site store at a new path with the given previews (id, bytes as text). */
static char *site_with(const char *id, const char *const *previews, size_t n)
{
	char *path = test_temp_path(tmpdir, "site.db"), err[256] = "";
	struct site_store *s = site_store_open(path, true, err, sizeof err);
	char name[64];
	struct site_info info = {
		.id = name, .name = name, .threshold = 5, .rounding = 10, .epsilon = 1
	};

	snprintf(name, sizeof name, "%s", id);

	if (s == NULL)
		fail_msg("%s", err);
	assert_int_equal(site_store_begin(s, err, sizeof err), 0);
	assert_int_equal(site_store_write_info(s, &info, err, sizeof err), 0);
	for (size_t i = 0; i < n; i += 2)
		if (site_store_write_preview(s, previews[i], "c-1", "A title",
		                             i % 4 == 0 ? "image/png" : "application/dicom",
		                             previews[i + 1], strlen(previews[i + 1]), err,
		                             sizeof err) != 0)
			fail_msg("%s", err);
	assert_int_equal(site_store_commit(s, err, sizeof err), 0);
	site_store_close(&s);
	return path;
}

static void test_site_store_reader(void **state)
{
	static const char *const rows[] = { "p-1", "first bytes", "p-2", "" };
	char *path = site_with("s-a", rows, 4), err[256] = "";
	struct site_store *s = site_store_open(path, false, err, sizeof err);
	struct site_preview p;

	assert_non_null(s);
	assert_int_equal(site_store_read_preview(s, NULL, &p, err, sizeof err), 0);
	assert_int_equal(site_store_read_preview(s, "nope", &p, err, sizeof err), 0);
	assert_null(p.id);
	assert_int_equal(site_store_read_preview(s, "p-1", &p, err, sizeof err), 1);
	assert_string_equal(p.id, "p-1");
	assert_string_equal(p.collection_id, "c-1");
	assert_string_equal(p.title, "A title");
	assert_string_equal(p.media_type, "image/png");
	assert_int_equal(p.len, 11);
	assert_memory_equal(p.bytes, "first bytes", 11);
	site_preview_clear(&p);
	assert_int_equal(site_store_read_preview(s, "p-2", &p, err, sizeof err), 1);
	assert_int_equal(p.len, 0);
	assert_null(p.bytes);
	assert_string_equal(p.media_type, "application/dicom");
	site_preview_clear(&p);
	site_preview_clear(NULL);
	site_store_close(&s);
	free(path);
}

struct got {
	int calls;
	struct preview_bytes b;
	char error[512];
	bool with_bytes;
};

static void on_done(void *ctx, const struct preview_bytes *b, const char *error)
{
	struct got *g = ctx;

	g->calls++;
	g->with_bytes = b != NULL;
	snprintf(g->error, sizeof g->error, "%s", error != NULL ? error : "");
	if (b != NULL) {
		g->b = *b;
		g->b.data = b->len > 0 ? xmalloc(b->len) : NULL;
		if (b->len > 0)
			memcpy(g->b.data, b->data, b->len);
	}
}

static void test_local(void **state)
{
	static const char *const rows_a[] = { "p-a", "site a's" };
	static const char *const rows_b[] = { "p-b", "site b's" };
	char id_a[] = "s-a", id_b[] = "s-b";
	struct local_site sites[2] = { { .id = id_a }, { .id = id_b } };
	struct local_fed local = { .sites = sites, .n_sites = 2 };
	struct federation f = { .local = &local };
	struct preview_bytes b;
	struct got g = { 0 };
	char err[256];

	sites[0].path = site_with("s-a", rows_a, 2);
	sites[1].path = site_with("s-b", rows_b, 2);
	assert_int_equal(federation_preview(&f, "../p-a", &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "preview id"));
	assert_int_equal(federation_preview(&f, "p-none", &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "p-none"));
	assert_int_equal(federation_preview(&f, "p-b", &b, err, sizeof err), 0);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data, "site b's", 8);
	assert_string_equal(b.media_type, "image/png");
	assert_string_equal(err, "");
	preview_bytes_clear(&b);
	/* the non-blocking call answers before it returns */
	assert_null(federation_preview_fetch(&f, NULL, "p-a", on_done, &g));
	assert_int_equal(g.calls, 1);
	assert_true(g.with_bytes);
	assert_memory_equal(g.b.data, "site a's", 8);
	preview_bytes_clear(&g.b);
	assert_null(federation_preview_fetch(&f, NULL, "a/b", on_done, &g));
	assert_int_equal(g.calls, 2);
	assert_false(g.with_bytes);
	free(sites[0].path);
	free(sites[1].path);
}

/* ---- hub mode ---------------------------------------------------------- */

static const char png_v1[] = "\x89PNG\r\n\x1a\nversion one\0with a NUL";
static const char png_v2[] = "\x89PNG\r\n\x1a\nversion two";

static void put_preview(const char *db_path, const char *bytes, size_t len)
{
	char err[512] = "";
	struct hub_store *s = hub_store_open(db_path, HUB_STORE_WRITE, err, sizeof err);

	if (s == NULL)
		fail_msg("%s", err);
	if (hub_store_preview_put(s, "site-a", "p-1", "image/png", bytes, len, 1, err,
	                          sizeof err) != HUB_PREVIEW_STORED)
		fail_msg("%s", err);
	hub_store_close(&s);
}

static void test_hub(void **state)
{
	char *db = test_temp_path(tmpdir, "hub.db"), *cache = new_dir("cache"), err[512] = "";
	struct hub_store *store = hub_store_open(db, HUB_STORE_CREATE, err, sizeof err);
	json_t *items = json_loads("[{\"id\":\"c-1\",\"name\":\"C\",\"previews\":[{\"id\":\"p-1\"},"
	                           "{\"id\":\"p-2\"}]}]",
	                           0, NULL);
	struct federation f = { 0 };
	struct preview_bytes b;
	struct http_multi *net;
	struct preview_fetch *p;
	struct got g = { 0 };
	struct hub *hub;
	char *path, *url;
	size_t len;
	char *data;

	assert_non_null(store);
	free(hub_store_site_add(store, "site-a", NULL, err, sizeof err));
	assert_int_equal(hub_store_catalogue_replace(store, "site-a", items, err, sizeof err), 0);
	put_preview(db, png_v1, sizeof png_v1);
	hub = hub_new(store, NULL);
	if (hub_start(hub, NULL, 0, SERVER_THREAD, err, sizeof err) != 0)
		fail_msg("%s", err);
	url = xasprintf("http://127.0.0.1:%u", (unsigned)hub_port(hub));
	f.hub = url;
	f.preview_dir = xasprintf("%s/previews", cache);

	/* the bytes, exactly, and cached */
	assert_int_equal(federation_preview(&f, "p-1", &b, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(b.len, sizeof png_v1);
	assert_memory_equal(b.data, png_v1, sizeof png_v1);
	assert_string_equal(b.media_type, "image/png");
	preview_bytes_clear(&b);
	assert_true(cached(f.preview_dir, "p-1"));

	/* unchanged: the hub says 304 and the cached copy is what comes back
	 * (marked here so that it can be told from the hub's) */
	path = xasprintf("%s/p-1.preview", f.preview_dir);
	data = file_read_all(path, &len);
	assert_non_null(data);
	data[len - 1] = 'X';
	test_write_file(path, data, len);
	free(data);
	assert_int_equal(federation_preview(&f, "p-1", &b, err, sizeof err), 0);
	assert_int_equal(b.data[b.len - 1], 'X');
	preview_bytes_clear(&b);

	/* changed at the hub: the new bytes, cached in place of the old */
	put_preview(db, png_v2, sizeof png_v2);
	assert_int_equal(federation_preview(&f, "p-1", &b, err, sizeof err), 0);
	assert_int_equal(b.len, sizeof png_v2);
	assert_memory_equal(b.data, png_v2, sizeof png_v2);
	preview_bytes_clear(&b);

	/* listed but never uploaded, and not listed: the hub has none */
	assert_int_equal(federation_preview(&f, "p-2", &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "no preview p-2"));
	assert_int_equal(federation_preview(&f, "p-3", &b, err, sizeof err), -1);
	assert_int_equal(federation_preview(&f, "../etc", &b, err, sizeof err), -1);

	/* non-blocking: done comes from http_multi_wait, not before */
	net = http_multi_new();
	p = federation_preview_fetch(&f, net, "p-1", on_done, &g);
	assert_non_null(p);
	assert_int_equal(g.calls, 0);
	while (g.calls == 0)
		assert_true(http_multi_wait(net, NULL, 0, 1000) >= 0);
	assert_true(g.with_bytes);
	assert_memory_equal(g.b.data, png_v2, sizeof png_v2);
	preview_bytes_clear(&g.b);
	/* cancelled: never called back */
	g.calls = 0;
	p = federation_preview_fetch(&f, net, "p-1", on_done, &g);
	assert_non_null(p);
	preview_fetch_cancel(&p);
	assert_null(p);
	preview_fetch_cancel(&p);
	preview_fetch_cancel(NULL);
	for (int i = 0; i < 20; i++)
		http_multi_wait(net, NULL, 0, 20);
	assert_int_equal(g.calls, 0);
	assert_int_equal(http_multi_active(net), 0);

	/* the hub withdrawn: the cached copy, with a note; nothing else */
	hub_stop(hub);
	assert_int_equal(federation_preview(&f, "p-1", &b, err, sizeof err), 0);
	assert_memory_equal(b.data, png_v2, sizeof png_v2);
	assert_non_null(strstr(err, "offline copy"));
	assert_non_null(strstr(err, "cannot reach"));
	preview_bytes_clear(&b);
	assert_int_equal(federation_preview(&f, "p-2", &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot reach"));
	p = federation_preview_fetch(&f, net, "p-1", on_done, &g);
	while (g.calls == 0)
		assert_true(http_multi_wait(net, NULL, 0, 1000) >= 0);
	assert_true(g.with_bytes);
	assert_non_null(strstr(g.error, "offline copy"));
	preview_bytes_clear(&g.b);

	http_multi_free(&net);
	hub_free(&hub);
	hub_store_close(&store);
	json_decref(items);
	free(f.preview_dir);
	free(path);
	free(url);
	free(cache);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_degenerate),
		cmocka_unit_test(test_cache_bad_ids),
		cmocka_unit_test(test_cache_round_trip),
		cmocka_unit_test(test_cache_trim),
		cmocka_unit_test(test_site_store_reader),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_hub),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
