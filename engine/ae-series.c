/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-series.c: built-in synthetic time series, `sines` and `ecg`. */
#include "ae-series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-rng.h"

#define TWO_PI 6.28318530717958647692
#define SERIES_TEST_FRACTION 0.2
#define SERIES_VAL_FRACTION 0.1

static float
uniform_in (AeRng *rng, float lo, float hi)
{
  return lo + (hi - lo) * ae_rng_uniform (rng);
}

static float
clamp01 (float v)
{
  return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

static AeStatus
new_series (AeDataset **out, long n, int steps, int n_classes, const char *name, AeError *err)
{
  AeStatus status = ae_dataset_new (out, n, 1, steps, 1, n_classes, err);
  if (status != AE_OK)
    return ae_error_prefix (err, "%s", name);
  AeDataset *ds = *out;
  ds->kind = AE_DATA_SEQUENCES;
  snprintf (ds->name, sizeof ds->name, "%s", name);
  snprintf (ds->source, sizeof ds->source, "built-in");
  return AE_OK;
}

/* One window of `sines`: s(t) in [-1, 1] before scaling. */
static void
sines_window (float *x, int steps, AeSinesKind kind, AeRng *rng)
{
  float amplitude = uniform_in (rng, 0.4f, 1.0f);
  float noise = 0.02f;
  if (kind <= AE_SINES_THREE)
    {
      int n_waves = (int) kind + 1;
      float freq[3], phase[3], weight[3], weight_sum = 0.0f;
      for (int k = 0; k < n_waves; k++)
        {
          freq[k] = uniform_in (rng, 1.0f, 6.0f); /* cycles per window */
          phase[k] = uniform_in (rng, 0.0f, (float) TWO_PI);
          weight[k] = uniform_in (rng, 0.3f, 1.0f);
          weight_sum += weight[k];
        }
      for (int t = 0; t < steps; t++)
        {
          float s = 0.0f;
          for (int k = 0; k < n_waves; k++)
            s += weight[k] * sinf ((float) TWO_PI * freq[k] * (float) t / (float) steps + phase[k]);
          /* Dividing by the weights keeps a mixture within the amplitude. */
          x[t] = amplitude * s / weight_sum;
        }
    }
  else
    {
      float freq = uniform_in (rng, 1.0f, 4.0f);
      float phase = ae_rng_uniform (rng);
      for (int t = 0; t < steps; t++)
        {
          float cycle = freq * (float) t / (float) steps + phase;
          float frac = cycle - floorf (cycle);
          x[t] = kind == AE_SINES_SQUARE ? (frac < 0.5f ? amplitude : -amplitude)
                                         : amplitude * (2.0f * frac - 1.0f);
        }
    }
  for (int t = 0; t < steps; t++)
    x[t] = clamp01 (0.5f + 0.45f * (x[t] + noise * ae_rng_normal (rng)));
}

AeStatus
ae_series_sines (AeDataset **out, long n, uint64_t seed, AeError *err)
{
  static const char *const kind_names[AE_SINES_N_KINDS] = { "one sine", "two sines", "three sines",
                                                            "square", "sawtooth" };
  AeStatus status = new_series (out, n, AE_SINES_STEPS, AE_SINES_N_KINDS, "sines", err);
  if (status != AE_OK)
    return status;
  AeDataset *ds = *out;
  for (int c = 0; c < AE_SINES_N_KINDS; c++)
    snprintf (ds->class_names[c], AE_CLASS_NAME_MAX, "%s", kind_names[c]);
  AeRng rng;
  ae_rng_seed (&rng, seed ^ 0x51e5u);
  for (long i = 0; i < n; i++)
    {
      AeSinesKind kind = (AeSinesKind) ae_rng_below (&rng, AE_SINES_N_KINDS);
      ds->labels[i] = (int) kind;
      sines_window (ds->x + (size_t) i * AE_SINES_STEPS, AE_SINES_STEPS, kind, &rng);
    }
  ae_dataset_split_fixed (ds, (long) (n * SERIES_TEST_FRACTION + 0.5), SERIES_VAL_FRACTION);
  return AE_OK;
}

/* ---- ecg ---- */

typedef enum {
  ECG_NORMAL,
  ECG_MISSING_P,
  ECG_MISSING_T,
  ECG_DOUBLED_T,
  ECG_ST_SHIFT,
  ECG_PREMATURE, /* a beat early, then the usual compensatory pause */
  ECG_N_KINDS
} EcgKind;

typedef struct {
  float rr;        /* steps between beats */
  float amplitude; /* scales every wave */
  float p_amp, t_amp, st_shift;
} EcgBeat;

static float
gaussian (float t, float centre, float sigma)
{
  float u = (t - centre) / sigma;
  return expf (-0.5f * u * u);
}

/* Adds one beat with its R peak at c (in steps). */
static void
add_beat (float *s, int steps, float c, const EcgBeat *b, int has_p, int has_t, int doubled_t,
          float st_shift)
{
  float L = b->rr;
  for (int t = 0; t < steps; t++)
    {
      float v = 0.0f, ft = (float) t;
      if (has_p)
        v += b->p_amp * gaussian (ft, c - 0.18f * L, 2.0f);
      v += -0.10f * gaussian (ft, c - 0.035f * L, 0.8f); /* Q */
      v += 1.00f * gaussian (ft, c, 1.2f);               /* R */
      v += -0.20f * gaussian (ft, c + 0.035f * L, 1.0f); /* S */
      if (has_t)
        v += b->t_amp * gaussian (ft, c + 0.32f * L, 3.5f);
      if (doubled_t)
        v += b->t_amp * gaussian (ft, c + 0.48f * L, 3.5f);
      if (st_shift != 0.0f)
        {
          /* A plateau from the end of S to the T wave, with soft edges. */
          float a = c + 0.06f * L, z = c + 0.30f * L;
          float rise = 1.0f / (1.0f + expf (-(ft - a) / 1.0f));
          float fall = 1.0f / (1.0f + expf ((ft - z) / 1.5f));
          v += st_shift * rise * fall;
        }
      s[t] += b->amplitude * v;
    }
}

/* Fills one window; returns the range [*mark_lo, *mark_hi) of the anomalous beat. */
static void
ecg_window (float *x, int steps, EcgKind kind, AeRng *rng, int *mark_lo, int *mark_hi)
{
  float s[AE_ECG_STEPS] = { 0 };
  EcgBeat b;
  b.rr = uniform_in (rng, 40.0f, 60.0f);
  b.amplitude = uniform_in (rng, 0.8f, 1.2f);
  b.p_amp = uniform_in (rng, 0.10f, 0.16f);
  b.t_amp = uniform_in (rng, 0.25f, 0.35f);
  float noise = uniform_in (rng, 0.008f, 0.025f);
  float wander_period = uniform_in (rng, 200.0f, 400.0f), wander_phase = uniform_in (rng, 0.0f, (float) TWO_PI);

  /* Beats from before the window to after it, so that the edges look like the middle. */
  float centres[16] = { 0 };
  int n_beats = 0;
  float c = -uniform_in (rng, 0.0f, b.rr);
  while (c < (float) steps + b.rr && n_beats < 16)
    {
      centres[n_beats++] = c;
      c += b.rr * uniform_in (rng, 0.97f, 1.03f);
    }
  /* The beat nearest the middle carries the anomaly, so that all of it is in view. */
  int target = 0;
  for (int k = 1; k < n_beats; k++)
    if (fabsf (centres[k] - steps / 2.0f) < fabsf (centres[target] - steps / 2.0f))
      target = k;
  float original = centres[target];
  if (kind == ECG_PREMATURE)
    centres[target] -= uniform_in (rng, 0.30f, 0.40f) * b.rr;
  float st = kind == ECG_ST_SHIFT ? (ae_rng_uniform (rng) < 0.5f ? -1.0f : 1.0f) * uniform_in (rng, 0.15f, 0.25f)
                                  : 0.0f;
  for (int k = 0; k < n_beats; k++)
    {
      int is_target = k == target;
      add_beat (s, steps, centres[k], &b, !(is_target && kind == ECG_MISSING_P),
                !(is_target && kind == ECG_MISSING_T), is_target && kind == ECG_DOUBLED_T,
                is_target ? st : 0.0f);
    }
  for (int t = 0; t < steps; t++)
    {
      float wander = 0.05f * sinf ((float) TWO_PI * (float) t / wander_period + wander_phase);
      /* Signals span about [-0.55, 1.3]: one fixed map keeps amplitudes comparable. */
      x[t] = clamp01 ((s[t] + wander + noise * ae_rng_normal (rng) + 0.6f) / 2.0f);
    }
  float lo = fminf (centres[target], original) - 0.30f * b.rr;
  float hi = original + 0.60f * b.rr;
  *mark_lo = lo < 0.0f ? 0 : (int) lo;
  *mark_hi = hi > (float) steps ? steps : (int) ceilf (hi);
}

AeStatus
ae_series_ecg (AeDataset **out, long n, uint64_t seed, AeError *err)
{
  AeStatus status = new_series (out, n, AE_ECG_STEPS, 2, "ecg", err);
  if (status != AE_OK)
    return status;
  AeDataset *ds = *out;
  snprintf (ds->class_names[0], AE_CLASS_NAME_MAX, "normal");
  snprintf (ds->class_names[1], AE_CLASS_NAME_MAX, "anomaly");
  ds->step_anomaly = calloc ((size_t) n, AE_ECG_STEPS);
  if (ds->step_anomaly == NULL)
    {
      ae_dataset_free (ds);
      *out = NULL;
      return ae_error_set (err, AE_ERR_NOMEM, "ecg: out of memory for %ld windows", n);
    }
  ae_dataset_split_fixed (ds, (long) (n * SERIES_TEST_FRACTION + 0.5), SERIES_VAL_FRACTION);
  long first_test = ds->n_train + ds->n_val;
  AeRng rng;
  ae_rng_seed (&rng, seed ^ 0xec6u);
  for (long i = 0; i < n; i++)
    {
      /* Only the test split holds anomalies: the model learns what normal looks like. */
      EcgKind kind = ECG_NORMAL;
      if (i >= first_test && ae_rng_uniform (&rng) < 0.2f)
        kind = (EcgKind) (1 + ae_rng_below (&rng, ECG_N_KINDS - 1));
      int lo, hi;
      ecg_window (ds->x + (size_t) i * AE_ECG_STEPS, AE_ECG_STEPS, kind, &rng, &lo, &hi);
      ds->labels[i] = kind != ECG_NORMAL;
      if (kind != ECG_NORMAL)
        memset (ds->step_anomaly + (size_t) i * AE_ECG_STEPS + lo, 1, (size_t) (hi - lo));
    }
  return AE_OK;
}
