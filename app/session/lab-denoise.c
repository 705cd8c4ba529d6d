/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-denoise.c: the engine's noise, filters, metrics and PNG files for the Denoise view. */
#include <string.h>

#include "ae-io.h"
#include "ae-math.h"
#include "ae-model.h"
#include "ae-rng.h"
#include "lab-background.h"
#include "lab-denoise.h"
#include "lab-session-private.h"

static const AeNoise engine_noise[LAB_N_NOISE_KINDS] = {
  [LAB_NOISE_GAUSSIAN] = AE_NOISE_GAUSSIAN,
  [LAB_NOISE_SALT_PEPPER] = AE_NOISE_SALT_PEPPER,
  [LAB_NOISE_MASKING] = AE_NOISE_MASKING,
};

const char *
lab_noise_kind_name (LabNoiseKind kind)
{
  static const char *const names[LAB_N_NOISE_KINDS] = { "Gaussian", "Salt and pepper", "Masking" };

  g_return_val_if_fail (kind < LAB_N_NOISE_KINDS, "");
  return names[kind];
}

const char *
lab_filter_name (LabFilter filter)
{
  static const char *const names[LAB_N_FILTERS] = { "3×3 median", "Gaussian blur" };

  g_return_val_if_fail (filter < LAB_N_FILTERS, "");
  return names[filter];
}

void
lab_denoise_corrupt (float *x, long n, LabNoiseKind kind, float level, guint64 seed)
{
  AeRng rng;

  g_return_if_fail (kind < LAB_N_NOISE_KINDS);
  ae_rng_seed (&rng, seed);
  ae_corrupt (x, n, engine_noise[kind], level, &rng);
}

void
lab_denoise_filter (float *out, const float *in, int w, int h, LabFilter filter)
{
  if (filter == LAB_FILTER_MEDIAN)
    ae_median3x3 (out, in, w, h);
  else
    ae_gaussian_blur (out, in, w, h, LAB_DENOISE_BLUR_SIGMA);
}

void
lab_denoise_filter_planes (float *out, const float *in, int channels, int w, int h, LabFilter filter)
{
  for (int c = 0; c < channels; c++)
    lab_denoise_filter (out + (gsize) c * w * h, in + (gsize) c * w * h, w, h, filter);
}

double
lab_denoise_psnr (const float *a, const float *b, long n)
{
  return ae_psnr (a, b, n);
}

double
lab_denoise_ssim (const float *a, const float *b, int w, int h)
{
  return ae_ssim (a, b, w, h);
}

static void
reconstruct_patches (void *weights, float *out, const float *in, long n)
{
  lab_weights_reconstruct (weights, out, in, n);
}

gboolean
lab_denoise_patchwise (LabWeights *weights, float *out, const float *in, int w, int h, int side)
{
  AeError err = { 0 };

  g_return_val_if_fail (weights != NULL && w > 0 && h > 0 && side > 0, FALSE);
  if (lab_weights_get_input_dim (weights) != side * side)
    return FALSE;
  return ae_tiles_apply (out, in, 1, w, h, side, side, reconstruct_patches, weights, &err) == AE_OK;
}

gboolean
lab_denoise_image (LabWeights *weights, float *out, const float *in, int channels, int w, int h,
                   int side)
{
  g_return_val_if_fail (weights != NULL && out != NULL && in != NULL && w > 0 && h > 0, FALSE);

  /* a fully convolutional model takes the image whole, at its own size */
  if (lab_weights_apply_image (weights, out, in, channels, w, h))
    return TRUE;
  /* another model: an image of its input size, or a grey image in its patches */
  if ((long) lab_weights_get_input_dim (weights) == (long) channels * w * h)
    {
      lab_weights_reconstruct (weights, out, in, 1);
      return TRUE;
    }
  return channels == 1 && side > 0 && lab_denoise_patchwise (weights, out, in, w, h, side);
}

/* --- PSNR against noise level, on a worker --------------------------------------------- */

typedef struct {
  LabWeights *weights;
  float *clean;
  long n;
  int channels, side, n_levels;
  LabNoiseKind kind;
  double *levels;
  guint64 seed;
} CurvesJob;

static void
curves_job_free (CurvesJob *job)
{
  lab_weights_unref (job->weights);
  g_free (job->clean);
  g_free (job->levels);
  g_free (job);
}

static void
curves_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  CurvesJob *job = task_data;
  long n = job->n;
  int dim = job->channels * job->side * job->side, L = job->n_levels;
  g_autofree float *noisy = g_new (float, (gsize) n * dim);
  g_autofree float *out = g_new (float, (gsize) n * dim);
  double *psnr = g_new0 (double, (gsize) LAB_DENOISE_CURVES * L);

  (void) source;
  for (int l = 0; l < L; l++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_free (psnr);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
          return;
        }
      memcpy (noisy, job->clean, sizeof (float) * n * dim);
      lab_denoise_corrupt (noisy, n * dim, job->kind, (float) job->levels[l], job->seed + l);
      lab_weights_reconstruct (job->weights, out, noisy, n);
      for (long i = 0; i < n; i++)
        psnr[l] += lab_denoise_psnr (job->clean + i * dim, out + i * dim, dim) / n;
      for (int f = 0; f < LAB_N_FILTERS; f++)
        for (long i = 0; i < n; i++)
          {
            lab_denoise_filter_planes (out + i * dim, noisy + i * dim, job->channels, job->side,
                                       job->side, f);
            psnr[(1 + f) * L + l] += lab_denoise_psnr (job->clean + i * dim, out + i * dim, dim) / n;
          }
    }
  g_task_return_pointer (task, psnr, g_free);
}

void
lab_denoise_curves_async (LabWeights *weights, float *clean, long n, int channels, int side,
                          LabNoiseKind kind,
                          const double *levels, int n_levels, guint64 seed,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  CurvesJob *job = g_new0 (CurvesJob, 1);

  g_return_if_fail (weights != NULL && clean != NULL && n > 0 && channels > 0 && side > 0
                    && n_levels > 0);
  job->weights = lab_weights_ref (weights);
  job->clean = clean;
  job->n = n;
  job->channels = channels;
  job->side = side;
  job->kind = kind;
  job->levels = g_memdup2 (levels, sizeof (double) * n_levels);
  job->n_levels = n_levels;
  job->seed = seed;
  g_task_set_source_tag (task, lab_denoise_curves_async);
  g_task_set_task_data (task, job, (GDestroyNotify) curves_job_free);
  lab_background_run (task, curves_thread);
  g_object_unref (task);
}

double *
lab_denoise_curves_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
lab_denoise_png_read (const char *path, float **pixels, int *w, int *h, GError **error)
{
  AeError err = { 0 };
  int channels;

  /* PNG or JPEG, in grey */
  if (ae_image_read (path, 1, pixels, w, h, &channels, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  return TRUE;
}

static _Thread_local guint images_read_here;

guint
lab_denoise_get_images_read_here (void)
{
  return images_read_here;
}

gboolean
lab_denoise_image_read (const char *path, float **pixels, int *w, int *h, int *channels,
                        GError **error)
{
  AeError err = { 0 };

  images_read_here++;

  /* PNG or JPEG, in colour when the file is */
  if (ae_image_read (path, 0, pixels, w, h, channels, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  return TRUE;
}

gboolean
lab_denoise_png_write (const char *path, const float *pixels, int w, int h, GError **error)
{
  return lab_denoise_png_write_planar (path, pixels, w, h, 1, error);
}

gboolean
lab_denoise_png_write_planar (const char *path, const float *pixels, int w, int h, int channels,
                              GError **error)
{
  AeError err = { 0 };

  if (ae_png_write_planar (path, pixels, w, h, channels, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  return TRUE;
}

/* Counted as pictures read by this thread: a window test asks the main thread. */
static AeDataset *
patches_load (const char *path, int channels, int side, long count, guint64 seed, GError **error)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };

  images_read_here++;
  if (ae_image_random_patches_load (&ds, path, channels, side, count, seed, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return NULL;
    }
  return ds;
}

gboolean
lab_denoise_train_on_patches (LabSession *session, const char *path, const char *preset,
                              int channels, int side, long count, guint64 seed, GError **error)
{
  AeDataset *ds;

  g_return_val_if_fail (LAB_IS_SESSION (session), FALSE);
  g_return_val_if_fail (path != NULL && preset != NULL, FALSE);

  ds = patches_load (path, channels, side, count, seed, error);
  return ds != NULL && _lab_session_load_dataset (session, ds, path, preset, error);
}

typedef struct {
  char *path, *preset;
  int channels, side;
  long count;
  guint64 seed;
} LabPatchesJob;

static void
patches_job_free (gpointer data)
{
  LabPatchesJob *job = data;

  g_free (job->path);
  g_free (job->preset);
  g_free (job);
}

static void
patches_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LabPatchesJob *job = task_data;
  GError *error = NULL;
  AeDataset *ds = patches_load (job->path, job->channels, job->side, job->count, job->seed,
                                &error);

  if (ds != NULL)
    g_task_return_pointer (task, ds, (GDestroyNotify) ae_dataset_free);
  else
    g_task_return_error (task, error);
}

void
lab_denoise_train_on_patches_async (LabSession *session, const char *path, const char *preset,
                                    int channels, int side, long count, guint64 seed,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  LabPatchesJob *job;

  g_return_if_fail (LAB_IS_SESSION (session));
  g_return_if_fail (path != NULL && preset != NULL);

  job = g_new0 (LabPatchesJob, 1);
  job->path = g_strdup (path);
  job->preset = g_strdup (preset);
  job->channels = channels;
  job->side = side;
  job->count = count;
  job->seed = seed;
  task = g_task_new (session, NULL, callback, user_data);
  g_task_set_source_tag (task, lab_denoise_train_on_patches_async);
  g_task_set_task_data (task, job, patches_job_free);
  g_task_run_in_thread (task, patches_thread);
}

gboolean
lab_denoise_train_on_patches_finish (LabSession *session, GAsyncResult *result, GError **error)
{
  LabPatchesJob *job;
  AeDataset *ds;

  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  ds = g_task_propagate_pointer (G_TASK (result), error);
  return ds != NULL && _lab_session_load_dataset (session, ds, job->path, job->preset, error);
}
