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

/* --- the look at new weights ----------------------------------------------------------- */

LabInsideLookJob *
lab_inside_look_job_new (LabWeights *weights, LabSnapshot *snapshot, int max_tiles)
{
  LabInsideLookJob *job = g_new0 (LabInsideLookJob, 1);

  job->weights = lab_weights_ref (weights);
  job->snapshot = lab_snapshot_ref (snapshot);
  job->max_tiles = max_tiles;
  return job;
}

void
lab_inside_look_job_free (LabInsideLookJob *job)
{
  if (job == NULL)
    return;
  lab_weights_unref (job->weights);
  lab_snapshot_unref (job->snapshot);
  g_free (job);
}

void
lab_inside_look_free (LabInsideLook *look)
{
  if (look == NULL)
    return;
  g_free (look->mean);
  g_free (look->dead);
  g_free (look->tiles);
  g_free (look->code_values);
  g_free (look);
}

/* Unit u's weights as one tile: the mean over input channels, scaled to [-1, 1]. */
static void
build_tile (float *tile, const float *w, int channels, int pixels)
{
  float largest = 0;

  for (int p = 0; p < pixels; p++)
    {
      float sum = 0;

      for (int c = 0; c < channels; c++)
        sum += w[(size_t) c * pixels + p];
      tile[p] = sum / channels;
      largest = fmaxf (largest, fabsf (tile[p]));
    }
  if (largest > 0)
    for (int p = 0; p < pixels; p++)
      tile[p] /= largest;
}

/* Unit u's weights on three input planes as one RGB tile: mid grey for zero, each plane
 * scaled by the tile's largest weight, so a filter shows the colour it responds to. */
static void
build_colour_tile (float *tile, const float *w, int pixels)
{
  float largest = 0;

  for (int i = 0; i < 3 * pixels; i++)
    largest = fmaxf (largest, fabsf (w[i]));
  for (int i = 0; i < 3 * pixels; i++)
    tile[i] = largest > 0 ? 0.5f + 0.5f * w[i] / largest : 0.5f;
}

static void
look_tiles (const LabInsideLookJob *job, LabInsideLook *look)
{
  const LabSnapshot *s = job->snapshot;
  int channels = MAX (s->channels, 1);
  g_autofree float *w = NULL;
  gsize tile_values;

  if (!s->is_image)
    return;
  w = lab_weights_dup_first_layer (job->weights, &look->layer_units, &look->inputs);
  if (look->inputs == s->dim)
    {
      look->tile_w = s->width;
      look->tile_h = s->height;
    }
  else
    {
      /* a convolution: (in channels, k, k) per kernel */
      int k = (int) lround (sqrt ((double) look->inputs / channels));

      if (k * k * channels == look->inputs)
        look->tile_w = look->tile_h = k;
    }
  if (w == NULL || look->layer_units <= 0 || look->tile_w <= 0)
    return;
  look->n_tiles = MIN (look->layer_units, job->max_tiles);
  look->colour = channels == 3;
  tile_values = (gsize) (look->colour ? 3 : 1) * look->tile_w * look->tile_h;
  look->tiles = g_new (float, (gsize) look->n_tiles * tile_values);
  for (int u = 0; u < look->n_tiles; u++)
    if (look->colour)
      build_colour_tile (look->tiles + (gsize) u * tile_values, w + (gsize) u * look->inputs,
                         look->tile_w * look->tile_h);
    else
      build_tile (look->tiles + (gsize) u * tile_values, w + (gsize) u * look->inputs, channels,
                  look->tile_w * look->tile_h);
}

gpointer
lab_inside_look_job_run (gpointer data, GCancellable *cancellable)
{
  LabInsideLookJob *job = data;
  const LabSnapshot *s = job->snapshot;
  LabInsideLook *look = g_new0 (LabInsideLook, 1);

  (void) cancellable;
  lab_inside_describe (job->weights, &look->info);
  look_tiles (job, look);
  look->units = s->codes != NULL ? s->latent : 0;
  look->mean = g_new (float, MAX (look->units, 1));
  look->dead = g_new (guint8, MAX (look->units, 1));
  look->n_dead = lab_inside_unit_activity (look->mean, look->dead, s->codes,
                                           s->codes != NULL ? s->n_codes : 0, look->units,
                                           look->info.active_above, look->info.signed_codes);
  if (s->codes != NULL)
    {
      long total = (long) s->n_codes * s->latent;

      /* an even stride through every sample and unit: the histogram keeps its shape, and
       * the main thread bins tens of thousands of values, not millions, at each redraw */
      look->n_code_values = (int) MIN (total, LAB_INSIDE_CODE_VALUES);
      look->code_values = g_new (float, MAX (look->n_code_values, 1));
      for (long i = 0; i < look->n_code_values; i++)
        look->code_values[i] = s->codes[total <= LAB_INSIDE_CODE_VALUES
                                        ? i : (long) ((double) i * total / LAB_INSIDE_CODE_VALUES)];
    }
  return look;
}

/* --- Jacobian norms, and the companion without the penalty -------------------------------- */

LabInsideNormsJob *
lab_inside_norms_job_new (LabWeights *weights, LabSamples *train, const guint32 *rows, long n)
{
  LabInsideNormsJob *job = g_new0 (LabInsideNormsJob, 1);

  job->weights = lab_weights_ref (weights);
  job->train = train;
  job->rows = g_memdup2 (rows, sizeof (guint32) * (gsize) MAX (n, 1));
  job->n = n;
  return job;
}

void
lab_inside_norms_job_free (LabInsideNormsJob *job)
{
  if (job == NULL)
    return;
  lab_weights_unref (job->weights);
  lab_samples_free (job->train);
  g_free (job->rows);
  g_free (job);
}

void
lab_inside_norms_free (LabInsideNorms *norms)
{
  if (norms == NULL)
    return;
  g_free (norms->norms);
  g_clear_error (&norms->error);
  g_free (norms);
}

/* The companion trains through the engine's trainer, as the session's model does (the same
 * shuffling, divergence guard and thread split): only a divergence needs keeping (training
 * then pauses). On the trainer's thread. */
static void
companion_on_report (AeReport *report, void *user_data)
{
  char *diverged = user_data;

  if (report->kind == AE_REPORT_DIVERGED)
    g_strlcpy (diverged, report->message, AE_ERROR_MESSAGE_MAX);
  ae_report_free (report);
}

static void
companion_on_cancelled (GCancellable *cancellable, gpointer trainer)
{
  (void) cancellable;
  ae_trainer_pause (trainer);
}

/* A model with the settings of job->weights but no contractive penalty, trained on the
 * first n_train training samples; NULL with error set. */
static AeModel *
train_companion (const LabInsideNormsJob *job, GCancellable *cancellable, GError **error)
{
  AeModel *model = _lab_weights_clone_model (job->weights);
  AeTrainerOptions opts;
  AeTrainer *trainer = NULL;
  AeDataset *train = NULL;
  AeError err = { 0 };
  char diverged[AE_ERROR_MESSAGE_MAX] = "";
  long n_train = MIN (job->n_train, lab_samples_get_count (job->train));
  int dim = ae_model_input_dim (model);
  gulong cancel_id;

  ae_trainer_options_init (&opts);
  opts.config = *ae_model_config (model);
  opts.config.contractive = 0.0f;
  opts.config.epochs = job->epochs;
  ae_model_free (model);
  model = NULL;
  if (n_train <= 0)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_INVALID, "no training samples");
      return NULL;
    }
  if (ae_dataset_new (&train, n_train, opts.config.channels, opts.config.height,
                      opts.config.width, 0, &err) != AE_OK)
    goto failed;
  /* a new dataset's split puts every sample in training */
  for (long i = 0; i < n_train; i++)
    memcpy (train->x + (gsize) i * dim, lab_samples_get (job->train, i, NULL), sizeof (float) * dim);
  opts.data = train;
  opts.n_preview = 0;
  opts.n_codes = 0;
  opts.report_hz = opts.codes_hz = opts.weights_hz = 0;
  opts.report = companion_on_report;
  opts.user_data = diverged;
  if (ae_trainer_new (&trainer, &opts, &err) != AE_OK)
    goto failed;
  ae_trainer_run (trainer);
  /* a cancel pauses the trainer, which ends the wait */
  cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (companion_on_cancelled), trainer, NULL);
  ae_trainer_wait_idle (trainer);
  g_cancellable_disconnect (cancellable, cancel_id);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    model = NULL;
  else if (diverged[0] != '\0')
    g_set_error (error, LAB_SESSION_ERROR, AE_ERR_DIVERGED, "%s", diverged);
  else if ((model = ae_trainer_clone_weights (trainer)) == NULL)
    g_set_error (error, LAB_SESSION_ERROR, AE_ERR_NOMEM, "out of memory for the companion's weights");
  ae_trainer_free (trainer);
  ae_dataset_free (train);
  return model;
failed:
  _lab_set_error_from_ae (error, &err);
  ae_dataset_free (train);
  return NULL;
}

gpointer
lab_inside_norms_job_run (gpointer data, GCancellable *cancellable)
{
  LabInsideNormsJob *job = data;
  LabInsideNorms *out = g_new0 (LabInsideNorms, 1);
  LabInsideInfo info;
  AeModel *model;
  g_autofree float *x = NULL;
  int dim;

  lab_inside_describe (job->weights, &info);
  /* the closed form is cheap; the estimate costs several encoder passes per sample */
  if (job->n <= 0 || (!job->always && job->epochs <= 0 && info.contractive <= 0 && !info.exact_jacobian))
    return out;
  model = job->epochs > 0 ? train_companion (job, cancellable, &out->error)
                          : _lab_weights_clone_model (job->weights);
  if (model == NULL)
    return out;
  dim = ae_model_input_dim (model);
  x = g_new (float, (gsize) job->n * dim);
  for (long i = 0; i < job->n; i++)
    {
      const float *sample = lab_samples_get_row (job->train, job->rows[i], NULL);

      if (sample == NULL)
        {
          ae_model_free (model);
          return out;
        }
      memcpy (x + (gsize) i * dim, sample, sizeof (float) * dim);
    }
  out->n = job->n;
  out->norms = g_new (float, job->n);
  model_jacobian_norms (model, out->norms, x, job->n);
  ae_model_free (model);
  return out;
}
