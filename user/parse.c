// SPDX-License-Identifier: GPL-2.0
/*
 * Strict number and UTF-8 parsing. strtoull() is not used: it skips leading spaces, takes a
 * sign ("-1" becomes ULLONG_MAX) and depends on the locale, all of which would let a typo in
 * a config file or an option turn into a huge value instead of an error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "parse.h"

int parse_u64(const char *s, unsigned long long min, unsigned long long max,
	      unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = s;
	int over = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *p; p++) {
		unsigned int d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = *p - '0';
		/* keep scanning after an overflow: "99999999999999999999x" is not a number */
		if (v > (~0ull - d) / 10)
			over = 1;
		else
			v = v * 10 + d;
	}
	if (over || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned int cp, need, i;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		cp = s[0] & 0x07;
	} else {
		/* 0x80-0xc1: continuation or overlong 2-byte lead; 0xf5-0xff: beyond U+10FFFF */
		return 0;
	}
	if (n < need + 1)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

const char *parse_quote(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s), cut = 0, max = n < 48 ? n : 44;

	/* whole characters only; a control character becomes '?' (messages are one line) */
	while (cut < n && cut + 4 < len) {
		size_t l = utf8_seq_len((const unsigned char *)s + cut, n - cut);

		l = l ? l : 1;
		if (cut + l > max)
			break;
		if ((unsigned char)s[cut] < 0x20 || s[cut] == 0x7f)
			buf[cut] = '?';
		else
			memcpy(buf + cut, s + cut, l);
		cut += l;
	}
	snprintf(buf + cut, len - cut, "%s", cut < n ? "..." : "");
	return buf;
}
