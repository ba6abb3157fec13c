#!/usr/bin/env bats

# The libFuzzer harness over the symbol-set reader and the differ (inputs
# holding the split marker are two files, diffed both ways): every input of
# the corpus, then a bounded smoke run (FUZZ_SMOKE_TIME seconds, 40 by
# default; the whole file stays under 60 s).

load ../cli/helpers
bats_require_minimum_version 1.5.0

setup() {
	require clang
	fuzzer=$KW_ROOT/build/fuzz/fuzz_symset
	corpus=$KW_ROOT/build/fuzz/corpus
	make -s -C "$KW_ROOT" fuzz-build >&2
	"$KW_ROOT/tests/fuzz/make-seeds.sh" "$corpus"
}

@test "fuzz: every corpus input runs clean" {
	run -0 "$fuzzer" -runs=0 -max_len=16384 -timeout=10 \
		-artifact_prefix="$BATS_TEST_TMPDIR/" "$corpus"
	[[ "$output" == *"Done "*" runs"* ]]
	! ls "$BATS_TEST_TMPDIR"/crash-* 2>/dev/null || false
}

@test "fuzz: bounded smoke run finds nothing" {
	run -0 "$fuzzer" -max_total_time="${FUZZ_SMOKE_TIME:-40}" -max_len=16384 -timeout=10 \
		-rss_limit_mb=1024 -artifact_prefix="$BATS_TEST_TMPDIR/" "$corpus"
	[[ "$output" == *"Done "*" runs in "* ]]
	! ls "$BATS_TEST_TMPDIR"/crash-* "$BATS_TEST_TMPDIR"/leak-* "$BATS_TEST_TMPDIR"/timeout-* 2>/dev/null || false
}
