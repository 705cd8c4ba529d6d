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

/* --- slots ------------------------------------------------------------------------------- */

static GThread *main_thread;

/* The input (a number) squared, slowly enough that requests pile up behind it. */
static gpointer
square_work (gpointer input, GCancellable *cancellable)
{
  int x = GPOINTER_TO_INT (input);

  g_assert_true (g_thread_self () != main_thread);
  g_usleep (50 * 1000);
  return g_memdup2 (&(int) { x * x }, sizeof (int));
}

typedef struct {
  GArray *inputs, *outputs;
} Seen;

static void
square_done (GObject *owner, gpointer input, gpointer output)
{
  Seen *seen = g_object_get_data (owner, "seen");

  g_assert_true (g_thread_self () == main_thread);
  g_array_append_val (seen->inputs, (int) { GPOINTER_TO_INT (input) });
  g_array_append_val (seen->outputs, *(int *) output);
  g_free (output);
}

static void
wait_idle (GObject *owner)
{
  for (int i = 0; i < 500 && lab_background_owner_is_busy (owner); i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (lab_background_owner_is_busy (owner));
}

/* Requests made while a job runs: the latest replaces the one that waits, so the first and
 * the last are computed and shown, in that order, on the main thread; a cancel drops the
 * running job's result and the waiting request. */
static void
test_slot_latest_wins (void)
{
  GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (int)), g_array_new (FALSE, FALSE, sizeof (int)) };
  LabBackgroundSlot *slot;

  main_thread = g_thread_self ();
  g_object_set_data (owner, "seen", &seen);
  slot = lab_background_slot_new (owner, square_work, NULL, square_done, g_free);
  g_assert_false (lab_background_owner_is_busy (owner));
  for (int x = 1; x <= 10; x++)
    lab_background_slot_request (slot, GINT_TO_POINTER (x));
  g_assert_true (lab_background_slot_is_busy (slot));
  g_assert_true (lab_background_owner_is_busy (owner));
  wait_idle (owner);
  g_assert_cmpuint (seen.inputs->len, ==, 2);
  g_assert_cmpint (g_array_index (seen.inputs, int, 0), ==, 1);
  g_assert_cmpint (g_array_index (seen.inputs, int, 1), ==, 10);
  g_assert_cmpint (g_array_index (seen.outputs, int, 1), ==, 100);

  /* a cancel: nothing of what ran or waited is shown; a request after it is */
  lab_background_slot_request (slot, GINT_TO_POINTER (3));
  lab_background_slot_request (slot, GINT_TO_POINTER (4));
  lab_background_slot_cancel (slot);
  g_assert_false (lab_background_owner_is_busy (owner));
  lab_background_slot_request (slot, GINT_TO_POINTER (5));
  wait_idle (owner);
  g_assert_cmpuint (seen.inputs->len, ==, 3);
  g_assert_cmpint (g_array_index (seen.outputs, int, 2), ==, 25);

  /* the owner goes while a job runs: the result is dropped, nothing leaks or crashes */
  lab_background_slot_request (slot, GINT_TO_POINTER (6));
  lab_background_slot_free (slot);
  g_object_unref (owner);
  for (int i = 0; i < 100 && lab_background_count () > 0; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (seen.inputs->len, ==, 3);
  g_array_unref (seen.inputs);
  g_array_unref (seen.outputs);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/background/counted", test_counted);
  g_test_add_func ("/background/exit-waits", test_exit_waits);
  g_test_add_func ("/background/slot-latest-wins", test_slot_latest_wins);
  return g_test_run ();
}
