/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run a function in a forked child and report whether it aborted, with
 * what it wrote to stderr: for checks that are supposed to abort the
 * process (the lock-order checker in debug builds).
 */
#ifndef APV_TESTS_COMMON_CHILD_H
#define APV_TESTS_COMMON_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* true if fn(arg) died of SIGABRT; the start of its stderr is in msg. */
static inline bool child_aborts(void (*fn)(void *), void *arg, char *msg, size_t len)
{
	int p[2];
	pid_t pid;
	int status = 0;
	ssize_t n, got = 0;

	memset(msg, 0, len);
	if (pipe(p))
		return false;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		fn(arg);
		_exit(0);
	}
	close(p[1]);
	while (got < (ssize_t)len - 1 && (n = read(p[0], msg + got, len - 1 - (size_t)got)) > 0)
		got += n;
	/* Drain the rest (the call chain): a closed pipe would kill the child with SIGPIPE. */
	for (char sink[256]; read(p[0], sink, sizeof(sink)) > 0;)
		;
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

#endif
