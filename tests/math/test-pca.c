/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pca.c: PCA against data whose covariance is known by construction. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-math.h"
#include "ae-rng.h"
#include "ae-test.h"

/* rot (dim, dim): a random orthogonal matrix, rows by Gram-Schmidt on Gaussian vectors. */
static void
random_rotation (double *rot, int dim, AeRng *rng)
{
  for (int i = 0; i < dim; i++)
    {
      double *r = rot + (size_t) i * dim;
      for (int j = 0; j < dim; j++)
        r[j] = ae_rng_normal (rng);
      for (int p = 0; p < i; p++)
        {
          const double *q = rot + (size_t) p * dim;
          double dot = 0.0;
          for (int j = 0; j < dim; j++)
            dot += r[j] * q[j];
          for (int j = 0; j < dim; j++)
            r[j] -= dot * q[j];
        }
      double norm = 0.0;
      for (int j = 0; j < dim; j++)
        norm += r[j] * r[j];
      for (int j = 0; j < dim; j++)
        r[j] /= sqrt (norm);
    }
}

enum { ROT_DIM = 5, ROT_N = 20000 };
static const double rot_variance[ROT_DIM] = { 9.0, 4.0, 1.0, 0.25, 0.0625 };
static const double rot_mean[ROT_DIM] = { 3.0, -1.0, 0.5, 10.0, -7.0 };

/* x (n, ROT_DIM) = mean + sum_i sqrt(variance_i) z_i axis_i: an anisotropic Gaussian whose
 * principal axes are the rows of a random rotation. */
static float *
rotated_gaussian (double *axes, long n, uint64_t seed)
{
  AeRng rng;
  ae_rng_seed (&rng, seed);
  random_rotation (axes, ROT_DIM, &rng);
  float *x = malloc ((size_t) n * ROT_DIM * sizeof *x);
  for (long s = 0; s < n; s++)
    {
      double row[ROT_DIM];
      memcpy (row, rot_mean, sizeof row);
      for (int i = 0; i < ROT_DIM; i++)
        {
          double z = sqrt (rot_variance[i]) * ae_rng_normal (&rng);
          for (int j = 0; j < ROT_DIM; j++)
            row[j] += z * axes[i * ROT_DIM + j];
        }
      for (int j = 0; j < ROT_DIM; j++)
        x[s * ROT_DIM + j] = (float) row[j];
    }
  return x;
}

static void
test_pca_recovers_axes (void)
{
  double axes[ROT_DIM * ROT_DIM];
  float *x = rotated_gaussian (axes, ROT_N, 42);
  AePca *pca = NULL;
  AeError err = { 0 };
  AeStatus status = ae_pca_fit (&pca, x, ROT_N, ROT_DIM, ROT_DIM, &err);
  CHECK (status == AE_OK, "%s", err.message);
  if (status != AE_OK)
    {
      free (x);
      return;
    }
  CHECK (pca->dim == ROT_DIM && pca->k == ROT_DIM, "dim %d k %d", pca->dim, pca->k);
  double total = 0.0;
  for (int i = 0; i < ROT_DIM; i++)
    {
      /* Sampling error of a variance is about sqrt(2/n) = 1 %; of an axis' direction about
       * sqrt(l1 l2 / ((l1 - l2)^2 n)) rad, under 0.6 degrees here. */
      CHECK_CLOSE (pca->variance[i], rot_variance[i], 0.05);
      double dot = 0.0;
      for (int j = 0; j < ROT_DIM; j++)
        dot += pca->components[i * ROT_DIM + j] * axes[i * ROT_DIM + j];
      double angle = acos (fmin (1.0, fabs (dot))) * 180.0 / M_PI;
      CHECK (angle < 2.0, "component %d is %.3f degrees from its axis", i, angle);
      CHECK_CLOSE (pca->mean[i], rot_mean[i], 0.05);
      total += rot_variance[i];
      if (i > 0)
        CHECK (pca->variance[i] <= pca->variance[i - 1], "variance %d not decreasing", i);
    }
  CHECK_CLOSE (pca->total_variance, total, 0.05);
  ae_pca_free (pca);
  free (x);
}

/* Components are orthonormal, each with its largest-magnitude entry positive; the codes of
 * the training data are uncorrelated, with the eigenvalues as variances. */
static void
test_pca_orthonormal_projection (void)
{
  double axes[ROT_DIM * ROT_DIM];
  const long n = 3000;
  const int k = 3;
  float *x = rotated_gaussian (axes, n, 7);
  AePca *pca = NULL;
  AeError err = { 0 };
  CHECK (ae_pca_fit (&pca, x, n, ROT_DIM, k, &err) == AE_OK, "%s", err.message);
  if (pca == NULL)
    {
      free (x);
      return;
    }
  CHECK (pca->k == k, "k %d", pca->k);
  for (int a = 0; a < k; a++)
    {
      const float *ca = pca->components + a * ROT_DIM;
      int largest = 0;
      for (int j = 1; j < ROT_DIM; j++)
        if (fabsf (ca[j]) > fabsf (ca[largest]))
          largest = j;
      CHECK (ca[largest] > 0.0f, "component %d: largest entry %g is negative", a,
             (double) ca[largest]);
      for (int b = 0; b < k; b++)
        {
          double dot = 0.0;
          for (int j = 0; j < ROT_DIM; j++)
            dot += ca[j] * pca->components[b * ROT_DIM + j];
          CHECK (fabs (dot - (a == b)) < 1e-5, "components %d.%d = %g", a, b, dot);
        }
    }

  float *codes = malloc ((size_t) n * k * sizeof *codes);
  ae_pca_project (pca, codes, x, n, k);
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++)
      {
        double mean_a = 0.0, cov = 0.0;
        for (long s = 0; s < n; s++)
          mean_a += codes[s * k + a];
        for (long s = 0; s < n; s++)
          cov += (double) codes[s * k + a] * codes[s * k + b];
        cov /= (double) (n - 1);
        CHECK (fabs (mean_a / (double) n) < 1e-4, "code %d has mean %g", a, mean_a / n);
        double expected = a == b ? pca->variance[a] : 0.0;
        CHECK (fabs (cov - expected) < 1e-4 * pca->variance[0], "code cov %d.%d = %g, expected %g",
               a, b, cov, expected);
      }
  free (codes);
  ae_pca_free (pca);
  free (x);
}

/* With every component kept, project then reconstruct is the identity. */
static void
test_pca_full_reconstruction (void)
{
  enum { N = 40, DIM = 12 };
  AeRng rng;
  ae_rng_seed (&rng, 3);
  float x[N * DIM], codes[N * DIM], back[N * DIM];
  for (int i = 0; i < N * DIM; i++)
    x[i] = ae_rng_uniform (&rng);
  AePca *pca = NULL;
  AeError err = { 0 };
  CHECK (ae_pca_fit (&pca, x, N, DIM, DIM, &err) == AE_OK, "%s", err.message);
  if (pca == NULL)
    return;
  ae_pca_project (pca, codes, x, N, DIM);
  ae_pca_reconstruct (pca, back, codes, N, DIM);
  double worst = 0.0;
  for (int i = 0; i < N * DIM; i++)
    worst = fmax (worst, fabs ((double) back[i] - x[i]));
  CHECK (worst < 1e-5, "largest reconstruction error %g", worst);

  /* Fewer components: the error is what the dropped variance predicts (n - 1 normalisation). */
  int k = 4;
  ae_pca_project (pca, codes, x, N, k);
  ae_pca_reconstruct (pca, back, codes, N, k);
  double sse = 0.0, dropped = 0.0;
  for (int i = 0; i < N * DIM; i++)
    sse += ((double) back[i] - x[i]) * ((double) back[i] - x[i]);
  for (int i = k; i < DIM; i++)
    dropped += pca->variance[i];
  CHECK_CLOSE (sse / (N - 1), dropped, 1e-4);
  CHECK_CLOSE (pca->total_variance - dropped,
               pca->variance[0] + pca->variance[1] + pca->variance[2] + pca->variance[3], 1e-5);
  ae_pca_free (pca);
}

/* Fewer samples than features: the covariance is singular; the spare components are still
 * orthonormal and their variances zero, not negative. */
static void
test_pca_rank_deficient (void)
{
  enum { N = 3, DIM = 6 };
  const float x[N * DIM] = { 0.1f, 0.5f, 0.9f, 0.2f, 0.3f, 0.0f, 0.7f, 0.4f, 0.1f,
                             0.6f, 0.8f, 1.0f, 0.3f, 0.3f, 0.5f, 0.9f, 0.1f, 0.2f };
  AePca *pca = NULL;
  AeError err = { 0 };
  CHECK (ae_pca_fit (&pca, x, N, DIM, DIM, &err) == AE_OK, "%s", err.message);
  if (pca == NULL)
    return;
  CHECK (pca->variance[1] > 1e-3, "second variance %g", (double) pca->variance[1]);
  for (int i = N - 1; i < DIM; i++)
    CHECK (pca->variance[i] >= 0.0f && pca->variance[i] < 1e-6, "variance %d = %g", i,
           (double) pca->variance[i]);
  for (int a = 0; a < DIM; a++)
    for (int b = 0; b < DIM; b++)
      {
        double dot = 0.0;
        for (int j = 0; j < DIM; j++)
          dot += pca->components[a * DIM + j] * pca->components[b * DIM + j];
        CHECK (fabs (dot - (a == b)) < 1e-5, "components %d.%d = %g", a, b, dot);
      }
  ae_pca_free (pca);
}

static void
test_pca_bad_input (void)
{
  float x[4 * 3] = { 0 };
  static AePca sentinel;
  AePca *pca = &sentinel; /* must be reset to NULL on failure */
  AeError err = { 0 };
  CHECK (ae_pca_fit (&pca, x, 1, 3, 1, &err) == AE_ERR_INVALID && pca == NULL, "n = 1");
  CHECK (strstr (err.message, "at least 2 samples, got 1") != NULL, "%s", err.message);
  CHECK (ae_pca_fit (&pca, x, 4, 3, 0, &err) == AE_ERR_INVALID, "k = 0");
  CHECK (strstr (err.message, "0 components") != NULL, "%s", err.message);
  CHECK (ae_pca_fit (&pca, x, 4, 3, 4, &err) == AE_ERR_INVALID, "k > dim");
  CHECK (strstr (err.message, "4 components: expected 1 to 3") != NULL, "%s", err.message);
  CHECK (ae_pca_fit (&pca, x, 1, AE_MAX_FEATURES + 1, 1, &err) == AE_ERR_INVALID, "n checked first");
  CHECK (ae_pca_fit (&pca, x, 2, AE_MAX_FEATURES + 1, 1, &err) == AE_ERR_LIMIT, "dim limit");
  CHECK (strstr (err.message, "1048577 features") != NULL, "%s", err.message);
  CHECK (ae_pca_fit_randomized (&pca, x, 2, 3, 3, &err) == AE_ERR_INVALID && pca == NULL,
         "randomized: more components than samples");
  CHECK (ae_pca_fit (&pca, x, AE_MAX_SAMPLES + 1, 3, 1, &err) == AE_ERR_LIMIT, "n limit");
  x[2 * 3 + 1] = NAN;
  CHECK (ae_pca_fit (&pca, x, 4, 3, 1, &err) == AE_ERR_INVALID, "NaN");
  CHECK (strstr (err.message, "row 2, feature 1 is nan") != NULL, "%s", err.message);
  CHECK (pca == NULL, "pca left set");
}

/* x (n, dim) = mean + sum over r < rank of sqrt(2^-r * 10) z_r axis_r + noise of the given
 * spread, with axes random unit vectors (nearly orthogonal when dim is large); the axes
 * are written to axes (rank, dim) when it is not NULL. */
static float *
decaying_spectrum (long n, int dim, int rank, double noise, double *axes, uint64_t seed)
{
  AeRng rng;
  ae_rng_seed (&rng, seed);
  double *own = axes != NULL ? axes : malloc ((size_t) rank * dim * sizeof *own);
  for (int r = 0; r < rank; r++)
    {
      double norm = 0.0, *a = own + (size_t) r * dim;
      for (int j = 0; j < dim; j++)
        {
          a[j] = ae_rng_normal (&rng);
          norm += a[j] * a[j];
        }
      for (int j = 0; j < dim; j++)
        a[j] /= sqrt (norm);
    }
  float *x = malloc ((size_t) n * dim * sizeof *x);
  for (long i = 0; i < n; i++)
    {
      float *row = x + (size_t) i * dim;
      for (int j = 0; j < dim; j++)
        row[j] = (float) (0.5 + 0.1 * sin (j) + noise * ae_rng_normal (&rng));
      for (int r = 0; r < rank; r++)
        {
          double z = sqrt (10.0 * pow (0.5, r)) * ae_rng_normal (&rng);
          for (int j = 0; j < dim; j++)
            row[j] += (float) (z * own[(size_t) r * dim + j]);
        }
    }
  if (axes == NULL)
    free (own);
  return x;
}

/* Squared error of rebuilding every row of x from its first k codes. */
static double
reconstruction_sse (const AePca *pca, const float *x, long n, int k)
{
  float *codes = malloc ((size_t) n * k * sizeof *codes);
  float *back = malloc ((size_t) n * pca->dim * sizeof *back);
  ae_pca_project (pca, codes, x, n, k);
  ae_pca_reconstruct (pca, back, codes, n, k);
  double sse = 0.0;
  for (size_t i = 0; i < (size_t) n * pca->dim; i++)
    sse += ((double) back[i] - x[i]) * ((double) back[i] - x[i]);
  free (codes);
  free (back);
  return sse;
}

/* The randomized SVD finds what the exact eigen-solver finds on a case small enough for both:
 * the same variances, the same directions, the same reconstruction error. */
static void
test_pca_randomized_matches_exact (void)
{
  const long n = 400;
  const int dim = 90, k = 8;
  float *x = decaying_spectrum (n, dim, 20, 0.02, NULL, 5);
  AePca *exact = NULL, *fast = NULL;
  AeError err = { 0 };
  CHECK (ae_pca_fit (&exact, x, n, dim, k, &err) == AE_OK, "%s", err.message);
  CHECK (ae_pca_fit_randomized (&fast, x, n, dim, k, &err) == AE_OK, "%s", err.message);
  if (exact == NULL || fast == NULL)
    goto done;
  CHECK (fabs (fast->total_variance - exact->total_variance) <= 1e-5 * exact->total_variance,
         "total variance %g, exact %g", fast->total_variance, exact->total_variance);
  for (int i = 0; i < k; i++)
    {
      CHECK (fabs (fast->variance[i] - exact->variance[i]) <= 1e-3 * exact->variance[i],
             "variance %d: %g, exact %g", i, (double) fast->variance[i], (double) exact->variance[i]);
      double dot = 0.0;
      for (int j = 0; j < dim; j++)
        dot += (double) fast->components[(size_t) i * dim + j] * exact->components[(size_t) i * dim + j];
      CHECK (fabs (dot) >= 0.9999, "component %d: |cos| %.6f with the exact one", i, fabs (dot));
    }
  double sse_fast = reconstruction_sse (fast, x, n, k), sse_exact = reconstruction_sse (exact, x, n, k);
  printf ("# randomized: SSE %.6g, exact %.6g\n", sse_fast, sse_exact);
  CHECK (fabs (sse_fast - sse_exact) <= 1e-3 * sse_exact, "SSE %g, exact %g", sse_fast, sse_exact);
done:
  ae_pca_free (exact);
  ae_pca_free (fast);
  free (x);
}

/* Beyond the covariance's limit (a 64x64 RGB image has 12,288 values) ae_pca_fit still
 * works: orthonormal components by decreasing variance that span the data's axes. */
static void
test_pca_beyond_exact_limit (void)
{
  const long n = 120;
  const int dim = 64 * 64 * 3, rank = 5;
  CHECK (dim > AE_PCA_MAX_DIM, "the case must exceed the exact solver's limit");
  double *axes = malloc ((size_t) rank * dim * sizeof *axes);
  float *x = decaying_spectrum (n, dim, rank, 0.001, axes, 9);
  AePca *pca = NULL;
  AeError err = { 0 };
  CHECK (ae_pca_fit (&pca, x, n, dim, rank, &err) == AE_OK, "%s", err.message);
  if (pca != NULL)
    {
      for (int a = 0; a < rank; a++)
        for (int b = 0; b <= a; b++)
          {
            double dot = cblas_sdot (dim, pca->components + (size_t) a * dim, 1,
                                     pca->components + (size_t) b * dim, 1);
            CHECK (fabs (dot - (a == b)) <= 1e-4, "components %d, %d: dot %g", a, b, dot);
          }
      for (int i = 1; i < rank; i++)
        CHECK (pca->variance[i] <= pca->variance[i - 1], "variance %d rises", i);
      for (int r = 0; r < rank; r++)
        {
          /* the length of axis r's projection on the components' span */
          double kept = 0.0;
          for (int i = 0; i < rank; i++)
            {
              double dot = 0.0;
              for (int j = 0; j < dim; j++)
                dot += axes[(size_t) r * dim + j] * pca->components[(size_t) i * dim + j];
              kept += dot * dot;
            }
          CHECK (sqrt (kept) >= 0.995, "axis %d: %.4f of it in the components' span", r, sqrt (kept));
        }
    }
  ae_pca_free (pca);
  free (axes);
  free (x);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/pca/recovers-axes", test_pca_recovers_axes },
    { "/pca/orthonormal-projection", test_pca_orthonormal_projection },
    { "/pca/full-reconstruction", test_pca_full_reconstruction },
    { "/pca/rank-deficient", test_pca_rank_deficient },
    { "/pca/bad-input", test_pca_bad_input },
    { "/pca/randomized-matches-exact", test_pca_randomized_matches_exact },
    { "/pca/beyond-exact-limit", test_pca_beyond_exact_limit },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
