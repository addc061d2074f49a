#include "config.h"

#include <stdio.h>
#include <string.h>

#include "source.h"

/* Adding a source: its file, and one line here. */
static const struct source_ops *const sources[] = {
	&source_static,
};

const struct source_ops *source_find(const char *name)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(sources[i]->name, name) == 0)
			return sources[i];
	return NULL;
}

void source_names(char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0;
	     i < sizeof(sources) / sizeof(sources[0]) && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? ", " : "", sources[i]->name);
}
