/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-inside-view.c: the Inside view.
 *
 * What the objective does to the network, from each snapshot that brings new weights: the
 * first layer's weights as images (one tile per unit, each scaled to its own largest
 * |weight|, blue negative and red positive), the mean activation of each code unit over
 * the snapshot's test subset with the sparsity target rho and the units that subset never
 * activates, the distribution of all code values, and for a contractive encoder the
 * per-sample norm of the encoder's Jacobian beside that of a companion model trained with
 * the same settings and no penalty (on request). Everything is computed on workers
 * (lab_inside_look_job_run and lab_inside_norms_job_run through LabBackgroundSlots, the
 * newest weights winning); the main thread draws what they return.
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-background.h"
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

  LabSnapshot *snapshot;       /* the newest asked for */
  LabWeights *shown_weights;   /* the weights last asked for, to skip snapshots without new ones */
  gint64 refresh_time;
  LabBackgroundSlot *look_job, *jacobian_job, *companion_job;

  LabInsideLook *look;         /* what the charts draw from */
  LabSnapshot *look_snapshot;  /* the snapshot it was made of, for the codes' histogram */
  LabInsideInfo info;
  LabImageRow tiles_row;
  LabImageGridData tiles_grid;
  char rho_text[32];
  LabBarsData bars;
  LabHistogramData codes_hist;
  char codes_name[96];         /* its legend: "code values of 2,000 test samples" */

  LabInsideNorms *norms, *companion;
  int n_norms, n_companion;
  char model_name[64];
  LabHistogramData jacobian_hist;

  guint companion_generation;
  long companion_samples;
  int companion_epochs;
};

G_DEFINE_FINAL_TYPE (LabInsideView, lab_inside_view, LAB_TYPE_VIEW)

static void
lab_inside_view_show_tiles (LabInsideView *self)
{
  const LabInsideLook *look = self->look;
  const LabSnapshot *s = self->look_snapshot;
  g_autofree char *text = NULL;

  self->tiles_grid.n_rows = 0;
  if (!s->is_image)
    {
      self->tiles_grid.empty_text = _("First-layer weights are drawn as images for image data");
      lab_chart_redraw (self->weights_chart);
      return;
    }
  if (look->n_tiles <= 0)
    {
      lab_chart_redraw (self->weights_chart);
      return;
    }
  self->tiles_row = (LabImageRow) { .pixels = look->tiles, .n_images = look->n_tiles,
                                    .colormap = look->colour ? LAB_IMAGE_RGB : LAB_IMAGE_DIVERGING,
                                    .vmax = 1.0f };
  self->tiles_grid.image_width = look->tile_w;
  self->tiles_grid.image_height = look->tile_h;
  self->tiles_grid.rows = &self->tiles_row;
  self->tiles_grid.n_rows = 1;
  /* the panel is wider than tall: about 1.6 columns per line */
  self->tiles_grid.columns = MIN (look->n_tiles, (int) ceil (sqrt (look->n_tiles * 1.6)));
  if (look->colour)
    text = g_strdup_printf (_("Each tile is the weights of one first-layer %s on the red, green "
                              "and blue planes (%d of %d), drawn as a colour: grey is zero, and "
                              "a tinted pixel shows the colour that excites the unit there."),
                            look->inputs == s->dim ? _("unit") : _("kernel"), look->n_tiles,
                            look->layer_units);
  else if (look->inputs == s->dim)
    text = g_strdup_printf (_("Each tile is the weight vector of one first-layer unit drawn as "
                              "an image (%d of %d units): red pixels excite the unit, blue "
                              "inhibit it, each tile scaled to its own largest weight."),
                            look->n_tiles, look->layer_units);
  else
    text = g_strdup_printf (_("Each tile is one %d×%d kernel of the first convolution (%d of %d, "
                              "averaged over input channels): red weights excite, blue inhibit."),
                            look->tile_w, look->tile_h, look->n_tiles, look->layer_units);
  gtk_label_set_label (self->weights_label, text);
  lab_chart_redraw (self->weights_chart);
}

static void
lab_inside_view_show_activity (LabInsideView *self)
{
  const LabInsideLook *look = self->look;
  const LabSnapshot *s = self->look_snapshot;
  g_autofree char *text = NULL;
  char samples[32];

  self->bars.values = look->mean;
  self->bars.n = look->units;
  self->bars.flagged = look->dead;
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
                            look->n_dead, look->units, (double) self->info.active_above,
                            s->n_codes, (double) self->info.rho);
  else
    text = g_strdup_printf (_("%d of %d code units never rise above %g on %d test samples (dead "
                              "units carry no information)."),
                            look->n_dead, look->units, (double) self->info.active_above,
                            s->n_codes);
  gtk_label_set_label (self->dead_label, text);

  self->codes_hist.normal = look->code_values;
  self->codes_hist.n_normal = look->n_code_values;
  /* the histogram bins an even sample of every code value: the legend says of how many */
  self->codes_hist.n_normal_of = (long) s->n_codes * s->latent;
  lab_plot_format_count (s->n_codes, samples, sizeof samples);
  g_snprintf (self->codes_name, sizeof self->codes_name, _("code values of %s test samples"), samples);
  self->codes_hist.normal_name = self->codes_name;
  lab_chart_redraw (self->codes_chart);
}

static void lab_inside_view_show_jacobian (LabInsideView *self);

static void
on_look_done (GObject *owner, gpointer input, gpointer output)
{
  LabInsideView *self = LAB_INSIDE_VIEW (owner);
  LabInsideLookJob *job = input;

  lab_inside_look_free (self->look);
  self->look = output;
  g_clear_pointer (&self->look_snapshot, lab_snapshot_unref);
  self->look_snapshot = lab_snapshot_ref (job->snapshot);
  self->info = self->look->info;
  lab_inside_view_show_tiles (self);
  lab_inside_view_show_activity (self);
  /* the companion's button and the text follow the description */
  lab_inside_view_show_jacobian (self);
}

/* A norms job on the snapshot's code samples (at most LAB_JACOBIAN_SAMPLES); NULL without. */
static LabInsideNormsJob *
lab_inside_view_norms_job (LabInsideView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  const LabSnapshot *s = self->snapshot;
  LabSamples *train;

  if (session == NULL || s == NULL || s->code_indices == NULL || s->n_codes <= 0
      || (train = lab_samples_new (session, LAB_SPLIT_TRAIN)) == NULL)
    return NULL;
  return lab_inside_norms_job_new (s->weights, train, s->code_indices,
                                   MIN (s->n_codes, LAB_JACOBIAN_SAMPLES));
}

static void
lab_inside_view_update_jacobian_text (LabInsideView *self)
{
  g_autofree char *text = NULL;
  double mean = 0, companion_mean = 0;

  for (int i = 0; i < self->n_norms; i++)
    mean += self->norms->norms[i] / self->n_norms;
  for (int i = 0; i < self->n_companion; i++)
    companion_mean += self->companion->norms[i] / self->n_companion;
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
  self->jacobian_hist.normal = self->n_norms > 0 ? self->norms->norms : NULL;
  self->jacobian_hist.n_normal = self->n_norms;
  g_snprintf (self->model_name, sizeof self->model_name, _("this model (λ = %g)"),
              (double) self->info.contractive);
  self->jacobian_hist.normal_name = self->model_name;
  gtk_widget_set_sensitive (self->companion_button,
                            self->n_norms > 0 && !lab_background_slot_is_busy (self->companion_job)
                            && self->info.contractive > 0);
  lab_inside_view_update_jacobian_text (self);
  lab_chart_redraw (self->jacobian_chart);
}

static void
on_jacobian_done (GObject *owner, gpointer input, gpointer output)
{
  LabInsideView *self = LAB_INSIDE_VIEW (owner);

  (void) input;
  lab_inside_norms_free (self->norms);
  self->norms = output;
  self->n_norms = (int) self->norms->n;
  lab_inside_view_show_jacobian (self);
}

/* Measures the newest weights' Jacobian norms on a worker (the newest request wins); the
 * model is measured when its norms mean something, or to compare with a companion. */
static void
lab_inside_view_build_jacobian (LabInsideView *self)
{
  LabInsideNormsJob *job = lab_inside_view_norms_job (self);

  if (job == NULL)
    {
      lab_background_slot_cancel (self->jacobian_job);
      self->n_norms = 0;
      lab_inside_view_show_jacobian (self);
      return;
    }
  job->always = self->companion != NULL;
  lab_background_slot_request (self->jacobian_job, job);
}

static void
lab_inside_view_clear_companion (LabInsideView *self)
{
  lab_background_slot_cancel (self->companion_job);
  g_clear_pointer (&self->companion, lab_inside_norms_free);
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
      /* norms of another model are not worth finishing */
      lab_background_slot_cancel (self->jacobian_job);
      self->n_norms = 0;
    }
  if (new_model && self->companion_generation != snapshot->generation)
    lab_inside_view_clear_companion (self);

  lab_background_slot_request (self->look_job,
                               lab_inside_look_job_new (snapshot->weights, snapshot, LAB_MAX_TILES));
  lab_inside_view_build_jacobian (self);
}

static void
on_companion_done (GObject *owner, gpointer input, gpointer output)
{
  LabInsideView *self = LAB_INSIDE_VIEW (owner);
  LabInsideNorms *companion = output;

  (void) input;
  gtk_button_set_label (GTK_BUTTON (self->companion_button), _("Train the companion again"));
  if (companion->error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The companion model failed: %s"),
                                               companion->error->message);

      gtk_label_set_label (self->jacobian_label, text);
      lab_inside_norms_free (companion);
    }
  else
    {
      lab_inside_norms_free (self->companion);
      self->companion = companion;
      self->n_companion = (int) companion->n;
      self->jacobian_hist.anomalous = companion->norms;
      self->jacobian_hist.n_anomalous = (int) companion->n;
      lab_inside_view_update_jacobian_text (self);
      lab_chart_redraw (self->jacobian_chart);
    }
  gtk_widget_set_sensitive (self->companion_button, self->n_norms > 0);
}

gboolean
lab_inside_view_train_companion (LabInsideView *self)
{
  LabInsideNormsJob *job;

  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), FALSE);

  if (self->snapshot == NULL || lab_background_slot_is_busy (self->companion_job)
      || self->info.contractive <= 0 || (job = lab_inside_view_norms_job (self)) == NULL)
    return FALSE;
  job->n_train = MIN (lab_samples_get_count (job->train), LAB_COMPANION_SAMPLES);
  job->epochs = CLAMP ((int) ((self->snapshot->steps + MAX (self->snapshot->batches_per_epoch, 1) - 1)
                              / MAX (self->snapshot->batches_per_epoch, 1)),
                       1, LAB_COMPANION_MAX_EPOCHS);
  if (job->n_train <= 0)
    {
      lab_inside_norms_job_free (job);
      return FALSE;
    }
  self->companion_generation = self->snapshot->generation;
  self->companion_samples = job->n_train;
  self->companion_epochs = job->epochs;
  lab_background_slot_request (self->companion_job, job);
  gtk_widget_set_sensitive (self->companion_button, FALSE);
  gtk_button_set_label (GTK_BUTTON (self->companion_button), _("Training the companion…"));
  return TRUE;
}

/* --- public ----------------------------------------------------------------------------- */

int
lab_inside_view_get_n_tiles (LabInsideView *self)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), 0);
  return self->tiles_grid.n_rows > 0 ? self->look->n_tiles : 0;
}

int
lab_inside_view_get_dead_units (LabInsideView *self)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), -1);
  return self->look != NULL && self->look->units > 0 ? self->look->n_dead : -1;
}

const float *
lab_inside_view_get_jacobian_norms (LabInsideView *self, gboolean companion, int *n)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), NULL);
  g_return_val_if_fail (n != NULL, NULL);

  *n = companion ? self->n_companion : self->n_norms;
  return *n > 0 ? (companion ? self->companion : self->norms)->norms : NULL;
}

gboolean
lab_inside_view_get_training_companion (LabInsideView *self)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), FALSE);
  return lab_background_slot_is_busy (self->companion_job);
}

gboolean
lab_inside_view_get_measuring (LabInsideView *self)
{
  g_return_val_if_fail (LAB_IS_INSIDE_VIEW (self), FALSE);
  return lab_background_owner_is_busy (G_OBJECT (self));
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
lab_inside_view_dispose (GObject *object)
{
  LabInsideView *self = LAB_INSIDE_VIEW (object);

  g_clear_pointer (&self->look_job, lab_background_slot_free);
  g_clear_pointer (&self->jacobian_job, lab_background_slot_free);
  g_clear_pointer (&self->companion_job, lab_background_slot_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_INSIDE_VIEW);
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  g_clear_pointer (&self->look_snapshot, lab_snapshot_unref);
  g_clear_pointer (&self->look, lab_inside_look_free);
  g_clear_pointer (&self->norms, lab_inside_norms_free);
  g_clear_pointer (&self->companion, lab_inside_norms_free);
  G_OBJECT_CLASS (lab_inside_view_parent_class)->dispose (object);
}

static void
lab_inside_view_class_init (LabInsideViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lab_inside_view_dispose;
  LAB_VIEW_CLASS (klass)->snapshot = lab_inside_view_on_snapshot;
  lab_view_class_set_template (LAB_VIEW_CLASS (klass), GTK_TYPE_BOX_LAYOUT, "labinsideview",
                               "lab-inside-view.ui");
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
  GtkLayoutManager *layout;

  self->look_job = lab_background_slot_new (G_OBJECT (self), lab_inside_look_job_run,
                                            (GDestroyNotify) lab_inside_look_job_free, on_look_done,
                                            (GDestroyNotify) lab_inside_look_free);
  self->jacobian_job = lab_background_slot_new (G_OBJECT (self), lab_inside_norms_job_run,
                                                (GDestroyNotify) lab_inside_norms_job_free,
                                                on_jacobian_done, (GDestroyNotify) lab_inside_norms_free);
  self->companion_job = lab_background_slot_new (G_OBJECT (self), lab_inside_norms_job_run,
                                                 (GDestroyNotify) lab_inside_norms_job_free,
                                                 on_companion_done, (GDestroyNotify) lab_inside_norms_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  gtk_box_layout_set_homogeneous (GTK_BOX_LAYOUT (layout), TRUE);

  /* the charts draw from data that lives in this view */
  self->tiles_grid.highlight_row = self->tiles_grid.highlight_index = -1;
  self->tiles_grid.empty_text = _("The weights appear with the first report: press Run");
  lab_chart_set_draw_func (self->weights_chart, lab_plot_image_grid_draw_func, &self->tiles_grid, NULL);
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
