/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sequence-tools.c: errors per step, interpolation and sampling of codes. */
#include "lab-sequence-tools.h"

#include <math.h>
#include <string.h>

void
lab_sequence_step_errors (float *errors, const float *x, const float *x_hat, int steps,
                          int features)
{
  g_return_if_fail (errors != NULL && x != NULL && x_hat != NULL && features > 0);

  for (int t = 0; t < steps; t++)
    {
      double sum = 0;

      for (int f = 0; f < features; f++)
        {
          double d = (double) x[(gsize) t * features + f] - x_hat[(gsize) t * features + f];

          sum += d * d;
        }
      errors[t] = (float) (sum / features);
    }
}

void
lab_sequence_mix_codes (float *out, const float *a, const float *b, int latent, double t,
                        gboolean spherical)
{
  double dot = 0, na = 0, nb = 0, omega;

  g_return_if_fail (out != NULL && a != NULL && b != NULL && latent > 0);

  if (t <= 0 || t >= 1)
    {
      const float *end = t <= 0 ? a : b;

      for (int d = 0; d < latent; d++)
        out[d] = end[d];
      return;
    }
  for (int d = 0; d < latent; d++)
    {
      na += (double) a[d] * a[d];
      nb += (double) b[d] * b[d];
      dot += (double) a[d] * b[d];
    }
  omega = na > 0 && nb > 0 ? acos (CLAMP (dot / sqrt (na * nb), -1.0, 1.0)) : 0;
  if (spherical && omega > 1e-4 && omega < G_PI - 1e-4)
    {
      double wa = sin ((1 - t) * omega) / sin (omega), wb = sin (t * omega) / sin (omega);

      for (int d = 0; d < latent; d++)
        out[d] = (float) (wa * a[d] + wb * b[d]);
      return;
    }
  for (int d = 0; d < latent; d++)
    out[d] = (float) ((1 - t) * a[d] + t * b[d]);
}

void
lab_sequence_code_spread (float *mean, float *sd, const float *codes, long n, int latent)
{
  g_return_if_fail (mean != NULL && sd != NULL && latent > 0 && (codes != NULL || n == 0));

  for (int d = 0; d < latent; d++)
    {
      double sum = 0, sum2 = 0, m;

      for (long i = 0; i < n; i++)
        {
          double v = codes[(gsize) i * latent + d];

          sum += v;
          sum2 += v * v;
        }
      m = n > 0 ? sum / n : 0;
      mean[d] = (float) m;
      sd[d] = n > 1 ? (float) sqrt (MAX (sum2 / n - m * m, 0)) : 1.0f;
    }
}

void
lab_sequence_draw_codes (float *out, long n, int latent, const float *mean, const float *sd,
                         GRand *rand)
{
  g_return_if_fail (out != NULL && latent > 0 && rand != NULL);

  for (long i = 0; i < n; i++)
    for (int d = 0; d < latent; d++)
      {
        /* Box-Muller: GRand has no normal deviates */
        double u1 = g_rand_double_range (rand, 1e-12, 1), u2 = g_rand_double (rand);
        double z = sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);

        out[(gsize) i * latent + d] = (float) ((mean != NULL ? mean[d] : 0)
                                               + (sd != NULL ? sd[d] : 1) * z);
      }
}

/* --- the view's computation on a worker -------------------------------------------------- */

LabSequenceJob *
lab_sequence_job_new (LabSamples *test, LabWeights *weights)
{
  LabSequenceJob *job = g_new0 (LabSequenceJob, 1);

  g_return_val_if_fail (test != NULL, job);
  job->test = test;
  job->weights = weights != NULL ? lab_weights_ref (weights) : NULL;
  return job;
}

void
lab_sequence_job_free (LabSequenceJob *job)
{
  if (job == NULL)
    return;
  lab_samples_free (job->test);
  g_clear_pointer (&job->weights, lab_weights_unref);
  g_free (job->normal);
  g_free (job->code_mean);
  g_free (job->code_sd);
  g_free (job->spread_codes);
  g_free (job);
}

void
lab_sequence_result_free (LabSequenceResult *result)
{
  if (result == NULL)
    return;
  g_free (result->shown_input);
  g_free (result->shown_labels);
  g_free (result->shown_flags);
  g_free (result->recon);
  g_free (result->step_errors);
  g_free (result->end_codes);
  g_free (result->end_output);
  g_free (result->mix_output);
  g_free (result->code_mean);
  g_free (result->code_sd);
  g_free (result->prior_codes);
  g_free (result->prior_output);
  g_free (result);
}

/* The first n test sequences, one after another (n, dim); NULL when there are fewer. */
static float *
gather (const LabSamples *test, long first, long n)
{
  int dim = lab_samples_get_dim (test);
  float *x = g_new (float, (gsize) MAX (n, 1) * dim);

  for (long i = 0; i < n; i++)
    {
      const float *sample = lab_samples_get (test, first + i, NULL);

      if (sample == NULL)
        {
          g_free (x);
          return NULL;
        }
      memcpy (x + (gsize) i * dim, sample, sizeof (float) * dim);
    }
  return x;
}

static void
job_range (const LabSequenceJob *job, LabSequenceResult *r)
{
  int dim = lab_samples_get_dim (job->test);

  r->y_min = G_MAXDOUBLE;
  r->y_max = -G_MAXDOUBLE;
  for (long i = 0; i < MIN (job->n_range, lab_samples_get_count (job->test)); i++)
    {
      const float *x = lab_samples_get (job->test, i, NULL);

      for (int k = 0; k < dim; k++)
        if (isfinite (x[k]))
          {
            r->y_min = MIN (r->y_min, x[k]);
            r->y_max = MAX (r->y_max, x[k]);
          }
    }
}

static void
job_shown (const LabSequenceJob *job, LabSequenceResult *r)
{
  int dim = lab_samples_get_dim (job->test), steps = lab_samples_get_steps (job->test);
  int features = steps > 0 ? dim / steps : dim;

  r->n_shown = (int) CLAMP (lab_samples_get_count (job->test) - job->first, 0, job->n_shown);
  if (r->n_shown <= 0)
    return;
  r->shown_input = g_new (float, (gsize) r->n_shown * dim);
  r->shown_labels = g_new (int, r->n_shown);
  for (int i = 0; i < r->n_shown; i++)
    {
      const guint8 *flags = lab_samples_get_step_anomaly (job->test, job->first + i);

      memcpy (r->shown_input + (gsize) i * dim,
              lab_samples_get (job->test, job->first + i, &r->shown_labels[i]), sizeof (float) * dim);
      if (flags != NULL)
        {
          if (r->shown_flags == NULL)
            r->shown_flags = g_new0 (guint8, (gsize) r->n_shown * steps);
          memcpy (r->shown_flags + (gsize) i * steps, flags, steps);
        }
    }
  if (job->weights == NULL || lab_weights_get_input_dim (job->weights) != dim || steps <= 0)
    return;
  r->recon = g_new (float, (gsize) r->n_shown * dim);
  r->step_errors = g_new (float, (gsize) r->n_shown * steps);
  /* one at a time, as a single sequence is reconstructed anywhere else: a batch may sum
   * in another order */
  for (int i = 0; i < r->n_shown; i++)
    lab_weights_reconstruct (job->weights, r->recon + (gsize) i * dim,
                             r->shown_input + (gsize) i * dim, 1);
  for (int i = 0; i < r->n_shown; i++)
    lab_sequence_step_errors (r->step_errors + (gsize) i * steps, r->shown_input + (gsize) i * dim,
                              r->recon + (gsize) i * dim, steps, features);
}

static void
job_ends (const LabSequenceJob *job, LabSequenceResult *r)
{
  int dim = lab_samples_get_dim (job->test), latent = lab_weights_get_latent_dim (job->weights);
  g_autofree float *x = g_new (float, 2 * (gsize) dim);
  g_autofree float *code = g_new (float, latent);

  for (int e = 0; e < 2; e++)
    {
      const float *sample = lab_samples_get (job->test, job->ends[e], NULL);

      if (sample == NULL)
        return;
      memcpy (x + (gsize) e * dim, sample, sizeof (float) * dim);
    }
  r->has_ends = TRUE;
  r->end_codes = g_new (float, 2 * (gsize) latent);
  r->end_output = g_new (float, 2 * (gsize) dim);
  r->mix_output = g_new (float, dim);
  for (int e = 0; e < 2; e++)
    lab_weights_encode (job->weights, r->end_codes + (gsize) e * latent, NULL, x + (gsize) e * dim, 1);
  lab_weights_decode (job->weights, r->end_output, r->end_codes, 2);
  lab_sequence_mix_codes (code, r->end_codes, r->end_codes + latent, latent, job->mix_t,
                          lab_weights_is_variational (job->weights));
  lab_weights_decode (job->weights, r->mix_output, code, 1);
}

static void
job_prior (const LabSequenceJob *job, LabSequenceResult *r)
{
  int dim = lab_samples_get_dim (job->test), latent = lab_weights_get_latent_dim (job->weights);

  r->code_mean = g_new0 (float, latent);
  r->code_sd = g_new (float, latent);
  for (int d = 0; d < latent; d++)
    r->code_sd[d] = 1.0f;
  if (lab_weights_is_variational (job->weights))
    ; /* the prior N(0, I) */
  else if (job->code_mean != NULL && job->code_sd != NULL)
    {
      memcpy (r->code_mean, job->code_mean, sizeof (float) * latent);
      memcpy (r->code_sd, job->code_sd, sizeof (float) * latent);
    }
  else if (job->spread_codes != NULL && job->n_spread > 1)
    lab_sequence_code_spread (r->code_mean, r->code_sd, job->spread_codes, job->n_spread, latent);
  else
    {
      long n = MIN (job->n_spread, lab_samples_get_count (job->test));
      g_autofree float *x = gather (job->test, 0, n);
      g_autofree float *codes = g_new (float, (gsize) MAX (n, 1) * latent);

      if (x != NULL && n > 0)
        {
          lab_weights_encode (job->weights, codes, NULL, x, n);
          lab_sequence_code_spread (r->code_mean, r->code_sd, codes, n, latent);
        }
    }
  r->prior_codes = g_new (float, (gsize) job->n_prior * latent);
  r->prior_output = g_new (float, (gsize) job->n_prior * dim);
  for (int i = 0; i < job->n_prior; i++)
    for (int d = 0; d < latent; d++)
      {
        gsize k = (gsize) i * latent + d;

        r->prior_codes[k] = r->code_mean[d] + r->code_sd[d] * job->normal[k];
      }
  lab_weights_decode (job->weights, r->prior_output, r->prior_codes, job->n_prior);
}

gpointer
lab_sequence_job_run (gpointer data, GCancellable *cancellable)
{
  LabSequenceJob *job = data;
  LabSequenceResult *r = g_new0 (LabSequenceResult, 1);
  gboolean fits = job->weights != NULL
                  && lab_weights_get_input_dim (job->weights) == lab_samples_get_dim (job->test);

  (void) cancellable;
  r->y_min = 1;
  r->y_max = 0;
  if (job->n_range > 0)
    job_range (job, r);
  if (job->n_shown > 0)
    job_shown (job, r);
  if (fits && job->has_ends)
    job_ends (job, r);
  if (fits && job->n_prior > 0 && job->normal != NULL)
    job_prior (job, r);
  return r;
}
