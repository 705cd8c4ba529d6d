/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-window.h: the main window: header bar, sidebar and a stack of views. */
#pragma once

#include <gtk/gtk.h>

#include "lab-lesson-state.h"
#include "lab-session.h"

G_BEGIN_DECLS

#define LAB_TYPE_WINDOW (lab_window_get_type ())

G_DECLARE_FINAL_TYPE (LabWindow, lab_window, LAB, WINDOW, GtkApplicationWindow)

LabWindow  *lab_window_new (GtkApplication *app);
/* Loads the dataset and preset (NULL: the dataset's default) without blocking, shows
 * view, and starts training once loaded when run is TRUE. */
void        lab_window_start (LabWindow *self, const char *data, const char *preset,
                              gboolean run, const char *view);
void        lab_window_set_view (LabWindow *self, const char *view);
const char *lab_window_get_view (LabWindow *self);
/* The names of `--view` in the order of the window's tabs, NULL-terminated: training,
 * latent, generate, ... */
const char *const *lab_window_get_view_names (void);
LabSession *lab_window_get_session (LabWindow *self);
/* Opens a session file (lab-session-file.h) without blocking: the file is read and its
 * dataset loaded on a worker (the session "loading" meanwhile), then the window shows its
 * view and chosen samples and starts training when run is TRUE; an error dialog names the
 * file when it cannot be opened. callback (may be NULL) is called after that. */
void        lab_window_open_session (LabWindow *self, const char *path, gboolean run,
                                     GAsyncReadyCallback callback, gpointer user_data);
/* FALSE with the error shown (or G_IO_ERROR_CANCELLED for a window closed meanwhile). */
gboolean    lab_window_open_session_finish (LabWindow *self, GAsyncResult *result,
                                            GError **error);
/* Presentation mode: full screen, larger text, thicker plot lines and more contrast, for a
 * projector (the "presentation" property, the win.presentation action, F11). */
/* Opens a lesson file, or a bundled lesson by name, in the lesson panel and applies its
 * step's settings; FALSE with an error naming the file, the line and the problem. */
gboolean    lab_window_open_lesson (LabWindow *self, const char *file_or_name, GError **error);
/* The lesson open in the window, or NULL. */
LabLessonState *lab_window_get_lesson (LabWindow *self);
void        lab_window_set_presentation (LabWindow *self, gboolean presenting);
gboolean    lab_window_get_presentation (LabWindow *self);
/* A file given to the window (`latentlab FILE`, or dropped on it): a session, a PNG or
 * JPEG picture (into the Denoise view), or a dataset file or folder (loaded as --data);
 * run starts training once a session or dataset is loaded. */
void        lab_window_open_file (LabWindow *self, GFile *file, gboolean run);
/* The settings the window restores its size from now, remembers its size, run and view in
 * when it goes, and takes the presentation scale from (NULL: nothing remembered). */
void        lab_window_set_settings (LabWindow *self, GSettings *settings);

G_END_DECLS
