/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-pca-view.c: the versus PCA view.
 *
 * PCA is fitted once per dataset, in a thread, for every code size up to LAB_PCA_K_MAX; its
 * test error per image is one curve. Each time new weights come, the model is measured in a
 * thread (one measurement at a time: weights that come meanwhile wait, newer ones replace
 * them): its error is a point at its own code size, kept per (preset, code size) for the
 * rest of the window's life on this dataset, so earlier runs stay on the plot. The same
 * measurement gives a few test images reconstructed by the model and by PCA of the same
 * size, and the principal angles between the decoder's column space and PCA's subspace,
 * plotted against the training step: for a linear autoencoder they shrink towards zero.
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-chart.h"
#include "lab-pca-compare.h"
#include "lab-plot.h"
#include "lab-pca-view.h"

#define LAB_PCA_K_MAX 64
#define LAB_PCA_N_RECON 8
#define LAB_PCA_MAX_PRESETS 8

/* The final (or latest) error of a model of one preset and code size. */
typedef struct {
  char *preset;
  int k;
  double sse;
} AePoint;

/* The principal angles of one measurement, in degrees. */
typedef struct {
  double step, largest, median, smallest;
} AngleRow;

struct _LabPcaView {
  LabView parent_instance;

  /* template widgets */
  GtkLabel *status_label, *angle_label;
  LabChart *error_chart, *angle_chart, *recon_chart;

  GCancellable *cancellable;
  char *dataset_key;      /* the dataset PCA was fitted on */
  guint generation;

  LabPcaCompare *compare; /* NULL until fitted */
  gboolean fitting, measuring;
  LabWeights *pending;    /* weights waiting to be measured */
  long pending_step;
  guint pending_generation;
  LabWeights *measured;   /* the weights of the newest measurement */
  double measured_step;   /* its training step and generation */
  guint measured_generation;
  LabPcaMeasure *measure;
  char *measure_preset;

  GArray *points;         /* AePoint */
  GArray *angles;         /* AngleRow, this generation's */

  /* what the charts draw (they point into the arrays below) */
  double pca_x[LAB_PCA_K_MAX], pca_y[LAB_PCA_K_MAX];
  double ae_x[LAB_PCA_MAX_PRESETS][LAB_PCA_K_MAX], ae_y[LAB_PCA_MAX_PRESETS][LAB_PCA_K_MAX];
  char *ae_names[LAB_PCA_MAX_PRESETS];
  LabSeries error_series[1 + LAB_PCA_MAX_PRESETS];
  LabLossData error_data;
  double *angle_x, *angle_y[3];
  LabSeries angle_series[3];
  LabLossData angle_data;
  float *recon_pixels;
  char *recon_names[3];
  LabImageRow recon_rows[3];
  LabImageGridData recon_grid;
};

G_DEFINE_FINAL_TYPE (LabPcaView, lab_pca_view, LAB_TYPE_VIEW)

static void lab_pca_view_start_measure (LabPcaView *self);

/* --- drawing ---------------------------------------------------------------------------- */

static void
lab_pca_view_update_error_plot (LabPcaView *self)
{
  int n_series = 0, n_presets = 0;

  if (self->compare != NULL)
    {
      int k_max = MIN (lab_pca_compare_get_k_max (self->compare), LAB_PCA_K_MAX);

      for (int k = 1; k <= k_max; k++)
        {
          self->pca_x[k - 1] = k;
          self->pca_y[k - 1] = lab_pca_compare_get_sse (self->compare, k);
        }
      self->error_series[n_series++] = (LabSeries) { .name = "PCA", .x = self->pca_x,
                                                     .y = self->pca_y, .n = k_max,
                                                     .color_index = 0 };
    }
  /* one series per preset, its points by increasing code size */
  for (guint i = 0; i < self->points->len; i++)
    {
      const AePoint *p = &g_array_index (self->points, AePoint, i);
      int s, n = 0;

      for (s = 0; s < n_presets; s++)
        if (g_str_equal (self->ae_names[s] + strlen ("autoencoder, "), p->preset))
          break;
      if (s == n_presets)
        {
          if (n_presets == LAB_PCA_MAX_PRESETS)
            continue;
          g_free (self->ae_names[s]);
          self->ae_names[s] = g_strdup_printf ("autoencoder, %s", p->preset);
          self->error_series[n_series + s] = (LabSeries) { .name = self->ae_names[s],
                                                           .x = self->ae_x[s], .y = self->ae_y[s],
                                                           .color_index = 1 + s, .markers = true };
          n_presets++;
        }
      n = self->error_series[n_series + s].n;
      if (n == LAB_PCA_K_MAX)
        continue;
      /* insertion by k keeps x increasing, as the plot needs */
      while (n > 0 && self->ae_x[s][n - 1] > p->k)
        {
          self->ae_x[s][n] = self->ae_x[s][n - 1];
          self->ae_y[s][n] = self->ae_y[s][n - 1];
          n--;
        }
      self->ae_x[s][n] = p->k;
      self->ae_y[s][n] = p->sse;
      self->error_series[n_series + s].n++;
    }
  self->error_data.series = self->error_series;
  self->error_data.n_series = n_series + n_presets;
  lab_chart_redraw (self->error_chart);
}

static void
lab_pca_view_update_angle_plot (LabPcaView *self)
{
  guint n = self->angles->len;
  static const char *const names[] = { N_("largest angle"), N_("median angle"), N_("smallest angle") };

  self->angle_x = g_renew (double, self->angle_x, MAX (n, 1));
  for (int j = 0; j < 3; j++)
    self->angle_y[j] = g_renew (double, self->angle_y[j], MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      const AngleRow *row = &g_array_index (self->angles, AngleRow, i);

      self->angle_x[i] = row->step;
      self->angle_y[0][i] = row->largest;
      self->angle_y[1][i] = row->median;
      self->angle_y[2][i] = row->smallest;
    }
  for (int j = 0; j < 3; j++)
    self->angle_series[j] = (LabSeries) { .name = _(names[j]), .x = self->angle_x,
                                          .y = self->angle_y[j], .n = (int) n,
                                          .color_index = 3 + j, .dashed = j > 0 };
  self->angle_data.series = self->angle_series;
  self->angle_data.n_series = n > 0 ? 3 : 0;
  lab_chart_redraw (self->angle_chart);
}

static void
lab_pca_view_update_recon (LabPcaView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  const LabSnapshot *snapshot = session != NULL ? lab_session_get_snapshot (session) : NULL;
  const LabPcaMeasure *m = self->measure;
  long n, dim;

  self->recon_grid.n_rows = 0;
  if (snapshot != NULL && !snapshot->is_image)
    self->recon_grid.empty_text = _("This dataset holds sequences: the Sequences view shows "
                                    "their reconstructions");
  else
    self->recon_grid.empty_text = _("Reconstructions appear with the model's first weights");
  if (m == NULL || self->compare == NULL || snapshot == NULL || !snapshot->is_image
      || (snapshot->channels != 1 && snapshot->channels != 3) || m->recon == NULL || m->pca_recon == NULL || m->n_recon == 0)
    {
      lab_chart_redraw (self->recon_chart);
      return;
    }
  n = m->n_recon;
  dim = lab_pca_compare_get_dim (self->compare);
  g_free (self->recon_pixels);
  self->recon_pixels = g_new (float, (gsize) (3 * n * dim));
  memcpy (self->recon_pixels, lab_pca_compare_get_test (self->compare, 0),
          (size_t) (n * dim) * sizeof (float));
  memcpy (self->recon_pixels + n * dim, m->recon, (size_t) (n * dim) * sizeof (float));
  /* PCA's reconstructions leave [0, 1]; the images show them clipped */
  for (long i = 0; i < n * dim; i++)
    self->recon_pixels[2 * n * dim + i] = CLAMP (m->pca_recon[i], 0.0f, 1.0f);
  for (int r = 0; r < 3; r++)
    g_free (self->recon_names[r]);
  self->recon_names[0] = g_strdup (_("test images"));
  self->recon_names[1] = g_strdup_printf (_("autoencoder (k = %d)"), m->latent);
  self->recon_names[2] = g_strdup_printf (_("PCA-%d"), m->latent);
  for (int r = 0; r < 3; r++)
    self->recon_rows[r] = (LabImageRow) { .label = self->recon_names[r],
                                          .pixels = self->recon_pixels + r * n * dim,
                                          .n_images = (int) n,
                                          .colormap = snapshot->channels == 3 ? LAB_IMAGE_RGB : LAB_IMAGE_GREY };
  self->recon_grid.image_width = snapshot->width;
  self->recon_grid.image_height = snapshot->height;
  self->recon_grid.rows = self->recon_rows;
  self->recon_grid.n_rows = 3;
  lab_chart_redraw (self->recon_chart);
}

static void
lab_pca_view_update_labels (LabPcaView *self)
{
  const LabPcaMeasure *m = self->measure;
  g_autofree char *status = NULL;
  g_autofree char *angle = NULL;

  if (self->compare == NULL)
    status = g_strdup (self->fitting ? _("Fitting PCA for every code size up to 64…")
                                     : _("PCA appears once a dataset is loaded."));
  else if (m == NULL || isnan (m->sse))
    status = g_strdup_printf (_("PCA fitted on the training split; errors are summed squared "
                                "errors per test image (%ld images). The autoencoder's point "
                                "appears with its first weights: press Run."),
                              lab_pca_compare_get_n_test (self->compare));
  else if (m->latent <= lab_pca_compare_get_k_max (self->compare))
    status = g_strdup_printf (_("Squared error per test image at k = %d: autoencoder (%s) %.3f, "
                                "PCA-%d %.3f. Earlier runs of this window stay as points."),
                              m->latent, self->measure_preset, m->sse, m->latent,
                              lab_pca_compare_get_sse (self->compare, m->latent));
  else
    status = g_strdup_printf (_("Squared error per test image: autoencoder (%s, k = %d) %.3f; "
                                "PCA is drawn up to k = %d."),
                              self->measure_preset, m->latent, m->sse,
                              lab_pca_compare_get_k_max (self->compare));
  gtk_label_set_text (self->status_label, status);

  if (m != NULL && isfinite (m->largest))
    angle = g_strdup_printf (_("Largest principal angle: %.2f°"), m->largest);
  else
    angle = g_strdup (_("Largest principal angle: —"));
  gtk_label_set_text (self->angle_label, angle);
}

/* --- measuring -------------------------------------------------------------------------- */

static void
lab_pca_view_keep_point (LabPcaView *self, const char *preset, int k, double sse)
{
  AePoint point;

  for (guint i = 0; i < self->points->len; i++)
    {
      AePoint *p = &g_array_index (self->points, AePoint, i);

      if (p->k == k && g_str_equal (p->preset, preset))
        {
          p->sse = sse;
          return;
        }
    }
  point = (AePoint) { g_strdup (preset), k, sse };
  g_array_append_val (self->points, point);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
on_measured (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LabPcaView *self = user_data;
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  g_autoptr (GError) error = NULL;
  LabPcaMeasure *m = lab_pca_compare_measure_finish (res, &error);
  double step = self->measured_step;

  (void) source;
  self->measuring = FALSE;
  if (m != NULL && session != NULL && self->measured_generation == self->generation)
    {
      const char *preset = lab_session_get_preset (session);

      lab_pca_measure_free (self->measure);
      self->measure = g_steal_pointer (&m);
      g_free (self->measure_preset);
      self->measure_preset = g_strdup (preset != NULL ? preset : "model");
      if (isfinite (self->measure->sse))
        lab_pca_view_keep_point (self, self->measure_preset, self->measure->latent, self->measure->sse);
      if (isfinite (self->measure->largest))
        {
          int L = self->measure->latent;
          double *sorted = g_memdup2 (self->measure->angles, (gsize) L * sizeof (double));
          AngleRow row;

          qsort (sorted, (size_t) L, sizeof (double), compare_doubles);
          row = (AngleRow) { step, sorted[L - 1], sorted[L / 2], sorted[0] };
          /* a step measured again (a pause) replaces its row */
          if (self->angles->len > 0
              && g_array_index (self->angles, AngleRow, self->angles->len - 1).step >= step)
            g_array_remove_index (self->angles, self->angles->len - 1);
          g_array_append_val (self->angles, row);
          g_free (sorted);
        }
      lab_pca_view_update_error_plot (self);
      lab_pca_view_update_angle_plot (self);
      lab_pca_view_update_recon (self);
      lab_pca_view_update_labels (self);
    }
  lab_pca_measure_free (m);
  if (session != NULL)
    lab_pca_view_start_measure (self);
  g_object_unref (self);
}

static void
lab_pca_view_start_measure (LabPcaView *self)
{
  if (self->measuring || self->compare == NULL || self->pending == NULL)
    return;
  if (self->pending_generation != self->generation)
    {
      g_clear_pointer (&self->pending, lab_weights_unref);
      return;
    }
  self->measuring = TRUE;
  g_clear_pointer (&self->measured, lab_weights_unref);
  self->measured = g_steal_pointer (&self->pending);
  /* one measurement at a time, so its step and generation can wait here for its result */
  self->measured_step = (double) self->pending_step;
  self->measured_generation = self->pending_generation;
  lab_pca_compare_measure_async (self->compare, self->measured, LAB_PCA_N_RECON, self->cancellable,
                                 on_measured, g_object_ref (self));
}

static void
lab_pca_view_on_snapshot (LabView *view, LabSnapshot *snapshot)
{
  LabPcaView *self = LAB_PCA_VIEW (view);

  /* hidden, the view measures nothing: it catches up on "map" */
  if (snapshot == NULL || snapshot->weights == NULL || snapshot->weights == self->measured
      || snapshot->weights == self->pending || !lab_view_get_shown (LAB_VIEW (self)))
    return;
  g_clear_pointer (&self->pending, lab_weights_unref);
  self->pending = lab_weights_ref (snapshot->weights);
  self->pending_step = snapshot->steps;
  self->pending_generation = snapshot->generation;
  lab_pca_view_start_measure (self);
}

/* --- fitting ---------------------------------------------------------------------------- */

/* A fit carries the dataset it was started for: a fit for data that has gone is dropped. */
typedef struct {
  LabPcaView *view;
  char *dataset;
} FitRequest;

static void
on_fitted (GObject *source, GAsyncResult *res, gpointer user_data)
{
  FitRequest *request = user_data;
  LabPcaView *self = request->view;
  g_autoptr (GError) error = NULL;
  LabPcaCompare *compare = lab_pca_compare_new_finish (res, &error);
  const char *key = request->dataset;

  (void) source;
  if (self != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self), (gpointer *) &request->view);
  if (self != NULL && lab_view_get_session (LAB_VIEW (self)) != NULL && g_strcmp0 (key, self->dataset_key) == 0)
    {
      self->fitting = FALSE;
      g_clear_pointer (&self->compare, lab_pca_compare_unref);
      self->compare = g_steal_pointer (&compare);
      if (self->compare == NULL && error != NULL)
        g_warning ("PCA of %s: %s", key, error->message);
      lab_pca_view_update_error_plot (self);
      lab_pca_view_update_labels (self);
      lab_pca_view_on_snapshot (LAB_VIEW (self), lab_session_get_snapshot (lab_view_get_session (LAB_VIEW (self))));
      lab_pca_view_start_measure (self);
    }
  g_clear_pointer (&compare, lab_pca_compare_unref);
  g_free (request->dataset);
  g_free (request);
}

static void
lab_pca_view_on_generation (LabPcaView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  const char *spec = lab_session_get_dataset_spec (session);
  guint generation = lab_session_get_generation (session);

  if (generation != self->generation)
    {
      /* a new model: its angles start afresh; the points of the last one stay */
      self->generation = generation;
      g_array_set_size (self->angles, 0);
      g_clear_pointer (&self->measure, lab_pca_measure_free);
      g_clear_pointer (&self->measured, lab_weights_unref);
      lab_pca_view_update_angle_plot (self);
      lab_pca_view_update_recon (self);
    }
  if (spec == NULL || lab_session_get_loading (session) || g_strcmp0 (spec, self->dataset_key) == 0)
    {
      lab_pca_view_update_labels (self);
      return;
    }
  /* another dataset: PCA and every kept point belong to the old one (its test split, 31 MB
   * for Fashion-MNIST), dropped at once; hidden, the view fits again when shown */
  g_clear_pointer (&self->dataset_key, g_free);
  g_array_set_size (self->points, 0);
  g_clear_pointer (&self->compare, lab_pca_compare_unref);
  self->fitting = gtk_widget_get_mapped (GTK_WIDGET (self));
  lab_pca_view_update_error_plot (self);
  lab_pca_view_update_labels (self);
  if (!self->fitting)
    return;
  self->dataset_key = g_strdup (spec);
  {
    FitRequest *request = g_new (FitRequest, 1);

    /* weak: a fit still running when the window closes must not keep the view (and its
     * session) alive */
    request->view = self;
    g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &request->view);
    request->dataset = g_strdup (spec);
    int channels = 0, height = 0, width = 0, k_max;

    /* up to half the input size: beyond, PCA's error falls to zero, flattening the log
     * plot's interesting part for short inputs (64 values of a sequence) */
    lab_session_get_sample_shape (session, &channels, &height, &width);
    k_max = CLAMP (channels * height * width / 2, 1, LAB_PCA_K_MAX);
    lab_pca_compare_new_async (session, k_max, self->cancellable, on_fitted, request);
  }
}

static void
lab_pca_view_refresh (LabView *view)
{
  LabSession *session = lab_view_get_session (view);

  if (session == NULL)
    return;
  lab_pca_view_on_generation (LAB_PCA_VIEW (view));
  lab_pca_view_on_snapshot (view, lab_session_get_snapshot (session));
}

static void
lab_pca_view_session_changed (LabView *view, LabSession *session)
{
  LabPcaView *self = LAB_PCA_VIEW (view);

  g_clear_pointer (&self->dataset_key, g_free);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "notify::generation", G_CALLBACK (lab_pca_view_on_generation), self);
      self->generation = G_MAXUINT;
      lab_pca_view_on_generation (self);
    }
}

/* --- for tests -------------------------------------------------------------------------- */

gboolean
lab_pca_view_is_current (LabPcaView *self)
{
  LabSession *session;
  const LabSnapshot *snapshot;

  g_return_val_if_fail (LAB_IS_PCA_VIEW (self), FALSE);
  session = lab_view_get_session (LAB_VIEW (self));
  snapshot = session != NULL ? lab_session_get_snapshot (session) : NULL;
  return self->compare != NULL && !self->measuring && self->pending == NULL
         && self->measure != NULL && snapshot != NULL && snapshot->weights == self->measured;
}

double
lab_pca_view_get_pca_error (LabPcaView *self, int k)
{
  g_return_val_if_fail (LAB_IS_PCA_VIEW (self), NAN);
  if (self->error_data.n_series == 0 || self->compare == NULL || k < 1
      || k > self->error_series[0].n)
    return NAN;
  return self->error_series[0].y[k - 1];
}

double
lab_pca_view_get_model_error (LabPcaView *self)
{
  g_return_val_if_fail (LAB_IS_PCA_VIEW (self), NAN);
  return self->measure != NULL ? self->measure->sse : NAN;
}

double
lab_pca_view_get_largest_angle (LabPcaView *self)
{
  g_return_val_if_fail (LAB_IS_PCA_VIEW (self), NAN);
  return self->measure != NULL ? self->measure->largest : NAN;
}

double
lab_pca_view_get_model_point (LabPcaView *self, const char *preset, int k)
{
  g_return_val_if_fail (LAB_IS_PCA_VIEW (self), NAN);
  for (guint i = 0; i < self->points->len; i++)
    {
      const AePoint *p = &g_array_index (self->points, AePoint, i);

      if (p->k == k && g_str_equal (p->preset, preset))
        return p->sse;
    }
  return NAN;
}

guint
lab_pca_view_get_n_angle_points (LabPcaView *self)
{
  g_return_val_if_fail (LAB_IS_PCA_VIEW (self), 0);
  return self->angles->len;
}

double
lab_pca_view_get_largest_angle_at (LabPcaView *self, guint i, double *step)
{
  g_return_val_if_fail (LAB_IS_PCA_VIEW (self) && i < self->angles->len, NAN);
  if (step != NULL)
    *step = g_array_index (self->angles, AngleRow, i).step;
  return g_array_index (self->angles, AngleRow, i).largest;
}

/* --- the widget ------------------------------------------------------------------------- */

static void
clear_point (gpointer data)
{
  g_free (((AePoint *) data)->preset);
}

static void
lab_pca_view_dispose (GObject *object)
{
  LabPcaView *self = LAB_PCA_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_PCA_VIEW);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->dataset_key, g_free);
  g_clear_pointer (&self->compare, lab_pca_compare_unref);
  g_clear_pointer (&self->pending, lab_weights_unref);
  g_clear_pointer (&self->measured, lab_weights_unref);
  g_clear_pointer (&self->measure, lab_pca_measure_free);
  g_clear_pointer (&self->measure_preset, g_free);
  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->angles, g_array_unref);
  for (int s = 0; s < LAB_PCA_MAX_PRESETS; s++)
    g_clear_pointer (&self->ae_names[s], g_free);
  g_clear_pointer (&self->angle_x, g_free);
  for (int j = 0; j < 3; j++)
    {
      g_clear_pointer (&self->angle_y[j], g_free);
      g_clear_pointer (&self->recon_names[j], g_free);
    }
  g_clear_pointer (&self->recon_pixels, g_free);
  G_OBJECT_CLASS (lab_pca_view_parent_class)->dispose (object);
}

static void
lab_pca_view_class_init (LabPcaViewClass *klass)
{
  LabViewClass *view_class = LAB_VIEW_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lab_pca_view_dispose;
  view_class->session_changed = lab_pca_view_session_changed;
  view_class->snapshot = lab_pca_view_on_snapshot;
  view_class->refresh = lab_pca_view_refresh;

  lab_view_class_set_template (view_class, GTK_TYPE_BOX_LAYOUT, "labpcaview", "lab-pca-view.ui");
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabPcaView, status_label);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabPcaView, angle_label);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabPcaView, error_chart);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabPcaView, angle_chart);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabPcaView, recon_chart);
}

static void
lab_pca_view_init (LabPcaView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_HORIZONTAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  gtk_box_layout_set_homogeneous (GTK_BOX_LAYOUT (layout), TRUE);
  self->cancellable = g_cancellable_new ();
  self->points = g_array_new (FALSE, TRUE, sizeof (AePoint));
  g_array_set_clear_func (self->points, clear_point);
  self->angles = g_array_new (FALSE, TRUE, sizeof (AngleRow));
  self->generation = G_MAXUINT;

  /* the charts draw from data that lives in this view */
  self->error_data = (LabLossData) { .x_label = _("code size k"),
                                     .y_label = _("squared error per test image"),
                                     .log_y = true, .legend = LAB_PLOT_LEGEND_TOP_RIGHT,
                                     .empty_text = _("Fitting PCA…") };
  lab_chart_set_draw_func (self->error_chart, lab_plot_loss_draw_func, &self->error_data, NULL);
  self->recon_grid = (LabImageGridData) { .highlight_row = -1, .highlight_index = -1,
                                          .empty_text = _("Reconstructions appear with the "
                                                          "model's first weights") };
  lab_chart_set_draw_func (self->recon_chart, lab_plot_image_grid_draw_func, &self->recon_grid, NULL);
  self->angle_data = (LabLossData) { .x_label = _("training step"), .y_label = _("angle (degrees)"),
                                     .legend = LAB_PLOT_LEGEND_TOP_RIGHT,
                                     .empty_text = _("The angles appear as the model trains: "
                                                     "press Run") };
  lab_chart_set_draw_func (self->angle_chart, lab_plot_loss_draw_func, &self->angle_data, NULL);
  lab_pca_view_update_labels (self);
}
