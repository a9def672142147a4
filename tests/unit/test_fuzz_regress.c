// SPDX-License-Identifier: GPL-2.0
/*
 * Every input the fuzz targets (tests/fuzz/) found to crash, leak or hit undefined
 * behaviour, as a unit test: the name says which target, the comment what was wrong. Some
 * only fail in the sanitizer build (make check-asan), where undefined behaviour aborts.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "qmp.h"
#include "unit.h"

/*
 * A fake QEMU that sends reply (all at once), half-closes and drains until the client hangs
 * up, as tests/fuzz/fuzz_qmp.c plays it. Returns the child's pid, or -1; sock gets the path.
 */
static pid_t qemu_says(const char *reply, char *dir, size_t dlen, char *sock, size_t slen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd;
	pid_t pid;

	snprintf(dir, dlen, "/tmp/scxe-unit-fuzz.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock, slen, "%s/qmp.sock", dir);
	if (strlen(sock) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1)) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char sink[256];
		int fd = accept(lfd, NULL, NULL);

		signal(SIGPIPE, SIG_IGN);
		if (fd < 0)
			_exit(2);
		if (write(fd, reply, strlen(reply)) < 0)
			_exit(0);
		shutdown(fd, SHUT_WR);
		while (read(fd, sink, sizeof(sink)) > 0)
			;
		_exit(0);
	}
	close(lfd);
	return pid;
}

static void qemu_done(pid_t pid, const char *dir, const char *sock)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	unlink(sock);
	rmdir(dir);
}

/*
 * fuzz_qmp, first input (QEMU hangs up at once): read_msg framed the empty buffer before
 * anything was allocated, computing NULL + 0 (undefined behaviour, UBSan aborts).
 */
UNIT_TEST(fuzz_qmp_hangup_before_any_byte)
{
	char dir[64], sock[128], err[256] = "";
	pid_t tids[4], pid = qemu_says("", dir, sizeof(dir), sock, sizeof(sock));

	EXPECT(pid > 0);
	EXPECT_EQ(qmp_vcpu_threads(sock, tids, 4, err, sizeof(err)), -1);
	EXPECT(strstr(err, "closed the connection before the QMP greeting") != NULL);
	qemu_done(pid, dir, sock);
}
