#!/usr/bin/python3
"""The symbol-set hash by its definition in doc/klinkwrap.1 (SYMBOL-SET
HASH), written apart from klinkwrap with other parts: pyelftools reads the
ELF file and python3-xxhash hashes. Prints "HASH  COUNT  FILE" lines as
`klinkwrap symhash` does, so the two can be compared with cmp.

    symhash-oracle.py FILE...
    symhash-oracle.py --symbols   # the hash of symbols given on stdin, one
                                  # "VALUE SIZE TYPE BIND SECTION NAME" per line
                                  # (numbers in decimal or 0x hex)
"""
import sys

import xxhash
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

STT = {"STT_NOTYPE": 0, "STT_OBJECT": 1, "STT_FUNC": 2, "STT_SECTION": 3,
       "STT_FILE": 4, "STT_COMMON": 5, "STT_TLS": 6, "STT_GNU_IFUNC": 10,
       "STT_LOOS": 10}
STB = {"STB_LOCAL": 0, "STB_GLOBAL": 1, "STB_WEAK": 2, "STB_GNU_UNIQUE": 10,
       "STB_LOOS": 10}
SHN = {"SHN_UNDEF": 0, "SHN_ABS": 0xfff1, "SHN_COMMON": 0xfff2}


def encode(value, size, typ, bind, name, section):
    """Step 5: one symbol's bytes."""
    return (value.to_bytes(8, "little") + size.to_bytes(8, "little") +
            bytes([typ, bind]) + name + b"\0" + section + b"\0")


def set_hash(encodings):
    """Steps 6 and 7: the sum of the encodings' XXH3-128 values modulo
    2^128, then XXH3-128 of the sum and the count."""
    total, count = 0, 0
    for e in encodings:
        total = (total + xxhash.xxh3_128_intdigest(e)) % (1 << 128)
        count += 1
    final = total.to_bytes(16, "little") + count.to_bytes(8, "little")
    return xxhash.xxh3_128_hexdigest(final), count


def number(value):
    return value if isinstance(value, int) else value and int(value, 0)


def section_name(elf, shndx, extended=False):
    """The name of the section st_shndx designates (EXTENDED: an index
    from .symtab_shndx, never a reserved one)."""
    if isinstance(shndx, str):
        shndx = SHN.get(shndx, shndx)
    if not extended:
        reserved = {0: b"*UND*", 0xfff1: b"*ABS*", 0xfff2: b"*COM*"}
        if shndx in reserved:
            return reserved[shndx]
        if shndx >= 0xff00:
            return b"*RES-0x%04x*" % shndx
    # The raw bytes of the name in the section-name string table.
    strtab = elf.get_section(elf["e_shstrndx"] if elf["e_shstrndx"] != 0xffff
                             else elf.get_section(0)["sh_link"])
    off = elf.get_section(shndx)["sh_name"]
    data = strtab.data()
    return data[off:data.index(b"\0", off)]


def file_encodings(path):
    with open(path, "rb") as f:
        elf = ELFFile(f)
        symtab = next((s for s in elf.iter_sections() if s["sh_type"] == "SHT_SYMTAB"), None)
        if symtab is None:
            raise SystemExit("%s: no .symtab" % path)
        assert isinstance(symtab, SymbolTableSection)
        strdata = elf.get_section(symtab["sh_link"]).data()
        shndx_table = None
        for s in elf.iter_sections():
            if s["sh_type"] == "SHT_SYMTAB_SHNDX" and s["sh_link"] == elf.get_section_index(symtab.name):
                shndx_table = s
        for i, sym in enumerate(symtab.iter_symbols()):
            if i == 0:
                continue
            typ = sym["st_info"]["type"]
            if typ in ("STT_SECTION", "STT_FILE"):
                continue
            typ = STT[typ] if isinstance(typ, str) else typ
            bind = sym["st_info"]["bind"]
            bind = STB[bind] if isinstance(bind, str) else bind
            shndx = sym["st_shndx"]
            extended = shndx in ("SHN_XINDEX", 0xffff)
            if extended:
                shndx = shndx_table.get_section_index(i)
            off = sym["st_name"]
            name = strdata[off:strdata.index(b"\0", off)]
            yield encode(sym["st_value"], sym["st_size"], typ, bind, name,
                         section_name(elf, shndx, extended))


def main(args):
    if args == ["--symbols"]:
        encs = []
        for line in sys.stdin:
            value, size, typ, bind, section, name = line.split()
            encs.append(encode(number(value), number(size), number(typ), number(bind),
                               name.encode(), section.encode()))
        h, n = set_hash(encs)
        print("%s  %d" % (h, n))
        return
    for path in args:
        h, n = set_hash(file_encodings(path))
        print("%s  %d  %s" % (h, n, path))


main(sys.argv[1:])
