/* JSON that klinkwrap writes and reads back: one lossless encoding for
 * strings that may not be valid UTF-8 (file paths, symbol names), used by
 * every JSON output, and output that fails loudly. The scheme is
 * documented in doc/klinkwrap.1 (JSON). */
#ifndef KLINKWRAP_JSON_H
#define KLINKWRAP_JSON_H

#include <stdio.h>
#include <jansson.h>

/* S (NUL-terminated) as JSON, losslessly: never NULL. */
json_t *kwjson_string(const char *s);
/* The same for LEN bytes (may hold NULs). */
json_t *kwjson_stringn(const char *s, size_t len);
/* Decode what kwjson_string made: the bytes (malloc'd, NUL-terminated,
 * *len without the NUL when LEN is not NULL), or NULL when J is neither
 * form. */
char *kwjson_decode(const json_t *j, size_t *len);

#endif
