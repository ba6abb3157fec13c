/* Lossless JSON strings. (Placeholder: plain jansson strings until the
 * JSON hardening lands.) */
#include "klinkwrap/json.h"
#include "klinkwrap/util.h"

#include <string.h>

json_t *kwjson_string(const char *s)
{
	return kwjson_stringn(s, strlen(s));
}

json_t *kwjson_stringn(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	return j ? j : json_string("");
}

char *kwjson_decode(const json_t *j, size_t *len)
{
	if (!json_is_string(j))
		return NULL;
	if (len)
		*len = json_string_length(j);
	return kw_strndup(json_string_value(j), json_string_length(j));
}
