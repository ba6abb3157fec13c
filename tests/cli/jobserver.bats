#!/usr/bin/env bats

# The jobserver client on real GNU make (4.3, pipe style): token
# conservation on every exit path, thread provisioning for lld and mold,
# and the warnings for a jobserver that cannot be used.

load helpers
load jobserver-lib
bats_require_minimum_version 1.5.0

setup() {
	require make ld.lld mold perl
	make_objects
	probe_script
	cd "$BATS_TEST_TMPDIR"
	unset MAKEFLAGS MFLAGS MAKELEVEL KLINKWRAP_THREADS KLINKWRAP_EXCLUSIVE
}

# links_makefile COUNT: a Makefile whose 'all' links COUNT programs with
# ld.lld and mold alternately ('+' recipes), then runs the token probe.
# Every 10th link fails (undefined symbol; '-' ignores the error).
links_makefile() {
	local n=$1 i targets=
	{
		echo 'KW ?= klinkwrap'
		for ((i = 0; i < n; i++)); do
			targets+=" p$i"
			if ((i % 10 == 9)); then
				printf 'p%d:\n\t-+$(KW) --verbose ld.lld -o $@ main.o -e main\n' "$i"
			elif ((i % 2)); then
				printf 'p%d:\n\t+$(KW) --verbose mold -o $@ main.o helper.o -e main\n' "$i"
			else
				printf 'p%d:\n\t+$(KW) --verbose ld.lld -o $@ main.o helper.o -e main\n' "$i"
			fi
		done
		echo "links:$targets"
		printf 'probe: links\n\t+@perl probe.pl\n'
		echo '.PHONY: probe links'
	} >Makefile
}

@test "make -j4: 120 lld and mold links, no token lost, threads never above 4" {
	links_makefile 120
	# No lost token, and all N-1 back in the pipe once every link is done.
	make_and_probe 4 KW="$KLINKWRAP"
	[ "$(grep -c 'gets' err)" -eq 120 ]
	[ "$(grep -c 'giving back' err)" -eq 120 ]
	# The links together never ran more than 4 threads.
	[ "$(max_threads err)" -le 4 ]
	# Every link worked but the ones meant to fail.
	[ "$(ls p[0-9]* | wc -l)" -eq 108 ]
	is_elf p0
}

@test "make -j4 with --threads=4: up to 3 tokens per link, still within 4 threads" {
	links_makefile 40
	KLINKWRAP_THREADS=4 make_and_probe 4 KW="$KLINKWRAP"
	[ "$(max_threads err)" -le 4 ]
}

@test "a link running alone under make -j4 takes the free tokens as threads" {
	printf 'all:\n\t+$(KW) --verbose ld.lld -o a main.o helper.o -e main\n\t+$(KW) --verbose mold -o b main.o helper.o -e main\n\t+@perl probe.pl\n' >Makefile
	KLINKWRAP_THREADS=4 run --separate-stderr make -j4 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	grep -q 'a: jobserver: holding 3 token(s), lld gets 4 thread(s)' <<<"$stderr"
	grep -q 'b: jobserver: holding 3 token(s), mold gets 4 thread(s)' <<<"$stderr"
	[[ "$output" == *"tokens=3 "* ]]
	# auto: no more than -jN and the CPUs.
	run --separate-stderr make -B -j4 KW="$KLINKWRAP"
	local want=$(( $(nproc) < 4 ? $(nproc) : 4 ))
	grep -q "a: jobserver: holding $((want - 1)) token(s), lld gets $want thread(s)" <<<"$stderr"
	run --separate-stderr make -B -j2 KW="$KLINKWRAP"
	grep -q "a: jobserver: holding 1 token(s), lld gets 2 thread(s)" <<<"$stderr"
	is_elf a
	is_elf b
}

# signal_recipe TARGET DELAY SIGNAL [PREREQUISITES]: a recipe whose shell
# starts klinkwrap in the background with the default dispositions (a
# shell would ignore SIGINT there), sends it SIGNAL after DELAY seconds
# (DELAY "held": as soon as klinkwrap says it holds its tokens), records
# how it ended in 'statuses', then passes klinkwrap's messages on.
signal_recipe() {
	local wait="sleep $2"
	[ "$2" = held ] && wait='until grep -q holding $@.log; do sleep 0.01; done'
	printf '%s:%s\n\t+@: >$@.log; env --default-signal $(KW) --verbose %s/ld.lld -o $@ main.o helper.o -e main 2>$@.log & pid=$$!; %s; kill -%s $$pid; wait $$pid; echo "$@ $$?" >>statuses; cat $@.log >&2\n' \
		"$1" "${4:-}" "$PWD/slow" "$wait" "$3"
}

@test "links killed by SIGTERM, SIGINT, SIGHUP while holding 3 tokens give them back" {
	slow_lld slow 0.5
	{
		echo 'KW ?= klinkwrap'
		local i sigs=(TERM INT HUP) prev=
		# A chain: each link runs alone, so it holds every free token.
		for ((i = 0; i < 6; i++)); do
			signal_recipe "s$i" held "${sigs[i % 3]}" "$prev"
			prev=" s$i"
		done
		printf 'probe:%s\n\t+@perl probe.pl\n' "$prev"
	} >Makefile
	KLINKWRAP_THREADS=4 make_and_probe 4 KW="$KLINKWRAP"
	[ "$(grep -c 'holding 3 token(s), lld gets 4 thread' err)" -eq 6 ]
	[ "$(grep -c 'giving back 3 token(s)' err)" -eq 6 ]
	# ...and died of the signal: 128 + TERM, INT, HUP.
	[ "$(cut -d' ' -f2 statuses | tr '\n' ' ')" = "143 130 129 143 130 129 " ]
}

@test "under load, links that crash or get SIGTERM, SIGINT, SIGHUP at any moment lose no token" {
	slow_lld slow 0.3
	crashing_lld crash
	{
		echo 'KW ?= klinkwrap'
		local i sigs=(TERM INT HUP) delays=(0 0.01 0.05 0.1 0.2) targets=
		for ((i = 0; i < 30; i++)); do
			targets+=" s$i"
			signal_recipe "s$i" "${delays[i % 5]}" "${sigs[i % 3]}"
		done
		for ((i = 0; i < 6; i++)); do
			targets+=" c$i"
			printf 'c%d:\n\t-+$(KW) --verbose %s/ld.lld -o $@ main.o helper.o -e main\n' "$i" "$PWD/crash"
		done
		for ((i = 0; i < 30; i++)); do
			targets+=" p$i"
			printf 'p%d:\n\t+$(KW) --verbose ld.lld -o $@ main.o helper.o -e main\n' "$i"
		done
		echo "links:$targets"
		printf 'probe: links\n\t+@perl probe.pl\n'
	} >Makefile
	KLINKWRAP_THREADS=4 make_and_probe 4 KW="$KLINKWRAP"
	# klinkwrap died of the signal it was sent (or had finished first).
	[ "$(wc -l <statuses)" -eq 30 ]
	refute grep -vE ' (0|129|130|143)$' statuses
	[ "$(grep -cE ' (129|130|143)$' statuses)" -ge 20 ]
	# The crashing linker's fate is klinkwrap's.
	[ "$(grep -c 'c[0-9].*Segmentation fault' err)" -eq 6 ]
	[ "$(max_threads err)" -le 4 ]
}

@test "a recipe without '+': lld keeps its own threads, no warning; --verbose says why" {
	# Kbuild's vmlinux.o and composite-module links: no '+', under -j4.
	# A stand-in ld.lld records its arguments, then runs the real one.
	mkdir bin
	printf '#!/bin/sh\necho "$*" >>"%s/args"\nexec %s "$@"\n' "$PWD" "$(command -v ld.lld)" >bin/ld.lld
	chmod +x bin/ld.lld
	{
		printf 'all:'
		printf ' o%d' $(seq 10)
		printf '\no%%:\n\t$(KW) bin/ld.lld -o $@ main.o helper.o -e main\n'
	} >Makefile
	run --separate-stderr make -j4 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	echo "$stderr"
	[ -z "$stderr" ]
	[ "$(wc -l <args)" -eq 10 ]
	refute grep -q threads args
	is_elf o1
	# --verbose: one line per link says why, no token lines, no warning.
	rm args
	run --separate-stderr make -B -j4 KW="$KLINKWRAP --verbose" 3>&-
	[ "$status" -eq 0 ]
	echo "$stderr"
	[ "$(grep -c "klinkwrap: o[0-9]*: jobserver unavailable: the read fd [0-9]* from MAKEFLAGS is closed; threads left to lld$" <<<"$stderr")" -eq 10 ]
	refute grep -q warning <<<"$stderr"
	refute grep -q 'holding\|giving back' <<<"$stderr"
	refute grep -q threads args
	refute grep -q INTERNAL <<<"$stderr"
}

@test "the linker gets --threads=N / --thread-count=N; user settings and bfd are left alone" {
	# A stand-in that prints its arguments, resolved as lld, mold, gold, bfd.
	mkdir bin
	printf '#!/bin/sh\necho "$0 $*" >>"%s/args"\n' "$PWD" >bin/show
	chmod +x bin/show
	ln -s show bin/ld.lld; ln -s show bin/mold; ln -s show bin/ld.gold; ln -s show bin/ld.bfd
	cat >Makefile <<'MK'
all:
	+$(KW) bin/ld.lld -o o1 main.o
	+$(KW) bin/mold -o o2 main.o
	+$(KW) bin/ld.gold -o o3 main.o
	+$(KW) bin/ld.bfd -o o4 main.o
	+$(KW) bin/ld.lld --threads=7 -o o5 main.o
	+$(KW) bin/mold -o o6 --thread-count 2 main.o
	+$(KW) --threads=off bin/ld.lld -o o7 main.o
	+$(KW) bin/ld.lld -o o8 -v
MK
	# show is itself resolved by realpath; name the stand-ins by their links.
	rm bin/ld.lld bin/mold bin/ld.gold bin/ld.bfd
	for n in ld.lld mold ld.gold ld.bfd; do cp bin/show "bin/$n"; done
	run make -j1 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	# make -j1 has no jobserver: nothing is added.
	grep -qx 'bin/ld.lld -o o1 main.o' args
	grep -qx 'bin/mold -o o2 main.o' args
	grep -qx 'bin/ld.gold -o o3 main.o' args
	rm args
	run make -j3 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	cat args
	grep -qE '^bin/ld.lld --threads=[12] -o o1 main.o$' args
	grep -qE '^bin/mold --thread-count=[12] -o o2 main.o$' args
	grep -qE '^bin/ld.gold --threads --thread-count=[12] -o o3 main.o$' args
	grep -qx 'bin/ld.bfd -o o4 main.o' args
	grep -qx 'bin/ld.lld --threads=7 -o o5 main.o' args
	grep -qx 'bin/mold -o o6 --thread-count 2 main.o' args
	grep -qx 'bin/ld.lld -o o7 main.o' args
	grep -qx 'bin/ld.lld -o o8 -v' args
}

@test "the linker sees make's jobserver fds and none of klinkwrap's" {
	# A stand-in (named vmlinux's linker, so exclusive mode and the serial
	# lock are on too) that lists its open fds.
	mkdir bin
	cat >bin/ld.lld <<'PERL'
#!/usr/bin/perl
opendir(my $d, "/proc/self/fd") or die;
my @fds = sort { $a <=> $b } grep { /^\d+$/ } readdir($d);
open(my $o, '>>', 'fds') or die;
print $o "@fds\n";
PERL
	chmod +x bin/ld.lld
	printf 'all:\n\t+$(KW) --exclusive bin/ld.lld -o vmlinux main.o\n\t+bin/ld.lld -o vmlinux main.o\n' >Makefile
	run make -s -j4 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	cat fds
	[ "$(wc -l <fds)" -eq 2 ]
	[ "$(sed -n 1p fds)" = "$(sed -n 2p fds)" ]
	grep -q '^0 1 2 3 4 ' fds
}

@test "make's pipe keeps its file status flags" {
	# Each recipe records the flags of make's two pipe ends before and
	# after a provisioned link and an exclusive serial one.
	cat >flags.pl <<'PERL'
use Fcntl;
my ($r, $w) = ($ENV{MAKEFLAGS} =~ /--jobserver-auth=(\d+),(\d+)/);
open(my $rf, '<&=', $r) or die; open(my $wf, '>&=', $w) or die;
printf "%s %o %o\n", $ARGV[0], fcntl($rf, F_GETFL, 0), fcntl($wf, F_GETFL, 0);
PERL
	cat >Makefile <<'MK'
all: a vmlinux
a vmlinux:
	+@perl flags.pl before >>flags
	+$(KW) --exclusive ld.lld -o $@ main.o helper.o -e main
	+@perl flags.pl after >>flags
MK
	run make -j3 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	cat flags
	[ "$(wc -l <flags)" -eq 4 ]
	[ "$(cut -d' ' -f2- flags | sort -u | wc -l)" -eq 1 ]
}

@test "ld that is a symlink to mold gets mold's thread option" {
	mkdir bin
	ln -s "$(command -v mold)" bin/ld
	printf 'all:\n\t+PATH=%s/bin:$$PATH $(KW) --verbose ld -o prog main.o helper.o -e main\n' "$PWD" >Makefile
	run --separate-stderr make -j2 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	grep -q 'mold gets [12] thread' <<<"$stderr"
	is_elf prog
}

@test "make -n: a '+' link runs but takes no token" {
	printf 'all:\n\t+$(KW) --verbose ld.lld -o prog main.o helper.o -e main\n\t+@perl probe.pl\n' >Makefile
	run --separate-stderr make -n -j4 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	grep -q 'holding 0 token(s), lld gets 1 thread' <<<"$stderr"
	[[ "$output" == *"tokens=3 "* ]]
	is_elf prog
}

@test "jobserver-info under make: style, fds, -jN and the free tokens" {
	printf 'all:\n\t+@$(KW) jobserver-info\n\t@$(KW) jobserver-info --format=json >info.json\n' >Makefile
	run make -j5 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *"style:       pipe"* ]]
	[[ "$output" == *"jobs:        5"* ]]
	[[ "$output" == *"usable:      yes"* ]]
	[[ "$output" == *"free tokens: 4"* ]]
	[[ "$output" == *"warning:     (none)"* ]]
	# Without '+', the warning a link would print.
	perl -MJSON::PP -e '
		my $j = decode_json(do { local $/; <STDIN> });
		die "usable\n" if $j->{usable};
		die "no warning\n" unless $j->{warning} =~ /jobserver unavailable: .*add .\+. to the parent make rule/;
		die "style\n" unless $j->{style} eq "pipe" && $j->{jobs} == 5;
		die "tokens\n" if defined $j->{free_tokens};' <info.json
}

@test "driver-mode words stay first: lld -flavor gnu gets threads after it, mold -run none" {
	require lld cc
	# Real linkers: each link works and says what it got.
	cat >Makefile <<'MK'
all:
	+$(KW) --verbose lld -flavor gnu -o f main.o helper.o -e main
	+$(KW) --verbose mold -run cc -o r main.c helper.c
	+@perl probe.pl
MK
	run --separate-stderr make -j3 KW="$KLINKWRAP"
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -q 'f: jobserver: holding [0-2] token(s), lld gets [1-3] thread(s)' <<<"$stderr"
	grep -q 'r: jobserver: holding 0 token(s), threads left to mold' <<<"$stderr"
	[[ "$output" == *"tokens=2 "* ]]
	is_elf f
	./r
	# Stand-ins show where the options went, and that other flavours and
	# mold -run get none.
	mkdir bin
	printf '#!/bin/sh\necho "$0 $*" >>"%s/args"\n' "$PWD" >bin/ld.lld
	chmod +x bin/ld.lld
	cp bin/ld.lld bin/mold
	cat >Makefile <<'MK'
all:
	+$(KW) bin/ld.lld -flavor gnu -o o1 main.o
	+$(KW) bin/ld.lld -flavor link /out:o2 -o o2 main.o
	+$(KW) bin/mold -run cc -o o3 main.c
	+$(KW) bin/mold --run cc -o o4 main.c
MK
	run make -j3 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	cat args
	grep -qE '^bin/ld.lld -flavor gnu --threads=[1-3] -o o1 main.o$' args
	grep -qx 'bin/ld.lld -flavor link /out:o2 -o o2 main.o' args
	grep -qx 'bin/mold -run cc -o o3 main.c' args
	grep -qx 'bin/mold --run cc -o o4 main.c' args
}

@test "without '+', only links that would take tokens warn; bfd links are silent" {
	# Kbuild's vdso, realmode, vmlinux.o and module links: GNU ld, no '+'.
	cat >Makefile <<'MK'
all: r.o vmlinux.o
r.o vmlinux.o:
	$(KW) ld -r -o $@ main.o helper.o
MK
	run --separate-stderr make -j2 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# Nor a serial one (no --exclusive), nor lld with the user's thread
	# option or --threads=off, nor mold -run.
	cat >Makefile <<'MK'
all: vmlinux o1 o2 o3 o4
vmlinux:
	$(KW) ld -o $@ main.o helper.o -e main
o1:
	$(KW) ld.lld --threads=2 -o $@ main.o helper.o -e main
o2:
	$(KW) --threads=off ld.lld -o $@ main.o helper.o -e main
o3:
	$(KW) mold -run cc -o $@ main.c helper.c
o4:
	$(KW) --threads=1 ld.lld -o $@ main.o helper.o -e main
MK
	run --separate-stderr make -j2 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	is_elf vmlinux
	# Nor an lld link that would take tokens, among bfd links: without a
	# usable jobserver its threads are lld's own business.
	cat >Makefile <<'MK'
all: r.o app vmlinux.o
r.o vmlinux.o:
	$(KW) ld -r -o $@ main.o helper.o
app:
	$(KW) ld.lld -o $@ main.o helper.o -e main
MK
	run --separate-stderr make -B -j2 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	echo "$stderr"
	[ -z "$stderr" ]
	is_elf app
	# An exclusive serial link needs the jobserver: it warns, once.
	printf 'vmlinux:\n\t$(KW) --exclusive ld -o $@ main.o helper.o -e main\n' >Makefile
	run --separate-stderr make -B -j2 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	[ "$(grep -c 'jobserver unavailable' <<<"$stderr")" -eq 1 ]
}

@test "a serial link without '+' names the closed jobserver fd, not its lock's" {
	printf 'all: vmlinux .tmp_vmlinux1\nvmlinux .tmp_vmlinux1:\n\t$(KW) %s -o $@ main.o helper.o -e main\n' \
		'--exclusive ld' >Makefile
	run --separate-stderr make -j2 KW="$KLINKWRAP" 3>&-
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(grep -c "jobserver unavailable: the read fd [0-9]* from MAKEFLAGS is closed; running with one slot: add '+' to the parent make rule" <<<"$stderr")" -eq 2 ]
	refute grep -q 'not a pipe' <<<"$stderr"
	printf 'vmlinux:\n\t$(KW) --verbose ld.lld -o $@ main.o helper.o -e main\n' >Makefile
	run --separate-stderr make -B -j2 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	grep -q 'vmlinux: jobserver unavailable: the read fd [0-9]* from MAKEFLAGS is closed' <<<"$stderr"
	refute grep -q 'not a pipe' <<<"$stderr"
	[ -e .klinkwrap-serial.lock ]
}

@test "jobserver-info connects only where a link would, and shows the warning an exclusive link prints" {
	cat >Makefile <<'MK'
all:
	@$(KW) jobserver-info >info.txt
	@$(KW) --exclusive ld -o vmlinux main.o helper.o -e main 2>link.err
	+@KLINKWRAP_THREADS=off $(KW) jobserver-info >off.txt
	+@KLINKWRAP_THREADS=off KLINKWRAP_EXCLUSIVE=yes $(KW) jobserver-info >exclusive.txt
MK
	run make -j3 KW="$KLINKWRAP" 3>&-
	[ "$status" -eq 0 ]
	cat info.txt link.err off.txt exclusive.txt
	# Without '+': the very text the exclusive serial link printed.
	[ -s link.err ]
	[ "$(sed -n 's/^warning: *//p' info.txt)" = "$(cat link.err)" ]
	# --threads=off and no --exclusive: no link would connect, nor does it.
	grep -qx 'usable:      no' off.txt
	grep -qx 'free tokens: -' off.txt
	grep -qx 'warning:     (none)' off.txt
	grep -qx 'usable:      yes' exclusive.txt
	grep -qx 'free tokens: 2' exclusive.txt
}
