/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-tiles.c: a function of fixed-size images applied to an image of any size, tile by tile.
 *
 * Tiles overlap by half and are blended with a window that trusts each tile's centre: a
 * model trained on whole digits dims the border of whatever it sees, and a plain average
 * of the overlaps shows those borders as a grid of dark lines. */
#include "ae-math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Tiles handed to the function at once: bounds the scratch memory for large images. */
#define AE_TILE_BATCH 64

/* Tile origins along one side: every stride, and the last one flush with the edge. */
static int
tile_origins (int *origins, int size, int tile, int stride)
{
  int n = 0;

  if (size <= tile)
    {
      origins[n++] = 0;
      return n;
    }
  for (int at = 0; at + tile < size; at += stride)
    origins[n++] = at;
  origins[n++] = size - tile;
  return n;
}

/* The blending weight of position i of a tile at origin along a side of size: sin^4, 1 at
 * the tile's centre and near 0 on its border and the pixels next to it (1e-4 and 1e-2
 * for 14 pixels, where a digits model dims them most), except towards the image's own
 * edge, where no other tile takes over. */
static float
tile_weight (int i, int tile, int origin, int size)
{
  if ((origin == 0 && 2 * i < tile) || (origin + tile >= size && 2 * i >= tile))
    return 1.0f;
  float s = (float) sin (M_PI * (i + 0.5) / tile);
  return s * s * s * s;
}

AeStatus
ae_tiles_apply (float *out, const float *in, int channels, int w, int h, int tile_w, int tile_h,
                AeTileFunc apply, void *data, AeError *err)
{
  if (channels <= 0 || w <= 0 || h <= 0 || tile_w <= 0 || tile_h <= 0 || apply == NULL)
    return ae_error_set (err, AE_ERR_INVALID, "tiles of %d x %d x %d over an image of %d x %d",
                         channels, tile_h, tile_w, h, w);
  size_t pixels = (size_t) w * h, tile_values = (size_t) channels * tile_w * tile_h;
  int stride_x = tile_w / 2 > 0 ? tile_w / 2 : 1, stride_y = tile_h / 2 > 0 ? tile_h / 2 : 1;
  int *xs = malloc ((size_t) (w / stride_x + 2) * sizeof (int));
  int *ys = malloc ((size_t) (h / stride_y + 2) * sizeof (int));
  float *batch_in = malloc ((size_t) AE_TILE_BATCH * tile_values * sizeof (float));
  float *batch_out = malloc ((size_t) AE_TILE_BATCH * tile_values * sizeof (float));
  float *weight = calloc (pixels, sizeof (float));
  AeStatus status = AE_OK;

  if (xs == NULL || ys == NULL || batch_in == NULL || batch_out == NULL || weight == NULL)
    {
      status = ae_error_set (err, AE_ERR_NOMEM, "out of memory for tiles over %d x %d pixels", w, h);
      goto out;
    }
  int nx = tile_origins (xs, w, tile_w, stride_x), ny = tile_origins (ys, h, tile_h, stride_y);
  long n_tiles = (long) nx * ny;
  memset (out, 0, sizeof (float) * pixels * channels);
  for (long done = 0; done < n_tiles; done += AE_TILE_BATCH)
    {
      long n = n_tiles - done < AE_TILE_BATCH ? n_tiles - done : AE_TILE_BATCH;

      /* cut: coordinates past the border repeat the last row or column */
      for (long t = 0; t < n; t++)
        {
          int ox = xs[(done + t) % nx], oy = ys[(done + t) / nx];

          for (int c = 0; c < channels; c++)
            for (int y = 0; y < tile_h; y++)
              for (int x = 0; x < tile_w; x++)
                batch_in[t * tile_values + ((size_t) c * tile_h + y) * tile_w + x] =
                  in[c * pixels + (size_t) (oy + y < h ? oy + y : h - 1) * w
                     + (ox + x < w ? ox + x : w - 1)];
        }
      apply (data, batch_out, batch_in, n);
      for (long t = 0; t < n; t++)
        {
          int ox = xs[(done + t) % nx], oy = ys[(done + t) / nx];

          for (int y = 0; y < tile_h && oy + y < h; y++)
            {
              float wy = tile_weight (y, tile_h, oy, h);

              for (int x = 0; x < tile_w && ox + x < w; x++)
                {
                  float wxy = wy * tile_weight (x, tile_w, ox, w);
                  size_t at = (size_t) (oy + y) * w + ox + x;

                  for (int c = 0; c < channels; c++)
                    out[c * pixels + at] +=
                      wxy * batch_out[t * tile_values + ((size_t) c * tile_h + y) * tile_w + x];
                  weight[at] += wxy;
                }
            }
        }
    }
  for (size_t v = 0; v < pixels * channels; v++)
    out[v] /= weight[v % pixels];
out:
  free (xs);
  free (ys);
  free (batch_in);
  free (batch_out);
  free (weight);
  return status;
}
