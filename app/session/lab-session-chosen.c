/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-chosen.c: the views' side of the session: what they chose (samples by name)
 * and the view shown, which session files keep, and following a session's snapshots. */
#include <math.h>
#include <string.h>

#include "lab-session-struct.h"

void
lab_session_set_chosen (LabSession *self, const char *name, const long *indices, guint n)
{
  GArray *list;

  g_return_if_fail (LAB_IS_SESSION (self));
  g_return_if_fail (name != NULL && (indices != NULL || n == 0));

  if (self->chosen == NULL)
    self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_array_unref);
  list = g_array_sized_new (FALSE, FALSE, sizeof (long), n);
  g_array_append_vals (list, indices, n);
  g_hash_table_replace (self->chosen, g_strdup (name), list);
}

const long *
lab_session_get_chosen (LabSession *self, const char *name, guint *n)
{
  GArray *list;

  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL && n != NULL, NULL);

  list = self->chosen != NULL ? g_hash_table_lookup (self->chosen, name) : NULL;
  *n = list != NULL ? list->len : 0;
  return list != NULL ? (const long *) list->data : NULL;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
lab_session_list_chosen (LabSession *self)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);

  if (self->chosen != NULL)
    {
      g_hash_table_iter_init (&iter, self->chosen);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (names, g_strdup (key));
    }
  /* sorted, so that a file is written the same way every time */
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

void
lab_session_clear_chosen (LabSession *self)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  g_clear_pointer (&self->chosen, g_hash_table_unref);
}

void
lab_session_set_view (LabSession *self, const char *view)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  g_free (self->view);
  self->view = g_strdup (view);
}

const char *
lab_session_get_view (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->view;
}

void
lab_session_set_lesson (LabSession *self, const char *lesson)
{
  g_return_if_fail (LAB_IS_SESSION (self));
  g_free (self->lesson);
  self->lesson = g_strdup (lesson);
}

const char *
lab_session_get_lesson (LabSession *self)
{
  g_return_val_if_fail (LAB_IS_SESSION (self), NULL);
  return self->lesson;
}

gboolean
lab_session_replace (LabSession **slot, LabSession *session, gpointer owner)
{
  g_return_val_if_fail (slot != NULL, FALSE);
  g_return_val_if_fail (session == NULL || LAB_IS_SESSION (session), FALSE);

  if (*slot == session)
    return FALSE;
  if (*slot != NULL)
    g_signal_handlers_disconnect_by_data (*slot, owner);
  g_set_object (slot, session);
  return TRUE;
}
