/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-math.h: PCA (through LAPACK), metrics, and the classical filters that the
 * autoencoders are compared with. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ae-status.h"

/* --- PCA -------------------------------------------------------------------------------- */

/* The covariance is dim x dim doubles: 4096 features take 128 MiB, the most a lesson needs
 * (digits have 784, latent codes a few dozen). Beyond that many features, ae_pca_fit
 * switches to a randomized SVD that never forms the covariance. */
#define AE_PCA_MAX_DIM 4096

typedef struct {
  int dim;           /* input features */
  int k;             /* components kept */
  float *mean;       /* (dim) */
  float *components; /* (k, dim) orthonormal rows, by decreasing variance */
  float *variance;   /* (k) eigenvalues of the covariance */
  double total_variance;
} AePca;

/* Fits k components (1 <= k <= dim) on n >= 2 rows of x (n, dim): the covariance is
 * accumulated in double and diagonalised by LAPACK (dsyevr). Each component's sign is fixed
 * so that its largest-magnitude entry is positive, so a fit is reproducible. Non-finite
 * input is refused with the row and column named. */
AeStatus ae_pca_fit (AePca **out, const float *x, long n, int dim, int k, AeError *err);
/* The same through a randomized SVD of the centred rows (k + 10 random directions, four
 * power iterations, a fixed seed): memory of (n + dim) * (k + 10) floats whatever dim is,
 * and k <= n. ae_pca_fit uses it above AE_PCA_MAX_DIM features. */
AeStatus ae_pca_fit_randomized (AePca **out, const float *x, long n, int dim, int k, AeError *err);
void     ae_pca_free (AePca *pca);
/* codes (n, k) = (x - mean) components^T; uses the first k <= pca->k components. */
void     ae_pca_project (const AePca *pca, float *codes, const float *x, long n, int k);
/* out (n, dim) = codes components + mean. */
void     ae_pca_reconstruct (const AePca *pca, float *out, const float *codes, long n, int k);

/* --- metrics ---------------------------------------------------------------------------- */

/* Peak signal-to-noise ratio for values in [0, 1], in dB (capped at 99 for identical).
 * The metrics return NaN for empty or unusable input rather than failing. */
double ae_psnr (const float *a, const float *b, long n);
/* The squared error of (n, dim) rows summed over each row's values, averaged over the rows
 * (`latentlab eval`'s reconstruction error). NaN for n <= 0. */
double ae_sse_per_row (const float *a, const float *b, long n, int dim);
/* Structural similarity of two w x h grey images in [0, 1] (Gaussian window 11, sigma 1.5,
 * as Wang et al. 2004; windows clipped at the border). */
double ae_ssim (const float *a, const float *b, int w, int h);
/* Area under the ROC curve for scores where higher means "anomalous" (label 1); ties count
 * one half. Returns NaN when either class is empty. */
double ae_auroc (const float *scores, const uint8_t *labels, long n);
/* ROC points: fills fpr and tpr (room for n + 1 each) from (0,0) to (1,1), one point per
 * distinct score, descending; returns the count, or 0 when either class is empty. */
long   ae_roc_curve (const float *scores, const uint8_t *labels, long n, float *fpr, float *tpr);
/* The k nearest reference points (nr, dim) of each query point (nq, dim), Euclidean, nearest
 * first (equal distances: lower index first): indices (nq, k) and, when not NULL, squared
 * distances dist2 (nq, k). Leave-one-out when query == ref (then nq must equal nr). k is cut
 * to the number of candidates, and the rows are that many wide; returns that k, or 0 when
 * there are no candidates or memory runs out. */
int    ae_knn_search (long *indices, float *dist2, const float *query, long nq, const float *ref,
                      long nr, int dim, int k);
/* k-NN accuracy: each query point (nq, dim) classified by the majority label of its k
 * nearest reference points (nr, dim), Euclidean; a tied vote goes to the tied label with the
 * nearest neighbour. Leave-one-out when query == ref (then nq must equal nr). k is cut to the
 * number of candidates; NaN when there are none. */
double ae_knn_accuracy (const float *query, const int *query_labels, long nq,
                        const float *ref, const int *ref_labels, long nr, int dim, int k);
/* Trustworthiness (Venna and Kaski 2001) of an embedding y (n, ydim) of x (n, dim) for k
 * neighbours: 1 minus the normalised sum, over each point's k nearest in y that are not among
 * its k nearest in x, of their rank in x beyond k. 1 when every neighbourhood is kept; as
 * scikit-learn's sklearn.manifold.trustworthiness. NaN unless 2k < n. */
double ae_trustworthiness (const float *x, int dim, const float *y, int ydim, long n, int k);
/* Principal angles, in degrees, between the column spaces of a (dim, ka) and b (dim, kb),
 * both row-major; fills angles (min(ka, kb)) ascending and returns the largest. The bases
 * need not be orthonormal, but must have full column rank: otherwise (or when ka or kb is
 * out of 1..dim) the angles are NaN. */
double ae_principal_angles (const float *a, int ka, const float *b, int kb, int dim,
                            double *angles);

/* --- classical filters ------------------------------------------------------------------ */

/* The filters allocate nothing; out and in must not overlap. */

/* 3x3 median filter with the border replicated. */
void ae_median3x3 (float *out, const float *in, int w, int h);

/* The blur's window reaches 3 sigma, cut at this radius (sigma about 21). */
#define AE_BLUR_MAX_RADIUS 64
/* Gaussian blur with the given sigma (separable, border replicated); sigma <= 0 copies. */
void ae_gaussian_blur (float *out, const float *in, int w, int h, float sigma);

/* --- tiles ------------------------------------------------------------------------------ */

/* A function of n images of one fixed size: out and in are (n, channels, tile_h, tile_w). */
typedef void (*AeTileFunc) (void *data, float *out, const float *in, long n);

/* Applies apply to an image in (channels, h, w) of any size in tiles of (channels, tile_h,
 * tile_w) half a tile apart, blended with a window that trusts each tile's centre more
 * than its border (see ae-tiles.c); an image smaller than a tile is padded by repeating
 * its last row and column. out (channels, h, w) must not overlap in. */
AeStatus ae_tiles_apply (float *out, const float *in, int channels, int w, int h, int tile_w,
                         int tile_h, AeTileFunc apply, void *data, AeError *err);
