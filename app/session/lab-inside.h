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

/* The same on a worker thread, on a copy of the weights and of x, for the many samples
 * and random directions of a deep encoder that would hold up the main loop. */
void   lab_inside_jacobian_norms_async (LabWeights *weights, const float *x, long n,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
/* The norms (n floats, g_free them), or NULL with error set (cancelled). */
float *lab_inside_jacobian_norms_finish (GAsyncResult *result, long *n, GError **error);

/* Trains, on a worker thread, a model with the settings of `weights` but no contractive
 * penalty (a fresh initialisation from the same seed) for `epochs` passes over train
 * (n_train, input_dim), then gives the Jacobian norms of its encoder at test (n_test,
 * input_dim). The arrays are copied. */
void   lab_inside_train_companion_async (LabWeights *weights, const float *train, long n_train,
                                         const float *test, long n_test, int epochs,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
/* The companion's norms (n_test floats, g_free them), or NULL with error set. */
float *lab_inside_train_companion_finish (GAsyncResult *result, long *n_test, GError **error);

G_END_DECLS
