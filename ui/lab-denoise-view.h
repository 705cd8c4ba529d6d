/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-denoise-view.h: clean, noisy, denoised and filtered side by side, with PSNR. */
#pragma once

#include <gtk/gtk.h>

#include "lab-view.h"

G_BEGIN_DECLS

#define LAB_TYPE_DENOISE_VIEW (lab_denoise_view_get_type ())

G_DECLARE_FINAL_TYPE (LabDenoiseView, lab_denoise_view, LAB, DENOISE_VIEW, LabView)

typedef enum {
  LAB_DENOISE_PANEL_CLEAN,
  LAB_DENOISE_PANEL_NOISY,
  LAB_DENOISE_PANEL_MODEL,
  LAB_DENOISE_PANEL_FILTER,
  LAB_N_DENOISE_PANELS
} LabDenoisePanel;

GtkWidget   *lab_denoise_view_new (void);
/* Noise: kind as LabNoiseKind of lab-denoise.h (0 Gaussian, 1 salt and pepper, 2 masking). */
void         lab_denoise_view_set_noise (LabDenoiseView *self, int kind, double level);
/* The noise the controls show: they start at the noise the session's model trains with. */
void         lab_denoise_view_get_noise (LabDenoiseView *self, int *kind, double *level);
void         lab_denoise_view_set_sample (LabDenoiseView *self, long index);
/* Filter: 0 median 3x3, 1 Gaussian blur. */
void         lab_denoise_view_set_filter (LabDenoiseView *self, int filter);
/* What a panel shows now: its pixels (width x height) and PSNR / SSIM against the clean
 * image (NAN for the clean panel and while there is no model). */
const float *lab_denoise_view_get_panel (LabDenoiseView *self, LabDenoisePanel panel,
                                         int *width, int *height, double *psnr, double *ssim);
/* Paints (value 1) or erases (value 0) a disc on the noisy panel, in image pixels. */
void         lab_denoise_view_paint (LabDenoiseView *self, double x, double y, float value);
/* Opens a PNG as the clean image (denoised patch-wise), or goes back to the test samples
 * with NULL. */
gboolean     lab_denoise_view_open_image (LabDenoiseView *self, const char *path, GError **error);
/* The same, the picture decoded on a worker (the window's way); the newest opening wins: an
 * older one finishes with G_IO_ERROR_CANCELLED. */
void         lab_denoise_view_open_image_async  (LabDenoiseView *self, const char *path,
                                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean     lab_denoise_view_open_image_finish (LabDenoiseView *self, GAsyncResult *result,
                                                 GError **error);
gboolean     lab_denoise_view_save_result (LabDenoiseView *self, const char *path, GError **error);
/* Makes the session train the denoising preset on random patches, of the model's input
 * size, of the PNG at path or of every PNG in the folder at path, and starts it. */
gboolean     lab_denoise_view_train_on_patches (LabDenoiseView *self, const char *path,
                                                GError **error);
/* PSNR-against-level curves: how many series the plot holds (0 before a model). */
int          lab_denoise_view_get_n_curves (LabDenoiseView *self);
/* Recomputes the curves now instead of waiting for the throttle. */
void         lab_denoise_view_update_curves (LabDenoiseView *self);
GtkWidget   *lab_denoise_view_get_images_chart (LabDenoiseView *self);
/* How many times a panel was scaled to the chart: only for new pixels or a new size, not
 * for each frame (a test counts them). */
unsigned long lab_denoise_view_get_image_builds (LabDenoiseView *self);

G_END_DECLS
