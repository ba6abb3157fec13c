#!/usr/bin/env bats

# The transparent wrapper: real links, exit statuses, signals, masquerade.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	make_objects
	cd "$BATS_TEST_TMPDIR"
}

# Write an executable script NAME with BODY (a stand-in linker for the
# cases a real linker cannot be made to show on demand: death by signal,
# a slow link).
script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$1"
	chmod +x "$1"
}

# raw_status CMD...: print "exit N" or "signal N" for CMD as wait() saw it.
raw_status() {
	perl -e 'system(@ARGV); my $s = $?; print(($s & 127) ? "signal " . ($s & 127) : "exit " . ($s >> 8)), "\n"' -- "$@"
}

@test "a wrapped ld link is byte-identical to the plain one" {
	ld -o plain main.o helper.o -e main
	"$KLINKWRAP" ld -o wrapped main.o helper.o -e main
	cmp plain wrapped
	"$KLINKWRAP" ld -owrapped2 main.o helper.o -e main
	cmp plain wrapped2
	"$KLINKWRAP" ld --output=wrapped3 main.o helper.o -e main
	cmp plain wrapped3
	# An abbreviation ld reads as --output is found (and watched) too.
	run "$KLINKWRAP" --verbose ld --outp wrapped4 main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ "$output" == *"klinkwrap: wrapped4: "*"exited 0"* ]]
	cmp plain wrapped4
}

@test "a link through a response file is byte-identical and its output is found" {
	ld -o plain main.o helper.o -e main
	printf -- "--output 'wrapped out'\nmain.o\n" >inner.rsp
	printf -- '@inner.rsp helper.o -e main\n' >outer.rsp
	run "$KLINKWRAP" --verbose ld @outer.rsp
	[ "$status" -eq 0 ]
	[[ "$output" == *"klinkwrap: wrapped out: "*"exited 0"* ]]
	cmp plain "wrapped out"
}

@test "an output that is not a regular file is linked without a word" {
	run ld -o /dev/null main.o helper.o -e main
	[ "$status" -eq 0 ]
	plain_output=$output
	run "$KLINKWRAP" ld -o /dev/null main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ "$output" = "$plain_output" ]
}

@test "lld and mold links are byte-identical through the wrapper" {
	require ld.lld mold
	ld.lld -o plain main.o helper.o -e main
	"$KLINKWRAP" ld.lld -o wrapped main.o helper.o -e main
	cmp plain wrapped
	mold -o plain-mold main.o helper.o -e main
	"$KLINKWRAP" mold -o wrapped-mold main.o helper.o -e main
	cmp plain-mold wrapped-mold
}

@test "a failing link passes its status and stderr through" {
	echo 'int main(void) { return missing_function(); }' >bad.c
	cc -c -o bad.o bad.c
	run ld -o plain bad.o -e main
	plain_status=$status
	plain_output=$output
	[ "$plain_status" -ne 0 ]
	run "$KLINKWRAP" ld -o wrapped bad.o -e main
	[ "$status" -eq "$plain_status" ]
	[ "$output" = "$plain_output" ]
	[[ "$output" == *missing_function* ]]
	[[ "$output" != *klinkwrap:* ]]
}

@test "stdout and stderr of the linker are not mixed up or lost" {
	ld --verbose -o plain main.o helper.o -e main >plain.out 2>plain.err
	"$KLINKWRAP" ld --verbose -o wrapped main.o helper.o -e main >wrapped.out 2>wrapped.err
	cmp plain.out wrapped.out
	cmp plain.err wrapped.err
	[ -s plain.out ]
}

@test "a linker killed by a signal makes klinkwrap die of that signal" {
	script segv-ld 'kill -SEGV $$'
	run raw_status "$KLINKWRAP" ./segv-ld -o out main.o
	[ "$output" = "signal 11" ]
	script kill-ld 'kill -KILL $$'
	run raw_status "$KLINKWRAP" ./kill-ld -o out main.o
	[ "$output" = "signal 9" ]
	script exit-ld 'exit 42'
	run raw_status "$KLINKWRAP" ./exit-ld -o out main.o
	[ "$output" = "exit 42" ]
}

@test "SIGTERM, SIGINT and SIGHUP reach the linker and klinkwrap ends like it" {
	# The stand-in linker records the signal it got, then dies of it.
	for sig in TERM INT HUP; do
		script slow-ld "trap 'echo got-$sig >got; trap - $sig; kill -$sig \$\$' $sig
echo started >started
while :; do sleep 0.05; done"
		rm -f got started
		perl -e '
			my $pid = fork // die;
			if (!$pid) { exec @ARGV or die "exec: $!" }
			for (1..200) { last if -e "started"; select(undef, undef, undef, 0.05) }
			kill "'$sig'", $pid;
			waitpid($pid, 0);
			my $s = $?;
			print(($s & 127) ? "signal " . ($s & 127) : "exit " . ($s >> 8)), "\n";
		' -- "$KLINKWRAP" ./slow-ld -o out main.o >status
		[ "$(cat got)" = "got-$sig" ]
		[ "$(cat status)" = "signal $(kill -l "$sig" >/dev/null; perl -MPOSIX -e "print POSIX::SIG$sig")" ]
	done
}

@test "--version, -v, -V and --help are handed to the real linker unchanged" {
	for arg in --version -v -V --help; do
		plain_status=0 wrapped_status=0
		ld $arg >plain 2>&1 || plain_status=$?
		"$KLINKWRAP" ld $arg >wrapped 2>&1 || wrapped_status=$?
		cmp plain wrapped
		[ "$plain_status" -eq "$wrapped_status" ]
	done
	# A failing probe fails the same way (ld-option relies on it).
	plain_status=0 wrapped_status=0
	ld --no-such-option-xyz -v >plain 2>&1 || plain_status=$?
	"$KLINKWRAP" ld --no-such-option-xyz -v >wrapped 2>&1 || wrapped_status=$?
	[ "$plain_status" -ne 0 ]
	[ "$plain_status" -eq "$wrapped_status" ]
	cmp plain wrapped
	# Kconfig's probe sees GNU ld.
	run "$KLINKWRAP" ld --version
	[[ "${lines[0]}" == "GNU ld "* ]]
}

@test "calls without an output file replace klinkwrap with the linker (exec)" {
	script pid-ld 'echo $$'
	run sh -c 'echo $$; exec "$1" ./pid-ld main.o' sh "$KLINKWRAP"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	# With an output file klinkwrap stays to watch the link.
	run sh -c 'echo $$; exec "$1" ./pid-ld -o out main.o' sh "$KLINKWRAP"
	[ "${lines[0]}" != "${lines[1]}" ]
}

@test "masquerade: a symlink named ld runs the real ld, byte-identical" {
	mkdir masq
	ln -s "$KLINKWRAP" masq/ld
	ln -s "$KLINKWRAP" masq/ld.bfd
	ld -o plain main.o helper.o -e main
	PATH="$PWD/masq:$PATH" KLINKWRAP_VERBOSE=yes run ld -o wrapped main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ "$output" == *"klinkwrap: wrapped: "*"exited 0"* ]]
	cmp plain wrapped
	PATH="$PWD/masq:$PATH" ld.bfd -o wrapped-bfd main.o helper.o -e main
	cmp plain wrapped-bfd
	# The prefix form also skips the masquerade link on PATH.
	PATH="$PWD/masq:$PATH" "$KLINKWRAP" ld -o wrapped2 main.o helper.o -e main
	cmp plain wrapped2
	# Version probes through the symlink see the real linker.
	[ "$(PATH="$PWD/masq:$PATH" ld --version | head -1)" = "$(ld --version | head -1)" ]
}

@test "masquerade as ld.lld keeps lld's flavour" {
	require ld.lld
	mkdir masq
	ln -s "$KLINKWRAP" masq/ld.lld
	ld.lld -o plain main.o helper.o -e main
	PATH="$PWD/masq:$PATH" ld.lld -o wrapped main.o helper.o -e main
	cmp plain wrapped
}

@test "exec-loop guard: a PATH of klinkwrap symlinks only gives 127, not a loop" {
	mkdir masq
	ln -s "$KLINKWRAP" masq/ld
	PATH="$PWD/masq" run -127 "$PWD/masq/ld" -o out main.o
	[ "$status" -eq 127 ]
	[[ "$output" == *"klinkwrap: ld: no real linker on PATH"* ]]
}

@test "masquerade through hardlinks of klinkwrap finds the real linker" {
	mkdir h1 h2
	cp "$KLINKWRAP" h1/ld
	ln h1/ld h2/ld
	ld -o plain main.o helper.o -e main
	PATH="$PWD/h1:$PWD/h2:$PATH" run "$PWD/h1/ld" -o wrapped main.o helper.o -e main
	[ "$status" -eq 0 ]
	cmp plain wrapped
}

@test "exec-loop guard: two copies of klinkwrap calling each other stop with 127" {
	mkdir a b
	cp "$KLINKWRAP" a/ld
	cp "$KLINKWRAP" b/ld
	# a/ld skips itself and finds b/ld, which finds a/ld, ...
	PATH="$PWD/a:$PWD/b" run -127 "$(command -v timeout)" 60 "$PWD/a/ld" -o out main.o
	[ "$status" -eq 127 ]
	[[ "$output" == *"exec loop"* ]]
	[ ! -e out ]
}

@test "a missing linker gives 127, a non-executable one 126" {
	run -127 "$KLINKWRAP" no-such-linker-xyz -o out main.o
	[[ "$output" == "klinkwrap: no-such-linker-xyz: linker not found on PATH" ]]
	run -127 "$KLINKWRAP" ./no-such-linker -o out main.o
	[[ "$output" == "klinkwrap: ./no-such-linker: cannot execute: No such file or directory" ]]
	printf '#!/bin/sh\nexit 0\n' >noexec-ld
	chmod 644 noexec-ld
	run "$KLINKWRAP" ./noexec-ld -o out main.o
	[ "$status" -eq 126 ]
	[[ "$output" == *"cannot execute: Permission denied"* ]]
	mkdir bin
	cp noexec-ld bin/my-ld
	PATH="$PWD/bin:$PATH" run "$KLINKWRAP" my-ld -o out main.o
	[ "$status" -eq 126 ]
	# Passthrough calls report the same way.
	run "$KLINKWRAP" ./noexec-ld --version
	[ "$status" -eq 126 ]
	run -127 "$KLINKWRAP" no-such-linker-xyz --version
}

@test "a garbage option or value gives 125 with a one-line hint, never reaches the linker" {
	script spy-ld 'echo ran >spy'
	run "$KLINKWRAP" --frobnicate ./spy-ld -o out main.o
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "klinkwrap: unknown option '--frobnicate' (see 'klinkwrap --help')" ]]
	run "$KLINKWRAP" --verbose=perhaps ./spy-ld -o out main.o
	[ "$status" -eq 125 ]
	[[ "$output" == *"bad value for --verbose: expected yes or no, got 'perhaps'"* ]]
	KLINKWRAP_VERBOSE=perhaps run "$KLINKWRAP" ./spy-ld -o out main.o
	[ "$status" -eq 125 ]
	[[ "$output" == "klinkwrap: KLINKWRAP_VERBOSE: expected yes or no, got 'perhaps'" ]]
	run "$KLINKWRAP" -j4 ./spy-ld -o out main.o
	[ "$status" -eq 125 ]
	run "$KLINKWRAP"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no linker given"* ]]
	[ ! -e spy ]
}

@test "--show-config says where each setting came from" {
	run "$KLINKWRAP" --show-config
	[ "$status" -eq 0 ]
	[[ "$output" == *"verbose"*"= no"*"(default)"* ]]
	KLINKWRAP_VERBOSE=1 run "$KLINKWRAP" --show-config
	[[ "$output" == *"verbose"*"= yes"*"(environment KLINKWRAP_VERBOSE)"* ]]
	KLINKWRAP_VERBOSE=1 run "$KLINKWRAP" --no-verbose --show-config
	[[ "$output" == *"verbose"*"= no"*"(command line)"* ]]
}

@test "--help and --version" {
	run "$KLINKWRAP" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: klinkwrap [OPTIONS] LINKER"* ]]
	[[ "$output" == *"KLINKWRAP_VERBOSE"* ]]
	run "$KLINKWRAP" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^klinkwrap\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "the linker gets klinkwrap's stdin and environment" {
	script env-ld 'cat >stdin.txt; echo "$MY_VAR" >env.txt'
	echo hello | MY_VAR=kept "$KLINKWRAP" ./env-ld -o out main.o
	[ "$(cat stdin.txt)" = hello ]
	[ "$(cat env.txt)" = kept ]
}

@test "two different klinkwrap copies nested on a serial output: the inner passes through" {
	# An installed copy in LD=, the build's own in a masquerade directory:
	# the outer holds the serial lock, the inner must not wait for it.
	mkdir -p n/bin n/w
	cp "$KLINKWRAP" n/bin/klinkwrap
	ln -s "$KLINKWRAP" n/w/ld
	ld -o plain main.o helper.o -e main
	PATH="$PWD/n/w:$PATH" run -0 timeout 20 n/bin/klinkwrap ld -o vmlinux main.o helper.o -e main
	[ -z "$output" ]
	cmp plain vmlinux
	# --verbose: the inner says so, the outer reports the link.
	PATH="$PWD/n/w:$PATH" KLINKWRAP_VERBOSE=yes run -0 timeout 20 n/bin/klinkwrap ld -o vmlinux main.o helper.o -e main
	echo "$output"
	[[ "$output" == *"klinkwrap: vmlinux: already wrapped by klinkwrap (pid "*"): running "*"/ld as is"* ]]
	[[ "$output" == *"klinkwrap: vmlinux: serial link: lock taken after"* ]]
	[ "$(grep -c 'lock taken' <<<"$output")" -eq 1 ]
	[[ "$output" == *"klinkwrap: vmlinux: "*" exited 0 after "* ]]
	cmp plain vmlinux
}

@test "the marker of a wrapped link is in the linker's environment only" {
	script env-ld 'env >linker.env'
	"$KLINKWRAP" ./env-ld -o out main.o
	grep -q '^KLINKWRAP_WRAPPED=[0-9][0-9]*$' linker.env
	grep -qx 'KLINKWRAP_NESTING=1' linker.env
	# A call that is handed over (no output) carries no marker of its own.
	"$KLINKWRAP" ./env-ld main.o
	run grep -q '^KLINKWRAP_WRAPPED=' linker.env
	[ "$status" -eq 1 ]
}

@test "a successful run that writes no output file gives no hash warning" {
	require ld.lld
	# GNU ld's -version and --target-help print and write nothing.
	for args in "-version main.o -o out" "main.o -o out --target-help"; do
		plain_status=0 wrapped_status=0
		ld $args >plain.out 2>plain.err || plain_status=$?
		"$KLINKWRAP" ld $args >wrapped.out 2>wrapped.err || wrapped_status=$?
		[ "$plain_status" -eq "$wrapped_status" ]
		cat wrapped.err
		cmp plain.err wrapped.err
		cmp plain.out wrapped.out
		[ ! -e out ]
	done
	# -o - is standard output, not a file named '-'.
	ld.lld -o - main.o helper.o -e main >plain.bin
	run --separate-stderr "$KLINKWRAP" ld.lld -o - main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	"$KLINKWRAP" ld.lld -o - main.o helper.o -e main >wrapped.bin
	cmp plain.bin wrapped.bin
	# GNU ld writes a file named '-': that one is hashed; an old one left
	# there is not lld's output to stdout.
	run --separate-stderr "$KLINKWRAP" --verbose ld -o - main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"klinkwrap: -: "*"exited 0 after "*", symhash "* ]]
	touch -d '1 hour ago' ./-
	run --separate-stderr "$KLINKWRAP" --verbose ld.lld -o - main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"klinkwrap: -: "*"exited 0 after "* ]]
	[[ "$stderr" != *symhash* ]]
	rm -f ./- # lld removes an old output before it writes
	# cc -E to stdout (a compiler driver given as the linker).
	printf 'int x;\n' >m.c
	run --separate-stderr "$KLINKWRAP" cc -E m.c -o -
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" == *"int x;"* ]]
	# A fifo as the output: never opened for reading (it would block).
	mkfifo fifo-out
	script fifo-ld 'exit 0'
	run --separate-stderr timeout 10 "$KLINKWRAP" ./fifo-ld -o fifo-out main.o
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# An output that was written but is corrupt ELF still warns.
	script fake-ld 'head -c 100 main.o >out'
	run --separate-stderr "$KLINKWRAP" ./fake-ld -o out main.o
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"out: cannot hash the symbol set"* ]]
}
