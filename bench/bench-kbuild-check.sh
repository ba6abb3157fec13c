#!/bin/bash
# The Kbuild-mode check on the final vmlinux link (bench/README.md, "The
# Kbuild-mode check on the final link"): mksysmap of the new vmlinux
# against the last pass's .syms, which klinkwrap adds to every final link
# of `make LD="klinkwrap ld"`. For each built tinyconfig tree (tiny-6.1,
# tiny-6.12 in KW_KERNEL_CACHE): the check alone on the tree's vmlinux
# (bench/kbuild-check.c, one fresh process a check, median), then RELINKS
# relinks (`rm vmlinux; make vmlinux` under the trees' relink lock) with
# the check's time and the final link's as klinkwrap --verbose reports
# them.
#
# Environment: KLINKWRAP, BENCH_WORK, KW_KERNEL_CACHE (default
# build/kernel), RUNS (checks in fresh processes, default 200), RELINKS
# (default 3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
KLINKWRAP=${KLINKWRAP:-$root/build/release/klinkwrap}
work=${BENCH_WORK:-$root/build/bench}/kbuild-check
runs=${RUNS:-200}
relinks=${RELINKS:-3}
cache=${KW_KERNEL_CACHE:-$root/build/kernel}
mkdir -p "$work"

lib=$(dirname "$KLINKWRAP")/libklinkwrap.a
[ -f "$lib" ] || lib=$root/build/release/libklinkwrap.a
[ -f "$lib" ] || make -C "$root" -s build/release/libklinkwrap.a
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -o "$work/kbuild-check" \
	"$root/bench/kbuild-check.c" "$lib" $(pkg-config --libs jansson)

for tree in "6.1 tiny-6.1" "6.12 tiny-6.12"; do
	read -r v name <<<"$tree"
	obj=$cache/$name src=$cache/src-$v
	[ -f "$obj/vmlinux" ] || { echo "($obj/vmlinux missing: $name skipped)"; continue; }
	syms=$(ls "$obj"/.tmp_vmlinux.kallsyms2.syms "$obj"/.tmp_vmlinux2.syms 2>/dev/null | head -1 || true)
	echo "$name, the check alone:"
	echo "  $("$work/kbuild-check" "$obj/vmlinux" "$syms" "$v" "$runs")"
	for ((r = 1; r <= relinks; r++)); do
		flock "$cache/.relink.lock" sh -c '
			rm -f "$2/vmlinux"
			KLINKWRAP_VERBOSE=yes make -s -C "$1" O="$2" LD="$3 ld" vmlinux >"$4" 2>&1' \
			_ "$src" "$obj" "$KLINKWRAP" "$work/make.out"
		link=$(sed -n 's/^klinkwrap: vmlinux: .* exited 0 after \([0-9.]*\) s.*/\1/p' \
			"$work/make.out" | tail -1)
		check=$(sed -n 's/^klinkwrap: vmlinux: kallsyms check: .* in \([0-9.]*\) ms$/\1/p' \
			"$work/make.out")
		[ -n "$link" ] && [ -n "$check" ] || { cat "$work/make.out"; exit 1; }
		grep -q 'kallsyms check: System.map equals' "$work/make.out" ||
			echo "  (the check said the map differs: see $work/make.out)"
		printf '  relink %d: final link %.0f ms, check %.3f ms, %.2f %% of the link\n' \
			"$r" "$(echo "$link * 1000" | bc)" "$check" "$(echo "scale=4; $check / ($link * 10)" | bc)"
	done
done
