/* test-accessibility.c: every control of every view has an accessible name and can take
 * the keyboard focus, and every plot carries a text summary for screen readers.
 *
 * GTK 4.8 has no public getter for accessible properties, but its testing API
 * (gtk_test_accessible_has_property, _has_relation) reads what the widgets declared. A
 * control counts as named when it has a label property, a labelled-by relation, text of its
 * own (a button's label) or a tooltip (GTK makes it the description that screen readers
 * speak). Every offender is listed before the test fails, with its type and its path of
 * CSS names, so that it can be found.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-accessibility --tap` with
 * GSK_RENDERER=cairo.
 */
#include <string.h>

#include "lab-chart.h"
#include "lab-window-private.h"

static const char *const views[] = {
  "training", "latent", "generate", "denoise", "anomaly", "inside", "pca", "sequence",
};

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
  /* a scrollbar's range too: the scrolled window it belongs to scrolls with the keys */
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_DROP_DOWN (w) || GTK_IS_MENU_BUTTON (w) || GTK_IS_SPIN_BUTTON (w)
        || GTK_IS_SCROLLBAR (w))
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
    }
  else if (is_control (widget) && !inside_composite (widget))
    {
      walk->n_controls++;
      if (!has_name (widget))
        report (walk, walk->unnamed, widget, "has no accessible name");
      if (!can_take_focus (widget))
        report (walk, walk->unfocusable, widget, "cannot take the keyboard focus");
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

/* Walks every view of a window trained on `data` with `preset`, lists every control without
 * a name or keyboard access and every plot without a summary, and returns how many. */
static guint
check_every_view (const char *data, const char *preset)
{
  LabWindow *window = open_trained_window (data, preset, 3);
  guint problems;
  Walk walk = {
    .unnamed = g_ptr_array_new_with_free_func (g_free),
    .unfocusable = g_ptr_array_new_with_free_func (g_free),
    .undescribed = g_ptr_array_new_with_free_func (g_free),
    .seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
  };

  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", views[v]);
      g_assert_cmpstr (lab_window_get_view (window), ==, views[v]);
      /* the crossfade and the view's first analysis of the weights */
      spin_for (1.5);
      walk.view = views[v];
      walk_widget (&walk, GTK_WIDGET (window));
    }

  g_test_message ("%s on %s: %u controls and %u plots checked", preset, data, walk.n_controls,
                  walk.n_charts);
  print_list ("controls without an accessible name", walk.unnamed);
  print_list ("controls out of keyboard reach", walk.unfocusable);
  print_list ("plots without a text summary", walk.undescribed);
  /* the walk saw the window: the header bar's buttons, the sidebar and a chart per view */
  g_assert_cmpuint (walk.n_controls, >, 20);
  g_assert_cmpuint (walk.n_charts, >=, G_N_ELEMENTS (views));
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
 * sequence model (the Sequences view); every problem of both is listed before failing. */
static void
test_every_view (void)
{
  guint problems = check_every_view ("digits", "vae") + check_every_view ("sines", "sequence");

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

  g_object_unref (bare);
  g_object_unref (labelled);
  g_object_unref (tipped);
  g_object_unref (icon_only);
  g_object_unref (text_button);
  g_object_unref (label);
}

int
main (int argc, char **argv)
{
  /* the test context records what widgets declare, with no session bus needed under Xvfb */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add_func ("/accessibility/checks-detect", test_checks_detect);
  g_test_add_func ("/accessibility/every-view", test_every_view);

  return g_test_run ();
}
