/* Small string helpers that several components need the same way. */
#ifndef ASKCRED_COMMON_TEXT_H
#define ASKCRED_COMMON_TEXT_H

#include <stddef.h>

/* The offset of the first control character (below 0x20, or DEL) in the
 * n bytes at s; n when there is none. Text bound for a log line, an HTTP
 * header, a token name or a terminal is refused or cut there. */
size_t text_control_at(const char *s, size_t n);

/* The offset of the first byte of the n bytes at s that does not belong
 * to a well-formed UTF-8 sequence (no overlong forms, no surrogates, at
 * most U+10FFFF); n when they are all well-formed. */
size_t text_utf8_invalid_at(const char *s, size_t n);

/* Replace every control character of the string s by '?', so it stays
 * one line wherever it is printed. */
void text_flatten(char *s);

/* strdup(s), NULL for NULL; sets *failed when the copy fails, so that a
 * caller copies several optional strings and checks once. */
char *dup_or_null(const char *s, int *failed);

#endif
