/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-memory.c: see lab-memory.h. Elsewhere than glibc both do nothing. */
#include <glib.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "lab-memory.h"

/* Blocks from this size up are mapped apart (glibc starts at 128 KiB, then raises it): a
 * model's parameters, a batch of codes, a dataset. Below it the heaps are reused quickly. */
#define LAB_MMAP_THRESHOLD (256 * 1024)

void
lab_memory_configure (void)
{
#ifdef __GLIBC__
  /* setting it fixes it: glibc no longer raises it when a mapped block is freed */
  mallopt (M_MMAP_THRESHOLD, LAB_MMAP_THRESHOLD);
#endif
}

void
lab_memory_release (void)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
}
