/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes a small trained dense model as safetensors, with inputs and the engine's
 * reconstructions of them, for test-safetensors-torch.py to replay in PyTorch.
 * Usage: safetensors-torch-helper DIR PRESET -> DIR/model.safetensors, DIR/inputs.f32,
 * DIR/recon.f32 (row-major float32, native little-endian) and DIR/shape.txt ("B dim"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-model.h"

static int
write_floats (const char *dir, const char *name, const float *x, size_t n)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen (path, "wb");
  if (f == NULL || fwrite (x, sizeof (float), n, f) != n || fclose (f) != 0)
    {
      fprintf (stderr, "%s: cannot write\n", path);
      return 0;
    }
  return 1;
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: %s DIR PRESET\n", argv[0]);
      return 2;
    }
  const char *dir = argv[1];
  AeConfig cfg;
  AeError err = { 0 };
  if (ae_config_preset (&cfg, argv[2], &err) != AE_OK)
    {
      fprintf (stderr, "%s\n", err.message);
      return 1;
    }
  cfg.channels = 1, cfg.height = 6, cfg.width = 6;
  cfg.n_hidden = 2, cfg.hidden[0] = 12, cfg.hidden[1] = 7;
  cfg.latent = 3;
  cfg.batch = 8;
  AeModel *model = NULL;
  if (ae_model_new (&model, &cfg, &err) != AE_OK)
    {
      fprintf (stderr, "%s\n", err.message);
      return 1;
    }
  const int B = 8, dim = ae_model_input_dim (model);
  float *x = malloc ((size_t) B * dim * sizeof (float));
  float *recon = malloc ((size_t) B * dim * sizeof (float));
  AeRng rng;
  ae_rng_seed (&rng, 21);
  for (int i = 0; i < B * dim; i++)
    x[i] = ae_rng_uniform (&rng);
  /* A few steps so that the biases are not all zero. */
  AeLossTerms terms;
  for (int s = 0; s < 5; s++)
    if (ae_model_train_step (model, &terms, x, B, 0.0f, NULL, &err) != AE_OK)
      {
        fprintf (stderr, "%s\n", err.message);
        return 1;
      }
  ae_model_reconstruct (model, recon, x, B);
  char path[4096];
  snprintf (path, sizeof path, "%s/model.safetensors", dir);
  int ok = ae_model_export_safetensors (model, path, &err) == AE_OK;
  if (!ok)
    fprintf (stderr, "%s\n", err.message);
  ok = ok && write_floats (dir, "inputs.f32", x, (size_t) B * dim)
       && write_floats (dir, "recon.f32", recon, (size_t) B * dim);
  snprintf (path, sizeof path, "%s/shape.txt", dir);
  FILE *f = fopen (path, "w");
  ok = ok && f != NULL && fprintf (f, "%d %d\n", B, dim) > 0;
  if (f != NULL)
    fclose (f);
  free (x);
  free (recon);
  ae_model_free (model);
  return ok ? 0 : 1;
}
