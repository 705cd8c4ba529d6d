/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-conv-steps.c: convolutions along the steps of a sequence (a kernel that spans the
 * whole width) without im2col.
 *
 * im2col copies each value kernel / stride times (2.5 for the sequence preset) and its
 * adjoint scatters them back: with 32 channels a copied value feeds only 64 flops of the
 * gemm, so the copies cost about half as much as the gemms. Here the sequence is split
 * once into its phases (for stride 2, its even and its odd steps), padding included: then
 * the taps k = g * stride .. g * stride + stride - 1 read the phases shifted by g, one
 * contiguous view, and the convolution is ceil(kernel / stride) gemms on views of the same
 * array, accumulated. The columns of the width count as channels (a first layer's
 * features): (C, T, W) is read as C * W channels of T steps.
 *
 * Layouts in the workspace, for a batch of B:
 *   phases (stride, C * W, row): phase q of lane (c, w) of sample b at step b * period + pad
 *     + t, stored at column (b * period + pad + t) / stride of row (q, c, w); samples share
 *     their padding (period = T + pad rounded up to the stride), zeros elsewhere.
 *   other (OC, B * span): the side of the layer with one column, span = period / stride
 *     columns a sample; grid steps past the layer's own are computed and dropped (or are
 *     zero when read).
 *   weight (OC, kernel, C * W): the weight rearranged so that a group of taps is a block.
 * The sequence side is the input of a conv and the output of a transposed conv (its
 * adjoint), whose weight (C_in, C_out, K, W) is the conv's (OC, C, K, W).
 */
#include "ae-conv-steps.h"

#include <assert.h>
#include <cblas.h>
#include <string.h>

#include "ae-layers.h"

typedef struct {
  int channels, steps, width; /* the sequence side: C, T, W */
  int lanes;                  /* C * W */
  int other;                  /* OC: channels of the other side */
  int grid;                   /* its steps */
  int kernel, stride, pad;
  int period;                 /* steps a sample takes in the phases, padding shared */
  int span;                   /* period / stride: columns a sample */
  int groups;                 /* ceil (kernel / stride): gemms per product */
  int B;
  long row;                   /* floats in a row of the phases */
  long n;                     /* B * span: columns of the other side */
} Steps;

int
ae_conv_steps_applies (const AeConvShape *s)
{
  if (s->transposed)
    return s->in_width == 1 && s->kernel_w == s->out_width && s->pad_w == 0;
  return s->out_width == 1 && s->kernel_w == s->in_width && s->pad_w == 0;
}

static Steps
steps_of (const AeConvShape *s, int B)
{
  Steps g = { .kernel = s->kernel_h, .stride = s->stride_h, .pad = s->pad_h, .B = B };
  if (s->transposed)
    g.channels = s->out_channels, g.steps = s->out_height, g.width = s->out_width,
    g.other = s->in_channels, g.grid = s->in_height;
  else
    g.channels = s->in_channels, g.steps = s->in_height, g.width = s->in_width,
    g.other = s->out_channels, g.grid = s->out_height;
  g.lanes = g.channels * g.width;
  g.period = (g.steps + g.pad + g.stride - 1) / g.stride * g.stride;
  g.span = g.period / g.stride;
  g.groups = (g.kernel + g.stride - 1) / g.stride;
  /* The first sample's left padding and the last one's right padding and shifts. */
  g.n = (long) B * g.span;
  g.row = g.n + g.groups + 1;
  /* The grid fits in a sample's columns: (grid - 1) * stride + kernel <= steps + 2 * pad
   * and pad < kernel give grid <= ceil ((steps + pad) / stride) = span. */
  assert (g.grid <= g.span);
  return g;
}

/* Workspace floats: phases, other side, weight and its gradient rearranged. */
size_t
ae_conv_steps_workspace_size (const AeConvShape *shape, int B)
{
  const Steps g = steps_of (shape, B);
  const size_t weight = (size_t) g.other * g.kernel * g.lanes;
  return (size_t) g.stride * g.lanes * g.row + (size_t) g.other * g.n + 2 * weight;
}

/* d[i] = s[i * step] for i < n; the steps the models use get loops with a constant step,
 * which the compiler turns into shuffles instead of scalar loads. */
static inline void
gather_run (float *restrict d, const float *restrict s, int n, long step)
{
  if (step == 1)
    memcpy (d, s, sizeof (float) * (size_t) n);
  else if (step == 2)
    for (int i = 0; i < n; i++)
      d[i] = s[2 * i];
  else
    for (int i = 0; i < n; i++)
      d[i] = s[i * step];
}

/* Where the steps of each phase q go, the same for every sample (a period is a whole
 * number of strides): steps first[q], first[q] + stride, ... (count[q] of them) at the
 * columns from column[q] on, plus b * span for sample b. */
typedef struct {
  int first[64], count[64], column[64]; /* strides are at most 64, see ae_conv_steps_shape */
} PhaseRuns;

static void
phase_runs (PhaseRuns *r, const Steps *g)
{
  for (int q = 0; q < g->stride; q++)
    {
      const int t0 = ((q - g->pad) % g->stride + g->stride) % g->stride;
      r->first[q] = t0;
      r->count[q] = t0 < g->steps ? (g->steps - t0 + g->stride - 1) / g->stride : 0;
      r->column[q] = (g->pad + t0) / g->stride;
    }
}

/* The row of phase q, lane (c, w) in phases. */
static long
phase_row (const Steps *g, int q, int c, int w)
{
  return ((long) q * g->lanes + (long) c * g->width + w) * g->row;
}

/* Where sample b's run of phase q, lane (c, w) starts in the phases. */
static long
phase_run (const Steps *g, const PhaseRuns *r, int q, int c, int w, int b)
{
  return phase_row (g, q, c, w) + (long) b * g->span + r->column[q];
}

/* Zeroes the columns [n, row) past the last sample of every row of the phases. */
static void
zero_phase_tails (float *phases, const Steps *g)
{
  for (long i = 0; i < (long) g->stride * g->lanes; i++)
    for (long j = g->n; j < g->row; j++)
      phases[i * g->row + j] = 0.0f;
}

/* The sum of r[0 .. len): eight float lanes (which the compiler vectorises), added up in
 * double. The packed layouts hold each channel's values in rows, zeros where no value is:
 * a row is summed right after it is packed, while it is in the cache. */
static double
row_sum (const float *restrict r, long len)
{
  float lane[8] = { 0 };
  long j = 0;
  for (; j + 8 <= len; j += 8)
    for (int l = 0; l < 8; l++)
      lane[l] += r[j + l];
  double total = 0.0;
  for (; j < len; j++)
    total += r[j];
  for (int l = 0; l < 8; l++)
    total += lane[l];
  return total;
}

/* d[0 .. n) = 0 for the few floats of padding around a run: one float (the usual case)
 * is stored as such, where GCC would make a zeroing loop a call of memset. */
static inline void
zero_few (float *d, int n)
{
  if (n == 1)
    d[0] = 0.0f;
  else
    for (int j = 0; j < n; j++)
      d[j] = 0.0f;
}

/* phases from seq (B, channels, steps, width), zero where no step is (the padding): each
 * float written once, the padding around a sample's run with it and the tails at the end
 * (no memset of the whole first, which cost as much again as the copy). A row is written
 * from start to end, sample after sample. sums (channels) may be NULL, else sums[c] += the
 * sum of channel c over the batch (a bias's gradient), taken from the runs just written. */
static void
pack_phases (float *phases, const float *seq, float *sums, const Steps *g)
{
  const long plane = (long) g->steps * g->width, step = (long) g->stride * g->width;
  PhaseRuns r;
  phase_runs (&r, g);
  for (int c = 0; c < g->channels; c++)
    {
      for (int w = 0; w < g->width; w++)
        for (int b = 0; b < g->B; b++)
          {
            const float *x = seq + ((long) b * g->channels + c) * plane + w;
            for (int q = 0; q < g->stride; q++)
              {
                float *restrict d = phases + phase_row (g, q, c, w) + (long) b * g->span;
                const int end = r.column[q] + r.count[q];
                zero_few (d, r.column[q]);
                gather_run (d + r.column[q], x + (long) r.first[q] * g->width, r.count[q], step);
                zero_few (d + end, g->span - end);
              }
          }
      for (int q = 0; q < g->stride; q++) /* the columns past the last sample */
        for (int w = 0; w < g->width; w++)
          for (long j = g->n; j < g->row; j++)
            phases[phase_row (g, q, c, w) + j] = 0.0f;
      if (sums) /* channel c: its rows (q, c, w) of every phase q and column w */
        for (int q = 0; q < g->stride; q++)
          for (int w = 0; w < g->width; w++)
            sums[c] += (float) row_sum (phases + phase_row (g, q, c, w), g->row);
    }
}

/* seq (B, channels, steps, width) = act (phases + bias (channels)) (bias may be NULL), or
 * += phases when `add`: the padding is dropped. The activation goes over each sample once
 * it is stored, while it is in the cache. For stride 2 on one column, the phases' runs
 * are interleaved at once, which the compiler vectorises. */
static void
unpack_phases (float *seq, const float *phases, const float *bias, int add, AeActivation act,
               const Steps *g)
{
  const long plane = (long) g->steps * g->width, step = (long) g->stride * g->width;
  PhaseRuns r;
  phase_runs (&r, g);
  const int pairs = g->stride == 2 && g->width == 1 ? g->steps / 2 : 0;
  for (int b = 0; b < g->B; b++)
    for (int c = 0; c < g->channels; c++)
      {
        const float base = bias != NULL ? bias[c] : 0.0f;
        for (int w = 0; w < g->width; w++)
          {
            float *x = seq + ((long) b * g->channels + c) * plane + w;
            if (pairs > 0)
              {
                const float *restrict even = phases + phase_run (g, &r, g->pad % 2, c, w, b);
                const float *restrict odd = phases + phase_run (g, &r, 1 - g->pad % 2, c, w, b);
                float *restrict d = x;
                if (add)
                  for (int i = 0; i < pairs; i++)
                    {
                      d[2 * i] += even[i];
                      d[2 * i + 1] += odd[i];
                    }
                else
                  for (int i = 0; i < pairs; i++)
                    {
                      d[2 * i] = even[i] + base;
                      d[2 * i + 1] = odd[i] + base;
                    }
                if (g->steps % 2)
                  d[g->steps - 1] = (add ? d[g->steps - 1] : base) + even[pairs];
                continue;
              }
            for (int q = 0; q < g->stride; q++)
              {
                const float *restrict s = phases + phase_run (g, &r, q, c, w, b);
                float *restrict d = x + (long) r.first[q] * g->width;
                const int count = r.count[q];
                if (add)
                  for (int i = 0; i < count; i++)
                    d[i * step] += s[i];
                else
                  for (int i = 0; i < count; i++)
                    d[i * step] = s[i] + base;
              }
          }
        if (!add && act != AE_ACT_IDENTITY && c == g->channels - 1) /* sample b is stored */
          ae_activation_forward (seq + (long) b * g->channels * plane, g->channels * plane, act);
      }
}

/* other (OC, B * span) from src (B, OC, grid), zero past each sample's grid. sums (OC) may
 * be NULL, else sums[o] += the sum of channel o over the batch (a bias's gradient). */
static void
pack_other (float *other, const float *src, float *sums, const Steps *g)
{
  for (int o = 0; o < g->other; o++)
    {
      for (int b = 0; b < g->B; b++)
        {
          /* Loops, not memcpy and memset: runs are a few floats long, and the usual gap of
           * one float is stored as such (GCC makes a zeroing loop a call of memset). */
          float *restrict d = other + (long) o * g->n + (long) b * g->span;
          const float *restrict s = src + ((long) b * g->other + o) * g->grid;
          for (int j = 0; j < g->grid; j++)
            d[j] = s[j];
          if (g->span == g->grid + 1)
            d[g->grid] = 0.0f;
          else
            for (int j = g->grid; j < g->span; j++)
              d[j] = 0.0f;
        }
      if (sums)
        sums[o] += (float) row_sum (other + (long) o * g->n, g->n);
    }
}

/* dst (B, OC, grid) = act (other + bias (OC)) (bias may be NULL), or += other when `add`;
 * the activation as in unpack_phases. */
static void
unpack_other (float *dst, const float *other, const float *bias, int add, AeActivation act,
              const Steps *g)
{
  for (int b = 0; b < g->B; b++)
    for (int o = 0; o < g->other; o++)
      {
        float *restrict d = dst + ((long) b * g->other + o) * g->grid;
        const float *restrict s = other + (long) o * g->n + (long) b * g->span;
        const float base = bias != NULL ? bias[o] : 0.0f;
        if (add)
          for (int j = 0; j < g->grid; j++)
            d[j] += s[j];
        else
          for (int j = 0; j < g->grid; j++)
            d[j] = s[j] + base;
        if (!add && act != AE_ACT_IDENTITY && o == g->other - 1) /* sample b is stored */
          ae_activation_forward (dst + (long) b * g->other * g->grid, (long) g->other * g->grid,
                               act);
      }
}

/* dst (n, m, block) = src (m, n, block), or += when `add`: the first two axes swapped.
 * Blocks of one float (a width of 1) get a loop of their own, which the compiler would
 * otherwise turn into a call of memcpy per float. */
static void
swap_axes (float *restrict dst, const float *restrict src, int m, int n, int block, int add)
{
  if (block == 1)
    {
      for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
          dst[(long) j * m + i] = (add ? dst[(long) j * m + i] : 0.0f) + src[(long) i * n + j];
      return;
    }
  for (int j = 0; j < n; j++)
    for (int i = 0; i < m; i++)
      {
        const float *s = src + ((long) i * n + j) * block;
        float *d = dst + ((long) j * m + i) * block;
        if (add)
          for (int e = 0; e < block; e++)
            d[e] += s[e];
        else
          for (int e = 0; e < block; e++)
            d[e] = s[e];
      }
}

/* wr (OC, kernel, lanes) = weight (OC, C, kernel, W). */
static void
rearrange_weight (float *wr, const float *weight, const Steps *g)
{
  const long per = (long) g->channels * g->kernel * g->width;
  for (int o = 0; o < g->other; o++)
    swap_axes (wr + o * per, weight + o * per, g->channels, g->kernel, g->width, 0);
}

/* dweight (OC, C, kernel, W) += dwr (OC, kernel, lanes). */
static void
add_rearranged (float *dweight, const float *dwr, const Steps *g)
{
  const long per = (long) g->channels * g->kernel * g->width;
  for (int o = 0; o < g->other; o++)
    swap_axes (dweight + o * per, dwr + o * per, g->kernel, g->channels, g->width, 1);
}

/* Taps in group gi: gi * stride up to the kernel's end. */
static int
group_taps (const Steps *g, int gi)
{
  const int left = g->kernel - gi * g->stride;
  return left < g->stride ? left : g->stride;
}

/* other (OC, n) = the convolution of the phases: the sum over groups gi of
 * wr[:, taps of gi] (OC, taps * lanes) @ phases shifted by gi (taps * lanes, n). */
static void
convolve (float *other, const float *phases, const float *wr, const Steps *g)
{
  const int ld = g->kernel * g->lanes;
  for (int gi = 0; gi < g->groups; gi++)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, g->other, (int) g->n,
                 group_taps (g, gi) * g->lanes, 1.0f, wr + (long) gi * g->stride * g->lanes, ld,
                 phases + gi, (int) g->row, gi > 0 ? 1.0f : 0.0f, other, (int) g->n);
}

/* phases = the adjoint of convolve applied to other. The first group writes every row
 * when it has a tap per phase (kernel >= stride), and the later ones add to it shifted;
 * otherwise the phases start from zero. */
static void
convolve_adjoint (float *phases, const float *other, const float *wr, const Steps *g)
{
  const int ld = g->kernel * g->lanes;
  const int first_sets = group_taps (g, 0) == g->stride;
  if (first_sets)
    zero_phase_tails (phases, g);
  else
    memset (phases, 0, sizeof (float) * (size_t) g->stride * g->lanes * g->row);
  for (int gi = 0; gi < g->groups; gi++)
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, group_taps (g, gi) * g->lanes,
                 (int) g->n, g->other, 1.0f, wr + (long) gi * g->stride * g->lanes, ld, other,
                 (int) g->n, gi == 0 && first_sets ? 0.0f : 1.0f, phases + gi, (int) g->row);
}

/* dwr (OC, kernel, lanes) = the gradient of convolve's weight: other (OC, n) @ phases
 * shifted by gi ^T, group by group. */
static void
convolve_weight_grad (float *dwr, const float *other, const float *phases, const Steps *g)
{
  const int ld = g->kernel * g->lanes;
  for (int gi = 0; gi < g->groups; gi++)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, g->other, group_taps (g, gi) * g->lanes,
                 (int) g->n, 1.0f, other, (int) g->n, phases + gi, (int) g->row, 0.0f,
                 dwr + (long) gi * g->stride * g->lanes, ld);
}

/* The workspace's parts. */
typedef struct {
  float *phases, *other, *wr, *dwr;
} Parts;

static Parts
parts_of (float *workspace, const Steps *g)
{
  Parts p;
  p.phases = workspace;
  p.other = p.phases + (long) g->stride * g->lanes * g->row;
  p.wr = p.other + (long) g->other * g->n;
  p.dwr = p.wr + (long) g->other * g->kernel * g->lanes;
  return p;
}

/* Floats a sample that forward keeps for backward: the packed side of the layer's input
 * (phases of a conv, other of a transposed conv) for a batch of B fits in B of these. */
size_t
ae_conv_steps_keep_size (const AeConvShape *shape)
{
  const Steps g = steps_of (shape, 1);
  return shape->transposed ? (size_t) g.other * g.n : (size_t) g.stride * g.lanes * g.row;
}

void
ae_conv_steps_forward (float *out, const float *inp, const float *weight, const float *bias,
                       const AeConvShape *shape, int B, float *workspace)
{
  ae_conv_steps_forward_keep (out, inp, weight, bias, shape, B, workspace, AE_ACT_IDENTITY,
                              NULL);
}

void
ae_conv_steps_forward_keep (float *out, const float *inp, const float *weight,
                            const float *bias, const AeConvShape *shape, int B, float *workspace,
                            AeActivation act, float *keep)
{
  assert (ae_conv_steps_applies (shape) && B >= 1);
  const Steps g = steps_of (shape, B);
  const Parts p = parts_of (workspace, &g);
  rearrange_weight (p.wr, weight, &g);
  if (!shape->transposed)
    {
      float *phases = keep != NULL ? keep : p.phases;
      pack_phases (phases, inp, NULL, &g);
      convolve (p.other, phases, p.wr, &g);
      unpack_other (out, p.other, bias, 0, act, &g);
      return;
    }
  float *other = keep != NULL ? keep : p.other;
  pack_other (other, inp, NULL, &g);
  convolve_adjoint (p.phases, other, p.wr, &g);
  unpack_phases (out, p.phases, bias, 0, act, &g);
}

void
ae_conv_steps_backward (float *dinp, float *dweight, float *dbias, const float *dout,
                        const float *inp, const float *weight, const AeConvShape *shape, int B,
                        float *workspace, int add_dinp)
{
  ae_conv_steps_backward_kept (dinp, dweight, dbias, dout, inp, NULL, weight, shape, B,
                               workspace, add_dinp);
}

void
ae_conv_steps_backward_kept (float *dinp, float *dweight, float *dbias, const float *dout,
                             const float *inp, const float *kept, const float *weight,
                             const AeConvShape *shape, int B, float *workspace, int add_dinp)
{
  assert (ae_conv_steps_applies (shape) && B >= 1);
  const Steps g = steps_of (shape, B);
  const Parts p = parts_of (workspace, &g);
  /* The bias's gradient is summed while the output's gradient is packed; the input's side
   * is forward's when kept, else packed again. */
  const float *in_phases = p.phases, *in_other = p.other;
  if (!shape->transposed)
    {
      pack_other (p.other, dout, dbias, &g);
      if (kept != NULL)
        in_phases = kept;
      else
        pack_phases (p.phases, inp, NULL, &g);
    }
  else
    {
      if (kept != NULL)
        in_other = kept;
      else
        pack_other (p.other, inp, NULL, &g);
      pack_phases (p.phases, dout, dbias, &g);
    }
  convolve_weight_grad (p.dwr, in_other, in_phases, &g);
  add_rearranged (dweight, p.dwr, &g);
  if (!dinp)
    return;
  rearrange_weight (p.wr, weight, &g);
  if (!shape->transposed)
    {
      convolve_adjoint (p.phases, p.other, p.wr, &g);
      unpack_phases (dinp, p.phases, NULL, add_dinp, AE_ACT_IDENTITY, &g);
      return;
    }
  convolve (p.other, p.phases, p.wr, &g);
  unpack_other (dinp, p.other, NULL, add_dinp, AE_ACT_IDENTITY, &g);
}
