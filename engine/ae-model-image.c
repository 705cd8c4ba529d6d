/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-model-image.c: a fully convolutional model run on a whole image of any size.
 *
 * The layers are the model's own, their geometry rebuilt for the image's size
 * (ae_conv2d_reshape), and they run through the same ae_layer_forward as training. The
 * scratch of one pass grows with the image (a 12-megapixel photo through 32 channels
 * would need 14 GB for its im2col columns), so a large image goes in bands of rows: each
 * band reads `halo` more rows above and below (one per layer of a 3x3 kernel), whose
 * outputs are wrong only by the zero padding at the band's cut and are dropped, so the
 * kept rows are the one pass's values.
 *
 * Bit for bit: OpenBLAS computes the last columns of a product (the pixels past a multiple
 * of its kernel's width) with another kernel, whose sums round differently, so a pixel
 * would change in the last bit with the band it falls in. Rows are therefore carried
 * PASS_COLUMNS_MULTIPLE wide: the columns past the image's are set to zero before each
 * layer, which is what the zero padding of the image's edge gives, and every product has
 * a whole number of kernel widths. (With OpenBLAS's threads, a product is cut between
 * them at any column: the program runs it on one, see ae_set_threads.) */
#include "ae-model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-layers.h"
#include "ae-model-private.h"

/* Fewer output rows a band than this, and its halo costs more than the memory bound
 * saves. */
#define MIN_BAND_ROWS 16
/* A multiple of the widest column block of OpenBLAS's sgemm kernels. */
#define PASS_COLUMNS_MULTIPLE 32

int
ae_model_is_fully_convolutional (const AeModel *model)
{
  if (model->cfg.variational)
    return 0;
  for (int l = 0; l < model->n_layers; l++)
    {
      const AeLayer *layer = &model->layers[l];
      const AeConvShape *s = &layer->conv;
      if (layer->kind != AE_LAYER_CONV || s->stride_h != 1 || s->stride_w != 1
          || 2 * s->pad_h != s->kernel_h - 1 || 2 * s->pad_w != s->kernel_w - 1)
        return 0;
    }
  return model->n_layers > 0;
}

/* The model's layers with their geometry for an input of rows x width. */
static AeStatus
layers_at_size (const AeModel *m, AeLayer *layers, int rows, int width, AeError *err)
{
  for (int l = 0; l < m->n_layers; l++)
    {
      layers[l] = m->layers[l];
      AeStatus st = ae_conv2d_reshape (&layers[l].conv, &m->layers[l].conv, rows, width, err);
      if (st != AE_OK)
        return st;
      layers[l].in_dim = (int) ae_conv_in_size (&layers[l].conv);
      layers[l].out_dim = (int) ae_conv_out_size (&layers[l].conv);
    }
  return AE_OK;
}

/* Floats of scratch per input row of a band of width pixels: the conv workspace of the
 * widest layer and two activation buffers. */
static size_t
floats_per_row (const AeModel *m, int width, int *widest)
{
  size_t work = 0;
  *widest = m->cfg.channels;
  for (int l = 0; l < m->n_layers; l++)
    {
      const AeConvShape *s = &m->layers[l].conv;
      size_t w = ((size_t) s->in_channels * s->kernel_h * s->kernel_w + s->out_channels) * width;
      work = w > work ? w : work;
      *widest = s->in_channels > *widest ? s->in_channels : *widest;
      *widest = s->out_channels > *widest ? s->out_channels : *widest;
    }
  return work + 2 * (size_t) *widest * width;
}

AeStatus
ae_model_apply_image_bands (AeModel *model, float *out, const float *in, int width, int height,
                            int band_rows, AeError *err)
{
  const AeModel *m = model;
  const int C = m->cfg.channels;
  if (!ae_model_is_fully_convolutional (m))
    return ae_error_set (err, AE_ERR_UNSUPPORTED,
                         "the %s model has layers of a fixed size: only a fully convolutional "
                         "model runs on a whole image", m->cfg.preset);
  if (width < 1 || height < 1 || width > AE_MAX_IMAGE_SIDE || height > AE_MAX_IMAGE_SIDE)
    return ae_error_set (err, AE_ERR_INVALID, "an image of %d x %d: expected sides from 1 to %d",
                         width, height, AE_MAX_IMAGE_SIDE);
  int halo = 0, widest;
  for (int l = 0; l < m->n_layers; l++)
    halo += m->layers[l].conv.pad_h;
  const int wide = (width + PASS_COLUMNS_MULTIPLE - 1) / PASS_COLUMNS_MULTIPLE * PASS_COLUMNS_MULTIPLE;
  size_t per_row = floats_per_row (m, wide, &widest);
  if (band_rows <= 0)
    {
      long fit = AE_IMAGE_PASS_FLOATS / (long) per_row - 2L * halo;
      band_rows = fit < MIN_BAND_ROWS ? MIN_BAND_ROWS : fit > height ? height : (int) fit;
    }
  if (band_rows > height)
    band_rows = height;
  int most_rows = band_rows + 2 * halo < height ? band_rows + 2 * halo : height;
  AeLayer layers[AE_MAX_LAYERS];
  AeStatus st = layers_at_size (m, layers, most_rows, wide, err);
  if (st != AE_OK)
    return st;
  size_t work = 0;
  for (int l = 0; l < m->n_layers; l++)
    {
      size_t w = ae_layer_workspace (&layers[l], 1);
      work = w > work ? w : work;
    }
  size_t plane = (size_t) widest * most_rows * wide;
  float *scratch = malloc ((work + 3 * plane) * sizeof (float));
  if (scratch == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for bands of %d rows of a %d x %d image",
                         most_rows, width, height);
  float *workspace = scratch, *band = scratch + work, *ping = band + plane, *pong = ping + plane;
  const size_t image_plane = (size_t) width * height;

  for (int y0 = 0; y0 < height && st == AE_OK; y0 += band_rows)
    {
      int y1 = y0 + band_rows < height ? y0 + band_rows : height;
      int top = y0 - halo > 0 ? y0 - halo : 0, bottom = y1 + halo < height ? y1 + halo : height;
      int rows = bottom - top;
      size_t band_plane = (size_t) rows * wide;
      memset (band, 0, C * band_plane * sizeof (float));
      for (int c = 0; c < C; c++)
        for (int y = 0; y < rows; y++)
          memcpy (band + c * band_plane + (size_t) y * wide,
                  in + c * image_plane + (size_t) (top + y) * width, width * sizeof (float));
      if ((st = layers_at_size (m, layers, rows, wide, err)) != AE_OK)
        break;
      const float *src = band;
      float *dst = ping;
      for (int l = 0; l < m->n_layers; l++)
        {
          ae_layer_forward (&layers[l], dst, NULL, src, 1, workspace);
          for (long r = 0; r < (long) layers[l].conv.out_channels * rows; r++)
            memset (dst + r * wide + width, 0, (size_t) (wide - width) * sizeof (float));
          src = dst;
          dst = dst == ping ? pong : ping;
        }
      float *result = (float *) src;
      ae_model_residual (m, result, band, (long) C * band_plane);
      ae_activation_forward (result, (long) C * band_plane, m->cfg.output_activation);
      for (int c = 0; c < C; c++)
        for (int y = y0; y < y1; y++)
          {
            float *o = out + c * image_plane + (size_t) y * width;
            const float *r = result + c * band_plane + (size_t) (y - top) * wide;
            for (int x = 0; x < width; x++)
              o[x] = fminf (fmaxf (r[x], 0.0f), 1.0f);
          }
    }
  free (scratch);
  return st;
}

AeStatus
ae_model_apply_image (AeModel *model, float *out, const float *in, int width, int height,
                      AeError *err)
{
  return ae_model_apply_image_bands (model, out, in, width, height, 0, err);
}

/* The eight symmetries of the square, view v: transposed when v & 4, then mirrored left to
 * right when v & 1 and top to bottom when v & 2. Pixel (tx, ty) of the view, tw wide and th
 * high, is the image's pixel returned. */
static size_t
view_source (int v, int tx, int ty, int tw, int th, int width)
{
  int ax = v & 1 ? tw - 1 - tx : tx, ay = v & 2 ? th - 1 - ty : ty;
  return v & 4 ? (size_t) ax * width + ay : (size_t) ay * width + ax;
}

AeStatus
ae_model_apply_image_ensemble (AeModel *model, float *out, const float *in, int width, int height,
                               AeError *err)
{
  const int C = model->cfg.channels;
  const size_t plane = (size_t) width * height;
  float *view = malloc (2 * C * plane * sizeof (float));
  if (view == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for a %d x %d image", width, height);
  float *denoised = view + C * plane;
  memset (out, 0, C * plane * sizeof (float));
  AeStatus st = AE_OK;
  for (int v = 0; v < AE_IMAGE_VIEWS && st == AE_OK; v++)
    {
      int tw = v & 4 ? height : width, th = v & 4 ? width : height;
      for (int c = 0; c < C; c++)
        for (int ty = 0; ty < th; ty++)
          for (int tx = 0; tx < tw; tx++)
            view[c * plane + (size_t) ty * tw + tx] = in[c * plane + view_source (v, tx, ty, tw, th, width)];
      st = ae_model_apply_image (model, denoised, view, tw, th, err);
      for (int c = 0; c < C && st == AE_OK; c++)
        for (int ty = 0; ty < th; ty++)
          for (int tx = 0; tx < tw; tx++)
            out[c * plane + view_source (v, tx, ty, tw, th, width)]
              += denoised[c * plane + (size_t) ty * tw + tx] * (1.0f / AE_IMAGE_VIEWS);
    }
  free (view);
  return st;
}
