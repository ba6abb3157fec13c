#!/usr/bin/env bats
# The stubchain fixture (tests/fixtures/stubchain.sh): real ppc64 linker
# stubs, a link that needs exactly k links to reach its fixed point, a
# period-2 variant, and the stock 6.1 pass logic failing where it must.
#
# Most of these tests check the fixture itself and do not run klinkwrap, so
# they run in the release variant only; the last ones link the fixture
# through klinkwrap and run in every variant.

load helpers

SC=$BATS_TEST_DIRNAME/../fixtures/stubchain.sh
STOCK=$BATS_TEST_DIRNAME/../fixtures/stubchain-link-vmlinux.sh
CACHE=$BATS_TEST_DIRNAME/../../build/fixtures/stubchain
STUBS='\.(plt|long)_branch\.|__long_branch_'

need_bfd() { require powerpc64-linux-gnu-as powerpc64-linux-gnu-ld powerpc64-linux-gnu-nm; }
need_lld() { require powerpc64le-linux-gnu-as powerpc64le-linux-gnu-nm ld.lld; }

fixture_only() {
	if [ "${KW_VARIANT:-release}" != release ]; then
		skip "checks the fixture, not klinkwrap: release variant only"
	fi
}

# fixture TARGET VARIANT: a private copy of the cached fixture in $FIX.
fixture() {
	local flag=
	[ "$1" = lld ] && flag=--lld
	"$SC" gen $flag "$2" "$CACHE/$1-$2"
	FIX=$BATS_TEST_TMPDIR/$1-$2
	rm -rf "$FIX"
	cp -r "$CACHE/$1-$2" "$FIX"
}

# manual_loop MAX: link, regenerate, relink (as klinkwrap converge will,
# with its environment contract) until two consecutive mksysmap lists are
# equal. Sets LINKS to the number of links (0: not within MAX) and STUBS_AT
# to the stub count of each link; keeps $FIX/Lj and $FIX/Lj.map.
manual_loop() {
	local max=$1 j regen
	local -a ld
	mapfile -t ld < <("$SC" ldcmd "$FIX")
	regen=$(printf '%q regen-env %q' "$SC" "$FIX")
	LINKS=0
	STUBS_AT=
	for ((j = 1; j <= max; j++)); do
		"${ld[@]}"
		cp "$FIX/out" "$FIX/L$j"
		"$SC" sysmap "$FIX" "$FIX/out" "$FIX/L$j.map"
		STUBS_AT="$STUBS_AT $(grep -cE "$STUBS" "$FIX/L$j.map" || true)"
		if ((j > 1)) && cmp -s "$FIX/L$((j - 1)).map" "$FIX/L$j.map"; then
			LINKS=$j
			return 0
		fi
		KLINKWRAP_PASS=$j KLINKWRAP_OUTPUT=$FIX/out KLINKWRAP_PREV_OUTPUT=$FIX/L$((j - 1)) \
			sh -c "$regen"
	done
}

# check_k TARGET K: exactly K links, stubs min(j, K-2) in link j, and the
# table inside the last link lists exactly the last link's symbols.
check_k() {
	local target=$1 k=$2 j want=
	fixture "$target" "k$k"
	manual_loop 12
	echo "# k=$k: converged after $LINKS links; stubs per link:$STUBS_AT" >&3
	[ "$LINKS" -eq "$k" ]
	for ((j = 1; j <= k; j++)); do want="$want $((j < k - 2 ? j : k - 2))"; done
	[ "$STUBS_AT" = "$want" ]
	"$SC" check-table "$FIX" "$FIX/out"
	"$SC" dump-table "$FIX" "$FIX/out" >"$FIX/table.dump"
	[ "$(wc -l <"$FIX/table.dump")" -eq "$(($(cat "$FIX/nsyms") + k - 2))" ]
	# One link earlier the table was not yet right (k > 2: it lacked a stub).
	if [ "$k" -gt 2 ]; then
		run "$SC" check-table "$FIX" "$FIX/L$((k - 2))"
		[ "$status" -eq 1 ]
	fi
}

# check_stock TARGET K: the 6.1 passes succeed for K <= 3 and fail
# beyond, with or without KALLSYMS_EXTRA_PASS.
check_stock() {
	local target=$1 k=$2
	fixture "$target" "k$k"
	run "$STOCK" "$FIX" "$FIX/stock"
	echo "# k=$k: stock passes: exit $status, $(grep -c '^  LD ' <<<"$output") links" >&3
	if [ "$k" -le 3 ]; then
		[ "$status" -eq 0 ]
		[[ $output != *Inconsistent* ]]
		cmp "$FIX/stock/System.map" "$FIX/stock/.tmp_vmlinux.kallsyms$((k == 2 ? 2 : 3)).syms"
	else
		[ "$status" -eq 1 ]
		[[ $output == *"Inconsistent kallsyms data"* ]]
		[[ $output == *"Try make KALLSYMS_EXTRA_PASS=1 as a workaround"* ]]
		KALLSYMS_EXTRA_PASS=1 run "$STOCK" "$FIX" "$FIX/stock-extra"
		[ "$status" -eq 1 ]
		[[ $output == *"Inconsistent kallsyms data"* ]]
	fi
	# A third pass exactly when the table objects of passes 1 and 2 differ
	# in size: here, when there is any stub (k >= 3).
	if [ "$k" -eq 2 ]; then
		[ ! -e "$FIX/stock/.tmp_vmlinux.kallsyms3" ]
	else
		[ -e "$FIX/stock/.tmp_vmlinux.kallsyms3" ]
	fi
}

@test "GNU ld ppc64 stubs are real: .plt_branch. and .long_branch. symbols, branches go through them" {
	fixture_only
	need_bfd
	fixture bfd k4
	manual_loop 12
	"$SC" sysmap "$FIX" "$FIX/out" >"$FIX/out.map"
	grep -E '^[0-9a-f]{16} t [0-9a-f]{8}\.plt_branch\.callee_1$' "$FIX/out.map"
	grep -E '^[0-9a-f]{16} t [0-9a-f]{8}\.long_branch\.callee_2$' "$FIX/out.map"
	# The caller's bl really targets the stub (the linker made it).
	powerpc64-linux-gnu-objdump -d -j .init.text "$FIX/out" >"$FIX/dis"
	grep -E 'bl +[0-9a-f]+ <[0-9a-f]{8}\.plt_branch\.callee_1>' "$FIX/dis"
	grep -E 'bl +[0-9a-f]+ <[0-9a-f]{8}\.long_branch\.callee_2>' "$FIX/dis"
	# The near miss gets none.
	grep -E 'bl +[0-9a-f]+ <callee_miss>' "$FIX/dis"
}

@test "ld.lld ppc64le thunks are real: __long_branch_<callee>" {
	fixture_only
	need_lld
	fixture lld k4
	manual_loop 12
	"$SC" sysmap "$FIX" "$FIX/out" >"$FIX/out.map"
	grep -E '^[0-9a-f]{16} t __long_branch_callee_1$' "$FIX/out.map"
	grep -E '^[0-9a-f]{16} t __long_branch_callee_2$' "$FIX/out.map"
	! grep -q __long_branch_callee_miss "$FIX/out.map" || false
	[ "$(od -An -tx1 -j5 -N1 "$FIX/out" | tr -d ' ')" = 01 ] # ELFDATA2LSB
}

@test "GNU ld: a manual loop needs exactly k links, k = 2..8, and the final table lists the final symbols" {
	fixture_only
	need_bfd
	local k
	for k in 2 3 4 5 6 7 8; do check_k bfd "$k"; done
}

@test "ld.lld: a manual loop needs exactly k links, k = 2..8, and the final table lists the final symbols" {
	fixture_only
	need_lld
	local k
	for k in 2 3 4 5 6 7 8; do check_k lld "$k"; done
}

@test "GNU ld: the stock 6.1 passes reach k <= 3 and fail with 'Inconsistent kallsyms data' beyond" {
	fixture_only
	need_bfd
	local k
	for k in 2 3 4 5 6 7 8; do check_stock bfd "$k"; done
}

@test "ld.lld: the stock 6.1 passes reach k <= 3 and fail with 'Inconsistent kallsyms data' beyond" {
	fixture_only
	need_lld
	local k
	for k in 2 3 4 5 6 7 8; do check_stock lld "$k"; done
}

# check_osc TARGET: never converges, period 2: odd links equal, even links
# equal, odd and even differ (one stub that comes and goes).
check_osc() {
	fixture "$1" osc
	manual_loop 6
	[ "$LINKS" -eq 0 ]
	[ "$STUBS_AT" = " 1 0 1 0 1 0" ]
	cmp "$FIX/L1.map" "$FIX/L3.map"
	cmp "$FIX/L3.map" "$FIX/L5.map"
	cmp "$FIX/L2.map" "$FIX/L4.map"
	cmp "$FIX/L4.map" "$FIX/L6.map"
	! cmp -s "$FIX/L1.map" "$FIX/L2.map" || false
	run "$STOCK" "$FIX" "$FIX/stock"
	[ "$status" -eq 1 ]
	[[ $output == *"Inconsistent kallsyms data"* ]]
}

@test "GNU ld: the oscillating variant alternates with period 2 and never converges" {
	fixture_only
	need_bfd
	check_osc bfd
}

@test "ld.lld: the oscillating variant alternates with period 2 and never converges" {
	fixture_only
	need_lld
	check_osc lld
}

@test "regen-env needs KLINKWRAP_OUTPUT; a failed regeneration leaves the table as it was" {
	fixture_only
	need_bfd
	fixture bfd k3
	cp "$FIX/table.o" "$FIX/table.before"
	run env -u KLINKWRAP_OUTPUT "$SC" regen-env "$FIX"
	[ "$status" -ne 0 ]
	[[ $output == *KLINKWRAP_OUTPUT* ]]
	echo 'not an ELF file' >"$FIX/junk"
	KLINKWRAP_OUTPUT=$FIX/junk run "$SC" regen-env "$FIX"
	[ "$status" -ne 0 ]
	cmp "$FIX/table.o" "$FIX/table.before"
	[ -z "$(find "$FIX" -name '*.tmp.*')" ]
	# A good run replaces it and records the pass.
	"$SC" link "$FIX" "$FIX/out" "$FIX/table.o"
	KLINKWRAP_PASS=1 KLINKWRAP_OUTPUT=$FIX/out "$SC" regen-env "$FIX"
	! cmp -s "$FIX/table.o" "$FIX/table.before" || false
	grep -qx "1 $FIX/out " "$FIX/regen.log"
	[ "$(wc -l <"$FIX/table.syms")" -eq "$(($(cat "$FIX/nsyms") + 3))" ] # + 2 kallsyms_*, 1 stub
}

@test "klinkwrap links the stub fixture byte-identically (GNU ld and ld.lld)" {
	need_bfd
	need_lld
	if [ ! -x "$KLINKWRAP" ]; then
		[ "${CI:-}" != true ] || { echo "klinkwrap not built: $KLINKWRAP" >&2; return 1; }
		skip "klinkwrap not built ($KLINKWRAP)"
	fi
	local t
	local -a ld
	for t in bfd lld; do
		fixture "$t" k5
		mapfile -t ld < <("$SC" ldcmd "$FIX")
		"${ld[@]}"
		mv "$FIX/out" "$FIX/direct"
		"$KLINKWRAP" "${ld[@]}"
		cmp "$FIX/direct" "$FIX/out"
		grep -qE "$STUBS" <("$SC" sysmap "$FIX" "$FIX/out")
	done
}

# check_stock_612 TARGET VARIANT WANT-STATUS WANT-LINKS: the 6.12 passes.
check_stock_612() {
	fixture "$1" "$2"
	run "$STOCK" --6.12 "$FIX" "$FIX/stock"
	echo "# $1 $2: 6.12 passes: exit $status, $(grep -c '^  LD ' <<<"$output") links" >&3
	[ "$status" -eq "$3" ]
	[ "$(grep -c '^  LD ' <<<"$output")" -eq "$4" ]
	[ -e "$FIX/stock/.tmp_vmlinux0.kallsyms.o" ]
	[ -e "$FIX/stock/.tmp_vmlinux2.syms" ]
	if [ "$3" -ne 0 ]; then
		[[ $output == *"Inconsistent kallsyms data"* ]]
	fi
}

@test "6.12 pass logic, GNU ld: its mksysmap drops .plt_branch./.long_branch., so every variant converges in 3 links" {
	fixture_only
	need_bfd
	local v
	for v in k2 k3 k4 k5 k6 k7 k8 osc; do check_stock_612 bfd "$v" 0 3; done
	# The stubs are there; only the map leaves them out.
	grep -qE '\.plt_branch\.' <("$SC" sysmap "$FIX" "$FIX/stock/vmlinux")
	! grep -qE '\.plt_branch\.' "$FIX/stock/System.map" || false
}

@test "6.12 pass logic, ld.lld: __long_branch_ thunks still feed the table, so k >= 4 and osc fail as in 6.1" {
	fixture_only
	need_lld
	check_stock_612 lld k2 0 3
	check_stock_612 lld k3 0 4
	local v
	for v in osc k4 k5 k6 k7 k8; do check_stock_612 lld "$v" 1 4; done
	grep -q ' __long_branch_' "$FIX/stock/System.map"
}

@test "6.1 with its own scripts/kallsyms ignore list: GNU ld stubs stop feeding the table, lld's __long_branch_ thunks do not" {
	fixture_only
	need_bfd
	need_lld
	local v
	export STUBCHAIN_KALLSYMS=6.1
	for v in k3 k8 osc; do
		fixture bfd "$v"
		run "$STOCK" "$FIX" "$FIX/stock"
		[ "$status" -eq 0 ]
		[ "$(grep -c '^  LD ' <<<"$output")" -eq 3 ] # no third pass needed
		grep -qE '\.(plt|long)_branch\.' "$FIX/stock/System.map" # kept in the map
	done
	fixture lld k3
	run "$STOCK" "$FIX" "$FIX/stock"
	[ "$status" -eq 0 ]
	for v in k4 k8 osc; do
		fixture lld "$v"
		run "$STOCK" "$FIX" "$FIX/stock"
		[ "$status" -eq 1 ]
		[[ $output == *"Inconsistent kallsyms data"* ]]
	done
}
