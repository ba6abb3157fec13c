#!/usr/bin/env bats
# The seed's failure on a real kernel: Linux 6.1 for ppc64 (Book3S 64,
# big-endian; the tree of kernel_ppc64) in a private copy with the v5.8
# state of scripts/kallsyms.c (ppc64 branch stubs not ignored) and one
# injected object with a large .rodata pad (tests/kernel/seed-tree.sh says
# exactly what is changed and how). The stub names GNU ld adds go into the
# kallsyms table, each pass's larger table moves .init.text further from
# .text, and more calls from init code need stubs: stock link-vmlinux.sh
# fails its own check with "Inconsistent kallsyms data", also with
# KALLSYMS_EXTRA_PASS=1, and make LD="klinkwrap powerpc64-linux-gnu-ld"
# builds a vmlinux that passes it, in the minimum number of links.
#
# How the pads were found (once, offline; the test keeps them as constants)
# ---------------------------------------------------------------------
# 1. A relink with a 4 KiB pad (0x1000): no stubs. seed-distances.sh on its
#    .tmp_vmlinux.kallsyms1 lists, for every core function called from
#    .init.text, its farthest caller's distance. The farthest five:
#      0x2447c8 cpu_to_chip_id            0x241478 arch_get_random_seed_longs
#      0x23bc88 sched_clock               0x23bb38 read_persistent_clock64
#      0x235af4 udelay
#    and __init_begin was 0x239000 in pass 1, 0x2c4000 in pass 2 (the
#    table, 0x8ad00 bytes, moves it by 0x8b000).
# 2. The layout is quantised: RO_DATA ends with ALIGN(4096), .got and what
#    follows it before __init_begin have fixed sizes, so .init.text moves
#    in steps of 4 KiB; one more stub name makes the table 0x28 bytes
#    larger (measured: .rodata of .tmp_vmlinux.kallsyms1.o and 2.o). A call
#    at distance D needs a stub once .init.text has moved by S with
#    D + S > 0x2000000 (the backward reach of `bl`). Pass 1 has no stubs
#    for pads below about 0x1dbc000, so the table of pass 2 is the
#    reference one and pass 2 moves .init.text by S2 = pad - 0x1000 +
#    0x8b000, rounded to the 4 KiB step.
# 3. For a failure that KALLSYMS_EXTRA_PASS cannot mend, pass 2 must put
#    some callees over the reach (so the third pass runs) and pass 3 must
#    add more: the names pass 2 adds must push the end of RO_DATA over a
#    4 KiB boundary in pass 3, and the extra 4 KiB must carry the next
#    callee over the reach. S2 = 0x1dbe000 leaves cpu_to_chip_id out of reach and
#    arch_get_random_seed_longs 0xb88 bytes short of it (a 4 KiB move
#    carries it over, udelay and the others stay in reach); S2 = 0x1dc4000
#    does the same with the pair sched_clock, read_persistent_clock64 (0x150
#    apart) behind the first two. That gave the coarse pads 0x1d34000 and
#    0x1d3a000; one stock relink each showed the end of RO_DATA in pass 2
#    0x834 bytes below a boundary, and 0x820 more pad leaves it 0x34 below,
#    less than the 0x80 by which one more name moves it (0x28 bytes of
#    table, rounded up by the alignment of what follows it in .rodata).
# 4. Verified with real relinks (the stub counts below are asserted):
#      pad        pass 1  pass 2  pass 3  stock             klinkwrap
#      0x1d34820  0       1       2       fails (4 links)   5 links
#      0x1d3a820  0       2       4       fails (4 links)   5 links
#      0x1d34000  0       1       1       converges (4)     4 links
#    The converging pad also has a third pass (the stub count changed
#    between passes 1 and 2), which is enough there.
#
# Why 5 links is the minimum here: the kernel's three passes and its final
# link are fixed. The final link uses pass 3's table, which holds pass 3's
# stub names, more than the table pass 3 itself was laid out with (pass
# 2's): the final image moves against pass 3's .syms and cannot be
# consistent. One relink with the table regenerated from the final link
# (the same names, so the same size) is.
#
# A longer cascade needs shaping, and the fourth test is shaped: with the
# pads alone a second relink would need the last name growth (0x28 bytes a
# stub) to cross another 4 KiB step right after one was crossed, which the
# kernel's own init calls (a few callees every few KiB of distance) never
# give. So that test injects, besides the pad 0x1d34820, init code that the
# kernel does not have: seed-init-calls.S, a .init.text section without
# symbols (never executed; the kernel is only linked) with `bl` calls to
# 170 core functions, placed by seed-gen-init-calls.sh so that in pass 2
# 160 of them sit 200 to 4400 bytes inside the reach and 10 of them 5000 to
# 7700 bytes inside it. Pass 3's 4 KiB move puts the 160 out of reach;
# their names grow the table by more than 4 KiB, so the final link moves
# .init.text again and the 10 follow; their 400 bytes of names move
# nothing. (The injected section also moves init code linked after it, so
# one more natural callee, set_pte_at, needs a stub already in pass 2.)
# Measured: stubs 0, 2, 163 in the passes, 173 in the final image; stock
# fails with and without KALLSYMS_EXTRA_PASS; klinkwrap links 6 times
# (passes 5 and 6 added), the minimum: pass 5's table, from the final link,
# has the 10 names more than the table the final link was laid out with,
# so pass 5 moves again; pass 6's table has the same names as pass 5's.
#
# The private tree is built once by copying the shared ppc64 tree (the
# copy's first make rebuilds scripts/kallsyms); then each pad is a relink.

load ../cli/helpers
source "$BATS_TEST_DIRNAME/kernel-lib.sh"
source "$BATS_TEST_DIRNAME/seed-tree.sh"

# The pads (bytes of .rodata in the injected object) and what they give.
PAD_FAIL_1=0x1d34820 # stubs 0, 1, 2 in passes 1 to 3
PAD_FAIL_2=0x1d3a820 # stubs 0, 2, 4
PAD_CONVERGE=0x1d34000 # stubs 0, 1, 1
PAD_CASCADE=0x1d34820  # with seed-init-calls.S: stubs 0, 2, 163, then 173

setup_file() {
	require_kernel_tools
}

setup() {
	seed_tree
}

# stubs FILE: ppc64 stub symbols in a System.map-format file.
stubs() { grep -cE '[0-9a-f]{8}\.(long|plt)_branch\.' "$1" || true; }

# links FILE: vmlinux links Kbuild (and klinkwrap, "(pass N)") announced.
links() { grep -cE '^  LD      (vmlinux|\.tmp_vmlinux\.kallsyms[0-9]+)( \(pass [0-9]+\))?$' "$1" || true; }

# stock_fails PAD S1 S2 S3: stock fails its own check after 3 passes with
# S1, S2, S3 stubs, and again with KALLSYMS_EXTRA_PASS=1.
stock_fails() {
	local pad=$1 tag
	for tag in stock stock-extra; do
		if [ "$tag" = stock ]; then
			seed_relink "$tag" "$pad" powerpc64-linux-gnu-ld
		else
			seed_relink "$tag" "$pad" powerpc64-linux-gnu-ld KALLSYMS_EXTRA_PASS=1
		fi
		[ "$status" -ne 0 ]
		grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/$tag.err"
		[ "$(links "$BATS_TEST_TMPDIR/$tag.out")" -eq 4 ]
		[ "$(stubs "$SNAP/.tmp_vmlinux.kallsyms1.syms")" -eq "$2" ]
		[ "$(stubs "$SNAP/.tmp_vmlinux.kallsyms2.syms")" -eq "$3" ]
		[ "$(stubs "$SNAP/.tmp_vmlinux.kallsyms3.syms")" -eq "$4" ]
	done
}

# klinkwrap_repairs PAD STUBS [RELINKS]: RELINKS (default 1) relinks
# added, consistent at pass 4 + RELINKS, and the kernel's own check (cmp
# System.map with pass 3's .syms) holds.
klinkwrap_repairs() {
	local n=${3:-1} word=relink
	[ "$n" -eq 1 ] || word=relinks
	seed_relink wrapped "$1" "$KLINKWRAP powerpc64-linux-gnu-ld"
	cat "$BATS_TEST_TMPDIR/wrapped.err"
	[ "$status" -eq 0 ]
	grep -qE "^klinkwrap: vmlinux: the kernel's kallsyms passes ran out .*regenerated \.tmp_vmlinux\.kallsyms3\.o and added $n $word: consistent at pass $((4 + n))\$" \
		"$BATS_TEST_TMPDIR/wrapped.err"
	[ "$(links "$BATS_TEST_TMPDIR/wrapped.out")" -eq $((4 + n)) ]
	grep -qx "  LD      vmlinux (pass $((4 + n)))" "$BATS_TEST_TMPDIR/wrapped.out"
	! grep -q "(pass $((5 + n)))" "$BATS_TEST_TMPDIR/wrapped.out" || false
	cmp "$SNAP/System.map" "$SNAP/.tmp_vmlinux.kallsyms3.syms"
	[ "$(stubs "$SNAP/System.map")" -eq "$2" ]
}

@test "seed, ppc64 6.1, pad $PAD_FAIL_1: stock fails (also with KALLSYMS_EXTRA_PASS=1); klinkwrap converges with one relink" {
	stock_fails "$PAD_FAIL_1" 0 1 2
	grep -q '\.long_branch\.arch_get_random_seed_longs$' "$SNAP/.tmp_vmlinux.kallsyms3.syms"
	klinkwrap_repairs "$PAD_FAIL_1" 2
}

@test "seed, ppc64 6.1, pad $PAD_FAIL_2: stock fails (also with KALLSYMS_EXTRA_PASS=1); klinkwrap converges with one relink" {
	stock_fails "$PAD_FAIL_2" 0 2 4
	klinkwrap_repairs "$PAD_FAIL_2" 4
}

@test "seed, ppc64 6.1, pad $PAD_CONVERGE: stock converges; klinkwrap adds no link and gives the same vmlinux" {
	seed_relink stock "$PAD_CONVERGE" powerpc64-linux-gnu-ld
	[ "$status" -eq 0 ]
	[ "$(links "$BATS_TEST_TMPDIR/stock.out")" -eq 4 ]
	[ "$(stubs "$SNAP/.tmp_vmlinux.kallsyms2.syms")" -eq 1 ]
	[ "$(stubs "$SNAP/System.map")" -eq 1 ]
	local stock=$SNAP
	seed_relink wrapped "$PAD_CONVERGE" "$KLINKWRAP powerpc64-linux-gnu-ld"
	cat "$BATS_TEST_TMPDIR/wrapped.err"
	[ "$status" -eq 0 ]
	[ "$(links "$BATS_TEST_TMPDIR/wrapped.out")" -eq 4 ]
	! grep -q 'passes ran out' "$BATS_TEST_TMPDIR/wrapped.err" || false
	! grep -q '(pass [0-9]*)' "$BATS_TEST_TMPDIR/wrapped.out" || false
	cmp "$SNAP/System.map" "$SNAP/.tmp_vmlinux.kallsyms3.syms"
	cmp "$SNAP/System.map" "$stock/System.map"
	cmp "$SNAP/vmlinux" "$stock/vmlinux"
}

@test "seed, ppc64 6.1, pad $PAD_CASCADE and injected init calls: stock fails (also with KALLSYMS_EXTRA_PASS=1); klinkwrap converges with two relinks" {
	seed_init_calls_object "$BATS_TEST_DIRNAME/seed-init-calls.S"
	stock_fails "$PAD_CASCADE" 0 2 163
	klinkwrap_repairs "$PAD_CASCADE" 173 2
}
