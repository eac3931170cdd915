/* Saved cohorts and the query history as plain text files. Whole files
 * are written to a mkstemp file beside their place, synced, then renamed
 * (or linked, when an existing file must not be replaced), so readers see
 * the old file or the new one, never half of one. Temporary files start
 * with '.', which no saved name may, so listings skip them. The history
 * is appended line by line and cut from a copy the same way; two ecii
 * running at once may lose a line at a cut, never corrupt the file. */
#include "config.h"

#include "store/user_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xdg.h"
#include "util/format.h"
#include "util/xmalloc.h"

#define COHORT_SUFFIX   ".cohort"
#define COHORT_FILE_MAX (1 << 20) /* bytes; a larger "cohort" is not one of ours */
/* The shortest line user_history_add writes: time, tab, hash, tab, one
 * character, newline. Below USER_HISTORY_MAX such lines the file cannot
 * hold too many lines of ours, so it is not read to count them. */
#define HISTORY_MIN_LINE (USER_TIME_LEN + 1 + USER_HASH_LEN + 1 + 1 + 1)

static char *dir_override;
static unsigned long generation;

void user_files_set_dir(const char *dir)
{
	free(dir_override);
	dir_override = dir != NULL ? xstrdup(dir) : NULL;
}

unsigned long user_files_generation(void)
{
	return generation;
}

char *user_files_dir(char *err, size_t errlen)
{
	if (dir_override != NULL)
		return xstrdup(dir_override);
	return xdg_dir(XDG_DATA, err, errlen);
}

/* The cohorts directory (new), made if make is set. */
static char *cohorts_dir(bool make, char *err, size_t errlen)
{
	char *base = user_files_dir(err, errlen), *dir;

	if (base == NULL)
		return NULL;
	dir = xasprintf("%s/cohorts", base);
	free(base);
	if (make && xdg_make_dirs(dir, err, errlen) != 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

static bool is_hex_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == USER_HASH_LEN && s[n] == '\0';
}

/* "2026-01-31T12:00:00Z", digits where digits go. */
static bool is_iso_time(const char *s)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";

	for (size_t i = 0; i < sizeof pattern - 1; i++) {
		if (pattern[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pattern[i])
			return false;
	}
	return s[sizeof pattern - 1] == '\0';
}

static void now_iso(char out[USER_TIME_LEN + 1])
{
	format_utc(time(NULL), out);
}

int user_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0) {
		snprintf(err, errlen, "a name is needed");
		return -1;
	}
	if (n > USER_NAME_MAX) {
		snprintf(err, errlen, "a name is at most %d characters", USER_NAME_MAX);
		return -1;
	}
	if (name[0] == '.') {
		snprintf(err, errlen, "a name cannot start with '.'");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr(" -_.", ch) != NULL)
			continue;
		if (ch > 0x20 && ch < 0x7f)
			snprintf(
			    err, errlen,
			    "'%c' cannot be in a name: use letters, digits, space, '-', '_', '.'",
			    ch);
		else
			snprintf(err, errlen,
			         "a name is ASCII letters, digits, space, '-', '_' and '.' only");
		return -1;
	}
	return 0;
}

static bool one_line(const char *text)
{
	return text != NULL && *text != '\0' && strpbrk(text, "\r\n") == NULL;
}

static char *cohort_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s" COHORT_SUFFIX, dir, name);
}

int user_cohort_save(const char *name, const char *text, const char *hash, bool replace, char *err,
                     size_t errlen)
{
	char *dir = NULL, *path = NULL, *tmp = NULL, saved[USER_TIME_LEN + 1];
	struct buf b = BUF_INIT;
	int rc = -1;

	if (user_name_check(name, err, errlen) != 0)
		return -1;
	if (!one_line(text)) {
		snprintf(err, errlen, "the query to save must be one line of text");
		return -1;
	}
	if (hash == NULL || !is_hex_hash(hash)) {
		snprintf(err, errlen, "the cohort's hash is not 64 hex digits");
		return -1;
	}
	dir = cohorts_dir(true, err, errlen);
	if (dir == NULL)
		goto out;
	now_iso(saved);
	/* The query line last: a future format may continue it on more lines. */
	buf_printf(&b, "name: %s\nhash: %s\nsaved: %s\nquery: %s\n", name, hash, saved, text);
	tmp = xdg_write_temp(dir, name, b.data, b.len, err, errlen);
	if (tmp == NULL)
		goto out;
	path = cohort_path(dir, name);
	if (replace) {
		if (rename(tmp, path) != 0) {
			snprintf(err, errlen, "cannot save '%s': %s", name, strerror(errno));
			unlink(tmp);
			goto out;
		}
	} else {
		/* link() refuses an existing file, so two savers cannot both win. */
		int failed = link(tmp, path) != 0 ? errno : 0;

		unlink(tmp);
		if (failed == EEXIST) {
			snprintf(err, errlen, "a cohort named '%s' is already saved", name);
			goto out;
		}
		if (failed != 0) {
			snprintf(err, errlen, "cannot save '%s': %s", name, strerror(failed));
			goto out;
		}
	}
	generation++;
	rc = 0;
out:
	buf_free(&b);
	free(tmp);
	free(path);
	free(dir);
	return rc;
}

bool user_cohort_exists(const char *name)
{
	char err[256], *dir, *path;
	struct stat st;
	bool found;

	if (user_name_check(name, err, sizeof err) != 0)
		return false;
	dir = cohorts_dir(false, err, sizeof err);
	if (dir == NULL)
		return false;
	path = cohort_path(dir, name);
	found = stat(path, &st) == 0;
	free(path);
	free(dir);
	return found;
}

/* Fills c from the file named name in dir; false if it is not a saved
 * cohort. The name comes from the file name; a name line disagreeing
 * with it makes the file not ours. */
static bool read_cohort(const char *dir, const char *name, struct user_cohort *c)
{
	char *path = cohort_path(dir, name), *data, *line, *save = NULL;
	size_t len;
	bool ok = true;
	struct stat st;

	memset(c, 0, sizeof *c);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > COHORT_FILE_MAX) {
		free(path);
		return false;
	}
	data = file_read_all(path, &len);
	free(path);
	if (data == NULL || strlen(data) != len) {
		free(data);
		return false;
	}
	memcpy(c->name, name, strlen(name) + 1); /* checked by the caller */
	for (line = strtok_r(data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *value;

		line[strcspn(line, "\r")] = '\0';
		if (colon == NULL || colon[1] != ' ')
			continue;
		*colon = '\0';
		value = colon + 2;
		if (strcmp(line, "name") == 0 && strcmp(value, name) != 0)
			ok = false;
		else if (strcmp(line, "hash") == 0 && is_hex_hash(value))
			snprintf(c->hash, sizeof c->hash, "%s", value);
		else if (strcmp(line, "saved") == 0 && is_iso_time(value))
			snprintf(c->saved, sizeof c->saved, "%s", value);
		else if (strcmp(line, "query") == 0 && c->text == NULL && *value != '\0')
			c->text = xstrdup(value);
	}
	free(data);
	if (!ok || c->text == NULL) {
		free(c->text);
		c->text = NULL;
		return false;
	}
	return true;
}

static int compare_cohorts(const void *a, const void *b)
{
	const struct user_cohort *x = a, *y = b;
	int d = strcasecmp(x->name, y->name);

	return d != 0 ? d : strcmp(x->name, y->name);
}

int user_cohort_list(struct user_cohort **out, size_t *n, char *err, size_t errlen)
{
	char *dir = cohorts_dir(false, err, errlen);
	struct user_cohort *list = NULL;
	size_t count = 0;
	struct dirent *e;
	DIR *d;

	*out = NULL;
	*n = 0;
	if (dir == NULL)
		return -1;
	d = opendir(dir);
	if (d == NULL) {
		int saved = errno;

		if (saved == ENOENT) {
			free(dir);
			return 0;
		}
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(saved));
		free(dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), sl = strlen(COHORT_SUFFIX);
		char name[USER_NAME_MAX + 1], check[8];

		if (len <= sl || len - sl > USER_NAME_MAX ||
		    strcmp(e->d_name + len - sl, COHORT_SUFFIX) != 0)
			continue;
		memcpy(name, e->d_name, len - sl);
		name[len - sl] = '\0';
		if (user_name_check(name, check, sizeof check) != 0)
			continue;
		list = xreallocarray(list, count + 1, sizeof *list);
		if (read_cohort(dir, name, &list[count]))
			count++;
		else
			log_debug("skipping %s/%s: not a saved cohort", dir, e->d_name);
	}
	closedir(d);
	free(dir);
	if (count > 0)
		qsort(list, count, sizeof *list, compare_cohorts);
	if (count == 0) {
		free(list);
		list = NULL;
	}
	*out = list;
	*n = count;
	return 0;
}

void user_cohorts_free(struct user_cohort **list, size_t n)
{
	if (*list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free((*list)[i].text);
	free(*list);
	*list = NULL;
}

int user_cohort_delete(const char *name, char *err, size_t errlen)
{
	char *dir, *path;
	int rc = -1;

	if (user_name_check(name, err, errlen) != 0)
		return -1;
	dir = cohorts_dir(false, err, errlen);
	if (dir == NULL)
		return -1;
	path = cohort_path(dir, name);
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "no cohort is saved as '%s'", name);
		else
			snprintf(err, errlen, "cannot delete '%s': %s", name, strerror(errno));
	} else {
		generation++;
		rc = 0;
	}
	free(path);
	free(dir);
	return rc;
}

static char *history_path(char *err, size_t errlen)
{
	char *base = user_files_dir(err, errlen), *path;

	if (base == NULL)
		return NULL;
	path = xasprintf("%s/history", base);
	free(base);
	return path;
}

/* Keeps the last USER_HISTORY_KEEP lines of the history at path if it
 * holds more than USER_HISTORY_MAX. */
static int cut_history(const char *dir, const char *path, char *err, size_t errlen)
{
	size_t len, lines = 0, skip;
	char *data = file_read_all(path, &len), *keep, *tmp;
	int rc = -1;

	if (data == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	if (lines <= USER_HISTORY_MAX) {
		free(data);
		return 0;
	}
	keep = data;
	for (skip = lines - USER_HISTORY_KEEP; skip > 0; skip--)
		keep = strchr(keep, '\n') + 1;
	tmp = xdg_write_temp(dir, "history", keep, len - (size_t)(keep - data), err, errlen);
	if (tmp == NULL)
		goto out;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(data);
	return rc;
}

int user_history_add(const char *hash, const char *text, char *err, size_t errlen)
{
	char *dir = NULL, *path = NULL, *line = NULL, now[USER_TIME_LEN + 1];
	size_t len, done = 0;
	struct stat st;
	int fd = -1, rc = -1;

	if (!one_line(text)) {
		snprintf(err, errlen, "the query must be one line of text");
		return -1;
	}
	if (hash == NULL || !is_hex_hash(hash)) {
		snprintf(err, errlen, "the cohort's hash is not 64 hex digits");
		return -1;
	}
	dir = user_files_dir(err, errlen);
	if (dir == NULL || xdg_make_dirs(dir, err, errlen) != 0)
		goto out;
	path = history_path(err, errlen);
	if (path == NULL)
		goto out;
	now_iso(now);
	line = xasprintf("%s\t%s\t%s\n", now, hash, text);
	len = strlen(line);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	while (done < len) {
		ssize_t w = write(fd, line + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "cannot write %s: %s", path,
			         strerror(errno != 0 ? errno : EIO));
			goto out;
		}
		done += (size_t)w;
	}
	generation++;
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)USER_HISTORY_MAX * HISTORY_MIN_LINE &&
	    cut_history(dir, path, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(line);
	free(path);
	free(dir);
	return rc;
}

/* Parses one history line in place into h (text borrowed); false if it
 * is not one. */
static bool parse_history(char *line, struct user_history *h)
{
	char *tab1 = strchr(line, '\t'), *tab2;

	if (tab1 == NULL)
		return false;
	tab2 = strchr(tab1 + 1, '\t');
	if (tab2 == NULL || tab2[1] == '\0')
		return false;
	*tab1 = *tab2 = '\0';
	if (!is_iso_time(line) || !is_hex_hash(tab1 + 1))
		return false;
	memcpy(h->time, line, sizeof h->time);
	memcpy(h->hash, tab1 + 1, sizeof h->hash);
	h->text = tab2 + 1;
	return true;
}

int user_history_list(size_t max, struct user_history **out, size_t *n, char *err, size_t errlen)
{
	char *path = history_path(err, errlen), *data;
	struct user_history *list = NULL;
	size_t len, count = 0;

	*out = NULL;
	*n = 0;
	if (path == NULL)
		return -1;
	data = file_read_all(path, &len);
	if (data == NULL) {
		int saved = errno;

		if (saved == ENOENT) {
			free(path);
			return 0;
		}
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(saved));
		free(path);
		return -1;
	}
	free(path);
	/* From the end: each line ends where the next one starts. */
	for (size_t end = len; end > 0 && count < max;) {
		size_t start;
		struct user_history h;

		if (data[end - 1] == '\n')
			end--;
		start = end;
		while (start > 0 && data[start - 1] != '\n')
			start--;
		data[end] = '\0';
		if (end > start && data[end - 1] == '\r')
			data[end - 1] = '\0';
		/* A NUL inside the line cuts it; the fields still have to parse. */
		if (parse_history(data + start, &h)) {
			h.text = xstrdup(h.text);
			list = xreallocarray(list, count + 1, sizeof *list);
			list[count++] = h;
		}
		end = start;
	}
	free(data);
	*out = list;
	*n = count;
	return 0;
}

void user_history_free(struct user_history **list, size_t n)
{
	if (*list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free((*list)[i].text);
	free(*list);
	*list = NULL;
}
