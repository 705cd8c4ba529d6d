/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-status.h: runtime failures of the engine.
 *
 * Every function that can fail on bad input returns an AeStatus and fills an
 * AeError whose message names the file, offset or value and what was expected.
 * The engine never exits or aborts on bad input; assert() is for programmer bugs.
 */
#pragma once

#include <stddef.h>

typedef enum {
  AE_OK = 0,
  AE_ERR_IO,          /* open/read/write failed */
  AE_ERR_FORMAT,      /* a file is truncated, corrupt or of the wrong kind */
  AE_ERR_LIMIT,       /* a size is beyond what the engine accepts */
  AE_ERR_INVALID,     /* an argument or option value is wrong */
  AE_ERR_NOMEM,       /* allocation failed */
  AE_ERR_DIVERGED,    /* a loss or gradient became NaN or infinite */
  AE_ERR_UNSUPPORTED, /* valid, but not something this build does */
  AE_ERR_CANCELLED,   /* stopped on request */
} AeStatus;

#define AE_ERROR_MESSAGE_MAX 512

typedef struct {
  AeStatus status;
  char message[AE_ERROR_MESSAGE_MAX];
} AeError;

/* Records status and a printf-style message in err (which may be NULL) and
 * returns status, so that callers can write `return ae_error_set (err, ...)`. */
AeStatus ae_error_set (AeError *err, AeStatus status, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Prefixes an existing message, e.g. with the file name: "digits.idx: <msg>". */
AeStatus ae_error_prefix (AeError *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

void ae_error_clear (AeError *err);

const char *ae_status_name (AeStatus status);

/* Hard limits, checked before any allocation, against what a file's header declares.
 *
 * The input budget: the largest real input this program serves is Fashion-MNIST, 70,000
 * images of 28 x 28 (55 million values, 220 MB as float32), or a 24-megapixel photograph to
 * denoise. A dataset may hold 2.4 times Fashion-MNIST (512 MiB of float32), an image 32
 * megapixels, CSV text 128 MiB; anything larger is refused from its header before it is
 * decoded, so that no small (compressed) file can make a command use more than about 1 GB. */
#define AE_MAX_SAMPLES      10000000L  /* samples in one dataset */
#define AE_MAX_FEATURES     (1L << 20) /* floats per sample */
#define AE_MAX_DATASET_FLOATS (1L << 27) /* 512 MiB of float32 */
#define AE_MAX_IMAGE_SIDE   16384      /* pixels, for PNG files */
#define AE_MAX_IMAGE_PIXELS (1L << 25) /* width x height, for PNG files: 32 megapixels */
#define AE_MAX_CSV_BYTES    ((size_t) 128 << 20) /* CSV text, inflated */
#define AE_MAX_LAYER_UNITS  65536
#define AE_MAX_PARAMS       (1L << 28)
