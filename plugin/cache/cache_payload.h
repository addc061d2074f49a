/* The JSON payload sealed inside a cache file, encoded and decoded with
 * json-c so that no copy of the token is left unwiped in json-c's own
 * buffers (see the comments in cache_payload.c). */
#ifndef ASKCRED_PLUGIN_CACHE_PAYLOAD_H
#define ASKCRED_PLUGIN_CACHE_PAYLOAD_H

#include <stddef.h>

#include <askcred/provider.h>

#include "record.h"

/* 2 added cached_at; a file of version 1 is a miss, replaced on write. */
#define PAYLOAD_VERSION 2

/* Encode rec and the entry name. *out (*out_len bytes + NUL) holds the
 * token: free it with free_wiped(*out, *out_len + 1). */
askcred_status payload_encode(const char *entry, const struct token_record *rec,
			      char **out, size_t *out_len,
			      struct askcred_error *err);

/* Decode len bytes (not NUL-terminated) strictly: a JSON object with
 * exactly the known fields of the right types. The entry name found is
 * copied to entry_out (entry_max bytes). On failure out is cleared. */
askcred_status payload_decode(const char *buf, size_t len,
			      struct token_record *out, char *entry_out,
			      size_t entry_max, struct askcred_error *err);

#endif
