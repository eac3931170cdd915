/* The user's ecii directories under the XDG base directories, and the two
 * things every file kept there needs: its directory made private (0700)
 * when missing, and whole-file writes that never leave half a file (a
 * temporary file beside the target, synced, then renamed by the caller).
 * Nothing here reads the files or knows their formats. */
#ifndef ECII_UTIL_XDG_H
#define ECII_UTIL_XDG_H

#include <stddef.h>

enum xdg_kind {
	XDG_DATA,   /* $XDG_DATA_HOME/ecii, else ~/.local/share/ecii */
	XDG_CONFIG, /* $XDG_CONFIG_HOME/ecii, else ~/.config/ecii */
	XDG_CACHE,  /* $XDG_CACHE_HOME/ecii, else ~/.cache/ecii */
};

/* ecii's directory of that kind: $XDG_..._HOME/ecii when that variable is
 * an absolute path (the spec says a relative one is ignored), else under
 * $HOME when that is absolute. Nothing is created. Returns new, or NULL
 * with err set ("cannot find the config directory: HOME is not set"). */
char *xdg_dir(enum xdg_kind kind, char *err, size_t errlen);
/* Makes dir (absolute, borrowed) and its missing parents with mode 0700;
 * existing ones are left as they are. Returns 0, or -1 with err set. */
int xdg_make_dirs(const char *dir, char *err, size_t errlen);
/* Writes len bytes of data to a new file ".<stem>.XXXXXX" in dir, mode
 * 0600, and syncs it, for the caller to rename (or link) into place.
 * Returns its path (new), or NULL with err set and nothing left behind. */
char *xdg_write_temp(const char *dir, const char *stem, const void *data, size_t len, char *err,
                     size_t errlen);

#endif
