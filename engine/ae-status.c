/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ae-status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

AeStatus
ae_error_set (AeError *err, AeStatus status, const char *fmt, ...)
{
  if (err != NULL)
    {
      va_list ap;
      va_start (ap, fmt);
      err->status = status;
      vsnprintf (err->message, sizeof err->message, fmt, ap);
      va_end (ap);
    }
  return status;
}

AeStatus
ae_error_prefix (AeError *err, const char *fmt, ...)
{
  if (err == NULL)
    return AE_OK;
  char prefix[AE_ERROR_MESSAGE_MAX];
  char old[AE_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (prefix, sizeof prefix, fmt, ap);
  va_end (ap);
  char joined[2 * AE_ERROR_MESSAGE_MAX + 2];
  memcpy (old, err->message, sizeof old);
  snprintf (joined, sizeof joined, "%s: %s", prefix, old);
  /* Long messages are cut rather than overflowing the fixed buffer. */
  memcpy (err->message, joined, sizeof err->message - 1);
  err->message[sizeof err->message - 1] = '\0';
  return err->status;
}

void
ae_error_clear (AeError *err)
{
  if (err != NULL)
    {
      err->status = AE_OK;
      err->message[0] = '\0';
    }
}

const char *
ae_status_name (AeStatus status)
{
  switch (status)
    {
    case AE_OK: return "ok";
    case AE_ERR_IO: return "input/output error";
    case AE_ERR_FORMAT: return "bad file format";
    case AE_ERR_LIMIT: return "size limit exceeded";
    case AE_ERR_INVALID: return "invalid argument";
    case AE_ERR_NOMEM: return "out of memory";
    case AE_ERR_DIVERGED: return "training diverged";
    case AE_ERR_UNSUPPORTED: return "unsupported";
    case AE_ERR_CANCELLED: return "cancelled";
    }
  return "unknown status";
}
