/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-denoise-view-private.h: the Denoise view's inside, shared by its files:
 * lab-denoise-view.c (panels, noise, curves, painting) and lab-denoise-view-files.c (an
 * opened photo, the saved result, training on patches). */
#pragma once

#include "lab-background.h"
#include "lab-chart.h"
#include "lab-denoise.h"
#include "lab-denoise-view.h"
#include "lab-plot.h"

G_BEGIN_DECLS

#define LAB_CURVE_LEVELS 8
enum { CURVE_MODEL, CURVE_MEDIAN, CURVE_BLUR, N_CURVES };

struct _LabDenoiseView {
  LabView parent_instance;

  /* template widgets */
  GtkDropDown *noise_dropdown;
  GtkScale *level_scale;
  GtkDropDown *filter_dropdown;
  GtkSpinButton *sample_spin;
  GtkWidget *sample_box;
  GtkToggleButton *erase_toggle;
  GtkWidget *save_button;
  GtkWidget *train_button;
  GtkLabel *hint_label;
  GtkLabel *message_label;
  LabChart *images_chart;
  LabChart *curves_chart;
  GtkLabel *curves_label;

  LabWeights *weights;
  int side;            /* the model's patch side, 0 when the data is not square images */
  int channels;        /* of the panels: 3 for colour test samples, else 1 */
  gboolean updating;   /* controls set from code: no feedback */

  LabNoiseKind kind;
  double level;
  LabFilter filter;
  long sample;

  char *image_name;    /* opened PNG's basename, NULL for test samples */
  char *image_path;    /* and its path */
  float *image;        /* its clean pixels, (image_channels, image_height, image_width) */
  int image_channels;  /* 3 for a colour photo, 1 for grey */
  int image_width, image_height;
  guint open_serial;   /* of the newest picture asked for: an older decode is dropped */
  /* what the panels are to show: the clean sample or photo (channels, height, width); the
   * other panels come from the worker for it */
  float *clean;
  int clean_channels, clean_width, clean_height;
  guint clean_serial, panels_serial; /* of the clean image asked for, and of the one shown */
  LabBackgroundSlot *denoise_job;
  int width, height;   /* of the panels */
  float *panels;       /* LAB_N_DENOISE_PANELS x channels x height x width */
  double psnr[LAB_N_DENOISE_PANELS], ssim[LAB_N_DENOISE_PANELS];
  char *captions[LAB_N_DENOISE_PANELS];
  const char *column_labels[LAB_N_DENOISE_PANELS];
  LabImageRow row;
  LabImageGridData grid;
  LabImageCache *image_cache;  /* the panels scaled to the chart: a photo is not rescaled
                                * every frame */
  unsigned long panels_version;

  double curve_x[LAB_CURVE_LEVELS];
  double curve_y[N_CURVES][LAB_CURVE_LEVELS];
  LabSeries curves[N_CURVES];
  LabLossData curve_data;
  int n_curves;
  long curve_samples;  /* test samples each curve point averages */
  gint64 curves_time;
  guint curves_timeout;
  gboolean curves_busy, curves_again; /* a measurement runs; a newer one waits for it */
  GCancellable *cancellable;          /* cancelled when the view goes */
  guint curves_request;               /* bumped when the shown curves no longer apply */
  LabNoiseKind curves_kind;           /* what the shown curves measure */
  int curves_side;
  /* hidden, the view computes nothing: what it skipped is caught up when it is shown */
  gboolean dataset_stale, curves_stale;
  char *training_noise;               /* the session's "noise" option the controls were set to */
};

/* Values in one panel: channels x height x width. */
static inline long
panel_size (const LabDenoiseView *self)
{
  return (long) self->channels * self->width * self->height;
}

static inline float *
panel (LabDenoiseView *self, LabDenoisePanel which)
{
  return self->panels + (gsize) which * panel_size (self);
}

/* The clean panel from the opened image or the chosen sample, then fresh noise. */
void _lab_denoise_view_reload              (LabDenoiseView *self);
/* The status line under the controls; an empty text hides it. */
void _lab_denoise_view_show_message        (LabDenoiseView *self, const char *text,
                                            gboolean is_error);
/* The file buttons' template callbacks. */
void _lab_denoise_view_bind_file_callbacks (GtkWidgetClass *widget_class);

G_END_DECLS
