/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-snapshot.h: what the window knows about training at one moment.
 *
 * A LabSnapshot is made by LabSession on the main thread from the trainer's reports and is
 * immutable once delivered: views keep a reference and draw from it while training goes
 * on. It holds no engine type; decoding goes through the LabWeights it carries.
 */
#pragma once

#include <glib-object.h>

#include "lab-weights.h"

G_BEGIN_DECLS

typedef enum {
  LAB_LOSS_TOTAL,
  LAB_LOSS_RECONSTRUCTION,
  LAB_LOSS_SPARSITY,
  LAB_LOSS_CONTRACTIVE,
  LAB_LOSS_KL,
  LAB_N_LOSS_TERMS
} LabLossTerm;

typedef enum {
  LAB_TRAINING_IDLE,     /* never started, paused, or after a step */
  LAB_TRAINING_RUNNING,
  LAB_TRAINING_FINISHED, /* the configured epochs are done */
  LAB_TRAINING_DIVERGED, /* paused with the last finite weights; message says why */
} LabTrainingState;

/* A curve: n points, x in epochs (fractional), y finite (non-finite values never enter). */
typedef struct {
  guint n;
  const double *x;
  const double *y;
} LabCurve;

typedef struct _LabSnapshot LabSnapshot;

struct _LabSnapshot {
  /* Which model this belongs to: bumped by reset, a new dataset or a new architecture. */
  guint generation;
  gulong serial; /* the trainer's report serial; increasing within a generation */
  LabTrainingState state;
  const char *message; /* divergence or end-of-training text, "" otherwise */
  const char *dataset; /* display name, e.g. "MNIST digits" */
  const char *preset;  /* preset name, e.g. "vae" */

  int epoch, epochs;   /* 0-based epoch in progress, and the configured count */
  long batch, batches_per_epoch;
  long steps;          /* batches since the last reset */
  double elapsed_s, samples_per_s;

  /* Loss history since the last reset, per term (1 << LabLossTerm set in `terms` when the
   * objective has that term); train is sampled within epochs, val once per epoch. */
  guint terms;
  LabCurve train[LAB_N_LOSS_TERMS];
  LabCurve val[LAB_N_LOSS_TERMS];

  /* A fixed preview batch (n_preview, dim) each, dim = channels * height * width, values in
   * [0, 1]; NULL before the first report. input is what the model saw (noisy when
   * denoising), clean the target, output the reconstruction. */
  int n_preview, channels, height, width, dim;
  gboolean is_image;
  const float *preview_clean;
  const float *preview_input;
  const float *preview_output;

  /* Codes of a fixed subset of the test split (n_codes, latent); NULL until the first
   * report that carries them. logvar only for a VAE; labels and indices may be NULL. */
  int n_codes, latent;
  gboolean variational;
  const float *codes;
  const float *code_logvar;
  const int *code_labels;
  const guint32 *code_indices;
  int n_classes;
  const char *const *class_names; /* (n_classes) or NULL */
  /* For data with known generating factors (shapes): per latent dimension, the share of
   * each factor's information its codes carry, I(z_j; v_k) / H(v_k) in [0, 1] (latent,
   * n_factors), and the factors' titles; NULL and 0 otherwise. */
  int n_factors;
  const float *code_factor_share;
  const char *const *factor_titles;

  /* A read-only copy of the weights these reports came from, or NULL. */
  LabWeights *weights;
};

#define LAB_TYPE_SNAPSHOT (lab_snapshot_get_type ())

GType        lab_snapshot_get_type (void) G_GNUC_CONST;
LabSnapshot *lab_snapshot_ref (LabSnapshot *self);
void         lab_snapshot_unref (LabSnapshot *self);
/* Whether the curves hold at least one point. */
gboolean     lab_snapshot_has_history (const LabSnapshot *self);
/* The newest finite value of a train (or val) term, or NAN when there is none. */
double       lab_snapshot_last_value (const LabSnapshot *self, LabLossTerm term, gboolean val);
const char  *lab_loss_term_name (LabLossTerm term);
/* The title of the factor of which a latent dimension carries the largest share, and that
 * share when share is not NULL; NULL for data without known factors. */
const char  *lab_snapshot_dimension_factor (const LabSnapshot *self, int dimension, double *share);
/* The name of class label, or NULL for unlabelled data and labels out of range. */
const char  *lab_snapshot_class_name (const LabSnapshot *self, int label);
/* The term that is the whole objective: the total when there are several terms, else the
 * reconstruction (the only one). */
LabLossTerm  lab_snapshot_objective_term (const LabSnapshot *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabSnapshot, lab_snapshot_unref)

G_END_DECLS
