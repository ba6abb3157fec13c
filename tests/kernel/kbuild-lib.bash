# Shared part of the real-kernel suites of Kbuild mode (kbuild.bats: GNU ld
# trees; kbuild-llvm.bats: LLVM=1): relinking a shared tree, the stock
# reference, and the two checks every tree gets. Loaded after
# ../cli/helpers.
#
# The suite defines `tree ARGS...`, which sets for the tree under test:
#   KSRC, KOBJ      the source tree and the built objtree;
#   KLD             the tree's linker (default ld);
#   KARCH           make arguments every make of the tree takes (an array:
#                   ARCH=, CROSS_COMPILE=, LLVM=1), may be unset;
#   RESTORE_LD      what teardown relinks with (default ld);
#   PASS_*, OLD_*   the names of the last and the first kallsyms pass
#                   (pass_names sets them by kernel generation).
#
# Every relink holds $KW_KERNEL_CACHE/.relink.lock (the trees are shared),
# and each test leaves its tree as the stock build made it.

source "$BATS_TEST_DIRNAME/kernel-lib.sh"

FORCE=$BATS_TEST_DIRNAME/force-stale-kallsyms.sh

# pass_names VERSION: PASS_O, PASS_SYMS, PASS_S (the last kallsyms pass)
# and OLD_O, OLD_SYMS (the first) for that kernel generation.
pass_names() {
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

# What a relink leaves, copied while the relink lock is still held (the
# trees are shared: another relink may follow at once): vmlinux,
# System.map, the pass files and a listing of the objtree, into SNAP.
SNAPSHOT='snap=$1; obj=$2; shift 2
	mkdir -p "$snap"
	for f in "$@"; do [ ! -e "$obj/$f" ] || cp "$obj/$f" "$snap/$f"; done
	ls -a "$obj" >"$snap/.listing"'

# relink TAG LD [MAKE-ARGS...]: relink vmlinux (removed first, so that
# make relinks whatever LD was before); status in $status, stdout and
# stderr in $BATS_TEST_TMPDIR/TAG.{out,err}, the files in SNAP=TAG.d.
relink() {
	local tag=$1 ld=$2
	shift 2
	status=0
	SNAP=$BATS_TEST_TMPDIR/$tag.d
	flock "$KW_KERNEL_CACHE/.relink.lock" sh -c '
		src=$1 obj=$2 ld=$3 snapshot=$4 snap=$5 files=$6
		shift 6
		rm -f "$obj/vmlinux"
		make -C "$src" O="$obj" LD="$ld" "$@" vmlinux
		rc=$?
		sh -c "$snapshot" _ "$snap" "$obj" $files
		exit $rc' _ "$KSRC" "$KOBJ" "$ld" "$SNAPSHOT" "$SNAP" "$(snap_files)" "$@" \
		>"$BATS_TEST_TMPDIR/$tag.out" 2>"$BATS_TEST_TMPDIR/$tag.err" || status=$?
}

snap_files() { echo vmlinux System.map "$PASS_O" "$PASS_SYMS" "$PASS_S" "$OLD_O" "$OLD_SYMS"; }

# tree_relink TAG LD-WORDS [MAKE-ARGS...]: relink, with the tree's KARCH.
tree_relink() {
	local tag=$1 ld=$2
	shift 2
	relink "$tag" "$ld" ${KARCH[@]+"${KARCH[@]}"} "$@"
}

# stock_reference: relink with the plain linker and keep the result.
stock_reference() {
	tree_relink stock "${KLD:-ld}"
	[ "$status" -eq 0 ]
	for f in vmlinux System.map "$PASS_O" "$PASS_SYMS" "$PASS_S"; do
		cp "$SNAP/$f" "$BATS_TEST_TMPDIR/stock.$f"
	done
}

# same_as_stock: vmlinux and System.map byte-identical to the reference,
# and the kernel's own check holds.
same_as_stock() {
	cmp "$SNAP/vmlinux" "$BATS_TEST_TMPDIR/stock.vmlinux"
	cmp "$SNAP/System.map" "$BATS_TEST_TMPDIR/stock.System.map"
	cmp "$SNAP/System.map" "$SNAP/$PASS_SYMS"
}

# vmlinux_links FILE: links of vmlinux and its passes reported by --verbose.
vmlinux_links() {
	grep -cE '^klinkwrap: (vmlinux|\.tmp_vmlinux[^:]*): .* exited 0' "$1" || true
}

teardown() {
	# Leave the tree as the stock build made it.
	if [ -n "${KOBJ:-}" ]; then relink restore "${RESTORE_LD:-ld}" ${KARCH[@]+"${KARCH[@]}"}; fi
}

# check_plain TREE-ARGS...: through klinkwrap the stock image, with the
# same number of links. WRAPPED_ARGS (an array): more make arguments for
# the wrapped relink, whose link log is $BATS_TEST_TMPDIR/wrapped.log.
check_plain() {
	tree "$@"
	stock_reference
	local stock_links
	stock_links=$(grep -cE '^  LD      (vmlinux|\.tmp_vmlinux[^ ]*)$' "$BATS_TEST_TMPDIR/stock.out")
	[ "$stock_links" -eq 3 ]
	KLINKWRAP_VERBOSE=yes KLINKWRAP_LOG=$BATS_TEST_TMPDIR/wrapped.log \
		tree_relink wrapped "$KLINKWRAP ${KLD:-ld}" ${WRAPPED_ARGS[@]+"${WRAPPED_ARGS[@]}"}
	[ "$status" -eq 0 ]
	same_as_stock
	# The same number of links: the check added none.
	[ "$(vmlinux_links "$BATS_TEST_TMPDIR/wrapped.err")" -eq "$stock_links" ]
	! grep -q 'passes ran out' "$BATS_TEST_TMPDIR/wrapped.err" || false
	! grep -q '(pass [0-9]*)' "$BATS_TEST_TMPDIR/wrapped.out" || false
	! grep -E 'klw-tmp|klinkwrap-pad|klinkwrap-prev' "$SNAP/.listing" || false
}

# own_stderr FILE: the stderr of a relink without objtool's warnings on
# vmlinux.o, which the kernel itself prints whenever vmlinux.o is relinked
# (a changed LD relinks it; x86_64 built with clang has such warnings).
own_stderr() {
	grep -v '^vmlinux\.o: warning: objtool: ' "$1" || true
}

# check_forced TREE-ARGS...: the stale pass handed to the final link.
check_forced() {
	require jq
	tree "$@"
	stock_reference
	local kld=${KLD:-ld}
	# Stock Kbuild, handed the stale pass, fails its own check.
	tree_relink forced-stock "$FORCE $kld"
	[ "$status" -ne 0 ]
	grep -q 'Inconsistent kallsyms data' "$BATS_TEST_TMPDIR/forced-stock.err"
	# Through klinkwrap (make -s): one klinkwrap line, one relink, the
	# kernel's check passes, the image is the stock one.
	local log=$BATS_TEST_TMPDIR/forced.jsonl gen=6.12
	[[ $PASS_O != .tmp_vmlinux.kallsyms* ]] || gen=6.1
	KLINKWRAP_LOG=$log tree_relink forced "$FORCE $KLINKWRAP $kld" -s
	cat "$BATS_TEST_TMPDIR/forced.err"
	[ "$status" -eq 0 ]
	[ "$(own_stderr "$BATS_TEST_TMPDIR/forced.err" | wc -l)" -eq 1 ]
	grep -qE "^klinkwrap: vmlinux: the kernel's kallsyms passes ran out \(System.map would have differed from $PASS_SYMS: .*\); klinkwrap regenerated $PASS_O and added 1 relink: consistent at pass 4\$" \
		"$BATS_TEST_TMPDIR/forced.err"
	# The log has the kernel's final link, the regeneration step (status
	# 0, the table's object) and the relink, in order, from one process.
	jq -e -s --arg o "$PASS_O" --arg gen "$gen" '[.[] | select(.output_rel == "vmlinux")] |
		map(.kind) == ["link", "regen", "link"] and map(.fixpoint_pass) == [null, 4, 4] and
		(.[1] | .by == "kbuild" and .exit == 0 and .signal == 0 and .started == true and
		 .object == $o and (.command[1] | endswith("/regen-" + $gen + ".sh")) and
		 .command[0] == "sh" and .command[2:] == ["vmlinux", $o] and .padded == null) and
		(map(.pid) | unique | length) == 1' "$log"
	run "$KLINKWRAP" log show "$log"
	[ "$status" -eq 0 ]
	[[ $output == *$'\n'"  regen for fixed-point pass 4: sh "*"/regen-$gen.sh vmlinux $PASS_O  exit 0  wall "* ]]
	[ ! -s "$BATS_TEST_TMPDIR/forced.out" ]
	same_as_stock
	cmp "$SNAP/$PASS_O" "$BATS_TEST_TMPDIR/stock.$PASS_O"
	cmp "$SNAP/$PASS_S" "$BATS_TEST_TMPDIR/stock.$PASS_S"
	# Without -s, Kbuild-style progress continues the kernel's numbering.
	tree_relink forced-loud "$FORCE $KLINKWRAP $kld"
	[ "$status" -eq 0 ]
	grep -qx "  KSYMS   $PASS_S (pass 4)" "$BATS_TEST_TMPDIR/forced-loud.out"
	grep -qx '  LD      vmlinux (pass 4)' "$BATS_TEST_TMPDIR/forced-loud.out"
	same_as_stock
}
