/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-trainer.c: training on a thread of its own.
 *
 * The thread owns the model. Callers change a few fields under `lock` and signal `wake`;
 * the thread reads them between batches, works without the lock, and announces that it
 * waits (paused, or parked for a caller that wants to read the model) through `changed`.
 * Reports are made and handed over on the thread, without the lock held, so a callback
 * may send commands.
 */
#include "ae-trainer.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "ae-clock.h"
#include "ae-factors.h"

typedef enum {
  MODE_PAUSED,
  MODE_RUN,
  MODE_STEP_BATCH, /* steps_left more batches, then pause */
  MODE_STEP_EPOCH, /* to the end of the epoch in progress, then pause */
} Mode;

/* Copies of the last finite weights are taken this often (and at each epoch end): a copy
 * costs one memcpy of the parameters, a small fraction of one batch. */
#define BACKUP_EVERY_BATCHES 25
/* A batch loss this many times the lowest seen since the reset (or the last settings
 * change) is a divergence even while finite: healthy runs move by less than 10x (batch
 * noise, KL warm-up), while a blow-up grows by 1e6 or more within two batches (Adam at
 * learning rate 100), or, with saturating units (contractive), stalls some 200x above its
 * start; 1e2 catches both and leaves a 10x margin above healthy runs. */
#define RUNAWAY_FACTOR 1e2
#define EVAL_CHUNK 256
#define SPEED_WINDOW 32
/* Salts keep the trainer's streams apart from the model's initialisation, which also
 * starts from the configuration's seed. */
#define SALT_SHUFFLE 0x53485546464c45ULL
#define SALT_NOISE 0x4e4f495345ULL
#define SALT_PREVIEW 0x50524556ULL

struct AeTrainer {
  AeTrainerOptions opts;
  const AeDataset *data;
  pthread_t thread;
  int thread_started;

  /* --- shared, under lock --- */
  pthread_mutex_t lock;
  pthread_cond_t wake;    /* the thread waits here for commands */
  pthread_cond_t changed; /* callers wait here for the thread to wait */
  Mode mode;
  long steps_left;
  int run_requested;
  int reset_requested;
  int report_requested;
  int config_pending;
  AeConfig config;      /* in force, or accepted and pending */
  int want_park;        /* callers waiting to read the model */
  int waiting;          /* the thread is blocked on wake and touches nothing */
  int resting;          /* ... because it has nothing to do (not parked for a reader) */
  int stop, exited;
  long shared_steps;

  /* --- the thread's own --- */
  AeModel *model;
  int replay_shuffles; /* epochs' shuffles to replay first, when resuming */
  AeModel *backup;  /* the last finite weights */
  long backup_epoch, backup_batch;
  double lowest_loss; /* lowest batch loss since the reset or settings change; 0: none yet */
  AeConfig cfg;     /* the thread's copy of the configuration in force */
  AeRng shuffle_rng, noise_rng;
  uint32_t *perm;   /* (n_train) this epoch's order */
  float *batch_x;   /* (batch_cap, dim) */
  int batch_cap;
  float *eval_x;    /* (EVAL_CHUNK, dim) */
  int active;       /* the thread was training on its last pass */
  int epoch;
  long pos, batch, steps;
  int round_start;  /* epoch at which the current round of cfg.epochs began */
  double elapsed;
  AeLossTerms epoch_sum;
  long epoch_samples;
  double epoch_train_s;
  AeLossTerms val;
  int has_val;
  unsigned long serial;
  double speed_s[SPEED_WINDOW];
  long speed_n[SPEED_WINDOW];
  int speed_next;
  double last_progress, last_codes, last_weights;
  /* preview and codes: fixed indices and their clean samples */
  int n_preview;
  float *preview_clean; /* (n_preview, dim) */
  int n_codes;
  uint32_t *code_idx;
  float *code_x;        /* (n_codes, dim) */
  float *code_factors;  /* (n_codes, n_factors) when the data has factors */
};

static int
due (double last, double hz, double now)
{
  return hz > 0 && now - last >= 1.0 / hz;
}

/* --- reports --------------------------------------------------------------------------- */

void
ae_report_free (AeReport *report)
{
  if (report == NULL)
    return;
  free (report->preview_clean);
  free (report->preview_input);
  free (report->preview_output);
  free (report->codes);
  free (report->code_logvar);
  free (report->code_labels);
  free (report->code_indices);
  free (report->code_factor_share);
  ae_model_free (report->weights);
  free (report);
}

AeModel *
ae_report_steal_weights (AeReport *report)
{
  AeModel *weights = report->weights;
  report->weights = NULL;
  return weights;
}

static AeLossTerms
scale_terms (const AeLossTerms *t, double w)
{
  AeLossTerms s = { 0 };
  ae_loss_terms_add (&s, t, w);
  return s;
}

static double
recent_speed (const AeTrainer *t)
{
  double s = 0;
  long n = 0;
  for (int i = 0; i < SPEED_WINDOW; i++)
    {
      s += t->speed_s[i];
      n += t->speed_n[i];
    }
  return s > 0 ? (double) n / s : 0.0;
}

static long
batches_per_epoch (const AeTrainer *t)
{
  long rest = t->data->n_train - t->pos;
  return t->batch + (rest + t->cfg.batch - 1) / t->cfg.batch;
}

static void
fill_preview (AeTrainer *t, AeReport *r)
{
  int n = t->n_preview, dim = t->data->dim;
  size_t bytes = (size_t) n * (size_t) dim * sizeof (float);
  r->preview_clean = malloc (bytes);
  r->preview_input = malloc (bytes);
  r->preview_output = malloc (bytes);
  if (r->preview_clean == NULL || r->preview_input == NULL || r->preview_output == NULL)
    {
      free (r->preview_clean);
      free (r->preview_input);
      free (r->preview_output);
      r->preview_clean = r->preview_input = r->preview_output = NULL;
      return;
    }
  memcpy (r->preview_clean, t->preview_clean, bytes);
  memcpy (r->preview_input, t->preview_clean, bytes);
  if (t->cfg.noise != AE_NOISE_NONE)
    {
      /* The same noise every time, so that the preview does not flicker. */
      AeRng rng;
      ae_rng_seed (&rng, t->cfg.seed ^ SALT_PREVIEW);
      ae_corrupt_samples (r->preview_input, n, dim, t->cfg.noise, t->cfg.noise_level, &rng);
    }
  ae_model_reconstruct (t->model, r->preview_output, r->preview_input, n);
  r->n_preview = n;
}

/* Scored here, on the trainer's thread, so that no view computes it on the window's. */
static void
fill_factor_share (AeTrainer *t, AeReport *r)
{
  AeFactorScore score;
  int n_factors = t->data->n_factors;
  if (ae_factor_score (&score, r->codes, r->n_codes, r->latent, t->code_factors, n_factors,
                       t->data->factor_info, NULL) != AE_OK)
    return;
  r->code_factor_share = malloc ((size_t) r->latent * (size_t) n_factors * sizeof (float));
  if (r->code_factor_share != NULL)
    {
      for (int j = 0; j < r->latent; j++)
        for (int k = 0; k < n_factors; k++)
          r->code_factor_share[(size_t) j * n_factors + k] = (float) ae_factor_score_share (&score, j, k);
      r->n_factors = n_factors;
    }
  ae_factor_score_clear (&score);
}

static void
fill_codes (AeTrainer *t, AeReport *r)
{
  int n = t->n_codes, latent = ae_model_latent_dim (t->model);
  r->codes = malloc ((size_t) n * (size_t) latent * sizeof (float));
  r->code_indices = malloc ((size_t) n * sizeof (uint32_t));
  if (t->cfg.variational)
    r->code_logvar = malloc ((size_t) n * (size_t) latent * sizeof (float));
  if (t->data->labels != NULL)
    r->code_labels = malloc ((size_t) n * sizeof (int));
  if (r->codes == NULL || r->code_indices == NULL || (t->cfg.variational && r->code_logvar == NULL)
      || (t->data->labels != NULL && r->code_labels == NULL))
    {
      free (r->codes);
      free (r->code_indices);
      free (r->code_logvar);
      free (r->code_labels);
      r->codes = r->code_logvar = NULL;
      r->code_indices = NULL;
      r->code_labels = NULL;
      return;
    }
  ae_model_encode (t->model, r->codes, r->code_logvar, t->code_x, n);
  memcpy (r->code_indices, t->code_idx, (size_t) n * sizeof (uint32_t));
  if (r->code_labels != NULL)
    for (int i = 0; i < n; i++)
      r->code_labels[i] = t->data->labels[t->code_idx[i]];
  r->n_codes = n;
  if (t->code_factors != NULL)
    fill_factor_share (t, r);
}

/* A report of the thread's state; `full` adds codes and weights whatever their rates. */
static AeReport *
report_new (AeTrainer *t, AeReportKind kind, int full)
{
  AeReport *r = calloc (1, sizeof *r);
  if (r == NULL)
    return NULL;
  double now = ae_monotonic_seconds ();
  r->kind = kind;
  r->epoch = t->epoch;
  r->batch = t->batch;
  r->batches_per_epoch = batches_per_epoch (t);
  r->steps = t->steps;
  r->elapsed_s = t->elapsed;
  r->samples_per_s = recent_speed (t);
  if (t->epoch_samples > 0)
    r->train = scale_terms (&t->epoch_sum, 1.0 / (double) t->epoch_samples);
  r->val = t->val;
  r->has_val = t->has_val;
  r->dim = t->data->dim;
  r->channels = t->data->channels;
  r->height = t->data->height;
  r->width = t->data->width;
  r->latent = ae_model_latent_dim (t->model);
  r->config = t->cfg;
  if (t->n_preview > 0)
    fill_preview (t, r);
  if (t->n_codes > 0 && (full || due (t->last_codes, t->opts.codes_hz, now)))
    {
      fill_codes (t, r);
      t->last_codes = now;
    }
  if (full || due (t->last_weights, t->opts.weights_hz, now))
    {
      r->weights = ae_model_clone (t->model);
      t->last_weights = now;
    }
  return r;
}

static void
emit (AeTrainer *t, AeReport *r)
{
  if (r == NULL)
    return;
  r->serial = ++t->serial;
  if (t->opts.report != NULL)
    t->opts.report (r, t->opts.user_data);
  else
    ae_report_free (r);
}

static void
emit_kind (AeTrainer *t, AeReportKind kind, int full, const char *message)
{
  AeReport *r = report_new (t, kind, full);
  if (r != NULL && message != NULL)
    snprintf (r->message, sizeof r->message, "%s", message);
  emit (t, r);
}

/* --- training, on the thread ------------------------------------------------------------ */

static int
params_finite (AeModel *model)
{
  size_t n;
  const float *p = ae_model_params (model, &n);
  float acc = 0.0f;
  /* x * 0 is NaN exactly when x is NaN or infinite; one sum avoids a branch per value. */
  for (size_t i = 0; i < n; i++)
    acc += p[i] * 0.0f;
  return acc == 0.0f;
}

static void
take_backup (AeTrainer *t)
{
  if (!params_finite (t->model))
    return;
  ae_model_copy_params (t->backup, t->model);
  t->backup_epoch = t->epoch;
  t->backup_batch = t->batch;
}

static void
seed_streams (AeTrainer *t)
{
  ae_rng_seed (&t->shuffle_rng, t->cfg.seed ^ SALT_SHUFFLE);
  ae_rng_seed (&t->noise_rng, t->cfg.seed ^ SALT_NOISE);
}

static void
clear_progress (AeTrainer *t)
{
  t->epoch = 0;
  t->pos = 0;
  t->batch = 0;
  t->steps = 0;
  t->round_start = 0;
  t->elapsed = 0;
  t->lowest_loss = 0;
  memset (&t->epoch_sum, 0, sizeof t->epoch_sum);
  t->epoch_samples = 0;
  t->epoch_train_s = 0;
  memset (&t->val, 0, sizeof t->val);
  t->has_val = 0;
  memset (t->speed_s, 0, sizeof t->speed_s);
  memset (t->speed_n, 0, sizeof t->speed_n);
}

static void
do_reset (AeTrainer *t)
{
  ae_model_reset (t->model, t->cfg.seed);
  seed_streams (t);
  clear_progress (t);
  take_backup (t);
}

static int
stop_requested (AeTrainer *t)
{
  pthread_mutex_lock (&t->lock);
  int stop = t->stop;
  pthread_mutex_unlock (&t->lock);
  return stop;
}

/* Mean loss terms on the validation split, without corruption or sampling. A large split
 * takes many batches' time, so a stop request is looked at between chunks too. */
static void
evaluate_val (AeTrainer *t)
{
  const AeDataset *ds = t->data;
  const uint32_t *idx = ae_dataset_val (ds);
  AeLossTerms sum = { 0 };
  t->has_val = 0;
  if (ds->n_val <= 0)
    return;
  for (long i = 0; i < ds->n_val; i += EVAL_CHUNK)
    {
      if (stop_requested (t))
        return;
      long b = ds->n_val - i < EVAL_CHUNK ? ds->n_val - i : EVAL_CHUNK;
      AeLossTerms terms;
      ae_dataset_gather (ds, t->eval_x, idx + i, b);
      ae_model_evaluate (t->model, &terms, t->eval_x, (int) b, NULL);
      ae_loss_terms_add (&sum, &terms, (double) b);
    }
  t->val = scale_terms (&sum, 1.0 / (double) ds->n_val);
  t->has_val = 1;
}

static AeStatus
apply_config (AeTrainer *t, const AeConfig *cfg, AeError *err)
{
  if (cfg->batch > t->batch_cap)
    {
      float *bigger = realloc (t->batch_x, (size_t) cfg->batch * (size_t) t->data->dim * sizeof (float));
      if (bigger == NULL)
        return ae_error_set (err, AE_ERR_NOMEM, "out of memory for batches of %d samples", cfg->batch);
      t->batch_x = bigger;
      t->batch_cap = cfg->batch;
    }
  AeStatus st = ae_model_set_config (t->model, cfg, err);
  if (st != AE_OK)
    return st;
  t->cfg = *ae_model_config (t->model);
  /* New penalty weights or noise change the loss's scale: the runaway reference restarts. */
  t->lowest_loss = 0;
  /* Options outside the model's (epochs) live in the trainer's copy. */
  t->cfg.epochs = cfg->epochs;
  return AE_OK;
}

typedef enum {
  BATCH_DONE,
  BATCH_EPOCH_END,
  BATCH_FAILED,
} BatchResult;

static BatchResult
train_batch (AeTrainer *t, char *message, size_t message_len)
{
  const AeDataset *ds = t->data;
  if (t->pos == 0)
    {
      memcpy (t->perm, ae_dataset_train (ds), (size_t) ds->n_train * sizeof (uint32_t));
      ae_rng_shuffle (&t->shuffle_rng, t->perm, (uint32_t) ds->n_train);
      memset (&t->epoch_sum, 0, sizeof t->epoch_sum);
      t->epoch_samples = 0;
      t->epoch_train_s = 0;
    }
  long b = ds->n_train - t->pos < t->cfg.batch ? ds->n_train - t->pos : t->cfg.batch;
  ae_dataset_gather (ds, t->batch_x, t->perm + t->pos, b);
  float epoch_f = (float) t->epoch + (float) t->pos / (float) ds->n_train;

  AeLossTerms terms;
  AeError err = { 0 };
  double t0 = ae_monotonic_seconds ();
  AeStatus st = ae_model_train_step (t->model, &terms, t->batch_x, (int) b, epoch_f,
                                     &t->noise_rng, &err);
  double dt = ae_monotonic_seconds () - t0;
  char runaway[96] = "";
  if (st == AE_OK && t->lowest_loss > 0 && terms.total > RUNAWAY_FACTOR * t->lowest_loss)
    {
      snprintf (runaway, sizeof runaway, "the loss grew from %.4g to %.4g", t->lowest_loss,
                (double) terms.total);
      st = AE_ERR_DIVERGED;
    }
  if (st != AE_OK)
    {
      if (st == AE_ERR_DIVERGED)
        {
          /* The backup holds the optimiser state of its time too (momentum, Adam moments):
           * the state of the blow-up would throw the weights out again at any rate. */
          ae_model_copy_params (t->model, t->backup);
          const char *what = runaway[0] != '\0'   ? runaway
                             : isnan (terms.total) ? "the loss became NaN"
                             : isinf (terms.total) ? "the loss became infinite"
                                                   : "a gradient became NaN or infinite";
          char when[64];
          if (t->backup_batch == 0)
            snprintf (when, sizeof when, "from the start of epoch %ld", t->backup_epoch + 1);
          else
            snprintf (when, sizeof when, "after batch %ld of epoch %ld", t->backup_batch,
                      t->backup_epoch + 1);
          snprintf (message, message_len,
                    "%s at epoch %d, batch %ld with learning rate %g: the last finite weights "
                    "(%s) are restored and training is paused; try a learning rate 10x "
                    "smaller (%g)%s",
                    what, t->epoch + 1, t->batch + 1, (double) t->cfg.lr, when,
                    (double) t->cfg.lr / 10, t->cfg.clip_norm > 0 ? "" : " or gradient clipping");
        }
      else
        {
          ae_error_prefix (&err, "training stopped at epoch %d, batch %ld", t->epoch + 1,
                           t->batch + 1);
          snprintf (message, message_len, "%s", err.message);
        }
      return BATCH_FAILED;
    }

  if (t->lowest_loss <= 0 || terms.total < t->lowest_loss)
    t->lowest_loss = terms.total;
  t->pos += b;
  t->batch++;
  t->steps++;
  ae_loss_terms_add (&t->epoch_sum, &terms, (double) b);
  t->epoch_samples += b;
  t->epoch_train_s += dt;
  t->speed_s[t->speed_next] = dt;
  t->speed_n[t->speed_next] = b;
  t->speed_next = (t->speed_next + 1) % SPEED_WINDOW;
  if (t->pos < ds->n_train)
    {
      if (t->steps % BACKUP_EVERY_BATCHES == 0)
        take_backup (t);
      return BATCH_DONE;
    }
  evaluate_val (t);
  return BATCH_EPOCH_END;
}

/* Moves past an epoch's end once its report is made. */
static void
next_epoch (AeTrainer *t)
{
  t->epoch++;
  t->pos = 0;
  t->batch = 0;
  take_backup (t);
}

/* Blocks on wake until signalled; tells waiting callers first. Called with the lock held.
 * `resting` says that every command so far has been carried out, which a parked thread
 * (one that only lets a reader in between two batches) cannot say. */
static void
wait_for_command (AeTrainer *t, int resting)
{
  t->waiting = 1;
  t->resting = resting;
  pthread_cond_broadcast (&t->changed);
  pthread_cond_wait (&t->wake, &t->lock);
  t->waiting = 0;
  t->resting = 0;
}

static void *
thread_main (void *data)
{
  AeTrainer *t = data;
#ifdef __linux__
  /* Linux keeps niceness per thread, and threads this one starts (the model's training
   * team) inherit it. Failure only means full priority. */
  if (t->opts.nice > 0)
    {
      id_t self = (id_t) syscall (SYS_gettid);
      int nice = getpriority (PRIO_PROCESS, self) + t->opts.nice;
      (void) setpriority (PRIO_PROCESS, self, nice < 19 ? nice : 19);
    }
#endif
  for (int e = 0; e < t->replay_shuffles; e++)
    {
      if (e % 1024 == 1023)
        {
          pthread_mutex_lock (&t->lock);
          int stop = t->stop;
          pthread_mutex_unlock (&t->lock);
          if (stop)
            break;
        }
      memcpy (t->perm, ae_dataset_train (t->data), (size_t) t->data->n_train * sizeof (uint32_t));
      ae_rng_shuffle (&t->shuffle_rng, t->perm, (uint32_t) t->data->n_train);
    }
  pthread_mutex_lock (&t->lock);
  for (;;)
    {
      if (t->stop)
        break;
      if (t->want_park > 0)
        {
          wait_for_command (t, 0);
          continue;
        }
      AeConfig new_cfg;
      int apply = t->config_pending, reset = t->reset_requested, report = t->report_requested;
      int new_round = t->run_requested;
      if (apply)
        new_cfg = t->config;
      t->config_pending = t->reset_requested = t->report_requested = t->run_requested = 0;
      if (reset)
        {
          /* A reset pauses. */
          t->mode = MODE_PAUSED;
          t->steps_left = 0;
        }
      Mode mode = t->mode;
      int became_paused = mode == MODE_PAUSED && t->active;
      if (!apply && !reset && !report && !became_paused && mode == MODE_PAUSED)
        {
          wait_for_command (t, 1);
          continue;
        }
      t->active = mode != MODE_PAUSED;
      pthread_mutex_unlock (&t->lock);

      char message[AE_ERROR_MESSAGE_MAX] = "";
      int pause_now = 0, finished = 0, batch_done = 0, epoch_done = 0;
      if (apply)
        {
          AeError err = { 0 };
          if (apply_config (t, &new_cfg, &err) != AE_OK)
            {
              ae_error_prefix (&err, "the new settings were not applied");
              memcpy (message, err.message, sizeof message);
              pause_now = 1;
            }
        }
      /* RESET and PAUSED reports are full, so they also answer a request. */
      if (reset)
        {
          do_reset (t);
          emit_kind (t, AE_REPORT_RESET, 1, NULL);
        }
      else if (became_paused || pause_now)
        emit_kind (t, AE_REPORT_PAUSED, 1, message[0] != '\0' ? message : NULL);
      else if (report)
        emit_kind (t, mode == MODE_PAUSED ? AE_REPORT_PAUSED : AE_REPORT_PROGRESS, 1, NULL);
      if (pause_now)
        t->active = 0; /* already said */
      if (new_round && t->cfg.epochs > 0 && t->epoch >= t->round_start + t->cfg.epochs)
        t->round_start = t->epoch;

      if (mode != MODE_PAUSED && !pause_now)
        {
          double t0 = ae_monotonic_seconds ();
          BatchResult res = train_batch (t, message, sizeof message);
          if (res == BATCH_FAILED)
            {
              emit_kind (t, AE_REPORT_DIVERGED, 1, message);
              pause_now = 1;
            }
          else
            {
              batch_done = 1;
              double now = ae_monotonic_seconds ();
              if (res == BATCH_EPOCH_END)
                {
                  epoch_done = 1;
                  t->elapsed += now - t0;
                  AeReport *r = report_new (t, AE_REPORT_EPOCH, 0);
                  if (r != NULL && t->epoch_train_s > 0)
                    r->samples_per_s = (double) t->epoch_samples / t->epoch_train_s;
                  emit (t, r);
                  t->last_progress = now;
                  next_epoch (t);
                  finished = mode == MODE_RUN && t->cfg.epochs > 0
                             && t->epoch >= t->round_start + t->cfg.epochs;
                  if (finished)
                    emit_kind (t, AE_REPORT_FINISHED, 0, NULL);
                }
              else
                {
                  if (due (t->last_progress, t->opts.report_hz, now))
                    {
                      emit_kind (t, AE_REPORT_PROGRESS, 0, NULL);
                      t->last_progress = now;
                    }
                  t->elapsed += ae_monotonic_seconds () - t0;
                }
            }
        }

      pthread_mutex_lock (&t->lock);
      t->shared_steps = t->steps;
      if (pause_now || finished)
        t->mode = MODE_PAUSED;
      else if (batch_done && mode == MODE_STEP_BATCH && t->mode == MODE_STEP_BATCH
               && --t->steps_left <= 0)
        t->mode = MODE_PAUSED;
      else if (epoch_done && mode == MODE_STEP_EPOCH && t->mode == MODE_STEP_EPOCH)
        t->mode = MODE_PAUSED;
    }
  t->exited = 1;
  t->waiting = 1;
  t->resting = 1;
  pthread_cond_broadcast (&t->changed);
  pthread_mutex_unlock (&t->lock);
  return NULL;
}

/* --- the public side ------------------------------------------------------------------- */

void
ae_trainer_options_init (AeTrainerOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->n_preview = 12;
  opts->n_codes = 2000;
  opts->report_hz = 30;
  opts->codes_hz = 4;
  opts->weights_hz = 4;
}

/* count indices spread evenly over a split (the test split, else validation, else all). */
static uint32_t *
pick_fixed (const AeDataset *ds, int *count)
{
  const uint32_t *from = ae_dataset_test (ds);
  long avail = ds->n_test;
  if (avail == 0)
    {
      from = ae_dataset_val (ds);
      avail = ds->n_val;
    }
  if (avail == 0)
    {
      from = ae_dataset_train (ds);
      avail = ds->n_train;
    }
  if (*count > avail)
    *count = (int) avail;
  if (*count <= 0)
    return NULL;
  uint32_t *idx = malloc ((size_t) *count * sizeof (uint32_t));
  if (idx != NULL)
    for (int i = 0; i < *count; i++)
      idx[i] = from[(long) i * avail / *count];
  return idx;
}

AeStatus
ae_trainer_new (AeTrainer **out, const AeTrainerOptions *opts, AeError *err)
{
  *out = NULL;
  const AeDataset *ds = opts->data;
  if (ds == NULL || ds->n_train <= 0)
    return ae_error_set (err, AE_ERR_INVALID, "%s: no training samples to train on",
                         ds != NULL ? ds->name : "(no dataset)");
  if (opts->config.batch <= 0)
    return ae_error_set (err, AE_ERR_INVALID, "batch size %d: expected at least 1", opts->config.batch);
  if (ds->n_train > UINT32_MAX)
    return ae_error_set (err, AE_ERR_LIMIT, "%ld training samples: too many", ds->n_train);

  AeTrainer *t = calloc (1, sizeof *t);
  if (t == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for a trainer");
  t->opts = *opts;
  t->data = ds;
  t->cfg = opts->config;
  t->config = opts->config;
  AeStatus st = ae_model_new (&t->model, &opts->config, err);
  if (st != AE_OK)
    {
      free (t);
      return st;
    }
  t->cfg = *ae_model_config (t->model);
  t->cfg.epochs = opts->config.epochs;
  t->config = t->cfg;
  /* A full model, not a clone: the backup keeps the optimiser state with the weights. */
  AeConfig backup_cfg = *ae_model_config (t->model);
  if (ae_model_new (&t->backup, &backup_cfg, err) != AE_OK)
    t->backup = NULL;
  t->batch_cap = t->cfg.batch;
  t->batch_x = malloc ((size_t) t->batch_cap * (size_t) ds->dim * sizeof (float));
  t->eval_x = malloc ((size_t) EVAL_CHUNK * (size_t) ds->dim * sizeof (float));
  t->perm = malloc ((size_t) ds->n_train * sizeof (uint32_t));

  t->n_preview = opts->n_preview > 0 ? opts->n_preview : 0;
  uint32_t *preview_idx = pick_fixed (ds, &t->n_preview);
  if (t->n_preview > 0 && preview_idx != NULL)
    {
      t->preview_clean = malloc ((size_t) t->n_preview * (size_t) ds->dim * sizeof (float));
      if (t->preview_clean != NULL)
        ae_dataset_gather (ds, t->preview_clean, preview_idx, t->n_preview);
    }
  free (preview_idx);
  t->n_codes = opts->n_codes > 0 ? opts->n_codes : 0;
  t->code_idx = pick_fixed (ds, &t->n_codes);
  if (t->n_codes > 0 && t->code_idx != NULL)
    {
      t->code_x = malloc ((size_t) t->n_codes * (size_t) ds->dim * sizeof (float));
      if (t->code_x != NULL)
        ae_dataset_gather (ds, t->code_x, t->code_idx, t->n_codes);
      if (ds->factors != NULL)
        {
          t->code_factors = malloc ((size_t) t->n_codes * (size_t) ds->n_factors * sizeof (float));
          if (t->code_factors != NULL)
            ae_dataset_gather_factors (ds, t->code_factors, t->code_idx, t->n_codes);
        }
    }
  if (t->backup == NULL || t->batch_x == NULL || t->eval_x == NULL || t->perm == NULL
      || (t->n_preview > 0 && t->preview_clean == NULL)
      || (t->n_codes > 0 && (t->code_idx == NULL || t->code_x == NULL))
      || (t->n_codes > 0 && ds->factors != NULL && t->code_factors == NULL))
    {
      ae_trainer_free (t);
      return ae_error_set (err, AE_ERR_NOMEM, "out of memory for the trainer's buffers");
    }

  seed_streams (t);
  clear_progress (t);
  if (opts->start_weights != NULL)
    {
      const AeConfig *from = ae_model_config (opts->start_weights);
      if (ae_model_n_params (opts->start_weights) != ae_model_n_params (t->model)
          || ae_model_input_dim (opts->start_weights) != ae_model_input_dim (t->model)
          || from->latent != t->cfg.latent || from->arch != t->cfg.arch
          || from->variational != t->cfg.variational)
        {
          ae_trainer_free (t);
          return ae_error_set (err, AE_ERR_INVALID,
                               "the weights to resume from (%zu parameters) do not fit the configured model",
                               ae_model_n_params (opts->start_weights));
        }
      ae_model_copy_params (t->model, opts->start_weights);
      long bpe = (ds->n_train + t->cfg.batch - 1) / t->cfg.batch;
      long start_batch = opts->start_batch > 0 && opts->start_batch < bpe ? opts->start_batch : 0;
      int start_epoch = opts->start_epoch > 0 ? opts->start_epoch : 0;
      /* The shuffles of the epochs before (and of the one under way) are replayed, so that
       * the resumed epoch sees the order an uninterrupted run would have: on the trainer's
       * thread, before its first command, since thousands of them take seconds (a session
       * file saying epoch 99999 froze the window that opened it). */
      t->replay_shuffles = start_epoch + (start_batch > 0) < 100000 ? start_epoch + (start_batch > 0)
                                                                    : 100000;
      t->epoch = start_epoch;
      t->batch = start_batch;
      t->pos = start_batch * t->cfg.batch;
      t->steps = opts->start_steps > 0 ? opts->start_steps : 0;
      t->shared_steps = t->steps;
      t->elapsed = opts->start_elapsed_s > 0 ? opts->start_elapsed_s : 0;
    }
  take_backup (t);
  pthread_mutex_init (&t->lock, NULL);
  pthread_cond_init (&t->wake, NULL);
  pthread_cond_init (&t->changed, NULL);
  t->mode = MODE_PAUSED;
  if (pthread_create (&t->thread, NULL, thread_main, t) != 0)
    {
      ae_trainer_free (t);
      return ae_error_set (err, AE_ERR_NOMEM, "could not start the training thread");
    }
  t->thread_started = 1;
  *out = t;
  return AE_OK;
}

void
ae_trainer_stop (AeTrainer *t)
{
  if (!t->thread_started)
    return;
  pthread_mutex_lock (&t->lock);
  int join = !t->stop;
  t->stop = 1;
  pthread_cond_signal (&t->wake);
  pthread_mutex_unlock (&t->lock);
  if (join)
    pthread_join (t->thread, NULL);
}

void
ae_trainer_free (AeTrainer *t)
{
  if (t == NULL)
    return;
  if (t->thread_started)
    {
      ae_trainer_stop (t);
      pthread_mutex_destroy (&t->lock);
      pthread_cond_destroy (&t->wake);
      pthread_cond_destroy (&t->changed);
    }
  ae_model_free (t->model);
  ae_model_free (t->backup);
  free (t->batch_x);
  free (t->eval_x);
  free (t->perm);
  free (t->preview_clean);
  free (t->code_idx);
  free (t->code_x);
  free (t->code_factors);
  free (t);
}

static void
command (AeTrainer *t, Mode mode)
{
  pthread_mutex_lock (&t->lock);
  switch (mode)
    {
    case MODE_RUN:
      t->mode = MODE_RUN;
      t->run_requested = 1;
      break;
    case MODE_PAUSED:
      t->mode = MODE_PAUSED;
      t->steps_left = 0;
      break;
    case MODE_STEP_BATCH:
      /* Steps add up while paused; a step while running pauses after the next batch. */
      t->steps_left = t->mode == MODE_PAUSED || t->mode == MODE_STEP_BATCH ? t->steps_left + 1 : 1;
      t->mode = MODE_STEP_BATCH;
      break;
    case MODE_STEP_EPOCH:
      t->mode = MODE_STEP_EPOCH;
      t->steps_left = 0;
      break;
    }
  pthread_cond_signal (&t->wake);
  pthread_mutex_unlock (&t->lock);
}

void ae_trainer_run (AeTrainer *t) { command (t, MODE_RUN); }
void ae_trainer_pause (AeTrainer *t) { command (t, MODE_PAUSED); }
void ae_trainer_step_batch (AeTrainer *t) { command (t, MODE_STEP_BATCH); }
void ae_trainer_step_epoch (AeTrainer *t) { command (t, MODE_STEP_EPOCH); }

void
ae_trainer_reset (AeTrainer *t)
{
  pthread_mutex_lock (&t->lock);
  t->reset_requested = 1;
  t->mode = MODE_PAUSED;
  t->steps_left = 0;
  pthread_cond_signal (&t->wake);
  pthread_mutex_unlock (&t->lock);
}

void
ae_trainer_request_report (AeTrainer *t)
{
  pthread_mutex_lock (&t->lock);
  t->report_requested = 1;
  pthread_cond_signal (&t->wake);
  pthread_mutex_unlock (&t->lock);
}

AeStatus
ae_trainer_set_config (AeTrainer *t, const AeConfig *cfg, AeError *err)
{
  pthread_mutex_lock (&t->lock);
  /* The number of epochs belongs to the trainer, so it may always change. */
  AeConfig candidate = *cfg;
  candidate.epochs = t->config.epochs;
  int live = ae_config_is_live_change (&t->config, &candidate);
  pthread_mutex_unlock (&t->lock);
  if (!live)
    return ae_error_set (err, AE_ERR_INVALID,
                         "only the learning rate, penalty weights, noise, KL weight and warm-up, "
                         "clipping, weight decay, momentum and epochs can change during training; "
                         "start a new model for other changes");
  if (cfg->epochs < 0)
    return ae_error_set (err, AE_ERR_INVALID, "%d epochs: expected 0 (no end) or more", cfg->epochs);
  AeStatus st = ae_config_validate (cfg, err);
  if (st != AE_OK)
    return st;
  pthread_mutex_lock (&t->lock);
  t->config = *cfg;
  t->config_pending = 1;
  pthread_cond_signal (&t->wake);
  pthread_mutex_unlock (&t->lock);
  return AE_OK;
}

static int
idle_locked (const AeTrainer *t)
{
  return t->exited
         || (t->resting && t->want_park == 0 && t->mode == MODE_PAUSED && !t->config_pending
             && !t->reset_requested && !t->report_requested);
}

void
ae_trainer_wait_idle (AeTrainer *t)
{
  pthread_mutex_lock (&t->lock);
  while (!idle_locked (t))
    pthread_cond_wait (&t->changed, &t->lock);
  pthread_mutex_unlock (&t->lock);
}

int
ae_trainer_is_running (AeTrainer *t)
{
  pthread_mutex_lock (&t->lock);
  int running = !t->exited && t->mode != MODE_PAUSED;
  pthread_mutex_unlock (&t->lock);
  return running;
}

AeModel *
ae_trainer_clone_weights (AeTrainer *t)
{
  pthread_mutex_lock (&t->lock);
  t->want_park++;
  pthread_cond_signal (&t->wake);
  /* The thread parks between batches (or is already waiting); while it waits under the
   * condition variable it touches nothing, so the model can be read here. */
  while (!t->waiting)
    pthread_cond_wait (&t->changed, &t->lock);
  AeModel *copy = ae_model_clone (t->model);
  t->want_park--;
  pthread_cond_signal (&t->wake);
  pthread_cond_broadcast (&t->changed);
  pthread_mutex_unlock (&t->lock);
  return copy;
}

long
ae_trainer_steps (AeTrainer *t)
{
  pthread_mutex_lock (&t->lock);
  long steps = t->shared_steps;
  pthread_mutex_unlock (&t->lock);
  return steps;
}

void
ae_trainer_get_config (AeTrainer *t, AeConfig *cfg)
{
  pthread_mutex_lock (&t->lock);
  *cfg = t->config;
  pthread_mutex_unlock (&t->lock);
}
