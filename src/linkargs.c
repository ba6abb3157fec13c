/* Linker command-line analysis: output file, informational calls and
 * @response files. */
#include "klinkwrap/linkargs.h"

#include <ctype.h>
#include <errno.h>
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

/* Is A "--output" or an abbreviation GNU ld's getopt_long reads as it
 * ("--outp" and up: "--ou" and "--out" select --out-implib), optionally
 * followed by "=VALUE"?
 * Sets *value to the part after '=', or NULL. */
static bool is_output_option(const char *a, const char **value)
{
	static const char full[] = "--output";
	size_t len = strcspn(a, "=");
	if (len < 6 || len > sizeof(full) - 1 || strncmp(a, full, len))
		return false;
	*value = a[len] == '=' ? a + len + 1 : NULL;
	return true;
}

static bool is_informational(const char *a)
{
	return !strcmp(a, "--version") || !strcmp(a, "-v") || !strcmp(a, "-V") ||
	       !strcmp(a, "--help");
}

int linkargs_analyze(int argc, char *const argv[], struct kw_linkargs *out, char **why)
{
	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (expand(argc, argv, 0, &out->words, why))
		return -1;

	char **w = out->words.v;
	const char *value;
	for (size_t i = 0; i < out->words.n; i++) {
		const char *a = w[i];
		if (is_informational(a)) {
			out->informational = true;
		} else if (!strcmp(a, "-o") || (is_output_option(a, &value) && !value)) {
			/* A trailing -o names nothing; the linker will say so. */
			if (i + 1 < out->words.n)
				out->output = w[++i];
		} else if (is_output_option(a, &value)) {
			out->output = value;
		} else if (a[0] == '-' && a[1] == 'o' && a[2]) {
			/* -oF. GNU ld reads every -oXXX as "-o XXX": that is why its
			 * long options starting with 'o' need two dashes. */
			out->output = a + 2;
		}
	}
	return 0;
}

void linkargs_release(struct kw_linkargs *la)
{
	kw_strvec_clear(&la->words);
	la->output = NULL;
}
