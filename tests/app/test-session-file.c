/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-session-file.c: session files saved and reopened without a display.
 *
 * A small model on the embedded digits is trained for an epoch and some batches, saved,
 * and reopened in another session; the reopened one must show the same options, weights,
 * history, counters and choices, and train on from there. Damaged files must give an error
 * naming the file and leave the session as it was.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "ae-io.h"
#include "lab-session-file.h"
#include "lab-session.h"

typedef struct {
  LabSnapshot *last;
} Recorder;

static void
on_snapshot (LabSession *session, LabSnapshot *snapshot, Recorder *rec)
{
  g_clear_pointer (&rec->last, lab_snapshot_unref);
  rec->last = lab_snapshot_ref (snapshot);
}

typedef gboolean (*Condition) (LabSession *session, Recorder *rec, long value);

static gboolean
wait_for (LabSession *session, Recorder *rec, Condition cond, long value, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (!cond (session, rec, value))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (500);
    }
  return TRUE;
}

static gboolean
steps_exactly (LabSession *session, Recorder *rec, long steps)
{
  return rec->last != NULL && rec->last->steps == steps && rec->last->serial > 0
         && rec->last->state != LAB_TRAINING_RUNNING
         && rec->last->generation == lab_session_get_generation (session);
}

/* The trainer's own report after a (re)start, not the session's snapshot made at once. */
static gboolean
has_report (LabSession *session, Recorder *rec, long unused)
{
  return rec->last != NULL && rec->last->serial > 0 && rec->last->preview_output != NULL
         && rec->last->generation == lab_session_get_generation (session);
}

static void
set_option (LabSession *session, const char *key, const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_session_set_option (session, key, value, &error));
  g_assert_no_error (error);
}

static LabSession *
small_session (Recorder *rec, const char *preset, const char *seed)
{
  g_autoptr(GError) error = NULL;
  LabSession *session = lab_session_new ();

  memset (rec, 0, sizeof *rec);
  g_signal_connect (session, "snapshot", G_CALLBACK (on_snapshot), rec);
  g_assert_true (lab_session_load (session, "digits", preset, &error));
  g_assert_no_error (error);
  set_option (session, "hidden", "48");
  set_option (session, "latent", "6");
  set_option (session, "batch", "128");
  set_option (session, "seed", seed);
  return session;
}

static void
free_session (LabSession *session, Recorder *rec)
{
  g_object_unref (session);
  g_clear_pointer (&rec->last, lab_snapshot_unref);
}

/* Trains a whole epoch (a validation point) and then `extra` batches. */
static void
train (LabSession *session, Recorder *rec, long extra)
{
  long bpe, steps;

  g_assert_true (wait_for (session, rec, has_report, 0, 30));
  bpe = rec->last->batches_per_epoch;
  steps = rec->last->steps;
  lab_session_step_epoch (session);
  g_assert_true (wait_for (session, rec, steps_exactly, steps + bpe, 60));
  for (long i = 1; i <= extra; i++)
    {
      lab_session_step_batch (session);
      g_assert_true (wait_for (session, rec, steps_exactly, steps + bpe + i, 30));
    }
}

static char *
temp_path (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("session-file-XXXXXX", &error);

  g_assert_no_error (error);
  return g_build_filename (dir, name, NULL);
}

static void
remove_temp (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  GDir *listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);
      g_remove (file);
    }
  g_clear_pointer (&listing, g_dir_close);
  g_rmdir (dir);
}

/* Reconstructions of a few test samples by the session's weights. */
static float *
reconstruct (LabSession *session, int n, int *dim)
{
  LabWeights *weights = lab_session_get_weights (session);
  float *out, *x;

  g_assert_nonnull (weights);
  *dim = lab_weights_get_input_dim (weights);
  x = g_new (float, (gsize) n * *dim);
  out = g_new (float, (gsize) n * *dim);
  for (int i = 0; i < n; i++)
    memcpy (x + (gsize) i * *dim, lab_session_get_sample (session, LAB_SPLIT_TEST, i, NULL),
            sizeof (float) * *dim);
  lab_weights_reconstruct (weights, out, x, n);
  g_free (x);
  return out;
}

static const char *const option_keys[] = {
  "latent", "hidden", "epochs", "batch", "lr", "seed", "l1", "rho", "beta", "contractive",
  "noise", "kl-beta", "warmup", "activation", "optimizer",
};

static void
test_round_trip (void)
{
  Recorder rec, rec2;
  LabSession *session = small_session (&rec, "vae", "5");
  LabSession *reopened;
  g_autofree char *path = temp_path ("lesson" LAB_SESSION_FILE_SUFFIX);
  g_autoptr(GError) error = NULL;
  const long pair[2] = { 3, 1234 };
  const long *chosen;
  guint n_chosen;
  LabSnapshot *saved, *loaded;
  float *before, *after;
  int dim;
  guint compared = 0;

  set_option (session, "lr", "0.002");
  set_option (session, "warmup", "3");
  train (session, &rec, 3);
  lab_session_set_chosen (session, "generate-pair", pair, 2);
  lab_session_set_view (session, "generate");
  saved = lab_snapshot_ref (rec.last);
  g_assert_cmpint (saved->batch, ==, 3);
  g_assert_cmpint (saved->epoch, ==, 1);
  g_assert_true (lab_session_save_file (session, path, &error));
  g_assert_no_error (error);

  reopened = lab_session_new ();
  memset (&rec2, 0, sizeof rec2);
  g_signal_connect (reopened, "snapshot", G_CALLBACK (on_snapshot), &rec2);
  g_assert_true (lab_session_open_file (reopened, path, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (lab_session_get_dataset_spec (reopened), ==, "digits");
  g_assert_cmpstr (lab_session_get_preset (reopened), ==, "vae");
  for (guint i = 0; i < G_N_ELEMENTS (option_keys); i++)
    {
      g_autofree char *a = lab_session_dup_option (session, option_keys[i]);
      g_autofree char *b = lab_session_dup_option (reopened, option_keys[i]);

      g_assert_cmpstr (a, ==, b);
    }
  g_assert_cmpstr (lab_session_get_view (reopened), ==, "generate");
  chosen = lab_session_get_chosen (reopened, "generate-pair", &n_chosen);
  g_assert_cmpuint (n_chosen, ==, 2);
  g_assert_cmpint (chosen[0], ==, 3);
  g_assert_cmpint (chosen[1], ==, 1234);

  /* the same split, and the same weights: reconstructions equal bit for bit */
  g_assert_cmpint (lab_session_get_split_size (reopened, LAB_SPLIT_TEST), ==,
                   lab_session_get_split_size (session, LAB_SPLIT_TEST));
  g_assert_true (memcmp (lab_session_get_sample (session, LAB_SPLIT_TEST, 7, NULL),
                         lab_session_get_sample (reopened, LAB_SPLIT_TEST, 7, NULL),
                         sizeof (float) * 784) == 0);
  before = reconstruct (session, 8, &dim);
  after = reconstruct (reopened, 8, &dim);
  g_assert_true (memcmp (before, after, sizeof (float) * 8 * dim) == 0);
  g_free (after);

  /* history and counters as saved, at once and after the resumed trainer's first report */
  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        g_assert_true (wait_for (reopened, &rec2, has_report, 0, 30));
      loaded = lab_session_get_snapshot (reopened);
      g_assert_cmpint (loaded->epoch, ==, saved->epoch);
      g_assert_cmpint (loaded->batch, ==, saved->batch);
      g_assert_cmpint (loaded->steps, ==, saved->steps);
      g_assert_cmpuint (loaded->terms, ==, saved->terms);
      for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
        for (int val = 0; val < 2; val++)
          {
            const LabCurve *a = val ? &saved->val[t] : &saved->train[t];
            const LabCurve *b = val ? &loaded->val[t] : &loaded->train[t];

            g_assert_cmpuint (a->n, ==, b->n);
            /* stored as float32, as the format says */
            for (guint i = 0; i < a->n; i++, compared++)
              {
                g_assert_cmpfloat (b->x[i], ==, (double) (float) a->x[i]);
                g_assert_cmpfloat (b->y[i], ==, (double) (float) a->y[i]);
              }
          }
    }
  /* the resumed trainer's own weights copy (replacing the one the file gave) is the same:
   * it started from the saved weights, not from the seed */
  g_assert_true (lab_session_get_weights (reopened) == rec2.last->weights);
  after = reconstruct (reopened, 8, &dim);
  g_assert_true (memcmp (before, after, sizeof (float) * 8 * dim) == 0);
  g_free (before);
  g_free (after);

  /* a VAE has total, reconstruction and KL curves, train and val */
  g_assert_cmpuint (saved->val[LAB_LOSS_KL].n, >=, 1);
  g_assert_cmpuint (compared, >, 20);

  /* training goes on from there */
  lab_session_step_batch (reopened);
  g_assert_true (wait_for (reopened, &rec2, steps_exactly, saved->steps + 1, 30));
  g_assert_cmpint (rec2.last->batch, ==, saved->batch + 1);
  g_assert_cmpint (rec2.last->epoch, ==, saved->epoch);
  g_assert_cmpuint (rec2.last->train[LAB_LOSS_RECONSTRUCTION].n, >,
                    saved->train[LAB_LOSS_RECONSTRUCTION].n);

  lab_snapshot_unref (saved);
  free_session (reopened, &rec2);
  free_session (session, &rec);
  remove_temp (path);
}

static char *
read_file (const char *path, gsize *len)
{
  char *data = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &data, len, &error));
  g_assert_no_error (error);
  return data;
}

static void
write_file (const char *path, const char *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
  g_assert_no_error (error);
}

/* Opening path fails with a message that names it and holds `expect`; the session keeps
 * its preset and steps. */
static void
check_refused (LabSession *session, const char *path, const char *expect)
{
  g_autoptr(GError) error = NULL;
  long steps = lab_session_get_snapshot (session)->steps;
  guint generation = lab_session_get_generation (session);

  g_assert_false (lab_session_open_file (session, path, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, expect));
  g_assert_cmpstr (lab_session_get_preset (session), ==, "undercomplete");
  g_assert_cmpint (lab_session_get_snapshot (session)->steps, ==, steps);
  g_assert_cmpuint (lab_session_get_generation (session), ==, generation);
}

static void
test_bad_files (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete", "3");
  g_autofree char *good = temp_path ("good" LAB_SESSION_FILE_SUFFIX);
  g_autofree char *dir = g_path_get_dirname (good);
  g_autofree char *bad = g_build_filename (dir, "bad" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autofree char *model = g_build_filename (dir, "model.lmodel", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;
  char *text;
  AeTensor tensor = { .name = "encoder.0.weight", .rank = 1, .shape = { 1 } };
  float one = 1;
  AeError err = { 0 };

  lab_session_step_batch (session);
  g_assert_true (wait_for (session, &rec, steps_exactly, 1, 30));
  g_assert_true (lab_session_save_file (session, good, &error));
  g_assert_no_error (error);
  data = read_file (good, &len);

  /* truncated anywhere: in the header, the tensors, the checksum */
  write_file (bad, data, len / 2);
  check_refused (session, bad, "truncated");
  write_file (bad, data, 10);
  check_refused (session, bad, "");
  write_file (bad, data, len - 2);
  check_refused (session, bad, "truncated");

  /* a flipped byte in the weights */
  data[len / 2] ^= 0x40;
  write_file (bad, data, len);
  check_refused (session, bad, "checksum");
  data[len / 2] ^= 0x40;

  /* not a Latent Lab file at all, an empty one, a missing one */
  write_file (bad, "hello, world\n", 13);
  check_refused (session, bad, "not a Latent Lab session file");
  write_file (bad, "", 0);
  check_refused (session, bad, "not a Latent Lab session file");
  check_refused (session, missing, "");

  /* another version of the session header, in a well-formed container */
  text = "latentlab-session 2\ndataset = digits\n[model]\n";
  g_assert_cmpint (ae_modelfile_write (bad, text, &(AeTensor) { 0 }, 0, &err), ==, AE_OK);
  check_refused (session, bad, "version 2");
  /* a header with a bad value, and one without a model */
  text = "latentlab-session 1\ndataset = digits\nepoch = -3\n[model]\n";
  g_assert_cmpint (ae_modelfile_write (bad, text, &(AeTensor) { 0 }, 0, &err), ==, AE_OK);
  check_refused (session, bad, "line 3");
  text = "latentlab-session 1\ndataset = digits\ndataset-seed = -1\n[model]\n";
  g_assert_cmpint (ae_modelfile_write (bad, text, &(AeTensor) { 0 }, 0, &err), ==, AE_OK);
  check_refused (session, bad, "dataset-seed");
  text = "latentlab-session 1\ndataset = digits\n";
  g_assert_cmpint (ae_modelfile_write (bad, text, &(AeTensor) { 0 }, 0, &err), ==, AE_OK);
  check_refused (session, bad, "[model]");
  /* counters no run can reach: epoch = 99999 beside a handful of steps asked for 100,000
   * shuffles to be replayed before the window could draw again */
  {
    char *good_text = NULL;
    AeTensor *tensors = NULL;
    int n_tensors = 0;
    g_autoptr(GRegex) epoch_line = g_regex_new ("^epoch = [0-9]+$", G_REGEX_MULTILINE, 0, NULL);
    g_autofree char *hostile = NULL;

    g_assert_cmpint (ae_modelfile_read (good, &good_text, &tensors, &n_tensors, &err), ==, AE_OK);
    hostile = g_regex_replace_literal (epoch_line, good_text, -1, 0, "epoch = 99999", 0, NULL);
    g_assert_nonnull (strstr (hostile, "epoch = 99999"));
    g_assert_cmpint (ae_modelfile_write (bad, hostile, tensors, n_tensors, &err), ==, AE_OK);
    check_refused (session, bad, "epoch = 99999");
    ae_modelfile_free_tensors (tensors, n_tensors);
    free (good_text);
  }
  /* a model section whose tensors do not fit it */
  tensor.data = &one;
  g_assert_cmpint (ae_modelfile_write (bad, "latentlab-session 1\ndataset = digits\n[model]\n"
                                            "preset = undercomplete\nchannels = 1\nheight = 28\n"
                                            "width = 28\nhidden = 8\nlatent = 2\n",
                                       &tensor, 1, &err), ==, AE_OK);
  check_refused (session, bad, "tensor");
  /* a dataset that is not there */
  g_free (data);
  data = read_file (good, &len);
  {
    g_autofree char *config = NULL;
    AeTensor *tensors = NULL;
    int n = 0;
    GString *edited;

    g_assert_cmpint (ae_modelfile_read (good, &config, &tensors, &n, &err), ==, AE_OK);
    edited = g_string_new (config);
    g_string_replace (edited, "dataset = digits", "dataset = /nonexistent/data.csv", 1);
    g_assert_cmpint (ae_modelfile_write (bad, edited->str, tensors, n, &err), ==, AE_OK);
    g_string_free (edited, TRUE);
    ae_modelfile_free_tensors (tensors, n);
    check_refused (session, bad, "/nonexistent/data.csv");
  }

  /* a relative dataset path is found beside the session file, wherever the program runs */
  {
    g_autofree char *config = NULL;
    g_autofree char *cwd = g_get_current_dir ();
    g_autofree char *idx = g_build_filename (dir, "rel.idx", NULL);
    g_autofree char *shared = g_build_filename (dir, "shared" LAB_SESSION_FILE_SUFFIX, NULL);
    AeTensor *tensors = NULL;
    int n = 0;
    GString *edited;
    guint8 *images = g_malloc0 (16 + 100 * 784);

    images[3] = 0x03, images[2] = 0x08, images[7] = 100, images[11] = 28, images[15] = 28;
    write_file (idx, (const char *) images, 16 + 100 * 784);
    g_free (images);
    g_assert_cmpint (ae_modelfile_read (good, &config, &tensors, &n, &err), ==, AE_OK);
    edited = g_string_new (config);
    g_string_replace (edited, "dataset = digits", "dataset = rel.idx", 1);
    g_assert_cmpint (ae_modelfile_write (shared, edited->str, tensors, n, &err), ==, AE_OK);
    g_string_free (edited, TRUE);
    ae_modelfile_free_tensors (tensors, n);
    g_assert_cmpint (chdir ("/"), ==, 0);
    g_assert_true (lab_session_open_file (session, shared, &error));
    g_assert_no_error (error);
    g_assert_cmpint (chdir (cwd), ==, 0);
    g_assert_cmpstr (lab_session_get_dataset_spec (session), ==, idx);
    /* saved again, the path stays relative to the session's folder */
    g_assert_true (lab_session_save_file (session, shared, &error));
    g_assert_no_error (error);
    g_free (config);
    g_assert_cmpint (ae_modelfile_read (shared, &config, &tensors, &n, &err), ==, AE_OK);
    g_assert_nonnull (strstr (config, "dataset = rel.idx\n"));
    ae_modelfile_free_tensors (tensors, n);
    g_remove (idx);
    g_remove (shared);
  }

  /* a model file is not a session */
  g_assert_true (lab_session_save_model (session, model, &error));
  g_assert_no_error (error);
  check_refused (session, model, "not a session file");

  free_session (session, &rec);
  remove_temp (good);
}

static void
test_atomic_replace (void)
{
  Recorder rec;
  LabSession *session = small_session (&rec, "undercomplete", "4");
  g_autofree char *path = temp_path ("lesson" LAB_SESSION_FILE_SUFFIX);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *blocked = g_build_filename (dir, "no-such-dir", "x" LAB_SESSION_FILE_SUFFIX, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *old_data = NULL;
  g_autofree char *new_data = NULL;
  gsize old_len, new_len;
  struct stat before, after;
  GDir *listing;
  const char *name;
  guint files = 0;

  lab_session_step_batch (session);
  g_assert_true (wait_for (session, &rec, steps_exactly, 1, 30));
  g_assert_true (lab_session_save_file (session, path, &error));
  g_assert_no_error (error);
  old_data = read_file (path, &old_len);
  g_assert_cmpint (g_stat (path, &before), ==, 0);

  /* the file is replaced by a rename of a complete new file, never rewritten in place, so
   * an interrupted save leaves the old one (the engine's writer is killed mid-save in
   * tests/io/test-kill-save) */
  lab_session_step_batch (session);
  g_assert_true (wait_for (session, &rec, steps_exactly, 2, 30));
  g_assert_true (lab_session_save_file (session, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, !=, after.st_ino);
  new_data = read_file (path, &new_len);
  g_assert_true (old_len != new_len || memcmp (old_data, new_data, old_len) != 0);

  /* a save that cannot be made names the file and leaves no temporary beside it */
  g_assert_false (lab_session_save_file (session, blocked, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, blocked));
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    files++;
  g_dir_close (listing);
  g_assert_cmpuint (files, ==, 1);

  free_session (session, &rec);
  remove_temp (path);
}

/* Two sessions with the same seed make the same run; another seed another one. Single
 * steps give one train point each (points within a running epoch follow the clock), and
 * the validation loss is measured at the end of each epoch. */
static void
test_same_seed (void)
{
  Recorder rec[3];
  LabSession *sessions[3];
  const char *seeds[3] = { "11", "11", "12" };
  const int n_steps = 8;
  double first[3][8];
  float *recon[3];
  int dim;

  for (int i = 0; i < 3; i++)
    {
      const LabCurve *curve;

      sessions[i] = small_session (&rec[i], "denoising", seeds[i]);
      g_assert_true (wait_for (sessions[i], &rec[i], has_report, 0, 30));
      for (int k = 1; k <= n_steps; k++)
        {
          lab_session_step_batch (sessions[i]);
          g_assert_true (wait_for (sessions[i], &rec[i], steps_exactly, k, 30));
        }
      curve = &rec[i].last->train[LAB_LOSS_RECONSTRUCTION];
      g_assert_cmpuint (curve->n, ==, n_steps);
      for (int k = 0; k < n_steps; k++)
        first[i][k] = curve->y[k];
      /* on to the end of the epoch: a validation point */
      lab_session_step_epoch (sessions[i]);
      g_assert_true (wait_for (sessions[i], &rec[i], steps_exactly,
                               rec[i].last->batches_per_epoch, 60));
      g_assert_cmpuint (rec[i].last->val[LAB_LOSS_RECONSTRUCTION].n, >=, 1);
      recon[i] = reconstruct (sessions[i], 4, &dim);
    }
  for (int k = 0; k < n_steps; k++)
    g_assert_cmpfloat (first[0][k], ==, first[1][k]);
  g_assert_cmpuint (rec[0].last->val[LAB_LOSS_RECONSTRUCTION].n, ==,
                    rec[1].last->val[LAB_LOSS_RECONSTRUCTION].n);
  for (guint k = 0; k < rec[0].last->val[LAB_LOSS_RECONSTRUCTION].n; k++)
    g_assert_cmpfloat (rec[0].last->val[LAB_LOSS_RECONSTRUCTION].y[k], ==,
                       rec[1].last->val[LAB_LOSS_RECONSTRUCTION].y[k]);
  g_assert_true (memcmp (recon[0], recon[1], sizeof (float) * 4 * dim) == 0);
  g_assert_cmpfloat (first[0][0], !=, first[2][0]);
  g_assert_true (memcmp (recon[0], recon[2], sizeof (float) * 4 * dim) != 0);

  for (int i = 0; i < 3; i++)
    {
      g_free (recon[i]);
      free_session (sessions[i], &rec[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session-file/round-trip", test_round_trip);
  g_test_add_func ("/session-file/bad-files", test_bad_files);
  g_test_add_func ("/session-file/atomic-replace", test_atomic_replace);
  g_test_add_func ("/session-file/same-seed", test_same_seed);
  return g_test_run ();
}
