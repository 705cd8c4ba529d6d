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
