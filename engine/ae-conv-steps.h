/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-conv-steps.h (private to the engine): the convolutions along the steps of a sequence,
 * whose kernel spans the whole width (ae_conv_steps_shape, ae_conv_transpose_steps_shape),
 * on a path of their own. The functions of ae-conv.h hand such shapes over to these, which
 * compute the same thing with the same arguments. */
#pragma once

#include "ae-config.h"
#include "ae-conv.h"

/* Whether shape is a convolution along the steps: a conv whose kernel covers its input's
 * width without padding (so one output column), or the adjoint of one. */
int ae_conv_steps_applies (const AeConvShape *shape);

/* As ae_conv_workspace_size. */
size_t ae_conv_steps_workspace_size (const AeConvShape *shape, int B);

/* As ae_conv2d_forward or ae_conv_transpose2d_forward, after shape->transposed. */
void ae_conv_steps_forward (float *out, const float *inp, const float *weight, const float *bias,
                            const AeConvShape *shape, int B, float *workspace);

/* As ae_conv2d_backward or ae_conv_transpose2d_backward, after shape->transposed. */
void ae_conv_steps_backward (float *dinp, float *dweight, float *dbias, const float *dout,
                             const float *inp, const float *weight, const AeConvShape *shape,
                             int B, float *workspace, int add_dinp);

/* Floats per sample that ae_conv_steps_forward_keep keeps for ae_conv_steps_backward_kept
 * (a batch of B takes B times as many). */
size_t ae_conv_steps_keep_size (const AeConvShape *shape);

/* As ae_conv_steps_forward followed by ae_activation_forward of act (applied to each
 * sample as it is stored: no pass of its own over the output), and when keep is not NULL,
 * the input packed for the gemms is left there (B * ae_conv_steps_keep_size floats) for
 * ae_conv_steps_backward_kept. */
void ae_conv_steps_forward_keep (float *out, const float *inp, const float *weight,
                                 const float *bias, const AeConvShape *shape, int B,
                                 float *workspace, AeActivation act, float *keep);

/* As ae_conv_steps_backward, reading the input from kept (what the forward of the same
 * input and B left in keep) instead of inp when kept is not NULL. */
void ae_conv_steps_backward_kept (float *dinp, float *dweight, float *dbias, const float *dout,
                                  const float *inp, const float *kept, const float *weight,
                                  const AeConvShape *shape, int B, float *workspace,
                                  int add_dinp);
