/* ae-model.c: the model, its arenas, the objective of every family, and the optimisers. */
#include "ae-model.h"

#include <assert.h>
#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ae-clock.h"
#include "ae-layers.h"
#include "ae-lstm.h"
#include "ae-model-private.h"

#define ADAM_BETA1 0.9f
#define ADAM_BETA2 0.999f
#define ADAM_EPS 1e-8f

/* --- layers: the one place that knows each kind ---------------------------------------- */

static size_t
layer_param_count (const AeLayer *layer)
{
  switch (layer->kind)
    {
    case AE_LAYER_DENSE: return (size_t) layer->out_dim * layer->in_dim + (size_t) layer->out_dim;
    case AE_LAYER_CONV:
    case AE_LAYER_CONV_T:
      return ae_conv_weight_size (&layer->conv) + (size_t) layer->conv.out_channels;
    case AE_LAYER_LSTM:
      return (size_t) 4 * layer->units * (layer->features + layer->units + 1);
    case AE_LAYER_STEP_DENSE: return (size_t) layer->units * (layer->features + 1);
    case AE_LAYER_SEQ_LAST:
    case AE_LAYER_SEQ_REPEAT: return 0;
    }
  return 0;
}

/* Floats of the weight matrix (w) of a layer; its bias follows it, except in an LSTM
 * where w_hh sits between them. */
static size_t
layer_weight_count (const AeLayer *layer)
{
  switch (layer->kind)
    {
    case AE_LAYER_DENSE: return (size_t) layer->out_dim * layer->in_dim;
    case AE_LAYER_CONV:
    case AE_LAYER_CONV_T: return ae_conv_weight_size (&layer->conv);
    case AE_LAYER_LSTM: return (size_t) 4 * layer->units * layer->features;
    case AE_LAYER_STEP_DENSE: return (size_t) layer->units * layer->features;
    case AE_LAYER_SEQ_LAST:
    case AE_LAYER_SEQ_REPEAT: return 0;
    }
  return 0;
}

/* Points the layer's weights into an arena (base = params or grads). */
static void
layer_bind (AeLayer *layer, float *params, float *grads)
{
  if (layer->n_params == 0)
    return;
  size_t nw = layer_weight_count (layer);
  size_t nw2 = layer->kind == AE_LAYER_LSTM ? (size_t) 4 * layer->units * layer->units : 0;
  layer->w = params + layer->offset;
  layer->w2 = nw2 > 0 ? layer->w + nw : NULL;
  layer->b = layer->w + nw + nw2;
  layer->dw = grads != NULL ? grads + layer->offset : NULL;
  layer->dw2 = grads != NULL && nw2 > 0 ? layer->dw + nw : NULL;
  layer->db = grads != NULL ? layer->dw + nw + nw2 : NULL;
}

static void
layer_init (AeLayer *layer, AeRng *rng)
{
  if (layer->n_params == 0)
    return;
  /* fan_in and fan_out of one output unit, whatever the kind. */
  int fan_in = layer->in_dim, fan_out = layer->out_dim;
  size_t n = layer_weight_count (layer), n_bias = (size_t) layer->out_dim;
  switch (layer->kind)
    {
    case AE_LAYER_DENSE: break;
    case AE_LAYER_CONV:
      fan_in = layer->conv.in_channels * layer->conv.kernel_h * layer->conv.kernel_w;
      fan_out = layer->conv.out_channels * layer->conv.kernel_h * layer->conv.kernel_w;
      n_bias = (size_t) layer->conv.out_channels;
      break;
    case AE_LAYER_CONV_T:
      /* Each output sees about C * K * K / stride^2 inputs. */
      fan_in = layer->conv.in_channels * layer->conv.kernel_h * layer->conv.kernel_w
               / (layer->conv.stride_h * layer->conv.stride_w);
      fan_out = layer->conv.out_channels * layer->conv.kernel_h * layer->conv.kernel_w;
      n_bias = (size_t) layer->conv.out_channels;
      break;
    case AE_LAYER_STEP_DENSE:
      fan_in = layer->features, fan_out = layer->units, n_bias = (size_t) layer->units;
      break;
    case AE_LAYER_LSTM:
      {
        /* PyTorch's U(-1/sqrt(units), 1/sqrt(units)) on every weight, and a forget bias of
         * one so that the cell keeps its memory at the start of training. */
        float a = 1.0f / sqrtf ((float) layer->units);
        size_t total = layer->n_params - (size_t) 4 * layer->units;
        for (size_t i = 0; i < total; i++)
          layer->w[i] = a * (2.0f * ae_rng_uniform (rng) - 1.0f);
        memset (layer->b, 0, (size_t) 4 * layer->units * sizeof (float));
        for (int j = 0; j < layer->units; j++)
          layer->b[layer->units + j] = 1.0f;
      }
      return;
    case AE_LAYER_SEQ_LAST:
    case AE_LAYER_SEQ_REPEAT: return;
    }
  if (layer->act == AE_ACT_RELU || layer->act == AE_ACT_LEAKY_RELU)
    {
      /* He: keeps the variance of a rectified signal through the layer. */
      float sd = sqrtf (2.0f / (float) fan_in);
      for (size_t i = 0; i < n; i++)
        layer->w[i] = sd * ae_rng_normal (rng);
    }
  else
    {
      /* Xavier/Glorot uniform, for symmetric and saturating activations. */
      float a = sqrtf (6.0f / (float) (fan_in + fan_out));
      for (size_t i = 0; i < n; i++)
        layer->w[i] = a * (2.0f * ae_rng_uniform (rng) - 1.0f);
    }
  memset (layer->b, 0, n_bias * sizeof (float));
}

/* Scratch floats a layer needs for a batch of B (shared by all layers). */
static size_t
layer_workspace (const AeLayer *layer, int B)
{
  switch (layer->kind)
    {
    case AE_LAYER_CONV:
    case AE_LAYER_CONV_T: return ae_conv_workspace_size (&layer->conv, B);
    case AE_LAYER_LSTM: return ae_lstm_workspace_size (B, layer->steps, layer->units);
    default: return 0;
    }
}

/* cache holds layer->cache_floats per sample that forward may keep for backward. */
static void
ae_layer_forward (const AeLayer *layer, float *out, float *cache, const float *inp, int B,
                  float *workspace)
{
  switch (layer->kind)
    {
    case AE_LAYER_DENSE:
      ae_dense_forward (out, inp, layer->w, layer->b, B, layer->in_dim, layer->out_dim, layer->act);
      return;
    case AE_LAYER_CONV:
      ae_conv2d_forward (out, inp, layer->w, layer->b, &layer->conv, B, workspace);
      break;
    case AE_LAYER_CONV_T:
      ae_conv_transpose2d_forward (out, inp, layer->w, layer->b, &layer->conv, B, workspace);
      break;
    case AE_LAYER_LSTM:
      ae_lstm_forward (out, NULL, cache, inp, layer->w, layer->w2, layer->b, NULL, NULL, B,
                       layer->steps, layer->features, layer->units);
      break;
    case AE_LAYER_SEQ_LAST:
      ae_seq_last_forward (out, inp, B, layer->steps, layer->units);
      break;
    case AE_LAYER_SEQ_REPEAT:
      ae_seq_repeat_forward (out, inp, B, layer->steps, layer->units);
      break;
    case AE_LAYER_STEP_DENSE:
      ae_dense_forward (out, inp, layer->w, layer->b, B * layer->steps, layer->features,
                        layer->units, layer->act);
      return;
    }
  ae_activation_forward (out, (long) B * layer->out_dim, layer->act);
}

/* dpre is the gradient with respect to the layer's output before its activation. A dense
 * layer leaves its weights' gradients for later when `later_weights` (a split step). */
static void
ae_layer_backward (const AeLayer *layer, float *dinp, const float *dpre, const float *cache,
                   const float *inp, int B, float *workspace, int later_weights)
{
  assert (!later_weights || layer->kind == AE_LAYER_DENSE);
  switch (layer->kind)
    {
    case AE_LAYER_DENSE:
      ae_dense_backward (dinp, later_weights ? NULL : layer->dw, later_weights ? NULL : layer->db,
                         dpre, inp, layer->w, B, layer->in_dim, layer->out_dim);
      break;
    case AE_LAYER_CONV:
      ae_conv2d_backward (dinp, layer->dw, layer->db, dpre, inp, layer->w, &layer->conv, B,
                          workspace);
      break;
    case AE_LAYER_CONV_T:
      ae_conv_transpose2d_backward (dinp, layer->dw, layer->db, dpre, inp, layer->w, &layer->conv,
                                    B, workspace);
      break;
    case AE_LAYER_LSTM:
      ae_lstm_backward (dinp, layer->dw, layer->dw2, layer->db, NULL, NULL, dpre, cache, inp,
                        layer->w, layer->w2, NULL, NULL, B, layer->steps, layer->features,
                        layer->units, workspace);
      break;
    case AE_LAYER_SEQ_LAST:
      if (dinp != NULL)
        ae_seq_last_backward (dinp, dpre, B, layer->steps, layer->units);
      break;
    case AE_LAYER_SEQ_REPEAT:
      if (dinp != NULL)
        ae_seq_repeat_backward (dinp, dpre, B, layer->steps, layer->units);
      break;
    case AE_LAYER_STEP_DENSE:
      ae_dense_backward (dinp, layer->dw, layer->db, dpre, inp, layer->w, B * layer->steps,
                         layer->features, layer->units);
      break;
    }
}

/* --- building ------------------------------------------------------------------------------ */

/* Appends a layer whose kind and geometry the caller filled in proto. */
static AeLayer *
add_layer (AeModel *m, const AeLayer *proto, const char *name)
{
  assert (m->n_layers < AE_MAX_LAYERS);
  AeLayer *layer = &m->layers[m->n_layers++];
  *layer = *proto;
  snprintf (layer->name, sizeof layer->name, "%s", name);
  layer->offset = m->n_params;
  layer->n_params = layer_param_count (layer);
  m->n_params += layer->n_params;
  return layer;
}

static void
add_dense (AeModel *m, const char *name, int in_dim, int out_dim, AeActivation act)
{
  AeLayer proto = { .kind = AE_LAYER_DENSE, .in_dim = in_dim, .out_dim = out_dim, .act = act };
  add_layer (m, &proto, name);
}

static void
add_conv (AeModel *m, const char *name, const AeConvShape *shape, AeActivation act)
{
  AeLayer proto = { .kind = shape->transposed ? AE_LAYER_CONV_T : AE_LAYER_CONV,
                    .conv = *shape,
                    .in_dim = (int) ae_conv_in_size (shape),
                    .out_dim = (int) ae_conv_out_size (shape),
                    .act = act };
  add_layer (m, &proto, name);
}

/* A sequence layer over T steps from `features` to `units` per step (for last and repeat,
 * features = units = D). */
static void
add_seq (AeModel *m, const char *name, AeLayerKind kind, int T, int features, int units,
         AeActivation act)
{
  AeLayer proto = { .kind = kind, .steps = T, .features = features, .units = units, .act = act };
  proto.in_dim = kind == AE_LAYER_SEQ_REPEAT ? features : T * features;
  proto.out_dim = kind == AE_LAYER_SEQ_LAST ? units : T * units;
  if (kind == AE_LAYER_LSTM)
    proto.cache_floats = ae_lstm_cache_size (1, T, units);
  add_layer (m, &proto, name);
}

/* The code layer: mu|logvar head for a VAE, else encoder.<index>. */
static void
add_code_layer (AeModel *m, int index, int prev)
{
  const AeConfig *c = &m->cfg;
  char name[AE_TENSOR_NAME_MAX];
  if (c->variational)
    add_dense (m, "head", prev, 2 * c->latent, AE_ACT_IDENTITY); /* rows: mu, then logvar */
  else
    {
      snprintf (name, sizeof name, "encoder.%d", index);
      add_dense (m, name, prev, c->latent, c->code_activation);
    }
  m->n_enc = m->n_layers;
}

static AeStatus
build_dense (AeModel *m)
{
  const AeConfig *c = &m->cfg;
  char name[AE_TENSOR_NAME_MAX];
  int prev = m->dim;
  for (int i = 0; i < c->n_hidden; i++)
    {
      snprintf (name, sizeof name, "encoder.%d", i);
      add_dense (m, name, prev, c->hidden[i], c->activation);
      prev = c->hidden[i];
    }
  add_code_layer (m, c->n_hidden, prev);
  prev = c->latent;
  for (int i = c->n_hidden - 1; i >= 0; i--)
    {
      snprintf (name, sizeof name, "decoder.%d", c->n_hidden - 1 - i);
      add_dense (m, name, prev, c->hidden[i], c->activation);
      prev = c->hidden[i];
    }
  /* Logits: the output activation is applied with the loss (BCE needs the logits). */
  snprintf (name, sizeof name, "decoder.%d", c->n_hidden);
  add_dense (m, name, prev, m->dim, AE_ACT_IDENTITY);
  return AE_OK;
}

#define CONV_KERNEL 3
#define CONV_PADDING 1
#define CONV_STRIDE 2

/* encoder.i: conv2d stride 2 to hidden[i] channels; encoder.n: dense to the code (or the
 * head); decoder.0: dense back to the last conv's (C, H, W); decoder.1..n: transposed
 * convs mirroring the encoder, the last one giving the input's shape as logits.
 * With latent 0 the code is the last conv's output (with the code activation) and the
 * dense pair is left out; the first conv then has stride 1, since pixel-exact outputs
 * (a clean pixel kept as it is beside a corrupted one) are hard to rebuild from maps
 * that halve the resolution at once. */
static AeStatus
build_conv (AeModel *m, AeError *err)
{
  const AeConfig *c = &m->cfg;
  char name[AE_TENSOR_NAME_MAX];
  AeConvShape enc[AE_MAX_HIDDEN];
  int stride[AE_MAX_HIDDEN];
  const int map_code = c->latent == 0;
  int C = c->channels, H = c->height, W = c->width;
  for (int i = 0; i < c->n_hidden; i++)
    {
      stride[i] = map_code && i == 0 ? 1 : CONV_STRIDE;
      if (ae_conv2d_shape (&enc[i], C, H, W, c->hidden[i], CONV_KERNEL, stride[i], CONV_PADDING,
                           err) != AE_OK)
        return ae_error_prefix (err, "conv layer %d on %d x %d x %d", i, C, H, W);
      snprintf (name, sizeof name, "encoder.%d", i);
      int last = i == c->n_hidden - 1;
      add_conv (m, name, &enc[i], map_code && last ? c->code_activation : c->activation);
      C = enc[i].out_channels, H = enc[i].out_height, W = enc[i].out_width;
    }
  if (map_code)
    {
      m->n_enc = m->n_layers;
      m->latent = C * H * W;
    }
  else
    {
      add_code_layer (m, c->n_hidden, C * H * W);
      add_dense (m, "decoder.0", c->latent, C * H * W, c->activation);
    }
  for (int i = c->n_hidden - 1; i >= 0; i--)
    {
      const AeConvShape *e = &enc[i];
      int op_h = ae_conv_output_padding (e->out_height, e->in_height, CONV_KERNEL, stride[i],
                                         CONV_PADDING);
      int op_w = ae_conv_output_padding (e->out_width, e->in_width, CONV_KERNEL, stride[i],
                                         CONV_PADDING);
      if (op_h < 0 || op_w < 0 || op_h != op_w)
        return ae_error_set (err, AE_ERR_UNSUPPORTED,
                             "conv layer %d: no transposed convolution maps %d x %d back to %d x %d",
                             i, e->out_height, e->out_width, e->in_height, e->in_width);
      AeConvShape d;
      if (ae_conv_transpose2d_shape (&d, e->out_channels, e->out_height, e->out_width,
                                     e->in_channels, CONV_KERNEL, stride[i], CONV_PADDING, op_h,
                                     err) != AE_OK)
        return ae_error_prefix (err, "transposed conv layer %d", c->n_hidden - i);
      snprintf (name, sizeof name, "decoder.%d", c->n_hidden - i - map_code);
      /* Logits last: the output activation is applied with the loss. */
      add_conv (m, name, &d, i == 0 ? AE_ACT_IDENTITY : c->activation);
    }
  return AE_OK;
}

#define SEQ_CONV_KERNEL 5
#define SEQ_CONV_PADDING 2

/* Input (T = height, F = channels * width) seen as one (T, F) channel. encoder.i: conv
 * of stride 2 along the steps to hidden[i] channels (the first spans the F features);
 * encoder.n: dense to the code (or the head); decoder.0: dense back to the last conv's
 * (C, T'); decoder.1..n: transposed convs mirroring the encoder, the last one giving
 * (T, F) logits. A kernel of 5 steps sees a whole QRS complex of ecg at the first layer. */
static AeStatus
build_sequence_conv (AeModel *m, AeError *err)
{
  const AeConfig *c = &m->cfg;
  char name[AE_TENSOR_NAME_MAX];
  AeConvShape enc[AE_MAX_HIDDEN];
  int C = 1, T = c->height, W = c->channels * c->width;
  for (int i = 0; i < c->n_hidden; i++)
    {
      if (ae_conv_steps_shape (&enc[i], C, T, W, c->hidden[i], SEQ_CONV_KERNEL, CONV_STRIDE,
                               SEQ_CONV_PADDING, err) != AE_OK)
        return ae_error_prefix (err, "sequence conv layer %d on %d channels of %d steps", i, C, T);
      snprintf (name, sizeof name, "encoder.%d", i);
      add_conv (m, name, &enc[i], c->activation);
      C = enc[i].out_channels, T = enc[i].out_height, W = 1;
    }
  add_code_layer (m, c->n_hidden, C * T);
  add_dense (m, "decoder.0", c->latent, C * T, c->activation);
  for (int i = c->n_hidden - 1; i >= 0; i--)
    {
      const AeConvShape *e = &enc[i];
      int op = ae_conv_output_padding (e->out_height, e->in_height, SEQ_CONV_KERNEL, CONV_STRIDE,
                                       SEQ_CONV_PADDING);
      AeConvShape d;
      if (op < 0
          || ae_conv_transpose_steps_shape (&d, e->out_channels, e->out_height, e->in_channels,
                                            e->in_width, SEQ_CONV_KERNEL, CONV_STRIDE,
                                            SEQ_CONV_PADDING, op, err) != AE_OK)
        return ae_error_set (err, AE_ERR_UNSUPPORTED,
                             "sequence conv layer %d: no transposed convolution maps %d steps "
                             "back to %d", i, e->out_height, e->in_height);
      snprintf (name, sizeof name, "decoder.%d", c->n_hidden - i);
      /* Logits last: the output activation is applied with the loss. */
      add_conv (m, name, &d, i == 0 ? AE_ACT_IDENTITY : c->activation);
    }
  return AE_OK;
}

/* Input (T = height, F = width). encoder.0: LSTM F -> hidden[0]; encoder.1: its last
 * state; encoder.2: dense to the code (or the head). decoder.0: the code repeated over T
 * steps; decoder.1: LSTM latent -> hidden[0]; decoder.2: dense per step to F logits. */
static AeStatus
build_sequence (AeModel *m, AeError *err)
{
  const AeConfig *c = &m->cfg;
  if (c->sequence_layer == AE_SEQUENCE_CONV)
    return build_sequence_conv (m, err);
  const int T = c->height, F = c->channels * c->width, Hd = c->hidden[0];
  add_seq (m, "encoder.0", AE_LAYER_LSTM, T, F, Hd, AE_ACT_IDENTITY);
  add_seq (m, "encoder.1", AE_LAYER_SEQ_LAST, T, Hd, Hd, AE_ACT_IDENTITY);
  add_code_layer (m, 2, Hd);
  add_seq (m, "decoder.0", AE_LAYER_SEQ_REPEAT, T, c->latent, c->latent, AE_ACT_IDENTITY);
  add_seq (m, "decoder.1", AE_LAYER_LSTM, T, c->latent, Hd, AE_ACT_IDENTITY);
  add_seq (m, "decoder.2", AE_LAYER_STEP_DENSE, T, Hd, F, AE_ACT_IDENTITY);
  return AE_OK;
}

/* The shared scratch of the conv and LSTM layers: the largest any layer needs. */
static size_t
workspace_floats (const AeModel *m)
{
  size_t most = 0;
  for (int l = 0; l < m->n_layers; l++)
    {
      size_t n = layer_workspace (&m->layers[l], m->cap);
      most = n > most ? n : most;
    }
  return most;
}

/* Floats needed by every activation buffer of a model with cap rows. */
static size_t
buffer_floats (const AeModel *m, int with_grads)
{
  size_t cap = (size_t) m->cap, widths = 0, enc_widths = 0, caches = 0, enc_caches = 0;
  for (int l = 0; l < m->n_layers; l++)
    {
      widths += (size_t) m->layers[l].out_dim;
      caches += m->layers[l].cache_floats;
      if (l < m->n_enc)
        {
          enc_widths += (size_t) m->layers[l].out_dim;
          enc_caches += m->layers[l].cache_floats;
        }
    }
  size_t passes = with_grads ? 2 : 1;
  return cap * (widths * passes + caches)             /* main pass */
         + cap * (enc_widths * passes + enc_caches)   /* perturbed encoder pass */
         + 2 * cap * (size_t) m->dim    /* input, pert_input */
         + 3 * cap * (size_t) m->latent /* z, dz, eps */
         + (size_t) m->latent               /* scratch */
         + workspace_floats (m);
}

/* Points every buffer into m->buffers. */
static void
alloc_buffers_bind (AeModel *m, int with_grads)
{
  size_t cap = (size_t) m->cap;
  float *p = m->buffers;
  for (int l = 0; l < m->n_layers; l++)
    {
      size_t n = cap * (size_t) m->layers[l].out_dim;
      size_t c = cap * m->layers[l].cache_floats;
      m->main.out[l] = p, p += n;
      m->main.dout[l] = with_grads ? p : NULL, p += with_grads ? n : 0;
      m->main.cache[l] = c > 0 ? p : NULL, p += c;
      if (l < m->n_enc)
        {
          m->perturbed.out[l] = p, p += n;
          m->perturbed.dout[l] = with_grads ? p : NULL, p += with_grads ? n : 0;
          m->perturbed.cache[l] = c > 0 ? p : NULL, p += c;
        }
    }
  m->input = p, p += cap * (size_t) m->dim;
  m->pert_input = p, p += cap * (size_t) m->dim;
  m->z = p, p += cap * (size_t) m->latent;
  m->dz = p, p += cap * (size_t) m->latent;
  m->eps = p, p += cap * (size_t) m->latent;
  m->scratch = p, p += (size_t) m->latent;
  m->workspace = p, p += workspace_floats (m);
  assert ((size_t) (p - m->buffers) == buffer_floats (m, with_grads));
}

/* Carves every activation buffer out of one allocation. */
static AeStatus
alloc_buffers (AeModel *m, int with_grads, AeError *err)
{
  size_t total = buffer_floats (m, with_grads);
  m->buffers = malloc (total * sizeof (float));
  if (m->buffers == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for %zu activation values (batch %d)",
                         total, m->cap);
  alloc_buffers_bind (m, with_grads);
  return AE_OK;
}

static void
init_weights (AeModel *m, uint64_t seed)
{
  AeRng rng;
  ae_rng_seed (&rng, seed);
  for (int l = 0; l < m->n_layers; l++)
    layer_init (&m->layers[l], &rng);
  /* A separate stream for corruption and sampling when callers pass no generator. */
  ae_rng_seed (&m->rng, seed ^ 0x9e3779b97f4a7c15ULL);
}

static AeStatus
model_create (AeModel **out, const AeConfig *cfg, int with_grads, AeError *err)
{
  *out = NULL;
  AeStatus st = ae_config_validate (cfg, err);
  if (st != AE_OK)
    return st;
  if (cfg->channels <= 0 || cfg->height <= 0 || cfg->width <= 0)
    return ae_error_set (err, AE_ERR_INVALID,
                         "the input shape is not set: fit the configuration to a dataset first");
  AeModel *m = calloc (1, sizeof *m);
  if (m == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for a model");
  m->cfg = *cfg;
  m->dim = cfg->channels * cfg->height * cfg->width;
  m->latent = cfg->latent;
  /* Inference runs in chunks of cap rows: keep chunks large enough for efficient GEMMs. */
  m->cap = cfg->batch < 64 ? 64 : cfg->batch;
  switch (cfg->arch)
    {
    case AE_ARCH_DENSE: st = build_dense (m); break;
    case AE_ARCH_CONV: st = build_conv (m, err); break;
    case AE_ARCH_SEQUENCE: st = build_sequence (m, err); break;
    }
  if (st != AE_OK)
    {
      free (m);
      return st;
    }
  if (m->n_params > (size_t) AE_MAX_PARAMS)
    {
      size_t n = m->n_params;
      free (m);
      return ae_error_set (err, AE_ERR_LIMIT, "%zu parameters: at most %ld are accepted", n,
                           AE_MAX_PARAMS);
    }
  m->params = malloc (m->n_params * sizeof (float));
  if (with_grads)
    {
      m->grads = calloc (m->n_params, sizeof (float));
      m->adam_m = calloc (m->n_params, sizeof (float));
      m->adam_v = calloc (m->n_params, sizeof (float));
    }
  if (m->params == NULL || (with_grads && (m->grads == NULL || m->adam_m == NULL || m->adam_v == NULL)))
    {
      size_t n = m->n_params;
      ae_model_free (m);
      return ae_error_set (err, AE_ERR_NOMEM, "out of memory for %zu parameters", n);
    }
  for (int l = 0; l < m->n_layers; l++)
    layer_bind (&m->layers[l], m->params, m->grads);
  if ((st = alloc_buffers (m, with_grads, err)) != AE_OK)
    {
      ae_model_free (m);
      return st;
    }
  *out = m;
  return AE_OK;
}

AeStatus
ae_model_new (AeModel **out, const AeConfig *cfg, AeError *err)
{
  AeStatus st = model_create (out, cfg, 1, err);
  if (st == AE_OK)
    init_weights (*out, cfg->seed);
  return st;
}

void
ae_model_free (AeModel *model)
{
  if (model == NULL)
    return;
  ae_team_free (model->team);
  for (int i = 0; i < AE_TEAM_MAX - 1; i++)
    ae_model_free (model->replicas[i]);
  if (model->is_replica)
    {
      /* Its parameters are the model's. */
      free (model->grads);
      free (model->buffers);
      free (model);
      return;
    }
  free (model->params);
  free (model->grads);
  free (model->adam_m);
  free (model->adam_v);
  free (model->buffers);
  free (model);
}

AeModel *
ae_model_clone (const AeModel *model)
{
  AeModel *copy = NULL;
  if (model_create (&copy, &model->cfg, 0, NULL) != AE_OK)
    return NULL;
  memcpy (copy->params, model->params, model->n_params * sizeof (float));
  copy->rng = model->rng;
  copy->step = model->step;
  return copy;
}

void
ae_model_copy_params (AeModel *dst, const AeModel *src)
{
  assert (dst->n_params == src->n_params);
  memcpy (dst->params, src->params, src->n_params * sizeof (float));
  if (dst->adam_m != NULL && src->adam_m != NULL)
    {
      memcpy (dst->adam_m, src->adam_m, src->n_params * sizeof (float));
      memcpy (dst->adam_v, src->adam_v, src->n_params * sizeof (float));
      dst->step = src->step;
    }
}

void
ae_model_reset (AeModel *model, uint64_t seed)
{
  init_weights (model, seed);
  if (model->grads != NULL)
    {
      memset (model->grads, 0, model->n_params * sizeof (float));
      memset (model->adam_m, 0, model->n_params * sizeof (float));
      memset (model->adam_v, 0, model->n_params * sizeof (float));
    }
  model->step = 0;
}

const AeConfig *ae_model_config (const AeModel *model) { return &model->cfg; }
int ae_model_input_dim (const AeModel *model) { return model->dim; }
int ae_model_latent_dim (const AeModel *model) { return model->latent; }
size_t ae_model_n_params (const AeModel *model) { return model->n_params; }

AeStatus
ae_model_set_config (AeModel *model, const AeConfig *cfg, AeError *err)
{
  AeStatus st = ae_config_validate (cfg, err);
  if (st != AE_OK)
    return st;
  if (!ae_config_is_live_change (&model->cfg, cfg))
    return ae_error_set (err, AE_ERR_INVALID,
                         "this change alters the architecture, seed or optimiser; only the "
                         "learning rate, batch size, penalty weights, noise, KL weight and warm-up, "
                         "clipping, weight decay and momentum can change during training");
  if (cfg->batch > model->cap)
    {
      /* Larger batches need larger buffers: allocated here, once, not per batch. */
      float *old = model->buffers;
      int old_cap = model->cap;
      model->cap = cfg->batch;
      if ((st = alloc_buffers (model, model->grads != NULL, err)) != AE_OK)
        {
          model->buffers = old;
          model->cap = old_cap;
          alloc_buffers_bind (model, model->grads != NULL);
          return st;
        }
      free (old);
    }
  model->cfg = *cfg;
  return AE_OK;
}

/* --- corruption --------------------------------------------------------------------------- */

/* out = base + sigma * N(0, 1), n values. Box-Muller in float, both values of each pair:
 * noise for a whole batch then costs a fraction of its GEMMs instead of a third of them. */
static void
add_normal_noise (float *out, const float *base, long n, float sigma, AeRng *rng)
{
  for (long i = 0; i < n; i += 2)
    {
      float u1 = ((float) (ae_rng_next (rng) >> 40) + 1.0f) * (1.0f / 16777216.0f); /* (0, 1] */
      float u2 = (float) (ae_rng_next (rng) >> 40) * (1.0f / 16777216.0f);
      float r = sigma * sqrtf (-2.0f * logf (u1));
      float angle = 6.28318530718f * u2;
      out[i] = base[i] + r * cosf (angle);
      if (i + 1 < n)
        out[i + 1] = base[i + 1] + r * sinf (angle);
    }
}

void
ae_corrupt (float *x, long n, AeNoise kind, float level, AeRng *rng)
{
  switch (kind)
    {
    case AE_NOISE_NONE:
      break;
    case AE_NOISE_GAUSSIAN:
      add_normal_noise (x, x, n, level, rng);
      for (long i = 0; i < n; i++)
        x[i] = fminf (fmaxf (x[i], 0.0f), 1.0f);
      break;
    case AE_NOISE_SALT_PEPPER:
      for (long i = 0; i < n; i++)
        {
          float u = ae_rng_uniform (rng);
          if (u < level)
            x[i] = u < 0.5f * level ? 0.0f : 1.0f; /* half salt, half pepper */
        }
      break;
    case AE_NOISE_MASKING:
      for (long i = 0; i < n; i++)
        if (ae_rng_uniform (rng) < level)
          x[i] = 0.0f;
      break;
    case AE_NOISE_MIXED:
      {
        AeNoise drawn = ae_rng_uniform (rng) < 0.5f ? AE_NOISE_GAUSSIAN : AE_NOISE_SALT_PEPPER;
        ae_corrupt (x, n, drawn, level * ae_rng_uniform (rng), rng);
      }
      break;
    }
}

void
ae_corrupt_samples (float *x, long B, int dim, AeNoise kind, float level, AeRng *rng)
{
  if (kind != AE_NOISE_MIXED)
    {
      ae_corrupt (x, B * dim, kind, level, rng);
      return;
    }
  for (long r = 0; r < B; r++)
    ae_corrupt (x + (size_t) r * dim, dim, kind, level, rng);
}

/* --- passes ---------------------------------------------------------------------------------- */

static const float *
layer_input (const AeModel *m, const AePass *pass, int l, const float *enc_input, const float *dec_input)
{
  if (l == 0)
    return enc_input;
  if (l == m->n_enc)
    return dec_input;
  return pass->out[l - 1];
}

static void
encoder_forward (AeModel *m, AePass *pass, const float *input, int B)
{
  for (int l = 0; l < m->n_enc; l++)
    ae_layer_forward (&m->layers[l], pass->out[l], pass->cache[l], layer_input (m, pass, l, input, NULL),
                      B, m->workspace);
}

static void
decoder_forward (AeModel *m, const float *codes, int B)
{
  for (int l = m->n_enc; l < m->n_layers; l++)
    ae_layer_forward (&m->layers[l], m->main.out[l], m->main.cache[l],
                      layer_input (m, &m->main, l, NULL, codes), B, m->workspace);
}

/* Backward from the gradient in dout[l] (with respect to the output after the activation)
 * down to layer `first`; writes the gradient of the input of `first` into dinp (cleared
 * here) unless it is NULL. The contractive closed form joins at the code layer. */
static void
layers_backward (AeModel *m, AePass *pass, int first, int last, const float *enc_input,
                 const float *dec_input, float *dinp, int B, float contractive_scale)
{
  for (int l = last; l >= first; l--)
    {
      const AeLayer *layer = &m->layers[l];
      float *dpre = pass->dout[l];
      ae_activation_backward (dpre, pass->out[l], (long) B * layer->out_dim, layer->act);
      if (l == m->n_enc - 1 && contractive_scale != 0.0f)
        ae_contractive_closed (dpre, layer->dw, m->scratch, pass->out[l], layer->w, B, m->latent,
                               layer->in_dim, layer->out_dim, layer->act, m->cfg.contractive,
                               contractive_scale);
      float *d = l > first ? pass->dout[l - 1] : dinp;
      size_t n_in = (size_t) B * layer->in_dim;
      if (d != NULL)
        memset (d, 0, n_in * sizeof (float));
      ae_layer_backward (layer, d, dpre, pass->cache[l], layer_input (m, pass, l, enc_input, dec_input),
                         B, m->workspace, m->later_weights);
    }
}

static float
kl_weight (const AeConfig *c, float epoch)
{
  if (c->kl_warmup <= 0)
    return c->kl_beta;
  return c->kl_beta * fminf (1.0f, fmaxf (epoch, 0.0f) / (float) c->kl_warmup);
}

/* The objective on B rows (at most cap) of a batch of `total` rows: its terms and, with
 * grads, its gradients added into the gradient arena, both as shares of the whole batch's
 * mean. rng NULL: no corruption and z = mu (evaluation). */
static void
run_batch (AeModel *m, AeLossTerms *terms, const float *x, int B, int total, float kl_w, AeRng *rng,
           int with_grads)
{
  const AeConfig *c = &m->cfg;
  const int L = m->latent;
  const AeLayer *code_layer = &m->layers[m->n_enc - 1];
  const int code_stride = code_layer->out_dim; /* L, or 2L for mu|logvar */
  const float scale = 1.0f / (float) total;
  /* rho_hat is a mean over the whole batch: a share cannot compute it alone. */
  assert (B == total || c->kl_sparsity == 0.0f);
  memset (terms, 0, sizeof *terms);

  /* Corrupt a copy; the loss compares with the clean x. */
  const float *input = x;
  if (c->noise != AE_NOISE_NONE && c->noise_level > 0.0f && rng != NULL)
    {
      memcpy (m->input, x, (size_t) B * m->dim * sizeof (float));
      ae_corrupt_samples (m->input, B, m->dim, c->noise, c->noise_level, rng);
      input = m->input;
    }

  encoder_forward (m, &m->main, input, B);
  float *code = m->main.out[m->n_enc - 1]; /* (B, code_stride): h, or mu|logvar */
  const float *dec_input = code;
  if (c->variational)
    {
      if (rng != NULL)
        for (long i = 0; i < (long) B * L; i++)
          m->eps[i] = ae_rng_normal (rng);
      else
        memset (m->eps, 0, (size_t) B * L * sizeof (float));
      ae_reparameterize_forward (m->z, code, code + L, m->eps, B, L, code_stride);
      dec_input = m->z;
    }
  decoder_forward (m, dec_input, B);
  m->enc_input = input;
  m->dec_input = dec_input;

  /* Reconstruction: sets the gradient of the logits. */
  float *logits = m->main.out[m->n_layers - 1];
  float *dlogits = with_grads ? m->main.dout[m->n_layers - 1] : NULL;
  double recon = ae_recon_loss (dlogits, NULL, logits, x, B, m->dim, c->loss, c->output_activation,
                                scale);
  terms->reconstruction = recon / total;

  float *dcode = with_grads ? m->main.dout[m->n_enc - 1] : NULL;
  if (with_grads)
    layers_backward (m, &m->main, m->n_enc, m->n_layers - 1, NULL, dec_input,
                     c->variational ? m->dz : dcode, B, 0.0f);

  /* Penalties on the code add into dcode. */
  double sparsity = 0.0;
  if (c->l1_code > 0.0f)
    sparsity += ae_l1_penalty (dcode, code, B, L, c->l1_code, scale) / total;
  if (c->kl_sparsity > 0.0f)
    sparsity += ae_kl_sparsity_penalty (dcode, m->scratch, code, B, L, c->rho, c->kl_sparsity);
  terms->sparsity = sparsity;

  if (c->variational)
    {
      if (with_grads)
        {
          memset (dcode, 0, (size_t) B * code_stride * sizeof (float));
          ae_reparameterize_backward (dcode, dcode + L, m->dz, m->eps, code + L, B, L, code_stride);
        }
      double kl = ae_vae_kl (dcode, dcode != NULL ? dcode + L : NULL, code, code + L, B, L,
                             code_stride, 1.0f, kl_w * scale);
      terms->kl = kl / total;
    }

  float closed_scale = 0.0f;
  if (c->contractive > 0.0f)
    {
      if (c->n_hidden == 0)
        {
          /* The gradient joins in layers_backward, after the code's activation. */
          terms->contractive = ae_contractive_closed (NULL, NULL, m->scratch, code, code_layer->w,
                                                      B, L, code_layer->in_dim, code_stride,
                                                      code_layer->act, c->contractive, scale) / total;
          closed_scale = scale;
        }
      else
        {
          AeRng fixed;
          AeRng *noise_rng = rng;
          if (noise_rng == NULL)
            {
              ae_rng_seed (&fixed, 0x5eedc0de);
              noise_rng = &fixed;
            }
          const float s = AE_CONTRACTIVE_STEP;
          add_normal_noise (m->pert_input, input, (long) B * m->dim, s, noise_rng);
          encoder_forward (m, &m->perturbed, m->pert_input, B);
          float *code1 = m->perturbed.out[m->n_enc - 1];
          float *dcode1 = with_grads ? m->perturbed.dout[m->n_enc - 1] : NULL;
          if (dcode1 != NULL)
            memset (dcode1, 0, (size_t) B * code_stride * sizeof (float));
          terms->contractive = ae_contractive_estimate (dcode, dcode1, code, code1, B, L,
                                                        code_stride, s, c->contractive, scale) / total;
          if (with_grads)
            layers_backward (m, &m->perturbed, 0, m->n_enc - 1, m->pert_input, NULL, NULL, B, 0.0f);
        }
    }

  terms->total = terms->reconstruction + terms->sparsity + terms->contractive + kl_w * terms->kl;

  if (with_grads)
    layers_backward (m, &m->main, 0, m->n_enc - 1, input, NULL, NULL, B, closed_scale);
}

static void
add_terms (AeLossTerms *sum, const AeLossTerms *t, double weight)
{
  sum->total += weight * t->total;
  sum->reconstruction += weight * t->reconstruction;
  sum->sparsity += weight * t->sparsity;
  sum->contractive += weight * t->contractive;
  sum->kl += weight * t->kl;
}

/* --- training split over threads ------------------------------------------------------------ */

/* Threads a training step is split over (ae_set_threads); 1 until it is called. */
static atomic_int training_threads = 1;
/* Fewer rows than this per thread, and the GEMMs lose more than the second thread gains
 * (one BLAS thread on the dense bench model: 85 % of the 128-row rate at 32 rows, 96 % at
 * 64). */
#define MIN_ROWS_PER_THREAD 32

static int
team_size_for (const AeModel *m, int B)
{
  int n = atomic_load_explicit (&training_threads, memory_order_relaxed);
  if (n > B / MIN_ROWS_PER_THREAD)
    n = B / MIN_ROWS_PER_THREAD;
  if (n > AE_TEAM_MAX)
    n = AE_TEAM_MAX;
  /* KL sparsity's rho_hat is a mean over the whole batch. */
  if (m->cfg.kl_sparsity > 0.0f)
    n = 1;
  return n > 1 ? n : 1;
}

int
ae_model_train_threads (const AeModel *model, int B)
{
  return team_size_for (model, B);
}

/* A model that reads m's parameters, with gradients and buffers of its own. */
static AeModel *
replica_new (const AeModel *m)
{
  AeModel *r = malloc (sizeof *r);
  if (r == NULL)
    return NULL;
  *r = *m;
  r->is_replica = 1;
  r->team = NULL;
  memset (r->replicas, 0, sizeof r->replicas);
  r->adam_m = r->adam_v = NULL;
  r->buffers = NULL;
  r->grads = calloc (m->n_params, sizeof (float));
  for (int l = 0; l < r->n_layers; l++)
    layer_bind (&r->layers[l], m->params, r->grads);
  if (r->grads == NULL || alloc_buffers (r, 1, NULL) != AE_OK)
    {
      ae_model_free (r);
      return NULL;
    }
  return r;
}

/* Makes the team of n members and their replicas (with m's batch capacity) ready; 0 when
 * memory or threads ran out, and the step then runs on the calling thread. */
static int
team_ready (AeModel *m, int n)
{
  if (m->team != NULL && ae_team_size (m->team) != n)
    {
      ae_team_free (m->team);
      m->team = NULL;
    }
  if (m->team == NULL && ae_team_new (&m->team, n, NULL) != AE_OK)
    return 0;
  for (int i = 0; i < n - 1; i++)
    {
      if (m->replicas[i] != NULL && m->replicas[i]->cap != m->cap)
        {
          ae_model_free (m->replicas[i]);
          m->replicas[i] = NULL;
        }
      if (m->replicas[i] == NULL && (m->replicas[i] = replica_new (m)) == NULL)
        return 0;
      m->replicas[i]->cfg = m->cfg;
    }
  return 1;
}

/* Parts of the parameters: several per thread, so that a thread that is late to start
 * leaves them to the others; each starts on a 64-byte line, so that no two write one. */
#define PARAM_PARTS_PER_THREAD 4
#define PARAM_BLOCK 16
/* Parts of the dense layers' weight gradients: rows of about this many floats. */
#define WEIGHT_PART_FLOATS 65536
#define MAX_WEIGHT_PARTS 128

/* Rows [first, end) of layer's weights. */
typedef struct {
  int layer, first, end;
} WeightPart;

/* One training step split over a team: the batch in one share per thread (share i on
 * the model, or on replicas[i - 1], with a random stream of its own), then the gradients
 * of the whole batch and the optimiser step in parts of the parameters. */
typedef struct {
  AeModel *model;
  int shares;
  const float *x;
  int B;
  float kl_w;
  AeRng *rng[AE_TEAM_MAX];
  AeLossTerms terms[AE_TEAM_MAX];
  WeightPart parts[MAX_WEIGHT_PARTS];
  double grad_sq[MAX_WEIGHT_PARTS]; /* per part of the parameters */
  float grad_scale;
} TeamStep;

static AeModel *
share_model (AeModel *m, int share)
{
  return share == 0 ? m : m->replicas[share - 1];
}

static void
share_loss_and_grad (void *data, int share)
{
  TeamStep *s = data;
  AeModel *r = share_model (s->model, share);
  long begin, end;
  ae_team_share (s->B, share, s->shares, 1, &begin, &end);
  if (!r->later_weights)
    memset (r->grads, 0, r->n_params * sizeof (float));
  run_batch (r, &s->terms[share], s->x + (size_t) begin * r->dim, (int) (end - begin), s->B,
             s->kl_w, s->rng[share], 1);
}

/* Whether every gradient of m comes from dense layers of the main pass: then a split step
 * leaves their weights' gradients to parts of their rows over every share at once, and no
 * gradient arena per share is cleared and summed. */
static int
dense_only (const AeModel *m)
{
  if (m->cfg.contractive > 0.0f)
    return 0;
  for (int l = 0; l < m->n_layers; l++)
    if (m->layers[l].kind != AE_LAYER_DENSE)
      return 0;
  return 1;
}

static int
weight_parts (const AeModel *m, WeightPart *parts)
{
  int n = 0, most = MAX_WEIGHT_PARTS / m->n_layers;
  for (int l = 0; l < m->n_layers; l++)
    {
      const AeLayer *layer = &m->layers[l];
      long floats = (long) layer->out_dim * layer->in_dim;
      int k = (int) ((floats + WEIGHT_PART_FLOATS - 1) / WEIGHT_PART_FLOATS);
      k = k < layer->out_dim ? k : layer->out_dim;
      k = k < most ? k : most;
      for (int i = 0; i < k; i++)
        {
          long first, end;
          ae_team_share (layer->out_dim, i, k, 1, &first, &end);
          parts[n++] = (WeightPart) { l, (int) first, (int) end };
        }
    }
  return n;
}

/* Rows of a dense layer's weight and bias gradients over every share, and their squared
 * norm while they are in cache. */
static void
part_weight_grads (void *data, int part)
{
  TeamStep *s = data;
  const WeightPart *p = &s->parts[part];
  const AeLayer *layer = &s->model->layers[p->layer];
  for (int i = 0; i < s->shares; i++)
    {
      AeModel *r = share_model (s->model, i);
      long begin, end;
      ae_team_share (s->B, i, s->shares, 1, &begin, &end);
      const float *inp = layer_input (r, &r->main, p->layer, r->enc_input, r->dec_input);
      ae_dense_weight_grad_rows (layer->dw, layer->db, r->main.dout[p->layer], inp, (int) (end - begin),
                                 layer->in_dim, layer->out_dim, p->first, p->end, i > 0);
    }
  size_t C = (size_t) layer->in_dim;
  s->grad_sq[part] = ae_sum_squares (layer->dw + p->first * C, (size_t) (p->end - p->first) * C)
                     + ae_sum_squares (layer->db + p->first, (size_t) (p->end - p->first));
}

/* The replicas' gradients added into the model's, and their squared norm, in one pass. */
static void
part_sum_grads (void *data, int part)
{
  TeamStep *s = data;
  AeModel *m = s->model;
  long begin, end;
  ae_team_share ((long) m->n_params, part, s->shares * PARAM_PARTS_PER_THREAD, PARAM_BLOCK, &begin,
                 &end);
  size_t n = (size_t) (end - begin);
  for (int i = 0; i < s->shares - 2; i++)
    ae_add_sum_squares (m->grads + begin, m->replicas[i]->grads + begin, n);
  s->grad_sq[part] = ae_add_sum_squares (m->grads + begin, m->replicas[s->shares - 2]->grads + begin, n);
}

static void
update_range (AeModel *m, size_t begin, size_t end, float grad_scale)
{
  const AeConfig *c = &m->cfg;
  size_t n = end - begin;
  if (c->optimizer == AE_OPT_ADAM)
    ae_adam_update (m->params + begin, m->adam_m + begin, m->adam_v + begin, m->grads + begin, n,
                    c->lr, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, c->weight_decay, grad_scale, m->step);
  else
    ae_sgd_update (m->params + begin, m->adam_v + begin, m->grads + begin, n, c->lr, c->momentum,
                   c->weight_decay, grad_scale);
}

static void
part_update (void *data, int part)
{
  TeamStep *s = data;
  long begin, end;
  ae_team_share ((long) s->model->n_params, part, s->shares * PARAM_PARTS_PER_THREAD, PARAM_BLOCK,
                 &begin, &end);
  update_range (s->model, (size_t) begin, (size_t) end, s->grad_scale);
}

/* A split step gives the same result whichever thread runs which item, so the caller may
 * run them all alone: on a machine whose cores other jobs keep busy, a thread that waits
 * for a descheduled partner loses more than the partner brings (dense bench model at load
 * 9 on two cores: 0.86x PyTorch's single thread with the team, 1.17x alone). Every
 * PROBE_EVERY steps, PROBE_STEPS run the other way, and the way with the lower recent
 * step time goes on. */
#define PROBE_EVERY 128
#define PROBE_STEPS 4

/* Chooses the way of the step that starts. */
static void
split_mode (AeModel *m)
{
  long phase = m->split_steps % PROBE_EVERY;
  m->alone_now = phase < PROBE_STEPS ? !m->alone : m->alone;
  if (phase == 0)
    m->split_seconds[m->alone_now] = 0.0; /* a fresh measure of the probed way */
  if (m->split_fixed != 0)
    m->alone_now = m->split_fixed == 2;
}

static void
split_timed (AeModel *m, double seconds)
{
  double *mean = &m->split_seconds[m->alone_now];
  *mean = *mean > 0.0 ? 0.75 * *mean + 0.25 * seconds : seconds;
  if (m->split_steps % PROBE_EVERY == PROBE_STEPS - 1 && m->split_seconds[0] > 0.0
      && m->split_seconds[1] > 0.0)
    m->alone = m->split_seconds[1] < m->split_seconds[0];
  m->split_steps++;
}

static void
run_items (AeModel *m, AeTeamFunc func, void *data, int n_items)
{
  if (m->alone_now)
    for (int i = 0; i < n_items; i++)
      func (data, i);
  else
    ae_team_run (m->team, func, data, n_items);
}

/* Fills the gradient arena; *grad_sq gets its squared norm when it comes for free (a split
 * step), else -1. */
static void
loss_and_grad (AeModel *m, AeLossTerms *terms, const float *x, int B, float epoch, AeRng *rng,
               double *grad_sq)
{
  float kl_w = kl_weight (&m->cfg, epoch);
  int n = team_size_for (m, B);
  *grad_sq = -1.0;
  if (n == 1 || !team_ready (m, n))
    {
      memset (m->grads, 0, m->n_params * sizeof (float));
      run_batch (m, terms, x, B, B, kl_w, rng, 1);
      return;
    }
  TeamStep s = { .model = m, .shares = n, .x = x, .B = B, .kl_w = kl_w };
  /* Share 0 draws from the caller's stream, the others from streams forked from it: the
   * same seed and thread count give the same run. */
  AeRng forks[AE_TEAM_MAX];
  s.rng[0] = rng;
  for (int i = 1; i < n; i++)
    {
      ae_rng_fork (&forks[i], rng);
      s.rng[i] = &forks[i];
    }
  int later = dense_only (m);
  for (int i = 0; i < n; i++)
    share_model (m, i)->later_weights = later;
  split_mode (m);
  double start = ae_monotonic_seconds ();
  run_items (m, share_loss_and_grad, &s, n);
  for (int i = 0; i < n; i++)
    share_model (m, i)->later_weights = 0;
  memset (terms, 0, sizeof *terms);
  for (int i = 0; i < n; i++)
    add_terms (terms, &s.terms[i], 1.0);
  int parts = later ? weight_parts (m, s.parts) : n * PARAM_PARTS_PER_THREAD;
  run_items (m, later ? part_weight_grads : part_sum_grads, &s, parts);
  split_timed (m, ae_monotonic_seconds () - start);
  *grad_sq = 0.0;
  for (int i = 0; i < parts; i++)
    *grad_sq += s.grad_sq[i];
}

/* Checks the arguments, then loss_and_grad. */
static AeStatus
checked_loss_and_grad (AeModel *model, AeLossTerms *terms, const float *x, int B, float epoch,
                       AeRng *rng, double *grad_sq, AeError *err)
{
  if (model->grads == NULL)
    return ae_error_set (err, AE_ERR_INVALID, "this model is a read-only copy: it cannot train");
  if (B < 1 || B > model->cap)
    return ae_error_set (err, AE_ERR_INVALID, "batch of %d samples: this model takes 1 to %d", B,
                         model->cap);
  loss_and_grad (model, terms, x, B, epoch, rng != NULL ? rng : &model->rng, grad_sq);
  return AE_OK;
}

AeStatus
ae_model_loss_and_grad (AeModel *model, AeLossTerms *terms, const float *x, int B, float epoch,
                        AeRng *rng, AeError *err)
{
  double grad_sq;
  return checked_loss_and_grad (model, terms, x, B, epoch, rng, &grad_sq, err);
}

/* One optimiser step; grad_sq is the squared global gradient norm. */
static void
apply_grad (AeModel *m, double grad_sq)
{
  const AeConfig *c = &m->cfg;
  float grad_scale = 1.0f;
  if (c->clip_norm > 0.0f)
    {
      double norm = sqrt (grad_sq);
      if (norm > c->clip_norm)
        grad_scale = (float) (c->clip_norm / norm);
    }
  m->step++;
  if (m->team != NULL && ae_team_size (m->team) > 1)
    {
      TeamStep s = { .model = m, .shares = ae_team_size (m->team), .grad_scale = grad_scale };
      run_items (m, part_update, &s, s.shares * PARAM_PARTS_PER_THREAD);
    }
  else
    update_range (m, 0, m->n_params, grad_scale);
}

void
ae_model_apply_grad (AeModel *model)
{
  assert (model->grads != NULL);
  double grad_sq = model->cfg.clip_norm > 0.0f ? ae_sum_squares (model->grads, model->n_params) : 0.0;
  apply_grad (model, grad_sq);
}

AeStatus
ae_model_train_step (AeModel *model, AeLossTerms *terms, const float *x, int B, float epoch,
                     AeRng *rng, AeError *err)
{
  double grad_sq;
  AeStatus st = checked_loss_and_grad (model, terms, x, B, epoch, rng, &grad_sq, err);
  if (st != AE_OK)
    return st;
  if (!isfinite (terms->total))
    return ae_error_set (err, AE_ERR_DIVERGED,
                         "the loss became %g at step %ld: lower the learning rate (--lr %g) or "
                         "enable gradient clipping (--clip)",
                         terms->total, model->step + 1, (double) model->cfg.lr);
  if (grad_sq < 0.0)
    grad_sq = ae_sum_squares (model->grads, model->n_params);
  if (!isfinite (grad_sq))
    return ae_error_set (err, AE_ERR_DIVERGED,
                         "a gradient became non-finite at step %ld: lower the learning rate "
                         "(--lr %g) or enable gradient clipping (--clip)",
                         model->step + 1, (double) model->cfg.lr);
  apply_grad (model, grad_sq);
  return AE_OK;
}

void
ae_model_evaluate (AeModel *model, AeLossTerms *terms, const float *x, int B, AeRng *rng)
{
  memset (terms, 0, sizeof *terms);
  for (int start = 0; start < B; start += model->cap)
    {
      int n = B - start < model->cap ? B - start : model->cap;
      AeLossTerms part;
      run_batch (model, &part, x + (size_t) start * model->dim, n, n, model->cfg.kl_beta, rng, 0);
      add_terms (terms, &part, (double) n / B);
    }
}

/* --- inference ------------------------------------------------------------------------------ */

void
ae_model_encode (AeModel *model, float *codes, float *logvar, const float *x, long B)
{
  const int L = model->latent;
  const int stride = model->layers[model->n_enc - 1].out_dim;
  for (long start = 0; start < B; start += model->cap)
    {
      int n = (int) (B - start < model->cap ? B - start : model->cap);
      encoder_forward (model, &model->main, x + (size_t) start * model->dim, n);
      const float *code = model->main.out[model->n_enc - 1];
      for (int r = 0; r < n; r++)
        {
          memcpy (codes + (size_t) (start + r) * L, code + (size_t) r * stride, (size_t) L * sizeof (float));
          if (logvar != NULL)
            {
              float *lv = logvar + (size_t) (start + r) * L;
              if (model->cfg.variational)
                memcpy (lv, code + (size_t) r * stride + L, (size_t) L * sizeof (float));
              else
                memset (lv, 0, (size_t) L * sizeof (float));
            }
        }
    }
}

/* The decoder's output for n rows of codes, after the output activation, into out. */
static void
decode_chunk (AeModel *m, float *out, const float *codes, int n)
{
  decoder_forward (m, codes, n);
  memcpy (out, m->main.out[m->n_layers - 1], (size_t) n * m->dim * sizeof (float));
  ae_activation_forward (out, (long) n * m->dim, m->cfg.output_activation);
}

void
ae_model_decode (AeModel *model, float *out, const float *codes, long B)
{
  for (long start = 0; start < B; start += model->cap)
    {
      int n = (int) (B - start < model->cap ? B - start : model->cap);
      decode_chunk (model, out + (size_t) start * model->dim, codes + (size_t) start * model->latent, n);
    }
}

/* Encodes n rows and leaves the decoder's logits in the last layer's buffer. */
static void
reconstruct_chunk (AeModel *m, const float *x, int n)
{
  encoder_forward (m, &m->main, x, n);
  const float *code = m->main.out[m->n_enc - 1];
  if (m->cfg.variational)
    {
      /* z = mu: copy it out of the interleaved mu|logvar rows. */
      const int L = m->latent;
      for (int r = 0; r < n; r++)
        memcpy (m->z + (size_t) r * L, code + (size_t) r * 2 * L, (size_t) L * sizeof (float));
      code = m->z;
    }
  decoder_forward (m, code, n);
}

void
ae_model_reconstruct (AeModel *model, float *out, const float *x, long B)
{
  for (long start = 0; start < B; start += model->cap)
    {
      int n = (int) (B - start < model->cap ? B - start : model->cap);
      reconstruct_chunk (model, x + (size_t) start * model->dim, n);
      float *o = out + (size_t) start * model->dim;
      memcpy (o, model->main.out[model->n_layers - 1], (size_t) n * model->dim * sizeof (float));
      ae_activation_forward (o, (long) n * model->dim, model->cfg.output_activation);
    }
}

void
ae_model_sample_errors (AeModel *model, float *errors, const float *input, const float *target,
                        long B)
{
  for (long start = 0; start < B; start += model->cap)
    {
      int n = (int) (B - start < model->cap ? B - start : model->cap);
      reconstruct_chunk (model, input + (size_t) start * model->dim, n);
      ae_recon_loss (NULL, errors + start, model->main.out[model->n_layers - 1],
                     target + (size_t) start * model->dim, n, model->dim, model->cfg.loss,
                     model->cfg.output_activation, 1.0f);
    }
}

/* --- views ------------------------------------------------------------------------------------- */

float *
ae_model_params (AeModel *model, size_t *n)
{
  if (n != NULL)
    *n = model->n_params;
  return model->params;
}

float *
ae_model_grads (AeModel *model, size_t *n)
{
  if (n != NULL)
    *n = model->grads != NULL ? model->n_params : 0;
  return model->grads;
}

static void
add_tensor4 (AeTensor *tensors, int max, int *count, const char *name, const char *suffix,
             float *data, int rank, const int *shape)
{
  if (*count < max)
    {
      AeTensor *t = &tensors[*count];
      memset (t, 0, sizeof *t);
      snprintf (t->name, sizeof t->name, "%s.%s", name, suffix);
      t->rank = rank;
      memcpy (t->shape, shape, (size_t) rank * sizeof (int));
      t->data = data;
    }
  (*count)++;
}

static void
add_tensor (AeTensor *tensors, int max, int *count, const char *name, const char *suffix,
            float *data, int rank, int d0, int d1)
{
  add_tensor4 (tensors, max, count, name, suffix, data, rank, (int[]) { d0, d1, 0, 0 });
}

int
ae_model_tensors (const AeModel *model, AeTensor *tensors, int max)
{
  int count = 0;
  for (int l = 0; l < model->n_layers; l++)
    {
      const AeLayer *layer = &model->layers[l];
      switch (layer->kind)
        {
        case AE_LAYER_DENSE:
          if (model->cfg.variational && l == model->n_enc - 1)
            {
              /* The head's rows are mu then logvar, and so are its biases. */
              int L = model->latent, C = layer->in_dim;
              add_tensor (tensors, max, &count, "mu", "weight", layer->w, 2, L, C);
              add_tensor (tensors, max, &count, "mu", "bias", layer->b, 1, L, 0);
              add_tensor (tensors, max, &count, "logvar", "weight", layer->w + (size_t) L * C, 2, L, C);
              add_tensor (tensors, max, &count, "logvar", "bias", layer->b + L, 1, L, 0);
            }
          else
            {
              add_tensor (tensors, max, &count, layer->name, "weight", layer->w, 2, layer->out_dim,
                          layer->in_dim);
              add_tensor (tensors, max, &count, layer->name, "bias", layer->b, 1, layer->out_dim, 0);
            }
          break;
        case AE_LAYER_CONV:
        case AE_LAYER_CONV_T:
          {
            /* PyTorch's Conv2d (OC, C, K, K) and ConvTranspose2d (C, OC, K, K) layouts. */
            const AeConvShape *s = &layer->conv;
            int first = layer->kind == AE_LAYER_CONV ? s->out_channels : s->in_channels;
            int second = layer->kind == AE_LAYER_CONV ? s->in_channels : s->out_channels;
            add_tensor4 (tensors, max, &count, layer->name, "weight", layer->w, 4,
                         (int[]) { first, second, s->kernel_h, s->kernel_w });
            add_tensor (tensors, max, &count, layer->name, "bias", layer->b, 1, s->out_channels, 0);
          }
          break;
        case AE_LAYER_LSTM:
          /* nn.LSTM's names; its bias_hh_l0 would be zeros, so it is not stored. */
          add_tensor (tensors, max, &count, layer->name, "weight_ih_l0", layer->w, 2,
                      4 * layer->units, layer->features);
          add_tensor (tensors, max, &count, layer->name, "weight_hh_l0", layer->w2, 2,
                      4 * layer->units, layer->units);
          add_tensor (tensors, max, &count, layer->name, "bias_ih_l0", layer->b, 1, 4 * layer->units, 0);
          break;
        case AE_LAYER_STEP_DENSE:
          add_tensor (tensors, max, &count, layer->name, "weight", layer->w, 2, layer->units,
                      layer->features);
          add_tensor (tensors, max, &count, layer->name, "bias", layer->b, 1, layer->units, 0);
          break;
        case AE_LAYER_SEQ_LAST:
        case AE_LAYER_SEQ_REPEAT:
          break;
        }
    }
  return count < max ? count : max;
}

const float *
ae_model_first_layer (const AeModel *model, int *units, int *inputs)
{
  const AeLayer *layer = &model->layers[0];
  /* A VAE without hidden layers: the first layer is the head; show the mu rows. */
  *units = model->cfg.variational && model->n_enc == 1 ? model->latent : layer->out_dim;
  *inputs = layer->in_dim;
  if (layer->kind == AE_LAYER_CONV)
    {
      /* One row per filter: (OC, C * K * K). */
      *units = layer->conv.out_channels;
      *inputs = layer->conv.in_channels * layer->conv.kernel_h * layer->conv.kernel_w;
    }
  else if (layer->kind == AE_LAYER_LSTM)
    {
      *units = 4 * layer->units;
      *inputs = layer->features;
    }
  return layer->w;
}

/* --- files ---------------------------------------------------------------------------------------- */

#define MAX_TENSORS (4 * AE_MAX_LAYERS)

AeStatus
ae_model_save (const AeModel *model, const char *path, AeError *err)
{
  AeTensor tensors[MAX_TENSORS];
  int n = ae_model_tensors (model, tensors, MAX_TENSORS);
  char *text = ae_config_to_text (&model->cfg);
  if (text == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for the configuration", path);
  AeStatus st = ae_modelfile_write (path, text, tensors, n, err);
  free (text);
  return st;
}

AeStatus
ae_model_from_tensors (AeModel **out, const char *path, const char *text, const AeTensor *stored,
                       int n_stored, AeError *err)
{
  *out = NULL;
  AeStatus st;
  AeConfig cfg;
  AeModel *m = NULL;
  if ((st = ae_config_from_text (&cfg, text, err)) != AE_OK)
    ae_error_prefix (err, "%s", path);
  else if ((st = ae_model_new (&m, &cfg, err)) != AE_OK)
    ae_error_prefix (err, "%s", path);
  if (st == AE_OK)
    {
      AeTensor expect[MAX_TENSORS];
      int n = ae_model_tensors (m, expect, MAX_TENSORS);
      if (n != n_stored)
        st = ae_error_set (err, AE_ERR_FORMAT, "%s: %d tensors, but its configuration needs %d",
                           path, n_stored, n);
      for (int i = 0; i < n && st == AE_OK; i++)
        {
          const AeTensor *t = NULL;
          for (int k = 0; k < n_stored; k++)
            if (strcmp (stored[k].name, expect[i].name) == 0)
              t = &stored[k];
          if (t == NULL)
            st = ae_error_set (err, AE_ERR_FORMAT, "%s: tensor '%s' is missing", path, expect[i].name);
          else if (t->rank != expect[i].rank || ae_tensor_numel (t) != ae_tensor_numel (&expect[i])
                   || t->shape[0] != expect[i].shape[0]
                   || (t->rank > 1 && t->shape[1] != expect[i].shape[1]))
            st = ae_error_set (err, AE_ERR_FORMAT,
                               "%s: tensor '%s' has the wrong shape for its configuration", path,
                               expect[i].name);
          else
            {
              size_t numel = ae_tensor_numel (t);
              for (size_t k = 0; k < numel; k++)
                if (!isfinite (t->data[k]))
                  {
                    st = ae_error_set (err, AE_ERR_FORMAT, "%s: tensor '%s' holds a non-finite value at index %zu",
                                       path, t->name, k);
                    break;
                  }
              if (st == AE_OK)
                memcpy (expect[i].data, t->data, numel * sizeof (float));
            }
        }
    }
  if (st != AE_OK)
    {
      ae_model_free (m);
      return st;
    }
  *out = m;
  return AE_OK;
}

AeStatus
ae_model_load (AeModel **out, const char *path, AeError *err)
{
  *out = NULL;
  char *text = NULL;
  AeTensor *stored = NULL;
  int n_stored = 0;
  AeStatus st = ae_modelfile_read (path, &text, &stored, &n_stored, err);
  if (st != AE_OK)
    return st;
  st = ae_model_from_tensors (out, path, text, stored, n_stored, err);
  free (text);
  ae_modelfile_free_tensors (stored, n_stored);
  return st;
}

int
ae_cpu_count (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int) (n < 1024 ? n : 1024) : 1;
}

void
ae_set_threads (int threads)
{
  /* One BLAS thread holds 90-100 % of peak on the training shapes measured here, while
   * two are bimodal: more threads split each batch instead, one BLAS thread each. */
  openblas_set_num_threads (1);
  atomic_store_explicit (&training_threads, threads > 0 ? threads : ae_cpu_count (),
                         memory_order_relaxed);
}

int
ae_get_threads (void)
{
  return atomic_load_explicit (&training_threads, memory_order_relaxed);
}
