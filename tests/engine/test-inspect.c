/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-inspect: the decoder's basis and the encoder's Jacobian norm, against central
 * differences taken through the public encode and decode only. */
#include <math.h>
#include <stdlib.h>

#include "ae-inspect.h"
#include "ae-model.h"
#include "ae-test.h"

static AeModel *
small_model (const char *preset, int side, int latent, const int *hidden, int n_hidden)
{
  AeConfig cfg;
  AeError err = { 0 };
  AeModel *model = NULL;

  CHECK (ae_config_preset (&cfg, preset, &err) == AE_OK, "%s", err.message);
  cfg.channels = 1;
  cfg.height = side;
  cfg.width = side;
  cfg.latent = latent;
  cfg.n_hidden = n_hidden;
  for (int i = 0; i < n_hidden; i++)
    cfg.hidden[i] = hidden[i];
  cfg.seed = 5;
  CHECK (ae_model_new (&model, &cfg, &err) == AE_OK, "%s", err.message);
  return model;
}

/* ||J||_F^2 by central differences of encode along each input coordinate. */
static double
jacobian_sq_by_differences (AeModel *model, const float *x)
{
  const int dim = ae_model_input_dim (model), L = ae_model_latent_dim (model);
  const float h = 1e-2f;
  float *moved = malloc ((size_t) dim * sizeof (float));
  float *up = malloc ((size_t) L * sizeof (float)), *down = malloc ((size_t) L * sizeof (float));
  double total = 0.0;

  for (int i = 0; i < dim; i++)
    {
      for (int p = 0; p < dim; p++)
        moved[p] = x[p];
      moved[i] = x[i] + h;
      ae_model_encode (model, up, NULL, moved, 1);
      moved[i] = x[i] - h;
      ae_model_encode (model, down, NULL, moved, 1);
      for (int j = 0; j < L; j++)
        {
          double d = (up[j] - down[j]) / (2.0 * h);
          total += d * d;
        }
    }
  free (moved);
  free (up);
  free (down);
  return total;
}

/* Compares the norms with the differences: per sample for the exact form; for the
 * estimate, the mean of the squared norms over n samples, which is what it estimates
 * without bias (one sample over 8 directions of a 4-dimensional code spreads by tens of
 * percent). */
static void
check_jacobian (const char *preset, const int *hidden, int n_hidden, int expect_exact, int n,
                double tolerance)
{
  const int side = 6, dim = side * side;
  AeModel *model = small_model (preset, side, 4, hidden, n_hidden);
  AeError err = { 0 };
  float *x = malloc ((size_t) n * dim * sizeof (float)), *norms = malloc ((size_t) n * sizeof (float));
  double sum_estimated = 0.0, sum_expected = 0.0;
  AeRng rng;

  if (model == NULL)
    return;
  CHECK (ae_inspect_jacobian_is_exact (model) == expect_exact, "%s: exact %d",
         preset, ae_inspect_jacobian_is_exact (model));
  ae_rng_seed (&rng, 11);
  for (int i = 0; i < n * dim; i++)
    x[i] = ae_rng_uniform (&rng);
  CHECK (ae_inspect_jacobian_norms (model, norms, x, n, &err) == AE_OK, "%s", err.message);
  for (int r = 0; r < n; r++)
    {
      double expected = jacobian_sq_by_differences (model, x + r * dim);
      CHECK (expected > 0.0, "%s: a zero Jacobian tests nothing", preset);
      if (expect_exact)
        CHECK_CLOSE (norms[r], sqrt (expected), tolerance);
      sum_estimated += (double) norms[r] * norms[r];
      sum_expected += expected;
    }
  CHECK_CLOSE (sum_estimated / n, sum_expected / n, tolerance);
  free (x);
  free (norms);
  ae_model_free (model);
}

static void
test_jacobian_closed_form (void)
{
  /* one sigmoid layer: the closed form, which must match the differences closely */
  check_jacobian ("contractive", NULL, 0, 1, 3, 1e-3);
}

static void
test_jacobian_estimate (void)
{
  /* two layers: the random-direction estimate */
  static const int hidden[] = { 16 };
  check_jacobian ("undercomplete", hidden, 1, 0, 200, 0.05);
}

static void
test_jacobian_estimate_repeats (void)
{
  static const int hidden[] = { 16 };
  AeModel *model = small_model ("undercomplete", 6, 4, hidden, 1);
  AeError err = { 0 };
  float x[36], a, b;

  for (int i = 0; i < 36; i++)
    x[i] = (float) (i % 7) / 7.0f;
  CHECK (ae_inspect_jacobian_norms (model, &a, x, 1, &err) == AE_OK, "%s", err.message);
  CHECK (ae_inspect_jacobian_norms (model, &b, x, 1, &err) == AE_OK, "%s", err.message);
  CHECK (a == b, "the same weights gave %g then %g", a, b);
  ae_model_free (model);
}

/* A linear model's decoder is x = W z + b: the basis must be W itself. */
static void
test_decoder_basis_linear (void)
{
  AeModel *model = small_model ("linear", 5, 3, NULL, 0);
  AeError err = { 0 };
  const int dim = 25, L = 3;
  float basis[25 * 3], z[3], out[25], origin[25];

  if (model == NULL)
    return;
  CHECK (ae_inspect_decoder_basis (model, basis, &err) == AE_OK, "%s", err.message);
  /* any code decodes to origin + basis z */
  z[0] = 0.7f;
  z[1] = -1.3f;
  z[2] = 0.4f;
  ae_model_decode (model, out, z, 1);
  for (int i = 0; i < L; i++)
    z[i] = 0.0f;
  ae_model_decode (model, origin, z, 1);
  z[0] = 0.7f;
  z[1] = -1.3f;
  z[2] = 0.4f;
  for (int p = 0; p < dim; p++)
    {
      double predicted = origin[p];
      for (int i = 0; i < L; i++)
        predicted += basis[p * L + i] * z[i];
      CHECK_CLOSE (out[p], predicted, 1e-5);
    }
  ae_model_free (model);
}

/* With a sigmoid output the basis is taken in logit space, where the model is linear. */
static void
test_decoder_basis_sigmoid (void)
{
  AeModel *model = small_model ("linear", 5, 2, NULL, 0);
  AeConfig cfg = *ae_model_config (model);
  AeError err = { 0 };
  float basis[25 * 2], z[2] = { 0.5f, -0.25f }, zero[2] = { 0, 0 }, out[25], origin[25];

  ae_model_free (model);
  cfg.output_activation = AE_ACT_SIGMOID;
  cfg.loss = AE_LOSS_BCE;
  CHECK (ae_model_new (&model, &cfg, &err) == AE_OK, "%s", err.message);
  CHECK (ae_inspect_decoder_basis (model, basis, &err) == AE_OK, "%s", err.message);
  ae_model_decode (model, out, z, 1);
  ae_model_decode (model, origin, zero, 1);
  for (int p = 0; p < 25; p++)
    {
      double logit = log (origin[p] / (1.0 - origin[p])) + basis[p * 2] * z[0] + basis[p * 2 + 1] * z[1];
      CHECK_CLOSE (out[p], 1.0 / (1.0 + exp (-logit)), 1e-4);
    }
  ae_model_free (model);
}

/* A linear model whose decoder is set to PCA's components spans PCA's subspace exactly (angle
 * 0); one whose decoder is set to other directions does not. */
static void
test_pca_angle (void)
{
  AeModel *model = small_model ("linear", 4, 2, NULL, 0);
  const int dim = 16, n = 64;
  float x[64 * 16];
  AePca *pca = NULL;
  AeError err = { 0 };
  AeTensor tensors[8];
  AeRng rng;
  int count, found = 0;

  ae_rng_seed (&rng, 3);
  for (int i = 0; i < n * dim; i++)
    x[i] = ae_rng_uniform (&rng) * (1.0f + (float) (i % dim));
  CHECK (ae_pca_fit (&pca, x, n, dim, 3, &err) == AE_OK, "%s", err.message);
  count = ae_model_tensors (model, tensors, 8);
  for (int t = 0; t < count; t++)
    if (tensors[t].rank == 2 && tensors[t].shape[0] == dim && tensors[t].shape[1] == 2)
      {
        /* the decoder's weight (dim, latent): columns = PCA's first two components */
        for (int p = 0; p < dim; p++)
          for (int i = 0; i < 2; i++)
            tensors[t].data[p * 2 + i] = pca->components[i * dim + p] * (i + 2.0f);
        found = 1;
        CHECK (ae_inspect_pca_angle (model, pca) < 0.01, "angle %g", ae_inspect_pca_angle (model, pca));
        for (int p = 0; p < dim; p++)
          tensors[t].data[p * 2 + 1] = pca->components[2 * dim + p];
        CHECK (ae_inspect_pca_angle (model, pca) > 89.0, "angle %g", ae_inspect_pca_angle (model, pca));
      }
  CHECK (found, "no decoder weight of shape (%d, 2) among %d tensors", dim, count);
  ae_pca_free (pca);
  ae_model_free (model);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/inspect/jacobian/closed-form", test_jacobian_closed_form },
    { "/inspect/jacobian/estimate", test_jacobian_estimate },
    { "/inspect/jacobian/repeats", test_jacobian_estimate_repeats },
    { "/inspect/decoder-basis/linear", test_decoder_basis_linear },
    { "/inspect/decoder-basis/sigmoid", test_decoder_basis_sigmoid },
    { "/inspect/pca-angle", test_pca_angle },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
