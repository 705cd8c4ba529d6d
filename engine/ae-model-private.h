/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-model-private.h: the inside of AeModel, shared with the files that add layer kinds
 * (convolutions, LSTM). Everything the model does to a layer goes through a switch on its
 * kind in ae-model-layers.c: a new kind adds a case to ae_layer_param_count, ae_layer_bind,
 * ae_layer_init, ae_layer_forward and ae_layer_backward there and to ae_model_tensors in
 * ae-model.c, and a new architecture a build function beside build_dense in ae-model.c. Activations, their gradients and each layer's cache
 * are allocated by the model from out_dim and cache_floats.
 */
#pragma once

#include "ae-conv.h"
#include "ae-model.h"
#include "ae-team.h"

typedef enum {
  AE_LAYER_DENSE,      /* out = act(inp @ w^T + b) */
  AE_LAYER_CONV,       /* out = act(conv2d (inp, w) + b), NCHW */
  AE_LAYER_CONV_T,     /* out = act(conv_transpose2d (inp, w) + b), NCHW */
  AE_LAYER_LSTM,       /* (T, F) -> (T, units) hidden states; w = w_ih, w2 = w_hh, b = bias */
  AE_LAYER_SEQ_LAST,   /* (T, D) -> (D): the last step, no parameters */
  AE_LAYER_SEQ_REPEAT, /* (D) -> (T, D): the same row at every step, no parameters */
  AE_LAYER_STEP_DENSE, /* (T, F) -> (T, units): one dense layer applied at every step */
} AeLayerKind;

#define AE_MAX_LAYERS (2 * AE_MAX_HIDDEN + 2)

typedef struct {
  AeLayerKind kind;
  char name[AE_TENSOR_NAME_MAX]; /* "encoder.0", "decoder.2", "code", "head" (VAE mu|logvar) */
  int in_dim, out_dim;           /* floats per sample in and out */
  AeActivation act;              /* applied to the output (the model backpropagates it) */
  size_t cache_floats;           /* per sample, kept from forward for backward (im2col
                                    columns, LSTM gates); 0 for dense */
  size_t offset, n_params;       /* where its parameters sit in the arenas */
  AeConvShape conv;              /* conv, conv_t: the geometry */
  int in_batch_inner, out_batch_inner; /* dense beside a linked conv (ae_conv_link_dense):
                                    on batches of AE_CONV_BATCH_INNER_MIN rows or more, its
                                    input (output) is (features, B) */
  int steps, features, units;    /* sequence kinds: T, features in, features out per step */
  float *w;                      /* dense: (out_dim, in_dim); conv: (OC, C, K, K); conv_t:
                                    (C, OC, K, K); lstm: w_ih (4 units, features);
                                    step dense: (units, features) */
  float *w2;                     /* lstm: w_hh (4 units, units); NULL otherwise */
  float *b;                      /* (out channels or units; lstm 4 units) */
  float *dw, *dw2, *db;          /* the same shapes in the gradient arena, or NULL */
} AeLayer;

/* One set of activation buffers for a forward (and backward) pass through the layers. */
typedef struct {
  float *out[AE_MAX_LAYERS];  /* (cap, layer out_dim), after the activation */
  float *dout[AE_MAX_LAYERS]; /* (cap, layer out_dim), gradients; NULL without gradients */
  float *cache[AE_MAX_LAYERS]; /* (cap, layer cache_floats), or NULL */
} AePass;

struct AeModel {
  AeConfig cfg;
  int dim;    /* input floats per sample */
  int latent; /* code size */
  int n_layers, n_enc;      /* encoder = layers[0, n_enc), its last one gives the code; decoder = the rest */
  AeLayer layers[AE_MAX_LAYERS];

  size_t n_params;
  float *params;           /* (n_params) every weight and bias */
  float *grads;            /* (n_params), NULL in a clone */
  float *adam_m, *adam_v;  /* (n_params) optimiser state (v doubles as SGD velocity), NULL in a clone */
  long step;               /* optimiser steps taken */
  AeRng rng;               /* used when a caller passes no generator */

  int cap;         /* rows every buffer holds: the batch */
  float *buffers;  /* one allocation behind every pointer below */
  AePass main;     /* the pass on the (corrupted) input */
  AePass perturbed; /* the encoder on input + s * eps, for the contractive estimate */
  float *input;        /* (cap, dim) corrupted copy of the batch */
  float *pert_input;   /* (cap, dim) */
  float *z, *dz, *eps; /* (cap, latent) VAE sample, its gradient and its noise */
  float *workspace;    /* (workspace floats) scratch shared by the conv and LSTM layers */
  float *scratch;      /* (latent) per-unit values: KL sparsity's mean activations, the
                          contractive closed form's squared row norms */

  /* Training split over ae_set_threads threads: the batch in one share per thread, share
   * i > 0 computed on replicas[i - 1], which reads these parameters and has gradients and
   * buffers of its own. Made at the first split step. */
  AeTeam *team;
  AeModel *replicas[AE_TEAM_MAX - 1];
  int is_replica;
  int params_in_arena;   /* params from ae_model_arena (a training model's), else malloc */
  int later_weights;     /* dense layers' weight gradients left to the split step */
  float *part_grads;     /* a split step's weight gradients that the optimiser takes at
                            once: one part's per team member, reused while in cache */
  size_t part_grads_floats;
  const float *enc_input, *dec_input; /* what the last pass fed the encoder and decoder */
  /* Split steps run by the team, or by the calling thread alone when that measured
   * faster (see ae_model_split_mode); results are the same either way. */
  int alone, alone_now;  /* the way chosen, and the way of the step in progress */
  int probe_left;        /* steps of the other way still to run in the probe under way */
  long until_probe, probe_every; /* steps to the next probe, and the last interval */
  double split_seconds[2]; /* mean seconds of a split step: by the team, alone */
  int split_fixed;       /* 0: measure; 1: always the team; 2: always alone (tests) */
};

/* The layer kinds' dispatch (ae-model-layers.c), the one place that knows each kind. */
size_t ae_layer_param_count (const AeLayer *layer);
/* Points the layer's weights into params and its gradients into grads (NULL in a clone). */
void   ae_layer_bind (AeLayer *layer, float *params, float *grads);
void   ae_layer_init (AeLayer *layer, AeRng *rng);
/* Floats of shared scratch the layer needs for B rows. */
size_t ae_layer_workspace (const AeLayer *layer, int B);
/* cache holds layer->cache_floats per sample that forward may keep for backward. */
void   ae_layer_forward (const AeLayer *layer, float *out, float *cache, const float *inp, int B,
                         float *workspace);
/* dpre: the gradient of the output before the activation; dinp (may be NULL) gets the
 * gradient of the input, overwritten; a dense layer leaves its weights' gradients for later
 * when later_weights (a split step). */
void   ae_layer_backward (const AeLayer *layer, float *dinp, const float *dpre, const float *cache,
                          const float *inp, int B, float *workspace, int later_weights);

/* Building (ae-model.c): carves the activation buffers (and their gradients when
 * with_grads) for model->cap rows out of one allocation. */
AeStatus ae_model_alloc_buffers (AeModel *m, int with_grads, AeError *err);
/* n zeroed floats for a training model's parameters, gradients or moments; NULL when out
 * of memory. Freed by ae_model_arena_free with the same n. */
float *ae_model_arena (size_t n);
void   ae_model_arena_free (float *arena, size_t n);

/* Split steps (ae-model-step.c): the way (team or alone) of the step that starts, and the
 * step's wall time once it ended. */
void ae_model_split_mode (AeModel *m);
void ae_model_split_timed (AeModel *m, double seconds);

/* Passes (ae-model-passes.c). What layer l reads: the encoder's input, the decoder's, or
 * the layer before's output. */
const float *ae_model_layer_input (const AeModel *m, const AePass *pass, int l,
                                   const float *enc_input, const float *dec_input);
/* A residual model's output from its last layer's n values (the predicted noise), in
 * place: out = input - out; nothing for other architectures. */
void  ae_model_residual (const AeModel *m, float *out, const float *input, long n);
/* The KL weight at a (fractional) epoch: kl_beta after a linear warm-up. */
float ae_model_kl_weight (const AeConfig *c, float epoch);
/* The objective on B rows (at most cap) of a batch of `total` rows: its terms and, with
 * grads, its gradients added into the gradient arena, both as shares of the whole batch's
 * mean. rng NULL: no corruption and z = mu (evaluation). */
void  ae_model_run_batch (AeModel *m, AeLossTerms *terms, const float *x, int B, int total,
                          float kl_w, AeRng *rng, int with_grads);

/* The step of the finite-difference contractive estimate, in input units. */
#define AE_CONTRACTIVE_STEP 0.05f
