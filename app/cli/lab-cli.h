/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli.h: the headless command line (`latentlab train|eval|...`), as ../shared/CLI.md
 * specifies it. lab-cli.c parses options and holds the helpers that every subcommand
 * shares; each lab-cli-*.c file implements a few subcommands. */
#pragma once

#include <stdio.h>

#include "ae-dataset.h"
#include "ae-model.h"
#include "ae-status.h"

/* Exit statuses of CLI.md. */
enum {
  LAB_EXIT_OK = 0,
  LAB_EXIT_FAILURE = 1, /* bad file, divergence, I/O */
  LAB_EXIT_USAGE = 2,   /* a bad option or value */
};

/* True when name is a subcommand (or help, --help, --version). */
int lab_cli_is_command (const char *name);
/* Runs argv[1] as a subcommand; returns the exit status. */
int lab_cli_main (int argc, char **argv);

/* --- for the subcommands ---------------------------------------------------------------- */

#define LAB_MAX_POSITIONAL 4
#define LAB_MAX_SETTINGS 64

typedef struct {
  const char *command;      /* "train" */
  const char *positional[LAB_MAX_POSITIONAL];
  int n_positional;
  /* Options in the order given; a flag's value is NULL. */
  const char *names[LAB_MAX_SETTINGS];
  const char *values[LAB_MAX_SETTINGS];
  int n_set;
} LabArgs;

/* The last value given for an option (without dashes), or NULL. */
const char *lab_args_get (const LabArgs *args, const char *name);
int         lab_args_flag (const LabArgs *args, const char *name);

/* One line on stderr: "latentlab COMMAND: message". Returns status, for `return lab_fail ()`. */
int lab_fail (const LabArgs *args, int status, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Refuses before the work what would fail after it: a destination given as --option that
 * ae_file_check_writable turns down (CLI.md: a bad value exits 2, a file system that will
 * not take the file 1). Returns LAB_EXIT_OK when it will take it. */
int lab_check_writable (const LabArgs *args, const char *option, const char *path);

/* Integer options: a missing option gives fallback; a malformed or out-of-range one is a
 * usage error (printed) and returns 0. */
int lab_args_int (const LabArgs *args, const char *name, long fallback, long min, long max, long *out);

/* The preset and the model options (--latent, --lr, ...) in the order given, fitted to the
 * data and validated. Returns an exit status (the error already printed). */
int lab_config_from_args (const LabArgs *args, const char *preset_fallback, AeConfig *cfg);
/* The same, where fallback_settings (NULL-terminated name, value pairs) tune the fallback
 * preset; a preset named with --preset is taken as it is. */
int lab_config_from_args_tuned (const LabArgs *args, const char *preset_fallback,
                                const char *const *fallback_settings, AeConfig *cfg);
int lab_config_fit (const LabArgs *args, AeConfig *cfg, const AeDataset *ds);
/* Loads a dataset; a failure is printed with the file named and returns LAB_EXIT_FAILURE. */
int lab_load_data (const LabArgs *args, const char *spec, uint64_t seed, AeDataset **out);
/* The data a configuration trains on: lab_load_data, except that a fully convolutional
 * model (the residual denoiser) given image files learns from random patches of them
 * (--patches N of --image-size S). */
int lab_load_training_data (const LabArgs *args, const char *spec, const AeConfig *cfg,
                            AeDataset **out);
/* Patches the residual denoiser cuts from image files by default: their side and count. */
#define LAB_PATCH_SIDE 40
#define LAB_PATCH_COUNT 4000
/* For a saved model: image files at the model's channels and size, the split of the
 * model's seed, and the shape checked against the model's: first from what the file's header
 * declares (before anything is inflated), then once loaded. */
int lab_load_model_data (const LabArgs *args, const char *spec, const AeModel *model, AeDataset **out);
int lab_load_model (const LabArgs *args, const char *path, AeModel **out);
/* lab_load_model for a command that writes to dest, given as --option: a destination that
 * lab_check_writable turns down is refused first, before the model is read. A NULL dest
 * (an optional output not asked for) is no obstacle. */
int lab_load_model_writing (const LabArgs *args, const char *path, const char *option,
                            const char *dest, AeModel **out);
/* Sets the BLAS threads from --threads (or the model's setting). */
void lab_apply_threads (const LabArgs *args, int config_threads);

typedef struct {
  double seconds; /* wall time of the training */
  int epochs;
  AeLossTerms train, val; /* of the last epoch */
  int has_val;
  long steps;      /* batches trained */
  int interrupted; /* the signal (SIGINT, SIGTERM) that stopped a run before its end, or 0 */
  int diverged;    /* the weights are the last finite ones; message says when */
  char message[AE_ERROR_MESSAGE_MAX];
} LabTrainResult;

/* Trains a model through AeTrainer (the window's engine), printing one line per epoch
 * (JSON with json set) and, on a terminal, progress within the epoch on stderr. quiet
 * prints only the progress. On success *out is the trained model. */
int lab_train_model (const LabArgs *args, const AeDataset *ds, const AeConfig *cfg, int json,
                     int quiet, AeModel **out, LabTrainResult *result);

/* Images (n, channels * h * w) in a grid of cols columns, gap pixels apart (mid grey), as
 * PNG (grey for one channel, RGB for three, the first channel otherwise). */
AeStatus lab_write_grid (const char *path, const float *images, long n, int cols, int gap,
                         int channels, int h, int w, AeError *err);

/* A tiny JSON line writer: lab_json_begin, then keys, then lab_json_end writes "}\n". */
typedef struct {
  FILE *out;
  int need_comma;
} LabJson;

void lab_json_begin (LabJson *j, FILE *out);
void lab_json_number (LabJson *j, const char *key, double value); /* null when not finite */
void lab_json_numbers (LabJson *j, const char *key, const double *values, int n); /* an array */
void lab_json_int (LabJson *j, const char *key, long value);
void lab_json_bool (LabJson *j, const char *key, int value);
void lab_json_string (LabJson *j, const char *key, const char *value);
void lab_json_object_begin (LabJson *j, const char *key);
void lab_json_object_end (LabJson *j);
void lab_json_end (LabJson *j);

/* The subcommands. */
int lab_cli_train (LabArgs *args);
int lab_cli_eval (LabArgs *args);
int lab_cli_denoise (LabArgs *args);
int lab_cli_generate (LabArgs *args);
int lab_cli_interpolate (LabArgs *args);
int lab_cli_export_latent (LabArgs *args);
int lab_cli_export (LabArgs *args);
int lab_cli_project (LabArgs *args);
int lab_cli_import (LabArgs *args);
int lab_cli_anomaly (LabArgs *args);
int lab_cli_bench (LabArgs *args);
int lab_cli_lesson (LabArgs *args);
int lab_cli_datasets (LabArgs *args);
