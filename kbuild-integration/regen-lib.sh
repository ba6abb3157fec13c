# shellcheck shell=sh
# Shared part of the per-generation kallsyms regeneration scripts
# (regen-6.1.sh, regen-6.12.sh); sourced, not run. POSIX sh.
#
# Each script regenerates the three files of one kallsyms pass, each one
# written to a temporary name in its own directory and renamed into place,
# so that an interrupted run leaves every file either as it was or complete.
# Every step runs as a child the script waits for, so SIGTERM, SIGINT and
# SIGHUP are acted on at once: the running step is sent SIGTERM and waited
# for, the temporary files are removed, and the script exits 128 + the
# signal number.
#
# Exit statuses (README in this directory has the whole contract):
#   0 all three files regenerated     4 scripts/kallsyms failed
#   2 usage or environment            5 $CC (the assembler) failed
#   3 mksysmap ($NM) failed           6 a temporary file could not be
#                                       renamed into place

KW_ME=${0##*/}
kw_child=
kw_tmps=

kw_die() { # kw_die STATUS MESSAGE...
	kw_st=$1
	shift
	printf '%s: %s\n' "$KW_ME" "$*" >&2
	exit "$kw_st"
}

kw_cleanup() {
	# The temporary names never hold a space (see kw_tmp), so the list
	# splits safely.
	# shellcheck disable=SC2086
	[ -z "$kw_tmps" ] || rm -f $kw_tmps
	kw_tmps=
}

kw_on_signal() { # kw_on_signal NUMBER
	trap - EXIT
	if [ -n "$kw_child" ]; then
		# Stop the step and let it end before the temporaries go, so that
		# it cannot create one after the cleanup.
		kill -TERM "$kw_child" 2>/dev/null || :
		wait "$kw_child" 2>/dev/null || :
	fi
	kw_cleanup
	printf '%s: interrupted by signal %s; left every file old or new\n' "$KW_ME" "$1" >&2
	exit $((128 + $1))
}

trap kw_cleanup EXIT
trap 'kw_on_signal 1' HUP
trap 'kw_on_signal 2' INT
trap 'kw_on_signal 15' TERM

# kw_tmp FILE: print the temporary name beside FILE (same directory, so
# the rename is atomic). The caller lists the names in kw_tmps.
kw_tmp() {
	case $1 in *[[:space:]]*) kw_die 2 "file names with white space are not supported: $1" ;; esac
	printf '%s\n' "$1.klw-tmp.$$"
}

# kw_wait STATUS WHAT: wait for the step started in the background as
# $kw_child; on failure exit STATUS naming WHAT.
kw_wait() {
	kw_st=0
	wait "$kw_child" || kw_st=$?
	kw_child=
	[ "$kw_st" -eq 0 ] || kw_die "$1" "$2 failed (exit $kw_st)"
}

# kw_commit TMP FILE: rename TMP to FILE (atomic within one directory).
kw_commit() {
	mv -f "$1" "$2" || kw_die 6 "cannot rename $1 to $2"
}

# kw_check_env VAR...: each must be set (Kbuild exports them to the linker;
# they may be empty).
kw_check_env() {
	for kw_v in "$@"; do
		kw_set=
		eval "kw_set=\${$kw_v+set}"
		[ "$kw_set" = set ] || kw_die 2 "$kw_v is not set (Kbuild exports it to the linker's environment)"
	done
}

# kw_check_inputs ELF: the objtree (cwd) and the ELF just linked.
# shellcheck disable=SC2154 # srctree: checked by kw_check_env
kw_check_inputs() {
	[ -f include/config/auto.conf ] ||
		kw_die 2 "no include/config/auto.conf here: run in the kernel objtree"
	[ -f "$1" ] || kw_die 2 "$1: no such file (the vmlinux just linked)"
	[ -x scripts/kallsyms ] || kw_die 2 "scripts/kallsyms is missing in the objtree"
	[ -f "$srctree/scripts/mksysmap" ] || kw_die 2 "$srctree/scripts/mksysmap is missing"
}

# kw_check_generation sh|sed: the tree's scripts/mksysmap must be of that
# kind (6.1: a shell script, 6.12: a sed script), and its link-vmlinux.sh
# must check against the pass's .syms (5.x compares .tmp_System.map, which
# these scripts do not write).
# shellcheck disable=SC2154 # srctree: checked by kw_check_env
kw_check_generation() {
	kw_first=$(head -n 1 "$srctree/scripts/mksysmap")
	case $kw_first in
	'#!'*sed*) kw_kind='sed' ;;
	*) kw_kind='sh' ;;
	esac
	[ "$kw_kind" = "$1" ] ||
		kw_die 2 "$srctree/scripts/mksysmap is a $kw_kind script, not the $1 script of this generation: wrong regen script for this tree"
	if grep -q '\.tmp_System\.map' "$srctree/scripts/link-vmlinux.sh" 2>/dev/null; then
		kw_die 2 "$srctree/scripts/link-vmlinux.sh compares .tmp_System.map (5.x generation): cannot repair this kernel generation"
	fi
}

# As link-vmlinux.sh: a CONFIG_ option is on when auto.conf says =y.
is_enabled() {
	grep -q "^$1=y" include/config/auto.conf
}

# Kbuild's V=1 traces link-vmlinux.sh; do the same.
case ${KBUILD_VERBOSE-} in
*1*) set -x ;;
esac
