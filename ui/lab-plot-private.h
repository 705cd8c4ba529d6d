/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot-private.h: pieces shared by the plot families (text, frames, axes, legends).
 * Not for the views: they use lab-plot.h. */
#pragma once

#include "lab-plot.h"

#define LAB_PLOT_MAX_TICKS 96

/* Line widths in pixels before style->line_scale. */
#define LAB_PLOT_LINE_THIN  1.0
#define LAB_PLOT_LINE_CURVE 2.0

/* Relative text sizes. */
#define LAB_PLOT_TEXT_TITLE  1.1
#define LAB_PLOT_TEXT_NORMAL 1.0
#define LAB_PLOT_TEXT_SMALL  0.9

double _lab_plot_font_px   (const LabPlotStyle *style, double relative);
void   _lab_plot_set_font  (cairo_t *cr, const LabPlotStyle *style, double relative, bool bold);
void   _lab_plot_set_color (cairo_t *cr, LabRgba color);
double _lab_plot_line      (const LabPlotStyle *style, double width);
/* Centre of the pixel row/column nearest to v, so that odd-width lines stay crisp. */
double _lab_plot_snap      (double v);

/* A 1x1 context with the same font options as a drawing context: layout is measured on it,
 * so that drawing and hit-testing agree whatever surface the picture is drawn on. */
cairo_t *_lab_plot_measure_new (void);
double   _lab_plot_text_width  (cairo_t *cr, const char *text);

/* Paints the background (when the style asks for it) and sets font options. */
void _lab_plot_begin (cairo_t *cr, int width, int height, const LabPlotStyle *style);
/* Draws `text` with its box placed by halign/valign (0 = left/top, 0.5 centre, 1 right/bottom)
 * relative to (x, y), using the font's ascent and descent so that baselines line up. */
void _lab_plot_text  (cairo_t *cr, double x, double y, const char *text, double halign,
                      double valign);
/* The same, ended with "…" where it is wider than max_width (placed as if it were
 * max_width wide). */
void _lab_plot_text_fitted (cairo_t *cr, double x, double y, const char *text, double halign,
                            double valign, double max_width);
/* Title at the top left, ended with "…" where it is wider than max_width; returns the
 * height it used (0 without a title). */
double _lab_plot_title (cairo_t *cr, const LabPlotStyle *style, double x, double y,
                        double max_width, const char *title);
double _lab_plot_title_height (const LabPlotStyle *style, const char *title);
/* The readable empty state: title (if any) and a centred muted message. */
void _lab_plot_empty (cairo_t *cr, int width, int height, const LabPlotStyle *style,
                      const char *title, const char *text);
/* Defines lab_plot_NAME_draw_func, the LabPlotDrawFunc of lab_plot_NAME_draw (which draws
 * a DataType). */
#define LAB_PLOT_DEFINE_DRAW_FUNC(name, DataType)                                            \
  void lab_plot_##name##_draw_func (cairo_t *cr, int width, int height, const void *data,   \
                                    const LabPlotStyle *style)                               \
  {                                                                                          \
    lab_plot_##name##_draw (cr, width, height, (const DataType *) data, style);             \
  }

/* Starts a picture: saves cr and paints the background (_lab_plot_begin). Without a plot
 * to draw (laid_out false: no data, or too little room for it) draws the empty state,
 * restores cr and returns false; else the caller draws and ends with cairo_restore (cr). */
bool _lab_plot_open (cairo_t *cr, int width, int height, const LabPlotStyle *style,
                     bool laid_out, const char *title, const char *empty_text);
/* A dot of `color` at (x, y) ringed in the background colour, so that it stands out from
 * the lines and points under it. */
void _lab_plot_dot (cairo_t *cr, const LabPlotStyle *style, double x, double y, double radius,
                    LabRgba color, double ring_width);

static inline bool
_lab_plot_finite (double v)
{
  return v == v && v - v == 0.0; /* false for NaN and +-Inf, without <math.h> macros */
}

/* Extends a polyline to (px, py), or starts one there after a gap (pen up). */
static inline void
_lab_plot_trace_to (cairo_t *cr, double px, double py, bool *pen_down)
{
  if (*pen_down)
    cairo_line_to (cr, px, py);
  else
    cairo_move_to (cr, px, py);
  *pen_down = true;
}

typedef struct {
  const char *title, *x_label, *y_label;
  bool xlog, ylog;
  bool x_integer_ticks;           /* epochs, code sizes: no 0.5 ticks */
  double extra_right;             /* room kept free right of the plot area */
  double extra_top;               /* room kept free above it, under the title */
  double extra_bottom;            /* room kept free under the x axis labels */
  double min_label_width;         /* room kept for labels left of the axis (e.g. "error") */
} LabPlotFrameSpec;

/* An x/y plot area in pixels with its data ranges and ticks. */
typedef struct {
  double x0, y0, x1, y1;          /* plot area, y0 at the top */
  double xmin, xmax, ymin, ymax;  /* data range shown */
  bool xlog, ylog;
  LabPlotTick xticks[LAB_PLOT_MAX_TICKS], yticks[LAB_PLOT_MAX_TICKS];
  int n_xticks, n_yticks;
  double xstep, ystep;            /* 0 on a log axis */
  double title_y;                 /* baseline region top of the title */
  double title_width;             /* the room across for the title */
  LabPlotFrameSpec spec;          /* what it was laid out for: titles, labels, room kept */
} LabPlotFrame;


/* Counts a plot that had data but no room for it (lab_plot_too_small_count). */
void _lab_plot_note_too_small (void);

/* Lays out a plot area for the given data ranges (already padded by the caller). Returns
 * false when the widget is too small for a plot area. */
bool _lab_plot_frame_layout (LabPlotFrame *frame, int width, int height,
                             const LabPlotStyle *style, const LabPlotFrameSpec *spec,
                             double xmin, double xmax, double ymin, double ymax);
/* Grid lines, axes, tick labels, axis labels and title. */
void _lab_plot_frame_draw (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style);
double _lab_plot_frame_px (const LabPlotFrame *frame, double x);
double _lab_plot_frame_py (const LabPlotFrame *frame, double y);
double _lab_plot_frame_x  (const LabPlotFrame *frame, double px);
double _lab_plot_frame_y  (const LabPlotFrame *frame, double py);
/* Saves cr and clips it to the plot area (and a pixel around it) for the data; the caller
 * ends the clip with cairo_restore (cr). */
void   _lab_plot_frame_clip (cairo_t *cr, const LabPlotFrame *frame);

/* Pads a data range: a share of its span on each side (in log space for log axes); a
 * degenerate range becomes a small interval around its value. */
void _lab_plot_pad_range (double *lo, double *hi, double share, bool log_axis);

typedef enum {
  LAB_LEGEND_LINE,
  LAB_LEGEND_DASHED,
  LAB_LEGEND_BOX,
  LAB_LEGEND_DOT,
} LabLegendKind;

typedef struct {
  const char *text;
  LabRgba color;
  LabLegendKind kind;
} LabLegendEntry;

/* Where the legend box of these entries would sit in that corner: x, y, width, height. */
void _lab_plot_legend_box (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style,
                           LabPlotLegend corner, const LabLegendEntry *entries, int n,
                           double box[4]);
/* The room LAB_PLOT_LEGEND_ABOVE needs over the plot area (LabPlotFrameSpec.extra_top). */
double _lab_plot_legend_row_height (const LabPlotStyle *style);
/* A legend box in a corner of the plot area, or its entries in a row above it. */
void _lab_plot_legend (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style,
                       LabPlotLegend corner, const LabLegendEntry *entries, int n);
/* A readout box near (x, y) with lines of text, kept inside the plot area. */
void _lab_plot_readout (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style,
                        double x, double y, const char *const *lines, const LabRgba *colors,
                        int n);
void _lab_plot_rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r);
void _lab_plot_dash (cairo_t *cr, const LabPlotStyle *style, bool dashed);
