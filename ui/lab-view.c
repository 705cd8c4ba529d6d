/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-view.c: the base of the window's views.
 *
 * A view follows one session: the base holds it, connects to its "snapshot" signal and
 * hands each snapshot to the view while the view is shown. A hidden view computes nothing
 * (the window keeps every view in a stack, and training sends several snapshots a second);
 * shown again, it catches up with the newest snapshot. The base also leaves no child behind
 * when the view goes.
 */
#include "lab-view.h"

#include "lab-chart.h"
#include "lab-reflow.h"

typedef struct {
  LabSession *session;
  gboolean stale; /* something came while the view was hidden */
} LabViewPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LabView, lab_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lab_view_on_snapshot (LabView *self, LabSnapshot *snapshot)
{
  LabViewPrivate *priv = lab_view_get_instance_private (self);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      priv->stale = TRUE;
      return;
    }
  priv->stale = FALSE;
  if (LAB_VIEW_GET_CLASS (self)->snapshot != NULL)
    LAB_VIEW_GET_CLASS (self)->snapshot (self, snapshot);
}

static void
lab_view_real_refresh (LabView *self)
{
  LabViewPrivate *priv = lab_view_get_instance_private (self);
  LabSnapshot *snapshot = priv->session != NULL ? lab_session_get_snapshot (priv->session) : NULL;

  if (priv->stale && snapshot != NULL)
    lab_view_on_snapshot (self, snapshot);
  priv->stale = FALSE;
}

static void
lab_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lab_view_parent_class)->map (widget);
  LAB_VIEW_GET_CLASS (widget)->refresh (LAB_VIEW (widget));
}

LabSession *
lab_view_get_session (LabView *self)
{
  LabViewPrivate *priv = lab_view_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_VIEW (self), NULL);
  return priv->session;
}

void
lab_view_set_session (LabView *self, LabSession *session)
{
  LabViewPrivate *priv = lab_view_get_instance_private (self);
  LabSnapshot *snapshot;

  g_return_if_fail (LAB_IS_VIEW (self));
  g_return_if_fail (session == NULL || LAB_IS_SESSION (session));

  if (!lab_session_replace (&priv->session, session, self))
    return;
  priv->stale = FALSE;
  if (LAB_VIEW_GET_CLASS (self)->session_changed != NULL)
    LAB_VIEW_GET_CLASS (self)->session_changed (self, session);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "snapshot", G_CALLBACK (lab_view_on_snapshot), self);
      if ((snapshot = lab_session_get_snapshot (session)) != NULL)
        lab_view_on_snapshot (self, snapshot);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

gboolean
lab_view_get_shown (LabView *self)
{
  LabViewPrivate *priv = lab_view_get_instance_private (self);

  g_return_val_if_fail (LAB_IS_VIEW (self), FALSE);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    return TRUE;
  priv->stale = TRUE;
  return FALSE;
}

static void
lab_view_dispose (GObject *object)
{
  LabView *self = LAB_VIEW (object);
  LabViewPrivate *priv = lab_view_get_instance_private (self);
  GtkWidget *child;

  /* quietly: the view that would be told of it is going */
  lab_session_replace (&priv->session, NULL, self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (lab_view_parent_class)->dispose (object);
}

static void
lab_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LabView *self = LAB_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, lab_view_get_session (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LabView *self = LAB_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION: lab_view_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_view_class_init (LabViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_view_dispose;
  object_class->get_property = lab_view_get_property;
  object_class->set_property = lab_view_set_property;
  widget_class->map = lab_view_map;
  klass->refresh = lab_view_real_refresh;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, LAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

void
lab_view_class_set_template (LabViewClass *klass, GType layout_manager, const char *css_name,
                             const char *name)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  g_autofree char *path = g_strconcat ("/io/github/latentlab/LatentLab/ui/", name, NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, layout_manager);
  gtk_widget_class_set_css_name (widget_class, css_name);
  g_type_ensure (LAB_TYPE_CHART);
  g_type_ensure (LAB_TYPE_REFLOW);
  gtk_widget_class_set_template_from_resource (widget_class, path);
}

static void
lab_view_init (LabView *self)
{
}
