# Shared helpers for the real-kernel tests: extract Debian's linux-source
# tarballs once into the ignored build directory and build small
# configurations there, so that later runs only relink.
#
# Usage (sourced):  kernel_src 6.1   -> prints the source tree path
#                   kernel_tiny 6.1  -> prints a configured, built objtree

KW_ROOT=${KW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KW_KERNEL_CACHE=${KW_KERNEL_CACHE:-$KW_ROOT/build/kernel}

# Pinned so that two links of the same objects are byte-identical.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=klinkwrap
export KBUILD_BUILD_HOST=ci
export KBUILD_BUILD_VERSION=1

kernel_log() { printf '# %s\n' "$*" >&2; }

# kernel_src VERSION: extract /usr/src/linux-source-VERSION.tar.xz once.
kernel_src() {
	local ver=$1 tarball=/usr/src/linux-source-$1.tar.xz
	local dir=$KW_KERNEL_CACHE/src-$ver lockfd
	mkdir -p "$KW_KERNEL_CACHE"
	exec {lockfd}>"$KW_KERNEL_CACHE/.lock-src-$ver"
	flock "$lockfd"
	if [ ! -f "$dir/.extracted" ]; then
		[ -f "$tarball" ] || { kernel_log "missing $tarball (package linux-source-$ver)"; return 1; }
		kernel_log "extracting $tarball (once; cached in $dir)"
		rm -rf "$dir" && mkdir -p "$dir" &&
			tar -xJf "$tarball" -C "$dir" --strip-components=1 &&
			touch "$dir/.extracted" || { exec {lockfd}>&-; return 1; }
	fi
	exec {lockfd}>&-
	printf '%s\n' "$dir"
}

# kernel_tiny VERSION: tinyconfig + EXPERT, KALLSYMS, KALLSYMS_ALL in an
# out-of-tree objtree, built once with the plain linker.
kernel_tiny() {
	local ver=$1 src out lockfd
	src=$(kernel_src "$ver") || return 1
	out=$KW_KERNEL_CACHE/tiny-$ver
	mkdir -p "$KW_KERNEL_CACHE"
	# Concurrent suites share the cache: one builder at a time.
	exec {lockfd}>"$KW_KERNEL_CACHE/.lock-tiny-$ver"
	flock "$lockfd"
	if [ ! -f "$out/.built" ]; then
		kernel_log "building tinyconfig $ver in $out (once)"
		mkdir -p "$out" &&
		make -s -C "$src" O="$out" tinyconfig >&2 &&
		"$src/scripts/config" --file "$out/.config" -e EXPERT -e KALLSYMS -e KALLSYMS_ALL >&2 &&
		make -s -C "$src" O="$out" olddefconfig >&2 &&
		make -s -C "$src" O="$out" -j"$(nproc)" vmlinux >&2 &&
		touch "$out/.built" || { exec {lockfd}>&-; return 1; }
	fi
	exec {lockfd}>&-
	printf '%s\n' "$out"
}

# kernel_ppc64: Linux 6.1 cross-built for ppc64 (Book3S 64, big-endian, the
# seed's architecture: powerpc's tinyconfig alone is 32-bit) with
# KALLSYMS_ALL, once, in $KW_KERNEL_CACHE/ppc64-6.1 (KW_PPC64_OBJ:
# elsewhere). Prints the objtree.
kernel_ppc64() {
	local src out lockfd
	local arch=(ARCH=powerpc CROSS_COMPILE=powerpc64-linux-gnu-)
	src=$(kernel_src 6.1) || return 1
	out=${KW_PPC64_OBJ:-$KW_KERNEL_CACHE/ppc64-6.1}
	mkdir -p "$KW_KERNEL_CACHE"
	exec {lockfd}>"$out.lock"
	flock "$lockfd"
	if [ ! -f "$out/.built" ]; then
		kernel_log "building ppc64 tinyconfig 6.1 in $out (once)"
		mkdir -p "$out" &&
		make -s -C "$src" O="$out" "${arch[@]}" tinyconfig >&2 &&
		"$src/scripts/config" --file "$out/.config" -e PPC64 -e EXPERT -e KALLSYMS \
			-e KALLSYMS_ALL >&2 &&
		make -s -C "$src" O="$out" "${arch[@]}" olddefconfig >&2 &&
		make -s -C "$src" O="$out" "${arch[@]}" -j"$(nproc)" vmlinux >&2 &&
		touch "$out/.built" || { exec {lockfd}>&-; return 1; }
	fi
	exec {lockfd}>&-
	grep -qx 'CONFIG_PPC64=y' "$out/.config" || { kernel_log "$out: not a PPC64 config"; return 1; }
	printf '%s\n' "$out"
}

# The host tools a kernel build needs; under CI=true a missing one fails.
require_kernel_tools() {
	require make gcc flex bison bc xz perl
	local v
	for v in 6.1 6.12; do
		[ -f "/usr/src/linux-source-$v.tar.xz" ] && continue
		if [ "${CI:-}" = true ]; then
			echo "missing /usr/src/linux-source-$v.tar.xz (CI=true: failing)" >&2
			return 1
		fi
	done
}

# kernel_build NAME VERSION [MAKE-ARGS...] -- OPTION...: tinyconfig with
# each CONFIG_OPTION enabled (and checked to be on after olddefconfig),
# built once in $KW_KERNEL_CACHE/NAME-VERSION under a lock (concurrent
# suites share the cache), every make of it taking MAKE-ARGS. Prints the
# objtree.
kernel_build() {
	local name=$1 ver=$2 src out lockfd o margs=() opts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		margs+=("$1")
		shift
	done
	[ $# -eq 0 ] || shift
	for o in "$@"; do opts+=(-e "$o"); done
	src=$(kernel_src "$ver") || return 1
	out=$KW_KERNEL_CACHE/$name-$ver
	exec {lockfd}>"$KW_KERNEL_CACHE/.lock-$name-$ver"
	flock "$lockfd"
	if [ ! -f "$out/.built" ]; then
		kernel_log "building $name $ver (tinyconfig ${margs[*]} +$*) in $out (once)"
		mkdir -p "$out" &&
		make -s -C "$src" O="$out" "${margs[@]}" tinyconfig >&2 &&
		"$src/scripts/config" --file "$out/.config" "${opts[@]}" >&2 &&
		make -s -C "$src" O="$out" "${margs[@]}" olddefconfig >&2 &&
		kernel_config_on "$out/.config" "$@" &&
		make -s -C "$src" O="$out" "${margs[@]}" -j"$(nproc)" vmlinux >&2 &&
		touch "$out/.built" || { exec {lockfd}>&-; return 1; }
	fi
	exec {lockfd}>&-
	printf '%s\n' "$out"
}

# kernel_config_on CONFIG OPTION...: each CONFIG_OPTION=y in CONFIG.
kernel_config_on() {
	local config=$1 o
	shift
	for o in "$@"; do
		grep -qx "CONFIG_$o=y" "$config" || { kernel_log "CONFIG_$o is not on in $config"; return 1; }
	done
}

# kernel_llvm64 VERSION: the x86_64 tinyconfig (64BIT) + EXPERT, KALLSYMS,
# KALLSYMS_ALL built with clang and ld.lld (LLVM=1, as ClangBuiltLinux
# builds it) in $KW_KERNEL_CACHE/llvm64-VERSION. Every later make of this
# tree must pass LLVM=1 too: without it Kconfig sees gcc and rebuilds all.
# (The 32-bit x86 tinyconfig does not compile with clang on 6.12.)
kernel_llvm64() {
	kernel_build llvm64 "$1" LLVM=1 -- 64BIT EXPERT KALLSYMS KALLSYMS_ALL
}
