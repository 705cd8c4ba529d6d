/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-inside.c: unit activity, encoder Jacobian norms and the penalty-free companion model.
 *
 * The Jacobian norms are the engine's (ae_inspect_jacobian_norms): the closed form
 * (sum_j h'(a_j)^2 ||W_j||^2) for a one-layer dense encoder, and its finite-difference
 * estimate (||f(x + s eps) - f(x)||^2 / s^2, whose mean over eps ~ N(0, I) is ||J||_F^2)
 * for every other encoder. Each call works on its own clone of the weights, so the view
 * and a worker thread never share scratch memory.
 */
#include <math.h>
#include <string.h>

#include "lab-background.h"
#include "ae-inspect.h"
#include "ae-trainer.h"
#include "lab-inside.h"
#include "lab-session-private.h"

#define LAB_SIGMOID_ACTIVE 0.01f

void
lab_inside_describe (LabWeights *weights, LabInsideInfo *info)
{
  AeModel *model;
  const AeConfig *cfg;

  g_return_if_fail (weights != NULL && info != NULL);

  model = _lab_weights_clone_model (weights);
  cfg = ae_model_config (model);
  memset (info, 0, sizeof *info);
  info->has_rho = cfg->kl_sparsity > 0.0f;
  info->rho = cfg->rho;
  info->contractive = cfg->contractive;
  switch (cfg->variational ? AE_ACT_IDENTITY : cfg->code_activation)
    {
    case AE_ACT_SIGMOID:
      /* a sigmoid is never exactly 0: "off" is a small value */
      info->active_above = LAB_SIGMOID_ACTIVE;
      break;
    case AE_ACT_TANH:
    case AE_ACT_IDENTITY:
      info->active_above = LAB_SIGMOID_ACTIVE;
      info->signed_codes = TRUE;
      break;
    default:
      info->active_above = 0.0f;
      break;
    }
  info->exact_jacobian = ae_inspect_jacobian_is_exact (model);
  ae_model_free (model);
}

int
lab_inside_unit_activity (float *mean, guint8 *dead, const float *codes, long n, int units,
                          float active_above, gboolean signed_codes)
{
  int n_dead = 0;

  g_return_val_if_fail (mean != NULL && dead != NULL && (codes != NULL || n == 0), 0);

  for (int j = 0; j < units; j++)
    {
      double sum = 0;
      gboolean active = FALSE;

      for (long r = 0; r < n; r++)
        {
          float h = codes[(size_t) r * units + j];

          if (signed_codes)
            h = fabsf (h);
          sum += h;
          active |= h > active_above;
        }
      mean[j] = n > 0 ? (float) (sum / n) : NAN;
      dead[j] = n > 0 && !active;
      n_dead += dead[j];
    }
  return n_dead;
}

/* The engine's norms; on a failed allocation (g_new aborts first in practice) NaN. */
static void
model_jacobian_norms (AeModel *model, float *norms, const float *x, long n)
{
  if (ae_inspect_jacobian_norms (model, norms, x, n, NULL) != AE_OK)
    for (long r = 0; r < n; r++)
      norms[r] = NAN;
}

void
lab_inside_jacobian_norms (LabWeights *weights, float *norms, const float *x, long n)
{
  AeModel *model;

  g_return_if_fail (weights != NULL && norms != NULL && (x != NULL || n == 0));

  if (n <= 0)
    return;
  model = _lab_weights_clone_model (weights);
  model_jacobian_norms (model, norms, x, n);
  ae_model_free (model);
}

/* Both jobs below begin with the number of norms they give, for norms_finish. */
typedef struct {
  long n;
  AeModel *model;
  float *x;
} JacobianJob;

static void
jacobian_job_free (gpointer data)
{
  JacobianJob *job = data;

  ae_model_free (job->model);
  g_free (job->x);
  g_free (job);
}

static void
jacobian_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  JacobianJob *job = data;
  float *norms;

  (void) source;
  if (g_task_return_error_if_cancelled (task))
    return;
  norms = g_new (float, job->n);
  model_jacobian_norms (job->model, norms, job->x, job->n);
  g_task_return_pointer (task, norms, g_free);
}

void
lab_inside_jacobian_norms_async (LabWeights *weights, const float *x, long n,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  JacobianJob *job;

  g_return_if_fail (weights != NULL && x != NULL && n > 0);

  job = g_new0 (JacobianJob, 1);
  job->model = _lab_weights_clone_model (weights);
  job->x = g_memdup2 (x, sizeof (float) * (gsize) n * ae_model_input_dim (job->model));
  job->n = n;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_inside_jacobian_norms_async);
  g_task_set_task_data (task, job, jacobian_job_free);
  lab_background_run (task, jacobian_thread);
}

/* The norms of a job, and their count from the job's first member. */
static float *
norms_finish (GAsyncResult *result, long *n, GError **error)
{
  float *norms;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  norms = g_task_propagate_pointer (G_TASK (result), error);
  if (n != NULL)
    *n = norms != NULL ? *(const long *) g_task_get_task_data (G_TASK (result)) : 0;
  return norms;
}

float *
lab_inside_jacobian_norms_finish (GAsyncResult *result, long *n, GError **error)
{
  return norms_finish (result, n, error);
}

/* --- the companion without the penalty ------------------------------------------------- */

/* The companion trains through the engine's trainer, as the session's model does (the same
 * shuffling, divergence guard and thread split), on a dataset of the copied samples. */
typedef struct {
  long n_test;
  AeConfig cfg;
  AeDataset *train;
  float *test;
  char diverged[AE_ERROR_MESSAGE_MAX];
} CompanionJob;

static void
companion_job_free (gpointer data)
{
  CompanionJob *job = data;

  ae_dataset_free (job->train);
  g_free (job->test);
  g_free (job);
}

/* On the trainer's thread: only a divergence needs keeping (training then pauses). */
static void
companion_on_report (AeReport *report, void *user_data)
{
  CompanionJob *job = user_data;

  if (report->kind == AE_REPORT_DIVERGED)
    g_strlcpy (job->diverged, report->message, sizeof job->diverged);
  ae_report_free (report);
}

static void
companion_on_cancelled (GCancellable *cancellable, gpointer trainer)
{
  (void) cancellable;
  ae_trainer_pause (trainer);
}

static void
companion_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  CompanionJob *job = data;
  AeTrainerOptions opts;
  AeTrainer *trainer = NULL;
  AeModel *model;
  AeError err = { 0 };
  GError *error = NULL;
  gulong cancel_id;
  float *norms;

  (void) source;
  ae_trainer_options_init (&opts);
  opts.data = job->train;
  opts.config = job->cfg;
  opts.n_preview = 0;
  opts.n_codes = 0;
  opts.report_hz = opts.codes_hz = opts.weights_hz = 0;
  opts.report = companion_on_report;
  opts.user_data = job;
  if (ae_trainer_new (&trainer, &opts, &err) != AE_OK)
    {
      _lab_set_error_from_ae (&error, &err);
      g_task_return_error (task, error);
      return;
    }
  ae_trainer_run (trainer);
  /* a cancel pauses the trainer, which ends the wait */
  cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (companion_on_cancelled), trainer, NULL);
  ae_trainer_wait_idle (trainer);
  g_cancellable_disconnect (cancellable, cancel_id);
  if (g_task_return_error_if_cancelled (task))
    goto out;
  if (job->diverged[0] != '\0')
    {
      g_task_return_new_error (task, LAB_SESSION_ERROR, AE_ERR_DIVERGED, "%s", job->diverged);
      goto out;
    }
  model = ae_trainer_clone_weights (trainer);
  if (model == NULL)
    {
      g_task_return_new_error (task, LAB_SESSION_ERROR, AE_ERR_NOMEM,
                               "out of memory for the companion's weights");
      goto out;
    }
  norms = g_new (float, job->n_test);
  model_jacobian_norms (model, norms, job->test, job->n_test);
  ae_model_free (model);
  g_task_return_pointer (task, norms, g_free);
out:
  ae_trainer_free (trainer);
}

void
lab_inside_train_companion_async (LabWeights *weights, const float *train, long n_train,
                                  const float *test, long n_test, int epochs,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  CompanionJob *job;
  AeModel *model;
  AeError err = { 0 };
  int dim;

  g_return_if_fail (weights != NULL && train != NULL && n_train > 0 && test != NULL);
  g_return_if_fail (n_test > 0 && epochs > 0);

  model = _lab_weights_clone_model (weights);
  job = g_new0 (CompanionJob, 1);
  job->cfg = *ae_model_config (model);
  job->cfg.contractive = 0.0f;
  job->cfg.epochs = epochs;
  dim = ae_model_input_dim (model);
  ae_model_free (model);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_inside_train_companion_async);
  g_task_set_task_data (task, job, companion_job_free);
  if (ae_dataset_new (&job->train, n_train, job->cfg.channels, job->cfg.height, job->cfg.width, 0,
                      &err) != AE_OK)
    {
      GError *error = NULL;

      _lab_set_error_from_ae (&error, &err);
      g_task_return_error (task, error);
      return;
    }
  /* a new dataset's split puts every sample in training */
  memcpy (job->train->x, train, sizeof (float) * (gsize) n_train * dim);
  job->test = g_memdup2 (test, sizeof (float) * (gsize) n_test * dim);
  job->n_test = n_test;
  lab_background_run (task, companion_thread);
}

float *
lab_inside_train_companion_finish (GAsyncResult *result, long *n_test, GError **error)
{
  return norms_finish (result, n_test, error);
}
