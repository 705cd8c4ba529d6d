/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot-roc.c: ROC curves with their AUROC, against the diagonal of a random guess. */
#include "lab-plot-private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_CURVES 8

static bool
roc_has_data (const LabRocData *data)
{
  for (int c = 0; data && data->curves && c < data->n_curves; c++)
    if (data->curves[c].fpr && data->curves[c].tpr && data->curves[c].n > 0)
      return true;
  return false;
}

/* The legend's entries, "autoencoder  AUROC 0.91" (texts: MAX_CURVES of 96): two decimals
 * keep it as narrow as a projector's ROC chart. */
static int
legend_entries (const LabRocData *data, const LabPlotStyle *style, char texts[][96],
                LabLegendEntry *entries)
{
  int n = 0;
  for (int c = 0; c < data->n_curves && n < MAX_CURVES; c++)
    {
      const LabRocCurve *curve = &data->curves[c];
      const char *name = curve->name ? curve->name : "";
      if (_lab_plot_finite (curve->auroc))
        snprintf (texts[n], 96, "%s  AUROC %.2f", name, curve->auroc);
      else
        snprintf (texts[n], 96, "%s", name);
      entries[n] = (LabLegendEntry){ texts[n], lab_plot_style_color (style, curve->color_index),
                                     curve->dashed ? LAB_LEGEND_DASHED : LAB_LEGEND_LINE };
      n++;
    }
  return n;
}

/* Lays the plot out with the legend a line per curve above the plot area, from *legend_x,
 * when the chart is tall and wide enough for that (the curves may pass through any corner);
 * else the legend goes inside (*above false). The y label is shortened where the plot is
 * lower than it. */
static bool
roc_layout (LabPlotFrame *frame, int width, int height, const LabPlotStyle *style,
            const LabRocData *data, const LabLegendEntry *entries, int n, bool *above,
            double *legend_x)
{
  LabPlotFrameSpec spec = { 0 };
  cairo_t *measure = _lab_plot_measure_new ();
  double legend_w = 0.0, y_label_w;

  _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_SMALL, false);
  for (int i = 0; i < n; i++)
    legend_w = fmax (legend_w, _lab_plot_text_width (measure, entries[i].text));
  legend_w += _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL) * 2.5; /* the swatch and gap */
  _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_NORMAL, false);
  y_label_w = _lab_plot_text_width (measure, "true positive rate");
  cairo_destroy (measure);

  spec.title = data->title;
  spec.x_label = "false positive rate";
  spec.y_label = "true positive rate";
  if (!_lab_plot_frame_layout (frame, width, height, style, &spec, 0.0, 1.0, 0.0, 1.02))
    return false;
  /* the legend's lines take their height from the plot area: from its left edge, or further
   * left over the y axis when they are wider */
  double pad = round (_lab_plot_font_px (style, 1.0) * 0.9);
  double legend_h = n * _lab_plot_legend_row_height (style);
  *above = frame->y1 - frame->y0 - legend_h >= fmax (y_label_w, 0.5 * (frame->x1 - frame->x0))
           && legend_w <= width - 2 * pad;
  *legend_x = fmax (pad, fmin (frame->x0, width - pad - legend_w));
  if (*above)
    {
      spec.extra_top = legend_h;
      if (!_lab_plot_frame_layout (frame, width, height, style, &spec, 0.0, 1.0, 0.0, 1.02))
        return false;
    }
  if (frame->y1 - frame->y0 < y_label_w)
    frame->spec.y_label = "TPR";
  return true;
}

/* How much of the curves (in steps of a few pixels along them) the legend box covers in
 * that corner. */
static int
legend_covers (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style,
               const LabRocData *data, LabPlotLegend corner, const LabLegendEntry *entries, int n)
{
  double box[4];
  int covered = 0;

  _lab_plot_legend_box (cr, frame, style, corner, entries, n, box);
  for (int c = 0; c < data->n_curves; c++)
    {
      const LabRocCurve *curve = &data->curves[c];
      for (int i = 1; curve->fpr && curve->tpr && i < curve->n; i++)
        {
          if (!_lab_plot_finite (curve->fpr[i - 1]) || !_lab_plot_finite (curve->tpr[i - 1])
              || !_lab_plot_finite (curve->fpr[i]) || !_lab_plot_finite (curve->tpr[i]))
            continue;
          double x0 = _lab_plot_frame_px (frame, curve->fpr[i - 1]);
          double y0 = _lab_plot_frame_py (frame, curve->tpr[i - 1]);
          double x1 = _lab_plot_frame_px (frame, curve->fpr[i]);
          double y1 = _lab_plot_frame_py (frame, curve->tpr[i]);
          int steps = 1 + (int) (hypot (x1 - x0, y1 - y0) / 3.0);
          for (int s = 0; s < steps; s++)
            {
              double x = x0 + (x1 - x0) * s / steps, y = y0 + (y1 - y0) * s / steps;
              covered += x >= box[0] && x <= box[0] + box[2] && y >= box[1] && y <= box[1] + box[3];
            }
        }
    }
  return covered;
}

void
lab_plot_roc_draw (cairo_t *cr, int width, int height, const LabRocData *data,
                   const LabPlotStyle *style)
{
  LabPlotFrame frame;
  char texts[MAX_CURVES][96];
  LabLegendEntry entries[MAX_CURVES];
  int n = 0;
  bool laid_out = false, above = false;
  double legend_x = 0.0;
  if (roc_has_data (data))
    {
      n = legend_entries (data, style, texts, entries);
      laid_out = roc_layout (&frame, width, height, style, data, entries, n, &above, &legend_x);
    }
  if (!_lab_plot_open (cr, width, height, style, laid_out, data ? data->title : NULL,
                       data ? data->empty_text : NULL))
    return;
  _lab_plot_frame_draw (cr, &frame, style);

  _lab_plot_frame_clip (cr, &frame);
  LabRgba diagonal = style->muted;
  diagonal.a = 0.6;
  _lab_plot_set_color (cr, diagonal);
  cairo_set_line_width (cr, _lab_plot_line (style, LAB_PLOT_LINE_THIN));
  _lab_plot_dash (cr, style, true);
  cairo_move_to (cr, _lab_plot_frame_px (&frame, 0), _lab_plot_frame_py (&frame, 0));
  cairo_line_to (cr, _lab_plot_frame_px (&frame, 1), _lab_plot_frame_py (&frame, 1));
  cairo_stroke (cr);

  for (int c = 0; c < data->n_curves; c++)
    {
      const LabRocCurve *curve = &data->curves[c];
      if (curve->fpr == NULL || curve->tpr == NULL)
        continue;
      bool pen_down = false;
      for (int i = 0; i < curve->n; i++)
        {
          double x = curve->fpr[i], y = curve->tpr[i];
          if (!_lab_plot_finite (x) || !_lab_plot_finite (y))
            {
              pen_down = false;
              continue;
            }
          double px = _lab_plot_frame_px (&frame, x), py = _lab_plot_frame_py (&frame, y);
          _lab_plot_trace_to (cr, px, py, &pen_down);
        }
      _lab_plot_set_color (cr, lab_plot_style_color (style, curve->color_index));
      cairo_set_line_width (cr, _lab_plot_line (style, LAB_PLOT_LINE_CURVE));
      _lab_plot_dash (cr, style, curve->dashed);
      cairo_stroke (cr);
    }
  _lab_plot_dash (cr, style, false);

  if (data->show_point && _lab_plot_finite (data->point_fpr) && _lab_plot_finite (data->point_tpr))
    _lab_plot_dot (cr, style, _lab_plot_frame_px (&frame, data->point_fpr),
                   _lab_plot_frame_py (&frame, data->point_tpr), 5.0 * style->line_scale,
                   style->foreground, 2.0);
  cairo_restore (cr);

  if (above)
    {
      /* a line per curve over the plot area */
      double row = _lab_plot_legend_row_height (style);
      for (int i = 0; i < n; i++)
        {
          LabPlotFrame line = frame;
          line.y0 = frame.y0 - (n - 1 - i) * row;
          line.x0 = line.x1 = legend_x;
          _lab_plot_legend (cr, &line, style, LAB_PLOT_LEGEND_ABOVE, &entries[i], 1);
        }
    }
  else
    /* the corner the curves leave freer: below right of curves above the diagonal, above
     * left of those below it */
    _lab_plot_legend (cr, &frame, style,
                      legend_covers (cr, &frame, style, data, LAB_PLOT_LEGEND_TOP_LEFT, entries, n)
                          < legend_covers (cr, &frame, style, data, LAB_PLOT_LEGEND_BOTTOM_RIGHT,
                                           entries, n)
                        ? LAB_PLOT_LEGEND_TOP_LEFT : LAB_PLOT_LEGEND_BOTTOM_RIGHT,
                      entries, n);
  cairo_restore (cr);
}

LAB_PLOT_DEFINE_DRAW_FUNC (roc, LabRocData)

void
lab_plot_roc_summary (const LabRocData *data, char *buf, size_t size)
{
  if (size == 0)
    return;
  buf[0] = '\0';
  size_t used = 0;
  for (int c = 0; roc_has_data (data) && c < data->n_curves && used < size; c++)
    {
      const LabRocCurve *curve = &data->curves[c];
      if (_lab_plot_finite (curve->auroc))
        used += snprintf (buf + used, size - used, "%s%s AUROC %.3f", used ? ", " : "",
                          curve->name ? curve->name : "curve", curve->auroc);
    }
  if (used == 0)
    snprintf (buf, size, "no ROC curve yet");
}
