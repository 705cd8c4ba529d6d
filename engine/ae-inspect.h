/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-inspect.h: looking inside a trained model, for the views, the lessons and eval.
 *
 * What a caller outside the engine cannot read off the public model API without knowing
 * its layers: the subspace a linear decoder spans, and how strongly the encoder reacts to
 * small moves of its input (the norm of its Jacobian).
 */
#pragma once

#include "ae-math.h"
#include "ae-model.h"

/* The steps and directions of the Jacobian estimate (see ae_inspect_jacobian_norms). */
#define AE_INSPECT_JACOBIAN_DIRECTIONS 8

/* The decoder's columns as basis (dim, latent) row-major: column i is decode(e_i) -
 * decode(0), with a sigmoid output undone first (the logit), so that for a linear model
 * the columns span exactly the decoder's affine image. Returns AE_ERR_NOMEM or AE_OK. */
AeStatus ae_inspect_decoder_basis (AeModel *model, float *basis, AeError *err);

/* The largest principal angle, in degrees, between the decoder's subspace (the basis above)
 * and the span of PCA's first latent components: 0 when a linear model has found PCA's
 * subspace. NaN when PCA has fewer components than the code, another input size, or memory
 * runs out. */
double   ae_inspect_pca_angle (AeModel *model, const AePca *pca);

/* The Frobenius norm of the encoder's Jacobian ||J_f(x)||_F at each of n samples (the
 * mean code for a VAE): the closed form sum_j h'(a_j)^2 ||W_j||^2 for a one-layer dense
 * encoder, else the contractive penalty's finite-difference estimate averaged over
 * AE_INSPECT_JACOBIAN_DIRECTIONS random directions of a fixed stream (the same weights
 * give the same norms). Returns AE_ERR_NOMEM or AE_OK. */
AeStatus ae_inspect_jacobian_norms (AeModel *model, float *norms, const float *x, long n,
                                    AeError *err);

/* True when the encoder is one dense layer (the Jacobian norm is then exact). */
int ae_inspect_jacobian_is_exact (const AeModel *model);
