/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-chart.c: LabChart under a display (Xvfb): it draws its plot with theme colours,
 * follows the dark theme, turns gestures into its own signals, owns and frees its data,
 * and exports. The rendered charts are written as chart-*.png to --output DIR. */
#include "lab-chart.h"
#include "test-plots-util.h"

#include <string.h>

#define N_POINTS 30

static const char *output_dir = ".";

/* The plot's data first, so that the chart's data pointer is also the block to free. */
typedef struct {
  LabLossData data;
  LabSeries series;
  double x[N_POINTS], y[N_POINTS];
} LossData;

static int loss_data_freed;

static LabLossData *
loss_data_new (void)
{
  LossData *d = g_new0 (LossData, 1);
  for (int i = 0; i < N_POINTS; i++)
    {
      d->x[i] = i + 1;
      d->y[i] = 20.0 * exp (-i / 5.0) + 1.0;
    }
  d->series = (LabSeries){ "reconstruction (train)", d->x, d->y, N_POINTS, 0, false, false };
  d->data.series = &d->series;
  d->data.n_series = 1;
  d->data.title = "Loss";
  d->data.x_label = "epoch";
  d->data.log_y = TRUE;
  return &d->data;
}

static void
loss_data_free (gpointer data)
{
  loss_data_freed++;
  g_free (data);
}

static gboolean
wait_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the main loop until the chart is mapped with a size (or five seconds pass). */
static void
wait_for_size (GtkWidget *chart)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (5000, wait_timeout, &timed_out);
  while (!timed_out && (!gtk_widget_get_mapped (chart) || gtk_widget_get_width (chart) <= 0))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  /* Let pending style changes land. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (timed_out);
}

static GtkWidget *
chart_window (GtkWidget **window_out)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *chart = lab_chart_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 400);
  gtk_window_set_child (GTK_WINDOW (window), chart);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_size (chart);
  *window_out = window;
  return chart;
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  (*(int *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Lets the window draw a few frames, so that what was queued has been drawn. */
static void
wait_frames (GtkWidget *chart, int n)
{
  int frames = 0;
  gboolean timed_out = FALSE;
  guint tick = gtk_widget_add_tick_callback (chart, count_frame, &frames, NULL);
  guint id = g_timeout_add (5000, wait_timeout, &timed_out);
  while (!timed_out && frames < n)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  gtk_widget_remove_tick_callback (chart, tick);
  g_assert_false (timed_out);
}

/* The chart as GTK draws it: widget paintable -> render node -> cairo image. */
static cairo_surface_t *
render_chart (GtkWidget *chart, const char *name)
{
  wait_frames (chart, 3);
  int w = gtk_widget_get_width (chart), h = gtk_widget_get_height (chart);
  GdkPaintable *paintable = gtk_widget_paintable_new (chart);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  GskRenderNode *node = gtk_snapshot_free_to_node (snapshot);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (surface);
  /* The chart leaves its background to CSS: paint the style's background first. */
  const LabPlotStyle *style = lab_chart_get_style (LAB_CHART (chart));
  cairo_set_source_rgb (cr, style->background.r, style->background.g, style->background.b);
  cairo_paint (cr);
  if (node != NULL)
    {
      gsk_render_node_draw (node, cr);
      gsk_render_node_unref (node);
    }
  cairo_destroy (cr);
  g_object_unref (paintable);
  char *path = g_strdup_printf ("%s/chart-%s.png", output_dir, name);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  g_free (path);
  return surface;
}

static int
count_near (cairo_surface_t *surface, LabRgba c, int tolerance)
{
  int n = 0, w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      n += test_color_near (test_pixel (surface, x, y), c.r, c.g, c.b, tolerance);
  return n;
}

static void
test_chart_render (void)
{
  GtkWidget *window;
  GtkWidget *chart = chart_window (&window);
  cairo_surface_t *empty = render_chart (chart, "nothing");
  g_assert_cmpint (test_ink_pixels (empty), ==, 0);
  cairo_surface_destroy (empty);

  lab_chart_set_draw_func (LAB_CHART (chart), lab_plot_loss_draw_func, loss_data_new (),
                           loss_data_free);
  cairo_surface_t *surface = render_chart (chart, "loss-light");
  const LabPlotStyle *style = lab_chart_get_style (LAB_CHART (chart));
  g_assert_false (style->dark);
  g_assert_cmpint (test_distinct_colors (surface), >, 10);
  g_assert_cmpint (count_near (surface, style->palette[0], 16), >, 300);
  cairo_surface_destroy (surface);

  /* The dark theme reaches the plot through CSS. */
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", TRUE, NULL);
  wait_for_size (chart);
  style = lab_chart_get_style (LAB_CHART (chart));
  g_assert_true (style->dark);
  g_assert_cmpfloat (style->foreground.r, >, 0.6);
  surface = render_chart (chart, "loss-dark");
  g_assert_cmpint (count_near (surface, style->palette[0], 16), >, 300);
  g_assert_cmpint (count_near (surface, style->foreground, 40), >, 100); /* text */
  cairo_surface_destroy (surface);
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", FALSE, NULL);
  wait_for_size (chart);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_chart_css_colors (void)
{
  /* As the application does: its CSS is in place before the charts are shown. */
  GtkWidget *window;
  GtkCssProvider *provider = gtk_css_provider_new ();
  const char *css = "@define-color accent_color #ff0000;\n"
                    "@define-color theme_base_color #fffff0;\n";
  gtk_css_provider_load_from_data (provider, css, -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_USER);
  GtkWidget *chart = chart_window (&window);
  const LabPlotStyle *style = lab_chart_get_style (LAB_CHART (chart));
  g_assert_cmpfloat_with_epsilon (style->accent.r, 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (style->accent.g, 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (style->background.b, 240 / 255.0, 1e-6);
  g_assert_false (style->fill_background);
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                 GTK_STYLE_PROVIDER (provider));
  g_object_unref (provider);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_chart_owns_data (void)
{
  loss_data_freed = 0;
  GtkWidget *chart = g_object_ref_sink (lab_chart_new ());
  lab_chart_set_draw_func (LAB_CHART (chart), lab_plot_loss_draw_func, loss_data_new (),
                           loss_data_free);
  LabLossData *second = loss_data_new ();
  lab_chart_set_draw_func (LAB_CHART (chart), lab_plot_loss_draw_func, second, loss_data_free);
  g_assert_cmpint (loss_data_freed, ==, 1);
  g_assert_true (lab_chart_get_data (LAB_CHART (chart)) == second);
  g_object_unref (chart);
  g_assert_cmpint (loss_data_freed, ==, 2);
}

typedef struct {
  int motion, pressed, clicked, drag_begin, drag_update, drag_end;
  double x, y, begin_x, begin_y;
} Events;

static void
on_motion (LabChart *chart, double x, double y, Events *e)
{
  e->motion++;
  e->x = x;
  e->y = y;
}

static void
on_pressed (LabChart *chart, int n, double x, double y, Events *e)
{
  e->pressed++;
}

static void
on_clicked (LabChart *chart, double x, double y, Events *e)
{
  e->clicked++;
  e->x = x;
  e->y = y;
}

static void
on_drag_begin (LabChart *chart, double x, double y, Events *e)
{
  e->drag_begin++;
  e->begin_x = x;
  e->begin_y = y;
}

static void
on_drag_update (LabChart *chart, double x, double y, Events *e)
{
  e->drag_update++;
  e->x = x;
  e->y = y;
}

static void
on_drag_end (LabChart *chart, double x, double y, Events *e)
{
  e->drag_end++;
  e->x = x;
  e->y = y;
}

static GObject *
find_controller (GtkWidget *widget, GType type)
{
  GListModel *controllers = gtk_widget_observe_controllers (widget);
  GObject *found = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && found == NULL; i++)
    {
      GObject *controller = g_list_model_get_item (controllers, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        found = controller;
      g_object_unref (controller); /* the widget keeps it alive */
    }
  g_object_unref (controllers);
  g_assert_nonnull (found);
  return found;
}

static void
test_chart_signals (void)
{
  GtkWidget *chart = g_object_ref_sink (lab_chart_new ());
  Events e = { 0 };
  g_signal_connect (chart, "motion", G_CALLBACK (on_motion), &e);
  g_signal_connect (chart, "pressed", G_CALLBACK (on_pressed), &e);
  g_signal_connect (chart, "clicked", G_CALLBACK (on_clicked), &e);
  g_signal_connect (chart, "drag-begin", G_CALLBACK (on_drag_begin), &e);
  g_signal_connect (chart, "drag-update", G_CALLBACK (on_drag_update), &e);
  g_signal_connect (chart, "drag-end", G_CALLBACK (on_drag_end), &e);

  GObject *motion = find_controller (chart, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  GObject *click = find_controller (chart, GTK_TYPE_GESTURE_CLICK);
  GObject *drag = find_controller (chart, GTK_TYPE_GESTURE_DRAG);

  g_signal_emit_by_name (motion, "motion", 12.5, 40.0);
  g_assert_cmpint (e.motion, ==, 1);
  g_assert_cmpfloat (e.x, ==, 12.5);
  g_assert_cmpfloat (e.y, ==, 40.0);

  /* A press and release in place is a click. */
  g_signal_emit_by_name (click, "pressed", 1, 100.0, 80.0);
  g_signal_emit_by_name (drag, "drag-begin", 100.0, 80.0);
  g_signal_emit_by_name (drag, "drag-update", 1.0, 0.0);
  g_signal_emit_by_name (drag, "drag-end", 1.0, 0.0);
  g_signal_emit_by_name (click, "released", 1, 101.0, 80.0);
  g_assert_cmpint (e.pressed, ==, 1);
  g_assert_cmpint (e.clicked, ==, 1);
  g_assert_cmpint (e.drag_begin, ==, 0);
  g_assert_cmpint (e.drag_end, ==, 0);
  g_assert_cmpfloat (e.x, ==, 101.0);

  /* A press that travels is a drag, not a click; positions are in widget coordinates. */
  g_signal_emit_by_name (click, "pressed", 1, 50.0, 60.0);
  g_signal_emit_by_name (drag, "drag-begin", 50.0, 60.0);
  g_signal_emit_by_name (drag, "drag-update", 40.0, -10.0);
  g_assert_cmpint (e.drag_begin, ==, 1);
  g_assert_cmpfloat (e.begin_x, ==, 50.0);
  g_assert_cmpfloat (e.begin_y, ==, 60.0);
  g_assert_cmpint (e.drag_update, ==, 1);
  g_assert_cmpfloat (e.x, ==, 90.0);
  g_assert_cmpfloat (e.y, ==, 50.0);
  g_signal_emit_by_name (drag, "drag-end", 45.0, -12.0);
  g_signal_emit_by_name (click, "released", 1, 95.0, 48.0);
  g_assert_cmpint (e.drag_end, ==, 1);
  g_assert_cmpfloat (e.x, ==, 95.0);
  g_assert_cmpfloat (e.y, ==, 48.0);
  g_assert_cmpint (e.clicked, ==, 1);

  g_object_unref (chart);
}

static void
test_chart_export (void)
{
  GtkWidget *window;
  GtkWidget *chart = chart_window (&window);
  GError *error = NULL;
  char *path = g_strdup_printf ("%s/chart-export.png", output_dir);

  g_assert_false (lab_chart_export (LAB_CHART (chart), path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_clear_error (&error);

  lab_chart_set_draw_func (LAB_CHART (chart), lab_plot_loss_draw_func, loss_data_new (),
                           loss_data_free);
  g_assert_true (lab_chart_export (LAB_CHART (chart), path, &error));
  g_assert_no_error (error);
  cairo_surface_t *png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, gtk_widget_get_width (chart));
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, gtk_widget_get_height (chart));
  g_assert_cmpint (test_distinct_colors (png), >, 10);
  cairo_surface_destroy (png);

  g_assert_false (lab_chart_export (LAB_CHART (chart), "/tmp/chart.gif", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/tmp/chart.gif"));
  g_clear_error (&error);
  g_assert_false (lab_chart_export (LAB_CHART (chart), "/nonexistent-folder/c.png", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_free (path);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
notify_count (GObject *object, GParamSpec *pspec, int *count)
{
  (*count)++;
}

static void
test_chart_properties (void)
{
  GtkWidget *chart = g_object_ref_sink (lab_chart_new ());
  int notified = 0;
  g_signal_connect (chart, "notify::description", G_CALLBACK (notify_count), &notified);
  lab_chart_set_description (LAB_CHART (chart), "train loss 12.3 at epoch 5");
  lab_chart_set_description (LAB_CHART (chart), "train loss 12.3 at epoch 5");
  g_assert_cmpint (notified, ==, 1);
  g_assert_cmpstr (lab_chart_get_description (LAB_CHART (chart)), ==,
                   "train loss 12.3 at epoch 5");
  lab_chart_set_description (LAB_CHART (chart), NULL);
  g_assert_null (lab_chart_get_description (LAB_CHART (chart)));

  g_object_set (chart, "scale", 1.6, NULL);
  g_assert_cmpfloat (lab_chart_get_scale (LAB_CHART (chart)), ==, 1.6);
  g_assert_cmpfloat (lab_chart_get_style (LAB_CHART (chart))->font_scale, ==, 1.6);
  g_assert_cmpfloat (lab_chart_get_style (LAB_CHART (chart))->line_scale, ==, 1.6);
  g_object_unref (chart);
}

int
main (int argc, char **argv)
{
  /* --output DIR is ours; GTest sees the rest. */
  int kept = 1;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--output") == 0 && i + 1 < argc)
        output_dir = argv[++i];
      else
        argv[kept++] = argv[i];
    }
  argc = kept;
  argv[argc] = NULL;

  /* Xvfb gives no session bus, and GTK's warning that the accessibility bus is missing
   * would be fatal in a test. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chart/render", test_chart_render);
  g_test_add_func ("/chart/css-colors", test_chart_css_colors);
  g_test_add_func ("/chart/owns-data", test_chart_owns_data);
  g_test_add_func ("/chart/signals", test_chart_signals);
  g_test_add_func ("/chart/export", test_chart_export);
  g_test_add_func ("/chart/properties", test_chart_properties);
  return g_test_run ();
}
