/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-pending.c: the trainer's reports merged into one pending delivery, under the
 * session's lock (see lab-session.c). */
#include <math.h>
#include <string.h>

#include "lab-session-struct.h"

void
lab_pending_clear (LabPending *pending)
{
  for (guint i = 0; i < G_N_ELEMENTS (pending->preview); i++)
    g_clear_pointer (&pending->preview[i], g_bytes_unref);
  for (guint i = 0; i < G_N_ELEMENTS (pending->codes); i++)
    g_clear_pointer (&pending->codes[i], g_bytes_unref);
  g_clear_pointer (&pending->weights, lab_weights_unref);
  g_clear_pointer (&pending->points, g_array_unref);
  memset (pending, 0, sizeof *pending);
}

static GBytes *
bytes_copy (const void *data, gsize size)
{
  return data != NULL && size > 0 ? g_bytes_new (data, size) : NULL;
}

static void
replace_bytes (GBytes **slot, GBytes *bytes)
{
  if (bytes == NULL)
    return;
  g_clear_pointer (slot, g_bytes_unref);
  *slot = bytes;
}

/* A divergence or the end of training outlives the PAUSED report that follows it; only a
 * reset or a new batch clears it. */
static LabTrainingState
merge_state (LabTrainingState old, AeReportKind kind)
{
  switch (kind)
    {
    case AE_REPORT_PROGRESS:
    case AE_REPORT_EPOCH:
      return LAB_TRAINING_RUNNING;
    case AE_REPORT_PAUSED:
      return old == LAB_TRAINING_DIVERGED || old == LAB_TRAINING_FINISHED ? old : LAB_TRAINING_IDLE;
    case AE_REPORT_FINISHED:
      return LAB_TRAINING_FINISHED;
    case AE_REPORT_DIVERGED:
      return LAB_TRAINING_DIVERGED;
    case AE_REPORT_RESET:
    default:
      return LAB_TRAINING_IDLE;
    }
}

static void
lab_pending_add_point (LabPending *pending, gboolean val, double x, const AeLossTerms *terms)
{
  LabPoint point = { val, x, *terms };

  if (pending->points == NULL)
    pending->points = g_array_new (FALSE, FALSE, sizeof (LabPoint));
  g_array_append_val (pending->points, point);
}

/* Copies what the window needs out of a report; the report itself is freed at once. */
static void
terms_scale (AeLossTerms *out, const AeLossTerms *a, double scale)
{
  out->total = a->total * scale;
  out->reconstruction = a->reconstruction * scale;
  out->sparsity = a->sparsity * scale;
  out->contractive = a->contractive * scale;
  out->kl = a->kl * scale;
}

/* Adds a train point for the batches since the cursor when there are enough of them (about
 * twenty points an epoch), the epoch ended, or training paused (a single Step shows). */
static void
lab_pending_add_train (LabPending *pending, LabTrainCursor *cursor, const AeReport *report,
                       gboolean epoch_end, gboolean force, int batch_size, long n_train)
{
  long bpe = report->batches_per_epoch;
  long batch = epoch_end ? MAX (report->batch, bpe) : report->batch;
  long min_batches = MAX (1, bpe / 20);
  /* the trainer's means are per sample and the last batch of an epoch may be short */
  double samples = epoch_end || batch >= bpe ? (double) n_train
                                             : MIN ((double) batch * batch_size, (double) n_train);
  double m;
  AeLossTerms sum, mean;
  long n;

  if (bpe <= 0 || batch <= 0)
    return;
  if (report->epoch != cursor->epoch || batch < cursor->batch)
    {
      memset (cursor, 0, sizeof *cursor);
      cursor->epoch = report->epoch;
    }
  n = batch - cursor->batch;
  if (n <= 0 || (n < min_batches && !epoch_end && !force))
    return;

  m = samples - cursor->samples;
  if (!(m > 0))
    return;
  terms_scale (&sum, &report->train, samples - cursor->base);
  mean.total = (sum.total - cursor->sum.total) / m;
  mean.reconstruction = (sum.reconstruction - cursor->sum.reconstruction) / m;
  mean.sparsity = (sum.sparsity - cursor->sum.sparsity) / m;
  mean.contractive = (sum.contractive - cursor->sum.contractive) / m;
  mean.kl = (sum.kl - cursor->sum.kl) / m;
  lab_pending_add_point (pending, FALSE, report->epoch + (double) batch / bpe, &mean);

  cursor->batch = batch;
  cursor->samples = samples;
  cursor->sum = sum;
}

void
lab_pending_merge (LabPending *pending, LabTrainCursor *cursor, int batch_size, long n_train,
                   AeReport *report)
{
  size_t preview_size = (size_t) report->n_preview * (size_t) report->dim * sizeof (float);
  size_t codes_size = (size_t) report->n_codes * (size_t) report->latent * sizeof (float);
  AeModel *weights;

  switch (report->kind)
    {
    case AE_REPORT_PROGRESS:
      lab_pending_add_train (pending, cursor, report, FALSE, FALSE, batch_size, n_train);
      break;
    case AE_REPORT_PAUSED:
      lab_pending_add_train (pending, cursor, report, FALSE, TRUE, batch_size, n_train);
      break;
    case AE_REPORT_EPOCH:
      lab_pending_add_train (pending, cursor, report, TRUE, FALSE, batch_size, n_train);
      if (report->has_val)
        lab_pending_add_point (pending, TRUE, report->epoch + 1, &report->val);
      break;
    case AE_REPORT_RESET:
      if (report->has_val)
        lab_pending_add_point (pending, TRUE, 0, &report->val);
      break;
    case AE_REPORT_FINISHED:
    case AE_REPORT_DIVERGED:
    default:
      break;
    }

  pending->has_report = TRUE;
  pending->kind = report->kind;
  pending->serial = report->serial;
  pending->epoch = report->epoch;
  pending->batch = report->batch;
  pending->batches_per_epoch = report->batches_per_epoch;
  pending->steps = report->steps;
  pending->elapsed_s = report->elapsed_s;
  pending->samples_per_s = report->samples_per_s;

  if (report->n_preview > 0 && report->preview_output != NULL)
    {
      pending->n_preview = report->n_preview;
      pending->dim = report->dim;
      replace_bytes (&pending->preview[0], bytes_copy (report->preview_clean, preview_size));
      replace_bytes (&pending->preview[1], bytes_copy (report->preview_input, preview_size));
      replace_bytes (&pending->preview[2], bytes_copy (report->preview_output, preview_size));
    }

  if (report->n_codes > 0 && report->codes != NULL)
    {
      pending->n_codes = report->n_codes;
      pending->latent = report->latent;
      /* logvar, labels and indices travel with their codes, absent ones included */
      for (guint i = 0; i < G_N_ELEMENTS (pending->codes); i++)
        g_clear_pointer (&pending->codes[i], g_bytes_unref);
      pending->codes[0] = bytes_copy (report->codes, codes_size);
      pending->codes[1] = bytes_copy (report->code_logvar, codes_size);
      pending->codes[2] = bytes_copy (report->code_labels, (size_t) report->n_codes * sizeof (int));
      pending->codes[3] = bytes_copy (report->code_indices,
                                      (size_t) report->n_codes * sizeof (uint32_t));
      pending->codes[4] = bytes_copy (report->code_factor_share,
                                      (size_t) report->latent * report->n_factors * sizeof (float));
    }

  if ((weights = ae_report_steal_weights (report)) != NULL)
    {
      g_clear_pointer (&pending->weights, lab_weights_unref);
      pending->weights = _lab_weights_new_take (weights);
    }

  if (report->kind == AE_REPORT_DIVERGED || report->kind == AE_REPORT_FINISHED)
    g_strlcpy (pending->message, report->message, sizeof pending->message);
  pending->state = merge_state (pending->has_state ? pending->state : LAB_TRAINING_IDLE, report->kind);
  pending->has_state = TRUE;
}
