#!/usr/bin/env bats
# Real kernel (Debian linux-source-6.1, tinyconfig + KALLSYMS_ALL): linking
# with the wrapper changes nothing, and Kconfig still sees GNU ld.

load ../cli/helpers
source "$BATS_TEST_DIRNAME/kernel-lib.sh"

setup_file() {
	require_kernel_tools
	KSRC=$(kernel_src 6.1)
	KOBJ=$(kernel_tiny 6.1)
	export KSRC KOBJ
}

# relink LD [MAKE-ARGS...]: relink vmlinux with LD and keep copies of
# vmlinux and System.map named after TAG.
relink() {
	local tag=$1 ld=$2
	shift 2
	make -s -C "$KSRC" O="$KOBJ" LD="$ld" "$@" vmlinux 2>"$BATS_TEST_TMPDIR/$tag.err"
	cp "$KOBJ/vmlinux" "$BATS_TEST_TMPDIR/$tag.vmlinux"
	cp "$KOBJ/System.map" "$BATS_TEST_TMPDIR/$tag.System.map"
	grep -E '^CONFIG_LD_(IS_BFD|VERSION)=' "$KOBJ/include/config/auto.conf" >"$BATS_TEST_TMPDIR/$tag.ldconf"
}

@test "6.1: vmlinux and System.map are byte-identical with LD=\"klinkwrap ld\"" {
	relink plain ld
	KLINKWRAP_VERBOSE=yes relink wrapped "$KLINKWRAP ld"
	cat "$BATS_TEST_TMPDIR/wrapped.err"
	# The wrapper really ran the kallsyms passes and the final link.
	grep -q 'klinkwrap: .tmp_vmlinux.kallsyms1: .*exited 0' "$BATS_TEST_TMPDIR/wrapped.err"
	grep -q 'klinkwrap: .tmp_vmlinux.kallsyms2: .*exited 0' "$BATS_TEST_TMPDIR/wrapped.err"
	grep -q 'klinkwrap: vmlinux: .*exited 0' "$BATS_TEST_TMPDIR/wrapped.err"
	cmp "$BATS_TEST_TMPDIR/plain.vmlinux" "$BATS_TEST_TMPDIR/wrapped.vmlinux"
	cmp "$BATS_TEST_TMPDIR/plain.System.map" "$BATS_TEST_TMPDIR/wrapped.System.map"
	# Kconfig re-ran its linker detection through the wrapper and got GNU ld.
	grep -qx 'CONFIG_LD_IS_BFD=y' "$BATS_TEST_TMPDIR/wrapped.ldconf"
	cmp "$BATS_TEST_TMPDIR/plain.ldconf" "$BATS_TEST_TMPDIR/wrapped.ldconf"
}

@test "6.1: scripts/ld-version.sh sees the real GNU ld through the wrapper" {
	plain=$("$KSRC/scripts/ld-version.sh" ld)
	wrapped=$("$KSRC/scripts/ld-version.sh" "$KLINKWRAP" ld)
	[[ "$plain" == BFD* ]]
	[ "$wrapped" = "$plain" ]
}

@test "6.1: masqueraded as ld on PATH, the relink is byte-identical too" {
	relink plain ld
	mkdir "$BATS_TEST_TMPDIR/masq"
	ln -s "$KLINKWRAP" "$BATS_TEST_TMPDIR/masq/ld"
	# LD differs in spelling so that Kbuild relinks.
	PATH="$BATS_TEST_TMPDIR/masq:$PATH" KLINKWRAP_VERBOSE=yes relink masq "ld " 
	grep -q 'klinkwrap: vmlinux: .*exited 0' "$BATS_TEST_TMPDIR/masq.err"
	cmp "$BATS_TEST_TMPDIR/plain.vmlinux" "$BATS_TEST_TMPDIR/masq.vmlinux"
	cmp "$BATS_TEST_TMPDIR/plain.System.map" "$BATS_TEST_TMPDIR/masq.System.map"
}

@test "6.1: under make -j2 the wrapper adds nothing to stderr and changes no output" {
	# Kbuild's vdso, realmode and vmlinux.o links run in recipes without
	# '+': the jobserver's fds are closed there, and bfd needs no tokens.
	relink plain ld -j2
	relink wrapped "$KLINKWRAP ld" -j2
	cat "$BATS_TEST_TMPDIR/wrapped.err"
	cmp "$BATS_TEST_TMPDIR/plain.err" "$BATS_TEST_TMPDIR/wrapped.err"
	cmp "$BATS_TEST_TMPDIR/plain.vmlinux" "$BATS_TEST_TMPDIR/wrapped.vmlinux"
	cmp "$BATS_TEST_TMPDIR/plain.System.map" "$BATS_TEST_TMPDIR/wrapped.System.map"
}
