/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-memory.h: how the window's process asks the C library to hand memory back.
 *
 * A window session replaces datasets, models and snapshots of a few MB again and again, from
 * several threads. With glibc's defaults the first large block freed raises the size from
 * which blocks get a mapping of their own (up to 32 MB); every later model and dataset then
 * comes from the heaps, which keep the pages after a free: resident memory grew by 40 % in
 * ten minutes of use while the memory in use stayed flat.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Once, before the first thread starts: large blocks always get a mapping of their own, so
 * that freeing one returns it. */
void lab_memory_configure (void);

/* Gives the free pages of every heap back, after a dataset or a model was replaced. */
void lab_memory_release (void);

G_END_DECLS
