/* libFuzzer harness over the symbol-set reader: any bytes either read as a
 * set (then hashing, listing, the mksysmap filters and a self-diff must
 * not crash) or are refused with a reason. Built by `make fuzz`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "klinkwrap/symdiff.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/sysmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* libelf may convert in place: give it a copy, never libFuzzer's
	 * const input. */
	void *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct kw_symset set;
	char *why = NULL;
	if (symset_open_memory(copy, size, &set, &why) == KW_SYMSET_OK) {
		struct kw_symhash h;
		int major, minor;
		symset_hash(&set, &h);
		for (size_t i = 0; i < set.count; i++) {
			struct kw_sym s;
			symset_get(&set, i, &s);
			sysmap_keep(KW_SYSMAP_6_12, s.letter, s.name);
			sysmap_keep(KW_SYSMAP_6_1, s.letter, s.name);
			/* Touch every byte of the names: they must be terminated. */
			volatile size_t len = strlen(s.name) + strlen(s.section);
			(void)len;
		}
		symset_kernel_version(&set, &major, &minor);
		struct kw_symdiff d;
		symdiff_compute(&set, &set, &d);
		if (d.n)        /* a set is the same as itself */
			abort();
		symdiff_release(&d);
		symset_close(&set);
	} else {
		if (!why || !*why)     /* every refusal says why */
			abort();
		free(why);
	}
	free(copy);
	return 0;
}
