/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-trainer.h: training on a thread of its own.
 *
 * The trainer owns its model and takes commands between batches. It reports through a
 * callback, on its own thread, handing over a freshly allocated AeReport: everything in a
 * report is a copy, never a pointer into memory it is still training. A stop request is
 * honoured within one batch.
 */
#pragma once

#include "ae-dataset.h"
#include "ae-model.h"
#include "ae-status.h"

typedef enum {
  AE_REPORT_PROGRESS, /* within an epoch, at most report_hz per second; also the answer to
                         ae_trainer_request_report while training */
  AE_REPORT_EPOCH,    /* an epoch ended; val holds the validation loss */
  AE_REPORT_PAUSED,   /* training paused (by request, after a step, or at the end); also the
                         answer to ae_trainer_request_report while paused */
  AE_REPORT_FINISHED, /* the configured number of epochs is done; training pauses, and a
                         later run trains another round of `epochs` epochs (0 = no end) */
  AE_REPORT_DIVERGED, /* a loss or gradient became non-finite; last finite weights restored */
  AE_REPORT_RESET,    /* weights re-initialised; the trainer is paused */
} AeReportKind;

typedef struct {
  AeReportKind kind;
  unsigned long serial; /* 1, 2, 3, ... in the order reports were made */
  int epoch;            /* 0-based epoch in progress (or just ended) */
  long batch;           /* batches done in this epoch */
  long batches_per_epoch;
  long steps;           /* batches done since the last reset */
  double elapsed_s;     /* training time since the last reset (not counting pauses) */
  double samples_per_s; /* recent training speed; in an EPOCH report, over that epoch */
  AeLossTerms train;    /* mean over the epoch so far */
  AeLossTerms val;      /* the last validation evaluation */
  int has_val;
  /* A fixed preview batch: (n_preview, dim) each; input is what the model was fed
   * (corrupted when denoising), clean is the target. */
  int n_preview, dim, channels, height, width;
  float *preview_clean;
  float *preview_input;
  float *preview_output;
  /* Codes of a fixed subset (n_codes, latent); logvar only for a VAE; NULL when this
   * report carries none (they are refreshed at most codes_hz per second). */
  int n_codes, latent;
  float *codes;
  float *code_logvar;
  int *code_labels;       /* (n_codes) or NULL */
  uint32_t *code_indices; /* (n_codes) dataset indices of the subset */
  /* For data with known factors: per dimension and factor, I(z_j; v_k) / H(v_k) of these
   * codes (latent, n_factors) (ae-factors.h), or NULL. */
  int n_factors;
  float *code_factor_share;
  AeModel *weights;       /* a read-only copy, or NULL; owned by the report */
  AeConfig config;        /* the configuration in force */
  char message[AE_ERROR_MESSAGE_MAX];
} AeReport;

/* The receiver owns the report and frees it with ae_report_free. Called on the trainer
 * thread: copy or queue, do not block. */
typedef void (*AeReportFunc) (AeReport *report, void *user_data);

void ae_report_free (AeReport *report);
/* Detaches the weights copy from a report (the caller owns it). */
AeModel *ae_report_steal_weights (AeReport *report);

typedef struct {
  const AeDataset *data; /* borrowed: must outlive the trainer */
  AeConfig config;       /* fitted to data */
  int n_preview;         /* default 12 */
  int n_codes;           /* default 2000 (test split, or all when smaller) */
  /* Rates of the periodic reports and contents; <= 0 means never periodically. State
   * changes (paused, finished, diverged, reset) and requested reports always carry the
   * preview, the codes and a weights copy. */
  double report_hz;      /* default 30 */
  double codes_hz;       /* default 4 */
  double weights_hz;     /* default 4 */
  AeReportFunc report;
  void *user_data;
  /* Added to the niceness of the training thread and the team it starts (at most 19), so
   * that a window on the same cores stays responsive while training uses them all; 0 = the
   * caller's. Linux only (elsewhere ignored). */
  int nice;
  /* Resuming (a reopened session): parameters to start from instead of the seed's
   * initialisation (and their optimiser state when the model has one; a clone has none, so
   * Adam's moments start again from zero), and the counters they were saved at. Training
   * goes on at batch start_batch of epoch start_epoch in that epoch's shuffled order. NULL
   * and 0 for a fresh start; a reset always starts afresh from the seed. Borrowed. */
  const AeModel *start_weights;
  int start_epoch;
  long start_batch, start_steps;
  double start_elapsed_s;
} AeTrainerOptions;

typedef struct AeTrainer AeTrainer;

void     ae_trainer_options_init (AeTrainerOptions *opts);
/* Creates the model and starts the thread, paused. */
AeStatus ae_trainer_new (AeTrainer **out, const AeTrainerOptions *opts, AeError *err);
/* Stops the thread (within one batch), joins it, frees everything. */
void     ae_trainer_free (AeTrainer *trainer);

void ae_trainer_run (AeTrainer *trainer);
void ae_trainer_pause (AeTrainer *trainer);
void ae_trainer_step_batch (AeTrainer *trainer);
void ae_trainer_step_epoch (AeTrainer *trainer);
/* Re-initialises the weights (pausing), with the configuration's seed. */
void ae_trainer_reset (AeTrainer *trainer);
/* A live change of hyperparameters, applied before the next batch. Architectural
 * changes are refused with AE_ERR_INVALID (create a new trainer instead). */
AeStatus ae_trainer_set_config (AeTrainer *trainer, const AeConfig *cfg, AeError *err);
/* Asks for a report with codes and weights at the next opportunity (also when paused). */
void ae_trainer_request_report (AeTrainer *trainer);
/* Waits until the thread is idle (paused or finished); for the command line and tests.
 * Never call it (nor ae_trainer_stop, ae_trainer_clone_weights or ae_trainer_free) from the
 * report callback: the thread would wait for itself. */
void ae_trainer_wait_idle (AeTrainer *trainer);
int  ae_trainer_is_running (AeTrainer *trainer);

/* Stops the thread within one batch and joins it; the trainer then ignores commands but
 * its getters still answer. ae_trainer_free does this first. */
void     ae_trainer_stop (AeTrainer *trainer);
/* A copy of the weights as they are between two batches (waits for the batch in flight),
 * with the configuration; the caller owns it. NULL when out of memory. */
AeModel *ae_trainer_clone_weights (AeTrainer *trainer);
/* Batches done since the last reset. */
long     ae_trainer_steps (AeTrainer *trainer);
/* The configuration in force (or accepted by ae_trainer_set_config and about to be). */
void     ae_trainer_get_config (AeTrainer *trainer, AeConfig *cfg);
