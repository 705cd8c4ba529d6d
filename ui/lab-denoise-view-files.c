/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-denoise-view-files.c: the Denoise view's files: a PNG or JPEG photo opened as the clean
 * image, the model's result saved, and the photo denoiser trained on random patches of the
 * opened photo or of a folder of them (asked first when that replaces a trained model). */
#include <glib/gi18n.h>

#include "lab-confirm.h"
#include "lab-denoise-view-private.h"
#include "lab-file-chooser.h"

#define LAB_TRAINING_PATCHES 6000

/* The decoded picture becomes the clean image (pixels taken), or NULL the test samples. */
static void
show_image (LabDenoiseView *self, const char *path, float *pixels, int w, int h, int channels)
{
  g_clear_pointer (&self->image, g_free);
  g_clear_pointer (&self->image_name, g_free);
  g_clear_pointer (&self->image_path, g_free);
  if (path != NULL)
    {
      self->image = pixels;
      self->image_channels = channels;
      self->image_name = g_path_get_basename (path);
      self->image_path = g_strdup (path);
      self->image_width = w;
      self->image_height = h;
    }
  gtk_widget_set_sensitive (self->sample_box, path == NULL);
  gtk_widget_set_sensitive (self->train_button, path != NULL);
  _lab_denoise_view_reload (self);
}

gboolean
lab_denoise_view_open_image (LabDenoiseView *self, const char *path, GError **error)
{
  float *pixels = NULL;
  int w = 0, h = 0, channels = 1;

  g_return_val_if_fail (LAB_IS_DENOISE_VIEW (self), FALSE);

  if (path != NULL && !lab_denoise_image_read (path, &pixels, &w, &h, &channels, error))
    return FALSE;
  self->open_serial++;  /* a picture still being decoded comes too late */
  show_image (self, path, pixels, w, h, channels);
  return TRUE;
}

/* A photo of many megapixels takes seconds to decode: that happens on a worker. */
typedef struct {
  char *path;
  guint serial;
  float *pixels;
  int w, h, channels;
} LabImageOpening;

static void
image_opening_free (gpointer data)
{
  LabImageOpening *opening = data;

  g_free (opening->path);
  g_free (opening->pixels);
  g_free (opening);
}

static void
decode_image_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LabImageOpening *opening = task_data;
  GError *error = NULL;

  if (lab_denoise_image_read (opening->path, &opening->pixels, &opening->w, &opening->h,
                              &opening->channels, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lab_denoise_view_open_image_async (LabDenoiseView *self, const char *path,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *base = NULL;
  g_autofree char *text = NULL;
  LabImageOpening *opening;

  g_return_if_fail (LAB_IS_DENOISE_VIEW (self));
  g_return_if_fail (path != NULL);

  opening = g_new0 (LabImageOpening, 1);
  opening->path = g_strdup (path);
  opening->serial = ++self->open_serial;
  opening->channels = 1;
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, lab_denoise_view_open_image_async);
  g_task_set_task_data (task, opening, image_opening_free);
  base = g_path_get_basename (path);
  text = g_strdup_printf (_("Opening %s…"), base);
  _lab_denoise_view_show_message (self, text, FALSE);
  g_task_run_in_thread (task, decode_image_thread);
}

gboolean
lab_denoise_view_open_image_finish (LabDenoiseView *self, GAsyncResult *result, GError **error)
{
  LabImageOpening *opening;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  opening = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    {
      if (opening->serial == self->open_serial)
        _lab_denoise_view_show_message (self, "", FALSE);
      return FALSE;
    }
  if (opening->serial != self->open_serial)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   _("%s: another picture was opened meanwhile"), opening->path);
      return FALSE;
    }
  show_image (self, opening->path, g_steal_pointer (&opening->pixels), opening->w, opening->h,
              opening->channels);
  {
    g_autofree char *text = g_strdup_printf (_("%s, %d × %d pixels. Back to the test samples "
                                               "with “Test samples”."), self->image_name,
                                             self->image_width, self->image_height);

    _lab_denoise_view_show_message (self, text, FALSE);
  }
  return TRUE;
}

/* The session's seed: the same seed cuts the same patches. */
static guint64
patches_seed (LabDenoiseView *self)
{
  g_autofree char *seed_text = lab_session_dup_option (lab_view_get_session (LAB_VIEW (self)),
                                                       "seed");

  return seed_text != NULL ? g_ascii_strtoull (seed_text, NULL, 10) : 1;
}

/* The patches are the session's data: train on them and say so. */
static void
patches_installed (LabDenoiseView *self, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *text = NULL;

  lab_session_run (lab_view_get_session (LAB_VIEW (self)));
  text = g_strdup_printf (_("Training the photo denoiser on %d random %d × %d patches of %s. "
                            "It denoises whole photos of any size; the panels and curves follow "
                            "as it learns, and the test samples are now patches too."),
                          LAB_TRAINING_PATCHES, LAB_PHOTO_PATCH_SIDE, LAB_PHOTO_PATCH_SIDE, base);
  _lab_denoise_view_show_message (self, text, FALSE);
}

/* The photo denoiser runs on images of any size, so the patches need only hold what its
 * layers see: LAB_PHOTO_PATCH_SIDE. */
gboolean
lab_denoise_view_train_on_patches (LabDenoiseView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LAB_IS_DENOISE_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (lab_view_get_session (LAB_VIEW (self)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("%s: no session to train"), path);
      return FALSE;
    }
  if (!lab_denoise_train_on_patches (lab_view_get_session (LAB_VIEW (self)), path, "photo-denoiser",
                                     0, LAB_PHOTO_PATCH_SIDE, LAB_TRAINING_PATCHES,
                                     patches_seed (self), error))
    return FALSE;
  patches_installed (self, path);
  return TRUE;
}

static void
say_could_not_train (LabDenoiseView *self, const char *path, const GError *error)
{
  g_autofree char *text = g_strdup_printf (_("Could not train on %s: %s"), path, error->message);

  _lab_denoise_view_show_message (self, text, TRUE);
}

typedef struct {
  LabDenoiseView *self;
  char *path;
} LabPatchesCutting;

static void
patches_cut (GObject *source, GAsyncResult *result, gpointer data)
{
  LabPatchesCutting *cutting = data;
  g_autoptr (GError) error = NULL;

  /* a view whose session changed meanwhile leaves the patches be */
  if (lab_view_get_session (LAB_VIEW (cutting->self)) == LAB_SESSION (source))
    {
      if (lab_denoise_train_on_patches_finish (LAB_SESSION (source), result, &error))
        patches_installed (cutting->self, cutting->path);
      else
        say_could_not_train (cutting->self, cutting->path, error);
    }
  g_object_unref (cutting->self);
  g_free (cutting->path);
  g_free (cutting);
}

static void
lab_denoise_view_train_or_say (gpointer owner, const char *path)
{
  LabDenoiseView *self = owner;
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  LabPatchesCutting *cutting;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *text = NULL;

  if (session == NULL)
    return;
  cutting = g_new (LabPatchesCutting, 1);
  cutting->self = g_object_ref (self);
  cutting->path = g_strdup (path);
  text = g_strdup_printf (_("Cutting %d patches of %s…"), LAB_TRAINING_PATCHES, base);
  _lab_denoise_view_show_message (self, text, FALSE);
  lab_denoise_train_on_patches_async (session, path, "photo-denoiser", 0, LAB_PHOTO_PATCH_SIDE,
                                      LAB_TRAINING_PATCHES, patches_seed (self), patches_cut,
                                      cutting);
}

/* Patches are new training data, so a new network: asked first when batches were trained. */
static void
lab_denoise_view_train_asking (LabDenoiseView *self, const char *path)
{
  if (lab_view_get_session (LAB_VIEW (self)) != NULL)
    lab_confirm_new_model_from (GTK_WIDGET (self), lab_view_get_session (LAB_VIEW (self)),
                                _("Training on these patches needs a new network."),
                                lab_denoise_view_train_or_say, path);
}

static void
on_train_clicked (LabDenoiseView *self)
{
  if (self->image_path != NULL)
    lab_denoise_view_train_asking (self, self->image_path);
}

static void
on_folder_chosen (gpointer self, GtkFileChooser *chooser, const char *path)
{
  lab_denoise_view_train_asking (self, path);
}

static void
on_train_folder_clicked (LabDenoiseView *self)
{
  lab_file_chooser_show (lab_file_chooser_new (GTK_WIDGET (self),
                                               _("Train a Denoiser on a Folder of Photos"),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Train"),
                                               on_folder_chosen));
}

gboolean
lab_denoise_view_save_result (LabDenoiseView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LAB_IS_DENOISE_VIEW (self), FALSE);

  if (self->panels == NULL || self->weights == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "%s: there is no denoised image yet (train the model first)", path);
      return FALSE;
    }
  return lab_denoise_png_write_planar (path, panel (self, LAB_DENOISE_PANEL_MODEL), self->width,
                                       self->height, self->channels, error);
}

void
_lab_denoise_view_show_message (LabDenoiseView *self, const char *text, gboolean is_error)
{
  gtk_label_set_label (self->message_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL && text[0] != '\0');
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static GtkFileFilter *
picture_filter (gboolean with_jpeg)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, with_jpeg ? _("PNG and JPEG images") : _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_suffix (filter, "png");
  if (with_jpeg)
    {
      gtk_file_filter_add_mime_type (filter, "image/jpeg");
      gtk_file_filter_add_suffix (filter, "jpg");
      gtk_file_filter_add_suffix (filter, "jpeg");
    }
  return filter;
}

static void
image_chosen_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  LabDenoiseView *self = LAB_DENOISE_VIEW (source);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = data;

  if (!lab_denoise_view_open_image_finish (self, result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not open %s: %s"), path, error->message);
      _lab_denoise_view_show_message (self, text, TRUE);
    }
}

static void
on_image_chosen (gpointer owner, GtkFileChooser *chooser, const char *path)
{
  lab_denoise_view_open_image_async (owner, path, image_chosen_opened, g_strdup (path));
}

static void
on_open_clicked (LabDenoiseView *self)
{
  GtkFileChooser *chooser = lab_file_chooser_new (GTK_WIDGET (self), _("Open an Image to Denoise"),
                                                  GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                                  on_image_chosen);
  g_autoptr (GtkFileFilter) filter = picture_filter (TRUE);

  gtk_file_chooser_add_filter (chooser, filter);
  lab_file_chooser_show (chooser);
}

static void
on_samples_clicked (LabDenoiseView *self)
{
  lab_denoise_view_open_image (self, NULL, NULL);
  _lab_denoise_view_show_message (self, "", FALSE);
}

static void
on_save_chosen (gpointer owner, GtkFileChooser *chooser, const char *path)
{
  LabDenoiseView *self = owner;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (lab_denoise_view_save_result (self, path, &error))
    text = g_strdup_printf (_("Saved the denoised image as %s."), path);
  else
    text = g_strdup_printf (_("Could not save %s: %s"), path, error->message);
  _lab_denoise_view_show_message (self, text, error != NULL);
}

static void
on_save_clicked (LabDenoiseView *self)
{
  GtkFileChooser *chooser = lab_file_chooser_new (GTK_WIDGET (self), _("Save the Denoised Image"),
                                                  GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                                  on_save_chosen);
  g_autofree char *name = g_strdup_printf ("%s-denoised.png",
                                           self->image_name != NULL ? self->image_name : "sample");
  g_autoptr (GtkFileFilter) filter = picture_filter (FALSE);

  gtk_file_chooser_set_current_name (chooser, name);
  gtk_file_chooser_add_filter (chooser, filter);
  lab_file_chooser_show (chooser);
}

void
_lab_denoise_view_bind_file_callbacks (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_samples_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_train_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_train_folder_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
}
