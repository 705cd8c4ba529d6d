/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trainer's thread: commands, the order of its reports, random command sequences,
 * stopping within one batch, determinism and recovery from divergence. Each case builds a
 * small dataset of its own, so the suite needs no files. Run it under ThreadSanitizer too:
 *   meson setup build-tsan -Db_sanitize=thread -Dbuildtype=debugoptimized
 *   meson test -C build-tsan --suite engine test-trainer
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#ifdef __linux__
#include <dirent.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "ae-test.h"
#include "ae-trainer.h"

/* --- fixtures ---------------------------------------------------------------------------- */

/* n side x side images: two blurred prototypes (a bar and a blob) plus noise, labelled by
 * prototype; the last n_test are the test split, a fifth of the rest validation. */
static AeDataset *
make_dataset (long n, int side, long n_test)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  if (ae_dataset_new (&ds, n, 1, side, side, 2, &err) != AE_OK)
    {
      printf ("# ae_dataset_new: %s\n", err.message);
      return NULL;
    }
  AeRng rng;
  ae_rng_seed (&rng, 7);
  for (long i = 0; i < n; i++)
    {
      int label = (int) (i % 2);
      float *x = ds->x + i * ds->dim;
      int shift = (int) ae_rng_below (&rng, (uint32_t) (side / 2));
      for (int r = 0; r < side; r++)
        for (int c = 0; c < side; c++)
          {
            float v = label == 0 ? (c == shift || c == shift + 1 ? 0.9f : 0.1f)
                                 : ((r - side / 2) * (r - side / 2) + (c - shift) * (c - shift) < 4 ? 0.8f : 0.05f);
            v += 0.05f * ae_rng_uniform (&rng);
            x[r * side + c] = v > 1 ? 1 : v;
          }
      ds->labels[i] = label;
    }
  ae_dataset_split_fixed (ds, n_test, 0.2);
  return ds;
}

/* The undercomplete preset shrunk to the dataset, with options given as key, value pairs
 * (NULL-terminated). */
static int
make_config (AeConfig *cfg, const AeDataset *ds, ...)
{
  AeError err = { 0 };
  if (ae_config_preset (cfg, "undercomplete", &err) != AE_OK)
    {
      printf ("# preset: %s\n", err.message);
      return 0;
    }
  const char *defaults[][2] = { { "hidden", "8" }, { "latent", "2" }, { "batch", "16" },
                                { "epochs", "3" }, { "seed", "5" }, { "lr", "0.01" } };
  for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
    if (ae_config_set (cfg, defaults[i][0], defaults[i][1], &err) != AE_OK)
      {
        printf ("# %s=%s: %s\n", defaults[i][0], defaults[i][1], err.message);
        return 0;
      }
  va_list ap;
  va_start (ap, ds);
  const char *key;
  while ((key = va_arg (ap, const char *)) != NULL)
    {
      const char *value = va_arg (ap, const char *);
      if (ae_config_set (cfg, key, value, &err) != AE_OK)
        {
          printf ("# %s=%s: %s\n", key, value, err.message);
          va_end (ap);
          return 0;
        }
    }
  va_end (ap);
  if (ae_config_fit_data (cfg, ds, &err) != AE_OK)
    {
      printf ("# fit: %s\n", err.message);
      return 0;
    }
  return 1;
}

/* What the tests look at in each report. */
typedef struct {
  AeReportKind kind;
  unsigned long serial;
  int epoch;
  long batch, batches_per_epoch, steps;
  double train, val;
  int has_val;
  int has_weights, weights_finite;
  int n_preview, n_codes;
  double preview_input_sum, preview_clean_sum; /* fingerprints of the preview images */
  int code_labels_ok;
  float lr;
  char message[AE_ERROR_MESSAGE_MAX];
} Seen;

typedef struct {
  pthread_mutex_t lock;
  Seen *seen;
  long n, cap;
  unsigned long last_serial;
  long out_of_order;
  AeTrainer *trainer;    /* for commands sent from the callback */
  int commands_in_callback;
  AeRng rng;             /* used on the trainer thread only */
} Collector;

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
collect (AeReport *r, void *data)
{
  Collector *c = data;
  Seen s = { 0 };
  s.kind = r->kind;
  s.serial = r->serial;
  s.epoch = r->epoch;
  s.batch = r->batch;
  s.batches_per_epoch = r->batches_per_epoch;
  s.steps = r->steps;
  s.train = r->train.total;
  s.val = r->val.total;
  s.has_val = r->has_val;
  s.has_weights = r->weights != NULL;
  s.weights_finite = r->weights != NULL && model_finite (r->weights);
  s.n_preview = r->preview_output != NULL ? r->n_preview : 0;
  s.n_codes = r->codes != NULL ? r->n_codes : 0;
  for (int i = 0; s.n_preview > 0 && i < r->n_preview * r->dim; i++)
    {
      s.preview_input_sum += (i % 7 + 1) * (double) r->preview_input[i];
      s.preview_clean_sum += (i % 7 + 1) * (double) r->preview_clean[i];
    }
  s.code_labels_ok = r->codes != NULL && r->code_labels != NULL && r->code_indices != NULL;
  for (int i = 0; s.code_labels_ok && i < r->n_codes; i++)
    s.code_labels_ok = r->code_labels[i] == (int) (r->code_indices[i] % 2);
  s.lr = r->config.lr;
  memcpy (s.message, r->message, sizeof s.message);
  ae_report_free (r);

  pthread_mutex_lock (&c->lock);
  if (s.serial <= c->last_serial)
    c->out_of_order++;
  c->last_serial = s.serial;
  if (c->n == c->cap)
    {
      c->cap = c->cap ? 2 * c->cap : 256;
      c->seen = realloc (c->seen, (size_t) c->cap * sizeof *c->seen);
    }
  c->seen[c->n++] = s;
  AeTrainer *trainer = c->trainer;
  int commands = c->commands_in_callback;
  pthread_mutex_unlock (&c->lock);

  /* A callback may send commands: they only set fields under the trainer's lock. */
  if (commands && trainer != NULL)
    {
      uint32_t dice = ae_rng_below (&c->rng, 100);
      if (dice == 0)
        ae_trainer_pause (trainer);
      else if (dice == 1)
        ae_trainer_step_batch (trainer);
    }
}

static void
collector_init (Collector *c)
{
  memset (c, 0, sizeof *c);
  /* allocated from the start: copies of an empty list still have a source */
  c->cap = 256;
  c->seen = malloc ((size_t) c->cap * sizeof *c->seen);
  pthread_mutex_init (&c->lock, NULL);
  ae_rng_seed (&c->rng, 99);
}

static void
collector_clear (Collector *c)
{
  pthread_mutex_lock (&c->lock);
  c->n = 0;
  pthread_mutex_unlock (&c->lock);
}

static void
collector_free (Collector *c)
{
  free (c->seen);
  pthread_mutex_destroy (&c->lock);
}

/* A copy of the reports so far, so that checks need no lock. */
static long
collector_snapshot (Collector *c, Seen **out)
{
  pthread_mutex_lock (&c->lock);
  long n = c->n;
  *out = malloc ((size_t) (n > 0 ? n : 1) * sizeof **out);
  memcpy (*out, c->seen, (size_t) n * sizeof **out);
  pthread_mutex_unlock (&c->lock);
  return n;
}

static long
count_kind (const Seen *s, long n, AeReportKind kind)
{
  long k = 0;
  for (long i = 0; i < n; i++)
    k += s[i].kind == kind;
  return k;
}

static AeTrainer *
start (Collector *c, const AeDataset *ds, const AeConfig *cfg, double report_hz)
{
  AeTrainerOptions opts;
  ae_trainer_options_init (&opts);
  opts.data = ds;
  opts.config = *cfg;
  opts.n_preview = 4;
  opts.n_codes = 20;
  opts.report_hz = report_hz;
  opts.report = collect;
  opts.user_data = c;
  AeTrainer *t = NULL;
  AeError err = { 0 };
  if (ae_trainer_new (&t, &opts, &err) != AE_OK)
    printf ("# ae_trainer_new: %s\n", err.message);
  pthread_mutex_lock (&c->lock);
  c->trainer = t;
  pthread_mutex_unlock (&c->lock);
  return t;
}

static void
sleep_us (long us)
{
  struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
  nanosleep (&ts, NULL);
}

static void
wait_steps (AeTrainer *t, long at_least)
{
  for (int i = 0; i < 200000 && ae_trainer_steps (t) < at_least; i++)
    sleep_us (100);
}

/* --- cases --------------------------------------------------------------------------------- */

static void
test_step_batch (void)
{
  AeDataset *ds = make_dataset (200, 4, 40);
  AeConfig cfg;
  Collector c;
  collector_init (&c);
  if (ds == NULL || !make_config (&cfg, ds, NULL))
    {
      CHECK (0, "fixture");
      goto out;
    }
  AeTrainer *t = start (&c, ds, &cfg, 1000);
  CHECK (t != NULL, "trainer");
  if (t == NULL)
    goto out;
  CHECK (!ae_trainer_is_running (t), "a new trainer is paused");
  ae_trainer_step_batch (t);
  ae_trainer_step_batch (t);
  ae_trainer_step_batch (t);
  ae_trainer_wait_idle (t);
  CHECK (ae_trainer_steps (t) == 3, "three steps queued while paused give three batches, got %ld",
         ae_trainer_steps (t));
  CHECK (!ae_trainer_is_running (t), "paused after the steps");
  Seen *s;
  long n = collector_snapshot (&c, &s);
  CHECK (n >= 1 && s[n - 1].kind == AE_REPORT_PAUSED, "the last report says paused (kind %d)",
         n ? (int) s[n - 1].kind : -1);
  CHECK (n >= 1 && s[n - 1].steps == 3 && s[n - 1].batch == 3, "its counts: steps %ld batch %ld",
         n ? s[n - 1].steps : -1, n ? s[n - 1].batch : -1);
  CHECK (n >= 1 && s[n - 1].has_weights && s[n - 1].n_preview == 4 && s[n - 1].n_codes == 20,
         "a state change carries weights, preview and codes");
  CHECK (n >= 1 && s[n - 1].batches_per_epoch == (ds->n_train + 15) / 16,
         "batches per epoch %ld for %ld samples in batches of 16", n ? s[n - 1].batches_per_epoch : -1,
         ds->n_train);
  free (s);
  CHECK (c.out_of_order == 0, "serials strictly increase");
  ae_trainer_free (t);
out:
  collector_free (&c);
  ae_dataset_free (ds);
}

static void
test_step_epoch_and_finish (void)
{
  AeDataset *ds = make_dataset (200, 4, 40);
  AeConfig cfg;
  Collector c;
  collector_init (&c);
  if (ds == NULL || !make_config (&cfg, ds, NULL))
    {
      CHECK (0, "fixture");
      goto out;
    }
  AeTrainer *t = start (&c, ds, &cfg, 0);
  if (t == NULL)
    {
      CHECK (0, "trainer");
      goto out;
    }
  long per_epoch = (ds->n_train + cfg.batch - 1) / cfg.batch;
  ae_trainer_step_batch (t);
  ae_trainer_wait_idle (t);
  ae_trainer_step_epoch (t);
  ae_trainer_wait_idle (t);
  CHECK (ae_trainer_steps (t) == per_epoch, "a step of an epoch goes to the end of the epoch in "
         "progress: %ld steps, expected %ld", ae_trainer_steps (t), per_epoch);
  Seen *s;
  long n = collector_snapshot (&c, &s);
  CHECK (count_kind (s, n, AE_REPORT_EPOCH) == 1, "one epoch report");
  for (long i = 0; i < n; i++)
    if (s[i].kind == AE_REPORT_EPOCH)
      {
        CHECK (s[i].epoch == 0 && s[i].batch == per_epoch, "epoch %d batch %ld", s[i].epoch, s[i].batch);
        CHECK (s[i].has_val && isfinite (s[i].val) && s[i].val > 0, "validation loss %g", s[i].val);
      }
  free (s);

  /* Run to the end of the configured 3 epochs, then once more for another 3. */
  collector_clear (&c);
  ae_trainer_run (t);
  ae_trainer_wait_idle (t);
  n = collector_snapshot (&c, &s);
  CHECK (count_kind (s, n, AE_REPORT_EPOCH) == 2, "two more epochs to reach 3, got %ld",
         count_kind (s, n, AE_REPORT_EPOCH));
  CHECK (n >= 2 && s[n - 2].kind == AE_REPORT_FINISHED && s[n - 1].kind == AE_REPORT_PAUSED,
         "finished, then paused");
  free (s);
  CHECK (ae_trainer_steps (t) == 3 * per_epoch, "steps %ld", ae_trainer_steps (t));
  collector_clear (&c);
  ae_trainer_run (t);
  ae_trainer_wait_idle (t);
  n = collector_snapshot (&c, &s);
  CHECK (count_kind (s, n, AE_REPORT_EPOCH) == 3, "a run after the end trains another round");
  CHECK (n >= 1 && s[n - 1].kind == AE_REPORT_PAUSED && s[n - 1].epoch == 6, "at epoch 6 (%d)",
         n ? s[n - 1].epoch : -1);
  free (s);
  CHECK (c.out_of_order == 0, "serials strictly increase");
  ae_trainer_free (t);
out:
  collector_free (&c);
  ae_dataset_free (ds);
}

static void
test_pause_reset_config (void)
{
  AeDataset *ds = make_dataset (200, 4, 40);
  AeConfig cfg;
  Collector c;
  collector_init (&c);
  if (ds == NULL || !make_config (&cfg, ds, "epochs", "1000000", NULL))
    {
      CHECK (0, "fixture");
      goto out;
    }
  AeTrainer *t = start (&c, ds, &cfg, 200);
  if (t == NULL)
    {
      CHECK (0, "trainer");
      goto out;
    }
  ae_trainer_run (t);
  wait_steps (t, 30);
  CHECK (ae_trainer_is_running (t), "running");
  ae_trainer_pause (t);
  ae_trainer_wait_idle (t);
  long paused_at = ae_trainer_steps (t);
  sleep_us (20000);
  CHECK (ae_trainer_steps (t) == paused_at, "no batch while paused (%ld then %ld)", paused_at,
         ae_trainer_steps (t));

  /* A live change is taken; an architectural one is refused and changes nothing. */
  AeConfig live = cfg;
  live.lr = 0.002f;
  AeError err = { 0 };
  CHECK (ae_trainer_set_config (t, &live, &err) == AE_OK, "learning rate is live: %s", err.message);
  AeConfig wider = cfg;
  wider.latent = 3;
  CHECK (ae_trainer_set_config (t, &wider, &err) == AE_ERR_INVALID, "latent size is not live");
  CHECK (strlen (err.message) > 10, "and says why");
  AeConfig now;
  ae_trainer_get_config (t, &now);
  CHECK (now.lr == 0.002f && now.latent == cfg.latent, "config lr %g latent %d", (double) now.lr,
         now.latent);
  ae_trainer_request_report (t);
  ae_trainer_wait_idle (t);
  Seen *s;
  long n = collector_snapshot (&c, &s);
  CHECK (n >= 1 && s[n - 1].lr == 0.002f && s[n - 1].has_weights && s[n - 1].n_codes == 20,
         "the requested report has the new learning rate, weights and codes");
  CHECK (n >= 1 && s[n - 1].kind == AE_REPORT_PAUSED, "and, asked for while paused, says paused "
         "(kind %d)", n ? (int) s[n - 1].kind : -1);
  free (s);

  /* After a reset, an epoch gives the same losses as the first epoch of a fresh trainer. */
  ae_trainer_set_config (t, &cfg, &err);
  ae_trainer_reset (t);
  ae_trainer_wait_idle (t);
  CHECK (ae_trainer_steps (t) == 0, "reset clears the steps");
  n = collector_snapshot (&c, &s);
  CHECK (n >= 1 && s[n - 1].kind == AE_REPORT_RESET && s[n - 1].steps == 0 && s[n - 1].epoch == 0,
         "reset report");
  free (s);
  collector_clear (&c);
  ae_trainer_step_epoch (t);
  ae_trainer_wait_idle (t);
  double after_reset = NAN;
  n = collector_snapshot (&c, &s);
  for (long i = 0; i < n; i++)
    if (s[i].kind == AE_REPORT_EPOCH)
      after_reset = s[i].train;
  free (s);

  Collector c2;
  collector_init (&c2);
  AeTrainer *fresh = start (&c2, ds, &cfg, 0);
  double first = NAN;
  if (fresh != NULL)
    {
      ae_trainer_step_epoch (fresh);
      ae_trainer_wait_idle (fresh);
      n = collector_snapshot (&c2, &s);
      for (long i = 0; i < n; i++)
        if (s[i].kind == AE_REPORT_EPOCH)
          first = s[i].train;
      free (s);
      ae_trainer_free (fresh);
    }
  CHECK (isfinite (first) && first == after_reset, "first epoch %.9g, after a reset %.9g", first,
         after_reset);
  collector_free (&c2);
  CHECK (c.out_of_order == 0, "serials strictly increase");
  ae_trainer_free (t);
out:
  collector_free (&c);
  ae_dataset_free (ds);
}

/* Checks the reports of one trainer: serials, counters, finite losses. */
static void
check_report_stream (const Seen *s, long n)
{
  long bad = 0;
  for (long i = 0; i < n; i++)
    {
      if (s[i].batch < 0 || s[i].batch > s[i].batches_per_epoch || s[i].steps < 0)
        bad++;
      if (i > 0 && s[i].kind != AE_REPORT_RESET && s[i].steps < s[i - 1].steps)
        bad++;
      if (i > 0 && s[i].kind != AE_REPORT_RESET && s[i].epoch < s[i - 1].epoch)
        bad++;
      if (s[i].kind == AE_REPORT_EPOCH && (!s[i].has_val || !isfinite (s[i].val) || !isfinite (s[i].train)))
        bad++;
      if (s[i].kind == AE_REPORT_DIVERGED)
        bad++;
      if ((s[i].kind == AE_REPORT_PAUSED || s[i].kind == AE_REPORT_RESET) && !s[i].has_weights)
        bad++;
      if (s[i].has_weights && !s[i].weights_finite)
        bad++;
    }
  CHECK (bad == 0, "%ld inconsistent reports among %ld", bad, n);
}

/* Random command sequences on `trainers` trainers; live changes draw the batch from
 * 1 to 2 times `batch`. */
static void
random_commands (int trainers, int batch, long n_samples)
{
  AeDataset *ds = make_dataset (n_samples, 4, 24);
  AeConfig cfg;
  char batch_text[16];
  snprintf (batch_text, sizeof batch_text, "%d", batch);
  if (ds == NULL || !make_config (&cfg, ds, "epochs", "2", "batch", batch_text, NULL))
    {
      CHECK (0, "fixture");
      ae_dataset_free (ds);
      return;
    }
  AeRng rng;
  ae_rng_seed (&rng, 2024);
  const int sequences = 100;
  long mismatches = 0, stuck = 0;
  for (int tr = 0; tr < trainers; tr++)
    {
      Collector c;
      collector_init (&c);
      c.commands_in_callback = tr % 2;
      AeTrainer *t = start (&c, ds, &cfg, 2000);
      if (t == NULL)
        {
          CHECK (0, "trainer");
          collector_free (&c);
          break;
        }
      for (int q = 0; q < sequences; q++)
        {
          int length = 1 + (int) ae_rng_below (&rng, 12);
          for (int k = 0; k < length; k++)
            {
              switch (ae_rng_below (&rng, 10))
                {
                case 0: ae_trainer_run (t); break;
                case 1: ae_trainer_pause (t); break;
                case 2: ae_trainer_step_batch (t); break;
                case 3: ae_trainer_step_epoch (t); break;
                case 4: ae_trainer_reset (t); break;
                case 5:
                  {
                    AeConfig live = cfg;
                    live.lr = 0.001f * (float) (1 + ae_rng_below (&rng, 20));
                    live.epochs = 1 + (int) ae_rng_below (&rng, 3);
                    live.batch = batch + (int) ae_rng_below (&rng, (uint32_t) batch + 1);
                    AeError err = { 0 };
                    if (ae_trainer_set_config (t, &live, &err) != AE_OK)
                      {
                        printf ("# set_config: %s\n", err.message);
                        mismatches++;
                      }
                    break;
                  }
                case 6: ae_trainer_request_report (t); break;
                case 7:
                  {
                    AeModel *copy = ae_trainer_clone_weights (t);
                    if (copy == NULL || !model_finite (copy))
                      {
                        printf ("# a weights copy is missing or not finite\n");
                        mismatches++;
                      }
                    ae_model_free (copy);
                    break;
                  }
                case 8: (void) ae_trainer_steps (t); (void) ae_trainer_is_running (t); break;
                default: sleep_us ((long) ae_rng_below (&rng, 300)); break;
                }
            }
          ae_trainer_pause (t);
          ae_trainer_wait_idle (t);
          if (ae_trainer_is_running (t))
            stuck++;
          /* Idle: the last report tells the state the trainer rests in. */
          Seen *s;
          long n = collector_snapshot (&c, &s);
          long steps = ae_trainer_steps (t);
          if (n > 0 && s[n - 1].steps != steps)
            {
              printf ("# trainer %d sequence %d: the last report (kind %d) has %ld steps, the "
                      "trainer %ld\n", tr, q, (int) s[n - 1].kind, s[n - 1].steps, steps);
              mismatches++;
            }
          free (s);
        }
      Seen *s;
      long n = collector_snapshot (&c, &s);
      check_report_stream (s, n);
      free (s);
      CHECK (c.out_of_order == 0, "trainer %d: %ld reports out of order", tr, c.out_of_order);
      ae_trainer_free (t);
      collector_free (&c);
    }
  CHECK (mismatches == 0, "%ld sequences left the counters inconsistent", mismatches);
  CHECK (stuck == 0, "%ld sequences left it running after pause", stuck);
  ae_dataset_free (ds);
}

static void
test_random_commands (void)
{
  random_commands (10, 8, 120); /* a thousand sequences in all */
}

static void
test_stop_within_one_batch (void)
{
  /* Batches large enough (a few milliseconds) that the moments of reading the count and
   * of asking to stop are well inside one batch. */
  AeDataset *ds = make_dataset (600, 28, 100);
  AeConfig cfg;
  Collector c;
  collector_init (&c);
  if (ds == NULL || !make_config (&cfg, ds, "hidden", "256", "latent", "16", "batch", "128",
                                  "epochs", "1000000", NULL))
    {
      CHECK (0, "fixture");
      goto out;
    }
  AeTrainer *t = start (&c, ds, &cfg, 30);
  if (t == NULL)
    {
      CHECK (0, "trainer");
      goto out;
    }
  ae_trainer_run (t);
  wait_steps (t, 5);
  long before = ae_trainer_steps (t);
  struct timespec a, b;
  clock_gettime (CLOCK_MONOTONIC, &a);
  ae_trainer_stop (t);
  clock_gettime (CLOCK_MONOTONIC, &b);
  long after = ae_trainer_steps (t);
  CHECK (after - before <= 1, "%ld batches after the stop request", after - before);
  printf ("# stop took %.1f ms, %ld batch(es) finished after the request\n",
          1e3 * ((double) (b.tv_sec - a.tv_sec) + 1e-9 * (double) (b.tv_nsec - a.tv_nsec)),
          after - before);
  /* Commands after a stop are ignored, and the getters still answer. */
  ae_trainer_run (t);
  ae_trainer_wait_idle (t);
  CHECK (ae_trainer_steps (t) == after, "no batch after the stop");
  AeModel *copy = ae_trainer_clone_weights (t);
  CHECK (copy != NULL && model_finite (copy), "weights of a stopped trainer");
  ae_model_free (copy);
  ae_trainer_free (t);
out:
  collector_free (&c);
  ae_dataset_free (ds);
}

static int
epoch_losses (const AeDataset *ds, const AeConfig *cfg, double *train, double *val, int max)
{
  Collector c;
  collector_init (&c);
  int got = 0;
  AeTrainer *t = start (&c, ds, cfg, 0);
  if (t != NULL)
    {
      ae_trainer_run (t);
      ae_trainer_wait_idle (t);
      Seen *s;
      long n = collector_snapshot (&c, &s);
      for (long i = 0; i < n && got < max; i++)
        if (s[i].kind == AE_REPORT_EPOCH)
          {
            train[got] = s[i].train;
            val[got] = s[i].val;
            got++;
          }
      free (s);
      ae_trainer_free (t);
    }
  collector_free (&c);
  return got;
}

static void
test_determinism (void)
{
  AeDataset *ds = make_dataset (200, 4, 40);
  AeConfig cfg, other;
  if (ds == NULL || !make_config (&cfg, ds, "noise", "gaussian:0.2", NULL)
      || !make_config (&other, ds, "noise", "gaussian:0.2", "seed", "6", NULL))
    {
      CHECK (0, "fixture");
      ae_dataset_free (ds);
      return;
    }
  double ta[3], va[3], tb[3], vb[3], tc[3], vc[3];
  int na = epoch_losses (ds, &cfg, ta, va, 3);
  int nb = epoch_losses (ds, &cfg, tb, vb, 3);
  int nc = epoch_losses (ds, &other, tc, vc, 3);
  CHECK (na == 3 && nb == 3 && nc == 3, "three epochs each (%d, %d, %d)", na, nb, nc);
  for (int i = 0; i < na && i < nb; i++)
    {
      CHECK (ta[i] == tb[i] && va[i] == vb[i], "epoch %d: %.9g/%.9g vs %.9g/%.9g", i, ta[i], va[i],
             tb[i], vb[i]);
      CHECK (isfinite (ta[i]) && isfinite (va[i]), "finite losses");
    }
  CHECK (nc == 3 && na == 3 && ta[2] != tc[2], "another seed gives another run (%.9g)", tc[2]);
  CHECK (na == 3 && ta[2] < ta[0], "the loss falls: %.6g -> %.6g", ta[0], ta[2]);
  ae_dataset_free (ds);
}

/* Batches split over two threads (ae_set_threads): commands, live batch changes (the
 * replicas follow the model's new capacity) and determinism, also under ThreadSanitizer. */
static void
test_split_batches (void)
{
  ae_set_threads (2);
  random_commands (3, 64, 400);
  AeDataset *ds = make_dataset (400, 4, 40);
  AeConfig cfg;
  if (ds != NULL && make_config (&cfg, ds, "noise", "gaussian:0.2", "batch", "64", NULL))
    {
      double ta[3], va[3], tb[3], vb[3];
      int na = epoch_losses (ds, &cfg, ta, va, 3);
      int nb = epoch_losses (ds, &cfg, tb, vb, 3);
      CHECK (na == 3 && nb == 3, "three epochs each (%d, %d)", na, nb);
      for (int i = 0; i < na && i < nb; i++)
        CHECK (ta[i] == tb[i] && va[i] == vb[i] && isfinite (ta[i]), "epoch %d: %.9g/%.9g vs %.9g/%.9g",
               i, ta[i], va[i], tb[i], vb[i]);
      CHECK (na == 3 && ta[2] < ta[0], "the loss falls: %.6g -> %.6g", ta[0], ta[2]);
    }
  else
    CHECK (0, "fixture");
  ae_dataset_free (ds);
  ae_set_threads (1);
}

#ifdef __linux__
/* Threads of this process at each niceness (-20..19), from /proc/self/task/TID/stat. */
static void
count_niceness (int counts[40])
{
  memset (counts, 0, 40 * sizeof *counts);
  DIR *dir = opendir ("/proc/self/task");
  struct dirent *entry;
  while (dir != NULL && (entry = readdir (dir)) != NULL)
    {
      char path[300], line[1024];
      if (entry->d_name[0] == '.')
        continue;
      snprintf (path, sizeof path, "/proc/self/task/%s/stat", entry->d_name);
      FILE *f = fopen (path, "r");
      if (f == NULL)
        continue;
      size_t len = fread (line, 1, sizeof line - 1, f);
      fclose (f);
      line[len] = '\0';
      /* after "(comm)": state is field 3, nice field 19 */
      char *p = strrchr (line, ')');
      int field = 2, nice = 0;
      for (; p != NULL && *p != '\0'; p++)
        if (*p == ' ' && ++field == 19)
          {
            nice = atoi (p + 1);
            break;
          }
      if (nice >= -20 && nice <= 19)
        counts[nice + 20]++;
    }
  if (dir != NULL)
    closedir (dir);
}
#endif

/* A niced trainer: its thread and the team it splits batches over run at that niceness,
 * the calling thread stays where it was. */
static void
test_nice (void)
{
#ifdef __linux__
  ae_set_threads (2);
  AeDataset *ds = make_dataset (600, 4, 40);
  AeConfig cfg;
  Collector c;
  collector_init (&c);
  if (ds != NULL && make_config (&cfg, ds, "batch", "128", "epochs", "1000", NULL))
    {
      AeTrainerOptions opts;
      ae_trainer_options_init (&opts);
      opts.data = ds;
      opts.config = cfg;
      opts.report = collect;
      opts.user_data = &c;
      opts.nice = 3;
      AeTrainer *t = NULL;
      AeError err = { 0 };
      int before[40], during[40];
      int own = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
      int niced = own + 3 < 19 ? own + 3 : 19;
      /* before the trainer exists: its thread may lower its priority as soon as it starts */
      count_niceness (before);
      CHECK (ae_trainer_new (&t, &opts, &err) == AE_OK, "trainer: %s", err.message);
      if (t != NULL)
        {
          ae_trainer_run (t);
          wait_steps (t, 20);
          count_niceness (during);
          /* the trainer and one more member of its two-thread team */
          CHECK (during[niced + 20] >= before[niced + 20] + 2,
                 "%d threads at nice %d while training, %d before", during[niced + 20], niced,
                 before[niced + 20]);
          CHECK (getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid)) == own,
                 "the calling thread keeps its priority");
          ae_trainer_free (t);
        }
    }
  else
    CHECK (0, "fixture");
  collector_free (&c);
  ae_dataset_free (ds);
  ae_set_threads (1);
#endif
}

static void
test_preview_and_rates (void)
{
  AeDataset *ds = make_dataset (200, 4, 40);
  AeConfig cfg;
  Collector c;
  collector_init (&c);
  if (ds == NULL || !make_config (&cfg, ds, "noise", "gaussian:0.3", "epochs", "1000000", NULL))
    {
      CHECK (0, "fixture");
      goto out;
    }
  AeTrainer *t = start (&c, ds, &cfg, 20);
  if (t == NULL)
    {
      CHECK (0, "trainer");
      goto out;
    }
  ae_trainer_step_batch (t);
  ae_trainer_wait_idle (t);
  ae_trainer_step_batch (t);
  ae_trainer_wait_idle (t);
  Seen *s;
  long n = collector_snapshot (&c, &s);
  const Seen *paused[2];
  int n_paused = 0;
  for (long i = 0; i < n; i++)
    if (s[i].kind == AE_REPORT_PAUSED && n_paused < 2)
      paused[n_paused++] = &s[i];
  CHECK (n_paused == 2 && count_kind (s, n, AE_REPORT_PAUSED) == 2, "one paused report per step");
  if (n_paused == 2)
    {
      /* The corrupted preview is the same every time, so that the window does not flicker. */
      CHECK (paused[0]->preview_input_sum == paused[1]->preview_input_sum, "the noisy preview is fixed");
      CHECK (paused[0]->preview_input_sum != paused[0]->preview_clean_sum, "and it is noisy");
      CHECK (paused[0]->code_labels_ok && paused[0]->n_codes == 20,
             "codes come with their labels and indices");
    }
  free (s);

  /* Progress reports at most report_hz per second, whatever the speed of the batches. */
  collector_clear (&c);
  struct timespec a, b;
  clock_gettime (CLOCK_MONOTONIC, &a);
  ae_trainer_run (t);
  sleep_us (500000);
  ae_trainer_pause (t);
  ae_trainer_wait_idle (t);
  clock_gettime (CLOCK_MONOTONIC, &b);
  double seconds = (double) (b.tv_sec - a.tv_sec) + 1e-9 * (double) (b.tv_nsec - a.tv_nsec);
  n = collector_snapshot (&c, &s);
  long progress = count_kind (s, n, AE_REPORT_PROGRESS);
  CHECK (progress <= 20 * seconds + 1, "%ld progress reports in %.2f s at 20 per second", progress, seconds);
  /* Epochs of this tiny set last a few milliseconds: each ends with its own report. */
  CHECK (count_kind (s, n, AE_REPORT_EPOCH) >= 1, "epoch reports while running");
  free (s);
  ae_trainer_free (t);
out:
  collector_free (&c);
  ae_dataset_free (ds);
}

static void
test_divergence (void)
{
  AeDataset *ds = make_dataset (200, 4, 40);
  AeConfig cfg;
  Collector c;
  collector_init (&c);
  if (ds == NULL || !make_config (&cfg, ds, "optimizer", "sgd", "lr", "100", "epochs", "50", NULL))
    {
      CHECK (0, "fixture");
      goto out;
    }
  AeTrainer *t = start (&c, ds, &cfg, 0);
  if (t == NULL)
    {
      CHECK (0, "trainer");
      goto out;
    }
  ae_trainer_run (t);
  ae_trainer_wait_idle (t);
  CHECK (!ae_trainer_is_running (t), "paused");
  Seen *s;
  long n = collector_snapshot (&c, &s);
  long at = -1;
  for (long i = 0; i < n; i++)
    if (s[i].kind == AE_REPORT_DIVERGED)
      at = i;
  CHECK (at >= 0, "a learning rate of 100 diverges and says so (%ld reports)", n);
  if (at >= 0)
    {
      CHECK (s[at].has_weights && s[at].weights_finite, "the weights it reports are finite");
      CHECK (strstr (s[at].message, "learning rate 100") != NULL && strstr (s[at].message, "smaller") != NULL,
             "the message says what happened and what to try: %s", s[at].message);
      printf ("# %s\n", s[at].message);
      CHECK (at + 1 < n && s[at + 1].kind == AE_REPORT_PAUSED, "then a paused report");
      CHECK (count_kind (s, n, AE_REPORT_FINISHED) == 0, "not finished");
    }
  free (s);
  AeModel *copy = ae_trainer_clone_weights (t);
  CHECK (copy != NULL && model_finite (copy), "the trainer holds finite weights");
  ae_model_free (copy);
  ae_trainer_free (t);
out:
  collector_free (&c);
  ae_dataset_free (ds);
}

int
main (int argc, char **argv)
{
  ae_set_threads (1);
  static const AeTestCase cases[] = {
    { "/trainer/step-batch", test_step_batch },
    { "/trainer/step-epoch-and-finish", test_step_epoch_and_finish },
    { "/trainer/pause-reset-config", test_pause_reset_config },
    { "/trainer/random-commands", test_random_commands },
    { "/trainer/stop-within-one-batch", test_stop_within_one_batch },
    { "/trainer/determinism", test_determinism },
    { "/trainer/split-batches", test_split_batches },
    { "/trainer/nice", test_nice },
    { "/trainer/preview-and-rates", test_preview_and_rates },
    { "/trainer/divergence", test_divergence },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
