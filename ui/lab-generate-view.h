/* lab-generate-view.h: interpolation between two test samples, traversal of each latent
 * dimension, samples from the prior and, for a 2-D code, the decoded manifold. */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_GENERATE_VIEW (lab_generate_view_get_type ())

G_DECLARE_FINAL_TYPE (LabGenerateView, lab_generate_view, LAB, GENERATE_VIEW, GtkWidget)

void         lab_generate_view_set_session (LabGenerateView *self, LabSession *session);
/* The two test samples interpolated between. */
void         lab_generate_view_set_pair (LabGenerateView *self, long first, long second);
/* Position of the interpolation slider in [0, 1]. */
void         lab_generate_view_set_mix (LabGenerateView *self, double t);
/* The decoded image at the slider (dim floats), or NULL before there are weights. */
const float *lab_generate_view_get_decoded (LabGenerateView *self);
GtkWidget   *lab_generate_view_get_strip (LabGenerateView *self);

G_END_DECLS
