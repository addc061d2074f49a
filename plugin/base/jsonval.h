/*
 * Strict reading of JSON answers with json-c: the whole input must parse,
 * every field is type-checked, and failures name the field. Answers may
 * carry tokens, so parser buffers are wiped and token strings can be wiped
 * inside the parsed tree before it is freed.
 */
#ifndef ASKCRED_PLUGIN_NET_JSONVAL_H
#define ASKCRED_PLUGIN_NET_JSONVAL_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <askcred/provider.h>

#define JSON_MAX_DEPTH 16

/* Parse all of buf (len bytes) into *out, the caller's to release with
 * json_put_wiped(). what names the answer for messages ("answer to POST
 * access-tokens"); failures are ASKCRED_UNAVAILABLE: the server sent
 * something we cannot trust. */
askcred_status json_parse_strict(const char *buf, size_t len, const char *what,
				 struct json_object **out,
				 struct askcred_error *err);

/* Wipe every string in the tree, then release it. NULL is fine. */
void json_put_wiped(struct json_object *obj);

/* A member of type json_type_object / json_type_array. field is the path
 * for messages ("privateToken"). */
askcred_status json_get_object(struct json_object *obj, const char *key,
			       const char *what, const char *field,
			       struct json_object **out,
			       struct askcred_error *err);
/* A string member of 1..max bytes without control characters; *out is
 * borrowed from obj. */
askcred_status json_get_string(struct json_object *obj, const char *key,
			       size_t max, const char *what, const char *field,
			       const char **out, size_t *len,
			       struct askcred_error *err);
/* A string member of 1..max bytes of well-formed UTF-8 that may hold
 * control characters: a label someone typed (a token's name in AskUI
 * Hub), kept as it is and neutralised only where it is printed. */
askcred_status json_get_label(struct json_object *obj, const char *key,
			      size_t max, const char *what, const char *field,
			      const char **out, size_t *len,
			      struct askcred_error *err);
/* A UUID version 4 string. With nullable, JSON null gives "". */
askcred_status json_get_uuid(struct json_object *obj, const char *key,
			     int nullable, const char *what, const char *field,
			     char out[ASKCRED_UUID_LEN + 1],
			     struct askcred_error *err);
/* An RFC 3339 date-time string, as Unix seconds. With nullable, JSON null
 * gives 0 ("never"). */
askcred_status json_get_time(struct json_object *obj, const char *key,
			     int nullable, const char *what, const char *field,
			     int64_t *out, struct askcred_error *err);

#endif
