#!/bin/bash
# Wrapper overhead: a medium real link (400 objects), a trivial one and a
# passthrough (ld -v), each run plain, wrapped by klinkwrap and wrapped by
# the null wrapper (bench/nullwrap.c: spawn, wait, exit: the price of one
# more process, which no wrapper avoids), interleaved as whole processes
# by bench/interleave.c; medians, and the median of each round's ratio to
# the plain run of the same round.
# Environment: RUNS (default 200), KLINKWRAP, BENCH_WORK, BASELINE (another
# klinkwrap to time alongside, optional).
set -euo pipefail
runs=${RUNS:-200}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$BENCH_WORK/wrap
mkdir -p "$work"
cd "$work"

# The 400 objects every medium-link bench uses.
. "$here/objs400.sh"
bench_objs400
if [ ! -f trivial.o ]; then
	echo 'int main(void) { return 0; }' >trivial.c
	cc -c -o trivial.o trivial.c
fi
cc -O2 -o interleave "$here/interleave.c"
cc -O2 -o nullwrap "$here/nullwrap.c"

variants=(plain wrapped nullwrap)
[ -n "${BASELINE:-}" ] && variants+=(baseline)

# bench_case LABEL OUTPUT-OR-EMPTY ARGS...: ARGS are ld's, %s in them is
# the variant's name (each writes its own output).
bench_case() {
	local label=$1 out=$2 v cmd=() sep=()
	shift 2
	for v in "${variants[@]}"; do
		local a=("${@//%s/$v}")
		case $v in
		plain) cmd+=("${sep[@]}" ld "${a[@]}") ;;
		wrapped) cmd+=("${sep[@]}" "$KLINKWRAP" ld "${a[@]}") ;;
		nullwrap) cmd+=("${sep[@]}" ./nullwrap ld "${a[@]}") ;;
		baseline) cmd+=("${sep[@]}" "$BASELINE" ld "${a[@]}") ;;
		esac
		sep=(--)
	done
	local res
	res=$(./interleave "$runs" "${cmd[@]}")
	if [ -n "$out" ]; then
		for v in "${variants[@]:1}"; do
			cmp -s "${out//%s/plain}" "${out//%s/$v}" || { echo "outputs differ: $v" >&2; exit 1; }
		done
	fi
	paste <(printf '%s\n' "${variants[@]}") <(echo "$res") | awk -v label="$label" -v runs="$runs" '
		$1 == "plain" { plain = $2; printf "%-22s plain    %8.3f ms\n", label, plain; next }
		{ printf "%-22s %-8s %8.3f ms  added %+7.3f ms (%+.1f %%)  paired %.3fx  [%d runs each, medians]\n",
			label, $1, $2, $2 - plain, ($2 - plain) / plain * 100, $3, runs }'
}

objs=(objs/m*.o)
bench_case "medium (400 objects)" medium.%s -o medium.%s -e main "${objs[@]}"
bench_case "trivial (1 object)" trivial.%s -o trivial.%s -e main trivial.o
bench_case "passthrough (ld -v)" "" -v
