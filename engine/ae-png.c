/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-png.c: PNG reading (any kind, to grey or RGB) and writing through libpng.
 *
 * libpng reports errors by longjmp. Everything that must be freed after a jump lives in
 * a context struct owned by the caller of the function that calls setjmp, so no local
 * variable is clobbered. */
#include "ae-io.h"

#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-io-private.h"

/* Text and other ancillary chunks are small; a larger one is refused before allocation. */
#define PNG_CHUNK_MAX ((png_alloc_size_t) 8 << 20)
/* Deflate cannot shrink data by more than about 1032:1, so a file much smaller than its
 * pixels over this ratio is truncated or lying about its size. */
#define DEFLATE_MAX_RATIO 1100

/* Rec. 601 luma, as most imaging tools (PIL's "L" mode among them) compute it. */
#define LUMA_R 0.299f
#define LUMA_G 0.587f
#define LUMA_B 0.114f

typedef struct {
  const char *name;
  char message[256];
  char warning[128]; /* the last warning: libpng explains a refused IHDR in one */
  /* Reading from memory. */
  const uint8_t *buf;
  size_t len, pos;
  /* Owned while decoding or encoding. */
  png_structp png;
  png_infop info;
  uint8_t *image;
  png_bytep *rows;
  float *pixels;
  AeBytes encoded;
} PngContext;

static void
on_png_error (png_structp png, png_const_charp message)
{
  PngContext *ctx = png_get_error_ptr (png);
  /* Keep the first message: libpng may add a generic one on the way out. */
  if (ctx->message[0] == '\0' && ctx->warning[0] != '\0')
    snprintf (ctx->message, sizeof ctx->message, "%s (%s)", message, ctx->warning);
  else if (ctx->message[0] == '\0')
    snprintf (ctx->message, sizeof ctx->message, "%s", message);
  png_longjmp (png, 1);
}

static void
on_png_warning (png_structp png, png_const_charp message)
{
  /* Warnings (an unknown chunk, a bad sRGB profile) do not stop the image from being read;
   * the last one is kept to explain an error that follows it. */
  PngContext *ctx = png_get_error_ptr (png);
  snprintf (ctx->warning, sizeof ctx->warning, "%s", message);
}

static void
read_from_memory (png_structp png, png_bytep out, size_t n)
{
  PngContext *ctx = png_get_io_ptr (png);
  if (n > ctx->len - ctx->pos)
    {
      snprintf (ctx->message, sizeof ctx->message, "truncated: needs %zu bytes at offset %zu but the file ends at %zu",
                n, ctx->pos, ctx->len);
      png_error (png, ctx->message);
    }
  memcpy (out, ctx->buf + ctx->pos, n);
  ctx->pos += n;
}

static void
free_context (PngContext *ctx, int reading)
{
  if (ctx->png != NULL)
    {
      if (reading)
        png_destroy_read_struct (&ctx->png, &ctx->info, NULL);
      else
        png_destroy_write_struct (&ctx->png, &ctx->info);
    }
  free (ctx->image);
  free (ctx->rows);
  free (ctx->pixels);
  free (ctx->encoded.data);
  ctx->image = NULL;
  ctx->rows = NULL;
  ctx->pixels = NULL;
  ctx->encoded.data = NULL;
}

/* The colour transparent pixels are composited onto: the file's bKGD chunk when it has
 * one (in the file's own units, or a palette index), else white, the page most images
 * with transparency are drawn for. */
static void
background_of (PngContext *ctx, int color, int depth, float bg[3])
{
  bg[0] = bg[1] = bg[2] = 1.0f;
  png_color_16p b = NULL;
  if (!png_get_valid (ctx->png, ctx->info, PNG_INFO_bKGD) || !png_get_bKGD (ctx->png, ctx->info, &b) || b == NULL)
    return;
  float max = (float) ((1u << depth) - 1);
  if (color == PNG_COLOR_TYPE_PALETTE)
    {
      png_colorp palette = NULL;
      int n = 0;
      if (png_get_PLTE (ctx->png, ctx->info, &palette, &n) && b->index < n)
        {
          bg[0] = palette[b->index].red / 255.0f;
          bg[1] = palette[b->index].green / 255.0f;
          bg[2] = palette[b->index].blue / 255.0f;
        }
    }
  else if (color & PNG_COLOR_MASK_COLOR)
    {
      bg[0] = fminf (b->red / max, 1.0f);
      bg[1] = fminf (b->green / max, 1.0f);
      bg[2] = fminf (b->blue / max, 1.0f);
    }
  else
    bg[0] = bg[1] = bg[2] = fminf (b->gray / max, 1.0f);
}

/* A palette whose every entry has red = green = blue is a grey image. */
static int
palette_is_grey (PngContext *ctx)
{
  png_colorp palette = NULL;
  int n = 0;
  if (!png_get_PLTE (ctx->png, ctx->info, &palette, &n))
    return 0;
  for (int i = 0; i < n; i++)
    if (palette[i].red != palette[i].green || palette[i].green != palette[i].blue)
      return 0;
  return 1;
}

/* Decodes ctx->buf into ctx->pixels, planar (channels, height, width): want_channels 1
 * (luma), 3 (RGB) or 0 (1 for a grey file, 3 for a colour one). Transparent pixels are
 * composited onto the background; 16-bit samples keep their precision. Returns 0 on
 * success, -1 with ctx->message set. */
static int
decode (PngContext *ctx, int want_channels, int *width, int *height, int *out_channels)
{
  ctx->png = png_create_read_struct (PNG_LIBPNG_VER_STRING, ctx, on_png_error, on_png_warning);
  if (ctx->png != NULL)
    ctx->info = png_create_info_struct (ctx->png);
  if (ctx->png == NULL || ctx->info == NULL)
    {
      snprintf (ctx->message, sizeof ctx->message, "out of memory for the PNG decoder");
      return -1;
    }
  if (setjmp (png_jmpbuf (ctx->png)))
    return -1;

  /* The limits come first, so that no declared size is believed before it is checked. */
  png_set_user_limits (ctx->png, AE_MAX_IMAGE_SIDE, AE_MAX_IMAGE_SIDE);
  png_set_chunk_malloc_max (ctx->png, PNG_CHUNK_MAX);
  png_set_read_fn (ctx->png, ctx, read_from_memory);
  png_read_info (ctx->png, ctx->info);

  png_uint_32 w, h;
  int depth, color, interlace;
  png_get_IHDR (ctx->png, ctx->info, &w, &h, &depth, &color, &interlace, NULL, NULL);
  /* The area too, before anything is decoded: a 32 KB 1-bit file of 16384 x 16384 made
   * 4 GB of floats. */
  if ((uint64_t) w * h > (uint64_t) AE_MAX_IMAGE_PIXELS)
    {
      snprintf (ctx->message, sizeof ctx->message,
                "%u x %u pixels: more than the %ld megapixels accepted (the image size limit)", w, h,
                AE_MAX_IMAGE_PIXELS >> 20);
      return -1;
    }
  int file_channels = color == PNG_COLOR_TYPE_PALETTE ? (palette_is_grey (ctx) ? 1 : 3)
                      : (color & PNG_COLOR_MASK_COLOR) ? 3 : 1;
  int channels_out = want_channels == 0 ? file_channels : want_channels;
  float bg[3];
  background_of (ctx, color, depth, bg);

  /* Everything becomes 8- or 16-bit grey or RGB, with alpha when the file has any. */
  if (color == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (ctx->png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (ctx->png);
  if (png_get_valid (ctx->png, ctx->info, PNG_INFO_tRNS))
    png_set_tRNS_to_alpha (ctx->png);
  png_set_interlace_handling (ctx->png);
  png_read_update_info (ctx->png, ctx->info);

  int channels = png_get_channels (ctx->png, ctx->info);
  int out_depth = png_get_bit_depth (ctx->png, ctx->info);
  size_t rowbytes = png_get_rowbytes (ctx->png, ctx->info);
  if (channels < 1 || channels > 4 || (out_depth != 8 && out_depth != 16)
      || rowbytes != (size_t) w * channels * (out_depth / 8))
    {
      snprintf (ctx->message, sizeof ctx->message,
                "unexpected layout after conversion (%d channels of %d bits)", channels, out_depth);
      return -1;
    }
  /* One channel at the file's depth is the least any colour type holds per pixel. */
  size_t raw_rowbytes = ((size_t) w * (size_t) depth + 7) / 8 + 1;
  if ((size_t) h * raw_rowbytes / DEFLATE_MAX_RATIO > ctx->len)
    {
      snprintf (ctx->message, sizeof ctx->message,
                "declares %u x %u pixels but the file of %zu bytes cannot hold them (truncated?)", w,
                h, ctx->len);
      return -1;
    }

  ctx->image = malloc ((size_t) h * rowbytes);
  ctx->rows = malloc ((size_t) h * sizeof *ctx->rows);
  ctx->pixels = malloc ((size_t) w * h * (size_t) channels_out * sizeof (float));
  if (ctx->image == NULL || ctx->rows == NULL || ctx->pixels == NULL)
    {
      snprintf (ctx->message, sizeof ctx->message, "out of memory for %u x %u pixels", w, h);
      return -1;
    }
  for (png_uint_32 y = 0; y < h; y++)
    ctx->rows[y] = ctx->image + (size_t) y * rowbytes;
  png_read_image (ctx->png, ctx->rows);
  png_read_end (ctx->png, NULL);

  size_t n = (size_t) w * h;
  int has_alpha = channels == 2 || channels == 4, colour = channels >= 3;
  float scale = out_depth == 16 ? 1.0f / 65535.0f : 1.0f / 255.0f;
  for (size_t i = 0; i < n; i++)
    {
      float v[4];
      for (int c = 0; c < channels; c++)
        {
          size_t k = i * channels + c;
          v[c] = scale * (out_depth == 16 ? (float) (ctx->image[2 * k] << 8 | ctx->image[2 * k + 1])
                                          : (float) ctx->image[k]);
        }
      float rgb[3] = { v[0], colour ? v[1] : v[0], colour ? v[2] : v[0] };
      if (has_alpha)
        {
          float a = v[channels - 1];
          for (int c = 0; c < 3; c++)
            rgb[c] = a * rgb[c] + (1.0f - a) * bg[c];
        }
      if (channels_out == 1)
        {
          float g = colour || has_alpha ? LUMA_R * rgb[0] + LUMA_G * rgb[1] + LUMA_B * rgb[2] : v[0];
          ctx->pixels[i] = g < 0.0f ? 0.0f : g > 1.0f ? 1.0f : g;
        }
      else
        for (int c = 0; c < 3; c++)
          ctx->pixels[(size_t) c * n + i] = rgb[c] < 0.0f ? 0.0f : rgb[c] > 1.0f ? 1.0f : rgb[c];
    }
  *width = (int) w;
  *height = (int) h;
  *out_channels = channels_out;
  return 0;
}

AeStatus
ae_png_read_memory (const uint8_t *buf, size_t len, const char *name, int want_channels,
                    float **pixels, int *width, int *height, int *channels, AeError *err)
{
  *pixels = NULL;
  *width = *height = *channels = 0;
  if (want_channels != 0 && want_channels != 1 && want_channels != 3)
    return ae_error_set (err, AE_ERR_INVALID, "%s: %d channels asked for: expected 1, 3 or 0 (as the file)",
                         name, want_channels);
  if (len < 8 || png_sig_cmp (buf, 0, 8) != 0)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: not a PNG file (no PNG signature in its first 8 bytes)",
                         name);
  /* libpng enforces png_set_chunk_malloc_max only as a benign error (a warning when reading)
   * and allocates and clears a chunk's declared length before reading it: a 134-byte file
   * declaring a 1.9 GB zTXt chunk cost 1.9 GB (found by fuzzing). The whole file is in
   * memory, so no chunk is believed longer than the bytes that follow its header. */
  for (size_t pos = 8; pos + 8 <= len;)
    {
      uint32_t chunk_len = ae_read_u32be (buf + pos);
      if (chunk_len > len - pos - 8)
        return ae_error_set (err, AE_ERR_FORMAT,
                             "%s: bad PNG: truncated: the chunk at offset %zu declares %u bytes but %zu follow",
                             name, pos, chunk_len, len - pos - 8);
      if (memcmp (buf + pos + 4, "IEND", 4) == 0)
        break;
      pos += 12 + (size_t) chunk_len;
    }
  PngContext ctx = { .name = name, .buf = buf, .len = len };
  int w = 0, h = 0, c = 0;
  if (decode (&ctx, want_channels, &w, &h, &c) != 0)
    {
      AeStatus status = strstr (ctx.message, "out of memory") ? AE_ERR_NOMEM
                        : strstr (ctx.message, "limit") ? AE_ERR_LIMIT
                                                        : AE_ERR_FORMAT;
      free_context (&ctx, 1);
      return ae_error_set (err, status, "%s: bad PNG: %s", name, ctx.message);
    }
  *pixels = ctx.pixels;
  ctx.pixels = NULL;
  *width = w;
  *height = h;
  *channels = c;
  free_context (&ctx, 1);
  return AE_OK;
}

AeStatus
ae_png_read_gray_memory (const uint8_t *buf, size_t len, const char *name, float **pixels,
                         int *width, int *height, AeError *err)
{
  int channels;
  return ae_png_read_memory (buf, len, name, 1, pixels, width, height, &channels, err);
}

AeStatus
ae_png_read_gray (const char *path, float **pixels, int *width, int *height, AeError *err)
{
  uint8_t *buf;
  size_t len;
  *pixels = NULL;
  AeStatus status = ae_file_read_all (path, AE_IMAGE_FILE_MAX, &buf, &len, err);
  if (status != AE_OK)
    return status;
  status = ae_png_read_gray_memory (buf, len, path, pixels, width, height, err);
  free (buf);
  return status;
}

static void
write_to_bytes (png_structp png, png_bytep data, size_t n)
{
  PngContext *ctx = png_get_io_ptr (png);
  ae_bytes_put (&ctx->encoded, data, n);
  if (ctx->encoded.failed)
    png_error (png, "out of memory for the encoded image");
}

static void
flush_nothing (png_structp png)
{
  (void) png;
}

/* Encodes rows of 8-bit pixels (channels 1, 3 or 4) into ctx->encoded. */
static int
encode (PngContext *ctx, const uint8_t *pixels, int width, int height, int channels)
{
  static const int color_types[5] = { 0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA };
  ctx->png = png_create_write_struct (PNG_LIBPNG_VER_STRING, ctx, on_png_error, on_png_warning);
  if (ctx->png != NULL)
    ctx->info = png_create_info_struct (ctx->png);
  ctx->rows = malloc ((size_t) height * sizeof *ctx->rows);
  if (ctx->png == NULL || ctx->info == NULL || ctx->rows == NULL)
    {
      snprintf (ctx->message, sizeof ctx->message, "out of memory for the PNG encoder");
      return -1;
    }
  if (setjmp (png_jmpbuf (ctx->png)))
    return -1;
  png_set_write_fn (ctx->png, ctx, write_to_bytes, flush_nothing);
  png_set_IHDR (ctx->png, ctx->info, (png_uint_32) width, (png_uint_32) height, 8,
                color_types[channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  png_write_info (ctx->png, ctx->info);
  for (int y = 0; y < height; y++)
    ctx->rows[y] = (png_bytep) pixels + (size_t) y * width * channels;
  png_write_image (ctx->png, ctx->rows);
  png_write_end (ctx->png, NULL);
  return 0;
}

static AeStatus
write_png (const char *path, const uint8_t *pixels, int width, int height, int channels,
           AeError *err)
{
  if (width <= 0 || height <= 0 || width > AE_MAX_IMAGE_SIDE || height > AE_MAX_IMAGE_SIDE)
    return ae_error_set (err, AE_ERR_INVALID, "%s: cannot write a %d x %d image: each side must be 1 to %d",
                         path, width, height, AE_MAX_IMAGE_SIDE);
  PngContext ctx = { .name = path };
  AeStatus status = AE_OK;
  if (encode (&ctx, pixels, width, height, channels) != 0)
    status = ae_error_set (err, strstr (ctx.message, "out of memory") ? AE_ERR_NOMEM : AE_ERR_INVALID,
                           "%s: cannot encode PNG: %s", path, ctx.message);
  else
    status = ae_file_write_atomic (path, ctx.encoded.data, ctx.encoded.len, err);
  free_context (&ctx, 0);
  return status;
}

AeStatus
ae_png_write_gray (const char *path, const float *pixels, int width, int height, AeError *err)
{
  if (width <= 0 || height <= 0 || width > AE_MAX_IMAGE_SIDE || height > AE_MAX_IMAGE_SIDE)
    return write_png (path, NULL, width, height, 1, err);
  size_t n = (size_t) width * height;
  uint8_t *bytes = malloc (n);
  if (bytes == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for %d x %d pixels", path, width, height);
  for (size_t i = 0; i < n; i++)
    {
      float v = pixels[i];
      /* NaN fails both comparisons and becomes black. */
      bytes[i] = v >= 1.0f ? 255 : v > 0.0f ? (uint8_t) (v * 255.0f + 0.5f) : 0;
    }
  AeStatus status = write_png (path, bytes, width, height, 1, err);
  free (bytes);
  return status;
}

AeStatus
ae_png_write_rgb (const char *path, const uint8_t *pixels, int width, int height, int channels,
                  AeError *err)
{
  if (channels != 3 && channels != 4)
    return ae_error_set (err, AE_ERR_INVALID, "%s: %d channels: expected 3 (RGB) or 4 (RGBA)", path,
                         channels);
  return write_png (path, pixels, width, height, channels, err);
}

AeStatus
ae_png_write_planar (const char *path, const float *pixels, int width, int height, int channels,
                     AeError *err)
{
  if (channels == 1)
    return ae_png_write_gray (path, pixels, width, height, err);
  if (channels != 3)
    return ae_error_set (err, AE_ERR_INVALID, "%s: %d channels: expected 1 (grey) or 3 (RGB)", path,
                         channels);
  if (width <= 0 || height <= 0 || width > AE_MAX_IMAGE_SIDE || height > AE_MAX_IMAGE_SIDE)
    return write_png (path, NULL, width, height, 3, err);
  size_t n = (size_t) width * height;
  uint8_t *bytes = malloc (3 * n);
  if (bytes == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for %d x %d pixels", path, width, height);
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      {
        float v = pixels[(size_t) c * n + i];
        bytes[3 * i + (size_t) c] = v >= 1.0f ? 255 : v > 0.0f ? (uint8_t) (v * 255.0f + 0.5f) : 0;
      }
  AeStatus status = write_png (path, bytes, width, height, 3, err);
  free (bytes);
  return status;
}
