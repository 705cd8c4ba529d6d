/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sidebar.h: dataset, preset, architecture and hyperparameters of the session. */
#pragma once

#include <gtk/gtk.h>

#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_SIDEBAR (lab_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (LabSidebar, lab_sidebar, LAB, SIDEBAR, GtkWidget)

LabSession *lab_sidebar_get_session (LabSidebar *self);
void        lab_sidebar_set_session (LabSidebar *self, LabSession *session);
/* Shows the session's settings again (after a change was refused elsewhere). */
void        lab_sidebar_refresh (LabSidebar *self);
/* A lesson step locks controls the student should leave alone: the dataset, the preset,
 * the options (architecture and hyperparameters). */
void        lab_sidebar_set_locked (LabSidebar *self, gboolean dataset, gboolean preset,
                                    gboolean options);
/* Display name of a preset ("vae" -> "Variational"). */
const char *lab_sidebar_preset_title (const char *preset);
/* The concept panel of a preset, translated and newly allocated: what the family does, its
 * loss terms and what to watch for in the views, the examples named as the dataset's
 * ("digits", "pieces of clothing"). FALSE for an unknown preset. */
gboolean    lab_sidebar_preset_concept (const char  *preset,
                                        const char  *dataset,
                                        char       **title,
                                        char       **what,
                                        char       **loss,
                                        char       **watch);

G_END_DECLS
