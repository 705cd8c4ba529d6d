/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-pca-compare.c: PCA's error at every code size, a model's beside it, and the principal
 * angles between a decoder's column space and PCA's subspace, for the versus PCA view. */
#include "lab-background.h"
#include "lab-pca-compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-math.h"
#include "lab-session-private.h"

struct _LabPcaCompare {
  gint ref_count;
  int dim, k_max;
  AePca *pca;
  long n_test;
  float *test;  /* (n_test, dim) */
  double *sse;  /* (k_max): sse[k - 1] is PCA-k's error per test image */
};

LabPcaCompare *
lab_pca_compare_new (const float *train, long n_train, const float *test, long n_test, int dim,
                     int k_max, GError **error)
{
  AeError err = { 0 };
  AePca *pca = NULL;
  LabPcaCompare *self;
  float *codes;

  g_return_val_if_fail (dim > 0 && k_max > 0, NULL);
  if (n_train < 2 || n_test < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PCA needs at least 2 training rows and 1 test row, got %ld and %ld",
                   n_train, n_test);
      return NULL;
    }
  k_max = MIN (k_max, dim);
  if (ae_pca_fit (&pca, train, n_train, dim, k_max, &err) != AE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "PCA: %s", err.message);
      return NULL;
    }
  self = g_new0 (LabPcaCompare, 1);
  self->ref_count = 1;
  self->dim = dim;
  self->k_max = k_max;
  self->pca = pca;
  self->n_test = n_test;
  self->test = g_memdup2 (test, (gsize) n_test * (gsize) dim * sizeof (float));
  self->sse = g_new0 (double, k_max);

  /* The components are orthonormal, so PCA-k's error is the centred row's squared norm less
   * the squares of its first k codes: one projection serves every k. */
  codes = g_new (float, (gsize) n_test * (gsize) k_max);
  ae_pca_project (pca, codes, test, n_test, k_max);
  for (long i = 0; i < n_test; i++)
    {
      const float *x = test + (size_t) i * dim;
      const float *c = codes + (size_t) i * k_max;
      double residual = 0;

      for (int p = 0; p < dim; p++)
        {
          double d = (double) x[p] - (double) pca->mean[p];
          residual += d * d;
        }
      for (int k = 0; k < k_max; k++)
        {
          residual -= (double) c[k] * (double) c[k];
          self->sse[k] += MAX (residual, 0.0);
        }
    }
  for (int k = 0; k < k_max; k++)
    self->sse[k] /= (double) n_test;
  g_free (codes);
  return self;
}

LabPcaCompare *
lab_pca_compare_ref (LabPcaCompare *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
lab_pca_compare_unref (LabPcaCompare *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  ae_pca_free (self->pca);
  g_free (self->test);
  g_free (self->sse);
  g_free (self);
}

int
lab_pca_compare_get_k_max (const LabPcaCompare *self)
{
  return self->k_max;
}

int
lab_pca_compare_get_dim (const LabPcaCompare *self)
{
  return self->dim;
}

long
lab_pca_compare_get_n_test (const LabPcaCompare *self)
{
  return self->n_test;
}

const float *
lab_pca_compare_get_test (const LabPcaCompare *self, long index)
{
  g_return_val_if_fail (index >= 0 && index < self->n_test, NULL);
  return self->test + (size_t) index * self->dim;
}

double
lab_pca_compare_get_sse (const LabPcaCompare *self, int k)
{
  g_return_val_if_fail (k >= 1 && k <= self->k_max, NAN);
  return self->sse[k - 1];
}

void
lab_pca_compare_reconstruct (const LabPcaCompare *self, float *out, const float *x, long n, int k)
{
  float *codes;

  g_return_if_fail (k >= 1 && k <= self->k_max);
  codes = g_new (float, (gsize) n * (gsize) k);
  ae_pca_project (self->pca, codes, x, n, k);
  ae_pca_reconstruct (self->pca, out, codes, n, k);
  g_free (codes);
}

double
lab_pca_compare_angles (const LabPcaCompare *self, LabWeights *weights, double *angles)
{
  int latent = lab_weights_get_latent_dim (weights), dim = self->dim;
  double largest;
  float *codes, *out, *a, *b;
  double *all;

  if (latent < 1 || latent > self->k_max || lab_weights_get_input_dim (weights) != dim)
    {
      for (int i = 0; angles != NULL && i < latent; i++)
        angles[i] = NAN;
      return NAN;
    }
  /* row 0 decodes the origin, row i + 1 the unit code e_i */
  codes = g_new0 (float, (gsize) (latent + 1) * (gsize) latent);
  out = g_new (float, (gsize) (latent + 1) * (gsize) dim);
  a = g_new (float, (gsize) dim * (gsize) latent);
  b = g_new (float, (gsize) dim * (gsize) latent);
  all = g_new (double, latent);
  for (int i = 0; i < latent; i++)
    codes[(size_t) (i + 1) * latent + i] = 1.0f;
  lab_weights_decode (weights, out, codes, latent + 1);
  for (int p = 0; p < dim; p++)
    for (int i = 0; i < latent; i++)
      {
        a[(size_t) p * latent + i] = out[(size_t) (i + 1) * dim + p] - out[p];
        b[(size_t) p * latent + i] = self->pca->components[(size_t) i * dim + p];
      }
  largest = ae_principal_angles (a, latent, b, latent, dim, all);
  if (angles != NULL)
    memcpy (angles, all, (size_t) latent * sizeof (double));
  g_free (codes);
  g_free (out);
  g_free (a);
  g_free (b);
  g_free (all);
  return largest;
}

/* --- measuring a model ------------------------------------------------------------------ */

#define LAB_MEASURE_CHUNK 512 /* test rows reconstructed at a time */

LabPcaMeasure *
lab_pca_compare_measure (const LabPcaCompare *self, LabWeights *weights, long n_recon)
{
  LabPcaMeasure *m = g_new0 (LabPcaMeasure, 1);
  int dim = self->dim;
  float *recon;
  double sse;

  m->latent = lab_weights_get_latent_dim (weights);
  m->sse = NAN;
  m->largest = NAN;
  m->angles = g_new (double, MAX (m->latent, 1));
  for (int i = 0; i < m->latent; i++)
    m->angles[i] = NAN;
  if (lab_weights_get_input_dim (weights) != dim)
    return m;
  /* in chunks: the whole test split's reconstructions at once (31 MB for Fashion-MNIST) are
   * only summed */
  m->n_recon = CLAMP (n_recon, 0, self->n_test);
  m->recon = g_new (float, (gsize) MAX (m->n_recon, 1) * (gsize) dim);
  recon = g_new (float, (gsize) LAB_MEASURE_CHUNK * (gsize) dim);
  sse = 0;
  for (long first = 0; first < self->n_test; first += LAB_MEASURE_CHUNK)
    {
      long rows = MIN (LAB_MEASURE_CHUNK, self->n_test - first);
      const float *x = self->test + (gsize) first * dim;

      lab_weights_reconstruct (weights, recon, x, rows);
      sse += ae_sse_per_row (x, recon, rows, dim) * (double) rows;
      if (first < m->n_recon)
        memcpy (m->recon + (gsize) first * dim, recon,
                (gsize) MIN (rows, m->n_recon - first) * dim * sizeof (float));
    }
  m->sse = sse / (double) self->n_test;
  g_free (recon);
  if (m->latent >= 1 && m->latent <= self->k_max)
    {
      m->pca_recon = g_new (float, (gsize) MAX (m->n_recon, 1) * (gsize) dim);
      if (m->n_recon > 0)
        lab_pca_compare_reconstruct (self, m->pca_recon, self->test, m->n_recon, m->latent);
      m->largest = lab_pca_compare_angles (self, weights, m->angles);
    }
  return m;
}

void
lab_pca_measure_free (LabPcaMeasure *measure)
{
  if (measure == NULL)
    return;
  g_free (measure->angles);
  g_free (measure->recon);
  g_free (measure->pca_recon);
  g_free (measure);
}

typedef struct {
  LabPcaCompare *compare;
  LabWeights *weights;
  long n_recon;
} MeasureJob;

static void
measure_job_free (MeasureJob *job)
{
  lab_pca_compare_unref (job->compare);
  lab_weights_unref (job->weights);
  g_free (job);
}

static void
measure_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  MeasureJob *job = task_data;

  (void) source;
  (void) cancellable;
  g_task_return_pointer (task, lab_pca_compare_measure (job->compare, job->weights, job->n_recon),
                         (GDestroyNotify) lab_pca_measure_free);
}

void
lab_pca_compare_measure_async (LabPcaCompare *self, LabWeights *weights, long n_recon,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  MeasureJob *job = g_new0 (MeasureJob, 1);

  job->compare = lab_pca_compare_ref (self);
  job->weights = lab_weights_ref (weights);
  job->n_recon = n_recon;
  g_task_set_source_tag (task, lab_pca_compare_measure_async);
  g_task_set_task_data (task, job, (GDestroyNotify) measure_job_free);
  lab_background_run (task, measure_thread);
  g_object_unref (task);
}

LabPcaMeasure *
lab_pca_compare_measure_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- fitting from a session ------------------------------------------------------------- */

/* The session's samples, shared rather than copied: the training split of Fashion-MNIST alone
 * is 170 MB as floats. */
typedef struct {
  AeDataset *dataset;
  uint32_t *train, *test;
  long n_train, n_test;
  int dim, k_max;
} FitJob;

static void
fit_job_free (FitJob *job)
{
  ae_dataset_free (job->dataset);
  g_free (job->train);
  g_free (job->test);
  g_free (job);
}

static void
fit_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FitJob *job = task_data;
  GError *error = NULL;
  LabPcaCompare *compare;

  (void) source;
  (void) cancellable;
  {
    float *train_owned, *test_owned;
    const float *train = ae_dataset_rows (job->dataset, job->train, job->n_train, &train_owned);
    const float *test = ae_dataset_rows (job->dataset, job->test, job->n_test, &test_owned);

    if (train == NULL || test == NULL)
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "out of memory for the PCA rows");
    compare = train == NULL || test == NULL
              ? NULL
              : lab_pca_compare_new (train, job->n_train, test, job->n_test, job->dim, job->k_max,
                                     &error);
    free (train_owned);
    free (test_owned);
  }
  if (compare == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, compare, (GDestroyNotify) lab_pca_compare_unref);
}

void
lab_pca_compare_new_async (LabSession *session, int k_max, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  int channels, height, width;
  FitJob *job;

  g_task_set_source_tag (task, lab_pca_compare_new_async);
  if (!lab_session_get_sample_shape (session, &channels, &height, &width))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "no dataset loaded");
      g_object_unref (task);
      return;
    }
  job = g_new0 (FitJob, 1);
  job->dim = channels * height * width;
  job->k_max = k_max;
  job->dataset = _lab_session_ref_dataset (session);
  job->train = _lab_session_copy_split (session, LAB_SPLIT_TRAIN, &job->n_train);
  job->test = _lab_session_copy_split (session, LAB_SPLIT_TEST, &job->n_test);
  g_task_set_task_data (task, job, (GDestroyNotify) fit_job_free);
  lab_background_run (task, fit_thread);
  g_object_unref (task);
}

LabPcaCompare *
lab_pca_compare_new_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
