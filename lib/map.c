/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * map.c - mapping the shared region: a /dev/shm or hugetlbfs file, a sealed
 * memfd, or a PCI BAR resource file (ivshmem BAR 2). All take one path: the
 * size is checked with fstat before mmap, and only the bytes the local
 * layout needs (rounded up to the file's block: a huge page on hugetlbfs)
 * are mapped.
 *
 * Containment of SIGBUS (docs/security.md). A peer that can truncate the
 * file makes the next access to the lost pages raise SIGBUS. Every mapping
 * the library makes is registered here; the library's SIGBUS handler looks
 * the faulting address up and, if it lies in a registered mapping, replaces
 * that whole mapping with anonymous zero pages (one mmap with MAP_FIXED, an
 * async-signal-safe system call) and marks it lost. The faulting access then
 * completes on zeros, and the next call on that endpoint fails its own
 * queues with FOLIO_ELOST. A fault at any other address goes to the handler
 * that was installed before (or to the default action, which ends the
 * process as it would have without the library).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef FOLIO_HAVE_NUMA
#include <numa.h>
#endif

#include "internal.h"

/* Mappings live at once in one process: endpoints of hostd, the PMD, tests.
 * A slot is free while its base is NULL. */
#define FL_MAX_MAPS 256u

static struct fl_map maps[FL_MAX_MAPS];
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction prev_bus; /* the handler before ours */

static void sigbus_chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl;

	if (prev_bus.sa_flags & SA_SIGINFO) {
		if (prev_bus.sa_sigaction) {
			prev_bus.sa_sigaction(sig, si, uc);
			return;
		}
	} else if (prev_bus.sa_handler != SIG_DFL &&
		   prev_bus.sa_handler != SIG_IGN) {
		prev_bus.sa_handler(sig);
		return;
	}
	/* Nobody else wants it: the default action. The faulting access runs
	 * again on return and the process dies of SIGBUS, as it would have. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGBUS, &dfl, NULL);
}

static void fl_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	int saved = errno;

	for (unsigned i = 0; i < FL_MAX_MAPS; i++) {
		uint8_t *base = __atomic_load_n(&maps[i].base, __ATOMIC_ACQUIRE);
		uint64_t len = __atomic_load_n(&maps[i].len, __ATOMIC_RELAXED);

		if (!base || a - (uintptr_t)base >= len)
			continue;
		/* Zero pages over the whole mapping: the channel reads as a
		 * region nobody has written, and both sides stop using it. */
		if (mmap(base, (size_t)len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
			 -1, 0) == MAP_FAILED)
			break;
		__atomic_store_n(&maps[i].lost, 1, __ATOMIC_RELEASE);
		errno = saved;
		return;
	}
	errno = saved;
	sigbus_chain(sig, si, uc);
}

/* (Re)install the handler if someone replaced it since; the replacement
 * becomes the handler we chain to. Called with maps_lock held. */
static int sigbus_install(void)
{
	struct sigaction cur, sa;

	if (sigaction(SIGBUS, NULL, &cur))
		return -errno;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == fl_sigbus)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fl_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	prev_bus = cur;
	if (sigaction(SIGBUS, &sa, NULL))
		return -errno;
	return 0;
}

static struct fl_map *map_register(uint8_t *base, uint64_t len)
{
	struct fl_map *m = NULL;

	pthread_mutex_lock(&maps_lock);
	for (unsigned i = 0; i < FL_MAX_MAPS && !m; i++)
		if (!maps[i].base)
			m = &maps[i];
	if (m && !sigbus_install()) {
		__atomic_store_n(&m->lost, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&m->len, len, __ATOMIC_RELAXED);
		__atomic_store_n(&m->base, base, __ATOMIC_RELEASE);
	} else {
		m = NULL;
	}
	pthread_mutex_unlock(&maps_lock);
	return m;
}

int fl_map_fd(int fd, uint64_t need, struct fl_map **out)
{
	struct stat st;
	uint64_t blk, len;
	void *p;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		fl_log(FOLIO_LOG_ERR, "region is not a regular file");
		return -EINVAL;
	}
	if ((uint64_t)st.st_size < need) {
		fl_log(FOLIO_LOG_ERR, "region has %lld bytes, the config needs %llu",
		       (long long)st.st_size, (unsigned long long)need);
		return FOLIO_ESMALL;
	}
	/* hugetlbfs maps and unmaps whole huge pages only (st_blksize): a
	 * munmap of region_size alone fails and leaks the mapping. */
	blk = st.st_blksize > 0 ? (uint64_t)st.st_blksize : FL_PAGE;
	len = (need + blk - 1) / blk * blk;
	if (len > (uint64_t)st.st_size)
		len = need;
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*out = map_register(p, len);
	if (!*out) {
		munmap(p, (size_t)len);
		fl_log(FOLIO_LOG_ERR, "more than %u regions mapped at once, or "
		       "the SIGBUS handler cannot be installed", FL_MAX_MAPS);
		return -ENOMEM;
	}
	return 0;
}

void fl_unmap(struct fl_map *m)
{
	uint8_t *base;
	uint64_t len;

	if (!m)
		return;
	pthread_mutex_lock(&maps_lock);
	base = m->base;
	len = m->len;
	/* Unregistered before it goes: a fault there now is not ours. */
	__atomic_store_n(&m->base, NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&maps_lock);
	if (base && munmap(base, (size_t)len))
		fl_log(FOLIO_LOG_ERR, "munmap of the region failed: %s",
		       strerror(errno));
}

int fl_check_sealed(int fd)
{
	char link[64], target[64];
	ssize_t n;
	int seals;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 7 || memcmp(target, "/memfd:", 7))
		return 0; /* not a memfd: a file, a BAR, or no /proc */
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		fl_log(FOLIO_LOG_ERR, "region memfd is not sealed with "
		       "F_SEAL_SHRINK: the peer could shrink it under the mapping");
		return FOLIO_EUNSEALED;
	}
	return 0;
}

void fl_numa_bind(void *base, uint64_t len, int node)
{
#ifdef FOLIO_HAVE_NUMA
	if (node >= 0 && numa_available() >= 0)
		numa_tonode_memory(base, (size_t)len, node);
#else
	if (node >= 0)
		fl_log(FOLIO_LOG_WARN, "built without libnuma: numa_node %d ignored",
		       node);
	(void)base;
	(void)len;
#endif
}

int folio_region_memfd(const struct folio_config *cfg)
{
	int fd, rc;

	if (folio_config_validate(cfg, NULL, 0))
		return -EINVAL;
	fd = memfd_create("folio-region", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)folio_region_size(cfg)) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}
