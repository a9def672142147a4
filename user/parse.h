/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict text parsing shared by the command line and the config file, so that "50", " 50",
 * "+50" and "50ms" mean the same thing (or fail the same way) wherever a number is read.
 */
#ifndef SCXE_PARSE_H
#define SCXE_PARSE_H

#include <stddef.h>

/*
 * A decimal number from min to max: digits only (no sign, no spaces, no 0x, nothing after
 * the last digit). Leading zeros are decimal, not octal. Returns 0 with *out set, -EINVAL
 * when s is not a decimal number, -ERANGE when it is one outside min..max (an overflow of
 * 64 bits included). *out is untouched on error.
 */
int parse_u64(const char *s, unsigned long long min, unsigned long long max,
	      unsigned long long *out);

/*
 * Length (1 to 4) of the well-formed UTF-8 sequence at s (at most n bytes), or 0 when it is
 * not one: a stray continuation byte, a truncated sequence, an overlong form, a surrogate
 * or a code point above U+10FFFF. A NUL byte is a valid sequence of length 1.
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/*
 * s as quoted in a one-line message: whole when shorter than 48 bytes, else its first bytes
 * cut on a character boundary and "..." (an argument of 5000 bytes must not push the
 * message's point and hint out of sight); control characters become '?'. Returns buf;
 * len >= 52 holds any result.
 */
const char *parse_quote(const char *s, char *buf, size_t len);

#endif
