/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-anomaly-view.h: the Anomaly view: reconstruction errors of normal and held-out classes, with a threshold, the ROC curve and the worst reconstructions. */
#pragma once

#include <gtk/gtk.h>

#include "lab-view.h"

G_BEGIN_DECLS

#define LAB_TYPE_ANOMALY_VIEW (lab_anomaly_view_get_type ())

G_DECLARE_FINAL_TYPE (LabAnomalyView, lab_anomaly_view, LAB, ANOMALY_VIEW, LabView)

/* For tests and scripts, as the controls do. */
/* Ticks the normal classes (n flags, one per class of the dataset). */
void       lab_anomaly_view_set_normal (LabAnomalyView *self, const gboolean *normal, int n);
/* Trains on the ticked classes only (the session's "normal" option: a reset). */
gboolean   lab_anomaly_view_apply_normal (LabAnomalyView *self, GError **error);
void       lab_anomaly_view_set_threshold (LabAnomalyView *self, double threshold);
/* How many scorings of the test split have come back (each with newer weights). */
guint      lab_anomaly_view_get_n_scored (LabAnomalyView *self);
/* Whether the scores shown are of the newest weights, with no scoring in flight. */
gboolean   lab_anomaly_view_is_current (LabAnomalyView *self);
/* The newest scores of the test split and their flags (1 anomalous); NULL before any. */
const float *lab_anomaly_view_get_scores (LabAnomalyView *self, const guint8 **anomalous,
                                          long *n);
/* AUROC of the model and of PCA at the same code size; NaN before a scoring. */
double     lab_anomaly_view_get_auroc (LabAnomalyView *self, double *pca_auroc);
/* Precision, recall and F1 at the current threshold, as shown. */
void       lab_anomaly_view_get_metrics (LabAnomalyView *self, double *precision, double *recall,
                                         double *f1);

G_END_DECLS
