/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-filters.c: the classical denoisers shown beside the autoencoders (3x3 median, Gaussian
 * blur). Both replicate the border and allocate nothing, so they cannot fail. */
#include "ae-math.h"

#include <assert.h>
#include <math.h>
#include <string.h>

static inline int
clamp_index (int i, int n)
{
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/* Median of nine by a fixed exchange network (Paeth; 19 compare-exchanges). */
#define SORT2(a, b)                                                                          \
  do                                                                                         \
    {                                                                                        \
      if ((a) > (b))                                                                         \
        {                                                                                    \
          float t_ = (a);                                                                    \
          (a) = (b);                                                                         \
          (b) = t_;                                                                          \
        }                                                                                    \
    }                                                                                        \
  while (0)

static inline float
median9 (float *p)
{
  SORT2 (p[1], p[2]); SORT2 (p[4], p[5]); SORT2 (p[7], p[8]);
  SORT2 (p[0], p[1]); SORT2 (p[3], p[4]); SORT2 (p[6], p[7]);
  SORT2 (p[1], p[2]); SORT2 (p[4], p[5]); SORT2 (p[7], p[8]);
  SORT2 (p[0], p[3]); SORT2 (p[5], p[8]); SORT2 (p[4], p[7]);
  SORT2 (p[3], p[6]); SORT2 (p[1], p[4]); SORT2 (p[2], p[5]);
  SORT2 (p[4], p[7]); SORT2 (p[4], p[2]); SORT2 (p[6], p[4]);
  SORT2 (p[4], p[2]);
  return p[4];
}

void
ae_median3x3 (float *out, const float *in, int w, int h)
{
  assert (out != in);
  for (int y = 0; y < h; y++)
    {
      const float *rows[3] = {
        in + (size_t) clamp_index (y - 1, h) * (size_t) w,
        in + (size_t) y * (size_t) w,
        in + (size_t) clamp_index (y + 1, h) * (size_t) w,
      };
      for (int x = 0; x < w; x++)
        {
          int xl = clamp_index (x - 1, w), xr = clamp_index (x + 1, w);
          float p[9];
          for (int r = 0; r < 3; r++)
            {
              p[3 * r] = rows[r][xl];
              p[3 * r + 1] = rows[r][x];
              p[3 * r + 2] = rows[r][xr];
            }
          out[(size_t) y * (size_t) w + (size_t) x] = median9 (p);
        }
    }
}

void
ae_gaussian_blur (float *out, const float *in, int w, int h, float sigma)
{
  assert (out != in);
  size_t np = (size_t) w * (size_t) h;
  if (!(sigma > 0.0f) || np == 0)
    {
      memcpy (out, in, np * sizeof *out);
      return;
    }
  /* Clamped before the conversion, which an infinite sigma would overflow. */
  int radius = (int) fmin (ceil (3.0 * sigma), AE_BLUR_MAX_RADIUS);
  float kernel[2 * AE_BLUR_MAX_RADIUS + 1];
  double sum = 0.0;
  for (int t = -radius; t <= radius; t++)
    sum += exp (-(double) t * t / (2.0 * sigma * sigma));
  for (int t = -radius; t <= radius; t++)
    kernel[t + radius] = (float) (exp (-(double) t * t / (2.0 * sigma * sigma)) / sum);

  /* Vertically from in into out: whole rows at a time, so the inner loop vectorises. */
  for (int y = 0; y < h; y++)
    {
      float *dst = out + (size_t) y * (size_t) w;
      memset (dst, 0, (size_t) w * sizeof *dst);
      for (int t = -radius; t <= radius; t++)
        {
          const float *src = in + (size_t) clamp_index (y + t, h) * (size_t) w;
          float kt = kernel[t + radius];
          for (int x = 0; x < w; x++)
            dst[x] += kt * src[x];
        }
    }

  /* Then horizontally in place: pixel x is overwritten once it is computed, so the radius
   * original values left of x are kept in a ring (indexed by position mod radius). Right of
   * x, and the clamped last pixel, are still original when read. */
  float ring[AE_BLUR_MAX_RADIUS];
  for (int y = 0; y < h; y++)
    {
      float *row = out + (size_t) y * (size_t) w;
      float first = row[0];
      for (int x = 0; x < w; x++)
        {
          float acc = 0.0f;
          for (int t = -radius; t <= radius; t++)
            {
              int p = x + t;
              float v = p < 0 ? first : p >= w ? row[w - 1] : p < x ? ring[p % radius] : row[p];
              acc += kernel[t + radius] * v;
            }
          ring[x % radius] = row[x];
          row[x] = acc;
        }
    }
}
