/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-dataset.h: samples in memory, their labels and a fixed split.
 *
 * A dataset holds n samples of shape (channels, height, width) for images or
 * (steps, features) for sequences, as float32 in [0, 1] for images. The split is a
 * permutation `order`: the first n_train entries are training samples, then n_val
 * validation samples, then n_test test samples.
 */
#pragma once

#include <stdatomic.h>
#include <stdint.h>

#include "ae-status.h"

typedef enum {
  AE_DATA_IMAGES,    /* channels, height, width */
  AE_DATA_SEQUENCES, /* height = steps, width = features, channels = 1 */
  AE_DATA_VECTORS,   /* channels = height = 1, width = features (CSV rows) */
} AeDataKind;

/* A factor that generated a synthetic dataset's samples (shapes): values are drawn within
 * [min, max]; a discrete factor takes the values 0 .. levels - 1. */
typedef struct {
  const char *name;  /* an identifier, for JSON keys: "size", "x", ... */
  const char *title; /* for people: "size", "x position", ... */
  const char *unit;  /* "px", "degrees", or "" */
  float min, max;
  int levels;       /* the number of discrete values, or 0 for a continuous factor */
} AeFactor;

/* A whole file name (NAME_MAX + 1): sub-folders cut to one name would merge in every legend. */
#define AE_CLASS_NAME_MAX 256

typedef struct {
  char name[64];     /* "digits", "fashion", "sines", "ecg", or the file's base name */
  char source[1024]; /* the path it was read from, or "embedded" / "built-in" */
  AeDataKind kind;
  long n;
  int channels, height, width;
  int dim;                               /* channels * height * width */
  float *x;                              /* (n, dim) */
  int *labels;                           /* (n), or NULL when unlabelled */
  int n_classes;                         /* 0 when unlabelled */
  char (*class_names)[AE_CLASS_NAME_MAX]; /* (n_classes), or NULL */
  uint8_t *step_anomaly;                 /* (n, height) 1 where a step is anomalous, or NULL */
  uint32_t *order;                       /* (n) train, then validation, then test */
  long n_train, n_val, n_test;
  /* The file's units, for data rescaled into [0, 1] on loading (CSV): a value x stands for
   * value_min + x * (value_max - value_min). Both 0 when the values were not rescaled. */
  double value_min, value_max;
  /* What loading did that the user should hear of ("12 of 40 images resized to 32 x 32
   * (centre crop); 3 files not PNG or JPEG skipped"), or empty. */
  char note[256];
  /* The generating factors of synthetic data whose factors are known (shapes): factors is
   * (n, n_factors), described by factor_info (static, not owned); NULL and 0 otherwise. */
  int n_factors;
  const AeFactor *factor_info;
  float *factors;
  atomic_long refs; /* references: ae_dataset_ref adds one, ae_dataset_free drops one */
} AeDataset;

/* Allocates a dataset of n zeroed samples, with labels when n_classes > 0.
 * Checks n and the shape against the limits in ae-status.h before allocating. */
AeStatus ae_dataset_new (AeDataset **out, long n, int channels, int height, int width,
                         int n_classes, AeError *err);
/* Drops a reference; the last frees the dataset. */
void     ae_dataset_free (AeDataset *ds);
/* Another reference to ds, for a thread that reads its samples while their owner may move
 * on to other data: samples, labels and names do not change after loading (the order
 * does, under ae_dataset_keep_classes: such a reader keeps a copy of its indices). */
AeDataset *ae_dataset_ref (AeDataset *ds);

/* How image files become samples; zeros mean automatic. */
typedef struct {
  int channels;   /* 1 or 3; 0: colour when any image is, grey otherwise */
  int image_size; /* S: every image resized and centre-cropped to S x S (patches of one
                     image: S x S). 0: the files' size when they all share one, else the
                     median short side, at most 64 */
} AeImageOptions;

/* Loads a dataset by name or path:
 *   "digits"  the embedded 10,000 MNIST digits (first 8,000 train, last 2,000 test)
 *   "fashion" Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/)
 *   "sines", "ecg"  built-in synthetic time series (see ae-series.h)
 *   a path to an IDX file (.gz or raw; labels from a sibling labels file when present),
 *   a folder of PNG and JPEG files (sub-folders are classes), one PNG or JPEG image (cut
 *   into patches), or a CSV file.
 * The split is fixed by `seed` where the data has no split of its own. */
AeStatus ae_dataset_load (AeDataset **out, const char *spec, uint64_t seed, AeError *err);
/* The same, with the channels and size of image files chosen (NULL: automatic); for data
 * that is not image files, options other than automatic are refused. */
AeStatus ae_dataset_load_with (AeDataset **out, const char *spec, const AeImageOptions *images,
                               uint64_t seed, AeError *err);

/* The built-in datasets: a registry that the loader, the command line's help, the session
 * and the window's list all read. Titles and descriptions are English, marked for
 * translation (the window translates them). */
typedef struct {
  const char *name;        /* what ae_dataset_load takes: "digits" */
  const char *title;       /* in a sentence or a window's subtitle: "MNIST digits" */
  const char *choice;      /* in a list of datasets to choose from: "MNIST digits (embedded)" */
  const char *description; /* one sentence: what the samples are and where they come from */
  AeDataKind kind;
  AeStatus (*load) (AeDataset **out, uint64_t seed, AeError *err);
  int (*available) (void); /* NULL: always loads; else whether its files are installed */
  /* What it loads as, for a list that does not load it: samples and their shape. */
  long samples;
  int channels, height, width;
} AeBuiltinDataset;

/* Every built-in dataset, in the order lists show them, terminated by a NULL name. */
extern const AeBuiltinDataset ae_builtin_datasets[];
/* The built-in dataset called name, or NULL (a path). */
const AeBuiltinDataset *ae_builtin_dataset_find (const char *name);
/* 1 when it loads on this machine (Fashion-MNIST: its four files are installed). */
int ae_builtin_dataset_available (const AeBuiltinDataset *dataset);

/* The sample shape a dataset would have, from what its file's header declares, without
 * loading it: so that a model can refuse data of another shape before a large file is
 * decoded. AE_ERR_UNSUPPORTED when the shape is not known without loading (built-ins,
 * folders, CSV); another error (naming the file) when the header is bad. */
AeStatus ae_dataset_peek_shape (const char *spec, int *channels, int *height, int *width,
                                AeError *err);

/* Split helpers. Fixed: the last n_test samples are the test set and validation is carved
 * from the end of the rest. Random: a seeded permutation, then the same proportions. */
void ae_dataset_split_fixed (AeDataset *ds, long n_test, double val_fraction);
void ae_dataset_split_random (AeDataset *ds, uint64_t seed, double val_fraction,
                              double test_fraction);

/* Index ranges of the split, as pointers into ds->order. */
static inline const uint32_t *ae_dataset_train (const AeDataset *ds) { return ds->order; }
static inline const uint32_t *ae_dataset_val (const AeDataset *ds) { return ds->order + ds->n_train; }
static inline const uint32_t *ae_dataset_test (const AeDataset *ds)
{
  return ds->order + ds->n_train + ds->n_val;
}

static inline const float *ae_dataset_sample (const AeDataset *ds, long i)
{
  return ds->x + (size_t) i * (size_t) ds->dim;
}

/* Copies the samples idx[0..count) into dst (count, dim). */
void ae_dataset_gather (const AeDataset *ds, float *dst, const uint32_t *idx, long count);
/* The samples idx[0..count) as one (count, dim) array: a pointer into the dataset when they
 * are consecutive (the fixed splits), else a gathered copy left in *owned (free it). NULL
 * when out of memory. */
const float *ae_dataset_rows (const AeDataset *ds, const uint32_t *idx, long count, float **owned);

/* Class filtering, for anomaly detection: narrows training and validation to the samples
 * whose class is flagged in keep (n_classes flags; the dataset must be labelled), keeping
 * their order, and leaves the test split whole. order becomes [kept training][kept
 * validation][test][the others], so that the split pointers stay valid; callers that undo
 * it keep a copy of the order. Returns AE_ERR_NOMEM (the split unchanged) or AE_OK. */
AeStatus ae_dataset_keep_classes (AeDataset *ds, const uint8_t *keep, AeError *err);

/* A new dataset holding copies of the samples idx[0..count), with their labels; its split
 * is fixed with every sample in training (callers re-split as they need). */
AeStatus ae_dataset_subset (AeDataset **out, const AeDataset *ds, const uint32_t *idx,
                            long count, AeError *err);

/* Copies the factor rows of the samples idx[0..count) into dst (count, n_factors); the
 * dataset must have factors. */
void ae_dataset_gather_factors (const AeDataset *ds, float *dst, const uint32_t *idx, long count);
