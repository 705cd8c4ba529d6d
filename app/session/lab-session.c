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
#include "ae-dataset.h"
#include "ae-model.h"
#include "ae-trainer.h"

#include "lab-session-private.h"

/* Loss history kept per curve; older points are thinned by two beyond this. */
#define LAB_HISTORY_MAX 4096
/* The trainer's niceness above the window's. 0 while views still compute on the main thread:
 * a niced trainer then loses the shared cores to that work (denoising preset under load:
 * 215 samples/s at +10 against 3,307 at 0); +10 once the main thread only draws. */
#define LAB_TRAINER_NICE 0

typedef struct {
  gboolean val;
  double x;
  AeLossTerms terms;
} LabPoint;

/* Train curve points are means over the batches between two points, recovered from the
 * trainer's running epoch means (mean * batches is the sum so far), so the curve shows the
 * loss now rather than an average that lags behind. */
typedef enum {
  LAB_COMMAND_NONE,
  LAB_COMMAND_RUN,
  LAB_COMMAND_PAUSE,
  LAB_COMMAND_STEP_BATCH,
  LAB_COMMAND_STEP_EPOCH,
} LabCommand;

typedef struct {
  int epoch;
  long batch;          /* batches summed at the last point */
  double samples;      /* samples in those batches */
  AeLossTerms sum;     /* loss sums over those samples */
  double base;         /* samples of the epoch done before a resumed trainer started, which
                          its means leave out */
} LabTrainCursor;

/* What the trainer thread has reported since the last delivery. */
typedef struct {
  gboolean has_report;
  AeReportKind kind;
  gulong serial;
  int epoch;
  long batch, batches_per_epoch, steps;
  double elapsed_s, samples_per_s;
  int n_preview, dim;
  GBytes *preview[3]; /* clean, input, output */
  int n_codes, latent;
  GBytes *codes[4];   /* codes, logvar, labels, indices */
  LabWeights *weights;
  GArray *points;     /* LabPoint */
  gboolean has_state;
  LabTrainingState state;
  char message[AE_ERROR_MESSAGE_MAX];
} LabPending;

struct _LabSession {
  GObject parent_instance;

  GMainContext *context;

  AeDataset *dataset;
  char *dataset_spec;
  AeConfig config; /* in force, fitted to dataset */
  AeTrainer *trainer;
  guint generation;
  guint loading;
  gboolean running;

  /* Main thread: what the last snapshot was made from. */
  LabTrainingState state;
  char *message;
  int epoch;
  long batch, batches_per_epoch, steps;
  gulong serial;
  double elapsed_s, samples_per_s;
  GArray *history_x[2][LAB_N_LOSS_TERMS];
  GArray *history_y[2][LAB_N_LOSS_TERMS];
  int n_preview;
  GBytes *preview[3];
  int n_codes, latent;
  GBytes *codes[4];
  LabWeights *weights;
  LabSnapshot *snapshot;
  /* The newest weights of a plain [FALSE] and of a variational [TRUE] model on this
   * dataset, kept across preset changes so that the two can be compared. */
  LabWeights *kept_weights[2];
  guint64 n_decoded;       /* images decoded through lab_session_decode, for tests */

  /* Shared with the trainer thread. A pthread mutex, like the engine's, rather than a
   * GMutex: ThreadSanitizer cannot see GLib's futex-based locks and would report every
   * hand-over below as a race. */
  pthread_mutex_t lock;
  GSource *idle;
  guint pending_generation;
  gboolean awaiting_reset; /* drop reports until the trainer confirms a reset */
  LabPending pending;
  LabTrainCursor cursor;
  int train_batch_size;    /* the trainer's batch size and training split, for the cursor */
  long n_train;
  LabCommand deferred;     /* given while awaiting_reset: sent again after it */

  /* Session files (lab-session-file.c): the seed the dataset was split with, a saved state
   * the next trainer resumes from (borrowed, used once), what the views chose and the
   * view shown. */
  guint64 dataset_seed;
  const AeModel *resume_weights;
  int resume_epoch;
  long resume_batch, resume_steps;
  double resume_elapsed_s;
  GHashTable *chosen; /* name -> GArray of long */
  char *view;

  /* Anomaly detection: the classes trained on (option "normal"), NULL for all. While set,
   * the dataset's order holds the normal training and validation samples in their splits
   * and the held-out ones after the test split; full_order is the dataset's own. */
  guint8 *normal;
  uint32_t *full_order;
  long full_n_train, full_n_val;
};

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

G_DEFINE_QUARK (lab-session-error-quark, lab_session_error)

void
_lab_set_error_from_ae (GError **error, const AeError *err)
{
  g_set_error_literal (error, LAB_SESSION_ERROR, err->status != AE_OK ? (int) err->status : AE_ERR_INVALID,
                       err->message[0] != '\0' ? err->message : ae_status_name (err->status));
}

/* --- pending deliveries (under lock) ---------------------------------------------------- */

static void
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

static void
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

static const char *
dataset_display_name (const AeDataset *ds)
{
  const AeBuiltinDataset *builtin = ds != NULL ? ae_builtin_dataset_find (ds->name) : NULL;

  if (ds == NULL)
    return "";
  return builtin != NULL ? builtin->title : ds->name;
}

static void
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

static void
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

typedef struct {
  char *spec;          /* dataset to load, or NULL to keep the session's */
  char *preset;        /* preset to start from, or NULL to keep base */
  AeConfig base;       /* the session's configuration when the job started */
  gboolean have_base;
  const AeDataset *current; /* the session's dataset (for preset-only jobs, sync only) */
  AeDataset *dataset;  /* result: loaded dataset (NULL when spec was NULL) */
  AeConfig config;     /* result: fitted configuration */
  gboolean have_data_seed;
  guint64 data_seed;   /* the split's seed: given (a session file), else the result */
} LabLoadJob;

static void
lab_load_job_free (LabLoadJob *job)
{
  g_free (job->spec);
  g_free (job->preset);
  g_clear_pointer (&job->dataset, ae_dataset_free);
  g_free (job);
}

static gboolean
config_for_data (AeConfig *config, const char *preset, const AeConfig *base, const AeDataset *ds,
                 AeError *err)
{
  if (preset != NULL)
    {
      if (ae_config_preset (config, preset, err) != AE_OK)
        return FALSE;
    }
  else
    *config = *base;

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

  if (!config_for_data (&job->config, job->preset, &job->base, ds, &err))
    {
      /* A configuration made for other data (an image preset on time series, ...) falls
       * back to the default preset for this kind of data. */
      const char *fallback = ds->kind == AE_DATA_SEQUENCES ? "sequence" : "undercomplete";
      AeError err2 = { 0 };

      if (job->preset != NULL || !config_for_data (&job->config, fallback, NULL, ds, &err2))
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
static gboolean
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

  g_clear_pointer (&old_dataset, ae_dataset_free);
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

static void
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
static gboolean
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
static gboolean
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

  if (!config_for_data (&config, preset, NULL, self->dataset, &err))
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

/* --- reading ---------------------------------------------------------------------------- */

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
  self->n_decoded += (guint64) MAX (n, 0);
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
    case AE_ARCH_DENSE:
    default:
      g_string_append_printf (s, "%d", c->channels * c->height * c->width);
      for (int i = 0; i < c->n_hidden; i++)
        g_string_append_printf (s, " → %d", c->hidden[i]);
      break;
    }
  if (c->latent > 0)
    g_string_append_printf (s, " → %d", c->latent);
  else
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
  append_count (s, self->dataset->n_train);
  g_string_append (s, " train · ");
  append_count (s, self->dataset->n_val);
  g_string_append (s, " val · ");
  append_count (s, self->dataset->n_test);
  g_string_append (s, " test");
  return g_string_free (s, FALSE);
}

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

  g_clear_pointer (&self->dataset, ae_dataset_free);
  g_free (self->dataset_spec);
  g_free (self->message);
  g_clear_pointer (&self->chosen, g_hash_table_unref);
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
  ok = config_for_data (&job->config, preset, &job->base, dataset, &err);
  if (!ok)
    _lab_set_error_from_ae (error, &err);
  else
    ok = lab_session_install (self, job, error);
  /* frees the dataset unless the session took it */
  lab_load_job_free (job);
  return ok;
}

guint64
lab_session_get_n_decoded (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), 0);
  return self->n_decoded;
}

/* --- session files ---------------------------------------------------------------------- */

const AeConfig *
_lab_session_get_config (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return &self->config;
}

guint64
_lab_session_get_dataset_seed (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), 0);
  return self->dataset_seed;
}

gboolean
_lab_session_restore (LabSession *self, const char *spec, guint64 data_seed,
                      const AeConfig *config, const AeModel *weights,
                      const LabSavedProgress *progress, GError **error)
{
  LabLoadJob *job;
  AeModel *shown;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (spec != NULL && config != NULL && weights != NULL && progress != NULL,
                        FALSE);

  job = lab_session_new_job (self, spec, NULL);
  job->have_base = TRUE;
  job->base = *config;
  job->have_data_seed = TRUE;
  job->data_seed = data_seed;
  /* the trainer made by the install resumes from the saved weights and counters */
  self->resume_weights = weights;
  self->resume_epoch = progress->epoch;
  self->resume_batch = progress->batch;
  self->resume_steps = progress->steps;
  self->resume_elapsed_s = progress->elapsed_s;
  ok = lab_load_job_run (job, error) && lab_session_install (self, job, error);
  self->resume_weights = NULL;
  self->resume_epoch = 0;
  self->resume_batch = self->resume_steps = 0;
  self->resume_elapsed_s = 0;
  lab_load_job_free (job);
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

void
lab_session_set_chosen (LabSession *self, const char *name, const long *indices, guint n)
{
  GArray *list;

  g_return_if_fail (LAB_IS_SESSION (self));
  g_return_if_fail (name != NULL && (indices != NULL || n == 0));

  if (self->chosen == NULL)
    self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_array_unref);
  list = g_array_sized_new (FALSE, FALSE, sizeof (long), n);
  g_array_append_vals (list, indices, n);
  g_hash_table_replace (self->chosen, g_strdup (name), list);
}

const long *
lab_session_get_chosen (LabSession *self, const char *name, guint *n)
{
  GArray *list;

  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL && n != NULL, NULL);

  list = self->chosen != NULL ? g_hash_table_lookup (self->chosen, name) : NULL;
  *n = list != NULL ? list->len : 0;
  return list != NULL ? (const long *) list->data : NULL;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
lab_session_list_chosen (LabSession *self)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);

  if (self->chosen != NULL)
    {
      g_hash_table_iter_init (&iter, self->chosen);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (names, g_strdup (key));
    }
  /* sorted, so that a file is written the same way every time */
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

void
lab_session_clear_chosen (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  g_clear_pointer (&self->chosen, g_hash_table_unref);
}

void
lab_session_set_view (LabSession *self, const char *view)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  g_free (self->view);
  self->view = g_strdup (view);
}

const char *
lab_session_get_view (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->view;
}
