/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mutual information between codes and factors, and MIG, on codes whose answer is known. */
#include <stdlib.h>

#include "ae-factors.h"
#include "ae-rng.h"
#include "ae-test.h"

#define N 4000
#define N_FACTORS 4

static const AeFactor factors_info[N_FACTORS] = {
  { "kind", "kind", "", 0.0f, 3.0f, 4 },
  { "a", "a", "", 0.0f, 1.0f, 0 },
  { "b", "b", "", -2.0f, 2.0f, 0 },
  { "c", "c", "", 0.0f, 10.0f, 0 },
};

/* N samples of independent uniform factors. */
static float *
draw_factors (AeRng *rng)
{
  float *v = malloc (sizeof (float) * N * N_FACTORS);
  for (long i = 0; i < N; i++)
    for (int k = 0; k < N_FACTORS; k++)
      {
        const AeFactor *f = &factors_info[k];
        v[i * N_FACTORS + k] = f->levels > 0 ? (float) ae_rng_below (rng, (uint32_t) f->levels)
                                             : f->min + (f->max - f->min) * ae_rng_uniform (rng);
      }
  return v;
}

static void
score (AeFactorScore *s, const float *codes, int latent, const float *v)
{
  AeError err = { 0 };
  CHECK (ae_factor_score (s, codes, N, latent, v, N_FACTORS, factors_info, &err) == AE_OK, "%s",
         err.message);
}

/* A code that copies each factor (scaled and shifted) into its own dimension: each factor's
 * information is all in one dimension and none in the others. */
static void
test_copy_code (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 1);
  float *v = draw_factors (&rng);
  float *codes = malloc (sizeof (float) * N * N_FACTORS);
  for (long i = 0; i < N; i++)
    for (int k = 0; k < N_FACTORS; k++)
      codes[i * N_FACTORS + k] = 3.0f * v[i * N_FACTORS + k] - 1.0f;
  AeFactorScore s;
  score (&s, codes, N_FACTORS, v);
  CHECK (s.mig > 0.95, "MIG %g for a copy of the factors", s.mig);
  for (int k = 0; k < N_FACTORS; k++)
    {
      CHECK (s.best_dim[k] == k, "factor %d is best in dimension %d", k, s.best_dim[k]);
      /* A discrete factor's bins are the code's exactly; a continuous factor's are cut over
       * its range, the code's between the smallest and largest code drawn: nearly the same. */
      double share = ae_factor_score_share (&s, k, k);
      CHECK (factors_info[k].levels > 0 ? fabs (share - 1.0) < 1e-9 : share > 0.98 && share <= 1.0,
             "factor %d: share %g", k, share);
    }
  /* 20 equal bins of a uniform factor: the entropy is close to log 20. */
  CHECK (fabs (s.entropy[1] - log (20.0)) < 0.01, "entropy %g", s.entropy[1]);
  CHECK (fabs (s.entropy[0] - log (4.0)) < 0.01, "entropy %g", s.entropy[0]);
  ae_factor_score_clear (&s);
  free (codes);
  free (v);
}

/* Codes independent of the factors carry (nearly) nothing: the only information is the
 * small positive bias of a histogram estimate. */
static void
test_random_code (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 2);
  float *v = draw_factors (&rng);
  int latent = 6;
  float *codes = malloc (sizeof (float) * N * latent);
  for (long i = 0; i < N * latent; i++)
    codes[i] = ae_rng_normal (&rng);
  AeFactorScore s;
  score (&s, codes, latent, v);
  CHECK (s.mig < 0.03, "MIG %g for a random code", s.mig);
  for (int j = 0; j < latent; j++)
    for (int k = 0; k < N_FACTORS; k++)
      CHECK (ae_factor_score_share (&s, j, k) < 0.05, "dimension %d, factor %d: share %g", j, k,
             ae_factor_score_share (&s, j, k));
  ae_factor_score_clear (&s);
  free (codes);
  free (v);
}

/* One factor in two dimensions: both carry all of it, so its gap closes; the others keep
 * theirs. A constant dimension carries nothing. */
static void
test_split_code (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 3);
  float *v = draw_factors (&rng);
  int latent = N_FACTORS + 2;
  float *codes = malloc (sizeof (float) * N * latent);
  for (long i = 0; i < N; i++)
    {
      for (int k = 0; k < N_FACTORS; k++)
        codes[i * latent + k] = v[i * N_FACTORS + k];
      codes[i * latent + N_FACTORS] = -2.0f * v[i * N_FACTORS + 1];
      codes[i * latent + N_FACTORS + 1] = 0.25f;
    }
  AeFactorScore s;
  score (&s, codes, latent, v);
  CHECK (s.gap[1] < 0.02, "factor in two dimensions: gap %g", s.gap[1]);
  for (int k = 0; k < N_FACTORS; k++)
    if (k != 1)
      CHECK (s.gap[k] > 0.95, "factor %d: gap %g", k, s.gap[k]);
  CHECK (s.mig < 0.8 && s.mig > 0.7, "MIG %g: three of four factors", s.mig);
  for (int k = 0; k < N_FACTORS; k++)
    CHECK (s.mi[(size_t) (N_FACTORS + 1) * N_FACTORS + k] == 0, "constant dimension: MI %g",
           s.mi[(size_t) (N_FACTORS + 1) * N_FACTORS + k]);
  ae_factor_score_clear (&s);
  free (codes);
  free (v);
}

/* Two equally likely values copied: I = H = log 2 exactly. */
static void
test_exact_bit (void)
{
  static const AeFactor bit[1] = { { "bit", "bit", "", 0.0f, 1.0f, 2 } };
  float v[N], codes[N];
  for (int i = 0; i < N; i++)
    v[i] = codes[i] = (float) (i % 2);
  AeFactorScore s;
  AeError err = { 0 };
  CHECK (ae_factor_score (&s, codes, N, 1, v, 1, bit, &err) == AE_OK, "%s", err.message);
  CHECK (fabs (s.mi[0] - log (2.0)) < 1e-12 && fabs (s.entropy[0] - log (2.0)) < 1e-12, "MI %g, H %g",
         s.mi[0], s.entropy[0]);
  ae_factor_score_clear (&s);
  CHECK (ae_factor_score (&s, codes, 1, 1, v, 1, bit, &err) == AE_ERR_INVALID, "one code scored");
  ae_factor_score_clear (&s);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/factors/copy", test_copy_code },
    { "/factors/random", test_random_code },
    { "/factors/split", test_split_code },
    { "/factors/exact-bit", test_exact_bit },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
