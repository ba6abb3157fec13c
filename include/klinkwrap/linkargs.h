/* What a linker command line asks for: its output file, whether it is an
 * informational call (--version, -v, --help), with @response files
 * expanded by GNU ld's (libiberty's) rules; and the argument grammar GNU
 * ld, gold, lld and mold share, which output detection and the input list
 * (inputs.h) both read, so that they never disagree about which word is
 * an option's argument. The argv itself is never changed: this is
 * analysis only. */
#ifndef KLINKWRAP_LINKARGS_H
#define KLINKWRAP_LINKARGS_H

#include <stdbool.h>
#include "klinkwrap/util.h"

struct kw_linkargs {
	/* argv with every readable @file replaced by its words, recursively. */
	struct kw_strvec words;
	/* The output file named by the last -o F, -oF, --output=F or
	 * --output F; NULL when there is none. */
	const char *output;
	/* --version, -v, -V, --help: the linker only reports something. */
	bool informational;
};

/* Analyse ARGV[0..ARGC) (the linker's arguments, without its name).
 * Returns 0, or -1 with *why (malloc'd) when the arguments cannot be read
 * (response files nested too deeply). */
int linkargs_analyze(int argc, char *const argv[], struct kw_linkargs *out, char **why);
void linkargs_release(struct kw_linkargs *la);

/* Split the text of a response file into words, as libiberty's buildargv
 * does: whitespace separates, '...' and "..." quote, backslash escapes the
 * next character everywhere. Appends to OUT. */
void linkargs_split_response(const char *text, struct kw_strvec *out);

/* What an option means for the files of a link. Options that name no
 * file and change nothing about finding one are KW_OPT_OTHER. */
enum kw_linkopt_role {
	KW_OPT_OTHER,
	KW_OPT_OUTPUT,        /* -o FILE, --output FILE */
	KW_OPT_INFO,          /* --version, -v, -V, --help */
	KW_OPT_LIBRARY,       /* -l NAME, -l :FILE, --library NAME */
	KW_OPT_LIBDIR,        /* -L DIR, --library-path DIR */
	KW_OPT_SCRIPT,        /* -T FILE, --script, -dT, --default-script */
	KW_OPT_AUX_SCRIPT,    /* read by the linker besides its inputs:
	                       * --version-script, --dynamic-list, ... */
	KW_OPT_JUST_SYMBOLS,  /* --just-symbols FILE; -R FILE (-R DIR is an rpath) */
	KW_OPT_STATIC,        /* -Bstatic, -static, -dn, -non_shared */
	KW_OPT_DYNAMIC,       /* -Bdynamic, -dy, -call_shared */
	KW_OPT_PUSH_STATE,    /* --push-state: saves -Bstatic/-Bdynamic */
	KW_OPT_POP_STATE,     /* --pop-state */
	KW_OPT_GROUP_START,   /* --start-group, -( */
	KW_OPT_GROUP_END,     /* --end-group, -) */
	KW_OPT_WHOLE_ARCHIVE, /* --whole-archive */
	KW_OPT_NO_WHOLE_ARCHIVE,
	KW_OPT_FORMAT,        /* -b FORMAT, --format: "binary" makes inputs raw data */
	KW_OPT_SYSROOT,       /* --sysroot=DIR */
	KW_OPT_EMULATION,     /* -m EMULATION */
	KW_OPT_NOSTDLIB,      /* -nostdlib: only -L directories are searched */
	KW_OPT_UNMODELLED,    /* understood as an option, but it changes which
	                       * files the link reads in a way the input list
	                       * does not model (-c MRI script, -Y, mold -C) */
};

enum kw_linkword_kind {
	KW_WORD_INPUT,    /* not an option: a file the linker will open */
	KW_WORD_OPTION,   /* an option of the grammar, with its argument */
	KW_WORD_UNKNOWN,  /* starts with '-' but is no option of the grammar */
};

struct kw_linkword {
	enum kw_linkword_kind kind;
	enum kw_linkopt_role role;  /* KW_WORD_OPTION only */
	const char *name;   /* the option as the grammar spells it ("L",
	                     * "library-path", "Map"), or NULL */
	const char *value;  /* its argument (points into the words), or NULL */
	size_t nwords;      /* words used: 1, or 2 when the argument follows */
	bool missing_value; /* it takes an argument and none follows */
};

/* Read WORDS[I] (I < N) and, for an option with a separate argument,
 * WORDS[I+1]. Rules, as GNU ld's getopt_long_only and lld read them:
 * "--name", "--name=VALUE", "--name VALUE" and the same with one dash;
 * every word "-oX" is "-o X" (so GNU ld's long options starting with 'o'
 * need two dashes); the abbreviations "--outp", "--outpu" of --output;
 * short options with the argument joined ("-Lx", "-lc") or separate.
 * Other abbreviations and bundled short flags are KW_WORD_UNKNOWN: a
 * reader of the result must not trust what it cannot parse. */
void linkargs_word(char *const words[], size_t n, size_t i, struct kw_linkword *out);

#endif
