/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli-lesson.c: `latentlab lesson`: list the bundled lessons, or run a lesson's steps
 * headless and check every claim it makes against the model it trains. */
#include "lab-cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-clock.h"
#include "lab-lesson-run.h"
#include "lab-lesson.h"

static int
list_lessons (void)
{
  for (int i = 0; i < lab_lesson_bundled_count (); i++)
    {
      LabLesson *lesson = NULL;
      const char *name = lab_lesson_bundled_name (i);
      const char *text = lab_lesson_bundled_text (i);
      AeError err = { 0 };
      /* a bundled lesson that does not parse is a build defect: say so, list the rest */
      if (lab_lesson_parse (&lesson, text, strlen (text), name, &err) != AE_OK)
        {
          fprintf (stderr, "latentlab lesson: bundled lesson %s: %s\n", name, err.message);
          continue;
        }
      printf ("%s\t%s\n", name, lesson->title);
      lab_lesson_free (lesson);
    }
  return LAB_EXIT_OK;
}

static void
print_check (const LabLesson *lesson, const LabLessonStep *step, const LabCheck *check,
             double left, double right, int passed, int json)
{
  if (json)
    {
      LabJson j;
      lab_json_begin (&j, stdout);
      lab_json_string (&j, "lesson", lesson->name);
      lab_json_int (&j, "step", step->number);
      lab_json_string (&j, "check", check->text);
      lab_json_number (&j, "value", left);
      lab_json_number (&j, "against", right);
      lab_json_bool (&j, "passed", passed);
      lab_json_end (&j);
    }
  else
    printf ("  %-6s %s: %.4g against %.4g\n", passed ? "holds" : "FAILS", check->text, left, right);
  fflush (stdout);
}

static int
check_lesson (LabArgs *args, const char *arg, int json)
{
  LabLesson *lesson = NULL;
  AeError err = { 0 };
  AeStatus status = lab_lesson_open (&lesson, arg, &err);
  if (status != AE_OK)
    return lab_fail (args, status == AE_ERR_INVALID && strchr (arg, '/') == NULL
                             && strstr (arg, ".lesson") == NULL
                           ? LAB_EXIT_USAGE
                           : LAB_EXIT_FAILURE,
                     "%s", err.message);
  LabLessonRun *run = lab_lesson_run_new (lesson);
  int failed = 0, total = 0, exit_status = LAB_EXIT_OK;
  double t0 = ae_monotonic_seconds ();
  if (run == NULL)
    {
      lab_lesson_free (lesson);
      return lab_fail (args, LAB_EXIT_FAILURE, "out of memory");
    }
  if (!json)
    printf ("%s: %s (%d steps)\n", lesson->name, lesson->title, lesson->n_steps);
  for (int i = 0; i < lesson->n_steps && exit_status == LAB_EXIT_OK; i++)
    {
      const LabLessonStep *step = &lesson->steps[i];
      double t_step = ae_monotonic_seconds ();
      if (lab_lesson_run_step (run, i, &err) != AE_OK)
        {
          exit_status = lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
          break;
        }
      if (!json)
        printf ("step %d: %s (%.1f s)\n", step->number, step->title, ae_monotonic_seconds () - t_step);
      for (int c = 0; c < step->n_checks; c++)
        {
          double left, right;
          int passed = lab_check_evaluate (&step->checks[c], lab_lesson_run_measure (run, i),
                                           lab_lesson_run_measures (run), i, &left, &right);
          print_check (lesson, step, &step->checks[c], left, right, passed, json);
          failed += !passed;
          total++;
        }
    }
  if (exit_status == LAB_EXIT_OK && !json)
    printf ("%s: %d of %d checks hold (%.1f s)\n", lesson->name, total - failed, total,
            ae_monotonic_seconds () - t0);
  lab_lesson_run_free (run);
  lab_lesson_free (lesson);
  if (exit_status == LAB_EXIT_OK && failed > 0)
    exit_status = LAB_EXIT_FAILURE;
  return exit_status;
}

int
lab_cli_lesson (LabArgs *args)
{
  int list = lab_args_flag (args, "list"), check = lab_args_flag (args, "check");
  if (list)
    {
      if (args->n_positional > 0 || check)
        return lab_fail (args, LAB_EXIT_USAGE, "--list takes no lesson and no --check");
      return list_lessons ();
    }
  if (args->n_positional == 0 || !check)
    return lab_fail (args, LAB_EXIT_USAGE,
                     "expected --list, or a lesson and --check (latentlab lesson NAME|FILE --check); "
                     "the window opens one with latentlab --lesson NAME|FILE");
  /* the same seed and thread count give the same run: one thread unless told */
  long threads;
  if (!lab_args_int (args, "threads", 1, 0, 256, &threads))
    return LAB_EXIT_USAGE;
  ae_set_threads ((int) threads);
  return check_lesson (args, args->positional[0], lab_args_flag (args, "json"));
}
