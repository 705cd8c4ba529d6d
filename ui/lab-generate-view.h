/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-generate-view.h: interpolation between two test samples, traversal of each latent
 * dimension, samples from the prior and, for a 2-D code, the decoded manifold. */
#pragma once

#include <gtk/gtk.h>

#include "lab-view.h"

G_BEGIN_DECLS

#define LAB_TYPE_GENERATE_VIEW (lab_generate_view_get_type ())

G_DECLARE_FINAL_TYPE (LabGenerateView, lab_generate_view, LAB, GENERATE_VIEW, LabView)

/* The two samples interpolated between, by their index in the dataset (as LabSnapshot's
 * code_indices); a click in the view's gallery or win.use-sample from the Latent view sets
 * one end. */
void         lab_generate_view_set_pair (LabGenerateView *self, long first, long second);
void         lab_generate_view_use_sample (LabGenerateView *self, gboolean second, long index);
void         lab_generate_view_get_pair (LabGenerateView *self, long *first, long *second);
/* The gallery of test samples to pick from (a LabChart of an image grid). */
GtkWidget   *lab_generate_view_get_gallery (LabGenerateView *self);
/* The ten-step strip of the pair through the kept plain (FALSE) or variational model, grey
 * (10, height * width), or NULL while the session has not kept one of each. */
const float *lab_generate_view_get_comparison (LabGenerateView *self, gboolean variational);
/* Position of the interpolation slider in [0, 1]. */
void         lab_generate_view_set_mix (LabGenerateView *self, double t);
/* The decoded image at the slider (dim floats), or NULL before there are weights. */
const float *lab_generate_view_get_decoded (LabGenerateView *self);
GtkWidget   *lab_generate_view_get_strip (LabGenerateView *self);
/* The KL divergence per dimension (a LabChart of LabBarsData): bar k is dimension zk. */
GtkWidget   *lab_generate_view_get_kl_chart (LabGenerateView *self);
/* The button that opens the Sequences view, shown instead of the content for time series;
 * NULL while the data are images. */
GtkWidget   *lab_generate_view_get_sequences_button (LabGenerateView *self);
/* The interpolation slider, and the traversal slider i (NULL past the sliders shown). */
GtkRange    *lab_generate_view_get_mix_scale (LabGenerateView *self);
GtkRange    *lab_generate_view_get_traversal_scale (LabGenerateView *self, int i);

G_END_DECLS
