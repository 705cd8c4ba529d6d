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

  GtkStack *stack; /* "notice" when the data are not sequences, else "content" */
  GtkLabel *notice;
  GtkSpinButton *sample_spin;
  GtkWidget *anomaly_button;
  GtkLabel *sample_label;
  LabChart *charts[LAB_SHOWN];
  GtkLabel *prior_label;
  GtkWidget *vae_button;
  LabChart *prior_charts[LAB_PRIOR];
  GtkSpinButton *from_spin, *to_spin;
  GtkRange *mix_scale;
  GtkLabel *mix_label;
  LabChart *mix_chart;

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

  G_OBJECT_CLASS (klass)->dispose = lab_sequence_view_dispose;
  view_class->session_changed = session_changed;
  view_class->snapshot = on_snapshot;
  view_class->refresh = refresh;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "labsequenceview");
}

static LabChart *
new_chart (GtkWidget *box, gpointer data, int width, int height)
{
  GtkWidget *chart = lab_chart_new ();

  lab_chart_set_draw_func (LAB_CHART (chart), lab_plot_sequence_draw_func, data, NULL);
  gtk_widget_set_size_request (chart, width, height);
  gtk_widget_set_hexpand (chart, TRUE);
  gtk_widget_set_vexpand (chart, TRUE);
  if (box != NULL)
    gtk_box_append (GTK_BOX (box), chart);
  return LAB_CHART (chart);
}

static GtkWidget *
heading (GtkWidget *box, const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  return label;
}

static GtkLabel *
note (GtkWidget *box, const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  /* a wrapped label asks for its whole text on one line unless told otherwise */
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  return GTK_LABEL (label);
}

static GtkSpinButton *
labelled_spin (GtkWidget *box, const char *text, const char *tooltip)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, 0, 1);

  /* test indices have four digits; the default width would crowd the right column */
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 4);
  gtk_box_append (GTK_BOX (box), gtk_label_new (text));
  gtk_widget_set_tooltip_text (spin, tooltip);
  gtk_box_append (GTK_BOX (box), spin);
  return GTK_SPIN_BUTTON (spin);
}

static void
lab_sequence_view_init (LabSequenceView *self)
{
  /* two topics, one at a time: three test sequences, or what the model generates; each
   * reflows across a projector's width and down a narrower window */
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *switcher = gtk_stack_switcher_new ();
  GtkStack *topics = GTK_STACK (gtk_stack_new ());
  GtkWidget *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *shown = lab_reflow_new (12);
  GtkWidget *generated = lab_reflow_new (18);
  GtkWidget *right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *mix_group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *previous = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *next = gtk_button_new_from_icon_name ("go-next-symbolic");
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *new_samples = gtk_button_new_with_label (_("New samples"));
  GtkWidget *pair = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *notice = gtk_label_new (
    _("This view shows time series, and this dataset holds none: choose Sine waves or ECG "
      "(with anomalies) as the dataset in the sidebar, or start with latentlab --data sines."));

  self->rand = g_rand_new_with_seed (7);
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));

  self->notice = GTK_LABEL (notice);
  gtk_label_set_wrap (self->notice, TRUE);
  gtk_label_set_max_width_chars (self->notice, 60);
  /* centred, a wrapped label may be given its minimum width: one word per line */
  gtk_label_set_width_chars (self->notice, 40);
  gtk_label_set_justify (self->notice, GTK_JUSTIFY_CENTER);
  gtk_widget_set_halign (notice, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (notice, "dim-label");
  gtk_stack_add_named (self->stack, notice, "notice");
  gtk_stack_add_named (self->stack, content, "content");

  gtk_stack_set_vhomogeneous (topics, FALSE);
  gtk_stack_set_hhomogeneous (topics, FALSE);
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), topics);
  gtk_widget_set_halign (switcher, GTK_ALIGN_START);
  gtk_widget_set_vexpand (GTK_WIDGET (topics), TRUE);
  gtk_box_append (GTK_BOX (content), switcher);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (topics));
  gtk_widget_set_size_request (right, 360, -1);
  gtk_widget_set_size_request (mix_group, 360, -1);
  gtk_widget_set_vexpand (shown, TRUE);
  lab_reflow_append (LAB_REFLOW (generated), right);
  lab_reflow_append (LAB_REFLOW (generated), mix_group);
  gtk_stack_add_titled (topics, left, "tests", _("Test Sequences"));
  gtk_stack_add_titled (topics, generated, "generated", _("Generated"));

  /* left: test sequences */
  heading (left, _("Test sequences and their reconstructions"));
  self->sample_spin = labelled_spin (bar, _("From test sequence"),
                                     _("The first of the three test sequences shown"));
  gtk_widget_set_tooltip_text (previous, _("The three before"));
  gtk_widget_set_tooltip_text (next, _("The next three"));
  gtk_box_append (GTK_BOX (bar), previous);
  gtk_box_append (GTK_BOX (bar), next);
  self->anomaly_button = gtk_button_new_with_label (_("Next anomalous beat"));
  gtk_widget_set_tooltip_text (self->anomaly_button,
                               _("Show the next test sequence with a labelled anomaly; its "
                                 "steps are shaded"));
  gtk_widget_set_visible (self->anomaly_button, FALSE);
  gtk_box_append (GTK_BOX (bar), self->anomaly_button);
  gtk_box_append (GTK_BOX (left), bar);
  self->sample_label = note (left, "");
  gtk_box_append (GTK_BOX (left), shown);
  for (int i = 0; i < LAB_SHOWN; i++)
    {
      self->shown_index[i] = -1;
      self->charts[i] = new_chart (NULL, &self->shown[i], 280, 150);
      lab_reflow_append (LAB_REFLOW (shown), GTK_WIDGET (self->charts[i]));
    }

  /* right: generation */
  heading (right, _("Generated sequences"));
  self->prior_label = note (right, "");
  {
    GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    gtk_widget_set_tooltip_text (new_samples, _("Draw four new codes and decode them"));
    self->vae_button = gtk_button_new_with_label (_("Retrain as a VAE"));
    gtk_widget_set_tooltip_text (self->vae_button,
                                 _("Make the model variational (mean and spread per code, KL "
                                   "to N(0, I)) and train it again from scratch"));
    gtk_widget_set_visible (self->vae_button, FALSE);
    gtk_box_append (GTK_BOX (buttons), new_samples);
    gtk_box_append (GTK_BOX (buttons), self->vae_button);
    gtk_box_append (GTK_BOX (right), buttons);
  }
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  for (int i = 0; i < LAB_PRIOR; i++)
    {
      self->prior_charts[i] = new_chart (NULL, &self->prior[i], 170, 120);
      gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->prior_charts[i]), i % 2, i / 2, 1, 1);
    }
  gtk_box_append (GTK_BOX (right), grid);

  gtk_widget_set_vexpand (grid, TRUE);
  heading (mix_group, _("Interpolation between two test sequences"));
  self->from_spin = labelled_spin (pair, _("From"), _("The test sequence at the start"));
  self->to_spin = labelled_spin (pair, _("to"), _("The test sequence at the end"));
  gtk_box_append (GTK_BOX (mix_group), pair);
  self->mix_scale = GTK_RANGE (gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.01));
  gtk_scale_set_draw_value (GTK_SCALE (self->mix_scale), FALSE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mix_scale),
                               _("Where between the two codes to decode"));
  gtk_box_append (GTK_BOX (mix_group), GTK_WIDGET (self->mix_scale));
  self->mix_label = note (mix_group, "");
  self->mix_chart = new_chart (mix_group, &self->mix, 360, 150);

  g_signal_connect_swapped (self->sample_spin, "value-changed", G_CALLBACK (update_shown), self);
  g_signal_connect_swapped (previous, "clicked", G_CALLBACK (on_previous), self);
  g_signal_connect_swapped (next, "clicked", G_CALLBACK (on_next), self);
  g_signal_connect_swapped (self->anomaly_button, "clicked", G_CALLBACK (on_next_anomaly), self);
  g_signal_connect_swapped (new_samples, "clicked", G_CALLBACK (on_new_samples), self);
  g_signal_connect_swapped (self->vae_button, "clicked", G_CALLBACK (on_make_variational), self);
  g_signal_connect_swapped (self->from_spin, "value-changed", G_CALLBACK (update_pair), self);
  g_signal_connect_swapped (self->to_spin, "value-changed", G_CALLBACK (update_pair), self);
  g_signal_connect_swapped (self->mix_scale, "value-changed", G_CALLBACK (update_mix), self);
  gtk_spin_button_set_value (self->to_spin, 1);
  update_shown (self);
  update_prior (self);
  update_mix (self);
}
