/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-conv.c: conv2d, conv1d and transposed conv2d against direct definitions, by central
 * differences, as adjoints of each other, and in the 28 -> 14 -> 7 -> 14 -> 28 chain of the
 * conv preset, and beside the dense layers of its code. */
#include <stdlib.h>

#include "ae-conv.h"
#include "ae-conv-steps.h"
#include "ae-layers.h"
#include "layers-test-util.h"

typedef struct {
  int C, H, W, OC, K, stride, pad;
} ConvCase;

/* Odd and even kernels, strides 1 to 3, paddings 0 to 2, non-square inputs, 1x1 kernels,
 * "same" convolutions (stride 1, output as large as the input, whose kernel offsets read
 * runs of whole rows), and sizes the stride does not divide (the trailing row is never
 * read). */
static const ConvCase conv_cases[] = {
  { 2, 5, 5, 3, 3, 1, 0 }, { 2, 7, 5, 3, 3, 2, 1 }, { 1, 8, 8, 4, 4, 2, 1 },
  { 3, 6, 7, 2, 5, 1, 2 }, { 2, 9, 9, 2, 3, 3, 2 }, { 1, 4, 5, 2, 1, 1, 0 },
  { 2, 6, 6, 3, 2, 2, 0 }, { 2, 8, 8, 2, 3, 2, 0 }, { 3, 5, 4, 2, 4, 1, 1 },
  { 2, 6, 5, 3, 3, 1, 1 },
};
#define N_CONV_CASES AE_N_CASES (conv_cases)

static AeConvShape
conv_case_shape (const ConvCase *c)
{
  AeConvShape s;
  AeError err = { 0 };
  AeStatus st = ae_conv2d_shape (&s, c->C, c->H, c->W, c->OC, c->K, c->stride, c->pad, &err);
  CHECK (st == AE_OK, "conv2d shape: %s", err.message);
  return s;
}

/* The transposed conv that mirrors conv case c: (OC, OH, OW) -> (C, H, W). */
static AeConvShape
mirror_shape (const AeConvShape *conv, const ConvCase *c)
{
  AeConvShape s;
  AeError err = { 0 };
  int op = ae_conv_output_padding (conv->out_height, c->H, c->K, c->stride, c->pad);
  CHECK (op >= 0 && op == ae_conv_output_padding (conv->out_width, c->W, c->K, c->stride, c->pad),
         "no common output padding for %dx%d", c->H, c->W);
  AeStatus st = ae_conv_transpose2d_shape (&s, c->OC, conv->out_height, conv->out_width, c->C,
                                           c->K, c->stride, c->pad, op, &err);
  CHECK (st == AE_OK, "transposed shape: %s", err.message);
  CHECK (s.out_channels == c->C && s.out_height == c->H && s.out_width == c->W,
         "mirror gives (%d, %d, %d), expected (%d, %d, %d)", s.out_channels, s.out_height,
         s.out_width, c->C, c->H, c->W);
  return s;
}

/* --- direct definitions, in double ------------------------------------------------------ */

/* out[b, oc, y, x] = bias[oc] + sum weight[oc, c, i, j] inp[b, c, y * s - p + i, x * s - p + j];
 * mag receives sum |terms| per output, the scale of its rounding error. */
static void
naive_conv2d (double *out, double *mag, const float *inp, const float *weight,
              const float *bias, const AeConvShape *s, int B)
{
  for (int b = 0; b < B; b++)
    for (int oc = 0; oc < s->out_channels; oc++)
      for (int y = 0; y < s->out_height; y++)
        for (int x = 0; x < s->out_width; x++)
          {
            double sum = bias ? bias[oc] : 0.0, m = bias ? fabs (bias[oc]) : 0.0;
            for (int c = 0; c < s->in_channels; c++)
              for (int i = 0; i < s->kernel_h; i++)
                for (int j = 0; j < s->kernel_w; j++)
                  {
                    int iy = y * s->stride_h - s->pad_h + i, ix = x * s->stride_w - s->pad_w + j;
                    if (iy < 0 || iy >= s->in_height || ix < 0 || ix >= s->in_width)
                      continue;
                    double term = (double) weight[((oc * s->in_channels + c) * s->kernel_h + i)
                                                  * s->kernel_w + j]
                                  * inp[((b * s->in_channels + c) * s->in_height + iy)
                                        * s->in_width + ix];
                    sum += term, m += fabs (term);
                  }
            long o = ((long) (b * s->out_channels + oc) * s->out_height + y) * s->out_width + x;
            out[o] = sum, mag[o] = m;
          }
}

/* Scatter form: every input pixel adds weight[c, oc] times itself to the output window
 * at (y * s - p, x * s - p). */
static void
naive_conv_transpose2d (double *out, double *mag, const float *inp, const float *weight,
                        const float *bias, const AeConvShape *s, int B)
{
  long plane = (long) s->out_height * s->out_width;
  for (int b = 0; b < B; b++)
    for (int oc = 0; oc < s->out_channels; oc++)
      for (long p = 0; p < plane; p++)
        {
          out[(b * s->out_channels + oc) * plane + p] = bias ? bias[oc] : 0.0;
          mag[(b * s->out_channels + oc) * plane + p] = bias ? fabs (bias[oc]) : 0.0;
        }
  for (int b = 0; b < B; b++)
    for (int c = 0; c < s->in_channels; c++)
      for (int y = 0; y < s->in_height; y++)
        for (int x = 0; x < s->in_width; x++)
          for (int oc = 0; oc < s->out_channels; oc++)
            for (int i = 0; i < s->kernel_h; i++)
              for (int j = 0; j < s->kernel_w; j++)
                {
                  int oy = y * s->stride_h - s->pad_h + i, ox = x * s->stride_w - s->pad_w + j;
                  if (oy < 0 || oy >= s->out_height || ox < 0 || ox >= s->out_width)
                    continue;
                  double term = (double) inp[((b * s->in_channels + c) * s->in_height + y)
                                             * s->in_width + x]
                                * weight[((c * s->out_channels + oc) * s->kernel_h + i)
                                         * s->kernel_w + j];
                  long o = (b * s->out_channels + oc) * plane + (long) oy * s->out_width + ox;
                  out[o] += term, mag[o] += fabs (term);
                }
}

/* float32 sgemm sums n terms with an error below n * 2^-24 * sum |terms| (the standard
 * bound); 4 * 2^-24 * n leaves room for the order OpenBLAS picks, and no more. */
static void
check_against_naive (const char *what, const float *out, const double *ref, const double *mag,
                     long n, int terms)
{
  double worst = 0.0;
  for (long i = 0; i < n; i++)
    {
      double bound = 4.0 * terms * ldexp (1.0, -24) * mag[i] + 1e-30;
      double ratio = fabs (out[i] - ref[i]) / bound;
      if (ratio > worst)
        worst = ratio;
      if (ratio > 1.0)
        {
          CHECK (ratio <= 1.0, "%s: output %ld is %.9g, direct sum %.9g", what, i, out[i],
                 ref[i]);
          return;
        }
    }
  printf ("# %s: worst error %.2f of the rounding bound\n", what, worst);
}

/* --- the loss used by gradient checks ------------------------------------------------- */

typedef struct {
  const AeConvShape *shape;
  int B;
  float *inp, *weight, *bias, *out, *R, *workspace;
} ConvCtx;

static double
conv_loss (void *p)
{
  ConvCtx *c = p;
  if (c->shape->transposed)
    ae_conv_transpose2d_forward (c->out, c->inp, c->weight, c->bias, c->shape, c->B,
                                 c->workspace);
  else
    ae_conv2d_forward (c->out, c->inp, c->weight, c->bias, c->shape, c->B, c->workspace);
  return dot_double (c->out, c->R, (long) c->B * ae_conv_out_size (c->shape));
}

/* The backward of c's layer (conv or transposed) from c->R. */
static void
layer_backward (const ConvCtx *c, float *dinp, float *dweight, float *dbias, int add_dinp)
{
  if (c->shape->transposed)
    ae_conv_transpose2d_backward (dinp, dweight, dbias, c->R, c->inp, c->weight, c->shape, c->B,
                                  c->workspace, add_dinp);
  else
    ae_conv2d_backward (dinp, dweight, dbias, c->R, c->inp, c->weight, c->shape, c->B,
                        c->workspace, add_dinp);
}

/* Forward against the direct definition, backward against central differences, the
 * workspace bound, that backward adds rather than overwrites
 * (and stores the input's gradient when asked). */
static void
check_layer (const char *what, const AeConvShape *s, int B, AeRng *rng)
{
  long n_in = (long) B * ae_conv_in_size (s), n_out = (long) B * ae_conv_out_size (s);
  long n_w = ae_conv_weight_size (s);
  size_t n_ws = ae_conv_workspace_size (s, B);
  ConvCtx c = {
    .shape = s, .B = B,
    .inp = alloc_normal (rng, n_in, 1.0f),
    .weight = alloc_normal (rng, n_w, 0.5f),
    .bias = alloc_normal (rng, s->out_channels, 0.5f),
    .out = alloc_normal (rng, n_out, 1.0f), /* garbage that forward must overwrite */
    .R = alloc_normal (rng, n_out, 1.0f),
    .workspace = alloc_guarded (n_ws),
  };
  double *ref = malloc (sizeof (double) * n_out), *mag = malloc (sizeof (double) * n_out);
  conv_loss (&c);
  if (s->transposed)
    naive_conv_transpose2d (ref, mag, c.inp, c.weight, c.bias, s, B);
  else
    naive_conv2d (ref, mag, c.inp, c.weight, c.bias, s, B);
  /* Terms per output: C * KK for conv; at most C * KK for transposed (fewer with stride). */
  int terms = s->in_channels * s->kernel_h * s->kernel_w + 1;
  check_against_naive (what, c.out, ref, mag, n_out, terms);

  /* The gradients start from non-zero values: backward must add to them. */
  float *dinp = alloc_normal (rng, n_in, 1.0f), *dweight = alloc_normal (rng, n_w, 1.0f);
  float *dbias = alloc_normal (rng, s->out_channels, 1.0f);
  float *start_in = malloc (sizeof (float) * n_in), *start_w = malloc (sizeof (float) * n_w);
  float *start_b = malloc (sizeof (float) * s->out_channels);
  memcpy (start_in, dinp, sizeof (float) * n_in);
  memcpy (start_w, dweight, sizeof (float) * n_w);
  memcpy (start_b, dbias, sizeof (float) * s->out_channels);
  layer_backward (&c, dinp, dweight, dbias, 1);
  CHECK (guard_intact (c.workspace, n_ws), "%s wrote past its workspace of %zu floats", what,
         n_ws);
  /* What was added is the gradient to check. */
  for (long i = 0; i < n_in; i++)
    dinp[i] -= start_in[i];
  for (long i = 0; i < n_w; i++)
    dweight[i] -= start_w[i];
  for (int i = 0; i < s->out_channels; i++)
    dbias[i] -= start_b[i];

  /* Without dinp and dbias the weight gradient is the same. */
  float *dweight2 = calloc ((size_t) n_w, sizeof (float));
  layer_backward (&c, NULL, dweight2, NULL, 1);
  double wdiff = 0.0;
  for (long i = 0; i < n_w; i++)
    wdiff = fmax (wdiff, fabs (dweight2[i] - dweight[i]) / fmax (1.0, fabs (dweight[i])));
  CHECK (wdiff < 1e-5, "%s: weight gradient without dinp differs by %g", what, wdiff);

  /* Not adding, the input's gradient overwrites what dinp held. */
  float *dinp2 = alloc_normal (rng, n_in, 1.0f);
  memset (dweight2, 0, sizeof (float) * (size_t) n_w);
  layer_backward (&c, dinp2, dweight2, NULL, 0);
  double idiff = 0.0;
  for (long i = 0; i < n_in; i++)
    idiff = fmax (idiff, fabs (dinp2[i] - dinp[i]) / fmax (1.0, fabs (dinp[i])));
  CHECK (idiff < 1e-5, "%s: the stored input gradient differs from the added one by %g", what,
         idiff);
  free (dinp2);

  /* The loss is linear in each coordinate (conv is bilinear in input and weight), so a
   * central difference has no truncation error for any step: eps = 0.5 leaves only the
   * float rounding of L, divided by 2 eps = 1. Measured errors are below 2e-4; 1e-3 leaves
   * room for other BLAS summation orders, while a wrong index or a missed pixel gives
   * errors of order 1. */
  GradTensor tensors[] = {
    { "input", c.inp, dinp, n_in },
    { "weight", c.weight, dweight, n_w },
    { "bias", c.bias, dbias, s->out_channels },
  };
  grad_check (what, tensors, 3, conv_loss, &c, 0.5f, 0, 1e-3, 400, rng);

  free (c.inp), free (c.weight), free (c.bias), free (c.out), free (c.R), free (c.workspace);
  free (ref), free (mag), free (dinp), free (dweight), free (dbias), free (dweight2);
  free (start_in), free (start_w), free (start_b);
}

/* --- cases -------------------------------------------------------------------------- */

static void
test_shapes (void)
{
  AeConvShape s;
  AeError err = { 0 };
  CHECK (ae_conv2d_shape (&s, 1, 28, 28, 16, 3, 2, 1, &err) == AE_OK, "%s", err.message);
  CHECK (s.out_channels == 16 && s.out_height == 14 && s.out_width == 14, "28 -> %dx%d",
         s.out_height, s.out_width);
  CHECK (ae_conv2d_shape (&s, 3, 10, 7, 4, 3, 1, 0, &err) == AE_OK, "%s", err.message);
  CHECK (s.out_height == 8 && s.out_width == 5, "10x7 -> %dx%d", s.out_height, s.out_width);
  CHECK (ae_conv_transpose2d_shape (&s, 32, 7, 7, 16, 4, 2, 1, 0, &err) == AE_OK, "%s",
         err.message);
  CHECK (s.out_height == 14 && s.out_width == 14 && s.transposed, "7 -> %d", s.out_height);
  CHECK (ae_conv_output_padding (7, 14, 3, 2, 1) == 1, "7 -> 14 with K 3");
  CHECK (ae_conv_output_padding (7, 14, 4, 2, 1) == 0, "7 -> 14 with K 4");
  CHECK (ae_conv_output_padding (7, 16, 3, 2, 1) == -1, "7 -> 16 is not a mirror");
  CHECK (ae_conv_steps_shape (&s, 2, 50, 1, 8, 5, 2, 2, &err) == AE_OK, "%s", err.message);
  CHECK (s.in_width == 1 && s.out_width == 1 && s.out_height == 25 && s.kernel_w == 1,
         "1-D 50 -> %d", s.out_height);

  /* Bad geometry is refused with a message naming the value. */
  CHECK (ae_conv2d_shape (&s, 1, 4, 4, 2, 7, 1, 1, &err) == AE_ERR_INVALID, "kernel 7 on 4x4");
  CHECK (strstr (err.message, "kernel 7") != NULL, "message: %s", err.message);
  CHECK (ae_conv2d_shape (&s, 1, 8, 8, 2, 3, 1, 3, &err) == AE_ERR_INVALID, "padding 3, K 3");
  CHECK (strstr (err.message, "padding 3") != NULL, "message: %s", err.message);
  CHECK (ae_conv2d_shape (&s, 0, 8, 8, 2, 3, 1, 1, &err) == AE_ERR_INVALID, "0 channels");
  CHECK (ae_conv2d_shape (&s, 1, 8, 8, 2, 3, 0, 1, &err) == AE_ERR_INVALID, "stride 0");
  CHECK (ae_conv2d_shape (&s, 1, -3, 8, 2, 3, 1, 1, &err) == AE_ERR_INVALID, "height -3");
  CHECK (ae_conv_transpose2d_shape (&s, 4, 7, 7, 2, 3, 2, 1, 2, &err) == AE_ERR_INVALID,
         "output padding 2 with stride 2");
  CHECK (strstr (err.message, "output padding 2") != NULL, "message: %s", err.message);
  CHECK (ae_conv_transpose2d_shape (&s, 4, 1, 1, 2, 3, 1, 2, 0, &err) == AE_ERR_INVALID,
         "transposed 1x1 with K 3, padding 2 has no output");
  CHECK (ae_conv2d_shape (&s, 4096, 4096, 4096, 1, 3, 1, 1, &err) == AE_ERR_LIMIT,
         "a 64 Gi-float input is beyond the limit");
}

static void
test_conv2d (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 11);
  for (int i = 0; i < N_CONV_CASES; i++)
    {
      const ConvCase *k = &conv_cases[i];
      AeConvShape s = conv_case_shape (k);
      char what[96];
      /* Small batches run plane by plane; 9 samples take 2-D layers batch innermost. */
      for (int B = 1 + i % 3; B <= 9; B += 9 - 1 - i % 3)
        {
          snprintf (what, sizeof what, "conv2d C%d %dx%d OC%d K%d s%d p%d B%d", k->C, k->H,
                    k->W, k->OC, k->K, k->stride, k->pad, B);
          check_layer (what, &s, B, &rng);
        }
    }
}

static void
test_conv_transpose2d (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 12);
  for (int i = 0; i < N_CONV_CASES; i++)
    {
      const ConvCase *k = &conv_cases[i];
      AeConvShape conv = conv_case_shape (k);
      AeConvShape s = mirror_shape (&conv, k);
      char what[96];
      for (int B = 1 + i % 3; B <= 9; B += 9 - 1 - i % 3)
        {
          snprintf (what, sizeof what, "conv_transpose2d C%d %dx%d OC%d K%d s%d p%d B%d",
                    s.in_channels, s.in_height, s.in_width, s.out_channels, k->K, k->stride,
                    k->pad, B);
          check_layer (what, &s, B, &rng);
        }
    }
}

/* A 1-D conv over (B, C, T) written out directly, so that the H = 1 mapping is checked. */
static void
test_conv1d (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 13);
  static const int cases[][5] = { /* C, T, OC, K, stride (padding K / 2) */
    { 3, 20, 4, 5, 1 }, { 2, 17, 3, 3, 2 }, { 1, 9, 2, 4, 3 },
  };
  for (int n = 0; n < AE_N_CASES (cases); n++)
    {
      int C = cases[n][0], T = cases[n][1], OC = cases[n][2], K = cases[n][3];
      int stride = cases[n][4], pad = K / 2, B = 2;
      AeConvShape s;
      AeError err = { 0 };
      CHECK (ae_conv_steps_shape (&s, C, T, 1, OC, K, stride, pad, &err) == AE_OK, "%s",
             err.message);
      int OT = (T + 2 * pad - K) / stride + 1;
      CHECK (s.out_height == OT, "1-D output %d, expected %d", s.out_height, OT);
      float *inp = alloc_normal (&rng, (long) B * C * T, 1.0f);
      float *w = alloc_normal (&rng, (long) OC * C * K, 1.0f);
      float *bias = alloc_normal (&rng, OC, 1.0f);
      float *out = malloc (sizeof (float) * B * OC * OT);
      float *ws = alloc_guarded (ae_conv_workspace_size (&s, B));
      ae_conv2d_forward (out, inp, w, bias, &s, B, ws);
      CHECK (guard_intact (ws, ae_conv_workspace_size (&s, B)), "1-D forward overran");
      double worst = 0.0;
      for (int b = 0; b < B; b++)
        for (int o = 0; o < OC; o++)
          for (int t = 0; t < OT; t++)
            {
              double sum = bias[o], mag = fabs (bias[o]);
              for (int c = 0; c < C; c++)
                for (int k = 0; k < K; k++)
                  {
                    int it = t * stride - pad + k;
                    if (it >= 0 && it < T)
                      {
                        double term = (double) w[(o * C + c) * K + k] * inp[(b * C + c) * T + it];
                        sum += term, mag += fabs (term);
                      }
                  }
              double e = fabs (out[(b * OC + o) * OT + t] - sum)
                         / (4.0 * (C * K + 1) * ldexp (1.0, -24) * mag + 1e-30);
              worst = fmax (worst, e);
            }
      CHECK (worst <= 1.0, "1-D conv case %d: %.2f of the rounding bound", n, worst);
      char what[64];
      snprintf (what, sizeof what, "conv1d C%d T%d OC%d K%d s%d", C, T, OC, K, stride);
      check_layer (what, &s, B, &rng);
      free (inp), free (w), free (bias), free (out), free (ws);
    }
}

/* <conv (x), y> == <x, conv_transpose (y)> for the same weight array, without bias. */
static void
check_adjoint (const char *what, const AeConvShape *conv, const AeConvShape *tr, AeRng *rng)
{
  int B = 2;
  long n_x = (long) B * ae_conv_in_size (conv), n_y = (long) B * ae_conv_out_size (conv);
  CHECK (ae_conv_weight_size (conv) == ae_conv_weight_size (tr), "%s: weight sizes differ", what);
  float *x = alloc_normal (rng, n_x, 1.0f), *y = alloc_normal (rng, n_y, 1.0f);
  float *w = alloc_normal (rng, ae_conv_weight_size (conv), 1.0f);
  float *cx = malloc (sizeof (float) * n_y), *ty = malloc (sizeof (float) * n_x);
  size_t n_ws = ae_conv_workspace_size (conv, B);
  if (ae_conv_workspace_size (tr, B) > n_ws)
    n_ws = ae_conv_workspace_size (tr, B);
  float *ws = malloc (sizeof (float) * n_ws);
  ae_conv2d_forward (cx, x, w, NULL, conv, B, ws);
  ae_conv_transpose2d_forward (ty, y, w, NULL, tr, B, ws);
  double left = dot_double (cx, y, n_y), right = dot_double (x, ty, n_x);
  /* |<a, b>| <= |a| |b|: the rounding of either side is ~1e-7 of that scale. */
  double scale = sqrt (dot_double (cx, cx, n_y) * dot_double (y, y, n_y));
  CHECK (fabs (left - right) <= 1e-5 * scale, "%s: <conv x, y> = %.9g, <x, convT y> = %.9g "
         "(scale %.3g)", what, left, right, scale);
  free (x), free (y), free (w), free (cx), free (ty), free (ws);
}

/* What a forward keeps for its backward (ae_conv_steps_forward_keep) gives the same output
 * and gradients as packing the input again, bit for bit, when the input buffer and the
 * workspace have changed in between (as the next layers change them in a model); and the
 * activations it fuses give what applying them after it gives. */
static void
check_kept (const char *what, const AeConvShape *s, int B, AeRng *rng)
{
  long n_in = (long) B * ae_conv_in_size (s), n_out = (long) B * ae_conv_out_size (s);
  long n_w = ae_conv_weight_size (s);
  size_t n_ws = ae_conv_workspace_size (s, B), n_keep = (size_t) B * ae_conv_steps_keep_size (s);
  float *inp = alloc_normal (rng, n_in, 1.0f), *other_inp = alloc_normal (rng, n_in, 1.0f);
  float *w = alloc_normal (rng, n_w, 0.5f), *bias = alloc_normal (rng, s->out_channels, 0.5f);
  float *dout = alloc_normal (rng, n_out, 1.0f);
  float *out[2], *dinp[2], *dw[2], *db[2];
  for (int k = 0; k < 2; k++)
    {
      out[k] = malloc (sizeof (float) * n_out), dinp[k] = malloc (sizeof (float) * n_in);
      dw[k] = calloc ((size_t) n_w, sizeof (float));
      db[k] = calloc ((size_t) s->out_channels, sizeof (float));
    }
  float *ws = alloc_guarded (n_ws), *keep = alloc_guarded (n_keep);
  float *copy = malloc (sizeof (float) * n_in), *scratch = malloc (sizeof (float) * n_out);
  memcpy (copy, inp, sizeof (float) * n_in);

  ae_conv_steps_forward (out[0], inp, w, bias, s, B, ws);
  ae_conv_steps_backward (dinp[0], dw[0], db[0], dout, inp, w, s, B, ws, 0);

  ae_conv_steps_forward_keep (out[1], copy, w, bias, s, B, ws, AE_ACT_IDENTITY, keep);
  ae_conv_steps_forward (scratch, other_inp, w, bias, s, B, ws); /* another pass's */
  memcpy (copy, other_inp, sizeof (float) * n_in);
  ae_conv_steps_backward_kept (dinp[1], dw[1], db[1], dout, copy, keep, w, s, B, ws, 0);
  CHECK (guard_intact (keep, n_keep) && guard_intact (ws, n_ws),
         "%s: wrote past what it keeps (%zu floats) or its workspace", what, n_keep);
  CHECK (memcmp (out[0], out[1], sizeof (float) * n_out) == 0, "%s: kept output differs", what);
  /* The activation it applies as it stores the output: as one pass after it, to the bit. */
  static const AeActivation acts[] = { AE_ACT_RELU, AE_ACT_LEAKY_RELU, AE_ACT_TANH,
                                       AE_ACT_SIGMOID };
  for (int a = 0; a < AE_N_CASES (acts); a++)
    {
      ae_conv_steps_forward_keep (out[1], inp, w, bias, s, B, ws, acts[a], NULL);
      memcpy (scratch, out[0], sizeof (float) * n_out);
      ae_activation_forward (scratch, n_out, acts[a]);
      CHECK (memcmp (scratch, out[1], sizeof (float) * n_out) == 0,
             "%s: output with activation %d differs from the activation after it", what,
             acts[a]);
    }
  CHECK (memcmp (dinp[0], dinp[1], sizeof (float) * n_in) == 0
           && memcmp (dw[0], dw[1], sizeof (float) * n_w) == 0
           && memcmp (db[0], db[1], sizeof (float) * s->out_channels) == 0,
         "%s: gradients from the kept input differ from those of the input", what);
  for (int k = 0; k < 2; k++)
    free (out[k]), free (dinp[k]), free (dw[k]), free (db[k]);
  free (inp), free (other_inp), free (w), free (bias), free (dout), free (ws), free (keep);
  free (copy), free (scratch);
}

/* Convolutions along the steps of a (T, F) sequence, as the sequence model stacks them:
 * the first spans the F features, the transposed one that mirrors it gives them back.
 * Against the direct definition, central differences, and as adjoints of each other. */
static void
test_conv_steps (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 16);
  /* The phases that convolutions along the steps go through (see ae-conv-steps.c) are
   * shared by neighbouring samples and hold padding and grid steps past a sample's own: hence
   * batches of several samples, padding from none to kernel - 1, a kernel shorter than the
   * stride, odd lengths and paddings (the even steps in the odd phase) and widths. */
  static const int cases[][8] = { /* C, T, F, OC, K, stride, padding, B */
    { 1, 12, 1, 3, 5, 2, 2, 2 }, { 1, 9, 3, 2, 5, 2, 2, 2 }, { 2, 7, 1, 3, 3, 1, 1, 2 },
    { 3, 10, 1, 2, 4, 3, 2, 2 }, { 4, 16, 1, 5, 5, 2, 2, 3 }, { 3, 11, 1, 4, 5, 2, 0, 3 },
    { 2, 13, 1, 3, 5, 2, 4, 2 }, { 2, 9, 1, 3, 1, 2, 0, 3 },  { 2, 10, 2, 3, 4, 2, 1, 3 },
    { 1, 8, 4, 3, 3, 1, 0, 2 },  { 3, 12, 1, 2, 4, 2, 1, 3 }, { 2, 11, 1, 3, 3, 2, 1, 2 },
  };
  for (int n = 0; n < AE_N_CASES (cases); n++)
    {
      int C = cases[n][0], T = cases[n][1], F = cases[n][2], OC = cases[n][3], K = cases[n][4];
      int stride = cases[n][5], pad = cases[n][6], B = cases[n][7];
      AeConvShape conv, tr;
      AeError err = { 0 };
      CHECK (ae_conv_steps_shape (&conv, C, T, F, OC, K, stride, pad, &err) == AE_OK, "%s",
             err.message);
      int OT = (T + 2 * pad - K) / stride + 1;
      CHECK (conv.out_height == OT && conv.out_width == 1 && conv.kernel_w == F,
             "steps %d x %d -> %d x %d, expected %d x 1", T, F, conv.out_height, conv.out_width,
             OT);
      int op = ae_conv_output_padding (OT, T, K, stride, pad);
      CHECK (op >= 0, "no output padding maps %d steps back to %d", OT, T);
      CHECK (ae_conv_transpose_steps_shape (&tr, OC, OT, C, F, K, stride, pad, op, &err) == AE_OK,
             "%s", err.message);
      CHECK (tr.out_channels == C && tr.out_height == T && tr.out_width == F,
             "mirror gives (%d, %d, %d), expected (%d, %d, %d)", tr.out_channels, tr.out_height,
             tr.out_width, C, T, F);
      char what[80];
      snprintf (what, sizeof what, "steps conv C%d T%d F%d OC%d K%d s%d p%d B%d", C, T, F, OC,
                K, stride, pad, B);
      check_layer (what, &conv, B, &rng);
      snprintf (what, sizeof what, "steps conv_t C%d T%d F%d OC%d K%d s%d p%d B%d", OC, OT, F, C,
                K, stride, pad, B);
      check_layer (what, &tr, B, &rng);
      check_adjoint (what, &conv, &tr, &rng);
      check_kept (what, &tr, B, &rng);
      snprintf (what, sizeof what, "steps conv C%d T%d F%d OC%d K%d s%d p%d B%d", C, T, F, OC,
                K, stride, pad, B);
      check_kept (what, &conv, B, &rng);
    }
  AeConvShape s;
  AeError err = { 0 };
  CHECK (ae_conv_steps_shape (&s, 1, 3, 1, 2, 9, 2, 2, &err) == AE_ERR_INVALID,
         "kernel 9 on 3 steps");
  CHECK (strstr (err.message, "kernel 9") != NULL, "message: %s", err.message);
}

static void
test_adjoint (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 14);
  for (int i = 0; i < N_CONV_CASES; i++)
    {
      const ConvCase *k = &conv_cases[i];
      AeConvShape conv = conv_case_shape (k);
      AeConvShape tr = mirror_shape (&conv, k);
      char what[32];
      snprintf (what, sizeof what, "case %d", i);
      check_adjoint (what, &conv, &tr, &rng);
    }
}

/* Chains of layers with one shared workspace, gradients of the composition by central
 * differences: the conv preset's (1, 28, 28) -> (16, 14, 14) -> (32, 7, 7) -> (16, 14, 14)
 * -> (1, 28, 28), and the denoising preset's (1, 28, 28) -> (8, 28, 28) -> (16, 14, 14) ->
 * (32, 7, 7) -> back, its first conv and last transposed conv of stride 1. */
#define CHAIN_MAX 6

typedef struct {
  AeConvShape shape[CHAIN_MAX];
  float *w[CHAIN_MAX], *b[CHAIN_MAX], *act[CHAIN_MAX + 1], *R, *ws;
  int n, B;
} Chain;

static void
chain_forward (Chain *c)
{
  for (int l = 0; l < c->n; l++)
    if (!c->shape[l].transposed)
      ae_conv2d_forward (c->act[l + 1], c->act[l], c->w[l], c->b[l], &c->shape[l], c->B, c->ws);
    else
      ae_conv_transpose2d_forward (c->act[l + 1], c->act[l], c->w[l], c->b[l], &c->shape[l],
                                   c->B, c->ws);
}

static double
chain_loss (void *p)
{
  Chain *c = p;
  chain_forward (c);
  return dot_double (c->act[c->n], c->R, (long) c->B * 28 * 28);
}

/* c->shape[0, n): convolutions of kernel K and padding 1 from (1, 28, 28) to channels[i]
 * with strides[i], then the transposed convolutions that mirror them back to (1, 28, 28). */
static void
chain_shapes (Chain *c, int n_enc, const int *channels, const int *strides, int K)
{
  AeError err = { 0 };
  int C = 1, H = 28;
  for (int i = 0; i < n_enc; i++)
    {
      CHECK (ae_conv2d_shape (&c->shape[i], C, H, H, channels[i], K, strides[i], 1, &err)
             == AE_OK, "%s", err.message);
      C = channels[i], H = c->shape[i].out_height;
    }
  for (int i = n_enc - 1; i >= 0; i--)
    {
      const AeConvShape *e = &c->shape[i];
      int op = ae_conv_output_padding (e->out_height, e->in_height, K, e->stride_h, 1);
      CHECK (op >= 0, "K %d: no output padding maps %d back to %d", K, e->out_height,
             e->in_height);
      AeConvShape *d = &c->shape[2 * n_enc - 1 - i];
      CHECK (ae_conv_transpose2d_shape (d, e->out_channels, e->out_height, e->out_width,
                                        e->in_channels, K, e->stride_h, 1, op, &err) == AE_OK,
             "%s", err.message);
      CHECK (d->out_channels == e->in_channels && d->out_height == e->in_height
             && d->out_width == e->in_width, "K %d: transposed layer %d gives %d x %d x %d",
             K, 2 * n_enc - 1 - i, d->out_channels, d->out_height, d->out_width);
    }
  c->n = 2 * n_enc;
}

/* Gradients of chain c (its shapes set) on c->B random samples, with tolerance tol. */
static void
check_chain (Chain *c, const char *what, double tol, AeRng *rng)
{
  const int K = c->shape[0].kernel_h;
  const size_t n_img = (size_t) c->B * 28 * 28, B = (size_t) c->B;
  size_t n_ws = 0;
  for (int l = 0; l < c->n; l++)
    if (ae_conv_workspace_size (&c->shape[l], c->B) > n_ws)
      n_ws = ae_conv_workspace_size (&c->shape[l], c->B);
  c->ws = alloc_guarded (n_ws);
  c->act[0] = alloc_normal (rng, (long) n_img, 1.0f);
  float *dw[CHAIN_MAX], *db[CHAIN_MAX], *dact[CHAIN_MAX + 1];
  dact[0] = calloc (n_img, sizeof (float));
  for (int l = 0; l < c->n; l++)
    {
      /* Scaled like a fan-in initialisation so activations stay of order one: a transposed
       * layer's output sums a stride-squared share of its kernel. */
      const AeConvShape *s = &c->shape[l];
      int fan_in = (s->transposed ? s->in_channels / (s->stride_h * s->stride_w)
                                  : s->in_channels) * K * K;
      long n_w = ae_conv_weight_size (s);
      c->w[l] = alloc_normal (rng, n_w, 1.0f / sqrtf ((float) fan_in));
      c->b[l] = alloc_normal (rng, s->out_channels, 0.1f);
      c->act[l + 1] = malloc (sizeof (float) * B * ae_conv_out_size (s));
      dact[l + 1] = calloc (B * ae_conv_out_size (s), sizeof (float));
      dw[l] = calloc (n_w, sizeof (float));
      db[l] = calloc (s->out_channels, sizeof (float));
    }
  c->R = alloc_normal (rng, (long) n_img, 1.0f);
  chain_loss (c);
  memcpy (dact[c->n], c->R, sizeof (float) * n_img);
  for (int l = c->n - 1; l >= 0; l--)
    if (!c->shape[l].transposed)
      ae_conv2d_backward (dact[l], dw[l], db[l], dact[l + 1], c->act[l], c->w[l], &c->shape[l],
                          c->B, c->ws, 1);
    else
      ae_conv_transpose2d_backward (dact[l], dw[l], db[l], dact[l + 1], c->act[l], c->w[l],
                                    &c->shape[l], c->B, c->ws, 1);
  CHECK (guard_intact (c->ws, n_ws), "%s wrote past its shared workspace", what);
  GradTensor t[1 + 2 * CHAIN_MAX] = { { "input", c->act[0], dact[0], (long) n_img } };
  char names[2 * CHAIN_MAX][24];
  for (int l = 0; l < c->n; l++)
    {
      snprintf (names[2 * l], sizeof names[0], "layer%d.weight", l);
      snprintf (names[2 * l + 1], sizeof names[0], "layer%d.bias", l);
      t[1 + 2 * l] = (GradTensor) { names[2 * l], c->w[l], dw[l],
                                    ae_conv_weight_size (&c->shape[l]) };
      t[2 + 2 * l] = (GradTensor) { names[2 * l + 1], c->b[l], db[l],
                                    c->shape[l].out_channels };
    }
  grad_check (what, t, 1 + 2 * c->n, chain_loss, c, 0.5f, 0, tol, 60, rng);
  for (int l = 0; l < c->n; l++)
    free (c->w[l]), free (c->b[l]), free (dw[l]), free (db[l]);
  for (int l = 0; l <= c->n; l++)
    free (c->act[l]), free (dact[l]);
  free (c->R), free (c->ws);
}

static void
test_chain (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 15);
  /* Two samples run plane by plane; nine run batch innermost, with the feature maps
   * between layers left that way (ae_conv_link). */
  for (int run = 0; run < 4; run++)
    {
      const int K = 3 + run % 2, linked = run >= 2;
      static const int channels[] = { 16, 32 }, strides[] = { 2, 2 };
      Chain c = { .B = linked ? 9 : 2 };
      chain_shapes (&c, 2, channels, strides, K);
      CHECK (c.shape[0].out_height == 14 && c.shape[1].out_height == 7
             && c.shape[1].out_width == 7, "K %d: 28 -> %d -> %d", K, c.shape[0].out_height,
             c.shape[1].out_height);
      if (linked)
        for (int l = 0; l < 3; l++)
          {
            ae_conv_link (&c.shape[l], &c.shape[l + 1]);
            CHECK (c.shape[l].out_batch_inner && c.shape[l + 1].in_batch_inner,
                   "strided layers %d and %d are linked", l, l + 1);
          }
      /* Each coordinate enters the chain once, so L is linear in it and the central
       * difference is exact but for rounding, as for a single layer: eps = 0.5. The
       * rounding of four layers of float outputs of 1568 values is what remains; measured
       * below 5e-4, tolerance 2e-3. */
      char what[32];
      snprintf (what, sizeof what, "chain K%d B%d", K, c.B);
      check_chain (&c, what, 2e-3, &rng);
    }
}

/* The denoising preset's chain, stride 1 at both ends, as the model links it: every
 * feature map batch innermost but the code's (read by others, it stays (B, C, H, W));
 * then every one linked, and two samples plane by plane. */
static void
test_denoising_chain (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 16);
  for (int run = 0; run < 3; run++)
    {
      static const int channels[] = { 8, 16, 32 }, strides[] = { 1, 2, 2 };
      Chain c = { .B = run < 2 ? 9 : 2 };
      chain_shapes (&c, 3, channels, strides, 3);
      CHECK (c.shape[0].out_height == 28 && c.shape[1].out_height == 14
             && c.shape[2].out_height == 7 && c.shape[5].stride_h == 1,
             "28 -> %d -> %d -> %d", c.shape[0].out_height, c.shape[1].out_height,
             c.shape[2].out_height);
      for (int l = 0; l + 1 < c.n; l++)
        if (c.B == 9 && (run == 1 || l != 2))
          {
            ae_conv_link (&c.shape[l], &c.shape[l + 1]);
            CHECK (c.shape[l].out_batch_inner && c.shape[l + 1].in_batch_inner,
                   "layers %d and %d are linked", l, l + 1);
          }
      /* As the conv preset's chain: the rounding of six layers, measured below 3e-4. */
      char what[48];
      snprintf (what, sizeof what, "denoising chain B%d%s", c.B, run == 1 ? " all linked" : "");
      check_chain (&c, what, 2e-3, &rng);
    }
}

/* The boundary between convolutions and the dense layers of a code, as the model links
 * it: conv (1, 28, 28) -> (8, 14, 14), dense 1568 -> 12 (the code), dense 12 -> 1568,
 * transposed conv back to (1, 28, 28). Linked (ae_conv_link_dense), on batches that run
 * batch innermost the conv leaves its maps as (1568, B) to the code layer, which reads
 * them through the GEMM's flags, and decoder.0 writes (1568, B) for the transposed conv;
 * the code itself stays (B, 12). */
typedef struct {
  AeConvShape conv, tconv;
  float *w[4], *b[4], *act[5], *dw[4], *db[4], *dact[5], *R, *ws;
  size_t n_ws;
  int B, inner;       /* inner: the dense layers take the maps' side as (features, B) */
  AeActivation dense_act;
} DenseChain;

#define DC_CODE 12
#define DC_FLAT (8 * 14 * 14)

static void
dense_chain_forward (DenseChain *c)
{
  ae_conv2d_forward (c->act[1], c->act[0], c->w[0], c->b[0], &c->conv, c->B, c->ws);
  ae_dense_forward_inner (c->act[2], c->act[1], c->w[1], c->b[1], c->B, DC_FLAT, DC_CODE,
                          c->dense_act, c->inner, 0);
  ae_dense_forward_inner (c->act[3], c->act[2], c->w[2], c->b[2], c->B, DC_CODE, DC_FLAT,
                          c->dense_act, 0, c->inner);
  ae_conv_transpose2d_forward (c->act[4], c->act[3], c->w[3], c->b[3], &c->tconv, c->B,
                               c->ws);
}

static double
dense_chain_loss (void *p)
{
  DenseChain *c = p;
  dense_chain_forward (c);
  return dot_double (c->act[4], c->R, (long) c->B * 28 * 28);
}

/* The shapes (linked or not), B samples and weights drawn from a generator seeded with
 * `seed`, so that two chains of the same seed hold the same numbers. */
static void
dense_chain_init (DenseChain *c, int B, int linked, AeActivation act, uint64_t seed)
{
  AeError err = { 0 };
  AeRng rng;
  ae_rng_seed (&rng, seed);
  *c = (DenseChain) { .B = B, .dense_act = act };
  CHECK (ae_conv2d_shape (&c->conv, 1, 28, 28, 8, 3, 2, 1, &err) == AE_OK, "%s", err.message);
  int op = ae_conv_output_padding (14, 28, 3, 2, 1);
  CHECK (ae_conv_transpose2d_shape (&c->tconv, 8, 14, 14, 1, 3, 2, 1, op, &err) == AE_OK,
         "%s", err.message);
  if (linked)
    {
      CHECK (ae_conv_link_dense (&c->conv, 1) && ae_conv_link_dense (&c->tconv, 0),
             "2-D layers link to a dense neighbour");
      CHECK (c->conv.out_batch_inner && !c->conv.in_batch_inner && c->tconv.in_batch_inner
             && !c->tconv.out_batch_inner, "only the sides next to the dense layers");
      /* The model's rule: batch innermost only where the conv runs so. */
      c->inner = B >= AE_CONV_BATCH_INNER_MIN;
    }
  const long n_img = (long) B * 28 * 28;
  const long n[5] = { n_img, (long) B * DC_FLAT, (long) B * DC_CODE, (long) B * DC_FLAT, n_img };
  const long n_w[4] = { 8 * 9, (long) DC_CODE * DC_FLAT, (long) DC_FLAT * DC_CODE, 8 * 9 };
  const long n_b[4] = { 8, DC_CODE, DC_FLAT, 1 };
  /* Fan-in scales (the transposed conv's output sums a quarter of its kernel). */
  const float scale[4] = { 1.0f / 3.0f, 1.0f / sqrtf (DC_FLAT), 1.0f / sqrtf (DC_CODE),
                           1.0f / sqrtf (18.0f) };
  c->n_ws = ae_conv_workspace_size (&c->conv, B);
  if (ae_conv_workspace_size (&c->tconv, B) > c->n_ws)
    c->n_ws = ae_conv_workspace_size (&c->tconv, B);
  c->ws = alloc_guarded (c->n_ws);
  c->act[0] = alloc_normal (&rng, n_img, 1.0f);
  for (int l = 0; l < 4; l++)
    {
      c->w[l] = alloc_normal (&rng, n_w[l], scale[l]);
      c->b[l] = alloc_normal (&rng, n_b[l], 0.1f);
      c->dw[l] = calloc ((size_t) n_w[l], sizeof (float));
      c->db[l] = calloc ((size_t) n_b[l], sizeof (float));
      c->act[l + 1] = malloc (sizeof (float) * (size_t) n[l + 1]);
    }
  for (int l = 0; l < 5; l++)
    c->dact[l] = calloc ((size_t) n[l], sizeof (float));
  c->R = alloc_normal (&rng, n_img, 1.0f);
}

/* Forward, then every gradient of sum (out * R). */
static void
dense_chain_backward (DenseChain *c)
{
  const int B = c->B;
  dense_chain_loss (c);
  memcpy (c->dact[4], c->R, sizeof (float) * (size_t) B * 28 * 28);
  ae_conv_transpose2d_backward (c->dact[3], c->dw[3], c->db[3], c->dact[4], c->act[3], c->w[3],
                                &c->tconv, B, c->ws, 0);
  ae_activation_backward (c->dact[3], c->act[3], (long) B * DC_FLAT, c->dense_act);
  ae_dense_backward_inner (c->dact[2], c->dw[2], c->db[2], c->dact[3], c->act[2], c->w[2], B,
                           DC_CODE, DC_FLAT, 0, c->inner);
  ae_activation_backward (c->dact[2], c->act[2], (long) B * DC_CODE, c->dense_act);
  ae_dense_backward_inner (c->dact[1], c->dw[1], c->db[1], c->dact[2], c->act[1], c->w[1], B,
                           DC_FLAT, DC_CODE, c->inner, 0);
  ae_conv2d_backward (c->dact[0], c->dw[0], c->db[0], c->dact[1], c->act[0], c->w[0], &c->conv,
                      B, c->ws, 0);
}

static void
dense_chain_free (DenseChain *c)
{
  for (int l = 0; l < 4; l++)
    free (c->w[l]), free (c->b[l]), free (c->dw[l]), free (c->db[l]);
  for (int l = 0; l < 5; l++)
    free (c->act[l]), free (c->dact[l]);
  free (c->R), free (c->ws);
}

static int
dense_chain_tensors (DenseChain *c, GradTensor *t)
{
  static const char *names[8] = { "conv.weight", "conv.bias", "code.weight", "code.bias",
                                  "decoder.0.weight", "decoder.0.bias", "convT.weight",
                                  "convT.bias" };
  const long n_w[4] = { 8 * 9, (long) DC_CODE * DC_FLAT, (long) DC_FLAT * DC_CODE, 8 * 9 };
  const long n_b[4] = { 8, DC_CODE, DC_FLAT, 1 };
  t[0] = (GradTensor) { "input", c->act[0], c->dact[0], (long) c->B * 28 * 28 };
  for (int l = 0; l < 4; l++)
    {
      t[1 + 2 * l] = (GradTensor) { names[2 * l], c->w[l], c->dw[l], n_w[l] };
      t[2 + 2 * l] = (GradTensor) { names[2 * l + 1], c->b[l], c->db[l], n_b[l] };
    }
  return 9;
}

static void
test_dense_boundary (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 17);
  /* Nine samples linked (the maps' side (features, B)) and not, two linked (the flags are
   * set but the batch is too small: every tensor (B, ...)). Linear, so each coordinate's
   * central difference is exact but for rounding, as in the chains above: measured up to
   * 1.1e-3 (an input coordinate whose gradient is below the floor of 1e-2 rms: an absolute
   * 1e-5 against L's rounding), tolerance 2e-3 as there. */
  static const int runs[3][2] = { { 9, 1 }, { 9, 0 }, { 2, 1 } };
  for (int run = 0; run < 3; run++)
    {
      DenseChain c;
      dense_chain_init (&c, runs[run][0], runs[run][1], AE_ACT_IDENTITY, 18);
      CHECK (c.inner == (run == 0), "batch innermost on 9 linked samples only");
      dense_chain_backward (&c);
      CHECK (guard_intact (c.ws, c.n_ws), "the chain wrote past its workspace");
      GradTensor t[9];
      char what[48];
      snprintf (what, sizeof what, "dense boundary B%d%s", c.B, c.inner ? " linked" : "");
      grad_check (what, t, dense_chain_tensors (&c, t), dense_chain_loss, &c, 0.5f, 0, 2e-3,
                  60, &rng);
      dense_chain_free (&c);
    }
  /* With ReLU on the dense layers (bias and activation on (features, B) rows), the linked
   * chain gives the unlinked one's output and gradients, the same numbers in another
   * order: equal but for the GEMMs' rounding (measured at most 7e-6 of a tensor's rms, the
   * weight gradients; activations and the other gradients equal). */
  DenseChain a, b;
  dense_chain_init (&a, 9, 1, AE_ACT_RELU, 19);
  dense_chain_init (&b, 9, 0, AE_ACT_RELU, 19);
  dense_chain_backward (&a);
  dense_chain_backward (&b);
  GradTensor ta[9], tb[9];
  dense_chain_tensors (&a, ta);
  dense_chain_tensors (&b, tb);
  ta[8] = (GradTensor) { "output", a.act[4], a.act[4], 9 * 28 * 28 };
  tb[8] = (GradTensor) { "output", b.act[4], b.act[4], 9 * 28 * 28 };
  for (int k = 0; k < 9; k++)
    {
      double rms = 0.0, worst = 0.0;
      for (long i = 0; i < tb[k].n; i++)
        rms += (double) tb[k].grad[i] * tb[k].grad[i];
      rms = sqrt (rms / (double) tb[k].n);
      for (long i = 0; i < tb[k].n; i++)
        worst = fmax (worst, fabs ((double) ta[k].grad[i] - tb[k].grad[i]));
      printf ("# dense boundary ReLU %s: linked - unlinked at most %.2e, rms %.3g\n",
              tb[k].name, worst, rms);
      CHECK (rms > 0.0 && worst <= 1e-4 * rms, "ReLU %s: linked differs by %.3g (rms %.3g)",
             tb[k].name, worst, rms);
    }
  dense_chain_free (&a);
  dense_chain_free (&b);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/conv/shapes", test_shapes },
    { "/conv/conv2d", test_conv2d },
    { "/conv/conv-transpose2d", test_conv_transpose2d },
    { "/conv/conv1d", test_conv1d },
    { "/conv/steps", test_conv_steps },
    { "/conv/adjoint", test_adjoint },
    { "/conv/chain-28-14-7-14-28", test_chain },
    { "/conv/denoising-chain", test_denoising_chain },
    { "/conv/dense-boundary", test_dense_boundary },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
