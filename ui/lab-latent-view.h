/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-latent-view.h: the codes of a fixed test subset as a scatter, with decoding on click,
 * interpolation by drag and the PCA of the raw pixels beside it as the baseline. The plane is
 * t-SNE by default for codes of more than two values, PCA or two chosen dimensions on request,
 * made on a worker. */
#pragma once

#include <gtk/gtk.h>

#include "lab-draw-pad.h"
#include "lab-view.h"

G_BEGIN_DECLS

#define LAB_TYPE_LATENT_VIEW (lab_latent_view_get_type ())

G_DECLARE_FINAL_TYPE (LabLatentView, lab_latent_view, LAB, LATENT_VIEW, LabView)

LabSnapshot *lab_latent_view_get_snapshot (LabLatentView *self);
/* The code (latent floats) that the plane point (x, y), in plot coordinates, stands for. */
gboolean     lab_latent_view_code_at (LabLatentView *self, double x, double y, float *code);
/* What a click at plot coordinates (x, y) does: decode there on a worker and show it in the
 * panel when it is back; FALSE without a plane and weights to decode with. */
gboolean     lab_latent_view_decode_at (LabLatentView *self, double x, double y);
/* The image shown in the side panel (dim floats), or NULL before a click. */
const float *lab_latent_view_get_decoded (LabLatentView *self);
/* Leave-one-out 5-NN accuracy of the codes; NaN before the first codes. */
double       lab_latent_view_get_knn_accuracy (LabLatentView *self);
GtkWidget   *lab_latent_view_get_scatter (LabLatentView *self);
/* Draw to encode: takes pixels as the drawing, grey (height * width) or, for colour data,
 * three planes, and encodes it on a worker; FALSE before the first plane. */
gboolean     lab_latent_view_set_drawing (LabLatentView *self, const float *grey);
/* Where the drawing fell in the plane (x, y), once its encoding is back; FALSE before. */
gboolean     lab_latent_view_get_drawing_point (LabLatentView *self, double *x, double *y);
/* Whether the plane is up to date: no projection being made or waiting, no points gliding. */
gboolean     lab_latent_view_is_settled (LabLatentView *self);
/* Chooses the plane: 0 PCA, 1 two dimensions, 2 t-SNE (the projection menu's entries). */
void         lab_latent_view_set_projection (LabLatentView *self, guint method);
/* The projection as session files keep it: the menu entry, then the x and y dimensions. */
void         lab_latent_view_get_projection_choice (LabLatentView *self, long choice[3]);
void         lab_latent_view_set_projection_choice (LabLatentView *self, const long choice[3]);
/* Trustworthiness (k = 5) of the plane shown; NaN before the first plane. */
double       lab_latent_view_get_trustworthiness (LabLatentView *self);
/* The toggle for the VAE's sigma ellipses (sensitive only for a VAE) */
GtkWidget   *lab_latent_view_get_sigma_toggle (LabLatentView *self);
/* Sends the sample whose point was clicked last to the Generate view as the start (or, with
 * second, the end) of its interpolation, through the window's win.use-sample action.
 * FALSE when the last click was on no sample. */
gboolean     lab_latent_view_send_picked (LabLatentView *self, gboolean second);

/* Draw to encode: the square drawn in (and the drawing's reconstruction beside it). */
LabDrawPad  *lab_latent_view_get_draw_pad (LabLatentView *self);

G_END_DECLS
