/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-png.c: PNG images through ae_png_read_gray_memory (libpng with the engine's limits
 * and conversions to grey).
 *
 * Every PNG chunk carries a CRC-32 that random mutations almost never keep right, and
 * libpng stops at the first wrong one. So each input is parsed as it is, then, when any
 * chunk's CRC was wrong, once more with every CRC recomputed, so that the fuzzer reaches
 * the decoding of whatever it put in the chunks. */
#include <zlib.h>

#include "ae-io.h"
#include "fuzz-target.h"

#define INPUT_NAME "fuzz-input.png"

static void
parse_once (const uint8_t *data, size_t size)
{
  float *pixels;
  int width, height;
  AeError err = { 0 };
  AeStatus status = ae_png_read_gray_memory (data, size, INPUT_NAME, &pixels, &width, &height, &err);
  fuzz_check_status ("ae_png_read_gray_memory", status, &err, INPUT_NAME);
  if (status != AE_OK)
    {
      FUZZ_CHECK (pixels == NULL);
      return;
    }
  FUZZ_CHECK (pixels != NULL);
  FUZZ_CHECK (width >= 1 && width <= AE_MAX_IMAGE_SIDE && height >= 1 && height <= AE_MAX_IMAGE_SIDE);
  size_t count = (size_t) width * (size_t) height;
  for (size_t i = 0; i < count; i++)
    FUZZ_CHECK (pixels[i] >= 0.0f && pixels[i] <= 1.0f);
  free (pixels);
}

static uint32_t
read_u32be (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* Rewrites the CRC of every whole chunk after the 8-byte signature; returns 1 when any
 * changed. */
static int
fix_chunk_crcs (uint8_t *png, size_t size)
{
  int changed = 0;
  size_t pos = 8;
  while (pos + 12 <= size)
    {
      uint32_t len = read_u32be (png + pos);
      if (len > size - pos - 12)
        break;
      uint8_t *crc_at = png + pos + 8 + len;
      uint32_t crc = (uint32_t) crc32 (crc32 (0L, Z_NULL, 0), png + pos + 4, 4 + len);
      if (read_u32be (crc_at) != crc)
        {
          crc_at[0] = (uint8_t) (crc >> 24), crc_at[1] = (uint8_t) (crc >> 16);
          crc_at[2] = (uint8_t) (crc >> 8), crc_at[3] = (uint8_t) crc;
          changed = 1;
        }
      pos += 12 + (size_t) len;
    }
  return changed;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  parse_once (data, size);
  uint8_t *fixed = malloc (size > 0 ? size : 1);
  if (fixed == NULL)
    return 0;
  memcpy (fixed, data, size);
  if (fix_chunk_crcs (fixed, size))
    parse_once (fixed, size);
  free (fixed);
  return 0;
}
