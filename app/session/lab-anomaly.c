/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-anomaly.c: scoring for the Anomaly view: reconstruction errors, PCA's beside them,
 * AUROC, ROC points and counts at a threshold, through the engine. */
#include "lab-background.h"
#include "lab-anomaly.h"

#include <math.h>
#include <string.h>

#include "ae-dataset.h"
#include "ae-math.h"

#include "lab-session-private.h"

/* The seed a loaded file is split with: its split does not matter, every sample is scored. */
#define LAB_ANOMALY_FILE_SEED 1

/* The reference counting of a type held in a GAtomicRcBox: prefix_ref and prefix_unref, the
 * last unref running clear. */
#define LAB_DEFINE_RC_BOX(Type, prefix, clear)                                        \
  Type *prefix##_ref (Type *self) { return g_atomic_rc_box_acquire (self); }           \
  void prefix##_unref (Type *self) { g_atomic_rc_box_release_full (self, (GDestroyNotify) clear); }

struct _LabAnomalyBaseline {
  AePca *pca;
  int k;
};

/* --- sample sets ------------------------------------------------------------------------ */

static void
set_clear (LabAnomalySet *set)
{
  g_free (set->x);
  g_free (set->anomalous);
  g_free (set->labels);
  g_free (set->index);
  g_free (set->step_anomaly);
  g_free (set->name);
}

LAB_DEFINE_RC_BOX (LabAnomalySet, lab_anomaly_set, set_clear)

static LabAnomalySet *
set_new (long n, int dim, int steps, gboolean with_steps, const char *name)
{
  LabAnomalySet *set = g_atomic_rc_box_new0 (LabAnomalySet);

  set->n = n;
  set->dim = dim;
  set->steps = steps;
  set->x = g_new (float, (gsize) n * dim);
  set->anomalous = g_new0 (guint8, n);
  set->labels = g_new (int, n);
  set->index = g_new (long, n);
  if (with_steps)
    set->step_anomaly = g_new0 (guint8, (gsize) n * steps);
  set->name = g_strdup (name);
  return set;
}

static gboolean
any_flag (const guint8 *flags, int count)
{
  for (int i = 0; i < count; i++)
    if (flags[i])
      return TRUE;
  return FALSE;
}

LabAnomalySet *
lab_anomaly_set_from_samples (const LabSamples *samples, LabSplit split, const gboolean *normal,
                              int n_classes, long max, gboolean normal_only)
{
  long count = lab_samples_get_count (samples), n = 0;
  int dim = lab_samples_get_dim (samples), steps = lab_samples_get_steps (samples);
  gboolean steps_labelled = lab_samples_get_step_anomaly (samples, 0) != NULL;
  long *chosen;
  LabAnomalySet *set;

  if (count <= 0 || max <= 0)
    return NULL;
  /* evenly spread, so that a subset still holds every class in proportion */
  chosen = g_new (long, MIN (count, max));
  for (long i = 0; i < MIN (count, max); i++)
    {
      long index = count <= max ? i : (long) ((double) i * count / max);
      int label;
      const guint8 *flags = lab_samples_get_step_anomaly (samples, index);
      gboolean is_normal;

      lab_samples_get (samples, index, &label);
      if (flags != NULL)
        is_normal = !any_flag (flags, steps);
      else
        is_normal = label < 0 || label >= n_classes || normal == NULL || normal[label];
      if (!normal_only || is_normal)
        chosen[n++] = index;
    }
  if (n == 0)
    {
      g_free (chosen);
      return NULL;
    }
  set = set_new (n, dim, steps, steps_labelled,
                 split == LAB_SPLIT_TEST ? "test split" : split == LAB_SPLIT_TRAIN ? "training split"
                                                                                 : "validation split");
  for (long i = 0; i < n; i++)
    {
      const float *x = lab_samples_get (samples, chosen[i], &set->labels[i]);
      const guint8 *flags = lab_samples_get_step_anomaly (samples, chosen[i]);

      memcpy (set->x + (gsize) i * set->dim, x, (gsize) set->dim * sizeof (float));
      set->index[i] = chosen[i];
      if (flags != NULL)
        {
          memcpy (set->step_anomaly + (gsize) i * set->steps, flags, (gsize) set->steps);
          set->anomalous[i] = any_flag (flags, set->steps);
        }
      else
        set->anomalous[i] = normal != NULL && set->labels[i] >= 0 && set->labels[i] < n_classes
                            && !normal[set->labels[i]];
    }
  g_free (chosen);
  return set;
}

LabAnomalySetsJob *
lab_anomaly_sets_job_new (LabSession *session, const gboolean *normal, int n_classes,
                          long max_test, long max_train)
{
  LabAnomalySetsJob *job;

  g_return_val_if_fail (LAB_IS_SESSION (session), NULL);

  job = g_new0 (LabAnomalySetsJob, 1);
  job->test = lab_samples_new (session, LAB_SPLIT_TEST);
  job->train = lab_samples_new (session, LAB_SPLIT_TRAIN);
  if (job->test == NULL || job->train == NULL)
    {
      lab_anomaly_sets_job_free (job);
      return NULL;
    }
  job->normal = n_classes > 0 ? g_memdup2 (normal, sizeof (gboolean) * n_classes) : NULL;
  job->n_classes = n_classes;
  job->max_test = max_test;
  job->max_train = max_train;
  return job;
}

void
lab_anomaly_sets_job_free (LabAnomalySetsJob *job)
{
  if (job == NULL)
    return;
  lab_samples_free (job->test);
  lab_samples_free (job->train);
  g_free (job->normal);
  g_free (job);
}

gpointer
lab_anomaly_sets_job_run (gpointer data, GCancellable *cancellable)
{
  LabAnomalySetsJob *job = data;
  LabAnomalySets *sets = g_new0 (LabAnomalySets, 1);

  (void) cancellable;
  sets->test = lab_anomaly_set_from_samples (job->test, LAB_SPLIT_TEST, job->normal,
                                             job->n_classes, job->max_test, FALSE);
  sets->pca_train = lab_anomaly_set_from_samples (job->train, LAB_SPLIT_TRAIN, job->normal,
                                                  job->n_classes, job->max_train, TRUE);
  /* PCA needs two rows */
  if (sets->pca_train != NULL && sets->pca_train->n < 2)
    g_clear_pointer (&sets->pca_train, lab_anomaly_set_unref);
  return sets;
}

void
lab_anomaly_sets_free (LabAnomalySets *sets)
{
  if (sets == NULL)
    return;
  g_clear_pointer (&sets->test, lab_anomaly_set_unref);
  g_clear_pointer (&sets->pca_train, lab_anomaly_set_unref);
  g_free (sets);
}

LabAnomalySet *
lab_anomaly_set_load (const char *path, int dim, long max, GError **error)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  LabAnomalySet *set;
  g_autofree char *base = g_path_get_basename (path);
  long n;

  if (ae_dataset_load (&ds, path, LAB_ANOMALY_FILE_SEED, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return NULL;
    }
  if (ds->dim != dim || ds->n <= 0)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_INVALID,
                   "%s: %ld samples of %d values (%d × %d × %d), but the model takes %d values", path,
                   ds->n, ds->dim, ds->channels, ds->height, ds->width, dim);
      ae_dataset_free (ds);
      return NULL;
    }
  n = MIN (ds->n, max);
  set = set_new (n, dim, ds->kind == AE_DATA_SEQUENCES ? ds->height : 0, FALSE, base);
  for (long i = 0; i < n; i++)
    {
      long index = ds->n <= max ? i : (long) ((double) i * ds->n / max);

      memcpy (set->x + (gsize) i * dim, ae_dataset_sample (ds, index), (gsize) dim * sizeof (float));
      set->labels[i] = ds->labels != NULL ? ds->labels[index] : -1;
      set->index[i] = index;
    }
  ae_dataset_free (ds);
  return set;
}

LabAnomalyFileJob *
lab_anomaly_file_job_new (const char *path, int dim, long max)
{
  LabAnomalyFileJob *job = g_new (LabAnomalyFileJob, 1);

  job->path = g_strdup (path);
  job->dim = dim;
  job->max = max;
  return job;
}

void
lab_anomaly_file_job_free (LabAnomalyFileJob *job)
{
  if (job == NULL)
    return;
  g_free (job->path);
  g_free (job);
}

gpointer
lab_anomaly_file_job_run (gpointer data, GCancellable *cancellable)
{
  LabAnomalyFileJob *job = data;
  LabAnomalyFileLoad *load = g_new0 (LabAnomalyFileLoad, 1);

  (void) cancellable;
  load->set = lab_anomaly_set_load (job->path, job->dim, job->max, &load->error);
  return load;
}

void
lab_anomaly_file_load_free (LabAnomalyFileLoad *load)
{
  if (load == NULL)
    return;
  g_clear_pointer (&load->set, lab_anomaly_set_unref);
  g_clear_error (&load->error);
  g_free (load);
}

/* --- PCA baseline ----------------------------------------------------------------------- */

static void
baseline_clear (LabAnomalyBaseline *baseline)
{
  ae_pca_free (baseline->pca);
}

LAB_DEFINE_RC_BOX (LabAnomalyBaseline, lab_anomaly_baseline, baseline_clear)

int
lab_anomaly_baseline_get_k (const LabAnomalyBaseline *baseline)
{
  return baseline->k;
}

LabAnomalyBaseline *
lab_anomaly_baseline_fit (const LabAnomalySet *train, int k, GError **error)
{
  AeError err = { 0 };
  AePca *pca = NULL;
  LabAnomalyBaseline *baseline;

  k = CLAMP (k, 1, train->dim);
  if (ae_pca_fit (&pca, train->x, train->n, train->dim, k, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return NULL;
    }
  baseline = g_atomic_rc_box_new0 (LabAnomalyBaseline);
  baseline->pca = pca;
  baseline->k = k;
  return baseline;
}

/* --- measures --------------------------------------------------------------------------- */

void
lab_anomaly_squared_errors (float *errors, float *step_errors, const float *x, const float *recon,
                            long n, int dim, int steps)
{
  int per_step = steps > 0 ? dim / steps : dim;

  for (long i = 0; i < n; i++)
    {
      double total = 0;

      for (int j = 0; j < dim; j++)
        {
          double d = (double) x[(gsize) i * dim + j] - (double) recon[(gsize) i * dim + j];

          total += d * d;
          if (step_errors != NULL && steps > 0)
            {
              if (j % per_step == 0)
                step_errors[(gsize) i * steps + j / per_step] = 0;
              step_errors[(gsize) i * steps + j / per_step] += (float) (d * d);
            }
        }
      errors[i] = (float) total;
    }
}

double
lab_anomaly_auroc (const float *scores, const guint8 *anomalous, long n)
{
  return ae_auroc (scores, anomalous, n);
}

long
lab_anomaly_roc (const float *scores, const guint8 *anomalous, long n, double **fpr, double **tpr)
{
  float *f = g_new (float, n + 1), *t = g_new (float, n + 1);
  long count = ae_roc_curve (scores, anomalous, n, f, t);

  *fpr = *tpr = NULL;
  if (count > 0)
    {
      *fpr = g_new (double, count);
      *tpr = g_new (double, count);
      for (long i = 0; i < count; i++)
        {
          (*fpr)[i] = f[i];
          (*tpr)[i] = t[i];
        }
    }
  g_free (f);
  g_free (t);
  return count;
}

static double
ratio (long a, long b)
{
  return b > 0 ? (double) a / (double) b : NAN;
}

void
lab_anomaly_count (LabAnomalyCounts *out, const float *scores, const guint8 *anomalous, long n,
                   double threshold)
{
  memset (out, 0, sizeof *out);
  for (long i = 0; i < n; i++)
    {
      gboolean flagged = scores[i] > threshold;

      if (anomalous[i])
        *(flagged ? &out->tp : &out->fn) += 1;
      else
        *(flagged ? &out->fp : &out->tn) += 1;
    }
  out->precision = ratio (out->tp, out->tp + out->fp);
  out->recall = ratio (out->tp, out->tp + out->fn);
  out->fpr = ratio (out->fp, out->fp + out->tn);
  out->f1 = ratio (2 * out->tp, 2 * out->tp + out->fp + out->fn);
}

/* --- scoring ---------------------------------------------------------------------------- */

void
lab_anomaly_result_free (LabAnomalyResult *result)
{
  if (result == NULL)
    return;
  g_free (result->errors);
  g_free (result->step_errors);
  g_free (result->recon);
  g_free (result->fpr);
  g_free (result->tpr);
  g_free (result->pca_errors);
  g_free (result->pca_fpr);
  g_free (result->pca_tpr);
  g_free (result);
}

LabAnomalyResult *
lab_anomaly_score (LabWeights *weights, const LabAnomalySet *set, const LabAnomalyBaseline *baseline)
{
  LabAnomalyResult *r = g_new0 (LabAnomalyResult, 1);
  long n = set->n;

  g_return_val_if_fail (lab_weights_get_input_dim (weights) == set->dim, r);

  r->n = n;
  r->errors = g_new (float, n);
  r->recon = g_new (float, (gsize) n * set->dim);
  if (set->steps > 0)
    r->step_errors = g_new (float, (gsize) n * set->steps);
  lab_weights_reconstruct (weights, r->recon, set->x, n);
  lab_anomaly_squared_errors (r->errors, r->step_errors, set->x, r->recon, n, set->dim, set->steps);
  r->auroc = lab_anomaly_auroc (r->errors, set->anomalous, n);
  r->n_roc = lab_anomaly_roc (r->errors, set->anomalous, n, &r->fpr, &r->tpr);
  r->pca_auroc = NAN;
  if (baseline != NULL)
    {
      float *codes = g_new (float, (gsize) n * baseline->k);
      float *out = g_new (float, (gsize) n * set->dim);

      /* the same squared error, so that the rankings compare like with like */
      r->pca_errors = g_new (float, n);
      ae_pca_project (baseline->pca, codes, set->x, n, baseline->k);
      ae_pca_reconstruct (baseline->pca, out, codes, n, baseline->k);
      lab_anomaly_squared_errors (r->pca_errors, NULL, set->x, out, n, set->dim, 0);
      r->pca_auroc = lab_anomaly_auroc (r->pca_errors, set->anomalous, n);
      r->n_pca_roc = lab_anomaly_roc (r->pca_errors, set->anomalous, n, &r->pca_fpr, &r->pca_tpr);
      g_free (codes);
      g_free (out);
    }
  return r;
}

typedef struct {
  LabWeights *weights;
  LabAnomalySet *set;
  LabAnomalyBaseline *baseline;
  LabAnomalySet *pca_train;
  int pca_k;
  LabAnomalyBaseline *fitted;
} ScoreJob;

static void
score_job_free (ScoreJob *job)
{
  lab_weights_unref (job->weights);
  lab_anomaly_set_unref (job->set);
  g_clear_pointer (&job->baseline, lab_anomaly_baseline_unref);
  g_clear_pointer (&job->pca_train, lab_anomaly_set_unref);
  g_clear_pointer (&job->fitted, lab_anomaly_baseline_unref);
  g_free (job);
}

static void
score_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ScoreJob *job = task_data;
  const LabAnomalyBaseline *baseline = job->baseline;

  (void) source;
  (void) cancellable;
  if (baseline == NULL && job->pca_train != NULL)
    {
      /* a baseline that cannot be fitted (too few rows) only leaves PCA out */
      job->fitted = lab_anomaly_baseline_fit (job->pca_train, job->pca_k, NULL);
      baseline = job->fitted;
    }
  g_task_return_pointer (task, lab_anomaly_score (job->weights, job->set, baseline),
                         (GDestroyNotify) lab_anomaly_result_free);
}

void
lab_anomaly_score_async (LabWeights *weights, LabAnomalySet *set, LabAnomalyBaseline *baseline,
                         LabAnomalySet *pca_train, int pca_k, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ScoreJob *job = g_new0 (ScoreJob, 1);

  job->weights = lab_weights_ref (weights);
  job->set = lab_anomaly_set_ref (set);
  job->baseline = baseline != NULL ? lab_anomaly_baseline_ref (baseline) : NULL;
  job->pca_train = pca_train != NULL ? lab_anomaly_set_ref (pca_train) : NULL;
  job->pca_k = pca_k;
  g_task_set_source_tag (task, lab_anomaly_score_async);
  g_task_set_task_data (task, job, (GDestroyNotify) score_job_free);
  lab_background_run (task, score_thread);
  g_object_unref (task);
}

LabAnomalyResult *
lab_anomaly_score_finish (GAsyncResult *result, LabAnomalyBaseline **fitted_baseline, GError **error)
{
  ScoreJob *job = g_task_get_task_data (G_TASK (result));

  if (fitted_baseline != NULL)
    *fitted_baseline = g_steal_pointer (&job->fitted);
  return g_task_propagate_pointer (G_TASK (result), error);
}
