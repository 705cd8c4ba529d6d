/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-model-passes.c: forward and backward passes through the layers, the objective of
 * every family on one batch (ae_model_run_batch), and inference in chunks. */
#include "ae-model.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-layers.h"
#include "ae-lstm.h"
#include "ae-model-private.h"

/* --- corruption --------------------------------------------------------------------------- */

/* out = base + sigma * N(0, 1), n values. Box-Muller in float, both values of each pair:
 * noise for a whole batch then costs a fraction of its GEMMs instead of a third of them. */
static void
add_normal_noise (float *out, const float *base, long n, float sigma, AeRng *rng)
{
  for (long i = 0; i < n; i += 2)
    {
      float u1 = ((float) (ae_rng_next (rng) >> 40) + 1.0f) * (1.0f / 16777216.0f); /* (0, 1] */
      float u2 = (float) (ae_rng_next (rng) >> 40) * (1.0f / 16777216.0f);
      float r = sigma * sqrtf (-2.0f * logf (u1));
      float angle = 6.28318530718f * u2;
      out[i] = base[i] + r * cosf (angle);
      if (i + 1 < n)
        out[i + 1] = base[i + 1] + r * sinf (angle);
    }
}

void
ae_corrupt (float *x, long n, AeNoise kind, float level, AeRng *rng)
{
  switch (kind)
    {
    case AE_NOISE_NONE:
      break;
    case AE_NOISE_GAUSSIAN:
      add_normal_noise (x, x, n, level, rng);
      for (long i = 0; i < n; i++)
        x[i] = fminf (fmaxf (x[i], 0.0f), 1.0f);
      break;
    case AE_NOISE_SALT_PEPPER:
      for (long i = 0; i < n; i++)
        {
          float u = ae_rng_uniform (rng);
          if (u < level)
            x[i] = u < 0.5f * level ? 0.0f : 1.0f; /* half salt, half pepper */
        }
      break;
    case AE_NOISE_MASKING:
      for (long i = 0; i < n; i++)
        if (ae_rng_uniform (rng) < level)
          x[i] = 0.0f;
      break;
    case AE_NOISE_MIXED:
      {
        AeNoise drawn = ae_rng_uniform (rng) < 0.5f ? AE_NOISE_GAUSSIAN : AE_NOISE_SALT_PEPPER;
        ae_corrupt (x, n, drawn, level * ae_rng_uniform (rng), rng);
      }
      break;
    }
}

void
ae_corrupt_samples (float *x, long B, int dim, AeNoise kind, float level, AeRng *rng)
{
  if (kind != AE_NOISE_MIXED)
    {
      ae_corrupt (x, B * dim, kind, level, rng);
      return;
    }
  for (long r = 0; r < B; r++)
    ae_corrupt (x + (size_t) r * dim, dim, kind, level, rng);
}

/* --- passes ---------------------------------------------------------------------------------- */

const float *
ae_model_layer_input (const AeModel *m, const AePass *pass, int l, const float *enc_input,
                      const float *dec_input)
{
  if (l == 0)
    return enc_input;
  if (l == m->n_enc)
    return dec_input;
  return pass->out[l - 1];
}

static void
encoder_forward (AeModel *m, AePass *pass, const float *input, int B)
{
  for (int l = 0; l < m->n_enc; l++)
    ae_layer_forward (&m->layers[l], pass->out[l], pass->cache[l],
                      ae_model_layer_input (m, pass, l, input, NULL), B, m->workspace);
}

static void
decoder_forward (AeModel *m, const float *codes, int B)
{
  for (int l = m->n_enc; l < m->n_layers; l++)
    ae_layer_forward (&m->layers[l], m->main.out[l], m->main.cache[l],
                      ae_model_layer_input (m, &m->main, l, NULL, codes), B, m->workspace);
}

/* Backward from the gradient in dout[l] (with respect to the output after the activation)
 * down to layer `first`; writes the gradient of the input of `first` into dinp
 * (overwritten) unless it is NULL. The contractive closed form joins at the code layer. */
static void
layers_backward (AeModel *m, AePass *pass, int first, int last, const float *enc_input,
                 const float *dec_input, float *dinp, int B, float contractive_scale)
{
  for (int l = last; l >= first; l--)
    {
      const AeLayer *layer = &m->layers[l];
      float *dpre = pass->dout[l];
      ae_activation_backward (dpre, pass->out[l], (long) B * layer->out_dim, layer->act);
      if (l == m->n_enc - 1 && contractive_scale != 0.0f)
        ae_contractive_closed (dpre, layer->dw, m->scratch, pass->out[l], layer->w, B, m->latent,
                               layer->in_dim, layer->out_dim, layer->act, m->cfg.contractive,
                               contractive_scale);
      float *d = l > first ? pass->dout[l - 1] : dinp;
      ae_layer_backward (layer, d, dpre, pass->cache[l],
                         ae_model_layer_input (m, pass, l, enc_input, dec_input), B, m->workspace,
                         m->later_weights);
    }
}

void
ae_model_residual (const AeModel *m, float *out, const float *input, long n)
{
  if (m->cfg.arch != AE_ARCH_RESIDUAL)
    return;
  for (long i = 0; i < n; i++)
    out[i] = input[i] - out[i];
}

float
ae_model_kl_weight (const AeConfig *c, float epoch)
{
  if (c->kl_warmup <= 0)
    return c->kl_beta;
  return c->kl_beta * fminf (1.0f, fmaxf (epoch, 0.0f) / (float) c->kl_warmup);
}

/* The objective on B rows (at most cap) of a batch of `total` rows: its terms and, with
 * grads, its gradients added into the gradient arena, both as shares of the whole batch's
 * mean. rng NULL: no corruption and z = mu (evaluation). */
void
ae_model_run_batch (AeModel *m, AeLossTerms *terms, const float *x, int B, int total, float kl_w,
                    AeRng *rng, int with_grads)
{
  const AeConfig *c = &m->cfg;
  const int L = m->latent;
  const AeLayer *code_layer = &m->layers[m->n_enc - 1];
  const int code_stride = code_layer->out_dim; /* L, or 2L for mu|logvar */
  const float scale = 1.0f / (float) total;
  /* rho_hat is a mean over the whole batch: a share cannot compute it alone. */
  assert (B == total || c->kl_sparsity == 0.0f);
  memset (terms, 0, sizeof *terms);

  /* Corrupt a copy; the loss compares with the clean x. */
  const float *input = x;
  if (c->noise != AE_NOISE_NONE && c->noise_level > 0.0f && rng != NULL)
    {
      memcpy (m->input, x, (size_t) B * m->dim * sizeof (float));
      ae_corrupt_samples (m->input, B, m->dim, c->noise, c->noise_level, rng);
      input = m->input;
    }

  encoder_forward (m, &m->main, input, B);
  float *code = m->main.out[m->n_enc - 1]; /* (B, code_stride): h, or mu|logvar */
  const float *dec_input = code;
  if (c->variational)
    {
      if (rng != NULL)
        for (long i = 0; i < (long) B * L; i++)
          m->eps[i] = ae_rng_normal (rng);
      else
        memset (m->eps, 0, (size_t) B * L * sizeof (float));
      ae_reparameterize_forward (m->z, code, code + L, m->eps, B, L, code_stride);
      dec_input = m->z;
    }
  decoder_forward (m, dec_input, B);
  m->enc_input = input;
  m->dec_input = dec_input;

  /* Reconstruction: sets the gradient of the logits. */
  float *logits = m->main.out[m->n_layers - 1];
  float *dlogits = with_grads ? m->main.dout[m->n_layers - 1] : NULL;
  ae_model_residual (m, logits, input, (long) B * m->dim);
  double recon = ae_recon_loss (dlogits, NULL, logits, x, B, m->dim, c->loss, c->output_activation,
                                scale);
  terms->reconstruction = recon / total;
  /* The last layer gave the noise, which the output subtracts. */
  if (dlogits != NULL && c->arch == AE_ARCH_RESIDUAL)
    for (long i = 0; i < (long) B * m->dim; i++)
      dlogits[i] = -dlogits[i];

  float *dcode = with_grads ? m->main.dout[m->n_enc - 1] : NULL;
  if (with_grads)
    layers_backward (m, &m->main, m->n_enc, m->n_layers - 1, NULL, dec_input,
                     c->variational ? m->dz : dcode, B, 0.0f);

  /* Penalties on the code add into dcode. */
  double sparsity = 0.0;
  if (c->l1_code > 0.0f)
    sparsity += ae_l1_penalty (dcode, code, B, L, c->l1_code, scale) / total;
  if (c->kl_sparsity > 0.0f)
    sparsity += ae_kl_sparsity_penalty (dcode, m->scratch, code, B, L, c->rho, c->kl_sparsity);
  terms->sparsity = sparsity;

  if (c->variational)
    {
      if (with_grads)
        {
          memset (dcode, 0, (size_t) B * code_stride * sizeof (float));
          ae_reparameterize_backward (dcode, dcode + L, m->dz, m->eps, code + L, B, L, code_stride);
        }
      double kl = ae_vae_kl (dcode, dcode != NULL ? dcode + L : NULL, code, code + L, B, L,
                             code_stride, 1.0f, kl_w * scale);
      terms->kl = kl / total;
    }

  float closed_scale = 0.0f;
  if (c->contractive > 0.0f)
    {
      if (c->n_hidden == 0)
        {
          /* The gradient joins in layers_backward, after the code's activation. */
          terms->contractive = ae_contractive_closed (NULL, NULL, m->scratch, code, code_layer->w,
                                                      B, L, code_layer->in_dim, code_stride,
                                                      code_layer->act, c->contractive, scale) / total;
          closed_scale = scale;
        }
      else
        {
          AeRng fixed;
          AeRng *noise_rng = rng;
          if (noise_rng == NULL)
            {
              ae_rng_seed (&fixed, 0x5eedc0de);
              noise_rng = &fixed;
            }
          const float s = AE_CONTRACTIVE_STEP;
          add_normal_noise (m->pert_input, input, (long) B * m->dim, s, noise_rng);
          encoder_forward (m, &m->perturbed, m->pert_input, B);
          float *code1 = m->perturbed.out[m->n_enc - 1];
          float *dcode1 = with_grads ? m->perturbed.dout[m->n_enc - 1] : NULL;
          if (dcode1 != NULL)
            memset (dcode1, 0, (size_t) B * code_stride * sizeof (float));
          terms->contractive = ae_contractive_estimate (dcode, dcode1, code, code1, B, L,
                                                        code_stride, s, c->contractive, scale) / total;
          if (with_grads)
            layers_backward (m, &m->perturbed, 0, m->n_enc - 1, m->pert_input, NULL, NULL, B, 0.0f);
        }
    }

  terms->total = terms->reconstruction + terms->sparsity + terms->contractive + kl_w * terms->kl;

  if (with_grads)
    layers_backward (m, &m->main, 0, m->n_enc - 1, input, NULL, NULL, B, closed_scale);
}

void
ae_loss_terms_add (AeLossTerms *sum, const AeLossTerms *t, double weight)
{
  sum->total += weight * t->total;
  sum->reconstruction += weight * t->reconstruction;
  sum->sparsity += weight * t->sparsity;
  sum->contractive += weight * t->contractive;
  sum->kl += weight * t->kl;
}

/* --- inference ------------------------------------------------------------------------------ */

void
ae_model_encode (AeModel *model, float *codes, float *logvar, const float *x, long B)
{
  const int L = model->latent;
  const int stride = model->layers[model->n_enc - 1].out_dim;
  for (long start = 0; start < B; start += model->cap)
    {
      int n = (int) (B - start < model->cap ? B - start : model->cap);
      encoder_forward (model, &model->main, x + (size_t) start * model->dim, n);
      const float *code = model->main.out[model->n_enc - 1];
      for (int r = 0; r < n; r++)
        {
          memcpy (codes + (size_t) (start + r) * L, code + (size_t) r * stride, (size_t) L * sizeof (float));
          if (logvar != NULL)
            {
              float *lv = logvar + (size_t) (start + r) * L;
              if (model->cfg.variational)
                memcpy (lv, code + (size_t) r * stride + L, (size_t) L * sizeof (float));
              else
                memset (lv, 0, (size_t) L * sizeof (float));
            }
        }
    }
}

/* The decoder's output for n rows of codes, after the output activation, into out. */
static void
decode_chunk (AeModel *m, float *out, const float *codes, int n)
{
  decoder_forward (m, codes, n);
  memcpy (out, m->main.out[m->n_layers - 1], (size_t) n * m->dim * sizeof (float));
  ae_activation_forward (out, (long) n * m->dim, m->cfg.output_activation);
}

void
ae_model_decode (AeModel *model, float *out, const float *codes, long B)
{
  for (long start = 0; start < B; start += model->cap)
    {
      int n = (int) (B - start < model->cap ? B - start : model->cap);
      decode_chunk (model, out + (size_t) start * model->dim, codes + (size_t) start * model->latent, n);
    }
}

/* Encodes n rows and leaves the decoder's logits in the last layer's buffer. */
static void
reconstruct_chunk (AeModel *m, const float *x, int n)
{
  encoder_forward (m, &m->main, x, n);
  const float *code = m->main.out[m->n_enc - 1];
  if (m->cfg.variational)
    {
      /* z = mu: copy it out of the interleaved mu|logvar rows. */
      const int L = m->latent;
      for (int r = 0; r < n; r++)
        memcpy (m->z + (size_t) r * L, code + (size_t) r * 2 * L, (size_t) L * sizeof (float));
      code = m->z;
    }
  decoder_forward (m, code, n);
  ae_model_residual (m, m->main.out[m->n_layers - 1], x, (long) n * m->dim);
}

void
ae_model_reconstruct (AeModel *model, float *out, const float *x, long B)
{
  for (long start = 0; start < B; start += model->cap)
    {
      int n = (int) (B - start < model->cap ? B - start : model->cap);
      reconstruct_chunk (model, x + (size_t) start * model->dim, n);
      float *o = out + (size_t) start * model->dim;
      memcpy (o, model->main.out[model->n_layers - 1], (size_t) n * model->dim * sizeof (float));
      ae_activation_forward (o, (long) n * model->dim, model->cfg.output_activation);
    }
}

void
ae_model_sample_errors (AeModel *model, float *errors, const float *input, const float *target,
                        long B)
{
  for (long start = 0; start < B; start += model->cap)
    {
      int n = (int) (B - start < model->cap ? B - start : model->cap);
      reconstruct_chunk (model, input + (size_t) start * model->dim, n);
      ae_recon_loss (NULL, errors + start, model->main.out[model->n_layers - 1],
                     target + (size_t) start * model->dim, n, model->dim, model->cfg.loss,
                     model->cfg.output_activation, 1.0f);
    }
}
