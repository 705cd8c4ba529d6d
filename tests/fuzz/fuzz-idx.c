/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-idx.c: IDX images and labels through ae_idx_parse_images and ae_idx_parse_labels.
 *
 * Both parsers inflate gzip input themselves (by magic), so a gzip input exercises
 * ae_gunzip_memory on the way. Labels go into an existing dataset whose sample count must
 * match; to get past that check, the dataset is made with the count the input declares
 * (read after inflating, when the input is gzip). */
#include "ae-io.h"
#include "fuzz-target.h"

#define INPUT_NAME "fuzz-input-idx3-ubyte"
/* Enough for any input of -max_len 4096 (deflate expands at most about 1032 times). */
#define INFLATE_MAX ((size_t) 64 << 20)
/* Label counts beyond this are refused by the parser's length check anyway, since every
 * label is one byte of the input; the cap keeps the dataset cheap to allocate. */
#define LABELS_MAX 100000L

static void
check_images (const AeDataset *ds)
{
  FUZZ_CHECK (ds->n >= 1 && ds->channels == 1 && ds->height >= 1 && ds->width >= 1);
  FUZZ_CHECK (ds->dim == ds->height * ds->width);
  size_t count = (size_t) ds->n * (size_t) ds->dim;
  for (size_t i = 0; i < count; i++)
    FUZZ_CHECK (ds->x[i] >= 0.0f && ds->x[i] <= 1.0f);
}

static void
check_labels (const AeDataset *ds)
{
  FUZZ_CHECK (ds->labels != NULL && ds->n_classes >= 1 && ds->class_names != NULL);
  for (long i = 0; i < ds->n; i++)
    FUZZ_CHECK (ds->labels[i] >= 0 && ds->labels[i] < ds->n_classes);
  for (int c = 0; c < ds->n_classes; c++)
    FUZZ_CHECK (memchr (ds->class_names[c], '\0', AE_CLASS_NAME_MAX) != NULL);
}

/* The label count an IDX labels header declares, 1 when there is none. */
static long
declared_count (const uint8_t *data, size_t size)
{
  if (size < 8)
    return 1;
  long n = (long) ((uint32_t) data[4] << 24 | (uint32_t) data[5] << 16 | (uint32_t) data[6] << 8 | data[7]);
  return n >= 1 && n <= LABELS_MAX ? n : 1;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  AeError err = { 0 };
  AeDataset *images = NULL;
  AeStatus status = ae_idx_parse_images (&images, data, size, INPUT_NAME, &err);
  fuzz_check_status ("ae_idx_parse_images", status, &err, INPUT_NAME);
  FUZZ_CHECK ((status == AE_OK) == (images != NULL));
  if (images != NULL)
    {
      check_images (images);
      /* Labels of the wrong count (or kind) for these images must be refused cleanly. */
      ae_error_clear (&err);
      status = ae_idx_parse_labels (images, data, size, INPUT_NAME, &err);
      fuzz_check_status ("ae_idx_parse_labels into the images", status, &err, INPUT_NAME);
      ae_dataset_free (images);
    }

  long n = declared_count (data, size);
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    {
      uint8_t *raw;
      size_t raw_len;
      ae_error_clear (&err);
      status = ae_gunzip_memory (data, size, INFLATE_MAX, &raw, &raw_len, INPUT_NAME, &err);
      fuzz_check_status ("ae_gunzip_memory", status, &err, INPUT_NAME);
      FUZZ_CHECK ((status == AE_OK) == (raw != NULL));
      if (status == AE_OK)
        {
          FUZZ_CHECK (raw_len <= INFLATE_MAX);
          n = declared_count (raw, raw_len);
          free (raw);
        }
    }
  AeDataset *ds = NULL;
  ae_error_clear (&err);
  if (ae_dataset_new (&ds, n, 1, 1, 1, 0, &err) != AE_OK)
    return 0;
  status = ae_idx_parse_labels (ds, data, size, INPUT_NAME, &err);
  fuzz_check_status ("ae_idx_parse_labels", status, &err, INPUT_NAME);
  if (status == AE_OK)
    {
      check_labels (ds);
      /* Again into a dataset that has labels already. */
      status = ae_idx_parse_labels (ds, data, size, INPUT_NAME, &err);
      FUZZ_CHECK (status == AE_OK);
      check_labels (ds);
    }
  ae_dataset_free (ds);
  return 0;
}
