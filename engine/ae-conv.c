/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-conv.c: convolution and transposed convolution through im2col + one sgemm per batch.
 *
 * The whole batch goes through a single sgemm: im2col lays the patches of all B samples
 * side by side, col (rows, B * grid), so the gemm is (OC, rows) x (rows, B * grid) and
 * OpenBLAS sees one wide matrix instead of B thin ones. The price is a permutation between
 * NCHW (B, C, P) and channel-major (C, B * P), a copy of contiguous rows of P floats; 2-D
 * layers on larger batches put the batch innermost instead (see use_batch_inner).
 */
#include "ae-conv.h"
#include "ae-conv-steps.h"

#include <assert.h>
#include <cblas.h>
#include <limits.h>
#include <string.h>

#ifdef __SSE__
#include <xmmintrin.h>
#endif

/* The im2col view of a layer: an image (channels, height, width) read or written through
 * a grid of kernel positions (grid_h, grid_w). conv2d: image = input, grid = output;
 * conv_transpose2d: image = output, grid = input. */
typedef struct {
  int channels, height, width;
  int grid_h, grid_w;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int pad_h, pad_w;
} ColGeometry;

static ColGeometry
col_geometry (const AeConvShape *s)
{
  ColGeometry g = {
    .kernel_h = s->kernel_h, .kernel_w = s->kernel_w,
    .stride_h = s->stride_h, .stride_w = s->stride_w,
    .pad_h = s->pad_h, .pad_w = s->pad_w,
  };
  if (s->transposed)
    {
      g.channels = s->out_channels, g.height = s->out_height, g.width = s->out_width;
      g.grid_h = s->in_height, g.grid_w = s->in_width;
    }
  else
    {
      g.channels = s->in_channels, g.height = s->in_height, g.width = s->in_width;
      g.grid_h = s->out_height, g.grid_w = s->out_width;
    }
  return g;
}

/* Grid columns [*lo, *hi) whose image column x * stride - pad + k falls inside [0, size). */
static void
valid_range (int *lo, int *hi, int grid, int size, int stride, int pad, int k)
{
  int first = pad - k; /* smallest x * stride allowed */
  *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  int last = size - 1 + pad - k; /* largest x * stride allowed */
  *hi = last < 0 ? 0 : last / stride + 1;
  if (*hi > grid)
    *hi = grid;
  if (*lo > *hi)
    *lo = *hi;
}

/* Zeroes n floats; a loop rather than memset: most runs here are a few floats long. */
static inline void
zero_floats (float *dst, long n)
{
  for (long i = 0; i < n; i++)
    dst[i] = 0.0f;
}

/* The part of the grid that one kernel offset reads from inside the image: rows
 * [ylo, yhi), columns [xlo, xhi). `first` is the offset in the image plane of what grid
 * row ylo, column 0 reads (outside the plane when xlo > 0: only columns from xlo on are
 * read through it). */
typedef struct {
  int ylo, yhi, xlo, xhi;
  long first;
} TapRange;

static int
tap_empty (const TapRange *r)
{
  return r->ylo >= r->yhi || r->xlo >= r->xhi;
}

/* Whether grid row y + 1 reads the image row right after grid row y's: stride 1 and a grid
 * as wide as the image (a "same" convolution). A kernel offset's rows are then one run of
 * the image, copied at once, and only the few columns that read padding differ. */
static int
rows_contiguous (const ColGeometry *g)
{
  return g->stride_h == 1 && g->stride_w == 1 && g->grid_w == g->width;
}

/* Floats from grid row ylo, column xlo to grid row yhi - 1, column xhi - 1. */
static long
run_length (const ColGeometry *g, const TapRange *r)
{
  return (long) (r->yhi - r->ylo - 1) * g->grid_w + r->xhi - r->xlo;
}

/* dst (grid_h, grid_w): what kernel offset r reads from one image plane; zero where it
 * reads padding. */
static void
im2col_tap (float *restrict dst, const float *restrict plane, const ColGeometry *g,
            const TapRange *r)
{
  const int gw = g->grid_w;
  const long grid = (long) g->grid_h * gw;
  if (tap_empty (r))
    {
      zero_floats (dst, grid);
      return;
    }
  zero_floats (dst, (long) r->ylo * gw);
  zero_floats (dst + (long) r->yhi * gw, grid - (long) r->yhi * gw);
  const int rows = r->yhi - r->ylo, xlo = r->xlo, xhi = r->xhi;
  const float *line = plane + r->first;
  float *d = dst + (long) r->ylo * gw;
  if (rows_contiguous (g))
    {
      memcpy (d + xlo, line + xlo, sizeof (float) * (size_t) run_length (g, r));
      if (xlo > 0 || xhi < gw)
        for (int y = 0; y < rows; y++)
          {
            zero_floats (d + (long) y * gw, xlo);
            zero_floats (d + (long) y * gw + xhi, gw - xhi);
          }
      return;
    }
  const long step_y = (long) g->stride_h * g->width; /* image floats between grid rows */
  if (gw == 1) /* a 1-D convolution along the steps: one value per grid row */
    {
      for (int y = 0; y < rows; y++)
        d[y] = line[y * step_y];
      return;
    }
  for (int y = 0; y < rows; y++, d += gw, line += step_y)
    {
      zero_floats (d, xlo);
      /* The strides a model uses get their own loops with a constant step, which the
       * compiler turns into shuffles instead of scalar loads. */
      if (g->stride_w == 1)
        for (int x = xlo; x < xhi; x++)
          d[x] = line[x];
      else if (g->stride_w == 2)
        for (int x = xlo; x < xhi; x++)
          d[x] = line[2 * x];
      else
        for (int x = xlo; x < xhi; x++)
          d[x] = line[x * g->stride_w];
      zero_floats (d + xhi, gw - xhi);
    }
}

/* The adjoint of im2col_tap: plane += what kernel offset r wrote into src. src is
 * scratch: its values that read padding may be set to zero. */
static void
col2im_tap (float *restrict plane, float *restrict src, const ColGeometry *g, const TapRange *r)
{
  if (tap_empty (r))
    return;
  const int gw = g->grid_w;
  const int rows = r->yhi - r->ylo, xlo = r->xlo, xhi = r->xhi;
  float *line = plane + r->first;
  float *s = src + (long) r->ylo * gw;
  if (rows_contiguous (g))
    {
      /* One run: the padding columns inside it add zero. */
      if (xlo > 0 || xhi < gw)
        for (int y = 0; y < rows; y++)
          {
            zero_floats (s + (long) y * gw, xlo);
            zero_floats (s + (long) y * gw + xhi, gw - xhi);
          }
      const long n = run_length (g, r);
      for (long i = xlo; i < xlo + n; i++)
        line[i] += s[i];
      return;
    }
  const long step_y = (long) g->stride_h * g->width;
  if (gw == 1)
    {
      for (int y = 0; y < rows; y++)
        line[y * step_y] += s[y];
      return;
    }
  for (int y = 0; y < rows; y++, s += gw, line += step_y)
    {
      if (g->stride_w == 1)
        for (int x = xlo; x < xhi; x++)
          line[x] += s[x];
      else if (g->stride_w == 2)
        for (int x = xlo; x < xhi; x++)
          line[2 * x] += s[x];
      else
        for (int x = xlo; x < xhi; x++)
          line[x * g->stride_w] += s[x];
    }
}

/* The ranges of every kernel offset: rows per ki, columns per kj (kernels are at most
 * 64 wide, see check_common). */
typedef struct {
  int ylo[64], yhi[64], xlo[64], xhi[64];
} TapRanges;

static void
tap_ranges (TapRanges *t, const ColGeometry *g)
{
  for (int ki = 0; ki < g->kernel_h; ki++)
    valid_range (&t->ylo[ki], &t->yhi[ki], g->grid_h, g->height, g->stride_h, g->pad_h, ki);
  for (int kj = 0; kj < g->kernel_w; kj++)
    valid_range (&t->xlo[kj], &t->xhi[kj], g->grid_w, g->width, g->stride_w, g->pad_w, kj);
}

static TapRange
tap_at (const TapRanges *t, const ColGeometry *g, int ki, int kj)
{
  TapRange r = { t->ylo[ki], t->yhi[ki], t->xlo[kj], t->xhi[kj], 0 };
  r.first = (long) (r.ylo * g->stride_h - g->pad_h + ki) * g->width + kj - g->pad_w;
  return r;
}

/* im2col of strided convolutions of small images goes through a padded copy of each image
 * plane: every kernel offset then reads the same pattern of positions (a table made once),
 * shifted, over the whole grid in one loop, where the row by row way spends most of its
 * time starting rows of 7 to 14 values (conv preset: im2col from a fifth of a step to a
 * tenth). Its adjoint stays row by row: a scatter through the table measured slower.
 * Sizes up to these (floats on the stack). */
#define PADDED_PLANE_MAX 8192
#define PADDED_GRID_MAX 4096

static int
use_padded (const ColGeometry *g)
{
  return g->stride_w > 1 && g->grid_w > 1
         && (long) (g->height + 2 * g->pad_h) * (g->width + 2 * g->pad_w) <= PADDED_PLANE_MAX
         && (long) g->grid_h * g->grid_w <= PADDED_GRID_MAX;
}

/* Where each grid position's kernel window starts in the padded plane of pitch
 * width + 2 * pad_w; kernel offset (ki, kj) adds ki * pitch + kj. */
static void
padded_starts (int *starts, const ColGeometry *g)
{
  const int pitch = g->width + 2 * g->pad_w;
  for (int gy = 0; gy < g->grid_h; gy++)
    for (int gx = 0; gx < g->grid_w; gx++)
      starts[gy * g->grid_w + gx] = gy * g->stride_h * pitch + gx * g->stride_w;
}

/* im2col through a padded plane (see use_padded). */
static void
im2col_padded (float *col, const float *img, int B, const ColGeometry *g)
{
  const int pitch = g->width + 2 * g->pad_w;
  const long grid = (long) g->grid_h * g->grid_w, n = B * grid;
  const long image = (long) g->height * g->width;
  float padded[PADDED_PLANE_MAX];
  int starts[PADDED_GRID_MAX];
  padded_starts (starts, g);
  zero_floats (padded, (long) (g->height + 2 * g->pad_h) * pitch); /* the border stays zero */
  for (int b = 0; b < B; b++)
    for (int c = 0; c < g->channels; c++)
      {
        const float *plane = img + ((long) b * g->channels + c) * image;
        for (int y = 0; y < g->height; y++)
          memcpy (padded + (long) (y + g->pad_h) * pitch + g->pad_w, plane + (long) y * g->width,
                  sizeof (float) * (size_t) g->width);
        float *rows = col + (long) c * g->kernel_h * g->kernel_w * n + b * grid;
        for (int ki = 0; ki < g->kernel_h; ki++)
          for (int kj = 0; kj < g->kernel_w; kj++)
            {
              float *restrict d = rows + ((long) ki * g->kernel_w + kj) * n;
              const float *src = padded + ki * pitch + kj;
              for (long i = 0; i < grid; i++)
                d[i] = src[starts[i]];
            }
      }
}

/* col (channels * KH * KW, B * grid_h * grid_w) from img (B, channels, height, width);
 * zero where the kernel reads padding. Plane by plane (see im2col_tap), each image plane
 * read for all its kernel offsets while it is in cache: the conv preset's grid rows are 7
 * to 14 floats long, where per-row overhead is most of the cost, and a batch's input is
 * larger than the cache. */
static void
im2col (float *col, const float *img, int B, const ColGeometry *g)
{
  const long grid = (long) g->grid_h * g->grid_w;
  const long n = B * grid;
  const long image = (long) g->height * g->width;
  if (use_padded (g))
    {
      im2col_padded (col, img, B, g);
      return;
    }
  TapRanges t;
  tap_ranges (&t, g);
  for (int b = 0; b < B; b++)
    for (int c = 0; c < g->channels; c++)
      {
        const float *plane = img + ((long) b * g->channels + c) * image;
        float *rows = col + (long) c * g->kernel_h * g->kernel_w * n + b * grid;
        for (int ki = 0; ki < g->kernel_h; ki++)
          for (int kj = 0; kj < g->kernel_w; kj++)
            {
              const TapRange r = tap_at (&t, g, ki, kj);
              im2col_tap (rows + ((long) ki * g->kernel_w + kj) * n, plane, g, &r);
            }
      }
}

/* The adjoint of im2col: img (B, channels, height, width) += col2im (col), or when not
 * `add`, = col2im (col) + bias (channels) (bias may be NULL): each plane is set while it
 * is in cache, rather than in a pass over all of img before. col is scratch afterwards. */
static void
col2im (float *img, float *col, const float *bias, int B, const ColGeometry *g, int add)
{
  const long grid = (long) g->grid_h * g->grid_w;
  const long n = B * grid;
  const long image = (long) g->height * g->width;
  TapRanges t;
  tap_ranges (&t, g);
  for (int b = 0; b < B; b++)
    for (int c = 0; c < g->channels; c++)
      {
        float *plane = img + ((long) b * g->channels + c) * image;
        float *rows = col + (long) c * g->kernel_h * g->kernel_w * n + b * grid;
        if (!add)
          {
            const float value = bias != NULL ? bias[c] : 0.0f;
            for (long i = 0; i < image; i++)
              plane[i] = value;
          }
        for (int ki = 0; ki < g->kernel_h; ki++)
          for (int kj = 0; kj < g->kernel_w; kj++)
            {
              const TapRange r = tap_at (&t, g, ki, kj);
              col2im_tap (plane, rows + ((long) ki * g->kernel_w + kj) * n, g, &r);
            }
      }
}

/* dst (C, B * P) = src (B, C, P). */
static void
to_channel_major (float *dst, const float *src, int B, int C, long P)
{
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++)
      memcpy (dst + ((long) c * B + b) * P, src + ((long) b * C + c) * P, sizeof (float) * P);
}

/* dst (C, B * P) = src (B, C, P), and dbias (C) += the sum over b and p of src (in
 * double: P * B terms) in the same pass. dbias may be NULL. */
static void
to_channel_major_bias_grad (float *dst, float *dbias, const float *src, int B, int C, long P)
{
  if (dbias == NULL)
    {
      to_channel_major (dst, src, B, C, P);
      return;
    }
  for (int c = 0; c < C; c++)
    {
      double sum = 0.0;
      for (int b = 0; b < B; b++)
        {
          const float *s = src + ((long) b * C + c) * P;
          float *d = dst + ((long) c * B + b) * P;
          float part = 0.0f;
          for (long p = 0; p < P; p++)
            {
              d[p] = s[p];
              part += s[p];
            }
          sum += part;
        }
      dbias[c] += (float) sum;
    }
}

/* dst (B, C, P) = src (C, B * P) + bias (C) (bias may be NULL). */
static void
from_channel_major (float *dst, const float *src, const float *bias, int B, int C, long P)
{
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++)
      {
        float *d = dst + ((long) b * C + c) * P;
        const float *s = src + ((long) c * B + b) * P;
        const float add = bias ? bias[c] : 0.0f;
        for (long p = 0; p < P; p++)
          d[p] = s[p] + add;
      }
}

/* dst (B, C, P) += src (C, B * P). */
static void
from_channel_major_add (float *dst, const float *src, int B, int C, long P)
{
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++)
      {
        float *d = dst + ((long) b * C + c) * P;
        const float *s = src + ((long) c * B + b) * P;
        for (long p = 0; p < P; p++)
          d[p] += s[p];
      }
}

/* dbias (C) += the sum of n_runs runs of `run` floats per channel, channel c's run r at
 * x + c * channel_step + r * run_step. In double: P * B terms. */
static void
bias_grad_runs (float *dbias, const float *x, int C, long channel_step, long n_runs,
                long run_step, long run)
{
  for (int c = 0; c < C; c++)
    {
      double sum = 0.0;
      for (long r = 0; r < n_runs; r++)
        {
          const float *s = x + c * channel_step + r * run_step;
          /* Eight sums side by side: one waits on the adder's latency at every value
           * (the bias gradient of the conv preset's second layer was 3 % of a step). */
          float part[8] = { 0.0f };
          long i = 0;
          for (; i + 8 <= run; i += 8)
            for (int k = 0; k < 8; k++)
              part[k] += s[i + k];
          for (; i < run; i++)
            part[0] += s[i];
          sum += ((part[0] + part[1]) + (part[2] + part[3]))
                 + ((part[4] + part[5]) + (part[6] + part[7]));
        }
      dbias[c] += (float) sum;
    }
}

/* dbias (C) += sum over b and p of x (B, C, P). */
static void
bias_grad_add (float *dbias, const float *x, int B, int C, long P)
{
  bias_grad_runs (dbias, x, C, P, B, C * P, P);
}

/* --- batch innermost ------------------------------------------------------------------ */

/* 2-D layers on a batch of at least AE_CONV_BATCH_INNER_MIN samples run with the batch
 * innermost: tensors (channels, height, width, B), so that every pixel's values over the
 * batch are one run of B floats. im2col then copies runs of B floats and col2im adds them,
 * where the plane by plane way starts a row of 7 to 14 values for every kernel offset,
 * reading every other value (conv preset: im2col and col2im were a quarter of a step). The
 * gemm's columns are then (P, B) instead of (B, P), and its result is the output with the
 * batch innermost: a transposition to and from (B, C, H, W), which ae_conv_link spares
 * between two such layers, and ae_conv_link_dense between one and a dense layer. Stride 1
 * takes it too: there the plane by plane way copies whole rows, but linked, the denoising
 * preset's chain stays batch innermost from its first layer to its last (transpositions
 * from 12 % of a step to 3 %). Smaller batches and 1-D layers stay plane by plane. */
static int
two_d (const ColGeometry *g)
{
  return g->grid_w > 1;
}

static int
use_batch_inner (const ColGeometry *g, int B)
{
  return B >= AE_CONV_BATCH_INNER_MIN && two_d (g);
}

/* One value of transpose below. */
static inline void
transpose_one (float *dst, const float *src, long rows, long cols, long r, long c,
               const float *bias, long group, int add)
{
  const float v = src[r * cols + c];
  float *d = dst + c * rows + r;
  *d = add ? *d + v : v + (bias != NULL ? bias[r / group] : 0.0f);
}

#ifdef __SSE__
/* The four by four block of transpose below at source row r, column c, in SSE registers. */
static inline void
transpose_block (float *dst, const float *src, long rows, long cols, long r, long c,
                 const float *bias, long group, int add)
{
  const float *s = src + r * cols + c;
  float *d = dst + c * rows + r;
  __m128 x0 = _mm_loadu_ps (s), x1 = _mm_loadu_ps (s + cols);
  __m128 x2 = _mm_loadu_ps (s + 2 * cols), x3 = _mm_loadu_ps (s + 3 * cols);
  _MM_TRANSPOSE4_PS (x0, x1, x2, x3);
  if (add)
    {
      x0 = _mm_add_ps (_mm_loadu_ps (d), x0);
      x1 = _mm_add_ps (_mm_loadu_ps (d + rows), x1);
      x2 = _mm_add_ps (_mm_loadu_ps (d + 2 * rows), x2);
      x3 = _mm_add_ps (_mm_loadu_ps (d + 3 * rows), x3);
    }
  else if (bias != NULL)
    {
      const __m128 b = _mm_setr_ps (bias[r / group], bias[(r + 1) / group],
                                    bias[(r + 2) / group], bias[(r + 3) / group]);
      x0 = _mm_add_ps (x0, b), x1 = _mm_add_ps (x1, b);
      x2 = _mm_add_ps (x2, b), x3 = _mm_add_ps (x3, b);
    }
  _mm_storeu_ps (d, x0);
  _mm_storeu_ps (d + rows, x1);
  _mm_storeu_ps (d + 2 * rows, x2);
  _mm_storeu_ps (d + 3 * rows, x3);
}
#endif

/* dst (cols, rows) = src (rows, cols) transposed, + bias[r / group] on what source row r
 * holds (bias may be NULL); added into dst when `add`. Four by four blocks in SSE registers
 * (a value at a time, the scalar loop was a tenth of a step), in strips four values thin
 * across the long side: one side's rows are far apart (B samples of a whole feature map),
 * often a multiple of 4 KiB, and square tiles put more of them in one cache set than it
 * holds. */
static void
transpose (float *restrict dst, const float *restrict src, long rows, long cols,
           const float *bias, long group, int add)
{
  enum { STRIP = 32 };
  long r4 = 0, c4 = 0; /* the part of whole blocks */
#ifdef __SSE__
  r4 = rows / 4 * 4, c4 = cols / 4 * 4;
  if (cols >= rows) /* source rows far apart: four of them at a time */
    for (long c0 = 0; c0 < c4; c0 += STRIP)
      for (long r = 0; r < r4; r += 4)
        for (long c = c0; c < c4 && c < c0 + STRIP; c += 4)
          transpose_block (dst, src, rows, cols, r, c, bias, group, add);
  else /* destination rows far apart */
    for (long r0 = 0; r0 < r4; r0 += STRIP)
      for (long c = 0; c < c4; c += 4)
        for (long r = r0; r < r4 && r < r0 + STRIP; r += 4)
          transpose_block (dst, src, rows, cols, r, c, bias, group, add);
#endif
  for (long r = 0; r < r4; r++) /* the last columns */
    for (long c = c4; c < cols; c++)
      transpose_one (dst, src, rows, cols, r, c, bias, group, add);
  for (long r = r4; r < rows; r++) /* the last rows */
    for (long c = 0; c < cols; c++)
      transpose_one (dst, src, rows, cols, r, c, bias, group, add);
}

/* col (channels * KH * KW, grid_h * grid_w * B) from img (channels, height, width, B);
 * zero where the kernel reads padding. */
static void
im2col_batch_inner (float *restrict col, const float *restrict img, int B, const ColGeometry *g)
{
  const long run = B;
  float *d = col;
  for (int c = 0; c < g->channels; c++)
    for (int ki = 0; ki < g->kernel_h; ki++)
      for (int kj = 0; kj < g->kernel_w; kj++)
        {
          int xlo, xhi;
          valid_range (&xlo, &xhi, g->grid_w, g->width, g->stride_w, g->pad_w, kj);
          for (int gy = 0; gy < g->grid_h; gy++)
            {
              const int iy = gy * g->stride_h - g->pad_h + ki;
              if (iy < 0 || iy >= g->height)
                {
                  zero_floats (d, g->grid_w * run);
                  d += g->grid_w * run;
                  continue;
                }
              const float *line = img + ((long) c * g->height + iy) * g->width * run;
              zero_floats (d, xlo * run);
              d += xlo * run;
              if (g->stride_w == 1 && xlo < xhi) /* the row's runs lie side by side */
                {
                  const long n = (long) (xhi - xlo) * run;
                  memcpy (d, line + (long) (xlo - g->pad_w + kj) * run,
                          sizeof (float) * (size_t) n);
                  d += n;
                }
              else
                for (int gx = xlo; gx < xhi; gx++, d += run)
                  {
                    const float *s = line + (long) (gx * g->stride_w - g->pad_w + kj) * run;
                    for (long b = 0; b < run; b++)
                      d[b] = s[b];
                  }
              zero_floats (d, (g->grid_w - xhi) * run);
              d += (g->grid_w - xhi) * run;
            }
        }
}

/* The kernel offsets' runs that add into one run of B of col2im_batch_inner, in the order
 * col2im adds them (ki, then kj); at most 64 x 64 (see check_common). */
typedef struct {
  const float *src[64 * 64];
  int n;
} RunSources;

/* d[0, n) = start[0, n) (value where start is NULL; start may be d itself) + floats
 * [off, off + n) of every source, added in order; n <= RUN_CHUNK. The sums stay in
 * registers over all sources: one store per value, where adding each source into d read
 * and wrote it once per kernel offset. */
#define RUN_CHUNK 16

static inline void
sum_sources (float *d, const float *start, float value, const RunSources *r, long off, long n)
{
  float acc[RUN_CHUNK];
  for (long i = 0; i < n; i++)
    acc[i] = start != NULL ? start[i] : value;
  for (int k = 0; k < r->n; k++)
    {
      const float *s = r->src[k] + off;
      for (long i = 0; i < n; i++)
        acc[i] += s[i];
    }
  for (long i = 0; i < n; i++)
    d[i] = acc[i];
}

/* The adjoint of im2col_batch_inner: img (channels, height, width, B) = col2im (col) + bias
 * (bias may be NULL), or += col2im (col) when `add`. Each run of B is written once, its
 * kernel offsets summed in registers in the order col2im adds them, so sums round as
 * there. */
static void
col2im_batch_inner (float *restrict img, const float *restrict col, const float *bias, int B,
                    const ColGeometry *g, int add)
{
  const long run = B, n = (long) g->grid_h * g->grid_w * run;
  RunSources r;
  for (int c = 0; c < g->channels; c++)
    {
      const float value = bias != NULL ? bias[c] : 0.0f;
      const float *rows = col + (long) c * g->kernel_h * g->kernel_w * n;
      for (int y = 0; y < g->height; y++)
        for (int x = 0; x < g->width; x++)
          {
            float *d = img + (((long) c * g->height + y) * g->width + x) * run;
            /* Kernel offset ki reads image row y from grid row gy = (y + pad_h - ki) /
             * stride_h when that divides: ki from (y + pad_h) % stride_h on in steps of
             * the stride, gy falling by one at each (likewise kj, gx). */
            const int ky0 = (y + g->pad_h) % g->stride_h, kx0 = (x + g->pad_w) % g->stride_w;
            const int gy0 = (y + g->pad_h) / g->stride_h, gx0 = (x + g->pad_w) / g->stride_w;
            r.n = 0;
            for (int ki = ky0, gy = gy0; ki < g->kernel_h && gy >= 0; ki += g->stride_h, gy--)
              if (gy < g->grid_h)
                for (int kj = kx0, gx = gx0; kj < g->kernel_w && gx >= 0;
                     kj += g->stride_w, gx--)
                  if (gx < g->grid_w)
                    r.src[r.n++] = rows + ((long) ki * g->kernel_w + kj) * n
                                   + ((long) gy * g->grid_w + gx) * run;
            long b = 0;
            for (; b + RUN_CHUNK <= run; b += RUN_CHUNK)
              sum_sources (d + b, add ? d + b : NULL, value, &r, b, RUN_CHUNK);
            if (b < run)
              sum_sources (d + b, add ? d + b : NULL, value, &r, b, run - b);
          }
    }
}

void
ae_conv_link (AeConvShape *producer, AeConvShape *consumer)
{
  const ColGeometry a = col_geometry (producer), b = col_geometry (consumer);
  /* Both take the batch-innermost way for the same batches (use_batch_inner). */
  producer->out_batch_inner = consumer->in_batch_inner = two_d (&a) && two_d (&b);
}

int
ae_conv_link_dense (AeConvShape *conv, int conv_first)
{
  const ColGeometry g = col_geometry (conv);
  if (!two_d (&g))
    return 0;
  if (conv_first)
    conv->out_batch_inner = 1;
  else
    conv->in_batch_inner = 1;
  return 1;
}

/* dbias (C) += the sum over p and b of x (C, P, B). */
static void
bias_grad_rows (float *dbias, const float *x, int C, long P, int B)
{
  bias_grad_runs (dbias, x, C, P * B, P, B, B);
}

/* --- shapes ------------------------------------------------------------------------- */

static AeStatus
check_common (int C, int H, int W, int OC, int K, int stride, int padding, AeError *err)
{
  if (C < 1 || OC < 1 || C > AE_MAX_LAYER_UNITS || OC > AE_MAX_LAYER_UNITS)
    return ae_error_set (err, AE_ERR_INVALID,
                         "convolution channels %d -> %d: expected 1 to %d", C, OC,
                         AE_MAX_LAYER_UNITS);
  if (H < 1 || W < 1 || H > AE_MAX_IMAGE_SIDE || W > AE_MAX_IMAGE_SIDE)
    return ae_error_set (err, AE_ERR_INVALID,
                         "convolution input %dx%d: expected sides from 1 to %d", H, W,
                         AE_MAX_IMAGE_SIDE);
  if (K < 1 || K > 64)
    return ae_error_set (err, AE_ERR_INVALID, "convolution kernel %d: expected 1 to 64", K);
  if (stride < 1 || stride > 64)
    return ae_error_set (err, AE_ERR_INVALID, "convolution stride %d: expected 1 to 64",
                         stride);
  if (padding < 0 || padding >= K)
    return ae_error_set (err, AE_ERR_INVALID,
                         "convolution padding %d: expected 0 to kernel - 1 = %d", padding,
                         K - 1);
  return AE_OK;
}

static AeStatus
bad_output_padding (int output_padding, int stride, AeError *err)
{
  return ae_error_set (err, AE_ERR_INVALID,
                       "transposed convolution output padding %d: expected 0 to stride - 1 = %d",
                       output_padding, stride - 1);
}

static AeStatus
check_sizes (const AeConvShape *s, AeError *err)
{
  if (s->out_height < 1 || s->out_width < 1 || s->out_height > AE_MAX_IMAGE_SIDE
      || s->out_width > AE_MAX_IMAGE_SIDE)
    return ae_error_set (err, AE_ERR_INVALID,
                         "convolution of %dx%d with kernel %dx%d, stride %d, padding %d gives "
                         "%dx%d: expected sides from 1 to %d",
                         s->in_height, s->in_width, s->kernel_h, s->kernel_w, s->stride_w,
                         s->pad_w, s->out_height, s->out_width, AE_MAX_IMAGE_SIDE);
  if (ae_conv_in_size (s) > (size_t) AE_MAX_FEATURES
      || ae_conv_out_size (s) > (size_t) AE_MAX_FEATURES)
    return ae_error_set (err, AE_ERR_LIMIT,
                         "convolution (%d, %d, %d) -> (%d, %d, %d): more than %ld floats per "
                         "sample",
                         s->in_channels, s->in_height, s->in_width, s->out_channels,
                         s->out_height, s->out_width, AE_MAX_FEATURES);
  if (ae_conv_weight_size (s) > (size_t) AE_MAX_PARAMS)
    return ae_error_set (err, AE_ERR_LIMIT, "convolution weight: more than %ld parameters",
                         AE_MAX_PARAMS);
  return AE_OK;
}

AeStatus
ae_conv2d_shape (AeConvShape *shape, int C, int H, int W, int OC, int K, int stride,
                 int padding, AeError *err)
{
  AeStatus st = check_common (C, H, W, OC, K, stride, padding, err);
  if (st != AE_OK)
    return st;
  if (H + 2 * padding < K || W + 2 * padding < K)
    return ae_error_set (err, AE_ERR_INVALID,
                         "convolution kernel %d is larger than the padded input %dx%d", K,
                         H + 2 * padding, W + 2 * padding);
  *shape = (AeConvShape) {
    .in_channels = C, .in_height = H, .in_width = W,
    .out_channels = OC,
    .out_height = (H + 2 * padding - K) / stride + 1,
    .out_width = (W + 2 * padding - K) / stride + 1,
    .kernel_h = K, .kernel_w = K, .stride_h = stride, .stride_w = stride,
    .pad_h = padding, .pad_w = padding, .transposed = 0,
  };
  return check_sizes (shape, err);
}

AeStatus
ae_conv2d_reshape (AeConvShape *out, const AeConvShape *shape, int H, int W, AeError *err)
{
  assert (!shape->transposed);
  const AeConvShape *s = shape;
  if (H < 1 || W < 1 || H + 2 * s->pad_h < s->kernel_h || W + 2 * s->pad_w < s->kernel_w)
    return ae_error_set (err, AE_ERR_INVALID,
                         "an image of %d x %d is smaller than the convolution's %d x %d kernel", W,
                         H, s->kernel_w, s->kernel_h);
  AeConvShape r = *s;
  r.in_height = H, r.in_width = W;
  r.out_height = (H + 2 * s->pad_h - s->kernel_h) / s->stride_h + 1;
  r.out_width = (W + 2 * s->pad_w - s->kernel_w) / s->stride_w + 1;
  size_t most = ae_conv_in_size (&r) > ae_conv_out_size (&r) ? ae_conv_in_size (&r)
                                                             : ae_conv_out_size (&r);
  if (most > (size_t) INT_MAX)
    return ae_error_set (err, AE_ERR_LIMIT, "an image of %d x %d: %zu values in one layer, more "
                         "than %d", W, H, most, INT_MAX);
  *out = r;
  return AE_OK;
}

AeStatus
ae_conv_steps_shape (AeConvShape *shape, int C, int T, int W, int OC, int K, int stride,
                     int padding, AeError *err)
{
  AeStatus st = check_common (C, T, W, OC, K, stride, padding, err);
  if (st != AE_OK)
    return st;
  if (T + 2 * padding < K)
    return ae_error_set (err, AE_ERR_INVALID,
                         "convolution kernel %d is longer than the padded sequence of %d steps",
                         K, T + 2 * padding);
  *shape = (AeConvShape) {
    .in_channels = C, .in_height = T, .in_width = W,
    .out_channels = OC, .out_height = (T + 2 * padding - K) / stride + 1, .out_width = 1,
    .kernel_h = K, .kernel_w = W, .stride_h = stride, .stride_w = 1,
    .pad_h = padding, .pad_w = 0, .transposed = 0,
  };
  return check_sizes (shape, err);
}

AeStatus
ae_conv_transpose_steps_shape (AeConvShape *shape, int C, int T, int OC, int OW, int K,
                               int stride, int padding, int output_padding, AeError *err)
{
  AeStatus st = check_common (C, T, OW, OC, K, stride, padding, err);
  if (st != AE_OK)
    return st;
  if (output_padding < 0 || output_padding >= stride)
    return bad_output_padding (output_padding, stride, err);
  *shape = (AeConvShape) {
    .in_channels = C, .in_height = T, .in_width = 1,
    .out_channels = OC, .out_height = (T - 1) * stride - 2 * padding + K + output_padding,
    .out_width = OW,
    .kernel_h = K, .kernel_w = OW, .stride_h = stride, .stride_w = 1,
    .pad_h = padding, .pad_w = 0, .transposed = 1,
  };
  return check_sizes (shape, err);
}

AeStatus
ae_conv_transpose2d_shape (AeConvShape *shape, int C, int H, int W, int OC, int K, int stride,
                           int padding, int output_padding, AeError *err)
{
  AeStatus st = check_common (C, H, W, OC, K, stride, padding, err);
  if (st != AE_OK)
    return st;
  if (output_padding < 0 || output_padding >= stride)
    return bad_output_padding (output_padding, stride, err);
  *shape = (AeConvShape) {
    .in_channels = C, .in_height = H, .in_width = W,
    .out_channels = OC,
    .out_height = (H - 1) * stride - 2 * padding + K + output_padding,
    .out_width = (W - 1) * stride - 2 * padding + K + output_padding,
    .kernel_h = K, .kernel_w = K, .stride_h = stride, .stride_w = stride,
    .pad_h = padding, .pad_w = padding, .transposed = 1,
  };
  return check_sizes (shape, err);
}

int
ae_conv_output_padding (int in, int out, int K, int stride, int padding)
{
  int output_padding = out - ((in - 1) * stride - 2 * padding + K);
  return output_padding >= 0 && output_padding < stride ? output_padding : -1;
}

size_t
ae_conv_workspace_size (const AeConvShape *s, int B)
{
  if (ae_conv_steps_applies (s))
    return ae_conv_steps_workspace_size (s, B);
  const size_t kernel = (size_t) s->kernel_h * s->kernel_w;
  /* The batch-innermost way also keeps the layer's input or output transposed. */
  const size_t in = ae_conv_in_size (s), out = ae_conv_out_size (s);
  const size_t extra = (in > out ? in : out) * B;
  if (s->transposed) /* col (OC * KK, B * H * W) + input channel-major (C, B * H * W) */
    return (s->out_channels * kernel + s->in_channels) * B * s->in_height * s->in_width + extra;
  /* col (C * KK, B * OH * OW) + output channel-major (OC, B * OH * OW) */
  return (s->in_channels * kernel + s->out_channels) * B * s->out_height * s->out_width + extra;
}

/* --- conv2d ------------------------------------------------------------------------- */

/* x (B, size) as (size, B) for the batch-innermost way: x itself when the neighbouring
 * layer left it so (`linked`), else transposed into `room`. */
static const float *
batch_inner_view (float *room, const float *x, int linked, long size, int B)
{
  if (linked)
    return x;
  transpose (room, x, B, size, NULL, 1, 0);
  return room;
}

/* The layer's input as (C, H, W, B), and its output (or the output's gradient) likewise. */
static const float *
input_batch_inner (float *room, const float *inp, const AeConvShape *shape, int B)
{
  return batch_inner_view (room, inp, shape->in_batch_inner, (long) ae_conv_in_size (shape), B);
}

static const float *
output_batch_inner (float *room, const float *out, const AeConvShape *shape, int B)
{
  return batch_inner_view (room, out, shape->out_batch_inner, (long) ae_conv_out_size (shape), B);
}

/* x (C, P, B) += bias (C). */
static void
add_bias_rows (float *x, const float *bias, int C, long run)
{
  for (int c = 0; c < C; c++)
    {
      float *d = x + (long) c * run;
      for (long i = 0; i < run; i++)
        d[i] += bias[c];
    }
}

void
ae_conv2d_forward (float *out, const float *inp, const float *weight, const float *bias,
                   const AeConvShape *shape, int B, float *workspace)
{
  if (ae_conv_steps_applies (shape))
    return ae_conv_steps_forward (out, inp, weight, bias, shape, B, workspace);
  assert (!shape->transposed && B >= 1);
  const ColGeometry g = col_geometry (shape);
  const int OC = shape->out_channels;
  const int rows = shape->in_channels * shape->kernel_h * shape->kernel_w; /* C * KK */
  const long P = (long) shape->out_height * shape->out_width;
  const long N = B * P;
  float *col = workspace;        /* (C * KK, B * P) */
  float *result = col + rows * N; /* (OC, B * P) */

  if (!use_batch_inner (&g, B))
    {
      im2col (col, inp, B, &g);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, OC, (int) N, rows, 1.0f, weight,
                   rows, col, (int) N, 0.0f, result, (int) N);
      from_channel_major (out, result, bias, B, OC, P);
      return;
    }
  im2col_batch_inner (col, input_batch_inner (result + OC * N, inp, shape, B), B, &g);
  /* result (OC, P, B): the output itself when the next layer takes it so */
  float *res = shape->out_batch_inner ? out : result;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, OC, (int) N, rows, 1.0f, weight,
               rows, col, (int) N, 0.0f, res, (int) N);
  if (!shape->out_batch_inner)
    transpose (out, result, OC * P, B, bias, P, 0);
  else if (bias)
    add_bias_rows (out, bias, OC, N);
}

void
ae_conv2d_backward (float *dinp, float *dweight, float *dbias, const float *dout,
                    const float *inp, const float *weight, const AeConvShape *shape, int B,
                    float *workspace, int add_dinp)
{
  if (ae_conv_steps_applies (shape))
    return ae_conv_steps_backward (dinp, dweight, dbias, dout, inp, weight, shape, B, workspace,
                                   add_dinp);
  assert (!shape->transposed && B >= 1);
  const ColGeometry g = col_geometry (shape);
  const int OC = shape->out_channels;
  const int rows = shape->in_channels * shape->kernel_h * shape->kernel_w;
  const long P = (long) shape->out_height * shape->out_width;
  const long N = B * P;
  float *col = workspace;      /* (C * KK, B * P) */
  float *room = col + rows * N; /* (OC, B * P) */
  float *inp_t = room + OC * N;  /* batch innermost: the input, then its gradient */
  const int inner = use_batch_inner (&g, B);
  const float *dres = room;

  /* The patches are rebuilt rather than kept from forward: the workspace is shared by
   * layers, and im2col costs little next to the gemms. */
  if (inner)
    {
      dres = output_batch_inner (room, dout, shape, B);
      if (dbias)
        bias_grad_rows (dbias, dres, OC, P, B);
      im2col_batch_inner (col, input_batch_inner (inp_t, inp, shape, B), B, &g);
    }
  else
    {
      to_channel_major_bias_grad (room, dbias, dout, B, OC, P);
      im2col (col, inp, B, &g);
    }
  /* dweight (OC, C * KK) += dres (OC, N) @ col^T (N, C * KK) */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, OC, rows, (int) N, 1.0f, dres,
               (int) N, col, (int) N, 1.0f, dweight, rows);
  if (dinp)
    {
      /* dcol (C * KK, N) = weight^T (C * KK, OC) @ dres (OC, N), into col's place */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, rows, (int) N, OC, 1.0f, weight,
                   rows, dres, (int) N, 0.0f, col, (int) N);
      if (!inner)
        col2im (dinp, col, NULL, B, &g, add_dinp);
      else if (shape->in_batch_inner)
        col2im_batch_inner (dinp, col, NULL, B, &g, add_dinp);
      else
        {
          col2im_batch_inner (inp_t, col, NULL, B, &g, 0);
          transpose (dinp, inp_t, (long) ae_conv_in_size (shape), B, NULL, 1, add_dinp);
        }
    }
}

/* --- transposed conv2d -------------------------------------------------------------- */

void
ae_conv_transpose2d_forward (float *out, const float *inp, const float *weight,
                             const float *bias, const AeConvShape *shape, int B,
                             float *workspace)
{
  if (ae_conv_steps_applies (shape))
    return ae_conv_steps_forward (out, inp, weight, bias, shape, B, workspace);
  assert (shape->transposed && B >= 1);
  const ColGeometry g = col_geometry (shape);
  const int C = shape->in_channels, OC = shape->out_channels;
  const int rows = OC * shape->kernel_h * shape->kernel_w; /* OC * KK */
  const long P = (long) shape->in_height * shape->in_width;
  const long N = B * P;
  float *col = workspace;       /* (OC * KK, B * P) */
  float *room = col + rows * N; /* (C, B * P) */
  const int inner = use_batch_inner (&g, B);
  const float *inp_cm = room; /* (C, B * P); batch innermost (C, P, B) */

  if (inner)
    inp_cm = input_batch_inner (room, inp, shape, B);
  else
    to_channel_major (room, inp, B, C, P);
  /* col (OC * KK, N) = weight^T (OC * KK, C) @ inp_cm (C, N) */
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, rows, (int) N, C, 1.0f, weight, rows,
               inp_cm, (int) N, 0.0f, col, (int) N);
  if (!inner)
    col2im (out, col, bias, B, &g, 0);
  else if (shape->out_batch_inner)
    col2im_batch_inner (out, col, bias, B, &g, 0);
  else
    {
      float *out_t = room + C * N; /* (OC, OH, OW, B) */
      col2im_batch_inner (out_t, col, bias, B, &g, 0);
      transpose (out, out_t, (long) ae_conv_out_size (shape), B, NULL, 1, 0);
    }
}

void
ae_conv_transpose2d_backward (float *dinp, float *dweight, float *dbias, const float *dout,
                              const float *inp, const float *weight, const AeConvShape *shape,
                              int B, float *workspace, int add_dinp)
{
  if (ae_conv_steps_applies (shape))
    return ae_conv_steps_backward (dinp, dweight, dbias, dout, inp, weight, shape, B, workspace,
                                   add_dinp);
  assert (shape->transposed && B >= 1);
  const ColGeometry g = col_geometry (shape);
  const int C = shape->in_channels, OC = shape->out_channels;
  const int rows = OC * shape->kernel_h * shape->kernel_w;
  const long P = (long) shape->in_height * shape->in_width;
  const long N = B * P;
  float *col = workspace;       /* (OC * KK, B * P) */
  float *room = col + rows * N; /* (C, B * P) */
  const int inner = use_batch_inner (&g, B);
  const float *inp_cm = room; /* (C, B * P); batch innermost (C, P, B) */

  if (inner)
    {
      const long OP = (long) shape->out_height * shape->out_width;
      const float *dout_t = output_batch_inner (room + C * N, dout, shape, B);
      if (dbias)
        bias_grad_rows (dbias, dout_t, OC, OP, B);
      im2col_batch_inner (col, dout_t, B, &g);
      inp_cm = input_batch_inner (room, inp, shape, B);
    }
  else
    {
      if (dbias)
        bias_grad_add (dbias, dout, B, OC, (long) shape->out_height * shape->out_width);
      im2col (col, dout, B, &g);
      to_channel_major (room, inp, B, C, P);
    }
  /* dweight (C, OC * KK) += inp_cm (C, N) @ col^T (N, OC * KK) */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, C, rows, (int) N, 1.0f, inp_cm,
               (int) N, col, (int) N, 1.0f, dweight, rows);
  if (dinp)
    {
      /* dinp_cm (C, N) = weight (C, OC * KK) @ col (OC * KK, N): into dinp itself when the
       * previous layer takes it so, else into room */
      const int direct = inner && shape->in_batch_inner;
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, C, (int) N, rows, 1.0f, weight,
                   rows, col, (int) N, direct && add_dinp ? 1.0f : 0.0f, direct ? dinp : room,
                   (int) N);
      if (direct)
        return;
      if (inner)
        transpose (dinp, room, C * P, B, NULL, 1, add_dinp);
      else if (add_dinp)
        from_channel_major_add (dinp, room, B, C, P);
      else
        from_channel_major (dinp, room, NULL, B, C, P);
    }
}
