/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-lstm.h: an LSTM layer over sequences, and the small sequence helpers around it.
 *
 * Layer functions in the llm.c manner: outputs first, then const inputs, then sizes;
 * forward overwrites its outputs, backward ADDS into every gradient it is given.
 * Tensors are batch-major, row-major, float:
 *   inp  (B, T, F)     a sequence of T steps of F features per sample
 *   out  (B, T, Hd)    the hidden state h_t after every step
 *   w_ih (4 * Hd, F)   input weights, gate blocks in the order i, f, g, o
 *   w_hh (4 * Hd, Hd)  recurrent weights, same gate order
 *   bias (4 * Hd)
 * These are PyTorch's nn.LSTM layouts (weight_ih_l0, weight_hh_l0; export bias as
 * bias_ih_l0 with a zero bias_hh_l0).
 *
 *   i = sigmoid (a_i), f = sigmoid (a_f), g = tanh (a_g), o = sigmoid (a_o),
 *   a = w_ih x_t + w_hh h_{t-1} + bias,  c_t = f * c_{t-1} + i * g,  h_t = o * tanh (c_t)
 *
 * No allocation inside: forward fills a caller-provided cache that backward reads (keep it
 * untouched between the two); backward needs a scratch workspace as well.
 */
#pragma once

#include <stddef.h>

/* Floats of the cache that forward fills and backward reads: B * T * 7 * Hd. */
size_t ae_lstm_cache_size (int B, int T, int Hd);
/* Floats of backward's scratch workspace: B * T * 4 * Hd + 2 * B * Hd. */
size_t ae_lstm_workspace_size (int B, int T, int Hd);

/* out (B, T, Hd) = LSTM (inp (B, T, F)) from the initial state h0 (B, Hd), c0 (B, Hd);
 * either may be NULL for zeros. The final cell state is written to c_last (B, Hd) when it
 * is not NULL (the final hidden state is out[:, T - 1]). cache: ae_lstm_cache_size floats. */
void ae_lstm_forward (float *out, float *c_last, float *cache, const float *inp,
                      const float *w_ih, const float *w_hh, const float *bias, const float *h0,
                      const float *c0, int B, int T, int F, int Hd);

/* Backpropagation through time from dout (B, T, Hd), the gradient on every h_t (zeros
 * where a step's output is unused). Adds into dinp (B, T, F), dh0 (B, Hd), dc0 (B, Hd)
 * (each may be NULL), dw_ih, dw_hh and dbias. h0 and c0 are those given to forward
 * (NULL for zeros), cache is what forward filled. workspace: ae_lstm_workspace_size. */
void ae_lstm_backward (float *dinp, float *dw_ih, float *dw_hh, float *dbias, float *dh0,
                       float *dc0, const float *dout, const float *cache, const float *inp,
                       const float *w_ih, const float *w_hh, const float *h0, const float *c0,
                       int B, int T, int F, int Hd, float *workspace);

/* out (B, T, D) = inp (B, D) repeated at every step: a sequence decoder fed the code at
 * each step. Backward adds the sum over steps: dinp (B, D) += sum_t dout[:, t]. */
void ae_seq_repeat_forward (float *out, const float *inp, int B, int T, int D);
void ae_seq_repeat_backward (float *dinp, const float *dout, int B, int T, int D);

/* out (B, D) = inp[:, T - 1] of inp (B, T, D): the last hidden state, an encoder's summary
 * of a sequence. Backward adds dout into dinp[:, T - 1]. */
void ae_seq_last_forward (float *out, const float *inp, int B, int T, int D);
void ae_seq_last_backward (float *dinp, const float *dout, int B, int T, int D);
