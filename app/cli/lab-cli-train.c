/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli-train.c: `latentlab train`, and the training loop that `anomaly` shares. Both go
 * through AeTrainer, the engine the window uses, so what the window shows can be
 * reproduced from a script. */
#include "lab-cli.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ae-clock.h"
#include "ae-io.h"
#include "ae-trainer.h"

typedef struct {
  const LabArgs *args;
  int json, quiet, tty;
  AeConfig cfg;
  int epochs_done;
  int diverged;
  char message[AE_ERROR_MESSAGE_MAX];
  int progress_shown;
  AeLossTerms train, val;
  int has_val;
} TrainView;

static void
clear_progress (TrainView *v)
{
  if (v->progress_shown)
    {
      fputs ("\r\033[K", stderr);
      fflush (stderr);
      v->progress_shown = 0;
    }
}

static void
print_epoch_json (const TrainView *v, const AeReport *r)
{
  LabJson j;
  lab_json_begin (&j, stdout);
  lab_json_int (&j, "epoch", r->epoch + 1);
  lab_json_number (&j, "train_loss", r->train.total);
  lab_json_number (&j, "val_loss", r->has_val ? r->val.total : NAN);
  lab_json_object_begin (&j, "terms");
  lab_json_number (&j, "reconstruction", r->train.reconstruction);
  lab_json_number (&j, "sparsity", r->train.sparsity);
  lab_json_number (&j, "contractive", r->train.contractive);
  lab_json_number (&j, "kl", r->train.kl);
  lab_json_object_end (&j);
  lab_json_number (&j, "samples_per_s", r->samples_per_s);
  (void) v;
  lab_json_end (&j);
}

static void
print_epoch_text (const TrainView *v, const AeReport *r)
{
  const AeConfig *c = &v->cfg;
  printf ("epoch %3d/%d  loss %9.4f  (reconstruction %.4f", r->epoch + 1, c->epochs, r->train.total,
          r->train.reconstruction);
  if (c->l1_code > 0 || c->kl_sparsity > 0)
    printf (", sparsity %.4f", r->train.sparsity);
  if (c->contractive > 0)
    printf (", contractive %.4f", r->train.contractive);
  if (c->variational)
    printf (", kl %.4f", r->train.kl);
  printf (")");
  if (r->has_val)
    printf ("  val %9.4f", r->val.total);
  printf ("  %8.0f samples/s\n", r->samples_per_s);
  fflush (stdout);
}

static void
on_report (AeReport *r, void *data)
{
  TrainView *v = data;
  switch (r->kind)
    {
    case AE_REPORT_PROGRESS:
      if (v->tty && r->batches_per_epoch > 0)
        {
          fprintf (stderr, "\r\033[Kepoch %d/%d  batch %ld/%ld  loss %.4f  %.0f samples/s",
                   r->epoch + 1, v->cfg.epochs, r->batch, r->batches_per_epoch, r->train.total,
                   r->samples_per_s);
          fflush (stderr);
          v->progress_shown = 1;
        }
      break;
    case AE_REPORT_EPOCH:
      clear_progress (v);
      v->epochs_done++;
      v->train = r->train;
      v->val = r->val;
      v->has_val = r->has_val;
      if (!v->quiet)
        {
          if (v->json)
            print_epoch_json (v, r);
          else
            print_epoch_text (v, r);
        }
      break;
    case AE_REPORT_DIVERGED:
      clear_progress (v);
      v->diverged = 1;
      snprintf (v->message, sizeof v->message, "%s", r->message);
      break;
    default:
      break;
    }
  ae_report_free (r);
}

/* Ctrl-C or SIGTERM while a model is to be saved: the first asks the trainer to stop at the
 * end of its batch, so that what was trained is saved; the second ends the program at once.
 * The handler only writes to a pipe (async-signal-safe); a watcher thread reads it and pauses
 * the trainer, which a handler cannot do (it takes a lock). */
static int interrupt_pipe[2] = { -1, -1 };
/* Lock-free atomics are safe in a handler, and read by two threads here. */
static atomic_int interrupt_signal;

static void
on_interrupt (int sig)
{
  if (interrupt_signal != 0)
    {
      signal (sig, SIG_DFL);
      raise (sig);
      return;
    }
  interrupt_signal = sig;
  char byte = 1;
  ssize_t ignored = write (interrupt_pipe[1], &byte, 1);
  (void) ignored;
}

typedef struct {
  AeTrainer *trainer;
  pthread_t thread;
  struct sigaction old_int, old_term;
  int installed;
} InterruptWatch;

static void *
interrupt_watch_thread (void *data)
{
  InterruptWatch *w = data;
  char byte = 0;
  while (read (interrupt_pipe[0], &byte, 1) < 0)
    ;
  if (byte == 1)
    {
      fprintf (stderr, "%s%s: stopping at the end of this batch to save what was trained "
               "(press Ctrl-C again to quit at once)\n",
               isatty (STDERR_FILENO) ? "\r\033[K" : "", interrupt_signal == SIGTERM ? "terminated" : "interrupted");
      ae_trainer_pause (w->trainer);
    }
  return NULL;
}

static void
interrupt_watch_start (InterruptWatch *w, AeTrainer *trainer)
{
  memset (w, 0, sizeof *w);
  w->trainer = trainer;
  interrupt_signal = 0;
  if (pipe (interrupt_pipe) != 0)
    return; /* the signals then keep their default: the process ends at once */
  if (pthread_create (&w->thread, NULL, interrupt_watch_thread, w) != 0)
    {
      close (interrupt_pipe[0]);
      close (interrupt_pipe[1]);
      return;
    }
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset (&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction (SIGINT, &sa, &w->old_int);
  sigaction (SIGTERM, &sa, &w->old_term);
  w->installed = 1;
}

/* Ends the watcher. The handlers stay until the weights are saved (a first signal then
 * waits for the save); lab_interrupt_finish restores them. */
static void
interrupt_watch_stop (InterruptWatch *w)
{
  if (!w->installed)
    return;
  char byte = 0;
  if (interrupt_signal == 0)
    {
      ssize_t ignored = write (interrupt_pipe[1], &byte, 1);
      (void) ignored;
    }
  pthread_join (w->thread, NULL);
}

/* Restores the signals' handlers; returns the signal that came meanwhile, or 0. */
static int
interrupt_watch_finish (InterruptWatch *w)
{
  if (!w->installed)
    return 0;
  sigaction (SIGINT, &w->old_int, NULL);
  sigaction (SIGTERM, &w->old_term, NULL);
  close (interrupt_pipe[0]);
  close (interrupt_pipe[1]);
  interrupt_pipe[0] = interrupt_pipe[1] = -1;
  w->installed = 0;
  return interrupt_signal;
}

/* A budget of time ends with smaller steps: over its second half the learning rate falls
 * linearly to a twentieth of its own. The photo denoiser on two cores at load 19 (18 s of
 * CPU in 200 s): 29.07 dB on a photo it never saw against 28.70 at a constant rate. */
#define ANNEAL_FROM 0.5
#define ANNEAL_TO 0.05

static void
anneal_learning_rate (AeTrainer *trainer, float lr, double fraction)
{
  if (fraction <= ANNEAL_FROM)
    return;
  double left = fraction < 1.0 ? (1.0 - fraction) / (1.0 - ANNEAL_FROM) : 0.0;
  AeConfig now;
  ae_trainer_get_config (trainer, &now);
  now.lr = (float) (lr * (ANNEAL_TO + (1.0 - ANNEAL_TO) * left));
  ae_trainer_set_config (trainer, &now, NULL);
}

/* Above this a model trains at a few samples a second on a laptop. */
#define LAB_LARGE_MODEL_PARAMS 20000000

/* Trains; with keep (a model to save), a first Ctrl-C or SIGTERM stops at the end of the
 * batch and divergence gives the last finite weights: both come back in *out with
 * result->interrupted or result->diverged set. */
static int
train_model (const LabArgs *args, const AeDataset *ds, const AeConfig *cfg, int json, int quiet,
             int keep, double seconds, InterruptWatch *watch, AeModel **out,
             LabTrainResult *result)
{
  *out = NULL;
  memset (result, 0, sizeof *result);
  memset (watch, 0, sizeof *watch);
  TrainView view = { 0 };
  view.args = args;
  view.json = json;
  view.quiet = quiet;
  view.tty = isatty (STDERR_FILENO);
  view.cfg = *cfg;

  AeTrainerOptions opts;
  ae_trainer_options_init (&opts);
  opts.data = ds;
  opts.config = *cfg;
  /* The command line needs no preview, codes or periodic weights: they would cost time. */
  opts.n_preview = 0;
  opts.n_codes = 0;
  opts.weights_hz = 0;
  opts.codes_hz = 0;
  opts.report_hz = view.tty ? 4 : 0;
  opts.report = on_report;
  opts.user_data = &view;
  AeTrainer *trainer = NULL;
  AeError err = { 0 };
  /* A model this large takes seconds to initialise, minutes or more per epoch, and the first
   * line of progress comes at the end of one: say so now rather than stay silent. */
  size_t n_params = 0;
  if (!quiet && ae_model_count_params (cfg, &n_params, &err) == AE_OK
      && n_params > LAB_LARGE_MODEL_PARAMS)
    fprintf (stderr, "latentlab %s: %.0f million parameters (%.1f GB with the optimiser's state): "
             "each epoch will take a long time; a smaller --hidden or --latent trains far faster\n",
             args->command, n_params / 1e6, n_params * 4.0 * sizeof (float) / 1e9);
  /* A model too large for the limits is the options' fault (--hidden, --latent) whatever the
   * architecture: dense models are refused so by ae_config_validate, conv and LSTM models only
   * here, when they are built. */
  if (ae_trainer_new (&trainer, &opts, &err) != AE_OK)
    return lab_fail (args,
                     err.status == AE_ERR_INVALID || err.status == AE_ERR_LIMIT ? LAB_EXIT_USAGE
                                                                                 : LAB_EXIT_FAILURE,
                     "%s", err.message);
  if (keep)
    interrupt_watch_start (watch, trainer);
  double t0 = ae_monotonic_seconds ();
  ae_trainer_run (trainer);
  if (seconds > 0)
    {
      /* A budget of wall time: the batch in progress ends, and the weights are kept. */
      while (ae_trainer_is_running (trainer) && ae_monotonic_seconds () - t0 < seconds)
        {
          usleep (20000);
          anneal_learning_rate (trainer, cfg->lr, (ae_monotonic_seconds () - t0) / seconds);
        }
      ae_trainer_pause (trainer);
    }
  ae_trainer_wait_idle (trainer);
  if (keep)
    interrupt_watch_stop (watch);
  result->seconds = ae_monotonic_seconds () - t0;
  result->epochs = view.epochs_done;
  result->train = view.train;
  result->val = view.val;
  result->has_val = view.has_val;
  result->interrupted = keep ? interrupt_signal : 0;
  result->diverged = view.diverged;
  result->steps = ae_trainer_steps (trainer);
  clear_progress (&view);
  if (view.diverged && !keep)
    {
      ae_trainer_free (trainer);
      return lab_fail (args, LAB_EXIT_FAILURE, "%s", view.message);
    }
  /* After a divergence the trainer has restored the last finite weights. */
  *out = ae_trainer_clone_weights (trainer);
  ae_trainer_free (trainer);
  if (*out == NULL)
    return lab_fail (args, LAB_EXIT_FAILURE, "out of memory for a copy of the weights");
  /* The model keeps the rate it was given, not the annealed one: training it further starts
   * where this run did. */
  AeConfig trained = *ae_model_config (*out);
  trained.lr = cfg->lr;
  ae_model_set_config (*out, &trained, NULL);
  if (view.diverged)
    {
      snprintf (result->message, sizeof result->message, "%s", view.message);
      return LAB_EXIT_FAILURE;
    }
  return LAB_EXIT_OK;
}

int
lab_train_model (const LabArgs *args, const AeDataset *ds, const AeConfig *cfg, int json, int quiet,
                 AeModel **out, LabTrainResult *result)
{
  InterruptWatch watch;
  return train_model (args, ds, cfg, json, quiet, 0, 0.0, &watch, out, result);
}

int
lab_cli_train (LabArgs *args)
{
  AeConfig cfg;
  int status = lab_config_from_args (args, "undercomplete", &cfg);
  if (status != LAB_EXIT_OK)
    return status;
  int json = lab_args_flag (args, "json");
  const char *save = lab_args_get (args, "save");
  if (save != NULL && (status = lab_check_writable (args, "save", save)) != LAB_EXIT_OK)
    return status;
  const char *spec = lab_args_get (args, "data");
  if (spec == NULL)
    spec = cfg.arch == AE_ARCH_SEQUENCE ? "sines" : "digits";
  double seconds = 0;
  const char *seconds_text = lab_args_get (args, "seconds");
  if (seconds_text != NULL)
    {
      char *end = NULL;
      seconds = strtod (seconds_text, &end);
      if (end == seconds_text || *end != '\0' || !(seconds > 0 && seconds < 1e9))
        return lab_fail (args, LAB_EXIT_USAGE, "--seconds '%s': expected a positive number of seconds",
                         seconds_text);
    }
  AeDataset *ds = NULL;
  if ((status = lab_load_training_data (args, spec, &cfg, &ds)) != LAB_EXIT_OK)
    return status;
  if ((status = lab_config_fit (args, &cfg, ds)) != LAB_EXIT_OK)
    {
      ae_dataset_free (ds);
      return status;
    }
  /* the preset's epochs, unless --epochs says otherwise, are counted on the digits' split */
  if (lab_args_get (args, "epochs") == NULL && ae_config_preset_epochs (cfg.preset, ds->n_train) > 0)
    cfg.epochs = ae_config_preset_epochs (cfg.preset, ds->n_train);
  lab_apply_threads (args, cfg.threads);
  if (!json)
    printf ("training %s on %s: %ld training, %ld validation samples of %d values; %d epoch%s\n",
            cfg.preset, ds->name, ds->n_train, ds->n_val, ds->dim, cfg.epochs, cfg.epochs == 1 ? "" : "s");

  AeModel *model = NULL;
  LabTrainResult res;
  InterruptWatch watch;
  status = train_model (args, ds, &cfg, json, 0, save != NULL, seconds, &watch, &model, &res);
  ae_dataset_free (ds);
  if (model == NULL)
    {
      interrupt_watch_finish (&watch);
      return status;
    }
  AeError err = { 0 };
  if (save != NULL && ae_model_save (model, save, &err) != AE_OK)
    {
      interrupt_watch_finish (&watch);
      ae_model_free (model);
      if (res.diverged)
        lab_fail (args, LAB_EXIT_FAILURE, "%s", res.message);
      return lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
    }
  int interrupted = interrupt_watch_finish (&watch);
  if (res.diverged)
    {
      ae_model_free (model);
      return lab_fail (args, LAB_EXIT_FAILURE, "%s; the last finite weights are saved to %s", res.message, save);
    }
  if (interrupted)
    {
      fprintf (stderr, "latentlab train: %s after %ld batches (%d full epoch%s): saved what was "
               "trained to %s\n", interrupted == SIGTERM ? "terminated" : "interrupted",
               res.steps, res.epochs, res.epochs == 1 ? "" : "s", save);
      ae_model_free (model);
      /* Dying of the signal tells the shell (and a script's loop) what happened. */
      signal (interrupted, SIG_DFL);
      raise (interrupted);
      return LAB_EXIT_FAILURE;
    }
  if (json)
    {
      LabJson j;
      lab_json_begin (&j, stdout);
      lab_json_bool (&j, "done", 1);
      lab_json_number (&j, "seconds", res.seconds);
      lab_json_int (&j, "epochs", res.epochs);
      lab_json_number (&j, "train_loss", res.train.total);
      lab_json_number (&j, "val_loss", res.has_val ? res.val.total : NAN);
      lab_json_int (&j, "parameters", (long) ae_model_n_params (model));
      if (save != NULL)
        lab_json_string (&j, "saved", save);
      lab_json_end (&j);
    }
  else
    printf ("done: %d epochs in %.1f s, %zu parameters%s%s\n", res.epochs, res.seconds,
            ae_model_n_params (model), save ? "; saved " : "", save ? save : "");
  ae_model_free (model);
  return LAB_EXIT_OK;
}
