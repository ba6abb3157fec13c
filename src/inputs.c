/* The input files of a link. (Placeholder: the argument grammar lands
 * with the inputs work; until then every list is empty and incomplete.) */
#include "klinkwrap/inputs.h"
#include "klinkwrap/util.h"

#include <stdlib.h>
#include <string.h>

void inputs_list(char *const words[], size_t n, const char *linker_path,
		 enum kw_linker_kind kind, struct kw_inputs *out)
{
	(void)words; (void)n; (void)linker_path; (void)kind;
	memset(out, 0, sizeof(*out));
	out->incomplete = true;
	out->why = kw_strdup("input listing not built yet");
}

void inputs_release(struct kw_inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->v[i].path);
	free(in->v);
	free(in->why);
	memset(in, 0, sizeof(*in));
}

const char *inputs_kind_name(enum kw_input_kind kind)
{
	switch (kind) {
	case KW_INPUT_OBJECT: return "object";
	case KW_INPUT_ARCHIVE: return "archive";
	case KW_INPUT_MEMBER: return "member";
	case KW_INPUT_SHARED: return "shared";
	case KW_INPUT_SCRIPT: return "script";
	}
	return "?";
}
