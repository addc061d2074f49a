#include "config.h"

#include <ctype.h>
#include <string.h>

#include "credcheck.h"
#include "error.h"
#include "text.h"

int is_uuid4(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx";

	if (s == NULL || strlen(s) != ASKCRED_UUID_LEN)
		return 0;
	for (size_t i = 0; i < ASKCRED_UUID_LEN; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (shape[i]) {
		case '-':
		case '4':
			if (c != (unsigned char)shape[i])
				return 0;
			break;
		case 'V': /* RFC 4122 variant: 8, 9, a or b */
			if (strchr("89abAB", c) == NULL || c == '\0')
				return 0;
			break;
		default:
			if (!isxdigit(c))
				return 0;
		}
	}
	return 1;
}

askcred_status check_workspace_id(const char *s, const char *where,
				  struct askcred_error *err)
{
	if (s == NULL || *s == '\0')
		return err_set(err, ASKCRED_INVALID, where,
			       "workspace id is missing");
	if (!is_uuid4(s))
		return err_set(err, ASKCRED_INVALID, where,
			       "workspace id is not a UUID version 4 "
			       "(like 9cf30c31-ea1e-4ff5-994a-c4a0dc70882f)");
	return ASKCRED_OK;
}

askcred_status check_token(const char **p, size_t *len, const char *where,
			   struct askcred_error *err)
{
	const char *s = *p;
	size_t n = *len;

	while (n > 0 && isspace((unsigned char)s[0])) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return err_set(err, ASKCRED_INVALID, where, "token is empty");
	if (n > TOKEN_MAX_LEN)
		return err_set(err, ASKCRED_INVALID, where,
			       "token is %zu bytes long, more than the %d "
			       "allowed",
			       n, TOKEN_MAX_LEN);
	size_t at = text_control_at(s, n);

	if (at < n)
		return err_set(err, ASKCRED_INVALID, where,
			       "token contains a control character "
			       "at offset %zu",
			       at);
	*p = s;
	*len = n;
	return ASKCRED_OK;
}
