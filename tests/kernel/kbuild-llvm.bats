#!/usr/bin/env bats
# Kbuild mode on a real kernel built as ClangBuiltLinux builds it: Debian's
# linux-source-6.12, x86_64 tinyconfig + 64BIT + KALLSYMS_ALL with LLVM=1
# (clang, ld.lld, llvm-nm...). The same two checks as kbuild.bats has for
# the GNU ld trees (kbuild-lib.bash): make LLVM=1 LD="klinkwrap ld.lld"
# gives the stock image with the stock links, and repairs a forced stale
# kallsyms pass with the build's own LLVM tools into the stock image.

load ../cli/helpers
load kbuild-lib

setup_file() {
	require_kernel_tools
	require clang ld.lld llvm-nm llvm-ar llvm-objcopy jq
}

# tree: the LLVM=1 x86_64 tree; every make of it takes LLVM=1.
tree() {
	KSRC=$(kernel_src 6.12)
	KOBJ=$(kernel_llvm64 6.12)
	grep -qx 'CONFIG_64BIT=y' "$KOBJ/.config"
	grep -qx 'CONFIG_CC_IS_CLANG=y' "$KOBJ/.config"
	pass_names 6.12
	KLD=ld.lld RESTORE_LD=ld.lld
	KARCH=(LLVM=1)
}

# The links Kbuild runs in recipes without '+' (make closes the jobserver
# fds there); a relink through klinkwrap redoes them, their command line
# having changed.
PLUSLESS=(arch/x86/entry/vdso/vdso64.so.dbg arch/x86/realmode/rm/realmode.elf vmlinux.o)

@test "6.12 LLVM=1: make LD=\"klinkwrap ld.lld\" gives stock vmlinux and System.map with the same number of links; no '+' warning, no thread options outside '+' recipes" {
	# Under make -j2 (its own jobserver, not one inherited from a make
	# above the suite) the links in recipes without '+' see closed fds.
	unset MAKEFLAGS MFLAGS
	WRAPPED_ARGS=(-j2)
	check_plain
	local err=$BATS_TEST_TMPDIR/wrapped.err log=$BATS_TEST_TMPDIR/wrapped.log o
	for o in "${PLUSLESS[@]}"; do
		# Through klinkwrap, under a jobserver it could not use, and
		# left to lld: no thread option added.
		grep -qE "^klinkwrap: $o: jobserver unavailable: .*; threads left to lld\$" "$err"
		[ "$(jq -r --arg o "$o" 'select(.output == $o) | .linker_kind' "$log")" = lld ]
		[ "$(jq -c --arg o "$o" 'select(.output == $o) | .thread_args' "$log")" = '[]' ]
	done
	! grep -F "add '+'" "$err" || false
	! grep -E '^klinkwrap: .*warning' "$err" || false
	# Thread options only where the jobserver was usable: the vmlinux
	# recipe, which has the '+'.
	local threaded
	threaded=$(jq -r 'select(.thread_args != []) | .output' "$log")
	! grep -vE '^(vmlinux|\.tmp_vmlinux[0-9]+)$' <<<"$threaded" || false
}

# tool_shims: llvm-nm, clang, nm and gcc early on PATH, each appending
# "regen|kernel TOOL ARGS" to $BATS_TEST_TMPDIR/tools when its parent is
# the regeneration script or link-vmlinux.sh, then running the real tool.
tool_shims() {
	local bin=$BATS_TEST_TMPDIR/shims t real
	mkdir -p "$bin"
	for t in llvm-nm clang nm gcc; do
		real=$(command -v "$t") || continue
		cat >"$bin/$t" <<EOF
#!/bin/sh
case \$(tr '\0' ' ' </proc/\$PPID/cmdline) in
*/regen-6.12.sh*) echo "regen $t \$*" >>"$BATS_TEST_TMPDIR/tools" ;;
*/link-vmlinux.sh*) echo "kernel $t \$*" >>"$BATS_TEST_TMPDIR/tools" ;;
esac
exec "$real" "\$@"
EOF
		chmod +x "$bin/$t"
	done
	PATH=$bin:$PATH
}

@test "6.12 LLVM=1: forced inconsistency: stock fails, klinkwrap ld.lld regenerates with llvm-nm and clang, relinks once, and vmlinux is the stock one" {
	tool_shims
	check_forced
	local tools=$BATS_TEST_TMPDIR/tools kernel_cc regen_cc
	cat "$tools"
	# The regeneration ran the build's tools ($NM, $CC from Kbuild's
	# environment), not the GNU ones...
	grep -qx 'regen llvm-nm -n vmlinux' "$tools"
	! grep -qE '^regen (nm|gcc) ' "$tools" || false
	# ...and assembled the table exactly as link-vmlinux.sh does, flags
	# and all (clang --target=x86_64-linux-gnu ...): the same command but
	# for the temporary output name.
	kernel_cc=$(grep -m1 -F -- "-c -o $PASS_O $PASS_S" "$tools" | grep '^kernel clang ')
	regen_cc=$(grep -m1 '^regen clang ' "$tools" | sed 's/\.klw-tmp\.[0-9]* / /')
	[ -n "$kernel_cc" ]
	[ "${regen_cc#regen }" = "${kernel_cc#kernel }" ]
	[[ $regen_cc == *--target=x86_64-linux-gnu* ]]
}
