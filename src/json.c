/* Lossless JSON strings (valid UTF-8 as is, other bytes as base64) and
 * checked JSON output. */
#include "klinkwrap/json.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const unsigned char *s, size_t len)
{
	char *out = kw_malloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

/* Strict: padded, no whitespace, and the unused bits of the last group
 * zero, so that one byte string has exactly one encoding. */
static char *base64_decode(const char *s, size_t slen, size_t *len)
{
	if (slen % 4)
		return NULL;
	char *out = kw_malloc(slen / 4 * 3 + 1);
	size_t n = 0;
	for (size_t i = 0; i < slen; i += 4) {
		bool last = i + 4 == slen;
		int pad = last ? (s[i + 3] == '=') + (s[i + 2] == '=' && s[i + 3] == '=') : 0;
		int v[4] = { 0, 0, 0, 0 };
		for (int k = 0; k < 4 - pad; k++)
			if ((v[k] = b64_value(s[i + k])) < 0)
				goto bad;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
			     (uint32_t)v[3];
		if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
			goto bad; /* non-canonical trailing bits */
		out[n++] = (char)(w >> 16);
		if (pad < 2)
			out[n++] = (char)(w >> 8 & 0xff);
		if (pad < 1)
			out[n++] = (char)(w & 0xff);
	}
	out[n] = '\0';
	*len = n;
	return out;
bad:
	free(out);
	return NULL;
}

json_t *kwjson_check(json_t *j)
{
	if (!j)
		kw_die(KW_EXIT_SELF, "out of memory (building JSON)");
	return j;
}

void kwjson_set(json_t *object, const char *key, json_t *value)
{
	if (!value || json_object_set_new(object, key, value))
		kw_die(KW_EXIT_SELF, "out of memory (building JSON)");
}

void kwjson_append(json_t *array, json_t *value)
{
	if (!value || json_array_append_new(array, value))
		kw_die(KW_EXIT_SELF, "out of memory (building JSON)");
}

json_t *kwjson_string(const char *s)
{
	return kwjson_stringn(s, strlen(s));
}

json_t *kwjson_stringn(const char *s, size_t len)
{
	/* json_stringn validates UTF-8 (it refuses overlong forms,
	 * surrogates and code points past U+10FFFF, as its loader does); a
	 * NUL is refused by its loader unless asked, so it goes to base64. */
	if (!memchr(s, '\0', len)) {
		json_t *j = json_stringn(s, len);
		if (j)
			return j;
	}
	char *enc = base64_encode((const unsigned char *)s, len);
	json_t *o = kwjson_check(json_object());
	kwjson_set(o, "base64", json_string(enc));
	free(enc);
	return o;
}

char *kwjson_decode(const json_t *j, size_t *len)
{
	size_t n;
	char *out;
	if (json_is_string(j)) {
		n = json_string_length(j);
		out = kw_malloc(n + 1);
		memcpy(out, json_string_value(j), n);
		out[n] = '\0';
	} else if (json_is_object(j) && json_object_size(j) == 1) {
		const json_t *v = json_object_get(j, "base64");
		if (!json_is_string(v))
			return NULL;
		out = base64_decode(json_string_value(v), json_string_length(v), &n);
		if (!out)
			return NULL;
	} else {
		return NULL;
	}
	if (len)
		*len = n;
	return out;
}

int kwjson_dump(const json_t *j, FILE *out)
{
	errno = 0;
	if (json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) || fputc('\n', out) == EOF ||
	    ferror(out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

char *kwjson_line(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (!s)
		kw_die(KW_EXIT_SELF, "out of memory (writing JSON)");
	size_t n = strlen(s);
	char *line = kw_malloc(n + 2);
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	free(s);
	return line;
}
