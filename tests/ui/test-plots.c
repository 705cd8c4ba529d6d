/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-plots.c: every pure-Cairo plot rendered with realistic data to an image surface,
 * checked for ink in the right places, NaN tolerance, empty states, ticks, hit-tests and
 * export. The pictures are also written to the build folder (light and dark) for a look:
 *   ./test-plots --output DIR   (default: the current folder)
 */
#include "ae-test.h"
#include "lab-plot.h"
#include "lab-plot-private.h"
#include "test-plots-util.h"

#include <pango/pangocairo.h>
#include <stdlib.h>

#define W 720
#define H 420

static const char *output_dir = ".";

/* Renders with both styles, writes both PNGs, and returns the light surface (caller frees). */
static cairo_surface_t *
render (const char *name, LabPlotDrawFunc draw, const void *data, int w, int h)
{
  cairo_surface_t *light = NULL;
  for (int dark = 0; dark < 2; dark++)
    {
      LabPlotStyle style;
      if (dark)
        lab_plot_style_init_dark (&style);
      else
        lab_plot_style_init_light (&style);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
      cairo_t *cr = cairo_create (surface);
      draw (cr, w, h, data, &style);
      CHECK (cairo_status (cr) == CAIRO_STATUS_SUCCESS, "%s: cairo status %s", name,
             cairo_status_to_string (cairo_status (cr)));
      cairo_destroy (cr);
      char path[1024];
      snprintf (path, sizeof path, "%s/plot-%s-%s.png", output_dir, name, dark ? "dark" : "light");
      CHECK (cairo_surface_write_to_png (surface, path) == CAIRO_STATUS_SUCCESS, "%s", path);
      if (dark)
        {
          CHECK (w * h < 10000 || test_distinct_colors (surface) > 8, "%s dark: %d colours", name,
                 test_distinct_colors (surface));
          cairo_surface_destroy (surface);
        }
      else
        light = surface;
    }
  return light;
}

/* Mean row of the pixels close to `color` in columns [x0, x1); -1 when there are none. */
static double
mean_row_of_color (cairo_surface_t *surface, LabRgba color, int x0, int x1, int *count)
{
  int h = cairo_image_surface_get_height (surface);
  double sum = 0.0;
  int n = 0;
  for (int y = 0; y < h; y++)
    for (int x = x0; x < x1; x++)
      if (test_color_near (test_pixel (surface, x, y), color.r, color.g, color.b, 12))
        {
          sum += y;
          n++;
        }
  if (count)
    *count = n;
  return n ? sum / n : -1.0;
}

static int
count_color (cairo_surface_t *surface, LabRgba color, int tolerance)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  int n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      n += test_color_near (test_pixel (surface, x, y), color.r, color.g, color.b, tolerance);
  return n;
}

static LabRgba
light_color (int index)
{
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  return lab_plot_style_color (&style, index);
}

/* ---------------------------------------------------------------------------------------- */

/* Plot text is shaped (Pango), so that a translation reads correctly: Arabic lam and alef
 * join into one ligature, narrower than the two letters apart (unshaped text would draw the
 * letters as they stand alone, side by side). A right-to-left title and message render, to
 * look at in --output. */
static void
test_text_shaping (void)
{
  LabPlotStyle style;
  cairo_t *measure = _lab_plot_measure_new ();
  lab_plot_style_init_light (&style);
  _lab_plot_set_font (measure, &style, LAB_PLOT_TEXT_NORMAL, false);
  double lam = _lab_plot_text_width (measure, "\u0644");
  double alef = _lab_plot_text_width (measure, "\u0627");
  double lam_alef = _lab_plot_text_width (measure, "\u0644\u0627");
  CHECK (lam > 0 && alef > 0 && lam_alef < lam + alef - 0.5,
         "lam %.2f + alef %.2f, joined %.2f: not shaped", lam, alef, lam_alef);
  cairo_destroy (measure);

  LabLossData data = { .title = "\u0627\u0644\u062e\u0633\u0627\u0631\u0629 (loss)",
                       .empty_text = "\u05d0\u05d9\u05df \u05e0\u05ea\u05d5\u05e0\u05d9\u05dd \u05e2\u05d3\u05d9\u05d9\u05df" };
  cairo_surface_destroy (render ("text-rtl", lab_plot_loss_draw_func, &data, 360, 160));
}

static void
test_linear_ticks (void)
{
  static const double ranges[][2] = { { 0, 10 }, { -3.7, 12.2 }, { 0.0013, 0.0071 },
                                      { 1e6, 3.5e6 }, { -1, 1 }, { 5, 5 } };
  for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
    {
      LabPlotTick ticks[64];
      double step;
      int n = lab_plot_linear_ticks (ranges[r][0], ranges[r][1], 6, ticks, 64, &step);
      CHECK (n >= (ranges[r][1] > ranges[r][0] ? 2 : 1) && n <= 13, "range %g..%g: %d ticks", ranges[r][0], ranges[r][1], n);
      double mantissa = step / pow (10.0, floor (log10 (step)));
      CHECK (fabs (mantissa - 1) < 1e-9 || fabs (mantissa - 2) < 1e-9 || fabs (mantissa - 5) < 1e-9,
             "step %g is not 1, 2 or 5 times a power of ten", step);
      for (int i = 0; i < n; i++)
        {
          double lo = fmin (ranges[r][0], ranges[r][1]), hi = fmax (ranges[r][0], ranges[r][1]);
          if (hi > lo)
            CHECK (ticks[i].value >= lo - 1e-9 * step && ticks[i].value <= hi + 1e-9 * step,
                   "tick %g outside %g..%g", ticks[i].value, lo, hi);
          CHECK_CLOSE (ticks[i].value / step, round (ticks[i].value / step), 1e-9);
          if (i > 0)
            CHECK_CLOSE (ticks[i].value - ticks[i - 1].value, step, 1e-9);
        }
    }
  LabPlotTick ticks[16];
  double step;
  int n = lab_plot_linear_ticks (0, 10, 5, ticks, 16, &step);
  CHECK (n == 6 && step == 2.0 && ticks[0].value == 0.0 && ticks[5].value == 10.0,
         "0..10: n=%d step=%g", n, step);
  /* a short axis asking for three ticks (an ECG beat's range on a projector) still gets two:
   * a step of 0.5 would leave 0.5 alone, which gives the axis no scale */
  n = lab_plot_linear_ticks (0.16, 0.93, 3, ticks, 16, &step);
  CHECK (n >= 2 && n <= 6, "0.16..0.93 for 3: n=%d step=%g", n, step);
}

static void
test_log_ticks (void)
{
  LabPlotTick ticks[96];
  int n = lab_plot_log_ticks (0.003, 250, ticks, 96);
  int majors = 0;
  for (int i = 0; i < n; i++)
    {
      CHECK (ticks[i].value >= 0.003 * (1 - 1e-9) && ticks[i].value <= 250 * (1 + 1e-9),
             "tick %g outside the range", ticks[i].value);
      if (i > 0)
        CHECK (ticks[i].value > ticks[i - 1].value, "ticks not increasing at %d", i);
      double exponent = log10 (ticks[i].value);
      bool decade = fabs (exponent - round (exponent)) < 1e-9;
      CHECK (ticks[i].major == decade, "tick %g major=%d", ticks[i].value, ticks[i].major);
      majors += ticks[i].major;
      /* Every tick is m x 10^k with m in 1..9. */
      double m = ticks[i].value / pow (10.0, floor (exponent + 1e-9));
      CHECK (fabs (m - round (m)) < 1e-6 && round (m) >= 1 && round (m) <= 9, "mantissa %g", m);
    }
  CHECK (majors == 5, "decades 0.01 .. 100 expected, %d majors", majors);
  /* 0.003..0.009 (7), 5 decades x 9 minus the part above 250 (300..900: 7) */
  CHECK (n == 7 + 5 * 9 - 7, "%d ticks", n);

  /* Less than two decades: 2x and 5x become labelled too. */
  static const double narrow[][2] = { { 1.5, 9 }, { 0.9, 21 } };
  for (int r = 0; r < 2; r++)
    {
      n = lab_plot_log_ticks (narrow[r][0], narrow[r][1], ticks, 96);
      int labelled = 0;
      for (int i = 0; i < n; i++)
        {
          double m = ticks[i].value / pow (10.0, floor (log10 (ticks[i].value) + 1e-9));
          bool expected = fabs (m - 1) < 1e-9 || fabs (m - 2) < 1e-9 || fabs (m - 5) < 1e-9;
          CHECK (ticks[i].major == expected, "tick %g major=%d", ticks[i].value, ticks[i].major);
          labelled += ticks[i].major;
        }
      CHECK (labelled >= 2, "a narrow log axis needs labels, got %d", labelled);
    }
  CHECK (lab_plot_log_ticks (-1, 10, ticks, 96) == 0, "a log axis needs lo > 0");
  CHECK (lab_plot_log_ticks (NAN, 10, ticks, 96) == 0, "NaN range");
}

static void
test_format_tick (void)
{
  char buf[32];
  lab_plot_format_tick (0.05, 0.05, buf, sizeof buf);
  CHECK (strcmp (buf, "0.05") == 0, "%s", buf);
  lab_plot_format_tick (0.75, 0.25, buf, sizeof buf);
  CHECK (strcmp (buf, "0.75") == 0, "%s", buf);
  lab_plot_format_tick (1e-5, 0, buf, sizeof buf);
  CHECK (strcmp (buf, "1e-5") == 0, "%s", buf);
  lab_plot_format_tick (200, 50, buf, sizeof buf);
  CHECK (strcmp (buf, "200") == 0, "%s", buf);
  lab_plot_format_tick (0.001, 0, buf, sizeof buf);
  CHECK (strcmp (buf, "0.001") == 0, "%s", buf);

  static const struct { long n; const char *text; } counts[] = {
    { 0, "0" }, { 999, "999" }, { 1000, "1,000" }, { 50000, "50,000" },
    { 1254400, "1,254,400" }, { -12345, "-12,345" },
  };
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    {
      lab_plot_format_count (counts[i].n, buf, sizeof buf);
      CHECK (strcmp (buf, counts[i].text) == 0, "%ld: %s", counts[i].n, buf);
    }
}

/* ---------------------------------------------------------------------------------------- */

#define EPOCHS 40

typedef struct {
  double x[EPOCHS], train[EPOCHS], valid[EPOCHS], kl[EPOCHS], kl_valid[EPOCHS];
  LabSeries series[4];
  LabLossData data;
} LossFixture;

static void
loss_fixture (LossFixture *f, bool log_y)
{
  for (int i = 0; i < EPOCHS; i++)
    {
      f->x[i] = i + 1;
      f->train[i] = 30.0 * exp (-i / 6.0) + 2.0;
      f->valid[i] = 30.0 * exp (-i / 7.0) + 2.6;
      f->kl[i] = 6.0 - 4.0 * exp (-i / 5.0);
      f->kl_valid[i] = 6.2 - 4.0 * exp (-i / 5.0);
    }
  f->series[0] = (LabSeries){ "reconstruction (train)", f->x, f->train, EPOCHS, 0, false, false };
  f->series[1] = (LabSeries){ "reconstruction (validation)", f->x, f->valid, EPOCHS, 0, true,
                              false };
  f->series[2] = (LabSeries){ "KL (train)", f->x, f->kl, EPOCHS, 1, false, false };
  f->series[3] = (LabSeries){ "KL (validation)", f->x, f->kl_valid, EPOCHS, 1, true, false };
  memset (&f->data, 0, sizeof f->data);
  f->data.series = f->series;
  f->data.n_series = 4;
  f->data.title = "Loss per term";
  f->data.x_label = "epoch";
  f->data.y_label = "loss";
  f->data.log_y = log_y;
}

static void
test_loss_falling (void)
{
  LossFixture f;
  loss_fixture (&f, true);
  f.data.n_series = 1;
  cairo_surface_t *s = render ("loss-single", lab_plot_loss_draw_func, &f.data, W, H);
  int nl, nr;
  double left = mean_row_of_color (s, light_color (0), W / 8, W / 3, &nl);
  double right = mean_row_of_color (s, light_color (0), 2 * W / 3, W - W / 8, &nr);
  CHECK (nl > 50 && nr > 50, "curve pixels left %d right %d", nl, nr);
  CHECK (left < right - 40, "a falling curve is higher on the left: rows %.1f vs %.1f", left,
         right);
  cairo_surface_destroy (s);

  loss_fixture (&f, true);
  s = render ("loss-log", lab_plot_loss_draw_func, &f.data, W, H);
  CHECK (test_distinct_colors (s) > 20, "%d colours", test_distinct_colors (s));
  CHECK (count_color (s, light_color (1), 10) > 300, "KL curves present");
  cairo_surface_destroy (s);

  loss_fixture (&f, false);
  f.data.show_hover = true;
  f.data.hover_x = 12.5;
  s = render ("loss-hover", lab_plot_loss_draw_func, &f.data, W, H);
  cairo_surface_destroy (s);

  /* The mockup's size: one wide plot. */
  loss_fixture (&f, true);
  s = render ("loss-wide", lab_plot_loss_draw_func, &f.data, 1040, 420);
  cairo_surface_destroy (s);
}

/* LAB_PLOT_LEGEND_BEST puts the legend where the curves are not. */
static void
test_loss_legend_best (void)
{
  LossFixture f;
  LabPlotStyle style;

  lab_plot_style_init_light (&style);
  loss_fixture (&f, false);
  f.data.legend = LAB_PLOT_LEGEND_BEST;
  /* falling curves leave the top right free */
  CHECK (lab_plot_loss_legend_corner (W, H, &f.data, &style) == LAB_PLOT_LEGEND_TOP_RIGHT,
         "falling curves: legend top right");
  /* rising ones fill the top right and the bottom left */
  for (int i = 0; i < EPOCHS; i++)
    {
      f.train[i] = 40.0 - f.train[i];
      f.valid[i] = 40.0 - f.valid[i];
    }
  LabPlotLegend corner = lab_plot_loss_legend_corner (W, H, &f.data, &style);
  CHECK (corner == LAB_PLOT_LEGEND_TOP_LEFT || corner == LAB_PLOT_LEGEND_OUTSIDE_RIGHT,
         "rising curves: legend top left or beside, not %d", (int) corner);
  /* flat curves along the top and the bottom leave no corner free: beside the plot */
  for (int i = 0; i < EPOCHS; i++)
    {
      f.train[i] = f.valid[i] = 40.0;
      f.kl[i] = f.kl_valid[i] = 6.0;
    }
  corner = lab_plot_loss_legend_corner (W, H, &f.data, &style);
  CHECK (corner == LAB_PLOT_LEGEND_OUTSIDE_RIGHT, "no free corner: legend beside, not %d",
         (int) corner);
  cairo_surface_t *s = render ("loss-legend-beside", lab_plot_loss_draw_func, &f.data, W, H);
  int n_right;
  mean_row_of_color (s, light_color (0), W - W / 10, W - 1, &n_right);
  CHECK (n_right == 0, "the curves stop left of the legend (%d curve pixels at the right)", n_right);
  cairo_surface_destroy (s);
  /* a corner asked for is kept */
  f.data.legend = LAB_PLOT_LEGEND_BOTTOM_RIGHT;
  CHECK (lab_plot_loss_legend_corner (W, H, &f.data, &style) == LAB_PLOT_LEGEND_BOTTOM_RIGHT,
         "an explicit corner is kept");
}

static void
test_loss_nan (void)
{
  LossFixture f;
  loss_fixture (&f, true);
  f.train[5] = NAN;
  f.train[6] = INFINITY;
  f.valid[10] = -INFINITY;
  f.valid[11] = 0.0; /* not drawable on a log axis */
  f.kl[0] = NAN;
  f.x[20] = NAN;
  cairo_surface_t *s = render ("loss-nan", lab_plot_loss_draw_func, &f.data, W, H);
  int n;
  mean_row_of_color (s, light_color (0), 0, W, &n);
  CHECK (n > 300, "the curve survives its NaN points: %d pixels", n);
  cairo_surface_destroy (s);

  /* Every value NaN: the empty state, no crash. */
  for (int i = 0; i < EPOCHS; i++)
    f.train[i] = f.valid[i] = f.kl[i] = f.kl_valid[i] = NAN;
  s = render ("loss-all-nan", lab_plot_loss_draw_func, &f.data, W, H);
  CHECK (test_ink_pixels (s) > 100, "the empty message is drawn");
  cairo_surface_destroy (s);
}

static void
test_loss_empty (void)
{
  LabLossData empty = { 0 };
  empty.title = "Loss per term";
  cairo_surface_t *s = render ("loss-empty", lab_plot_loss_draw_func, &empty, W, H);
  int ink = test_ink_pixels (s);
  CHECK (ink > 100 && ink < W * H / 20, "an empty plot shows a short message: %d pixels", ink);
  cairo_surface_destroy (s);
  s = render ("loss-null", lab_plot_loss_draw_func, NULL, 200, 100);
  CHECK (test_ink_pixels (s) > 50, "NULL data draws the empty state");
  cairo_surface_destroy (s);
  /* Tiny sizes must not crash. */
  s = render ("loss-tiny", lab_plot_loss_draw_func, &empty, 3, 2);
  cairo_surface_destroy (s);
}

static void
test_loss_mapping (void)
{
  LossFixture f;
  loss_fixture (&f, false);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  double prev = -HUGE_VAL;
  int inside = 0;
  for (int px = 0; px < W; px += 7)
    {
      double x;
      if (!lab_plot_loss_x_at (W, H, &f.data, &style, px, &x))
        continue;
      inside++;
      CHECK (x > prev, "x grows with px");
      CHECK (x >= 1 - 1e-9 && x <= EPOCHS + 1e-9, "x %g outside the data", x);
      prev = x;
    }
  CHECK (inside > W / 7 / 2, "most of the width is plot area: %d", inside);
  double x;
  CHECK (!lab_plot_loss_x_at (W, H, &f.data, &style, 1, &x), "the margin is outside");

  char summary[256];
  lab_plot_loss_summary (&f.data, summary, sizeof summary);
  char expected[64];
  snprintf (expected, sizeof expected, "reconstruction (train) %.4g", f.train[EPOCHS - 1]);
  CHECK (strstr (summary, expected) != NULL, "summary: %s", summary);
  CHECK (strstr (summary, "at epoch 40") != NULL, "summary: %s", summary);
  lab_plot_loss_summary (NULL, summary, sizeof summary);
  CHECK (strcmp (summary, "no data") == 0, "%s", summary);
}

static void
test_curves_vs_x (void)
{
  double sizes[] = { 2, 4, 8, 16, 32, 64 };
  double pca[6], ae[6];
  for (int i = 0; i < 6; i++)
    {
      pca[i] = 0.06 * exp (-sizes[i] / 20.0) + 0.004;
      ae[i] = 0.05 * exp (-sizes[i] / 14.0) + 0.003;
    }
  LabSeries series[2] = {
    { "PCA", sizes, pca, 6, 7, true, true },
    { "autoencoder", sizes, ae, 6, 0, false, true },
  };
  LabLossData data = { 0 };
  data.series = series;
  data.n_series = 2;
  data.title = "Reconstruction error against code size";
  data.x_label = "code size";
  data.y_label = "MSE";
  cairo_surface_t *s = render ("curves-code-size", lab_plot_loss_draw_func, &data, W, H);
  int left_n, right_n;
  double left = mean_row_of_color (s, light_color (0), 0, W / 3, &left_n);
  double right = mean_row_of_color (s, light_color (0), 2 * W / 3, W, &right_n);
  CHECK (left_n > 20 && right_n > 20 && left < right, "error falls with code size");
  cairo_surface_destroy (s);
}

/* ---------------------------------------------------------------------------------------- */

#define IW 28
#define IH 28
#define NI 12

static void
digit_like (float *img, int k, float blur)
{
  double cx = 14 + 3 * sin (k), cy = 14 + 2 * cos (k * 1.3), r = 6 + (k % 4);
  for (int y = 0; y < IH; y++)
    for (int x = 0; x < IW; x++)
      {
        double d = fabs (hypot (x - cx, (y - cy) * 1.3) - r);
        double v = 1.0 - d / (1.6 + blur);
        if (k % 3 == 0 && fabs (x - cx - (y - cy) * 0.3) < 1.5 + blur && y > cy)
          v = fmax (v, 0.9);
        img[y * IW + x] = (float) (v < 0 ? 0 : v > 1 ? 1 : v);
      }
}

typedef struct {
  float input[NI * IW * IH], recon[NI * IW * IH], error[NI * IW * IH];
  LabImageRow rows[3];
  LabImageGridData data;
} GridFixture;

static void
grid_fixture (GridFixture *f)
{
  for (int k = 0; k < NI; k++)
    {
      digit_like (f->input + k * IW * IH, k, 0.0f);
      digit_like (f->recon + k * IW * IH, k, 1.2f);
    }
  for (int i = 0; i < NI * IW * IH; i++)
    f->error[i] = fabsf (f->input[i] - f->recon[i]);
  f->rows[0] = (LabImageRow){ "input", f->input, NI, LAB_IMAGE_GREY, 0, NULL };
  f->rows[1] = (LabImageRow){ "reconstruction", f->recon, NI, LAB_IMAGE_GREY, 0, NULL };
  f->rows[2] = (LabImageRow){ "|error|", f->error, NI, LAB_IMAGE_HEAT, 0, NULL };
  memset (&f->data, 0, sizeof f->data);
  f->data.image_width = IW;
  f->data.image_height = IH;
  f->data.rows = f->rows;
  f->data.n_rows = 3;
  f->data.title = "Reconstructions of a fixed preview batch";
  f->data.highlight_row = -1;
  f->data.highlight_index = -1;
}

/* Samples (n, channels, pixels) become a row as they are in colour, the mean over channels
 * otherwise; drawn, an RGB row keeps each plane in its own colour. */
static void
test_images_as_row (void)
{
  enum { N = 2, PIXELS = 4 };
  float rgb[N * 3 * PIXELS], row[N * 3 * PIXELS];
  for (int i = 0; i < N * 3 * PIXELS; i++)
    rgb[i] = (float) (i % (3 * PIXELS) / PIXELS) * 0.5f; /* red 0, green 0.5, blue 1 */
  CHECK (lab_plot_images_row_size (N, 3, PIXELS) == N * 3 * PIXELS, "RGB row size");
  CHECK (lab_plot_images_row_size (N, 2, PIXELS) == N * PIXELS, "grey row size");
  CHECK (lab_plot_images_as_row (row, rgb, N, 3, PIXELS) == LAB_IMAGE_RGB, "colour map");
  CHECK (memcmp (row, rgb, sizeof rgb) == 0, "colour samples kept as they are");
  CHECK (lab_plot_images_as_row (row, rgb, N * 3 / 2, 2, PIXELS) == LAB_IMAGE_GREY, "grey map");
  /* read as three samples of two planes: (red 0, green 0.5), then (blue 1, red 0) */
  CHECK (fabsf (row[0] - 0.25f) < 1e-6f && fabsf (row[PIXELS] - 0.5f) < 1e-6f,
         "mean over two channels: %g, %g", (double) row[0], (double) row[PIXELS]);

  /* one 2x2 image of three planes, drawn: the red plane is full, the others empty */
  float red[3 * PIXELS] = { 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
  LabImageRow image_row = { .pixels = red, .n_images = 1, .colormap = LAB_IMAGE_RGB };
  LabImageGridData data = { .image_width = 2, .image_height = 2, .rows = &image_row, .n_rows = 1,
                            .highlight_row = -1, .highlight_index = -1 };
  cairo_surface_t *s = render ("images-rgb", lab_plot_image_grid_draw_func, &data, 200, 200);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  int row_at, index;
  double ix, iy;
  int found = 0;
  for (int py = 0; py < 200 && !found; py += 2)
    for (int px = 0; px < 200 && !found; px += 2)
      if (lab_plot_image_grid_locate (200, 200, &data, &style, px + 0.5, py + 0.5, &row_at, &index,
                                      &ix, &iy)
          && ix > 0.5 && ix < 1.5 && iy > 0.5 && iy < 1.5)
        {
          found = 1;
          uint32_t pixel = *(uint32_t *) (void *) (cairo_image_surface_get_data (s)
                                                 + py * cairo_image_surface_get_stride (s) + px * 4);
          CHECK ((pixel >> 16 & 0xff) > 200 && (pixel >> 8 & 0xff) < 50 && (pixel & 0xff) < 50,
                 "the image's middle is drawn red: 0x%06x", pixel & 0xffffff);
        }
  CHECK (found, "the image lies in the grid");
  cairo_surface_destroy (s);
}

static void
test_image_grid (void)
{
  static GridFixture f;
  grid_fixture (&f);
  cairo_surface_t *s = render ("images-preview", lab_plot_image_grid_draw_func, &f.data, 1040, 330);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  double vmax = 0.0;
  for (int i = 0; i < NI * IW * IH; i++)
    vmax = fmax (vmax, f.error[i]);

  /* Wherever locate says "row r, image i, pixel (ix, iy)", the picture shows that pixel. */
  int checked = 0, matched = 0, rows_seen[3] = { 0 };
  for (int py = 0; py < 330; py += 3)
    for (int px = 0; px < 1040; px += 3)
      {
        int row, index;
        double ix, iy;
        if (!lab_plot_image_grid_locate (1040, 330, &f.data, &style, px + 0.5, py + 0.5, &row,
                                         &index, &ix, &iy))
          continue;
        if (ix < 2 || iy < 2 || ix > IW - 2 || iy > IH - 2)
          continue; /* rounded corners and borders */
        checked++;
        rows_seen[row]++;
        uint32_t p = test_pixel (s, px, py);
        bool ok = false;
        for (int dy = -1; dy <= 1 && !ok; dy++)
          for (int dx = -1; dx <= 1 && !ok; dx++)
            {
              int sx = (int) ix + dx, sy = (int) iy + dy;
              float v = f.rows[row].pixels[index * IW * IH + sy * IW + sx];
              if (row == 2)
                {
                  LabRgba c = lab_plot_colormap_inferno (v / vmax);
                  ok = test_color_near (p, c.r, c.g, c.b, 2);
                }
              else
                ok = test_color_near (p, v, v, v, 2);
            }
        matched += ok;
      }
  CHECK (checked > 3000, "%d points inside images", checked);
  CHECK (rows_seen[0] > 500 && rows_seen[1] > 500 && rows_seen[2] > 500, "every row located");
  CHECK (matched == checked, "%d of %d located pixels show the image's value", matched, checked);
  int row = 7;
  CHECK (!lab_plot_image_grid_locate (1040, 330, &f.data, &style, 2, 2, &row, NULL, NULL, NULL)
           && row == 7,
         "the corner is no image");
  cairo_surface_destroy (s);

  /* NaN pixels and a highlight. */
  f.input[5] = NAN;
  f.error[100] = INFINITY;
  f.data.highlight_row = 0;
  f.data.highlight_index = 3;
  s = render ("images-nan", lab_plot_image_grid_draw_func, &f.data, 1040, 330);
  CHECK (test_distinct_colors (s) > 50, "still drawn");
  cairo_surface_destroy (s);

  /* A narrow, tall panel: rows whose first images say enough show fewer, larger ones;
   * wherever an image lies, it is one of the first and the rows stay aligned. */
  f.data.highlight_row = f.data.highlight_index = -1;
  int widest[2] = { 0, 0 }, last[2] = { -1, -1 };
  for (int pass = 0; pass < 2; pass++)
    {
      f.data.min_columns = pass == 0 ? 0 : 4;
      for (int py = 0; py < 400; py += 2)
        {
          int run = 0, previous = -1;
          for (int px = 0; px < 420; px++)
            {
              int at_row, index;
              if (lab_plot_image_grid_locate (420, 400, &f.data, &style, px + 0.5, py + 0.5, &at_row,
                                              &index, NULL, NULL))
                {
                  last[pass] = index > last[pass] ? index : last[pass];
                  run = index == previous ? run + 1 : 1;
                  previous = index;
                  widest[pass] = run > widest[pass] ? run : widest[pass];
                }
              else
                previous = -1;
            }
        }
    }
  CHECK (last[0] == NI - 1 && last[1] >= 3 && last[1] < NI - 1,
         "every image without min_columns, the first %d with it", last[1] + 1);
  CHECK (widest[1] > widest[0] * 1.15, "fewer images come out larger: %d vs %d px", widest[1],
         widest[0]);
  f.data.min_columns = 0;

  LabImageGridData empty = { 0 };
  empty.title = "Reconstructions";
  s = render ("images-empty", lab_plot_image_grid_draw_func, &empty, 600, 300);
  CHECK (test_ink_pixels (s) > 100, "empty state drawn");
  cairo_surface_destroy (s);
}

static void
test_image_layouts (void)
{
  static GridFixture f;
  grid_fixture (&f);
  /* One big image. */
  LabImageRow big = { NULL, f.input + 2 * IW * IH, 1, LAB_IMAGE_GREY, 0, NULL };
  LabImageGridData single = { IW, IH, &big, 1, 0, "Input", NULL, -1, -1, NULL };
  cairo_surface_t *s = render ("images-single", lab_plot_image_grid_draw_func, &single, 300, 320);
  CHECK (test_ink_pixels (s) > 20000, "a big image fills the space");
  cairo_surface_destroy (s);

  /* A colour image: three planes, drawn as they are. Left half pure red, right half blue;
   * the picture's centre row holds both. */
  static float rgb[3 * IW * IH];
  for (int y = 0; y < IH; y++)
    for (int x = 0; x < IW; x++)
      {
        int left = x < IW / 2;
        rgb[y * IW + x] = left ? 1.0f : 0.0f;
        rgb[IW * IH + y * IW + x] = 0.0f;
        rgb[2 * IW * IH + y * IW + x] = left ? 0.0f : 1.0f;
      }
  LabImageRow colour = { NULL, rgb, 1, LAB_IMAGE_RGB, 0, NULL };
  LabImageGridData colour_data = { IW, IH, &colour, 1, 0, "Colour", NULL, -1, -1, NULL };
  s = render ("images-rgb", lab_plot_image_grid_draw_func, &colour_data, 300, 320);
  cairo_surface_flush (s);
  {
    const unsigned char *bytes = cairo_image_surface_get_data (s);
    int stride = cairo_image_surface_get_stride (s), reds = 0, blues = 0;
    for (int y = 0; y < 320; y++)
      for (int x = 0; x < 300; x++)
        {
          uint32_t p = *(const uint32_t *) (const void *) (bytes + (size_t) y * stride + 4 * x);
          unsigned r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
          reds += r > 240 && g < 15 && b < 15;
          blues += b > 240 && g < 15 && r < 15;
        }
    CHECK (reds > 5000 && blues > 5000, "colour image drawn in colour: %d red, %d blue pixels", reds, blues);
  }
  cairo_surface_destroy (s);

  /* An interpolation strip with captions. */
  static float strip[10 * IW * IH];
  static char caption_text[10][16];
  const char *captions[10];
  for (int k = 0; k < 10; k++)
    {
      for (int i = 0; i < IW * IH; i++)
        strip[k * IW * IH + i] = (float) ((1 - k / 9.0) * f.input[i] + k / 9.0 * f.input[4 * IW * IH + i]);
      snprintf (caption_text[k], sizeof caption_text[k], "t=%.2f", k / 9.0);
      captions[k] = caption_text[k];
    }
  LabImageRow strip_row = { "interpolation", strip, 10, LAB_IMAGE_GREY, 0, captions };
  LabImageGridData strip_data = { IW, IH, &strip_row, 1, 0, "VAE", NULL, -1, -1, NULL };
  s = render ("images-strip", lab_plot_image_grid_draw_func, &strip_data, 900, 160);
  CHECK (test_distinct_colors (s) > 10, "strip drawn");
  cairo_surface_destroy (s);

  /* A 6 x 8 grid of samples. */
  static float samples[48 * IW * IH];
  for (int k = 0; k < 48; k++)
    digit_like (samples + k * IW * IH, k, (float) (k % 5) * 0.3f);
  LabImageRow sample_row = { NULL, samples, 48, LAB_IMAGE_GREY, 0, NULL };
  LabImageGridData grid = { IW, IH, &sample_row, 1, 8, "Samples from the prior", NULL, -1, -1,
                            NULL };
  s = render ("images-samples", lab_plot_image_grid_draw_func, &grid, 520, 440);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  int last_index = -1;
  for (int py = 0; py < 440; py += 2)
    for (int px = 0; px < 520; px += 2)
      {
        int index;
        if (lab_plot_image_grid_locate (520, 440, &grid, &style, px, py, NULL, &index, NULL, NULL))
          last_index = index > last_index ? index : last_index;
      }
  CHECK (last_index == 47, "every sample of the grid is on screen (last %d)", last_index);
  cairo_surface_destroy (s);

  /* Denoise columns with captions. */
  static float denoise[4 * IW * IH];
  for (int i = 0; i < IW * IH; i++)
    {
      denoise[i] = f.input[i];
      denoise[IW * IH + i] = fminf (1.0f, fmaxf (0.0f, f.input[i] + 0.3f * (float) sin (i * 12.9898) ));
      denoise[2 * IW * IH + i] = f.recon[i];
      denoise[3 * IW * IH + i] = f.recon[IW * IH * 2 + i];
    }
  const char *columns[] = { "clean", "noisy", "denoised", "median filter" };
  const char *psnr[] = { "", "PSNR 14.2 dB", "PSNR 21.7 dB", "PSNR 18.3 dB" };
  LabImageRow denoise_row = { NULL, denoise, 4, LAB_IMAGE_GREY, 0, psnr };
  LabImageGridData denoise_data = { IW, IH, &denoise_row, 1, 4, "Denoise", columns, -1, -1, NULL };
  s = render ("images-denoise", lab_plot_image_grid_draw_func, &denoise_data, 760, 280);
  cairo_surface_destroy (s);
}

/* One-column images are time series (their rows are the steps): each cell is a line plot,
 * twice as wide as tall, whose line rises where the values do. */
/* Draws data on a new w x h light surface (the caller frees it). */
static cairo_surface_t *
draw_grid (const LabImageGridData *data, int w, int h)
{
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (surface);
  lab_plot_image_grid_draw (cr, w, h, data, &style);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* Pixels of a and b (same size) whose channels differ by more than tolerance. */
static int
count_different (cairo_surface_t *a, cairo_surface_t *b, int tolerance)
{
  int w = cairo_image_surface_get_width (a), h = cairo_image_surface_get_height (a), n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        uint32_t p = test_pixel (a, x, y), q = test_pixel (b, x, y);
        for (int shift = 0; shift < 24; shift += 8)
          if (abs ((int) ((p >> shift) & 0xff) - (int) ((q >> shift) & 0xff)) > tolerance)
            {
              n++;
              break;
            }
      }
  return n;
}

/* A cache keeps each image scaled to its cell: drawn again, nothing is rebuilt; a new version
 * (pixels changed in place) or another size rebuilds every image once; the picture is the one
 * drawn without a cache. */
static void
test_image_cache (void)
{
  static GridFixture f;
  grid_fixture (&f);
  LabImageCache *cache = lab_image_cache_new ();
  cairo_surface_t *plain = draw_grid (&f.data, 1040, 330);
  f.data.cache = cache;
  cairo_surface_t *cached = draw_grid (&f.data, 1040, 330);
  CHECK (lab_image_cache_get_builds (cache) == 3 * NI, "%lu images made for %d",
         lab_image_cache_get_builds (cache), 3 * NI);
  CHECK (count_different (plain, cached, 0) == 0, "the cached picture is the same, pixel for pixel");
  for (int frame = 0; frame < 10; frame++)
    cairo_surface_destroy (draw_grid (&f.data, 1040, 330));
  CHECK (lab_image_cache_get_builds (cache) == 3 * NI, "ten more frames rebuild nothing (%lu)",
         lab_image_cache_get_builds (cache));
  f.data.version++;
  cairo_surface_destroy (draw_grid (&f.data, 1040, 330));
  CHECK (lab_image_cache_get_builds (cache) == 6 * NI, "a new version rebuilds each image once");
  cairo_surface_destroy (draw_grid (&f.data, 800, 300));
  cairo_surface_destroy (draw_grid (&f.data, 800, 300));
  CHECK (lab_image_cache_get_builds (cache) == 9 * NI, "a new size too, once");
  cairo_surface_destroy (plain);
  cairo_surface_destroy (cached);
  f.data.cache = NULL;
  lab_image_cache_free (cache);

  /* Four 1600 x 1200 colour photos in small cells: scaled once, and the same picture. */
  enum { PW = 1600, PH = 1200, N = 4 };
  float *photos = malloc (sizeof (float) * N * 3 * PW * PH);
  for (int i = 0; i < N; i++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < PH; y++)
        for (int x = 0; x < PW; x++)
          photos[(((size_t) i * 3 + c) * PH + y) * PW + x]
            = (float) (c == 0 ? x / (double) PW : c == 1 ? y / (double) PH : (i + 1) / 5.0);
  LabImageRow row = { NULL, photos, N, LAB_IMAGE_RGB, 0, NULL };
  LabImageGridData data = { .image_width = PW, .image_height = PH, .rows = &row, .n_rows = 1,
                            .highlight_row = -1, .highlight_index = -1 };
  plain = draw_grid (&data, 900, 260);
  data.cache = cache = lab_image_cache_new ();
  cached = draw_grid (&data, 900, 260);
  for (int frame = 0; frame < 10; frame++)
    cairo_surface_destroy (draw_grid (&data, 900, 260));
  CHECK (lab_image_cache_get_builds (cache) == N, "%lu photos scaled for %d, over eleven frames",
         lab_image_cache_get_builds (cache), N);
  CHECK (count_different (plain, cached, 3) == 0, "the scaled photos look the same (%d pixels differ)",
         count_different (plain, cached, 3));
  cairo_surface_destroy (plain);
  cairo_surface_destroy (cached);
  lab_image_cache_free (cache);
  free (photos);
}

static void
test_image_series (void)
{
  enum { STEPS = 64, N = 3 };
  static float series[N * STEPS];
  for (int k = 0; k < N; k++)
    for (int t = 0; t < STEPS; t++)
      series[k * STEPS + t] = k == 0 ? (float) t / (STEPS - 1) : 0.5f + 0.4f * (float) sin (t * 0.3 * k);
  LabImageRow row = { NULL, series, N, LAB_IMAGE_GREY, 0, NULL };
  LabImageGridData data = { 1, STEPS, &row, 1, 0, NULL, NULL, -1, -1, NULL };
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  cairo_surface_t *s = render ("images-series", lab_plot_image_grid_draw_func, &data, 660, 160);

  /* the first cell's extent, found by locating points */
  int x0 = -1, x1 = -1, y0 = -1, y1 = -1;
  for (int py = 0; py < 160; py++)
    for (int px = 0; px < 660; px++)
      {
        int index;
        if (lab_plot_image_grid_locate (660, 160, &data, &style, px + 0.5, py + 0.5, NULL, &index,
                                        NULL, NULL) && index == 0)
          {
            x0 = x0 < 0 ? px : x0;
            y0 = y0 < 0 ? py : y0;
            x1 = px > x1 ? px : x1;
            y1 = py > y1 ? py : y1;
          }
      }
  CHECK (x0 >= 0 && y0 >= 0, "the first cell is on screen");
  double aspect = (double) (x1 - x0 + 1) / (y1 - y0 + 1);
  CHECK (fabs (aspect - 2.0) < 0.1, "a series cell is twice as wide as tall (%.2f)", aspect);
  /* the rising ramp: its line sits low at the left of the cell and high at the right */
  int third = (x1 - x0) / 3;
  double left = mean_row_of_color (s, style.palette[0], x0, x0 + third, NULL);
  double right = mean_row_of_color (s, style.palette[0], x1 - third, x1, NULL);
  CHECK (left > 0 && right > 0 && left > right + (y1 - y0) * 0.4,
         "the ramp rises from left (row %.1f) to right (row %.1f)", left, right);
  cairo_surface_destroy (s);
}

/* ---------------------------------------------------------------------------------------- */

#define NP 600

typedef struct {
  float points[NP * 2], sigmas[NP * 2], path[2 * 8];
  int labels[NP];
  const char *names[10];
  LabScatterData data;
} ScatterFixture;

static void
scatter_fixture (ScatterFixture *f)
{
  static const char *digits[10] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };
  uint32_t state = 12345;
  for (int i = 0; i < NP; i++)
    {
      int c = i % 10;
      double u1, u2;
      state = state * 1664525u + 1013904223u;
      u1 = (state >> 8) / 16777216.0 + 1e-9;
      state = state * 1664525u + 1013904223u;
      u2 = (state >> 8) / 16777216.0;
      double g1 = sqrt (-2 * log (u1)) * cos (2 * M_PI * u2);
      double g2 = sqrt (-2 * log (u1)) * sin (2 * M_PI * u2);
      f->points[2 * i] = (float) (2.2 * cos (c * 0.628) + 0.45 * g1);
      f->points[2 * i + 1] = (float) (2.2 * sin (c * 0.628) + 0.45 * g2);
      f->sigmas[2 * i] = 0.15f + 0.05f * (float) (c % 3);
      f->sigmas[2 * i + 1] = 0.12f + 0.04f * (float) (c % 2);
      f->labels[i] = c;
    }
  for (int c = 0; c < 10; c++)
    f->names[c] = digits[c];
  for (int k = 0; k < 8; k++)
    {
      f->path[2 * k] = (float) (-2.0 + 4.0 * k / 7.0);
      f->path[2 * k + 1] = (float) (0.5 * sin (k * 0.8));
    }
  memset (&f->data, 0, sizeof f->data);
  f->data.points = f->points;
  f->data.n_points = NP;
  f->data.labels = f->labels;
  f->data.class_names = f->names;
  f->data.n_classes = 10;
  f->data.highlight = -1;
  f->data.title = "Latent space";
  f->data.x_label = "z1";
  f->data.y_label = "z2";
}

static void
test_scatter_draw (void)
{
  static ScatterFixture f;
  scatter_fixture (&f);
  cairo_surface_t *s = render ("scatter", lab_plot_scatter_draw_func, &f.data, W, 480);
  int classes_visible = 0;
  for (int c = 0; c < 10; c++)
    classes_visible += count_color (s, light_color (c), 30) > 40;
  CHECK (classes_visible >= 9, "%d of 10 class colours visible", classes_visible);
  cairo_surface_destroy (s);

  f.data.sigmas = f.sigmas;
  f.data.highlight = 17;
  f.data.path = f.path;
  f.data.n_path = 8;
  f.data.show_marker = true;
  f.data.marker_x = 0.3;
  f.data.marker_y = -0.4;
  f.points[2 * 3] = NAN;
  f.points[2 * 5 + 1] = INFINITY;
  s = render ("scatter-vae", lab_plot_scatter_draw_func, &f.data, W, 480);
  CHECK (count_color (s, (LabRgba){ 53 / 255.0, 132 / 255.0, 228 / 255.0, 1 }, 8) > 100,
         "the accent path is drawn");
  cairo_surface_destroy (s);

  f.data.has_view = true;
  f.data.view = (LabPlotRect){ 0.5, 0.5, 3.0, 2.5 };
  s = render ("scatter-zoomed", lab_plot_scatter_draw_func, &f.data, W, 480);
  cairo_surface_destroy (s);

  LabScatterData empty = { 0 };
  empty.title = "Latent space";
  empty.highlight = -1;
  s = render ("scatter-empty", lab_plot_scatter_draw_func, &empty, W, 480);
  CHECK (test_ink_pixels (s) > 100, "empty state drawn");
  cairo_surface_destroy (s);
}

/* A marker with a spread (a VAE's drawn input) gets its one-sigma ellipse; without one, or
 * with a spread that is not a number, it stays a cross. */
static void
test_scatter_marker_sigma (void)
{
  static const float corner[2] = { 2.8f, 2.8f };
  LabScatterData d = { 0 };
  d.points = corner;
  d.n_points = 1;
  d.highlight = -1;
  d.has_view = true;
  d.view = (LabPlotRect){ -3, -3, 3, 3 };
  d.show_marker = true;
  d.title = "Latent space";
  cairo_surface_t *s = render ("scatter-marker", lab_plot_scatter_draw_func, &d, W, 480);
  int cross = test_ink_pixels (s);
  cairo_surface_destroy (s);

  d.marker_sigma_x = 1.0;
  d.marker_sigma_y = 0.5;
  s = render ("scatter-marker-sigma", lab_plot_scatter_draw_func, &d, W, 480);
  int ellipse = test_ink_pixels (s);
  cairo_surface_destroy (s);
  CHECK (ellipse > cross + 300, "the ellipse adds its outline (%d ink pixels, %d without)", ellipse,
         cross);

  d.marker_sigma_x = NAN;
  s = render ("scatter-marker-nan", lab_plot_scatter_draw_func, &d, W, 480);
  CHECK (test_ink_pixels (s) == cross, "a spread that is not a number draws no ellipse");
  cairo_surface_destroy (s);
}

/* A click on a legend entry names its class; a hidden class is neither drawn nor picked. */
static void
test_scatter_legend_hide (void)
{
  static ScatterFixture f;
  scatter_fixture (&f);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  int seen[10] = { 0 }, order_ok = 1, last = -1;
  for (int py = 0; py < 480; py++)
    for (int px = W / 2; px < W; px += 3)
      {
        int c = lab_plot_scatter_legend_at (W, 480, &f.data, &style, px, py);
        if (c >= 0)
          {
            seen[c] = 1;
            order_ok &= c >= last; /* entries go down in class order */
            last = c;
            break;
          }
      }
  int n_seen = 0;
  for (int c = 0; c < 10; c++)
    n_seen += seen[c];
  CHECK (n_seen == 10 && order_ok, "%d legend entries found, in order %d", n_seen, order_ok);
  CHECK (lab_plot_scatter_legend_at (W, 480, &f.data, &style, 10, 10) == -1, "no entry at the corner");

  cairo_surface_t *s = render ("scatter-all", lab_plot_scatter_draw_func, &f.data, W, 480);
  int before = count_color (s, light_color (3), 30);
  cairo_surface_destroy (s);
  bool hidden[10] = { false };
  hidden[3] = true;
  f.data.hidden = hidden;
  s = render ("scatter-hidden", lab_plot_scatter_draw_func, &f.data, W, 480);
  int after = count_color (s, light_color (3), 30);
  cairo_surface_destroy (s);
  CHECK (before > 40 && after < before / 4, "class 3: %d pixels, %d when hidden", before, after);
  for (int py = 20; py < 480; py += 17)
    for (int px = 30; px < W; px += 19)
      {
        int found = lab_plot_scatter_nearest (W, 480, &f.data, &style, px, py, 15.0);
        CHECK (found < 0 || f.data.labels[found] != 3, "hidden point %d picked", found);
      }
}

/* Equal aspect: a unit step is as long on screen along x as along y, in a wide widget and in a
 * tall one. */
static void
test_scatter_equal_aspect (void)
{
  static ScatterFixture f;
  scatter_fixture (&f);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  f.data.equal_aspect = true;
  const int sizes[][2] = { { W, 300 }, { 300, 600 } };
  for (int k = 0; k < 2; k++)
    {
      double x0, y0, x1, y1, x2, y2;
      int w = sizes[k][0], h = sizes[k][1];
      CHECK (lab_plot_scatter_to_widget (w, h, &f.data, &style, 0, 0, &x0, &y0)
               && lab_plot_scatter_to_widget (w, h, &f.data, &style, 1, 0, &x1, &y1)
               && lab_plot_scatter_to_widget (w, h, &f.data, &style, 0, 1, &x2, &y2), "mapping");
      CHECK_CLOSE (x1 - x0, y0 - y2, 1e-9);
      /* every point still inside */
      for (int i = 0; i < NP; i++)
        {
          double px, py;
          lab_plot_scatter_to_widget (w, h, &f.data, &style, f.points[2 * i], f.points[2 * i + 1],
                                      &px, &py);
          CHECK (px > 0 && px < w && py > 0 && py < h, "%dx%d: point %d at (%g, %g)", w, h, i, px, py);
        }
    }
}

static void
test_scatter_mapping (void)
{
  static ScatterFixture f;
  scatter_fixture (&f);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  for (int i = 0; i < NP; i += 37)
    {
      double px, py, x, y;
      CHECK (lab_plot_scatter_to_widget (W, 480, &f.data, &style, f.points[2 * i],
                                         f.points[2 * i + 1], &px, &py), "mapping");
      CHECK (px > 0 && px < W && py > 0 && py < 480, "point %d inside the widget", i);
      CHECK (lab_plot_scatter_to_data (W, 480, &f.data, &style, px, py, &x, &y), "mapping back");
      CHECK_CLOSE (x, f.points[2 * i], 1e-9);
      CHECK_CLOSE (y, f.points[2 * i + 1], 1e-9);
    }
  /* The nearest point against a brute-force search in widget coordinates. */
  double wx[NP], wy[NP];
  for (int i = 0; i < NP; i++)
    lab_plot_scatter_to_widget (W, 480, &f.data, &style, f.points[2 * i], f.points[2 * i + 1],
                                &wx[i], &wy[i]);
  for (int py = 20; py < 480; py += 41)
    for (int px = 30; px < W; px += 53)
      {
        int best = -1;
        double best_d = 15.0;
        for (int i = 0; i < NP; i++)
          {
            double d = hypot (wx[i] - px, wy[i] - py);
            if (d <= best_d)
              {
                best_d = d;
                best = i;
              }
          }
        int found = lab_plot_scatter_nearest (W, 480, &f.data, &style, px, py, 15.0);
        CHECK (found == best || (found >= 0 && best >= 0
                                 && fabs (hypot (wx[found] - px, wy[found] - py) - best_d) < 1e-9),
               "at (%d, %d): nearest %d, expected %d", px, py, found, best);
      }
  int k = 123;
  CHECK (lab_plot_scatter_nearest (W, 480, &f.data, &style, wx[k] + 0.3, wy[k] - 0.2, 2.0) == k
           || hypot (wx[lab_plot_scatter_nearest (W, 480, &f.data, &style, wx[k] + 0.3,
                                                  wy[k] - 0.2, 2.0)] - wx[k],
                     0) < 0.6,
         "the point under the pointer");
  CHECK (lab_plot_scatter_nearest (W, 480, &f.data, &style, -100, -100, 10.0) == -1,
         "nothing near a point outside");

  /* Zooming about a data point keeps it under the same pixel. */
  f.data.has_view = true;
  f.data.view = lab_plot_scatter_visible_rect (&f.data);
  LabPlotRect rect_before = f.data.view;
  double px0, py0, px1, py1;
  lab_plot_scatter_to_widget (W, 480, &f.data, &style, 1.0, -0.5, &px0, &py0);
  lab_plot_rect_zoom (&f.data.view, 1.0, -0.5, 0.5);
  lab_plot_scatter_to_widget (W, 480, &f.data, &style, 1.0, -0.5, &px1, &py1);
  /* The labels may change width with the zoom; the margin moves in whole steps only. */
  CHECK (fabs (px0 - px1) <= 20 && fabs (py0 - py1) < 1e-6, "zoom moved the fixed point: %g, %g",
         px1 - px0, py1 - py0);
  LabPlotRect v = f.data.view;
  CHECK_CLOSE ((1.0 - v.x0) / (v.x1 - v.x0), (1.0 - rect_before.x0) / (rect_before.x1 - rect_before.x0), 1e-12);
  double w0 = f.data.view.x1 - f.data.view.x0;
  lab_plot_rect_pan (&f.data.view, 0.25, 0);
  CHECK_CLOSE (f.data.view.x1 - f.data.view.x0, w0, 1e-12);

  char summary[200];
  lab_plot_scatter_summary (&f.data, summary, sizeof summary);
  CHECK (strstr (summary, "600 codes in 10 classes") != NULL, "%s", summary);
}

/* ---------------------------------------------------------------------------------------- */

static void
test_histogram (void)
{
  static float normal[2000], anomalous[200];
  uint32_t state = 99;
  for (int i = 0; i < 2000; i++)
    {
      state = state * 1664525u + 1013904223u;
      double u = (state >> 8) / 16777216.0;
      normal[i] = (float) (0.02 + 0.012 * -log (1 - u * 0.999));
    }
  for (int i = 0; i < 200; i++)
    {
      state = state * 1664525u + 1013904223u;
      double u = (state >> 8) / 16777216.0;
      anomalous[i] = (float) (0.06 + 0.03 * u + 0.01 * sin (i));
    }
  normal[7] = NAN;
  anomalous[3] = INFINITY;
  LabHistogramData data = { normal, 2000, anomalous, 200, "digits 0-8", "digit 9", 40, true,
                            0.055, "Reconstruction error", "reconstruction error (MSE)", NULL };
  cairo_surface_t *s = render ("histogram", lab_plot_histogram_draw_func, &data, W, H);
  int blue_n, red_n;
  double blue_x = 0, red_x = 0;
  LabRgba blue = light_color (0), red = light_color (3);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W * 3 / 4; x++)
      {
        uint32_t p = test_pixel (s, x, y);
        blue_x += test_color_near (p, blue.r, blue.g, blue.b, 10) ? x : 0;
        red_x += test_color_near (p, red.r, red.g, red.b, 10) ? x : 0;
      }
  blue_n = count_color (s, blue, 10);
  red_n = count_color (s, red, 10);
  CHECK (blue_n > 200 && red_n > 100, "outlines of both: %d, %d", blue_n, red_n);
  CHECK (blue_x / blue_n < red_x / red_n, "normal errors lie left of anomalous ones");
  cairo_surface_destroy (s);

  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  double a, b;
  CHECK (lab_plot_histogram_value_at (W, H, &data, &style, W * 0.3, &a)
           && lab_plot_histogram_value_at (W, H, &data, &style, W * 0.6, &b) && a < b,
         "value grows to the right");

  /* The summary counts against the threshold itself. */
  int normal_above = 0, anomalous_above = 0;
  for (int i = 0; i < 2000; i++)
    normal_above += isfinite (normal[i]) && normal[i] > 0.055;
  for (int i = 0; i < 200; i++)
    anomalous_above += isfinite (anomalous[i]) && anomalous[i] > 0.055;
  char summary[256], expected[128];
  lab_plot_histogram_summary (&data, summary, sizeof summary);
  snprintf (expected, sizeof expected, "%.1f%% of digits 0-8 (1999) and %.1f%% of digit 9 (199)",
            100.0 * normal_above / 1999, 100.0 * anomalous_above / 199);
  CHECK (strstr (summary, expected) != NULL, "%s, expected %s", summary, expected);

  /* One distribution binned from an even sample of a larger set says so. */
  LabHistogramData sampled = { .normal = normal, .n_normal = 2000, .normal_name = "code values",
                               .n_normal_of = 1254400 };
  lab_plot_histogram_summary (&sampled, summary, sizeof summary);
  CHECK (strstr (summary, "2,000 of 1,254,400 code values from ") == summary, "%s", summary);
  sampled.n_normal_of = 0;
  lab_plot_histogram_summary (&sampled, summary, sizeof summary);
  CHECK (strstr (summary, "code values (2,000) from ") == summary, "%s", summary);
  s = render ("histogram-sampled", lab_plot_histogram_draw_func, &sampled, W, H);
  CHECK (count_color (s, blue, 10) > 200, "one distribution drawn");
  cairo_surface_destroy (s);

  LabHistogramData empty = { 0 };
  s = render ("histogram-empty", lab_plot_histogram_draw_func, &empty, W, H);
  CHECK (test_ink_pixels (s) > 100, "empty state");
  cairo_surface_destroy (s);
}

/* A lone distribution in a chart too short to keep its legend clear of the bars (the Inside
 * view's code values on a 1280x720 projector) names it under the axis: the bell's top shows
 * in every column of the plot's middle, where the legend's box covered it. */
static void
test_histogram_short (void)
{
  enum { TW = 480, TH = 100 };
  static float values[4000];
  uint32_t state = 7;
  for (int i = 0; i < 4000; i++)
    {
      double sum = 0.0;
      for (int k = 0; k < 4; k++)
        {
          state = state * 1664525u + 1013904223u;
          sum += (state >> 8) / 16777216.0;
        }
      values[i] = (float) (sum - 2.0);
    }
  LabHistogramData data = { .normal = values, .n_normal = 4000,
                            .normal_name = "code values of 2,000 test samples",
                            .x_label = "activation" };
  cairo_surface_t *s = render ("histogram-short", lab_plot_histogram_draw_func, &data, TW, TH);
  LabRgba blue = light_color (0);
  int first = -1, last = -1;
  for (int x = 0; x < TW; x++)
    for (int y = 0; y < TH; y++)
      if (test_color_near (test_pixel (s, x, y), blue.r, blue.g, blue.b, 10))
        {
          first = first < 0 ? x : first;
          last = x;
        }
  CHECK (last - first > TW / 2, "the bars span the plot: columns %d to %d", first, last);
  int hidden = 0;
  for (int x = first + (last - first) / 4; x < last - (last - first) / 4; x++)
    {
      bool outline = false;
      /* at least half outline: the fill under it is 30 % blue */
      for (int y = 0; y < TH && !outline; y++)
        outline = test_color_near (test_pixel (s, x, y), blue.r, blue.g, blue.b, 100);
      hidden += !outline;
    }
  CHECK (hidden == 0, "the bars' outline is hidden in %d columns of the plot's middle", hidden);
  cairo_surface_destroy (s);
}

static void
test_roc (void)
{
  double fpr[101], tpr[101], fpr2[101], tpr2[101];
  for (int i = 0; i <= 100; i++)
    {
      fpr[i] = fpr2[i] = i / 100.0;
      tpr[i] = pow (i / 100.0, 0.15);
      tpr2[i] = pow (i / 100.0, 0.4);
    }
  tpr2[50] = NAN;
  LabRocCurve curves[2] = {
    { "autoencoder", fpr, tpr, 101, 0.97, 0, false },
    { "PCA", fpr2, tpr2, 101, 0.71, 7, true },
  };
  LabRocData data = { curves, 2, "ROC", true, 0.1, pow (0.1, 0.15), NULL };
  cairo_surface_t *s = render ("roc", lab_plot_roc_draw_func, &data, 480, 420);
  /* A good curve lies above the diagonal (only its legend swatch lies below). */
  int above = 0, below = 0;
  LabRgba blue = light_color (0);
  for (int y = 0; y < 420; y++)
    for (int x = 0; x < 480; x++)
      if (test_color_near (test_pixel (s, x, y), blue.r, blue.g, blue.b, 12))
        {
          if (y < 420.0 * (1.0 - x / 480.0))
            above++;
          else
            below++;
        }
  CHECK (above > 400 && above > 5 * below, "an AUROC 0.97 curve is above the diagonal: %d vs %d",
         above, below);
  cairo_surface_destroy (s);
  char summary[128];
  lab_plot_roc_summary (&data, summary, sizeof summary);
  CHECK (strcmp (summary, "autoencoder AUROC 0.970, PCA AUROC 0.710") == 0, "%s", summary);
}

static void
test_sequence (void)
{
  enum { STEPS = 160, FEATURES = 2 };
  static float input[STEPS * FEATURES], recon[STEPS * FEATURES], error[STEPS];
  static unsigned char anomalous[STEPS];
  for (int t = 0; t < STEPS; t++)
    {
      double spike = t >= 100 && t < 112 ? 0.6 : 0.0;
      input[t * 2] = (float) (0.5 + 0.3 * sin (t * 0.15) + spike);
      input[t * 2 + 1] = (float) (0.4 + 0.2 * cos (t * 0.09));
      recon[t * 2] = (float) (0.5 + 0.28 * sin (t * 0.15 - 0.05));
      recon[t * 2 + 1] = (float) (0.4 + 0.19 * cos (t * 0.09 - 0.04));
      error[t] = (float) (pow (input[t * 2] - recon[t * 2], 2) + pow (input[t * 2 + 1] - recon[t * 2 + 1], 2));
      anomalous[t] = error[t] > 0.1f;
    }
  input[40] = NAN;
  const char *names[] = { "sensor a", "sensor b" };
  LabSequenceData data = { input, recon, STEPS, FEATURES, names, error, anomalous,
                           "Sequence and reconstruction", "step", NULL };
  cairo_surface_t *s = render ("sequence", lab_plot_sequence_draw_func, &data, W, H);
  CHECK (count_color (s, light_color (0), 40) > 300, "first feature drawn");
  /* Anomalous steps: shaded in the plot and coloured in the error strip beneath it. */
  int strip_ink = 0;
  LabRgba red = light_color (3);
  for (int y = H * 3 / 4; y < H; y++)
    for (int x = 0; x < W; x++)
      strip_ink += test_color_near (test_pixel (s, x, y), red.r, red.g, red.b, 6);
  CHECK (strip_ink > 100, "anomalous steps in the error strip: %d pixels", strip_ink);
  cairo_surface_destroy (s);

  /* A series along the top of its range all the way across: the legend must not hide any of
   * it (every column of the plot's width shows the line). */
  static float high[STEPS];
  for (int t = 0; t < STEPS; t++)
    high[t] = t == 0 ? 0.0f : t == 1 ? 1.0f : 0.9f;
  LabSequenceData top = { high, NULL, STEPS, 1, NULL, NULL, NULL, "High", "step", NULL };
  s = render ("sequence-high", lab_plot_sequence_draw_func, &top, W, 200);
  int bare_columns = 0;
  for (int x = W / 8; x < W - W / 8; x++)
    {
      bool line = false;
      for (int y = 0; y < 200 && !line; y++)
        line = test_color_near (test_pixel (s, x, y), light_color (0).r, light_color (0).g,
                                light_color (0).b, 40);
      bare_columns += !line;
    }
  CHECK (bare_columns == 0, "the legend hides the line in %d columns", bare_columns);
  cairo_surface_destroy (s);

  /* The same in a narrow chart with its reconstruction and anomalous steps: the legend's
   * three entries wrap onto two rows above the plot rather than going inside it (three
   * sequences side by side on a projector). */
  enum { NARROW = 330 };
  static unsigned char flagged[STEPS];
  for (int t = 0; t < STEPS; t++)
    flagged[t] = t >= 100 && t < 130;
  LabSequenceData narrow = { high, high, STEPS, 1, NULL, NULL, flagged, "High", "step", NULL };
  s = render ("sequence-narrow", lab_plot_sequence_draw_func, &narrow, NARROW, 260);
  bare_columns = 0;
  for (int x = NARROW / 4; x < NARROW - NARROW / 8; x++)
    {
      /* the pale input or the dashed reconstruction over it: blue either way */
      bool line = false;
      for (int y = 0; y < 260 && !line; y++)
        {
          uint32_t p = test_pixel (s, x, y);
          line = (int) (p & 0xff) - (int) ((p >> 16) & 0xff) > 50;
        }
      bare_columns += !line;
    }
  CHECK (bare_columns == 0, "narrow: the legend hides the line in %d columns", bare_columns);
  CHECK (count_color (s, light_color (3), 6) > 20, "narrow: the anomalous steps' swatch is drawn");
  cairo_surface_destroy (s);

  LabSequenceData plain = { input, NULL, STEPS, 1, NULL, NULL, NULL, "Series", "step", NULL };
  s = render ("sequence-plain", lab_plot_sequence_draw_func, &plain, W, 260);
  CHECK (test_distinct_colors (s) > 10, "drawn");
  cairo_surface_destroy (s);
}

static void
test_bars (void)
{
  enum { N = 64 };
  static float values[N];
  static unsigned char dead[N];
  for (int i = 0; i < N; i++)
    {
      values[i] = (float) (0.05 + 0.04 * sin (i * 1.7) * sin (i * 0.3));
      dead[i] = i % 13 == 5;
      if (dead[i])
        values[i] = 0.0f;
    }
  values[9] = NAN;
  LabBarsData data = { values, N, dead, "dead units", 2, true, 0.05, "ρ = 0.05",
                       "Mean activation per hidden unit", "hidden unit", "mean activation", NULL };
  cairo_surface_t *s = render ("bars", lab_plot_bars_draw_func, &data, W, H);
  CHECK (count_color (s, light_color (2), 4) > 1000, "green bars");
  cairo_surface_destroy (s);

  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  int seen = 0, last = -1;
  bool ordered = true;
  for (int px = 0; px < W; px++)
    {
      int i = lab_plot_bars_index_at (W, H, &data, &style, px);
      if (i < 0 || i == last)
        continue;
      ordered = ordered && i == last + 1;
      last = i;
      seen++;
    }
  CHECK (ordered && seen == N, "every bar reachable in order (%d)", seen);
  char summary[128];
  lab_plot_bars_summary (&data, summary, sizeof summary);
  CHECK (strstr (summary, "63 bars from 0 to") != NULL && strstr (summary, "; 5 dead units"),
         "%s", summary);

  float kl[12] = { 2.1f, 0.02f, 1.4f, 0.9f, 0.01f, 3.2f, 0.4f, 0.0f, 1.1f, 2.6f, 0.05f, 0.7f };
  LabBarsData kl_data = { kl, 12, NULL, NULL, 0, false, 0, NULL, "KL per latent dimension",
                          "latent dimension", "KL (nats)", NULL };
  s = render ("bars-kl", lab_plot_bars_draw_func, &kl_data, 480, 300);
  long bar_pixels = count_color (s, light_color (0), 4);
  cairo_surface_destroy (s);

  /* Numbered from 1 (z1, z2, ...): the same bars in the same places, only the axis moves. */
  kl_data.first_number = 1;
  s = render ("bars-kl-from-1", lab_plot_bars_draw_func, &kl_data, 480, 300);
  CHECK (labs (count_color (s, light_color (0), 4) - bar_pixels) <= bar_pixels / 50,
         "bars numbered from 1 drawn as those from 0 (%ld pixels)", bar_pixels);
  cairo_surface_destroy (s);
  last = -1;
  seen = 0;
  ordered = true;
  for (int px = 0; px < 480; px++)
    {
      int i = lab_plot_bars_index_at (480, 300, &kl_data, &style, px);
      if (i < 0 || i == last)
        continue;
      ordered = ordered && i == last + 1;
      last = i;
      seen++;
    }
  CHECK (ordered && seen == 12, "every bar numbered from 1 reachable in order (%d)", seen);
}

/* Captions wider than their images' places are left out rather than run together: small
 * images captioned "class 8" draw as those captioned with nothing; with room they show. */
static void
test_image_captions_fit (void)
{
  enum { N = 8, SIDE = 28 };
  static float pixels[N * SIDE * SIDE];
  static const char *const wide[N] = { "class 8", "class 5", "class 6", "class 8",
                                       "class 0", "class 7", "class 4", "class 8" };
  static const char *const empty[N] = { "", "", "", "", "", "", "", "" };
  for (int i = 0; i < N * SIDE * SIDE; i++)
    pixels[i] = (float) ((i / 3) % 2);
  LabImageRow row = { "input", pixels, N, LAB_IMAGE_GREY, 0, wide };
  LabImageGridData data = { SIDE, SIDE, &row, 1, 0, NULL, NULL, -1, -1, NULL, NULL, 0 };

  for (int size = 0; size < 2; size++)
    {
      int w = size == 0 ? 330 : 900, h = size == 0 ? 60 : 200;
      row.captions = wide;
      cairo_surface_t *captioned = render (size == 0 ? "images-captions-narrow" : "images-captions-wide",
                                           lab_plot_image_grid_draw_func, &data, w, h);
      row.captions = empty;
      cairo_surface_t *bare = render ("images-captions-empty", lab_plot_image_grid_draw_func, &data,
                                      w, h);
      cairo_surface_flush (captioned);
      cairo_surface_flush (bare);
      bool same = memcmp (cairo_image_surface_get_data (captioned),
                          cairo_image_surface_get_data (bare),
                          (size_t) cairo_image_surface_get_stride (bare) * h) == 0;
      if (size == 0)
        CHECK (same, "captions too wide for small images are left out");
      else
        CHECK (!same, "captions that fit are drawn");
      cairo_surface_destroy (captioned);
      cairo_surface_destroy (bare);
    }
}

/* A title wider than its chart ends in an ellipsis inside the chart, not cut at its edge, and
 * the text drawn after it (the axes' numbers) is not ellipsized with it. */
static void
test_title_ellipsized (void)
{
  enum { STEPS = 64, TW = 320, TH = 220 };
  static float input[STEPS];
  for (int t = 0; t < STEPS; t++)
    input[t] = (float) (0.5 + 0.3 * sin (t * 0.2));
  LabSequenceData data = { input, NULL, STEPS, 1, NULL, NULL, NULL,
                           "Test sequence 0 · anomalous beat, steps 60 to 112 · MSE 0.0010",
                           "step", NULL };
  cairo_surface_t *s = render ("title-long", lab_plot_sequence_draw_func, &data, TW, TH);
  uint32_t background = test_pixel (s, 0, 0);
  int title_ink = 0, edge_ink = 0;
  for (int y = 0; y < 30; y++)
    for (int x = 0; x < TW; x++)
      if (test_pixel (s, x, y) != background)
        {
          title_ink++;
          edge_ink += x >= TW - 6;
        }
  CHECK (title_ink > 200, "the title is drawn: %d pixels", title_ink);
  CHECK (edge_ink == 0, "the title runs to the chart's edge: %d pixels there", edge_ink);
  cairo_surface_destroy (s);

  /* the same chart with a short title draws the same plot beneath it */
  data.title = "Test";
  cairo_surface_t *plain = render ("title-short", lab_plot_sequence_draw_func, &data, TW, TH);
  s = render ("title-long", lab_plot_sequence_draw_func,
              &(LabSequenceData) { input, NULL, STEPS, 1, NULL, NULL, NULL,
                                   "Test sequence 0 · anomalous beat, steps 60 to 112", "step",
                                   NULL }, TW, TH);
  int differ = 0;
  for (int y = 40; y < TH; y++)
    for (int x = 0; x < TW; x++)
      differ += test_pixel (s, x, y) != test_pixel (plain, x, y);
  CHECK (differ == 0, "below the title the plots differ in %d pixels", differ);
  cairo_surface_destroy (s);
  cairo_surface_destroy (plain);
}

/* A short chart's vertical axis label stays inside it, ended with "…" (the Latent view's
 * PCA baseline on a projector: "principal component 2" on a plot ~70 pixels tall). */
static void
test_y_label_ellipsized (void)
{
  enum { TW = 320, TH = 130, LABEL_COLUMNS = 24 };
  static const float points[] = { -1.0f, -1.0f, 0.5f, 0.2f, 1.0f, 1.0f };
  LabScatterData d = { 0 };
  d.points = points;
  d.n_points = 3;
  d.highlight = -1;
  d.x_label = "principal component 1";
  d.y_label = "principal component 2 of the raw inputs";
  cairo_surface_t *s = render ("y-label-long", lab_plot_scatter_draw_func, &d, TW, TH);
  uint32_t background = test_pixel (s, TW - 1, 0);
  int label_ink = 0, edge_ink = 0;
  for (int y = 0; y < TH; y++)
    for (int x = 0; x < LABEL_COLUMNS; x++)
      if (test_pixel (s, x, y) != background)
        {
          label_ink++;
          edge_ink += y < 2 || y >= TH - 2;
        }
  CHECK (label_ink > 100, "the label is drawn: %d pixels", label_ink);
  CHECK (edge_ink == 0, "the label runs off the chart's top or bottom: %d pixels there", edge_ink);
  cairo_surface_destroy (s);
}

/* ---------------------------------------------------------------------------------------- */

static bool
file_starts_with (const char *path, const char *magic)
{
  FILE *fp = fopen (path, "rb");
  if (fp == NULL)
    return false;
  char buf[16] = { 0 };
  size_t n = fread (buf, 1, strlen (magic), fp);
  fclose (fp);
  return n == strlen (magic) && memcmp (buf, magic, n) == 0;
}

static void
test_export (void)
{
  LossFixture f;
  loss_fixture (&f, true);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  style.fill_background = false;
  char path[1024];

  snprintf (path, sizeof path, "%s/export-loss.png", output_dir);
  CHECK (lab_plot_export (path, 640, 360, lab_plot_loss_draw_func, &f.data, &style)
           == CAIRO_STATUS_SUCCESS, "png");
  cairo_surface_t *png = cairo_image_surface_create_from_png (path);
  CHECK (cairo_surface_status (png) == CAIRO_STATUS_SUCCESS, "read back %s", path);
  CHECK (cairo_image_surface_get_width (png) == 640 && cairo_image_surface_get_height (png) == 360,
         "size %dx%d", cairo_image_surface_get_width (png), cairo_image_surface_get_height (png));
  /* Export paints its own background even when the style leaves it to the widget. */
  CHECK (cairo_surface_status (png) == CAIRO_STATUS_SUCCESS
           && ((const uint32_t *) (const void *) cairo_image_surface_get_data (png))[0] >> 24 == 0xff,
         "opaque background");
  CHECK (test_distinct_colors (png) > 20, "exported picture is not blank");
  cairo_surface_destroy (png);

  snprintf (path, sizeof path, "%s/export-loss.svg", output_dir);
  CHECK (lab_plot_export (path, 640, 360, lab_plot_loss_draw_func, &f.data, &style)
           == CAIRO_STATUS_SUCCESS, "svg");
  CHECK (file_starts_with (path, "<?xml") || file_starts_with (path, "<svg"), "%s is SVG", path);

  snprintf (path, sizeof path, "%s/export-loss.PDF", output_dir);
  CHECK (lab_plot_export (path, 640, 360, lab_plot_loss_draw_func, &f.data, &style)
           == CAIRO_STATUS_SUCCESS, "pdf");
  CHECK (file_starts_with (path, "%PDF-"), "%s is PDF", path);

  snprintf (path, sizeof path, "%s/export-loss.bmp", output_dir);
  CHECK (lab_plot_export (path, 640, 360, lab_plot_loss_draw_func, &f.data, &style)
           == CAIRO_STATUS_INVALID_FORMAT, "unknown extension refused");
  CHECK (lab_plot_export ("/nonexistent-folder/x.png", 64, 64, lab_plot_loss_draw_func, &f.data,
                          &style) != CAIRO_STATUS_SUCCESS, "unwritable path reported");
  CHECK (lab_plot_export ("/nonexistent-folder/x.svg", 64, 64, lab_plot_loss_draw_func, &f.data,
                          &style) != CAIRO_STATUS_SUCCESS, "unwritable SVG reported");
  snprintf (path, sizeof path, "%s/export-zero.png", output_dir);
  CHECK (lab_plot_export (path, 0, 10, lab_plot_loss_draw_func, &f.data, &style)
           == CAIRO_STATUS_INVALID_SIZE, "zero size refused");
}

static void
test_presentation_scale (void)
{
  LossFixture f;
  loss_fixture (&f, true);
  LabPlotStyle style;
  lab_plot_style_init_light (&style);
  double x_normal, x_big;
  lab_plot_loss_x_at (W, H, &f.data, &style, W / 2.0, &x_normal);
  style.font_scale = style.line_scale = 1.8;
  lab_plot_loss_x_at (W, H, &f.data, &style, W / 2.0, &x_big);
  CHECK (x_normal != x_big, "bigger labels take margin from the plot area");
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (s);
  lab_plot_loss_draw (cr, W, H, &f.data, &style);
  cairo_destroy (cr);
  char path[1024];
  snprintf (path, sizeof path, "%s/plot-loss-presentation.png", output_dir);
  cairo_surface_write_to_png (s, path);
  int n;
  mean_row_of_color (s, light_color (0), 0, W, &n);
  CHECK (n > 1000, "thick curves: %d pixels", n);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "--output") == 0)
      output_dir = argv[i + 1];
  static const AeTestCase cases[] = {
    { "/ticks/linear", test_linear_ticks },
    { "/ticks/log", test_log_ticks },
    { "/ticks/format", test_format_tick },
    { "/loss/falling", test_loss_falling },
    { "/loss/legend-best", test_loss_legend_best },
    { "/loss/nan", test_loss_nan },
    { "/loss/empty", test_loss_empty },
    { "/loss/mapping", test_loss_mapping },
    { "/loss/presentation", test_presentation_scale },
    { "/curves/code-size", test_curves_vs_x },
    { "/images/grid", test_image_grid },
    { "/images/as-row", test_images_as_row },
    { "/images/series", test_image_series },
    { "/images/layouts", test_image_layouts },
    { "/images/cache", test_image_cache },
    { "/images/captions-fit", test_image_captions_fit },
    { "/scatter/draw", test_scatter_draw },
    { "/scatter/marker-sigma", test_scatter_marker_sigma },
    { "/scatter/mapping", test_scatter_mapping },
    { "/scatter/legend-hide", test_scatter_legend_hide },
    { "/scatter/equal-aspect", test_scatter_equal_aspect },
    { "/histogram", test_histogram },
    { "/histogram/short", test_histogram_short },
    { "/roc", test_roc },
    { "/sequence", test_sequence },
    { "/bars", test_bars },
    { "/export", test_export },
    { "/text/shaping", test_text_shaping },
    { "/text/title-ellipsized", test_title_ellipsized },
    { "/text/y-label-ellipsized", test_y_label_ellipsized },
  };
  int status = ae_test_main (argc, argv, cases, AE_N_CASES (cases));
  /* Pango's fonts (plot text) and Cairo's font caches, so that a leak checker sees only our
   * own allocations; Pango's go first, as they hold Cairo's. */
  pango_cairo_font_map_set_default (NULL);
  cairo_debug_reset_static_data ();
  return status;
}
