#!/usr/bin/env bats
# The input list on the real kernel's links (Debian linux-source 6.1 and
# 6.12, tinyconfig + KALLSYMS_ALL): relink vmlinux with LD set to a small
# recorder that, for every link with an output, runs GNU ld with --trace
# and tests/unit/list_inputs on the same arguments in the same directory;
# then every file ld's trace names must be in klinkwrap's list, in the same
# order of first appearance (tests/cli/inputs-check). The link through the
# recorder is the real link; a plain relink afterwards leaves the tree as
# it was built. Relinks only: seconds, no compile.
#
# The relinks change the shared objtree: suites that share one kernel
# cache must not relink at the same time (serialise them from outside,
# e.g. with flock on a lock file of the cache).

load ../cli/helpers
bats_require_minimum_version 1.5.0
source "$BATS_TEST_DIRNAME/kernel-lib.sh"

LIST_INPUTS=$KW_ROOT/build/${KW_VARIANT:-release}/unit/list_inputs
CHECK=$KW_ROOT/tests/cli/inputs-check

setup_file() {
	require_kernel_tools
	require python3
}

setup() {
	[ -x "$LIST_INPUTS" ] || skip "no $LIST_INPUTS (make test-programs)"
	rec=$BATS_TEST_TMPDIR/rec
	mkdir -p "$rec"
	# The recorder: informational calls (ld-version.sh, ld-option) go to
	# ld untouched; a link gets its list first, then runs traced.
	cat >"$BATS_TEST_TMPDIR/rec-ld" <<'SH'
#!/bin/bash
out=
prev=
for a; do
	[ "$prev" = -o ] && out=$a
	prev=$a
done
[ -n "$out" ] || exec ld "$@"
d=$(mktemp -d "$REC/link.XXXXXX")
printf '%s\n' "$out" >"$d/output"
pwd >"$d/cwd"
"$LIST_INPUTS" ld "$@" >"$d/list" 2>"$d/list.err" || echo "list_inputs failed" >>"$d/list.err"
ld "$@" --trace >"$d/trace"
status=$?
echo "$status" >"$d/status"
exit "$status"
SH
	chmod +x "$BATS_TEST_TMPDIR/rec-ld"
}

# check_kernel VERSION: relink through the recorder, compare every
# recorded link, relink plainly. Prints the report, the outputs linked on
# its last line; returns 1 when anything failed (checked one by one: the
# caller's errexit does not reach into a function run under "||").
check_kernel() {
	local ver=$1 src obj d fail=0 outs
	src=$(kernel_src "$ver") && obj=$(kernel_tiny "$ver") || return 1
	REC=$rec LIST_INPUTS=$LIST_INPUTS make -s -C "$src" O="$obj" \
		LD="$BATS_TEST_TMPDIR/rec-ld" vmlinux >"$BATS_TEST_TMPDIR/make.out" 2>&1 || fail=1
	make -s -C "$src" O="$obj" LD=ld vmlinux >"$BATS_TEST_TMPDIR/plain.out" 2>&1 || fail=1
	cat "$BATS_TEST_TMPDIR/make.out" "$BATS_TEST_TMPDIR/plain.out"
	for d in "$rec"/link.*; do
		[ -d "$d" ] || { echo "no link recorded"; return 1; }
		echo "# $(cat "$d/output") ($(grep -c . "$d/list") listed, $(grep -c . "$d/trace") traced)"
		# Kbuild's probes (ld-option) may fail on purpose: nothing to compare.
		if [ "$(cat "$d/status")" != 0 ]; then
			echo "# failed (exit $(cat "$d/status")), not compared"
			continue
		fi
		if [ -s "$d/list.err" ]; then
			cat "$d/list.err"
			fail=1
		fi
		(cd "$(cat "$d/cwd")" && "$CHECK" "$d/list" "$d/trace") || fail=1
		[ "$(cat "$d/output")" = vmlinux ] || continue
		# The thin archives' members are there: vmlinux.a's and lib.a's.
		grep -qP '^\d+\tarchive\t-\tvmlinux.a$' "$d/list" || { echo "no vmlinux.a"; fail=1; }
		grep -qP '^\d+\tmember\t\d+\tinit/main.o$' "$d/list" || { echo "no init/main.o"; fail=1; }
		grep -qP '^\d+\tmember\t\d+\tlib/\S+\.o$' "$d/list" || { echo "no lib/*.o"; fail=1; }
		grep -qP '^\d+\tscript\t-\t\./arch/x86/kernel/vmlinux.lds$' "$d/list" ||
			{ echo "no vmlinux.lds"; fail=1; }
		# The comparison can fail: without init/main.o the list does not
		# cover the trace.
		grep -vP '\tinit/main.o$' "$d/list" >"$d/list.short"
		if (cd "$(cat "$d/cwd")" && "$CHECK" "$d/list.short" "$d/trace") >/dev/null; then
			echo "a list without init/main.o passed"
			fail=1
		fi
	done
	outs=$(cat "$rec"/link.*/output | sort | tr '\n' ' ')
	printf '%s\n' "$outs"
	return $fail
}

@test "6.1: the lists of vmlinux and .tmp_vmlinux.kallsyms* cover ld --trace, in order" {
	check_kernel 6.1 >"$BATS_TEST_TMPDIR/report" || { cat "$BATS_TEST_TMPDIR/report"; false; }
	cat "$BATS_TEST_TMPDIR/report"
	links=" $(tail -n 1 "$BATS_TEST_TMPDIR/report")"
	[[ "$links" == *" vmlinux "* ]]
	[[ "$links" == *" .tmp_vmlinux.kallsyms1 "* ]]
	[[ "$links" == *" .tmp_vmlinux.kallsyms2 "* ]]
}

@test "6.12: the lists of vmlinux and .tmp_vmlinux1/2 cover ld --trace, in order" {
	check_kernel 6.12 >"$BATS_TEST_TMPDIR/report" || { cat "$BATS_TEST_TMPDIR/report"; false; }
	cat "$BATS_TEST_TMPDIR/report"
	links=" $(tail -n 1 "$BATS_TEST_TMPDIR/report")"
	[[ "$links" == *" vmlinux "* ]]
	[[ "$links" == *" .tmp_vmlinux1 "* ]]
	[[ "$links" == *" .tmp_vmlinux2 "* ]]
}
