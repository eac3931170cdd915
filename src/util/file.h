/* Whole-file reading. */
#ifndef ECII_UTIL_FILE_H
#define ECII_UTIL_FILE_H

#include <stddef.h>

/* Reads path (or stdin for "-") into new memory with a NUL appended; sets
 * *len if len is not NULL. Returns NULL with errno set on failure. */
char *file_read_all(const char *path, size_t *len);

#endif
