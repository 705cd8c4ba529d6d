/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-views-anomaly.c: the Anomaly view and its scoring under Xvfb: AUROC, ROC and the
 * counts at a threshold against hand-computed cases (ties included); the session's normal
 * classes keep the held-out classes out of training and validation while the test split
 * stays whole; after a few batches on the normal digits the view shows finite AUROCs for
 * the model and PCA, and its precision and recall are those of a direct count; on ecg the
 * labelled beats are the anomalies and the gallery shows sequences; the view makes its sets
 * and scores on workers.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-views-anomaly --tap` with
 * GSK_RENDERER=cairo; `--output DIR` keeps window shots there.
 */
#include <math.h>
#include <string.h>

#include "lab-anomaly.h"
#include "lab-anomaly-view.h"
#include "lab-window-private.h"
#include "window-test-util.h"

static void
test_auroc_ties (void)
{
  /* positives 0.4 and 0.8 against negatives 0.1, 0.4, 0.3: 0.4 beats two and ties one
   * (2.5 of 3), 0.8 beats all three: (2.5 + 3) / 6 */
  const float scores[] = { 0.1f, 0.4f, 0.4f, 0.8f, 0.3f };
  const guint8 anomalous[] = { 0, 0, 1, 1, 0 };
  const guint8 one_class[] = { 1, 1, 1, 1, 1 };
  double *fpr = NULL, *tpr = NULL;
  long n_roc;

  g_assert_cmpfloat_with_epsilon (lab_anomaly_auroc (scores, anomalous, 5), 5.5 / 6.0, 1e-12);
  g_assert_true (isnan (lab_anomaly_auroc (scores, one_class, 5)));
  /* one point per distinct score (4) plus the origin */
  n_roc = lab_anomaly_roc (scores, anomalous, 5, &fpr, &tpr);
  g_assert_cmpint (n_roc, ==, 5);
  g_assert_cmpfloat (fpr[0], ==, 0);
  g_assert_cmpfloat (tpr[0], ==, 0);
  g_assert_cmpfloat (fpr[n_roc - 1], ==, 1);
  g_assert_cmpfloat (tpr[n_roc - 1], ==, 1);
  /* after 0.8: tpr 1/2; after the tied 0.4s: fpr 1/3, tpr 1 */
  g_assert_cmpfloat_with_epsilon (tpr[1], 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (fpr[2], 1.0 / 3.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (tpr[2], 1.0, 1e-6);
  g_free (fpr);
  g_free (tpr);
  g_assert_cmpint (lab_anomaly_roc (scores, one_class, 5, &fpr, &tpr), ==, 0);
  g_assert_null (fpr);
}

static void
test_counts_at_threshold (void)
{
  const float scores[] = { 0.1f, 0.4f, 0.4f, 0.8f, 0.3f };
  const guint8 anomalous[] = { 0, 0, 1, 1, 0 };
  LabAnomalyCounts c;

  /* above 0.35: both 0.4s and 0.8 */
  lab_anomaly_count (&c, scores, anomalous, 5, 0.35);
  g_assert_cmpint (c.tp, ==, 2);
  g_assert_cmpint (c.fp, ==, 1);
  g_assert_cmpint (c.fn, ==, 0);
  g_assert_cmpint (c.tn, ==, 2);
  g_assert_cmpfloat_with_epsilon (c.precision, 2.0 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (c.recall, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (c.f1, 0.8, 1e-12);
  /* a score equal to the threshold is not above it; nothing flagged: precision undefined */
  lab_anomaly_count (&c, scores, anomalous, 5, (double) scores[3]);
  g_assert_cmpint (c.tp + c.fp, ==, 0);
  g_assert_true (isnan (c.precision));
  g_assert_cmpfloat (c.recall, ==, 0);
}

static void
test_squared_errors_per_step (void)
{
  /* one sample of 3 steps x 2 features */
  const float x[] = { 1, 0, 0.5f, 0.5f, 0, 0 };
  const float y[] = { 0, 0, 0.5f, 0, 0, 1 };
  float errors[1], steps[3];

  lab_anomaly_squared_errors (errors, steps, x, y, 1, 6, 3);
  g_assert_cmpfloat_with_epsilon (errors[0], 1 + 0.25 + 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (steps[0], 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (steps[1], 0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (steps[2], 1, 1e-6);
}

/* Labels of a split, counted per class. */
static void
count_labels (LabSession *session, LabSplit split, long counts[10])
{
  long n = lab_session_get_split_size (session, split);

  memset (counts, 0, 10 * sizeof *counts);
  for (long i = 0; i < n; i++)
    {
      int label;

      g_assert_nonnull (lab_session_get_sample (session, split, i, &label));
      g_assert_cmpint (label, >=, 0);
      g_assert_cmpint (label, <, 10);
      counts[label]++;
    }
}

static void
test_normal_classes_stay_out_of_training (void)
{
  g_autoptr (LabSession) session = lab_session_new ();
  g_autoptr (GError) error = NULL;
  long train[10], val[10], test[10], train_f[10], val_f[10], test_f[10];
  g_autofree char *value = NULL;

  g_assert_true (lab_session_load (session, "digits", "undercomplete", &error));
  g_assert_no_error (error);
  count_labels (session, LAB_SPLIT_TRAIN, train);
  count_labels (session, LAB_SPLIT_VAL, val);
  count_labels (session, LAB_SPLIT_TEST, test);

  g_assert_true (lab_session_set_option (session, "normal", "1,4,7", &error));
  g_assert_no_error (error);
  value = lab_session_dup_option (session, "normal");
  g_assert_cmpstr (value, ==, "1,4,7");
  count_labels (session, LAB_SPLIT_TRAIN, train_f);
  count_labels (session, LAB_SPLIT_VAL, val_f);
  count_labels (session, LAB_SPLIT_TEST, test_f);
  for (int c = 0; c < 10; c++)
    {
      gboolean normal = c == 1 || c == 4 || c == 7;

      /* every normal sample stays, no held-out one trains; the test split is whole */
      g_assert_cmpint (train_f[c], ==, normal ? train[c] : 0);
      g_assert_cmpint (val_f[c], ==, normal ? val[c] : 0);
      g_assert_cmpint (test_f[c], ==, test[c]);
      g_assert_cmpint (test[c], >, 0);
    }

  /* another choice starts from the whole split again, not from the filtered one */
  g_assert_true (lab_session_set_option (session, "normal", "0,1,2,3,4,5,6,7,8", &error));
  count_labels (session, LAB_SPLIT_TRAIN, train_f);
  for (int c = 0; c < 10; c++)
    g_assert_cmpint (train_f[c], ==, c < 9 ? train[c] : 0);

  /* a bad class is refused and changes nothing */
  g_assert_false (lab_session_set_option (session, "normal", "3,12", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "12"));
  g_clear_error (&error);
  count_labels (session, LAB_SPLIT_TRAIN, train_f);
  g_assert_cmpint (train_f[9], ==, 0);

  /* "" trains on every class again */
  g_assert_true (lab_session_set_option (session, "normal", "", &error));
  count_labels (session, LAB_SPLIT_TRAIN, train_f);
  for (int c = 0; c < 10; c++)
    g_assert_cmpint (train_f[c], ==, train[c]);
}

static LabAnomalyView *
anomaly_view (LabWindow *window)
{
  return LAB_ANOMALY_VIEW (gtk_stack_get_child_by_name (window->stack, "anomaly"));
}

static void
wait_for_data (LabSession *session)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (lab_session_get_loading (session) || lab_session_get_snapshot (session) == NULL
         || lab_session_get_split_size (session, LAB_SPLIT_TEST) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* The window on data with preset, on the Anomaly view, once the data have loaded. */
static void
open_on (LabWindow *window, const char *data, const char *preset)
{
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  lab_window_start (window, data, preset, FALSE, "anomaly");
  gtk_window_present (GTK_WINDOW (window));
  wait_for_data (lab_window_get_session (window));
}

/* Trains `steps` batches, pauses, and waits for a scoring of the newest weights. */
static void
train_and_score (LabWindow *window, long steps)
{
  LabSession *session = lab_window_get_session (window);
  LabAnomalyView *view = anomaly_view (window);
  gint64 end = g_get_monotonic_time () + 180 * G_USEC_PER_SEC;

  lab_session_run (session);
  for (;;)
    {
      LabSnapshot *s = lab_session_get_snapshot (session);

      if (s != NULL && s->weights != NULL && s->steps >= steps)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  lab_session_pause (session);
  spin_for (0.5);
  /* the final weights are scored after at most the interval and one scoring */
  while (!lab_anomaly_view_is_current (view))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin_for (0.1);
    }
  g_assert_cmpuint (lab_anomaly_view_get_n_scored (view), >, 0);
}

static void
assert_metrics_match_count (LabAnomalyView *view, double threshold)
{
  const guint8 *anomalous;
  const float *scores;
  long n, tp = 0, fp = 0, fn = 0;
  double precision, recall, f1;

  lab_anomaly_view_set_threshold (view, threshold);
  scores = lab_anomaly_view_get_scores (view, &anomalous, &n);
  g_assert_nonnull (scores);
  for (long i = 0; i < n; i++)
    {
      tp += anomalous[i] && scores[i] > threshold;
      fp += !anomalous[i] && scores[i] > threshold;
      fn += anomalous[i] && !(scores[i] > threshold);
    }
  lab_anomaly_view_get_metrics (view, &precision, &recall, &f1);
  g_assert_cmpint (tp + fn, >, 0);
  g_assert_cmpfloat_with_epsilon (recall, (double) tp / (tp + fn), 1e-12);
  if (tp + fp > 0)
    {
      g_assert_cmpfloat_with_epsilon (precision, (double) tp / (tp + fp), 1e-12);
      g_assert_cmpfloat_with_epsilon (f1, 2.0 * tp / (2.0 * tp + fp + fn), 1e-12);
    }
  else
    g_assert_true (isnan (precision));
}

/* Another dataset scored by the model: each score is the squared error of the weights'
 * own reconstruction; data of the wrong size are refused with the file named. */
static void
assert_file_scores (LabWeights *weights)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LabAnomalySet) set = lab_anomaly_set_load ("digits", 784, 300, &error);
  g_autoptr (LabAnomalyResult) result = NULL;
  g_autofree float *recon = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (set);
  g_assert_cmpint (set->n, ==, 300);
  result = lab_anomaly_score (weights, set, NULL);
  g_assert_cmpint (result->n, ==, 300);
  g_assert_null (result->pca_errors);
  recon = g_new (float, 784);
  for (long i = 0; i < set->n; i += 37)
    {
      double expected = 0;

      g_assert_cmpint (set->anomalous[i], ==, 0);
      lab_weights_reconstruct (weights, recon, set->x + i * 784, 1);
      for (int j = 0; j < 784; j++)
        expected += (set->x[i * 784 + j] - recon[j]) * (double) (set->x[i * 784 + j] - recon[j]);
      g_assert_cmpfloat_with_epsilon (result->errors[i], expected, 1e-4 * (1 + expected));
    }

  g_assert_null (lab_anomaly_set_load ("sines", 784, 300, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "sines"));
  g_assert_nonnull (strstr (error->message, "784"));
}

/* The test split is whole: about a tenth of it is the one digit held out. Returns the
 * count scored. */
static long
assert_one_digit_held_out (LabAnomalyView *view)
{
  const guint8 *anomalous;
  long n_scored = 0, n_anomalous = 0;
  const float *scores = lab_anomaly_view_get_scores (view, &anomalous, &n_scored);

  g_assert_nonnull (scores);
  for (long i = 0; i < n_scored; i++)
    {
      g_assert_true (isfinite (scores[i]));
      n_anomalous += anomalous[i];
    }
  g_assert_cmpint (n_anomalous, >, n_scored / 20);
  g_assert_cmpint (n_anomalous, <, n_scored / 5);
  return n_scored;
}

static void
test_view_on_digits (void)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  LabAnomalyView *view = anomaly_view (window);
  g_autoptr (GError) error = NULL;
  gboolean normal[10];
  const guint8 *anomalous;
  const float *scores;
  double auroc, pca_auroc;
  long n;

  open_on (window, "digits", "undercomplete");
  g_assert_true (lab_session_set_option (session, "hidden", "64", &error));
  g_assert_true (lab_session_set_option (session, "latent", "8", &error));
  g_assert_no_error (error);
  /* normal: every digit but 1, the easiest to reconstruct and so the hardest to flag */
  for (int c = 0; c < 10; c++)
    normal[c] = c != 1;
  lab_anomaly_view_set_normal (view, normal, 10);
  g_assert_true (lab_anomaly_view_apply_normal (view, &error));
  g_assert_no_error (error);
  train_and_score (window, 150);

  auroc = lab_anomaly_view_get_auroc (view, &pca_auroc);
  g_test_message ("digits, normal all but 1, 150 batches: AUROC %.4f, PCA-8 %.4f", auroc, pca_auroc);
  g_assert_true (isfinite (auroc));
  g_assert_true (isfinite (pca_auroc));
  g_assert_cmpint (assert_one_digit_held_out (view), >, 500);
  scores = lab_anomaly_view_get_scores (view, &anomalous, &n);
  assert_metrics_match_count (view, scores[0]);
  assert_metrics_match_count (view, scores[n / 2] * 0.5);
  assert_file_scores (lab_session_get_snapshot (session)->weights);
  save_window_shot (window, "anomaly-view-digits.png");
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

static void
test_view_on_ecg (void)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  LabAnomalyView *view = anomaly_view (window);
  g_autoptr (GError) error = NULL;
  const guint8 *anomalous;
  const float *scores;
  double auroc, pca_auroc;
  long n, n_anomalous = 0;

  open_on (window, "ecg", "sequence");
  g_assert_true (lab_session_set_option (session, "hidden", "16", &error));
  g_assert_no_error (error);
  train_and_score (window, 40);

  auroc = lab_anomaly_view_get_auroc (view, &pca_auroc);
  g_test_message ("ecg, sequence preset, 40 batches: AUROC %.4f, PCA %.4f", auroc, pca_auroc);
  g_assert_true (isfinite (auroc));
  scores = lab_anomaly_view_get_scores (view, &anomalous, &n);
  g_assert_nonnull (scores);
  /* the anomalies are the beats the dataset labels, which are in the test split only */
  for (long i = 0; i < n; i++)
    n_anomalous += anomalous[i];
  g_assert_cmpint (n_anomalous, >, 0);
  g_assert_cmpint (n_anomalous, <, n);
  assert_metrics_match_count (view, scores[n / 2]);
  save_window_shot (window, "anomaly-view-ecg.png");
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

/* Shown while training runs and while the classes are ticked, the view makes its sets
 * and scores on workers: a tick returns at once with the sets still being made, and the
 * main thread passes no sample through the model. */
static void
test_main_thread_computes_nothing (void)
{
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  LabAnomalyView *view = anomaly_view (window);
  g_autoptr (GError) error = NULL;
  gboolean normal[10];
  guint64 here;

  open_on (window, "digits", "undercomplete");
  g_assert_true (lab_session_set_option (session, "hidden", "64", &error));
  g_assert_no_error (error);
  here = lab_weights_get_samples_computed_here ();
  lab_session_run (session);
  spin_for (1.0);
  /* hold out the 3s: the test split's flags follow, made on a worker */
  for (int c = 0; c < 10; c++)
    normal[c] = c != 3;
  lab_anomaly_view_set_normal (view, normal, 10);
  g_assert_true (lab_background_owner_is_busy (G_OBJECT (view)));
  train_and_score (window, 60);
  wait_for_view (view);
  g_assert_cmpuint (lab_weights_get_samples_computed_here () - here, ==, 0);
  assert_one_digit_held_out (view);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

int
main (int argc, char **argv)
{
  window_test_init (&argc, &argv);

  g_test_add_func ("/views/anomaly/auroc-ties", test_auroc_ties);
  g_test_add_func ("/views/anomaly/counts-at-threshold", test_counts_at_threshold);
  g_test_add_func ("/views/anomaly/squared-errors-per-step", test_squared_errors_per_step);
  g_test_add_func ("/views/anomaly/normal-classes-stay-out-of-training",
                   test_normal_classes_stay_out_of_training);
  g_test_add_func ("/views/anomaly/digits", test_view_on_digits);
  g_test_add_func ("/views/anomaly/ecg", test_view_on_ecg);
  g_test_add_func ("/views/anomaly/main-thread-computes-nothing", test_main_thread_computes_nothing);

  return g_test_run ();
}
