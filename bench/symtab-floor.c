/* The floor for symhash: read .symtab and its .strtab as klinkwrap does
 * (pread after the ELF header and the section header table: .symtab 120
 * KiB at a time into one buffer, .strtab whole, since names must outlive
 * the read) and do nothing else but touch every cache line. Prints a
 * checksum so that the reads are not optimised away. ELF64 in host byte
 * order only (the bench's files). Built and run by bench/bench-symhash.sh. */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *readat(int fd, off_t off, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);
	size_t done = 0;
	while (b && done < len) {
		ssize_t n = pread(fd, b + done, len - done, off + (off_t)done);
		if (n <= 0)
			exit(2);
		done += (size_t)n;
	}
	if (!b)
		exit(2);
	return b;
}

static unsigned long sum(const unsigned char *p, size_t len)
{
	unsigned long s = 0;
	for (size_t i = 0; i < len; i += 64)
		s += p[i];
	return s;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 2;
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr))
		return 2;
	size_t shnum = eh.e_shnum;
	Elf64_Shdr *sh = readat(fd, (off_t)eh.e_shoff, sizeof(*sh));
	if (!shnum)
		shnum = sh[0].sh_size;
	free(sh);
	sh = readat(fd, (off_t)eh.e_shoff, shnum * sizeof(*sh));
	unsigned long s = 0;
	int found = 0;
	for (size_t i = 0; i < shnum && !found; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= shnum)
			continue;
		const Elf64_Shdr *st = &sh[sh[i].sh_link];
		unsigned char *b = readat(fd, (off_t)st->sh_offset, st->sh_size);
		s = sum(b, st->sh_size);
		free(b);
		enum { CHUNK = 120 << 10 };
		unsigned char *a = malloc(CHUNK);
		for (size_t off = 0; a && off < sh[i].sh_size; off += CHUNK) {
			size_t n = sh[i].sh_size - off < CHUNK ? sh[i].sh_size - off : CHUNK;
			if (pread(fd, a, n, (off_t)(sh[i].sh_offset + off)) != (ssize_t)n)
				return 2;
			s += sum(a, n);
		}
		free(a);
		found = 1;
	}
	printf("%lu\n", s);
	free(sh);
	close(fd);
	return found ? 0 : 2;
}
