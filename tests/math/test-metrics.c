/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-metrics.c: PSNR, SSIM, AUROC, ROC, k-NN accuracy and principal angles against
 * values worked out by hand (or by an independent numpy computation, quoted). */
#include <stdlib.h>
#include <string.h>

#include "ae-math.h"
#include "ae-rng.h"
#include "ae-test.h"

/* --- PSNR, SSIM ------------------------------------------------------------------------- */

static void
test_psnr_hand_values (void)
{
  const float zero[4] = { 0 }, one_off[4] = { 0.1f, 0, 0, 0 }, all_off[4] = { 0.1f, 0.1f, 0.1f, 0.1f };
  /* mse = 0.01 / 4 = 0.0025: 10 log10 (400) = 26.0206 dB. */
  CHECK_CLOSE (ae_psnr (zero, one_off, 4), 10.0 * log10 (400.0), 1e-6);
  /* mse = 0.01: 20 dB. */
  CHECK_CLOSE (ae_psnr (all_off, zero, 4), 20.0, 1e-6);
  CHECK (ae_psnr (one_off, one_off, 4) == 99.0, "identical: %g", ae_psnr (one_off, one_off, 4));
  /* Nearly identical images are capped too, not above 99. */
  const float tiny[1] = { 1e-7f }, none[1] = { 0 };
  CHECK (ae_psnr (tiny, none, 1) == 99.0, "capped: %g", ae_psnr (tiny, none, 1));
  CHECK (isnan (ae_psnr (zero, zero, 0)), "empty");
}

static void
test_sse_per_row_hand_values (void)
{
  /* two rows of two: row errors 0.01 + 0.04 and 0.09 + 0, so (0.05 + 0.09) / 2 = 0.07 */
  const float a[4] = { 0.1f, 0.2f, 0.3f, 0.5f }, b[4] = { 0, 0, 0, 0.5f };
  CHECK_CLOSE (ae_sse_per_row (a, b, 2, 2), 0.07, 1e-7);
  CHECK (ae_sse_per_row (a, a, 2, 2) == 0.0, "identical: %g", ae_sse_per_row (a, a, 2, 2));
  CHECK (isnan (ae_sse_per_row (a, b, 0, 2)), "empty");
}

/* The two test images of the numpy cross-check below. */
enum { SW = 23, SH = 17 };

static void
ssim_test_images (float *a, float *b)
{
  for (int y = 0; y < SH; y++)
    for (int x = 0; x < SW; x++)
      {
        float va = (float) (0.5 + 0.4 * sin (0.7 * x + 0.3 * y) * cos (0.45 * y - 0.2 * x));
        a[y * SW + x] = va;
        b[y * SW + x] = (float) (0.8 * va + 0.1 + 0.05 * cos (1.1 * x - 0.9 * y));
      }
}

static void
test_ssim_identical_and_shift (void)
{
  float a[SW * SH], b[SW * SH];
  ssim_test_images (a, b);
  CHECK_CLOSE (ae_ssim (a, a, SW, SH), 1.0, 1e-12);

  /* A constant image v against v + c: every window has zero variance, so SSIM is the
   * luminance term alone, (2 v (v + c) + C1) / (v^2 + (v + c)^2 + C1) with C1 = 0.01^2. */
  const float v = 0.3f, c = 0.2f;
  for (int i = 0; i < SW * SH; i++)
    {
      a[i] = v;
      b[i] = v + c;
    }
  double vd = v, wd = (float) (v + c), c1 = 1e-4;
  CHECK_CLOSE (ae_ssim (a, b, SW, SH), (2 * vd * wd + c1) / (vd * vd + wd * wd + c1), 1e-9);
  CHECK (isnan (ae_ssim (a, b, 0, SH)), "empty image");
}

/* Cross-check: an independent numpy implementation with the full 2-D window (not separable),
 * clipped at the border and renormalised, and central moments (not E[x^2] - mu^2):
 *
 *   y, x = np.mgrid[0:17, 0:23].astype(np.float64)
 *   a = (0.5 + 0.4*np.sin(0.7*x + 0.3*y)*np.cos(0.45*y - 0.2*x)).astype(np.float32)
 *   b = (0.8*a + 0.1 + 0.05*np.cos(1.1*x - 0.9*y)).astype(np.float32)
 *   g = np.exp(-np.arange(-5, 6)**2 / (2*1.5**2)); G = np.outer(g, g)
 *   for each pixel: W = G cut to the image, W /= W.sum(); ma = (W*pa).sum(); ...
 *     va = (W*(pa-ma)**2).sum(); cab = (W*(pa-ma)*(pb-mb)).sum()
 *     s = (2*ma*mb+C1)*(2*cab+C2) / ((ma**2+mb**2+C1)*(va+vb+C2))
 *   mean over pixels: 0.9510148917959786;  10*log10(1/mean((a-b)**2)) = 25.420540729305227 */
static void
test_ssim_numpy_crosscheck (void)
{
  float a[SW * SH], b[SW * SH];
  ssim_test_images (a, b);
  CHECK_CLOSE (ae_ssim (a, b, SW, SH), 0.9510148917959786, 1e-6);
  CHECK_CLOSE (ae_ssim (b, a, SW, SH), 0.9510148917959786, 1e-6);
  CHECK_CLOSE (ae_psnr (a, b, SW * SH), 25.420540729305227, 1e-6);
}

/* --- AUROC, ROC ------------------------------------------------------------------------- */

static void
test_auroc_hand_cases (void)
{
  const float equal[6] = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };
  const uint8_t labels6[6] = { 0, 1, 0, 1, 1, 0 };
  CHECK_CLOSE (ae_auroc (equal, labels6, 6), 0.5, 1e-12);

  const float separated[6] = { 0.1f, 0.9f, 0.2f, 0.8f, 0.7f, 0.3f };
  CHECK_CLOSE (ae_auroc (separated, labels6, 6), 1.0, 1e-12);
  const uint8_t flipped[6] = { 1, 0, 1, 0, 0, 1 };
  CHECK_CLOSE (ae_auroc (separated, flipped, 6), 0.0, 1e-12);

  /* Positives 0.5, 0.9, 0.5; negatives 0.2, 0.5. Pairs: 0.5 beats 0.2 (1) and ties 0.5 (1/2),
   * twice; 0.9 beats both (2): (1.5 + 1.5 + 2) / 6 = 5/6. */
  const float tied[5] = { 0.2f, 0.5f, 0.5f, 0.9f, 0.5f };
  const uint8_t tied_labels[5] = { 0, 1, 0, 1, 1 };
  CHECK_CLOSE (ae_auroc (tied, tied_labels, 5), 5.0 / 6.0, 1e-12);

  /* The classic four: positives 0.35, 0.8; negatives 0.1, 0.4; 0.35 < 0.4 loses one pair. */
  const float four[4] = { 0.1f, 0.4f, 0.35f, 0.8f };
  const uint8_t four_labels[4] = { 0, 0, 1, 1 };
  CHECK_CLOSE (ae_auroc (four, four_labels, 4), 0.75, 1e-12);

  const uint8_t one_class[4] = { 1, 1, 1, 1 };
  CHECK (isnan (ae_auroc (four, one_class, 4)), "one class");
  const float with_nan[4] = { 0.1f, NAN, 0.35f, 0.8f };
  CHECK (isnan (ae_auroc (with_nan, four_labels, 4)), "NaN score");
}

static void
test_roc_curve (void)
{
  /* Thresholds from the top: >= 0.9 gives tp 1/3, fp 0; >= 0.5 gives tp 3/3, fp 1/2; >= 0.2
   * gives (1, 1). */
  const float tied[5] = { 0.2f, 0.5f, 0.5f, 0.9f, 0.5f };
  const uint8_t tied_labels[5] = { 0, 1, 0, 1, 1 };
  float fpr[6], tpr[6];
  long count = ae_roc_curve (tied, tied_labels, 5, fpr, tpr);
  CHECK (count == 4, "count %ld", count);
  const float want_fpr[4] = { 0, 0, 0.5f, 1 }, want_tpr[4] = { 0, 1.0f / 3, 1, 1 };
  for (long i = 0; i < count && i < 4; i++)
    {
      CHECK_CLOSE (fpr[i], want_fpr[i], 1e-6);
      CHECK_CLOSE (tpr[i], want_tpr[i], 1e-6);
    }
  const uint8_t one_class[5] = { 0, 0, 0, 0, 0 };
  CHECK (ae_roc_curve (tied, one_class, 5, fpr, tpr) == 0, "one class");

  /* On random scores with many ties: endpoints, monotone steps, and the trapezoid area
   * under the curve equals the rank-based AUROC. */
  enum { N = 500 };
  AeRng rng;
  ae_rng_seed (&rng, 11);
  float scores[N], rfpr[N + 1], rtpr[N + 1];
  uint8_t labels[N];
  for (int i = 0; i < N; i++)
    {
      labels[i] = ae_rng_uniform (&rng) < 0.3f;
      scores[i] = (float) ae_rng_below (&rng, 40) + (labels[i] ? 8.0f : 0.0f);
    }
  count = ae_roc_curve (scores, labels, N, rfpr, rtpr);
  CHECK (count > 2 && count <= 49, "count %ld", count);
  CHECK (rfpr[0] == 0 && rtpr[0] == 0, "start (%g, %g)", rfpr[0], rtpr[0]);
  CHECK (rfpr[count - 1] == 1 && rtpr[count - 1] == 1, "end (%g, %g)", rfpr[count - 1],
         rtpr[count - 1]);
  double area = 0.0;
  for (long i = 1; i < count; i++)
    {
      CHECK (rfpr[i] >= rfpr[i - 1] && rtpr[i] >= rtpr[i - 1], "step %ld goes back", i);
      area += (rfpr[i] - rfpr[i - 1]) * 0.5 * (rtpr[i] + rtpr[i - 1]);
    }
  double auroc = ae_auroc (scores, labels, N);
  CHECK (auroc > 0.6 && auroc < 0.9, "auroc %g", auroc);
  CHECK_CLOSE (area, auroc, 1e-5);
}

/* --- k-NN ------------------------------------------------------------------------------- */

static void
test_knn_hand_case (void)
{
  /* One-dimensional references: three of class 0 around 1, three of class 1 around 11. */
  const float ref[6] = { 0, 1, 2, 10, 11, 12 };
  const int ref_labels[6] = { 0, 0, 0, 1, 1, 1 };
  /* k = 2: 5.5 sees 2 (3.5) and 10 (4.5), a tie won by the nearer class 0; 6.5 sees 10 (3.5)
   * and 2 (4.5): class 1; 0.4 sees 0 and 1: class 0, but is labelled 1; 11.6 sees 12, 11. */
  const float query[4] = { 5.5f, 6.5f, 0.4f, 11.6f };
  const int query_labels[4] = { 0, 1, 1, 1 };
  CHECK_CLOSE (ae_knn_accuracy (query, query_labels, 4, ref, ref_labels, 6, 1, 2), 0.75, 1e-12);
  /* k = 1 agrees here; k = 3 turns 0.4 no further and 6.4 (10, 2, 11) into class 1. */
  const float query3[2] = { 6.4f, 0.4f };
  const int query3_labels[2] = { 1, 0 };
  CHECK_CLOSE (ae_knn_accuracy (query3, query3_labels, 2, ref, ref_labels, 6, 1, 3), 1.0, 1e-12);
  /* k = 6 is a 3:3 vote for every query: the nearest neighbour decides. */
  CHECK_CLOSE (ae_knn_accuracy (query, query_labels, 4, ref, ref_labels, 6, 1, 6), 0.75, 1e-12);

  /* Leave-one-out: a class-1 point at 1.5 among class 0. k = 1: 0 -> 1 (right); 1 -> 1.5
   * (wrong); 2 -> 1.5 (wrong); 1.5 -> 1 and 2 tie at 0.5, the lower index 1 wins (wrong);
   * the far cluster is right: 4 of 7. Against a copy each point finds itself: 7 of 7. */
  const float loo[7] = { 0, 1, 2, 10, 11, 12, 1.5f };
  const int loo_labels[7] = { 0, 0, 0, 1, 1, 1, 1 };
  CHECK_CLOSE (ae_knn_accuracy (loo, loo_labels, 7, loo, loo_labels, 7, 1, 1), 4.0 / 7.0, 1e-12);
  float copy[7];
  memcpy (copy, loo, sizeof copy);
  CHECK_CLOSE (ae_knn_accuracy (copy, loo_labels, 7, loo, loo_labels, 7, 1, 1), 1.0, 1e-12);

  CHECK (isnan (ae_knn_accuracy (query, query_labels, 4, ref, ref_labels, 6, 1, 0)), "k = 0");
  CHECK (isnan (ae_knn_accuracy (ref, ref_labels, 1, ref, ref_labels, 1, 1, 1)), "LOO of one");
}

static void
test_knn_separable_clusters (void)
{
  /* Three clusters in 8 dimensions, centres 5 apart, spread 0.1; more queries than one
   * sgemm block so that the blocking is exercised. */
  enum { DIM = 8, NR = 400, NQ = 300 };
  AeRng rng;
  ae_rng_seed (&rng, 5);
  float *ref = malloc ((size_t) NR * DIM * sizeof *ref);
  float *query = malloc ((size_t) NQ * DIM * sizeof *query);
  int ref_labels[NR], query_labels[NQ];
  for (int i = 0; i < NR + NQ; i++)
    {
      int label = (int) ae_rng_below (&rng, 3);
      float *p = i < NR ? ref + (size_t) i * DIM : query + (size_t) (i - NR) * DIM;
      for (int j = 0; j < DIM; j++)
        p[j] = (j == label ? 5.0f : 0.0f) + 0.1f * ae_rng_normal (&rng);
      if (i < NR)
        ref_labels[i] = label;
      else
        query_labels[i - NR] = label;
    }
  CHECK_CLOSE (ae_knn_accuracy (query, query_labels, NQ, ref, ref_labels, NR, DIM, 5), 1.0, 0);
  CHECK_CLOSE (ae_knn_accuracy (ref, ref_labels, NR, ref, ref_labels, NR, DIM, 5), 1.0, 0);
  /* Shuffled query labels: about one in three right. */
  for (int i = 0; i < NQ; i++)
    query_labels[i] = (int) ae_rng_below (&rng, 3);
  double chance = ae_knn_accuracy (query, query_labels, NQ, ref, ref_labels, NR, DIM, 5);
  CHECK (chance > 0.2 && chance < 0.47, "accuracy with random labels %g", chance);
  free (ref);
  free (query);
}

/* --- principal angles ------------------------------------------------------------------- */

enum { PD = 5 };

/* Sets column col of the row-major m (PD, cols) to v. */
static void
set_column (float *m, int cols, int col, const float v[PD])
{
  for (int i = 0; i < PD; i++)
    m[i * cols + col] = v[i];
}

/* ae_knn_search against a brute-force scan with its squared distances. */
static void
test_knn_search_brute_force (void)
{
  enum { NQ = 37, NR = 300, DIM = 7, K = 6 };
  static float query[NQ * DIM], ref[NR * DIM], dist2[NQ * K];
  static long indices[NQ * K];
  AeRng rng;
  ae_rng_seed (&rng, 12);
  for (int i = 0; i < NQ * DIM; i++)
    query[i] = ae_rng_normal (&rng);
  for (int i = 0; i < NR * DIM; i++)
    ref[i] = ae_rng_normal (&rng);
  CHECK (ae_knn_search (indices, dist2, query, NQ, ref, NR, DIM, K) == K, "k");
  for (int q = 0; q < NQ; q++)
    {
      double d[NR];
      for (int r = 0; r < NR; r++)
        {
          d[r] = 0;
          for (int c = 0; c < DIM; c++)
            d[r] += (query[q * DIM + c] - ref[r * DIM + c]) * (query[q * DIM + c] - ref[r * DIM + c]);
        }
      for (int a = 0; a < K; a++)
        {
          long j = indices[q * K + a];
          int nearer = 0;
          for (int r = 0; r < NR; r++)
            nearer += d[r] < d[j];
          CHECK (nearer == a, "query %d: neighbour %d has %d nearer", q, a, nearer);
          CHECK_CLOSE (dist2[q * K + a], d[j], 1e-5);
        }
    }
  /* leave-one-out never returns the point itself, and k is cut to the candidates */
  CHECK (ae_knn_search (indices, NULL, ref, 4, ref, 4, DIM, 9) == 3, "k cut to 3");
  for (int q = 0; q < 4; q++)
    for (int a = 0; a < 3; a++)
      CHECK (indices[q * 3 + a] != q, "point %d is its own neighbour", q);
  CHECK (ae_knn_search (indices, NULL, ref, 1, ref, 1, DIM, 1) == 0, "no candidates");
}

/* Trustworthiness: 1 for a copy, and scikit-learn 1.2.1's values for a scrambled plane:
 *   i = np.arange(40)
 *   x = np.stack([np.sin(1.3*i)*10 + i, np.cos(0.4*i)*5], 1).astype(np.float32)
 *   y = np.stack([np.cos(0.7*i*i), np.sin(2.1*i)], 1).astype(np.float32)
 *   sklearn.manifold.trustworthiness(x, y, n_neighbors=k) for k = 1, 5, 12 */
static void
test_trustworthiness_sklearn (void)
{
  enum { N = 40 };
  float x[2 * N], y[2 * N];
  for (int i = 0; i < N; i++)
    {
      x[2 * i] = (float) (sin (1.3 * i) * 10 + i);
      x[2 * i + 1] = (float) (cos (0.4 * i) * 5);
      y[2 * i] = (float) cos (0.7 * i * i);
      y[2 * i + 1] = (float) sin (2.1 * i);
    }
  CHECK_CLOSE (ae_trustworthiness (x, 2, x, 2, N, 5), 1.0, 1e-12);
  CHECK_CLOSE (ae_trustworthiness (x, 2, y, 2, N, 1), 0.5203947368421054, 1e-9);
  CHECK_CLOSE (ae_trustworthiness (x, 2, y, 2, N, 5), 0.5528124999999999, 1e-9);
  CHECK_CLOSE (ae_trustworthiness (x, 2, y, 2, N, 12), 0.5754844961240311, 1e-9);
  CHECK (isnan (ae_trustworthiness (x, 2, y, 2, N, 20)), "k = n / 2");
}

static void
test_principal_angles (void)
{
  const double c30 = cos (M_PI / 6), s30 = sin (M_PI / 6);
  const double c50 = cos (50 * M_PI / 180), s50 = sin (50 * M_PI / 180);
  const float e1[PD] = { 1, 0, 0, 0, 0 }, e2[PD] = { 0, 1, 0, 0, 0 }, e3[PD] = { 0, 0, 1, 0, 0 },
              e4[PD] = { 0, 0, 0, 1, 0 };
  float a[PD * 2], b[PD * 2];
  double angles[3];
  set_column (a, 2, 0, e1);
  set_column (a, 2, 1, e2);

  /* The same plane through another, non-orthonormal basis: e1 + e2 and 2 e2. */
  const float mix1[PD] = { 1, 1, 0, 0, 0 }, mix2[PD] = { 0, 2, 0, 0, 0 };
  set_column (b, 2, 0, mix1);
  set_column (b, 2, 1, mix2);
  double largest = ae_principal_angles (a, 2, b, 2, PD, angles);
  CHECK (largest < 1e-4 && angles[0] < 1e-4, "identical: %g %g", angles[0], angles[1]);

  set_column (b, 2, 0, e3);
  set_column (b, 2, 1, e4);
  largest = ae_principal_angles (a, 2, b, 2, PD, angles);
  CHECK_CLOSE (angles[0], 90.0, 1e-9);
  CHECK_CLOSE (largest, 90.0, 1e-9);

  /* The plane turned by 30 degrees about e2: angles 0 and 30. */
  const float turned[PD] = { (float) c30, 0, (float) s30, 0, 0 };
  set_column (b, 2, 0, turned);
  set_column (b, 2, 1, e2);
  largest = ae_principal_angles (a, 2, b, 2, PD, angles);
  CHECK (fabs (angles[0]) < 1e-3, "angle 0: %g", angles[0]);
  CHECK_CLOSE (angles[1], 30.0, 1e-5);
  CHECK (largest == angles[1], "largest %g", largest);

  /* Each axis turned on its own: 30 and 50 degrees, ascending whatever the column order. */
  const float turned50[PD] = { 0, (float) c50, 0, (float) s50, 0 };
  set_column (b, 2, 0, turned50);
  set_column (b, 2, 1, turned);
  ae_principal_angles (a, 2, b, 2, PD, angles);
  CHECK_CLOSE (angles[0], 30.0, 1e-5);
  CHECK_CLOSE (angles[1], 50.0, 1e-5);

  /* A line against a 3-D space: one angle, between the line and its projection. */
  float space[PD * 3];
  set_column (space, 3, 0, e1);
  set_column (space, 3, 1, e2);
  set_column (space, 3, 2, e4);
  const float line[PD] = { (float) c30, 0, (float) s30, 0, 0 };
  largest = ae_principal_angles (space, 3, line, 1, PD, angles);
  CHECK_CLOSE (largest, 30.0, 1e-5);
  CHECK_CLOSE (angles[0], 30.0, 1e-5);

  /* Dependent columns have no 2-D column space: NaN, not an arbitrary answer. */
  set_column (b, 2, 0, e1);
  set_column (b, 2, 1, e1);
  largest = ae_principal_angles (a, 2, b, 2, PD, angles);
  CHECK (isnan (largest) && isnan (angles[0]) && isnan (angles[1]), "rank 1: %g", largest);
  CHECK (isnan (ae_principal_angles (a, 2, b, 6, PD, angles)), "kb > dim");
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/metrics/psnr", test_psnr_hand_values },
    { "/metrics/sse-per-row", test_sse_per_row_hand_values },
    { "/metrics/ssim/identical-and-shift", test_ssim_identical_and_shift },
    { "/metrics/ssim/numpy-crosscheck", test_ssim_numpy_crosscheck },
    { "/metrics/auroc", test_auroc_hand_cases },
    { "/metrics/roc-curve", test_roc_curve },
    { "/metrics/knn/hand-case", test_knn_hand_case },
    { "/metrics/knn/separable-clusters", test_knn_separable_clusters },
    { "/metrics/knn/search", test_knn_search_brute_force },
    { "/metrics/trustworthiness", test_trustworthiness_sklearn },
    { "/metrics/principal-angles", test_principal_angles },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
