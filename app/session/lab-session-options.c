/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-options.c: the session's options by name (the command line's), the normal
 * classes of anomaly detection, presets, and the choices the pickers offer. */
#include <math.h>
#include <string.h>

#include "lab-session-struct.h"

static char *
format_float (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

static char *
config_dup_option (const AeConfig *c, const char *key)
{
  if (strcmp (key, "latent") == 0)
    return g_strdup_printf ("%d", c->latent);
  if (strcmp (key, "hidden") == 0)
    {
      GString *s = g_string_new (NULL);

      for (int i = 0; i < c->n_hidden; i++)
        g_string_append_printf (s, "%s%d", i > 0 ? "," : "", c->hidden[i]);
      return g_string_free (s, FALSE);
    }
  if (strcmp (key, "epochs") == 0)
    return g_strdup_printf ("%d", c->epochs);
  if (strcmp (key, "batch") == 0)
    return g_strdup_printf ("%d", c->batch);
  if (strcmp (key, "seed") == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) c->seed);
  if (strcmp (key, "lr") == 0)
    return format_float (c->lr);
  if (strcmp (key, "l1") == 0)
    return format_float (c->l1_code);
  if (strcmp (key, "rho") == 0)
    return format_float (c->rho);
  if (strcmp (key, "beta") == 0)
    return format_float (c->kl_sparsity);
  if (strcmp (key, "contractive") == 0)
    return format_float (c->contractive);
  if (strcmp (key, "kl-beta") == 0)
    return format_float (c->kl_beta);
  if (strcmp (key, "warmup") == 0)
    return g_strdup_printf ("%d", c->kl_warmup);
  if (strcmp (key, "variational") == 0)
    return g_strdup_printf ("%d", c->variational);
  if (strcmp (key, "activation") == 0)
    return g_strdup (ae_activation_name (c->activation));
  if (strcmp (key, "optimizer") == 0)
    return g_strdup (c->optimizer == AE_OPT_SGD ? "sgd" : "adam");
  if (strcmp (key, "noise") == 0)
    {
      g_autofree char *level = format_float (c->noise_level);

      if (c->noise == AE_NOISE_NONE)
        return g_strdup ("none");
      return g_strdup_printf ("%s:%s", ae_noise_name (c->noise), level);
    }
  return NULL;
}

/* "0,3,7": the normal classes, or "" when every class is trained on. */
static char *
lab_session_dup_normal (LabSession *self)
{
  GString *s = g_string_new (NULL);

  for (int c = 0; self->normal != NULL && c < self->dataset->n_classes; c++)
    if (self->normal[c])
      g_string_append_printf (s, "%s%d", s->len > 0 ? "," : "", c);
  return g_string_free (s, FALSE);
}

/* Puts the dataset's own split back, then filters training and validation to the normal
 * classes; the test split stays whole. The trainer must be stopped. */
static gboolean
lab_session_apply_normal (LabSession *self, GError **error)
{
  AeDataset *ds = self->dataset;
  AeError err = { 0 };

  if (self->full_order != NULL)
    {
      memcpy (ds->order, self->full_order, (size_t) ds->n * sizeof *ds->order);
      ds->n_train = self->full_n_train;
      ds->n_val = self->full_n_val;
    }
  if (self->normal == NULL)
    return TRUE;
  if (self->full_order == NULL)
    {
      self->full_order = g_memdup2 (ds->order, (size_t) ds->n * sizeof *ds->order);
      self->full_n_train = ds->n_train;
      self->full_n_val = ds->n_val;
    }
  if (ae_dataset_keep_classes (ds, self->normal, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  return TRUE;
}

/* value: class indices separated by commas, or "" / "all" for every class. Rebuilds the
 * trainer (a reset): the model learns what the normal classes look like. */
gboolean
lab_session_set_normal (LabSession *self, const char *value, GError **error)
{
  const AeDataset *ds = self->dataset;
  g_autofree guint8 *normal = NULL;
  g_auto (GStrv) parts = NULL;
  LabLoadJob job = { 0 };
  long n_train = 0;
  const uint32_t *train;
  long full_n_train;

  if (ds == NULL || ds->labels == NULL || ds->n_classes < 2)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_INVALID,
                   "normal classes: %s has no classes to choose from",
                   ds != NULL ? ds->name : "no dataset");
      return FALSE;
    }
  if (value[0] != '\0' && strcmp (value, "all") != 0)
    {
      normal = g_new0 (guint8, ds->n_classes);
      parts = g_strsplit (value, ",", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          guint64 c;

          if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 0, (guint64) ds->n_classes - 1,
                                           &c, NULL))
            {
              g_set_error (error, LAB_SESSION_ERROR, AE_ERR_INVALID,
                           "normal classes '%s': '%s' is not a class from 0 to %d of %s", value,
                           parts[i], ds->n_classes - 1, ds->name);
              return FALSE;
            }
          normal[c] = TRUE;
        }
      full_n_train = self->full_order != NULL ? self->full_n_train : ds->n_train;
      train = self->full_order != NULL ? self->full_order : ae_dataset_train (ds);
      for (long i = 0; i < full_n_train; i++)
        n_train += normal[ds->labels[train[i]]];
      if (n_train < 1)
        {
          g_set_error (error, LAB_SESSION_ERROR, AE_ERR_INVALID,
                       "normal classes '%s': no training sample of %s is of those classes", value,
                       ds->name);
          return FALSE;
        }
    }
  lab_session_stop_trainer (self);
  g_free (self->normal);
  self->normal = g_steal_pointer (&normal);
  if (!lab_session_apply_normal (self, error))
    return FALSE;
  job.config = self->config;
  return lab_session_install (self, &job, error);
}

char *
lab_session_dup_option (LabSession *self, const char *key)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (strcmp (key, "normal") == 0)
    return lab_session_dup_normal (self);
  return config_dup_option (&self->config, key);
}

/* The configuration with key=value applied and fitted, or FALSE with err set. */
gboolean
lab_session_config_with (LabSession *self, AeConfig *out, const char *key, const char *value,
                         AeError *err)
{
  *out = self->config;
  if (ae_config_set (out, key, value, err) != AE_OK)
    return FALSE;
  if (self->dataset != NULL && ae_config_fit_data (out, self->dataset, err) != AE_OK)
    return FALSE;
  return ae_config_validate (out, err) == AE_OK;
}

gboolean
lab_session_option_is_live (LabSession *self, const char *key, const char *value)
{
  AeConfig config;
  AeError err = { 0 };

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  return lab_session_config_with (self, &config, key, value, &err)
         && ae_config_is_live_change (&self->config, &config);
}

gboolean
lab_session_set_preset (LabSession *self, const char *preset, GError **error)
{
  AeConfig config;
  AeError err = { 0 };
  LabLoadJob job = { 0 };

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (preset != NULL, FALSE);

  if (self->dataset == NULL)
    return lab_session_load (self, "digits", preset, error);

  if (!config_for_data (&config, preset, NULL, 0, self->dataset, &err))
    {
      /* a sequence preset needs time series, an image preset images */
      const AePreset *found = ae_preset_find (preset);
      const char *own = found != NULL ? found->dataset : "digits";

      if (g_strcmp0 (self->dataset_spec, own) == 0)
        {
          _lab_set_error_from_ae (error, &err);
          return FALSE;
        }
      return lab_session_load (self, own, preset, error);
    }

  job.config = config;
  return lab_session_install (self, &job, error);
}

const char *const *
lab_session_list_activations (void)
{
  static const char *names[AE_ACT_SIGMOID + 2];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      for (int a = AE_ACT_IDENTITY; a <= AE_ACT_SIGMOID; a++)
        names[a] = ae_activation_name (a);
      g_once_init_leave (&initialised, 1);
    }
  return names;
}

const char *const *
lab_session_list_noise_kinds (void)
{
  static const char *names[AE_NOISE_MIXED + 2];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      for (int n = AE_NOISE_NONE; n <= AE_NOISE_MIXED; n++)
        names[n] = ae_noise_name (n);
      g_once_init_leave (&initialised, 1);
    }
  return names;
}
