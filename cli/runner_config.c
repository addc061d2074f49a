/* Filling queue.credentials.access_token into the AskUI runner's config:
 * JSON through json-c here, YAML by the line edit in runner_yaml.c. */
#include "config.h"

#include <string.h>

#include <json.h>
#include <openssl/crypto.h>

#include "error.h"
#include "runner_config.h"

/* Where a json-c parse error sits, as a line number. */
static unsigned json_line(const char *text, size_t off)
{
	unsigned line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

/* The object under key in parent, made when absent. NULL after refusing. */
static json_object *json_mapping(json_object *parent, const char *key,
				 const char *file, struct askcred_error *err)
{
	json_object *o = NULL;

	if (!json_object_object_get_ex(parent, key, &o)) {
		o = json_object_new_object();
		if (o == NULL || json_object_object_add(parent, key, o) != 0) {
			json_object_put(o);
			err_set(err, ASKCRED_NO_MEMORY, file,
				"cannot hold the runner config in memory");
			return NULL;
		}
	} else if (!json_object_is_type(o, json_type_object)) {
		err_set(err, ASKCRED_CONFIG_ERROR, file,
			"'%s' must be an object", key);
		return NULL;
	}
	return o;
}

static askcred_status edit_json(const char *file, const char *text, size_t len,
				const char *token, size_t token_len,
				struct secret *out, struct askcred_error *err)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = NULL, *queue, *creds, *value = NULL;
	const char *printed = NULL;
	size_t printed_len = 0, end;
	askcred_status rc = ASKCRED_NO_MEMORY;

	if (tok == NULL)
		goto out;
	root = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	while (end < len && strchr(" \t\r\n", text[end]) != NULL)
		end++;
	if (root == NULL || end != len) {
		rc = err_set_line(
			err, ASKCRED_CONFIG_ERROR, file,
			json_line(text, json_tokener_get_parse_end(tok)),
			"not valid JSON (nor block-style YAML): %s",
			root == NULL ? json_tokener_error_desc(
					       json_tokener_get_error(tok))
				     : "text after the end");
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, file,
			     "the runner config must be a JSON object");
		goto out;
	}
	rc = ASKCRED_CONFIG_ERROR;
	queue = json_mapping(root, "queue", file, err);
	creds = queue ? json_mapping(queue, "credentials", file, err) : NULL;
	if (creds == NULL)
		goto out;
	rc = ASKCRED_NO_MEMORY;
	value = json_object_new_string_len(token, (int)token_len);
	if (value == NULL ||
	    json_object_object_add(creds, "access_token", value) != 0) {
		json_object_put(value);
		value = NULL;
		goto out;
	}
	printed = json_object_to_json_string_length(
		root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE,
		&printed_len);
	if (printed == NULL || secret_set(out, printed, printed_len) != 0)
		goto out;
	rc = ASKCRED_OK;
out:
	if (rc == ASKCRED_NO_MEMORY)
		err_set(err, rc, file,
			"cannot hold the runner config in memory");
	/* json-c frees without wiping: wipe its copies of the token (the
	 * string object and the printed text) before giving them back. */
	if (printed != NULL)
		OPENSSL_cleanse((char *)printed, printed_len);
	if (value != NULL)
		OPENSSL_cleanse((char *)json_object_get_string(value),
				token_len);
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

askcred_status runner_config_edit(const char *file, const char *text,
				  size_t len, const char *token,
				  size_t token_len, struct secret *out,
				  struct askcred_error *err)
{
	size_t i = 0;

	secret_clear(out);
	while (i < len && strchr(" \t\r\n", text[i]) != NULL)
		i++;
	if (i < len && text[i] == '{')
		return edit_json(file, text, len, token, token_len, out, err);
	return runner_yaml_edit(file, text, len, token, token_len, out, err);
}
