/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Divergence recovery of the trainer, for every dense preset: a learning rate of 100 is
 * caught within a few batches (also when the loss runs away while staying finite), the
 * weights come back finite and reconstruct as well as before, training continues after a
 * restore, and a healthy run never trips the check. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ae-test.h"
#include "ae-trainer.h"

static const char *const dense_presets[] = { "undercomplete", "sparse", "contractive",
                                             "denoising", "vae", "linear" };

/* n images of side x side: a bar or a blob at a random place, plus a little noise. */
static AeDataset *
make_dataset (long n, int side)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  if (ae_dataset_new (&ds, n, 1, side, side, 2, &err) != AE_OK)
    {
      printf ("# ae_dataset_new: %s\n", err.message);
      return NULL;
    }
  AeRng rng;
  ae_rng_seed (&rng, 11);
  for (long i = 0; i < n; i++)
    {
      int label = (int) (i % 2);
      int shift = (int) ae_rng_below (&rng, (uint32_t) (side - 2));
      float *x = ds->x + i * ds->dim;
      for (int r = 0; r < side; r++)
        for (int c = 0; c < side; c++)
          {
            int on = label == 0 ? (c == shift || c == shift + 1)
                                : (r - side / 2) * (r - side / 2) + (c - shift) * (c - shift) < 5;
            x[r * side + c] = (on ? 0.85f : 0.08f) + 0.05f * ae_rng_uniform (&rng);
          }
      ds->labels[i] = label;
    }
  ae_dataset_split_fixed (ds, 0, 0.2);
  return ds;
}

/* A preset shrunk to the dataset; lr NULL keeps the preset's own rate and optimiser. */
static int
make_config (AeConfig *cfg, const AeDataset *ds, const char *preset, const char *optimizer)
{
  AeError err = { 0 };
  const char *opts[][2] = { { "hidden", "32" }, { "latent", "4" }, { "batch", "16" },
                            { "epochs", "50" }, { "seed", "3" } };
  if (ae_config_preset (cfg, preset, &err) != AE_OK)
    goto fail;
  for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
    if (ae_config_set (cfg, opts[i][0], opts[i][1], &err) != AE_OK)
      goto fail;
  if (optimizer != NULL && ae_config_set (cfg, "optimizer", optimizer, &err) != AE_OK)
    goto fail;
  if (ae_config_fit_data (cfg, ds, &err) != AE_OK)
    goto fail;
  return 1;
fail:
  printf ("# %s: %s\n", preset, err.message);
  return 0;
}

typedef struct {
  pthread_mutex_t lock;
  int diverged;        /* DIVERGED reports */
  long diverged_steps; /* steps done when the first came */
  int diverged_weights_finite;
  char message[AE_ERROR_MESSAGE_MAX];
} Watch;

static int
model_finite (AeModel *model)
{
  size_t n;
  const float *p = ae_model_params (model, &n);
  for (size_t i = 0; i < n; i++)
    if (!isfinite (p[i]))
      return 0;
  return 1;
}

static void
watch (AeReport *r, void *data)
{
  Watch *w = data;
  if (r->kind == AE_REPORT_DIVERGED)
    {
      pthread_mutex_lock (&w->lock);
      if (w->diverged++ == 0)
        {
          w->diverged_steps = r->steps;
          w->diverged_weights_finite = r->weights != NULL && model_finite (r->weights);
          memcpy (w->message, r->message, sizeof w->message);
        }
      pthread_mutex_unlock (&w->lock);
    }
  ae_report_free (r);
}

static AeTrainer *
start (Watch *w, const AeDataset *ds, const AeConfig *cfg)
{
  memset (w, 0, sizeof *w);
  pthread_mutex_init (&w->lock, NULL);
  AeTrainerOptions opts;
  ae_trainer_options_init (&opts);
  opts.data = ds;
  opts.config = *cfg;
  opts.n_preview = 4;
  opts.n_codes = 16;
  opts.report_hz = 0;
  opts.codes_hz = 0;
  opts.weights_hz = 0;
  opts.report = watch;
  opts.user_data = w;
  AeTrainer *t = NULL;
  AeError err = { 0 };
  if (ae_trainer_new (&t, &opts, &err) != AE_OK)
    printf ("# trainer: %s\n", err.message);
  return t;
}

/* Reconstruction loss of the trainer's weights on the whole dataset, without noise. */
static double
current_loss (AeTrainer *t, const AeDataset *ds)
{
  AeModel *m = ae_trainer_clone_weights (t);
  if (m == NULL)
    return NAN;
  AeLossTerms terms;
  ae_model_evaluate (m, &terms, ds->x, (int) ds->n, NULL);
  ae_model_free (m);
  return terms.total;
}

static void
train_epochs (AeTrainer *t, int epochs)
{
  for (int e = 0; e < epochs; e++)
    {
      ae_trainer_step_epoch (t);
      ae_trainer_wait_idle (t);
    }
}

static int
set_lr (AeTrainer *t, float lr)
{
  AeConfig cfg;
  AeError err = { 0 };
  ae_trainer_get_config (t, &cfg);
  cfg.lr = lr;
  if (ae_trainer_set_config (t, &cfg, &err) == AE_OK)
    return 1;
  printf ("# lr %g: %s\n", (double) lr, err.message);
  return 0;
}

/* Each preset at its own settings trains for ten epochs without a divergence report, and
 * its loss falls. */
static void
test_healthy_runs (void)
{
  AeDataset *ds = make_dataset (400, 8);
  for (size_t p = 0; ds != NULL && p < sizeof dense_presets / sizeof dense_presets[0]; p++)
    {
      AeConfig cfg;
      Watch w;
      AeTrainer *t;
      if (!make_config (&cfg, ds, dense_presets[p], NULL) || (t = start (&w, ds, &cfg)) == NULL)
        {
          CHECK (0, "%s: fixture", dense_presets[p]);
          continue;
        }
      double before = current_loss (t, ds);
      train_epochs (t, 10);
      double after = current_loss (t, ds);
      CHECK (w.diverged == 0, "%s: a healthy run reports no divergence (%s)", dense_presets[p],
             w.message);
      CHECK (isfinite (after) && after < before, "%s: loss falls from %g to %g", dense_presets[p],
             before, after);
      ae_trainer_free (t);
      pthread_mutex_destroy (&w.lock);
    }
  CHECK (ds != NULL, "dataset");
  ae_dataset_free (ds);
}

/* Trains two epochs at the preset's rate, then runs at 100: a divergence within a few
 * batches, finite weights whose loss is close to the loss before, and a clear message. */
static void
test_lr_100 (void)
{
  AeDataset *ds = make_dataset (400, 8);
  for (size_t p = 0; ds != NULL && p < sizeof dense_presets / sizeof dense_presets[0]; p++)
    {
      const char *name = dense_presets[p];
      AeConfig cfg;
      Watch w;
      AeTrainer *t;
      if (!make_config (&cfg, ds, name, NULL) || (t = start (&w, ds, &cfg)) == NULL)
        {
          CHECK (0, "%s: fixture", name);
          continue;
        }
      train_epochs (t, 2);
      double before = current_loss (t, ds);
      long steps_before = ae_trainer_steps (t);
      if (!set_lr (t, 100))
        CHECK (0, "%s: lr 100 accepted", name);
      ae_trainer_run (t);
      ae_trainer_wait_idle (t);
      double after = current_loss (t, ds);
      CHECK (w.diverged == 1, "%s: one divergence report (%d)", name, w.diverged);
      CHECK (w.diverged_steps - steps_before <= 5, "%s: caught within %ld batches", name,
             w.diverged_steps - steps_before);
      CHECK (w.diverged_weights_finite, "%s: the reported weights are finite", name);
      CHECK (strstr (w.message, "learning rate 100") != NULL && strstr (w.message, "smaller") != NULL,
             "%s: %s", name, w.message);
      CHECK (isfinite (after) && after <= 1.05 * before, "%s: loss %g after the restore, %g before",
             name, after, before);
      printf ("# %s\n", w.message);
      ae_trainer_free (t);
      pthread_mutex_destroy (&w.lock);
    }
  CHECK (ds != NULL, "dataset");
  ae_dataset_free (ds);
}

/* SGD with momentum at 100 diverges; at 0.001 from the restored state it trains: the
 * velocity of the blow-up must not survive the restore. */
static void
test_continue_after_restore (void)
{
  AeDataset *ds = make_dataset (400, 8);
  AeConfig cfg;
  Watch w;
  AeTrainer *t = NULL;
  if (ds == NULL || !make_config (&cfg, ds, "undercomplete", "sgd") || (t = start (&w, ds, &cfg)) == NULL)
    {
      CHECK (0, "fixture");
      goto out;
    }
  train_epochs (t, 1);
  CHECK (set_lr (t, 100), "lr 100");
  ae_trainer_run (t);
  ae_trainer_wait_idle (t);
  CHECK (w.diverged == 1, "SGD at 100 diverges: %s", w.message);
  double restored = current_loss (t, ds);
  CHECK (set_lr (t, 0.001f), "lr 0.001");
  train_epochs (t, 5);
  double later = current_loss (t, ds);
  CHECK (w.diverged == 1, "no second divergence at 0.001 (%d): %s", w.diverged, w.message);
  CHECK (isfinite (later) && later < restored, "loss falls after the restore: %g -> %g", restored,
         later);
  pthread_mutex_destroy (&w.lock);
out:
  ae_trainer_free (t);
  ae_dataset_free (ds);
}

int
main (int argc, char **argv)
{
  ae_set_threads (1);
  static const AeTestCase cases[] = {
    { "/divergence/healthy-runs", test_healthy_runs },
    { "/divergence/lr-100-each-preset", test_lr_100 },
    { "/divergence/continue-after-restore", test_continue_after_restore },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
