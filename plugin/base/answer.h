/* The JSON credential answer of docs/broker-protocol.md, which a broker
 * sends over HTTPS and an exec command prints on stdout
 * (docs/exec-protocol.md):
 *
 *   {"workspace_id": "<uuid4>", "token": "...",
 *    "token_id": "<uuid4>" | null, "expires_at": "<RFC 3339>" | null}
 *
 * All four members are required (null where allowed), members not listed
 * are ignored. Shared by the provider core (exec) and the net module
 * (broker), so it needs json-c and libcrypto, never libcurl. */
#ifndef ASKCRED_PLUGIN_ANSWER_H
#define ASKCRED_PLUGIN_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include <askcred/provider.h>

#include "record.h"

/* Parse len bytes of body into *out, with out->source set to source.
 * what names the answer in messages ("answer of the broker"); a message
 * names the member at fault and never quotes a value. A malformed answer
 * is ASKCRED_UNAVAILABLE (the issuer sent something we cannot trust), one
 * whose expires_at is not after now ASKCRED_EXPIRED. On failure *out is
 * untouched; on success the caller owns it (record_clear()). The parser's
 * copies of the token are wiped before they are freed. Thread-safe. */
askcred_status answer_parse(const char *body, size_t len, const char *what,
			    const char *source, int64_t now,
			    struct token_record *out,
			    struct askcred_error *err);

#endif
