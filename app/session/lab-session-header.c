/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-header.c: the text header of a session file (see lab-session-file.c for the
 * format), apart from the session itself so that it is fuzzed on its own. */
#include "lab-session-header.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define CHOSEN_MAX 4096

G_DEFINE_QUARK (lab-session-error-quark, lab_session_error)

void
lab_session_header_clear (LabSessionHeader *h)
{
  g_free (h->dataset);
  g_free (h->view);
  g_free (h->lesson);
  g_clear_pointer (&h->chosen_names, g_ptr_array_unref);
  g_clear_pointer (&h->chosen, g_ptr_array_unref);
  for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
    {
      g_free ((double *) h->progress.train[t].x);
      g_free ((double *) h->progress.train[t].y);
      g_free ((double *) h->progress.val[t].x);
      g_free ((double *) h->progress.val[t].y);
    }
}

static gboolean
parse_integer (const char *path, int line_no, const char *key, const char *value, gint64 min,
               gint64 max, gint64 *out, GError **error)
{
  char *end = NULL;
  gint64 v;

  errno = 0;
  v = g_ascii_strtoll (value, &end, 10);
  if (errno != 0 || end == value || *end != '\0' || v < min || v > max)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                   "%s: line %d: %s = \"%s\": expected a whole number from %" G_GINT64_FORMAT
                   " to %" G_GINT64_FORMAT, path, line_no, key, value, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_chosen (LabSessionHeader *h, const char *path, int line_no, const char *name,
              const char *value, GError **error)
{
  g_auto(GStrv) words = g_strsplit_set (value, " \t", -1);
  GArray *list = g_array_new (FALSE, FALSE, sizeof (long));

  for (guint i = 0; words[i] != NULL; i++)
    {
      gint64 v;

      if (words[i][0] == '\0')
        continue;
      if (list->len >= CHOSEN_MAX
          || !parse_integer (path, line_no, name, words[i], -1, G_MAXINT32, &v, error))
        {
          if (list->len >= CHOSEN_MAX)
            g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                         "%s: line %d: more than %d chosen samples", path, line_no, CHOSEN_MAX);
          g_array_unref (list);
          return FALSE;
        }
      g_array_append_vals (list, &(long) { (long) v }, 1);
    }
  g_ptr_array_add (h->chosen_names, g_strdup (name));
  g_ptr_array_add (h->chosen, list);
  return TRUE;
}

gboolean
lab_session_header_parse (LabSessionHeader *h, const char *path, const char *text,
                          GError **error)
{
  const char *line = text, *next;
  int line_no = 1;
  gint64 v;

  if (!g_str_has_prefix (text, SESSION_HEADER))
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                   "%s: a model file, not a session file (open it with Open Model)", path);
      return FALSE;
    }
  h->chosen_names = g_ptr_array_new_with_free_func (g_free);
  h->chosen = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (; *line != '\0'; line = next, line_no++)
    {
      g_autofree char *content = NULL;
      char *eq, *key, *value;

      next = strchr (line, '\n');
      next = next != NULL ? next + 1 : line + strlen (line);
      content = g_strndup (line, (gsize) (next - line));
      g_strchomp (content);

      if (line_no == 1)
        {
          if (!parse_integer (path, 1, "version", content + strlen (SESSION_HEADER), 0,
                              G_MAXINT32, &v, error))
            return FALSE;
          if (v != SESSION_VERSION)
            {
              g_set_error (error, LAB_SESSION_ERROR, AE_ERR_UNSUPPORTED,
                           "%s: session file version %" G_GINT64_FORMAT
                           "; this build reads version %d", path, v, SESSION_VERSION);
              return FALSE;
            }
          continue;
        }
      if (strcmp (content, MODEL_SECTION) == 0)
        {
          h->config_text = next;
          break;
        }
      if (content[0] == '\0')
        continue;
      eq = strchr (content, '=');
      if (eq == NULL)
        {
          g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                       "%s: line %d: \"%s\": expected key = value", path, line_no, content);
          return FALSE;
        }
      *eq = '\0';
      key = g_strstrip (content);
      value = g_strstrip (eq + 1);

      if (strcmp (key, "dataset") == 0 && value[0] != '\0')
        {
          g_free (h->dataset);
          h->dataset = g_strdup (value);
        }
      else if (strcmp (key, "dataset-seed") == 0)
        {
          char *end = NULL;

          errno = 0;
          h->dataset_seed = g_ascii_strtoull (value, &end, 10);
          /* strtoull takes "-1" for 2^64 - 1: a sign is refused, not wrapped. */
          if (errno != 0 || end == value || *end != '\0' || !g_ascii_isdigit (value[0]))
            {
              g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                           "%s: line %d: dataset-seed = \"%s\": expected a whole number",
                           path, line_no, value);
              return FALSE;
            }
        }
      else if (strcmp (key, "view") == 0)
        {
          g_free (h->view);
          h->view = g_strdup (value);
        }
      else if (strcmp (key, "lesson") == 0)
        {
          g_free (h->lesson);
          h->lesson = g_strdup (value);
        }
      else if (strcmp (key, "epoch") == 0)
        {
          if (!parse_integer (path, line_no, key, value, 0, G_MAXINT32, &v, error))
            return FALSE;
          h->progress.epoch = (int) v;
        }
      else if (strcmp (key, "batch") == 0 || strcmp (key, "steps") == 0)
        {
          if (!parse_integer (path, line_no, key, value, 0, G_MAXINT64 / 2, &v, error))
            return FALSE;
          *(key[0] == 'b' ? &h->progress.batch : &h->progress.steps) = (long) v;
        }
      else if (strcmp (key, "elapsed") == 0)
        {
          char *end = NULL;
          double d = g_ascii_strtod (value, &end);

          if (end == value || *end != '\0' || !isfinite (d) || d < 0)
            {
              g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                           "%s: line %d: elapsed = \"%s\": expected seconds", path, line_no,
                           value);
              return FALSE;
            }
          h->progress.elapsed_s = d;
        }
      else if (g_str_has_prefix (key, "chosen ") && key[strlen ("chosen ")] != '\0')
        {
          if (!parse_chosen (h, path, line_no, key + strlen ("chosen "), value, error))
            return FALSE;
        }
      /* unknown keys are skipped: a later version 1 writer may add some */
    }

  if (h->dataset == NULL || h->config_text == NULL)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT, "%s: the session has no %s", path,
                   h->dataset == NULL ? "dataset line" : "[model] section");
      return FALSE;
    }
  return TRUE;
}

