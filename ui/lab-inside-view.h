/* lab-inside-view.h: the Inside view: first-layer weights as images, mean activations per hidden unit and the encoder's Jacobian norm. */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_INSIDE_VIEW (lab_inside_view_get_type ())

G_DECLARE_FINAL_TYPE (LabInsideView, lab_inside_view, LAB, INSIDE_VIEW, GtkWidget)

GtkWidget *lab_inside_view_new (void);
void       lab_inside_view_set_session (LabInsideView *self, LabSession *session);

G_END_DECLS
