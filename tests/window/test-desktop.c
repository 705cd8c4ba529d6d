/* test-desktop.c: the window as a GNOME program, under Xvfb: Ctrl+S saves the session with a
 * toast as feedback, the title names the run, Step is a split button with its menu, and
 * training to the end says so.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-desktop --tap` with GSK_RENDERER=cairo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

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

/* Some label under widget whose text contains `text`. */
static gboolean
has_label_containing (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label_containing (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
toast_says (gpointer window, gconstpointer text)
{
  return has_label_containing (GTK_WIDGET (LAB_WINDOW (window)->toast_overlay), text);
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

int
main (int argc, char **argv)
{
  window_test_init (&argc, &argv);

  g_test_add_func ("/desktop/save-session-toast", test_save_session_toast);
  g_test_add_func ("/desktop/header-bar", test_header_bar);
  g_test_add_func ("/desktop/finished-toast", test_finished_toast);

  return g_test_run ();
}
