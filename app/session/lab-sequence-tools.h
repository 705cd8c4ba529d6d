/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sequence-tools.h: the arithmetic of the Sequences view, apart from GTK so that tests
 * can check it: errors per step, codes between two sequences, codes to generate from.
 *
 * Sequences are (steps, features) row-major, as the datasets hold them.
 */
#pragma once

#include <gio/gio.h>

#include "lab-samples.h"
#include "lab-weights.h"

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

/* The Sequences view's computation on a worker (a LabBackgroundSlot's work), each part
 * optional: the value range of the first test sequences, test sequences with their
 * reconstructions, two sequences' codes with the decode between them, and decodes of new
 * codes. The view fills the fields it wants; the job owns what it holds. */
typedef struct {
  LabSamples *test;          /* the test split */
  LabWeights *weights;       /* a reference; NULL: inputs and range only */
  long n_range;              /* the value range over the first n_range test sequences */
  long first;                /* test sequences first .. first + n_shown - 1 to reconstruct */
  int n_shown;
  gboolean has_ends;         /* encode test sequences ends[0] and ends[1], decode their */
  long ends[2];              /* codes and the code mix_t of the way (spherical for a VAE) */
  double mix_t;
  int n_prior;               /* decode n_prior codes from normal (n_prior, latent): N(0, I) */
  float *normal;             /* for a VAE, else the Gaussian of the test codes, given in */
  float *code_mean, *code_sd;  /* (latent) each, or fitted to spread_codes (n_spread, latent) */
  float *spread_codes;       /* or to the codes of the first n_spread test sequences */
  long n_spread;
} LabSequenceJob;

typedef struct {
  double y_min, y_max;       /* of the range's sequences; y_min > y_max when none */
  int n_shown;               /* of the test sequences asked for, those that exist */
  float *shown_input;        /* (n_shown, dim) */
  int *shown_labels;         /* (n_shown) */
  guint8 *shown_flags;       /* (n_shown, steps) labelled anomalous steps, or NULL */
  float *recon;              /* (n_shown, dim), or NULL without weights */
  float *step_errors;        /* (n_shown, steps), or NULL without weights */
  gboolean has_ends;         /* both ends exist and were encoded */
  float *end_codes;          /* (2, latent) */
  float *end_output;         /* (2, dim) */
  float *mix_output;         /* (dim) */
  float *code_mean, *code_sd;  /* (latent): the spread the prior codes were drawn with */
  float *prior_codes;        /* (n_prior, latent) */
  float *prior_output;       /* (n_prior, dim) */
} LabSequenceResult;

/* Takes test; takes a reference to weights (may be NULL). */
LabSequenceJob *lab_sequence_job_new (LabSamples *test, LabWeights *weights);
void            lab_sequence_job_free (LabSequenceJob *job);
/* A LabSequenceResult (lab_sequence_result_free). */
gpointer        lab_sequence_job_run (gpointer job, GCancellable *cancellable);
void            lab_sequence_result_free (LabSequenceResult *result);

G_END_DECLS
