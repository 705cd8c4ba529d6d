/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-team.c: members sleep on a condition variable until a run starts, then take items
 * under the lock until none are left.
 *
 * Members sleep between runs rather than spin: on a machine that other jobs keep busy,
 * spinning members measured slower (12,800 against 13,500 samples/s on the dense bench
 * model), as they take turns from the very threads they wait for. Only for a moment
 * first (SPIN_SECONDS), the members for the next run and the caller for the last item:
 * a training step is two runs back to back and steps follow each other, and a thread
 * woken from sleep started about 0.4 ms after its run (a 2-core virtual machine at load
 * 2). Wall time per step on two threads, medians of A/B sets at load 3-4: dense bench
 * model -12 %, -14 %, -1 %; VAE -20 %, -12 %, and +12 % in one set (noise of that size). */
#include "ae-team.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "ae-clock.h"

#define SPIN_SECONDS 100e-6

struct AeTeam {
  int size;
  pthread_t threads[AE_TEAM_MAX]; /* [1, size) */
  pthread_mutex_t lock;
  pthread_cond_t start; /* members wait here for a run */
  pthread_cond_t done;  /* the caller waits here for the last item */
  /* the run, written under lock; generation and items_done are also read without it */
  atomic_ulong generation;
  AeTeamFunc func; /* NULL between runs */
  void *data;
  int n_items, next_item;
  atomic_int items_done;
  int stop;
};

static int
run_started (AeTeam *team, unsigned long seen)
{
  return atomic_load_explicit (&team->generation, memory_order_relaxed) != seen;
}

static int
items_finished (AeTeam *team, unsigned long n_items)
{
  return (unsigned long) atomic_load_explicit (&team->items_done, memory_order_relaxed) >= n_items;
}

/* Spins without the lock until ready (team, arg) or SPIN_SECONDS have passed; the caller
 * then checks again under the lock. */
static void
spin_until (AeTeam *team, int (*ready) (AeTeam *, unsigned long), unsigned long arg)
{
  double end = 0.0;
  for (int i = 0; !ready (team, arg); i++)
    {
      if (i % 64 == 0)
        {
          double now = ae_monotonic_seconds ();
          if (end == 0.0)
            end = now + SPIN_SECONDS;
          else if (now > end)
            return;
        }
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause ();
#endif
    }
}

/* Takes items of the current run while there are any; called and returns with the lock
 * held. */
static void
work (AeTeam *team)
{
  while (team->func != NULL && team->next_item < team->n_items)
    {
      int item = team->next_item++;
      AeTeamFunc func = team->func;
      void *data = team->data;
      pthread_mutex_unlock (&team->lock);
      func (data, item);
      pthread_mutex_lock (&team->lock);
      if (++team->items_done == team->n_items)
        pthread_cond_signal (&team->done);
    }
}

static void *
member_main (void *arg)
{
  AeTeam *team = arg;
  unsigned long seen = 0;
  pthread_mutex_lock (&team->lock);
  for (;;)
    {
      if (!team->stop && team->generation == seen)
        {
          pthread_mutex_unlock (&team->lock);
          spin_until (team, run_started, seen);
          pthread_mutex_lock (&team->lock);
        }
      while (!team->stop && team->generation == seen)
        pthread_cond_wait (&team->start, &team->lock);
      if (team->stop)
        break;
      seen = team->generation;
      work (team);
    }
  pthread_mutex_unlock (&team->lock);
  return NULL;
}

AeStatus
ae_team_new (AeTeam **out, int size, AeError *err)
{
  *out = NULL;
  if (size < 1 || size > AE_TEAM_MAX)
    return ae_error_set (err, AE_ERR_INVALID, "a team of %d threads: expected 1 to %d", size,
                         AE_TEAM_MAX);
  AeTeam *team = calloc (1, sizeof *team);
  if (team == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for a team of %d threads", size);
  team->size = 1;
  pthread_mutex_init (&team->lock, NULL);
  pthread_cond_init (&team->start, NULL);
  pthread_cond_init (&team->done, NULL);
  for (int i = 1; i < size; i++)
    {
      if (pthread_create (&team->threads[i], NULL, member_main, team) != 0)
        {
          ae_team_free (team);
          return ae_error_set (err, AE_ERR_NOMEM, "could not start training thread %d of %d", i + 1,
                               size);
        }
      team->size = i + 1; /* only the creating thread reads it, until the first run */
    }
  *out = team;
  return AE_OK;
}

void
ae_team_free (AeTeam *team)
{
  if (team == NULL)
    return;
  pthread_mutex_lock (&team->lock);
  team->stop = 1;
  pthread_cond_broadcast (&team->start);
  pthread_mutex_unlock (&team->lock);
  for (int i = 1; i < team->size; i++)
    pthread_join (team->threads[i], NULL);
  pthread_cond_destroy (&team->done);
  pthread_cond_destroy (&team->start);
  pthread_mutex_destroy (&team->lock);
  free (team);
}

int
ae_team_size (const AeTeam *team)
{
  return team->size;
}

void
ae_team_run (AeTeam *team, AeTeamFunc func, void *data, int n_items)
{
  pthread_mutex_lock (&team->lock);
  team->func = func;
  team->data = data;
  team->n_items = n_items;
  team->next_item = 0;
  atomic_store_explicit (&team->items_done, 0, memory_order_relaxed);
  team->generation++;
  if (team->size > 1 && n_items > 1)
    pthread_cond_broadcast (&team->start);
  work (team);
  if (team->items_done < team->n_items)
    {
      pthread_mutex_unlock (&team->lock);
      spin_until (team, items_finished, (unsigned long) n_items);
      pthread_mutex_lock (&team->lock);
    }
  while (team->items_done < team->n_items)
    pthread_cond_wait (&team->done, &team->lock);
  /* A member that wakes from now on finds no run and touches nothing. */
  team->func = NULL;
  team->data = NULL;
  pthread_mutex_unlock (&team->lock);
}

void
ae_team_share (long n, int part, int parts, long align, long *begin, long *end)
{
  long blocks = (n + align - 1) / align;
  long b0 = blocks * part / parts, b1 = blocks * (part + 1) / parts;
  *begin = b0 * align < n ? b0 * align : n;
  *end = b1 * align < n ? b1 * align : n;
}
