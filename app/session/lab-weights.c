/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-weights.c: a locked, reference-counted wrapper around a cloned AeModel. */
#include <pthread.h>
#include <stdatomic.h>

#include "lab-session-private.h"

struct _LabWeights {
  /* the engine's inference uses scratch memory inside the model; pthread rather than GMutex
   * so that ThreadSanitizer sees it */
  pthread_mutex_t lock;
  AeModel *model;
};

G_DEFINE_BOXED_TYPE (LabWeights, lab_weights, lab_weights_ref, lab_weights_unref)

static atomic_ullong samples_computed;
static _Thread_local guint64 samples_computed_here;

guint64
lab_weights_get_samples_computed (void)
{
  return atomic_load (&samples_computed);
}

guint64
lab_weights_get_samples_computed_here (void)
{
  return samples_computed_here;
}

static void
lab_weights_clear (gpointer data)
{
  LabWeights *self = data;

  ae_model_free (self->model);
  pthread_mutex_destroy (&self->lock);
}

LabWeights *
_lab_weights_new_take (AeModel *model)
{
  LabWeights *self;

  g_return_val_if_fail (model != NULL, NULL);

  self = g_atomic_rc_box_new0 (LabWeights);
  pthread_mutex_init (&self->lock, NULL);
  self->model = model;
  return self;
}

LabWeights *
lab_weights_ref (LabWeights *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
lab_weights_unref (LabWeights *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, lab_weights_clear);
}

int
lab_weights_get_input_dim (LabWeights *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return ae_model_input_dim (self->model);
}

int
lab_weights_get_latent_dim (LabWeights *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return ae_model_latent_dim (self->model);
}

gboolean
lab_weights_is_variational (LabWeights *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return ae_model_config (self->model)->variational != 0;
}

void
lab_weights_decode (LabWeights *self, float *out, const float *codes, long n)
{
  g_return_if_fail (self != NULL && out != NULL && codes != NULL && n >= 0);

  pthread_mutex_lock (&self->lock);
  ae_model_decode (self->model, out, codes, n);
  atomic_fetch_add (&samples_computed, (unsigned long long) MAX (n, 0));
  samples_computed_here += (guint64) MAX (n, 0);
  pthread_mutex_unlock (&self->lock);
}

void
lab_weights_encode (LabWeights *self, float *codes, float *logvar, const float *x, long n)
{
  g_return_if_fail (self != NULL && codes != NULL && x != NULL && n >= 0);

  pthread_mutex_lock (&self->lock);
  ae_model_encode (self->model, codes, logvar, x, n);
  atomic_fetch_add (&samples_computed, (unsigned long long) MAX (n, 0));
  samples_computed_here += (guint64) MAX (n, 0);
  pthread_mutex_unlock (&self->lock);
}

void
lab_weights_reconstruct (LabWeights *self, float *out, const float *x, long n)
{
  g_return_if_fail (self != NULL && out != NULL && x != NULL && n >= 0);

  pthread_mutex_lock (&self->lock);
  ae_model_reconstruct (self->model, out, x, n);
  atomic_fetch_add (&samples_computed, (unsigned long long) MAX (n, 0));
  samples_computed_here += (guint64) MAX (n, 0);
  pthread_mutex_unlock (&self->lock);
}

gboolean
lab_weights_apply_image (LabWeights *self, float *out, const float *in, int channels, int w, int h)
{
  AeError err = { 0 };
  gboolean ok;

  g_return_val_if_fail (self != NULL && out != NULL && in != NULL, FALSE);

  pthread_mutex_lock (&self->lock);
  ok = ae_model_is_fully_convolutional (self->model)
       && ae_model_config (self->model)->channels == channels
       && ae_model_apply_image (self->model, out, in, w, h, &err) == AE_OK;
  if (ok)
    atomic_fetch_add (&samples_computed, 1);
  pthread_mutex_unlock (&self->lock);
  return ok;
}

void
lab_weights_sample_errors (LabWeights *self, float *errors, const float *input,
                           const float *target, long n)
{
  g_return_if_fail (self != NULL && errors != NULL && input != NULL && target != NULL);

  pthread_mutex_lock (&self->lock);
  ae_model_sample_errors (self->model, errors, input, target, n);
  atomic_fetch_add (&samples_computed, (unsigned long long) MAX (n, 0));
  samples_computed_here += (guint64) MAX (n, 0);
  pthread_mutex_unlock (&self->lock);
}

gboolean
lab_weights_save (LabWeights *self, const char *path, GError **error)
{
  AeError err = { 0 };
  AeStatus status;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  pthread_mutex_lock (&self->lock);
  status = ae_model_save (self->model, path, &err);
  pthread_mutex_unlock (&self->lock);

  if (status != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  return TRUE;
}

AeModel *
_lab_weights_clone_model (LabWeights *self)
{
  AeModel *model;

  g_return_val_if_fail (self != NULL, NULL);

  pthread_mutex_lock (&self->lock);
  model = ae_model_clone (self->model);
  pthread_mutex_unlock (&self->lock);
  return model;
}

float *
lab_weights_dup_first_layer (LabWeights *self, int *units, int *inputs)
{
  const float *w;
  float *copy;

  g_return_val_if_fail (self != NULL && units != NULL && inputs != NULL, NULL);

  pthread_mutex_lock (&self->lock);
  w = ae_model_first_layer (self->model, units, inputs);
  copy = g_memdup2 (w, sizeof (float) * (gsize) *units * *inputs);
  pthread_mutex_unlock (&self->lock);
  return copy;
}

LabDecodeJob *
lab_decode_job_new (LabWeights *weights, const float *codes, long n)
{
  LabDecodeJob *job = g_new (LabDecodeJob, 1);

  g_return_val_if_fail (weights != NULL && codes != NULL && n > 0, NULL);
  job->weights = lab_weights_ref (weights);
  job->codes = g_memdup2 (codes, sizeof (float) * (gsize) n * lab_weights_get_latent_dim (weights));
  job->n = n;
  return job;
}

void
lab_decode_job_free (LabDecodeJob *job)
{
  if (job == NULL)
    return;
  lab_weights_unref (job->weights);
  g_free (job->codes);
  g_free (job);
}

gpointer
lab_decode_job_run (gpointer data, GCancellable *cancellable)
{
  LabDecodeJob *job = data;
  float *images = g_new (float, (gsize) job->n * lab_weights_get_input_dim (job->weights));

  (void) cancellable;
  lab_weights_decode (job->weights, images, job->codes, job->n);
  return images;
}
