/* lab-sequence-view.c: the view's frame; its contents are being built. */
#include "lab-sequence-view.h"

struct _LabSequenceView {
  GtkWidget parent_instance;

  LabSession *session;
};

G_DEFINE_FINAL_TYPE (LabSequenceView, lab_sequence_view, GTK_TYPE_WIDGET)

GtkWidget *
lab_sequence_view_new (void)
{
  return g_object_new (LAB_TYPE_SEQUENCE_VIEW, NULL);
}

void
lab_sequence_view_set_session (LabSequenceView *self, LabSession *session)
{
  g_return_if_fail (LAB_IS_SEQUENCE_VIEW (self));
  g_set_object (&self->session, session);
}

static void
lab_sequence_view_dispose (GObject *object)
{
  LabSequenceView *self = LAB_SEQUENCE_VIEW (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (lab_sequence_view_parent_class)->dispose (object);
}

static void
lab_sequence_view_class_init (LabSequenceViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lab_sequence_view_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "labsequenceview");
}

static void
lab_sequence_view_init (LabSequenceView *self)
{
  GtkWidget *label = gtk_label_new ("This view is being built.");

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_parent (label, GTK_WIDGET (self));
}
