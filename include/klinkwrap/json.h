/* JSON that klinkwrap writes and reads back: one lossless encoding for
 * strings that may not be valid UTF-8 (file paths, symbol names), used by
 * every JSON output, and output that fails loudly. The scheme is
 * documented in doc/klinkwrap.1 (JSON):
 *
 *   bytes that are valid UTF-8 and hold no NUL  ->  a JSON string
 *   any other bytes                             ->  {"base64": "..."}
 *     (RFC 4648 standard alphabet, with '=' padding, of the exact bytes)
 *
 * jansson loads both forms (it refuses lone surrogates such as \uDC80, so
 * a surrogate-escape scheme could not be read back). */
#ifndef KLINKWRAP_JSON_H
#define KLINKWRAP_JSON_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/* S (NUL-terminated) as JSON, losslessly: never NULL. */
json_t *kwjson_string(const char *s);
/* The same for LEN bytes (may hold NULs). */
json_t *kwjson_stringn(const char *s, size_t len);
/* Decode what kwjson_string made: the bytes (malloc'd, NUL-terminated,
 * *len without the NUL when LEN is not NULL), or NULL when J is neither
 * form (not a string, not an object whose one member "base64" is valid
 * padded base64). */
char *kwjson_decode(const json_t *j, size_t *len);

/* Building that cannot fail: jansson's NULL or -1 (out of memory) is
 * klinkwrap's own failure (exit 125 with a message), as in kw_malloc.
 * kwjson_check returns J; kwjson_set and kwjson_append take VALUE's
 * reference, as json_object_set_new and json_array_append_new do. */
json_t *kwjson_check(json_t *j);
void kwjson_set(json_t *object, const char *key, json_t *value);
void kwjson_append(json_t *array, json_t *value);

/* Write J to OUT, indented by 2, members in insertion order, with a final
 * newline. Returns 0, or -1 with errno set when writing failed (a full
 * disk: the caller reports it). Output is not flushed. */
int kwjson_dump(const json_t *j, FILE *out);
/* J as one compact line ending in "\n" (a log record, written with one
 * write()): malloc'd, never NULL. */
char *kwjson_line(const json_t *j);

#endif
