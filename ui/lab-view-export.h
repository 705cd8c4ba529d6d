/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-view-export.h: a picture of a whole view, made of the LabCharts it shows.
 *
 * Any view whose plots are LabChart widgets can be exported without code of its own: the
 * charts are found by walking the view's widget tree, and each draws itself through its
 * pure-Cairo plot function at its place on screen, with the text of the labels around them
 * (headings, captions; not that of buttons and other controls), so PNG, SVG and PDF show
 * what the window shows (vectors and text in SVG and PDF).
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-chart.h"

G_BEGIN_DECLS

typedef enum {
  LAB_VIEW_EXPORT_ALL,   /* every chart and label shown, laid out as on screen */
  LAB_VIEW_EXPORT_MAIN,  /* the largest chart alone */
} LabViewExportWhat;

/* The LabCharts drawn inside view now (mapped, with a size), top to bottom then left to
 * right. Element type LabChart, not referenced: use the array at once. */
GPtrArray *lab_view_export_find_charts (GtkWidget *view);
/* The largest chart shown inside view, or NULL when it shows none. */
LabChart  *lab_view_export_main_chart  (GtkWidget *view);
/* Writes the picture to path: PNG, SVG or PDF by its extension. Fails with a message that
 * names the file when the view shows no chart, the extension is unknown or writing fails. */
gboolean   lab_view_export             (GtkWidget         *view,
                                        LabViewExportWhat  what,
                                        const char        *path,
                                        GError           **error);

G_END_DECLS
