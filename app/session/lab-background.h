/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-background.h: engine work on GTask threads that the end of the program waits for.
 *
 * OpenBLAS tears its buffers down when the process exits; a worker still inside sgemm at
 * that moment crashes the exit. Jobs started here are counted, and an exit handler waits
 * (a few seconds at most) until the last one has returned.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* g_task_run_in_thread, counted. */
void lab_background_run (GTask *task, GTaskThreadFunc func);
/* Jobs started and not yet returned. */
guint lab_background_count (void);
/* Jobs started since the program began: lets a test check that a hidden view computes
 * nothing. */
guint64 lab_background_get_started (void);

G_END_DECLS
