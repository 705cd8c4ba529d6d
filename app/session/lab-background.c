/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-background.c: counted GTask jobs, waited for at exit (see lab-background.h). */
#include "lab-background.h"

#include <stdlib.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define LAB_EXIT_WAIT_S 10
/* The niceness jobs run at: above the trainer's (lab-session.c), so that a projection or
 * a measurement takes what the trainer leaves and the main thread is never behind them. */
#define LAB_BACKGROUND_NICE 15

typedef struct {
  GTaskThreadFunc func;
} LabBackgroundJob;

static GMutex lock;
static GCond idle;
static guint running;
static guint64 started;

static void
wait_for_jobs (void)
{
  gint64 end = g_get_monotonic_time () + LAB_EXIT_WAIT_S * G_USEC_PER_SEC;

  g_mutex_lock (&lock);
  while (running > 0 && g_cond_wait_until (&idle, &lock, end))
    ;
  g_mutex_unlock (&lock);
}

static void
run_job (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LabBackgroundJob *job = g_object_get_data (G_OBJECT (task), "lab-background-job");

#ifdef __linux__
  {
    /* per thread on Linux; a pool thread keeps it for its later jobs (it cannot be lowered
     * again without privileges), which is what they want too. Failure only means full
     * priority. */
    id_t self = (id_t) syscall (SYS_gettid);

    if (getpriority (PRIO_PROCESS, self) < LAB_BACKGROUND_NICE)
      (void) setpriority (PRIO_PROCESS, self, LAB_BACKGROUND_NICE);
  }
#endif
  job->func (task, source, data, cancellable);
  g_mutex_lock (&lock);
  if (--running == 0)
    g_cond_broadcast (&idle);
  g_mutex_unlock (&lock);
}

void
lab_background_run (GTask *task, GTaskThreadFunc func)
{
  static gsize registered;
  LabBackgroundJob *job = g_new (LabBackgroundJob, 1);

  /* registered after OpenBLAS loaded, so it runs before the library's own teardown */
  if (g_once_init_enter (&registered))
    {
      atexit (wait_for_jobs);
      g_once_init_leave (&registered, 1);
    }
  job->func = func;
  g_object_set_data_full (G_OBJECT (task), "lab-background-job", job, g_free);
  g_mutex_lock (&lock);
  running++;
  started++;
  g_mutex_unlock (&lock);
  g_task_run_in_thread (task, run_job);
}

guint
lab_background_count (void)
{
  guint n;

  g_mutex_lock (&lock);
  n = running;
  g_mutex_unlock (&lock);
  return n;
}

guint64
lab_background_get_started (void)
{
  guint64 n;

  g_mutex_lock (&lock);
  n = started;
  g_mutex_unlock (&lock);
  return n;
}

/* --- slots: the latest request wins ------------------------------------------------------ */

struct _LabBackgroundSlot {
  gint refs;                /* the owner's, and a running job's */
  GObject *owner;           /* weak; NULL once the owner freed the slot or went */
  LabBackgroundWork work;
  LabBackgroundDone done;
  GDestroyNotify free_input, free_output;
  GCancellable *cancellable;  /* the running job's */
  gboolean busy;             /* a job runs or waits */
  gpointer waiting;         /* the input of the next job, or NULL */
  guint serial;             /* bumped by cancel: results of older jobs are dropped */
};

typedef struct {
  LabBackgroundSlot *slot;
  gpointer input;
  guint serial;
} SlotJob;

static GQuark
busy_quark (void)
{
  return g_quark_from_static_string ("lab-background-busy");
}

/* The owner's count of busy slots, for lab_background_owner_is_busy. */
static void
slot_set_busy (LabBackgroundSlot *slot, gboolean busy)
{
  guint count;

  if (slot->busy == busy)
    return;
  slot->busy = busy;
  if (slot->owner == NULL)
    return;
  count = GPOINTER_TO_UINT (g_object_get_qdata (slot->owner, busy_quark ()));
  count = busy ? count + 1 : count - 1;
  g_object_set_qdata (slot->owner, busy_quark (), GUINT_TO_POINTER (count));
}

static void
slot_unref (LabBackgroundSlot *slot)
{
  if (--slot->refs > 0)
    return;
  g_clear_object (&slot->cancellable);
  g_free (slot);
}

static void
slot_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  SlotJob *job = data;
  gpointer output = job->slot->work (job->input, cancellable);

  (void) source;
  g_task_return_pointer (task, output, job->slot->free_output);
}

static void slot_start (LabBackgroundSlot *slot, gpointer input);

static void
slot_job_done (GObject *source, GAsyncResult *result, gpointer data)
{
  SlotJob *job = data;
  LabBackgroundSlot *slot = job->slot;
  gpointer output = g_task_propagate_pointer (G_TASK (result), NULL);

  (void) source;
  if (slot->owner != NULL && job->serial == slot->serial)
    {
      slot_set_busy (slot, FALSE);
      /* the owner may request again (or cancel) from done: keep the slot alive till then */
      slot->refs++;
      slot->done (slot->owner, job->input, output);
      output = NULL;
      if (slot->owner != NULL && !slot->busy && slot->waiting != NULL)
        {
          gpointer next = slot->waiting;

          slot->waiting = NULL;
          slot_start (slot, next);
        }
      slot_unref (slot);
    }
  if (output != NULL && slot->free_output != NULL)
    slot->free_output (output);
  if (slot->free_input != NULL)
    slot->free_input (job->input);
  g_free (job);
  slot_unref (slot);
}

static void
slot_start (LabBackgroundSlot *slot, gpointer input)
{
  SlotJob *job = g_new (SlotJob, 1);
  GTask *task;

  g_set_object (&slot->cancellable, NULL);
  slot->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, slot->cancellable, slot_job_done, job);
  job->slot = slot;
  job->input = input;
  job->serial = slot->serial;
  slot->refs++;
  slot_set_busy (slot, TRUE);
  g_task_set_source_tag (task, slot_start);
  g_task_set_task_data (task, job, NULL);
  lab_background_run (task, slot_thread);
  g_object_unref (task);
}

LabBackgroundSlot *
lab_background_slot_new (GObject *owner, LabBackgroundWork work, GDestroyNotify free_input,
                         LabBackgroundDone done, GDestroyNotify free_output)
{
  LabBackgroundSlot *slot = g_new0 (LabBackgroundSlot, 1);

  g_return_val_if_fail (G_IS_OBJECT (owner) && work != NULL && done != NULL, NULL);
  slot->refs = 1;
  slot->owner = owner;
  g_object_add_weak_pointer (owner, (gpointer *) &slot->owner);
  slot->work = work;
  slot->done = done;
  slot->free_input = free_input;
  slot->free_output = free_output;
  return slot;
}

void
lab_background_slot_request (LabBackgroundSlot *slot, gpointer input)
{
  g_return_if_fail (slot != NULL && slot->owner != NULL && input != NULL);

  if (!slot->busy)
    {
      slot_start (slot, input);
      return;
    }
  /* a newer request replaces the one that waits: only the latest is worth computing */
  if (slot->waiting != NULL && slot->free_input != NULL)
    slot->free_input (slot->waiting);
  slot->waiting = input;
  slot_set_busy (slot, TRUE);
}

void
lab_background_slot_cancel (LabBackgroundSlot *slot)
{
  g_return_if_fail (slot != NULL);

  slot->serial++;
  g_cancellable_cancel (slot->cancellable);
  if (slot->waiting != NULL && slot->free_input != NULL)
    slot->free_input (slot->waiting);
  slot->waiting = NULL;
  slot_set_busy (slot, FALSE);
}

gboolean
lab_background_slot_is_busy (LabBackgroundSlot *slot)
{
  g_return_val_if_fail (slot != NULL, FALSE);
  return slot->busy;
}

void
lab_background_slot_free (LabBackgroundSlot *slot)
{
  if (slot == NULL)
    return;
  lab_background_slot_cancel (slot);
  if (slot->owner != NULL)
    g_object_remove_weak_pointer (slot->owner, (gpointer *) &slot->owner);
  slot->owner = NULL;
  slot_unref (slot);
}

gboolean
lab_background_owner_is_busy (GObject *owner)
{
  g_return_val_if_fail (G_IS_OBJECT (owner), FALSE);
  return GPOINTER_TO_UINT (g_object_get_qdata (owner, busy_quark ())) > 0;
}
