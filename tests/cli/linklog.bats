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
# object of format version 2.
valid_lines() {
	local n=0 line
	while IFS= read -r line; do
		jq -e 'type == "object" and .v == 2 and (.kind == "link" or .kind == "regen")' <<<"$line" >/dev/null ||
			{ echo "not a record: ${line:0:200}" >&2; return 1; }
		n=$((n + 1))
	done <"$1"
	echo "$n"
}

@test "--log: one record with the documented fields, the link unchanged" {
	# Outside make (make check itself runs under make: MAKELEVEL is set).
	run env -u MAKELEVEL "$KLINKWRAP" --log="$PWD/links.jsonl" ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ -x vmlinux ]
	[ "$(valid_lines links.jsonl)" -eq 1 ]
	jq -e --arg cwd "$PWD" '
		.v == 2 and .kind == "link" and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$")) and
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
	# Under make, the make level is recorded.
	MAKELEVEL=2 "$KLINKWRAP" --log="$PWD/level.jsonl" ld -o vmlinux main.o helper.o -e main
	jq -e '.makelevel == 2' level.jsonl
}

@test "--verbose --log: the log's own cost, its input count and record size as written" {
	# 40 inputs: the inputs are encoded by the second thread while ld runs.
	local i objs=()
	for i in $(seq 40); do
		printf 'int f%d(void) { return %d; }\n' "$i" "$i" >"f$i.c"
		cc -c -o "f$i.o" "f$i.c"
		objs+=("f$i.o")
	done
	run --separate-stderr "$KLINKWRAP" --verbose --log="$PWD/v.jsonl" --log-inputs=all \
		ld -o app main.o helper.o "${objs[@]}" -e main
	[ "$status" -eq 0 ]
	echo "$stderr"
	local re='^klinkwrap: app: link log: ([0-9]+) input\(s\) hashed in [0-9]+\.[0-9]{3} ms before the link, a record of ([0-9]+) bytes written in [0-9]+\.[0-9]{3} ms after it$'
	[[ ${stderr_lines[1]} =~ $re ]]
	[ "${BASH_REMATCH[1]}" -eq 42 ]
	[ "$(jq '.inputs | length' v.jsonl)" -eq 42 ]
	[ "${BASH_REMATCH[2]}" -eq "$(wc -c <v.jsonl)" ]
	[[ ${stderr_lines[0]} == "klinkwrap: app: "*" exited 0 after "* ]]
	# The record is what the encoder gives, inputs and all.
	jq -e '[.inputs[].path] == ["main.o", "helper.o"] + [range(1; 41) | "f\(.).o"] and
		all(.inputs[]; .changed == false and (.hash | test("^[0-9a-f]{32}$")))' v.jsonl
	[ "$(jq -r '.inputs[2].hash' v.jsonl)" = "$(/usr/bin/python3 -c 'import sys, xxhash; print(xxhash.xxh3_128_hexdigest(open(sys.argv[1], "rb").read()))' f1.o)" ]
	# A log that cannot be written: one warning, and the line says so.
	run --separate-stderr "$KLINKWRAP" --verbose --log="$PWD/no/such/dir/v.jsonl" ld -o app main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ $stderr == *"not written: cannot open: No such file or directory"* ]]
	[[ $stderr =~ link\ log:\ no\ input\ hashed\ \(--log-inputs=serial\),\ a\ record\ of\ [0-9]+\ bytes\ not\ written\ in ]]
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

@test "the wrapper opens the inputs only for the log's input hashes, each once" {
	require strace
	# strace without -f: klinkwrap's own system calls, not the linker's
	# ('?open': architectures without open(2) have only openat).
	# (LeakSanitizer cannot run under ptrace.)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	strace -o plain.trace -e trace='?open,openat' "$KLINKWRAP" ld -o app main.o helper.o -e main
	[ "$(grep -cE '"(main|helper)\.o"' plain.trace)" -eq 0 ]
	grep -q '"app"' plain.trace   # the output's symbol set is still hashed
	# A log that records no inputs of this (plain) link: none opened.
	strace -o serial.trace -e trace='?open,openat' "$KLINKWRAP" --log="$PWD/s.jsonl" \
		--log-inputs=serial ld -o app main.o helper.o -e main
	[ "$(grep -cE '"(main|helper)\.o"' serial.trace)" -eq 0 ]
	jq -e 'has("inputs") | not' s.jsonl
	strace -o logged.trace -e trace='?open,openat' "$KLINKWRAP" --log="$PWD/o.jsonl" \
		--log-inputs=all ld -o app main.o helper.o -e main
	[ "$(grep -cE '"main\.o"' logged.trace)" -eq 1 ]
	[ "$(grep -cE '"helper\.o"' logged.trace)" -eq 1 ]
	jq -e '[.inputs[].path] == ["main.o", "helper.o"]' o.jsonl
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
		[ "$(jq '[.inputs[] | select(.size != null)] | length' <<<"$line")" -eq 3002 ]
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

# race_build DIR JOBS [MAKE-ARGS...]: build the race fixture in DIR with
# make -jJOBS through klinkwrap, logging to DIR/log.
race_build() {
	local dir=$1 jobs=$2
	shift 2
	rm -rf "$dir"
	cp -R "$KW_ROOT/tests/fixtures/race" "$dir"
	KLINKWRAP_LOG=$dir/log KLINKWRAP_LOG_INPUTS=all KLINKWRAP_SNAPSHOT_DIR=$dir/snaps \
		KLINKWRAP_SERIAL=app make -s -C "$dir" -j"$jobs" LD="$KLINKWRAP ld" "$@"
}

@test "log show: serial links, totals; json; a bad log is exit 2 with the line" {
	"$KLINKWRAP" --log="$PWD/l" ld -o .tmp_vmlinux.kallsyms1 main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/l" ld -o .tmp_vmlinux.kallsyms2 main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/l" ld -o helper main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/l" ld -o vmlinux main.o || true
	run "$KLINKWRAP" log show l
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[0]} == ".tmp_vmlinux.kallsyms1  pass 1  "*"exit 0  symhash "* ]]
	[[ ${lines[1]} == ".tmp_vmlinux.kallsyms2  pass 2  "* ]]
	[[ ${lines[2]} == "vmlinux  "*"exit 1  symhash - "* ]]
	[[ ${lines[3]} == "4 links (3 serial), 1 failed, link time "*", waiting for tokens "*", for locks "* ]]
	run "$KLINKWRAP" log show --format=json l
	[ "$status" -eq 0 ]
	jq -e '(.serial | length) == 3 and .totals.links == 4 and .totals.failed == 1' <<<"$output"
	head -c 100 l >cut
	run "$KLINKWRAP" log show cut
	[ "$status" -eq 2 ]
	[[ $output == *"cut: line 1 is truncated"* ]]
	run "$KLINKWRAP" log show --format=xml l
	[ "$status" -eq 125 ]
}

@test "log show --format=trace of a make -j4 run: trace events, no overlap on a track, spans the wall time" {
	local i
	{
		printf 'all:'
		for i in $(seq 1 12); do printf ' out%d' "$i"; done
		printf '\nout%%: main.o helper.o\n\t%s --log=%s ld -o $@ $^ -e main\n' "$KLINKWRAP" "$PWD/t.jsonl"
		printf 'out1 out5: main.o helper.o\n\t%s --log=%s ld -o $@ $^ -e main\n' "$KLINKWRAP" "$PWD/t.jsonl"
	} >Makefile
	make -s -j4 all
	run "$KLINKWRAP" log show --format=trace t.jsonl
	[ "$status" -eq 0 ]
	echo "$output" >trace.json
	# Every event has the fields the trace event format requires.
	jq -e '.traceEvents | length > 0 and all(.[]; has("name") and .ph == "X" and
		(.ts | type) == "number" and (.dur | type) == "number" and
		(.pid | type) == "number" and (.tid | type) == "number")' trace.json
	# One link event per record, each at least as long as its wall time.
	[ "$(jq '[.traceEvents[] | select(.cat == "plain")] | length' trace.json)" -eq 12 ]
	jq -e '[.traceEvents[] | select(.cat == "plain") | .dur >= (.args.wall * 1e6 | floor)] | all' trace.json
	# Link events on one track never overlap.
	jq -e '[.traceEvents[] | select(.cat == "plain")] | group_by(.tid) |
		all(sort_by(.ts) | [range(1; length) as $i | .[$i - 1].ts + .[$i - 1].dur <= .[$i].ts] | all)' trace.json
	# Nested events lie inside their link's event on the same track.
	jq -e '[.traceEvents as $e | $e[] | select(.cat == "plain") as $l |
		$e[] | select(.cat == "run" and .tid == $l.tid and .ts >= $l.ts and .ts < $l.ts + $l.dur) |
		.ts + .dur <= $l.ts + $l.dur] | all' trace.json
}

@test "log diff: a truncated, garbage or wrong-version log is exit 2 with a clear message" {
	"$KLINKWRAP" --log="$PWD/a" ld -o vmlinux main.o helper.o -e main
	head -c 50 a >truncated
	echo 'not json at all' >garbage
	sed 's/^{"v":2,/{"v":7,/' a >v7
	run "$KLINKWRAP" log diff a truncated
	[ "$status" -eq 2 ]
	[[ $output == *"truncated: line 1 is truncated (no newline at its end"* ]]
	run "$KLINKWRAP" log diff garbage a
	[ "$status" -eq 2 ]
	[[ $output == *"garbage: line 1 is not a link log record"* ]]
	run "$KLINKWRAP" log diff a v7
	[ "$status" -eq 2 ]
	[[ $output == *"v7: line 1 is link log format version 7; this klinkwrap reads versions 1 to 2 (a newer klinkwrap wrote it"* ]]
	run "$KLINKWRAP" log diff a
	[ "$status" -eq 125 ]
	run "$KLINKWRAP" log diff a a
	[ "$status" -eq 0 ]
}

@test "log diff: the race fixture at -j1 and -j8 differs at app, input main.o; fixed, the same" {
	race_build "$PWD/j1" 1
	race_build "$PWD/j8" 8
	run "$KLINKWRAP" log diff j1/log j8/log
	[ "$status" -eq 1 ]
	[[ ${lines[2]} == "roots: A $PWD/j1, B $PWD/j8" ]]
	[[ $output == *"first divergent link: app"* ]]
	# The snapshots show the symbol the race took away.
	[[ $output == *"symbols (snapshots): add/remove: 0/1"* ]]
	[[ $output == *"- feature_table"* ]]
	run "$KLINKWRAP" log diff --format=json j1/log j8/log
	[ "$status" -eq 1 ]
	jq -e '.same == false and .first.output == "app" and
		(.first.symdiff.removed == ["feature_table"])' <<<"$output"
	# The cause: the input that raced, main.o (config.h is no input of a link).
	jq -e '.first.reason == "inputs" and [.first.inputs[].path] == ["main.o"]' <<<"$output"
	[[ $(jq -r .first.explanation <<<"$output") == "1 input differ: a race or nondeterminism upstream of this link" ]]
	race_build "$PWD/f1" 1 FIXED=1
	race_build "$PWD/f8" 8 FIXED=1
	run "$KLINKWRAP" log diff f1/log f8/log
	[ "$status" -eq 0 ]
	[[ $output == *"same: "* ]]
}

# set_inputs LOG JSON: give every record of LOG the input list JSON.
set_inputs() {
	jq -c --argjson in "$2" '.inputs = $in | .inputs_incomplete = false' "$1" >"$1.new"
	mv "$1.new" "$1"
}

@test "log diff reasons: inputs, nondeterministic link, version objects, passes, one-sided links, argv last" {
	"$KLINKWRAP" --log="$PWD/a" ld -o .tmp_vmlinux.kallsyms1 main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/a" ld -o vmlinux main.o helper.o -e main
	cp a b
	local x='{"path":"main.o","kind":"object","size":10,"hash":"aa","changed":false}'
	local y='{"path":"main.o","kind":"object","size":10,"hash":"bb","changed":true}'
	set_inputs a "[$x]"
	set_inputs b "[$y]"
	run "$KLINKWRAP" log diff a b
	[ "$status" -eq 1 ]
	[[ $output == *"first divergent link: .tmp_vmlinux.kallsyms1"*"1 input differ: a race"* ]]
	[[ $output == *"main.o: A 10 bytes aa, B 10 bytes bb (changed while the link ran)"* ]]
	[[ $output == *"race caught in the act"* ]]
	# Same inputs, other symbol set: a nondeterministic link.
	set_inputs b "[$x]"
	jq -c 'if .output == "vmlinux" then .symhash = "00" else . end' b >b2
	run "$KLINKWRAP" log diff a b2
	[ "$status" -eq 1 ]
	[[ $output == *"first divergent link: vmlinux"*"identical inputs but a different output symbol set"* ]]
	# Only the version object differs: the pins are named.
	local v1='{"path":"init/version-timestamp.o","kind":"object","size":1,"hash":"01","changed":false}'
	local v2='{"path":"init/version-timestamp.o","kind":"object","size":1,"hash":"02","changed":false}'
	set_inputs a "[$x,$v1]"
	set_inputs b "[$x,$v2]"
	run "$KLINKWRAP" log diff a b
	[ "$status" -eq 1 ]
	[[ $output == *"KBUILD_BUILD_TIMESTAMP"* ]]
	# A pass in one build only; a link in one build only.
	set_inputs b "[$x,$v1]"
	"$KLINKWRAP" --log="$PWD/b" ld -o .tmp_vmlinux.kallsyms2 main.o helper.o -e main
	run "$KLINKWRAP" log diff a b
	[ "$status" -eq 1 ]
	[[ $output == *"first divergent link: .tmp_vmlinux.kallsyms2"*"kallsyms passes: 1 in A, 2 in B"* ]]
	# Only the command differs: reported, and last.
	head -2 b | jq -c '.argv_hash = "ff"' >c
	run "$KLINKWRAP" log diff --format=json a c
	[ "$status" -eq 1 ]
	jq -e '.first.reason == "argv" and (.differences | length) == 2' <<<"$output"
}

@test "log diff: builds in other directories align by root; --root-a/--root-b" {
	mkdir -p one/sub two/sub
	cp main.o helper.o one/sub/
	cp main.o helper.o two/sub/
	(cd one && "$KLINKWRAP" --log="$PWD/../la" ld -o sub/app sub/main.o sub/helper.o -e main)
	(cd two/sub && "$KLINKWRAP" --log="$PWD/../../lb" ld -o app main.o helper.o -e main)
	# Roots one and two/sub: sub/app in A, app in B, two one-sided links.
	run "$KLINKWRAP" log diff --format=json la lb
	[ "$status" -eq 1 ]
	jq -e '.aligned == 0 and ([.differences[].reason] == ["only-in-a", "only-in-b"])' <<<"$output"
	# Both rooted above sub: aligned, and only the command (relative
	# paths that differ) tells them apart, which comes last.
	run "$KLINKWRAP" log diff --root-a="$PWD/one" --root-b="$PWD/two" la lb
	[ "$status" -eq 1 ]
	[[ ${lines[2]} == "roots: A $PWD/one, B $PWD/two" ]]
	[[ ${lines[3]} == "links: A 1, B 1, aligned 1; kallsyms passes: A 0, B 0" ]]
	[[ $output == *"first divergent link: sub/app"*"a different command (argv hash)"* ]]
	(cd two && "$KLINKWRAP" --log="$PWD/../lc" ld -o sub/app sub/main.o sub/helper.o -e main)
	run "$KLINKWRAP" log diff la lc
	[ "$status" -eq 0 ]
}

# converge_log LOG REGEN: converge the serial link of vmlinux (a plain
# native one: its symbol set never changes, so two links) with REGEN,
# logging to LOG; status in $status.
converge_log() {
	run "$KLINKWRAP" converge --quiet --log="$PWD/$1" --regen="$2" -- \
		ld -o vmlinux main.o helper.o -e main
}

@test "converge --log: link, regen, link in order with their passes; a failing CMD is logged with its status" {
	converge_log c.jsonl 'echo "$KLINKWRAP_PASS" >>passes'
	[ "$status" -eq 0 ]
	[ "$(valid_lines c.jsonl)" -eq 3 ]
	jq -e -s --arg cwd "$PWD" '[.[].kind] == ["link", "regen", "link"] and
		[.[].fixpoint_pass] == [1, 2, 2] and
		(.[1] | .v == 2 and .by == "converge" and .cwd == $cwd and
		 .output == "vmlinux" and .output_rel == "vmlinux" and
		 .command == ["sh", "-c", "echo \"$KLINKWRAP_PASS\" >>passes"] and
		 .exit == 0 and .signal == 0 and .started == true and .object == null and
		 .padded == null and .wall >= 0 and (.host | type) == "string" and
		 (.time | test("^[0-9]{4}-.*Z$")) and has("makelevel") and
		 .start >= $first.start) and
		# Not a link: none of the fields a reader of links keys on.
		(.[1] | has("class") or has("argv_hash") or has("linker") or has("argv") | not) and
		.[0].pid == .[1].pid and .[1].pid == .[2].pid' --argjson first "$(head -1 c.jsonl)" c.jsonl
	# The regen step ran after the first link ended and before the second began.
	jq -e -s '.[0].start + .[0].wall <= .[1].start and .[1].start + .[1].wall <= .[2].start' c.jsonl
	[ "$(cat passes)" = 1 ]
	# A failing CMD: exit 125 from converge, the step logged with its status.
	converge_log f.jsonl 'exit 3'
	[ "$status" -eq 125 ]
	jq -e -s '[.[].kind] == ["link", "regen"] and .[1].exit == 3 and .[1].signal == 0 and
		.[1].fixpoint_pass == 2' f.jsonl
	converge_log k.jsonl 'kill -KILL $$'
	[ "$status" -eq 125 ]
	jq -e -s '.[1].exit == 137 and .[1].signal == 9 and .[1].started == true' k.jsonl
	# An unwritable log: one warning per record, nothing fails.
	mkdir -p adir
	run "$KLINKWRAP" converge --quiet --log="$PWD/adir" --regen=true -- ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ "$(grep -c 'klinkwrap: warning: link log .*: regeneration record of vmlinux not written' <<<"$output")" -eq 1 ]
}

@test "log show lists regen steps: text under their link, json, trace events on their process's track" {
	converge_log c.jsonl true
	converge_log c.jsonl 'exit 4'
	"$KLINKWRAP" --log="$PWD/c.jsonl" ld -o app main.o helper.o -e main
	run "$KLINKWRAP" log show c.jsonl
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[[ ${lines[0]} == "vmlinux  fixed-point pass 1  "*"exit 0  symhash "* ]]
	[[ ${lines[1]} == "  regen for fixed-point pass 2: sh -c true  exit 0  wall "*" s" ]]
	[[ ${lines[2]} == "vmlinux  fixed-point pass 2  "* ]]
	[[ ${lines[3]} == "vmlinux  fixed-point pass 1  "* ]]
	[[ ${lines[4]} == "  regen for fixed-point pass 2: sh -c 'exit 4'  exit 4  wall "* ]]
	# Totals: links as before (the regen steps' time apart from the link time).
	[[ ${lines[5]} == "4 links (3 serial), 0 failed, link time "*", waiting for tokens "*", for locks "* ]]
	[[ ${lines[6]} == "2 regeneration steps, 1 failed, regeneration time "*" s (not in the link time)" ]]
	run "$KLINKWRAP" log show --format=json c.jsonl
	[ "$status" -eq 0 ]
	jq -e '(.serial | length) == 3 and .totals.links == 4 and .totals.failed == 0 and
		.totals.regens == 2 and .totals.regen_failed == 1 and .totals.regen_time >= 0 and
		[.regens[] | .kind] == ["regen", "regen"] and [.regens[].exit] == [0, 4]' <<<"$output"
	run "$KLINKWRAP" log show --format=trace c.jsonl
	[ "$status" -eq 0 ]
	echo "$output" >trace.json
	jq -e '.traceEvents | length > 0 and all(.[]; (.name | type) == "string" and .ph == "X" and
		(.ts | type) == "number" and (.dur | type) == "number" and .dur >= 0 and
		(.pid | type) == "number" and (.tid | type) == "number")' trace.json
	jq -e '[.traceEvents[] | select(.cat == "regen")] | length == 2 and
		.[0].name == "regen for pass 2" and .[0].args.exit == 0 and .[1].args.exit == 4 and
		.[0].args.command == ["sh", "-c", "true"]' trace.json
	# A converge's links and regen step share one track; the top-level
	# events of a track never overlap.
	jq -e '[.traceEvents[] | select(.cat != "run" and .cat != "wait")] as $t |
		($t | sort_by(.ts) | .[0:3] | map(.tid) | unique | length) == 1 and
		($t | group_by(.tid) | all(sort_by(.ts) |
			[range(1; length) as $i | .[$i - 1].ts + .[$i - 1].dur <= .[$i].ts] | all))' trace.json
}

@test "log diff: logs differing only in a regen step's status name it, after the links" {
	converge_log a.jsonl true
	jq -c 'if .kind == "regen" then .exit = 3 else . end' a.jsonl >b.jsonl
	run "$KLINKWRAP" log diff a.jsonl a.jsonl
	[ "$status" -eq 0 ]
	[[ $output == *"regeneration steps: A 1, B 1, aligned 1"* ]]
	run "$KLINKWRAP" log diff a.jsonl b.jsonl
	[ "$status" -eq 1 ]
	[[ ${lines[3]} == "links: A 2, B 2, aligned 2; kallsyms passes: A 0, B 0" ]]
	[[ $output == *"different: 0 links, 1 regeneration step"* ]]
	[[ $output == *"first divergent regeneration step: vmlinux (regeneration for fixed-point pass 2)"* ]]
	[[ $output == *"ended differently: exit 0 in A, exit 3 in B"* ]]
	run "$KLINKWRAP" log diff --format=json a.jsonl b.jsonl
	[ "$status" -eq 1 ]
	jq -e '.first.kind == "regen" and .first.reason == "regen-status" and
		.first.fixpoint_pass == 2 and .first.exit_a == 0 and .first.exit_b == 3 and
		.aligned == 2 and .regens_aligned == 1' <<<"$output"
	# A link that differs too comes first; the step after it.
	jq -c 'if .kind == "link" and .fixpoint_pass == 2 then .exit = 1 else . end' b.jsonl >c.jsonl
	run "$KLINKWRAP" log diff --format=json a.jsonl c.jsonl
	[ "$status" -eq 1 ]
	jq -e '.first.kind == "link" and .first.reason == "exit" and
		[.differences[].reason] == ["exit", "regen-status"]' <<<"$output"
}

@test "a log of format version 1 (no kind, no regen records) is still read; an unknown kind is exit 2" {
	"$KLINKWRAP" --log="$PWD/a" ld -o vmlinux main.o helper.o -e main
	"$KLINKWRAP" --log="$PWD/a" ld -o app main.o helper.o -e main
	# What klinkwrap wrote before version 2: the same link fields, no kind.
	jq -c 'del(.kind) | .v = 1' a >v1
	run "$KLINKWRAP" log show v1
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "vmlinux  "*" inputs  exit 0  symhash "* ]]
	[[ ${lines[1]} == "2 links (1 serial), 0 failed, link time "* ]]
	run "$KLINKWRAP" log show --format=trace v1
	[ "$status" -eq 0 ]
	run "$KLINKWRAP" log diff v1 a
	[ "$status" -eq 0 ]
	# A log that mixes both (an older klinkwrap appended to it) too.
	cat v1 a >mixed
	run "$KLINKWRAP" log show --format=json mixed
	[ "$status" -eq 0 ]
	jq -e '.totals.links == 4' <<<"$output"
	jq -c '.kind = "relink"' a >unknown
	run "$KLINKWRAP" log show unknown
	[ "$status" -eq 2 ]
	[[ $output == *"unknown: line 1: a format version 2 record of unknown kind"* ]]
}
