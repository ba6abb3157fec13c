# The seed's failure on a real kernel (sourced by seed.bats, after
# kernel-lib.sh). The tree is a private copy of the ppc64 6.1 objtree
# (kernel_ppc64) with two changes, neither of which touches the shared
# source tree:
#
#  1. scripts/kallsyms is rebuilt from a copy of scripts/kallsyms.c without
#     the ".long_branch." and ".plt_branch." entries of ignored_matches,
#     that is, without the 2020 fix that made kallsyms ignore ppc64 GNU ld's
#     branch stubs (516d980f8541; before it, as in v5.8, every stub name
#     went into the table). The copy sits in the objtree at
#     scripts/kallsyms.c, where make's VPATH finds it before the source
#     tree's file; Kbuild rebuilds the host program from it on the first
#     make of the copy.
#  2. One injected object, klw-seed/rodata-pad-PAD.o, assembled here: a
#     .rodata section of PAD bytes of zeros (and a symbol naming it). It is
#     added to the vmlinux links through make's command line,
#     KBUILD_VMLINUX_LIBS="<the tree's own value> klw-seed/rodata-pad-PAD.o",
#     which link-vmlinux.sh passes to every pass and to the final link (and
#     Makefile.vmlinux_o to vmlinux.o). In the ppc64 layout .rodata (which
#     also holds the kallsyms table) lies between .text and .init.text, so
#     the pad stands in for the size of a large configuration: calls from
#     init code into core text come near the 32 MiB reach of `bl`, and GNU
#     ld adds a stub with a symbol (NNNNNNNN.long_branch.CALLEE here) for
#     each callee out of reach.
#
# A pad change therefore relinks vmlinux.o and vmlinux only.

# seed_tree: KSRC, KOBJ (the private copy, built once), KARCH, SEED_LIBS.
seed_tree() {
	require powerpc64-linux-gnu-gcc powerpc64-linux-gnu-ld powerpc64-linux-gnu-as
	local base lockfd n
	KSRC=$(kernel_src 6.1) || return 1
	base=$(kernel_ppc64) || return 1
	KOBJ=${KW_SEED_OBJ:-$KW_KERNEL_CACHE/seed-ppc64-6.1}
	KARCH=(ARCH=powerpc CROSS_COMPILE=powerpc64-linux-gnu-)
	exec {lockfd}>"$KOBJ.lock"
	flock "$lockfd"
	if [ ! -f "$KOBJ/.seeded" ]; then
		kernel_log "copying $base to $KOBJ and reverting the ppc64 stub filter of scripts/kallsyms.c (once)"
		rm -rf "$KOBJ" &&
		# The shared tree is relinked by other suites: copy it between relinks.
		flock "$KW_KERNEL_CACHE/.relink.lock" cp -a "$base" "$KOBJ" &&
		rm -f "$KOBJ/.built" &&
		sed -e '/^[[:space:]]*"\.long_branch\.",/d' -e '/^[[:space:]]*"\.plt_branch\.",/d' \
			"$KSRC/scripts/kallsyms.c" >"$KOBJ/scripts/kallsyms.c" &&
		n=$(diff "$KSRC/scripts/kallsyms.c" "$KOBJ/scripts/kallsyms.c" | grep -c '^<') &&
		[ "$n" -eq 2 ] && ! grep -q 'long_branch\|plt_branch' "$KOBJ/scripts/kallsyms.c" &&
		mkdir -p "$KOBJ/klw-seed" &&
		touch "$KOBJ/.seeded" || { exec {lockfd}>&-; kernel_log "seed tree: set-up failed"; return 1; }
	fi
	exec {lockfd}>&-
	# The tree's own KBUILD_VMLINUX_LIBS, as its vmlinux.o link used it.
	SEED_LIBS=$(sed -n 's/.*--start-group \(.*\) --end-group.*/\1/p' "$KOBJ/.vmlinux.o.cmd" |
		tr ' ' '\n' | grep -v '^klw-seed/' | tr '\n' ' ')
	SEED_LIBS=${SEED_LIBS% }
	[ -n "$SEED_LIBS" ] || { kernel_log "$KOBJ/.vmlinux.o.cmd: no --start-group libraries"; return 1; }
}

# seed_pad_object PAD: klw-seed/rodata-pad-PAD.o in the copy (PAD in bytes,
# any form the assembler reads, e.g. 0x1d40000); its name in SEED_PAD_O.
seed_pad_object() {
	SEED_PAD_O=klw-seed/rodata-pad-$1.o
	[ -f "$KOBJ/$SEED_PAD_O" ] && return 0
	printf '\t.section .rodata,"a"\n\t.globl klw_seed_rodata_pad\nklw_seed_rodata_pad:\n\t.space %s\n' "$1" |
		powerpc64-linux-gnu-as -a64 -o "$KOBJ/$SEED_PAD_O.tmp" - &&
		mv "$KOBJ/$SEED_PAD_O.tmp" "$KOBJ/$SEED_PAD_O"
}

# seed_relink TAG PAD LD [MAKE-ARGS...]: relink vmlinux of the copy with
# the pad object for PAD; status in $status, output in
# $BATS_TEST_TMPDIR/TAG.{out,err}, vmlinux, System.map and the pass
# files copied to SNAP=TAG.d. One relink of the copy at a time (its own lock).
seed_relink() {
	local tag=$1 pad=$2 ld=$3
	shift 3
	seed_pad_object "$pad" || return 1
	status=0
	SNAP=$BATS_TEST_TMPDIR/$tag.d
	mkdir -p "$SNAP"
	flock "$KOBJ.lock" sh -c '
		src=$1 obj=$2 ld=$3 libs=$4 snap=$5
		shift 5
		rm -f "$obj/vmlinux" "$obj"/.tmp_vmlinux.kallsyms*
		make -C "$src" O="$obj" LD="$ld" KBUILD_VMLINUX_LIBS="$libs" "$@" vmlinux
		rc=$?
		for f in "$obj"/vmlinux "$obj"/System.map "$obj"/.tmp_vmlinux.kallsyms*.syms \
			"$obj"/.tmp_vmlinux.kallsyms*.o; do
			[ ! -e "$f" ] || cp "$f" "$snap/"
		done
		exit $rc' _ "$KSRC" "$KOBJ" "$ld" "$SEED_LIBS $SEED_PAD_O" "$SNAP" "${KARCH[@]}" "$@" \
		>"$BATS_TEST_TMPDIR/$tag.out" 2>"$BATS_TEST_TMPDIR/$tag.err" || status=$?
}
