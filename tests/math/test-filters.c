/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-filters.c: the median filter and the Gaussian blur, by hand and against direct
 * (unoptimised) reference loops. */
#include <stdlib.h>
#include <string.h>

#include "ae-math.h"
#include "ae-rng.h"
#include "ae-test.h"

static int
clamp (int i, int n)
{
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

static int
compare_floats (const void *pa, const void *pb)
{
  float a = *(const float *) pa, b = *(const float *) pb;
  return (a > b) - (a < b);
}

static void
test_median_hand_cases (void)
{
  /* 1..9: the centre sees all nine (median 5); the corner (0,0) sees 1 1 2 / 1 1 2 / 4 4 5
   * with the border replicated (median 2). */
  const float nine[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  float out[9];
  ae_median3x3 (out, nine, 3, 3);
  CHECK (out[4] == 5.0f, "centre %g", out[4]);
  CHECK (out[0] == 2.0f, "corner %g", out[0]);
  /* (2,2) sees 5 6 6 / 8 9 9 / 8 9 9: median 8. */
  CHECK (out[8] == 8.0f, "far corner %g", out[8]);

  enum { W = 9, H = 7 };
  float flat[W * H], filtered[W * H];
  for (int i = 0; i < W * H; i++)
    flat[i] = 0.25f;
  ae_median3x3 (filtered, flat, W, H);
  for (int i = 0; i < W * H; i++)
    CHECK (filtered[i] == 0.25f, "constant image changed at %d: %g", i, filtered[i]);

  /* One salt pixel, also one at the border, disappear. */
  flat[3 * W + 4] = 1.0f;
  flat[0] = 1.0f;
  ae_median3x3 (filtered, flat, W, H);
  for (int i = 0; i < W * H; i++)
    CHECK (filtered[i] == 0.25f, "salt survives at %d: %g", i, filtered[i]);
}

/* Against sorting each replicated 3x3 neighbourhood, on random images of awkward sizes. */
static void
test_median_matches_sort (void)
{
  static const int sizes[][2] = { { 1, 1 }, { 1, 5 }, { 4, 1 }, { 2, 2 }, { 13, 8 } };
  AeRng rng;
  ae_rng_seed (&rng, 9);
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    {
      int w = sizes[s][0], h = sizes[s][1];
      float *in = malloc ((size_t) w * h * sizeof *in), *out = malloc ((size_t) w * h * sizeof *out);
      for (int i = 0; i < w * h; i++)
        in[i] = (float) ae_rng_below (&rng, 6) / 5.0f; /* few levels: many ties */
      ae_median3x3 (out, in, w, h);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            float p[9];
            for (int dy = -1, n = 0; dy <= 1; dy++)
              for (int dx = -1; dx <= 1; dx++)
                p[n++] = in[clamp (y + dy, h) * w + clamp (x + dx, w)];
            qsort (p, 9, sizeof p[0], compare_floats);
            CHECK (out[y * w + x] == p[4], "%dx%d at (%d,%d): %g, sorted median %g", w, h, x, y,
                   out[y * w + x], p[4]);
          }
      free (in);
      free (out);
    }
}

/* The direct 2-D sum, with each weight exp(-(dx^2 + dy^2) / 2 sigma^2) normalised over the
 * square window of radius ceil(3 sigma), border replicated. */
static void
blur_reference (double *out, const float *in, int w, int h, double sigma)
{
  int r = (int) ceil (3.0 * sigma);
  double norm = 0.0;
  for (int dy = -r; dy <= r; dy++)
    for (int dx = -r; dx <= r; dx++)
      norm += exp (-(dx * dx + dy * dy) / (2.0 * sigma * sigma));
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double sum = 0.0;
        for (int dy = -r; dy <= r; dy++)
          for (int dx = -r; dx <= r; dx++)
            sum += exp (-(dx * dx + dy * dy) / (2.0 * sigma * sigma))
                   * in[clamp (y + dy, h) * w + clamp (x + dx, w)];
        out[y * w + x] = sum / norm;
      }
}

static void
test_blur_matches_reference (void)
{
  /* Sizes below the radius exercise the replicated border on both sides at once. */
  static const struct { int w, h; float sigma; } cases[] = {
    { 16, 11, 1.0f }, { 3, 9, 2.0f }, { 1, 1, 0.7f }, { 20, 2, 0.4f }, { 7, 7, 3.3f },
  };
  AeRng rng;
  ae_rng_seed (&rng, 17);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    {
      int w = cases[c].w, h = cases[c].h;
      size_t np = (size_t) w * h;
      float *in = malloc (np * sizeof *in), *out = malloc (np * sizeof *out);
      double *want = malloc (np * sizeof *want);
      for (size_t i = 0; i < np; i++)
        in[i] = ae_rng_uniform (&rng);
      ae_gaussian_blur (out, in, w, h, cases[c].sigma);
      blur_reference (want, in, w, h, cases[c].sigma);
      double worst = 0.0;
      for (size_t i = 0; i < np; i++)
        worst = fmax (worst, fabs (out[i] - want[i]));
      CHECK (worst < 1e-5, "%dx%d sigma %g: largest difference %g", w, h,
             (double) cases[c].sigma, worst);
      free (in);
      free (out);
      free (want);
    }
}

static void
test_blur_constant_and_mean (void)
{
  enum { W = 32, H = 24 };
  float in[W * H], out[W * H];
  for (int i = 0; i < W * H; i++)
    in[i] = 0.6f;
  ae_gaussian_blur (out, in, W, H, 1.5f);
  for (int i = 0; i < W * H; i++)
    CHECK (fabsf (out[i] - 0.6f) < 1e-6f, "constant image changed at %d: %g", i, out[i]);

  /* A replicated border adds mass where the image touches it, so the mean is kept exactly
   * only for detail farther than the radius (5 for sigma 1.5) from the border: a blob on a
   * constant background. */
  AeRng rng;
  ae_rng_seed (&rng, 23);
  double mean_in = 0.0, mean_out = 0.0;
  for (int y = 8; y < 16; y++)
    for (int x = 8; x < 24; x++)
      in[y * W + x] = ae_rng_uniform (&rng);
  ae_gaussian_blur (out, in, W, H, 1.5f);
  double change = 0.0;
  for (int i = 0; i < W * H; i++)
    {
      mean_in += in[i];
      mean_out += out[i];
      change += fabs (out[i] - in[i]);
    }
  CHECK_CLOSE (mean_out / (W * H), mean_in / (W * H), 1e-6);
  CHECK (change > 1.0, "the blur changed almost nothing: %g", change);

  /* sigma <= 0 copies. */
  ae_gaussian_blur (out, in, W, H, 0.0f);
  CHECK (memcmp (out, in, sizeof out) == 0, "sigma 0 is not a copy");
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/filters/median/hand-cases", test_median_hand_cases },
    { "/filters/median/matches-sort", test_median_matches_sort },
    { "/filters/blur/matches-reference", test_blur_matches_reference },
    { "/filters/blur/constant-and-mean", test_blur_constant_and_mean },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
