/* The client's config file (util/conf.h format, each key checked here) and
 * its credentials file. The credentials file is plain "<hub> <token>"
 * lines; it is rewritten whole into a mkstemp file (mode 0600) in the same
 * directory and renamed over the old one, so a crash leaves the old file or
 * the new one. Tokens pass through memory that is wiped before it is freed,
 * and no message here ever holds one. No terminal here. */
#include "config.h"

#include "store/client_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/conf.h"
#include "util/xdg.h"
#include "util/xmalloc.h"

#define HUB_URL_MAX 2048      /* characters in a hub URL */
#define TOKEN_MAX   4096      /* characters in a token */
#define CRED_MAX    (1 << 20) /* bytes; a larger file is not ours */

static char *dir_override;

void client_config_set_dir(const char *dir)
{
	free(dir_override);
	dir_override = dir != NULL ? xstrdup(dir) : NULL;
}

char *client_config_dir(char *err, size_t errlen)
{
	if (dir_override != NULL)
		return xstrdup(dir_override);
	return xdg_dir(XDG_CONFIG, err, errlen);
}

static void set_defaults(struct client_config *c)
{
	free(c->hub);
	free(c->graphics);
	c->hub = NULL;
	c->site_timeout_ms = CLIENT_SITE_TIMEOUT_MS;
	c->graphics = xstrdup("auto");
	c->colour = true;
}

void client_config_clear(struct client_config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->hub);
	free(c->graphics);
	memset(c, 0, sizeof *c);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Seconds "600", "2.5", "0.125" into milliseconds, in 0.1 to 600 s.
 * Integer arithmetic: strtod would follow LC_NUMERIC, and the TUI sets
 * the user's locale, where the decimal point may be a comma. */
static int parse_timeout(const char *s, long *ms)
{
	long whole = 0, frac = 0;
	int digits = 0;
	bool beyond = false; /* a nonzero digit past the milliseconds */

	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		whole = whole * 10 + (*s - '0');
		if (whole > 600)
			return -1;
	}
	if (*s == '.') {
		if (!is_digit(*++s))
			return -1;
		for (; is_digit(*s); s++) {
			if (digits < 3) {
				frac = frac * 10 + (*s - '0');
				digits++;
			} else if (*s != '0') {
				beyond = true;
			}
		}
	}
	if (*s != '\0')
		return -1;
	for (; digits < 3; digits++)
		frac *= 10;
	*ms = whole * 1000 + frac;
	if (*ms < 100 || *ms > 600000 || (*ms == 600000 && beyond))
		return -1;
	return 0;
}

/* Whether value can go into a message: short printable ASCII. */
static bool printable(const char *value)
{
	size_t n = 0;

	for (; value[n] != '\0'; n++) {
		if (value[n] < 0x20 || value[n] > 0x7e || n >= 40)
			return false;
	}
	return true;
}

/* Sets the key of entry e in c; -1 with err naming the file and line. */
static int apply(struct client_config *c, const struct conf *file, const struct conf_entry *e,
                 char *err, size_t errlen)
{
	char why[256] = "";
	const char *v = e->value, *shown = printable(v) ? v : "...";

	if (strcmp(e->key, "hub") == 0) {
		char *hub = client_hub_normalise(v, why, sizeof why);

		if (hub == NULL) {
			snprintf(err, errlen, "%s:%u: %s", file->path, e->line, why);
			return -1;
		}
		free(c->hub);
		c->hub = hub;
	} else if (strcmp(e->key, "site-timeout") == 0) {
		if (parse_timeout(v, &c->site_timeout_ms) != 0) {
			snprintf(err, errlen,
			         "%s:%u: bad site-timeout '%s': seconds from 0.1 to 600, like 2.5",
			         file->path, e->line, shown);
			return -1;
		}
	} else if (strcmp(e->key, "graphics") == 0) {
		if (strcmp(v, "auto") != 0 && strcmp(v, "sixel") != 0 && strcmp(v, "text") != 0 &&
		    strcmp(v, "none") != 0) {
			snprintf(err, errlen, "%s:%u: bad graphics '%s': auto, sixel, text or none",
			         file->path, e->line, shown);
			return -1;
		}
		free(c->graphics);
		c->graphics = xstrdup(v);
	} else if (strcmp(e->key, "colour") == 0) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
			snprintf(err, errlen, "%s:%u: bad colour '%s': yes or no", file->path,
			         e->line, shown);
			return -1;
		}
		c->colour = strcmp(v, "yes") == 0;
	}
	return 0;
}

int client_config_load(struct client_config *out, char *err, size_t errlen)
{
	static const char *const known[] = { "hub", "site-timeout", "graphics", "colour", NULL };
	struct conf file;
	char *dir;
	int rc;

	memset(out, 0, sizeof *out);
	set_defaults(out);
	dir = client_config_dir(err, errlen);
	if (dir == NULL)
		return -1;
	out->path = xasprintf("%s/config", dir);
	free(dir);
	rc = conf_read(out->path, &file, err, errlen);
	if (rc != 0) {
		conf_clear(&file);
		return rc == 1 ? 0 : -1;
	}
	rc = conf_check(&file, known, err, errlen);
	/* In file order, so a bad value is found where conf_get would not
	 * look (an earlier line of a repeated key) too. */
	for (size_t i = 0; rc == 0 && i < file.n; i++)
		rc = apply(out, &file, &file.entries[i], err, errlen);
	conf_clear(&file);
	if (rc != 0)
		set_defaults(out);
	return rc;
}

char *client_hub_normalise(const char *url, char *err, size_t errlen)
{
	const char *p, *host, *host_end, *path;
	bool https;
	unsigned long port = 0;
	char *out, *w;
	size_t n;

	if (url == NULL || *url == '\0') {
		snprintf(err, errlen, "a hub URL is needed");
		return NULL;
	}
	if (strlen(url) > HUB_URL_MAX) {
		snprintf(err, errlen, "hub URL is longer than %d characters", HUB_URL_MAX);
		return NULL;
	}
	for (p = url; *p != '\0'; p++) {
		if (*p <= 0x20 || *p > 0x7e) {
			snprintf(err, errlen,
			         "hub URL has a space or a character that is not ASCII");
			return NULL;
		}
	}
	if (strncasecmp(url, "http://", 7) == 0) {
		https = false;
		host = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		https = true;
		host = url + 8;
	} else {
		snprintf(err, errlen, "hub URL must start with http:// or https://");
		return NULL;
	}
	if (strpbrk(url, "?#") != NULL) {
		snprintf(err, errlen, "hub URL cannot have a query ('?') or fragment ('#')");
		return NULL;
	}
	path = host + strcspn(host, "/");
	if (memchr(host, '@', (size_t)(path - host)) != NULL) {
		snprintf(err, errlen, "hub URL cannot hold a user name or password");
		return NULL;
	}
	if (*host == '[') {
		host_end = memchr(host, ']', (size_t)(path - host));
		if (host_end == NULL || host_end == host + 1 ||
		    strspn(host + 1, "0123456789abcdefABCDEF:.") != (size_t)(host_end - host - 1))
			goto bad_host;
		host_end++;
	} else {
		host_end = host + strspn(host, "abcdefghijklmnopqrstuvwxyz"
		                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
		if (host_end == host || *host == '.' || *host == '-')
			goto bad_host;
	}
	if (host_end != path) {
		char *stop;

		if (*host_end != ':')
			goto bad_host;
		errno = 0;
		port = strtoul(host_end + 1, &stop, 10);
		if (!is_digit(host_end[1]) || stop != path || errno != 0 || port == 0 ||
		    port > 65535) {
			snprintf(err, errlen, "hub URL has a bad port (1 to 65535)");
			return NULL;
		}
		if (port == (https ? 443 : 80))
			port = 0; /* the same hub as without it */
	}
	n = (size_t)(path - url) + strlen(path) + 8;
	out = w = xmalloc(n);
	w += snprintf(w, n, "%s://", https ? "https" : "http");
	for (p = host; p < host_end; p++)
		*w++ = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
	*w = '\0';
	if (port != 0)
		w += snprintf(w, n - (size_t)(w - out), ":%lu", port);
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	memcpy(w, path, n);
	w[n] = '\0';
	return out;
bad_host:
	snprintf(err, errlen, "hub URL has no usable host name");
	return NULL;
}

/* Credentials. */

static char *credentials_path(char *err, size_t errlen)
{
	char *dir = client_config_dir(err, errlen), *path;

	if (dir == NULL)
		return NULL;
	path = xasprintf("%s/credentials", dir);
	free(dir);
	return path;
}

static void wipe_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

/* Reads the credentials file at path into *data (new, NUL added; NULL
 * when there is no file) and *len. With private_only, a file that others
 * may read or that is not the user's is refused. Returns 0 or -1. */
static int cred_read(const char *path, bool private_only, char **data, size_t *len, char *err,
                     size_t errlen)
{
	struct stat st = { 0 };
	char *d = NULL;
	size_t done = 0;
	int fd, rc = -1;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		goto out;
	}
	if (private_only && (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s is %s by others (mode %04o): run chmod 600 %s", path,
		         (st.st_mode & 044) != 0 ? "readable" : "writable",
		         (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (private_only && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s belongs to another user", path);
		goto out;
	}
	if (st.st_size > CRED_MAX) {
		snprintf(err, errlen, "%s is larger than %d KiB: not a credentials file", path,
		         CRED_MAX / 1024);
		goto out;
	}
	/* Sized once from fstat, so no copy of a token is left in memory freed
	 * by a growing buffer. */
	d = xmalloc((size_t)st.st_size + 1);
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, d + done, (size_t)st.st_size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	d[done] = '\0';
	*data = d;
	*len = done;
	d = NULL;
	rc = 0;
out:
	wipe_free(d, (size_t)st.st_size + 1);
	close(fd);
	return rc;
}

/* Whether token can be stored: 1 to TOKEN_MAX printable ASCII, no space. */
static bool token_valid(const char *token, size_t n)
{
	if (n == 0 || n > TOKEN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (token[i] <= 0x20 || token[i] > 0x7e)
			return false;
	}
	return true;
}

/* One line of the credentials file, split in place. */
struct cred_line {
	const char *start; /* the whole line, for copying it back */
	size_t len;        /* without its '\n' */
	char *hub;         /* normalised, new; NULL: a comment, or not a hub */
	const char *token; /* in the line; valid only when hub is set */
	size_t token_len;
};

/* Splits the line at p (up to '\n' or the end at stop) into l; returns
 * where the next line starts. The line is not changed. */
static const char *cred_split(const char *p, const char *stop, struct cred_line *l)
{
	const char *eol = memchr(p, '\n', (size_t)(stop - p)), *end, *sp, *tok;
	char ignored[128], *hub;

	memset(l, 0, sizeof *l);
	if (eol == NULL)
		eol = stop;
	l->start = p;
	l->len = (size_t)(eol - p);
	end = eol;
	if (end > p && end[-1] == '\r')
		end--;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return eol < stop ? eol + 1 : stop;
	for (sp = p; sp < end && *sp != ' ' && *sp != '\t'; sp++)
		;
	for (tok = sp; tok < end && (*tok == ' ' || *tok == '\t'); tok++)
		;
	if (sp - p > HUB_URL_MAX)
		return eol < stop ? eol + 1 : stop;
	hub = xstrndup(p, (size_t)(sp - p));
	l->hub = client_hub_normalise(hub, ignored, sizeof ignored);
	free(hub);
	l->token = tok;
	l->token_len = (size_t)(end - tok);
	return eol < stop ? eol + 1 : stop;
}

char *credentials_get(const char *hub, char *err, size_t errlen)
{
	char *want, *path = NULL, *data = NULL, *token = NULL;
	const char *p, *stop;
	size_t len = 0;
	unsigned line = 0;

	want = client_hub_normalise(hub, err, errlen);
	if (want == NULL)
		return NULL;
	path = credentials_path(err, errlen);
	if (path == NULL || cred_read(path, true, &data, &len, err, errlen) != 0)
		goto out;
	if (errlen > 0)
		err[0] = '\0';
	for (p = data, stop = data != NULL ? data + len : NULL; p != NULL && p < stop;) {
		struct cred_line l;

		p = cred_split(p, stop, &l);
		line++;
		if (l.hub == NULL || strcmp(l.hub, want) != 0) {
			free(l.hub);
			continue;
		}
		free(l.hub);
		wipe_free(token, token != NULL ? strlen(token) : 0);
		token = NULL;
		if (errlen > 0)
			err[0] = '\0';
		if (token_valid(l.token, l.token_len))
			token = xstrndup(l.token, l.token_len);
		else
			snprintf(err, errlen,
			         "%s:%u: the token for %s is not printable ASCII without spaces",
			         path, line, want);
	}
out:
	wipe_free(data, len);
	free(path);
	free(want);
	return token;
}

/* Rewrites the credentials file without hub's lines and, when token is
 * not NULL, with "hub token" at its end. */
static int cred_rewrite(const char *hub, const char *token, char *err, size_t errlen)
{
	char *want, *dir = NULL, *path = NULL, *data = NULL, *out = NULL, *tmp = NULL;
	size_t len = 0, n = 0, cap = 0;
	bool dropped = false;
	int rc = -1;

	want = client_hub_normalise(hub, err, errlen);
	if (want == NULL)
		return -1;
	if (token != NULL && !token_valid(token, strlen(token))) {
		snprintf(err, errlen, "a token is 1 to %d printable ASCII characters, no spaces",
		         TOKEN_MAX);
		goto out;
	}
	dir = client_config_dir(err, errlen);
	if (dir == NULL)
		goto out;
	path = xasprintf("%s/credentials", dir);
	/* A file others could read is rewritten with mode 0600 all the same. */
	if (cred_read(path, false, &data, &len, err, errlen) != 0)
		goto out;
	cap = len + 1 + strlen(want) + 1 + (token != NULL ? strlen(token) : 0) + 2;
	out = xmalloc(cap);
	for (const char *p = data, *stop = data != NULL ? data + len : NULL;
	     p != NULL && p < stop;) {
		struct cred_line l;

		p = cred_split(p, stop, &l);
		if (l.hub != NULL && strcmp(l.hub, want) == 0) {
			dropped = true;
		} else {
			memcpy(out + n, l.start, l.len);
			n += l.len;
			out[n++] = '\n';
		}
		free(l.hub);
	}
	if (token == NULL && !dropped) {
		rc = 0; /* nothing to remove: leave the file alone */
		goto out;
	}
	if (token != NULL)
		n += (size_t)snprintf(out + n, cap - n, "%s %s\n", want, token);
	if (xdg_make_dirs(dir, err, errlen) != 0)
		goto out;
	tmp = xdg_write_temp(dir, "credentials", out, n, err, errlen);
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
	wipe_free(out, cap);
	wipe_free(data, len);
	free(path);
	free(dir);
	free(want);
	return rc;
}

int credentials_put(const char *hub, const char *token, char *err, size_t errlen)
{
	if (token == NULL) {
		snprintf(err, errlen, "no token to store");
		return -1;
	}
	return cred_rewrite(hub, token, err, errlen);
}

int credentials_remove(const char *hub, char *err, size_t errlen)
{
	return cred_rewrite(hub, NULL, err, errlen);
}
