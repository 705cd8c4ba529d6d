/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-layers.h: the model's building blocks as pure functions, in the style of llm.c.
 *
 * Arguments: outputs first, then const inputs, then sizes. Backward functions ADD into
 * their gradients (weights, biases and inputs alike), so that a caller clears them once
 * and several paths (a VAE head, a second contractive pass) can contribute.
 * Rows are samples: a batch of B vectors of C floats is a row-major (B, C) matrix.
 */
#pragma once

#include "ae-model.h"
#include "ae-rng.h"

/* --- dense ----------------------------------------------------------------------------- */

/* out (B, OC) = inp (B, C) @ w^T + b, with w (OC, C) and b (OC), then act in the same pass
 * as the bias. b may be NULL. */
void ae_dense_forward (float *out, const float *inp, const float *w, const float *b, int B,
                       int C, int OC, AeActivation act);
/* From dout (B, OC), the gradient with respect to the pre-activation output: dinp (B, C) +=
 * dout @ w (= when not add_dinp), dw (OC, C) += dout^T @ inp, db (OC) += sum over the batch
 * of dout. dinp and db may be NULL; dw NULL leaves the weights' gradients (and the biases')
 * for later. */
void ae_dense_backward (float *dinp, float *dw, float *db, const float *dout, const float *inp,
                        const float *w, int B, int C, int OC, int add_dinp);
/* The same with either side laid out (features, B), the batch innermost, as a batch-
 * innermost convolution beside the layer reads or writes it (ae_conv_link_dense): inp is
 * (C, B) when in_inner, else (B, C); out (and dout) (OC, B) when out_inner, else (B, OC).
 * The transposes are the GEMMs' flags. Backward stores dinp (may be NULL) and adds into
 * dw and db (may be NULL); dw is not NULL (no split step runs with convolutions). */
void ae_dense_forward_inner (float *out, const float *inp, const float *w, const float *b, int B,
                             int C, int OC, AeActivation act, int in_inner, int out_inner);
void ae_dense_backward_inner (float *dinp, float *dw, float *db, const float *dout,
                              const float *inp, const float *w, int B, int C, int OC,
                              int in_inner, int out_inner);
/* Rows [first, end) of the weights' gradient alone: dw (end - first, C) and db (end -
 * first) (db may be NULL), those rows of dw (OC, C) and db (OC), get dout^T @ inp and the
 * sum over the batch of dout, added when `add`, else stored. */
void ae_dense_weight_grad_rows (float *dw, float *db, const float *dout, const float *inp, int B,
                                int C, int OC, int first, int end, int add);

/* --- activations ----------------------------------------------------------------------- */

/* In place over n values. */
void ae_activation_forward (float *x, long n, AeActivation act);
/* Turns the gradient with respect to an activation's output into the gradient with respect
 * to its input, in place, from the output values y (every activation here is invertible
 * enough for that: relu's output is positive exactly where its input was). */
void ae_activation_backward (float *dy, const float *y, long n, AeActivation act);
/* The derivative h'(a) from the output y = h(a). */
static inline float
ae_activation_slope (float y, AeActivation act)
{
  switch (act)
    {
    case AE_ACT_RELU: return y > 0.0f ? 1.0f : 0.0f;
    case AE_ACT_LEAKY_RELU: return y > 0.0f ? 1.0f : 0.01f;
    case AE_ACT_TANH: return 1.0f - y * y;
    case AE_ACT_SIGMOID: return y * (1.0f - y);
    case AE_ACT_IDENTITY: break;
    }
  return 1.0f;
}

/* --- reconstruction losses ------------------------------------------------------------ */

/* The loss of logits (B, D) against target (B, D), where the model's output is
 * out_act(logits): returns the sum over the batch; errors (B) receives each sample's sum
 * when not NULL; dlogits (B, D), when not NULL, is SET to scale * dloss/dlogits (one pass).
 * BCE requires out_act sigmoid and is computed stably from the logits. */
double ae_recon_loss (float *dlogits, float *errors, const float *logits, const float *target,
                      int B, int D, AeLoss loss, AeActivation out_act, float scale);

/* --- penalties on the code (h (B, L)) --------------------------------------------------- */

/* lambda * sum |h|, summed over the batch; dh += scale * its gradient. dh may be NULL. */
double ae_l1_penalty (float *dh, const float *h, int B, int L, float lambda, float scale);
/* beta * sum_j KL(rho || rho_hat_j) with rho_hat_j the mean of h[:, j] over the batch
 * (h in (0, 1): a sigmoid code). dh += its gradient (the batch mean is inside, so no
 * scale). dh may be NULL. rho_hat (L) is scratch. */
double ae_kl_sparsity_penalty (float *dh, float *rho_hat, const float *h, int B, int L,
                               float rho, float beta);
/* VAE: weight * -0.5 * sum(1 + logvar - mu^2 - exp(logvar)), summed over the batch;
 * dmu, dlogvar += scale * its gradient (either may be NULL). mu and logvar have row
 * stride `stride` (they may be the two halves of one (B, 2L) head). */
double ae_vae_kl (float *dmu, float *dlogvar, const float *mu, const float *logvar, int B,
                  int L, int stride, float weight, float scale);
/* z (B, L) = mu + exp(logvar / 2) * eps, with the same strides as ae_vae_kl. */
void ae_reparameterize_forward (float *z, const float *mu, const float *logvar,
                                const float *eps, int B, int L, int stride);
/* dmu += dz, dlogvar += dz * eps * exp(logvar / 2) / 2. */
void ae_reparameterize_backward (float *dmu, float *dlogvar, const float *dz, const float *eps,
                                 const float *logvar, int B, int L, int stride);

/* Contractive, closed form for a one-layer encoder h = act(x W^T + b) with W (L, C):
 * lambda * sum_b sum_j h'(a_bj)^2 ||W_j||^2 summed over the batch, from the codes h (B, L)
 * (row stride `stride`). Adds scale * its gradient into da (B, L) (with respect to the
 * pre-activation, row stride `stride`) and dw (L, C). row_norms (L) is scratch. */
double ae_contractive_closed (float *da, float *dw, float *row_norms, const float *h,
                              const float *w, int B, int L, int C, int stride,
                              AeActivation act, float lambda, float scale);
/* Contractive, stochastic estimate for deeper encoders: lambda * ||h1 - h0||^2 / s^2
 * summed over the batch, where h0 = f(x) and h1 = f(x + s eps). dh0 and dh1 += scale *
 * its gradients. Rows of h0, h1 have stride `stride` (L values used). */
double ae_contractive_estimate (float *dh0, float *dh1, const float *h0, const float *h1,
                                int B, int L, int stride, float s, float lambda, float scale);

/* --- optimisers ------------------------------------------------------------------------ */

/* Sum of squares of n values, in double. */
double ae_sum_squares (const float *x, size_t n);
/* acc += x over n values; returns the sum of squares of the new acc, in double. */
double ae_add_sum_squares (float *acc, const float *x, size_t n);
/* One AdamW step over flat arrays: g is multiplied by grad_scale (the clip factor) first;
 * t is the step count after this step (from 1), for the bias correction. */
void ae_adam_update (float *p, float *m, float *v, const float *g, size_t n, float lr,
                     float beta1, float beta2, float eps, float weight_decay, float grad_scale,
                     long t);
/* SGD with momentum and L2 weight decay: v = momentum v + g + wd p; p -= lr v. */
void ae_sgd_update (float *p, float *v, const float *g, size_t n, float lr, float momentum,
                    float weight_decay, float grad_scale);
