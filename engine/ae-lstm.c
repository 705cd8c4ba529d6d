/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-lstm.c: LSTM forward and backpropagation through time, and sequence helpers.
 *
 * The input part of the gates for every step is one sgemm over all B * T rows; each step
 * then adds its recurrent part with one sgemm (B, Hd) x (Hd, 4 Hd) and runs the
 * element-wise cell. Backward mirrors this: one sgemm per step for dh_{t-1}, then a single
 * sgemm each for dw_ih, dw_hh and dinp over all steps. That is why the cache keeps
 * h_{t-1} beside every step: dw_hh = dgates^T @ h_prev becomes one product over B * T
 * rows instead of T small ones.
 */
#include "ae-lstm.h"

#include <assert.h>
#include <cblas.h>
#include <math.h>
#include <string.h>

/* The cache, each block (B, T, ...) batch-major:
 *   gates  (B, T, 4 Hd)  i, f, g, o after their activations
 *   cell   (B, T, Hd)    c_t
 *   tanh_c (B, T, Hd)    tanh (c_t)
 *   h_prev (B, T, Hd)    h_{t-1}: h0 (or zeros) at t = 0 */
typedef struct {
  float *gates, *cell, *tanh_c, *h_prev;
} LstmCache;

static LstmCache
lstm_cache (float *cache, int B, int T, int Hd)
{
  const size_t n = (size_t) B * T * Hd;
  return (LstmCache) {
    .gates = cache,
    .cell = cache + 4 * n,
    .tanh_c = cache + 5 * n,
    .h_prev = cache + 6 * n,
  };
}

size_t
ae_lstm_cache_size (int B, int T, int Hd)
{
  return (size_t) 7 * B * T * Hd;
}

size_t
ae_lstm_workspace_size (int B, int T, int Hd)
{
  return (size_t) 4 * B * T * Hd + (size_t) 2 * B * Hd;
}

static inline float
sigmoidf (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

void
ae_lstm_forward (float *out, float *c_last, float *cache, const float *inp, const float *w_ih,
                 const float *w_hh, const float *bias, const float *h0, const float *c0, int B,
                 int T, int F, int Hd)
{
  assert (B >= 1 && T >= 1 && F >= 1 && Hd >= 1);
  const LstmCache k = lstm_cache (cache, B, T, Hd);
  const int G = 4 * Hd;
  const long BT = (long) B * T;

  /* gates (B * T, 4 Hd) = inp (B * T, F) @ w_ih^T; the bias is added in the cell loop */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) BT, G, F, 1.0f, inp, F, w_ih,
               F, 0.0f, k.gates, G);
  for (int b = 0; b < B; b++)
    {
      float *hp = k.h_prev + (long) b * T * Hd;
      if (h0)
        memcpy (hp, h0 + (long) b * Hd, sizeof (float) * Hd);
      else
        memset (hp, 0, sizeof (float) * Hd);
    }

  for (int t = 0; t < T; t++)
    {
      float *gates_t = k.gates + (long) t * G; /* (B, 4 Hd), row stride T * 4 Hd */
      if (t > 0 || h0)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, G, Hd, 1.0f,
                     k.h_prev + (long) t * Hd, T * Hd, w_hh, Hd, 1.0f, gates_t, T * G);
      for (int b = 0; b < B; b++)
        {
          const long row = (long) b * T + t;
          float *gi = k.gates + row * G, *gf = gi + Hd, *gg = gi + 2 * Hd, *go = gi + 3 * Hd;
          const float *c_prev = t > 0 ? k.cell + (row - 1) * Hd : c0 ? c0 + (long) b * Hd : NULL;
          float *c = k.cell + row * Hd, *tc = k.tanh_c + row * Hd, *h = out + row * Hd;
          for (int j = 0; j < Hd; j++)
            {
              gi[j] = sigmoidf (gi[j] + bias[j]);
              gf[j] = sigmoidf (gf[j] + bias[Hd + j]);
              gg[j] = tanhf (gg[j] + bias[2 * Hd + j]);
              go[j] = sigmoidf (go[j] + bias[3 * Hd + j]);
              c[j] = (c_prev ? gf[j] * c_prev[j] : 0.0f) + gi[j] * gg[j];
              tc[j] = tanhf (c[j]);
              h[j] = go[j] * tc[j];
            }
          if (t + 1 < T)
            memcpy (k.h_prev + (row + 1) * Hd, h, sizeof (float) * Hd);
        }
    }
  if (c_last)
    for (int b = 0; b < B; b++)
      memcpy (c_last + (long) b * Hd, k.cell + ((long) b * T + T - 1) * Hd,
              sizeof (float) * Hd);
}

void
ae_lstm_backward (float *dinp, float *dw_ih, float *dw_hh, float *dbias, float *dh0,
                  float *dc0, const float *dout, const float *cache, const float *inp,
                  const float *w_ih, const float *w_hh, const float *h0, const float *c0, int B,
                  int T, int F, int Hd, float *workspace)
{
  assert (B >= 1 && T >= 1 && F >= 1 && Hd >= 1);
  const LstmCache k = lstm_cache ((float *) cache, B, T, Hd);
  const int G = 4 * Hd;
  const long BT = (long) B * T;
  float *dgates = workspace;            /* (B, T, 4 Hd), gradients before the activations */
  float *dh_next = dgates + BT * G;      /* (B, Hd), dL/dh_{t} from step t + 1 */
  float *dc_next = dh_next + (long) B * Hd; /* (B, Hd) */
  memset (dh_next, 0, sizeof (float) * 2 * B * Hd);

  for (int t = T - 1; t >= 0; t--)
    {
      for (int b = 0; b < B; b++)
        {
          const long row = (long) b * T + t;
          const float *gi = k.gates + row * G, *gf = gi + Hd, *gg = gi + 2 * Hd,
                      *go = gi + 3 * Hd;
          const float *c_prev = t > 0 ? k.cell + (row - 1) * Hd : c0 ? c0 + (long) b * Hd : NULL;
          const float *tc = k.tanh_c + row * Hd, *dh_out = dout + row * Hd;
          float *di = dgates + row * G, *df = di + Hd, *dg = di + 2 * Hd, *dov = di + 3 * Hd;
          float *dhn = dh_next + (long) b * Hd, *dcn = dc_next + (long) b * Hd;
          for (int j = 0; j < Hd; j++)
            {
              const float dh = dh_out[j] + dhn[j];
              const float dc = dcn[j] + dh * go[j] * (1.0f - tc[j] * tc[j]);
              dov[j] = dh * tc[j] * go[j] * (1.0f - go[j]);
              di[j] = dc * gg[j] * gi[j] * (1.0f - gi[j]);
              dg[j] = dc * gi[j] * (1.0f - gg[j] * gg[j]);
              df[j] = c_prev ? dc * c_prev[j] * gf[j] * (1.0f - gf[j]) : 0.0f;
              dcn[j] = dc * gf[j];
            }
        }
      /* dh_{t-1} (B, Hd) = dgates_t (B, 4 Hd) @ w_hh (4 Hd, Hd) */
      if (t > 0 || dh0)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, Hd, G, 1.0f,
                     dgates + (long) t * G, T * G, w_hh, Hd, 0.0f, dh_next, Hd);
    }
  if (dh0)
    for (long n = 0; n < (long) B * Hd; n++)
      dh0[n] += dh_next[n];
  if (dc0)
    for (long n = 0; n < (long) B * Hd; n++)
      dc0[n] += dc_next[n];

  /* dw_ih (4 Hd, F) += dgates^T (4 Hd, B T) @ inp (B T, F) */
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, G, F, (int) BT, 1.0f, dgates, G, inp,
               F, 1.0f, dw_ih, F);
  /* dw_hh (4 Hd, Hd) += dgates^T (4 Hd, B T) @ h_prev (B T, Hd) */
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, G, Hd, (int) BT, 1.0f, dgates, G,
               k.h_prev, Hd, 1.0f, dw_hh, Hd);
  /* Row by row, so that the sum streams through dgates once. */
  for (long r = 0; r < BT; r++)
    for (int j = 0; j < G; j++)
      dbias[j] += dgates[r * G + j];
  /* dinp (B T, F) += dgates (B T, 4 Hd) @ w_ih (4 Hd, F) */
  if (dinp)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) BT, F, G, 1.0f, dgates, G,
                 w_ih, F, 1.0f, dinp, F);
}

/* --- sequence helpers ---------------------------------------------------------------- */

void
ae_seq_repeat_forward (float *out, const float *inp, int B, int T, int D)
{
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      memcpy (out + ((long) b * T + t) * D, inp + (long) b * D, sizeof (float) * D);
}

void
ae_seq_repeat_backward (float *dinp, const float *dout, int B, int T, int D)
{
  for (int b = 0; b < B; b++)
    {
      float *d = dinp + (long) b * D;
      for (int t = 0; t < T; t++)
        {
          const float *s = dout + ((long) b * T + t) * D;
          for (int j = 0; j < D; j++)
            d[j] += s[j];
        }
    }
}

void
ae_seq_last_forward (float *out, const float *inp, int B, int T, int D)
{
  for (int b = 0; b < B; b++)
    memcpy (out + (long) b * D, inp + ((long) b * T + T - 1) * D, sizeof (float) * D);
}

void
ae_seq_last_backward (float *dinp, const float *dout, int B, int T, int D)
{
  for (int b = 0; b < B; b++)
    {
      float *d = dinp + ((long) b * T + T - 1) * D;
      const float *s = dout + (long) b * D;
      for (int j = 0; j < D; j++)
        d[j] += s[j];
    }
}
