# Shared by the jobserver suites: a token probe independent of klinkwrap,
# stand-in linkers, and the check of the threads handed out.

# probe: count the free tokens of the jobserver in MAKEFLAGS (pipe or
# fifo) without klinkwrap, give them back, and print "tokens=N bytes=HEX".
probe_script() {
	cat >"$BATS_TEST_TMPDIR/probe.pl" <<'PERL'
use strict; use warnings; use Fcntl;
my @auth = ($ENV{MAKEFLAGS} // '') =~ /--jobserver-auth=(\S+)/g;
my $auth = $auth[-1] // die "no jobserver in MAKEFLAGS\n";
my ($rd, $wr);
if ($auth =~ /^fifo:(.*)$/) {
	sysopen($rd, $1, O_RDWR | O_NONBLOCK) or die "open $1: $!\n";
	$wr = $rd;
} else {
	my ($r, $w) = split /,/, $auth;
	sysopen($rd, "/dev/fd/$r", O_RDONLY | O_NONBLOCK) or die "open fd $r: $!\n";
	open($wr, '>&=', $w) or die "fd $w: $!\n";
}
my $buf = '';
while (1) {
	my $n = sysread($rd, my $chunk, 4096);
	last unless $n;
	$buf .= $chunk;
}
syswrite($wr, $buf) == length($buf) or die "write back: $!\n" if length $buf;
printf "tokens=%d bytes=%s\n", length($buf), unpack('H*', join '', sort split //, $buf);
PERL
}

# fifo_setup: a make 4.4 style jobserver the test serves itself, ./fifo,
# with the server's end held open on fd 8 for the whole test as make does
# (fifo_teardown closes it). Preload tokens with `printf BYTES >&8`.
fifo_setup() {
	mkfifo fifo
	exec 8<>fifo
}

fifo_teardown() {
	exec 8>&-
}

# fifo_content: the bytes now in ./fifo, sorted, as hex (taken and put back).
fifo_content() {
	MAKEFLAGS="-j4 --jobserver-auth=fifo:$PWD/fifo" perl probe.pl
}

# slow_lld DIR SECONDS: a stand-in named ld.lld (so it is provisioned as
# lld) that waits, then runs the real ld.lld.
slow_lld() {
	mkdir -p "$1"
	printf '#!/bin/sh\nsleep %s\nexec %s "$@"\n' "$2" "$(command -v ld.lld)" >"$1/ld.lld"
	chmod +x "$1/ld.lld"
}

# crashing_lld DIR: a stand-in named ld.lld that dies of SIGSEGV.
crashing_lld() {
	mkdir -p "$1"
	printf '#!/bin/sh\nkill -SEGV $$\n' >"$1/ld.lld"
	chmod +x "$1/ld.lld"
}

# max_threads FILE: from klinkwrap --verbose lines, the largest total of
# threads held by links running at the same moment. A link holds its
# threads from its "holding" line to its "giving back" line; a giving-back
# line is printed before the write, a holding line after the read, so the
# intervals never overlap falsely.
max_threads() {
	perl -ne '
		if (/^klinkwrap: (\S+): jobserver: holding \d+ token\(s\), \w+ gets (\d+) thread\(s\).*; t=([\d.]+)$/) {
			$t{$1} = $2; push @e, [$3, $2];
		} elsif (/^klinkwrap: (\S+): jobserver: giving back \d+ token\(s\); t=([\d.]+)$/) {
			push @e, [$2, -($t{$1} // 0)];
		}
		END {
			my ($cur, $max) = (0, 0);
			for (sort { $a->[0] <=> $b->[0] || $b->[1] <=> $a->[1] } @e) {
				$cur += $_->[1]; $max = $cur if $cur > $max;
			}
			print "$max\n";
		}' "$1"
}

# is_elf FILE: FILE is an ELF file (the test programs link with -e main and
# are not meant to run).
is_elf() {
	[ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

# refute CMD...: fail when CMD succeeds (a bare `! CMD` does not fail a
# bats test: bash's errexit ignores negated commands).
refute() {
	if "$@"; then
		echo "unexpectedly succeeded: $*" >&2
		return 1
	fi
}

# make_and_probe JOBS [MAKE-ARGS...]: run `make -jJOBS MAKE-ARGS... probe`
# (the Makefile's probe recipe runs probe.pl last), keep its stderr in
# 'err', and check that make succeeded, did not report lost tokens
# ("INTERNAL: Exiting with N jobserver tokens available; should be M!"),
# and that all JOBS-1 '+' tokens were back in the pipe for the probe.
make_and_probe() {
	local jobs=$1 plus
	shift
	run --separate-stderr make -j"$jobs" "$@" probe 3>&-
	printf '%s\n' "$stderr" >err
	[ "$status" -eq 0 ] || { cat err; return 1; }
	refute grep -q INTERNAL err
	plus=$(printf '2b%.0s' $(seq $((jobs - 1))))
	[[ "$output" == *"tokens=$((jobs - 1)) bytes=$plus"* ]] || { echo "probe: $output"; return 1; }
}
