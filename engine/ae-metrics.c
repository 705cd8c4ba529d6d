/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-metrics.c: image quality (PSNR, SSIM), anomaly ranking (AUROC, ROC), latent-space
 * quality (k-NN accuracy) and subspace comparison (principal angles). */
#include "ae-math.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK's SVD as exported by libopenblas (Fortran convention, hidden character lengths). */
extern void dgesvd_ (const char *jobu, const char *jobvt, const int *m, const int *n, double *a,
                     const int *lda, double *s, double *u, const int *ldu, double *vt,
                     const int *ldvt, double *work, const int *lwork, int *info,
                     size_t jobu_len, size_t jobvt_len);

/* --- PSNR and SSIM ---------------------------------------------------------------------- */

double
ae_psnr (const float *a, const float *b, long n)
{
  if (n <= 0)
    return NAN;
  double sum = 0.0;
  for (long i = 0; i < n; i++)
    {
      double d = (double) a[i] - (double) b[i];
      sum += d * d;
    }
  double mse = sum / (double) n;
  if (isnan (mse))
    return NAN;
  /* Peak 1: PSNR = 10 log10 (1 / mse); identical images would be infinite. */
  return mse > 0.0 ? fmin (99.0, -10.0 * log10 (mse)) : 99.0;
}

double
ae_sse_per_row (const float *a, const float *b, long n, int dim)
{
  if (n <= 0)
    return NAN;
  double total = 0.0;
  for (long i = 0; i < n * (long) dim; i++)
    {
      double d = (double) a[i] - (double) b[i];
      total += d * d;
    }
  return total / (double) n;
}

enum { SSIM_RADIUS = 5 }; /* window 11 */
#define SSIM_SIGMA 1.5
#define SSIM_C1 (0.01 * 0.01) /* (K1 L)^2 with L = 1 */
#define SSIM_C2 (0.03 * 0.03) /* (K2 L)^2 */

/* One pass of the separable, border-clipped Gaussian: out (h, w) = weighted mean along x
 * (step 1) or y (step w) of in, with the weights renormalised over the part of the window
 * inside the image. Because the 2-D window is the product of two 1-D ones, renormalising
 * each pass renormalises the clipped 2-D window. */
static void
ssim_filter_pass (double *out, const double *in, int w, int h, int along_x,
                  const double *kernel)
{
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int pos = along_x ? x : y, len = along_x ? w : h;
        double sum = 0.0, weight = 0.0;
        for (int t = -SSIM_RADIUS; t <= SSIM_RADIUS; t++)
          {
            int p = pos + t;
            if (p < 0 || p >= len)
              continue;
            double v = along_x ? in[(size_t) y * w + p] : in[(size_t) p * w + x];
            sum += kernel[t + SSIM_RADIUS] * v;
            weight += kernel[t + SSIM_RADIUS];
          }
        out[(size_t) y * w + x] = sum / weight;
      }
}

double
ae_ssim (const float *a, const float *b, int w, int h)
{
  if (w <= 0 || h <= 0)
    return NAN;
  double kernel[2 * SSIM_RADIUS + 1];
  for (int t = -SSIM_RADIUS; t <= SSIM_RADIUS; t++)
    kernel[t + SSIM_RADIUS] = exp (-(double) (t * t) / (2.0 * SSIM_SIGMA * SSIM_SIGMA));

  /* Five local moments: E[a], E[b], E[a^2], E[b^2], E[ab], each an (h, w) map. */
  size_t np = (size_t) w * (size_t) h;
  double *maps = malloc (5 * np * sizeof *maps);
  double *tmp = malloc (np * sizeof *tmp);
  if (maps == NULL || tmp == NULL)
    {
      free (maps);
      free (tmp);
      return NAN;
    }
  for (size_t i = 0; i < np; i++)
    {
      double va = a[i], vb = b[i];
      maps[0 * np + i] = va;
      maps[1 * np + i] = vb;
      maps[2 * np + i] = va * va;
      maps[3 * np + i] = vb * vb;
      maps[4 * np + i] = va * vb;
    }
  for (int m = 0; m < 5; m++)
    {
      ssim_filter_pass (tmp, maps + m * np, w, h, 1, kernel);
      ssim_filter_pass (maps + m * np, tmp, w, h, 0, kernel);
    }
  double total = 0.0;
  for (size_t i = 0; i < np; i++)
    {
      double mu_a = maps[i], mu_b = maps[np + i];
      double var_a = maps[2 * np + i] - mu_a * mu_a;
      double var_b = maps[3 * np + i] - mu_b * mu_b;
      double cov = maps[4 * np + i] - mu_a * mu_b;
      total += ((2.0 * mu_a * mu_b + SSIM_C1) * (2.0 * cov + SSIM_C2))
               / ((mu_a * mu_a + mu_b * mu_b + SSIM_C1) * (var_a + var_b + SSIM_C2));
    }
  free (maps);
  free (tmp);
  return total / (double) np;
}

/* --- AUROC and ROC ---------------------------------------------------------------------- */

typedef struct {
  float score;
  uint8_t positive;
} ScoredLabel;

static int
scored_label_compare (const void *pa, const void *pb)
{
  float a = ((const ScoredLabel *) pa)->score, b = ((const ScoredLabel *) pb)->score;
  return (a > b) - (a < b);
}

/* Scores sorted ascending with their labels, and the class sizes; NULL when a score is NaN,
 * either class is empty, or memory is short. */
static ScoredLabel *
sorted_scores (const float *scores, const uint8_t *labels, long n, long *n_pos, long *n_neg)
{
  *n_pos = *n_neg = 0;
  if (n <= 0)
    return NULL;
  ScoredLabel *items = malloc ((size_t) n * sizeof *items);
  if (items == NULL)
    return NULL;
  for (long i = 0; i < n; i++)
    {
      if (isnan (scores[i]))
        {
          free (items);
          return NULL;
        }
      items[i].score = scores[i];
      items[i].positive = labels[i] != 0;
      *n_pos += items[i].positive;
    }
  *n_neg = n - *n_pos;
  if (*n_pos == 0 || *n_neg == 0)
    {
      free (items);
      return NULL;
    }
  qsort (items, (size_t) n, sizeof *items, scored_label_compare);
  return items;
}

double
ae_auroc (const float *scores, const uint8_t *labels, long n)
{
  long n_pos, n_neg;
  ScoredLabel *items = sorted_scores (scores, labels, n, &n_pos, &n_neg);
  if (items == NULL)
    return NAN;
  /* Mann-Whitney: each (positive, negative) pair scores 1 when the positive is higher and
   * one half when tied. Walk the groups of equal scores upwards. */
  double pairs = 0.0;
  long neg_below = 0;
  for (long i = 0; i < n;)
    {
      long group_pos = 0, group_neg = 0, j = i;
      for (; j < n && items[j].score == items[i].score; j++)
        {
          group_pos += items[j].positive;
          group_neg += !items[j].positive;
        }
      pairs += (double) group_pos * ((double) neg_below + 0.5 * (double) group_neg);
      neg_below += group_neg;
      i = j;
    }
  free (items);
  return pairs / ((double) n_pos * (double) n_neg);
}

long
ae_roc_curve (const float *scores, const uint8_t *labels, long n, float *fpr, float *tpr)
{
  long n_pos, n_neg;
  ScoredLabel *items = sorted_scores (scores, labels, n, &n_pos, &n_neg);
  if (items == NULL)
    return 0;
  /* Lower the threshold one distinct score at a time, from the top. */
  long count = 0, tp = 0, fp = 0;
  fpr[count] = 0.0f;
  tpr[count++] = 0.0f;
  for (long i = n - 1; i >= 0;)
    {
      long j = i;
      for (; j >= 0 && items[j].score == items[i].score; j--)
        {
          tp += items[j].positive;
          fp += !items[j].positive;
        }
      fpr[count] = (float) ((double) fp / (double) n_neg);
      tpr[count++] = (float) ((double) tp / (double) n_pos);
      i = j;
    }
  free (items);
  return count;
}

/* --- k-NN accuracy ---------------------------------------------------------------------- */

/* Queries per sgemm: at most 256, and the (queries, nr) block of dot products within 64 MiB. */
enum { KNN_MAX_BLOCK = 256, KNN_BLOCK_FLOATS = 16 << 20 };

/* Squared distances from query points to every reference point, a block of queries at a
 * time: |q - r|^2 = |q|^2 + |r|^2 - 2 q.r, with the dot products of a block from one sgemm.
 * |q|^2 is the same for every candidate of a query, so knn_scan_dist leaves it out. */
typedef struct {
  const float *query, *ref;
  long nq, nr;
  int dim;
  long block;       /* query rows per sgemm */
  float *ref_norms; /* (nr) |r|^2 */
  float *dots;      /* (block, nr) q r^T of the current block */
} KnnScan;

/* False when out of memory (knn_scan_clear still frees what was taken). */
static int
knn_scan_init (KnnScan *scan, const float *query, long nq, const float *ref, long nr, int dim)
{
  long block = KNN_BLOCK_FLOATS / nr;
  *scan = (KnnScan){ query, ref, nq, nr, dim,
                     block < 1 ? 1 : block > KNN_MAX_BLOCK ? KNN_MAX_BLOCK : block, NULL, NULL };
  scan->ref_norms = malloc ((size_t) nr * sizeof *scan->ref_norms);
  scan->dots = malloc ((size_t) scan->block * (size_t) nr * sizeof *scan->dots);
  if (scan->ref_norms == NULL || scan->dots == NULL)
    return 0;
  for (long r = 0; r < nr; r++)
    {
      const float *row = ref + (size_t) r * (size_t) dim;
      scan->ref_norms[r] = cblas_sdot (dim, row, 1, row, 1);
    }
  return 1;
}

/* The dot products of the queries from start on (a block of them); returns how many rows. */
static int
knn_scan_block (KnnScan *scan, long start)
{
  int rows = (int) (scan->nq - start < scan->block ? scan->nq - start : scan->block);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, (int) scan->nr, scan->dim, 1.0f,
               scan->query + (size_t) start * (size_t) scan->dim, scan->dim, scan->ref, scan->dim,
               0.0f, scan->dots, (int) scan->nr);
  return rows;
}

/* |q - r|^2 - |q|^2 for row i of the current block and reference point r. */
static inline float
knn_scan_dist (const KnnScan *scan, int i, long r)
{
  return scan->ref_norms[r] - 2.0f * scan->dots[(size_t) i * (size_t) scan->nr + (size_t) r];
}

static void
knn_scan_clear (KnnScan *scan)
{
  free (scan->ref_norms);
  free (scan->dots);
}

/* Inserts (dist, index) into the ascending list best[0..*count) of at most k entries; equal
 * distances keep the lower index first, so results do not depend on scan order. */
static void
knn_insert (float *best_dist, long *best_index, int *count, int k, float dist, long index)
{
  int pos = *count;
  if (pos == k)
    {
      if (dist >= best_dist[k - 1])
        return;
      pos = k - 1;
    }
  else
    (*count)++;
  while (pos > 0 && best_dist[pos - 1] > dist)
    {
      best_dist[pos] = best_dist[pos - 1];
      best_index[pos] = best_index[pos - 1];
      pos--;
    }
  best_dist[pos] = dist;
  best_index[pos] = index;
}

/* The majority label of the neighbours, nearest first; a tie goes to the label seen first. */
static int
knn_vote (const long *neighbours, int count, const int *ref_labels)
{
  int best_label = ref_labels[neighbours[0]], best_votes = 0;
  for (int i = 0; i < count; i++)
    {
      int label = ref_labels[neighbours[i]], votes = 0;
      for (int j = 0; j < count; j++)
        votes += ref_labels[neighbours[j]] == label;
      if (votes > best_votes)
        {
          best_votes = votes;
          best_label = label;
        }
    }
  return best_label;
}

int
ae_knn_search (long *indices, float *dist2, const float *query, long nq, const float *ref,
               long nr, int dim, int k)
{
  int leave_one_out = query == ref;
  long candidates = leave_one_out ? nr - 1 : nr;
  if (nq <= 0 || dim <= 0 || k <= 0 || candidates <= 0 || (leave_one_out && nq != nr))
    return 0;
  if (k > candidates)
    k = (int) candidates;

  KnnScan scan;
  float *best_dist = malloc ((size_t) k * sizeof *best_dist);
  int found = 0;
  if (!knn_scan_init (&scan, query, nq, ref, nr, dim) || best_dist == NULL)
    goto done;
  for (long start = 0; start < nq; start += scan.block)
    {
      int rows = knn_scan_block (&scan, start);
      for (int i = 0; i < rows; i++)
        {
          long q = start + i;
          long *best_index = indices + (size_t) q * (size_t) k;
          int count = 0;
          for (long r = 0; r < nr; r++)
            if (!(leave_one_out && r == q))
              knn_insert (best_dist, best_index, &count, k, knn_scan_dist (&scan, i, r), r);
          if (dist2 != NULL)
            {
              /* |q|^2 only for the k kept */
              const float *qrow = query + (size_t) q * (size_t) dim;
              float qnorm = cblas_sdot (dim, qrow, 1, qrow, 1);
              for (int j = 0; j < k; j++)
                dist2[(size_t) q * (size_t) k + (size_t) j] = fmaxf (best_dist[j] + qnorm, 0.0f);
            }
        }
    }
  found = k;

done:
  knn_scan_clear (&scan);
  free (best_dist);
  return found;
}

double
ae_knn_accuracy (const float *query, const int *query_labels, long nq, const float *ref,
                 const int *ref_labels, long nr, int dim, int k)
{
  if (nq <= 0 || k <= 0 || nr > INT32_MAX)
    return NAN;
  long *neighbours = malloc ((size_t) nq * (size_t) k * sizeof *neighbours);
  double accuracy = NAN;
  int found = neighbours != NULL ? ae_knn_search (neighbours, NULL, query, nq, ref, nr, dim, k)
                                 : 0;
  if (found > 0)
    {
      long correct = 0;
      for (long q = 0; q < nq; q++)
        correct += knn_vote (neighbours + (size_t) q * (size_t) found, found, ref_labels)
                   == query_labels[q];
      accuracy = (double) correct / (double) nq;
    }
  free (neighbours);
  return accuracy;
}

/* --- principal angles ------------------------------------------------------------------- */

/* Singular values of the column-major m x n matrix a (overwritten), descending, into s
 * (min(m, n)); with u != NULL also the left singular vectors (m, min(m, n)), column-major. */
static int
svd (double *s, double *u, double *a, int m, int n)
{
  int ldu = m, one = 1, lwork = -1, info = 0;
  double work_query = 0.0, unused = 0.0;
  const char *jobu = u != NULL ? "S" : "N";
  dgesvd_ (jobu, "N", &m, &n, a, &m, s, u != NULL ? u : &unused, &ldu, &unused, &one,
           &work_query, &lwork, &info, 1, 1);
  if (info != 0)
    return info;
  lwork = (int) work_query;
  double *work = malloc ((size_t) lwork * sizeof *work);
  if (work == NULL)
    return -1;
  dgesvd_ (jobu, "N", &m, &n, a, &m, s, u != NULL ? u : &unused, &ldu, &unused, &one, work,
           &lwork, &info, 1, 1);
  free (work);
  return info;
}

/* q (dim, k) column-major = an orthonormal basis of the columns of the row-major a (dim, k),
 * from its left singular vectors; returns 0, or -1 when a lacks full column rank. */
static int
orthonormal_basis (double *q, double *scratch, double *s, const float *a, int dim, int k)
{
  for (int i = 0; i < dim; i++)
    for (int j = 0; j < k; j++)
      scratch[(size_t) j * dim + i] = a[(size_t) i * k + j];
  if (svd (s, q, scratch, dim, k) != 0)
    return -1;
  /* Columns that are (numerically) dependent would add arbitrary directions to the basis. */
  if (!(s[0] > 0.0) || s[k - 1] <= s[0] * (double) dim * FLT_EPSILON)
    return -1;
  return 0;
}

double
ae_principal_angles (const float *a, int ka, const float *b, int kb, int dim, double *angles)
{
  if (ka < 1 || kb < 1 || ka > dim || kb > dim)
    return NAN;
  int kmin = ka < kb ? ka : kb;
  for (int i = 0; i < kmin; i++)
    angles[i] = NAN;

  size_t d = (size_t) dim;
  double *qa = malloc (d * (size_t) ka * sizeof *qa);
  double *qb = malloc (d * (size_t) kb * sizeof *qb);
  double *scratch = malloc (d * (size_t) (ka > kb ? ka : kb) * sizeof *scratch);
  double *s = malloc ((size_t) (ka > kb ? ka : kb) * sizeof *s);
  double *m = malloc ((size_t) ka * (size_t) kb * sizeof *m);
  double largest = NAN;
  if (qa == NULL || qb == NULL || scratch == NULL || s == NULL || m == NULL)
    goto done;
  if (orthonormal_basis (qa, scratch, s, a, dim, ka) != 0
      || orthonormal_basis (qb, scratch, s, b, dim, kb) != 0)
    goto done;

  /* m (ka, kb) column-major = qa^T qb; its singular values are the cosines of the angles. */
  cblas_dgemm (CblasColMajor, CblasTrans, CblasNoTrans, ka, kb, dim, 1.0, qa, dim, qb, dim, 0.0,
               m, ka);
  if (svd (s, NULL, m, ka, kb) != 0)
    goto done;
  for (int i = 0; i < kmin; i++)
    {
      double cosine = fmin (1.0, fmax (0.0, s[i]));
      angles[i] = acos (cosine) * (180.0 / M_PI);
    }
  largest = angles[kmin - 1];

done:
  free (qa);
  free (qb);
  free (scratch);
  free (s);
  free (m);
  return largest;
}

/* --- trustworthiness -------------------------------------------------------------------- */

double
ae_trustworthiness (const float *x, int dim, const float *y, int ydim, long n, int k)
{
  if (n < 2 || dim <= 0 || ydim <= 0 || k <= 0 || 2 * (long) k >= n || n > INT32_MAX)
    return NAN;
  long *embedded = malloc ((size_t) n * (size_t) k * sizeof *embedded);
  long *original = malloc ((size_t) n * (size_t) k * sizeof *original);
  KnnScan scan;
  double result = NAN;
  if (!knn_scan_init (&scan, x, n, x, n, dim) || embedded == NULL || original == NULL
      || ae_knn_search (embedded, NULL, y, n, y, n, ydim, k) != k
      || ae_knn_search (original, NULL, x, n, x, n, dim, k) != k)
    goto done;

  /* Each neighbour in the plane that is not among the k nearest in the original space costs
   * its rank there beyond k; the rank is 1 + the number of points strictly nearer. */
  double penalty = 0;
  for (long start = 0; start < n; start += scan.block)
    {
      int rows = knn_scan_block (&scan, start);
      for (int r = 0; r < rows; r++)
        {
          long i = start + r;
          for (int a = 0; a < k; a++)
            {
              long j = embedded[(size_t) i * (size_t) k + (size_t) a];
              int kept = 0;
              for (int b = 0; b < k && !kept; b++)
                kept = original[(size_t) i * (size_t) k + (size_t) b] == j;
              if (kept)
                continue;
              float dj = knn_scan_dist (&scan, r, j);
              long rank = 1;
              for (long m = 0; m < n; m++)
                if (m != i && m != j && knn_scan_dist (&scan, r, m) < dj)
                  rank++;
              penalty += (double) (rank - k);
            }
        }
    }
  result = 1.0 - 2.0 / ((double) n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty;

done:
  free (embedded);
  free (original);
  knn_scan_clear (&scan);
  return result;
}
