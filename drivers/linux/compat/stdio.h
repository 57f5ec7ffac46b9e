/* SPDX-License-Identifier: BSD-3-Clause */
/* <stdio.h> for the kernel build of lib/ (see README): the kernel's
 * snprintf family, and a FILE that can never be opened. */
#ifndef FOLIO_COMPAT_STDIO_H
#define FOLIO_COMPAT_STDIO_H
#include <linux/kernel.h>
typedef struct folio_nofile FILE;
static inline FILE *fopen(const char *path, const char *mode)
{
	return NULL;
}
static inline char *fgets(char *s, int n, FILE *f)
{
	return NULL;
}
static inline ssize_t getline(char **line, size_t *n, FILE *f)
{
	return -1;
}
static inline int feof(FILE *f)
{
	return 1;
}
static inline int ferror(FILE *f)
{
	return 1;
}
static inline int fclose(FILE *f)
{
	return 0;
}
#endif
