/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plot-images.c: grids of small grey images and error maps: the preview rows (input,
 * reconstruction, |error|), one big image, an interpolation strip, a grid of samples.
 * A one-column "image" is a time series (its rows are the steps): it is drawn as a small
 * line plot, so every view that shows samples shows sequences too. */
#include "lab-plot-private.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IMAGE_SIDE 4096
#define SERIES_ASPECT 2.0 /* width over height of a cell that shows a time series */

typedef struct {
  double label_x;        /* left of the row labels */
  double x0, y0;         /* top left of the first image */
  double cell_w, cell_h; /* one image on screen */
  double gap;            /* between images of a line */
  double line_h;         /* from one line of images to the next (with its caption) */
  double caption_h;
  double row_gap;        /* extra space between rows */
  int columns;
  int shown;             /* images drawn of each row, the first ones (0: all) */
} GridLayout;

/* How many of the row's images are drawn: the first shown (0: all). */
static int
row_shown (const LabImageRow *row, int shown)
{
  return shown > 0 && shown < row->n_images ? shown : row->n_images;
}

static int
row_lines (const LabImageRow *row, int columns, int shown)
{
  int n = row_shown (row, shown) > 0 ? row_shown (row, shown) : 1;
  return (n + columns - 1) / columns;
}

static bool
is_series (const LabImageGridData *data)
{
  return data->image_width == 1 && data->image_height > 1;
}

static bool
grid_has_images (const LabImageGridData *data)
{
  if (data == NULL || data->rows == NULL || data->n_rows <= 0 || data->image_width <= 0
      || data->image_height <= 0 || data->image_width > MAX_IMAGE_SIDE
      || data->image_height > MAX_IMAGE_SIDE)
    return false;
  for (int r = 0; r < data->n_rows; r++)
    if (data->rows[r].pixels && data->rows[r].n_images > 0)
      return true;
  return false;
}

/* The image height that columns images a line give, in avail_w x avail_h (label_h above
 * and caption_h below each line), shown images of each row drawn (0: all); sets *lines and
 * *row_gap. */
static double
cell_height_for (const LabImageGridData *data, int columns, int shown, double avail_w,
                 double avail_h, double gap, double label_h, double caption_h, int *lines,
                 double *row_gap)
{
  double aspect = is_series (data) ? SERIES_ASPECT : (double) data->image_width / data->image_height;

  *lines = 0;
  for (int r = 0; r < data->n_rows; r++)
    *lines += row_lines (&data->rows[r], columns, shown);
  *row_gap = data->n_rows > 1 && columns < row_shown (&data->rows[0], shown) ? gap * 1.5 : 0.0;
  double h_by_width = (avail_w - (columns - 1) * gap) / (columns * aspect);
  double h_by_height = (avail_h - (*lines - 1) * gap - *lines * (caption_h + label_h)
                        - (data->n_rows - 1) * *row_gap) / *lines;
  return fmin (h_by_width, h_by_height);
}

static bool
grid_layout (GridLayout *layout, int width, int height, const LabImageGridData *data,
             const LabPlotStyle *style)
{
  memset (layout, 0, sizeof *layout);
  if (!grid_has_images (data))
    return false;
  double pad = round (_lab_plot_font_px (style, 1.0) * 0.9);
  double font = _lab_plot_font_px (style, LAB_PLOT_TEXT_NORMAL);
  double small = _lab_plot_font_px (style, LAB_PLOT_TEXT_SMALL);

  int columns = data->columns;
  if (columns <= 0)
    for (int r = 0; r < data->n_rows; r++)
      columns = data->rows[r].n_images > columns ? data->rows[r].n_images : columns;
  if (columns <= 0)
    columns = 1;

  /* captions may hold several lines ("PSNR 20.1 dB\nSSIM 0.71") */
  int caption_lines = 0;
  for (int r = 0; r < data->n_rows; r++)
    for (int i = 0; data->rows[r].captions && i < data->rows[r].n_images; i++)
      if (data->rows[r].captions[i])
        {
          int n = 1;
          for (const char *c = data->rows[r].captions[i]; *c; c++)
            n += *c == '\n';
          caption_lines = n > caption_lines ? n : caption_lines;
        }

  /* the widest row label, and the widest text an image carries (its label and caption) */
  cairo_t *measure = _lab_plot_measure_new ();
  _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_NORMAL, false);
  double label_w = 0.0, text_w = 0.0;
  for (int r = 0; r < data->n_rows; r++)
    if (data->rows[r].label && data->rows[r].label[0])
      label_w = fmax (label_w, _lab_plot_text_width (measure, data->rows[r].label));
  if (data->column_labels)
    for (int i = 0; i < data->rows[0].n_images; i++)
      if (data->column_labels[i])
        text_w = fmax (text_w, _lab_plot_text_width (measure, data->column_labels[i]));
  _lab_plot_set_font (measure, style, LAB_PLOT_TEXT_SMALL, false);
  for (int r = 0; r < data->n_rows; r++)
    for (int i = 0; data->rows[r].captions && i < data->rows[r].n_images; i++)
      if (data->rows[r].captions[i])
        text_w = fmax (text_w, _lab_plot_text_width (measure, data->rows[r].captions[i]));
  cairo_destroy (measure);

  double top = pad + _lab_plot_title_height (style, data->title);
  double label_h = data->column_labels ? round (font * 1.6) : 0.0;
  layout->label_x = pad;
  double left = pad + (label_w > 0 ? label_w + font * 1.2 : 0.0);
  layout->caption_h = caption_lines > 0 ? round (small * (1.5 + 1.25 * (caption_lines - 1))) : 0.0;

  double avail_w = width - pad - left;
  double avail_h = height - pad - top;
  double aspect = is_series (data) ? SERIES_ASPECT : (double) data->image_width / data->image_height;
  /* Gaps scale with the images but stay within a few pixels: dense, yet separate. */
  double gap = 6.0;
  int lines;
  double row_gap;
  double cell_h = cell_height_for (data, columns, 0, avail_w, avail_h, gap, label_h,
                                   layout->caption_h, &lines, &row_gap);
  /* Rows whose first images say enough (the worst reconstructions, worst first) show fewer
   * when that makes them clearly larger: five large ones on a projector's narrow panel
   * rather than eight small ones. */
  for (int fewer = columns - 1; fewer >= data->min_columns && data->min_columns > 0; fewer--)
    {
      int fewer_lines;
      double fewer_gap, h = cell_height_for (data, fewer, fewer, avail_w, avail_h, gap, label_h,
                                             layout->caption_h, &fewer_lines, &fewer_gap);
      if (h > cell_h * 1.15)
        {
          columns = layout->shown = fewer;
          cell_h = h;
          lines = fewer_lines;
          row_gap = fewer_gap;
        }
    }
  /* Labelled images (one row, as the Denoise view's panels) wrap onto more lines when their
   * labels and captions would overlap side by side and the wrapped images come out larger
   * (a tall panel, or presentation mode's larger text). */
  if (data->column_labels && data->n_rows == 1)
    for (int fewer = columns - 1; fewer >= 1 && cell_h * aspect + gap < text_w + font * 0.5; fewer--)
      {
        int fewer_lines;
        double fewer_gap, h = cell_height_for (data, fewer, 0, avail_w, avail_h, gap, label_h,
                                               layout->caption_h, &fewer_lines, &fewer_gap);
        if (floor (h * aspect) + gap >= text_w + font * 0.5 || h > cell_h)
          {
            columns = fewer;
            cell_h = h;
            lines = fewer_lines;
            row_gap = fewer_gap;
          }
      }
  layout->columns = columns;
  if (cell_h < 2.0)
    {
      _lab_plot_note_too_small ();
      return false;
    }
  /* Whole screen pixels per image pixel keep nearest-neighbour blocks even, when that
   * costs at most a quarter of the size. */
  double k = cell_h / data->image_height;
  if (!is_series (data) && k >= 1.0 && floor (k) >= 0.75 * k)
    cell_h = floor (k) * data->image_height;
  cell_h = floor (cell_h);
  layout->cell_h = cell_h;
  layout->cell_w = floor (cell_h * aspect);
  layout->gap = gap;
  layout->row_gap = row_gap;
  layout->line_h = label_h + cell_h + layout->caption_h + gap;
  layout->x0 = round (left);
  layout->y0 = round (top + label_h);
  return true;
}

static double
line_top (const GridLayout *layout, int line, int row)
{
  return layout->y0 + line * layout->line_h + row * layout->row_gap;
}

/* Pixel (x, y) of an image as cairo's RGB24; NaN pixels become the low end. */
static uint32_t
image_pixel (const float *pixels, int w, int h, int x, int y, LabImageColormap colormap,
             double vmax)
{
  double v = pixels[(size_t) y * w + x];
  if (!_lab_plot_finite (v))
    v = 0.0;
  unsigned r, g, b;
  if (colormap == LAB_IMAGE_RGB)
    {
      unsigned rgb[3];
      for (int c = 0; c < 3; c++)
        {
          double u = pixels[((size_t) c * h + y) * w + x];
          u = _lab_plot_finite (u) ? fmax (0.0, fmin (1.0, u)) : 0.0;
          rgb[c] = (unsigned) lround (u * 255);
        }
      r = rgb[0], g = rgb[1], b = rgb[2];
    }
  else if (colormap == LAB_IMAGE_HEAT)
    {
      LabRgba c = lab_plot_colormap_inferno (fabs (v) / vmax);
      r = (unsigned) lround (c.r * 255);
      g = (unsigned) lround (c.g * 255);
      b = (unsigned) lround (c.b * 255);
    }
  else if (colormap == LAB_IMAGE_DIVERGING)
    {
      /* ColorBrewer RdBu ends through white, so that a zero weight reads as nothing */
      double t = fmax (-1.0, fmin (1.0, v / vmax));
      double er = t < 0 ? 0.129 : 0.698, eg = t < 0 ? 0.400 : 0.094, eb = t < 0 ? 0.675 : 0.169;
      double a = fabs (t);
      r = (unsigned) lround ((1.0 + a * (er - 1.0)) * 255);
      g = (unsigned) lround ((1.0 + a * (eg - 1.0)) * 255);
      b = (unsigned) lround ((1.0 + a * (eb - 1.0)) * 255);
    }
  else
    {
      v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
      r = g = b = (unsigned) lround (v * 255);
    }
  return 0xff000000u | (r << 16) | (g << 8) | b;
}

/* One image (w x h) as an RGB surface of out_w x out_h pixels, each the image pixel under
 * its centre (nearest neighbour, as cairo scales it): at the image's own resolution, or
 * already scaled to a cell, which reads only the pixels the cell shows. */
static cairo_surface_t *
image_surface (const float *pixels, int w, int h, LabImageColormap colormap, double vmax,
               int out_w, int out_h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, out_w, out_h);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  unsigned char *bytes = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  for (int oy = 0; oy < out_h; oy++)
    {
      uint32_t *out = (uint32_t *) (void *) (bytes + (size_t) oy * stride);
      int y = out_h == h ? oy : (int) fmin (h - 1, floor ((oy + 0.5) * h / out_h));
      for (int ox = 0; ox < out_w; ox++)
        {
          int x = out_w == w ? ox : (int) fmin (w - 1, floor ((ox + 0.5) * w / out_w));
          out[ox] = image_pixel (pixels, w, h, x, y, colormap, vmax);
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* --- the cache of scaled images ------------------------------------------------------------ */

typedef struct {
  const float *pixels;
  int image_w, image_h, w, h;
  LabImageColormap colormap;
  float row_vmax;
  unsigned long version;
  cairo_surface_t *surface;
} CacheEntry;

struct LabImageCache {
  CacheEntry *entries;
  int n_entries;
  int scale;
  unsigned long builds;
};

LabImageCache *
lab_image_cache_new (void)
{
  LabImageCache *cache = calloc (1, sizeof *cache);
  if (cache)
    cache->scale = 1;
  return cache;
}

void
lab_image_cache_free (LabImageCache *cache)
{
  if (cache == NULL)
    return;
  for (int i = 0; i < cache->n_entries; i++)
    if (cache->entries[i].surface)
      cairo_surface_destroy (cache->entries[i].surface);
  free (cache->entries);
  free (cache);
}

void
lab_image_cache_set_scale (LabImageCache *cache, int scale)
{
  if (cache)
    cache->scale = scale >= 1 ? scale : 1;
}

unsigned long
lab_image_cache_get_builds (const LabImageCache *cache)
{
  return cache ? cache->builds : 0;
}

/* Entry `slot` of the cache (grown as needed), or NULL when out of memory. */
static CacheEntry *
cache_entry (LabImageCache *cache, int slot)
{
  if (slot >= cache->n_entries)
    {
      int n = slot + 8;
      CacheEntry *grown = realloc (cache->entries, sizeof *grown * (size_t) n);
      if (grown == NULL)
        return NULL;
      memset (grown + cache->n_entries, 0, sizeof *grown * (size_t) (n - cache->n_entries));
      cache->entries = grown;
      cache->n_entries = n;
    }
  return &cache->entries[slot];
}

static double
row_vmax (const LabImageRow *row, size_t n_pixels)
{
  if (row->vmax > 0.0f)
    return row->vmax;
  double vmax = 0.0;
  for (size_t i = 0; i < n_pixels; i++)
    if (_lab_plot_finite (row->pixels[i]))
      vmax = fmax (vmax, fabs (row->pixels[i]));
  return vmax > 0.0 ? vmax : 1.0;
}

/* The values a row of time series spans, 0..1 at least for grey rows (values in [0, 1]
 * compare between cells), 0..vmax for error maps and -vmax..vmax for signed ones. */
static void
series_range (const LabImageRow *row, size_t n_values, double vmax, double *lo, double *hi)
{
  if (row->colormap == LAB_IMAGE_HEAT || row->colormap == LAB_IMAGE_DIVERGING)
    {
      *lo = row->colormap == LAB_IMAGE_HEAT ? 0.0 : -vmax;
      *hi = vmax;
      return;
    }
  *lo = 0.0;
  *hi = 1.0;
  for (size_t i = 0; i < n_values; i++)
    if (_lab_plot_finite (row->pixels[i]))
      {
        *lo = fmin (*lo, row->pixels[i]);
        *hi = fmax (*hi, row->pixels[i]);
      }
}

static void
draw_series (cairo_t *cr, const float *values, int n, double lo, double hi, double x, double y,
             double w, double h, const LabPlotStyle *style)
{
  double margin = fmax (2.0, h * 0.08);
  double scale = (h - 2 * margin) / (hi - lo);
  bool pen_down = false;

  _lab_plot_set_color (cr, style->palette[0]);
  cairo_set_line_width (cr, _lab_plot_line (style, 1.5));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (int t = 0; t < n; t++)
    {
      if (!_lab_plot_finite (values[t]))
        {
          pen_down = false;
          continue;
        }
      double px = x + margin + (w - 2 * margin) * t / (n - 1);
      double py = y + h - margin - (values[t] - lo) * scale;
      _lab_plot_trace_to (cr, px, py, &pen_down);
    }
  cairo_stroke (cr);
}

/* Whether cr draws on a vector surface (SVG, PDF, PostScript): it gets the images at their
 * own resolution, not scaled for a screen. */
static bool
is_vector_target (cairo_t *cr)
{
  cairo_surface_type_t type = cairo_surface_get_type (cairo_get_target (cr));
  return type == CAIRO_SURFACE_TYPE_PDF || type == CAIRO_SURFACE_TYPE_SVG
         || type == CAIRO_SURFACE_TYPE_PS;
}

/* The surface to paint for an image in a w x h cell, and its size in *pw, *ph: from the
 * grid's cache when it has one (rebuilt only when something it was made from changed), else
 * made now at the image's own resolution. *vmax is the row's colour scale top, found on
 * first need. */
static cairo_surface_t *
cell_surface (cairo_t *cr, const LabImageGridData *data, const LabImageRow *row,
              const float *pixels, int slot, double *vmax, double w, double h, int *pw, int *ph)
{
  int iw = data->image_width, ih = data->image_height;
  CacheEntry *entry = data->cache && !is_vector_target (cr) ? cache_entry (data->cache, slot) : NULL;

  if (*vmax < 0.0)
    *vmax = row->colormap == LAB_IMAGE_HEAT || row->colormap == LAB_IMAGE_DIVERGING
              ? row_vmax (row, (size_t) iw * ih * row->n_images) : 1.0;
  if (entry == NULL)
    {
      *pw = iw;
      *ph = ih;
      return image_surface (pixels, iw, ih, row->colormap, *vmax, iw, ih);
    }
  /* device pixels: the screen's scale, and an export's own scaling */
  double dx = w, dy = h;
  cairo_user_to_device_distance (cr, &dx, &dy);
  double k = data->cache->scale * fmax (1.0, fmax (fabs (dx) / w, fabs (dy) / h));
  *pw = (int) ceil (w * k - 1e-6);
  *ph = (int) ceil (h * k - 1e-6);
  if (entry->surface == NULL || entry->pixels != pixels || entry->image_w != iw
      || entry->image_h != ih || entry->w != *pw || entry->h != *ph
      || entry->colormap != row->colormap || entry->row_vmax != row->vmax
      || entry->version != data->version)
    {
      if (entry->surface)
        cairo_surface_destroy (entry->surface);
      *entry = (CacheEntry) { .pixels = pixels, .image_w = iw, .image_h = ih, .w = *pw, .h = *ph,
                              .colormap = row->colormap, .row_vmax = row->vmax,
                              .version = data->version };
      entry->surface = image_surface (pixels, iw, ih, row->colormap, *vmax, *pw, *ph);
      data->cache->builds++;
    }
  return cairo_surface_reference (entry->surface);
}

/* slot: the image's place in the grid's cache; vmax: the colour scale's top, < 0 until
 * known; lo, hi: the value range of a time series' cell */
static void
draw_image (cairo_t *cr, const LabImageGridData *data, const LabImageRow *row, int index,
            int slot, double *vmax, double lo, double hi, double x, double y, double w, double h,
            double radius, const LabPlotStyle *style)
{
  size_t size = (size_t) data->image_width * data->image_height;
  if (row->colormap == LAB_IMAGE_RGB)
    size *= 3;
  if (is_series (data))
    {
      draw_series (cr, row->pixels + size * index, data->image_height, lo, hi, x, y, w, h, style);
    }
  else
    {
      int pw, ph;
      cairo_surface_t *surface = cell_surface (cr, data, row, row->pixels + size * index, slot,
                                               vmax, w, h, &pw, &ph);
      cairo_save (cr);
      _lab_plot_rounded_rect (cr, x, y, w, h, radius);
      cairo_clip (cr);
      cairo_translate (cr, x, y);
      cairo_scale (cr, w / pw, h / ph);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (surface);
    }

  LabRgba border = style->dark ? style->muted : style->grid;
  border.a = style->dark ? 0.35 : 1.0;
  _lab_plot_rounded_rect (cr, x + 0.5, y + 0.5, w - 1, h - 1, radius);
  _lab_plot_set_color (cr, border);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
}

size_t
lab_plot_images_row_size (int n, int channels, int pixels)
{
  return (size_t) n * (size_t) (channels == 3 ? 3 : 1) * (size_t) pixels;
}

LabImageColormap
lab_plot_images_as_row (float *out, const float *samples, int n, int channels, int pixels)
{
  if (channels == 3)
    {
      memcpy (out, samples, lab_plot_images_row_size (n, channels, pixels) * sizeof (float));
      return LAB_IMAGE_RGB;
    }
  for (int i = 0; i < n; i++)
    for (int p = 0; p < pixels; p++)
      {
        float sum = 0.0f;
        for (int c = 0; c < channels; c++)
          sum += samples[((size_t) i * channels + c) * pixels + p];
        out[(size_t) i * pixels + p] = sum / channels;
      }
  return LAB_IMAGE_GREY;
}

void
lab_plot_image_grid_draw (cairo_t *cr, int width, int height, const LabImageGridData *data,
                          const LabPlotStyle *style)
{
  cairo_save (cr);
  _lab_plot_begin (cr, width, height, style);
  GridLayout layout;
  if (!grid_layout (&layout, width, height, data, style))
    {
      _lab_plot_empty (cr, width, height, style, data ? data->title : NULL,
                       data ? data->empty_text : NULL);
      cairo_restore (cr);
      return;
    }
  double pad = round (_lab_plot_font_px (style, 1.0) * 0.9);
  _lab_plot_title (cr, style, pad, pad, width - 2 * pad, data->title);
  double radius = fmin (6.0, fmax (2.0, layout.cell_h * 0.06));

  /* above each of the first row's images (one line of them: column headings) */
  if (data->column_labels)
    {
      _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_NORMAL, false);
      _lab_plot_set_color (cr, style->foreground);
      for (int i = 0; i < data->rows[0].n_images; i++)
        if (data->column_labels[i])
          _lab_plot_text (cr, layout.x0 + (i % layout.columns) * (layout.cell_w + layout.gap)
                                + layout.cell_w / 2,
                          line_top (&layout, i / layout.columns, 0) - 4, data->column_labels[i],
                          0.5, 1.0);
    }

  int line = 0, slot = 0;
  for (int r = 0; r < data->n_rows; r++)
    {
      const LabImageRow *row = &data->rows[r];
      double top = line_top (&layout, line, r);
      if (row->label && row->label[0])
        {
          _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_NORMAL, false);
          _lab_plot_set_color (cr, style->muted);
          _lab_plot_text (cr, layout.label_x, top + layout.cell_h / 2, row->label, 0.0, 0.5);
        }
      int shown = row_shown (row, layout.shown);
      if (row->pixels == NULL || row->n_images <= 0)
        {
          line += row_lines (row, layout.columns, layout.shown);
          continue;
        }
      /* captions wider than an image's place would run into their neighbours' ("class
       * 8class 5"): a row whose captions do not all fit shows none */
      bool captions_fit = row->captions != NULL;
      _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
      for (int i = 0; captions_fit && i < shown; i++)
        captions_fit = row->captions[i] == NULL
                       || _lab_plot_text_width (cr, row->captions[i]) <= layout.cell_w + layout.gap - 2;
      size_t n_pixels = (size_t) data->image_width * data->image_height * row->n_images;
      /* the colour scale of a row of images is found when an image is made of it */
      double vmax = -1.0;
      double lo = 0.0, hi = 1.0;
      if (is_series (data))
        {
          vmax = row->colormap == LAB_IMAGE_HEAT || row->colormap == LAB_IMAGE_DIVERGING
                   ? row_vmax (row, n_pixels) : 1.0;
          series_range (row, n_pixels, vmax, &lo, &hi);
        }
      for (int i = 0; i < shown; i++)
        {
          double x = layout.x0 + (i % layout.columns) * (layout.cell_w + layout.gap);
          double y = line_top (&layout, line + i / layout.columns, r);
          draw_image (cr, data, row, i, slot++, &vmax, lo, hi, x, y, layout.cell_w,
                      layout.cell_h, radius, style);
          if (r == data->highlight_row && i == data->highlight_index)
            {
              _lab_plot_rounded_rect (cr, x - 1.5, y - 1.5, layout.cell_w + 3,
                                      layout.cell_h + 3, radius + 1);
              _lab_plot_set_color (cr, style->accent);
              cairo_set_line_width (cr, 2.0 * style->line_scale);
              cairo_stroke (cr);
            }
          if (captions_fit && row->captions[i])
            {
              _lab_plot_set_font (cr, style, LAB_PLOT_TEXT_SMALL, false);
              _lab_plot_set_color (cr, style->muted);
              _lab_plot_text (cr, x + layout.cell_w / 2, y + layout.cell_h + 3, row->captions[i],
                              0.5, 0.0);
            }
        }
      line += row_lines (row, layout.columns, layout.shown);
    }
  cairo_restore (cr);
}

void
lab_plot_image_grid_draw_func (cairo_t *cr, int width, int height, const void *data,
                               const LabPlotStyle *style)
{
  lab_plot_image_grid_draw (cr, width, height, data, style);
}

bool
lab_plot_image_grid_locate (int width, int height, const LabImageGridData *data,
                            const LabPlotStyle *style, double px, double py, int *row,
                            int *index, double *image_x, double *image_y)
{
  GridLayout layout;
  if (!grid_layout (&layout, width, height, data, style))
    return false;
  int line = 0;
  for (int r = 0; r < data->n_rows; r++)
    {
      const LabImageRow *image_row = &data->rows[r];
      for (int i = 0; i < row_shown (image_row, layout.shown); i++)
        {
          double x = layout.x0 + (i % layout.columns) * (layout.cell_w + layout.gap);
          double y = line_top (&layout, line + i / layout.columns, r);
          if (px < x || px >= x + layout.cell_w || py < y || py >= y + layout.cell_h)
            continue;
          if (row)
            *row = r;
          if (index)
            *index = i;
          if (image_x)
            *image_x = (px - x) / layout.cell_w * data->image_width;
          if (image_y)
            *image_y = (py - y) / layout.cell_h * data->image_height;
          return true;
        }
      line += row_lines (image_row, layout.columns, layout.shown);
    }
  return false;
}
