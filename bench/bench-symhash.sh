#!/bin/bash
# symhash against `nm -n FILE | sha256sum`, as whole processes, side by side
# in one hyperfine run per file, with the floor (reading .symtab and .strtab
# as klinkwrap does, nothing else), on four shapes:
#   bench   the bench's own ELF: NSYMS (default 320,000) symbols with
#           kernel-like names from one assembly file, linked by GNU ld
#   long    320,000 symbols, names of about 40 bytes, values clustered in
#           eight regions, one to six symbols per address
#           (tests/fixtures/gen-symtab-elf.c)
#   xindex  a -ffunction-sections object of 65,300 sections (SHN_XINDEX),
#           every symbol at 0 (tests/fixtures/make-symset-elfs.sh)
#   vmlinux Debian's 6.1 debug vmlinux (linux-image-6.1.0-*-amd64-dbg), if
#           there: /usr/lib/debug/boot/vmlinux-6.1*, $BENCH_VMLINUX, or with
#           BENCH_DOWNLOAD=1 fetched once by apt-get download (about 860 MB)
#           into $BENCH_WORK/dbg; else skipped with a note.
# Then the peak RSS on the bench ELF against .symtab + .strtab.
# Environment: NSYMS, RUNS (default 20), KLINKWRAP, BENCH_WORK, SHAPES.
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
cc -O2 -o symtab-floor "$root/bench/symtab-floor.c"
fx=$root/build/fixtures/symset
"$root/tests/fixtures/make-symset-elfs.sh" "$fx" long-320k.elf >&2

# The distro vmlinux: optional (a download of about 860 MB).
vmlinux=${BENCH_VMLINUX:-}
if [ -z "$vmlinux" ]; then
	vmlinux=$(ls /usr/lib/debug/boot/vmlinux-6.1.* "$BENCH_WORK"/dbg/usr/lib/debug/boot/vmlinux-6.1.* \
		2>/dev/null | head -n 1 || true)
fi
if [ -z "$vmlinux" ] && [ "${BENCH_DOWNLOAD:-0}" = 1 ]; then
	pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-dbg$' |
		awk '{print $1}' | sort -V | tail -n 1)
	if [ -n "$pkg" ]; then
		mkdir -p "$BENCH_WORK/dbg"
		(cd "$BENCH_WORK/dbg" && apt-get download "$pkg" >&2 &&
			dpkg-deb --fsys-tarfile "$pkg"_*.deb | tar -x --wildcards './usr/lib/debug/boot/vmlinux-*' &&
			rm -f "$pkg"_*.deb) || true
		vmlinux=$(ls "$BENCH_WORK"/dbg/usr/lib/debug/boot/vmlinux-6.1.* 2>/dev/null | head -n 1 || true)
	fi
fi

# sizes FILE: .symtab + .strtab bytes, from readelf's "[Nr] Name Type Address Off Size".
sizes() {
	local hex total=0
	for hex in $(readelf -SW "$1" | sed 's/^ *\[ *[0-9]*\] *//' |
		awk '$1 == ".symtab" || $1 == ".strtab" { print $5 }'); do
		total=$((total + 16#$hex))
	done
	echo "$total"
}

# one NAME FILE: the three commands side by side, medians and ratios.
one() {
	local name=$1 file=$2 count
	count=$("$KLINKWRAP" symhash "$file" | awk '{print $2}')
	echo "### $name: $(basename "$file"), $(stat -c %s "$file") bytes, $count symbols," \
		".symtab+.strtab $(sizes "$file") bytes"
	cat "$file" >/dev/null      # in the page cache, as after a link
	# One hyperfine run for the three (through the shell, whose start-up
	# hyperfine measures and subtracts), so that they see the same load.
	hyperfine --warmup 3 --runs "$runs" --export-json "hyperfine-$name.json" \
		-n "klinkwrap symhash" "$KLINKWRAP symhash $file" \
		-n "floor" "./symtab-floor $file" \
		-n "nm -n | sha256sum" "nm -n $file | sha256sum" >&2
	# Medians, and minimums: on a shared machine the minimum is the
	# better estimate of the figure on a quiet one.
	jq -r '[.results[] | .median, .min] as [$k, $kmin, $f, $fmin, $n, $nmin] |
		def ms: . * 1000 | . * 100 | round / 100 | tostring + " ms";
		"klinkwrap symhash: median \($k | ms), min \($kmin | ms); " +
		"floor: median \($f | ms), min \($fmin | ms); " +
		"nm -n | sha256sum: median \($n | ms), min \($nmin | ms); " +
		"speed-up \($n / $k | . * 10 | round / 10)x (medians), " +
		"\($nmin / $kmin | . * 10 | round / 10)x (minimums) (target >= 20x)"' \
		"hyperfine-$name.json"
}

if ! command -v hyperfine >/dev/null; then
	echo "hyperfine missing: no timings" >&2
	exit 0
fi
for shape in ${SHAPES:-bench long xindex vmlinux}; do
	case $shape in
	bench) one bench "$elf" ;;
	long) one long "$fx/long-320k.elf" ;;
	xindex) one xindex "$fx/xindex.o" ;;
	vmlinux)
		if [ -n "$vmlinux" ]; then
			one vmlinux "$vmlinux"
		else
			echo "### vmlinux: skipped (no Debian 6.1 debug vmlinux; BENCH_DOWNLOAD=1 fetches" \
				"linux-image-6.1.0-*-amd64-dbg, about 860 MB)"
		fi
		;;
	esac
done

# The fixed cost of hashing a small output, as the wrapper pays it after
# every link: a 3,200-symbol ELF (gen-symtab-elf), `klinkwrap symhash`
# against `klinkwrap --version` (the same process start-up) side by side.
"$fx/gen-symtab-elf" small-3200.elf 3200 kernel
hyperfine -N --warmup 20 --runs $((runs * 10)) --export-json hyperfine-small.json \
	-n "klinkwrap --version" "$KLINKWRAP --version" \
	-n "klinkwrap symhash (3,200 symbols)" "$KLINKWRAP symhash small-3200.elf" >&2
jq -r '[.results[] | .median, .min] as [$v, $vmin, $h, $hmin] |
	def ms: . * 1000 | . * 1000 | round / 1000 | tostring + " ms";
	"### small: 3,200 symbols: symhash median \($h | ms) (min \($hmin | ms)), " +
	"--version \($v | ms) (min \($vmin | ms)): the hash adds \($h - $v | ms) " +
	"(minimums: \($hmin - $vmin | ms)) (target well under 0.5 ms)"' hyperfine-small.json

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
if [ -x /usr/bin/time ]; then
	s=$(sizes "$elf")
	k=$(rss "$KLINKWRAP" symhash "$elf")
	f=$(rss ./symtab-floor "$elf")
	echo "peak RSS on $elf: klinkwrap symhash ${k} KiB, floor ${f} KiB;" \
		"ratio to .symtab+.strtab: $(awk -v k="$k" -v s="$s" 'BEGIN { printf "%.2f", k * 1024 / s }') (target <= 2)"
else
	echo "/usr/bin/time missing (package time): no peak RSS" >&2
fi
