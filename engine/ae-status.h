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

/* Hard limits, checked before any allocation. */
#define AE_MAX_SAMPLES      10000000L  /* samples in one dataset */
#define AE_MAX_FEATURES     (1L << 20) /* floats per sample */
#define AE_MAX_DATASET_FLOATS (1L << 31) /* 8 GiB of float32 is more than any lesson needs */
#define AE_MAX_IMAGE_SIDE   16384      /* pixels, for PNG files */
#define AE_MAX_LAYER_UNITS  65536
#define AE_MAX_PARAMS       (1L << 28)
