/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-run.h: running a lesson's steps without a window (`latentlab lesson --check`),
 * and evaluating a step's checks, which the window does too.
 *
 * Settings carry over from step to step: a step's configuration is its preset's (or the
 * previous step's configuration), then its options; its dataset and normal classes are its
 * own or the previous step's. A step trains a fresh model when it names a preset or changes
 * the data, or when an option changes the architecture; otherwise it trains on from the
 * previous step's weights. GLib-free.
 */
#pragma once

#include "ae-model.h"
#include "lab-lesson-measure.h"
#include "lab-lesson.h"

/* Where a step's settings lead. */
typedef struct {
  AeConfig config;   /* the preset, then the options (not yet fitted to data) */
  const char *dataset; /* a name or path, resolved against the lesson's folder by the runner */
  const char *normal;  /* NULL or "all": every class */
  int fresh;         /* a new model rather than training on */
} LabStepSettings;

/* The settings of steps[0..index], folded. Fails (naming the file and the step's line) only
 * when an option cannot apply to the preset it meets. */
AeStatus lab_lesson_settings (const LabLesson *lesson, int index, LabStepSettings *out, AeError *err);

/* A step's dataset: a path relative to the lesson's folder, built-in names as they are;
 * malloc'd (NULL when out of memory). */
char    *lab_lesson_resolve_dataset (const LabLesson *lesson, const char *spec);

/* Normal classes "0,3" as flags (n_classes); NULL for NULL or "all". A class out of range is
 * refused with the lesson's file and step named. */
AeStatus lab_lesson_normal_flags (const LabLesson *lesson, int index, const char *normal,
                                  int n_classes, uint8_t **flags, AeError *err);

/* A check's two sides: now is the step's measure, earlier[k] the measure at the end of step
 * k + 1 (NULL when not run). Returns whether it holds; left and right get the values. */
int lab_check_evaluate (const LabCheck *check, LabMeasure *now, LabMeasure *const *earlier,
                        int n_earlier, double *left, double *right);

/* Measures what step index's checks and later steps' references to it need while the data
 * is as the step trained on it, then detaches m from the data (later steps may change or
 * replace it). The command line and the window both end a step's measure with it. */
void lab_lesson_measure_step (const LabLesson *lesson, int index, LabMeasure *m);

typedef struct LabLessonRun LabLessonRun;

LabLessonRun *lab_lesson_run_new (const LabLesson *lesson);
void          lab_lesson_run_free (LabLessonRun *run);
/* Applies step index (in order from 0), trains what it asks and measures the result;
 * the step's measure is then lab_lesson_run_measure (run, index). */
AeStatus      lab_lesson_run_step (LabLessonRun *run, int index, AeError *err);
LabMeasure   *lab_lesson_run_measure (LabLessonRun *run, int index);
/* Measures of steps 0 .. index - 1, for lab_check_evaluate. */
LabMeasure *const *lab_lesson_run_measures (LabLessonRun *run);
