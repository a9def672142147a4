// SPDX-License-Identifier: GPL-2.0
/*
 * qmp.c against a fake QEMU: a forked child serves a unix socket in a mkdtemp directory
 * and plays a script (send, trickle byte by byte, expect a command, stall, hang up), so
 * every way a monitor can answer is tried without QEMU.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "qmp.h"
#include "unit.h"

enum { SEND, TRICKLE, EXPECT_CMD, STALL, END };

#define QMP_MAX_MSG_TEST	(4u << 20)	/* qmp.c's QMP_MAX_MSG */

struct act {
	int		op;
	const char	*arg;	/* SEND/TRICKLE: bytes; EXPECT_CMD: what the command must hold */
};

/* QEMU 7.2's own greeting and replies, as captured from qemu-system-x86_64 -qmp */
#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, " \
		 "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define CAPS_OK	 "{\"return\": {}}\r\n"
#define EVENT	 "{\"timestamp\": {\"seconds\": 1795297108, \"microseconds\": 441253}, " \
		 "\"event\": \"RTC_CHANGE\", \"data\": {\"offset\": 0, \"qom-path\": \"/machine/unattached/device[3]\"}}\r\n"
/* an event whose strings hold brackets and escapes, to trip a careless framer */
#define NASTY_EVENT "{\"event\": \"X\", \"data\": {\"s\": \"}]{[\\\"\\\\\", \"u\": \"\\u007d\"}}\r\n"
#define CPU(idx, tid) \
	"{\"thread-id\": " #tid ", \"props\": {\"core-id\": 0, \"thread-id\": 0, \"socket-id\": " #idx "}, " \
	"\"qom-path\": \"/machine/unattached/device[" #idx "]\", \"cpu-index\": " #idx ", \"target\": \"x86_64\"}"
/* the nested thread-id first: only the CPU's own member counts */
#define CPU_PROPS_FIRST(idx, tid) \
	"{\"props\": {\"thread-id\": 9, \"core-id\": " #idx "}, \"cpu-index\": " #idx ", \"thread-id\": " #tid "}"

static char dir[64], sock[128];
static char err[512];
static pid_t child = -1;

/* the command the client sent, one line, must hold want */
static void expect_cmd(int fd, const char *want)
{
	char cmd[256];
	size_t n = 0;

	while (n + 1 < sizeof(cmd) && read(fd, cmd + n, 1) == 1 && cmd[n] != '\n')
		n++;
	cmd[n] = '\0';
	if (!strstr(cmd, want))
		_exit(3);
}

/*
 * The fake monitor: exits 3 if the client sent something else than the script expects,
 * 0 otherwise, also when the client hangs up early (it may stop reading once it has what
 * it needs).
 */
static void play(int lfd, const struct act *script)
{
	int fd = accept(lfd, NULL, NULL);

	signal(SIGPIPE, SIG_IGN);
	if (fd < 0)
		_exit(2);
	for (const struct act *a = script; a->op != END; a++) {
		switch (a->op) {
		case SEND:
			if (write(fd, a->arg, strlen(a->arg)) != (ssize_t)strlen(a->arg))
				_exit(0);
			break;
		case TRICKLE:
			for (const char *p = a->arg; *p; p++) {
				if (write(fd, p, 1) != 1)
					_exit(0);
				usleep(200);
			}
			break;
		case EXPECT_CMD:
			expect_cmd(fd, a->arg);
			break;
		case STALL:
			sleep(30);
			break;
		}
	}
	close(fd);
	_exit(0);
}

/* start a fake monitor on a fresh socket playing script */
static void serve(const struct act *script)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd;

	snprintf(dir, sizeof(dir), "/tmp/scxe-unit-qmp.XXXXXX");
	if (!mkdtemp(dir)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp failed");
		return;
	}
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	strcpy(sa.sun_path, sock);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1)) {
		unit_fail(__FILE__, __LINE__, "cannot listen on %s", sock);
		return;
	}
	fflush(stdout);
	child = fork();
	if (child == 0)
		play(lfd, script);
	close(lfd);
}

/* end the fake monitor, wherever it is in its script */
static void finish(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	child = -1;
	unlink(sock);
	rmdir(dir);
}

/* run the client against script; returns what qmp_vcpu_threads returned */
static int query(const struct act *script, pid_t *tids, int max)
{
	int n;

	serve(script);
	err[0] = '\0';
	n = qmp_vcpu_threads(sock, tids, max, err, sizeof(err));
	/* a server that played its script to the end exits 0: the client sent what it expected */
	if (n >= 0 && child > 0) {
		int st;

		waitpid(child, &st, 0);
		child = -1;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			unit_fail(__FILE__, __LINE__, "the fake QMP server did not see the commands it expected");
	}
	finish();
	return n;
}

static void expect_failure(const struct act *script, const char *want, int line)
{
	pid_t tids[8];

	if (query(script, tids, 8) != -1) {
		unit_fail(__FILE__, line, "accepted; expected an error with \"%s\"", want);
		return;
	}
	if (!strstr(err, want))
		unit_fail(__FILE__, line, "error \"%s\" lacks \"%s\"", err, want);
	if (!strstr(err, "/qmp.sock"))
		unit_fail(__FILE__, line, "error \"%s\" does not name the socket", err);
	if (strchr(err, '\n'))
		unit_fail(__FILE__, line, "error \"%s\" is not one line", err);
}

UNIT_TEST(qmp_normal_reply)
{
	static const struct act script[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "\"execute\":\"qmp_capabilities\"" },
		{ SEND, CAPS_OK },
		{ EXPECT_CMD, "\"execute\":\"query-cpus-fast\"" },
		{ SEND, "{\"return\": [" CPU(0, 13365) ", " CPU_PROPS_FIRST(1, 13366) "]}\r\n" },
		{ END, NULL },
	};
	pid_t tids[4] = { 7, 7, 7, 7 };

	EXPECT_EQ(query(script, tids, 4), 2);
	EXPECT_EQ(tids[0], 13365);
	EXPECT_EQ(tids[1], 13366);
	EXPECT_EQ(tids[2], 0);	/* cleared: not listed */
	EXPECT_STR(err, "");
}

UNIT_TEST(qmp_events_interleaved)
{
	static const struct act script[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "qmp_capabilities" },
		{ SEND, EVENT NASTY_EVENT },
		{ TRICKLE, CAPS_OK },
		{ EXPECT_CMD, "query-cpus-fast" },
		{ SEND, EVENT },
		/* the reply split mid-token and glued to the next event, without CR LF */
		{ TRICKLE, "{\"return\": [" CPU(1, 501) "," CPU(0, 500) "]}" NASTY_EVENT },
		{ END, NULL },
	};
	pid_t tids[2];

	EXPECT_EQ(query(script, tids, 2), 2);
	EXPECT_EQ(tids[0], 500);
	EXPECT_EQ(tids[1], 501);
	EXPECT_STR(err, "");
}

UNIT_TEST(qmp_error_reply)
{
	static const struct act script[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "qmp_capabilities" },
		{ SEND, CAPS_OK },
		{ EXPECT_CMD, "query-cpus-fast" },
		{ SEND, "{\"error\": {\"class\": \"CommandNotFound\", "
			"\"desc\": \"The command query-cpus-fast has not been found\"}}\r\n" },
		{ END, NULL },
	};
	static const struct act caps_refused[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "qmp_capabilities" },
		{ SEND, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
			"\"Capabilities negotiation is already complete, command ignored\"}}\r\n" },
		{ END, NULL },
	};

	expect_failure(script, "query-cpus-fast failed: The command query-cpus-fast has not been found / CommandNotFound", __LINE__);
	expect_failure(caps_refused, "qmp_capabilities failed: Capabilities negotiation", __LINE__);
}

UNIT_TEST(qmp_truncated_reply)
{
	static const struct act mid_reply[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "qmp_capabilities" },
		{ SEND, CAPS_OK },
		{ EXPECT_CMD, "query-cpus-fast" },
		{ SEND, "{\"return\": [{\"thread-id\": 13365, \"props\": {\"core-" },
		{ END, NULL },
	};
	static const struct act mid_greeting[] = {
		{ SEND, "{\"QMP\": {\"version\": " },
		{ END, NULL },
	};
	static const struct act hang_up[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "qmp_capabilities" },
		{ END, NULL },
	};

	expect_failure(mid_reply, "in the middle of the reply to query-cpus-fast (truncated)", __LINE__);
	expect_failure(mid_greeting, "in the middle of the QMP greeting", __LINE__);
	expect_failure(hang_up, "closed the connection before the reply to qmp_capabilities", __LINE__);
}

/*
 * Every way a monitor can answer wrongly, one per row: at the greeting (stage 0), as the
 * reply to qmp_capabilities (1) or to query-cpus-fast (2). The server hangs up after it.
 */
UNIT_TEST(qmp_bad_replies)
{
	static char huge[QMP_MAX_MSG_TEST + 64], deep[256];
	const struct {
		int stage;
		const char *bytes, *want;
	} t[] = {
		{ 0, "SSH-2.0-OpenSSH_9.2\r\n", "the QMP greeting is not JSON ('SSH-2.0-OpenSSH_9.2?\?')" },
		{ 0, "[1, 2]\r\n", "the QMP greeting is not JSON ('[1, 2]?\?')" },
		{ 0, "\x01\x02\xff\xfe\r\n", "the QMP greeting is not JSON ('" },
		{ 0, "{\"QMP\": {\"version\": ]}}\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"QMP\" {}}\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"QMP\": {}, }\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"QMP\": tru}\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"QMP\": \"a\\x\"}\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"QMP\": \"a\\u12\"}\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"QMP\": \"a\x01\"}\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"QMP\": 1.}\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"QMP\": -}\r\n", "the QMP greeting is malformed JSON" },
		{ 0, "{\"hello\": 1}\r\n", "expected the QMP greeting, got '{\"hello\": 1}'" },
		{ 0, "{\"QMP\": {\"version\": ", "QEMU closed the connection in the middle of the QMP greeting (truncated)" },
		{ 0, "{\"QMP\": \"unterminated}\r\n", "QEMU closed the connection in the middle of the QMP greeting" },
		{ 0, "", "QEMU closed the connection before the QMP greeting" },
		{ 0, deep, "the QMP greeting is malformed JSON" },
		{ 0, huge, "the QMP greeting is larger than 4194304 bytes; not a QMP reply" },
		{ 1, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Capabilities negotiation is already complete, command ignored\"}}\r\n",
		  "qmp_capabilities failed: Capabilities negotiation is already complete, command ignored / CommandNotFound" },
		{ 1, "{\"error\": \"no\"}\r\n", "qmp_capabilities failed with a malformed error" },
		{ 1, "{\"error\": {}}\r\n", "qmp_capabilities failed: (no description)" },
		{ 1, "{\"result\": {}}\r\n", "expected a return, error or event as the reply to qmp_capabilities, got '{\"result\": {}}'" },
		{ 2, "trailing\r\n", "the reply to query-cpus-fast is not JSON ('trailing?\?')" },
		{ 1, "", "QEMU closed the connection before the reply to qmp_capabilities" },
		{ 2, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command query-cpus-fast has not been found\"}}\r\n",
		  "query-cpus-fast failed: The command query-cpus-fast has not been found / CommandNotFound" },
		{ 2, "{\"return\": {\"thread-id\": 5}}\r\n", "query-cpus-fast returned '{\"thread-id\": 5}', expected a list of CPUs" },
		{ 2, "{\"return\": 7}\r\n", "query-cpus-fast returned '7', expected a list of CPUs" },
		{ 2, "{\"return\": [1, 2]}\r\n", "query-cpus-fast lists '1, 2]', expected a CPU object" },
		{ 2, "{\"return\": []}\r\n", "query-cpus-fast lists no vCPUs" },
		{ 2, "{\"return\": [{\"thread-id\": 5}]}\r\n", "query-cpus-fast: a CPU without an integer cpu-index ('{\"thread-id\": 5}')" },
		{ 2, "{\"return\": [{\"cpu-index\": \"0\", \"thread-id\": 5}]}\r\n", "a CPU without an integer cpu-index" },
		{ 2, "{\"return\": [{\"cpu-index\": 0.5, \"thread-id\": 5}]}\r\n", "a CPU without an integer cpu-index" },
		{ 2, "{\"return\": [{\"cpu-index\": 99999999999999999999, \"thread-id\": 5}]}\r\n", "a CPU without an integer cpu-index" },
		{ 2, "{\"return\": [{\"cpu-index\": -1, \"thread-id\": 5}]}\r\n", "query-cpus-fast: vCPU index -1, but only 8 are supported" },
		{ 2, "{\"return\": [{\"cpu-index\": 8, \"thread-id\": 5}]}\r\n", "query-cpus-fast: vCPU index 8, but only 8 are supported" },
		{ 2, "{\"return\": [{\"cpu-index\": 0, \"thread-id\": \"12\"}]}\r\n", "vCPU 0 has no integer thread-id" },
		{ 2, "{\"return\": [{\"cpu-index\": 0, \"props\": {\"thread-id\": 0}}]}\r\n", "vCPU 0 has no integer thread-id" },
		{ 2, "{\"return\": [{\"cpu-index\": 0, \"thread-id\": 1e3}]}\r\n", "vCPU 0 has no integer thread-id" },
		{ 2, "{\"return\": [{\"cpu-index\": 0, \"thread-id\": null}]}\r\n", "vCPU 0 has no integer thread-id" },
		{ 2, "{\"return\": [{\"cpu-index\": 0, \"thread-id\": -4}]}\r\n", "vCPU 0 has thread-id -4, not a thread id" },
		{ 2, "{\"return\": [{\"cpu-index\": 0, \"thread-id\": 0}]}\r\n", "vCPU 0 has thread-id 0, not a thread id" },
		{ 2, "{\"return\": [{\"cpu-index\": 0, \"thread-id\": 2147483648}]}\r\n", "vCPU 0 has thread-id 2147483648, not a thread id" },
		{ 2, "{\"return\": [" CPU(0, 10) "," CPU(0, 11) "]}\r\n", "query-cpus-fast lists vCPU 0 twice" },
		{ 2, "{\"return\": [{\"thread-id\": 13365, \"props\": {\"core-", "in the middle of the reply to query-cpus-fast (truncated)" },
		{ 2, "", "QEMU closed the connection before the reply to query-cpus-fast" },
		{ 2, "{\"return\": [" CPU(0, 10) "]", "in the middle of the reply to query-cpus-fast (truncated)" },
	};
	struct act script[8];
	pid_t tids[8];

	memset(huge, ' ', sizeof(huge) - 1);
	huge[0] = '{';
	/* {"a": [[[...1...]]]}: 100 levels, more than QMP_MAX_DEPTH */
	memcpy(deep, "{\"a\":", 5);
	memset(deep + 5, '[', 100);
	deep[105] = '1';
	memset(deep + 106, ']', 100);
	deep[206] = '}';
	for (int i = 0; i < UNIT_ROWS(t); i++) {
		int n = 0;

		if (t[i].stage > 0) {
			script[n++] = (struct act){ SEND, GREETING };
			script[n++] = (struct act){ EXPECT_CMD, "qmp_capabilities" };
		}
		if (t[i].stage > 1) {
			script[n++] = (struct act){ SEND, CAPS_OK };
			script[n++] = (struct act){ EXPECT_CMD, "query-cpus-fast" };
		}
		if (t[i].bytes[0])
			script[n++] = (struct act){ SEND, t[i].bytes };
		script[n] = (struct act){ END, NULL };
		err[0] = '\0';
		if (query(script, tids, 8) != -1 || !strstr(err, t[i].want) || !strstr(err, "/qmp.sock: ") ||
		    strchr(err, '\n'))
			unit_fail(__FILE__, __LINE__, "row %d (stage %d, '%.40s'): got \"%.300s\", expected one line with \"%s\"",
				  i, t[i].stage, t[i].bytes, err, t[i].want);
	}
	unit_inputs("qmp-reply", UNIT_ROWS(t));
}

UNIT_TEST(qmp_no_reply_times_out)
{
	static const struct act silent[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "qmp_capabilities" },
		{ STALL, NULL },
		{ END, NULL },
	};
	static const struct act mute[] = {
		{ STALL, NULL },
		{ END, NULL },
	};
	struct timespec t0, t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_failure(silent, "no reply to qmp_capabilities within 2000 ms", __LINE__);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (secs < QMP_TIMEOUT_MS / 1000.0 * 0.9 || secs > QMP_TIMEOUT_MS / 1000.0 + 2)
		unit_fail(__FILE__, __LINE__, "gave up after %.2f s, expected about %d ms", secs, QMP_TIMEOUT_MS);
	expect_failure(mute, "no QMP greeting within 2000 ms", __LINE__);
}

UNIT_TEST(qmp_more_than_64_vcpus)
{
	static char reply[64 * 1024];
	struct act script[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "qmp_capabilities" },
		{ SEND, CAPS_OK },
		{ EXPECT_CMD, "query-cpus-fast" },
		{ SEND, reply },
		{ END, NULL },
	};
	static pid_t tids[300];
	size_t n;
	int bad = 0;

	/* 200 vCPUs, listed last to first, as QEMU may after hot-plugging */
	n = snprintf(reply, sizeof(reply), "{\"return\": [");
	for (int i = 199; i >= 0; i--)
		n += snprintf(reply + n, sizeof(reply) - n,
			      "{\"thread-id\": %d, \"props\": {\"core-id\": %d, \"thread-id\": 0, \"socket-id\": 0}, "
			      "\"qom-path\": \"/machine/unattached/device[%d]\", \"cpu-index\": %d, \"target\": \"x86_64\"}%s",
			      20000 + i, i, i, i, i ? ", " : "");
	snprintf(reply + n, sizeof(reply) - n, "]}\r\n");
	EXPECT(n < sizeof(reply) - 8);

	EXPECT_EQ(query(script, tids, 300), 200);
	for (int i = 0; i < 200; i++)
		bad += tids[i] != 20000 + i;
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(tids[200], 0);
	/* a caller with room for 64 is told, not overrun */
	tids[64] = 1;
	EXPECT_EQ(query(script, tids, 64), -1);
	EXPECT(strstr(err, "vCPU index 199, but only 64 are supported") != NULL);
	EXPECT_EQ(tids[64], 1);
}

UNIT_TEST(qmp_holes_and_no_socket)
{
	static const struct act holes[] = {
		{ SEND, GREETING },
		{ EXPECT_CMD, "qmp_capabilities" },
		{ SEND, CAPS_OK },
		{ EXPECT_CMD, "query-cpus-fast" },
		{ SEND, "{\"return\": [" CPU(0, 300) ", " CPU(3, 303) "]}\r\n" },
		{ END, NULL },
	};
	pid_t tids[8];

	/* an unplugged vCPU leaves a hole: 0, and the count still covers the highest index */
	EXPECT_EQ(query(holes, tids, 8), 4);
	EXPECT_EQ(tids[0], 300);
	EXPECT_EQ(tids[1], 0);
	EXPECT_EQ(tids[2], 0);
	EXPECT_EQ(tids[3], 303);

	err[0] = '\0';
	EXPECT_EQ(qmp_vcpu_threads("/nonexistent/qmp.sock", tids, 8, err, sizeof(err)), -1);
	EXPECT(strstr(err, "QMP /nonexistent/qmp.sock: cannot connect: No such file or directory") != NULL);
	EXPECT(strstr(err, "-qmp unix:/nonexistent/qmp.sock,server=on,wait=off") != NULL);
}
