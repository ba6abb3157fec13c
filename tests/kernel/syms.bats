#!/usr/bin/env bats

# On real kernels (Debian's linux-source 6.1 and 6.12, tinyconfig with
# KALLSYMS and KALLSYMS_ALL): `syms --sysmap` reproduces System.map and the
# kallsyms passes' .syms byte for byte, and the final vmlinux has the symbol
# set of the last kallsyms pass. Read-only use of the cached objtrees.

bats_require_minimum_version 1.5.0

setup() {
	: "${KLINKWRAP:=$BATS_TEST_DIRNAME/../../build/release/klinkwrap}"
	source "$BATS_TEST_DIRNAME/kernel-lib.sh"
}

# last_pass VERSION OBJTREE: the last kallsyms pass link of that generation.
last_pass() {
	local pattern
	case $1 in
	6.1) pattern='.tmp_vmlinux.kallsyms[0-9]' ;;
	*) pattern='.tmp_vmlinux[0-9]' ;;
	esac
	(cd "$2" && ls -1 $pattern | sort | tail -n 1)
}

check_sysmap() { # check_sysmap VERSION
	local ver=$1 obj pass
	obj=$(kernel_tiny "$ver")
	# Auto-detected rules, then the explicit ones.
	diff "$obj/System.map" <("$KLINKWRAP" syms --sysmap "$obj/vmlinux")
	cmp "$obj/System.map" <("$KLINKWRAP" syms --sysmap="$ver" "$obj/vmlinux")
	run -0 "$KLINKWRAP" syms --sysmap --format=json "$obj/vmlinux"
	echo "$output" | jq -e --arg v "$ver" '.sysmap_rules == $v'
	# Each pass's .syms (the input of scripts/kallsyms) is mksysmap of it too.
	pass=$(last_pass "$ver" "$obj")
	[ -n "$pass" ]
	cmp "$obj/$pass.syms" <("$KLINKWRAP" syms --sysmap "$obj/$pass")
}

check_same_as_last_pass() { # check_same_as_last_pass VERSION
	local ver=$1 obj pass a b
	obj=$(kernel_tiny "$ver")
	pass=$(last_pass "$ver" "$obj")
	a=$("$KLINKWRAP" symhash "$obj/vmlinux")
	b=$("$KLINKWRAP" symhash "$obj/$pass")
	echo "vmlinux: $a"
	echo "last pass: $b"
	[ "${a%%  *}" = "${b%%  *}" ]
	# The count is every nm line: a kernel of thousands of symbols.
	count=$(echo "$a" | awk '{print $2}')
	[ "$count" -gt 5000 ]
	[ "$count" -eq "$(nm "$obj/vmlinux" | wc -l)" ]
	run -0 "$KLINKWRAP" symdiff "$obj/$pass" "$obj/vmlinux"
}

@test "6.1: syms --sysmap vmlinux equals System.map byte for byte" {
	check_sysmap 6.1
}

@test "6.12: syms --sysmap vmlinux equals System.map byte for byte" {
	check_sysmap 6.12
}

@test "6.1: symhash(vmlinux) equals symhash of the last kallsyms pass" {
	check_same_as_last_pass 6.1
}

@test "6.12: symhash(vmlinux) equals symhash of the last kallsyms pass" {
	check_same_as_last_pass 6.12
}

@test "6.1 vmlinux is ELF32 (i386): syms equals nm -n in full" {
	obj=$(kernel_tiny 6.1)
	cmp <(LC_ALL=C nm -n "$obj/vmlinux") <("$KLINKWRAP" syms "$obj/vmlinux")
}
