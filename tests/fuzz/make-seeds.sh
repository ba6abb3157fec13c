#!/bin/bash
# Seed the symbol-set fuzz corpus in DIR with small real ELF files built
# here: ELF64 and ELF32, both byte orders, relocatable and linked.
# Existing files (and whatever the fuzzer added) are kept.
set -euo pipefail
dir=${1:?usage: make-seeds.sh DIR}
mkdir -p "$dir"
[ -f "$dir/.seeded" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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
