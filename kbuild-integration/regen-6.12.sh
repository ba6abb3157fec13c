#!/bin/sh
# regen-6.12.sh VMLINUX KALLSYMS-OBJECT
#
# Linux 6.12 generation (pass names .tmp_vmlinuxN): from the ELF VMLINUX
# just linked, regenerate the kallsyms pass whose object is KALLSYMS-OBJECT
# (DIR/.tmp_vmlinuxN.kallsyms.o), that is
#   DIR/.tmp_vmlinuxN.syms            $NM -n VMLINUX | sed -f $srctree/scripts/mksysmap
#   DIR/.tmp_vmlinuxN.kallsyms.S      scripts/kallsyms [options] X.syms
#   DIR/.tmp_vmlinuxN.kallsyms.o      $CC ... -c -o X.o X.S
# with the commands and options of 6.12's scripts/link-vmlinux.sh. Run in
# the objtree with Kbuild's exported environment. See README.
# shellcheck disable=SC2154 # srctree, NM, CC...: Kbuild's environment, checked
set -eu
# shellcheck source=kbuild-integration/regen-lib.sh
. "$(dirname "$0")/regen-lib.sh"

[ $# -eq 2 ] || kw_die 2 "usage: $KW_ME VMLINUX KALLSYMS-OBJECT (e.g. vmlinux .tmp_vmlinux2.kallsyms.o)"
elf=$1
obj=$2
case ${obj##*/} in
.tmp_vmlinux[0-9]*.kallsyms.o) ;;
*) kw_die 2 "$obj: not a 6.12 kallsyms object name (.tmp_vmlinuxN.kallsyms.o)" ;;
esac
kw_check_env srctree NM CC NOSTDINC_FLAGS LINUXINCLUDE KBUILD_CPPFLAGS KBUILD_AFLAGS
kw_check_inputs "$elf"
kw_check_generation sed

base=${obj%.kallsyms.o}
syms=$base.syms
asm=$base.kallsyms.S

# 6.12 link-vmlinux.sh, kallsyms(): the options, in its order.
kallsymopt=
if is_enabled CONFIG_KALLSYMS_ALL; then
	kallsymopt="${kallsymopt} --all-symbols"
fi
if is_enabled CONFIG_KALLSYMS_ABSOLUTE_PERCPU; then
	kallsymopt="${kallsymopt} --absolute-percpu"
fi

t_nm=$(kw_tmp "$syms.nm")
t_syms=$(kw_tmp "$syms")
t_asm=$(kw_tmp "$asm")
t_obj=$(kw_tmp "$obj")
kw_tmps="$t_nm $t_syms $t_asm $t_obj"

# mksysmap(): `${NM} -n X | sed -f scripts/mksysmap`, as two steps so that
# a failing $NM is seen (the pipeline would hide it).
# shellcheck disable=SC2086 # $NM may be several words, as in link-vmlinux.sh
${NM} -n "$elf" >"$t_nm" &
kw_child=$!
kw_wait 3 "$NM -n $elf"
sed -f "$srctree/scripts/mksysmap" "$t_nm" >"$t_syms" &
kw_child=$!
kw_wait 3 "sed -f $srctree/scripts/mksysmap"
rm -f "$t_nm"
kw_commit "$t_syms" "$syms"

# shellcheck disable=SC2086 # the options split, as in link-vmlinux.sh
scripts/kallsyms ${kallsymopt} "$syms" >"$t_asm" &
kw_child=$!
kw_wait 4 "scripts/kallsyms${kallsymopt} $syms"
kw_commit "$t_asm" "$asm"

# shellcheck disable=SC2086 # Kbuild's flags are word lists
${CC} ${NOSTDINC_FLAGS} ${LINUXINCLUDE} ${KBUILD_CPPFLAGS} \
	${KBUILD_AFLAGS} ${KBUILD_AFLAGS_KERNEL-} \
	-c -o "$t_obj" "$asm" &
kw_child=$!
kw_wait 5 "$CC -c $asm"
kw_commit "$t_obj" "$obj"
