/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-compare-window.h: two runs side by side.
 *
 * The window's run (A) beside a second one (B): either a copy of A's settings with the next
 * seed, or a saved session. Both runs' loss curves share one plot, and both reconstruct the
 * same preview samples (A's), so the rows below can be compared picture by picture.
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_COMPARE_WINDOW (lab_compare_window_get_type ())

G_DECLARE_FINAL_TYPE (LabCompareWindow, lab_compare_window, LAB, COMPARE_WINDOW, GtkWindow)

/* B: A's dataset, preset and options with seed + 1, untrained. NULL with error when the
 * copy cannot be made. */
GtkWidget  *lab_compare_window_new_with_seed (GtkWindow *parent, LabSession *a, GError **error);
/* B: the session saved in path. */
GtkWidget  *lab_compare_window_new_with_file (GtkWindow *parent, LabSession *a, const char *path,
                                              GError **error);
LabSession *lab_compare_window_get_second (LabCompareWindow *self);

G_END_DECLS
