/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-views-sequence.c: the Sequences view under Xvfb, on the sequence preset trained for a
 * few dozen batches: the reconstructions drawn are the weights' reconstructions of the
 * sequences shown, the error strip is (x - x_hat)^2 per step, the interpolation's end points
 * are the decodes of the two sequences' codes, the ecg's anomalous steps are the dataset's,
 * a sequence VAE generates from N(0, I), images get a notice instead of plots, the Generate
 * view sends time series here, the main thread passes nothing through the model while the
 * view follows training and its controls, and the view draws something.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-views-sequence --tap` with
 * GSK_RENDERER=cairo; `--output DIR` keeps window shots there.
 */
#include <math.h>
#include <string.h>

#include "lab-chart.h"
#include "lab-generate-view.h"
#include "lab-sequence-view.h"
#include "lab-window-private.h"
#include "window-test-util.h"

static gboolean
session_has_steps (LabSession *session, gboolean variational, long steps, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  for (;;)
    {
      LabSnapshot *s = lab_session_get_snapshot (session);

      if (s != NULL && s->weights != NULL && s->steps >= steps
          && lab_weights_is_variational (s->weights) == variational)
        return TRUE;
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static LabSequenceView *
sequence_view (LabWindow *window)
{
  return LAB_SEQUENCE_VIEW (gtk_stack_get_child_by_name (window->stack, "sequence"));
}

static LabGenerateView *
generate_view (LabWindow *window)
{
  return LAB_GENERATE_VIEW (gtk_stack_get_child_by_name (window->stack, "generate"));
}

/* Until the dataset has loaded and the view shows sequences. */
static void
wait_for_sequences (LabWindow *window)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!lab_sequence_view_get_shows_sequences (sequence_view (window)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* The window on `data` with the sequence preset, trained for at least 30 batches with small
 * settings (the machine is shared), then paused so that the weights stay put. */
static LabWindow *
open_trained_window (const char *data, gboolean variational)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  g_autoptr(GError) error = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, data, "sequence", FALSE, "sequence");
  gtk_window_present (GTK_WINDOW (window));
  wait_for_sequences (window);
  g_assert_true (lab_session_set_option (session, "hidden", "16", &error));
  g_assert_no_error (error);
  if (variational)
    {
      g_assert_true (lab_session_set_option (session, "variational", "1", &error));
      g_assert_no_error (error);
    }
  lab_session_run (session);
  g_assert_true (session_has_steps (session, variational, 30, 120));
  lab_session_pause (session);
  /* let the last report in flight arrive, so view and session agree on the weights */
  spin_for (0.5);
  wait_for_view (sequence_view (window));
  return window;
}

static void
close_window (LabWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.1);
}

static void
assert_equal (const float *a, const float *b, int n)
{
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat (a[i], ==, b[i]);
}

static void
test_reconstructions_and_errors (void)
{
  LabWindow *window = open_trained_window ("sines", FALSE);
  LabSession *session = lab_window_get_session (window);
  LabSequenceView *view = sequence_view (window);
  LabWeights *weights = lab_session_get_weights (session);
  int dim = lab_weights_get_input_dim (weights), steps = 0, features = 0;
  g_autofree float *expected = g_new (float, dim);

  g_assert_true (lab_session_get_sample_shape (session, NULL, &steps, &features));
  g_assert_cmpint (steps * features, ==, dim);
  g_assert_true (lab_sequence_view_get_weights (view) == weights);
  lab_sequence_view_show_from (view, 17);
  wait_for_view (view);
  for (int i = 0; i < 3; i++)
    {
      long index = -1;
      const LabSequenceData *d = lab_sequence_view_get_shown (view, i, &index);
      const float *x = lab_session_get_sample (session, LAB_SPLIT_TEST, 17 + i, NULL);
      double sum = 0;

      g_assert_cmpint (index, ==, 17 + i);
      g_assert_cmpint (d->n_steps, ==, steps);
      g_assert_cmpint (d->n_features, ==, features);
      assert_equal (d->input, x, dim);
      /* the dashed line is this sequence's reconstruction by the newest weights */
      lab_weights_reconstruct (weights, expected, x, 1);
      g_assert_nonnull (d->reconstruction);
      assert_equal (d->reconstruction, expected, dim);
      /* and the strip under it the squared error of each step */
      g_assert_nonnull (d->step_error);
      for (int t = 0; t < steps; t++)
        {
          double e = 0;

          for (int f = 0; f < features; f++)
            {
              double diff = (double) x[t * features + f] - expected[t * features + f];

              e += diff * diff / features;
            }
          g_assert_cmpfloat_with_epsilon (d->step_error[t], e, 1e-6 * e + 1e-12);
          sum += e;
        }
      /* a trained model's error is not zero, and sines carry no anomaly labels */
      g_assert_cmpfloat (sum, >, 0);
      g_assert_null (d->anomalous);
    }
  /* the last page is cut short at the end of the split */
  lab_sequence_view_show_from (view, lab_session_get_split_size (session, LAB_SPLIT_TEST) - 1);
  wait_for_view (view);
  {
    long index = 0;

    g_assert_nonnull (lab_sequence_view_get_shown (view, 0, &index)->input);
    g_assert_cmpint (index, ==, lab_session_get_split_size (session, LAB_SPLIT_TEST) - 1);
    g_assert_null (lab_sequence_view_get_shown (view, 1, &index)->input);
    g_assert_cmpint (index, ==, -1);
  }
  close_window (window);
}

static void
test_interpolation_end_points (void)
{
  LabWindow *window = open_trained_window ("sines", FALSE);
  LabSession *session = lab_window_get_session (window);
  LabSequenceView *view = sequence_view (window);
  LabWeights *weights = lab_session_get_weights (session);
  int dim = lab_weights_get_input_dim (weights), latent = lab_weights_get_latent_dim (weights);
  g_autofree float *code = g_new (float, latent);
  g_autofree float *expected = g_new (float, dim);
  g_autofree float *middle = g_new (float, dim);
  const long pair[2] = { 4, 31 };

  lab_sequence_view_set_pair (view, pair[0], pair[1]);
  for (int end = 0; end < 2; end++)
    {
      lab_weights_encode (weights, code, NULL,
                          lab_session_get_sample (session, LAB_SPLIT_TEST, pair[end], NULL), 1);
      lab_weights_decode (weights, expected, code, 1);
      lab_sequence_view_set_mix (view, end);
      wait_for_view (view);
      g_assert_nonnull (lab_sequence_view_get_mixed (view));
      assert_equal (lab_sequence_view_get_mixed (view), expected, dim);
    }
  /* half way is neither end */
  lab_sequence_view_set_mix (view, 0.5);
  wait_for_view (view);
  memcpy (middle, lab_sequence_view_get_mixed (view), sizeof (float) * dim);
  g_assert_true (memcmp (middle, expected, sizeof (float) * dim) != 0);
  close_window (window);
}

/* --preset sequence composes with the variational objective: prior samples are decodes of
 * codes from N(0, I). */
static void
test_sequence_vae_generates (void)
{
  LabWindow *window = open_trained_window ("sines", TRUE);
  LabSession *session = lab_window_get_session (window);
  LabSequenceView *view = sequence_view (window);
  LabWeights *weights = lab_session_get_weights (session);
  int dim = lab_weights_get_input_dim (weights), latent = lab_weights_get_latent_dim (weights);
  const float *codes = NULL, *generated;
  int n = 0;
  double sum = 0, sum2 = 0;

  g_assert_true (lab_weights_is_variational (weights));
  /* the sidebar shows the VAE's knobs for the sequence preset made variational */
  g_assert_cmpstr (lab_session_get_preset (session), ==, "sequence");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (
    GTK_WIDGET (window->sidebar), LAB_TYPE_SIDEBAR, "vae_section"))));
  generated = lab_sequence_view_get_generated (view, &codes, &n);
  g_assert_nonnull (generated);
  g_assert_cmpint (n, >, 0);
  {
    g_autofree float *expected = g_new (float, (gsize) n * dim);

    lab_weights_decode (weights, expected, codes, n);
    assert_equal (generated, expected, n * dim);
  }
  /* standard normal codes: mean near 0, spread near 1 (loose bounds, n * latent values) */
  for (int i = 0; i < n * latent; i++)
    {
      sum += codes[i];
      sum2 += (double) codes[i] * codes[i];
    }
  g_assert_cmpfloat (fabs (sum / (n * latent)), <, 1.5);
  g_assert_cmpfloat (sum2 / (n * latent), >, 0.1);
  g_assert_cmpfloat (sum2 / (n * latent), <, 4.0);
  save_window_shot (window, "sequence-view-vae.png");
  close_window (window);
}

/* A chart whose accessible description contains text. */
static gboolean
chart_described (GtkWidget *widget, gconstpointer text)
{
  return LAB_IS_CHART (widget) && lab_chart_get_description (LAB_CHART (widget)) != NULL
         && strstr (lab_chart_get_description (LAB_CHART (widget)), text) != NULL;
}

/* On ecg the shaded steps are the dataset's labels, and normal beats have none. */
static void
test_ecg_anomalous_steps (void)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  LabSequenceView *view = sequence_view (window);
  long n_test, anomalous = -1, normal = -1;

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, "ecg", "sequence", FALSE, "sequence");
  gtk_window_present (GTK_WINDOW (window));
  wait_for_sequences (window);
  n_test = lab_session_get_split_size (session, LAB_SPLIT_TEST);
  for (long i = 0; i < n_test && (anomalous < 0 || normal < 0); i++)
    {
      const guint8 *flags = lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, i);
      int any = 0;

      g_assert_nonnull (flags);
      for (int t = 0; t < 128; t++)
        any |= flags[t];
      if (any && anomalous < 0)
        anomalous = i;
      if (!any && normal < 0)
        normal = i;
    }
  g_assert_cmpint (anomalous, >=, 0);
  g_assert_cmpint (normal, >=, 0);

  lab_sequence_view_show_from (view, anomalous);
  wait_for_view (view);
  {
    const LabSequenceData *d = lab_sequence_view_get_shown (view, 0, NULL);
    const guint8 *flags = lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, anomalous);

    int lo = 0, hi = 127;
    char steps[64];
    LabChart *chart;

    g_assert_nonnull (d->anomalous);
    g_assert_cmpmem (d->anomalous, d->n_steps, flags, 128);
    /* a title short enough for three charts across a projector (with "· MSE 0.0012" once
     * trained); the steps are shaded, and named in the chart's description */
    g_assert_nonnull (strstr (d->title, " · anomalous beat"));
    g_assert_null (strstr (d->title, "steps"));
    while (!flags[lo])
      lo++;
    while (!flags[hi])
      hi--;
    g_snprintf (steps, sizeof steps, "; anomalous steps %d to %d", lo, hi);
    chart = LAB_CHART (find_widget (GTK_WIDGET (view), chart_described, steps));
    g_assert_nonnull (chart);
    g_assert_true (g_str_has_prefix (lab_chart_get_description (chart), d->title));
  }
  lab_sequence_view_show_from (view, normal);
  wait_for_view (view);
  g_assert_null (lab_sequence_view_get_shown (view, 0, NULL)->anomalous);
  save_window_shot (window, "sequence-view-ecg.png");
  close_window (window);
}

static void
test_images_get_a_notice (void)
{
  LabWindow *window = lab_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, "digits", "undercomplete", FALSE, "sequence");
  gtk_window_present (GTK_WINDOW (window));
  {
    gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

    while (lab_session_get_loading (lab_window_get_session (window))
           || lab_session_get_split_size (lab_window_get_session (window), LAB_SPLIT_TEST) == 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
      }
  }
  spin_for (0.2);
  g_assert_false (lab_sequence_view_get_shows_sequences (sequence_view (window)));
  g_assert_null (lab_generate_view_get_sequences_button (generate_view (window)));
  {
    /* the notice reads as a paragraph, not one word per line */
    GtkWidget *notice = find_label_with (GTK_WIDGET (sequence_view (window)), "holds none");

    g_assert_nonnull (notice);
    g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (GTK_LABEL (notice))), <=, 6);
  }
  close_window (window);
}

/* The Generate view decodes images; for time series it points to this view, which draws
 * generated sequences as line plots, and its button goes there. */
static void
test_generate_view_points_here (void)
{
  LabWindow *window = open_trained_window ("sines", FALSE);
  GtkWidget *button;

  gtk_stack_set_visible_child_name (window->stack, "generate");
  spin_for (0.2);
  button = lab_generate_view_get_sequences_button (generate_view (window));
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_drawable (button));
  g_signal_emit_by_name (button, "clicked");
  spin_for (0.2);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "sequence");
  close_window (window);
}

/* While training runs and while the controls move, the view reconstructs, encodes and
 * decodes on workers: the main thread passes no sequence through the model. */
static void
test_main_thread_computes_nothing (void)
{
  LabWindow *window = open_trained_window ("sines", FALSE);
  LabSession *session = lab_window_get_session (window);
  LabSequenceView *view = sequence_view (window);
  GtkWidget *new_samples = find_label_with (GTK_WIDGET (view), "New samples");
  guint64 here = lab_weights_get_samples_computed_here ();
  LabWeights *weights;
  long steps;

  g_assert_nonnull (new_samples);
  steps = lab_session_get_snapshot (session)->steps;
  lab_session_run (session);
  /* several snapshots with new weights, each followed by the view */
  g_assert_true (session_has_steps (session, FALSE, steps + 60, 120));
  spin_for (1.0);
  lab_sequence_view_show_from (view, 9);
  lab_sequence_view_set_pair (view, 2, 11);
  for (int i = 0; i <= 10; i++)
    lab_sequence_view_set_mix (view, i / 10.0);
  gtk_widget_activate (gtk_widget_get_ancestor (new_samples, GTK_TYPE_BUTTON));
  lab_session_pause (session);
  spin_for (0.5);
  wait_for_view (view);
  g_assert_cmpuint (lab_weights_get_samples_computed_here () - here, ==, 0);
  /* and what it shows is the newest weights' work */
  weights = lab_session_get_weights (session);
  g_assert_true (lab_sequence_view_get_weights (view) == weights);
  {
    int dim = lab_weights_get_input_dim (weights);
    long index = -1;
    const LabSequenceData *d = lab_sequence_view_get_shown (view, 0, &index);
    g_autofree float *expected = g_new (float, dim);

    g_assert_cmpint (index, ==, 9);
    lab_weights_reconstruct (weights, expected, d->input, 1);
    g_assert_nonnull (d->reconstruction);
    assert_equal (d->reconstruction, expected, dim);
    g_assert_nonnull (lab_sequence_view_get_mixed (view));
  }
  close_window (window);
}

static void
test_view_renders (void)
{
  LabWindow *window = open_trained_window ("sines", FALSE);
  guint colours;

  /* input, its reconstruction, the error strip, axes and text */
  colours = count_colours (lab_sequence_view_get_chart (sequence_view (window), 0));
  g_test_message ("sequence chart: %u colours", colours);
  g_assert_cmpuint (colours, >=, 8);
  save_window_shot (window, "sequence-view-sines.png");
  close_window (window);
}

int
main (int argc, char **argv)
{
  window_test_init (&argc, &argv);

  g_test_add_func ("/views/sequence/reconstructions-and-errors", test_reconstructions_and_errors);
  g_test_add_func ("/views/sequence/interpolation-end-points", test_interpolation_end_points);
  g_test_add_func ("/views/sequence/vae-generates", test_sequence_vae_generates);
  g_test_add_func ("/views/sequence/ecg-anomalous-steps", test_ecg_anomalous_steps);
  g_test_add_func ("/views/sequence/images-get-a-notice", test_images_get_a_notice);
  g_test_add_func ("/views/sequence/generate-view-points-here", test_generate_view_points_here);
  g_test_add_func ("/views/sequence/main-thread-computes-nothing",
                   test_main_thread_computes_nothing);
  g_test_add_func ("/views/sequence/renders", test_view_renders);

  return g_test_run ();
}
