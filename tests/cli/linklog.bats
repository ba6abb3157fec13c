#!/usr/bin/env bats
# The link log (--log): one whole JSON line per link, under concurrency,
# for records larger than a pipe buffer, and a log that cannot be written
# never fails the link.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require jq make cc ld
	make_objects
	cd "$BATS_TEST_TMPDIR"
}

# valid_lines FILE: the number of lines, failing unless each is one JSON
# object of format version 1.
valid_lines() {
	local n=0 line
	while IFS= read -r line; do
		jq -e 'type == "object" and .v == 1' <<<"$line" >/dev/null ||
			{ echo "not a record: ${line:0:200}" >&2; return 1; }
		n=$((n + 1))
	done <"$1"
	echo "$n"
}

@test "--log: one record with the documented fields, the link unchanged" {
	run "$KLINKWRAP" --log="$PWD/links.jsonl" ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ -x vmlinux ]
	[ "$(valid_lines links.jsonl)" -eq 1 ]
	jq -e --arg cwd "$PWD" '
		.v == 1 and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$")) and
		(.start | type) == "number" and (.host | type) == "string" and
		.cwd == $cwd and .makelevel == null and
		.output == "vmlinux" and .output_rel == "vmlinux" and .class == "serial" and
		.pass == null and .fixpoint_pass == null and
		(.linker | endswith("ld")) and .linker_kind == "bfd" and
		(.argv_hash | test("^[0-9a-f]{32}$")) and .thread_args == [] and
		(has("argv") | not) and
		(.inputs | type) == "array" and (.inputs_incomplete | type) == "boolean" and
		.inputs_hashed == "before" and
		.exit == 0 and .signal == 0 and .sym_status == "ok" and
		(.symhash | test("^[0-9a-f]{32}$")) and .symcount > 0 and
		.wall >= 0 and .lock_wait >= 0 and .token_wait >= 0 and .threads == 0 and
		(.load | length) == 3' links.jsonl
	# The symbol hash is the one `symhash` prints for the output.
	[ "$(jq -r .symhash links.jsonl)" = "$("$KLINKWRAP" symhash vmlinux | cut -d' ' -f1)" ]
}

@test "KLINKWRAP_LOG, --log-argv, the argv hash over the arguments as given" {
	KLINKWRAP_LOG=$PWD/a.jsonl "$KLINKWRAP" --log-argv ld -o app main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/a.jsonl" ld -o app main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/a.jsonl" ld -o app helper.o main.o -e main
	[ "$(valid_lines a.jsonl)" -eq 3 ]
	jq -e -s '.[0].argv == ["ld","-o","app","main.o","helper.o","-e","main"] and
		(.[1] | has("argv") | not) and .[0].class == "plain" and
		(.[0] | has("inputs") | not) and
		.[0].argv_hash == .[1].argv_hash and .[1].argv_hash != .[2].argv_hash' a.jsonl
}

@test "the linker's exit status and failures are recorded, and kept" {
	run "$KLINKWRAP" --log="$PWD/f.jsonl" ld -o vmlinux main.o
	[ "$status" -eq 1 ]  # helper is undefined
	run -127 "$KLINKWRAP" --log="$PWD/f.jsonl" /nonexistent/ld -o vmlinux main.o
	[ "$status" -eq 127 ]
	[ "$(valid_lines f.jsonl)" -eq 2 ]
	jq -e -s '.[0].exit == 1 and .[0].symhash == null and .[0].started == true and
		.[1].exit == 127 and .[1].started == false' f.jsonl
}

@test "--log-inputs=all|none, and a relative output under a subdirectory" {
	mkdir -p sub
	"$KLINKWRAP" --log="$PWD/i.jsonl" --log-inputs=all ld -o ./sub//../sub/app main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/i.jsonl" --log-inputs=none ld -o vmlinux main.o helper.o -e main
	jq -e -s '(.[0].inputs | type) == "array" and .[0].output_rel == "sub/app" and
		.[0].output == "./sub//../sub/app" and (.[1] | has("inputs") | not)' i.jsonl
	run "$KLINKWRAP" --log-inputs=some ld -o app main.o helper.o -e main
	[ "$status" -eq 125 ]
}

@test "50 concurrent links leave exactly 50 valid lines" {
	local i
	{
		printf 'all:'
		for i in $(seq 1 50); do printf ' out%d' "$i"; done
		printf '\nout%%: main.o helper.o\n\t%s --log=%s --log-argv --log-inputs=all ld -o $@ $^ -e main\n' \
			"$KLINKWRAP" "$PWD/c.jsonl"
	} >Makefile
	make -s -j50 all
	[ "$(valid_lines c.jsonl)" -eq 50 ]
	[ "$(jq -r .output c.jsonl | sort -u | wc -l)" -eq 50 ]
}

@test "a record larger than a pipe buffer (thousands of inputs) is whole, also concurrently" {
	local i dir=objects/a-long-directory-name-so-that-the-record-grows-quickly
	mkdir -p "$dir"
	: >empty.c
	cc -c -o empty.o empty.c
	for i in $(seq 1 3000); do ln empty.o "$dir/object-number-$i.o"; done
	ls "$dir"/*.o >objs.txt
	for i in 1 2 3 4; do
		"$KLINKWRAP" --log="$PWD/big.jsonl" --log-argv --log-inputs=all \
			ld -o "vmlinux$i" main.o helper.o -e main $(cat objs.txt) &
	done
	wait
	[ "$(valid_lines big.jsonl)" -eq 4 ]
	# Each line is larger than a pipe buffer (64 KiB), and has all 3000.
	while IFS= read -r line; do
		[ "${#line}" -gt 65536 ]
		[ "$(jq '.argv | length' <<<"$line")" -eq 3007 ]
	done <big.jsonl
}

@test "an unwritable log warns once and the link succeeds" {
	mkdir -p adir
	run "$KLINKWRAP" --log="$PWD/adir" ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ -x vmlinux ]
	[ "$(grep -c 'klinkwrap: warning: link log' <<<"$output")" -eq 1 ]
	run "$KLINKWRAP" --log="$PWD/no/such/dir/log" ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ "$(grep -c 'klinkwrap: warning: link log .*No such file' <<<"$output")" -eq 1 ]
	run "$KLINKWRAP" --log=/dev/full ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ "$(grep -c 'No space left' <<<"$output")" -eq 1 ]
}

@test "a full disk (small tmpfs): warning, the link succeeds, no torn line" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir -p full
	mount -t tmpfs -o size=64k tmpfs full || skip "cannot mount a tmpfs here"
	local i ok=0 warned=0
	# Records of about 20 KiB (--log-argv) until the disk is full.
	for i in $(seq 1 12); do
		run "$KLINKWRAP" --log="$PWD/full/log" --log-argv ld -o vmlinux main.o helper.o -e main \
			--defsym=$(printf 'x%.0s' $(seq 1 20000))=0
		[ "$status" -eq 0 ] || { umount full; false; }
		case $output in *"warning: link log"*) warned=$((warned + 1)) ;; esac
	done
	local lines; lines=$(valid_lines full/log) || { umount full; false; }
	umount full
	[ "$warned" -ge 1 ]
	[ "$lines" -ge 1 ]
	[ $((lines + warned)) -eq 12 ]
}

@test "--snapshot-dir keeps one canonical list per symbol set, named by its hash" {
	"$KLINKWRAP" --log="$PWD/s.jsonl" --snapshot-dir=snaps ld -o vmlinux main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/s.jsonl" --snapshot-dir=snaps ld -o vmlinux main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/s.jsonl" --snapshot-dir=snaps ld -o app main.o helper.o -e main
	local hash; hash=$(jq -r -s '.[0].symhash' s.jsonl)
	[ "$(ls snaps)" = "$hash.syms" ]
	jq -e -s --arg f "$PWD/snaps/$hash.syms" '.[0].snapshot == $f and .[1].snapshot == $f and
		.[2].snapshot == null' s.jsonl
	grep -q ' T main$' "snaps/$hash.syms"
	grep -q ' T helper$' "snaps/$hash.syms"
	[ "$(wc -l <"snaps/$hash.syms")" -eq "$(jq -r '.[0].symcount' -s s.jsonl)" ]
}

@test "paths that are not UTF-8 are recorded losslessly" {
	local out=$'vm\xfflinux'
	"$KLINKWRAP" --log="$PWD/u.jsonl" ld -o "$out" main.o helper.o -e main
	[ "$(jq -r '.output.base64' u.jsonl | base64 -d)" = "$out" ]
}
