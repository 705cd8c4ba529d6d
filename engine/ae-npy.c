/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-npy.c: NumPy .npy files as datasets.
 *
 * Format 1.0 to 3.0: the magic "\x93NUMPY", a major and minor version, a little-endian
 * header length (2 bytes in 1.0, 4 after), a Python dict literal with 'descr',
 * 'fortran_order' and 'shape', then the values in C order. Read: uint8 ('|u1', scaled by
 * 1/255) or little-endian float32/float64 ('<f4', '<f8', values kept as they are), of shape
 * N x H x W (grey images), N x C x H x W or N x H x W x C (C 1 or 3) or N x D (vectors). Labels come from a
 * sibling file: X-labels.npy beside X.npy, else labels.npy in the same folder, of N
 * integers ('|u1', '<i4', '<i8'). */
#include "ae-io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ae-io-private.h"

#define NPY_FILE_MAX ((size_t) AE_MAX_DATASET_FLOATS * 8 + 65536)
#define NPY_LABELS_MAX ((size_t) AE_MAX_SAMPLES * 8 + 65536)

typedef struct {
  char descr[8];
  int rank;
  long shape[4];
  const uint8_t *data;
  size_t data_len;
} NpyArray;

static AeStatus
npy_parse (NpyArray *a, const uint8_t *buf, size_t len, const char *name, AeError *err)
{
  memset (a, 0, sizeof *a);
  if (len < 10 || memcmp (buf, "\x93NUMPY", 6) != 0)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: not a .npy file (no \\x93NUMPY magic)", name);
  int major = buf[6];
  size_t at = major == 1 ? 10 : 12;
  if (major < 1 || major > 3 || len < at)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: .npy version %d.%d: expected 1 to 3", name, major, buf[7]);
  size_t hlen = major == 1 ? (size_t) (buf[8] | buf[9] << 8) : ae_read_u32le (buf + 8);
  if (hlen > 65536 || hlen > len - at)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: truncated: a header of %zu bytes in a file of %zu", name,
                         hlen, len);
  char header[65537];
  memcpy (header, buf + at, hlen);
  header[hlen] = '\0';
  const char *d = strstr (header, "'descr':"), *f = strstr (header, "'fortran_order':"),
             *s = strstr (header, "'shape':");
  if (d == NULL || f == NULL || s == NULL)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: the header lacks 'descr', 'fortran_order' or 'shape'", name);
  if (sscanf (d + 8, " '%7[^']'", a->descr) != 1)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: unreadable 'descr'", name);
  if (strncmp (f + 16, " True", 5) == 0 || strncmp (f + 16, "True", 4) == 0)
    return ae_error_set (err, AE_ERR_UNSUPPORTED, "%s: Fortran order; save it with np.ascontiguousarray", name);
  const char *p = strchr (s, '(');
  if (p == NULL)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: unreadable 'shape'", name);
  p++;
  while (*p != ')' && *p != '\0')
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p || v <= 0 || v > AE_MAX_DATASET_FLOATS)
        return ae_error_set (err, AE_ERR_LIMIT,
                             "%s: shape: expected 1 to 4 positive sizes within the limits", name);
      if (a->rank == 4)
        return ae_error_set (err, AE_ERR_UNSUPPORTED, "%s: shape of more than 4 sizes: expected "
                             "N x D vectors or images of N x H x W (x C)", name);
      a->shape[a->rank++] = v;
      p = end;
      while (*p == ',' || *p == ' ' || *p == 'L')
        p++;
    }
  size_t item = strcmp (a->descr, "|u1") == 0 ? 1 : strcmp (a->descr, "<f4") == 0 || strcmp (a->descr, "<i4") == 0 ? 4
                : strcmp (a->descr, "<f8") == 0 || strcmp (a->descr, "<i8") == 0 ? 8 : 0;
  if (item == 0)
    return ae_error_set (err, AE_ERR_UNSUPPORTED,
                         "%s: dtype '%s': expected uint8 ('|u1') or little-endian float32/float64 ('<f4', '<f8')",
                         name, a->descr);
  size_t count = 1;
  for (int i = 0; i < a->rank; i++)
    {
      if ((size_t) a->shape[i] > (size_t) AE_MAX_DATASET_FLOATS / count)
        return ae_error_set (err, AE_ERR_LIMIT, "%s: more than %ld values", name, AE_MAX_DATASET_FLOATS);
      count *= (size_t) a->shape[i];
    }
  a->data = buf + at + hlen;
  a->data_len = len - at - hlen;
  if (a->rank == 0 || a->data_len != count * item)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: %zu bytes of data, but shape and dtype '%s' need %zu", name,
                         a->data_len, a->descr, count * item);
  return AE_OK;
}

static double
npy_value (const NpyArray *a, size_t i)
{
  if (a->descr[1] == 'u')
    return a->data[i];
  uint8_t b[8];
  if (a->descr[2] == '4')
    {
      memcpy (b, a->data + 4 * i, 4);
      uint32_t bits = ae_read_u32le (b);
      if (a->descr[1] == 'i')
        return (int32_t) bits;
      float v;
      memcpy (&v, &bits, 4);
      return v;
    }
  uint64_t bits = ae_read_u64le (a->data + 8 * i);
  if (a->descr[1] == 'i')
    return (double) (int64_t) bits;
  double v;
  memcpy (&v, &bits, 8);
  return v;
}

/* Reads the file at path (at most max bytes) and parses its header; *buf holds the values
 * that a->data points into, for the caller to free. */
static AeStatus
npy_read (NpyArray *a, uint8_t **buf, const char *path, size_t max, AeError *err)
{
  size_t len = 0;
  *buf = NULL;
  AeStatus st = ae_file_read_all (path, max, buf, &len, err);
  if (st == AE_OK)
    st = npy_parse (a, *buf, len, path, err);
  return st;
}

/* Whether a size can be the channels of an image: grey or RGB. */
static int
npy_is_channels (long size)
{
  return size == 1 || size == 3;
}

static AeStatus
npy_labels (AeDataset *ds, const char *path, AeError *err)
{
  char labels[2048];
  size_t n = strlen (path) - 4; /* without ".npy" */
  if (n + sizeof "-labels.npy" > sizeof labels)
    return AE_OK;
  memcpy (labels, path, n);
  memcpy (labels + n, "-labels.npy", sizeof "-labels.npy");
  if (access (labels, R_OK) != 0)
    {
      const char *slash = strrchr (path, '/');
      size_t folder = slash != NULL ? (size_t) (slash - path + 1) : 0;
      if (folder + sizeof "labels.npy" > sizeof labels)
        return AE_OK;
      memcpy (labels, path, folder);
      memcpy (labels + folder, "labels.npy", sizeof "labels.npy");
      if (access (labels, R_OK) != 0 || strcmp (labels, path) == 0)
        return AE_OK;
    }
  uint8_t *buf = NULL;
  NpyArray a;
  AeStatus st = npy_read (&a, &buf, labels, NPY_LABELS_MAX, err);
  if (st == AE_OK && (a.rank != 1 || a.shape[0] != ds->n || a.descr[1] == 'f'))
    st = ae_error_set (err, AE_ERR_FORMAT, "%s: expected %ld integer labels, one per sample", labels, ds->n);
  int most = -1;
  for (long i = 0; st == AE_OK && i < ds->n; i++)
    {
      double v = npy_value (&a, (size_t) i);
      if (v < 0 || v > 999)
        st = ae_error_set (err, AE_ERR_FORMAT, "%s: label %g at index %ld: expected 0 to 999", labels, v, i);
      else if ((int) v > most)
        most = (int) v;
    }
  if (st == AE_OK)
    {
      uint8_t *small = malloc ((size_t) ds->n);
      st = small == NULL ? ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", labels) : AE_OK;
      if (st == AE_OK && most > 255)
        st = ae_error_set (err, AE_ERR_LIMIT, "%s: %d classes: expected at most 256", labels, most + 1);
      for (long i = 0; st == AE_OK && i < ds->n; i++)
        small[i] = (uint8_t) npy_value (&a, (size_t) i);
      if (st == AE_OK)
        st = ae_idx_set_labels (ds, 0, small, ds->n, most + 1, err);
      free (small);
    }
  free (buf);
  return st;
}

AeStatus
ae_npy_load (AeDataset **out, const char *path, AeError *err)
{
  *out = NULL;
  uint8_t *buf = NULL;
  NpyArray a;
  AeStatus st = npy_read (&a, &buf, path, NPY_FILE_MAX, err);
  /* Four sizes are images with their channels second (PyTorch's N x C x H x W) or last
   * (NumPy's and TensorFlow's N x H x W x C); second wins when both could be channels. */
  int channels_last = st == AE_OK && a.rank == 4 && !npy_is_channels (a.shape[1])
                      && npy_is_channels (a.shape[3]);
  if (st == AE_OK
      && (a.rank < 2 || (a.rank == 4 && !npy_is_channels (a.shape[1]) && !channels_last)))
    {
      char shape[96] = "";
      for (int i = 0; i < a.rank; i++)
        snprintf (shape + strlen (shape), sizeof shape - strlen (shape), "%s%ld", i > 0 ? " x " : "",
                  a.shape[i]);
      st = ae_error_set (err, AE_ERR_UNSUPPORTED,
                         "%s: shape %s: expected N x H x W, N x C x H x W or N x H x W x C (C 1 or 3) "
                         "images, or N x D vectors", path, shape);
    }
  if (st == AE_OK && a.descr[1] == 'i')
    st = ae_error_set (err, AE_ERR_UNSUPPORTED, "%s: dtype '%s': expected uint8 or floats for the data",
                       path, a.descr);
  AeDataset *ds = NULL;
  int c = 1, h = 1, w = 1;
  if (st == AE_OK)
    {
      c = a.rank == 4 ? (int) a.shape[channels_last ? 3 : 1] : 1;
      h = a.rank == 2 ? 1 : (int) a.shape[channels_last ? 1 : a.rank - 2];
      w = (int) a.shape[channels_last ? 2 : a.rank - 1];
      st = ae_dataset_new (&ds, a.shape[0], c, h, w, 0, err);
      if (st != AE_OK)
        ae_error_prefix (err, "%s", path);
    }
  if (st == AE_OK)
    {
      ds->kind = a.rank == 2 ? AE_DATA_VECTORS : AE_DATA_IMAGES;
      size_t count = (size_t) ds->n * (size_t) ds->dim, plane = (size_t) h * w;
      double scale = a.descr[1] == 'u' ? 1.0 / 255.0 : 1.0;
      for (size_t i = 0; i < count && st == AE_OK; i++)
        {
          /* Value i of the planar dataset; channels last interleave the planes' pixels. */
          size_t from = i;
          if (channels_last)
            {
              size_t sample = i / ((size_t) c * plane), channel = i / plane % (size_t) c;
              from = (sample * plane + i % plane) * (size_t) c + channel;
            }
          double v = npy_value (&a, from) * scale;
          if (!(v >= 0.0 && v <= 1.0))
            st = ae_error_set (err, AE_ERR_FORMAT, "%s: value %g at index %zu: float data must lie in [0, 1]",
                               path, v, from);
          ds->x[i] = (float) v;
        }
    }
  if (st == AE_OK)
    st = npy_labels (ds, path, err);
  free (buf);
  if (st != AE_OK)
    {
      ae_dataset_free (ds);
      return st;
    }
  *out = ds;
  return AE_OK;
}
