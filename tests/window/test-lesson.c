/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-lesson.c: a bundled lesson in the window, under Xvfb.
 *
 * Opens the pca lesson in the lesson panel, answers the first step's prediction and runs it
 * with the panel's own buttons, and waits for its checks to turn from "not yet measured" to
 * holding, measured on a worker from the live weights; steps on through the lesson (each
 * step's view brought forward and its settings applied), keeps it in a session file that
 * reopens at the same step with the same answers, and exports the handout, one PDF page per
 * step.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-lesson --tap` with GSK_RENDERER=cairo;
 * `--output DIR` keeps window shots there.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "lab-lesson-handout.h"
#include "lab-lesson-panel.h"
#include "lab-session-file.h"
#include "lab-window-private.h"
#include "window-test-util.h"

/* A shown check button whose label is text. */
static gboolean
is_check_button_labelled (GtkWidget *widget, gconstpointer text)
{
  GtkWidget *label = GTK_IS_CHECK_BUTTON (widget) ? gtk_check_button_get_child (GTK_CHECK_BUTTON (widget)) : NULL;

  return GTK_IS_LABEL (label) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), text) == 0
         && gtk_widget_get_visible (widget);
}

/* A shown button whose label starts with text. */
static gboolean
is_button_starting (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL
         && g_str_has_prefix (gtk_button_get_label (GTK_BUTTON (widget)), text)
         && gtk_widget_get_visible (widget);
}

static gboolean
not_sensitive (gpointer widget, gconstpointer unused)
{
  return !gtk_widget_get_sensitive (widget);
}

/* The views the window offers, against the step's list (NULL: all of them): a view
 * offered that is not listed, or listed and not offered, counts one. */
static guint
views_offered_wrongly (LabWindow *window, const char *const *views)
{
  g_autoptr(GtkSelectionModel) pages = gtk_stack_get_pages (window->stack);
  guint wrong = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (pages)); i++)
    {
      GtkStackPage *page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      gboolean listed = views == NULL || g_strv_contains (views, gtk_stack_page_get_name (page));

      wrong += listed != gtk_stack_page_get_visible (page);
      g_object_unref (page);
    }
  return wrong;
}

static gboolean
panel_ready (gpointer panel, gconstpointer unused)
{
  return lab_lesson_panel_get_ready (LAB_LESSON_PANEL (panel));
}

static gboolean
step_checks_hold (gpointer state, gconstpointer step)
{
  guint s = GPOINTER_TO_UINT (step);

  for (guint c = 0; c < lab_lesson_state_step_n_checks (state, s); c++)
    if (lab_lesson_state_check_state (state, s, c, NULL, NULL) != LAB_CHECK_HOLDS)
      return FALSE;
  return lab_lesson_state_get_ran (state, s) && !lab_lesson_state_get_measuring (state);
}

static gboolean
on_step (gpointer state, gconstpointer step)
{
  return lab_lesson_state_get_step (state) == GPOINTER_TO_UINT (step);
}

static LabWindow *
open_lesson_window (void)
{
  LabWindow *window = lab_window_new (NULL);
  g_autoptr(GError) error = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lab_window_open_lesson (window, "pca", &error));
  g_assert_no_error (error);
  return window;
}

static char *
run_first_step (LabWindow *window)
{
  LabLessonState *state = lab_window_get_lesson (window);
  GtkWidget *panel = window->lesson_panel;
  GtkWidget *choice, *run;
  int right;

  g_assert_true (wait_until (panel, panel_ready, NULL, 60));
  g_assert_cmpuint (lab_lesson_state_get_step (state), ==, 0);
  /* the step's settings and first view are in force, its controls locked */
  g_assert_cmpstr (lab_session_get_preset (window->session), ==, "linear");
  g_assert_cmpstr (lab_window_get_view (window), ==, "pca");
  g_assert_false (adw_flap_get_reveal_flap (window->flap));
  g_assert_cmpuint (lab_lesson_state_step_n_checks (state, 0), >, 0);
  for (guint c = 0; c < lab_lesson_state_step_n_checks (state, 0); c++)
    g_assert_cmpint (lab_lesson_state_check_state (state, 0, c, NULL, NULL), ==,
                     LAB_CHECK_NOT_MEASURED);

  /* the prediction comes first: Run waits for it */
  run = find_widget (panel, is_button_starting, "_Run");
  g_assert_nonnull (run);
  g_assert_false (gtk_widget_get_sensitive (run));
  g_assert_false (lab_lesson_panel_run (LAB_LESSON_PANEL (panel)));
  right = lab_lesson_state_step_right_choice (state, 0);
  g_assert_cmpint (right, >=, 0);
  choice = find_widget (panel, is_check_button_labelled,
                        lab_lesson_state_step_choice (state, 0, (guint) right));
  g_assert_nonnull (choice);
  gtk_widget_activate (choice);
  g_assert_cmpint (lab_lesson_state_get_answer (state, 0), ==, right);
  g_assert_true (gtk_widget_get_sensitive (run));
  save_window_shot (window, "lesson-predicted.png");


  /* a button's activation clicks it after showing it pressed for a moment */
  gtk_widget_activate (run);
  g_assert_true (wait_until (run, not_sensitive, NULL, 5));
  /* the checks turn to holding once the worker has measured the trained model */
  g_assert_true (wait_until (state, step_checks_hold, GUINT_TO_POINTER (0), 180));
  g_assert_nonnull (lab_lesson_state_get_snapshot (state, 0));
  save_window_shot (window, "lesson-step1-ran.png");
  return lab_lesson_state_to_text (state);
}

static void
test_lesson_run_and_step (void)
{
  LabWindow *window = open_lesson_window ();
  LabLessonState *state = lab_window_get_lesson (window);
  LabLessonPanel *panel = LAB_LESSON_PANEL (window->lesson_panel);
  g_autofree char *text = run_first_step (window);
  g_autofree char *dir = g_dir_make_tmp ("test-lesson-XXXXXX", NULL);
  g_autofree char *session_path = g_build_filename (dir, "class" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autofree char *pdf_path = g_build_filename (dir, "handout.pdf", NULL);
  g_autofree char *pdf = NULL;
  g_autoptr(GError) error = NULL;
  guint n_steps = lab_lesson_state_get_n_steps (state);
  guint pages = 0;
  gsize length;

  /* the next step trains on from the first one's weights, so the session can be saved;
   * its file keeps the lesson: the step and the answers come back in a new window */
  lab_lesson_panel_go (panel, 1);
  g_assert_true (wait_until (panel, panel_ready, NULL, 60));
  g_assert_nonnull (lab_session_get_weights (window->session));
  /* and runs on from them: its checks compare with the first step's measure */
  g_assert_true (lab_lesson_panel_run (panel));
  g_assert_true (wait_until (state, step_checks_hold, GUINT_TO_POINTER (1), 180));
  g_assert_cmpint (lab_lesson_state_get_snapshot (state, 1)->epoch, ==,
                   lab_lesson_state_step_run_epochs (state, 0) + lab_lesson_state_step_run_epochs (state, 1));
  g_assert_true (lab_session_save_file (window->session, session_path, &error));
  g_assert_no_error (error);
  {
    LabWindow *reopened = lab_window_new (NULL);
    LabLessonState *restored;

    gtk_window_present (GTK_WINDOW (reopened));
    g_assert_true (open_session_and_wait (reopened, session_path));
    restored = lab_window_get_lesson (reopened);
    g_assert_nonnull (restored);
    g_assert_cmpstr (lab_lesson_state_get_source (restored), ==, "bundled:pca");
    g_assert_cmpuint (lab_lesson_state_get_step (restored), ==, 1);
    g_assert_cmpint (lab_lesson_state_get_answer (restored, 0), ==,
                     lab_lesson_state_step_right_choice (restored, 0));
    g_assert_true (lab_lesson_state_get_ran (restored, 0));
    gtk_window_destroy (GTK_WINDOW (reopened));
  }

  /* on to the last step with Next: each step's first view comes forward, its settings apply;
   * the first step keeps its measured checks */
  g_assert_cmpuint (n_steps, >=, 3);
  for (guint step = 2; step < n_steps; step++)
    {
      GtkWidget *next = find_widget (GTK_WIDGET (panel), is_button_starting, "_Next");
      const char *const *views = lab_lesson_state_step_views (state, step);

      g_assert_nonnull (next);
      gtk_widget_activate (next);
      g_assert_true (wait_until (state, on_step, GUINT_TO_POINTER (step), 5));
      g_assert_true (wait_until (panel, panel_ready, NULL, 60));
      if (views[0] != NULL)
        {
          g_assert_cmpstr (lab_window_get_view (window), ==, views[0]);
          g_assert_cmpuint (views_offered_wrongly (window, views), ==, 0);
        }
    }
  g_assert_false (gtk_widget_get_sensitive (find_widget (GTK_WIDGET (panel), is_button_starting, "_Next")));
  g_assert_cmpint (lab_lesson_state_check_state (state, 0, 0, NULL, NULL), ==, LAB_CHECK_HOLDS);
  lab_lesson_panel_go (panel, 0);
  g_assert_true (lab_lesson_state_get_ran (state, 0));

  /* the handout: one page per step, the run's values in it */
  g_assert_true (lab_lesson_handout_write (state, pdf_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf_path, &pdf, &length, NULL));
  g_assert_true (g_str_has_prefix (pdf, "%PDF-"));
  /* page objects, not the /Pages tree; the file holds binary streams, so no str* search */
  for (gsize i = 0; i + 12 <= length; i++)
    pages += memcmp (pdf + i, "/Type /Page", 11) == 0 && pdf[i + 11] != 's';
  g_assert_cmpuint (pages, ==, n_steps);

  g_unlink (pdf_path);
  g_unlink (session_path);
  g_rmdir (dir);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

/* Close Lesson gives the controls back. */
static void
test_lesson_close (void)
{
  LabWindow *window = open_lesson_window ();

  g_assert_true (wait_until (window->lesson_panel, panel_ready, NULL, 60));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.close-lesson", NULL);
  g_assert_cmpuint (views_offered_wrongly (window, NULL), ==, 0);
  g_assert_null (lab_window_get_lesson (window));
  g_assert_null (lab_session_get_lesson (window->session));
  g_assert_true (adw_flap_get_reveal_flap (window->flap));
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

static gboolean
window_at_most (gpointer window, gconstpointer size)
{
  const int *wh = size;

  return gtk_widget_get_width (window) > 0 && gtk_widget_get_width (window) <= wh[0]
         && gtk_widget_get_height (window) <= wh[1];
}

/* The lesson at its first, a middle and its last step, normal and presenting: the window
 * stays within the screen (run under a 1280 x 720 or 1366 x 768 Xvfb to see a classroom's
 * screen; --output keeps the shots). */
static void
test_lesson_fits (void)
{
  LabWindow *window = lab_window_new (NULL);
  LabLessonPanel *panel;
  LabLessonState *state;
  GdkMonitor *monitor = g_list_model_get_item (gdk_display_get_monitors (gdk_display_get_default ()), 0);
  GdkRectangle screen;
  g_autoptr(GError) error = NULL;
  guint steps[3];

  gdk_monitor_get_geometry (monitor, &screen);
  g_object_unref (monitor);
  gtk_window_maximize (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lab_window_open_lesson (window, "variational", &error));
  g_assert_no_error (error);
  panel = LAB_LESSON_PANEL (window->lesson_panel);
  state = lab_lesson_panel_get_state (panel);
  steps[0] = 0;
  steps[1] = lab_lesson_state_get_n_steps (state) / 2;
  steps[2] = lab_lesson_state_get_n_steps (state) - 1;
  for (guint presenting = 0; presenting < 2; presenting++)
    {
      lab_window_set_presentation (window, presenting);
      for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
        {
          int size[2] = { screen.width, screen.height };
          g_autofree char *name = g_strdup_printf ("lesson-%dx%d-step%u%s.png", screen.width,
                                                   screen.height, steps[i] + 1,
                                                   presenting ? "-presenting" : "");

          lab_lesson_panel_go (panel, steps[i]);
          g_assert_true (wait_until (panel, panel_ready, NULL, 60));
          spin_for (1.0);
          g_assert_true (wait_until (window, window_at_most, size, 5));
          save_window_shot (window, name);
        }
    }
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

int
main (int argc, char **argv)
{
  g_autoptr (GtkCssProvider) provider = NULL;

  window_test_init (&argc, &argv);
  /* the application's style, as LabApplication loads it at startup */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/latentlab/LatentLab/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_test_add_func ("/window/lesson/run-and-step", test_lesson_run_and_step);
  g_test_add_func ("/window/lesson/close", test_lesson_close);
  g_test_add_func ("/window/lesson/fits", test_lesson_fits);
  return g_test_run ();
}
