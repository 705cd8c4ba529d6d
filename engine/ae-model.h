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

#include "ae-dataset.h"
#include "ae-io.h"
#include "ae-rng.h"
#include "ae-status.h"

#define AE_MAX_HIDDEN 8
#define AE_PRESET_NAME_MAX 32

typedef enum {
  AE_ACT_IDENTITY,
  AE_ACT_RELU,
  AE_ACT_LEAKY_RELU, /* slope 0.01 below zero */
  AE_ACT_TANH,
  AE_ACT_SIGMOID,
} AeActivation;

typedef enum {
  AE_LOSS_MSE, /* sum of squared errors per sample (Gaussian decoder) */
  AE_LOSS_BCE, /* binary cross-entropy from logits (Bernoulli decoder); output is sigmoid */
  AE_LOSS_L1,  /* sum of absolute errors per sample */
} AeLoss;

typedef enum {
  AE_NOISE_NONE,
  AE_NOISE_GAUSSIAN,    /* level = sigma, result clamped to [0, 1] for images */
  AE_NOISE_SALT_PEPPER, /* level = probability that a value becomes 0 or 1 */
  AE_NOISE_MASKING,     /* level = probability that a value becomes 0 */
  AE_NOISE_MIXED,       /* each sample: Gaussian or salt-and-pepper, at a level drawn
                           uniformly from 0 to level (one model for either kind and any
                           strength; masking is pepper without salt, so it is left out) */
} AeNoise;

typedef enum {
  AE_ARCH_DENSE,    /* fully connected, hidden[] are layer widths */
  AE_ARCH_CONV,     /* conv2d stride 2, hidden[] are channel counts; decoder mirrors with
                       transposed convolutions. With latent 0, fully convolutional: the
                       first convolution keeps the full resolution, the code is the last
                       one's feature maps (no dense layer), see ae_model_latent_dim */
  AE_ARCH_SEQUENCE, /* over (steps, features): see AeSequenceLayer */
} AeArch;

typedef enum {
  AE_SEQUENCE_LSTM, /* LSTM encoder and decoder, hidden[0] units */
  AE_SEQUENCE_CONV, /* 1-D convs of stride 2 along the steps, hidden[] are channel counts;
                       the decoder mirrors them with transposed convs */
} AeSequenceLayer;

typedef enum {
  AE_OPT_ADAM,
  AE_OPT_SGD, /* with momentum */
} AeOptimizer;

typedef struct {
  char preset[AE_PRESET_NAME_MAX]; /* the preset it started from, for display */
  AeArch arch;
  AeSequenceLayer sequence_layer; /* the layers of AE_ARCH_SEQUENCE */
  int channels, height, width; /* input shape, set by ae_config_fit_data */
  /* The data's own units, set by ae_config_fit_data for data rescaled into [0, 1] on loading
   * (see AeDataset): both 0 when the values were not rescaled. Exported for PyTorch. */
  double value_min, value_max;
  int hidden[AE_MAX_HIDDEN];
  int n_hidden;
  int latent; /* 0: the conv architecture without a dense code (see AE_ARCH_CONV) */
  AeActivation activation;        /* hidden layers */
  AeActivation code_activation;   /* the code itself (sigmoid for KL sparsity) */
  AeActivation output_activation; /* sigmoid for images in [0, 1]; BCE requires sigmoid */
  AeLoss loss;
  /* sparse */
  float l1_code;     /* lambda * sum_j |h_j| per sample */
  float kl_sparsity; /* beta * sum_j KL(rho || rho_hat_j), rho_hat over the batch */
  float rho;
  /* contractive: lambda * ||J_f(x)||_F^2 per sample */
  float contractive;
  /* denoising: corrupt the input, compare the output with the clean input */
  AeNoise noise;
  float noise_level;
  /* variational */
  int variational;
  float kl_beta;
  int kl_warmup; /* epochs of linear warm-up of kl_beta from 0 */
  /* optimisation */
  AeOptimizer optimizer;
  float lr;
  float momentum;     /* SGD */
  float weight_decay; /* decoupled (AdamW-style) for Adam, L2 for SGD */
  float clip_norm;    /* global gradient norm clip; 0 = off */
  int batch;
  int epochs;
  uint64_t seed;
  int threads; /* OpenBLAS threads; 0 = automatic */
} AeConfig;

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

/* --- configuration ------------------------------------------------------------------ */

/* The names of the presets, NULL-terminated: undercomplete, sparse, contractive,
 * denoising, vae, linear, conv, sequence, conv-vae. */
extern const char *const ae_preset_names[];

/* Fills cfg with a preset's defaults (for digits, or sines for `sequence`). */
AeStatus ae_config_preset (AeConfig *cfg, const char *preset, AeError *err);
/* Sets one option by its command-line name without the dashes: "latent", "hidden"
 * ("512,128"), "epochs", "batch", "lr", "seed", "threads", "l1", "rho", "beta" (KL
 * sparsity weight), "contractive", "noise" ("gaussian:0.5"), "kl-beta", "warmup",
 * "activation", "loss", "optimizer", "weight-decay", "clip", "momentum"; and, as written
 * by ae_config_to_text, "arch", "code-activation", "output-activation", "variational",
 * "channels", "height", "width", "value-min", "value-max", "preset". Errors name the option and the value. */
AeStatus ae_config_set (AeConfig *cfg, const char *key, const char *value, AeError *err);
/* Sets the input shape and architecture-dependent details from a dataset. */
AeStatus ae_config_fit_data (AeConfig *cfg, const AeDataset *ds, AeError *err);
/* Checks ranges and combinations (e.g. BCE needs a sigmoid output, sizes within limits). */
AeStatus ae_config_validate (const AeConfig *cfg, AeError *err);
/* "key = value" lines; from_text accepts what to_text writes. to_text returns malloc'ed. */
char    *ae_config_to_text (const AeConfig *cfg);
AeStatus ae_config_from_text (AeConfig *cfg, const char *text, AeError *err);
/* True when b differs from a only in options that can change during training (learning
 * rate, penalty weights, noise, KL beta, warm-up, clipping, weight decay, momentum, and
 * the batch size and epochs). */
int      ae_config_is_live_change (const AeConfig *a, const AeConfig *b);

const char *ae_activation_name (AeActivation a);
const char *ae_loss_name (AeLoss l);
const char *ae_noise_name (AeNoise n);
/* Parses "gaussian:0.5", "salt-pepper:0.2", "masking:0.3", "mixed:0.5" or "none". */
AeStatus ae_noise_parse (const char *text, AeNoise *kind, float *level, AeError *err);

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
