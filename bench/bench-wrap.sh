#!/bin/bash
# Wrapper overhead: a medium real link (400 objects) and a trivial one,
# wrapped and plain, interleaved, medians compared.
# Environment: RUNS (default 200), KLINKWRAP, BENCH_WORK.
set -euo pipefail
runs=${RUNS:-200}
work=$BENCH_WORK/wrap
mkdir -p "$work"
cd "$work"

if [ ! -f objs/.done ]; then
	rm -rf objs && mkdir objs
	for i in $(seq 0 399); do
		{
			for f in $(seq 0 9); do
				echo "int g_${i}_${f}[64] = { $f };"
				echo "int f_${i}_${f}(int x) { return x * $f + g_${i}_${f}[x & 63] + $i; }"
			done
			[ "$i" = 0 ] && echo 'int main(void) { return f_0_0(1); }'
		} >"objs/m$i.c"
	done
	ls objs/*.c | xargs -P "$(nproc)" -n 20 sh -c 'for f; do cc -O1 -ffunction-sections -c -o "${f%.c}.o" "$f"; done' sh
	echo 'int main(void) { return 0; }' >trivial.c
	cc -c -o trivial.o trivial.c
	touch objs/.done
fi

# interleave NAME RUNS CMD-A -- CMD-B: alternate A and B, print medians.
perl - "$runs" "$KLINKWRAP" <<'PERL'
use strict; use warnings; use Time::HiRes qw(time);
my ($runs, $kw) = @ARGV;
my @objs = glob("objs/m*.o");
sub median { my @s = sort { $a <=> $b } @_; my $n = @s; $n % 2 ? $s[$n/2] : ($s[$n/2-1] + $s[$n/2]) / 2 }
sub run { my $t = time; system(@_) == 0 or die "failed: @_\n"; return time - $t }
for my $case (["medium (400 objects)", \@objs, "medium"], ["trivial (1 object)", ["trivial.o"], "trivial"]) {
	my ($label, $inputs, $out) = @$case;
	my (@plain, @wrapped);
	for my $i (1 .. $runs) {
		# Alternate which goes first so drift hits both alike.
		if ($i % 2) {
			push @plain, run("ld", "-o", "$out.plain", "-e", "main", @$inputs);
			push @wrapped, run($kw, "ld", "-o", "$out.wrapped", "-e", "main", @$inputs);
		} else {
			push @wrapped, run($kw, "ld", "-o", "$out.wrapped", "-e", "main", @$inputs);
			push @plain, run("ld", "-o", "$out.plain", "-e", "main", @$inputs);
		}
	}
	system("cmp", "-s", "$out.plain", "$out.wrapped") == 0 or die "outputs differ\n";
	my ($p, $w) = (median(@plain), median(@wrapped));
	printf "%-22s plain %8.3f ms  wrapped %8.3f ms  added %+7.3f ms (%+.1f %%)  [%d runs each, medians]\n",
		$label, $p * 1e3, $w * 1e3, ($w - $p) * 1e3, ($w - $p) / $p * 100, $runs;
}
PERL
