#!/bin/bash
# bench-converge.sh: links and link-phase wall time of the fixed point on
# the stubchain fixture (tests/fixtures/stubchain.sh, real ppc64 GNU ld
# stubs), klinkwrap converge against the stock 6.1 pass logic
# (tests/fixtures/stubchain-link-vmlinux.sh), for k = 2..8; then, with
# KW_KERNEL_CACHE naming built kernel trees (tiny-6.1, tiny-6.12), the cost
# of Kbuild mode's check on the final vmlinux link against that link.
#
# Environment: KLINKWRAP (the binary), BENCH_WORK (scratch), RUNS (default 5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
KLINKWRAP=${KLINKWRAP:-$root/build/release/klinkwrap}
work=${BENCH_WORK:-$root/build/bench}/converge
runs=${RUNS:-5}
sc=$root/tests/fixtures/stubchain.sh
stock=$root/tests/fixtures/stubchain-link-vmlinux.sh
mkdir -p "$work"

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

if command -v powerpc64-linux-gnu-ld >/dev/null; then
	echo "| k | stock links | stock result | converge links | converge result | stock s | converge s |"
	echo "|---|-------------|--------------|----------------|-----------------|---------|------------|"
	for k in 2 3 4 5 6 7 8; do
		"$sc" gen "k$k" "$work/cache-k$k" >/dev/null
		ts=() tc=()
		for ((r = 0; r < runs; r++)); do
			rm -rf "$work/k$k" && cp -r "$work/cache-k$k" "$work/k$k"
			t0=$(now)
			st=0
			"$stock" "$work/k$k" "$work/k$k/stock" >"$work/stock.out" 2>&1 || st=$?
			t1=$(now)
			ts+=("$(echo "$t1 - $t0" | bc)")
			sl=$(grep -c '^  LD ' "$work/stock.out" || true)
			mapfile -t ld < <("$sc" ldcmd "$work/k$k")
			t0=$(now)
			ct=0
			"$KLINKWRAP" converge --sysmap=6.1 --regen="$sc regen-env $work/k$k" -- "${ld[@]}" \
				>"$work/conv.out" 2>&1 || ct=$?
			t1=$(now)
			tc+=("$(echo "$t1 - $t0" | bc)")
			cl=$(grep -c '^  LD ' "$work/conv.out" || true)
		done
		printf '| %s | %s | %s | %s | %s | %.3f | %.3f |\n' "$k" "$sl" \
			"$([ "$st" -eq 0 ] && echo ok || echo Inconsistent)" "$cl" \
			"$([ "$ct" -eq 0 ] && echo converged || echo "exit $ct")" \
			"$(printf '%s\n' "${ts[@]}" | median)" "$(printf '%s\n' "${tc[@]}" | median)"
	done
else
	echo "(powerpc64-linux-gnu-ld missing: fixture part skipped)"
fi

# Kbuild mode's check: what klinkwrap adds to the final link when the
# kernel's passes suffice (the set read, filtered and compared with the
# .syms), measured as `syms --sysmap` of vmlinux plus a cmp; and the link
# phase (make vmlinux after removing it: three links) plain and through
# klinkwrap, under the trees' relink lock.
cache=${KW_KERNEL_CACHE:-$root/build/kernel}
for v in 6.1 6.12; do
	obj=$cache/tiny-$v src=$cache/src-$v
	[ -f "$obj/vmlinux" ] || { echo "($obj/vmlinux missing: kernel $v skipped)"; continue; }
	syms=$(ls "$obj"/.tmp_vmlinux.kallsyms2.syms "$obj"/.tmp_vmlinux2.syms 2>/dev/null | head -1 || true)
	cc=() tp=() tw=()
	for ((r = 0; r < runs; r++)); do
		t0=$(now)
		"$KLINKWRAP" syms --sysmap="$v" "$obj/vmlinux" | cmp -s - "$syms" || true
		t1=$(now)
		cc+=("$(echo "$t1 - $t0" | bc)")
	done
	for ((r = 0; r < runs; r++)); do
		for mode in plain wrapped; do
			ld=ld
			[ $mode = wrapped ] && ld="$KLINKWRAP ld"
			t=$(flock "$cache/.relink.lock" sh -c '
				rm -f "$1/vmlinux"; t0=$(date +%s.%N)
				make -s -C "$2" O="$1" LD="$3" vmlinux >/dev/null 2>&1 || exit 1
				t1=$(date +%s.%N); echo "$t1 - $t0" | bc' _ "$obj" "$src" "$ld")
			if [ $mode = plain ]; then tp+=("$t"); else tw+=("$t"); fi
		done
	done
	printf 'kernel %s: check %.3f s; make vmlinux (3 links) plain %.3f s, klinkwrap %.3f s (medians of %d)\n' \
		"$v" "$(printf '%s\n' "${cc[@]}" | median)" "$(printf '%s\n' "${tp[@]}" | median)" \
		"$(printf '%s\n' "${tw[@]}" | median)" "$runs"
done
