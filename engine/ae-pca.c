/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-pca.c: principal component analysis through OpenBLAS and its LAPACK.
 *
 * The covariance is accumulated in double from float blocks of centred rows (ssyrk on each
 * block, so float only sums a few hundred terms), then the top k eigenpairs come from
 * LAPACK's dsyevr. Projection and reconstruction are single sgemm calls.
 * Beyond AE_PCA_MAX_DIM features the dim x dim covariance is too large to form, and a
 * randomized SVD (Halko, Martinsson and Tropp 2011) finds the top k directions instead.
 */
#include "ae-math.h"
#include "ae-rng.h"

#include <assert.h>
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK as exported by libopenblas (Fortran calling convention, with the hidden lengths of
 * the character arguments at the end). Declared here so that no LAPACKE headers are needed. */
extern void dsyevr_ (const char *jobz, const char *range, const char *uplo, const int *n,
                     double *a, const int *lda, const double *vl, const double *vu,
                     const int *il, const int *iu, const double *abstol, int *m, double *w,
                     double *z, const int *ldz, int *isuppz, double *work, const int *lwork,
                     int *iwork, const int *liwork, int *info, size_t jobz_len,
                     size_t range_len, size_t uplo_len);

static AeStatus pca_fit_randomized (AePca **out, const float *x, long n, int dim, int k,
                                    AeError *err);

/* Rows centred per ssyrk call: float accumulation stays short, the buffer small. */
enum { PCA_BLOCK_ROWS = 256 };

void
ae_pca_free (AePca *pca)
{
  if (pca == NULL)
    return;
  free (pca->mean);
  free (pca->components);
  free (pca->variance);
  free (pca);
}

static AeStatus
pca_check_args (const float *x, long n, int dim, int k, AeError *err)
{
  if (n < 2)
    return ae_error_set (err, AE_ERR_INVALID, "PCA needs at least 2 samples, got %ld", n);
  if (n > AE_MAX_SAMPLES)
    return ae_error_set (err, AE_ERR_LIMIT, "PCA on %ld samples: at most %ld are accepted", n,
                         AE_MAX_SAMPLES);
  if (dim < 1 || dim > AE_MAX_FEATURES)
    return ae_error_set (err, dim < 1 ? AE_ERR_INVALID : AE_ERR_LIMIT,
                         "PCA on %d features: expected 1 to %ld", dim, (long) AE_MAX_FEATURES);
  if (k < 1 || k > dim)
    return ae_error_set (err, AE_ERR_INVALID, "PCA with %d components: expected 1 to %d (the "
                         "number of features)", k, dim);
  for (long i = 0; i < n; i++)
    for (int j = 0; j < dim; j++)
      if (!isfinite (x[(size_t) i * (size_t) dim + (size_t) j]))
        return ae_error_set (err, AE_ERR_INVALID,
                             "PCA input row %ld, feature %d is %g: expected a finite value", i,
                             j, (double) x[(size_t) i * (size_t) dim + (size_t) j]);
  return AE_OK;
}

/* cov (dim, dim), full and symmetric = sum over rows of (x - mean)^T (x - mean) / (n - 1). */
static AeStatus
pca_covariance (double *cov, double *mean, const float *x, long n, int dim, AeError *err)
{
  size_t d = (size_t) dim;
  memset (mean, 0, d * sizeof *mean);
  for (long i = 0; i < n; i++)
    {
      const float *row = x + (size_t) i * d;
      for (size_t j = 0; j < d; j++)
        mean[j] += row[j];
    }
  for (size_t j = 0; j < d; j++)
    mean[j] /= (double) n;

  float *block = malloc ((size_t) PCA_BLOCK_ROWS * d * sizeof *block);
  float *block_cov = malloc (d * d * sizeof *block_cov);
  if (block == NULL || block_cov == NULL)
    {
      free (block);
      free (block_cov);
      return ae_error_set (err, AE_ERR_NOMEM, "PCA: out of memory for a %d x %d covariance",
                           dim, dim);
    }
  memset (cov, 0, d * d * sizeof *cov);
  for (long start = 0; start < n; start += PCA_BLOCK_ROWS)
    {
      int rows = (int) (n - start < PCA_BLOCK_ROWS ? n - start : PCA_BLOCK_ROWS);
      for (int i = 0; i < rows; i++)
        {
          const float *src = x + (size_t) (start + i) * d;
          float *dst = block + (size_t) i * d;
          for (size_t j = 0; j < d; j++)
            dst[j] = (float) ((double) src[j] - mean[j]);
        }
      /* Upper triangle of block_cov (row-major) = block^T block. */
      cblas_ssyrk (CblasRowMajor, CblasUpper, CblasTrans, dim, rows, 1.0f, block, dim, 0.0f,
                   block_cov, dim);
      for (size_t r = 0; r < d; r++)
        for (size_t c = r; c < d; c++)
          cov[r * d + c] += block_cov[r * d + c];
    }
  double scale = 1.0 / (double) (n - 1);
  for (size_t r = 0; r < d; r++)
    for (size_t c = r; c < d; c++)
      {
        cov[r * d + c] *= scale;
        cov[c * d + r] = cov[r * d + c];
      }
  free (block);
  free (block_cov);
  return AE_OK;
}

/* The top k eigenpairs of the symmetric cov (dim, dim), which LAPACK overwrites. Fills
 * vectors (k, dim), one eigenvector per row, and values (k), both by decreasing value. */
static AeStatus
pca_top_eigen (double *vectors, double *values, double *cov, int dim, int k, AeError *err)
{
  int il = dim - k + 1, iu = dim, found = 0, info = 0;
  double unused = 0.0, abstol = 0.0; /* 0: LAPACK's default, accurate tolerance */
  int *isuppz = malloc (2 * (size_t) k * sizeof *isuppz);
  double work_query = 0.0;
  int iwork_query = 0, lwork = -1, liwork = -1;
  if (isuppz == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "PCA: out of memory for the eigen-solver");
  dsyevr_ ("V", "I", "U", &dim, cov, &dim, &unused, &unused, &il, &iu, &abstol, &found, values,
           vectors, &dim, isuppz, &work_query, &lwork, &iwork_query, &liwork, &info, 1, 1, 1);
  lwork = (int) work_query;
  liwork = iwork_query;
  double *work = info == 0 ? malloc ((size_t) lwork * sizeof *work) : NULL;
  int *iwork = info == 0 ? malloc ((size_t) liwork * sizeof *iwork) : NULL;
  if (info == 0 && (work == NULL || iwork == NULL))
    {
      free (isuppz);
      free (work);
      free (iwork);
      return ae_error_set (err, AE_ERR_NOMEM, "PCA: out of memory for the eigen-solver");
    }
  if (info == 0)
    dsyevr_ ("V", "I", "U", &dim, cov, &dim, &unused, &unused, &il, &iu, &abstol, &found,
             values, vectors, &dim, isuppz, work, &lwork, iwork, &liwork, &info, 1, 1, 1);
  free (isuppz);
  free (work);
  free (iwork);
  if (info != 0 || found != k)
    return ae_error_set (err, AE_ERR_DIVERGED, "PCA: LAPACK dsyevr failed (info %d, %d of %d "
                         "eigenvalues found)", info, found, k);

  /* LAPACK returns ascending eigenvalues, each eigenvector a column of the column-major z,
   * which is a contiguous row here: reverse the order of rows to get decreasing variance. */
  size_t d = (size_t) dim;
  for (int i = 0, j = k - 1; i < j; i++, j--)
    {
      double t = values[i];
      values[i] = values[j];
      values[j] = t;
      for (size_t c = 0; c < d; c++)
        {
          t = vectors[(size_t) i * d + c];
          vectors[(size_t) i * d + c] = vectors[(size_t) j * d + c];
          vectors[(size_t) j * d + c] = t;
        }
    }
  return AE_OK;
}

/* Flips v so that its largest-magnitude entry (the first, on ties) is positive. */
static void
pca_fix_sign (double *v, int dim)
{
  int best = 0;
  for (int j = 1; j < dim; j++)
    if (fabs (v[j]) > fabs (v[best]))
      best = j;
  if (v[best] < 0.0)
    for (int j = 0; j < dim; j++)
      v[j] = -v[j];
}

AeStatus
ae_pca_fit (AePca **out, const float *x, long n, int dim, int k, AeError *err)
{
  *out = NULL;
  AeStatus status = pca_check_args (x, n, dim, k, err);
  if (status != AE_OK)
    return status;
  if (dim > AE_PCA_MAX_DIM)
    return pca_fit_randomized (out, x, n, dim, k, err);

  size_t d = (size_t) dim;
  AePca *pca = calloc (1, sizeof *pca);
  double *cov = malloc (d * d * sizeof *cov);
  double *mean = malloc (d * sizeof *mean);
  double *vectors = malloc ((size_t) k * d * sizeof *vectors);
  double *values = malloc (d * sizeof *values); /* dsyevr may write up to dim values */
  if (pca != NULL)
    {
      pca->mean = malloc (d * sizeof *pca->mean);
      pca->components = malloc ((size_t) k * d * sizeof *pca->components);
      pca->variance = malloc ((size_t) k * sizeof *pca->variance);
    }
  if (pca == NULL || cov == NULL || mean == NULL || vectors == NULL || values == NULL
      || pca->mean == NULL || pca->components == NULL || pca->variance == NULL)
    {
      status = ae_error_set (err, AE_ERR_NOMEM, "PCA: out of memory for %d features", dim);
      goto done;
    }

  status = pca_covariance (cov, mean, x, n, dim, err);
  if (status != AE_OK)
    goto done;
  double trace = 0.0;
  for (size_t j = 0; j < d; j++)
    trace += cov[j * d + j];
  status = pca_top_eigen (vectors, values, cov, dim, k, err);
  if (status != AE_OK)
    goto done;

  pca->dim = dim;
  pca->k = k;
  pca->total_variance = trace;
  for (size_t j = 0; j < d; j++)
    pca->mean[j] = (float) mean[j];
  for (int i = 0; i < k; i++)
    {
      double *v = vectors + (size_t) i * d;
      pca_fix_sign (v, dim);
      for (size_t j = 0; j < d; j++)
        pca->components[(size_t) i * d + j] = (float) v[j];
      /* Rounding can leave a zero eigenvalue slightly negative. */
      pca->variance[i] = (float) fmax (values[i], 0.0);
    }
  *out = pca;
  pca = NULL;

done:
  ae_pca_free (pca);
  free (cov);
  free (mean);
  free (vectors);
  free (values);
  return status;
}

/* --- randomized SVD ----------------------------------------------------------------- */

/* Extra directions sampled beyond k, and passes of the power iteration: with both, the top
 * k directions of image data come out within a degree of the exact ones. */
enum { RSVD_OVERSAMPLE = 10, RSVD_POWER_ITERATIONS = 4 };

/* Orthonormalises the cols columns of m (rows, cols), row-major, in place: modified
 * Gram-Schmidt in double, run twice so that rounding leaves no overlap. A column that
 * vanishes (rank deficiency) becomes zero. */
static void
orthonormalise_columns (float *m, long rows, int cols, double *scratch)
{
  for (long i = 0; i < rows; i++)
    for (int c = 0; c < cols; c++)
      scratch[(size_t) c * (size_t) rows + (size_t) i] = m[(size_t) i * (size_t) cols + (size_t) c];
  for (int pass = 0; pass < 2; pass++)
    for (int c = 0; c < cols; c++)
      {
        double *v = scratch + (size_t) c * (size_t) rows;
        for (int p = 0; p < c; p++)
          {
            const double *u = scratch + (size_t) p * (size_t) rows;
            double dot = cblas_ddot ((int) rows, u, 1, v, 1);
            cblas_daxpy ((int) rows, -dot, u, 1, v, 1);
          }
        double norm = cblas_dnrm2 ((int) rows, v, 1);
        if (norm > 1e-12)
          cblas_dscal ((int) rows, 1.0 / norm, v, 1);
        else
          memset (v, 0, (size_t) rows * sizeof *v);
      }
  for (long i = 0; i < rows; i++)
    for (int c = 0; c < cols; c++)
      m[(size_t) i * (size_t) cols + (size_t) c] = (float) scratch[(size_t) c * (size_t) rows + (size_t) i];
}

/* out (rows, l) = (x - 1 mean^T) w for w (dim, l): the centred rows times w, without a
 * centred copy of x. */
static void
centred_times (float *out, const float *x, const float *mean, const float *w, long n, int dim,
               int l, float *row_l)
{
  cblas_sgemv (CblasRowMajor, CblasTrans, dim, l, 1.0f, w, l, mean, 1, 0.0f, row_l, 1);
  for (long i = 0; i < n; i++)
    memcpy (out + (size_t) i * (size_t) l, row_l, (size_t) l * sizeof *out);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) n, l, dim, 1.0f, x, dim, w, l,
               -1.0f, out, l);
}

/* out (dim, l) = (x - 1 mean^T)^T q for q (n, l). */
static void
centred_transpose_times (float *out, const float *x, const float *mean, const float *q, long n,
                         int dim, int l, float *row_l)
{
  for (int c = 0; c < l; c++)
    row_l[c] = 0.0f;
  for (long i = 0; i < n; i++)
    cblas_saxpy (l, 1.0f, q + (size_t) i * (size_t) l, 1, row_l, 1);
  /* out = mean (1^T q), then x^T q - out */
  for (int j = 0; j < dim; j++)
    for (int c = 0; c < l; c++)
      out[(size_t) j * (size_t) l + (size_t) c] = mean[j] * row_l[c];
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, dim, l, (int) n, 1.0f, x, dim, q, l,
               -1.0f, out, l);
}

/* ae_pca_fit_randomized after its arguments are checked. */
static AeStatus
pca_fit_randomized (AePca **out, const float *x, long n, int dim, int k, AeError *err)
{
  AeStatus status = AE_OK;
  if (k > n)
    return ae_error_set (err, AE_ERR_INVALID, "PCA with %d components of %d features: at most "
                         "%ld (the number of samples)", k, dim, n);
  int l = k + RSVD_OVERSAMPLE;
  if (l > n)
    l = (int) n;
  if (l > dim)
    l = dim;
  size_t d = (size_t) dim, rows = (size_t) n, L = (size_t) l;

  AePca *pca = calloc (1, sizeof *pca);
  double *mean = calloc (d, sizeof *mean);
  float *meanf = malloc (d * sizeof *meanf);
  float *omega = malloc (d * L * sizeof *omega); /* (dim, l): the sketch, then Z */
  float *q = malloc (rows * L * sizeof *q);      /* (n, l) */
  float *row_l = malloc (L * sizeof *row_l);
  double *scratch = malloc ((rows > d ? rows : d) * L * sizeof *scratch);
  double *gram = malloc (L * L * sizeof *gram);
  double *vectors = malloc (L * L * sizeof *vectors);
  double *values = malloc (L * sizeof *values);
  double *bd = malloc (L * d * sizeof *bd);
  if (pca != NULL)
    {
      pca->mean = malloc (d * sizeof *pca->mean);
      pca->components = malloc ((size_t) k * d * sizeof *pca->components);
      pca->variance = malloc ((size_t) k * sizeof *pca->variance);
    }
  if (pca == NULL || mean == NULL || meanf == NULL || omega == NULL || q == NULL || row_l == NULL
      || scratch == NULL || gram == NULL || vectors == NULL || values == NULL || bd == NULL
      || pca->mean == NULL || pca->components == NULL || pca->variance == NULL)
    {
      status = ae_error_set (err, AE_ERR_NOMEM, "PCA: out of memory for %d features", dim);
      goto done;
    }

  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < d; j++)
      mean[j] += x[i * d + j];
  for (size_t j = 0; j < d; j++)
    meanf[j] = (float) (mean[j] /= (double) n);
  double total = 0.0;
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < d; j++)
      {
        double v = (double) x[i * d + j] - mean[j];
        total += v * v;
      }

  /* A fixed seed: the same data gives the same components. */
  AeRng rng;
  ae_rng_seed (&rng, 0x9ca);
  for (size_t i = 0; i < d * L; i++)
    omega[i] = ae_rng_normal (&rng);
  centred_times (q, x, meanf, omega, n, dim, l, row_l);
  orthonormalise_columns (q, n, l, scratch);
  for (int it = 0; it < RSVD_POWER_ITERATIONS; it++)
    {
      centred_transpose_times (omega, x, meanf, q, n, dim, l, row_l);
      orthonormalise_columns (omega, dim, l, scratch);
      centred_times (q, x, meanf, omega, n, dim, l, row_l);
      orthonormalise_columns (q, n, l, scratch);
    }
  /* B = Q^T Xc (l, dim), kept as its transpose (dim, l) in omega, then in double. */
  centred_transpose_times (omega, x, meanf, q, n, dim, l, row_l);
  for (size_t j = 0; j < d; j++)
    for (size_t c = 0; c < L; c++)
      bd[c * d + j] = omega[j * L + c];
  /* The eigenvectors u of B B^T (l, l) give B's right singular vectors B^T u / s. */
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, l, l, dim, 1.0, bd, dim, bd, dim, 0.0,
               gram, l);
  status = pca_top_eigen (vectors, values, gram, l, k, err);
  if (status != AE_OK)
    goto done;

  pca->dim = dim;
  pca->k = k;
  pca->total_variance = total / (double) (n - 1);
  for (size_t j = 0; j < d; j++)
    pca->mean[j] = meanf[j];
  for (int i = 0; i < k; i++)
    {
      double *v = scratch; /* (dim) */
      cblas_dgemv (CblasRowMajor, CblasTrans, l, dim, 1.0, bd, dim, vectors + (size_t) i * L, 1,
                   0.0, v, 1);
      double norm = cblas_dnrm2 (dim, v, 1);
      if (norm > 0.0)
        cblas_dscal (dim, 1.0 / norm, v, 1);
      pca_fix_sign (v, dim);
      for (size_t j = 0; j < d; j++)
        pca->components[(size_t) i * d + j] = (float) v[j];
      pca->variance[i] = (float) (fmax (values[i], 0.0) / (double) (n - 1));
    }
  *out = pca;
  pca = NULL;

done:
  ae_pca_free (pca);
  free (mean);
  free (meanf);
  free (omega);
  free (q);
  free (row_l);
  free (scratch);
  free (gram);
  free (vectors);
  free (values);
  free (bd);
  return status;
}

AeStatus
ae_pca_fit_randomized (AePca **out, const float *x, long n, int dim, int k, AeError *err)
{
  *out = NULL;
  AeStatus status = pca_check_args (x, n, dim, k, err);
  return status != AE_OK ? status : pca_fit_randomized (out, x, n, dim, k, err);
}

void
ae_pca_project (const AePca *pca, float *codes, const float *x, long n, int k)
{
  assert (k >= 1 && k <= pca->k);
  if (n <= 0)
    return;
  /* codes = x C^T - mean C^T: start every row at -mean C^T, then add x C^T (beta = 1), so
   * no centred copy of x is needed. */
  for (int c = 0; c < k; c++)
    codes[c] = -cblas_sdot (pca->dim, pca->mean, 1, pca->components + (size_t) c * pca->dim, 1);
  for (long i = 1; i < n; i++)
    memcpy (codes + (size_t) i * (size_t) k, codes, (size_t) k * sizeof *codes);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) n, k, pca->dim, 1.0f, x, pca->dim,
               pca->components, pca->dim, 1.0f, codes, k);
}

void
ae_pca_reconstruct (const AePca *pca, float *out, const float *codes, long n, int k)
{
  assert (k >= 1 && k <= pca->k);
  if (n <= 0)
    return;
  size_t d = (size_t) pca->dim;
  for (long i = 0; i < n; i++)
    memcpy (out + (size_t) i * d, pca->mean, d * sizeof *out);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) n, pca->dim, k, 1.0f, codes, k,
               pca->components, pca->dim, 1.0f, out, pca->dim);
}
