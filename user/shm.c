// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata shm create NAME --vcpus N [--owner USER] [--group GROUP]`: make a VM's shared
 * file before its VMM starts, the way a VMM running as another user (libvirt's qemu) can map
 * it: /dev/shm/scx_errata.NAME, a power-of-two size for N slots (ivshmem BARs), mode 0660,
 * laid out (fence not live) and then handed to USER:GROUP. Refuses to touch an existing
 * path, whatever it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "parse.h"
#include "shm.h"
#include "vm.h"

#define SHM_PREFIX	"/dev/shm/scx_errata."

static void usage(FILE *out)
{
	fprintf(out,
"usage: scx_errata shm create NAME --vcpus N [--owner USER] [--group GROUP]\n"
"Create the shared file " SHM_PREFIX "NAME for a VM with N vCPUs (1 to %u): mode 0660,\n"
"a power-of-two size (ivshmem BARs need one), laid out with the fence not live, owned by\n"
"USER:GROUP (default root) so that a VMM running as that user can map it. An existing\n"
"file is never touched. NAME: letters, digits, '_', '-', '.', at most 64, not starting with '.'.\n",
		SCXE_ABI_MAX_SLOTS);
}

static bool good_name(const char *n)
{
	size_t len = strlen(n);

	if (!len || len > 64 || n[0] == '.')
		return false;
	return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == len;
}

/* A user or group by name or number; -1 after a one-line error. */
static long lookup_id(const char *what, const char *s, bool user)
{
	unsigned long long v;

	if (!parse_u64(s, 0, 0x7fffffff, &v))
		return (long)v;
	if (user) {
		struct passwd *pw = getpwnam(s);

		if (pw)
			return pw->pw_uid;
	} else {
		struct group *gr = getgrnam(s);

		if (gr)
			return gr->gr_gid;
	}
	log_err("--%s '%s' is no %s on this host; give a name from /etc/%s or a number", what, s,
		user ? "user" : "group", user ? "passwd" : "group");
	return -1;
}

static int create(const char *name, __u32 vcpus, long uid, long gid)
{
	static const struct scxe_shm_hdr none;
	static struct vm vm;
	char err[PATH_MAX + 256];

	vm_reset(&vm);
	snprintf(vm.path, sizeof(vm.path), SHM_PREFIX "%s", name);
	if (!access(vm.path, F_OK) || errno != ENOENT) {
		log_err("%s exists; remove it first (rm %s) or pick another name", vm.path, vm.path);
		return 1;
	}
	vm.pid = getpid();
	if (vm_open(&vm, vcpus, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	/* laid out while it is still ours alone; only then handed to the VMM's user */
	if (vm_publish(&vm, &none, SCXE_MODE_SAME_TYPE, 0, false) ||
	    fchmod(vm.fd, 0660) || fchown(vm.fd, uid, gid)) {
		log_err("cannot prepare %s: %s", vm.path, strerror(errno));
		vm_close(&vm);
		unlink(vm.path);
		return 1;
	}
	printf("%s %zu bytes, %u vCPU slots, owner %ld:%ld, mode 0660\n", vm.path, vm.size,
	       vm.nr_slots, uid, gid);
	vm_close(&vm);
	return 0;
}

int shm_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vcpus", required_argument, NULL, 'n' },
		{ "owner", required_argument, NULL, 'o' },
		{ "group", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *owner = NULL, *group = NULL, *name;
	unsigned long long vcpus = 0;
	long uid = 0, gid = 0;
	int c;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		log_err("shm needs a command; the only one is 'create' (see 'scx_errata shm -h')");
		return 1;
	}
	if (strcmp(argv[1], "create")) {
		log_err("unknown shm command '%s'; the only one is 'create' (see 'scx_errata shm -h')", argv[1]);
		return 1;
	}
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:o:g:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, 1, SCXE_ABI_MAX_SLOTS, &vcpus)) {
				log_err("--vcpus '%s' is not a number from 1 to %u", optarg, SCXE_ABI_MAX_SLOTS);
				return 1;
			}
			break;
		case 'o':
			owner = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			log_err("option '%s' needs a value; see 'scx_errata shm -h'", argv[optind - 1]);
			return 1;
		default:
			log_err("unknown option '%s'; see 'scx_errata shm -h'", argv[optind - 1]);
			return 1;
		}
	}
	if (optind >= argc) {
		log_err("shm create needs a NAME; see 'scx_errata shm -h'");
		return 1;
	}
	if (optind < argc - 1) {
		log_err("unexpected argument '%s'; see 'scx_errata shm -h'", argv[optind + 1]);
		return 1;
	}
	name = argv[optind];
	if (!good_name(name)) {
		log_err("'%s' is not a VM name: letters, digits, '_', '-', '.', at most 64, not starting with '.'", name);
		return 1;
	}
	if (!vcpus) {
		log_err("shm create needs --vcpus N (the VM's vCPU count)");
		return 1;
	}
	if (owner && (uid = lookup_id("owner", owner, true)) < 0)
		return 1;
	if (group && (gid = lookup_id("group", group, false)) < 0)
		return 1;
	if (geteuid()) {
		log_err("shm create needs root (it creates the file for another user's VMM)");
		return 1;
	}
	return create(name, vcpus, uid, gid);
}
