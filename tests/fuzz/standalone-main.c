/* SPDX-License-Identifier: GPL-3.0-or-later */
/* standalone-main.c: runs files through a fuzz target without libFuzzer, so that the seed
 * corpus (and every crash found and added to it) is a regression test under any compiler.
 *
 *   fuzz-idx-corpus DIR|FILE...
 *
 * A folder stands for the files directly in it, taken in name order so that runs are
 * repeatable. Exits 0 when every input was parsed without a crash (a crash, or a
 * sanitizer report, ends the process with an error before that); 1 when an argument
 * cannot be read or no input was found, since an empty corpus would test nothing. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-target.h"

/* Inputs are small seeds; anything bigger is a mistake in the corpus. */
#define MAX_INPUT_BYTES ((size_t) 16 << 20)

static int
run_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  struct stat st;
  if (f == NULL || fstat (fileno (f), &st) != 0)
    {
      fprintf (stderr, "%s: cannot open: %s\n", path, strerror (errno));
      if (f)
        fclose (f);
      return -1;
    }
  if ((uint64_t) st.st_size > MAX_INPUT_BYTES)
    {
      fprintf (stderr, "%s: %lld bytes, more than the %zu a seed may have\n", path,
               (long long) st.st_size, MAX_INPUT_BYTES);
      fclose (f);
      return -1;
    }
  /* A buffer of exactly the input's size, as libFuzzer gives, so that ASan sees any read
   * past the end. */
  size_t size = (size_t) st.st_size;
  uint8_t *data = malloc (size > 0 ? size : 1);
  int failed = data == NULL || fread (data, 1, size, f) != size;
  fclose (f);
  if (failed)
    {
      fprintf (stderr, "%s: cannot read its %zu bytes\n", path, size);
      free (data);
      return -1;
    }
  printf ("%s (%zu bytes)\n", path, size);
  fflush (stdout); /* so that the last name printed is the input that crashed */
  LLVMFuzzerTestOneInput (data, size);
  free (data);
  return 0;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Runs the regular files directly in dir; returns how many, or -1. */
static long
run_folder (const char *dir)
{
  DIR *d = opendir (dir);
  if (d == NULL)
    {
      fprintf (stderr, "%s: cannot open the folder: %s\n", dir, strerror (errno));
      return -1;
    }
  char **paths = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    {
      if (e->d_name[0] == '.')
        continue;
      if (n == cap)
        {
          cap = cap ? cap * 2 : 64;
          char **grown = realloc (paths, cap * sizeof *paths);
          if (grown == NULL)
            break;
          paths = grown;
        }
      size_t len = strlen (dir) + strlen (e->d_name) + 2;
      paths[n] = malloc (len);
      if (paths[n] == NULL)
        break;
      snprintf (paths[n], len, "%s/%s", dir, e->d_name);
      n++;
    }
  closedir (d);
  if (n > 0)
    qsort (paths, n, sizeof *paths, compare_names);
  long ran = 0;
  for (size_t i = 0; i < n; i++)
    {
      struct stat st;
      if (ran >= 0 && stat (paths[i], &st) == 0 && S_ISREG (st.st_mode))
        ran = run_file (paths[i]) == 0 ? ran + 1 : -1;
      free (paths[i]);
    }
  free (paths);
  return ran;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s CORPUS-FOLDER|FILE...\n", argv[0]);
      return 1;
    }
  long total = 0;
  for (int i = 1; i < argc; i++)
    {
      struct stat st;
      if (stat (argv[i], &st) != 0)
        {
          fprintf (stderr, "%s: %s\n", argv[i], strerror (errno));
          return 1;
        }
      long ran = S_ISDIR (st.st_mode) ? run_folder (argv[i]) : run_file (argv[i]) == 0 ? 1 : -1;
      if (ran < 0)
        return 1;
      total += ran;
    }
  if (total == 0)
    {
      fprintf (stderr, "no input found in the arguments\n");
      return 1;
    }
  printf ("%ld inputs parsed without a crash\n", total);
  return 0;
}
