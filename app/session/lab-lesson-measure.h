/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-measure.h: the metrics that lesson checks compare, measured on a model and the
 * dataset it was trained on, through the engine's public API only.
 *
 * GLib-free: the command line checks lessons with it, and the window measures on a worker
 * thread with it. Each metric is computed when first asked for and then kept, on the first
 * LAB_MEASURE_MAX_TEST samples of the test split (all of them for the bundled datasets'
 * 2,000), with fixed seeds: the same weights give the same values.
 */
#pragma once

#include <stdint.h>

#include "ae-dataset.h"
#include "ae-model.h"

#define LAB_MEASURE_MAX_TEST 2000
/* PCA baselines are fitted on at most this many training samples (the first of the
 * training split): enough for a stable basis of a few dozen components, and quick on a
 * worker. No other metric reads the training split. */
#define LAB_MEASURE_MAX_TRAIN 5000

typedef struct {
  const char *name;
  const char *label; /* a short phrase for the lesson panel */
  const char *help;  /* one sentence for the README and tooltips */
} LabMetricInfo;

/* The metrics, NULL-terminated. */
extern const LabMetricInfo lab_metrics[];

/* Index into lab_metrics, or -1. */
int lab_metric_find (const char *name);

typedef struct LabMeasure LabMeasure;

/* model is taken (freed with the measure); data is borrowed and must outlive it, its split
 * as trained (training and validation hold only the normal classes when there are some).
 * normal (data->n_classes flags) marks the normal classes for the anomaly metrics, or is
 * NULL; it is copied. Returns NULL when out of memory. */
LabMeasure *lab_measure_new (AeModel *model, const AeDataset *data, const uint8_t *normal);
void        lab_measure_free (LabMeasure *m);

/* Values that only the training knows: "train_loss", "val_loss", "epochs". */
void   lab_measure_record (LabMeasure *m, const char *metric, double value);
/* Forgets the dataset (it may change or go): metrics measured so far keep their values,
 * any other is NaN from now on. */
void   lab_measure_detach (LabMeasure *m);
/* The metric's value; NaN when it does not apply (a KL for a plain model) or is unknown. */
double lab_measure_get (LabMeasure *m, const char *metric);
