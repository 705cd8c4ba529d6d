/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-plane-job.h: what the Latent view computes about its plane on a worker (a
 * LabBackgroundWork each): the codes behind plane points decoded (a click, a dragged path),
 * and a drawing encoded, reconstructed, scored and placed in the plane. */
#pragma once

#include <gio/gio.h>

#include "lab-projection.h"
#include "lab-snapshot.h"
#include "lab-weights.h"

G_BEGIN_DECLS

typedef struct {
  LabWeights *weights;
  LabProjection *plane;
  LabSnapshot *projected;   /* the codes the plane was made of */
  int n;
  float *points;            /* (n, 2): plane points to decode the codes of */
  float *drawing;           /* (dim): a drawing to encode and place, or NULL */
} LabPlaneJob;

typedef struct {
  float *images;            /* (n, dim) */
  float error;              /* a drawing's reconstruction error */
  gboolean placed;
  float point[2], sigma[2]; /* where a drawing falls, and its sigma on a linear plane */
} LabPlaneResult;

/* A job on plane (made of projected's codes) with weights; points (n, 2) are copied. */
LabPlaneJob *lab_plane_job_new            (LabWeights *weights, LabProjection *plane,
                                           LabSnapshot *projected, const float *points, int n);
void         lab_plane_job_free           (LabPlaneJob *job);
void         lab_plane_result_free        (LabPlaneResult *result);
/* Decodes the codes behind the job's plane points: a LabPlaneResult, NULL when a point has
 * no code. */
gpointer     lab_plane_job_decode_points  (gpointer job, GCancellable *cancellable);
/* Encodes the job's drawing, reconstructs it, scores it and places its code in the plane. */
gpointer     lab_plane_job_encode_drawing (gpointer job, GCancellable *cancellable);

G_END_DECLS
