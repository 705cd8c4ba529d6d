/* SPDX-License-Identifier: GPL-3.0-or-later */
/* window-test-util.h: what the view tests under Xvfb share: setup, waiting on the main
 * loop, rendering a widget as it is on screen, and keeping window shots in `--output DIR`. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>

#include "lab-background.h"
#include "lab-window.h"

static char *output_dir; /* from --output, or NULL: no shots kept */

/* Environment for Xvfb, GTest and GTK, and the --output option. */
G_GNUC_UNUSED static void
window_test_init (int *argc, char ***argv)
{
  /* Xvfb has no session bus for the accessibility bridge, and GTest makes its warning fatal */
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_test_init (argc, argv, NULL);
  adw_init (); /* GTK, and the Adwaita style the program has */

  GOptionEntry entries[] = {
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output_dir, "keep pictures here", "DIR" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_parse (context, argc, argv, NULL);
}

/* A field of /proc/self/status in KiB ("VmRSS", "VmHWM"), or 0 where there is none. */
G_GNUC_UNUSED static long
proc_status_kib (const char *field)
{
  FILE *f = fopen ("/proc/self/status", "r");
  size_t len = strlen (field);
  char line[256];
  long kib = 0;

  if (f == NULL)
    return 0;
  while (fgets (line, sizeof line, f) != NULL)
    if (strncmp (line, field, len) == 0 && line[len] == ':')
      {
        kib = strtol (line + len + 1, NULL, 10);
        break;
      }
  fclose (f);
  return kib;
}

/* Runs the main loop for a while, so that reports, layouts and frames happen. */
G_GNUC_UNUSED static void
spin_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

typedef gboolean (*WaitCondition) (gpointer object, gconstpointer data);

/* Runs the main loop until cond (object, data) holds; FALSE when timeout_s went by first. */
G_GNUC_UNUSED static gboolean
wait_until (gpointer object, WaitCondition cond, gconstpointer data, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (!cond (object, data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

/* Runs the main loop until the view has no job running or waiting on a worker, and has shown
 * what they returned. */
G_GNUC_UNUSED static void
wait_for_view (gpointer view)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (lab_background_owner_is_busy (G_OBJECT (view)) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
  g_assert_false (lab_background_owner_is_busy (G_OBJECT (view)));
}

/* A widget as it is on screen, once it has something to draw. */
G_GNUC_UNUSED static GdkTexture *
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
G_GNUC_UNUSED static guint
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

/* The widget (a window) as a PNG in the output folder, when there is one. */
G_GNUC_UNUSED static void
save_window_shot (gpointer window, const char *name)
{
  GdkTexture *texture;
  g_autofree char *path = NULL;

  if (output_dir == NULL)
    return;
  spin_for (0.3);
  texture = render_widget (GTK_WIDGET (window));
  path = g_build_filename (output_dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_object_unref (texture);
}

/* Whether a widget is the one sought; data says what (a text, a type, ...). */
typedef gboolean (*WidgetTest) (GtkWidget *widget, gconstpointer data);

/* The first widget under root, root included and depth first, that test accepts, or NULL. */
G_GNUC_UNUSED static GtkWidget *
find_widget (GtkWidget *root, WidgetTest test, gconstpointer data)
{
  if (test (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, test, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

G_GNUC_UNUSED static gboolean
label_contains (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL;
}

/* A label under widget whose text contains text, or NULL. */
G_GNUC_UNUSED static GtkWidget *
find_label_with (GtkWidget *widget, const char *text)
{
  return find_widget (widget, label_contains, text);
}

static void
session_open_done (GObject *source, GAsyncResult *result, gpointer data)
{
  int *state = data;

  *state = lab_window_open_session_finish (LAB_WINDOW (source), result, NULL) ? 1 : -1;
}

/* Opens the session file in the window (read on a worker) and runs the main loop until it
 * is open (TRUE) or could not be (FALSE, the error shown). */
G_GNUC_UNUSED static gboolean
open_session_and_wait (gpointer window, const char *path)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  int state = 0;

  lab_window_open_session (LAB_WINDOW (window), path, FALSE, session_open_done, &state);
  while (state == 0)
    {
      /* the callback writes into state: it may not outlive this frame */
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return state == 1;
}

/* The question or error shown (an AdwMessageDialog), or NULL. */
G_GNUC_UNUSED static GtkWidget *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) && gtk_widget_get_visible (GTK_WIDGET (item)))
        return GTK_WIDGET (item);
    }
  return NULL;
}
