/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-fit.c: every view fits the screen it runs on, in the normal window and in
 * presentation mode: the window's minimum and natural sizes are no larger than the monitor,
 * each view's natural size fits the room the window leaves it (seen whole, not scrolled, and
 * no scrolled part of it hiding anything), no plot draws its placeholder for want of room, and no
 * heading is smaller than the body text. Run under Xvfb at the classroom sizes (meson runs it
 * at 1280x720 and at 1366x768); `--output DIR` keeps a shot of every view, named
 * fit-WxH-MODE-DATA-VIEW.png.
 */
#include <string.h>

#include "lab-plot.h"
#include "lab-window-private.h"
#include "window-test-util.h"

static int screen_width, screen_height;

/* Every problem of every view is listed before the test fails. */
#define fail(...) (g_test_message (__VA_ARGS__), g_test_fail ())

static gboolean
is_loaded (LabWindow *window)
{
  LabSession *session = lab_window_get_session (window);
  LabSnapshot *shown = lab_training_view_get_snapshot (_lab_window_get_training_view (window));

  return !lab_session_get_loading (session) && lab_session_get_weights (session) != NULL
         && shown != NULL && shown->preview_output != NULL;
}

static double
font_points (GtkWidget *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);

  return pango_font_description_get_size (pango_context_get_font_description (context))
         / (double) PANGO_SCALE;
}

/* Every shown label styled as a heading (or a title) is at least as large as body text. */
static void
check_headings (GtkWidget *widget, double body, const char *where)
{
  static const char *const heading_classes[] = {
    "heading", "title-1", "title-2", "title-3", "title-4", "concept-heading",
  };

  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    for (guint i = 0; i < G_N_ELEMENTS (heading_classes); i++)
      if (gtk_widget_has_css_class (widget, heading_classes[i]))
        {
          double size = font_points (widget);

          if (size + 0.01 < body)
            fail ("%s: heading \"%s\" at %.1f pt is smaller than the body text (%.1f pt)", where,
                     gtk_label_get_label (GTK_LABEL (widget)), size, body);
        }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_headings (child, body, where);
}

/* A scrolled part of a view that cannot show all it holds would hide it from the measures
 * above. */
static gboolean
has_hidden_scroll (GtkWidget *widget)
{
  /* a closed drop-down's list scrolls, and is not shown */
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_SCROLLED_WINDOW (widget))
    {
      GtkWidget *child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (widget));
      int width = gtk_widget_get_width (widget), needed_w, needed_h;

      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &needed_w, NULL, NULL, NULL);
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &needed_h, NULL, NULL);
      return needed_w > width || needed_h > gtk_widget_get_height (widget);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_hidden_scroll (child))
      return TRUE;
  return FALSE;
}

static void
queue_draw_all (GtkWidget *widget)
{
  gtk_widget_queue_draw (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    queue_draw_all (child);
}

/* FIT_DEBUG=WHERE (e.g. "normal vae latent") prints the widget tree's sizes there. */
static void
dump (GtkWidget *w, int depth, int max_depth)
{
  int mw, nw, mh, nh;
  if (!gtk_widget_get_visible (w) || depth > max_depth)
    return;
  gtk_widget_measure (w, GTK_ORIENTATION_HORIZONTAL, -1, &mw, &nw, NULL, NULL);
  gtk_widget_measure (w, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (w), &mh, &nh, NULL, NULL);
  g_printerr ("%*s%s %s min %dx%d nat %dx%d alloc %dx%d\n", depth * 2, "", G_OBJECT_TYPE_NAME (w),
              GTK_IS_LABEL (w) ? gtk_label_get_label (GTK_LABEL (w)) : "", mw, mh, nw, nh,
              gtk_widget_get_width (w), gtk_widget_get_height (w));
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    dump (c, depth + 1, max_depth);
}

static void
check_view (LabWindow *window, const char *mode, const char *data, const char *view)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autofree char *where = g_strdup_printf ("%dx%d %s %s %s", screen_width, screen_height, mode,
                                            data, view);
  g_autofree char *shot = g_strdup_printf ("fit-%dx%d-%s-%s-%s.png", screen_width, screen_height,
                                           mode, data, view);
  int min_w, nat_w, min_h, nat_h;
  unsigned squeezed;
  GtkWidget *body = gtk_label_new ("body");

  lab_window_set_view (window, view);
  spin_for (0.4);

  /* full screen hides the header bar (Xvfb has no window manager to make it so) */
  GtkWidget *measured = lab_window_get_presentation (window)
                        ? gtk_window_get_child (GTK_WINDOW (window)) : widget;
  gtk_widget_measure (measured, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, &nat_w, NULL, NULL);
  gtk_widget_measure (measured, GTK_ORIENTATION_VERTICAL, screen_width, &min_h, &nat_h, NULL, NULL);
  g_test_message ("%s: minimum %dx%d, natural %dx%d, shown %dx%d", where, min_w, min_h, nat_w,
                  nat_h, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  if (min_w > screen_width || nat_w > screen_width || min_h > screen_height || nat_h > screen_height)
    fail ("%s: the window asks for %dx%d (natural %dx%d), more than the screen", where, min_w,
             min_h, nat_w, nat_h);
  if (gtk_widget_get_width (widget) > screen_width || gtk_widget_get_height (widget) > screen_height)
    fail ("%s: the window is %dx%d", where, gtk_widget_get_width (widget),
          gtk_widget_get_height (widget));

  /* the whole view in sight: its natural size fits the room the window leaves it, so a
   * class sees every axis and caption without scrolling */
  {
    GtkWidget *page = gtk_stack_get_visible_child (window->stack);
    int page_min_w, page_w, page_min_h, page_h;
    int room_w = gtk_widget_get_width (GTK_WIDGET (window->view_scroller));
    int room_h = gtk_widget_get_height (GTK_WIDGET (window->view_scroller));

    /* full screen hides the header bar; Xvfb has no window manager to do it, so its height
     * is room the view has on a projector */
    if (lab_window_get_presentation (window))
      room_h += gtk_widget_get_height (GTK_WIDGET (window->header_bar));
    gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &page_min_w, &page_w, NULL, NULL);
    gtk_widget_measure (page, GTK_ORIENTATION_VERTICAL, room_w, &page_min_h, &page_h, NULL, NULL);
    g_test_message ("%s: the view's natural size %dx%d (minimum %dx%d) in %dx%d", where, page_w,
                    page_h, page_min_w, page_min_h, room_w, room_h);
    /* across, the minimum: the natural width of wrapping text is its length on one line */
    if (page_min_w > room_w || page_h > room_h)
      fail ("%s: the view needs %dx%d, the window leaves it %dx%d", where, page_min_w, page_h,
            room_w, room_h);
    if (has_hidden_scroll (page))
      fail ("%s: a scrolled part of the view hides some of what it holds", where);
  }

  /* drawn as it is on screen: no plot may fall back to its placeholder for lack of room
   * (every widget draws afresh: GTK would reuse what a chart drew before) */
  queue_draw_all (widget);
  squeezed = lab_plot_too_small_count ();
  g_object_unref (render_widget (widget));
  if (lab_plot_too_small_count () != squeezed)
    fail ("%s: a plot had too little room and drew its placeholder", where);

  /* the body text's size as a plain label in the view sees it */
  gtk_widget_set_parent (body, gtk_stack_get_visible_child (window->stack));
  check_headings (GTK_WIDGET (window), font_points (body), where);
  gtk_widget_unparent (body);

  save_window_shot (window, shot);
  if (g_getenv ("FIT_DEBUG") && strstr (where, g_getenv ("FIT_DEBUG")))
    dump (widget, 0, 14);
}

static void
test_fit (gconstpointer user_data)
{
  const char *const *config = user_data; /* dataset, preset, short name */
  const char *const *views = lab_window_get_view_names ();
  LabWindow *window = lab_window_new (NULL);
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  lab_window_start (window, config[0], config[1], FALSE, "training");
  gtk_window_present (GTK_WINDOW (window));
  while (!is_loaded (window) && g_get_monotonic_time () < end)
    spin_for (0.05);
  g_assert_true (is_loaded (window));
  /* a moment of training, so that every view has something to draw */
  lab_session_run (lab_window_get_session (window));
  spin_for (2.0);
  lab_session_pause (lab_window_get_session (window));
  spin_for (0.5);

  for (guint i = 0; views[i] != NULL; i++)
    check_view (window, "normal", config[2], views[i]);
  lab_window_set_presentation (window, TRUE);
  spin_for (0.5);
  for (guint i = 0; views[i] != NULL; i++)
    check_view (window, "presentation", config[2], views[i]);
  lab_window_set_presentation (window, FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.3);
}

int
main (int argc, char **argv)
{
  static const char *const vae[] = { "digits", "vae", "vae" };
  static const char *const denoising[] = { "digits", "denoising", "denoising" };
  static const char *const sequence[] = { "ecg", "sequence", "ecg" };
  GdkMonitor *monitor;
  GdkRectangle geometry;
  g_autoptr (GtkCssProvider) provider = NULL;

  window_test_init (&argc, &argv);
  /* the application's style, as LabApplication loads it at startup */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/latentlab/LatentLab/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  monitor = g_list_model_get_item (gdk_display_get_monitors (gdk_display_get_default ()), 0);
  gdk_monitor_get_geometry (monitor, &geometry);
  g_object_unref (monitor);
  screen_width = geometry.width;
  screen_height = geometry.height;

  g_test_add_data_func ("/fit/vae", vae, test_fit);
  g_test_add_data_func ("/fit/denoising", denoising, test_fit);
  g_test_add_data_func ("/fit/sequence", sequence, test_fit);
  return g_test_run ();
}
