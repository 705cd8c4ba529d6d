/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-window-files.c: files given to the window, by `latentlab FILE` or dropped on it. */
#include <string.h>

#include <glib/gi18n.h>

#include "lab-confirm.h"
#include "lab-denoise-view.h"
#include "lab-session-file.h"
#include "lab-window-private.h"

/* PNG or JPEG, by their first bytes as the engine tells them (ae_image_read), whatever
 * the file's name. */
static gboolean
is_picture (const char *path)
{
  static const guchar png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guchar jpeg[] = { 0xff, 0xd8, 0xff };
  guchar head[sizeof png] = { 0 };
  FILE *file = fopen (path, "rb");
  size_t n;

  if (file == NULL)
    return FALSE;
  n = fread (head, 1, sizeof head, file);
  fclose (file);
  return (n >= sizeof png && memcmp (head, png, sizeof png) == 0)
         || (n >= sizeof jpeg && memcmp (head, jpeg, sizeof jpeg) == 0);
}

LabOpening *
_lab_opening_new (LabWindow *self, LabOpenKind kind, const char *path, gboolean run)
{
  LabOpening *opening = g_new (LabOpening, 1);

  opening->self = g_object_ref (self);
  opening->kind = kind;
  opening->path = g_strdup (path);
  opening->run = run;
  return opening;
}

void
_lab_opening_free (gpointer data)
{
  LabOpening *opening = data;

  g_object_unref (opening->self);
  g_free (opening->path);
  g_free (opening);
}

static void
opening_confirmed (gpointer owner, gpointer data, gboolean accepted)
{
  LabWindow *self = owner;
  LabOpening *opening = data;
  g_autoptr(GError) error = NULL;

  if (!accepted)
    {
      if (opening->kind == LAB_OPEN_DATASET)
        lab_sidebar_refresh (self->sidebar); /* back to the dataset in use */
      return;
    }
  switch (opening->kind)
    {
    case LAB_OPEN_DATASET:
      _lab_window_load (self, opening->path, NULL, opening->run);
      break;
    case LAB_OPEN_SESSION:
      lab_window_open_session (self, opening->path, opening->run, NULL, NULL);
      break;
    case LAB_OPEN_LESSON:
      if (!lab_window_open_lesson (self, opening->path, &error))
        _lab_window_show_error (self, _("The lesson could not be opened"), error->message);
      break;
    }
}

void
_lab_window_open_asking (LabWindow *self, LabOpenKind kind, const char *path, gboolean run)
{
  static const char *const why[] = {
    [LAB_OPEN_DATASET] = N_("Another dataset needs a new network."),
    [LAB_OPEN_SESSION] = N_("The opened session brings its own model."),
    [LAB_OPEN_LESSON] = N_("The lesson starts a network of its own."),
  };

  lab_confirm_new_model (GTK_WIDGET (self), self->session, _(why[kind]), opening_confirmed,
                         _lab_opening_new (self, kind, path, run), _lab_opening_free);
}

static void
picture_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LabWindow) self = data;
  g_autoptr(GError) error = NULL;

  if (!lab_denoise_view_open_image_finish (LAB_DENOISE_VIEW (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    _lab_window_show_error (self, _("The picture could not be opened"), error->message);
}

void
lab_window_open_file (LabWindow *self, GFile *file, gboolean run)
{
  g_autofree char *path = NULL;

  g_return_if_fail (LAB_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *text = g_strdup_printf (_("%s: only files on this computer can be opened"), uri);

      _lab_window_show_error (self, _("The file could not be opened"), text);
      return;
    }

  /* a session, a lesson or a dataset takes the place of the trained network: asked */
  if (g_str_has_suffix (path, LAB_SESSION_FILE_SUFFIX))
    _lab_window_open_asking (self, LAB_OPEN_SESSION, path, run);
  else if (g_str_has_suffix (path, ".lesson"))
    _lab_window_open_asking (self, LAB_OPEN_LESSON, path, FALSE);
  else if (!g_file_test (path, G_FILE_TEST_IS_DIR) && is_picture (path))
    {
      GtkWidget *denoise = gtk_stack_get_child_by_name (self->stack, "denoise");

      lab_window_set_view (self, "denoise");
      lab_denoise_view_open_image_async (LAB_DENOISE_VIEW (denoise), path, picture_opened,
                                         g_object_ref (self));
    }
  else
    /* a folder of images or a dataset file (IDX, CSV, .npy): the load names the file and
     * the problem when it cannot read it */
    _lab_window_open_asking (self, LAB_OPEN_DATASET, path, run);
}

typedef struct {
  LabWindow *self;
  GPtrArray *files; /* of GFile */
} LabDroppedFiles;

static gboolean
open_dropped (gpointer data)
{
  LabDroppedFiles *dropped = data;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (dropped->self));

  lab_window_open_file (dropped->self, g_ptr_array_index (dropped->files, 0), FALSE);
  /* one window holds one run: the other files get windows of their own, as with
   * `latentlab FILE...` */
  if (app != NULL && dropped->files->len > 1)
    g_application_open (G_APPLICATION (app), (GFile **) dropped->files->pdata + 1,
                        (int) dropped->files->len - 1, "");
  g_object_unref (dropped->self);
  g_ptr_array_unref (dropped->files);
  g_free (dropped);
  return G_SOURCE_REMOVE;
}

static gboolean
lab_window_on_drop (GtkDropTarget *target, const GValue *value, double x, double y,
                    LabWindow *self)
{
  GSList *files = g_value_get_boxed (value);
  LabDroppedFiles *dropped;

  if (files == NULL)
    return FALSE;
  /* after the drop has finished: a session blocks while its dataset loads, and the file
   * manager should not wait for that */
  dropped = g_new (LabDroppedFiles, 1);
  dropped->self = g_object_ref (self);
  dropped->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (GSList *l = files; l != NULL; l = l->next)
    g_ptr_array_add (dropped->files, g_object_ref (l->data));
  g_idle_add (open_dropped, dropped);
  return TRUE;
}

void
_lab_window_init_drop (LabWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (target, "drop", G_CALLBACK (lab_window_on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}
