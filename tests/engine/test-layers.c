/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Layers, activations, losses and penalties: each gradient against central differences,
 * each value against a plain reference. Objectives are J = sum g * f(...) with fixed random
 * g, accumulated in double; every op picks its own step and points near a kink are moved
 * away from it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-layers.h"
#include "ae-test.h"

static AeRng test_rng;

static void
fill_uniform (float *x, int n, float lo, float hi)
{
  for (int i = 0; i < n; i++)
    x[i] = lo + (hi - lo) * ae_rng_uniform (&test_rng);
}

/* Values in [lo, hi] at least `gap` away from zero, for functions with a kink there. */
static void
fill_away_from_zero (float *x, int n, float lo, float hi, float gap)
{
  for (int i = 0; i < n; i++)
    do
      x[i] = lo + (hi - lo) * ae_rng_uniform (&test_rng);
    while (fabsf (x[i]) < gap);
}

static double
dot (const float *a, const float *b, int n)
{
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

/* Compares an analytic gradient with central differences of objective() over the values
 * of x, one at a time. Components far below the largest one are compared on the scale of
 * 1 % of the largest: float rounding in the objective is the same absolute size for all. */
typedef double (*Objective) (void *ctx);

static double
check_gradient (const char *what, float *x, const float *analytic, int n, float h, Objective f,
                void *ctx, double tol)
{
  double worst = 0.0, largest = 0.0;
  for (int i = 0; i < n; i++)
    largest = fmax (largest, fabs (analytic[i]));
  double floor = fmax (1e-2 * largest, 1e-6);
  for (int i = 0; i < n; i++)
    {
      float saved = x[i];
      x[i] = saved + h;
      double up = f (ctx);
      x[i] = saved - h;
      double down = f (ctx);
      x[i] = saved;
      /* The step actually taken, as rounded in float. */
      double step = (double) (saved + h) - (double) (saved - h);
      double numeric = (up - down) / step;
      double error = fabs (numeric - analytic[i]) / fmax (floor, fabs (numeric) + fabs (analytic[i]));
      if (error > worst)
        worst = error;
      CHECK (error <= tol, "%s[%d]: analytic %.7g, numeric %.7g", what, i, (double) analytic[i],
             numeric);
    }
  return worst;
}

/* --- dense --------------------------------------------------------------------------------- */

enum { DB = 3, DC = 5, DOC = 4 };

typedef struct {
  float inp[DB * DC], w[DOC * DC], b[DOC], g[DB * DOC], out[DB * DOC];
  AeActivation act;
} DenseCtx;

static double
dense_objective (void *p)
{
  DenseCtx *c = p;
  ae_dense_forward (c->out, c->inp, c->w, c->b, DB, DC, DOC, c->act);
  return dot (c->g, c->out, DB * DOC);
}

static void
test_dense_forward_reference (void)
{
  DenseCtx c;
  fill_uniform (c.inp, DB * DC, -1, 1);
  fill_uniform (c.w, DOC * DC, -1, 1);
  fill_uniform (c.b, DOC, -1, 1);
  ae_dense_forward (c.out, c.inp, c.w, c.b, DB, DC, DOC, AE_ACT_IDENTITY);
  for (int r = 0; r < DB; r++)
    for (int o = 0; o < DOC; o++)
      {
        double s = c.b[o];
        for (int k = 0; k < DC; k++)
          s += (double) c.inp[r * DC + k] * c.w[o * DC + k];
        CHECK_CLOSE (c.out[r * DOC + o], s, 1e-6);
      }
}

static void
test_dense_gradients (void)
{
  static const AeActivation acts[] = { AE_ACT_IDENTITY, AE_ACT_RELU, AE_ACT_LEAKY_RELU,
                                       AE_ACT_TANH, AE_ACT_SIGMOID };
  for (int a = 0; a < 5; a++)
    {
      DenseCtx c;
      c.act = acts[a];
      fill_uniform (c.inp, DB * DC, -1, 1);
      fill_uniform (c.w, DOC * DC, -0.5f, 0.5f);
      fill_uniform (c.b, DOC, -0.5f, 0.5f);
      fill_uniform (c.g, DB * DOC, -1, 1);
      dense_objective (&c);
      /* Keep every pre-activation clear of relu's kink: nudge the bias until all are. */
      for (int tries = 0; tries < 100; tries++)
        {
          float pre[DB * DOC];
          ae_dense_forward (pre, c.inp, c.w, c.b, DB, DC, DOC, AE_ACT_IDENTITY);
          int near = 0;
          for (int i = 0; i < DB * DOC; i++)
            if (fabsf (pre[i]) < 0.05f)
              {
                c.b[i % DOC] += 0.1f;
                near = 1;
              }
          if (!near)
            break;
        }
      /* Gradients start from a known value: backward must add into them. */
      float dinp[DB * DC], dw[DOC * DC], db[DOC], dpre[DB * DOC];
      for (int i = 0; i < DB * DC; i++)
        dinp[i] = 0.5f;
      for (int i = 0; i < DOC * DC; i++)
        dw[i] = 0.5f;
      for (int i = 0; i < DOC; i++)
        db[i] = 0.5f;
      dense_objective (&c);
      memcpy (dpre, c.g, sizeof dpre);
      ae_activation_backward (dpre, c.out, DB * DOC, c.act);
      ae_dense_backward (dinp, dw, db, dpre, c.inp, c.w, DB, DC, DOC, 1);
      for (int i = 0; i < DB * DC; i++)
        dinp[i] -= 0.5f;
      for (int i = 0; i < DOC * DC; i++)
        dw[i] -= 0.5f;
      for (int i = 0; i < DOC; i++)
        db[i] -= 0.5f;
      char what[64];
      snprintf (what, sizeof what, "dense/%s dinp", ae_activation_name (c.act));
      check_gradient (what, c.inp, dinp, DB * DC, 1e-2f, dense_objective, &c, 2e-3);
      snprintf (what, sizeof what, "dense/%s dw", ae_activation_name (c.act));
      check_gradient (what, c.w, dw, DOC * DC, 1e-2f, dense_objective, &c, 2e-3);
      snprintf (what, sizeof what, "dense/%s db", ae_activation_name (c.act));
      check_gradient (what, c.b, db, DOC, 1e-2f, dense_objective, &c, 2e-3);
    }
}

static void
test_dense_backward_optional (void)
{
  /* NULL dinp and db skip those gradients; dw is the same as with them. */
  DenseCtx c;
  fill_uniform (c.inp, DB * DC, -1, 1);
  fill_uniform (c.w, DOC * DC, -1, 1);
  fill_uniform (c.g, DB * DOC, -1, 1);
  float dw1[DOC * DC] = { 0 }, dw2[DOC * DC] = { 0 }, dinp[DB * DC] = { 0 }, db[DOC] = { 0 };
  ae_dense_backward (dinp, dw1, db, c.g, c.inp, c.w, DB, DC, DOC, 1);
  ae_dense_backward (NULL, dw2, NULL, c.g, c.inp, c.w, DB, DC, DOC, 1);
  CHECK (memcmp (dw1, dw2, sizeof dw1) == 0, "dw differs when dinp and db are skipped");
  /* Not adding, dinp gets the same gradient whatever it held. */
  float dinp2[DB * DC];
  for (int i = 0; i < DB * DC; i++)
    dinp2[i] = 0.5f;
  ae_dense_backward (dinp2, NULL, NULL, c.g, c.inp, c.w, DB, DC, DOC, 0);
  CHECK (memcmp (dinp, dinp2, sizeof dinp) == 0, "dinp stored differs from dinp added to zero");
}

/* --- activations ----------------------------------------------------------------------- */

enum { AN = 24 };

typedef struct {
  float x[AN], y[AN], g[AN];
  AeActivation act;
} ActCtx;

static double
act_objective (void *p)
{
  ActCtx *c = p;
  memcpy (c->y, c->x, sizeof c->y);
  ae_activation_forward (c->y, AN, c->act);
  return dot (c->g, c->y, AN);
}

static void
test_activations (void)
{
  for (int a = AE_ACT_IDENTITY; a <= AE_ACT_SIGMOID; a++)
    {
      ActCtx c;
      c.act = (AeActivation) a;
      fill_away_from_zero (c.x, AN, -4, 4, 0.05f);
      fill_uniform (c.g, AN, -1, 1);
      act_objective (&c);
      /* Values against libm. */
      for (int i = 0; i < AN; i++)
        {
          double x = c.x[i], expect = x;
          switch (c.act)
            {
            case AE_ACT_RELU: expect = x > 0 ? x : 0; break;
            case AE_ACT_LEAKY_RELU: expect = x > 0 ? x : 0.01 * x; break;
            case AE_ACT_TANH: expect = tanh (x); break;
            case AE_ACT_SIGMOID: expect = 1.0 / (1.0 + exp (-x)); break;
            case AE_ACT_IDENTITY: break;
            }
          CHECK_CLOSE (c.y[i], expect, 1e-6);
        }
      float dx[AN];
      memcpy (dx, c.g, sizeof dx);
      ae_activation_backward (dx, c.y, AN, c.act);
      char what[64];
      snprintf (what, sizeof what, "activation %s", ae_activation_name (c.act));
      check_gradient (what, c.x, dx, AN, 1e-2f, act_objective, &c, 2e-3);
    }
}

/* --- reconstruction losses ------------------------------------------------------------ */

enum { LB = 3, LD = 7 };

typedef struct {
  float z[LB * LD], x[LB * LD];
  AeLoss loss;
  AeActivation out_act;
} LossCtx;

static double
loss_objective (void *p)
{
  LossCtx *c = p;
  return ae_recon_loss (NULL, NULL, c->z, c->x, LB, LD, c->loss, c->out_act, 1.0f);
}

static void
test_recon_losses (void)
{
  static const struct {
    AeLoss loss;
    AeActivation act;
  } cases[] = {
    { AE_LOSS_MSE, AE_ACT_IDENTITY }, { AE_LOSS_MSE, AE_ACT_SIGMOID }, { AE_LOSS_MSE, AE_ACT_TANH },
    { AE_LOSS_BCE, AE_ACT_SIGMOID },  { AE_LOSS_L1, AE_ACT_IDENTITY }, { AE_LOSS_L1, AE_ACT_SIGMOID },
  };
  for (int k = 0; k < AE_N_CASES (cases); k++)
    {
      LossCtx c;
      c.loss = cases[k].loss;
      c.out_act = cases[k].act;
      fill_uniform (c.z, LB * LD, -3, 3);
      fill_uniform (c.x, LB * LD, 0, 1);
      if (c.loss == AE_LOSS_L1)
        /* |y - x| has a kink where the output meets the target: keep them apart. */
        for (int i = 0; i < LB * LD; i++)
          {
            float y = c.out_act == AE_ACT_SIGMOID ? 1.0f / (1.0f + expf (-c.z[i])) : c.z[i];
            if (fabsf (y - c.x[i]) < 0.05f)
              c.x[i] = y > 0.5f ? y - 0.1f : y + 0.1f;
          }
      float dz[LB * LD], errors[LB];
      const float scale = 0.25f;
      double total = ae_recon_loss (dz, errors, c.z, c.x, LB, LD, c.loss, c.out_act, scale);
      /* The per-sample errors and the total against a direct evaluation in double. */
      double reference = 0.0, rows = 0.0;
      for (int r = 0; r < LB; r++)
        {
          double row = 0.0;
          for (int j = 0; j < LD; j++)
            {
              double z = c.z[r * LD + j], x = c.x[r * LD + j];
              double y = c.out_act == AE_ACT_SIGMOID ? 1.0 / (1.0 + exp (-z))
                         : c.out_act == AE_ACT_TANH  ? tanh (z)
                                                     : z;
              if (c.loss == AE_LOSS_MSE)
                row += (y - x) * (y - x);
              else if (c.loss == AE_LOSS_L1)
                row += fabs (y - x);
              else
                row += -(x * log (y) + (1 - x) * log (1 - y));
            }
          CHECK_CLOSE (errors[r], row, 1e-5);
          reference += row;
          rows += errors[r];
        }
      CHECK_CLOSE (total, reference, 1e-5);
      CHECK_CLOSE (total, rows, 1e-6);
      for (int i = 0; i < LB * LD; i++)
        dz[i] /= scale;
      char what[64];
      snprintf (what, sizeof what, "%s/%s", ae_loss_name (c.loss), ae_activation_name (c.out_act));
      check_gradient (what, c.z, dz, LB * LD, 1e-2f, loss_objective, &c, 2e-3);
    }
}

static void
test_bce_extreme_logits (void)
{
  /* Saturated logits give finite, correct losses: log(1 + e^100) is 100 to float precision. */
  float z[4] = { 100.0f, -100.0f, 100.0f, -100.0f };
  float x[4] = { 0.0f, 1.0f, 1.0f, 0.0f };
  float dz[4], errors[1];
  double total = ae_recon_loss (dz, errors, z, x, 1, 4, AE_LOSS_BCE, AE_ACT_SIGMOID, 1.0f);
  CHECK (isfinite (total), "BCE of saturated logits is %g", total);
  CHECK_CLOSE (total, 200.0, 1e-6);
  CHECK_CLOSE (dz[0], 1.0, 1e-6);
  CHECK_CLOSE (dz[1], -1.0, 1e-6);
  CHECK (fabsf (dz[2]) < 1e-6f && fabsf (dz[3]) < 1e-6f, "dz %g %g", (double) dz[2], (double) dz[3]);
}

static void
test_bce_wide_range (void)
{
  /* Many logits across the range where exp and log matter, in rows whose length is not a
   * multiple of the vector width, against double precision. */
  enum { R = 5, D = 103 };
  static float z[R * D], x[R * D], dz[R * D];
  float errors[R];
  fill_uniform (z, R * D, -25, 25);
  fill_uniform (x, R * D, 0, 1);
  for (int i = 0; i < R * D; i += 7)
    x[i] = (float) (i % 2); /* binary targets too */
  ae_recon_loss (dz, errors, z, x, R, D, AE_LOSS_BCE, AE_ACT_SIGMOID, 1.0f);
  for (int r = 0; r < R; r++)
    {
      double row = 0.0;
      for (int j = 0; j < D; j++)
        {
          double zz = z[r * D + j], xx = x[r * D + j];
          row += fmax (zz, 0.0) - zz * xx + log1p (exp (-fabs (zz)));
          double p = 1.0 / (1.0 + exp (-zz));
          CHECK (fabs (dz[r * D + j] - (p - xx)) < 2e-7, "dz at z=%g: %.9g vs %.9g", zz,
                 (double) dz[r * D + j], p - xx);
        }
      CHECK_CLOSE (errors[r], row, 2e-6);
    }
}

/* --- penalties ------------------------------------------------------------------------- */

enum { PB = 4, PL = 5 };

typedef struct {
  float h[PB * 2 * PL], logvar_dummy;
  float rho_hat[PL];
  int which; /* 0 l1, 1 kl sparsity, 2 vae kl (stride 2L) */
} PenaltyCtx;

static double
penalty_objective (void *p)
{
  PenaltyCtx *c = p;
  switch (c->which)
    {
    case 0: return ae_l1_penalty (NULL, c->h, PB, PL, 0.3f, 1.0f);
    case 1: return ae_kl_sparsity_penalty (NULL, c->rho_hat, c->h, PB, PL, 0.1f, 0.7f);
    default: return ae_vae_kl (NULL, NULL, c->h, c->h + PL, PB, PL, 2 * PL, 0.6f, 1.0f);
    }
}

static void
test_l1_penalty (void)
{
  PenaltyCtx c = { .which = 0 };
  fill_away_from_zero (c.h, PB * PL, -2, 2, 0.05f);
  float dh[PB * PL] = { 0 };
  double value = ae_l1_penalty (dh, c.h, PB, PL, 0.3f, 1.0f);
  double reference = 0.0;
  for (int i = 0; i < PB * PL; i++)
    reference += 0.3 * fabs (c.h[i]);
  CHECK_CLOSE (value, reference, 1e-6);
  check_gradient ("l1 penalty", c.h, dh, PB * PL, 1e-2f, penalty_objective, &c, 1e-4);
}

static void
test_kl_sparsity (void)
{
  PenaltyCtx c = { .which = 1 };
  fill_uniform (c.h, PB * PL, 0.02f, 0.6f);
  float dh[PB * PL] = { 0 };
  double value = ae_kl_sparsity_penalty (dh, c.rho_hat, c.h, PB, PL, 0.1f, 0.7f);
  double reference = 0.0;
  for (int j = 0; j < PL; j++)
    {
      double q = 0.0;
      for (int r = 0; r < PB; r++)
        q += c.h[r * PL + j] / (double) PB;
      reference += 0.7 * (0.1 * log (0.1 / q) + 0.9 * log (0.9 / (1 - q)));
    }
  CHECK_CLOSE (value, reference, 1e-5);
  /* KL is zero exactly when every unit's mean activation is rho. */
  float at_rho[PB * PL];
  for (int i = 0; i < PB * PL; i++)
    at_rho[i] = 0.1f;
  CHECK (fabs (ae_kl_sparsity_penalty (NULL, c.rho_hat, at_rho, PB, PL, 0.1f, 0.7f)) < 1e-6,
         "KL at rho is not zero");
  check_gradient ("kl sparsity", c.h, dh, PB * PL, 1e-3f, penalty_objective, &c, 2e-3);
}

static void
test_vae_kl (void)
{
  PenaltyCtx c = { .which = 2 };
  fill_uniform (c.h, PB * 2 * PL, -1.5f, 1.5f);
  float d[PB * 2 * PL] = { 0 };
  double value = ae_vae_kl (d, d + PL, c.h, c.h + PL, PB, PL, 2 * PL, 0.6f, 1.0f);
  double reference = 0.0;
  for (int r = 0; r < PB; r++)
    for (int j = 0; j < PL; j++)
      {
        double mu = c.h[r * 2 * PL + j], lv = c.h[r * 2 * PL + PL + j];
        /* KL(N(mu, s^2) || N(0, 1)) = (s^2 + mu^2 - 1 - log s^2) / 2 */
        reference += 0.6 * 0.5 * (exp (lv) + mu * mu - 1.0 - lv);
      }
  CHECK_CLOSE (value, reference, 1e-5);
  check_gradient ("vae kl (mu|logvar)", c.h, d, PB * 2 * PL, 1e-2f, penalty_objective, &c, 2e-3);
}

typedef struct {
  float head[PB * 2 * PL], eps[PB * PL], g[PB * PL], z[PB * PL];
} ReparamCtx;

static double
reparam_objective (void *p)
{
  ReparamCtx *c = p;
  ae_reparameterize_forward (c->z, c->head, c->head + PL, c->eps, PB, PL, 2 * PL);
  return dot (c->g, c->z, PB * PL);
}

static void
test_reparameterization (void)
{
  ReparamCtx c;
  fill_uniform (c.head, PB * 2 * PL, -1, 1);
  for (int i = 0; i < PB * PL; i++)
    c.eps[i] = ae_rng_normal (&test_rng);
  fill_uniform (c.g, PB * PL, -1, 1);
  reparam_objective (&c);
  for (int r = 0; r < PB; r++)
    for (int j = 0; j < PL; j++)
      CHECK_CLOSE (c.z[r * PL + j],
                   c.head[r * 2 * PL + j] + exp (0.5 * c.head[r * 2 * PL + PL + j]) * c.eps[r * PL + j],
                   1e-6);
  float d[PB * 2 * PL] = { 0 };
  ae_reparameterize_backward (d, d + PL, c.g, c.eps, c.head + PL, PB, PL, 2 * PL);
  check_gradient ("reparameterisation", c.head, d, PB * 2 * PL, 1e-2f, reparam_objective, &c, 2e-3);
}

/* --- contractive ------------------------------------------------------------------------- */

enum { CB = 3, CC = 6, CL = 4 };

typedef struct {
  float x[CB * CC], w[CL * CC], b[CL], h[CB * CL], norms[CL];
  AeActivation act;
} ContractCtx;

static double
contract_objective (void *p)
{
  ContractCtx *c = p;
  ae_dense_forward (c->h, c->x, c->w, c->b, CB, CC, CL, c->act);
  return ae_contractive_closed (NULL, NULL, c->norms, c->h, c->w, CB, CL, CC, CL, c->act, 0.8f, 1.0f);
}

static void
test_contractive_closed (void)
{
  static const AeActivation acts[] = { AE_ACT_SIGMOID, AE_ACT_TANH, AE_ACT_IDENTITY,
                                       AE_ACT_RELU, AE_ACT_LEAKY_RELU };
  for (int a = 0; a < AE_N_CASES (acts); a++)
    {
      ContractCtx c;
      c.act = acts[a];
      fill_uniform (c.x, CB * CC, 0, 1);
      fill_uniform (c.w, CL * CC, -0.8f, 0.8f);
      fill_uniform (c.b, CL, -0.5f, 0.5f);
      float pre[CB * CL];
      ae_dense_forward (pre, c.x, c.w, c.b, CB, CC, CL, AE_ACT_IDENTITY);
      for (int i = 0; i < CB * CL; i++)
        if (fabsf (pre[i]) < 0.1f)
          c.b[i % CL] += 0.3f; /* away from relu's kink */
      double value = contract_objective (&c);

      /* The value is lambda * ||J||_F^2 with the Jacobian of h(x) taken numerically. */
      double frob = 0.0;
      for (int r = 0; r < CB; r++)
        for (int k = 0; k < CC; k++)
          {
            float saved = c.x[r * CC + k];
            float hp[CB * CL], hm[CB * CL];
            c.x[r * CC + k] = saved + 1e-2f;
            ae_dense_forward (hp, c.x, c.w, c.b, CB, CC, CL, c.act);
            c.x[r * CC + k] = saved - 1e-2f;
            ae_dense_forward (hm, c.x, c.w, c.b, CB, CC, CL, c.act);
            c.x[r * CC + k] = saved;
            for (int j = 0; j < CL; j++)
              {
                double dj = ((double) hp[r * CL + j] - hm[r * CL + j]) / 2e-2;
                frob += dj * dj;
              }
          }
      CHECK_CLOSE (value, 0.8 * frob, 1e-3);

      /* Gradient: the closed form's own dw, plus da back through the layer. */
      float da[CB * CL] = { 0 }, dw[CL * CC] = { 0 }, db[CL] = { 0 };
      contract_objective (&c);
      ae_contractive_closed (da, dw, c.norms, c.h, c.w, CB, CL, CC, CL, c.act, 0.8f, 1.0f);
      ae_dense_backward (NULL, dw, db, da, c.x, c.w, CB, CC, CL, 1);
      char what[64];
      snprintf (what, sizeof what, "contractive closed/%s dw", ae_activation_name (c.act));
      check_gradient (what, c.w, dw, CL * CC, 1e-2f, contract_objective, &c, 2e-3);
      snprintf (what, sizeof what, "contractive closed/%s db", ae_activation_name (c.act));
      check_gradient (what, c.b, db, CL, 1e-2f, contract_objective, &c, 2e-3);
    }
}

typedef struct {
  float h0[CB * 2 * CL], h1[CB * 2 * CL];
} EstimateCtx;

static double
estimate_objective (void *p)
{
  EstimateCtx *c = p;
  return ae_contractive_estimate (NULL, NULL, c->h0, c->h1, CB, CL, 2 * CL, 0.1f, 0.5f, 1.0f);
}

static void
test_contractive_estimate (void)
{
  /* Gradients with respect to both passes (with a row stride wider than the code). */
  EstimateCtx c;
  fill_uniform (c.h0, CB * 2 * CL, -1, 1);
  fill_uniform (c.h1, CB * 2 * CL, -1, 1);
  float d0[CB * 2 * CL] = { 0 }, d1[CB * 2 * CL] = { 0 };
  ae_contractive_estimate (d0, d1, c.h0, c.h1, CB, CL, 2 * CL, 0.1f, 0.5f, 1.0f);
  check_gradient ("contractive estimate dh0", c.h0, d0, CB * 2 * CL, 1e-3f, estimate_objective, &c, 2e-3);
  check_gradient ("contractive estimate dh1", c.h1, d1, CB * 2 * CL, 1e-3f, estimate_objective, &c, 2e-3);

  /* Averaged over many perturbations, the estimate approaches the closed form of a
   * one-layer encoder: E ||J eps||^2 = ||J||_F^2. */
  ContractCtx k;
  k.act = AE_ACT_SIGMOID;
  fill_uniform (k.x, CB * CC, 0, 1);
  fill_uniform (k.w, CL * CC, -0.8f, 0.8f);
  fill_uniform (k.b, CL, -0.5f, 0.5f);
  double closed = contract_objective (&k);
  float h0[CB * CL], h1[CB * CL], xp[CB * CC];
  ae_dense_forward (h0, k.x, k.w, k.b, CB, CC, CL, k.act);
  double sum = 0.0;
  const int draws = 4000;
  const float s = 0.01f;
  for (int d = 0; d < draws; d++)
    {
      for (int i = 0; i < CB * CC; i++)
        xp[i] = k.x[i] + s * ae_rng_normal (&test_rng);
      ae_dense_forward (h1, xp, k.w, k.b, CB, CC, CL, k.act);
      sum += ae_contractive_estimate (NULL, NULL, h0, h1, CB, CL, CL, s, 0.8f, 1.0f);
    }
  CHECK_CLOSE (sum / draws, closed, 0.05);
}

/* --- optimisers -------------------------------------------------------------------------- */

static void
test_adam_reference (void)
{
  enum { N = 9 };
  float p[N], m[N] = { 0 }, v[N] = { 0 }, g[N];
  double rp[N], rm[N] = { 0 }, rv[N] = { 0 };
  fill_uniform (p, N, -1, 1);
  for (int i = 0; i < N; i++)
    rp[i] = p[i];
  for (long t = 1; t <= 5; t++)
    {
      fill_uniform (g, N, -2, 2);
      ae_adam_update (p, m, v, g, N, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.5f, t);
      for (int i = 0; i < N; i++)
        {
          double gi = 0.5 * g[i];
          rm[i] = 0.9 * rm[i] + 0.1 * gi;
          rv[i] = 0.999 * rv[i] + 0.001 * gi * gi;
          double mh = rm[i] / (1 - pow (0.9, t)), vh = rv[i] / (1 - pow (0.999, t));
          rp[i] -= 0.01 * (mh / (sqrt (vh) + 1e-8) + 0.1 * rp[i]);
        }
    }
  for (int i = 0; i < N; i++)
    CHECK_CLOSE (p[i], rp[i], 1e-5);
}

static void
test_sgd_reference (void)
{
  enum { N = 7 };
  float p[N], v[N] = { 0 }, g[N];
  double rp[N], rv[N] = { 0 };
  fill_uniform (p, N, -1, 1);
  for (int i = 0; i < N; i++)
    rp[i] = p[i];
  for (int t = 0; t < 4; t++)
    {
      fill_uniform (g, N, -1, 1);
      ae_sgd_update (p, v, g, N, 0.1f, 0.9f, 0.01f, 1.0f);
      for (int i = 0; i < N; i++)
        {
          rv[i] = 0.9 * rv[i] + g[i] + 0.01 * rp[i];
          rp[i] -= 0.1 * rv[i];
        }
    }
  for (int i = 0; i < N; i++)
    CHECK_CLOSE (p[i], rp[i], 1e-5);
}

static void
test_sum_squares (void)
{
  enum { N = 10000 };
  static float x[N];
  double reference = 0.0;
  for (int i = 0; i < N; i++)
    {
      x[i] = ae_rng_normal (&test_rng);
      reference += (double) x[i] * x[i];
    }
  CHECK_CLOSE (ae_sum_squares (x, N), reference, 1e-6);
}

int
main (int argc, char **argv)
{
  ae_rng_seed (&test_rng, 42);
  static const AeTestCase cases[] = {
    { "/layers/dense/forward", test_dense_forward_reference },
    { "/layers/dense/gradients", test_dense_gradients },
    { "/layers/dense/optional-gradients", test_dense_backward_optional },
    { "/layers/activations", test_activations },
    { "/layers/loss/reconstruction", test_recon_losses },
    { "/layers/loss/bce-extreme", test_bce_extreme_logits },
    { "/layers/loss/bce-wide-range", test_bce_wide_range },
    { "/layers/penalty/l1", test_l1_penalty },
    { "/layers/penalty/kl-sparsity", test_kl_sparsity },
    { "/layers/penalty/vae-kl", test_vae_kl },
    { "/layers/penalty/reparameterization", test_reparameterization },
    { "/layers/penalty/contractive-closed", test_contractive_closed },
    { "/layers/penalty/contractive-estimate", test_contractive_estimate },
    { "/layers/optimizer/adam", test_adam_reference },
    { "/layers/optimizer/sgd", test_sgd_reference },
    { "/layers/sum-squares", test_sum_squares },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
