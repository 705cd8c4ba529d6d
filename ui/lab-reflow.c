/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-reflow.c: children side by side when they fit across, else stacked (lab-reflow.h). */
#include "lab-reflow.h"

struct _LabReflow
{
  GtkWidget parent_instance;
  int spacing;
};

G_DEFINE_FINAL_TYPE (LabReflow, lab_reflow, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The shown children's count and the width they need side by side (minimums and spacing). */
static int
lab_reflow_row_width (LabReflow *self, int *count)
{
  int width = 0;

  *count = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_should_layout (child))
      {
        int minimum;

        gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
        width += minimum + (*count > 0 ? self->spacing : 0);
        (*count)++;
      }
  return width;
}

/* Whether the children go side by side at this width of the whole, and the width each
 * gets then: its minimum and an equal share of the rest (all of the width when stacked). */
static int
lab_reflow_child_width (LabReflow *self, GtkWidget *child, int width, gboolean *across)
{
  int count, minimum;
  int row_width = lab_reflow_row_width (self, &count);

  *across = count > 1 && width >= row_width;
  if (!*across || child == NULL)
    return width;
  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return minimum + (width - row_width) / count;
}

static void
lab_reflow_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                    int *natural, int *minimum_baseline, int *natural_baseline)
{
  LabReflow *self = LAB_REFLOW (widget);
  gboolean across = FALSE;
  int count = 0;

  *minimum = *natural = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat;

      if (!gtk_widget_should_layout (child))
        continue;
      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          /* the minimum is the widest child, stacked; the natural width has them side by side */
          gtk_widget_measure (child, orientation, -1, &child_min, &child_nat, NULL, NULL);
          *minimum = MAX (*minimum, child_min);
          *natural += child_nat + (count > 0 ? self->spacing : 0);
        }
      else
        {
          int child_width = for_size < 0 ? -1 : lab_reflow_child_width (self, child, for_size, &across);

          gtk_widget_measure (child, orientation, child_width, &child_min, &child_nat, NULL, NULL);
          if (across)
            {
              *minimum = MAX (*minimum, child_min);
              *natural = MAX (*natural, child_nat);
            }
          else
            {
              *minimum += child_min + (count > 0 ? self->spacing : 0);
              *natural += child_nat + (count > 0 ? self->spacing : 0);
            }
        }
      count++;
    }
  *natural = MAX (*natural, *minimum);
}

static void
lab_reflow_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  LabReflow *self = LAB_REFLOW (widget);
  gboolean across;
  int x = 0, y = 0, count = 0, fixed = 0, growing = 0;

  lab_reflow_child_width (self, NULL, width, &across);
  /* stacked, the children that expand down share what the others leave */
  if (!across)
    for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (gtk_widget_should_layout (child))
        {
          int minimum;

          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &minimum, NULL, NULL, NULL);
          fixed += minimum + (count++ > 0 ? self->spacing : 0);
          growing += gtk_widget_compute_expand (child, GTK_ORIENTATION_VERTICAL);
        }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_height = height, child_width;

      if (!gtk_widget_should_layout (child))
        continue;
      child_width = lab_reflow_child_width (self, child, width, &across);
      if (!across)
        {
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, child_width, &child_height, NULL,
                              NULL, NULL);
          if (growing > 0 && gtk_widget_compute_expand (child, GTK_ORIENTATION_VERTICAL))
            child_height += MAX (height - fixed, 0) / growing;
        }
      gtk_widget_allocate (child, child_width, child_height, -1,
                           gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (x, y)));
      if (across)
        x += child_width + self->spacing;
      else
        y += child_height + self->spacing;
    }
}

static GtkSizeRequestMode
lab_reflow_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
lab_reflow_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (lab_reflow_parent_class)->dispose (object);
}

static void
lab_reflow_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LabReflow *self = LAB_REFLOW (object);

  switch (prop_id)
    {
    case PROP_SPACING: g_value_set_int (value, self->spacing); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_reflow_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LabReflow *self = LAB_REFLOW (object);

  switch (prop_id)
    {
    case PROP_SPACING:
      if (self->spacing != g_value_get_int (value))
        {
          self->spacing = g_value_get_int (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_reflow_class_init (LabReflowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_reflow_dispose;
  object_class->get_property = lab_reflow_get_property;
  object_class->set_property = lab_reflow_set_property;
  /* pixels between children, across and down; a template sets it */
  properties[PROP_SPACING] =
    g_param_spec_int ("spacing", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->measure = lab_reflow_measure;
  widget_class->size_allocate = lab_reflow_size_allocate;
  widget_class->get_request_mode = lab_reflow_get_request_mode;
}

static void
lab_reflow_init (LabReflow *self)
{
}

GtkWidget *
lab_reflow_new (int spacing)
{
  return g_object_new (LAB_TYPE_REFLOW, "spacing", spacing, NULL);
}

void
lab_reflow_append (LabReflow *self, GtkWidget *child)
{
  g_return_if_fail (LAB_IS_REFLOW (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  gtk_widget_set_parent (child, GTK_WIDGET (self));
}
