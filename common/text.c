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

size_t text_utf8_invalid_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], lo = 0x80, hi = 0xbf;
		size_t extra = c < 0x80			? 0
			       : c >= 0xc2 && c <= 0xdf ? 1
			       : c >= 0xe0 && c <= 0xef ? 2
			       : c >= 0xf0 && c <= 0xf4 ? 3
							: 9;

		if (extra == 9 || extra >= n - i)
			return i;
		/* The second byte's range rules out overlong forms,
		 * surrogates and code points past U+10FFFF. */
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		for (size_t k = 1; k <= extra; k++) {
			if (p[i + k] < lo || p[i + k] > hi)
				return i;
			lo = 0x80;
			hi = 0xbf;
		}
		i += extra + 1;
	}
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
