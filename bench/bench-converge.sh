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
# phase (make vmlinux after removing it) plain and through klinkwrap, under
# the trees' relink lock, with the vmlinux links it made. Trees: tiny-6.1,
# tiny-6.12 (GNU ld) and llvm64-6.12 (LLVM=1, ld.lld), where built.
cache=${KW_KERNEL_CACHE:-$root/build/kernel}
for tree in "6.1 tiny-6.1 ld" "6.12 tiny-6.12 ld" "6.12 llvm64-6.12 ld.lld LLVM=1"; do
	read -r v name kld margs <<<"$tree"
	obj=$cache/$name src=$cache/src-$v
	[ -f "$obj/vmlinux" ] || { echo "($obj/vmlinux missing: $name skipped)"; continue; }
	syms=$(ls "$obj"/.tmp_vmlinux.kallsyms2.syms "$obj"/.tmp_vmlinux2.syms 2>/dev/null | head -1 || true)
	cc=() tp=() tw=() lp='' lw=''
	for ((r = 0; r < runs; r++)); do
		t0=$(now)
		"$KLINKWRAP" syms --sysmap="$v" "$obj/vmlinux" | cmp -s - "$syms" || true
		t1=$(now)
		cc+=("$(echo "$t1 - $t0" | bc)")
	done
	for ((r = 0; r < runs; r++)); do
		# Wrapped first: the tree is left as the plain linker made it.
		for mode in wrapped plain; do
			wld=$kld
			[ $mode = wrapped ] && wld="$KLINKWRAP $kld"
			# shellcheck disable=SC2086 # margs: make arguments, split
			t=$(flock "$cache/.relink.lock" sh -c '
				obj=$1 src=$2 ld=$3 out=$4; shift 4
				rm -f "$obj/vmlinux"; t0=$(date +%s.%N)
				make -C "$src" O="$obj" LD="$ld" "$@" vmlinux >"$out" 2>&1 || exit 1
				t1=$(date +%s.%N); echo "$t1 - $t0" | bc' _ "$obj" "$src" "$wld" \
				"$work/make.out" $margs)
			n=$(grep -cE '^  LD      (vmlinux|\.tmp_vmlinux[^ ]*)$' "$work/make.out" || true)
			if [ $mode = plain ]; then tp+=("$t") lp=$n; else tw+=("$t") lw=$n; fi
		done
	done
	printf '%s: check %.3f s; make vmlinux plain %s links %.3f s, klinkwrap %s links %.3f s (medians of %d)\n' \
		"$name" "$(printf '%s\n' "${cc[@]}" | median)" "$lp" "$(printf '%s\n' "${tp[@]}" | median)" \
		"$lw" "$(printf '%s\n' "${tw[@]}" | median)" "$runs"
done
