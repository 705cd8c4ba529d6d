/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli-project.c: `project`, the test split's codes in a plane (PCA or t-SNE), with how
 * well the plane keeps their neighbourhoods. */
#include "lab-cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-clock.h"
#include "ae-math.h"
#include "ae-tsne.h"

/* The neighbourhood the plane's quality is measured on (trustworthiness, k-NN accuracy). */
#define PROJECT_K 5

static int
parse_perplexity (const LabArgs *args, double *out)
{
  const char *text = lab_args_get (args, "perplexity");
  char *end = NULL;

  if (text == NULL)
    return 1;
  errno = 0;
  double value = strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(value >= 1 && value <= 1000))
    {
      lab_fail (args, LAB_EXIT_USAGE, "--perplexity '%s': expected a number from 1 to 1000", text);
      return 0;
    }
  *out = value;
  return 1;
}

static int
write_plane (const LabArgs *args, const char *path, const float *plane, const int *labels, long n)
{
  FILE *f = fopen (path, "w");

  if (f == NULL)
    return lab_fail (args, LAB_EXIT_FAILURE, "%s: cannot write: %s", path, strerror (errno));
  fprintf (f, "x\ty\tlabel\n");
  for (long i = 0; i < n; i++)
    {
      fprintf (f, "%.6g\t%.6g\t", (double) plane[2 * i], (double) plane[2 * i + 1]);
      if (labels != NULL)
        fprintf (f, "%d", labels[i]);
      fprintf (f, "\n");
    }
  if (fclose (f) != 0)
    return lab_fail (args, LAB_EXIT_FAILURE, "%s: cannot write: %s", path, strerror (errno));
  return LAB_EXIT_OK;
}

int
lab_cli_project (LabArgs *args)
{
  const char *path = args->positional[0];
  const char *spec = lab_args_get (args, "data"), *method = lab_args_get (args, "method");
  const char *out_path = lab_args_get (args, "out");
  int json = lab_args_flag (args, "json");
  AeTsneOptions options;
  long seed, iterations, threads;

  ae_tsne_options_default (&options);
  if (spec == NULL)
    return lab_fail (args, LAB_EXIT_USAGE, "--data D is required");
  if (method == NULL)
    method = "tsne";
  if (strcmp (method, "pca") != 0 && strcmp (method, "tsne") != 0)
    return lab_fail (args, LAB_EXIT_USAGE, "--method '%s': expected pca or tsne", method);
  if (!parse_perplexity (args, &options.perplexity)
      || !lab_args_int (args, "seed", 1, 0, 0x7fffffffL, &seed)
      || !lab_args_int (args, "iterations", options.iterations, 1, 100000, &iterations)
      || !lab_args_int (args, "threads", 1, 1, 16, &threads))
    return LAB_EXIT_USAGE;
  options.seed = (uint64_t) seed;
  options.iterations = (int) iterations;
  options.threads = (int) threads;
  AeModel *model = NULL;
  int status = lab_load_model_writing (args, path, "out", out_path, &model);
  if (status != LAB_EXIT_OK)
    return status;
  AeDataset *ds = NULL;
  float *owned = NULL, *codes = NULL, *plane = NULL;
  int *labels = NULL;
  AePca *pca = NULL;
  AeError err = { 0 };
  lab_apply_threads (args, 1);
  if ((status = lab_load_model_data (args, spec, model, &ds)) != LAB_EXIT_OK)
    goto out;
  status = LAB_EXIT_FAILURE;
  const uint32_t *idx = ae_dataset_test (ds);
  long n = ds->n_test;
  int latent = ae_model_latent_dim (model);
  if (n < 4 * PROJECT_K)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: the test split has %ld samples; a plane needs %d",
                ds->name, n, 4 * PROJECT_K);
      goto out;
    }
  if (latent < 2)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: the code has %d value; a plane needs two", path, latent);
      goto out;
    }
  const float *x = ae_dataset_rows (ds, idx, n, &owned);
  codes = malloc ((size_t) n * (size_t) latent * sizeof *codes);
  plane = malloc ((size_t) n * 2 * sizeof *plane);
  if (ds->labels != NULL)
    labels = malloc ((size_t) n * sizeof *labels);
  if (x == NULL || codes == NULL || plane == NULL || (ds->labels != NULL && labels == NULL))
    {
      lab_fail (args, LAB_EXIT_FAILURE, "out of memory for %ld samples", n);
      goto out;
    }
  if (labels != NULL)
    for (long i = 0; i < n; i++)
      labels[i] = ds->labels[idx[i]];
  ae_model_encode (model, codes, NULL, x, n);

  double start = ae_monotonic_seconds ();
  if (strcmp (method, "pca") == 0)
    {
      if (ae_pca_fit (&pca, codes, n, latent, 2, &err) != AE_OK)
        {
          lab_fail (args, LAB_EXIT_FAILURE, "%s: %s", path, err.message);
          goto out;
        }
      ae_pca_project (pca, plane, codes, n, 2);
    }
  else if (ae_tsne_run (plane, codes, n, latent, &options, NULL, &err) != AE_OK)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: %s", path, err.message);
      goto out;
    }
  double seconds = ae_monotonic_seconds () - start;

  double trust = ae_trustworthiness (codes, latent, plane, 2, n, PROJECT_K);
  double knn_plane = labels != NULL ? ae_knn_accuracy (plane, labels, n, plane, labels, n, 2, PROJECT_K)
                                    : NAN;
  double knn_code = labels != NULL ? ae_knn_accuracy (codes, labels, n, codes, labels, n, latent,
                                                      PROJECT_K)
                                   : NAN;
  if (out_path != NULL && (status = write_plane (args, out_path, plane, labels, n)) != LAB_EXIT_OK)
    goto out;
  if (json)
    {
      LabJson j;
      lab_json_begin (&j, stdout);
      lab_json_string (&j, "method", method);
      lab_json_int (&j, "n", n);
      lab_json_int (&j, "latent", latent);
      lab_json_number (&j, "seconds", seconds);
      lab_json_number (&j, "trustworthiness", trust);
      lab_json_number (&j, "knn5_accuracy", knn_plane);
      lab_json_number (&j, "knn5_accuracy_code", knn_code);
      if (strcmp (method, "tsne") == 0)
        {
          lab_json_number (&j, "perplexity", options.perplexity);
          lab_json_int (&j, "iterations", options.iterations);
        }
      lab_json_end (&j);
    }
  else
    printf ("%s of %ld test codes (%d values) in %.2f s: trustworthiness %.3f, 5-NN accuracy "
            "%.3f in the plane (%.3f in the code)%s%s\n",
            strcmp (method, "pca") == 0 ? "PCA" : "t-SNE", n, latent, seconds, trust, knn_plane,
            knn_code, out_path != NULL ? "; written to " : "", out_path != NULL ? out_path : "");
  status = LAB_EXIT_OK;
out:
  ae_pca_free (pca);
  free (owned);
  free (codes);
  free (plane);
  free (labels);
  ae_dataset_free (ds);
  ae_model_free (model);
  return status;
}
