/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-tsne.h: t-SNE (van der Maaten and Hinton 2008), a plane in which each point keeps the
 * neighbours it has in the original space.
 *
 * Input affinities come from each point's nearest neighbours (3 x perplexity of them), with
 * a Gaussian whose width is found by binary search so that its perplexity is the one asked
 * for. The plane is optimised by gradient descent on KL(P || Q) with early exaggeration,
 * momentum and per-coordinate gains, as scikit-learn and bhtsne do. The repulsive forces are
 * summed exactly for small sets and by Barnes-Hut on a quadtree beyond. Everything is
 * seeded: the same input, options and seed give the same plane on any thread count.
 *
 * To follow a network that is still learning, start from the previous plane (`init`), and
 * align the result to it (ae_tsne_align) so that the picture does not turn or flip.
 */
#pragma once

#include <stdint.h>

#include "ae-status.h"

/* Sets up to this size use the exact O(n^2) gradient and every pair's affinity. */
#define AE_TSNE_EXACT_MAX 400

typedef struct {
  double perplexity;           /* effective number of neighbours, 30; cut to (n - 1) / 3 */
  int iterations;              /* gradient steps in all, 1000 */
  int exaggeration_iterations; /* of which the first ones exaggerate P, 250 (none with init) */
  double exaggeration;         /* 12 */
  double learning_rate;        /* <= 0: max(n / exaggeration / 4, 50), as scikit-learn */
  double theta;                /* Barnes-Hut opening angle, 0.5; 0 opens every cell; <= 0.7 */
  int exact_max;               /* sets up to this size are exact; AE_TSNE_EXACT_MAX */
  uint64_t seed;
  int threads;                 /* 1 or more */
} AeTsneOptions;

typedef struct AeTsne AeTsne;

void     ae_tsne_options_default (AeTsneOptions *options);

/* Prepares a t-SNE of x (n, dim), n >= 4: affinities now, no step yet. The plane starts from
 * init (n, 2) when not NULL (then without exaggeration), otherwise from the first two
 * principal components scaled to a standard deviation of 1e-4 plus a seeded jitter. */
AeStatus ae_tsne_new (AeTsne **out, const float *x, long n, int dim, const AeTsneOptions *options,
                      const float *init, AeError *err);
void     ae_tsne_free (AeTsne *tsne);
/* Runs up to `steps` more iterations (never beyond options->iterations); returns the number
 * done so far. Long runs call it in slices to stay cancellable. */
int      ae_tsne_step (AeTsne *tsne, int steps);
int      ae_tsne_done (const AeTsne *tsne);
long     ae_tsne_size (const AeTsne *tsne);
/* The current plane (n, 2). */
void     ae_tsne_get (const AeTsne *tsne, float *y);
/* KL(P || Q) of the current plane, every pair summed (O(n^2)). */
double   ae_tsne_cost (const AeTsne *tsne);
/* The gradient of KL(P || Q) at the current plane, without exaggeration, by the method that
 * the steps use: grad (n, 2). */
void     ae_tsne_gradient (AeTsne *tsne, double *grad);
/* The joint affinities as a dense (n, n) matrix (symmetric, summing to 1). */
void     ae_tsne_affinities (const AeTsne *tsne, double *p);

/* One call: a whole run into y (n, 2). */
AeStatus ae_tsne_run (float *y, const float *x, long n, int dim, const AeTsneOptions *options,
                      const float *init, AeError *err);

/* Exact KL(P || Q) for a dense joint P (n, n) and a plane y (n, 2); fills grad (n, 2) with its
 * gradient when not NULL. */
double   ae_tsne_exact_cost (double *grad, const double *p, const double *y, long n);

/* Moves y (n, 2) rigidly (a rotation or a reflection, and a shift) to lie as close as it can
 * to reference (n, 2), in least squares (orthogonal Procrustes). */
void     ae_tsne_align (float *y, const float *reference, long n);

/* The cost of one new point at point (2) in a plane y (n, 2) held still: KL(p || q) up to a
 * constant, p (k) its affinities to its neighbours (indices into y), q its Student-t
 * affinities to every plane point. Fills grad (2) with its gradient when not NULL. */
double   ae_tsne_place_cost (double grad[2], const double point[2], const double *p,
                             const long *neighbours, int k, const float *y, long n);

/* Places a new point (dim) in an existing plane y (n, 2) as t-SNE would: its affinities to
 * its k nearest codes (n, dim) are a Gaussian on the code distances whose perplexity is
 * k / 3, and it goes where ae_tsne_place_cost is lowest, starting from the best of those
 * neighbours' plane points. Returns 0 when it cannot (n < 1). */
int      ae_tsne_place (float *point, const float *code, const float *codes, const float *y,
                        long n, int dim, int k);
