#!/usr/bin/env bats

# symhash, syms and symdiff on real links (GNU ld, the ppc64 cross ld),
# the hash after each wrapped link, and bad input.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	make_objects
	cd "$BATS_TEST_TMPDIR"
	unset KLINKWRAP_SYMHASH KLINKWRAP_VERBOSE
	ld -o prog main.o helper.o -e main
}

hash_of() { # hash_of FILE: the HASH field of symhash FILE
	"$KLINKWRAP" symhash "$1" | cut -d' ' -f1
}

@test "symhash prints HASH  COUNT  FILE for each file, sha256sum-style" {
	ld -o prog2 main.o helper.o -e main
	run -0 "$KLINKWRAP" symhash prog prog2
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^[0-9a-f]{32}\ \ [0-9]+\ \ prog$ ]]
	# Same objects, same link: the same hash.
	[ "${lines[0]%% *}" = "${lines[1]%% *}" ]
	# The count is the symbols nm lists (no section or file symbols).
	count=$(echo "${lines[0]}" | awk '{print $2}')
	[ "$count" -eq "$(nm prog | wc -l)" ]
}

@test "symhash: a changed symbol set changes the hash, a rebuilt identical one does not" {
	cc -c -o extra.o -x c - <<<'int extra(void) { return 1; }'
	ld -o prog3 main.o helper.o extra.o -e main
	[ "$(hash_of prog)" != "$(hash_of prog3)" ]
	# Debug info does not take part: only the symbol set does.
	cc -g -c -o main-g.o main.c
	ld -o prog4 main-g.o helper.o -e main
	ld -S -o prog5 main-g.o helper.o -e main
	[ "$(hash_of prog4)" = "$(hash_of prog5)" ]
}

@test "symhash --format=json" {
	run -0 "$KLINKWRAP" symhash --format=json prog
	echo "$output" | jq -e '.[0].file == "prog" and (.[0].hash | length) == 32 and .[0].count > 0'
	run -2 --separate-stderr "$KLINKWRAP" symhash --format=json prog missing
	echo "$output" | jq -e '.[1].file == "missing" and .[1].error == "No such file or directory"'
	[ "$stderr" = "klinkwrap: missing: No such file or directory" ]
}

@test "syms equals nm -n on a real link and on its objects" {
	run -0 "$KLINKWRAP" syms prog
	diff <(LC_ALL=C nm -n prog) <(echo "$output")
	for f in main.o helper.o; do
		diff <(LC_ALL=C nm -n "$f") <("$KLINKWRAP" syms "$f")
	done
}

@test "big-endian ppc64 read on this host: syms equals the cross nm, hash equals little-endian" {
	require powerpc64-linux-gnu-as powerpc64-linux-gnu-ld powerpc64-linux-gnu-nm
	fx=$KW_ROOT/build/fixtures/symset
	"$KW_ROOT/tests/fixtures/make-symset-elfs.sh" "$fx"
	diff <(LC_ALL=C powerpc64-linux-gnu-nm -n "$fx/prog-ppc64-be") <("$KLINKWRAP" syms "$fx/prog-ppc64-be")
	[ "$(hash_of "$fx/prog-ppc64-be")" = "$(hash_of "$fx/prog-ppc64-le")" ]
}

@test "syms --format=json lists address, type, name, size, section" {
	run -0 "$KLINKWRAP" syms --format=json prog
	echo "$output" | jq -e '.file == "prog" and (.symbols | map(select(.name == "main"))[0] |
		.type == "T" and .section == ".text" and .binding == "global")'
}

bad_inputs() { # the bad files, each named after what is wrong with it
	: >empty
	head -c 4096 /dev/urandom >random
	head -c 200 prog >truncated-header
	head -c $(($(stat -c %s prog) - 100)) prog >truncated-end
	mkdir -p a-directory
	cp prog bad-strndx
	# e_shstrndx (ELF64 offset 62) far past e_shnum.
	printf '\xff\x7f' | dd of=bad-strndx bs=1 seek=62 conv=notrunc status=none
	cp prog bad-shdrs
	# Overwrite the section header table (e_shoff at 40) with noise.
	shoff=$(od -An -t u8 -j 40 -N 8 prog | tr -d ' ')
	head -c 4096 /dev/urandom | dd of=bad-shdrs bs=1 seek="$shoff" conv=notrunc status=none
	truncate -s "$(stat -c %s prog)" bad-shdrs
}

@test "bad input: klinkwrap: FILE: reason, exit 2, and no hash" {
	bad_inputs
	for f in empty random truncated-header truncated-end a-directory missing bad-strndx bad-shdrs /dev/null; do
		for cmd in symhash syms; do
			run -2 --separate-stderr "$KLINKWRAP" "$cmd" "$f"
			[ -z "$output" ] || { echo "$cmd $f printed: $output"; false; }
			[[ "$stderr" == "klinkwrap: $f: "?* ]] || { echo "$cmd $f: $stderr"; false; }
		done
		run -2 "$KLINKWRAP" symdiff prog "$f"
	done
}

@test "bad input among good files: the good ones are hashed, the status is 2" {
	: >empty
	run -2 --separate-stderr "$KLINKWRAP" symhash prog empty prog
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "klinkwrap: empty: empty file, not ELF" ]
}

@test "a stripped file and a raw binary are refused with a reason" {
	ld -s -o stripped main.o helper.o -e main
	ld --oformat binary -o image.bin main.o helper.o -e main
	run -2 "$KLINKWRAP" symhash stripped
	[[ "$output" == *"stripped: no .symtab"* ]]
	run -2 "$KLINKWRAP" symhash image.bin
	[[ "$output" == *"image.bin: not an ELF file"* ]]
}

@test "usage errors" {
	run -125 "$KLINKWRAP" symhash
	[[ "$output" == *"no file given"* ]]
	run -125 "$KLINKWRAP" syms --sysmap=5.4 prog
	run -125 "$KLINKWRAP" syms prog prog
	run -125 "$KLINKWRAP" symhash --format=xml prog
	run -125 "$KLINKWRAP" symdiff prog
	run -125 "$KLINKWRAP" symdiff --bogus prog prog
	run -0 "$KLINKWRAP" symhash --help
	[[ "$output" == *"usage: klinkwrap symhash"* ]]
}

@test "wrapper: --verbose reports the symbol-set hash of each successful link" {
	run -0 "$KLINKWRAP" --verbose ld -o wrapped main.o helper.o -e main
	expected=$("$KLINKWRAP" symhash wrapped | awk '{print $1 " (" $2 " symbols)"}')
	[[ "$output" == *"klinkwrap: wrapped: "*"exited 0 after "*" s, symhash $expected" ]]
	[ "$(echo "$output" | grep -c klinkwrap:)" -eq 1 ]
	# The output is the linker's own: same bytes as without the wrapper.
	ld -o plain main.o helper.o -e main
	cmp wrapped plain
}

@test "wrapper: stripped outputs are recorded, binary images skipped, --no-symhash off" {
	run -0 "$KLINKWRAP" --verbose ld -s -o stripped main.o helper.o -e main
	[[ "$output" == *"stripped: "*"exited 0 after "*" s, no .symtab" ]]
	run -0 "$KLINKWRAP" --verbose ld --oformat binary -o image.bin main.o helper.o -e main
	[[ "$output" == *"image.bin: "*"exited 0 after "*" s" ]]
	[[ "$output" != *symhash* && "$output" != *warning* ]]
	run -0 "$KLINKWRAP" --verbose --no-symhash ld -o off main.o helper.o -e main
	[[ "$output" != *symhash* ]]
	KLINKWRAP_SYMHASH=no run -0 "$KLINKWRAP" --verbose ld -o off main.o helper.o -e main
	[[ "$output" != *symhash* ]]
}

@test "wrapper: a failed link gets no hash and keeps its status" {
	run -1 "$KLINKWRAP" --verbose ld -o failed main.o -e main
	[[ "$output" == *"failed: "*"exited 1 after "* ]]
	[[ "$output" != *symhash* ]]
}

@test "symdiff: same set exits 0 with an all-zero summary" {
	ld -o prog2 main.o helper.o -e main
	run -0 "$KLINKWRAP" symdiff prog prog2
	[ "$output" = "add/remove: 0/0 moved: 0 grow/shrink: 0/0 up/down: 0/0 (0)" ]
}

@test "symdiff: added, removed, moved and resized symbols, largest effect first" {
	cat >big.c <<'C'
int big(int x) { int a[64]; for (int i = 0; i < 64; i++) a[i] = x * i; return a[x & 63]; }
C
	# helper grows, square goes away.
	cat >helper2.c <<'C'
int helper(int x) { int y = x; for (int i = 0; i < 3; i++) y = y * 3 + i; return y - y + x * x; }
C
	cc -c -O0 -o big.o big.c
	cc -c -O0 -o helper2.o helper2.c
	# big.o links first, so main moves up.
	ld -o prog2 big.o main.o helper2.o -e main
	run -1 "$KLINKWRAP" symdiff prog prog2
	[[ "${lines[0]}" =~ ^add/remove:\ 1/1\ moved:\ [1-9][0-9]*\ grow/shrink:\ 1/0\ up/down:\ [1-9][0-9]*/-[1-9][0-9]*\ \([1-9][0-9]*\)$ ]]
	# The header, then the added function first (largest size effect).
	[[ "${lines[2]}" == "[A] big "* ]]
	[[ "$output" == *"[S] helper "* ]]
	[[ "$output" == *"[D] square "* ]]
	[[ "$output" == *"[M] main "* ]]
	run -1 "$KLINKWRAP" symdiff --format=json prog prog2
	echo "$output" | jq -e '.same == false and .summary.added == 1 and .rows[0].name == "big"
		and .rows[0].kind == ["added"] and .rows[0].old == null'
}

@test "symdiff groups the branch stubs ppc64 GNU ld adds for a far call" {
	require powerpc64-linux-gnu-as powerpc64-linux-gnu-ld
	cat >far.s <<'S'
	.abiversion 2
	.section .text.a,"ax",@progbits
	.globl _start
	.type _start,@function
_start:
	bl far
	nop
	blr
	.size _start, .-_start
	.section .text.far,"ax",@progbits
	.globl far
	.type far,@function
far:
	blr
	.size far, .-far
S
	powerpc64-linux-gnu-as -a64 -mbig -o far.o far.s
	# The same code with the callee 4 KiB away, then 64 MiB away (beyond
	# the +-32 MiB reach of bl): ld adds a .plt_branch stub.
	for addr in 0x10001000 0x14000000; do
		echo "SECTIONS { .text 0x10000000 : { *(.text.a) } .far $addr : { *(.text.far) } }" >"$addr.ld"
		powerpc64-linux-gnu-ld -m elf64ppc --no-warn-rwx-segments -T "$addr.ld" -o "ppc-$addr" far.o
	done
	run -1 "$KLINKWRAP" symdiff ppc-0x10001000 ppc-0x14000000
	[[ "$output" == *"linker stubs/thunks: 1 added, 0 removed"* ]]
	[[ "$output" == *"linker stubs and thunks:"*"[A] "*".plt_branch.far"* ]]
	run -1 "$KLINKWRAP" symdiff --format=json ppc-0x10001000 ppc-0x14000000
	echo "$output" | jq -e '.summary.stubs_added == 1 and ([.rows[] | select(.stub)] | length) == 1'
}

# The definition in the man page, implemented apart with other parts
# (pyelftools reads the ELF, python3-xxhash hashes): the oracle of the hash.
oracle() { /usr/bin/python3 "$KW_ROOT/tests/cli/symhash-oracle.py" "$@"; }

require_oracle() {
	require /usr/bin/python3
	if ! /usr/bin/python3 -c 'import xxhash, elftools' 2>/dev/null; then
		[ "${CI:-}" != true ] || { echo "missing python3-xxhash or python3-pyelftools" >&2; return 1; }
		skip "missing python3-xxhash or python3-pyelftools"
	fi
}

@test "symhash equals the man page's definition computed apart (pyelftools + python3-xxhash)" {
	require_oracle
	require powerpc64-linux-gnu-as
	fx=$KW_ROOT/build/fixtures/symset
	"$KW_ROOT/tests/fixtures/make-symset-elfs.sh" "$fx"
	# Both classes, both byte orders, SHN_XINDEX, a linked program, this
	# machine's own objects and libraries with symbols.
	files=(prog main.o helper.o "$fx"/prog-* "$fx/xindex.o")
	for f in /usr/lib/x86_64-linux-gnu/*crt*.o \
		/usr/lib/gcc/x86_64-linux-gnu/*/crt*.o; do
		[ -f "$f" ] && readelf -S "$f" 2>/dev/null | grep -q ' \.symtab ' && files+=("$f")
	done
	[ "${#files[@]}" -gt 8 ]
	diff <(oracle "${files[@]}") <("$KLINKWRAP" symhash "${files[@]}")
}

@test "the man page's worked examples: the oracle agrees" {
	require_oracle
	[ "$(echo '0x1000 16 2 1 .text main' | oracle --symbols)" = "0919f03f9df385f2cfd359c87f8d97fa  1" ]
	[ "$(: | oracle --symbols)" = "10e45c7ce2292320743df94ee4c78a2a  0" ]
}

@test "the man page's worked examples of the hash definition hold" {
	# One global function main at 0x1000, 16 bytes, in .text, and nothing else.
	printf '.globl main\n.type main,@function\nmain:\n.zero 16\n.size main,16\n' >one.s
	as -o one.o one.s
	echo 'SECTIONS { .text 0x1000 : { *(.text) } }' >one.ld
	ld -T one.ld -e main -o one one.o
	run -0 "$KLINKWRAP" symhash one
	[ "$output" = "0919f03f9df385f2cfd359c87f8d97fa  1  one" ]
	grep -q 0919f03f9df385f2cfd359c87f8d97fa "$KW_ROOT/doc/klinkwrap.1"
	# A .symtab holding only a file symbol: the empty set.
	printf '.file "x.c"\n.text\n' >empty.s
	as -o empty.o empty.s
	run -0 "$KLINKWRAP" symhash empty.o
	[ "$output" = "10e45c7ce2292320743df94ee4c78a2a  0  empty.o" ]
	grep -q 10e45c7ce2292320743df94ee4c78a2a "$KW_ROOT/doc/klinkwrap.1"
}

# Sizes and addresses are any 64-bit values: a corrupt or hostile object can
# claim .size foo, 0xffffffffffffffff. Text output is exact (deltas need 65
# bits, totals more), JSON clamps to int64 and says "saturated"; under the
# sanitizer build any signed overflow fails the test.
extreme_objects() {
	printf '.file "x.c"\n.text\n' >empty.s
	printf '.data\n.globl foo\nfoo: .zero 8\n.size foo, 0x8000000000000000\n' >big.s
	printf '.data\n.globl foo, foo2\nfoo: .zero 8\n.size foo, 0x8000000000000000\nfoo2: .zero 8\n.size foo2, 0x8000000000000000\n' >two.s
	cat >old.s <<'S'
	.data
	.globl grow, drop, keep
grow:	.zero 8
	.size grow, 0x7fffffffffffffff
drop:	.zero 8
	.size drop, 0xffffffffffffffff
keep:	.zero 8
	.size keep, 8
	.globl far, near
	.set far, 0x10
	.set near, 0x1000
S
	cat >new.s <<'S'
	.data
	.globl grow, drop, keep, huge1, huge2
grow:	.zero 8
	.size grow, 0xffffffffffffffff
drop:	.zero 8
	.size drop, 0
keep:	.zero 8
	.size keep, 16
huge1:	.zero 8
	.size huge1, 0xffffffffffffffff
huge2:	.zero 8
	.size huge2, 0xffffffffffffffff
	.globl far, near
	.set far, 0xfffffffffffffff0
	.set near, 0x1008
S
	local f
	for f in empty big two old new; do
		as -o "$f.o" "$f.s"
	done
}

# json_check FILE PYTHON-EXPR: the expression over d (the parsed JSON, exact
# integers, unlike jq 1.6) holds.
json_check() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
if not eval("(" + sys.argv[2] + ")"):
    sys.exit("false: " + sys.argv[2])' "$@"
}

@test "symdiff: a size of 2^63 added or removed is exact, no overflow" {
	require python3
	extreme_objects
	run -1 "$KLINKWRAP" symdiff big.o empty.o
	[ "${lines[0]}" = "add/remove: 0/1 moved: 0 grow/shrink: 0/0 up/down: 0/-9223372036854775808 (-9223372036854775808)" ]
	[[ "${lines[2]}" =~ ^\[D\]\ foo\ +0+\ +-\ +9223372036854775808\ +0\ -9223372036854775808$ ]]
	run -1 "$KLINKWRAP" symdiff empty.o big.o
	[ "${lines[0]}" = "add/remove: 1/0 moved: 0 grow/shrink: 0/0 up/down: 9223372036854775808/0 (9223372036854775808)" ]
	[[ "${lines[2]}" =~ ^\[A\]\ foo\ +-\ +0+\ +0\ 9223372036854775808\ \+9223372036854775808$ ]]
	# Two of them: the totals pass 2^64.
	run -1 "$KLINKWRAP" symdiff two.o empty.o
	[ "${lines[0]}" = "add/remove: 0/2 moved: 0 grow/shrink: 0/0 up/down: 0/-18446744073709551616 (-18446744073709551616)" ]
	run -1 "$KLINKWRAP" symdiff empty.o two.o
	[ "${lines[0]}" = "add/remove: 2/0 moved: 0 grow/shrink: 0/0 up/down: 18446744073709551616/0 (18446744073709551616)" ]
	# JSON: -2^63 fits int64 exactly; +2^63 and the sizes do not.
	"$KLINKWRAP" symdiff --format=json big.o empty.o >rm.json || [ $? -eq 1 ]
	json_check rm.json 'd["summary"]["down"] == 2**63 - 1 and d["summary"]["total"] == -2**63
		and d["summary"]["up"] == 0 and d["summary"]["saturated"]
		and d["rows"][0]["size_delta"] == -2**63 and d["rows"][0]["old"]["size"] == 2**63 - 1
		and d["rows"][0]["saturated"]'
	"$KLINKWRAP" symdiff --format=json empty.o big.o >add.json || [ $? -eq 1 ]
	json_check add.json 'd["summary"]["up"] == 2**63 - 1 and d["summary"]["total"] == 2**63 - 1
		and d["summary"]["down"] == 0 and d["summary"]["saturated"]
		and d["rows"][0]["size_delta"] == 2**63 - 1 and d["rows"][0]["saturated"]'
	"$KLINKWRAP" symdiff --format=json two.o empty.o >rm2.json || [ $? -eq 1 ]
	json_check rm2.json 'd["summary"]["total"] == -2**63 and d["summary"]["saturated"]'
}

@test "symdiff: sizes of 2^64-1, deltas past 2^63 and moves near 2^64, exact and in order" {
	require python3
	extreme_objects
	run -1 "$KLINKWRAP" symdiff old.o new.o
	# up = 2 * (2^64-1) + 2^63 + 8, down = 2^64-1.
	[ "${lines[0]}" = "add/remove: 2/0 moved: 2 grow/shrink: 2/1 up/down: 46116860184273879046/-18446744073709551615 (27670116110564327431)" ]
	# Largest size change first (drop's 2^64-1 shrink ties the added ones,
	# then by name), then grow's +2^63, keep's +8, then the moves by
	# distance: far (0x10 -> 0xfffffffffffffff0) before near (+8).
	[[ "${lines[2]}" =~ ^\[S\]\ drop\ .*\ 18446744073709551615\ +0\ -18446744073709551615$ ]]
	[[ "${lines[3]}" =~ ^\[A\]\ huge1\ .*\ 0\ 18446744073709551615\ \+18446744073709551615$ ]]
	[[ "${lines[4]}" =~ ^\[A\]\ huge2\ .*\ \+18446744073709551615$ ]]
	[[ "${lines[5]}" =~ ^\[S\]\ grow\ .*\ 9223372036854775807\ 18446744073709551615\ \+9223372036854775808$ ]]
	[[ "${lines[6]}" =~ ^\[S\]\ keep\ .*\ +8\ +16\ +\+8$ ]]
	[[ "${lines[7]}" =~ ^\[M\]\ far\ +0000000000000010\ fffffffffffffff0\ .*\ \+0$ ]]
	[[ "${lines[8]}" =~ ^\[M\]\ near\ .*\ \+0$ ]]
	[ "${#lines[@]}" -eq 9 ]
	# The other way round: signs flip, totals mirror.
	run -1 "$KLINKWRAP" symdiff new.o old.o
	[ "${lines[0]}" = "add/remove: 0/2 moved: 2 grow/shrink: 1/2 up/down: 18446744073709551615/-46116860184273879046 (-27670116110564327431)" ]
	[[ "${lines[2]}" =~ ^\[S\]\ drop\ .*\ \+18446744073709551615$ ]]
	[[ "${lines[5]}" =~ ^\[S\]\ grow\ .*\ -9223372036854775808$ ]]
	"$KLINKWRAP" symdiff --format=json old.o new.o >d.json || [ $? -eq 1 ]
	json_check d.json '[r["name"] for r in d["rows"]] == ["drop", "huge1", "huge2", "grow", "keep", "far", "near"]
		and d["summary"]["up"] == 2**63 - 1 and d["summary"]["down"] == 2**63 - 1
		and d["summary"]["total"] == 2**63 - 1 and d["summary"]["saturated"]
		and d["summary"]["grown"] == 2 and d["summary"]["shrunk"] == 1
		and d["rows"][0]["size_delta"] == -2**63 and d["rows"][3]["size_delta"] == 2**63 - 1
		and [r["saturated"] for r in d["rows"]] == [True] * 4 + [False] * 3
		and d["rows"][4]["size_delta"] == 8 and d["rows"][5]["new"]["address"] == "fffffffffffffff0"'
	# Nothing extreme: saturated is false throughout.
	"$KLINKWRAP" symdiff --format=json prog prog >same.json || true
	json_check same.json 'd["summary"]["saturated"] is False and d["rows"] == []'
}

@test "syms --format=json clamps a size past int64 and flags it, never wraps it negative" {
	require python3
	printf '.globl big\n.data\nbig: .quad 0\n.size big, 0xffffffffffffffff\n.globl small\nsmall: .quad 1\n.size small, 8\n' >syms-big.s
	as -o syms-big.o syms-big.s
	"$KLINKWRAP" syms --format=json syms-big.o >syms.json
	json_check syms.json '[s["size"] for s in d["symbols"]] == [2**63 - 1, 8]'
	json_check syms.json 'd["symbols"][0]["saturated"] is True and "saturated" not in d["symbols"][1]'
	run "$KLINKWRAP" syms syms-big.o
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0000000000000000 D big" ]
}
