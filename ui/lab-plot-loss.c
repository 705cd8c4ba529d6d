/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot-loss.c: curves of y against x: loss per epoch (log or linear), and any other
 * "value against a setting" picture (error against code size, PSNR against noise). */
#include "lab-plot-private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool
point_usable (const LabLossData *data, double x, double y)
{
  return _lab_plot_finite (x) && _lab_plot_finite (y) && (!data->log_y || y > 0.0);
}

/* Data ranges of every usable point; false when there is none. */
static bool
loss_ranges (const LabLossData *data, double *xmin, double *xmax, double *ymin, double *ymax)
{
  bool any = false;
  *xmin = *ymin = HUGE_VAL;
  *xmax = *ymax = -HUGE_VAL;
  for (int s = 0; s < data->n_series; s++)
    {
      const LabSeries *series = &data->series[s];
      if (series->x == NULL || series->y == NULL)
        continue;
      for (int i = 0; i < series->n; i++)
        {
          double x = series->x[i], y = series->y[i];
          if (!point_usable (data, x, y))
            continue;
          any = true;
          *xmin = fmin (*xmin, x);
          *xmax = fmax (*xmax, x);
          *ymin = fmin (*ymin, y);
          *ymax = fmax (*ymax, y);
        }
    }
  return any;
}

static bool
loss_frame_layout (LabPlotFrame *frame, int width, int height, const LabLossData *data,
                   const LabPlotStyle *style, double extra_right)
{
  double xmin, xmax, ymin, ymax;
  if (data == NULL || !loss_ranges (data, &xmin, &xmax, &ymin, &ymax))
    return false;
  LabPlotFrameSpec spec = { 0 };
  spec.title = data->title;
  spec.x_label = data->x_label;
  spec.y_label = data->y_label;
  spec.ylog = data->log_y;
  spec.x_integer_ticks = fabs (xmin - round (xmin)) < 1e-9 && fabs (xmax - round (xmax)) < 1e-9;
  spec.extra_right = extra_right;
  bool markers = false;
  for (int s = 0; s < data->n_series; s++)
    markers = markers || data->series[s].markers;
  if (xmax - xmin <= 0.0)
    _lab_plot_pad_range (&xmin, &xmax, 0.0, false);
  else if (markers)
    _lab_plot_pad_range (&xmin, &xmax, 0.025, false); /* whole dots at the ends */
  bool non_negative = ymin >= 0.0;
  _lab_plot_pad_range (&ymin, &ymax, 0.06, data->log_y);
  if (non_negative && ymin < 0.0)
    ymin = 0.0; /* losses and errors: a negative axis would suggest negative values */
  return _lab_plot_frame_layout (frame, width, height, style, &spec, xmin, xmax, ymin, ymax);
}

/* Linear interpolation of a series at x; false outside its finite span. */
static bool
series_value_at (const LabLossData *data, const LabSeries *series, double x, double *y)
{
  int before = -1, after = -1;
  for (int i = 0; i < series->n; i++)
    {
      if (!point_usable (data, series->x[i], series->y[i]))
        continue;
      if (series->x[i] <= x)
        before = i;
      if (series->x[i] >= x)
        {
          after = i;
          break;
        }
    }
  if (before < 0 || after < 0)
    return false;
  double x0 = series->x[before], x1 = series->x[after];
  double y0 = series->y[before], y1 = series->y[after];
  if (x1 - x0 <= 0.0)
    *y = y0;
  else if (data->log_y)
    *y = exp (log (y0) + (x - x0) / (x1 - x0) * (log (y1) - log (y0)));
  else
    *y = y0 + (x - x0) / (x1 - x0) * (y1 - y0);
  return true;
}

static void
draw_series (cairo_t *cr, const LabPlotFrame *frame, const LabLossData *data,
             const LabSeries *series, const LabPlotStyle *style)
{
  if (series->x == NULL || series->y == NULL || series->n <= 0)
    return;
  LabRgba color = lab_plot_style_color (style, series->color_index);
  _lab_plot_set_color (cr, color);
  cairo_set_line_width (cr, _lab_plot_line (style, LAB_PLOT_LINE_CURVE));
  _lab_plot_dash (cr, style, series->dashed);
  bool pen_down = false;
  int usable = 0;
  for (int i = 0; i < series->n; i++)
    {
      double x = series->x[i], y = series->y[i];
      if (!point_usable (data, x, y))
        {
          pen_down = false; /* a gap, not a line through the bad value */
          continue;
        }
      usable++;
      double px = _lab_plot_frame_px (frame, x), py = _lab_plot_frame_py (frame, y);
      _lab_plot_trace_to (cr, px, py, &pen_down);
    }
  cairo_stroke (cr);
  _lab_plot_dash (cr, style, false);

  if (!series->markers && usable > 1)
    return;
  double radius = 3.2 * style->line_scale;
  for (int i = 0; i < series->n; i++)
    {
      if (!point_usable (data, series->x[i], series->y[i]))
        continue;
      _lab_plot_dot (cr, style, _lab_plot_frame_px (frame, series->x[i]),
                     _lab_plot_frame_py (frame, series->y[i]), radius, color, 1.0);
    }
}

static void
draw_hover (cairo_t *cr, const LabPlotFrame *frame, const LabLossData *data,
            const LabPlotStyle *style)
{
  double x = data->hover_x;
  if (!_lab_plot_finite (x) || x < frame->xmin || x > frame->xmax)
    return;
  double px = _lab_plot_frame_px (frame, x);
  LabRgba line = style->accent;
  line.a = 0.7;
  _lab_plot_set_color (cr, line);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, _lab_plot_snap (px), frame->y0);
  cairo_line_to (cr, _lab_plot_snap (px), frame->y1);
  cairo_stroke (cr);

  enum { MAX_LINES = 17 };
  char texts[MAX_LINES][96];
  const char *lines[MAX_LINES];
  LabRgba colors[MAX_LINES];
  int n = 0;
  snprintf (texts[n], sizeof texts[n], "%s %.4g", data->x_label ? data->x_label : "x", x);
  colors[n] = (LabRgba){ 0, 0, 0, 0 };
  n++;
  double y_sum = 0.0;
  int y_count = 0;
  for (int s = 0; s < data->n_series && n < MAX_LINES; s++)
    {
      const LabSeries *series = &data->series[s];
      double y;
      if (series->x == NULL || series->y == NULL || !series_value_at (data, series, x, &y))
        continue;
      double py = _lab_plot_frame_py (frame, y);
      colors[n] = lab_plot_style_color (style, series->color_index);
      _lab_plot_dot (cr, style, px, py, 4.0 * style->line_scale, colors[n], 1.5);
      snprintf (texts[n], sizeof texts[n], "%s  %.4g", series->name ? series->name : "", y);
      y_sum += py;
      y_count++;
      n++;
    }
  for (int i = 0; i < n; i++)
    lines[i] = texts[i];
  double anchor_y = y_count ? y_sum / y_count : (frame->y0 + frame->y1) / 2;
  _lab_plot_readout (cr, frame, style, px, anchor_y, lines, colors, n);
}

/* The named series as legend entries; returns their count. */
static int
legend_entries (const LabLossData *data, const LabPlotStyle *style, LabLegendEntry *entries,
                int max_entries)
{
  int n = 0;
  for (int s = 0; s < data->n_series && n < max_entries; s++)
    if (data->series[s].name && data->series[s].name[0])
      entries[n++] = (LabLegendEntry){
        data->series[s].name, lab_plot_style_color (style, data->series[s].color_index),
        data->series[s].dashed ? LAB_LEGEND_DASHED : LAB_LEGEND_LINE,
      };
  return n;
}

/* Points of the curves inside a box, with the segments between them sampled, so that a
 * steep stretch through the box counts too. */
static long
points_in_box (const LabPlotFrame *frame, const LabLossData *data, const double box[4])
{
  long count = 0;
  for (int s = 0; s < data->n_series; s++)
    {
      const LabSeries *series = &data->series[s];
      double px0 = NAN, py0 = NAN;
      for (int i = 0; series->x != NULL && series->y != NULL && i < series->n; i++)
        {
          if (!point_usable (data, series->x[i], series->y[i]))
            continue;
          double px = _lab_plot_frame_px (frame, series->x[i]);
          double py = _lab_plot_frame_py (frame, series->y[i]);
          int steps = isnan (px0) ? 1 : 4;
          for (int k = 1; k <= steps; k++)
            {
              double t = (double) k / steps;
              double qx = isnan (px0) ? px : px0 + t * (px - px0);
              double qy = isnan (py0) ? py : py0 + t * (py - py0);
              count += qx >= box[0] && qx <= box[0] + box[2] && qy >= box[1] && qy <= box[1] + box[3];
            }
          px0 = px;
          py0 = py;
        }
    }
  return count;
}

/* The plot area and where the legend goes: data->legend, or for LAB_PLOT_LEGEND_BEST the
 * corner whose legend box covers the fewest points of the curves, and when every corner
 * would cover some, beside the plot area on the right (room permitting). */
static bool
loss_layout (LabPlotFrame *frame, int width, int height, const LabLossData *data,
             const LabPlotStyle *style, LabPlotLegend *corner)
{
  enum { MAX_ENTRIES = 16 };
  LabLegendEntry entries[MAX_ENTRIES];
  if (!loss_frame_layout (frame, width, height, data, style, 0.0))
    return false;
  *corner = data->legend;
  if (data->legend != LAB_PLOT_LEGEND_BEST)
    return true;
  *corner = LAB_PLOT_LEGEND_TOP_RIGHT;
  int n = legend_entries (data, style, entries, MAX_ENTRIES);
  if (n == 0)
    return true;
  /* text widths need a cairo context; any will do */
  cairo_surface_t *scratch = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (scratch);
  /* in order of preference when several are equally free */
  static const LabPlotLegend corners[] = { LAB_PLOT_LEGEND_TOP_RIGHT, LAB_PLOT_LEGEND_BOTTOM_LEFT,
                                           LAB_PLOT_LEGEND_TOP_LEFT, LAB_PLOT_LEGEND_BOTTOM_RIGHT };
  long fewest = -1;
  double box[4] = { 0 };
  for (size_t c = 0; c < sizeof corners / sizeof corners[0]; c++)
    {
      _lab_plot_legend_box (cr, frame, style, corners[c], entries, n, box);
      long inside = points_in_box (frame, data, box);
      if (fewest < 0 || inside < fewest)
        {
          fewest = inside;
          *corner = corners[c];
        }
    }
  cairo_destroy (cr);
  cairo_surface_destroy (scratch);
  double beside = box[2] + 2 * _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);
  if (fewest > 0 && (frame->x1 - frame->x0) > 2.5 * beside)
    {
      LabPlotFrame narrower;
      if (loss_frame_layout (&narrower, width, height, data, style, beside))
        {
          *frame = narrower;
          *corner = LAB_PLOT_LEGEND_OUTSIDE_RIGHT;
        }
    }
  return true;
}

LabPlotLegend
lab_plot_loss_legend_corner (int width, int height, const LabLossData *data,
                             const LabPlotStyle *style)
{
  LabPlotFrame frame;
  LabPlotLegend corner;
  if (data == NULL || !loss_layout (&frame, width, height, data, style, &corner))
    return LAB_PLOT_LEGEND_NONE;
  return corner;
}

void
lab_plot_loss_draw (cairo_t *cr, int width, int height, const LabLossData *data,
                    const LabPlotStyle *style)
{
  LabPlotFrame frame;
  LabPlotLegend corner;
  bool laid_out = data != NULL && loss_layout (&frame, width, height, data, style, &corner);
  if (!_lab_plot_open (cr, width, height, style, laid_out, data ? data->title : NULL,
                       data ? data->empty_text : NULL))
    return;
  _lab_plot_frame_draw (cr, &frame, style);

  _lab_plot_frame_clip (cr, &frame);
  for (int s = 0; s < data->n_series; s++)
    draw_series (cr, &frame, data, &data->series[s], style);
  cairo_restore (cr);

  enum { MAX_ENTRIES = 16 };
  LabLegendEntry entries[MAX_ENTRIES];
  int n = legend_entries (data, style, entries, MAX_ENTRIES);
  _lab_plot_legend (cr, &frame, style, corner, entries, n);

  if (data->show_hover)
    draw_hover (cr, &frame, data, style);
  cairo_restore (cr);
}

LAB_PLOT_DEFINE_DRAW_FUNC (loss, LabLossData)

bool
lab_plot_loss_x_at (int width, int height, const LabLossData *data, const LabPlotStyle *style,
                    double px, double *x)
{
  LabPlotFrame frame;
  LabPlotLegend corner;
  if (data == NULL || !loss_layout (&frame, width, height, data, style, &corner))
    return false;
  if (px < frame.x0 || px > frame.x1)
    return false;
  if (x)
    *x = _lab_plot_frame_x (&frame, px);
  return true;
}

void
lab_plot_loss_summary (const LabLossData *data, char *buf, size_t size)
{
  if (size == 0)
    return;
  buf[0] = '\0';
  size_t used = 0;
  double last_x = NAN;
  for (int s = 0; data && s < data->n_series; s++)
    {
      const LabSeries *series = &data->series[s];
      for (int i = series->n - 1; series->x && series->y && i >= 0; i--)
        if (point_usable (data, series->x[i], series->y[i]))
          {
            if (used < size)
              used += snprintf (buf + used, size - used, "%s%s %.4g", used ? ", " : "",
                                series->name ? series->name : "series", series->y[i]);
            if (!(last_x >= series->x[i]))
              last_x = series->x[i];
            break;
          }
    }
  if (used == 0)
    {
      snprintf (buf, size, "no data");
      return;
    }
  if (used < size)
    snprintf (buf + used, size - used, " at %s %.4g", data->x_label ? data->x_label : "x",
              last_x);
}
