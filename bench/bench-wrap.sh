#!/bin/bash
# Wrapper overhead: a medium real link (400 objects) and a trivial one,
# wrapped and plain, interleaved; medians compared, and the median of the
# ratios of each round (wrapped / plain run of the same round).
# Environment: RUNS (default 200), KLINKWRAP, BENCH_WORK, BASELINE (another
# klinkwrap to time alongside, optional).
set -euo pipefail
runs=${RUNS:-200}
work=$BENCH_WORK/wrap
mkdir -p "$work"
cd "$work"

# The 400 objects every medium-link bench uses.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/objs400.sh"
bench_objs400
if [ ! -f trivial.o ]; then
	echo 'int main(void) { return 0; }' >trivial.c
	cc -c -o trivial.o trivial.c
fi

# Each case rotates the plain command, the wrapped one and (BASELINE=path
# to another klinkwrap, e.g. a build of the previous commit) the baseline,
# so that drift on a shared machine hits all alike, and prints medians.
perl - "$runs" "$KLINKWRAP" "${BASELINE:-}" <<'PERL'
use strict; use warnings; use Time::HiRes qw(time);
my ($runs, $kw, $base) = @ARGV;
my @objs = glob("objs/m*.o");
# The linkers' own output (ld -v) would bury the figures.
open(my $report, '>&', \*STDOUT) or die;
open(STDOUT, '>', '/dev/null') or die;
sub median { my @s = sort { $a <=> $b } @_; my $n = @s; $n % 2 ? $s[$n/2] : ($s[$n/2-1] + $s[$n/2]) / 2 }
sub run { my $t = time; system(@_) == 0 or die "failed: @_\n"; return time - $t }
for my $case (["medium (400 objects)", ["-o", "medium.%s", "-e", "main", @objs], 1],
              ["trivial (1 object)", ["-o", "trivial.%s", "-e", "main", "trivial.o"], 1],
              ["passthrough (ld -v)", ["-v"], 0]) {
	my ($label, $args, $compare) = @$case;
	my %cmd;
	for my $v ("plain", "wrapped", $base ? ("baseline") : ()) {
		my @a = map { (my $a = $_) =~ s/%s/$v/; $a } @$args;
		$cmd{$v} = $v eq "plain" ? ["ld", @a] : [$v eq "wrapped" ? $kw : $base, "ld", @a];
	}
	my @order = sort keys %cmd;
	my (%t, %ratio);
	for my $i (1 .. $runs) {
		# Rotate which goes first.
		my @o = (@order[$i % @order .. $#order], @order[0 .. $i % @order - 1]);
		my %round;
		$round{$_} = run(@{$cmd{$_}}) for @o;
		push @{$t{$_}}, $round{$_} for @o;
		# Paired: each against the plain run of the same round, which
		# ran within a few ms of it (drift on a shared host cancels).
		push @{$ratio{$_}}, $round{$_} / $round{plain} for grep { $_ ne "plain" } @o;
	}
	if ($compare) {
		for my $v (grep { $_ ne "plain" } @order) {
			system("cmp", "-s", sprintf($args->[1], "plain"), sprintf($args->[1], $v)) == 0
				or die "outputs differ\n";
		}
	}
	my $pm = median(@{$t{plain}});
	for my $v (grep { $_ ne "plain" } @order) {
		my $wm = median(@{$t{$v}});
		printf $report "%-22s plain %8.3f ms  %-8s %8.3f ms  added %+7.3f ms (%+.1f %%)  paired %.3fx  [%d runs each, medians]\n",
			$label, $pm * 1e3, $v, $wm * 1e3, ($wm - $pm) * 1e3, ($wm - $pm) / $pm * 100,
			median(@{$ratio{$v}}), $runs;
	}
}
PERL
