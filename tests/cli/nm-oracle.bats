#!/usr/bin/env bats

# `syms` against `nm -n` over a deterministic sample of this machine's own
# ELF files: every file lists exactly as nm lists it, or both refuse it
# (stripped and non-ELF files count as refused). The kernel trees' objects
# are in tests/kernel/nm-oracle.bats.

load helpers
load nm-oracle
bats_require_minimum_version 1.5.0

@test "nm oracle: a sample of /usr/bin and /usr/lib/x86_64-linux-gnu/*.so*" {
	[ -d /usr/lib/x86_64-linux-gnu ] || skip "not a Debian x86-64 layout"
	{
		find /usr/bin -maxdepth 1 -type f
		find /usr/lib/x86_64-linux-gnu -maxdepth 1 -name '*.so*' -type f
	} | nm_sample 130 | nm_agrees_all
}

@test "nm oracle: the C run-time objects of glibc and gcc (unstripped)" {
	ls /usr/lib/x86_64-linux-gnu/*crt*.o /usr/lib/gcc/x86_64-linux-gnu/*/*.o 2>/dev/null |
		nm_sample 40 | nm_agrees_all
}
