/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whole models: training, determinism, divergence, clones and files. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ae-layers.h"
#include "ae-math.h"
#include "ae-model-private.h"
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


/* --- whole-model gradients ------------------------------------------------------------------ */

/* A preset shrunk to 4x4 inputs so that every parameter can be checked. */
static AeConfig
small_config (const char *preset)
{
  AeConfig cfg;
  AeError err = { 0 };
  CHECK (ae_config_preset (&cfg, preset, &err) == AE_OK, "%s", err.message);
  fit_shape (&cfg, 4);
  static const int widths[] = { 9, 7 };
  for (int i = 0; i < cfg.n_hidden; i++)
    cfg.hidden[i] = widths[i % 2];
  cfg.latent = 3;
  cfg.batch = 5;
  return cfg;
}

static double
objective (AeModel *model, const float *x, int B, float epoch, const AeRng *noise)
{
  AeLossTerms terms;
  AeError err = { 0 };
  AeRng rng = *noise; /* the same corruption, eps and perturbation every time */
  CHECK (ae_model_loss_and_grad (model, &terms, x, B, epoch, &rng, &err) == AE_OK, "%s", err.message);
  return terms.total;
}

/* Moves every relu-family pre-activation at least KINK_MARGIN away from zero by shifting
 * biases, so that no difference step crosses a kink: a kink much closer than the step
 * gives a difference quotient halfway between the two slopes at every step size, which no
 * comparison of steps can tell from the true derivative. Layer by layer, each unit's zero
 * goes to the middle of the widest gap between its pre-activations over the batch. */
#define KINK_MARGIN 0.05f

static int
compare_floats (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

static void
move_off_kinks (AeModel *m, const float *x, int B, float epoch, const AeRng *noise)
{
  size_t most = 0;
  for (int l = 0; l < m->n_layers; l++)
    most = most > (size_t) m->layers[l].out_dim ? most : (size_t) m->layers[l].out_dim;
  float *pre = malloc (2 * (size_t) B * most * sizeof (float));
  float *values = malloc (2 * (size_t) B * most * sizeof (float));
  for (int l = 0; l < m->n_layers; l++)
    {
      AeLayer *layer = &m->layers[l];
      if (layer->act != AE_ACT_RELU && layer->act != AE_ACT_LEAKY_RELU)
        continue;
      /* A unit of a conv layer is an output channel, seen at each of its positions. */
      int units = layer->kind == AE_LAYER_CONV ? layer->conv.out_channels : layer->out_dim;
      int positions = layer->out_dim / units;
      AeLayer plain = *layer;
      plain.act = AE_ACT_IDENTITY;
      objective (m, x, B, epoch, noise); /* the activations of both passes */
      int passes = l < m->n_enc && m->cfg.contractive > 0.0f && m->cfg.n_hidden > 0 ? 2 : 1;
      for (int pass = 0; pass < passes; pass++)
        {
          AePass *p = pass == 0 ? &m->main : &m->perturbed;
          const float *enc_in = pass == 1 ? m->pert_input : m->cfg.noise != AE_NOISE_NONE ? m->input : x;
          const float *inp = l == 0          ? enc_in
                             : l == m->n_enc ? (m->cfg.variational ? m->z : p->out[l - 1])
                                             : p->out[l - 1];
          ae_layer_forward (&plain, pre + (size_t) pass * B * layer->out_dim, NULL, inp, B,
                            m->workspace);
        }
      int count = passes * B * positions;
      for (int j = 0; j < units; j++)
        {
          for (int k = 0; k < count; k++)
            {
              int sample = k / positions, at = k % positions;
              values[k] = pre[(size_t) sample * layer->out_dim + (size_t) j * positions + at];
            }
          qsort (values, (size_t) count, sizeof (float), compare_floats);
          float nearest = INFINITY;
          for (int k = 0; k < count; k++)
            nearest = fminf (nearest, fabsf (values[k]));
          if (nearest >= KINK_MARGIN)
            continue;
          /* Below all, above all, or between two neighbours. */
          float best_gap = 4 * KINK_MARGIN;
          float best_zero = fabsf (values[0]) < fabsf (values[count - 1]) ? values[0] - 2 * KINK_MARGIN
                                                                          : values[count - 1] + 2 * KINK_MARGIN;
          for (int k = 0; k + 1 < count; k++)
            if (values[k + 1] - values[k] > best_gap)
              {
                best_gap = values[k + 1] - values[k];
                best_zero = 0.5f * (values[k] + values[k + 1]);
              }
          layer->b[j] -= best_zero;
        }
    }
  free (values);
  free (pre);
}

/* Every parameter against central differences of the whole objective. A point whose
 * difference quotient changes with the step sits on a kink (relu at 0) and is skipped. */
static void
check_model_gradients_step (const char *what, const AeConfig *cfg, float epoch, float first_step)
{
  AeModel *model = NULL;
  AeError err = { 0 };
  CHECK (ae_model_new (&model, cfg, &err) == AE_OK, "%s: %s", what, err.message);
  if (model == NULL)
    return;
  const int B = cfg->batch, dim = ae_model_input_dim (model);
  AeRng rng;
  ae_rng_seed (&rng, 11);
  float *x = malloc ((size_t) B * dim * sizeof (float));
  for (int i = 0; i < B * dim; i++)
    x[i] = ae_rng_uniform (&rng);
  AeRng noise;
  ae_rng_seed (&noise, 99);

  size_t n = 0;
  float *params = ae_model_params (model, &n);
  /* Biases start at zero, and a unit fed only zeros then sits exactly on relu's kink,
   * where both difference quotients agree on half the slope: move every parameter off
   * the initial point. */
  for (size_t i = 0; i < n; i++)
    params[i] += 0.2f * (ae_rng_uniform (&rng) - 0.5f);
  move_off_kinks (model, x, B, epoch, &noise);
  objective (model, x, B, epoch, &noise);
  float *analytic = malloc (n * sizeof (float));
  memcpy (analytic, ae_model_grads (model, NULL), n * sizeof (float));
  double largest = 0.0;
  for (size_t i = 0; i < n; i++)
    largest = fmax (largest, fabs (analytic[i]));
  CHECK (largest > 0.0, "%s: every gradient is zero", what);
  double floor = fmax (1e-2 * largest, 1e-6);

  /* Difference quotients at two steps must agree: where they drift apart a kink (the
   * L1 loss at y = x) is within reach, and the point is tried again with smaller steps,
   * then skipped. The larger steps have less rounding noise. */
  const float steps[] = { first_step, first_step / 4 };
  int skipped = 0, checked = 0;
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      float saved = params[i];
      double numeric = NAN;
      for (int s = 0; s < AE_N_CASES (steps) && isnan (numeric); s++)
        {
          double q[2];
          for (int k = 0; k < 2; k++)
            {
              float step = steps[s] / (float) (1 << k);
              params[i] = saved + step;
              double up = objective (model, x, B, epoch, &noise);
              params[i] = saved - step;
              double down = objective (model, x, B, epoch, &noise);
              params[i] = saved;
              q[k] = (up - down) / ((double) (saved + step) - (double) (saved - step));
            }
          if (fabs (q[0] - q[1]) <= 1e-2 * fmax (floor, fabs (q[1])))
            numeric = q[0];
        }
      if (isnan (numeric))
        {
          skipped++;
          continue;
        }
      checked++;
      double error = fabs (numeric - analytic[i]) / fmax (floor, fabs (numeric) + fabs (analytic[i]));
      worst = fmax (worst, error);
      CHECK (error <= 1e-2, "%s: parameter %zu: analytic %.7g, numeric %.7g", what, i,
             (double) analytic[i], numeric);
    }
  printf ("# %s: %d parameters checked, %d on kinks skipped, worst relative error %.2e\n", what,
          checked, skipped, worst);
  CHECK (skipped * 20 <= (int) n, "%s: %d of %zu parameters sit on kinks", what, skipped, n);
  free (analytic);
  free (x);
  ae_model_free (model);
}

static void
check_model_gradients (const char *what, const AeConfig *cfg, float epoch)
{
  check_model_gradients_step (what, cfg, epoch, 1e-2f);
}

static void
test_gradients_undercomplete (void)
{
  AeConfig cfg = small_config ("undercomplete");
  check_model_gradients ("undercomplete (relu, bce)", &cfg, 0.0f);
  cfg.n_hidden = 2;
  cfg.hidden[0] = 9;
  cfg.hidden[1] = 7;
  check_model_gradients ("undercomplete (two hidden layers)", &cfg, 0.0f);
  cfg.activation = AE_ACT_TANH;
  cfg.loss = AE_LOSS_MSE;
  check_model_gradients ("undercomplete (tanh, mse)", &cfg, 0.0f);
  cfg.activation = AE_ACT_LEAKY_RELU;
  cfg.loss = AE_LOSS_L1;
  check_model_gradients ("undercomplete (leaky relu, l1)", &cfg, 0.0f);
}

static void
test_gradients_sparse (void)
{
  AeConfig cfg = small_config ("sparse");
  cfg.kl_sparsity = 0.8f;
  check_model_gradients ("sparse (KL, sigmoid code)", &cfg, 0.0f);
  cfg.kl_sparsity = 0.0f;
  cfg.code_activation = AE_ACT_IDENTITY;
  cfg.l1_code = 0.3f;
  check_model_gradients ("sparse (L1 on the code)", &cfg, 0.0f);
}

static void
test_gradients_contractive (void)
{
  AeConfig cfg = small_config ("contractive");
  cfg.contractive = 0.5f;
  CHECK (cfg.n_hidden == 0, "the contractive preset has %d hidden layers", cfg.n_hidden);
  check_model_gradients ("contractive (one layer, closed form)", &cfg, 0.0f);
  cfg.code_activation = AE_ACT_TANH;
  check_model_gradients ("contractive (one layer, tanh code)", &cfg, 0.0f);
  cfg.n_hidden = 1;
  cfg.hidden[0] = 8;
  cfg.code_activation = AE_ACT_SIGMOID;
  cfg.activation = AE_ACT_TANH;
  /* The estimate divides a difference of two float passes by s^2: its rounding noise needs
   * a larger step, which this smooth (tanh, sigmoid) encoder allows. */
  check_model_gradients_step ("contractive (deep, stochastic estimate)", &cfg, 0.0f, 2e-2f);
}

/* The denoising preset shrunk to 8x8 inputs (8 -> 8 -> 4, the last maps the code), tanh
 * so that no difference step crosses a kink. */
static AeConfig
small_map_config (void)
{
  AeConfig cfg;
  AeError err = { 0 };
  CHECK (ae_config_preset (&cfg, "denoising", &err) == AE_OK, "%s", err.message);
  CHECK (cfg.arch == AE_ARCH_CONV && cfg.latent == 0 && cfg.noise == AE_NOISE_MIXED,
         "the denoising preset is a fully convolutional model trained on mixed noise");
  fit_shape (&cfg, 8);
  cfg.n_hidden = 2;
  cfg.hidden[0] = 2;
  cfg.hidden[1] = 3;
  cfg.batch = 3;
  cfg.activation = AE_ACT_TANH;
  cfg.code_activation = AE_ACT_TANH;
  return cfg;
}

static void
test_gradients_denoising (void)
{
  /* The objective on the dense model that the preset used to be, for each kind. */
  AeConfig cfg = small_config ("undercomplete");
  cfg.noise = AE_NOISE_GAUSSIAN;
  cfg.noise_level = 0.3f;
  check_model_gradients ("denoising (gaussian)", &cfg, 0.0f);
  cfg.noise = AE_NOISE_MASKING;
  cfg.noise_level = 0.3f;
  check_model_gradients ("denoising (masking)", &cfg, 0.0f);
  cfg.noise = AE_NOISE_SALT_PEPPER;
  cfg.noise_level = 0.2f;
  check_model_gradients ("denoising (salt and pepper)", &cfg, 0.0f);
  cfg.noise = AE_NOISE_MIXED;
  cfg.noise_level = 0.5f;
  check_model_gradients ("denoising (mixed)", &cfg, 0.0f);

  cfg = small_map_config ();
  check_model_gradients ("denoising preset (fully convolutional, mixed noise)", &cfg, 0.0f);
  cfg.noise = AE_NOISE_NONE;
  cfg.code_activation = AE_ACT_SIGMOID;
  cfg.kl_sparsity = 0.5f;
  cfg.rho = 0.1f;
  check_model_gradients ("sparse fully convolutional (KL on the maps)", &cfg, 0.0f);
}

static void
test_gradients_vae (void)
{
  AeConfig cfg = small_config ("vae");
  check_model_gradients ("vae (during warm-up)", &cfg, 0.5f);
  cfg.kl_warmup = 0;
  cfg.kl_beta = 2.0f;
  cfg.loss = AE_LOSS_MSE;
  check_model_gradients ("beta-vae (gaussian decoder)", &cfg, 3.0f);
  cfg.noise = AE_NOISE_GAUSSIAN;
  cfg.noise_level = 0.2f;
  cfg.n_hidden = 0;
  check_model_gradients ("denoising vae without hidden layers", &cfg, 3.0f);
}

static void
test_gradients_linear (void)
{
  AeConfig cfg = small_config ("linear");
  check_model_gradients ("linear", &cfg, 0.0f);
}

/* --- training behaviour ------------------------------------------------------------------------- */

static AeModel *
new_model (const AeConfig *cfg)
{
  AeModel *model = NULL;
  AeError err = { 0 };
  CHECK (ae_model_new (&model, cfg, &err) == AE_OK, "%s", err.message);
  return model;
}

/* A conv model on 8x8 images (8 -> 4 -> 2), tanh so that no difference step crosses a
 * kink. */
static AeConfig
small_conv_config (void)
{
  AeConfig cfg;
  AeError err = { 0 };
  CHECK (ae_config_preset (&cfg, "conv", &err) == AE_OK, "%s", err.message);
  fit_shape (&cfg, 8);
  cfg.hidden[0] = 2;
  cfg.hidden[1] = 3;
  cfg.latent = 3;
  cfg.batch = 3;
  cfg.activation = AE_ACT_TANH;
  return cfg;
}

static void
test_gradients_conv (void)
{
  AeConfig cfg = small_conv_config ();
  check_model_gradients ("conv (tanh, bce)", &cfg, 0.0f);
  cfg.noise = AE_NOISE_GAUSSIAN;
  cfg.noise_level = 0.3f;
  check_model_gradients ("denoising conv", &cfg, 0.0f);
  cfg.noise = AE_NOISE_NONE;
  cfg.variational = 1;
  cfg.kl_beta = 1.0f;
  check_model_gradients ("conv vae", &cfg, 0.0f);
  cfg.variational = 0;
  cfg.contractive = 0.3f;
  check_model_gradients ("contractive conv (estimate)", &cfg, 0.0f);
  cfg.contractive = 0.0f;
  cfg.code_activation = AE_ACT_SIGMOID;
  cfg.kl_sparsity = 0.5f;
  cfg.rho = 0.1f;
  check_model_gradients ("sparse conv", &cfg, 0.0f);

  /* Colour: three input planes, and three planes of logits out. */
  AeConfig rgb = small_conv_config ();
  rgb.channels = 3;
  check_model_gradients ("conv on 3 channels", &rgb, 0.0f);
  rgb.noise = AE_NOISE_GAUSSIAN;
  rgb.noise_level = 0.3f;
  check_model_gradients ("denoising conv on 3 channels", &rgb, 0.0f);
  rgb.noise = AE_NOISE_NONE;
  rgb.variational = 1;
  rgb.kl_beta = 1.0f;
  check_model_gradients ("conv vae on 3 channels", &rgb, 0.0f);
}

/* The conv-vae preset builds on grey and colour images of 28, 32 and 64 pixels: a
 * variational code of its size, and logits of the input's shape out. */
static void
test_conv_vae_shapes (void)
{
  static const int sides[] = { 28, 32, 64 };
  for (int channels = 1; channels <= 3; channels += 2)
    for (int s = 0; s < AE_N_CASES (sides); s++)
      {
        AeConfig cfg;
        AeError err = { 0 };
        CHECK (ae_config_preset (&cfg, "conv-vae", &err) == AE_OK, "%s", err.message);
        CHECK (cfg.arch == AE_ARCH_CONV && cfg.variational, "conv-vae is a variational conv model");
        cfg.channels = channels, cfg.height = sides[s], cfg.width = sides[s];
        AeModel *model = NULL;
        CHECK (ae_model_new (&model, &cfg, &err) == AE_OK, "%d x %d x %d: %s", channels,
               sides[s], sides[s], err.message);
        if (model == NULL)
          continue;
        const AeLayer *last = &model->layers[model->n_layers - 1];
        CHECK (ae_model_input_dim (model) == channels * sides[s] * sides[s]
                   && last->kind == AE_LAYER_CONV_T && last->conv.out_channels == channels
                   && last->conv.out_height == sides[s] && last->conv.out_width == sides[s],
               "%d x %d x %d: output %d x %d x %d", channels, sides[s], sides[s],
               last->conv.out_channels, last->conv.out_height, last->conv.out_width);
        CHECK (model->latent == cfg.latent, "code of %d, expected %d", model->latent, cfg.latent);
        ae_model_free (model);
      }
}

/* A sequence model over 5 steps of 2 features: an LSTM of 4 units, or convs of 3 and 4
 * channels along the steps (5 -> 3 -> 2 steps and back). */
static AeConfig
small_sequence_config (AeSequenceLayer layer)
{
  AeConfig cfg;
  AeError err = { 0 };
  CHECK (ae_config_preset (&cfg, "sequence", &err) == AE_OK, "%s", err.message);
  cfg.sequence_layer = layer;
  cfg.channels = 1;
  cfg.height = 5;
  cfg.width = 2;
  if (layer == AE_SEQUENCE_LSTM)
    {
      cfg.n_hidden = 1;
      cfg.hidden[0] = 4;
      cfg.activation = AE_ACT_TANH;
    }
  else
    {
      cfg.n_hidden = 2;
      cfg.hidden[0] = 3;
      cfg.hidden[1] = 4;
      cfg.activation = AE_ACT_TANH; /* smooth, so central differences see no kinks */
    }
  cfg.latent = 3;
  cfg.batch = 3;
  return cfg;
}

/* The photo-denoiser preset shrunk to a 6x6 input, two hidden layers of 3 and 4 maps. */
static AeConfig
small_residual_config (int channels)
{
  AeConfig cfg;
  AeError err = { 0 };
  CHECK (ae_config_preset (&cfg, "photo-denoiser", &err) == AE_OK, "%s", err.message);
  fit_shape (&cfg, 6);
  cfg.channels = channels;
  cfg.n_hidden = 2;
  cfg.hidden[0] = 3;
  cfg.hidden[1] = 4;
  cfg.batch = 2;
  return cfg;
}

static void
test_gradients_residual (void)
{
  AeConfig cfg = small_residual_config (1);
  check_model_gradients ("residual (relu, mse, gaussian 0.1)", &cfg, 0.0f);
  /* The output starts near the noisy input, so many of its errors sit near L1's kink:
   * steps of 1e-3 cross fewer of them. */
  cfg.loss = AE_LOSS_L1;
  check_model_gradients_step ("residual (l1)", &cfg, 0.0f, 1e-3f);
  cfg.loss = AE_LOSS_MSE;
  cfg.noise = AE_NOISE_NONE;
  check_model_gradients ("residual without noise", &cfg, 0.0f);
  AeConfig rgb = small_residual_config (3);
  check_model_gradients ("residual on 3 channels", &rgb, 0.0f);
  rgb.contractive = 0.3f;
  check_model_gradients ("residual on 3 channels, contractive (estimate)", &rgb, 0.0f);
}

/* A residual model with random weights (biases too, so that relu units differ). */
static AeModel *
random_residual (int channels, int side)
{
  AeConfig cfg = small_residual_config (channels);
  fit_shape (&cfg, side);
  cfg.channels = channels;
  cfg.hidden[0] = 5;
  cfg.hidden[1] = 6;
  cfg.n_hidden = 3;
  cfg.hidden[2] = 4;
  AeModel *model = NULL;
  AeError err = { 0 };
  CHECK (ae_model_new (&model, &cfg, &err) == AE_OK, "%s", err.message);
  if (model == NULL)
    return NULL;
  AeRng rng;
  ae_rng_seed (&rng, 5);
  size_t n = 0;
  float *params = ae_model_params (model, &n);
  for (size_t i = 0; i < n; i++)
    params[i] += 0.1f * (ae_rng_uniform (&rng) - 0.5f);
  return model;
}

static float *
random_image (int channels, int w, int h, uint64_t seed)
{
  AeRng rng;
  ae_rng_seed (&rng, seed);
  float *x = malloc ((size_t) channels * w * h * sizeof (float));
  for (long i = 0; i < (long) channels * w * h; i++)
    x[i] = ae_rng_uniform (&rng);
  return x;
}

/* The output is the input less the last layer's values: all weights zero predict no noise. */
static void
test_residual_identity (void)
{
  AeModel *model = random_residual (3, 8);
  if (model == NULL)
    return;
  size_t n = 0;
  float *params = ae_model_params (model, &n);
  memset (params, 0, n * sizeof (float));
  float *x = random_image (3, 8, 8, 3), *out = malloc (3 * 64 * sizeof (float));
  ae_model_reconstruct (model, out, x, 1);
  CHECK (memcmp (out, x, 3 * 64 * sizeof (float)) == 0, "a model that predicts no noise changed its input");
  /* and a bias of the last layer is subtracted from its channel */
  const AeLayer *last = &model->layers[model->n_layers - 1];
  last->b[1] = 0.25f;
  ae_model_reconstruct (model, out, x, 1);
  CHECK_CLOSE (out[64 + 10], x[64 + 10] - 0.25f, 1e-7);
  CHECK_CLOSE (out[10], x[10], 0);
  free (x);
  free (out);
  ae_model_free (model);
}

/* The whole-image pass on an input of the model's own size gives the model's output. */
static void
test_residual_image_equals_model (void)
{
  const int side = 16;
  AeModel *model = random_residual (3, side);
  if (model == NULL)
    return;
  CHECK (ae_model_is_fully_convolutional (model), "the residual model is not fully convolutional");
  const int dim = 3 * side * side;
  float *x = random_image (3, side, side, 8);
  float *patch = malloc (dim * sizeof (float)), *whole = malloc (dim * sizeof (float));
  ae_model_reconstruct (model, patch, x, 1);
  int clamped = 0;
  for (int i = 0; i < dim; i++)
    {
      clamped += patch[i] < 0.0f || patch[i] > 1.0f;
      patch[i] = fminf (fmaxf (patch[i], 0.0f), 1.0f);
    }
  AeError err = { 0 };
  CHECK (ae_model_apply_image (model, whole, x, side, side, &err) == AE_OK, "%s", err.message);
  int differ = 0;
  for (int i = 0; i < dim; i++)
    differ += patch[i] != whole[i];
  printf ("# %d of %d values differ (%d clamped)\n", differ, dim, clamped);
  CHECK (differ == 0, "%d of %d values differ from the model's output", differ, dim);
  /* A conv model with a dense code has a fixed size: refused with a message. */
  AeConfig conv = small_conv_config ();
  AeModel *fixed = NULL;
  CHECK (ae_model_new (&fixed, &conv, &err) == AE_OK, "%s", err.message);
  if (fixed != NULL)
    {
      CHECK (!ae_model_is_fully_convolutional (fixed), "a conv model with a dense code");
      CHECK (ae_model_apply_image (fixed, whole, x, 8, 8, &err) == AE_ERR_UNSUPPORTED
             && strstr (err.message, "fixed size") != NULL, "%s", err.message);
      ae_model_free (fixed);
    }
  free (x);
  free (patch);
  free (whole);
  ae_model_free (model);
}

/* Planar (C, h, w) src turned into dst: transposed (w, h planes), or mirrored left to right. */
static void
transpose_image (float *dst, const float *src, int C, int w, int h)
{
  for (int c = 0; c < C; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        dst[((size_t) c * w + x) * h + y] = src[((size_t) c * h + y) * w + x];
}

static void
mirror_image (float *dst, const float *src, int C, int w, int h)
{
  for (int c = 0; c < C; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        dst[((size_t) c * h + y) * w + x] = src[((size_t) c * h + y) * w + w - 1 - x];
}

/* The mean over the eight flips and quarter turns turns each view back: with no noise
 * predicted it gives the input itself, and on a non-square image it commutes with a
 * transpose and a mirror, which one pass does not. */
static void
test_residual_image_ensemble (void)
{
  ae_set_threads (1);
  AeModel *model = random_residual (3, 12);
  if (model == NULL)
    return;
  const int C = 3, w = 13, h = 9, n = C * w * h;
  float *x = random_image (C, w, h, 4), *ens = malloc (n * sizeof (float));
  float *turned = malloc (n * sizeof (float)), *ens_turned = malloc (n * sizeof (float));
  float *back = malloc (n * sizeof (float)), *one = malloc (n * sizeof (float));
  float *one_turned = malloc (n * sizeof (float));
  AeError err = { 0 };
  for (int mirror = 0; mirror < 2; mirror++)
    {
      const char *what = mirror ? "mirror" : "transpose";
      int tw = mirror ? w : h, th = mirror ? h : w;
      (mirror ? mirror_image : transpose_image) (turned, x, C, w, h);
      CHECK (ae_model_apply_image_ensemble (model, ens, x, w, h, &err) == AE_OK, "%s", err.message);
      CHECK (ae_model_apply_image_ensemble (model, ens_turned, turned, tw, th, &err) == AE_OK, "%s",
             err.message);
      (mirror ? mirror_image : transpose_image) (back, ens_turned, C, tw, th);
      double most = 0, one_most = 0;
      CHECK (ae_model_apply_image (model, one, x, w, h, &err) == AE_OK, "%s", err.message);
      CHECK (ae_model_apply_image (model, one_turned, turned, tw, th, &err) == AE_OK, "%s", err.message);
      (mirror ? mirror_image : transpose_image) (turned, one_turned, C, tw, th);
      for (int i = 0; i < n; i++)
        {
          most = fmax (most, fabs (back[i] - ens[i]));
          one_most = fmax (one_most, fabs (turned[i] - one[i]));
        }
      printf ("# %s: the ensemble moves by %g, one pass by %g\n", what, most, one_most);
      CHECK (most < 1e-6, "the ensemble of the %s differs from the %s of the ensemble by %g", what,
             what, most);
      CHECK (one_most > 1e-3, "one pass commutes with the %s (by %g): the check shows nothing", what,
             one_most);
    }
  size_t n_params = 0;
  float *params = ae_model_params (model, &n_params);
  memset (params, 0, n_params * sizeof (float));
  CHECK (ae_model_apply_image_ensemble (model, ens, x, w, h, &err) == AE_OK, "%s", err.message);
  /* Eight eighths of a value add up to it within the rounding of the sums. */
  double moved = 0;
  for (int i = 0; i < n; i++)
    moved = fmax (moved, fabs (ens[i] - x[i]));
  CHECK (moved < 1e-6, "a model that predicts no noise moved its input by %g", moved);
  free (x);
  free (ens);
  free (turned);
  free (ens_turned);
  free (back);
  free (one);
  free (one_turned);
  ae_model_free (model);
}

/* An odd-sized colour image of another size than the model's: bands of any height give
 * the one pass's values bit for bit, and the border pixels see the zero padding of the
 * image's edge, not of the band's. */
static void
test_residual_image_bands (void)
{
  /* One BLAS thread, as the program runs it (ae_set_threads): OpenBLAS's own threads
   * split a product at columns that are no multiple of its kernel's width. */
  ae_set_threads (1);
  AeModel *model = random_residual (3, 12);
  if (model == NULL)
    return;
  const int w = 37, h = 23, n = 3 * w * h;
  float *x = random_image (3, w, h, 9);
  float *one = malloc (n * sizeof (float)), *bands = malloc (n * sizeof (float));
  AeError err = { 0 };
  CHECK (ae_model_apply_image_bands (model, one, x, w, h, h, &err) == AE_OK, "%s", err.message);
  static const int rows[] = { 1, 2, 5, 7, 16, 22 };
  for (int r = 0; r < AE_N_CASES (rows); r++)
    {
      CHECK (ae_model_apply_image_bands (model, bands, x, w, h, rows[r], &err) == AE_OK, "%s",
             err.message);
      int differ = 0;
      double most = 0;
      for (int i = 0; i < n; i++)
        {
          differ += one[i] != bands[i];
          most = fmax (most, fabs (one[i] - bands[i]));
        }
      CHECK (differ == 0, "bands of %d rows: %d of %d values differ from one pass (by up to %g)",
             rows[r], differ, n, most);
    }
  /* The one pass itself: a direct convolution of the image, layer by layer. */
  int C = 3;
  float *a = malloc ((size_t) 8 * w * h * sizeof (float)), *b = malloc ((size_t) 8 * w * h * sizeof (float));
  memcpy (a, x, n * sizeof (float));
  for (int l = 0; l < model->n_layers; l++)
    {
      const AeLayer *layer = &model->layers[l];
      int OC = layer->conv.out_channels;
      for (int o = 0; o < OC; o++)
        for (int y = 0; y < h; y++)
          for (int xx = 0; xx < w; xx++)
            {
              double sum = layer->b[o];
              for (int c = 0; c < C; c++)
                for (int ky = 0; ky < 3; ky++)
                  for (int kx = 0; kx < 3; kx++)
                    {
                      int sy = y + ky - 1, sx = xx + kx - 1;
                      if (sy >= 0 && sy < h && sx >= 0 && sx < w)
                        sum += (double) layer->w[((o * C + c) * 3 + ky) * 3 + kx] * a[(c * h + sy) * w + sx];
                    }
              b[(o * h + y) * w + xx] = layer->act == AE_ACT_RELU && sum < 0 ? 0.0f : (float) sum;
            }
      memcpy (a, b, (size_t) OC * w * h * sizeof (float));
      C = OC;
    }
  double worst = 0;
  for (int i = 0; i < n; i++)
    worst = fmax (worst, fabs (fminf (fmaxf (x[i] - a[i], 0.0f), 1.0f) - one[i]));
  CHECK (worst < 1e-5, "the one pass differs from direct convolutions by %g", worst);
  free (a);
  free (b);
  free (x);
  free (one);
  free (bands);
  ae_model_free (model);
}

/* Trained on noisy blobs, the residual denoiser gives back cleaner images than it is fed. */
static void
test_residual_learns (void)
{
  const int side = 16, n = 512, dim = side * side;
  float *x = make_blobs (n, side, 17);
  AeConfig cfg = small_residual_config (1);
  fit_shape (&cfg, side);
  cfg.hidden[0] = cfg.hidden[1] = 12;
  cfg.batch = 32;
  cfg.lr = 3e-3f;
  AeModel *model = NULL;
  AeError err = { 0 };
  CHECK (ae_model_new (&model, &cfg, &err) == AE_OK, "%s", err.message);
  if (model == NULL)
    {
      free (x);
      return;
    }
  AeRng rng;
  ae_rng_seed (&rng, 4);
  const int n_train = n - 64;
  for (int e = 0; e < 6; e++)
    for (int i = 0; i + cfg.batch <= n_train; i += cfg.batch)
      {
        AeLossTerms terms;
        CHECK (ae_model_train_step (model, &terms, x + (size_t) i * dim, cfg.batch, (float) e, &rng,
                                    &err) == AE_OK, "%s", err.message);
      }
  const float *test = x + (size_t) n_train * dim;
  float *noisy = malloc ((size_t) 64 * dim * sizeof (float)), *out = malloc ((size_t) 64 * dim * sizeof (float));
  memcpy (noisy, test, (size_t) 64 * dim * sizeof (float));
  ae_corrupt (noisy, (long) 64 * dim, AE_NOISE_GAUSSIAN, 0.1f, &rng);
  ae_model_reconstruct (model, out, noisy, 64);
  double before = ae_psnr (test, noisy, (long) 64 * dim), after = ae_psnr (test, out, (long) 64 * dim);
  printf ("# blobs with Gaussian noise 0.1: %.2f dB noisy, %.2f dB denoised\n", before, after);
  CHECK (after > before + 3.0, "%.2f dB noisy, %.2f dB denoised", before, after);
  free (noisy);
  free (out);
  free (x);
  ae_model_free (model);
}

/* The decoder of a convolutional model mirrors its encoder: transposed convolution j takes
 * encoder layer n - 1 - j's output back to that layer's input (same kernel, stride and
 * padding), numbered on from decoder.0 (a code of maps) or decoder.1 (after the dense
 * layer back from the code), the last one giving identity logits. */
static void
check_mirrored (const char *what, const AeConfig *cfg, int first_decoder)
{
  AeModel *model = NULL;
  AeError err = { 0 };
  CHECK (ae_model_new (&model, cfg, &err) == AE_OK, "%s: %s", what, err.message);
  if (model == NULL)
    return;
  const AeLayer *enc[AE_MAX_HIDDEN], *dec[AE_MAX_HIDDEN];
  int n_enc = 0, n_dec = 0;
  for (int l = 0; l < model->n_layers; l++)
    {
      const AeLayer *layer = &model->layers[l];
      if (layer->kind == AE_LAYER_CONV && n_enc < AE_MAX_HIDDEN)
        enc[n_enc++] = layer;
      else if (layer->kind == AE_LAYER_CONV_T && n_dec < AE_MAX_HIDDEN)
        dec[n_dec++] = layer;
    }
  CHECK (n_enc == cfg->n_hidden && n_dec == cfg->n_hidden, "%s: %d convs and %d transposed, "
         "expected %d of each", what, n_enc, n_dec, cfg->n_hidden);
  for (int i = 0; i < n_enc && n_enc == n_dec; i++)
    {
      char name[AE_TENSOR_NAME_MAX];
      snprintf (name, sizeof name, "encoder.%d", i);
      CHECK (strcmp (enc[i]->name, name) == 0, "%s: conv %d is %s", what, i, enc[i]->name);
      const AeConvShape *e = &enc[i]->conv, *d = &dec[n_dec - 1 - i]->conv;
      snprintf (name, sizeof name, "decoder.%d", first_decoder + n_dec - 1 - i);
      CHECK (strcmp (dec[n_dec - 1 - i]->name, name) == 0, "%s: the mirror of encoder.%d is %s, "
             "expected %s", what, i, dec[n_dec - 1 - i]->name, name);
      CHECK (d->in_channels == e->out_channels && d->in_height == e->out_height
                 && d->in_width == e->out_width && d->out_channels == e->in_channels
                 && d->out_height == e->in_height && d->out_width == e->in_width,
             "%s: encoder.%d %d x %d x %d -> %d x %d x %d, its mirror %d x %d x %d -> %d x %d x %d",
             what, i, e->in_channels, e->in_height, e->in_width, e->out_channels, e->out_height,
             e->out_width, d->in_channels, d->in_height, d->in_width, d->out_channels,
             d->out_height, d->out_width);
      CHECK (d->kernel_h == e->kernel_h && d->stride_h == e->stride_h && d->pad_h == e->pad_h,
             "%s: encoder.%d kernel %d stride %d padding %d, its mirror %d %d %d", what, i,
             e->kernel_h, e->stride_h, e->pad_h, d->kernel_h, d->stride_h, d->pad_h);
      CHECK (dec[n_dec - 1 - i]->act == (i == 0 ? AE_ACT_IDENTITY : cfg->activation),
             "%s: the mirror of encoder.%d has activation %d", what, i, dec[n_dec - 1 - i]->act);
    }
  ae_model_free (model);
}

static void
test_conv_mirrors (void)
{
  AeConfig cfg = small_conv_config ();
  check_mirrored ("conv", &cfg, 1);
  cfg = small_map_config ();
  check_mirrored ("code of maps", &cfg, 0);
  cfg = small_sequence_config (AE_SEQUENCE_CONV);
  check_mirrored ("sequence conv", &cfg, 1);

  /* 28 rows halve to 14 and 7 exactly, 29 columns round up to 15 and 8: no one transposed
   * convolution gives both back. */
  cfg = small_conv_config ();
  cfg.height = 28;
  cfg.width = 29;
  AeModel *model = NULL;
  AeError err = { 0 };
  CHECK (ae_model_new (&model, &cfg, &err) == AE_ERR_UNSUPPORTED && model == NULL,
         "28 x 29: status %d (%s)", err.status, err.message);
  CHECK (strstr (err.message, "no transposed convolution maps 7 x 8 back to 14 x 15") != NULL,
         "28 x 29: %s", err.message);
  ae_model_free (model);
}

static void
test_gradients_sequence (void)
{
  AeConfig cfg = small_sequence_config (AE_SEQUENCE_LSTM);
  check_model_gradients ("sequence (lstm, mse)", &cfg, 0.0f);
  cfg.variational = 1;
  cfg.kl_beta = 1.0f;
  check_model_gradients ("sequence vae", &cfg, 0.0f);
  cfg = small_sequence_config (AE_SEQUENCE_CONV);
  check_model_gradients ("sequence (conv, mse)", &cfg, 0.0f);
  cfg.variational = 1;
  cfg.kl_beta = 1.0f;
  check_model_gradients ("sequence conv vae", &cfg, 0.0f);
  cfg.variational = 0;
  cfg.activation = AE_ACT_RELU;
  check_model_gradients ("sequence (conv, relu)", &cfg, 0.0f);
}

/* --- batches split over threads (ae_set_threads) -------------------------------------------- */

/* The terms and gradients of one batch, whole and split over two threads: the same sums
 * in another order. Families without random draws, so that both see the same objective. */
static void
check_split_matches_whole (const char *what, AeConfig cfg)
{
  cfg.batch = 64;
  AeModel *model = new_model (&cfg);
  if (model == NULL)
    return;
  const int dim = ae_model_input_dim (model);
  AeRng rng;
  ae_rng_seed (&rng, 5);
  float *x = malloc ((size_t) cfg.batch * dim * sizeof (float));
  for (int i = 0; i < cfg.batch * dim; i++)
    x[i] = ae_rng_uniform (&rng);
  size_t n = 0;
  float *params = ae_model_params (model, &n);
  for (size_t i = 0; i < n; i++)
    params[i] += 0.2f * (ae_rng_uniform (&rng) - 0.5f);
  AeLossTerms terms[2];
  float *grads[2];
  for (int run = 0; run < 2; run++)
    {
      AeError err = { 0 };
      ae_set_threads (run + 1);
      CHECK (ae_model_loss_and_grad (model, &terms[run], x, cfg.batch, 0.0f, NULL, &err) == AE_OK, "%s: %s",
             what, err.message);
      grads[run] = malloc (n * sizeof (float));
      memcpy (grads[run], ae_model_grads (model, NULL), n * sizeof (float));
    }
  ae_set_threads (1);
  CHECK (model->team != NULL && ae_team_size (model->team) == 2, "%s: the batch was split", what);
  double largest = 0.0, worst = 0.0;
  for (size_t i = 0; i < n; i++)
    largest = fmax (largest, fabs (grads[0][i]));
  for (size_t i = 0; i < n; i++)
    worst = fmax (worst, fabs (grads[0][i] - grads[1][i]) / largest);
  printf ("# %s: loss %.9g whole, %.9g split; largest gradient difference %.2e of the largest\n", what,
          terms[0].total, terms[1].total, worst);
  CHECK (largest > 0.0 && worst <= 1e-5, "%s: gradients differ by %.2e of the largest", what, worst);
  CHECK (fabs (terms[0].total - terms[1].total) <= 1e-6 * fabs (terms[0].total)
           && fabs (terms[0].reconstruction - terms[1].reconstruction) <= 1e-6 * fabs (terms[0].reconstruction)
           && fabs (terms[0].sparsity - terms[1].sparsity) <= 1e-6 * fabs (terms[0].sparsity)
           && fabs (terms[0].contractive - terms[1].contractive) <= 1e-6 * fabs (terms[0].contractive),
         "%s: terms differ: total %.9g vs %.9g", what, terms[0].total, terms[1].total);
  free (grads[0]);
  free (grads[1]);
  free (x);
  ae_model_free (model);
}

/* Steps of `steps` run the other way than the team (or alone) that a model chooses, with
 * made-up step times: the team's and the thread's alone. */
static int
steps_the_other_way (double team_seconds, double alone_seconds, int steps, int *alone_at_end)
{
  AeModel m;
  memset (&m, 0, sizeof m);
  int other = 0;
  for (int i = 0; i < steps; i++)
    {
      ae_model_split_mode (&m);
      other += m.alone_now != (team_seconds > alone_seconds);
      ae_model_split_timed (&m, m.alone_now ? alone_seconds : team_seconds);
    }
  *alone_at_end = m.alone;
  return other;
}

/* A split step probes the other way for 4 steps every 128, and more rarely (up to every
 * 1,024) while it keeps finding it more than 1.5x slower: probing a way twice as slow every
 * 128 steps cost the dense bench model 2.5 % of its speed. */
static void
test_split_probes (void)
{
  int alone;
  /* the team twice as fast: after the first probes, one every 1,024 steps */
  int other = steps_the_other_way (4e-3, 8e-3, 8192, &alone);
  CHECK (!alone && other >= 4 * 6 && other <= 4 * 14,
         "team 2x faster: %d of 8,192 steps alone (%d at every 128)", other, 4 * 8192 / 128);
  /* close: the probes stay every 128 steps */
  other = steps_the_other_way (4e-3, 5e-3, 8192, &alone);
  CHECK (!alone && other >= 4 * 8192 / 128 - 8 && other <= 4 * 8192 / 128 + 4,
         "ways within 1.5x: %d of 8,192 steps the other way", other);
  /* a busy machine: alone wins at the second probe (the first 132 steps are the team's),
   * and the team is probed rarely after */
  other = steps_the_other_way (9e-3, 4e-3, 8192, &alone);
  CHECK (alone && other >= 132 && other <= 132 + 4 * 14,
         "alone 2x faster: alone at the end, %d team steps", other);
}

/* Two ways of training a model that must give the same weights, bit for bit. */
typedef enum {
  /* a split step run by the team, or by the calling thread alone */
  TEAM_OR_ALONE,
  /* ae_model_train_step, or loss_and_grad then apply_grad: a split step of dense layers
   * takes the optimiser step in the parts of its weight gradients */
  STEP_OR_GRAD_THEN_UPDATE,
} TwoWays;

static void
check_ways_agree (const char *what, AeConfig cfg, TwoWays ways)
{
  cfg.batch = 64;
  float *x = make_blobs (cfg.batch, cfg.height, 3);
  AeModel *models[2];
  ae_set_threads (2);
  for (int way = 0; way < 2; way++)
    {
      models[way] = new_model (&cfg);
      if (models[way] == NULL)
        continue;
      if (ways == TEAM_OR_ALONE)
        models[way]->split_fixed = way + 1; /* the team, then alone */
      AeRng rng;
      ae_rng_seed (&rng, 8);
      for (int step = 0; step < 5; step++)
        {
          AeLossTerms terms;
          AeError err = { 0 };
          if (ways == STEP_OR_GRAD_THEN_UPDATE && way == 1)
            {
              CHECK (ae_model_loss_and_grad (models[way], &terms, x, cfg.batch, 0.5f, &rng, &err) == AE_OK,
                     "%s: %s", what, err.message);
              ae_model_apply_grad (models[way]);
            }
          else
            CHECK (ae_model_train_step (models[way], &terms, x, cfg.batch, 0.5f, &rng, &err) == AE_OK,
                   "%s: %s", what, err.message);
        }
    }
  ae_set_threads (1);
  if (models[0] != NULL && models[1] != NULL)
    {
      size_t n = 0;
      const float *a = ae_model_params (models[0], &n), *b = ae_model_params (models[1], NULL);
      CHECK (models[0]->team != NULL && memcmp (a, b, n * sizeof (float)) == 0,
             "%s: %s", what, ways == TEAM_OR_ALONE
                               ? "the team's weights differ from those of the thread alone"
                               : "a training step's weights differ from those of its gradients and then the step");
    }
  ae_model_free (models[0]);
  ae_model_free (models[1]);
  free (x);
}

static void
test_split_batch (void)
{
  check_ways_agree ("vae", small_config ("vae"), STEP_OR_GRAD_THEN_UPDATE);
  AeConfig sgd = small_config ("undercomplete");
  sgd.optimizer = AE_OPT_SGD;
  sgd.momentum = 0.9f;
  sgd.weight_decay = 1e-3f;
  check_ways_agree ("undercomplete, SGD", sgd, STEP_OR_GRAD_THEN_UPDATE);
  check_ways_agree ("vae", small_config ("vae"), TEAM_OR_ALONE);
  AeConfig noisy_conv = small_conv_config ();
  noisy_conv.noise = AE_NOISE_GAUSSIAN;
  noisy_conv.noise_level = 0.2f;
  check_ways_agree ("denoising conv", noisy_conv, TEAM_OR_ALONE);
  check_split_matches_whole ("undercomplete", small_config ("undercomplete"));
  AeConfig cfg = small_config ("sparse");
  cfg.kl_sparsity = 0.0f;
  cfg.code_activation = AE_ACT_IDENTITY;
  cfg.l1_code = 0.3f;
  check_split_matches_whole ("sparse (L1)", cfg);
  check_split_matches_whole ("contractive (closed form)", small_config ("contractive"));
  check_split_matches_whole ("linear", small_config ("linear"));
  check_split_matches_whole ("conv", small_conv_config ());
  AeConfig map = small_map_config ();
  map.noise = AE_NOISE_NONE;
  check_split_matches_whole ("conv, the last maps the code", map);
  check_split_matches_whole ("sequence", small_sequence_config (AE_SEQUENCE_LSTM));
  check_split_matches_whole ("sequence conv", small_sequence_config (AE_SEQUENCE_CONV));

  /* Random draws differ between a whole and a split batch: these families are checked
   * against central differences through the split instead (tanh: no kinks to skip). */
  ae_set_threads (2);
  static const char *const random_presets[] = { "denoising", "vae", "contractive" };
  for (int p = 0; p < 3; p++)
    {
      cfg = small_config (p == 0 ? "undercomplete" : random_presets[p]);
      if (p == 0)
        {
          cfg.noise = AE_NOISE_GAUSSIAN; /* the dense model the preset used to be */
          cfg.noise_level = 0.3f;
        }
      cfg.batch = 64;
      cfg.activation = AE_ACT_TANH;
      if (p == 2)
        {
          cfg.n_hidden = 1; /* the stochastic estimate */
          cfg.hidden[0] = 8;
          cfg.code_activation = AE_ACT_SIGMOID;
          check_model_gradients_step ("contractive (deep), split over two threads", &cfg, 0.0f, 2e-2f);
        }
      else
        {
          char what[64];
          snprintf (what, sizeof what, "%s, split over two threads", random_presets[p]);
          check_model_gradients (what, &cfg, 0.5f);
        }
    }
  /* KL sparsity compares a mean over the whole batch: it stays on one thread. */
  cfg = small_config ("sparse");
  cfg.batch = 64;
  cfg.activation = AE_ACT_TANH;
  cfg.kl_sparsity = 0.8f;
  check_model_gradients ("sparse (KL), two threads asked", &cfg, 0.0f);
  cfg = small_map_config ();
  cfg.batch = 64;
  check_model_gradients ("denoising preset, split over two threads", &cfg, 0.0f);
  ae_set_threads (1);
}

/* Named tensors, save and load, clone and chunked inference of conv and sequence models. */
static void
test_conv_sequence_files (void)
{
  AeConfig cfgs[5] = { small_conv_config (), small_sequence_config (AE_SEQUENCE_LSTM),
                       small_conv_config (), small_sequence_config (AE_SEQUENCE_CONV),
                       small_map_config () };
  cfgs[2].variational = 1;
  cfgs[3].variational = 1;
  for (int k = 0; k < 5; k++)
    {
      AeConfig *cfg = &cfgs[k];
      AeModel *model = new_model (cfg);
      if (model == NULL)
        continue;
      const int dim = ae_model_input_dim (model), B = 150; /* more than one chunk of 64 */
      AeRng rng;
      ae_rng_seed (&rng, 5);
      float *x = malloc ((size_t) B * dim * sizeof (float));
      float *a = malloc ((size_t) B * dim * sizeof (float));
      float *b = malloc ((size_t) B * dim * sizeof (float));
      for (int i = 0; i < B * dim; i++)
        x[i] = ae_rng_uniform (&rng);
      AeTensor tensors[64];
      int n = ae_model_tensors (model, tensors, 64);
      size_t total = 0;
      for (int i = 0; i < n; i++)
        total += ae_tensor_numel (&tensors[i]);
      CHECK (total == ae_model_n_params (model), "tensors hold %zu of %zu parameters", total,
             ae_model_n_params (model));
      if (k == 3) /* 5 steps of 2 features: a kernel of 5 steps across both */
        CHECK (tensors[0].rank == 4 && tensors[0].shape[0] == cfg->hidden[0] && tensors[0].shape[1] == 1
               && tensors[0].shape[2] == 5 && tensors[0].shape[3] == 2,
               "sequence conv weight shape %d x %d x %d x %d", tensors[0].shape[0],
               tensors[0].shape[1], tensors[0].shape[2], tensors[0].shape[3]);
      else if (k != 1)
        CHECK (tensors[0].rank == 4 && tensors[0].shape[0] == cfg->hidden[0] && tensors[0].shape[1] == 1
               && tensors[0].shape[2] == 3, "conv weight shape %d x %d x %d", tensors[0].shape[0],
               tensors[0].shape[1], tensors[0].shape[2]);
      else
        CHECK (strcmp (tensors[0].name, "encoder.0.weight_ih_l0") == 0 && tensors[0].shape[0] == 16,
               "lstm tensor %s", tensors[0].name);
      /* Chunked reconstruction equals row-by-row. */
      ae_model_reconstruct (model, a, x, B);
      for (int r = 0; r < B; r += 37)
        {
          ae_model_reconstruct (model, b, x + (size_t) r * dim, 1);
          for (int j = 0; j < dim; j++)
            CHECK_CLOSE (b[j], a[(size_t) r * dim + j], 1e-5);
        }
      AeModel *copy = ae_model_clone (model);
      ae_model_reconstruct (copy, b, x, B);
      CHECK (memcmp (a, b, (size_t) B * dim * sizeof (float)) == 0, "clone differs");
      ae_model_free (copy);
      char path[] = "/tmp/ae-test-arch-XXXXXX";
      int fd = mkstemp (path);
      close (fd);
      AeError err = { 0 };
      AeModel *loaded = NULL;
      CHECK (ae_model_save (model, path, &err) == AE_OK, "%s", err.message);
      CHECK (ae_model_load (&loaded, path, &err) == AE_OK, "%s", err.message);
      if (loaded != NULL)
        {
          ae_model_reconstruct (loaded, b, x, B);
          CHECK (memcmp (a, b, (size_t) B * dim * sizeof (float)) == 0, "loaded model differs");
        }
      ae_model_free (loaded);
      unlink (path);
      free (x), free (a), free (b);
      ae_model_free (model);
    }
}

/* Mixtures of two sines over T steps, in [0, 1]. */
static float *
make_sines (int n, int T, uint64_t seed)
{
  AeRng rng;
  ae_rng_seed (&rng, seed);
  float *x = malloc ((size_t) n * T * sizeof (float));
  for (int i = 0; i < n; i++)
    {
      float f = 0.1f + 0.3f * ae_rng_uniform (&rng), phase = 6.28f * ae_rng_uniform (&rng);
      float amp = 0.2f + 0.25f * ae_rng_uniform (&rng);
      for (int t = 0; t < T; t++)
        x[(size_t) i * T + t] = 0.5f + amp * sinf (f * t + phase);
    }
  return x;
}

/* Short trainings of the conv model on blobs and the sequence model (convs, then an
 * LSTM) on sines: the loss falls. */
static void
test_conv_sequence_learn (void)
{
  static const char *const names[] = { "conv", "sequence", "sequence lstm" };
  for (int k = 0; k < 3; k++)
    {
      const int n = 256, T = 16;
      AeConfig cfg;
      ae_config_preset (&cfg, k == 0 ? "conv" : "sequence", NULL);
      if (k == 2)
        {
          AeError err = { 0 };
          CHECK (ae_config_set (&cfg, "sequence-layer", "lstm", &err) == AE_OK
                 && ae_config_set (&cfg, "hidden", "32", &err) == AE_OK
                 && ae_config_set (&cfg, "activation", "tanh", &err) == AE_OK, "%s", err.message);
          cfg.latent = 4;
          cfg.lr = 5e-3f;
        }
      float *x;
      if (k == 0)
        {
          fit_shape (&cfg, 12);
          x = make_blobs (n, 12, 3);
        }
      else
        {
          cfg.channels = 1, cfg.height = T, cfg.width = 1;
          x = make_sines (n, T, 3);
        }
      cfg.batch = 32;
      AeModel *model = new_model (&cfg);
      const int dim = ae_model_input_dim (model);
      double first = 0.0, last = 0.0;
      AeError err = { 0 };
      for (int epoch = 0; epoch < 6; epoch++)
        {
          double sum = 0.0;
          for (int s = 0; s + cfg.batch <= n; s += cfg.batch)
            {
              AeLossTerms terms;
              CHECK (ae_model_train_step (model, &terms, x + (size_t) s * dim, cfg.batch,
                                          (float) epoch, NULL, &err) == AE_OK, "%s", err.message);
              sum += terms.total;
            }
          if (epoch == 0)
            first = sum;
          last = sum;
        }
      printf ("# %s: loss %.4f -> %.4f\n", names[k], first, last);
      CHECK (last < 0.7 * first, "%s: loss %g -> %g", names[k], first, last);
      free (x);
      ae_model_free (model);
    }
}

static void
test_same_seed_same_run (void)
{
  static const char *const presets[] = { "undercomplete", "denoising", "vae", "contractive" };
  for (int p = 0; p < 4; p++)
    {
      AeConfig cfg = small_config (presets[p]);
      if (p == 3)
        {
          cfg.n_hidden = 1; /* the stochastic estimate draws noise too */
          cfg.hidden[0] = 8;
        }
      float *x = make_blobs (cfg.batch, 4, 5);
      double losses[2][6];
      float *params[2];
      size_t n = 0;
      AeModel *models[2];
      for (int run = 0; run < 2; run++)
        {
          models[run] = new_model (&cfg);
          AeRng rng;
          ae_rng_seed (&rng, 77);
          for (int step = 0; step < 6; step++)
            {
              AeLossTerms terms;
              AeError err = { 0 };
              CHECK (ae_model_train_step (models[run], &terms, x, cfg.batch, 0.1f * step, &rng, &err) == AE_OK,
                     "%s", err.message);
              losses[run][step] = terms.total;
            }
          params[run] = ae_model_params (models[run], &n);
        }
      CHECK (memcmp (losses[0], losses[1], sizeof losses[0]) == 0, "%s: losses differ between runs",
             presets[p]);
      CHECK (memcmp (params[0], params[1], n * sizeof (float)) == 0, "%s: weights differ", presets[p]);
      /* A different seed gives different weights. */
      cfg.seed = 2;
      AeModel *other = new_model (&cfg);
      CHECK (memcmp (ae_model_params (other, NULL), params[0], n * sizeof (float)) != 0,
             "%s: seed does not change the initial weights", presets[p]);
      ae_model_free (other);
      ae_model_free (models[0]);
      ae_model_free (models[1]);
      free (x);
    }
}

static int
all_finite (const float *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return 0;
  return 1;
}

static void
test_divergence (void)
{
  /* An absurd learning rate: the step that produces a non-finite loss or gradient is
   * refused and the weights stay as they were before it. */
  AeConfig cfg = small_config ("undercomplete");
  cfg.optimizer = AE_OPT_SGD;
  cfg.lr = 100.0f;
  cfg.loss = AE_LOSS_MSE;
  cfg.output_activation = AE_ACT_IDENTITY;
  AeModel *model = new_model (&cfg);
  size_t n = 0;
  float *params = ae_model_params (model, &n);
  float *before = malloc (n * sizeof (float));
  float *x = make_blobs (cfg.batch, 4, 9);
  AeRng rng;
  ae_rng_seed (&rng, 1);
  AeStatus st = AE_OK;
  AeError err = { 0 };
  int steps = 0;
  for (; steps < 200 && st == AE_OK; steps++)
    {
      memcpy (before, params, n * sizeof (float));
      AeLossTerms terms;
      st = ae_model_train_step (model, &terms, x, cfg.batch, 0.0f, &rng, &err);
    }
  CHECK (st == AE_ERR_DIVERGED, "lr 100 ran %d steps with status %s", steps, ae_status_name (st));
  CHECK (strstr (err.message, "--lr") != NULL, "message does not suggest a remedy: %s", err.message);
  CHECK (all_finite (params, n), "weights are not finite after divergence");
  CHECK (memcmp (before, params, n * sizeof (float)) == 0, "the diverging step changed the weights");
  ae_model_free (model);

  /* A NaN in the data: refused, weights untouched. */
  cfg = small_config ("undercomplete");
  model = new_model (&cfg);
  params = ae_model_params (model, &n);
  memcpy (before, params, n * sizeof (float));
  x[3] = NAN;
  AeLossTerms terms;
  st = ae_model_train_step (model, &terms, x, cfg.batch, 0.0f, &rng, &err);
  CHECK (st == AE_ERR_DIVERGED, "NaN input gave %s", ae_status_name (st));
  CHECK (memcmp (before, params, n * sizeof (float)) == 0, "a NaN batch changed the weights");
  ae_model_free (model);
  free (before);
  free (x);
}

static void
test_clone_and_chunks (void)
{
  static const char *const presets[] = { "undercomplete", "vae" };
  for (int p = 0; p < 2; p++)
    {
      AeConfig cfg = small_config (presets[p]);
      AeModel *model = new_model (&cfg);
      const int n = 150, dim = 16, L = cfg.latent; /* more rows than one chunk */
      float *x = make_blobs (n, 4, 13);
      float *codes = malloc ((size_t) n * L * sizeof (float));
      float *logvar = malloc ((size_t) n * L * sizeof (float));
      float *codes2 = malloc ((size_t) n * L * sizeof (float));
      float *out = malloc ((size_t) n * dim * sizeof (float));
      float *out2 = malloc ((size_t) n * dim * sizeof (float));
      float *errors = malloc ((size_t) n * sizeof (float));
      ae_model_encode (model, codes, logvar, x, n);

      /* Row by row gives the same codes as one call (up to GEMM blocking). */
      for (int i = 0; i < n; i++)
        ae_model_encode (model, codes2 + (size_t) i * L, NULL, x + (size_t) i * dim, 1);
      for (int i = 0; i < n * L; i++)
        CHECK_CLOSE (codes[i], codes2[i], 1e-5);

      /* reconstruct = decode (encode) and sample_errors agrees with evaluate. */
      ae_model_reconstruct (model, out, x, n);
      ae_model_decode (model, out2, codes, n);
      CHECK (memcmp (out, out2, (size_t) n * dim * sizeof (float)) == 0, "%s: reconstruct differs from decode(encode)",
             presets[p]);
      for (int i = 0; i < n * dim; i++)
        CHECK (out[i] >= 0.0f && out[i] <= 1.0f, "sigmoid output %g", (double) out[i]);
      ae_model_sample_errors (model, errors, x, x, n);
      AeLossTerms terms;
      ae_model_evaluate (model, &terms, x, n, NULL);
      double mean = 0.0;
      for (int i = 0; i < n; i++)
        mean += errors[i] / (double) n;
      CHECK_CLOSE (mean, terms.reconstruction, 1e-5);

      /* A clone encodes and decodes alike, and cannot train. */
      AeModel *clone = ae_model_clone (model);
      CHECK (clone != NULL, "clone failed");
      ae_model_reconstruct (clone, out2, x, n);
      CHECK (memcmp (out, out2, (size_t) n * dim * sizeof (float)) == 0, "clone reconstructs differently");
      CHECK (ae_model_grads (clone, NULL) == NULL, "a clone has gradients");
      AeError err = { 0 };
      CHECK (ae_model_loss_and_grad (clone, &terms, x, cfg.batch, 0.0f, NULL, &err) == AE_ERR_INVALID,
             "a clone trained");
      /* copy_params brings a trained model's weights into the clone. */
      AeRng rng;
      ae_rng_seed (&rng, 4);
      CHECK (ae_model_train_step (model, &terms, x, cfg.batch, 0.0f, &rng, &err) == AE_OK, "%s", err.message);
      ae_model_copy_params (clone, model);
      CHECK (memcmp (ae_model_params (clone, NULL), ae_model_params (model, NULL),
                     ae_model_n_params (model) * sizeof (float)) == 0, "copy_params");
      /* Too large a training batch is refused with a message. */
      CHECK (ae_model_loss_and_grad (model, &terms, x, n, 0.0f, NULL, &err) == AE_ERR_INVALID,
             "batch %d accepted", n);
      ae_model_free (clone);
      ae_model_free (model);
      free (x);
      free (codes);
      free (logvar);
      free (codes2);
      free (out);
      free (out2);
      free (errors);
    }
}

static void
test_tensors (void)
{
  AeConfig cfg = small_config ("undercomplete");
  cfg.n_hidden = 2;
  cfg.hidden[0] = 9;
  cfg.hidden[1] = 7;
  AeModel *model = new_model (&cfg);
  AeTensor t[32];
  int n = ae_model_tensors (model, t, 32);
  CHECK (n == 12, "%d tensors for 2 hidden layers", n);
  size_t total = 0;
  for (int i = 0; i < n; i++)
    total += ae_tensor_numel (&t[i]);
  CHECK (total == ae_model_n_params (model), "tensors cover %zu of %zu parameters", total,
         ae_model_n_params (model));
  CHECK (strcmp (t[0].name, "encoder.0.weight") == 0 && t[0].shape[0] == 9 && t[0].shape[1] == 16,
         "first tensor %s (%d, %d)", t[0].name, t[0].shape[0], t[0].shape[1]);
  CHECK (strcmp (t[11].name, "decoder.2.bias") == 0 && t[11].shape[0] == 16, "last tensor %s", t[11].name);
  int units = 0, inputs = 0;
  const float *w = ae_model_first_layer (model, &units, &inputs);
  CHECK (w == t[0].data && units == 9 && inputs == 16, "first layer %d x %d", units, inputs);
  ae_model_free (model);

  cfg = small_config ("vae");
  model = new_model (&cfg);
  n = ae_model_tensors (model, t, 32);
  int found = 0;
  for (int i = 0; i < n; i++)
    if (strcmp (t[i].name, "mu.weight") == 0 || strcmp (t[i].name, "logvar.weight") == 0)
      found += t[i].shape[0] == 3 && t[i].shape[1] == 9;
  CHECK (found == 2, "mu and logvar heads not found with shape (3, 9)");
  ae_model_free (model);
}

static void
test_save_load (void)
{
  static const char *const presets[] = { "undercomplete", "vae", "contractive" };
  for (int p = 0; p < 3; p++)
    {
      AeConfig cfg = small_config (presets[p]);
      cfg.lr = 0.00123f;
      cfg.seed = 12345678901234ULL;
      AeModel *model = new_model (&cfg);
      float *x = make_blobs (cfg.batch, 4, 2);
      AeLossTerms terms;
      AeError err = { 0 };
      CHECK (ae_model_train_step (model, &terms, x, cfg.batch, 0.0f, NULL, &err) == AE_OK, "%s", err.message);
      char path[256];
      snprintf (path, sizeof path, "%s/latentlab-test-model-%d-%s.llm",
                getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp", (int) getpid (), presets[p]);
      CHECK (ae_model_save (model, path, &err) == AE_OK, "%s", err.message);
      AeModel *loaded = NULL;
      CHECK (ae_model_load (&loaded, path, &err) == AE_OK, "%s", err.message);
      if (loaded != NULL)
        {
          CHECK (ae_model_n_params (loaded) == ae_model_n_params (model), "parameter count");
          CHECK (memcmp (ae_model_params (loaded, NULL), ae_model_params (model, NULL),
                         ae_model_n_params (model) * sizeof (float)) == 0, "%s: weights differ after load",
                 presets[p]);
          char *a = ae_config_to_text (ae_model_config (model));
          char *b = ae_config_to_text (ae_model_config (loaded));
          CHECK (strcmp (a, b) == 0, "configuration differs:\n%s\nvs\n%s", a, b);
          free (a);
          free (b);
          ae_model_free (loaded);
        }
      /* A truncated file is refused with its name in the message. */
      FILE *f = fopen (path, "r+b");
      if (f != NULL)
        {
          fseek (f, 0, SEEK_END);
          long len = ftell (f);
          fclose (f);
          CHECK (truncate (path, len / 2) == 0, "truncate");
          loaded = NULL;
          CHECK (ae_model_load (&loaded, path, &err) != AE_OK, "a truncated file loaded");
          CHECK (loaded == NULL && strstr (err.message, path) != NULL, "message: %s", err.message);
        }
      remove (path);
      ae_model_free (model);
      free (x);
    }
}

static void
test_corrupt (void)
{
  enum { N = 20000 };
  static float x[N];
  AeRng rng;
  ae_rng_seed (&rng, 8);
  for (int i = 0; i < N; i++)
    x[i] = 0.5f;
  ae_corrupt (x, N, AE_NOISE_GAUSSIAN, 0.5f, &rng);
  double mean = 0.0;
  int clamped = 0;
  for (int i = 0; i < N; i++)
    {
      CHECK (x[i] >= 0.0f && x[i] <= 1.0f, "gaussian noise left [0, 1]: %g", (double) x[i]);
      mean += x[i] / N;
      clamped += x[i] == 0.0f || x[i] == 1.0f;
    }
  CHECK (fabs (mean - 0.5) < 0.01 && clamped > N / 5, "gaussian: mean %g, %d clamped", mean, clamped);

  for (int i = 0; i < N; i++)
    x[i] = 0.5f;
  ae_corrupt (x, N, AE_NOISE_SALT_PEPPER, 0.2f, &rng);
  int salt = 0, pepper = 0;
  for (int i = 0; i < N; i++)
    {
      salt += x[i] == 1.0f;
      pepper += x[i] == 0.0f;
      CHECK (x[i] == 0.0f || x[i] == 1.0f || x[i] == 0.5f, "salt and pepper gave %g", (double) x[i]);
    }
  CHECK (fabs ((salt + pepper) / (double) N - 0.2) < 0.015 && abs (salt - pepper) < N / 50,
         "salt %d pepper %d of %d", salt, pepper, N);

  for (int i = 0; i < N; i++)
    x[i] = 1.0f;
  ae_corrupt (x, N, AE_NOISE_MASKING, 0.3f, &rng);
  int masked = 0;
  for (int i = 0; i < N; i++)
    masked += x[i] == 0.0f;
  CHECK (fabs (masked / (double) N - 0.3) < 0.015, "masked %d of %d", masked, N);

  /* Mixed, per sample: half the rows salt and pepper, half Gaussian, each at a level drawn
   * uniformly from 0 to 0.2 (sigma small enough that clamping hardly matters). A row is salt
   * and pepper when every value is 0, 1 or untouched. */
  enum { ROWS = 2000, D = 400 };
  float *y = malloc ((size_t) ROWS * D * sizeof (float));
  for (int i = 0; i < ROWS * D; i++)
    y[i] = 0.5f;
  ae_corrupt_samples (y, ROWS, D, AE_NOISE_MIXED, 0.2f, &rng);
  int sp_rows = 0, sp_low = 0, g_rows = 0, g_low = 0;
  double sp_mean = 0.0, sp_most = 0.0, g_mean = 0.0, g_most = 0.0;
  for (int r = 0; r < ROWS; r++)
    {
      const float *row = y + (size_t) r * D;
      int hit = 0, other = 0;
      double sq = 0.0;
      for (int j = 0; j < D; j++)
        {
          hit += row[j] == 0.0f || row[j] == 1.0f;
          other += row[j] != 0.0f && row[j] != 1.0f && row[j] != 0.5f;
          sq += (row[j] - 0.5) * (row[j] - 0.5);
        }
      if (other == 0)
        {
          double p = hit / (double) D;
          sp_rows++, sp_mean += p, sp_most = fmax (sp_most, p), sp_low += p < 0.1;
        }
      else
        {
          double sd = sqrt (sq / D);
          g_rows++, g_mean += sd, g_most = fmax (g_most, sd), g_low += sd < 0.1;
        }
    }
  sp_mean /= sp_rows, g_mean /= g_rows;
  printf ("# mixed:0.2 over %d rows: %d salt and pepper (mean fraction hit %.3f, largest %.3f), "
          "%d Gaussian (mean sd %.3f, largest %.3f)\n", ROWS, sp_rows, sp_mean, sp_most, g_rows, g_mean,
          g_most);
  CHECK (abs (sp_rows - ROWS / 2) < ROWS / 20, "%d of %d rows salt and pepper", sp_rows, ROWS);
  CHECK (fabs (sp_mean - 0.1) < 0.01 && sp_most < 0.2 + 0.09 && abs (sp_low - sp_rows / 2) < sp_rows / 10,
         "salt and pepper rows: mean fraction %g, largest %g, %d of %d below 0.1", sp_mean, sp_most,
         sp_low, sp_rows);
  CHECK (fabs (g_mean - 0.1) < 0.01 && g_most < 0.2 * 1.2 && abs (g_low - g_rows / 2) < g_rows / 10,
         "Gaussian rows: mean sd %g, largest %g, %d of %d below 0.1", g_mean, g_most, g_low, g_rows);
  free (y);
}

static void
test_export_safetensors (void)
{
  AeConfig cfg = small_config ("vae");
  AeModel *model = new_model (&cfg);
  char path[256];
  snprintf (path, sizeof path, "%s/latentlab-test-export-%d.safetensors",
            getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp", (int) getpid ());
  AeError err = { 0 };
  CHECK (ae_model_export_safetensors (model, path, &err) == AE_OK, "%s", err.message);
  uint8_t *buf = NULL;
  size_t len = 0;
  AeTensor *read = NULL;
  int n_read = 0;
  CHECK (ae_file_read_all (path, 1 << 24, &buf, &len, &err) == AE_OK, "%s", err.message);
  CHECK (buf != NULL && ae_safetensors_parse (buf, len, path, &read, &n_read, &err) == AE_OK, "%s",
         err.message);
  AeTensor mine[32];
  int n = ae_model_tensors (model, mine, 32);
  CHECK (n_read == n, "%d tensors exported, %d read back", n, n_read);
  for (int i = 0; i < n && read != NULL; i++)
    {
      const AeTensor *t = NULL;
      for (int k = 0; k < n_read; k++)
        if (strcmp (read[k].name, mine[i].name) == 0)
          t = &read[k];
      CHECK (t != NULL, "%s missing from the export", mine[i].name);
      if (t != NULL)
        CHECK (ae_tensor_numel (t) == ae_tensor_numel (&mine[i])
               && memcmp (t->data, mine[i].data, ae_tensor_numel (t) * sizeof (float)) == 0,
               "%s differs", mine[i].name);
    }
  ae_modelfile_free_tensors (read, n_read);
  free (buf);
  remove (path);
  ae_model_free (model);
}

/* Each dense preset's own defaults on the real digits: one epoch over 2,000 of them lowers
 * the validation loss well below that of the untrained model. */
static void
test_digits_presets_learn (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_dataset_load (&ds, "digits", 1, &err) == AE_OK, "%s", err.message);
  if (ds == NULL)
    return;
  const long n_train = 2000, n_val = 500;
  float *train = malloc ((size_t) n_train * ds->dim * sizeof (float));
  float *val = malloc ((size_t) n_val * ds->dim * sizeof (float));
  ae_dataset_gather (ds, train, ae_dataset_train (ds), n_train);
  ae_dataset_gather (ds, val, ae_dataset_val (ds), n_val);
  static const char *const presets[] = { "undercomplete", "sparse", "contractive", "denoising",
                                         "vae", "linear" };
  for (int p = 0; p < 6; p++)
    {
      AeConfig cfg;
      ae_config_preset (&cfg, presets[p], NULL);
      CHECK (ae_config_fit_data (&cfg, ds, &err) == AE_OK, "%s", err.message);
      AeModel *model = new_model (&cfg);
      if (model == NULL)
        continue;
      AeLossTerms before, after, terms;
      ae_model_evaluate (model, &before, val, (int) n_val, NULL);
      AeRng rng;
      ae_rng_seed (&rng, 5);
      for (long i = 0; i + cfg.batch <= n_train; i += cfg.batch)
        CHECK (ae_model_train_step (model, &terms, train + (size_t) i * ds->dim, cfg.batch, 1.0f, &rng, &err) == AE_OK,
               "%s: %s", presets[p], err.message);
      ae_model_evaluate (model, &after, val, (int) n_val, NULL);
      printf ("# digits, %s: validation loss %.2f before, %.2f after one epoch of 2,000\n", presets[p],
              before.total, after.total);
      CHECK (after.total < 0.75 * before.total, "%s: %g -> %g", presets[p], before.total, after.total);
      ae_model_free (model);
    }
  free (train);
  free (val);
  ae_dataset_free (ds);
}

static void
test_clipping (void)
{
  /* SGD without momentum: the step is lr times the gradient scaled down to norm clip. */
  AeConfig cfg = small_config ("undercomplete");
  cfg.optimizer = AE_OPT_SGD;
  cfg.momentum = 0.0f;
  cfg.lr = 0.5f;
  cfg.clip_norm = 1e-3f;
  AeModel *model = new_model (&cfg);
  float *x = make_blobs (cfg.batch, 4, 21);
  AeLossTerms terms;
  AeError err = { 0 };
  CHECK (ae_model_loss_and_grad (model, &terms, x, cfg.batch, 0.0f, NULL, &err) == AE_OK, "%s", err.message);
  size_t n = 0;
  float *params = ae_model_params (model, &n);
  const float *grads = ae_model_grads (model, NULL);
  double grad_norm = 0.0;
  for (size_t i = 0; i < n; i++)
    grad_norm += (double) grads[i] * grads[i];
  grad_norm = sqrt (grad_norm);
  CHECK (grad_norm > 10 * cfg.clip_norm, "gradient norm %g too small for the test", grad_norm);
  float *before = malloc (n * sizeof (float));
  memcpy (before, params, n * sizeof (float));
  ae_model_apply_grad (model);
  double step = 0.0, cosine = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double d = (double) params[i] - before[i];
      step += d * d;
      cosine += -d * grads[i];
    }
  step = sqrt (step);
  CHECK_CLOSE (step, cfg.lr * cfg.clip_norm, 1e-3);
  CHECK_CLOSE (cosine / (step * grad_norm), 1.0, 1e-4);
  free (before);
  free (x);
  ae_model_free (model);
}

/* --- configuration ---------------------------------------------------------------------------------- */

static void
test_config_round_trip (void)
{
  for (int p = 0; ae_presets[p].name != NULL; p++)
    {
      AeConfig cfg, back;
      AeError err = { 0 };
      CHECK (ae_config_preset (&cfg, ae_presets[p].name, &err) == AE_OK, "%s", err.message);
      CHECK (ae_config_validate (&cfg, &err) == AE_OK, "preset %s: %s", ae_presets[p].name, err.message);
      fit_shape (&cfg, 28);
      cfg.lr = 0.000123456789f;
      cfg.seed = 18446744073709551615ULL;
      cfg.noise = AE_NOISE_MASKING;
      cfg.noise_level = 0.37f;
      cfg.clip_norm = 5.5f;
      char *text = ae_config_to_text (&cfg);
      CHECK (ae_config_from_text (&back, text, &err) == AE_OK, "%s: %s", ae_presets[p].name, err.message);
      char *again = ae_config_to_text (&back);
      CHECK (strcmp (text, again) == 0, "round trip:\n%s\nvs\n%s", text, again);
      CHECK (back.lr == cfg.lr && back.seed == cfg.seed && back.noise_level == cfg.noise_level
             && back.n_hidden == cfg.n_hidden && back.arch == cfg.arch && back.variational == cfg.variational,
             "%s: fields differ after the round trip", ae_presets[p].name);
      free (text);
      free (again);
    }
  AeConfig cfg;
  AeError err = { 0 };
  CHECK (ae_config_from_text (&cfg, "latent = 8\nbogus line\n", &err) == AE_ERR_FORMAT
         && strstr (err.message, "line 2") != NULL, "bad line: %s", err.message);
}

/* Sets key=value on a preset and expects validation (or the setter) to fail with a
 * message containing `needle`. */
static void
expect_invalid (const char *preset, const char *key, const char *value, const char *key2,
                const char *value2, const char *needle)
{
  AeConfig cfg;
  AeError err = { 0 };
  ae_config_preset (&cfg, preset, NULL);
  AeStatus st = ae_config_set (&cfg, key, value, &err);
  if (st == AE_OK && key2 != NULL)
    st = ae_config_set (&cfg, key2, value2, &err);
  if (st == AE_OK)
    st = ae_config_validate (&cfg, &err);
  CHECK (st != AE_OK, "%s=%s accepted", key, value);
  CHECK (strstr (err.message, needle) != NULL, "%s=%s: message '%s' lacks '%s'", key, value, err.message,
         needle);
}

static void
test_config_errors (void)
{
  expect_invalid ("undercomplete", "latent", "0", NULL, NULL, "--latent 0");
  expect_invalid ("undercomplete", "latent", "abc", NULL, NULL, "--latent 'abc'");
  expect_invalid ("undercomplete", "hidden", "512,x", NULL, NULL, "--hidden '512,x'");
  expect_invalid ("undercomplete", "hidden", "1,2,3,4,5,6,7,8,9", NULL, NULL, "at most 8");
  expect_invalid ("undercomplete", "lr", "-1", NULL, NULL, "--lr -1");
  expect_invalid ("undercomplete", "lr", "nan", NULL, NULL, "--lr 'nan'");
  expect_invalid ("undercomplete", "activation", "swish", NULL, NULL, "relu");
  expect_invalid ("undercomplete", "loss", "bce", "output-activation", "identity", "sigmoid");
  expect_invalid ("undercomplete", "beta", "0.5", NULL, NULL, "needs a sigmoid code");
  expect_invalid ("sparse", "rho", "1.5", NULL, NULL, "--rho 1.5");
  expect_invalid ("vae", "l1", "0.1", NULL, NULL, "VAE");
  expect_invalid ("undercomplete", "noise", "gaussian", NULL, NULL, "KIND:LEVEL");
  expect_invalid ("undercomplete", "noise", "salt-pepper:1.5", NULL, NULL, "outside 0 to 1");
  expect_invalid ("undercomplete", "noise", "speckle:0.1", NULL, NULL, "unknown kind 'speckle'");
  expect_invalid ("undercomplete", "noise", "mixed:1.5", NULL, NULL, "outside 0 to 1");
  expect_invalid ("conv", "latent", "0", "variational", "1", "--latent 0");
  expect_invalid ("undercomplete", "batch", "0", NULL, NULL, "--batch 0");
  expect_invalid ("undercomplete", "colour", "red", NULL, NULL, "unknown option 'colour'");

  AeConfig cfg;
  AeError err = { 0 };
  ae_config_preset (&cfg, "undercomplete", NULL);
  CHECK (ae_config_preset (&cfg, "nonesuch", &err) == AE_ERR_INVALID && strstr (err.message, "nonesuch"),
         "unknown preset: %s", err.message);
  AeNoise kind;
  float level;
  CHECK (ae_noise_parse ("salt-pepper:0.2", &kind, &level, &err) == AE_OK && kind == AE_NOISE_SALT_PEPPER
         && level == 0.2f, "salt-pepper:0.2");
  CHECK (ae_noise_parse ("none", &kind, &level, &err) == AE_OK && kind == AE_NOISE_NONE, "none");
  CHECK (ae_noise_parse ("mixed:0.5", &kind, &level, &err) == AE_OK && kind == AE_NOISE_MIXED
         && level == 0.5f && strcmp (ae_noise_name (kind), "mixed") == 0, "mixed:0.5");
  CHECK (strcmp (ae_noise_name (AE_NOISE_MASKING), "masking") == 0, "noise name");
  CHECK (strcmp (ae_loss_name (AE_LOSS_BCE), "bce") == 0, "loss name");
  CHECK (strcmp (ae_activation_name (AE_ACT_LEAKY_RELU), "leaky-relu") == 0, "activation name");

  /* Too many parameters are refused before any allocation. */
  fit_shape (&cfg, 28);
  ae_config_set (&cfg, "hidden", "65536,65536,65536", NULL);
  CHECK (ae_config_validate (&cfg, &err) == AE_ERR_LIMIT && strstr (err.message, "parameters"),
         "huge model: %s", err.message);
  /* The conv preset maps 28 -> 14 -> 7 and its transposed convs mirror it back to 28. */
  AeConfig conv;
  CHECK (ae_config_preset (&conv, "conv", &err) == AE_OK, "%s", err.message);
  fit_shape (&conv, 28);
  AeModel *model = NULL;
  CHECK (ae_model_new (&model, &conv, &err) == AE_OK, "%s", err.message);
  if (model != NULL)
    {
      const AeLayer *last = &model->layers[model->n_layers - 1];
      CHECK (model->layers[0].conv.out_height == 14 && model->layers[1].conv.out_height == 7
             && model->layers[1].conv.out_channels == 32, "encoder shapes");
      CHECK (last->kind == AE_LAYER_CONV_T && last->conv.out_height == 28 && last->conv.out_width == 28
             && last->conv.out_channels == 1, "decoder output %d x %d", last->conv.out_height,
             last->conv.out_width);
    }
  ae_model_free (model);
  /* The denoising preset keeps 28 x 28 in its first layer, halves it twice, and its code is
   * the last maps (32 x 7 x 7): no dense layer anywhere. */
  CHECK (ae_config_preset (&conv, "denoising", &err) == AE_OK, "%s", err.message);
  fit_shape (&conv, 28);
  model = NULL;
  CHECK (ae_model_new (&model, &conv, &err) == AE_OK, "%s", err.message);
  if (model != NULL)
    {
      const AeLayer *last = &model->layers[model->n_layers - 1];
      CHECK (model->n_layers == 6 && model->n_enc == 3 && ae_model_latent_dim (model) == 32 * 7 * 7,
             "%d layers, %d in the encoder, code of %d", model->n_layers, model->n_enc,
             ae_model_latent_dim (model));
      CHECK (model->layers[0].conv.out_height == 28 && model->layers[1].conv.out_height == 14
             && model->layers[2].conv.out_height == 7 && model->layers[2].act == AE_ACT_RELU,
             "encoder shapes");
      for (int l = 0; l < model->n_layers; l++)
        CHECK (model->layers[l].kind != AE_LAYER_DENSE, "layer %d is dense", l);
      CHECK (last->kind == AE_LAYER_CONV_T && last->conv.out_height == 28 && last->conv.out_channels == 1
             && last->conv.stride_h == 1 && strcmp (last->name, "decoder.2") == 0,
             "decoder output %s: %d x %d, stride %d", last->name, last->conv.out_height,
             last->conv.out_width, last->conv.stride_h);
    }
  ae_model_free (model);
}

/* A digit preset's epochs are its own on the digits and fewer on a larger split, as many
 * samples in all; other presets and smaller splits keep theirs. */
static void
test_config_preset_epochs (void)
{
  AeConfig cfg;
  AeError err = { 0 };
  for (const AePreset *p = ae_presets; p->name != NULL; p++)
    {
      CHECK (ae_config_preset (&cfg, p->name, &err) == AE_OK, "%s", err.message);
      CHECK (ae_config_preset_epochs (p->name, AE_PRESET_DIGITS_TRAIN) == cfg.epochs
               && ae_config_preset_epochs (p->name, 500) == cfg.epochs,
             "%s: %d epochs on the digits' split", p->name,
             ae_config_preset_epochs (p->name, AE_PRESET_DIGITS_TRAIN));
      int larger = ae_config_preset_epochs (p->name, 54000);
      if (strcmp (p->dataset, "digits") == 0 && cfg.arch != AE_ARCH_RESIDUAL)
        CHECK (larger >= 1 && larger < cfg.epochs
                 && labs ((long) larger * 54000 - (long) cfg.epochs * AE_PRESET_DIGITS_TRAIN) <= 54000 / 2,
               "%s: %d epochs of 54,000 for %d of the digits", p->name, larger, cfg.epochs);
      else
        CHECK (larger == cfg.epochs, "%s: %d epochs of 54,000, its own %d", p->name, larger, cfg.epochs);
    }
  CHECK (ae_config_preset_epochs ("undercomplete", 10000000) == 1, "at least one epoch");
  CHECK (ae_config_preset_epochs ("no-such-preset", 54000) == 0, "an unknown preset has none");
}

static void
test_config_live_change (void)
{
  AeConfig cfg = small_config ("undercomplete"), next;
  AeModel *model = new_model (&cfg);
  AeError err = { 0 };
  next = cfg;
  next.lr = 0.01f;
  next.noise = AE_NOISE_GAUSSIAN;
  next.noise_level = 0.2f;
  next.l1_code = 0.1f;
  next.clip_norm = 1.0f;
  CHECK (ae_config_is_live_change (&cfg, &next), "learning rate, noise and penalties are live");
  CHECK (ae_model_set_config (model, &next, &err) == AE_OK, "%s", err.message);
  CHECK (ae_model_config (model)->lr == 0.01f, "lr not applied");
  next.latent = 5;
  CHECK (!ae_config_is_live_change (&cfg, &next), "the code size is not live");
  CHECK (ae_model_set_config (model, &next, &err) == AE_ERR_INVALID, "latent change accepted");
  CHECK (ae_model_config (model)->latent == 3, "refused change applied");
  next = cfg;
  next.hidden[0] = 3;
  CHECK (!ae_config_is_live_change (&cfg, &next), "hidden widths are not live");
  /* A larger batch is live: the buffers grow once. */
  next = cfg;
  next.batch = 100;
  CHECK (ae_model_set_config (model, &next, &err) == AE_OK, "%s", err.message);
  float *big = make_blobs (100, 4, 6);
  AeLossTerms big_terms;
  CHECK (ae_model_train_step (model, &big_terms, big, 100, 0.0f, NULL, &err) == AE_OK, "batch 100: %s",
         err.message);
  free (big);
  /* A live change that enables the stochastic contractive pass works at once. */
  AeConfig deep = small_config ("undercomplete");
  AeModel *m2 = new_model (&deep);
  deep.contractive = 0.1f;
  CHECK (ae_model_set_config (m2, &deep, &err) == AE_OK, "%s", err.message);
  float *x = make_blobs (deep.batch, 4, 3);
  AeLossTerms terms;
  CHECK (ae_model_train_step (m2, &terms, x, deep.batch, 0.0f, NULL, &err) == AE_OK && terms.contractive > 0.0,
         "contractive term %g", terms.contractive);
  free (x);
  ae_model_free (m2);
  ae_model_free (model);
}

/* Model arenas: zeroed, and the large ones on a 2 MB boundary (where huge pages can back
 * them). */
static void
test_arena (void)
{
  const size_t sizes[] = { 1, 1000, (size_t) 3 << 18, ((size_t) 2 << 20) / sizeof (float) + 5 };
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    {
      float *a = ae_model_arena (sizes[i]);
      CHECK (a != NULL, "%zu floats", sizes[i]);
      if (a == NULL)
        continue;
      size_t nonzero = 0;
      for (size_t j = 0; j < sizes[i]; j++)
        nonzero += a[j] != 0.0f;
      CHECK (nonzero == 0, "%zu of %zu floats not zero", nonzero, sizes[i]);
      a[sizes[i] - 1] = 1.0f; /* the last float is writable */
      if (sizes[i] * sizeof (float) >= ((size_t) 2 << 20))
        CHECK ((uintptr_t) a % ((size_t) 2 << 20) == 0, "%zu floats at %p", sizes[i], (void *) a);
      ae_model_arena_free (a, sizes[i]);
    }
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/model/loss-falls", test_loss_falls },
    { "/model/arena", test_arena },
    { "/model/gradients/undercomplete", test_gradients_undercomplete },
    { "/model/gradients/sparse", test_gradients_sparse },
    { "/model/gradients/contractive", test_gradients_contractive },
    { "/model/gradients/denoising", test_gradients_denoising },
    { "/model/gradients/vae", test_gradients_vae },
    { "/model/gradients/linear", test_gradients_linear },
    { "/model/gradients/conv", test_gradients_conv },
    { "/model/gradients/residual", test_gradients_residual },
    { "/model/residual/identity", test_residual_identity },
    { "/model/residual/image-equals-model", test_residual_image_equals_model },
    { "/model/residual/image-bands", test_residual_image_bands },
    { "/model/residual/image-ensemble", test_residual_image_ensemble },
    { "/model/residual/learns", test_residual_learns },
    { "/model/conv-vae-shapes", test_conv_vae_shapes },
    { "/model/conv-mirrors", test_conv_mirrors },
    { "/model/gradients/sequence", test_gradients_sequence },
    { "/model/conv-sequence-files", test_conv_sequence_files },
    { "/model/conv-sequence-learn", test_conv_sequence_learn },
    { "/model/split-batch", test_split_batch },
    { "/model/split-probes", test_split_probes },
    { "/model/same-seed-same-run", test_same_seed_same_run },
    { "/model/divergence", test_divergence },
    { "/model/clone-and-chunks", test_clone_and_chunks },
    { "/model/tensors", test_tensors },
    { "/model/save-load", test_save_load },
    { "/model/corrupt", test_corrupt },
    { "/model/clipping", test_clipping },
    { "/model/export-safetensors", test_export_safetensors },
    { "/model/digits-presets-learn", test_digits_presets_learn },
    { "/config/round-trip", test_config_round_trip },
    { "/config/errors", test_config_errors },
    { "/config/live-change", test_config_live_change },
    { "/config/preset-epochs", test_config_preset_epochs },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
