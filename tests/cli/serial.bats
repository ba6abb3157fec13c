#!/usr/bin/env bats

# Serial links (vmlinux and its kallsyms passes) under real GNU make:
# the per-directory lock, and exclusive mode, shown with timestamps that
# the recipes and the linker record.

load helpers
load jobserver-lib
bats_require_minimum_version 1.5.0

setup() {
	require make ld.lld perl
	make_objects
	probe_script
	cd "$BATS_TEST_TMPDIR"
	unset MAKEFLAGS MFLAGS MAKELEVEL KLINKWRAP_THREADS KLINKWRAP_EXCLUSIVE \
		KLINKWRAP_EXCLUSIVE_WAIT KLINKWRAP_SERIAL
	# Monotonic timestamps, the clock of klinkwrap's --verbose lines.
	cat >stamp <<'SH'
#!/bin/sh
exec perl -MTime::HiRes=clock_gettime -e 'printf "%s %s %.6f\n", $ARGV[0], $ARGV[1], clock_gettime(1)' "$@" >>"${STAMPS:-stamps}"
SH
	chmod +x stamp
	export STAMPS=$PWD/stamps
	# A stand-in ld.lld that stamps the span of the real link and makes
	# it last SECONDS.
	mkdir -p bin
	printf '#!/bin/sh\n%s/stamp link-start "$LINKNAME"\nsleep "${LINK_SECONDS:-1}"\n%s "$@"; rc=$?\n%s/stamp link-end "$LINKNAME"\nexit $rc\n' \
		"$PWD" "$(command -v ld.lld)" "$PWD" >bin/ld.lld
	chmod +x bin/ld.lld
}

# overlaps A B: do the link spans of A and B (from the stamps) overlap?
overlaps() {
	perl -ane 'BEGIN { ($x, $y) = (shift, shift) }
		$s{$F[1]} = $F[2] if $F[0] eq "link-start"; $e{$F[1]} = $F[2] if $F[0] eq "link-end";
		END { die "no span for $x or $y\n" unless $e{$x} && $e{$y};
		      exit(($s{$x} < $e{$y} && $s{$y} < $e{$x}) ? 0 : 1) }' "$1" "$2" "$STAMPS"
}

@test "serial links of one directory never overlap; plain links do" {
	cat >Makefile <<'MK'
all: vmlinux .tmp_vmlinux1 .tmp_vmlinux.kallsyms2 app1 app2
vmlinux .tmp_vmlinux1 .tmp_vmlinux.kallsyms2 app1 app2:
	+LINKNAME=$@ LINK_SECONDS=0.5 $(KW) --verbose --threads=off bin/ld.lld -o $@ main.o helper.o -e main
MK
	run --separate-stderr make -j5 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	cat stamps
	run overlaps vmlinux .tmp_vmlinux1
	[ "$status" -eq 1 ]
	run overlaps vmlinux .tmp_vmlinux.kallsyms2
	[ "$status" -eq 1 ]
	run overlaps .tmp_vmlinux1 .tmp_vmlinux.kallsyms2
	[ "$status" -eq 1 ]
	overlaps app1 app2
	# Two of the three waited for the lock, and said how long.
	[ "$(grep -cE 'serial link: lock taken after (0\.[1-9]|[1-9])' <<<"$stderr")" -ge 1 ]
	[ -e .klinkwrap-serial.lock ]
	# --serial changes the patterns: now the apps are serial too.
	rm -f stamps
	run --separate-stderr make -B -j5 KW="$KLINKWRAP --serial=app*"
	[ "$status" -eq 0 ]
	run overlaps app1 app2
	[ "$status" -eq 1 ]
	overlaps vmlinux .tmp_vmlinux1
}

# exclusive_makefile: vmlinux (a 1.5 s link) among 24 short recipes, each
# stamping its start and end; all can end while vmlinux links, and then
# only the probe, which counts the tokens, is left.
exclusive_makefile() {
	{
		echo "all: t1 t2 t3 vmlinux $(seq -f 't%g' 4 24 | tr '\n' ' ')"
		printf 'vmlinux:\n\t+LINKNAME=$@ LINK_SECONDS=1.5 $(KW) --verbose bin/ld.lld -o $@ main.o helper.o -e main\n'
		printf 't%%:\n\t@./stamp start $@; sleep 0.05; ./stamp end $@\n'
		printf 'probe: all\n\t+@perl probe.pl\n'
	} >Makefile
}

# started_during: how many recipes started while the link ran.
started_during() {
	perl -ane '$ls = $F[2] if $F[0] eq "link-start"; $le = $F[2] if $F[0] eq "link-end";
		push @s, $F[2] if $F[0] eq "start";
		END { print scalar(grep { $_ > $ls && $_ < $le } @s), "\n" }' "$STAMPS"
}

@test "without --exclusive, recipes keep starting while vmlinux links" {
	exclusive_makefile
	make_and_probe 4 KW="$KLINKWRAP"
	[ "$(started_during)" -ge 18 ]
}

@test "--exclusive: the link takes every token that comes free; once it holds them all, nothing starts" {
	exclusive_makefile
	make_and_probe 4 KW="$KLINKWRAP --exclusive"
	grep -q 'vmlinux: jobserver: giving back 3 token(s)' err
	local all
	all=$(sed -n 's/^klinkwrap: vmlinux: jobserver: exclusive: holding all 3 token(s); t=//p' err)
	[ -n "$all" ]
	# No recipe started between that moment and the end of the link.
	perl -ane 'BEGIN { $all = shift } $le = $F[2] if $F[0] eq "link-end"; push @s, $F[2] if $F[0] eq "start";
		END { my @bad = grep { $_ > $all && $_ < $le } @s; exit(@bad ? 1 : 0) }' "$all" "$STAMPS"
	# Far fewer of the 21 started during the link than without
	# --exclusive: only those make restarted with a finished recipe's
	# token before klinkwrap could take it.
	[ "$(started_during)" -le 12 ]
}

@test "--exclusive --exclusive-wait: no other recipe runs at all while vmlinux links" {
	exclusive_makefile
	make_and_probe 4 KW="$KLINKWRAP --exclusive --exclusive-wait=10"
	grep -q 'vmlinux: jobserver: exclusive: holding all 3 token(s)' err
	# Every other recipe ran before the link started or after it ended.
	perl -ane '$ls = $F[2] if $F[0] eq "link-start"; $le = $F[2] if $F[0] eq "link-end";
		$s{$F[1]} = $F[2] if $F[0] eq "start"; $e{$F[1]} = $F[2] if $F[0] eq "end";
		END { for (keys %s) { die "$_ overlaps the link\n" if $s{$_} < $le && $e{$_} > $ls } }' "$STAMPS"
	[ "$(grep -c '^start' stamps)" -eq 24 ]
}

@test "--exclusive-wait is bounded: with tokens held elsewhere the link starts anyway" {
	# A sibling holds a token for 3 s; the link waits 1 s, then starts.
	cat >Makefile <<'MK'
all: hog vmlinux
hog:
	@sleep 3
vmlinux:
	@sleep 0.2
	+LINKNAME=$@ LINK_SECONDS=0 $(KW) --verbose --exclusive --exclusive-wait=1 bin/ld.lld -o $@ main.o helper.o -e main
MK
	SECONDS=0
	run --separate-stderr make -j3 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	grep -q 'vmlinux: jobserver: exclusive: 1 of 2 token(s) after 1\.' <<<"$stderr"
	[ "$SECONDS" -lt 6 ]
}

@test "--exclusive leaves plain links alone" {
	printf 'all:\n\t+$(KW) --verbose --exclusive --threads=off ld.lld -o app main.o helper.o -e main\n' >Makefile
	run --separate-stderr make -j4 KW="$KLINKWRAP"
	[ "$status" -eq 0 ]
	grep -q 'app: jobserver: holding 0 token(s)' <<<"$stderr"
	refute grep -q exclusive <<<"$stderr"
}

@test "a signal while waiting for tokens: the linker never starts, the tokens go back" {
	# The hog keeps one token, so the link waits; SIGTERM ends the wait.
	cat >Makefile <<'MK'
all: hog vmlinux
hog:
	@sleep 2
vmlinux:
	@sleep 0.2
	+@env --default-signal $(KW) --verbose --exclusive --exclusive-wait=30 bin/ld.lld -o $@ main.o -e main 2>log & pid=$$!; until grep -q 'lock taken' log; do sleep 0.01; done; sleep 0.3; kill -TERM $$pid; wait $$pid; echo "status $$?" >status; cat log >&2
probe: all
	+@perl probe.pl
MK
	make_and_probe 4 KW="$KLINKWRAP"
	[ "$(cat status)" = "status 143" ]
	[ ! -e stamps ]
	[ ! -e vmlinux ]
	grep -q 'vmlinux: jobserver: giving back 2 token(s)' err
}

@test "a serial lock file that is a symbolic link or not a regular file is refused" {
	# A planted link must not make klinkwrap create or lock its target.
	ln -s "$PWD/victim" .klinkwrap-serial.lock
	run --separate-stderr "$KLINKWRAP" ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ "$stderr" == "klinkwrap: warning: the serial-link lock ./.klinkwrap-serial.lock is a symbolic link; refusing it, linking unlocked" ]]
	[ ! -e victim ]
	is_elf vmlinux
	# --verbose does not claim a lock it did not take.
	run --separate-stderr "$KLINKWRAP" --verbose ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ "$stderr" != *"lock taken"* ]]
	rm .klinkwrap-serial.lock
	# A fifo would hang an open for reading; a directory cannot be locked.
	mkfifo .klinkwrap-serial.lock
	run --separate-stderr timeout 10 "$KLINKWRAP" ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"the serial-link lock ./.klinkwrap-serial.lock is not a regular file; refusing it"* ]]
	rm .klinkwrap-serial.lock
	mkdir .klinkwrap-serial.lock
	run --separate-stderr "$KLINKWRAP" ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"lock"*"refusing it, linking unlocked"* || "$stderr" == *"cannot open the serial-link lock"* ]]
}
