/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session.c: the engine's trainer thread seen from the main loop.
 *
 * The trainer calls lab_session_on_report on its own thread. The report is copied into a
 * pending delivery under `lock` and an idle source is added only when none is pending, so a
 * burst of reports becomes one snapshot per main-loop pass (as Sysprof's loader does). The
 * idle turns the pending delivery into an immutable LabSnapshot and emits "snapshot".
 * Deliveries carry the generation they were made in; a reset, a new dataset or a new
 * architecture bumps the generation and anything older is dropped.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "lab-background.h"
#include "lab-memory.h"
#include "ae-dataset.h"
#include "ae-model.h"
#include "ae-trainer.h"

#include "lab-session-struct.h"

/* Loss history kept per curve; older points are thinned by two beyond this. */
#define LAB_HISTORY_MAX 4096
/* The trainer's niceness above the window's: the main thread only draws and dispatches, so
 * it takes little, and takes it at once; the trainer has every core the rest of the time.
 * Background jobs (lab-background.c) run nicer still. */
#define LAB_TRAINER_NICE 10

G_DEFINE_FINAL_TYPE (LabSession, lab_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_LOADING,
  PROP_GENERATION,
  PROP_EPOCH,
  PROP_EPOCHS,
  PROP_BATCH,
  PROP_BATCHES_PER_EPOCH,
  PROP_STEPS,
  PROP_SAMPLES_PER_S,
  PROP_ELAPSED,
  PROP_DATASET_NAME,
  PROP_PRESET,
  PROP_SNAPSHOT,
  N_PROPS
};

enum {
  SNAPSHOT,
  OPTIONS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];


void
_lab_set_error_from_ae (GError **error, const AeError *err)
{
  g_set_error_literal (error, LAB_SESSION_ERROR, err->status != AE_OK ? (int) err->status : AE_ERR_INVALID,
                       err->message[0] != '\0' ? err->message : ae_status_name (err->status));
}

/* --- pending deliveries (under lock) ---------------------------------------------------- */

static gboolean lab_session_deliver (gpointer data);
static void     lab_session_issue (LabSession *self, LabCommand command);

/* Trainer thread. */
static void
lab_session_on_report (AeReport *report, void *user_data)
{
  LabSession *self = user_data;

  pthread_mutex_lock (&self->lock);

  if (report->kind == AE_REPORT_RESET)
    {
      self->awaiting_reset = FALSE;
      lab_pending_clear (&self->pending);
      memset (&self->cursor, 0, sizeof self->cursor);
    }

  if (!self->awaiting_reset)
    {
      lab_pending_merge (&self->pending, &self->cursor, self->train_batch_size, self->n_train,
                         report);

      if (self->idle == NULL)
        {
          self->idle = g_idle_source_new ();
          g_source_set_priority (self->idle, G_PRIORITY_DEFAULT_IDLE);
          g_source_set_callback (self->idle, lab_session_deliver, self, NULL);
          g_source_set_static_name (self->idle, "[latentlab] session delivery");
          g_source_attach (self->idle, self->context);
        }
    }

  pthread_mutex_unlock (&self->lock);

  ae_report_free (report);
}

/* --- main thread ------------------------------------------------------------------------ */

static guint
config_terms (const AeConfig *config)
{
  guint terms = 1u << LAB_LOSS_RECONSTRUCTION;
  guint n = 1;

  if (config->l1_code > 0 || config->kl_sparsity > 0)
    terms |= 1u << LAB_LOSS_SPARSITY, n++;
  if (config->contractive > 0)
    terms |= 1u << LAB_LOSS_CONTRACTIVE, n++;
  if (config->variational)
    terms |= 1u << LAB_LOSS_KL, n++;
  if (n > 1)
    terms |= 1u << LAB_LOSS_TOTAL;
  return terms;
}

static double
term_value (const AeLossTerms *terms, LabLossTerm term)
{
  switch (term)
    {
    case LAB_LOSS_TOTAL: return terms->total;
    case LAB_LOSS_RECONSTRUCTION: return terms->reconstruction;
    case LAB_LOSS_SPARSITY: return terms->sparsity;
    case LAB_LOSS_CONTRACTIVE: return terms->contractive;
    case LAB_LOSS_KL: return terms->kl;
    case LAB_N_LOSS_TERMS:
    default:
      g_assert_not_reached ();
    }
}

/* Keeps every other point once a curve is long, so that a snapshot stays cheap to copy
 * and an hour of training still shows its whole history. */
static void
history_thin (GArray *xs, GArray *ys)
{
  guint n = xs->len;
  guint kept = 0;

  for (guint i = 0; i < n; i += 2, kept++)
    {
      g_array_index (xs, double, kept) = g_array_index (xs, double, i);
      g_array_index (ys, double, kept) = g_array_index (ys, double, i);
    }
  /* the newest point stays, whatever the parity */
  g_array_index (xs, double, kept - 1) = g_array_index (xs, double, n - 1);
  g_array_index (ys, double, kept - 1) = g_array_index (ys, double, n - 1);
  g_array_set_size (xs, kept);
  g_array_set_size (ys, kept);
}

static void
lab_session_history_add (LabSession *self, const LabPoint *point)
{
  for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
    {
      GArray *xs = self->history_x[point->val][t];
      GArray *ys = self->history_y[point->val][t];
      double y = term_value (&point->terms, t);

      /* plots never see NaN or infinity */
      if (!isfinite (y) || !isfinite (point->x))
        continue;
      g_array_append_val (xs, point->x);
      g_array_append_val (ys, y);
      if (xs->len > LAB_HISTORY_MAX)
        history_thin (xs, ys);
    }
}

static void
lab_session_history_clear (LabSession *self)
{
  for (guint s = 0; s < 2; s++)
    for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
      {
        g_array_set_size (self->history_x[s][t], 0);
        g_array_set_size (self->history_y[s][t], 0);
      }
}

const char *
dataset_display_name (const AeDataset *ds)
{
  const AeBuiltinDataset *builtin = ds != NULL ? ae_builtin_dataset_find (ds->name) : NULL;

  if (ds == NULL)
    return "";
  return builtin != NULL ? builtin->title : ds->name;
}

void
lab_session_publish (LabSession *self)
{
  LabSnapshot *snapshot = _lab_snapshot_new ();
  char **class_names = NULL;

  snapshot->generation = self->generation;
  snapshot->serial = self->serial;
  snapshot->state = self->state;
  snapshot->epoch = self->epoch;
  snapshot->epochs = self->config.epochs;
  snapshot->batch = self->batch;
  snapshot->batches_per_epoch = self->batches_per_epoch;
  snapshot->steps = self->steps;
  snapshot->elapsed_s = self->elapsed_s;
  snapshot->samples_per_s = self->samples_per_s;
  snapshot->terms = config_terms (&self->config);
  snapshot->variational = self->config.variational != 0;

  for (guint s = 0; s < 2; s++)
    for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
      if (snapshot->terms & (1u << t))
        _lab_snapshot_set_series (snapshot, t, s == 1,
                                  (const double *) self->history_x[s][t]->data,
                                  (const double *) self->history_y[s][t]->data,
                                  self->history_x[s][t]->len);

  if (self->dataset != NULL)
    {
      snapshot->channels = self->dataset->channels;
      snapshot->height = self->dataset->height;
      snapshot->width = self->dataset->width;
      snapshot->dim = self->dataset->dim;
      snapshot->is_image = self->dataset->kind == AE_DATA_IMAGES;
      snapshot->n_classes = self->dataset->n_classes;
      if (self->dataset->class_names != NULL)
        {
          class_names = g_new0 (char *, self->dataset->n_classes + 1);
          for (int i = 0; i < self->dataset->n_classes; i++)
            class_names[i] = g_strdup (self->dataset->class_names[i]);
        }
    }

  if (self->preview[2] != NULL)
    {
      snapshot->n_preview = self->n_preview;
      _lab_snapshot_set_preview (snapshot, self->preview[0], self->preview[1], self->preview[2]);
    }
  if (self->codes[0] != NULL)
    {
      snapshot->n_codes = self->n_codes;
      snapshot->latent = self->latent;
      _lab_snapshot_set_codes (snapshot, self->codes[0], self->codes[1], self->codes[2],
                               self->codes[3]);
      if (self->dataset != NULL && self->dataset->factors != NULL)
        {
          const char *titles[16];
          int n_factors = MIN (self->dataset->n_factors, (int) G_N_ELEMENTS (titles));

          for (int k = 0; k < n_factors; k++)
            titles[k] = self->dataset->factor_info[k].title;
          _lab_snapshot_set_factors (snapshot, self->codes[4], n_factors, titles);
        }
    }
  else
    snapshot->latent = self->config.latent;
  if (self->weights != NULL)
    snapshot->weights = lab_weights_ref (self->weights);

  _lab_snapshot_take_strings (snapshot, g_strdup (self->message),
                              g_strdup (dataset_display_name (self->dataset)),
                              g_strdup (self->config.preset), class_names);

  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  self->snapshot = snapshot;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNAPSHOT]);
  g_signal_emit (self, signals[SNAPSHOT], 0, snapshot);
}

static void
lab_session_set_running (LabSession *self, gboolean running)
{
  running = !!running;
  if (self->running != running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
}

#define SET_AND_NOTIFY(field, value, prop)                                   \
  G_STMT_START {                                                             \
    if (self->field != (value))                                              \
      {                                                                      \
        self->field = (value);                                               \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);        \
      }                                                                      \
  } G_STMT_END

static void
lab_session_set_progress (LabSession *self, int epoch, long batch, long batches_per_epoch,
                          long steps, double elapsed_s, double samples_per_s)
{
  g_object_freeze_notify (G_OBJECT (self));
  SET_AND_NOTIFY (epoch, epoch, PROP_EPOCH);
  SET_AND_NOTIFY (batch, batch, PROP_BATCH);
  SET_AND_NOTIFY (batches_per_epoch, batches_per_epoch, PROP_BATCHES_PER_EPOCH);
  SET_AND_NOTIFY (steps, steps, PROP_STEPS);
  SET_AND_NOTIFY (elapsed_s, elapsed_s, PROP_ELAPSED);
  SET_AND_NOTIFY (samples_per_s, samples_per_s, PROP_SAMPLES_PER_S);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
lab_session_keep_weights (LabSession *self, LabWeights *weights)
{
  LabWeights **slot = &self->kept_weights[lab_weights_is_variational (weights) ? 1 : 0];

  g_clear_pointer (slot, lab_weights_unref);
  *slot = lab_weights_ref (weights);
}

static gboolean
lab_session_deliver (gpointer data)
{
  LabSession *self = data;
  LabPending pending;
  LabCommand deferred = LAB_COMMAND_NONE;
  guint generation;

  pthread_mutex_lock (&self->lock);
  pending = self->pending;
  memset (&self->pending, 0, sizeof self->pending);
  generation = self->pending_generation;
  g_clear_pointer (&self->idle, g_source_unref);
  if (!self->awaiting_reset)
    {
      deferred = self->deferred;
      self->deferred = LAB_COMMAND_NONE;
    }
  pthread_mutex_unlock (&self->lock);

  if (deferred != LAB_COMMAND_NONE && self->trainer != NULL)
    lab_session_issue (self, deferred);

  if (generation != self->generation || !pending.has_report)
    {
      lab_pending_clear (&pending);
      return G_SOURCE_REMOVE;
    }

  g_object_freeze_notify (G_OBJECT (self));

  if (pending.points != NULL)
    for (guint i = 0; i < pending.points->len; i++)
      lab_session_history_add (self, &g_array_index (pending.points, LabPoint, i));

  self->serial = pending.serial;
  lab_session_set_progress (self, pending.epoch, pending.batch, pending.batches_per_epoch,
                            pending.steps, pending.elapsed_s, pending.samples_per_s);

  if (pending.preview[2] != NULL)
    {
      self->n_preview = pending.n_preview;
      for (guint i = 0; i < G_N_ELEMENTS (self->preview); i++)
        {
          g_clear_pointer (&self->preview[i], g_bytes_unref);
          self->preview[i] = g_steal_pointer (&pending.preview[i]);
        }
    }
  if (pending.codes[0] != NULL)
    {
      self->n_codes = pending.n_codes;
      self->latent = pending.latent;
      for (guint i = 0; i < G_N_ELEMENTS (self->codes); i++)
        {
          g_clear_pointer (&self->codes[i], g_bytes_unref);
          self->codes[i] = g_steal_pointer (&pending.codes[i]);
        }
    }
  if (pending.weights != NULL)
    {
      g_clear_pointer (&self->weights, lab_weights_unref);
      self->weights = g_steal_pointer (&pending.weights);
      lab_session_keep_weights (self, self->weights);
    }

  if (pending.has_state)
    {
      LabTrainingState state = pending.state;

      if (state == LAB_TRAINING_IDLE && pending.kind == AE_REPORT_PAUSED
          && (self->state == LAB_TRAINING_DIVERGED || self->state == LAB_TRAINING_FINISHED))
        state = self->state;
      if (state != self->state || pending.message[0] != '\0')
        {
          g_free (self->message);
          self->message = g_strdup (state == LAB_TRAINING_DIVERGED || state == LAB_TRAINING_FINISHED
                                    ? pending.message : "");
        }
      self->state = state;

      /* The button shows the user's intent: only a stop that the trainer confirms (and
       * that no later Run overtook) turns it back. */
      if (state != LAB_TRAINING_RUNNING && pending.kind != AE_REPORT_PROGRESS
          && pending.kind != AE_REPORT_EPOCH)
        lab_session_set_running (self, self->trainer != NULL && ae_trainer_is_running (self->trainer));
    }

  lab_pending_clear (&pending);
  lab_session_publish (self);

  g_object_thaw_notify (G_OBJECT (self));

  return G_SOURCE_REMOVE;
}

/* Starts a new generation: whatever is in flight is dropped, the history and pictures are
 * cleared. awaiting_reset also drops reports until the trainer confirms its reset. */
static void
lab_session_new_generation (LabSession *self, gboolean awaiting_reset)
{
  pthread_mutex_lock (&self->lock);
  self->generation++;
  self->pending_generation = self->generation;
  self->awaiting_reset = awaiting_reset;
  self->deferred = LAB_COMMAND_NONE;
  lab_pending_clear (&self->pending);
  memset (&self->cursor, 0, sizeof self->cursor);
  pthread_mutex_unlock (&self->lock);

  lab_session_history_clear (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->preview); i++)
    g_clear_pointer (&self->preview[i], g_bytes_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->codes); i++)
    g_clear_pointer (&self->codes[i], g_bytes_unref);
  self->n_preview = self->n_codes = 0;
  g_clear_pointer (&self->weights, lab_weights_unref);
  g_clear_pointer (&self->message, g_free);
  self->state = LAB_TRAINING_IDLE;
  self->serial = 0;

  g_object_freeze_notify (G_OBJECT (self));
  lab_session_set_running (self, FALSE);
  lab_session_set_progress (self, 0, 0, self->batches_per_epoch, 0, 0, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENERATION]);
  lab_session_publish (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
lab_session_stop_trainer (LabSession *self)
{
  /* joins the thread; it honours the stop within one batch */
  g_clear_pointer (&self->trainer, ae_trainer_free);
}

static gboolean
lab_session_start_trainer (LabSession *self, GError **error)
{
  AeTrainerOptions opts;
  AeError err = { 0 };

  g_assert (self->trainer == NULL);
  g_assert (self->dataset != NULL);

  ae_trainer_options_init (&opts);
  opts.data = self->dataset;
  opts.config = self->config;
  opts.report = lab_session_on_report;
  opts.user_data = self;
  opts.nice = LAB_TRAINER_NICE;
  opts.start_weights = g_steal_pointer (&self->resume_weights);
  opts.start_epoch = self->resume_epoch;
  opts.start_batch = self->resume_batch;
  opts.start_steps = self->resume_steps;
  opts.start_elapsed_s = self->resume_elapsed_s;

  /* as the trainer counts them: the last batch may be short */
  self->batches_per_epoch = self->config.batch > 0
                            ? (self->dataset->n_train + self->config.batch - 1) / self->config.batch
                            : 0;
  pthread_mutex_lock (&self->lock);
  self->train_batch_size = self->config.batch;
  self->n_train = self->dataset->n_train;
  pthread_mutex_unlock (&self->lock);
  lab_session_new_generation (self, FALSE);
  if (opts.start_weights != NULL && opts.start_batch > 0 && opts.start_batch < self->batches_per_epoch)
    {
      /* resumed within an epoch: the trainer's means cover the batches from there on */
      pthread_mutex_lock (&self->lock);
      self->cursor.epoch = opts.start_epoch;
      self->cursor.batch = opts.start_batch;
      self->cursor.samples = self->cursor.base = (double) opts.start_batch * self->config.batch;
      pthread_mutex_unlock (&self->lock);
    }

  if (ae_trainer_new (&self->trainer, &opts, &err) != AE_OK)
    {
      self->trainer = NULL;
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  /* the first delivery then carries pictures, codes and weights of the fresh model */
  ae_trainer_request_report (self->trainer);
  return TRUE;
}

/* --- loading ---------------------------------------------------------------------------- */

static void
lab_load_job_free (LabLoadJob *job)
{
  g_free (job->spec);
  g_free (job->preset);
  g_clear_pointer (&job->dataset, ae_dataset_free);
  g_free (job);
}

/* A preset's epochs are counted on the digits (ae_config_preset_epochs): a preset applied to
 * other data, or a configuration whose epochs are still its preset's moved to other data,
 * takes the preset's epochs for that data's training split. */
gboolean
config_for_data (AeConfig *config, const char *preset, const AeConfig *base, long base_n_train,
                 const AeDataset *ds, AeError *err)
{
  if (preset != NULL)
    {
      if (ae_config_preset (config, preset, err) != AE_OK)
        return FALSE;
      config->epochs = ae_config_preset_epochs (preset, ds->n_train);
    }
  else
    {
      *config = *base;
      if (base_n_train > 0 && base->epochs == ae_config_preset_epochs (base->preset, base_n_train))
        config->epochs = ae_config_preset_epochs (base->preset, ds->n_train);
    }

  if (ae_config_fit_data (config, ds, err) != AE_OK)
    return FALSE;
  return ae_config_validate (config, err) == AE_OK;
}

/* Pure engine work: runs in a GTask thread for the async variant. */
static gboolean
lab_load_job_run (LabLoadJob *job, GError **error)
{
  const AeDataset *ds = job->current;
  AeError err = { 0 };

  if (job->spec != NULL)
    {
      uint64_t seed = job->have_data_seed ? job->data_seed : job->have_base ? job->base.seed : 1;

      job->data_seed = seed;

      if (ae_dataset_load (&job->dataset, job->spec, seed, &err) != AE_OK)
        {
          job->dataset = NULL;
          _lab_set_error_from_ae (error, &err);
          return FALSE;
        }
      ds = job->dataset;
    }
  g_assert (ds != NULL);

  if (job->preset == NULL && !job->have_base)
    job->preset = g_strdup (ds->kind == AE_DATA_SEQUENCES ? "sequence" : "undercomplete");

  if (!config_for_data (&job->config, job->preset, &job->base, job->base_n_train, ds, &err))
    {
      /* A configuration made for other data (an image preset on time series, ...) falls
       * back to the default preset for this kind of data. */
      const char *fallback = ds->kind == AE_DATA_SEQUENCES ? "sequence" : "undercomplete";
      AeError err2 = { 0 };

      if (job->preset != NULL || !config_for_data (&job->config, fallback, NULL, 0, ds, &err2))
        {
          _lab_set_error_from_ae (error, &err);
          return FALSE;
        }
    }
  return TRUE;
}

/* Puts a loaded dataset and a configuration in force with a new trainer. When the trainer
 * cannot be made (an architecture the engine lacks), the previous dataset and configuration
 * come back with a trainer of their own, so the window always has a model to train. */
gboolean
lab_session_install (LabSession *self, LabLoadJob *job, GError **error)
{
  AeConfig old_config = self->config;
  AeDataset *old_dataset = NULL;
  char *old_spec = NULL;
  gboolean new_data = job->dataset != NULL;
  gboolean new_preset;

  lab_session_stop_trainer (self);

  if (new_data)
    {
      old_dataset = self->dataset;
      old_spec = self->dataset_spec;
      self->dataset = g_steal_pointer (&job->dataset);
      self->dataset_spec = g_strdup (job->spec);
      self->dataset_seed = job->data_seed;
    }
  self->config = job->config;

  if (!lab_session_start_trainer (self, error))
    {
      if (new_data)
        {
          job->dataset = self->dataset;
          g_free (self->dataset_spec);
          self->dataset = old_dataset;
          self->dataset_spec = old_spec;
        }
      self->config = old_config;
      if (self->dataset != NULL)
        lab_session_start_trainer (self, NULL);
      return FALSE;
    }

  /* freed now, or by the last worker it was lent to (ae_dataset_ref) */
  ae_dataset_free (g_steal_pointer (&old_dataset));
  g_free (old_spec);
  if (new_data)
    {
      /* the filter belonged to the old dataset's classes */
      g_clear_pointer (&self->normal, g_free);
      g_clear_pointer (&self->full_order, g_free);
    }
  if (new_data)
    for (guint i = 0; i < G_N_ELEMENTS (self->kept_weights); i++)
      g_clear_pointer (&self->kept_weights[i], lab_weights_unref);
  /* the old trainer's model and buffers, and perhaps a dataset, are gone */
  lab_memory_release ();
  new_preset = strcmp (old_config.preset, self->config.preset) != 0;
  if (new_data)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATASET_NAME]);
  if (new_preset)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESET]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EPOCHS]);
  g_signal_emit (self, signals[OPTIONS_CHANGED], 0);
  return TRUE;
}

static LabLoadJob *
lab_session_new_job (LabSession *self, const char *dataset, const char *preset)
{
  LabLoadJob *job = g_new0 (LabLoadJob, 1);

  job->spec = g_strdup (dataset);
  job->preset = g_strdup (preset);
  job->have_base = self->dataset != NULL;
  job->base = self->config;
  job->base_n_train = self->dataset != NULL ? self->dataset->n_train : 0;
  return job;
}

gboolean
lab_session_load (LabSession *self, const char *dataset, const char *preset, GError **error)
{
  LabLoadJob *job;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (dataset != NULL || self->dataset != NULL, FALSE);

  job = lab_session_new_job (self, dataset, preset);
  job->current = self->dataset;
  ok = lab_load_job_run (job, error) && lab_session_install (self, job, error);
  lab_load_job_free (job);
  return ok;
}

static void
lab_session_load_thread (GTask *task, gpointer source_object, gpointer task_data,
                         GCancellable *cancellable)
{
  LabLoadJob *job = task_data;
  GError *error = NULL;

  if (lab_load_job_run (job, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lab_session_set_loading (LabSession *self, gboolean loading)
{
  gboolean was = self->loading > 0;

  if (loading)
    self->loading++;
  else
    self->loading--;
  if (was != (self->loading > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

void
lab_session_load_async (LabSession *self, const char *dataset, const char *preset,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LAB_IS_SESSION (self));
  g_return_if_fail (dataset != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_session_load_async);
  g_task_set_task_data (task, lab_session_new_job (self, dataset, preset),
                        (GDestroyNotify) lab_load_job_free);
  lab_session_set_loading (self, TRUE);
  lab_background_run (task, lab_session_load_thread);
}

gboolean
lab_session_load_finish (LabSession *self, GAsyncResult *result, GError **error)
{
  LabLoadJob *job;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  lab_session_set_loading (self, FALSE);
  job = g_task_get_task_data (G_TASK (result));
  ok = g_task_propagate_boolean (G_TASK (result), error) && lab_session_install (self, job, error);
  return ok;
}

gboolean
lab_session_get_loading (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  return self->loading > 0;
}

/* --- commands --------------------------------------------------------------------------- */

/* The trainer takes commands between batches and a reset wins over what arrives with it,
 * so a command given while a reset is still on its way is sent again once the trainer has
 * confirmed the reset. */
static void
lab_session_issue (LabSession *self, LabCommand command)
{
  switch (command)
    {
    case LAB_COMMAND_RUN: ae_trainer_run (self->trainer); break;
    case LAB_COMMAND_PAUSE: ae_trainer_pause (self->trainer); break;
    case LAB_COMMAND_STEP_BATCH: ae_trainer_step_batch (self->trainer); break;
    case LAB_COMMAND_STEP_EPOCH: ae_trainer_step_epoch (self->trainer); break;
    case LAB_COMMAND_NONE:
    default:
      break;
    }
}

static void
lab_session_send (LabSession *self, LabCommand command)
{
  if (self->trainer == NULL)
    return;

  pthread_mutex_lock (&self->lock);
  if (self->awaiting_reset)
    self->deferred = command;
  pthread_mutex_unlock (&self->lock);

  lab_session_issue (self, command);
  lab_session_set_running (self, command == LAB_COMMAND_RUN);
}

void
lab_session_run (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  lab_session_send (self, LAB_COMMAND_RUN);
}

void
lab_session_close (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));

  lab_session_stop_trainer (self);
  lab_session_set_running (self, FALSE);
}

void
lab_session_pause (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  lab_session_send (self, LAB_COMMAND_PAUSE);
}

void
lab_session_toggle_run (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));

  if (self->running)
    lab_session_pause (self);
  else
    lab_session_run (self);
}

void
lab_session_step_batch (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  lab_session_send (self, LAB_COMMAND_STEP_BATCH);
}

void
lab_session_step_epoch (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  lab_session_send (self, LAB_COMMAND_STEP_EPOCH);
}

void
lab_session_reset (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));

  if (self->trainer == NULL)
    return;
  lab_session_new_generation (self, TRUE);
  ae_trainer_reset (self->trainer);
  ae_trainer_request_report (self->trainer);
}

/* --- options ---------------------------------------------------------------------------- */

gboolean
lab_session_set_option (LabSession *self, const char *key, const char *value, GError **error)
{
  AeConfig config;
  AeError err = { 0 };
  LabLoadJob job = { 0 };

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  if (strcmp (key, "normal") == 0)
    return lab_session_set_normal (self, value, error);
  if (!lab_session_config_with (self, &config, key, value, &err))
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }

  if (self->trainer != NULL && ae_config_is_live_change (&self->config, &config))
    {
      if (ae_trainer_set_config (self->trainer, &config, &err) != AE_OK)
        {
          _lab_set_error_from_ae (error, &err);
          return FALSE;
        }
      self->config = config;
      pthread_mutex_lock (&self->lock);
      if (self->train_batch_size != config.batch)
        {
          /* the sums so far were of the old batches: the next point starts afresh */
          self->train_batch_size = config.batch;
          self->cursor.epoch = -1;
        }
      pthread_mutex_unlock (&self->lock);
      g_signal_emit (self, signals[OPTIONS_CHANGED], 0);
      return TRUE;
    }

  if (self->dataset == NULL)
    {
      self->config = config;
      g_signal_emit (self, signals[OPTIONS_CHANGED], 0);
      return TRUE;
    }
  job.config = config;
  return lab_session_install (self, &job, error);
}

/* --- reading ---------------------------------------------------------------------------- */

/* --- GObject ---------------------------------------------------------------------------- */

static void
lab_session_dispose (GObject *object)
{
  LabSession *self = LAB_SESSION (object);

  /* No report can arrive after this: the thread is joined. */
  lab_session_stop_trainer (self);

  pthread_mutex_lock (&self->lock);
  if (self->idle != NULL)
    {
      g_source_destroy (self->idle);
      g_clear_pointer (&self->idle, g_source_unref);
    }
  lab_pending_clear (&self->pending);
  pthread_mutex_unlock (&self->lock);

  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  g_clear_pointer (&self->weights, lab_weights_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->kept_weights); i++)
    g_clear_pointer (&self->kept_weights[i], lab_weights_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->preview); i++)
    g_clear_pointer (&self->preview[i], g_bytes_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->codes); i++)
    g_clear_pointer (&self->codes[i], g_bytes_unref);

  G_OBJECT_CLASS (lab_session_parent_class)->dispose (object);
}

static void
lab_session_finalize (GObject *object)
{
  LabSession *self = LAB_SESSION (object);

  ae_dataset_free (g_steal_pointer (&self->dataset));
  g_free (self->dataset_spec);
  g_free (self->message);
  g_clear_pointer (&self->chosen, g_hash_table_unref);
  g_free (self->lesson);
  g_free (self->view);
  g_free (self->normal);
  g_free (self->full_order);
  for (guint s = 0; s < 2; s++)
    for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
      {
        g_array_unref (self->history_x[s][t]);
        g_array_unref (self->history_y[s][t]);
      }
  pthread_mutex_destroy (&self->lock);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (lab_session_parent_class)->finalize (object);
}

static void
lab_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LabSession *self = LAB_SESSION (object);

  switch (prop_id)
    {
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_LOADING: g_value_set_boolean (value, self->loading > 0); break;
    case PROP_GENERATION: g_value_set_uint (value, self->generation); break;
    case PROP_EPOCH: g_value_set_int (value, self->epoch); break;
    case PROP_EPOCHS: g_value_set_int (value, self->config.epochs); break;
    case PROP_BATCH: g_value_set_long (value, self->batch); break;
    case PROP_BATCHES_PER_EPOCH: g_value_set_long (value, self->batches_per_epoch); break;
    case PROP_STEPS: g_value_set_long (value, self->steps); break;
    case PROP_SAMPLES_PER_S: g_value_set_double (value, self->samples_per_s); break;
    case PROP_ELAPSED: g_value_set_double (value, self->elapsed_s); break;
    case PROP_DATASET_NAME: g_value_set_string (value, lab_session_get_dataset_name (self)); break;
    case PROP_PRESET: g_value_set_string (value, self->config.preset); break;
    case PROP_SNAPSHOT: g_value_set_boxed (value, self->snapshot); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_session_class_init (LabSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lab_session_dispose;
  object_class->finalize = lab_session_finalize;

  /* Once per process, before any trainer: training split over every core (reserving one for
   * the window halved the speed on two cores; LAB_TRAINER_NICE is the way to yield). */
  ae_set_threads (0);
  object_class->get_property = lab_session_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_GENERATION] = g_param_spec_uint ("generation", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_EPOCH] = g_param_spec_int ("epoch", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_EPOCHS] = g_param_spec_int ("epochs", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_BATCH] = g_param_spec_long ("batch", NULL, NULL, 0, G_MAXLONG, 0, flags);
  properties[PROP_BATCHES_PER_EPOCH] =
    g_param_spec_long ("batches-per-epoch", NULL, NULL, 0, G_MAXLONG, 0, flags);
  properties[PROP_STEPS] = g_param_spec_long ("steps", NULL, NULL, 0, G_MAXLONG, 0, flags);
  properties[PROP_SAMPLES_PER_S] =
    g_param_spec_double ("samples-per-s", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_ELAPSED] = g_param_spec_double ("elapsed", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_DATASET_NAME] = g_param_spec_string ("dataset-name", NULL, NULL, NULL, flags);
  properties[PROP_PRESET] = g_param_spec_string ("preset", NULL, NULL, NULL, flags);
  properties[PROP_SNAPSHOT] = g_param_spec_boxed ("snapshot", NULL, NULL, LAB_TYPE_SNAPSHOT, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LabSession::snapshot:
   * @snapshot: the new state, immutable
   *
   * At most once per main-loop pass while training, and at once after a reset.
   */
  signals[SNAPSHOT] = g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                    LAB_TYPE_SNAPSHOT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * LabSession::options-changed:
   *
   * The configuration changed: a live change, a new preset, dataset or architecture.
   */
  signals[OPTIONS_CHANGED] = g_signal_new ("options-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
}

static void
lab_session_init (LabSession *self)
{
  pthread_mutex_init (&self->lock, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->message = g_strdup ("");
  for (guint s = 0; s < 2; s++)
    for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
      {
        self->history_x[s][t] = g_array_new (FALSE, FALSE, sizeof (double));
        self->history_y[s][t] = g_array_new (FALSE, FALSE, sizeof (double));
      }
  ae_config_preset (&self->config, "undercomplete", NULL);
  self->snapshot = _lab_snapshot_new ();
}

LabSession *
lab_session_new (void)
{
  return g_object_new (LAB_TYPE_SESSION, NULL);
}

LabWeights *
lab_session_get_kept_weights (LabSession *self, gboolean variational)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->kept_weights[variational ? 1 : 0];
}

gboolean
_lab_session_load_dataset (LabSession *self, AeDataset *dataset, const char *spec,
                           const char *preset, GError **error)
{
  LabLoadJob *job;
  AeError err = { 0 };
  gboolean ok;

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (dataset != NULL && spec != NULL, FALSE);

  job = lab_session_new_job (self, spec, preset);
  job->dataset = dataset;
  ok = config_for_data (&job->config, preset, &job->base, job->base_n_train, dataset, &err);
  if (!ok)
    _lab_set_error_from_ae (error, &err);
  else
    ok = lab_session_install (self, job, error);
  /* frees the dataset unless the session took it */
  lab_load_job_free (job);
  return ok;
}

/* --- session files ---------------------------------------------------------------------- */

const AeConfig *
_lab_session_get_config (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return &self->config;
}

const AeDataset *
_lab_session_get_dataset (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->dataset;
}

guint64
_lab_session_get_dataset_seed (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), 0);
  return self->dataset_seed;
}

LabLoadJob *
_lab_session_restore_job (const char *spec, guint64 data_seed, const AeConfig *config)
{
  LabLoadJob *job = g_new0 (LabLoadJob, 1);

  job->spec = g_strdup (spec);
  job->have_base = TRUE;
  job->base = *config;
  job->base_n_train = 0; /* a saved configuration keeps its epochs */
  job->have_data_seed = TRUE;
  job->data_seed = data_seed;
  return job;
}

gboolean
_lab_session_restore_job_run (LabLoadJob *job, GError **error)
{
  return lab_load_job_run (job, error);
}

void
_lab_session_restore_job_free (LabLoadJob *job)
{
  lab_load_job_free (job);
}

gboolean
_lab_session_restore (LabSession *self, LabLoadJob *job, const AeModel *weights,
                      const LabSavedProgress *progress, GError **error)
{
  AeModel *shown;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (job != NULL && weights != NULL && progress != NULL, FALSE);

  /* the trainer made by the install resumes from the saved weights and counters */
  self->resume_weights = weights;
  self->resume_epoch = progress->epoch;
  self->resume_batch = progress->batch;
  self->resume_steps = progress->steps;
  self->resume_elapsed_s = progress->elapsed_s;
  ok = lab_session_install (self, job, error);
  self->resume_weights = NULL;
  self->resume_epoch = 0;
  self->resume_batch = self->resume_steps = 0;
  self->resume_elapsed_s = 0;
  if (!ok)
    return FALSE;

  /* What the saved snapshot showed, at once; the trainer's first report (requested by the
   * install) brings the pictures and codes of the same weights. */
  for (guint s = 0; s < 2; s++)
    for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
      {
        const LabCurve *curve = s == 0 ? &progress->train[t] : &progress->val[t];

        g_array_append_vals (self->history_x[s][t], curve->x, curve->n);
        g_array_append_vals (self->history_y[s][t], curve->y, curve->n);
      }
  if ((shown = ae_model_clone (weights)) != NULL)
    {
      g_clear_pointer (&self->weights, lab_weights_unref);
      self->weights = _lab_weights_new_take (shown);
      lab_session_keep_weights (self, self->weights);
    }
  lab_session_set_progress (self, progress->epoch, progress->batch, self->batches_per_epoch,
                            progress->steps, progress->elapsed_s, 0);
  lab_session_publish (self);
  return TRUE;
}
