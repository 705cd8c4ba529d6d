/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-pca-view.h: the versus PCA view: reconstruction error against code size for the
 * autoencoder and PCA, and the principal angles between their subspaces. */
#pragma once

#include <gtk/gtk.h>

#include "lab-view.h"

G_BEGIN_DECLS

#define LAB_TYPE_PCA_VIEW (lab_pca_view_get_type ())

G_DECLARE_FINAL_TYPE (LabPcaView, lab_pca_view, LAB, PCA_VIEW, LabView)

/* What the view shows, for tests: the PCA curve's value at code size k (NaN before PCA is
 * fitted or beyond its range), the current model's error and largest principal angle (NaN
 * until measured), and the angle plot's measurements. */
double     lab_pca_view_get_pca_error (LabPcaView *self, int k);
double     lab_pca_view_get_model_error (LabPcaView *self);
double     lab_pca_view_get_largest_angle (LabPcaView *self);
/* The kept error of a preset's model at code size k (the newest run's), NaN for none. */
double     lab_pca_view_get_model_point (LabPcaView *self, const char *preset, int k);
guint      lab_pca_view_get_n_angle_points (LabPcaView *self);
/* The largest angle of the i-th measurement on the angle plot, and its training step. */
double     lab_pca_view_get_largest_angle_at (LabPcaView *self, guint i, double *step);
/* Whether PCA is fitted and the session's newest weights are measured. */
gboolean   lab_pca_view_is_current (LabPcaView *self);

G_END_DECLS
