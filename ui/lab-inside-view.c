/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-inside-view.c: the Inside view.
 *
 * What the objective does to the network, from each snapshot that brings new weights: the
 * first layer's weights as images (one tile per unit, each scaled to its own largest
 * |weight|, blue negative and red positive), the mean activation of each code unit over
 * the snapshot's test subset with the sparsity target rho and the units that subset never
 * activates, the distribution of all code values, and for a contractive encoder the
 * per-sample norm of the encoder's Jacobian beside that of a companion model trained with
 * the same settings and no penalty (on request, on a worker thread).
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-chart.h"
#include "lab-inside.h"
#include "lab-inside-view.h"
#include "lab-plot.h"

#define LAB_MAX_TILES 128
#define LAB_JACOBIAN_SAMPLES 500
/* The companion trains as many epochs as the model has (a comparison at the same stage), but
 * on at most this much of the training split and for at most this many epochs, so that it
 * never holds a core for long. */
#define LAB_COMPANION_SAMPLES 20000
#define LAB_COMPANION_MAX_EPOCHS 20
/* Recomputing at most this often keeps the Jacobian off the training's back. */
#define LAB_REFRESH_USEC (2 * G_USEC_PER_SEC)

struct _LabInsideView {
  LabView parent_instance;

  /* template widgets */
  LabChart *weights_chart, *bars_chart, *codes_chart, *jacobian_chart;
  GtkLabel *weights_label, *dead_label, *jacobian_label;
  GtkWidget *companion_button;

  LabSnapshot *snapshot;
  LabWeights *shown_weights;   /* the weights last drawn, to skip snapshots without new ones */
  gint64 refresh_time;
  LabInsideInfo info;

  float *tiles;                /* (n_tiles, tile_h, tile_w) */
  int n_tiles;
  LabImageRow tiles_row;
  LabImageGridData tiles_grid;

  float *mean;                 /* (units) */
  guint8 *dead;                /* (units) */
  int units, n_dead;
  char rho_text[32];
  LabBarsData bars;
  LabHistogramData codes_hist;

  guint test_generation;       /* the test subset below belongs to this generation */
  float *test;                 /* (n_test, dim) inputs of the snapshot's code samples */
  int n_test, dim;
  float *norms, *companion_norms;
  int n_norms, n_companion;
  char model_name[64];
  LabHistogramData jacobian_hist;

  GCancellable *jacobian_cancel; /* a measurement of the norms is running */
  gboolean jacobian_pending;      /* and newer weights wait for it */
  GCancellable *companion_cancel;
  guint companion_generation;
  long companion_samples;
  int companion_epochs;
};

G_DEFINE_FINAL_TYPE (LabInsideView, lab_inside_view, LAB_TYPE_VIEW)

/* Unit u's weights as one tile: the mean over input channels, scaled to [-1, 1]. */
static void
build_tile (float *tile, const float *w, int channels, int pixels)
{
  float largest = 0;

  for (int p = 0; p < pixels; p++)
    {
      float sum = 0;

      for (int c = 0; c < channels; c++)
        sum += w[(size_t) c * pixels + p];
      tile[p] = sum / channels;
      largest = fmaxf (largest, fabsf (tile[p]));
    }
  if (largest > 0)
    for (int p = 0; p < pixels; p++)
      tile[p] /= largest;
}

/* Unit u's weights on three input planes as one RGB tile: mid grey for zero, each plane
 * scaled by the tile's largest weight, so a filter shows the colour it responds to. */
static void
build_colour_tile (float *tile, const float *w, int pixels)
{
  float largest = 0;

  for (int i = 0; i < 3 * pixels; i++)
    largest = fmaxf (largest, fabsf (w[i]));
  for (int i = 0; i < 3 * pixels; i++)
    tile[i] = largest > 0 ? 0.5f + 0.5f * w[i] / largest : 0.5f;
}

static void
lab_inside_view_build_tiles (LabInsideView *self, LabWeights *weights)
{
  const LabSnapshot *s = self->snapshot;
  int units = 0, inputs = 0, tile_w = 0, tile_h = 0, channels = MAX (s->channels, 1);
  g_autofree float *w = NULL;
  g_autofree char *text = NULL;

  self->tiles_grid.n_rows = 0;
  if (!s->is_image)
    {
      self->tiles_grid.empty_text = _("First-layer weights are drawn as images for image data");
      lab_chart_redraw (self->weights_chart);
      return;
    }
  w = lab_weights_dup_first_layer (weights, &units, &inputs);
  if (inputs == s->dim)
    {
      tile_w = s->width;
      tile_h = s->height;
    }
  else
    {
      /* a convolution: (in channels, k, k) per kernel */
      int k = (int) lround (sqrt ((double) inputs / channels));

      if (k * k * channels == inputs)
        tile_w = tile_h = k;
    }
  if (w == NULL || units <= 0 || tile_w <= 0)
    {
      lab_chart_redraw (self->weights_chart);
      return;
    }
  self->n_tiles = MIN (units, LAB_MAX_TILES);
  gboolean colour = channels == 3;
  gsize tile_values = (gsize) (colour ? 3 : 1) * tile_w * tile_h;
  self->tiles = g_renew (float, self->tiles, (gsize) self->n_tiles * tile_values);
  for (int u = 0; u < self->n_tiles; u++)
    if (colour)
      build_colour_tile (self->tiles + (gsize) u * tile_values, w + (gsize) u * inputs, tile_w * tile_h);
    else
      build_tile (self->tiles + (gsize) u * tile_values, w + (gsize) u * inputs, channels,
                  tile_w * tile_h);
  self->tiles_row = (LabImageRow) { .pixels = self->tiles, .n_images = self->n_tiles,
                                    .colormap = colour ? LAB_IMAGE_RGB : LAB_IMAGE_DIVERGING,
                                    .vmax = 1.0f };
  self->tiles_grid.image_width = tile_w;
  self->tiles_grid.image_height = tile_h;
  self->tiles_grid.rows = &self->tiles_row;
  self->tiles_grid.n_rows = 1;
  /* the panel is wider than tall: about 1.6 columns per line */
  self->tiles_grid.columns = MIN (self->n_tiles, (int) ceil (sqrt (self->n_tiles * 1.6)));
  if (colour)
    text = g_strdup_printf (_("Each tile is the weights of one first-layer %s on the red, green "
                              "and blue planes (%d of %d), drawn as a colour: grey is zero, and "
                              "a tinted pixel shows the colour that excites the unit there."),
                            inputs == s->dim ? _("unit") : _("kernel"), self->n_tiles, units);
  else if (inputs == s->dim)
    text = g_strdup_printf (_("Each tile is the weight vector of one first-layer unit drawn as "
                              "an image (%d of %d units): red pixels excite the unit, blue "
                              "inhibit it, each tile scaled to its own largest weight."),
                            self->n_tiles, units);
  else
    text = g_strdup_printf (_("Each tile is one %d×%d kernel of the first convolution (%d of %d, "
                              "averaged over input channels): red weights excite, blue inhibit."),
                            tile_w, tile_h, self->n_tiles, units);
  gtk_label_set_label (self->weights_label, text);
  lab_chart_redraw (self->weights_chart);
}

static void
lab_inside_view_build_activity (LabInsideView *self)
{
  const LabSnapshot *s = self->snapshot;
  g_autofree char *text = NULL;

  if (s->latent != self->units)
    {
      self->units = s->latent;
      self->mean = g_renew (float, self->mean, self->units);
      self->dead = g_renew (guint8, self->dead, self->units);
    }
  self->n_dead = lab_inside_unit_activity (self->mean, self->dead, s->codes, s->n_codes,
                                           self->units, self->info.active_above,
                                           self->info.signed_codes);
  self->bars.values = self->mean;
  self->bars.n = self->units;
  self->bars.flagged = self->dead;
  self->bars.y_label = self->info.signed_codes ? _("mean |activation|") : _("mean activation");
  self->bars.show_reference = self->info.has_rho;
  self->bars.reference = self->info.rho;
  g_snprintf (self->rho_text, sizeof self->rho_text, "ρ = %g", (double) self->info.rho);
  self->bars.reference_label = self->rho_text;
  lab_chart_redraw (self->bars_chart);

  if (self->info.has_rho)
    text = g_strdup_printf (_("%d of %d code units never rise above %g on %d test samples. The "
                              "sparsity penalty pulls each unit's mean activation towards ρ = %g, "
                              "so that a sample activates only a few units."),
                            self->n_dead, self->units, (double) self->info.active_above,
                            s->n_codes, (double) self->info.rho);
  else
    text = g_strdup_printf (_("%d of %d code units never rise above %g on %d test samples (dead "
                              "units carry no information)."),
                            self->n_dead, self->units, (double) self->info.active_above,
                            s->n_codes);
  gtk_label_set_label (self->dead_label, text);

  self->codes_hist.normal = s->codes;
  self->codes_hist.n_normal = s->n_codes * s->latent;
  lab_chart_redraw (self->codes_chart);
}

/* The inputs of the snapshot's code samples, gathered once per generation. */
static gboolean
lab_inside_view_gather_test (LabInsideView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  const LabSnapshot *s = self->snapshot;
  int n = MIN (s->n_codes, LAB_JACOBIAN_SAMPLES);

  if (self->test != NULL && self->test_generation == s->generation && self->n_test == n)
    return TRUE;
  g_clear_pointer (&self->test, g_free);
  if (session == NULL || s->code_indices == NULL || n <= 0)
    return FALSE;
  self->test = g_new (float, (gsize) n * s->dim);
  for (int i = 0; i < n; i++)
    {
      const float *x = lab_session_get_dataset_sample (session, s->code_indices[i], NULL);

      if (x == NULL)
        {
          g_clear_pointer (&self->test, g_free);
          return FALSE;
        }
      memcpy (self->test + (gsize) i * s->dim, x, sizeof (float) * s->dim);
    }
  self->n_test = n;
  self->dim = s->dim;
  self->test_generation = s->generation;
  return TRUE;
}

static void
lab_inside_view_update_jacobian_text (LabInsideView *self)
{
  g_autofree char *text = NULL;
  double mean = 0, companion_mean = 0;

  for (int i = 0; i < self->n_norms; i++)
    mean += self->norms[i] / self->n_norms;
  for (int i = 0; i < self->n_companion; i++)
    companion_mean += self->companion_norms[i] / self->n_companion;
  if (self->n_norms == 0)
    text = g_strdup (_("The encoder's Jacobian norm ‖J_f(x)‖_F is measured for a contractive "
                       "encoder: choose the Contractive preset (or set a contractive weight)."));
  else if (self->n_companion > 0)
    {
      g_autofree char *epochs = g_strdup_printf (ngettext ("%d epoch", "%d epochs",
                                                           self->companion_epochs),
                                                 self->companion_epochs);

      text = g_strdup_printf (_("Mean ‖J_f(x)‖_F over %d test samples: %.3g with the penalty, "
                                "%.3g without (the same network trained %s on %d samples). %s"),
                              self->n_norms, mean, companion_mean, epochs,
                              (int) self->companion_samples,
                              companion_mean > mean
                                ? _("The penalty keeps the code from changing much when the "
                                    "input moves a little: the encoder is flatter around the data.")
                                : _("Here the penalty has not made the encoder flatter (yet)."));
    }
  else
    text = g_strdup_printf (_("Mean ‖J_f(x)‖_F over %d test samples: %.3g (%s). Train the same "
                              "network without the penalty to compare."),
                            self->n_norms, mean,
                            self->info.exact_jacobian ? _("closed form")
                                                      : _("finite-difference estimate"));
  gtk_label_set_label (self->jacobian_label, text);
}

static void
lab_inside_view_show_jacobian (LabInsideView *self)
{
  self->jacobian_hist.normal = self->norms;
  self->jacobian_hist.n_normal = self->n_norms;
  g_snprintf (self->model_name, sizeof self->model_name, _("this model (λ = %g)"),
              (double) self->info.contractive);
  self->jacobian_hist.normal_name = self->model_name;
  gtk_widget_set_sensitive (self->companion_button,
                            self->n_norms > 0 && self->companion_cancel == NULL
                            && self->info.contractive > 0);
  lab_inside_view_update_jacobian_text (self);
  lab_chart_redraw (self->jacobian_chart);
}

static void lab_inside_view_build_jacobian (LabInsideView *self);

static void
on_jacobian_done (GObject *source, GAsyncResult *result, gpointer data)
{
  LabInsideView *self = data;
  g_autoptr (GError) error = NULL;
  long n = 0;
  float *norms = lab_inside_jacobian_norms_finish (result, &n, &error);

  (void) source;
  if (norms == NULL)
    {
      /* cancelled: the model changed or the view went away */
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->jacobian_cancel);
  g_free (self->norms);
  self->norms = norms;
  self->n_norms = (int) n;
  lab_inside_view_show_jacobian (self);
  if (self->jacobian_pending)
    lab_inside_view_build_jacobian (self);
  g_object_unref (self);
}

/* Measures the newest weights' Jacobian norms on a worker; while one measurement runs,
 * newer weights wait for it to finish and only the newest of them is measured next. */
static void
lab_inside_view_build_jacobian (LabInsideView *self)
{
  /* the closed form is cheap; the estimate costs several encoder passes per sample */
  gboolean wanted = self->info.contractive > 0 || self->info.exact_jacobian
                    || self->companion_norms != NULL;

  self->jacobian_pending = FALSE;
  if (!wanted || !lab_inside_view_gather_test (self))
    {
      self->n_norms = 0;
      lab_inside_view_show_jacobian (self);
      return;
    }
  if (self->jacobian_cancel != NULL)
    {
      self->jacobian_pending = TRUE;
      return;
    }
  self->jacobian_cancel = g_cancellable_new ();
  lab_inside_jacobian_norms_async (self->snapshot->weights, self->test, self->n_test,
                                   self->jacobian_cancel, on_jacobian_done, g_object_ref (self));
}

static void
lab_inside_view_cancel_jacobian (LabInsideView *self)
{
  if (self->jacobian_cancel != NULL)
    g_cancellable_cancel (self->jacobian_cancel);
  g_clear_object (&self->jacobian_cancel);
  self->jacobian_pending = FALSE;
}

static void
lab_inside_view_clear_companion (LabInsideView *self)
{
  if (self->companion_cancel != NULL)
    g_cancellable_cancel (self->companion_cancel);
  g_clear_object (&self->companion_cancel);
  g_clear_pointer (&self->companion_norms, g_free);
  self->n_companion = 0;
  self->jacobian_hist.n_anomalous = 0;
  self->jacobian_hist.anomalous = NULL;
  gtk_button_set_label (GTK_BUTTON (self->companion_button), _("Compare without the penalty"));
}

static void
lab_inside_view_on_snapshot (LabView *view, LabSnapshot *snapshot)
{
  LabInsideView *self = LAB_INSIDE_VIEW (view);
  gint64 now = g_get_monotonic_time ();
  gboolean new_model;

  /* hidden, the view measures nothing: it catches up on "map" */
  if (snapshot->codes == NULL || snapshot->weights == NULL || !lab_view_get_shown (LAB_VIEW (self)))
    return;
  new_model = self->snapshot == NULL || self->snapshot->generation != snapshot->generation;
  /* every snapshot of a run brings the same codes between weight copies, and the
   * Jacobian costs a pass per direction: follow training at a steady pace */
  if (!new_model && (snapshot->weights == self->shown_weights
                     || (snapshot->state == LAB_TRAINING_RUNNING
                         && now - self->refresh_time < LAB_REFRESH_USEC)))
    return;
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  self->snapshot = lab_snapshot_ref (snapshot);
  self->shown_weights = snapshot->weights;
  self->refresh_time = now;
  if (new_model)
    {
      lab_inside_view_cancel_jacobian (self);
      self->n_norms = 0;
    }
  if (new_model && self->companion_generation != snapshot->generation)
    lab_inside_view_clear_companion (self);

  lab_inside_describe (snapshot->weights, &self->info);
  lab_inside_view_build_tiles (self, snapshot->weights);
  lab_inside_view_build_activity (self);
  lab_inside_view_build_jacobian (self);
}

static void
on_companion_done (GObject *source, GAsyncResult *result, gpointer data)
{
  LabInsideView *self = data;
  g_autoptr (GError) error = NULL;
  long n = 0;
  float *norms = lab_inside_train_companion_finish (result, &n, &error);

  (void) source;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->companion_cancel);
  gtk_button_set_label (GTK_BUTTON (self->companion_button), _("Train the companion again"));
  if (norms == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The companion model failed: %s"),
                                               error->message);

      gtk_label_set_label (self->jacobian_label, text);
    }
  else
    {
      g_free (self->companion_norms);
      self->companion_norms = norms;
      self->n_companion = (int) n;
      self->jacobian_hist.anomalous = norms;
      self->jacobian_hist.n_anomalous = (int) n;
      lab_inside_view_update_jacobian_text (self);
      lab_chart_redraw (self->jacobian_chart);
    }
  gtk_widget_set_sensitive (self->companion_button, self->n_norms > 0);
  g_object_unref (self);
}

gboolean
lab_inside_view_train_companion (LabInsideView *self)
{
  LabSession *session;
  long n_train;
  float *train;

  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), FALSE);

  session = lab_view_get_session (LAB_VIEW (self));
  if (session == NULL || self->snapshot == NULL || self->companion_cancel != NULL
      || self->info.contractive <= 0 || !lab_inside_view_gather_test (self))
    return FALSE;
  n_train = MIN (lab_session_get_split_size (session, LAB_SPLIT_TRAIN), LAB_COMPANION_SAMPLES);
  if (n_train <= 0)
    return FALSE;
  train = g_new (float, (gsize) n_train * self->dim);
  for (long i = 0; i < n_train; i++)
    {
      const float *x = lab_session_get_sample (session, LAB_SPLIT_TRAIN, i, NULL);

      if (x == NULL)
        {
          g_free (train);
          return FALSE;
        }
      memcpy (train + (gsize) i * self->dim, x, sizeof (float) * self->dim);
    }
  self->companion_cancel = g_cancellable_new ();
  self->companion_generation = self->snapshot->generation;
  self->companion_samples = n_train;
  self->companion_epochs = CLAMP ((int) ((self->snapshot->steps + MAX (self->snapshot->batches_per_epoch, 1) - 1)
                                         / MAX (self->snapshot->batches_per_epoch, 1)),
                                  1, LAB_COMPANION_MAX_EPOCHS);
  lab_inside_train_companion_async (self->snapshot->weights, train, n_train, self->test,
                                    self->n_test, self->companion_epochs, self->companion_cancel,
                                    on_companion_done, g_object_ref (self));
  g_free (train);
  gtk_widget_set_sensitive (self->companion_button, FALSE);
  gtk_button_set_label (GTK_BUTTON (self->companion_button), _("Training the companion…"));
  return TRUE;
}

/* --- public ----------------------------------------------------------------------------- */

int
lab_inside_view_get_n_tiles (LabInsideView *self)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), 0);
  return self->tiles_grid.n_rows > 0 ? self->n_tiles : 0;
}

int
lab_inside_view_get_dead_units (LabInsideView *self)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), -1);
  return self->units > 0 ? self->n_dead : -1;
}

const float *
lab_inside_view_get_jacobian_norms (LabInsideView *self, gboolean companion, int *n)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), NULL);
  g_return_val_if_fail (n != NULL, NULL);

  *n = companion ? self->n_companion : self->n_norms;
  return *n > 0 ? (companion ? self->companion_norms : self->norms) : NULL;
}

gboolean
lab_inside_view_get_training_companion (LabInsideView *self)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), FALSE);
  return self->companion_cancel != NULL;
}

gboolean
lab_inside_view_get_measuring (LabInsideView *self)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), FALSE);
  return self->jacobian_cancel != NULL || self->jacobian_pending;
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
lab_inside_view_dispose (GObject *object)
{
  LabInsideView *self = LAB_INSIDE_VIEW (object);

  lab_inside_view_cancel_jacobian (self);
  if (self->companion_cancel != NULL)
    g_cancellable_cancel (self->companion_cancel);
  g_clear_object (&self->companion_cancel);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_INSIDE_VIEW);
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  g_clear_pointer (&self->tiles, g_free);
  g_clear_pointer (&self->mean, g_free);
  g_clear_pointer (&self->dead, g_free);
  g_clear_pointer (&self->test, g_free);
  g_clear_pointer (&self->norms, g_free);
  g_clear_pointer (&self->companion_norms, g_free);
  G_OBJECT_CLASS (lab_inside_view_parent_class)->dispose (object);
}

static void
lab_inside_view_class_init (LabInsideViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lab_inside_view_dispose;
  LAB_VIEW_CLASS (klass)->snapshot = lab_inside_view_on_snapshot;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "labinsideview");

  g_type_ensure (LAB_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass),
                                               "/io/github/latentlab/LatentLab/ui/lab-inside-view.ui");
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabInsideView, weights_chart);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabInsideView, bars_chart);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabInsideView, codes_chart);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabInsideView, jacobian_chart);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabInsideView, weights_label);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabInsideView, dead_label);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabInsideView, jacobian_label);
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), LabInsideView, companion_button);
  gtk_widget_class_bind_template_callback (GTK_WIDGET_CLASS (klass), lab_inside_view_train_companion);
}

static void
lab_inside_view_init (LabInsideView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  gtk_box_layout_set_homogeneous (GTK_BOX_LAYOUT (layout), TRUE);

  /* the charts draw from data that lives in this view */
  self->tiles_grid.highlight_row = self->tiles_grid.highlight_index = -1;
  self->tiles_grid.empty_text = _("The weights appear with the first report: press Run");
  lab_chart_set_draw_func (self->weights_chart, lab_plot_image_grid_draw_func, &self->tiles_grid, NULL);
  self->codes_hist.normal_name = _("code values of the test samples");
  self->codes_hist.title = NULL;
  self->codes_hist.x_label = _("activation");
  self->codes_hist.empty_text = _("The code values appear with the first report");
  lab_chart_set_draw_func (self->codes_chart, lab_plot_histogram_draw_func, &self->codes_hist, NULL);
  self->bars.flagged_name = _("dead (never active)");
  self->bars.x_label = _("code unit");
  self->bars.y_label = _("mean activation");
  self->bars.empty_text = _("The activations appear with the first report");
  lab_chart_set_draw_func (self->bars_chart, lab_plot_bars_draw_func, &self->bars, NULL);
  self->jacobian_hist.anomalous_name = _("same network without the penalty (λ = 0)");
  self->jacobian_hist.x_label = _("‖J_f(x)‖_F per test sample");
  self->jacobian_hist.empty_text = _("Shown for a contractive encoder");
  lab_chart_set_draw_func (self->jacobian_chart, lab_plot_histogram_draw_func, &self->jacobian_hist, NULL);
  lab_inside_view_update_jacobian_text (self);
}
