// SPDX-License-Identifier: GPL-2.0
/*
 * QMP client for vCPU thread discovery. QMP speaks JSON objects over a stream socket: a
 * greeting, then one reply per command, with asynchronous event objects interleaved at any
 * point. No JSON library: a strict validator checks each message, and a few lookups pick
 * the members we need out of the validated text. Anything QEMU may legitimately add
 * (members, events, whitespace, message boundaries that do not match read() boundaries) is
 * tolerated; anything that is not JSON, or a reply of the wrong shape, is refused.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "qmp.h"

/* a query-cpus-fast reply costs ~200 bytes per vCPU; this is far beyond any real VM */
#define QMP_MAX_MSG		(4u << 20)
/* QMP replies nest a few levels; garbage must not exhaust our stack */
#define QMP_MAX_DEPTH		32

struct qmp {
	int		fd;
	const char	*path;
	char		*buf;		/* bytes received and not yet consumed */
	size_t		len, cap;
	char		*err;
	size_t		errlen;
};

/* "QMP <socket>: <what went wrong>" into the caller's buffer; returns -1 */
__attribute__((format(printf, 2, 3)))
static int qmp_fail(struct qmp *q, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(q->err, q->errlen, "QMP %s: ", q->path);
	if (n < q->errlen) {
		va_start(ap, fmt);
		vsnprintf(q->err + n, q->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- JSON validation ------------------------------------------------------------------ */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* p at '"': the end of the string, or NULL if it is not a valid one */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		if (++p == end)
			return NULL;
		if (*p == 'u') {
			if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]))
				return NULL;
			p += 4;
		} else if (!strchr("\"\\/bfnrt", *p)) {
			return NULL;
		}
	}
	return NULL;
}

static const char *skip_digits(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p == s ? NULL : p;
}

static const char *skip_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	p = skip_digits(p, end);
	if (p && p < end && *p == '.')
		p = skip_digits(p + 1, end);
	if (p && p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		p = skip_digits(p, end);
	}
	return p;
}

static const char *skip_value(const char *p, const char *end, int depth);

/* p at '{' or '[': the end of the container */
static const char *skip_container(const char *p, const char *end, int depth)
{
	char close = *p == '{' ? '}' : ']';
	bool object = *p == '{';

	if (depth >= QMP_MAX_DEPTH)
		return NULL;
	p = skip_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (p >= end || *p != '"' || !(p = skip_string(p, end)))
				return NULL;
			p = skip_ws(p, end);
			if (p >= end || *p != ':')
				return NULL;
			p = skip_ws(p + 1, end);
		}
		p = skip_value(p, end, depth + 1);
		if (!p)
			return NULL;
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		return p < end && *p == close ? p + 1 : NULL;
	}
}

/* the end of the JSON value at p, or NULL if there is none */
static const char *skip_value(const char *p, const char *end, int depth)
{
	static const char *const literals[] = { "true", "false", "null" };

	if (p >= end)
		return NULL;
	switch (*p) {
	case '{':
	case '[':
		return skip_container(p, end, depth);
	case '"':
		return skip_string(p, end);
	case '-':
	case '0' ... '9':
		return skip_number(p, end);
	}
	for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
		size_t n = strlen(literals[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, literals[i], n))
			return p + n;
	}
	return NULL;
}

/*
 * In a validated object at obj, the value of member key (its own members are not
 * searched: "props" of a CPU has a "thread-id" too), or NULL. Keys are compared as written;
 * QEMU never escapes the ones we look for.
 */
static const char *obj_get(const char *obj, const char *end, const char *key)
{
	size_t klen = strlen(key);
	const char *p = skip_ws(obj + 1, end), *k, *v;

	if (p < end && *p == '}')
		return NULL;
	for (;;) {
		k = p;
		p = skip_string(p, end);
		if (!p)
			return NULL;
		v = skip_ws(skip_ws(p, end) + 1, end);
		if ((size_t)(p - k) == klen + 2 && !memcmp(k + 1, key, klen))
			return v;
		p = skip_ws(skip_value(v, end, 0), end);
		if (p >= end || *p != ',')
			return NULL;
		p = skip_ws(p + 1, end);
	}
}

/* a JSON integer at v into *out; false for anything else (a string, a fraction, overflow) */
static bool get_int(const char *v, const char *end, long long *out)
{
	const char *e = v ? skip_number(v, end) : NULL;
	char num[24];
	char *stop;

	if (!e || (size_t)(e - v) >= sizeof(num) || memchr(v, '.', e - v) ||
	    memchr(v, 'e', e - v) || memchr(v, 'E', e - v))
		return false;
	memcpy(num, v, e - v);
	num[e - v] = '\0';
	errno = 0;
	*out = strtoll(num, &stop, 10);
	return !errno && *stop == '\0';
}

/* the text of a JSON string at v, escapes reduced to the escaped character, cut to size */
static void get_str(const char *v, const char *end, char *out, size_t size)
{
	const char *e = v && *v == '"' ? skip_string(v, end) : NULL;
	size_t n = 0;

	if (!size)
		return;
	if (e) {
		for (const char *p = v + 1; p < e - 1 && n + 1 < size; p++) {
			if (*p == '\\')
				p++;
			out[n++] = (unsigned char)*p < 0x20 ? ' ' : *p;
		}
	}
	out[n] = '\0';
}

/* ---- messages ------------------------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Where the first complete top-level value in buf ends (its length from buf), 0 if more
 * bytes are needed, -1 if what starts there is not an object. Only brackets outside
 * strings count; the validator checks the rest.
 */
static long frame(const char *buf, size_t len)
{
	const char *p, *end;
	bool in_str = false;
	long depth = 0;

	/* nothing received yet: buf may still be NULL, where even buf + 0 is undefined */
	if (!len)
		return 0;
	p = skip_ws(buf, buf + len);
	end = buf + len;
	if (p == end)
		return 0;
	if (*p != '{')
		return -1;
	for (; p < end; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1 - buf;
		}
	}
	return 0;
}

/* up to 40 bytes of what QEMU sent, printable, for a one-line error */
static const char *snippet(const char *p, const char *end)
{
	static char out[44];
	size_t n = 0;

	while (p < end && n < 40) {
		unsigned char c = *p++;

		out[n++] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	strcpy(out + n, p < end ? "..." : "");
	return out;
}

/* grow the buffer so that at least one more byte (and a NUL) fits */
static int grow(struct qmp *q, const char *what)
{
	size_t cap = q->cap ? 2 * q->cap : 4096;
	char *b;

	if (q->len + 1 < q->cap)
		return 0;
	if (cap > QMP_MAX_MSG)
		return qmp_fail(q, "the %s is larger than %u bytes; not a QMP reply", what, QMP_MAX_MSG);
	b = realloc(q->buf, cap);
	if (!b)
		return qmp_fail(q, "out of memory reading %s", what);
	q->buf = b;
	q->cap = cap;
	return 0;
}

/*
 * The next whole message, as [*msg, *end) in the buffer (valid until done_msg); what says
 * what we wait for, for the error messages. Each wait has its own QMP_TIMEOUT_MS.
 */
static int read_msg(struct qmp *q, const char *what, const char **msg, const char **end)
{
	long long deadline = now_ms() + QMP_TIMEOUT_MS, left;
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	const char *s;
	ssize_t got;
	long n;
	int r;

	for (;;) {
		n = frame(q->buf, q->len);
		if (n < 0) {
			s = skip_ws(q->buf, q->buf + q->len);
			return qmp_fail(q, "the %s is not JSON ('%s'); is this a QEMU QMP socket?",
					what, snippet(s, q->buf + q->len));
		}
		if (n > 0) {
			s = skip_ws(q->buf, q->buf + n);
			if (skip_value(s, q->buf + n, 0) != q->buf + n)
				return qmp_fail(q, "the %s is malformed JSON ('%s')", what, snippet(s, q->buf + n));
			*msg = s;
			*end = q->buf + n;
			return 0;
		}
		if (grow(q, what))
			return -1;
		left = deadline - now_ms();
		r = left > 0 ? poll(&pfd, 1, left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return qmp_fail(q, "poll: %s", strerror(errno));
		if (r == 0)
			return qmp_fail(q, "no %s within %d ms (QEMU stuck, or another client holds the monitor?)",
					what, QMP_TIMEOUT_MS);
		got = read(q->fd, q->buf + q->len, q->cap - 1 - q->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return qmp_fail(q, "reading the %s: %s", what, strerror(errno));
		if (got == 0) {
			if (skip_ws(q->buf, q->buf + q->len) != q->buf + q->len)
				return qmp_fail(q, "QEMU closed the connection in the middle of the %s (truncated)", what);
			return qmp_fail(q, "QEMU closed the connection before the %s", what);
		}
		q->len += got;
		q->buf[q->len] = '\0';
	}
}

/* drop the message [msg, end) once it has been used */
static void done_msg(struct qmp *q, const char *end)
{
	size_t n = end - q->buf;

	memmove(q->buf, q->buf + n, q->len - n);
	q->len -= n;
}

/* send {"execute":"name"} */
static int send_cmd(struct qmp *q, const char *name)
{
	char cmd[128];
	size_t len, off = 0;

	len = snprintf(cmd, sizeof(cmd), "{\"execute\":\"%s\"}\r\n", name);
	while (off < len) {
		/* SO_SNDTIMEO bounds a full socket; MSG_NOSIGNAL: a dead QEMU is an error, not a signal */
		ssize_t n = send(q->fd, cmd + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return qmp_fail(q, "sending %s: %s (QEMU gone?)", name, strerror(errno));
		off += n;
	}
	return 0;
}

/*
 * Send cmd and wait for its reply, skipping events. Returns 0 with the "return" value in
 * [*val, *vend) (valid until done_msg(q, *mend)), or -1 for an error reply or anything else.
 */
static int command(struct qmp *q, const char *name, const char **val, const char **vend,
		   const char **mend)
{
	const char *msg, *end, *v;
	char what[96];

	snprintf(what, sizeof(what), "reply to %s", name);
	if (send_cmd(q, name))
		return -1;
	for (;;) {
		if (read_msg(q, what, &msg, &end))
			return -1;
		if (obj_get(msg, end, "event")) {
			done_msg(q, end);
			continue;
		}
		v = obj_get(msg, end, "error");
		if (v) {
			char cls[64], desc[160];

			if (*v != '{')
				return qmp_fail(q, "%s failed with a malformed error", name);
			get_str(obj_get(v, end, "class"), end, cls, sizeof(cls));
			get_str(obj_get(v, end, "desc"), end, desc, sizeof(desc));
			return qmp_fail(q, "%s failed: %s%s%s", name, desc[0] ? desc : "(no description)",
					cls[0] ? " / " : "", cls);
		}
		v = obj_get(msg, end, "return");
		if (!v)
			return qmp_fail(q, "expected a return, error or event as the %s, got '%s'", what,
					snippet(msg, end));
		*val = v;
		*vend = skip_value(v, end, 0);
		*mend = end;
		return 0;
	}
}

static int greeting(struct qmp *q)
{
	const char *msg, *end;

	for (;;) {
		if (read_msg(q, "QMP greeting", &msg, &end))
			return -1;
		if (!obj_get(msg, end, "event"))
			break;
		done_msg(q, end);
	}
	if (!obj_get(msg, end, "QMP"))
		return qmp_fail(q, "expected the QMP greeting, got '%s'; is this a QEMU QMP socket?",
				snippet(msg, end));
	done_msg(q, end);
	return 0;
}

/* the query-cpus-fast return value [v, vend): an array of CPU objects */
static int parse_cpus(struct qmp *q, const char *v, const char *vend, pid_t *tids, int max)
{
	const char *p, *e;
	int nr = 0;

	if (*v != '[')
		return qmp_fail(q, "query-cpus-fast returned '%s', expected a list of CPUs",
				snippet(v, vend));
	memset(tids, 0, max * sizeof(*tids));
	p = skip_ws(v + 1, vend);
	while (p < vend && *p != ']') {
		long long idx, tid;

		if (*p != '{')
			return qmp_fail(q, "query-cpus-fast lists '%s', expected a CPU object",
					snippet(p, vend));
		e = skip_value(p, vend, 0);
		if (!get_int(obj_get(p, e, "cpu-index"), e, &idx))
			return qmp_fail(q, "query-cpus-fast: a CPU without an integer cpu-index ('%s')",
					snippet(p, e));
		if (!get_int(obj_get(p, e, "thread-id"), e, &tid))
			return qmp_fail(q, "query-cpus-fast: vCPU %lld has no integer thread-id (not KVM, or QEMU too old?)",
					idx);
		if (idx < 0 || idx >= max)
			return qmp_fail(q, "query-cpus-fast: vCPU index %lld, but only %d are supported", idx, max);
		if (tid <= 0 || tid > INT_MAX)
			return qmp_fail(q, "query-cpus-fast: vCPU %lld has thread-id %lld, not a thread id", idx, tid);
		if (tids[idx])
			return qmp_fail(q, "query-cpus-fast lists vCPU %lld twice", idx);
		tids[idx] = tid;
		if (idx >= nr)
			nr = idx + 1;
		p = skip_ws(e, vend);
		if (p < vend && *p == ',')
			p = skip_ws(p + 1, vend);
	}
	if (!nr)
		return qmp_fail(q, "query-cpus-fast lists no vCPUs");
	return nr;
}

int qmp_vcpu_threads(const char *sock_path, pid_t *tids, int max, char *err, size_t errlen)
{
	struct qmp q = { .fd = -1, .path = sock_path, .err = err, .errlen = errlen };
	struct timeval tv = { QMP_TIMEOUT_MS / 1000, (QMP_TIMEOUT_MS % 1000) * 1000 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *v, *vend, *mend;
	int ret = -1;

	if (max <= 0)
		return qmp_fail(&q, "no room for vCPU thread ids (max %d)", max);
	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return qmp_fail(&q, "socket path longer than %zu bytes", sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, sock_path);
	q.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q.fd < 0)
		return qmp_fail(&q, "socket: %s", strerror(errno));
	/* bounds connect() on a full backlog and send() on a full socket */
	setsockopt(q.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(q.fd, (struct sockaddr *)&sa, sizeof(sa))) {
		qmp_fail(&q, "cannot connect: %s (start QEMU with -qmp unix:%s,server=on,wait=off)",
			 strerror(errno), sock_path);
		goto out;
	}
	if (greeting(&q) || command(&q, "qmp_capabilities", &v, &vend, &mend))
		goto out;
	done_msg(&q, mend);
	if (command(&q, "query-cpus-fast", &v, &vend, &mend))
		goto out;
	ret = parse_cpus(&q, v, vend, tids, max);
out:
	close(q.fd);
	free(q.buf);
	return ret;
}
