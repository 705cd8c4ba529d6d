/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-model.c: building a model of every family, its arenas and their lifecycle, input
 * corruption, its tensors and its files. The layers, passes and training step are in
 * ae-model-layers.c, ae-model-passes.c and ae-model-step.c. */
#include "ae-model.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ae-conv-steps.h"
#include "ae-layers.h"
#include "ae-lstm.h"
#include "ae-model-private.h"

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
  layer->n_params = ae_layer_param_count (layer);
  m->n_params += layer->n_params;
  return layer;
}

static void
add_dense (AeModel *m, const char *name, int in_dim, int out_dim, AeActivation act)
{
  AeLayer proto = { .kind = AE_LAYER_DENSE, .in_dim = in_dim, .out_dim = out_dim, .act = act };
  add_layer (m, &proto, name);
}

static int
is_conv (const AeLayer *layer)
{
  return layer->kind == AE_LAYER_CONV || layer->kind == AE_LAYER_CONV_T;
}

static void
add_conv (AeModel *m, const char *name, const AeConvShape *shape, AeActivation act)
{
  AeLayer proto = { .kind = shape->transposed ? AE_LAYER_CONV_T : AE_LAYER_CONV,
                    .conv = *shape,
                    .in_dim = (int) ae_conv_in_size (shape),
                    .out_dim = (int) ae_conv_out_size (shape),
                    .act = act };
  if (ae_conv_steps_applies (shape)) /* forward keeps its packed input for backward */
    proto.cache_floats = ae_conv_steps_keep_size (shape);
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

/* encoder.0 .. encoder.n-1: convolutions of `kernel` and `padding` from (C, H, W) to hidden[i]
 * channels, of stride 2 but for the first one's `first_stride`, the last one with `last_act`;
 * their shapes in enc, the last one's output size in out_size. `steps`: convolutions along
 * the steps of a sequence (ae_conv_steps_shape: H steps of W features). */
static AeStatus
add_encoder_convs (AeModel *m, AeConvShape *enc, int steps, int C, int H, int W, int kernel,
                   int padding, int first_stride, AeActivation last_act, int *out_size,
                   AeError *err)
{
  const AeConfig *c = &m->cfg;
  char name[AE_TENSOR_NAME_MAX];
  for (int i = 0; i < c->n_hidden; i++)
    {
      int stride = i == 0 ? first_stride : CONV_STRIDE;
      AeStatus status = steps ? ae_conv_steps_shape (&enc[i], C, H, W, c->hidden[i], kernel, stride,
                                                     padding, err)
                              : ae_conv2d_shape (&enc[i], C, H, W, c->hidden[i], kernel, stride,
                                                 padding, err);
      if (status != AE_OK)
        return steps ? ae_error_prefix (err, "sequence conv layer %d on %d channels of %d steps",
                                        i, C, H)
                     : ae_error_prefix (err, "conv layer %d on %d x %d x %d", i, C, H, W);
      snprintf (name, sizeof name, "encoder.%d", i);
      add_conv (m, name, &enc[i], i == c->n_hidden - 1 ? last_act : c->activation);
      C = enc[i].out_channels, H = enc[i].out_height, W = enc[i].out_width;
    }
  *out_size = C * H * W;
  return AE_OK;
}

/* decoder.first, decoder.first + 1, ...: transposed convolutions mirroring the encoder's
 * enc[n - 1] down to enc[0], each taking its layer's output back to that layer's input
 * shape (the output padding gives back what a strided convolution rounded away); the last
 * gives logits, since the output activation is applied with the loss. `steps`: the
 * encoder's are convolutions along the steps of a sequence (ae_conv_steps_shape). */
static AeStatus
add_mirrored_convs (AeModel *m, const AeConvShape *enc, int n, int first, int steps,
                    AeError *err)
{
  char name[AE_TENSOR_NAME_MAX];
  for (int i = n - 1; i >= 0; i--)
    {
      const AeConvShape *e = &enc[i];
      int op_h = ae_conv_output_padding (e->out_height, e->in_height, e->kernel_h, e->stride_h,
                                         e->pad_h);
      int op_w = steps ? op_h : ae_conv_output_padding (e->out_width, e->in_width, e->kernel_w,
                                                        e->stride_w, e->pad_w);
      if (op_h < 0 || op_h != op_w)
        return steps ? ae_error_set (err, AE_ERR_UNSUPPORTED,
                                     "sequence conv layer %d: no transposed convolution maps %d "
                                     "steps back to %d", i, e->out_height, e->in_height)
                     : ae_error_set (err, AE_ERR_UNSUPPORTED,
                                     "conv layer %d: no transposed convolution maps %d x %d back "
                                     "to %d x %d", i, e->out_height, e->out_width, e->in_height,
                                     e->in_width);
      AeConvShape d;
      AeStatus status = steps ? ae_conv_transpose_steps_shape (&d, e->out_channels, e->out_height,
                                                               e->in_channels, e->in_width,
                                                               e->kernel_h, e->stride_h, e->pad_h,
                                                               op_h, err)
                              : ae_conv_transpose2d_shape (&d, e->out_channels, e->out_height,
                                                           e->out_width, e->in_channels,
                                                           e->kernel_h, e->stride_h, e->pad_h,
                                                           op_h, err);
      if (status != AE_OK)
        return ae_error_prefix (err, "transposed conv layer %d", n - i);
      snprintf (name, sizeof name, "decoder.%d", first + n - 1 - i);
      add_conv (m, name, &d, i == 0 ? AE_ACT_IDENTITY : m->cfg.activation);
    }
  return AE_OK;
}

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
  AeConvShape enc[AE_MAX_HIDDEN];
  const int map_code = c->latent == 0;
  int flat = 0;
  AeStatus status = add_encoder_convs (m, enc, 0, c->channels, c->height, c->width, CONV_KERNEL,
                                       CONV_PADDING, map_code ? 1 : CONV_STRIDE,
                                       map_code ? c->code_activation : c->activation, &flat, err);
  if (status != AE_OK)
    return status;
  if (map_code)
    {
      m->n_enc = m->n_layers;
      m->latent = flat;
    }
  else
    {
      add_code_layer (m, c->n_hidden, flat);
      add_dense (m, "decoder.0", c->latent, flat, c->activation);
    }
  return add_mirrored_convs (m, enc, c->n_hidden, 1 - map_code, 0, err);
}

/* encoder.i: 3x3 convolution of stride 1 with the same padding to hidden[i] channels,
 * ReLU (the last one's maps are the code); decoder.0: one back to the input's channels,
 * the predicted noise, which the passes subtract from the input (ae_model_residual). No
 * pooling and no stride, so every layer keeps the image's size and the model runs on
 * images of any size (DnCNN, Zhang et al. 2017, without its batch normalisation). */
static AeStatus
build_residual (AeModel *m, AeError *err)
{
  const AeConfig *c = &m->cfg;
  char name[AE_TENSOR_NAME_MAX];
  AeConvShape shape;
  int C = c->channels;
  for (int i = 0; i <= c->n_hidden; i++)
    {
      int last = i == c->n_hidden, OC = last ? c->channels : c->hidden[i];
      if (ae_conv2d_shape (&shape, C, c->height, c->width, OC, CONV_KERNEL, 1, CONV_PADDING,
                           err) != AE_OK)
        return ae_error_prefix (err, "residual conv layer %d on %d x %d x %d", i, C, c->height,
                                c->width);
      if (last)
        {
          m->n_enc = m->n_layers;
          m->latent = C * c->height * c->width;
          snprintf (name, sizeof name, "decoder.0");
        }
      else
        snprintf (name, sizeof name, "encoder.%d", i);
      add_conv (m, name, &shape, last ? AE_ACT_IDENTITY
                                 : i == c->n_hidden - 1 ? c->code_activation : c->activation);
      C = OC;
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
  AeConvShape enc[AE_MAX_HIDDEN];
  int flat = 0;
  AeStatus status = add_encoder_convs (m, enc, 1, 1, c->height, c->channels * c->width,
                                       SEQ_CONV_KERNEL, SEQ_CONV_PADDING, CONV_STRIDE,
                                       c->activation, &flat, err);
  if (status != AE_OK)
    return status;
  add_code_layer (m, c->n_hidden, flat);
  add_dense (m, "decoder.0", c->latent, flat, c->activation);
  return add_mirrored_convs (m, enc, c->n_hidden, 1, 1, err);
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
      size_t n = ae_layer_workspace (&m->layers[l], m->cap);
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

/* A training model's arenas (parameters, gradients, Adam's moments) of 2 MB or more
 * start on a 2 MB boundary and ask for huge pages: Adam streams through arrays the size of
 * the model every step, and with 4 KB pages their translations outgrow the TLB. The dense
 * bench model on two threads, 5 alternating runs (quiet): 3.06-3.22 against 3.25-3.61 s of
 * CPU. */
#define HUGE_PAGE_BYTES ((size_t) 2 << 20)

static size_t
arena_bytes (size_t n)
{
  return (n * sizeof (float) + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
}

/* Pages straight from mmap read as zeros and take memory only when touched: a split step
 * of dense layers never touches the model's gradient arena. */
float *
ae_model_arena (size_t n)
{
  if (n * sizeof (float) < HUGE_PAGE_BYTES)
    return calloc (n > 0 ? n : 1, sizeof (float));
  size_t bytes = arena_bytes (n);
  char *map = mmap (NULL, bytes + HUGE_PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED)
    return NULL;
  /* keep the 2 MB-aligned stretch, give back what lies before and after it */
  char *p = (char *) (((uintptr_t) map + HUGE_PAGE_BYTES - 1) & ~(uintptr_t) (HUGE_PAGE_BYTES - 1));
  if (p > map)
    munmap (map, (size_t) (p - map));
  munmap (p + bytes, (size_t) (map + HUGE_PAGE_BYTES - p)); /* at least a page: p < map + 2 MB */
#ifdef MADV_HUGEPAGE
  madvise (p, bytes, MADV_HUGEPAGE); /* a hint: without it, 4 KB pages */
#endif
  return (float *) p;
}

void
ae_model_arena_free (float *arena, size_t n)
{
  if (arena == NULL)
    return;
  if (n * sizeof (float) < HUGE_PAGE_BYTES)
    free (arena);
  else
    munmap (arena, arena_bytes (n));
}

/* Carves every activation buffer out of one allocation. */
AeStatus
ae_model_alloc_buffers (AeModel *m, int with_grads, AeError *err)
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
    ae_layer_init (&m->layers[l], &rng);
  /* A residual denoiser starts as the identity: its last layer, the noise it predicts, at
   * zero. From random weights it would first add noise of its own, and a short training
   * spends its time taking that away (0.3 dB above the noisy input after a minute on
   * photos, against 5 dB from zero). */
  if (m->cfg.arch == AE_ARCH_RESIDUAL)
    {
      AeLayer *last = &m->layers[m->n_layers - 1];
      memset (last->w, 0, last->n_params * sizeof (float));
    }
  /* A separate stream for corruption and sampling when callers pass no generator. */
  ae_rng_seed (&m->rng, seed ^ 0x9e3779b97f4a7c15ULL);
}

/* The model's layers laid out for cfg, without their parameters or buffers. */
static AeStatus
model_plan (AeModel **out, const AeConfig *cfg, AeError *err)
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
    case AE_ARCH_RESIDUAL: st = build_residual (m, err); break;
    }
  if (st != AE_OK)
    {
      free (m);
      return st;
    }
  /* Feature maps between two convolutions, or a convolution and a dense layer, are theirs
   * alone (the code is read by others: layer n_enc reads it, or the sample z). */
  for (int l = 1; l < m->n_layers; l++)
    {
      AeLayer *a = &m->layers[l - 1], *b = &m->layers[l];
      if (l == m->n_enc)
        continue;
      if (is_conv (a) && is_conv (b))
        ae_conv_link (&a->conv, &b->conv);
      else if (is_conv (a) && b->kind == AE_LAYER_DENSE)
        b->in_batch_inner = ae_conv_link_dense (&a->conv, 1);
      else if (a->kind == AE_LAYER_DENSE && is_conv (b))
        a->out_batch_inner = ae_conv_link_dense (&b->conv, 0);
    }
  if (m->n_params > (size_t) AE_MAX_PARAMS)
    {
      size_t n = m->n_params;
      free (m);
      return ae_error_set (err, AE_ERR_LIMIT, "%zu parameters: at most %ld are accepted", n,
                           AE_MAX_PARAMS);
    }
  *out = m;
  return AE_OK;
}

AeStatus
ae_model_count_params (const AeConfig *cfg, size_t *n_params, AeError *err)
{
  AeModel *m = NULL;
  AeStatus st = model_plan (&m, cfg, err);
  *n_params = st == AE_OK ? m->n_params : 0;
  free (m);
  return st;
}

static AeStatus
model_create (AeModel **out, const AeConfig *cfg, int with_grads, AeError *err)
{
  AeModel *m = NULL;
  AeStatus st = model_plan (&m, cfg, err);
  if (st != AE_OK)
    return st;
  /* A read-only copy's parameters are read by passes, not streamed through by Adam. */
  m->params = with_grads ? ae_model_arena (m->n_params) : malloc (m->n_params * sizeof (float));
  m->params_in_arena = with_grads;
  if (with_grads)
    {
      m->grads = ae_model_arena (m->n_params);
      m->adam_m = ae_model_arena (m->n_params);
      m->adam_v = ae_model_arena (m->n_params);
    }
  if (m->params == NULL || (with_grads && (m->grads == NULL || m->adam_m == NULL || m->adam_v == NULL)))
    {
      size_t n = m->n_params;
      ae_model_free (m);
      return ae_error_set (err, AE_ERR_NOMEM, "out of memory for %zu parameters", n);
    }
  for (int l = 0; l < m->n_layers; l++)
    ae_layer_bind (&m->layers[l], m->params, m->grads);
  if ((st = ae_model_alloc_buffers (m, with_grads, err)) != AE_OK)
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
  free (model->part_grads);
  for (int i = 0; i < AE_TEAM_MAX - 1; i++)
    ae_model_free (model->replicas[i]);
  if (model->is_replica)
    {
      /* Its parameters are the model's. */
      ae_model_arena_free (model->grads, model->n_params);
      free (model->buffers);
      free (model);
      return;
    }
  if (model->params_in_arena)
    ae_model_arena_free (model->params, model->n_params);
  else
    free (model->params);
  ae_model_arena_free (model->grads, model->n_params);
  ae_model_arena_free (model->adam_m, model->n_params);
  ae_model_arena_free (model->adam_v, model->n_params);
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
      if ((st = ae_model_alloc_buffers (model, model->grads != NULL, err)) != AE_OK)
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
