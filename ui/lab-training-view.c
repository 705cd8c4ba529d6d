/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-training-view.c: the Training view.
 *
 * Each delivered snapshot is turned into the plots' data (series pointing into the
 * snapshot, which this view keeps alive) and the charts are queued for drawing; drawing
 * itself is the pure-Cairo functions of lab-plot.h, the same ones export uses.
 */
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "lab-chart.h"
#include "lab-plot.h"
#include "lab-sidebar.h"
#include "lab-training-view.h"

#define LAB_MAX_CURVES (2 * LAB_N_LOSS_TERMS)
#define LAB_PREVIEW_ROWS 4
/* While training runs, snapshots come at the trainer's report rate (up to 30 a second) and
 * each repaint of the two charts is a large part of the window: the plots follow at most
 * five times a second, which still reads as live, and the snapshots in between are skipped.
 * A snapshot that is not from a running trainer (a step, a pause, a reset) shows at once. */
#define LAB_REDRAW_INTERVAL_US (200 * G_TIME_SPAN_MILLISECOND)

struct _LabTrainingView {
  LabView parent_instance;

  /* template widgets */
  GtkWidget *loss_row;       /* the loss card and the concept panel */
  GtkWidget *loss_card;
  GtkWidget *preview_card;
  GtkToggleButton *log_toggle;
  LabChart *loss_chart;
  GtkLabel *hover_label;
  GtkLabel *preview_title;
  LabChart *preview_chart;
  GtkLabel *concept_title;
  GtkLabel *concept_what;
  GtkLabel *concept_loss;
  GtkLabel *concept_watch;

  /* owned */
  LabSnapshot *snapshot;     /* shown: the plots' data points into it */
  LabSnapshot *waiting;      /* the newest, shown when the redraw timeout fires */
  guint redraw_source;
  gint64 shown_at;           /* monotonic time the plots last took a snapshot */
  guint n_shown;             /* snapshots the plots took, for tests */

  LabSeries curves[LAB_MAX_CURVES];
  char *curve_names[LAB_MAX_CURVES];
  LabLossData loss;

  LabImageRow rows[LAB_PREVIEW_ROWS];
  float *row_pixels[LAB_PREVIEW_ROWS]; /* grey images made from the snapshot */
  gsize row_capacity;
  LabImageGridData grid;
  LabSequenceData sequence;
  gboolean show_sequence;
};

G_DEFINE_FINAL_TYPE (LabTrainingView, lab_training_view, LAB_TYPE_VIEW)

/* Palette slots per loss term, so a term keeps its colour whatever else is shown. */
static const int term_colors[LAB_N_LOSS_TERMS] = {
  [LAB_LOSS_TOTAL] = 7,
  [LAB_LOSS_RECONSTRUCTION] = 0,
  [LAB_LOSS_SPARSITY] = 2,
  [LAB_LOSS_CONTRACTIVE] = 3,
  [LAB_LOSS_KL] = 1,
};

/* --- data from the snapshot ------------------------------------------------------------- */

static void
lab_training_view_build_loss (LabTrainingView *self)
{
  const LabSnapshot *snapshot = self->snapshot;
  int n = 0;

  for (guint i = 0; i < LAB_MAX_CURVES; i++)
    g_clear_pointer (&self->curve_names[i], g_free);

  for (guint t = 0; t < LAB_N_LOSS_TERMS && snapshot != NULL; t++)
    {
      if (!(snapshot->terms & (1u << t)))
        continue;
      for (guint val = 0; val < 2; val++)
        {
          const LabCurve *curve = val ? &snapshot->val[t] : &snapshot->train[t];
          LabSeries *series = &self->curves[n];

          /* TRANSLATORS: a loss term and the data it is measured on: "KL (validation)" */
          self->curve_names[n] = g_strdup_printf (_("%s (%s)"), lab_loss_term_name (t),
                                                  val ? _("validation") : _("train"));
          memset (series, 0, sizeof *series);
          series->name = self->curve_names[n];
          series->x = curve->x;
          series->y = curve->y;
          series->n = (int) curve->n;
          series->color_index = term_colors[t];
          series->dashed = val;
          /* validation comes once an epoch: dots make the first few readable */
          series->markers = val && curve->n < 30;
          n++;
        }
    }

  self->loss.series = self->curves;
  self->loss.n_series = n;
  self->loss.x_label = _("epoch");
  self->loss.y_label = _("loss per example");
  self->loss.log_y = gtk_toggle_button_get_active (self->log_toggle);
  self->loss.legend = LAB_PLOT_LEGEND_BEST;
  /* the first point comes after a twentieth of an epoch: a long wait on a large dataset */
  self->loss.empty_text = snapshot != NULL && snapshot->state == LAB_TRAINING_RUNNING
                            ? _("The curves begin after the first batches")
                            : _("Press Run to start training");
}

static void
lab_training_view_update_hover_label (LabTrainingView *self)
{
  char text[512];

  if (self->snapshot == NULL || !lab_snapshot_has_history (self->snapshot))
    {
      gtk_label_set_label (self->hover_label, _("Hover over the curves to read their values."));
      lab_chart_set_description (self->loss_chart, _("Loss curves: no training yet"));
      return;
    }
  lab_plot_loss_summary (&self->loss, text, sizeof text);
  gtk_label_set_label (self->hover_label, text);
  lab_chart_set_description (self->loss_chart, text);
}

/* Grey images (n, height, width) from samples (n, channels, height, width): the mean over
 * channels, or |a - b| of that when b is given. */
static void
grey_images (float *out, const float *a, const float *b, int n, int channels, int pixels)
{
  for (int i = 0; i < n; i++)
    for (int p = 0; p < pixels; p++)
      {
        float sum = 0;

        for (int c = 0; c < channels; c++)
          {
            size_t at = ((size_t) i * channels + c) * pixels + p;

            sum += b != NULL ? fabsf (a[at] - b[at]) : a[at];
          }
        out[(size_t) i * pixels + p] = sum / channels;
      }
}

static void
lab_training_view_build_preview (LabTrainingView *self)
{
  const LabSnapshot *s = self->snapshot;
  g_autofree char *description = NULL;
  gboolean noisy, colour;
  int pixels, n, row = 0;
  gsize needed;

  memset (&self->grid, 0, sizeof self->grid);
  memset (&self->sequence, 0, sizeof self->sequence);
  self->grid.highlight_row = self->grid.highlight_index = -1;
  self->grid.empty_text = _("The reconstructions appear with the first report");
  self->sequence.empty_text = self->grid.empty_text;
  self->show_sequence = s != NULL && !s->is_image && s->dim > 0;

  if (self->show_sequence)
    lab_chart_set_draw_func (self->preview_chart, lab_plot_sequence_draw_func, &self->sequence, NULL);
  else
    lab_chart_set_draw_func (self->preview_chart, lab_plot_image_grid_draw_func, &self->grid, NULL);

  if (s == NULL || s->preview_output == NULL || s->n_preview <= 0)
    {
      lab_chart_set_description (self->preview_chart, _("Reconstructions: none yet"));
      return;
    }

  if (self->show_sequence)
    {
      /* one window of the series: steps are rows, features columns */
      self->sequence.input = s->preview_clean;
      self->sequence.reconstruction = s->preview_output;
      self->sequence.n_steps = s->height;
      self->sequence.n_features = s->width;
      self->sequence.x_label = _("step");
      description = g_strdup_printf (ngettext ("One window of %d steps with %d feature: the "
                                               "input and its reconstruction",
                                               "One window of %d steps with %d features: the "
                                               "input and its reconstruction", s->width),
                                     s->height, s->width);
      lab_chart_set_description (self->preview_chart, description);
      return;
    }

  pixels = s->height * s->width;
  n = s->n_preview;
  /* colour images are shown in colour; the error map stays one heat plane */
  colour = s->channels == 3;
  needed = (gsize) n * pixels * (colour ? 3 : 1);
  if (needed > self->row_capacity)
    {
      for (guint i = 0; i < LAB_PREVIEW_ROWS; i++)
        self->row_pixels[i] = g_renew (float, self->row_pixels[i], needed);
      self->row_capacity = needed;
    }

  /* when denoising, the input differs from the target: show both */
  noisy = s->preview_input != NULL && s->preview_clean != NULL
          && memcmp (s->preview_input, s->preview_clean, (gsize) n * pixels * s->channels * sizeof (float)) != 0;

  if (noisy)
    {
      LabImageColormap map = lab_plot_images_as_row (self->row_pixels[row], s->preview_clean, n, s->channels, pixels);
      self->rows[row++] = (LabImageRow) { .label = _("clean"), .pixels = self->row_pixels[0],
                                          .n_images = n, .colormap = map };
    }
  LabImageColormap input_map = lab_plot_images_as_row (self->row_pixels[row], s->preview_input, n, s->channels, pixels);
  self->rows[row] = (LabImageRow) { .label = noisy ? _("noisy input") : _("input"),
                                    .pixels = self->row_pixels[row], .n_images = n,
                                    .colormap = input_map };
  row++;
  LabImageColormap output_map = lab_plot_images_as_row (self->row_pixels[row], s->preview_output, n, s->channels, pixels);
  self->rows[row] = (LabImageRow) { .label = _("reconstruction"), .pixels = self->row_pixels[row],
                                    .n_images = n, .colormap = output_map };
  row++;
  grey_images (self->row_pixels[row], s->preview_output, s->preview_clean, n, s->channels, pixels);
  /* a fixed scale, so that errors visibly shrink as training goes on */
  self->rows[row] = (LabImageRow) { .label = _("|error|"), .pixels = self->row_pixels[row],
                                    .n_images = n, .colormap = LAB_IMAGE_HEAT, .vmax = 1.0f };
  row++;

  self->grid.image_width = s->width;
  self->grid.image_height = s->height;
  self->grid.rows = self->rows;
  self->grid.n_rows = row;

  description = g_strdup_printf (noisy ? _("%d fixed examples: clean, noisy input, "
                                           "reconstruction and error map of each")
                                       : _("%d fixed examples: input, reconstruction and error "
                                           "map of each"), n);
  lab_chart_set_description (self->preview_chart, description);
}

/* Whether two snapshots carry the same reconstructions (the session shares them). */
static gboolean
same_preview (const LabSnapshot *a, const LabSnapshot *b)
{
  return a != NULL && b != NULL && a->preview_output == b->preview_output
         && a->preview_input == b->preview_input && a->preview_clean == b->preview_clean
         && a->n_preview == b->n_preview && a->dim == b->dim && a->is_image == b->is_image;
}

/* Whether the loss plot would draw the same: the same curves with the same number of points
 * and the same last point (the session adds points, about twenty an epoch, and never edits
 * one it has handed out, except by thinning, which changes the count), and the same text
 * while there is none. */
static gboolean
same_curves (const LabSnapshot *a, const LabSnapshot *b)
{
  if (a == NULL || b == NULL || a->generation != b->generation || a->terms != b->terms
      || (a->state == LAB_TRAINING_RUNNING) != (b->state == LAB_TRAINING_RUNNING))
    return FALSE;
  for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
    for (guint val = 0; val < 2; val++)
      {
        const LabCurve *ca = val ? &a->val[t] : &a->train[t];
        const LabCurve *cb = val ? &b->val[t] : &b->train[t];

        if (ca->n != cb->n)
          return FALSE;
        if (ca->n > 0 && (ca->x[ca->n - 1] != cb->x[cb->n - 1] || ca->y[ca->n - 1] != cb->y[cb->n - 1]))
          return FALSE;
      }
  return TRUE;
}

static void
lab_training_view_show (LabTrainingView *self, LabSnapshot *snapshot)
{
  gboolean new_preview = !same_preview (self->snapshot, snapshot);
  gboolean new_curves = !same_curves (self->snapshot, snapshot);

  lab_snapshot_ref (snapshot);
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  self->snapshot = snapshot;
  self->shown_at = g_get_monotonic_time ();
  self->n_shown++;

  /* the curves point into the snapshot: rebuilt always, drawn again only when they changed */
  lab_training_view_build_loss (self);
  if (new_curves)
    {
      if (!self->loss.show_hover)
        lab_training_view_update_hover_label (self);
      lab_chart_redraw (self->loss_chart);
    }
  /* the grid's data points into the shared pictures: the same ones need no new drawing */
  if (new_preview)
    {
      lab_training_view_build_preview (self);
      lab_chart_redraw (self->preview_chart);
    }
}

static gboolean
on_redraw_due (gpointer data)
{
  LabTrainingView *self = data;
  LabSnapshot *waiting = g_steal_pointer (&self->waiting);

  self->redraw_source = 0;
  if (waiting != NULL)
    {
      lab_training_view_show (self, waiting);
      lab_snapshot_unref (waiting);
    }
  return G_SOURCE_REMOVE;
}

static void
lab_training_view_on_snapshot (LabView *view, LabSnapshot *snapshot)
{
  LabTrainingView *self = LAB_TRAINING_VIEW (view);
  gint64 since = g_get_monotonic_time () - self->shown_at;

  g_clear_pointer (&self->waiting, lab_snapshot_unref);
  if (snapshot->state != LAB_TRAINING_RUNNING || self->snapshot == NULL
      || snapshot->generation != self->snapshot->generation)
    {
      g_clear_handle_id (&self->redraw_source, g_source_remove);
      lab_training_view_show (self, snapshot);
      return;
    }
  if (self->redraw_source != 0 || since < LAB_REDRAW_INTERVAL_US)
    {
      self->waiting = lab_snapshot_ref (snapshot);
      if (self->redraw_source == 0)
        self->redraw_source = g_timeout_add ((guint) ((LAB_REDRAW_INTERVAL_US - since) / 1000) + 1,
                                             on_redraw_due, self);
      return;
    }
  lab_training_view_show (self, snapshot);
}

static void
lab_training_view_update_concept (LabTrainingView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  g_autofree char *title = NULL, *what = NULL, *loss = NULL, *watch = NULL;

  if (session == NULL
      || !lab_sidebar_preset_concept (lab_session_get_preset (session),
                                      lab_session_get_dataset_spec (session), &title, &what,
                                      &loss, &watch))
    return;
  gtk_label_set_label (self->concept_title, title);
  gtk_label_set_label (self->concept_what, what);
  gtk_label_set_label (self->concept_loss, loss);
  gtk_label_set_label (self->concept_watch, watch);
}

/* --- interaction ----------------------------------------------------------------------- */

static void
on_log_toggled (LabTrainingView *self)
{
  self->loss.log_y = gtk_toggle_button_get_active (self->log_toggle);
  lab_chart_redraw (self->loss_chart);
}

static void
on_loss_motion (LabTrainingView *self, double x, double y)
{
  GtkWidget *chart = GTK_WIDGET (self->loss_chart);
  double epoch = 0;

  self->loss.show_hover = lab_plot_loss_x_at (gtk_widget_get_width (chart),
                                              gtk_widget_get_height (chart), &self->loss,
                                              lab_chart_get_style (self->loss_chart), x, &epoch);
  self->loss.hover_x = epoch;
  lab_training_view_update_hover_label (self);
  lab_chart_redraw (self->loss_chart);
}

static void
on_loss_leave (LabTrainingView *self)
{
  self->loss.show_hover = FALSE;
  lab_training_view_update_hover_label (self);
  lab_chart_redraw (self->loss_chart);
}

/* --- public ----------------------------------------------------------------------------- */

LabSnapshot *
lab_training_view_get_snapshot (LabTrainingView *self)
{
  g_return_val_if_fail (LAB_IS_TRAINING_VIEW (self), NULL);
  return self->snapshot;
}

guint
lab_training_view_get_n_shown (LabTrainingView *self)
{
  g_return_val_if_fail (LAB_IS_TRAINING_VIEW (self), 0);
  return self->n_shown;
}

guint
lab_training_view_get_n_points (LabTrainingView *self)
{
  guint n = 0;

  g_return_val_if_fail (LAB_IS_TRAINING_VIEW (self), 0);

  for (int i = 0; i < self->loss.n_series; i++)
    n += (guint) self->loss.series[i].n;
  return n;
}

GtkWidget *
lab_training_view_get_chart (LabTrainingView *self, LabTrainingPicture picture)
{
  g_return_val_if_fail (LAB_IS_TRAINING_VIEW (self), NULL);
  return GTK_WIDGET (picture == LAB_TRAINING_PICTURE_PREVIEW ? self->preview_chart : self->loss_chart);
}

gboolean
lab_training_view_get_log_scale (LabTrainingView *self)
{
  g_return_val_if_fail (LAB_IS_TRAINING_VIEW (self), FALSE);
  return gtk_toggle_button_get_active (self->log_toggle);
}

void
lab_training_view_set_log_scale (LabTrainingView *self, gboolean log_scale)
{
  g_return_if_fail (LAB_IS_TRAINING_VIEW (self));
  gtk_toggle_button_set_active (self->log_toggle, log_scale);
}

gboolean
lab_training_view_export (LabTrainingView *self, LabTrainingPicture picture, const char *path,
                          GError **error)
{
  gboolean hover = self->loss.show_hover;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_TRAINING_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* the picture is what the class saw, without the pointer's readout */
  self->loss.show_hover = FALSE;
  ok = lab_chart_export (LAB_CHART (lab_training_view_get_chart (self, picture)), path, error);
  self->loss.show_hover = hover;
  return ok;
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
lab_training_view_session_changed (LabView *view, LabSession *session)
{
  if (session == NULL)
    return;
  g_signal_connect_swapped (session, "notify::preset", G_CALLBACK (lab_training_view_update_concept), view);
  g_signal_connect_swapped (session, "notify::dataset-name", G_CALLBACK (lab_training_view_update_concept), view);
  lab_training_view_update_concept (LAB_TRAINING_VIEW (view));
}

static void
lab_training_view_dispose (GObject *object)
{
  LabTrainingView *self = LAB_TRAINING_VIEW (object);

  if (self->loss_chart != NULL)
    lab_chart_set_draw_func (self->loss_chart, NULL, NULL, NULL);
  if (self->preview_chart != NULL)
    lab_chart_set_draw_func (self->preview_chart, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_TRAINING_VIEW);
  g_clear_handle_id (&self->redraw_source, g_source_remove);
  g_clear_pointer (&self->waiting, lab_snapshot_unref);
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  for (guint i = 0; i < LAB_MAX_CURVES; i++)
    g_clear_pointer (&self->curve_names[i], g_free);
  for (guint i = 0; i < LAB_PREVIEW_ROWS; i++)
    g_clear_pointer (&self->row_pixels[i], g_free);
  self->row_capacity = 0;
  memset (&self->loss, 0, sizeof self->loss);
  memset (&self->grid, 0, sizeof self->grid);

  G_OBJECT_CLASS (lab_training_view_parent_class)->dispose (object);
}

static void
lab_training_view_class_init (LabTrainingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_training_view_dispose;
  LAB_VIEW_CLASS (klass)->session_changed = lab_training_view_session_changed;
  LAB_VIEW_CLASS (klass)->snapshot = lab_training_view_on_snapshot;

  lab_view_class_set_template (LAB_VIEW_CLASS (klass), GTK_TYPE_BOX_LAYOUT, "labtrainingview",
                               "lab-training-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, loss_row);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, loss_card);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, preview_card);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, log_toggle);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, loss_chart);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, hover_label);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, preview_title);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, preview_chart);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, concept_title);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, concept_what);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, concept_loss);
  gtk_widget_class_bind_template_child (widget_class, LabTrainingView, concept_watch);
}

static void
lab_training_view_init (LabTrainingView *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));

  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);

  /* the charts draw from data that lives in this view and points into self->snapshot */
  lab_chart_set_draw_func (self->loss_chart, lab_plot_loss_draw_func, &self->loss, NULL);
  lab_training_view_build_loss (self);
  lab_training_view_build_preview (self);
  lab_training_view_update_hover_label (self);

  g_signal_connect_swapped (self->log_toggle, "toggled", G_CALLBACK (on_log_toggled), self);
  g_signal_connect_swapped (self->loss_chart, "motion", G_CALLBACK (on_loss_motion), self);
  g_signal_connect_swapped (self->loss_chart, "leave", G_CALLBACK (on_loss_leave), self);
}
