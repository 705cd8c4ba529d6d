/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ae-dataset.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ae-rng.h"

AeStatus
ae_dataset_new (AeDataset **out, long n, int channels, int height, int width, int n_classes,
                AeError *err)
{
  *out = NULL;
  if (n <= 0 || n > AE_MAX_SAMPLES)
    return ae_error_set (err, AE_ERR_LIMIT, "%ld samples: expected 1 to %ld", n, AE_MAX_SAMPLES);
  if (channels <= 0 || height <= 0 || width <= 0)
    return ae_error_set (err, AE_ERR_INVALID, "sample shape %d x %d x %d: every side must be positive",
                         channels, height, width);
  long dim = (long) channels * height * width;
  if (dim > AE_MAX_FEATURES)
    return ae_error_set (err, AE_ERR_LIMIT, "%ld values per sample: at most %ld are accepted", dim,
                         AE_MAX_FEATURES);
  if (dim * n > AE_MAX_DATASET_FLOATS)
    return ae_error_set (err, AE_ERR_LIMIT, "%ld samples of %ld values: more than %ld values in all",
                         n, dim, AE_MAX_DATASET_FLOATS);
  if (n_classes < 0 || n_classes > 65536)
    return ae_error_set (err, AE_ERR_LIMIT, "%d classes: expected 0 to 65536", n_classes);

  AeDataset *ds = calloc (1, sizeof *ds);
  if (ds == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for a dataset");
  ds->kind = AE_DATA_IMAGES;
  ds->n = n;
  ds->channels = channels;
  ds->height = height;
  ds->width = width;
  ds->dim = (int) dim;
  atomic_init (&ds->refs, 1);
  ds->x = calloc ((size_t) (n * dim), sizeof (float));
  ds->order = malloc ((size_t) n * sizeof (uint32_t));
  if (n_classes > 0)
    {
      ds->n_classes = n_classes;
      ds->labels = calloc ((size_t) n, sizeof (int));
      ds->class_names = calloc ((size_t) n_classes, sizeof *ds->class_names);
    }
  if (ds->x == NULL || ds->order == NULL || (n_classes > 0 && (ds->labels == NULL || ds->class_names == NULL)))
    {
      ae_dataset_free (ds);
      return ae_error_set (err, AE_ERR_NOMEM, "out of memory for %ld samples of %ld values", n, dim);
    }
  for (int c = 0; c < n_classes; c++)
    snprintf (ds->class_names[c], AE_CLASS_NAME_MAX, "%d", c);
  ae_dataset_split_fixed (ds, 0, 0.0);
  *out = ds;
  return AE_OK;
}

AeDataset *
ae_dataset_ref (AeDataset *ds)
{
  atomic_fetch_add_explicit (&ds->refs, 1, memory_order_relaxed);
  return ds;
}

void
ae_dataset_free (AeDataset *ds)
{
  if (ds == NULL || atomic_fetch_sub_explicit (&ds->refs, 1, memory_order_acq_rel) > 1)
    return;
  free (ds->x);
  free (ds->labels);
  free (ds->class_names);
  free (ds->step_anomaly);
  free (ds->factors);
  free (ds->order);
  free (ds);
}

static void
split_sizes (AeDataset *ds, long n_test, double val_fraction)
{
  if (n_test < 0)
    n_test = 0;
  if (n_test > ds->n - 1)
    n_test = ds->n > 1 ? ds->n - 1 : 0;
  long rest = ds->n - n_test;
  long n_val = (long) (rest * val_fraction + 0.5);
  if (n_val >= rest)
    n_val = rest - 1;
  if (n_val < 0)
    n_val = 0;
  ds->n_test = n_test;
  ds->n_val = n_val;
  ds->n_train = rest - n_val;
}

void
ae_dataset_split_fixed (AeDataset *ds, long n_test, double val_fraction)
{
  for (long i = 0; i < ds->n; i++)
    ds->order[i] = (uint32_t) i;
  split_sizes (ds, n_test, val_fraction);
}

void
ae_dataset_split_random (AeDataset *ds, uint64_t seed, double val_fraction, double test_fraction)
{
  AeRng rng;
  ae_rng_seed (&rng, seed ^ 0x5eed5b1177ULL);
  for (long i = 0; i < ds->n; i++)
    ds->order[i] = (uint32_t) i;
  ae_rng_shuffle (&rng, ds->order, (uint32_t) ds->n);
  split_sizes (ds, (long) (ds->n * test_fraction + 0.5), val_fraction);
}

void
ae_dataset_gather (const AeDataset *ds, float *dst, const uint32_t *idx, long count)
{
  size_t row = (size_t) ds->dim * sizeof (float);
  for (long i = 0; i < count; i++)
    memcpy (dst + (size_t) i * ds->dim, ae_dataset_sample (ds, idx[i]), row);
}

void
ae_dataset_gather_factors (const AeDataset *ds, float *dst, const uint32_t *idx, long count)
{
  size_t row = (size_t) ds->n_factors;
  for (long i = 0; i < count; i++)
    memcpy (dst + (size_t) i * row, ds->factors + (size_t) idx[i] * row, row * sizeof (float));
}

const float *
ae_dataset_rows (const AeDataset *ds, const uint32_t *idx, long count, float **owned)
{
  *owned = NULL;
  long i = 1;
  while (i < count && idx[i] == idx[0] + (uint32_t) i)
    i++;
  if (count > 0 && i == count)
    return ae_dataset_sample (ds, idx[0]);
  *owned = malloc ((size_t) (count > 0 ? count : 1) * (size_t) ds->dim * sizeof (float));
  if (*owned != NULL)
    ae_dataset_gather (ds, *owned, idx, count);
  return *owned;
}

AeStatus
ae_dataset_subset (AeDataset **out, const AeDataset *ds, const uint32_t *idx, long count,
                   AeError *err)
{
  AeStatus st = ae_dataset_new (out, count, ds->channels, ds->height, ds->width, ds->n_classes, err);
  if (st != AE_OK)
    return st;
  AeDataset *sub = *out;
  sub->kind = ds->kind;
  memcpy (sub->name, ds->name, sizeof sub->name);
  memcpy (sub->source, ds->source, sizeof sub->source);
  ae_dataset_gather (ds, sub->x, idx, count);
  if (ds->labels != NULL)
    {
      for (long i = 0; i < count; i++)
        sub->labels[i] = ds->labels[idx[i]];
      memcpy (sub->class_names, ds->class_names, (size_t) ds->n_classes * sizeof *ds->class_names);
    }
  if (ds->step_anomaly != NULL)
    {
      sub->step_anomaly = malloc ((size_t) count * (size_t) ds->height);
      if (sub->step_anomaly == NULL)
        {
          ae_dataset_free (sub);
          *out = NULL;
          return ae_error_set (err, AE_ERR_NOMEM, "out of memory for a subset of %ld samples", count);
        }
      for (long i = 0; i < count; i++)
        memcpy (sub->step_anomaly + (size_t) i * ds->height,
                ds->step_anomaly + (size_t) idx[i] * ds->height, (size_t) ds->height);
    }
  if (ds->factors != NULL)
    {
      size_t row = (size_t) ds->n_factors;
      sub->factors = malloc ((size_t) count * row * sizeof (float));
      if (sub->factors == NULL)
        {
          ae_dataset_free (sub);
          *out = NULL;
          return ae_error_set (err, AE_ERR_NOMEM, "out of memory for a subset of %ld samples", count);
        }
      ae_dataset_gather_factors (ds, sub->factors, idx, count);
      sub->n_factors = ds->n_factors;
      sub->factor_info = ds->factor_info;
    }
  return AE_OK;
}

AeStatus
ae_dataset_keep_classes (AeDataset *ds, const uint8_t *keep, AeError *err)
{
  const long n_split = ds->n_train + ds->n_val;
  long n_train = 0, n_val = 0, n_other = 0;
  uint32_t *other = malloc ((size_t) (n_split > 0 ? n_split : 1) * sizeof *other);

  if (other == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for the split of %s", ds->name);
  /* stable, in place: a kept index never moves past the one being read */
  for (long i = 0; i < n_split; i++)
    {
      uint32_t s = ds->order[i];

      if (!keep[ds->labels[s]])
        other[n_other++] = s;
      else if (i < ds->n_train)
        ds->order[n_train++] = s;
      else
        ds->order[n_train + n_val++] = s;
    }
  memmove (ds->order + n_train + n_val, ds->order + n_split, (size_t) ds->n_test * sizeof *ds->order);
  memcpy (ds->order + n_train + n_val + ds->n_test, other, (size_t) n_other * sizeof *other);
  ds->n_train = n_train;
  ds->n_val = n_val;
  free (other);
  return AE_OK;
}
