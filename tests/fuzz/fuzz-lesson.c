/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-lesson.c: lesson files (shared between teachers and students) through
 * lab_lesson_parse: anything it accepts keeps the promises the window and `latentlab
 * lesson` rely on. */
#include "fuzz-target.h"
#include "lab-lesson.h"
#include "lab-lesson-measure.h"

/* An operand a check may be measured with: a number, or a metric the program knows of
 * this step or an earlier one. */
static int
operand_ok (const LabOperand *o, int step_number)
{
  return o->step >= 0 && o->step < step_number && (!o->is_metric || lab_metric_find (o->metric) >= 0);
}

static int
in_views (const char *view)
{
  for (int i = 0; lab_lesson_view_names[i] != NULL; i++)
    if (strcmp (lab_lesson_view_names[i], view) == 0)
      return 1;
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  LabLesson *lesson = NULL;
  AeError err = { 0 };
  AeStatus status = lab_lesson_parse (&lesson, (const char *) data, size, "fuzz.lesson", &err);

  fuzz_check_status ("lab_lesson_parse", status, &err, "fuzz.lesson");
  FUZZ_CHECK ((status == AE_OK) == (lesson != NULL));
  if (lesson == NULL)
    return 0;
  FUZZ_CHECK (lesson->title != NULL);
  FUZZ_CHECK (lesson->n_steps >= 1 && lesson->n_steps <= LAB_LESSON_MAX_STEPS);
  for (int s = 0; s < lesson->n_steps; s++)
    {
      const LabLessonStep *step = &lesson->steps[s];

      FUZZ_CHECK (step->title != NULL && step->text != NULL);
      FUZZ_CHECK (step->n_options >= 0 && step->n_options <= LAB_LESSON_MAX_OPTIONS);
      FUZZ_CHECK (step->n_views >= 0 && step->n_views <= LAB_LESSON_MAX_VIEWS);
      FUZZ_CHECK (step->n_locked >= 0 && step->n_locked <= LAB_LESSON_MAX_VIEWS);
      FUZZ_CHECK (step->n_checks >= 0 && step->n_checks <= LAB_LESSON_MAX_CHECKS);
      FUZZ_CHECK (step->n_choices >= 0 && step->n_choices <= LAB_LESSON_MAX_CHOICES);
      FUZZ_CHECK (step->run_epochs >= 0);
      for (int v = 0; v < step->n_views; v++)
        FUZZ_CHECK (in_views (step->views[v]));
      if (step->n_choices > 0)
        FUZZ_CHECK (step->answer >= 0 && step->answer < step->n_choices);
      for (int c = 0; c < step->n_checks; c++)
        {
          const LabCheck *check = &step->checks[c];

          FUZZ_CHECK (check->text != NULL);
          FUZZ_CHECK (check->op >= LAB_CHECK_LT && check->op <= LAB_CHECK_GE);
          FUZZ_CHECK (operand_ok (&check->left, step->number));
          for (int r = 0; r < (check->join != 0 ? 2 : 1); r++)
            FUZZ_CHECK (operand_ok (&check->right[r], step->number));
        }
    }
  lab_lesson_free (lesson);
  return 0;
}
