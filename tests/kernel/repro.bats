#!/usr/bin/env bats

# repro on a real kernel (Debian's linux-source 6.1, tinyconfig with
# KALLSYMS, the KBUILD_BUILD_* pins of kernel-lib.sh): the build command
# copies the cached objtree into {outdir} with its timestamps (cp -a) and
# relinks vmlinux there through klinkwrap, at -j1 and -j2. The shared
# objtree is only read, under a shared lock on .relink.lock, so that no
# relink of it by another suite is copied half done.

bats_require_minimum_version 1.5.0

setup() {
	: "${KLINKWRAP:=$BATS_TEST_DIRNAME/../../build/release/klinkwrap}"
	source "$BATS_TEST_DIRNAME/kernel-lib.sh"
	load "$BATS_TEST_DIRNAME/../cli/helpers.bash"
	require jq flock
}

# trace_inputs DIR ARGV-JSON: the files GNU ld --trace reports for the link
# ARGV (run in DIR, its output sent elsewhere), thin-archive members as
# paths relative to DIR, one per line.
trace_inputs() {
	local dir=$1 argv_json=$2 out
	local -a argv
	mapfile -t argv < <(jq -r '.[]' <<<"$argv_json")
	out=$(mktemp)
	(cd "$dir" && "${argv[@]}" --trace -o "$out") | while IFS= read -r line; do
		case $line in
		*": mode "*) ;;
		*"("*")")
			local archive=${line%%(*} member=${line#*(}
			member=${member%)}
			# A thin archive's member is a file beside the archive.
			if [ -e "$dir/$(dirname "$archive")/$member" ]; then
				realpath -m --relative-to="$dir" "$dir/$(dirname "$archive")/$member"
			else
				realpath -m --relative-to="$dir" "$dir/$archive"
			fi
			;;
		*) realpath -m --relative-to="$dir" "$dir/$line" ;;
		esac
	done | sort -u
	rm -f "$out"
}

@test "6.1 tinyconfig: repro --jobs=1,2 relinking copies of the objtree reports identical builds" {
	local obj src start elapsed
	obj=$(kernel_tiny 6.1)
	src=$(kernel_src 6.1)
	start=$(date +%s)
	KLINKWRAP_LOG_ARGV=yes run --separate-stderr "$KLINKWRAP" repro --jobs=1,2 --keep \
		--workdir="$BATS_TEST_TMPDIR/w" -- \
		"flock -s $KW_KERNEL_CACHE/.relink.lock cp -a $obj/. {outdir} && make -s -C $src O={outdir} -j{jobs} LD='$KLINKWRAP ld' vmlinux"
	elapsed=$(($(date +%s) - start))
	echo "$output"
	echo "# repro of two 6.1 tinyconfig relinks took $elapsed s" >&3
	[ "$status" -eq 0 ]
	[[ $output == *"result: all runs agree"* ]]

	local log=$BATS_TEST_TMPDIR/w/run-01-j1.log tree=$BATS_TEST_TMPDIR/w/run-01-j1
	run -0 "$KLINKWRAP" log show "$log"
	echo "$output"
	[[ ${lines[0]} == ".tmp_vmlinux.kallsyms1  pass 1  "*"exit 0  symhash "* ]]
	[[ ${lines[1]} == ".tmp_vmlinux.kallsyms2  pass 2  "*"exit 0  symhash "* ]]
	[[ ${lines[2]} == "vmlinux  "*"exit 0  symhash "* ]]
	# The final link has the symbol set of the last pass (the kernel's check).
	[ "$(jq -r -s '[.[] | select(.class == "serial")] | .[1].symhash == .[2].symhash' "$log")" = true ]
	# All three, the final one through Kbuild mode too, hashed their inputs
	# before the linker started, and none changed meanwhile.
	[ "$(jq -r -s '[.[] | select(.class == "serial")] | map(.inputs_hashed) | join(" ")' "$log")" = "before before before" ]
	[ "$(jq -s '[.[] | select(.class == "serial") | .inputs[] | select(.changed)] | length' "$log")" -eq 0 ]

	# Every file ld --trace reports for the three serial links is among
	# the inputs the log recorded for them.
	local missing=0 n=0 rec
	while IFS= read -r rec; do
		local recorded traced
		recorded=$(jq -r '.inputs[].path' <<<"$rec" | while IFS= read -r p; do
			realpath -m --relative-to="$tree" "$tree/$p"; done | sort -u)
		[ -n "$recorded" ]
		[ "$(jq .inputs_incomplete <<<"$rec")" = false ]
		traced=$(trace_inputs "$tree" "$(jq -c .argv <<<"$rec")")
		[ -n "$traced" ]
		if comm -13 <(echo "$recorded") <(echo "$traced") | grep .; then
			missing=1
		fi
		n=$((n + 1))
	done < <(jq -c 'select(.class == "serial")' "$log")
	[ "$n" -eq 3 ]
	[ "$missing" -eq 0 ]
}
