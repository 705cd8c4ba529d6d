/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Background jobs are counted, and the end of the program waits for them: a worker still
 * in OpenBLAS when the process tears the library down would crash the exit. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "lab-background.h"

static void
slow_job (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_usleep (300 * 1000);
  /* only seen if the process is still there to write it; the main test process keeps its
   * standard output for the TAP report */
  if (g_test_subprocess ())
    {
      printf ("job finished\n");
      fflush (stdout);
    }
  g_task_return_boolean (task, TRUE);
}

static void
test_counted (void)
{
  GTask *task = g_task_new (NULL, NULL, NULL, NULL);

  lab_background_run (task, slow_job);
  g_object_unref (task);
  g_assert_cmpuint (lab_background_count (), ==, 1);
  for (int i = 0; i < 200 && lab_background_count () > 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (lab_background_count (), ==, 0);
}

/* A subprocess starts a job and exits at once; the job still gets to finish. */
static void
test_exit_waits (void)
{
  if (g_test_subprocess ())
    {
      GTask *task = g_task_new (NULL, NULL, NULL, NULL);

      lab_background_run (task, slow_job);
      g_object_unref (task);
      exit (0);
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*job finished*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/background/counted", test_counted);
  g_test_add_func ("/background/exit-waits", test_exit_waits);
  return g_test_run ();
}
