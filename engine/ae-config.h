/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-config.h: what a model is made of and how it trains, before any model exists.
 *
 * AeConfig and its enums, the presets (the registry of model families the program offers),
 * options by name as the command line gives them, validation and the text form saved in
 * model files. Nothing here needs a model: the command line, the session and the lessons
 * read and edit configurations, and ae-model.h builds from one.
 */
#pragma once

#include <stdint.h>

#include "ae-dataset.h"
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
  AE_ARCH_RESIDUAL, /* a residual denoiser (DnCNN): 3x3 convolutions of stride 1 with the
                       same padding, hidden[] are channel counts, then one back to the
                       input's channels that predicts the noise; output = input - that.
                       No layer fixes the image's size (see ae_model_apply_image). The
                       code is the last hidden layer's feature maps (latent 0). */
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

/* --- configuration ------------------------------------------------------------------ */

/* The presets: a starting configuration for each family of autoencoder, in the order the
 * lists show them. Titles and descriptions are English, marked for translation (the window
 * translates them). */
typedef struct {
  const char *name;        /* as --preset takes it: "undercomplete", "vae" */
  const char *title;       /* "Undercomplete", "Variational" */
  const char *description; /* one sentence: what the family learns */
  const char *dataset;     /* the built-in dataset its defaults suit: "digits" or "sines" */
} AePreset;

/* Every preset, terminated by an entry whose name is NULL. */
extern const AePreset ae_presets[];
/* The preset called name, or NULL. */
const AePreset *ae_preset_find (const char *name);

/* Fills cfg with a preset's defaults (for digits, or sines for `sequence`). */
AeStatus ae_config_preset (AeConfig *cfg, const char *preset, AeError *err);
/* The training split the digit presets' epochs are counted on: the embedded digits'. */
#define AE_PRESET_DIGITS_TRAIN 7200
/* A preset's epochs for a training split of n_train samples: its own on digits, fewer on a
 * larger split (as many samples in all, at least one epoch), so that a demo lasts about as
 * long on Fashion-MNIST's 54,000 images as on the digits. 0 for an unknown preset. */
int      ae_config_preset_epochs (const char *preset, long n_train);
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
/* Parses "gaussian:0.5", "salt-pepper:0.2", "masking:0.3", "mixed:0.5", "none", or a
 * number alone as Gaussian noise of that sigma ("0.1"). */
AeStatus ae_noise_parse (const char *text, AeNoise *kind, float *level, AeError *err);
