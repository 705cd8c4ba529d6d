/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-views-hidden.c: views that are not shown compute nothing on snapshots. While the
 * denoising preset trains with the Training view shown, no model pass and no background job
 * is started for the other views (Latent, Generate, Denoise, Anomaly, Inside, versus PCA,
 * Sequences); a view that is then shown catches up with the newest snapshot.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-views-hidden --tap` with
 * GSK_RENDERER=cairo.
 */
#include "lab-background.h"
#include "lab-weights.h"
#include "lab-window-private.h"
#include "window-test-util.h"

typedef struct {
  guint snapshots;      /* snapshots that brought new weights */
  LabWeights *weights;  /* the last of them (not a reference: compared only) */
} Count;

static void
on_snapshot (LabSession *session, LabSnapshot *snapshot, Count *count)
{
  if (snapshot->weights != NULL && snapshot->weights != count->weights)
    {
      count->weights = snapshot->weights;
      count->snapshots++;
    }
}

static gboolean
has_weights (gpointer session, gconstpointer data)
{
  const LabSnapshot *s = lab_session_get_snapshot (session);

  return s != NULL && s->weights != NULL && s->codes != NULL;
}

static gboolean
enough_snapshots (gpointer count, gconstpointer data)
{
  return ((Count *) count)->snapshots >= GPOINTER_TO_UINT (data);
}

static gboolean
model_used (gpointer unused, gconstpointer before)
{
  return lab_weights_get_samples_computed () > *(const guint64 *) before;
}

static gboolean
job_started (gpointer unused, gconstpointer before)
{
  return lab_background_get_started () > *(const guint64 *) before;
}

static void
test_hidden_views (void)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  Count count = { 0 };
  guint64 samples, jobs;

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, "digits", "denoising", TRUE, "training");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_until (session, has_weights, NULL, 120));
  g_signal_connect (session, "snapshot", G_CALLBACK (on_snapshot), &count);
  /* whatever the first snapshot started (a shown view's first measure) has begun by now */
  spin_for (1);

  samples = lab_weights_get_samples_computed ();
  jobs = lab_background_get_started ();
  g_assert_true (wait_until (&count, enough_snapshots, GUINT_TO_POINTER (6), 120));
  g_test_message ("%u snapshots with new weights: %" G_GUINT64_FORMAT " samples through a "
                  "model, %" G_GUINT64_FORMAT " jobs started", count.snapshots,
                  lab_weights_get_samples_computed () - samples,
                  lab_background_get_started () - jobs);
  g_assert_cmpuint (lab_weights_get_samples_computed (), ==, samples);
  g_assert_cmpuint (lab_background_get_started (), ==, jobs);

  /* shown, a view computes from the newest snapshot at once */
  lab_window_set_view (window, "denoise");
  g_assert_true (wait_until (NULL, model_used, &samples, 30));
  /* counted from before the switch: showing the view may start its plane at once */
  jobs = lab_background_get_started ();
  lab_window_set_view (window, "latent");
  g_assert_true (wait_until (NULL, job_started, &jobs, 30));

  lab_session_pause (session);
  g_signal_handlers_disconnect_by_data (session, &count);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

int
main (int argc, char **argv)
{
  window_test_init (&argc, &argv);

  g_test_add_func ("/views/hidden/compute-nothing", test_hidden_views);

  return g_test_run ();
}
