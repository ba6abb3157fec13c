#!/usr/bin/env bats

# Settings and options: bad environment values (issue 8 item 3), the
# getopt_long value rule and the linker-word note (item 5), range errors
# (item 6), and the one option rule of every subcommand (item 12).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	make_objects
	cd "$BATS_TEST_TMPDIR"
	unset KLINKWRAP_VERBOSE KLINKWRAP_THREADS KLINKWRAP_SERIAL KLINKWRAP_EXCLUSIVE \
		KLINKWRAP_EXCLUSIVE_WAIT KLINKWRAP_SYMHASH
}

@test "a bad environment value overridden on the command line is no error" {
	KLINKWRAP_THREADS=banana run -0 --separate-stderr "$KLINKWRAP" --threads=4 \
		ld -o out main.o helper.o -e main
	[ -z "$stderr" ]
	KLINKWRAP_VERBOSE=perhaps run -0 --separate-stderr "$KLINKWRAP" --no-verbose \
		ld -o out main.o helper.o -e main
	[ -z "$stderr" ]
	# Not overridden: the link refuses it, the linker never runs.
	KLINKWRAP_THREADS=banana run -125 "$KLINKWRAP" ld -o out2 main.o helper.o -e main
	[ "$output" = "klinkwrap: KLINKWRAP_THREADS: expected auto|off|N (N from 1 to 1024), got 'banana'" ]
	[ ! -e out2 ]
}

@test "--help and --show-config never fail on a bad environment value" {
	KLINKWRAP_THREADS=banana run -0 --separate-stderr "$KLINKWRAP" --help
	[[ "$output" == *"usage: klinkwrap"* ]]
	[ -z "$stderr" ]
	KLINKWRAP_THREADS=banana run -0 --separate-stderr "$KLINKWRAP" --show-config
	[ -z "$stderr" ]
	[[ "$output" == *"threads"*"= banana  (environment KLINKWRAP_THREADS: bad value: expected auto|off|N (N from 1 to 1024), got 'banana'; a link would fail)"* ]]
	KLINKWRAP_THREADS=banana run -0 "$KLINKWRAP" --threads=off --show-config
	[[ "$output" == *"threads"*"= off  (command line)"* ]]
	KLINKWRAP_VERBOSE=perhaps run -0 "$KLINKWRAP" --version
}

@test "passthrough calls never fail on configuration (masquerade ld --version, no output)" {
	mkdir masq
	ln -s "$KLINKWRAP" masq/ld
	export KLINKWRAP_THREADS=banana KLINKWRAP_VERBOSE=perhaps
	PATH="$PWD/masq:$PATH" run -0 --separate-stderr ld --version
	[ "${lines[0]}" = "$(ld --version | head -1)" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr "$KLINKWRAP" ld --version
	[ -z "$stderr" ]
	# Without an output file: handed over (ld fails on its own terms).
	PATH="$PWD/masq:$PATH" run ld -r
	[ "$status" -ne 125 ]
	# A real link through the masquerade is refused with the reason.
	PATH="$PWD/masq:$PATH" run -125 ld -o out main.o helper.o -e main
	[[ "$output" == *"klinkwrap: KLINKWRAP_THREADS: expected auto|off|N"* ]]
	[[ "$output" == *"klinkwrap: KLINKWRAP_VERBOSE: expected yes or no, got 'perhaps'"* ]]
}

@test "range errors name their range" {
	run -125 "$KLINKWRAP" --threads=0 ld -o out main.o
	[[ "$output" == *"bad value for --threads: expected auto|off|N (N from 1 to 1024), got '0'"* ]]
	run -125 "$KLINKWRAP" --exclusive-wait=9999 ld -o out main.o
	[[ "$output" == *"expected a number from 0 to 3600, got '9999'"* ]]
}

@test "a required value takes --opt=VALUE and --opt VALUE; a boolean only --opt=VALUE" {
	run -0 "$KLINKWRAP" --serial out --show-config
	[[ "$output" == *"serial"*"= out  (command line)"* ]]
	run -0 "$KLINKWRAP" --exclusive-wait 7 --show-config
	[[ "$output" == *"exclusive-wait"*"= 7  (command line)"* ]]
	# --verbose does not eat the next word: 'ld' is the linker.
	run -0 "$KLINKWRAP" --verbose ld -o out main.o helper.o -e main
	[[ "$output" == *"klinkwrap: out: "*"exited 0"* ]]
	run -125 "$KLINKWRAP" --serial
	[[ "$output" == *"option '--serial' needs a value"* ]]
	# Options without a value refuse one.
	run -125 "$KLINKWRAP" --help=yes
	[[ "$output" == *"option '--help=yes' takes no value"* ]]
	run -125 "$KLINKWRAP" --no-verbose=yes ld
	run -125 "$KLINKWRAP" symhash --help=yes
}

@test "--serial ld a.o: the 127 message names the option that took 'ld'" {
	run -127 "$KLINKWRAP" --serial ld main.o -o out
	[ "${lines[0]}" = "klinkwrap: main.o: linker not found on PATH" ]
	[[ "${lines[1]}" == "klinkwrap: note: 'main.o' looks like a linker input: the word before it, 'ld', was taken as the value of --serial"* ]]
	# An existing non-executable file is an input too, whatever its name.
	cp main.o objfile
	run -127 "$KLINKWRAP" --threads 2 objfile -o out
	[[ "$output" == *"'2', was taken as the value of --threads"* ]]
	# No note when nothing was consumed, or the word is no input.
	run -127 "$KLINKWRAP" main.o -o out
	[ "${#lines[@]}" -eq 1 ]
	run -127 "$KLINKWRAP" --serial x no-such-linker-xyz -o out
	[ "${#lines[@]}" -eq 1 ]
}

@test "subcommands: one parser, options before or after operands until --, both value forms" {
	require jq
	ld -o prog main.o helper.o -e main
	want=$("$KLINKWRAP" symhash prog)
	# symhash used to stop at its first file.
	run -0 "$KLINKWRAP" symhash prog --format=json
	echo "$output" | jq -e '.[0].file == "prog"'
	run -0 "$KLINKWRAP" symhash --format json prog
	echo "$output" | jq -e '.[0].file == "prog"'
	run -0 "$KLINKWRAP" syms prog --format json
	echo "$output" | jq -e '.file == "prog"'
	run -1 "$KLINKWRAP" symdiff main.o --format json prog
	echo "$output" | jq -e '.same == false'
	run -0 "$KLINKWRAP" jobserver-info --format json
	echo "$output" | jq -e 'has("style")'
	# An optional value is only --opt=VALUE: the next word is the file.
	run -0 "$KLINKWRAP" syms --sysmap prog
	run -125 "$KLINKWRAP" syms --sysmap 6.1 prog
	[[ "$output" == *"one file only"* ]]
	# After --, words are operands even if they look like options.
	cp prog ./--format=json
	run -0 "$KLINKWRAP" symhash -- --format=json
	[[ "$output" == *"  --format=json" ]]
	run -0 "$KLINKWRAP" symhash prog
	[ "$output" = "$want" ]
}

@test "subcommands: usage errors exit 125 everywhere, symdiff included; --help exits 0" {
	ld -o prog main.o helper.o -e main
	for cmd in symhash syms symdiff jobserver-info; do
		run -125 "$KLINKWRAP" $cmd --bogus prog
		[[ "$output" == "klinkwrap: $cmd: unknown option '--bogus' (usage: klinkwrap $cmd "* ]]
		run -125 "$KLINKWRAP" $cmd --format=xml
		run -125 "$KLINKWRAP" $cmd --format
		[[ "$output" == *"option '--format' needs a value"* ]]
		run -125 "$KLINKWRAP" $cmd -x
		run -0 "$KLINKWRAP" $cmd --help
		[[ "${lines[0]}" == "usage: klinkwrap $cmd "* ]]
	done
	run -125 "$KLINKWRAP" symdiff prog
	run -125 "$KLINKWRAP" symdiff prog prog prog
	run -125 "$KLINKWRAP" jobserver-info extra
	# Results keep their statuses.
	run -0 "$KLINKWRAP" symdiff prog prog
	run -2 "$KLINKWRAP" symdiff prog missing
}

@test "subcommands read no KLINKWRAP_* variable" {
	ld -o prog main.o helper.o -e main
	want=$("$KLINKWRAP" symhash prog)
	KLINKWRAP_THREADS=banana KLINKWRAP_FORMAT=json KLINKWRAP_VERBOSE=yes \
		run -0 --separate-stderr "$KLINKWRAP" symhash prog
	[ "$output" = "$want" ]
	[ -z "$stderr" ]
}
