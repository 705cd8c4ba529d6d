/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-samples.c: a split borrowed by reference (see lab-samples.h). */
#include "lab-samples.h"

#include "lab-session-private.h"

struct _LabSamples {
  AeDataset *dataset; /* a reference */
  uint32_t *split;    /* (count) dataset rows */
  long count;
};

LabSamples *
lab_samples_new (LabSession *session, LabSplit split)
{
  LabSamples *samples;
  AeDataset *dataset;

  g_return_val_if_fail (LAB_IS_SESSION (session), NULL);

  dataset = _lab_session_ref_dataset (session);
  if (dataset == NULL)
    return NULL;
  samples = g_new0 (LabSamples, 1);
  samples->dataset = dataset;
  samples->split = _lab_session_copy_split (session, split, &samples->count);
  return samples;
}

void
lab_samples_free (LabSamples *samples)
{
  if (samples == NULL)
    return;
  ae_dataset_free (samples->dataset);
  g_free (samples->split);
  g_free (samples);
}

long
lab_samples_get_count (const LabSamples *samples)
{
  return samples->count;
}

int
lab_samples_get_dim (const LabSamples *samples)
{
  return samples->dataset->dim;
}

int
lab_samples_get_steps (const LabSamples *samples)
{
  return samples->dataset->kind == AE_DATA_SEQUENCES ? samples->dataset->height : 0;
}

const float *
lab_samples_get_row (const LabSamples *samples, long row, int *label)
{
  const AeDataset *ds = samples->dataset;

  if (label != NULL)
    *label = -1;
  if (row < 0 || row >= ds->n)
    return NULL;
  if (label != NULL && ds->labels != NULL)
    *label = ds->labels[row];
  return ae_dataset_sample (ds, row);
}

const float *
lab_samples_get (const LabSamples *samples, long index, int *label)
{
  if (index < 0 || index >= samples->count)
    {
      if (label != NULL)
        *label = -1;
      return NULL;
    }
  return lab_samples_get_row (samples, samples->split[index], label);
}

const guint8 *
lab_samples_get_step_anomaly (const LabSamples *samples, long index)
{
  const AeDataset *ds = samples->dataset;

  if (ds->step_anomaly == NULL || index < 0 || index >= samples->count)
    return NULL;
  return ds->step_anomaly + (size_t) samples->split[index] * ds->height;
}
