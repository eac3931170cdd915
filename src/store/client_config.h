/* The client's own settings and credentials (DESIGN.md, files on the user's
 * machine): $XDG_CONFIG_HOME/ecii/config (default ~/.config/ecii/config),
 * read with util/conf.h, and $XDG_CONFIG_HOME/ecii/credentials, the tokens
 * `ecii login` stores, one "<hub-url> <token>" line per hub, mode 0600 in
 * a 0700 directory, written to a temporary file renamed into place. A
 * token is never logged nor put into an error message. */
#ifndef ECII_STORE_CLIENT_CONFIG_H
#define ECII_STORE_CLIENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CLIENT_SITE_TIMEOUT_MS 10000 /* default per-site timeout of a count */

struct client_config {
	char *path;           /* the config file looked at (it may not exist) */
	char *hub;            /* "hub": the hub URL; NULL: none configured */
	long site_timeout_ms; /* "site-timeout" in seconds (0.1 to 600, decimals
	                         allowed) stored in ms; default CLIENT_SITE_TIMEOUT_MS */
	char *graphics;       /* "graphics": "auto" (default), "sixel", "text", "none" */
	bool colour;          /* "colour": yes (default) | no */
};

/* Points the module at dir (copied) instead of $XDG_CONFIG_HOME/ecii, for
 * tests; NULL goes back to the environment. */
void client_config_set_dir(const char *dir);
/* The directory in use: the one set, else $XDG_CONFIG_HOME/ecii when that
 * is absolute, else $HOME/.config/ecii. New, or NULL with err set. */
char *client_config_dir(char *err, size_t errlen);

/* Reads the config file into *out (defaults for what it does not say; a
 * missing file is all defaults). Returns 0, or -1 with err set naming the
 * file and line (unknown key, bad value) and out holding the defaults. */
int client_config_load(struct client_config *out, char *err, size_t errlen);
void client_config_clear(struct client_config *c);

/* A hub URL as ecii keeps it: "http://host:port" or "https://host[:port]"
 * with an optional path, no trailing '/'; new, or NULL with err set
 * ("hub URL must start with http:// or https://"). */
char *client_hub_normalise(const char *url, char *err, size_t errlen);

/* The token stored for hub (normalised), new; NULL with err "" when none is
 * stored, or NULL with err set when the file cannot be read, or is readable
 * by others (then it is not used: "…/credentials is readable by others
 * (mode 0644): run chmod 600 …"). */
char *credentials_get(const char *hub, char *err, size_t errlen);
/* Stores token for hub, replacing any earlier one. Returns 0 or -1. */
int credentials_put(const char *hub, const char *token, char *err, size_t errlen);
/* Removes hub's token. Returns 0 (also when there was none) or -1. */
int credentials_remove(const char *hub, char *err, size_t errlen);

#endif
