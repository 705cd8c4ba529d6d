/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-anomaly.h: what the Anomaly view needs from the engine, in GLib terms.
 *
 * Samples are scored by the squared error of their reconstruction (as `latentlab anomaly`
 * does), by the model and by PCA at the same code size fitted on the normal training
 * samples; AUROC, ROC points and the counts at a threshold follow. Scoring runs in a GTask
 * thread: a sample set and a baseline are immutable once made and may be shared.
 */
#pragma once

#include <gio/gio.h>

#include "lab-samples.h"
#include "lab-session.h"
#include "lab-weights.h"

G_BEGIN_DECLS

/* Samples to score, copied out of a dataset; reference-counted, never changed once made. */
typedef struct {
  long n;
  int dim;
  int steps;             /* time steps of a sequence (features per step: dim / steps), else 0 */
  float *x;              /* (n, dim) */
  guint8 *anomalous;     /* (n) 1 for a held-out class or a labelled anomalous beat */
  int *labels;           /* (n) class, or -1 */
  long *index;           /* (n) index in its split (or file) */
  guint8 *step_anomaly;  /* (n, steps) labelled anomalous steps, or NULL */
  char *name;            /* what the samples are, e.g. "test split" or a file name */
} LabAnomalySet;

/* At most max samples of a split (samples, borrowed from the session), evenly spread.
 * normal (n_classes flags) says which classes are normal; a dataset that labels anomalous
 * steps (ecg) uses those instead. normal_only keeps only normal samples (PCA's training
 * rows). NULL when the split is empty. Any thread. */
LabAnomalySet *lab_anomaly_set_from_samples (const LabSamples *samples, LabSplit split,
                                             const gboolean *normal, int n_classes,
                                             long max, gboolean normal_only);

/* The view's sets on a worker (a LabBackgroundSlot's work): the test split's (at most
 * max_test, every class) and PCA's training rows (at most max_train normal samples of the
 * training split), from the session's dataset borrowed by reference. */
typedef struct {
  LabSamples *test, *train;
  gboolean *normal;    /* (n_classes) */
  int n_classes;
  long max_test, max_train;
} LabAnomalySetsJob;

typedef struct {
  LabAnomalySet *test;      /* NULL for an empty split */
  LabAnomalySet *pca_train; /* NULL with fewer than two normal training samples */
} LabAnomalySets;

/* NULL before the first load. */
LabAnomalySetsJob *lab_anomaly_sets_job_new (LabSession *session, const gboolean *normal,
                                             int n_classes, long max_test, long max_train);
void               lab_anomaly_sets_job_free (LabAnomalySetsJob *job);
/* A LabAnomalySets (lab_anomaly_sets_free). */
gpointer           lab_anomaly_sets_job_run (gpointer job, GCancellable *cancellable);
void               lab_anomaly_sets_free (LabAnomalySets *sets);

/* Every sample of a dataset file (IDX, PNG folder, CSV; at most max, evenly spread), all
 * marked not anomalous; dim must match the model's input. Errors name the file. */
LabAnomalySet *lab_anomaly_set_load (const char *path, int dim, long max, GError **error);
/* The same on a worker (a LabBackgroundSlot's work): input a LabAnomalyFileJob, output a
 * LabAnomalyFileLoad. */
typedef struct {
  char *path;
  int dim;
  long max;
} LabAnomalyFileJob;

typedef struct {
  LabAnomalySet *set;  /* or NULL with error set */
  GError *error;
} LabAnomalyFileLoad;

LabAnomalyFileJob *lab_anomaly_file_job_new (const char *path, int dim, long max);
void               lab_anomaly_file_job_free (LabAnomalyFileJob *job);
gpointer           lab_anomaly_file_job_run (gpointer job, GCancellable *cancellable);
void               lab_anomaly_file_load_free (LabAnomalyFileLoad *load);
LabAnomalySet *lab_anomaly_set_ref (LabAnomalySet *set);
void           lab_anomaly_set_unref (LabAnomalySet *set);

/* PCA with k components of the rows of a set. */
typedef struct _LabAnomalyBaseline LabAnomalyBaseline;

LabAnomalyBaseline *lab_anomaly_baseline_fit (const LabAnomalySet *train, int k, GError **error);
LabAnomalyBaseline *lab_anomaly_baseline_ref (LabAnomalyBaseline *baseline);
void                lab_anomaly_baseline_unref (LabAnomalyBaseline *baseline);
int                 lab_anomaly_baseline_get_k (const LabAnomalyBaseline *baseline);

/* Squared error per sample (n) and, with steps > 0, per step summed over its features
 * (n, steps; step_errors may be NULL). */
void   lab_anomaly_squared_errors (float *errors, float *step_errors, const float *x,
                                   const float *recon, long n, int dim, int steps);
/* Area under the ROC curve, ties counting one half; NaN when a class is empty. */
double lab_anomaly_auroc (const float *scores, const guint8 *anomalous, long n);
/* ROC points from (0,0) to (1,1), newly allocated; returns the count, 0 when a class is
 * empty (and *fpr, *tpr NULL). */
long   lab_anomaly_roc (const float *scores, const guint8 *anomalous, long n, double **fpr,
                        double **tpr);

/* What flagging every score above threshold gives. */
typedef struct {
  long tp, fp, fn, tn;
  double precision, recall, f1, fpr; /* NaN when undefined (nothing flagged, ...) */
} LabAnomalyCounts;

void   lab_anomaly_count (LabAnomalyCounts *out, const float *scores, const guint8 *anomalous,
                          long n, double threshold);

/* One scoring of a set by a model, with PCA's beside it when a baseline was given. */
typedef struct {
  long n;
  float *errors;        /* (n) */
  float *step_errors;   /* (n, steps) or NULL */
  float *recon;         /* (n, dim) */
  double auroc;
  double *fpr, *tpr;
  long n_roc;
  float *pca_errors;    /* (n) or NULL */
  double pca_auroc;
  double *pca_fpr, *pca_tpr;
  long n_pca_roc;
} LabAnomalyResult;

LabAnomalyResult *lab_anomaly_score (LabWeights *weights, const LabAnomalySet *set,
                                     const LabAnomalyBaseline *baseline);
void              lab_anomaly_result_free (LabAnomalyResult *result);

/* lab_anomaly_score in a thread (which holds references to its arguments). When pca_train
 * is given and baseline is NULL, a baseline of pca_k components is fitted there first and
 * handed back by _finish (a new reference, or NULL). */
void              lab_anomaly_score_async (LabWeights *weights, LabAnomalySet *set,
                                           LabAnomalyBaseline *baseline,
                                           LabAnomalySet *pca_train, int pca_k,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
LabAnomalyResult *lab_anomaly_score_finish (GAsyncResult *result,
                                            LabAnomalyBaseline **fitted_baseline,
                                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabAnomalySet, lab_anomaly_set_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabAnomalyResult, lab_anomaly_result_free)

G_END_DECLS
