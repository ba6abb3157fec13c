#!/usr/bin/env bats

# Signals around a wrapped link: the mask and dispositions the linker
# inherits are the ones it would have unwrapped, an ignored SIGCHLD does
# not lose the linker's status, and SIGPIPE or a signal in the middle of
# jobserver-info loses no token. Tokens come from a fifo jobserver the
# test serves itself (bytes that are not '+').

load helpers
load jobserver-lib
bats_require_minimum_version 1.5.0

setup() {
	require ld.lld perl cc
	make_objects
	probe_script
	cd "$BATS_TEST_TMPDIR"
	unset MAKEFLAGS MFLAGS MAKELEVEL KLINKWRAP_THREADS KLINKWRAP_EXCLUSIVE
	fifo_setup
}

teardown() {
	fifo_teardown
}

# broken_stderr CMD...: run CMD with stderr a pipe whose reader is gone.
broken_stderr() {
	perl -e 'pipe(R, W) or die; close R; open(STDERR, ">&W") or die; exec @ARGV' -- "$@"
}

@test "a parent that ignores SIGCHLD: the linker's status still comes through" {
	run perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' -- "$KLINKWRAP" ld -e main main.o helper.o -o x
	echo "$output"
	[ "$status" -eq 0 ]
	is_elf x
	run -1 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' -- "$KLINKWRAP" ld -e main main.o -o y
	refute grep -q 'waiting for the linker' <<<"$output"
}

@test "the linker inherits the signal mask and ignored signals as they were" {
	# A stand-in linker (named ld.lld: it runs while klinkwrap catches
	# SIGINT/TERM/HUP/PIPE) that records what it inherited. In perl, as
	# dash clears the mask; glibc's posix_spawn, which make uses too,
	# leaves its own internal signals (32, 33) ignored: only 1-31 count.
	mkdir bin
	cat >bin/ld.lld <<'PERL'
#!/usr/bin/perl
open(my $s, '<', '/proc/self/status') or die; open(my $o, '>', $ENV{MASK_OUT}) or die;
while (<$s>) {
	print $o $_ if /^SigBlk:/;
	printf $o "SigIgn: %08x\n", hex(substr($1, -8)) & 0x7fffffff if /^SigIgn:\s*(\S+)/;
}
PERL
	chmod +x bin/ld.lld
	# A parent that blocks TERM and HUP and ignores INT (a shell's
	# background job), then runs the linker, wrapped and not.
	local parent='use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGTERM, SIGHUP)) or die;
		$SIG{INT} = "IGNORE"; exec @ARGV'
	MASK_OUT=plain perl -e "$parent" -- bin/ld.lld -o out main.o
	MASK_OUT=wrapped perl -e "$parent" -- "$KLINKWRAP" bin/ld.lld -o out main.o
	cat plain wrapped
	grep -qx 'SigBlk:.*4001' plain
	[ $((0x$(sed -n 's/^SigIgn: //p' plain) & 2)) -eq 2 ]
	cmp plain wrapped
	# ...and with a jobserver, so that tokens are taken and signals caught.
	printf 'ab' >&8
	MASK_OUT=wrapped2 MAKEFLAGS=" -j3 --jobserver-auth=fifo:$PWD/fifo" perl -e "$parent" -- \
		"$KLINKWRAP" --verbose bin/ld.lld -o out main.o
	cmp plain wrapped2
	# The default dispositions too.
	MASK_OUT=plain perl -e 'exec @ARGV' -- bin/ld.lld -o out main.o
	MASK_OUT=wrapped MAKEFLAGS=" -j3 --jobserver-auth=fifo:$PWD/fifo" perl -e 'exec @ARGV' -- \
		"$KLINKWRAP" bin/ld.lld -o out main.o
	cmp plain wrapped
	[ "$(fifo_content)" = "tokens=2 bytes=6162" ]
}

@test "SIGPIPE on stderr while holding tokens: the tokens go back, the status is the linker's" {
	printf 'ab' >&8
	export MAKEFLAGS=" -j3 --jobserver-auth=fifo:$PWD/fifo"
	# --verbose writes to the broken stderr while a token is held.
	run broken_stderr "$KLINKWRAP" --verbose --threads=3 ld.lld -e main main.o helper.o -o x
	[ "$status" -eq 0 ]
	is_elf x
	[ "$(fifo_content)" = "tokens=2 bytes=6162" ]
	# A failing link keeps its status: lld's own, as unwrapped (its
	# error message meets the broken pipe too).
	run broken_stderr ld.lld -e main main.o -o y
	local plain=$status
	[ "$plain" -ne 0 ]
	run broken_stderr "$KLINKWRAP" --verbose --threads=3 ld.lld -e main main.o -o y
	[ "$status" -eq "$plain" ]
	[ "$(fifo_content)" = "tokens=2 bytes=6162" ]
	# A linker that writes to the broken pipe itself dies of SIGPIPE, as
	# it would unwrapped, and klinkwrap dies as it did.
	mkdir bin
	printf '#!/bin/sh\necho linking >&2\necho still here >%s/after\n' "$PWD" >bin/ld.lld
	chmod +x bin/ld.lld
	run -141 broken_stderr "$KLINKWRAP" --verbose --threads=3 bin/ld.lld -o z main.o
	[ ! -e after ]
	[ "$(fifo_content)" = "tokens=2 bytes=6162" ]
}

@test "jobserver-info: a signal while it holds the free tokens ends it after they are back" {
	# A preloaded read() that sends klinkwrap SIGNAL once it has read a
	# token from the fifo: the signal lands while every token is held.
	cat >shim.c <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
static int sent;
static void after_read(int fd, ssize_t r)
{
	struct stat st;
	if (r > 0 && !sent && !fstat(fd, &st) && S_ISFIFO(st.st_mode)) {
		sent = 1;
		kill(getpid(), atoi(getenv("SHIM_SIGNAL")));
	}
}
ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t (*real)(int, void *, size_t) = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	ssize_t r = real(fd, buf, n);
	after_read(fd, r);
	return r;
}
ssize_t __read_chk(int fd, void *buf, size_t n, size_t len)
{
	(void)len;
	return read(fd, buf, n);
}
C
	cc -shared -fPIC -o shim.so shim.c -ldl
	printf 'abc' >&8
	local sig
	for sig in TERM INT HUP; do
		SHIM_SIGNAL=$(kill -l $sig) LD_PRELOAD=$PWD/shim.so \
			ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 \
			MAKEFLAGS=" -j4 --jobserver-auth=fifo:$PWD/fifo" \
			run "$KLINKWRAP" jobserver-info
		echo "$sig: $status $output"
		[ "$status" -eq $((128 + $(kill -l $sig))) ]
		[ "$(fifo_content)" = "tokens=3 bytes=616263" ]
	done
}
