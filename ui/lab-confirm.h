/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-confirm.h: the one way the window and its views ask before trained work is lost.
 *
 * A new network (another preset, code size, dataset, or training data) throws the
 * trained one away: when the session has trained at least one batch, an AdwMessageDialog
 * asks first, and Escape or closing it keeps the model.
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

/* accepted: TRUE when the new model may be started (at once when nothing was trained). */
typedef void (*LabConfirmedFunc) (gpointer owner, gpointer data, gboolean accepted);

/* Calls done (owner, data, accepted) once, now or when the dialog is answered, then frees
 * data with destroy (may be NULL); owner is kept alive until then. why is one sentence
 * saying what needs the new network ("Another dataset needs a new network."). */
void lab_confirm_new_model (GtkWidget *owner, LabSession *session, const char *why,
                            LabConfirmedFunc done, gpointer data, GDestroyNotify destroy);

/* The same for a new model made from a file or folder: calls then (owner, path) only when
 * the new model may be started. */
typedef void (*LabConfirmedPathFunc) (gpointer owner, const char *path);
void lab_confirm_new_model_from (GtkWidget *owner, LabSession *session, const char *why,
                                 LabConfirmedPathFunc then, const char *path);

G_END_DECLS
