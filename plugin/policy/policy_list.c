#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_list.h"

int policy_list_find(char *const *items, size_t n, const char *s)
{
	/* Case-insensitive: UUIDs may be written in either case, and names
	 * that differ only in case are too confusing to treat as two. */
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(items[i], s) == 0)
			return 1;
	return 0;
}

int policy_list_find_exact(char *const *items, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i], s) == 0)
			return 1;
	return 0;
}

void policy_list_free(struct policy_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int policy_labels_have(const char *labels, const char *label)
{
	size_t want = strlen(label);
	const char *p = labels;

	if (p == NULL || want == 0)
		return 0;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len;

		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == want && memcmp(p, label, want) == 0)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}
