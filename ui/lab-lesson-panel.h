/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-panel.h: the lesson beside the views.
 *
 * The step list, previous and next, the progress through the lesson, the step's title and
 * text, the prediction asked before the run (revealed after it), the step's run, and its
 * checks marked holding, not holding or not yet measured. Entering a step applies its
 * settings to the window's session, brings its first view forward and locks the controls
 * it names; the checks are measured on a worker (lab-lesson-state.h).
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-lesson-state.h"
#include "lab-window.h"

G_BEGIN_DECLS

#define LAB_TYPE_LESSON_PANEL (lab_lesson_panel_get_type ())

G_DECLARE_FINAL_TYPE (LabLessonPanel, lab_lesson_panel, LAB, LESSON_PANEL, GtkWidget)

/* Shows state's step in window and applies its settings, or takes the session as it is
 * when restored (a session file brought the lesson with its weights). */
GtkWidget      *lab_lesson_panel_new (LabWindow *window, LabLessonState *state,
                                      gboolean restored);
LabLessonState *lab_lesson_panel_get_state (LabLessonPanel *self);
/* Shows another step and applies its settings (as the step list and Previous/Next do). */
void            lab_lesson_panel_go (LabLessonPanel *self, guint step);
/* Runs the step's epochs (as its Run button does); FALSE when it cannot run now (no
 * prediction yet, settings still loading, nothing to run). */
gboolean        lab_lesson_panel_run (LabLessonPanel *self);
/* Whether the step's settings are in force (loaded and applied) and no run is under way. */
gboolean        lab_lesson_panel_get_ready (LabLessonPanel *self);

G_END_DECLS
