/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-views-inside.c: the Inside view and its analysis under Xvfb: the Jacobian norms it
 * reports agree with central finite differences of the encoder (exactly for a one-layer
 * encoder, within the estimator's spread for a deeper one); the dead-unit count equals a
 * direct count on known weights; the view renders its weights, activations and Jacobian
 * for the sparse, contractive and conv presets, and trains the companion without penalty.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-views-inside --tap` with
 * GSK_RENDERER=cairo; `--output DIR` keeps window shots there.
 */
#include <math.h>
#include <string.h>

#include "ae-model.h"
#include "ae-rng.h"
#include "lab-inside.h"
#include "lab-chart.h"
#include "lab-inside-view.h"
#include "lab-plot.h"
#include "lab-session-private.h"
#include "lab-window-private.h"
#include "window-test-util.h"

/* A small dense model on 4x4 images; `hidden` is "none" or widths. */
static LabWeights *
small_weights (const char *hidden, const char *code_activation, int latent)
{
  AeConfig cfg;
  AeError err = { 0 };
  AeModel *model = NULL;
  char text[16];

  g_assert_cmpint (ae_config_preset (&cfg, "contractive", &err), ==, AE_OK);
  g_snprintf (text, sizeof text, "%d", latent);
  g_assert_cmpint (ae_config_set (&cfg, "channels", "1", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "height", "4", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "width", "4", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "latent", text, &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "hidden", hidden, &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "code-activation", code_activation, &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "batch", "16", &err), ==, AE_OK);
  g_assert_cmpint (ae_model_new (&model, &cfg, &err), ==, AE_OK);
  return _lab_weights_new_take (model);
}

static void
random_inputs (float *x, long n, uint64_t seed)
{
  AeRng rng;

  ae_rng_seed (&rng, seed);
  for (long i = 0; i < n; i++)
    x[i] = ae_rng_uniform (&rng);
}

/* ||J_f(x)||_F by central differences of the encoder, one input at a time. */
static double
finite_difference_norm (LabWeights *weights, const float *x, int dim, int latent)
{
  const float h = 1e-2f;
  float *moved = g_memdup2 (x, sizeof (float) * dim);
  float *plus = g_new (float, latent), *minus = g_new (float, latent);
  double sum = 0;

  for (int i = 0; i < dim; i++)
    {
      moved[i] = x[i] + h;
      lab_weights_encode (weights, plus, NULL, moved, 1);
      moved[i] = x[i] - h;
      lab_weights_encode (weights, minus, NULL, moved, 1);
      moved[i] = x[i];
      for (int j = 0; j < latent; j++)
        {
          double d = ((double) plus[j] - minus[j]) / (2 * h);

          sum += d * d;
        }
    }
  g_free (moved);
  g_free (plus);
  g_free (minus);
  return sqrt (sum);
}

static void
test_jacobian_closed_form (void)
{
  const int dim = 16, latent = 6, n = 12;
  g_autoptr (LabWeights) weights = small_weights ("none", "sigmoid", latent);
  float x[12 * 16], norms[12];
  LabInsideInfo info;

  lab_inside_describe (weights, &info);
  g_assert_true (info.exact_jacobian);
  g_assert_cmpfloat (info.contractive, >, 0);
  random_inputs (x, (long) n * dim, 7);
  lab_inside_jacobian_norms (weights, norms, x, n);
  for (int r = 0; r < n; r++)
    {
      double fd = finite_difference_norm (weights, x + r * dim, dim, latent);

      g_assert_cmpfloat (fd, >, 0);
      /* float encodes over a step of 1e-2: a few 1e-4 relative */
      g_assert_cmpfloat (fabs (norms[r] - fd) / fd, <, 2e-3);
    }
}

static void
test_jacobian_estimate (void)
{
  const int dim = 16, latent = 6, n = 40;
  g_autoptr (LabWeights) weights = small_weights ("8", "sigmoid", latent);
  float x[40 * 16], norms[40];
  LabInsideInfo info;
  double ratio_sum = 0;

  lab_inside_describe (weights, &info);
  g_assert_false (info.exact_jacobian);
  random_inputs (x, (long) n * dim, 11);
  lab_inside_jacobian_norms (weights, norms, x, n);
  for (int r = 0; r < n; r++)
    {
      double fd = finite_difference_norm (weights, x + r * dim, dim, latent);
      double ratio = norms[r] / fd;

      /* the estimate averages ||J eps||^2 over 8 random directions: a relative spread of
       * sqrt(2 / (8 r)) on the square for J of effective rank r, at most 0.5 */
      g_assert_cmpfloat (fabs (ratio - 1), <, 0.5);
      ratio_sum += ratio;
    }
  /* over 40 samples the spread of the mean shrinks sixfold */
  g_test_message ("mean estimate / finite differences: %.4f", ratio_sum / n);
  g_assert_cmpfloat (fabs (ratio_sum / n - 1), <, 0.1);
}

static void
test_dead_units (void)
{
  const int dim = 16, latent = 5, n = 30;
  g_autoptr (LabWeights) weights = small_weights ("none", "relu", latent);
  AeModel *model = _lab_weights_clone_model (weights);
  AeTensor tensors[16];
  int n_tensors = ae_model_tensors (model, tensors, 16);
  float *w = NULL, *b = NULL;
  float x[30 * 16], codes[30 * 5], mean[5];
  guint8 dead[5];
  LabInsideInfo info;
  int direct = 0;

  for (int t = 0; t < n_tensors; t++)
    if (g_str_has_suffix (tensors[t].name, ".weight") && w == NULL)
      w = tensors[t].data;
    else if (g_str_has_suffix (tensors[t].name, ".bias") && b == NULL)
      b = tensors[t].data;
  g_assert_nonnull (w);
  g_assert_nonnull (b);
  /* units 1 and 3 sit far below zero for every input in [0, 1]; the others well above */
  for (int j = 0; j < latent; j++)
    b[j] = (j == 1 || j == 3) ? -50.0f : 2.0f;
  g_clear_pointer (&weights, lab_weights_unref);
  weights = _lab_weights_new_take (model);

  random_inputs (x, (long) n * dim, 3);
  lab_weights_encode (weights, codes, NULL, x, n);
  lab_inside_describe (weights, &info);
  g_assert_cmpfloat (info.active_above, ==, 0);
  g_assert_false (info.signed_codes);
  g_assert_cmpint (lab_inside_unit_activity (mean, dead, codes, n, latent, info.active_above,
                                             info.signed_codes), ==, 2);

  /* the same count by hand: relu(x W^T + b) positive on no sample */
  model = _lab_weights_clone_model (weights);
  n_tensors = ae_model_tensors (model, tensors, 16);
  w = b = NULL;
  for (int t = 0; t < n_tensors; t++)
    if (g_str_has_suffix (tensors[t].name, ".weight") && w == NULL)
      w = tensors[t].data;
    else if (g_str_has_suffix (tensors[t].name, ".bias") && b == NULL)
      b = tensors[t].data;
  for (int j = 0; j < latent; j++)
    {
      gboolean active = FALSE;
      double sum = 0;

      for (int r = 0; r < n; r++)
        {
          double a = b[j];

          for (int i = 0; i < dim; i++)
            a += (double) w[j * dim + i] * x[r * dim + i];
          active |= a > 0;
          sum += fmax (a, 0);
        }
      direct += !active;
      g_assert_cmpint (dead[j], ==, !active);
      g_assert_cmpfloat (fabs (mean[j] - sum / n), <, 1e-4 * (1 + fabs (sum / n)));
    }
  ae_model_free (model);
  g_assert_cmpint (direct, ==, 2);

  {
    /* codes of either sign count by their size: unit 0 swings both ways, unit 1 is always
     * 0, unit 2 stays within 0.01 of it */
    const float mixed[] = { -0.5f, 0.0f, 0.005f, 0.5f, 0.0f, -0.002f };

    g_assert_cmpint (lab_inside_unit_activity (mean, dead, mixed, 2, 3, 0.01f, TRUE), ==, 2);
    g_assert_cmpfloat_with_epsilon (mean[0], 0.5, 1e-6);
    g_assert_cmpfloat_with_epsilon (mean[2], 0.0035, 1e-6);
    g_assert_cmpint (dead[0], ==, 0);
    g_assert_cmpint (dead[1], ==, 1);
    g_assert_cmpint (dead[2], ==, 1);
    /* as ReLU-like codes (threshold 0, by value): only unit 1 never rises above 0 */
    g_assert_cmpint (lab_inside_unit_activity (mean, dead, mixed, 2, 3, 0.0f, FALSE), ==, 1);
    g_assert_cmpfloat_with_epsilon (mean[0], 0.0, 1e-6);
    g_assert_cmpint (dead[1], ==, 1);
  }
}

static LabInsideView *
inside_view (LabWindow *window)
{
  return LAB_INSIDE_VIEW (gtk_stack_get_child_by_name (window->stack, "inside"));
}

static void
wait_for_data (LabSession *session)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (lab_session_get_loading (session) || lab_session_get_snapshot (session) == NULL
         || lab_session_get_split_size (session, LAB_SPLIT_TEST) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* Opens the window on a preset, trains `steps` batches, pauses, and lets the view catch up
 * with the last weights. */
static LabWindow *
train_preset (const char *preset, long steps)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  gint64 end = g_get_monotonic_time () + 180 * G_USEC_PER_SEC;

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, "digits", preset, FALSE, "inside");
  gtk_window_present (GTK_WINDOW (window));
  wait_for_data (session);
  lab_session_run (session);
  for (;;)
    {
      LabSnapshot *s = lab_session_get_snapshot (session);

      if (s != NULL && s->weights != NULL && s->steps >= steps)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  lab_session_pause (session);
  spin_for (1.0);
  while (lab_inside_view_get_measuring (inside_view (window)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin_for (0.1);
    }
  return window;
}

/* The codes' histogram says how many values it bins of how many: a wide code has millions,
 * and it bins an even sample of LAB_INSIDE_CODE_VALUES. */
static void
assert_histogram_counts (LabInsideView *view, const LabSnapshot *s)
{
  GtkWidget *chart = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                               LAB_TYPE_INSIDE_VIEW, "codes_chart"));
  long total = (long) s->n_codes * s->latent;
  char binned[32], all[32], samples[32];
  g_autofree char *expected = NULL;

  g_object_unref (render_widget (chart)); /* its description follows what it draws */
  lab_plot_format_count (MIN (total, LAB_INSIDE_CODE_VALUES), binned, sizeof binned);
  lab_plot_format_count (total, all, sizeof all);
  lab_plot_format_count (s->n_codes, samples, sizeof samples);
  if (total > LAB_INSIDE_CODE_VALUES)
    expected = g_strdup_printf ("%s of %s code values of %s test samples", binned, all, samples);
  else
    expected = g_strdup_printf ("code values of %s test samples (%s)", samples, binned);
  g_test_message ("codes' histogram: %s", lab_chart_get_description (LAB_CHART (chart)));
  g_assert_nonnull (strstr (lab_chart_get_description (LAB_CHART (chart)), expected));
}

static void
assert_view_shows_codes (LabInsideView *view, LabSession *session)
{
  LabSnapshot *s = lab_session_get_snapshot (session);
  g_autofree float *mean = g_new (float, s->latent);
  g_autofree guint8 *dead = g_new (guint8, s->latent);
  LabInsideInfo info;

  g_assert_nonnull (s->codes);
  lab_inside_describe (s->weights, &info);
  g_assert_cmpint (lab_inside_view_get_dead_units (view), ==,
                   lab_inside_unit_activity (mean, dead, s->codes, s->n_codes, s->latent,
                                             info.active_above, info.signed_codes));
  assert_histogram_counts (view, s);
}

static void
test_view_sparse (void)
{
  LabWindow *window = train_preset ("sparse", 40);
  LabInsideView *view = inside_view (window);
  int n;

  /* 512 first-layer units, the first 128 drawn */
  g_assert_cmpint (lab_inside_view_get_n_tiles (view), ==, 128);
  assert_view_shows_codes (view, lab_window_get_session (window));
  /* no contractive penalty and a deep encoder: no Jacobian, nothing to compare */
  g_assert_null (lab_inside_view_get_jacobian_norms (view, FALSE, &n));
  g_assert_false (lab_inside_view_train_companion (view));
  save_window_shot (window, "inside-view-sparse.png");
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

static void
test_view_contractive (void)
{
  LabWindow *window = train_preset ("contractive", 60);
  LabInsideView *view = inside_view (window);
  gint64 end = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;
  const float *norms, *companion;
  int n, n_companion;

  /* every one of the 128 code units */
  g_assert_cmpint (lab_inside_view_get_n_tiles (view), ==, 128);
  assert_view_shows_codes (view, lab_window_get_session (window));
  norms = lab_inside_view_get_jacobian_norms (view, FALSE, &n);
  g_assert_nonnull (norms);
  g_assert_cmpint (n, >, 100);
  for (int i = 0; i < n; i++)
    g_assert_true (isfinite (norms[i]) && norms[i] > 0);
  {
    /* what the view shows is the measurement of the last weights on the codes' samples */
    LabSession *session = lab_window_get_session (window);
    LabSnapshot *s = lab_session_get_snapshot (session);
    g_autofree float *x = g_new (float, (gsize) n * s->dim);
    g_autofree float *direct = g_new (float, n);

    g_assert_cmpint (n, <=, s->n_codes);
    for (int i = 0; i < n; i++)
      memcpy (x + (gsize) i * s->dim,
              lab_session_get_dataset_sample (session, s->code_indices[i], NULL),
              sizeof (float) * s->dim);
    lab_inside_jacobian_norms (s->weights, direct, x, n);
    for (int i = 0; i < n; i++)
      g_assert_cmpfloat (norms[i], ==, direct[i]);
  }

  g_assert_true (lab_inside_view_train_companion (view));
  g_assert_true (lab_inside_view_get_training_companion (view));
  while (lab_inside_view_get_training_companion (view))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin_for (0.1);
    }
  companion = lab_inside_view_get_jacobian_norms (view, TRUE, &n_companion);
  g_assert_nonnull (companion);
  g_assert_cmpint (n_companion, ==, n);
  {
    double mean = 0, companion_mean = 0;

    for (int i = 0; i < n; i++)
      {
        g_assert_true (isfinite (companion[i]) && companion[i] > 0);
        mean += norms[i] / n;
        companion_mean += companion[i] / n;
      }
    g_test_message ("mean ||J||_F: %.3f with the penalty (60 batches), %.3f without (companion)",
                    mean, companion_mean);
  }
  save_window_shot (window, "inside-view-contractive.png");
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

static void
test_view_conv (void)
{
  LabWindow *window = train_preset ("conv", 20);
  LabInsideView *view = inside_view (window);
  LabSnapshot *s = lab_session_get_snapshot (lab_window_get_session (window));
  int units = 0, inputs = 0;
  g_autofree float *w = lab_weights_dup_first_layer (s->weights, &units, &inputs);

  /* one tile per kernel of the first convolution */
  g_assert_nonnull (w);
  g_assert_cmpint (inputs, <, s->dim);
  g_assert_cmpint (lab_inside_view_get_n_tiles (view), ==, MIN (units, 128));
  assert_view_shows_codes (view, lab_window_get_session (window));
  save_window_shot (window, "inside-view-conv.png");
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

/* New weights while the view is shown: the view hands its look at them and their Jacobian
 * norms to workers (busy right after the snapshot came), and the main thread passes no
 * sample through the model, training running or a step taken. */
static void
test_main_thread_computes_nothing (void)
{
  LabWindow *window = train_preset ("contractive", 30);
  LabSession *session = lab_window_get_session (window);
  LabInsideView *view = inside_view (window);
  guint64 here = lab_weights_get_samples_computed_here ();
  LabWeights *before = lab_session_get_snapshot (session)->weights;
  gint64 end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  const float *norms;
  int n;

  /* a batch taken: the snapshot that ends the step (not running: nothing to pace) */
  lab_session_step_batch (session);
  while (lab_session_get_snapshot (session)->weights == before
         || lab_session_get_snapshot (session)->state == LAB_TRAINING_RUNNING)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (500);
    }
  /* the snapshot came in this very iteration: what the view makes of it is on a worker */
  g_assert_true (lab_background_owner_is_busy (G_OBJECT (view)));
  lab_session_run (session);
  spin_for (3.0);
  lab_session_pause (session);
  spin_for (0.5);
  wait_for_view (view);
  g_assert_cmpuint (lab_weights_get_samples_computed_here () - here, ==, 0);
  /* and it shows the newest weights' measurement */
  norms = lab_inside_view_get_jacobian_norms (view, FALSE, &n);
  g_assert_nonnull (norms);
  assert_view_shows_codes (view, session);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

int
main (int argc, char **argv)
{
  window_test_init (&argc, &argv);

  g_test_add_func ("/views/inside/jacobian-closed-form", test_jacobian_closed_form);
  g_test_add_func ("/views/inside/jacobian-estimate", test_jacobian_estimate);
  g_test_add_func ("/views/inside/dead-units", test_dead_units);
  g_test_add_func ("/views/inside/sparse", test_view_sparse);
  g_test_add_func ("/views/inside/contractive", test_view_contractive);
  g_test_add_func ("/views/inside/conv", test_view_conv);
  g_test_add_func ("/views/inside/main-thread-computes-nothing", test_main_thread_computes_nothing);

  return g_test_run ();
}
