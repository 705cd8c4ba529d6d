/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-model.h: one model type for every autoencoder family.
 *
 * A model is an encoder, a bottleneck (the code) and a decoder, plus objective options.
 * The options compose: a denoising sparse model, a denoising VAE, a contractive conv model
 * are all legal configurations of the same type.
 *
 * Threading: a model is used by one thread at a time. The trainer trains its own model;
 * the window decodes from a clone (ae_model_clone) that the trainer hands out.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ae-config.h"
#include "ae-io.h"
#include "ae-rng.h"
#include "ae-status.h"

/* Loss terms, each per sample averaged over a batch (nats for BCE/KL). reconstruction,
 * sparsity and contractive are the weighted terms added into total; kl is the KL
 * divergence itself (unweighted), and total adds it times the current KL weight, so that
 * reconstruction + kl is the negative ELBO whatever kl_beta is. */
typedef struct {
  double total;
  double reconstruction;
  double sparsity;
  double contractive;
  double kl;
} AeLossTerms;

/* sum += weight * t, term by term (means over batches of several sizes). */
void ae_loss_terms_add (AeLossTerms *sum, const AeLossTerms *t, double weight);

/* --- the model ------------------------------------------------------------------------ */

typedef struct AeModel AeModel;

/* Allocates the parameter, gradient and optimiser arenas and initialises the weights
 * from cfg->seed. cfg must have been fitted to data (ae_config_fit_data). */
AeStatus ae_model_new (AeModel **out, const AeConfig *cfg, AeError *err);
void     ae_model_free (AeModel *model);
/* Weights and configuration only (no gradients or optimiser state): for decoding on
 * another thread and for read-only snapshots. */
AeModel *ae_model_clone (const AeModel *model);
/* Copies parameters (and optimiser state when both have it) from src; same architecture. */
void     ae_model_copy_params (AeModel *dst, const AeModel *src);
/* Re-initialises the weights from seed and clears the optimiser state. */
void     ae_model_reset (AeModel *model, uint64_t seed);

const AeConfig *ae_model_config (const AeModel *model);
/* Applies a live change (see ae_config_is_live_change); refuses architectural changes. */
AeStatus ae_model_set_config (AeModel *model, const AeConfig *cfg, AeError *err);
int      ae_model_input_dim (const AeModel *model);
int      ae_model_latent_dim (const AeModel *model);
size_t   ae_model_n_params (const AeModel *model);
/* The number of parameters a model of cfg (fitted to its data) would have, found without
 * allocating or initialising them; the errors ae_model_new would give for cfg. */
AeStatus ae_model_count_params (const AeConfig *cfg, size_t *n_params, AeError *err);

/* Computes the objective on a clean batch x (B, dim) and adds its gradients into the
 * gradient arena (after zeroing it). When the model is denoising, the input is
 * corrupted with rng first. epoch (fractional) drives the KL warm-up. Does not update. */
AeStatus ae_model_loss_and_grad (AeModel *model, AeLossTerms *terms, const float *x, int B,
                                 float epoch, AeRng *rng, AeError *err);
/* One optimiser step from the current gradients (clipping, weight decay, Adam/SGD). */
void     ae_model_apply_grad (AeModel *model);
/* loss_and_grad + apply_grad. A non-finite loss or gradient returns AE_ERR_DIVERGED and
 * leaves the weights untouched. */
AeStatus ae_model_train_step (AeModel *model, AeLossTerms *terms, const float *x, int B,
                              float epoch, AeRng *rng, AeError *err);

/* Loss terms on a batch without gradients. rng NULL: no corruption and z = mu for a VAE
 * (deterministic); otherwise corruption and sampling as in training. The KL weight is
 * the full kl_beta. */
void ae_model_evaluate (AeModel *model, AeLossTerms *terms, const float *x, int B, AeRng *rng);

/* Inference, any B (processed in chunks). codes (B, latent) are mu for a VAE; logvar
 * (B, latent) may be NULL (and is filled with zeros for a model that is not variational).
 * Outputs are after the output activation. */
void ae_model_encode (AeModel *model, float *codes, float *logvar, const float *x, long B);
void ae_model_decode (AeModel *model, float *out, const float *codes, long B);
void ae_model_reconstruct (AeModel *model, float *out, const float *x, long B);
/* Per-sample reconstruction error (the model's loss summed over features) of
 * reconstructing input (B, dim) against target (B, dim). */
void ae_model_sample_errors (AeModel *model, float *errors, const float *input,
                             const float *target, long B);

/* Whether every layer is a convolution of stride 1 that keeps its input's size (the
 * residual denoiser): such a model runs on an image of any size with the same weights. */
int      ae_model_is_fully_convolutional (const AeModel *model);
/* A fully convolutional model on one image in (channels, height, width) of any size, in
 * one pass: each layer's geometry is built for the image's size, and out (channels,
 * height, width) gets what ae_model_reconstruct would give for an input of that size,
 * clamped to [0, 1] as an image's values are. A large image goes through in bands of rows
 * that each carry a halo of as many rows as the layers reach, so every band's rows hold
 * the one pass's values (no seams) and the scratch memory stays near
 * AE_IMAGE_PASS_FLOATS. out must not overlap in. */
#define AE_IMAGE_PASS_FLOATS (1L << 26)
AeStatus ae_model_apply_image (AeModel *model, float *out, const float *in, int width, int height,
                               AeError *err);
/* The mean of the model's outputs over the image's eight flips and quarter turns, each
 * turned back (test-time self-ensembling): eight times the work, for a denoiser's errors
 * that do not follow the symmetries of the picture. The photo denoiser: 29.7 dB on a
 * photo it never saw where one pass gave 29.1. */
#define AE_IMAGE_VIEWS 8
AeStatus ae_model_apply_image_ensemble (AeModel *model, float *out, const float *in, int width,
                                        int height, AeError *err);
/* The same in bands of band_rows output rows (0: as many as the memory bound allows), for
 * tests that compare bands with one pass. */
AeStatus ae_model_apply_image_bands (AeModel *model, float *out, const float *in, int width,
                                     int height, int band_rows, AeError *err);

/* Flat views of the parameter and gradient arenas (for optimisers and gradient checks). */
float *ae_model_params (AeModel *model, size_t *n);
float *ae_model_grads (AeModel *model, size_t *n);

/* Parameters as named tensors whose data point into the model (not copies). Returns the
 * count; fills at most max. Names like "encoder.0.weight", "decoder.1.bias", "mu.weight". */
int      ae_model_tensors (const AeModel *model, AeTensor *tensors, int max);
/* First dense (or conv) layer's weights: (units, inputs) row-major, pointing into the model. */
const float *ae_model_first_layer (const AeModel *model, int *units, int *inputs);

AeStatus ae_model_save (const AeModel *model, const char *path, AeError *err);
AeStatus ae_model_load (AeModel **out, const char *path, AeError *err);
/* A model from a configuration text and its tensors as a model file holds them (exactly
 * the tensors its configuration needs, finite); path names the file in messages. */
AeStatus ae_model_from_tensors (AeModel **out, const char *path, const char *config_text,
                                const AeTensor *tensors, int n_tensors, AeError *err);
/* safetensors in PyTorch's names and layouts, with the configuration and the architecture
 * as metadata (see ae-export.c); the import reads such a file back, also one written by
 * python/latentlab_torch.py after fine-tuning. */
AeStatus ae_model_export_safetensors (const AeModel *model, const char *path, AeError *err);
AeStatus ae_model_import_safetensors (AeModel **out, const char *path, AeError *err);

/* Corrupts x (n values) in place as the model's noise option says (shared by training,
 * the denoise command and the window). Images are kept in [0, 1]. Mixed noise draws one
 * kind and level for all n values. */
void ae_corrupt (float *x, long n, AeNoise kind, float level, AeRng *rng);
/* The same for B samples of dim values: mixed noise draws a kind and level per sample. */
void ae_corrupt_samples (float *x, long B, int dim, AeNoise kind, float level, AeRng *rng);

/* Threads that a training step is split over, each taking a share of the batch with one
 * BLAS thread (at least 32 rows each; one for KL sparsity, whose target is a mean over
 * the whole batch). 0 = every core. Before the first call: 1. A model takes a change at
 * its next step. */
void ae_set_threads (int threads);
int  ae_get_threads (void);
/* Threads that a training step of B rows on this model is split over. */
int  ae_model_train_threads (const AeModel *model, int B);
/* Cores online. */
int  ae_cpu_count (void);
