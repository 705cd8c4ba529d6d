/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sequence-tools.c: errors per step, interpolation and sampling of codes. */
#include "lab-sequence-tools.h"

#include <math.h>

void
lab_sequence_step_errors (float *errors, const float *x, const float *x_hat, int steps,
                          int features)
{
  g_return_if_fail (errors != NULL && x != NULL && x_hat != NULL && features > 0);

  for (int t = 0; t < steps; t++)
    {
      double sum = 0;

      for (int f = 0; f < features; f++)
        {
          double d = (double) x[(gsize) t * features + f] - x_hat[(gsize) t * features + f];

          sum += d * d;
        }
      errors[t] = (float) (sum / features);
    }
}

void
lab_sequence_mix_codes (float *out, const float *a, const float *b, int latent, double t,
                        gboolean spherical)
{
  double dot = 0, na = 0, nb = 0, omega;

  g_return_if_fail (out != NULL && a != NULL && b != NULL && latent > 0);

  if (t <= 0 || t >= 1)
    {
      const float *end = t <= 0 ? a : b;

      for (int d = 0; d < latent; d++)
        out[d] = end[d];
      return;
    }
  for (int d = 0; d < latent; d++)
    {
      na += (double) a[d] * a[d];
      nb += (double) b[d] * b[d];
      dot += (double) a[d] * b[d];
    }
  omega = na > 0 && nb > 0 ? acos (CLAMP (dot / sqrt (na * nb), -1.0, 1.0)) : 0;
  if (spherical && omega > 1e-4 && omega < G_PI - 1e-4)
    {
      double wa = sin ((1 - t) * omega) / sin (omega), wb = sin (t * omega) / sin (omega);

      for (int d = 0; d < latent; d++)
        out[d] = (float) (wa * a[d] + wb * b[d]);
      return;
    }
  for (int d = 0; d < latent; d++)
    out[d] = (float) ((1 - t) * a[d] + t * b[d]);
}

void
lab_sequence_code_spread (float *mean, float *sd, const float *codes, long n, int latent)
{
  g_return_if_fail (mean != NULL && sd != NULL && latent > 0 && (codes != NULL || n == 0));

  for (int d = 0; d < latent; d++)
    {
      double sum = 0, sum2 = 0, m;

      for (long i = 0; i < n; i++)
        {
          double v = codes[(gsize) i * latent + d];

          sum += v;
          sum2 += v * v;
        }
      m = n > 0 ? sum / n : 0;
      mean[d] = (float) m;
      sd[d] = n > 1 ? (float) sqrt (MAX (sum2 / n - m * m, 0)) : 1.0f;
    }
}

void
lab_sequence_draw_codes (float *out, long n, int latent, const float *mean, const float *sd,
                         GRand *rand)
{
  g_return_if_fail (out != NULL && latent > 0 && rand != NULL);

  for (long i = 0; i < n; i++)
    for (int d = 0; d < latent; d++)
      {
        /* Box-Muller: GRand has no normal deviates */
        double u1 = g_rand_double_range (rand, 1e-12, 1), u2 = g_rand_double (rand);
        double z = sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);

        out[(gsize) i * latent + d] = (float) ((mean != NULL ? mean[d] : 0)
                                               + (sd != NULL ? sd[d] : 1) * z);
      }
}
