#!/usr/bin/env bats
# Kbuild mode without a kernel: how a final vmlinux link is recognised by
# its kallsyms object, the 5.x generation that cannot be repaired, check
# mode, and a repair without its script. (tests/kernel/kbuild.bats has the
# real kernels.)

load helpers
bats_require_minimum_version 1.5.0

is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = 177ELF ]; }

setup() {
	cd "$BATS_TEST_TMPDIR"
	make_objects
	cc -c -x c -o table.o - <<<'const char kallsyms_names[16] = "t";'
}

@test "kbuild: a 5.x tree (6.1 naming without .syms) is reported as not repairable and linked as is" {
	cp table.o .tmp_vmlinux.kallsyms2.o
	run --separate-stderr "$KLINKWRAP" ld -o vmlinux main.o helper.o .tmp_vmlinux.kallsyms2.o -e main
	[ "$status" -eq 0 ]
	[[ $stderr == *"kernel generation 5.x (.tmp_vmlinux.kallsyms2.o): cannot repair this kernel generation"* ]]
	is_elf vmlinux
}

@test "kbuild: consistent .syms: nothing said, nothing added; --kbuild=check on a stale one exits 124" {
	cp table.o .tmp_vmlinux.kallsyms2.o
	"$KLINKWRAP" --kbuild=off ld -o vmlinux main.o helper.o .tmp_vmlinux.kallsyms2.o -e main
	"$KLINKWRAP" syms --sysmap=6.1 vmlinux >.tmp_vmlinux.kallsyms2.syms
	run --separate-stderr "$KLINKWRAP" ld -o vmlinux main.o helper.o .tmp_vmlinux.kallsyms2.o -e main
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	! ls -A | grep -E 'klinkwrap-(prev|pad)|klw-tmp' || false
	sed -i '1d' .tmp_vmlinux.kallsyms2.syms
	cp .tmp_vmlinux.kallsyms2.syms before.syms
	run --separate-stderr env KLINKWRAP_KBUILD=check "$KLINKWRAP" ld -o vmlinux main.o helper.o \
		.tmp_vmlinux.kallsyms2.o -e main
	[ "$status" -eq 124 ]
	[[ $stderr == *"vmlinux: inconsistent kallsyms data: System.map will differ from .tmp_vmlinux.kallsyms2.syms"*"--kbuild=check: not repaired"* ]]
	cmp before.syms .tmp_vmlinux.kallsyms2.syms
	# Repair without a script for the generation: 124, naming what is missing.
	run --separate-stderr env KLINKWRAP_KBUILD_DIR=$BATS_TEST_TMPDIR/none "$KLINKWRAP" ld -o vmlinux \
		main.o helper.o .tmp_vmlinux.kallsyms2.o -e main
	[ "$status" -eq 124 ]
	[[ $stderr == *"no regeneration script for kernel generation 6.1"* ]]
	# A vmlinux link without a kallsyms object is a plain link.
	run --separate-stderr env KLINKWRAP_KBUILD=check "$KLINKWRAP" ld -o vmlinux main.o helper.o -e main
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}
