/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-samples.h: a split of the session's dataset, borrowed by reference for a worker.
 *
 * A view's computation reads samples on a worker (LabBackgroundSlot) while the session may
 * load other data meanwhile: LabSamples holds a reference to the dataset in force and a
 * copy of the split's indices (which a class filter may reorder), so that nothing of the
 * dataset is copied on the main thread and nothing read on the worker goes away under it.
 * Readable from any thread; freed by whoever holds it last.
 */
#pragma once

#include "lab-session.h"

G_BEGIN_DECLS

typedef struct _LabSamples LabSamples;

/* The split of the dataset in force; NULL before the first load. */
LabSamples   *lab_samples_new (LabSession *session, LabSplit split);
void          lab_samples_free (LabSamples *samples);
long          lab_samples_get_count (const LabSamples *samples);
/* Values per sample, and the steps of a sequence (its height; 0 for images). */
int           lab_samples_get_dim (const LabSamples *samples);
int           lab_samples_get_steps (const LabSamples *samples);
/* Sample index of the split (dim values), NULL past its end; label -1 when unlabelled. */
const float  *lab_samples_get (const LabSamples *samples, long index, int *label);
/* Sample `row` of the whole dataset (a snapshot's code_indices), NULL past its end. */
const float  *lab_samples_get_row (const LabSamples *samples, long row, int *label);
/* The labelled anomalous steps of sample index (steps flags), or NULL for data without. */
const guint8 *lab_samples_get_step_anomaly (const LabSamples *samples, long index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabSamples, lab_samples_free)

G_END_DECLS
