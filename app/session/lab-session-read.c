/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-read.c: what the views read of the session: snapshots, weights, samples by
 * split, the dataset's shape and names, and the model's files. */
#include <math.h>
#include <string.h>

#include "lab-session-struct.h"

LabSnapshot *
lab_session_get_snapshot (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->snapshot;
}

LabWeights *
lab_session_get_weights (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->weights;
}

gboolean
lab_session_decode (LabSession *self, float *out, const float *codes, long n)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (out != NULL && codes != NULL, FALSE);

  if (self->weights == NULL)
    return FALSE;
  lab_weights_decode (self->weights, out, codes, n);
  return TRUE;
}

gboolean
lab_session_save_model (LabSession *self, const char *path, GError **error)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->weights == NULL)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_INVALID,
                   "%s: there is no model to save yet", path);
      return FALSE;
    }
  return lab_weights_save (self->weights, path, error);
}

gboolean
lab_session_open_model (LabSession *self, const char *path, GError **error)
{
  AeModel *model = NULL;
  AeConfig config;
  AeError err = { 0 };
  LabLoadJob job = { 0 };

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (ae_model_load (&model, path, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  config = *ae_model_config (model);
  if (self->dataset != NULL && ae_config_fit_data (&config, self->dataset, &err) != AE_OK)
    {
      ae_model_free (model);
      ae_error_prefix (&err, "%s", path);
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  job.config = config;
  if (!lab_session_install (self, &job, error))
    {
      ae_model_free (model);
      return FALSE;
    }
  g_clear_pointer (&self->weights, lab_weights_unref);
  self->weights = _lab_weights_new_take (model);
  lab_session_publish (self);
  return TRUE;
}

static const uint32_t *
split_indices (const AeDataset *ds, LabSplit split, long *count)
{
  switch (split)
    {
    case LAB_SPLIT_TRAIN: *count = ds->n_train; return ae_dataset_train (ds);
    case LAB_SPLIT_VAL: *count = ds->n_val; return ae_dataset_val (ds);
    case LAB_SPLIT_TEST: *count = ds->n_test; return ae_dataset_test (ds);
    default: *count = 0; return NULL;
    }
}

long
lab_session_get_split_size (LabSession *self, LabSplit split)
{
  long count = 0;

  g_return_val_if_fail (LAB_IS_SESSION (self), 0);

  if (self->dataset != NULL)
    split_indices (self->dataset, split, &count);
  return count;
}

AeDataset *
_lab_session_ref_dataset (LabSession *self)
{
  return self->dataset != NULL ? ae_dataset_ref (self->dataset) : NULL;
}

uint32_t *
_lab_session_copy_split (LabSession *self, LabSplit split, long *count)
{
  const uint32_t *idx;

  *count = 0;
  if (self->dataset == NULL || (idx = split_indices (self->dataset, split, count)) == NULL)
    return NULL;
  return g_memdup2 (idx, sizeof *idx * (gsize) MAX (*count, 1));
}

const float *
lab_session_get_sample (LabSession *self, LabSplit split, long index, int *label)
{
  const uint32_t *idx;
  long count = 0;

  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);

  if (label != NULL)
    *label = -1;
  if (self->dataset == NULL)
    return NULL;
  idx = split_indices (self->dataset, split, &count);
  if (idx == NULL || index < 0 || index >= count)
    return NULL;
  if (label != NULL && self->dataset->labels != NULL)
    *label = self->dataset->labels[idx[index]];
  return ae_dataset_sample (self->dataset, idx[index]);
}

const float *
lab_session_get_dataset_sample (LabSession *self, long index, int *label)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);

  if (label != NULL)
    *label = -1;
  if (self->dataset == NULL || index < 0 || index >= self->dataset->n)
    return NULL;
  if (label != NULL && self->dataset->labels != NULL)
    *label = self->dataset->labels[index];
  return ae_dataset_sample (self->dataset, index);
}

gboolean
lab_session_get_sample_shape (LabSession *self, int *channels, int *height, int *width)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);

  if (self->dataset == NULL)
    return FALSE;
  if (channels != NULL)
    *channels = self->dataset->channels;
  if (height != NULL)
    *height = self->dataset->height;
  if (width != NULL)
    *width = self->dataset->width;
  return TRUE;
}

gboolean
lab_session_get_is_sequence (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  return self->dataset != NULL && self->dataset->kind == AE_DATA_SEQUENCES;
}

const guint8 *
lab_session_get_step_anomaly (LabSession *self, LabSplit split, long index)
{
  const uint32_t *idx;
  long count = 0;

  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);

  if (self->dataset == NULL || self->dataset->step_anomaly == NULL)
    return NULL;
  idx = split_indices (self->dataset, split, &count);
  if (idx == NULL || index < 0 || index >= count)
    return NULL;
  return self->dataset->step_anomaly + (size_t) idx[index] * self->dataset->height;
}

gboolean
lab_session_get_running (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  return self->running;
}

guint
lab_session_get_generation (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), 0);
  return self->generation;
}

const char *
lab_session_get_dataset_name (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return dataset_display_name (self->dataset);
}

const char *
lab_session_get_dataset_spec (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->dataset_spec;
}

const char *
lab_session_get_preset (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->config.preset;
}

char *
lab_session_dup_architecture (LabSession *self)
{
  const AeConfig *c;
  GString *s;

  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);

  c = &self->config;
  s = g_string_new (NULL);
  if (self->dataset == NULL)
    return g_string_free (s, FALSE);

  switch (c->arch)
    {
    case AE_ARCH_CONV:
    case AE_ARCH_SEQUENCE:
      if (c->arch == AE_ARCH_CONV || c->sequence_layer == AE_SEQUENCE_CONV)
        {
          /* The channel counts after one word, without the input (the dataset row shows
           * it), keep the line within the sidebar. */
          g_string_append (s, c->arch == AE_ARCH_CONV ? "conv " : "conv1d ");
          for (int i = 0; i < c->n_hidden; i++)
            g_string_append_printf (s, "%s%d", i > 0 ? "," : "", c->hidden[i]);
        }
      else
        g_string_append_printf (s, "%d×%d → LSTM %d", c->height, c->width,
                                c->n_hidden > 0 ? c->hidden[0] : 0);
      break;
    case AE_ARCH_RESIDUAL:
      /* 3x3 convolutions of these widths, then one back to the image that gives the noise */
      g_string_append (s, "conv3×3 ");
      for (int i = 0; i < c->n_hidden; i++)
        g_string_append_printf (s, "%s%d", i > 0 ? "," : "", c->hidden[i]);
      g_string_append (s, " → −noise");
      break;
    case AE_ARCH_DENSE:
    default:
      g_string_append_printf (s, "%d", c->channels * c->height * c->width);
      for (int i = 0; i < c->n_hidden; i++)
        g_string_append_printf (s, " → %d", c->hidden[i]);
      break;
    }
  if (c->latent > 0)
    g_string_append_printf (s, " → %d", c->latent);
  else if (c->arch != AE_ARCH_RESIDUAL)
    g_string_append (s, " (code)"); /* the last maps are the code */
  return g_string_free (s, FALSE);
}

/* 12345 -> "12,345": the class reads counts from across the room. */
static void
append_count (GString *s, long n)
{
  char digits[32];
  int len = g_snprintf (digits, sizeof digits, "%ld", n);

  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0 && digits[i - 1] != '-')
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
}

char *
lab_session_dup_split_text (LabSession *self)
{
  GString *s;

  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);

  s = g_string_new (NULL);
  if (self->dataset == NULL)
    return g_string_free (s, FALSE);
  /* no-break spaces keep each count with its name when the line wraps */
  append_count (s, self->dataset->n_train);
  g_string_append (s, "\u00a0train · ");
  append_count (s, self->dataset->n_val);
  g_string_append (s, "\u00a0val · ");
  append_count (s, self->dataset->n_test);
  g_string_append (s, "\u00a0test");
  return g_string_free (s, FALSE);
}
