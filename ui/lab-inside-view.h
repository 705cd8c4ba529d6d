/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-inside-view.h: the Inside view: first-layer weights as images, mean activations per code unit and the encoder's Jacobian norm. */
#pragma once

#include <gtk/gtk.h>

#include "lab-view.h"

G_BEGIN_DECLS

#define LAB_TYPE_INSIDE_VIEW (lab_inside_view_get_type ())

G_DECLARE_FINAL_TYPE (LabInsideView, lab_inside_view, LAB, INSIDE_VIEW, LabView)

/* What the view shows, for tests: tiles of first-layer weights drawn, code units never
 * active on the test subset (-1 before the first codes), and the per-sample Jacobian norms
 * of the model (companion FALSE) or of the companion trained without the penalty (NULL
 * when there are none). */
int          lab_inside_view_get_n_tiles (LabInsideView *self);
int          lab_inside_view_get_dead_units (LabInsideView *self);
const float *lab_inside_view_get_jacobian_norms (LabInsideView *self, gboolean companion, int *n);
/* As the button: starts training the companion; FALSE when there is nothing to compare. */
gboolean     lab_inside_view_train_companion (LabInsideView *self);
gboolean     lab_inside_view_get_training_companion (LabInsideView *self);
/* Whether the Jacobian norms of the newest weights are still being measured. */
gboolean     lab_inside_view_get_measuring (LabInsideView *self);

G_END_DECLS
