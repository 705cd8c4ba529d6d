/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-anomaly-view.c: the Anomaly view.
 *
 * A model trained on the normal classes only reconstructs them well and the others badly,
 * so the squared reconstruction error ranks test samples by how anomalous they are. The
 * view ticks the normal classes (and asks the session to train on those alone), scores an
 * evenly spread part of the test split with every new weights copy in a GTask thread (one
 * scoring at a time; the newest weights win), and shows the two error histograms with a
 * threshold, precision, recall and F1 there, the ROC curve beside PCA's at the same code
 * size (fitted once per choice of classes on the normal training samples), and the worst
 * reconstructions with their error maps, or for time series the worst windows with the
 * labelled anomalous steps shaded. A dataset file can be scored by the same model and
 * shown against the normal test samples. The sets scored are made on a worker too, from
 * the session's dataset borrowed by reference (lab_anomaly_sets_job_run).
 */
#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lab-background.h"
#include "lab-confirm.h"
#include "lab-anomaly.h"
#include "lab-anomaly-view.h"
#include "lab-reflow.h"
#include "lab-file-chooser.h"
#include "lab-chart.h"
#include "lab-plot.h"

#define LAB_SCORE_SAMPLES 1000   /* test samples scored: a fraction of a second per scoring */
#define LAB_PCA_SAMPLES 2000     /* normal training rows PCA is fitted on */
#define LAB_FILE_SAMPLES 2000
#define LAB_SCORE_INTERVAL_US (G_USEC_PER_SEC / 2)
#define LAB_GALLERY_IMAGES 8
#define LAB_GALLERY_SEQUENCES 4
#define LAB_MAX_CLASSES 64       /* check buttons beyond this would not fit */

struct _LabAnomalyView {
  LabView parent_instance;

  /* template widgets */
  GtkWidget *classes_box;
  GtkWidget *checks[LAB_MAX_CLASSES];
  GtkDropDown *hold_out_dropdown;
  GtkWidget *apply_button;
  GtkLabel *training_label;
  GtkScale *threshold_scale;
  GtkLabel *metrics_label;
  GtkLabel *message_label;
  GtkWidget *file_button, *forget_button;
  LabChart *histogram_chart, *roc_chart, *gallery_chart;
  GtkWidget *gallery_stack;
  GtkGrid *sequences_grid;
  LabChart *sequence_charts[LAB_GALLERY_SEQUENCES]; /* the view adds them to the grid */

  LabWeights *weights;        /* newest seen */
  gboolean updating;          /* controls set from code: no feedback */
  int n_classes;
  gboolean normal[LAB_MAX_CLASSES];
  char *dataset_key;          /* name and shape of the dataset the controls were built for */

  LabBackgroundSlot *sets_job, *file_job;
  gboolean sets_stale;         /* new sets are wanted once the view is shown */
  LabAnomalySet *test_set, *pca_train, *file_set;
  LabAnomalyBaseline *baseline;
  LabAnomalyResult *result, *file_result;
  LabWeights *scored_weights;
  GCancellable *cancellable;
  gboolean scoring, rescore;
  guint n_scored;
  gint64 score_time;
  guint score_timeout;
  gboolean threshold_set;      /* by the user: otherwise it follows the normal errors */
  double threshold;
  LabAnomalyCounts counts;

  /* plot data, kept alive for the charts */
  float *hist_normal, *hist_other;
  LabHistogramData hist;
  LabRocCurve roc_curves[2];
  char pca_name[64];
  LabRocData roc;
  float *gallery_pixels;
  char *gallery_captions[LAB_GALLERY_IMAGES];
  char *gallery_classes[LAB_GALLERY_IMAGES];
  LabImageRow gallery_rows[3];
  LabImageGridData gallery;
  LabSequenceData sequences[LAB_GALLERY_SEQUENCES];
  char *sequence_titles[LAB_GALLERY_SEQUENCES];
};

G_DEFINE_FINAL_TYPE (LabAnomalyView, lab_anomaly_view, LAB_TYPE_VIEW)

static void lab_anomaly_view_queue_score (LabAnomalyView *self);

/* --- what is shown -------------------------------------------------------------------- */

static gboolean
steps_labelled (LabAnomalyView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));

  return session != NULL && lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, 0) != NULL;
}

/* "0.912", or "—" when undefined (nothing flagged, no anomalies). */
#define format_measure(name, value) \
  char name[16]; \
  if (isnan (value)) \
    g_strlcpy (name, "—", sizeof name); \
  else \
    g_snprintf (name, sizeof name, "%.3f", value)

static void
lab_anomaly_view_update_metrics (LabAnomalyView *self)
{
  LabAnomalyResult *r = self->result;
  g_autofree char *text = NULL;

  memset (&self->counts, 0, sizeof self->counts);
  self->counts.precision = self->counts.recall = self->counts.f1 = self->counts.fpr = NAN;
  if (r == NULL || self->test_set == NULL)
    {
      gtk_label_set_text (self->metrics_label, _("No scores yet: train a few batches."));
      return;
    }
  lab_anomaly_count (&self->counts, r->errors, self->test_set->anomalous, r->n, self->threshold);
  format_measure (precision, self->counts.precision);
  format_measure (recall, self->counts.recall);
  format_measure (f1, self->counts.f1);
  text = g_strdup_printf (_("Flagged: %ld of %ld anomalous, %ld of %ld normal · precision %s · recall %s · F1 %s"),
                          self->counts.tp, self->counts.tp + self->counts.fn, self->counts.fp,
                          self->counts.fp + self->counts.tn, precision, recall, f1);
  if (self->file_result != NULL)
    {
      long above = 0;

      for (long i = 0; i < self->file_result->n; i++)
        above += self->file_result->errors[i] > self->threshold;
      g_autofree char *more = g_strdup_printf (_(" · %s: %ld of %ld flagged"), self->file_set->name,
                                               above, self->file_result->n);
      char *joined = g_strconcat (text, more, NULL);

      g_free (text);
      text = joined;
    }
  gtk_label_set_text (self->metrics_label, text);
  self->roc.show_point = !isnan (self->counts.fpr) && !isnan (self->counts.recall);
  self->roc.point_fpr = self->counts.fpr;
  self->roc.point_tpr = self->counts.recall;
  self->hist.show_threshold = TRUE;
  self->hist.threshold = self->threshold;
  lab_chart_redraw (self->histogram_chart);
  lab_chart_redraw (self->roc_chart);
}

static void
lab_anomaly_view_update_histogram (LabAnomalyView *self)
{
  LabAnomalyResult *r = self->result;
  int n_normal = 0, n_other = 0;

  g_clear_pointer (&self->hist_normal, g_free);
  g_clear_pointer (&self->hist_other, g_free);
  memset (&self->hist, 0, sizeof self->hist);
  self->hist.x_label = _("squared error");
  self->hist.empty_text = _("Reconstruction errors appear after the first batches");
  self->hist.title = _("Test samples by error");
  if (r == NULL)
    {
      lab_chart_redraw (self->histogram_chart);
      return;
    }
  self->hist_normal = g_new (float, r->n);
  self->hist_other = g_new (float, self->file_result != NULL ? MAX (self->file_result->n, 1) : r->n);
  for (long i = 0; i < r->n; i++)
    if (!self->test_set->anomalous[i])
      self->hist_normal[n_normal++] = r->errors[i];
    else if (self->file_result == NULL)
      self->hist_other[n_other++] = r->errors[i];
  if (self->file_result != NULL)
    {
      memcpy (self->hist_other, self->file_result->errors, (gsize) self->file_result->n * sizeof (float));
      n_other = (int) self->file_result->n;
      self->hist.anomalous_name = self->file_set->name;
    }
  else
    self->hist.anomalous_name = steps_labelled (self) ? _("anomalous beats") : _("held-out classes");
  self->hist.normal_name = _("normal");
  self->hist.normal = self->hist_normal;
  self->hist.n_normal = n_normal;
  self->hist.anomalous = self->hist_other;
  self->hist.n_anomalous = n_other;
  lab_chart_redraw (self->histogram_chart);
}

static void
lab_anomaly_view_update_roc (LabAnomalyView *self)
{
  LabAnomalyResult *r = self->result;
  g_autofree char *pca_name = NULL;

  memset (&self->roc, 0, sizeof self->roc);
  self->roc.title = _("ROC on the test split");
  self->roc.empty_text = r == NULL ? _("The ROC curve appears after the first batches")
                         : steps_labelled (self) || self->n_classes < 2
                         ? _("The ROC curve needs normal and anomalous test samples")
                         : _("Untick a class: the ROC curve needs normal and held-out classes");
  self->roc.curves = self->roc_curves;
  memset (self->roc_curves, 0, sizeof self->roc_curves);
  if (r == NULL || r->n_roc == 0)
    {
      lab_chart_redraw (self->roc_chart);
      return;
    }
  self->roc_curves[0] = (LabRocCurve) { _("autoencoder"), r->fpr, r->tpr, (int) r->n_roc, r->auroc, 0, FALSE };
  self->roc.n_curves = 1;
  if (r->n_pca_roc > 0)
    {
      g_snprintf (self->pca_name, sizeof self->pca_name, _("PCA (k = %d)"),
                  lab_anomaly_baseline_get_k (self->baseline));
      self->roc_curves[1] = (LabRocCurve) { self->pca_name, r->pca_fpr, r->pca_tpr, (int) r->n_pca_roc,
                                            r->pca_auroc, 1, TRUE };
      self->roc.n_curves = 2;
    }
  lab_chart_redraw (self->roc_chart);
}

/* Indices of the k largest errors, largest first. */
static int
worst (const float *errors, long n, long *out, int k)
{
  int count = 0;

  for (long i = 0; i < n; i++)
    {
      int at = count < k ? count++ : k;

      if (at == k && errors[i] <= errors[out[k - 1]])
        continue;
      if (at == k)
        at = k - 1;
      while (at > 0 && errors[out[at - 1]] < errors[i])
        {
          out[at] = out[at - 1];
          at--;
        }
      out[at] = i;
    }
  return count;
}

static void
lab_anomaly_view_update_gallery (LabAnomalyView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  LabAnomalyResult *r = self->file_result != NULL ? self->file_result : self->result;
  LabAnomalySet *set = self->file_result != NULL ? self->file_set : self->test_set;
  int channels = 1, height = 0, width = 0;
  long chosen[LAB_GALLERY_IMAGES];
  gboolean sequences = set != NULL && set->steps > 0;
  int n;

  gtk_stack_set_visible_child_name (GTK_STACK (self->gallery_stack), sequences ? "sequences" : "images");
  for (int i = 0; i < LAB_GALLERY_IMAGES; i++)
    {
      g_clear_pointer (&self->gallery_captions[i], g_free);
      g_clear_pointer (&self->gallery_classes[i], g_free);
    }
  g_clear_pointer (&self->gallery_pixels, g_free);
  memset (&self->gallery, 0, sizeof self->gallery);
  self->gallery.highlight_row = self->gallery.highlight_index = -1;
  self->gallery.empty_text = _("The worst reconstructions appear after the first batches");
  for (int i = 0; i < LAB_GALLERY_SEQUENCES; i++)
    {
      g_clear_pointer (&self->sequence_titles[i], g_free);
      memset (&self->sequences[i], 0, sizeof self->sequences[i]);
      self->sequences[i].empty_text = _("No sequence yet");
    }
  if (r != NULL && session != NULL)
    lab_session_get_sample_shape (session, &channels, &height, &width);
  if (r == NULL || set == NULL || set->dim != channels * height * width)
    {
      lab_chart_redraw (self->gallery_chart);
      for (int i = 0; i < LAB_GALLERY_SEQUENCES; i++)
        lab_chart_redraw (self->sequence_charts[i]);
      return;
    }
  n = worst (r->errors, r->n, chosen, sequences ? LAB_GALLERY_SEQUENCES : LAB_GALLERY_IMAGES);
  if (sequences)
    {
      int per_step = set->dim / set->steps;

      for (int i = 0; i < n; i++)
        {
          LabSequenceData *d = &self->sequences[i];
          long k = chosen[i];

          d->input = set->x + (gsize) k * set->dim;
          d->reconstruction = r->recon + (gsize) k * set->dim;
          d->n_steps = set->steps;
          d->n_features = per_step;
          d->step_error = r->step_errors != NULL ? r->step_errors + (gsize) k * set->steps : NULL;
          d->anomalous = set->step_anomaly != NULL ? set->step_anomaly + (gsize) k * set->steps : NULL;
          self->sequence_titles[i] = g_strdup_printf (_("%s %ld: error %.3g%s"), set->name, set->index[k],
                                                      r->errors[k],
                                                      set->anomalous[k] ? _(" (labelled anomalous)") : "");
          d->title = self->sequence_titles[i];
          d->x_label = NULL; /* the key over the gallery names the steps and the lines */
          d->hide_legend = TRUE;
        }
      for (int i = 0; i < LAB_GALLERY_SEQUENCES; i++)
        lab_chart_redraw (self->sequence_charts[i]);
      return;
    }
  /* images in their colours; the error map is the mean |error| over the channels */
  {
    gsize plane = (gsize) height * width, image = lab_plot_images_row_size (1, channels, (int) plane);
    float *pixels = self->gallery_pixels = g_new (float, 2 * (gsize) n * image + (gsize) n * plane);
    float *errors = pixels + 2 * (gsize) n * image;
    LabImageColormap map = LAB_IMAGE_GREY;

    for (int i = 0; i < n; i++)
      {
        const float *x = set->x + (gsize) chosen[i] * set->dim;
        const float *y = r->recon + (gsize) chosen[i] * set->dim;
        int label = set->labels[chosen[i]];

        map = lab_plot_images_as_row (pixels + i * image, x, 1, channels, (int) plane);
        lab_plot_images_as_row (pixels + (n + i) * image, y, 1, channels, (int) plane);
        for (gsize p = 0; p < plane; p++)
          {
            float sum = 0.0f;
            for (int c = 0; c < channels; c++)
              sum += fabsf (x[c * plane + p] - y[c * plane + p]);
            errors[i * plane + p] = sum / channels;
          }
        self->gallery_captions[i] = g_strdup_printf ("%.3g", r->errors[chosen[i]]);
        self->gallery_classes[i] = label >= 0 ? g_strdup_printf (_("class %d"), label) : g_strdup ("");
      }
    self->gallery_rows[0] = (LabImageRow) { _("input"), pixels, n, map, 0,
                                            (const char *const *) self->gallery_classes };
    self->gallery_rows[1] = (LabImageRow) { _("reconstruction"), pixels + n * image, n, map, 0, NULL };
    self->gallery_rows[2] = (LabImageRow) { _("|error|"), errors, n, LAB_IMAGE_HEAT, 1.0f,
                                            (const char *const *) self->gallery_captions };
    self->gallery.image_width = width;
    self->gallery.image_height = height;
    self->gallery.rows = self->gallery_rows;
    self->gallery.n_rows = 3;
    self->gallery.columns = n;
    /* worst first: a narrow panel shows the first few of them larger */
    self->gallery.min_columns = MIN (n, 4);
    self->gallery.title = self->file_result != NULL ? self->file_set->name : _("Worst reconstructions of the test split");
    lab_chart_redraw (self->gallery_chart);
  }
}

static int
compare_floats (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

static void
lab_anomaly_view_update_threshold_range (LabAnomalyView *self)
{
  LabAnomalyResult *r = self->result;
  double top = 0;

  if (r == NULL)
    return;
  for (long i = 0; i < r->n; i++)
    top = MAX (top, r->errors[i]);
  for (long i = 0; self->file_result != NULL && i < self->file_result->n; i++)
    top = MAX (top, self->file_result->errors[i]);
  if (!(top > 0))
    top = 1;
  if (!self->threshold_set)
    {
      /* where 95 % of the normal samples stay below, until the user moves it */
      g_autofree float *normal = g_new (float, r->n);
      long m = 0;

      for (long i = 0; i < r->n; i++)
        if (!self->test_set->anomalous[i])
          normal[m++] = r->errors[i];
      if (m > 0)
        {
          qsort (normal, (size_t) m, sizeof *normal, compare_floats);
          self->threshold = normal[MIN (m - 1, (long) (0.95 * m))];
        }
      else
        self->threshold = top / 2;
    }
  self->threshold = MIN (self->threshold, top);
  self->updating = TRUE;
  gtk_range_set_range (GTK_RANGE (self->threshold_scale), 0, top);
  gtk_range_set_increments (GTK_RANGE (self->threshold_scale), top / 200, top / 20);
  gtk_range_set_value (GTK_RANGE (self->threshold_scale), self->threshold);
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->threshold_scale), TRUE);
}

static void lab_anomaly_view_update_training_label (LabAnomalyView *self);

static void
lab_anomaly_view_show_result (LabAnomalyView *self)
{
  lab_anomaly_view_update_training_label (self);
  lab_anomaly_view_update_threshold_range (self);
  lab_anomaly_view_update_histogram (self);
  lab_anomaly_view_update_roc (self);
  lab_anomaly_view_update_gallery (self);
  lab_anomaly_view_update_metrics (self);
}

/* --- scoring ---------------------------------------------------------------------------- */

static void
on_scored (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LabAnomalyView *self = user_data;
  LabAnomalyBaseline *fitted = NULL;
  LabAnomalyResult *result = lab_anomaly_score_finish (res, &fitted, NULL);

  (void) source;
  if (g_task_had_error (G_TASK (res)))
    {
      /* cancelled (before self could go): the view has gone or the sets changed */
      lab_anomaly_result_free (result);
      g_clear_pointer (&fitted, lab_anomaly_baseline_unref);
      return;
    }
  self->scoring = FALSE;
  if (fitted != NULL && self->baseline == NULL)
    self->baseline = fitted;
  else
    g_clear_pointer (&fitted, lab_anomaly_baseline_unref);
  lab_anomaly_result_free (self->result);
  self->result = result;
  self->n_scored++;
  self->score_time = g_get_monotonic_time ();
  lab_anomaly_view_show_result (self);
  if (self->rescore)
    lab_anomaly_view_queue_score (self);
}

static void
lab_anomaly_view_score_now (LabAnomalyView *self)
{
  if (self->scoring || self->weights == NULL || self->test_set == NULL
      || lab_weights_get_input_dim (self->weights) != self->test_set->dim)
    return;
  self->rescore = FALSE;
  self->scoring = TRUE;
  g_clear_pointer (&self->scored_weights, lab_weights_unref);
  self->scored_weights = lab_weights_ref (self->weights);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  lab_anomaly_score_async (self->weights, self->test_set, self->baseline,
                           self->baseline == NULL ? self->pca_train : NULL,
                           lab_weights_get_latent_dim (self->weights), self->cancellable, on_scored,
                           self);
}

static gboolean
on_score_timeout (gpointer data)
{
  LabAnomalyView *self = data;

  self->score_timeout = 0;
  if (lab_view_get_shown (LAB_VIEW (self)))
    lab_anomaly_view_score_now (self);
  return G_SOURCE_REMOVE;
}

/* Scores with the newest weights, at most every LAB_SCORE_INTERVAL_US. */
static void
lab_anomaly_view_queue_score (LabAnomalyView *self)
{
  gint64 wait = self->score_time + LAB_SCORE_INTERVAL_US - g_get_monotonic_time ();

  if (!lab_view_get_shown (LAB_VIEW (self)))
    return;
  if (self->scoring)
    {
      self->rescore = TRUE;
      return;
    }
  if (self->score_timeout != 0 || self->weights == self->scored_weights)
    return;
  if (wait <= 0)
    lab_anomaly_view_score_now (self);
  else
    self->score_timeout = g_timeout_add ((guint) (wait / 1000) + 1, on_score_timeout, self);
}

/* A job in flight holds its own references; its result is dropped. */
static void
lab_anomaly_view_cancel (LabAnomalyView *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->scoring = FALSE;
  g_clear_handle_id (&self->score_timeout, g_source_remove);
  g_clear_pointer (&self->scored_weights, lab_weights_unref);
}

/* New sets after the classes or the data changed. */
static void
lab_anomaly_view_rebuild_sets (LabAnomalyView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));

  lab_anomaly_view_cancel (self);
  g_clear_pointer (&self->test_set, lab_anomaly_set_unref);
  g_clear_pointer (&self->pca_train, lab_anomaly_set_unref);
  g_clear_pointer (&self->baseline, lab_anomaly_baseline_unref);
  g_clear_pointer (&self->result, lab_anomaly_result_free);
  self->threshold_set = FALSE;
  lab_background_slot_cancel (self->sets_job);
  self->sets_stale = FALSE;
  if (session != NULL && lab_view_get_shown (LAB_VIEW (self)))
    {
      LabAnomalySetsJob *job = lab_anomaly_sets_job_new (session, self->normal, self->n_classes,
                                                         LAB_SCORE_SAMPLES, LAB_PCA_SAMPLES);

      if (job != NULL)
        lab_background_slot_request (self->sets_job, job);
    }
  else
    /* hidden, the view makes nothing: it does when shown */
    self->sets_stale = session != NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->threshold_scale), FALSE);
  lab_anomaly_view_show_result (self);
}

static void
on_sets_done (GObject *owner, gpointer input, gpointer output)
{
  LabAnomalyView *self = LAB_ANOMALY_VIEW (owner);
  LabAnomalySets *sets = output;

  (void) input;
  self->test_set = g_steal_pointer (&sets->test);
  self->pca_train = g_steal_pointer (&sets->pca_train);
  lab_anomaly_sets_free (sets);
  lab_anomaly_view_show_result (self);
  lab_anomaly_view_queue_score (self);
}

/* --- classes ---------------------------------------------------------------------------- */

static void
lab_anomaly_view_update_training_label (LabAnomalyView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));

  g_autofree char *trained = session != NULL ? lab_session_dup_option (session, "normal") : NULL;
  g_autofree char *ticked = NULL;
  GString *s = g_string_new (NULL);

  for (int c = 0; c < self->n_classes; c++)
    if (self->normal[c])
      g_string_append_printf (s, "%s%d", s->len > 0 ? "," : "", c);
  ticked = g_string_free (s, FALSE);
  if (steps_labelled (self))
    gtk_label_set_text (self->training_label,
                        _("This dataset labels its anomalous beats, in the test split only: the model "
                          "learns from normal beats."));
  else if (self->n_classes < 2)
    gtk_label_set_text (self->training_label,
                        _("This dataset has no classes: score a file against its test samples."));
  else if (trained == NULL || trained[0] == '\0')
    gtk_label_set_text (self->training_label,
                        _("The model trains on every class, so held-out classes are no surprise to it: "
                          "train on the ticked classes only."));
  else if (strcmp (trained, ticked) == 0 && self->result != NULL && self->result->auroc < 0.5)
    gtk_label_set_text (self->training_label,
                        _("The model trains on the ticked classes only, yet reconstructs the held-out "
                          "ones better (AUROC below 0.5): they are simpler shapes, such as a 1."));
  else if (strcmp (trained, ticked) == 0)
    gtk_label_set_text (self->training_label, _("The model trains on the ticked classes only."));
  else
    gtk_label_set_text (self->training_label,
                        _("The model trains on other classes than those ticked: train on these."));
  gtk_widget_set_sensitive (self->apply_button, self->n_classes >= 2 && !steps_labelled (self)
                                                && (trained == NULL || strcmp (trained, ticked) != 0));
}

static void
on_check_toggled (LabAnomalyView *self)
{
  if (self->updating)
    return;
  for (int c = 0; c < self->n_classes; c++)
    self->normal[c] = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->checks[c]));
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->hold_out_dropdown, 0);
  self->updating = FALSE;
  lab_anomaly_view_update_training_label (self);
  lab_anomaly_view_rebuild_sets (self);
}

void
lab_anomaly_view_set_normal (LabAnomalyView *self, const gboolean *normal, int n)
{
  g_return_if_fail (LAB_IS_ANOMALY_VIEW (self));

  self->updating = TRUE;
  for (int c = 0; c < self->n_classes; c++)
    {
      self->normal[c] = c < n && normal[c];
      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->checks[c]), self->normal[c]);
    }
  self->updating = FALSE;
  on_check_toggled (self);
}

static void
on_hold_out_selected (LabAnomalyView *self)
{
  guint selected = gtk_drop_down_get_selected (self->hold_out_dropdown);
  gboolean normal[LAB_MAX_CLASSES];

  if (self->updating || selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return;
  for (int c = 0; c < self->n_classes; c++)
    normal[c] = c != (int) selected - 1;
  lab_anomaly_view_set_normal (self, normal, self->n_classes);
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->hold_out_dropdown, selected);
  self->updating = FALSE;
}

gboolean
lab_anomaly_view_apply_normal (LabAnomalyView *self, GError **error)
{
  g_autofree char *value = NULL;
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (LAB_IS_ANOMALY_VIEW (self) && lab_view_get_session (LAB_VIEW (self)) != NULL, FALSE);

  for (int c = 0; c < self->n_classes; c++)
    if (self->normal[c])
      g_string_append_printf (s, "%s%d", s->len > 0 ? "," : "", c);
  value = g_string_free (s, FALSE);
  return lab_session_set_option (lab_view_get_session (LAB_VIEW (self)), "normal", value, error);
}

static void
apply_confirmed (gpointer owner, gpointer data, gboolean accepted)
{
  LabAnomalyView *self = owner;
  g_autoptr (GError) error = NULL;

  if (accepted && !lab_anomaly_view_apply_normal (self, &error))
    {
      gtk_label_set_text (self->message_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
    }
}

/* Other training classes need a new network: asked first when batches were trained. */
static void
on_apply_clicked (LabAnomalyView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));

  if (session != NULL)
    lab_confirm_new_model (GTK_WIDGET (self), session,
                           _("Training on the ticked classes needs a new network."),
                           apply_confirmed, NULL, NULL);
}

/* The check buttons for the dataset's classes; a new dataset ticks every class but the
 * last, or the session's own choice when it has one. */
static void
lab_anomaly_view_build_classes (LabAnomalyView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));

  g_autofree char *trained = lab_session_dup_option (session, "normal");
  const LabSnapshot *snapshot = lab_session_get_snapshot (session);
  GtkStringList *names = gtk_string_list_new (NULL);
  GtkWidget *child;
  int n = 0;

  while ((child = gtk_widget_get_first_child (self->classes_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->classes_box), child);
  memset (self->checks, 0, sizeof self->checks);
  if (snapshot != NULL && snapshot->class_names != NULL && !steps_labelled (self))
    n = MIN (snapshot->n_classes, LAB_MAX_CLASSES);
  self->n_classes = n;
  gtk_string_list_append (names, _("—"));
  for (int c = 0; c < n; c++)
    self->normal[c] = c < n - 1;
  if (trained != NULL && trained[0] != '\0')
    {
      g_auto (GStrv) parts = g_strsplit (trained, ",", -1);

      memset (self->normal, 0, sizeof self->normal);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          int c = atoi (parts[i]);

          if (c >= 0 && c < n)
            self->normal[c] = TRUE;
        }
    }
  self->updating = TRUE;
  for (int c = 0; c < n; c++)
    {
      self->checks[c] = gtk_check_button_new_with_label (snapshot->class_names[c]);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->checks[c]), self->normal[c]);
      gtk_widget_set_tooltip_text (self->checks[c], _("Ticked classes are normal; the others are the anomalies to find"));
      g_signal_connect_swapped (self->checks[c], "toggled", G_CALLBACK (on_check_toggled), self);
      gtk_box_append (GTK_BOX (self->classes_box), self->checks[c]);
      gtk_string_list_append (names, snapshot->class_names[c]);
    }
  gtk_drop_down_set_model (self->hold_out_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->hold_out_dropdown, 0);
  self->updating = FALSE;
  g_object_unref (names);
  gtk_widget_set_visible (gtk_widget_get_parent (self->classes_box), n >= 2);
}

/* --- session ---------------------------------------------------------------------------- */

static char *
dataset_key (LabSession *session)
{
  int c = 0, h = 0, w = 0;
  const LabSnapshot *s = lab_session_get_snapshot (session);

  lab_session_get_sample_shape (session, &c, &h, &w);
  return g_strdup_printf ("%s %d %d %d %d %ld", lab_session_get_dataset_spec (session) ?: "", c, h, w,
                          s != NULL ? s->n_classes : 0, lab_session_get_split_size (session, LAB_SPLIT_TEST));
}

static void
lab_anomaly_view_on_generation (LabAnomalyView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  g_autofree char *key = session != NULL ? dataset_key (session) : NULL;

  if (session != NULL && g_strcmp0 (key, self->dataset_key) != 0)
    {
      g_free (self->dataset_key);
      self->dataset_key = g_steal_pointer (&key);
      lab_anomaly_view_build_classes (self);
      g_clear_pointer (&self->file_set, lab_anomaly_set_unref);
      g_clear_pointer (&self->file_result, lab_anomaly_result_free);
      gtk_widget_set_visible (self->forget_button, FALSE);
      /* a message about the old data's file or classes */
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
    }
  g_clear_pointer (&self->weights, lab_weights_unref);
  lab_anomaly_view_update_training_label (self);
  lab_anomaly_view_rebuild_sets (self);
}

static void
lab_anomaly_view_on_snapshot (LabView *view, LabSnapshot *snapshot)
{
  LabAnomalyView *self = LAB_ANOMALY_VIEW (view);
  LabWeights *weights = snapshot != NULL ? snapshot->weights : NULL;

  if (snapshot != NULL && self->n_classes == 0 && snapshot->class_names != NULL
      && !steps_labelled (self))
    {
      /* the class names come with the first snapshot */
      g_clear_pointer (&self->dataset_key, g_free);
      lab_anomaly_view_on_generation (self);
    }
  if (weights == NULL || weights == self->weights || !lab_view_get_shown (LAB_VIEW (self)))
    return;
  g_clear_pointer (&self->weights, lab_weights_unref);
  self->weights = lab_weights_ref (weights);
  lab_anomaly_view_queue_score (self);
}

/* Hidden, the view scores nothing: shown again, it scores the newest weights. */
static void
lab_anomaly_view_refresh (LabView *view)
{
  LabSession *session = lab_view_get_session (view);

  if (LAB_ANOMALY_VIEW (view)->sets_stale)
    lab_anomaly_view_rebuild_sets (LAB_ANOMALY_VIEW (view));

  if (session != NULL)
    lab_anomaly_view_on_snapshot (view, lab_session_get_snapshot (session));
  lab_anomaly_view_queue_score (LAB_ANOMALY_VIEW (view));
}

static void
lab_anomaly_view_session_changed (LabView *view, LabSession *session)
{
  LabAnomalyView *self = LAB_ANOMALY_VIEW (view);

  g_clear_pointer (&self->dataset_key, g_free);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "notify::generation", G_CALLBACK (lab_anomaly_view_on_generation), self);
      g_signal_connect_swapped (session, "options-changed", G_CALLBACK (lab_anomaly_view_update_training_label), self);
      lab_anomaly_view_on_generation (self);
    }
}

/* --- a file of other data ---------------------------------------------------------------- */

static void
on_file_scored (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LabAnomalyView *self = user_data;
  g_autoptr (GError) error = NULL;
  LabAnomalyResult *result = lab_anomaly_score_finish (res, NULL, &error);

  (void) source;
  /* a file scored for a model or data that have gone since is dropped */
  if (result != NULL && lab_view_get_session (LAB_VIEW (self)) != NULL && self->file_set != NULL
      && self->file_set->n == result->n)
    {
      lab_anomaly_result_free (self->file_result);
      self->file_result = g_steal_pointer (&result);
      gtk_widget_set_visible (self->forget_button, TRUE);
      lab_anomaly_view_show_result (self);
    }
  lab_anomaly_result_free (result);
  g_object_unref (self);
}

static void
show_message (LabAnomalyView *self, const char *text)
{
  gtk_label_set_text (self->message_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL);
}

/* The file is read on a worker ("Reading…" meanwhile), then scored on another. */
static void
lab_anomaly_view_score_file (LabAnomalyView *self, const char *path)
{
  show_message (self, NULL);
  if (self->weights == NULL)
    {
      show_message (self, _("There is no model to score with yet: train a few batches first."));
      return;
    }
  show_message (self, _("Reading the file…"));
  lab_background_slot_request (self->file_job,
                               lab_anomaly_file_job_new (path, lab_weights_get_input_dim (self->weights),
                                                         LAB_FILE_SAMPLES));
}

static void
on_file_read (GObject *owner, gpointer input, gpointer output)
{
  LabAnomalyView *self = LAB_ANOMALY_VIEW (owner);
  LabAnomalyFileLoad *load = output;

  (void) input;
  if (load->set == NULL || self->weights == NULL
      || lab_weights_get_input_dim (self->weights) != load->set->dim)
    {
      show_message (self, load->error != NULL ? load->error->message : NULL);
      lab_anomaly_file_load_free (load);
      return;
    }
  show_message (self, NULL);
  g_clear_pointer (&self->file_set, lab_anomaly_set_unref);
  g_clear_pointer (&self->file_result, lab_anomaly_result_free);
  self->file_set = g_steal_pointer (&load->set);
  lab_anomaly_file_load_free (load);
  lab_anomaly_score_async (self->weights, self->file_set, NULL, NULL, 0, NULL, on_file_scored,
                           g_object_ref (self));
}

static void
on_file_chosen (gpointer self, GtkFileChooser *chooser, const char *path)
{
  lab_anomaly_view_score_file (self, path);
}

static void
on_file_clicked (LabAnomalyView *self)
{
  lab_file_chooser_show (lab_file_chooser_new (GTK_WIDGET (self),
                                               _("Score a Dataset File (IDX, CSV, or a PNG folder)"),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Score"),
                                               on_file_chosen));
}

static void
on_forget_clicked (LabAnomalyView *self)
{
  g_clear_pointer (&self->file_set, lab_anomaly_set_unref);
  g_clear_pointer (&self->file_result, lab_anomaly_result_free);
  gtk_widget_set_visible (self->forget_button, FALSE);
  lab_anomaly_view_show_result (self);
}

/* --- controls ---------------------------------------------------------------------------- */

static void
on_threshold_changed (LabAnomalyView *self)
{
  if (self->updating)
    return;
  self->threshold = gtk_range_get_value (GTK_RANGE (self->threshold_scale));
  self->threshold_set = TRUE;
  lab_anomaly_view_update_metrics (self);
}

void
lab_anomaly_view_set_threshold (LabAnomalyView *self, double threshold)
{
  g_return_if_fail (LAB_IS_ANOMALY_VIEW (self));

  self->threshold = threshold;
  self->threshold_set = TRUE;
  self->updating = TRUE;
  gtk_range_set_value (GTK_RANGE (self->threshold_scale), threshold);
  self->updating = FALSE;
  lab_anomaly_view_update_metrics (self);
}

guint
lab_anomaly_view_get_n_scored (LabAnomalyView *self)
{
  g_return_val_if_fail (LAB_IS_ANOMALY_VIEW (self), 0);
  return self->n_scored;
}

gboolean
lab_anomaly_view_is_current (LabAnomalyView *self)
{
  g_return_val_if_fail (LAB_IS_ANOMALY_VIEW (self), FALSE);
  return self->result != NULL && !self->scoring && self->score_timeout == 0
         && self->weights != NULL && self->weights == self->scored_weights;
}

const float *
lab_anomaly_view_get_scores (LabAnomalyView *self, const guint8 **anomalous, long *n)
{
  g_return_val_if_fail (LAB_IS_ANOMALY_VIEW (self), NULL);

  *n = self->result != NULL ? self->result->n : 0;
  *anomalous = self->result != NULL ? self->test_set->anomalous : NULL;
  return self->result != NULL ? self->result->errors : NULL;
}

double
lab_anomaly_view_get_auroc (LabAnomalyView *self, double *pca_auroc)
{
  g_return_val_if_fail (LAB_IS_ANOMALY_VIEW (self), NAN);

  if (pca_auroc != NULL)
    *pca_auroc = self->result != NULL ? self->result->pca_auroc : NAN;
  return self->result != NULL ? self->result->auroc : NAN;
}

void
lab_anomaly_view_get_metrics (LabAnomalyView *self, double *precision, double *recall, double *f1)
{
  g_return_if_fail (LAB_IS_ANOMALY_VIEW (self));

  *precision = self->counts.precision;
  *recall = self->counts.recall;
  *f1 = self->counts.f1;
}

static void
lab_anomaly_view_dispose (GObject *object)
{
  LabAnomalyView *self = LAB_ANOMALY_VIEW (object);

  lab_anomaly_view_cancel (self);
  g_clear_pointer (&self->sets_job, lab_background_slot_free);
  g_clear_pointer (&self->file_job, lab_background_slot_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_ANOMALY_VIEW);
  g_clear_pointer (&self->weights, lab_weights_unref);
  G_OBJECT_CLASS (lab_anomaly_view_parent_class)->dispose (object);
}

static void
lab_anomaly_view_finalize (GObject *object)
{
  LabAnomalyView *self = LAB_ANOMALY_VIEW (object);

  g_clear_pointer (&self->test_set, lab_anomaly_set_unref);
  g_clear_pointer (&self->pca_train, lab_anomaly_set_unref);
  g_clear_pointer (&self->file_set, lab_anomaly_set_unref);
  g_clear_pointer (&self->baseline, lab_anomaly_baseline_unref);
  lab_anomaly_result_free (self->result);
  lab_anomaly_result_free (self->file_result);
  g_free (self->hist_normal);
  g_free (self->hist_other);
  g_free (self->gallery_pixels);
  for (int i = 0; i < LAB_GALLERY_IMAGES; i++)
    {
      g_free (self->gallery_captions[i]);
      g_free (self->gallery_classes[i]);
    }
  for (int i = 0; i < LAB_GALLERY_SEQUENCES; i++)
    g_free (self->sequence_titles[i]);
  g_free (self->dataset_key);
  G_OBJECT_CLASS (lab_anomaly_view_parent_class)->finalize (object);
}

static void
lab_anomaly_view_class_init (LabAnomalyViewClass *klass)
{
  LabViewClass *view_class = LAB_VIEW_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lab_anomaly_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = lab_anomaly_view_finalize;
  view_class->session_changed = lab_anomaly_view_session_changed;
  view_class->snapshot = lab_anomaly_view_on_snapshot;
  view_class->refresh = lab_anomaly_view_refresh;
  lab_view_class_set_template (view_class, GTK_TYPE_BIN_LAYOUT, "labanomalyview", "lab-anomaly-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, classes_box);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, hold_out_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, apply_button);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, training_label);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, threshold_scale);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, metrics_label);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, message_label);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, file_button);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, forget_button);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, histogram_chart);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, roc_chart);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, gallery_chart);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, gallery_stack);
  gtk_widget_class_bind_template_child (widget_class, LabAnomalyView, sequences_grid);
  gtk_widget_class_bind_template_callback (widget_class, on_apply_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_file_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_forget_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_hold_out_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_threshold_changed);
}

static void
lab_anomaly_view_init (LabAnomalyView *self)
{
  self->sets_job = lab_background_slot_new (G_OBJECT (self), lab_anomaly_sets_job_run,
                                            (GDestroyNotify) lab_anomaly_sets_job_free, on_sets_done,
                                            (GDestroyNotify) lab_anomaly_sets_free);
  self->file_job = lab_background_slot_new (G_OBJECT (self), lab_anomaly_file_job_run,
                                            (GDestroyNotify) lab_anomaly_file_job_free, on_file_read,
                                            (GDestroyNotify) lab_anomaly_file_load_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the charts draw from data that lives in this view */
  lab_chart_set_draw_func (self->histogram_chart, lab_plot_histogram_draw_func, &self->hist, NULL);
  lab_chart_set_draw_func (self->roc_chart, lab_plot_roc_draw_func, &self->roc, NULL);
  lab_chart_set_draw_func (self->gallery_chart, lab_plot_image_grid_draw_func, &self->gallery, NULL);
  for (int i = 0; i < LAB_GALLERY_SEQUENCES; i++)
    {
      self->sequence_charts[i] = LAB_CHART (lab_chart_new ());
      gtk_widget_set_size_request (GTK_WIDGET (self->sequence_charts[i]), 140, 150);
      gtk_widget_set_vexpand (GTK_WIDGET (self->sequence_charts[i]), TRUE);
      gtk_widget_set_hexpand (GTK_WIDGET (self->sequence_charts[i]), TRUE);
      lab_chart_set_draw_func (self->sequence_charts[i], lab_plot_sequence_draw_func, &self->sequences[i], NULL);
      gtk_grid_attach (self->sequences_grid, GTK_WIDGET (self->sequence_charts[i]), i % 2, 1 + i / 2, 1, 1);
    }
  lab_anomaly_view_show_result (self);
  lab_anomaly_view_update_training_label (self);
}
