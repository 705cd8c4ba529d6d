/* test-views-latent.c: the Latent space and Generate views under Xvfb, on a VAE trained for
 * a few dozen steps: a click decodes the code its point maps back to, the interpolation's
 * end points are the decodes of the two samples' codes, and both views draw something.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-views-latent --tap` with
 * GSK_RENDERER=cairo.
 */
#include <math.h>
#include <string.h>

#include "lab-chart.h"
#include "lab-generate-view.h"
#include "lab-latent-view.h"
#include "lab-window-private.h"

static void
spin_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static gboolean
latent_has_steps (LabLatentView *view, long steps, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  for (;;)
    {
      LabSnapshot *s = lab_latent_view_get_snapshot (view);

      if (s != NULL && s->codes != NULL && s->steps >= steps)
        return TRUE;
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* A VAE trained for at least 60 steps, then paused, so that the weights stay put. */
static LabWindow *
open_trained_window (const char *view)
{
  LabWindow *window = lab_window_new (NULL);
  LabLatentView *latent;

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, "digits", "vae", TRUE, view);
  gtk_window_present (GTK_WINDOW (window));
  latent = LAB_LATENT_VIEW (gtk_stack_get_child_by_name (window->stack, "latent"));
  g_assert_true (latent_has_steps (latent, 60, 60));
  lab_session_pause (lab_window_get_session (window));
  /* let the last report in flight arrive, so views and session agree on the weights */
  spin_for (0.5);
  return window;
}

static GdkTexture *
render_widget (GtkWidget *widget)
{
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GskRenderNode *node = NULL;
  GdkTexture *texture;
  int width = 0, height = 0;

  for (int tries = 0; node == NULL && tries < 100; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      spin_for (0.02);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);
  g_object_unref (paintable);
  return texture;
}

/* Distinct colours at 4 bits per channel: a blank widget has one or two. */
static guint
count_colours (GtkWidget *widget)
{
  GdkTexture *texture = render_widget (widget);
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  guchar *pixels = g_malloc (stride * height);
  guint8 seen[4096] = { 0 };
  guint colours = 0;

  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *p = pixels + y * stride + x * 4;
        guint key = (p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4);

        colours += !seen[key];
        seen[key] = 1;
      }
  g_free (pixels);
  g_object_unref (texture);
  return colours;
}

static void
assert_images_equal (const float *a, const float *b, int dim)
{
  for (int i = 0; i < dim; i++)
    g_assert_cmpfloat (a[i], ==, b[i]);
}

static void
test_latent_click (void)
{
  LabWindow *window = open_trained_window ("latent");
  LabSession *session = lab_window_get_session (window);
  LabLatentView *view = LAB_LATENT_VIEW (gtk_stack_get_child_by_name (window->stack, "latent"));
  LabSnapshot *s = lab_latent_view_get_snapshot (view);
  GtkWidget *chart = lab_latent_view_get_scatter (view);
  const LabScatterData *data = lab_chart_get_data (LAB_CHART (chart));
  const LabPlotStyle *style = lab_chart_get_style (LAB_CHART (chart));
  int width = gtk_widget_get_width (chart), height = gtk_widget_get_height (chart);
  float *code = g_new (float, s->latent);
  float *expected = g_new (float, s->dim);
  double px, py, x, y;
  LabPlotRect visible;

  g_assert_cmpint (s->latent, ==, 20);
  g_assert_null (lab_latent_view_get_decoded (view));

  /* a click on the widget where sample 5 sits, as the pointer would give it */
  g_assert_true (lab_plot_scatter_to_widget (width, height, data, style, data->points[10],
                                             data->points[11], &px, &py));
  g_signal_emit_by_name (chart, "clicked", px, py);
  g_assert_nonnull (lab_latent_view_get_decoded (view));
  g_assert_true (lab_plot_scatter_to_data (width, height, data, style, px, py, &x, &y));
  visible = lab_plot_scatter_visible_rect (data);
  g_assert_cmpfloat (fabs (x - data->points[10]), <, 1e-3 * (visible.x1 - visible.x0));
  g_assert_true (lab_latent_view_code_at (view, x, y, code));
  g_assert_true (lab_session_decode (session, expected, code, 1));
  assert_images_equal (lab_latent_view_get_decoded (view), expected, s->dim);

  /* any point of the plane, not only a sample's */
  g_assert_true (lab_latent_view_decode_at (view, 0.7, -1.2));
  g_assert_true (lab_latent_view_code_at (view, 0.7, -1.2, code));
  g_assert_true (lab_session_decode (session, expected, code, 1));
  assert_images_equal (lab_latent_view_get_decoded (view), expected, s->dim);

  /* the 5-NN accuracy of a VAE's codes after a few steps is far above chance (10%) */
  g_assert_cmpfloat (lab_latent_view_get_knn_accuracy (view), >, 0.3);

  g_free (code);
  g_free (expected);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.1);
}

static void
test_generate_end_points (void)
{
  LabWindow *window = open_trained_window ("generate");
  LabSession *session = lab_window_get_session (window);
  LabGenerateView *view = LAB_GENERATE_VIEW (gtk_stack_get_child_by_name (window->stack, "generate"));
  LabWeights *weights = lab_session_get_weights (session);
  int dim = lab_weights_get_input_dim (weights), latent = lab_weights_get_latent_dim (weights);
  float *code = g_new (float, latent);
  float *expected = g_new (float, dim);
  float *middle = g_new (float, dim);
  const long pair[2] = { 3, 7 };

  lab_generate_view_set_pair (view, pair[0], pair[1]);
  for (int end = 0; end < 2; end++)
    {
      const float *sample = lab_session_get_sample (session, LAB_SPLIT_TEST, pair[end], NULL);

      g_assert_nonnull (sample);
      lab_weights_encode (weights, code, NULL, sample, 1);
      lab_weights_decode (weights, expected, code, 1);
      lab_generate_view_set_mix (view, end);
      g_assert_nonnull (lab_generate_view_get_decoded (view));
      assert_images_equal (lab_generate_view_get_decoded (view), expected, dim);
    }

  /* half way is neither end */
  lab_generate_view_set_mix (view, 0.5);
  memcpy (middle, lab_generate_view_get_decoded (view), sizeof (float) * dim);
  g_assert_true (memcmp (middle, expected, sizeof (float) * dim) != 0);

  g_free (code);
  g_free (expected);
  g_free (middle);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.1);
}

static void
test_views_render (void)
{
  LabWindow *window = open_trained_window ("latent");
  LabLatentView *latent = LAB_LATENT_VIEW (gtk_stack_get_child_by_name (window->stack, "latent"));
  LabGenerateView *generate = LAB_GENERATE_VIEW (gtk_stack_get_child_by_name (window->stack, "generate"));
  guint colours;

  /* ten classes in ten colours, axes and text */
  colours = count_colours (lab_latent_view_get_scatter (latent));
  g_test_message ("latent scatter: %u colours", colours);
  g_assert_cmpuint (colours, >=, 10);

  gtk_stack_set_visible_child_name (window->stack, "generate");
  spin_for (0.3);
  /* grey digits: many levels of grey */
  colours = count_colours (lab_generate_view_get_strip (generate));
  g_test_message ("interpolation strip: %u colours", colours);
  g_assert_cmpuint (colours, >=, 8);

  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.1);
}

int
main (int argc, char **argv)
{
  /* Xvfb has no session bus for the accessibility bridge, and GTest makes its warning fatal */
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add_func ("/views/latent/click-decodes-its-code", test_latent_click);
  g_test_add_func ("/views/generate/end-points", test_generate_end_points);
  g_test_add_func ("/views/render", test_views_render);

  return g_test_run ();
}
