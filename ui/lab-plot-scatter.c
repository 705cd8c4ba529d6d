/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot-scatter.c: the 2-D latent space: codes coloured by class, VAE sigma ellipses,
 * a highlighted point, an interpolation path and a decoded-point marker. */
#include "lab-plot-private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_LEGEND 32

static bool
point_finite (const float *p)
{
  return _lab_plot_finite (p[0]) && _lab_plot_finite (p[1]);
}

LabPlotRect
lab_plot_scatter_visible_rect (const LabScatterData *data)
{
  if (data && data->has_view && data->view.x1 > data->view.x0 && data->view.y1 > data->view.y0
      && _lab_plot_finite (data->view.x0) && _lab_plot_finite (data->view.x1)
      && _lab_plot_finite (data->view.y0) && _lab_plot_finite (data->view.y1))
    return data->view;
  LabPlotRect rect = { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL };
  const float *points = data ? data->points : NULL;
  int n = data ? data->n_points : 0;
  if (points == NULL || n <= 0)
    {
      points = data ? data->path : NULL;
      n = data ? data->n_path : 0;
    }
  for (int i = 0; points && i < n; i++)
    if (point_finite (points + 2 * i))
      {
        rect.x0 = fmin (rect.x0, points[2 * i]);
        rect.x1 = fmax (rect.x1, points[2 * i]);
        rect.y0 = fmin (rect.y0, points[2 * i + 1]);
        rect.y1 = fmax (rect.y1, points[2 * i + 1]);
      }
  if (rect.x0 > rect.x1)
    return (LabPlotRect){ -1.0, -1.0, 1.0, 1.0 };
  _lab_plot_pad_range (&rect.x0, &rect.x1, 0.05, false);
  _lab_plot_pad_range (&rect.y0, &rect.y1, 0.05, false);
  return rect;
}

/* Whether point i is drawn: finite, and its class not hidden from the legend. */
static bool
point_shown (const LabScatterData *data, int i)
{
  int label = data->labels ? data->labels[i] : -1;
  return point_finite (data->points + 2 * i)
         && !(data->hidden && label >= 0 && label < data->n_classes && data->hidden[label]);
}

static bool
scatter_has_data (const LabScatterData *data)
{
  return data && ((data->points && data->n_points > 0) || (data->path && data->n_path > 0));
}

static int
legend_entries (const LabScatterData *data, const LabPlotStyle *style, LabLegendEntry *entries)
{
  int n = 0;
  if (data->class_names == NULL || data->legend == LAB_PLOT_LEGEND_NONE)
    return 0;
  for (int c = 0; c < data->n_classes && n < MAX_LEGEND; c++)
    {
      LabRgba color = lab_plot_style_color (style, c);
      if (data->hidden && data->hidden[c])
        color.a = 0.2; /* a hidden class stays in the legend, faded, to be clicked back */
      entries[n++] = (LabLegendEntry){ data->class_names[c] ? data->class_names[c] : "", color,
                                       LAB_LEGEND_DOT };
    }
  return n;
}

/* The legend stands right of the plot area so that it never hides codes. */
static double
legend_width (const LabLegendEntry *entries, int n, const LabPlotStyle *style)
{
  if (n == 0)
    return 0.0;
  cairo_t *measure = _lab_plot_measure_new ();
  _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_SMALL, false);
  double w = 0.0;
  for (int i = 0; i < n; i++)
    w = fmax (w, _lab_plot_text_width (measure, entries[i].text));
  cairo_destroy (measure);
  double font = _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);
  return round (w + font * 4.2);
}

static bool
scatter_layout (LabPlotFrame *frame, int width, int height, const LabScatterData *data,
                const LabPlotStyle *style)
{
  if (!scatter_has_data (data))
    return false;
  LabLegendEntry entries[MAX_LEGEND];
  int n = legend_entries (data, style, entries);
  LabPlotFrameSpec spec = { 0 };
  spec.title = data->title;
  spec.x_label = data->x_label;
  spec.y_label = data->y_label;
  spec.extra_right = legend_width (entries, n, style);
  LabPlotRect rect = lab_plot_scatter_visible_rect (data);
  bool ok = _lab_plot_frame_layout (frame, width, height, style, &spec, rect.x0, rect.x1, rect.y0,
                                    rect.y1);
  /* Equal aspect: widen the range of the axis with more pixels per unit until both match (a
   * second pass, as the wider range can change the tick labels' room). */
  for (int pass = 0; ok && data->equal_aspect && pass < 2; pass++)
    {
      double sx = (frame->x1 - frame->x0) / (rect.x1 - rect.x0);
      double sy = (frame->y1 - frame->y0) / (rect.y1 - rect.y0);
      if (!(sx > 0 && sy > 0))
        break;
      if (sx > sy)
        {
          double mid = (rect.x0 + rect.x1) / 2, half = (frame->x1 - frame->x0) / sy / 2;
          rect.x0 = mid - half;
          rect.x1 = mid + half;
        }
      else
        {
          double mid = (rect.y0 + rect.y1) / 2, half = (frame->y1 - frame->y0) / sx / 2;
          rect.y0 = mid - half;
          rect.y1 = mid + half;
        }
      ok = _lab_plot_frame_layout (frame, width, height, style, &spec, rect.x0, rect.x1, rect.y0,
                                   rect.y1);
    }
  return ok;
}

static double
default_radius (const LabScatterData *data, const LabPlotStyle *style)
{
  double r = data->point_radius;
  if (r <= 0.0)
    r = data->n_points < 300 ? 4.0 : data->n_points < 3000 ? 3.0 : 2.2;
  return r * style->line_scale;
}

/* The path of an ellipse of radii (sigma_x, sigma_y) in data units around (x, y); false
 * (no path) when it would be under half a pixel or absurdly large. */
static bool
ellipse_path (cairo_t *cr, const LabPlotFrame *frame, double x, double y, double sigma_x,
              double sigma_y)
{
  double rx = sigma_x * (frame->x1 - frame->x0) / (frame->xmax - frame->xmin);
  double ry = sigma_y * (frame->y1 - frame->y0) / (frame->ymax - frame->ymin);
  if (!(rx >= 0.5) || !(ry >= 0.5) || rx > 1e5 || ry > 1e5)
    return false;
  cairo_save (cr);
  cairo_translate (cr, _lab_plot_frame_px (frame, x), _lab_plot_frame_py (frame, y));
  cairo_scale (cr, rx, ry);
  cairo_new_sub_path (cr);
  cairo_arc (cr, 0, 0, 1.0, 0, 2 * M_PI);
  cairo_restore (cr);
  return true;
}

static void
draw_ellipses (cairo_t *cr, const LabPlotFrame *frame, const LabScatterData *data,
               const LabPlotStyle *style)
{
  cairo_set_line_width (cr, 1.0);
  for (int i = 0; i < data->n_points; i++)
    {
      const float *p = data->points + 2 * i, *s = data->sigmas + 2 * i;
      if (!point_shown (data, i) || !point_finite (s) || !(s[0] > 0.0f) || !(s[1] > 0.0f))
        continue;
      if (!ellipse_path (cr, frame, p[0], p[1], s[0], s[1]))
        continue;
      LabRgba c = lab_plot_style_color (style, data->labels ? data->labels[i] : 0);
      c.a = 0.06;
      _lab_plot_set_color (cr, c);
      cairo_fill_preserve (cr);
      c.a = 0.22;
      _lab_plot_set_color (cr, c);
      cairo_stroke (cr);
    }
}

static void
draw_points (cairo_t *cr, const LabPlotFrame *frame, const LabScatterData *data,
             const LabPlotStyle *style)
{
  double r = default_radius (data, style);
  /* Classes one after the other: one source change per class, and each class a layer. */
  int n_colors = data->labels ? LAB_PLOT_PALETTE_SIZE + 1 : 1;
  for (int color = 0; color < n_colors; color++)
    {
      int index = color == LAB_PLOT_PALETTE_SIZE ? -1 : color;
      for (int i = 0; i < data->n_points; i++)
        {
          const float *p = data->points + 2 * i;
          if (!point_shown (data, i))
            continue;
          if (data->labels)
            {
              int label = data->labels[i];
              int wanted = label < 0 ? -1 : label % LAB_PLOT_PALETTE_SIZE;
              if (wanted != index)
                continue;
            }
          double px = _lab_plot_frame_px (frame, p[0]), py = _lab_plot_frame_py (frame, p[1]);
          if (px < frame->x0 - r || px > frame->x1 + r || py < frame->y0 - r
              || py > frame->y1 + r)
            continue;
          cairo_new_sub_path (cr);
          cairo_arc (cr, px, py, r, 0, 2 * M_PI);
        }
      LabRgba c = lab_plot_style_color (style, index);
      c.a = data->n_points > 3000 ? 0.7 : 0.85;
      _lab_plot_set_color (cr, c);
      cairo_fill (cr);
    }
}

static void
draw_path (cairo_t *cr, const LabPlotFrame *frame, const LabScatterData *data,
           const LabPlotStyle *style)
{
  bool pen_down = false;
  for (int i = 0; i < data->n_path; i++)
    {
      const float *p = data->path + 2 * i;
      if (!point_finite (p))
        {
          pen_down = false;
          continue;
        }
      double px = _lab_plot_frame_px (frame, p[0]), py = _lab_plot_frame_py (frame, p[1]);
      _lab_plot_trace_to (cr, px, py, &pen_down);
    }
  /* A halo in the background colour keeps the line visible over dense points. */
  _lab_plot_set_color (cr, style->background);
  cairo_set_line_width (cr, 5.0 * style->line_scale);
  cairo_stroke_preserve (cr);
  _lab_plot_set_color (cr, style->accent);
  cairo_set_line_width (cr, 2.0 * style->line_scale);
  cairo_stroke (cr);
  for (int i = 0; i < data->n_path; i++)
    {
      const float *p = data->path + 2 * i;
      if (!point_finite (p))
        continue;
      bool end = i == 0 || i == data->n_path - 1;
      _lab_plot_dot (cr, style, _lab_plot_frame_px (frame, p[0]), _lab_plot_frame_py (frame, p[1]),
                     (end ? 4.5 : 2.5) * style->line_scale, style->accent, 1.5);
    }
}

static void
draw_highlight (cairo_t *cr, const LabPlotFrame *frame, const LabScatterData *data,
                const LabPlotStyle *style)
{
  const float *p = data->points + 2 * data->highlight;
  if (!point_finite (p))
    return;
  double px = _lab_plot_frame_px (frame, p[0]), py = _lab_plot_frame_py (frame, p[1]);
  double r = default_radius (data, style) + 3.0 * style->line_scale;
  LabRgba c = lab_plot_style_color (style, data->labels ? data->labels[data->highlight] : 0);
  _lab_plot_dot (cr, style, px, py, r, c, 2.0 * style->line_scale);
  cairo_arc (cr, px, py, r + 2.0 * style->line_scale, 0, 2 * M_PI);
  _lab_plot_set_color (cr, style->foreground);
  cairo_set_line_width (cr, 1.5 * style->line_scale);
  cairo_stroke (cr);
}

static void
draw_marker (cairo_t *cr, const LabPlotFrame *frame, const LabScatterData *data,
             const LabPlotStyle *style)
{
  if (!_lab_plot_finite (data->marker_x) || !_lab_plot_finite (data->marker_y))
    return;
  double px = _lab_plot_frame_px (frame, data->marker_x);
  double py = _lab_plot_frame_py (frame, data->marker_y);
  double r = 7.0 * style->line_scale;
  for (int pass = 0; pass < 2; pass++)
    {
      _lab_plot_set_color (cr, pass == 0 ? style->background : style->foreground);
      cairo_set_line_width (cr, (pass == 0 ? 4.5 : 2.0) * style->line_scale);
      if (data->marker_sigma_x > 0 && data->marker_sigma_y > 0
          && ellipse_path (cr, frame, data->marker_x, data->marker_y, data->marker_sigma_x,
                           data->marker_sigma_y))
        cairo_stroke (cr);
      cairo_move_to (cr, px - r, py);
      cairo_line_to (cr, px - r / 3, py);
      cairo_move_to (cr, px + r / 3, py);
      cairo_line_to (cr, px + r, py);
      cairo_move_to (cr, px, py - r);
      cairo_line_to (cr, px, py - r / 3);
      cairo_move_to (cr, px, py + r / 3);
      cairo_line_to (cr, px, py + r);
      cairo_stroke (cr);
    }
}

/* The corner legend reused on the free strip right of the plot area. */
static LabPlotFrame
legend_strip (const LabPlotFrame *frame, const LabPlotStyle *style)
{
  LabPlotFrame strip = *frame;
  double margin = round (_lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL) * 0.8);
  strip.x0 = frame->x1 + round (_lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL) * 0.6) - margin;
  strip.y0 = frame->y0 - margin;
  return strip;
}

void
lab_plot_scatter_draw (cairo_t *cr, int width, int height, const LabScatterData *data,
                       const LabPlotStyle *style)
{
  LabPlotFrame frame;
  bool laid_out = scatter_layout (&frame, width, height, data, style);
  if (!_lab_plot_open (cr, width, height, style, laid_out, data ? data->title : NULL,
                       data ? data->empty_text : NULL))
    return;
  _lab_plot_frame_draw (cr, &frame, style);

  _lab_plot_frame_clip (cr, &frame);
  if (data->points && data->n_points > 0)
    {
      if (data->sigmas)
        draw_ellipses (cr, &frame, data, style);
      draw_points (cr, &frame, data, style);
    }
  if (data->path && data->n_path > 0)
    draw_path (cr, &frame, data, style);
  if (data->points && data->highlight >= 0 && data->highlight < data->n_points)
    draw_highlight (cr, &frame, data, style);
  if (data->show_marker)
    draw_marker (cr, &frame, data, style);
  cairo_restore (cr);

  LabLegendEntry entries[MAX_LEGEND];
  int n = legend_entries (data, style, entries);
  if (n > 0)
    {
      LabPlotFrame strip = legend_strip (&frame, style);
      _lab_plot_legend (cr, &strip, style, LAB_PLOT_LEGEND_TOP_LEFT, entries, n);
    }
  cairo_restore (cr);
}

LAB_PLOT_DEFINE_DRAW_FUNC (scatter, LabScatterData)

bool
lab_plot_scatter_to_data (int width, int height, const LabScatterData *data,
                          const LabPlotStyle *style, double px, double py, double *x, double *y)
{
  LabPlotFrame frame;
  if (!scatter_layout (&frame, width, height, data, style))
    return false;
  if (x)
    *x = _lab_plot_frame_x (&frame, px);
  if (y)
    *y = _lab_plot_frame_y (&frame, py);
  return true;
}

bool
lab_plot_scatter_to_widget (int width, int height, const LabScatterData *data,
                            const LabPlotStyle *style, double x, double y, double *px,
                            double *py)
{
  LabPlotFrame frame;
  if (!scatter_layout (&frame, width, height, data, style))
    return false;
  if (px)
    *px = _lab_plot_frame_px (&frame, x);
  if (py)
    *py = _lab_plot_frame_py (&frame, y);
  return true;
}

int
lab_plot_scatter_nearest (int width, int height, const LabScatterData *data,
                          const LabPlotStyle *style, double px, double py, double max_distance)
{
  LabPlotFrame frame;
  if (data == NULL || data->points == NULL
      || !scatter_layout (&frame, width, height, data, style))
    return -1;
  int best = -1;
  double best_d2 = max_distance * max_distance;
  for (int i = 0; i < data->n_points; i++)
    {
      const float *p = data->points + 2 * i;
      if (!point_shown (data, i))
        continue;
      double dx = _lab_plot_frame_px (&frame, p[0]) - px;
      double dy = _lab_plot_frame_py (&frame, p[1]) - py;
      double d2 = dx * dx + dy * dy;
      if (d2 <= best_d2)
        {
          best_d2 = d2;
          best = i;
        }
    }
  return best;
}

int
lab_plot_scatter_legend_at (int width, int height, const LabScatterData *data,
                            const LabPlotStyle *style, double px, double py)
{
  LabPlotFrame frame;
  LabLegendEntry entries[MAX_LEGEND];
  if (data == NULL || !scatter_layout (&frame, width, height, data, style))
    return -1;
  int n = legend_entries (data, style, entries);
  if (n == 0)
    return -1;
  LabPlotFrame strip = legend_strip (&frame, style);
  double box[4];
  cairo_t *measure = _lab_plot_measure_new ();
  _lab_plot_legend_box (measure, &strip, style, LAB_PLOT_LEGEND_TOP_LEFT, entries, n, box);
  cairo_destroy (measure);
  if (px < box[0] || px > box[0] + box[2] || py < box[1] || py > box[1] + box[3])
    return -1;
  /* the rows share the box's height evenly, within its inner margin */
  int row = (int) floor ((py - box[1]) / box[3] * n);
  return row < 0 ? 0 : row >= n ? n - 1 : row;
}

void
lab_plot_scatter_summary (const LabScatterData *data, char *buf, size_t size)
{
  if (size == 0)
    return;
  if (!scatter_has_data (data) || data->points == NULL)
    {
      snprintf (buf, size, "no codes yet");
      return;
    }
  int finite = 0;
  for (int i = 0; i < data->n_points; i++)
    finite += point_finite (data->points + 2 * i);
  LabPlotRect r = lab_plot_scatter_visible_rect (data);
  snprintf (buf, size, "%d codes in %d classes, x from %.3g to %.3g, y from %.3g to %.3g",
            finite, data->labels ? data->n_classes : 1, r.x0, r.x1, r.y0, r.y1);
}
