/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-weights.h: a read-only copy of a model's weights, for decoding on any thread.
 *
 * The trainer hands out a fresh copy from time to time; LabSession wraps it here so that
 * views can encode and decode (a slider, a click in the latent plane) without seeing the
 * engine and without touching memory that is being trained. Calls are serialised by a
 * lock inside, so a GTask worker and the main thread may share one LabWeights.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LabWeights LabWeights;

#define LAB_TYPE_WEIGHTS (lab_weights_get_type ())

GType       lab_weights_get_type (void) G_GNUC_CONST;
LabWeights *lab_weights_ref (LabWeights *self);
void        lab_weights_unref (LabWeights *self);

int      lab_weights_get_input_dim (LabWeights *self);
int      lab_weights_get_latent_dim (LabWeights *self);
gboolean lab_weights_is_variational (LabWeights *self);
/* codes (n, latent) -> out (n, input_dim), after the output activation. */
void     lab_weights_decode (LabWeights *self, float *out, const float *codes, long n);
/* x (n, input_dim) -> codes (n, latent) (mu for a VAE); logvar may be NULL. */
void     lab_weights_encode (LabWeights *self, float *codes, float *logvar, const float *x, long n);
void     lab_weights_reconstruct (LabWeights *self, float *out, const float *x, long n);
/* A fully convolutional model (the photo denoiser) on one image in (channels, h, w) of any
 * size, whole (see ae_model_apply_image); FALSE, with out untouched, when the model is not
 * fully convolutional, takes another number of channels, or memory runs out. */
gboolean lab_weights_apply_image (LabWeights *self, float *out, const float *in, int channels,
                                  int w, int h);
/* Per-sample reconstruction error of input against target (the model's own loss). */
void     lab_weights_sample_errors (LabWeights *self, float *errors, const float *input,
                                    const float *target, long n);
/* Samples passed through any model by the calls above, on every thread since the program
 * started: lets a test check that a hidden view computes nothing. */
guint64  lab_weights_get_samples_computed (void);
/* The same on the calling thread only: lets a test check that the window's main thread
 * passes nothing through a model (its views compute on workers). */
guint64  lab_weights_get_samples_computed_here (void);
gboolean lab_weights_save (LabWeights *self, const char *path, GError **error);

/* A copy of the first layer's weights, (units, inputs) row-major, to free with g_free: a
 * dense layer's rows are images of the input; a conv layer gives one row per kernel,
 * (in channels, kernel height, kernel width). */
float   *lab_weights_dup_first_layer (LabWeights *self, int *units, int *inputs);

/* A decode on a worker (a LabBackgroundSlot's work): the n codes (n, latent) through weights. */
typedef struct {
  LabWeights *weights;
  float *codes;
  long n;
} LabDecodeJob;

/* Takes a reference to weights and a copy of codes. */
LabDecodeJob *lab_decode_job_new (LabWeights *weights, const float *codes, long n);
void          lab_decode_job_free (LabDecodeJob *job);
/* The images (n, input_dim), to free with g_free. */
gpointer      lab_decode_job_run (gpointer job, GCancellable *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabWeights, lab_weights_unref)

G_END_DECLS
