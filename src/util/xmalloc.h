/* Allocation that never returns NULL: on exhaustion or size overflow the
 * process reports and exits through fatal(). Nothing here may log or draw. */
#ifndef ECII_UTIL_XMALLOC_H
#define ECII_UTIL_XMALLOC_H

#include <stddef.h>

/* All return new memory the caller frees; none returns NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into new memory. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit hook: runs before any fatal message (the TUI restores the terminal). */
typedef void (*fatal_hook_fn)(void);
void fatal_set_hook(fatal_hook_fn hook);
/* Prints "ecii: <message>" to stderr after the hook and exits with status 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
