/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sequence-view.c: the Sequences view.
 *
 * Left, test sequences with their reconstructions overlaid and a strip of the squared error
 * per step under each; on data with labelled anomalies (ecg) the anomalous beat's steps are
 * shaded. Right, generation: decodes of codes drawn from the prior (a VAE) or from a
 * Gaussian fitted to the test codes (a plain autoencoder), and a slider between the codes
 * of two test sequences. Everything is recomputed from the newest weights at each snapshot
 * that carries them, on a worker (lab_sequence_job_run through a LabBackgroundSlot per
 * part), as is a page turned or a slider moved; the main thread only draws the results.
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-background.h"
#include "lab-chart.h"
#include "lab-plot.h"
#include "lab-sequence-tools.h"
#include "lab-sequence-view.h"
#include "lab-reflow.h"

#define LAB_SHOWN 3
#define LAB_PRIOR 4
#define LAB_SPREAD_CODES 128 /* test sequences whose codes give a plain model's spread */

struct _LabSequenceView {
  LabView parent_instance;

  /* template widgets */
  GtkStack *stack; /* "notice" when the data are not sequences, else "content" */
  GtkLabel *notice;
  GtkSpinButton *sample_spin;
  GtkWidget *anomaly_button;
  GtkLabel *sample_label;
  LabReflow *shown_reflow;
  GtkLabel *prior_label;
  GtkWidget *vae_button;
  GtkGrid *prior_grid;
  GtkSpinButton *from_spin, *to_spin;
  GtkRange *mix_scale;
  GtkLabel *mix_label;
  LabChart *mix_chart;
  /* the charts the view adds to them */
  LabChart *charts[LAB_SHOWN];
  LabChart *prior_charts[LAB_PRIOR];

  LabWeights *weights; /* the copy everything shown is computed with */
  LabBackgroundSlot *shown_job, *pair_job, *prior_job;
  guint generation;
  int steps, features, dim, latent;
  gboolean variational, has_anomalies;
  long n_test;
  double y_min, y_max; /* of the test sequences: one value axis for every plot */

  long shown_index[LAB_SHOWN]; /* test indices, -1 past the end */
  LabSequenceResult *shown_result; /* what the shown plots draw from */
  char shown_title[LAB_SHOWN][128];
  LabSequenceData shown[LAB_SHOWN];

  GRand *rand;
  float *draw_normal; /* (LAB_PRIOR, latent) standard normal deviates, kept between snapshots */
  LabSequenceResult *prior_result; /* its code spread is kept for new draws */
  LabSequenceData prior[LAB_PRIOR];
  char prior_title[LAB_PRIOR][32];

  LabSequenceResult *pair_result; /* the ends' decodes are drawn pale under the mix */
  const float *end_pointers[2];
  char end_names[2][48];
  const char *end_name_pointers[2];
  gboolean has_mix;
  char mix_title[128];
  LabSequenceData mix;
};

G_DEFINE_FINAL_TYPE (LabSequenceView, lab_sequence_view, LAB_TYPE_VIEW)

/* Every plot on one value axis, so that a flat decode looks flat and plots compare. */
static void
use_common_range (LabSequenceView *self, LabSequenceData *d)
{
  d->has_y_range = self->y_min < self->y_max;
  d->y_min = self->y_min;
  d->y_max = self->y_max;
}

/* "normal", "square", ... or "" for unlabelled data. */
static const char *
class_name (LabSequenceView *self, int label)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  LabSnapshot *s = session != NULL ? lab_session_get_snapshot (session) : NULL;

  if (s == NULL || s->class_names == NULL || label < 0 || label >= s->n_classes)
    return "";
  return s->class_names[label];
}

/* --- test sequences ------------------------------------------------------------------------ */

/* A job on the test split with the weights shown; NULL before the data. */
static LabSequenceJob *
new_job (LabSequenceView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  LabSamples *test = session != NULL ? lab_samples_new (session, LAB_SPLIT_TEST) : NULL;

  return test != NULL ? lab_sequence_job_new (test, self->weights) : NULL;
}

static void
update_shown (LabSequenceView *self)
{
  LabSequenceJob *job = new_job (self);

  if (job == NULL)
    return;
  job->first = gtk_spin_button_get_value_as_int (self->sample_spin);
  job->n_shown = LAB_SHOWN;
  job->n_range = LAB_SPREAD_CODES;
  lab_background_slot_request (self->shown_job, job);
}

static void
show_shown (LabSequenceView *self, long first)
{
  LabSequenceResult *r = self->shown_result;
  double total = 0;
  int counted = 0;
  char *text;

  for (int i = 0; i < LAB_SHOWN; i++)
    {
      LabSequenceData *d = &self->shown[i];
      long index = first + i;
      double mse = 0;
      char kind[64], steps[64] = "";

      memset (d, 0, sizeof *d);
      d->n_steps = self->steps;
      d->n_features = self->features;
      d->x_label = _("step");
      d->empty_text = _("No test sequence here");
      use_common_range (self, d);
      self->shown_index[i] = r != NULL && i < r->n_shown ? index : -1;
      if (self->shown_index[i] < 0)
        continue;
      d->input = r->shown_input + (gsize) i * self->dim;
      /* on data with labelled anomalies every chart of the row names them in its legend:
       * the same legend, so the same room above each plot and the plots line up */
      d->name_anomalous = r->shown_flags != NULL;
      if (r->shown_flags != NULL)
        for (int t = 0; t < self->steps; t++)
          if (r->shown_flags[(gsize) i * self->steps + t])
            {
              /* shaded only when the beat is anomalous: a row of zeros says nothing */
              d->anomalous = r->shown_flags + (gsize) i * self->steps;
              break;
            }
      if (r->recon != NULL)
        {
          d->reconstruction = r->recon + (gsize) i * self->dim;
          d->step_error = r->step_errors + (gsize) i * self->steps;
          for (int t = 0; t < self->steps; t++)
            mse += d->step_error[t] / self->steps;
          total += mse;
          counted++;
        }
      if (d->anomalous != NULL)
        {
          int lo = 0, hi = self->steps - 1;

          while (!d->anomalous[lo])
            lo++;
          while (!d->anomalous[hi])
            hi--;
          /* the title stays short enough for three charts across a projector: the shading
           * shows the steps, the description (read by a screen reader) names them */
          g_strlcpy (kind, _("anomalous beat"), sizeof kind);
          g_snprintf (steps, sizeof steps, _("anomalous steps %d to %d"), lo, hi);
        }
      else
        g_strlcpy (kind, class_name (self, r->shown_labels[i]), sizeof kind);
      if (r->recon != NULL)
        g_snprintf (self->shown_title[i], sizeof self->shown_title[i],
                    _("#%ld · %s · MSE %.4f"), index, kind, mse);
      else
        g_snprintf (self->shown_title[i], sizeof self->shown_title[i], _("#%ld · %s"),
                    index, kind);
      d->title = self->shown_title[i];
      if (steps[0] != '\0')
        {
          char *description = g_strdup_printf ("%s; %s", d->title, steps);
          lab_chart_set_description (self->charts[i], description);
          g_free (description);
        }
      else
        lab_chart_set_description (self->charts[i], d->title);
    }
  if (self->n_test <= 0)
    text = g_strdup ("");
  else if (counted > 0)
    text = g_strdup_printf (_("Test sequences %ld to %ld of %ld; mean squared error %.4f. The "
                              "dashed line is the reconstruction, the strip beneath its squared "
                              "error per step."),
                            first, MIN (first + LAB_SHOWN, self->n_test) - 1, self->n_test,
                            total / counted);
  else
    text = g_strdup_printf (_("Test sequences %ld to %ld of %ld; the reconstructions appear "
                              "with the first weights: press Run."),
                            first, MIN (first + LAB_SHOWN, self->n_test) - 1, self->n_test);
  gtk_label_set_label (self->sample_label, text);
  g_free (text);
  for (int i = 0; i < LAB_SHOWN; i++)
    lab_chart_redraw (self->charts[i]);
}

static void update_range (LabSequenceView *self);

static void
on_shown_done (GObject *owner, gpointer input, gpointer output)
{
  LabSequenceView *self = LAB_SEQUENCE_VIEW (owner);
  LabSequenceJob *job = input;
  LabSequenceResult *r = output;

  lab_sequence_result_free (self->shown_result);
  self->shown_result = r;
  if (r->y_min <= r->y_max && (r->y_min != self->y_min || r->y_max != self->y_max))
    {
      self->y_min = r->y_min;
      self->y_max = r->y_max;
      update_range (self);
    }
  show_shown (self, job->first);
}

static void
on_previous (LabSequenceView *self)
{
  gtk_spin_button_set_value (self->sample_spin,
                             gtk_spin_button_get_value (self->sample_spin) - LAB_SHOWN);
}

static void
on_next (LabSequenceView *self)
{
  gtk_spin_button_set_value (self->sample_spin,
                             gtk_spin_button_get_value (self->sample_spin) + LAB_SHOWN);
}

/* Shows the next test sequence with anomalous steps at the top, wrapping around. */
static void
on_next_anomaly (LabSequenceView *self)
{
  long first = gtk_spin_button_get_value_as_int (self->sample_spin);

  for (long k = 1; k <= self->n_test; k++)
    {
      long index = (first + k) % self->n_test;
      const guint8 *flags = lab_session_get_step_anomaly (lab_view_get_session (LAB_VIEW (self)), LAB_SPLIT_TEST, index);
      gboolean any = FALSE;

      for (int t = 0; flags != NULL && t < self->steps && !any; t++)
        any = flags[t] != 0;
      if (any)
        {
          gtk_spin_button_set_value (self->sample_spin, index);
          return;
        }
    }
}

/* --- generation ------------------------------------------------------------------------------ */

/* New codes decoded: from the prior for a VAE; a plain autoencoder has no prior, so they are
 * drawn from the spread of its test codes, those the snapshot carries (the trainer encodes
 * them anyway), else encoded on the worker; with refit FALSE the last spread is kept. */
static void
update_prior (LabSequenceView *self, gboolean refit)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  LabSnapshot *s = session != NULL ? lab_session_get_snapshot (session) : NULL;
  LabSequenceResult *last = self->prior_result;
  LabSequenceJob *job;

  if (self->weights == NULL || self->latent <= 0 || (job = new_job (self)) == NULL)
    return;
  job->n_prior = LAB_PRIOR;
  job->normal = g_memdup2 (self->draw_normal, sizeof (float) * LAB_PRIOR * self->latent);
  if (!refit && last != NULL && last->code_mean != NULL)
    {
      job->code_mean = g_memdup2 (last->code_mean, sizeof (float) * self->latent);
      job->code_sd = g_memdup2 (last->code_sd, sizeof (float) * self->latent);
    }
  else if (s != NULL && s->codes != NULL && s->n_codes > 1 && s->latent == self->latent)
    {
      job->spread_codes = g_memdup2 (s->codes, sizeof (float) * (gsize) s->n_codes * s->latent);
      job->n_spread = s->n_codes;
    }
  else
    job->n_spread = LAB_SPREAD_CODES;
  lab_background_slot_request (self->prior_job, job);
}

static void
show_prior (LabSequenceView *self)
{
  LabSequenceResult *r = self->prior_result;

  for (int i = 0; i < LAB_PRIOR; i++)
    {
      LabSequenceData *d = &self->prior[i];

      memset (d, 0, sizeof *d);
      d->empty_text = _("Appears with the first weights");
      if (self->weights == NULL || r == NULL || r->prior_output == NULL)
        continue;
      d->input = r->prior_output + (gsize) i * self->dim;
      d->hide_legend = true;
      use_common_range (self, d);
      d->n_steps = self->steps;
      d->n_features = self->features;
      g_snprintf (self->prior_title[i], sizeof self->prior_title[i], _("Sample %d"), i + 1);
      d->title = self->prior_title[i];
    }
  gtk_label_set_label (self->prior_label,
                       self->weights == NULL ? _("Decodes of random codes appear with the first weights.")
                       : self->variational ? _("Codes drawn from the prior N(0, I), decoded: new sequences.")
                       : _("This model is not variational, so it has no prior: these codes are "
                           "drawn from a Gaussian fitted to its test codes. A VAE is trained so "
                           "that codes from N(0, I) decode to plausible sequences."));
  gtk_widget_set_visible (self->vae_button, self->weights != NULL && !self->variational);
  for (int i = 0; i < LAB_PRIOR; i++)
    lab_chart_redraw (self->prior_charts[i]);
}

static void
on_prior_done (GObject *owner, gpointer input, gpointer output)
{
  LabSequenceView *self = LAB_SEQUENCE_VIEW (owner);

  (void) input;
  lab_sequence_result_free (self->prior_result);
  self->prior_result = output;
  show_prior (self);
}

static void
on_new_samples (LabSequenceView *self)
{
  if (self->latent <= 0)
    return;
  lab_sequence_draw_codes (self->draw_normal, LAB_PRIOR, self->latent, NULL, NULL, self->rand);
  update_prior (self, FALSE);
}

static void
on_make_variational (LabSequenceView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));

  g_autoptr(GError) error = NULL;

  if (session == NULL)
    return;
  if (!lab_session_set_option (session, "variational", "1", &error))
    {
      gtk_label_set_label (self->prior_label, error->message);
      return;
    }
  lab_session_run (session);
}

/* The two ends' codes and the decode between them, for the spins and the slider: the
 * latest request wins, so that a drag decodes its first and last positions. */
static void
update_pair (LabSequenceView *self)
{
  LabSequenceJob *job;

  if (self->weights == NULL || (job = new_job (self)) == NULL)
    {
      g_clear_pointer (&self->pair_result, lab_sequence_result_free);
      self->has_mix = FALSE;
      memset (&self->mix, 0, sizeof self->mix);
      self->mix.empty_text = _("Appears with the first weights");
      lab_chart_redraw (self->mix_chart);
      return;
    }
  job->has_ends = TRUE;
  job->ends[0] = gtk_spin_button_get_value_as_int (self->from_spin);
  job->ends[1] = gtk_spin_button_get_value_as_int (self->to_spin);
  job->mix_t = gtk_range_get_value (self->mix_scale);
  lab_background_slot_request (self->pair_job, job);
}

static void
show_mix (LabSequenceView *self, const LabSequenceJob *job)
{
  LabSequenceResult *r = self->pair_result;

  memset (&self->mix, 0, sizeof self->mix);
  self->mix.empty_text = _("Appears with the first weights");
  self->has_mix = r != NULL && r->has_ends;
  if (!self->has_mix)
    {
      lab_chart_redraw (self->mix_chart);
      return;
    }
  for (int e = 0; e < 2; e++)
    {
      self->end_pointers[e] = r->end_output + (gsize) e * self->dim;
      g_snprintf (self->end_names[e], sizeof self->end_names[e],
                  e == 0 ? _("start: test %ld") : _("end: test %ld"), job->ends[e]);
      self->end_name_pointers[e] = self->end_names[e];
    }
  self->mix.input = r->mix_output;
  self->mix.input_name = _("decoded");
  self->mix.references = self->end_pointers;
  self->mix.reference_names = self->end_name_pointers;
  self->mix.n_references = 2;
  use_common_range (self, &self->mix);
  self->mix.n_steps = self->steps;
  self->mix.n_features = self->features;
  self->mix.x_label = _("step");
  g_snprintf (self->mix_title, sizeof self->mix_title, _("%.0f%% of the way from %ld to %ld"),
              100 * job->mix_t, job->ends[0], job->ends[1]);
  self->mix.title = self->mix_title;
  lab_chart_set_description (self->mix_chart, self->mix_title);
  gtk_label_set_label (self->mix_label,
                       self->variational ? _("Spherical path between the two codes (a VAE)")
                                         : _("Straight path between the two codes"));
  lab_chart_redraw (self->mix_chart);
}

static void
on_pair_done (GObject *owner, gpointer input, gpointer output)
{
  LabSequenceView *self = LAB_SEQUENCE_VIEW (owner);

  lab_sequence_result_free (self->pair_result);
  self->pair_result = output;
  show_mix (self, input);
}

/* The value axis every plot shares changed. */
static void
update_range (LabSequenceView *self)
{
  for (int i = 0; i < LAB_PRIOR; i++)
    if (self->prior[i].input != NULL)
      {
        use_common_range (self, &self->prior[i]);
        lab_chart_redraw (self->prior_charts[i]);
      }
  if (self->has_mix)
    {
      use_common_range (self, &self->mix);
      lab_chart_redraw (self->mix_chart);
    }
}

/* --- session ------------------------------------------------------------------------------- */

/* Drops what was computed for other data (or a view about to go). */
static void
forget_results (LabSequenceView *self)
{
  lab_background_slot_cancel (self->shown_job);
  lab_background_slot_cancel (self->pair_job);
  lab_background_slot_cancel (self->prior_job);
  g_clear_pointer (&self->shown_result, lab_sequence_result_free);
  g_clear_pointer (&self->prior_result, lab_sequence_result_free);
  g_clear_pointer (&self->pair_result, lab_sequence_result_free);
  self->has_mix = FALSE;
  self->y_min = 1;
  self->y_max = 0;
}

/* The notice, and the current shape; FALSE when the data are not sequences. */
static gboolean
update_shape (LabSequenceView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  int channels = 0, height = 0, width = 0;
  gboolean sequences = session != NULL && lab_session_get_is_sequence (session)
                       && lab_session_get_sample_shape (session, &channels, &height, &width)
                       && lab_session_get_split_size (session, LAB_SPLIT_TEST) > 0;

  gtk_stack_set_visible_child_name (self->stack, sequences ? "content" : "notice");
  if (!sequences)
    {
      g_clear_pointer (&self->weights, lab_weights_unref);
      return FALSE;
    }
  self->n_test = lab_session_get_split_size (session, LAB_SPLIT_TEST);
  gtk_spin_button_set_range (self->sample_spin, 0, MAX (self->n_test - 1, 0));
  gtk_spin_button_set_range (self->from_spin, 0, MAX (self->n_test - 1, 0));
  gtk_spin_button_set_range (self->to_spin, 0, MAX (self->n_test - 1, 0));
  if (height * width != self->dim)
    {
      /* results of another shape must not meet these plots */
      g_clear_pointer (&self->weights, lab_weights_unref);
      forget_results (self);
      self->steps = height;
      self->features = width;
      self->dim = height * width;
    }
  self->has_anomalies = FALSE;
  for (long i = 0; i < self->n_test && !self->has_anomalies; i++)
    self->has_anomalies = lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, i) != NULL;
  gtk_widget_set_visible (self->anomaly_button, self->has_anomalies);
  if (self->n_test > 1 && gtk_spin_button_get_value_as_int (self->from_spin)
                          == gtk_spin_button_get_value_as_int (self->to_spin))
    gtk_spin_button_set_value (self->to_spin, gtk_spin_button_get_value_as_int (self->from_spin) + 1);
  return TRUE;
}

static void
refresh (LabView *view)
{
  LabSequenceView *self = LAB_SEQUENCE_VIEW (view);
  LabWeights *weights;
  gboolean changed;

  /* hidden, the view computes nothing: it refreshes when shown */
  if (!lab_view_get_shown (LAB_VIEW (self)) || !update_shape (self))
    return;
  weights = lab_session_get_weights (lab_view_get_session (LAB_VIEW (self)));
  changed = weights != self->weights;
  if (changed)
    {
      g_clear_pointer (&self->weights, lab_weights_unref);
      if (weights != NULL && lab_weights_get_input_dim (weights) == self->dim)
        self->weights = lab_weights_ref (weights);
    }
  if (self->weights != NULL)
    {
      int latent = lab_weights_get_latent_dim (self->weights);

      self->variational = lab_weights_is_variational (self->weights);
      if (latent != self->latent)
        {
          self->latent = latent;
          self->draw_normal = g_renew (float, self->draw_normal, (gsize) LAB_PRIOR * latent);
          g_clear_pointer (&self->prior_result, lab_sequence_result_free);
          lab_sequence_draw_codes (self->draw_normal, LAB_PRIOR, latent, NULL, NULL, self->rand);
        }
    }
  update_shown (self);
  if (changed || self->prior_result == NULL)
    update_prior (self, TRUE);
  if (self->weights == NULL)
    show_prior (self);
  update_pair (self);
}

static void
on_snapshot (LabView *view, LabSnapshot *snapshot)
{
  LabSequenceView *self = LAB_SEQUENCE_VIEW (view);

  /* only reports that bring new weights change what is shown */
  if ((snapshot->weights == NULL || snapshot->weights == self->weights)
      && snapshot->generation == self->generation)
    return;
  self->generation = snapshot->generation;
  refresh (view);
}

static void
session_changed (LabView *view, LabSession *session)
{
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "notify::generation", G_CALLBACK (refresh), view);
      g_signal_connect_swapped (session, "notify::loading", G_CALLBACK (refresh), view);
      g_signal_connect_swapped (session, "options-changed", G_CALLBACK (refresh), view);
    }
  refresh (view);
}

/* --- public --------------------------------------------------------------------------------- */

gboolean
lab_sequence_view_get_shows_sequences (LabSequenceView *self)
{
  g_return_val_if_fail (LAB_IS_SEQUENCE_VIEW (self), FALSE);
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "content") == 0;
}

void
lab_sequence_view_show_from (LabSequenceView *self, long first)
{
  g_return_if_fail (LAB_IS_SEQUENCE_VIEW (self));
  gtk_spin_button_set_value (self->sample_spin, first);
  /* the spin only signals a change; the same value must still show the newest weights */
  update_shown (self);
}

const LabSequenceData *
lab_sequence_view_get_shown (LabSequenceView *self, int i, long *test_index)
{
  g_return_val_if_fail (LAB_IS_SEQUENCE_VIEW (self), NULL);
  g_return_val_if_fail (i >= 0 && i < LAB_SHOWN, NULL);

  if (test_index != NULL)
    *test_index = self->shown_index[i];
  return &self->shown[i];
}

LabWeights *
lab_sequence_view_get_weights (LabSequenceView *self)
{
  g_return_val_if_fail (LAB_IS_SEQUENCE_VIEW (self), NULL);
  return self->weights;
}

void
lab_sequence_view_set_pair (LabSequenceView *self, long first, long second)
{
  g_return_if_fail (LAB_IS_SEQUENCE_VIEW (self));
  gtk_spin_button_set_value (self->from_spin, first);
  gtk_spin_button_set_value (self->to_spin, second);
  update_pair (self);
}

void
lab_sequence_view_set_mix (LabSequenceView *self, double t)
{
  g_return_if_fail (LAB_IS_SEQUENCE_VIEW (self));
  gtk_range_set_value (self->mix_scale, t);
  update_pair (self);
}

const float *
lab_sequence_view_get_mixed (LabSequenceView *self)
{
  g_return_val_if_fail (LAB_IS_SEQUENCE_VIEW (self), NULL);
  return self->has_mix ? self->pair_result->mix_output : NULL;
}

const float *
lab_sequence_view_get_generated (LabSequenceView *self, const float **codes, int *n)
{
  g_return_val_if_fail (LAB_IS_SEQUENCE_VIEW (self), NULL);

  gboolean has = self->weights != NULL && self->prior_result != NULL
                 && self->prior_result->prior_output != NULL;

  if (n != NULL)
    *n = has ? LAB_PRIOR : 0;
  if (codes != NULL)
    *codes = has ? self->prior_result->prior_codes : NULL;
  return has ? self->prior_result->prior_output : NULL;
}

GtkWidget *
lab_sequence_view_get_chart (LabSequenceView *self, int i)
{
  g_return_val_if_fail (LAB_IS_SEQUENCE_VIEW (self), NULL);
  g_return_val_if_fail (i >= 0 && i < LAB_SHOWN, NULL);
  return GTK_WIDGET (self->charts[i]);
}

/* --- GObject -------------------------------------------------------------------------------- */

static void
lab_sequence_view_dispose (GObject *object)
{
  LabSequenceView *self = LAB_SEQUENCE_VIEW (object);

  if (self->shown_job != NULL)
    forget_results (self);
  g_clear_pointer (&self->shown_job, lab_background_slot_free);
  g_clear_pointer (&self->pair_job, lab_background_slot_free);
  g_clear_pointer (&self->prior_job, lab_background_slot_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_SEQUENCE_VIEW);
  g_clear_pointer (&self->weights, lab_weights_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->draw_normal, g_free);
  G_OBJECT_CLASS (lab_sequence_view_parent_class)->dispose (object);
}

static void
lab_sequence_view_class_init (LabSequenceViewClass *klass)
{
  LabViewClass *view_class = LAB_VIEW_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lab_sequence_view_dispose;
  view_class->session_changed = session_changed;
  view_class->snapshot = on_snapshot;
  view_class->refresh = refresh;
  lab_view_class_set_template (view_class, GTK_TYPE_BIN_LAYOUT, "labsequenceview", "lab-sequence-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, stack);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, notice);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, sample_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, anomaly_button);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, sample_label);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, shown_reflow);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, prior_label);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, vae_button);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, prior_grid);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, from_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, to_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, mix_scale);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, mix_label);
  gtk_widget_class_bind_template_child (widget_class, LabSequenceView, mix_chart);
  gtk_widget_class_bind_template_callback (widget_class, update_shown);
  gtk_widget_class_bind_template_callback (widget_class, update_pair);
  gtk_widget_class_bind_template_callback (widget_class, on_previous);
  gtk_widget_class_bind_template_callback (widget_class, on_next);
  gtk_widget_class_bind_template_callback (widget_class, on_next_anomaly);
  gtk_widget_class_bind_template_callback (widget_class, on_new_samples);
  gtk_widget_class_bind_template_callback (widget_class, on_make_variational);
}

static LabChart *
new_chart (gpointer data, int width, int height)
{
  GtkWidget *chart = lab_chart_new ();

  lab_chart_set_draw_func (LAB_CHART (chart), lab_plot_sequence_draw_func, data, NULL);
  gtk_widget_set_size_request (chart, width, height);
  gtk_widget_set_hexpand (chart, TRUE);
  gtk_widget_set_vexpand (chart, TRUE);
  return LAB_CHART (chart);
}

static void
lab_sequence_view_init (LabSequenceView *self)
{
  self->rand = g_rand_new_with_seed (7);
  self->y_min = 1;
  self->y_max = 0;
  self->shown_job = lab_background_slot_new (G_OBJECT (self), lab_sequence_job_run,
                                             (GDestroyNotify) lab_sequence_job_free, on_shown_done,
                                             (GDestroyNotify) lab_sequence_result_free);
  self->pair_job = lab_background_slot_new (G_OBJECT (self), lab_sequence_job_run,
                                            (GDestroyNotify) lab_sequence_job_free, on_pair_done,
                                            (GDestroyNotify) lab_sequence_result_free);
  self->prior_job = lab_background_slot_new (G_OBJECT (self), lab_sequence_job_run,
                                             (GDestroyNotify) lab_sequence_job_free, on_prior_done,
                                             (GDestroyNotify) lab_sequence_result_free);
  gtk_widget_init_template (GTK_WIDGET (self));

  for (int i = 0; i < LAB_SHOWN; i++)
    {
      self->shown_index[i] = -1;
      self->charts[i] = new_chart (&self->shown[i], 280, 150);
      lab_reflow_append (self->shown_reflow, GTK_WIDGET (self->charts[i]));
    }
  for (int i = 0; i < LAB_PRIOR; i++)
    {
      self->prior_charts[i] = new_chart (&self->prior[i], 170, 120);
      gtk_grid_attach (self->prior_grid, GTK_WIDGET (self->prior_charts[i]), i % 2, i / 2, 1, 1);
    }
  lab_chart_set_draw_func (self->mix_chart, lab_plot_sequence_draw_func, &self->mix, NULL);

  gtk_spin_button_set_value (self->to_spin, 1);
  show_shown (self, 0);
  show_prior (self);
  update_pair (self);
}
