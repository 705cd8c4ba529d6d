/* lab-denoise.c: the engine's noise, filters, metrics and PNG files for the Denoise view. */
#include <string.h>

#include "ae-io.h"
#include "ae-math.h"
#include "ae-model.h"
#include "ae-rng.h"
#include "lab-denoise.h"
#include "lab-session-private.h"

/* Patches handed to the model at once: bounds the scratch memory for large images. */
#define LAB_PATCH_BATCH 256

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

/* Patch origins along one axis of `size` pixels: 0, stride, ..., and size - side last. */
static int
patch_origins (int *origins, int size, int side, int stride)
{
  int n = 0;

  if (size <= side)
    {
      origins[n++] = 0;
      return n;
    }
  for (int at = 0; at + side < size; at += stride)
    origins[n++] = at;
  origins[n++] = size - side;
  return n;
}

gboolean
lab_denoise_patchwise (LabWeights *weights, float *out, const float *in, int w, int h,
                       int side, int stride)
{
  g_autofree int *xs = NULL;
  g_autofree int *ys = NULL;
  g_autofree float *batch_in = NULL;
  g_autofree float *batch_out = NULL;
  g_autofree float *count = NULL;
  long patch = (long) side * side, n_patches, done = 0;
  int nx, ny;

  g_return_val_if_fail (weights != NULL && w > 0 && h > 0 && side > 0 && stride > 0, FALSE);
  if (lab_weights_get_input_dim (weights) != patch)
    return FALSE;

  xs = g_new (int, w / stride + 2);
  ys = g_new (int, h / stride + 2);
  nx = patch_origins (xs, w, side, stride);
  ny = patch_origins (ys, h, side, stride);
  n_patches = (long) nx * ny;
  batch_in = g_new (float, LAB_PATCH_BATCH * patch);
  batch_out = g_new (float, LAB_PATCH_BATCH * patch);
  count = g_new0 (float, (gsize) w * h);
  memset (out, 0, sizeof (float) * (gsize) w * h);

  while (done < n_patches)
    {
      long n = MIN (LAB_PATCH_BATCH, n_patches - done);

      /* cut: coordinates past the border repeat the last row or column */
      for (long p = 0; p < n; p++)
        {
          int ox = xs[(done + p) % nx], oy = ys[(done + p) / nx];

          for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
              batch_in[p * patch + y * side + x] =
                in[(gsize) MIN (oy + y, h - 1) * w + MIN (ox + x, w - 1)];
        }
      lab_weights_reconstruct (weights, batch_out, batch_in, n);
      for (long p = 0; p < n; p++)
        {
          int ox = xs[(done + p) % nx], oy = ys[(done + p) / nx];

          for (int y = 0; y < side && oy + y < h; y++)
            for (int x = 0; x < side && ox + x < w; x++)
              {
                gsize at = (gsize) (oy + y) * w + ox + x;

                out[at] += batch_out[p * patch + y * side + x];
                count[at] += 1;
              }
        }
      done += n;
    }
  for (gsize i = 0; i < (gsize) w * h; i++)
    out[i] /= count[i];
  return TRUE;
}

gboolean
lab_denoise_png_read (const char *path, float **pixels, int *w, int *h, GError **error)
{
  AeError err = { 0 };

  if (ae_png_read_gray (path, pixels, w, h, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  return TRUE;
}

gboolean
lab_denoise_png_write (const char *path, const float *pixels, int w, int h, GError **error)
{
  AeError err = { 0 };

  if (ae_png_write_gray (path, pixels, w, h, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  return TRUE;
}
