/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot-bars.c: one bar per item (KL per latent dimension, mean activation per hidden
 * unit), with an optional reference line such as the sparsity target rho. */
#include "lab-plot-private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool
bars_layout (LabPlotFrame *frame, int width, int height, const LabBarsData *data,
             const LabPlotStyle *style)
{
  if (data == NULL || data->values == NULL || data->n <= 0)
    return false;
  double lo = 0.0, hi = 0.0;
  bool any = false;
  for (int i = 0; i < data->n; i++)
    if (_lab_plot_finite (data->values[i]))
      {
        lo = fmin (lo, data->values[i]);
        hi = fmax (hi, data->values[i]);
        any = true;
      }
  if (!any)
    return false;
  if (data->show_reference && _lab_plot_finite (data->reference))
    {
      lo = fmin (lo, data->reference);
      hi = fmax (hi, data->reference);
    }
  if (hi - lo <= 0.0)
    hi = lo + 1.0;
  /* Bars grow from zero: pad only away from it. */
  if (hi > 0.0)
    hi += (hi - lo) * 0.06;
  if (lo < 0.0)
    lo -= (hi - lo) * 0.06;
  LabPlotFrameSpec spec = { 0 };
  spec.title = data->title;
  spec.x_label = data->x_label;
  spec.y_label = data->y_label;
  spec.x_integer_ticks = true;
  if (data->show_reference && data->reference_label)
    {
      /* The reference label stands right of the plot, where it hides no bar. */
      cairo_t *measure = _lab_plot_measure_new ();
      _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_SMALL, false);
      spec.extra_right = _lab_plot_text_width (measure, data->reference_label) + 8;
      cairo_destroy (measure);
    }
  return _lab_plot_frame_layout (frame, width, height, style, &spec, data->first_number - 0.5,
                                 data->first_number + data->n - 0.5, lo, hi);
}

void
lab_plot_bars_draw (cairo_t *cr, int width, int height, const LabBarsData *data,
                    const LabPlotStyle *style)
{
  LabPlotFrame frame;
  bool laid_out = bars_layout (&frame, width, height, data, style);
  if (!_lab_plot_open (cr, width, height, style, laid_out, data ? data->title : NULL,
                       data ? data->empty_text : NULL))
    return;
  _lab_plot_frame_draw (cr, &frame, style);

  LabRgba color = lab_plot_style_color (style, data->color_index);
  LabRgba flagged_color = style->muted;
  flagged_color.a = 0.6;
  double slot = (frame.x1 - frame.x0) / data->n;
  double bar = slot > 4 ? fmax (1.0, round (slot * 0.75)) : slot;
  double zero = _lab_plot_frame_py (&frame, 0.0);
  bool any_flagged = false;
  for (int pass = 0; pass < 2; pass++)
    {
      for (int i = 0; i < data->n; i++)
        {
          double v = data->values[i];
          bool flagged = data->flagged && data->flagged[i];
          if (!_lab_plot_finite (v) || flagged != (pass == 1))
            continue;
          any_flagged = any_flagged || flagged;
          double x = _lab_plot_frame_px (&frame, data->first_number + i) - bar / 2;
          double y = _lab_plot_frame_py (&frame, v);
          double top = fmin (y, zero), h = fabs (zero - y);
          /* A zero-height (dead) unit still gets a hairline so that it can be seen. */
          if (h < 2.0)
            {
              h = 2.0;
              top = zero - 2.0;
            }
          if (bar >= 6)
            _lab_plot_rounded_rect (cr, x, top, bar, h, fmin (2.0, h / 2));
          else
            cairo_rectangle (cr, x, top, bar, h);
        }
      _lab_plot_set_color (cr, pass == 0 ? color : flagged_color);
      cairo_fill (cr);
    }

  if (data->show_reference && _lab_plot_finite (data->reference))
    {
      double y = _lab_plot_snap (_lab_plot_frame_py (&frame, data->reference));
      _lab_plot_set_color (cr, style->foreground);
      cairo_set_line_width (cr, _lab_plot_line (style, 1.5));
      _lab_plot_dash (cr, style, true);
      cairo_move_to (cr, frame.x0, y);
      cairo_line_to (cr, frame.x1, y);
      cairo_stroke (cr);
      _lab_plot_dash (cr, style, false);
      if (data->reference_label)
        {
          _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
          _lab_plot_text (cr, frame.x1 + 6, y, data->reference_label, 0.0, 0.5);
        }
    }

  if (any_flagged && data->flagged_name)
    {
      LabLegendEntry entries[1] = { { data->flagged_name, flagged_color, LAB_LEGEND_BOX } };
      _lab_plot_legend (cr, &frame, style, LAB_PLOT_LEGEND_TOP_RIGHT, entries, 1);
    }
  cairo_restore (cr);
}

LAB_PLOT_DEFINE_DRAW_FUNC (bars, LabBarsData)

int
lab_plot_bars_index_at (int width, int height, const LabBarsData *data,
                        const LabPlotStyle *style, double px)
{
  LabPlotFrame frame;
  if (!bars_layout (&frame, width, height, data, style))
    return -1;
  if (px < frame.x0 || px > frame.x1)
    return -1;
  int i = (int) lround (_lab_plot_frame_x (&frame, px)) - data->first_number;
  return i >= 0 && i < data->n ? i : -1;
}

void
lab_plot_bars_summary (const LabBarsData *data, char *buf, size_t size)
{
  if (size == 0)
    return;
  double lo = HUGE_VAL, hi = -HUGE_VAL, sum = 0.0;
  int n = 0, flagged = 0;
  for (int i = 0; data && data->values && i < data->n; i++)
    {
      if (data->flagged && data->flagged[i])
        flagged++;
      if (!_lab_plot_finite (data->values[i]))
        continue;
      lo = fmin (lo, data->values[i]);
      hi = fmax (hi, data->values[i]);
      sum += data->values[i];
      n++;
    }
  if (n == 0)
    {
      snprintf (buf, size, "no values yet");
      return;
    }
  int used = snprintf (buf, size, "%d bars from %.3g to %.3g, mean %.3g", n, lo, hi, sum / n);
  if (flagged > 0 && used >= 0 && (size_t) used < size)
    snprintf (buf + used, size - used, "; %d %s", flagged,
              data->flagged_name ? data->flagged_name : "flagged");
}
