/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sequence-tools.c: the Sequences view's arithmetic: squared error per step over
 * several features, codes between two codes (exact ends, straight and spherical paths),
 * the spread of a set of codes, and codes drawn from a Gaussian; and what LabSession tells
 * the view about time series: which data are sequences, and the ecg's anomalous steps. */
#include <math.h>
#include <string.h>

#include "ae-dataset.h"
#include "lab-sequence-tools.h"
#include "lab-session.h"

static void
test_step_errors (void)
{
  /* 3 steps of 2 features */
  const float x[] = { 0.0f, 1.0f, 0.5f, 0.5f, 0.2f, 0.9f };
  const float x_hat[] = { 0.5f, 1.0f, 0.5f, 0.5f, 0.0f, 0.5f };
  float errors[3];

  lab_sequence_step_errors (errors, x, x_hat, 3, 2);
  for (int t = 0; t < 3; t++)
    {
      double d0 = (double) x[2 * t] - x_hat[2 * t], d1 = (double) x[2 * t + 1] - x_hat[2 * t + 1];

      g_assert_cmpfloat_with_epsilon (errors[t], (d0 * d0 + d1 * d1) / 2, 1e-7);
    }
  /* identical sequences have no error */
  lab_sequence_step_errors (errors, x, x, 3, 2);
  for (int t = 0; t < 3; t++)
    g_assert_cmpfloat (errors[t], ==, 0);
}

static double
norm (const float *v, int n)
{
  double s = 0;

  for (int i = 0; i < n; i++)
    s += (double) v[i] * v[i];
  return sqrt (s);
}

static void
test_mix_codes (void)
{
  const float a[] = { 1.0f, 0.0f, 0.5f }, b[] = { 0.0f, 1.0f, -0.5f };
  float out[3];

  for (int spherical = 0; spherical < 2; spherical++)
    {
      lab_sequence_mix_codes (out, a, b, 3, 0, spherical);
      for (int d = 0; d < 3; d++)
        g_assert_cmpfloat (out[d], ==, a[d]);
      lab_sequence_mix_codes (out, a, b, 3, 1, spherical);
      for (int d = 0; d < 3; d++)
        g_assert_cmpfloat (out[d], ==, b[d]);
    }
  /* straight: half way is the mean, shorter than either end */
  lab_sequence_mix_codes (out, a, b, 3, 0.5, FALSE);
  for (int d = 0; d < 3; d++)
    g_assert_cmpfloat_with_epsilon (out[d], (a[d] + b[d]) / 2, 1e-7);
  /* spherical between codes of equal length keeps that length all the way */
  for (double t = 0.1; t < 1; t += 0.2)
    {
      lab_sequence_mix_codes (out, a, b, 3, t, TRUE);
      g_assert_cmpfloat_with_epsilon (norm (out, 3), norm (a, 3), 1e-6);
    }
}

static void
test_spread_and_draws (void)
{
  enum { N = 20000, LATENT = 2 };
  g_autofree float *codes = g_new (float, (gsize) N * LATENT);
  const float mean[] = { 1.5f, -2.0f }, sd[] = { 0.5f, 3.0f };
  float got_mean[LATENT], got_sd[LATENT];
  GRand *rand = g_rand_new_with_seed (11);

  lab_sequence_draw_codes (codes, N, LATENT, mean, sd, rand);
  lab_sequence_code_spread (got_mean, got_sd, codes, N, LATENT);
  for (int d = 0; d < LATENT; d++)
    {
      /* 20,000 draws: the mean is within 5 standard errors, the spread within 3 % */
      g_assert_cmpfloat (fabs (got_mean[d] - mean[d]), <, 5 * sd[d] / sqrt (N));
      g_assert_cmpfloat (fabs (got_sd[d] / sd[d] - 1), <, 0.03);
    }
  /* no mean and spread: the prior N(0, I) */
  lab_sequence_draw_codes (codes, N, LATENT, NULL, NULL, rand);
  lab_sequence_code_spread (got_mean, got_sd, codes, N, LATENT);
  for (int d = 0; d < LATENT; d++)
    {
      g_assert_cmpfloat (fabs (got_mean[d]), <, 5 / sqrt (N));
      g_assert_cmpfloat (fabs (got_sd[d] - 1), <, 0.03);
    }
  g_rand_free (rand);
}

static void
test_session_sequences (void)
{
  g_autoptr(LabSession) session = lab_session_new ();
  g_autoptr(GError) error = NULL;
  AeDataset *ds = NULL;
  AeError err = { 0 };
  const uint32_t *test;
  long anomalous = 0;

  g_assert_true (lab_session_load (session, "ecg", "sequence", &error));
  g_assert_no_error (error);
  g_assert_true (lab_session_get_is_sequence (session));
  /* the session's test split, flag for flag, is the dataset's (same seed, 1) */
  g_assert_cmpint (ae_dataset_load (&ds, "ecg", 1, &err), ==, AE_OK);
  g_assert_cmpint (lab_session_get_split_size (session, LAB_SPLIT_TEST), ==, ds->n_test);
  test = ae_dataset_test (ds);
  for (long i = 0; i < ds->n_test; i++)
    {
      const guint8 *flags = lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, i);
      const uint8_t *expected = ds->step_anomaly + (size_t) test[i] * ds->height;

      g_assert_nonnull (flags);
      g_assert_cmpmem (flags, ds->height, expected, ds->height);
      anomalous += memchr (flags, 1, ds->height) != NULL;
    }
  /* about a fifth of the test windows hold an anomalous beat */
  g_assert_cmpint (anomalous, >, ds->n_test / 10);
  g_assert_cmpint (anomalous, <, ds->n_test / 3);
  g_assert_null (lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, ds->n_test));
  g_assert_null (lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, -1));
  ae_dataset_free (ds);

  /* sines are sequences without anomaly labels; digits are not sequences */
  g_assert_true (lab_session_load (session, "sines", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (lab_session_get_is_sequence (session));
  g_assert_null (lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, 0));
  g_assert_true (lab_session_load (session, "digits", "undercomplete", &error));
  g_assert_no_error (error);
  g_assert_false (lab_session_get_is_sequence (session));
  g_assert_null (lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, 0));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sequence-tools/step-errors", test_step_errors);
  g_test_add_func ("/sequence-tools/mix-codes", test_mix_codes);
  g_test_add_func ("/sequence-tools/spread-and-draws", test_spread_and_draws);
  g_test_add_func ("/sequence-tools/session-sequences", test_session_sequences);
  return g_test_run ();
}
