/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-idx.c: the IDX format of MNIST and Fashion-MNIST.
 *
 * A big-endian header: magic 0x0000TTDD (TT the element type, DD the number of dimensions),
 * then DD u32 dimensions, then the elements. Images are 0x00000803 (n, rows, cols), labels
 * 0x00000801 (n), both of unsigned bytes (type 0x08).
 */
#include "ae-io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-io-private.h"

#define IDX_TYPE_UBYTE 0x08
#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_MAGIC_IMAGES 0x00000803u
/* An IDX file holds at most every float of the largest dataset as one byte, plus its header. */
#define IDX_FILE_MAX ((size_t) AE_MAX_DATASET_FLOATS + 64)

static const char *
idx_type_name (uint32_t type)
{
  switch (type)
    {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0b: return "short";
    case 0x0c: return "int";
    case 0x0d: return "float";
    case 0x0e: return "double";
    default: return "unknown type";
    }
}

/* Checks the magic (type and rank) of an IDX buffer. */
static AeStatus
check_magic (const uint8_t *buf, size_t len, uint32_t want, const char *what, const char *name,
             AeError *err)
{
  if (len < 4)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: truncated IDX file: %zu bytes, shorter than its header",
                         name, len);
  uint32_t magic = ae_read_u32be (buf);
  if (magic == want)
    return AE_OK;
  uint32_t type = (magic >> 8) & 0xff;
  if ((magic >> 16) == 0 && (magic & 0xff) == (want & 0xff) && type != IDX_TYPE_UBYTE)
    return ae_error_set (err, AE_ERR_UNSUPPORTED,
                         "%s: IDX %s of element type 0x%02x (%s); only unsigned bytes (0x08) are read",
                         name, what, type, idx_type_name (type));
  return ae_error_set (err, AE_ERR_FORMAT,
                       "%s: wrong magic 0x%08x: expected 0x%08x for IDX %s (0x%08x for labels, 0x%08x for images)",
                       name, magic, want, what, IDX_MAGIC_LABELS, IDX_MAGIC_IMAGES);
}

/* Checks the declared size against the limits, then against the bytes present. */
static AeStatus
check_length (size_t len, size_t header, uint64_t count, const char *name, AeError *err)
{
  uint64_t want = header + count;
  if (len < want)
    return ae_error_set (err, AE_ERR_FORMAT,
                         "%s: truncated: the header declares %llu bytes of data but %zu are present",
                         name, (unsigned long long) count, len - header);
  if (len > want)
    return ae_error_set (err, AE_ERR_FORMAT,
                         "%s: length mismatch: %zu bytes after the data the header declares (%llu bytes)",
                         name, (size_t) (len - want), (unsigned long long) count);
  return AE_OK;
}

/* The header of an images file (its first 16 bytes): magic, then sizes within the limits. */
static AeStatus
check_images_header (const uint8_t *buf, size_t len, const char *name, long *n, int *rows,
                     int *cols, AeError *err)
{
  AeStatus status = check_magic (buf, len, IDX_MAGIC_IMAGES, "images", name, err);
  if (status != AE_OK)
    return status;
  if (len < 16)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: truncated IDX header: %zu bytes, expected 16",
                         name, len);
  uint32_t d[3] = { ae_read_u32be (buf + 4), ae_read_u32be (buf + 8), ae_read_u32be (buf + 12) };
  if (d[0] == 0 || d[1] == 0 || d[2] == 0)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: zero dimension in %u x %u x %u images", name, d[0],
                         d[1], d[2]);
  /* Each product is checked before the next one so that none overflows. */
  if (d[0] > (uint64_t) AE_MAX_SAMPLES)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: %u images declared: at most %ld are accepted", name,
                         d[0], AE_MAX_SAMPLES);
  uint64_t dim = (uint64_t) d[1] * d[2];
  if (dim > (uint64_t) AE_MAX_FEATURES)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: images of %u x %u pixels declared: at most %ld pixels",
                         name, d[1], d[2], AE_MAX_FEATURES);
  if (dim * d[0] > (uint64_t) AE_MAX_DATASET_FLOATS)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: %u images of %u x %u declared: more than %ld values",
                         name, d[0], d[1], d[2], AE_MAX_DATASET_FLOATS);
  *n = (long) d[0];
  *rows = (int) d[1];
  *cols = (int) d[2];
  return AE_OK;
}

AeStatus
ae_idx_check_images (const uint8_t *buf, size_t len, const char *name, long *n, int *rows,
                     int *cols, AeError *err)
{
  AeStatus status = check_images_header (buf, len, name, n, rows, cols, err);
  if (status != AE_OK)
    return status;
  return check_length (len, 16, (uint64_t) *n * (uint64_t) *rows * (uint64_t) *cols, name, err);
}

void
ae_idx_fill_images (float *dst, const uint8_t *buf, size_t count)
{
  const uint8_t *pixels = buf + 16;
  for (size_t i = 0; i < count; i++)
    dst[i] = pixels[i] / 255.0f;
}

static AeStatus
check_labels_header (const uint8_t *buf, size_t len, const char *name, long *n, AeError *err)
{
  AeStatus status = check_magic (buf, len, IDX_MAGIC_LABELS, "labels", name, err);
  if (status != AE_OK)
    return status;
  if (len < 8)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: truncated IDX header: %zu bytes, expected 8", name,
                         len);
  uint32_t count = ae_read_u32be (buf + 4);
  if (count == 0)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: zero labels declared", name);
  if (count > (uint64_t) AE_MAX_SAMPLES)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: %u labels declared: at most %ld are accepted", name,
                         count, AE_MAX_SAMPLES);
  *n = (long) count;
  return AE_OK;
}

AeStatus
ae_idx_check_labels (const uint8_t *buf, size_t len, const char *name, long *n, AeError *err)
{
  AeStatus status = check_labels_header (buf, len, name, n, err);
  if (status != AE_OK)
    return status;
  return check_length (len, 8, (uint64_t) *n, name, err);
}

AeStatus
ae_idx_set_labels (AeDataset *ds, long first, const uint8_t *labels, long count, int n_classes,
                   AeError *err)
{
  if (ds->labels == NULL || ds->n_classes != n_classes)
    {
      int *lab = ds->labels ? ds->labels : calloc ((size_t) ds->n, sizeof (int));
      char (*names)[AE_CLASS_NAME_MAX] = calloc ((size_t) n_classes, sizeof *names);
      if (lab == NULL || names == NULL)
        {
          if (lab != ds->labels)
            free (lab);
          free (names);
          return ae_error_set (err, AE_ERR_NOMEM, "out of memory for %ld labels", ds->n);
        }
      for (int c = 0; c < n_classes; c++)
        snprintf (names[c], AE_CLASS_NAME_MAX, "%d", c);
      free (ds->class_names);
      ds->labels = lab;
      ds->class_names = names;
      ds->n_classes = n_classes;
    }
  for (long i = 0; i < count; i++)
    ds->labels[first + i] = labels[i];
  return AE_OK;
}

/* A parser of IDX bytes: target is the AeDataset ** of images or the AeDataset * of labels. */
typedef AeStatus (*IdxParser) (void *target, const uint8_t *buf, size_t len, const char *name,
                               AeError *err);

/* Compressed bytes in memory are as welcome as they are in a file: parse sees them inflated. */
static AeStatus
parse_inflated (IdxParser parse, void *target, const uint8_t *buf, size_t len, const char *name,
                AeError *err)
{
  if (len < 2 || buf[0] != 0x1f || buf[1] != 0x8b)
    return parse (target, buf, len, name, err);
  uint8_t *raw;
  size_t raw_len;
  AeStatus status = ae_gunzip_memory (buf, len, IDX_FILE_MAX, &raw, &raw_len, name, err);
  if (status == AE_OK)
    status = parse (target, raw, raw_len, name, err);
  free (raw);
  return status;
}

static AeStatus
parse_images (void *target, const uint8_t *buf, size_t len, const char *name, AeError *err)
{
  AeDataset **out = target;
  long n;
  int rows, cols;
  AeStatus status = ae_idx_check_images (buf, len, name, &n, &rows, &cols, err);
  if (status != AE_OK)
    return status;
  status = ae_dataset_new (out, n, 1, rows, cols, 0, err);
  if (status != AE_OK)
    return ae_error_prefix (err, "%s", name);
  AeDataset *ds = *out;
  ae_idx_fill_images (ds->x, buf, (size_t) n * (size_t) ds->dim);
  snprintf (ds->name, sizeof ds->name, "%s", ae_path_basename (name));
  snprintf (ds->source, sizeof ds->source, "%s", name);
  return AE_OK;
}

static AeStatus
parse_labels (void *target, const uint8_t *buf, size_t len, const char *name, AeError *err)
{
  AeDataset *ds = target;
  long n;
  AeStatus status = ae_idx_check_labels (buf, len, name, &n, err);
  if (status != AE_OK)
    return status;
  if (n != ds->n)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: %ld labels for %ld samples", name, n, ds->n);
  int max_label = 0;
  for (long i = 0; i < n; i++)
    max_label = buf[8 + i] > max_label ? buf[8 + i] : max_label;
  return ae_idx_set_labels (ds, 0, buf + 8, n, max_label + 1, err);
}

AeStatus
ae_idx_parse_images (AeDataset **out, const uint8_t *buf, size_t len, const char *name,
                     AeError *err)
{
  *out = NULL;
  return parse_inflated (parse_images, out, buf, len, name, err);
}

AeStatus
ae_idx_parse_labels (AeDataset *ds, const uint8_t *buf, size_t len, const char *name, AeError *err)
{
  return parse_inflated (parse_labels, ds, buf, len, name, err);
}

/* Slack beyond the declared size, so that a few stray bytes at the end are reported as a
 * length mismatch rather than as a limit. */
#define IDX_TRAILING_SLACK 4096

AeStatus
ae_idx_peek_images (const char *path, long *n, int *rows, int *cols, AeError *err)
{
  uint8_t head[16];
  size_t len;
  AeStatus status = ae_file_read_head (path, head, sizeof head, &len, err);
  if (status != AE_OK)
    return status;
  return check_images_header (head, len, path, n, rows, cols, err);
}

AeStatus
ae_idx_load_images (AeDataset **out, const char *path, AeError *err)
{
  uint8_t *buf;
  size_t len;
  *out = NULL;
  /* What the header declares is checked first, and bounds what is inflated: a small gzip
   * file declaring little cannot inflate to much. */
  long n;
  int rows, cols;
  AeStatus status = ae_idx_peek_images (path, &n, &rows, &cols, err);
  if (status != AE_OK)
    return status;
  status = ae_file_read_all (path, 16 + (size_t) n * (size_t) rows * (size_t) cols + IDX_TRAILING_SLACK,
                             &buf, &len, err);
  if (status != AE_OK)
    return status;
  status = ae_idx_parse_images (out, buf, len, path, err);
  free (buf);
  return status;
}

AeStatus
ae_idx_load_labels (AeDataset *ds, const char *path, AeError *err)
{
  uint8_t head[8], *buf;
  size_t len;
  long n = 0;
  AeStatus status = ae_file_read_head (path, head, sizeof head, &len, err);
  if (status == AE_OK)
    status = check_labels_header (head, len, path, &n, err);
  if (status == AE_OK && n != ds->n)
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: %ld labels for %ld samples", path, n, ds->n);
  if (status != AE_OK)
    return status;
  status = ae_file_read_all (path, 8 + (size_t) n + IDX_TRAILING_SLACK, &buf, &len, err);
  if (status != AE_OK)
    return status;
  status = ae_idx_parse_labels (ds, buf, len, path, err);
  free (buf);
  return status;
}
