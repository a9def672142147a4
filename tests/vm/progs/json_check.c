// SPDX-License-Identifier: GPL-2.0
/*
 * json_check: strict JSON validator and query tool for the VM test scripts. The guest is a
 * busybox system with neither python nor jq, yet the tests must check that what the daemon
 * prints with --json is JSON at all and what a few of its fields hold:
 *
 *   json_check [--get PATH | --len PATH]... [-h]    < one JSON text
 *
 * The input is checked against RFC 8259 with nothing tolerated, because a test that accepts
 * what a lenient parser accepts would let the daemon ship output that jq or python reject
 * on a real host: one value with optional whitespace around it, strings in valid UTF-8
 * with valid escapes (a \uXXXX surrogate only as a high + low pair), numbers in the exact
 * grammar, at most MAX_DEPTH nested arrays and objects. The first error ends the program
 * with one line "json_check: invalid JSON at byte N: what" (N counted from 0), exit 1.
 *
 * Every --get / --len is then answered in command-line order, one stdout line each; a PATH
 * that leads nowhere prints nothing there, a line on stderr, and makes the exit status 3,
 * so one call can fetch several fields and a shell test can still compare them all at once.
 *
 * The input is parsed twice on purpose: the validator has to look at every byte anyway, and
 * once it has passed, the queries walk the text with helpers that can trust the grammar and
 * need no tree, so memory stays the input buffer whatever the shape of the document.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG		"json_check"
#define MAX_INPUT	(16u << 20)	/* daemon output is kilobytes; this bounds a runaway */
#define MAX_DEPTH	64		/* also bounds the validator's recursion */
#define NONE		SIZE_MAX	/* "no value" as a position in the input */

#define EXIT_INVALID	1
#define EXIT_USAGE	2
#define EXIT_MISSING	3

/* one --get or --len, kept in command-line order */
struct query {
	bool len;
	const char *path;
};

/* a growing buffer for decoded strings, reused so a query allocates once, not per key */
struct buf {
	char *p;
	size_t len, cap;
};

/* the whole input; queries print slices of it, so it stays in one piece */
static const unsigned char *in;
static size_t in_len;

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " [--get PATH | --len PATH]... [-h]    < JSON\n"
"\n"
"Reads one JSON text (RFC 8259, at most 16 MiB) from stdin and checks it strictly.\n"
"  --get PATH  print the value at PATH on its own line: a string unquoted and unescaped\n"
"              (UTF-8), a number as written, true/false/null, an object or array as its\n"
"              JSON text with the whitespace removed\n"
"  --len PATH  print the number of elements of the array or members of the object at PATH\n"
"  -h, --help  print this help\n"
"--get and --len repeat and are answered in order. PATH is dot-separated, each part an\n"
"object member name or, in an array, a decimal index from 0 (vms.0.vcpus.1.armed); the\n"
"empty PATH is the whole value; names containing '.' cannot be reached. Of duplicate\n"
"names the last one is found, but --len counts every member as written.\n"
"Exit status: 0 valid and every PATH found; 1 invalid JSON (\"" PROG ": invalid JSON at\n"
"byte N: ...\" on stderr, N counted from 0); 2 bad usage or I/O error; 3 a PATH has no\n"
"value (--len: no array or object), reported on stderr.\n");
}

static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (" PROG " -h for usage)\n", stderr);
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn, format(printf, 1, 2))) fatal(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/*
 * Exiting at the first error rather than unwinding keeps every parse function a plain
 * "returns the end of what it parsed": there is nothing to clean up and one error to tell.
 */
static void __attribute__((noreturn, format(printf, 2, 3))) invalid(size_t at, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": invalid JSON at byte %zu: ", at);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_INVALID);
}

/* what is at byte at, for messages; raw bytes would garble the one-line error */
static const char *found(size_t at, char *s, size_t size)
{
	unsigned char c;

	if (at >= in_len)
		return "end of input";
	c = in[at];
	if (c > ' ' && c < 0x7f)
		snprintf(s, size, "'%c'", c);
	else
		snprintf(s, size, "byte 0x%02x", c);
	return s;
}

#define FOUND(at)	found(at, fbuf, sizeof(fbuf))

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static size_t skip_ws(size_t i)
{
	while (i < in_len && is_ws(in[i]))
		i++;
	return i;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- validation: every function takes the start of its token and returns its end ---- */

static size_t parse_value(size_t i, int depth);

/* the 4 hex digits from i, as \u wants them */
static unsigned int parse_hex4(size_t i)
{
	char fbuf[16];
	unsigned int v = 0;
	int k, h;

	for (k = 0; k < 4; k++) {
		h = i + k < in_len ? hex_value(in[i + k]) : -1;
		if (h < 0)
			invalid(i + k, "expected 4 hex digits after \\u, found %s", FOUND(i + k));
		v = v << 4 | h;
	}
	return v;
}

/*
 * A \u escape names a UTF-16 code unit: a surrogate only means something as a high + low
 * pair, and a lone one cannot be turned into UTF-8, so --get could not print it.
 */
static size_t parse_escape(size_t i)
{
	char fbuf[16];
	unsigned int cu;

	if (i + 1 >= in_len)
		invalid(i + 1, "end of input inside an escape sequence");
	switch (in[i + 1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		return i + 2;
	case 'u':
		break;
	default:
		invalid(i, "invalid escape: backslash followed by %s", FOUND(i + 1));
	}
	cu = parse_hex4(i + 2);
	if (cu >= 0xdc00 && cu <= 0xdfff)
		invalid(i, "lone low surrogate \\u%.4s", (const char *)in + i + 2);
	if (cu < 0xd800 || cu > 0xdbff)
		return i + 6;
	if (i + 7 < in_len && in[i + 6] == '\\' && in[i + 7] == 'u') {
		cu = parse_hex4(i + 8);
		if (cu >= 0xdc00 && cu <= 0xdfff)
			return i + 12;
	}
	invalid(i, "high surrogate \\u%.4s not followed by a low surrogate \\uDC00-\\uDFFF",
		(const char *)in + i + 2);
}

/*
 * RFC 8259 section 8.1 requires UTF-8, and RFC 3629 UTF-8 is narrower than "lead byte plus
 * continuation bytes": the allowed range of the second byte is what excludes overlong forms,
 * the UTF-16 surrogates U+D800-U+DFFF and code points above U+10FFFF.
 */
static size_t parse_utf8(size_t i)
{
	unsigned char c = in[i], lo = 0x80, hi = 0xbf, b;
	int more, k;

	if (c >= 0xc2 && c <= 0xdf)
		more = 1;
	else if (c >= 0xe0 && c <= 0xef)
		more = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		more = 3;
	else if (c == 0xc0 || c == 0xc1)
		invalid(i, "overlong UTF-8 encoding (byte 0x%02x)", c);
	else
		invalid(i, "invalid UTF-8: byte 0x%02x cannot start a character", c);

	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;

	for (k = 1; k <= more; k++, lo = 0x80, hi = 0xbf) {
		if (i + k >= in_len)
			invalid(i + k, "end of input inside a UTF-8 character");
		b = in[i + k];
		if (b >= lo && b <= hi)
			continue;
		/* a continuation byte outside the narrowed range: say which rule it breaks */
		if (b >= 0x80 && b <= 0xbf && (c == 0xe0 || c == 0xf0))
			invalid(i, "overlong UTF-8 encoding");
		if (b >= 0x80 && b <= 0xbf && c == 0xed)
			invalid(i, "UTF-8 encoded surrogate (U+D800-U+DFFF)");
		if (b >= 0x80 && b <= 0xbf && c == 0xf4)
			invalid(i, "UTF-8 character above U+10FFFF");
		invalid(i + k, "invalid UTF-8: byte 0x%02x is not a continuation byte", b);
	}
	return i + more + 1;
}

static size_t parse_string(size_t i)
{
	size_t start = i++;
	unsigned char c;

	for (;;) {
		if (i >= in_len)
			invalid(i, "end of input inside the string starting at byte %zu", start);
		c = in[i];
		if (c == '"')
			return i + 1;
		if (c == '\\')
			i = parse_escape(i);
		else if (c < 0x20)
			invalid(i, "control character 0x%02x in string (must be escaped)", c);
		else if (c < 0x80)
			i++;
		else
			i = parse_utf8(i);
	}
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and nothing else: no +, no .5, no 1. */
static size_t parse_number(size_t i)
{
	char fbuf[16];

	if (in[i] == '-')
		i++;
	if (i >= in_len || !is_digit(in[i]))
		invalid(i, "expected a digit after '-', found %s", FOUND(i));
	if (in[i] == '0') {
		if (++i < in_len && is_digit(in[i]))
			invalid(i - 1, "leading zero in number");
	} else {
		while (i < in_len && is_digit(in[i]))
			i++;
	}
	if (i < in_len && in[i] == '.') {
		if (++i >= in_len || !is_digit(in[i]))
			invalid(i, "expected a digit after '.' in number, found %s", FOUND(i));
		while (i < in_len && is_digit(in[i]))
			i++;
	}
	if (i < in_len && (in[i] == 'e' || in[i] == 'E')) {
		if (++i < in_len && (in[i] == '+' || in[i] == '-'))
			i++;
		if (i >= in_len || !is_digit(in[i]))
			invalid(i, "expected a digit in exponent, found %s", FOUND(i));
		while (i < in_len && is_digit(in[i]))
			i++;
	}
	return i;
}

static size_t parse_literal(size_t i, const char *word)
{
	char fbuf[16];
	size_t k;

	/* point at the first wrong byte, not the start, so "nul" and "nulL" say where */
	for (k = 0; word[k]; k++)
		if (i + k >= in_len || in[i + k] != (unsigned char)word[k])
			invalid(i + k, "expected '%s', found %s", word, FOUND(i + k));
	return i + k;
}

static size_t parse_object(size_t i, int depth)
{
	char fbuf[16];
	size_t comma;

	i = skip_ws(i + 1);
	if (i < in_len && in[i] == '}')
		return i + 1;
	for (;;) {
		if (i >= in_len || in[i] != '"')
			invalid(i, "expected '\"' to start a member name, found %s", FOUND(i));
		i = skip_ws(parse_string(i));
		if (i >= in_len || in[i] != ':')
			invalid(i, "expected ':' after member name, found %s", FOUND(i));
		i = skip_ws(parse_value(skip_ws(i + 1), depth));
		if (i < in_len && in[i] == '}')
			return i + 1;
		if (i >= in_len || in[i] != ',')
			invalid(i, "expected ',' or '}' after object member, found %s", FOUND(i));
		comma = i;
		i = skip_ws(i + 1);
		/* the commonest hand-written mistake gets its own message */
		if (i < in_len && in[i] == '}')
			invalid(comma, "trailing comma in object");
	}
}

static size_t parse_array(size_t i, int depth)
{
	char fbuf[16];
	size_t comma;

	i = skip_ws(i + 1);
	if (i < in_len && in[i] == ']')
		return i + 1;
	for (;;) {
		i = skip_ws(parse_value(i, depth));
		if (i < in_len && in[i] == ']')
			return i + 1;
		if (i >= in_len || in[i] != ',')
			invalid(i, "expected ',' or ']' after array element, found %s", FOUND(i));
		comma = i;
		i = skip_ws(i + 1);
		if (i < in_len && in[i] == ']')
			invalid(comma, "trailing comma in array");
	}
}

/* depth counts the arrays and objects around i; the limit keeps the recursion bounded */
static size_t parse_value(size_t i, int depth)
{
	char fbuf[16];

	if (i >= in_len)
		invalid(i, "expected a value, found end of input");
	switch (in[i]) {
	case '{':
	case '[':
		if (depth >= MAX_DEPTH)
			invalid(i, "nesting deeper than %d levels", MAX_DEPTH);
		return in[i] == '{' ? parse_object(i, depth + 1) : parse_array(i, depth + 1);
	case '"':
		return parse_string(i);
	case '-':
	case '0' ... '9':
		return parse_number(i);
	case 't':
		return parse_literal(i, "true");
	case 'f':
		return parse_literal(i, "false");
	case 'n':
		return parse_literal(i, "null");
	}
	invalid(i, "expected a value, found %s", FOUND(i));
}

static void validate(void)
{
	char fbuf[16];
	size_t i;

	/* RFC 8259 8.1 lets parsers skip a BOM; no producer may add one, so strict rejects it */
	if (in_len >= 3 && !memcmp(in, "\xef\xbb\xbf", 3))
		invalid(0, "byte order mark before the value");
	i = skip_ws(0);
	if (i >= in_len)
		invalid(i, in_len ? "no value, only whitespace" : "empty input");
	i = skip_ws(parse_value(i, 0));
	if (i < in_len)
		invalid(i, "unexpected data after the JSON value, found %s", FOUND(i));
}

/* ---- queries: the input is valid from here on, so these trust the grammar ---- */

static size_t skip_string(size_t i)
{
	for (i++; in[i] != '"'; i++)
		if (in[i] == '\\')
			i++;	/* an escaped quote or backslash does not end the string */
	return i + 1;
}

/* the end of the value starting at i */
static size_t skip_value(size_t i)
{
	int depth = 0;

	switch (in[i]) {
	case '"':
		return skip_string(i);
	case '{':
	case '[':
		/* brackets inside strings do not count, hence stepping over strings whole */
		do {
			if (in[i] == '"') {
				i = skip_string(i);
				continue;
			}
			if (in[i] == '{' || in[i] == '[')
				depth++;
			else if (in[i] == '}' || in[i] == ']')
				depth--;
			i++;
		} while (depth);
		return i;
	default:
		while (i < in_len && !is_ws(in[i]) && in[i] != ',' && in[i] != ']' && in[i] != '}')
			i++;
		return i;
	}
}

static void buf_reserve(struct buf *b, size_t size)
{
	if (size <= b->cap)
		return;
	b->p = realloc(b->p, size);
	if (!b->p)
		fatal("out of memory");
	b->cap = size;
}

static size_t utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | cp >> 6;
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | cp >> 12;
		o[1] = 0x80 | (cp >> 6 & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | cp >> 18;
	o[1] = 0x80 | (cp >> 12 & 0x3f);
	o[2] = 0x80 | (cp >> 6 & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

static uint32_t hex4(size_t i)
{
	return hex_value(in[i]) << 12 | hex_value(in[i + 1]) << 8 |
	       hex_value(in[i + 2]) << 4 | hex_value(in[i + 3]);
}

/*
 * The string starting at i, unescaped into b. No escape decodes to more bytes than it is
 * written with (\uXXXX: 6 -> at most 3, a surrogate pair: 12 -> 4), so the raw length is
 * enough room and the loop needs no bounds checks.
 */
static void decode_string(size_t i, struct buf *b)
{
	size_t end = skip_string(i) - 1;
	uint32_t cp;
	char *o;

	buf_reserve(b, end - i);
	o = b->p;
	for (i++; i < end; ) {
		if (in[i] != '\\') {
			*o++ = in[i++];
			continue;
		}
		switch (in[i + 1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			cp = hex4(i + 2);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* validation made sure a low surrogate escape follows */
				cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(i + 8) - 0xdc00);
				i += 6;
			}
			o += utf8_put(o, cp);
			i += 6;
			continue;
		default: *o++ = in[i + 1]; break;	/* \" \\ \/ */
		}
		i += 2;
	}
	b->len = o - b->p;
}

/* the value of the last member called name[0..len) of the object at i, or NONE */
static size_t member(size_t i, const char *name, size_t len, struct buf *key)
{
	size_t val, hit = NONE;

	i = skip_ws(i + 1);
	if (in[i] == '}')
		return NONE;
	for (;;) {
		decode_string(i, key);
		val = skip_ws(skip_ws(skip_string(i)) + 1);
		/* duplicates are legal but meaningless; the last wins, as in jq and JavaScript */
		if (key->len == len && !memcmp(key->p, name, len))
			hit = val;
		i = skip_ws(skip_value(val));
		if (in[i] == '}')
			return hit;
		i = skip_ws(i + 1);
	}
}

/* element s[0..len) (canonical decimal) of the array at i, or NONE */
static size_t element(size_t i, const char *s, size_t len)
{
	size_t k, idx = 0;

	/*
	 * 9 digits are plenty: 16 MiB of input cannot hold 10^9 elements. "01" and "+1" are
	 * not indexes, so each element has exactly one PATH.
	 */
	if (!len || len > 9 || (s[0] == '0' && len > 1))
		return NONE;
	for (k = 0; k < len; k++) {
		if (!is_digit(s[k]))
			return NONE;
		idx = idx * 10 + (s[k] - '0');
	}
	i = skip_ws(i + 1);
	if (in[i] == ']')
		return NONE;
	for (;;) {
		if (!idx--)
			return i;
		i = skip_ws(skip_value(i));
		if (in[i] == ']')
			return NONE;
		i = skip_ws(i + 1);
	}
}

/* the start of the value at path, or NONE */
static size_t lookup(const char *path, struct buf *key)
{
	size_t v = skip_ws(0), len;
	const char *dot;

	if (!*path)
		return v;
	for (;;) {
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if (in[v] == '{')
			v = member(v, path, len, key);
		else if (in[v] == '[')
			v = element(v, path, len);
		else
			return NONE;
		if (v == NONE || !dot)
			return v;
		path = dot + 1;
	}
}

/*
 * Members of the object or elements of the array at i, as written: duplicate names count,
 * since telling them apart would need a set of names for no test that wants one.
 */
static size_t count(size_t i)
{
	unsigned char close = in[i] == '{' ? '}' : ']';
	size_t n = 0;

	i = skip_ws(i + 1);
	if (in[i] == close)
		return 0;
	for (;;) {
		n++;
		i = skip_ws(skip_value(i));
		if (in[i] == ':')	/* that was a member name; step over its value too */
			i = skip_ws(skip_value(skip_ws(i + 1)));
		if (in[i] == close)
			return n;
		i = skip_ws(i + 1);
	}
}

/* in[i..end) without the whitespace between tokens; strings are copied as written */
static void print_compact(size_t i, size_t end)
{
	size_t run = i;

	while (i < end) {
		if (in[i] == '"') {
			i = skip_string(i);
		} else if (is_ws(in[i])) {
			fwrite(in + run, 1, i - run, stdout);
			while (i < end && is_ws(in[i]))
				i++;
			run = i;
		} else {
			i++;
		}
	}
	fwrite(in + run, 1, end - run, stdout);
}

static int answer(const struct query *q, struct buf *key)
{
	size_t v = lookup(q->path, key);

	if (v == NONE) {
		fprintf(stderr, PROG ": no value at %s\n", q->path);
		return EXIT_MISSING;
	}
	if (q->len) {
		if (in[v] != '{' && in[v] != '[') {
			fprintf(stderr, PROG ": no array or object at %s\n", q->path);
			return EXIT_MISSING;
		}
		printf("%zu\n", count(v));
	} else if (in[v] == '"') {
		decode_string(v, key);
		fwrite(key->p, 1, key->len, stdout);
		putchar('\n');
	} else {
		print_compact(v, skip_value(v));
		putchar('\n');
	}
	return 0;
}

/* all of stdin; one byte past the limit is read so that "too long" can be told apart */
static void read_input(void)
{
	size_t cap = 64 << 10, len = 0;
	unsigned char *p = NULL;
	ssize_t r;

	for (;;) {
		if (!p || len == cap) {
			cap = p ? cap * 2 : cap;
			if (cap > MAX_INPUT + 1)
				cap = MAX_INPUT + 1;
			p = realloc(p, cap);
			if (!p)
				fatal("out of memory");
		}
		r = read(STDIN_FILENO, p + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fatal("read stdin: %s", strerror(errno));
		if (!r)
			break;
		len += r;
		if (len > MAX_INPUT) {
			in = p;
			in_len = len;
			invalid(MAX_INPUT, "input longer than %u bytes (16 MiB)", MAX_INPUT);
		}
	}
	in = p;
	in_len = len;
}

int main(int argc, char **argv)
{
	struct query *q = calloc(argc, sizeof(*q));
	struct buf key = {};
	int i, nq = 0, ret = 0, r;

	if (!q)
		fatal("out of memory");
	/*
	 * A hand-rolled loop rather than getopt_long: getopt would accept abbreviations and
	 * reorder arguments, and its messages are not the one line a failing test should show.
	 */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (strncmp(a, "--get", 5) && strncmp(a, "--len", 5))
			bad_usage("%s '%s'", a[0] == '-' ? "unknown option" :
				  "unexpected argument", a);
		q[nq].len = a[2] == 'l';
		if (a[5] == '=') {
			q[nq].path = a + 6;
		} else if (!a[5]) {
			if (i + 1 >= argc)
				bad_usage("%s needs a PATH", a);
			q[nq].path = argv[++i];
		} else {
			bad_usage("unknown option '%s'", a);
		}
		nq++;
	}

	read_input();
	validate();

	for (i = 0; i < nq; i++) {
		r = answer(&q[i], &key);
		if (r)
			ret = r;
	}
	/* a test comparing our output must not see a silently truncated answer as an answer */
	if (fflush(stdout) || ferror(stdout))
		fatal("write stdout: %s", strerror(errno));
	free(key.p);
	free(q);
	free((void *)in);
	return ret;
}
