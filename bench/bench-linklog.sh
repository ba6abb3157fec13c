#!/bin/bash
# Link log overhead: the 400-object link (as in bench-wrap.sh) and the real
# 6.1 tinyconfig vmlinux link, each run plain, wrapped without a log, and
# wrapped with --log --log-inputs=all (every input hashed), and with
# --snapshot-dir as well, interleaved, medians compared. Then the input hashing alone over the files
# `ld --trace` reports for each link (bench/linklog-hash.c).
# Environment: RUNS (default 40), KLINKWRAP, BENCH_WORK, KW_KERNEL_CACHE
# (default build/kernel; the vmlinux case is skipped without a built tree).
set -euo pipefail
runs=${RUNS:-40}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$BENCH_WORK/linklog
mkdir -p "$work"
cd "$work"

lib=$(dirname "$KLINKWRAP")/libklinkwrap.a
[ -f "$lib" ] || lib=$root/build/release/libklinkwrap.a
[ -f "$lib" ] || make -C "$root" -s build/release/libklinkwrap.a
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -o linklog-hash \
	"$root/bench/linklog-hash.c" "$lib" $(pkg-config --libs libelf libxxhash jansson)

# The 400 objects every medium-link bench uses.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/objs400.sh"
bench_objs400

# bench DIR LABEL ARGS...: in DIR, the link ARGS (an "-o OUT" among them,
# OUT ending in ".%s"), plain, wrapped and logged.
bench() {
	local dir=$1 label=$2
	shift 2
	(cd "$dir" && perl - "$runs" "$KLINKWRAP" "$work" "$label" "$@") <<'PERL'
use strict; use warnings; use Time::HiRes qw(time);
my ($runs, $kw, $work, $label, @args) = @ARGV;
open(my $report, '>&', \*STDOUT) or die;
open(STDOUT, '>', '/dev/null') or die;
sub median { my @s = sort { $a <=> $b } @_; my $n = @s; $n % 2 ? $s[$n/2] : ($s[$n/2-1] + $s[$n/2]) / 2 }
sub run { my $t = time; system(@_) == 0 or die "failed: @_\n"; return time - $t }
my $log = "$work/bench.jsonl";
my @log = ("--log=$log", "--log-inputs=all");
my @kinds = qw(plain wrapped logged snapshots);
my %t = map { $_ => [] } @kinds;
my %cmd = (plain => ["ld"], wrapped => [$kw, "ld"], logged => [$kw, @log, "ld"],
	   snapshots => [$kw, @log, "--snapshot-dir=$work/snapshots", "ld"]);
for my $i (1 .. $runs) {
	# Rotate the order so drift hits all of them alike.
	my @order = @kinds[map { ($_ + $i) % @kinds } 0 .. $#kinds];
	for my $k (@order) {
		my @a = map { (my $x = $_) =~ s/%s/$k/; $x } @args;
		unlink $log; # one record in the log, as in a build: not a growing file
		push @{$t{$k}}, run(@{$cmd{$k}}, @a);
	}
}
my ($p, $w, $l, $s) = map { median(@{$t{$_}}) } @kinds;
printf $report "%s [%d runs each, medians]\n  plain %.3f ms, wrapped %.3f ms, logged %.3f ms, logged+snapshots %.3f ms\n  logged/wrapped %.3f, logged+snapshots/wrapped %.3f, logged/plain %.3f\n",
	$label, $runs, $p * 1e3, $w * 1e3, $l * 1e3, $s * 1e3, $l / $w, $s / $w, $l / $p;
# The log's own time, as klinkwrap --verbose reports it: what the link
# waits for before the linker starts and after it exits. Less noisy than
# the difference of two medians, since the linker's own time is left out.
my (@before, @after);
for my $i (1 .. $runs) {
	unlink $log;
	my @a = map { (my $x = $_) =~ s/%s/logged/; $x } @args;
	open(my $v, '-|', 'sh', '-c', 'exec "$@" 2>&1 >/dev/null', 'sh', $kw, '--verbose', @log, 'ld', @a) or die;
	while (<$v>) {
		if (/link log: \d+ input\(s\) hashed in ([0-9.]+) ms before the link, a record of \d+ bytes written in ([0-9.]+) ms after it/) {
			push @before, $1; push @after, $2;
		}
	}
	close($v) or die "failed: logged link\n";
}
unlink $log;
run(@{$cmd{logged}}, map { (my $x = $_) =~ s/%s/logged/; $x } @args); # the record shown below
# All of it is the log's: a link without the log lists no inputs.
my ($bt, $at) = (median(@before), median(@after));
printf $report "  the log's own time (--verbose): %.3f ms before the link (listing and hashing) + %.3f ms after" .
	" = %.3f ms, %.1f %% of the wrapped link\n",
	$bt, $at, $bt + $at, ($bt + $at) / ($w * 1e3) * 100;
PERL
}

# hash_inputs DIR ARGS...: the inputs ld --trace reports, hashed alone.
hash_inputs() {
	local dir=$1
	shift
	(cd "$dir" && ld "$@" --trace -o "$work/trace.out" | grep -v ': mode ' |
		"$work/linklog-hash" 20)
}

echo "### 400-object link"
bench "$work" "medium (400 objects)" -o medium.%s -e main objs/m*.o
printf 'input hashing alone: '
hash_inputs "$work" -e main objs/m*.o
echo "inputs the log recorded for that link: $(jq '.inputs | length' bench.jsonl)" \
	"(incomplete: $(jq '.inputs_incomplete' bench.jsonl))"

cache=${KW_KERNEL_CACHE:-$root/build/kernel}
if [ ! -f "$cache/tiny-6.1/.built" ]; then
	echo "### vmlinux: skipped (no built 6.1 tinyconfig in $cache; make check-kernel builds it)"
	exit 0
fi
echo
echo "### 6.1 tinyconfig vmlinux link (a copy of the objtree)"
rm -rf tree && mkdir tree
flock -s "$cache/.relink.lock" cp -a "$cache/tiny-6.1/." tree
# The final link's argv, as Kbuild runs it, from one relink through the log.
rm -f argv.jsonl
KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026' KBUILD_BUILD_USER=klinkwrap \
	KBUILD_BUILD_HOST=ci KBUILD_BUILD_VERSION=1 \
	make -s -C "$cache/src-6.1" O="$work/tree" LD="$KLINKWRAP --log=$work/argv.jsonl --log-argv ld" vmlinux >/dev/null
mapfile -t argv < <(jq -r 'select(.output == "vmlinux" and .kind != "regen") | .argv[1:][]' argv.jsonl)
for i in "${!argv[@]}"; do
	[ "${argv[$i]}" = vmlinux ] && [ "${argv[$((i - 1))]}" = -o ] && argv[i]=vmlinux.%s
done
bench "$work/tree" "vmlinux (6.1 tinyconfig)" "${argv[@]}"
printf 'input hashing alone: '
hash_inputs "$work/tree" "${argv[@]/vmlinux.%s/vmlinux.trace}"
echo "inputs the log recorded for that link: $(jq '.inputs | length' bench.jsonl)" \
	"(incomplete: $(jq '.inputs_incomplete' bench.jsonl))"
