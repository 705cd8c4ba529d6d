/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-io-private.h: little-endian byte helpers shared by the binary formats (model files,
 * safetensors, IDX). Not part of the engine's API. */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ae-dataset.h"
#include "ae-status.h"

/* An image file is read whole; this bounds it (a 16384 x 16384 RGBA16 PNG fits). */
#define AE_IMAGE_FILE_MAX ((size_t) 1 << 31)

/* A growable output buffer; `failed` latches the first allocation failure so that writers
 * can append freely and check once at the end. */
typedef struct {
  uint8_t *data;
  size_t len, cap;
  int failed;
} AeBytes;

static inline void
ae_bytes_put (AeBytes *b, const void *src, size_t n)
{
  if (b->failed)
    return;
  if (n > SIZE_MAX / 2 - b->len)
    {
      b->failed = 1;
      return;
    }
  if (b->len + n > b->cap)
    {
      size_t cap = b->cap ? b->cap : 4096;
      while (cap < b->len + n)
        cap *= 2;
      uint8_t *grown = realloc (b->data, cap);
      if (grown == NULL)
        {
          b->failed = 1;
          return;
        }
      b->data = grown;
      b->cap = cap;
    }
  if (n > 0)
    memcpy (b->data + b->len, src, n);
  b->len += n;
}

static inline void
ae_bytes_u32le (AeBytes *b, uint32_t v)
{
  uint8_t le[4] = { (uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16), (uint8_t) (v >> 24) };
  ae_bytes_put (b, le, 4);
}

static inline void
ae_bytes_u64le (AeBytes *b, uint64_t v)
{
  ae_bytes_u32le (b, (uint32_t) v);
  ae_bytes_u32le (b, (uint32_t) (v >> 32));
}

/* float32 values in little-endian order, whatever the host's order. */
static inline void
ae_bytes_f32le (AeBytes *b, const float *values, size_t count)
{
  for (size_t i = 0; i < count && !b->failed; i++)
    {
      uint32_t bits;
      memcpy (&bits, &values[i], 4);
      ae_bytes_u32le (b, bits);
    }
}

static inline uint32_t
ae_read_u32le (const uint8_t *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static inline uint64_t
ae_read_u64le (const uint8_t *p)
{
  return (uint64_t) ae_read_u32le (p) | (uint64_t) ae_read_u32le (p + 4) << 32;
}

static inline uint32_t
ae_read_u32be (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | (uint32_t) p[3];
}

static inline void
ae_read_f32le (float *dst, const uint8_t *src, size_t count)
{
  for (size_t i = 0; i < count; i++)
    {
      uint32_t bits = ae_read_u32le (src + 4 * i);
      memcpy (&dst[i], &bits, 4);
    }
}

/* The last path component, for dataset names and short messages. */
static inline const char *
ae_path_basename (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash ? slash + 1 : path;
}

/* IDX pieces for loaders that assemble one dataset from several files (Fashion-MNIST's
 * train and test parts). The checks validate the header, the limits and the length. */
AeStatus ae_idx_check_images (const uint8_t *buf, size_t len, const char *name, long *n, int *rows,
                              int *cols, AeError *err);
/* Converts count pixels after the 16-byte header to floats in [0, 1]. */
void     ae_idx_fill_images (float *dst, const uint8_t *buf, size_t count);
AeStatus ae_idx_check_labels (const uint8_t *buf, size_t len, const char *name, long *n,
                              AeError *err);
/* Stores labels[0..count) at ds->labels[first..], allocating labels and the class names
 * "0".."n_classes-1" when ds has none or another class count. */
AeStatus ae_idx_set_labels (AeDataset *ds, long first, const uint8_t *labels, long count,
                            int n_classes, AeError *err);
