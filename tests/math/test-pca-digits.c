/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pca-digits.c: PCA on the embedded digits, the baseline every autoencoder is shown
 * against, compared with scikit-learn's figure for the same split. */
#include <stdlib.h>

#include "ae-dataset.h"
#include "ae-math.h"
#include "ae-test.h"

/* Fitted on the first 7,200 digits (training without validation), measured on the last 2,000
 * (the test split). Reference, scikit-learn 1.2.1 in float64:
 *
 *   x = np.frombuffer(gzip.open('resources/data/images-idx3-ubyte.gz').read(), np.uint8,
 *                     offset=16).reshape(-1, 784) / 255.0
 *   p = PCA(32, svd_solver='full').fit(x[:7200]); t = x[8000:]
 *   ((p.inverse_transform(p.transform(t)) - t)**2).sum(1).mean()   -> 13.51529228028486
 *   p.explained_variance_[0] -> 5.433770397489507;  .sum() -> 39.56919623068178 */
static void
test_pca_digits_test_error (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_dataset_load (&ds, "digits", 1, &err) == AE_OK, "%s", err.message);
  if (ds == NULL)
    return;
  enum { N_FIT = 7200, N_TEST = 2000, K = 32 };
  CHECK (ds->n == 10000 && ds->dim == 784, "%ld digits of %d pixels", ds->n, ds->dim);
  AePca *pca = NULL;
  CHECK (ae_pca_fit (&pca, ds->x, N_FIT, ds->dim, K, &err) == AE_OK, "%s", err.message);
  if (pca == NULL)
    {
      ae_dataset_free (ds);
      return;
    }
  const float *test = ae_dataset_sample (ds, ds->n - N_TEST);
  float *codes = malloc ((size_t) N_TEST * K * sizeof *codes);
  float *back = malloc ((size_t) N_TEST * ds->dim * sizeof *back);
  ae_pca_project (pca, codes, test, N_TEST, K);
  ae_pca_reconstruct (pca, back, codes, N_TEST, K);
  double sse = 0.0, kept = 0.0;
  for (size_t i = 0; i < (size_t) N_TEST * ds->dim; i++)
    sse += ((double) back[i] - test[i]) * ((double) back[i] - test[i]);
  for (int i = 0; i < K; i++)
    kept += pca->variance[i];
  CHECK_CLOSE (sse / N_TEST, 13.51529228028486, 1e-4);
  CHECK_CLOSE (pca->variance[0], 5.433770397489507, 1e-4);
  CHECK_CLOSE (kept, 39.56919623068178, 1e-4);
  free (codes);
  free (back);
  ae_pca_free (pca);
  ae_dataset_free (ds);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/pca/digits/test-error", test_pca_digits_test_error },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
