/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Built-in time series: shapes, ranges, determinism by seed, and ecg's anomalies. */
#include "io-test-util.h"

#include "ae-series.h"

static void
check_common (const AeDataset *ds, long n, int steps)
{
  CHECK (ds->n == n && ds->height == steps && ds->width == 1 && ds->channels == 1 && ds->dim == steps,
         "%ld x %d x %d", ds->n, ds->height, ds->width);
  CHECK (ds->kind == AE_DATA_SEQUENCES, "kind %d", ds->kind);
  size_t outside = 0;
  for (size_t i = 0; i < (size_t) n * steps; i++)
    outside += !(ds->x[i] >= 0.0f && ds->x[i] <= 1.0f);
  CHECK (outside == 0, "%zu values outside [0, 1]", outside);
  CHECK (ds->n_test == (long) (n * 0.2 + 0.5) && ds->n_train + ds->n_val + ds->n_test == n, "split");
  CHECK (ae_dataset_test (ds)[0] == (uint32_t) (n - ds->n_test), "the test set is the last windows");
}

static void
test_sines (void)
{
  AeDataset *a = NULL, *b = NULL, *c = NULL;
  AeError err = { 0 };
  CHECK (ae_series_sines (&a, 500, 1, &err) == AE_OK, "%s", err.message);
  CHECK (ae_series_sines (&b, 500, 1, &err) == AE_OK, "%s", err.message);
  CHECK (ae_series_sines (&c, 500, 2, &err) == AE_OK, "%s", err.message);
  if (a == NULL || b == NULL || c == NULL)
    return;
  check_common (a, 500, AE_SINES_STEPS);
  CHECK (memcmp (a->x, b->x, 500 * AE_SINES_STEPS * sizeof (float)) == 0, "same seed, other data");
  CHECK (memcmp (a->x, c->x, 500 * AE_SINES_STEPS * sizeof (float)) != 0, "other seed, same data");
  CHECK (a->n_classes == AE_SINES_N_KINDS && strcmp (a->class_names[AE_SINES_SQUARE], "square") == 0,
         "class names");
  long per_kind[AE_SINES_N_KINDS] = { 0 };
  int square_ok = 1, saw_ok = 1;
  for (long i = 0; i < a->n; i++)
    {
      int kind = a->labels[i];
      CHECK (kind >= 0 && kind < AE_SINES_N_KINDS, "label %d", kind);
      if (kind < 0 || kind >= AE_SINES_N_KINDS)
        continue;
      per_kind[kind]++;
      const float *x = ae_dataset_sample (a, i);
      int flat = 0, jumps = 0, drops = 0;
      for (int t = 1; t < AE_SINES_STEPS; t++)
        {
          float d = x[t] - x[t - 1];
          flat += fabsf (d) < 0.05f;
          jumps += fabsf (d) > 0.3f;
          drops += d < -0.3f;
        }
      /* A square wave sits on two levels with sudden jumps; a sawtooth rises, then drops. */
      if (kind == AE_SINES_SQUARE && (flat < 50 || jumps < 1))
        square_ok = 0;
      if (kind == AE_SINES_SAWTOOTH && drops < 1)
        saw_ok = 0;
    }
  CHECK (square_ok, "a square window without two levels");
  CHECK (saw_ok, "a sawtooth window without a drop");
  for (int k = 0; k < AE_SINES_N_KINDS; k++)
    CHECK (per_kind[k] > 50, "kind %d: %ld windows", k, per_kind[k]);
  CHECK (a->step_anomaly == NULL, "sines has no anomalies");
  ae_dataset_free (a);
  ae_dataset_free (b);
  ae_dataset_free (c);
}

static int
compare_floats (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

/* R peaks: local maxima in the upper half between the baseline (the median) and the top. */
static int
count_r_peaks (const float *x, int steps)
{
  float sorted[AE_ECG_STEPS];
  memcpy (sorted, x, (size_t) steps * sizeof (float));
  qsort (sorted, (size_t) steps, sizeof (float), compare_floats);
  float median = sorted[steps / 2], top = sorted[steps - 1];
  if (top - median < 0.2f)
    return 0; /* no clear QRS complex at all */
  float threshold = median + 0.5f * (top - median);
  int peaks = 0;
  for (int t = 1; t + 1 < steps; t++)
    peaks += x[t] > threshold && x[t] >= x[t - 1] && x[t] > x[t + 1];
  return peaks;
}

static void
test_ecg (void)
{
  AeDataset *a = NULL, *b = NULL, *c = NULL;
  AeError err = { 0 };
  long n = 2000;
  CHECK (ae_series_ecg (&a, n, 3, &err) == AE_OK, "%s", err.message);
  CHECK (ae_series_ecg (&b, n, 3, &err) == AE_OK, "%s", err.message);
  CHECK (ae_series_ecg (&c, n, 4, &err) == AE_OK, "%s", err.message);
  if (a == NULL || b == NULL || c == NULL)
    return;
  check_common (a, n, AE_ECG_STEPS);
  CHECK (memcmp (a->x, b->x, (size_t) n * AE_ECG_STEPS * sizeof (float)) == 0, "same seed, other data");
  CHECK (memcmp (a->step_anomaly, b->step_anomaly, (size_t) n * AE_ECG_STEPS) == 0, "same seed, other marks");
  CHECK (memcmp (a->x, c->x, (size_t) n * AE_ECG_STEPS * sizeof (float)) != 0, "other seed, same data");
  CHECK (a->n_classes == 2 && strcmp (a->class_names[0], "normal") == 0 && strcmp (a->class_names[1], "anomaly") == 0,
         "class names");
  CHECK (a->step_anomaly != NULL, "no step marks");
  long first_test = a->n_train + a->n_val, anomalies_outside_test = 0, anomalies = 0;
  int marks_match = 1, peaks_ok = 1;
  for (long i = 0; i < n; i++)
    {
      const uint8_t *mark = a->step_anomaly + (size_t) i * AE_ECG_STEPS;
      int marked = 0, runs = 0;
      for (int t = 0; t < AE_ECG_STEPS; t++)
        {
          marked += mark[t];
          runs += mark[t] && (t == 0 || !mark[t - 1]);
        }
      if (a->labels[i] == 1)
        {
          anomalies++;
          anomalies_outside_test += i < first_test;
          /* One beat, in one run of steps. */
          if (marked < 10 || runs != 1)
            marks_match = 0;
        }
      else
        {
          if (marked != 0)
            marks_match = 0;
          int peaks = count_r_peaks (ae_dataset_sample (a, i), AE_ECG_STEPS);
          if (peaks < 2 || peaks > 4)
            peaks_ok = 0;
        }
    }
  CHECK (anomalies_outside_test == 0, "%ld anomalies in training or validation", anomalies_outside_test);
  double fraction = (double) anomalies / (double) a->n_test;
  CHECK (fraction > 0.12 && fraction < 0.28, "anomalous fraction of the test set %g", fraction);
  CHECK (marks_match, "step marks do not match the labels");
  CHECK (peaks_ok, "a normal window without 2 to 4 heartbeats");
  ae_dataset_free (a);
  ae_dataset_free (b);
  ae_dataset_free (c);

  CHECK (ae_series_ecg (&a, 0, 1, &err) != AE_OK && a == NULL, "zero windows");
  CHECK (strstr (err.message, "ecg") != NULL, "%s", err.message);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/series/sines", test_sines },
    { "/series/ecg", test_ecg },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
