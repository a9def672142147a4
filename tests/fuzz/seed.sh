#!/usr/bin/env bash
# Regenerates the seed corpus of every fuzz target under tests/fuzz/corpus/ (the output is
# committed; run this only to change it). Seeds come from data/errata.db, the fixture trees
# in tests/fixtures/, examples/scx_errata.conf and QEMU 7.2's own QMP replies, encoded the
# way each target reads its input (see the comment at the top of tests/fuzz/fuzz_*.c).
# Files are named after what they hold, so a regeneration only changes what changed.
set -euo pipefail
cd "$(dirname "$0")/../.."

rm -rf tests/fuzz/corpus
mkdir -p tests/fuzz/corpus

python3 - <<'EOF'
import os, re, struct

OUT = 'tests/fuzz/corpus'

def seed(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)

# ---- fuzz_errata_db: the shipped table, the test databases, single entries, errors -----
db = open('data/errata.db').read()
seed('fuzz_errata_db', 'errata.db', db)
for f in ('small.db', 'bad-range.db'):
    seed('fuzz_errata_db', f, open('tests/fixtures/db/' + f).read())
entries = re.split(r'\n(?=erratum )', db)[1:]
picked = {}
for e in entries:
    keys = tuple(sorted({l.split()[0] for l in e.splitlines() if l.strip() and not l.startswith('#')}))
    # one entry of each shape (which lines it has), e.g. arm+fixed, x86, dt, acpi
    picked.setdefault(keys, e)
for i, e in enumerate(picked.values()):
    eid = e.split()[1]
    seed('fuzz_errata_db', 'entry-' + re.sub(r'[^A-Za-z0-9_.-]', '_', eid), 'format 1\n' + e.strip() + '\n')
for name, text in {
    'empty': '',
    'format-2': 'format 2\n',
    'no-format': 'erratum 1\n',
    'crlf': 'format 1\r\nerratum X\r\nvendor arm\r\nclass cpu\r\nmanagement static\r\narm 0x41:0xd03 all\r\ndescription d\r\n',
    'x86-pe': 'format 1\nerratum P1\nvendor intel\nclass cpu\nmanagement dynamic\nx86 intel:6:0x97 0-2 p\nx86 amd:0x19:0x61 all any\ndescription x\n',
    'fixed-orphan': 'format 1\nerratum F\nvendor arm\nclass cpu\nmanagement static\nfixed r0p4 0x100\n',
}.items():
    seed('fuzz_errata_db', name, text)

# ---- fuzz_cpulist: lists from the fixtures and edge cases -------------------------------
lists = set()
for root, dirs, files in os.walk('tests/fixtures'):
    for f in files:
        if f in ('possible', 'online', 'shared_cpu_list', 'cpus'):
            lists.add(open(os.path.join(root, f)).read())
for i, l in enumerate(sorted(lists)[:8]):
    seed('fuzz_cpulist', 'fixture-%d' % i, l)
for name, text in {
    'empty': '', 'spaces': '  0-3,8  \n', 'max': '0-511', 'beyond': '512',
    'reversed': '3-1', 'double-comma': '0,,1', 'trailing-comma': '0,', 'huge': '99999999999999999999',
}.items():
    seed('fuzz_cpulist', name, text)

# ---- fuzz_cpu_types: 3 header bytes (cpus - 1, holes in 0-7, arch) + spec ---------------
for name, (n, holes, arch, spec) in {
    'big-little': (3, 0, 0, '0-1:big,2-3:little'),
    'interleaved': (3, 0, 0, '0,2:a76,1,3:a55'),
    'one-type': (7, 0, 1, '0-7:p-core'),
    'holes': (7, 0x06, 0, '0,3-7:mid'),
    'twice': (3, 0, 0, '0-2:big,2-3:little'),
    'missing': (3, 0, 0, '0-1:big'),
    'nine-types': (8, 0, 0, '0:a,1:b,2:c,3:d,4:e,5:f,6:g,7:h,8:i'),
    'same-name': (3, 0, 1, '0-1:e,2-3:e'),
    'bad-name': (1, 0, 0, '0:b!g,1:x'),
    'many-cpus': (255, 0, 0, '0-127:prime,128-255:little'),
}.items():
    seed('fuzz_cpu_types', name, bytes([n, holes, arch]) + spec.encode())

# ---- fuzz_host_tree: each fixture tree, encoded as in fuzz_host_tree.c ---------------
NODES = ['timer', 'timer@0', 'soc/timer', 'soc/timer@1c20c00', 'a/b/timer', 'a/b/c/timer',
         'a/b/c/d/timer', 'timerx', 'timer@', 'cpus/timer']
CPU = 'sys/devices/system/cpu/cpu(\\d+)/'
KINDS = [
    (0, 'sys/devices/system/cpu/possible'), (1, 'sys/devices/system/cpu/online'),
    (2, CPU + 'cpu_capacity'), (3, CPU + 'topology/physical_package_id'),
    (4, CPU + 'topology/die_id'), (5, CPU + 'topology/cluster_id'),
    (6, CPU + 'topology/core_id'), (7, CPU + 'regs/identification/midr_el1'),
    (8, CPU + 'regs/identification/revidr_el1'), (9, CPU + 'cache/index(\\d+)/type'),
    (10, CPU + 'cache/index(\\d+)/level'), (11, CPU + 'cache/index(\\d+)/shared_cpu_list'),
    (12, 'proc/cpuinfo'), (13, 'sys/devices/cpu_core/cpus'), (14, 'sys/devices/cpu_atom/cpus'),
    (15, 'sys/firmware/acpi/tables/GTDT'),
]

def record(kind, args, content, append=False):
    out = bytearray([kind | (0x20 if append else 0)]) + bytes(args)
    return bytes(out + bytes([len(content)]) + content)

def encode_tree(root, flags):
    out = bytearray([flags])
    for dirpath, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            data = open(path, 'rb').read()
            if rel == 'proc/cpuinfo':
                # only the lines the reader uses, so the seed stays small
                keep = ('processor', 'vendor_id', 'cpu family', 'model', 'stepping', 'CPU ')
                data = b''.join(l for l in data.splitlines(True)
                                if l.startswith(tuple(k.encode() for k in keep)) and not l.startswith(b'model name'))
            m = re.fullmatch('sys/firmware/devicetree/base/(.*)/([^/]+)', rel)
            if m and m.group(1) in NODES:
                node = NODES.index(m.group(1))
                if m.group(2) == 'compatible':
                    out += record(16, [node], data)
                else:
                    out += record(17, [node], m.group(2).encode())
                continue
            for kind, pat in KINDS:
                m = re.fullmatch(pat, rel)
                if not m:
                    continue
                args = [int(g) for g in m.groups()]
                if any(a > 255 for a in args):
                    break
                for off in range(0, max(len(data), 1), 255):
                    out += record(kind, args, data[off:off + 255], append=off > 0)
                break
    return bytes(out)

for i, fx in enumerate(sorted(os.listdir('tests/fixtures'))):
    root = os.path.join('tests/fixtures', fx)
    if not os.path.isdir(root) or fx == 'db':
        continue
    # alternate: reader only, then `info`, then `info --json`
    seed('fuzz_host_tree', fx, encode_tree(root, i % 3 and (1 | (i % 3 == 2) << 1)))

def chunks(kind, text):
    return b''.join(record(kind, [], text[o:o + 255], append=o > 0) for o in range(0, len(text), 255))

# a --cpu-types SPEC (kind 19) and a database of the input's own (kind 20) on top of a tree
small = open('tests/fixtures/db/small.db', 'rb').read()
seed('fuzz_host_tree', 'rk3399-types-db', encode_tree('tests/fixtures/rk3399', 3) +
     chunks(19, b'0-3:little,4-5:big') + chunks(20, small))
seed('fuzz_host_tree', 'd05-db', encode_tree('tests/fixtures/d05', 1) + chunks(20, small))
seed('fuzz_host_tree', 'alderlake-types', encode_tree('tests/fixtures/alderlake', 2) +
     chunks(19, b'0-7:p,8-15:e'))

# ---- fuzz_shm_file: 5 header bytes (flags, after-open actions, min_slots/5, size/8) ----
def hdr(magic=0x45584353, version=1, slot_size=64, slot_offset=4096, nr_slots=64, total=8192):
    return struct.pack('<7I', magic, version, 4096, total, nr_slots, slot_size, slot_offset)

def shm(flags, post, min5, size, content=b''):
    return bytes([flags, post, min5]) + struct.pack('<H', size // 8) + content

for name, data in {
    'blank': shm(0, 0, 0, 8192),
    'blank-publish': shm(0, 1 | 2 | 4, 0, 8192),
    'ours': shm(0, 1, 0, 8192, hdr()),
    'ours-truncated': shm(0, 1 | 8, 0, 8192, hdr()),
    'ours-replaced': shm(0, 1 | 16, 0, 8192, hdr()),
    'ours-readonly': shm(1, 0, 0, 8192, hdr()),
    'ours-record': shm(2, 1, 1, 8192, hdr()),
    'foreign-magic': shm(0, 0, 0, 8192, b'\x7fELF' + bytes(60)),
    'old-version': shm(0, 0, 0, 8192, hdr(version=2)),
    'foreign-layout': shm(0, 0, 0, 8192, hdr(slot_size=128)),
    'too-small': shm(0, 0, 0, 4096),
    'too-few-slots': shm(0, 0, 30, 8192),
    'absent-create': shm(8, 1, 0, 0),
    'absent-nocreate': shm(8 | 4, 0, 0, 0),
    'others-writable': shm(16, 0, 0, 8192),
    'foreign-owner': shm(0, 32, 0, 8192),
    'directory': shm(1 << 5, 0, 0, 8192),
    'symlink': shm(2 << 5, 0, 0, 8192, hdr()),
    'fifo': shm(3 << 5, 0, 0, 0),
}.items():
    seed('fuzz_shm_file', name, data)

# ---- fuzz_config: the example file and one seed per rule -------------------------------
seed('fuzz_config', 'example.conf', open('examples/scx_errata.conf').read())
for name, text in {
    'globals': 'mode = same-cpu\nmax-hold-ms = 0\nhold-budget-pct = 100\nslice-us = 100\nenforce = no\nstats = 3600\n'
               'shm-pattern = /dev/shm/vm.*\ncpu-types = 0-1:big,2-3:little\nerrata-db = /etc/e.db\nqmp = /run/q/*.sock\n',
    'vms': '[vm web1]\npath = /dev/shm/scx_errata.web1\nenforce = no\nmax-hold-ms = 10\nqmp = /run/web1.qmp\n[ vm  db ]\n',
    'same-path': '[vm a]\npath = /dev/shm/scx_errata.b\n[vm b]\n',
    'duplicate-key': 'mode = same-type\nmode = same-cpu\n',
    'global-in-vm': '[vm a]\nmode = same-cpu\n',
    'bad-utf8': 'mode = same-\xff\n'.encode('latin-1'),
    'long-value': 'cpu-types = ' + 'é' * 60 + '\n',
    'crlf': 'mode = same-type\r\n',
    'trailing': 'enforce = yes # no\n',
    'section-junk': '[vm a] x\n',
    'range': 'slice-us = 99\nmax-hold-ms = 18446744073709551616\n',
}.items():
    seed('fuzz_config', name, text)

# ---- fuzz_qmp: byte 0 = room for thread ids, then what QEMU sends ----------------------
GREETING = ('{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, '
            '"package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}\r\n')
CAPS = '{"return": {}}\r\n'
EVENT = ('{"timestamp": {"seconds": 1795297108, "microseconds": 441253}, "event": "RTC_CHANGE", '
         '"data": {"offset": 0, "qom-path": "/machine/unattached/device[3]"}}\r\n')
NASTY = '{"event": "X", "data": {"s": "}]{[\\"\\\\", "u": "\\u007d"}}\r\n'

def cpu(idx, tid):
    return ('{"thread-id": %d, "props": {"core-id": 0, "thread-id": 0, "socket-id": %d}, '
            '"qom-path": "/machine/unattached/device[%d]", "cpu-index": %d, "target": "x86_64"}'
            % (tid, idx, idx, idx))

def cpus(*c):
    return '{"return": [' + ', '.join(c) + ']}\r\n'

for name, (room, text) in {
    'two-vcpus': (64, GREETING + CAPS + cpus(cpu(0, 4242), cpu(1, 4243))),
    'events': (64, EVENT + GREETING + EVENT + CAPS + NASTY + cpus(cpu(0, 100))),
    'props-first': (8, GREETING + CAPS + '{"return": [{"props": {"thread-id": 9, "core-id": 1}, '
                    '"cpu-index": 1, "thread-id": 77}]}\r\n'),
    'unplugged': (8, GREETING + CAPS + cpus(cpu(0, 10), cpu(3, 13))),
    'index-beyond': (2, GREETING + CAPS + cpus(cpu(2, 10))),
    'twice': (8, GREETING + CAPS + cpus(cpu(0, 10), cpu(0, 11))),
    'error': (8, GREETING + CAPS + '{"error": {"class": "CommandNotFound", "desc": "The command query-cpus-fast has not been found"}}\r\n'),
    'not-json': (8, 'HTTP/1.1 400 Bad Request\r\n\r\n'),
    'truncated': (8, GREETING + CAPS + '{"return": [{"cpu-index": 0, "thread-id"'),
    'empty-list': (8, GREETING + CAPS + '{"return": []}\r\n'),
    'deep': (8, GREETING + '[' * 40 + ']' * 40),
}.items():
    seed('fuzz_qmp', name, bytes([room]) + text.encode())

# ---- fuzz_parse: byte 0 selects parse_u64, utf8_seq_len, vm_parse_spec, json ------------
for name, (sel, text) in {
    'u64-50': (0, b'50'), 'u64-max': (0, b'18446744073709551615'),
    'u64-over': (0, b'18446744073709551616'), 'u64-sign': (0, b'-1'), 'u64-zeros': (0, b'0050'),
    'utf8-mixed': (1, 'aé€😀'.encode() + b'\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82'),
    'spec-tids': (2, b'4242:/dev/shm/scx_errata.vm0:100,101,102'),
    'spec-path': (2, b'1:/dev/shm/scx_errata.web1'),
    'spec-bad': (2, b'0:relative:1,,2'),
    'json-escapes': (3, b'a"b\\c\n\r\t\x01\x1f\x7f' + 'é'.encode() + b'\xff'),
}.items():
    seed('fuzz_parse', name, bytes([sel]) + text)
EOF

n=$(find tests/fuzz/corpus -type f | wc -l)
echo "seed: $n files in tests/fuzz/corpus ($(du -sh tests/fuzz/corpus | cut -f1))"
