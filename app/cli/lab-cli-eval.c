/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli-eval.c: `latentlab eval`, a saved model measured on the test split beside PCA
 * with the same code size. */
#include "lab-cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-factors.h"
#include "ae-inspect.h"
#include "ae-math.h"
#include "lab-lesson-measure.h"

/* Fixed seeds, so that two evaluations of one model print the same figures. */
#define EVAL_NOISE_SEED 20240601u
#define ELBO_SEED 7u
#define ELBO_SAMPLES 16

static double
mean_psnr (const float *clean, const float *other, long n, int dim)
{
  double total = 0;
  for (long i = 0; i < n; i++)
    total += ae_psnr (clean + (size_t) i * dim, other + (size_t) i * dim, dim);
  return total / (double) n;
}

/* The negative ELBO in nats per sample: reconstruction + KL with weight 1, no corruption
 * and no penalties, averaged over ELBO_SAMPLES draws of z per sample. */
static double
negative_elbo (const AeModel *model, const float *x, long n)
{
  AeModel *clone = ae_model_clone (model);
  if (clone == NULL)
    return NAN;
  AeConfig c = *ae_model_config (model);
  c.kl_beta = 1.0f;
  c.kl_warmup = 0;
  c.noise = AE_NOISE_NONE;
  c.l1_code = 0;
  c.kl_sparsity = 0;
  c.contractive = 0;
  AeError err = { 0 };
  double total = NAN;
  if (ae_model_set_config (clone, &c, &err) == AE_OK)
    {
      AeRng rng;
      ae_rng_seed (&rng, ELBO_SEED);
      total = 0;
      for (int s = 0; s < ELBO_SAMPLES; s++)
        {
          AeLossTerms terms;
          ae_model_evaluate (clone, &terms, x, (int) n, &rng);
          total += terms.reconstruction + terms.kl;
        }
      total /= ELBO_SAMPLES;
    }
  ae_model_free (clone);
  return total;
}

/* A linear model: the decoder is affine up to an optional sigmoid on the output. */
static int
is_linear (const AeConfig *c)
{
  return c->arch == AE_ARCH_DENSE && !c->variational && c->code_activation == AE_ACT_IDENTITY
         && (c->n_hidden == 0 || c->activation == AE_ACT_IDENTITY)
         && (c->output_activation == AE_ACT_IDENTITY || c->output_activation == AE_ACT_SIGMOID);
}

typedef struct {
  double noisy, model, median, gaussian, gaussian_sigma;
} DenoiseFigures;

/* Corrupts the test images with a fixed seed and measures each denoiser. */
static int
denoise_figures (AeModel *model, const AeDataset *ds, const float *clean, long n, AeNoise kind,
                 float level, DenoiseFigures *f)
{
  size_t count = (size_t) n * (size_t) ds->dim;
  float *noisy = malloc (count * sizeof (float));
  float *out = malloc (count * sizeof (float));
  if (noisy == NULL || out == NULL)
    {
      free (noisy);
      free (out);
      return 0;
    }
  memcpy (noisy, clean, count * sizeof (float));
  AeRng rng;
  ae_rng_seed (&rng, EVAL_NOISE_SEED);
  ae_corrupt_samples (noisy, n, ds->dim, kind, level, &rng);
  f->noisy = mean_psnr (clean, noisy, n, ds->dim);
  ae_model_reconstruct (model, out, noisy, n);
  f->model = mean_psnr (clean, out, n, ds->dim);

  int w = ds->width, h = ds->height;
  long planes = n * ds->channels;
  for (long p = 0; p < planes; p++)
    ae_median3x3 (out + (size_t) p * w * h, noisy + (size_t) p * w * h, w, h);
  f->median = mean_psnr (clean, out, n, ds->dim);
  static const float sigmas[] = { 0.5f, 0.7f, 1.0f, 1.4f, 2.0f };
  f->gaussian = -INFINITY;
  for (size_t s = 0; s < sizeof sigmas / sizeof sigmas[0]; s++)
    {
      for (long p = 0; p < planes; p++)
        ae_gaussian_blur (out + (size_t) p * w * h, noisy + (size_t) p * w * h, w, h, sigmas[s]);
      double psnr = mean_psnr (clean, out, n, ds->dim);
      if (psnr > f->gaussian)
        {
          f->gaussian = psnr;
          f->gaussian_sigma = sigmas[s];
        }
    }
  free (noisy);
  free (out);
  return 1;
}

/* Checks a comma-separated list of lesson metrics (--measure): the name of the first unknown
 * one in *bad, or NULL. */
static const char *
unknown_metric (const char *list, char *bad, size_t size)
{
  const char *p = list;
  while (*p != '\0')
    {
      size_t len = strcspn (p, ",");
      snprintf (bad, size, "%.*s", (int) len, p);
      if (lab_metric_find (bad) < 0)
        return bad;
      p += len + (p[len] == ',');
    }
  return NULL;
}

/* The lesson metrics of --measure, as the lesson checks measure them, into the open JSON object
 * (or printed). */
static int
print_measures (const AeModel *model, const AeDataset *ds, const char *list, LabJson *j)
{
  AeModel *clone = ae_model_clone (model);
  LabMeasure *m = clone != NULL ? lab_measure_new (clone, ds, NULL) : NULL;
  if (m == NULL)
    {
      ae_model_free (clone);
      return 0;
    }
  if (j != NULL)
    lab_json_object_begin (j, "measures");
  for (const char *p = list; *p != '\0';)
    {
      size_t len = strcspn (p, ",");
      char name[64];
      snprintf (name, sizeof name, "%.*s", (int) len, p);
      double v = lab_measure_get (m, name);
      if (j != NULL)
        lab_json_number (j, name, v);
      else
        printf ("  %-18s %10.4f   (%s)\n", name, v, lab_metrics[lab_metric_find (name)].label);
      p += len + (p[len] == ',');
    }
  if (j != NULL)
    lab_json_object_end (j);
  lab_measure_free (m);
  return 1;
}

/* For data with known factors: the test codes (means for a VAE) scored against them. */
static AeStatus
factor_score (AeModel *model, const AeDataset *ds, const float *x, long n, int k, float *codes,
              AeFactorScore *score, AeError *err)
{
  float *factors = malloc ((size_t) n * (size_t) ds->n_factors * sizeof (float));
  if (factors == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for the factors of %ld samples", n);
  ae_dataset_gather_factors (ds, factors, ae_dataset_test (ds), n);
  ae_model_encode (model, codes, NULL, x, n);
  AeStatus status = ae_factor_score (score, codes, n, k, factors, ds->n_factors, ds->factor_info, err);
  free (factors);
  return status;
}

static void
print_factor_score (const AeFactorScore *score, const AeFactor *info)
{
  printf ("  mutual information gap (MIG) %.4f; per factor, I(z; factor) / H(factor) of the two "
          "most informative dimensions:\n", score->mig);
  for (int f = 0; f < score->n_factors; f++)
    {
      int best = score->best_dim[f], second = -1;
      for (int j = 0; j < score->latent; j++)
        if (j != best && (second < 0 || score->mi[(size_t) j * score->n_factors + f]
                                          > score->mi[(size_t) second * score->n_factors + f]))
          second = j;
      printf ("    %-11s H %.3f nats   z%d %.3f", info[f].title, score->entropy[f], best + 1,
              ae_factor_score_share (score, best, f));
      if (second >= 0)
        printf ("   z%d %.3f", second + 1, ae_factor_score_share (score, second, f));
      printf ("   gap %.3f\n", score->gap[f]);
    }
}

int
lab_cli_eval (LabArgs *args)
{
  const char *path = args->positional[0];
  const char *spec = lab_args_get (args, "data");
  if (spec == NULL)
    return lab_fail (args, LAB_EXIT_USAGE, "--data is required: the dataset the model was trained on");
  int json = lab_args_flag (args, "json");
  const char *denoise = lab_args_get (args, "denoise");
  AeNoise noise = AE_NOISE_NONE;
  float noise_level = 0;
  AeError err = { 0 };
  if (denoise != NULL && ae_noise_parse (denoise, &noise, &noise_level, &err) != AE_OK)
    return lab_fail (args, LAB_EXIT_USAGE, "--denoise %s: %s", denoise, err.message);
  if (denoise != NULL && noise == AE_NOISE_NONE)
    return lab_fail (args, LAB_EXIT_USAGE, "--denoise %s: give a kind and level, e.g. gaussian:0.3",
                     denoise);
  const char *measure = lab_args_get (args, "measure");
  char bad[64];
  if (measure != NULL && unknown_metric (measure, bad, sizeof bad) != NULL)
    {
      char list[1024] = "";
      for (int i = 0; lab_metrics[i].name != NULL; i++)
        snprintf (list + strlen (list), sizeof list - strlen (list), "%s%s", i > 0 ? ", " : "",
                  lab_metrics[i].name);
      return lab_fail (args, LAB_EXIT_USAGE, "--measure '%s': unknown metric '%s', expected %s",
                       measure, bad, list);
    }
  long threads;
  if (!lab_args_int (args, "threads", 0, 0, 1024, &threads))
    return LAB_EXIT_USAGE;

  AeModel *model = NULL;
  int status = lab_load_model (args, path, &model);
  if (status != LAB_EXIT_OK)
    return status;
  const AeConfig *cfg = ae_model_config (model);
  lab_apply_threads (args, cfg->threads);
  AeDataset *ds = NULL;
  if ((status = lab_load_model_data (args, spec, model, &ds)) != LAB_EXIT_OK)
    goto out;
  if (denoise != NULL && ds->kind != AE_DATA_IMAGES)
    {
      status = lab_fail (args, LAB_EXIT_USAGE, "--denoise needs images, and %s holds %s", ds->name,
                         ds->kind == AE_DATA_SEQUENCES ? "sequences" : "vectors");
      goto out;
    }
  if (ds->n_test <= 0 || ds->n_train < 2)
    {
      status = lab_fail (args, LAB_EXIT_FAILURE, "%s: no test split to evaluate on", ds->name);
      goto out;
    }

  long n = ds->n_test;
  int dim = ds->dim, k = ae_model_latent_dim (model);
  float *test_owned = NULL, *train_owned = NULL;
  const float *x = ae_dataset_rows (ds, ae_dataset_test (ds), n, &test_owned);
  const float *train = ae_dataset_rows (ds, ae_dataset_train (ds), ds->n_train, &train_owned);
  float *out_buf = malloc ((size_t) n * (size_t) dim * sizeof (float));
  float *codes = malloc ((size_t) n * (size_t) (k > 0 ? k : 1) * sizeof (float));
  AePca *pca = NULL;
  AeFactorScore factors = { 0 }; /* before the first jump to done, which clears it */
  if (x == NULL || train == NULL || out_buf == NULL || codes == NULL)
    {
      status = lab_fail (args, LAB_EXIT_FAILURE, "out of memory for %ld test samples", n);
      goto done;
    }
  ae_model_reconstruct (model, out_buf, x, n);
  double model_sse = ae_sse_per_row (x, out_buf, n, dim);

  int pca_k = k < dim ? k : dim;
  if (ae_pca_fit (&pca, train, ds->n_train, dim, pca_k, &err) != AE_OK)
    {
      status = lab_fail (args, LAB_EXIT_FAILURE, "PCA of %s: %s", ds->name, err.message);
      goto done;
    }
  ae_pca_project (pca, codes, x, n, pca_k);
  ae_pca_reconstruct (pca, out_buf, codes, n, pca_k);
  double pca_sse = ae_sse_per_row (x, out_buf, n, dim);
  double elbo = cfg->variational ? negative_elbo (model, x, n) : NAN;
  double angle = is_linear (cfg) && pca_k == k ? ae_inspect_pca_angle (model, pca) : NAN;
  DenoiseFigures dn = { 0 };
  if (denoise != NULL && !denoise_figures (model, ds, x, n, noise, noise_level, &dn))
    {
      status = lab_fail (args, LAB_EXIT_FAILURE, "out of memory for the noisy test images");
      goto done;
    }
  int sequences = ds->kind == AE_DATA_SEQUENCES;
  int has_factors = ds->factors != NULL && k > 0;
  if (has_factors && factor_score (model, ds, x, n, k, codes, &factors, &err) != AE_OK)
    {
      status = lab_fail (args, LAB_EXIT_FAILURE, "factors of %s: %s", ds->name, err.message);
      goto done;
    }

  if (json)
    {
      LabJson j;
      lab_json_begin (&j, stdout);
      lab_json_string (&j, "model", path);
      lab_json_string (&j, "data", ds->name);
      lab_json_int (&j, "n_test", n);
      lab_json_int (&j, "latent", k);
      lab_json_number (&j, "test_sse_per_image", model_sse);
      lab_json_number (&j, "test_mse_per_pixel", model_sse / dim);
      lab_json_number (&j, "pca_sse_per_image", pca_sse);
      if (cfg->variational)
        {
          lab_json_number (&j, "neg_elbo", elbo);
          lab_json_int (&j, "neg_elbo_samples", ELBO_SAMPLES);
        }
      if (isfinite (angle))
        lab_json_number (&j, "pca_principal_angle_deg", angle);
      if (sequences)
        {
          lab_json_number (&j, "test_mse", model_sse / dim);
          lab_json_number (&j, "pca_mse", pca_sse / dim);
        }
      if (denoise != NULL)
        {
          lab_json_string (&j, "noise", denoise);
          lab_json_number (&j, "psnr_noisy", dn.noisy);
          lab_json_number (&j, "psnr_model", dn.model);
          lab_json_number (&j, "psnr_median", dn.median);
          lab_json_number (&j, "psnr_gaussian", dn.gaussian);
          lab_json_number (&j, "gaussian_sigma", dn.gaussian_sigma);
        }
      if (has_factors)
        {
          lab_json_number (&j, "mig", factors.mig);
          lab_json_object_begin (&j, "mig_per_factor");
          for (int f = 0; f < factors.n_factors; f++)
            lab_json_number (&j, ds->factor_info[f].name, factors.gap[f]);
          lab_json_object_end (&j);
          /* the largest I(z_j; v) / H(v) per factor, and the dimension that has it */
          lab_json_object_begin (&j, "factor_mi");
          for (int f = 0; f < factors.n_factors; f++)
            lab_json_number (&j, ds->factor_info[f].name,
                             ae_factor_score_share (&factors, factors.best_dim[f], f));
          lab_json_object_end (&j);
          lab_json_object_begin (&j, "factor_dim");
          for (int f = 0; f < factors.n_factors; f++)
            lab_json_int (&j, ds->factor_info[f].name, factors.best_dim[f] + 1);
          lab_json_object_end (&j);
        }
      if (measure != NULL && !print_measures (model, ds, measure, &j))
        {
          status = lab_fail (args, LAB_EXIT_FAILURE, "out of memory for the measures");
          goto done;
        }
      lab_json_end (&j);
    }
  else
    {
      printf ("%s on the %ld test samples of %s (code size %d):\n", path, n, ds->name, k);
      printf ("  SSE per %s   %10.4f   (PCA-%d: %.4f)\n", sequences ? "sequence" : "image   ",
              model_sse, pca_k, pca_sse);
      printf ("  MSE per value      %10.6f   (PCA-%d: %.6f)\n", model_sse / dim, pca_k, pca_sse / dim);
      if (cfg->variational)
        printf ("  negative ELBO      %10.4f   nats per sample (%d draws of z each)\n", elbo,
                ELBO_SAMPLES);
      if (isfinite (angle))
        printf ("  largest principal angle to PCA's subspace: %.3f degrees\n", angle);
      if (denoise != NULL)
        printf ("  PSNR with %s noise: noisy %.2f dB, model %.2f dB, median 3x3 %.2f dB, "
                "Gaussian blur %.2f dB (sigma %.1f)\n",
                denoise, dn.noisy, dn.model, dn.median, dn.gaussian, dn.gaussian_sigma);
      if (has_factors)
        print_factor_score (&factors, ds->factor_info);
      if (measure != NULL && !print_measures (model, ds, measure, NULL))
        {
          status = lab_fail (args, LAB_EXIT_FAILURE, "out of memory for the measures");
          goto done;
        }
    }
  status = LAB_EXIT_OK;
done:
  ae_factor_score_clear (&factors);
  ae_pca_free (pca);
  free (test_owned);
  free (train_owned);
  free (out_buf);
  free (codes);
out:
  ae_dataset_free (ds);
  ae_model_free (model);
  return status;
}
