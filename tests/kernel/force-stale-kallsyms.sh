#!/bin/sh
# force-stale-kallsyms.sh LINKER ARGS...: a stand-in for $(LD) that, when
# the final vmlinux link starts, hands it the kallsyms object and .syms of
# the first pass instead of the last one (6.1: .tmp_vmlinux.kallsyms1.* over
# .tmp_vmlinux.kallsyms2.*; 6.12: .tmp_vmlinux1.* over .tmp_vmlinux2.*), as
# if the kernel's passes had run out; then runs LINKER ARGS. Stock
# link-vmlinux.sh then fails with "Inconsistent kallsyms data". Run in the
# objtree (Kbuild's cwd).
for a in "$@"; do
	if [ "$prev" = -o ] && [ "$a" = vmlinux ]; then
		if [ -e .tmp_vmlinux2.kallsyms.o ]; then
			cp .tmp_vmlinux1.kallsyms.o .tmp_vmlinux2.kallsyms.o
			cp .tmp_vmlinux1.syms .tmp_vmlinux2.syms
		elif [ -e .tmp_vmlinux.kallsyms2.o ]; then
			cp .tmp_vmlinux.kallsyms1.o .tmp_vmlinux.kallsyms2.o
			cp .tmp_vmlinux.kallsyms1.syms .tmp_vmlinux.kallsyms2.syms
		fi
	fi
	prev=$a
done
exec "$@"
