/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-file-chooser.c: file and folder choosers for the window and the views. */
#include "lab-file-chooser.h"

#include <glib/gi18n.h>

static void
on_response (GtkNativeDialog *native, int response, gpointer owner)
{
  LabChosenFunc func = (LabChosenFunc) g_object_get_data (G_OBJECT (native), "lab-chosen-func");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        func (owner, GTK_FILE_CHOOSER (native), path);
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
  g_object_unref (owner);
}

GtkFileChooser *
lab_file_chooser_new (GtkWidget *owner, const char *title, GtkFileChooserAction action,
                      const char *accept, LabChosenFunc func)
{
  GtkNative *native = gtk_widget_get_native (owner);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (title, GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                 action, accept, _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "lab-chosen-func", (gpointer) func);
  g_signal_connect (chooser, "response", G_CALLBACK (on_response), g_object_ref (owner));
  return GTK_FILE_CHOOSER (chooser);
}

void
lab_file_chooser_show (GtkFileChooser *chooser)
{
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

GtkFileFilter *
lab_file_filter_new (const char *name, const char *const *patterns)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  return filter;
}
