/* Linker command-line analysis: output file, informational calls and
 * @response files. */
#include "klinkwrap/linkargs.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A self-including response file must end somewhere; libiberty gives up
 * after 2000 expansions, we at this depth. */
#define RESPONSE_DEPTH_MAX 64

void linkargs_split_response(const char *text, struct kw_strvec *out)
{
	const char *p = text;
	size_t cap = strlen(text) + 1;
	char *word = kw_malloc(cap);

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		size_t len = 0;
		bool squote = false, dquote = false, escaped = false;
		for (; *p; p++) {
			char c = *p;
			if (escaped) {
				escaped = false;
				word[len++] = c;
			} else if (c == '\\') {
				escaped = true;
			} else if (squote) {
				if (c == '\'')
					squote = false;
				else
					word[len++] = c;
			} else if (dquote) {
				if (c == '"')
					dquote = false;
				else
					word[len++] = c;
			} else if (isspace((unsigned char)c)) {
				break;
			} else if (c == '\'') {
				squote = true;
			} else if (c == '"') {
				dquote = true;
			} else {
				word[len++] = c;
			}
		}
		kw_strvec_push_owned(out, kw_strndup(word, len));
	}
	free(word);
}

/* Read a whole file; NULL if it cannot be read (the @word then stays
 * literal, as libiberty leaves it). */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t len = 0, cap = 4096;
	char *buf = kw_malloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = kw_realloc(buf, cap);
		}
	}
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static int expand(int argc, char *const argv[], int depth, struct kw_strvec *out,
		  char **why)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		char *text;
		if (a[0] != '@' || !a[1] || !(text = read_file(a + 1))) {
			kw_strvec_push(out, a);
			continue;
		}
		if (depth >= RESPONSE_DEPTH_MAX) {
			free(text);
			*why = kw_asprintf("%s: response files nested more than %d deep",
					   a, RESPONSE_DEPTH_MAX);
			return -1;
		}
		struct kw_strvec inner = { 0 };
		linkargs_split_response(text, &inner);
		free(text);
		int rc = expand((int)inner.n, inner.v, depth + 1, out, why);
		kw_strvec_clear(&inner);
		if (rc)
			return rc;
	}
	return 0;
}

/* The argument grammar. An option's argument is: */
enum arg {
	A_NONE,  /* none: "--name=x" is no option */
	A_REQ,   /* required: joined ("-Lx", "--name=x") or the next word */
	A_OPT,   /* optional, joined with '=' only ("--build-id=sha1") */
	A_PFX,   /* joined to the name itself ("--lto-O2", "-O1" style) */
};

struct opt {
	const char *name;  /* without dashes; one character: a short option */
	unsigned char arg;
	unsigned char role;
};

#define OTHER KW_OPT_OTHER
/* GNU ld 2.40's options (ld --help, lexsup.c), then gold's, lld's and
 * mold's own. Every option that takes a separate argument must be here,
 * or its argument would be read as an input; options that name no file
 * are here so that they do not make the input list incomplete. */
static const struct opt short_opts[] = {
	{ "a", A_REQ, OTHER }, { "A", A_REQ, OTHER }, { "b", A_REQ, KW_OPT_FORMAT },
	{ "c", A_REQ, KW_OPT_UNMODELLED }, { "C", A_REQ, KW_OPT_UNMODELLED },
	{ "d", A_NONE, OTHER }, { "e", A_REQ, OTHER }, { "E", A_NONE, OTHER },
	{ "f", A_REQ, OTHER }, { "F", A_REQ, OTHER }, { "g", A_NONE, OTHER },
	{ "G", A_REQ, OTHER }, { "h", A_REQ, OTHER }, { "i", A_NONE, OTHER },
	{ "I", A_REQ, OTHER }, { "l", A_REQ, KW_OPT_LIBRARY }, { "L", A_REQ, KW_OPT_LIBDIR },
	{ "m", A_REQ, KW_OPT_EMULATION }, { "M", A_NONE, OTHER }, { "n", A_NONE, OTHER },
	{ "N", A_NONE, OTHER }, { "o", A_REQ, KW_OPT_OUTPUT }, { "O", A_REQ, OTHER },
	{ "P", A_REQ, OTHER }, { "q", A_NONE, OTHER }, { "r", A_NONE, OTHER },
	{ "R", A_REQ, KW_OPT_JUST_SYMBOLS }, { "s", A_NONE, OTHER }, { "S", A_NONE, OTHER },
	{ "t", A_NONE, OTHER }, { "T", A_REQ, KW_OPT_SCRIPT }, { "u", A_REQ, OTHER },
	{ "v", A_NONE, KW_OPT_INFO }, { "V", A_NONE, KW_OPT_INFO }, { "w", A_NONE, OTHER },
	{ "x", A_NONE, OTHER }, { "X", A_NONE, OTHER }, { "y", A_REQ, OTHER },
	{ "Y", A_REQ, KW_OPT_UNMODELLED }, { "z", A_REQ, OTHER },
	{ "(", A_NONE, KW_OPT_GROUP_START }, { ")", A_NONE, KW_OPT_GROUP_END },
};

static const struct opt long_opts[] = {
	/* Files and the search for them. */
	{ "output", A_REQ, KW_OPT_OUTPUT },
	{ "library", A_REQ, KW_OPT_LIBRARY }, { "library-path", A_REQ, KW_OPT_LIBDIR },
	{ "script", A_REQ, KW_OPT_SCRIPT }, { "default-script", A_REQ, KW_OPT_SCRIPT },
	{ "dT", A_REQ, KW_OPT_SCRIPT },
	{ "version-script", A_REQ, KW_OPT_AUX_SCRIPT }, { "dynamic-list", A_REQ, KW_OPT_AUX_SCRIPT },
	{ "export-dynamic-symbol-list", A_REQ, KW_OPT_AUX_SCRIPT },
	{ "retain-symbols-file", A_REQ, KW_OPT_AUX_SCRIPT },
	{ "symbol-ordering-file", A_REQ, KW_OPT_AUX_SCRIPT },
	{ "call-graph-ordering-file", A_REQ, KW_OPT_AUX_SCRIPT },
	{ "just-symbols", A_REQ, KW_OPT_JUST_SYMBOLS },
	{ "Bstatic", A_NONE, KW_OPT_STATIC }, { "static", A_NONE, KW_OPT_STATIC },
	{ "dn", A_NONE, KW_OPT_STATIC }, { "non_shared", A_NONE, KW_OPT_STATIC },
	{ "Bdynamic", A_NONE, KW_OPT_DYNAMIC }, { "dy", A_NONE, KW_OPT_DYNAMIC },
	{ "call_shared", A_NONE, KW_OPT_DYNAMIC },
	{ "push-state", A_NONE, KW_OPT_PUSH_STATE }, { "pop-state", A_NONE, KW_OPT_POP_STATE },
	{ "start-group", A_NONE, KW_OPT_GROUP_START }, { "end-group", A_NONE, KW_OPT_GROUP_END },
	{ "whole-archive", A_NONE, KW_OPT_WHOLE_ARCHIVE },
	{ "no-whole-archive", A_NONE, KW_OPT_NO_WHOLE_ARCHIVE },
	{ "format", A_REQ, KW_OPT_FORMAT }, { "sysroot", A_REQ, KW_OPT_SYSROOT },
	{ "nostdlib", A_NONE, KW_OPT_NOSTDLIB },
	{ "mri-script", A_REQ, KW_OPT_UNMODELLED }, { "directory", A_REQ, KW_OPT_UNMODELLED },
	{ "chroot", A_REQ, KW_OPT_UNMODELLED }, { "run", A_NONE, KW_OPT_UNMODELLED },
	{ "version", A_NONE, KW_OPT_INFO }, { "help", A_NONE, KW_OPT_INFO },
	/* Options with an argument that names no input. */
	{ "architecture", A_REQ, OTHER }, { "dependency-file", A_REQ, OTHER },
	{ "entry", A_REQ, OTHER }, { "auxiliary", A_REQ, OTHER }, { "filter", A_REQ, OTHER },
	{ "gpsize", A_REQ, OTHER }, { "soname", A_REQ, OTHER },
	{ "dynamic-linker", A_REQ, OTHER }, { "out-implib", A_REQ, OTHER },
	{ "plugin", A_REQ, OTHER }, { "plugin-opt", A_REQ, OTHER },
	{ "flto-partition", A_REQ, OTHER }, { "fuse-ld", A_REQ, OTHER },
	{ "undefined", A_REQ, OTHER }, { "require-defined", A_REQ, OTHER },
	{ "trace-symbol", A_REQ, OTHER }, { "defsym", A_REQ, OTHER },
	{ "fini", A_REQ, OTHER }, { "init", A_REQ, OTHER }, { "Map", A_REQ, OTHER },
	{ "hash-size", A_REQ, OTHER }, { "max-cache-size", A_REQ, OTHER },
	{ "error-handling-script", A_REQ, OTHER }, { "oformat", A_REQ, OTHER },
	{ "rpath", A_REQ, OTHER }, { "rpath-link", A_REQ, OTHER },
	{ "sort-section", A_REQ, OTHER }, { "spare-dynamic-tags", A_REQ, OTHER },
	{ "task-link", A_REQ, OTHER }, { "section-start", A_REQ, OTHER },
	{ "Tbss", A_REQ, OTHER }, { "Tdata", A_REQ, OTHER }, { "Ttext", A_REQ, OTHER },
	{ "Ttext-segment", A_REQ, OTHER }, { "Trodata-segment", A_REQ, OTHER },
	{ "Tldata-segment", A_REQ, OTHER }, { "unresolved-symbols", A_REQ, OTHER },
	{ "version-exports-section", A_REQ, OTHER }, { "export-dynamic-symbol", A_REQ, OTHER },
	{ "wrap", A_REQ, OTHER }, { "ignore-unresolved-symbol", A_REQ, OTHER },
	{ "orphan-handling", A_REQ, OTHER }, { "ctf-share-types", A_REQ, OTHER },
	{ "audit", A_REQ, OTHER }, { "depaudit", A_REQ, OTHER }, { "exclude-libs", A_REQ, OTHER },
	{ "hash-style", A_REQ, OTHER }, { "assert", A_REQ, OTHER }, { "image-base", A_REQ, OTHER },
	{ "emulation", A_REQ, KW_OPT_EMULATION }, { "flavor", A_REQ, OTHER },
	/* Optional arguments, joined with '=' only. */
	{ "unique", A_OPT, OTHER }, { "verbose", A_OPT, OTHER }, { "demangle", A_OPT, OTHER },
	{ "sort-common", A_OPT, OTHER }, { "split-by-file", A_OPT, OTHER },
	{ "split-by-reloc", A_OPT, OTHER }, { "build-id", A_OPT, OTHER },
	{ "package-metadata", A_OPT, OTHER }, { "compress-debug-sections", A_OPT, OTHER },
	{ "color-diagnostics", A_OPT, OTHER }, { "threads", A_OPT, OTHER },
	{ "shuffle-sections", A_OPT, OTHER }, { "icf", A_OPT, OTHER },
	{ "pack-dyn-relocs", A_OPT, OTHER }, { "dynamic-list-data", A_NONE, OTHER },
	/* Flags. */
	{ "dc", A_NONE, OTHER }, { "dp", A_NONE, OTHER }, { "force-group-allocation", A_NONE, OTHER },
	{ "export-dynamic", A_NONE, OTHER }, { "no-export-dynamic", A_NONE, OTHER },
	{ "enable-non-contiguous-regions", A_NONE, OTHER },
	{ "enable-non-contiguous-regions-warnings", A_NONE, OTHER },
	{ "EB", A_NONE, OTHER }, { "EL", A_NONE, OTHER }, { "no-dynamic-linker", A_NONE, OTHER },
	{ "print-map", A_NONE, OTHER }, { "nmagic", A_NONE, OTHER }, { "omagic", A_NONE, OTHER },
	{ "no-omagic", A_NONE, OTHER }, { "flto", A_NONE, OTHER },
	{ "map-whole-files", A_NONE, OTHER }, { "no-map-whole-files", A_NONE, OTHER },
	{ "Qy", A_NONE, OTHER }, { "emit-relocs", A_NONE, OTHER }, { "relocatable", A_NONE, OTHER },
	{ "strip-all", A_NONE, OTHER }, { "strip-debug", A_NONE, OTHER },
	{ "strip-discarded", A_NONE, OTHER }, { "no-strip-discarded", A_NONE, OTHER },
	{ "trace", A_NONE, OTHER }, { "Ur", A_NONE, OTHER }, { "discard-all", A_NONE, OTHER },
	{ "discard-locals", A_NONE, OTHER }, { "discard-none", A_NONE, OTHER },
	{ "accept-unknown-input-arch", A_NONE, OTHER },
	{ "no-accept-unknown-input-arch", A_NONE, OTHER },
	{ "as-needed", A_NONE, OTHER }, { "no-as-needed", A_NONE, OTHER },
	{ "Bno-symbolic", A_NONE, OTHER }, { "Bsymbolic", A_NONE, OTHER },
	{ "Bsymbolic-functions", A_NONE, OTHER }, { "Bsymbolic-non-weak-functions", A_NONE, OTHER },
	{ "Bgroup", A_NONE, OTHER }, { "Bshareable", A_NONE, OTHER },
	{ "check-sections", A_NONE, OTHER }, { "no-check-sections", A_NONE, OTHER },
	{ "copy-dt-needed-entries", A_NONE, OTHER }, { "no-copy-dt-needed-entries", A_NONE, OTHER },
	{ "cref", A_NONE, OTHER }, { "disable-multiple-abs-defs", A_NONE, OTHER },
	{ "embedded-relocs", A_NONE, OTHER }, { "fatal-warnings", A_NONE, OTHER },
	{ "no-fatal-warnings", A_NONE, OTHER }, { "force-exe-suffix", A_NONE, OTHER },
	{ "gc-sections", A_NONE, OTHER }, { "no-gc-sections", A_NONE, OTHER },
	{ "print-gc-sections", A_NONE, OTHER }, { "no-print-gc-sections", A_NONE, OTHER },
	{ "gc-keep-exported", A_NONE, OTHER }, { "no-define-common", A_NONE, OTHER },
	{ "define-common", A_NONE, OTHER }, { "no-demangle", A_NONE, OTHER },
	{ "no-keep-memory", A_NONE, OTHER }, { "no-undefined", A_NONE, OTHER },
	{ "no-warnings", A_NONE, OTHER }, { "allow-shlib-undefined", A_NONE, OTHER },
	{ "no-allow-shlib-undefined", A_NONE, OTHER }, { "allow-multiple-definition", A_NONE, OTHER },
	{ "no-allow-multiple-definition", A_NONE, OTHER },
	{ "undefined-version", A_NONE, OTHER }, { "no-undefined-version", A_NONE, OTHER },
	{ "default-symver", A_NONE, OTHER }, { "default-imported-symver", A_NONE, OTHER },
	{ "no-warn-mismatch", A_NONE, OTHER }, { "no-warn-search-mismatch", A_NONE, OTHER },
	{ "noinhibit-exec", A_NONE, OTHER }, { "print-output-format", A_NONE, OTHER },
	{ "print-sysroot", A_NONE, OTHER }, { "qmagic", A_NONE, OTHER },
	{ "reduce-memory-overheads", A_NONE, OTHER }, { "relax", A_NONE, OTHER },
	{ "no-relax", A_NONE, OTHER }, { "shared", A_NONE, OTHER }, { "pie", A_NONE, OTHER },
	{ "pic-executable", A_NONE, OTHER }, { "no-pie", A_NONE, OTHER }, { "stats", A_NONE, OTHER },
	{ "target-help", A_NONE, OTHER }, { "traditional-format", A_NONE, OTHER },
	{ "dynamic-list-cpp-new", A_NONE, OTHER }, { "dynamic-list-cpp-typeinfo", A_NONE, OTHER },
	{ "warn-common", A_NONE, OTHER }, { "warn-constructors", A_NONE, OTHER },
	{ "warn-execstack", A_NONE, OTHER }, { "no-warn-execstack", A_NONE, OTHER },
	{ "warn-rwx-segments", A_NONE, OTHER }, { "no-warn-rwx-segments", A_NONE, OTHER },
	{ "warn-multiple-gp", A_NONE, OTHER }, { "warn-once", A_NONE, OTHER },
	{ "warn-section-align", A_NONE, OTHER }, { "warn-textrel", A_NONE, OTHER },
	{ "warn-shared-textrel", A_NONE, OTHER }, { "warn-alternate-em", A_NONE, OTHER },
	{ "warn-unresolved-symbols", A_NONE, OTHER }, { "error-unresolved-symbols", A_NONE, OTHER },
	{ "print-memory-usage", A_NONE, OTHER }, { "print-map-discarded", A_NONE, OTHER },
	{ "no-print-map-discarded", A_NONE, OTHER }, { "ctf-variables", A_NONE, OTHER },
	{ "no-ctf-variables", A_NONE, OTHER }, { "ld-generated-unwind-info", A_NONE, OTHER },
	{ "no-ld-generated-unwind-info", A_NONE, OTHER }, { "disable-new-dtags", A_NONE, OTHER },
	{ "enable-new-dtags", A_NONE, OTHER }, { "eh-frame-hdr", A_NONE, OTHER },
	{ "no-eh-frame-hdr", A_NONE, OTHER }, { "no-threads", A_NONE, OTHER },
	/* gold, lld and mold. */
	{ "thread-count", A_REQ, OTHER }, { "mllvm", A_REQ, OTHER },
	{ "lto-partitions", A_REQ, OTHER },
	{ "thinlto-jobs", A_REQ, OTHER }, { "thinlto-cache-dir", A_REQ, OTHER },
	{ "thinlto-cache-policy", A_REQ, OTHER }, { "error-limit", A_REQ, OTHER },
	{ "keep-unique", A_REQ, OTHER }, { "print-archive-stats", A_REQ, OTHER },
	{ "print-symbol-order", A_REQ, OTHER }, { "reproduce", A_REQ, OTHER },
	{ "rsp-quoting", A_REQ, OTHER }, { "target1-abs", A_NONE, OTHER },
	{ "target1-rel", A_NONE, OTHER }, { "target2", A_REQ, OTHER },
	{ "time-trace-file", A_REQ, OTHER }, { "time-trace-granularity", A_REQ, OTHER },
	{ "undefined-glob", A_REQ, OTHER }, { "warn-backrefs-exclude", A_REQ, OTHER },
	{ "why-extract", A_REQ, OTHER }, { "power10-stubs", A_OPT, OTHER },
	{ "apply-dynamic-relocs", A_NONE, OTHER }, { "no-apply-dynamic-relocs", A_NONE, OTHER },
	{ "call-graph-profile-sort", A_NONE, OTHER }, { "no-call-graph-profile-sort", A_NONE, OTHER },
	{ "dependent-libraries", A_NONE, OTHER }, { "no-dependent-libraries", A_NONE, OTHER },
	{ "end-lib", A_NONE, OTHER }, { "start-lib", A_NONE, OTHER },
	{ "execute-only", A_NONE, OTHER }, { "no-execute-only", A_NONE, OTHER },
	{ "fix-cortex-a53-843419", A_NONE, OTHER }, { "fix-cortex-a8", A_NONE, OTHER },
	{ "fortran-common", A_NONE, OTHER }, { "no-fortran-common", A_NONE, OTHER },
	{ "gdb-index", A_NONE, OTHER }, { "no-gdb-index", A_NONE, OTHER },
	{ "gnu-unique", A_NONE, OTHER }, { "no-gnu-unique", A_NONE, OTHER },
	{ "ignore-data-address-equality", A_NONE, OTHER },
	{ "ignore-function-address-equality", A_NONE, OTHER },
	{ "merge-exidx-entries", A_NONE, OTHER }, { "no-merge-exidx-entries", A_NONE, OTHER },
	{ "mmap-output-file", A_NONE, OTHER }, { "no-mmap-output-file", A_NONE, OTHER },
	{ "no-nmagic", A_NONE, OTHER }, { "no-rosegment", A_NONE, OTHER }, { "rosegment", A_NONE, OTHER },
	{ "pic-veneer", A_NONE, OTHER }, { "print-icf-sections", A_NONE, OTHER },
	{ "no-print-icf-sections", A_NONE, OTHER }, { "save-temps", A_NONE, OTHER },
	{ "time-trace", A_NONE, OTHER }, { "vs-diagnostics", A_NONE, OTHER },
	{ "warn-backrefs", A_NONE, OTHER }, { "no-warn-backrefs", A_NONE, OTHER },
	{ "warn-ifunc-textrel", A_NONE, OTHER }, { "no-warn-ifunc-textrel", A_NONE, OTHER },
	{ "warn-symbol-ordering", A_NONE, OTHER }, { "no-warn-symbol-ordering", A_NONE, OTHER },
	{ "no-warn-common", A_NONE, OTHER }, { "no-color-diagnostics", A_NONE, OTHER },
	{ "use-android-relr-tags", A_NONE, OTHER }, { "no-use-android-relr-tags", A_NONE, OTHER },
	{ "toc-optimize", A_NONE, OTHER }, { "no-toc-optimize", A_NONE, OTHER },
	{ "pcrel-optimize", A_NONE, OTHER }, { "no-pcrel-optimize", A_NONE, OTHER },
	{ "optimize-bb-jumps", A_NONE, OTHER }, { "no-optimize-bb-jumps", A_NONE, OTHER },
	{ "fork", A_NONE, OTHER }, { "no-fork", A_NONE, OTHER }, { "perf", A_NONE, OTHER },
	{ "quick-exit", A_NONE, OTHER }, { "no-quick-exit", A_NONE, OTHER },
	{ "repro", A_NONE, OTHER }, { "reverse-sections", A_NONE, OTHER },
	{ "incremental", A_NONE, OTHER }, { "no-incremental", A_NONE, OTHER },
	/* GNU ld's PE and PE+ emulations (in Debian's multi-target ld). */
	{ "add-stdcall-alias", A_NONE, OTHER }, { "compat-implib", A_NONE, OTHER },
	{ "disable-auto-image-base", A_NONE, OTHER }, { "disable-auto-import", A_NONE, OTHER },
	{ "disable-large-address-aware", A_NONE, OTHER },
	{ "disable-long-section-names", A_NONE, OTHER },
	{ "disable-reloc-section", A_NONE, OTHER },
	{ "disable-runtime-pseudo-reloc", A_NONE, OTHER },
	{ "disable-stdcall-fixup", A_NONE, OTHER }, { "dll", A_NONE, OTHER },
	{ "enable-auto-import", A_NONE, OTHER }, { "enable-extra-pe-debug", A_NONE, OTHER },
	{ "enable-extra-pep-debug", A_NONE, OTHER },
	{ "enable-long-section-names", A_NONE, OTHER }, { "enable-reloc-section", A_NONE, OTHER },
	{ "enable-runtime-pseudo-reloc", A_NONE, OTHER },
	{ "enable-stdcall-fixup", A_NONE, OTHER }, { "exclude-all-symbols", A_NONE, OTHER },
	{ "export-all-symbols", A_NONE, OTHER }, { "kill-at", A_NONE, OTHER },
	{ "large-address-aware", A_NONE, OTHER }, { "support-old-code", A_NONE, OTHER },
	{ "warn-duplicate-exports", A_NONE, OTHER }, { "dynamicbase", A_NONE, OTHER },
	{ "disable-dynamicbase", A_NONE, OTHER }, { "forceinteg", A_NONE, OTHER },
	{ "disable-forceinteg", A_NONE, OTHER }, { "high-entropy-va", A_NONE, OTHER },
	{ "disable-high-entropy-va", A_NONE, OTHER }, { "no-bind", A_NONE, OTHER },
	{ "disable-no-bind", A_NONE, OTHER }, { "no-isolation", A_NONE, OTHER },
	{ "disable-no-isolation", A_NONE, OTHER }, { "no-seh", A_NONE, OTHER },
	{ "disable-no-seh", A_NONE, OTHER }, { "nxcompat", A_NONE, OTHER },
	{ "disable-nxcompat", A_NONE, OTHER }, { "tsaware", A_NONE, OTHER },
	{ "disable-tsaware", A_NONE, OTHER }, { "wdmdriver", A_NONE, OTHER },
	{ "disable-wdmdriver", A_NONE, OTHER }, { "insert-timestamp", A_NONE, OTHER },
	{ "no-insert-timestamp", A_NONE, OTHER }, { "leading-underscore", A_NONE, OTHER },
	{ "no-leading-underscore", A_NONE, OTHER },
	{ "base_file", A_REQ, OTHER }, { "dll-search-prefix", A_REQ, OTHER },
	{ "exclude-modules-for-implib", A_REQ, OTHER }, { "exclude-symbols", A_REQ, OTHER },
	{ "file-alignment", A_REQ, OTHER }, { "heap", A_REQ, OTHER },
	{ "major-image-version", A_REQ, OTHER }, { "major-os-version", A_REQ, OTHER },
	{ "major-subsystem-version", A_REQ, OTHER }, { "minor-image-version", A_REQ, OTHER },
	{ "minor-os-version", A_REQ, OTHER }, { "minor-subsystem-version", A_REQ, OTHER },
	{ "output-def", A_REQ, OTHER }, { "section-alignment", A_REQ, OTHER },
	{ "stack", A_REQ, OTHER }, { "subsystem", A_REQ, OTHER }, { "thumb-entry", A_REQ, OTHER },
	{ "enable-auto-image-base", A_OPT, OTHER },
	/* lld's LTO and remarks options. */
	{ "lto-cs-profile-generate", A_NONE, OTHER }, { "lto-debug-pass-manager", A_NONE, OTHER },
	{ "lto-emit-asm", A_NONE, OTHER }, { "lto-legacy-pass-manager", A_NONE, OTHER },
	{ "no-lto-legacy-pass-manager", A_NONE, OTHER },
	{ "lto-pgo-warn-mismatch", A_NONE, OTHER }, { "no-lto-pgo-warn-mismatch", A_NONE, OTHER },
	{ "lto-unique-basic-block-section-names", A_NONE, OTHER },
	{ "no-lto-unique-basic-block-section-names", A_NONE, OTHER },
	{ "lto-whole-program-visibility", A_NONE, OTHER },
	{ "no-lto-whole-program-visibility", A_NONE, OTHER }, { "no-build-id", A_NONE, OTHER },
	{ "no-icf", A_NONE, OTHER }, { "no-pic-executable", A_NONE, OTHER },
	{ "no-power10-stubs", A_NONE, OTHER }, { "opt-remarks-with-hotness", A_NONE, OTHER },
	{ "thinlto-emit-imports-files", A_NONE, OTHER },
	{ "lto-aa-pipeline", A_REQ, OTHER }, { "lto-basic-block-sections", A_REQ, OTHER },
	{ "lto-cs-profile-file", A_REQ, OTHER }, { "lto-newpm-passes", A_REQ, OTHER },
	{ "lto-sample-profile", A_REQ, OTHER }, { "opt-remarks-filename", A_REQ, OTHER },
	{ "opt-remarks-format", A_REQ, OTHER }, { "opt-remarks-hotness-threshold", A_REQ, OTHER },
	{ "opt-remarks-passes", A_REQ, OTHER }, { "split-stack-adjust-size", A_REQ, OTHER },
	{ "thinlto-single-module", A_REQ, OTHER },
	{ "thinlto-object-suffix-replace", A_REQ, OTHER },
	{ "thinlto-prefix-replace", A_REQ, OTHER },
	{ "thinlto-index-only", A_OPT, OTHER },
};

/* Lookups go through a hash index of each table, made at its first
 * lookup: the tables stay in reading order above, and a gcc command line
 * reads about forty options, each found without a scan of three hundred
 * names. (A sorted copy cost a qsort per process, about a fifth of a
 * millisecond of every wrapped link.) */
#define OPT_SLOTS 1024 /* a power of two, over twice the longest table */
_Static_assert(sizeof(long_opts) / sizeof(*long_opts) * 2 < OPT_SLOTS, "OPT_SLOTS too small");

struct opt_index {
	bool built;
	uint16_t slot[OPT_SLOTS]; /* 1 + the index in the table, 0 when free */
};

static size_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h & (OPT_SLOTS - 1);
}

static bool name_is(const char *name, size_t len, const char *opt)
{
	return !strncmp(opt, name, len) && !opt[len];
}

static void index_build(struct opt_index *ix, const struct opt *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t s = name_hash(table[i].name, strlen(table[i].name));
		while (ix->slot[s])
			s = (s + 1) & (OPT_SLOTS - 1);
		ix->slot[s] = (uint16_t)(i + 1);
	}
	ix->built = true;
}

/* Options whose argument is joined to the name itself. */
static const struct opt prefix_opts[] = {
	{ "lto-O", A_PFX, OTHER },
};

static const struct opt *find_opt(const struct opt *table, size_t n, const char *name,
				  size_t len)
{
	static struct opt_index index_short, index_long;
	struct opt_index *ix = table == short_opts ? &index_short : &index_long;
	if (!ix->built)
		index_build(ix, table, n);
	for (size_t s = name_hash(name, len); ix->slot[s]; s = (s + 1) & (OPT_SLOTS - 1))
		if (name_is(name, len, table[ix->slot[s] - 1].name))
			return &table[ix->slot[s] - 1];
	return NULL;
}

/* Is BODY (after "--") "output" or an abbreviation GNU ld's getopt_long
 * reads as it ("outp" and up: "ou" and "out" select --out-implib)? */
static bool is_output_abbrev(const char *body, size_t len)
{
	static const char full[] = "output";
	return len >= 4 && len <= sizeof(full) - 1 && !strncmp(body, full, len);
}

static void take_value(const struct opt *o, const char *joined, char *const words[],
		       size_t n, size_t i, struct kw_linkword *out)
{
	out->kind = KW_WORD_OPTION;
	out->role = (enum kw_linkopt_role)o->role;
	out->name = o->name;
	if (joined) {
		out->value = joined;
	} else if (i + 1 < n) {
		out->value = words[i + 1];
		out->nwords = 2;
	} else {
		out->missing_value = true;
	}
}

/* Read a long option, BODY being the word after its dashes; false when no
 * option of the grammar matches. */
static bool long_word(const char *body, bool two_dashes, char *const words[], size_t n,
		      size_t i, struct kw_linkword *out)
{
	size_t len = strcspn(body, "=");
	const char *eq = body[len] ? body + len + 1 : NULL;
	const struct opt *o = find_opt(long_opts, sizeof(long_opts) / sizeof(*long_opts),
				       body, len);
	if (!o && two_dashes && is_output_abbrev(body, len))
		o = &long_opts[0]; /* "output" */
	if (!o) {
		for (size_t k = 0; k < sizeof(prefix_opts) / sizeof(*prefix_opts); k++) {
			size_t pl = strlen(prefix_opts[k].name);
			if (!strncmp(body, prefix_opts[k].name, pl)) {
				out->kind = KW_WORD_OPTION;
				out->role = (enum kw_linkopt_role)prefix_opts[k].role;
				out->name = prefix_opts[k].name;
				out->value = body + pl;
				return true;
			}
		}
		return false;
	}
	switch (o->arg) {
	case A_NONE:
		if (eq)
			return false;
		out->kind = KW_WORD_OPTION;
		out->role = (enum kw_linkopt_role)o->role;
		out->name = o->name;
		return true;
	case A_OPT:
		out->kind = KW_WORD_OPTION;
		out->role = (enum kw_linkopt_role)o->role;
		out->name = o->name;
		out->value = eq;
		return true;
	default:
		take_value(o, eq, words, n, i, out);
		return true;
	}
}

void linkargs_word(char *const words[], size_t n, size_t i, struct kw_linkword *out)
{
	const char *a = words[i];
	memset(out, 0, sizeof(*out));
	out->nwords = 1;
	if (a[0] != '-' || !a[1]) {
		/* "-" alone is no option of any of these linkers either. */
		out->kind = a[0] == '-' ? KW_WORD_UNKNOWN : KW_WORD_INPUT;
		return;
	}
	if (a[1] == '-') {
		if (!long_word(a + 2, true, words, n, i, out))
			out->kind = KW_WORD_UNKNOWN;
		return;
	}
	const char *body = a + 1;
	const struct opt *o;
	/* GNU ld reads every -oXXX as "-o XXX": that is why its long options
	 * starting with 'o' need two dashes. */
	if (body[0] != 'o' && long_word(body, false, words, n, i, out))
		return;
	o = find_opt(short_opts, sizeof(short_opts) / sizeof(*short_opts), body, 1);
	if (!o || (o->arg == A_NONE && body[1])) {
		out->kind = KW_WORD_UNKNOWN;
		return;
	}
	if (o->arg == A_NONE) {
		out->kind = KW_WORD_OPTION;
		out->role = (enum kw_linkopt_role)o->role;
		out->name = o->name;
		return;
	}
	take_value(o, body[1] ? body + 1 : NULL, words, n, i, out);
}

int linkargs_analyze(int argc, char *const argv[], struct kw_linkargs *out, char **why)
{
	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (expand(argc, argv, 0, &out->words, why))
		return -1;

	struct kw_linkword w;
	for (size_t i = 0; i < out->words.n; i += w.nwords) {
		linkargs_word(out->words.v, out->words.n, i, &w);
		if (w.kind != KW_WORD_OPTION)
			continue;
		if (w.role == KW_OPT_INFO)
			out->informational = true;
		else if (w.role == KW_OPT_OUTPUT && w.value)
			out->output = w.value; /* a trailing -o names nothing */
	}
	return 0;
}

void linkargs_release(struct kw_linkargs *la)
{
	kw_strvec_clear(&la->words);
	la->output = NULL;
}
