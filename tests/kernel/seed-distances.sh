#!/bin/sh
# seed-distances.sh IMAGE: how far each core-text function called from init
# code is from its farthest caller, in a linked ppc64 vmlinux (or
# .tmp_vmlinux.kallsymsN), to predict which rodata pad makes GNU ld add
# branch stubs in which kallsyms pass (tests/kernel/seed.bats).
#
# Output, one line per callee, farthest first:
#   DISTANCE CALLEE
# DISTANCE is caller address minus callee address (hex) for the farthest
# `b`/`bl` from .init.text into .text. A `bl` reaches back 0x2000000 bytes
# (32 MiB); farther, GNU ld routes the call through a stub named
# NNNNNNNN.plt_branch.CALLEE (one per callee), so a layout that moves
# .init.text up by S needs a stub for every callee with DISTANCE + S >
# 0x2000000. Take IMAGE from a link without stubs, so that every call is
# direct. Also prints, on stderr, the address of __init_begin and the end of
# the sections before it (the unaligned end that ALIGN(4096) rounds up).
# Addresses are read modulo 2^52 (awk has doubles; the kernel's
# 0xc000000000000000 base cancels out of every difference).
set -eu
img=$1
objdump=${OBJDUMP:-powerpc64-linux-gnu-objdump}
nm=${NM:-powerpc64-linux-gnu-nm}

stext=$($nm "$img" | awk '$3 == "_stext" { print $1 }')
etext=$($nm "$img" | awk '$3 == "_etext" { print $1 }')
init=$($nm "$img" | awk '$3 == "__init_begin" { print $1 }')
[ -n "$stext" ] && [ -n "$etext" ] && [ -n "$init" ] || {
	echo "seed-distances.sh: $img: no _stext, _etext or __init_begin" >&2
	exit 2
}
$objdump -h "$img" | awk -v init="$init" '
	function hex(s,  i, c, v) { v = 0; s = tolower(s); if (length(s) > 13) s = substr(s, length(s) - 12)
		for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
		return v }
	$1 ~ /^[0-9]+$/ && $2 != "" { vma = hex($4); end = vma + hex($3)
		if (vma < hex(init) && end > best) best = end }
	END { printf "__init_begin %s, sections before it end at %x\n", init, best > "/dev/stderr" }'
$objdump -d --no-show-raw-insn -j .init.text "$img" | awk -v lo="$stext" -v hi="$etext" '
	function hex(s,  i, c, v) { v = 0; s = tolower(s); if (length(s) > 13) s = substr(s, length(s) - 12)
		for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
		return v }
	BEGIN { lo = hex(lo); hi = hex(hi) }
	$2 == "b" || $2 == "bl" {
		at = $1; sub(/:$/, "", at)
		to = hex($3); if (to < lo || to >= hi) next
		name = $4; gsub(/[<>]/, "", name); sub(/\+0x[0-9a-f]+$/, "", name)
		d = hex(at) - to
		if (d > far[name]) far[name] = d
	}
	END { for (n in far) printf "%08x %s\n", far[n], n }' | sort -r
