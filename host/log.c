/* Host logging. Messages are flattened to one line of printable text
 * before they reach the caller, so a provider cannot forge log lines. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "text.h"

#define LOG_LINE_MAX 1024

static int clamp_level(int level)
{
	if (level < ASKCRED_LOG_ERR)
		return ASKCRED_LOG_ERR;
	if (level > ASKCRED_LOG_DEBUG)
		return ASKCRED_LOG_DEBUG;
	return level;
}

int log_wanted(const struct askcred_stack *st, int level)
{
	return st->log != NULL && clamp_level(level) <= st->log_level;
}

/* Control characters (newlines included) become '?'. */
static void flatten(char *s)
{
	text_flatten(s);
}

static void emit(const struct askcred_stack *st, int level, char *line)
{
	flatten(line);
	st->log(st->log_ctx, clamp_level(level), line);
}

void host_log(const struct askcred_stack *st, int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (!log_wanted(st, level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(st, level, line);
}

void instance_log(void *log_ctx, int level, const char *message)
{
	const struct module_open *in = log_ctx;
	char line[LOG_LINE_MAX];

	if (in == NULL || message == NULL || !log_wanted(in->stack, level))
		return;
	snprintf(line, sizeof(line), "%s (%s:%u): %s",
		 in->mod->ops->name ? in->mod->ops->name : "provider", in->file,
		 in->line, message);
	emit(in->stack, level, line);
}
