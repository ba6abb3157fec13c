/* Kbuild mode, zero patch (make LD="klinkwrap ld"): the final vmlinux
 * link is checked the way scripts/link-vmlinux.sh will check it (mksysmap
 * of the new vmlinux against the last kallsyms pass's .syms) and, when
 * the kernel's passes ran out, repaired: the pass's .syms, .S and .o are
 * regenerated from the vmlinux just linked by the per-generation script
 * in kbuild-integration/ (the tree's own tools), and vmlinux is relinked,
 * until consistent (the fixed point, converge.h).
 *
 * Generations, told by the kallsyms object's name among the inputs and by
 * the tree's scripts/mksysmap:
 *   6.1   .tmp_vmlinux.kallsymsN.o, .syms beside it, mksysmap a shell script
 *   6.12  .tmp_vmlinuxN.kallsyms.o, .tmp_vmlinuxN.syms, mksysmap a sed script
 *   5.x   .tmp_vmlinux.kallsymsN.o without a .syms (the check compares
 *         .tmp_System.map): recognised, reported, left as linked. */
#ifndef KLINKWRAP_KBUILD_H
#define KLINKWRAP_KBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include "klinkwrap/config.h"
#include "klinkwrap/sysmap.h"

enum kw_kbuild_mode { KW_KBUILD_REPAIR, KW_KBUILD_CHECK, KW_KBUILD_OFF };

/* The setting (--kbuild, KLINKWRAP_KBUILD). */
enum kw_kbuild_mode kbuild_mode(const struct kw_config *cfg);

/* Is this the final link Kbuild mode looks at: OUTPUT vmlinux (or
 * vmlinux.unstripped), a kallsyms object among WORDS[0..N) (the linker's
 * arguments), and the mode not off? */
bool kbuild_wants(const struct kw_config *cfg, const char *output, char *const words[],
		  size_t n);

/* What the final link's inputs say about the kernel's passes. */
struct kw_kbuild_pass {
	char *object;         /* the kallsyms object, as named on the command line */
	char *syms;           /* its .syms (the last pass's mksysmap) */
	char *generation;     /* "6.1", "6.12", "5.x" or "unknown" */
	unsigned number;      /* N of the last pass (.tmp_vmlinux.kallsymsN, .tmp_vmlinuxN) */
	enum kw_sysmap_rules rules;
};

/* Find the kallsyms object among WORDS (the linker's arguments, response
 * files expanded) and tell the generation (SRCTREE: the kernel source,
 * for scripts/mksysmap; NULL: $srctree). Returns false when there is
 * none (a kernel without KALLSYMS). */
bool kbuild_find_pass(char *const words[], size_t n, const char *srctree,
		      struct kw_kbuild_pass *out);
void kbuild_pass_release(struct kw_kbuild_pass *pass);

/* The check link-vmlinux.sh makes after the final link: is mksysmap's
 * filter (RULES, not KW_SYSMAP_AUTO) of `nm -n OUTPUT`, byte for byte,
 * the file SYMS? EQUAL or DIFFERS with *nkept (the symbols mksysmap
 * keeps); NO_SYMS (SYMS cannot be read) or BAD_OUTPUT (OUTPUT's symbol
 * table cannot be read) with *why (malloc'd). */
enum kw_kbuild_check { KW_KBUILD_EQUAL, KW_KBUILD_DIFFERS, KW_KBUILD_NO_SYMS, KW_KBUILD_BAD_OUTPUT };
enum kw_kbuild_check kbuild_check_syms(const char *output, const char *syms,
				       enum kw_sysmap_rules rules, size_t *nkept, char **why);

/* The directory of the per-generation scripts: $KLINKWRAP_KBUILD_DIR, else
 * beside the binary (../share/klinkwrap/kbuild-integration when installed,
 * the source tree's kbuild-integration when run from it). malloc'd, or
 * NULL when none exists. */
char *kbuild_script_dir(void);

/* The final link ARGV (argv[0] the linker) in Kbuild mode: link, check,
 * repair as the mode says. Holds the serial lock across all of it. Ends
 * klinkwrap as the last link ended when consistent (or not a kallsyms
 * link, or a generation it cannot repair); returns 124 when not
 * consistent, 125 (or a regeneration's failure) after a message. */
int kbuild_run(const struct kw_config *cfg, char *argv[]);

#endif
