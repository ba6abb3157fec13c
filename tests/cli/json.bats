#!/usr/bin/env bats

# JSON output (issue 8 item 9): names and paths that are not valid UTF-8
# are encoded losslessly ({"base64": ...}), no row is ever dropped, and a
# failed write is an error, never exit 0.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require jq objcopy base64
	make_objects
	cd "$BATS_TEST_TMPDIR"
	# Two symbols whose names are not UTF-8: 'hel\xffper' and 'oth\x80'.
	objcopy --redefine-sym helper=$'hel\xffper' --redefine-sym square=$'squ\x80' \
		helper.o bad.o
	ld -r -o bad-prog.o main.o bad.o
}

# b64 BYTES: the standard base64 of BYTES, as klinkwrap writes it.
b64() { printf '%s' "$1" | base64 -w0; }

@test "syms --format=json keeps every symbol; other bytes become {\"base64\": ...}" {
	text=$("$KLINKWRAP" syms bad-prog.o | wc -l)
	run -0 --separate-stderr "$KLINKWRAP" syms --format=json bad-prog.o
	[ "$(echo "$output" | jq '.symbols | length')" -eq "$text" ]
	[ "$text" -eq "$(nm bad-prog.o | wc -l)" ]
	want=$(b64 $'hel\xffper')
	echo "$output" | jq -e --arg w "$want" '[.symbols[] | select(.name == {base64: $w})] | length == 1'
	echo "$output" | jq -e --arg w "$(b64 $'squ\x80')" '[.symbols[].name] | index({base64: $w}) != null'
	# Valid names stay plain strings.
	echo "$output" | jq -e '[.symbols[].name] | index("main") != null'
	# The bytes come back exactly.
	echo "$output" | jq -r --arg w "$want" '.symbols[] | select(.name == {base64: $w}) | .name.base64' |
		base64 -d | cmp - <(printf 'hel\xffper')
}

@test "syms --format=json: a section name that is not UTF-8 is encoded too" {
	objcopy --rename-section .text=$'.te\xfext' helper.o badsec.o
	run -0 "$KLINKWRAP" syms --format=json badsec.o
	echo "$output" | jq -e --arg w "$(b64 $'.te\xfext')" \
		'.symbols | map(select(.name == "helper"))[0].section == {base64: $w}'
}

@test "symdiff --format=json: the rows equal the summary's counts" {
	run -1 "$KLINKWRAP" symdiff --format=json helper.o bad.o
	echo "$output" | jq -e '.summary.added == 2 and .summary.removed == 2'
	echo "$output" | jq -e '(.rows | length) == .summary.added + .summary.removed'
	echo "$output" | jq -e '[.rows[] | select(.kind == ["added"])] | length == 2'
	echo "$output" | jq -e --arg w "$(b64 $'hel\xffper')" '[.rows[].name] | index({base64: $w}) != null'
	run -1 "$KLINKWRAP" symdiff helper.o bad.o
	[[ "${lines[0]}" == "add/remove: 2/2 "* ]]
}

@test "symhash --format=json on a file name that is not UTF-8" {
	cp helper.o $'h\xe9.o'
	run -0 "$KLINKWRAP" symhash --format=json $'h\xe9.o' helper.o
	echo "$output" | jq -e 'length == 2'
	echo "$output" | jq -e --arg w "$(b64 $'h\xe9.o')" '.[0].file == {base64: $w} and (.[0].hash | length) == 32'
	echo "$output" | jq -e '.[1].file == "helper.o"'
	# A file that cannot be read keeps its row, with the error.
	run -2 --separate-stderr "$KLINKWRAP" symhash --format=json $'missing\xff'
	echo "$output" | jq -e --arg w "$(b64 $'missing\xff')" '.[0].file == {base64: $w} and .[0].error != null'
	run -0 "$KLINKWRAP" symdiff --format=json $'h\xe9.o' helper.o
	echo "$output" | jq -e --arg w "$(b64 $'h\xe9.o')" '.old == {base64: $w} and .same'
}

@test "jobserver-info --format=json: MAKEFLAGS and paths that are not UTF-8" {
	MAKEFLAGS=$' -j2 --jobserver-auth=fifo:/nonexistent/\xff' run -0 "$KLINKWRAP" jobserver-info --format=json
	echo "$output" | jq -e --arg w "$(b64 '/nonexistent/'$'\xff')" '.fifo == {base64: $w}'
	echo "$output" | jq -e '.makeflags | type == "object"'
}

@test "a failed write of the output is an error: 125, or 2 for symdiff" {
	[ -w /dev/full ] || skip "no /dev/full"
	for fmt in text json; do
		run -125 --separate-stderr sh -c '"$0" symhash --format='$fmt' helper.o >/dev/full' "$KLINKWRAP"
		[[ "$stderr" == "klinkwrap: writing to standard output failed: No space left on device" ]]
		run -125 --separate-stderr sh -c '"$0" syms --format='$fmt' bad-prog.o >/dev/full' "$KLINKWRAP"
		[[ "$stderr" == "klinkwrap: writing to standard output failed"* ]]
		run -2 --separate-stderr sh -c '"$0" symdiff --format='$fmt' helper.o bad.o >/dev/full' "$KLINKWRAP"
		[[ "$stderr" == "klinkwrap: writing to standard output failed"* ]]
		run -125 --separate-stderr sh -c '"$0" jobserver-info --format='$fmt' >/dev/full' "$KLINKWRAP"
		[[ "$stderr" == "klinkwrap: writing to standard output failed"* ]]
	done
}
