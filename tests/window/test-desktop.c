/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desktop.c: the window as a GNOME program, under Xvfb: Ctrl+S saves the session with a
 * toast as feedback, the title names the run, Step is a split button with its menu, and
 * training to the end says so; settings remember the window and the run between starts;
 * files given to the program or dropped on the window open (sessions, pictures, folders).
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-desktop --tap` with GSK_RENDERER=cairo.
 *
 */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lab-application.h"
#include "lab-chart.h"
#include "lab-denoise-view.h"
#include "lab-session-file.h"
#include "lab-window-private.h"
#include "window-test-util.h"

static gboolean
is_loaded (gpointer window, gconstpointer data)
{
  LabSession *session = lab_window_get_session (LAB_WINDOW (window));
  LabSnapshot *snapshot = lab_session_get_snapshot (session);

  return !lab_session_get_loading (session) && lab_session_get_dataset_spec (session) != NULL
         && snapshot != NULL && snapshot->preview_output != NULL;
}

static gboolean
steps_exactly (gpointer window, gconstpointer data)
{
  LabSnapshot *snapshot = lab_session_get_snapshot (lab_window_get_session (LAB_WINDOW (window)));

  return snapshot != NULL && snapshot->steps == GPOINTER_TO_INT (data);
}

static gboolean
toast_says (gpointer window, gconstpointer text)
{
  return find_label_with (GTK_WIDGET (LAB_WINDOW (window)->toast_overlay), text) != NULL;
}

static LabWindow *
open_window (const char *data, const char *preset)
{
  LabWindow *window = lab_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  lab_window_start (window, data, preset, FALSE, "training");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_until (window, is_loaded, NULL, 30));
  return window;
}

static void
close_window (LabWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.1);
}

/* Save Session writes into the file the window knows without asking, and a toast names it. */
static void
test_save_session_toast (void)
{
  LabWindow *window = open_window ("digits", "undercomplete");
  g_autofree char *dir = g_dir_make_tmp ("latentlab-desktop-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "lesson" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autoptr(LabSession) reopened = lab_session_new ();
  g_autoptr(GError) error = NULL;
  LabSnapshot *snapshot;

  g_assert_false (toast_says (window, "Session saved"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_until (window, steps_exactly, GINT_TO_POINTER (1), 30));

  _lab_window_set_session_path (window, path);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.save-session", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (wait_until (window, toast_says, "Session saved as “lesson.latentlab-session”", 5));

  /* the file holds the step just trained */
  g_assert_true (lab_session_open_file (reopened, path, &error));
  g_assert_no_error (error);
  snapshot = lab_session_get_snapshot (reopened);
  g_assert_nonnull (snapshot);
  g_assert_cmpint (snapshot->steps, ==, 1);
  lab_session_close (reopened);

  close_window (window);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* The header bar: the title names the program, the subtitle the run; Step is a split
 * button whose menu offers a batch or an epoch. */
static void
test_header_bar (void)
{
  LabWindow *window = open_window ("digits", "vae");
  GMenuModel *menu;

  g_assert_cmpstr (adw_window_title_get_title (window->window_title), ==, "Latent Lab");
  g_assert_nonnull (strstr (adw_window_title_get_subtitle (window->window_title), "MNIST digits"));
  g_assert_true (ADW_IS_SPLIT_BUTTON (window->step_button));
  menu = adw_split_button_get_menu_model (ADW_SPLIT_BUTTON (window->step_button));
  g_assert_nonnull (menu);
  g_assert_cmpint (g_menu_model_get_n_items (menu), >=, 1);
  close_window (window);
}

/* A run that reaches its last epoch says so once. */
static void
test_finished_toast (void)
{
  LabWindow *window = open_window ("sines", "sequence");
  LabSession *session = lab_window_get_session (window);
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_session_set_option (session, "epochs", "1", &error));
  g_assert_no_error (error);
  g_assert_false (toast_says (window, "Training finished"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_until (window, toast_says, "Training finished: 1 epoch", 120));
  close_window (window);
}

/* --- settings ------------------------------------------------------------------------ */

/* The window's size, run and view go into the settings as it closes, and the size comes
 * back with the next window. (GSETTINGS_BACKEND=memory: nothing leaves the test.) */
static void
test_settings_remember_window (void)
{
  g_autoptr(GSettings) settings = lab_application_settings_new ();
  LabWindow *window;
  g_autofree char *dataset = NULL, *preset = NULL, *view = NULL;
  int width, height;

  g_assert_nonnull (settings);
  window = lab_window_new (NULL);
  lab_window_set_settings (window, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1430, 820);
  lab_window_start (window, "fashion", "vae", FALSE, "generate");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_until (window, is_loaded, NULL, 30));
  close_window (window);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1430);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 820);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  dataset = g_settings_get_string (settings, "last-dataset");
  preset = g_settings_get_string (settings, "last-preset");
  view = g_settings_get_string (settings, "last-view");
  g_assert_cmpstr (dataset, ==, "fashion");
  g_assert_cmpstr (preset, ==, "vae");
  g_assert_cmpstr (view, ==, "generate");

  window = lab_window_new (NULL);
  lab_window_set_settings (window, settings);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1430);
  g_assert_cmpint (height, ==, 820);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
chart_font_scale_is (gpointer chart, gconstpointer scale)
{
  return fabs (lab_chart_get_style (LAB_CHART (chart))->font_scale - *(const double *) scale) < 1e-9;
}

/* The presentation-scale setting enlarges presentation mode's text and lines further, in
 * the charts and in the window's own text, and follows the setting as it changes. */
static void
test_settings_presentation_scale (void)
{
  g_autoptr(GSettings) settings = lab_application_settings_new ();
  LabWindow *window = lab_window_new (NULL);
  LabChart *chart;
  double designed_font, designed_line, larger_font;
  const PangoFontDescription *font;
  double designed_text;

  lab_window_set_settings (window, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  lab_window_start (window, "digits", "undercomplete", FALSE, "training");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_until (window, is_loaded, NULL, 30));
  chart = LAB_CHART (lab_training_view_get_chart (window->training_view, LAB_TRAINING_PICTURE_LOSS));
  lab_window_set_presentation (window, TRUE);
  spin_for (0.3);
  designed_font = lab_chart_get_style (chart)->font_scale;
  designed_line = lab_chart_get_style (chart)->line_scale;
  font = pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (window->progress_label)));
  designed_text = pango_font_description_get_size (font);

  g_settings_set_double (settings, "presentation-scale", 1.5);
  larger_font = designed_font * 1.5;
  /* the charts restyle with the window's next frame */
  g_assert_true (wait_until (chart, chart_font_scale_is, &larger_font, 10));
  g_assert_cmpfloat_with_epsilon (lab_chart_get_style (chart)->line_scale, designed_line * 1.5, 1e-9);
  font = pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (window->progress_label)));
  g_assert_cmpfloat (pango_font_description_get_size (font), >, designed_text * 1.4);

  g_settings_reset (settings, "presentation-scale");
  g_assert_true (wait_until (chart, chart_font_scale_is, &designed_font, 10));
  close_window (window);
}

/* A presenting window keeps asking for full screen while its desktop catches up, and ends
 * the presentation when the desktop takes full screen back. The reports (full screen,
 * shown) are those of `latentlab --presentation` under Xvfb with openbox started after it. */
static void
test_presentation_fullscreen_watch (void)
{
  const gint64 s = G_USEC_PER_SEC;
  LabFullscreenWatch watch;

  /* the window manager came up after the window: full screen at once (asked before showing),
   * shown, then not full screen until the manager gets to it, then full screen */
  _lab_fullscreen_watch_start (&watch, FALSE, FALSE, 0);
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, TRUE, FALSE, s / 10), ==, LAB_FULLSCREEN_KEEP);
  _lab_fullscreen_watch_start (&watch, FALSE, TRUE, s);
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, FALSE, TRUE, 2 * s), ==, LAB_FULLSCREEN_ASK_AGAIN);
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, TRUE, TRUE, 2 * s + s / 10), ==, LAB_FULLSCREEN_KEEP);
  /* the desktop takes it out of full screen: the presentation ends, however soon */
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, FALSE, TRUE, 2 * s + s / 5), ==, LAB_FULLSCREEN_LEAVE);

  /* a window manager that was ready: full screen from the start, so no report once shown;
   * leaving through the desktop after the settling time ends the presentation */
  _lab_fullscreen_watch_start (&watch, FALSE, FALSE, 0);
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, TRUE, FALSE, s / 10), ==, LAB_FULLSCREEN_KEEP);
  _lab_fullscreen_watch_start (&watch, FALSE, TRUE, s);
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, FALSE, TRUE, s + LAB_FULLSCREEN_SETTLE_US), ==,
                   LAB_FULLSCREEN_LEAVE);

  /* presenting turned on in a window already full screen: leaving at once ends it */
  _lab_fullscreen_watch_start (&watch, TRUE, TRUE, 10 * s);
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, FALSE, TRUE, 10 * s + s / 10), ==, LAB_FULLSCREEN_LEAVE);

  /* presenting turned on in a normal window, not yet full screen: ask again; a desktop that
   * never grants it leaves a normal window with normal text */
  _lab_fullscreen_watch_start (&watch, FALSE, TRUE, 20 * s);
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, FALSE, TRUE, 20 * s + s / 2), ==, LAB_FULLSCREEN_ASK_AGAIN);
  g_assert_cmpint (_lab_fullscreen_watch_report (&watch, FALSE, TRUE, 20 * s + LAB_FULLSCREEN_SETTLE_US), ==,
                   LAB_FULLSCREEN_LEAVE);
}

static LabApplication *
registered_application (void)
{
  LabApplication *app = lab_application_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

/* The application's newest window. */
static LabWindow *
last_window (LabApplication *app)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  g_assert_nonnull (windows);
  return LAB_WINDOW (windows->data);
}

/* Started without options, the program opens the last run's dataset, preset and view. */
static void
test_settings_restore_run (void)
{
  g_autoptr(GSettings) settings = lab_application_settings_new ();
  g_autoptr(LabApplication) app = NULL;
  LabWindow *window;

  g_settings_set_string (settings, "last-dataset", "sines");
  g_settings_set_string (settings, "last-preset", "sequence");
  g_settings_set_string (settings, "last-view", "anomaly");
  app = registered_application ();
  g_application_activate (G_APPLICATION (app));
  window = last_window (app);
  g_assert_true (wait_until (window, is_loaded, NULL, 30));
  g_assert_cmpstr (lab_session_get_dataset_spec (lab_window_get_session (window)), ==, "sines");
  g_assert_cmpstr (lab_session_get_preset (lab_window_get_session (window)), ==, "sequence");
  g_assert_cmpstr (lab_window_get_view (window), ==, "anomaly");
  close_window (window);
  g_settings_reset (settings, "last-dataset");
  g_settings_reset (settings, "last-preset");
  g_settings_reset (settings, "last-view");
}

/* --- files ----------------------------------------------------------------------------- */

/* A width x height grey gradient as a PNG at path. */
static void
write_png (const char *path, int width, int height)
{
  g_autofree guchar *pixels = g_malloc (width * height * 3);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  for (int i = 0; i < width * height * 3; i++)
    pixels[i] = (guchar) (i / 3 % width * 255 / width);
  bytes = g_bytes_new (pixels, width * height * 3);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, width * 3);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static gboolean
shows_picture (gpointer window, gconstpointer size)
{
  GtkWidget *denoise = gtk_stack_get_child_by_name (LAB_WINDOW (window)->stack, "denoise");
  const int *expected = size;
  int width = 0, height = 0;

  lab_denoise_view_get_panel (LAB_DENOISE_VIEW (denoise), LAB_DENOISE_PANEL_CLEAN, &width,
                              &height, NULL, NULL);
  return g_strcmp0 (lab_window_get_view (LAB_WINDOW (window)), "denoise") == 0
         && width == expected[0] && height == expected[1];
}

static gboolean
has_dataset (gpointer window, gconstpointer spec)
{
  return !lab_session_get_loading (lab_window_get_session (LAB_WINDOW (window)))
         && g_strcmp0 (lab_session_get_dataset_spec (lab_window_get_session (LAB_WINDOW (window))), spec) == 0;
}

static gboolean
app_has_windows (gpointer window, gconstpointer count)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));

  return g_list_length (gtk_application_get_windows (app)) == GPOINTER_TO_UINT (count);
}

/* Files dropped on the window, as a file manager drops them. */
static gboolean
drop_files (LabWindow *window, GSList *files)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        g_signal_emit_by_name (controller, "drop", &value, 10.0, 10.0, &handled);
    }
  g_value_unset (&value);
  return handled;
}

/* `latentlab FILE`: a session opens with its run; a picture opens in the Denoise view, a
 * folder of pictures as the dataset, and both do the same when dropped on the window
 * (several files dropped: a window each); a lesson opens in the lesson panel. */
static void
test_open_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("latentlab-files-XXXXXX", NULL);
  g_autofree char *session_path = g_build_filename (dir, "run" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autofree char *picture_path = g_build_filename (dir, "photo.png", NULL);
  g_autofree char *folder = g_build_filename (dir, "images", NULL);
  g_autofree char *lesson_path = g_build_filename (dir, "first.lesson", NULL);
  g_autoptr(LabApplication) app = registered_application ();
  g_autoptr(GFile) session_file = g_file_new_for_path (session_path);
  g_autoptr(GFile) picture_file = g_file_new_for_path (picture_path);
  g_autoptr(GFile) folder_file = g_file_new_for_path (folder);
  g_autoptr(GFile) lesson_file = g_file_new_for_path (lesson_path);
  g_autoptr(GError) error = NULL;
  const int picture_size[2] = { 40, 30 };
  LabWindow *window;
  GSList *dropped;

  /* a session with one step trained */
  window = open_window ("digits", "sparse");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_until (window, steps_exactly, GINT_TO_POINTER (1), 30));
  g_assert_true (lab_session_save_file (lab_window_get_session (window), session_path, &error));
  g_assert_no_error (error);
  close_window (window);
  write_png (picture_path, picture_size[0], picture_size[1]);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *name = g_strdup_printf ("%02d.png", i);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      write_png (path, 16, 16);
    }

  g_application_open (G_APPLICATION (app), &session_file, 1, "");
  window = last_window (app);
  g_assert_true (wait_until (window, steps_exactly, GINT_TO_POINTER (1), 30));
  g_assert_cmpstr (lab_session_get_preset (lab_window_get_session (window)), ==, "sparse");
  close_window (window);

  g_application_open (G_APPLICATION (app), &picture_file, 1, "");
  window = last_window (app);
  g_assert_true (wait_until (window, shows_picture, picture_size, 10));
  /* the window has its usual run beside the picture */
  g_assert_true (wait_until (window, is_loaded, NULL, 30));
  g_assert_cmpstr (lab_window_get_view (window), ==, "denoise");

  /* dropped on a window: the picture goes to Denoise, the folder becomes the dataset */
  lab_window_set_view (window, "training");
  dropped = g_slist_prepend (NULL, picture_file);
  g_assert_true (drop_files (window, dropped));
  g_slist_free (dropped);
  g_assert_true (wait_until (window, shows_picture, picture_size, 10));
  dropped = g_slist_prepend (NULL, folder_file);
  g_assert_true (drop_files (window, dropped));
  g_slist_free (dropped);
  g_assert_true (wait_until (window, has_dataset, folder, 30));

  /* several files dropped: the first here, each other one in a window of its own */
  dropped = g_slist_append (g_slist_prepend (NULL, picture_file), session_file);
  g_assert_true (drop_files (window, dropped));
  g_slist_free (dropped);
  g_assert_true (wait_until (window, app_has_windows, GUINT_TO_POINTER (2), 10));
  g_assert_true (wait_until (window, shows_picture, picture_size, 10));
  {
    GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));
    LabWindow *other;

    other = LAB_WINDOW (windows->data == (gpointer) window ? windows->next->data : windows->data);
    g_assert_true (wait_until (other, steps_exactly, GINT_TO_POINTER (1), 30));
    g_assert_cmpstr (lab_session_get_preset (lab_window_get_session (other)), ==, "sparse");
    close_window (other);
  }
  close_window (window);

  for (int i = 0; i < 12; i++)
    {
      g_autofree char *name = g_strdup_printf ("%02d.png", i);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (folder), ==, 0);

  /* a lesson file opens in the lesson panel, which loads its own run */
  g_assert_true (g_file_set_contents (lesson_path,
                                      "[lesson]\ntitle = Opened from the file manager\n\n"
                                      "[step 1]\ntitle = One epoch\ntext = Train one epoch.\n"
                                      "dataset = digits\npreset = undercomplete\n"
                                      "action = run-epochs=1\n", -1, NULL));
  g_application_open (G_APPLICATION (app), &lesson_file, 1, "");
  window = last_window (app);
  g_assert_nonnull (lab_window_get_lesson (window));
  g_assert_true (wait_until (window, is_loaded, NULL, 30));
  g_assert_cmpstr (lab_session_get_preset (lab_window_get_session (window)), ==, "undercomplete");
  close_window (window);
  g_assert_cmpint (g_remove (lesson_path), ==, 0);
  g_assert_cmpint (g_remove (picture_path), ==, 0);
  g_assert_cmpint (g_remove (session_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* The application as `latentlab --session FILE --view V` starts it. */
static LabApplication *
start_with_session (const char *path, const char *view)
{
  LabApplication *app = registered_application ();
  g_autoptr(GVariantDict) options = g_variant_dict_new (NULL);
  int status = 0;

  g_variant_dict_insert_value (options, "session", g_variant_new_bytestring (path));
  g_variant_dict_insert (options, "view", "s", view);
  g_signal_emit_by_name (app, "handle-local-options", options, &status);
  g_assert_cmpint (status, ==, -1);
  g_application_activate (G_APPLICATION (app));
  return app;
}

static gboolean
dialog_names (gpointer unused, gconstpointer name)
{
  GtkWidget *dialog = find_dialog ();

  return dialog != NULL && strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), name) != NULL;
}

/* `latentlab --session FILE`: the window shows at once, the file is read and its dataset
 * loaded on a worker, and the saved run comes in after (under the --view asked for); a file
 * that cannot be read is named in an error, and the window gets its usual run. */
static void
test_session_option_opens_on_a_worker (void)
{
  g_autofree char *dir = g_dir_make_tmp ("latentlab-session-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "start" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autoptr(GError) error = NULL;
  LabApplication *app;
  LabWindow *window;
  LabSession *session;

  window = open_window ("digits", "sparse");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_until (window, steps_exactly, GINT_TO_POINTER (1), 30));
  lab_session_set_view (lab_window_get_session (window), "latent");
  g_assert_true (lab_session_save_file (lab_window_get_session (window), path, &error));
  g_assert_no_error (error);
  close_window (window);

  app = start_with_session (path, "anomaly");
  window = last_window (app);
  session = lab_window_get_session (window);
  /* shown with nothing read yet: the main thread has not opened the file */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (lab_session_get_loading (session));
  g_assert_null (lab_session_get_dataset_spec (session));
  g_assert_false (steps_exactly (window, GINT_TO_POINTER (1)));
  g_assert_true (wait_until (window, steps_exactly, GINT_TO_POINTER (1), 30));
  g_assert_false (lab_session_get_loading (session));
  g_assert_cmpstr (lab_session_get_preset (session), ==, "sparse");
  g_assert_cmpstr (lab_window_get_view (window), ==, "anomaly");
  close_window (window);
  g_object_unref (app);

  g_assert_true (g_file_set_contents (path, "LATENTLAB-MODEL 1\nbroken", -1, NULL));
  app = start_with_session (path, "training");
  window = last_window (app);
  g_assert_true (lab_session_get_loading (lab_window_get_session (window)));
  g_assert_null (find_dialog ());
  g_assert_true (wait_until (window, dialog_names, "start" LAB_SESSION_FILE_SUFFIX, 30));
  gtk_window_destroy (GTK_WINDOW (find_dialog ()));
  g_assert_true (wait_until (window, is_loaded, NULL, 30));
  close_window (window);
  g_object_unref (app);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  window_test_init (&argc, &argv);

  g_test_add_func ("/desktop/save-session-toast", test_save_session_toast);
  g_test_add_func ("/desktop/header-bar", test_header_bar);
  g_test_add_func ("/desktop/finished-toast", test_finished_toast);
  g_test_add_func ("/desktop/settings-remember-window", test_settings_remember_window);
  g_test_add_func ("/desktop/settings-restore-run", test_settings_restore_run);
  g_test_add_func ("/desktop/settings-presentation-scale", test_settings_presentation_scale);
  g_test_add_func ("/desktop/presentation-fullscreen-watch", test_presentation_fullscreen_watch);
  g_test_add_func ("/desktop/open-files", test_open_files);
  g_test_add_func ("/desktop/session-option-opens-on-a-worker", test_session_option_opens_on_a_worker);

  return g_test_run ();
}
