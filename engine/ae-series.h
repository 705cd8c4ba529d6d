/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-series.h: built-in synthetic time series (kind AE_DATA_SEQUENCES, height = steps,
 * width = 1 feature, values in [0, 1]). The same seed gives the same data. */
#pragma once

#include <stdint.h>

#include "ae-dataset.h"
#include "ae-status.h"

#define AE_SINES_STEPS 64
#define AE_SINES_DEFAULT_N 6000
#define AE_ECG_STEPS 128
#define AE_ECG_DEFAULT_N 6000

/* Shapes of `sines`, the labels and class names. */
typedef enum {
  AE_SINES_ONE,      /* one sine */
  AE_SINES_TWO,      /* a mixture of two sines */
  AE_SINES_THREE,    /* a mixture of three sines */
  AE_SINES_SQUARE,   /* a square wave */
  AE_SINES_SAWTOOTH, /* a sawtooth wave */
  AE_SINES_N_KINDS
} AeSinesKind;

/* n windows of AE_SINES_STEPS steps: mixtures of 1-3 sines with random frequency, phase and
 * amplitude, square and sawtooth waves, with a little noise. Labels are the kind. The split
 * is fixed: the last 20% are the test set, validation is the last 10% of the rest. */
AeStatus ae_series_sines (AeDataset **out, long n, uint64_t seed, AeError *err);

/* n windows of AE_ECG_STEPS steps of a heartbeat-like signal (P wave, QRS complex, T wave)
 * with natural variation of rate, amplitude, baseline and noise. Training and validation
 * hold normal windows only; the test set (the last 20%) holds about 20% anomalous windows
 * (a missing P or T wave, a doubled wave, a shifted ST segment, an irregular rhythm).
 * Labels: 0 normal, 1 anomaly; step_anomaly marks the steps of each anomalous beat. */
AeStatus ae_series_ecg (AeDataset **out, long n, uint64_t seed, AeError *err);
