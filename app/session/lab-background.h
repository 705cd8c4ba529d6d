/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-background.h: engine work on GTask threads that the end of the program waits for.
 *
 * OpenBLAS tears its buffers down when the process exits; a worker still inside sgemm at
 * that moment crashes the exit. Jobs started here are counted, and an exit handler waits
 * (a few seconds at most) until the last one has returned.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* g_task_run_in_thread, counted. */
void lab_background_run (GTask *task, GTaskThreadFunc func);
/* Jobs started and not yet returned. */
guint lab_background_count (void);
/* Jobs started since the program began: lets a test check that a hidden view computes
 * nothing. */
guint64 lab_background_get_started (void);

/* A view's computation of one kind on a worker, the latest request winning.
 *
 * The main thread draws and dispatches; what a view computes (a decode at a slider's
 * position, a denoised photo, a drawing's place in the plane) runs here. One job of a slot
 * runs at a time; a request made meanwhile waits, and a newer one replaces it, so that a
 * slider dragged over twenty positions decodes the first and the last, not the eighteen
 * between. Each result reaches `done` on the main thread, so a drag keeps showing images;
 * lab_background_slot_cancel drops what waits and what the running job returns (a new model
 * or a new photo makes them wrong). The owner is held weakly: a view that goes while its
 * job runs gets nothing, and the job frees its own input and output. */
typedef struct _LabBackgroundSlot LabBackgroundSlot;

/* On a worker: the output (freed with free_output) computed from input, NULL for none. */
typedef gpointer (*LabBackgroundWork) (gpointer input, GCancellable *cancellable);
/* On the main thread, while the owner lives: takes output (may be NULL); input stays the
 * slot's. */
typedef void (*LabBackgroundDone) (GObject *owner, gpointer input, gpointer output);

LabBackgroundSlot *lab_background_slot_new (GObject *owner, LabBackgroundWork work,
                                            GDestroyNotify free_input, LabBackgroundDone done,
                                            GDestroyNotify free_output);
/* Takes input. */
void     lab_background_slot_request (LabBackgroundSlot *slot, gpointer input);
void     lab_background_slot_cancel (LabBackgroundSlot *slot);
/* A job runs or waits. */
gboolean lab_background_slot_is_busy (LabBackgroundSlot *slot);
/* Cancels; a running job finishes on its own. */
void     lab_background_slot_free (LabBackgroundSlot *slot);
/* Whether any slot of owner has a job running or waiting: a test waits for it to be FALSE
 * before it reads what a view shows. */
gboolean lab_background_owner_is_busy (GObject *owner);

G_END_DECLS
