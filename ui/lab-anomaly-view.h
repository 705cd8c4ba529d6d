/* lab-anomaly-view.h: the Anomaly view: reconstruction errors of normal and held-out classes, with a threshold, the ROC curve and the worst reconstructions. */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_ANOMALY_VIEW (lab_anomaly_view_get_type ())

G_DECLARE_FINAL_TYPE (LabAnomalyView, lab_anomaly_view, LAB, ANOMALY_VIEW, GtkWidget)

GtkWidget *lab_anomaly_view_new (void);
void       lab_anomaly_view_set_session (LabAnomalyView *self, LabSession *session);

G_END_DECLS
