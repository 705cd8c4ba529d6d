/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session.h: the bridge between the training engine and the window.
 *
 * A LabSession owns a dataset and a trainer (on its own thread). Commands return at once;
 * the trainer's reports come back as immutable LabSnapshots through the "snapshot" signal,
 * at most one per main-loop pass, on the main context the session was created in. After a
 * reset, a new dataset or a new architecture the generation grows and anything still in
 * flight from before is dropped.
 *
 * Options are named as on the command line (see CLI.md): "latent", "hidden", "epochs",
 * "batch", "lr", "seed", "l1", "rho", "beta", "contractive", "noise" ("gaussian:0.3"),
 * "kl-beta", "warmup", "activation", "optimizer" ("adam" or "sgd").
 * "normal" ("0,3,7", "" for all) is the session's own: training and validation keep only
 * those classes (anomaly detection) while the test split stays whole; setting it rebuilds
 * the trainer, and a new dataset clears it.
 */
#pragma once

#include <gio/gio.h>

#include "lab-snapshot.h"
#include "lab-weights.h"

G_BEGIN_DECLS

#define LAB_SESSION_ERROR (lab_session_error_quark ())
GQuark lab_session_error_quark (void);

typedef enum {
  LAB_SPLIT_TRAIN,
  LAB_SPLIT_VAL,
  LAB_SPLIT_TEST,
} LabSplit;

#define LAB_TYPE_SESSION (lab_session_get_type ())

G_DECLARE_FINAL_TYPE (LabSession, lab_session, LAB, SESSION, GObject)

LabSession  *lab_session_new (void);

/* Loading: a dataset spec as on the command line ("digits", "fashion", a path) and a
 * preset name; NULL keeps the current one. Makes a new trainer, paused. */
gboolean     lab_session_load (LabSession *self, const char *dataset, const char *preset,
                               GError **error);
void         lab_session_load_async (LabSession *self, const char *dataset, const char *preset,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean     lab_session_load_finish (LabSession *self, GAsyncResult *result, GError **error);
gboolean     lab_session_get_loading (LabSession *self);

/* Training commands; each returns at once. */
void         lab_session_run (LabSession *self);
void         lab_session_pause (LabSession *self);
void         lab_session_toggle_run (LabSession *self);
void         lab_session_step_batch (LabSession *self);
void         lab_session_step_epoch (LabSession *self);
void         lab_session_reset (LabSession *self);
/* Stops training for good and joins the engine thread at once, whoever still holds a
 * reference (a view's background job): a closing window calls it, so that no training
 * outlives the window. Commands are ignored afterwards until the next load. */
void         lab_session_close (LabSession *self);

/* Options. is_live: whether value can change while training (FALSE also for an invalid
 * value); set_option applies a live change from the next batch, or else rebuilds the
 * model (the caller asked the user first). */
char        *lab_session_dup_option (LabSession *self, const char *key);
gboolean     lab_session_option_is_live (LabSession *self, const char *key, const char *value);
gboolean     lab_session_set_option (LabSession *self, const char *key, const char *value,
                                     GError **error);
/* A new preset always rebuilds the model; a dataset that cannot hold it (sequences for an
 * image preset or the reverse) is replaced by the preset's own (digits or sines). */
gboolean     lab_session_set_preset (LabSession *self, const char *preset, GError **error);

/* Choices for the option pickers, NULL-terminated, static. */
const char *const *lab_session_list_presets (void);
const char *const *lab_session_list_activations (void);
const char *const *lab_session_list_noise_kinds (void);

LabSnapshot *lab_session_get_snapshot (LabSession *self);
LabWeights  *lab_session_get_weights (LabSession *self);
/* Decodes codes (n, latent) into images (n, dim) with the newest weights copy, on the
 * calling thread. FALSE when there are no weights yet. */
gboolean     lab_session_decode (LabSession *self, float *out, const float *codes, long n);
/* The newest weights of a plain (variational FALSE) or a variational model trained on the
 * current dataset, kept when the preset changes, so that both kinds can be compared; NULL
 * when none was trained since the dataset was loaded. */
LabWeights  *lab_session_get_kept_weights (LabSession *self, gboolean variational);
gboolean     lab_session_save_model (LabSession *self, const char *path, GError **error);
/* Loads a model file: its configuration (architecture, family, hyperparameters) becomes the
 * session's, with a new trainer. The trainer starts from fresh weights: the engine has no
 * way yet to hand a trainer the file's weights, so they are only checked and shown until
 * the first report of the new trainer replaces them. */
gboolean     lab_session_open_model (LabSession *self, const char *path, GError **error);

/* A sample of the dataset (dim floats) from one split, for views that need inputs of their
 * own; NULL when index is out of range. label is -1 for unlabelled data. */
const float *lab_session_get_sample (LabSession *self, LabSplit split, long index, int *label);
long         lab_session_get_split_size (LabSession *self, LabSplit split);
/* A sample by its index in the whole dataset (as LabSnapshot's code_indices); NULL when
 * out of range. */
const float *lab_session_get_dataset_sample (LabSession *self, long index, int *label);
/* Shape of one sample; FALSE before a dataset is loaded. */
gboolean     lab_session_get_sample_shape (LabSession *self, int *channels, int *height,
                                           int *width);
/* Whether the dataset holds time series (height steps of width features each). */
gboolean     lab_session_get_is_sequence (LabSession *self);
/* The anomaly flags of each step (height bytes) of a sample of one split, when the dataset
 * labels anomalous steps (ecg); NULL otherwise or when index is out of range. */
const guint8 *lab_session_get_step_anomaly (LabSession *self, LabSplit split, long index);

gboolean     lab_session_get_running (LabSession *self);
guint        lab_session_get_generation (LabSession *self);
const char  *lab_session_get_dataset_name (LabSession *self);
const char  *lab_session_get_dataset_spec (LabSession *self);
const char  *lab_session_get_preset (LabSession *self);
/* e.g. "784 → 400 → 20" */
char        *lab_session_dup_architecture (LabSession *self);
/* e.g. "8,000 train · 2,000 val · 2,000 test", each count tied to its name by a no-break space */
char        *lab_session_dup_split_text (LabSession *self);

/* What the views chose, kept in session files: named lists of sample indices (e.g.
 * "generate-pair", the Generate view's two ends as it numbers them) and
 * the name of the view shown ("training", "latent", ...). A session file sets both when
 * it is opened; the window reads them then. */
void         lab_session_set_chosen (LabSession *self, const char *name, const long *indices,
                                     guint n);
/* NULL (and *n 0) when nothing was chosen under that name. */
const long  *lab_session_get_chosen (LabSession *self, const char *name, guint *n);
/* The names with a choice, sorted; free with g_strfreev. */
char       **lab_session_list_chosen (LabSession *self);
void         lab_session_clear_chosen (LabSession *self);
void         lab_session_set_view (LabSession *self, const char *view);
const char  *lab_session_get_view (LabSession *self);
/* The lesson under way, as one line of lab_lesson_state_to_text (NULL: none), kept in
 * session files like the view. */
void         lab_session_set_lesson (LabSession *self, const char *lesson);
const char  *lab_session_get_lesson (LabSession *self);

/* For the widgets that follow a session (LabView, the sidebar): *slot takes a reference to
 * session (or NULL) and owner's handlers leave the session it held. FALSE, and nothing
 * done, when *slot already holds session. */
gboolean     lab_session_replace (LabSession **slot, LabSession *session, gpointer owner);

G_END_DECLS
