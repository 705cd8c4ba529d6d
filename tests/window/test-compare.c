/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-compare.c: sessions and Compare Runs in the window, under Xvfb.
 *
 * Opening a session file shows its view and the Generate view's pair; Compare with a New
 * Seed makes a second run with the same settings but the next seed, which trains beside
 * the first and is drawn with it; Compare with a Saved Session shows a saved copy.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-compare --tap` with GSK_RENDERER=cairo;
 * `--output DIR` keeps the rendered PNG there.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "lab-chart.h"
#include "lab-compare-window.h"
#include "lab-generate-view.h"
#include "lab-session-file.h"
#include "lab-window-private.h"
#include "window-test-util.h"

typedef gboolean (*Condition) (LabSession *session, long value);

static gboolean
wait_for (LabSession *session, Condition cond, long value, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (!cond (session, value))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

static gboolean
is_loaded (LabSession *session, long unused)
{
  LabSnapshot *snapshot = lab_session_get_snapshot (session);

  return !lab_session_get_loading (session) && lab_session_get_dataset_spec (session) != NULL
         && snapshot != NULL && snapshot->preview_output != NULL && snapshot->serial > 0;
}

static gboolean
steps_exactly (LabSession *session, long steps)
{
  LabSnapshot *snapshot = lab_session_get_snapshot (session);

  return snapshot != NULL && snapshot->steps == steps && snapshot->serial > 0
         && !lab_session_get_running (session) && snapshot->state != LAB_TRAINING_RUNNING;
}

static void
set_option (LabSession *session, const char *key, const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_session_set_option (session, key, value, &error));
  g_assert_no_error (error);
}

static LabWindow *
open_window (void)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, "digits", "vae", FALSE, "training");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (session, is_loaded, 0, 30));
  set_option (session, "hidden", "64");
  set_option (session, "latent", "4");
  set_option (session, "seed", "21");
  g_assert_true (wait_for (session, is_loaded, 0, 30));
  return window;
}

static LabCompareWindow *
find_compare (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (LAB_IS_COMPARE_WINDOW (item))
        return LAB_COMPARE_WINDOW (item);
    }
  return NULL;
}

/* Renders a window as it is on screen and saves it when --output is given; returns how
 * many coarse colours it holds (a blank window has one or two). */
static guint
render (GtkWidget *widget, const char *name)
{
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GskRenderNode *node = NULL;
  GdkTexture *texture;
  int width = 0, height = 0;
  guchar *pixels;
  guint8 seen[4096] = { 0 };
  guint colours = 0;

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
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (int i = 0; i < width * height; i++)
    {
      const guchar *p = pixels + (gsize) i * 4;
      guint key = (p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4);

      colours += !seen[key];
      seen[key] = 1;
    }
  if (output_dir != NULL)
    {
      g_autofree char *file = g_strdup_printf ("%s.png", name);
      g_autofree char *path = g_build_filename (output_dir, file, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
    }
  g_free (pixels);
  g_object_unref (texture);
  gsk_render_node_unref (node);
  g_object_unref (paintable);
  return colours;
}

static GtkWindow *
find_toplevel_titled (const char *title)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (GTK_WINDOW (item)), title) == 0)
        return GTK_WINDOW (item);
    }
  return NULL;
}

static gboolean
label_is (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static void
test_open_session (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("compare-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "lesson" LAB_SESSION_FILE_SUFFIX, NULL);
  GtkWidget *generate = gtk_stack_get_child_by_name (window->stack, "generate");
  const long pair[2] = { 11, 42 };
  long first, second;
  long steps;
  GtkWindow *recent;

  lab_session_step_batch (session);
  g_assert_true (wait_for (session, steps_exactly, 1, 30));
  lab_session_set_chosen (session, "generate-pair", pair, 2);
  lab_session_set_view (session, "generate");
  g_assert_true (lab_session_save_file (session, path, &error));
  g_assert_no_error (error);

  /* elsewhere, then back through the file */
  lab_session_step_batch (session);
  g_assert_true (wait_for (session, steps_exactly, 2, 30));
  lab_window_set_view (window, "latent");
  lab_window_open_session (window, path, FALSE, NULL, NULL);
  g_assert_true (wait_for (session, is_loaded, 0, 30));
  steps = lab_session_get_snapshot (session)->steps;
  g_assert_cmpint (steps, ==, 1);
  g_assert_cmpstr (lab_window_get_view (window), ==, "generate");
  spin_for (0.2);
  lab_generate_view_get_pair (LAB_GENERATE_VIEW (generate), &first, &second);
  g_assert_cmpint (first, ==, 11);
  g_assert_cmpint (second, ==, 42);

  /* the file opened is the first of the recent sessions */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-recent", NULL);
  recent = find_toplevel_titled ("Open Recent Session");
  g_assert_nonnull (recent);
  gtk_window_set_default_size (recent, 520, 360);
  spin_for (0.3);
  g_assert_cmpuint (render (GTK_WIDGET (recent), "open-recent"), >=, 3);
  g_assert_nonnull (find_widget (GTK_WIDGET (recent), label_is, "lesson" LAB_SESSION_FILE_SUFFIX));
  gtk_window_destroy (recent);

  gtk_window_destroy (GTK_WINDOW (window));
  g_remove (path);
  g_rmdir (dir);
}

static void
test_compare_new_seed (void)
{
  LabWindow *window = open_window ();
  LabSession *a = lab_window_get_session (window), *b;
  LabCompareWindow *compare;
  const char *keys[] = { "hidden", "latent", "lr", "batch", "kl-beta", "warmup", "activation" };
  const char *description;
  long bpe;

  g_assert_null (find_compare ());
  gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-seed", NULL);
  compare = find_compare ();
  g_assert_nonnull (compare);
  b = lab_compare_window_get_second (compare);
  g_assert_true (b != a);
  g_assert_cmpstr (lab_session_get_preset (b), ==, "vae");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *va = lab_session_dup_option (a, keys[i]);
      g_autofree char *vb = lab_session_dup_option (b, keys[i]);

      g_assert_cmpstr (va, ==, vb);
    }
  {
    g_autofree char *seed = lab_session_dup_option (b, "seed");

    g_assert_cmpstr (seed, ==, "22");
  }

  /* an epoch each of one-epoch runs, then both curves and both rows of pictures are drawn */
  g_assert_true (wait_for (b, is_loaded, 0, 30));
  g_assert_true (lab_session_set_option (a, "epochs", "1", NULL));
  g_assert_true (lab_session_set_option (b, "epochs", "1", NULL));
  bpe = lab_session_get_snapshot (a)->batches_per_epoch;
  lab_session_step_epoch (a);
  lab_session_step_epoch (b);
  g_assert_true (wait_for (a, steps_exactly, bpe, 60));
  g_assert_true (wait_for (b, steps_exactly, bpe, 60));
  spin_for (0.3);
  gtk_window_set_default_size (GTK_WINDOW (compare), 1100, 780);
  gtk_window_present (GTK_WINDOW (compare));
  spin_for (0.5);
  g_assert_cmpuint (render (GTK_WIDGET (compare), "compare-runs"), >=, 40);

  {
    GtkWidget *child = gtk_window_get_child (GTK_WINDOW (compare));
    GtkWidget *loss = gtk_widget_get_next_sibling (gtk_widget_get_next_sibling (
                        gtk_widget_get_first_child (child)));

    g_assert_true (LAB_IS_CHART (loss));
    description = lab_chart_get_description (LAB_CHART (loss));
    g_test_message ("%s", description);
    g_assert_nonnull (strstr (description, "Run A"));
    g_assert_nonnull (strstr (description, "Run B"));
    /* a finished one-epoch run says so, not "epoch 2" */
    g_assert_nonnull (find_label_with (child, "Run A: vae"));
    g_assert_nonnull (find_label_with (child, "· epoch 1 ·"));
    g_assert_null (find_label_with (child, "· epoch 2 ·"));
  }

  /* the second run goes with the compare window; the main one stays */
  gtk_window_destroy (GTK_WINDOW (compare));
  spin_for (0.1);
  g_assert_null (find_compare ());
  g_assert_true (LAB_IS_SESSION (a));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A saved copy of the run compared with the run: the same weights reconstruct alike. */
static void
test_compare_file (void)
{
  LabWindow *window = open_window ();
  LabSession *a = lab_window_get_session (window), *b;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("compare-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "copy" LAB_SESSION_FILE_SUFFIX, NULL);
  GtkWidget *compare;
  float out_a[784], out_b[784];
  const float *x;

  lab_session_step_batch (a);
  g_assert_true (wait_for (a, steps_exactly, 1, 30));
  g_assert_true (lab_session_save_file (a, path, &error));
  g_assert_no_error (error);
  compare = lab_compare_window_new_with_file (GTK_WINDOW (window), a, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (compare);
  b = lab_compare_window_get_second (LAB_COMPARE_WINDOW (compare));
  g_assert_cmpint (lab_session_get_snapshot (b)->steps, ==, 1);
  x = lab_session_get_sample (a, LAB_SPLIT_TEST, 0, NULL);
  lab_weights_reconstruct (lab_session_get_weights (a), out_a, x, 1);
  lab_weights_reconstruct (lab_session_get_weights (b), out_b, x, 1);
  g_assert_true (memcmp (out_a, out_b, sizeof out_a) == 0);

  /* a damaged file names itself and makes no window */
  g_assert_true (g_file_set_contents (path, "LATENTLAB-MODEL 1\n", -1, NULL));
  g_clear_error (&error);
  g_assert_null (lab_compare_window_new_with_file (GTK_WINDOW (window), a, path, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));

  gtk_window_destroy (GTK_WINDOW (compare));
  gtk_window_destroy (GTK_WINDOW (window));
  g_remove (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  char *data_home, *recent;
  int status;

  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "--output") == 0)
      {
        output_dir = g_strdup (argv[i + 1]);
        for (int j = i; j + 2 <= argc; j++)
          argv[j] = argv[j + 2];
        argc -= 2;
        break;
      }

  /* Xvfb has no session bus for the accessibility bridge, and GTest makes its warning fatal */
  g_setenv ("GTK_A11Y", "none", FALSE);
  /* the recent files list of a scratch directory, not the user's */
  data_home = g_dir_make_tmp ("compare-data-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  adw_init (); /* GTK, and the Adwaita style the program has */

  g_test_add_func ("/session/open-in-window", test_open_session);
  g_test_add_func ("/compare/new-seed", test_compare_new_seed);
  g_test_add_func ("/compare/saved-session", test_compare_file);

  status = g_test_run ();
  recent = g_build_filename (data_home, "recently-used.xbel", NULL);
  g_remove (recent);
  g_rmdir (data_home);
  g_free (recent);
  g_free (data_home);
  return status;
}
