/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot-sequence.c: a sequence (steps x features) with its reconstruction overlaid, an
 * optional strip of the per-step error beneath, and shaded anomalous steps. */
#include "lab-plot-private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_FEATURES 10
#define MAX_REFERENCES 4

/* Rows of the legend above the plot; a legend that needs more goes inside, in a corner */
#define MAX_LEGEND_ROWS 2

typedef struct {
  LabPlotFrame frame;
  double strip_y, strip_h;     /* the error strip, under the tick labels */
  double x_label_y;
  int legend_rows;             /* rows above the plot; 0 inside its top right corner */
  int legend_starts[MAX_LEGEND_ROWS + 1]; /* row i: entries [starts[i], starts[i + 1]) */
} SequenceLayout;

static bool
sequence_has_data (const LabSequenceData *data)
{
  return data && data->input && data->n_steps > 0 && data->n_features > 0;
}

/* The legend's entries (texts: copies of the feature names); returns how many. */
static int
legend_entries (const LabSequenceData *data, const LabPlotStyle *style,
                char texts[MAX_FEATURES + 2][64], LabLegendEntry entries[MAX_FEATURES + 2 + MAX_REFERENCES])
{
  int features = data->n_features < MAX_FEATURES ? data->n_features : MAX_FEATURES;
  int references = data->n_references < MAX_REFERENCES ? data->n_references : MAX_REFERENCES;
  int n = 0;
  if (features == 1 || data->feature_names == NULL)
    {
      entries[n++] = (LabLegendEntry){ data->input_name ? data->input_name : "input",
                                       lab_plot_style_color (style, 0), LAB_LEGEND_LINE };
    }
  else
    for (int f = 0; f < features; f++)
      {
        snprintf (texts[n], sizeof texts[n], "%s", data->feature_names[f] ? data->feature_names[f]
                                                                          : "");
        entries[n] = (LabLegendEntry){ texts[n], lab_plot_style_color (style, f), LAB_LEGEND_LINE };
        n++;
      }
  if (data->reconstruction)
    entries[n++] = (LabLegendEntry){ "reconstruction",
                                     features == 1 ? lab_plot_style_color (style, 0) : style->muted,
                                     LAB_LEGEND_DASHED };
  for (int r = 0; r < references; r++)
    if (data->references[r])
      entries[n++] = (LabLegendEntry){ data->reference_names && data->reference_names[r]
                                       ? data->reference_names[r] : "",
                                       lab_plot_style_color (style, features + r), LAB_LEGEND_LINE };
  if (data->anomalous || data->name_anomalous)
    entries[n++] = (LabLegendEntry){ "anomalous steps", lab_plot_style_color (style, 3),
                                     LAB_LEGEND_BOX };
  return n;
}

/* Splits the legend into rows no wider than the plot (an entry wider than it alone on its
 * row); returns their number, or 0 when they would be more than MAX_LEGEND_ROWS. */
static int
legend_rows (const LabPlotFrame *frame, const LabPlotStyle *style, const LabLegendEntry *entries,
             int n, int starts[MAX_LEGEND_ROWS + 1])
{
  cairo_t *measure = _lab_plot_measure_new ();
  int rows = 0;
  for (int i = 0; i < n && rows <= MAX_LEGEND_ROWS; rows++)
    {
      if (rows < MAX_LEGEND_ROWS)
        starts[rows] = i;
      int k = 1;
      for (; i + k < n; k++)
        {
          double box[4];
          _lab_plot_legend_box (measure, frame, style, LAB_PLOT_LEGEND_ABOVE, entries + i, k + 1, box);
          if (box[2] > frame->x1 - frame->x0)
            break;
        }
      i += k;
    }
  cairo_destroy (measure);
  if (rows > MAX_LEGEND_ROWS)
    return 0;
  starts[rows] = n;
  return rows;
}

static bool
sequence_layout (SequenceLayout *layout, int width, int height, const LabSequenceData *data,
                 const LabPlotStyle *style)
{
  memset (layout, 0, sizeof *layout);
  if (!sequence_has_data (data))
    return false;
  double ymin = HUGE_VAL, ymax = -HUGE_VAL;
  size_t n = (size_t) data->n_steps * data->n_features;
  for (size_t i = 0; i < n; i++)
    {
      if (_lab_plot_finite (data->input[i]))
        {
          ymin = fmin (ymin, data->input[i]);
          ymax = fmax (ymax, data->input[i]);
        }
      if (data->reconstruction && _lab_plot_finite (data->reconstruction[i]))
        {
          ymin = fmin (ymin, data->reconstruction[i]);
          ymax = fmax (ymax, data->reconstruction[i]);
        }
      for (int r = 0; r < data->n_references; r++)
        if (data->references[r] && _lab_plot_finite (data->references[r][i]))
          {
            ymin = fmin (ymin, data->references[r][i]);
            ymax = fmax (ymax, data->references[r][i]);
          }
    }
  if (ymin > ymax)
    return false;
  if (data->has_y_range && data->y_min < data->y_max)
    {
      ymin = fmin (ymin, data->y_min);
      ymax = fmax (ymax, data->y_max);
    }
  _lab_plot_pad_range (&ymin, &ymax, 0.06, false);
  double font = _lab_plot_font_px (style, LAB_PLOT_TEXT_NORMAL);
  LabPlotFrameSpec spec = { 0 };
  spec.title = data->title;
  spec.x_integer_ticks = true;
  /* The curves fill the plot's width, so any corner of it would hide some: the legend takes
   * a row of its own above. */
  if (!data->hide_legend)
    spec.extra_top = _lab_plot_legend_row_height (style);
  if (data->step_error)
    {
      /* The strip sits between the tick labels and the axis label. */
      layout->strip_h = round (font * 2.4);
      cairo_t *measure = _lab_plot_measure_new ();
      _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_SMALL, false);
      spec.min_label_width = _lab_plot_text_width (measure, "error");
      cairo_destroy (measure);
      spec.extra_bottom = layout->strip_h + font * 0.8
                                  + (data->x_label ? font * 1.6 : 0.0);
    }
  else
    spec.x_label = data->x_label;
  double xmax = data->n_steps > 1 ? data->n_steps - 1 : 1;
  if (!_lab_plot_frame_layout (&layout->frame, width, height, style, &spec, 0.0, xmax,
                               ymin, ymax))
    return false;
  if (!data->hide_legend)
    {
      /* a row wider than the plot wraps onto a second row above it (room taken from the plot's
       * height: the widths stay as laid out) */
      char texts[MAX_FEATURES + 2][64];
      LabLegendEntry entries[MAX_FEATURES + 2 + MAX_REFERENCES];
      int n_entries = legend_entries (data, style, texts, entries);
      layout->legend_rows = legend_rows (&layout->frame, style, entries, n_entries,
                                         layout->legend_starts);
      if (layout->legend_rows > 1)
        {
          spec.extra_top = layout->legend_rows * _lab_plot_legend_row_height (style);
          if (!_lab_plot_frame_layout (&layout->frame, width, height, style, &spec, 0.0, xmax,
                                       ymin, ymax))
            return false;
        }
    }
  double small = _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);
  layout->strip_y = round (layout->frame.y1 + 4 * style->line_scale + 2 + small * 1.5);
  layout->x_label_y = layout->strip_y + layout->strip_h + font * 0.5;
  return true;
}

static void
draw_line (cairo_t *cr, const LabPlotFrame *frame, const float *values, int steps, int features,
           int f)
{
  bool pen_down = false;
  for (int t = 0; t < steps; t++)
    {
      double v = values[(size_t) t * features + f];
      if (!_lab_plot_finite (v))
        {
          pen_down = false;
          continue;
        }
      double px = _lab_plot_frame_px (frame, t), py = _lab_plot_frame_py (frame, v);
      _lab_plot_trace_to (cr, px, py, &pen_down);
    }
}

/* Half a step either side of step t, so that a lone anomalous step still shows. */
static void
step_span (const LabPlotFrame *frame, int t, double *x0, double *x1)
{
  *x0 = fmax (frame->x0, _lab_plot_frame_px (frame, t - 0.5));
  *x1 = fmin (frame->x1, _lab_plot_frame_px (frame, t + 0.5));
}

void
lab_plot_sequence_draw (cairo_t *cr, int width, int height, const LabSequenceData *data,
                        const LabPlotStyle *style)
{
  SequenceLayout layout;
  bool laid_out = sequence_layout (&layout, width, height, data, style);
  if (!_lab_plot_open (cr, width, height, style, laid_out, data ? data->title : NULL,
                       data ? data->empty_text : NULL))
    return;
  const LabPlotFrame *frame = &layout.frame;
  LabRgba anomaly = lab_plot_style_color (style, 3);
  if (data->anomalous)
    {
      LabRgba shade = anomaly;
      shade.a = style->dark ? 0.22 : 0.13;
      _lab_plot_set_color (cr, shade);
      for (int t = 0; t < data->n_steps; t++)
        if (data->anomalous[t])
          {
            double x0, x1;
            step_span (frame, t, &x0, &x1);
            cairo_rectangle (cr, x0, frame->y0, x1 - x0, frame->y1 - frame->y0);
          }
      cairo_fill (cr);
    }
  _lab_plot_frame_draw (cr, frame, style);

  _lab_plot_frame_clip (cr, frame);
  int features = data->n_features < MAX_FEATURES ? data->n_features : MAX_FEATURES;
  int references = data->n_references < MAX_REFERENCES ? data->n_references : MAX_REFERENCES;
  for (int r = 0; r < references; r++)
    {
      /* references in the colours after the features', thin and pale, under everything */
      LabRgba color = lab_plot_style_color (style, features + r);
      if (!data->references[r])
        continue;
      color.a = 0.6;
      for (int f = 0; f < features; f++)
        draw_line (cr, frame, data->references[r], data->n_steps, data->n_features, f);
      _lab_plot_set_color (cr, color);
      cairo_set_line_width (cr, _lab_plot_line (style, 1.5));
      cairo_stroke (cr);
    }
  for (int f = 0; f < features; f++)
    {
      /* The input wide and pale, its reconstruction dashed on top in the full colour. */
      LabRgba color = lab_plot_style_color (style, f);
      LabRgba pale = color;
      pale.a = data->reconstruction ? 0.45 : 1.0;
      draw_line (cr, frame, data->input, data->n_steps, data->n_features, f);
      _lab_plot_set_color (cr, pale);
      cairo_set_line_width (cr, _lab_plot_line (style, data->reconstruction ? 3.5 : 2.0));
      cairo_stroke (cr);
      if (data->reconstruction)
        {
          draw_line (cr, frame, data->reconstruction, data->n_steps, data->n_features, f);
          _lab_plot_set_color (cr, color);
          cairo_set_line_width (cr, _lab_plot_line (style, LAB_PLOT_LINE_CURVE));
          _lab_plot_dash (cr, style, true);
          cairo_stroke (cr);
          _lab_plot_dash (cr, style, false);
        }
    }
  cairo_restore (cr);

  if (data->step_error)
    {
      double vmax = 0.0;
      for (int t = 0; t < data->n_steps; t++)
        if (_lab_plot_finite (data->step_error[t]))
          vmax = fmax (vmax, fabs (data->step_error[t]));
      if (vmax <= 0.0)
        vmax = 1.0;
      /* The error per step as a small area chart; anomalous steps in the anomaly colour. */
      double base = layout.strip_y + layout.strip_h;
      for (int pass = 0; pass < 2; pass++)
        {
          for (int t = 0; t < data->n_steps; t++)
            {
              double e = data->step_error[t];
              bool flagged = data->anomalous && data->anomalous[t];
              if (!_lab_plot_finite (e) || flagged != (pass == 1))
                continue;
              double x0, x1;
              step_span (frame, t, &x0, &x1);
              double h = fmax (1.0, fabs (e) / vmax * (layout.strip_h - 1));
              cairo_rectangle (cr, x0, base - h, x1 - x0, h);
            }
          LabRgba fill = pass == 1 ? anomaly : style->muted;
          fill.a = pass == 1 ? 1.0 : 0.45;
          _lab_plot_set_color (cr, fill);
          cairo_fill (cr);
        }
      _lab_plot_set_color (cr, style->grid);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, frame->x0, _lab_plot_snap (base));
      cairo_line_to (cr, frame->x1, _lab_plot_snap (base));
      cairo_stroke (cr);
      _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
      _lab_plot_set_color (cr, style->muted);
      _lab_plot_text (cr, frame->x0 - 6, layout.strip_y + layout.strip_h / 2, "error", 1.0, 0.5);
      if (data->x_label)
        {
          _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_NORMAL, false);
          _lab_plot_set_color (cr, style->foreground);
          _lab_plot_text (cr, (frame->x0 + frame->x1) / 2, layout.x_label_y, data->x_label, 0.5,
                          0.0);
        }
    }

  if (!data->hide_legend)
    {
      char texts[MAX_FEATURES + 2][64];
      LabLegendEntry entries[MAX_FEATURES + 2 + MAX_REFERENCES];
      int n = legend_entries (data, style, texts, entries);
      /* the curves fill the plot's width, so any corner of it would hide some: rows above */
      for (int row = 0; row < layout.legend_rows; row++)
        {
          LabPlotFrame line = *frame;
          line.y0 = frame->y0 - (layout.legend_rows - 1 - row) * _lab_plot_legend_row_height (style);
          _lab_plot_legend (cr, &line, style, LAB_PLOT_LEGEND_ABOVE, entries + layout.legend_starts[row],
                            layout.legend_starts[row + 1] - layout.legend_starts[row]);
        }
      if (layout.legend_rows == 0)
        _lab_plot_legend (cr, frame, style, LAB_PLOT_LEGEND_TOP_RIGHT, entries, n);
    }
  cairo_restore (cr);
}

LAB_PLOT_DEFINE_DRAW_FUNC (sequence, LabSequenceData)
