/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae_dataset_load by name: the embedded digits, Fashion-MNIST, and the messages for
 * names that are not datasets. */
#include "io-test-util.h"

#include "ae-dataset.h"

static void
check_range (const AeDataset *ds)
{
  size_t bad = 0;
  for (size_t i = 0; i < (size_t) ds->n * ds->dim; i++)
    bad += !(ds->x[i] >= 0.0f && ds->x[i] <= 1.0f);
  CHECK (bad == 0, "%zu values outside [0, 1]", bad);
}

static void
test_digits (void)
{
  static const long counts[10] = { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 };
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_dataset_load (&ds, "digits", 7, &err) == AE_OK, "%s", err.message);
  if (ds == NULL)
    return;
  CHECK (ds->n == 10000 && ds->channels == 1 && ds->height == 28 && ds->width == 28, "%ld images", ds->n);
  CHECK (ds->kind == AE_DATA_IMAGES, "kind");
  CHECK (ds->n_classes == 10 && ds->labels != NULL, "%d classes", ds->n_classes);
  long seen[10] = { 0 };
  for (long i = 0; i < ds->n; i++)
    if (ds->labels[i] >= 0 && ds->labels[i] < 10)
      seen[ds->labels[i]]++;
  for (int c = 0; c < 10; c++)
    {
      CHECK (seen[c] == counts[c], "class %d: %ld images, expected %ld", c, seen[c], counts[c]);
      char name[4];
      snprintf (name, sizeof name, "%d", c);
      CHECK (strcmp (ds->class_names[c], name) == 0, "class name %s", ds->class_names[c]);
    }
  CHECK (ds->n_train == 7200 && ds->n_val == 800 && ds->n_test == 2000, "split %ld/%ld/%ld",
         ds->n_train, ds->n_val, ds->n_test);
  /* The split is fixed: the test set is the last 2,000 images, validation ends the first 8,000. */
  CHECK (ae_dataset_test (ds)[0] == 8000 && ae_dataset_val (ds)[0] == 7200, "split order");
  CHECK (strcmp (ds->name, "digits") == 0 && strcmp (ds->source, "embedded") == 0, "%s %s",
         ds->name, ds->source);
  check_range (ds);
  /* Real digits: mostly black background with some bright strokes. */
  double mean = 0;
  for (long i = 0; i < ds->n * ds->dim; i++)
    mean += ds->x[i];
  mean /= (double) ds->n * ds->dim;
  CHECK (mean > 0.08 && mean < 0.2, "mean pixel %g", mean);

  /* The fixed splits are consecutive rows: read in place, not copied. */
  float *owned;
  const float *train = ae_dataset_rows (ds, ae_dataset_train (ds), ds->n_train, &owned);
  CHECK (train == ds->x && owned == NULL, "the training split was copied");
  const uint32_t picked[3] = { 5, 3, 9000 };
  const float *rows = ae_dataset_rows (ds, picked, 3, &owned);
  CHECK (rows != NULL && rows == owned && memcmp (rows + 2 * 784, ds->x + 9000 * 784, 784 * sizeof (float)) == 0,
         "scattered rows gathered");
  free (owned);

  /* A reader's reference keeps the samples after their owner lets go (ASan checks the reads). */
  AeDataset *shared = ae_dataset_ref (ds);
  float first = ds->x[300];
  ae_dataset_free (ds);
  CHECK (shared->n == 10000 && shared->x[300] == first, "the shared dataset changed");
  ae_dataset_free (shared);
}

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

static void
test_fashion (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  AeStatus st = ae_dataset_load (&ds, "fashion", 1, &err);
  if (access (FASHION_DIR "/train-images-idx3-ubyte.gz", R_OK) == 0)
    {
      CHECK (st == AE_OK, "%s", err.message);
      if (ds == NULL)
        return;
      CHECK (ds->n == 70000 && ds->dim == 784 && ds->n_classes == 10, "%ld images", ds->n);
      CHECK (ds->n_test == 10000 && ds->n_train + ds->n_val == 60000, "split %ld/%ld/%ld",
             ds->n_train, ds->n_val, ds->n_test);
      CHECK (strcmp (ds->class_names[0], "T-shirt/top") == 0 && strcmp (ds->class_names[9], "Ankle boot") == 0,
             "class names %s, %s", ds->class_names[0], ds->class_names[9]);
      long seen[10] = { 0 };
      for (long i = 0; i < ds->n; i++)
        seen[ds->labels[i]]++;
      for (int c = 0; c < 10; c++)
        CHECK (seen[c] == 7000, "class %d: %ld images", c, seen[c]);
      check_range (ds);
      ae_dataset_free (ds);
    }
  else
    {
      CHECK (st == AE_ERR_IO && ds == NULL, "status %d without the package", st);
      CHECK (strstr (err.message, "sudo apt install dataset-fashion-mnist") != NULL, "%s", err.message);
    }

  /* Where the files are missing, the message says how to install them. */
  setenv ("LATENTLAB_FASHION_MNIST_DIR", "/nonexistent/fashion", 1);
  st = ae_dataset_load (&ds, "fashion", 1, &err);
  unsetenv ("LATENTLAB_FASHION_MNIST_DIR");
  CHECK (st == AE_ERR_IO && ds == NULL, "status %d", st);
  CHECK (strstr (err.message, "Fashion-MNIST is not installed") != NULL
         && strstr (err.message, "sudo apt install dataset-fashion-mnist") != NULL,
         "%s", err.message);
  CHECK_NAMES (err, "/nonexistent/fashion/");
}

static void
test_unknown_names (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_dataset_load (&ds, "digts", 1, &err) == AE_ERR_INVALID && ds == NULL, "typo accepted");
  CHECK (strstr (err.message, "digts") && strstr (err.message, "digits") && strstr (err.message, "fashion")
         && strstr (err.message, "sines") && strstr (err.message, "ecg"), "%s", err.message);
  CHECK (ae_dataset_load (&ds, "", 1, &err) == AE_ERR_INVALID, "empty name");
  CHECK (ae_dataset_load (&ds, "/nonexistent/data.csv", 1, &err) == AE_ERR_IO, "missing path");
  CHECK_NAMES (err, "/nonexistent/data.csv");
  /* A file of no known kind is reported with what was found. */
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "notes.txt");
  io_test_write (path, "hello, world\n", 13);
  CHECK (ae_dataset_load (&ds, path, 1, &err) == AE_ERR_FORMAT && ds == NULL, "text file accepted");
  CHECK_NAMES (err, path);
  CHECK (strstr (err.message, "magic") != NULL, "%s", err.message);
  free (path);
  io_test_rmdir (dir);
}

static void
test_series_by_name (void)
{
  const char *names[2] = { "sines", "ecg" };
  for (int k = 0; k < 2; k++)
    {
      AeDataset *ds = NULL;
      AeError err = { 0 };
      CHECK (ae_dataset_load (&ds, names[k], 3, &err) == AE_OK, "%s", err.message);
      if (ds == NULL)
        continue;
      CHECK (ds->kind == AE_DATA_SEQUENCES && ds->width == 1 && ds->channels == 1, "%s shape", names[k]);
      CHECK (strcmp (ds->name, names[k]) == 0 && strcmp (ds->source, "built-in") == 0, "%s", ds->name);
      CHECK (ds->n_train > 0 && ds->n_val > 0 && ds->n_test > 0, "split");
      check_range (ds);
      ae_dataset_free (ds);
    }
}

/* The registry is what loads: each available entry loads under its name with its kind and
 * the samples and shape it declares, an unavailable one fails with the reason, and
 * Fashion-MNIST's availability follows its files. */
static void
test_registry (void)
{
  int count = 0;
  for (const AeBuiltinDataset *d = ae_builtin_datasets; d->name != NULL; d++, count++)
    {
      AeDataset *ds = NULL;
      AeError err = { 0 };
      CHECK (ae_builtin_dataset_find (d->name) == d, "%s not found by name", d->name);
      CHECK (d->title[0] != '\0' && d->choice[0] != '\0' && d->description[0] != '\0', "%s: empty text",
             d->name);
      AeStatus st = ae_dataset_load (&ds, d->name, 2, &err);
      if (ae_builtin_dataset_available (d))
        {
          CHECK (st == AE_OK, "%s is available but does not load: %s", d->name, err.message);
          CHECK (ds != NULL && ds->kind == d->kind && strcmp (ds->name, d->name) == 0, "%s", d->name);
          CHECK (ds != NULL && ds->n == d->samples && ds->channels == d->channels
                 && ds->height == d->height && ds->width == d->width,
                 "%s loads %ld of %d x %d x %d, and the registry says %ld of %d x %d x %d", d->name,
                 ds != NULL ? ds->n : 0, ds != NULL ? ds->channels : 0, ds != NULL ? ds->height : 0,
                 ds != NULL ? ds->width : 0, d->samples, d->channels, d->height, d->width);
        }
      else
        CHECK (st != AE_OK && err.message[0] != '\0', "%s is unavailable but loads", d->name);
      ae_dataset_free (ds);
    }
  CHECK (count == 5, "%d built-in datasets", count);
  CHECK (ae_builtin_dataset_find ("digts") == NULL && ae_builtin_dataset_find ("/tmp/x.csv") == NULL,
         "a path is not built in");
  const AeBuiltinDataset *fashion = ae_builtin_dataset_find ("fashion");
  setenv ("LATENTLAB_FASHION_MNIST_DIR", "/nonexistent/fashion", 1);
  CHECK (fashion != NULL && !ae_builtin_dataset_available (fashion), "missing files count as available");
  unsetenv ("LATENTLAB_FASHION_MNIST_DIR");
  CHECK (ae_builtin_dataset_available (fashion)
         == (access (FASHION_DIR "/train-images-idx3-ubyte.gz", F_OK) == 0
             && access (FASHION_DIR "/t10k-labels-idx1-ubyte.gz", F_OK) == 0),
         "availability does not follow the installed files");
}

/* Class filtering keeps training and validation to the chosen classes in their order,
 * leaves the test split whole, and puts the others after it. */
static void
test_keep_classes (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_dataset_load (&ds, "digits", 1, &err) == AE_OK, "%s", err.message);
  if (ds == NULL)
    return;
  uint32_t *before = malloc ((size_t) ds->n * sizeof *before);
  memcpy (before, ds->order, (size_t) ds->n * sizeof *before);
  const long n_train = ds->n_train, n_val = ds->n_val, n_test = ds->n_test;
  uint8_t keep[10] = { 0 };
  keep[3] = keep[7] = 1;
  CHECK (ae_dataset_keep_classes (ds, keep, &err) == AE_OK, "%s", err.message);
  long expect_train = 0, expect_val = 0;
  for (long i = 0; i < n_train; i++)
    if (keep[ds->labels[before[i]]])
      CHECK (ds->order[expect_train++] == before[i], "training order changed at %ld", i);
  for (long i = n_train; i < n_train + n_val; i++)
    if (keep[ds->labels[before[i]]])
      CHECK (ds->order[ds->n_train + expect_val++] == before[i], "validation order changed at %ld", i);
  CHECK (ds->n_train == expect_train && ds->n_val == expect_val && ds->n_test == n_test
         && expect_train > 1000 && expect_val > 100, "split %ld/%ld/%ld", ds->n_train, ds->n_val, ds->n_test);
  CHECK (memcmp (ae_dataset_test (ds), before + n_train + n_val, (size_t) n_test * sizeof *before) == 0,
         "the test split moved or changed");
  long held = 0;
  for (long i = ds->n_train + ds->n_val + n_test; i < ds->n; i++, held++)
    CHECK (!keep[ds->labels[ds->order[i]]], "a kept sample is held out");
  CHECK (held == n_train + n_val - expect_train - expect_val, "%ld held out", held);
  free (before);
  ae_dataset_free (ds);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/datasets/digits", test_digits },
    { "/datasets/fashion", test_fashion },
    { "/datasets/unknown-names", test_unknown_names },
    { "/datasets/series-by-name", test_series_by_name },
    { "/datasets/registry", test_registry },
    { "/datasets/keep-classes", test_keep_classes },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
