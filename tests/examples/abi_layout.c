/* Prints the layout of every struct examples/python/askcred.py mirrors,
 * one "struct field offset size" line per field plus one "struct - 0 size"
 * line per struct, so test_python_binding.py can hold its ctypes mirror to
 * what the compiler really lays out on this machine. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include <askcred/askcred.h>

#define STRUCT(s) printf(#s " - 0 %zu\n", sizeof(struct s))
#define FIELD(s, f)                                                            \
	printf(#s " " #f " %zu %zu\n", offsetof(struct s, f),                  \
	       sizeof(((struct s *)0)->f))

int main(void)
{
	STRUCT(askcred_error);
	FIELD(askcred_error, struct_size);
	FIELD(askcred_error, code);
	FIELD(askcred_error, where);
	FIELD(askcred_error, message);

	STRUCT(askcred_options);
	FIELD(askcred_options, struct_size);
	FIELD(askcred_options, stack_dir);
	FIELD(askcred_options, module_dir);
	FIELD(askcred_options, labels);
	FIELD(askcred_options, log);
	FIELD(askcred_options, log_ctx);
	FIELD(askcred_options, log_level);

	STRUCT(askcred_request);
	FIELD(askcred_request, struct_size);
	FIELD(askcred_request, flags);
	FIELD(askcred_request, workspace_id);
	FIELD(askcred_request, purpose);
	FIELD(askcred_request, min_validity);
	FIELD(askcred_request, lifetime);

	STRUCT(askcred_credential);
	FIELD(askcred_credential, struct_size);
	FIELD(askcred_credential, flags);
	FIELD(askcred_credential, workspace_id);
	FIELD(askcred_credential, token_id);
	FIELD(askcred_credential, source);
	FIELD(askcred_credential, token);
	FIELD(askcred_credential, token_len);
	FIELD(askcred_credential, issued_at);
	FIELD(askcred_credential, expires_at);
	FIELD(askcred_credential, policy_serial);
	FIELD(askcred_credential, host_private);

	STRUCT(askcred_entry_info);
	FIELD(askcred_entry_info, struct_size);
	FIELD(askcred_entry_info, flags);
	FIELD(askcred_entry_info, name);
	FIELD(askcred_entry_info, workspace_id);
	FIELD(askcred_entry_info, token_id);
	FIELD(askcred_entry_info, source);
	FIELD(askcred_entry_info, issued_at);
	FIELD(askcred_entry_info, expires_at);
	FIELD(askcred_entry_info, policy_serial);
	FIELD(askcred_entry_info, note);

	STRUCT(askcred_tokens_query);
	FIELD(askcred_tokens_query, struct_size);
	FIELD(askcred_tokens_query, action);
	FIELD(askcred_tokens_query, flags);
	FIELD(askcred_tokens_query, select);
	FIELD(askcred_tokens_query, host);
	FIELD(askcred_tokens_query, token_id);
	FIELD(askcred_tokens_query, older_than);

	STRUCT(askcred_token_info);
	FIELD(askcred_token_info, struct_size);
	FIELD(askcred_token_info, flags);
	FIELD(askcred_token_info, workspace_id);
	FIELD(askcred_token_info, token_id);
	FIELD(askcred_token_info, name);
	FIELD(askcred_token_info, created_at);
	FIELD(askcred_token_info, expires_at);
	FIELD(askcred_token_info, host);
	FIELD(askcred_token_info, entry);
	FIELD(askcred_token_info, job);
	FIELD(askcred_token_info, purpose);
	FIELD(askcred_token_info, result);
	FIELD(askcred_token_info, note);

	printf("status_count - 0 %d\n", ASKCRED_STATUS_COUNT);
	printf("abi_version - 0 %u\n", (unsigned)ASKCRED_ABI_VERSION);
	return fflush(stdout) == 0 ? 0 : 1;
}
