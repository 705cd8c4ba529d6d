/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot-histogram.c: two overlaid distributions of scores (normal, anomalous) and the
 * threshold that separates them. */
#include "lab-plot-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BINS 40
#define MAX_BINS 512

static bool
histogram_range (const LabHistogramData *data, double *lo, double *hi)
{
  *lo = HUGE_VAL;
  *hi = -HUGE_VAL;
  const float *sets[2] = { data->normal, data->anomalous };
  int counts[2] = { data->n_normal, data->n_anomalous };
  for (int s = 0; s < 2; s++)
    for (int i = 0; sets[s] && i < counts[s]; i++)
      if (_lab_plot_finite (sets[s][i]))
        {
          *lo = fmin (*lo, sets[s][i]);
          *hi = fmax (*hi, sets[s][i]);
        }
  if (*lo > *hi)
    return false;
  if (data->show_threshold && _lab_plot_finite (data->threshold))
    {
      *lo = fmin (*lo, data->threshold);
      *hi = fmax (*hi, data->threshold);
    }
  if (*hi - *lo <= 0.0)
    _lab_plot_pad_range (lo, hi, 0.0, false);
  return true;
}

static int
bin_count (const LabHistogramData *data)
{
  int n = data->n_bins > 0 ? data->n_bins : DEFAULT_BINS;
  return n > MAX_BINS ? MAX_BINS : n;
}

/* Fractions per bin, so that a small anomalous set is as visible as a large normal one. */
static int
fill_bins (const float *values, int n, double lo, double hi, int bins, double *out)
{
  memset (out, 0, sizeof (double) * bins);
  int used = 0;
  for (int i = 0; values && i < n; i++)
    {
      if (!_lab_plot_finite (values[i]))
        continue;
      int b = (int) ((values[i] - lo) / (hi - lo) * bins);
      b = b < 0 ? 0 : b >= bins ? bins - 1 : b;
      out[b] += 1.0;
      used++;
    }
  for (int b = 0; used && b < bins; b++)
    out[b] /= used;
  return used;
}

/* A distribution's legend words: "normal (912)", or for an even sample of a larger set
 * "50,000 of 1,254,400 code values". */
static void
entry_text (const char *name, int n, long n_of, char *buf, size_t size)
{
  char count[32], of[32];

  lab_plot_format_count (n, count, sizeof count);
  if (n_of > n)
    {
      lab_plot_format_count (n_of, of, sizeof of);
      snprintf (buf, size, "%s of %s %s", count, of, name);
    }
  else
    snprintf (buf, size, "%s (%s)", name, count);
}

/* The legend's entries: the distributions' colours, names and counts (texts: two of 128). */
static int
legend_entries (const LabHistogramData *data, const LabPlotStyle *style, char texts[2][128],
                LabLegendEntry entries[2])
{
  entry_text (data->normal_name ? data->normal_name : "normal", data->n_normal, data->n_normal_of,
              texts[0], 128);
  entry_text (data->anomalous_name ? data->anomalous_name : "anomalous", data->n_anomalous, 0,
              texts[1], 128);
  entries[0] = (LabLegendEntry){ texts[0], lab_plot_style_color (style, 0), LAB_LEGEND_BOX };
  entries[1] = (LabLegendEntry){ texts[1], lab_plot_style_color (style, 3), LAB_LEGEND_BOX };
  /* one distribution alone (no anomalous array) needs no second legend entry */
  return data->anomalous != NULL ? 2 : 1;
}

/* Where the legend box would be in the plot area's top right corner. */
static void
legend_box (const LabPlotFrame *frame, const LabPlotStyle *style, const LabHistogramData *data,
            double box[4])
{
  char texts[2][128];
  LabLegendEntry entries[2];
  int n = legend_entries (data, style, texts, entries);
  cairo_t *measure = _lab_plot_measure_new ();

  _lab_plot_legend_box (measure, frame, style, LAB_PLOT_LEGEND_TOP_RIGHT, entries, n, box);
  cairo_destroy (measure);
}

/* The legend a line per distribution over the plot area, from the chart's left edge, when
 * the plot area is narrower than its box (frame->spec.extra_top holds their height). */
static bool
legend_above (const LabPlotFrame *frame)
{
  return frame->spec.extra_top > 0;
}

/* A lone distribution's legend text after the x label, "activation: code values of 2,000
 * test samples (40,000)", when the chart is wide enough for it centred under the plot (else
 * false). */
static bool
legend_in_x_label (const LabHistogramData *data, const LabPlotStyle *style,
                   const LabPlotFrame *frame, int width, char *label, size_t size)
{
  char texts[2][128];
  LabLegendEntry entries[2];
  if (legend_entries (data, style, texts, entries) != 1)
    return false;
  if (data->x_label != NULL && data->x_label[0] != '\0')
    snprintf (label, size, "%s: %s", data->x_label, texts[0]);
  else
    snprintf (label, size, "%s", texts[0]);
  cairo_t *measure = _lab_plot_measure_new ();
  _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_NORMAL, false);
  double label_w = _lab_plot_text_width (measure, label);
  cairo_destroy (measure);
  double centre = (frame->x0 + frame->x1) / 2;
  return label_w / 2 + 2 <= fmin (centre, width - centre);
}

/* Lays the chart out; *legend_in_label says whether the legend went into the x label
 * (held in x_label, of X_LABEL_SIZE). */
#define X_LABEL_SIZE 256
static bool
histogram_layout (LabPlotFrame *frame, int width, int height, const LabHistogramData *data,
                  const LabPlotStyle *style, double *bins_normal, double *bins_anomalous,
                  char *x_label, bool *legend_in_label)
{
  *legend_in_label = false;
  double lo, hi;
  if (data == NULL || !histogram_range (data, &lo, &hi))
    return false;
  int bins = bin_count (data);
  fill_bins (data->normal, data->n_normal, lo, hi, bins, bins_normal);
  fill_bins (data->anomalous, data->n_anomalous, lo, hi, bins, bins_anomalous);
  double top = 0.0;
  for (int b = 0; b < bins; b++)
    top = fmax (top, fmax (bins_normal[b], bins_anomalous[b]));
  LabPlotFrameSpec spec = { 0 };
  spec.title = data->title;
  spec.x_label = data->x_label;
  spec.y_label = "fraction";
  double pad = (hi - lo) * 0.02;
  double ymax = top > 0 ? top * 1.08 : 1.0;
  if (!_lab_plot_frame_layout (frame, width, height, style, &spec, lo - pad, hi + pad, 0.0, ymax))
    return false;
  double box[4], small = _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);
  legend_box (frame, style, data, box);
  int n = data->anomalous != NULL ? 2 : 1;
  if (box[0] < frame->x0
      && frame->y1 - frame->y0 - n * _lab_plot_legend_row_height (style) > (frame->y1 - frame->y0) / 2)
    {
      spec.extra_top = n * _lab_plot_legend_row_height (style);
      if (!_lab_plot_frame_layout (frame, width, height, style, &spec, lo - pad, hi + pad, 0.0, ymax))
        return false;
      box[1] = frame->y0; /* only the threshold's label is left to make room for */
      box[3] = 0;
    }
  /* Headroom over the bars for the legend in the top corner and the threshold's label under
   * it, so that neither covers a bar (up to 60 % of the plot's height) */
  double band = box[1] + box[3] - frame->y0 + small * 1.5;
  /* A plot too short to keep a lone entry's box clear of the bars says it under the axis */
  if (band > 0.6 * (frame->y1 - frame->y0) && !legend_above (frame)
      && legend_in_x_label (data, style, frame, width, x_label, X_LABEL_SIZE))
    {
      *legend_in_label = true;
      spec.x_label = x_label;
      band = small * 1.5;
    }
  double free_share = fmax (0.4, 1.0 - band / (frame->y1 - frame->y0));
  return _lab_plot_frame_layout (frame, width, height, style, &spec, lo - pad, hi + pad, 0.0,
                                 ymax / free_share);
}

static void
draw_bins (cairo_t *cr, const LabPlotFrame *frame, const double *fractions, int bins, double lo,
           double hi, LabRgba color, const LabPlotStyle *style)
{
  double base = _lab_plot_frame_py (frame, 0.0);
  cairo_move_to (cr, _lab_plot_frame_px (frame, lo), base);
  for (int b = 0; b < bins; b++)
    {
      double y = _lab_plot_frame_py (frame, fractions[b]);
      cairo_line_to (cr, _lab_plot_frame_px (frame, lo + (hi - lo) * b / bins), y);
      cairo_line_to (cr, _lab_plot_frame_px (frame, lo + (hi - lo) * (b + 1) / bins), y);
    }
  cairo_line_to (cr, _lab_plot_frame_px (frame, hi), base);
  LabRgba fill = color;
  fill.a = 0.30;
  _lab_plot_set_color (cr, fill);
  cairo_fill_preserve (cr);
  _lab_plot_set_color (cr, color);
  cairo_set_line_width (cr, _lab_plot_line (style, 1.5));
  cairo_stroke (cr);
}

void
lab_plot_histogram_draw (cairo_t *cr, int width, int height, const LabHistogramData *data,
                         const LabPlotStyle *style)
{
  double normal[MAX_BINS], anomalous[MAX_BINS];
  LabPlotFrame frame;
  char x_label[X_LABEL_SIZE];
  bool legend_in_label;
  bool laid_out = histogram_layout (&frame, width, height, data, style, normal, anomalous, x_label,
                                    &legend_in_label);
  if (!_lab_plot_open (cr, width, height, style, laid_out, data ? data->title : NULL,
                       data ? data->empty_text : NULL))
    return;
  _lab_plot_frame_draw (cr, &frame, style);
  double lo, hi;
  histogram_range (data, &lo, &hi);
  int bins = bin_count (data);
  char texts[2][128];
  LabLegendEntry entries[2];
  int n_entries = legend_entries (data, style, texts, entries);
  LabRgba normal_color = entries[0].color, anomalous_color = entries[1].color;

  _lab_plot_frame_clip (cr, &frame);
  if (data->n_normal > 0)
    draw_bins (cr, &frame, normal, bins, lo, hi, normal_color, style);
  if (data->n_anomalous > 0)
    draw_bins (cr, &frame, anomalous, bins, lo, hi, anomalous_color, style);
  cairo_restore (cr);

  if (data->show_threshold && _lab_plot_finite (data->threshold))
    {
      double x = _lab_plot_snap (_lab_plot_frame_px (&frame, data->threshold));
      _lab_plot_set_color (cr, style->foreground);
      cairo_set_line_width (cr, _lab_plot_line (style, 1.5));
      _lab_plot_dash (cr, style, true);
      cairo_move_to (cr, x, frame.y0);
      cairo_line_to (cr, x, frame.y1);
      cairo_stroke (cr);
      _lab_plot_dash (cr, style, false);
      char label[48];
      snprintf (label, sizeof label, "threshold %.3g", data->threshold);
      _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
      double label_w = _lab_plot_text_width (cr, label);
      /* beside the line on its roomier side, and never out over the axis's numbers */
      bool left = x > (frame.x0 + frame.x1) / 2;
      if (left && x - 5 - label_w < frame.x0 && x + 5 + label_w <= frame.x1)
        left = false;
      else if (!left && x + 5 + label_w > frame.x1 && x - 5 - label_w >= frame.x0)
        left = true;
      double label_x0 = left ? x - 5 - label_w : x + 5;
      label_x0 = fmax (frame.x0 + 2, fmin (label_x0, frame.x1 - label_w));
      double box[4];
      _lab_plot_legend_box (cr, &frame, style, LAB_PLOT_LEGEND_TOP_RIGHT, entries, n_entries, box);
      /* under the legend when beside it they would overlap */
      double label_y = !legend_above (&frame) && !legend_in_label && label_x0 + label_w > box[0]
                       && label_x0 < box[0] + box[2] ? box[1] + box[3] + 2 : frame.y0 + 2;
      _lab_plot_text (cr, label_x0, label_y, label, 0.0, 0.0);
    }

  if (legend_above (&frame))
    for (int i = 0; i < n_entries; i++)
      {
        LabPlotFrame line = frame;
        line.y0 = frame.y0 - (n_entries - 1 - i) * _lab_plot_legend_row_height (style);
        line.x0 = line.x1 = round (_lab_plot_font_px (style, 1.0) * 0.9);
        _lab_plot_legend (cr, &line, style, LAB_PLOT_LEGEND_ABOVE, &entries[i], 1);
      }
  else if (!legend_in_label)
    _lab_plot_legend (cr, &frame, style, LAB_PLOT_LEGEND_TOP_RIGHT, entries, n_entries);
  cairo_restore (cr);
}

LAB_PLOT_DEFINE_DRAW_FUNC (histogram, LabHistogramData)

bool
lab_plot_histogram_value_at (int width, int height, const LabHistogramData *data,
                             const LabPlotStyle *style, double px, double *value)
{
  double normal[MAX_BINS], anomalous[MAX_BINS];
  LabPlotFrame frame;
  char x_label[X_LABEL_SIZE];
  bool legend_in_label;
  if (!histogram_layout (&frame, width, height, data, style, normal, anomalous, x_label,
                         &legend_in_label))
    return false;
  if (px < frame.x0 || px > frame.x1)
    return false;
  if (value)
    *value = _lab_plot_frame_x (&frame, px);
  return true;
}

static double
share_above (const float *values, int n, double threshold, int *finite)
{
  int above = 0;
  *finite = 0;
  for (int i = 0; values && i < n; i++)
    if (_lab_plot_finite (values[i]))
      {
        (*finite)++;
        above += values[i] > threshold;
      }
  return *finite ? 100.0 * above / *finite : 0.0;
}

void
lab_plot_histogram_summary (const LabHistogramData *data, char *buf, size_t size)
{
  if (size == 0)
    return;
  double lo, hi;
  if (data == NULL || !histogram_range (data, &lo, &hi))
    {
      snprintf (buf, size, "no scores yet");
      return;
    }
  const char *normal = data->normal_name ? data->normal_name : "normal";
  const char *anomalous = data->anomalous_name ? data->anomalous_name : "anomalous";
  int n_normal, n_anomalous;
  if (data->anomalous == NULL && !data->show_threshold)
    {
      char text[128];

      entry_text (normal, data->n_normal, data->n_normal_of, text, sizeof text);
      snprintf (buf, size, "%s from %.3g to %.3g", text, lo, hi);
      return;
    }
  if (!data->show_threshold || !_lab_plot_finite (data->threshold))
    {
      share_above (data->normal, data->n_normal, lo, &n_normal);
      share_above (data->anomalous, data->n_anomalous, lo, &n_anomalous);
      snprintf (buf, size, "%d %s and %d %s scores from %.3g to %.3g", n_normal, normal,
                n_anomalous, anomalous, lo, hi);
      return;
    }
  double normal_above = share_above (data->normal, data->n_normal, data->threshold, &n_normal);
  double anomalous_above = share_above (data->anomalous, data->n_anomalous, data->threshold,
                                        &n_anomalous);
  snprintf (buf, size, "threshold %.3g: %.1f%% of %s (%d) and %.1f%% of %s (%d) above it",
            data->threshold, normal_above, normal, n_normal, anomalous_above, anomalous,
            n_anomalous);
}
