/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot.h: pure-Cairo plots of Latent Lab.
 *
 * Each picture is one function `lab_plot_X_draw (cr, width, height, data, style)` that draws
 * from data already prepared by the caller (it never keeps a pointer after returning), so the
 * same function serves the GTK widget (LabChart), export to PNG/SVG/PDF and the tests. Only
 * cairo and libm are used: no GLib, no GTK, no engine header. Points that are NaN or infinite
 * are skipped; a plot with no data draws a short centred message instead.
 */
#pragma once

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Style                                                                                     */

typedef struct {
  double r, g, b, a;
} LabRgba;

#define LAB_PLOT_PALETTE_SIZE 10

typedef struct {
  LabRgba foreground;     /* text and axes */
  LabRgba muted;          /* tick labels, secondary text */
  LabRgba background;     /* behind the plot; also used to outline markers */
  LabRgba grid;           /* grid lines and frames */
  LabRgba accent;         /* highlights, thresholds, hover */
  LabRgba palette[LAB_PLOT_PALETTE_SIZE]; /* categorical, colour-blind safe (Okabe-Ito + 2) */
  double font_size;       /* base text size in pixels (before font_scale) */
  double font_scale;      /* presentation mode raises it, e.g. 1.6 */
  double line_scale;      /* multiplies every line width */
  bool fill_background;   /* false when the widget's CSS already paints a background */
  bool dark;              /* chooses colormap end points and shading that read on dark */
} LabPlotStyle;

void    lab_plot_style_init_light (LabPlotStyle *style);
void    lab_plot_style_init_dark  (LabPlotStyle *style);
/* The palette colour for a series or class index (wraps around; negative gives muted). */
LabRgba lab_plot_style_color      (const LabPlotStyle *style, int index);

/* How many times since the program started a plot with data was given too little room for
 * it and drew its placeholder instead: the window's fit test asks for none. */
unsigned lab_plot_too_small_count (void);

/* ---------------------------------------------------------------------------------------- */
/* Shared pieces: view rectangles, ticks, colormap, export                                    */

/* A rectangle in data coordinates (x0 < x1, y0 < y1), e.g. the visible part of a scatter. */
typedef struct {
  double x0, y0, x1, y1;
} LabPlotRect;

/* Zoom by `factor` (< 1 zooms in) keeping the data point (cx, cy) fixed; pan by (dx, dy). */
void lab_plot_rect_zoom (LabPlotRect *rect, double cx, double cy, double factor);
void lab_plot_rect_pan  (LabPlotRect *rect, double dx, double dy);

typedef struct {
  double value;
  bool major;      /* major ticks carry a label and a grid line */
} LabPlotTick;

/* Ticks at 1, 2 or 5 times a power of ten covering [lo, hi], at most about `target` of them.
 * Returns how many were written (at most `capacity`); *step receives the spacing. */
int  lab_plot_linear_ticks (double lo, double hi, int target, LabPlotTick *ticks, int capacity,
                            double *step);
/* Log-scale ticks for lo > 0: majors at decades, minors at 2..9 times a decade. When the
 * range spans less than two decades, 2x and 5x are promoted to majors so that the axis still
 * carries enough labels. Returns how many were written (at most `capacity`). */
int  lab_plot_log_ticks    (double lo, double hi, LabPlotTick *ticks, int capacity);
/* A short label for a tick value: "0.05", "1200", "1e-05"; `step` is the tick spacing (0 for
 * log axes). */
void lab_plot_format_tick  (double value, double step, char *buf, size_t size);
/* A count as a class reads it from across the room: 1254400 -> "1,254,400". */
void lab_plot_format_count (long n, char *buf, size_t size);

/* A perceptual dark-to-bright colormap (inferno-like) for t in [0, 1] (clamped). */
LabRgba lab_plot_colormap_inferno (double t);

typedef void (*LabPlotDrawFunc) (cairo_t *cr, int width, int height, const void *data,
                                 const LabPlotStyle *style);

/* Writes one picture to `path`, PNG, SVG or PDF by its extension (case-insensitive), drawn
 * by the same function as on screen, always on an opaque background. Returns
 * CAIRO_STATUS_SUCCESS, CAIRO_STATUS_INVALID_FORMAT for an unknown extension,
 * CAIRO_STATUS_INVALID_SIZE for a bad size, or the status cairo gave (e.g. a write error). */
cairo_status_t lab_plot_export (const char *path, int width, int height, LabPlotDrawFunc draw,
                                const void *data, const LabPlotStyle *style);

/* ---------------------------------------------------------------------------------------- */
/* Loss curves, and any "y against x" curves (error vs code size, PSNR vs noise)              */

typedef struct {
  const char *name;        /* shown in the legend and in the hover readout */
  const double *x;         /* n values, increasing */
  const double *y;         /* n values; NaN/Inf (and y <= 0 on a log axis) are skipped */
  int n;
  int color_index;         /* into style->palette */
  bool dashed;             /* validation curves */
  bool markers;            /* a dot at every point (few points, e.g. per code size) */
} LabSeries;

typedef enum {
  LAB_PLOT_LEGEND_TOP_RIGHT,
  LAB_PLOT_LEGEND_TOP_LEFT,
  LAB_PLOT_LEGEND_BOTTOM_RIGHT,
  LAB_PLOT_LEGEND_BOTTOM_LEFT,
  LAB_PLOT_LEGEND_NONE,
  LAB_PLOT_LEGEND_BEST, /* the corner the data leaves freest, or beside the plot when none
                           is free (plots that know their points; elsewhere top right) */
  LAB_PLOT_LEGEND_OUTSIDE_RIGHT, /* right of the plot area, in room the layout kept */
  LAB_PLOT_LEGEND_ABOVE, /* one row over the plot area's right end, in room the layout kept
                            (curves that fill the width, such as time series) */
} LabPlotLegend;

typedef struct {
  const LabSeries *series;
  int n_series;
  const char *title;       /* optional */
  const char *x_label;     /* e.g. "epoch" */
  const char *y_label;     /* e.g. "loss" */
  bool log_y;
  LabPlotLegend legend;
  bool show_hover;         /* a vertical marker at hover_x with every series' value there */
  double hover_x;          /* data coordinates */
  const char *empty_text;  /* optional, default "No data yet" */
} LabLossData;

void lab_plot_loss_draw      (cairo_t *cr, int width, int height, const LabLossData *data,
                              const LabPlotStyle *style);
void lab_plot_loss_draw_func (cairo_t *cr, int width, int height, const void *data,
                              const LabPlotStyle *style);
/* The data x under widget x `px` (for hover); false when outside the plot area or no data. */
bool lab_plot_loss_x_at      (int width, int height, const LabLossData *data,
                              const LabPlotStyle *style, double px, double *x);
/* "reconstruction (train) 0.0123, KL (train) 3.1 at epoch 5"; empty data gives "no data". */
void lab_plot_loss_summary   (const LabLossData *data, char *buf, size_t size);
/* Where the legend goes: data->legend, or for LAB_PLOT_LEGEND_BEST the corner whose legend
 * box covers the fewest points of the curves, or LAB_PLOT_LEGEND_OUTSIDE_RIGHT when each
 * corner would cover some and the plot is wide enough to give it room. */
LabPlotLegend lab_plot_loss_legend_corner (int width, int height, const LabLossData *data,
                                           const LabPlotStyle *style);

/* ---------------------------------------------------------------------------------------- */
/* Image grids: preview rows, single images, interpolation strips, sample grids               */

typedef enum {
  LAB_IMAGE_GREY,          /* 0 black .. 1 white */
  LAB_IMAGE_HEAT,          /* inferno-like, 0 .. vmax (error maps) */
  LAB_IMAGE_DIVERGING,     /* blue (-vmax) .. white (0) .. red (+vmax): signed weights */
  LAB_IMAGE_RGB,           /* colour: three planes (red, green, blue) per image, 0 .. 1 each */
} LabImageColormap;

typedef struct {
  const char *label;              /* "input", "reconstruction", "|error|"; NULL for none */
  const float *pixels;            /* n_images x image_height x image_width, row-major (RGB:
                                     n_images x 3 x image_height x image_width) */
  int n_images;
  LabImageColormap colormap;
  float vmax;                     /* HEAT: value shown brightest; <= 0 means the row's max */
  const char *const *captions;    /* optional, n_images strings under the images (PSNR) */
} LabImageRow;

/* Optional, for large images drawn often (a photo in the Denoise view): each image kept as a
 * surface already scaled to the cell it is drawn in, rebuilt only when the grid's version,
 * the cell's size or the image changes, so that a frame paints a few small surfaces instead
 * of converting and scaling every full-size image. The caller owns it, one per grid, and
 * changes the grid's version whenever it changes pixels in place. */
typedef struct LabImageCache LabImageCache;

LabImageCache *lab_image_cache_new        (void);
void           lab_image_cache_free       (LabImageCache *cache);
/* Device pixels per drawing unit on screen (the widget's scale factor), 1 by default. */
void           lab_image_cache_set_scale  (LabImageCache *cache, int scale);
/* Scaled surfaces made so far: a test counts rebuilds with it. */
unsigned long  lab_image_cache_get_builds (const LabImageCache *cache);

typedef struct {
  int image_width, image_height;
  const LabImageRow *rows;
  int n_rows;
  int columns;                    /* images per line; 0 = as many as the longest row */
  const char *title;              /* optional */
  /* optional, one string above each image of the first row; a single row so labelled wraps
   * onto more lines when its labels and captions would overlap side by side */
  const char *const *column_labels;
  int highlight_row, highlight_index; /* outlined in the accent colour; -1 for none */
  const char *empty_text;
  LabImageCache *cache;           /* optional: scaled images kept between draws (see above) */
  unsigned long version;          /* with a cache: changed whenever pixels change in place */
  int min_columns;                /* > 0: each row may show only its first images, down to
                                     this many, when they come out clearly larger then */
} LabImageGridData;

/* Samples (n, channels, pixels) as a row's pixels in out: copied as they are for colour
 * (channels 3; out holds n * 3 * pixels floats), else the mean over channels (n * pixels).
 * Returns the colormap to draw them with: LAB_IMAGE_RGB or LAB_IMAGE_GREY. */
LabImageColormap lab_plot_images_as_row (float *out, const float *samples, int n, int channels,
                                         int pixels);
/* Floats lab_plot_images_as_row writes for n images. */
size_t lab_plot_images_row_size (int n, int channels, int pixels);

void lab_plot_image_grid_draw      (cairo_t *cr, int width, int height,
                                    const LabImageGridData *data, const LabPlotStyle *style);
void lab_plot_image_grid_draw_func (cairo_t *cr, int width, int height, const void *data,
                                    const LabPlotStyle *style);
/* Which image lies under (px, py), and where inside it in image pixels (0..image_width);
 * false when between images. Any of the out pointers may be NULL. */
bool lab_plot_image_grid_locate    (int width, int height, const LabImageGridData *data,
                                    const LabPlotStyle *style, double px, double py,
                                    int *row, int *index, double *image_x, double *image_y);

/* ---------------------------------------------------------------------------------------- */
/* Scatter of 2-D codes                                                                       */

typedef struct {
  const float *points;            /* n_points x 2 (x, y) */
  int n_points;
  const int *labels;              /* n_points class indices, or NULL (one colour) */
  const char *const *class_names; /* n_classes names for the legend, or NULL */
  int n_classes;
  const float *sigmas;            /* n_points x 2 standard deviations (VAE), or NULL */
  bool has_view;                  /* false: fit every finite point with a margin */
  LabPlotRect view;
  int highlight;                  /* index of a highlighted point, -1 for none */
  const float *path;              /* n_path x 2 points of an interpolation line, or NULL */
  int n_path;
  bool show_marker;               /* a cross at (marker_x, marker_y), e.g. a decoded point */
  double marker_x, marker_y;
  double marker_sigma_x, marker_sigma_y; /* > 0: the marker's one-sigma ellipse (a VAE's code) */
  const char *title, *x_label, *y_label;
  double point_radius;            /* pixels; 0 = chosen from the number of points */
  LabPlotLegend legend;
  const char *empty_text;
  const bool *hidden;             /* n_classes flags: classes left out (faded in the legend) */
  bool equal_aspect;              /* one unit as long on both axes (real code dimensions) */
} LabScatterData;

void lab_plot_scatter_draw      (cairo_t *cr, int width, int height, const LabScatterData *data,
                                 const LabPlotStyle *style);
void lab_plot_scatter_draw_func (cairo_t *cr, int width, int height, const void *data,
                                 const LabPlotStyle *style);
/* The data rectangle actually shown (the view, or the fit of the points). */
LabPlotRect lab_plot_scatter_visible_rect (const LabScatterData *data);
/* Widget <-> data coordinates; false when there is no plot area (tiny size). */
bool lab_plot_scatter_to_data   (int width, int height, const LabScatterData *data,
                                 const LabPlotStyle *style, double px, double py,
                                 double *x, double *y);
bool lab_plot_scatter_to_widget (int width, int height, const LabScatterData *data,
                                 const LabPlotStyle *style, double x, double y,
                                 double *px, double *py);
/* The point nearest to widget position (px, py) within max_distance pixels, or -1. */
int  lab_plot_scatter_nearest   (int width, int height, const LabScatterData *data,
                                 const LabPlotStyle *style, double px, double py,
                                 double max_distance);
void lab_plot_scatter_summary   (const LabScatterData *data, char *buf, size_t size);
/* The class whose legend entry lies under widget position (px, py), or -1. */
int  lab_plot_scatter_legend_at (int width, int height, const LabScatterData *data,
                                 const LabPlotStyle *style, double px, double py);

/* ---------------------------------------------------------------------------------------- */
/* Histogram of two overlaid distributions with a threshold                                  */

typedef struct {
  const float *normal;            /* scores of normal samples */
  int n_normal;
  const float *anomalous;         /* scores of anomalous samples; NULL: one distribution */
  int n_anomalous;
  const char *normal_name, *anomalous_name; /* default "normal", "anomalous" */
  int n_bins;                     /* 0 = 40 */
  bool show_threshold;
  double threshold;
  const char *title, *x_label;    /* x_label e.g. "reconstruction error" */
  const char *empty_text;
  long n_normal_of;               /* normal is an even sample of this many; 0: all of them */
} LabHistogramData;

void lab_plot_histogram_draw      (cairo_t *cr, int width, int height,
                                   const LabHistogramData *data, const LabPlotStyle *style);
void lab_plot_histogram_draw_func (cairo_t *cr, int width, int height, const void *data,
                                   const LabPlotStyle *style);
/* The score under widget x `px` (to drag the threshold); false outside the plot area. */
bool lab_plot_histogram_value_at  (int width, int height, const LabHistogramData *data,
                                   const LabPlotStyle *style, double px, double *value);
/* "threshold 0.055: 3.1% of normal (2000) and 92.5% of anomalous (200) above it"; one
 * distribution: "50,000 of 1,254,400 code values from -2.1 to 3.4" (n_normal_of). */
void lab_plot_histogram_summary   (const LabHistogramData *data, char *buf, size_t size);

/* ---------------------------------------------------------------------------------------- */
/* ROC curves                                                                                */

typedef struct {
  const char *name;               /* "autoencoder"; the legend adds "AUROC 0.97" */
  const double *fpr, *tpr;        /* n points, from (0,0) to (1,1) */
  int n;
  double auroc;                   /* NaN hides it */
  int color_index;
  bool dashed;
} LabRocCurve;

typedef struct {
  const LabRocCurve *curves;
  int n_curves;
  const char *title;
  bool show_point;                /* the operating point of the current threshold */
  double point_fpr, point_tpr;
  const char *empty_text;
} LabRocData;

void lab_plot_roc_draw      (cairo_t *cr, int width, int height, const LabRocData *data,
                             const LabPlotStyle *style);
void lab_plot_roc_draw_func (cairo_t *cr, int width, int height, const void *data,
                             const LabPlotStyle *style);
void lab_plot_roc_summary   (const LabRocData *data, char *buf, size_t size);

/* ---------------------------------------------------------------------------------------- */
/* Sequences and their reconstructions                                                        */

typedef struct {
  const float *input;             /* n_steps x n_features, row-major */
  const float *reconstruction;    /* same shape, or NULL */
  int n_steps, n_features;
  const char *const *feature_names; /* optional, n_features */
  const float *step_error;        /* n_steps, drawn as a strip beneath; or NULL */
  const unsigned char *anomalous; /* n_steps flags, shaded; or NULL */
  const char *title, *x_label;
  const char *empty_text;
  const char *input_name;         /* legend text of the input line; NULL for "input" */
  bool hide_legend;               /* e.g. small generated sequences, captioned by the title */
  bool has_y_range;               /* a fixed value axis [y_min, y_max] (widened to fit the */
  double y_min, y_max;            /* data), so that several plots compare; else fitted */
  const float *const *references; /* n_references sequences of the same shape drawn thin and */
  const char *const *reference_names; /* pale beneath the input (e.g. the two ends of an */
  int n_references;               /* interpolation), each named in the legend; or none */
  bool name_anomalous;            /* "anomalous steps" in the legend even with none flagged,
                                     so that charts side by side have the same legend */
} LabSequenceData;

void lab_plot_sequence_draw      (cairo_t *cr, int width, int height,
                                  const LabSequenceData *data, const LabPlotStyle *style);
void lab_plot_sequence_draw_func (cairo_t *cr, int width, int height, const void *data,
                                  const LabPlotStyle *style);

/* ---------------------------------------------------------------------------------------- */
/* Bars: one per item (KL per latent dimension, mean activation per hidden unit)              */

typedef struct {
  const float *values;            /* n values; NaN/Inf bars are left out */
  int n;
  const unsigned char *flagged;   /* n flags (e.g. dead units) drawn in a second colour; or NULL */
  const char *flagged_name;       /* legend text for flagged bars, e.g. "dead" */
  int color_index;
  bool show_reference;            /* a horizontal line, e.g. the sparsity target rho */
  double reference;
  const char *reference_label;    /* "ρ = 0.05" */
  const char *title, *x_label, *y_label;
  const char *empty_text;
  int first_number;               /* the number of the first bar on the axis (z1: 1) */
} LabBarsData;

void lab_plot_bars_draw      (cairo_t *cr, int width, int height, const LabBarsData *data,
                              const LabPlotStyle *style);
void lab_plot_bars_draw_func (cairo_t *cr, int width, int height, const void *data,
                              const LabPlotStyle *style);
/* The bar under widget x `px`, or -1. */
int  lab_plot_bars_index_at  (int width, int height, const LabBarsData *data,
                              const LabPlotStyle *style, double px);
/* "64 bars from 0 to 0.089, mean 0.047; 5 dead units". */
void lab_plot_bars_summary   (const LabBarsData *data, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
