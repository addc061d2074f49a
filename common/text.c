/* Small string helpers that several components need the same way: one
 * definition of "control character" for every check. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

size_t text_control_at(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_control((unsigned char)s[i]))
			return i;
	return n;
}

void text_flatten(char *s)
{
	for (; *s != '\0'; s++)
		if (is_control((unsigned char)*s))
			*s = '?';
}

char *dup_or_null(const char *s, int *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*failed = 1;
	return d;
}
