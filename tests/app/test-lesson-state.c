/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-lesson-state.c: a lesson as the window runs it (LabLessonState), without a display.
 *
 * The settings a step leads to, the state kept in session files and refused when it does
 * not fit the lesson, and the window's measure of a step's checks: taken on a worker from a
 * copy of the samples the metrics read, it gives exactly the values of the command line's
 * metric code run on the whole dataset with the same weights.
 */
#include <math.h>
#include <string.h>

#include "lab-lesson-measure.h"
#include "lab-lesson-state.h"
#include "lab-session-private.h"

static void
test_settings (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabLessonState) state = lab_lesson_state_open ("pca", &error);
  g_autofree char *dataset = NULL, *preset = NULL, *normal = NULL;
  g_auto(GStrv) names = NULL, values = NULL;
  gboolean fresh = TRUE;

  g_assert_no_error (error);
  g_assert_cmpstr (lab_lesson_state_get_source (state), ==, "bundled:pca");
  g_assert_cmpuint (lab_lesson_state_get_n_steps (state), ==, 4);
  /* step 2 changes only the learning rate: it trains on, with step 1's options in force */
  g_assert_true (lab_lesson_state_step_settings (state, 1, &dataset, &preset, &names, &values,
                                                 &normal, &fresh, &error));
  g_assert_cmpstr (dataset, ==, "digits");
  g_assert_cmpstr (preset, ==, "linear");
  g_assert_false (fresh);
  g_assert_cmpstr (normal, ==, "");
  g_assert_cmpuint (g_strv_length (names), ==, 4);
  g_assert_cmpstr (names[0], ==, "latent");
  g_assert_cmpstr (values[0], ==, "4");
  g_assert_cmpstr (names[3], ==, "lr");
  g_assert_cmpstr (values[3], ==, "0.003");
  g_clear_pointer (&dataset, g_free);
  g_clear_pointer (&preset, g_free);
  g_clear_pointer (&normal, g_free);
  g_clear_pointer (&names, g_strfreev);
  g_clear_pointer (&values, g_strfreev);
  /* step 3 names a preset: a fresh model, the earlier options gone */
  g_assert_true (lab_lesson_state_step_settings (state, 2, &dataset, &preset, &names, &values,
                                                 &normal, &fresh, &error));
  g_assert_cmpstr (preset, ==, "undercomplete");
  g_assert_true (fresh);
  g_assert_cmpstr (names[0], ==, "latent");
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_true (lab_lesson_state_step_locks (state, 2, "preset"));
  g_assert_false (lab_lesson_state_step_locks (state, 2, "options"));
}

static void
test_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabLessonState) state = lab_lesson_state_open ("pca", &error);
  g_autoptr(LabLessonState) back = NULL;
  g_autofree char *text = NULL;

  lab_lesson_state_set_step (state, 2);
  lab_lesson_state_set_answer (state, 0, 1);
  lab_lesson_state_set_ran (state, 0, TRUE);
  text = lab_lesson_state_to_text (state);
  g_assert_cmpstr (text, ==, "3 1,-1,-1,-1 1,0,0,0 bundled:pca");
  back = lab_lesson_state_from_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lab_lesson_state_get_step (back), ==, 2);
  g_assert_cmpint (lab_lesson_state_get_answer (back, 0), ==, 1);
  g_assert_true (lab_lesson_state_get_ran (back, 0));
  g_assert_false (lab_lesson_state_get_ran (back, 1));

  /* a state that does not fit its lesson is refused, naming what */
  g_clear_object (&back);
  back = lab_lesson_state_from_text ("9 1,-1,-1,-1 1,0,0,0 bundled:pca", &error);
  g_assert_null (back);
  g_assert_nonnull (strstr (error->message, "pca"));
  g_clear_error (&error);
  back = lab_lesson_state_from_text ("1 7,-1,-1,-1 1,0,0,0 bundled:pca", &error);
  g_assert_null (back);
  g_clear_error (&error);
  back = lab_lesson_state_from_text ("1 -1 0 bundled:nosuch", &error);
  g_assert_null (back);
  g_assert_nonnull (strstr (error->message, "nosuch"));
}

static void
on_snapshot (LabSession *session, LabSnapshot *snapshot, LabSnapshot **last)
{
  g_clear_pointer (last, lab_snapshot_unref);
  *last = lab_snapshot_ref (snapshot);
}

static void
on_changed (LabLessonState *state, gboolean *changed)
{
  *changed = TRUE;
}

static void
test_measure_matches (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabLessonState) state = lab_lesson_state_open ("pca", &error);
  g_autoptr(LabSession) session = lab_session_new ();
  LabSnapshot *last = NULL;
  gboolean changed = FALSE;
  gint64 end, start;
  LabMeasure *direct;
  double left, right;

  g_assert_true (lab_session_load (session, "digits", "linear", &error));
  g_assert_no_error (error);
  g_assert_true (lab_session_set_option (session, "latent", "4", &error));
  g_signal_connect (session, "snapshot", G_CALLBACK (on_snapshot), &last);
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while ((last == NULL || last->weights == NULL) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (last);
  g_assert_nonnull (last->weights);

  g_signal_connect (state, "changed", G_CALLBACK (on_changed), &changed);
  start = g_get_monotonic_time ();
  g_assert_true (lab_lesson_state_measure (state, 0, session, last));
  /* what the main thread spends, once per model: copying the indices of the samples the
   * worker copies (a figure, not a test) */
  g_test_message ("measure started in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_true (lab_lesson_state_get_measuring (state));
  while (lab_lesson_state_get_measuring (state) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (changed);

  /* the command line's code on the whole dataset, with the same weights */
  direct = lab_measure_new (_lab_weights_clone_model (last->weights),
                            _lab_session_get_dataset (session), NULL);
  g_assert_nonnull (direct);
  g_assert_cmpint (lab_lesson_state_check_state (state, 0, 0, &left, &right), !=,
                   LAB_CHECK_NOT_MEASURED);
  g_assert_cmpstr (lab_lesson_state_check_text (state, 0, 0), ==, "pca_angle < 30");
  g_assert_cmpfloat (left, ==, lab_measure_get (direct, "pca_angle"));
  g_assert_cmpstr (lab_lesson_state_check_text (state, 0, 1), ==, "test_error < pca_error * 1.05");
  lab_lesson_state_check_state (state, 0, 1, &left, &right);
  g_assert_cmpfloat (left, ==, lab_measure_get (direct, "test_error"));
  g_assert_cmpfloat (right, ==, lab_measure_get (direct, "pca_error") * 1.05);
  g_assert_true (isfinite (left) && isfinite (right));
  lab_measure_free (direct);

  /* measured again on the same model (live, once an epoch): the samples are not copied again */
  start = g_get_monotonic_time ();
  g_assert_true (lab_lesson_state_measure (state, 0, session, last));
  g_test_message ("measured again: started in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  while (lab_lesson_state_get_measuring (state) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (lab_lesson_state_check_state (state, 0, 0, &left, &right), !=,
                   LAB_CHECK_NOT_MEASURED);

  lab_lesson_state_clear_measure (state, 0);
  g_assert_cmpint (lab_lesson_state_check_state (state, 0, 0, NULL, NULL), ==, LAB_CHECK_NOT_MEASURED);
  g_clear_pointer (&last, lab_snapshot_unref);
  lab_session_close (session);
}

/* The first measure of a model copies its samples on the worker, from the dataset the
 * session lends it: a new dataset loaded meanwhile frees the old one only when the worker
 * lets it go, and the values are those of the data the model was trained on. */
static void
test_measure_outlives_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabLessonState) state = lab_lesson_state_open ("pca", &error);
  g_autoptr(LabSession) session = lab_session_new ();
  LabSnapshot *last = NULL;
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  LabMeasure *direct;
  double left, right;

  g_assert_true (lab_session_load (session, "digits", "linear", &error));
  g_assert_no_error (error);
  g_signal_connect (session, "snapshot", G_CALLBACK (on_snapshot), &last);
  while ((last == NULL || last->weights == NULL) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (last);
  lab_session_pause (session);
  direct = lab_measure_new (_lab_weights_clone_model (last->weights),
                            _lab_session_get_dataset (session), NULL);
  g_assert_nonnull (direct);
  left = lab_measure_get (direct, "pca_angle");

  g_assert_true (lab_lesson_state_measure (state, 0, session, last));
  g_assert_true (lab_session_load (session, "sines", NULL, &error));
  g_assert_no_error (error);
  while (lab_lesson_state_get_measuring (state) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (lab_lesson_state_get_measuring (state));
  g_assert_cmpint (lab_lesson_state_check_state (state, 0, 0, &right, NULL), !=,
                   LAB_CHECK_NOT_MEASURED);
  g_assert_cmpfloat (right, ==, left);
  lab_measure_free (direct);
  g_clear_pointer (&last, lab_snapshot_unref);
  lab_session_close (session);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lesson-state/settings", test_settings);
  g_test_add_func ("/lesson-state/text", test_text);
  g_test_add_func ("/lesson-state/measure-matches", test_measure_matches);
  g_test_add_func ("/lesson-state/measure-outlives-data", test_measure_outlives_data);
  return g_test_run ();
}
