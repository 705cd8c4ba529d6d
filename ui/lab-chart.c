/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-chart.c: LabChart, the widget behind every plot.
 *
 * It keeps a draw function and its data, draws them through gtk_snapshot_append_cairo with
 * a LabPlotStyle whose colours come from the theme (looked up once per CSS change), and turns
 * pointer input into signals in widget coordinates:
 *
 *   motion (x, y)         the pointer moved over the chart
 *   leave ()              the pointer left
 *   pressed (n, x, y)     primary button pressed (n = 1, 2 for double press)
 *   clicked (x, y)        primary button released without a drag
 *   drag-begin (x, y)     a drag passed the threshold; (x, y) is where it started
 *   drag-update (x, y)    the pointer's current position during a drag
 *   drag-end (x, y)       the drag ended there
 *   scroll (x, y, dy)     wheel over (x, y): dy > 0 is towards the user (zoom out)
 */
#include "lab-chart.h"

#include <math.h>
#include <string.h>

#define EXPORT_DEFAULT_WIDTH 960
#define EXPORT_DEFAULT_HEIGHT 600

/* Presentation mode (the CSS class "presentation" on the window) multiplies the chart's own
 * scale: text to be read from the back of a room, lines to be seen on a washed-out projector. */
#define PRESENTATION_FONT_SCALE 1.4
#define PRESENTATION_LINE_SCALE 2.0

/* the presentation-scale setting, the same for every window */
static double presentation_scale = 1.0;

struct _LabChart
{
  GtkWidget parent_instance;

  LabPlotDrawFunc draw;
  gpointer data;
  GDestroyNotify destroy;

  LabPlotStyle style;
  double scale;
  gboolean presenting;     /* the window has the "presentation" CSS class */
  char *description;       /* the view's own words, or NULL */
  char *auto_description;  /* else what the plot's summary says, updated as it is drawn */

  double pointer_x, pointer_y;
  double drag_start_x, drag_start_y;
  gboolean dragging;
  gboolean moved_since_press;
};

G_DEFINE_FINAL_TYPE (LabChart, lab_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SCALE,
  PROP_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MOTION,
  LEAVE,
  PRESSED,
  CLICKED,
  DRAG_BEGIN,
  DRAG_UPDATE,
  DRAG_END,
  SCROLL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static LabRgba
rgba_from_gdk (const GdkRGBA *c)
{
  return (LabRgba){ c->red, c->green, c->blue, c->alpha };
}

static LabRgba
rgba_mix (LabRgba from, LabRgba to, double t)
{
  return (LabRgba){ from.r + (to.r - from.r) * t, from.g + (to.g - from.g) * t,
                    from.b + (to.b - from.b) * t, 1.0 };
}

static double
luminance (LabRgba c)
{
  return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
}

/* The first of `names` that the theme defines (GTK's own names and libadwaita's). */
static gboolean
lookup_color (GtkWidget *widget, const char *const *names, LabRgba *out)
{
  gboolean found = FALSE;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  for (int i = 0; names[i] != NULL && !found; i++)
    {
      GdkRGBA color;
      if (gtk_style_context_lookup_color (context, names[i], &color))
        {
          *out = rgba_from_gdk (&color);
          found = TRUE;
        }
    }
  G_GNUC_END_IGNORE_DEPRECATIONS
  return found;
}

static void
lab_chart_apply_scale (LabChart *self)
{
  self->style.font_scale = self->scale * (self->presenting ? PRESENTATION_FONT_SCALE * presentation_scale : 1.0);
  self->style.line_scale = self->scale * (self->presenting ? PRESENTATION_LINE_SCALE * presentation_scale : 1.0);
}

void
lab_chart_set_presentation_scale (double scale)
{
  g_return_if_fail (scale > 0);
  presentation_scale = scale;
}

static void
lab_chart_update_style (LabChart *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  static const char *const foreground_names[] = { "theme_fg_color", "window_fg_color", NULL };
  static const char *const background_names[] = { "theme_base_color", "view_bg_color",
                                                  "theme_bg_color", "window_bg_color", NULL };
  static const char *const accent_names[] = { "accent_color", "accent_bg_color",
                                              "theme_selected_bg_color", NULL };
  LabRgba foreground, background, accent;
  gboolean have_foreground = lookup_color (widget, foreground_names, &foreground);
  gboolean have_background = lookup_color (widget, background_names, &background);

  gboolean dark;
  if (have_foreground)
    dark = luminance (foreground) > 0.5;
  else
    {
      gboolean prefer_dark = FALSE;
      g_object_get (gtk_widget_get_settings (widget), "gtk-application-prefer-dark-theme",
                    &prefer_dark, NULL);
      dark = prefer_dark;
    }
  if (dark)
    lab_plot_style_init_dark (&self->style);
  else
    lab_plot_style_init_light (&self->style);

  if (have_foreground)
    self->style.foreground = foreground;
  if (have_background)
    self->style.background = background;
  if (lookup_color (widget, accent_names, &accent))
    self->style.accent = accent;
  if (have_foreground && have_background)
    {
      self->style.muted = rgba_mix (self->style.background, self->style.foreground, 0.65);
      self->style.grid = rgba_mix (self->style.background, self->style.foreground, 0.10);
    }
  /* The CSS of the chart's container paints behind it (cards have rounded corners). */
  self->style.fill_background = FALSE;

  /* runs again whenever the window's CSS classes change (lab_chart_root) */
  GtkRoot *root = gtk_widget_get_root (widget);
  self->presenting = root != NULL && gtk_widget_has_css_class (GTK_WIDGET (root), "presentation");
  if (self->presenting && have_foreground && have_background)
    {
      /* high contrast: secondary text nearly as dark as the main text, visible grid lines */
      self->style.muted = rgba_mix (self->style.background, self->style.foreground, 0.9);
      self->style.grid = rgba_mix (self->style.background, self->style.foreground, 0.25);
    }
  lab_chart_apply_scale (self);
}

static void
lab_chart_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  LabChart *self = LAB_CHART (widget);

  GTK_WIDGET_CLASS (lab_chart_parent_class)->css_changed (widget, change);
  lab_chart_update_style (self);
  gtk_widget_queue_draw (widget);
}

/* A list of the picture's rows: "input, reconstruction and |error| (12 images each)". */
static void
describe_image_grid (const LabImageGridData *grid, GString *text)
{
  if (grid->n_rows <= 0)
    {
      g_string_append (text, grid->empty_text != NULL ? grid->empty_text : "no images yet");
      return;
    }
  g_string_append_printf (text, "%d rows of %d x %d images:", grid->n_rows, grid->image_width,
                          grid->image_height);
  for (int r = 0; r < grid->n_rows; r++)
    g_string_append_printf (text, "%s %s (%d)", r > 0 ? "," : "",
                            grid->rows[r].label != NULL ? grid->rows[r].label : "images",
                            grid->rows[r].n_images);
}

static void
describe_sequence (const LabSequenceData *sequence, GString *text)
{
  int unusual = 0;

  if (sequence->input == NULL || sequence->n_steps <= 0)
    {
      g_string_append (text, sequence->empty_text != NULL ? sequence->empty_text : "no data yet");
      return;
    }
  for (int i = 0; sequence->anomalous != NULL && i < sequence->n_steps; i++)
    unusual += sequence->anomalous[i] != 0;
  g_string_append_printf (text, "a sequence of %d steps with %d feature%s%s", sequence->n_steps,
                          sequence->n_features, sequence->n_features == 1 ? "" : "s",
                          sequence->reconstruction != NULL ? ", and its reconstruction" : "");
  if (sequence->anomalous != NULL)
    g_string_append_printf (text, "; %d steps marked unusual", unusual);
}

/* In words, what the plot shows now, for screen readers, when the view gave no description
 * of its own: the plot's summary (current losses, class counts, threshold, AUROC) or a list
 * of what the picture holds. */
static char *
lab_chart_describe (LabChart *self)
{
  char summary[1024] = "";
  const char *title = NULL;
  GString *text;

  if (self->draw == NULL || self->data == NULL)
    return NULL;

  text = g_string_new (NULL);
  if (self->draw == lab_plot_loss_draw_func)
    {
      title = ((const LabLossData *) self->data)->title;
      lab_plot_loss_summary (self->data, summary, sizeof summary);
    }
  else if (self->draw == lab_plot_scatter_draw_func)
    {
      title = ((const LabScatterData *) self->data)->title;
      lab_plot_scatter_summary (self->data, summary, sizeof summary);
    }
  else if (self->draw == lab_plot_histogram_draw_func)
    {
      title = ((const LabHistogramData *) self->data)->title;
      lab_plot_histogram_summary (self->data, summary, sizeof summary);
    }
  else if (self->draw == lab_plot_roc_draw_func)
    {
      title = ((const LabRocData *) self->data)->title;
      lab_plot_roc_summary (self->data, summary, sizeof summary);
    }
  else if (self->draw == lab_plot_bars_draw_func)
    {
      title = ((const LabBarsData *) self->data)->title;
      lab_plot_bars_summary (self->data, summary, sizeof summary);
    }
  else if (self->draw == lab_plot_image_grid_draw_func)
    {
      GString *rows = g_string_new (NULL);

      title = ((const LabImageGridData *) self->data)->title;
      describe_image_grid (self->data, rows);
      g_strlcpy (summary, rows->str, sizeof summary);
      g_string_free (rows, TRUE);
    }
  else if (self->draw == lab_plot_sequence_draw_func)
    {
      GString *steps = g_string_new (NULL);

      title = ((const LabSequenceData *) self->data)->title;
      describe_sequence (self->data, steps);
      g_strlcpy (summary, steps->str, sizeof summary);
      g_string_free (steps, TRUE);
    }

  if (title != NULL && title[0] != '\0')
    g_string_append_printf (text, "%s: ", title);
  g_string_append (text, summary);
  if (summary[0] == '\0')
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

static void
lab_chart_update_auto_description (LabChart *self)
{
  char *text;

  if (self->description != NULL)
    return;
  text = lab_chart_describe (self);
  if (g_strcmp0 (text, self->auto_description) == 0)
    {
      g_free (text);
      return;
    }
  g_free (self->auto_description);
  self->auto_description = text;
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    text, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* Presentation mode is a CSS class on the window: the chart follows the window's classes
 * itself, so that it needs no style sheet rule to notice. */
static void
on_root_css_classes (GObject *root, GParamSpec *pspec, LabChart *self)
{
  lab_chart_update_style (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lab_chart_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lab_chart_parent_class)->root (widget);
  g_signal_connect_object (gtk_widget_get_root (widget), "notify::css-classes",
                           G_CALLBACK (on_root_css_classes), widget, 0);
  on_root_css_classes (NULL, NULL, LAB_CHART (widget));
}

static void
lab_chart_unroot (GtkWidget *widget)
{
  g_signal_handlers_disconnect_by_func (gtk_widget_get_root (widget), on_root_css_classes, widget);
  GTK_WIDGET_CLASS (lab_chart_parent_class)->unroot (widget);
}

static void
lab_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LabChart *self = LAB_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  /* drawn data is current data: its summary follows it */
  lab_chart_update_auto_description (self);
  if (self->draw == NULL || width <= 0 || height <= 0)
    return;
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  self->draw (cr, width, height, self->data, &self->style);
  cairo_destroy (cr);
}

static void
lab_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                   int *natural, int *minimum_baseline, int *natural_baseline)
{
  /* The view's size request is the chart's minimum and its natural size too: a chart that
   * expands takes the room its view has, and no chart asks a small screen for more. */
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 160 : 40;
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, LabChart *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  g_signal_emit (self, signals[MOTION], 0, x, y);
}

static void
on_leave (GtkEventControllerMotion *controller, LabChart *self)
{
  g_signal_emit (self, signals[LEAVE], 0);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LabChart *self)
{
  self->moved_since_press = FALSE;
  g_signal_emit (self, signals[PRESSED], 0, n_press, x, y);
}

static void
on_released (GtkGestureClick *gesture, int n_press, double x, double y, LabChart *self)
{
  if (!self->moved_since_press)
    g_signal_emit (self, signals[CLICKED], 0, x, y);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, LabChart *self)
{
  self->drag_start_x = x;
  self->drag_start_y = y;
  self->dragging = FALSE;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, LabChart *self)
{
  double x = self->drag_start_x + dx, y = self->drag_start_y + dy;

  /* A press that wobbles a pixel is still a click. */
  if (!self->dragging)
    {
      if (!gtk_drag_check_threshold (GTK_WIDGET (self), (int) self->drag_start_x,
                                     (int) self->drag_start_y, (int) x, (int) y))
        return;
      self->dragging = TRUE;
      self->moved_since_press = TRUE;
      g_signal_emit (self, signals[DRAG_BEGIN], 0, self->drag_start_x, self->drag_start_y);
    }
  g_signal_emit (self, signals[DRAG_UPDATE], 0, x, y);
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, LabChart *self)
{
  if (!self->dragging)
    return;
  self->dragging = FALSE;
  g_signal_emit (self, signals[DRAG_END], 0, self->drag_start_x + dx, self->drag_start_y + dy);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, LabChart *self)
{
  g_signal_emit (self, signals[SCROLL], 0, self->pointer_x, self->pointer_y, dy);
  return GDK_EVENT_STOP;
}

static void
lab_chart_finalize (GObject *object)
{
  LabChart *self = LAB_CHART (object);

  if (self->destroy != NULL && self->data != NULL)
    self->destroy (self->data);
  g_free (self->description);
  g_free (self->auto_description);

  G_OBJECT_CLASS (lab_chart_parent_class)->finalize (object);
}

static void
lab_chart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LabChart *self = LAB_CHART (object);

  switch (prop_id)
    {
    case PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_chart_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LabChart *self = LAB_CHART (object);

  switch (prop_id)
    {
    case PROP_SCALE:
      lab_chart_set_scale (self, g_value_get_double (value));
      break;
    case PROP_DESCRIPTION:
      lab_chart_set_description (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_chart_class_init (LabChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lab_chart_finalize;
  object_class->get_property = lab_chart_get_property;
  object_class->set_property = lab_chart_set_property;

  widget_class->snapshot = lab_chart_snapshot;
  widget_class->measure = lab_chart_measure;
  widget_class->css_changed = lab_chart_css_changed;
  widget_class->root = lab_chart_root;
  widget_class->unroot = lab_chart_unroot;

  properties[PROP_SCALE] =
    g_param_spec_double ("scale", NULL, NULL, 0.5, 4.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[MOTION] = g_signal_new ("motion", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[LEAVE] = g_signal_new ("leave", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 0);
  signals[PRESSED] = g_signal_new ("pressed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_DOUBLE,
                                   G_TYPE_DOUBLE);
  signals[CLICKED] = g_signal_new ("clicked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[DRAG_BEGIN] = g_signal_new ("drag-begin", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE,
                                      G_TYPE_DOUBLE);
  signals[DRAG_UPDATE] = g_signal_new ("drag-update", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[DRAG_END] = g_signal_new ("drag-end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE,
                                    G_TYPE_DOUBLE);
  signals[SCROLL] = g_signal_new ("scroll", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_DOUBLE, G_TYPE_DOUBLE,
                                  G_TYPE_DOUBLE);

  gtk_widget_class_set_css_name (widget_class, "labchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lab_chart_init (LabChart *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *scroll =
    gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  self->scale = 1.0;
  lab_plot_style_init_light (&self->style);
  self->style.fill_background = FALSE;

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (widget, motion);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (widget, scroll);
}

GtkWidget *
lab_chart_new (void)
{
  return g_object_new (LAB_TYPE_CHART, NULL);
}

void
lab_chart_set_draw_func (LabChart *self, LabPlotDrawFunc draw, gpointer data,
                         GDestroyNotify destroy)
{
  g_return_if_fail (LAB_IS_CHART (self));

  GDestroyNotify old_destroy = self->destroy;
  gpointer old_data = self->data;

  self->draw = draw;
  self->data = data;
  self->destroy = destroy;
  /* Freed after the swap, in case the old data is reachable from the new. */
  if (old_destroy != NULL && old_data != NULL)
    old_destroy (old_data);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gpointer
lab_chart_get_data (LabChart *self)
{
  g_return_val_if_fail (LAB_IS_CHART (self), NULL);

  return self->data;
}

void
lab_chart_redraw (LabChart *self)
{
  g_return_if_fail (LAB_IS_CHART (self));

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const LabPlotStyle *
lab_chart_get_style (LabChart *self)
{
  g_return_val_if_fail (LAB_IS_CHART (self), NULL);

  return &self->style;
}

void
lab_chart_set_scale (LabChart *self, double scale)
{
  g_return_if_fail (LAB_IS_CHART (self));
  g_return_if_fail (scale >= 0.5 && scale <= 4.0);

  if (self->scale == scale)
    return;
  self->scale = scale;
  lab_chart_apply_scale (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE]);
}

double
lab_chart_get_scale (LabChart *self)
{
  g_return_val_if_fail (LAB_IS_CHART (self), 1.0);

  return self->scale;
}

void
lab_chart_set_description (LabChart *self, const char *description)
{
  g_return_if_fail (LAB_IS_CHART (self));

  if (g_strcmp0 (self->description, description) == 0)
    return;
  g_free (self->description);
  self->description = g_strdup (description);
  g_clear_pointer (&self->auto_description, g_free);
  if (description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    description, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

const char *
lab_chart_get_description (LabChart *self)
{
  g_return_val_if_fail (LAB_IS_CHART (self), NULL);

  return self->description != NULL ? self->description : self->auto_description;
}

void
lab_chart_draw (LabChart *self, cairo_t *cr, int width, int height)
{
  g_return_if_fail (LAB_IS_CHART (self));
  g_return_if_fail (cr != NULL);

  if (self->draw != NULL && width > 0 && height > 0)
    self->draw (cr, width, height, self->data, &self->style);
}

gboolean
lab_chart_export_sized (LabChart *self, const char *path, int width, int height, GError **error)
{
  g_return_val_if_fail (LAB_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->draw == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "Cannot export “%s”: the chart shows nothing yet", path);
      return FALSE;
    }
  cairo_status_t status = lab_plot_export (path, width, height, self->draw, self->data,
                                           &self->style);
  if (status == CAIRO_STATUS_INVALID_FORMAT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot export “%s”: the name should end in .png, .svg or .pdf", path);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot export “%s” (%d x %d): %s",
                   path, width, height, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
lab_chart_export (LabChart *self, const char *path, GError **error)
{
  g_return_val_if_fail (LAB_IS_CHART (self), FALSE);

  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  if (width <= 0 || height <= 0)
    {
      width = EXPORT_DEFAULT_WIDTH;
      height = EXPORT_DEFAULT_HEIGHT;
    }
  return lab_chart_export_sized (self, path, width, height, error);
}
