/* lab-inside.c: unit activity, encoder Jacobian norms and the penalty-free companion model.
 *
 * The Jacobian norms reuse the engine's contractive penalty: its closed form
 * (sum_j h'(a_j)^2 ||W_j||^2) for a one-layer dense encoder, and its finite-difference
 * estimate (||f(x + s eps) - f(x)||^2 / s^2, whose mean over eps ~ N(0, I) is ||J||_F^2)
 * for every other encoder. Each call works on its own clone of the weights, so the view
 * and a worker thread never share scratch memory.
 */
#include <math.h>
#include <string.h>

#include "lab-background.h"
#include "ae-layers.h"
#include "ae-model-private.h"
#include "lab-inside.h"
#include "lab-session-private.h"

/* Random directions per sample for the estimate: its relative spread shrinks as
 * 1/sqrt(directions * effective rank of J), a few percent for digit encoders. */
#define LAB_JACOBIAN_DIRECTIONS 8
#define LAB_SIGMOID_ACTIVE 0.01f

static gboolean
has_closed_form (const AeModel *model)
{
  const AeConfig *cfg = ae_model_config (model);

  return cfg->arch == AE_ARCH_DENSE && model->n_enc == 1 && !cfg->variational
         && model->layers[0].kind == AE_LAYER_DENSE;
}

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
  info->exact_jacobian = has_closed_form (model);
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

static void
model_jacobian_norms (AeModel *model, float *norms, const float *x, long n)
{
  const int L = ae_model_latent_dim (model), dim = ae_model_input_dim (model);
  float *h0 = g_new (float, (gsize) n * L);

  ae_model_encode (model, h0, NULL, x, n);
  if (has_closed_form (model))
    {
      const AeLayer *code = &model->layers[0];
      float *row_norms = g_new (float, L);

      for (long r = 0; r < n; r++)
        norms[r] = (float) sqrt (ae_contractive_closed (NULL, NULL, row_norms, h0 + (size_t) r * L,
                                                        code->w, 1, L, code->in_dim, L, code->act,
                                                        1.0f, 1.0f));
      g_free (row_norms);
    }
  else
    {
      const float s = AE_CONTRACTIVE_STEP;
      float *moved = g_new (float, (gsize) n * dim);
      float *h1 = g_new (float, (gsize) n * L);
      double *sum = g_new0 (double, n);
      AeRng rng;

      /* a fixed stream: the same weights give the same picture */
      ae_rng_seed (&rng, 0x1a5d1de5);
      for (int k = 0; k < LAB_JACOBIAN_DIRECTIONS; k++)
        {
          for (size_t i = 0; i < (size_t) n * dim; i++)
            moved[i] = x[i] + s * ae_rng_normal (&rng);
          ae_model_encode (model, h1, NULL, moved, n);
          for (long r = 0; r < n; r++)
            sum[r] += ae_contractive_estimate (NULL, NULL, h0 + (size_t) r * L, h1 + (size_t) r * L,
                                               1, L, L, s, 1.0f, 0.0f);
        }
      for (long r = 0; r < n; r++)
        norms[r] = (float) sqrt (sum[r] / LAB_JACOBIAN_DIRECTIONS);
      g_free (sum);
      g_free (h1);
      g_free (moved);
    }
  g_free (h0);
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

typedef struct {
  AeModel *model;
  float *x;
  long n;
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

float *
lab_inside_jacobian_norms_finish (GAsyncResult *result, long *n, GError **error)
{
  float *norms;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  norms = g_task_propagate_pointer (G_TASK (result), error);
  if (n != NULL)
    *n = norms != NULL ? ((JacobianJob *) g_task_get_task_data (G_TASK (result)))->n : 0;
  return norms;
}

/* --- the companion without the penalty ------------------------------------------------- */

typedef struct {
  AeConfig cfg;
  float *train, *test;
  long n_train, n_test;
  int epochs;
} CompanionJob;

static void
companion_job_free (gpointer data)
{
  CompanionJob *job = data;

  g_free (job->train);
  g_free (job->test);
  g_free (job);
}

static void
companion_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  CompanionJob *job = data;
  AeModel *model = NULL;
  AeError err = { 0 };
  GError *error = NULL;
  const int dim = job->cfg.channels * job->cfg.height * job->cfg.width;
  const int batch = (int) MIN ((long) job->cfg.batch, job->n_train);
  guint32 *order;
  float *x, *norms;
  AeRng rng;

  (void) source;
  if (ae_model_new (&model, &job->cfg, &err) != AE_OK)
    {
      _lab_set_error_from_ae (&error, &err);
      g_task_return_error (task, error);
      return;
    }
  order = g_new (guint32, job->n_train);
  x = g_new (float, (gsize) batch * dim);
  for (long i = 0; i < job->n_train; i++)
    order[i] = (guint32) i;
  ae_rng_seed (&rng, job->cfg.seed);
  for (int epoch = 0; epoch < job->epochs; epoch++)
    {
      ae_rng_shuffle (&rng, order, (uint32_t) job->n_train);
      for (long start = 0; start + batch <= job->n_train; start += batch)
        {
          AeLossTerms terms;

          if (g_task_return_error_if_cancelled (task))
            goto out;
          for (int r = 0; r < batch; r++)
            memcpy (x + (size_t) r * dim, job->train + (size_t) order[start + r] * dim,
                    sizeof (float) * dim);
          if (ae_model_train_step (model, &terms, x, batch, (float) epoch, &rng, &err) != AE_OK)
            {
              _lab_set_error_from_ae (&error, &err);
              g_task_return_error (task, error);
              goto out;
            }
        }
    }
  norms = g_new (float, job->n_test);
  model_jacobian_norms (model, norms, job->test, job->n_test);
  g_task_return_pointer (task, norms, g_free);
out:
  g_free (x);
  g_free (order);
  ae_model_free (model);
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
  int dim;

  g_return_if_fail (weights != NULL && train != NULL && n_train > 0 && test != NULL);
  g_return_if_fail (n_test > 0 && epochs > 0);

  model = _lab_weights_clone_model (weights);
  job = g_new0 (CompanionJob, 1);
  job->cfg = *ae_model_config (model);
  job->cfg.contractive = 0.0f;
  dim = ae_model_input_dim (model);
  ae_model_free (model);
  job->train = g_memdup2 (train, sizeof (float) * (gsize) n_train * dim);
  job->test = g_memdup2 (test, sizeof (float) * (gsize) n_test * dim);
  job->n_train = n_train;
  job->n_test = n_test;
  job->epochs = epochs;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_inside_train_companion_async);
  g_task_set_task_data (task, job, companion_job_free);
  lab_background_run (task, companion_thread);
}

float *
lab_inside_train_companion_finish (GAsyncResult *result, long *n_test, GError **error)
{
  float *norms;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  norms = g_task_propagate_pointer (G_TASK (result), error);
  if (n_test != NULL)
    *n_test = norms != NULL ? ((CompanionJob *) g_task_get_task_data (G_TASK (result)))->n_test : 0;
  return norms;
}
