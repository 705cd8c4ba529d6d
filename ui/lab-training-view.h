/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-training-view.h: loss curves and the preview grid, live from the session. */
#pragma once

#include <gtk/gtk.h>

#include "lab-view.h"

G_BEGIN_DECLS

typedef enum {
  LAB_TRAINING_PICTURE_LOSS,
  LAB_TRAINING_PICTURE_PREVIEW,
} LabTrainingPicture;

#define LAB_TYPE_TRAINING_VIEW (lab_training_view_get_type ())

G_DECLARE_FINAL_TYPE (LabTrainingView, lab_training_view, LAB, TRAINING_VIEW, LabView)

/* The snapshot on screen (NULL before the first). */
LabSnapshot *lab_training_view_get_snapshot (LabTrainingView *self);
/* How many snapshots the plots have taken: while training runs, at most five a second. */
guint        lab_training_view_get_n_shown (LabTrainingView *self);
/* How many curve points the loss plot draws now. */
guint        lab_training_view_get_n_points (LabTrainingView *self);
GtkWidget   *lab_training_view_get_chart (LabTrainingView *self, LabTrainingPicture picture);
gboolean     lab_training_view_get_log_scale (LabTrainingView *self);
void         lab_training_view_set_log_scale (LabTrainingView *self, gboolean log_scale);
/* Writes the picture as PNG, SVG or PDF (by the extension), drawn as on screen. */
gboolean     lab_training_view_export (LabTrainingView *self, LabTrainingPicture picture,
                                       const char *path, GError **error);

G_END_DECLS
