// SPDX-License-Identifier: GPL-2.0
/*
 * The small shared parsers, each against an independent reference: byte 0 selects
 *   0: parse_u64 (decimal digits only, any range) vs. a 128-bit reference
 *   1: utf8_seq_len vs. "decodes to a code point whose shortest encoding is these bytes"
 *   2: vm_parse_spec ("PID:PATH[:TID,...]"): accepted specs hold what they promise
 *   3: json_write_string: the output is one valid JSON string in UTF-8
 * and the rest of the input is the text.
 */
#include "fuzz.h"
#include "json.h"
#include "parse.h"
#include "vm.h"

static struct vm vm;

static void check_u64(const char *s)
{
	static const unsigned long long bounds[][2] = {
		{ 0, ~0ull }, { 1, 4194304 }, { 100, 1000000 }, { 5, 5 },
	};
	unsigned __int128 ref = 0;
	bool digits = *s != '\0';

	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9') {
			digits = false;
			break;
		}
		ref = ref * 10 + (*p - '0');
		if (ref > ~0ull)
			ref = (unsigned __int128)~0ull + 1;	/* saturate: out of any range */
	}
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		unsigned long long out = 12345, lo = bounds[i][0], hi = bounds[i][1];
		int rc = parse_u64(s, lo, hi, &out), want;

		want = !digits ? -EINVAL : ref < lo || ref > hi ? -ERANGE : 0;
		if (rc != want || (rc == 0 && out != (unsigned long long)ref) || (rc && out != 12345))
			fuzz_die("parse_u64('%s', %llu, %llu) = %d (%llu), expected %d", s, lo, hi, rc,
				 out, want);
	}
}

/* the reference: the shortest UTF-8 encoding of cp */
static size_t encode(unsigned int cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* length of the valid sequence at s: some n whose bits decode to a cp encoding back to s */
static size_t ref_utf8(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };

	for (size_t len = 1; len <= 4 && len <= n; len++) {
		unsigned int cp = s[0] & lead_mask[len];
		unsigned char enc[4];

		for (size_t i = 1; i < len; i++)
			cp = cp << 6 | (s[i] & 0x3f);
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			continue;
		if (encode(cp, enc) == len && !memcmp(enc, s, len))
			return len;
	}
	return 0;
}

static void check_utf8(const uint8_t *s, size_t n)
{
	for (size_t off = 0; off < n; off++) {
		size_t got = utf8_seq_len(s + off, n - off), want = ref_utf8(s + off, n - off);

		if (got != want)
			fuzz_die("utf8_seq_len at byte %zu = %zu, the reference says %zu", off, got, want);
	}
}

static void check_spec(const char *s)
{
	char err[512] = "";

	if (vm_parse_spec(s, &vm, err, sizeof(err))) {
		if (!err[0])
			fuzz_die("vm_parse_spec refused '%s' without a reason", s);
		return;
	}
	if (vm.pid < 1 || vm.pid > 4194304 || vm.path[0] != '/' ||
	    strnlen(vm.path, sizeof(vm.path)) == sizeof(vm.path) ||
	    vm.nr_tids < 0 || vm.nr_tids > (int)SCXE_ABI_MAX_SLOTS || vm.fd != -1)
		fuzz_die("vm_parse_spec accepted '%s' as pid %d path %s, %d tids", s, vm.pid,
			 vm.path, vm.nr_tids);
	for (int i = 0; i < vm.nr_tids; i++)
		if (vm.explicit_tids[i] < 1 || vm.explicit_tids[i] > 4194304)
			fuzz_die("tid %d of '%s' is %d", i, s, vm.explicit_tids[i]);
}

static void check_json(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const unsigned char *p, *end;

	if (!f)
		fuzz_die("open_memstream failed");
	json_write_string(f, s);
	fclose(f);
	p = (const unsigned char *)out;
	end = p + len;
	if (len < 2 || p[0] != '"' || end[-1] != '"')
		fuzz_die("json_write_string gave '%s'", out);
	for (p++, end--; p < end; ) {
		size_t l = ref_utf8(p, end - p);

		if (*p == '\\') {
			if (p + 1 >= end)
				fuzz_die("dangling escape in '%s'", out);
			if (p[1] == 'u') {
				if (end - p < 6 || strspn((const char *)p + 2, "0123456789abcdefABCDEF") < 4)
					fuzz_die("bad \\u escape in '%s'", out);
				p += 6;
			} else if (strchr("\"\\/bfnrt", p[1]) && p[1]) {
				p += 2;
			} else {
				fuzz_die("bad escape in '%s'", out);
			}
			continue;
		}
		if (!l || *p < 0x20 || *p == '"')
			fuzz_die("byte 0x%02x unescaped or not UTF-8 in '%s'", *p, out);
		p += l;
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	switch (data[0] & 3) {
	case 0:
		check_u64(s);
		break;
	case 1:
		check_utf8(data + 1, size - 1);
		break;
	case 2:
		check_spec(s);
		break;
	case 3:
		check_json(s);
		break;
	}
	free(s);
	return 0;
}
