// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the VMMs to pair without being told: a process is a VMM of ours when it maps a
 * shared file matching the pattern (/dev/shm/scx_errata.* by default) MAP_SHARED, as QEMU's
 * memory-backend-file, Cloud Hypervisor's --ivshmem and crosvm's file mappings do. The file
 * it maps is the VM's shared file. And which QEMU listens on a QMP socket: its peer pid.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "discover.h"

int discover_shm_of(pid_t pid, const char *pattern, char *path, size_t len)
{
	char maps[64], line[PATH_MAX + 256];
	int found = 0;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char perms[8], *file;
		int off = 0;

		/* address perms offset dev inode path: the path starts after the fifth field */
		if (sscanf(line, "%*s %7s %*s %*s %*s %n", perms, &off) != 1 || !off || perms[3] != 's')
			continue;
		file = line + off;
		file[strcspn(file, "\n")] = '\0';
		/* a file the VMM unlinked after mapping it: there is nothing at that path to pair */
		if (strlen(file) > 10 && !strcmp(file + strlen(file) - 10, " (deleted)"))
			continue;
		if (file[0] != '/' || fnmatch(pattern, file, FNM_PATHNAME))
			continue;
		snprintf(path, len, "%s", file);
		found = 1;
	}
	fclose(f);
	return found;
}

void discover_scan(const char *pattern, void (*cb)(void *arg, pid_t pid, const char *path), void *arg)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while ((de = readdir(d))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (pid > 0 && pid != getpid() && discover_shm_of(pid, pattern, path, sizeof(path)) == 1)
			cb(arg, pid, path);
	}
	closedir(d);
}

/* The process listening on a unix socket, from its credentials; 0 when unknown. */
static pid_t socket_peer(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	pid_t pid = 0;
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return 0;
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		pid = cred.pid;
	close(fd);
	return pid;
}

int discover_qmp_for(pid_t pid, const char *pattern, char *path, size_t len)
{
	glob_t g;
	int found = 0;

	if (!pattern[0] || glob(pattern, GLOB_NOSORT, NULL, &g))
		return 0;
	for (size_t i = 0; !found && i < g.gl_pathc; i++)
		if (socket_peer(g.gl_pathv[i]) == pid) {
			snprintf(path, len, "%s", g.gl_pathv[i]);
			found = 1;
		}
	globfree(&g);
	return found;
}
