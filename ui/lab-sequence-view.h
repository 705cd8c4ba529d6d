/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sequence-view.h: the Sequences view: test sequences with their reconstructions and
 * per-step errors (anomalous steps shaded on ecg), decodes of random codes, and an
 * interpolation slider between two test sequences. */
#pragma once

#include <gtk/gtk.h>

#include "lab-plot.h"
#include "lab-view.h"

G_BEGIN_DECLS

#define LAB_TYPE_SEQUENCE_VIEW (lab_sequence_view_get_type ())

G_DECLARE_FINAL_TYPE (LabSequenceView, lab_sequence_view, LAB, SEQUENCE_VIEW, LabView)

/* FALSE when the view shows its one-sentence notice instead (the data are not sequences). */
gboolean    lab_sequence_view_get_shows_sequences (LabSequenceView *self);
/* Shows the test sequences from index first on. */
void        lab_sequence_view_show_from (LabSequenceView *self, long first);
/* What chart i (0..2) draws: input, reconstruction, step_error and anomalous flags (the
 * last three NULL when there are none); test_index receives its test index or -1. */
const LabSequenceData *lab_sequence_view_get_shown (LabSequenceView *self, int i,
                                                    long *test_index);
/* The weights the view drew with, or NULL before the first. */
LabWeights *lab_sequence_view_get_weights (LabSequenceView *self);
/* The two test sequences interpolated between, and the slider's position in [0, 1]. */
void        lab_sequence_view_set_pair (LabSequenceView *self, long first, long second);
void        lab_sequence_view_set_mix (LabSequenceView *self, double t);
/* The decoded sequence at the slider (dim floats), or NULL before there are weights. */
const float *lab_sequence_view_get_mixed (LabSequenceView *self);
/* The generated sequences (*n of them, dim floats each) and their codes, or NULL. */
const float *lab_sequence_view_get_generated (LabSequenceView *self, const float **codes,
                                              int *n);
GtkWidget  *lab_sequence_view_get_chart (LabSequenceView *self, int i);

G_END_DECLS
