/* lab-pca-view.c: the view's frame; its contents are being built. */
#include "lab-pca-view.h"

struct _LabPcaView {
  GtkWidget parent_instance;

  LabSession *session;
};

G_DEFINE_FINAL_TYPE (LabPcaView, lab_pca_view, GTK_TYPE_WIDGET)

GtkWidget *
lab_pca_view_new (void)
{
  return g_object_new (LAB_TYPE_PCA_VIEW, NULL);
}

void
lab_pca_view_set_session (LabPcaView *self, LabSession *session)
{
  g_return_if_fail (LAB_IS_PCA_VIEW (self));
  g_set_object (&self->session, session);
}

static void
lab_pca_view_dispose (GObject *object)
{
  LabPcaView *self = LAB_PCA_VIEW (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (lab_pca_view_parent_class)->dispose (object);
}

static void
lab_pca_view_class_init (LabPcaViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lab_pca_view_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "labpcaview");
}

static void
lab_pca_view_init (LabPcaView *self)
{
  GtkWidget *label = gtk_label_new ("This view is being built.");

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_parent (label, GTK_WIDGET (self));
}
