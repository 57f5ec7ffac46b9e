/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * map.c - mapping the shared region: a /dev/shm or hugetlbfs file, a sealed
 * memfd, or a PCI BAR resource file (ivshmem BAR 2). All take one path: the
 * size is checked with fstat before mmap, and only the bytes the local
 * layout needs are mapped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef FOLIO_HAVE_NUMA
#include <numa.h>
#endif

#include "internal.h"

int fl_map_fd(int fd, uint64_t need, void **base)
{
	struct stat st;
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
	p = mmap(NULL, (size_t)need, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	return 0;
}

void fl_unmap(void *base, uint64_t len)
{
	if (base)
		munmap(base, (size_t)len);
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
