/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-csv.c: CSV files through ae_csv_load, which reads a path: each input is written to
 * a temporary file (gzip included, since the loader inflates by magic) and removed after. */
#include <math.h>
#include <unistd.h>

#include "ae-io.h"
#include "fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *tmpdir = getenv ("TMPDIR");
  char path[4096];
  if ((size_t) snprintf (path, sizeof path, "%s/latentlab-fuzz-csv-XXXXXX",
                         tmpdir && *tmpdir ? tmpdir : "/tmp") >= sizeof path)
    return 0;
  int fd = mkstemp (path);
  if (fd < 0)
    {
      perror (path);
      abort (); /* without the file nothing is tested: better stop than report nothing */
    }
  size_t done = 0;
  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);
      if (n <= 0)
        {
          perror (path);
          close (fd);
          unlink (path);
          abort ();
        }
      done += (size_t) n;
    }
  close (fd);

  AeDataset *ds = NULL;
  AeError err = { 0 };
  AeStatus status = ae_csv_load (&ds, path, &err);
  unlink (path);
  fuzz_check_status ("ae_csv_load", status, &err, path);
  FUZZ_CHECK ((status == AE_OK) == (ds != NULL));
  if (ds == NULL)
    return 0;
  FUZZ_CHECK (ds->n >= 1 && ds->dim >= 1 && ds->dim == ds->channels * ds->height * ds->width);
  size_t count = (size_t) ds->n * (size_t) ds->dim;
  /* Min-max scaled: every value in [0, 1], none NaN. */
  for (size_t i = 0; i < count; i++)
    FUZZ_CHECK (ds->x[i] >= 0.0f && ds->x[i] <= 1.0f);
  if (ds->labels != NULL)
    {
      FUZZ_CHECK (ds->n_classes >= 1 && ds->class_names != NULL);
      for (long i = 0; i < ds->n; i++)
        FUZZ_CHECK (ds->labels[i] >= 0 && ds->labels[i] < ds->n_classes);
      for (int c = 0; c < ds->n_classes; c++)
        FUZZ_CHECK (memchr (ds->class_names[c], '\0', AE_CLASS_NAME_MAX) != NULL);
    }
  ae_dataset_free (ds);
  return 0;
}
