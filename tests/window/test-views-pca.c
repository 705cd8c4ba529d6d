/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-views-pca.c: the versus PCA view and its analysis under Xvfb: PCA's error at every
 * code size (from one projection) equals a fit, projection and reconstruction at that size
 * done directly, and the variance left out on data of known variances; the angles between a
 * decoder's column space and PCA's subspace are the engine's for those bases; the view on digits shows PCA's
 * curve as computed directly, and with the linear preset its largest principal angle
 * shrinks as it trains.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-views-pca --tap` with
 * GSK_RENDERER=cairo; `--output DIR` keeps window shots there.
 */
#include <math.h>
#include <string.h>

#include "ae-math.h"
#include "lab-pca-compare.h"
#include "lab-pca-view.h"
#include "lab-window-private.h"
#include "window-test-util.h"

/* A whole split of a session, copied. */
static float *
copy_split (LabSession *session, LabSplit split, int dim, long *n)
{
  long count = lab_session_get_split_size (session, split);
  float *rows = g_new (float, (gsize) count * dim);

  for (long i = 0; i < count; i++)
    memcpy (rows + i * dim, lab_session_get_sample (session, split, i, NULL), dim * sizeof (float));
  *n = count;
  return rows;
}

/* PCA-k's squared error per test row, by a fit of k components, projection and
 * reconstruction, as `latentlab eval` measures it. */
static double
direct_pca_sse (const float *train, long n_train, const float *test, long n_test, int dim, int k)
{
  AeError err = { 0 };
  AePca *pca = NULL;
  float *codes = g_new (float, (gsize) n_test * k);
  float *out = g_new (float, (gsize) n_test * dim);
  double total = 0;

  g_assert_cmpint (ae_pca_fit (&pca, train, n_train, dim, k, &err), ==, AE_OK);
  ae_pca_project (pca, codes, test, n_test, k);
  ae_pca_reconstruct (pca, out, codes, n_test, k);
  for (long i = 0; i < n_test * dim; i++)
    total += ((double) test[i] - out[i]) * ((double) test[i] - out[i]);
  ae_pca_free (pca);
  g_free (codes);
  g_free (out);
  return total / n_test;
}

/* Synthetic rows in 6 dimensions with variances 9, 4, 1, 0.25, 0.01, 0.0001 along known
 * orthonormal directions: PCA's error at k is the sum of the variances left out. */
static void
test_compare_on_known_data (void)
{
  enum { DIM = 6, N = 4000 };
  const double sd[DIM] = { 3, 2, 1, 0.5, 0.1, 0.01 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (GError) error = NULL;
  float *x = g_new (float, N * DIM);
  g_autoptr (LabPcaCompare) compare = NULL;

  /* directions: a rotation of the axes by 30 degrees in the planes (0,1), (2,3), (4,5) */
  for (long i = 0; i < N; i++)
    for (int p = 0; p < DIM; p += 2)
      {
        double a = sd[p] * g_rand_double_range (rand, -1, 1) * sqrt (3.0);
        double b = sd[p + 1] * g_rand_double_range (rand, -1, 1) * sqrt (3.0);

        x[i * DIM + p] = (float) (0.5 + a * cos (G_PI / 6) - b * sin (G_PI / 6));
        x[i * DIM + p + 1] = (float) (0.25 + a * sin (G_PI / 6) + b * cos (G_PI / 6));
      }
  /* fitted on the first half, measured on the second */
  compare = lab_pca_compare_new (x, N / 2, x + (N / 2) * DIM, N / 2, DIM, 64, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lab_pca_compare_get_k_max (compare), ==, DIM);
  for (int k = 1; k <= DIM; k++)
    {
      double expected = direct_pca_sse (x, N / 2, x + (N / 2) * DIM, N / 2, DIM, k);
      double left_out = 0;

      for (int j = k; j < DIM; j++)
        left_out += sd[j] * sd[j];
      g_assert_cmpfloat_with_epsilon (lab_pca_compare_get_sse (compare, k), expected, 1e-4 * (1 + expected));
      /* sampling error of the variances only */
      g_assert_cmpfloat_with_epsilon (lab_pca_compare_get_sse (compare, k), left_out, 0.1 * left_out + 1e-4);
    }
  /* too few rows are refused */
  g_assert_null (lab_pca_compare_new (x, 1, x, 1, DIM, 4, &error));
  g_assert_nonnull (error);
  g_free (x);
}

/* The angles of a linear model (the linear preset with code size 2, after one batch) are
 * the engine's principal angles between its decoder's columns, read as decode(e_i) -
 * decode(0), and PCA-2's components from a direct fit; the engine's function is checked
 * against known subspaces in tests/math/test-metrics.c. */
static void
test_angles_are_the_engines (void)
{
  g_autoptr (LabSession) session = lab_session_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (LabPcaCompare) compare = NULL;
  g_autoptr (LabPcaMeasure) measure = NULL;
  LabWeights *weights;
  float *train, *test, *out, *codes, *a, *b;
  double angles[2], expected[2];
  long n_train, n_test;
  int dim = 784, L = 2;

  g_assert_true (lab_session_load (session, "digits", "linear", &error));
  g_assert_no_error (error);
  g_assert_true (lab_session_set_option (session, "latent", "2", &error));
  g_assert_no_error (error);
  lab_session_step_batch (session);
  {
    gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

    while (lab_session_get_snapshot (session) == NULL
           || lab_session_get_snapshot (session)->weights == NULL)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
      }
  }
  weights = lab_session_get_snapshot (session)->weights;
  train = copy_split (session, LAB_SPLIT_TRAIN, dim, &n_train);
  test = copy_split (session, LAB_SPLIT_TEST, dim, &n_test);
  compare = lab_pca_compare_new (train, n_train, test, n_test, dim, 8, &error);
  g_assert_no_error (error);

  /* the bases by hand: the decoder's columns, and PCA-2's components from a direct fit */
  codes = g_new0 (float, 3 * L);
  out = g_new (float, 3 * dim);
  a = g_new (float, dim * L);
  b = g_new (float, dim * L);
  codes[1 * L + 0] = 1;
  codes[2 * L + 1] = 1;
  lab_weights_decode (weights, out, codes, 3);
  {
    AeError err = { 0 };
    AePca *pca = NULL;

    g_assert_cmpint (ae_pca_fit (&pca, train, n_train, dim, L, &err), ==, AE_OK);
    for (int p = 0; p < dim; p++)
      for (int i = 0; i < L; i++)
        {
          a[p * L + i] = out[(i + 1) * dim + p] - out[p];
          b[p * L + i] = pca->components[i * dim + p];
        }
    ae_pca_free (pca);
  }
  ae_principal_angles (a, L, b, L, dim, expected);
  g_assert_cmpfloat_with_epsilon (lab_pca_compare_angles (compare, weights, angles), expected[1], 1e-3);
  g_assert_cmpfloat_with_epsilon (angles[0], expected[0], 1e-3);
  /* the measurement carries the same angles and the model's error on the test rows */
  measure = lab_pca_compare_measure (compare, weights, 4);
  g_assert_cmpint (measure->latent, ==, 2);
  g_assert_cmpfloat_with_epsilon (measure->largest, angles[1], 1e-9);
  g_assert_true (isfinite (measure->sse));
  g_assert_cmpint (measure->n_recon, ==, 4);
  g_assert_nonnull (measure->pca_recon);
  {
    float *recon = g_new (float, 4 * dim);

    lab_pca_compare_reconstruct (compare, recon, test, 4, 2);
    g_assert_cmpmem (recon, 4 * dim * sizeof (float), measure->pca_recon, 4 * dim * sizeof (float));
    g_free (recon);
  }
  g_free (codes);
  g_free (out);
  g_free (a);
  g_free (b);
  g_free (train);
  g_free (test);
}

static void
wait_until_current (LabPcaView *view, gint64 end)
{
  while (!lab_pca_view_is_current (view))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin_for (0.05);
    }
}

static void
test_view_linear (void)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  LabPcaView *view;
  g_autoptr (GError) error = NULL;
  gint64 end = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;
  float *train, *test;
  long n_train, n_test;
  double first_angle, last_angle, first_step, last_step;
  guint n_points;

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, "digits", "linear", FALSE, "pca");
  gtk_window_present (GTK_WINDOW (window));
  view = LAB_PCA_VIEW (gtk_stack_get_child_by_name (window->stack, "pca"));
  while (lab_session_get_loading (session) || lab_session_get_snapshot (session) == NULL
         || lab_session_get_split_size (session, LAB_SPLIT_TEST) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_true (lab_session_set_option (session, "latent", "8", &error));
  g_assert_no_error (error);

  /* the PCA curve is PCA's error computed directly on the session's splits */
  while (isnan (lab_pca_view_get_pca_error (view, 1)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin_for (0.05);
    }
  train = copy_split (session, LAB_SPLIT_TRAIN, 784, &n_train);
  test = copy_split (session, LAB_SPLIT_TEST, 784, &n_test);
  for (int k = 3; k <= 40; k += 37)
    {
      double direct = direct_pca_sse (train, n_train, test, n_test, 784, k);

      g_test_message ("PCA-%d: %.4f per test image (view %.4f)", k, direct,
                      lab_pca_view_get_pca_error (view, k));
      g_assert_cmpfloat_with_epsilon (lab_pca_view_get_pca_error (view, k), direct, 1e-4 * direct);
    }
  g_assert_cmpfloat (lab_pca_view_get_pca_error (view, 40), <, lab_pca_view_get_pca_error (view, 3));
  g_free (train);
  g_free (test);

  /* train, and the largest angle shrinks from its first measurement */
  lab_session_run (session);
  while (lab_session_get_snapshot (session)->steps < 1500)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin_for (0.05);
    }
  lab_session_pause (session);
  spin_for (0.3);
  wait_until_current (view, end);
  n_points = lab_pca_view_get_n_angle_points (view);
  g_assert_cmpuint (n_points, >=, 2);
  first_angle = lab_pca_view_get_largest_angle_at (view, 0, &first_step);
  last_angle = lab_pca_view_get_largest_angle_at (view, n_points - 1, &last_step);
  g_test_message ("linear, k = 8: largest angle %.2f at step %.0f, %.2f at step %.0f; "
                  "error %.3f against PCA-8 %.3f", first_angle, first_step, last_angle, last_step,
                  lab_pca_view_get_model_error (view), lab_pca_view_get_pca_error (view, 8));
  g_assert_cmpfloat (last_step, >, first_step);
  g_assert_cmpfloat (last_angle, <, first_angle);
  g_assert_cmpfloat (last_angle, ==, lab_pca_view_get_largest_angle (view));
  g_assert_true (isfinite (lab_pca_view_get_model_error (view)));
  g_assert_cmpfloat (lab_pca_view_get_model_point (view, "linear", 8), ==,
                     lab_pca_view_get_model_error (view));
  save_window_shot (window, "pca-view-linear.png");

  /* another code size: a new model whose angles start afresh, while the last run's point
   * stays beside the new one */
  g_assert_true (lab_session_set_option (session, "latent", "4", &error));
  g_assert_no_error (error);
  lab_session_run (session);
  while (lab_session_get_snapshot (session)->steps < 200
         || lab_session_get_snapshot (session)->latent != 4)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin_for (0.05);
    }
  lab_session_pause (session);
  spin_for (0.3);
  wait_until_current (view, end);
  g_assert_cmpfloat (lab_pca_view_get_largest_angle_at (view, 0, &first_step), >, 0);
  g_assert_cmpfloat (first_step, <, last_step);
  g_assert_true (isfinite (lab_pca_view_get_model_point (view, "linear", 8)));
  g_assert_cmpfloat (lab_pca_view_get_model_point (view, "linear", 4), ==,
                     lab_pca_view_get_model_error (view));
  /* a smaller code reconstructs worse, for PCA and for the autoencoder */
  g_assert_cmpfloat (lab_pca_view_get_model_point (view, "linear", 4), >,
                     lab_pca_view_get_model_point (view, "linear", 8));
  save_window_shot (window, "pca-view-linear-two-sizes.png");
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

int
main (int argc, char **argv)
{
  window_test_init (&argc, &argv);

  g_test_add_func ("/views/pca/compare-on-known-data", test_compare_on_known_data);
  g_test_add_func ("/views/pca/angles-are-the-engines", test_angles_are_the_engines);
  g_test_add_func ("/views/pca/linear", test_view_linear);

  return g_test_run ();
}
