/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-state.h: a lesson as the window runs it.
 *
 * Wraps a parsed lesson (lab-lesson.h) in GLib terms for ui/, which sees no engine header:
 * its steps' texts, questions and checks, the step shown, what the student answered, and
 * the measures behind the checks. Measures are taken on a worker from the session's newest
 * weights with the metric code of `latentlab lesson --check` (lab-lesson-measure.h), so the
 * window and the command line agree on every value. The state (lesson, step, answers) is
 * kept in session files as a few lines of text.
 */
#pragma once

#include <gio/gio.h>

#include "lab-session.h"
#include "lab-snapshot.h"

G_BEGIN_DECLS

typedef enum {
  LAB_CHECK_NOT_MEASURED,
  LAB_CHECK_HOLDS,
  LAB_CHECK_FAILS,
} LabCheckState;

#define LAB_TYPE_LESSON_STATE (lab_lesson_state_get_type ())

G_DECLARE_FINAL_TYPE (LabLessonState, lab_lesson_state, LAB, LESSON_STATE, GObject)

/* A lesson file, or a bundled lesson by name; the error names the file, the line and the
 * problem. */
LabLessonState *lab_lesson_state_open (const char *file_or_name, GError **error);

/* The bundled lessons, in teaching order. */
guint        lab_lesson_state_bundled_count (void);
const char  *lab_lesson_state_bundled_name (guint i);
/* The bundled lesson's title, newly allocated. */
char        *lab_lesson_state_dup_bundled_title (guint i);

/* What opened it: a path or "bundled:NAME" (lab_lesson_state_open takes either back). */
const char  *lab_lesson_state_get_source (LabLessonState *self);
const char  *lab_lesson_state_get_title (LabLessonState *self);
const char  *lab_lesson_state_get_summary (LabLessonState *self);
int          lab_lesson_state_get_minutes (LabLessonState *self);

guint        lab_lesson_state_get_n_steps (LabLessonState *self);
/* The step shown; "notify::step" when it changes. */
guint        lab_lesson_state_get_step (LabLessonState *self);
void         lab_lesson_state_set_step (LabLessonState *self, guint step);

const char  *lab_lesson_state_step_title (LabLessonState *self, guint step);
const char  *lab_lesson_state_step_text (LabLessonState *self, guint step);
/* Presenter notes, or NULL. */
const char  *lab_lesson_state_step_notes (LabLessonState *self, guint step);
/* The epochs the step asks to run (0: nothing to run). */
int          lab_lesson_state_step_run_epochs (LabLessonState *self, guint step);
/* The views the step shows, the first brought forward; NULL-terminated, owned. */
const char *const *lab_lesson_state_step_views (LabLessonState *self, guint step);
/* Whether the step locks a control: "dataset", "preset" or "options". */
gboolean     lab_lesson_state_step_locks (LabLessonState *self, guint step, const char *control);

/* The prediction asked before the run: the question (NULL when none), its choices and the
 * right one. */
const char  *lab_lesson_state_step_question (LabLessonState *self, guint step);
guint        lab_lesson_state_step_n_choices (LabLessonState *self, guint step);
const char  *lab_lesson_state_step_choice (LabLessonState *self, guint step, guint choice);
int          lab_lesson_state_step_right_choice (LabLessonState *self, guint step);
/* What the student chose (-1: not yet); "changed" is emitted when it changes. */
int          lab_lesson_state_get_answer (LabLessonState *self, guint step);
void         lab_lesson_state_set_answer (LabLessonState *self, guint step, int choice);
/* Whether the step's run has finished (the answer is then revealed). */
gboolean     lab_lesson_state_get_ran (LabLessonState *self, guint step);
void         lab_lesson_state_set_ran (LabLessonState *self, guint step, gboolean ran);

/* Where the step's settings lead (earlier steps' settings carry over): the dataset, the
 * preset (the last one named), the options in force since that preset in order (names and
 * values, NULL-terminated), the normal classes ("" for all) and whether it trains a fresh
 * model rather than training on from the previous step's weights. */
gboolean     lab_lesson_state_step_settings (LabLessonState *self, guint step, char **dataset,
                                             char **preset, GStrv *option_names,
                                             GStrv *option_values, char **normal,
                                             gboolean *fresh, GError **error);
/* The options that the step itself sets (names and values, NULL-terminated). */
void         lab_lesson_state_step_own_options (LabLessonState *self, guint step,
                                                GStrv *option_names, GStrv *option_values);

/* Checks: the claim as written, the metric's label ("test error"), and its state with the
 * two sides' values (NaN when not measured). */
guint        lab_lesson_state_step_n_checks (LabLessonState *self, guint step);
const char  *lab_lesson_state_check_text (LabLessonState *self, guint step, guint check);
const char  *lab_lesson_state_check_label (LabLessonState *self, guint step, guint check);
LabCheckState lab_lesson_state_check_state (LabLessonState *self, guint step, guint check,
                                            double *left, double *right);

/* Measures the step's checks on a worker, on the session's newest weights and its data as
 * trained now (the epochs and losses from snapshot), and keeps the values (also what later
 * steps refer to as "stepN.metric"). Newest call wins: an earlier one still running is
 * cancelled. FALSE when there are no weights yet. "changed" when the values arrive. */
gboolean     lab_lesson_state_measure (LabLessonState *self, guint step, LabSession *session,
                                       LabSnapshot *snapshot);
gboolean     lab_lesson_state_get_measuring (LabLessonState *self);
/* Forgets the step's values (a new run starts). */
void         lab_lesson_state_clear_measure (LabLessonState *self, guint step);

/* The last snapshot of the step's run, kept for the handout; NULL when not run. */
LabSnapshot *lab_lesson_state_get_snapshot (LabLessonState *self, guint step);
void         lab_lesson_state_set_snapshot (LabLessonState *self, guint step,
                                            LabSnapshot *snapshot);

/* The state for a session file ("lesson = SOURCE", "lesson-step = N", "lesson-answers =
 * a b c", "lesson-ran = 0 1 ..."), and back. */
char        *lab_lesson_state_to_text (LabLessonState *self);
LabLessonState *lab_lesson_state_from_text (const char *text, GError **error);

G_END_DECLS
