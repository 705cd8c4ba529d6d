/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-confirm.c: "Start a new model?" before trained batches are thrown away. */
#include "lab-confirm.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

typedef struct {
  GtkWidget *owner;
  LabConfirmedFunc done;
  gpointer data;
  GDestroyNotify destroy;
} LabConfirm;

static void
lab_confirm_finish (LabConfirm *confirm, gboolean accepted)
{
  confirm->done (confirm->owner, confirm->data, accepted);
  if (confirm->destroy != NULL)
    confirm->destroy (confirm->data);
  g_object_unref (confirm->owner);
  g_free (confirm);
}

static void
on_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  lab_confirm_finish (user_data, g_str_equal (response, "new-model"));
}

void
lab_confirm_new_model (GtkWidget *owner, LabSession *session, const char *why,
                       LabConfirmedFunc done, gpointer data, GDestroyNotify destroy)
{
  LabSnapshot *snapshot;
  LabConfirm *confirm;
  GtkRoot *root;
  GtkWidget *dialog;

  g_return_if_fail (GTK_IS_WIDGET (owner));
  g_return_if_fail (LAB_IS_SESSION (session));
  g_return_if_fail (done != NULL);

  confirm = g_new0 (LabConfirm, 1);
  confirm->owner = g_object_ref (owner);
  confirm->done = done;
  confirm->data = data;
  confirm->destroy = destroy;

  /* nothing trained yet: nothing to lose by rebuilding */
  snapshot = lab_session_get_snapshot (session);
  if (snapshot == NULL || snapshot->steps == 0)
    {
      lab_confirm_finish (confirm, TRUE);
      return;
    }

  root = gtk_widget_get_root (owner);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Start a new model?"), NULL);
  /* TRANSLATORS: the first %s is a sentence such as "This change needs a new network." */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s The %ld batches trained so far will be lost."), why,
                                  snapshot->steps);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "new-model", _("_Start New Model"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "new-model",
                                              ADW_RESPONSE_DESTRUCTIVE);
  /* Escape and closing the dialog keep the model */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), confirm);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  LabConfirmedPathFunc then;
  char path[];
} LabConfirmPath;

static void
path_confirmed (gpointer owner, gpointer data, gboolean accepted)
{
  LabConfirmPath *from = data;

  if (accepted)
    from->then (owner, from->path);
}

void
lab_confirm_new_model_from (GtkWidget *owner, LabSession *session, const char *why,
                            LabConfirmedPathFunc then, const char *path)
{
  LabConfirmPath *from;

  g_return_if_fail (then != NULL && path != NULL);
  from = g_malloc (sizeof *from + strlen (path) + 1);
  from->then = then;
  strcpy (from->path, path);
  lab_confirm_new_model (owner, session, why, path_confirmed, from, g_free);
}
