/* Comparing link logs: the root of a log, alignment by root-relative
 * output and occurrence, the reasons in their order, and the
 * regeneration steps after the links. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klinkwrap/linklog.h"
#include "klinkwrap/logdiff.h"
#include "klinkwrap/util.h"

/* A log from records given as JSON text, one per argument. */
static void make_log(struct kw_linklog_file *f, const char *const recs[], size_t n)
{
	memset(f, 0, sizeof(*f));
	f->records = json_array();
	f->regens = json_array();
	f->all = json_array();
	for (size_t i = 0; i < n; i++) {
		json_error_t err;
		json_t *o = json_loads(recs[i], 0, &err);
		if (!o)
			fail_msg("bad test record %zu: %s", i, err.text);
		json_array_append(linklog_is_regen(o) ? f->regens : f->records, o);
		json_array_append_new(f->all, o);
	}
	f->lines = n;
}

#define REC(cwd, out, hash, inputs) \
	"{\"v\":1,\"start\":1,\"cwd\":\"" cwd "\",\"output\":\"" out "\",\"output_rel\":\"" out \
	"\",\"class\":\"serial\",\"exit\":0,\"argv_hash\":\"aa\",\"wall\":0.1,\"symhash\":\"" hash \
	"\",\"inputs_incomplete\":false,\"inputs\":[" inputs "]}"
#define REGEN(cwd, out, pass, cmd, exit) \
	"{\"v\":2,\"kind\":\"regen\",\"start\":1,\"cwd\":\"" cwd "\",\"output\":\"" out \
	"\",\"output_rel\":\"" out "\",\"fixpoint_pass\":" #pass ",\"command\":[\"sh\",\"-c\",\"" \
	cmd "\"],\"exit\":" #exit ",\"signal\":0,\"started\":true,\"wall\":0.1}"
#define IN(path, hash) "{\"path\":\"" path "\",\"size\":1,\"hash\":\"" hash "\"}"

static void check_root(const char *const recs[], size_t n, const char *want)
{
	struct kw_linklog_file f;
	make_log(&f, recs, n);
	char *root = logdiff_root(&f);
	assert_string_equal(root, want);
	free(root);
	linklog_file_release(&f);
}

static void test_root(void **state)
{
	(void)state;
	const char *a[] = { REC("/b/o", "x", "1", ""), REC("/b/o/arch/x86", "y", "1", "") };
	check_root(a, 2, "/b/o");
	const char *b[] = { REC("/b/o/c", "x", "1", ""), REC("/b/o/cd", "y", "1", "") };
	check_root(b, 2, "/b/o");  /* by components, not characters */
	const char *c[] = { REC("/a", "x", "1", ""), REC("/b", "y", "1", "") };
	check_root(c, 2, "/");
	check_root(NULL, 0, "/");
	const char *d[] = { REC("/b/o/", "x", "1", "") };
	check_root(d, 1, "/b/o");
}

static void test_align_and_reasons(void **state)
{
	(void)state;
	/* Two builds in other directories: the second link to vmlinux has a
	 * different input; app only in B; an output outside the root. */
	const char *a[] = {
		REC("/x/build", "vmlinux", "11", IN("init/main.o", "01")),
		REC("/x/build", "vmlinux", "22", IN("init/main.o", "01") "," IN("gen.o", "02")),
		REC("/x/build", "/tmp/probe123", "33", ""),
	};
	const char *b[] = {
		REC("/y/o", "vmlinux", "11", IN("init/main.o", "01")),
		REC("/y/o", "app", "44", ""),
		REC("/y/o", "vmlinux", "22", IN("init/main.o", "01") "," IN("gen.o", "03")),
		REC("/y/o", "/tmp/probe456", "33", ""),
	};
	struct kw_linklog_file fa, fb;
	make_log(&fa, a, 3);
	make_log(&fb, b, 4);
	struct kw_logdiff d;
	logdiff_compute(&fa, NULL, &fb, NULL, &d);
	assert_string_equal(d.root_a, "/x/build");
	assert_string_equal(d.root_b, "/y/o");
	assert_int_equal(d.aligned, 2);
	assert_int_equal(d.outside_a, 1);
	assert_int_equal(d.outside_b, 1);
	assert_int_equal(d.ndiffs, 2);
	assert_int_equal(d.first, 0);
	assert_string_equal(d.diffs[0].output, "vmlinux");
	assert_int_equal(d.diffs[0].occurrence, 2);
	assert_int_equal(d.diffs[0].reason, KW_LD_INPUTS);
	assert_int_equal(d.diffs[0].ninputs, 1);
	assert_string_equal(d.diffs[0].inputs[0].path, "gen.o");
	assert_false(d.diffs[0].only_version_inputs);
	assert_int_equal(d.diffs[1].reason, KW_LD_ONLY_B);
	char *s = logdiff_first_summary(&d);
	assert_non_null(strstr(s, "vmlinux: 1 input differ"));
	assert_non_null(strstr(s, "(gen.o)"));
	free(s);
	logdiff_release(&d);

	/* The same logs compared with themselves: no difference. */
	logdiff_compute(&fa, NULL, &fa, NULL, &d);
	assert_int_equal(d.ndiffs, 0);
	assert_null(logdiff_first_summary(&d));
	logdiff_release(&d);
	linklog_file_release(&fa);
	linklog_file_release(&fb);
}

static void test_nondeterministic_and_version(void **state)
{
	(void)state;
	const char *a[] = { REC("/a", "vmlinux", "11", IN("x.o", "01")),
			    REC("/a", "v2", "55", IN("init/version-timestamp.o", "07")) };
	const char *b[] = { REC("/b", "vmlinux", "12", IN("x.o", "01")),
			    REC("/b", "v2", "55", IN("init/version-timestamp.o", "08")) };
	struct kw_linklog_file fa, fb;
	make_log(&fa, a, 2);
	make_log(&fb, b, 2);
	struct kw_logdiff d;
	logdiff_compute(&fa, NULL, &fb, NULL, &d);
	assert_int_equal(d.ndiffs, 2);
	assert_int_equal(d.diffs[0].reason, KW_LD_NONDETERMINISTIC);
	assert_int_equal(d.diffs[1].reason, KW_LD_INPUTS);
	assert_true(d.diffs[1].only_version_inputs);
	logdiff_release(&d);
	linklog_file_release(&fa);
	linklog_file_release(&fb);
}

/* Regeneration steps align by output, pass and order, apart from the
 * links (which align as before), and come after them. */
static void test_regen_steps(void **state)
{
	(void)state;
	const char *a[] = {
		REC("/a", "app", "11", ""), REGEN("/a", "app", 2, "regen", 0),
		REC("/a", "app", "12", ""), REGEN("/a", "app", 3, "regen", 0),
		REC("/a", "app", "12", ""),
	};
	/* B: the link records the same (argv aside), the step of pass 3
	 * failed but the log goes on; a step of another output only here. */
	const char *b[] = {
		REC("/b", "app", "11", ""), REGEN("/b", "app", 2, "regen", 0),
		REC("/b", "app", "12", ""), REGEN("/b", "other", 2, "regen", 0),
		REGEN("/b", "app", 3, "regen", 3), REC("/b", "app", "12", ""),
	};
	struct kw_linklog_file fa, fb;
	make_log(&fa, a, 5);
	make_log(&fb, b, 6);
	struct kw_logdiff d;
	logdiff_compute(&fa, NULL, &fb, NULL, &d);
	assert_int_equal(d.links_a, 3);
	assert_int_equal(d.links_b, 3);
	assert_int_equal(d.aligned, 3);
	assert_int_equal(d.regens_a, 2);
	assert_int_equal(d.regens_b, 3);
	assert_int_equal(d.regens_aligned, 2);
	assert_int_equal(d.ndiffs, 2);
	assert_true(d.diffs[0].regen);
	assert_int_equal(d.diffs[0].reason, KW_LD_REGEN_STATUS);
	assert_int_equal(d.diffs[0].pass, 3);
	assert_string_equal(d.diffs[0].output, "app");
	assert_int_equal(d.diffs[1].reason, KW_LD_REGEN_ONLY_B);
	assert_string_equal(d.diffs[1].output, "other");
	assert_int_equal(d.first, 0);
	char *s = logdiff_first_summary(&d);
	assert_non_null(strstr(s, "pass 3 ended differently: exit 0 in A, exit 3 in B"));
	free(s);
	logdiff_release(&d);
	linklog_file_release(&fb);

	/* A link with another command and a step with another status: the
	 * status is told first; a link's own reason before both. */
	const char *c[] = {
		REC("/c", "app", "11", ""), REGEN("/c", "app", 2, "regen", 1),
	};
	make_log(&fb, c, 2);
	json_object_set_new(json_array_get(fb.records, 0), "argv_hash", json_string("bb"));
	logdiff_compute(&fa, NULL, &fb, NULL, &d);
	assert_int_equal(d.diffs[d.first].reason, KW_LD_ONLY_A);
	logdiff_release(&d);
	const char *a2[] = { REC("/a", "app", "11", ""), REGEN("/a", "app", 2, "regen", 0) };
	linklog_file_release(&fa);
	make_log(&fa, a2, 2);
	logdiff_compute(&fa, NULL, &fb, NULL, &d);
	assert_int_equal(d.ndiffs, 2);
	assert_int_equal(d.diffs[0].reason, KW_LD_ARGV);
	assert_int_equal(d.diffs[1].reason, KW_LD_REGEN_STATUS);
	assert_int_equal(d.first, 1);
	logdiff_release(&d);
	/* Only the command of a step differs: reported, last. */
	const char *c2[] = { REC("/c", "app", "11", ""), REGEN("/c", "app", 2, "other", 0) };
	linklog_file_release(&fb);
	make_log(&fb, c2, 2);
	logdiff_compute(&fa, NULL, &fb, NULL, &d);
	assert_int_equal(d.ndiffs, 1);
	assert_int_equal(d.diffs[0].reason, KW_LD_REGEN_COMMAND);
	logdiff_release(&d);
	linklog_file_release(&fa);
	linklog_file_release(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_align_and_reasons),
		cmocka_unit_test(test_nondeterministic_and_version),
		cmocka_unit_test(test_regen_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
