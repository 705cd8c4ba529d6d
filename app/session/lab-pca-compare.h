/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-pca-compare.h: what the versus PCA view needs from the engine, in GLib terms.
 *
 * Errors are `latentlab eval`'s: the squared error summed over an image's values, averaged
 * over the test split (test_sse_per_image, pca_sse_per_image), with PCA fitted on the
 * training split. PCA is fitted once per dataset for every k up to k_max; the model is
 * measured in a GTask thread each time new weights come. A LabPcaCompare is immutable once
 * made and may be shared between threads.
 */
#pragma once

#include <gio/gio.h>

#include "lab-session.h"
#include "lab-weights.h"

G_BEGIN_DECLS

typedef struct _LabPcaCompare LabPcaCompare;

/* Fits PCA with k_max components (cut to what the data allows) on the training rows
 * (n_train, dim) and measures its error on the test rows (n_test, dim) at every k, keeping a
 * copy of the test rows. */
LabPcaCompare *lab_pca_compare_new (const float *train, long n_train, const float *test,
                                    long n_test, int dim, int k_max, GError **error);
/* The same from a session's training and test splits, in a GTask thread (the splits are
 * copied on the calling thread, which must be the main one). */
void           lab_pca_compare_new_async (LabSession *session, int k_max,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
LabPcaCompare *lab_pca_compare_new_finish (GAsyncResult *result, GError **error);
LabPcaCompare *lab_pca_compare_ref (LabPcaCompare *self);
void           lab_pca_compare_unref (LabPcaCompare *self);

int            lab_pca_compare_get_k_max (const LabPcaCompare *self);
int            lab_pca_compare_get_dim (const LabPcaCompare *self);
long           lab_pca_compare_get_n_test (const LabPcaCompare *self);
const float   *lab_pca_compare_get_test (const LabPcaCompare *self, long index);
/* PCA-k's squared error per test image, 1 <= k <= k_max. */
double         lab_pca_compare_get_sse (const LabPcaCompare *self, int k);
/* out (n, dim): x (n, dim) projected on the first k components and back. */
void           lab_pca_compare_reconstruct (const LabPcaCompare *self, float *out,
                                            const float *x, long n, int k);
/* Principal angles in degrees (min(latent, k) ascending into angles, which may be NULL)
 * between the decoder's column space and the first k = latent components; returns the
 * largest, NaN when latent > k_max or the decoder is rank-deficient. The decoder's columns
 * are decode(e_i) - decode(0), as `latentlab eval` reads them: exact for a linear decoder
 * (the linear preset), a local linearisation at the origin for any other. */
double         lab_pca_compare_angles (const LabPcaCompare *self, LabWeights *weights,
                                       double *angles);

/* One measurement of a model against the comparison. */
typedef struct {
  int latent;
  double sse;         /* the model's squared error per test image */
  double *angles;     /* (latent) ascending, NaN when not defined */
  double largest;     /* the largest angle, NaN when not defined */
  long n_recon;
  float *recon;       /* (n_recon, dim): the model's reconstructions of the first test rows */
  float *pca_recon;   /* (n_recon, dim): PCA-latent's, or NULL when latent > k_max */
} LabPcaMeasure;

LabPcaMeasure *lab_pca_compare_measure (const LabPcaCompare *self, LabWeights *weights,
                                        long n_recon);
void           lab_pca_measure_free (LabPcaMeasure *measure);
/* lab_pca_compare_measure in a thread (which holds references to its arguments). */
void           lab_pca_compare_measure_async (LabPcaCompare *self, LabWeights *weights,
                                              long n_recon, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
LabPcaMeasure *lab_pca_compare_measure_finish (GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabPcaCompare, lab_pca_compare_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabPcaMeasure, lab_pca_measure_free)

G_END_DECLS
