/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IDX images and labels: round trips and every kind of damaged file. */
#include "io-test-util.h"

#include <zlib.h>

#include "ae-io.h"

/* An IDX images buffer of n images of rows x cols, pixel i = (i * 7) % 256. */
static uint8_t *
make_images (uint32_t magic, uint32_t n, uint32_t rows, uint32_t cols, size_t data_len, size_t *len)
{
  *len = 16 + data_len;
  uint8_t *buf = malloc (*len);
  uint32_t head[4] = { magic, n, rows, cols };
  for (int k = 0; k < 4; k++)
    for (int b = 0; b < 4; b++)
      buf[4 * k + b] = (uint8_t) (head[k] >> (24 - 8 * b));
  for (size_t i = 0; i < data_len; i++)
    buf[16 + i] = (uint8_t) (i * 7);
  return buf;
}

static uint8_t *
make_labels (uint32_t n, size_t *len)
{
  *len = 8 + n;
  uint8_t *buf = malloc (*len);
  uint32_t head[2] = { 0x801, n };
  for (int k = 0; k < 2; k++)
    for (int b = 0; b < 4; b++)
      buf[4 * k + b] = (uint8_t) (head[k] >> (24 - 8 * b));
  for (uint32_t i = 0; i < n; i++)
    buf[8 + i] = (uint8_t) (i % 3);
  return buf;
}

static void
write_gzip (const char *path, const void *buf, size_t len)
{
  gzFile gz = gzopen (path, "wb");
  gzwrite (gz, buf, (unsigned) len);
  gzclose (gz);
}

static void
test_round_trip (void)
{
  char *dir = io_test_mkdtemp ();
  size_t len, lab_len;
  uint8_t *img = make_images (0x803, 5, 3, 4, 60, &len);
  uint8_t *lab = make_labels (5, &lab_len);
  char *raw = io_test_path (dir, "x-images-idx3-ubyte");
  char *gz = io_test_path (dir, "x-images-idx3-ubyte.gz");
  char *labels = io_test_path (dir, "x-labels-idx1-ubyte");
  io_test_write (raw, img, len);
  write_gzip (gz, img, len);
  io_test_write (labels, lab, lab_len);
  const char *paths[2] = { raw, gz };
  for (int k = 0; k < 2; k++)
    {
      AeDataset *ds = NULL;
      AeError err = { 0 };
      CHECK (ae_idx_load_images (&ds, paths[k], &err) == AE_OK, "%s", err.message);
      if (ds == NULL)
        continue;
      CHECK (ds->n == 5 && ds->channels == 1 && ds->height == 3 && ds->width == 4 && ds->dim == 12,
             "%ld x %d x %d x %d", ds->n, ds->channels, ds->height, ds->width);
      int exact = 1;
      for (int i = 0; i < 60; i++)
        exact &= ds->x[i] == img[16 + i] / 255.0f;
      CHECK (exact, "pixels differ from bytes / 255");
      CHECK (ds->labels == NULL && ds->n_classes == 0, "no labels yet");
      CHECK (ae_idx_load_labels (ds, labels, &err) == AE_OK, "%s", err.message);
      CHECK (ds->n_classes == 3 && ds->labels != NULL && ds->labels[4] == 1, "labels %d", ds->n_classes);
      CHECK (strcmp (ds->class_names[2], "2") == 0, "class name %s", ds->class_names[2]);
      ae_dataset_free (ds);
    }

  /* ae_dataset_load finds the labels beside the images, for raw and compressed files. */
  for (int k = 0; k < 2; k++)
    {
      AeDataset *ds = NULL;
      AeError err = { 0 };
      CHECK (ae_dataset_load (&ds, paths[k], 1, &err) == AE_OK, "%s", err.message);
      CHECK (ds != NULL && ds->labels != NULL && ds->n_classes == 3, "labels from the sibling file");
      CHECK (ds != NULL && ds->n_train + ds->n_val + ds->n_test == 5, "split");
      CHECK (ds != NULL && strcmp (ds->source, paths[k]) == 0, "source");
      ae_dataset_free (ds);
    }
  /* A labels file given where images belong is explained. */
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_dataset_load (&ds, labels, 1, &err) != AE_OK && ds == NULL, "labels as images");
  CHECK (strstr (err.message, "labels file") != NULL, "%s", err.message);
  CHECK_NAMES (err, labels);
  /* Labels for another number of images are refused. */
  free (lab);
  lab = make_labels (6, &lab_len);
  io_test_write (labels, lab, lab_len);
  CHECK (ae_dataset_load (&ds, raw, 1, &err) == AE_ERR_FORMAT && ds == NULL, "6 labels for 5 images");
  CHECK_NAMES (err, labels);
  free (img);
  free (lab);
  free (raw);
  free (gz);
  free (labels);
  io_test_rmdir (dir);
}

/* Parses buf as images and expects a failure of the given status naming "bad.idx". */
static void
expect_images_fail (const uint8_t *buf, size_t len, AeStatus want, const char *needle)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  AeStatus st = ae_idx_parse_images (&ds, buf, len, "bad.idx", &err);
  CHECK (st == want && ds == NULL, "status %d (%s), expected %d", st, err.message, want);
  CHECK_NAMES (err, "bad.idx");
  CHECK (strstr (err.message, needle) != NULL, "'%s' not in: %s", needle, err.message);
  ae_dataset_free (ds);
}

static void
test_bad_headers (void)
{
  size_t len;
  uint8_t *buf;
  buf = make_images (0x804, 2, 2, 2, 8, &len);
  expect_images_fail (buf, len, AE_ERR_FORMAT, "0x00000804");
  free (buf);
  buf = make_images (0x0d03, 2, 2, 2, 8, &len);
  expect_images_fail (buf, len, AE_ERR_UNSUPPORTED, "0x0d");
  free (buf);
  buf = make_images (0x803, 0, 2, 2, 0, &len);
  expect_images_fail (buf, len, AE_ERR_FORMAT, "zero");
  free (buf);
  buf = make_images (0x803, 2, 0, 2, 0, &len);
  expect_images_fail (buf, len, AE_ERR_FORMAT, "zero");
  free (buf);
  /* 4e9 images of 1e9 x 1 pixels: refused by the limits (not by a failed allocation). */
  buf = make_images (0x803, 4000000000u, 1000000000u, 1, 0, &len);
  expect_images_fail (buf, len, AE_ERR_LIMIT, "4000000000");
  free (buf);
  buf = make_images (0x803, 1000, 100000, 100000, 0, &len);
  expect_images_fail (buf, len, AE_ERR_LIMIT, "100000");
  free (buf);
  buf = make_images (0x803, 100000, 1000, 1000, 0, &len);
  expect_images_fail (buf, len, AE_ERR_LIMIT, "more than");
  free (buf);
  /* Truncated data and a too-long file. */
  buf = make_images (0x803, 5, 3, 4, 59, &len);
  expect_images_fail (buf, len, AE_ERR_FORMAT, "truncated");
  free (buf);
  buf = make_images (0x803, 5, 3, 4, 61, &len);
  expect_images_fail (buf, len, AE_ERR_FORMAT, "length mismatch");
  /* Every cut of the header. */
  for (size_t cut = 0; cut < 16; cut++)
    expect_images_fail (buf, cut, AE_ERR_FORMAT, "bad.idx");
  free (buf);

  /* Labels: wrong magic, wrong count, truncated. */
  size_t img_len, lab_len;
  uint8_t *img = make_images (0x803, 5, 3, 4, 60, &img_len);
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_idx_parse_images (&ds, img, img_len, "ok.idx", &err) == AE_OK, "%s", err.message);
  uint8_t *lab = make_labels (5, &lab_len);
  CHECK (ae_idx_parse_labels (ds, img, img_len, "lab.idx", &err) == AE_ERR_FORMAT, "images as labels");
  CHECK (strstr (err.message, "0x00000803") != NULL, "%s", err.message);
  CHECK (ae_idx_parse_labels (ds, lab, lab_len - 1, "lab.idx", &err) == AE_ERR_FORMAT, "truncated labels");
  CHECK (strstr (err.message, "truncated") != NULL && strstr (err.message, "lab.idx"), "%s", err.message);
  free (lab);
  lab = make_labels (4, &lab_len);
  CHECK (ae_idx_parse_labels (ds, lab, lab_len, "lab.idx", &err) == AE_ERR_FORMAT, "4 labels for 5");
  CHECK (ds->labels == NULL, "labels left after a failure");
  free (lab);
  free (img);
  ae_dataset_free (ds);
}

static void
test_truncated_files (void)
{
  char *dir = io_test_mkdtemp ();
  size_t len;
  uint8_t *img = make_images (0x803, 50, 10, 10, 5000, &len);
  char *raw = io_test_path (dir, "t-images-idx3-ubyte");
  char *gz = io_test_path (dir, "t-images-idx3-ubyte.gz");
  write_gzip (gz, img, len);
  size_t gz_len;
  uint8_t *gz_bytes = io_test_read (gz, &gz_len);
  for (int k = 1; k < 8; k++)
    {
      AeDataset *ds = NULL;
      AeError err = { 0 };
      io_test_write (raw, img, len * k / 8);
      CHECK (ae_idx_load_images (&ds, raw, &err) == AE_ERR_FORMAT && ds == NULL, "raw cut %d/8", k);
      CHECK_NAMES (err, raw);
      io_test_write (gz, gz_bytes, gz_len * k / 8);
      CHECK (ae_idx_load_images (&ds, gz, &err) == AE_ERR_FORMAT && ds == NULL, "gz cut %d/8", k);
      CHECK_NAMES (err, gz);
    }
  AeDataset *ds = NULL;
  AeError err = { 0 };
  char *missing = io_test_path (dir, "none-images-idx3-ubyte");
  CHECK (ae_idx_load_images (&ds, missing, &err) == AE_ERR_IO, "missing file");
  CHECK_NAMES (err, missing);
  free (missing);
  free (gz_bytes);
  free (img);
  free (raw);
  free (gz);
  io_test_rmdir (dir);
}

static int
load_images_status (void *path)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  AeStatus st = ae_idx_load_images (&ds, path, &err);
  ae_dataset_free (ds);
  return (int) st;
}

/* Gzip inside gzip multiplies twice: refused, from a file and from memory. */
static void
test_gzip_inside_gzip (void)
{
  char *dir = io_test_mkdtemp ();
  size_t len;
  uint8_t *img = make_images (0x803, 5, 3, 4, 60, &len);
  char *once = io_test_path (dir, "once-images-idx3-ubyte.gz");
  char *twice = io_test_path (dir, "twice-images-idx3-ubyte.gz");
  write_gzip (once, img, len);
  size_t once_len;
  uint8_t *once_bytes = io_test_read (once, &once_len);
  write_gzip (twice, once_bytes, once_len);
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_idx_load_images (&ds, once, &err) == AE_OK, "%s", err.message);
  ae_dataset_free (ds);
  ds = NULL;
  CHECK (ae_idx_load_images (&ds, twice, &err) == AE_ERR_FORMAT && ds == NULL, "gzip in gzip read");
  CHECK_NAMES (err, twice);
  CHECK (strstr (err.message, "gzip inside gzip") != NULL, "%s", err.message);
  size_t twice_len;
  uint8_t *twice_bytes = io_test_read (twice, &twice_len);
  CHECK (ae_idx_parse_images (&ds, twice_bytes, twice_len, "mem.gz", &err) == AE_ERR_FORMAT
         && ds == NULL, "gzip in gzip parsed from memory");
  CHECK (strstr (err.message, "gzip inside gzip") != NULL, "%s", err.message);
  free (twice_bytes);
  free (once_bytes);
  free (img);
  free (once);
  free (twice);
  io_test_rmdir (dir);
}

/* The header decides before anything is inflated: more than the budget is refused as a
 * limit, and a header declaring little bounds what a long compressed stream may cost. */
static void
test_budget_from_header (void)
{
  char *dir = io_test_mkdtemp ();
  size_t len;
  /* 200,000 images of 28 x 28 is 157 million values: beyond the budget. */
  uint8_t *img = make_images (0x803, 200000, 28, 28, 100, &len);
  char *big = io_test_path (dir, "big-images-idx3-ubyte.gz");
  write_gzip (big, img, len);
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_idx_load_images (&ds, big, &err) == AE_ERR_LIMIT && ds == NULL, "status %d: %s",
         err.status, err.message);
  CHECK_NAMES (err, big);
  free (img);

  /* 10 images declared, then 128 MiB of zeros: refused after a few kilobytes. */
  char *padded = io_test_path (dir, "padded-images-idx3-ubyte.gz");
  img = make_images (0x803, 10, 28, 28, 7840, &len);
  gzFile gz = gzopen (padded, "wb1");
  gzwrite (gz, img, (unsigned) len);
  static uint8_t zeros[1 << 20];
  for (int i = 0; i < 128; i++)
    gzwrite (gz, zeros, sizeof zeros);
  gzclose (gz);
  int result;
  long peak_mb = io_test_child_peak_mb (load_images_status, padded, &result);
  CHECK (result == AE_ERR_LIMIT || result == AE_ERR_FORMAT, "status %d", result);
  CHECK (peak_mb >= 0 && (!IO_TEST_PEAK_MEASURED || peak_mb < 64), "peak %ld MiB for a file that declares 8 KB", peak_mb);
  free (img);
  free (big);
  free (padded);
  io_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/idx/round-trip", test_round_trip },
    { "/idx/bad-headers", test_bad_headers },
    { "/idx/truncated-files", test_truncated_files },
    { "/idx/gzip-inside-gzip", test_gzip_inside_gzip },
    { "/idx/budget-from-header", test_budget_from_header },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
