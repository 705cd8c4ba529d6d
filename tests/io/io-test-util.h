/* SPDX-License-Identifier: GPL-3.0-or-later */
/* io-test-util.h: temporary folders and small files for the io tests. */
#pragma once

#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ae-io.h"
#include "ae-test.h"

/* A fresh folder under $TMPDIR (or /tmp); remove it with io_test_rmdir. */
static inline char *
io_test_mkdtemp (void)
{
  const char *base = getenv ("TMPDIR");
  char templ[1024];
  snprintf (templ, sizeof templ, "%s/latentlab-io-XXXXXX", base && *base ? base : "/tmp");
  char *dir = mkdtemp (templ);
  if (dir == NULL)
    {
      perror ("mkdtemp");
      exit (1);
    }
  return strdup (dir);
}

static inline int
io_test_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  return remove (path);
}

static inline void
io_test_rmdir (char *dir)
{
  nftw (dir, io_test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free (dir);
}

static inline char *
io_test_path (const char *dir, const char *name)
{
  /* Joined by hand: GCC's format checks cannot see that dir is never NULL here. */
  size_t ld = strlen (dir), ln = strlen (name);
  char *p = malloc (ld + ln + 2);
  if (p == NULL)
    abort ();
  memcpy (p, dir, ld);
  p[ld] = '/';
  memcpy (p + ld + 1, name, ln + 1);
  return p;
}

static inline void
io_test_write (const char *path, const void *data, size_t len)
{
  FILE *f = fopen (path, "wb");
  if (f == NULL || fwrite (data, 1, len, f) != len || fclose (f) != 0)
    {
      perror (path);
      exit (1);
    }
}

static inline uint8_t *
io_test_read (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  *len = 0;
  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  long n = ftell (f);
  fseek (f, 0, SEEK_SET);
  uint8_t *buf = malloc (n > 0 ? (size_t) n : 1);
  *len = fread (buf, 1, (size_t) n, f);
  fclose (f);
  return buf;
}

/* The number of entries in a folder (to see that no temporary file was left behind). */
static inline int
io_test_count_entries (const char *dir)
{
  DIR *d = opendir (dir);
  int n = 0;
  if (d == NULL)
    return -1;
  for (struct dirent *e; (e = readdir (d)) != NULL;)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      n++;
  closedir (d);
  return n;
}

/* Messages must name the file they are about. */
#define CHECK_NAMES(err, name)                                                             \
  CHECK (strstr ((err).message, (name)) != NULL, "message does not name %s: %s", (name),   \
         (err).message)

/* AddressSanitizer keeps freed memory in quarantine and adds shadow memory, so under it a
 * child's peak is the sanitizer's more than ours: the memory budgets are checked in the plain
 * build (CI runs both), the refusals in both. */
#if defined(__SANITIZE_ADDRESS__)
#define IO_TEST_PEAK_MEASURED 0
#else
#define IO_TEST_PEAK_MEASURED 1
#endif

/* Runs fn (arg) in a child process and returns the child's peak resident memory in MiB,
 * with *result set to fn's return value (-1 when the child did not exit normally): to see
 * that a refusal came before the memory was spent. */
static inline long
io_test_child_peak_mb (int (*fn) (void *), void *arg, int *result)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    _exit (fn (arg));
  int status = 0;
  struct rusage ru;
  *result = -1;
  if (pid < 0 || wait4 (pid, &status, 0, &ru) != pid)
    return -1;
  if (WIFEXITED (status))
    *result = WEXITSTATUS (status);
  return ru.ru_maxrss / 1024;
}

/* A w x h PNG of one grey level in dir/name. */
static inline void
io_test_write_grey_png (const char *dir, const char *name, int w, int h, float level)
{
  char *path = io_test_path (dir, name);
  float *px = malloc ((size_t) w * h * sizeof (float));
  for (int i = 0; i < w * h; i++)
    px[i] = level;
  AeError err = { 0 };
  CHECK (ae_png_write_gray (path, px, w, h, &err) == AE_OK, "%s", err.message);
  free (px);
  free (path);
}
