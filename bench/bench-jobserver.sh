#!/bin/bash
# Jobserver costs: (1) taking and giving back tokens through klinkwrap's
# client, in-process, on a pipe and a fifo; (2) what the jobserver adds to
# a wrapped trivial link (hyperfine); (3) the wall time of an lld link of a
# large generated program under make -j2, with threads provisioned from
# the jobserver and without (lld's own default, all CPUs), alone and beside
# a CPU-bound sibling recipe; (4) the same link in a recipe without '+',
# wrapped and plain.
# Environment: ITERATIONS (default 200000), RUNS (default 10), KLINKWRAP,
# BENCH_WORK.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iterations=${ITERATIONS:-200000}
runs=${RUNS:-10}
work=$BENCH_WORK/jobserver
mkdir -p "$work"
cd "$work"

# The library next to the klinkwrap under test.
lib=$(dirname "$KLINKWRAP")/libklinkwrap.a
[ -f "$lib" ] || lib=$root/build/release/libklinkwrap.a
[ -f "$lib" ] || make -C "$root" -s build/release/libklinkwrap.a
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -o jobserver-tokens \
	"$root/bench/jobserver-tokens.c" "$lib" $(pkg-config --libs libelf libxxhash jansson)

echo "### token take + give back ($iterations rounds, 3 and 31 tokens in the pool)"
./jobserver-tokens "$work" "$iterations" 3
./jobserver-tokens "$work" "$iterations" 31

echo
echo "### a wrapped trivial lld link: no jobserver, and a fifo jobserver with 3 free tokens"
echo 'int main(void) { return 0; }' >trivial.c
cc -c -o trivial.o trivial.c
rm -f fifo && mkfifo fifo
exec 8<>fifo
printf '+++' >&8
hyperfine -N --warmup 5 --runs 200 --style basic \
	-n 'no jobserver' "env -u MAKEFLAGS $KLINKWRAP ld.lld -o t1 trivial.o -e main" \
	-n 'fifo, 3 tokens' "env MAKEFLAGS=' -j4 --jobserver-auth=fifo:$work/fifo' $KLINKWRAP ld.lld -o t2 trivial.o -e main" \
	-n 'fifo, --threads=off' "env MAKEFLAGS=' -j4 --jobserver-auth=fifo:$work/fifo' $KLINKWRAP --threads=off ld.lld -o t3 trivial.o -e main" \
	2>&1 | grep -E 'Time|±|^  [a-z]|Benchmark|faster'
exec 8>&-

echo
echo "### lld link of a large generated program under make -j2"
# 200 objects of 1,500 functions each, every one in its own section with
# calls, a mergeable string and a data pointer: about 300 MB of input and
# a link of about a second, enough for lld's threads to matter.
if [ ! -f big/.done ]; then
	rm -rf big && mkdir big
	for i in $(seq 0 199); do
		awk -v i="$i" -v n=1500 'BEGIN {
			for (f = 0; f < n; f++) {
				printf "\t.section .text.f_%d_%d,\"ax\",@progbits\n\t.globl f_%d_%d\n\t.type f_%d_%d,@function\nf_%d_%d:\n", i, f, i, f, i, f, i, f
				printf "\tleaq .LS%d(%%rip), %%rax\n\tcall f_%d_%d\n\tcall f_%d_%d\n\tret\n", f, (i * 7 + f) % 200, (f * 13) % n, (i + 1) % 200, (f * 7 + 3) % n
				printf "\t.section .rodata.str1.1,\"aMS\",@progbits,1\n.LS%d:\n\t.string \"string number %d of module %d with some common text %d\"\n", f, f, i, f % 97
				printf "\t.section .data.d_%d_%d,\"aw\"\n\t.globl d_%d_%d\nd_%d_%d:\n\t.quad f_%d_%d\n\t.quad d_%d_%d\n", i, f, i, f, i, f, (i + 3) % 200, (f + 1) % n, i, f
			}
			if (i == 0) printf "\t.text\n\t.globl main\nmain:\n\tret\n"
		}' >"big/m$i.s"
	done
	ls big/*.s | xargs -P "$(nproc)" -n 20 sh -c 'for f; do as -o "${f%.s}.o" "$f" && rm "$f"; done' sh
	touch big/.done
fi
echo "inputs: $(ls big/*.o | wc -l) objects, $(du -cb big/*.o | tail -1 | cut -f1) bytes"
# alone: the link is make's only job. busy: beside a CPU-bound recipe that
# spins until the link is done, so make's two slots are both in use.
cat >Makefile <<'MK'
OBJS := $(sort $(wildcard big/*.o))
alone: link
busy: spin link
link:
	@rm -f big.out.done
	+@$(KW) ld.lld -o big.out -e main --build-id=sha1 $(OBJS)
	@touch big.out.done
# A recipe without '+' (Kbuild's vmlinux.o link): make closes the fds, so
# klinkwrap has no jobserver to go by and must leave lld's threads alone.
noplus:
	@$(KW) ld.lld -o big.out -e main --build-id=sha1 $(OBJS)
spin:
	@rm -f big.out.done; sleep 0.05; while [ ! -e big.out.done ]; do :; done
.PHONY: alone busy link spin noplus
MK
export KLINKWRAP
hyperfine -N --warmup 1 --runs "$runs" --style basic \
	-n 'alone, provisioned (auto)' "make -s -j2 KW='$KLINKWRAP' alone" \
	-n 'alone, not provisioned (--threads=off: lld default, all CPUs)' "make -s -j2 KW='$KLINKWRAP --threads=off' alone" \
	-n 'beside a busy recipe, provisioned (auto)' "make -s -j2 KW='$KLINKWRAP' busy" \
	-n 'beside a busy recipe, not provisioned (--threads=off)' "make -s -j2 KW='$KLINKWRAP --threads=off' busy" \
	2>&1 | grep -E 'Time|±|^  [a-z]|Benchmark|faster'
echo
echo "### the same link in a recipe without '+' under make -j2: wrapped and plain (target: wrapped <= 1.05x plain)"
# Paired and alternating (which goes first alternates too), so that the
# load of a shared machine hits both alike; medians and their ratio.
make -s -j2 KW= noplus # warm-up
perl - "$runs" "$KLINKWRAP" <<'PERL'
use strict; use warnings; use Time::HiRes qw(time);
my ($runs, $kw) = @ARGV;
sub median { my @s = sort { $a <=> $b } @_; my $n = @s; $n % 2 ? $s[$n/2] : ($s[$n/2-1] + $s[$n/2]) / 2 }
sub run { my $t = time; system(@_) == 0 or die "failed: @_\n"; return time - $t }
my (@plain, @wrapped, @ratio);
for my $i (1 .. $runs) {
	my ($p, $w);
	if ($i % 2) { $p = run("make", "-s", "-j2", "KW=", "noplus"); $w = run("make", "-s", "-j2", "KW=$kw", "noplus") }
	else { $w = run("make", "-s", "-j2", "KW=$kw", "noplus"); $p = run("make", "-s", "-j2", "KW=", "noplus") }
	push @plain, $p; push @wrapped, $w; push @ratio, $w / $p;
}
printf "no '+', plain ld.lld: median %.3f s; wrapped: median %.3f s; wrapped/plain: %.3f (median of %d pair ratios %.3f)\n",
	median(@plain), median(@wrapped), median(@wrapped) / median(@plain), $runs, median(@ratio);
PERL
echo "what --verbose says there:"
make -s -j2 KW="$KLINKWRAP --verbose" noplus 2>&1 | grep -v 'exited' || true
echo
echo "threads given (--verbose), alone and busy:"
make -s -j2 KW="$KLINKWRAP --verbose" alone 2>&1 | grep -o 'lld gets [0-9]* thread(s)'
make -s -j2 KW="$KLINKWRAP --verbose" busy 2>&1 | grep -o 'lld gets [0-9]* thread(s)'
