/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson.h: lessons, read from key files (the GKeyFile / .desktop syntax).
 *
 * A lesson is a [lesson] group (title, summary, minutes) and [step N] groups, N = 1, 2, ...
 * in order. A step says what to set up (dataset, preset, options, normal classes), which
 * views to show and which controls to lock, what to do (run-epochs=N), what to ask before
 * the run (predict, choices, answer) and which claims to check afterwards (checks, each
 * `metric op value`, see lab-lesson-measure.h). The README documents the format with an
 * example.
 *
 * GLib-free, so that the command line (`latentlab lesson`) reads the same files as the
 * window; every problem is reported as "FILE:LINE: what is wrong", and everything that can
 * be checked without data (presets, option names and values, metrics, views) is checked
 * when the lesson is read, not half-way through class.
 */
#pragma once

#include <stddef.h>

#include "ae-status.h"

#define LAB_LESSON_MAX_STEPS 24
#define LAB_LESSON_MAX_OPTIONS 16
#define LAB_LESSON_MAX_CHECKS 8
#define LAB_LESSON_MAX_CHOICES 6
#define LAB_LESSON_MAX_VIEWS 8
#define LAB_LESSON_METRIC_MAX 40

typedef enum {
  LAB_CHECK_LT,
  LAB_CHECK_LE,
  LAB_CHECK_GT,
  LAB_CHECK_GE,
} LabCheckOp;

/* A number, a metric of this step, or a metric as measured at the end of an earlier step
 * ("step2.jacobian"). */
typedef struct {
  int is_metric;
  double number;
  char metric[LAB_LESSON_METRIC_MAX];
  int step; /* 0: this step; else the earlier step's number */
} LabOperand;

/* left op right, where right is one operand or two joined by +, - or * ("pca_auroc + 0.03",
 * "2 * rho"). */
typedef struct {
  char *text; /* as written, trimmed */
  LabOperand left;
  LabCheckOp op;
  LabOperand right[2];
  char join; /* 0 when right is one operand, else '+', '-' or '*' */
} LabCheck;

typedef struct {
  int number; /* N of [step N] */
  int line;   /* where its group starts */
  char *title;
  char *text;
  char *notes; /* for the presenter, or NULL */
  /* settings: NULL / 0 when the step keeps the previous step's */
  char *dataset; /* a built-in name or a path (relative paths from the lesson's folder) */
  char *preset;
  char *normal;  /* normal classes "0" or "1,7", or NULL; "all" trains on every class */
  int n_options;
  char *option_names[LAB_LESSON_MAX_OPTIONS];
  char *option_values[LAB_LESSON_MAX_OPTIONS];
  int n_views, n_locked;
  char *views[LAB_LESSON_MAX_VIEWS]; /* shown; the first is the one brought forward */
  char *locked[LAB_LESSON_MAX_VIEWS]; /* controls that the student cannot change: "dataset",
                                         "preset", "options" */
  int run_epochs; /* the action: 0 = nothing to run */
  char *predict;  /* the question, or NULL */
  int n_choices;
  char *choices[LAB_LESSON_MAX_CHOICES];
  int answer; /* index into choices */
  int n_checks;
  LabCheck checks[LAB_LESSON_MAX_CHECKS];
} LabLessonStep;

typedef struct {
  char *path;  /* the file it was read from, or "bundled:NAME" */
  char *name;  /* the file's base name without .lesson */
  char *title;
  char *summary;
  int minutes;
  int n_steps;
  LabLessonStep steps[LAB_LESSON_MAX_STEPS];
} LabLesson;

/* The views a lesson may show, NULL-terminated (the window's view names). */
extern const char *const lab_lesson_view_names[];

/* Parses a lesson from text; path names it in messages and resolves relative datasets. */
AeStatus lab_lesson_parse (LabLesson **out, const char *text, size_t len, const char *path,
                           AeError *err);
/* Reads a lesson file, or a bundled lesson by name when arg has no '/' and does not end in
 * ".lesson". */
AeStatus lab_lesson_open (LabLesson **out, const char *arg, AeError *err);
void     lab_lesson_free (LabLesson *lesson);

/* The bundled lessons, in teaching order: names and their texts. */
int         lab_lesson_bundled_count (void);
const char *lab_lesson_bundled_name (int i);
const char *lab_lesson_bundled_text (int i);

/* Evaluates "left op right"; NaN on either side does not hold. */
int lab_check_holds (LabCheckOp op, double left, double right);
const char *lab_check_op_text (LabCheckOp op);
