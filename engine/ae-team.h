/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-team.h: a few threads kept for the life of a model, that share out numbered items
 * of work.
 *
 * Training splits each batch between the threads of a team, each with one BLAS thread:
 * OpenBLAS on two threads is bimodal on training-sized shapes, while two single-threaded
 * calls side by side hold nearly twice the rate of one. The caller works too, and items
 * go to whichever thread asks first: on a machine that other jobs keep busy, a member
 * that wakes late finds the work done instead of holding up the step. Each item is a
 * fixed piece of work with its own memory, so results do not depend on who ran it.
 * ae_team_run returns when every item is done, and what the items wrote is then visible
 * to the caller (and to every member on the next run).
 */
#pragma once

#include "ae-status.h"

#define AE_TEAM_MAX 8

typedef struct AeTeam AeTeam;

/* Called once for each item in [0, n_items), on any member's thread. */
typedef void (*AeTeamFunc) (void *data, int item);

/* A team of `size` members: size - 1 new threads and the caller. */
AeStatus ae_team_new (AeTeam **out, int size, AeError *err);
void     ae_team_free (AeTeam *team);
int      ae_team_size (const AeTeam *team);
/* Runs func on items 0 to n_items - 1, the caller among the members, and waits for all. */
void     ae_team_run (AeTeam *team, AeTeamFunc func, void *data, int n_items);

/* The range [*begin, *end) of part `part` of `parts` of n items, in blocks of `align`. */
void     ae_team_share (long n, int part, int parts, long align, long *begin, long *end);
