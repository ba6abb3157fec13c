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
