/* The fixed-point loop driven by scripted passes (no linker): when it
 * stops, what it says about cycles, and the maps it compares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "klinkwrap/converge.h"
#include "klinkwrap/symmap.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A scripted run: link J yields map text script[J] (NULL: the link fails
 * with status 7); regeneration after pass P fails when P == fail_regen. */
struct script {
	const char *const *maps;
	size_t n;
	unsigned links, regens;
	unsigned fail_regen;
	char dir[64];
};

static int read_text(const char *text, const char *dir, struct kw_symmap *m)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/map", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	char *why = NULL;
	int rc = symmap_read(path, m, &why);
	if (rc)
		fprintf(stderr, "%s\n", why);
	free(why);
	unlink(path);
	return rc;
}

static int fake_link(void *ctx, unsigned pass, struct kw_symmap *map)
{
	struct script *s = ctx;
	(void)pass;
	assert_true(s->links < s->n);
	const char *text = s->maps[s->links++];
	if (!text)
		return 7;
	assert_int_equal(read_text(text, s->dir, map), 0);
	return 0;
}

static int fake_regen(void *ctx, unsigned pass)
{
	struct script *s = ctx;
	s->regens++;
	return pass == s->fail_regen ? 125 : 0;
}

#define A "0000000000001000 T start\n0000000000002000 T end\n"
#define B "0000000000001000 T start\n0000000000002040 T end\n0000000000001800 t 00000018.plt_branch.far\n"
#define C "0000000000001000 T start\n0000000000002080 T end\n"

static void run_script(const char *const *maps, size_t n, unsigned max, bool padding,
		       struct script *s, struct kw_converge_result *res)
{
	memset(s, 0, sizeof(*s));
	s->maps = maps;
	s->n = n;
	strcpy(s->dir, "/tmp/test_converge.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	struct kw_converge_opts opts = { .max_links = max, .first_pass = 1, .padding = padding };
	struct kw_converge_steps steps = { s, fake_link, fake_regen };
	converge_run(&opts, &steps, res);
	rmdir(s->dir);
}

static void test_converges_on_two_equal(void **state)
{
	(void)state;
	const char *const maps[] = { A, B, C, C };
	struct script s;
	struct kw_converge_result res;
	run_script(maps, 4, 8, false, &s, &res);
	assert_int_equal(res.outcome, KW_CONVERGED);
	assert_int_equal(res.links, 4);
	assert_int_equal(s.regens, 3);
	assert_int_equal(converge_exit_status(&res), 0);
	assert_int_equal(res.npasses, 4);
	assert_int_equal(res.passes[1].stubs, 1);
	assert_int_equal(res.passes[3].number, 4);
	converge_result_release(&res);
}

static void test_out_of_passes(void **state)
{
	(void)state;
	const char *const maps[] = { A, B, C, C };
	struct script s;
	struct kw_converge_result res;
	run_script(maps, 4, 3, false, &s, &res);
	assert_int_equal(res.outcome, KW_CONVERGE_EXHAUSTED);
	assert_int_equal(res.links, 3);
	assert_int_equal(s.regens, 2); /* none after the last link */
	assert_int_equal(converge_exit_status(&res), 124);
	assert_true(res.have_prev);
	assert_int_equal(res.cycle_to, 0);
	converge_result_release(&res);
}

static void test_cycle_period_two(void **state)
{
	(void)state;
	const char *const maps[] = { A, B, A, B, A, B };
	struct script s;
	struct kw_converge_result res;
	run_script(maps, 6, 8, false, &s, &res);
	assert_int_equal(res.outcome, KW_CONVERGE_CYCLE);
	assert_int_equal(res.links, 3); /* stops at once */
	assert_int_equal(res.cycle_from, 1);
	assert_int_equal(res.cycle_to, 3);
	assert_int_equal(converge_exit_status(&res), 124);
	converge_result_release(&res);
	/* Padding lets it go on (the caller pads); the cycle is still named. */
	run_script(maps, 6, 5, true, &s, &res);
	assert_int_equal(res.outcome, KW_CONVERGE_EXHAUSTED);
	assert_int_equal(res.links, 5);
	assert_int_equal(res.cycle_to, 3);
	converge_result_release(&res);
}

static void test_period_three(void **state)
{
	(void)state;
	const char *const maps[] = { A, B, C, A };
	struct script s;
	struct kw_converge_result res;
	run_script(maps, 4, 8, false, &s, &res);
	assert_int_equal(res.outcome, KW_CONVERGE_CYCLE);
	assert_int_equal(res.cycle_to - res.cycle_from, 3);
	converge_result_release(&res);
}

static void test_failures(void **state)
{
	(void)state;
	const char *const maps[] = { A, NULL };
	struct script s;
	struct kw_converge_result res;
	run_script(maps, 2, 8, false, &s, &res);
	assert_int_equal(res.outcome, KW_CONVERGE_FAILED);
	assert_false(res.failed_in_regen);
	assert_int_equal(converge_exit_status(&res), 7);
	converge_result_release(&res);

	const char *const maps2[] = { A, B, C };
	memset(&s, 0, sizeof(s));
	s.maps = maps2;
	s.n = 3;
	s.fail_regen = 2;
	strcpy(s.dir, "/tmp/test_converge.XXXXXX");
	assert_non_null(mkdtemp(s.dir));
	struct kw_converge_opts opts = { .max_links = 8, .first_pass = 1 };
	struct kw_converge_steps steps = { &s, fake_link, fake_regen };
	converge_run(&opts, &steps, &res);
	rmdir(s.dir);
	assert_int_equal(res.outcome, KW_CONVERGE_FAILED);
	assert_true(res.failed_in_regen);
	assert_int_equal(res.links, 2);
	assert_int_equal(converge_exit_status(&res), 125);
	converge_result_release(&res);
}

/* Kbuild mode: the set before the first link (the last pass's .syms)
 * counts, so an equal first link is converged at once. */
static void test_before(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_converge.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct kw_symmap before;
	assert_int_equal(read_text(C, dir, &before), 0);
	rmdir(dir);
	const char *const maps[] = { C };
	struct script s;
	memset(&s, 0, sizeof(s));
	s.maps = maps;
	s.n = 1;
	strcpy(s.dir, "/tmp/test_converge.XXXXXX");
	assert_non_null(mkdtemp(s.dir));
	struct kw_converge_opts opts = { .max_links = 3, .first_pass = 4, .before = &before };
	struct kw_converge_steps steps = { &s, fake_link, fake_regen };
	struct kw_converge_result res;
	converge_run(&opts, &steps, &res);
	rmdir(s.dir);
	assert_int_equal(res.outcome, KW_CONVERGED);
	assert_int_equal(res.links, 1);
	assert_int_equal(s.regens, 0);
	assert_int_equal(res.passes[0].number, 3);
	assert_int_equal(res.passes[1].number, 4);
	converge_result_release(&res);
	symmap_release(&before);
}

static void test_symmap_text(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_converge.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct kw_symmap m;
	const char *text = "c1000000 T _text\nc1000010 t 00000018.plt_branch.far\n         U undef\n";
	assert_int_equal(read_text(text, dir, &m), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.addr_width, 8);
	assert_int_equal(symmap_stub_count(&m), 1);
	assert_true(m.v[2].undefined);
	size_t len;
	char *back = symmap_text(&m, &len);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(back, text, len);
	free(back);
	struct kw_symmap copy;
	symmap_copy(&m, &copy);
	assert_true(symmap_equal(&m, &copy));
	symmap_release(&copy);
	symmap_release(&m);

	/* Not a map: the first bad line is named. */
	char path[128];
	snprintf(path, sizeof(path), "%s/bad", dir);
	FILE *f = fopen(path, "w");
	fputs("c1000000 T ok\nc100 T short_address\n", f);
	fclose(f);
	char *why = NULL;
	assert_int_equal(symmap_read(path, &m, &why), -1);
	assert_non_null(strstr(why, "line 2:"));
	free(why);
	f = fopen(path, "w");
	fputs("c1000000 T two words\n", f);
	fclose(f);
	assert_int_equal(symmap_read(path, &m, &why), -1);
	assert_non_null(strstr(why, "line 1:"));
	free(why);
	unlink(path);
	rmdir(dir);
}

static void test_change_summary(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_converge.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct kw_symmap a, b;
	assert_int_equal(read_text(A, dir, &a), 0);
	assert_int_equal(read_text(B, dir, &b), 0);
	char *s = converge_change_summary(&a, &b);
	assert_non_null(strstr(s, "1 linker stub added"));
	assert_non_null(strstr(s, "+00000018.plt_branch.far"));
	assert_non_null(strstr(s, "1 moved"));
	free(s);
	symmap_release(&a);
	symmap_release(&b);
	/* Only kallsyms_* moved: the oscillation signature. */
	assert_int_equal(read_text("0000000000001000 R kallsyms_names\n", dir, &a), 0);
	assert_int_equal(read_text("0000000000001010 R kallsyms_names\n", dir, &b), 0);
	s = converge_change_summary(&a, &b);
	assert_non_null(strstr(s, "oscillation signature"));
	free(s);
	symmap_release(&a);
	symmap_release(&b);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_converges_on_two_equal),
		cmocka_unit_test(test_out_of_passes),
		cmocka_unit_test(test_cycle_period_two),
		cmocka_unit_test(test_period_three),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_before),
		cmocka_unit_test(test_symmap_text),
		cmocka_unit_test(test_change_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
