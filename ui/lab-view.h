/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-view.h: what every view of the window shares: its session, the snapshots it follows,
 * and computing only while it is shown. */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_VIEW (lab_view_get_type ())

G_DECLARE_DERIVABLE_TYPE (LabView, lab_view, LAB, VIEW, GtkWidget)

struct _LabViewClass {
  GtkWidgetClass parent_class;

  /* A new session (or none): forget what came from the old one and connect to the new
   * one's other signals with the view as their data (the base disconnects them when the
   * session goes). The new session's newest snapshot follows through snapshot(). */
  void (*session_changed) (LabView *self, LabSession *session);
  /* Each snapshot of the session while the view is shown. A hidden view is not told; it
   * catches up through refresh() when it is shown again. */
  void (*snapshot)        (LabView *self, LabSnapshot *snapshot);
  /* The view is shown (mapped). The default hands the newest snapshot to snapshot() when
   * one came while the view was hidden; a view that skips other work while hidden (see
   * lab_view_get_shown) catches up with that here too. */
  void (*refresh)         (LabView *self);

  gpointer padding[8];
};

LabSession *lab_view_get_session (LabView *self);
void        lab_view_set_session (LabView *self, LabSession *session);
/* Whether the view is shown now; when it is not, refresh() runs when it is. For work that
 * a hidden view leaves for later. */
gboolean    lab_view_get_shown   (LabView *self);
/* What a view's class_init shares: its layout manager, its CSS name and its template
 * (`name` in the program's ui/ resources), with the chart and reflow types templates use. */
void        lab_view_class_set_template (LabViewClass *klass, GType layout_manager,
                                         const char *css_name, const char *name);

G_END_DECLS
