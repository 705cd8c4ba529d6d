/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ae-layers.h"

#include <assert.h>
#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* AVX2 where the processor has it (chosen at run time; the build targets plain x86-64)
 * for the element-wise passes, with plain loops as the fallback. The same operations in
 * the same order per element, so results do not depend on it. */
#define AE_AVX2 1
#define AE_TARGET_AVX2 __attribute__ ((target ("avx2")))

#define AE_TARGET_AVX512 __attribute__ ((target ("avx512f")))

/* Whether the processor has `feature`, asked once into *known (every thread finds the
 * same value). */
static int
have_feature (atomic_int *known, int (*ask) (void))
{
  int value = atomic_load_explicit (known, memory_order_relaxed);
  if (value < 0)
    {
      value = ask ();
      atomic_store_explicit (known, value, memory_order_relaxed);
    }
  return value;
}

static int
ask_avx2 (void)
{
  return __builtin_cpu_supports ("avx2") ? 1 : 0;
}

static int
ask_avx512 (void)
{
  return __builtin_cpu_supports ("avx512f") ? 1 : 0;
}

static int
have_avx2 (void)
{
  static atomic_int known = -1;
  return have_feature (&known, ask_avx2);
}

static int
have_avx512 (void)
{
  static atomic_int known = -1;
  return have_feature (&known, ask_avx512);
}
#endif

/* --- dense ----------------------------------------------------------------------------- */

/* Bias and activation over one (B, OC) block in one pass; the switch sits outside the
 * loops so that each loop vectorises. */
static void
bias_activation (float *out, const float *b, int B, int OC, AeActivation act)
{
  for (int r = 0; r < B; r++)
    {
      float *o = out + (size_t) r * OC;
      if (b != NULL)
        for (int j = 0; j < OC; j++)
          o[j] += b[j];
      switch (act)
        {
        case AE_ACT_IDENTITY:
          break;
        case AE_ACT_RELU:
          for (int j = 0; j < OC; j++)
            o[j] = o[j] > 0.0f ? o[j] : 0.0f;
          break;
        case AE_ACT_LEAKY_RELU:
          for (int j = 0; j < OC; j++)
            o[j] = o[j] > 0.0f ? o[j] : 0.01f * o[j];
          break;
        case AE_ACT_TANH:
          for (int j = 0; j < OC; j++)
            o[j] = tanhf (o[j]);
          break;
        case AE_ACT_SIGMOID:
          for (int j = 0; j < OC; j++)
            o[j] = 1.0f / (1.0f + expf (-o[j]));
          break;
        }
    }
}

/* out (OC) = w (OC, C) @ x (C) on the calling thread. A single sample (a slider's
 * decode) is too small for OpenBLAS's threads, whose wake-up on a busy machine cost up
 * to 4 ms at the 99th percentile while the work itself takes 0.1 ms; a window's decode
 * must also not wait for cores that the trainer is using. Eight float partial sums so
 * that the compiler vectorises the dot products. */
static void
matvec (float *restrict out, const float *restrict x, const float *restrict w, int C, int OC)
{
  for (int j = 0; j < OC; j++)
    {
      const float *row = w + (size_t) j * C;
      float acc[8] = { 0 };
      int i = 0;
      for (; i + 8 <= C; i += 8)
        for (int k = 0; k < 8; k++)
          acc[k] += row[i + k] * x[i + k];
      float sum = 0.0f;
      for (; i < C; i++)
        sum += row[i] * x[i];
      for (int k = 0; k < 8; k++)
        sum += acc[k];
      out[j] = sum;
    }
}

void
ae_dense_forward (float *out, const float *inp, const float *w, const float *b, int B, int C,
                  int OC, AeActivation act)
{
  assert (B > 0 && C > 0 && OC > 0);
  if (B == 1)
    matvec (out, inp, w, C, OC);
  else
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, OC, C, 1.0f, inp, C, w, C, 0.0f,
                 out, OC);
  bias_activation (out, b, B, OC, act);
}

void
ae_dense_backward (float *dinp, float *dw, float *db, const float *dout, const float *inp,
                   const float *w, int B, int C, int OC, int add_dinp)
{
  assert (B > 0 && C > 0 && OC > 0);
  if (dinp != NULL)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, C, OC, 1.0f, dout, OC, w, C,
                 add_dinp ? 1.0f : 0.0f, dinp, C);
  if (dw != NULL)
    ae_dense_weight_grad_rows (dw, db, dout, inp, B, C, OC, 0, OC, 1);
}

void
ae_dense_forward_inner (float *out, const float *inp, const float *w, const float *b, int B, int C,
                        int OC, AeActivation act, int in_inner, int out_inner)
{
  assert (B > 0 && C > 0 && OC > 0);
  const CBLAS_TRANSPOSE x_t = in_inner ? CblasTrans : CblasNoTrans;
  const int ldx = in_inner ? B : C;
  if (!out_inner)
    {
      /* out (B, OC) = x (B, C) @ w^T */
      cblas_sgemm (CblasRowMajor, x_t, CblasTrans, B, OC, C, 1.0f, inp, ldx, w, C, 0.0f, out, OC);
      bias_activation (out, b, B, OC, act);
      return;
    }
  /* out (OC, B) = w (OC, C) @ x^T (C, B) */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, in_inner ? CblasNoTrans : CblasTrans, OC, B, C, 1.0f,
               w, C, inp, ldx, 0.0f, out, B);
  for (int j = 0; b != NULL && j < OC; j++)
    for (int r = 0; r < B; r++)
      out[(size_t) j * B + r] += b[j];
  ae_activation_forward (out, (long) OC * B, act);
}

void
ae_dense_backward_inner (float *dinp, float *dw, float *db, const float *dout, const float *inp,
                         const float *w, int B, int C, int OC, int in_inner, int out_inner)
{
  assert (B > 0 && C > 0 && OC > 0 && dw != NULL);
  const CBLAS_TRANSPOSE d_t = out_inner ? CblasTrans : CblasNoTrans;
  const int ldd = out_inner ? B : OC, ldx = in_inner ? B : C;
  if (dinp == NULL)
    ;
  else if (!in_inner) /* dinp (B, C) = dout (B, OC) @ w (OC, C) */
    cblas_sgemm (CblasRowMajor, d_t, CblasNoTrans, B, C, OC, 1.0f, dout, ldd, w, C, 0.0f, dinp,
                 C);
  else /* dinp (C, B) = w^T (C, OC) @ dout^T (OC, B) */
    cblas_sgemm (CblasRowMajor, CblasTrans, out_inner ? CblasNoTrans : CblasTrans, C, B, OC, 1.0f,
                 w, C, dout, ldd, 0.0f, dinp, B);
  /* dw (OC, C) += dout^T (OC, B) @ x (B, C) */
  cblas_sgemm (CblasRowMajor, out_inner ? CblasNoTrans : CblasTrans,
               in_inner ? CblasTrans : CblasNoTrans, OC, C, B, 1.0f, dout, ldd, inp, ldx, 1.0f,
               dw, C);
  if (db == NULL)
    return;
  if (!out_inner)
    for (int r = 0; r < B; r++)
      for (int j = 0; j < OC; j++)
        db[j] += dout[(size_t) r * OC + j];
  else /* the same additions in the same order, a row of B at a time */
    for (int j = 0; j < OC; j++)
      {
        float sum = db[j];
        for (int r = 0; r < B; r++)
          sum += dout[(size_t) j * B + r];
        db[j] = sum;
      }
}

void
ae_dense_weight_grad_rows (float *dw, float *db, const float *dout, const float *inp, int B, int C,
                           int OC, int first, int end, int add)
{
  assert (B > 0 && C > 0 && 0 <= first && first < end && end <= OC);
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, end - first, C, B, 1.0f, dout + first, OC,
               inp, C, add ? 1.0f : 0.0f, dw, C);
  if (db == NULL)
    return;
  if (!add)
    memset (db, 0, (size_t) (end - first) * sizeof (float));
  for (int r = 0; r < B; r++)
    {
      const float *d = dout + (size_t) r * OC + first;
      for (int j = 0; j < end - first; j++)
        db[j] += d[j];
    }
}

/* --- activations ----------------------------------------------------------------------- */

void
ae_activation_forward (float *x, long n, AeActivation act)
{
  /* One row of n values: the same loops as after a GEMM. */
  long done = 0;
  while (done < n)
    {
      int chunk = n - done > (1L << 30) ? (1 << 30) : (int) (n - done);
      bias_activation (x + done, NULL, 1, chunk, act);
      done += chunk;
    }
}

void
ae_activation_backward (float *dy, const float *y, long n, AeActivation act)
{
  switch (act)
    {
    case AE_ACT_IDENTITY:
      break;
    case AE_ACT_RELU:
      for (long i = 0; i < n; i++)
        dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      break;
    case AE_ACT_LEAKY_RELU:
      for (long i = 0; i < n; i++)
        dy[i] = y[i] > 0.0f ? dy[i] : 0.01f * dy[i];
      break;
    case AE_ACT_TANH:
      for (long i = 0; i < n; i++)
        dy[i] *= 1.0f - y[i] * y[i];
      break;
    case AE_ACT_SIGMOID:
      for (long i = 0; i < n; i++)
        dy[i] *= y[i] * (1.0f - y[i]);
      break;
    }
}

/* --- reconstruction losses ------------------------------------------------------------ */

static inline float
activate (float z, AeActivation act)
{
  switch (act)
    {
    case AE_ACT_RELU: return z > 0.0f ? z : 0.0f;
    case AE_ACT_LEAKY_RELU: return z > 0.0f ? z : 0.01f * z;
    case AE_ACT_TANH: return tanhf (z);
    case AE_ACT_SIGMOID: return 1.0f / (1.0f + expf (-z));
    case AE_ACT_IDENTITY: break;
    }
  return z;
}

#ifdef AE_AVX2
#define SIMD_TARGET AE_TARGET_AVX2
#define SIMD_FN(name) name##_avx2
#define VF __m256
#define VI __m256i
#define OP(name) _mm256_##name
#define SIMD_CAST_INT(i) _mm256_castsi256_ps (i)
#define SIMD_ABS(x) _mm256_and_ps (x, _mm256_castsi256_ps (_mm256_set1_epi32 (0x7fffffff)))
#define SIMD_ONE_IF_GT(a, b) _mm256_and_ps (_mm256_cmp_ps (a, b, _CMP_GT_OQ), _mm256_set1_ps (1.0f))
#define SIMD_SELECT_GE(a, b, yes, no) _mm256_blendv_ps (no, yes, _mm256_cmp_ps (a, b, _CMP_GE_OQ))
typedef struct {
  __m256d lo, hi;
} AccAvx2;
#define SIMD_ACC AccAvx2
#define SIMD_ADD_DOUBLES(acc, x) \
  ((acc).lo = _mm256_add_pd ((acc).lo, _mm256_cvtps_pd (_mm256_castps256_ps128 (x))), \
   (acc).hi = _mm256_add_pd ((acc).hi, _mm256_cvtps_pd (_mm256_extractf128_ps (x, 1))))
#include "ae-bce-simd.h"

/* AVX-512 (Zen 4, recent Xeons) for the BCE: its Cephes polynomials are long chains of
 * dependent operations, and sixteen values per chain do twice the work in the same
 * latency (the BCE of one batch of 128 digits: 255 us with AVX2, 145 us, the same values). */
#define SIMD_TARGET AE_TARGET_AVX512
#define SIMD_FN(name) name##_avx512
#define VF __m512
#define VI __m512i
#define OP(name) _mm512_##name
#define SIMD_CAST_INT(i) _mm512_castsi512_ps (i)
#define SIMD_ABS(x) _mm512_abs_ps (x)
#define SIMD_ONE_IF_GT(a, b) _mm512_maskz_mov_ps (_mm512_cmp_ps_mask (a, b, _CMP_GT_OQ), _mm512_set1_ps (1.0f))
#define SIMD_SELECT_GE(a, b, yes, no) _mm512_mask_blend_ps (_mm512_cmp_ps_mask (a, b, _CMP_GE_OQ), no, yes)
#define SIMD_ACC __m512d
#define SIMD_ADD_DOUBLES(acc, x) \
  ((acc) = _mm512_add_pd ((acc), _mm512_cvtps_pd (_mm512_castps512_ps256 (x))), \
   (acc) = _mm512_add_pd ((acc), _mm512_cvtps_pd (_mm256_castpd_ps (_mm512_extractf64x4_pd (_mm512_castps_pd (x), 1)))))
#include "ae-bce-simd.h"
#endif

double
ae_recon_loss (float *dlogits, float *errors, const float *logits, const float *target, int B,
               int D, AeLoss loss, AeActivation out_act, float scale)
{
  assert (loss != AE_LOSS_BCE || out_act == AE_ACT_SIGMOID);
  double total = 0.0;
  for (int r = 0; r < B; r++)
    {
      const float *z = logits + (size_t) r * D;
      const float *x = target + (size_t) r * D;
      float *dz = dlogits != NULL ? dlogits + (size_t) r * D : NULL;
      double sum = 0.0;
      switch (loss)
        {
        case AE_LOSS_BCE:
          /* max(z, 0) - z x + log(1 + exp(-|z|)): no overflow for any z, and its gradient
           * sigmoid(z) - x needs no log of a saturated probability. */
          {
            int j = 0;
#ifdef AE_AVX2
            if (have_avx512 ())
              j = bce_row_avx512 (dz, &sum, z, x, D, scale);
            if (have_avx2 ())
              j += bce_row_avx2 (dz != NULL ? dz + j : NULL, &sum, z + j, x + j, D - j, scale);
#endif
            for (; j < D; j++)
            {
              float e = expf (-fabsf (z[j]));
              /* logf (1 + e) rather than log1pf (e): twice as fast, and wrong only by
               * e < 6e-8 per value where 1 + e rounds to 1. */
              sum += (double) (fmaxf (z[j], 0.0f) - z[j] * x[j] + logf (1.0f + e));
              if (dz != NULL)
                {
                  float p = z[j] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
                  dz[j] = scale * (p - x[j]);
                }
            }
          }
          break;
        case AE_LOSS_MSE:
          for (int j = 0; j < D; j++)
            {
              float y = activate (z[j], out_act);
              float diff = y - x[j];
              sum += (double) diff * diff;
              if (dz != NULL)
                dz[j] = scale * 2.0f * diff * ae_activation_slope (y, out_act);
            }
          break;
        case AE_LOSS_L1:
          for (int j = 0; j < D; j++)
            {
              float y = activate (z[j], out_act);
              float diff = y - x[j];
              sum += fabs ((double) diff);
              if (dz != NULL)
                {
                  float sign = diff > 0.0f ? 1.0f : (diff < 0.0f ? -1.0f : 0.0f);
                  dz[j] = scale * sign * ae_activation_slope (y, out_act);
                }
            }
          break;
        }
      if (errors != NULL)
        errors[r] = (float) sum;
      total += sum;
    }
  return total;
}

/* --- penalties ------------------------------------------------------------------------- */

double
ae_l1_penalty (float *dh, const float *h, int B, int L, float lambda, float scale)
{
  double sum = 0.0;
  for (long i = 0; i < (long) B * L; i++)
    {
      sum += fabsf (h[i]);
      if (dh != NULL)
        dh[i] += scale * lambda * (h[i] > 0.0f ? 1.0f : (h[i] < 0.0f ? -1.0f : 0.0f));
    }
  return lambda * sum;
}

double
ae_kl_sparsity_penalty (float *dh, float *rho_hat, const float *h, int B, int L, float rho,
                        float beta)
{
  for (int j = 0; j < L; j++)
    rho_hat[j] = 0.0f;
  for (int r = 0; r < B; r++)
    for (int j = 0; j < L; j++)
      rho_hat[j] += h[(size_t) r * L + j];
  double sum = 0.0;
  /* A sigmoid code never reaches 0 or 1 exactly, but float rounding can: keep the logs
   * finite. */
  const float tiny = 1e-6f;
  for (int j = 0; j < L; j++)
    {
      float q = rho_hat[j] / (float) B;
      q = fminf (fmaxf (q, tiny), 1.0f - tiny);
      sum += rho * log ((double) rho / q) + (1.0 - rho) * log ((1.0 - rho) / (1.0 - q));
      /* Reused as the per-unit gradient d/dh_bj, the same for every sample. */
      rho_hat[j] = beta * (-rho / q + (1.0f - rho) / (1.0f - q)) / (float) B;
    }
  if (dh != NULL)
    for (int r = 0; r < B; r++)
      for (int j = 0; j < L; j++)
        dh[(size_t) r * L + j] += rho_hat[j];
  return beta * sum;
}

double
ae_vae_kl (float *dmu, float *dlogvar, const float *mu, const float *logvar, int B, int L,
           int stride, float weight, float scale)
{
  double sum = 0.0;
  for (int r = 0; r < B; r++)
    {
      const float *m = mu + (size_t) r * stride;
      const float *lv = logvar + (size_t) r * stride;
      for (int j = 0; j < L; j++)
        {
          float e = expf (lv[j]);
          sum += -0.5 * (1.0 + lv[j] - (double) m[j] * m[j] - e);
          if (dmu != NULL)
            dmu[(size_t) r * stride + j] += scale * weight * m[j];
          if (dlogvar != NULL)
            dlogvar[(size_t) r * stride + j] += scale * weight * 0.5f * (e - 1.0f);
        }
    }
  return weight * sum;
}

void
ae_reparameterize_forward (float *z, const float *mu, const float *logvar, const float *eps,
                           int B, int L, int stride)
{
  for (int r = 0; r < B; r++)
    for (int j = 0; j < L; j++)
      z[(size_t) r * L + j] = mu[(size_t) r * stride + j]
                              + expf (0.5f * logvar[(size_t) r * stride + j]) * eps[(size_t) r * L + j];
}

void
ae_reparameterize_backward (float *dmu, float *dlogvar, const float *dz, const float *eps,
                            const float *logvar, int B, int L, int stride)
{
  for (int r = 0; r < B; r++)
    for (int j = 0; j < L; j++)
      {
        float g = dz[(size_t) r * L + j];
        dmu[(size_t) r * stride + j] += g;
        dlogvar[(size_t) r * stride + j]
          += g * eps[(size_t) r * L + j] * 0.5f * expf (0.5f * logvar[(size_t) r * stride + j]);
      }
}

/* d(h'(a)^2)/da from y = h(a): 2 h' h''. */
static inline float
slope_squared_derivative (float y, AeActivation act)
{
  float s = ae_activation_slope (y, act);
  switch (act)
    {
    case AE_ACT_SIGMOID: return 2.0f * s * s * (1.0f - 2.0f * y); /* h'' = h'(1 - 2y) */
    case AE_ACT_TANH: return -4.0f * y * s * s;                   /* h'' = -2y h' */
    default: return 0.0f; /* piecewise linear: h'' = 0 away from the kink */
    }
}

double
ae_contractive_closed (float *da, float *dw, float *row_norms, const float *h, const float *w,
                       int B, int L, int C, int stride, AeActivation act, float lambda,
                       float scale)
{
  for (int j = 0; j < L; j++)
    row_norms[j] = (float) ae_sum_squares (w + (size_t) j * C, (size_t) C);
  double sum = 0.0;
  for (int j = 0; j < L; j++)
    {
      double slope2_sum = 0.0;
      for (int r = 0; r < B; r++)
        {
          float y = h[(size_t) r * stride + j];
          float s = ae_activation_slope (y, act);
          slope2_sum += (double) s * s;
          if (da != NULL)
            da[(size_t) r * stride + j]
              += scale * lambda * row_norms[j] * slope_squared_derivative (y, act);
        }
      sum += slope2_sum * row_norms[j];
      if (dw != NULL)
        {
          float k = (float) (2.0 * scale * lambda * slope2_sum);
          float *dwj = dw + (size_t) j * C;
          const float *wj = w + (size_t) j * C;
          for (int c = 0; c < C; c++)
            dwj[c] += k * wj[c];
        }
    }
  return lambda * sum;
}

double
ae_contractive_estimate (float *dh0, float *dh1, const float *h0, const float *h1, int B, int L,
                         int stride, float s, float lambda, float scale)
{
  double sum = 0.0;
  float k = lambda / (s * s);
  for (int r = 0; r < B; r++)
    for (int j = 0; j < L; j++)
      {
        size_t i = (size_t) r * stride + j;
        float d = h1[i] - h0[i];
        sum += (double) d * d;
        if (dh0 != NULL)
          dh0[i] -= scale * k * 2.0f * d;
        if (dh1 != NULL)
          dh1[i] += scale * k * 2.0f * d;
      }
  return k * sum;
}

/* --- optimisers ------------------------------------------------------------------------ */

/* Sum of squares of x, or with add: of x + add, stored back into x. 32 independent float
 * partial sums (which the compiler vectorises, as it may not reorder one sum; four vector
 * registers, so that the additions do not wait for each other), gathered in double every
 * block. x is only written when add is not NULL. */
#define SUM_LANES 32
static inline double
sum_squares (float *restrict x, const float *restrict add, size_t n)
{
  double total = 0.0;
  size_t i = 0;
  while (i < n)
    {
      size_t end = n - i > 4096 ? i + 4096 : n;
      float acc[SUM_LANES] = { 0 };
      if (add != NULL)
        for (; i + SUM_LANES <= end; i += SUM_LANES)
          for (int k = 0; k < SUM_LANES; k++)
            {
              x[i + k] += add[i + k];
              acc[k] += x[i + k] * x[i + k];
            }
      else
        for (; i + SUM_LANES <= end; i += SUM_LANES)
          for (int k = 0; k < SUM_LANES; k++)
            acc[k] += x[i + k] * x[i + k];
      for (; i < end; i++)
        {
          if (add != NULL)
            x[i] += add[i];
          acc[0] += x[i] * x[i];
        }
      for (int k = 0; k < SUM_LANES; k++)
        total += acc[k];
    }
  return total;
}

#ifdef AE_AVX2
AE_TARGET_AVX2 static double
sum_squares_avx2 (float *restrict x, const float *restrict add, size_t n)
{
  return sum_squares (x, add, n);
}
#endif

/* x is written only when add is not NULL. */
static double
sum_squares_dispatch (float *x, const float *add, size_t n)
{
#ifdef AE_AVX2
  if (have_avx2 ())
    return sum_squares_avx2 (x, add, n);
#endif
  return sum_squares (x, add, n);
}

double
ae_sum_squares (const float *x, size_t n)
{
  return sum_squares_dispatch ((float *) x, NULL, n);
}

double
ae_add_sum_squares (float *acc, const float *x, size_t n)
{
  return sum_squares_dispatch (acc, x, n);
}

#ifdef AE_AVX2
/* The loop of ae_adam_update below, eight at a time, in the same operation order (the
 * compiler will not vectorise sqrtf while it may set errno); returns how many it did. */
AE_TARGET_AVX2 static size_t
adam_avx2 (float *restrict p, float *restrict m, float *restrict v, const float *restrict g,
           size_t n, float lr, float beta1, float beta2, float eps, float weight_decay,
           float grad_scale, float c1, float c2)
{
  const __m256 b1 = _mm256_set1_ps (beta1), b1c = _mm256_set1_ps (1.0f - beta1);
  const __m256 b2 = _mm256_set1_ps (beta2), b2c = _mm256_set1_ps (1.0f - beta2);
  const __m256 vc1 = _mm256_set1_ps (c1), vc2 = _mm256_set1_ps (c2), veps = _mm256_set1_ps (eps);
  const __m256 vlr = _mm256_set1_ps (lr), vwd = _mm256_set1_ps (weight_decay);
  const __m256 vscale = _mm256_set1_ps (grad_scale);
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    {
      __m256 gi = _mm256_mul_ps (_mm256_loadu_ps (g + i), vscale);
      __m256 mi = _mm256_add_ps (_mm256_mul_ps (b1, _mm256_loadu_ps (m + i)), _mm256_mul_ps (b1c, gi));
      __m256 vi = _mm256_add_ps (_mm256_mul_ps (b2, _mm256_loadu_ps (v + i)),
                                 _mm256_mul_ps (_mm256_mul_ps (b2c, gi), gi));
      _mm256_storeu_ps (m + i, mi);
      _mm256_storeu_ps (v + i, vi);
      __m256 pi = _mm256_loadu_ps (p + i);
      __m256 step = _mm256_div_ps (_mm256_mul_ps (mi, vc1),
                                   _mm256_add_ps (_mm256_sqrt_ps (_mm256_mul_ps (vi, vc2)), veps));
      _mm256_storeu_ps (p + i, _mm256_sub_ps (pi, _mm256_mul_ps (vlr, _mm256_add_ps (step, _mm256_mul_ps (vwd, pi)))));
    }
  return i;
}
#endif

void
ae_adam_update (float *restrict p, float *restrict m, float *restrict v, const float *restrict g,
                size_t n, float lr, float beta1, float beta2, float eps, float weight_decay,
                float grad_scale, long t)
{
  float c1 = 1.0f / (1.0f - powf (beta1, (float) t));
  float c2 = 1.0f / (1.0f - powf (beta2, (float) t));
  size_t i = 0;
#ifdef AE_AVX2
  if (have_avx2 ())
    i = adam_avx2 (p, m, v, g, n, lr, beta1, beta2, eps, weight_decay, grad_scale, c1, c2);
#endif
  for (; i < n; i++)
    {
      float gi = g[i] * grad_scale;
      float mi = beta1 * m[i] + (1.0f - beta1) * gi;
      float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= lr * (mi * c1 / (sqrtf (vi * c2) + eps) + weight_decay * p[i]);
    }
}

void
ae_sgd_update (float *restrict p, float *restrict v, const float *restrict g, size_t n, float lr, float momentum,
               float weight_decay, float grad_scale)
{
  for (size_t i = 0; i < n; i++)
    {
      float vi = momentum * v[i] + g[i] * grad_scale + weight_decay * p[i];
      v[i] = vi;
      p[i] -= lr * vi;
    }
}
