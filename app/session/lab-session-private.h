/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-private.h: engine-facing helpers shared by the files of LabSession. */
#pragma once

#include "ae-dataset.h"
#include "ae-model.h"
#include "ae-status.h"

#include "lab-session.h"
#include "lab-snapshot.h"
#include "lab-weights.h"

G_BEGIN_DECLS

/* Moves an engine error into a GError in LAB_SESSION_ERROR (code: the AeStatus). */
void         _lab_set_error_from_ae (GError **error, const AeError *err);
/* Takes ownership of model. */
LabWeights  *_lab_weights_new_take (AeModel *model);
LabSnapshot *_lab_snapshot_new (void);
/* Owned storage of a snapshot under construction: the session fills the public fields
 * through these so that unref frees what was given. */
void         _lab_snapshot_take_strings (LabSnapshot *self, char *message, char *dataset,
                                         char *preset, char **class_names);
void         _lab_snapshot_set_series (LabSnapshot *self, LabLossTerm term, gboolean val,
                                       const double *x, const double *y, guint n);
void         _lab_snapshot_set_preview (LabSnapshot *self, GBytes *clean, GBytes *input,
                                        GBytes *output);
void         _lab_snapshot_set_codes (LabSnapshot *self, GBytes *codes, GBytes *logvar,
                                      GBytes *labels, GBytes *indices);
/* The codes' share of each factor's information (latent, n_factors floats) and the
 * factors' titles (static strings); both NULL for data without known factors. */
void         _lab_snapshot_set_factors (LabSnapshot *self, GBytes *share, int n_factors,
                                        const char *const *titles);

/* Puts a dataset made by app code (e.g. patches of opened images) in force with a new
 * trainer of preset (NULL: the current configuration), as loading `spec` would. Takes
 * dataset, also on failure. */
gboolean     _lab_session_load_dataset (LabSession *self, AeDataset *dataset, const char *spec,
                                        const char *preset, GError **error);

/* Session files (lab-session-file.c). */
/* A copy of the weights' model (no optimiser state), or NULL when out of memory. */
AeModel     *_lab_weights_clone_model (LabWeights *self);
const AeConfig *_lab_session_get_config (LabSession *self);
/* The dataset in force (NULL before the first load), its split as trained. */
const AeDataset *_lab_session_get_dataset (LabSession *self);
/* A reference to the dataset in force (ae_dataset_free drops it), for a worker that reads
 * its samples while the session may load other data; NULL before the first load. */
AeDataset   *_lab_session_ref_dataset (LabSession *self);
/* A copy of a split's indices (g_free), which a class filter may reorder; NULL and *count 0
 * before the first load. */
uint32_t    *_lab_session_copy_split (LabSession *self, LabSplit split, long *count);
/* The seed the current dataset was split with. */
guint64      _lab_session_get_dataset_seed (LabSession *self);
/* Counters and loss history of a saved state. */
typedef struct {
  int epoch;
  long batch, steps;
  double elapsed_s;
  LabCurve train[LAB_N_LOSS_TERMS];
  LabCurve val[LAB_N_LOSS_TERMS];
} LabSavedProgress;
/* Restoring a saved session: the load of dataset spec (split with data_seed) for config,
 * made on any thread (no session is needed: a worker runs it), ... */
typedef struct _LabLoadJob LabRestoreJob;
LabRestoreJob *_lab_session_restore_job (const char *spec, guint64 data_seed, const AeConfig *config);
gboolean     _lab_session_restore_job_run (LabRestoreJob *job, GError **error);
void         _lab_session_restore_job_free (LabRestoreJob *job);
/* ... then put in force with a trainer that resumes from weights (borrowed) at the saved
 * counters; the history and counters show as saved. */
gboolean     _lab_session_restore (LabSession *self, LabRestoreJob *job, const AeModel *weights,
                                   const LabSavedProgress *progress, GError **error);

G_END_DECLS
