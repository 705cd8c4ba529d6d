/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-snapshot.c: the immutable, reference-counted state handed to the UI. */
#include <math.h>
#include <string.h>

#include "lab-session-private.h"

/* The public struct comes first so that a LabSnapshot * is a LabSnapshotOwned *. */
typedef struct {
  LabSnapshot pub;
  char *message, *dataset, *preset;
  char **class_names;
  double *series[2][LAB_N_LOSS_TERMS]; /* x then y in one block per curve */
  GBytes *preview[3];                  /* clean, input, output: shared between snapshots */
  GBytes *codes[4];                    /* codes, logvar, labels, indices */
  GBytes *factor_share;
  const char **factor_titles;
} LabSnapshotOwned;

G_DEFINE_BOXED_TYPE (LabSnapshot, lab_snapshot, lab_snapshot_ref, lab_snapshot_unref)

static const void *
bytes_data (GBytes *bytes)
{
  return bytes != NULL ? g_bytes_get_data (bytes, NULL) : NULL;
}

static void
lab_snapshot_clear (gpointer data)
{
  LabSnapshotOwned *self = data;

  g_free (self->message);
  g_free (self->dataset);
  g_free (self->preset);
  g_strfreev (self->class_names);
  for (guint s = 0; s < 2; s++)
    for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
      g_free (self->series[s][t]);
  for (guint i = 0; i < G_N_ELEMENTS (self->preview); i++)
    g_clear_pointer (&self->preview[i], g_bytes_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->codes); i++)
    g_clear_pointer (&self->codes[i], g_bytes_unref);
  g_clear_pointer (&self->factor_share, g_bytes_unref);
  g_free (self->factor_titles);
  g_clear_pointer (&self->pub.weights, lab_weights_unref);
}

LabSnapshot *
_lab_snapshot_new (void)
{
  LabSnapshotOwned *self = g_atomic_rc_box_new0 (LabSnapshotOwned);

  self->pub.message = "";
  self->pub.dataset = "";
  self->pub.preset = "";
  return &self->pub;
}

LabSnapshot *
lab_snapshot_ref (LabSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
lab_snapshot_unref (LabSnapshot *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, lab_snapshot_clear);
}

void
_lab_snapshot_take_strings (LabSnapshot *pub, char *message, char *dataset, char *preset,
                            char **class_names)
{
  LabSnapshotOwned *self = (LabSnapshotOwned *) pub;

  g_assert (self->message == NULL && self->dataset == NULL && self->preset == NULL);

  self->message = message;
  self->dataset = dataset;
  self->preset = preset;
  self->class_names = class_names;
  pub->message = message != NULL ? message : "";
  pub->dataset = dataset != NULL ? dataset : "";
  pub->preset = preset != NULL ? preset : "";
  pub->class_names = (const char *const *) class_names;
}

void
_lab_snapshot_set_series (LabSnapshot *pub, LabLossTerm term, gboolean val, const double *x,
                          const double *y, guint n)
{
  LabSnapshotOwned *self = (LabSnapshotOwned *) pub;
  LabCurve *series = val ? &pub->val[term] : &pub->train[term];
  double *block;

  g_assert (term < LAB_N_LOSS_TERMS);
  g_assert (self->series[val][term] == NULL);

  if (n == 0)
    return;

  block = g_new (double, 2 * (gsize) n);
  memcpy (block, x, n * sizeof *x);
  memcpy (block + n, y, n * sizeof *y);
  self->series[val][term] = block;
  series->n = n;
  series->x = block;
  series->y = block + n;
}

void
_lab_snapshot_set_preview (LabSnapshot *pub, GBytes *clean, GBytes *input, GBytes *output)
{
  LabSnapshotOwned *self = (LabSnapshotOwned *) pub;

  self->preview[0] = clean != NULL ? g_bytes_ref (clean) : NULL;
  self->preview[1] = input != NULL ? g_bytes_ref (input) : NULL;
  self->preview[2] = output != NULL ? g_bytes_ref (output) : NULL;
  pub->preview_clean = bytes_data (self->preview[0]);
  pub->preview_input = bytes_data (self->preview[1]);
  pub->preview_output = bytes_data (self->preview[2]);
}

void
_lab_snapshot_set_codes (LabSnapshot *pub, GBytes *codes, GBytes *logvar, GBytes *labels,
                         GBytes *indices)
{
  LabSnapshotOwned *self = (LabSnapshotOwned *) pub;
  GBytes *in[4] = { codes, logvar, labels, indices };

  for (guint i = 0; i < 4; i++)
    self->codes[i] = in[i] != NULL ? g_bytes_ref (in[i]) : NULL;
  pub->codes = bytes_data (self->codes[0]);
  pub->code_logvar = bytes_data (self->codes[1]);
  pub->code_labels = bytes_data (self->codes[2]);
  pub->code_indices = bytes_data (self->codes[3]);
}

void
_lab_snapshot_set_factors (LabSnapshot *pub, GBytes *share, int n_factors, const char *const *titles)
{
  LabSnapshotOwned *self = (LabSnapshotOwned *) pub;

  g_assert (self->factor_share == NULL);
  if (share == NULL || n_factors <= 0
      || g_bytes_get_size (share) != (gsize) pub->latent * n_factors * sizeof (float))
    return;
  self->factor_share = g_bytes_ref (share);
  self->factor_titles = g_new (const char *, n_factors);
  memcpy (self->factor_titles, titles, n_factors * sizeof *titles);
  pub->n_factors = n_factors;
  pub->code_factor_share = bytes_data (share);
  pub->factor_titles = self->factor_titles;
}

const char *
lab_snapshot_class_name (const LabSnapshot *self, int label)
{
  g_return_val_if_fail (self != NULL, NULL);
  return label >= 0 && label < self->n_classes && self->class_names != NULL
         ? self->class_names[label] : NULL;
}

const char *
lab_snapshot_dimension_factor (const LabSnapshot *self, int dimension, double *share)
{
  int best = -1;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->code_factor_share == NULL || dimension < 0 || dimension >= self->latent)
    return NULL;
  for (int k = 0; k < self->n_factors; k++)
    if (best < 0 || self->code_factor_share[(gsize) dimension * self->n_factors + k]
                      > self->code_factor_share[(gsize) dimension * self->n_factors + best])
      best = k;
  if (share != NULL)
    *share = self->code_factor_share[(gsize) dimension * self->n_factors + best];
  return self->factor_titles[best];
}

gboolean
lab_snapshot_has_history (const LabSnapshot *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
    if (self->train[t].n > 0 || self->val[t].n > 0)
      return TRUE;
  return FALSE;
}

double
lab_snapshot_last_value (const LabSnapshot *self, LabLossTerm term, gboolean val)
{
  const LabCurve *series;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (term < LAB_N_LOSS_TERMS, NAN);

  series = val ? &self->val[term] : &self->train[term];
  return series->n > 0 ? series->y[series->n - 1] : NAN;
}

const char *
lab_loss_term_name (LabLossTerm term)
{
  static const char *const names[LAB_N_LOSS_TERMS] = {
    [LAB_LOSS_TOTAL] = "total",
    [LAB_LOSS_RECONSTRUCTION] = "reconstruction",
    [LAB_LOSS_SPARSITY] = "sparsity",
    [LAB_LOSS_CONTRACTIVE] = "contractive",
    [LAB_LOSS_KL] = "KL",
  };

  g_return_val_if_fail (term < LAB_N_LOSS_TERMS, "");
  return names[term];
}

LabLossTerm
lab_snapshot_objective_term (const LabSnapshot *self)
{
  g_return_val_if_fail (self != NULL, LAB_LOSS_RECONSTRUCTION);
  return (self->terms & (1u << LAB_LOSS_TOTAL)) != 0 ? LAB_LOSS_TOTAL : LAB_LOSS_RECONSTRUCTION;
}
