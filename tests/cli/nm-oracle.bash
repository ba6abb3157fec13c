# nm -n as the oracle of `klinkwrap syms` over many files (sourced by
# tests/cli/nm-oracle.bats and tests/kernel/nm-oracle.bats).

# nm_sample COUNT: every k-th line of the sorted paths on stdin (unique,
# regular files), about COUNT of them: the same sample on the same machine.
nm_sample() {
	local count=$1
	LC_ALL=C sort -u | awk -v want="$count" '{ f[NR] = $0 } END {
		step = NR > want ? NR / want : 1
		for (x = 1; x <= NR; x += step) print f[int(x)]
	}'
}

# nm_agrees FILE: syms lists FILE exactly as nm -n does, or both refuse it
# (nm lists nothing: not ELF, stripped, no symbols; klinkwrap lists nothing
# and exits 2 with a message, or 0 for a set without symbols). Says why not.
nm_agrees() {
	local f=$1 rc=0
	LC_ALL=C nm -n "$f" >"$BATS_TEST_TMPDIR/nm.out" 2>"$BATS_TEST_TMPDIR/nm.err" || true
	"$KLINKWRAP" syms "$f" >"$BATS_TEST_TMPDIR/kw.out" 2>"$BATS_TEST_TMPDIR/kw.err" || rc=$?
	if [ -s "$BATS_TEST_TMPDIR/nm.out" ]; then
		if [ "$rc" -ne 0 ]; then
			echo "$f: nm lists it, syms refuses it: $(cat "$BATS_TEST_TMPDIR/kw.err")"
			return 1
		fi
		if ! cmp -s "$BATS_TEST_TMPDIR/nm.out" "$BATS_TEST_TMPDIR/kw.out"; then
			echo "$f: syms differs from nm -n:"
			diff "$BATS_TEST_TMPDIR/nm.out" "$BATS_TEST_TMPDIR/kw.out" | head -n 10
			return 1
		fi
		nm_listed=$((nm_listed + 1))
		return 0
	fi
	if [ -s "$BATS_TEST_TMPDIR/kw.out" ]; then
		echo "$f: nm refuses it ($(head -c 200 "$BATS_TEST_TMPDIR/nm.err")), syms lists it"
		return 1
	fi
	if [ "$rc" -ne 0 ] && { [ "$rc" -ne 2 ] || [ ! -s "$BATS_TEST_TMPDIR/kw.err" ]; }; then
		echo "$f: syms exits $rc: $(cat "$BATS_TEST_TMPDIR/kw.err")"
		return 1
	fi
	nm_refused=$((nm_refused + 1))
}

# nm_agrees_all: nm_agrees for every path on stdin; all are checked, then
# the failures are reported together.
nm_agrees_all() {
	local f bad=0
	nm_listed=0 nm_refused=0
	while IFS= read -r f; do
		nm_agrees "$f" || bad=$((bad + 1))
	done
	echo "# $nm_listed listed as nm does, $nm_refused refused by both, $bad disagreeing" >&3
	[ "$bad" -eq 0 ]
}
