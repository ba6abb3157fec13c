#!/bin/bash
# Seed the symbol-set fuzz corpus in DIR with small real ELF files built
# here: ELF64 and ELF32, both byte orders, relocatable and linked, objects
# with extreme symbol sizes and addresses, and pairs of them joined by the
# harness's split marker (symdiff of the two). Existing files (and whatever
# the fuzzer added) are kept.
set -euo pipefail
dir=${1:?usage: make-seeds.sh DIR}
mkdir -p "$dir"
[ -f "$dir/.seeded" ] && [ -f "$dir/.seeded-pairs" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# pair NAME A B: A, the split marker of fuzz_symset.c, B.
pair() {
	[ -f "$dir/$2" ] && [ -f "$dir/$3" ] || return 0
	{ cat "$dir/$2"; printf '\n--klinkwrap-fuzz-split--\n'; cat "$dir/$3"; } >"$dir/$1"
}

if [ ! -f "$dir/.seeded" ]; then
	cat >"$tmp/p.c" <<'C'
static int square(int x) { return x * x; }
int counter = 3;
int table[4];
__attribute__((weak)) int maybe(void) { return 1; }
int main(void) { return square(counter) + maybe() + table[0]; }
C
	cc -c -O1 -o "$dir/x86_64.o" "$tmp/p.c"
	ld -o "$dir/x86_64-exec" "$dir/x86_64.o" -e main

	prog=$(cd "$(dirname "$0")/../fixtures" && pwd)/symset-prog.s
	as --32 -o "$dir/i386.o" "$prog"
	ld -m elf_i386 -o "$dir/i386-exec" "$dir/i386.o"
	if command -v powerpc64-linux-gnu-as >/dev/null; then
		powerpc64-linux-gnu-as -a64 -mbig -o "$dir/ppc64be.o" "$prog"
		powerpc64-linux-gnu-ld -m elf64ppc -o "$dir/ppc64be-exec" "$dir/ppc64be.o"
		powerpc64-linux-gnu-as -a32 -mbig -o "$dir/ppc32be.o" "$prog"
		powerpc64-linux-gnu-ld -m elf32ppc -o "$dir/ppc32be-exec" "$dir/ppc32be.o"
	fi
	touch "$dir/.seeded"
fi

# Sizes and addresses at the ends of the 64-bit range.
printf '%s\n' .data '.globl a, b, c' 'a: .zero 8' '.size a, 0x7fffffffffffffff' \
	'b: .zero 8' '.size b, 0xffffffffffffffff' 'c: .zero 8' '.size c, 8' \
	'.globl far' '.set far, 0x10' >"$tmp/x-old.s"
printf '%s\n' .data '.globl a, b, c, d' 'a: .zero 8' '.size a, 0xffffffffffffffff' \
	'b: .zero 8' '.size b, 0' 'c: .zero 8' '.size c, 0x8000000000000000' \
	'd: .zero 8' '.size d, 0x8000000000000000' \
	'.globl far' '.set far, 0xfffffffffffffff0' >"$tmp/x-new.s"
as -o "$dir/extreme-old.o" "$tmp/x-old.s"
as -o "$dir/extreme-new.o" "$tmp/x-new.s"
pair pair-extreme extreme-old.o extreme-new.o
pair pair-x86_64 x86_64.o x86_64-exec
pair pair-x86_64-extreme x86_64.o extreme-new.o
pair pair-i386 i386.o i386-exec
pair pair-i386-x86_64 i386.o x86_64.o
pair pair-ppc64be ppc64be.o ppc64be-exec
pair pair-ppc32be ppc32be.o ppc32be-exec
touch "$dir/.seeded-pairs"
