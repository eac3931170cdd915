/* File logging with time, level, file and line. */
#include "config.h"

#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static FILE *log_file;

int log_open(const char *path)
{
	log_close();
	if (path == NULL || *path == '\0')
		return 0;
	log_file = fopen(path, "a");
	if (log_file == NULL)
		return -1;
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

void log_write(const char *level, const char *file, int line, const char *fmt, ...)
{
	struct timeval tv;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (log_file == NULL)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(log_file, "%s.%03ldZ %s %s:%d ", stamp, (long)(tv.tv_usec / 1000), level, file,
	        line);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
}
