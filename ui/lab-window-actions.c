/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-window-actions.c: the win.* actions: training commands, files and views. */
#include <string.h>

#include <glib/gi18n.h>

#include "lab-compare-window.h"
#include "lab-confirm.h"
#include "lab-file-chooser.h"
#include "lab-generate-view.h"
#include "lab-latent-view.h"
#include "lab-session-file.h"
#include "lab-view-export.h"
#include "lab-window-private.h"

static void
lab_window_toggle_run (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_session_toggle_run (LAB_WINDOW (widget)->session);
}

static void
lab_window_run (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_session_run (LAB_WINDOW (widget)->session);
}

static void
lab_window_pause (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_session_pause (LAB_WINDOW (widget)->session);
}

/* Shift held while pressing Step means a whole epoch (the button's tooltip says so). */
static gboolean
shift_is_down (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  GdkSeat *seat = display != NULL ? gdk_display_get_default_seat (display) : NULL;
  GdkDevice *keyboard = seat != NULL ? gdk_seat_get_keyboard (seat) : NULL;

  return keyboard != NULL && (gdk_device_get_modifier_state (keyboard) & GDK_SHIFT_MASK) != 0;
}

static void
lab_window_step (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);

  if (shift_is_down (widget))
    lab_session_step_epoch (self->session);
  else
    lab_session_step_batch (self->session);
}

static void
lab_window_step_epoch (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_session_step_epoch (LAB_WINDOW (widget)->session);
}

static void
reset_confirmed (gpointer owner, gpointer data, gboolean accepted)
{
  if (accepted)
    lab_session_reset (LAB_WINDOW (owner)->session);
}

/* Reset throws the trained weights and history away: asked like any new model. */
static void
lab_window_reset (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_confirm_new_model (widget, LAB_WINDOW (widget)->session,
                         _("Reset starts the network again from random weights."),
                         reset_confirmed, NULL, NULL);
}

static void
lab_window_lower_lr (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);
  g_autofree char *lr = lab_session_dup_option (self->session, "lr");
  g_autoptr(GError) error = NULL;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (lr == NULL)
    return;
  g_ascii_formatd (buf, sizeof buf, "%.2g", g_ascii_strtod (lr, NULL) / 10);
  if (!lab_session_set_option (self->session, "lr", buf, &error))
    _lab_window_show_error (self, _("The learning rate could not be lowered"), error->message);
  gtk_widget_set_visible (self->banner, FALSE);
}

static void
lab_window_view (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_window_set_view (LAB_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
lab_window_load_dataset (GtkWidget *widget, const char *action_name, GVariant *param)
{
  _lab_window_open_asking (LAB_WINDOW (widget), LAB_OPEN_DATASET, g_variant_get_string (param, NULL),
                           FALSE);
}

/* --- files ------------------------------------------------------------------------------ */

typedef void (*LabFileFunc) (LabWindow *self, GtkFileChooser *chooser, const char *path);

static GtkFileChooser *
lab_window_file_chooser (LabWindow *self, const char *title, GtkFileChooserAction action,
                         const char *accept, LabFileFunc func)
{
  return lab_file_chooser_new (GTK_WIDGET (self), title, action, accept, (LabChosenFunc) func);
}

static void
open_dataset_chosen (LabWindow *self, GtkFileChooser *chooser, const char *path)
{
  _lab_window_open_asking (self, LAB_OPEN_DATASET, path, FALSE);
}

static void
lab_window_open_dataset (GtkWidget *widget, const char *action_name, GVariant *param)
{
  static const char *const data_patterns[] = { "*.gz", "*-ubyte", "*.idx*", "*.csv", "*.png", NULL };
  static const char *const all_patterns[] = { "*", NULL };
  GtkFileChooser *chooser =
    lab_window_file_chooser (LAB_WINDOW (widget), _("Open Dataset"), GTK_FILE_CHOOSER_ACTION_OPEN,
                             _("_Open"), open_dataset_chosen);
  g_autoptr(GtkFileFilter) data = lab_file_filter_new (_("IDX, CSV or PNG files"), data_patterns);
  g_autoptr(GtkFileFilter) all = lab_file_filter_new (_("All files"), all_patterns);

  gtk_file_chooser_add_filter (chooser, data);
  gtk_file_chooser_add_filter (chooser, all);
  lab_file_chooser_show (chooser);
}

static void
lab_window_open_folder (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_file_chooser_show (lab_window_file_chooser (LAB_WINDOW (widget),
                                                    _("Open a Folder of PNG Images"),
                                                    GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                    _("_Open"), open_dataset_chosen));
}

/* "Session saved as “vae.latentlab-session”": the file's name, not its folder. */
static void
toast_saved (LabWindow *self, const char *format, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *display = g_filename_display_name (base);
  g_autofree char *text = NULL;

  text = g_strdup_printf (format, display);
  _lab_window_toast (self, text);
}

static void
open_model_confirmed (gpointer owner, const char *path)
{
  LabWindow *self = owner;
  g_autoptr(GError) error = NULL;

  if (!lab_session_open_model (self->session, path, &error))
    _lab_window_show_error (self, _("The model could not be opened"), error->message);
}

static void
open_model_chosen (LabWindow *self, GtkFileChooser *chooser, const char *path)
{
  lab_confirm_new_model_from (GTK_WIDGET (self), self->session,
                              _("The opened model takes the place of this one."),
                              open_model_confirmed, path);
}

static void
lab_window_open_model (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_file_chooser_show (lab_window_file_chooser (LAB_WINDOW (widget), _("Open Model"),
                                                    GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                                    open_model_chosen));
}

static void
save_model_chosen (LabWindow *self, GtkFileChooser *chooser, const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!lab_session_save_model (self->session, path, &error))
    _lab_window_show_error (self, _("The model could not be saved"), error->message);
  else
    toast_saved (self, _("Model saved as “%s”"), path);
}

static void
lab_window_save_model (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);
  GtkFileChooser *chooser = lab_window_file_chooser (self, _("Save Model"),
                                                     GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                                     save_model_chosen);
  g_autofree char *name = g_strdup_printf ("%s.latentlab", lab_session_get_preset (self->session));

  gtk_file_chooser_set_current_name (chooser, name);
  lab_file_chooser_show (chooser);
}

/* --- session files: everything a lesson needs in one file ------------------------------ */

static void
remember_session (const char *path)
{
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);

  if (uri != NULL)
    gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
}

/* What the views chose goes into the session before it is saved ... */
static void
note_choices (LabWindow *self)
{
  GtkWidget *generate = gtk_stack_get_child_by_name (self->stack, "generate");
  GtkWidget *latent = gtk_stack_get_child_by_name (self->stack, "latent");
  long pair[2] = { -1, -1 };

  lab_session_set_view (self->session, lab_window_get_view (self));
  if (LAB_IS_GENERATE_VIEW (generate))
    lab_generate_view_get_pair (LAB_GENERATE_VIEW (generate), &pair[0], &pair[1]);
  if (pair[0] >= 0 && pair[1] >= 0)
    lab_session_set_chosen (self->session, "generate-pair", pair, 2);
  if (LAB_IS_LATENT_VIEW (latent))
    {
      long projection[3];

      lab_latent_view_get_projection_choice (LAB_LATENT_VIEW (latent), projection);
      lab_session_set_chosen (self->session, "latent-projection", projection, 3);
    }
}

/* ... and comes back to them when it is opened. */
static void
apply_choices (LabWindow *self)
{
  GtkWidget *generate = gtk_stack_get_child_by_name (self->stack, "generate");
  GtkWidget *latent = gtk_stack_get_child_by_name (self->stack, "latent");
  const char *view = lab_session_get_view (self->session);
  const long *pair;
  guint n;

  if (view != NULL)
    lab_window_set_view (self, view);
  pair = lab_session_get_chosen (self->session, "generate-pair", &n);
  if (n == 2 && LAB_IS_GENERATE_VIEW (generate))
    lab_generate_view_set_pair (LAB_GENERATE_VIEW (generate), pair[0], pair[1]);
  pair = lab_session_get_chosen (self->session, "latent-projection", &n);
  if (n == 3 && LAB_IS_LATENT_VIEW (latent))
    lab_latent_view_set_projection_choice (LAB_LATENT_VIEW (latent), pair);
}

/* What the window does with a session file opened, or says when it could not be. */
static gboolean
session_opened (LabWindow *self, const char *path, const GError *error)
{
  if (error != NULL)
    {
      _lab_window_show_error (self, _("The session could not be opened"), error->message);
      return FALSE;
    }
  remember_session (path);
  _lab_window_set_session_path (self, path);
  apply_choices (self);
  _lab_window_restore_lesson (self);
  return TRUE;
}

static void
session_file_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  LabWindow *self = g_task_get_source_object (task);
  LabOpening *opening = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  lab_session_open_file_finish (LAB_SESSION (source), result, &error);
  /* a window closed meanwhile shows nothing */
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL || self->session != LAB_SESSION (source))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("%s: the window was closed"), opening->path);
      return;
    }
  if (!session_opened (self, opening->path, error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (opening->run)
    lab_session_run (self->session);
  g_task_return_boolean (task, TRUE);
}

void
lab_window_open_session (LabWindow *self, const char *path, gboolean run,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (LAB_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, lab_window_open_session);
  g_task_set_task_data (task, _lab_opening_new (self, LAB_OPEN_SESSION, path, run), _lab_opening_free);
  lab_session_open_file_async (self->session, path, NULL, session_file_opened, task);
}

gboolean
lab_window_open_session_finish (LabWindow *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
open_session_chosen (LabWindow *self, GtkFileChooser *chooser, const char *path)
{
  _lab_window_open_asking (self, LAB_OPEN_SESSION, path, FALSE);
}

static GtkFileFilter *
session_filter (void)
{
  static const char *const patterns[] = { "*" LAB_SESSION_FILE_SUFFIX, NULL };

  return lab_file_filter_new (_("Latent Lab sessions"), patterns);
}

static void
lab_window_choose_session (GtkWidget *widget, const char *action_name, GVariant *param)
{
  GtkFileChooser *chooser = lab_window_file_chooser (LAB_WINDOW (widget), _("Open Session"),
                                                     GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                                     open_session_chosen);
  g_autoptr(GtkFileFilter) sessions = session_filter ();

  gtk_file_chooser_add_filter (chooser, sessions);
  lab_file_chooser_show (chooser);
}

static void
save_session_to (LabWindow *self, const char *path)
{
  g_autoptr(GError) error = NULL;

  note_choices (self);
  if (!lab_session_save_file (self->session, path, &error))
    {
      _lab_window_show_error (self, _("The session could not be saved"), error->message);
      return;
    }
  remember_session (path);
  _lab_window_set_session_path (self, path);
  toast_saved (self, _("Session saved as “%s”"), path);
}

static void
save_session_chosen (LabWindow *self, GtkFileChooser *chooser, const char *path)
{
  save_session_to (self, path);
}

static void
lab_window_save_session_as (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);
  GtkFileChooser *chooser = lab_window_file_chooser (self, _("Save Session"),
                                                     GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                                     save_session_chosen);
  g_autoptr(GtkFileFilter) sessions = session_filter ();
  g_autofree char *name = g_strdup_printf ("%s" LAB_SESSION_FILE_SUFFIX,
                                           lab_session_get_preset (self->session));

  gtk_file_chooser_add_filter (chooser, sessions);
  gtk_file_chooser_set_current_name (chooser, name);
  lab_file_chooser_show (chooser);
}

/* Ctrl+S: into the session file opened or saved last, else asking where, as editors do. */
static void
lab_window_save_session (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);

  if (self->session_path != NULL)
    save_session_to (self, self->session_path);
  else
    lab_window_save_session_as (widget, action_name, param);
}

static int
compare_recent (gconstpointer a, gconstpointer b)
{
  GDateTime *ta = gtk_recent_info_get_modified ((GtkRecentInfo *) a);
  GDateTime *tb = gtk_recent_info_get_modified ((GtkRecentInfo *) b);

  return ta != NULL && tb != NULL ? g_date_time_compare (tb, ta) : 0;
}

static void
recent_row_activated (GtkListBox *list, GtkListBoxRow *row, LabWindow *self)
{
  const char *path = g_object_get_data (G_OBJECT (row), "lab-path");
  GtkWindow *dialog = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (list)));

  if (path != NULL)
    {
      g_autofree char *chosen = g_strdup (path);

      gtk_window_destroy (dialog);
      _lab_window_open_asking (self, LAB_OPEN_SESSION, chosen, FALSE);
    }
}

/* The recently used session files that still exist, newest first, in a small dialog. */
static void
lab_window_open_recent (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  GtkWidget *dialog = gtk_window_new ();
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  guint shown = 0;

  gtk_window_set_title (GTK_WINDOW (dialog), _("Open Recent Session"));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 520, 360);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (list), TRUE);
  gtk_widget_set_margin_start (list, 12);
  gtk_widget_set_margin_end (list, 12);
  gtk_widget_set_margin_top (list, 12);
  gtk_widget_set_margin_bottom (list, 12);

  items = g_list_sort (items, (GCompareFunc) compare_recent);
  for (GList *l = items; l != NULL && shown < 20; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      const char *uri = gtk_recent_info_get_uri (info);
      g_autofree char *path = g_filename_from_uri (uri, NULL, NULL);
      g_autofree char *base = NULL, *dir = NULL;
      GtkWidget *row, *box, *name, *where;

      if (path == NULL || !g_str_has_suffix (path, LAB_SESSION_FILE_SUFFIX)
          || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      base = g_path_get_basename (path);
      dir = g_path_get_dirname (path);
      row = gtk_list_box_row_new ();
      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      name = gtk_label_new (base);
      where = gtk_label_new (dir);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (where), 0);
      gtk_label_set_ellipsize (GTK_LABEL (where), PANGO_ELLIPSIZE_START);
      gtk_widget_add_css_class (where, "dim-label");
      gtk_widget_set_margin_start (box, 8);
      gtk_widget_set_margin_end (box, 8);
      gtk_widget_set_margin_top (box, 6);
      gtk_widget_set_margin_bottom (box, 6);
      gtk_box_append (GTK_BOX (box), name);
      gtk_box_append (GTK_BOX (box), where);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, base, -1);
      g_object_set_data_full (G_OBJECT (row), "lab-path", g_strdup (path), g_free);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      shown++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  if (shown == 0)
    {
      GtkWidget *empty = gtk_label_new (_("No session was saved or opened recently."));

      gtk_widget_set_margin_top (empty, 24);
      gtk_widget_set_margin_bottom (empty, 24);
      gtk_list_box_set_placeholder (GTK_LIST_BOX (list), empty);
    }
  g_signal_connect (list, "row-activated", G_CALLBACK (recent_row_activated), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_window_set_child (GTK_WINDOW (dialog), scroller);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Side-by-side compare: the current run beside a second one. */
static void
lab_window_compare_seed (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  GtkWidget *compare = lab_compare_window_new_with_seed (GTK_WINDOW (self), self->session, &error);

  if (compare == NULL)
    _lab_window_show_error (self, _("The second run could not be made"), error->message);
  else
    gtk_window_present (GTK_WINDOW (compare));
}

static void
compare_file_chosen (LabWindow *self, GtkFileChooser *chooser, const char *path)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *compare = lab_compare_window_new_with_file (GTK_WINDOW (self), self->session, path, &error);

  if (compare == NULL)
    _lab_window_show_error (self, _("The session could not be opened"), error->message);
  else
    {
      remember_session (path);
      gtk_window_present (GTK_WINDOW (compare));
    }
}

static void
lab_window_compare_file (GtkWidget *widget, const char *action_name, GVariant *param)
{
  GtkFileChooser *chooser = lab_window_file_chooser (LAB_WINDOW (widget),
                                                     _("Compare with Session"),
                                                     GTK_FILE_CHOOSER_ACTION_OPEN, _("_Compare"),
                                                     compare_file_chosen);
  g_autoptr(GtkFileFilter) sessions = session_filter ();

  gtk_file_chooser_add_filter (chooser, sessions);
  lab_file_chooser_show (chooser);
}

/* Every view exports alike: the LabCharts it shows (lab-view-export.h), so a new view
 * needs no code here. */
static void
export_picture_chosen (LabWindow *self, GtkFileChooser *chooser, const char *path)
{
  const char *picture = gtk_file_chooser_get_choice (chooser, "picture");
  LabViewExportWhat what = g_strcmp0 (picture, "main") == 0 ? LAB_VIEW_EXPORT_MAIN
                                                            : LAB_VIEW_EXPORT_ALL;
  g_autoptr(GError) error = NULL;

  if (!lab_view_export (gtk_stack_get_visible_child (self->stack), what, path, &error))
    _lab_window_show_error (self, _("The picture could not be saved"), error->message);
  else
    toast_saved (self, _("Picture exported as “%s”"), path);
}

static void
lab_window_export_picture (GtkWidget *widget, const char *action_name, GVariant *param)
{
  /* gtk_file_chooser_add_choice takes non-const arrays that it only reads */
  static const char *ids[] = { "view", "main", NULL };
  static const char *labels[] = { N_("Every chart of this view"), N_("The largest chart"), NULL };
  static const char *const patterns[] = { "*.png", "*.svg", "*.pdf", NULL };
  const char *translated[G_N_ELEMENTS (labels)] = { _(labels[0]), _(labels[1]), NULL };
  LabWindow *self = LAB_WINDOW (widget);
  GtkFileChooser *chooser = lab_window_file_chooser (self, _("Export Picture"),
                                                     GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                                     export_picture_chosen);
  g_autoptr(GtkFileFilter) filter = lab_file_filter_new (_("PNG, SVG or PDF (by the extension)"), patterns);
  g_autofree char *name = g_strdup_printf ("%s.png", gtk_stack_get_visible_child_name (self->stack));

  gtk_file_chooser_add_filter (chooser, filter);
  gtk_file_chooser_add_choice (chooser, "picture", _("Picture"), ids, translated);
  gtk_file_chooser_set_choice (chooser, "picture", "view");
  gtk_file_chooser_set_current_name (chooser, name);
  lab_file_chooser_show (chooser);
}

/* From the Latent view's side panel: a sample (its index in the dataset) becomes the first
 * or second end of the Generate view's interpolation. */
static void
lab_window_use_sample (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);
  GtkWidget *generate = gtk_stack_get_child_by_name (self->stack, "generate");
  const char *end;
  guint32 index;

  g_variant_get (param, "(&su)", &end, &index);
  if (LAB_IS_GENERATE_VIEW (generate))
    lab_generate_view_use_sample (LAB_GENERATE_VIEW (generate), g_str_equal (end, "second"), index);
}

static void
lab_window_toggle_sidebar (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LabWindow *self = LAB_WINDOW (widget);

  /* beside the views, or over them while presenting */
  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

static void
lab_window_leave_presentation (GtkWidget *widget, const char *action_name, GVariant *param)
{
  lab_window_set_presentation (LAB_WINDOW (widget), FALSE);
}

/* --- state ------------------------------------------------------------------------------ */

void
_lab_window_update_actions (LabWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean ready = self->session != NULL && !lab_session_get_loading (self->session)
                   && lab_session_get_dataset_spec (self->session) != NULL;
  gboolean running = ready && lab_session_get_running (self->session);

  gtk_widget_action_set_enabled (widget, "win.toggle-run", ready);
  gtk_widget_action_set_enabled (widget, "win.run", ready && !running);
  gtk_widget_action_set_enabled (widget, "win.pause", running);
  gtk_widget_action_set_enabled (widget, "win.step", ready);
  gtk_widget_action_set_enabled (widget, "win.step-epoch", ready);
  gtk_widget_action_set_enabled (widget, "win.reset", ready);
  gtk_widget_action_set_enabled (widget, "win.save-model", ready);
  gtk_widget_action_set_enabled (widget, "win.save-session", ready);
  gtk_widget_action_set_enabled (widget, "win.save-session-as", ready);
  gtk_widget_action_set_enabled (widget, "win.compare-seed", ready);
  gtk_widget_action_set_enabled (widget, "win.export-picture", ready);
  _lab_window_update_lesson_actions (self);
}

void
_lab_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.toggle-run", NULL, lab_window_toggle_run);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, lab_window_run);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, lab_window_pause);
  gtk_widget_class_install_action (widget_class, "win.step", NULL, lab_window_step);
  gtk_widget_class_install_action (widget_class, "win.step-epoch", NULL, lab_window_step_epoch);
  gtk_widget_class_install_action (widget_class, "win.reset", NULL, lab_window_reset);
  gtk_widget_class_install_action (widget_class, "win.lower-lr", NULL, lab_window_lower_lr);
  gtk_widget_class_install_action (widget_class, "win.view", "s", lab_window_view);
  gtk_widget_class_install_action (widget_class, "win.load-dataset", "s", lab_window_load_dataset);
  gtk_widget_class_install_action (widget_class, "win.open-dataset", NULL, lab_window_open_dataset);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, lab_window_open_folder);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, lab_window_open_model);
  gtk_widget_class_install_action (widget_class, "win.save-model", NULL, lab_window_save_model);
  gtk_widget_class_install_action (widget_class, "win.open-session", NULL, lab_window_choose_session);
  gtk_widget_class_install_action (widget_class, "win.save-session", NULL, lab_window_save_session);
  gtk_widget_class_install_action (widget_class, "win.save-session-as", NULL,
                                   lab_window_save_session_as);
  gtk_widget_class_install_action (widget_class, "win.open-recent", NULL, lab_window_open_recent);
  gtk_widget_class_install_action (widget_class, "win.compare-seed", NULL, lab_window_compare_seed);
  gtk_widget_class_install_action (widget_class, "win.compare-file", NULL, lab_window_compare_file);
  gtk_widget_class_install_action (widget_class, "win.export-picture", NULL, lab_window_export_picture);
  gtk_widget_class_install_action (widget_class, "win.use-sample", "(su)", lab_window_use_sample);
  gtk_widget_class_install_property_action (widget_class, "win.presentation", "presentation");
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, lab_window_toggle_sidebar);
  gtk_widget_class_install_action (widget_class, "win.leave-presentation", NULL,
                                   lab_window_leave_presentation);
  /* Escape leaves presentation mode when no focused widget wanted the key first */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "win.leave-presentation", NULL);
}
