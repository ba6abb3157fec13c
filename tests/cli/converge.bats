#!/usr/bin/env bats
# klinkwrap converge over the stubchain fixture (tests/fixtures/stubchain.sh):
# real ppc64 GNU ld stubs and ppc64le ld.lld thunks, links that need exactly
# k links to reach their fixed point, and a table that oscillates with
# period 2. The oracle is the fixture's own mksysmap and table generator.

load helpers

SC=$BATS_TEST_DIRNAME/../fixtures/stubchain.sh
STOCK=$BATS_TEST_DIRNAME/../fixtures/stubchain-link-vmlinux.sh
CACHE=$BATS_TEST_DIRNAME/../../build/fixtures/stubchain

need_bfd() { require powerpc64-linux-gnu-as powerpc64-linux-gnu-ld powerpc64-linux-gnu-nm powerpc64-linux-gnu-objcopy; }
need_lld() { require powerpc64le-linux-gnu-as powerpc64le-linux-gnu-nm powerpc64le-linux-gnu-objcopy ld.lld; }

# fixture TARGET VARIANT: a private copy of the cached fixture in $FIX, its
# link command in LD_CMD and its regeneration command in REGEN.
fixture() {
	local flag=
	[ "$1" = lld ] && flag=--lld
	"$SC" gen $flag "$2" "$CACHE/$1-$2"
	FIX=$BATS_TEST_TMPDIR/$1-$2
	rm -rf "$FIX"
	cp -r "$CACHE/$1-$2" "$FIX"
	mapfile -t LD_CMD < <("$SC" ldcmd "$FIX")
	REGEN=$(printf '%q regen-env %q' "$SC" "$FIX")
}

# converge ARGS...: klinkwrap converge ARGS --regen=$REGEN -- the link,
# stdout in $FIX/stdout, stderr in $FIX/stderr; status in $status.
converge() {
	status=0
	"$KLINKWRAP" converge "$@" --regen="$REGEN" -- "${LD_CMD[@]}" \
		>"$FIX/stdout" 2>"$FIX/stderr" || status=$?
	output=$(cat "$FIX/stderr")
	printf '%s\n' "$output"
}

links() { grep -c '^  LD      .* (pass [0-9]*)$' "$FIX/stdout" || true; }

# check_k TARGET K [OPTION]: converge needs exactly K links, the regeneration
# saw the environment contract, and the table in the final link was made
# from exactly the final link's mksysmap list.
check_k() {
	local target=$1 k=$2 opt=${3:-}
	fixture "$target" "k$k"
	converge $opt
	echo "# $target k=$k ${opt:-whole set}: exit $status, $(links) links" >&3
	[ "$status" -eq 0 ]
	[ "$(links)" -eq "$k" ]
	[ "$(wc -l <"$FIX/regen.log")" -eq $((k - 1)) ]
	grep -q "^  LD      $FIX/out (pass $k)\$" "$FIX/stdout"
	# The passes as KLINKWRAP_PASS, the output, and the previous output
	# (none for pass 1; a copy that is gone afterwards).
	grep -qx "1 $FIX/out " "$FIX/regen.log"
	if [ "$k" -gt 2 ]; then grep -qx "2 $FIX/out $FIX/out.klinkwrap-prev" "$FIX/regen.log"; fi
	[ ! -e "$FIX/out.klinkwrap-prev" ]
	"$SC" sysmap "$FIX" "$FIX/out" >"$FIX/final.map"
	cmp "$FIX/table.syms" "$FIX/final.map"
}

@test "converge --sysmap: exactly k links for k = 2..8 (GNU ld, ppc64 stubs), where the stock passes fail beyond 3" {
	need_bfd
	local k
	for k in 2 3 4 5 6 7 8; do
		check_k bfd "$k" --sysmap
		if [ "$k" -ge 4 ]; then
			run "$STOCK" "$FIX" "$FIX/stock"
			[ "$status" -eq 1 ]
			[[ $output == *"Inconsistent kallsyms data"* ]]
		fi
	done
}

@test "converge on the whole symbol set: exactly k links for k = 2..8 (GNU ld)" {
	need_bfd
	local k
	for k in 2 3 4 5 6 7 8; do check_k bfd "$k"; done
}

@test "converge --sysmap: exactly k links for k = 2..8 (ld.lld, ppc64le __long_branch_ thunks)" {
	need_lld
	local k
	for k in 2 3 4 5 6 7 8; do check_k lld "$k" --sysmap=6.1; done
	grep -q ' __long_branch_callee_1$' "$FIX/final.map"
}

@test "converge: --max-passes too low gives 124 and names the stubs; KLINKWRAP_MAX_PASSES is its twin" {
	need_bfd
	fixture bfd k5
	converge --sysmap=6.1 --max-passes=4
	[ "$status" -eq 124 ]
	[ "$(links)" -eq 4 ]
	[[ $output == *"no fixed point after 4 links"* ]]
	[[ $output == *"symbols per pass: 1: 13 (1 stub), 2: 14 (2 stubs), 3: 15 (3 stubs), 4: 15 (3 stubs)"* ]]
	grep -E '^klinkwrap: converge: linker stubs and thunks added since pass 1 \(2\):.*\.plt_branch\.callee_3' "$FIX/stderr"
	grep -E '\.long_branch\.callee_2' "$FIX/stderr"
	grep -E '^\[M\] [0-9a-f]{8}\.plt_branch\.callee_1 ' "$FIX/stderr"
	[[ $output == *"is left from the last pass and is not consistent"* ]]
	[ -e "$FIX/out" ]
	fixture bfd k5
	KLINKWRAP_MAX_PASSES=4 converge --sysmap=6.1
	[ "$status" -eq 124 ]
	[ "$(links)" -eq 4 ]
	fixture bfd k5
	KLINKWRAP_MAX_PASSES=4 converge --sysmap=6.1 --max-passes=5
	[ "$status" -eq 0 ]
	[ "$(links)" -eq 5 ]
}

@test "converge --format=json: passes, counts and the last diff with its stubs" {
	need_bfd
	require jq
	fixture bfd k4
	converge --sysmap=6.1 --format=json
	[ "$status" -eq 0 ]
	jq -e '.converged == true and .outcome == "converged" and .links == 4 and .exit_status == 0' "$FIX/stdout"
	jq -e '[.passes[].stubs] == [1, 2, 2, 2]' "$FIX/stdout"
	jq -e '.last_diff.same // true' "$FIX/stdout"
	fixture bfd k6
	converge --sysmap=6.1 --format=json --max-passes=3
	[ "$status" -eq 124 ]
	jq -e '.converged == false and .outcome == "out-of-passes" and .exit_status == 124' "$FIX/stdout"
	jq -e '.last_diff | tostring | test("plt_branch")' "$FIX/stdout"
	grep -q '^  LD      .* (pass 3)$' "$FIX/stderr"
}

check_osc() {
	fixture "$1" osc
	converge --sysmap=6.1
	[ "$status" -eq 124 ]
	# Stopped at once: links 1 and 3 equal, so no fourth.
	[ "$(links)" -eq 3 ]
	[[ $output == *"cycle of period 2: pass 3 has the symbol set of pass 1, so passes 1 to 2 repeat"* ]]
	[[ $output == *"symbols per pass: 1: 7 (1 stub), 2: 6 (0 stubs), 3: 7 (1 stub)"* ]]
	# With --pad the table never shrinks and the layout settles.
	fixture "$1" osc
	converge --sysmap=6.1 --pad="$FIX/table.o" --log="$FIX/log"
	[ "$status" -eq 0 ]
	grep -q '^  PAD     ' "$FIX/stdout"
	# Each regeneration step is logged with the padded file and how many
	# sections the padding grew after it, as many as PAD lines say.
	jq -e -s --arg o "$FIX/table.o" '[.[] | select(.kind == "regen")] |
		length >= 2 and all(.object == $o and (.padded | type) == "number" and .exit == 0)' "$FIX/log"
	[ "$(jq -s '[.[] | select(.kind == "regen" and .padded > 0)] | length' "$FIX/log")" -eq \
		"$(grep -c '^  PAD     ' "$FIX/stdout")" ]
	echo "# $1 osc with --pad: $(links) links" >&3
	"$SC" sysmap "$FIX" "$FIX/out" >"$FIX/final.map"
	cmp "$FIX/table.syms" "$FIX/final.map"
	# The padding is a second section of the table's name, after the first.
	[ "$(readelf -SW "$FIX/table.o" | grep -c ' \.rodata\.kallsyms ')" -eq 2 ]
	[ -z "$(find "$FIX" -name '*klinkwrap-pad*')" ]
}

@test "converge: the oscillating table is a cycle of period 2 without --pad, and converges with it (GNU ld)" {
	need_bfd
	check_osc bfd
}

@test "converge: the oscillating table is a cycle of period 2 without --pad, and converges with it (ld.lld)" {
	need_lld
	check_osc lld
}

@test "converge --log: link, regen, link, regen, link with the progress lines' pass numbers; a failing CMD logged with its status" {
	need_bfd
	require jq
	fixture bfd k3
	converge --sysmap --log="$FIX/log"
	[ "$status" -eq 0 ]
	[ "$(links)" -eq 3 ]
	jq -e -s --arg regen "$REGEN" --arg out "$FIX/out" '
		[.[].kind] == ["link", "regen", "link", "regen", "link"] and
		[.[].fixpoint_pass] == [1, 2, 2, 3, 3] and
		all(.[]; .output == $out) and
		([.[] | select(.kind == "regen")] | all(.by == "converge" and
			.command == ["sh", "-c", $regen] and .exit == 0 and .signal == 0 and
			.started == true and .object == null and .padded == null)) and
		([.[] | select(.kind == "link")] | all(.exit == 0))' "$FIX/log"
	# Every pass's inputs are hashed before its linker starts, as the
	# wrapper's are: the table object CMD rewrites has a hash per pass.
	fixture bfd k3
	converge --sysmap --log="$FIX/log" --log-inputs=all
	[ "$status" -eq 0 ]
	jq -e -s '[.[] | select(.kind == "link")] | length == 3 and
		all(.inputs_hashed == "before" and (.inputs | length) > 0 and
			all(.inputs[]; .changed == false and (.hash | type) == "string"))' "$FIX/log"
	[ "$(jq -r -s '[.[] | select(.kind == "link") | .inputs[] | .path + " " + .hash] | unique |
		map(split(" ")[0]) | group_by(.) | map(select(length == 3)) | length' "$FIX/log")" -ge 1 ]
	# The numbers are those of the progress lines: REGEN (pass 2) comes
	# before LD (pass 2).
	[ "$(grep -o '(pass [0-9]*)' "$FIX/stdout" | tr -dc '0-9\n' | paste -sd' ')" = "1 2 2 3 3" ]
	fixture bfd k3
	REGEN='exit 3'
	converge --sysmap --log="$FIX/log"
	[ "$status" -eq 125 ]
	jq -e -s '[.[].kind] == ["link", "regen"] and .[1].exit == 3 and .[1].signal == 0 and
		.[1].fixpoint_pass == 2 and .[1].command == ["sh", "-c", "exit 3"]' "$FIX/log"
}

@test "converge: a failing link ends with the linker's status, a failing CMD with 125 naming it" {
	need_bfd
	fixture bfd k3
	LD_CMD+=("$FIX/no-such-input.o")
	converge --sysmap
	[ "$status" -eq 1 ]
	[ "$(links)" -eq 1 ]
	[[ $output == *no-such-input.o* ]]
	fixture bfd k3
	REGEN='echo regen ran >&2; exit 3'
	converge --sysmap
	[ "$status" -eq 125 ]
	[[ $output == *"regen ran"* ]]
	[[ $output == *"the regeneration command exited 3 (pass 1): echo regen ran >&2; exit 3"* ]]
	[[ $output != *converged* ]]
}

@test "converge: progress on stdout, none with --quiet or under make -s; usage errors are 125" {
	need_bfd
	fixture bfd k2
	converge --sysmap
	[ "$status" -eq 0 ]
	grep -qx "  LD      $FIX/out (pass 1)" "$FIX/stdout"
	grep -q "^  REGEN   .* (pass 2)\$" "$FIX/stdout"
	[ ! -s "$FIX/stderr" ]
	fixture bfd k2
	converge --sysmap --quiet
	[ "$status" -eq 0 ]
	[ ! -s "$FIX/stdout" ]
	fixture bfd k2
	MAKEFLAGS='s -- ' converge --sysmap
	[ "$status" -eq 0 ]
	[ ! -s "$FIX/stdout" ]
	run "$KLINKWRAP" converge -- "${LD_CMD[@]}"
	[ "$status" -eq 125 ]
	[[ $output == *"--regen=CMD is required"* ]]
	run "$KLINKWRAP" converge --regen=true
	[ "$status" -eq 125 ]
	run "$KLINKWRAP" converge --regen=true --max-passes=0 -- "${LD_CMD[@]}"
	[ "$status" -eq 125 ]
}

@test "symdiff on System.map text explains a stock failure: the stubs that appeared, grouped and named" {
	need_bfd
	fixture bfd k5
	run "$STOCK" "$FIX" "$FIX/stock"
	[ "$status" -eq 1 ]
	[[ $output == *"Inconsistent kallsyms data"* ]]
	cd "$FIX/stock"
	run "$KLINKWRAP" symdiff .tmp_vmlinux.kallsyms3.syms System.map
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"linker stubs/thunks: 1 added, 0 removed"* ]]
	grep -qE '^\[A\] [0-9a-f]{8}\.plt_branch\.callee_3 ' <<<"$output"
	[[ $output != *"oscillation"* ]]
	# A map and the ELF it came from are the same (the ELF filtered by
	# the rules asked for); two ELF files compare whole.
	run "$KLINKWRAP" symdiff --sysmap=6.1 System.map vmlinux
	[ "$status" -eq 0 ]
	run "$KLINKWRAP" symdiff --format=json .tmp_vmlinux.kallsyms3.syms System.map
	[ "$status" -eq 1 ]
	jq -e '.summary.stubs_added == 1 and .kallsyms_only == false' <<<"$output"
	run "$KLINKWRAP" symdiff .tmp_vmlinux.kallsyms3 vmlinux
	[ "$status" -eq 1 ]
}

@test "symdiff: only kallsyms_* moved is named as the oscillation signature; a text that is no map is trouble" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '0000000010000000 T _stext' '0000000011000000 R kallsyms_names' \
		'0000000011001000 R kallsyms_markers' >a.map
	printf '%s\n' '0000000010000000 T _stext' '0000000011000004 R kallsyms_names' \
		'0000000011001010 R kallsyms_markers' >b.map
	run "$KLINKWRAP" symdiff a.map b.map
	[ "$status" -eq 1 ]
	[[ $output == *"only kallsyms_* symbols moved: the signature of a kallsyms table that oscillates"* ]]
	[[ $output == *"--pad"* ]]
	run "$KLINKWRAP" symdiff a.map a.map
	[ "$status" -eq 0 ]
	printf '%s\n' '0000000010000000 T _stext' 'this is not a map' >bad.map
	run "$KLINKWRAP" symdiff a.map bad.map
	[ "$status" -eq 2 ]
	[[ $output == *"bad.map: neither ELF nor System.map text: line 2: not a System.map line"* ]]
	: >empty
	run "$KLINKWRAP" symdiff a.map empty
	[ "$status" -eq 2 ]
}

@test "converge --previous-map: the first link is already a check, so a consistent link adds none" {
	need_bfd
	local k
	for k in 2 4; do
		fixture bfd "k$k"
		# Link 1 and its regeneration made outside, as a kernel's passes are.
		"$SC" link "$FIX" "$FIX/out" "$FIX/table.o"
		KLINKWRAP_OUTPUT=$FIX/out "$SC" regen-env "$FIX"
		cp "$FIX/table.syms" "$FIX/pass1.syms"
		converge --sysmap=6.1 --previous-map="$FIX/pass1.syms"
		[ "$status" -eq 0 ]
		[ "$(links)" -eq $((k - 1)) ]
		grep -q "^  LD      $FIX/out (pass 2)\$" "$FIX/stdout"
		"$SC" sysmap "$FIX" "$FIX/out" | cmp - "$FIX/table.syms"
	done
	run "$KLINKWRAP" converge --sysmap --previous-map="$FIX/pass1.syms" --regen=true -- "${LD_CMD[@]}"
	[ "$status" -eq 125 ]
	[[ $output == *"--previous-map needs --sysmap=6.1 or --sysmap=6.12"* ]]
}
