/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-plots-util.h: pixel helpers shared by the plot and chart tests. */
#pragma once

#include <cairo.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

static inline uint32_t
test_pixel (cairo_surface_t *surface, int x, int y)
{
  cairo_surface_flush (surface);
  const unsigned char *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  return ((const uint32_t *) (const void *) (data + (size_t) y * stride))[x] & 0xffffff;
}

/* How many different colours (quantised to 4 bits a channel) the picture holds. */
static inline int
test_distinct_colors (cairo_surface_t *surface)
{
  static bool seen[4096];
  for (int i = 0; i < 4096; i++)
    seen[i] = false;
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  int n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        uint32_t p = test_pixel (surface, x, y);
        int q = (int) (((p >> 20) & 0xf) << 8 | ((p >> 12) & 0xf) << 4 | ((p >> 4) & 0xf));
        if (!seen[q])
          {
            seen[q] = true;
            n++;
          }
      }
  return n;
}

/* Pixels that differ from the colour at (0, 0) (the background). */
static inline int
test_ink_pixels (cairo_surface_t *surface)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  uint32_t background = test_pixel (surface, 0, 0);
  int n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      n += test_pixel (surface, x, y) != background;
  return n;
}

static inline bool
test_color_near (uint32_t p, double r, double g, double b, int tolerance)
{
  int pr = (p >> 16) & 0xff, pg = (p >> 8) & 0xff, pb = p & 0xff;
  return abs (pr - (int) lround (r * 255)) <= tolerance
         && abs (pg - (int) lround (g * 255)) <= tolerance
         && abs (pb - (int) lround (b * 255)) <= tolerance;
}
