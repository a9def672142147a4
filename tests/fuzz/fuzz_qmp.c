// SPDX-License-Identifier: GPL-2.0
/*
 * What a QEMU monitor sends -> qmp_vcpu_threads, end to end: a thread plays QEMU on a unix
 * socket in the private scratch directory and writes the input (greeting, replies, events,
 * garbage) in one go, then half-closes, so every framing, validation and lookup path of
 * user/qmp.c sees it without a timer ever firing.
 *
 * Input: byte 0 is the room the caller gives for thread ids (max, 0-255); the rest is the
 * stream. Oracles: success returns 1..max vCPUs with a thread id for at least one index
 * below it and nothing written beyond max (the tid array is exactly max long, so ASan sees
 * an overrun); failure gives one "QMP <socket>: ..." line.
 */
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "fuzz.h"
#include "qmp.h"

static char sock[PATH_MAX];
static int lfd = -1;

struct play {
	const uint8_t *data;
	size_t size;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sock, sizeof(sock), "%s/qmp.sock", fuzz_scratch("qmp"));
	if (strlen(sock) >= sizeof(sa.sun_path))
		fuzz_die("socket path %s is too long", sock);
	strcpy(sa.sun_path, sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4))
		fuzz_die("cannot listen on %s: %s", sock, strerror(errno));
	return 0;
}

/* QEMU: send everything, half-close, drain the commands until the client hangs up */
static void *serve(void *arg)
{
	const struct play *p = arg;
	size_t off = 0;
	char sink[512];
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		fuzz_die("accept: %s", strerror(errno));
	while (off < p->size) {
		ssize_t n = send(fd, p->data + off, p->size - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* the client gave up and closed */
		off += n;
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, sink, sizeof(sink)) > 0)
		;
	close(fd);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct play p;
	char err[512] = "";
	pthread_t t;
	pid_t *tids;
	int max, rc;
	int fds = fuzz_fd_mark();

	if (size < 1)
		return 0;
	max = data[0];
	p = (struct play){ data + 1, size - 1 };
	tids = malloc((max ? max : 1) * sizeof(*tids));
	if (!tids)
		fuzz_die("out of memory");
	/* with no room at all the client refuses before it connects */
	if (max && pthread_create(&t, NULL, serve, &p))
		fuzz_die("pthread_create failed");
	rc = qmp_vcpu_threads(sock, tids, max, err, sizeof(err));
	if (max)
		pthread_join(t, NULL);
	if (rc < 0) {
		if (strncmp(err, "QMP ", 4) || strncmp(err + 4, sock, strlen(sock)) ||
		    strncmp(err + 4 + strlen(sock), ": ", 2) || strchr(err, '\n'))
			fuzz_die("error is not one 'QMP SOCKET: ...' line: '%s'", err);
	} else {
		bool any = false;

		if (rc == 0 || rc > max)
			fuzz_die("%d vCPUs with room for %d", rc, max);
		for (int i = 0; i < max; i++) {
			if (tids[i] < 0 || (i >= rc && tids[i]))
				fuzz_die("tid[%d] = %d with %d vCPUs", i, tids[i], rc);
			any |= tids[i] > 0;
		}
		if (!any || !tids[rc - 1])
			fuzz_die("%d vCPUs but the highest has no thread", rc);
	}
	free(tids);
	fuzz_fd_check(fds);
	return 0;
}
