/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-accessibility.c: every control of every view has an accessible name and can take
 * the keyboard focus, and every plot carries a text summary for screen readers.
 *
 * GTK 4.8 has no public getter for accessible properties, but its testing API
 * (gtk_test_accessible_has_property, _has_relation) reads what the widgets declared. A
 * control counts as named when it has a label property, a labelled-by relation, text of its
 * own (a button's label) or a tooltip (GTK makes it the description that screen readers
 * speak). A control is in reach of the keyboard when Tab, pressed round the window, gives
 * it (or its part) the focus. Every offender is listed before the test fails, with its type
 * and its path of CSS names, so that it can be found.
 *
 * Also here: the keyboard shortcuts (each one listed in the shortcuts window, bound, and
 * acting on an action that exists) and presentation mode (large text, thick lines, more
 * contrast, and back).
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-accessibility --tap` with
 * GSK_RENDERER=cairo.
 */
#include <math.h>
#include <string.h>

#include "lab-application.h"
#include "lab-chart.h"
#include "lab-window-private.h"

static void
spin_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static gboolean
wait_for_steps (LabWindow *window, long steps, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  LabSession *session = lab_window_get_session (window);

  for (;;)
    {
      LabSnapshot *s = lab_session_get_snapshot (session);

      if (!lab_session_get_loading (session) && s != NULL && s->steps >= steps
          && lab_session_get_weights (session) != NULL)
        return TRUE;
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* "window > box > labsidebar > ... > dropdown" */
static char *
widget_path (GtkWidget *widget)
{
  GString *path = g_string_new (NULL);

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (w));

      /* GtkBuilder's made-up ids ("___object_4___") say nothing */
      if (id != NULL && g_str_has_prefix (id, "___"))
        id = NULL;

      g_string_prepend (path, gtk_widget_get_css_name (w));
      if (id != NULL)
        {
          g_string_insert_c (path, strlen (gtk_widget_get_css_name (w)), '#');
          g_string_insert (path, strlen (gtk_widget_get_css_name (w)) + 1, id);
        }
      if (gtk_widget_get_parent (w) != NULL)
        g_string_prepend (path, " > ");
    }
  return g_string_free (path, FALSE);
}

/* What a user operates: buttons, toggles, sliders, fields, menus. The parts inside a
 * composite control (a spin button's text, a drop-down's button) are the control's own
 * business: the composite itself is checked. */
static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_RANGE (widget)
         || GTK_IS_SPIN_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) || GTK_IS_ENTRY (widget)
         || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget);
}

static gboolean
inside_composite (GtkWidget *widget)
{
  /* a scrollbar's range too: the scrolled window it belongs to scrolls with the keys; and
   * the title bar's minimise, maximise and close, which GTK keeps out of the Tab chain on
   * purpose (the desktop's keys and Ctrl+W do the same) */
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_DROP_DOWN (w) || GTK_IS_MENU_BUTTON (w) || GTK_IS_SPIN_BUTTON (w)
        || GTK_IS_SCROLLBAR (w) || GTK_IS_WINDOW_CONTROLS (w))
      return TRUE;
  return FALSE;
}

/* The text a widget shows itself, e.g. a button's label or the label inside its box. */
static gboolean
has_own_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      return text != NULL && text[0] != '\0';
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_own_text (child))
      return TRUE;
  return FALSE;
}

static gboolean
has_name (GtkWidget *widget)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  gboolean button = GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget)
                    || GTK_IS_MENU_BUTTON (widget);

  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return TRUE;
  /* GTK labels every button by its child, even when the child is only an icon: for
   * buttons the child's text is checked below instead */
  if (!button && gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                                   GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (tooltip != NULL && tooltip[0] != '\0')
    return TRUE;
  /* a button says what it does with its label; a slider or a field's text is its value,
   * not its name */
  if (button && has_own_text (widget))
    return TRUE;
  return FALSE;
}

static gboolean
can_take_focus (GtkWidget *widget)
{
  if (gtk_widget_get_focusable (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (can_take_focus (child))
      return TRUE;
  return FALSE;
}

typedef struct {
  const char *view;
  GPtrArray *unnamed;      /* char *, one line per problem */
  GPtrArray *unfocusable;
  GPtrArray *undescribed;
  GHashTable *seen;        /* widgets already reported */
  GHashTable *tabbed;      /* the widgets that Tab gave the focus to, on this view */
  guint n_controls;
  guint n_charts;
} Walk;

static void
report (Walk *walk, GPtrArray *list, GtkWidget *widget, const char *what)
{
  g_autofree char *path = NULL;

  if (!g_hash_table_add (walk->seen, g_strdup_printf ("%p %s", (void *) widget, what)))
    return;
  path = widget_path (widget);
  g_ptr_array_add (list, g_strdup_printf ("%s view: %s %s (%s)", walk->view,
                                          G_OBJECT_TYPE_NAME (widget), what, path));
}

/* Presses Tab until the focus comes back round: the widgets that got it. */
static GHashTable *
tab_through (GtkWidget *window)
{
  GHashTable *reached = g_hash_table_new (NULL, NULL);

  gtk_root_set_focus (GTK_ROOT (window), NULL);
  for (guint i = 0; i < 5000; i++)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD))
        break;
      focus = gtk_root_get_focus (GTK_ROOT (window));
      if (focus == NULL || !g_hash_table_add (reached, focus))
        break;
    }
  return reached;
}

/* The control, or a part of it (a drop-down's button, a spin button's text), had the focus. */
static gboolean
tab_reaches (GHashTable *tabbed, GtkWidget *control)
{
  GHashTableIter iter;
  gpointer focus;

  g_hash_table_iter_init (&iter, tabbed);
  while (g_hash_table_iter_next (&iter, &focus, NULL))
    if (focus == control || gtk_widget_is_ancestor (focus, control))
      return TRUE;
  return FALSE;
}

/* Visits what a user can see now: mapped widgets only, so that a view's controls are
 * checked while that view is shown. */
static void
walk_widget (Walk *walk, GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (LAB_IS_CHART (widget))
    {
      const char *description = lab_chart_get_description (LAB_CHART (widget));

      walk->n_charts++;
      g_assert_true (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget))
                     == GTK_ACCESSIBLE_ROLE_IMG);
      if (description == NULL || description[0] == '\0')
        report (walk, walk->undescribed, widget, "has no text summary");
      else
        g_test_message ("%s view plot: %s", walk->view, description);
    }
  else if (is_control (widget) && !inside_composite (widget))
    {
      walk->n_controls++;
      if (!has_name (widget))
        report (walk, walk->unnamed, widget, "has no accessible name");
      if (!can_take_focus (widget))
        report (walk, walk->unfocusable, widget, "cannot take the keyboard focus");
      else if (gtk_widget_is_sensitive (widget) && !tab_reaches (walk->tabbed, widget))
        report (walk, walk->unfocusable, widget, "is never reached with Tab");
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk_widget (walk, child);
}

static void
print_list (const char *title, GPtrArray *list)
{
  if (list->len == 0)
    return;
  g_test_message ("%s: %u", title, list->len);
  for (guint i = 0; i < list->len; i++)
    g_test_message ("  %s", (const char *) g_ptr_array_index (list, i));
}

static LabWindow *
open_trained_window (const char *data, const char *preset, long steps)
{
  LabWindow *window = lab_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, data, preset, FALSE, "training");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for_steps (window, 0, 60));
  /* a few batches, so that every plot has something to summarise */
  for (long i = 0; i < steps; i++)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_true (wait_for_steps (window, steps, 60));
  spin_for (0.5);
  return window;
}

/* Walks the first n_views views of a window trained on `data` with `preset`, lists every
 * control without a name or keyboard access and every plot without a summary, and returns
 * how many. */
static guint
check_views (const char *data, const char *preset, guint n_views)
{
  LabWindow *window = open_trained_window (data, preset, 3);
  const char *const *views = lab_window_get_view_names ();
  guint problems;
  Walk walk = {
    .unnamed = g_ptr_array_new_with_free_func (g_free),
    .unfocusable = g_ptr_array_new_with_free_func (g_free),
    .undescribed = g_ptr_array_new_with_free_func (g_free),
    .seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
  };

  for (guint v = 0; v < n_views; v++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", views[v]);
      g_assert_cmpstr (lab_window_get_view (window), ==, views[v]);
      /* the crossfade and the view's first analysis of the weights */
      spin_for (1.5);
      walk.view = views[v];
      walk.tabbed = tab_through (GTK_WIDGET (window));
      g_test_message ("%s view: Tab reaches %u widgets", views[v], g_hash_table_size (walk.tabbed));
      walk_widget (&walk, GTK_WIDGET (window));
      g_hash_table_unref (walk.tabbed);
    }

  g_test_message ("%s on %s: %u controls and %u plots checked", preset, data, walk.n_controls,
                  walk.n_charts);
  print_list ("controls without an accessible name", walk.unnamed);
  print_list ("controls out of keyboard reach", walk.unfocusable);
  print_list ("plots without a text summary", walk.undescribed);
  /* the walk saw the window: the header bar's buttons, the sidebar and a chart per view */
  g_assert_cmpuint (walk.n_controls, >, 20);
  g_assert_cmpuint (walk.n_charts, >=, n_views);
  problems = walk.unnamed->len + walk.unfocusable->len + walk.undescribed->len;

  g_ptr_array_unref (walk.unnamed);
  g_ptr_array_unref (walk.unfocusable);
  g_ptr_array_unref (walk.undescribed);
  g_hash_table_unref (walk.seen);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.1);
  return problems;
}

/* Images with a VAE (every image view has something to show), then a time series with the
 * sequence model (the Sequences view), then the sidebar sections of the other families;
 * every problem of all of them is listed before failing. */
static void
test_every_view (void)
{
  guint problems = check_views ("digits", "vae", g_strv_length ((char **) lab_window_get_view_names ()))
                   + check_views ("sines", "sequence", g_strv_length ((char **) lab_window_get_view_names ()));

  /* the sidebar's sections of the other families, shown with their presets */
  problems += check_views ("digits", "sparse", 1) + check_views ("digits", "contractive", 1)
              + check_views ("digits", "denoising", 1);

  g_assert_cmpuint (problems, ==, 0);
}

/* The checks themselves find what they are meant to find. */
static void
test_checks_detect (void)
{
  GtkWidget *bare = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.1);
  GtkWidget *labelled = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.1);
  GtkWidget *tipped = gtk_spin_button_new_with_range (0, 1, 0.1);
  GtkWidget *icon_only = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  GtkWidget *text_button = gtk_button_new_with_mnemonic ("_Copy");
  GtkWidget *label = gtk_label_new ("Level");

  g_object_ref_sink (bare);
  g_object_ref_sink (labelled);
  g_object_ref_sink (tipped);
  g_object_ref_sink (icon_only);
  g_object_ref_sink (text_button);
  g_object_ref_sink (label);

  gtk_accessible_update_relation (GTK_ACCESSIBLE (labelled), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  gtk_widget_set_tooltip_text (tipped, "How strong the noise is");

  g_assert_false (has_name (bare));
  g_assert_true (has_name (labelled));
  g_assert_true (has_name (tipped));
  g_assert_false (has_name (icon_only));
  g_assert_true (has_name (text_button));
  g_assert_true (can_take_focus (tipped));
  gtk_widget_set_focusable (icon_only, FALSE);
  g_assert_false (can_take_focus (icon_only));

  /* Tab reaches a focusable button and a spin button's text, not a button kept out */
  {
    GtkWidget *window = gtk_window_new ();
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
    GtkWidget *reached = gtk_button_new_with_label ("Reached");
    GtkWidget *spin = gtk_spin_button_new_with_range (0, 1, 0.1);
    GtkWidget *skipped = gtk_button_new_with_label ("Skipped");
    GHashTable *tabbed;

    gtk_widget_set_focusable (skipped, FALSE);
    gtk_box_append (GTK_BOX (box), reached);
    gtk_box_append (GTK_BOX (box), spin);
    gtk_box_append (GTK_BOX (box), skipped);
    gtk_window_set_child (GTK_WINDOW (window), box);
    gtk_window_present (GTK_WINDOW (window));
    spin_for (0.2);
    tabbed = tab_through (window);
    g_assert_true (tab_reaches (tabbed, reached));
    g_assert_true (tab_reaches (tabbed, spin));
    g_assert_false (tab_reaches (tabbed, skipped));
    g_hash_table_unref (tabbed);
    gtk_window_destroy (GTK_WINDOW (window));
  }

  g_object_unref (bare);
  g_object_unref (labelled);
  g_object_unref (tipped);
  g_object_unref (icon_only);
  g_object_unref (text_button);
  g_object_unref (label);
}

/* --- keyboard shortcuts ----------------------------------------------------------------- */

/* The values of every `<property name="NAME">VALUE</property>` in the shortcuts window. */
static GPtrArray *
help_overlay_values (const char *name)
{
  g_autoptr(GBytes) bytes =
    g_resources_lookup_data ("/io/github/latentlab/LatentLab/gtk/help-overlay.ui", 0, NULL);
  g_autofree char *open = g_strdup_printf ("<property name=\"%s\">", name);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  const char *text;

  g_assert_nonnull (bytes);
  text = g_bytes_get_data (bytes, NULL);
  for (const char *at = strstr (text, open); at != NULL; at = strstr (at, open))
    {
      const char *end;

      at += strlen (open);
      end = strchr (at, '<');
      g_assert_nonnull (end);
      g_ptr_array_add (values, g_strndup (at, end - at));
    }
  return values;
}

static gboolean
window_has_action (GtkWidget *window, const char *detailed)
{
  g_autofree char *name = NULL;
  g_autoptr(GVariant) target = NULL;
  const char *action, *property;
  const GVariantType *parameter;
  GType owner;

  g_assert_true (g_action_parse_detailed_name (detailed, &name, &target, NULL));
  /* actions of the GtkApplicationWindow itself (win.show-help-overlay) */
  if (g_str_has_prefix (name, "win.")
      && g_action_group_has_action (G_ACTION_GROUP (window), name + 4))
    return TRUE;
  /* actions installed on the widget classes (win.*, window.close) */
  for (guint i = 0; gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (window), i, &owner,
                                                   &action, &parameter, &property); i++)
    if (strcmp (action, name) == 0)
      return TRUE;
  return FALSE;
}

static void
ignore_bus_warning (const char *domain, GLogLevelFlags level, const char *message,
                    gpointer data)
{
}

static gboolean
not_fatal_without_bus (const char *domain, GLogLevelFlags level, const char *message,
                       gpointer data)
{
  /* Xvfb has no session bus: GtkApplication says so and goes on without it */
  return strstr (message, "session bus") == NULL;
}

static void
test_shortcuts (void)
{
  g_autoptr(LabApplication) app = lab_application_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listed = help_overlay_values ("action-name");
  g_autoptr(GPtrArray) accelerators = help_overlay_values ("accelerator");
  g_auto(GStrv) bound = NULL;
  const char *const *views = lab_window_get_view_names ();
  GtkWidget *window;
  guint handler;

  g_test_log_set_fatal_handler (not_fatal_without_bus, NULL);
  handler = g_log_set_handler ("Gtk", G_LOG_LEVEL_WARNING, ignore_bus_warning, NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = GTK_WIDGET (lab_window_new (GTK_APPLICATION (app)));

  /* every shortcut shown has a key and an action behind it */
  g_assert_cmpuint (listed->len, >=, 12);
  for (guint i = 0; i < listed->len; i++)
    {
      const char *action = g_ptr_array_index (listed, i);
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

      g_test_message ("%s: %s", action, accels[0] != NULL ? accels[0] : "(none)");
      g_assert_nonnull (accels[0]);
      if (g_str_has_prefix (action, "app."))
        g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), action + 4));
      else
        g_assert_true (window_has_action (window, action));
    }

  /* every key bound is shown: by its action, or in the views' range */
  bound = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  for (guint i = 0; bound[i] != NULL; i++)
    {
      gboolean shown = g_ptr_array_find_with_equal_func (listed, bound[i], g_str_equal, NULL);

      if (g_str_has_prefix (bound[i], "win.view::"))
        shown = g_ptr_array_find_with_equal_func (accelerators,
                                                  "&lt;Control&gt;1...8 &lt;Alt&gt;1...8",
                                                  g_str_equal, NULL)
                || g_ptr_array_find_with_equal_func (accelerators,
                                                     "<Control>1...8 <Alt>1...8",
                                                     g_str_equal, NULL);
      if (!shown)
        g_test_message ("bound but not in the shortcuts window: %s", bound[i]);
      g_assert_true (shown);
      g_assert_true (g_str_has_prefix (bound[i], "app.") || window_has_action (window, bound[i]));
    }

  /* the views: Ctrl+N and Alt+N for the Nth */
  for (guint v = 0; views[v] != NULL; v++)
    {
      g_autofree char *detailed = g_strdup_printf ("win.view::%s", views[v]);
      g_autofree char *control = g_strdup_printf ("<Control>%u", v + 1);
      g_auto(GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), control);

      g_assert_true (g_strv_contains ((const char *const *) actions, detailed));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_log_remove_handler ("Gtk", handler);
}

/* --- presentation mode ------------------------------------------------------------------ */

static double
distance (LabRgba a, LabRgba b)
{
  return fabs (a.r - b.r) + fabs (a.g - b.g) + fabs (a.b - b.b);
}

/* Runs the main loop until the sidebar's flap has slid fully in (mapped) or out; FALSE
 * when ten seconds went by first. */
static gboolean
wait_for_sidebar (LabWindow *window, gboolean mapped)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (gtk_widget_get_mapped (GTK_WIDGET (window->sidebar)) != mapped)
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

static void
test_presentation (void)
{
  LabWindow *window = open_trained_window ("digits", "undercomplete", 1);
  LabChart *chart = LAB_CHART (lab_training_view_get_chart (_lab_window_get_training_view (window),
                                                            LAB_TRAINING_PICTURE_LOSS));
  LabPlotStyle normal = *lab_chart_get_style (chart);
  const LabPlotStyle *style;

  g_assert_false (lab_window_get_presentation (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.presentation", NULL);
  spin_for (0.3);
  style = lab_chart_get_style (chart);
  g_assert_true (lab_window_get_presentation (window));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  /* larger text, thicker lines, secondary text and grid closer to the foreground */
  g_assert_cmpfloat (style->font_scale, >=, normal.font_scale * 1.3);
  g_assert_cmpfloat (style->line_scale, >=, normal.line_scale * 1.9);
  g_assert_cmpfloat (distance (style->muted, style->foreground), <,
                     distance (normal.muted, normal.foreground));
  g_assert_cmpfloat (distance (style->grid, style->background), >,
                     distance (normal.grid, normal.background));
  /* the commands come into the window; the sidebar leaves the plots' width and opens over
   * them on F9's action */
  g_assert_true (gtk_widget_get_visible (window->presentation_bar));
  /* once it has folded away (an animation) */
  g_assert_true (wait_for_sidebar (window, FALSE));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sidebar", NULL);
  g_assert_true (wait_for_sidebar (window, TRUE));
  g_assert_true (adw_flap_get_folded (window->flap));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (window->settings_button)));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.leave-presentation", NULL);
  spin_for (0.3);
  style = lab_chart_get_style (chart);
  g_assert_false (lab_window_get_presentation (window));
  g_assert_cmpfloat_with_epsilon (style->font_scale, normal.font_scale, 1e-9);
  g_assert_cmpfloat_with_epsilon (style->line_scale, normal.line_scale, 1e-9);
  g_assert_false (gtk_widget_get_visible (window->presentation_bar));
  g_assert_true (wait_for_sidebar (window, TRUE));
  g_assert_false (adw_flap_get_folded (window->flap));
  /* and F9 hides and shows it at the side */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sidebar", NULL);
  g_assert_false (adw_flap_get_reveal_flap (window->flap));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sidebar", NULL);
  g_assert_true (adw_flap_get_reveal_flap (window->flap));

  /* no window manager here: the notification stands for the desktop's reports, the window
   * never being full screen. Right after presenting starts, "not full screen" is the desktop
   * catching up: the presentation stays and asks again. Later it is the desktop taking full
   * screen away, which ends the presentation too. */
  lab_window_set_presentation (window, TRUE);
  spin_for (0.3);
  g_assert_false (gtk_window_is_fullscreen (GTK_WINDOW (window)));
  g_object_notify (G_OBJECT (window), "fullscreened");
  g_assert_true (lab_window_get_presentation (window));
  spin_for ((double) LAB_FULLSCREEN_SETTLE_US / G_USEC_PER_SEC);
  g_object_notify (G_OBJECT (window), "fullscreened");
  g_assert_false (lab_window_get_presentation (window));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));

  /* a window closed while presenting takes its folded sidebar with it */
  lab_window_set_presentation (window, TRUE);
  spin_for (0.3);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-sidebar", NULL);
  spin_for (1.0);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.1);
}

int
main (int argc, char **argv)
{
  /* the test context records what widgets declare, with no session bus needed under Xvfb */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_test_init (&argc, &argv, NULL);
  adw_init (); /* GTK, and the Adwaita style the program has */

  g_test_add_func ("/accessibility/checks-detect", test_checks_detect);
  g_test_add_func ("/accessibility/shortcuts", test_shortcuts);
  g_test_add_func ("/accessibility/presentation", test_presentation);
  g_test_add_func ("/accessibility/every-view", test_every_view);

  return g_test_run ();
}
