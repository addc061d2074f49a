#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* Longer lines are cut: a log line is for people, and a bounded stack
 * buffer keeps logging allocation-free. */
#define LOG_LINE_MAX 512

void plog(const struct log_sink *sink, int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (sink == NULL || sink->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sink->log(sink->log_ctx, level, line);
}
