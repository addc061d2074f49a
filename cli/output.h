/* Printing credentials. Everything that may hold a token goes through a
 * struct outbuf, which never leaves an unwiped copy behind: it grows by
 * copy-and-wipe instead of realloc and is wiped when freed. */
#ifndef ASKCRED_CLI_OUTPUT_H
#define ASKCRED_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <askcred/askcred.h>

struct outbuf {
	char *buf; /* len bytes + NUL, or NULL */
	size_t len;
	size_t cap;
	int failed; /* an allocation failed; the content is incomplete */
};
#define OUTBUF_INIT                                                            \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

void outbuf_add(struct outbuf *ob, const char *p, size_t n);
void outbuf_addstr(struct outbuf *ob, const char *s);
/* Append p in single quotes for POSIX sh: ' becomes '\''. */
void outbuf_add_shell_quoted(struct outbuf *ob, const char *p, size_t n);
/* Wipe and free; ob is empty afterwards. */
void outbuf_free(struct outbuf *ob);
/* Write everything to fd in one write() where the kernel allows it.
 * 0, or -1 with errno set. */
int outbuf_write(int fd, const struct outbuf *ob);

enum out_format { FORMAT_ENV, FORMAT_SHELL, FORMAT_JSON };

/* "env", "shell" or "json". 0, or -1 when s names no format. */
int parse_format(const char *s, enum out_format *out);

/* A credential is handed on only when its workspace id is a UUID4 and its
 * token is non-empty, free of NUL and control characters and of
 * surrounding blanks, which a reader of "env" lines would split or trim.
 * ASKCRED_INVALID otherwise. */
askcred_status check_credential_printable(const struct askcred_credential *cred,
					  struct askcred_error *err);

/* Render cred in format into ob. Refuses (ASKCRED_INVALID) a credential
 * whose token or workspace id could not be printed unambiguously. */
askcred_status format_credential(const struct askcred_credential *cred,
				 enum out_format format, struct outbuf *ob,
				 struct askcred_error *err);

/* "2026-11-28T17:00:00Z" for Unix seconds t. 0, or -1 when t cannot be
 * shown (buf then holds "?"). */
#define RFC3339_LEN 32
int format_rfc3339(int64_t t, char buf[RFC3339_LEN]);

/* json-c helpers: add key to obj, 0 or -1 (out of memory). json_add
 * takes v (NULL is JSON null) and drops it on failure; a NULL or empty
 * string and a time of 0 become null. */
int json_add(json_object *obj, const char *key, json_object *v);
int json_add_string(json_object *obj, const char *key, const char *s,
		    size_t len);
int json_add_time(json_object *obj, const char *key, int64_t t);
int json_add_bool(json_object *obj, const char *key, int value);

/* Print obj as one plain JSON line on stdout (slashes unescaped); obj
 * stays the caller's. */
void json_print(json_object *obj);

/* json_print, then drop obj. bad: building
 * obj ran out of memory; then say so on stderr instead. 0, or -1 when
 * bad. */
int json_print_line(json_object *obj, int bad);

#endif
