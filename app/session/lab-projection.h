/* lab-projection.h: the few numbers the latent views need from the engine's maths (PCA to
 * two dimensions, k-NN accuracy), behind a GLib-only interface so that ui/ never sees an
 * engine header. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* out (n, 2) = x (n, dim) projected on its own first two principal components; mean (dim)
 * and components (2, dim) receive the fit when not NULL, so that a point of the plane maps
 * back to mean + u c0 + v c1. FALSE (nothing written) when the fit is impossible: n < 2,
 * dim < 2 or non-finite input. */
gboolean lab_projection_pca2 (float *out, float *mean, float *components, const float *x,
                              long n, int dim);
/* Leave-one-out k-NN accuracy of points (n, dim) with their labels; NaN when unusable. */
double   lab_projection_knn_accuracy (const float *x, const int *labels, long n, int dim, int k);

G_END_DECLS
