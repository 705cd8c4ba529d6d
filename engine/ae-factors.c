/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-factors.c: mutual information between discretised codes and factors, and MIG. */
#include "ae-factors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
bin_of (float v, float lo, float hi, int bins)
{
  if (!isfinite (v) || !(hi > lo))
    return 0;
  int b = (int) ((double) (v - lo) / (double) (hi - lo) * bins);
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

/* Column `column` of rows (n, stride) as bin indices in out (n). */
static void
discretise (int *out, const float *rows, long n, int stride, int column, float lo, float hi, int bins)
{
  for (long i = 0; i < n; i++)
    out[i] = bin_of (rows[(size_t) i * stride + column], lo, hi, bins);
}

/* Mutual information in nats of two discrete variables of n paired values; counts is
 * scratch of a_bins * b_bins + a_bins + b_bins. */
static double
mutual_information (const int *a, int a_bins, const int *b, int b_bins, long n, long *counts)
{
  long *joint = counts, *ca = counts + (size_t) a_bins * b_bins, *cb = ca + a_bins;
  memset (counts, 0, ((size_t) a_bins * b_bins + a_bins + b_bins) * sizeof (long));
  for (long i = 0; i < n; i++)
    {
      joint[(size_t) a[i] * b_bins + b[i]]++;
      ca[a[i]]++;
      cb[b[i]]++;
    }
  double mi = 0;
  for (int x = 0; x < a_bins; x++)
    for (int y = 0; y < b_bins; y++)
      {
        long c = joint[(size_t) x * b_bins + y];
        if (c > 0)
          mi += (double) c / n * log ((double) c * n / ((double) ca[x] * cb[y]));
      }
  return mi > 0 ? mi : 0;
}

static double
entropy (const int *a, int bins, long n, long *counts)
{
  memset (counts, 0, (size_t) bins * sizeof (long));
  for (long i = 0; i < n; i++)
    counts[a[i]]++;
  double h = 0;
  for (int x = 0; x < bins; x++)
    if (counts[x] > 0)
      h -= (double) counts[x] / n * log ((double) counts[x] / n);
  return h;
}

void
ae_factor_score_clear (AeFactorScore *score)
{
  free (score->mi);
  free (score->entropy);
  free (score->gap);
  free (score->best_dim);
  memset (score, 0, sizeof *score);
}

double
ae_factor_score_share (const AeFactorScore *score, int j, int k)
{
  double h = score->entropy[k];
  return h > 0 ? score->mi[(size_t) j * score->n_factors + k] / h : 0;
}

AeStatus
ae_factor_score (AeFactorScore *score, const float *codes, long n, int latent, const float *factors,
                 int n_factors, const AeFactor *info, AeError *err)
{
  memset (score, 0, sizeof *score);
  if (n < 2 || latent < 1 || n_factors < 1)
    return ae_error_set (err, AE_ERR_INVALID, "%ld codes of %d dimensions and %d factors: too few to score",
                         n, latent, n_factors);
  int max_bins = AE_FACTOR_BINS;
  for (int k = 0; k < n_factors; k++)
    max_bins = info[k].levels > max_bins ? info[k].levels : max_bins;
  int *z_bins = malloc ((size_t) n * latent * sizeof (int));
  int *v_bins = malloc ((size_t) n * n_factors * sizeof (int));
  long *counts = malloc (((size_t) AE_FACTOR_BINS * max_bins + AE_FACTOR_BINS + max_bins) * sizeof (long));
  score->latent = latent;
  score->n_factors = n_factors;
  score->mi = calloc ((size_t) latent * n_factors, sizeof (double));
  score->entropy = calloc ((size_t) n_factors, sizeof (double));
  score->gap = calloc ((size_t) n_factors, sizeof (double));
  score->best_dim = calloc ((size_t) n_factors, sizeof (int));
  if (z_bins == NULL || v_bins == NULL || counts == NULL || score->mi == NULL || score->entropy == NULL
      || score->gap == NULL || score->best_dim == NULL)
    {
      free (z_bins);
      free (v_bins);
      free (counts);
      ae_factor_score_clear (score);
      return ae_error_set (err, AE_ERR_NOMEM, "out of memory to score %ld codes", n);
    }
  for (int j = 0; j < latent; j++)
    {
      float lo = INFINITY, hi = -INFINITY;
      for (long i = 0; i < n; i++)
        {
          float v = codes[(size_t) i * latent + j];
          if (isfinite (v))
            {
              lo = fminf (lo, v);
              hi = fmaxf (hi, v);
            }
        }
      discretise (z_bins + (size_t) j * n, codes, n, latent, j, lo, hi, AE_FACTOR_BINS);
    }
  for (int k = 0; k < n_factors; k++)
    {
      int *v = v_bins + (size_t) k * n;
      /* A discrete factor's values are its bins: v in [-0.5, levels - 0.5) maps to round(v). */
      int bins = info[k].levels > 0 ? info[k].levels : AE_FACTOR_BINS;
      float lo = info[k].levels > 0 ? -0.5f : info[k].min;
      float hi = info[k].levels > 0 ? (float) info[k].levels - 0.5f : info[k].max;
      discretise (v, factors, n, n_factors, k, lo, hi, bins);
      score->entropy[k] = entropy (v, bins, n, counts);
      double first = 0, second = 0;
      for (int j = 0; j < latent; j++)
        {
          double mi = mutual_information (z_bins + (size_t) j * n, AE_FACTOR_BINS, v, bins, n, counts);
          score->mi[(size_t) j * n_factors + k] = mi;
          if (mi > first)
            {
              second = first;
              first = mi;
              score->best_dim[k] = j;
            }
          else if (mi > second)
            second = mi;
        }
      score->gap[k] = score->entropy[k] > 0 ? (first - second) / score->entropy[k] : 0;
      score->mig += score->gap[k] / n_factors;
    }
  free (z_bins);
  free (v_bins);
  free (counts);
  return AE_OK;
}
