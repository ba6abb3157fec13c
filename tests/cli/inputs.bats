#!/usr/bin/env bats

# The input list (inputs.h) against the linker itself: each link here runs
# for real with --trace, and tests/unit/list_inputs (the list klinkwrap
# computes for the same arguments) must name every file the trace names,
# in the same order of first appearance (tests/cli/inputs-check says how
# archive members count). GNU ld, lld, mold and gold where installed.

load helpers
bats_require_minimum_version 1.5.0

LIST_INPUTS=$KW_ROOT/build/${KW_VARIANT:-release}/unit/list_inputs
CHECK=$KW_ROOT/tests/cli/inputs-check

setup() {
	require python3 cc ar
	[ -x "$LIST_INPUTS" ] || skip "no $LIST_INPUTS (make test-programs)"
	cd "$BATS_TEST_TMPDIR"
	mkdir -p sub/deep lib
	# main -> a1 -> b1 -> a2: a group of two archives needs a rescan.
	cat >main.c <<'C'
extern int a1(void);
int main(void) { return a1(); }
C
	echo 'extern int b1(void); int a1(void) { return b1(); }' >sub/a1.c
	echo 'int a2(void) { return 2; }' >sub/a2.c
	echo 'int unused(void) { return 9; }' >sub/deep/unused.c
	echo 'extern int a2(void); int b1(void) { return a2(); }' >sub/b1.c
	echo 'int s1(void) { return 1; }' >lib/s1.c
	for f in main sub/a1 sub/a2 sub/b1 sub/deep/unused; do cc -c -o $f.o $f.c; done
	cc -fPIC -c -o lib/s1.o lib/s1.c
}

# traced LINKER ARGS...: link with --trace into trace, list into list, and
# compare. The link must succeed.
traced() {
	"$@" --trace >trace 2>link.err || { cat link.err; return 1; }
	"$LIST_INPUTS" "$@" >list
	cat list
	"$CHECK" list trace
}

linkers() { # the linkers installed, GNU ld first
	local l
	for l in ld ld.lld mold ld.gold; do command -v "$l" >/dev/null && echo "$l"; done
}

@test "the checker fails a list that misses a traced file or has it out of order" {
	ar rcT thin.a sub/a1.o sub/a2.o sub/b1.o
	traced ld -o prog -e main main.o thin.a
	# Drop one member: not covered.
	grep -v 'sub/b1.o' list >short
	run -1 "$CHECK" short trace
	[[ "$output" == *"not in the list: sub/b1.o"* ]]
	# Swap the first two files: out of order.
	printf '0\tarchive\t-\tthin.a\n1\tmember\t0\tsub/a1.o\n2\tmember\t0\tsub/a2.o\n3\tmember\t0\tsub/b1.o\n4\tobject\t-\tmain.o\n' >swapped
	run -1 "$CHECK" swapped trace
	[[ "$output" == *"out of order"* ]]
	# An incomplete list is no pass either.
	{ cat list; printf 'incomplete\tx\n'; } >inc
	run -1 "$CHECK" inc trace
}

@test "objects, regular and thin archives in a group with rescans, whole-archive" {
	ar rc reg.a sub/a1.o sub/a2.o
	ar rcT sub/thin.a sub/b1.o sub/deep/unused.o
	ar rcT thinA.a sub/a1.o sub/a2.o
	ar rc sub/regB.a sub/b1.o
	for l in $(linkers); do
		echo "# $l"
		traced "$l" -o prog -e main main.o --start-group reg.a sub/thin.a --end-group
		# The thin archive's members are listed after it, relative to its
		# directory, also the one not pulled in.
		grep -qP '^\d+\tmember\t\d+\tsub/deep/unused.o$' list
		traced "$l" -o prog -e main main.o --start-group thinA.a sub/regB.a --end-group
		traced "$l" -o prog -e main main.o -\( thinA.a sub/thin.a -\)
		traced "$l" -o prog -e main main.o --whole-archive sub/thin.a --no-whole-archive \
			thinA.a
	done
}

@test "-l, -l NAME, -l:FILE, --library through -L; .so or .a under -Bstatic/-Bdynamic" {
	ar rc lib/libs1.a lib/s1.o
	cc -shared -o lib/libs1.so lib/s1.o
	ar rc sub/liba.a sub/a1.o sub/a2.o
	ar rcT sub/libb.a sub/b1.o
	cat >m2.c <<'C'
extern int a1(void), s1(void);
int main(void) { return a1() + s1(); }
C
	cc -c -o m2.o m2.c
	for l in $(linkers); do
		echo "# $l"
		traced "$l" -o prog -e main m2.o -Llib -ls1 -L sub -la -lb -la
		grep -qP '\tshared\t-\tlib/libs1.so$' list
		lib=--library=a
		[ "$l" = mold ] && lib=-la # mold 1.10 has no --library
		traced "$l" -o prog -e main m2.o -Bstatic -Llib -l s1 -Lsub $lib -l:libb.a -la
		grep -qP '\tarchive\t-\tlib/libs1.a$' list
		# -L after the -l counts too; --push-state/--pop-state.
		traced "$l" -o prog -e main m2.o --push-state -Bstatic -ls1 --pop-state \
			-la -lb -la -Llib --library-path=sub
	done
}

@test "GNU ld: -lc from its own search path, the libc.so script and what it names" {
	require ld
	crt=$(cc -print-file-name=crt1.o)
	[ -f "$crt" ] || skip "no crt1.o"
	dir=$(dirname "$crt")
	# A real program: crt files, -lc found by ld's SEARCH_DIRs (no -L),
	# libc.so read as the GNU ld script it is.
	traced ld -o prog -dynamic-linker /lib64/ld-linux-x86-64.so.2 "$dir/crt1.o" \
		"$dir/crti.o" main.o sub/a1.o sub/a2.o sub/b1.o -lc "$dir/crtn.o"
	grep -qP '^\d+\tscript\t-\t.*/libc\.so$' list
	grep -qP '^\d+\tshared\t\d+\t.*/libc\.so\.6$' list
	grep -q '^libdir' list
	./prog || [ $? -eq 2 ]
}

@test "lld and mold: -lc through -L, the libc.so script read the same way" {
	crt=$(cc -print-file-name=crt1.o)
	[ -f "$crt" ] || skip "no crt1.o"
	dir=$(dirname "$crt")
	for l in ld.lld mold; do
		command -v "$l" >/dev/null || continue
		echo "# $l"
		traced "$l" -o prog -dynamic-linker /lib64/ld-linux-x86-64.so.2 "$dir/crt1.o" \
			"$dir/crti.o" main.o sub/a1.o sub/a2.o sub/b1.o -L"$dir" -lc "$dir/crtn.o"
		grep -qP '^\d+\tscript\t-\t.*/libc\.so$' list
		# lld and mold have no search path of their own: no -L, no libc.
		"$LIST_INPUTS" "$l" -o prog main.o -lc >nolib
		grep -qx $'incomplete\tcannot find -lc' nolib
	done
}

@test "linker scripts: -T with INPUT and SEARCH_DIR, a script given as input with GROUP" {
	ar rcT lib/libb.a sub/b1.o
	cat >k.lds <<'LDS'
/* Named files come in at the script's place. */
SEARCH_DIR(lib)
INPUT(sub/a1.o)
SECTIONS { .text : { *(.text*) } .data : { *(.data*) } .bss : { *(.bss*) } }
LDS
	cat >libgrp.so <<'LDS'
/* GNU ld script, as libc.so */
GROUP ( sub/a2.o AS_NEEDED ( -lb ) )
LDS
	# mold 1.10 knows neither SEARCH_DIR nor SECTIONS: INPUT alone, and -L.
	grep -v -e SEARCH_DIR -e SECTIONS k.lds >k-mold.lds
	for l in $(linkers); do
		echo "# $l"
		if [ "$l" = mold ]; then
			traced "$l" -o prog -e main main.o -T k-mold.lds -Llib libgrp.so
			continue
		fi
		if [ "$l" = ld.gold ]; then
			# gold 1.16 fails on this -T script (internal error in
			# read_script_file): the input script only.
			traced "$l" -o prog -e main main.o sub/a1.o -Llib libgrp.so
			grep -qP '^\d+\tscript\t-\tlibgrp.so$' list
			continue
		fi
		traced "$l" -o prog -e main main.o -T k.lds libgrp.so
		grep -qP '^\d+\tscript\t-\tk.lds$' list
		grep -qP '^\d+\tobject\t\d+\tsub/a1.o$' list
		grep -qP '^\d+\tmember\t\d+\tlib/sub/b1.o$' list || grep -qP '\tlib/libb.a$' list
		traced "$l" -o prog -e main --script=k.lds main.o -L. -lgrp
	done
}

@test "scripts name files beside themselves, in the cwd, or in the search path (libncurses.so)" {
	mkdir sd ldir
	echo 'INPUT(mm.o)' >sd/libs.so
	cp main.o sd/mm.o
	cp sub/a2.o mm.o
	for l in $(linkers); do
		[ "$l" = mold ] && continue # mold 1.10 does not look beside the script
		echo "# $l"
		traced "$l" -o prog -e main sd/libs.so sub/a1.o sub/a2.o sub/b1.o
		grep -qP '\tsd/mm.o$' list
	done
	mv sd/mm.o ldir/mm.o
	rm mm.o
	for l in $(linkers); do
		echo "# $l"
		traced "$l" -o prog -e main -Lldir sd/libs.so sub/a1.o sub/a2.o sub/b1.o
		grep -qP '\tldir/mm.o$' list
	done
	# Debian's libncurses.so is INPUT(libncurses.so.6 -ltinfo): relative.
	lib=/usr/lib/x86_64-linux-gnu
	[ -f "$lib/libncurses.so" ] && ! head -c 4 "$lib/libncurses.so" | grep -q ELF || skip "no libncurses.so script"
	for l in $(linkers); do
		echo "# $l"
		traced "$l" -o prog -e main main.o sub/a1.o sub/a2.o sub/b1.o -L"$lib" -lncurses -lm
		grep -qP '\tshared\t\d+\t.*/libtinfo.so' list
	done
}

@test "--sysroot: -L=DIR, and a script in the sysroot names the sysroot's files" {
	mkdir -p sr/lib sr/usr/lib
	cc -shared -fPIC -o sr/lib/libz.so.1 lib/s1.c
	echo 'GROUP ( /lib/libz.so.1 )' >sr/usr/lib/libz.so
	for l in ld ld.lld; do
		command -v "$l" >/dev/null || continue
		echo "# $l"
		traced "$l" --sysroot="$PWD/sr" -L=/usr/lib -o prog -e main main.o sub/a1.o sub/a2.o \
			sub/b1.o -lz
		grep -qP "\tshared\t\d+\t$PWD/sr/lib/libz.so.1\$" list
	done
}

@test "response files, nested and quoted, give the same list as the words" {
	mkdir "sp ace"
	cp sub/b1.o "sp ace/b 1.o"
	ar rcT "sp ace/t.a" sub/a2.o
	printf '%s\n' "'sp ace/b 1.o'" '"sp ace/t.a"' >inner.rsp
	printf '%s\n' '-e main' 'main.o sub/a1.o' '@inner.rsp' >outer.rsp
	printf '%s\n' '-e main' 'main.o sub/a1.o' "'sp ace/b 1.o'" '"sp ace/t.a"' >flat.rsp
	for l in $(linkers); do
		echo "# $l"
		# mold 1.10 does not expand an @file inside a response file.
		rsp=@outer.rsp
		[ "$l" = mold ] && rsp=@flat.rsp
		traced "$l" -o prog $rsp
		grep -qP '\tsp ace/b 1.o$' list
		# ar stored the member relative to the archive: "sp ace/../sub/a2.o".
		grep -qP '^\d+\tmember\t\d+\t.*sub/a2.o$' list
	done
}

@test "the bundled sample program and a 40-object link" {
	cc -c -o hello.o "$KW_ROOT/tests/fixtures/sample/hello.c"
	cc -c -o greeting.o "$KW_ROOT/tests/fixtures/sample/greeting.c"
	crt=$(cc -print-file-name=crt1.o)
	[ -f "$crt" ] || skip "no crt1.o"
	dir=$(dirname "$crt")
	for i in $(seq 1 40); do echo "int f$i(void) { return $i; }" >o$i.c; cc -c -o o$i.o o$i.c; done
	ar rcT many.a o*.o
	for l in $(linkers); do
		echo "# $l"
		traced "$l" -o hello -dynamic-linker /lib64/ld-linux-x86-64.so.2 "$dir/crt1.o" \
			"$dir/crti.o" hello.o greeting.o -L"$dir" -lc "$dir/crtn.o"
		# mold 1.10 prints no trace for -r links.
		[ "$l" = mold ] && continue
		traced "$l" -r -o all.o o*.o
		traced "$l" -r -o all.o --whole-archive many.a
		[ "$(grep -c $'\tmember\t' list)" -eq 40 ]
	done
}

@test "an option the grammar does not know makes the list incomplete, with the reason" {
	run -0 "$LIST_INPUTS" ld -o prog main.o --frobnicate sub/a1.o sub/a2.o
	[[ "$output" == *$'object\t-\tmain.o'* ]]
	# sub/a1.o may be --frobnicate's argument: not guessed to be a file.
	[[ "$output" != *sub/a1.o* ]]
	[[ "$output" == *$'object\t-\tsub/a2.o'* ]]
	[ "${lines[-1]}" = $'incomplete\toption not understood: --frobnicate' ]
	# An option's argument is never taken for an input.
	run -0 "$LIST_INPUTS" ld -o prog -Map main.o -T sub/a1.o --defsym x=1 sub/a2.o
	[ "${lines[0]}" = $'0\tscript\t-\tsub/a1.o' ]
	[ "${lines[1]}" = $'1\tobject\t-\tsub/a2.o' ]
	[ "${#lines[@]}" -eq 2 ]
}

# recorder DIR NAME LINKER: a fake NAME in DIR for a compiler driver's -B:
# lists the inputs of the command line the driver built, then runs LINKER
# with it, traced.
recorder() {
	mkdir -p "$1"
	cat >"$1/$2" <<SH
#!/bin/bash
"$LIST_INPUTS" "$3" "\$@" >"$BATS_TEST_TMPDIR/list"
exec "$3" "\$@" --trace >"$BATS_TEST_TMPDIR/trace"
SH
	chmod +x "$1/$2"
}

@test "the command lines gcc and clang build: plugin options, -pie, --push-state, libgcc_s.so" {
	src=$KW_ROOT/tests/fixtures/sample
	recorder rec-bfd ld "$(command -v ld)"
	cc -B rec-bfd/ -o hello "$src/hello.c" "$src/greeting.c"
	cat list
	"$CHECK" list trace
	grep -qP '\tscript\t-\t.*/libgcc_s.so$' list
	./hello >/dev/null
	if [ -f "$(cc -print-file-name=libc.a)" ] && [ "$(cc -print-file-name=libc.a)" != libc.a ]; then
		cc -static -B rec-bfd/ -o hello-static "$src/hello.c" "$src/greeting.c"
		"$CHECK" list trace
		grep -qP '\tarchive\t-\t.*/libc.a$' list
	fi
	if command -v clang >/dev/null && command -v ld.lld >/dev/null; then
		recorder rec-lld ld.lld "$(command -v ld.lld)"
		clang -fuse-ld=lld -B rec-lld/ -o hello-lld "$src/hello.c" "$src/greeting.c"
		"$CHECK" list trace
		./hello-lld >/dev/null
	fi
}

@test "every option GNU ld --help lists is in the grammar, with its argument" {
	require ld
	touch ARG
	# "  -x, --long ARG   Description": the option words and, when the
	# help names one in capitals or <...>, the separate argument.
	ld --help | grep -E '^  +-' | sed -E 's/^ +//; s/  +.*//' | tr ',' '\n' |
		sed -E 's/^ +//' | grep -E '^-' | sort -u >options
	bad=0 n=0
	while read -r line; do
		w=${line%% *} rest=${line#"${line%% *}"}
		w=${w%%\[*}
		case $w in *'{'* | *'|'* | *'<'* | --) continue ;; esac
		args=()
		case $w in
		*=*) w=${w%%=*}=x ;;
		*) [[ "$rest" =~ ^\ ([A-Z][A-Z_/]*|\<[a-z]+\>)$ ]] && args=(ARG) ;;
		esac
		n=$((n + 1))
		out=$("$LIST_INPUTS" ld "$w" "${args[@]}")
		if [[ "$out" == *"option not understood"* ]] ||
			{ [ ${#args[@]} -gt 0 ] && [[ "$out" == *$'\t-\tARG'* ]] &&
				[[ "$w" != -[TR] && "$w" != --script && "$w" != --*-script &&
					"$w" != --just-symbols && "$w" != --*list* &&
					"$w" != --retain-symbols-file ]]; }; then
			echo "$line: $out"
			bad=1
		fi
	done <options
	echo "# $n options checked"
	[ "$n" -gt 150 ]
	[ "$bad" -eq 0 ]
}
