/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-tsne.c: t-SNE's cost and gradient (central differences), Barnes-Hut against the exact
 * sums, separation of well-separated clusters, reproducibility, alignment and placement. */
#include <stdlib.h>
#include <string.h>

#include "ae-math.h"
#include "ae-rng.h"
#include "ae-test.h"
#include "ae-tsne.h"

/* n points in `clusters` Gaussian blobs of dim values, centres 10 apart, spread 1. */
static void
make_clusters (float *x, int *labels, long n, int dim, int clusters, uint64_t seed)
{
  AeRng rng;
  ae_rng_seed (&rng, seed);
  for (long i = 0; i < n; i++)
    {
      int c = (int) (i % clusters);
      labels[i] = c;
      for (int d = 0; d < dim; d++)
        x[i * dim + d] = (d == c ? 10.0f : 0.0f) + ae_rng_normal (&rng);
    }
}

static void
test_gradient_central_differences (void)
{
  enum { N = 12, DIM = 5 };
  float x[N * DIM];
  int labels[N];
  double y[2 * N], grad[2 * N], p[N * N];
  AeTsneOptions options;
  AeTsne *t = NULL;
  AeError err = { 0 };
  AeRng rng;

  make_clusters (x, labels, N, DIM, 3, 7);
  ae_tsne_options_default (&options);
  options.perplexity = 3;
  CHECK (ae_tsne_new (&t, x, N, DIM, &options, NULL, &err) == AE_OK, "%s", err.message);
  if (t == NULL)
    return;
  ae_tsne_affinities (t, p);
  double total = 0;
  for (int i = 0; i < N * N; i++)
    total += p[i];
  CHECK_CLOSE (total, 1.0, 1e-12);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      CHECK_CLOSE (p[i * N + j], p[j * N + i], 1e-15);

  ae_rng_seed (&rng, 3);
  for (int i = 0; i < 2 * N; i++)
    y[i] = 2 * ae_rng_normal (&rng);
  ae_tsne_exact_cost (grad, p, y, N);
  double worst = 0;
  for (int i = 0; i < 2 * N; i++)
    {
      const double eps = 1e-5;
      double keep = y[i];
      y[i] = keep + eps;
      double up = ae_tsne_exact_cost (NULL, p, y, N);
      y[i] = keep - eps;
      double down = ae_tsne_exact_cost (NULL, p, y, N);
      y[i] = keep;
      double numeric = (up - down) / (2 * eps);
      double error = fabs (numeric - grad[i]) / fmax (1e-3, fabs (numeric) + fabs (grad[i]));
      worst = fmax (worst, error);
    }
  CHECK (worst < 1e-6, "worst relative error %g", worst);

  /* the model's own gradient and cost at the same plane agree with the dense formulas */
  float init[2 * N];
  for (int i = 0; i < 2 * N; i++)
    init[i] = (float) y[i];
  ae_tsne_free (t);
  CHECK (ae_tsne_new (&t, x, N, DIM, &options, init, &err) == AE_OK, "%s", err.message);
  double model_grad[2 * N], yf[2 * N];
  for (int i = 0; i < 2 * N; i++)
    yf[i] = init[i];
  double cost = ae_tsne_exact_cost (grad, p, yf, N);
  ae_tsne_gradient (t, model_grad);
  for (int i = 0; i < 2 * N; i++)
    CHECK_CLOSE (model_grad[i], grad[i], 1e-9);
  CHECK_CLOSE (ae_tsne_cost (t), cost, 1e-9);
  ae_tsne_free (t);
}

/* Barnes-Hut with theta 0 opens every cell: the exact sums; with 0.5, close to them. */
static void
test_barnes_hut_matches_exact (void)
{
  enum { N = 300, DIM = 8 };
  float *x = malloc (sizeof (float) * N * DIM), init[2 * N];
  int labels[N];
  double *p = malloc (sizeof (double) * N * N), exact[2 * N], tree[2 * N], y[2 * N];
  AeTsneOptions options;
  AeTsne *t = NULL;
  AeError err = { 0 };
  AeRng rng;

  make_clusters (x, labels, N, DIM, 4, 11);
  ae_rng_seed (&rng, 5);
  for (int i = 0; i < 2 * N; i++)
    y[i] = init[i] = 5 * ae_rng_normal (&rng);
  for (int i = 0; i < 2 * N; i++)
    y[i] = init[i];
  ae_tsne_options_default (&options);
  options.exact_max = 0;
  for (int pass = 0; pass < 2; pass++)
    {
      options.theta = pass == 0 ? 0.0 : 0.5;
      CHECK (ae_tsne_new (&t, x, N, DIM, &options, init, &err) == AE_OK, "%s", err.message);
      if (t == NULL)
        break;
      ae_tsne_affinities (t, p);
      ae_tsne_exact_cost (exact, p, y, N);
      ae_tsne_gradient (t, tree);
      double diff = 0, norm = 0;
      for (int i = 0; i < 2 * N; i++)
        {
          diff += (tree[i] - exact[i]) * (tree[i] - exact[i]);
          norm += exact[i] * exact[i];
        }
      double relative = sqrt (diff / norm);
      if (pass == 0)
        CHECK (relative < 1e-9, "theta 0: relative error %g", relative);
      else
        CHECK (relative < 0.05 && relative > 0, "theta 0.5: relative error %g", relative);
      ae_tsne_free (t);
      t = NULL;
    }
  free (x);
  free (p);
}

static void
check_clusters_separate (long n, int dim, int clusters)
{
  float *x = malloc (sizeof (float) * (size_t) n * dim), *y = malloc (sizeof (float) * 2 * (size_t) n);
  int *labels = malloc (sizeof (int) * (size_t) n);
  AeTsneOptions options;
  AeTsne *t = NULL;
  AeError err = { 0 };

  make_clusters (x, labels, n, dim, clusters, 21);
  ae_tsne_options_default (&options);
  options.threads = 2;
  CHECK (ae_tsne_new (&t, x, n, dim, &options, NULL, &err) == AE_OK, "%s", err.message);
  if (t != NULL)
    {
      ae_tsne_step (t, 300);
      double cost_early = ae_tsne_cost (t);
      CHECK (ae_tsne_step (t, 10000) == options.iterations, "ran %d", ae_tsne_done (t));
      double cost = ae_tsne_cost (t);
      CHECK (cost < cost_early, "cost %g after %g", cost, cost_early);
      ae_tsne_get (t, y);
      double accuracy = ae_knn_accuracy (y, labels, n, y, labels, n, 2, 5);
      CHECK (accuracy == 1.0, "n %ld: 5-NN accuracy in the plane %g", n, accuracy);
      /* every point nearer its own cluster's centre than any other's */
      double centre[16][2] = { { 0 } };
      for (long i = 0; i < n; i++)
        for (int c = 0; c < 2; c++)
          centre[labels[i]][c] += y[2 * i + c] / (double) (n / clusters);
      long misplaced = 0;
      for (long i = 0; i < n; i++)
        {
          double own = hypot (y[2 * i] - centre[labels[i]][0], y[2 * i + 1] - centre[labels[i]][1]);
          for (int c = 0; c < clusters; c++)
            misplaced += c != labels[i]
                         && hypot (y[2 * i] - centre[c][0], y[2 * i + 1] - centre[c][1]) < own;
        }
      CHECK (misplaced == 0, "n %ld: %ld points nearer another cluster", n, misplaced);
      double trust = ae_trustworthiness (x, dim, y, 2, n, 5);
      CHECK (trust > 0.9, "trustworthiness %g", trust);
    }
  ae_tsne_free (t);
  free (x);
  free (y);
  free (labels);
}

static void
test_clusters_separate_exact (void)
{
  check_clusters_separate (200, 10, 4);
}

static void
test_clusters_separate_barnes_hut (void)
{
  check_clusters_separate (1500, 12, 6);
}

static void
test_seed_repeats (void)
{
  enum { N = 600, DIM = 6 };
  float *x = malloc (sizeof (float) * N * DIM);
  float *a = malloc (sizeof (float) * 2 * N), *b = malloc (sizeof (float) * 2 * N);
  int labels[N];
  AeTsneOptions options;
  AeError err = { 0 };

  make_clusters (x, labels, N, DIM, 3, 4);
  ae_tsne_options_default (&options);
  options.iterations = 200;
  options.seed = 9;
  CHECK (ae_tsne_run (a, x, N, DIM, &options, NULL, &err) == AE_OK, "%s", err.message);
  options.threads = 2;
  CHECK (ae_tsne_run (b, x, N, DIM, &options, NULL, &err) == AE_OK, "%s", err.message);
  CHECK (memcmp (a, b, sizeof (float) * 2 * N) == 0, "same seed, 1 and 2 threads differ");
  options.seed = 10;
  CHECK (ae_tsne_run (b, x, N, DIM, &options, NULL, &err) == AE_OK, "%s", err.message);
  CHECK (memcmp (a, b, sizeof (float) * 2 * N) != 0, "another seed gives the same plane");
  free (x);
  free (a);
  free (b);
}

static void
test_bad_input (void)
{
  float x[8] = { 0, 1, 2, NAN, 4, 5, 6, 7 };
  AeTsneOptions options;
  AeTsne *t = NULL;
  AeError err = { 0 };

  ae_tsne_options_default (&options);
  CHECK (ae_tsne_new (&t, x, 4, 2, &options, NULL, &err) == AE_ERR_INVALID && t == NULL, "NaN");
  CHECK (strstr (err.message, "point 1, value 1") != NULL, "%s", err.message);
  x[3] = 3;
  CHECK (ae_tsne_new (&t, x, 2, 2, &options, NULL, &err) == AE_ERR_INVALID, "two points");
  options.theta = 0.9;
  CHECK (ae_tsne_new (&t, x, 4, 2, &options, NULL, &err) == AE_ERR_INVALID, "theta 0.9");
}

static void
test_align_undoes_rotation_and_reflection (void)
{
  enum { N = 50 };
  float ref[2 * N], moved[2 * N];
  AeRng rng;

  ae_rng_seed (&rng, 2);
  for (int i = 0; i < 2 * N; i++)
    ref[i] = 3 * ae_rng_normal (&rng);
  for (int reflect = 0; reflect < 2; reflect++)
    {
      double angle = 2.1, c = cos (angle), s = sin (angle);
      for (int i = 0; i < N; i++)
        {
          double x = reflect ? -ref[2 * i] : ref[2 * i], y = ref[2 * i + 1];
          moved[2 * i] = (float) (c * x - s * y + 7);
          moved[2 * i + 1] = (float) (s * x + c * y - 4);
        }
      ae_tsne_align (moved, ref, N);
      double worst = 0;
      for (int i = 0; i < 2 * N; i++)
        worst = fmax (worst, fabs (moved[i] - ref[i]));
      CHECK (worst < 1e-4, "reflect %d: off by %g", reflect, worst);
    }
}

static void
test_place_among_neighbours (void)
{
  enum { N = 200, DIM = 10 };
  float x[N * DIM], y[2 * N], point[2], code[DIM];
  int labels[N];
  AeTsneOptions options;
  AeError err = { 0 };

  make_clusters (x, labels, N, DIM, 4, 8);
  ae_tsne_options_default (&options);
  CHECK (ae_tsne_run (y, x, N, DIM, &options, NULL, &err) == AE_OK, "%s", err.message);
  for (int c = 0; c < 4; c++)
    {
      /* a new code at cluster c's centre lands nearer c's points than any other's */
      for (int d = 0; d < DIM; d++)
        code[d] = d == c ? 10.0f : 0.0f;
      CHECK (ae_tsne_place (point, code, x, y, N, DIM, 10), "place");
      float probe[2 * N];
      for (int i = 0; i < N; i++)
        {
          probe[2 * i] = y[2 * i] - point[0];
          probe[2 * i + 1] = y[2 * i + 1] - point[1];
        }
      long nearest = -1;
      float zero[2] = { 0, 0 };
      ae_knn_search (&nearest, NULL, zero, 1, probe, N, 2, 1);
      CHECK (nearest >= 0 && labels[nearest] == c, "cluster %d: nearest plane point is of %d", c,
             nearest >= 0 ? labels[nearest] : -1);
    }
}

/* The cost a placed point descends: its gradient matches central differences. */
static void
test_place_cost_gradient (void)
{
  enum { N = 30, K = 6 };
  float y[2 * N];
  double p[K], point[2] = { 0.3, -0.7 }, grad[2], total = 0;
  long neighbours[K];
  AeRng rng;

  ae_rng_seed (&rng, 5);
  for (int i = 0; i < 2 * N; i++)
    y[i] = (float) (3 * ae_rng_normal (&rng));
  for (int j = 0; j < K; j++)
    {
      neighbours[j] = 4 * j + 1;
      p[j] = 1 + j;
      total += p[j];
    }
  for (int j = 0; j < K; j++)
    p[j] /= total;
  ae_tsne_place_cost (grad, point, p, neighbours, K, y, N);
  for (int a = 0; a < 2; a++)
    {
      const double eps = 1e-5;
      double keep = point[a];
      point[a] = keep + eps;
      double up = ae_tsne_place_cost (NULL, point, p, neighbours, K, y, N);
      point[a] = keep - eps;
      double down = ae_tsne_place_cost (NULL, point, p, neighbours, K, y, N);
      point[a] = keep;
      CHECK_CLOSE (grad[a], (up - down) / (2 * eps), 1e-7);
    }
}

/* A class the plane splits into two islands, with another class between them: a new code
 * of the split class lands on one of its islands, not between them where their mean is. */
static void
test_place_split_class (void)
{
  enum { PER = 20, N = 3 * PER, DIM = 2 };
  float codes[N * DIM], y[2 * N], point[2];
  int labels[N];
  const float code[DIM] = { 0, 0 };
  AeRng rng;

  ae_rng_seed (&rng, 9);
  for (int i = 0; i < N; i++)
    {
      int island = i / PER; /* 0 and 2: class A's islands at x = -20 and 20; 1: class B at 0 */
      labels[i] = island == 1;
      /* class A's codes all near the origin of the code space, class B's far from it */
      codes[DIM * i] = (float) ((island == 1 ? 50 : 0) + ae_rng_normal (&rng));
      codes[DIM * i + 1] = (float) ae_rng_normal (&rng);
      y[2 * i] = (float) (20 * (island - 1) + ae_rng_normal (&rng));
      y[2 * i + 1] = (float) ae_rng_normal (&rng);
    }
  CHECK (ae_tsne_place (point, code, codes, y, N, DIM, 10), "place");
  long nearest = -1;
  float probe[2 * N];
  const float zero[2] = { 0, 0 };
  for (int i = 0; i < N; i++)
    {
      probe[2 * i] = y[2 * i] - point[0];
      probe[2 * i + 1] = y[2 * i + 1] - point[1];
    }
  ae_knn_search (&nearest, NULL, zero, 1, probe, N, 2, 1);
  CHECK (nearest >= 0 && labels[nearest] == 0, "placed at (%g, %g), nearest plane point of class %d",
         point[0], point[1], nearest >= 0 ? labels[nearest] : -1);
  CHECK (fabsf (point[0]) > 10, "placed at x = %g, between the islands", point[0]);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/tsne/gradient", test_gradient_central_differences },
    { "/tsne/barnes-hut", test_barnes_hut_matches_exact },
    { "/tsne/clusters-exact", test_clusters_separate_exact },
    { "/tsne/clusters-barnes-hut", test_clusters_separate_barnes_hut },
    { "/tsne/seed", test_seed_repeats },
    { "/tsne/bad-input", test_bad_input },
    { "/tsne/align", test_align_undoes_rotation_and_reflection },
    { "/tsne/place", test_place_among_neighbours },
    { "/tsne/place-cost-gradient", test_place_cost_gradient },
    { "/tsne/place-split-class", test_place_split_class },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
