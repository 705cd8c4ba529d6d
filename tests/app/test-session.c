/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-session.c: LabSession driven without a display, through its main context.
 *
 * Each test loads the embedded digits with a small model so that batches take
 * milliseconds, sends commands, iterates the default main context and checks what the
 * "snapshot" signal delivers.
 */
#include <math.h>
#include <string.h>

#include "lab-projection.h"
#include "lab-session.h"

/* Follows every delivery and records what would break the contract with the UI. */
typedef struct {
  guint count;
  guint generation;
  gulong serial;
  long steps;
  guint out_of_order;   /* serial or steps going back within a generation */
  guint older_generation;
  guint non_finite;     /* a NaN or infinity in a curve */
  guint unsorted;       /* a curve whose x goes back */
  LabSnapshot *last;
} Recorder;

static void
check_curve (Recorder *rec, const LabCurve *curve)
{
  for (guint i = 0; i < curve->n; i++)
    {
      if (!isfinite (curve->x[i]) || !isfinite (curve->y[i]))
        rec->non_finite++;
      if (i > 0 && curve->x[i] < curve->x[i - 1])
        rec->unsorted++;
    }
}

static void
on_snapshot (LabSession *session, LabSnapshot *snapshot, Recorder *rec)
{
  if (snapshot->generation < rec->generation)
    rec->older_generation++;
  else if (snapshot->generation == rec->generation && rec->count > 0)
    {
      /* serial 0 is the session's own snapshot at the start of a generation */
      if (snapshot->serial != 0 && snapshot->serial < rec->serial)
        rec->out_of_order++;
      if (snapshot->steps < rec->steps)
        rec->out_of_order++;
    }
  rec->generation = snapshot->generation;
  rec->serial = snapshot->serial;
  rec->steps = snapshot->steps;
  rec->count++;

  for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
    {
      check_curve (rec, &snapshot->train[t]);
      check_curve (rec, &snapshot->val[t]);
    }

  g_clear_pointer (&rec->last, lab_snapshot_unref);
  rec->last = lab_snapshot_ref (snapshot);
}

static void
recorder_check_clean (Recorder *rec)
{
  g_assert_cmpuint (rec->out_of_order, ==, 0);
  g_assert_cmpuint (rec->older_generation, ==, 0);
  g_assert_cmpuint (rec->non_finite, ==, 0);
  g_assert_cmpuint (rec->unsorted, ==, 0);
}

typedef gboolean (*Condition) (LabSession *session, Recorder *rec, gpointer data);

/* Iterates the main context until cond holds; FALSE after timeout_s seconds. */
static gboolean
wait_for (LabSession *session, Recorder *rec, Condition cond, gpointer data, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (!cond (session, rec, data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (500);
    }
  return TRUE;
}

/* Iterates for a while whatever happens. */
static void
spin_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
}

static gboolean
steps_at_least (LabSession *session, Recorder *rec, gpointer data)
{
  return rec->last != NULL && rec->last->steps >= GPOINTER_TO_INT (data)
         && rec->last->generation == lab_session_get_generation (session);
}

static gboolean
steps_exactly (LabSession *session, Recorder *rec, gpointer data)
{
  return rec->last != NULL && rec->last->steps == GPOINTER_TO_INT (data)
         && rec->last->generation == lab_session_get_generation (session);
}

static gboolean
not_running (LabSession *session, Recorder *rec, gpointer data)
{
  return !lab_session_get_running (session) && rec->last != NULL
         && rec->last->state != LAB_TRAINING_RUNNING;
}

static gboolean
has_weights (LabSession *session, Recorder *rec, gpointer data)
{
  return lab_session_get_weights (session) != NULL;
}

static gboolean
is_diverged (LabSession *session, Recorder *rec, gpointer data)
{
  return rec->last != NULL && rec->last->state == LAB_TRAINING_DIVERGED;
}

static void
set_option (LabSession *session, const char *key, const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_session_set_option (session, key, value, &error));
  g_assert_no_error (error);
}

/* A session on the digits with a small model: batches of a few milliseconds. */
static LabSession *
small_session (Recorder *rec, const char *preset)
{
  g_autoptr(GError) error = NULL;
  LabSession *session = lab_session_new ();

  memset (rec, 0, sizeof *rec);
  g_signal_connect (session, "snapshot", G_CALLBACK (on_snapshot), rec);
  g_assert_true (lab_session_load (session, "digits", preset, &error));
  g_assert_no_error (error);
  if (strcmp (preset, "conv") != 0 && strcmp (preset, "sequence") != 0)
    set_option (session, "hidden", "64");
  set_option (session, "latent", "8");
  set_option (session, "batch", "64");
  return session;
}

static void
free_session (LabSession *session, Recorder *rec)
{
  g_object_unref (session);
  g_clear_pointer (&rec->last, lab_snapshot_unref);
}

static void
test_load (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete");
  g_autofree char *lr = lab_session_dup_option (session, "lr");
  g_autofree char *hidden = lab_session_dup_option (session, "hidden");
  g_autofree char *arch = lab_session_dup_architecture (session);
  int channels = 0, height = 0, width = 0;
  int label = -2;

  g_assert_cmpstr (lab_session_get_dataset_name (session), ==, "MNIST digits");
  g_assert_cmpstr (lab_session_get_preset (session), ==, "undercomplete");
  g_assert_cmpstr (hidden, ==, "64");
  g_assert_cmpfloat (g_ascii_strtod (lr, NULL), >, 0);
  g_assert_cmpstr (arch, ==, "784 → 64 → 8");
  g_assert_true (lab_session_get_sample_shape (session, &channels, &height, &width));
  g_assert_cmpint (channels * height * width, ==, 784);
  g_assert_cmpint (lab_session_get_split_size (session, LAB_SPLIT_TEST), ==, 2000);
  g_assert_nonnull (lab_session_get_sample (session, LAB_SPLIT_TEST, 0, &label));
  g_assert_cmpint (label, >=, 0);
  g_assert_cmpint (label, <=, 9);
  g_assert_null (lab_session_get_sample (session, LAB_SPLIT_TEST, 2000, NULL));
  g_assert_false (lab_session_get_running (session));

  /* the fresh model's first delivery carries pictures and weights without training */
  g_assert_true (wait_for (session, &rec, has_weights, NULL, 10));
  g_assert_nonnull (rec.last);
  g_assert_cmpint (rec.last->steps, ==, 0);

  free_session (session, &rec);
}

/* The sidebar's encoder line stays short for convolutions: the channel counts, then the code
 * (or the last feature maps as the code, with a code size of 0). */
static void
test_architecture_line (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "conv");
  char *arch = lab_session_dup_architecture (session);

  g_assert_cmpstr (arch, ==, "conv 16,32 → 8");
  g_free (arch);
  free_session (session, &rec);

  session = lab_session_new ();
  g_assert_true (lab_session_load (session, "digits", "denoising", NULL));
  arch = lab_session_dup_architecture (session);
  g_assert_cmpstr (arch, ==, "conv 8,16,32 (code)");
  g_free (arch);
  g_object_unref (session);
}

static int
session_epochs (LabSession *session)
{
  int epochs = 0;

  g_object_get (session, "epochs", &epochs, NULL);
  return epochs;
}

/* A preset's epochs are for the digits: on Fashion-MNIST's larger split it trains as many
 * images in fewer epochs, and epochs the user chose stay as they are. */
static void
test_preset_epochs_follow_the_data (void)
{
  LabSession *session = lab_session_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_session_load (session, "digits", "denoising", &error));
  g_assert_cmpint (session_epochs (session), ==, 40);
  if (!g_file_test ("/usr/share/datasets/fashion-mnist", G_FILE_TEST_IS_DIR))
    {
      g_object_unref (session);
      g_test_skip ("Fashion-MNIST is not installed (dataset-fashion-mnist)");
      return;
    }
  /* 40 epochs of 7,200 images are 5 of 54,000 */
  g_assert_true (lab_session_load (session, "fashion", "denoising", &error));
  g_assert_cmpint (session_epochs (session), ==, 5);
  /* the same configuration back on the digits: the preset's epochs again */
  g_assert_true (lab_session_load (session, "digits", NULL, &error));
  g_assert_cmpint (session_epochs (session), ==, 40);
  g_assert_true (lab_session_set_option (session, "epochs", "7", &error));
  g_assert_true (lab_session_load (session, "fashion", NULL, &error));
  g_assert_cmpint (session_epochs (session), ==, 7);
  g_object_unref (session);
}

static void
test_bad_options (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autofree char *latent = NULL;
  guint generation = lab_session_get_generation (session);

  g_assert_false (lab_session_set_option (session, "latent", "-3", &error));
  g_assert_nonnull (error);
  g_assert_false (lab_session_option_is_live (session, "lr", "banana"));
  g_assert_false (lab_session_load (session, "/nonexistent/file.idx", NULL, &error2));
  g_assert_nonnull (error2);
  g_assert_nonnull (strstr (error2->message, "/nonexistent/file.idx"));

  /* nothing changed */
  latent = lab_session_dup_option (session, "latent");
  g_assert_cmpstr (latent, ==, "8");
  g_assert_cmpuint (lab_session_get_generation (session), ==, generation);
  g_assert_cmpstr (lab_session_get_dataset_name (session), ==, "MNIST digits");

  free_session (session, &rec);
}

static void
test_run_pause (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete");
  long paused_steps;

  lab_session_run (session);
  g_assert_true (lab_session_get_running (session));
  g_assert_true (wait_for (session, &rec, steps_at_least, GINT_TO_POINTER (20), 30));
  g_assert_cmpuint (rec.last->train[LAB_LOSS_RECONSTRUCTION].n, >, 0);
  g_assert_nonnull (rec.last->preview_output);
  g_assert_cmpfloat (rec.last->samples_per_s, >, 0);

  lab_session_pause (session);
  g_assert_false (lab_session_get_running (session));
  g_assert_true (wait_for (session, &rec, not_running, NULL, 10));
  spin_for (0.1);
  paused_steps = rec.last->steps;

  /* paused means paused: no batch after the trainer said so */
  spin_for (0.3);
  g_assert_cmpint (rec.last->steps, ==, paused_steps);
  g_assert_false (lab_session_get_running (session));

  /* and Run resumes where it was */
  lab_session_run (session);
  g_assert_true (wait_for (session, &rec, steps_at_least, GINT_TO_POINTER (paused_steps + 5), 30));
  lab_session_pause (session);
  g_assert_true (wait_for (session, &rec, not_running, NULL, 10));

  recorder_check_clean (&rec);
  free_session (session, &rec);
}

static void
test_step (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete");
  long batches;

  lab_session_step_batch (session);
  g_assert_true (wait_for (session, &rec, steps_exactly, GINT_TO_POINTER (1), 10));
  lab_session_step_batch (session);
  g_assert_true (wait_for (session, &rec, steps_exactly, GINT_TO_POINTER (2), 10));
  spin_for (0.1);
  g_assert_cmpint (rec.last->steps, ==, 2);
  g_assert_false (lab_session_get_running (session));

  /* a step of an epoch ends in the next epoch with a validation point */
  batches = rec.last->batches_per_epoch;
  g_assert_cmpint (batches, >, 2);
  lab_session_step_epoch (session);
  g_assert_true (wait_for (session, &rec, steps_at_least, GINT_TO_POINTER (batches), 30));
  spin_for (0.1);
  g_assert_cmpint (rec.last->epoch, ==, 1);
  g_assert_cmpuint (rec.last->val[LAB_LOSS_RECONSTRUCTION].n, >=, 1);
  g_assert_false (lab_session_get_running (session));

  recorder_check_clean (&rec);
  free_session (session, &rec);
}

static void
test_reset (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete");
  guint generation;

  lab_session_run (session);
  g_assert_true (wait_for (session, &rec, steps_at_least, GINT_TO_POINTER (30), 30));
  generation = lab_session_get_generation (session);

  lab_session_reset (session);
  /* at once, before the trainer has answered: a new generation with nothing in it */
  g_assert_cmpuint (lab_session_get_generation (session), ==, generation + 1);
  g_assert_cmpuint (rec.last->generation, ==, generation + 1);
  g_assert_false (lab_snapshot_has_history (rec.last));
  g_assert_cmpint (rec.last->steps, ==, 0);
  g_assert_false (lab_session_get_running (session));

  /* nothing from before the reset arrives afterwards */
  spin_for (0.5);
  g_assert_cmpuint (rec.last->generation, ==, generation + 1);
  g_assert_cmpint (rec.last->steps, ==, 0);
  g_assert_cmpuint (rec.last->train[LAB_LOSS_RECONSTRUCTION].n, ==, 0);
  g_assert_nonnull (lab_session_get_weights (session));

  recorder_check_clean (&rec);
  free_session (session, &rec);
}

static void
test_live_change (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "denoising");
  g_autofree char *lr = NULL;
  g_autofree char *noise = NULL;
  g_autofree char *latent = NULL;
  guint generation;
  long steps;

  lab_session_run (session);
  g_assert_true (wait_for (session, &rec, steps_at_least, GINT_TO_POINTER (10), 30));
  generation = lab_session_get_generation (session);

  /* learning rate and noise change while training goes on */
  g_assert_true (lab_session_option_is_live (session, "lr", "0.01"));
  set_option (session, "lr", "0.01");
  lr = lab_session_dup_option (session, "lr");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lr, NULL), 0.01, 1e-9);
  g_assert_true (lab_session_option_is_live (session, "noise", "masking:0.4"));
  set_option (session, "noise", "masking:0.4");
  noise = lab_session_dup_option (session, "noise");
  g_assert_cmpstr (noise, ==, "masking:0.4");
  g_assert_cmpuint (lab_session_get_generation (session), ==, generation);
  g_assert_true (lab_session_get_running (session));
  steps = rec.last->steps;
  g_assert_true (wait_for (session, &rec, steps_at_least, GINT_TO_POINTER (steps + 10), 30));
  g_assert_cmpuint (rec.last->generation, ==, generation);

  /* the code size is architectural: a new model, a new generation, codes of the new size */
  g_assert_false (lab_session_option_is_live (session, "latent", "3"));
  set_option (session, "latent", "3");
  latent = lab_session_dup_option (session, "latent");
  g_assert_cmpstr (latent, ==, "3");
  g_assert_cmpuint (lab_session_get_generation (session), >, generation);
  g_assert_false (lab_session_get_running (session));
  g_assert_true (wait_for (session, &rec, has_weights, NULL, 10));
  g_assert_cmpint (rec.last->latent, ==, 3);

  recorder_check_clean (&rec);
  free_session (session, &rec);
}

/* The undercomplete preset as it comes, with plain SGD at learning rate 100: the weights
 * grow without bound within a few batches. */
static void
test_divergence (void)
{
  Recorder rec = { 0 };
  LabSession *session = lab_session_new ();
  g_autoptr(GError) error = NULL;
  LabWeights *weights;
  float code[32] = { 0 };
  float image[784];

  g_signal_connect (session, "snapshot", G_CALLBACK (on_snapshot), &rec);
  g_assert_true (lab_session_load (session, "digits", "undercomplete", &error));
  g_assert_no_error (error);
  set_option (session, "optimizer", "sgd");
  set_option (session, "lr", "100");
  lab_session_run (session);
  g_assert_true (wait_for (session, &rec, is_diverged, NULL, 60));
  g_assert_true (wait_for (session, &rec, not_running, NULL, 10));
  g_assert_cmpstr (rec.last->message, !=, "");

  /* a PAUSED report after the divergence keeps the message up */
  spin_for (0.3);
  g_assert_cmpint (rec.last->state, ==, LAB_TRAINING_DIVERGED);

  /* the last finite weights came back: decoding gives finite pixels */
  weights = lab_session_get_weights (session);
  g_assert_nonnull (weights);
  g_assert_cmpint (lab_weights_get_latent_dim (weights), ==, 32);
  g_assert_true (lab_session_decode (session, image, code, 1));
  for (int i = 0; i < 784; i++)
    g_assert_true (isfinite (image[i]));

  /* a smaller rate from fresh weights trains again and clears the state */
  set_option (session, "lr", "0.001");
  lab_session_reset (session);
  g_assert_cmpint (rec.last->state, ==, LAB_TRAINING_IDLE);
  lab_session_run (session);
  g_assert_true (wait_for (session, &rec, steps_at_least, GINT_TO_POINTER (5), 30));
  g_assert_cmpint (rec.last->state, ==, LAB_TRAINING_RUNNING);
  g_assert_cmpstr (rec.last->message, ==, "");

  recorder_check_clean (&rec);
  free_session (session, &rec);
}

static void
test_decode (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete");
  float codes[2 * 8];
  float images[2 * 784];

  g_assert_true (wait_for (session, &rec, has_weights, NULL, 10));
  g_assert_nonnull (rec.last->weights);
  for (int i = 0; i < 16; i++)
    codes[i] = (float) (i % 5) * 0.3f;
  g_assert_true (lab_session_decode (session, images, codes, 2));
  for (int i = 0; i < 2 * 784; i++)
    {
      /* the output activation of the digits presets is a sigmoid */
      g_assert_cmpfloat (images[i], >=, 0);
      g_assert_cmpfloat (images[i], <=, 1);
    }
  free_session (session, &rec);
}

static gboolean
has_codes_after_steps (LabSession *session, Recorder *rec, gpointer data)
{
  return steps_at_least (session, rec, data) && rec->last->codes != NULL;
}

/* On shapes, whose factors are known, each snapshot's codes come with the share of each
 * factor's information per dimension, scored on the trainer's thread; the digits have none. */
static void
test_factor_share (void)
{
  Recorder rec;
  g_autoptr(GError) error = NULL;
  LabSession *session = small_session (&rec, "vae");

  g_assert_true (wait_for (session, &rec, has_weights, NULL, 10));
  g_assert_true (wait_for (session, &rec, has_codes_after_steps, GINT_TO_POINTER (0), 10));
  g_assert_null (rec.last->code_factor_share);
  g_assert_null (lab_snapshot_dimension_factor (rec.last, 0, NULL));

  g_assert_true (lab_session_load (session, "shapes", "vae", &error));
  g_assert_no_error (error);
  set_option (session, "hidden", "64");
  set_option (session, "latent", "4");
  lab_session_run (session);
  g_assert_true (wait_for (session, &rec, has_codes_after_steps, GINT_TO_POINTER (20), 60));
  lab_session_pause (session);
  g_assert_true (wait_for (session, &rec, not_running, NULL, 10));

  const LabSnapshot *s = rec.last;
  g_assert_cmpint (s->latent, ==, 4);
  g_assert_cmpint (s->n_factors, ==, 6);
  g_assert_nonnull (s->code_factor_share);
  g_assert_cmpstr (s->factor_titles[3], ==, "x position");
  double largest = 0;
  for (int j = 0; j < s->latent; j++)
    {
      int best = 0;
      double share = -1;

      for (int k = 0; k < s->n_factors; k++)
        {
          float v = s->code_factor_share[j * s->n_factors + k];

          g_assert_cmpfloat (v, >=, 0);
          g_assert_cmpfloat (v, <=, 1);
          if (v > s->code_factor_share[j * s->n_factors + best])
            best = k;
          largest = MAX (largest, v);
        }
      g_assert_cmpstr (lab_snapshot_dimension_factor (s, j, &share), ==, s->factor_titles[best]);
      g_assert_cmpfloat (share, ==, s->code_factor_share[j * s->n_factors + best]);
    }
  /* codes of images carry something of where and how large the shape is */
  g_assert_cmpfloat (largest, >, 0.05);
  g_assert_null (lab_snapshot_dimension_factor (s, 4, NULL));

  recorder_check_clean (&rec);
  free_session (session, &rec);
}

/* Freeing a running session stops its thread within about one batch. */
static void
on_projected (GObject *source, GAsyncResult *result, gpointer data)
{
  LabProjection **out = data;

  (void) source;
  *out = lab_projection_run_finish (result, NULL);
}

/* The Latent view's baseline, the PCA of the raw inputs of the codes' samples, is read on the
 * worker from the session's dataset, borrowed: another dataset loaded meanwhile changes
 * nothing, and the baseline is that of the samples the codes came from. */
static void
test_projection_baseline (void)
{
  Recorder rec;
  g_autoptr(GError) error = NULL;
  LabSession *session = small_session (&rec, "undercomplete");
  LabSnapshot *snapshot;
  LabProjection *plane = NULL;
  float *raw, *expected;
  int n, dim = 784;

  lab_session_run (session);
  g_assert_true (wait_for (session, &rec, has_codes_after_steps, GINT_TO_POINTER (20), 60));
  lab_session_pause (session);
  g_assert_true (wait_for (session, &rec, not_running, NULL, 10));
  snapshot = lab_snapshot_ref (rec.last);
  g_assert_nonnull (snapshot->code_indices);
  n = snapshot->n_codes;
  raw = g_new (float, (gsize) n * dim);
  expected = g_new (float, 2 * (gsize) n);
  for (int i = 0; i < n; i++)
    memcpy (raw + (gsize) i * dim, lab_session_get_dataset_sample (session, snapshot->code_indices[i], NULL),
            sizeof (float) * dim);
  g_assert_true (lab_projection_pca2 (expected, NULL, NULL, raw, n, dim));

  lab_projection_run_async (snapshot, LAB_PROJECTION_PCA, 0, 1, NULL, session, NULL, on_projected,
                            &plane);
  g_assert_true (lab_session_load (session, "sines", NULL, &error));
  g_assert_no_error (error);
  while (plane == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (plane->baseline);
  g_assert_cmpmem (plane->baseline, sizeof (float) * 2 * n, expected, sizeof (float) * 2 * n);

  lab_projection_unref (plane);
  lab_snapshot_unref (snapshot);
  g_free (raw);
  g_free (expected);
  free_session (session, &rec);
}

static void
test_stop_within_batch (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete");
  double batch_s, epoch_s, stop_s;
  gint64 start;

  /* batches of 256 so that an epoch is many times longer than a batch */
  set_option (session, "batch", "256");
  set_option (session, "hidden", "512,256");
  lab_session_run (session);
  g_assert_true (wait_for (session, &rec, steps_at_least, GINT_TO_POINTER (8), 60));
  g_assert_cmpfloat (rec.last->samples_per_s, >, 0);
  batch_s = 256 / rec.last->samples_per_s;
  epoch_s = batch_s * rec.last->batches_per_epoch;

  start = g_get_monotonic_time ();
  g_object_unref (session);
  stop_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_clear_pointer (&rec.last, lab_snapshot_unref);

  g_test_message ("batch %.4f s, epoch %.3f s, stop %.4f s", batch_s, epoch_s, stop_s);
  /* The engine's test counts the batches finished after a stop request (at most one);
   * here the session must not add a wait of its own, such as the end of the epoch.
   * A bound in batches would time the machine, not the code (sanitizers, shared cores). */
  g_assert_cmpfloat (stop_s, <, epoch_s / 4);
}

/* A few hundred random command sequences; the contract holds throughout. */
static void
test_random_commands (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete");
  GRand *rand = g_rand_new_with_seed (20261128);
  static const char *const rates[] = { "0.0001", "0.001", "0.003", "0.01" };
  float code[8] = { 0.5f };
  float image[784];
  guint sequences = g_test_quick () ? 100 : 300;

  for (guint s = 0; s < sequences; s++)
    {
      for (int c = 0; c < 8; c++)
        {
          switch (g_rand_int_range (rand, 0, 10))
            {
            case 0: lab_session_run (session); break;
            case 1: lab_session_pause (session); break;
            case 2: lab_session_step_batch (session); break;
            case 3: lab_session_step_epoch (session); break;
            case 4: lab_session_reset (session); break;
            case 5: lab_session_toggle_run (session); break;
            case 6:
              set_option (session, "lr", rates[g_rand_int_range (rand, 0, G_N_ELEMENTS (rates))]);
              break;
            case 7:
              /* an architectural change now and then */
              if (g_rand_int_range (rand, 0, 8) == 0)
                set_option (session, "hidden", g_rand_boolean (rand) ? "64" : "48");
              break;
            case 8:
              if (lab_session_get_weights (session) != NULL)
                {
                  g_assert_true (lab_session_decode (session, image, code, 1));
                  g_assert_true (isfinite (image[0]));
                }
              break;
            default:
              break;
            }
          spin_for (g_rand_double_range (rand, 0, 0.004));
        }
      recorder_check_clean (&rec);
    }

  lab_session_pause (session);
  g_assert_true (wait_for (session, &rec, not_running, NULL, 30));
  recorder_check_clean (&rec);
  g_assert_cmpuint (rec.count, >, sequences);

  g_rand_free (rand);
  free_session (session, &rec);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/load", test_load);
  g_test_add_func ("/session/architecture-line", test_architecture_line);
  g_test_add_func ("/session/bad-options", test_bad_options);
  g_test_add_func ("/session/preset-epochs-follow-the-data", test_preset_epochs_follow_the_data);
  g_test_add_func ("/session/pause-resume", test_run_pause);
  g_test_add_func ("/session/step", test_step);
  g_test_add_func ("/session/reset", test_reset);
  g_test_add_func ("/session/live-change", test_live_change);
  g_test_add_func ("/session/divergence", test_divergence);
  g_test_add_func ("/session/decode", test_decode);
  g_test_add_func ("/session/stop-within-batch", test_stop_within_batch);
  g_test_add_func ("/session/random-commands", test_random_commands);
  g_test_add_func ("/session/factor-share", test_factor_share);
  g_test_add_func ("/session/projection-baseline", test_projection_baseline);

  return g_test_run ();
}
