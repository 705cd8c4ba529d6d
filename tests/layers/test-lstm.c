/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-lstm.c: the LSTM against a direct double-precision definition (PyTorch's nn.LSTM
 * equations and layouts), backpropagation through time by central differences, and the
 * sequence helpers (repeat a code over T steps, take the last step). */
#include <stdlib.h>

#include "ae-lstm.h"
#include "layers-test-util.h"

static double
sigmoid (double x)
{
  return 1.0 / (1.0 + exp (-x));
}

/* h (B, T, Hd) and c_last (B, Hd) in double, written from the equations. */
static void
naive_lstm (double *h, double *c_last, const float *x, const float *w_ih, const float *w_hh,
            const float *bias, const float *h0, const float *c0, int B, int T, int F, int Hd)
{
  double *hp = malloc (sizeof (double) * Hd), *cp = malloc (sizeof (double) * Hd);
  double *a = malloc (sizeof (double) * 4 * Hd);
  for (int b = 0; b < B; b++)
    {
      for (int j = 0; j < Hd; j++)
        hp[j] = h0 ? h0[b * Hd + j] : 0.0, cp[j] = c0 ? c0[b * Hd + j] : 0.0;
      for (int t = 0; t < T; t++)
        {
          for (int r = 0; r < 4 * Hd; r++)
            {
              double s = bias[r];
              for (int f = 0; f < F; f++)
                s += (double) w_ih[r * F + f] * x[((long) b * T + t) * F + f];
              for (int k = 0; k < Hd; k++)
                s += (double) w_hh[r * Hd + k] * hp[k];
              a[r] = s;
            }
          for (int j = 0; j < Hd; j++)
            {
              double i = sigmoid (a[j]), f = sigmoid (a[Hd + j]), g = tanh (a[2 * Hd + j]);
              cp[j] = f * cp[j] + i * g;
            }
          for (int j = 0; j < Hd; j++)
            {
              hp[j] = sigmoid (a[3 * Hd + j]) * tanh (cp[j]);
              h[((long) b * T + t) * Hd + j] = hp[j];
            }
        }
      for (int j = 0; j < Hd; j++)
        c_last[b * Hd + j] = cp[j];
    }
  free (hp), free (cp), free (a);
}

typedef struct {
  int B, T, F, Hd;
  float *x, *w_ih, *w_hh, *bias, *h0, *c0; /* h0, c0 may be NULL */
  float *out, *c_last, *cache;
  float *R;    /* (B, T, Hd), or (B, Hd) when last_only */
  int last_only; /* the loss reads only h_{T-1} (an encoder) */
  float *last; /* (B, Hd) */
  /* decoder: x = repeat (z) */
  float *z;
  int D;
} LstmCtx;

static double
lstm_loss (void *p)
{
  LstmCtx *c = p;
  if (c->z)
    ae_seq_repeat_forward (c->x, c->z, c->B, c->T, c->D);
  ae_lstm_forward (c->out, c->c_last, c->cache, c->x, c->w_ih, c->w_hh, c->bias, c->h0, c->c0,
                   c->B, c->T, c->F, c->Hd);
  if (c->last_only)
    {
      ae_seq_last_forward (c->last, c->out, c->B, c->T, c->Hd);
      return dot_double (c->last, c->R, (long) c->B * c->Hd);
    }
  return dot_double (c->out, c->R, (long) c->B * c->T * c->Hd);
}

typedef struct {
  int B, T, F, Hd;
  int with_state;
  int last_only;
  int decoder; /* x = repeat (z) with z (B, F) */
} LstmCase;

static void
run_case (const LstmCase *k, AeRng *rng)
{
  const int B = k->B, T = k->T, F = k->F, Hd = k->Hd, G = 4 * Hd;
  const long n_x = (long) B * T * F, n_h = (long) B * T * Hd;
  LstmCtx c = {
    .B = B, .T = T, .F = F, .Hd = Hd, .last_only = k->last_only, .D = F,
    .x = alloc_normal (rng, n_x, 1.0f),
    .w_ih = alloc_normal (rng, (long) G * F, 0.5f),
    .w_hh = alloc_normal (rng, (long) G * Hd, 0.5f),
    .bias = alloc_normal (rng, G, 0.5f),
    .h0 = k->with_state ? alloc_normal (rng, (long) B * Hd, 0.5f) : NULL,
    .c0 = k->with_state ? alloc_normal (rng, (long) B * Hd, 1.0f) : NULL,
    .out = alloc_normal (rng, n_h, 1.0f), /* garbage that forward must overwrite */
    .c_last = malloc (sizeof (float) * B * Hd),
    .cache = alloc_guarded (ae_lstm_cache_size (B, T, Hd)),
    .R = alloc_normal (rng, k->last_only ? (long) B * Hd : n_h, 1.0f),
    .last = malloc (sizeof (float) * B * Hd),
    .z = k->decoder ? alloc_normal (rng, (long) B * F, 1.0f) : NULL,
  };
  char what[96];
  snprintf (what, sizeof what, "lstm B%d T%d F%d Hd%d%s%s%s", B, T, F, Hd,
            k->with_state ? " +state" : "", k->last_only ? " last-step" : "",
            k->decoder ? " repeat-decoder" : "");

  /* Forward against the equations. The float forward rounds each gate pre-activation to
   * about (F + Hd) * 6e-8 relative, and the cell carries errors along T steps with factors
   * f < 1; measured errors are below 1e-6, so 1e-5 on values in (-1, 1) (and on c, of order
   * a few) leaves room for any summation order but not for a wrong weight or gate. */
  lstm_loss (&c);
  CHECK (guard_intact (c.cache, ae_lstm_cache_size (B, T, Hd)), "%s overran its cache", what);
  double *h_ref = malloc (sizeof (double) * n_h), *c_ref = malloc (sizeof (double) * B * Hd);
  naive_lstm (h_ref, c_ref, c.x, c.w_ih, c.w_hh, c.bias, c.h0, c.c0, B, T, F, Hd);
  double worst = 0.0;
  for (long i = 0; i < n_h; i++)
    worst = fmax (worst, fabs (c.out[i] - h_ref[i]));
  for (long i = 0; i < (long) B * Hd; i++)
    worst = fmax (worst, fabs (c.c_last[i] - c_ref[i]) / fmax (1.0, fabs (c_ref[i])));
  printf ("# %s: forward differs from the equations by %.2e\n", what, worst);
  CHECK (worst <= 1e-5, "%s: forward differs from the equations by %g", what, worst);

  /* Backward, into gradients that start non-zero (it must add). */
  float *dout = calloc (n_h, sizeof (float));
  if (k->last_only)
    ae_seq_last_backward (dout, c.R, B, T, Hd);
  else
    memcpy (dout, c.R, sizeof (float) * n_h);
  float *grads[7];
  long sizes[7] = { n_x, (long) G * F, (long) G * Hd, G, (long) B * Hd, (long) B * Hd,
                    (long) B * F };
  float *starts[7];
  for (int i = 0; i < 7; i++)
    {
      grads[i] = alloc_normal (rng, sizes[i], 1.0f);
      starts[i] = malloc (sizeof (float) * sizes[i]);
      memcpy (starts[i], grads[i], sizeof (float) * sizes[i]);
    }
  size_t n_ws = ae_lstm_workspace_size (B, T, Hd);
  float *ws = alloc_guarded (n_ws);
  ae_lstm_backward (grads[0], grads[1], grads[2], grads[3], k->with_state ? grads[4] : NULL,
                    k->with_state ? grads[5] : NULL, dout, c.cache, c.x, c.w_ih, c.w_hh, c.h0,
                    c.c0, B, T, F, Hd, ws);
  CHECK (guard_intact (ws, n_ws), "%s wrote past its workspace of %zu floats", what, n_ws);
  for (int i = 0; i < 7; i++)
    for (long n = 0; n < sizes[i]; n++)
      grads[i][n] -= starts[i][n];
  if (k->decoder)
    ae_seq_repeat_backward (grads[6], grads[0], B, T, F);

  /* The gates are smooth, so a central difference D carries a truncation error
   * c eps^2 besides the float rounding of L, about 1e-7 of sum |h R| over eps. Measured:
   * plain D at eps 1e-3, 3e-3, 1e-2, 3e-2 gave worst errors 0.24, 0.07, 0.02, 0.01 on
   * w_hh, shrinking as eps grows, so rounding dominates. Both checks therefore take a large
   * eps and cancel the eps^2 term by Richardson extrapolation over eps and eps / 2:
   * per coordinate eps = 0.1 (measured worst 7e-3; tolerance 2e-2), and along a random
   * direction of each whole tensor eps = 0.04 (measured worst 3e-4; tolerance 2e-3).
   * A wrong term in BPTT (a missing f * dc carry, a gate swap, the wrong step's cell)
   * gives errors above 1e-1 in both. */
  GradTensor t[7];
  int n = 0;
  if (k->decoder)
    t[n++] = (GradTensor) { "code (through repeat)", c.z, grads[6], (long) B * F };
  else
    t[n++] = (GradTensor) { "input", c.x, grads[0], n_x };
  t[n++] = (GradTensor) { "w_ih", c.w_ih, grads[1], (long) G * F };
  if (T == 1 && !k->with_state)
    {
      /* h_prev is zero at the only step: w_hh cannot matter, and its gradient is zero. */
      int zero = 1;
      for (long i = 0; i < (long) G * Hd; i++)
        zero &= grads[2][i] == 0.0f;
      CHECK (zero, "%s: w_hh gradient is not zero with a zero initial state and T = 1", what);
    }
  else
    t[n++] = (GradTensor) { "w_hh", c.w_hh, grads[2], (long) G * Hd };
  t[n++] = (GradTensor) { "bias", c.bias, grads[3], G };
  if (k->with_state)
    {
      t[n++] = (GradTensor) { "h0", c.h0, grads[4], (long) B * Hd };
      t[n++] = (GradTensor) { "c0", c.c0, grads[5], (long) B * Hd };
    }
  grad_check (what, t, n, lstm_loss, &c, 0.1f, 1, 2e-2, 300, rng);
  grad_check_direction (what, t, n, lstm_loss, &c, 0.04f, 2e-3, rng);

  free (c.x), free (c.w_ih), free (c.w_hh), free (c.bias), free (c.h0), free (c.c0);
  free (c.out), free (c.c_last), free (c.cache), free (c.R), free (c.last), free (c.z);
  free (h_ref), free (c_ref), free (dout), free (ws);
  for (int i = 0; i < 7; i++)
    free (grads[i]), free (starts[i]);
}

static void
test_lstm (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 21);
  static const LstmCase cases[] = {
    { 2, 1, 3, 4, 0, 0, 0 }, { 3, 5, 2, 3, 0, 0, 0 }, { 2, 7, 4, 5, 0, 0, 0 },
    { 1, 12, 1, 8, 0, 0, 0 }, { 2, 4, 3, 2, 1, 0, 0 }, { 3, 6, 2, 6, 1, 0, 0 },
    { 2, 1, 2, 3, 1, 0, 0 },
  };
  for (int i = 0; i < AE_N_CASES (cases); i++)
    run_case (&cases[i], &rng);
}

/* An encoder: only h_{T-1} reaches the loss (through ae_seq_last). */
static void
test_lstm_last_step (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 22);
  static const LstmCase cases[] = { { 2, 6, 3, 4, 0, 1, 0 }, { 3, 9, 1, 5, 1, 1, 0 } };
  for (int i = 0; i < AE_N_CASES (cases); i++)
    run_case (&cases[i], &rng);
}

/* A decoder fed its code at every step: repeat, then LSTM; gradients reach the code. */
static void
test_lstm_repeat_decoder (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 23);
  static const LstmCase cases[] = { { 2, 5, 2, 4, 0, 0, 1 }, { 3, 8, 3, 3, 0, 0, 1 } };
  for (int i = 0; i < AE_N_CASES (cases); i++)
    run_case (&cases[i], &rng);
}

typedef struct {
  float *z, *out, *R;
  int B, T, D;
} RepeatCtx;

static double
repeat_loss (void *p)
{
  RepeatCtx *c = p;
  ae_seq_repeat_forward (c->out, c->z, c->B, c->T, c->D);
  return dot_double (c->out, c->R, (long) c->B * c->T * c->D);
}

static void
test_repeat (void)
{
  AeRng rng;
  ae_rng_seed (&rng, 24);
  RepeatCtx c = { .B = 3, .T = 5, .D = 4 };
  long n_out = (long) c.B * c.T * c.D;
  c.z = alloc_normal (&rng, c.B * c.D, 1.0f);
  c.out = alloc_normal (&rng, n_out, 1.0f);
  c.R = alloc_normal (&rng, n_out, 1.0f);
  repeat_loss (&c);
  int same = 1;
  for (int b = 0; b < c.B; b++)
    for (int t = 0; t < c.T; t++)
      for (int j = 0; j < c.D; j++)
        same &= c.out[(b * c.T + t) * c.D + j] == c.z[b * c.D + j];
  CHECK (same, "repeat does not copy z[b] to every step");

  float *dz = alloc_normal (&rng, c.B * c.D, 1.0f), *start = malloc (sizeof (float) * c.B * c.D);
  memcpy (start, dz, sizeof (float) * c.B * c.D);
  ae_seq_repeat_backward (dz, c.R, c.B, c.T, c.D);
  for (int i = 0; i < c.B * c.D; i++)
    dz[i] -= start[i];
  /* Linear: the difference is exact but for float rounding (1e-7 of |L| / eps). */
  GradTensor tz[] = { { "z", c.z, dz, c.B * c.D } };
  grad_check ("repeat", tz, 1, repeat_loss, &c, 0.5f, 0, 1e-3, 100, &rng);

  /* last: out (B, D) = inp[:, T - 1]; backward touches only step T - 1. */
  float *seq = alloc_normal (&rng, n_out, 1.0f), *last = malloc (sizeof (float) * c.B * c.D);
  ae_seq_last_forward (last, seq, c.B, c.T, c.D);
  float *dseq = calloc (n_out, sizeof (float));
  ae_seq_last_backward (dseq, last, c.B, c.T, c.D);
  for (int b = 0; b < c.B; b++)
    for (int t = 0; t < c.T; t++)
      for (int j = 0; j < c.D; j++)
        {
          long i = (b * c.T + t) * c.D + j;
          float want = t == c.T - 1 ? seq[i] : 0.0f;
          CHECK (dseq[i] == want, "last: b %d t %d j %d gives %g, expected %g", b, t, j,
                 dseq[i], want);
        }
  free (c.z), free (c.out), free (c.R), free (dz), free (start), free (seq), free (last);
  free (dseq);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/lstm/gradient", test_lstm },
    { "/lstm/last-step", test_lstm_last_step },
    { "/lstm/repeat-decoder", test_lstm_repeat_decoder },
    { "/lstm/repeat-and-last", test_repeat },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
