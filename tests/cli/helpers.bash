# Shared set-up for the bats suites. KLINKWRAP is the binary under test
# (tests/run-tests sets it to the release or the sanitizer build).

KW_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${KLINKWRAP:=$KW_ROOT/build/release/klinkwrap}"
# Tests cd around: make the binary's path absolute.
case $KLINKWRAP in /*) ;; *) KLINKWRAP=$PWD/$KLINKWRAP ;; esac
export KLINKWRAP
# The suites run under make (make check, make -s, make -j): what the
# outer make tells its children (-s, a jobserver) must not reach the
# klinkwrap under test, whose progress and tokens follow it. Tests that
# need them set them.
unset MAKEFLAGS MFLAGS MAKELEVEL
# Sanitizer reports must fail the test, not scroll by.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# require COMMAND...: skip when a tool is missing, but fail under CI=true,
# where a missing prerequisite is a broken set-up, never a skip.
require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ "${CI:-}" = true ]; then
			echo "missing prerequisite: $c (CI=true: failing, not skipping)" >&2
			return 1
		fi
		skip "missing prerequisite: $c"
	done
}

# A small C program as relocatable objects in $BATS_TEST_TMPDIR.
make_objects() {
	cat >"$BATS_TEST_TMPDIR/main.c" <<'C'
extern int helper(int);
int counter = 3;
int main(void) { return helper(counter) - 9; }
C
	cat >"$BATS_TEST_TMPDIR/helper.c" <<'C'
static int square(int x) { return x * x; }
int helper(int x) { return square(x); }
C
	cc -c -o "$BATS_TEST_TMPDIR/main.o" "$BATS_TEST_TMPDIR/main.c"
	cc -c -o "$BATS_TEST_TMPDIR/helper.o" "$BATS_TEST_TMPDIR/helper.c"
}
