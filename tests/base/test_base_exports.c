/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libapvirt's ABI: every symbol the shared library exports carries the
 * apv_ prefix. Layer internals (kvm_*, vfio_ap_*, the guest's gq_* ...)
 * are hidden, so a program linking libapvirt (QEMU has kvm_* functions of
 * its own) cannot clash with them. Reads the library's ELF dynamic symbol
 * table directly.
 */
#include "testlib.h"

#include <elf.h>
#include <stdbool.h>

#ifndef APV_SHARED_LIB
#error "APV_SHARED_LIB must name libapvirt.so"
#endif

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Linker-made markers (_init, _fini, __bss_start, _edata, _end) are not ours. */
static bool linker_symbol(const char *name)
{
	return name[0] == '_';
}

TEST(shared_library_exports_only_apv_prefixed_symbols)
{
	size_t len = 0;
	unsigned char *img = read_all(APV_SHARED_LIB, &len);
	int exported = 0, foreign = 0;

	REQUIRE(img != NULL);
	REQUIRE(len > sizeof(Elf64_Ehdr) && memcmp(img, ELFMAG, SELFMAG) == 0);
	REQUIRE(img[EI_CLASS] == ELFCLASS64);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	REQUIRE(eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) <= len);
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		REQUIRE(sh[i].sh_link < eh->e_shnum);
		const Elf64_Shdr *strs = &sh[sh[i].sh_link];
		REQUIRE(sh[i].sh_offset + sh[i].sh_size <= len);
		REQUIRE(strs->sh_offset + strs->sh_size <= len);
		const Elf64_Sym *sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
		size_t nsym = sh[i].sh_size / sizeof(Elf64_Sym);
		for (size_t k = 0; k < nsym; k++) {
			unsigned bind = ELF64_ST_BIND(sym[k].st_info);
			const char *name;

			if (sym[k].st_shndx == SHN_UNDEF || sym[k].st_name >= strs->sh_size)
				continue;
			if (bind != STB_GLOBAL && bind != STB_WEAK)
				continue;
			if (ELF64_ST_VISIBILITY(sym[k].st_other) != STV_DEFAULT)
				continue;
			name = (const char *)img + strs->sh_offset + sym[k].st_name;
			if (linker_symbol(name))
				continue;
			exported++;
			if (strncmp(name, "apv_", 4) != 0) {
				APV_TEST_FAIL("libapvirt exports '%s', which lacks the apv_ prefix", name);
				foreign++;
			}
		}
	}
	CHECK(exported > 100);
	CHECK_EQ(foreign, 0);
	free(img);
}

TEST_MAIN
