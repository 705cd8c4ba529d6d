/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-soak.c: the window driven by random actions while it trains (issue 16): run, pause,
 * step, preset, dataset, view, slider, open and save a session, for LATENTLAB_SOAK_SECONDS
 * (90 by default, as registered; 600 for the full soak). Passes when nothing crashes, no
 * warning or critical is logged (GTest makes them fatal) and resident memory grows by less than
 * 10 % over the second half, measured at its start and its end in the same state (the digits,
 * the undercomplete preset, paused, on the Training view). Each LATENTLAB_SOAK_REPORT seconds
 * (60) a line gives the resident size beside the heap in use. LATENTLAB_SOAK_ACTIONS (a comma
 * list of the names in action_names) narrows the actions.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-soak --tap` with GSK_RENDERER=cairo.
 */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "lab-background.h"
#include "lab-gui.h"
#include "lab-window-private.h"
#include "../window/window-test-util.h"

/* Bytes malloc has handed out and not taken back, in KiB: beside the resident size it tells
 * retention (both grow) from fragmentation (only the resident size grows). -1 where unknown. */
static long
heap_in_use_kib (void)
{
#ifdef __GLIBC__
  struct mallinfo2 info = mallinfo2 ();

  return (long) ((info.uordblks + info.hblkhd) / 1024);
#else
  return -1;
#endif
}

static GtkWidget *
sidebar_child (LabWindow *window, const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (window->sidebar), LAB_TYPE_SIDEBAR,
                                                  name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* Answers any question the window asked, as a user would: with rand, at random between
 * keeping the model and starting a new one (an error has only its close button); without,
 * always going on, to reach a known state. Returns how many. */
static int
answer_dialogs (GRand *rand)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  int answered = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) && gtk_widget_get_visible (GTK_WIDGET (item)))
        {
          AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (item);
          const char *response = adw_message_dialog_get_close_response (dialog);

          if (adw_message_dialog_has_response (dialog, "new-model")
              && (rand == NULL || g_rand_boolean (rand)))
            response = "new-model";
          adw_message_dialog_response (dialog, response);
          gtk_window_destroy (GTK_WINDOW (dialog));
          answered++;
        }
    }
  return answered;
}

static gboolean
is_loaded (gpointer object, gconstpointer data)
{
  LabSession *session = lab_window_get_session (object);

  return !lab_session_get_loading (session) && lab_session_get_weights (session) != NULL;
}

static gboolean
digits_loaded (gpointer object, gconstpointer data)
{
  LabSession *session = lab_window_get_session (object);

  return is_loaded (object, data) && g_strcmp0 (lab_session_get_dataset_spec (session), "digits") == 0;
}

static gboolean
no_background_job (gpointer unused, gconstpointer data)
{
  return lab_background_count () == 0;
}

/* The digits loaded, with preset unless NULL; answers questions on the way by going on. */
static gboolean
settled (gpointer object, gconstpointer preset)
{
  LabSession *session = lab_window_get_session (object);

  answer_dialogs (NULL);
  return digits_loaded (object, NULL)
         && (preset == NULL || g_strcmp0 (lab_session_get_preset (session), preset) == 0);
}

static const char *const views[] = { "training", "latent", "generate", "denoise",
                                     "anomaly", "inside", "pca", "sequence" };

/* Resident memory in one state, so that two measures compare: the built-in digits loaded
 * (Fashion-MNIST alone takes 200 MB more) with the undercomplete preset, paused, on the
 * Training view, questions answered, background jobs done, the main loop settled. */
static long
settled_resident_kib (LabWindow *window)
{
  static const char preset[] = "undercomplete";
  const char *const *presets = lab_session_list_presets ();
  GtkDropDown *dropdown = GTK_DROP_DOWN (sidebar_child (window, "preset_dropdown"));

  answer_dialogs (NULL);
  g_assert_true (wait_until (window, is_loaded, NULL, 60));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  if (!digits_loaded (window, NULL))
    gtk_widget_activate_action (GTK_WIDGET (window), "win.load-dataset", "s", "digits");
  g_assert_true (wait_until (window, settled, NULL, 60));
  for (guint i = 0; presets[i] != NULL; i++)
    if (strcmp (presets[i], preset) == 0)
      gtk_drop_down_set_selected (dropdown, i);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", "training");
  g_assert_true (wait_until (window, settled, preset, 60));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  /* Views keep what they last computed: each is shown once in this state, so that both
   * measurements hold the same (and not what the random actions happened to leave). */
  for (guint v = 1; v < G_N_ELEMENTS (views); v++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", views[v]);
      spin_for (0.5);
      g_assert_true (wait_until (NULL, no_background_job, NULL, 120));
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", "training");
  /* a job still at work holds what it reads (a PCA fit: the whole dataset) */
  g_assert_true (wait_until (NULL, no_background_job, NULL, 120));
  spin_for (3.0);
  answer_dialogs (NULL);
  return proc_status_kib ("VmRSS");
}

enum { RUN, PAUSE, STEP, PRESET, DATASET, VIEW, SLIDER, OPEN, SAVE, N_ACTIONS };
static const char *const action_names[N_ACTIONS] = { "run", "pause", "step", "preset", "dataset",
                                                     "view", "slider", "open", "save" };

static void
test_soak (void)
{
  const char *env = g_getenv ("LATENTLAB_SOAK_SECONDS");
  double seconds = env != NULL ? g_ascii_strtod (env, NULL) : 90;
  double baseline_at = seconds / 2;
  const char *report_env = g_getenv ("LATENTLAB_SOAK_REPORT");
  double report_every = report_env != NULL ? g_ascii_strtod (report_env, NULL) : 60;
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autofree char *dir = g_dir_make_tmp ("latentlab-soak-XXXXXX", NULL);
  g_autofree char *session_path = g_build_filename (dir, "soak.latentlab-session", NULL);
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  int counts[N_ACTIONS] = { 0 }, total = 0, saved = 0, dialogs = 0;
  long rss_start, rss_baseline = 0, rss_end, rss_peak = 0;
  gint64 start;
  double next_report = 0;
  const char *only_env = g_getenv ("LATENTLAB_SOAK_ACTIONS");
  g_auto(GStrv) only = only_env != NULL ? g_strsplit (only_env, ",", -1) : NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  lab_window_start (window, "digits", NULL, TRUE, "training");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_until (window, is_loaded, NULL, 60));
  rss_start = proc_status_kib ("VmRSS");
  start = g_get_monotonic_time ();
  for (;;)
    {
      double elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      int action = (int) g_rand_int_range (rand, 0, N_ACTIONS);

      /* LATENTLAB_SOAK_ACTIONS=run,view,... narrows the actions, to find what grows */
      if (only != NULL && !g_strv_contains ((const char *const *) only, action_names[action]))
        continue;

      if (elapsed >= seconds)
        break;
      if (rss_baseline == 0 && elapsed >= baseline_at)
        {
          rss_baseline = settled_resident_kib (window);
          g_test_message ("resident at %.0f s: %ld KiB after %d actions (heap in use %ld KiB)",
                          elapsed, rss_baseline, total, heap_in_use_kib ());
        }
      if (elapsed >= next_report)
        {
          printf ("# at %3.0f s: %d actions, resident %ld KiB, heap in use %ld KiB\n", elapsed,
                  total, proc_status_kib ("VmRSS"), heap_in_use_kib ());
          fflush (stdout);
          next_report += report_every;
        }
      switch (action)
        {
        case RUN:
          gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
          break;
        case PAUSE:
          gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
          break;
        case STEP:
          gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
          break;
        case PRESET:
          {
            GtkDropDown *presets = GTK_DROP_DOWN (sidebar_child (window, "preset_dropdown"));
            guint n = g_list_model_get_n_items (gtk_drop_down_get_model (presets));

            gtk_drop_down_set_selected (presets, (guint) g_rand_int_range (rand, 0, (gint32) n));
            break;
          }
        case DATASET:
          {
            /* the built-in ones: digits, sines and the like, never a file chooser */
            GtkDropDown *datasets = GTK_DROP_DOWN (sidebar_child (window, "dataset_dropdown"));
            GListModel *model = gtk_drop_down_get_model (datasets);
            guint n = g_list_model_get_n_items (model), pick = (guint) g_rand_int_range (rand, 0, (gint32) n);
            const char *name = gtk_string_list_get_string (GTK_STRING_LIST (model), pick);

            if (name != NULL && strchr (name, '.') == NULL && strchr (name, '/') == NULL
                && strstr (name, "…") == NULL)
              gtk_drop_down_set_selected (datasets, pick);
            break;
          }
        case VIEW:
          gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s",
                                      views[g_rand_int_range (rand, 0, G_N_ELEMENTS (views))]);
          break;
        case SLIDER:
          gtk_range_set_value (GTK_RANGE (sidebar_child (window, "lr_scale")),
                               g_rand_double_range (rand, -4, -1.5));
          break;
        case OPEN:
          if (saved && !lab_session_get_loading (session))
            lab_window_open_session (window, session_path, FALSE, NULL, NULL);
          break;
        case SAVE:
          if (!lab_session_get_loading (session) && lab_session_get_weights (session) != NULL)
            {
              _lab_window_set_session_path (window, session_path);
              gtk_widget_activate_action (GTK_WIDGET (window), "win.save-session", NULL);
              saved = g_file_test (session_path, G_FILE_TEST_EXISTS);
            }
          break;
        }
      counts[action]++;
      total++;
      spin_for (g_rand_double_range (rand, 0.05, 0.6));
      dialogs += answer_dialogs (rand);
      rss_peak = MAX (rss_peak, proc_status_kib ("VmRSS"));
    }
  rss_end = settled_resident_kib (window);
  g_test_message ("resident at the end: %ld KiB (heap in use %ld KiB)", rss_end, heap_in_use_kib ());
  printf ("# soak: %d actions in %.0f s (", total, seconds);
  for (int a = 0; a < N_ACTIONS; a++)
    printf ("%s%s %d", a ? ", " : "", action_names[a], counts[a]);
  printf ("), %d dialogs answered; resident %ld KiB at the start, %ld KiB at %.0f s, %ld KiB at "
          "the end (peak %ld KiB): %+.1f %%\n", dialogs, rss_start, rss_baseline, baseline_at,
          rss_end, rss_peak, 100.0 * (rss_end - rss_baseline) / (double) MAX (rss_baseline, 1));
  g_assert_cmpint (total, >, 0);
  g_assert_cmpint (rss_baseline, >, 0);
  g_assert_cmpfloat ((double) rss_end, <, 1.10 * (double) rss_baseline);

  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (1.0);
  g_unlink (session_path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  lab_gui_prepare_process (); /* as the program does, before GTK starts */
  window_test_init (&argc, &argv);
  g_test_add_func ("/soak/random-actions", test_soak);
  return g_test_run ();
}
