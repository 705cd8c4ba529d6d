/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-clock.h: the one clock the engine and its tools time things with. */
#pragma once

/* Seconds on the monotonic clock (unaffected by changes of the wall-clock time): only
 * differences mean something. */
double ae_monotonic_seconds (void);
