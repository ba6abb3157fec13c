#!/usr/bin/env bats

# The symbol-set reader against what can go wrong around the file: a
# FIFO (never opened), a file that shrinks or is rewritten while it is read
# (exit 2 with a message, never a signal), and the places where nm -n's
# order and letters are not the hash's (a real mold link, an ld -r object
# with one name twice at one address).

load helpers
bats_require_minimum_version 1.5.0

setup() {
	make_objects
	cd "$BATS_TEST_TMPDIR"
	unset KLINKWRAP_SYMHASH KLINKWRAP_VERBOSE
	ld -o prog main.o helper.o -e main
}

@test "a FIFO is refused at once by symhash, syms and symdiff" {
	mkfifo fifo
	for cmd in "symhash fifo" "syms fifo" "symdiff prog fifo" "symdiff fifo prog"; do
		# timeout: before the fix each of these blocked in open().
		run -2 --separate-stderr timeout 20 "$KLINKWRAP" $cmd
		[ "$stderr" = "klinkwrap: fifo: not a regular file, not ELF" ] ||
			{ echo "$cmd: $stderr"; false; }
	done
}

@test "a wrapped link whose output is a FIFO is not hashed, and does not hang" {
	require ld.lld
	mkfifo out
	cat out >out.bytes &
	reader=$!
	# lld writes to a FIFO (GNU ld cannot seek on one).
	run -0 --separate-stderr timeout 20 "$KLINKWRAP" --verbose ld.lld -o out main.o helper.o -e main
	wait "$reader"
	[[ "$stderr" == *"out: "*"exited 0 after "* ]]
	[[ "$stderr" != *symhash* && "$stderr" != *warning* ]]
	[ -s out.bytes ]
}

# run_racing FILE ACTION: symhash FILE while ACTION changes it, after a
# few delays across the read; each run must read one version of the file
# whole (exit 0 and the hash of the version before or after ACTION) or
# refuse it with a message (exit 2), never die of a signal (SIGBUS was
# 135) and never print the hash of a mix of both.
run_racing() {
	local file=$1 action=$2 delay status before after
	before=$("$KLINKWRAP" symhash "$fx/big-3m.elf")
	before=${before%%  *}
	for delay in 0 0.01 0.03 0.06 0.1 0.15 0.25 0.4; do
		cp "$fx/big-3m.elf" "$file"
		"$KLINKWRAP" symhash "$file" >out 2>err &
		pid=$!
		sleep "$delay"
		$action "$file"
		status=0
		wait "$pid" || status=$?
		after=$("$KLINKWRAP" symhash "$file" 2>/dev/null) || after=none
		case $status in
		0) [[ "$(cat out)" == "$before  "* || "$(cat out)" == "${after%%  *}  "* ]] ;;
		2)
			[ ! -s out ]
			grep -q "^klinkwrap: $file: ." err
			;;
		*)
			echo "delay $delay: exit $status: $(cat err)"
			false
			;;
		esac
		echo "# delay $delay: exit $status $(cat err)" >&3
	done
}

shrink() { truncate -s 60000000 "$1"; }
rewrite() { dd if=/dev/zero of="$1" bs=1M seek=20 count=60 conv=notrunc status=none; }

@test "a 3-million-symbol file that shrinks while symhash reads it: exit 2 or a whole read, never a signal" {
	fx=$KW_ROOT/build/fixtures/symset
	"$KW_ROOT/tests/fixtures/make-symset-elfs.sh" "$fx" big-3m.elf
	run_racing t.elf shrink
}

@test "a 3-million-symbol file rewritten in place while symhash reads it: exit 2 or a whole read" {
	fx=$KW_ROOT/build/fixtures/symset
	"$KW_ROOT/tests/fixtures/make-symset-elfs.sh" "$fx" big-3m.elf
	run_racing t.elf rewrite
}

@test "a file cut before it is read is refused with the cause" {
	fx=$KW_ROOT/build/fixtures/symset
	"$KW_ROOT/tests/fixtures/make-symset-elfs.sh" "$fx" big-3m.elf
	head -c 60000000 "$fx/big-3m.elf" >cut.elf
	run -2 --separate-stderr "$KLINKWRAP" symhash cut.elf
	[ "$stderr" = "klinkwrap: cut.elf: truncated: the section header table ends past the end of the file" ]
}

@test "syms equals nm -n on a real mold link: undefined symbols with values, symbols in .symtab/.strtab" {
	require mold
	cc -fuse-ld=mold -o prog-mold main.o helper.o
	# What made them differ: mold gives __FRAME_END__ a value, and puts
	# __start_EHDR and seven others in .symtab or .strtab, which nm shows
	# as absolute.
	LC_ALL=C nm -n prog-mold | grep -q '^ *U __FRAME_END__$'
	LC_ALL=C nm -n prog-mold | grep -q '^0* a __start_EHDR$'
	diff <(LC_ALL=C nm -n prog-mold) <("$KLINKWRAP" syms prog-mold)
	# and for the trivial program's objects
	for f in main.o helper.o; do
		diff <(LC_ALL=C nm -n "$f") <("$KLINKWRAP" syms "$f")
	done
}

@test "syms keeps nm's symbol-table order for one name twice at one address (ld -r)" {
	cat >a.c <<'C'
__attribute__((section(".text.a"), used)) static int dup(void) { return 1; }
int use_a(void) { return dup(); }
C
	cat >b.c <<'C'
__attribute__((section(".data.b"), used)) static int dup = 2;
int use_b(void) { return dup; }
C
	cc -c a.c b.c
	ld -r -o ab.o a.o b.o
	# The function comes first in .symtab, the hash's order puts the
	# smaller object first.
	diff <(LC_ALL=C nm -n ab.o) <("$KLINKWRAP" syms ab.o)
	[ "$("$KLINKWRAP" syms ab.o | grep -c ' dup$')" -eq 2 ]
}

@test "syms lists a common symbol at its size, as nm does" {
	printf 'int x;\nint y __attribute__((aligned(64)));\nint main(void) { return x + y; }\n' >c.c
	cc -fcommon -c c.c
	diff <(LC_ALL=C nm -n c.o) <("$KLINKWRAP" syms c.o)
}
