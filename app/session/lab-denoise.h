/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-denoise.h: what the Denoise view needs from the engine, in GLib terms.
 *
 * Noise, the classical filters, the quality measures, patch-wise denoising of an image of
 * any size with a model, and PNG files. ui/ uses this instead of engine headers.
 */
#pragma once

#include <gio/gio.h>

#include "lab-session.h"
#include "lab-weights.h"

G_BEGIN_DECLS

typedef enum {
  LAB_NOISE_GAUSSIAN,    /* level = sigma */
  LAB_NOISE_SALT_PEPPER, /* level = probability of 0 or 1 */
  LAB_NOISE_MASKING,     /* level = probability of 0 */
  LAB_N_NOISE_KINDS
} LabNoiseKind;

typedef enum {
  LAB_FILTER_MEDIAN,     /* 3x3 median */
  LAB_FILTER_GAUSSIAN,   /* Gaussian blur, sigma LAB_DENOISE_BLUR_SIGMA */
  LAB_N_FILTERS
} LabFilter;

#define LAB_DENOISE_BLUR_SIGMA 1.0f

const char *lab_noise_kind_name (LabNoiseKind kind);
const char *lab_filter_name (LabFilter filter);

/* Corrupts x (n values in [0, 1]) in place; the same seed gives the same noise. */
void     lab_denoise_corrupt (float *x, long n, LabNoiseKind kind, float level, guint64 seed);
/* A classical filter over one w x h grey image. */
void     lab_denoise_filter (float *out, const float *in, int w, int h, LabFilter filter);
/* The same filter on each of channels planes of w x h (a colour image, channel-major). */
void     lab_denoise_filter_planes (float *out, const float *in, int channels, int w, int h,
                                    LabFilter filter);
double   lab_denoise_psnr (const float *a, const float *b, long n);
double   lab_denoise_ssim (const float *a, const float *b, int w, int h);

/* Denoises a w x h grey image with a model whose input is side x side, in overlapping
 * patches blended by ae_tiles_apply (each patch trusted at its centre, not at its border).
 * Images smaller than a patch are padded by repeating the border. FALSE when the model's
 * input is not side * side. */
gboolean lab_denoise_patchwise (LabWeights *weights, float *out, const float *in, int w, int h,
                                int side);

/* Denoises an image in (channels, h, w) with a model, as well as the model allows: a fully
 * convolutional one (the photo denoiser) takes it whole at any size; another, an image of
 * its own input size, or a grey image in side x side patches (lab_denoise_patchwise).
 * FALSE when the model fits none of these. */
gboolean lab_denoise_image (LabWeights *weights, float *out, const float *in, int channels, int w,
                            int h, int side);

/* The mean PSNR of a model and of each classical filter over clean images
 * (n, channels * side * side) corrupted at each of n_levels levels (seed + level index per level), on a worker:
 * lab_denoise_curves_finish gives psnr[curve * n_levels + level], curve 0 the model and
 * 1 + f the filter f (LAB_DENOISE_CURVES curves). clean is taken. */
#define LAB_DENOISE_CURVES (1 + LAB_N_FILTERS)
void     lab_denoise_curves_async (LabWeights *weights, float *clean, long n, int channels,
                                   int side, LabNoiseKind kind, const double *levels, int n_levels,
                                   guint64 seed, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
double  *lab_denoise_curves_finish (GAsyncResult *result, GError **error);

/* A PNG (any colour type) or a JPEG, as grey in [0, 1]; errors name the file. */
gboolean lab_denoise_png_read (const char *path, float **pixels, int *w, int *h, GError **error);
/* The same in colour when the file is: planar (channels, h, w), channels 1 or 3. */
gboolean lab_denoise_image_read (const char *path, float **pixels, int *w, int *h, int *channels,
                                 GError **error);
/* How many pictures this thread has read: a window test asks the main thread. */
guint    lab_denoise_get_images_read_here (void);
gboolean lab_denoise_png_write (const char *path, const float *pixels, int w, int h,
                                GError **error);
/* Planar (channels, h, w) pixels, channels 1 (grey) or 3 (RGB). */
gboolean lab_denoise_png_write_planar (const char *path, const float *pixels, int w, int h,
                                       int channels, GError **error);

/* Makes the session train a preset ("photo-denoiser", "denoising") on `count` random side x
 * side patches cut from the image at path, or from every PNG and JPEG of the folder at path
 * (images of any size; each patch position equally likely, so larger images give more
 * patches), in channels 1 or 3 (0: colour when any image is); a tenth is the test split and
 * a tenth of the rest validation, by seed (see ae_image_random_patches_load). The trainer
 * starts paused. Errors name the file. */
#define LAB_PHOTO_PATCH_SIDE 40
gboolean lab_denoise_train_on_patches (LabSession *session, const char *path, const char *preset,
                                       int channels, int side, long count, guint64 seed,
                                       GError **error);
/* The same with the pictures read and cut on a worker (a folder of photos takes seconds):
 * finish puts the patches in force. */
void     lab_denoise_train_on_patches_async  (LabSession *session, const char *path,
                                              const char *preset, int channels, int side,
                                              long count, guint64 seed,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean lab_denoise_train_on_patches_finish (LabSession *session, GAsyncResult *result,
                                              GError **error);

G_END_DECLS
