/* Lossless JSON strings: every byte string survives a trip through
 * klinkwrap's writer, jansson's loader and kwjson_decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klinkwrap/json.h"

/* Dump S as klinkwrap does, load it back with jansson (default flags,
 * as any reader would) and decode: the exact bytes come back. */
static void round_trip(const char *s, size_t len, int want_plain)
{
	json_t *top = json_array();
	kwjson_append(top, kwjson_stringn(s, len));
	char *text = kwjson_line(top);
	json_decref(top);
	assert_non_null(text);
	assert_non_null(strchr(text, '\n'));
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);

	json_error_t err;
	json_t *back = json_loads(text, 0, &err);
	if (!back)
		fail_msg("jansson refused %s: %s", text, err.text);
	json_t *item = json_array_get(back, 0);
	assert_int_equal(json_is_string(item), want_plain);
	size_t n = 12345;
	char *bytes = kwjson_decode(item, &n);
	assert_non_null(bytes);
	assert_int_equal(n, len);
	assert_memory_equal(bytes, s, len);
	assert_int_equal(bytes[n], '\0');
	free(bytes);
	json_decref(back);
	free(text);
}

static void test_valid_utf8_is_a_plain_string(void **state)
{
	(void)state;
	const char *plain[] = { "", "main", "caf\xc3\xa9", "\xe2\x82\xac\xf0\x9f\x98\x80",
				"tab\tnew\nline\"quote\\", "\x7f", "\xef\xbf\xbf" };
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		round_trip(plain[i], strlen(plain[i]), 1);
	json_t *j = kwjson_string("main");
	assert_string_equal(json_string_value(j), "main");
	json_decref(j);
}

static void test_other_bytes_are_base64(void **state)
{
	(void)state;
	static const struct { const char *s; size_t len; } bad[] = {
		{ "\x80", 1 },                 /* lone continuation byte */
		{ "sym\xff", 4 },
		{ "\xc0\xaf", 2 },             /* overlong '/' */
		{ "\xed\xb2\x80", 3 },         /* a UTF-8-encoded surrogate (U+DC80) */
		{ "\xf4\x90\x80\x80", 4 },     /* past U+10FFFF */
		{ "\xe2\x82", 2 },             /* truncated sequence */
		{ "a\0b", 3 },                 /* a NUL */
		{ "\0", 1 },
		{ "ab\xfe", 3 }, { "abc\xfe", 4 }, { "abcd\xfe", 5 }, /* every padding */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		round_trip(bad[i].s, bad[i].len, 0);
	json_t *j = kwjson_stringn("sym\xff", 4);
	assert_true(json_is_object(j));
	assert_int_equal(json_object_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(j, "base64")), "c3lt/w==");
	json_decref(j);
}

/* Every byte value, alone and in a long string. */
static void test_every_byte(void **state)
{
	(void)state;
	char all[256];
	for (int c = 0; c < 256; c++) {
		all[c] = (char)c;
		round_trip(&all[c], 1, c > 0 && c < 0x80);
	}
	round_trip(all, sizeof(all), 0);
}

static void test_decode_refuses_other_json(void **state)
{
	(void)state;
	const char *bad[] = { "1", "null", "[]", "{}", "{\"base64\": 1}",
			      "{\"base64\": \"c3lt/w==\", \"x\": 1}", "{\"b64\": \"AA==\"}",
			      "{\"base64\": \"c3lt/w=\"}", "{\"base64\": \"c3l=t/w=\"}",
			      "{\"base64\": \"c3lt/x==\"}", /* non-canonical bits */
			      "{\"base64\": \"c3 lt/w==\"}", "{\"base64\": \"=AAA\"}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		json_t *j = json_loads(bad[i], JSON_DECODE_ANY, NULL);
		assert_non_null(j);
		if (kwjson_decode(j, NULL))
			fail_msg("decoded %s", bad[i]);
		json_decref(j);
	}
	json_t *j = json_loads("{\"base64\": \"\"}", 0, NULL);
	size_t n = 1;
	char *s = kwjson_decode(j, &n);
	assert_non_null(s);
	assert_int_equal(n, 0);
	free(s);
	json_decref(j);
}

/* A full disk is reported, never silently ignored. */
static void test_dump_fails_loudly(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	json_t *j = json_pack("{s:s}", "a", "b");
	errno = 0;
	assert_int_equal(kwjson_dump(j, f), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(f);

	char buf[64];
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(kwjson_dump(j, f), 0);
	fclose(f);
	assert_string_equal(buf, "{\n  \"a\": \"b\"\n}\n");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_utf8_is_a_plain_string),
		cmocka_unit_test(test_other_bytes_are_base64),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_decode_refuses_other_json),
		cmocka_unit_test(test_dump_fails_loudly),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
