/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-window-lesson.c: the window's lessons: Open Lesson, the lesson panel beside the
 * views, Close Lesson, Export Handout, and a lesson restored from a session file. */
#include <adwaita.h>
#include <glib/gi18n.h>

#include "lab-file-chooser.h"
#include "lab-lesson-handout.h"
#include "lab-lesson-panel.h"
#include "lab-window-private.h"

void
_lab_window_limit_views (LabWindow *self, const char *const *views)
{
  g_autoptr(GtkSelectionModel) pages = gtk_stack_get_pages (self->stack);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (pages)); i++)
    {
      GtkStackPage *page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      gtk_stack_page_set_visible (page, views == NULL
                                          || g_strv_contains (views, gtk_stack_page_get_name (page)));
      g_object_unref (page);
    }
}

static void
remove_panel (LabWindow *self)
{
  if (self->lesson_panel == NULL)
    return;
  gtk_box_remove (GTK_BOX (gtk_widget_get_parent (self->lesson_panel)), self->lesson_panel);
  self->lesson_panel = NULL;
}

static void
hide_sidebar (LabWindow *self)
{
  if (self->lesson_panel == NULL || self->presenting)
    return;
  adw_flap_set_reveal_flap (self->flap, FALSE);
}

static void
on_presentation (LabWindow *self, GParamSpec *pspec, gpointer unused)
{
  hide_sidebar (self);
}

/* The panel takes the sidebar's place (F9 brings the sidebar back), so that the views keep
 * their width at 1280 x 720; leaving presentation mode puts the sidebar back, so it is
 * hidden again then. */
static void
show_lesson (LabWindow *self, LabLessonState *state, gboolean restored)
{
  g_signal_handlers_disconnect_by_func (self, on_presentation, NULL);
  g_signal_connect (self, "notify::presentation", G_CALLBACK (on_presentation), NULL);

  remove_panel (self);
  self->lesson_panel = lab_lesson_panel_new (self, state, restored);
  gtk_widget_set_size_request (self->lesson_panel, 320, -1);
  gtk_widget_add_css_class (self->lesson_panel, "lesson-panel");
  gtk_box_append (GTK_BOX (self->lesson_box), self->lesson_panel);
  hide_sidebar (self);
  _lab_window_update_actions (self);
}

gboolean
lab_window_open_lesson (LabWindow *self, const char *file_or_name, GError **error)
{
  g_autoptr(LabLessonState) state = NULL;

  g_return_val_if_fail (LAB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (file_or_name != NULL, FALSE);

  if ((state = lab_lesson_state_open (file_or_name, error)) == NULL)
    return FALSE;
  show_lesson (self, state, FALSE);
  return TRUE;
}

LabLessonState *
lab_window_get_lesson (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return self->lesson_panel != NULL
           ? lab_lesson_panel_get_state (LAB_LESSON_PANEL (self->lesson_panel)) : NULL;
}

void
_lab_window_restore_lesson (LabWindow *self)
{
  const char *text = lab_session_get_lesson (self->session);
  g_autoptr(LabLessonState) state = NULL;
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return;
  if ((state = lab_lesson_state_from_text (text, &error)) == NULL)
    {
      _lab_window_show_error (self, _("The session's lesson could not be opened"), error->message);
      return;
    }
  show_lesson (self, state, TRUE);
}

static void
lesson_file_chosen (gpointer owner, GtkFileChooser *chooser, const char *path)
{
  _lab_window_open_asking (LAB_WINDOW (owner), LAB_OPEN_LESSON, path, FALSE);
}

static void
choose_lesson_file (LabWindow *self)
{
  static const char *const patterns[] = { "*.lesson", NULL };
  GtkFileChooser *chooser = lab_file_chooser_new (GTK_WIDGET (self), _("Open Lesson"),
                                                  GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                                  lesson_file_chosen);
  g_autoptr(GtkFileFilter) lessons = lab_file_filter_new (_("Latent Lab lessons"), patterns);

  gtk_file_chooser_add_filter (chooser, lessons);
  lab_file_chooser_show (chooser);
}

static void
lesson_row_activated (GtkListBox *list, GtkListBoxRow *row, AdwMessageDialog *dialog)
{
  LabWindow *self = LAB_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  const char *name = g_object_get_data (G_OBJECT (row), "lesson");

  gtk_window_close (GTK_WINDOW (dialog));
  _lab_window_open_asking (self, LAB_OPEN_LESSON, name, FALSE);
}

static void
lesson_dialog_response (AdwMessageDialog *dialog, const char *response, LabWindow *self)
{
  if (g_strcmp0 (response, "file") == 0)
    choose_lesson_file (self);
}

/* The bundled lessons to choose from, and a file of one's own. */
static void
lab_window_open_lesson_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Open Lesson"),
                                              _("A lesson leads through one idea step by step "
                                                "and checks what it claims on your model."));
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < lab_lesson_state_bundled_count (); i++)
    {
      g_autofree char *title = lab_lesson_state_dup_bundled_title (i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), lab_lesson_state_bundled_name (i));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "lesson", g_strdup (lab_lesson_state_bundled_name (i)), g_free);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  g_signal_connect (list, "row-activated", G_CALLBACK (lesson_row_activated), dialog);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "file", _("Open _File…"), NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (lesson_dialog_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lab_window_close_lesson (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);

  if (self->lesson_panel == NULL)
    return;
  remove_panel (self);
  g_signal_handlers_disconnect_by_func (self, on_presentation, NULL);
  lab_session_set_lesson (self->session, NULL);
  lab_sidebar_set_locked (self->sidebar, FALSE, FALSE, FALSE);
  _lab_window_limit_views (self, NULL);
  if (!self->presenting)
    adw_flap_set_reveal_flap (self->flap, TRUE);
  _lab_window_update_actions (self);
}

static void
handout_chosen (gpointer owner, GtkFileChooser *chooser, const char *path)
{
  LabWindow *self = LAB_WINDOW (owner);
  LabLessonState *state = lab_window_get_lesson (self);
  g_autoptr(GError) error = NULL;

  if (state == NULL)
    return;
  if (!lab_lesson_handout_write (state, path, &error))
    _lab_window_show_error (self, _("The handout could not be saved"), error->message);
  else
    _lab_window_toast (self, _("Handout saved"));
}

static void
lab_window_export_handout (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);
  LabLessonState *state = lab_window_get_lesson (self);
  GtkFileChooser *chooser;
  g_autofree char *name = NULL;

  if (state == NULL)
    return;
  chooser = lab_file_chooser_new (widget, _("Export Lesson Handout"), GTK_FILE_CHOOSER_ACTION_SAVE,
                                  _("_Export"), handout_chosen);
  name = g_strdup_printf ("%s.pdf", lab_lesson_state_get_title (state));
  gtk_file_chooser_set_current_name (chooser, name);
  lab_file_chooser_show (chooser);
}

void
_lab_window_update_lesson_actions (LabWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-lesson", self->lesson_panel != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-handout", self->lesson_panel != NULL);
}

void
_lab_window_class_init_lesson (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-lesson", NULL, lab_window_open_lesson_action);
  gtk_widget_class_install_action (widget_class, "win.close-lesson", NULL, lab_window_close_lesson);
  gtk_widget_class_install_action (widget_class, "win.export-handout", NULL, lab_window_export_handout);
}
