/* Configuration files in the one format ecii uses for them (the client's
 * ~/.config/ecii/config, ecii-hub's --config file): one "key = value" per
 * line, '#' starts a comment line, blank lines are skipped, spaces around
 * key and value are trimmed, a value may be wrapped in double quotes to keep
 * its outer spaces or a '#'. Unquoted, a '#' after a space ends the value
 * (a comment); inside a word it is kept ("http://h/#x"). Quoted, \" is a
 * quote and \\ a backslash. A line may end in CRLF; a NUL or other control
 * byte (tab aside) makes the file "not text". Keys are [a-z0-9_-]+; a key
 * given twice takes the last value. Files come from users: every error is
 * one line naming the file and line ("/home/a/.config/ecii/config:3:
 * expected key = value"), and echoes no text from the file but a valid key. */
#ifndef ECII_UTIL_CONF_H
#define ECII_UTIL_CONF_H

#include <stddef.h>

struct conf_entry {
	char *key;
	char *value;
	unsigned line; /* 1-based */
};

struct conf {
	char *path;
	struct conf_entry *entries; /* in file order */
	size_t n;
};

/* Reads path (not NULL) into *out. Returns 0; 1 when the file does not
 * exist (out is then empty, path set); or -1 with out cleared and err set
 * (unreadable, not text, a line that is not key = value, a file over 64 KiB). */
int conf_read(const char *path, struct conf *out, char *err, size_t errlen);
/* Parses len bytes of text as the file path says (for messages) into
 * *out. Returns 0, or -1 with out cleared and err set. */
int conf_parse(const char *path, const char *text, size_t len, struct conf *out, char *err,
               size_t errlen);
/* The value of key (the last one given), borrowed; NULL when absent. */
const char *conf_get(const struct conf *c, const char *key);
/* Returns 0 if every key is one of known (NULL-terminated), else -1 with
 * err "PATH:LINE: unknown key 'colour' (known: hub, site-timeout, ...)". */
int conf_check(const struct conf *c, const char *const *known, char *err, size_t errlen);
/* Frees what c holds and zeroes it; NULL accepted. */
void conf_clear(struct conf *c);

#endif
