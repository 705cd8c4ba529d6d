/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-file-chooser.h: the one way the window and its views ask for a file or a folder.
 *
 * A GtkFileChooserNative, modal on the owner's window, that calls func with the chosen
 * local path when the user accepts; the owner is kept alive until the dialog answers.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*LabChosenFunc) (gpointer owner, GtkFileChooser *chooser, const char *path);

/* Add filters or a current name to the result, then lab_file_chooser_show() it. */
GtkFileChooser *lab_file_chooser_new   (GtkWidget *owner, const char *title,
                                        GtkFileChooserAction action, const char *accept,
                                        LabChosenFunc func);
void            lab_file_chooser_show  (GtkFileChooser *chooser);
/* A filter named name of the glob patterns (NULL-terminated); the caller owns it. */
GtkFileFilter  *lab_file_filter_new    (const char *name, const char *const *patterns);

G_END_DECLS
