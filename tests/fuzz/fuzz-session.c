/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-session.c: the text header of session files (shared between students) through
 * lab_session_header_parse; the tensors after it are the model file's, fuzzed by
 * fuzz-modelfile. */
#include <math.h>

#include "fuzz-target.h"
#include "lab-session-header.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = g_strndup ((const char *) data, size);
  LabSessionHeader header = { 0 };
  GError *error = NULL;
  gboolean ok = lab_session_header_parse (&header, "fuzz.session", text, &error);

  if (fuzz_verbose ())
    fprintf (stderr, "  lab_session_header_parse: %s\n", ok ? "ok" : error->message);
  FUZZ_CHECK (ok == (error == NULL));
  if (ok)
    {
      FUZZ_CHECK (header.dataset != NULL && header.dataset[0] != '\0');
      FUZZ_CHECK (header.config_text != NULL && header.config_text > text
                  && header.config_text <= text + strlen (text));
      FUZZ_CHECK (header.progress.epoch >= 0 && header.progress.batch >= 0
                  && header.progress.steps >= 0);
      FUZZ_CHECK (isfinite (header.progress.elapsed_s) && header.progress.elapsed_s >= 0);
      FUZZ_CHECK (header.chosen->len == header.chosen_names->len);
      for (guint i = 0; i < header.chosen->len; i++)
        {
          GArray *list = g_ptr_array_index (header.chosen, i);

          for (guint k = 0; k < list->len; k++)
            FUZZ_CHECK (g_array_index (list, long, k) >= -1);
        }
    }
  else
    FUZZ_CHECK (g_str_has_prefix (error->message, "fuzz.session"));
  g_clear_error (&error);
  lab_session_header_clear (&header);
  g_free (text);
  return 0;
}
