/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli-bench.c: `latentlab bench`, the machine's own yardstick for the engine.
 *
 * In one run: the sgemm rate on the exact GEMM shapes of the reference models, training
 * samples/s of those models (batch 128, Adam, embedded digits; made-up colour images and
 * sine windows for the colour and sequence models), the GEMM-only ceiling of
 * each, slider decode latency and peak memory. The ceiling is the fastest of three ways to
 * do one step's GEMMs alone on the cores training uses: each shape timed alone on one
 * BLAS thread, the same on as many BLAS threads as training has, and the whole step's
 * GEMMs on each thread's share of the batch, all threads at once (as training splits
 * it). Ratios measured in one run are what matter: absolute figures drift on a shared
 * machine, whose load changes within seconds: each model trains in BENCH_SLICES slices,
 * taken in turn over all the models, and keeps its best (torch_bench.py keeps its best
 * slice too); its ceiling is timed after each of its slices and keeps the fastest. */
#include "lab-cli.h"

#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ae-clock.h"
#include "ae-series.h"
#include "ae-team.h"

#define BENCH_BATCH 128
#define BENCH_MAX_GEMMS 48
#define BENCH_N_MODELS 6
#define BENCH_SLICES 3
/* conv-rgb: the conv preset on made-up 32x32 RGB images (speed does not depend on them) */
#define BENCH_RGB_SIDE 32
#define BENCH_RGB_SAMPLES 2048
/* sequence: the sequence preset on sine windows */
#define BENCH_SEQUENCE_SAMPLES 8192

/* One row-major C (M, N) = op(A) op(B) with inner size K. */
typedef struct {
  int M, N, K;
  int trans_a, trans_b;
} BenchGemm;

typedef struct {
  const char *name;   /* "dense", "vae", "conv", "conv-rgb", "denoise", "sequence" */
  const char *preset; /* the preset it starts from */
  const char *hidden; /* --hidden override, or NULL */
  const char *latent; /* --latent override, or NULL */
  BenchGemm gemms[BENCH_MAX_GEMMS];       /* one step on the whole batch */
  int n_gemms;
  BenchGemm share_gemms[BENCH_MAX_GEMMS]; /* one step on a thread's share of it */
  int n_share_gemms;
  /* results */
  int threads;                  /* training's threads for this model */
  double one_thread_seconds;    /* the GEMMs of one step, each timed alone, one BLAS thread */
  double blas_threads_seconds;  /* the same on `threads` BLAS threads */
  double split_seconds;         /* the shares' GEMMs on `threads` threads at once */
  double gemm_seconds_per_step; /* the fastest of the three */
  double gemm_flops_per_step;
  double samples_per_s; /* the best slice's; NAN when unavailable */
  double slice_samples_per_s[BENCH_SLICES];
  char unavailable[sizeof ((AeError *) 0)->message];
} BenchModel;

/* A list of GEMMs for a batch of `batch` rows. */
typedef struct {
  BenchGemm *gemms;
  int *n;
  int batch;
} GemmList;

static void
add_gemm (GemmList *list, int M, int N, int K, int trans_a, int trans_b)
{
  if (*list->n >= BENCH_MAX_GEMMS)
    return;
  list->gemms[(*list->n)++] = (BenchGemm) { M, N, K, trans_a, trans_b };
}

/* A dense layer W (out, in) on a batch: forward Y = X W^T, dW = dY^T X, and dX = dY W
 * unless the layer reads the data itself (no gradient wanted there). */
static void
add_dense_gemms (GemmList *list, int in, int out, int needs_dinput)
{
  add_gemm (list, list->batch, out, in, 0, 1);
  add_gemm (list, out, in, list->batch, 1, 0);
  if (needs_dinput)
    add_gemm (list, list->batch, in, out, 0, 0);
}

/* A convolution C -> OC of `taps` kernel taps (9 for 3x3, 5 along the steps) with
 * `positions` output positions per sample, as im2col GEMMs over the batch: forward
 * (OC, C*taps) x (C*taps, B*P), dW and dX alike. A transposed convolution is its adjoint:
 * the same three GEMMs with forward and dX swapped. */
static void
add_conv_gemms (GemmList *list, int C, int OC, int positions, int taps, int needs_dinput)
{
  int cols = list->batch * positions;
  add_gemm (list, OC, cols, C * taps, 0, 0);
  add_gemm (list, OC, C * taps, cols, 0, 1);
  if (needs_dinput)
    add_gemm (list, C * taps, cols, OC, 1, 0);
}

/* The GEMMs of one training step of model `which` on `batch` rows. */
static void
list_gemms (GemmList *list, int which)
{
  switch (which)
    {
    case 0:
      {
        /* dense 784-512-128-32 mirrored */
        static const int dense_sizes[] = { 784, 512, 128, 32, 128, 512, 784 };
        for (int i = 0; i + 1 < 7; i++)
          add_dense_gemms (list, dense_sizes[i], dense_sizes[i + 1], i > 0);
      }
      break;
    case 1:
      /* VAE 784-400-(20 mu | 20 logvar), decoder 20-400-784 */
      add_dense_gemms (list, 784, 400, 0);
      add_dense_gemms (list, 400, 40, 1);
      add_dense_gemms (list, 20, 400, 1);
      add_dense_gemms (list, 400, 784, 1);
      break;
    case 2:
    case 3:
      {
        /* conv preset: 1x28x28 -> 16x14x14 -> 32x7x7 -> code 32 (conv-rgb: 3x32x32 ->
         * 16x16x16 -> 32x8x8), mirrored by transposed convolutions (3x3, stride 2,
         * padding 1 as in ae-model.c). */
        int C = which == 3 ? 3 : 1, half = which == 3 ? BENCH_RGB_SIDE / 2 : 14;
        int quarter = half / 2;
        add_conv_gemms (list, C, 16, half * half, 9, 0);
        add_conv_gemms (list, 16, 32, quarter * quarter, 9, 1);
        add_dense_gemms (list, 32 * quarter * quarter, 32, 1);
        add_dense_gemms (list, 32, 32 * quarter * quarter, 1);
        add_conv_gemms (list, 16, 32, quarter * quarter, 9, 1); /* transposed, to 16 maps */
        add_conv_gemms (list, C, 16, half * half, 9, 1);        /* transposed, to the image */
      }
      break;
    case 4:
      /* denoising preset, fully convolutional: 1x28x28 -> 8x28x28 (stride 1) -> 16x14x14
       * -> 32x7x7, mirrored by transposed convolutions back to the image. */
      add_conv_gemms (list, 1, 8, 28 * 28, 9, 0);
      add_conv_gemms (list, 8, 16, 14 * 14, 9, 1);
      add_conv_gemms (list, 16, 32, 7 * 7, 9, 1);
      add_conv_gemms (list, 16, 32, 7 * 7, 9, 1);
      add_conv_gemms (list, 8, 16, 14 * 14, 9, 1);
      add_conv_gemms (list, 1, 8, 28 * 28, 9, 1);
      break;
    default:
      /* sequence preset on sines: 64 steps -> 16x32 -> 32x16 -> 32x8 (kernel 5, stride 2)
       * -> code 16, mirrored by transposed convolutions along the steps. */
      add_conv_gemms (list, 1, 16, 32, 5, 0);
      add_conv_gemms (list, 16, 32, 16, 5, 1);
      add_conv_gemms (list, 32, 32, 8, 5, 1);
      add_dense_gemms (list, 32 * 8, 16, 1);
      add_dense_gemms (list, 16, 32 * 8, 1);
      add_conv_gemms (list, 32, 32, 8, 5, 1);
      add_conv_gemms (list, 16, 32, 16, 5, 1);
      add_conv_gemms (list, 1, 16, 32, 5, 1);
      break;
    }
}

static void
describe_models (BenchModel models[BENCH_N_MODELS])
{
  memset (models, 0, BENCH_N_MODELS * sizeof models[0]);
  models[0] = (BenchModel) { .name = "dense", .preset = "undercomplete", .hidden = "512,128",
                             .latent = "32" };
  models[1] = (BenchModel) { .name = "vae", .preset = "vae" };
  models[2] = (BenchModel) { .name = "conv", .preset = "conv" };
  models[3] = (BenchModel) { .name = "conv-rgb", .preset = "conv" };
  models[4] = (BenchModel) { .name = "denoise", .preset = "denoising" };
  models[5] = (BenchModel) { .name = "sequence", .preset = "sequence" };
  for (int i = 0; i < BENCH_N_MODELS; i++)
    {
      GemmList whole = { models[i].gemms, &models[i].n_gemms, BENCH_BATCH };
      list_gemms (&whole, i);
      models[i].samples_per_s = NAN;
      models[i].one_thread_seconds = models[i].blas_threads_seconds = NAN;
      models[i].split_seconds = models[i].gemm_seconds_per_step = NAN;
      for (int k = 0; k < BENCH_SLICES; k++)
        models[i].slice_samples_per_s[k] = NAN;
    }
}

/* The GEMMs of a thread's share when training splits the batch over `threads`: the
 * largest share, which the others wait for. */
static void
describe_shares (BenchModel *m, int which, int threads)
{
  m->threads = threads;
  m->n_share_gemms = 0;
  GemmList share = { m->share_gemms, &m->n_share_gemms, (BENCH_BATCH + threads - 1) / threads };
  list_gemms (&share, which);
}

/* Operands for the largest of n GEMMs (A, B and C each), filled with small values. */
static float *
gemm_operands (const BenchGemm *gemms, int n, float **a, float **b, float **c)
{
  size_t most = 1;
  for (int i = 0; i < n; i++)
    {
      const BenchGemm *g = &gemms[i];
      size_t sizes[3] = { (size_t) g->M * g->K, (size_t) g->K * g->N, (size_t) g->M * g->N };
      for (int k = 0; k < 3; k++)
        most = sizes[k] > most ? sizes[k] : most;
    }
  float *all = malloc (3 * most * sizeof *all);
  if (all == NULL)
    return NULL;
  for (size_t i = 0; i < 3 * most; i++)
    all[i] = (float) ((i * 7919) % 1000) * 1e-3f - 0.5f;
  *a = all, *b = all + most, *c = all + 2 * most;
  return all;
}

static void
run_gemm (const BenchGemm *g, const float *a, const float *b, float *c, float beta)
{
  int lda = g->trans_a ? g->M : g->K;
  int ldb = g->trans_b ? g->K : g->N;
  enum CBLAS_TRANSPOSE ta = g->trans_a ? CblasTrans : CblasNoTrans;
  enum CBLAS_TRANSPOSE tb = g->trans_b ? CblasTrans : CblasNoTrans;
  cblas_sgemm (CblasRowMajor, ta, tb, g->M, g->N, g->K, 1.0f, a, lda, b, ldb, beta, c, g->N);
}

/* Seconds per call of one GEMM shape, after a warm-up, over about `budget` seconds. */
static double
time_gemm (const BenchGemm *g, double budget)
{
  float *a, *b, *c;
  float *all = gemm_operands (g, 1, &a, &b, &c);
  if (all == NULL)
    return NAN;
  for (int i = 0; i < 3; i++)
    run_gemm (g, a, b, c, 0.0f);
  long calls = 0;
  double start = ae_monotonic_seconds (), elapsed;
  do
    {
      run_gemm (g, a, b, c, 1.0f);
      calls++;
      elapsed = ae_monotonic_seconds () - start;
    }
  while (elapsed < budget || calls < 3);
  free (all);
  return elapsed / (double) calls;
}

/* Seconds of one step's GEMMs, each shape timed alone, on `threads` BLAS threads. */
static double
time_gemms_alone (const BenchModel *m, int threads, double budget_per_shape)
{
  openblas_set_num_threads (threads);
  double seconds = 0;
  for (int i = 0; i < m->n_gemms; i++)
    seconds += time_gemm (&m->gemms[i], budget_per_shape);
  openblas_set_num_threads (1);
  return seconds;
}

/* Each thread runs its share's GEMMs for `steps` steps. */
typedef struct {
  const BenchModel *model;
  long steps;
  atomic_int failed;
} SplitRun;

static void
run_share_steps (void *data, int share)
{
  SplitRun *run = data;
  const BenchModel *m = run->model;
  float *a, *b, *c;
  float *all = gemm_operands (m->share_gemms, m->n_share_gemms, &a, &b, &c);
  if (all == NULL)
    {
      atomic_store (&run->failed, 1);
      return;
    }
  for (int i = 0; i < m->n_share_gemms; i++)
    run_gemm (&m->share_gemms[i], a, b, c, 0.0f);
  for (long step = 0; step < run->steps; step++)
    for (int i = 0; i < m->n_share_gemms; i++)
      run_gemm (&m->share_gemms[i], a, b, c, 1.0f);
  free (all);
}

/* Seconds of one step's GEMMs split as training splits the batch, by the wall clock over
 * about `budget` seconds: the threads run their shares at once, as in training. */
static double
time_gemms_split (const BenchModel *m, double budget)
{
  AeTeam *team = NULL;
  if (!(m->one_thread_seconds > 0.0) || ae_team_new (&team, m->threads, NULL) != AE_OK)
    return NAN;
  /* A share step takes about a thread's part of a whole step on one thread. */
  long steps = (long) (budget * m->threads / m->one_thread_seconds);
  SplitRun run = { .model = m, .steps = steps > 3 ? steps : 3 };
  double start = ae_monotonic_seconds ();
  ae_team_run (team, run_share_steps, &run, m->threads);
  double seconds = (ae_monotonic_seconds () - start) / (double) run.steps;
  ae_team_free (team);
  return atomic_load (&run.failed) ? NAN : seconds;
}

/* Times the three ways of one step's GEMMs once more, each keeping its fastest figure so
 * far: a ceiling timed in one stretch of a shared machine's load could fall far below the
 * machine's limit (a dense ceiling of 25,510 samples/s against 36,000-38,000 in the other
 * rounds of one run), while training keeps its best slice. */
static void
time_model_gemms (BenchModel *m, double budget_per_shape)
{
  m->gemm_flops_per_step = 0;
  for (int i = 0; i < m->n_gemms; i++)
    {
      const BenchGemm *g = &m->gemms[i];
      m->gemm_flops_per_step += 2.0 * g->M * g->N * g->K;
    }
  /* fmin keeps the other figure where one is NAN (not yet measured, or failed) */
  m->one_thread_seconds = fmin (m->one_thread_seconds, time_gemms_alone (m, 1, budget_per_shape));
  if (m->threads > 1)
    {
      m->blas_threads_seconds = fmin (m->blas_threads_seconds,
                                      time_gemms_alone (m, m->threads, budget_per_shape));
      m->split_seconds = fmin (m->split_seconds, time_gemms_split (m, budget_per_shape * m->n_gemms));
    }
  /* The ceiling is the fastest way found. */
  m->gemm_seconds_per_step = fmin (m->one_thread_seconds,
                                   fmin (m->blas_threads_seconds, m->split_seconds));
}

static AeStatus
model_config (const BenchModel *m, const AeDataset *ds, AeConfig *cfg, AeError *err)
{
  AeStatus s = ae_config_preset (cfg, m->preset, err);
  if (s == AE_OK && m->hidden != NULL)
    s = ae_config_set (cfg, "hidden", m->hidden, err);
  if (s == AE_OK && m->latent != NULL)
    s = ae_config_set (cfg, "latent", m->latent, err);
  if (s == AE_OK)
    s = ae_config_set (cfg, "batch", "128", err);
  if (s == AE_OK)
    s = ae_config_set (cfg, "optimizer", "adam", err);
  if (s == AE_OK)
    s = ae_config_fit_data (cfg, ds, err);
  if (s == AE_OK)
    s = ae_config_validate (cfg, err);
  return s;
}

/* A bench model in training: batches walk the training rows in place (no gather), as
 * consecutive rows. */
typedef struct {
  AeModel *model; /* NULL when unavailable */
  const float *train;
  long n_batches;
  int dim;
  long step;
  AeRng rng;
} BenchTraining;

static AeStatus
train_steps (BenchModel *m, BenchTraining *t, long steps)
{
  AeError err = { 0 };
  AeLossTerms terms;
  for (long i = 0; i < steps; i++, t->step++)
    {
      const float *x = t->train + (size_t) (t->step % t->n_batches) * BENCH_BATCH * t->dim;
      float epoch = (float) t->step / (float) t->n_batches;
      if (ae_model_train_step (t->model, &terms, x, BENCH_BATCH, epoch, &t->rng, &err) != AE_OK)
        {
          snprintf (m->unavailable, sizeof m->unavailable, "%s", err.message);
          ae_model_free (t->model);
          t->model = NULL;
          return AE_ERR_INVALID;
        }
    }
  return AE_OK;
}

/* Builds the model and takes a few warm-up steps; on failure t->model is NULL and
 * m->unavailable says why. */
static void
start_training (BenchModel *m, BenchTraining *t, const AeDataset *ds, const float *train, long n_train)
{
  AeError err = { 0 };
  AeConfig cfg;
  *t = (BenchTraining) { .train = train, .n_batches = n_train / BENCH_BATCH, .dim = ds->dim };
  ae_rng_seed (&t->rng, 1);
  if (model_config (m, ds, &cfg, &err) != AE_OK || ae_model_new (&t->model, &cfg, &err) != AE_OK)
    {
      snprintf (m->unavailable, sizeof m->unavailable, "%s", err.message);
      t->model = NULL;
      return;
    }
  train_steps (m, t, 5);
}

/* Trains for about `budget` seconds: slice `slice` of the model's samples/s. */
static void
time_slice (BenchModel *m, BenchTraining *t, int slice, double budget)
{
  if (t->model == NULL)
    return;
  long steps = 0;
  double start = ae_monotonic_seconds (), elapsed;
  do
    {
      if (train_steps (m, t, 1) != AE_OK)
        return;
      steps++;
      elapsed = ae_monotonic_seconds () - start;
    }
  while (elapsed < budget);
  double rate = (double) steps * BENCH_BATCH / elapsed;
  m->slice_samples_per_s[slice] = rate;
  if (isnan (m->samples_per_s) || rate > m->samples_per_s)
    m->samples_per_s = rate;
}

/* BENCH_RGB_SAMPLES colour images of BENCH_RGB_SIDE pixels: soft gradients and rings that
 * differ from image to image, so that the model has something to learn. */
static AeStatus
colour_images (AeDataset **out, AeError *err)
{
  const int side = BENCH_RGB_SIDE;
  AeStatus s = ae_dataset_new (out, BENCH_RGB_SAMPLES, 3, side, side, 0, err);
  if (s != AE_OK)
    return s;
  AeDataset *ds = *out;
  for (long i = 0; i < ds->n; i++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
          {
            double phase = 0.37 * (double) i + 2.1 * c;
            double r = hypot (x - side * (0.5 + 0.2 * sin (phase)), y - side * (0.5 + 0.2 * cos (phase)));
            ds->x[(((size_t) i * 3 + (size_t) c) * side + (size_t) y) * side + (size_t) x]
                = (float) (0.5 + 0.4 * sin (0.4 * r + phase) * (0.5 + 0.5 * x / side));
          }
  ds->n_train = ds->n;
  snprintf (ds->name, sizeof ds->name, "%s", "32x32 RGB");
  return AE_OK;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Latency of decoding one code on a clone, as the window's sliders do. */
static void
time_decode (const AeModel *trained, int n, double *p50_ms, double *p99_ms)
{
  AeModel *clone = ae_model_clone (trained);
  int latent = ae_model_latent_dim (clone);
  float *code = calloc ((size_t) latent, sizeof *code);
  float *out = malloc ((size_t) ae_model_input_dim (clone) * sizeof *out);
  double *ms = malloc ((size_t) n * sizeof *ms);
  *p50_ms = *p99_ms = NAN;
  if (clone == NULL || code == NULL || out == NULL || ms == NULL)
    goto out;
  for (int i = -50; i < n; i++)
    {
      /* A slider moves one value at a time. */
      code[(i + 50) % latent] = (float) sin (0.37 * i);
      double t = ae_monotonic_seconds ();
      ae_model_decode (clone, out, code, 1);
      if (i >= 0)
        ms[i] = 1e3 * (ae_monotonic_seconds () - t);
    }
  qsort (ms, (size_t) n, sizeof *ms, compare_doubles);
  *p50_ms = ms[n / 2];
  *p99_ms = ms[(int) ((long) n * 99 / 100)];
out:
  free (ms), free (out), free (code);
  if (clone != NULL)
    ae_model_free (clone);
}

static double
peak_rss_mb (void)
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return (double) usage.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

int
lab_cli_bench (LabArgs *args)
{
  int json = lab_args_flag (args, "json");
  int quick = lab_args_flag (args, "quick");
  long threads;
  if (!lab_args_int (args, "threads", 0, 0, 64, &threads))
    return LAB_EXIT_USAGE;
  lab_apply_threads (args, 0);
  double train_budget = quick ? 0.3 : 3.0;
  double gemm_budget = quick ? 0.01 : 0.1;
  int n_decodes = quick ? 200 : 2000;

  /* digits for most models, colour images for conv-rgb, sines for the sequence model */
  AeDataset *ds = NULL, *colour = NULL, *series = NULL;
  int status = lab_load_data (args, "digits", 1, &ds);
  if (status != LAB_EXIT_OK)
    return status;
  float *owned = NULL;
  const float *train = ae_dataset_rows (ds, ae_dataset_train (ds), ds->n_train, &owned);
  AeError data_err = { 0 };
  if (train == NULL)
    ae_error_set (&data_err, AE_ERR_NOMEM, "out of memory gathering the training split");
  else if (colour_images (&colour, &data_err) == AE_OK)
    ae_series_sines (&series, BENCH_SEQUENCE_SAMPLES, 1, &data_err);
  if (data_err.message[0] != '\0')
    {
      free (owned);
      ae_dataset_free (ds);
      ae_dataset_free (colour);
      return lab_fail (args, LAB_EXIT_FAILURE, "%s", data_err.message);
    }

  BenchModel models[BENCH_N_MODELS];
  describe_models (models);
  /* colour images and sines are made up here: the bench trains on all their rows */
  BenchTraining trainings[BENCH_N_MODELS];
  for (int i = 0; i < BENCH_N_MODELS; i++)
    {
      const AeDataset *own = i == 3 ? colour : i == 5 ? series : NULL;
      if (own != NULL)
        start_training (&models[i], &trainings[i], own, own->x, own->n);
      else
        start_training (&models[i], &trainings[i], ds, train, ds->n_train);
    }
  for (int i = 0; i < BENCH_N_MODELS; i++)
    describe_shares (&models[i], i,
                     trainings[i].model != NULL ? ae_model_train_threads (trainings[i].model, BENCH_BATCH) : 1);
  /* each slice of training is followed by a timing of the same model's ceiling */
  for (int slice = 0; slice < BENCH_SLICES; slice++)
    for (int i = 0; i < BENCH_N_MODELS; i++)
      {
        if (!json)
          fprintf (stderr, "bench: %s, slice %d of %d...\n", models[i].name, slice + 1, BENCH_SLICES);
        time_slice (&models[i], &trainings[i], slice, train_budget / BENCH_SLICES);
        time_model_gemms (&models[i], gemm_budget / BENCH_SLICES);
      }
  double all_flops = 0, all_seconds = 0;
  double decode_p50 = NAN, decode_p99 = NAN;
  for (int i = 0; i < BENCH_N_MODELS; i++)
    {
      BenchModel *m = &models[i];
      AeModel *model = trainings[i].model;
      all_flops += m->gemm_flops_per_step;
      all_seconds += m->gemm_seconds_per_step;
      if (model != NULL && i == 0)
        time_decode (model, n_decodes, &decode_p50, &decode_p99);
      if (model != NULL)
        ae_model_free (model);
    }
  double gflops = all_flops / all_seconds * 1e-9;
  double rss = peak_rss_mb ();

  if (json)
    {
      LabJson j;
      lab_json_begin (&j, stdout);
      fputs ("\"models\":[", stdout);
      for (int i = 0; i < BENCH_N_MODELS; i++)
        {
          const BenchModel *m = &models[i];
          double ceiling = BENCH_BATCH / m->gemm_seconds_per_step;
          LabJson o;
          if (i > 0)
            fputc (',', stdout);
          lab_json_begin (&o, stdout);
          lab_json_string (&o, "name", m->name);
          lab_json_number (&o, "samples_per_s", m->samples_per_s);
          lab_json_numbers (&o, "slice_samples_per_s", m->slice_samples_per_s, BENCH_SLICES);
          lab_json_number (&o, "gemm_ceiling_samples_per_s", ceiling);
          lab_json_number (&o, "fraction_of_ceiling", m->samples_per_s / ceiling);
          lab_json_number (&o, "gemm_gflop_per_sample",
                           m->gemm_flops_per_step / BENCH_BATCH * 1e-9);
          lab_json_int (&o, "threads", m->threads);
          lab_json_number (&o, "ceiling_one_blas_thread", BENCH_BATCH / m->one_thread_seconds);
          lab_json_number (&o, "ceiling_blas_threads", BENCH_BATCH / m->blas_threads_seconds);
          lab_json_number (&o, "ceiling_split_batch", BENCH_BATCH / m->split_seconds);
          if (m->unavailable[0] != '\0')
            lab_json_string (&o, "unavailable", m->unavailable);
          lab_json_object_end (&o);
        }
      fputc (']', stdout);
      j.need_comma = 1;
      lab_json_number (&j, "sgemm_gflops", gflops);
      lab_json_number (&j, "decode_p50_ms", decode_p50);
      lab_json_number (&j, "decode_p99_ms", decode_p99);
      lab_json_number (&j, "peak_rss_mb", rss);
      lab_json_int (&j, "threads", threads);
      lab_json_int (&j, "batch", BENCH_BATCH);
      lab_json_bool (&j, "quick", quick);
      lab_json_end (&j);
    }
  else
    {
      printf ("sgemm on the models' GEMM shapes: %.1f GFLOP/s (threads: %s)\n", gflops,
              threads > 0 ? lab_args_get (args, "threads") : "engine's choice");
      printf ("training, batch %d, Adam, embedded digits (conv-rgb: %dx%d RGB images; "
              "sequence: windows of %d steps of sines):\n",
              BENCH_BATCH, BENCH_RGB_SIDE, BENCH_RGB_SIDE, AE_SINES_STEPS);
      printf ("  %-8s %12s %16s %10s\n", "model", "samples/s", "GEMM ceiling/s", "fraction");
      for (int i = 0; i < BENCH_N_MODELS; i++)
        {
          const BenchModel *m = &models[i];
          double ceiling = BENCH_BATCH / m->gemm_seconds_per_step;
          if (m->unavailable[0] != '\0')
            printf ("  %-8s %12s %16.0f %10s  (%s)\n", m->name, "unavailable", ceiling, "-",
                    m->unavailable);
          else
            printf ("  %-8s %12.0f %16.0f %9.0f%%\n", m->name, m->samples_per_s, ceiling,
                    100.0 * m->samples_per_s / ceiling);
          if (m->threads > 1)
            printf ("  %-8s %d threads; ceiling on one BLAS thread %.0f/s, on %d BLAS threads "
                    "%.0f/s, on split batches %.0f/s\n", "", m->threads,
                    BENCH_BATCH / m->one_thread_seconds, m->threads,
                    BENCH_BATCH / m->blas_threads_seconds, BENCH_BATCH / m->split_seconds);
        }
      printf ("slider decode (dense, one code): p50 %.3f ms, p99 %.3f ms\n", decode_p50, decode_p99);
      printf ("peak memory: %.1f MB\n", rss);
    }
  free (owned);
  ae_dataset_free (series);
  ae_dataset_free (colour);
  ae_dataset_free (ds);
  return LAB_EXIT_OK;
}
