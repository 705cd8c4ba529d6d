/* SPDX-License-Identifier: GPL-3.0-or-later */
/* math-crosscheck-tool.c: runs the engine's PCA and metrics on raw float32 files written by
 * crosscheck_pca.py, which compares the results with numpy and scikit-learn.
 *
 *   math-crosscheck-tool pca TRAIN TEST N_TRAIN N_TEST DIM K OUT
 *     writes OUT.components (k, dim), OUT.variance (k), OUT.mean (dim) as float32 and
 *     prints "sse_per_image <value>" for the test rows reconstructed from k components
 *   math-crosscheck-tool auroc SCORES LABELS N     (labels as uint8) prints "auroc <value>"
 *   math-crosscheck-tool angles A B DIM KA KB       prints "angles <a1> ... <ak>"
 *   math-crosscheck-tool knn X LABELS N DIM K       (labels as int32, leave-one-out)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-math.h"

static void *
read_file (const char *path, size_t bytes)
{
  FILE *f = fopen (path, "rb");
  void *data = malloc (bytes > 0 ? bytes : 1);
  if (f == NULL || data == NULL || fread (data, 1, bytes, f) != bytes)
    {
      fprintf (stderr, "%s: cannot read %zu bytes\n", path, bytes);
      exit (2);
    }
  fclose (f);
  return data;
}

static void
write_file (const char *prefix, const char *suffix, const float *data, size_t count)
{
  char path[4096];
  snprintf (path, sizeof path, "%s.%s", prefix, suffix);
  FILE *f = fopen (path, "wb");
  if (f == NULL || fwrite (data, sizeof *data, count, f) != count || fclose (f) != 0)
    {
      fprintf (stderr, "%s: cannot write\n", path);
      exit (2);
    }
}

static int
run_pca (char **argv)
{
  long n_train = atol (argv[2]), n_test = atol (argv[3]);
  int dim = atoi (argv[4]), k = atoi (argv[5]);
  float *train = read_file (argv[0], (size_t) n_train * dim * sizeof (float));
  float *test = read_file (argv[1], (size_t) n_test * dim * sizeof (float));
  AePca *pca = NULL;
  AeError err = { 0 };
  if (ae_pca_fit (&pca, train, n_train, dim, k, &err) != AE_OK)
    {
      fprintf (stderr, "%s\n", err.message);
      return 1;
    }
  write_file (argv[6], "components", pca->components, (size_t) k * dim);
  write_file (argv[6], "variance", pca->variance, (size_t) k);
  write_file (argv[6], "mean", pca->mean, (size_t) dim);
  float *codes = malloc ((size_t) n_test * k * sizeof *codes);
  float *back = malloc ((size_t) n_test * dim * sizeof *back);
  ae_pca_project (pca, codes, test, n_test, k);
  ae_pca_reconstruct (pca, back, codes, n_test, k);
  double sse = 0.0;
  for (size_t i = 0; i < (size_t) n_test * dim; i++)
    sse += ((double) back[i] - test[i]) * ((double) back[i] - test[i]);
  printf ("sse_per_image %.9g\n", sse / (double) n_test);
  free (codes);
  free (back);
  ae_pca_free (pca);
  free (train);
  free (test);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 9 && strcmp (argv[1], "pca") == 0)
    return run_pca (argv + 2);
  if (argc == 5 && strcmp (argv[1], "auroc") == 0)
    {
      long n = atol (argv[4]);
      float *scores = read_file (argv[2], (size_t) n * sizeof (float));
      uint8_t *labels = read_file (argv[3], (size_t) n);
      printf ("auroc %.12g\n", ae_auroc (scores, labels, n));
      free (scores);
      free (labels);
      return 0;
    }
  if (argc == 7 && strcmp (argv[1], "angles") == 0)
    {
      int dim = atoi (argv[4]), ka = atoi (argv[5]), kb = atoi (argv[6]);
      int kmin = ka < kb ? ka : kb;
      float *a = read_file (argv[2], (size_t) dim * ka * sizeof (float));
      float *b = read_file (argv[3], (size_t) dim * kb * sizeof (float));
      double *angles = malloc ((size_t) kmin * sizeof *angles);
      ae_principal_angles (a, ka, b, kb, dim, angles);
      printf ("angles");
      for (int i = 0; i < kmin; i++)
        printf (" %.9g", angles[i]);
      printf ("\n");
      free (a);
      free (b);
      free (angles);
      return 0;
    }
  if (argc == 7 && strcmp (argv[1], "knn") == 0)
    {
      long n = atol (argv[4]);
      int dim = atoi (argv[5]), k = atoi (argv[6]);
      float *x = read_file (argv[2], (size_t) n * dim * sizeof (float));
      int *labels = read_file (argv[3], (size_t) n * sizeof (int));
      printf ("knn %.12g\n", ae_knn_accuracy (x, labels, n, x, labels, n, dim, k));
      free (x);
      free (labels);
      return 0;
    }
  fprintf (stderr, "usage: see the comment at the top of math-crosscheck-tool.c\n");
  return 2;
}
