/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ae-rng.h"

#include <math.h>

static uint64_t
splitmix64 (uint64_t *x)
{
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void
ae_rng_seed (AeRng *rng, uint64_t seed)
{
  uint64_t x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

static inline uint64_t
rotl (uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

uint64_t
ae_rng_next (AeRng *rng)
{
  uint64_t *s = rng->s;
  uint64_t result = rotl (s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

float
ae_rng_uniform (AeRng *rng)
{
  return (float) (ae_rng_next (rng) >> 40) * (1.0f / 16777216.0f);
}

float
ae_rng_normal (AeRng *rng)
{
  /* u1 in (0, 1] so that log() stays finite. */
  double u1 = ((double) (ae_rng_next (rng) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
  double u2 = (double) (ae_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
  return (float) (sqrt (-2.0 * log (u1)) * cos (6.283185307179586 * u2));
}

uint32_t
ae_rng_below (AeRng *rng, uint32_t n)
{
  return (uint32_t) (((ae_rng_next (rng) >> 32) * (uint64_t) n) >> 32);
}

void
ae_rng_shuffle (AeRng *rng, uint32_t *items, uint32_t n)
{
  for (uint32_t i = n; i > 1; i--)
    {
      uint32_t j = ae_rng_below (rng, i);
      uint32_t t = items[i - 1];
      items[i - 1] = items[j];
      items[j] = t;
    }
}

void
ae_rng_fork (AeRng *child, AeRng *parent)
{
  ae_rng_seed (child, ae_rng_next (parent));
}
