/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sequence-view.c: the Sequences view.
 *
 * Left, test sequences with their reconstructions overlaid and a strip of the squared error
 * per step under each; on data with labelled anomalies (ecg) the anomalous beat's steps are
 * shaded. Right, generation: decodes of codes drawn from the prior (a VAE) or from a
 * Gaussian fitted to the test codes (a plain autoencoder), and a slider between the codes
 * of two test sequences. Everything is recomputed from the newest weights at each snapshot
 * that carries them (the model over a few short sequences takes well under a millisecond);
 * a slider move decodes the one sequence it shows.
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

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

  LabWeights *weights; /* the copy everything shown was computed with */
  guint generation;
  int steps, features, dim, latent;
  gboolean variational, has_anomalies;
  long n_test;
  double y_min, y_max; /* of the test sequences: one value axis for every plot */

  long shown_index[LAB_SHOWN]; /* test indices, -1 past the end */
  float *shown_input, *shown_output, *shown_error; /* (LAB_SHOWN, dim), (.., dim), (.., steps) */
  guint8 *shown_flags; /* (LAB_SHOWN, steps): copies, the dataset may go before a redraw */
  char shown_title[LAB_SHOWN][128];
  LabSequenceData shown[LAB_SHOWN];

  GRand *rand;
  float *draw_normal; /* (LAB_PRIOR, latent) standard normal deviates, kept between snapshots */
  float *code_mean, *code_sd; /* (latent) each: the spread of a plain model's test codes */
  float *prior_codes, *prior_output; /* (LAB_PRIOR, latent), (LAB_PRIOR, dim) */
  LabSequenceData prior[LAB_PRIOR];
  char prior_title[LAB_PRIOR][32];

  float *end_codes; /* (2, latent): the codes of the two test sequences */
  float *mix_output; /* (dim) */
  float *end_output; /* (2, dim): the decodes of the two codes, drawn pale under the mix */
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

static void
update_shown (LabSequenceView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  long first = gtk_spin_button_get_value_as_int (self->sample_spin);
  double total = 0;
  int counted = 0;
  char *text;

  for (int i = 0; i < LAB_SHOWN; i++)
    {
      LabSequenceData *d = &self->shown[i];
      long index = first + i;
      int label = -1;
      const float *x = index < self->n_test
                       ? lab_session_get_sample (session, LAB_SPLIT_TEST, index, &label) : NULL;
      float *in = self->shown_input + (gsize) i * self->dim;
      float *out = self->shown_output + (gsize) i * self->dim;
      float *err = self->shown_error + (gsize) i * self->steps;
      const guint8 *flags;
      double mse = 0;
      char kind[64];

      memset (d, 0, sizeof *d);
      d->n_steps = self->steps;
      d->n_features = self->features;
      d->x_label = _("step");
      d->empty_text = _("No test sequence here");
      use_common_range (self, d);
      self->shown_index[i] = x != NULL ? index : -1;
      if (x == NULL)
        continue;
      memcpy (in, x, sizeof (float) * self->dim);
      d->input = in;
      flags = lab_session_get_step_anomaly (session, LAB_SPLIT_TEST, index);
      if (flags != NULL)
        for (int t = 0; t < self->steps; t++)
          if (flags[t])
            {
              /* shaded only when the beat is anomalous: a row of zeros says nothing */
              memcpy (self->shown_flags + (gsize) i * self->steps, flags, self->steps);
              d->anomalous = self->shown_flags + (gsize) i * self->steps;
              break;
            }
      if (self->weights != NULL)
        {
          lab_weights_reconstruct (self->weights, out, in, 1);
          lab_sequence_step_errors (err, in, out, self->steps, self->features);
          d->reconstruction = out;
          d->step_error = err;
          for (int t = 0; t < self->steps; t++)
            mse += err[t] / self->steps;
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
          g_snprintf (kind, sizeof kind, _("anomalous beat, steps %d to %d"), lo, hi);
        }
      else
        g_strlcpy (kind, class_name (self, label), sizeof kind);
      if (self->weights != NULL)
        g_snprintf (self->shown_title[i], sizeof self->shown_title[i],
                    _("Test sequence %ld · %s · MSE %.4f"), index, kind, mse);
      else
        g_snprintf (self->shown_title[i], sizeof self->shown_title[i], _("Test sequence %ld · %s"),
                    index, kind);
      d->title = self->shown_title[i];
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

/* A plain autoencoder has no prior: new codes are drawn from the spread of its test codes,
 * those the snapshot carries (the trainer encodes them anyway), else encoded here. */
static void
update_code_spread (LabSequenceView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  LabSnapshot *s = lab_session_get_snapshot (session);
  long n = MIN (self->n_test, LAB_SPREAD_CODES);
  float *x, *codes;

  if (self->weights == NULL || self->variational || n <= 0)
    return;
  if (s != NULL && s->codes != NULL && s->n_codes > 1 && s->latent == self->latent)
    {
      lab_sequence_code_spread (self->code_mean, self->code_sd, s->codes, s->n_codes, s->latent);
      return;
    }
  x = g_new (float, (gsize) n * self->dim);
  codes = g_new (float, (gsize) n * self->latent);
  for (long i = 0; i < n; i++)
    memcpy (x + (gsize) i * self->dim, lab_session_get_sample (session, LAB_SPLIT_TEST, i, NULL),
            sizeof (float) * self->dim);
  lab_weights_encode (self->weights, codes, NULL, x, n);
  lab_sequence_code_spread (self->code_mean, self->code_sd, codes, n, self->latent);
  g_free (x);
  g_free (codes);
}

static void
update_prior (LabSequenceView *self)
{
  for (int i = 0; i < LAB_PRIOR; i++)
    {
      memset (&self->prior[i], 0, sizeof self->prior[i]);
      self->prior[i].empty_text = _("Appears with the first weights");
    }
  if (self->weights == NULL)
    goto out;
  for (int i = 0; i < LAB_PRIOR; i++)
    for (int d = 0; d < self->latent; d++)
      {
        gsize k = (gsize) i * self->latent + d;

        self->prior_codes[k] = self->variational ? self->draw_normal[k]
                               : self->code_mean[d] + self->code_sd[d] * self->draw_normal[k];
      }
  lab_weights_decode (self->weights, self->prior_output, self->prior_codes, LAB_PRIOR);
  for (int i = 0; i < LAB_PRIOR; i++)
    {
      LabSequenceData *d = &self->prior[i];

      d->input = self->prior_output + (gsize) i * self->dim;
      d->hide_legend = true;
      use_common_range (self, d);
      d->n_steps = self->steps;
      d->n_features = self->features;
      g_snprintf (self->prior_title[i], sizeof self->prior_title[i], _("Sample %d"), i + 1);
      d->title = self->prior_title[i];
    }
out:
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
on_new_samples (LabSequenceView *self)
{
  if (self->latent <= 0)
    return;
  lab_sequence_draw_codes (self->draw_normal, LAB_PRIOR, self->latent, NULL, NULL, self->rand);
  update_prior (self);
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

static void
update_mix (LabSequenceView *self)
{
  double t = gtk_range_get_value (self->mix_scale);
  float *code;

  memset (&self->mix, 0, sizeof self->mix);
  self->mix.empty_text = _("Appears with the first weights");
  if (!self->has_mix)
    {
      lab_chart_redraw (self->mix_chart);
      return;
    }
  code = g_new (float, self->latent);
  lab_sequence_mix_codes (code, self->end_codes, self->end_codes + self->latent, self->latent, t,
                          self->variational);
  lab_weights_decode (self->weights, self->mix_output, code, 1);
  g_free (code);
  self->mix.input = self->mix_output;
  self->mix.input_name = _("decoded");
  self->mix.references = self->end_pointers;
  self->mix.reference_names = self->end_name_pointers;
  self->mix.n_references = 2;
  use_common_range (self, &self->mix);
  self->mix.n_steps = self->steps;
  self->mix.n_features = self->features;
  self->mix.x_label = _("step");
  g_snprintf (self->mix_title, sizeof self->mix_title, _("%.0f%% of the way from %ld to %ld"),
              100 * t, (long) gtk_spin_button_get_value_as_int (self->from_spin),
              (long) gtk_spin_button_get_value_as_int (self->to_spin));
  self->mix.title = self->mix_title;
  lab_chart_set_description (self->mix_chart, self->mix_title);
  gtk_label_set_label (self->mix_label,
                       self->variational ? _("Spherical path between the two codes (a VAE)")
                                         : _("Straight path between the two codes"));
  lab_chart_redraw (self->mix_chart);
}

static void
update_pair (LabSequenceView *self)
{
  long ends[2] = { gtk_spin_button_get_value_as_int (self->from_spin),
                   gtk_spin_button_get_value_as_int (self->to_spin) };

  self->has_mix = FALSE;
  if (self->weights != NULL)
    {
      self->has_mix = TRUE;
      for (int e = 0; e < 2; e++)
        {
          const float *x = lab_session_get_sample (lab_view_get_session (LAB_VIEW (self)), LAB_SPLIT_TEST, ends[e], NULL);

          if (x == NULL)
            self->has_mix = FALSE;
          else
            lab_weights_encode (self->weights, self->end_codes + (gsize) e * self->latent, NULL, x, 1);
        }
    }
  if (self->has_mix)
    {
      lab_weights_decode (self->weights, self->end_output, self->end_codes, 2);
      for (int e = 0; e < 2; e++)
        {
          self->end_pointers[e] = self->end_output + (gsize) e * self->dim;
          g_snprintf (self->end_names[e], sizeof self->end_names[e],
                      e == 0 ? _("start: test %ld") : _("end: test %ld"), ends[e]);
          self->end_name_pointers[e] = self->end_names[e];
        }
    }
  update_mix (self);
}

/* --- session ------------------------------------------------------------------------------- */

/* The notice, and buffers for the current shape; FALSE when the data are not sequences. */
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
      /* weights of another shape must not meet these buffers */
      g_clear_pointer (&self->weights, lab_weights_unref);
      self->steps = height;
      self->features = width;
      self->dim = height * width;
      self->shown_input = g_renew (float, self->shown_input, (gsize) LAB_SHOWN * self->dim);
      self->shown_output = g_renew (float, self->shown_output, (gsize) LAB_SHOWN * self->dim);
      self->shown_error = g_renew (float, self->shown_error, (gsize) LAB_SHOWN * self->steps);
      self->shown_flags = g_renew (guint8, self->shown_flags, (gsize) LAB_SHOWN * self->steps);
      self->prior_output = g_renew (float, self->prior_output, (gsize) LAB_PRIOR * self->dim);
      self->mix_output = g_renew (float, self->mix_output, self->dim);
      self->end_output = g_renew (float, self->end_output, 2 * (gsize) self->dim);
    }
  self->y_min = G_MAXDOUBLE;
  self->y_max = -G_MAXDOUBLE;
  for (long i = 0; i < MIN (self->n_test, LAB_SPREAD_CODES); i++)
    {
      const float *x = lab_session_get_sample (session, LAB_SPLIT_TEST, i, NULL);

      for (int k = 0; k < self->dim; k++)
        if (isfinite (x[k]))
          {
            self->y_min = MIN (self->y_min, x[k]);
            self->y_max = MAX (self->y_max, x[k]);
          }
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
          self->prior_codes = g_renew (float, self->prior_codes, (gsize) LAB_PRIOR * latent);
          self->end_codes = g_renew (float, self->end_codes, 2 * (gsize) latent);
          self->code_mean = g_renew (float, self->code_mean, latent);
          self->code_sd = g_renew (float, self->code_sd, latent);
          lab_sequence_draw_codes (self->draw_normal, LAB_PRIOR, latent, NULL, NULL, self->rand);
        }
      if (changed)
        update_code_spread (self);
    }
  update_shown (self);
  update_prior (self);
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
  update_mix (self);
}

const float *
lab_sequence_view_get_mixed (LabSequenceView *self)
{
  g_return_val_if_fail (LAB_IS_SEQUENCE_VIEW (self), NULL);
  return self->has_mix ? self->mix_output : NULL;
}

const float *
lab_sequence_view_get_generated (LabSequenceView *self, const float **codes, int *n)
{
  g_return_val_if_fail (LAB_IS_SEQUENCE_VIEW (self), NULL);

  if (n != NULL)
    *n = self->weights != NULL ? LAB_PRIOR : 0;
  if (codes != NULL)
    *codes = self->weights != NULL ? self->prior_codes : NULL;
  return self->weights != NULL ? self->prior_output : NULL;
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

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_SEQUENCE_VIEW);
  g_clear_pointer (&self->weights, lab_weights_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->shown_input, g_free);
  g_clear_pointer (&self->shown_output, g_free);
  g_clear_pointer (&self->shown_error, g_free);
  g_clear_pointer (&self->shown_flags, g_free);
  g_clear_pointer (&self->draw_normal, g_free);
  g_clear_pointer (&self->code_mean, g_free);
  g_clear_pointer (&self->code_sd, g_free);
  g_clear_pointer (&self->prior_codes, g_free);
  g_clear_pointer (&self->prior_output, g_free);
  g_clear_pointer (&self->end_codes, g_free);
  g_clear_pointer (&self->mix_output, g_free);
  g_clear_pointer (&self->end_output, g_free);
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
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "labsequenceview");

  g_type_ensure (LAB_TYPE_CHART);
  g_type_ensure (LAB_TYPE_REFLOW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/latentlab/LatentLab/ui/lab-sequence-view.ui");
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
  gtk_widget_class_bind_template_callback (widget_class, update_mix);
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
  update_shown (self);
  update_prior (self);
  update_mix (self);
}
