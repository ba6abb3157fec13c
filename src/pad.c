/* Padding a regenerated object back to its largest section sizes (the
 * method is in pad.h). */
#include "klinkwrap/pad.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <fcntl.h>
#include <elf.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void pad_init(struct kw_pad *pad, const char *file, const char *linker)
{
	memset(pad, 0, sizeof(*pad));
	pad->file = kw_strdup(file);
	pad->linker = kw_strdup(linker ? linker : "ld");
}

void pad_release(struct kw_pad *pad)
{
	for (size_t i = 0; i < pad->n; i++)
		free(pad->v[i].name);
	free(pad->v);
	free(pad->file);
	free(pad->linker);
	free(pad->objcopy);
	memset(pad, 0, sizeof(*pad));
}

struct found {
	char *name;
	uint64_t size;
	uint64_t flags;
};

static uint64_t get(const unsigned char *p, size_t n, bool big)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

/* The whole of PATH (an object: small), or NULL with errno. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, got;
	unsigned char *buf = kw_malloc(cap);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = kw_realloc(buf, cap *= 2);
	}
	int err = ferror(f) ? EIO : 0;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	*len = n;
	return buf;
}

/* The allocated sections with contents of FILE (names unique: a name seen
 * twice is marked, since its padding would be ambiguous), read from its
 * section headers (ELF32 or ELF64, either byte order; no libelf, which
 * klinkwrap does not link). Returns 0, -ENOENT and the like, or -EINVAL
 * for a file that is not a well-formed ELF object. */
static int read_sections(const char *file, struct found **out, size_t *n, unsigned *machine,
			 bool *big_endian)
{
	*out = NULL;
	*n = 0;
	size_t len;
	unsigned char *b = slurp(file, &len);
	if (!b)
		return -errno;
	int rc = -EINVAL;
	if (len < EI_NIDENT || memcmp(b, ELFMAG, SELFMAG))
		goto done;
	bool is64 = b[EI_CLASS] == ELFCLASS64, big = b[EI_DATA] == ELFDATA2MSB;
	if ((!is64 && b[EI_CLASS] != ELFCLASS32) || (!big && b[EI_DATA] != ELFDATA2LSB))
		goto done;
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (len < ehsize)
		goto done;
#define EH(field) (is64 ? get(b + offsetof(Elf64_Ehdr, field), sizeof(((Elf64_Ehdr *)0)->field), big) \
		       : get(b + offsetof(Elf32_Ehdr, field), sizeof(((Elf32_Ehdr *)0)->field), big))
	uint64_t shoff = EH(e_shoff), shentsize = EH(e_shentsize), shnum = EH(e_shnum),
		 shstrndx = EH(e_shstrndx);
	*machine = (unsigned)EH(e_machine);
#undef EH
	*big_endian = big;
	size_t want = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (!shoff || shentsize < want || shoff > len)
		goto done;
#define SH(i, field) (is64 ? get(b + shoff + (i) * shentsize + offsetof(Elf64_Shdr, field), \
				 sizeof(((Elf64_Shdr *)0)->field), big)                        \
			   : get(b + shoff + (i) * shentsize + offsetof(Elf32_Shdr, field), \
				 sizeof(((Elf32_Shdr *)0)->field), big))
	if (shnum == 0 && (len - shoff) >= shentsize)
		shnum = SH(0, sh_size);         /* SHN_LORESERVE or more sections */
	if (shstrndx == SHN_XINDEX && (len - shoff) >= shentsize)
		shstrndx = SH(0, sh_link);
	if (shnum > (len - shoff) / shentsize || shstrndx >= shnum)
		goto done;
	uint64_t stroff = SH(shstrndx, sh_offset), strsize = SH(shstrndx, sh_size);
	if (stroff > len || strsize > len - stroff)
		goto done;
	const char *strtab = (const char *)b + stroff;
	size_t alloc = 0;
	for (uint64_t i = 1; i < shnum; i++) {
		uint64_t name = SH(i, sh_name);
		if (SH(i, sh_type) != SHT_PROGBITS || !(SH(i, sh_flags) & SHF_ALLOC))
			continue;
		if (name >= strsize || !memchr(strtab + name, '\0', strsize - name))
			goto done;
		const char *nm = strtab + name;
		if (!*nm)
			continue;
		bool dup = false;
		for (size_t j = 0; j < *n; j++) {
			if (!strcmp((*out)[j].name, nm)) {
				(*out)[j].size = UINT64_MAX; /* marked: ambiguous */
				dup = true;
			}
		}
		if (dup)
			continue;
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			*out = kw_realloc(*out, alloc * sizeof(**out));
		}
		(*out)[(*n)++] = (struct found){ kw_strdup(nm), SH(i, sh_size), SH(i, sh_flags) };
	}
#undef SH
	rc = 0;
done:
	free(b);
	if (rc) {
		for (size_t j = 0; j < *n; j++)
			free((*out)[j].name);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static const char *cross_prefix(unsigned machine, bool big_endian)
{
	switch (machine) {
	case EM_PPC64:
		return big_endian ? "powerpc64-linux-gnu-" : "powerpc64le-linux-gnu-";
	case EM_PPC:
		return "powerpc-linux-gnu-";
	case EM_AARCH64:
		return "aarch64-linux-gnu-";
	case EM_ARM:
		return "arm-linux-gnueabihf-";
	case EM_RISCV:
		return "riscv64-linux-gnu-";
	default:
		return "";
	}
}

/* Is NAME a program on PATH? */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");
		char *cand = kw_asprintf("%.*s/%s", (int)len, p, name);
		bool ok = access(cand, X_OK) == 0;
		free(cand);
		if (ok)
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

static char *choose_objcopy(const char *linker, unsigned machine, bool big_endian)
{
	const char *env = getenv("OBJCOPY");
	if (env && *env)
		return kw_strdup(env);
	const char *base = kw_basename(linker);
	const char *dash = strrchr(base, '-');
	if (dash && !strncmp(dash + 1, "ld", 2)) {
		char *c = kw_asprintf("%.*sobjcopy", (int)(dash + 1 - base), base);
		if (on_path(c))
			return c;
		free(c);
	}
	const char *prefix = cross_prefix(machine, big_endian);
	char *c = kw_asprintf("%sobjcopy", prefix);
	if (*prefix && !on_path(c)) {
		free(c);
		c = kw_strdup(on_path("llvm-objcopy") ? "llvm-objcopy" : "objcopy");
	}
	return c;
}

static int run(char *const argv[])
{
	struct kw_child child = KW_CHILD_INIT;
	child.argv = argv;
	int rc = exec_run(&child);
	if (rc)
		return -1;
	if (!WIFEXITED(child.status) || WEXITSTATUS(child.status)) {
		kw_error("pad: %s failed (status %d)", argv[0], exec_exit_code(child.status));
		return -1;
	}
	return 0;
}

/* Write LEN zero bytes to PATH. */
static int write_zeros(const char *path, uint64_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)len) || close(fd)) {
		kw_error("pad: %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

static char *section_flags(uint64_t flags)
{
	return kw_asprintf("alloc,contents,load%s%s", flags & SHF_WRITE ? "" : ",readonly",
			   flags & SHF_EXECINSTR ? ",code" : ",data");
}

int pad_apply(struct kw_pad *pad, unsigned pass)
{
	struct found *f;
	size_t n;
	unsigned machine = 0;
	bool big = false;
	int err = read_sections(pad->file, &f, &n, &machine, &big);
	if (err) {
		if (pass == 0 && err == -ENOENT)
			return 0;
		kw_error("pad: %s: %s", pad->file,
			 err == -EINVAL ? "not an ELF object" : strerror(-err));
		return -1;
	}
	struct kw_strvec add = { 0 }, renames = { 0 }, tmpfiles = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (f[i].size == UINT64_MAX)
			continue;
		struct kw_pad_section *s = NULL;
		for (size_t j = 0; j < pad->n; j++)
			if (!strcmp(pad->v[j].name, f[i].name))
				s = &pad->v[j];
		if (!s) {
			pad->v = kw_realloc(pad->v, (pad->n + 1) * sizeof(*pad->v));
			s = &pad->v[pad->n++];
			s->name = kw_strdup(f[i].name);
			s->max = 0;
		}
		if (f[i].size >= s->max) {
			s->max = f[i].size;
			continue;
		}
		size_t k = tmpfiles.n;
		char *zeros = kw_asprintf("%s.klinkwrap-pad.%zu", pad->file, k);
		if (write_zeros(zeros, s->max - f[i].size)) {
			free(zeros);
			err = -1;
			break;
		}
		char *flags = section_flags(f[i].flags);
		kw_strvec_push_owned(&add, kw_asprintf("--add-section"));
		kw_strvec_push_owned(&add, kw_asprintf(".klinkwrap.pad.%zu=%s", k, zeros));
		kw_strvec_push_owned(&add, kw_asprintf("--set-section-flags"));
		kw_strvec_push_owned(&add, kw_asprintf(".klinkwrap.pad.%zu=%s", k, flags));
		kw_strvec_push_owned(&add, kw_asprintf("--set-section-alignment"));
		kw_strvec_push_owned(&add, kw_asprintf(".klinkwrap.pad.%zu=1", k));
		kw_strvec_push_owned(&renames, kw_asprintf("--rename-section"));
		kw_strvec_push_owned(&renames, kw_asprintf(".klinkwrap.pad.%zu=%s", k, f[i].name));
		kw_strvec_push_owned(&tmpfiles, zeros);
		free(flags);
	}
	int padded = (int)tmpfiles.n;
	if (!err && padded) {
		if (!pad->objcopy)
			pad->objcopy = choose_objcopy(pad->linker, machine, big);
		char *tmp1 = kw_asprintf("%s.klinkwrap-pad.tmp1", pad->file);
		char *tmp2 = kw_asprintf("%s.klinkwrap-pad.tmp2", pad->file);
		struct kw_strvec argv = { 0 };
		kw_strvec_push(&argv, pad->objcopy);
		for (size_t i = 0; i < add.n; i++)
			kw_strvec_push(&argv, add.v[i]);
		kw_strvec_push(&argv, pad->file);
		kw_strvec_push(&argv, tmp1);
		err = run(argv.v);
		kw_strvec_clear(&argv);
		if (!err) {
			kw_strvec_push(&argv, pad->objcopy);
			for (size_t i = 0; i < renames.n; i++)
				kw_strvec_push(&argv, renames.v[i]);
			kw_strvec_push(&argv, tmp1);
			kw_strvec_push(&argv, tmp2);
			err = run(argv.v);
			kw_strvec_clear(&argv);
		}
		if (!err && rename(tmp2, pad->file)) {
			kw_error("pad: %s: %s", pad->file, strerror(errno));
			err = -1;
		}
		unlink(tmp1);
		unlink(tmp2);
		free(tmp1);
		free(tmp2);
	}
	for (size_t i = 0; i < tmpfiles.n; i++)
		unlink(tmpfiles.v[i]);
	kw_strvec_clear(&add);
	kw_strvec_clear(&renames);
	kw_strvec_clear(&tmpfiles);
	for (size_t i = 0; i < n; i++)
		free(f[i].name);
	free(f);
	return err ? -1 : padded;
}
