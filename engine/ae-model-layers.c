/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-model-layers.c: the one place that knows each layer kind (see ae-model-private.h):
 * parameter counts, binding into the arenas, initialisation, scratch sizes, forward and
 * backward. */
#include "ae-model.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-conv-steps.h"
#include "ae-layers.h"
#include "ae-lstm.h"
#include "ae-model-private.h"

/* --- layers: the one place that knows each kind ---------------------------------------- */

size_t
ae_layer_param_count (const AeLayer *layer)
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
void
ae_layer_bind (AeLayer *layer, float *params, float *grads)
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

void
ae_layer_init (AeLayer *layer, AeRng *rng)
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
size_t
ae_layer_workspace (const AeLayer *layer, int B)
{
  switch (layer->kind)
    {
    case AE_LAYER_CONV:
    case AE_LAYER_CONV_T: return ae_conv_workspace_size (&layer->conv, B);
    case AE_LAYER_LSTM: return ae_lstm_workspace_size (B, layer->steps, layer->units);
    default: return 0;
    }
}

/* Whether a dense layer beside a linked convolution takes a side as (features, B) on B
 * rows: on the batches where the convolution runs batch innermost. */
static int
dense_inner (const AeLayer *layer, int B)
{
  return (layer->in_batch_inner || layer->out_batch_inner) && B >= AE_CONV_BATCH_INNER_MIN;
}

/* cache holds layer->cache_floats per sample that forward may keep for backward. */
void
ae_layer_forward (const AeLayer *layer, float *out, float *cache, const float *inp, int B,
                  float *workspace)
{
  switch (layer->kind)
    {
    case AE_LAYER_DENSE:
      if (dense_inner (layer, B))
        ae_dense_forward_inner (out, inp, layer->w, layer->b, B, layer->in_dim, layer->out_dim,
                                layer->act, layer->in_batch_inner, layer->out_batch_inner);
      else
        ae_dense_forward (out, inp, layer->w, layer->b, B, layer->in_dim, layer->out_dim,
                          layer->act);
      return;
    case AE_LAYER_CONV:
    case AE_LAYER_CONV_T:
      if (ae_conv_steps_applies (&layer->conv))
        {
          /* Keeps its packed input in cache for backward, and applies the activation as it
           * stores the output. */
          ae_conv_steps_forward_keep (out, inp, layer->w, layer->b, &layer->conv, B, workspace,
                                      layer->act, cache);
          return;
        }
      if (layer->kind == AE_LAYER_CONV)
        ae_conv2d_forward (out, inp, layer->w, layer->b, &layer->conv, B, workspace);
      else
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

/* dpre is the gradient with respect to the layer's output before its activation; dinp
 * gets the gradient of the input (overwritten). A dense layer leaves its weights' gradients
 * for later when `later_weights` (a split step). */
void
ae_layer_backward (const AeLayer *layer, float *dinp, const float *dpre, const float *cache,
                   const float *inp, int B, float *workspace, int later_weights)
{
  assert (!later_weights || layer->kind == AE_LAYER_DENSE);
  /* The kinds whose kernels only add into dinp start from zero. */
  int stores = layer->kind == AE_LAYER_DENSE || layer->kind == AE_LAYER_CONV
               || layer->kind == AE_LAYER_CONV_T || layer->kind == AE_LAYER_STEP_DENSE;
  if (dinp != NULL && !stores)
    memset (dinp, 0, (size_t) B * layer->in_dim * sizeof (float));
  switch (layer->kind)
    {
    case AE_LAYER_DENSE:
      if (dense_inner (layer, B))
        {
          assert (!later_weights);
          ae_dense_backward_inner (dinp, layer->dw, layer->db, dpre, inp, layer->w, B,
                                   layer->in_dim, layer->out_dim, layer->in_batch_inner,
                                   layer->out_batch_inner);
          break;
        }
      ae_dense_backward (dinp, later_weights ? NULL : layer->dw, later_weights ? NULL : layer->db,
                         dpre, inp, layer->w, B, layer->in_dim, layer->out_dim, 0);
      break;
    case AE_LAYER_CONV:
      if (cache != NULL && ae_conv_steps_applies (&layer->conv))
        ae_conv_steps_backward_kept (dinp, layer->dw, layer->db, dpre, inp, cache, layer->w,
                                     &layer->conv, B, workspace, 0);
      else
        ae_conv2d_backward (dinp, layer->dw, layer->db, dpre, inp, layer->w, &layer->conv, B,
                            workspace, 0);
      break;
    case AE_LAYER_CONV_T:
      if (cache != NULL && ae_conv_steps_applies (&layer->conv))
        ae_conv_steps_backward_kept (dinp, layer->dw, layer->db, dpre, inp, cache, layer->w,
                                     &layer->conv, B, workspace, 0);
      else
        ae_conv_transpose2d_backward (dinp, layer->dw, layer->db, dpre, inp, layer->w,
                                      &layer->conv, B, workspace, 0);
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
                         layer->features, layer->units, 0);
      break;
    }
}
