/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-file.h: a lesson in one file (see lab-session-file.c for the format).
 *
 * A session file holds the dataset reference, the configuration (preset and every option),
 * the weights, the loss history, the counters, the views' chosen samples and the view
 * shown. Saving replaces the file atomically; opening puts it all in force in a session
 * whose trainer resumes where the saved one stopped.
 */
#pragma once

#include <gio/gio.h>

#include "lab-session.h"

G_BEGIN_DECLS

/* The suffix the window gives session files (model files end in .latentlab). */
#define LAB_SESSION_FILE_SUFFIX ".latentlab-session"

/* Saves what the newest snapshot shows. While training runs, its weights copy may be a few
 * batches older than its counters (copies are made a few times a second); pause first for
 * an exact match. */
gboolean lab_session_save_file (LabSession *self, const char *path, GError **error);
/* On error (naming the file) the session is left as it was. */
gboolean lab_session_open_file (LabSession *self, const char *path, GError **error);
/* The same with the file read and its dataset loaded on a worker ("loading" meanwhile): the
 * session changes only in finish, on the main thread. */
void     lab_session_open_file_async (LabSession *self, const char *path,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean lab_session_open_file_finish (LabSession *self, GAsyncResult *result, GError **error);

G_END_DECLS
