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

void
lab_plot_roc_draw (cairo_t *cr, int width, int height, const LabRocData *data,
                   const LabPlotStyle *style)
{
  LabPlotFrame frame;
  LabPlotFrameSpec spec = { 0 };
  bool laid_out = false;
  if (roc_has_data (data))
    {
      spec.title = data->title;
      spec.x_label = "false positive rate";
      spec.y_label = "true positive rate";
      laid_out = _lab_plot_frame_layout (&frame, width, height, style, &spec, 0.0, 1.0, 0.0, 1.02);
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

  char texts[MAX_CURVES][96];
  LabLegendEntry entries[MAX_CURVES];
  int n = 0;
  for (int c = 0; c < data->n_curves && n < MAX_CURVES; c++)
    {
      const LabRocCurve *curve = &data->curves[c];
      const char *name = curve->name ? curve->name : "";
      if (_lab_plot_finite (curve->auroc))
        snprintf (texts[n], sizeof texts[n], "%s  AUROC %.3f", name, curve->auroc);
      else
        snprintf (texts[n], sizeof texts[n], "%s", name);
      entries[n] = (LabLegendEntry){ texts[n], lab_plot_style_color (style, curve->color_index),
                                     curve->dashed ? LAB_LEGEND_DASHED : LAB_LEGEND_LINE };
      n++;
    }
  _lab_plot_legend (cr, &frame, style, LAB_PLOT_LEGEND_BOTTOM_RIGHT, entries, n);
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
