/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-measure.c: metrics for lesson checks (see lab-lesson-measure.h). */
#include "lab-lesson-measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-inspect.h"
#include "ae-math.h"
#include "ae-rng.h"

/* Samples for the Jacobian (its estimate encodes each 8 more times). */
#define MAX_JACOBIAN 500
/* Draws from the prior and midpoints of interpolations, each compared with its nearest
 * test image. */
#define N_GENERATED 100
/* A KL dimension below this (nats per sample) carries next to nothing. */
#define KL_QUIET_NATS 0.1
/* The corruption that denoising is measured with when the model was trained without one. */
#define DEFAULT_NOISE AE_NOISE_GAUSSIAN
#define DEFAULT_NOISE_LEVEL 0.3f
#define NOISE_SEED 0x5eed0f

const LabMetricInfo lab_metrics[] = {
  { "train_loss", "training loss", "The objective on the training split, mean of the last epoch." },
  { "val_loss", "validation loss", "The objective on the validation split after the last epoch." },
  { "epochs", "epochs trained", "Epochs trained since the model was created." },
  { "test_error", "test error", "Squared reconstruction error per test sample (summed over its values)." },
  { "pca_error", "PCA's test error", "The same error for PCA with as many components as the code has "
                                     "values, fitted on the training split." },
  { "pca_angle", "angle to PCA's subspace", "Largest principal angle, in degrees, between the "
                                            "decoder's subspace and PCA's of the same size (0: the same subspace)." },
  { "knn5_code", "5-NN accuracy of the codes", "Share of test samples whose 5 nearest codes mostly carry their label." },
  { "knn5_plane", "5-NN accuracy in the plane", "The same in the 2-D plane of the latent view (the first two "
                                                "principal components of the codes)." },
  { "knn5_pca_plane", "5-NN accuracy of PCA's plane", "The same for the raw data's first two principal components." },
  { "code_mean", "mean code activation", "Mean absolute value of the code over the test samples." },
  { "rho", "target activation rho", "The sparse model's target mean activation." },
  { "code_active", "share of active code values", "Share of code values whose magnitude is above 0.1." },
  { "jacobian", "encoder Jacobian norm", "Mean Frobenius norm of the encoder's Jacobian ||J_f(x)||_F: how "
                                         "much the code moves when the input moves a little." },
  { "psnr_noisy", "PSNR of the noisy input", "PSNR (dB) of corrupted test images (the model's noise, else "
                                             "Gaussian 0.3)." },
  { "psnr_model", "PSNR of the model's output", "PSNR (dB) of the model's reconstruction of the corrupted images." },
  { "psnr_median", "PSNR of a 3x3 median filter", "PSNR (dB) of a 3x3 median filter on the corrupted images." },
  { "kl", "KL to the prior", "A VAE's KL divergence from N(0, I), nats per test sample." },
  { "kl_quiet", "share of quiet code dimensions", "Share of a VAE's code dimensions that carry less than 0.1 nats." },
  { "prior_error", "error of samples from the prior", "Decode codes drawn from N(0, I): squared distance of each "
                                                      "to its nearest test image, mean." },
  { "interp_error", "error of interpolation midpoints", "Decode the midpoint between the codes of two test "
                                                        "samples of different classes: squared distance to "
                                                        "the nearest test image, mean." },
  { "auroc", "AUROC of the reconstruction error", "How well the reconstruction error ranks samples of the "
                                                  "other classes above the normal ones (0.5: chance, 1: perfect)." },
  { "pca_auroc", "PCA's AUROC", "The same for PCA's reconstruction error, fitted on the normal training samples." },
  { NULL, NULL, NULL },
};

int
lab_metric_find (const char *name)
{
  for (int i = 0; lab_metrics[i].name != NULL; i++)
    if (strcmp (lab_metrics[i].name, name) == 0)
      return i;
  return -1;
}

#define N_METRICS ((int) (sizeof lab_metrics / sizeof lab_metrics[0]) - 1)

struct LabMeasure {
  AeModel *model;
  const AeDataset *data;
  uint8_t *normal;
  int L, dim;
  long n;         /* test samples measured */
  float *x;       /* (n, dim) */
  int *labels;    /* (n) or NULL */
  float *codes;   /* (n, L), on demand */
  float *logvar;  /* (n, L) */
  AePca *pca;     /* of the training split, L components, on demand */
  int pca_tried;
  double values[N_METRICS];
  uint8_t known[N_METRICS];
};

LabMeasure *
lab_measure_new (AeModel *model, const AeDataset *data, const uint8_t *normal)
{
  LabMeasure *m = calloc (1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->model = model;
  m->data = data;
  m->L = ae_model_latent_dim (model);
  m->dim = data->dim;
  m->n = data->n_test < LAB_MEASURE_MAX_TEST ? data->n_test : LAB_MEASURE_MAX_TEST;
  m->x = malloc ((size_t) (m->n > 0 ? m->n : 1) * (size_t) m->dim * sizeof (float));
  if (normal != NULL && data->n_classes > 0)
    {
      m->normal = malloc ((size_t) data->n_classes);
      if (m->normal != NULL)
        memcpy (m->normal, normal, (size_t) data->n_classes);
    }
  if (data->labels != NULL)
    m->labels = malloc ((size_t) (m->n > 0 ? m->n : 1) * sizeof (int));
  if (m->x == NULL || (data->labels != NULL && m->labels == NULL)
      || (normal != NULL && data->n_classes > 0 && m->normal == NULL))
    {
      lab_measure_free (m);
      return NULL;
    }
  ae_dataset_gather (data, m->x, ae_dataset_test (data), m->n);
  for (long i = 0; m->labels != NULL && i < m->n; i++)
    m->labels[i] = data->labels[ae_dataset_test (data)[i]];
  return m;
}

void
lab_measure_free (LabMeasure *m)
{
  if (m == NULL)
    return;
  ae_model_free (m->model);
  ae_pca_free (m->pca);
  free (m->normal);
  free (m->x);
  free (m->labels);
  free (m->codes);
  free (m->logvar);
  free (m);
}

void
lab_measure_record (LabMeasure *m, const char *metric, double value)
{
  int i = lab_metric_find (metric);
  if (i >= 0)
    {
      m->values[i] = value;
      m->known[i] = 1;
    }
}

/* --- helpers ------------------------------------------------------------------------------- */

static double
sse (const float *a, const float *b, int dim)
{
  double s = 0.0;
  for (int j = 0; j < dim; j++)
    {
      double d = (double) a[j] - (double) b[j];
      s += d * d;
    }
  return s;
}

static double
mean_sse (const float *a, const float *b, long n, int dim)
{
  double total = 0.0;
  for (long i = 0; i < n; i++)
    total += sse (a + (size_t) i * dim, b + (size_t) i * dim, dim);
  return n > 0 ? total / (double) n : NAN;
}

static const float *
codes (LabMeasure *m)
{
  if (m->codes == NULL && m->n > 0 && m->L > 0)
    {
      m->codes = malloc ((size_t) m->n * (size_t) m->L * sizeof (float));
      m->logvar = malloc ((size_t) m->n * (size_t) m->L * sizeof (float));
      if (m->codes == NULL || m->logvar == NULL)
        {
          free (m->codes);
          free (m->logvar);
          m->codes = m->logvar = NULL;
          return NULL;
        }
      ae_model_encode (m->model, m->codes, m->logvar, m->x, m->n);
    }
  return m->codes;
}

/* PCA of the training split with as many components as the code has values. */
static const AePca *
pca (LabMeasure *m)
{
  if (!m->pca_tried)
    {
      long n = m->data->n_train < LAB_MEASURE_MAX_TRAIN ? m->data->n_train : LAB_MEASURE_MAX_TRAIN;
      float *train = malloc ((size_t) (n > 0 ? n : 1) * (size_t) m->dim * sizeof (float));
      m->pca_tried = 1;
      if (train != NULL && n >= 2 && m->L >= 1 && m->L <= m->dim)
        {
          ae_dataset_gather (m->data, train, ae_dataset_train (m->data), n);
          if (ae_pca_fit (&m->pca, train, n, m->dim, m->L, NULL) != AE_OK)
            m->pca = NULL;
        }
      free (train);
    }
  return m->pca;
}

/* PCA's reconstruction of x (n, dim) into out. */
static int
pca_reconstruct (const AePca *p, float *out, const float *x, long n)
{
  float *c = malloc ((size_t) n * (size_t) p->k * sizeof (float));
  if (c == NULL)
    return 0;
  ae_pca_project (p, c, x, n, p->k);
  ae_pca_reconstruct (p, out, c, n, p->k);
  free (c);
  return 1;
}

/* The first two principal components of points (n, d); the points themselves when d <= 2. */
static float *
plane (const float *points, long n, int d)
{
  float *xy = malloc ((size_t) n * 2 * sizeof (float));
  AePca *p = NULL;
  if (xy == NULL)
    return NULL;
  if (d <= 2)
    {
      for (long i = 0; i < n; i++)
        {
          xy[i * 2] = points[(size_t) i * d];
          xy[i * 2 + 1] = d == 2 ? points[(size_t) i * d + 1] : 0.0f;
        }
      return xy;
    }
  if (ae_pca_fit (&p, points, n, d, 2, NULL) != AE_OK)
    {
      free (xy);
      return NULL;
    }
  ae_pca_project (p, xy, points, n, 2);
  ae_pca_free (p);
  return xy;
}

static double
knn5 (const LabMeasure *m, const float *points, int d)
{
  if (m->labels == NULL || points == NULL || m->n < 6)
    return NAN;
  return ae_knn_accuracy (points, m->labels, m->n, points, m->labels, m->n, d, 5);
}

/* Mean over images (n, dim) of the squared distance to the nearest test image. */
static double
nearest_test_error (const LabMeasure *m, const float *images, long n)
{
  double total = 0.0;
  for (long i = 0; i < n; i++)
    {
      double best = INFINITY;
      for (long t = 0; t < m->n; t++)
        {
          double s = sse (images + (size_t) i * m->dim, m->x + (size_t) t * m->dim, m->dim);
          if (s < best)
            best = s;
        }
      total += best;
    }
  return n > 0 ? total / (double) n : NAN;
}

/* --- the metrics --------------------------------------------------------------------------- */

static double
measure_test_error (LabMeasure *m)
{
  float *out = malloc ((size_t) m->n * (size_t) m->dim * sizeof (float));
  double e = NAN;
  if (out != NULL && m->n > 0)
    {
      ae_model_reconstruct (m->model, out, m->x, m->n);
      e = mean_sse (m->x, out, m->n, m->dim);
    }
  free (out);
  return e;
}

static double
measure_pca_error (LabMeasure *m)
{
  const AePca *p = pca (m);
  float *out = malloc ((size_t) m->n * (size_t) m->dim * sizeof (float));
  double e = NAN;
  if (p != NULL && out != NULL && pca_reconstruct (p, out, m->x, m->n))
    e = mean_sse (m->x, out, m->n, m->dim);
  free (out);
  return e;
}

static double
measure_pca_angle (LabMeasure *m)
{
  const AePca *p = pca (m);
  return p != NULL ? ae_inspect_pca_angle (m->model, p) : NAN;
}

static double
measure_knn_plane (LabMeasure *m, int of_codes)
{
  float *xy;
  double acc;
  if (of_codes)
    {
      const float *c = codes (m);
      xy = c != NULL ? plane (c, m->n, m->L) : NULL;
    }
  else
    xy = plane (m->x, m->n, m->dim);
  acc = knn5 (m, xy, 2);
  free (xy);
  return acc;
}

static double
measure_code (LabMeasure *m, int active_share)
{
  const float *c = codes (m);
  double sum = 0.0;
  size_t count = (size_t) m->n * (size_t) m->L;
  if (c == NULL || count == 0)
    return NAN;
  for (size_t i = 0; i < count; i++)
    sum += active_share ? fabsf (c[i]) > 0.1f : fabsf (c[i]);
  return sum / (double) count;
}

static double
measure_jacobian (LabMeasure *m)
{
  long n = m->n < MAX_JACOBIAN ? m->n : MAX_JACOBIAN;
  float *norms = malloc ((size_t) (n > 0 ? n : 1) * sizeof (float));
  double sum = 0.0;
  if (norms == NULL || n == 0 || ae_inspect_jacobian_norms (m->model, norms, m->x, n, NULL) != AE_OK)
    {
      free (norms);
      return NAN;
    }
  for (long i = 0; i < n; i++)
    sum += norms[i];
  free (norms);
  return sum / (double) n;
}

/* The three PSNR figures at once: they share the corrupted images. */
static void
measure_psnr (LabMeasure *m)
{
  const AeConfig *cfg = ae_model_config (m->model);
  const AeDataset *d = m->data;
  size_t count = (size_t) m->n * (size_t) m->dim;
  float *noisy = malloc (count * sizeof (float)), *out = malloc (count * sizeof (float));
  AeNoise kind = cfg->noise != AE_NOISE_NONE ? cfg->noise : DEFAULT_NOISE;
  float level = cfg->noise != AE_NOISE_NONE ? cfg->noise_level : DEFAULT_NOISE_LEVEL;
  AeRng rng;
  int figures[3] = { lab_metric_find ("psnr_noisy"), lab_metric_find ("psnr_model"),
                     lab_metric_find ("psnr_median") };

  for (int i = 0; i < 3; i++)
    {
      m->known[figures[i]] = 1;
      m->values[figures[i]] = NAN;
    }
  if (noisy == NULL || out == NULL || m->n == 0 || d->kind != AE_DATA_IMAGES)
    {
      free (noisy);
      free (out);
      return;
    }
  memcpy (noisy, m->x, count * sizeof (float));
  ae_rng_seed (&rng, NOISE_SEED);
  ae_corrupt_samples (noisy, m->n, m->dim, kind, level, &rng);
  m->values[figures[0]] = ae_psnr (m->x, noisy, (long) count);
  ae_model_reconstruct (m->model, out, noisy, m->n);
  m->values[figures[1]] = ae_psnr (m->x, out, (long) count);
  if (d->channels == 1)
    {
      for (long i = 0; i < m->n; i++)
        ae_median3x3 (out + (size_t) i * m->dim, noisy + (size_t) i * m->dim, d->width, d->height);
      m->values[figures[2]] = ae_psnr (m->x, out, (long) count);
    }
  free (noisy);
  free (out);
}

/* Mean KL per test sample (quiet_share 0), or the share of dimensions below KL_QUIET_NATS. */
static double
measure_kl (LabMeasure *m, int quiet_share)
{
  const float *mu = codes (m);
  double total = 0.0;
  int quiet = 0;
  if (!ae_model_config (m->model)->variational || mu == NULL || m->n == 0)
    return NAN;
  for (int j = 0; j < m->L; j++)
    {
      double kl = 0.0;
      for (long i = 0; i < m->n; i++)
        {
          double u = mu[(size_t) i * m->L + j], lv = m->logvar[(size_t) i * m->L + j];
          kl += 0.5 * (u * u + exp (lv) - 1.0 - lv);
        }
      kl /= (double) m->n;
      total += kl;
      quiet += kl < KL_QUIET_NATS;
    }
  return quiet_share ? (double) quiet / m->L : total;
}

static double
measure_generated (LabMeasure *m, int midpoints)
{
  const float *c = codes (m);
  float *z = malloc ((size_t) N_GENERATED * (size_t) m->L * sizeof (float));
  float *images = malloc ((size_t) N_GENERATED * (size_t) m->dim * sizeof (float));
  double e = NAN;
  long made = 0;
  AeRng rng;
  if (c == NULL || z == NULL || images == NULL || m->n < 2)
    goto out;
  ae_rng_seed (&rng, NOISE_SEED);
  if (!midpoints)
    {
      for (size_t i = 0; i < (size_t) N_GENERATED * (size_t) m->L; i++)
        z[i] = ae_rng_normal (&rng);
      made = N_GENERATED;
    }
  else
    /* consecutive test samples of different classes (any two when unlabelled) */
    for (long i = 0; i + 1 < m->n && made < N_GENERATED; i += 2)
      if (m->labels == NULL || m->labels[i] != m->labels[i + 1])
        {
          for (int j = 0; j < m->L; j++)
            z[(size_t) made * m->L + j] = 0.5f * (c[(size_t) i * m->L + j] + c[(size_t) (i + 1) * m->L + j]);
          made++;
        }
  if (made > 0)
    {
      ae_model_decode (m->model, images, z, made);
      e = nearest_test_error (m, images, made);
    }
out:
  free (z);
  free (images);
  return e;
}

/* Scores are squared reconstruction errors; the anomalies are the test samples of classes
 * that are not normal. */
static double
measure_auroc (LabMeasure *m, int of_pca)
{
  float *out = malloc ((size_t) m->n * (size_t) m->dim * sizeof (float));
  float *scores = malloc ((size_t) (m->n > 0 ? m->n : 1) * sizeof (float));
  uint8_t *anomalous = malloc ((size_t) (m->n > 0 ? m->n : 1));
  double auroc = NAN;
  const AePca *p = of_pca ? pca (m) : NULL;
  if (m->normal == NULL || m->labels == NULL || out == NULL || scores == NULL || anomalous == NULL
      || (of_pca && p == NULL))
    goto out;
  if (of_pca)
    {
      if (!pca_reconstruct (p, out, m->x, m->n))
        goto out;
    }
  else
    ae_model_reconstruct (m->model, out, m->x, m->n);
  for (long i = 0; i < m->n; i++)
    {
      scores[i] = (float) sse (m->x + (size_t) i * m->dim, out + (size_t) i * m->dim, m->dim);
      anomalous[i] = !m->normal[m->labels[i]];
    }
  auroc = ae_auroc (scores, anomalous, m->n);
out:
  free (out);
  free (scores);
  free (anomalous);
  return auroc;
}

static double
compute (LabMeasure *m, const char *name)
{
  if (strcmp (name, "test_error") == 0)
    return measure_test_error (m);
  if (strcmp (name, "pca_error") == 0)
    return measure_pca_error (m);
  if (strcmp (name, "pca_angle") == 0)
    return measure_pca_angle (m);
  if (strcmp (name, "knn5_code") == 0)
    return knn5 (m, codes (m), m->L);
  if (strcmp (name, "knn5_plane") == 0)
    return measure_knn_plane (m, 1);
  if (strcmp (name, "knn5_pca_plane") == 0)
    return measure_knn_plane (m, 0);
  if (strcmp (name, "code_mean") == 0)
    return measure_code (m, 0);
  if (strcmp (name, "code_active") == 0)
    return measure_code (m, 1);
  if (strcmp (name, "rho") == 0)
    return ae_model_config (m->model)->kl_sparsity > 0.0f ? ae_model_config (m->model)->rho : NAN;
  if (strcmp (name, "jacobian") == 0)
    return measure_jacobian (m);
  if (strcmp (name, "kl") == 0)
    return measure_kl (m, 0);
  if (strcmp (name, "kl_quiet") == 0)
    return measure_kl (m, 1);
  if (strcmp (name, "prior_error") == 0)
    return measure_generated (m, 0);
  if (strcmp (name, "interp_error") == 0)
    return measure_generated (m, 1);
  if (strcmp (name, "auroc") == 0)
    return measure_auroc (m, 0);
  if (strcmp (name, "pca_auroc") == 0)
    return measure_auroc (m, 1);
  return NAN; /* recorded metrics that were not recorded */
}

void
lab_measure_detach (LabMeasure *m)
{
  m->data = NULL;
}

double
lab_measure_get (LabMeasure *m, const char *metric)
{
  int i = lab_metric_find (metric);
  if (i < 0 || (!m->known[i] && m->data == NULL))
    return NAN;
  if (!m->known[i])
    {
      if (strncmp (metric, "psnr_", 5) == 0)
        measure_psnr (m);
      else
        {
          m->values[i] = compute (m, metric);
          m->known[i] = 1;
        }
    }
  return m->values[i];
}
