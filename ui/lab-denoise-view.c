/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-denoise-view.c: the Denoise view.
 *
 * One clean image (a test sample or an opened PNG) is corrupted with a fixed seed, then
 * cleaned by the session's newest weights and by a classical filter; the four stand side
 * by side with their PSNR and SSIM. Painting changes the noisy image only, so the model
 * and the filter are rerun but the noise is not redrawn. The PSNR-against-level curves
 * average over test samples and are recomputed at most every LAB_CURVES_INTERVAL_US while
 * training delivers new weights. The noise, the denoisers and their measures run on a
 * worker, the latest request winning (lab_background_slot_request): an opened photo is
 * denoised at full size, which takes far longer than a frame.
 *
 * An opened image (or a folder of them) can become the training data: the session then
 * trains the denoising preset on random patches of the model's input size cut from it.
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-background.h"
#include "lab-chart.h"
#include "lab-denoise-view-private.h"
#include "lab-reflow.h"

#define LAB_NOISE_SEED 20260
#define LAB_CURVE_SAMPLES 100
#define LAB_CURVES_INTERVAL_US (2 * G_USEC_PER_SEC)
#define LAB_BRUSH_RADIUS 1.5


/* Per noise kind: the slider's range, its starting value and the curves' top level. */
static const struct {
  double max, initial, curve_max;
  const char *level_name;
} noise_levels[LAB_N_NOISE_KINDS] = {
  [LAB_NOISE_GAUSSIAN] = { 1.0, 0.5, 0.8, "noise σ" },
  [LAB_NOISE_SALT_PEPPER] = { 0.6, 0.2, 0.4, "fraction of pixels set to 0 or 1" },
  [LAB_NOISE_MASKING] = { 0.9, 0.3, 0.8, "fraction of pixels set to 0" },
};

G_DEFINE_FINAL_TYPE (LabDenoiseView, lab_denoise_view, LAB_TYPE_VIEW)

/* SSIM of (channels, h, w) images: the mean over the planes. */
static double
ssim_planes (const float *a, const float *b, int channels, int w, int h)
{
  double sum = 0.0;

  for (int c = 0; c < channels; c++)
    sum += lab_denoise_ssim (a + (gsize) c * w * h, b + (gsize) c * w * h, w, h);
  return sum / channels;
}

/* --- the four panels ---------------------------------------------------------------- */

static void
lab_denoise_view_redraw_images (LabDenoiseView *self)
{
  for (int i = 0; i < LAB_N_DENOISE_PANELS; i++)
    {
      g_clear_pointer (&self->captions[i], g_free);
      if (i == LAB_DENOISE_PANEL_CLEAN)
        self->captions[i] = g_strdup (self->image_name != NULL ? self->image_name : "reference");
      else if (isnan (self->psnr[i]))
        self->captions[i] = g_strdup ("no model yet");
      else
        self->captions[i] = g_strdup_printf ("PSNR %.1f dB\nSSIM %.2f", self->psnr[i],
                                             self->ssim[i]);
    }
  self->column_labels[LAB_DENOISE_PANEL_CLEAN] = "clean";
  /* short, so that they stand over their images in presentation mode too (the Brush
   * buttons say that the noisy panel takes paint) */
  self->column_labels[LAB_DENOISE_PANEL_NOISY] = "noisy";
  self->column_labels[LAB_DENOISE_PANEL_MODEL] = "model";
  self->column_labels[LAB_DENOISE_PANEL_FILTER] = lab_filter_name (self->filter);

  memset (&self->grid, 0, sizeof self->grid);
  self->grid.cache = self->image_cache;
  self->grid.version = ++self->panels_version;
  self->grid.highlight_row = self->grid.highlight_index = -1;
  self->grid.empty_text = "The Denoise view needs a dataset of square images";
  if (self->panels != NULL)
    {
      self->row.pixels = self->panels;
      self->row.n_images = LAB_N_DENOISE_PANELS;
      self->row.colormap = self->channels == 3 ? LAB_IMAGE_RGB : LAB_IMAGE_GREY;
      self->row.captions = (const char *const *) self->captions;
      self->grid.image_width = self->width;
      self->grid.image_height = self->height;
      self->grid.rows = &self->row;
      self->grid.n_rows = 1;
      self->grid.columns = LAB_N_DENOISE_PANELS;
      self->grid.column_labels = self->column_labels;
    }
  lab_chart_redraw (self->images_chart);
  gtk_widget_set_sensitive (self->save_button, self->panels != NULL && self->weights != NULL);
}

/* --- the denoisers, on a worker --------------------------------------------------------- */

typedef struct {
  LabWeights *weights;      /* NULL before the first report */
  float *panels;            /* LAB_N_DENOISE_PANELS x channels x height x width, clean filled */
  gboolean corrupt;         /* noise the clean panel first; else the noisy panel is filled */
  LabNoiseKind kind;
  float level;
  LabFilter filter;
  int channels, width, height, side;
  guint serial;             /* of the clean image */
} DenoiseJob;

typedef struct {
  float *panels;            /* the job's, every panel filled */
  double psnr[LAB_N_DENOISE_PANELS], ssim[LAB_N_DENOISE_PANELS];
} DenoiseResult;

static void
denoise_job_free (DenoiseJob *job)
{
  g_clear_pointer (&job->weights, lab_weights_unref);
  g_free (job->panels);
  g_free (job);
}

static void
denoise_result_free (DenoiseResult *r)
{
  g_free (r->panels);
  g_free (r);
}

/* Noise (for a new image), model and filter from the noisy panel, and every panel's measures. */
static gpointer
denoise_work (gpointer input, GCancellable *cancellable)
{
  DenoiseJob *job = input;
  DenoiseResult *r = g_new0 (DenoiseResult, 1);
  int w = job->width, h = job->height;
  long n = (long) job->channels * w * h;
  float *clean, *noisy, *model;
  gboolean have_model;

  (void) cancellable;
  /* the panels move to the result: the main thread reads no running job's input */
  r->panels = g_steal_pointer (&job->panels);
  clean = r->panels + (gsize) LAB_DENOISE_PANEL_CLEAN * n;
  noisy = r->panels + (gsize) LAB_DENOISE_PANEL_NOISY * n;
  model = r->panels + (gsize) LAB_DENOISE_PANEL_MODEL * n;
  if (job->corrupt)
    {
      memcpy (noisy, clean, sizeof (float) * n);
      lab_denoise_corrupt (noisy, n, job->kind, job->level, LAB_NOISE_SEED);
    }
  lab_denoise_filter_planes (r->panels + (gsize) LAB_DENOISE_PANEL_FILTER * n, noisy, job->channels,
                             w, h, job->filter);
  have_model = job->weights != NULL
               && lab_denoise_image (job->weights, model, noisy, job->channels, w, h, job->side);
  if (!have_model)
    memset (model, 0, sizeof (float) * n);

  r->psnr[LAB_DENOISE_PANEL_CLEAN] = r->ssim[LAB_DENOISE_PANEL_CLEAN] = NAN;
  for (int i = LAB_DENOISE_PANEL_NOISY; i < LAB_N_DENOISE_PANELS; i++)
    {
      const float *shown = r->panels + (gsize) i * n;

      if (i == LAB_DENOISE_PANEL_MODEL && !have_model)
        {
          r->psnr[i] = r->ssim[i] = NAN;
          continue;
        }
      r->psnr[i] = lab_denoise_psnr (clean, shown, n);
      r->ssim[i] = ssim_planes (clean, shown, job->channels, w, h);
    }
  return r;
}

static void
on_denoised (GObject *owner, gpointer input, gpointer output)
{
  LabDenoiseView *self = LAB_DENOISE_VIEW (owner);
  DenoiseJob *job = input;
  DenoiseResult *r = output;

  /* another image or noise was asked for since: its own job follows */
  if (r == NULL || job->serial != self->clean_serial)
    {
      g_clear_pointer (&r, denoise_result_free);
      return;
    }
  if (job->corrupt || self->panels_serial != job->serial)
    {
      g_free (self->panels);
      self->panels = g_steal_pointer (&r->panels);
      self->channels = job->channels;
      self->width = job->width;
      self->height = job->height;
      self->panels_serial = job->serial;
    }
  else
    {
      long n = panel_size (self);

      /* the noisy panel stays: strokes painted since wait for their own job */
      memcpy (panel (self, LAB_DENOISE_PANEL_MODEL), r->panels + (gsize) LAB_DENOISE_PANEL_MODEL * n,
              sizeof (float) * n);
      memcpy (panel (self, LAB_DENOISE_PANEL_FILTER), r->panels + (gsize) LAB_DENOISE_PANEL_FILTER * n,
              sizeof (float) * n);
    }
  memcpy (self->psnr, r->psnr, sizeof self->psnr);
  memcpy (self->ssim, r->ssim, sizeof self->ssim);
  denoise_result_free (r);
  lab_denoise_view_redraw_images (self);
}

/* Runs the denoisers on a worker: on the panels shown (painted perhaps), or on fresh noise
 * of the clean image when they show another one. */
static void
lab_denoise_view_run_denoisers (LabDenoiseView *self)
{
  gboolean shown = self->panels != NULL && self->panels_serial == self->clean_serial;
  DenoiseJob *job;
  long n;

  if (self->clean == NULL)
    return;
  job = g_new0 (DenoiseJob, 1);
  job->weights = self->weights != NULL ? lab_weights_ref (self->weights) : NULL;
  job->corrupt = !shown;
  job->kind = self->kind;
  job->level = (float) self->level;
  job->filter = self->filter;
  job->channels = shown ? self->channels : self->clean_channels;
  job->width = shown ? self->width : self->clean_width;
  job->height = shown ? self->height : self->clean_height;
  job->side = self->side;
  job->serial = self->clean_serial;
  n = (long) job->channels * job->width * job->height;
  job->panels = g_new (float, (gsize) LAB_N_DENOISE_PANELS * n);
  if (shown)
    memcpy (job->panels, self->panels, sizeof (float) * 2 * n); /* clean and noisy */
  else
    memcpy (job->panels, self->clean, sizeof (float) * n);
  lab_background_slot_request (self->denoise_job, job);
}

/* The clean panel from the opened image or the chosen sample, then fresh noise. */
void
_lab_denoise_view_reload (LabDenoiseView *self)
{
  const float *clean = NULL;
  int channels = 0, height = 0, width = 0;

  self->side = 0;
  if (lab_view_get_session (LAB_VIEW (self)) != NULL && lab_session_get_sample_shape (lab_view_get_session (LAB_VIEW (self)), &channels, &height, &width)
      && (channels == 1 || channels == 3) && height == width)
    self->side = width;
  self->clean_channels = self->image != NULL ? self->image_channels : self->side > 0 ? channels : 1;

  if (self->image != NULL)
    {
      clean = self->image;
      self->clean_width = self->image_width;
      self->clean_height = self->image_height;
    }
  else if (self->side > 0)
    {
      clean = lab_session_get_sample (lab_view_get_session (LAB_VIEW (self)), LAB_SPLIT_TEST, self->sample, NULL);
      self->clean_width = self->clean_height = self->side;
    }
  self->clean_serial++;
  g_clear_pointer (&self->clean, g_free);
  if (self->side == 0 || clean == NULL)
    {
      lab_background_slot_cancel (self->denoise_job);
      g_clear_pointer (&self->panels, g_free);
      lab_denoise_view_redraw_images (self);
      return;
    }
  self->clean = g_memdup2 (clean, sizeof (float) * self->clean_channels * self->clean_width
                                  * self->clean_height);
  lab_denoise_view_run_denoisers (self);
}

/* --- PSNR against noise level ------------------------------------------------------------ */

static double
level_at (LabNoiseKind kind, int i)
{
  return noise_levels[kind].curve_max * (i + 1) / LAB_CURVE_LEVELS;
}

/* A curve's value at level, linearly between its measured levels (clamped to them). */
static double
curve_at (const double *x, const double *y, double level)
{
  int i = 0;

  if (level <= x[0])
    return y[0];
  while (i < LAB_CURVE_LEVELS - 2 && level > x[i + 1])
    i++;
  if (level >= x[i + 1])
    return y[i + 1];
  return y[i] + (y[i + 1] - y[i]) * (level - x[i]) / (x[i + 1] - x[i]);
}

/* The slider's level as a marker on the curves, and every curve's value there in the
 * caption. */
static void
lab_denoise_view_mark_level (LabDenoiseView *self)
{
  double at = self->n_curves > 0 ? CLAMP (self->level, self->curve_x[0],
                                           self->curve_x[LAB_CURVE_LEVELS - 1]) : 0;

  self->curve_data.show_hover = self->n_curves > 0;
  self->curve_data.hover_x = at;
  lab_chart_redraw (self->curves_chart);
  if (self->n_curves > 0)
    {
      char text[512];

      g_snprintf (text, sizeof text,
                  "Mean PSNR over %ld test samples with %s noise (the line marks the slider's "
                  "level). At %.2f: model %.1f dB, median %.1f dB, blur %.1f dB.", self->curve_samples,
                  lab_noise_kind_name (self->kind), at,
                  curve_at (self->curve_x, self->curve_y[CURVE_MODEL], at),
                  curve_at (self->curve_x, self->curve_y[CURVE_MEDIAN], at),
                  curve_at (self->curve_x, self->curve_y[CURVE_BLUR], at));
      gtk_label_set_label (self->curves_label, text);
      lab_chart_set_description (self->curves_chart, text);
    }
  else
    gtk_label_set_label (self->curves_label, "");
}

static void lab_denoise_view_show_curves (LabDenoiseView *self);

typedef struct {
  LabDenoiseView *self;
  guint request;
} CurvesRequest;

static void
on_curves_done (GObject *source, GAsyncResult *result, gpointer data)
{
  static const char *const names[N_CURVES] = { "model", "3×3 median", "Gaussian blur" };
  static const int colors[N_CURVES] = { 0, 1, 2 };
  CurvesRequest *req = data;
  LabDenoiseView *self = req->self;
  g_autoptr (GError) error = NULL;
  double *psnr = lab_denoise_curves_finish (result, &error);

  (void) source;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* the view has gone (it cancels in dispose) */
      g_free (req);
      return;
    }
  self->curves_busy = FALSE;
  /* an older request (another noise kind or dataset) or a view that has gone: dropped */
  if (psnr != NULL && req->request == self->curves_request && lab_view_get_session (LAB_VIEW (self)) != NULL)
    {
      for (int c = 0; c < N_CURVES; c++)
        {
          memcpy (self->curve_y[c], psnr + (gsize) c * LAB_CURVE_LEVELS, sizeof self->curve_y[c]);
          self->curves[c] = (LabSeries) { .name = names[c], .x = self->curve_x, .y = self->curve_y[c],
                                          .n = LAB_CURVE_LEVELS, .color_index = colors[c],
                                          .dashed = c != CURVE_MODEL, .markers = true };
        }
      self->n_curves = N_CURVES;
      lab_denoise_view_show_curves (self);
    }
  g_free (psnr);
  if (self->curves_again && lab_view_get_session (LAB_VIEW (self)) != NULL)
    lab_denoise_view_update_curves (self);
  g_free (req);
}

/* Measures the curves on a worker; while one measurement runs, a newer request waits for
 * it and only the newest is made. */
void
lab_denoise_view_update_curves (LabDenoiseView *self)
{
  long n_test, n;
  int dim, side = self->side, channels = 1;
  gboolean fresh = self->curves_kind != self->kind || self->curves_side != side;

  g_clear_handle_id (&self->curves_timeout, g_source_remove);
  self->curves_time = g_get_monotonic_time ();
  self->curves_again = FALSE;
  n_test = lab_view_get_session (LAB_VIEW (self)) != NULL ? lab_session_get_split_size (lab_view_get_session (LAB_VIEW (self)), LAB_SPLIT_TEST) : 0;
  n = MIN (LAB_CURVE_SAMPLES, n_test);
  if (lab_view_get_session (LAB_VIEW (self)) != NULL)
    lab_session_get_sample_shape (lab_view_get_session (LAB_VIEW (self)), &channels, NULL, NULL);
  dim = channels * side * side;

  if (fresh || self->weights == NULL)
    {
      /* the curves shown belong to another noise kind or data: not kept meanwhile */
      self->curves_request++;
      self->curves_kind = self->kind;
      self->curves_side = side;
      self->n_curves = 0;
    }
  if (self->weights != NULL && side > 0 && n > 0 && lab_weights_get_input_dim (self->weights) == dim)
    {
      if (self->curves_busy)
        self->curves_again = TRUE;
      else
        {
          float *clean = g_new (float, (gsize) n * dim);
          CurvesRequest *req = g_new (CurvesRequest, 1);

          for (long i = 0; i < n; i++)
            memcpy (clean + i * dim, lab_session_get_sample (lab_view_get_session (LAB_VIEW (self)), LAB_SPLIT_TEST, i, NULL),
                    sizeof (float) * dim);
          for (int l = 0; l < LAB_CURVE_LEVELS; l++)
            self->curve_x[l] = level_at (self->kind, l);
          req->self = self;
          req->request = self->curves_request;
          self->curves_busy = TRUE;
          lab_denoise_curves_async (self->weights, clean, n, channels, side, self->kind, self->curve_x,
                                    LAB_CURVE_LEVELS, LAB_NOISE_SEED, self->cancellable,
                                    on_curves_done, req);
        }
    }
  lab_denoise_view_show_curves (self);
}

static void
lab_denoise_view_show_curves (LabDenoiseView *self)
{
  long n = MIN (LAB_CURVE_SAMPLES, lab_view_get_session (LAB_VIEW (self)) != NULL
                                   ? lab_session_get_split_size (lab_view_get_session (LAB_VIEW (self)), LAB_SPLIT_TEST) : 0);

  self->curve_data = (LabLossData) {
    .series = self->curves, .n_series = self->n_curves,
    .x_label = noise_levels[self->kind].level_name, .y_label = "PSNR (dB), higher is cleaner",
    .log_y = false, .legend = LAB_PLOT_LEGEND_TOP_RIGHT,
    .empty_text = "The curves appear once the model has weights",
  };
  self->curve_samples = n;
  lab_denoise_view_mark_level (self);
}

static gboolean
curves_timeout_cb (gpointer data)
{
  LabDenoiseView *self = data;

  self->curves_timeout = 0;
  /* an opened image may be large: it follows new weights at the curves' pace */
  if (self->image != NULL)
    lab_denoise_view_run_denoisers (self);
  lab_denoise_view_update_curves (self);
  return G_SOURCE_REMOVE;
}

/* New weights come many times a second while training: redraw the curves at most every
 * LAB_CURVES_INTERVAL_US, and once more after the last change. */
static void
lab_denoise_view_queue_curves (LabDenoiseView *self)
{
  gint64 wait = self->curves_time + LAB_CURVES_INTERVAL_US - g_get_monotonic_time ();

  if (self->curves_timeout != 0)
    return;
  if (wait <= 0)
    curves_timeout_cb (self);
  else
    self->curves_timeout = g_timeout_add ((guint) (wait / 1000) + 1, curves_timeout_cb, self);
}

/* --- the session ------------------------------------------------------------------------- */

static void
lab_denoise_view_update_hint (LabDenoiseView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  const char *preset = session != NULL ? lab_session_get_preset (session) : NULL;
  g_autofree char *noise = session != NULL ? lab_session_dup_option (session, "noise") : NULL;
  g_autofree char *text = NULL;

  if (self->side == 0)
    text = g_strdup ("Load an image dataset (digits, fashion or a folder of PNGs) to denoise.");
  else if (self->weights == NULL)
    text = g_strdup ("Press Run to train: the model's panel fills in with the first report.");
  else if (noise == NULL || g_str_equal (noise, "none"))
    text = g_strdup_printf ("The “%s” preset was not trained on noisy inputs: choose the "
                            "“denoising” or “photo-denoiser” preset in the sidebar for a real "
                            "denoiser.",
                            preset != NULL ? preset : "current");
  gtk_label_set_label (self->hint_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), text != NULL);
}

static void
lab_denoise_view_sync_sample_range (LabDenoiseView *self)
{
  long n = lab_view_get_session (LAB_VIEW (self)) != NULL ? lab_session_get_split_size (lab_view_get_session (LAB_VIEW (self)), LAB_SPLIT_TEST) : 0;

  self->updating = TRUE;
  gtk_spin_button_set_range (self->sample_spin, 0, MAX (n - 1, 0));
  self->updating = FALSE;
  if (self->sample >= n)
    self->sample = MAX (n - 1, 0);
}

static void
lab_denoise_view_on_snapshot (LabView *view, LabSnapshot *snapshot)
{
  LabDenoiseView *self = LAB_DENOISE_VIEW (view);
  LabWeights *weights = snapshot != NULL ? snapshot->weights : NULL;
  int old_side = self->side;

  if (weights == self->weights || !lab_view_get_shown (LAB_VIEW (self)))
    return;
  g_clear_pointer (&self->weights, lab_weights_unref);
  if (weights != NULL)
    self->weights = lab_weights_ref (weights);
  lab_denoise_view_sync_sample_range (self);
  /* the noise has a fixed seed: new weights denoise the same noisy panel again (strokes
   * painted on it stay); an opened photo follows them at the curves' pace */
  if (self->clean == NULL)
    _lab_denoise_view_reload (self);
  else if (self->image == NULL)
    lab_denoise_view_run_denoisers (self);
  lab_denoise_view_update_hint (self);
  if (self->side != old_side)
    lab_denoise_view_update_curves (self);
  else
    lab_denoise_view_queue_curves (self);
}

/* The noise a model trains with ("gaussian:0.1"; "mixed:0.5" is Gaussian or salt and pepper
 * up to 0.5, shown as Gaussian at 0.5) as the view's kind and level; FALSE for none. */
static gboolean
parse_training_noise (const char *noise, LabNoiseKind *kind, double *level)
{
  static const struct { const char *name; LabNoiseKind kind; } names[] = {
    { "gaussian", LAB_NOISE_GAUSSIAN }, { "mixed", LAB_NOISE_GAUSSIAN },
    { "salt-pepper", LAB_NOISE_SALT_PEPPER }, { "masking", LAB_NOISE_MASKING },
  };
  const char *colon = noise != NULL ? strchr (noise, ':') : NULL;
  char *end = NULL;

  if (colon == NULL)
    return FALSE;
  *level = g_ascii_strtod (colon + 1, &end);
  if (end == colon + 1 || !isfinite (*level) || *level <= 0)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strncmp (noise, names[i].name, colon - noise) == 0 && names[i].name[colon - noise] == '\0')
      {
        *kind = names[i].kind;
        *level = MIN (*level, noise_levels[*kind].max);
        return TRUE;
      }
  return FALSE;
}

/* The controls start at the noise the session's model trains with, and follow it when
 * another preset or noise option comes; a level chosen meanwhile stays through resets. */
static gboolean
lab_denoise_view_follow_training_noise (LabDenoiseView *self)
{
  LabSession *session = lab_view_get_session (LAB_VIEW (self));
  g_autofree char *noise = session != NULL ? lab_session_dup_option (session, "noise") : NULL;
  LabNoiseKind kind;
  double level;

  if (g_strcmp0 (noise, self->training_noise) == 0)
    return FALSE;
  g_free (self->training_noise);
  self->training_noise = g_steal_pointer (&noise);
  if (!parse_training_noise (self->training_noise, &kind, &level))
    return FALSE;
  self->kind = kind;
  self->level = level;
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->noise_dropdown, kind);
  gtk_range_set_range (GTK_RANGE (self->level_scale), 0, noise_levels[kind].max);
  gtk_range_set_value (GTK_RANGE (self->level_scale), level);
  self->updating = FALSE;
  return TRUE;
}

/* The noise option changes while training goes on (no new model): the panels and curves
 * follow it now, or when the view is shown. */
static void
lab_denoise_view_on_options (LabDenoiseView *self)
{
  if (!lab_view_get_shown (LAB_VIEW (self)))
    self->dataset_stale = TRUE;
  else if (lab_denoise_view_follow_training_noise (self))
    {
      _lab_denoise_view_reload (self);
      lab_denoise_view_update_curves (self);
    }
}

static void
lab_denoise_view_on_dataset (LabDenoiseView *self)
{
  self->dataset_stale = !lab_view_get_shown (LAB_VIEW (self));
  if (self->dataset_stale)
    return;
  lab_denoise_view_follow_training_noise (self);
  lab_denoise_view_sync_sample_range (self);
  _lab_denoise_view_reload (self);
  /* an opened image stays while the new model can denoise it (or while the data are still
   * loading), and what was said of it with it; otherwise the status line belongs to the old
   * data */
  if (self->image != NULL && self->side == 0 && lab_view_get_session (LAB_VIEW (self)) != NULL
      && lab_session_get_sample_shape (lab_view_get_session (LAB_VIEW (self)), NULL, NULL, NULL))
    lab_denoise_view_open_image (self, NULL, NULL);
  if (self->image == NULL)
    _lab_denoise_view_show_message (self, "", FALSE);
  lab_denoise_view_update_hint (self);
  lab_denoise_view_update_curves (self);
}

static void
lab_denoise_view_refresh (LabView *view)
{
  LabDenoiseView *self = LAB_DENOISE_VIEW (view);

  if (self->dataset_stale)
    lab_denoise_view_on_dataset (self);
  if (self->curves_stale)
    {
      self->curves_stale = FALSE;
      lab_denoise_view_queue_curves (self);
    }
  if (lab_view_get_session (view) != NULL)
    lab_denoise_view_on_snapshot (view, lab_session_get_snapshot (lab_view_get_session (view)));
}

/* A redraw of the curves that was due waits until the view is shown again. */
static void
lab_denoise_view_on_unmap (LabDenoiseView *self)
{
  if (self->curves_timeout != 0)
    {
      g_clear_handle_id (&self->curves_timeout, g_source_remove);
      self->curves_stale = TRUE;
    }
}

static void
lab_denoise_view_session_changed (LabView *view, LabSession *session)
{
  LabDenoiseView *self = LAB_DENOISE_VIEW (view);

  if (session != NULL)
    {
      g_signal_connect_swapped (session, "notify::generation", G_CALLBACK (lab_denoise_view_on_dataset), self);
      g_signal_connect_swapped (session, "options-changed", G_CALLBACK (lab_denoise_view_on_options), self);
    }
  g_clear_pointer (&self->weights, lab_weights_unref);
  lab_denoise_view_on_dataset (self);
}

/* --- controls ---------------------------------------------------------------------------- */

void
lab_denoise_view_set_noise (LabDenoiseView *self, int kind, double level)
{
  g_return_if_fail (LAB_IS_DENOISE_VIEW (self) && kind >= 0 && kind < LAB_N_NOISE_KINDS);

  gboolean new_kind = (LabNoiseKind) kind != self->kind;

  self->kind = kind;
  self->level = CLAMP (level, 0, noise_levels[kind].max);
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->noise_dropdown, kind);
  gtk_range_set_range (GTK_RANGE (self->level_scale), 0, noise_levels[kind].max);
  gtk_range_set_value (GTK_RANGE (self->level_scale), self->level);
  self->updating = FALSE;
  _lab_denoise_view_reload (self);
  if (new_kind)
    lab_denoise_view_update_curves (self);
  else
    lab_denoise_view_mark_level (self);
}

void
lab_denoise_view_get_noise (LabDenoiseView *self, int *kind, double *level)
{
  g_return_if_fail (LAB_IS_DENOISE_VIEW (self));
  if (kind != NULL)
    *kind = (int) gtk_drop_down_get_selected (self->noise_dropdown);
  if (level != NULL)
    *level = gtk_range_get_value (GTK_RANGE (self->level_scale));
}

void
lab_denoise_view_set_sample (LabDenoiseView *self, long index)
{
  g_return_if_fail (LAB_IS_DENOISE_VIEW (self));

  self->sample = MAX (index, 0);
  lab_denoise_view_sync_sample_range (self);
  self->updating = TRUE;
  gtk_spin_button_set_value (self->sample_spin, self->sample);
  self->updating = FALSE;
  if (self->image == NULL)
    _lab_denoise_view_reload (self);
}

void
lab_denoise_view_set_filter (LabDenoiseView *self, int filter)
{
  g_return_if_fail (LAB_IS_DENOISE_VIEW (self) && filter >= 0 && filter < LAB_N_FILTERS);

  self->filter = filter;
  self->updating = TRUE;
  gtk_drop_down_set_selected (self->filter_dropdown, filter);
  self->updating = FALSE;
  lab_denoise_view_run_denoisers (self);
}

static void
on_noise_selected (LabDenoiseView *self)
{
  int kind = (int) gtk_drop_down_get_selected (self->noise_dropdown);

  if (!self->updating && kind >= 0 && kind < LAB_N_NOISE_KINDS)
    lab_denoise_view_set_noise (self, kind, noise_levels[kind].initial);
}

static void
on_level_changed (LabDenoiseView *self)
{
  if (!self->updating)
    lab_denoise_view_set_noise (self, self->kind, gtk_range_get_value (GTK_RANGE (self->level_scale)));
}

static void
on_filter_selected (LabDenoiseView *self)
{
  int filter = (int) gtk_drop_down_get_selected (self->filter_dropdown);

  if (!self->updating && filter >= 0 && filter < LAB_N_FILTERS)
    lab_denoise_view_set_filter (self, filter);
}

static void
on_sample_changed (LabDenoiseView *self)
{
  if (!self->updating)
    lab_denoise_view_set_sample (self, gtk_spin_button_get_value_as_int (self->sample_spin));
}

static void
on_previous (LabDenoiseView *self)
{
  gtk_spin_button_spin (self->sample_spin, GTK_SPIN_STEP_BACKWARD, 1);
}

static void
on_next (LabDenoiseView *self)
{
  gtk_spin_button_spin (self->sample_spin, GTK_SPIN_STEP_FORWARD, 1);
}

/* --- painting ---------------------------------------------------------------------------- */

void
lab_denoise_view_paint (LabDenoiseView *self, double x, double y, float value)
{
  g_return_if_fail (LAB_IS_DENOISE_VIEW (self));

  float *noisy;
  int r = (int) ceil (LAB_BRUSH_RADIUS);

  /* the panels shown are about to give way to another image's */
  if (self->panels == NULL || self->panels_serial != self->clean_serial)
    return;
  noisy = panel (self, LAB_DENOISE_PANEL_NOISY);
  /* a disc around the pointer, pixel centres at +0.5 */
  for (int py = (int) floor (y) - r; py <= (int) floor (y) + r; py++)
    for (int px = (int) floor (x) - r; px <= (int) floor (x) + r; px++)
      if (px >= 0 && py >= 0 && px < self->width && py < self->height
          && hypot (px + 0.5 - x, py + 0.5 - y) <= LAB_BRUSH_RADIUS)
        for (int c = 0; c < self->channels; c++)
          noisy[((gsize) c * self->height + py) * self->width + px] = value;
  self->grid.version = ++self->panels_version;
  lab_chart_redraw (self->images_chart);
  lab_denoise_view_run_denoisers (self);
}

static void
paint_at (LabDenoiseView *self, double x, double y)
{
  LabChart *chart = self->images_chart;
  GtkWidget *widget = GTK_WIDGET (chart);
  int row, index;
  double ix, iy;

  if (self->panels == NULL
      || !lab_plot_image_grid_locate (gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                                      &self->grid, lab_chart_get_style (chart), x, y, &row, &index,
                                      &ix, &iy)
      || index != LAB_DENOISE_PANEL_NOISY)
    return;
  lab_denoise_view_paint (self, ix, iy, gtk_toggle_button_get_active (self->erase_toggle) ? 0.0f : 1.0f);
}

static void
on_images_pressed (LabDenoiseView *self, int n_press, double x, double y)
{
  paint_at (self, x, y);
}

/* --- accessors --------------------------------------------------------------------------- */

const float *
lab_denoise_view_get_panel (LabDenoiseView *self, LabDenoisePanel which, int *width, int *height,
                            double *psnr, double *ssim)
{
  g_return_val_if_fail (LAB_IS_DENOISE_VIEW (self) && which < LAB_N_DENOISE_PANELS, NULL);

  if (width != NULL)
    *width = self->panels != NULL ? self->width : 0;
  if (height != NULL)
    *height = self->panels != NULL ? self->height : 0;
  if (psnr != NULL)
    *psnr = self->panels != NULL ? self->psnr[which] : NAN;
  if (ssim != NULL)
    *ssim = self->panels != NULL ? self->ssim[which] : NAN;
  return self->panels != NULL ? panel (self, which) : NULL;
}

int
lab_denoise_view_get_n_curves (LabDenoiseView *self)
{
  g_return_val_if_fail (LAB_IS_DENOISE_VIEW (self), 0);
  return self->n_curves;
}

GtkWidget *
lab_denoise_view_get_images_chart (LabDenoiseView *self)
{
  g_return_val_if_fail (LAB_IS_DENOISE_VIEW (self), NULL);
  return GTK_WIDGET (self->images_chart);
}

unsigned long
lab_denoise_view_get_image_builds (LabDenoiseView *self)
{
  g_return_val_if_fail (LAB_IS_DENOISE_VIEW (self), 0);
  return lab_image_cache_get_builds (self->image_cache);
}

/* --- construction ------------------------------------------------------------------------ */

/* The panels are scaled for the screen's pixels. */
static void
on_scale_factor (LabDenoiseView *self)
{
  lab_image_cache_set_scale (self->image_cache, gtk_widget_get_scale_factor (GTK_WIDGET (self->images_chart)));
  lab_chart_redraw (self->images_chart);
}

static void
lab_denoise_view_dispose (GObject *object)
{
  LabDenoiseView *self = LAB_DENOISE_VIEW (object);

  g_clear_handle_id (&self->curves_timeout, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->weights, lab_weights_unref);
  g_clear_pointer (&self->denoise_job, lab_background_slot_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_DENOISE_VIEW);
  G_OBJECT_CLASS (lab_denoise_view_parent_class)->dispose (object);
}

static void
lab_denoise_view_finalize (GObject *object)
{
  LabDenoiseView *self = LAB_DENOISE_VIEW (object);

  g_free (self->panels);
  g_free (self->clean);
  g_free (self->image);
  g_free (self->image_name);
  g_free (self->image_path);
  g_free (self->training_noise);
  lab_image_cache_free (self->image_cache);
  for (int i = 0; i < LAB_N_DENOISE_PANELS; i++)
    g_free (self->captions[i]);
  G_OBJECT_CLASS (lab_denoise_view_parent_class)->finalize (object);
}

static void
lab_denoise_view_class_init (LabDenoiseViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_denoise_view_dispose;
  object_class->finalize = lab_denoise_view_finalize;
  LAB_VIEW_CLASS (klass)->session_changed = lab_denoise_view_session_changed;
  LAB_VIEW_CLASS (klass)->snapshot = lab_denoise_view_on_snapshot;
  LAB_VIEW_CLASS (klass)->refresh = lab_denoise_view_refresh;

  lab_view_class_set_template (LAB_VIEW_CLASS (klass), GTK_TYPE_BIN_LAYOUT, "labdenoiseview",
                               "lab-denoise-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, noise_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, level_scale);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, sample_spin);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, sample_box);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, erase_toggle);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, save_button);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, train_button);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, hint_label);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, message_label);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, images_chart);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, curves_chart);
  gtk_widget_class_bind_template_child (widget_class, LabDenoiseView, curves_label);
  gtk_widget_class_bind_template_callback (widget_class, on_noise_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_level_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_sample_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_previous);
  gtk_widget_class_bind_template_callback (widget_class, on_next);
  gtk_widget_class_bind_template_callback (widget_class, on_images_pressed);
  gtk_widget_class_bind_template_callback (widget_class, paint_at);
  _lab_denoise_view_bind_file_callbacks (widget_class);
}

static void
lab_denoise_view_init (LabDenoiseView *self)
{
  self->kind = LAB_NOISE_GAUSSIAN;
  self->level = noise_levels[LAB_NOISE_GAUSSIAN].initial;
  self->filter = LAB_FILTER_MEDIAN;
  self->cancellable = g_cancellable_new ();
  self->denoise_job = lab_background_slot_new (G_OBJECT (self), denoise_work,
                                               (GDestroyNotify) denoise_job_free, on_denoised,
                                               (GDestroyNotify) denoise_result_free);
  for (int i = 0; i < LAB_N_DENOISE_PANELS; i++)
    self->psnr[i] = self->ssim[i] = NAN;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->image_cache = lab_image_cache_new ();
  g_signal_connect_swapped (self->images_chart, "notify::scale-factor", G_CALLBACK (on_scale_factor), self);
  on_scale_factor (self);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->images_chart), "crosshair");
  lab_chart_set_draw_func (self->images_chart, lab_plot_image_grid_draw_func, &self->grid, NULL);
  lab_chart_set_draw_func (self->curves_chart, lab_plot_loss_draw_func, &self->curve_data, NULL);
  self->updating = TRUE;
  gtk_range_set_range (GTK_RANGE (self->level_scale), 0, noise_levels[self->kind].max);
  gtk_range_set_value (GTK_RANGE (self->level_scale), self->level);
  self->updating = FALSE;
  lab_denoise_view_redraw_images (self);
  lab_denoise_view_update_curves (self);
  g_signal_connect (self, "unmap", G_CALLBACK (lab_denoise_view_on_unmap), NULL);
}

GtkWidget *
lab_denoise_view_new (void)
{
  return g_object_new (LAB_TYPE_DENOISE_VIEW, NULL);
}
