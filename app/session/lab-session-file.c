/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-file.c: session files.
 *
 * A session file is a Latent Lab model file (engine/ae-modelfile.c: magic line, text,
 * named float32 tensors, CRC-32, written atomically through a temporary file and a rename)
 * whose text begins with a session header:
 *
 *   latentlab-session 1              format version of what follows
 *   dataset = digits                 the dataset spec as on the command line (name or path)
 *   dataset-seed = 1                 the seed its split was made with
 *   view = training                  the view shown (may be absent)
 *   lesson = 2 1,-1 1,0 bundled:pca  the lesson under way: step, answers, runs, lesson
 *                                    (lab-lesson-state.c; may be absent)
 *   epoch = 3                        0-based epoch under way
 *   batch = 12                       batches done in it
 *   steps = 387                      batches since the last reset
 *   elapsed = 41.5                   training seconds
 *   chosen generate-pair = 12 345    a view's chosen samples: name, then indices
 *   [model]
 *   preset = vae ...                 the configuration as ae_config_to_text writes it
 *
 * The tensors are the model's (as in a model file) and the loss history, one tensor per
 * curve with points: "history.train.<term>" and "history.val.<term>", shape (n, 2) of
 * (epoch, loss) float32 pairs, absent when the curve is empty. Adam's moments are not kept:
 * a reopened session trains on from the saved weights with fresh moments.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "ae-io.h"
#include "ae-model.h"

#include "lab-background.h"
#include "lab-session-file.h"
#include "lab-session-header.h"
#include "lab-session-private.h"
#include "lab-session-struct.h"

#define HISTORY_PREFIX "history."
#define MAX_TENSORS 256

static gboolean
fail_ae (GError **error, const AeError *err)
{
  _lab_set_error_from_ae (error, err);
  return FALSE;
}

static const char *
curve_name (char *buf, gsize size, gboolean val, LabLossTerm term)
{
  g_snprintf (buf, size, HISTORY_PREFIX "%s.%s", val ? "val" : "train", lab_loss_term_name (term));
  return buf;
}

gboolean
lab_session_save_file (LabSession *self, const char *path, GError **error)
{
  LabSnapshot *snapshot;
  const char *spec, *saved_spec;
  g_autofree char *absolute_spec = NULL;
  AeTensor tensors[MAX_TENSORS];
  int n = 0;
  AeModel *model = NULL;
  AeError err = { 0 };
  GString *text;
  char *config_text;
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  char **names;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  snapshot = lab_session_get_snapshot (self);
  spec = lab_session_get_dataset_spec (self);
  if (spec == NULL || snapshot == NULL || snapshot->weights == NULL)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_INVALID,
                   "%s: there is no model to save yet", path);
      return FALSE;
    }
  saved_spec = spec;
  model = _lab_weights_clone_model (snapshot->weights);
  config_text = model != NULL ? ae_config_to_text (_lab_session_get_config (self)) : NULL;
  if (model == NULL || config_text == NULL)
    {
      ae_model_free (model);
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_NOMEM, "%s: out of memory", path);
      return FALSE;
    }

  /* A line break in the name would end the line and lose the dataset on reopening. */
  if (strpbrk (spec, "\n\r") != NULL)
    {
      ae_model_free (model);
      free (config_text);
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_INVALID,
                   "%s: the dataset's path holds a line break; rename its folder to save the session",
                   path);
      return FALSE;
    }
  /* A path is written relative to the session file's folder when the data lies inside it
   * (so that the folder can be shared), absolute otherwise: opening reads it that way. */
  if (strchr (spec, '/') != NULL || strchr (spec, '.') != NULL)
    {
      g_autofree char *session_path = g_canonicalize_filename (path, NULL);
      g_autofree char *session_dir = g_path_get_dirname (session_path);
      g_autofree char *prefix = g_strconcat (session_dir, "/", NULL);

      absolute_spec = g_canonicalize_filename (spec, NULL);
      saved_spec = g_str_has_prefix (absolute_spec, prefix) ? absolute_spec + strlen (prefix)
                                                            : absolute_spec;
    }
  text = g_string_new (NULL);
  g_string_append_printf (text, SESSION_HEADER "%d\n", SESSION_VERSION);
  g_string_append_printf (text, "dataset = %s\n", saved_spec);
  g_string_append_printf (text, "dataset-seed = %" G_GUINT64_FORMAT "\n",
                          _lab_session_get_dataset_seed (self));
  if (lab_session_get_view (self) != NULL)
    g_string_append_printf (text, "view = %s\n", lab_session_get_view (self));
  if (lab_session_get_lesson (self) != NULL)
    g_string_append_printf (text, "lesson = %s\n", lab_session_get_lesson (self));
  g_string_append_printf (text, "epoch = %d\nbatch = %ld\nsteps = %ld\n", snapshot->epoch,
                          snapshot->batch, snapshot->steps);
  g_string_append_printf (text, "elapsed = %s\n",
                          g_ascii_formatd (num, sizeof num, "%.17g", snapshot->elapsed_s));
  names = lab_session_list_chosen (self);
  for (guint i = 0; names[i] != NULL; i++)
    {
      guint count;
      const long *indices = lab_session_get_chosen (self, names[i], &count);

      g_string_append_printf (text, "chosen %s =", names[i]);
      for (guint k = 0; k < count; k++)
        g_string_append_printf (text, " %ld", indices[k]);
      g_string_append_c (text, '\n');
    }
  g_strfreev (names);
  g_string_append (text, MODEL_SECTION "\n");
  g_string_append (text, config_text);
  free (config_text);

  n = ae_model_tensors (model, tensors, MAX_TENSORS - 2 * LAB_N_LOSS_TERMS);
  for (guint s = 0; s < 2; s++)
    for (guint t = 0; t < LAB_N_LOSS_TERMS; t++)
      {
        const LabCurve *curve = s == 0 ? &snapshot->train[t] : &snapshot->val[t];
        AeTensor *tensor;

        if (curve->n == 0)
          continue;
        tensor = &tensors[n++];
        memset (tensor, 0, sizeof *tensor);
        curve_name (tensor->name, sizeof tensor->name, s == 1, t);
        tensor->rank = 2;
        tensor->shape[0] = (int) curve->n;
        tensor->shape[1] = 2;
        tensor->data = g_new (float, (gsize) curve->n * 2);
        for (guint i = 0; i < curve->n; i++)
          {
            tensor->data[2 * i] = (float) curve->x[i];
            tensor->data[2 * i + 1] = (float) curve->y[i];
          }
      }

  ok = ae_modelfile_write (path, text->str, tensors, n, &err) == AE_OK;
  for (int i = 0; i < n; i++)
    if (g_str_has_prefix (tensors[i].name, HISTORY_PREFIX))
      g_free (tensors[i].data);
  g_string_free (text, TRUE);
  ae_model_free (model);
  return ok || fail_ae (error, &err);
}

/* --- reading ---------------------------------------------------------------------------- */

/* Copies the history tensors into h and lists the others (the model's, borrowed) in
 * model_tensors (n_tensors of them). */
static gboolean
take_history (LabSessionHeader *h, const char *path, const AeTensor *tensors, int n_tensors,
              AeTensor *model_tensors, int *n_model, GError **error)
{
  *n_model = 0;
  for (int i = 0; i < n_tensors; i++)
    {
      const AeTensor *tensor = &tensors[i];
      gboolean found = FALSE;

      if (!g_str_has_prefix (tensor->name, HISTORY_PREFIX))
        {
          model_tensors[(*n_model)++] = *tensor;
          continue;
        }
      for (guint s = 0; s < 2 && !found; s++)
        for (guint t = 0; t < LAB_N_LOSS_TERMS && !found; t++)
          {
            char name[AE_TENSOR_NAME_MAX];
            LabCurve *curve = s == 0 ? &h->progress.train[t] : &h->progress.val[t];
            double *x, *y;

            if (strcmp (curve_name (name, sizeof name, s == 1, t), tensor->name) != 0)
              continue;
            found = TRUE;
            if (tensor->rank != 2 || tensor->shape[1] != 2 || curve->n > 0)
              {
                g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                             "%s: tensor '%s': expected a single (points, 2) table", path,
                             tensor->name);
                return FALSE;
              }
            x = g_new (double, tensor->shape[0]);
            y = g_new (double, tensor->shape[0]);
            for (int k = 0; k < tensor->shape[0]; k++)
              {
                x[k] = tensor->data[2 * k];
                y[k] = tensor->data[2 * k + 1];
              }
            curve->x = x;
            curve->y = y;
            curve->n = (guint) tensor->shape[0];
            for (int k = 0; k < tensor->shape[0]; k++)
              if (!isfinite (x[k]) || !isfinite (y[k]))
                {
                  g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                               "%s: tensor '%s': point %d is not finite", path, tensor->name, k);
                  return FALSE;
                }
          }
      if (!found)
        {
          g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                       "%s: unknown history tensor '%s'", path, tensor->name);
          return FALSE;
        }
    }
  return TRUE;
}

/* A session file read, with its dataset loaded: all of it on any thread (a worker), then
 * put in force in a session on the main thread. */
typedef struct {
  char *path;
  LabSessionHeader header;
  AeModel *model;
  LabRestoreJob *restore;
} LabOpening;

static void
opening_free (LabOpening *o)
{
  g_free (o->path);
  ae_model_free (o->model);
  if (o->restore != NULL)
    _lab_session_restore_job_free (o->restore);
  lab_session_header_clear (&o->header);
  g_free (o);
}

/* Reads the file and loads its dataset; touches no session. */
static gboolean
opening_read (LabOpening *o, GError **error)
{
  LabSessionHeader *header = &o->header;
  const char *path = o->path;
  char *text = NULL;
  AeTensor *tensors = NULL, *model_tensors = NULL;
  int n_tensors = 0, n_model = 0;
  AeError err = { 0 };
  gboolean ok = FALSE;

  if (ae_modelfile_read (path, &text, &tensors, &n_tensors, &err) != AE_OK)
    {
      if (err.status == AE_ERR_FORMAT && strstr (err.message, "bad magic") != NULL)
        g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                     "%s: not a Latent Lab session file (it should begin with "
                     "\"LATENTLAB-MODEL 1\")", path);
      else
        fail_ae (error, &err);
      return FALSE;
    }
  model_tensors = g_new (AeTensor, MAX (n_tensors, 1));
  if (!lab_session_header_parse (header, path, text, error)
      || !take_history (header, path, tensors, n_tensors, model_tensors, &n_model, error))
    goto out;
  /* Every epoch begun takes at least one batch: counters beyond the steps are not a run's
   * (epoch = 99999 beside steps = 387 asked for 100,000 shuffles to be replayed). */
  if (header->progress.epoch > header->progress.steps || header->progress.batch > header->progress.steps)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                   "%s: epoch = %d and batch = %ld do not fit steps = %ld (each epoch takes at "
                   "least one batch)", path, header->progress.epoch, header->progress.batch,
                   header->progress.steps);
      goto out;
    }
  if (ae_model_from_tensors (&o->model, path, header->config_text, model_tensors, n_model, &err)
      != AE_OK)
    {
      fail_ae (error, &err);
      goto out;
    }
  /* A relative dataset path is the session file's neighbour, wherever the program was
   * started: a lesson shared in a folder brings its data along. Built-in names (no '/' and
   * no '.') stay as they are. */
  if ((strchr (header->dataset, '/') != NULL || strchr (header->dataset, '.') != NULL)
      && !g_path_is_absolute (header->dataset))
    {
      g_autofree char *session_path = g_canonicalize_filename (path, NULL);
      g_autofree char *session_dir = g_path_get_dirname (session_path);
      char *resolved = g_canonicalize_filename (header->dataset, session_dir);

      g_free (header->dataset);
      header->dataset = resolved;
    }
  o->restore = _lab_session_restore_job (header->dataset, header->dataset_seed,
                                         ae_model_config (o->model));
  ok = _lab_session_restore_job_run (o->restore, error);
  if (!ok)
    g_prefix_error (error, "%s: ", path);

out:
  g_free (model_tensors);
  ae_modelfile_free_tensors (tensors, n_tensors);
  free (text);
  return ok;
}

/* Puts what was read in force (main thread). */
static gboolean
opening_apply (LabSession *self, LabOpening *o, GError **error)
{
  const LabSessionHeader *header = &o->header;

  if (!_lab_session_restore (self, o->restore, o->model, &header->progress, error))
    {
      g_prefix_error (error, "%s: ", o->path);
      return FALSE;
    }
  lab_session_clear_chosen (self);
  for (guint i = 0; i < header->chosen->len; i++)
    {
      GArray *list = g_ptr_array_index (header->chosen, i);

      lab_session_set_chosen (self, g_ptr_array_index (header->chosen_names, i),
                              (const long *) list->data, list->len);
    }
  lab_session_set_view (self, header->view);
  lab_session_set_lesson (self, header->lesson);
  return TRUE;
}

static LabOpening *
opening_new (const char *path)
{
  LabOpening *o = g_new0 (LabOpening, 1);

  o->path = g_strdup (path);
  return o;
}

gboolean
lab_session_open_file (LabSession *self, const char *path, GError **error)
{
  LabOpening *o;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  o = opening_new (path);
  ok = opening_read (o, error) && opening_apply (self, o, error);
  opening_free (o);
  return ok;
}

static void
opening_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  (void) source;
  (void) cancellable;
  if (opening_read (data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lab_session_open_file_async (LabSession *self, const char *path, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LAB_IS_SESSION (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_session_open_file_async);
  g_task_set_task_data (task, opening_new (path), (GDestroyNotify) opening_free);
  lab_session_set_loading (self, TRUE);
  lab_background_run (task, opening_thread);
}

gboolean
lab_session_open_file_finish (LabSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  lab_session_set_loading (self, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error)
         && opening_apply (self, g_task_get_task_data (G_TASK (result)), error);
}
