/* lab-sequence-view.h: the Sequence view: time series with their reconstructions and per-step errors, generated sequences and anomalous steps. */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_SEQUENCE_VIEW (lab_sequence_view_get_type ())

G_DECLARE_FINAL_TYPE (LabSequenceView, lab_sequence_view, LAB, SEQUENCE_VIEW, GtkWidget)

GtkWidget *lab_sequence_view_new (void);
void       lab_sequence_view_set_session (LabSequenceView *self, LabSession *session);

G_END_DECLS
