/* lab-pca-view.h: the versus PCA view: reconstruction error against code size for the autoencoder and PCA, and the principal angles between their subspaces. */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_PCA_VIEW (lab_pca_view_get_type ())

G_DECLARE_FINAL_TYPE (LabPcaView, lab_pca_view, LAB, PCA_VIEW, GtkWidget)

GtkWidget *lab_pca_view_new (void);
void       lab_pca_view_set_session (LabPcaView *self, LabSession *session);

G_END_DECLS
