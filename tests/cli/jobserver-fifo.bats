#!/usr/bin/env bats

# The make 4.4 fifo style (a jobserver the test serves itself, preloaded
# with tokens that are not '+'), and MAKEFLAGS that name a jobserver that
# cannot be used: each gives a clear warning and a working link, never a
# hang or a crash.

load helpers
load jobserver-lib
bats_require_minimum_version 1.5.0

setup() {
	require ld.lld mold perl timeout
	make_objects
	probe_script
	cd "$BATS_TEST_TMPDIR"
	unset MAKEFLAGS MFLAGS MAKELEVEL KLINKWRAP_THREADS KLINKWRAP_EXCLUSIVE
	fifo_setup
}

teardown() {
	fifo_teardown
}

@test "fifo: 40 concurrent links take and return the exact bytes" {
	printf 'a\001Z' >&8
	export MAKEFLAGS=" -j4 --jobserver-auth=fifo:$PWD/fifo"
	# The server would run at most 4 at once (3 tokens + 1 slot); run
	# them 4 at a time, each with its own implicit slot.
	seq 40 | KLINKWRAP_THREADS=4 xargs -P4 -I{} sh -c \
		'if [ $(({} % 2)) = 0 ]; then l=ld.lld; else l=mold; fi
		 exec timeout 20 "$KLINKWRAP" --verbose $l -o p{} main.o helper.o -e main' 2>err
	[ "$(grep -c 'gets' err)" -eq 40 ]
	# Tokens were taken as threads...
	grep -qE 'holding [1-3] token\(s\), (lld|mold) gets [2-4] thread' err
	# ...and every byte came back, not '+' in its place.
	[ "$(fifo_content)" = "tokens=3 bytes=015a61" ]
	for i in $(seq 40); do is_elf p$i; done
}

# kill_holding SIG CMD...: run CMD (a wrapped link, --verbose, of "xyz"
# tokens) in the background, its stderr in err.SIG, send it SIG once it
# holds its tokens: it ends by SIG, and every byte is back.
kill_holding() {
	local sig=$1 pid st=0
	shift
	env --default-signal "$@" 2>err.$sig &
	pid=$!
	until grep -q holding err.$sig; do sleep 0.01; done
	kill -$sig $pid
	wait $pid || st=$?
	[ "$st" -eq $((128 + $(kill -l $sig))) ]
	[ "$(fifo_content)" = "tokens=3 bytes=78797a" ]
}

@test "fifo: links killed mid-link and crashing linkers give the bytes back" {
	printf 'xyz' >&8
	export MAKEFLAGS=" -j4 --jobserver-auth=fifo:$PWD/fifo"
	slow_lld slow 0.5
	crashing_lld crash
	local sig
	for sig in TERM INT HUP; do
		kill_holding $sig "$KLINKWRAP" --verbose --threads=4 slow/ld.lld -o out main.o
	done
	[ "$(cat err.* | grep -c 'holding 3 token(s), lld gets 4 thread')" -eq 3 ]
	[ "$(cat err.* | grep -c 'giving back 3 token(s)')" -eq 3 ]
	run -139 "$KLINKWRAP" --threads=4 crash/ld.lld -o out main.o
	[ "$(fifo_content)" = "tokens=3 bytes=78797a" ]
	# A linker that fails, and one that cannot be executed.
	run -1 "$KLINKWRAP" --threads=4 ld.lld -o out main.o -e main
	[ "$(fifo_content)" = "tokens=3 bytes=78797a" ]
	run -127 "$KLINKWRAP" --verbose --threads=4 ./missing/ld.lld -o out main.o
	[[ "$output" == *"holding 3 token(s)"* ]]
	[ "$(fifo_content)" = "tokens=3 bytes=78797a" ]
}

@test "fifo: a logged link of 40 inputs killed mid-link (the log's second thread at work) gives the bytes back" {
	printf 'xyz' >&8
	export MAKEFLAGS=" -j4 --jobserver-auth=fifo:$PWD/fifo"
	slow_lld slow 0.5
	local i objs=() sig
	for i in $(seq 40); do cp helper.o "h$i.o"; objs+=("h$i.o"); done
	for sig in TERM INT; do
		kill_holding $sig "$KLINKWRAP" --verbose --threads=4 --log="$PWD/k.jsonl" \
			--log-inputs=all slow/ld.lld -o out main.o "${objs[@]}"
	done
	# Both links are in the log, ended by their signals, inputs and all.
	jq -e -s 'length == 2 and [.[].signal] == [15, 2] and all(.[]; (.inputs | length) == 41)' k.jsonl
	! pgrep -f "slow/ld.lld -o out" >/dev/null || false
}

@test "fifo removed while a link holds tokens: they still go back to the server" {
	printf 'abc' >&8
	export MAKEFLAGS=" -j4 --jobserver-auth=fifo:$PWD/fifo"
	slow_lld slow 0.5
	"$KLINKWRAP" --verbose --threads=4 slow/ld.lld -o out main.o helper.o -e main 2>err &
	local pid=$!
	until grep -q holding err; do sleep 0.01; done
	rm fifo
	wait $pid
	grep -q 'holding 3 token' err
	# The server reads them from its own end.
	local got
	got=$(timeout 5 perl -e 'use Fcntl; fcntl(STDIN, F_SETFL, O_NONBLOCK); sysread(STDIN, $b, 64); print join("", sort split //, $b)' <&8)
	[ "$got" = abc ]
}

@test "fifo that no server holds: no tokens, no hang" {
	exec 8>&-
	export MAKEFLAGS=" -j4 --jobserver-auth=fifo:$PWD/fifo"
	run --separate-stderr timeout 10 "$KLINKWRAP" --verbose ld.lld -o out main.o helper.o -e main
	[ "$status" -eq 0 ]
	grep -q 'holding 0 token(s), lld gets 1 thread' <<<"$stderr"
	is_elf out
}

@test "jobserver-info with a fifo counts the free tokens and leaves them" {
	printf '++--' >&8
	MAKEFLAGS=" -j5 --jobserver-auth=fifo:$PWD/fifo" run "$KLINKWRAP" jobserver-info
	[ "$status" -eq 0 ]
	[[ "$output" == *"style:       fifo"* ]]
	[[ "$output" == *"fifo:        $PWD/fifo"* ]]
	[[ "$output" == *"free tokens: 4"* ]]
	[ "$(fifo_content)" = "tokens=4 bytes=2b2b2d2d" ]
	MAKEFLAGS=" -j5 --jobserver-auth=fifo:$PWD/fifo" run "$KLINKWRAP" jobserver-info --format=json
	[[ "$output" == *'"free_tokens": 4'* ]]
	run -125 "$KLINKWRAP" jobserver-info --format=yaml
	run -125 "$KLINKWRAP" jobserver-info extra
	# Outside make.
	run "$KLINKWRAP" jobserver-info
	[[ "$output" == *"style:       none"* ]]
}

# bad_input MAKEFLAGS WARNING-REGEX: under MAKEFLAGS, an lld link works,
# warns not at all, leaves lld's threads alone and says why only under
# --verbose; an --exclusive serial link (which needs the jobserver) works
# and warns once as given. An empty regex: a jobserver nobody can see,
# nothing to say. Neither hangs.
bad_input() {
	local -x LC_ALL=C # the bytes of MAKEFLAGS need not be text
	MAKEFLAGS=$1 run --separate-stderr timeout 10 "$KLINKWRAP" --verbose ld.lld -o out main.o helper.o -e main
	echo "MAKEFLAGS=$1: $stderr"
	[ "$status" -eq 0 ]
	is_elf out
	rm out
	refute grep -aq 'warning' <<<"$stderr"
	refute grep -aq 'gets [0-9]* thread' <<<"$stderr"
	if [ -n "$2" ]; then
		[ "$(grep -ac 'klinkwrap: out: jobserver unavailable: .*; threads left to lld$' <<<"$stderr")" -eq 1 ]
	else
		refute grep -aq 'unavailable' <<<"$stderr"
	fi
	MAKEFLAGS=$1 run --separate-stderr timeout 10 "$KLINKWRAP" --exclusive ld -o vmlinux main.o helper.o -e main
	echo "MAKEFLAGS=$1 (exclusive): $stderr"
	[ "$status" -eq 0 ]
	is_elf vmlinux
	rm vmlinux
	if [ -n "$2" ]; then
		[ "$(grep -ac 'klinkwrap: warning: jobserver unavailable: ' <<<"$stderr")" -eq 1 ]
		grep -aqE "$2" <<<"$stderr"
	else
		refute grep -aq 'warning' <<<"$stderr"
	fi
}

@test "bad MAKEFLAGS: garbage, truncated, -2,-2, unknown styles" {
	bad_input ' -j4 --jobserver-auth=-2,-2' "make passed no jobserver \(--jobserver-auth=-2,-2\); running with one slot: add '\+' to the parent make rule"
	bad_input ' -j4 --jobserver-auth=fifo:/x --jobserver-auth=-2,-2' 'make passed no jobserver'
	bad_input ' -j4 --jobserver-auth=' 'unrecognised --jobserver-auth= in MAKEFLAGS'
	bad_input ' -j4 --jobserver-auth=3' 'unrecognised --jobserver-auth=3 in'
	bad_input ' -j4 --jobserver-auth=3,' 'unrecognised'
	bad_input ' -j4 --jobserver-auth=fifo:' 'unrecognised'
	bad_input ' -j4 --jobserver-auth=sem:gmake_semaphore_1234' 'unrecognised --jobserver-auth=sem:'
	bad_input $' -j4 --jobserver-auth=\x01\xff,\xfe' 'unrecognised'
	bad_input ' -j4 --jobserver-auth=99999999999999999999,4' 'unrecognised'
	# No jobserver at all: nothing to say.
	bad_input '' ''
	bad_input 'garbage words -- --jobserver-auth=3,4' ''
	bad_input ' -j' ''
}

@test "bad MAKEFLAGS: fds closed, not pipes, not one pipe, a missing or wrong fifo" {
	bad_input ' -j4 --jobserver-auth=60,61' "the read fd 60 from MAKEFLAGS is closed; running with one slot: add '\+' to the parent make rule"
	bad_input ' -j4 --jobserver-fds=60,61' 'fd 60 from MAKEFLAGS is closed'
	bad_input " -j4 --jobserver-auth=fifo:$PWD/nonexistent" "cannot open the jobserver fifo $PWD/nonexistent: No such file or directory"
	touch regular
	bad_input " -j4 --jobserver-auth=fifo:$PWD/regular" 'is not a fifo'
	# Open fds that are a regular file and /dev/null.
	exec 5<regular 6>/dev/null
	bad_input ' -j4 --jobserver-auth=5,6' 'the read fd 5 from MAKEFLAGS is not a pipe'
	# Two different fifos; a write-only end given as the read end.
	mkfifo f1 f2
	exec 5<>f1 6<>f2
	bad_input ' -j4 --jobserver-auth=5,6' 'not the two ends of one pipe'
	exec 5>&- 6>&-
	exec 5>regular
	bad_input ' -j4 --jobserver-auth=5,8' 'not a pipe'
	exec 5>&- 5<>f1 6>f1
	bad_input ' -j4 --jobserver-auth=6,5' 'the read fd 6 from MAKEFLAGS is not open for reading'
	exec 5>&- 6>&-
}

@test "informational calls and calls without output never touch the jobserver" {
	printf 'abc' >&8
	export MAKEFLAGS=" -j4 --jobserver-auth=fifo:$PWD/fifo"
	run --separate-stderr "$KLINKWRAP" ld.lld --version
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	MAKEFLAGS=' -j4 --jobserver-auth=60,61' run --separate-stderr "$KLINKWRAP" ld.lld --version
	[ -z "$stderr" ]
	[ "$(fifo_content)" = "tokens=3 bytes=616263" ]
}
