/* Whole-file reading. */
#ifndef ECII_UTIL_FILE_H
#define ECII_UTIL_FILE_H

#include <stddef.h>

/* Reads path (or stdin for "-") into new memory with a NUL appended; sets
 * *len if len is not NULL. Returns NULL with errno set on failure. */
char *file_read_all(const char *path, size_t *len);
/* Reads the regular file at path whole, refusing one over max bytes.
 * Returns new memory (never NULL for an empty file) with *len set, or NULL
 * with a one-line reason naming path in err (err may be NULL): "PATH: No
 * such file or directory", "PATH: not a regular file", "PATH: file of N
 * bytes is over the limit of M". */
unsigned char *file_read_regular(const char *path, size_t max, size_t *len, char *err,
                                 size_t errlen);

#endif
