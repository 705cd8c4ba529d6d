/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-projection.h: the latent views' planes (PCA, two chosen dimensions, t-SNE) and how well
 * each keeps the codes' neighbourhoods, computed on a worker, behind a GLib-only interface so
 * that ui/ never sees an engine header. */
#pragma once

#include <gio/gio.h>

#include "lab-session.h"
#include "lab-snapshot.h"

G_BEGIN_DECLS

/* out (n, 2) = x (n, dim) projected on its own first two principal components; mean (dim)
 * and components (2, dim) receive the fit when not NULL, so that a point of the plane maps
 * back to mean + u c0 + v c1. FALSE (nothing written) when the fit is impossible: n < 2,
 * dim < 2 or non-finite input. */
gboolean lab_projection_pca2 (float *out, float *mean, float *components, const float *x,
                              long n, int dim);
/* Leave-one-out k-NN accuracy of points (n, dim) with their labels; NaN when unusable. */
double   lab_projection_knn_accuracy (const float *x, const int *labels, long n, int dim, int k);

typedef enum {
  LAB_PROJECTION_PCA,
  LAB_PROJECTION_DIMENSIONS,
  LAB_PROJECTION_TSNE,
} LabProjectionMethod;

/* The nearest codes kept for each code (shown on hover). */
#define LAB_PROJECTION_NEIGHBOURS 8

typedef struct {
  LabProjectionMethod method;
  int n, latent;
  float *points;            /* (n, 2) */
  float *mean, *components; /* (latent), (2, latent): the plane in code space; NULL for t-SNE */
  float *baseline;          /* (n, 2): PCA of the raw inputs, when they were given */
  double trustworthiness;   /* of the plane, k = 5; NaN when unusable */
  double knn_plane, knn_code; /* 5-NN accuracy of the labels in the plane and in the code */
  long *neighbours;         /* (n, LAB_PROJECTION_NEIGHBOURS): each code's nearest codes */
  float *sigmas;            /* (n, 2): a VAE's sigma of each code along a linear plane's axes */
  double cpu_seconds;       /* the worker's processor time for this plane and its scores */
} LabProjection;

/* Places the snapshot's codes in a plane on a worker. dim_x and dim_y are the axes of
 * LAB_PROJECTION_DIMENSIONS. t-SNE starts from previous (n, 2, copied) when not NULL, runs a
 * shorter schedule then, and turns its result onto previous. With baseline_from, the raw
 * inputs of the codes' samples are projected by PCA as a baseline, read on the worker from
 * that session's dataset, which the job borrows (a reference, no copy). Cancelling stops
 * t-SNE within a few dozen iterations. */
void           lab_projection_run_async (LabSnapshot *snapshot, LabProjectionMethod method,
                                         int dim_x, int dim_y, const float *previous,
                                         LabSession *baseline_from, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
LabProjection *lab_projection_run_finish (GAsyncResult *result, GError **error);
/* Shared between the view and the jobs that read it on a worker; immutable once made. */
LabProjection *lab_projection_ref (LabProjection *projection);
void           lab_projection_unref (LabProjection *projection);

/* Where a new code (latent) falls in a projection of codes (n, latent): through the plane for
 * PCA and two dimensions, among its nearest codes for t-SNE. */
gboolean       lab_projection_place (const LabProjection *projection, const float *codes,
                                     const float *code, float *point);

/* The reverse for t-SNE, which has no way back from the plane: a code (latent) for the plane
 * point (x, y), the codes (n, latent) of its nearest plane points blended by inverse squared
 * distance. FALSE without points. */
gboolean       lab_projection_blend_codes (const LabProjection *projection, const float *codes,
                                           double x, double y, float *code);

/* The sigma along a linear plane's two axes of a code with log-variances logvar (latent): the
 * variance along a unit direction of a diagonal Gaussian. */
void           lab_projection_sigma (const LabProjection *projection, const float *logvar,
                                     float sigma[2]);

/* The code (latent) a plane point (x, y) stands for: mean + x c0 + y c1 on a linear plane,
 * the blend of its neighbours' codes (n, latent) for t-SNE. */
gboolean       lab_projection_code_at (const LabProjection *projection, const float *codes,
                                       double x, double y, float *code);

G_END_DECLS
