/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-jpeg.c: JPEG reading through libjpeg-turbo, to planar grey or RGB floats in [0, 1].
 *
 * libjpeg reports errors through its error manager, which here jumps back with longjmp.
 * Everything that must be freed after a jump lives in a context struct, so no local
 * variable is clobbered. */
#include "ae-io.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/* Rec. 601 luma, the weights the PNG reader uses too. */
#define LUMA_R 0.299f
#define LUMA_G 0.587f
#define LUMA_B 0.114f
/* libjpeg's own working memory (coefficient buffers of progressive files among them). */
#define JPEG_WORK_MEMORY_MAX (1L << 30)
/* Every 8 x 8 block of every component costs at least one bit of Huffman code in any valid
 * file, so a file shorter than pixels / 512 bytes cannot hold the pixels it declares; half
 * of that leaves a margin for subsampled chroma. */
#define JPEG_PIXELS_PER_BYTE_MAX 1024

typedef struct {
  struct jpeg_error_mgr pub; /* first, so that the library's pointer is ours too */
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX + 64];
} JpegErrors;

typedef struct {
  struct jpeg_decompress_struct info;
  JpegErrors errors;
  int created;
  uint8_t *row;
  float *pixels;
} JpegContext;

static void
on_jpeg_error (j_common_ptr info)
{
  JpegErrors *e = (JpegErrors *) info->err;
  if (e->message[0] == '\0')
    (*info->err->format_message) (info, e->message);
  longjmp (e->jump, 1);
}

static void
on_jpeg_message (j_common_ptr info, int level)
{
  /* A file that ends early decodes as grey padding with only a warning: that is a
   * truncated file, and is refused. Other warnings (extraneous bytes between markers,
   * common in cameras' files) leave a usable image. */
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF)
    on_jpeg_error (info);
}

static void
free_jpeg (JpegContext *ctx)
{
  if (ctx->created)
    jpeg_destroy_decompress (&ctx->info);
  free (ctx->row);
  free (ctx->pixels);
  ctx->created = 0;
  ctx->row = NULL;
  ctx->pixels = NULL;
}

/* Decodes into ctx->pixels; 0 on success, -1 with ctx->errors.message set. */
static int
decode (JpegContext *ctx, const uint8_t *buf, size_t len, int want_channels, int probe_only,
        int *width, int *height, int *out_channels)
{
  struct jpeg_decompress_struct *info = &ctx->info;
  info->err = jpeg_std_error (&ctx->errors.pub);
  ctx->errors.pub.error_exit = on_jpeg_error;
  ctx->errors.pub.emit_message = on_jpeg_message;
  if (setjmp (ctx->errors.jump))
    return -1;
  jpeg_create_decompress (info);
  ctx->created = 1;
  info->mem->max_memory_to_use = JPEG_WORK_MEMORY_MAX;
  jpeg_mem_src (info, buf, (unsigned long) len);
  jpeg_read_header (info, TRUE);

  long w = info->image_width, h = info->image_height;
  if (w > AE_MAX_IMAGE_SIDE || h > AE_MAX_IMAGE_SIDE)
    {
      snprintf (ctx->errors.message, sizeof ctx->errors.message,
                "%ld x %ld pixels is over the limit of %d pixels a side", w, h, AE_MAX_IMAGE_SIDE);
      return -1;
    }
  if ((size_t) w * (size_t) h / JPEG_PIXELS_PER_BYTE_MAX > len)
    {
      snprintf (ctx->errors.message, sizeof ctx->errors.message,
                "declares %ld x %ld pixels but the file of %zu bytes cannot hold them (truncated?)",
                w, h, len);
      return -1;
    }
  int file_channels = info->num_components == 1 ? 1 : 3;
  int channels_out = want_channels == 0 ? file_channels : want_channels;
  if (probe_only)
    {
      *width = (int) w;
      *height = (int) h;
      *out_channels = file_channels;
      return 0;
    }
  int cmyk = info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK;
  info->out_color_space = cmyk ? JCS_CMYK : file_channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress (info);

  int comps = info->output_components;
  if ((comps != 1 && comps != 3 && comps != 4) || (long) info->output_width != w
      || (long) info->output_height != h)
    {
      snprintf (ctx->errors.message, sizeof ctx->errors.message,
                "unexpected layout after decoding (%d components)", comps);
      return -1;
    }
  size_t n = (size_t) w * (size_t) h;
  ctx->row = malloc ((size_t) w * (size_t) comps);
  ctx->pixels = malloc (n * (size_t) channels_out * sizeof (float));
  if (ctx->row == NULL || ctx->pixels == NULL)
    {
      snprintf (ctx->errors.message, sizeof ctx->errors.message, "out of memory for %ld x %ld pixels", w, h);
      return -1;
    }
  /* Adobe's files store CMYK inverted (0 is full ink), which is what Photoshop writes. */
  int inverted = info->saw_Adobe_marker;
  while (info->output_scanline < info->output_height)
    {
      size_t y = info->output_scanline;
      JSAMPROW rows[1] = { ctx->row };
      if (jpeg_read_scanlines (info, rows, 1) != 1)
        {
          snprintf (ctx->errors.message, sizeof ctx->errors.message, "no pixels for row %zu", y);
          return -1;
        }
      for (long x = 0; x < w; x++)
        {
          const uint8_t *p = ctx->row + (size_t) x * (size_t) comps;
          float rgb[3];
          if (comps == 4)
            {
              float k = (inverted ? p[3] : 255 - p[3]) / 255.0f;
              for (int c = 0; c < 3; c++)
                rgb[c] = (inverted ? p[c] : 255 - p[c]) / 255.0f * k;
            }
          else
            for (int c = 0; c < 3; c++)
              rgb[c] = p[comps == 3 ? c : 0] / 255.0f;
          size_t i = y * (size_t) w + (size_t) x;
          if (channels_out == 1)
            ctx->pixels[i] = comps == 1 ? rgb[0] : LUMA_R * rgb[0] + LUMA_G * rgb[1] + LUMA_B * rgb[2];
          else
            for (int c = 0; c < 3; c++)
              ctx->pixels[(size_t) c * n + i] = rgb[c];
        }
    }
  jpeg_finish_decompress (info);
  *width = (int) w;
  *height = (int) h;
  *out_channels = channels_out;
  return 0;
}

int
ae_jpeg_signature (const uint8_t *buf, size_t len)
{
  return len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF;
}

static AeStatus
read_memory (const uint8_t *buf, size_t len, const char *name, int want_channels, int probe_only,
             float **pixels, int *width, int *height, int *channels, AeError *err)
{
  *pixels = NULL;
  *width = *height = *channels = 0;
  if (want_channels != 0 && want_channels != 1 && want_channels != 3)
    return ae_error_set (err, AE_ERR_INVALID, "%s: %d channels asked for: expected 1, 3 or 0 (as the file)",
                         name, want_channels);
  if (!ae_jpeg_signature (buf, len))
    return ae_error_set (err, AE_ERR_FORMAT, "%s: not a JPEG file (no JPEG marker in its first 3 bytes)",
                         name);
  JpegContext ctx;
  memset (&ctx, 0, sizeof ctx);
  if (decode (&ctx, buf, len, want_channels, probe_only, width, height, channels) != 0)
    {
      AeStatus status = strstr (ctx.errors.message, "out of memory") || strstr (ctx.errors.message, "Insufficient memory")
                          ? AE_ERR_NOMEM
                        : strstr (ctx.errors.message, "limit") ? AE_ERR_LIMIT
                                                               : AE_ERR_FORMAT;
      free_jpeg (&ctx);
      *width = *height = *channels = 0;
      return ae_error_set (err, status, "%s: bad JPEG: %s", name, ctx.errors.message);
    }
  *pixels = ctx.pixels;
  ctx.pixels = NULL;
  free_jpeg (&ctx);
  return AE_OK;
}

AeStatus
ae_jpeg_read_memory (const uint8_t *buf, size_t len, const char *name, int want_channels,
                     float **pixels, int *width, int *height, int *channels, AeError *err)
{
  return read_memory (buf, len, name, want_channels, 0, pixels, width, height, channels, err);
}

AeStatus
ae_jpeg_probe_memory (const uint8_t *buf, size_t len, const char *name, int *width, int *height,
                      int *channels, AeError *err)
{
  float *none = NULL;
  return read_memory (buf, len, name, 0, 1, &none, width, height, channels, err);
}
