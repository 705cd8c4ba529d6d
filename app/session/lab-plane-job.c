/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plane-job.c: the Latent view's decodes and drawing on a worker (lab-plane-job.h). */
#include "lab-plane-job.h"

LabPlaneJob *
lab_plane_job_new (LabWeights *weights, LabProjection *plane, LabSnapshot *projected,
                   const float *points, int n)
{
  LabPlaneJob *job = g_new0 (LabPlaneJob, 1);

  job->weights = lab_weights_ref (weights);
  job->plane = lab_projection_ref (plane);
  job->projected = lab_snapshot_ref (projected);
  job->n = n;
  job->points = points != NULL ? g_memdup2 (points, sizeof (float) * 2 * n) : NULL;
  return job;
}

void
lab_plane_job_free (LabPlaneJob *job)
{
  lab_weights_unref (job->weights);
  lab_projection_unref (job->plane);
  lab_snapshot_unref (job->projected);
  g_free (job->points);
  g_free (job->drawing);
  g_free (job);
}

void
lab_plane_result_free (LabPlaneResult *r)
{
  g_free (r->images);
  g_free (r);
}

/* Decodes the codes behind the job's plane points. */
gpointer
lab_plane_job_decode_points (gpointer input, GCancellable *cancellable)
{
  LabPlaneJob *job = input;
  int latent = job->plane->latent;
  g_autofree float *codes = g_new (float, (gsize) job->n * latent);
  LabPlaneResult *r;

  (void) cancellable;
  for (int i = 0; i < job->n; i++)
    if (!lab_projection_code_at (job->plane, job->projected->codes, job->points[2 * i],
                                 job->points[2 * i + 1], codes + (gsize) i * latent))
      return NULL;
  r = g_new0 (LabPlaneResult, 1);
  r->images = g_new (float, (gsize) job->n * job->projected->dim);
  lab_weights_decode (job->weights, r->images, codes, job->n);
  return r;
}

/* Encodes the drawing, reconstructs it, scores it and places its code in the plane. */
gpointer
lab_plane_job_encode_drawing (gpointer input, GCancellable *cancellable)
{
  LabPlaneJob *job = input;
  const LabSnapshot *s = job->projected;
  g_autofree float *code = g_new (float, s->latent), *logvar = NULL;
  LabPlaneResult *r = g_new0 (LabPlaneResult, 1);

  (void) cancellable;
  /* a VAE's drawing is a Gaussian too: its sigma ellipse on a linear plane */
  if (s->code_logvar != NULL && job->plane->components != NULL)
    logvar = g_new (float, s->latent);
  r->images = g_new (float, s->dim);
  lab_weights_encode (job->weights, code, logvar, job->drawing, 1);
  lab_weights_decode (job->weights, r->images, code, 1);
  lab_weights_sample_errors (job->weights, &r->error, job->drawing, job->drawing, 1);
  r->placed = lab_projection_place (job->plane, s->codes, code, r->point);
  if (logvar != NULL)
    lab_projection_sigma (job->plane, logvar, r->sigma);
  return r;
}

