/* lab-projection.c: PCA and k-NN for the latent views, on the calling thread. */
#include <math.h>
#include <string.h>

#include "ae-math.h"
#include "lab-projection.h"

gboolean
lab_projection_pca2 (float *out, float *mean, float *components, const float *x, long n,
                     int dim)
{
  AePca *pca = NULL;
  AeError err = { 0 };

  g_return_val_if_fail (out != NULL && x != NULL, FALSE);
  if (n < 2 || dim < 2)
    return FALSE;
  if (ae_pca_fit (&pca, x, n, dim, 2, &err) != AE_OK)
    return FALSE;
  ae_pca_project (pca, out, x, n, 2);
  if (mean != NULL)
    memcpy (mean, pca->mean, sizeof (float) * (size_t) dim);
  if (components != NULL)
    memcpy (components, pca->components, sizeof (float) * 2 * (size_t) dim);
  ae_pca_free (pca);
  return TRUE;
}

double
lab_projection_knn_accuracy (const float *x, const int *labels, long n, int dim, int k)
{
  if (x == NULL || labels == NULL || n < 2 || dim < 1)
    return NAN;
  return ae_knn_accuracy (x, labels, n, x, labels, n, dim, k);
}
