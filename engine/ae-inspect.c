/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-inspect.c: the decoder's subspace and the encoder's Jacobian norm (see ae-inspect.h). */
#include "ae-inspect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-layers.h"
#include "ae-model-private.h"

AeStatus
ae_inspect_decoder_basis (AeModel *model, float *basis, AeError *err)
{
  const AeConfig *c = ae_model_config (model);
  const int L = ae_model_latent_dim (model), dim = ae_model_input_dim (model);
  /* row 0 decodes the origin, row i + 1 the unit code e_i */
  float *codes = calloc ((size_t) (L + 1) * (size_t) L, sizeof (float));
  float *out = malloc ((size_t) (L + 1) * (size_t) dim * sizeof (float));

  if (codes == NULL || out == NULL)
    {
      free (codes);
      free (out);
      return ae_error_set (err, AE_ERR_NOMEM, "out of memory for the decoder's basis");
    }
  for (int i = 0; i < L; i++)
    codes[(size_t) (i + 1) * L + i] = 1.0f;
  ae_model_decode (model, out, codes, L + 1);
  if (c->output_activation == AE_ACT_SIGMOID)
    for (size_t i = 0; i < (size_t) (L + 1) * (size_t) dim; i++)
      {
        double p = fmin (fmax (out[i], 1e-7), 1 - 1e-7);
        out[i] = (float) log (p / (1 - p));
      }
  for (int p = 0; p < dim; p++)
    for (int i = 0; i < L; i++)
      basis[(size_t) p * L + i] = out[(size_t) (i + 1) * dim + p] - out[p];
  free (codes);
  free (out);
  return AE_OK;
}

double
ae_inspect_pca_angle (AeModel *model, const AePca *pca)
{
  const int L = ae_model_latent_dim (model), dim = ae_model_input_dim (model);
  float *a, *b;
  double *angles, largest = NAN;
  if (pca->k < L || pca->dim != dim || L < 1)
    return NAN;
  a = malloc ((size_t) dim * (size_t) L * sizeof (float));
  b = malloc ((size_t) dim * (size_t) L * sizeof (float));
  angles = malloc ((size_t) L * sizeof (double));
  if (a != NULL && b != NULL && angles != NULL && ae_inspect_decoder_basis (model, a, NULL) == AE_OK)
    {
      for (int p = 0; p < dim; p++)
        for (int i = 0; i < L; i++)
          b[(size_t) p * L + i] = pca->components[(size_t) i * dim + p];
      largest = ae_principal_angles (a, L, b, L, dim, angles);
    }
  free (a);
  free (b);
  free (angles);
  return largest;
}

int
ae_inspect_jacobian_is_exact (const AeModel *model)
{
  const AeConfig *cfg = ae_model_config (model);

  return cfg->arch == AE_ARCH_DENSE && model->n_enc == 1 && !cfg->variational
         && model->layers[0].kind == AE_LAYER_DENSE;
}

AeStatus
ae_inspect_jacobian_norms (AeModel *model, float *norms, const float *x, long n, AeError *err)
{
  const int L = ae_model_latent_dim (model), dim = ae_model_input_dim (model);
  float *h0 = malloc ((size_t) n * (size_t) L * sizeof (float));

  if (h0 == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for the codes of %ld samples", n);
  ae_model_encode (model, h0, NULL, x, n);
  if (ae_inspect_jacobian_is_exact (model))
    {
      const AeLayer *code = &model->layers[0];
      float *row_norms = malloc ((size_t) L * sizeof (float));

      if (row_norms == NULL)
        {
          free (h0);
          return ae_error_set (err, AE_ERR_NOMEM, "out of memory for the Jacobian");
        }
      for (long r = 0; r < n; r++)
        norms[r] = (float) sqrt (ae_contractive_closed (NULL, NULL, row_norms, h0 + (size_t) r * L,
                                                        code->w, 1, L, code->in_dim, L, code->act,
                                                        1.0f, 1.0f));
      free (row_norms);
    }
  else
    {
      const float s = AE_CONTRACTIVE_STEP;
      float *moved = malloc ((size_t) n * (size_t) dim * sizeof (float));
      float *h1 = malloc ((size_t) n * (size_t) L * sizeof (float));
      double *sum = calloc ((size_t) n, sizeof (double));
      AeRng rng;

      if (moved == NULL || h1 == NULL || sum == NULL)
        {
          free (moved);
          free (h1);
          free (sum);
          free (h0);
          return ae_error_set (err, AE_ERR_NOMEM, "out of memory for the Jacobian of %ld samples", n);
        }
      /* a fixed stream: the same weights give the same norms */
      ae_rng_seed (&rng, 0x1a5d1de5);
      for (int k = 0; k < AE_INSPECT_JACOBIAN_DIRECTIONS; k++)
        {
          for (size_t i = 0; i < (size_t) n * (size_t) dim; i++)
            moved[i] = x[i] + s * ae_rng_normal (&rng);
          ae_model_encode (model, h1, NULL, moved, n);
          for (long r = 0; r < n; r++)
            sum[r] += ae_contractive_estimate (NULL, NULL, h0 + (size_t) r * L, h1 + (size_t) r * L,
                                               1, L, L, s, 1.0f, 0.0f);
        }
      for (long r = 0; r < n; r++)
        norms[r] = (float) sqrt (sum[r] / AE_INSPECT_JACOBIAN_DIRECTIONS);
      free (sum);
      free (h1);
      free (moved);
    }
  free (h0);
  return AE_OK;
}
