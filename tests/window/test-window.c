/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: the window under Xvfb: open it, train, pause, step, reset, diverge,
 * try every preset, export pictures and render the widgets to PNG.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-window --tap` with GSK_RENDERER=cairo;
 * `--output DIR` keeps the rendered PNGs there.
 */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "ae-status.h"

#include "lab-compare-window.h"
#include "lab-denoise.h"
#include "lab-denoise-view.h"
#include "lab-session-file.h"
#include "lab-window-private.h"
#include "window-test-util.h"

typedef gboolean (*Condition) (LabWindow *window, gpointer data);

static gboolean
wait_for (LabWindow *window, Condition cond, gpointer data, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (!cond (window, data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

/* Closes the window and checks that its session goes with it: a session left alive keeps
 * its trainer thread running past the end of the program. */
static void
close_window (LabWindow *window)
{
  LabSession *session = lab_window_get_session (window);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  gtk_window_destroy (GTK_WINDOW (window));
  while (session != NULL && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_test_message ("session gone %.3f s after the window",
                  (g_get_monotonic_time () - end) / (double) G_USEC_PER_SEC + 5);
  if (session != NULL)
    g_object_remove_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_assert_null (session);
}

static LabSnapshot *
shown (LabWindow *window)
{
  return lab_training_view_get_snapshot (_lab_window_get_training_view (window));
}

static gboolean
is_loaded (LabWindow *window, gpointer data)
{
  LabSession *session = lab_window_get_session (window);

  return !lab_session_get_loading (session) && lab_session_get_dataset_spec (session) != NULL
         && lab_session_get_weights (session) != NULL && shown (window) != NULL
         && shown (window)->preview_output != NULL;
}

static gboolean
steps_at_least (LabWindow *window, gpointer data)
{
  LabSnapshot *s = shown (window);

  return s != NULL && s->steps >= GPOINTER_TO_INT (data)
         && s->generation == lab_session_get_generation (lab_window_get_session (window));
}

static gboolean
steps_exactly (LabWindow *window, gpointer data)
{
  LabSnapshot *s = shown (window);

  return s != NULL && s->steps == GPOINTER_TO_INT (data)
         && s->generation == lab_session_get_generation (lab_window_get_session (window));
}

static gboolean
is_paused (LabWindow *window, gpointer data)
{
  return !lab_session_get_running (lab_window_get_session (window)) && shown (window) != NULL
         && shown (window)->state != LAB_TRAINING_RUNNING;
}

static gboolean
banner_shown (LabWindow *window, gpointer data)
{
  return gtk_widget_get_visible (window->banner);
}

static LabWindow *
open_window (void)
{
  LabWindow *window = lab_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, "digits", NULL, FALSE, "training");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (window, is_loaded, NULL, 30));
  g_assert_cmpstr (lab_window_get_view (window), ==, "training");
  return window;
}

static void
check_not_blank (GtkWidget *widget, const char *name, guint min_colours)
{
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  guint colours = count_colours (widget);

  g_test_message ("%s: %d x %d, %u colours", name, gtk_widget_get_width (widget),
                  gtk_widget_get_height (widget), colours);
  save_window_shot (widget, file);
  g_assert_cmpuint (colours, >=, min_colours);
}

static gboolean
dialog_shown (LabWindow *window, gpointer data)
{
  return find_dialog () != NULL;
}

static void
test_train_pause_step_reset (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  LabTrainingView *view = _lab_window_get_training_view (window);
  LabSnapshot *before = lab_snapshot_ref (shown (window));
  GtkWidget *dialog;
  guint generation, points;
  gsize preview_size = (gsize) before->n_preview * before->dim * sizeof (float);
  long steps;

  g_assert_cmpuint (lab_training_view_get_n_points (view), ==, 0);
  g_assert_cmpstr (gtk_label_get_label (window->run_label), ==, "_Run");

  /* Run, through the header bar's action */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-run", NULL);
  g_assert_true (lab_session_get_running (session));
  g_assert_cmpstr (gtk_label_get_label (window->run_label), ==, "_Pause");
  spin_for (2.0);
  g_assert_true (wait_for (window, steps_at_least, GINT_TO_POINTER (20), 30));

  /* the loss plot has points and the reconstructions changed */
  g_assert_cmpuint (lab_training_view_get_n_points (view), >, 0);
  g_assert_nonnull (shown (window)->preview_output);
  g_assert_true (memcmp (before->preview_output, shown (window)->preview_output, preview_size) != 0);
  g_assert_cmpstr (gtk_label_get_label (window->progress_label), !=, "");
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (window->progress_bar), >, 0);
  lab_snapshot_unref (before);

  check_not_blank (lab_training_view_get_chart (view, LAB_TRAINING_PICTURE_LOSS), "loss-chart", 4);
  check_not_blank (lab_training_view_get_chart (view, LAB_TRAINING_PICTURE_PREVIEW), "preview-chart", 8);
  check_not_blank (GTK_WIDGET (window->sidebar), "sidebar", 4);
  check_not_blank (GTK_WIDGET (window), "window", 8);

  /* Pause */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-run", NULL);
  g_assert_true (wait_for (window, is_paused, NULL, 10));
  g_assert_cmpstr (gtk_label_get_label (window->run_label), ==, "_Run");
  spin_for (0.2);
  steps = shown (window)->steps;
  spin_for (0.3);
  g_assert_cmpint (shown (window)->steps, ==, steps);

  /* Step: one batch */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (steps + 1), 10));
  spin_for (0.2);
  g_assert_cmpint (shown (window)->steps, ==, steps + 1);

  /* Reset asks first: until answered, and after Cancel, the weights and curves stay (the
   * curves may still take in the step's last point) */
  points = lab_training_view_get_n_points (view);
  g_assert_cmpuint (points, >, 0);
  generation = lab_session_get_generation (session);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reset", NULL);
  g_assert_true (wait_for (window, dialog_shown, NULL, 5));
  spin_for (0.3);
  g_assert_cmpuint (lab_session_get_generation (session), ==, generation);
  g_assert_cmpuint (lab_training_view_get_n_points (view), >=, points);
  g_assert_cmpint (shown (window)->steps, ==, steps + 1);
  dialog = find_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "Reset"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_for (0.3);
  g_assert_cmpuint (lab_session_get_generation (session), ==, generation);
  g_assert_cmpuint (lab_training_view_get_n_points (view), >=, points);
  g_assert_cmpint (shown (window)->steps, ==, steps + 1);

  /* Reset, answered: the curves empty at once and stay empty */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reset", NULL);
  g_assert_true (wait_for (window, dialog_shown, NULL, 5));
  dialog = find_dialog ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "new-model");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpuint (lab_session_get_generation (session), >, generation);
  g_assert_cmpuint (lab_training_view_get_n_points (view), ==, 0);
  spin_for (0.5);
  g_assert_cmpuint (lab_training_view_get_n_points (view), ==, 0);
  g_assert_cmpint (shown (window)->steps, ==, 0);
  check_not_blank (lab_training_view_get_chart (view, LAB_TRAINING_PICTURE_LOSS), "loss-chart-empty", 2);

  /* nothing trained: nothing to lose, nothing asked */
  generation = lab_session_get_generation (session);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reset", NULL);
  g_assert_null (find_dialog ());
  g_assert_cmpuint (lab_session_get_generation (session), >, generation);

  close_window (window);
}

/* While training runs the plots take at most five snapshots a second, however many come:
 * of a burst of running snapshots the first shows at once and the newest when the interval
 * is over; a snapshot of a paused trainer shows at once. */
static gboolean
snapshot_replaced (LabWindow *window, gpointer old)
{
  LabSnapshot *s = lab_session_get_snapshot (lab_window_get_session (window));

  return s != old && s->state == LAB_TRAINING_RUNNING;
}

static void
test_plots_follow_at_a_rate (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  LabTrainingView *view = _lab_window_get_training_view (window);
  LabSnapshot *first, *newest;
  guint before, burst = 50;
  gint64 start;
  double elapsed_s;

  lab_session_run (session);
  g_assert_true (wait_for (window, steps_at_least, GINT_TO_POINTER (2), 30));
  first = lab_snapshot_ref (lab_session_get_snapshot (session));
  g_assert_true (wait_for (window, snapshot_replaced, first, 30));
  newest = lab_snapshot_ref (lab_session_get_snapshot (session));
  g_assert_cmpint (first->state, ==, LAB_TRAINING_RUNNING);
  lab_session_pause (session);
  g_assert_true (wait_for (window, is_paused, NULL, 10));
  spin_for (0.3);

  /* the trainer's snapshots of the shown generation, again, in a burst */
  before = lab_training_view_get_n_shown (view);
  start = g_get_monotonic_time ();
  g_signal_emit_by_name (session, "snapshot", first);
  for (guint i = 1; i < burst; i++)
    g_signal_emit_by_name (session, "snapshot", newest);
  elapsed_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("%u snapshots in %.3f s: the plots took %u", burst, elapsed_s,
                  lab_training_view_get_n_shown (view) - before);
  /* the first at once, and one more for each interval that the burst itself lasted */
  g_assert_true (shown (window) == first || elapsed_s >= 0.2);
  g_assert_cmpuint (lab_training_view_get_n_shown (view) - before, <=, 1 + (guint) (elapsed_s / 0.2));

  /* the newest when the interval is over */
  spin_for (0.4);
  g_assert_true (shown (window) == newest);
  g_assert_cmpuint (lab_training_view_get_n_shown (view) - before, <=, 2 + (guint) (elapsed_s / 0.2));

  /* a paused trainer's at once */
  before = lab_training_view_get_n_shown (view);
  g_signal_emit_by_name (session, "snapshot", lab_session_get_snapshot (session));
  g_assert_cmpuint (lab_training_view_get_n_shown (view), ==, before + 1);
  g_assert_true (shown (window) == lab_session_get_snapshot (session));

  lab_snapshot_unref (newest);
  lab_snapshot_unref (first);
  close_window (window);
}

static void
test_export (void)
{
  LabWindow *window = open_window ();
  LabTrainingView *view = _lab_window_get_training_view (window);
  g_autofree char *dir = g_dir_make_tmp ("latentlab-export-XXXXXX", NULL);
  static const char *const names[] = { "loss.png", "loss.svg", "loss.pdf", "preview.png" };
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = g_build_filename (dir, "loss.bmp", NULL);

  g_assert_nonnull (dir);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step-epoch", NULL);
  g_assert_true (wait_for (window, steps_at_least, GINT_TO_POINTER (10), 30));
  g_assert_true (wait_for (window, is_paused, NULL, 30));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;
      LabTrainingPicture picture = g_str_has_prefix (names[i], "preview")
                                   ? LAB_TRAINING_PICTURE_PREVIEW : LAB_TRAINING_PICTURE_LOSS;

      g_assert_true (lab_training_view_export (view, picture, path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_cmpuint (length, >, 1000);
      if (g_str_has_suffix (path, ".png"))
        g_assert_true (memcmp (contents, "\x89PNG", 4) == 0);
      else if (g_str_has_suffix (path, ".pdf"))
        g_assert_true (memcmp (contents, "%PDF", 4) == 0);
      else
        g_assert_nonnull (strstr (contents, "<svg"));
      g_unlink (path);
    }

  /* an unknown extension is refused with the file's name */
  g_assert_false (lab_training_view_export (view, LAB_TRAINING_PICTURE_LOSS, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "loss.bmp"));
  g_rmdir (dir);

  close_window (window);
}

/* Plain SGD at learning rate 100 diverges; the window says so once and offers the fix. */
static void
test_divergence (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *lr = NULL;
  LabSnapshot *s;

  g_assert_false (gtk_widget_get_visible (window->banner));
  g_assert_true (lab_session_set_option (session, "optimizer", "sgd", &error));
  g_assert_true (lab_session_set_option (session, "lr", "100", &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, banner_shown, NULL, 60));
  g_assert_true (wait_for (window, is_paused, NULL, 10));
  g_assert_nonnull (strstr (gtk_label_get_label (window->banner_label), "Learning rate 100 "));

  /* the curves hold no NaN, and the picture is still drawn */
  s = shown (window);
  for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
    for (guint i = 0; i < s->train[t].n; i++)
      g_assert_true (isfinite (s->train[t].y[i]));
  check_not_blank (lab_training_view_get_chart (_lab_window_get_training_view (window),
                                                LAB_TRAINING_PICTURE_PREVIEW),
                   "preview-after-divergence", 4);

  /* the banner's button divides the rate by ten and goes away */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.lower-lr", NULL);
  lr = lab_session_dup_option (session, "lr");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lr, NULL), 10, 1e-9);
  g_assert_false (gtk_widget_get_visible (window->banner));

  close_window (window);
}

static void assert_batch_shown (LabWindow *window);

/* Every preset can be chosen and trained from the window. */
static void
test_every_preset (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  const char *const *presets = lab_session_list_presets ();
  const char *last_ok = NULL;

  for (guint i = 0; presets[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("preset %s", presets[i]);
      if (!lab_session_set_preset (session, presets[i], &error))
        {
          /* an architecture the engine does not have yet is refused, and the model in use
           * stays usable */
          g_assert_error (error, LAB_SESSION_ERROR, AE_ERR_UNSUPPORTED);
          g_test_message ("preset %s: %s", presets[i], error->message);
          g_assert_cmpstr (lab_session_get_preset (session), ==, last_ok);
          g_assert_cmpstr (lab_session_get_dataset_name (session), ==, "MNIST digits");
          gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
          g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 60));
          continue;
        }
      last_ok = presets[i];
      g_assert_cmpstr (lab_session_get_preset (session), ==, presets[i]);
      assert_batch_shown (window);
      g_assert_nonnull (strstr (adw_window_title_get_subtitle (window->window_title),
                                lab_sidebar_preset_title (presets[i])));
      gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
      g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 60));
      g_assert_true (wait_for (window, is_paused, NULL, 30));
      g_assert_cmpuint (shown (window)->train[LAB_LOSS_RECONSTRUCTION].n
                        + shown (window)->val[LAB_LOSS_RECONSTRUCTION].n, >, 0);
      spin_for (0.05);
      {
        g_autofree char *name = g_strdup_printf ("preview-%s", presets[i]);

        check_not_blank (lab_training_view_get_chart (_lab_window_get_training_view (window),
                                                      LAB_TRAINING_PICTURE_PREVIEW), name, 4);
      }
    }

  close_window (window);
}

static GtkWidget *
sidebar_child (LabWindow *window, const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (window->sidebar), LAB_TYPE_SIDEBAR,
                                                  name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* The sidebar's batch size is the session's: every preset's own (4 for the photo denoiser,
 * 8 for the digits denoiser) and a size from elsewhere, in its place among the others. */
static void
assert_batch_shown (LabWindow *window)
{
  g_autofree char *batch = lab_session_dup_option (lab_window_get_session (window), "batch");
  GtkDropDown *dropdown = GTK_DROP_DOWN (sidebar_child (window, "batch_dropdown"));
  GtkStringObject *shown_batch = gtk_drop_down_get_selected_item (dropdown);

  g_assert_nonnull (shown_batch);
  g_assert_cmpstr (gtk_string_object_get_string (shown_batch), ==, batch);
}

static void
test_sidebar_batch_sizes (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  GtkDropDown *dropdown = GTK_DROP_DOWN (sidebar_child (window, "batch_dropdown"));
  g_autoptr(GError) error = NULL;
  guint n_sizes = g_list_model_get_n_items (gtk_drop_down_get_model (dropdown));

  g_assert_true (lab_session_set_option (session, "batch", "100", &error));
  g_assert_no_error (error);
  spin_for (0.1);
  assert_batch_shown (window);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (dropdown)), ==, n_sizes + 1);
  /* between 64 and 128 */
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (dropdown)),
                                               gtk_drop_down_get_selected (dropdown) - 1), ==, "64");
  /* choosing another size from the list sets it */
  gtk_drop_down_set_selected (dropdown, 0);
  g_autofree char *batch = lab_session_dup_option (session, "batch");
  g_assert_cmpstr (batch, ==, "4");

  close_window (window);
}

/* The sidebar's controls: a live change applies at once, a new preset shows its knobs and
 * concept, an architectural change after training asks first. */
static void
test_sidebar (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  guint generation = lab_session_get_generation (session);
  const char *const *presets = lab_session_list_presets ();
  g_autofree char *lr = NULL;
  g_autofree char *latent = NULL;
  GtkWidget *dialog;

  /* learning rate: live, same model */
  gtk_range_set_value (GTK_RANGE (sidebar_child (window, "lr_scale")), -2);
  lr = lab_session_dup_option (session, "lr");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lr, NULL), 0.01, 1e-9);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (sidebar_child (window, "lr_label"))), ==, "0.01");
  g_assert_cmpuint (lab_session_get_generation (session), ==, generation);

  /* preset: nothing trained yet, so no question; the VAE knobs and concept appear */
  g_assert_false (gtk_widget_get_visible (sidebar_child (window, "vae_section")));
  for (guint i = 0; presets[i] != NULL; i++)
    if (strcmp (presets[i], "vae") == 0)
      gtk_drop_down_set_selected (GTK_DROP_DOWN (sidebar_child (window, "preset_dropdown")), i);
  g_assert_cmpstr (lab_session_get_preset (session), ==, "vae");
  g_assert_true (gtk_widget_get_visible (sidebar_child (window, "vae_section")));
  /* the concept panel sits beside the loss curves */
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (
                     GTK_WIDGET (window->training_view), LAB_TYPE_TRAINING_VIEW, "concept_title"))),
                   ==, "What a VAE does");
  g_assert_null (find_dialog ());

  /* after a step, the code size asks; Cancel keeps the model, accepting rebuilds it */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 30));
  generation = lab_session_get_generation (session);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sidebar_child (window, "latent_spin")), 2);
  g_assert_true (wait_for (window, dialog_shown, NULL, 5));
  dialog = find_dialog ();
  /* the safe answer is the default (Enter) and what Escape or closing gives; starting anew is
   * marked destructive */
  g_assert_cmpstr (adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "new-model"),
                   ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel"),
                   ==, ADW_RESPONSE_DEFAULT);
  /* what a click on Cancel does: the answer, then the dialog goes */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  latent = lab_session_dup_option (session, "latent");
  g_assert_cmpstr (latent, !=, "2");
  g_assert_cmpuint (lab_session_get_generation (session), ==, generation);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (sidebar_child (window, "latent_spin"))),
                     ==, g_ascii_strtod (latent, NULL));
  spin_for (0.1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sidebar_child (window, "latent_spin")), 2);
  g_assert_true (wait_for (window, dialog_shown, NULL, 5));
  dialog = find_dialog ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "new-model");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_clear_pointer (&latent, g_free);
  latent = lab_session_dup_option (session, "latent");
  g_assert_cmpstr (latent, ==, "2");
  g_assert_cmpuint (lab_session_get_generation (session), >, generation);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (sidebar_child (window, "arch_label"))), ==,
                   "784 → 400 → 2");

  close_window (window);
}

static void
select_preset (LabWindow *window, const char *preset)
{
  const char *const *presets = lab_session_list_presets ();

  for (guint i = 0; presets[i] != NULL; i++)
    if (strcmp (presets[i], preset) == 0)
      gtk_drop_down_set_selected (GTK_DROP_DOWN (sidebar_child (window, "preset_dropdown")), i);
  g_assert_cmpstr (lab_session_get_preset (lab_window_get_session (window)), ==, preset);
}

/* The sidebar shows the model as it is: no activation for a model without hidden layers,
 * and the feature maps' size for a code of size 0. */
static void
test_sidebar_shows_the_model (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  GtkWidget *latent = sidebar_child (window, "latent_spin");
  g_autofree char *value = NULL;

  g_assert_true (gtk_widget_get_visible (sidebar_child (window, "activation_dropdown")));
  select_preset (window, "contractive");
  g_assert_false (gtk_widget_get_visible (sidebar_child (window, "activation_dropdown")));
  g_assert_false (gtk_widget_get_visible (sidebar_child (window, "activation_name")));

  /* the denoising preset's code is its last feature maps, 32 x 28 x 28 / 16 = 1,568 values */
  select_preset (window, "denoising");
  g_assert_true (wait_for (window, is_loaded, NULL, 30));
  spin_for (0.2);
  g_assert_cmpint (lab_weights_get_latent_dim (lab_session_get_weights (session)), ==, 1568);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (latent)), ==, "1568");
  g_assert_true (gtk_widget_get_visible (sidebar_child (window, "activation_dropdown")));
  /* read back, the count is still code size 0: no new model */
  gtk_spin_button_update (GTK_SPIN_BUTTON (latent));
  value = lab_session_dup_option (session, "latent");
  g_assert_cmpstr (value, ==, "0");

  select_preset (window, "undercomplete");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (latent)), ==, "32");

  close_window (window);
}

/* Fashion-MNIST, in a sidebar and a training view of their own (the window's other views
 * would work on 70,000 images meanwhile): its split, the longest of the built-ins, is read
 * whole, and the concept panel speaks of its examples, not of digits. */
static void
test_fashion_texts (void)
{
  g_autoptr(LabSession) session = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *box;
  LabSidebar *sidebar;
  LabTrainingView *training;
  const char *what, *watch;
  GtkLabel *split;

  if (!g_file_test ("/usr/share/datasets/fashion-mnist", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("Fashion-MNIST is not installed (dataset-fashion-mnist)");
      return;
    }
  session = lab_session_new ();
  g_assert_true (lab_session_load (session, "fashion", "vae", &error));
  g_assert_no_error (error);
  window = gtk_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  sidebar = g_object_new (LAB_TYPE_SIDEBAR, NULL);
  training = g_object_new (LAB_TYPE_TRAINING_VIEW, NULL);
  /* the window's width for the sidebar */
  gtk_widget_set_size_request (GTK_WIDGET (sidebar), 320, -1);
  gtk_widget_set_hexpand (GTK_WIDGET (training), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (sidebar));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (training));
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  lab_sidebar_set_session (sidebar, session);
  lab_view_set_session (LAB_VIEW (training), session);
  gtk_window_present (GTK_WINDOW (window));
  spin_for (0.5);

  split = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (sidebar), LAB_TYPE_SIDEBAR, "split_label"));
  g_assert_nonnull (strstr (gtk_label_get_label (split), "6,000"));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (split)));

  what = gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (
           GTK_WIDGET (training), LAB_TYPE_TRAINING_VIEW, "concept_what")));
  watch = gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (
            GTK_WIDGET (training), LAB_TYPE_TRAINING_VIEW, "concept_watch")));
  g_assert_nonnull (strstr (what, "a plausible piece of clothing"));
  g_assert_null (strstr (what, "digit"));
  g_assert_null (strstr (watch, "digit"));

  gtk_window_destroy (GTK_WINDOW (window));
  lab_session_close (session);
  spin_for (0.1);
}

static gboolean
dataset_is (LabWindow *window, gpointer data)
{
  LabSession *session = lab_window_get_session (window);

  return !lab_session_get_loading (session)
         && g_strcmp0 (lab_session_get_dataset_spec (session), data) == 0;
}

/* A dataset file opened from the menu loads without blocking and joins the dropdown. */
static void
test_open_dataset (void)
{
  LabWindow *window = open_window ();
  const char *root = g_getenv ("LATENTLAB_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "resources", "data",
                                            "images-idx3-ubyte.gz", NULL);
  GtkDropDown *datasets = GTK_DROP_DOWN (sidebar_child (window, "dataset_dropdown"));
  GListModel *model = gtk_drop_down_get_model (datasets);
  guint n_before = g_list_model_get_n_items (model);
  guint generation;
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.load-dataset", "s", path);
  g_assert_true (wait_for (window, dataset_is, path, 30));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_before + 1);
  g_assert_cmpuint (gtk_drop_down_get_selected (datasets), ==, n_before - 1);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), n_before - 1), ==,
                   "images-idx3-ubyte.gz");
  g_assert_nonnull (strstr (adw_window_title_get_subtitle (window->window_title), "images-idx3-ubyte"));

  /* it trains like the built-in digits */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 30));

  /* back to the embedded digits from the dropdown: a trained batch would be lost, so it
   * asks; Cancel keeps the model and puts the dropdown back */
  generation = lab_session_get_generation (lab_window_get_session (window));
  gtk_drop_down_set_selected (datasets, 0);
  g_assert_true (wait_for (window, dialog_shown, NULL, 5));
  dialog = find_dialog ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_for (0.1);
  g_assert_cmpstr (lab_session_get_dataset_spec (lab_window_get_session (window)), ==, path);
  g_assert_cmpuint (lab_session_get_generation (lab_window_get_session (window)), ==, generation);
  g_assert_cmpuint (gtk_drop_down_get_selected (datasets), ==, n_before - 1);

  gtk_drop_down_set_selected (datasets, 0);
  g_assert_true (wait_for (window, dialog_shown, NULL, 5));
  dialog = find_dialog ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "new-model");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (wait_for (window, dataset_is, "digits", 30));

  close_window (window);
}

/* The button labelled label (with its mnemonic). */
static gboolean
is_button_labelled (GtkWidget *widget, gconstpointer label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* Answers the question that was asked with response, and tells whether the session kept
 * the model of generation. */
static gboolean
answer (LabWindow *window, guint generation, const char *response)
{
  GtkWidget *dialog;

  g_assert_true (wait_for (window, dialog_shown, NULL, 5));
  dialog = find_dialog ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_for (0.2);
  return lab_session_get_generation (lab_window_get_session (window)) == generation;
}

/* Presses the button, answers the question it asks with response, and tells whether the
 * session kept its model. */
static gboolean
press_and_answer (LabWindow *window, GtkWidget *button, const char *response)
{
  guint generation = lab_session_get_generation (lab_window_get_session (window));

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  return answer (window, generation, response);
}

/* Opens the file as a drop or `latentlab FILE` does, answers the question, and tells
 * whether the session kept its model. */
static gboolean
open_and_answer (LabWindow *window, const char *path, const char *response)
{
  guint generation = lab_session_get_generation (lab_window_get_session (window));
  g_autoptr(GFile) file = g_file_new_for_path (path);

  lab_window_open_file (window, file, FALSE);
  return answer (window, generation, response);
}

/* A dataset, a lesson or a session file dropped on a window that has trained asks before
 * its network takes the place of the trained one. */
static void
test_files_ask_before_new_model (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  const char *root = g_getenv ("LATENTLAB_SOURCE_ROOT");
  g_autofree char *data = g_build_filename (root != NULL ? root : ".", "resources", "data",
                                            "images-idx3-ubyte.gz", NULL);
  g_autofree char *lesson = g_build_filename (root != NULL ? root : ".", "resources", "lessons",
                                              "pca.lesson", NULL);
  g_autofree char *dir = g_dir_make_tmp ("test-window-XXXXXX", NULL);
  g_autofree char *saved = g_build_filename (dir, "run" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_session_save_file (session, saved, &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 30));

  /* Cancel keeps the trained model, whatever was dropped */
  g_assert_true (open_and_answer (window, data, "cancel"));
  g_assert_true (open_and_answer (window, lesson, "cancel"));
  g_assert_null (lab_window_get_lesson (window));
  g_assert_true (open_and_answer (window, saved, "cancel"));
  g_assert_cmpstr (lab_session_get_dataset_spec (session), ==, "digits");
  g_assert_cmpint (lab_session_get_snapshot (session)->steps, ==, 1);

  /* accepting opens it */
  open_and_answer (window, data, "new-model");
  g_assert_true (wait_for (window, dataset_is, data, 30));

  close_window (window);
  g_unlink (saved);
  g_rmdir (dir);
}

/* The views' buttons that start a new model ask first once a batch is trained. */
static void
test_views_ask_before_new_model (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  GtkWidget *denoise = gtk_stack_get_child_by_name (window->stack, "denoise");
  GtkWidget *anomaly = gtk_stack_get_child_by_name (window->stack, "anomaly");
  g_autofree char *dir = g_dir_make_tmp ("test-window-XXXXXX", NULL);
  g_autofree char *image = g_build_filename (dir, "image.png", NULL);
  float pixels[40 * 40];
  g_autoptr(GError) error = NULL;
  guint read_here;

  for (int i = 0; i < 40 * 40; i++)
    pixels[i] = (float) (i % 40) / 40;
  g_assert_true (lab_denoise_png_write (image, pixels, 40, 40, &error));
  g_assert_true (lab_denoise_view_open_image (LAB_DENOISE_VIEW (denoise), image, &error));
  g_assert_no_error (error);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 30));

  /* Train on These (the Anomaly view's classes), then Train on Its Patches (Denoise):
   * Cancel keeps the model */
  g_assert_true (press_and_answer (window, find_widget (anomaly, is_button_labelled, "_Train on These"), "cancel"));
  g_assert_true (press_and_answer (window, find_widget (denoise, is_button_labelled, "T_rain on Its Patches"), "cancel"));
  g_assert_cmpstr (lab_session_get_dataset_spec (session), ==, "digits");

  /* accepting starts the new model on the patches, read and cut on a worker */
  read_here = lab_denoise_get_images_read_here ();
  press_and_answer (window, find_widget (denoise, is_button_labelled, "T_rain on Its Patches"), "new-model");
  g_assert_true (wait_for (window, dataset_is, image, 30));
  g_assert_cmpuint (lab_denoise_get_images_read_here (), ==, read_here);
  g_assert_cmpstr (lab_session_get_preset (session), ==, "photo-denoiser");

  close_window (window);
  g_unlink (image);
  g_rmdir (dir);
}

/* Compare Runs' Reset Both throws the window's trained run away too: it asks first. */
static void
test_compare_reset_asks (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  GtkWidget *compare = NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();

  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 30));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-seed", NULL);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && compare == NULL; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (LAB_IS_COMPARE_WINDOW (item))
        compare = GTK_WIDGET (item);
    }
  g_assert_nonnull (compare);

  g_assert_true (press_and_answer (window, find_widget (compare, is_button_labelled, "Re_set Both"), "cancel"));
  g_assert_cmpint (lab_session_get_snapshot (session)->steps, ==, 1);
  g_assert_false (press_and_answer (window, find_widget (compare, is_button_labelled, "Re_set Both"), "new-model"));
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (0), 30));

  gtk_window_destroy (GTK_WINDOW (compare));
  close_window (window);
}

/* A session file dropped on the window is read, and its dataset loaded, on a worker: the
 * call returns at once with the session loading, and the saved run comes in after. */
static void
test_session_opens_on_a_worker (void)
{
  LabWindow *window = open_window ();
  LabSession *session = lab_window_get_session (window);
  g_autofree char *dir = g_dir_make_tmp ("test-window-XXXXXX", NULL);
  g_autofree char *saved = g_build_filename (dir, "run" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (saved);
  g_autoptr(GError) error = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 30));
  lab_session_pause (session);
  spin_for (0.3);
  g_assert_true (lab_session_save_file (session, saved, &error));
  g_assert_no_error (error);
  /* a new network: nothing trained is lost by opening, so nothing is asked */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reset", NULL);
  answer (window, lab_session_get_generation (session), "new-model");
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (0), 30));

  lab_window_open_file (window, file, FALSE);
  g_assert_true (lab_session_get_loading (session));
  g_assert_cmpint (lab_session_get_snapshot (session)->steps, ==, 0);
  g_assert_true (wait_for (window, is_loaded, NULL, 30));
  g_assert_true (wait_for (window, steps_exactly, GINT_TO_POINTER (1), 30));

  /* a damaged file is still named in an error, once read on the worker */
  g_assert_true (g_file_set_contents (saved, "LATENTLAB-MODEL 1\nbroken", -1, NULL));
  lab_window_open_file (window, file, FALSE);
  /* the batch trained is asked for first */
  answer (window, lab_session_get_generation (session), "new-model");
  g_assert_true (wait_for (window, dialog_shown, NULL, 30));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (find_dialog ())),
                           "run" LAB_SESSION_FILE_SUFFIX));
  gtk_window_destroy (GTK_WINDOW (find_dialog ()));

  close_window (window);
  g_unlink (saved);
  g_rmdir (dir);
}

static gboolean
picture_shown (LabWindow *window, gpointer data)
{
  GtkWidget *denoise = gtk_stack_get_child_by_name (window->stack, "denoise");
  int width = 0;

  lab_denoise_view_get_panel (LAB_DENOISE_VIEW (denoise), LAB_DENOISE_PANEL_CLEAN, &width, NULL,
                              NULL, NULL);
  return width == GPOINTER_TO_INT (data);
}

/* A picture dropped on the window (or given as `latentlab PHOTO`) is decoded on a worker:
 * a photo of many megapixels takes seconds. A broken one is still named in an error. */
static void
test_picture_opens_on_a_worker (void)
{
  LabWindow *window = open_window ();
  g_autofree char *dir = g_dir_make_tmp ("test-window-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "stripes.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  float pixels[57 * 31];
  guint read_here = lab_denoise_get_images_read_here ();

  for (int i = 0; i < 57 * 31; i++)
    pixels[i] = (float) ((i % 57) / 5 % 2);
  g_assert_true (lab_denoise_png_write (path, pixels, 57, 31, &error));
  g_assert_no_error (error);
  lab_window_open_file (window, file, FALSE);
  g_assert_cmpstr (lab_window_get_view (window), ==, "denoise");
  g_assert_true (wait_for (window, picture_shown, GINT_TO_POINTER (57), 30));
  g_assert_cmpuint (lab_denoise_get_images_read_here (), ==, read_here);

  g_assert_true (g_file_set_contents (path, "\x89PNG\r\n\x1a\ngarbage", -1, NULL));
  lab_window_open_file (window, file, FALSE);
  g_assert_true (wait_for (window, dialog_shown, NULL, 30));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (find_dialog ())),
                           "stripes.png"));
  gtk_window_destroy (GTK_WINDOW (find_dialog ()));
  g_assert_cmpuint (lab_denoise_get_images_read_here (), ==, read_here);
  /* the picture shown stays */
  g_assert_true (picture_shown (window, GINT_TO_POINTER (57)));

  close_window (window);
  g_unlink (path);
  g_rmdir (dir);
}

/* Views: every switcher page exists and --view names select them. */
static void
test_views (void)
{
  static const char *const views[] = {
    "training", "latent", "generate", "denoise", "anomaly", "inside", "pca", "sequence",
  };
  LabWindow *window = open_window ();

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", views[i]);
      g_assert_cmpstr (lab_window_get_view (window), ==, views[i]);
    }
  /* an unknown name leaves the view as it is */
  lab_window_set_view (window, "nowhere");
  g_assert_cmpstr (lab_window_get_view (window), ==, "sequence");
  close_window (window);
}

/* Closing the window while training stops the thread. */
static void
test_close_while_running (void)
{
  LabWindow *window = open_window ();
  /* held as a view's background job might hold it when the window closes */
  LabSession *session = g_object_ref (lab_window_get_session (window));
  LabSnapshot *last;
  long steps;
  gint64 start;
  double seconds;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, steps_at_least, GINT_TO_POINTER (5), 30));

  start = g_get_monotonic_time ();
  gtk_window_destroy (GTK_WINDOW (window));
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("closed in %.3f s", seconds);
  g_assert_cmpfloat (seconds, <, 1.0);

  /* training stopped with the window, although the session lives on (reports made
   * before the stop may still arrive: let them) */
  g_assert_false (lab_session_get_running (session));
  spin_for (0.2);
  last = lab_session_get_snapshot (session);
  steps = last != NULL ? last->steps : 0;
  spin_for (0.5);
  last = lab_session_get_snapshot (session);
  g_assert_cmpint (last != NULL ? last->steps : 0, ==, steps);
  g_object_unref (session);
}

int
main (int argc, char **argv)
{
  window_test_init (&argc, &argv);

  g_test_add_func ("/window/train-pause-step-reset", test_train_pause_step_reset);
  g_test_add_func ("/window/plots-follow-at-a-rate", test_plots_follow_at_a_rate);
  g_test_add_func ("/window/export", test_export);
  g_test_add_func ("/window/divergence", test_divergence);
  g_test_add_func ("/window/every-preset", test_every_preset);
  g_test_add_func ("/window/sidebar-batch-sizes", test_sidebar_batch_sizes);
  g_test_add_func ("/window/sidebar", test_sidebar);
  g_test_add_func ("/window/sidebar-shows-the-model", test_sidebar_shows_the_model);
  g_test_add_func ("/window/fashion-texts", test_fashion_texts);
  g_test_add_func ("/window/open-dataset", test_open_dataset);
  g_test_add_func ("/window/views", test_views);
  g_test_add_func ("/window/views-ask-before-new-model", test_views_ask_before_new_model);
  g_test_add_func ("/window/files-ask-before-new-model", test_files_ask_before_new_model);
  g_test_add_func ("/window/compare-reset-asks", test_compare_reset_asks);
  g_test_add_func ("/window/session-opens-on-a-worker", test_session_opens_on_a_worker);
  g_test_add_func ("/window/picture-opens-on-a-worker", test_picture_opens_on_a_worker);
  g_test_add_func ("/window/close-while-running", test_close_while_running);

  return g_test_run ();
}
