/* Whole models: training, determinism, divergence, clones and files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-model.h"
#include "ae-test.h"

/* Synthetic images in [0, 1]: smooth blobs whose positions vary, so that a small code
 * explains them and training has something to learn. */
static float *
make_blobs (int n, int side, uint64_t seed)
{
  AeRng rng;
  ae_rng_seed (&rng, seed);
  float *x = malloc ((size_t) n * side * side * sizeof (float));
  for (int i = 0; i < n; i++)
    {
      float cx = side * (0.25f + 0.5f * ae_rng_uniform (&rng));
      float cy = side * (0.25f + 0.5f * ae_rng_uniform (&rng));
      float r = side * (0.1f + 0.15f * ae_rng_uniform (&rng));
      for (int y = 0; y < side; y++)
        for (int xx = 0; xx < side; xx++)
          {
            float d2 = (xx - cx) * (xx - cx) + (y - cy) * (y - cy);
            x[(size_t) i * side * side + y * side + xx] = expf (-d2 / (2.0f * r * r));
          }
    }
  return x;
}

static void
fit_shape (AeConfig *cfg, int side)
{
  cfg->channels = 1;
  cfg->height = side;
  cfg->width = side;
}

/* Trains for a few epochs and returns the first and last epoch's mean loss. */
static void
train_preset (const char *preset, double *first, double *last)
{
  const int side = 12, n = 512;
  float *x = make_blobs (n, side, 7);
  AeConfig cfg;
  AeError err = { 0 };
  CHECK (ae_config_preset (&cfg, preset, &err) == AE_OK, "%s", err.message);
  fit_shape (&cfg, side);
  cfg.batch = 32;
  if (cfg.n_hidden > 0)
    cfg.hidden[0] = cfg.hidden[0] > 64 ? 64 : cfg.hidden[0];
  if (cfg.n_hidden > 1)
    cfg.hidden[1] = 32;
  cfg.latent = cfg.latent > 16 ? 16 : cfg.latent;
  AeModel *model = NULL;
  CHECK (ae_model_new (&model, &cfg, &err) == AE_OK, "%s", err.message);
  if (model == NULL)
    {
      free (x);
      return;
    }
  AeRng rng;
  ae_rng_seed (&rng, 3);
  const int epochs = 8;
  for (int e = 0; e < epochs; e++)
    {
      double sum = 0.0;
      int batches = 0;
      for (int i = 0; i + cfg.batch <= n; i += cfg.batch)
        {
          AeLossTerms terms;
          AeStatus st = ae_model_train_step (model, &terms, x + (size_t) i * side * side, cfg.batch,
                                             (float) e, &rng, &err);
          CHECK (st == AE_OK, "%s: %s", preset, err.message);
          sum += terms.total;
          batches++;
        }
      if (e == 0)
        *first = sum / batches;
      *last = sum / batches;
    }
  ae_model_free (model);
  free (x);
}

static void
test_loss_falls (void)
{
  static const char *const presets[] = { "undercomplete", "sparse", "contractive", "denoising",
                                         "vae", "linear" };
  for (int i = 0; i < 6; i++)
    {
      double first = 0, last = 0;
      train_preset (presets[i], &first, &last);
      printf ("# %s: epoch 1 loss %.4f, epoch 8 loss %.4f\n", presets[i], first, last);
      CHECK (isfinite (last) && last < 0.9 * first, "%s: loss %g -> %g", presets[i], first, last);
    }
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/model/loss-falls", test_loss_falls },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
