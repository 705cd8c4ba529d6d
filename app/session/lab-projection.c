/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-projection.c: the planes of the latent views (PCA, two dimensions, t-SNE) and their
 * neighbourhood scores; the job runs on a worker. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "ae-math.h"
#include "ae-tsne.h"
#include "lab-background.h"
#include "lab-projection.h"
#include "lab-session-private.h"

#define LAB_PROJECTION_EXACT_PCA_MAX 1024

gboolean
lab_projection_pca2 (float *out, float *mean, float *components, const float *x, long n,
                     int dim)
{
  AePca *pca = NULL;
  AeError err = { 0 };

  g_return_val_if_fail (out != NULL && x != NULL, FALSE);
  if (n < 2 || dim < 2)
    return FALSE;
  /* A plane to look at: for raw colour images (3,072 values at 32x32) the exact solver's
   * dim x dim covariance and eigen-decomposition take seconds, the randomized SVD a
   * fraction of one, and its top two directions are as good to the eye. */
  AeStatus status = dim > LAB_PROJECTION_EXACT_PCA_MAX ? ae_pca_fit_randomized (&pca, x, n, dim, 2, &err)
                                                       : ae_pca_fit (&pca, x, n, dim, 2, &err);
  if (status != AE_OK)
    return FALSE;
  ae_pca_project (pca, out, x, n, 2);
  if (mean != NULL)
    memcpy (mean, pca->mean, sizeof (float) * (size_t) dim);
  if (components != NULL)
    memcpy (components, pca->components, sizeof (float) * 2 * (size_t) dim);
  ae_pca_free (pca);
  return TRUE;
}

double
lab_projection_knn_accuracy (const float *x, const int *labels, long n, int dim, int k)
{
  if (x == NULL || labels == NULL || n < 2 || dim < 1)
    return NAN;
  return ae_knn_accuracy (x, labels, n, x, labels, n, dim, k);
}

/* --- the plane on a worker --------------------------------------------------------------- */

#define LAB_PROJECTION_K 5
/* t-SNE iterations: from a PCA start while training runs (the first plane comes quickly, and
 * each snapshot refines it), from the previous plane, and to settle once training stops. A
 * warm start only follows codes that moved a little since the previous plane: a hundred
 * steps do, for half the processor time that the trainer gives up to two hundred. */
#define LAB_TSNE_QUICK_ITERATIONS 300
#define LAB_TSNE_QUICK_EXAGGERATION 100
#define LAB_TSNE_WARM_ITERATIONS 100
#define LAB_TSNE_SETTLE_ITERATIONS 750
#define LAB_TSNE_SLICE 25
/* neighbours a new code is placed among */
#define LAB_PLACE_NEIGHBOURS 10

typedef struct {
  LabSnapshot *snapshot;
  LabProjectionMethod method;
  int dim_x, dim_y;
  float *previous;
  AeDataset *dataset;       /* the session's, borrowed for the baseline; NULL for none */
} ProjectionJob;

static void
projection_job_free (ProjectionJob *job)
{
  lab_snapshot_unref (job->snapshot);
  g_free (job->previous);
  if (job->dataset != NULL)
    ae_dataset_free (job->dataset);
  g_free (job);
}

static void
lab_projection_clear (gpointer data)
{
  LabProjection *projection = data;

  g_free (projection->points);
  g_free (projection->mean);
  g_free (projection->components);
  g_free (projection->baseline);
  g_free (projection->neighbours);
  g_free (projection->sigmas);
}

LabProjection *
lab_projection_ref (LabProjection *projection)
{
  g_return_val_if_fail (projection != NULL, NULL);
  return g_atomic_rc_box_acquire (projection);
}

void
lab_projection_unref (LabProjection *projection)
{
  if (projection != NULL)
    g_atomic_rc_box_release_full (projection, lab_projection_clear);
}

/* The plane through the mean code along two axes. */
static void
plane_of_dimensions (LabProjection *p, const float *codes, int dx, int dy)
{
  int n = p->n, latent = p->latent;

  memset (p->mean, 0, sizeof (float) * latent);
  for (int i = 0; i < n; i++)
    for (int d = 0; d < latent; d++)
      p->mean[d] += codes[(size_t) i * latent + d] / n;
  memset (p->components, 0, sizeof (float) * 2 * latent);
  p->components[dx] = 1;
  p->components[latent + dy] = 1;
  p->mean[dx] = p->mean[dy] = 0;
  for (int i = 0; i < n; i++)
    {
      p->points[2 * i] = codes[(size_t) i * latent + dx];
      p->points[2 * i + 1] = codes[(size_t) i * latent + dy];
    }
}

static gboolean
run_tsne (LabProjection *p, const float *codes, const float *previous, gboolean settle,
          GCancellable *cancellable)
{
  AeTsneOptions options;
  AeTsne *tsne = NULL;
  AeError err = { 0 };

  ae_tsne_options_default (&options);
  if (previous != NULL)
    options.iterations = settle ? LAB_TSNE_SETTLE_ITERATIONS : LAB_TSNE_WARM_ITERATIONS;
  else if (!settle)
    {
      options.iterations = LAB_TSNE_QUICK_ITERATIONS;
      options.exaggeration_iterations = LAB_TSNE_QUICK_EXAGGERATION;
    }
  if (ae_tsne_new (&tsne, codes, p->n, p->latent, &options, previous, &err) != AE_OK)
    return FALSE;
  while (ae_tsne_step (tsne, LAB_TSNE_SLICE) < options.iterations)
    if (g_cancellable_is_cancelled (cancellable))
      {
        ae_tsne_free (tsne);
        return FALSE;
      }
  ae_tsne_get (tsne, p->points);
  ae_tsne_free (tsne);
  if (previous != NULL)
    ae_tsne_align (p->points, previous, p->n);
  return TRUE;
}

/* The PCA of the raw inputs of the codes' samples (n, 2), read from the dataset on the worker;
 * NULL when an index is not in it (the data changed meanwhile) or the fit fails. */
static float *
raw_baseline (const AeDataset *dataset, const uint32_t *indices, int n)
{
  g_autofree float *owned = NULL;
  const float *raw;
  float *baseline;

  for (int i = 0; i < n; i++)
    if (indices[i] >= (uint32_t) dataset->n)
      return NULL;
  raw = ae_dataset_rows (dataset, indices, n, &owned);
  baseline = raw != NULL ? g_new (float, 2 * (gsize) n) : NULL;
  if (baseline != NULL && !lab_projection_pca2 (baseline, NULL, NULL, raw, n, dataset->dim))
    g_clear_pointer (&baseline, g_free);
  return baseline;
}

/* This thread's processor time: what a plane costs whatever else the machine runs. */
static double
thread_cpu_seconds (void)
{
  struct timespec t;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t) != 0)
    return 0;
  return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

static void
projection_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ProjectionJob *job = task_data;
  const LabSnapshot *s = job->snapshot;
  LabProjection *p = g_atomic_rc_box_new0 (LabProjection);
  gboolean ok = TRUE;
  double cpu_start = thread_cpu_seconds ();

  (void) source;
  p->method = job->method;
  p->n = s->n_codes;
  p->latent = s->latent;
  p->points = g_new (float, 2 * (gsize) p->n);
  if (job->method != LAB_PROJECTION_TSNE || p->latent <= 2)
    {
      p->mean = g_new (float, p->latent);
      p->components = g_new (float, 2 * (gsize) p->latent);
    }
  if (p->latent <= 2 || job->method == LAB_PROJECTION_DIMENSIONS)
    plane_of_dimensions (p, s->codes, MIN (job->dim_x, p->latent - 1),
                         p->latent > 1 ? MIN (job->dim_y, p->latent - 1) : 0);
  else if (job->method == LAB_PROJECTION_PCA)
    {
      if (!lab_projection_pca2 (p->points, p->mean, p->components, s->codes, p->n, p->latent))
        plane_of_dimensions (p, s->codes, 0, 1);
    }
  else
    ok = run_tsne (p, s->codes, job->previous, s->state != LAB_TRAINING_RUNNING, cancellable);
  if (!ok)
    {
      lab_projection_unref (p);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the plane was not finished");
      return;
    }
  p->trustworthiness = p->latent > 2 ? ae_trustworthiness (s->codes, p->latent, p->points, 2, p->n,
                                                           LAB_PROJECTION_K)
                                     : 1.0;
  p->knn_plane = lab_projection_knn_accuracy (p->points, s->code_labels, p->n, 2, LAB_PROJECTION_K);
  p->knn_code = lab_projection_knn_accuracy (s->codes, s->code_labels, p->n, p->latent,
                                             LAB_PROJECTION_K);
  p->neighbours = g_new (long, (gsize) p->n * LAB_PROJECTION_NEIGHBOURS);
  if (ae_knn_search (p->neighbours, NULL, s->codes, p->n, s->codes, p->n, p->latent,
                     LAB_PROJECTION_NEIGHBOURS) != LAB_PROJECTION_NEIGHBOURS)
    g_clear_pointer (&p->neighbours, g_free);
  if (s->code_logvar != NULL && p->components != NULL)
    {
      p->sigmas = g_new (float, 2 * (gsize) p->n);
      for (int i = 0; i < p->n; i++)
        lab_projection_sigma (p, s->code_logvar + (gsize) i * p->latent, p->sigmas + 2 * i);
    }
  if (job->dataset != NULL && s->code_indices != NULL)
    p->baseline = raw_baseline (job->dataset, s->code_indices, p->n);
  p->cpu_seconds = thread_cpu_seconds () - cpu_start;
  g_task_return_pointer (task, p, (GDestroyNotify) lab_projection_unref);
}

void
lab_projection_run_async (LabSnapshot *snapshot, LabProjectionMethod method, int dim_x, int dim_y,
                          const float *previous, LabSession *baseline_from,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ProjectionJob *job = g_new0 (ProjectionJob, 1);

  g_return_if_fail (snapshot != NULL && snapshot->codes != NULL && snapshot->n_codes > 0);
  job->snapshot = lab_snapshot_ref (snapshot);
  job->method = method;
  job->dim_x = dim_x;
  job->dim_y = dim_y;
  job->previous = previous != NULL ? g_memdup2 (previous, sizeof (float) * 2 * (gsize) snapshot->n_codes)
                                   : NULL;
  job->dataset = baseline_from != NULL ? _lab_session_ref_dataset (baseline_from) : NULL;
  g_task_set_source_tag (task, lab_projection_run_async);
  g_task_set_task_data (task, job, (GDestroyNotify) projection_job_free);
  lab_background_run (task, projection_thread);
  g_object_unref (task);
}

LabProjection *
lab_projection_run_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
lab_projection_place (const LabProjection *projection, const float *codes, const float *code,
                      float *point)
{
  const LabProjection *p = projection;

  g_return_val_if_fail (p != NULL && code != NULL && point != NULL, FALSE);
  if (p->components == NULL)
    return codes != NULL
           && ae_tsne_place (point, code, codes, p->points, p->n, p->latent, LAB_PLACE_NEIGHBOURS);
  for (int axis = 0; axis < 2; axis++)
    {
      double sum = 0;

      for (int d = 0; d < p->latent; d++)
        sum += (code[d] - p->mean[d]) * p->components[axis * p->latent + d];
      point[axis] = (float) sum;
    }
  return TRUE;
}

/* The plane points a code at a plane point is blended from. */
#define LAB_BLEND_NEIGHBOURS 5

gboolean
lab_projection_blend_codes (const LabProjection *projection, const float *codes, double x,
                            double y, float *code)
{
  const LabProjection *p = projection;
  const float query[2] = { (float) x, (float) y };
  long nearest[LAB_BLEND_NEIGHBOURS];
  float d2[LAB_BLEND_NEIGHBOURS];
  double weight = 0;
  int count;

  g_return_val_if_fail (p != NULL && codes != NULL && code != NULL, FALSE);

  count = ae_knn_search (nearest, d2, query, 1, p->points, p->n, 2, LAB_BLEND_NEIGHBOURS);
  memset (code, 0, sizeof (float) * p->latent);
  for (int k = 0; k < count; k++)
    weight += 1 / (d2[k] + 1e-6);
  for (int k = 0; k < count; k++)
    for (int d = 0; d < p->latent; d++)
      code[d] += (float) (codes[(size_t) nearest[k] * p->latent + d] / (d2[k] + 1e-6) / weight);
  return count > 0;
}

gboolean
lab_projection_code_at (const LabProjection *projection, const float *codes, double x, double y,
                        float *code)
{
  const LabProjection *p = projection;

  g_return_val_if_fail (p != NULL && code != NULL, FALSE);
  if (p->components == NULL)
    return codes != NULL && lab_projection_blend_codes (p, codes, x, y, code);
  for (int d = 0; d < p->latent; d++)
    code[d] = (float) (p->mean[d] + x * p->components[d] + y * p->components[p->latent + d]);
  return TRUE;
}

void
lab_projection_sigma (const LabProjection *projection, const float *logvar, float sigma[2])
{
  const LabProjection *p = projection;

  g_return_if_fail (p != NULL && p->components != NULL && logvar != NULL);
  for (int axis = 0; axis < 2; axis++)
    {
      double var = 0;

      for (int d = 0; d < p->latent; d++)
        {
          double c = p->components[axis * p->latent + d];

          var += c * c * exp (logvar[d]);
        }
      sigma[axis] = (float) sqrt (var);
    }
}
