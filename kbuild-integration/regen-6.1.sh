#!/bin/sh
# regen-6.1.sh VMLINUX KALLSYMS-OBJECT
#
# Linux 6.1 generation (pass names .tmp_vmlinux.kallsymsN): from the ELF
# VMLINUX just linked, regenerate the kallsyms pass whose object is
# KALLSYMS-OBJECT (DIR/.tmp_vmlinux.kallsymsN.o), that is
#   DIR/.tmp_vmlinux.kallsymsN.syms   ${CONFIG_SHELL} $srctree/scripts/mksysmap
#   DIR/.tmp_vmlinux.kallsymsN.S      scripts/kallsyms [options] X.syms
#   DIR/.tmp_vmlinux.kallsymsN.o      $CC ... -c -o X.o X.S
# with the commands and options of 6.1's scripts/link-vmlinux.sh. Run in
# the objtree with Kbuild's exported environment. See README.
# shellcheck disable=SC2154 # srctree, NM, CC...: Kbuild's environment, checked
set -eu
# shellcheck source=kbuild-integration/regen-lib.sh
. "$(dirname "$0")/regen-lib.sh"

[ $# -eq 2 ] || kw_die 2 "usage: $KW_ME VMLINUX KALLSYMS-OBJECT (e.g. vmlinux .tmp_vmlinux.kallsyms2.o)"
elf=$1
obj=$2
case ${obj##*/} in
.tmp_vmlinux.kallsyms[0-9]*.o) ;;
*) kw_die 2 "$obj: not a 6.1 kallsyms object name (.tmp_vmlinux.kallsymsN.o)" ;;
esac
kw_check_env srctree NM CC NOSTDINC_FLAGS LINUXINCLUDE KBUILD_CPPFLAGS KBUILD_AFLAGS
kw_check_inputs "$elf"
kw_check_generation sh

base=${obj%.o}
syms=$base.syms
asm=$base.S

# 6.1 link-vmlinux.sh, kallsyms(): the options, in its order.
kallsymopt=
if is_enabled CONFIG_KALLSYMS_ALL; then
	kallsymopt="${kallsymopt} --all-symbols"
fi
if is_enabled CONFIG_KALLSYMS_ABSOLUTE_PERCPU; then
	kallsymopt="${kallsymopt} --absolute-percpu"
fi
if is_enabled CONFIG_KALLSYMS_BASE_RELATIVE; then
	kallsymopt="${kallsymopt} --base-relative"
fi
if is_enabled CONFIG_LTO_CLANG; then
	kallsymopt="${kallsymopt} --lto-clang"
fi

t_syms=$(kw_tmp "$syms")
t_asm=$(kw_tmp "$asm")
t_obj=$(kw_tmp "$obj")
kw_tmps="$t_syms $t_asm $t_obj"

# mksysmap(): the tree's own shell script, which writes its second argument.
# shellcheck disable=SC2086 # CONFIG_SHELL unquoted, as in link-vmlinux.sh
${CONFIG_SHELL:-sh} "$srctree/scripts/mksysmap" "$elf" "$t_syms" &
kw_child=$!
kw_wait 3 "mksysmap $elf"
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
