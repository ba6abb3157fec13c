/* The floor for symhash: open an ELF file as klinkwrap does (libelf,
 * ELF_C_READ_MMAP) and read every byte of .symtab and its .strtab, doing
 * nothing else. Prints a checksum so that the reads are not optimised
 * away. Built and run by bench/bench-symhash.sh. */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned long sum(Elf_Scn *scn)
{
	Elf_Data *d = elf_rawdata(scn, NULL);
	unsigned long s = 0;
	if (!d)
		exit(2);
	const unsigned char *p = d->d_buf;
	for (size_t i = 0; i < d->d_size; i += 8)
		s += p[i];
	return s;
}

int main(int argc, char **argv)
{
	if (argc != 2 || elf_version(EV_CURRENT) == EV_NONE)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	Elf_Scn *scn = NULL;
	unsigned long s = 0;
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			s += sum(scn) + sum(elf_getscn(e, sh.sh_link));
			break;
		}
	}
	printf("%lu\n", s);
	elf_end(e);
	close(fd);
	return scn ? 0 : 2;
}
