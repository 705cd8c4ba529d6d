/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-target.h: what every fuzz target provides, whichever driver calls it (libFuzzer's
 * main, or standalone-main.c for the regression test over the seed corpus), and the checks
 * they share. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-status.h"

/* Parses one input; returns 0 (libFuzzer reserves other values). Crashes, leaks, undefined
 * behaviour and failed FUZZ_CHECKs are the findings; an error status from the parser is
 * the expected answer to most inputs. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A broken promise of the parser's API: abort so that the fuzzer records the input. */
#define FUZZ_CHECK(cond)                                                                   \
  do                                                                                       \
    {                                                                                      \
      if (!(cond))                                                                         \
        {                                                                                  \
          fprintf (stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
          abort ();                                                                        \
        }                                                                                  \
    }                                                                                      \
  while (0)

/* FUZZ_VERBOSE=1 prints each parser's answer, to see how deep a seed gets. */
static inline int
fuzz_verbose (void)
{
  static int verbose = -1;
  if (verbose < 0)
    verbose = getenv ("FUZZ_VERBOSE") != NULL;
  return verbose;
}

/* What every parser promises on failure: the status is recorded in err and the message is
 * a terminated string that names the input (ae-status.h). */
static inline void
fuzz_check_status (const char *what, AeStatus status, const AeError *err, const char *name)
{
  if (fuzz_verbose ())
    fprintf (stderr, "  %s: %s%s%s\n", what, ae_status_name (status), status ? ": " : "",
             status ? err->message : "");
  if (status == AE_OK)
    return;
  FUZZ_CHECK (err->status == status);
  FUZZ_CHECK (memchr (err->message, '\0', sizeof err->message) != NULL);
  FUZZ_CHECK (strstr (err->message, name) != NULL);
}

/* Reads every float so that ASan checks the whole buffer was allocated, and UBSan that it
 * was initialised as a float would be; the sum itself does not matter. */
static inline void
fuzz_touch_floats (const float *values, size_t count)
{
  volatile float sum = 0.0f;
  for (size_t i = 0; i < count; i++)
    sum += values[i];
  (void) sum;
}
