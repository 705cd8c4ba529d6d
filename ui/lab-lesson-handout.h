/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-handout.h: the lesson as it was run, to PDF.
 *
 * One A4 page per step: its title and text, the prediction asked and what was answered,
 * the checks with their measured values, and the live plots of the step's last snapshot
 * (loss curves, inputs and reconstructions) drawn by the same Cairo functions as the
 * window. Needs no display.
 */
#pragma once

#include <glib.h>

#include "lab-lesson-state.h"

G_BEGIN_DECLS

gboolean lab_lesson_handout_write (LabLessonState *state, const char *path, GError **error);

G_END_DECLS
