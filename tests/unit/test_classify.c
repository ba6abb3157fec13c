/* Serial/plain classification, the serial lock, and linker recognition
 * for thread provisioning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "klinkwrap/classify.h"
#include "klinkwrap/threads.h"

#define DEFAULT_SERIAL "vmlinux,vmlinux.unstripped,.tmp_vmlinux*"

static void test_classes(void **state)
{
	(void)state;
	static const char *const serial[] = {
		"vmlinux", "./vmlinux", "/build/o/vmlinux", "vmlinux.unstripped",
		".tmp_vmlinux.kallsyms1", ".tmp_vmlinux2", "out/.tmp_vmlinux1",
	};
	static const char *const plain[] = {
		"vmlinux.o", "arch/x86/boot/compressed/vmlinux.bin", "vmlinux/x", "a.out",
		"tmp_vmlinux1", "xvmlinux", "vdso.so",
	};
	for (size_t i = 0; i < sizeof(serial) / sizeof(*serial); i++)
		assert_int_equal(classify_output(serial[i], DEFAULT_SERIAL), KW_CLASS_SERIAL);
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		assert_int_equal(classify_output(plain[i], DEFAULT_SERIAL), KW_CLASS_PLAIN);
	/* vmlinux.o is "vmlinux" in a directory name only. */
	assert_int_equal(classify_output("vmlinux.o", "*.o"), KW_CLASS_SERIAL);
	assert_int_equal(classify_output("app", ",,app,"), KW_CLASS_SERIAL);
	assert_int_equal(classify_output("app", ""), KW_CLASS_PLAIN);
	assert_string_equal(classify_name(KW_CLASS_SERIAL), "serial");
	assert_string_equal(classify_name(KW_CLASS_PLAIN), "plain");
}

static void test_lock(void **state)
{
	(void)state;
	char dir[] = "/tmp/kwclXXXXXX";
	assert_non_null(mkdtemp(dir));
	char out[64], lock[96];
	snprintf(out, sizeof(out), "%s/vmlinux", dir);
	snprintf(lock, sizeof(lock), "%s/" KW_SERIAL_LOCK, dir);
	double waited = -1;
	int fd = classify_lock(out, &waited);
	assert_true(fd >= 0);
	assert_true(waited >= 0 && waited < 5);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Another description cannot take it while we hold it. */
	int other = open(lock, O_RDWR);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	classify_unlock(fd);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
	unlink(lock);

	/* A directory we cannot use: warned, unlocked, no failure. */
	assert_int_equal(classify_lock("/nonexistent-dir/vmlinux", &waited), -1);
	rmdir(dir);
}

/* Can another process take the lock file at PATH now? */
static bool lock_free(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_RDWR);
		_exit(fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB) ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The lock again in the same process (check, regenerate, relink): at
 * once, not a wait for itself, and held until the last unlock. Another
 * name of the same directory counts as the same lock. */
static void test_lock_reentrant(void **state)
{
	(void)state;
	char dir[] = "/tmp/kwclXXXXXX";
	assert_non_null(mkdtemp(dir));
	char out[64], other[96], lock[96];
	snprintf(out, sizeof(out), "%s/vmlinux", dir);
	snprintf(other, sizeof(other), "%s/./.tmp_vmlinux1", dir);
	snprintf(lock, sizeof(lock), "%s/" KW_SERIAL_LOCK, dir);
	double waited;
	int outer = classify_lock(out, &waited);
	assert_true(outer >= 0);
	assert_false(lock_free(lock));
	for (int i = 0; i < 3; i++) {
		int inner = classify_lock(other, &waited); /* would block forever before */
		assert_true(inner >= 0);
		assert_true(waited == 0);
		classify_unlock(inner);
		assert_false(lock_free(lock));
	}
	classify_unlock(outer);
	assert_true(lock_free(lock));
	unlink(lock);
	rmdir(dir);
}

/* A lock file that is a symbolic link is not followed (its target is
 * neither created nor locked); a fifo or a directory is refused without
 * hanging. Each: a warning, and the link runs unlocked. */
static void test_lock_not_regular(void **state)
{
	(void)state;
	char dir[] = "/tmp/kwclXXXXXX";
	assert_non_null(mkdtemp(dir));
	char out[64], lock[96], target[96];
	snprintf(out, sizeof(out), "%s/vmlinux", dir);
	snprintf(lock, sizeof(lock), "%s/" KW_SERIAL_LOCK, dir);
	snprintf(target, sizeof(target), "%s/victim", dir);
	double waited;

	assert_int_equal(symlink(target, lock), 0);
	assert_int_equal(classify_lock(out, &waited), -1);
	assert_int_equal(access(target, F_OK), -1);
	unlink(lock);

	assert_int_equal(mkfifo(lock, 0600), 0);
	assert_int_equal(classify_lock(out, &waited), -1);
	unlink(lock);

	assert_int_equal(mkdir(lock, 0700), 0);
	assert_int_equal(classify_lock(out, &waited), -1);
	rmdir(lock);
	rmdir(dir);
}

static void test_linker_kinds(void **state)
{
	(void)state;
	static const struct { const char *name; enum kw_linker_kind kind; } names[] = {
		{ "/usr/bin/ld.lld", KW_LINKER_LLD }, { "/usr/lib/llvm-14/bin/lld", KW_LINKER_LLD },
		{ "lld-14", KW_LINKER_LLD }, { "ld.lld-17", KW_LINKER_LLD },
		{ "mold", KW_LINKER_MOLD }, { "ld.mold", KW_LINKER_MOLD },
		{ "x86_64-linux-gnu-ld.gold", KW_LINKER_GOLD }, { "gold", KW_LINKER_GOLD },
		{ "ld.bfd", KW_LINKER_BFD }, { "ld", KW_LINKER_BFD },
		{ "powerpc64-linux-gnu-ld", KW_LINKER_BFD }, { "cc", KW_LINKER_OTHER },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		assert_int_equal(threads_linker_kind(names[i].name, names[i].name), names[i].kind);
	/* lld's other flavours take no --threads=N. */
	assert_int_equal(threads_linker_kind("/nonexistent/lld", "lld-link"), KW_LINKER_OTHER);
	assert_int_equal(threads_linker_kind("/nonexistent/lld", "wasm-ld"), KW_LINKER_OTHER);
	/* The resolved file decides: a symlink named ld that points to mold. */
	char dir[] = "/tmp/kwthXXXXXX", link[64];
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/ld", dir);
	assert_int_equal(symlink("/usr/bin/mold", link), 0);
	if (access("/usr/bin/mold", F_OK) == 0)
		assert_int_equal(threads_linker_kind(link, "ld"), KW_LINKER_MOLD);
	unlink(link);
	rmdir(dir);
	assert_true(threads_supported(KW_LINKER_LLD));
	assert_false(threads_supported(KW_LINKER_BFD));
	assert_string_equal(threads_linker_name(KW_LINKER_GOLD), "gold");
}

static void test_user_threads(void **state)
{
	(void)state;
	char *set[][2] = {
		{ "-o", "--threads=3" }, { "--threads", "x" }, { "-threads=2", "x" },
		{ "--no-threads", "x" }, { "--thread-count", "4" }, { "--thread-count=4", "x" },
		{ "-thread-count=4", "x" }, { "--thread-count-final=2", "x" },
	};
	for (size_t i = 0; i < sizeof(set) / sizeof(*set); i++)
		assert_true(threads_user_set(set[i], 2));
	char *unset[] = { "-o", "out", "-t", "--trace", "-threadsafe-x", "--hash-style=gnu" };
	assert_false(threads_user_set(unset, sizeof(unset) / sizeof(*unset)));
}

/* Driver-mode words stay first: lld -flavor gnu takes the options after
 * its value, other flavours and mold -run take none. */
static void test_insert_at(void **state)
{
	(void)state;
	char *plain[] = { "ld.lld", "-o", "x", NULL };
	char *gnu[] = { "lld", "-flavor", "gnu", "-o", "x", NULL };
	char *gnu2[] = { "lld", "--flavor", "gnu", "-o", "x", NULL };
	char *coff[] = { "lld", "-flavor", "link", "/out:x", NULL };
	char *bare[] = { "lld", "-flavor", NULL };
	char *run[] = { "mold", "-run", "cc", "-o", "x", "m.c", NULL };
	char *run2[] = { "mold", "--run", "make", NULL };
	char *alone[] = { "ld.lld", NULL };
	assert_int_equal(threads_insert_at(KW_LINKER_LLD, plain), 1);
	assert_int_equal(threads_insert_at(KW_LINKER_LLD, gnu), 3);
	assert_int_equal(threads_insert_at(KW_LINKER_LLD, gnu2), 3);
	assert_int_equal(threads_insert_at(KW_LINKER_LLD, coff), 0);
	assert_int_equal(threads_insert_at(KW_LINKER_LLD, bare), 0);
	assert_int_equal(threads_insert_at(KW_LINKER_MOLD, run), 0);
	assert_int_equal(threads_insert_at(KW_LINKER_MOLD, run2), 0);
	assert_int_equal(threads_insert_at(KW_LINKER_MOLD, plain), 1);
	assert_int_equal(threads_insert_at(KW_LINKER_LLD, alone), 1);
	/* Only the linker's own mode words count. */
	assert_int_equal(threads_insert_at(KW_LINKER_GOLD, run), 1);
	assert_int_equal(threads_insert_at(KW_LINKER_MOLD, gnu), 1);
}

static void test_thread_args(void **state)
{
	(void)state;
	struct kw_strvec v = { 0 };
	threads_push_args(KW_LINKER_LLD, 3, &v);
	threads_push_args(KW_LINKER_MOLD, 2, &v);
	threads_push_args(KW_LINKER_GOLD, 4, &v);
	threads_push_args(KW_LINKER_BFD, 9, &v);
	assert_int_equal(v.n, 4);
	assert_string_equal(v.v[0], "--threads=3");
	assert_string_equal(v.v[1], "--thread-count=2");
	assert_string_equal(v.v[2], "--threads");
	assert_string_equal(v.v[3], "--thread-count=4");
	kw_strvec_clear(&v);
	assert_true(threads_cpus() >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_lock_reentrant),
		cmocka_unit_test(test_lock_not_regular),
		cmocka_unit_test(test_linker_kinds),
		cmocka_unit_test(test_user_threads),
		cmocka_unit_test(test_thread_args),
		cmocka_unit_test(test_insert_at),
	};
	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
