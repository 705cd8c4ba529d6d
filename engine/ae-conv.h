/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-conv.h: 2-D (and 1-D) convolution and transposed convolution, im2col + sgemm.
 *
 * Layer functions in the llm.c manner: outputs first, then const inputs, then sizes;
 * forward overwrites its output, backward ADDS into the weights' gradients and into the
 * input's when add_dinp (else it stores the input's, which spares the caller a pass that
 * clears it).
 * Tensors are NCHW, row-major, float:
 *   conv2d            input (B, C, H, W), weight (OC, C, KH, KW), bias (OC) -> (B, OC, OH, OW)
 *   conv_transpose2d  input (B, C, H, W), weight (C, OC, KH, KW), bias (OC) -> (B, OC, OH, OW)
 * Both weight layouts are PyTorch's (Conv2d, ConvTranspose2d), so exported tensors load as is.
 * conv_transpose2d is the exact adjoint of conv2d for the same weight array: a stride-2
 * conv 28 -> 14 -> 7 is mirrored by transposed convs 7 -> 14 -> 28.
 *
 * No allocation inside: the caller passes a workspace of ae_conv*_workspace() floats,
 * which may be shared between layers (its content is scratch, not kept across calls).
 * A 1-D convolution over sequences (B, C, T) is described with the steps as H and W = 1
 * (ae_conv_steps_shape) and goes through the same functions, which hand a kernel that
 * spans the whole width to a path without im2col (ae-conv-steps.c).
 */
#pragma once

#include <stddef.h>

#include "ae-status.h"

/* The geometry of one convolution layer, per sample. For conv2d the im2col grid is the
 * output (OH, OW); for conv_transpose2d it is the input (H, W). */
typedef struct {
  int in_channels, in_height, in_width;    /* C, H, W */
  int out_channels, out_height, out_width; /* OC, OH, OW */
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int pad_h, pad_w;
  int transposed; /* set by ae_conv_transpose2d_shape */
  /* Set by ae_conv_link: on batches that the layer runs batch innermost, its input
   * (output) is laid out as (C, H, W, B) instead of (B, C, H, W). */
  int in_batch_inner, out_batch_inner;
} AeConvShape;

/* Convolution with a square kernel K, the same stride and padding on both axes:
 * OH = (H + 2 * padding - K) / stride + 1 (floor), likewise OW. Refuses sizes that are not
 * positive, a kernel larger than the padded input, padding >= K, or results whose
 * per-sample size exceeds AE_MAX_FEATURES. */
AeStatus ae_conv2d_shape (AeConvShape *shape, int C, int H, int W, int OC, int K, int stride,
                          int padding, AeError *err);

/* The same convolution (channels, kernel, stride, padding) over an input of H x W: a fully
 * convolutional model run on an image of another size than it was built for. Without the
 * per-sample limit of AE_MAX_FEATURES, since one image is the whole batch; refuses a
 * kernel larger than the padded input and outputs of more than INT_MAX floats. */
AeStatus ae_conv2d_reshape (AeConvShape *out, const AeConvShape *shape, int H, int W,
                            AeError *err);

/* Convolution along the steps of a sequence held as (C, T, W): a kernel of K steps that
 * spans the whole width, so (C, T, W) -> (OC, OT, 1) with OT = (T + 2 * padding - K) /
 * stride + 1. W is the features per step in a first layer and 1 after it; (OC, OT, 1) is
 * laid out as the (OC, OT) of a 1-D convolution, and a sequence's (T, F) as (1, T, F). */
AeStatus ae_conv_steps_shape (AeConvShape *shape, int C, int T, int W, int OC, int K,
                              int stride, int padding, AeError *err);

/* Its adjoint: (C, T, 1) -> (OC, OT, OW) with OT = (T - 1) * stride - 2 * padding + K +
 * output_padding (see ae_conv_output_padding); OW = F gives back a sequence's features. */
AeStatus ae_conv_transpose_steps_shape (AeConvShape *shape, int C, int T, int OC, int OW,
                                        int K, int stride, int padding, int output_padding,
                                        AeError *err);

/* Transposed convolution (the adjoint of ae_conv2d_shape (OC, OH, OW, C, K, stride,
 * padding)): OH = (H - 1) * stride - 2 * padding + K + output_padding.
 * 0 <= output_padding < stride picks among the input sizes that a strided conv maps to
 * the same output size; ae_conv_output_padding finds it for a wanted size. */
AeStatus ae_conv_transpose2d_shape (AeConvShape *shape, int C, int H, int W, int OC, int K,
                                    int stride, int padding, int output_padding,
                                    AeError *err);

/* The output_padding that makes a transposed conv from `in` reach `out` (to mirror a conv
 * that mapped out -> in), or -1 when no output padding in [0, stride) does. */
int ae_conv_output_padding (int in, int out, int K, int stride, int padding);

/* Lets `producer`'s output feed `consumer` (its next layer) with the batch innermost,
 * sparing both a transposition, when both run that way (2-D layers on batches of 8 or
 * more; on smaller batches and for B = 1 the layout stays (B, C, H, W)). Only for a
 * tensor that no one but the two layers reads. */
void ae_conv_link (AeConvShape *producer, AeConvShape *consumer);

/* 2-D layers run batch innermost on batches of at least this many samples. */
#define AE_CONV_BATCH_INNER_MIN 8

/* The same between a conv and a dense neighbour: `conv` (a 2-D layer) leaves its output
 * (B, C, H, W) as (C * H * W, B) when `conv_first` (it feeds the dense layer), else takes
 * its input so (the dense layer feeds it), on batches of at least AE_CONV_BATCH_INNER_MIN.
 * Returns whether it did: the dense layer then reads its input (writes its output) as
 * (features, B) on those batches. A 1-D layer stays (B, C, H, W) and returns 0. */
int ae_conv_link_dense (AeConvShape *conv, int conv_first);

/* Floats of input, output and weight per sample / per layer. */
static inline size_t
ae_conv_in_size (const AeConvShape *s)
{
  return (size_t) s->in_channels * s->in_height * s->in_width;
}
static inline size_t
ae_conv_out_size (const AeConvShape *s)
{
  return (size_t) s->out_channels * s->out_height * s->out_width;
}
static inline size_t
ae_conv_weight_size (const AeConvShape *s)
{
  return (size_t) s->in_channels * s->out_channels * s->kernel_h * s->kernel_w;
}

/* Workspace floats needed by forward and backward for a batch of B (either direction of
 * the layer described by shape, conv or transposed). Grows linearly with B. */
size_t ae_conv_workspace_size (const AeConvShape *shape, int B);

/* out (B, OC, OH, OW) = conv (inp (B, C, H, W), weight (OC, C, KH, KW)) + bias (OC).
 * bias may be NULL. workspace: ae_conv_workspace_size (shape, B) floats. */
void ae_conv2d_forward (float *out, const float *inp, const float *weight, const float *bias,
                        const AeConvShape *shape, int B, float *workspace);

/* Adds the gradients of conv2d: dinp (B, C, H, W) (may be NULL, e.g. for the first
 * layer; stored unless add_dinp), dweight (OC, C, KH, KW), dbias (OC) (may be NULL), from
 * dout (B, OC, OH, OW) and the forward's inp and weight. */
void ae_conv2d_backward (float *dinp, float *dweight, float *dbias, const float *dout,
                         const float *inp, const float *weight, const AeConvShape *shape, int B,
                         float *workspace, int add_dinp);

/* out (B, OC, OH, OW) = conv_transpose (inp (B, C, H, W), weight (C, OC, KH, KW)) + bias.
 * shape from ae_conv_transpose2d_shape. */
void ae_conv_transpose2d_forward (float *out, const float *inp, const float *weight,
                                  const float *bias, const AeConvShape *shape, int B,
                                  float *workspace);

/* Adds the gradients of conv_transpose2d: dinp (B, C, H, W) (may be NULL; stored unless
 * add_dinp), dweight (C, OC, KH, KW), dbias (OC) (may be NULL). */
void ae_conv_transpose2d_backward (float *dinp, float *dweight, float *dbias,
                                   const float *dout, const float *inp, const float *weight,
                                   const AeConvShape *shape, int B, float *workspace,
                                   int add_dinp);
