/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-reflow.h: a container that puts its children side by side (each at its minimum width
 * and an equal share of the rest) when the width it is given holds all of their minimum
 * widths, and one below another when it does not: a view's side panels beside its plot on
 * a projector's whole width, under one another beside a normal window's sidebar. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LAB_TYPE_REFLOW (lab_reflow_get_type ())
G_DECLARE_FINAL_TYPE (LabReflow, lab_reflow, LAB, REFLOW, GtkWidget)

/* spacing: pixels between children, across and down */
GtkWidget *lab_reflow_new    (int        spacing);
void       lab_reflow_append (LabReflow *self,
                              GtkWidget *child);

G_END_DECLS
