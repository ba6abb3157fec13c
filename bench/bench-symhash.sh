#!/bin/bash
# symhash on a generated ELF of NSYMS symbols (default 320,000, the order of
# an allmodconfig vmlinux) against `nm -n FILE | sha256sum`, side by side,
# with the floor (libelf reading .symtab and .strtab, nothing else) and
# peak RSS against the size of .symtab + .strtab.
# Environment: NSYMS, RUNS (default 20), KLINKWRAP, BENCH_WORK.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nsyms=${NSYMS:-320000}
runs=${RUNS:-20}
work=$BENCH_WORK/symhash
mkdir -p "$work"
cd "$work"

# The generator: functions (global and static), data, rodata and bss
# objects with kernel-like names, in one assembly file, linked by GNU ld.
elf=big-$nsyms.elf
if [ ! -f "$elf" ]; then
	awk -v n="$nsyms" 'BEGIN {
		split("init exit probe remove read write open release ioctl mmap poll show store " \
		      "alloc free lock unlock get put update reset start stop handler worker", w, " ")
		split("drm_ net_ ext4_ xfs_ btrfs_ usb_ pci_ scsi_ snd_ nvme_ i915_ amdgpu_ " \
		      "mlx5_ tcp_ ipv6_ bpf_ kvm_ sched_ mm_ blk_", s, " ")
		for (i = 0; i < n; i++) {
			name = s[i % 20 + 1] w[int(i / 20) % 25 + 1] "_" i
			k = i % 10
			if (k < 6) {
				sec = ".text"; kind = "@function"; body = ".quad 0, 0"; sz = 16
			} else if (k < 8) {
				sec = ".data"; kind = "@object"; body = ".quad 0"; sz = 8
			} else if (k < 9) {
				sec = ".section .rodata"; kind = "@object"; body = ".long 0"; sz = 4
			} else {
				sec = ".bss"; kind = "@object"; body = ".zero 32"; sz = 32
			}
			print "\t" sec
			if (i % 3) print "\t.globl " name
			print "\t.type " name ", " kind
			print name ":"
			print "\t" body
			print "\t.size " name ", " sz
		}
	}' >big.s
	as -o big.o big.s
	ld -e 0 -o "$elf.tmp" big.o
	mv "$elf.tmp" "$elf"
	rm -f big.s big.o
fi
cc -O2 -o symtab-floor "$root/bench/symtab-floor.c" $(pkg-config --cflags --libs libelf)

count=$("$KLINKWRAP" symhash "$elf" | awk '{print $2}')
# .symtab + .strtab sizes, from readelf's "[Nr] Name Type Address Off Size".
sizes=0
for hex in $(readelf -SW "$elf" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == ".symtab" || $1 == ".strtab" { print $5 }'); do
	sizes=$((sizes + 16#$hex))
done
echo "file: $elf, $(stat -c %s "$elf") bytes, $count symbols in the set, .symtab+.strtab $sizes bytes"

if command -v hyperfine >/dev/null; then
	hyperfine --warmup 3 --runs "$runs" --export-json hyperfine.json \
		-n "klinkwrap symhash" "$KLINKWRAP symhash $elf" \
		-n "nm -n | sha256sum" "nm -n $elf | sha256sum" \
		-n "floor (read .symtab+.strtab)" "./symtab-floor $elf" >&2
	jq -r '.results[] | "\(.command): mean \(.mean * 1000 | . * 10 | round / 10) ms, median \(.median * 1000 | . * 10 | round / 10) ms (\(.times | length) runs)"' hyperfine.json
	jq -r '(.results[0].median) as $k | (.results[1].median) as $n | "speed-up over nm -n | sha256sum: \($n / $k | . * 10 | round / 10)x (target >= 20x)"' hyperfine.json
else
	echo "hyperfine missing: no timings" >&2
fi

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
if [ -x /usr/bin/time ]; then
	k=$(rss "$KLINKWRAP" symhash "$elf")
	f=$(rss ./symtab-floor "$elf")
	echo "peak RSS: klinkwrap symhash ${k} KiB, floor ${f} KiB;" \
		"ratio to .symtab+.strtab: $(awk -v k="$k" -v s="$sizes" 'BEGIN { printf "%.2f", k * 1024 / s }') (target <= 2)"
else
	echo "/usr/bin/time missing (package time): no peak RSS" >&2
fi
