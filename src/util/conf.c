/* The "key = value" reader shared by ecii's config files. A file is read
 * whole, bounded (a config file is small; a device or a huge file is
 * refused, never read to its end), then parsed line by line in place. It
 * must not interpret a value: what a key means is its caller's business.
 * Text that came from the file is echoed in an error only as a key that
 * passed the key check, so a message never carries control characters. */
#include "config.h"

#include "util/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xmalloc.h"

#define CONF_MAX (64 * 1024) /* bytes; larger is not a config file */

/* Reads at most CONF_MAX + 1 bytes of path into *out (new, NUL added).
 * Returns 0, 1 when path does not exist, or -1 with err set. util/file.h's
 * file_read_all reads to the end, which /dev/zero never reaches. */
static int read_bounded(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	struct stat st;
	char chunk[8192];
	int fd, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(EISDIR));
		goto out;
	}
	while (b.len <= CONF_MAX) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		buf_append(&b, chunk, (size_t)n);
	}
	if (b.len > CONF_MAX) {
		snprintf(err, errlen, "%s: larger than %d KiB: not a config file", path,
		         CONF_MAX / 1024);
		goto out;
	}
	*len = b.len;
	*out = buf_steal(&b);
	rc = 0;
out:
	buf_free(&b);
	close(fd);
	return rc;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static char *trim(char *s, char **end)
{
	while (is_blank(*s))
		s++;
	while (*end > s && is_blank((*end)[-1]))
		(*end)--;
	**end = '\0';
	return s;
}

/* Turns the value text at v (NUL-terminated, leading blanks gone) into the
 * value, in place. Returns NULL with err's reason set when it is malformed. */
static char *parse_value(char *v, const char **why)
{
	char *end, *w, *r;

	if (*v != '"') {
		/* A '#' after a blank starts a comment; inside a word it is text
		 * (a URL's fragment, say). */
		for (r = v; *r != '\0'; r++) {
			if (*r == '#' && (r == v || is_blank(r[-1]))) {
				*r = '\0';
				break;
			}
		}
		end = v + strlen(v);
		return trim(v, &end);
	}
	/* Quoted: \" and \\ are the only escapes; the rest is kept as it is. */
	for (w = v, r = v + 1; *r != '"'; r++) {
		if (*r == '\0') {
			*why = "no closing '\"' on the line";
			return NULL;
		}
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	*w = '\0';
	for (r++; is_blank(*r); r++)
		;
	if (*r != '\0' && *r != '#') {
		*why = "text after the closing '\"'";
		return NULL;
	}
	return v;
}

static void add_entry(struct conf *c, const char *key, const char *value, unsigned line)
{
	c->entries = xreallocarray(c->entries, c->n + 1, sizeof *c->entries);
	c->entries[c->n].key = xstrdup(key);
	c->entries[c->n].value = xstrdup(value);
	c->entries[c->n].line = line;
	c->n++;
}

/* Parses data (len bytes, NUL after them) into c. Returns 0, or -1 with
 * err set naming path and the line. */
static int parse(struct conf *c, char *data, size_t len, char *err, size_t errlen)
{
	char *p = data, *stop = data + len;
	unsigned line = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* a UTF-8 byte order mark, as some editors write */
	while (p < stop) {
		char *eol = memchr(p, '\n', (size_t)(stop - p)), *end, *key, *eq, *value, *kend;
		const char *why = NULL;

		if (eol == NULL)
			eol = stop;
		line++;
		end = eol;
		if (end > p && end[-1] == '\r')
			end--;
		for (char *q = p; q < end; q++) {
			unsigned char ch = (unsigned char)*q;

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				snprintf(err, errlen, "%s:%u: %s: not a text file", c->path, line,
				         ch == '\0' ? "a NUL byte" : "a control character");
				return -1;
			}
		}
		*end = '\0';
		key = p;
		p = eol + 1;
		while (is_blank(*key))
			key++;
		if (*key == '\0' || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%u: expected key = value", c->path, line);
			return -1;
		}
		kend = eq;
		key = trim(key, &kend);
		if (*key == '\0') {
			snprintf(err, errlen, "%s:%u: a key is needed before '='", c->path, line);
			return -1;
		}
		for (char *k = key; *k != '\0'; k++) {
			if (!is_key_char(*k)) {
				snprintf(
				    err, errlen,
				    "%s:%u: a key is lowercase letters, digits, '_' and '-' only",
				    c->path, line);
				return -1;
			}
		}
		value = eq + 1;
		while (is_blank(*value))
			value++;
		value = parse_value(value, &why);
		if (value == NULL) {
			snprintf(err, errlen, "%s:%u: %s: %s", c->path, line, key, why);
			return -1;
		}
		add_entry(c, key, value, line);
	}
	return 0;
}

int conf_read(const char *path, struct conf *out, char *err, size_t errlen)
{
	char *data = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (path == NULL || *path == '\0') {
		snprintf(err, errlen, "no config file named");
		return -1;
	}
	rc = read_bounded(path, &data, &len, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		out->path = xstrdup(path);
		return 1;
	}
	rc = conf_parse(path, data, len, out, err, errlen);
	free(data);
	return rc;
}

int conf_parse(const char *path, const char *text, size_t len, struct conf *out, char *err,
               size_t errlen)
{
	char *data = xmalloc(len + 1);
	int rc;

	memset(out, 0, sizeof *out);
	out->path = xstrdup(path);
	memcpy(data, text, len);
	data[len] = '\0';
	rc = parse(out, data, len, err, errlen);
	free(data);
	if (rc != 0)
		conf_clear(out);
	return rc;
}

const char *conf_get(const struct conf *c, const char *key)
{
	if (c == NULL || key == NULL)
		return NULL;
	for (size_t i = c->n; i > 0; i--) {
		if (strcmp(c->entries[i - 1].key, key) == 0)
			return c->entries[i - 1].value;
	}
	return NULL;
}

int conf_check(const struct conf *c, const char *const *known, char *err, size_t errlen)
{
	if (c == NULL)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		struct buf b = BUF_INIT;
		size_t k;

		for (k = 0; known != NULL && known[k] != NULL; k++) {
			if (strcmp(c->entries[i].key, known[k]) == 0)
				break;
		}
		if (known != NULL && known[k] != NULL)
			continue;
		for (k = 0; known != NULL && known[k] != NULL; k++)
			buf_printf(&b, "%s%s", k > 0 ? ", " : "", known[k]);
		snprintf(err, errlen, "%s:%u: unknown key '%s' (known: %s)", c->path,
		         c->entries[i].line, c->entries[i].key, b.len > 0 ? buf_str(&b) : "none");
		buf_free(&b);
		return -1;
	}
	return 0;
}

void conf_clear(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	free(c->entries);
	free(c->path);
	memset(c, 0, sizeof *c);
}
