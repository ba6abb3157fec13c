#!/usr/bin/env bats

# `syms` against `nm -n` over the objects of the real kernel trees (Debian's
# linux-source 6.1 and 6.12, tinyconfig; read-only use of the cached
# objtrees): a deterministic sample of 150 objects and every vmlinux-like
# link output, each listed exactly as nm lists it or refused by both.

bats_require_minimum_version 1.5.0

setup() {
	: "${KLINKWRAP:=$BATS_TEST_DIRNAME/../../build/release/klinkwrap}"
	source "$BATS_TEST_DIRNAME/kernel-lib.sh"
	source "$BATS_TEST_DIRNAME/../cli/nm-oracle.bash"
}

@test "nm oracle: 150 objects and the link outputs of the 6.1 and 6.12 tinyconfig trees" {
	local a b
	a=$(kernel_tiny 6.1)
	b=$(kernel_tiny 6.12)
	{
		find "$a" "$b" -name '*.o' -type f | nm_sample 150
		ls -d "$a"/vmlinux "$a"/vmlinux.o "$a"/.tmp_vmlinux* "$b"/vmlinux "$b"/vmlinux.o \
			"$b"/.tmp_vmlinux* 2>/dev/null | grep -v '\.syms$'
	} | nm_agrees_all
}
