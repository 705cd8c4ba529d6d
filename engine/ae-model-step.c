/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-model-step.c: a training step: the loss and gradients, split over a team of threads
 * that each take a share of the batch, and the optimisers (Adam, SGD) that apply them. */
#include "ae-model.h"

#include <cblas.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "ae-clock.h"
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-layers.h"
#include "ae-lstm.h"
#include "ae-model-private.h"

#define ADAM_BETA1 0.9f
#define ADAM_BETA2 0.999f
#define ADAM_EPS 1e-8f

/* --- training split over threads ------------------------------------------------------------ */

/* Threads a training step is split over (ae_set_threads); 1 until it is called. */
static atomic_int training_threads = 1;
/* Fewer rows than this per thread, and the GEMMs lose more than the second thread gains
 * (one BLAS thread on the dense bench model: 85 % of the 128-row rate at 32 rows, 96 % at
 * 64). */
#define MIN_ROWS_PER_THREAD 32

static int
team_size_for (const AeModel *m, int B)
{
  int n = atomic_load_explicit (&training_threads, memory_order_relaxed);
  if (n > B / MIN_ROWS_PER_THREAD)
    n = B / MIN_ROWS_PER_THREAD;
  if (n > AE_TEAM_MAX)
    n = AE_TEAM_MAX;
  /* KL sparsity's rho_hat is a mean over the whole batch. */
  if (m->cfg.kl_sparsity > 0.0f)
    n = 1;
  return n > 1 ? n : 1;
}

int
ae_model_train_threads (const AeModel *model, int B)
{
  return team_size_for (model, B);
}

/* A model that reads m's parameters, with gradients and buffers of its own. */
static AeModel *
replica_new (const AeModel *m)
{
  AeModel *r = malloc (sizeof *r);
  if (r == NULL)
    return NULL;
  *r = *m;
  r->is_replica = 1;
  r->team = NULL;
  memset (r->replicas, 0, sizeof r->replicas);
  r->adam_m = r->adam_v = NULL;
  r->part_grads = NULL;
  r->part_grads_floats = 0;
  r->buffers = NULL;
  r->grads = ae_model_arena (m->n_params);
  for (int l = 0; l < r->n_layers; l++)
    ae_layer_bind (&r->layers[l], m->params, r->grads);
  if (r->grads == NULL || ae_model_alloc_buffers (r, 1, NULL) != AE_OK)
    {
      ae_model_free (r);
      return NULL;
    }
  return r;
}

/* Makes the team of n members and their replicas (with m's batch capacity) ready; 0 when
 * memory or threads ran out, and the step then runs on the calling thread. */
static int
team_ready (AeModel *m, int n)
{
  if (m->team != NULL && ae_team_size (m->team) != n)
    {
      ae_team_free (m->team);
      m->team = NULL;
    }
  if (m->team == NULL && ae_team_new (&m->team, n, NULL) != AE_OK)
    return 0;
  for (int i = 0; i < n - 1; i++)
    {
      if (m->replicas[i] != NULL && m->replicas[i]->cap != m->cap)
        {
          ae_model_free (m->replicas[i]);
          m->replicas[i] = NULL;
        }
      if (m->replicas[i] == NULL && (m->replicas[i] = replica_new (m)) == NULL)
        return 0;
      m->replicas[i]->cfg = m->cfg;
    }
  return 1;
}

/* Parts of the parameters: several per thread, so that a thread that is late to start
 * leaves them to the others; each starts on a 64-byte line, so that no two write one. */
#define PARAM_PARTS_PER_THREAD 4
#define PARAM_BLOCK 16
/* Parts of the dense layers' weight gradients: rows of about this many floats. */
#define WEIGHT_PART_FLOATS 65536
#define MAX_WEIGHT_PARTS 128

/* Rows [first, end) of layer's weights, of in_dim floats each. */
typedef struct {
  int layer, first, end, in_dim;
} WeightPart;

/* One training step split over a team: the batch in one share per thread (share i on
 * the model, or on replicas[i - 1], with a random stream of its own), then the gradients
 * of the whole batch and the optimiser step in parts of the parameters. */
typedef struct {
  AeModel *model;
  int shares;
  const float *x;
  int B;
  float kl_w;
  AeRng *rng[AE_TEAM_MAX];
  AeLossTerms terms[AE_TEAM_MAX];
  WeightPart parts[MAX_WEIGHT_PARTS];
  double grad_sq[MAX_WEIGHT_PARTS]; /* per part of the parameters */
  float grad_scale;
  int update; /* the weight parts take the optimiser step too, from model->part_grads */
  size_t part_floats;                  /* floats of part_grads per member */
  atomic_int part_grads_used[AE_TEAM_MAX];
} TeamStep;

static AeModel *
share_model (AeModel *m, int share)
{
  return share == 0 ? m : m->replicas[share - 1];
}

static void
share_loss_and_grad (void *data, int share)
{
  TeamStep *s = data;
  AeModel *r = share_model (s->model, share);
  long begin, end;
  ae_team_share (s->B, share, s->shares, 1, &begin, &end);
  if (!r->later_weights)
    memset (r->grads, 0, r->n_params * sizeof (float));
  ae_model_run_batch (r, &s->terms[share], s->x + (size_t) begin * r->dim, (int) (end - begin),
                      s->B, s->kl_w, s->rng[share], 1);
}

/* Whether every gradient of m comes from dense layers of the main pass: then a split step
 * leaves their weights' gradients to parts of their rows over every share at once, and no
 * gradient arena per share is cleared and summed. */
static int
dense_only (const AeModel *m)
{
  if (m->cfg.contractive > 0.0f)
    return 0;
  for (int l = 0; l < m->n_layers; l++)
    if (m->layers[l].kind != AE_LAYER_DENSE)
      return 0;
  return 1;
}

/* The buffers of a replica's rows, saved while it works in the model's. */
typedef struct {
  AePass main;
  float *input, *z, *dz, *eps;
} RowBuffers;

static void
save_row_buffers (RowBuffers *saved, const AeModel *r)
{
  *saved = (RowBuffers) { r->main, r->input, r->z, r->dz, r->eps };
}

static void
restore_row_buffers (AeModel *r, const RowBuffers *saved)
{
  r->main = saved->main;
  r->input = saved->input, r->z = saved->z, r->dz = saved->dz, r->eps = saved->eps;
}

/* Points the buffers that hold one value per row of the main pass of replica r at rows
 * [begin, ...) of m's: the shares then leave the whole batch's activations and gradients
 * in m, rows in order, and each weight gradient is one GEMM over the batch. Dense layers
 * keep no cache, and nothing else of a replica's is read after its share. */
static void
view_model_rows (AeModel *r, const AeModel *m, long begin)
{
  for (int l = 0; l < m->n_layers; l++)
    {
      size_t offset = (size_t) begin * m->layers[l].out_dim;
      r->main.out[l] = m->main.out[l] + offset;
      r->main.dout[l] = m->main.dout[l] + offset;
    }
  r->input = m->input + (size_t) begin * m->dim;
  r->z = m->z + (size_t) begin * m->latent;
  r->dz = m->dz + (size_t) begin * m->latent;
  r->eps = m->eps + (size_t) begin * m->latent;
}

/* Full parts (of about WEIGHT_PART_FLOATS) in the model's order, then the smaller ones,
 * largest first. */
static int
compare_part_size (const void *a, const void *b)
{
  const WeightPart *x = a, *y = b;
  long fx = (long) (x->end - x->first) * x->in_dim, fy = (long) (y->end - y->first) * y->in_dim;
  int full_x = fx >= WEIGHT_PART_FLOATS / 2, full_y = fy >= WEIGHT_PART_FLOATS / 2;
  if (full_x != full_y)
    return full_x ? -1 : 1;
  if (!full_x && fx != fy)
    return fx < fy ? 1 : -1;
  if (x->layer != y->layer)
    return x->layer < y->layer ? -1 : 1;
  return x->first < y->first ? -1 : x->first > y->first;
}

/* The weight parts of every dense layer: the full ones in the model's order (parts taken one
 * after another share a layer's input in cache), then the small ones, largest first, so
 * that the members finish together. VAE bench model, best epochs of 6 interleaved runs:
 * median 46,200 samples/s against 44,000 in the model's order (and 45,500 with every part
 * largest first, which mixes the layers); the dense model unchanged (its parts are full). */
static int
weight_parts (const AeModel *m, WeightPart *parts)
{
  int n = 0, most = MAX_WEIGHT_PARTS / m->n_layers;
  for (int l = 0; l < m->n_layers; l++)
    {
      const AeLayer *layer = &m->layers[l];
      long floats = (long) layer->out_dim * layer->in_dim;
      int k = (int) ((floats + WEIGHT_PART_FLOATS - 1) / WEIGHT_PART_FLOATS);
      k = k < layer->out_dim ? k : layer->out_dim;
      k = k < most ? k : most;
      for (int i = 0; i < k; i++)
        {
          long first, end;
          ae_team_share (layer->out_dim, i, k, 1, &first, &end);
          parts[n++] = (WeightPart) { l, (int) first, (int) end, layer->in_dim };
        }
    }
  qsort (parts, (size_t) n, sizeof *parts, compare_part_size);
  return n;
}

/* The optimiser step on parameters [begin, begin + n) from their gradients g. */
static void
update_from (AeModel *m, size_t begin, size_t n, const float *g, float grad_scale)
{
  const AeConfig *c = &m->cfg;
  if (c->optimizer == AE_OPT_ADAM)
    ae_adam_update (m->params + begin, m->adam_m + begin, m->adam_v + begin, g, n, c->lr,
                    ADAM_BETA1, ADAM_BETA2, ADAM_EPS, c->weight_decay, grad_scale, m->step);
  else
    ae_sgd_update (m->params + begin, m->adam_v + begin, g, n, c->lr, c->momentum,
                   c->weight_decay, grad_scale);
}

static void
update_range (AeModel *m, size_t begin, size_t end, float grad_scale)
{
  update_from (m, begin, end - begin, m->grads + begin, grad_scale);
}

/* The most floats (weights and biases) of a part's gradients. */
static size_t
most_part_floats (const AeModel *m, const WeightPart *parts, int n)
{
  size_t most = 0;
  for (int i = 0; i < n; i++)
    {
      size_t floats = (size_t) (parts[i].end - parts[i].first) * (m->layers[parts[i].layer].in_dim + 1);
      most = floats > most ? floats : most;
    }
  return most;
}

/* A free member's piece of model->part_grads: at most one per member is in use at once. */
static int
claim_part_grads (TeamStep *s)
{
  for (;;)
    for (int i = 0; i < s->shares; i++)
      if (!atomic_exchange (&s->part_grads_used[i], 1))
        return i;
}

/* Rows of a dense layer's weight and bias gradients over the whole batch (the shares wrote
 * their rows of the model's buffers), and their squared norm while they are in cache. */
static void
part_weight_grads (void *data, int part)
{
  TeamStep *s = data;
  const WeightPart *p = &s->parts[part];
  const AeModel *m = s->model;
  const AeLayer *layer = &m->layers[p->layer];
  const float *inp = ae_model_layer_input (m, &m->main, p->layer, m->enc_input, m->dec_input);
  size_t C = (size_t) layer->in_dim, rows = (size_t) (p->end - p->first);
  /* Taken at once by the optimiser, the gradients go to a member's piece of part_grads,
   * which stays in cache from part to part, instead of through the arena in memory. */
  int piece = s->update ? claim_part_grads (s) : -1;
  float *dw = piece >= 0 ? m->part_grads + (size_t) piece * s->part_floats : layer->dw + p->first * C;
  float *db = piece >= 0 ? dw + rows * C : layer->db + p->first;
  ae_dense_weight_grad_rows (dw, db, m->main.dout[p->layer], inp, s->B, layer->in_dim,
                             layer->out_dim, p->first, p->end, 0);
  s->grad_sq[part] = ae_sum_squares (dw, rows * C) + ae_sum_squares (db, rows);
  /* A part whose gradients are not finite keeps its weights; the step then fails as a
   * whole. */
  if (piece >= 0 && isfinite (s->grad_sq[part]))
    {
      update_from (s->model, (size_t) (layer->w - m->params) + p->first * C, rows * C, dw, 1.0f);
      update_from (s->model, (size_t) (layer->b - m->params) + p->first, rows, db, 1.0f);
    }
  if (piece >= 0)
    atomic_store (&s->part_grads_used[piece], 0);
}

/* The replicas' gradients added into the model's, and their squared norm, in one pass. */
static void
part_sum_grads (void *data, int part)
{
  TeamStep *s = data;
  AeModel *m = s->model;
  long begin, end;
  ae_team_share ((long) m->n_params, part, s->shares * PARAM_PARTS_PER_THREAD, PARAM_BLOCK, &begin,
                 &end);
  size_t n = (size_t) (end - begin);
  for (int i = 0; i < s->shares - 2; i++)
    ae_add_sum_squares (m->grads + begin, m->replicas[i]->grads + begin, n);
  s->grad_sq[part] = ae_add_sum_squares (m->grads + begin, m->replicas[s->shares - 2]->grads + begin, n);
}

static void
part_update (void *data, int part)
{
  TeamStep *s = data;
  long begin, end;
  ae_team_share ((long) s->model->n_params, part, s->shares * PARAM_PARTS_PER_THREAD, PARAM_BLOCK,
                 &begin, &end);
  update_range (s->model, (size_t) begin, (size_t) end, s->grad_scale);
}

/* A split step gives the same result whichever thread runs which item, so the caller may
 * run them all alone: on a machine whose cores other jobs keep busy, a thread that waits
 * for a descheduled partner loses more than the partner brings (dense bench model at load
 * 9 on two cores: 0.86x PyTorch's single thread with the team, 1.17x alone). Every
 * probe_every steps, PROBE_STEPS run the other way, and the way with the lower recent
 * step time goes on. A probe of a way twice as slow costs PROBE_STEPS / probe_every of the
 * run's speed (3 % at 128), so while probes keep finding the other way more than
 * PROBE_CLEAR times slower, the interval doubles, up to PROBE_EVERY_MOST. */
#define PROBE_EVERY 128
#define PROBE_EVERY_MOST 1024
#define PROBE_STEPS 4
#define PROBE_CLEAR 1.5

/* Chooses the way of the step that starts. */
void
ae_model_split_mode (AeModel *m)
{
  if (m->probe_left == 0 && m->until_probe <= 0)
    {
      m->probe_left = PROBE_STEPS;
      m->split_seconds[!m->alone] = 0.0; /* a fresh measure of the probed way */
    }
  m->alone_now = m->probe_left > 0 ? !m->alone : m->alone;
  if (m->split_fixed != 0)
    m->alone_now = m->split_fixed == 2;
}

/* Takes the wall time of the step that ended, and decides at a probe's end. */
void
ae_model_split_timed (AeModel *m, double seconds)
{
  double *mean = &m->split_seconds[m->alone_now];
  *mean = *mean > 0.0 ? 0.75 * *mean + 0.25 * seconds : seconds;
  if (m->probe_left == 0)
    {
      m->until_probe--;
      return;
    }
  if (--m->probe_left > 0)
    return;
  double team = m->split_seconds[0], alone = m->split_seconds[1];
  long every = PROBE_EVERY;
  if (team > 0.0 && alone > 0.0)
    {
      int was_alone = m->alone;
      m->alone = alone < team;
      long last = m->probe_every > 0 ? m->probe_every : PROBE_EVERY;
      if (m->alone == was_alone && fmax (team, alone) > PROBE_CLEAR * fmin (team, alone))
        every = 2 * last < PROBE_EVERY_MOST ? 2 * last : PROBE_EVERY_MOST;
    }
  m->probe_every = every;
  m->until_probe = every;
}

static void
run_items (AeModel *m, AeTeamFunc func, void *data, int n_items)
{
  if (m->alone_now)
    for (int i = 0; i < n_items; i++)
      func (data, i);
  else
    ae_team_run (m->team, func, data, n_items);
}

/* Whether a split step may take the optimiser step in its weight parts: only when nothing
 * needs the whole gradient first (its norm, for clipping). */
static int
fusable_update (const AeModel *m)
{
  return m->cfg.clip_norm <= 0.0f;
}

/* Fills the gradient arena; *grad_sq gets its squared norm when it comes for free (a split
 * step), else -1. With `update`, a split step of dense layers also takes the optimiser step
 * when the loss is finite and fusable_update allows; *updated says whether it did. */
static void
loss_and_grad (AeModel *m, AeLossTerms *terms, const float *x, int B, float epoch, AeRng *rng,
               double *grad_sq, int update, int *updated)
{
  *updated = 0;
  float kl_w = ae_model_kl_weight (&m->cfg, epoch);
  int n = team_size_for (m, B);
  *grad_sq = -1.0;
  if (n == 1 || !team_ready (m, n))
    {
      memset (m->grads, 0, m->n_params * sizeof (float));
      ae_model_run_batch (m, terms, x, B, B, kl_w, rng, 1);
      return;
    }
  TeamStep s = { .model = m, .shares = n, .x = x, .B = B, .kl_w = kl_w };
  /* Share 0 draws from the caller's stream, the others from streams forked from it: the
   * same seed and thread count give the same run. */
  AeRng forks[AE_TEAM_MAX];
  s.rng[0] = rng;
  for (int i = 1; i < n; i++)
    {
      ae_rng_fork (&forks[i], rng);
      s.rng[i] = &forks[i];
    }
  int later = dense_only (m);
  RowBuffers saved[AE_TEAM_MAX];
  for (int i = 0; i < n; i++)
    {
      AeModel *r = share_model (m, i);
      r->later_weights = later;
      if (later && i > 0)
        {
          long begin, end;
          ae_team_share (B, i, n, 1, &begin, &end);
          save_row_buffers (&saved[i], r);
          view_model_rows (r, m, begin);
        }
    }
  ae_model_split_mode (m);
  double start = ae_monotonic_seconds ();
  run_items (m, share_loss_and_grad, &s, n);
  for (int i = 0; i < n; i++)
    {
      AeModel *r = share_model (m, i);
      r->later_weights = 0;
      if (later && i > 0)
        restore_row_buffers (r, &saved[i]);
    }
  memset (terms, 0, sizeof *terms);
  for (int i = 0; i < n; i++)
    ae_loss_terms_add (terms, &s.terms[i], 1.0);
  int parts = later ? weight_parts (m, s.parts) : n * PARAM_PARTS_PER_THREAD;
  s.update = update && later && fusable_update (m) && isfinite (terms->total);
  if (s.update)
    {
      s.part_floats = most_part_floats (m, s.parts, parts);
      /* Each piece starts on a 64-byte line. */
      s.part_floats = (s.part_floats + 15) / 16 * 16;
      size_t floats = s.part_floats * (size_t) n;
      if (m->part_grads_floats < floats)
        {
          free (m->part_grads);
          m->part_grads_floats = 0;
          m->part_grads = aligned_alloc (64, floats * sizeof (float));
          if (m->part_grads != NULL)
            m->part_grads_floats = floats;
        }
      s.update = m->part_grads != NULL;
    }
  if (s.update)
    m->step++;
  run_items (m, later ? part_weight_grads : part_sum_grads, &s, parts);
  ae_model_split_timed (m, ae_monotonic_seconds () - start);
  *grad_sq = 0.0;
  for (int i = 0; i < parts; i++)
    *grad_sq += s.grad_sq[i];
  *updated = s.update;
  if (s.update && !isfinite (*grad_sq))
    m->step--; /* the step failed */
}

/* Checks the arguments, then loss_and_grad. */
static AeStatus
checked_loss_and_grad (AeModel *model, AeLossTerms *terms, const float *x, int B, float epoch,
                       AeRng *rng, double *grad_sq, int update, int *updated, AeError *err)
{
  if (model->grads == NULL)
    return ae_error_set (err, AE_ERR_INVALID, "this model is a read-only copy: it cannot train");
  if (B < 1 || B > model->cap)
    return ae_error_set (err, AE_ERR_INVALID, "batch of %d samples: this model takes 1 to %d", B,
                         model->cap);
  loss_and_grad (model, terms, x, B, epoch, rng != NULL ? rng : &model->rng, grad_sq, update,
                 updated);
  return AE_OK;
}

AeStatus
ae_model_loss_and_grad (AeModel *model, AeLossTerms *terms, const float *x, int B, float epoch,
                        AeRng *rng, AeError *err)
{
  double grad_sq;
  int updated;
  return checked_loss_and_grad (model, terms, x, B, epoch, rng, &grad_sq, 0, &updated, err);
}

/* One optimiser step; grad_sq is the squared global gradient norm. */
static void
apply_grad (AeModel *m, double grad_sq)
{
  const AeConfig *c = &m->cfg;
  float grad_scale = 1.0f;
  if (c->clip_norm > 0.0f)
    {
      double norm = sqrt (grad_sq);
      if (norm > c->clip_norm)
        grad_scale = (float) (c->clip_norm / norm);
    }
  m->step++;
  if (m->team != NULL && ae_team_size (m->team) > 1)
    {
      TeamStep s = { .model = m, .shares = ae_team_size (m->team), .grad_scale = grad_scale };
      run_items (m, part_update, &s, s.shares * PARAM_PARTS_PER_THREAD);
    }
  else
    update_range (m, 0, m->n_params, grad_scale);
}

void
ae_model_apply_grad (AeModel *model)
{
  assert (model->grads != NULL);
  double grad_sq = model->cfg.clip_norm > 0.0f ? ae_sum_squares (model->grads, model->n_params) : 0.0;
  apply_grad (model, grad_sq);
}

AeStatus
ae_model_train_step (AeModel *model, AeLossTerms *terms, const float *x, int B, float epoch,
                     AeRng *rng, AeError *err)
{
  double grad_sq;
  int updated;
  AeStatus st = checked_loss_and_grad (model, terms, x, B, epoch, rng, &grad_sq, 1, &updated, err);
  if (st != AE_OK)
    return st;
  if (!isfinite (terms->total))
    return ae_error_set (err, AE_ERR_DIVERGED,
                         "the loss became %g at step %ld: lower the learning rate (--lr %g) or "
                         "enable gradient clipping (--clip)",
                         terms->total, model->step + 1, (double) model->cfg.lr);
  if (grad_sq < 0.0)
    grad_sq = ae_sum_squares (model->grads, model->n_params);
  if (!isfinite (grad_sq))
    return ae_error_set (err, AE_ERR_DIVERGED,
                         "a gradient became non-finite at step %ld: lower the learning rate "
                         "(--lr %g) or enable gradient clipping (--clip)",
                         model->step + 1, (double) model->cfg.lr);
  if (!updated)
    apply_grad (model, grad_sq);
  return AE_OK;
}

void
ae_model_evaluate (AeModel *model, AeLossTerms *terms, const float *x, int B, AeRng *rng)
{
  memset (terms, 0, sizeof *terms);
  for (int start = 0; start < B; start += model->cap)
    {
      int n = B - start < model->cap ? B - start : model->cap;
      AeLossTerms part;
      ae_model_run_batch (model, &part, x + (size_t) start * model->dim, n, n, model->cfg.kl_beta,
                          rng, 0);
      ae_loss_terms_add (terms, &part, (double) n / B);
    }
}

int
ae_cpu_count (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int) (n < 1024 ? n : 1024) : 1;
}

void
ae_set_threads (int threads)
{
  /* One BLAS thread holds 90-100 % of peak on the training shapes measured here, while
   * two are bimodal: more threads split each batch instead, one BLAS thread each. */
  openblas_set_num_threads (1);
  atomic_store_explicit (&training_threads, threads > 0 ? threads : ae_cpu_count (),
                         memory_order_relaxed);
}

int
ae_get_threads (void)
{
  return atomic_load_explicit (&training_threads, memory_order_relaxed);
}
