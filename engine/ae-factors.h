/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-factors.h: how well a code separates the known factors that generated the data
 * (AeDataset.factors): the mutual information between each latent dimension and each
 * factor, both discretised, and the mutual information gap (MIG; Chen et al., "Isolating
 * Sources of Disentanglement in VAEs", 2018). */
#pragma once

#include "ae-dataset.h"
#include "ae-status.h"

/* Bins per latent dimension (equal widths between its smallest and largest code) and per
 * continuous factor (equal widths over its range), as in Locatello et al. 2019. */
#define AE_FACTOR_BINS 20

typedef struct {
  int latent, n_factors;
  double *mi;      /* (latent, n_factors) I(z_j; v_k) in nats */
  double *entropy; /* (n_factors) H(v_k) in nats */
  double *gap;     /* (n_factors) largest minus second largest I(z_j; v_k), over H(v_k) */
  int *best_dim;   /* (n_factors) the dimension with the largest */
  double mig;      /* the mean of the gaps, in [0, 1] */
} AeFactorScore;

/* Scores n codes (n, latent) against their samples' factors (n, n_factors) described by
 * info. A dimension that never moves carries no information. Clear the score with
 * ae_factor_score_clear (also after a failure). */
AeStatus ae_factor_score (AeFactorScore *score, const float *codes, long n, int latent,
                          const float *factors, int n_factors, const AeFactor *info, AeError *err);
void     ae_factor_score_clear (AeFactorScore *score);

/* I(z_j; v_k) / H(v_k): the share of factor k's information that dimension j carries. */
double   ae_factor_score_share (const AeFactorScore *score, int j, int k);
