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
load kbuild-lib

setup_file() {
	require_kernel_tools
}

# tree VERSION: KSRC, KOBJ, and the names of its last kallsyms pass.
tree() {
	KSRC=$(kernel_src "$1")
	KOBJ=$(kernel_tiny "$1")
	pass_names "$1"
}

@test "6.1: make LD=\"klinkwrap ld\" gives stock vmlinux and System.map with the same number of links" {
	check_plain 6.1
}

@test "6.12: make LD=\"klinkwrap ld\" gives stock vmlinux and System.map with the same number of links" {
	check_plain 6.12
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
	! grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/check.err" || false
	cmp "$SNAP/$PASS_O" "$SNAP/$OLD_O"
	cmp "$SNAP/$PASS_SYMS" "$SNAP/$OLD_SYMS"
	KLINKWRAP_KBUILD=off relink off "$FORCE $KLINKWRAP ld" -s
	[ "$status" -ne 0 ]
	grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/off.err"
	! grep -q '^klinkwrap:' "$BATS_TEST_TMPDIR/off.err" || false
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
	SNAP=$BATS_TEST_TMPDIR/sigterm.d
	# Right after: each pass file is either the old one (the stale copy,
	# or the pass-2 .S the forcing left) or the complete new one.
	local f old
	for f in "$PASS_SYMS" "$PASS_S" "$PASS_O"; do
		case $f in
		*.syms) old=$SNAP/$OLD_SYMS ;;
		*.o) old=$SNAP/$OLD_O ;;
		*) old=$BATS_TEST_TMPDIR/stock.$PASS_S ;;
		esac
		cmp -s "$SNAP/$f" "$old" || cmp "$SNAP/$f" "$BATS_TEST_TMPDIR/stock.$f"
	done
	# The table source and map were done, the object was not.
	cmp "$SNAP/$PASS_SYMS" "$BATS_TEST_TMPDIR/stock.$PASS_SYMS"
	cmp "$SNAP/$PASS_O" "$SNAP/$OLD_O"
	! grep -q 'klw-tmp' "$SNAP/.listing" || false
}

@test "6.1: SIGTERM to klinkwrap mid-regeneration leaves each of .syms, .S and .o old or new" {
	check_sigterm 6.1
}

@test "6.12: SIGTERM to klinkwrap mid-regeneration leaves each of .syms, .S and .o old or new" {
	check_sigterm 6.12
}

# patched_relink TAG LD [MAKE-ARGS...]: relink vmlinux with the tree's
# link-vmlinux.sh patched by kbuild-integration/apply, and the patch taken
# back, all under one hold of the relink lock.
patched_relink() {
	local tag=$1 ld=$2
	shift 2
	status=0
	SNAP=$BATS_TEST_TMPDIR/$tag.d
	flock "$KW_KERNEL_CACHE/.relink.lock" sh -c '
		src=$1 obj=$2 ld=$3 apply=$4 snapshot=$5 snap=$6 files=$7
		shift 7
		"$apply" "$src" >/dev/null || exit 90
		trap "\"$apply\" --reverse \"$src\" >/dev/null; exit 92" INT TERM HUP
		rm -f "$obj/vmlinux"
		make -C "$src" O="$obj" LD="$ld" "$@" vmlinux
		rc=$?
		sh -c "$snapshot" _ "$snap" "$obj" $files
		"$apply" --reverse "$src" >/dev/null || rc=91
		exit $rc' _ "$KSRC" "$KOBJ" "$ld" "$KW_ROOT/kbuild-integration/apply" "$SNAPSHOT" \
		"$SNAP" "$(snap_files)" "$@" \
		>"$BATS_TEST_TMPDIR/$tag.out" 2>"$BATS_TEST_TMPDIR/$tag.err" || status=$?
}

check_patch() {
	tree "$1"
	stock_reference
	local sum
	sum=$(cksum <"$KSRC/scripts/link-vmlinux.sh")
	# The patched route: the final link runs through klinkwrap converge,
	# one link when the kernel's passes suffice.
	patched_relink patched ld
	cat "$BATS_TEST_TMPDIR/patched.err"
	[ "$status" -eq 0 ]
	same_as_stock
	grep -qx '  LD      vmlinux (pass 2)' "$BATS_TEST_TMPDIR/patched.out"
	! grep -q '(pass 3)' "$BATS_TEST_TMPDIR/patched.out" || false
	# Forced inconsistency (the stale pass handed over as klinkwrap
	# converge starts): converge regenerates with the script's own steps
	# and relinks once; the kernel's check passes; the stock image.
	printf '#!/bin/sh\nexec %q %q "$@"\n' "$FORCE" "$KLINKWRAP" >"$BATS_TEST_TMPDIR/kw-forced"
	chmod +x "$BATS_TEST_TMPDIR/kw-forced"
	KLINKWRAP=$BATS_TEST_TMPDIR/kw-forced patched_relink patched-forced ld
	cat "$BATS_TEST_TMPDIR/patched-forced.err"
	[ "$status" -eq 0 ]
	grep -qx '  LD      vmlinux (pass 3)' "$BATS_TEST_TMPDIR/patched-forced.out"
	! grep -q '(pass 4)' "$BATS_TEST_TMPDIR/patched-forced.out" || false
	same_as_stock
	# Without klinkwrap the patched script keeps the stock passes.
	KLINKWRAP=none patched_relink patched-none "$FORCE ld"
	[ "$status" -ne 0 ]
	grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/patched-none.err"
	# The tree's script is back as it was.
	[ "$(cksum <"$KSRC/scripts/link-vmlinux.sh")" = "$sum" ]
}

@test "6.1: the link-vmlinux.sh patch applies, converges through klinkwrap, and falls back to the stock passes" {
	check_patch 6.1
}

@test "6.12: the link-vmlinux.sh patch applies, converges through klinkwrap, and falls back to the stock passes" {
	check_patch 6.12
}

# ppc64_tree: Linux 6.1 cross-built for ppc64 (kernel_ppc64, once).
ppc64_tree() {
	require powerpc64-linux-gnu-gcc powerpc64-linux-gnu-ld
	KSRC=$(kernel_src 6.1)
	KOBJ=$(kernel_ppc64)
	KARCH=(ARCH=powerpc CROSS_COMPILE=powerpc64-linux-gnu-)
	RESTORE_LD=powerpc64-linux-gnu-ld
	PASS_O=.tmp_vmlinux.kallsyms2.o PASS_SYMS=.tmp_vmlinux.kallsyms2.syms
	PASS_S=.tmp_vmlinux.kallsyms2.S
	OLD_O=.tmp_vmlinux.kallsyms1.o OLD_SYMS=.tmp_vmlinux.kallsyms1.syms
}

@test "6.1 ppc64 (cross ld): forced inconsistency: stock fails, klinkwrap powerpc64-linux-gnu-ld repairs it into the stock image" {
	ppc64_tree
	relink stock powerpc64-linux-gnu-ld "${KARCH[@]}"
	[ "$status" -eq 0 ]
	for f in vmlinux System.map "$PASS_O" "$PASS_SYMS" "$PASS_S"; do
		cp "$SNAP/$f" "$BATS_TEST_TMPDIR/stock.$f"
	done
	relink forced-stock "$FORCE powerpc64-linux-gnu-ld" "${KARCH[@]}"
	[ "$status" -ne 0 ]
	grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/forced-stock.err"
	relink forced "$FORCE $KLINKWRAP powerpc64-linux-gnu-ld" "${KARCH[@]}" -s
	cat "$BATS_TEST_TMPDIR/forced.err"
	[ "$status" -eq 0 ]
	grep -q "^klinkwrap: vmlinux: the kernel's kallsyms passes ran out .* added 1 relink: consistent at pass 4\$" \
		"$BATS_TEST_TMPDIR/forced.err"
	same_as_stock
}
