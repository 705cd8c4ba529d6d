/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-struct.h: the inside of LabSession, for the files that make it up:
 * lab-session.c (the main loop's side: deliveries, loading, commands, the GObject),
 * lab-session-pending.c (the trainer's reports merged under the lock), lab-session-options.c,
 * lab-session-read.c (the getters) and lab-session-chosen.c (what the views chose, kept in
 * session files). Nothing outside app/session/ includes it.
 */
#pragma once

#include <pthread.h>

#include "ae-trainer.h"
#include "lab-session-private.h"

G_BEGIN_DECLS

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
  GBytes *codes[5];   /* codes, logvar, labels, indices, factor shares */
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
  GBytes *codes[5];
  LabWeights *weights;
  LabSnapshot *snapshot;
  /* The newest weights of a plain [FALSE] and of a variational [TRUE] model on this
   * dataset, kept across preset changes so that the two can be compared. */
  LabWeights *kept_weights[2];

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
  char *lesson; /* lab_lesson_state_to_text of the lesson under way, or NULL */

  /* Anomaly detection: the classes trained on (option "normal"), NULL for all. While set,
   * the dataset's order holds the normal training and validation samples in their splits
   * and the held-out ones after the test split; full_order is the dataset's own. */
  guint8 *normal;
  uint32_t *full_order;
  long full_n_train, full_n_val;
};

typedef struct _LabLoadJob {
  char *spec;          /* dataset to load, or NULL to keep the session's */
  char *preset;        /* preset to start from, or NULL to keep base */
  AeConfig base;       /* the session's configuration when the job started */
  gboolean have_base;
  long base_n_train;   /* the training split base was made for; 0 when it is not the session's */
  const AeDataset *current; /* the session's dataset (for preset-only jobs, sync only) */
  AeDataset *dataset;  /* result: loaded dataset (NULL when spec was NULL) */
  AeConfig config;     /* result: fitted configuration */
  gboolean have_data_seed;
  guint64 data_seed;   /* the split's seed: given (a session file), else the result */
} LabLoadJob;

/* Functions that cross the files of the session; their names are the ones they had as
 * static functions of lab-session.c. */

/* lab-session-pending.c (called with the lock held) */
void         lab_pending_clear (LabPending *pending);
void         lab_pending_merge (LabPending *pending, LabTrainCursor *cursor, int batch_size,
                                long n_train, AeReport *report);

/* lab-session-options.c */
gboolean     lab_session_set_normal (LabSession *self, const char *value, GError **error);
gboolean     lab_session_config_with (LabSession *self, AeConfig *out, const char *key,
                                      const char *value, AeError *err);

/* lab-session.c */
void         lab_session_stop_trainer (LabSession *self);
gboolean     lab_session_install (LabSession *self, LabLoadJob *job, GError **error);
/* The "loading" property counts loads under way (a dataset, a session file). */
void         lab_session_set_loading (LabSession *self, gboolean loading);
gboolean     config_for_data (AeConfig *config, const char *preset, const AeConfig *base,
                              long base_n_train, const AeDataset *ds, AeError *err);
const char  *dataset_display_name (const AeDataset *ds);
void         lab_session_publish (LabSession *self);

G_END_DECLS
