/* SPDX-License-Identifier: GPL-3.0-or-later */
/* torch-export-helper.c: small models of every family for test-torch-module.py.
 *
 * `torch-export-helper export DIR CASE` builds the case's model, trains it a few steps on
 * made-up data and writes DIR/model.safetensors, DIR/x.f32 (the inputs in the data's own
 * units), DIR/codes.f32 and DIR/recon.f32 (the engine's codes and reconstructions) and
 * DIR/shape.txt ("B dim latent"). `torch-export-helper reconstruct DIR MODEL` loads a
 * model file (one brought back by `latentlab import`) and writes its reconstructions of
 * DIR/x.f32 to DIR/recon-imported.f32. `torch-export-helper dataset DIR SPEC SEED` writes a
 * dataset's test split to DIR/test.f32. Floats are raw little-endian float32. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-model.h"

#define B 16

typedef struct {
  const char *name, *preset;
  int channels, height, width; /* sequences: 1, steps, features */
  int hidden[2], n_hidden, latent;
  int variational, lstm;
  double value_min, value_max; /* the data's units, for a rescaled dataset */
} Case;

static const Case cases[] = {
  { "undercomplete", "undercomplete", 1, 6, 6, { 12, 7 }, 2, 3 },
  { "sparse", "sparse", 1, 6, 6, { 12, 7 }, 2, 3 },
  { "contractive", "contractive", 1, 6, 6, { 12 }, 1, 3 },
  { "denoising", "denoising", 1, 6, 6, { 12, 7 }, 2, 3 },
  { "vae", "vae", 1, 6, 6, { 12, 7 }, 2, 3 },
  { "linear", "linear", 1, 6, 6, { 0 }, 0, 3 },
  { "scaled", "undercomplete", 1, 1, 9, { 8 }, 1, 3, .value_min = -2.5, .value_max = 4.0 },
  { "conv", "conv", 1, 12, 12, { 4, 6 }, 2, 5 },
  { "conv-rgb", "conv", 3, 10, 10, { 4, 6 }, 2, 5 },
  { "conv-vae", "conv", 1, 12, 12, { 4, 6 }, 2, 4, .variational = 1 },
  { "conv-maps", "conv", 1, 8, 8, { 4, 3 }, 2, 0 },
  { "conv-vae-preset-rgb", "conv-vae", 3, 16, 16, { 5, 6 }, 2, 4, .variational = 1 },
  { "sequence", "sequence", 1, 20, 3, { 4, 6 }, 2, 4 },
  { "sequence-one-feature", "sequence", 1, 16, 1, { 4 }, 1, 3 },
  { "sequence-vae", "sequence", 1, 20, 2, { 4, 6 }, 2, 3, .variational = 1 },
  { "sequence-lstm", "sequence", 1, 12, 2, { 5 }, 1, 3, .lstm = 1 },
};

static int
write_floats (const char *dir, const char *name, const float *x, size_t n)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen (path, "wb");
  int ok = f != NULL && fwrite (x, sizeof (float), n, f) == n;
  if (f != NULL && fclose (f) != 0)
    ok = 0;
  if (!ok)
    fprintf (stderr, "%s: cannot write\n", path);
  return ok;
}

static int
fail (const AeError *err)
{
  fprintf (stderr, "%s\n", err->message);
  return 1;
}

static int
export_case (const char *dir, const Case *k)
{
  AeConfig cfg;
  AeError err = { 0 };
  if (ae_config_preset (&cfg, k->preset, &err) != AE_OK)
    return fail (&err);
  cfg.channels = k->channels, cfg.height = k->height, cfg.width = k->width;
  cfg.n_hidden = k->n_hidden;
  memcpy (cfg.hidden, k->hidden, sizeof k->hidden);
  cfg.latent = k->latent;
  cfg.batch = B;
  cfg.value_min = k->value_min, cfg.value_max = k->value_max;
  if (k->variational)
    {
      cfg.variational = 1;
      cfg.code_activation = AE_ACT_IDENTITY;
      cfg.kl_beta = 0.5f;
    }
  if (k->lstm)
    cfg.sequence_layer = AE_SEQUENCE_LSTM;
  AeModel *model = NULL;
  if (ae_model_new (&model, &cfg, &err) != AE_OK)
    return fail (&err);
  const int dim = ae_model_input_dim (model), L = ae_model_latent_dim (model);
  float *x = malloc ((size_t) B * dim * sizeof (float));
  float *units = malloc ((size_t) B * dim * sizeof (float));
  float *codes = malloc ((size_t) B * L * sizeof (float));
  float *recon = malloc ((size_t) B * dim * sizeof (float));
  AeRng rng;
  ae_rng_seed (&rng, 7);
  /* Images: uniform values; sequences: a sine per feature, frequency and phase drawn. */
  for (int r = 0; r < B; r++)
    for (int t = 0; t < k->height; t++)
      for (int f = 0; f < k->channels * k->width; f++)
        {
          float *v = &x[(size_t) r * dim + (size_t) t * k->channels * k->width + f];
          if (cfg.arch == AE_ARCH_SEQUENCE)
            *v = 0.5f + 0.4f * sinf (0.3f * (float) (r % 5 + 1) * (float) t + (float) f + 0.1f * (float) r);
          else
            *v = ae_rng_uniform (&rng);
        }
  AeLossTerms terms;
  for (int s = 0; s < 5; s++)
    if (ae_model_train_step (model, &terms, x, B, 0.0f, &rng, &err) != AE_OK)
      return fail (&err);
  ae_model_encode (model, codes, NULL, x, B);
  ae_model_reconstruct (model, recon, x, B);
  /* What a user holds is the data in its own units. */
  double range = k->value_max - k->value_min;
  if (range > 0)
    for (int i = 0; i < B * dim; i++)
      {
        units[i] = (float) (k->value_min + x[i] * range);
        recon[i] = (float) (k->value_min + recon[i] * range);
      }
  else
    memcpy (units, x, (size_t) B * dim * sizeof (float));
  char path[4096];
  snprintf (path, sizeof path, "%s/model.safetensors", dir);
  int ok = ae_model_export_safetensors (model, path, &err) == AE_OK;
  if (!ok)
    fprintf (stderr, "%s\n", err.message);
  ok = ok && write_floats (dir, "x.f32", units, (size_t) B * dim)
       && write_floats (dir, "codes.f32", codes, (size_t) B * L)
       && write_floats (dir, "recon.f32", recon, (size_t) B * dim);
  snprintf (path, sizeof path, "%s/shape.txt", dir);
  FILE *f = fopen (path, "w");
  ok = ok && f != NULL && fprintf (f, "%d %d %d\n", B, dim, L) > 0;
  if (f != NULL && fclose (f) != 0)
    ok = 0;
  free (x);
  free (units);
  free (codes);
  free (recon);
  ae_model_free (model);
  return ok ? 0 : 1;
}

/* The reconstructions of DIR/x.f32 (B samples in the data's units) by a model file. */
static int
reconstruct (const char *dir, const char *model_path)
{
  AeModel *model = NULL;
  AeError err = { 0 };
  if (ae_model_load (&model, model_path, &err) != AE_OK)
    return fail (&err);
  const AeConfig *c = ae_model_config (model);
  const int dim = ae_model_input_dim (model);
  double range = c->value_max - c->value_min;
  float *x = malloc ((size_t) B * dim * sizeof (float));
  float *recon = malloc ((size_t) B * dim * sizeof (float));
  char path[4096];
  snprintf (path, sizeof path, "%s/x.f32", dir);
  FILE *f = fopen (path, "rb");
  int ok = f != NULL && fread (x, sizeof (float), (size_t) B * dim, f) == (size_t) B * dim;
  if (f != NULL)
    fclose (f);
  if (!ok)
    fprintf (stderr, "%s: cannot read %d x %d floats\n", path, B, dim);
  if (ok && range > 0)
    for (int i = 0; i < B * dim; i++)
      x[i] = (float) ((x[i] - c->value_min) / range);
  if (ok)
    ae_model_reconstruct (model, recon, x, B);
  if (ok && range > 0)
    for (int i = 0; i < B * dim; i++)
      recon[i] = (float) (c->value_min + recon[i] * range);
  ok = ok && write_floats (dir, "recon-imported.f32", recon, (size_t) B * dim);
  free (x);
  free (recon);
  ae_model_free (model);
  return ok ? 0 : 1;
}

/* The test split of a dataset (split with the seed, as the commands split it) as float32 in
 * DIR/test.f32, and "n steps features" in DIR/test-shape.txt. */
static int
dataset_test_split (const char *dir, const char *spec, const char *seed)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  if (ae_dataset_load (&ds, spec, strtoull (seed, NULL, 10), &err) != AE_OK)
    return fail (&err);
  float *x = malloc ((size_t) ds->n_test * ds->dim * sizeof (float));
  int ok = x != NULL;
  if (ok)
    ae_dataset_gather (ds, x, ae_dataset_test (ds), ds->n_test);
  ok = ok && write_floats (dir, "test.f32", x, (size_t) ds->n_test * ds->dim);
  char path[4096];
  snprintf (path, sizeof path, "%s/test-shape.txt", dir);
  FILE *f = fopen (path, "w");
  ok = ok && f != NULL && fprintf (f, "%ld %d %d\n", ds->n_test, ds->height, ds->channels * ds->width) > 0;
  if (f != NULL && fclose (f) != 0)
    ok = 0;
  free (x);
  ae_dataset_free (ds);
  return ok ? 0 : 1;
}

int
main (int argc, char **argv)
{
  if (argc == 5 && strcmp (argv[1], "dataset") == 0)
    return dataset_test_split (argv[2], argv[3], argv[4]);
  if (argc == 2 && strcmp (argv[1], "list") == 0)
    {
      for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        printf ("%s\n", cases[i].name);
      return 0;
    }
  if (argc == 4 && strcmp (argv[1], "export") == 0)
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
      if (strcmp (cases[i].name, argv[3]) == 0)
        return export_case (argv[2], &cases[i]);
  if (argc == 4 && strcmp (argv[1], "reconstruct") == 0)
    return reconstruct (argv[2], argv[3]);
  fprintf (stderr, "usage: %s list | export DIR CASE | reconstruct DIR MODEL\n", argv[0]);
  return 2;
}
