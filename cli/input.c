/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every file a command reads (scenario scripts, host files, mdevctl JSON)
 * goes through apv_cli_read_input, so that a directory, an unreadable file,
 * a NUL byte or an oversized file get the same words and the same exit
 * status whichever command met them (docs/cli.md).
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Scripts, host files and JSON are text a person wrote: more is a mistake (or /dev/zero). */
#define CLI_FILE_MAX (16u << 20)

static const char *read_reason(int e)
{
	switch (e) {
	case EISDIR:
		return "it is a directory";
	case EILSEQ:
		return "the file contains a NUL byte";
	case EFBIG:
		return "the file is larger than 16 MiB";
	default:
		return strerror(e);
	}
}

/* The whole file, NUL-terminated, or NULL with errno (EISDIR, EILSEQ, EFBIG, ...). */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	size_t cap = 1 << 16, n = 0;
	char *buf = NULL;
	int fd, e = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		e = EISDIR;
		goto out;
	}
	/* A regular file says how big it is: refuse it before reading. */
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > CLI_FILE_MAX) {
		e = EFBIG;
		goto out;
	}
	for (;;) {
		if (n + 1 >= cap || !buf) {
			char *nb;

			if (buf)
				cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				e = ENOMEM;
				goto out;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			goto out;
		}
		if (r == 0)
			break;
		/* Stop at the first NUL or past the limit, not at the end of an endless file. */
		if (memchr(buf + n, '\0', (size_t)r)) {
			e = EILSEQ;
			goto out;
		}
		n += (size_t)r;
		if (n > CLI_FILE_MAX) {
			e = EFBIG;
			goto out;
		}
	}
	buf[n] = '\0';
	*len = n;
	close(fd);
	return buf;
out:
	free(buf);
	close(fd);
	errno = e;
	return NULL;
}

char *apv_cli_read_input(const char *cmd, const char *path, size_t *len)
{
	size_t n = 0;
	char *text = slurp(path, &n);

	if (!text) {
		fprintf(stderr, "apvirt %s: cannot read '%s': %s\n", cmd, path, read_reason(errno));
		return NULL;
	}
	if (len)
		*len = n;
	return text;
}

bool apv_cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) || stat(b, &sb))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
