/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sequence-tools.h: the arithmetic of the Sequences view, apart from GTK so that tests
 * can check it: errors per step, codes between two sequences, codes to generate from.
 *
 * Sequences are (steps, features) row-major, as the datasets hold them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* errors (steps) = the squared error of each step, averaged over its features:
 * mean_f (x[t, f] - x_hat[t, f])^2. */
void lab_sequence_step_errors (float *errors, const float *x, const float *x_hat, int steps,
                               int features);

/* out (latent): the code a fraction t in [0, 1] of the way from a to b. Spherical for a VAE,
 * whose codes live on a shell of the prior; straight otherwise. t = 0 and t = 1 give a and b
 * exactly, so that the ends decode to the two sequences' own reconstructions. */
void lab_sequence_mix_codes (float *out, const float *a, const float *b, int latent, double t,
                             gboolean spherical);

/* The mean (latent) and standard deviation (latent) of n codes (n, latent): for a plain
 * autoencoder, whose codes have no prior, the Gaussian to draw new codes from. */
void lab_sequence_code_spread (float *mean, float *sd, const float *codes, long n, int latent);

/* out (n, latent) drawn from N(mean, diag sd^2); mean and sd NULL for the prior N(0, I). */
void lab_sequence_draw_codes (float *out, long n, int latent, const float *mean, const float *sd,
                              GRand *rand);

G_END_DECLS
