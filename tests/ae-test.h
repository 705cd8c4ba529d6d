/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-test.h: a minimal TAP harness for the engine's tests (the engine has no GLib, and
 * its tests need none). Each case is a function; a failed CHECK marks the case failed and
 * prints where and why; the program prints TAP and exits non-zero when any case failed.
 *
 *   static void test_rng_repeats (void) { CHECK (a == b, "a=%d b=%d", a, b); }
 *   int main (int argc, char **argv) {
 *     static const AeTestCase cases[] = { { "/rng/repeats", test_rng_repeats } };
 *     return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
 *   }
 * `./test -p /rng` runs only the cases whose name starts with /rng.
 */
#pragma once

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char *name;
  void (*func) (void);
} AeTestCase;

#define AE_N_CASES(a) ((int) (sizeof (a) / sizeof (a)[0]))

static int ae_test_case_failed;

static inline void
ae_test_fail (const char *file, int line, const char *expr, const char *fmt, ...)
{
  va_list ap;
  ae_test_case_failed = 1;
  printf ("# %s:%d: CHECK (%s) failed: ", file, line, expr);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  fflush (stdout);
}

#define CHECK(cond, ...)                                                                   \
  do                                                                                       \
    {                                                                                      \
      if (!(cond))                                                                         \
        ae_test_fail (__FILE__, __LINE__, #cond, __VA_ARGS__);                             \
    }                                                                                      \
  while (0)

/* Relative-or-absolute closeness, for floats. */
#define CHECK_CLOSE(a, b, tol)                                                             \
  do                                                                                       \
    {                                                                                      \
      double ae_a_ = (a), ae_b_ = (b);                                                     \
      if (!(fabs (ae_a_ - ae_b_) <= (tol) * fmax (1.0, fmax (fabs (ae_a_), fabs (ae_b_))))) \
        ae_test_fail (__FILE__, __LINE__, #a " ~ " #b, "%.9g vs %.9g (tolerance %g)", ae_a_,  \
                      ae_b_, (double) (tol));                                              \
    }                                                                                      \
  while (0)

static inline int
ae_test_main (int argc, char **argv, const AeTestCase *cases, int n)
{
  const char *prefix = NULL;
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "-p") == 0)
      prefix = argv[i + 1];
  int selected = 0;
  for (int i = 0; i < n; i++)
    if (prefix == NULL || strncmp (cases[i].name, prefix, strlen (prefix)) == 0)
      selected++;
  printf ("1..%d\n", selected);
  int failed = 0, number = 0;
  for (int i = 0; i < n; i++)
    {
      if (prefix != NULL && strncmp (cases[i].name, prefix, strlen (prefix)) != 0)
        continue;
      ae_test_case_failed = 0;
      cases[i].func ();
      number++;
      printf ("%s %d %s\n", ae_test_case_failed ? "not ok" : "ok", number, cases[i].name);
      fflush (stdout);
      failed += ae_test_case_failed;
    }
  return failed ? 1 : 0;
}
