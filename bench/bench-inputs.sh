#!/bin/bash
# Input listing (inputs.h): the time of one inputs_list call, in process,
# for the 400-object link of bench-wrap.sh, a -lc link (which asks GNU ld
# for its search path) and, when a kernel tree is cached, the 6.1 vmlinux
# link (a thin archive of 384 members and a linker script); next to it the
# time of the plain link, to relate the cost to the 5 % budget; and the
# link log's listing (--hashed: each input hashed too).
# Environment: RUNS (hyperfine runs, default 30), REPEAT (calls averaged,
# default 200), BENCH_WORK, KW_KERNEL_CACHE.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-30}
repeat=${REPEAT:-200}
list=$root/build/release/unit/list_inputs
[ -x "$list" ] || { echo "no $list: make test-programs" >&2; exit 1; }
work=$BENCH_WORK/inputs
mkdir -p "$work"
cd "$work"

# The 400 objects every medium-link bench uses.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/objs400.sh"
bench_objs400

medium=(-o medium.out -e main objs/m*.o)
cc -O2 -o magic-floor "$root/bench/magic-floor.c"
echo "### 400 objects"
"$list" --repeat="$repeat" ld "${medium[@]}" 2>&1 >/dev/null
# The link log's listing: every input hashed as it is opened.
"$list" --repeat="$repeat" --hashed ld "${medium[@]}" 2>&1 >/dev/null
./magic-floor "$repeat" objs/m*.o
hyperfine -N -w 3 -r "$runs" "ld ${medium[*]}" 2>/dev/null | grep -E 'Time|Range'

echo "### -lc (one ld --verbose for the search path)"
"$list" --repeat=20 ld -o lc.out -e main objs/m0.o -lc 2>&1 >/dev/null

cache=${KW_KERNEL_CACHE:-$root/build/kernel}
if [ -f "$cache/tiny-6.1/vmlinux.a" ]; then
	echo "### 6.1 vmlinux link (read only: the tree is not relinked)"
	cd "$cache/tiny-6.1"
	for hashed in "" --hashed; do
		"$list" --repeat="$repeat" $hashed ld -m elf_i386 -z noexecstack \
			--no-warn-rwx-segments --build-id=sha1 --orphan-handling=warn \
			--script=./arch/x86/kernel/vmlinux.lds -o vmlinux --whole-archive vmlinux.a \
			init/version-timestamp.o --no-whole-archive --start-group lib/lib.a \
			arch/x86/lib/lib.a --end-group .tmp_vmlinux.kallsyms2.o 2>&1 >/dev/null
	done
fi
