/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-builtin.c: ae_dataset_load, the one entry point from a name or path to a dataset. */
#include "ae-dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ae-io-private.h"
#include "ae-io.h"
#include "ae-series.h"
#include "ae-shapes.h"

/* The embedded digits (engine/ae-digits-data.S). */
extern const unsigned char ae_digits_images_gz[], ae_digits_images_gz_end[];
extern const unsigned char ae_digits_labels_gz[], ae_digits_labels_gz_end[];

#define DIGITS_N_TEST 2000
#define VAL_FRACTION 0.1
#define TEST_FRACTION 0.2
#define PATCH_SIDE 28
#define PATCH_STRIDE 14
/* 70,000 images of 28 x 28 and their header fit easily; the bound is for damaged files. */
#define MNIST_FILE_MAX ((size_t) 256 << 20)

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
/* Lets a machine without Debian's package point at its own copy of the four files. */
#define FASHION_DIR_ENV "LATENTLAB_FASHION_MNIST_DIR"

/* What a dataset spec may be besides a built-in name. */
#define PATH_KINDS "a path to an IDX file, a PNG or JPEG image, a CSV file, a .npy file or a folder of images"

/* "digits, fashion, sines, ecg, or " PATH_KINDS, for messages. */
static const char *
valid_names (void)
{
  static char text[512];
  text[0] = '\0';
  for (const AeBuiltinDataset *d = ae_builtin_datasets; d->name != NULL; d++)
    snprintf (text + strlen (text), sizeof text - strlen (text), "%s, ", d->name);
  snprintf (text + strlen (text), sizeof text - strlen (text), "or %s", PATH_KINDS);
  return text;
}

static void
set_digit_names (AeDataset *ds)
{
  for (int c = 0; c < ds->n_classes; c++)
    snprintf (ds->class_names[c], AE_CLASS_NAME_MAX, "%d", c);
}

static AeStatus
load_digits (AeDataset **out, uint64_t seed, AeError *err)
{
  (void) seed; /* the digits have a split of their own */
  const char *name = "embedded digits";
  AeStatus status = ae_idx_parse_images (out, ae_digits_images_gz,
                                         (size_t) (ae_digits_images_gz_end - ae_digits_images_gz),
                                         "embedded digits images", err);
  if (status != AE_OK)
    return status;
  AeDataset *ds = *out;
  status = ae_idx_parse_labels (ds, ae_digits_labels_gz,
                                (size_t) (ae_digits_labels_gz_end - ae_digits_labels_gz),
                                "embedded digits labels", err);
  if (status == AE_OK && ds->n_classes != 10)
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: %d classes, expected 10", name, ds->n_classes);
  if (status != AE_OK)
    {
      ae_dataset_free (ds);
      *out = NULL;
      return status;
    }
  set_digit_names (ds);
  snprintf (ds->name, sizeof ds->name, "digits");
  snprintf (ds->source, sizeof ds->source, "embedded");
  ae_dataset_split_fixed (ds, DIGITS_N_TEST, VAL_FRACTION);
  return AE_OK;
}

/* The four files of Fashion-MNIST (train images, labels, test images, labels); returns
 * the index of the first one missing, or -1 when all are there. */
static const char *
fashion_dir (void)
{
  const char *dir = getenv (FASHION_DIR_ENV);
  return dir != NULL && dir[0] != '\0' ? dir : FASHION_DIR;
}

static int
fashion_paths (char paths[4][1024])
{
  static const char *const parts[2] = { "train", "t10k" };
  const char *dir = fashion_dir ();
  for (int p = 0; p < 2; p++)
    {
      snprintf (paths[2 * p], sizeof paths[0], "%s/%s-images-idx3-ubyte.gz", dir, parts[p]);
      snprintf (paths[2 * p + 1], sizeof paths[0], "%s/%s-labels-idx1-ubyte.gz", dir, parts[p]);
    }
  for (int i = 0; i < 4; i++)
    if (access (paths[i], F_OK) != 0)
      return i;
  return -1;
}

static int
fashion_available (void)
{
  char paths[4][1024];
  return fashion_paths (paths) < 0;
}

static AeStatus
load_fashion (AeDataset **out, uint64_t seed, AeError *err)
{
  static const char *const class_names[10] = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                               "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot" };
  char paths[4][1024];
  int missing = fashion_paths (paths);
  (void) seed;
  if (missing >= 0)
    return ae_error_set (err, AE_ERR_IO,
                         "Fashion-MNIST is not installed (%s is missing): sudo apt install dataset-fashion-mnist",
                         paths[missing]);

  uint8_t *buf[4] = { NULL };
  size_t len[4];
  long n_images[2] = { 0 }, n_labels[2] = { 0 };
  int rows[2] = { 0 }, cols[2] = { 0 };
  AeStatus status = AE_OK;
  for (int i = 0; i < 4 && status == AE_OK; i++)
    {
      status = ae_file_read_all (paths[i], MNIST_FILE_MAX, &buf[i], &len[i], err);
      if (status != AE_OK)
        break;
      if (i % 2 == 0)
        status = ae_idx_check_images (buf[i], len[i], paths[i], &n_images[i / 2], &rows[i / 2],
                                      &cols[i / 2], err);
      else
        status = ae_idx_check_labels (buf[i], len[i], paths[i], &n_labels[i / 2], err);
    }
  for (int p = 0; p < 2 && status == AE_OK; p++)
    if (n_images[p] != n_labels[p] || rows[p] != 28 || cols[p] != 28)
      status = ae_error_set (err, AE_ERR_FORMAT, "%s: %ld images of %d x %d with %ld labels in %s; expected 28 x 28, one label each",
                             paths[2 * p], n_images[p], rows[p], cols[p], n_labels[p], paths[2 * p + 1]);
  AeDataset *ds = NULL;
  if (status == AE_OK)
    status = ae_dataset_new (&ds, n_images[0] + n_images[1], 1, 28, 28, 10, err);
  long first = 0;
  for (int p = 0; p < 2 && status == AE_OK; p++)
    {
      for (long i = 0; i < n_labels[p]; i++)
        if (buf[2 * p + 1][8 + i] >= 10)
          {
            status = ae_error_set (err, AE_ERR_FORMAT, "%s: label %d at offset %ld, expected 0 to 9",
                                   paths[2 * p + 1], buf[2 * p + 1][8 + i], 8 + i);
            break;
          }
      if (status != AE_OK)
        break;
      ae_idx_fill_images (ds->x + (size_t) first * ds->dim, buf[2 * p], (size_t) n_images[p] * ds->dim);
      status = ae_idx_set_labels (ds, first, buf[2 * p + 1] + 8, n_labels[p], 10, err);
      first += n_images[p];
    }
  for (int i = 0; i < 4; i++)
    free (buf[i]);
  if (status != AE_OK)
    {
      ae_dataset_free (ds);
      return status;
    }
  for (int c = 0; c < 10; c++)
    snprintf (ds->class_names[c], AE_CLASS_NAME_MAX, "%s", class_names[c]);
  snprintf (ds->name, sizeof ds->name, "fashion");
  snprintf (ds->source, sizeof ds->source, "%s", fashion_dir ());
  /* The t10k part is the test set, as everyone who reports Fashion-MNIST results uses it. */
  ae_dataset_split_fixed (ds, n_images[1], VAL_FRACTION);
  *out = ds;
  return AE_OK;
}

static int
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), k = strlen (suffix);
  return n >= k && strcasecmp (s + n - k, suffix) == 0;
}

static int
file_exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

/* The labels file beside an images file, by MNIST's naming: "images-idx3" becomes
 * "labels-idx1" (or "images.idx3" becomes "labels.idx1", or "-images" becomes "-labels"),
 * with or without ".gz". Returns 1 and fills out when such a file exists. */
static int
sibling_labels (const char *images_path, char *out, size_t out_size)
{
  static const char *const from[] = { "images-idx3", "images.idx3", "-images" };
  static const char *const to[] = { "labels-idx1", "labels.idx1", "-labels" };
  const char *base = ae_path_basename (images_path);
  size_t dir_len = (size_t) (base - images_path);
  for (int r = 0; r < 3; r++)
    {
      const char *hit = strstr (base, from[r]);
      if (hit == NULL)
        continue;
      char candidate[2048];
      int n = snprintf (candidate, sizeof candidate, "%.*s%.*s%s%s", (int) dir_len, images_path,
                        (int) (hit - base), base, to[r], hit + strlen (from[r]));
      if (n < 0 || (size_t) n >= sizeof candidate - 4)
        return 0;
      if (!file_exists (candidate))
        {
          /* The other compression state: "x.gz" <-> "x". */
          if (has_suffix (candidate, ".gz"))
            candidate[n - 3] = '\0';
          else
            strcat (candidate, ".gz");
        }
      if (file_exists (candidate) && strlen (candidate) < out_size)
        {
          strcpy (out, candidate);
          return 1;
        }
      return 0;
    }
  return 0;
}

static AeStatus
load_idx_path (AeDataset **out, const char *path, AeError *err)
{
  AeStatus status = ae_idx_load_images (out, path, err);
  /* A labels file given where images were expected deserves its own hint. */
  if (status == AE_ERR_FORMAT && err != NULL && strstr (err->message, "magic 0x00000801") != NULL)
    return ae_error_set (err, AE_ERR_INVALID,
                         "%s: an IDX labels file; give the images file (its labels are read from beside it)",
                         path);
  if (status != AE_OK)
    return status;
  char labels[2048];
  if (sibling_labels (path, labels, sizeof labels))
    {
      status = ae_idx_load_labels (*out, labels, err);
      if (status != AE_OK)
        {
          ae_dataset_free (*out);
          *out = NULL;
          return status;
        }
    }
  return AE_OK;
}

static int
is_image_file (const char *path)
{
  return has_suffix (path, ".png") || has_suffix (path, ".jpg") || has_suffix (path, ".jpeg");
}

static AeStatus
load_path (AeDataset **out, const char *path, const AeImageOptions *images, AeError *err)
{
  struct stat st;
  if (stat (path, &st) != 0)
    {
      if (errno == ENOENT && strchr (path, '/') == NULL && strchr (path, '.') == NULL)
        return ae_error_set (err, AE_ERR_INVALID, "'%s': no such dataset; valid names: %s", path,
                             valid_names ());
      return ae_error_set (err, AE_ERR_IO, "%s: %s (expected %s)", path, strerror (errno), valid_names ());
    }
  if (S_ISDIR (st.st_mode))
    return ae_image_folder_load (out, path, images, err);
  if (is_image_file (path))
    return ae_image_patches_load (out, path, images, PATCH_SIDE, PATCH_STRIDE, err);
  if (images != NULL && (images->channels != 0 || images->image_size != 0))
    return ae_error_set (err, AE_ERR_INVALID,
                         "%s: the channels and size of images apply to image files and folders only", path);
  if (has_suffix (path, ".csv"))
    return ae_csv_load (out, path, err);
  if (has_suffix (path, ".npy"))
    return ae_npy_load (out, path, err);
  return load_idx_path (out, path, err);
}

AeStatus
ae_dataset_peek_shape (const char *spec, int *channels, int *height, int *width, AeError *err)
{
  struct stat st;
  if (spec == NULL || (strchr (spec, '/') == NULL && strchr (spec, '.') == NULL))
    return AE_ERR_UNSUPPORTED; /* a built-in: cheap to load, its shape is its loader's */
  if (stat (spec, &st) != 0 || S_ISDIR (st.st_mode) || has_suffix (spec, ".csv"))
    return AE_ERR_UNSUPPORTED;
  if (is_image_file (spec))
    return AE_ERR_UNSUPPORTED; /* its shape depends on the options; the decoder checks the area */
  long n;
  AeStatus status = ae_idx_peek_images (spec, &n, height, width, err);
  if (status == AE_OK)
    *channels = 1;
  return status;
}

static AeStatus
load_sines (AeDataset **out, uint64_t seed, AeError *err)
{
  return ae_series_sines (out, AE_SINES_DEFAULT_N, seed, err);
}

static AeStatus
load_ecg (AeDataset **out, uint64_t seed, AeError *err)
{
  return ae_series_ecg (out, AE_ECG_DEFAULT_N, seed, err);
}

static AeStatus
load_shapes (AeDataset **out, uint64_t seed, AeError *err)
{
  return ae_shapes_generate (out, AE_SHAPES_DEFAULT_N, AE_SHAPES_N_TEST, seed, err);
}

/* Marks the registry's English for translation (po/POTFILES.in); the window translates. */
#define N_(text) text

const AeBuiltinDataset ae_builtin_datasets[] = {
  { "digits", N_("MNIST digits"), N_("MNIST digits (embedded)"),
    N_("10,000 handwritten digits of 28 x 28 pixels, embedded in the program."), AE_DATA_IMAGES,
    load_digits, NULL, 10000, 1, 28, 28 },
  { "fashion", N_("Fashion-MNIST"), N_("Fashion-MNIST"),
    N_("70,000 images of clothing of 28 x 28 pixels, from Debian's dataset-fashion-mnist."),
    AE_DATA_IMAGES, load_fashion, fashion_available, 70000, 1, 28, 28 },
  { "sines", N_("Sine waves"), N_("Sine waves"),
    N_("Windows of one to three mixed sine waves, generated."), AE_DATA_SEQUENCES, load_sines, NULL, 6000, 1, 64, 1 },
  { "ecg", N_("ECG"), N_("ECG (with anomalies)"),
    N_("Synthetic heartbeats in which some beats are anomalous, marked step by step."),
    AE_DATA_SEQUENCES, load_ecg, NULL, 6000, 1, 128, 1 },
  { "shapes", N_("Coloured shapes"), N_("Coloured shapes (generated)"),
    N_("Squares, circles, triangles and hearts of 32 x 32 pixels in colour, drawn from six known factors."),
    AE_DATA_IMAGES, load_shapes, NULL, 12000, 3, 32, 32 },
  { NULL, NULL, NULL, NULL, AE_DATA_IMAGES, NULL, NULL, 0, 0, 0, 0 },
};

const AeBuiltinDataset *
ae_builtin_dataset_find (const char *name)
{
  for (const AeBuiltinDataset *d = ae_builtin_datasets; name != NULL && d->name != NULL; d++)
    if (strcmp (d->name, name) == 0)
      return d;
  return NULL;
}

int
ae_builtin_dataset_available (const AeBuiltinDataset *dataset)
{
  return dataset->available == NULL || dataset->available ();
}

AeStatus
ae_dataset_load (AeDataset **out, const char *spec, uint64_t seed, AeError *err)
{
  return ae_dataset_load_with (out, spec, NULL, seed, err);
}

AeStatus
ae_dataset_load_with (AeDataset **out, const char *spec, const AeImageOptions *images, uint64_t seed,
                      AeError *err)
{
  *out = NULL;
  int automatic = images == NULL || (images->channels == 0 && images->image_size == 0);
  if (spec == NULL || spec[0] == '\0')
    return ae_error_set (err, AE_ERR_INVALID, "empty dataset name; valid names: %s", valid_names ());
  const AeBuiltinDataset *builtin = ae_builtin_dataset_find (spec);
  if (builtin != NULL && !automatic)
    return ae_error_set (err, AE_ERR_INVALID,
                         "%s: the channels and size of images apply to image files and folders only", spec);
  if (builtin != NULL)
    return builtin->load (out, seed, err);

  AeStatus status = load_path (out, spec, images, err);
  if (status != AE_OK)
    return status;
  AeDataset *ds = *out;
  snprintf (ds->name, sizeof ds->name, "%s", ae_path_basename (spec));
  snprintf (ds->source, sizeof ds->source, "%s", spec);
  /* Files carry no split of their own: a seeded one, the same for the same seed. */
  ae_dataset_split_random (ds, seed, VAL_FRACTION, TEST_FRACTION);
  return AE_OK;
}
