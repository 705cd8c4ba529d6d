/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-tsne.c: t-SNE with exact or Barnes-Hut gradients (see ae-tsne.h). */
#include "ae-tsne.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ae-math.h"
#include "ae-rng.h"

#define TSNE_MAX_THREADS 16
#define TSNE_MIN_GAIN 0.01
#define TSNE_CALIBRATION_STEPS 100
#define TSNE_TREE_MAX_DEPTH 40

/* Quadtree cell: the centre of mass of its points, and either four children (first_child,
 * consecutive) or, for a leaf, a range of the order array. */
typedef struct {
  double com_x, com_y;
  double x0, y0, size; /* square cell: corner and side */
  int count;
  int first_child;     /* -1 for a leaf */
  int begin, end;      /* leaf's points: order[begin..end) */
} TsneNode;

struct AeTsne {
  long n;
  AeTsneOptions options;
  int exact;
  int exaggerate;       /* iterations with exaggerated P */
  int done;
  double learning_rate;

  /* joint P, symmetric, in CSR form: row i holds cols[row_start[i]..row_start[i + 1]) */
  long *row_start;
  int *cols;
  double *vals;

  double *y, *grad, *update, *gains; /* (n, 2) each */
  double *rep, *z_part;              /* (n, 2) repulsion, (n) partial normalisation */

  TsneNode *nodes;
  int n_nodes, cap_nodes;
  int *order, *scratch;
};

void
ae_tsne_options_default (AeTsneOptions *options)
{
  *options = (AeTsneOptions) {
    .perplexity = 30,
    .iterations = 1000,
    .exaggeration_iterations = 250,
    .exaggeration = 12,
    .learning_rate = 0,
    .theta = 0.5,
    .exact_max = AE_TSNE_EXACT_MAX,
    .seed = 1,
    .threads = 1,
  };
}

/* --- input affinities ------------------------------------------------------------------- */

/* p (k) = the conditional affinities for squared distances d2 (k, ascending), with the
 * Gaussian's precision found by bisection so that exp(entropy) = perplexity. */
static void
calibrate_row (double *p, const float *d2, int k, double perplexity)
{
  double target = log (perplexity), beta = 1, lo = 0, hi = INFINITY;
  double shift = d2[0];

  for (int step = 0; step < TSNE_CALIBRATION_STEPS; step++)
    {
      double sum = 0, weighted = 0;
      for (int j = 0; j < k; j++)
        {
          double d = d2[j] - shift;
          p[j] = exp (-beta * d);
          sum += p[j];
          weighted += d * p[j];
        }
      double entropy = log (sum) + beta * weighted / sum;
      for (int j = 0; j < k; j++)
        p[j] /= sum;
      if (fabs (entropy - target) < 1e-5)
        break;
      if (entropy > target)
        {
          lo = beta;
          beta = isinf (hi) ? beta * 2 : (beta + hi) / 2;
        }
      else
        {
          hi = beta;
          beta = (beta + lo) / 2;
        }
    }
}

typedef struct {
  int col;
  double val;
} TsneEntry;

static int
entry_compare (const void *a, const void *b)
{
  int ca = ((const TsneEntry *) a)->col, cb = ((const TsneEntry *) b)->col;
  return (ca > cb) - (ca < cb);
}

/* P_ij = (p_j|i + p_i|j) / 2n over the k nearest neighbours of each point. */
static AeStatus
build_affinities (AeTsne *t, const float *x, int dim, int k, AeError *err)
{
  long n = t->n;
  long *nbr = malloc ((size_t) n * (size_t) k * sizeof *nbr);
  float *d2 = malloc ((size_t) n * (size_t) k * sizeof *d2);
  double *cond = malloc ((size_t) n * (size_t) k * sizeof *cond);
  long *count = calloc ((size_t) n + 1, sizeof *count);
  TsneEntry *entries = malloc ((size_t) n * (size_t) k * 2 * sizeof *entries);
  AeStatus status = AE_ERR_NOMEM;

  if (nbr == NULL || d2 == NULL || cond == NULL || count == NULL || entries == NULL)
    goto done;
  if (ae_knn_search (nbr, d2, x, n, x, n, dim, k) != k)
    goto done;
  for (long i = 0; i < n; i++)
    calibrate_row (cond + (size_t) i * k, d2 + (size_t) i * k, k, t->options.perplexity);

  /* each conditional affinity lands in row i and in row j */
  for (long i = 0; i < n; i++)
    for (int a = 0; a < k; a++)
      {
        count[i + 1]++;
        count[nbr[(size_t) i * k + a] + 1]++;
      }
  for (long i = 0; i < n; i++)
    count[i + 1] += count[i];
  {
    long *fill = malloc ((size_t) n * sizeof *fill);
    if (fill == NULL)
      goto done;
    memcpy (fill, count, (size_t) n * sizeof *fill);
    for (long i = 0; i < n; i++)
      for (int a = 0; a < k; a++)
        {
          long j = nbr[(size_t) i * k + a];
          double v = cond[(size_t) i * k + a] / (2.0 * (double) n);
          entries[fill[i]++] = (TsneEntry) { (int) j, v };
          entries[fill[j]++] = (TsneEntry) { (int) i, v };
        }
    free (fill);
  }

  /* sort each row by column and merge the pairs that both points named */
  t->row_start = malloc (((size_t) n + 1) * sizeof *t->row_start);
  t->cols = malloc ((size_t) count[n] * sizeof *t->cols);
  t->vals = malloc ((size_t) count[n] * sizeof *t->vals);
  if (t->row_start == NULL || t->cols == NULL || t->vals == NULL)
    goto done;
  long out = 0;
  for (long i = 0; i < n; i++)
    {
      TsneEntry *row = entries + count[i];
      long len = count[i + 1] - count[i];
      qsort (row, (size_t) len, sizeof *row, entry_compare);
      t->row_start[i] = out;
      for (long e = 0; e < len; e++)
        {
          if (out > t->row_start[i] && t->cols[out - 1] == row[e].col)
            t->vals[out - 1] += row[e].val;
          else
            {
              t->cols[out] = row[e].col;
              t->vals[out] = row[e].val;
              out++;
            }
        }
    }
  t->row_start[n] = out;
  status = AE_OK;

done:
  if (status != AE_OK)
    ae_error_set (err, status, "t-SNE: out of memory for the affinities of %ld points", n);
  free (nbr);
  free (d2);
  free (cond);
  free (count);
  free (entries);
  return status;
}

/* --- Barnes-Hut quadtree ---------------------------------------------------------------- */

static int
tree_alloc (AeTsne *t, int count)
{
  if (t->n_nodes + count > t->cap_nodes)
    {
      int cap = t->cap_nodes * 2 > t->n_nodes + count ? t->cap_nodes * 2 : t->n_nodes + count;
      TsneNode *nodes = realloc (t->nodes, (size_t) cap * sizeof *nodes);
      if (nodes == NULL)
        return -1;
      t->nodes = nodes;
      t->cap_nodes = cap;
    }
  t->n_nodes += count;
  return t->n_nodes - count;
}

/* Fills node `index` with the points order[begin..end) inside its square. */
static int
tree_build (AeTsne *t, int index, int begin, int end, double x0, double y0, double size, int depth)
{
  const double *y = t->y;
  double cx = 0, cy = 0;

  for (int e = begin; e < end; e++)
    {
      cx += y[2 * t->order[e]];
      cy += y[2 * t->order[e] + 1];
    }
  TsneNode *node = &t->nodes[index];
  *node = (TsneNode) { .com_x = end > begin ? cx / (end - begin) : 0,
                       .com_y = end > begin ? cy / (end - begin) : 0,
                       .x0 = x0, .y0 = y0, .size = size, .count = end - begin,
                       .first_child = -1, .begin = begin, .end = end };
  if (end - begin <= 1 || depth >= TSNE_TREE_MAX_DEPTH)
    return 0;

  /* counting sort of the points into the four quadrants */
  double half = size / 2, mx = x0 + half, my = y0 + half;
  int bounds[5] = { 0 };
  for (int e = begin; e < end; e++)
    {
      int p = t->order[e];
      bounds[1 + (y[2 * p] >= mx) + 2 * (y[2 * p + 1] >= my)]++;
    }
  for (int q = 0; q < 4; q++)
    bounds[q + 1] += bounds[q];
  {
    int fill[4] = { bounds[0], bounds[1], bounds[2], bounds[3] };
    for (int e = begin; e < end; e++)
      {
        int p = t->order[e];
        t->scratch[begin + fill[(y[2 * p] >= mx) + 2 * (y[2 * p + 1] >= my)]++] = p;
      }
    memcpy (t->order + begin, t->scratch + begin, (size_t) (end - begin) * sizeof *t->order);
  }
  int first = tree_alloc (t, 4);
  if (first < 0)
    return -1;
  t->nodes[index].first_child = first;
  for (int q = 0; q < 4; q++)
    if (tree_build (t, first + q, begin + bounds[q], begin + bounds[q + 1], q & 1 ? mx : x0,
                    q & 2 ? my : y0, half, depth + 1) != 0)
      return -1;
  return 0;
}

static int
tree_rebuild (AeTsne *t)
{
  double lo_x = DBL_MAX, lo_y = DBL_MAX, hi_x = -DBL_MAX, hi_y = -DBL_MAX;

  for (long i = 0; i < t->n; i++)
    {
      lo_x = fmin (lo_x, t->y[2 * i]);
      hi_x = fmax (hi_x, t->y[2 * i]);
      lo_y = fmin (lo_y, t->y[2 * i + 1]);
      hi_y = fmax (hi_y, t->y[2 * i + 1]);
      t->order[i] = (int) i;
    }
  double size = fmax (hi_x - lo_x, hi_y - lo_y) * (1 + 1e-9) + 1e-12;
  t->n_nodes = 0;
  if (tree_alloc (t, 1) < 0)
    return -1;
  return tree_build (t, 0, 0, (int) t->n, lo_x, lo_y, size, 0);
}

/* --- gradient --------------------------------------------------------------------------- */

/* `mass` points at offset (dx, dy) from y_i: their w into z, their w^2 (y_i - y_j) into f. */
static inline void
add_repulsion (double dx, double dy, double mass, double *z, double *fx, double *fy)
{
  double w = 1 / (1 + dx * dx + dy * dy);
  *z += mass * w;
  *fx += mass * w * w * dx;
  *fy += mass * w * w * dy;
}

/* Repulsion on point i: rep = sum_j w_ij^2 (y_i - y_j), returns sum_j w_ij, with
 * w = 1 / (1 + |y_i - y_j|^2); far cells count as their centre of mass. */
static double
repulsion_tree (const AeTsne *t, long i, double *rep, int *stack)
{
  const double yi_x = t->y[2 * i], yi_y = t->y[2 * i + 1];
  double theta2 = t->options.theta * t->options.theta, z = 0, fx = 0, fy = 0;
  int top = 0;

  stack[top++] = 0;
  while (top > 0)
    {
      const TsneNode *node = &t->nodes[stack[--top]];
      double dx = yi_x - node->com_x, dy = yi_y - node->com_y, d2 = dx * dx + dy * dy;
      if (node->count == 1)
        {
          /* one point: its centre of mass is the point */
          if (t->order[node->begin] != i)
            add_repulsion (dx, dy, 1, &z, &fx, &fy);
        }
      else if (node->first_child < 0)
        {
          for (int e = node->begin; e < node->end; e++)
            {
              int j = t->order[e];
              if (j == i)
                continue;
              add_repulsion (yi_x - t->y[2 * j], yi_y - t->y[2 * j + 1], 1, &z, &fx, &fy);
            }
        }
      else if (node->size * node->size < theta2 * d2)
        add_repulsion (dx, dy, node->count, &z, &fx, &fy);
      else
        for (int q = 0; q < 4; q++)
          if (t->nodes[node->first_child + q].count > 0)
            stack[top++] = node->first_child + q;
    }
  rep[0] = fx;
  rep[1] = fy;
  return z;
}

static double
repulsion_exact (const AeTsne *t, long i, double *rep)
{
  const double yi_x = t->y[2 * i], yi_y = t->y[2 * i + 1];
  double z = 0, fx = 0, fy = 0;

  for (long j = 0; j < t->n; j++)
    {
      if (j == i)
        continue;
      add_repulsion (yi_x - t->y[2 * j], yi_y - t->y[2 * j + 1], 1, &z, &fx, &fy);
    }
  rep[0] = fx;
  rep[1] = fy;
  return z;
}

typedef struct {
  AeTsne *t;
  long begin, end;
  double exaggeration;
} TsneSlice;

/* Attraction into grad, repulsion into rep and z_part, for the slice's points. */
static void *
gradient_slice (void *data)
{
  TsneSlice *s = data;
  AeTsne *t = s->t;
  int *stack = t->exact ? NULL : malloc ((size_t) (4 * TSNE_TREE_MAX_DEPTH + 8) * sizeof *stack);

  for (long i = s->begin; i < s->end; i++)
    {
      double ax = 0, ay = 0, yi_x = t->y[2 * i], yi_y = t->y[2 * i + 1];
      for (long e = t->row_start[i]; e < t->row_start[i + 1]; e++)
        {
          long j = t->cols[e];
          double dx = yi_x - t->y[2 * j], dy = yi_y - t->y[2 * j + 1];
          double w = t->vals[e] / (1 + dx * dx + dy * dy);
          ax += w * dx;
          ay += w * dy;
        }
      t->grad[2 * i] = s->exaggeration * ax;
      t->grad[2 * i + 1] = s->exaggeration * ay;
      t->z_part[i] = stack != NULL ? repulsion_tree (t, i, t->rep + 2 * i, stack)
                                   : repulsion_exact (t, i, t->rep + 2 * i);
    }
  free (stack);
  return NULL;
}

/* grad = 4 (exaggeration * sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z).
 * Each point's sums are its own, and Z is added in point order, so the result does not depend
 * on the thread count. */
static int
compute_gradient (AeTsne *t, double exaggeration)
{
  if (!t->exact && tree_rebuild (t) != 0)
    return -1;

  int threads = t->options.threads < 1 ? 1 : t->options.threads > TSNE_MAX_THREADS
                                                 ? TSNE_MAX_THREADS : t->options.threads;
  if (threads > t->n / 64)
    threads = t->n / 64 > 0 ? (int) (t->n / 64) : 1;
  TsneSlice slices[TSNE_MAX_THREADS];
  pthread_t ids[TSNE_MAX_THREADS];
  int started[TSNE_MAX_THREADS] = { 0 };
  for (int k = 0; k < threads; k++)
    {
      slices[k] = (TsneSlice) { t, t->n * k / threads, t->n * (k + 1) / threads, exaggeration };
      if (k > 0)
        started[k] = pthread_create (&ids[k], NULL, gradient_slice, &slices[k]) == 0;
    }
  gradient_slice (&slices[0]);
  for (int k = 1; k < threads; k++)
    {
      if (started[k])
        pthread_join (ids[k], NULL);
      else
        gradient_slice (&slices[k]);
    }

  double z = 0;
  for (long i = 0; i < t->n; i++)
    z += t->z_part[i];
  for (long i = 0; i < 2 * t->n; i++)
    t->grad[i] = 4 * (t->grad[i] - t->rep[i] / z);
  return 0;
}

/* --- public ----------------------------------------------------------------------------- */

void
ae_tsne_free (AeTsne *tsne)
{
  if (tsne == NULL)
    return;
  free (tsne->row_start);
  free (tsne->cols);
  free (tsne->vals);
  free (tsne->y);
  free (tsne->grad);
  free (tsne->update);
  free (tsne->gains);
  free (tsne->rep);
  free (tsne->z_part);
  free (tsne->nodes);
  free (tsne->order);
  free (tsne->scratch);
  free (tsne);
}

static void
initial_plane (AeTsne *t, const float *x, int dim)
{
  AeRng rng;
  AePca *pca = NULL;
  AeError ignored = { 0 };
  long n = t->n;

  ae_rng_seed (&rng, t->options.seed);
  if (dim >= 2 && ae_pca_fit (&pca, x, n, dim, 2, &ignored) == AE_OK)
    {
      float *plane = malloc ((size_t) n * 2 * sizeof *plane);
      if (plane != NULL)
        {
          ae_pca_project (pca, plane, x, n, 2);
          double mean = 0, var = 0;
          for (long i = 0; i < n; i++)
            mean += plane[2 * i] / (double) n;
          for (long i = 0; i < n; i++)
            var += (plane[2 * i] - mean) * (plane[2 * i] - mean) / (double) n;
          double scale = var > 0 ? 1e-4 / sqrt (var) : 0;
          /* the jitter (a thousandth of the spread) separates duplicate points */
          for (long i = 0; i < 2 * n; i++)
            t->y[i] = plane[i] * scale + 1e-7 * ae_rng_normal (&rng);
          free (plane);
          ae_pca_free (pca);
          return;
        }
      ae_pca_free (pca);
    }
  for (long i = 0; i < 2 * n; i++)
    t->y[i] = 1e-4 * ae_rng_normal (&rng);
}

AeStatus
ae_tsne_new (AeTsne **out, const float *x, long n, int dim, const AeTsneOptions *options,
             const float *init, AeError *err)
{
  *out = NULL;
  if (n < 4 || n > INT32_MAX / 4 || dim < 1)
    return ae_error_set (err, AE_ERR_INVALID, "t-SNE: %ld points of %d values: need at least 4 "
                         "points and one value each", n, dim);
  if (!(options->perplexity > 0) || options->iterations < 0 || !(options->exaggeration > 0)
      || !(options->theta >= 0 && options->theta <= 0.7))
    return ae_error_set (err, AE_ERR_INVALID, "t-SNE: perplexity %g, iterations %d, "
                         "exaggeration %g, theta %g: expected perplexity > 0, iterations >= 0, "
                         "exaggeration > 0, theta in [0, 0.7]", options->perplexity,
                         options->iterations, options->exaggeration, options->theta);
  for (size_t i = 0; i < (size_t) n * (size_t) dim; i++)
    if (!isfinite (x[i]))
      return ae_error_set (err, AE_ERR_INVALID, "t-SNE: point %zu, value %zu is not finite",
                           i / (size_t) dim, i % (size_t) dim);

  AeTsne *t = calloc (1, sizeof *t);
  if (t == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "t-SNE: out of memory");
  t->n = n;
  t->options = *options;
  if (t->options.perplexity > (n - 1) / 3.0)
    t->options.perplexity = (n - 1) / 3.0;
  t->exact = n <= options->exact_max;
  t->exaggerate = init != NULL ? 0 : options->exaggeration_iterations;
  t->learning_rate = options->learning_rate > 0
                     ? options->learning_rate
                     : fmax (n / options->exaggeration / 4, 50);
  size_t pairs = (size_t) n * 2;
  t->y = malloc (pairs * sizeof *t->y);
  t->grad = malloc (pairs * sizeof *t->grad);
  t->update = calloc (pairs, sizeof *t->update);
  t->gains = malloc (pairs * sizeof *t->gains);
  t->rep = malloc (pairs * sizeof *t->rep);
  t->z_part = malloc ((size_t) n * sizeof *t->z_part);
  t->order = malloc ((size_t) n * sizeof *t->order);
  t->scratch = malloc ((size_t) n * sizeof *t->scratch);
  if (t->y == NULL || t->grad == NULL || t->update == NULL || t->gains == NULL || t->rep == NULL
      || t->z_part == NULL || t->order == NULL || t->scratch == NULL)
    {
      ae_tsne_free (t);
      return ae_error_set (err, AE_ERR_NOMEM, "t-SNE: out of memory for %ld points", n);
    }
  for (size_t i = 0; i < pairs; i++)
    t->gains[i] = 1;

  int k = t->exact ? (int) (n - 1) : (int) fmin ((double) (n - 1), floor (3 * t->options.perplexity));
  AeStatus status = build_affinities (t, x, dim, k, err);
  if (status != AE_OK)
    {
      ae_tsne_free (t);
      return status;
    }
  if (init != NULL)
    for (size_t i = 0; i < pairs; i++)
      t->y[i] = isfinite (init[i]) ? init[i] : 0;
  else
    initial_plane (t, x, dim);
  *out = t;
  return AE_OK;
}

int
ae_tsne_step (AeTsne *t, int steps)
{
  long n = t->n;

  for (int s = 0; s < steps && t->done < t->options.iterations; s++)
    {
      int early = t->done < t->exaggerate;
      double momentum = early ? 0.5 : 0.8;
      if (compute_gradient (t, early ? t->options.exaggeration : 1) != 0)
        break;
      double mean_x = 0, mean_y = 0;
      for (long i = 0; i < 2 * n; i++)
        {
          /* a gain grows while the gradient turns the step back, shrinks while it agrees */
          double g = t->grad[i];
          t->gains[i] = (g > 0) != (t->update[i] > 0) ? t->gains[i] + 0.2 : t->gains[i] * 0.8;
          if (t->gains[i] < TSNE_MIN_GAIN)
            t->gains[i] = TSNE_MIN_GAIN;
          t->update[i] = momentum * t->update[i] - t->learning_rate * t->gains[i] * g;
          t->y[i] += t->update[i];
        }
      for (long i = 0; i < n; i++)
        {
          mean_x += t->y[2 * i] / (double) n;
          mean_y += t->y[2 * i + 1] / (double) n;
        }
      for (long i = 0; i < n; i++)
        {
          t->y[2 * i] -= mean_x;
          t->y[2 * i + 1] -= mean_y;
        }
      t->done++;
    }
  return t->done;
}

int
ae_tsne_done (const AeTsne *tsne)
{
  return tsne->done;
}

long
ae_tsne_size (const AeTsne *tsne)
{
  return tsne->n;
}

void
ae_tsne_get (const AeTsne *tsne, float *y)
{
  for (long i = 0; i < 2 * tsne->n; i++)
    y[i] = (float) tsne->y[i];
}

void
ae_tsne_affinities (const AeTsne *tsne, double *p)
{
  long n = tsne->n;

  memset (p, 0, (size_t) n * (size_t) n * sizeof *p);
  for (long i = 0; i < n; i++)
    for (long e = tsne->row_start[i]; e < tsne->row_start[i + 1]; e++)
      p[(size_t) i * (size_t) n + (size_t) tsne->cols[e]] = tsne->vals[e];
}

void
ae_tsne_gradient (AeTsne *tsne, double *grad)
{
  if (compute_gradient (tsne, 1) == 0)
    memcpy (grad, tsne->grad, (size_t) tsne->n * 2 * sizeof *grad);
  else
    for (long i = 0; i < 2 * tsne->n; i++)
      grad[i] = NAN;
}

/* Z = sum over pairs i != j of 1 / (1 + |y_i - y_j|^2), every pair summed. */
static double
student_normaliser (const double *y, long n)
{
  double z = 0;

  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++)
      if (i != j)
        {
          double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
          z += 1 / (1 + dx * dx + dy * dy);
        }
  return z;
}

double
ae_tsne_cost (const AeTsne *tsne)
{
  long n = tsne->n;
  const double *y = tsne->y;
  double z = student_normaliser (y, n), cost = 0;

  for (long i = 0; i < n; i++)
    for (long e = tsne->row_start[i]; e < tsne->row_start[i + 1]; e++)
      {
        long j = tsne->cols[e];
        double p = tsne->vals[e];
        double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
        if (p > 0)
          cost += p * log (p * z * (1 + dx * dx + dy * dy));
      }
  return cost;
}

double
ae_tsne_exact_cost (double *grad, const double *p, const double *y, long n)
{
  double z = student_normaliser (y, n), cost = 0;

  for (long i = 0; i < n; i++)
    {
      double gx = 0, gy = 0;
      for (long j = 0; j < n; j++)
        {
          if (i == j)
            continue;
          double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
          double w = 1 / (1 + dx * dx + dy * dy), pij = p[(size_t) i * (size_t) n + (size_t) j];
          if (pij > 0)
            cost += pij * log (pij * z / w);
          gx += (pij - w / z) * w * dx;
          gy += (pij - w / z) * w * dy;
        }
      if (grad != NULL)
        {
          grad[2 * i] = 4 * gx;
          grad[2 * i + 1] = 4 * gy;
        }
    }
  return cost;
}

AeStatus
ae_tsne_run (float *y, const float *x, long n, int dim, const AeTsneOptions *options,
             const float *init, AeError *err)
{
  AeTsne *t = NULL;
  AeStatus status = ae_tsne_new (&t, x, n, dim, options, init, err);

  if (status != AE_OK)
    return status;
  ae_tsne_step (t, options->iterations);
  ae_tsne_get (t, y);
  ae_tsne_free (t);
  return AE_OK;
}

void
ae_tsne_align (float *y, const float *reference, long n)
{
  double my[2] = { 0 }, mr[2] = { 0 };

  if (n < 1)
    return;
  for (long i = 0; i < n; i++)
    for (int c = 0; c < 2; c++)
      {
        my[c] += y[2 * i + c] / (double) n;
        mr[c] += reference[2 * i + c] / (double) n;
      }
  /* m = A^T B for the centred planes; a row vector times R turns A onto B */
  double a = 0, b = 0, c = 0, d = 0;
  for (long i = 0; i < n; i++)
    {
      double ax = y[2 * i] - my[0], ay = y[2 * i + 1] - my[1];
      double bx = reference[2 * i] - mr[0], by = reference[2 * i + 1] - mr[1];
      a += ax * bx;
      b += ax * by;
      c += ay * bx;
      d += ay * by;
    }
  /* trace (R^T m) for a rotation [[cos, sin], [-sin, cos]] peaks at atan2 (b - c, a + d); for a
   * reflection [[cos, sin], [sin, -cos]] at atan2 (b + c, a - d): keep the better of the two */
  double rotation = hypot (a + d, b - c), reflection = hypot (a - d, b + c);
  double r[4];
  if (rotation >= reflection)
    {
      double angle = atan2 (b - c, a + d);
      r[0] = cos (angle), r[1] = sin (angle), r[2] = -sin (angle), r[3] = cos (angle);
    }
  else
    {
      double angle = atan2 (b + c, a - d);
      r[0] = cos (angle), r[1] = sin (angle), r[2] = sin (angle), r[3] = -cos (angle);
    }
  for (long i = 0; i < n; i++)
    {
      double ax = y[2 * i] - my[0], ay = y[2 * i + 1] - my[1];
      y[2 * i] = (float) (ax * r[0] + ay * r[2] + mr[0]);
      y[2 * i + 1] = (float) (ax * r[1] + ay * r[3] + mr[1]);
    }
}

double
ae_tsne_place_cost (double grad[2], const double point[2], const double *p, const long *neighbours,
                    int k, const float *y, long n)
{
  double attract = 0, z = 0, gz[2] = { 0, 0 }, ga[2] = { 0, 0 };

  for (long l = 0; l < n; l++)
    {
      double dx = point[0] - y[2 * l], dy = point[1] - y[2 * l + 1];
      double q = 1 / (1 + dx * dx + dy * dy);
      z += q;
      gz[0] += q * q * dx;
      gz[1] += q * q * dy;
    }
  for (int j = 0; j < k; j++)
    {
      double dx = point[0] - y[2 * neighbours[j]], dy = point[1] - y[2 * neighbours[j] + 1];
      double q = 1 / (1 + dx * dx + dy * dy);
      attract -= p[j] * log (q);
      ga[0] += p[j] * q * dx;
      ga[1] += p[j] * q * dy;
    }
  if (grad != NULL)
    for (int a = 0; a < 2; a++)
      grad[a] = 2 * ga[a] - 2 * gz[a] / z;
  return attract + log (z);
}

/* Steps of the descent that settles a placed point, and the step length (in plane units)
 * it gives up at. */
#define TSNE_PLACE_STEPS 100
#define TSNE_PLACE_MIN_STEP 1e-3

int
ae_tsne_place (float *point, const float *code, const float *codes, const float *y, long n,
               int dim, int k)
{
  if (n < 1 || k < 1)
    return 0;
  if (k > n)
    k = (int) n;
  long *nbr = malloc ((size_t) k * sizeof *nbr);
  float *d2 = malloc ((size_t) k * sizeof *d2);
  double *w = malloc ((size_t) k * sizeof *w);
  int ok = 0;

  if (nbr != NULL && d2 != NULL && w != NULL
      && (k = ae_knn_search (nbr, d2, code, 1, codes, n, dim, k)) > 0)
    {
      /* Start at the neighbour where the point's own t-SNE cost is lowest, not at their
       * mean: a class the plane splits into islands has its mean between them, among
       * another class. Then descend that cost with the plane held still. */
      double at[2], best = INFINITY, grad[2], step = 1;

      calibrate_row (w, d2, k, fmax (k / 3.0, 1.0));
      for (int j = 0; j < k; j++)
        {
          const double candidate[2] = { y[2 * nbr[j]], y[2 * nbr[j] + 1] };
          double cost = ae_tsne_place_cost (NULL, candidate, w, nbr, k, y, n);
          if (cost < best)
            {
              best = cost;
              at[0] = candidate[0];
              at[1] = candidate[1];
            }
        }
      for (int s = 0; s < TSNE_PLACE_STEPS && step > TSNE_PLACE_MIN_STEP; s++)
        {
          ae_tsne_place_cost (grad, at, w, nbr, k, y, n);
          double norm = hypot (grad[0], grad[1]);
          if (norm == 0)
            break;
          for (;;)
            {
              const double next[2] = { at[0] - step * grad[0] / norm, at[1] - step * grad[1] / norm };
              double cost = ae_tsne_place_cost (NULL, next, w, nbr, k, y, n);
              if (cost < best)
                {
                  best = cost;
                  at[0] = next[0];
                  at[1] = next[1];
                  step *= 1.5;
                  break;
                }
              step /= 2;
              if (step <= TSNE_PLACE_MIN_STEP)
                break;
            }
        }
      point[0] = (float) at[0];
      point[1] = (float) at[1];
      ok = 1;
    }
  free (nbr);
  free (d2);
  free (w);
  return ok;
}
