#!/usr/bin/env bats
# kbuild-integration/regen-6.1.sh and regen-6.12.sh on real trees (Debian
# linux-source 6.1 and 6.12, tinyconfig + KALLSYMS_ALL):
# - fed the Kbuild environment of the final vmlinux link and the last pass's
#   ELF, they rewrite that pass's .syms, .S and .o byte-identical to what
#   link-vmlinux.sh made;
# - SIGTERM in the middle leaves each file old or new, and no temporary;
# - a failing step ends the script with that step's status.
# The trees are shared: every relink, and every run that reads a tree,
# holds $KW_KERNEL_CACHE/.relink.lock. Nothing is written into the trees
# except by the one relink (with a recording, otherwise transparent LD).

load ../cli/helpers
source "$BATS_TEST_DIRNAME/kernel-lib.sh"

KI=$BATS_TEST_DIRNAME/../../kbuild-integration

setup_file() {
	require_kernel_tools
	require flock
	export LOCK=$KW_KERNEL_CACHE/.relink.lock
	local v
	for v in 6.1 6.12; do capture "$v"; done
}

# capture VERSION: relink the tree with LD set to a recorder that saves the
# environment and argv of the final vmlinux link, then snapshot the last
# pass (ELF, .syms, .S, .o) and the one before it, under the lock.
capture() {
	local v=$1 src obj snap=$BATS_FILE_TMPDIR/$1
	src=$(kernel_src "$v")
	obj=$(kernel_tiny "$v")
	mkdir -p "$snap/rec" "$snap/stock" "$snap/prev"
	cat >"$snap/rec/ld" <<EOF
#!/bin/sh
# Records the final vmlinux link's environment and argv, then is the linker.
out= prev=
for a; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
if [ "\$out" = vmlinux ]; then
	export -p >'$snap/env'
	printf '%s\n' "\$@" >'$snap/argv'
fi
exec "\$@"
EOF
	chmod +x "$snap/rec/ld"
	flock "$LOCK" bash -c '
		set -e
		make -s -C "$1" O="$2" LD="$3/rec/ld ld" vmlinux
		cd "$2"
		obj=$(grep -E "^(.*/)?\.tmp_vmlinux(\.kallsyms[0-9]+|[0-9]+\.kallsyms)\.o\$" "$3/argv" | tail -n 1)
		echo "$obj" >"$3/obj"
		case $obj in
		*.kallsyms.o) base=${obj%.kallsyms.o} n=${base#.tmp_vmlinux}
			files="$base $base.syms $base.kallsyms.S $base.kallsyms.o"
			p=.tmp_vmlinux$((n - 1))
			prevs="$p.syms $p.kallsyms.S $p.kallsyms.o" ;;
		*) base=${obj%.o} n=${base#.tmp_vmlinux.kallsyms}
			files="$base $base.syms $base.S $base.o"
			p=.tmp_vmlinux.kallsyms$((n - 1))
			prevs="$p.syms $p.S $p.o" ;;
		esac
		cmp System.map "$base.syms" # the kernel'\''s own check held
		cp $files "$3/stock/"
		for f in $prevs; do cp "$f" "$3/prev/$(echo "$f" | sed "s/$p/$base/")"; done
	' sh "$src" "$obj" "$snap"
	echo "$obj" >"$snap/objtree"
}

# The pass ELF and the three regenerated names for VERSION's snapshot.
names() { # names VERSION -> sets SNAP OBJTREE OBJ ELF FILES (basenames)
	SNAP=$BATS_FILE_TMPDIR/$1
	OBJTREE=$(cat "$SNAP/objtree")
	OBJ=$(cat "$SNAP/obj")
	case $OBJ in
	*.kallsyms.o)
		ELF=${OBJ%.kallsyms.o}
		FILES="$ELF.syms $ELF.kallsyms.S $ELF.kallsyms.o"
		SCRIPT=$KI/regen-6.12.sh
		;;
	*)
		ELF=${OBJ%.o}
		FILES="$ELF.syms $ELF.S $ELF.o"
		SCRIPT=$KI/regen-6.1.sh
		;;
	esac
}

# kbuild_run [VAR=VALUE...] -- COMMAND...: in the objtree, with exactly
# the recorded Kbuild environment (plus the overrides), under the lock
# (-o: what COMMAND leaves running does not keep holding it).
kbuild_run() {
	flock -o "$LOCK" env -i /bin/sh -c '
		. "$1/env"
		cd "$2"
		shift 2
		while [ "$1" != -- ]; do export "$1"; shift; done
		shift
		exec "$@"' sh "$SNAP" "$OBJTREE" "$@"
}

check_identical() { # VERSION
	names "$1"
	[[ $OBJ == .tmp_vmlinux* ]]
	local scratch=$BATS_TEST_TMPDIR/scratch f
	mkdir -p "$scratch"
	run kbuild_run -- "$SCRIPT" "$SNAP/stock/$ELF" "$scratch/$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	for f in $FILES; do cmp "$SNAP/stock/$f" "$scratch/$f"; done
	[ "$(find "$scratch" -name '*.klw-tmp.*' | wc -l)" -eq 0 ]
}

@test "6.1: regen-6.1.sh rewrites .syms, .S and .o byte-identical to link-vmlinux.sh's" {
	check_identical 6.1
	[ "$OBJ" = .tmp_vmlinux.kallsyms2.o ]
}

@test "6.12: regen-6.12.sh rewrites .syms, .kallsyms.S and .kallsyms.o byte-identical to link-vmlinux.sh's" {
	check_identical 6.12
	[ "$OBJ" = .tmp_vmlinux2.kallsyms.o ]
}

# A blocking stand-in for a step: it runs the real tool, leaves half of its
# output (on stdout or in its -o file), says it is ready and waits.
write_blockers() {
	cat >"$BATS_TEST_TMPDIR/halfnm" <<EOF
#!/bin/sh
"\$@" >'$BATS_TEST_TMPDIR/nm.full'
head -c \$((\$(wc -c <'$BATS_TEST_TMPDIR/nm.full') / 2)) '$BATS_TEST_TMPDIR/nm.full'
echo \$\$ >'$BATS_TEST_TMPDIR/blocker.pid'
: >'$BATS_TEST_TMPDIR/ready'
exec sleep 120
EOF
	cat >"$BATS_TEST_TMPDIR/halfcc" <<EOF
#!/bin/sh
out= prev=
for a; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
"\$@"
head -c \$((\$(wc -c <"\$out") / 2)) "\$out" >"\$out.half" && mv "\$out.half" "\$out"
echo \$\$ >'$BATS_TEST_TMPDIR/blocker.pid'
: >'$BATS_TEST_TMPDIR/ready'
exec sleep 120
EOF
	chmod +x "$BATS_TEST_TMPDIR/halfnm" "$BATS_TEST_TMPDIR/halfcc"
}

teardown() {
	if [ -f "$BATS_TEST_TMPDIR/blocker.pid" ]; then
		kill "$(cat "$BATS_TEST_TMPDIR/blocker.pid")" 2>/dev/null || :
	fi
}

# interrupt VERSION VAR=WRAPPER: start regen in a scratch directory holding
# the previous pass's files (old) under the last pass's names, let it block
# inside the step WRAPPER stands in for, SIGTERM the script alone, and check
# each file is old or new (the stock last-pass file), right away.
interrupt() {
	names "$1"
	local scratch=$BATS_TEST_TMPDIR/scratch f pid st=0
	rm -rf "$scratch" "$BATS_TEST_TMPDIR/ready" "$BATS_TEST_TMPDIR/blocker.pid"
	mkdir -p "$scratch"
	for f in $FILES; do
		cp "$SNAP/prev/$f" "$scratch/$f"
		! cmp -s "$SNAP/prev/$f" "$SNAP/stock/$f" || false # old and new differ
	done
	write_blockers
	kbuild_run "$2" -- "$SCRIPT" "$SNAP/stock/$ELF" "$scratch/$OBJ" \
		2>"$BATS_TEST_TMPDIR/regen.err" &
	local bg=$! i
	for ((i = 0; i < 1200; i++)); do
		[ -e "$BATS_TEST_TMPDIR/ready" ] && break
		kill -0 "$bg" 2>/dev/null || break # it ended without blocking
		sleep 0.1
	done
	[ -e "$BATS_TEST_TMPDIR/ready" ]
	# kbuild_run's flock is the parent of the script: find the script.
	pid=$(pgrep -f -n "^/bin/sh $SCRIPT $SNAP/stock/$ELF $scratch/$OBJ\$")
	kill -TERM "$pid"
	wait "$bg" || st=$?
	cat "$BATS_TEST_TMPDIR/regen.err"
	[ "$st" -eq 143 ]
	grep -q 'interrupted by signal 15' "$BATS_TEST_TMPDIR/regen.err"
	NEW=
	for f in $FILES; do
		if cmp -s "$scratch/$f" "$SNAP/stock/$f"; then
			NEW="$NEW new"
		else
			cmp "$scratch/$f" "$SNAP/prev/$f"
			NEW="$NEW old"
		fi
	done
	[ "$(find "$scratch" -name '*.klw-tmp.*' | wc -l)" -eq 0 ]
	# The stand-in may outlive the script (6.1's mksysmap pipeline): end it.
	kill "$(cat "$BATS_TEST_TMPDIR/blocker.pid")" 2>/dev/null || :
	rm -f "$BATS_TEST_TMPDIR/blocker.pid"
}

@test "6.1: SIGTERM while mksysmap runs leaves .syms, .S and .o old; during \$CC, .o old" {
	interrupt 6.1 NM="$BATS_TEST_TMPDIR/halfnm nm"
	[ "$NEW" = " old old old" ]
	interrupt 6.1 CC="$BATS_TEST_TMPDIR/halfcc gcc"
	[ "$NEW" = " new new old" ]
}

@test "6.12: SIGTERM while \$NM runs leaves every file old; during \$CC, .kallsyms.o old" {
	interrupt 6.12 NM="$BATS_TEST_TMPDIR/halfnm nm"
	[ "$NEW" = " old old old" ]
	interrupt 6.12 CC="$BATS_TEST_TMPDIR/halfcc gcc"
	[ "$NEW" = " new new old" ]
}

# fail_at VERSION STATUS VAR=VALUE: the step fails; the script says which,
# exits STATUS, and leaves no temporary.
fail_at() {
	names "$1"
	local scratch=$BATS_TEST_TMPDIR/scratch
	rm -rf "$scratch"
	mkdir -p "$scratch"
	run kbuild_run "$3" -- "$SCRIPT" "$SNAP/stock/$ELF" "$scratch/$OBJ"
	echo "$output"
	[ "$status" -eq "$2" ]
	[[ $output == *"failed (exit "* ]]
	[ "$(find "$scratch" -name '*.klw-tmp.*' | wc -l)" -eq 0 ]
}

@test "a failing step ends the script with its status: 3 mksysmap, 5 \$CC (6.1 and 6.12)" {
	local v
	for v in 6.1 6.12; do
		fail_at "$v" 3 NM=false
		[ -z "$(ls -A "$BATS_TEST_TMPDIR/scratch")" ]
		fail_at "$v" 5 CC=false
		[ -f "$BATS_TEST_TMPDIR/scratch/$ELF.syms" ]
		[ ! -e "$BATS_TEST_TMPDIR/scratch/$OBJ" ]
	done
}

@test "usage and environment errors exit 2 and name the problem" {
	names 6.1
	run kbuild_run -- "$KI/regen-6.1.sh" "$SNAP/stock/$ELF"
	[ "$status" -eq 2 ]
	[[ $output == *usage* ]]
	run kbuild_run -- "$KI/regen-6.1.sh" "$SNAP/stock/$ELF" "$BATS_TEST_TMPDIR/.tmp_vmlinux2.kallsyms.o"
	[ "$status" -eq 2 ]
	[[ $output == *"not a 6.1 kallsyms object name"* ]]
	run kbuild_run -- "$KI/regen-6.12.sh" "$SNAP/stock/$ELF" "$BATS_TEST_TMPDIR/.tmp_vmlinux.kallsyms2.o"
	[ "$status" -eq 2 ]
	[[ $output == *"not a 6.12 kallsyms object name"* ]]
	run kbuild_run -- env -u srctree "$KI/regen-6.1.sh" "$SNAP/stock/$ELF" "$BATS_TEST_TMPDIR/$OBJ"
	[ "$status" -eq 2 ]
	[[ $output == *"srctree is not set"* ]]
	run kbuild_run -- "$KI/regen-6.1.sh" "$BATS_TEST_TMPDIR/no-such-elf" "$BATS_TEST_TMPDIR/$OBJ"
	[ "$status" -eq 2 ]
	[[ $output == *"no such file"* ]]
	# A tree of another generation is refused.
	mkdir -p "$BATS_TEST_TMPDIR/src/scripts"
	cp "$(kernel_src 6.12)/scripts/mksysmap" "$BATS_TEST_TMPDIR/src/scripts/"
	run kbuild_run srctree="$BATS_TEST_TMPDIR/src" -- "$KI/regen-6.1.sh" "$SNAP/stock/$ELF" "$BATS_TEST_TMPDIR/$OBJ"
	[ "$status" -eq 2 ]
	[[ $output == *"is a sed script, not the sh script"* ]]
	cp "$(kernel_src 6.1)/scripts/mksysmap" "$BATS_TEST_TMPDIR/src/scripts/"
	echo 'cmp -s System.map .tmp_System.map' >"$BATS_TEST_TMPDIR/src/scripts/link-vmlinux.sh"
	run kbuild_run srctree="$BATS_TEST_TMPDIR/src" -- "$KI/regen-6.1.sh" "$SNAP/stock/$ELF" "$BATS_TEST_TMPDIR/$OBJ"
	[ "$status" -eq 2 ]
	[[ $output == *"cannot repair this kernel generation"* ]]
	run kbuild_run srctree="$BATS_TEST_TMPDIR/src" -- "$KI/regen-6.12.sh" "$SNAP/stock/$ELF" "$BATS_TEST_TMPDIR/.tmp_vmlinux2.kallsyms.o"
	[ "$status" -eq 2 ]
	[[ $output == *"is a sh script, not the sed script"* ]]
	run kbuild_run -- sh -c 'cd / && exec "$@"' sh "$KI/regen-6.1.sh" "$SNAP/stock/$ELF" "$BATS_TEST_TMPDIR/$OBJ"
	[ "$status" -eq 2 ]
	[[ $output == *"run in the kernel objtree"* ]]
}
