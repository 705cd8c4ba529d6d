/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-export.c: models to and from safetensors in PyTorch's own names and layouts.
 *
 * The file holds every tensor as the PyTorch layer of the same name keeps it, so that
 * python/latentlab_torch.py can build the layers from the "architecture" metadata and
 * load the tensors with a strict load_state_dict:
 *   Linear (out, in); Conv2d (OC, C, KH, KW); ConvTranspose2d (C, OC, KH, KW), as the
 *   engine keeps them;
 *   a sequence's convolutions along the steps as Conv1d (OC, C, K) and ConvTranspose1d
 *   (C, OC, K): the engine's first one, a (K, F) kernel over a single (T, F) channel, is
 *   a Conv1d with the F features as channels, and the last transposed one, one output
 *   channel of width F with one bias, a ConvTranspose1d to F channels whose F biases are
 *   that one bias;
 *   nn.LSTM's weight_ih_l0, weight_hh_l0, bias_ih_l0 and bias_hh_l0 (the engine has one
 *   bias: it is written as bias_ih_l0 beside zeros, and an import adds the two).
 * The metadata keeps the configuration text ("config"), from which an import rebuilds the
 * model, and the architecture as JSON ("architecture", described in latentlab_torch.py).
 */
#include "ae-model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-model-private.h"

#define EXPORT_TENSORS_MAX (5 * AE_MAX_LAYERS)
#define ARCHITECTURE_MAX 16384
/* Every parameter the engine allows, and a header of 100 MB (safetensors' own limit). */
#define IMPORT_FILE_MAX ((size_t) AE_MAX_PARAMS * 4 + ((size_t) 100 << 20))
/* The biases of a ConvTranspose1d that stand for the engine's single one may drift apart
 * by rounding after fine-tuning in float32; beyond this they are really different. */
#define TIED_BIAS_TOLERANCE 1e-5

typedef enum {
  MAP_COPY,        /* the same values and order, maybe another shape */
  MAP_STEPS_WIDE,  /* engine (A, 1, K, F) <-> torch (A, F, K) */
  MAP_BIAS_SPREAD, /* engine (1) <-> torch (F), every value the same */
  MAP_LSTM_BIAS,   /* engine b <-> torch bias_ih_l0 + bias_hh_l0 */
} MapKind;

/* One engine tensor and the PyTorch tensor(s) that hold it. */
typedef struct {
  AeTensor engine; /* data points into the model */
  AeTensor torch;  /* name and shape; data filled by export */
  MapKind kind;
  int a, k, f;     /* MAP_STEPS_WIDE sizes; f for MAP_BIAS_SPREAD */
} TensorMap;

static const AeLayer *
layer_of (const AeModel *m, const char *tensor_name)
{
  for (int l = 0; l < m->n_layers; l++)
    {
      size_t n = strlen (m->layers[l].name);
      if (strncmp (tensor_name, m->layers[l].name, n) == 0 && tensor_name[n] == '.')
        return &m->layers[l];
    }
  return NULL; /* mu.* and logvar.*: the VAE head, dense */
}

static void
set_shape (AeTensor *t, int rank, int d0, int d1, int d2)
{
  t->rank = rank;
  t->shape[0] = d0, t->shape[1] = d1, t->shape[2] = d2, t->shape[3] = 0;
}

/* The maps of every tensor of the model; returns the count. */
static int
tensor_maps (const AeModel *m, TensorMap *maps)
{
  AeTensor engine[EXPORT_TENSORS_MAX];
  int n = ae_model_tensors (m, engine, EXPORT_TENSORS_MAX);
  int count = 0;
  for (int i = 0; i < n; i++)
    {
      TensorMap *map = &maps[count++];
      memset (map, 0, sizeof *map);
      map->engine = engine[i];
      map->torch = engine[i];
      map->torch.data = NULL;
      const AeLayer *layer = layer_of (m, engine[i].name);
      if (layer == NULL)
        continue;
      const char *suffix = engine[i].name + strlen (layer->name) + 1;
      int is_weight = strcmp (suffix, "weight") == 0;
      if (layer->kind == AE_LAYER_LSTM && strcmp (suffix, "bias_ih_l0") == 0)
        {
          map->kind = MAP_LSTM_BIAS;
          /* bias_hh_l0 follows as a tensor of its own in the file. */
          TensorMap *hh = &maps[count++];
          *hh = *map;
          snprintf (hh->torch.name, sizeof hh->torch.name, "%s.bias_hh_l0", layer->name);
          hh->engine.data = NULL;
        }
      else if ((layer->kind == AE_LAYER_CONV || layer->kind == AE_LAYER_CONV_T)
               && m->cfg.arch == AE_ARCH_SEQUENCE)
        {
          const AeConvShape *s = &layer->conv;
          int wide = s->kernel_w; /* F for the first conv and the last transposed one, else 1 */
          int first = layer->kind == AE_LAYER_CONV ? s->out_channels : s->in_channels;
          int second = layer->kind == AE_LAYER_CONV ? s->in_channels : s->out_channels;
          if (is_weight)
            {
              map->kind = wide > 1 ? MAP_STEPS_WIDE : MAP_COPY;
              map->a = first, map->k = s->kernel_h, map->f = wide;
              set_shape (&map->torch, 3, first, second * wide, s->kernel_h);
            }
          else if (layer->kind == AE_LAYER_CONV_T && s->out_width > 1)
            {
              map->kind = MAP_BIAS_SPREAD;
              map->f = s->out_width;
              set_shape (&map->torch, 1, s->out_width, 0, 0);
            }
        }
    }
  return count;
}

/* --- the architecture as JSON ---------------------------------------------------------------- */

typedef struct {
  char text[ARCHITECTURE_MAX];
  size_t len;
  int overflow;
} Json;

static void
json_add (Json *j, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
json_add (Json *j, const char *fmt, ...)
{
  if (j->overflow)
    return;
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (j->text + j->len, sizeof j->text - j->len, fmt, ap);
  va_end (ap);
  if (n < 0 || (size_t) n >= sizeof j->text - j->len)
    j->overflow = 1;
  else
    j->len += (size_t) n;
}

/* One layer: its PyTorch type and arguments, the per-sample shape it takes (the model
 * reshapes to it), and its activation. */
static void
json_layer (Json *j, const AeModel *m, const AeLayer *layer, int first_of_encoder, int last_of_decoder)
{
  const AeConvShape *s = &layer->conv;
  const int sequence_conv = m->cfg.arch == AE_ARCH_SEQUENCE;
  json_add (j, "{\"name\":\"%s\",", layer->name);
  switch (layer->kind)
    {
    case AE_LAYER_DENSE:
      json_add (j, "\"type\":\"Linear\",\"in_features\":%d,\"out_features\":%d,\"in_shape\":[%d]",
                layer->in_dim, layer->out_dim, layer->in_dim);
      break;
    case AE_LAYER_STEP_DENSE:
      json_add (j, "\"type\":\"Linear\",\"in_features\":%d,\"out_features\":%d,\"in_shape\":[%d,%d]",
                layer->features, layer->units, layer->steps, layer->features);
      break;
    case AE_LAYER_CONV:
    case AE_LAYER_CONV_T:
      {
        int transposed = layer->kind == AE_LAYER_CONV_T;
        /* The padding a transposed convolution adds on one side to reach its output size. */
        int op_h = transposed ? s->out_height - ((s->in_height - 1) * s->stride_h - 2 * s->pad_h + s->kernel_h) : 0;
        int op_w = transposed ? s->out_width - ((s->in_width - 1) * s->stride_w - 2 * s->pad_w + s->kernel_w) : 0;
        if (sequence_conv)
          {
            /* Channels of the 1-D layer: the engine's width is the features of a (T, F)
             * sequence in the first conv and the last transposed one, else 1. */
            int in_ch = s->in_channels * s->in_width, out_ch = s->out_channels * s->out_width;
            json_add (j, "\"type\":\"%s\",\"in_channels\":%d,\"out_channels\":%d,\"kernel_size\":[%d],"
                      "\"stride\":[%d],\"padding\":[%d],",
                      transposed ? "ConvTranspose1d" : "Conv1d", in_ch, out_ch, s->kernel_h, s->stride_h,
                      s->pad_h);
            if (transposed)
              json_add (j, "\"output_padding\":[%d],", op_h);
            /* The sequence's (T, F) is (F, T) to a 1-D convolution: swapped on the way in
             * and out. */
            json_add (j, "\"in_shape\":[%d,%d],\"transpose_in\":%s,\"transpose_out\":%s", in_ch,
                      s->in_height, first_of_encoder ? "true" : "false",
                      last_of_decoder ? "true" : "false");
            /* Its out_ch biases are the engine's one: PyTorch keeps them equal by using
             * their mean, so that fine-tuning moves them together. */
            if (transposed && s->out_width > 1)
              json_add (j, ",\"shared_bias\":true");
          }
        else
          {
            json_add (j, "\"type\":\"%s\",\"in_channels\":%d,\"out_channels\":%d,\"kernel_size\":[%d,%d],"
                      "\"stride\":[%d,%d],\"padding\":[%d,%d],",
                      transposed ? "ConvTranspose2d" : "Conv2d", s->in_channels, s->out_channels,
                      s->kernel_h, s->kernel_w, s->stride_h, s->stride_w, s->pad_h, s->pad_w);
            if (transposed)
              json_add (j, "\"output_padding\":[%d,%d],", op_h, op_w);
            json_add (j, "\"in_shape\":[%d,%d,%d]", s->in_channels, s->in_height, s->in_width);
          }
      }
      break;
    case AE_LAYER_LSTM:
      json_add (j, "\"type\":\"LSTM\",\"input_size\":%d,\"hidden_size\":%d,\"in_shape\":[%d,%d]",
                layer->features, layer->units, layer->steps, layer->features);
      break;
    case AE_LAYER_SEQ_LAST:
      json_add (j, "\"type\":\"LastStep\",\"in_shape\":[%d,%d]", layer->steps, layer->units);
      break;
    case AE_LAYER_SEQ_REPEAT:
      json_add (j, "\"type\":\"Repeat\",\"steps\":%d,\"in_shape\":[%d]", layer->steps, layer->features);
      break;
    }
  json_add (j, ",\"activation\":\"%s\"}", ae_activation_name (layer->act));
}

/* The architecture (see latentlab_torch.py); NULL when it does not fit. */
static char *
architecture_json (const AeModel *m)
{
  Json *j = calloc (1, sizeof *j);
  if (j == NULL)
    return NULL;
  const AeConfig *c = &m->cfg;
  json_add (j, "{\"format\":\"latentlab\",\"version\":1,\"preset\":\"%s\",", c->preset);
  if (c->arch == AE_ARCH_SEQUENCE)
    json_add (j, "\"input_kind\":\"sequence\",\"input_shape\":[%d,%d],", c->height, c->channels * c->width);
  else
    json_add (j, "\"input_kind\":\"image\",\"input_shape\":[%d,%d,%d],", c->channels, c->height, c->width);
  json_add (j, "\"latent\":%d,\"variational\":%s,\"output_activation\":\"%s\",", m->latent,
            c->variational ? "true" : "false", ae_activation_name (c->output_activation));
  /* The residual denoiser's output is its input less the decoder's. */
  if (c->arch == AE_ARCH_RESIDUAL)
    json_add (j, "\"residual\":true,");
  /* The data's own units: a value x of the model stands for min + x * (max - min). */
  if (c->value_max > c->value_min)
    json_add (j, "\"scaling\":{\"min\":%.17g,\"max\":%.17g},", c->value_min, c->value_max);
  else
    json_add (j, "\"scaling\":null,");
  int head = c->variational ? m->n_enc - 1 : -1;
  json_add (j, "\"encoder\":[");
  for (int l = 0; l < m->n_enc; l++)
    if (l != head)
      {
        json_add (j, "%s", l > 0 ? "," : "");
        json_layer (j, m, &m->layers[l], l == 0, 0);
      }
  json_add (j, "],\"head\":");
  if (head >= 0)
    json_add (j, "{\"type\":\"VariationalHead\",\"in_features\":%d,\"latent\":%d,\"in_shape\":[%d]}",
              m->layers[head].in_dim, m->latent, m->layers[head].in_dim);
  else
    json_add (j, "null");
  json_add (j, ",\"decoder\":[");
  for (int l = m->n_enc; l < m->n_layers; l++)
    {
      json_add (j, "%s", l > m->n_enc ? "," : "");
      json_layer (j, m, &m->layers[l], 0, l == m->n_layers - 1);
    }
  json_add (j, "]}");
  if (j->overflow)
    {
      free (j);
      return NULL;
    }
  char *text = strdup (j->text);
  free (j);
  return text;
}

/* (a, rows, cols) -> (a, cols, rows): the steps-wide layouts of the engine and PyTorch. */
static void
transpose_inner (float *out, const float *in, int a, int rows, int cols)
{
  for (int i = 0; i < a; i++)
    for (int r = 0; r < rows; r++)
      for (int c = 0; c < cols; c++)
        out[((size_t) i * cols + c) * rows + r] = in[((size_t) i * rows + r) * cols + c];
}

/* --- export ---------------------------------------------------------------------------------- */

static void
to_torch (const TensorMap *map, float *out)
{
  const float *in = map->engine.data;
  size_t n = ae_tensor_numel (&map->torch);
  switch (map->kind)
    {
    case MAP_COPY:
      memcpy (out, in, n * sizeof (float));
      break;
    case MAP_STEPS_WIDE:
      transpose_inner (out, in, map->a, map->k, map->f);
      break;
    case MAP_BIAS_SPREAD:
      for (size_t i = 0; i < n; i++)
        out[i] = in[0];
      break;
    case MAP_LSTM_BIAS:
      if (in != NULL)
        memcpy (out, in, n * sizeof (float));
      else
        memset (out, 0, n * sizeof (float)); /* bias_hh_l0 */
      break;
    }
}

AeStatus
ae_model_export_safetensors (const AeModel *model, const char *path, AeError *err)
{
  TensorMap maps[EXPORT_TENSORS_MAX];
  AeTensor torch[EXPORT_TENSORS_MAX];
  int n = tensor_maps (model, maps);
  char *config = ae_config_to_text (&model->cfg);
  char *architecture = architecture_json (model);
  AeStatus st = AE_OK;
  int filled = 0;
  if (config == NULL || architecture == NULL)
    st = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for the metadata", path);
  for (; filled < n && st == AE_OK; filled++)
    {
      torch[filled] = maps[filled].torch;
      torch[filled].data = malloc (ae_tensor_numel (&torch[filled]) * sizeof (float));
      if (torch[filled].data == NULL)
        st = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for tensor '%s'", path, torch[filled].name);
      else
        to_torch (&maps[filled], torch[filled].data);
    }
  if (st == AE_OK)
    {
      const char *metadata[] = { "config", config, "architecture", architecture, NULL };
      st = ae_safetensors_write (path, metadata, torch, n, err);
    }
  for (int i = 0; i < filled; i++)
    free (torch[i].data);
  free (config);
  free (architecture);
  return st;
}

/* --- import ---------------------------------------------------------------------------------- */

static const AeTensor *
find_tensor (const AeTensor *tensors, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp (tensors[i].name, name) == 0)
      return &tensors[i];
  return NULL;
}

static int
same_shape (const AeTensor *a, const AeTensor *b)
{
  if (a->rank != b->rank)
    return 0;
  for (int d = 0; d < a->rank; d++)
    if (a->shape[d] != b->shape[d])
      return 0;
  return 1;
}

/* Fills the engine tensor of map (its data, malloc'ed by the caller) from the file. */
static AeStatus
from_torch (const TensorMap *map, const AeTensor *t, const AeTensor *extra, float *out,
            const char *path, AeError *err)
{
  const float *in = t->data;
  size_t n = ae_tensor_numel (&map->engine);
  switch (map->kind)
    {
    case MAP_COPY:
      memcpy (out, in, n * sizeof (float));
      break;
    case MAP_STEPS_WIDE:
      transpose_inner (out, in, map->a, map->f, map->k);
      break;
    case MAP_BIAS_SPREAD:
      {
        double mean = 0, spread = 0;
        for (int i = 0; i < map->f; i++)
          mean += in[i] / (double) map->f;
        for (int i = 0; i < map->f; i++)
          spread = fmax (spread, fabs (in[i] - mean));
        if (spread > TIED_BIAS_TOLERANCE * fmax (1.0, fabs (mean)))
          return ae_error_set (err, AE_ERR_UNSUPPORTED,
                               "%s: tensor '%s': its %d biases differ (by up to %.3g), but this model "
                               "has one bias shared by every feature", path, t->name, map->f, spread);
        out[0] = (float) mean;
      }
      break;
    case MAP_LSTM_BIAS:
      for (size_t i = 0; i < n; i++)
        out[i] = in[i] + extra->data[i];
      break;
    }
  return AE_OK;
}

AeStatus
ae_model_import_safetensors (AeModel **out, const char *path, AeError *err)
{
  *out = NULL;
  uint8_t *buf = NULL;
  size_t len = 0;
  char *config = NULL;
  AeTensor *stored = NULL;
  int n_stored = 0;
  AeModel *shape = NULL;
  AeTensor engine[EXPORT_TENSORS_MAX];
  int n_engine = 0;
  AeStatus st = ae_file_read_all (path, IMPORT_FILE_MAX, &buf, &len, err);
  if (st == AE_OK)
    st = ae_safetensors_parse_metadata (buf, len, path, "config", &config, &stored, &n_stored, err);
  free (buf);
  if (st == AE_OK && config == NULL)
    st = ae_error_set (err, AE_ERR_FORMAT,
                       "%s: no Latent Lab configuration in the metadata (a file written by "
                       "`latentlab export` or latentlab_torch.save is needed)", path);
  AeConfig cfg;
  if (st == AE_OK && (st = ae_config_from_text (&cfg, config, err)) != AE_OK)
    ae_error_prefix (err, "%s", path);
  /* A model of the file's configuration tells which tensors it needs, and how they sit. */
  if (st == AE_OK && (st = ae_model_new (&shape, &cfg, err)) != AE_OK)
    ae_error_prefix (err, "%s", path);
  TensorMap maps[EXPORT_TENSORS_MAX];
  int n_maps = st == AE_OK ? tensor_maps (shape, maps) : 0;
  if (st == AE_OK && n_stored != n_maps)
    st = ae_error_set (err, AE_ERR_FORMAT, "%s: %d tensors, but its configuration needs %d", path,
                       n_stored, n_maps);
  for (int i = 0; i < n_maps && st == AE_OK; i++)
    {
      const AeTensor *t = find_tensor (stored, n_stored, maps[i].torch.name);
      if (t == NULL)
        st = ae_error_set (err, AE_ERR_FORMAT, "%s: tensor '%s' is missing", path, maps[i].torch.name);
      else if (!same_shape (t, &maps[i].torch))
        st = ae_error_set (err, AE_ERR_FORMAT, "%s: tensor '%s' has the wrong shape for its configuration",
                           path, maps[i].torch.name);
    }
  for (int i = 0; i < n_maps && st == AE_OK; i++)
    {
      if (maps[i].engine.data == NULL)
        continue; /* bias_hh_l0, added to bias_ih_l0 */
      AeTensor *e = &engine[n_engine];
      *e = maps[i].engine;
      e->data = malloc (ae_tensor_numel (e) * sizeof (float));
      if (e->data == NULL)
        {
          st = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
          break;
        }
      n_engine++;
      const AeTensor *extra = maps[i].kind == MAP_LSTM_BIAS ? find_tensor (stored, n_stored, maps[i + 1].torch.name)
                                                            : NULL;
      st = from_torch (&maps[i], find_tensor (stored, n_stored, maps[i].torch.name), extra, e->data, path, err);
    }
  /* The model itself checks every value is finite. */
  if (st == AE_OK)
    st = ae_model_from_tensors (out, path, config, engine, n_engine, err);
  for (int i = 0; i < n_engine; i++)
    free (engine[i].data);
  ae_model_free (shape);
  ae_modelfile_free_tensors (stored, n_stored);
  free (config);
  return st;
}
