/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run the apvirt binary with arguments and capture its exit status,
 * stdout and stderr (for the CLI tests).
 */
#ifndef APV_TEST_CLIRUN_H
#define APV_TEST_CLIRUN_H

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef APVIRT_BIN
#error "APVIRT_BIN must name the apvirt executable"
#endif

extern char **environ;

struct cli_result {
	int status; /* exit code, or 128 + signal */
	char *out, *err;
};

static char *cli_read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return strdup("");
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	for (;;) {
		size_t r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (n + 1 < cap)
			break;
		cap *= 2;
		b = realloc(b, cap);
	}
	b[n] = '\0';
	fclose(f);
	return b;
}

/* argv without the program name, NULL-terminated. */
static struct cli_result cli_run(const char *const *args)
{
	struct cli_result r = {-1, NULL, NULL};
	char outp[] = "/tmp/apv-cli-out-XXXXXX", errp[] = "/tmp/apv-cli-err-XXXXXX";
	int fo = mkstemp(outp), fe = mkstemp(errp);
	const char *argv[64] = {APVIRT_BIN};
	int n = 1;
	for (; args[n - 1] && n < 63; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fo, 1);
	posix_spawn_file_actions_adddup2(&fa, fe, 2);
	pid_t pid;
	if (posix_spawn(&pid, APVIRT_BIN, &fa, NULL, (char *const *)argv, environ) == 0) {
		int st;
		waitpid(pid, &st, 0);
		r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fo);
	close(fe);
	r.out = cli_read_all(outp);
	r.err = cli_read_all(errp);
	unlink(outp);
	unlink(errp);
	return r;
}

static void cli_free(struct cli_result *r)
{
	free(r->out);
	free(r->err);
}

#define CLI(...) cli_run((const char *const[]){__VA_ARGS__, NULL})

/* apvirt with these arguments exits with want_status and writes exactly want_err to stderr. */
#define CHECK_CLI_ERR(want_status, want_err, ...)                                                  \
	do {                                                                                       \
		struct cli_result r_ = CLI(__VA_ARGS__);                                           \
		CHECK_EQ(r_.status, (want_status));                                                \
		CHECK_STR(r_.err, (want_err));                                                     \
		cli_free(&r_);                                                                     \
	} while (0)

#endif
