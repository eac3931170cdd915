/* Debug log to a file, enabled by -v or ECII_LOG=<path>; never to the
 * terminal, never a token. Off by default: calls are then cheap no-ops. */
#ifndef ECII_UTIL_LOG_H
#define ECII_UTIL_LOG_H

/* Opens path for appending; NULL or "" closes the log. Returns 0 or -1. */
int log_open(const char *path);
void log_close(void);
void log_write(const char *level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_debug(...) log_write("debug", __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...)  log_write("info", __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...)  log_write("warn", __FILE__, __LINE__, __VA_ARGS__)

#endif
