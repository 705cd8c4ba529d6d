/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CSV: good files, headers and labels, and every bad cell reported as file:line:column. */
#include "io-test-util.h"

#include <zlib.h>

#include "ae-io.h"

static char *dir;

static AeStatus
load_text (const char *name, const char *text, AeDataset **ds, AeError *err, char **path_out)
{
  char *path = io_test_path (dir, name);
  io_test_write (path, text, strlen (text));
  AeStatus st = ae_csv_load (ds, path, err);
  if (path_out != NULL)
    *path_out = path;
  else
    free (path);
  return st;
}

static void
test_plain_numbers (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (load_text ("plain.csv", "1,2,3\n 4 , 5,6\r\n\n# a comment\n-2,1e1,0.5\n", &ds, &err, NULL) == AE_OK,
         "%s", err.message);
  if (ds == NULL)
    return;
  CHECK (ds->n == 3 && ds->dim == 3 && ds->kind == AE_DATA_VECTORS && ds->channels == 1 && ds->height == 1,
         "%ld rows of %d", ds->n, ds->dim);
  CHECK (ds->labels == NULL, "no label column");
  /* One scale for the file: min -2, max 10. */
  CHECK (ds->value_min == -2.0 && ds->value_max == 10.0, "scale %g..%g", ds->value_min, ds->value_max);
  const double raw[9] = { 1, 2, 3, 4, 5, 6, -2, 10, 0.5 };
  for (int i = 0; i < 9; i++)
    CHECK_CLOSE (ds->x[i], (raw[i] + 2.0) / 12.0, 1e-6);
  ae_dataset_free (ds);
}

static void
test_header_and_labels (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (load_text ("named.csv", "a,b,Class\n0,1,setosa\n2,3,virginica\n4,5,setosa\n6,8,versicolor\n", &ds, &err,
                    NULL) == AE_OK, "%s", err.message);
  if (ds != NULL)
    {
      CHECK (ds->n == 4 && ds->dim == 2, "%ld rows of %d", ds->n, ds->dim);
      CHECK (ds->n_classes == 3 && strcmp (ds->class_names[0], "setosa") == 0
             && strcmp (ds->class_names[2], "virginica") == 0, "class names");
      CHECK (ds->labels[0] == 0 && ds->labels[1] == 2 && ds->labels[2] == 0 && ds->labels[3] == 1, "labels");
      CHECK_CLOSE (ds->x[7], 1.0, 1e-7);
      CHECK_CLOSE (ds->x[2], 0.25, 1e-7);
    }
  ae_dataset_free (ds);

  /* Numeric labels in the first column keep their numbers. */
  CHECK (load_text ("numeric.csv", "label,x\n2,0.5\n0,0.25\n", &ds, &err, NULL) == AE_OK, "%s", err.message);
  if (ds != NULL)
    {
      CHECK (ds->n_classes == 3 && ds->labels[0] == 2 && ds->labels[1] == 0 && ds->dim == 1, "numeric labels");
      CHECK (strcmp (ds->class_names[1], "1") == 0, "class name %s", ds->class_names[1]);
    }
  ae_dataset_free (ds);

  /* A header without a label column. */
  CHECK (load_text ("header.csv", "\"x\",\"y\"\n1,2\n3,4\n", &ds, &err, NULL) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->n == 2 && ds->labels == NULL, "header only names");
  ae_dataset_free (ds);
}

static void
expect_error (const char *name, const char *text, AeStatus want, const char *where)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  char *path = NULL;
  AeStatus st = load_text (name, text, &ds, &err, &path);
  CHECK (st == want && ds == NULL, "%s: status %d (%s)", name, st, err.message);
  char expect[1200];
  snprintf (expect, sizeof expect, "%s%s", path, where);
  CHECK (strstr (err.message, expect) != NULL, "'%s' not in: %s", expect, err.message);
  ae_dataset_free (ds);
  free (path);
}

static void
test_bad_files (void)
{
  expect_error ("nan.csv", "1,2,3\n4,5,6\n7,nan,9\n", AE_ERR_FORMAT, ":3:3: 'nan' is not a finite");
  expect_error ("inf.csv", "x,y\n1,-inf\n", AE_ERR_FORMAT, ":2:3: '-inf' is not a finite");
  expect_error ("huge.csv", "1,2\n1e39,0\n", AE_ERR_FORMAT, ":2:1:");
  expect_error ("word.csv", "1,2\n3, four\n", AE_ERR_FORMAT, ":2:4: 'four' is not a number");
  expect_error ("blank.csv", "1,2\n3,\n", AE_ERR_FORMAT, ":2:3:");
  expect_error ("ragged.csv", "1,2,3\n4,5,6\n7,8\n", AE_ERR_FORMAT, ":3: 2 cells, but line 1 has 3");
  expect_error ("ragged-header.csv", "a,b,label\n1,2,x\n1,2,3,y\n", AE_ERR_FORMAT, ":3: 4 cells");
  expect_error ("empty.csv", "", AE_ERR_FORMAT, ": no rows of numbers");
  expect_error ("header-only.csv", "a,b\n", AE_ERR_FORMAT, ": no rows of numbers");
  expect_error ("only-label.csv", "label\n1\n", AE_ERR_FORMAT, ":1: no column of values");
  expect_error ("two-labels.csv", "label,class,x\n1,2,3\n", AE_ERR_FORMAT, ":1:7: a second label column");
  expect_error ("empty-label.csv", "x,label\n1,a\n2,\n", AE_ERR_FORMAT, ":3:3: empty label");
  /* A binary file with a NUL inside a line. */
  char *path = io_test_path (dir, "nul.csv");
  io_test_write (path, "1,2\n3,\0004\n", 9);
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_csv_load (&ds, path, &err) == AE_ERR_FORMAT && ds == NULL, "NUL byte accepted");
  CHECK_NAMES (err, path);
  free (path);
  CHECK (ae_csv_load (&ds, "/nonexistent/x.csv", &err) == AE_ERR_IO, "missing file");
  CHECK_NAMES (err, "/nonexistent/x.csv");
}

static void
test_dataset_load_split (void)
{
  /* 100 rows through ae_dataset_load: a seeded split, 20% test, 10% of the rest validation. */
  char text[4096] = "f1,f2,label\n";
  for (int i = 0; i < 100; i++)
    {
      char row[64];
      snprintf (row, sizeof row, "%d,%d,%d\n", i, 100 - i, i % 2);
      strcat (text, row);
    }
  char *path = io_test_path (dir, "rows.csv");
  io_test_write (path, text, strlen (text));
  AeDataset *a = NULL, *b = NULL, *c = NULL;
  AeError err = { 0 };
  CHECK (ae_dataset_load (&a, path, 11, &err) == AE_OK, "%s", err.message);
  CHECK (ae_dataset_load (&b, path, 11, &err) == AE_OK, "%s", err.message);
  CHECK (ae_dataset_load (&c, path, 12, &err) == AE_OK, "%s", err.message);
  if (a != NULL && b != NULL && c != NULL)
    {
      CHECK (a->n_train == 72 && a->n_val == 8 && a->n_test == 20, "split %ld/%ld/%ld", a->n_train, a->n_val, a->n_test);
      CHECK (memcmp (a->order, b->order, 100 * sizeof *a->order) == 0, "same seed, another split");
      CHECK (memcmp (a->order, c->order, 100 * sizeof *a->order) != 0, "another seed, the same split");
      CHECK (strcmp (a->name, "rows.csv") == 0 && strcmp (a->source, path) == 0, "name %s", a->name);
      CHECK (a->n_classes == 2, "labels");
    }
  ae_dataset_free (a);
  ae_dataset_free (b);
  ae_dataset_free (c);
  free (path);
}

static int
csv_status (void *path)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  AeStatus st = ae_csv_load (&ds, path, &err);
  ae_dataset_free (ds);
  return (int) st;
}

/* 130 MiB of text in a file of a few hundred kilobytes: refused while inflating, before
 * a value is parsed. */
static void
test_inflated_budget (void)
{
  char *path = io_test_path (dir, "long.csv.gz");
  gzFile gz = gzopen (path, "wb1");
  static char block[1 << 20];
  for (size_t i = 0; i < sizeof block; i += 4)
    memcpy (block + i, "0,1\n", 4);
  for (int i = 0; i < 130; i++)
    gzwrite (gz, block, sizeof block);
  gzclose (gz);
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_csv_load (&ds, path, &err) == AE_ERR_LIMIT && ds == NULL, "status %d: %s", err.status,
         err.message);
  CHECK_NAMES (err, path);
  ae_dataset_free (ds);
  int result;
  long peak_mb = io_test_child_peak_mb (csv_status, path, &result);
  CHECK (result == AE_ERR_LIMIT && peak_mb >= 0 && (!IO_TEST_PEAK_MEASURED || peak_mb < 200),
         "status %d, peak %ld MiB", result, peak_mb);
  free (path);
}

/* What spreadsheets and old Macs write: a byte-order mark before a header (or before the
 * first row of numbers), and CR alone between lines. */
static void
test_bom_and_line_endings (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (load_text ("bom-header.csv", "\xEF\xBB\xBF" "label,x,y\n1,0.5,2\n0,1,3\n", &ds, &err, NULL) == AE_OK,
         "%s", err.message);
  CHECK (ds != NULL && ds->dim == 2 && ds->n_classes == 2 && ds->labels != NULL,
         "the label column behind a BOM was not recognised");
  ae_dataset_free (ds);
  ds = NULL;
  CHECK (load_text ("bom-numbers.csv", "\xEF\xBB\xBF" "1,2\n3,4\n", &ds, &err, NULL) == AE_OK, "%s",
         err.message);
  CHECK (ds != NULL && ds->n == 2, "the first row behind a BOM was lost: %ld rows", ds ? ds->n : 0);
  ae_dataset_free (ds);
  ds = NULL;
  CHECK (load_text ("mac.csv", "a,b\r1,2\r3,4\r\r5,6\r", &ds, &err, NULL) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->n == 3 && ds->dim == 2, "CR-only lines: %ld rows", ds ? ds->n : 0);
  ae_dataset_free (ds);
  ds = NULL;
  /* numpy.savetxt (..., header="x,y,label", delimiter=",") comments its header out. */
  CHECK (load_text ("savetxt.csv", "# x,y,label\n1.0e+00,2.0e+00,1.0e+00\n3.0e+00,4.0e+00,0.0e+00\n", &ds,
                    &err, NULL) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->n == 2 && ds->dim == 2 && ds->labels != NULL,
         "the commented label column was read as a feature");
  ae_dataset_free (ds);
  ds = NULL;
  /* pandas' to_csv () writes its index first, under an empty name: not a feature. */
  CHECK (load_text ("pandas.csv", ",a,b,label\n0,0.5,2,x\n1,1.5,4,y\n2,2.5,6,x\n", &ds, &err, NULL) == AE_OK,
         "%s", err.message);
  CHECK (ds != NULL && ds->n == 3 && ds->dim == 2 && ds->n_classes == 2, "pandas index: %d columns",
         ds ? ds->dim : -1);
  if (ds != NULL)
    CHECK (ds->value_min == 0.5 && ds->value_max == 6.0, "the index entered the scale: %g..%g",
           ds->value_min, ds->value_max);
  ae_dataset_free (ds);
  ds = NULL;
  /* A first data row with an empty cell is data, reported, not dropped as a header; a first
   * row of names and numbers is ambiguous and refused with a way out. */
  expect_error ("gap-first.csv", "1,,3\n4,5,6\n", AE_ERR_FORMAT, ":1:3:");
  expect_error ("mixed-first.csv", "1,2,abc\n4,5,6\n", AE_ERR_FORMAT, ":1: the first row mixes names");
  /* Any other comment is still a comment. */
  CHECK (load_text ("comment.csv", "# made by hand\n1,2\n3,4\n", &ds, &err, NULL) == AE_OK, "%s",
         err.message);
  CHECK (ds != NULL && ds->n == 2 && ds->dim == 2 && ds->labels == NULL, "a comment changed the columns");
  ae_dataset_free (ds);
  ds = NULL;
  /* Line numbers in messages count CR LF and CR alone as one line end each. */
  expect_error ("mac-bad.csv", "1,2\r3,x\r\n5,6\r", AE_ERR_FORMAT, ":2:3: 'x' is not a number");
  expect_error ("mac-bad2.csv", "1,2\r\n\r3,4\r5,y\n", AE_ERR_FORMAT, ":4:3: 'y' is not a number");
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/csv/plain-numbers", test_plain_numbers },
    { "/csv/header-and-labels", test_header_and_labels },
    { "/csv/bad-files", test_bad_files },
    { "/csv/dataset-load-split", test_dataset_load_split },
    { "/csv/inflated-budget", test_inflated_budget },
    { "/csv/bom-and-line-endings", test_bom_and_line_endings },
  };
  dir = io_test_mkdtemp ();
  int rc = ae_test_main (argc, argv, cases, AE_N_CASES (cases));
  io_test_rmdir (dir);
  return rc;
}
