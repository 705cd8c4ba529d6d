/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-inside.h: a look inside the network for the Inside view, on a read-only LabWeights.
 *
 * What a sparse or contractive objective does to the code: which units a test subset
 * activates (mean activation per unit, units never active), and how flat the encoder is
 * around the data (the per-sample Frobenius norm of its Jacobian), with a companion model
 * trained with the same settings but no contractive penalty for comparison. The engine
 * stays behind this file: ui/ sees GLib types only.
 */
#pragma once

#include <gio/gio.h>

#include "lab-samples.h"
#include "lab-snapshot.h"
#include "lab-weights.h"

G_BEGIN_DECLS

/* What the objective asks of the code, for labelling the plots. */
typedef struct {
  gboolean has_rho;    /* a KL sparsity term holds the mean activation near rho */
  float rho;
  float contractive;   /* the penalty's weight lambda (0 without) */
  float active_above;  /* a unit counts as active on a sample when its code value is above
                          this (0 for ReLU-like codes, 0.01 for sigmoid; |h| for tanh and
                          identity) */
  gboolean signed_codes; /* codes of either sign (tanh, identity, a VAE's mu): activity
                            is |h| */
  gboolean exact_jacobian; /* the Jacobian norm is the closed form (a one-layer dense
                              encoder), not the finite-difference estimate */
} LabInsideInfo;

void   lab_inside_describe (LabWeights *weights, LabInsideInfo *info);

/* Mean of each of `units` columns of codes (n, units) into mean (of |value| when
 * `signed_codes`), and flags in dead (units) for the units never active (value, or |value|
 * when `signed_codes`, <= active_above on every row). Returns the number of dead units. */
int    lab_inside_unit_activity (float *mean, guint8 *dead, const float *codes, long n, int units,
                                 float active_above, gboolean signed_codes);

/* Per-sample ||J_f(x)||_F of the encoder (the code, mu for a VAE) at x (n, input_dim) into
 * norms (n): the engine's closed form for a one-layer dense encoder, otherwise the
 * engine's finite-difference estimate averaged over several random directions. */
void   lab_inside_jacobian_norms (LabWeights *weights, float *norms, const float *x, long n);

/* --- the view's computations on workers (LabBackgroundSlot works) --------------------- */

/* What new weights show: the description, the first layer as tiles and the activity of
 * the code units over the snapshot's codes. */
typedef struct {
  LabWeights *weights;     /* a reference */
  LabSnapshot *snapshot;   /* a reference: its codes and the data's shape */
  int max_tiles;
} LabInsideLookJob;

typedef struct {
  LabInsideInfo info;
  int units, n_dead;       /* code units, those never active */
  float *mean;             /* (units) mean activation (of |h| for signed codes) */
  guint8 *dead;            /* (units) */
  int n_tiles;             /* first-layer units drawn, 0 for none (data not images) */
  int layer_units, inputs; /* of the first layer: units (or kernels), inputs of each */
  int tile_w, tile_h;
  gboolean colour;         /* RGB tiles (three input planes), else one diverging plane */
  float *tiles;            /* (n_tiles, colour ? 3 : 1, tile_h, tile_w) in [-1, 1] ([0, 1] RGB) */
  float *code_values;      /* the codes' values for their histogram: every one, or an even */
  int n_code_values;       /* sample of LAB_INSIDE_CODE_VALUES (a wide code holds millions) */
} LabInsideLook;

#define LAB_INSIDE_CODE_VALUES 50000

/* Takes references to weights and snapshot. */
LabInsideLookJob *lab_inside_look_job_new (LabWeights *weights, LabSnapshot *snapshot, int max_tiles);
void              lab_inside_look_job_free (LabInsideLookJob *job);
/* A LabInsideLook (lab_inside_look_free). */
gpointer          lab_inside_look_job_run (gpointer job, GCancellable *cancellable);
void              lab_inside_look_free (LabInsideLook *look);

/* The encoder's Jacobian norms at samples of the dataset, on a worker: of weights' model
 * (when it is contractive, when the norm is the closed form, or when `always`), or with
 * `epochs` > 0 of a companion trained first with the same settings and no contractive
 * penalty (a fresh initialisation from the same seed) for `epochs` passes over the first
 * n_train samples of the training split. */
typedef struct {
  LabWeights *weights;     /* a reference */
  LabSamples *train;       /* the training split, borrowed: rows are read through it too */
  guint32 *rows;           /* (n) dataset rows measured (a snapshot's code indices) */
  long n;
  gboolean always;
  int epochs;
  long n_train;
} LabInsideNormsJob;

typedef struct {
  long n;                  /* 0: nothing measured (the model needs no norms) */
  float *norms;            /* (n) */
  GError *error;           /* the companion failed (diverged, out of memory) */
} LabInsideNorms;

/* Takes train and a reference to weights; copies rows. */
LabInsideNormsJob *lab_inside_norms_job_new (LabWeights *weights, LabSamples *train,
                                             const guint32 *rows, long n);
void               lab_inside_norms_job_free (LabInsideNormsJob *job);
/* A LabInsideNorms (lab_inside_norms_free); a cancel stops a companion's training. */
gpointer           lab_inside_norms_job_run (gpointer job, GCancellable *cancellable);
void               lab_inside_norms_free (LabInsideNorms *norms);

G_END_DECLS
