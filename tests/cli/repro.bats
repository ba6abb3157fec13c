#!/usr/bin/env bats
# klinkwrap repro: real make builds of the race fixture at several -j
# levels, each in its own {outdir}, compared link by link.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	require jq make cc ld
	cd "$BATS_TEST_TMPDIR"
	export KLINKWRAP_LOG_INPUTS=all KLINKWRAP_SERIAL=app
	FIXTURE=$KW_ROOT/tests/fixtures/race
	# The build command repro runs: a fresh copy of the fixture in
	# {outdir}, made there with -j{jobs} and the wrapper as LD.
	BUILD="cp -R $FIXTURE/. {outdir} && make -s -C {outdir} -j{jobs} LD='$KLINKWRAP ld'"
}

@test "repro --jobs=1,8 on the race fixture: exit 1, names app and main.o; fixed: exit 0" {
	run "$KLINKWRAP" repro --jobs=1,8 --workdir="$PWD/w" -- "$BUILD"
	[ "$status" -eq 1 ]
	[[ $output == *"run-01-j1: -j1, exit 0, 1 links, "*": reference"* ]]
	[[ $output == *"run-02-j8: -j8, exit 0, 1 links, "*": different"* ]]
	[[ $output == *"first divergent link: app: 1 input differ: a race or nondeterminism upstream of this link (main.o)"* ]]
	[[ $output == *"result: some runs diverge from the first"* ]]
	# The exact commands that rerun each build, and the kept logs.
	[[ $output == *"rerun: KLINKWRAP_LOG=$PWD/w/run-02-j8.log "*"make -s -C $PWD/w/run-02-j8 -j8 "* ]]
	[ -s w/run-01-j1.log ]
	[ -s w/run-02-j8.log ]
	[ ! -e w/run-01-j1 ]  # trees removed without --keep
	[ ! -e w/run-02-j8 ]
	ls w/run-01-j1.snapshots/*.syms

	run "$KLINKWRAP" repro --jobs=1,8 --workdir="$PWD/fixed" -- "$BUILD FIXED=1"
	[ "$status" -eq 0 ]
	[[ $output == *"run-02-j8: -j8, exit 0, 1 links, "*": same"* ]]
	[[ $output == *"result: all runs agree"* ]]
}

@test "repro --format=json, --runs interleaves the levels, --keep keeps the trees" {
	run --separate-stderr "$KLINKWRAP" repro --jobs=1,2 --runs=2 --keep --format=json --workdir="$PWD/w" -- \
		sh -c "cp -R $FIXTURE/. {outdir} && make -s -C {outdir} -j{jobs} FIXED=1 LD='$KLINKWRAP ld'"
	[ "$status" -eq 0 ]
	jq -e '.result == "same" and ([.runs[].jobs] == [1, 2, 1, 2]) and
		([.runs[].status] == ["reference", "same", "same", "same"]) and
		all(.runs[]; .links == 1 and .exit == 0 and (.rerun | type) == "string")' <<<"$output"
	[ -x w/run-01-j1/app ]
	[ -x w/run-04-j2/app ]
}

@test "repro: a build that never ran klinkwrap is trouble (exit 2): check LD" {
	run "$KLINKWRAP" repro --jobs=1,2 --workdir="$PWD/w" -- "cp -R $FIXTURE/. {outdir} && make -s -C {outdir} -j{jobs}"
	[ "$status" -eq 2 ]
	[[ $output == *"no link was logged: the build never ran klinkwrap (check LD"* ]]
	[[ $output == *"result: trouble"* ]]
}

@test "repro: one failing build diverges (exit 1, with its output's tail); all failing is exit 2" {
	run "$KLINKWRAP" repro --jobs=1,2 --workdir="$PWD/w" -- \
		"$BUILD FIXED=1 && if [ {jobs} = 2 ]; then echo 'error: the -j2 build broke' >&2; exit 3; fi"
	[ "$status" -eq 1 ]
	[[ $output == *"run-02-j2: -j2, exit 3, 1 links, "*": failed"* ]]
	[[ $output == *"| error: the -j2 build broke"* ]]
	run "$KLINKWRAP" repro --jobs=1,2 --workdir="$PWD/w2" -- "echo broken; exit 1"
	[ "$status" -eq 2 ]
	[[ $output == *"| broken"* ]]
}

@test "repro: KLINKWRAP_WRAPPED from outside does not reach the builds; make's own flags neither" {
	KLINKWRAP_WRAPPED=12345 MAKEFLAGS=-n run "$KLINKWRAP" repro --jobs=1,2 --workdir="$PWD/w" -- \
		"$BUILD FIXED=1"
	[ "$status" -eq 0 ]
	[[ $output == *"run-02-j2: -j2, exit 0, 1 links, "* ]]
}

@test "repro --load=2: two busy processes beside each build, stopped after it" {
	run "$KLINKWRAP" repro --jobs=1,2 --load=2 --workdir="$PWD/w" -- \
		"ps -o pid= --ppid \$PPID | grep -vw \$\$ >>$PWD/load-{jobs}; $BUILD FIXED=1"
	[ "$status" -eq 0 ]
	[ "$(wc -l <load-1)" -eq 2 ]
	[ "$(wc -l <load-2)" -eq 2 ]
	local pid
	for pid in $(awk '{print $1}' load-1 load-2); do
		! kill -0 "$pid" 2>/dev/null || false
	done
}

@test "repro --load: the busy processes stop when repro is interrupted" {
	"$KLINKWRAP" repro --jobs=1,2 --load=2 --workdir="$PWD/w" -- \
		"ps -o pid= --ppid \$PPID | grep -vw \$\$ >$PWD/pids; exec sleep 30" >out 2>&1 &
	local repro=$! i
	for i in $(seq 1 100); do [ -s pids ] && break; sleep 0.1; done
	[ "$(wc -l <pids)" -eq 2 ]
	kill -TERM "$repro"
	local status=0
	wait "$repro" || status=$?
	[ "$status" -eq 143 ]
	for pid in $(cat pids); do
		for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		! kill -0 "$pid" 2>/dev/null || false
	done
}

@test "repro: usage errors are 125" {
	run "$KLINKWRAP" repro -- true
	[ "$status" -eq 125 ]
	run "$KLINKWRAP" repro --jobs=1 -- true
	[ "$status" -eq 125 ]
	run "$KLINKWRAP" repro --jobs=1,x -- true
	[ "$status" -eq 125 ]
	run "$KLINKWRAP" repro --jobs=1,2
	[ "$status" -eq 125 ]
	run "$KLINKWRAP" repro --jobs=1,2 --runs=0 -- true
	[ "$status" -eq 125 ]
}
