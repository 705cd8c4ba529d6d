/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot.c: what every plot shares: style, ticks, colormap, text, frames, legends, export. */
#include "lab-plot-private.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LAB_PLOT_FONT_FAMILY "Sans"

static LabRgba
rgb8 (int r, int g, int b)
{
  return (LabRgba){ r / 255.0, g / 255.0, b / 255.0, 1.0 };
}

static LabRgba
rgb_hex (unsigned rgb)
{
  return rgb8 ((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
}

/* Okabe & Ito's eight colours (black swapped for a light grey on dark backgrounds) and two
 * of Tol's muted scheme, so that ten digit classes stay apart for colour-blind readers. */
static void
style_set_palette (LabPlotStyle *style, bool dark)
{
  style->palette[0] = rgb8 (0, 114, 178);   /* blue */
  style->palette[1] = rgb8 (230, 159, 0);   /* orange */
  style->palette[2] = rgb8 (0, 158, 115);   /* bluish green */
  style->palette[3] = rgb8 (213, 94, 0);    /* vermillion */
  style->palette[4] = rgb8 (204, 121, 167); /* reddish purple */
  style->palette[5] = rgb8 (86, 180, 233);  /* sky blue */
  style->palette[6] = dark ? rgb8 (240, 228, 66) : rgb8 (200, 185, 20); /* yellow */
  style->palette[7] = dark ? rgb8 (224, 224, 224) : rgb8 (40, 40, 40);
  style->palette[8] = dark ? rgb8 (204, 102, 119) : rgb8 (136, 34, 85); /* rose / wine */
  style->palette[9] = rgb8 (153, 153, 51);  /* olive */
  if (dark)
    style->palette[0] = rgb8 (40, 150, 220); /* the blue is too dark on near-black */
}

/* A style of text, frame and accent colours given as 0xRRGGBB. */
static void
style_init (LabPlotStyle *style, bool dark, unsigned foreground, unsigned muted,
            unsigned background, unsigned grid, unsigned accent)
{
  memset (style, 0, sizeof *style);
  style->foreground = rgb_hex (foreground);
  style->muted = rgb_hex (muted);
  style->background = rgb_hex (background);
  style->grid = rgb_hex (grid);
  style->accent = rgb_hex (accent);
  style_set_palette (style, dark);
  style->font_size = 12.0;
  style->font_scale = 1.0;
  style->line_scale = 1.0;
  style->fill_background = true;
  style->dark = dark;
}

void
lab_plot_style_init_light (LabPlotStyle *style)
{
  style_init (style, false, 0x222222, 0x606060, 0xffffff, 0xe8e8e8, 0x3584e4);
}

void
lab_plot_style_init_dark (LabPlotStyle *style)
{
  style_init (style, true, 0xeeeeee, 0xaaaaaa, 0x242424, 0x3e3e3e, 0x78aeed);
}

LabRgba
lab_plot_style_color (const LabPlotStyle *style, int index)
{
  if (index < 0)
    return style->muted;
  return style->palette[index % LAB_PLOT_PALETTE_SIZE];
}

/* ---------------------------------------------------------------------------------------- */

void
lab_plot_rect_zoom (LabPlotRect *rect, double cx, double cy, double factor)
{
  if (!(factor > 0.0) || !_lab_plot_finite (factor))
    return;
  rect->x0 = cx + (rect->x0 - cx) * factor;
  rect->x1 = cx + (rect->x1 - cx) * factor;
  rect->y0 = cy + (rect->y0 - cy) * factor;
  rect->y1 = cy + (rect->y1 - cy) * factor;
}

void
lab_plot_rect_pan (LabPlotRect *rect, double dx, double dy)
{
  rect->x0 += dx;
  rect->x1 += dx;
  rect->y0 += dy;
  rect->y1 += dy;
}

int
lab_plot_linear_ticks (double lo, double hi, int target, LabPlotTick *ticks, int capacity,
                       double *step)
{
  if (step)
    *step = 0.0;
  if (!_lab_plot_finite (lo) || !_lab_plot_finite (hi) || capacity <= 0)
    return 0;
  if (hi < lo)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  if (target < 2)
    target = 2;
  double span = hi - lo;
  if (span <= 0.0)
    span = fabs (lo) > 0.0 ? fabs (lo) * 0.1 : 1.0;
  double raw = span / target;
  double magnitude = pow (10.0, floor (log10 (raw)));
  double nice = magnitude;
  static const double multiples[] = { 1.0, 2.0, 5.0, 10.0 };
  for (size_t i = 0; i < sizeof multiples / sizeof multiples[0]; i++)
    if (multiples[i] * magnitude >= raw * 0.8)
      {
        nice = multiples[i] * magnitude;
        break;
      }
  /* at least two ticks where the range holds them: one alone gives the axis no scale */
  for (int finer = 0; finer < 3 && hi > lo && floor (hi / nice + 1e-9) - ceil (lo / nice - 1e-9) < 1.0;
       finer++)
    {
      double mantissa = nice / pow (10.0, floor (log10 (nice) + 1e-9));
      nice *= mantissa > 3.0 ? 0.4 : 0.5; /* 5 -> 2, 2 -> 1, 1 -> 0.5 */
    }
  double first = ceil (lo / nice - 1e-9) * nice;
  int n = 0;
  for (double k = 0; n < capacity; k++)
    {
      double v = first + k * nice;
      if (v > hi + nice * 1e-9)
        break;
      if (fabs (v) < nice * 1e-9)
        v = 0.0; /* no "-0" or "1e-17" from accumulated rounding */
      ticks[n].value = v;
      ticks[n].major = true;
      n++;
    }
  if (step)
    *step = nice;
  return n;
}

int
lab_plot_log_ticks (double lo, double hi, LabPlotTick *ticks, int capacity)
{
  if (!(lo > 0.0) || !(hi > 0.0) || !_lab_plot_finite (lo) || !_lab_plot_finite (hi)
      || capacity <= 0)
    return 0;
  if (hi < lo)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  int first_decade = (int) floor (log10 (lo) + 1e-9);
  int last_decade = (int) floor (log10 (hi) + 1e-9);
  /* Over less than two decades, decade labels alone would leave the axis nearly bare. */
  bool promote = log10 (hi / lo) < 2.0;
  /* Over many decades the minor ticks would crowd into a grey band: keep decades only. */
  bool minors = last_decade - first_decade <= 8;
  int n = 0;
  for (int d = first_decade; d <= last_decade && n < capacity; d++)
    {
      double decade = pow (10.0, d);
      for (int m = 1; m <= 9 && n < capacity; m++)
        {
          if (m > 1 && !minors)
            break;
          double v = m * decade;
          if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9))
            continue;
          ticks[n].value = v;
          ticks[n].major = m == 1 || (promote && (m == 2 || m == 5));
          n++;
        }
    }
  return n;
}

void
lab_plot_format_count (long n, char *buf, size_t size)
{
  char digits[24];
  int len = snprintf (digits, sizeof digits, "%ld", labs (n));
  size_t used = 0;

  if (size == 0)
    return;
  if (n < 0 && used + 1 < size)
    buf[used++] = '-';
  for (int i = 0; i < len && used + 2 < size; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        buf[used++] = ',';
      buf[used++] = digits[i];
    }
  buf[used] = '\0';
}

void
lab_plot_format_tick (double value, double step, char *buf, size_t size)
{
  if (size == 0)
    return;
  if (!_lab_plot_finite (value))
    {
      snprintf (buf, size, "%s", "");
      return;
    }
  double a = fabs (value);
  if (value == 0.0)
    snprintf (buf, size, "0");
  else if (a >= 1e5 || a < 1e-4)
    {
      /* 1e-05 -> "1e-5": exponents without padding read faster. */
      int exponent = (int) floor (log10 (a) + 1e-9);
      double mantissa = value / pow (10.0, exponent);
      if (fabs (mantissa - round (mantissa)) < 1e-6)
        snprintf (buf, size, "%.0fe%d", mantissa, exponent);
      else
        snprintf (buf, size, "%.1fe%d", mantissa, exponent);
    }
  else
    {
      int decimals = 0;
      double reference = step > 0.0 ? step : a;
      if (reference < 1.0)
        decimals = (int) ceil (-log10 (reference) - 1e-9);
      /* A step such as 0.25 needs one more decimal than its magnitude suggests. */
      if (step > 0.0 && decimals < 6)
        {
          double scaled = step * pow (10.0, decimals);
          if (fabs (scaled - round (scaled)) > 1e-6)
            decimals++;
        }
      if (decimals > 6)
        decimals = 6;
      snprintf (buf, size, "%.*f", decimals, value);
    }
}

/* Matplotlib's inferno sampled at 16 points; linear between them is indistinguishable at
 * the sizes we draw. */
LabRgba
lab_plot_colormap_inferno (double t)
{
  static const float stops[16][3] = {
    { 0.001f, 0.000f, 0.014f }, { 0.047f, 0.030f, 0.150f }, { 0.142f, 0.046f, 0.309f },
    { 0.258f, 0.039f, 0.406f }, { 0.367f, 0.072f, 0.432f }, { 0.472f, 0.111f, 0.428f },
    { 0.578f, 0.148f, 0.404f }, { 0.683f, 0.190f, 0.361f }, { 0.781f, 0.243f, 0.300f },
    { 0.865f, 0.317f, 0.226f }, { 0.930f, 0.411f, 0.145f }, { 0.971f, 0.523f, 0.058f },
    { 0.988f, 0.645f, 0.040f }, { 0.979f, 0.775f, 0.176f }, { 0.950f, 0.903f, 0.380f },
    { 0.988f, 0.998f, 0.645f },
  };
  if (!(t > 0.0))
    t = 0.0; /* also NaN */
  if (t > 1.0)
    t = 1.0;
  double position = t * 15.0;
  int i = (int) position;
  if (i >= 15)
    i = 14;
  double f = position - i;
  LabRgba c;
  c.r = stops[i][0] + f * (stops[i + 1][0] - stops[i][0]);
  c.g = stops[i][1] + f * (stops[i + 1][1] - stops[i][1]);
  c.b = stops[i][2] + f * (stops[i + 1][2] - stops[i][2]);
  c.a = 1.0;
  return c;
}

/* ---------------------------------------------------------------------------------------- */
/* Text and small drawing helpers                                                            */

double
_lab_plot_font_px (const LabPlotStyle *style, double relative)
{
  return style->font_size * style->font_scale * relative;
}

void
_lab_plot_set_font (cairo_t *cr, const LabPlotStyle *style, double relative, bool bold)
{
  cairo_select_font_face (cr, LAB_PLOT_FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, round (_lab_plot_font_px (style, relative)));
}

void
_lab_plot_set_color (cairo_t *cr, LabRgba color)
{
  cairo_set_source_rgba (cr, color.r, color.g, color.b, color.a);
}

double
_lab_plot_line (const LabPlotStyle *style, double width)
{
  return width * style->line_scale;
}

double
_lab_plot_snap (double v)
{
  return floor (v) + 0.5;
}

static void
set_font_options (cairo_t *cr)
{
  cairo_font_options_t *options = cairo_font_options_create ();
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_ON);
  cairo_set_font_options (cr, options);
  cairo_font_options_destroy (options);
}

cairo_t *
_lab_plot_measure_new (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
  cairo_t *cr = cairo_create (surface);
  cairo_surface_destroy (surface); /* the context keeps its own reference */
  set_font_options (cr);
  return cr;
}

/* Text goes through Pango (shaping, font fallback for scripts the font lacks, right-to-left
 * runs), so that a translation displays correctly. The font stays in the Cairo context
 * (_lab_plot_set_font), where cairo_save and cairo_restore keep it; each context keeps one
 * layout, made the first time it draws text. */
static const cairo_user_data_key_t layout_key;

static PangoLayout *
text_layout (cairo_t *cr, const char *text)
{
  PangoLayout *layout = cairo_get_user_data (cr, &layout_key);
  cairo_font_face_t *face = cairo_get_font_face (cr);
  PangoFontDescription *font = pango_font_description_new ();
  cairo_matrix_t matrix;

  if (layout == NULL)
    {
      cairo_font_options_t *options = cairo_font_options_create ();

      layout = pango_cairo_create_layout (cr);
      cairo_get_font_options (cr, options);
      pango_cairo_context_set_font_options (pango_layout_get_context (layout), options);
      cairo_font_options_destroy (options);
      cairo_set_user_data (cr, &layout_key, layout, g_object_unref);
    }
  else
    pango_cairo_update_layout (cr, layout);

  cairo_get_font_matrix (cr, &matrix);
  pango_font_description_set_family (font, cairo_font_face_get_type (face) == CAIRO_FONT_TYPE_TOY
                                           ? cairo_toy_font_face_get_family (face)
                                           : LAB_PLOT_FONT_FAMILY);
  pango_font_description_set_weight (font, cairo_font_face_get_type (face) == CAIRO_FONT_TYPE_TOY
                                           && cairo_toy_font_face_get_weight (face) == CAIRO_FONT_WEIGHT_BOLD
                                           ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size (font, matrix.yy * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text != NULL ? text : "", -1);
  return layout;
}

double
_lab_plot_text_width (cairo_t *cr, const char *text)
{
  PangoRectangle logical;

  pango_layout_get_extents (text_layout (cr, text), NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

void
_lab_plot_begin (cairo_t *cr, int width, int height, const LabPlotStyle *style)
{
  set_font_options (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  if (style->fill_background)
    {
      _lab_plot_set_color (cr, style->background);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
    }
}

void
_lab_plot_text (cairo_t *cr, double x, double y, const char *text, double halign, double valign)
{
  if (text == NULL || text[0] == '\0')
    return;
  PangoLayout *layout = text_layout (cr, text);
  PangoRectangle logical;
  pango_layout_get_extents (layout, NULL, &logical);
  double w = (double) logical.width / PANGO_SCALE;
  double h = (double) logical.height / PANGO_SCALE;
  double ascent = (double) pango_layout_get_baseline (layout) / PANGO_SCALE;
  double left = round (x - halign * w) - (double) logical.x / PANGO_SCALE;
  double baseline = round (y - valign * h + ascent);
  cairo_move_to (cr, left, baseline - ascent);
  pango_cairo_show_layout (cr, layout);
  cairo_new_path (cr);
}

double
_lab_plot_title_height (const LabPlotStyle *style, const char *title)
{
  if (title == NULL || title[0] == '\0')
    return 0.0;
  return round (_lab_plot_font_px (style, LAB_PLOT_TEXT_TITLE) * 1.9);
}

void
_lab_plot_text_fitted (cairo_t *cr, double x, double y, const char *text, double halign,
                       double valign, double max_width)
{
  if (text == NULL || text[0] == '\0')
    return;
  if (_lab_plot_text_width (cr, text) <= max_width)
    {
      _lab_plot_text (cr, x, y, text, halign, valign);
      return;
    }
  /* cut at a word's middle by the chart's edge, it reads as a different word */
  max_width = fmax (max_width, 1.0);
  PangoLayout *layout = text_layout (cr, text);
  pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  PangoRectangle logical;
  pango_layout_get_extents (layout, NULL, &logical);
  double h = (double) logical.height / PANGO_SCALE;
  cairo_move_to (cr, round (x - halign * max_width), round (y - valign * h));
  pango_cairo_show_layout (cr, layout);
  cairo_new_path (cr);
  /* the layout is shared by every text drawn on this context */
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_NONE);
  pango_layout_set_width (layout, -1);
}

double
_lab_plot_title (cairo_t *cr, const LabPlotStyle *style, double x, double y, double max_width,
                 const char *title)
{
  if (title == NULL || title[0] == '\0')
    return 0.0;
  _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_TITLE, true);
  _lab_plot_set_color (cr, style->foreground);
  _lab_plot_text_fitted (cr, x, y, title, 0.0, 0.0, max_width);
  return _lab_plot_title_height (style, title);
}

static double
outer_pad (const LabPlotStyle *style)
{
  return round (_lab_plot_font_px (style, 1.0) * 0.9);
}

static atomic_uint too_small_count;

void
_lab_plot_note_too_small (void)
{
  atomic_fetch_add (&too_small_count, 1);
}

unsigned
lab_plot_too_small_count (void)
{
  return atomic_load (&too_small_count);
}

void
_lab_plot_empty (cairo_t *cr, int width, int height, const LabPlotStyle *style,
                 const char *title, const char *text)
{
  double pad = outer_pad (style);
  double top = _lab_plot_title (cr, style, pad, pad, width - 2 * pad, title);
  _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_NORMAL, false);
  _lab_plot_set_color (cr, style->muted);
  _lab_plot_text (cr, width / 2.0, (height + top) / 2.0, text ? text : "No data yet", 0.5, 0.5);
}

bool
_lab_plot_open (cairo_t *cr, int width, int height, const LabPlotStyle *style, bool laid_out,
                const char *title, const char *empty_text)
{
  cairo_save (cr);
  _lab_plot_begin (cr, width, height, style);
  if (laid_out)
    return true;
  _lab_plot_empty (cr, width, height, style, title, empty_text);
  cairo_restore (cr);
  return false;
}

void
_lab_plot_dot (cairo_t *cr, const LabPlotStyle *style, double x, double y, double radius,
               LabRgba color, double ring_width)
{
  cairo_arc (cr, x, y, radius, 0, 2 * M_PI);
  _lab_plot_set_color (cr, color);
  cairo_fill_preserve (cr);
  _lab_plot_set_color (cr, style->background);
  cairo_set_line_width (cr, ring_width);
  cairo_stroke (cr);
}

void
_lab_plot_rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r)
{
  if (r > w / 2)
    r = w / 2;
  if (r > h / 2)
    r = h / 2;
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc (cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path (cr);
}

void
_lab_plot_dash (cairo_t *cr, const LabPlotStyle *style, bool dashed)
{
  if (dashed)
    {
      double dashes[] = { 5.0 * style->line_scale, 3.5 * style->line_scale };
      cairo_set_dash (cr, dashes, 2, 0);
    }
  else
    cairo_set_dash (cr, NULL, 0, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Frames                                                                                    */

void
_lab_plot_pad_range (double *lo, double *hi, double share, bool log_axis)
{
  if (log_axis)
    {
      double a = log10 (*lo), b = log10 (*hi);
      if (b - a < 1e-9)
        {
          a -= 0.5;
          b += 0.5;
        }
      double pad = (b - a) * share;
      *lo = pow (10.0, a - pad);
      *hi = pow (10.0, b + pad);
      return;
    }
  if (*hi - *lo <= 1e-12 * fmax (1.0, fabs (*lo)))
    {
      double half = fabs (*lo) > 0.0 ? fabs (*lo) * 0.1 : 1.0;
      *lo -= half;
      *hi += half;
      return;
    }
  double pad = (*hi - *lo) * share;
  *lo -= pad;
  *hi += pad;
}

static int
axis_ticks (double lo, double hi, bool log_axis, bool integer, double pixels, double spacing,
            LabPlotTick *ticks, double *step)
{
  *step = 0.0;
  if (log_axis)
    return lab_plot_log_ticks (lo, hi, ticks, LAB_PLOT_MAX_TICKS);
  int target = (int) (pixels / spacing);
  if (target < 2)
    target = 2;
  if (target > 12)
    target = 12;
  int n = lab_plot_linear_ticks (lo, hi, target, ticks, LAB_PLOT_MAX_TICKS, step);
  if (integer && *step < 1.0)
    {
      /* Epochs and code sizes come in whole numbers: thin the ticks to integers. */
      int kept = 0;
      for (int i = 0; i < n; i++)
        if (fabs (ticks[i].value - round (ticks[i].value)) < 1e-9)
          ticks[kept++] = ticks[i];
      n = kept;
      *step = 1.0;
    }
  return n;
}

bool
_lab_plot_frame_layout (LabPlotFrame *frame, int width, int height, const LabPlotStyle *style,
                        const LabPlotFrameSpec *spec, double xmin, double xmax, double ymin,
                        double ymax)
{
  memset (frame, 0, sizeof *frame);
  frame->spec = *spec;
  frame->xmin = xmin;
  frame->xmax = xmax;
  frame->ymin = ymin;
  frame->ymax = ymax;
  frame->xlog = spec->xlog;
  frame->ylog = spec->ylog;

  double pad = outer_pad (style);
  double font = _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);
  double title_h = _lab_plot_title_height (style, spec->title);
  frame->title_y = pad;
  frame->title_width = width - 2 * pad;

  double top = pad + title_h + (title_h > 0 ? 0 : font * 0.6) + spec->extra_top;
  double bottom = height - pad - font * 1.6 - spec->extra_bottom;
  if (spec->x_label && spec->x_label[0])
    bottom -= _lab_plot_font_px (style, 1.0) * 1.6;

  /* The y ticks first: their labels decide the left margin. */
  frame->n_yticks = axis_ticks (ymin, ymax, spec->ylog, false, bottom - top, font * 3.2,
                                frame->yticks, &frame->ystep);
  cairo_t *measure = _lab_plot_measure_new ();
  _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_SMALL, false);
  double label_w = 0.0;
  for (int i = 0; i < frame->n_yticks; i++)
    {
      if (!frame->yticks[i].major)
        continue;
      char buf[32];
      lab_plot_format_tick (frame->yticks[i].value, frame->ystep, buf, sizeof buf);
      label_w = fmax (label_w, _lab_plot_text_width (measure, buf));
    }
  /* Room for the last x tick label, centred on the right edge. */
  double last_x_label_w = _lab_plot_text_width (measure, "0000");
  cairo_destroy (measure);

  double left = pad + fmax (label_w, spec->min_label_width) + font * 0.7;
  if (spec->y_label && spec->y_label[0])
    left += _lab_plot_font_px (style, 1.0) * 1.6;
  /* Whole steps of the margin: zooming changes the labels, and the plot area should not
   * jitter sideways with every digit. */
  double quantum = round (font * 1.5);
  left = ceil (left / quantum) * quantum;
  double right = width - pad - fmax (last_x_label_w / 2, pad) - spec->extra_right;

  frame->x0 = round (left);
  frame->x1 = round (right);
  frame->y0 = round (top);
  frame->y1 = round (bottom);
  if (frame->x1 - frame->x0 < 20 || frame->y1 - frame->y0 < 20)
    {
      _lab_plot_note_too_small ();
      return false;
    }
  frame->n_xticks = axis_ticks (xmin, xmax, spec->xlog, spec->x_integer_ticks,
                                frame->x1 - frame->x0, font * 7.0, frame->xticks, &frame->xstep);
  return true;
}

static double
axis_fraction (double v, double lo, double hi, bool log_axis)
{
  if (log_axis)
    return (log10 (v) - log10 (lo)) / (log10 (hi) - log10 (lo));
  return (v - lo) / (hi - lo);
}

static double
axis_value (double fraction, double lo, double hi, bool log_axis)
{
  if (log_axis)
    return pow (10.0, log10 (lo) + fraction * (log10 (hi) - log10 (lo)));
  return lo + fraction * (hi - lo);
}

double
_lab_plot_frame_px (const LabPlotFrame *frame, double x)
{
  return frame->x0 + axis_fraction (x, frame->xmin, frame->xmax, frame->xlog)
                       * (frame->x1 - frame->x0);
}

double
_lab_plot_frame_py (const LabPlotFrame *frame, double y)
{
  return frame->y1 - axis_fraction (y, frame->ymin, frame->ymax, frame->ylog)
                       * (frame->y1 - frame->y0);
}

double
_lab_plot_frame_x (const LabPlotFrame *frame, double px)
{
  return axis_value ((px - frame->x0) / (frame->x1 - frame->x0), frame->xmin, frame->xmax,
                     frame->xlog);
}

double
_lab_plot_frame_y (const LabPlotFrame *frame, double py)
{
  return axis_value ((frame->y1 - py) / (frame->y1 - frame->y0), frame->ymin, frame->ymax,
                     frame->ylog);
}

void
_lab_plot_frame_clip (cairo_t *cr, const LabPlotFrame *frame)
{
  cairo_save (cr);
  cairo_rectangle (cr, frame->x0, frame->y0 - 1, frame->x1 - frame->x0 + 1,
                   frame->y1 - frame->y0 + 2);
  cairo_clip (cr);
}

void
_lab_plot_frame_draw (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style)
{
  const LabPlotFrameSpec *spec = &frame->spec;
  double pad = outer_pad (style);
  double tick_len = 4.0 * style->line_scale;
  char buf[32];

  cairo_save (cr);
  _lab_plot_title (cr, style, pad, frame->title_y, frame->title_width, spec->title);

  /* Grid: solid for major ticks, fainter for minor ones. */
  cairo_set_line_width (cr, _lab_plot_line (style, LAB_PLOT_LINE_THIN));
  for (int pass = 0; pass < 2; pass++)
    {
      bool major = pass == 1;
      LabRgba c = style->grid;
      if (!major)
        c.a *= 0.5;
      _lab_plot_set_color (cr, c);
      for (int i = 0; i < frame->n_yticks; i++)
        if (frame->yticks[i].major == major)
          {
            double y = _lab_plot_snap (_lab_plot_frame_py (frame, frame->yticks[i].value));
            cairo_move_to (cr, frame->x0, y);
            cairo_line_to (cr, frame->x1, y);
          }
      for (int i = 0; i < frame->n_xticks; i++)
        if (frame->xticks[i].major == major)
          {
            double x = _lab_plot_snap (_lab_plot_frame_px (frame, frame->xticks[i].value));
            cairo_move_to (cr, x, frame->y0);
            cairo_line_to (cr, x, frame->y1);
          }
      cairo_stroke (cr);
    }

  /* Axes: left and bottom only, as in the window's wireframe. */
  LabRgba axis = style->muted;
  axis.a *= 0.8;
  _lab_plot_set_color (cr, axis);
  double ax = _lab_plot_snap (frame->x0);
  double ay = _lab_plot_snap (frame->y1);
  cairo_move_to (cr, ax, frame->y0);
  cairo_line_to (cr, ax, ay);
  cairo_line_to (cr, frame->x1, ay);
  for (int i = 0; i < frame->n_yticks; i++)
    {
      double y = _lab_plot_snap (_lab_plot_frame_py (frame, frame->yticks[i].value));
      cairo_move_to (cr, ax, y);
      cairo_line_to (cr, ax - (frame->yticks[i].major ? tick_len : tick_len / 2), y);
    }
  for (int i = 0; i < frame->n_xticks; i++)
    {
      double x = _lab_plot_snap (_lab_plot_frame_px (frame, frame->xticks[i].value));
      cairo_move_to (cr, x, ay);
      cairo_line_to (cr, x, ay + (frame->xticks[i].major ? tick_len : tick_len / 2));
    }
  cairo_stroke (cr);

  _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
  _lab_plot_set_color (cr, style->muted);
  for (int i = 0; i < frame->n_yticks; i++)
    if (frame->yticks[i].major)
      {
        lab_plot_format_tick (frame->yticks[i].value, frame->ystep, buf, sizeof buf);
        _lab_plot_text (cr, frame->x0 - tick_len - 3, _lab_plot_frame_py (frame,
                        frame->yticks[i].value), buf, 1.0, 0.5);
      }
  double label_top = frame->y1 + tick_len + 2;
  for (int i = 0; i < frame->n_xticks; i++)
    if (frame->xticks[i].major)
      {
        lab_plot_format_tick (frame->xticks[i].value, frame->xstep, buf, sizeof buf);
        _lab_plot_text (cr, _lab_plot_frame_px (frame, frame->xticks[i].value), label_top, buf,
                        0.5, 0.0);
      }

  _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_NORMAL, false);
  _lab_plot_set_color (cr, style->foreground);
  double font = _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);
  if (spec->x_label && spec->x_label[0])
    _lab_plot_text (cr, (frame->x0 + frame->x1) / 2, label_top + font * 1.6, spec->x_label, 0.5,
                    0.0);
  if (spec->y_label && spec->y_label[0])
    {
      /* centred on the plot area, it may reach as far above it as the x axis's labels
       * reach below it, and no further than the chart's top */
      double below = label_top + font * 2.8 - frame->y1;
      double room = frame->y1 - frame->y0 + 2.0 * fmin (below, frame->y0);
      cairo_save (cr);
      cairo_translate (cr, pad, (frame->y0 + frame->y1) / 2);
      cairo_rotate (cr, -M_PI / 2);
      _lab_plot_text_fitted (cr, 0, 0, spec->y_label, 0.5, 0.0, room);
      cairo_restore (cr);
    }
  cairo_restore (cr);
}

/* ---------------------------------------------------------------------------------------- */
/* Legend and readout                                                                        */

static void
draw_box (cairo_t *cr, const LabPlotStyle *style, double x, double y, double w, double h)
{
  LabRgba fill = style->background;
  fill.a = 0.88;
  _lab_plot_rounded_rect (cr, x + 0.5, y + 0.5, w, h, 4.0);
  _lab_plot_set_color (cr, fill);
  cairo_fill_preserve (cr);
  _lab_plot_set_color (cr, style->grid);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
}

/* A legend's spacing, in pixels, from the style's small font. */
typedef struct {
  double font, row, swatch, gap, inner, margin;
} LegendMetrics;

static LegendMetrics
legend_metrics (const LabPlotStyle *style)
{
  double font = _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);
  return (LegendMetrics){ font, round (font * 1.5), round (font * 1.8), round (font * 0.5),
                          round (font * 0.6), round (font * 0.8) };
}

double
_lab_plot_legend_row_height (const LabPlotStyle *style)
{
  LegendMetrics m = legend_metrics (style);
  return m.row + m.inner;
}

/* Each entry of a row legend: its swatch, the gap, its text, then room before the next. */
static double
legend_row_entry_width (const LegendMetrics *m, double text_w)
{
  return m->swatch + m->gap + text_w + m->font * 1.2;
}

void
_lab_plot_legend_box (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style,
                      LabPlotLegend corner, const LabLegendEntry *entries, int n, double box[4])
{
  LegendMetrics m = legend_metrics (style);
  cairo_save (cr);
  _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
  double text_w = 0.0, row_w = 0.0;
  for (int i = 0; i < n; i++)
    {
      double w = _lab_plot_text_width (cr, entries[i].text);
      text_w = fmax (text_w, w);
      row_w += legend_row_entry_width (&m, w);
    }
  cairo_restore (cr);
  if (corner == LAB_PLOT_LEGEND_ABOVE)
    {
      row_w = round (row_w - m.font * 1.2);
      box[0] = fmax (frame->x0, frame->x1 - row_w);
      box[1] = frame->y0 - _lab_plot_legend_row_height (style);
      box[2] = row_w;
      box[3] = m.row;
      return;
    }
  double font = m.font, row = m.row, inner = m.inner, margin = m.margin;
  double w = round (inner * 2 + m.swatch + m.gap + text_w);
  double h = round (inner * 2 + row * n - (row - font * 1.2));
  bool right = corner != LAB_PLOT_LEGEND_TOP_LEFT && corner != LAB_PLOT_LEGEND_BOTTOM_LEFT;
  bool top = corner != LAB_PLOT_LEGEND_BOTTOM_RIGHT && corner != LAB_PLOT_LEGEND_BOTTOM_LEFT;
  box[0] = right ? frame->x1 - margin - w : frame->x0 + margin;
  box[1] = top ? frame->y0 + margin : frame->y1 - margin - h;
  if (corner == LAB_PLOT_LEGEND_OUTSIDE_RIGHT)
    {
      box[0] = frame->x1 + margin;
      box[1] = frame->y0;
    }
  box[2] = w;
  box[3] = h;
}

void
_lab_plot_legend (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style,
                  LabPlotLegend corner, const LabLegendEntry *entries, int n)
{
  if (n <= 0 || corner == LAB_PLOT_LEGEND_NONE)
    return;
  double box[4];
  _lab_plot_legend_box (cr, frame, style, corner, entries, n, box);
  LegendMetrics m = legend_metrics (style);
  double font = m.font, row = m.row, swatch = m.swatch, gap = m.gap, inner = m.inner;
  bool in_row = corner == LAB_PLOT_LEGEND_ABOVE;
  cairo_save (cr);
  _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
  double x = box[0], y = box[1];
  if (!in_row)
    draw_box (cr, style, x, y, box[2], box[3]);

  double row_x = x;
  for (int i = 0; i < n; i++)
    {
      double cy = in_row ? y + row / 2 : y + inner + i * row + font * 0.6;
      double sx = in_row ? row_x : x + inner;
      if (in_row)
        row_x += legend_row_entry_width (&m, _lab_plot_text_width (cr, entries[i].text));
      _lab_plot_set_color (cr, entries[i].color);
      switch (entries[i].kind)
        {
        case LAB_LEGEND_LINE:
        case LAB_LEGEND_DASHED:
          cairo_set_line_width (cr, _lab_plot_line (style, LAB_PLOT_LINE_CURVE));
          _lab_plot_dash (cr, style, entries[i].kind == LAB_LEGEND_DASHED);
          cairo_move_to (cr, sx, round (cy) + 0.0);
          cairo_line_to (cr, sx + swatch, round (cy));
          cairo_stroke (cr);
          _lab_plot_dash (cr, style, false);
          break;
        case LAB_LEGEND_BOX:
          _lab_plot_rounded_rect (cr, sx + swatch / 2 - font * 0.45, cy - font * 0.45,
                                  font * 0.9, font * 0.9, 2.0);
          cairo_fill (cr);
          break;
        case LAB_LEGEND_DOT:
          cairo_arc (cr, sx + swatch / 2, cy, font * 0.38, 0, 2 * M_PI);
          cairo_fill (cr);
          break;
        }
      _lab_plot_set_color (cr, style->foreground);
      _lab_plot_text (cr, sx + swatch + gap, cy, entries[i].text, 0.0, 0.5);
    }
  cairo_restore (cr);
}

void
_lab_plot_readout (cairo_t *cr, const LabPlotFrame *frame, const LabPlotStyle *style, double x,
                   double y, const char *const *lines, const LabRgba *colors, int n)
{
  if (n <= 0)
    return;
  cairo_save (cr);
  _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
  double font = _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);
  double row = round (font * 1.45);
  double inner = round (font * 0.55);
  double dot = colors ? font : 0.0;
  double text_w = 0.0;
  for (int i = 0; i < n; i++)
    text_w = fmax (text_w, _lab_plot_text_width (cr, lines[i]));
  double w = round (inner * 2 + dot + text_w);
  double h = round (inner * 2 + row * n - (row - font * 1.2));
  double bx = x + 12;
  if (bx + w > frame->x1)
    bx = x - 12 - w;
  if (bx < frame->x0)
    bx = frame->x0;
  double by = y - h / 2;
  if (by < frame->y0)
    by = frame->y0;
  if (by + h > frame->y1)
    by = frame->y1 - h;
  bx = round (bx);
  by = round (by);
  draw_box (cr, style, bx, by, w, h);
  for (int i = 0; i < n; i++)
    {
      double cy = by + inner + i * row + font * 0.6;
      if (colors && colors[i].a > 0)
        {
          _lab_plot_set_color (cr, colors[i]);
          cairo_arc (cr, bx + inner + font * 0.35, cy, font * 0.3, 0, 2 * M_PI);
          cairo_fill (cr);
        }
      _lab_plot_set_color (cr, style->foreground);
      _lab_plot_text (cr, bx + inner + dot, cy, lines[i], 0.0, 0.5);
    }
  cairo_restore (cr);
}

/* ---------------------------------------------------------------------------------------- */
/* Export                                                                                    */

typedef enum { EXPORT_NONE, EXPORT_PNG, EXPORT_SVG, EXPORT_PDF } ExportFormat;

static ExportFormat
export_format (const char *path)
{
  const char *dot = strrchr (path, '.');
  if (dot == NULL || strchr (dot, '/') != NULL)
    return EXPORT_NONE;
  if (strcasecmp (dot, ".png") == 0)
    return EXPORT_PNG;
  if (strcasecmp (dot, ".svg") == 0)
    return EXPORT_SVG;
  if (strcasecmp (dot, ".pdf") == 0)
    return EXPORT_PDF;
  return EXPORT_NONE;
}

cairo_status_t
lab_plot_export (const char *path, int width, int height, LabPlotDrawFunc draw, const void *data,
                 const LabPlotStyle *style)
{
  if (path == NULL || draw == NULL || style == NULL || width <= 0 || height <= 0
      || width > 32767 || height > 32767)
    return CAIRO_STATUS_INVALID_SIZE;
  ExportFormat format = export_format (path);
  if (format == EXPORT_NONE)
    return CAIRO_STATUS_INVALID_FORMAT;

  /* An exported picture stands alone: it always gets its own background. */
  LabPlotStyle opaque = *style;
  opaque.fill_background = true;
  if (opaque.background.a <= 0.0)
    opaque.background.a = 1.0;

  cairo_surface_t *surface;
  if (format == EXPORT_PNG)
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  else if (format == EXPORT_SVG)
    surface = cairo_svg_surface_create (path, width, height);
  else
    surface = cairo_pdf_surface_create (path, width, height);
  cairo_status_t status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    {
      cairo_t *cr = cairo_create (surface);
      draw (cr, width, height, data, &opaque);
      status = cairo_status (cr);
      cairo_destroy (cr);
      if (status == CAIRO_STATUS_SUCCESS && format == EXPORT_PNG)
        status = cairo_surface_write_to_png (surface, path);
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  return status;
}
