/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the libFuzzer targets in tests/fuzz/: a private scratch directory (on
 * tmpfs, removed at exit), file and tree writers, and a check that an iteration left no file
 * descriptor open. Targets never read the real /sys or /proc: every tree they give the code
 * under test is one they wrote into their scratch directory.
 */
#ifndef SCXE_FUZZ_H
#define SCXE_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[PATH_MAX];	/* the private scratch directory, "" before fuzz_scratch() */

__attribute__((noreturn, format(printf, 1, 2)))
static inline void fuzz_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static inline int fuzz_rm_one(const char *path, const struct stat *st, int flag,
			      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

/* Remove path and everything under it (never following symlinks). */
static inline void fuzz_rm_tree(const char *path)
{
	nftw(path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void fuzz_scratch_cleanup(void)
{
	if (fuzz_dir[0])
		fuzz_rm_tree(fuzz_dir);
}

/*
 * Make the private scratch directory: under $SCXE_FUZZ_TMPDIR (tests/fuzz/run.sh makes one
 * per run and removes it, also after a crash) or /dev/shm, which is tmpfs as the shared VM
 * files must be. Removed at exit.
 */
static inline const char *fuzz_scratch(const char *name)
{
	const char *base = getenv("SCXE_FUZZ_TMPDIR");

	if (fuzz_dir[0])
		return fuzz_dir;
	if (!base || !*base)
		base = "/dev/shm";
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/scxe-%s.XXXXXX", base, name);
	if (!mkdtemp(fuzz_dir))
		fuzz_die("cannot make a scratch directory %s: %s", fuzz_dir, strerror(errno));
	atexit(fuzz_scratch_cleanup);
	return fuzz_dir;
}

/* mkdir -p of the directories above path (path itself excluded) */
static inline bool fuzz_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return true;
}

/* Write (or append) n bytes at path with mode; false if any step failed. */
static inline bool fuzz_write(const char *path, const void *buf, size_t n, bool append, mode_t mode)
{
	/* O_NONBLOCK: a FIFO the input put at path must not block the writer */
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		      (append ? O_APPEND : O_TRUNC),
		      mode);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, buf, n) == (ssize_t)n;
	close(fd);
	return ok;
}

/* The lowest free descriptor: taken at the start of an iteration, checked at its end. */
static inline int fuzz_fd_mark(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fuzz_die("cannot open /dev/null: %s", strerror(errno));
	close(fd);
	return fd;
}

/*
 * Every iteration must close what it opened: abort (a crash libFuzzer keeps) when the
 * lowest free descriptor at its end is not the one at its start. (The runtime opens
 * descriptors of its own between iterations, so the mark is taken per iteration.)
 */
static inline void fuzz_fd_check(int mark)
{
	int fd = fuzz_fd_mark();

	if (fd != mark) {
		struct stat st;
		const char *what = "?";

		/* what kind of descriptor, from the descriptor itself (no /proc) */
		if (!fstat(mark, &st))
			what = S_ISSOCK(st.st_mode) ? "a socket" : S_ISFIFO(st.st_mode) ? "a pipe or FIFO" :
			       S_ISDIR(st.st_mode) ? "a directory" : S_ISREG(st.st_mode) ? "a file" : "a device";
		fuzz_die("descriptor %d (%s) left open by this input (the lowest free one is now %d)",
			 mark, what, fd);
	}
}

/* A NUL-terminated heap copy of the input (the parsers take C strings). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		fuzz_die("out of memory");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
