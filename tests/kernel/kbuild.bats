#!/usr/bin/env bats
# Kbuild mode on real kernels (Debian linux-source 6.1 and 6.12, x86
# tinyconfig + KALLSYMS_ALL): make LD="klinkwrap ld" changes nothing when
# the kernel's passes suffice, and repairs the final link when they do not
# (forced by handing it the stale kallsyms object and .syms of pass 1), so
# that the kernel's own `cmp System.map .syms` passes and vmlinux is
# byte-identical to the stock build. The oracles are the tree's own
# link-vmlinux.sh, mksysmap and cmp.
#
# Every relink holds $KW_KERNEL_CACHE/.relink.lock (the trees are shared),
# and each test leaves its tree as the stock build made it.

load ../cli/helpers
source "$BATS_TEST_DIRNAME/kernel-lib.sh"

FORCE=$BATS_TEST_DIRNAME/force-stale-kallsyms.sh

setup_file() {
	require_kernel_tools
}

# tree VERSION: KSRC, KOBJ, and the names of its last kallsyms pass.
tree() {
	KSRC=$(kernel_src "$1")
	KOBJ=$(kernel_tiny "$1")
	if [ "$1" = 6.1 ]; then
		PASS_O=.tmp_vmlinux.kallsyms2.o PASS_SYMS=.tmp_vmlinux.kallsyms2.syms
		PASS_S=.tmp_vmlinux.kallsyms2.S
		OLD_O=.tmp_vmlinux.kallsyms1.o OLD_SYMS=.tmp_vmlinux.kallsyms1.syms
	else
		PASS_O=.tmp_vmlinux2.kallsyms.o PASS_SYMS=.tmp_vmlinux2.syms
		PASS_S=.tmp_vmlinux2.kallsyms.S
		OLD_O=.tmp_vmlinux1.kallsyms.o OLD_SYMS=.tmp_vmlinux1.syms
	fi
}

# relink TAG LD [MAKE-ARGS...]: relink vmlinux (removed first, so that
# make relinks whatever LD was before); status in $status, stdout and
# stderr in $BATS_TEST_TMPDIR/TAG.{out,err}.
relink() {
	local tag=$1 ld=$2
	shift 2
	status=0
	flock "$KW_KERNEL_CACHE/.relink.lock" \
		sh -c 'rm -f "$1/vmlinux" && shift && exec make "$@"' _ "$KOBJ" \
		-C "$KSRC" O="$KOBJ" LD="$ld" "$@" vmlinux \
		>"$BATS_TEST_TMPDIR/$tag.out" 2>"$BATS_TEST_TMPDIR/$tag.err" || status=$?
}

# stock_reference: relink with the plain linker and keep the result.
stock_reference() {
	relink stock ld
	[ "$status" -eq 0 ]
	for f in vmlinux System.map "$PASS_O" "$PASS_SYMS" "$PASS_S"; do
		cp "$KOBJ/$f" "$BATS_TEST_TMPDIR/stock.$(basename "$f")"
	done
}

# same_as_stock: vmlinux and System.map byte-identical to the reference,
# and the kernel's own check holds.
same_as_stock() {
	cmp "$KOBJ/vmlinux" "$BATS_TEST_TMPDIR/stock.vmlinux"
	cmp "$KOBJ/System.map" "$BATS_TEST_TMPDIR/stock.System.map"
	cmp "$KOBJ/System.map" "$KOBJ/$PASS_SYMS"
}

# vmlinux_links FILE: links of vmlinux and its passes reported by --verbose.
vmlinux_links() {
	grep -cE '^klinkwrap: (vmlinux|\.tmp_vmlinux[^:]*): .* exited 0' "$1" || true
}

teardown() {
	# Leave the tree as the stock build made it.
	if [ -n "${KOBJ:-}" ]; then relink restore ld; fi
}

check_plain() {
	tree "$1"
	stock_reference
	local stock_links
	stock_links=$(grep -cE '^  LD      (vmlinux|\.tmp_vmlinux[^ ]*)$' "$BATS_TEST_TMPDIR/stock.out")
	[ "$stock_links" -eq 3 ]
	KLINKWRAP_VERBOSE=yes relink wrapped "$KLINKWRAP ld"
	[ "$status" -eq 0 ]
	same_as_stock
	# The same number of links: the check added none.
	[ "$(vmlinux_links "$BATS_TEST_TMPDIR/wrapped.err")" -eq "$stock_links" ]
	! grep -q 'passes ran out' "$BATS_TEST_TMPDIR/wrapped.err"
	! grep -q '(pass [0-9]*)' "$BATS_TEST_TMPDIR/wrapped.out"
	[ -z "$(find "$KOBJ" -maxdepth 1 -name '*klw-tmp*' -o -maxdepth 1 -name '*klinkwrap-pad*')" ]
}

@test "6.1: make LD=\"klinkwrap ld\" gives stock vmlinux and System.map with the same number of links" {
	check_plain 6.1
}

@test "6.12: make LD=\"klinkwrap ld\" gives stock vmlinux and System.map with the same number of links" {
	check_plain 6.12
}

check_forced() {
	tree "$1"
	stock_reference
	# Stock Kbuild, handed the stale pass, fails its own check.
	relink forced-stock "$FORCE ld"
	[ "$status" -ne 0 ]
	grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/forced-stock.err"
	# Through klinkwrap (make -s): one klinkwrap line, one relink, the
	# kernel's check passes, the image is the stock one.
	relink forced "$FORCE $KLINKWRAP ld" -s
	cat "$BATS_TEST_TMPDIR/forced.err"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/forced.err")" -eq 1 ]
	grep -qE "^klinkwrap: vmlinux: the kernel's kallsyms passes ran out \(System.map would have differed from $PASS_SYMS: .*\); klinkwrap regenerated $PASS_O and added 1 relink: consistent at pass 4\$" \
		"$BATS_TEST_TMPDIR/forced.err"
	[ ! -s "$BATS_TEST_TMPDIR/forced.out" ]
	same_as_stock
	cmp "$KOBJ/$PASS_O" "$BATS_TEST_TMPDIR/stock.$PASS_O"
	cmp "$KOBJ/$PASS_S" "$BATS_TEST_TMPDIR/stock.$PASS_S"
	# Without -s, Kbuild-style progress continues the kernel's numbering.
	relink forced-loud "$FORCE $KLINKWRAP ld"
	[ "$status" -eq 0 ]
	grep -qx "  KSYMS   $PASS_S (pass 4)" "$BATS_TEST_TMPDIR/forced-loud.out"
	grep -qx '  LD      vmlinux (pass 4)' "$BATS_TEST_TMPDIR/forced-loud.out"
	same_as_stock
}

@test "6.1: forced inconsistency: stock fails, klinkwrap regenerates, relinks once, and vmlinux is the stock one" {
	check_forced 6.1
}

@test "6.12: forced inconsistency: stock fails, klinkwrap regenerates, relinks once, and vmlinux is the stock one" {
	check_forced 6.12
}

@test "6.1: --kbuild=check diagnoses without touching the pass files; off is a plain wrapper" {
	tree 6.1
	stock_reference
	KLINKWRAP_KBUILD=check relink check "$FORCE $KLINKWRAP ld" -s
	[ "$status" -ne 0 ]
	grep -q "^klinkwrap: vmlinux: inconsistent kallsyms data: System.map will differ from $PASS_SYMS .*--kbuild=check: not repaired" \
		"$BATS_TEST_TMPDIR/check.err"
	! grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/check.err"
	cmp "$KOBJ/$PASS_O" "$KOBJ/$OLD_O"
	cmp "$KOBJ/$PASS_SYMS" "$KOBJ/$OLD_SYMS"
	KLINKWRAP_KBUILD=off relink off "$FORCE $KLINKWRAP ld" -s
	[ "$status" -ne 0 ]
	grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/off.err"
	! grep -q '^klinkwrap:' "$BATS_TEST_TMPDIR/off.err"
}

# SIGTERM to klinkwrap alone while the regeneration assembles the table:
# a gcc early on PATH that, for the regeneration's temporary output only,
# says who its grandparent is (klinkwrap) and waits to be killed.
check_sigterm() {
	tree "$1"
	stock_reference
	local bin=$BATS_TEST_TMPDIR/bin ready=$BATS_TEST_TMPDIR/ready real_gcc kw_pid i
	real_gcc=$(command -v gcc)
	mkdir -p "$bin"
	cat >"$bin/gcc" <<EOF
#!/bin/sh
case "\$*" in
*klw-tmp*)
	trap 'kill \$s 2>/dev/null; exit 143' TERM
	ps -o ppid= -p \$PPID | tr -d ' ' >"$ready.tmp" && mv "$ready.tmp" "$ready"
	sleep 120 & s=\$!
	wait \$s
	exit 1 ;;
esac
exec "$real_gcc" "\$@"
EOF
	chmod +x "$bin/gcc"
	rm -f "$ready"
	PATH=$bin:$PATH relink sigterm "$FORCE $KLINKWRAP ld" -s &
	local make_pid=$!
	for ((i = 0; i < 600; i++)); do
		[ -s "$ready" ] && break
		sleep 0.2
	done
	[ -s "$ready" ]
	kw_pid=$(cat "$ready")
	[ "$(cat /proc/"$kw_pid"/comm)" = klinkwrap ]
	kill -TERM "$kw_pid"
	wait "$make_pid" || true
	# Right after: each pass file is either the old one (the stale copy,
	# or the pass-2 .S the forcing left) or the complete new one.
	local f old
	for f in "$PASS_SYMS" "$PASS_S" "$PASS_O"; do
		case $f in
		*.syms) old=$KOBJ/$OLD_SYMS ;;
		*.o) old=$KOBJ/$OLD_O ;;
		*) old=$BATS_TEST_TMPDIR/stock.$PASS_S ;;
		esac
		cmp -s "$KOBJ/$f" "$old" || cmp "$KOBJ/$f" "$BATS_TEST_TMPDIR/stock.$f"
	done
	# The table source and map were done, the object was not.
	cmp "$KOBJ/$PASS_SYMS" "$BATS_TEST_TMPDIR/stock.$PASS_SYMS"
	cmp "$KOBJ/$PASS_O" "$KOBJ/$OLD_O"
	[ -z "$(find "$KOBJ" -maxdepth 1 -name '*klw-tmp*')" ]
}

@test "6.1: SIGTERM to klinkwrap mid-regeneration leaves each of .syms, .S and .o old or new" {
	check_sigterm 6.1
}

@test "6.12: SIGTERM to klinkwrap mid-regeneration leaves each of .syms, .S and .o old or new" {
	check_sigterm 6.12
}
