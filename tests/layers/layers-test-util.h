/* SPDX-License-Identifier: GPL-3.0-or-later */
/* layers-test-util.h: gradient checks by central differences for the layer tests.
 *
 * The loss of a check is L = sum (out * R) for a fixed random R, accumulated in double, so
 * that dL/dout = R is what backward is fed. Each analytic gradient coordinate g is compared
 * with (L(x + eps) - L(x - eps)) / (actual float step), and the error is
 *   |g - numeric| / max (|g|, |numeric|, 1e-2 * rms (g over the tensor))
 * The floor: the rounding noise of a float forward is an absolute error in L, the same for
 * every coordinate of a tensor, so a coordinate whose gradient is a hundred times smaller
 * than the typical one is held to an absolute error of tol/100 of that typical size rather
 * than to a relative error its finite difference cannot resolve.
 */
#pragma once

#include <stdlib.h>

#include "ae-rng.h"
#include "ae-test.h"

typedef struct {
  const char *name;
  float *value; /* the tensor the loss reads */
  const float *grad; /* its analytic gradient */
  long n;
} GradTensor;

/* Runs forward on the current values and returns sum (out * R) in double. */
typedef double (*GradLossFunc) (void *ctx);

static inline void
fill_normal (AeRng *rng, float *x, long n, float scale)
{
  for (long i = 0; i < n; i++)
    x[i] = scale * ae_rng_normal (rng);
}

static inline float *
alloc_normal (AeRng *rng, long n, float scale)
{
  float *x = malloc (sizeof (float) * (size_t) (n > 0 ? n : 1));
  fill_normal (rng, x, n, scale);
  return x;
}

static inline double
dot_double (const float *a, const float *b, long n)
{
  double s = 0.0;
  for (long i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

/* (L(v + eps) - L(v - eps)) / (the float step actually taken) at one coordinate. */
static inline double
central_difference (float *value, float eps, GradLossFunc loss, void *ctx)
{
  float v = *value;
  float up = v + eps, down = v - eps;
  *value = up;
  double lp = loss (ctx);
  *value = down;
  double lm = loss (ctx);
  *value = v;
  return (lp - lm) / ((double) up - (double) down);
}

/* Checks up to max_coords coordinates of each tensor (all when it has fewer; otherwise a
 * random sample). Returns the worst error over all tensors and fails the case when a
 * tensor's worst error exceeds tol. extrapolate: for a loss that is not linear in each
 * coordinate, Richardson's (4 D(eps / 2) - D(eps)) / 3 cancels the eps^2 truncation term
 * of the central difference D, so that eps can stay large against rounding. */
static inline double
grad_check (const char *what, const GradTensor *tensors, int n_tensors, GradLossFunc loss,
            void *ctx, float eps, int extrapolate, double tol, long max_coords, AeRng *rng)
{
  double worst_all = 0.0;
  for (int k = 0; k < n_tensors; k++)
    {
      const GradTensor *t = &tensors[k];
      double rms = 0.0;
      for (long i = 0; i < t->n; i++)
        rms += (double) t->grad[i] * t->grad[i];
      rms = sqrt (rms / (double) t->n);
      double worst = 0.0, worst_a = 0.0, worst_num = 0.0;
      long worst_i = -1;
      long count = t->n < max_coords ? t->n : max_coords;
      for (long c = 0; c < count; c++)
        {
          long i = t->n <= max_coords ? c : (long) ae_rng_below (rng, (uint32_t) t->n);
          double num = central_difference (t->value + i, eps, loss, ctx);
          if (extrapolate)
            num = (4.0 * central_difference (t->value + i, 0.5f * eps, loss, ctx) - num) / 3.0;
          double a = t->grad[i];
          double denom = fmax (fmax (fabs (a), fabs (num)), 1e-2 * rms);
          double err = denom > 0.0 ? fabs (a - num) / denom : 0.0;
          if (err > worst || worst_i < 0)
            worst = err, worst_i = i, worst_a = a, worst_num = num;
        }
      printf ("# %s %s: %ld coordinates, worst error %.2e at %ld (analytic %.6g, numeric "
              "%.6g), rms %.3g\n",
              what, t->name, count, worst, worst_i, worst_a, worst_num, rms);
      CHECK (worst <= tol, "%s %s: gradient error %.3g above %.3g", what, t->name, worst, tol);
      CHECK (rms > 0.0, "%s %s: the gradient is all zero, nothing was checked", what,
             t->name);
      if (worst > worst_all)
        worst_all = worst;
    }
  return worst_all;
}

/* The check along a random direction (as kann does): every coordinate of a tensor moves at
 * once by eps * d, d ~ N(0, 1), and L(x + eps d) - L(x - eps d) is compared with
 * <g, (x + eps d) - (x - eps d)> taken on the float values actually stored. The signal is
 * the whole gradient's, ||g|| eps, against the same rounding noise as one coordinate's, so
 * this check resolves small errors spread over many coordinates that a per-coordinate check
 * cannot separate from rounding. Richardson extrapolation over eps and eps / 2 removes the
 * truncation term, which along a direction moving every coordinate is large. Returns the
 * worst relative error. */
static inline double
grad_check_direction (const char *what, const GradTensor *tensors, int n_tensors,
                      GradLossFunc loss, void *ctx, float eps, double tol, AeRng *rng)
{
  double worst_all = 0.0;
  for (int k = 0; k < n_tensors; k++)
    {
      const GradTensor *t = &tensors[k];
      float *saved = malloc (sizeof (float) * t->n), *dir = malloc (sizeof (float) * t->n);
      memcpy (saved, t->value, sizeof (float) * t->n);
      fill_normal (rng, dir, t->n, 1.0f);
      /* ratio (h) = measured / predicted = 1 + c h^2 + O(h^4); Richardson removes c h^2. */
      double ratio[2];
      for (int r = 0; r < 2; r++)
        {
          float h = r == 0 ? eps : 0.5f * eps;
          double predicted = 0.0, lp, lm;
          for (long i = 0; i < t->n; i++)
            {
              t->value[i] = saved[i] + h * dir[i];
              predicted += (double) t->grad[i] * t->value[i];
            }
          lp = loss (ctx);
          for (long i = 0; i < t->n; i++)
            {
              t->value[i] = saved[i] - h * dir[i];
              predicted -= (double) t->grad[i] * t->value[i];
            }
          lm = loss (ctx);
          ratio[r] = (lp - lm) / predicted;
        }
      memcpy (t->value, saved, sizeof (float) * t->n);
      double err = fabs ((4.0 * ratio[1] - ratio[0]) / 3.0 - 1.0);
      printf ("# %s %s: along a random direction, measured / predicted change %.9g (eps) and "
              "%.9g (eps / 2), extrapolated error %.2e\n",
              what, t->name, ratio[0], ratio[1], err);
      CHECK (err <= tol, "%s %s: directional error %.3g above %.3g", what, t->name, err, tol);
      if (err > worst_all)
        worst_all = err;
      free (saved), free (dir);
    }
  return worst_all;
}

/* Guard floats after a workspace: a layer that writes past its stated workspace size
 * changes them. */
#define GUARD_FLOATS 64
#define GUARD_VALUE 12345.678f

static inline float *
alloc_guarded (size_t n)
{
  float *x = malloc (sizeof (float) * (n + GUARD_FLOATS));
  for (size_t i = 0; i < n + GUARD_FLOATS; i++)
    x[i] = GUARD_VALUE;
  return x;
}

static inline int
guard_intact (const float *x, size_t n)
{
  for (size_t i = n; i < n + GUARD_FLOATS; i++)
    if (x[i] != GUARD_VALUE)
      return 0;
  return 1;
}
