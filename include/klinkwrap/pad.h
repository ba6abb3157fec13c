/* Padding a regenerated object so that its allocated sections never
 * shrink between passes of the fixed point: a table that oscillates
 * (its own size moves what it lists) then settles.
 *
 * How: after each regeneration, every allocated section of FILE with
 * contents (SHT_PROGBITS, SHF_ALLOC) that is smaller than the largest size
 * a section of that name has had in FILE gets the difference appended as
 * zero bytes, with the target's own objcopy:
 *     objcopy --add-section .klinkwrap.pad.N=ZEROS
 *             --set-section-flags .klinkwrap.pad.N=alloc,contents,...
 *             --set-section-alignment .klinkwrap.pad.N=1 FILE TMP
 *     objcopy --rename-section .klinkwrap.pad.N=NAME TMP TMP2
 * so that FILE holds a second section named NAME right after the first in
 * its section table, aligned to 1, which the linker places right after the
 * first (input sections of one file are taken in their order): symbols,
 * relocations and the first section's contents are untouched. TMP2 is
 * renamed over FILE. Sections without contents (.bss) are not padded.
 * The objcopy is $OBJCOPY if set (Kbuild exports the tree's), else the
 * linker's target prefix ("powerpc64-linux-gnu-ld" ->
 * "powerpc64-linux-gnu-objcopy"), else the Debian cross objcopy for
 * FILE's machine (powerpc64le-linux-gnu-objcopy for a little-endian ppc64
 * object given to ld.lld), else objcopy. */
#ifndef KLINKWRAP_PAD_H
#define KLINKWRAP_PAD_H

#include <stddef.h>
#include <stdint.h>

struct kw_pad_section {
	char *name;
	uint64_t max;         /* the largest size seen */
};

struct kw_pad {
	char *file;
	char *linker;         /* the linker's name, for its target prefix */
	char *objcopy;        /* chosen at the first padding */
	struct kw_pad_section *v;
	size_t n;
};

void pad_init(struct kw_pad *pad, const char *file, const char *linker);
/* Record FILE's section sizes and pad those below their maximum. Returns
 * the number of sections padded, or -1 after a message. A missing FILE
 * before the first link (PASS 0) is no error. */
int pad_apply(struct kw_pad *pad, unsigned pass);
void pad_release(struct kw_pad *pad);

#endif
