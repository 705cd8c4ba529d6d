/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-rng.h: a small seeded generator (xoshiro256**), so that the same seed and
 * thread count give the same run on every machine. */
#pragma once

#include <stdint.h>

typedef struct {
  uint64_t s[4];
} AeRng;

void     ae_rng_seed (AeRng *rng, uint64_t seed);
uint64_t ae_rng_next (AeRng *rng);
/* Uniform in [0, 1). */
float    ae_rng_uniform (AeRng *rng);
/* Standard normal (Box-Muller; caches nothing, so the stream is simple to reason about). */
float    ae_rng_normal (AeRng *rng);
/* Uniform integer in [0, n). */
uint32_t ae_rng_below (AeRng *rng, uint32_t n);
/* Fisher-Yates shuffle. */
void     ae_rng_shuffle (AeRng *rng, uint32_t *items, uint32_t n);
/* A generator for a sub-stream, independent of the parent's further use. */
void     ae_rng_fork (AeRng *child, AeRng *parent);
