/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-clock.c: the monotonic clock in seconds. */
#include "ae-clock.h"

#include <time.h>

double
ae_monotonic_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}
