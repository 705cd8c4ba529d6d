/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-panel.c: the lesson beside the views (see lab-lesson-panel.h).
 *
 * The panel does no numerical work: settings go to the session (which loads on a worker),
 * checks are measured by LabLessonState on a worker, and the panel only shows what comes
 * back. Entering a step that continues the previous one (same data and architecture)
 * applies only its own options, so training goes on from the previous step's weights as
 * `latentlab lesson --check` does; any other step loads its settings afresh.
 */
#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lab-lesson-panel.h"
#include "lab-window-private.h"

struct _LabLessonPanel {
  GtkWidget parent_instance;

  GtkWidget *content;      /* the step scrolling above, the run and Previous / Next below */
  GtkLabel *lesson_title;
  GtkDropDown *step_list;
  GtkProgressBar *progress;
  GtkLabel *step_title;
  GtkLabel *step_text;
  GtkLabel *notes;
  GtkWidget *predict_box;
  GtkLabel *question;
  GtkWidget *choices_box;
  GtkCheckButton *choices[8];
  GtkLabel *reveal;
  GtkWidget *run_button;
  GtkLabel *run_status;
  GtkWidget *checks_box;
  GtkWidget *prev_button;
  GtkWidget *next_button;

  LabWindow *window;       /* the window holds the panel */
  LabSession *session;
  LabLessonState *state;
  GCancellable *loading;   /* the settings' load in flight */
  int applied_step;        /* whose settings are in force, -1 none */
  int running_step;        /* whose run is under way, -1 none */
  int target_epoch;        /* the run ends there */
  int measured_epoch;      /* the last epoch measured live */
  int settling_step;       /* whose run finished: its final weights may come a report later */
  LabWeights *measured_weights; /* what the last measure of a finished run saw */
  guint syncing;           /* > 0 while widgets are set from the state */
};

G_DEFINE_FINAL_TYPE (LabLessonPanel, lab_lesson_panel, GTK_TYPE_WIDGET)

static void lab_lesson_panel_update (LabLessonPanel *self);

/* --- applying a step's settings ------------------------------------------------------------ */

static void
show_error (LabLessonPanel *self, const char *primary, const GError *error)
{
  _lab_window_show_error (self->window, primary, error->message);
}

static gboolean
set_options (LabLessonPanel *self, char **names, char **values)
{
  for (guint k = 0; names[k] != NULL; k++)
    {
      g_autoptr(GError) error = NULL;

      if (!lab_session_set_option (self->session, names[k], values[k], &error))
        {
          show_error (self, _("The lesson's settings could not be applied"), error);
          return FALSE;
        }
    }
  return TRUE;
}

/* A step without a run is looked at as it is: measure what there is. */
static void
measure_now (LabLessonPanel *self, guint step)
{
  LabSnapshot *snapshot = lab_session_get_snapshot (self->session);

  if (snapshot != NULL && lab_lesson_state_measure (self->state, step, self->session, snapshot))
    lab_lesson_state_set_ran (self->state, step, TRUE);
}

typedef struct {
  LabLessonPanel *self;
  guint step;
  GStrv names, values;
  char *normal;
} Apply;

static void
apply_free (Apply *apply)
{
  g_object_unref (apply->self);
  g_strfreev (apply->names);
  g_strfreev (apply->values);
  g_free (apply->normal);
  g_free (apply);
}

static void
settings_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Apply *apply = user_data;
  LabLessonPanel *self = apply->self;
  g_autoptr(GError) error = NULL;

  if (!lab_session_load_finish (LAB_SESSION (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_object (&self->loading);
          show_error (self, _("The lesson's dataset could not be opened"), error);
          lab_lesson_panel_update (self);
        }
      apply_free (apply);
      return;
    }
  g_clear_object (&self->loading);
  if (set_options (self, apply->names, apply->values))
    {
      char *normal_names[] = { (char *) "normal", NULL };
      char *normal_values[] = { apply->normal, NULL };

      if (apply->normal[0] == '\0' || set_options (self, normal_names, normal_values))
        {
          self->applied_step = (int) apply->step;
          if (lab_lesson_state_step_run_epochs (self->state, apply->step) == 0)
            measure_now (self, apply->step);
        }
    }
  lab_lesson_panel_update (self);
  apply_free (apply);
}

static void
apply_views_and_locks (LabLessonPanel *self, guint step)
{
  const char *const *views = lab_lesson_state_step_views (self->state, step);

  /* the step's views only, the first brought forward; a step that names none offers all */
  _lab_window_limit_views (self->window, views != NULL && views[0] != NULL ? views : NULL);
  if (views != NULL && views[0] != NULL)
    lab_window_set_view (self->window, views[0]);
  lab_sidebar_set_locked (self->window->sidebar,
                          lab_lesson_state_step_locks (self->state, step, "dataset"),
                          lab_lesson_state_step_locks (self->state, step, "preset"),
                          lab_lesson_state_step_locks (self->state, step, "options"));
}

static void
apply_settings (LabLessonPanel *self, guint step)
{
  g_autofree char *dataset = NULL, *preset = NULL, *normal = NULL;
  g_auto(GStrv) names = NULL, values = NULL;
  g_autoptr(GError) error = NULL;
  gboolean fresh;
  Apply *apply;
  gboolean after_previous;

  if (self->loading != NULL)
    g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  after_previous = step > 0 && self->applied_step == (int) step - 1
                   && lab_lesson_state_get_ran (self->state, step - 1);

  self->applied_step = -1;
  self->running_step = -1;
  self->settling_step = -1;
  lab_session_pause (self->session);
  if (!lab_lesson_state_step_settings (self->state, step, &dataset, &preset, &names, &values,
                                       &normal, &fresh, &error))
    {
      show_error (self, _("The lesson's settings could not be applied"), error);
      return;
    }
  /* on from the previous step's weights, as the command line runs the lesson */
  if (!fresh && after_previous && lab_session_get_dataset_spec (self->session) != NULL
      && !lab_session_get_loading (self->session))
    {
      g_auto(GStrv) own_names = NULL, own_values = NULL;

      lab_lesson_state_step_own_options (self->state, step, &own_names, &own_values);
      if (set_options (self, own_names, own_values))
        {
          self->applied_step = (int) step;
          if (lab_lesson_state_step_run_epochs (self->state, step) == 0)
            measure_now (self, step);
        }
      return;
    }
  apply = g_new0 (Apply, 1);
  apply->self = g_object_ref (self);
  apply->step = step;
  apply->names = g_steal_pointer (&names);
  apply->values = g_steal_pointer (&values);
  apply->normal = g_steal_pointer (&normal);
  self->loading = g_cancellable_new ();
  lab_session_load_async (self->session, dataset, preset, self->loading, settings_loaded, apply);
}

/* --- the run and its measures ------------------------------------------------------------ */

/* Measures a finished run, or measures it again when newer weights come: the trainer's
 * last weights copy may follow its "finished" report. */
static void
measure_finished (LabLessonPanel *self, guint step, LabSnapshot *snapshot)
{
  LabWeights *weights = snapshot->weights != NULL ? snapshot->weights
                                                  : lab_session_get_weights (self->session);

  if (weights == NULL || weights == self->measured_weights)
    return;
  g_clear_pointer (&self->measured_weights, lab_weights_unref);
  self->measured_weights = lab_weights_ref (weights);
  lab_lesson_state_set_snapshot (self->state, step, snapshot);
  lab_lesson_state_measure (self->state, step, self->session, snapshot);
}

static void
on_snapshot (LabLessonPanel *self, LabSnapshot *snapshot)
{
  guint step;

  if (self->running_step < 0)
    {
      if (self->settling_step >= 0 && snapshot->state != LAB_TRAINING_RUNNING
          && !lab_session_get_loading (self->session))
        measure_finished (self, (guint) self->settling_step, snapshot);
      return;
    }
  step = (guint) self->running_step;
  if (snapshot->state == LAB_TRAINING_DIVERGED)
    {
      self->running_step = -1;
      lab_lesson_panel_update (self);
      return;
    }
  if (snapshot->epoch >= self->target_epoch && snapshot->state != LAB_TRAINING_RUNNING)
    {
      self->running_step = -1;
      self->settling_step = (int) step;
      g_clear_pointer (&self->measured_weights, lab_weights_unref);
      measure_finished (self, step, snapshot);
      lab_lesson_state_set_ran (self->state, step, TRUE);
      lab_lesson_panel_update (self);
      return;
    }
  /* live: once an epoch, when the last measure is in */
  if (snapshot->epoch > self->measured_epoch && !lab_lesson_state_get_measuring (self->state)
      && lab_lesson_state_measure (self->state, step, self->session, snapshot))
    self->measured_epoch = snapshot->epoch;
  lab_lesson_state_set_snapshot (self->state, step, snapshot);
}

gboolean
lab_lesson_panel_run (LabLessonPanel *self)
{
  guint step;
  int epochs;
  LabSnapshot *snapshot;
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (LAB_IS_LESSON_PANEL (self), FALSE);
  step = lab_lesson_state_get_step (self->state);
  epochs = lab_lesson_state_step_run_epochs (self->state, step);
  if (epochs == 0 || self->running_step >= 0 || self->loading != NULL
      || (lab_lesson_state_step_question (self->state, step) != NULL
          && lab_lesson_state_get_answer (self->state, step) < 0))
    return FALSE;
  if (self->applied_step != (int) step || lab_lesson_state_get_ran (self->state, step))
    {
      /* a step run before starts again from its settings */
      lab_lesson_state_set_ran (self->state, step, FALSE);
      apply_settings (self, step);
      if (self->applied_step != (int) step && self->loading == NULL)
        return FALSE;
    }
  lab_lesson_state_clear_measure (self->state, step);
  if (self->loading != NULL)
    {
      /* run once loaded */
      self->running_step = (int) step;
      self->target_epoch = -1;
      lab_lesson_panel_update (self);
      return TRUE;
    }
  snapshot = lab_session_get_snapshot (self->session);
  self->target_epoch = (snapshot != NULL ? snapshot->epoch : 0) + epochs;
  self->measured_epoch = snapshot != NULL ? snapshot->epoch : 0;
  self->running_step = (int) step;
  self->settling_step = -1;
  target = g_strdup_printf ("%d", self->target_epoch);
  if (!lab_session_set_option (self->session, "epochs", target, &error))
    {
      self->running_step = -1;
      show_error (self, _("The step could not run"), error);
      return FALSE;
    }
  lab_session_run (self->session);
  lab_lesson_panel_update (self);
  return TRUE;
}

/* A run asked for while the settings loaded starts once they are in force. */
static void
run_when_applied (LabLessonPanel *self)
{
  if (self->running_step >= 0 && self->target_epoch < 0 && self->loading == NULL
      && self->applied_step == self->running_step)
    {
      self->running_step = -1;
      lab_lesson_panel_run (self);
    }
}

gboolean
lab_lesson_panel_get_ready (LabLessonPanel *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_PANEL (self), FALSE);
  return self->loading == NULL && self->running_step < 0
         && self->applied_step == (int) lab_lesson_state_get_step (self->state)
         && !lab_session_get_loading (self->session);
}

void
lab_lesson_panel_go (LabLessonPanel *self, guint step)
{
  g_return_if_fail (LAB_IS_LESSON_PANEL (self));
  g_return_if_fail (step < lab_lesson_state_get_n_steps (self->state));

  lab_lesson_state_set_step (self->state, step);
  apply_views_and_locks (self, step);
  /* a step run before keeps its results on show until it is run again */
  if (!lab_lesson_state_get_ran (self->state, step) && self->applied_step != (int) step)
    apply_settings (self, step);
  lab_lesson_panel_update (self);
}

/* --- showing the state -------------------------------------------------------------------- */

static char *
format_value (double v)
{
  if (isnan (v))
    return g_strdup ("–");
  if (fabs (v) >= 1000 || (fabs (v) < 0.01 && v != 0))
    return g_strdup_printf ("%.3g", v);
  return g_strdup_printf ("%.3f", v);
}

static GtkWidget *
check_row (LabLessonPanel *self, guint step, guint check)
{
  double left, right;
  LabCheckState state = lab_lesson_state_check_state (self->state, step, check, &left, &right);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *icon, *claim, *value;
  const char *label = lab_lesson_state_check_label (self->state, step, check);
  g_autofree char *value_text = NULL, *tooltip = NULL;
  static const struct { const char *icon, *css, *word; } looks[] = {
    [LAB_CHECK_NOT_MEASURED] = { "content-loading-symbolic", "dim-label", N_("not yet measured") },
    [LAB_CHECK_HOLDS] = { "emblem-ok-symbolic", "success", N_("holds") },
    [LAB_CHECK_FAILS] = { "window-close-symbolic", "error", N_("does not hold") },
  };

  icon = gtk_image_new_from_icon_name (looks[state].icon);
  gtk_widget_add_css_class (icon, looks[state].css);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  claim = gtk_label_new (lab_lesson_state_check_text (self->state, step, check));
  gtk_label_set_wrap (GTK_LABEL (claim), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (claim), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (claim), 0);
  gtk_widget_add_css_class (claim, "monospace");
  if (state == LAB_CHECK_NOT_MEASURED)
    value_text = g_strdup (_(looks[state].word));
  else
    {
      g_autofree char *a = format_value (left), *b = format_value (right);
      /* TRANSLATORS: "holds: 0.012 against 0.034" */
      value_text = g_strdup_printf (_("%s: %s against %s"), _(looks[state].word), a, b);
    }
  value = gtk_label_new (value_text);
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_widget_add_css_class (value, looks[state].css);
  gtk_widget_add_css_class (value, "caption");
  gtk_box_append (GTK_BOX (texts), claim);
  gtk_box_append (GTK_BOX (texts), value);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (row), icon);
  gtk_box_append (GTK_BOX (row), texts);
  tooltip = g_strdup_printf ("%s: %s", label != NULL ? label : "", value_text);
  gtk_widget_set_tooltip_text (row, tooltip);
  return row;
}

static void
lab_lesson_panel_update (LabLessonPanel *self)
{
  guint step = lab_lesson_state_get_step (self->state);
  guint n_steps = lab_lesson_state_get_n_steps (self->state);
  const char *question = lab_lesson_state_step_question (self->state, step);
  const char *notes = lab_lesson_state_step_notes (self->state, step);
  int answer = lab_lesson_state_get_answer (self->state, step);
  int right = lab_lesson_state_step_right_choice (self->state, step);
  int epochs = lab_lesson_state_step_run_epochs (self->state, step);
  gboolean ran = lab_lesson_state_get_ran (self->state, step);
  gboolean running = self->running_step == (int) step;
  gboolean presenting = lab_window_get_presentation (self->window);
  g_autofree char *progress = NULL, *run_label = NULL, *status = NULL;
  guint n_choices = lab_lesson_state_step_n_choices (self->state, step);
  GtkWidget *child;

  self->syncing++;
  gtk_drop_down_set_selected (self->step_list, step);
  progress = g_strdup_printf (_("Step %u of %u"), step + 1, n_steps);
  gtk_progress_bar_set_text (self->progress, progress);
  gtk_progress_bar_set_fraction (self->progress, (double) (step + 1) / n_steps);
  gtk_label_set_text (self->step_title, lab_lesson_state_step_title (self->state, step));
  gtk_label_set_text (self->step_text, lab_lesson_state_step_text (self->state, step));
  /* presenter notes are for the teacher's screen, not the projector */
  gtk_widget_set_visible (GTK_WIDGET (self->notes), notes != NULL && !presenting);
  if (notes != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Notes: %s"), notes);
      gtk_label_set_text (self->notes, text);
    }

  gtk_widget_set_visible (self->predict_box, question != NULL);
  if (question != NULL)
    {
      gtk_label_set_text (self->question, question);
      for (guint c = 0; c < G_N_ELEMENTS (self->choices); c++)
        {
          gtk_widget_set_visible (GTK_WIDGET (self->choices[c]), c < n_choices);
          if (c >= n_choices)
            continue;
          const char *choice = lab_lesson_state_step_choice (self->state, step, c);

          gtk_label_set_text (GTK_LABEL (gtk_check_button_get_child (self->choices[c])), choice);
          gtk_accessible_update_property (GTK_ACCESSIBLE (self->choices[c]),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, choice, -1);
          gtk_check_button_set_active (self->choices[c], (int) c == answer);
          gtk_widget_set_sensitive (GTK_WIDGET (self->choices[c]), !ran && !running);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->reveal), ran && right >= 0);
      if (ran && right >= 0)
        {
          g_autofree char *text = NULL;
          const char *right_text = lab_lesson_state_step_choice (self->state, step, (guint) right);

          if (answer == right)
            text = g_strdup_printf (_("Right: %s"), right_text);
          else
            text = g_strdup_printf (_("The run says: %s"), right_text);
          gtk_label_set_text (self->reveal, text);
          gtk_widget_remove_css_class (GTK_WIDGET (self->reveal), answer == right ? "warning" : "success");
          gtk_widget_add_css_class (GTK_WIDGET (self->reveal), answer == right ? "success" : "warning");
        }
    }

  gtk_widget_set_visible (self->run_button, epochs > 0);
  if (epochs > 0)
    {
      run_label = g_strdup_printf (ran ? g_dngettext (GETTEXT_PACKAGE, "Run _Again (%d Epoch)",
                                                      "Run _Again (%d Epochs)", epochs)
                                       : g_dngettext (GETTEXT_PACKAGE, "_Run %d Epoch",
                                                      "_Run %d Epochs", epochs), epochs);
      gtk_button_set_label (GTK_BUTTON (self->run_button), run_label);
    }
  gtk_widget_set_sensitive (self->run_button, !running && self->loading == NULL
                                                && (question == NULL || answer >= 0));
  if (self->loading != NULL || (lab_session_get_loading (self->session) && !running))
    status = g_strdup (_("Setting up the step…"));
  else if (running)
    status = g_strdup (_("Training…"));
  else if (question != NULL && answer < 0 && !ran)
    status = g_strdup (_("Predict first, then run."));
  else if (lab_lesson_state_get_measuring (self->state))
    status = g_strdup (_("Measuring…"));
  else if (epochs == 0)
    status = g_strdup (_("Nothing to train: look at the views."));
  else if (!ran)
    status = g_strdup (_("Press Run when ready."));
  gtk_label_set_text (self->run_status, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->run_status), status != NULL);

  while ((child = gtk_widget_get_first_child (self->checks_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->checks_box), child);
  for (guint c = 0; c < lab_lesson_state_step_n_checks (self->state, step); c++)
    gtk_box_append (GTK_BOX (self->checks_box), check_row (self, step, c));
  gtk_widget_set_visible (gtk_widget_get_prev_sibling (self->checks_box),
                          lab_lesson_state_step_n_checks (self->state, step) > 0);

  gtk_widget_set_sensitive (self->prev_button, step > 0);
  gtk_widget_set_sensitive (self->next_button, step + 1 < n_steps);
  self->syncing--;
  run_when_applied (self);
}

/* The session file keeps where the lesson is and what was answered. */
static void
note_in_session (LabLessonPanel *self)
{
  g_autofree char *text = lab_lesson_state_to_text (self->state);

  lab_session_set_lesson (self->session, text);
}

static void
on_state_changed (LabLessonPanel *self)
{
  note_in_session (self);
  lab_lesson_panel_update (self);
}

static void
on_step_selected (LabLessonPanel *self)
{
  guint step = gtk_drop_down_get_selected (self->step_list);

  if (self->syncing == 0 && step != GTK_INVALID_LIST_POSITION
      && step != lab_lesson_state_get_step (self->state))
    lab_lesson_panel_go (self, step);
}

static void
on_prev (LabLessonPanel *self)
{
  guint step = lab_lesson_state_get_step (self->state);

  if (step > 0)
    lab_lesson_panel_go (self, step - 1);
}

static void
on_next (LabLessonPanel *self)
{
  guint step = lab_lesson_state_get_step (self->state);

  if (step + 1 < lab_lesson_state_get_n_steps (self->state))
    lab_lesson_panel_go (self, step + 1);
}

static void
on_choice (GtkCheckButton *button, LabLessonPanel *self)
{
  guint step = lab_lesson_state_get_step (self->state);

  if (self->syncing > 0 || !gtk_check_button_get_active (button))
    return;
  for (guint c = 0; c < G_N_ELEMENTS (self->choices); c++)
    if (self->choices[c] == button)
      lab_lesson_state_set_answer (self->state, step, (int) c);
}

static void
on_run (LabLessonPanel *self)
{
  lab_lesson_panel_run (self);
}

/* --- construction -------------------------------------------------------------------------- */

static GtkWidget *
wrapped_label (const char *css)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static void
setup_step_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  /* the chosen step's title is cut to the panel's width; the list shows it whole */
  if (GPOINTER_TO_INT (ellipsize))
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_step_item (GtkSignalListItemFactory *factory, GtkListItem *item)
{
  GtkStringObject *text = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (text));
}

static GtkListItemFactory *
step_item_factory (gboolean ellipsize)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_step_item), GINT_TO_POINTER (ellipsize));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_step_item), NULL);
  return factory;
}

/* A flat icon button beside the lesson's title that runs a window action. */
static GtkWidget *
header_button (const char *icon, const char *action, const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static void
lab_lesson_panel_build (LabLessonPanel *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *checks_heading, *nav, *footer, *scroller;
  GtkStringList *steps = gtk_string_list_new (NULL);
  GtkListItemFactory *factory;

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);

  self->lesson_title = GTK_LABEL (wrapped_label ("heading"));
  gtk_widget_set_hexpand (GTK_WIDGET (self->lesson_title), TRUE);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->lesson_title));
  gtk_box_append (GTK_BOX (header),
                  header_button ("document-save-as-symbolic", "win.export-handout",
                                 _("Export the lesson as run, with answers, checks and plots, to PDF")));
  gtk_box_append (GTK_BOX (header),
                  header_button ("window-close-symbolic", "win.close-lesson", _("Close the lesson")));
  gtk_box_append (GTK_BOX (box), header);

  for (guint i = 0; i < lab_lesson_state_get_n_steps (self->state); i++)
    {
      g_autofree char *item = g_strdup_printf ("%u. %s", i + 1,
                                               lab_lesson_state_step_title (self->state, i));
      gtk_string_list_append (steps, item);
    }
  self->step_list = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (steps), NULL));
  factory = step_item_factory (TRUE);
  gtk_drop_down_set_factory (self->step_list, factory);
  g_object_unref (factory);
  factory = step_item_factory (FALSE);
  gtk_drop_down_set_list_factory (self->step_list, factory);
  g_object_unref (factory);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->step_list), _("Go to a step of the lesson"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->step_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lesson step"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->step_list));
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));

  self->step_title = GTK_LABEL (wrapped_label ("title-3"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->step_title));
  self->step_text = GTK_LABEL (wrapped_label ("lesson-text"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->step_text));
  self->notes = GTK_LABEL (wrapped_label ("dim-label"));
  gtk_widget_add_css_class (GTK_WIDGET (self->notes), "caption");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->notes));

  self->predict_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->predict_box, "card");
  self->question = GTK_LABEL (wrapped_label ("heading"));
  gtk_widget_set_margin_start (GTK_WIDGET (self->question), 10);
  gtk_widget_set_margin_end (GTK_WIDGET (self->question), 10);
  gtk_widget_set_margin_top (GTK_WIDGET (self->question), 8);
  gtk_box_append (GTK_BOX (self->predict_box), GTK_WIDGET (self->question));
  self->choices_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_start (self->choices_box, 6);
  gtk_widget_set_margin_end (self->choices_box, 10);
  for (guint c = 0; c < G_N_ELEMENTS (self->choices); c++)
    {
      self->choices[c] = GTK_CHECK_BUTTON (gtk_check_button_new ());
      if (c > 0)
        gtk_check_button_set_group (self->choices[c], self->choices[0]);
      /* long choices wrap instead of widening the panel */
      gtk_check_button_set_child (self->choices[c], wrapped_label (NULL));
      g_signal_connect (self->choices[c], "toggled", G_CALLBACK (on_choice), self);
      gtk_box_append (GTK_BOX (self->choices_box), GTK_WIDGET (self->choices[c]));
    }
  gtk_box_append (GTK_BOX (self->predict_box), self->choices_box);
  self->reveal = GTK_LABEL (wrapped_label ("heading"));
  gtk_widget_set_margin_start (GTK_WIDGET (self->reveal), 10);
  gtk_widget_set_margin_end (GTK_WIDGET (self->reveal), 10);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->reveal), 8);
  gtk_box_append (GTK_BOX (self->predict_box), GTK_WIDGET (self->reveal));
  gtk_box_append (GTK_BOX (box), self->predict_box);

  checks_heading = gtk_label_new (_("Checks"));
  gtk_label_set_xalign (GTK_LABEL (checks_heading), 0);
  gtk_widget_add_css_class (checks_heading, "heading");
  gtk_box_append (GTK_BOX (box), checks_heading);
  self->checks_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_box_append (GTK_BOX (box), self->checks_box);

  /* the run and the way on stay in view however long the step's text */
  footer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_set_margin_start (footer, 12);
  gtk_widget_set_margin_end (footer, 12);
  gtk_widget_set_margin_top (footer, 8);
  gtk_widget_set_margin_bottom (footer, 12);
  self->run_button = gtk_button_new_with_mnemonic ("_Run");
  gtk_widget_add_css_class (self->run_button, "suggested-action");
  gtk_widget_add_css_class (self->run_button, "pill");
  gtk_widget_set_tooltip_text (self->run_button, _("Train for the epochs this step asks for, then measure its checks"));
  g_signal_connect_swapped (self->run_button, "clicked", G_CALLBACK (on_run), self);
  self->run_status = GTK_LABEL (wrapped_label ("dim-label"));
  gtk_box_append (GTK_BOX (footer), GTK_WIDGET (self->run_status));
  gtk_box_append (GTK_BOX (footer), self->run_button);

  nav = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_set_homogeneous (GTK_BOX (nav), TRUE);
  self->prev_button = gtk_button_new_with_mnemonic (_("_Previous"));
  gtk_widget_set_tooltip_text (self->prev_button, _("The previous step"));
  g_signal_connect_swapped (self->prev_button, "clicked", G_CALLBACK (on_prev), self);
  self->next_button = gtk_button_new_with_mnemonic (_("_Next"));
  gtk_widget_set_tooltip_text (self->next_button, _("The next step"));
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (on_next), self);
  gtk_box_append (GTK_BOX (nav), self->prev_button);
  gtk_box_append (GTK_BOX (nav), self->next_button);
  gtk_box_append (GTK_BOX (footer), nav);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  self->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (self->content), scroller);
  gtk_box_append (GTK_BOX (self->content), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (self->content), footer);
  gtk_widget_set_parent (self->content, GTK_WIDGET (self));

  gtk_label_set_text (self->lesson_title, lab_lesson_state_get_title (self->state));
  g_signal_connect_swapped (self->step_list, "notify::selected", G_CALLBACK (on_step_selected), self);
}

static void
lab_lesson_panel_dispose (GObject *object)
{
  LabLessonPanel *self = LAB_LESSON_PANEL (object);

  if (self->loading != NULL)
    g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->state != NULL)
    g_signal_handlers_disconnect_by_data (self->state, self);
  if (self->window != NULL)
    g_signal_handlers_disconnect_by_data (self->window, self);
  g_clear_pointer (&self->content, gtk_widget_unparent);
  g_clear_object (&self->session);
  g_clear_object (&self->state);
  g_clear_pointer (&self->measured_weights, lab_weights_unref);
  G_OBJECT_CLASS (lab_lesson_panel_parent_class)->dispose (object);
}

static void
lab_lesson_panel_class_init (LabLessonPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_lesson_panel_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lessonpanel");
}

static void
lab_lesson_panel_init (LabLessonPanel *self)
{
  self->applied_step = -1;
  self->running_step = -1;
  self->settling_step = -1;
}

GtkWidget *
lab_lesson_panel_new (LabWindow *window, LabLessonState *state, gboolean restored)
{
  LabLessonPanel *self;
  guint step;

  g_return_val_if_fail (LAB_IS_WINDOW (window), NULL);
  g_return_val_if_fail (LAB_IS_LESSON_STATE (state), NULL);

  self = g_object_new (LAB_TYPE_LESSON_PANEL, NULL);
  self->window = window;
  self->session = g_object_ref (lab_window_get_session (window));
  self->state = g_object_ref (state);
  lab_lesson_panel_build (self);
  g_signal_connect_swapped (self->session, "snapshot", G_CALLBACK (on_snapshot), self);
  g_signal_connect_swapped (self->session, "notify::loading", G_CALLBACK (lab_lesson_panel_update), self);
  g_signal_connect_swapped (self->state, "changed", G_CALLBACK (on_state_changed), self);
  g_signal_connect_swapped (self->state, "notify::step", G_CALLBACK (note_in_session), self);
  g_signal_connect_swapped (window, "notify::presentation", G_CALLBACK (lab_lesson_panel_update), self);

  step = lab_lesson_state_get_step (state);
  apply_views_and_locks (self, step);
  if (restored)
    self->applied_step = (int) step;
  else
    apply_settings (self, step);
  note_in_session (self);
  lab_lesson_panel_update (self);
  return GTK_WIDGET (self);
}

LabLessonState *
lab_lesson_panel_get_state (LabLessonPanel *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_PANEL (self), NULL);
  return self->state;
}
