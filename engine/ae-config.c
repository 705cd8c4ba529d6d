/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-config.c: presets, options by name, validation and the text form of a configuration. */
#include "ae-config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Marks the registry's English for translation (po/POTFILES.in); the window translates. */
#define N_(text) text

/* The order is the lists' order and the index ae_config_preset switches on. */
const AePreset ae_presets[] = {
  { "undercomplete", N_("Undercomplete"),
    N_("A code smaller than the input, so the network keeps only what matters most."), "digits" },
  { "sparse", N_("Sparse"),
    N_("A wide code of which a penalty keeps most units near zero for each input."), "digits" },
  { "contractive", N_("Contractive"),
    N_("A penalty on the encoder's Jacobian makes the code barely move when the input moves a little."),
    "digits" },
  { "denoising", N_("Denoising"),
    N_("Rebuilds the clean input from a corrupted copy, so it learns what noise is not."), "digits" },
  { "vae", N_("Variational"),
    N_("Codes are distributions pulled towards N(0, I), so that decoding a random code draws a new sample."),
    "digits" },
  { "linear", N_("Linear (PCA)"),
    N_("No non-linearities and a squared error: it finds the subspace of principal component analysis."),
    "digits" },
  { "conv", N_("Convolutional"),
    N_("Convolutions share their weights across the image and look for the same patterns everywhere."),
    "digits" },
  { "sequence", N_("Sequence"),
    N_("1-D convolutions (or an LSTM) along a window of a time series."), "sines" },
  { "conv-vae", N_("Convolutional VAE"),
    N_("Convolutions around a variational code: decoding a random code draws a new image, in colour too."),
    "digits" },
  { "photo-denoiser", N_("Photo denoiser"),
    N_("A stack of 3×3 convolutions predicts the noise of a photo, which is subtracted; it runs on whole photos of any size."),
    "digits" },
  { NULL, NULL, NULL, NULL },
};

const AePreset *
ae_preset_find (const char *name)
{
  for (const AePreset *p = ae_presets; name != NULL && p->name != NULL; p++)
    if (strcasecmp (p->name, name) == 0)
      return p;
  return NULL;
}

/* --- names ------------------------------------------------------------------------------ */

typedef struct {
  const char *name;
  int value;
} NamedValue;

static const NamedValue activation_names[] = {
  { "identity", AE_ACT_IDENTITY }, { "relu", AE_ACT_RELU },       { "leaky-relu", AE_ACT_LEAKY_RELU },
  { "tanh", AE_ACT_TANH },         { "sigmoid", AE_ACT_SIGMOID }, { "linear", AE_ACT_IDENTITY },
  { "leaky_relu", AE_ACT_LEAKY_RELU }, { NULL, 0 },
};
static const NamedValue loss_names[] = {
  { "mse", AE_LOSS_MSE }, { "bce", AE_LOSS_BCE }, { "l1", AE_LOSS_L1 }, { NULL, 0 },
};
static const NamedValue noise_names[] = {
  { "none", AE_NOISE_NONE },          { "gaussian", AE_NOISE_GAUSSIAN },
  { "salt-pepper", AE_NOISE_SALT_PEPPER }, { "masking", AE_NOISE_MASKING },
  { "mixed", AE_NOISE_MIXED },        { "salt_pepper", AE_NOISE_SALT_PEPPER }, { NULL, 0 },
};
static const NamedValue arch_names[] = {
  { "dense", AE_ARCH_DENSE }, { "conv", AE_ARCH_CONV }, { "sequence", AE_ARCH_SEQUENCE },
  { "residual", AE_ARCH_RESIDUAL }, { NULL, 0 },
};
static const NamedValue sequence_layer_names[] = {
  { "lstm", AE_SEQUENCE_LSTM }, { "conv", AE_SEQUENCE_CONV }, { NULL, 0 },
};
static const NamedValue optimizer_names[] = {
  { "adam", AE_OPT_ADAM }, { "sgd", AE_OPT_SGD }, { NULL, 0 },
};

/* The first entry with this value is its canonical name. */
static const char *
name_of (const NamedValue *table, int value)
{
  for (int i = 0; table[i].name != NULL; i++)
    if (table[i].value == value)
      return table[i].name;
  return "unknown";
}

static int
lookup (const NamedValue *table, const char *name, int *value)
{
  for (int i = 0; table[i].name != NULL; i++)
    if (strcasecmp (table[i].name, name) == 0)
      {
        *value = table[i].value;
        return 1;
      }
  return 0;
}

/* "relu, tanh, ..." for messages. */
static void
list_names (const NamedValue *table, char *buf, size_t size)
{
  buf[0] = '\0';
  for (int i = 0; table[i].name != NULL; i++)
    {
      int seen = 0;
      for (int k = 0; k < i; k++)
        seen |= table[k].value == table[i].value;
      if (seen)
        continue;
      size_t len = strlen (buf);
      snprintf (buf + len, size - len, "%s%s", len > 0 ? ", " : "", table[i].name);
    }
}

const char *ae_activation_name (AeActivation a) { return name_of (activation_names, (int) a); }
const char *ae_loss_name (AeLoss l) { return name_of (loss_names, (int) l); }
const char *ae_noise_name (AeNoise n) { return name_of (noise_names, (int) n); }

/* --- number parsing ---------------------------------------------------------------------- */

static AeStatus
parse_float (const char *key, const char *text, float *out, AeError *err)
{
  char *end = NULL;
  errno = 0;
  double v = strtod (text, &end);
  while (end != NULL && isspace ((unsigned char) *end))
    end++;
  if (end == text || *end != '\0' || errno == ERANGE || !isfinite (v) || fabs (v) > 3.0e38)
    return ae_error_set (err, AE_ERR_INVALID, "--%s '%s': expected a finite number", key, text);
  *out = (float) v;
  return AE_OK;
}

static AeStatus
parse_long (const char *key, const char *text, long min, long max, long *out, AeError *err)
{
  char *end = NULL;
  errno = 0;
  long v = strtol (text, &end, 10);
  while (end != NULL && isspace ((unsigned char) *end))
    end++;
  if (end == text || *end != '\0' || errno == ERANGE)
    return ae_error_set (err, AE_ERR_INVALID, "--%s '%s': expected a whole number", key, text);
  if (v < min || v > max)
    return ae_error_set (err, AE_ERR_INVALID, "--%s %ld: expected %ld to %ld", key, v, min, max);
  *out = v;
  return AE_OK;
}

static AeStatus
parse_int (const char *key, const char *text, long min, long max, int *out, AeError *err)
{
  long v = 0;
  AeStatus st = parse_long (key, text, min, max, &v, err);
  if (st == AE_OK)
    *out = (int) v;
  return st;
}

static AeStatus
parse_named (const char *key, const NamedValue *table, const char *text, int *out, AeError *err)
{
  if (lookup (table, text, out))
    return AE_OK;
  char names[256];
  list_names (table, names, sizeof names);
  return ae_error_set (err, AE_ERR_INVALID, "--%s '%s': expected one of %s", key, text, names);
}

AeStatus
ae_noise_parse (const char *text, AeNoise *kind, float *level, AeError *err)
{
  if (strcasecmp (text, "none") == 0)
    {
      *kind = AE_NOISE_NONE;
      *level = 0.0f;
      return AE_OK;
    }
  /* A bare level is Gaussian noise's sigma, the noise of a photo. */
  char *number_end = NULL;
  double bare = strtod (text, &number_end);
  if (number_end != text && *number_end == '\0')
    {
      if (!(bare >= 0.0 && bare <= 10.0))
        return ae_error_set (err, AE_ERR_INVALID, "--noise '%s': level outside 0 to 10 for gaussian",
                             text);
      *kind = AE_NOISE_GAUSSIAN;
      *level = (float) bare;
      return AE_OK;
    }
  const char *colon = strchr (text, ':');
  char name[32];
  size_t len = colon != NULL ? (size_t) (colon - text) : strlen (text);
  int value = 0;
  if (colon == NULL || len == 0 || len >= sizeof name)
    return ae_error_set (err, AE_ERR_INVALID,
                         "--noise '%s': expected KIND:LEVEL (gaussian:0.5, salt-pepper:0.2, "
                         "masking:0.3, mixed:0.5), a Gaussian sigma alone (0.1) or none", text);
  memcpy (name, text, len);
  name[len] = '\0';
  if (!lookup (noise_names, name, &value) || value == AE_NOISE_NONE)
    return ae_error_set (err, AE_ERR_INVALID,
                         "--noise '%s': unknown kind '%s', expected gaussian, salt-pepper, masking "
                         "or mixed",
                         text, name);
  float v = 0.0f;
  if (parse_float ("noise", colon + 1, &v, err) != AE_OK)
    return err != NULL ? err->status : AE_ERR_INVALID;
  float max = value == AE_NOISE_GAUSSIAN ? 10.0f : 1.0f;
  if (v < 0.0f || v > max)
    return ae_error_set (err, AE_ERR_INVALID, "--noise '%s': level %g outside 0 to %g for %s",
                         text, (double) v, (double) max, name);
  *kind = (AeNoise) value;
  *level = v;
  return AE_OK;
}

/* --- presets ------------------------------------------------------------------------------ */

static void
set_hidden (AeConfig *cfg, int n, const int *widths)
{
  cfg->n_hidden = n;
  for (int i = 0; i < AE_MAX_HIDDEN; i++)
    cfg->hidden[i] = i < n ? widths[i] : 0;
}

AeStatus
ae_config_preset (AeConfig *cfg, const char *preset, AeError *err)
{
  const AePreset *found = ae_preset_find (preset);
  if (found == NULL)
    {
      char names[256] = "";
      for (const AePreset *p = ae_presets; p->name != NULL; p++)
        snprintf (names + strlen (names), sizeof names - strlen (names), "%s%s", p == ae_presets ? ""
                  : p[1].name == NULL ? " or " : ", ", p->name);
      return ae_error_set (err, AE_ERR_INVALID, "--preset '%s': expected %s", preset, names);
    }
  const int index = (int) (found - ae_presets);

  /* Shared defaults: a dense model for digits in [0, 1] trained with Adam. */
  AeConfig c;
  memset (&c, 0, sizeof c);
  snprintf (c.preset, sizeof c.preset, "%s", found->name);
  c.arch = AE_ARCH_DENSE;
  c.latent = 32;
  c.activation = AE_ACT_RELU;
  c.code_activation = AE_ACT_IDENTITY;
  c.output_activation = AE_ACT_SIGMOID;
  c.loss = AE_LOSS_BCE;
  c.rho = 0.05f;
  c.noise = AE_NOISE_NONE;
  c.kl_beta = 1.0f;
  c.optimizer = AE_OPT_ADAM;
  c.lr = 1e-3f;
  c.momentum = 0.9f;
  c.batch = 128;
  c.epochs = 20;
  c.seed = 1;
  /* One wide hidden layer: on the digits it beats 512-128 and 256-64 at the same time
   * budget (test SSE 6.0 against 7.3 and 8.4 per image with a 32-value code). */
  static const int wide[] = { 512 };

  switch (index)
    {
    case 0: /* undercomplete */
      set_hidden (&c, 1, wide);
      c.lr = 2e-3f;
      break;
    case 1: /* sparse: a wider sigmoid code held to a low mean activation */
      {
        set_hidden (&c, 1, wide);
        c.lr = 2e-3f;
        c.latent = 64;
        c.code_activation = AE_ACT_SIGMOID;
        c.kl_sparsity = 8.0f;
      }
      break;
    case 2: /* contractive: the classic one-layer sigmoid encoder, closed-form Jacobian */
      c.n_hidden = 0;
      c.latent = 128;
      c.code_activation = AE_ACT_SIGMOID;
      c.contractive = 0.1f;
      /* A lone sigmoid layer learns slowly at 1e-3 (test SSE 41 per image after 20
       * epochs, against 5 at 1e-2). */
      c.lr = 1e-2f;
      break;
    case 3: /* denoising */
      {
        /* Fully convolutional, trained on Gaussian and salt-and-pepper noise of every
         * level up to 0.5. On the test digits, after 40 epochs: PSNR 23.1 dB against the
         * 3x3 median's 18.3 for salt-and-pepper 0.2, 18.7 against 14.2 for Gaussian 0.5.
         * A dense code caps it near 20.5 dB on salt-and-pepper (a conv encoder with a dense
         * code of 128 or 512: 20.6 and 20.5), the full-resolution first layer is worth
         * 0.6 dB there, and masking in the mix costs more than it teaches. */
        static const int h[] = { 8, 16, 32 };
        set_hidden (&c, 3, h);
        c.arch = AE_ARCH_CONV;
        c.latent = 0;
        c.code_activation = AE_ACT_RELU;
        c.noise = AE_NOISE_MIXED;
        c.noise_level = 0.5f;
        c.lr = 5e-3f;
        /* Small batches: these maps train as many images per second in batches of 8 as of 64,
         * and eight times the steps put the model 4 dB above the 3x3 median on both
         * salt-and-pepper 0.2 and Gaussian 0.5 after 6 epochs (+4.6 and +4.3 dB; after 8,
         * +4.7 on salt and pepper where batches of 64 gave +2.9, of 16 +3.8; batches of 4
         * gain on salt and pepper and lose on Gaussian 0.5). */
        c.batch = 8;
        c.epochs = 40;
      }
      break;
    case 4: /* vae: the reference 784-400-20 with a Bernoulli decoder */
      {
        static const int h[] = { 400 };
        set_hidden (&c, 1, h);
        c.latent = 20;
        c.variational = 1;
        c.kl_warmup = 5;
        c.epochs = 30;
      }
      break;
    case 5: /* linear: the PCA-equivalent case */
      c.n_hidden = 0;
      c.activation = AE_ACT_IDENTITY;
      c.output_activation = AE_ACT_IDENTITY;
      c.loss = AE_LOSS_MSE;
      /* Cheap epochs; the last principal directions converge slowly, their eigenvalues
       * being close. Largest principal angle to PCA's subspace with --latent 16 on digits:
       * 2.04 degrees after 60 epochs at lr 2e-3, 1.82 after 120, 1.60 after 150 at 1.5e-3
       * (a larger rate stalls higher: Adam's steps keep shaking the near-equal directions). */
      c.lr = 1.5e-3f;
      c.epochs = 150;
      break;
    case 6: /* conv: stride-2 convolutions, mirrored by transposed ones */
      {
        static const int h[] = { 16, 32 };
        set_hidden (&c, 2, h);
        c.arch = AE_ARCH_CONV;
      }
      break;
    case 7: /* sequence: 1-D convolutions over the built-in sines */
      {
        /* Convs of stride 2 along the steps (16, 32, 32 channels) and a code of 16: on
         * sines, test MSE 0.0012 against PCA-16's 0.0038; on ecg 0.00044 against 0.0048,
         * reconstructions that follow the beats (anomaly AUROC 0.957; 0.937 with batch
         * 128 and 30 epochs, 0.841 with a code of 4), within a minute on two cores. An
         * LSTM decoder fed the same code at every step rebuilt ecg windows as their mean
         * (AUROC 0.57); it stays available as --sequence-layer lstm. */
        static const int h[] = { 16, 32, 32 };
        set_hidden (&c, 3, h);
        c.arch = AE_ARCH_SEQUENCE;
        c.sequence_layer = AE_SEQUENCE_CONV;
        c.latent = 16;
        c.lr = 3e-3f;
        c.batch = 64;
        c.epochs = 40;
        c.activation = AE_ACT_RELU;
        c.loss = AE_LOSS_MSE;
        /* Made variational, the squared error of values in [0, 1] is small beside the KL
         * in nats: at kl-beta 1 the posterior collapses on sines (SSE 3.0 per window, flat
         * samples); at 0.01 prior samples look like the data (a spread of 0.17 around
         * their mean and 0.047 from step to step, the test windows' 0.19 and 0.052; SSE
         * 0.16), at 1e-3 they are more jagged (0.13 and 0.066; SSE 0.10). */
        c.kl_beta = 0.01f;
      }
      break;
    case 8: /* conv-vae: the conv encoder and decoder around a Gaussian code */
      {
        /* Wider maps than conv's 16, 32: colour images carry three planes, and a code of
         * 16 with 32, 64 channels rebuilds 32x32 RGB folders and the digits alike; two
         * stride-2 layers fit 28, 32 and 64 pixels (7, 8 and 16 at the dense code). */
        static const int h[] = { 32, 64 };
        set_hidden (&c, 2, h);
        c.arch = AE_ARCH_CONV;
        c.latent = 16;
        c.variational = 1;
        c.kl_warmup = 5;
        c.epochs = 30;
        /* Folders of a few hundred photos give few batches an epoch: smaller batches and
         * a larger rate make the 30 epochs enough (batch 128 at 1e-3 left 800 images at
         * 32x32 as grey blurs). */
        c.batch = 64;
        c.lr = 2e-3f;
      }
      break;
    case 9: /* photo-denoiser: DnCNN's residual learning, small enough for two cores */
      {
        /* Five 3x3 convolutions of 16 channels see 11 x 11 pixels. Trained on random
         * patches of photos (see ae_image_random_patches_load) with Gaussian noise of sigma
         * 0.1 for two minutes on two cores at load 17 (25 s of CPU): 27.2 dB on a photo it
         * never saw, from 20.7 noisy. Wider is better only with more time: six layers of
         * 24 channels (2.4 times the work per pixel) reached 22.4 dB in 90 s where these
         * reached 25.3 beside them. Two minutes on two cores give a few thousand samples,
         * so the number of steps decides: batches of 4 instead of 64 reached 28.9 dB in the
         * 13 s of CPU that 64 made 25.3 of (16: 27.9, 8: 28.5, 2: 28.8); at 24 s, 16 x 4
         * gave 29.2, five layers of 24 29.1 and six of 16 28.8. */
        static const int h[] = { 16, 16, 16, 16 };
        set_hidden (&c, 4, h);
        c.arch = AE_ARCH_RESIDUAL;
        c.latent = 0;
        c.code_activation = AE_ACT_RELU;
        c.output_activation = AE_ACT_IDENTITY;
        c.loss = AE_LOSS_MSE;
        c.noise = AE_NOISE_GAUSSIAN;
        c.noise_level = 0.1f;
        c.lr = 3e-3f;
        c.batch = 4;
        c.epochs = 20;
      }
      break;
    }
  *cfg = c;
  return AE_OK;
}

int
ae_config_preset_epochs (const char *preset, long n_train)
{
  AeConfig c;
  const AePreset *found = ae_preset_find (preset);
  if (found == NULL || ae_config_preset (&c, preset, NULL) != AE_OK)
    return 0;
  /* the photo denoiser's epochs are counted on its patches */
  if (strcmp (found->dataset, "digits") != 0 || c.arch == AE_ARCH_RESIDUAL
      || n_train <= AE_PRESET_DIGITS_TRAIN)
    return c.epochs;
  long samples = (long) c.epochs * AE_PRESET_DIGITS_TRAIN;
  long epochs = (samples + n_train / 2) / n_train;
  return epochs > 1 ? (int) epochs : 1;
}

/* --- options by name ------------------------------------------------------------------------ */

static AeStatus
parse_hidden (AeConfig *cfg, const char *value, AeError *err)
{
  int widths[AE_MAX_HIDDEN];
  int n = 0;
  const char *p = value;
  while (isspace ((unsigned char) *p))
    p++;
  if (*p == '\0' || strcasecmp (p, "none") == 0)
    {
      set_hidden (cfg, 0, widths);
      return AE_OK;
    }
  while (*p != '\0')
    {
      char *end = NULL;
      errno = 0;
      long w = strtol (p, &end, 10);
      if (end == p || errno == ERANGE)
        return ae_error_set (err, AE_ERR_INVALID,
                             "--hidden '%s': expected widths separated by commas, e.g. 512,128",
                             value);
      if (n == AE_MAX_HIDDEN)
        return ae_error_set (err, AE_ERR_LIMIT, "--hidden '%s': at most %d hidden layers", value,
                             AE_MAX_HIDDEN);
      if (w < 1 || w > AE_MAX_LAYER_UNITS)
        return ae_error_set (err, AE_ERR_LIMIT, "--hidden '%s': width %ld outside 1 to %d", value,
                             w, AE_MAX_LAYER_UNITS);
      widths[n++] = (int) w;
      p = end;
      while (isspace ((unsigned char) *p))
        p++;
      if (*p == ',')
        p++;
      else if (*p != '\0')
        return ae_error_set (err, AE_ERR_INVALID,
                             "--hidden '%s': expected widths separated by commas, e.g. 512,128",
                             value);
    }
  set_hidden (cfg, n, widths);
  return AE_OK;
}

AeStatus
ae_config_set (AeConfig *cfg, const char *key, const char *value, AeError *err)
{
  int v = 0;
  AeStatus st = AE_OK;
#define KEY(k) (strcmp (key, (k)) == 0)
  if (KEY ("latent"))
    return parse_int (key, value, 0, AE_MAX_LAYER_UNITS, &cfg->latent, err);
  if (KEY ("hidden"))
    return parse_hidden (cfg, value, err);
  if (KEY ("epochs"))
    return parse_int (key, value, 1, 1000000, &cfg->epochs, err);
  if (KEY ("batch"))
    return parse_int (key, value, 1, 65536, &cfg->batch, err);
  if (KEY ("lr"))
    return parse_float (key, value, &cfg->lr, err);
  if (KEY ("seed"))
    {
      char *end = NULL;
      errno = 0;
      unsigned long long s = strtoull (value, &end, 10);
      if (end == value || *end != '\0' || errno == ERANGE || value[0] == '-')
        return ae_error_set (err, AE_ERR_INVALID, "--seed '%s': expected a whole number >= 0",
                             value);
      cfg->seed = (uint64_t) s;
      return AE_OK;
    }
  if (KEY ("threads"))
    return parse_int (key, value, 0, 1024, &cfg->threads, err);
  if (KEY ("l1"))
    return parse_float (key, value, &cfg->l1_code, err);
  if (KEY ("rho"))
    return parse_float (key, value, &cfg->rho, err);
  if (KEY ("beta"))
    return parse_float (key, value, &cfg->kl_sparsity, err);
  if (KEY ("contractive"))
    return parse_float (key, value, &cfg->contractive, err);
  if (KEY ("noise"))
    return ae_noise_parse (value, &cfg->noise, &cfg->noise_level, err);
  if (KEY ("kl-beta"))
    return parse_float (key, value, &cfg->kl_beta, err);
  if (KEY ("warmup"))
    return parse_int (key, value, 0, 1000000, &cfg->kl_warmup, err);
  if (KEY ("weight-decay"))
    return parse_float (key, value, &cfg->weight_decay, err);
  if (KEY ("clip"))
    return parse_float (key, value, &cfg->clip_norm, err);
  if (KEY ("momentum"))
    return parse_float (key, value, &cfg->momentum, err);
  /* Named choices. */
  if (KEY ("activation") || KEY ("code-activation") || KEY ("output-activation"))
    {
      if ((st = parse_named (key, activation_names, value, &v, err)) != AE_OK)
        return st;
      if (KEY ("activation"))
        cfg->activation = (AeActivation) v;
      else if (KEY ("code-activation"))
        cfg->code_activation = (AeActivation) v;
      else
        cfg->output_activation = (AeActivation) v;
      return AE_OK;
    }
  if (KEY ("loss"))
    {
      if ((st = parse_named (key, loss_names, value, &v, err)) == AE_OK)
        cfg->loss = (AeLoss) v;
      return st;
    }
  if (KEY ("optimizer"))
    {
      if ((st = parse_named (key, optimizer_names, value, &v, err)) == AE_OK)
        cfg->optimizer = (AeOptimizer) v;
      return st;
    }
  if (KEY ("arch"))
    {
      if ((st = parse_named (key, arch_names, value, &v, err)) == AE_OK)
        cfg->arch = (AeArch) v;
      return st;
    }
  if (KEY ("sequence-layer"))
    {
      if ((st = parse_named (key, sequence_layer_names, value, &v, err)) == AE_OK)
        cfg->sequence_layer = (AeSequenceLayer) v;
      return st;
    }
  /* The rest appear in model files rather than on the command line. */
  if (KEY ("variational"))
    return parse_int (key, value, 0, 1, &cfg->variational, err);
  if (KEY ("channels"))
    return parse_int (key, value, 0, AE_MAX_FEATURES, &cfg->channels, err);
  if (KEY ("height"))
    return parse_int (key, value, 0, AE_MAX_FEATURES, &cfg->height, err);
  if (KEY ("width"))
    return parse_int (key, value, 0, AE_MAX_FEATURES, &cfg->width, err);
  if (KEY ("value-min") || KEY ("value-max"))
    {
      char *end = NULL;
      errno = 0;
      double number = strtod (value, &end);
      while (end != NULL && isspace ((unsigned char) *end))
        end++;
      if (end == value || *end != '\0' || errno != 0 || !isfinite (number))
        return ae_error_set (err, AE_ERR_INVALID, "%s '%s': expected a finite number", key, value);
      *(KEY ("value-min") ? &cfg->value_min : &cfg->value_max) = number;
      return AE_OK;
    }
  if (KEY ("preset"))
    {
      if (strlen (value) >= sizeof cfg->preset)
        return ae_error_set (err, AE_ERR_INVALID, "preset name '%s': longer than %d characters",
                             value, AE_PRESET_NAME_MAX - 1);
      snprintf (cfg->preset, sizeof cfg->preset, "%s", value);
      return AE_OK;
    }
#undef KEY
  return ae_error_set (err, AE_ERR_INVALID, "unknown option '%s'", key);
}

/* --- data and validation ----------------------------------------------------------------- */

AeStatus
ae_config_fit_data (AeConfig *cfg, const AeDataset *ds, AeError *err)
{
  if (ds->channels <= 0 || ds->height <= 0 || ds->width <= 0 || ds->dim > AE_MAX_FEATURES)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: samples of %d x %d x %d values cannot be modelled",
                         ds->name, ds->channels, ds->height, ds->width);
  if (cfg->arch == AE_ARCH_CONV && ds->kind != AE_DATA_IMAGES)
    return ae_error_set (err, AE_ERR_INVALID,
                         "%s: the conv architecture needs images, and this dataset holds %s",
                         ds->name, ds->kind == AE_DATA_SEQUENCES ? "sequences" : "vectors");
  if (cfg->arch == AE_ARCH_RESIDUAL && ds->kind != AE_DATA_IMAGES)
    return ae_error_set (err, AE_ERR_INVALID,
                         "%s: the residual denoiser needs images, and this dataset holds %s",
                         ds->name, ds->kind == AE_DATA_SEQUENCES ? "sequences" : "vectors");
  if (cfg->arch == AE_ARCH_SEQUENCE && ds->kind != AE_DATA_SEQUENCES)
    return ae_error_set (err, AE_ERR_INVALID,
                         "%s: the sequence architecture needs time series (sines, ecg), and this "
                         "dataset holds %s", ds->name, ds->kind == AE_DATA_IMAGES ? "images" : "vectors");
  cfg->channels = ds->channels;
  cfg->height = ds->height;
  cfg->width = ds->width;
  cfg->value_min = ds->value_max > ds->value_min ? ds->value_min : 0;
  cfg->value_max = ds->value_max > ds->value_min ? ds->value_max : 0;
  return AE_OK;
}

/* The number of parameters of a dense model, or -1 when it exceeds the limit. */
static long
dense_param_count (const AeConfig *cfg)
{
  long dim = (long) cfg->channels * cfg->height * cfg->width;
  long total = 0, prev = dim;
  for (int i = 0; i < cfg->n_hidden; i++)
    {
      total += prev * cfg->hidden[i] + cfg->hidden[i];
      prev = cfg->hidden[i];
    }
  long heads = cfg->variational ? 2 : 1;
  total += heads * (prev * cfg->latent + cfg->latent);
  prev = cfg->latent;
  for (int i = cfg->n_hidden - 1; i >= 0; i--)
    {
      total += prev * cfg->hidden[i] + cfg->hidden[i];
      prev = cfg->hidden[i];
    }
  total += prev * dim + dim;
  return total;
}

static int
bad_float (float v, float min, float max)
{
  return !isfinite (v) || v < min || v > max;
}

AeStatus
ae_config_validate (const AeConfig *cfg, AeError *err)
{
  if (cfg->arch < AE_ARCH_DENSE || cfg->arch > AE_ARCH_RESIDUAL)
    return ae_error_set (err, AE_ERR_INVALID,
                         "architecture %d: expected dense, conv, sequence or residual",
                         (int) cfg->arch);
  if (cfg->sequence_layer < AE_SEQUENCE_LSTM || cfg->sequence_layer > AE_SEQUENCE_CONV)
    return ae_error_set (err, AE_ERR_INVALID, "sequence layer %d: expected lstm or conv",
                         (int) cfg->sequence_layer);
  if (cfg->n_hidden < 0 || cfg->n_hidden > AE_MAX_HIDDEN)
    return ae_error_set (err, AE_ERR_LIMIT, "--hidden: %d layers, expected 0 to %d", cfg->n_hidden,
                         AE_MAX_HIDDEN);
  for (int i = 0; i < cfg->n_hidden; i++)
    if (cfg->hidden[i] < 1 || cfg->hidden[i] > AE_MAX_LAYER_UNITS)
      return ae_error_set (err, AE_ERR_LIMIT, "--hidden: layer %d has %d units, expected 1 to %d",
                           i, cfg->hidden[i], AE_MAX_LAYER_UNITS);
  if (cfg->arch != AE_ARCH_DENSE && cfg->n_hidden < 1)
    return ae_error_set (err, AE_ERR_INVALID, "--hidden: the %s architecture needs at least one "
                         "hidden size", name_of (arch_names, (int) cfg->arch));
  if (cfg->latent == 0 && (cfg->arch == AE_ARCH_DENSE || cfg->arch == AE_ARCH_SEQUENCE
                           || cfg->variational))
    return ae_error_set (err, AE_ERR_INVALID,
                         "--latent 0 (the code is the feature maps, no dense layer) is for the conv "
                         "and residual architectures without a variational code");
  if (cfg->arch == AE_ARCH_RESIDUAL
      && (cfg->latent != 0 || cfg->variational || cfg->output_activation != AE_ACT_IDENTITY
          || cfg->loss == AE_LOSS_BCE))
    return ae_error_set (err, AE_ERR_INVALID,
                         "the residual denoiser subtracts the noise it predicts from its input: it "
                         "takes --latent 0, no variational code, an identity output and a squared "
                         "or absolute error (--loss mse or l1)");
  if (cfg->latent < 0 || cfg->latent > AE_MAX_LAYER_UNITS)
    return ae_error_set (err, AE_ERR_LIMIT, "--latent %d: expected 1 to %d", cfg->latent,
                         AE_MAX_LAYER_UNITS);
  if (cfg->channels < 0 || cfg->height < 0 || cfg->width < 0
      || (long) cfg->channels * cfg->height * cfg->width > AE_MAX_FEATURES)
    return ae_error_set (err, AE_ERR_LIMIT, "input shape %d x %d x %d: expected at most %ld values",
                         cfg->channels, cfg->height, cfg->width, AE_MAX_FEATURES);
  if ((unsigned) cfg->activation > AE_ACT_SIGMOID || (unsigned) cfg->code_activation > AE_ACT_SIGMOID
      || (unsigned) cfg->output_activation > AE_ACT_SIGMOID)
    return ae_error_set (err, AE_ERR_INVALID, "activation out of range");
  if ((unsigned) cfg->loss > AE_LOSS_L1)
    return ae_error_set (err, AE_ERR_INVALID, "--loss %d: expected mse, bce or l1", (int) cfg->loss);
  if (cfg->loss == AE_LOSS_BCE && cfg->output_activation != AE_ACT_SIGMOID)
    return ae_error_set (err, AE_ERR_INVALID,
                         "--loss bce needs a sigmoid output (the output activation is %s); use "
                         "--loss mse for outputs outside [0, 1]",
                         ae_activation_name (cfg->output_activation));
  if (bad_float (cfg->l1_code, 0.0f, 1e6f))
    return ae_error_set (err, AE_ERR_INVALID, "--l1 %g: expected 0 or more", (double) cfg->l1_code);
  if (bad_float (cfg->kl_sparsity, 0.0f, 1e6f))
    return ae_error_set (err, AE_ERR_INVALID, "--beta %g: expected 0 or more", (double) cfg->kl_sparsity);
  if (!isfinite (cfg->rho) || cfg->rho <= 0.0f || cfg->rho >= 1.0f)
    return ae_error_set (err, AE_ERR_INVALID, "--rho %g: expected a target activation between 0 "
                         "and 1 (exclusive)", (double) cfg->rho);
  if (cfg->kl_sparsity > 0.0f && cfg->code_activation != AE_ACT_SIGMOID)
    return ae_error_set (err, AE_ERR_INVALID,
                         "--beta %g (KL sparsity) needs a sigmoid code, so that each unit's mean "
                         "activation is a probability; the code activation is %s",
                         (double) cfg->kl_sparsity, ae_activation_name (cfg->code_activation));
  if (bad_float (cfg->contractive, 0.0f, 1e6f))
    return ae_error_set (err, AE_ERR_INVALID, "--contractive %g: expected 0 or more",
                         (double) cfg->contractive);
  if ((unsigned) cfg->noise > AE_NOISE_MIXED)
    return ae_error_set (err, AE_ERR_INVALID, "noise kind %d out of range", (int) cfg->noise);
  if (cfg->noise != AE_NOISE_NONE
      && bad_float (cfg->noise_level, 0.0f, cfg->noise == AE_NOISE_GAUSSIAN ? 10.0f : 1.0f))
    return ae_error_set (err, AE_ERR_INVALID, "--noise %s:%g: level out of range",
                         ae_noise_name (cfg->noise), (double) cfg->noise_level);
  if (cfg->variational != 0 && cfg->variational != 1)
    return ae_error_set (err, AE_ERR_INVALID, "variational %d: expected 0 or 1", cfg->variational);
  if (cfg->variational && (cfg->l1_code > 0.0f || cfg->kl_sparsity > 0.0f))
    return ae_error_set (err, AE_ERR_INVALID,
                         "--l1/--beta: sparsity penalties do not apply to a VAE, whose code is "
                         "regularised by its KL term (--kl-beta)");
  if (cfg->variational && cfg->code_activation != AE_ACT_IDENTITY)
    return ae_error_set (err, AE_ERR_INVALID,
                         "a VAE's code is the mean and log-variance of a Gaussian: the code "
                         "activation must be identity, not %s",
                         ae_activation_name (cfg->code_activation));
  if (bad_float (cfg->kl_beta, 0.0f, 1e6f))
    return ae_error_set (err, AE_ERR_INVALID, "--kl-beta %g: expected 0 or more", (double) cfg->kl_beta);
  if (cfg->kl_warmup < 0)
    return ae_error_set (err, AE_ERR_INVALID, "--warmup %d: expected 0 or more epochs", cfg->kl_warmup);
  if ((unsigned) cfg->optimizer > AE_OPT_SGD)
    return ae_error_set (err, AE_ERR_INVALID, "optimizer %d: expected adam or sgd", (int) cfg->optimizer);
  if (!isfinite (cfg->lr) || cfg->lr <= 0.0f || cfg->lr > 1000.0f)
    return ae_error_set (err, AE_ERR_INVALID, "--lr %g: expected a learning rate above 0 and at "
                         "most 1000", (double) cfg->lr);
  if (bad_float (cfg->momentum, 0.0f, 0.9999f))
    return ae_error_set (err, AE_ERR_INVALID, "--momentum %g: expected 0 to 0.9999",
                         (double) cfg->momentum);
  if (bad_float (cfg->weight_decay, 0.0f, 1.0f))
    return ae_error_set (err, AE_ERR_INVALID, "--weight-decay %g: expected 0 to 1",
                         (double) cfg->weight_decay);
  if (bad_float (cfg->clip_norm, 0.0f, 1e9f))
    return ae_error_set (err, AE_ERR_INVALID, "--clip %g: expected 0 (off) or a positive norm",
                         (double) cfg->clip_norm);
  if (cfg->batch < 1 || cfg->batch > 65536)
    return ae_error_set (err, AE_ERR_INVALID, "--batch %d: expected 1 to 65536", cfg->batch);
  if (cfg->epochs < 1 || cfg->epochs > 1000000)
    return ae_error_set (err, AE_ERR_INVALID, "--epochs %d: expected 1 to 1000000", cfg->epochs);
  if (cfg->threads < 0 || cfg->threads > 1024)
    return ae_error_set (err, AE_ERR_INVALID, "--threads %d: expected 0 (automatic) to 1024",
                         cfg->threads);
  if (cfg->arch == AE_ARCH_DENSE && cfg->channels > 0)
    {
      long n = dense_param_count (cfg);
      if (n > AE_MAX_PARAMS)
        return ae_error_set (err, AE_ERR_LIMIT, "%ld parameters: at most %ld are accepted (reduce "
                             "--hidden or --latent)", n, AE_MAX_PARAMS);
    }
  return AE_OK;
}

/* --- text form ----------------------------------------------------------------------------- */

char *
ae_config_to_text (const AeConfig *cfg)
{
  char hidden[AE_MAX_HIDDEN * 8 + 8] = "none";
  for (int i = 0; i < cfg->n_hidden; i++)
    {
      size_t len = i == 0 ? 0 : strlen (hidden);
      snprintf (hidden + len, sizeof hidden - len, "%s%d", i ? "," : "", cfg->hidden[i]);
    }
  char noise[48] = "none";
  if (cfg->noise != AE_NOISE_NONE)
    snprintf (noise, sizeof noise, "%s:%.9g", ae_noise_name (cfg->noise), (double) cfg->noise_level);

  size_t size = 2048;
  char *text = malloc (size);
  if (text == NULL)
    return NULL;
  /* %.9g round-trips every float exactly. */
  snprintf (text, size,
            "preset = %s\n" "arch = %s\n" "sequence-layer = %s\n" "channels = %d\n"
            "height = %d\n" "width = %d\n"
            "hidden = %s\n" "latent = %d\n" "activation = %s\n" "code-activation = %s\n"
            "output-activation = %s\n" "loss = %s\n" "l1 = %.9g\n" "beta = %.9g\n" "rho = %.9g\n"
            "contractive = %.9g\n" "noise = %s\n" "variational = %d\n" "kl-beta = %.9g\n"
            "warmup = %d\n" "optimizer = %s\n" "lr = %.9g\n" "momentum = %.9g\n"
            "weight-decay = %.9g\n" "clip = %.9g\n" "batch = %d\n" "epochs = %d\n"
            "seed = %" PRIu64 "\n" "threads = %d\n",
            cfg->preset, name_of (arch_names, (int) cfg->arch),
            name_of (sequence_layer_names, (int) cfg->sequence_layer), cfg->channels, cfg->height,
            cfg->width, hidden, cfg->latent, ae_activation_name (cfg->activation),
            ae_activation_name (cfg->code_activation), ae_activation_name (cfg->output_activation),
            ae_loss_name (cfg->loss), (double) cfg->l1_code, (double) cfg->kl_sparsity,
            (double) cfg->rho, (double) cfg->contractive, noise, cfg->variational,
            (double) cfg->kl_beta, cfg->kl_warmup, name_of (optimizer_names, (int) cfg->optimizer),
            (double) cfg->lr, (double) cfg->momentum, (double) cfg->weight_decay,
            (double) cfg->clip_norm, cfg->batch, cfg->epochs, cfg->seed, cfg->threads);
  /* Only for rescaled data, so that other files read as they always did; %.17g keeps
   * every double. */
  if (cfg->value_max > cfg->value_min)
    {
      size_t used = strlen (text);
      snprintf (text + used, size - used, "value-min = %.17g\nvalue-max = %.17g\n", cfg->value_min,
                cfg->value_max);
    }
  return text;
}

static char *
trim (char *s)
{
  while (isspace ((unsigned char) *s))
    s++;
  char *end = s + strlen (s);
  while (end > s && isspace ((unsigned char) end[-1]))
    *--end = '\0';
  return s;
}

AeStatus
ae_config_from_text (AeConfig *cfg, const char *text, AeError *err)
{
  /* Keys missing from an older file keep the undercomplete defaults. */
  AeConfig c;
  ae_config_preset (&c, "undercomplete", NULL);
  int line_no = 0;
  const char *p = text;
  while (*p != '\0')
    {
      const char *nl = strchr (p, '\n');
      size_t len = nl != NULL ? (size_t) (nl - p) : strlen (p);
      line_no++;
      char line[512];
      if (len >= sizeof line)
        return ae_error_set (err, AE_ERR_FORMAT, "configuration line %d: longer than %zu characters",
                             line_no, sizeof line - 1);
      memcpy (line, p, len);
      line[len] = '\0';
      p += len + (nl != NULL);
      char *s = trim (line);
      if (*s == '\0' || *s == '#')
        continue;
      char *eq = strchr (s, '=');
      if (eq == NULL)
        return ae_error_set (err, AE_ERR_FORMAT, "configuration line %d '%s': expected key = value",
                             line_no, s);
      *eq = '\0';
      char *key = trim (s);
      char *value = trim (eq + 1);
      AeStatus st = ae_config_set (&c, key, value, err);
      if (st != AE_OK)
        return ae_error_prefix (err, "configuration line %d", line_no);
    }
  AeStatus st = ae_config_validate (&c, err);
  if (st != AE_OK)
    return ae_error_prefix (err, "configuration");
  *cfg = c;
  return AE_OK;
}

/* Everything that shapes the model; the rest may change while training (a larger batch
 * reallocates the model's buffers once). */
int
ae_config_is_live_change (const AeConfig *a, const AeConfig *b)
{
  if (a->arch != b->arch || a->sequence_layer != b->sequence_layer || a->channels != b->channels
      || a->height != b->height || a->width != b->width || a->n_hidden != b->n_hidden || a->latent != b->latent
      || a->activation != b->activation || a->code_activation != b->code_activation
      || a->output_activation != b->output_activation || a->loss != b->loss
      || a->variational != b->variational || a->optimizer != b->optimizer
      || a->seed != b->seed || a->threads != b->threads)
    return 0;
  for (int i = 0; i < a->n_hidden; i++)
    if (a->hidden[i] != b->hidden[i])
      return 0;
  return 1;
}
