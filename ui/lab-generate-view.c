/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-generate-view.c: the Generate view.
 *
 * Everything here is a decode of some code with the newest weights, on a worker (the main
 * thread only draws): the interpolation between two encoded test samples, a traversal of
 * the most used latent dimensions, samples from the prior N(0, I) and, for a 2-D code, the
 * decoded manifold. Each snapshot redoes them all (a few dozen decodes), so they follow
 * training; a slider move decodes the one image it shows, the latest position winning
 * (lab_background_slot_request).
 *
 * The two samples are picked in a gallery of the test samples whose codes the Latent view
 * shows, or from that view's side panel (win.use-sample). When the session has kept a plain
 * and a variational model, the same pair is interpolated through each, side by side.
 * Time series are generated in the Sequences view, as line plots; this view points there.
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-background.h"
#include "lab-chart.h"
#include "lab-plot.h"
#include "lab-generate-view.h"
#include "lab-sequence-tools.h"

#define LAB_STRIP_STEPS 10
#define LAB_MAX_TRAVERSAL 8
#define LAB_PRIOR_SAMPLES 24
#define LAB_MANIFOLD_SIDE 12
#define LAB_TRAVERSAL_SIGMAS 3.0
#define LAB_GALLERY_SIZE 16
#define LAB_GALLERY_COLUMNS 8

enum { KIND_PLAIN, KIND_VARIATIONAL, N_KINDS };

typedef struct {
  LabChart *chart;
  float *pixels;          /* grey (n, height * width) or RGB (n, 3, height * width) */
  LabImageRow row;
  LabImageGridData grid;
} ImagePanel;

struct _LabGenerateView {
  LabView parent_instance;

  /* template widgets */
  GtkStack *stack;                 /* "content", or "sequences" when the data are time series */
  GtkWidget *sequences_button;
  GtkToggleButton *start_toggle, *end_toggle; /* which end a gallery click sets */
  GtkLabel *first_label, *second_label;
  GtkWidget *compare_box;
  GtkLabel *compare_label;
  GtkRange *mix_scale;
  GtkLabel *mix_label, *traversal_label;
  GtkWidget *sliders_box;
  GtkWidget *kl_heading, *manifold_heading, *manifold_frame;
  LabChart *kl_chart;
  LabChart *gallery_chart, *first_chart, *second_chart, *mix_chart, *strip_chart;
  LabChart *compare_chart, *traversal_chart, *prior_chart, *manifold_chart;

  GtkToggleButton *end_toggles[2];
  GtkLabel *end_labels[2];
  GtkWidget *dim_rows[LAB_MAX_TRAVERSAL];
  GtkLabel *dim_labels[LAB_MAX_TRAVERSAL];
  GtkRange *dim_scales[LAB_MAX_TRAVERSAL];
  ImagePanel first_thumb, second_thumb, mix_image, strip, traversal_image, prior, manifold;
  ImagePanel gallery, compare;      /* compare: a row per kind of model */
  LabImageRow compare_rows[N_KINDS];

  LabSnapshot *snapshot;
  GRand *rand;

  int latent, dim, channels, pixels;
  long pair[2];                     /* dataset indices of the two samples, -1 before a choice */
  guint32 gallery_indices[LAB_GALLERY_SIZE];
  int n_gallery, gallery_offset;
  float *first_code, *second_code;  /* (latent) */
  float *spread;                    /* (latent) standard deviation of the codes per dimension */
  float *center;                    /* (latent) their mean (0 for a VAE: the prior's) */
  float *kl;                        /* (latent) mean KL per dimension (VAE) */
  int traversal_dims[LAB_MAX_TRAVERSAL];
  int n_traversal;
  float *prior_codes;               /* (LAB_PRIOR_SAMPLES, latent) */
  float *mix_decoded;               /* (dim) the image at the slider */
  /* the workers: the pair's codes with everything made of them, and three kinds of decode */
  LabBackgroundSlot *pair_job, *mix_job, *traversal_job, *prior_job;
  gboolean has_mix;
  LabBarsData kl_bars;
};

G_DEFINE_FINAL_TYPE (LabGenerateView, lab_generate_view, LAB_TYPE_VIEW)

/* --- image panels ----------------------------------------------------------------------- */

static void
panel_show (LabGenerateView *self, ImagePanel *panel, const float *images, int n, int columns)
{
  const LabSnapshot *s = self->snapshot;

  panel->pixels = g_renew (float, panel->pixels, lab_plot_images_row_size (n, self->channels, self->pixels));
  LabImageColormap map = lab_plot_images_as_row (panel->pixels, images, n, self->channels, self->pixels);
  panel->row = (LabImageRow) { .pixels = panel->pixels, .n_images = n, .colormap = map };
  panel->grid.rows = &panel->row;
  panel->grid.n_rows = 1;
  panel->grid.columns = columns;
  panel->grid.image_width = s->width;
  panel->grid.image_height = s->height;
  lab_chart_redraw (panel->chart);
}

/* A panel's chart (from the template) draws the panel's grid. */
static void
panel_setup (ImagePanel *panel, LabChart *chart, const char *empty_text)
{
  panel->grid.highlight_row = panel->grid.highlight_index = -1;
  panel->grid.empty_text = empty_text;
  lab_chart_set_draw_func (chart, lab_plot_image_grid_draw_func, &panel->grid, NULL);
  panel->chart = chart;
}

/* Sends n codes to a decode slot with the newest weights; FALSE without fitting weights. */
static gboolean
request_decode (LabGenerateView *self, LabBackgroundSlot *slot, const float *codes, int n)
{
  LabWeights *weights = lab_view_get_session (LAB_VIEW (self)) != NULL ? lab_session_get_weights (lab_view_get_session (LAB_VIEW (self))) : NULL;

  if (weights == NULL || lab_weights_get_latent_dim (weights) != self->latent
      || lab_weights_get_input_dim (weights) != self->dim)
    return FALSE;
  lab_background_slot_request (slot, lab_decode_job_new (weights, codes, n));
  return TRUE;
}

/* Whether a decode's images fit the view still (a new model may have come meanwhile). */
static gboolean
decode_fits (LabGenerateView *self, const LabDecodeJob *job, const float *images)
{
  return images != NULL && self->snapshot != NULL
         && lab_weights_get_input_dim (job->weights) == self->dim
         && lab_weights_get_latent_dim (job->weights) == self->latent;
}

/* --- the pictures ------------------------------------------------------------------------ */

static void
show_end_label (LabGenerateView *self, int end, long index, int label)
{
  const LabSnapshot *s = self->snapshot;
  g_autofree char *text = NULL;

  if (lab_snapshot_class_name (s, label) != NULL)
    text = g_strdup_printf (end == 0 ? _("From sample %ld (%s)") : _("to sample %ld (%s)"),
                            index, lab_snapshot_class_name (s, label));
  else
    text = g_strdup_printf (end == 0 ? _("From sample %ld") : _("to sample %ld"), index);
  gtk_label_set_label (self->end_labels[end], text);
}

/* Shows one end of the pair (its thumbnail and caption); FALSE when the dataset lacks it. */
static gboolean
show_end (LabGenerateView *self, int end, ImagePanel *thumb)
{
  int label = -1;
  const float *sample = lab_session_get_dataset_sample (lab_view_get_session (LAB_VIEW (self)), self->pair[end], &label);

  if (sample == NULL)
    return FALSE;
  panel_show (self, thumb, sample, 1, 0);
  show_end_label (self, end, self->pair[end], label);
  return TRUE;
}

static void
mix_codes (LabGenerateView *self, float *out, double t)
{
  lab_sequence_mix_codes (out, self->first_code, self->second_code, self->latent, t,
                          self->snapshot->variational);
}

static void
update_mix (LabGenerateView *self)
{
  g_autofree float *code = NULL;
  double t = gtk_range_get_value (self->mix_scale);
  g_autofree char *text = NULL;

  if (self->snapshot == NULL || !self->has_mix)
    return;
  code = g_new (float, self->latent);
  mix_codes (self, code, t);
  request_decode (self, self->mix_job, code, 1);
  text = g_strdup_printf ("%.0f%% of the way (%s)", 100 * t,
                          self->snapshot->variational ? "spherical" : "linear");
  gtk_label_set_label (self->mix_label, text);
}

static void
on_mix_decoded (GObject *owner, gpointer input, gpointer output)
{
  LabGenerateView *self = LAB_GENERATE_VIEW (owner);
  g_autofree float *image = output;

  if (!decode_fits (self, input, image))
    return;
  memcpy (self->mix_decoded, image, sizeof (float) * self->dim);
  panel_show (self, &self->mix_image, image, 1, 0);
}

/* Whether the session kept a plain and a variational model of this data, to interpolate the
 * pair through each, side by side; says so either way. */
static gboolean
update_comparison_label (LabGenerateView *self, LabWeights *models[N_KINDS])
{
  gboolean both = lab_view_get_session (LAB_VIEW (self)) != NULL;

  for (int k = 0; k < N_KINDS && both; k++)
    {
      models[k] = lab_session_get_kept_weights (lab_view_get_session (LAB_VIEW (self)), k == KIND_VARIATIONAL);
      both = models[k] != NULL && lab_weights_get_input_dim (models[k]) == self->dim;
    }
  gtk_widget_set_visible (self->compare_box, both);
  gtk_label_set_label (self->compare_label,
                       both ? _("The same pair through the last plain autoencoder (straight path) "
                                "and the last variational one (spherical path). The VAE's "
                                "steps stay digits; the plain one's middle may not.")
                            : _("Train a plain autoencoder (e.g. Undercomplete) and a "
                                "variational one on this data, one after the other, to see this "
                                "pair interpolated through each side by side."));
  return both;
}

static void
show_comparison (LabGenerateView *self, const float *images)
{
  /* one grid, a row per model, so that the eye compares step by step */
  panel_show (self, &self->compare, images, N_KINDS * LAB_STRIP_STEPS, LAB_STRIP_STEPS);
  for (int k = 0; k < N_KINDS; k++)
    self->compare_rows[k] = (LabImageRow) {
      .label = k == KIND_PLAIN ? _("plain AE") : _("VAE"),
      .pixels = self->compare.pixels + lab_plot_images_row_size (k * LAB_STRIP_STEPS, self->channels, self->pixels),
      .n_images = LAB_STRIP_STEPS,
      .colormap = self->compare.row.colormap,
    };
  self->compare.grid.rows = self->compare_rows;
  self->compare.grid.n_rows = N_KINDS;
  lab_chart_redraw (self->compare.chart);
}

/* --- the pair's job: its codes, and everything drawn from the codes of the snapshot ------ */

typedef struct {
  LabSnapshot *snapshot;           /* the codes, for their spread and KL */
  LabWeights *weights;
  LabWeights *kept[N_KINDS];       /* NULL unless both were kept */
  float *ends;                     /* (2, dim) the pair's samples, or NULL */
  int latent, dim;
} PairJob;

typedef struct {
  float *center, *spread, *kl;     /* (latent) */
  float *end_codes;                /* (2, latent), NULL without ends */
  float *strip;                    /* (LAB_STRIP_STEPS, dim) */
  float *compare;                  /* (N_KINDS * LAB_STRIP_STEPS, dim), or NULL */
  float *manifold;                 /* (LAB_MANIFOLD_SIDE^2, dim), only for a 2-D code */
} PairResult;

static void
pair_job_free (PairJob *job)
{
  lab_snapshot_unref (job->snapshot);
  lab_weights_unref (job->weights);
  for (int k = 0; k < N_KINDS; k++)
    g_clear_pointer (&job->kept[k], lab_weights_unref);
  g_free (job->ends);
  g_free (job);
}

static void
pair_result_free (PairResult *r)
{
  g_free (r->center);
  g_free (r->spread);
  g_free (r->kl);
  g_free (r->end_codes);
  g_free (r->strip);
  g_free (r->compare);
  g_free (r->manifold);
  g_free (r);
}

/* Spread and KL per dimension of the snapshot's codes: a VAE's prior has unit spread and no
 * centre, a plain AE's codes have their own scale. */
static void
code_statistics (PairResult *r, const LabSnapshot *s, int latent)
{
  int n = s->n_codes;

  lab_sequence_code_spread (r->center, r->spread, s->codes, n, latent);
  for (int d = 0; d < latent; d++)
    {
      double kl = 0;

      for (int i = 0; i < n && s->code_logvar != NULL; i++)
        {
          double mu = s->codes[(gsize) i * latent + d], lv = s->code_logvar[(gsize) i * latent + d];

          kl += 0.5 * (mu * mu + exp (lv) - lv - 1);
        }
      r->center[d] = s->variational ? 0.0f : r->center[d];
      r->spread[d] = s->variational ? 1.0f : MAX (r->spread[d], 1e-6f);
      r->kl[d] = (float) (n > 0 ? kl / n : 0);
    }
}

/* LAB_STRIP_STEPS decodes from the code of ends (2, dim) to that of the other, along the
 * model's own kind of path; codes (2, latent) receive the two codes when not NULL. */
static float *
interpolate_strip (LabWeights *weights, const float *ends, gboolean spherical, float *end_codes)
{
  int latent = lab_weights_get_latent_dim (weights);
  g_autofree float *codes = g_new (float, (gsize) (LAB_STRIP_STEPS + 2) * latent);
  float *images = g_new (float, (gsize) LAB_STRIP_STEPS * lab_weights_get_input_dim (weights));
  float *pair = codes + (gsize) LAB_STRIP_STEPS * latent;

  /* one at a time, as a single sample is encoded anywhere else (a batch rounds otherwise) */
  for (int end = 0; end < 2; end++)
    lab_weights_encode (weights, pair + (gsize) end * latent, NULL,
                        ends + (gsize) end * lab_weights_get_input_dim (weights), 1);
  for (int i = 0; i < LAB_STRIP_STEPS; i++)
    lab_sequence_mix_codes (codes + (gsize) i * latent, pair, pair + latent, latent,
                            i / (double) (LAB_STRIP_STEPS - 1), spherical);
  lab_weights_decode (weights, images, codes, LAB_STRIP_STEPS);
  if (end_codes != NULL)
    memcpy (end_codes, pair, sizeof (float) * 2 * latent);
  return images;
}

static gpointer
pair_work (gpointer input, GCancellable *cancellable)
{
  PairJob *job = input;
  PairResult *r = g_new0 (PairResult, 1);
  int latent = job->latent, dim = job->dim, side = LAB_MANIFOLD_SIDE;

  (void) cancellable;
  r->center = g_new (float, latent);
  r->spread = g_new (float, latent);
  r->kl = g_new (float, latent);
  code_statistics (r, job->snapshot, latent);
  if (job->ends != NULL)
    {
      r->end_codes = g_new (float, 2 * (gsize) latent);
      r->strip = interpolate_strip (job->weights, job->ends, job->snapshot->variational, r->end_codes);
    }
  if (job->ends != NULL && job->kept[0] != NULL)
    {
      r->compare = g_new (float, (gsize) N_KINDS * LAB_STRIP_STEPS * dim);
      for (int k = 0; k < N_KINDS; k++)
        {
          g_autofree float *strip = interpolate_strip (job->kept[k], job->ends, k == KIND_VARIATIONAL, NULL);

          memcpy (r->compare + (gsize) k * LAB_STRIP_STEPS * dim, strip,
                  sizeof (float) * LAB_STRIP_STEPS * dim);
        }
    }
  if (latent == 2)
    {
      g_autofree float *codes = g_new (float, 2 * side * side);

      /* rows go down in z2 so that the grid reads like the scatter, up is positive */
      for (int row = 0; row < side; row++)
        for (int c = 0; c < side; c++)
          {
            double u = -2.5 + 5.0 * c / (side - 1), v = 2.5 - 5.0 * row / (side - 1);

            codes[2 * (row * side + c)] = (float) (r->center[0] + u * r->spread[0]);
            codes[2 * (row * side + c) + 1] = (float) (r->center[1] + v * r->spread[1]);
          }
      r->manifold = g_new (float, (gsize) side * side * dim);
      lab_weights_decode (job->weights, r->manifold, codes, side * side);
    }
  return r;
}

static void update_statistics (LabGenerateView *self);
static void update_traversal (LabGenerateView *self);

static void
on_pair_done (GObject *owner, gpointer input, gpointer output)
{
  LabGenerateView *self = LAB_GENERATE_VIEW (owner);
  PairJob *job = input;
  PairResult *r = output;
  int latent = self->latent;

  if (r == NULL || self->snapshot == NULL || job->latent != latent || job->dim != self->dim)
    {
      g_clear_pointer (&r, pair_result_free);
      return;
    }
  memcpy (self->center, r->center, sizeof (float) * latent);
  memcpy (self->spread, r->spread, sizeof (float) * latent);
  memcpy (self->kl, r->kl, sizeof (float) * latent);
  update_statistics (self);
  self->has_mix = r->end_codes != NULL;
  if (self->has_mix)
    {
      memcpy (self->first_code, r->end_codes, sizeof (float) * latent);
      memcpy (self->second_code, r->end_codes + latent, sizeof (float) * latent);
      panel_show (self, &self->strip, r->strip, LAB_STRIP_STEPS, 0);
    }
  if (r->compare != NULL)
    show_comparison (self, r->compare);
  gtk_widget_set_visible (self->manifold_heading, latent == 2);
  gtk_widget_set_visible (self->manifold_frame, latent == 2);
  if (r->manifold != NULL)
    panel_show (self, &self->manifold, r->manifold, LAB_MANIFOLD_SIDE * LAB_MANIFOLD_SIDE,
                LAB_MANIFOLD_SIDE);
  pair_result_free (r);
  update_mix (self);
  update_traversal (self);
}

/* Encodes the pair with the newest weights, and redoes what is drawn from the codes. */
static void
update_pair (LabGenerateView *self)
{
  LabWeights *weights, *models[N_KINDS] = { NULL, NULL };
  PairJob *job;
  gboolean ends;

  if (self->snapshot == NULL || lab_view_get_session (LAB_VIEW (self)) == NULL)
    return;
  weights = lab_session_get_weights (lab_view_get_session (LAB_VIEW (self)));
  if (weights == NULL || lab_weights_get_latent_dim (weights) != self->latent
      || lab_weights_get_input_dim (weights) != self->dim)
    return;
  job = g_new0 (PairJob, 1);
  job->snapshot = lab_snapshot_ref (self->snapshot);
  job->weights = lab_weights_ref (weights);
  job->latent = self->latent;
  job->dim = self->dim;
  ends = show_end (self, 0, &self->first_thumb) && show_end (self, 1, &self->second_thumb);
  if (ends)
    {
      job->ends = g_new (float, 2 * (gsize) self->dim);
      for (int end = 0; end < 2; end++)
        memcpy (job->ends + (gsize) end * self->dim,
                lab_session_get_dataset_sample (lab_view_get_session (LAB_VIEW (self)), self->pair[end], NULL),
                sizeof (float) * self->dim);
    }
  if (update_comparison_label (self, models) && ends)
    for (int k = 0; k < N_KINDS; k++)
      job->kept[k] = lab_weights_ref (models[k]);
  lab_background_slot_request (self->pair_job, job);
}

static void
update_traversal (LabGenerateView *self)
{
  g_autofree float *code = NULL;

  if (self->snapshot == NULL || !self->has_mix)
    return;
  /* from the first sample's code, each slider moving its dimension by so many sigmas */
  code = g_memdup2 (self->first_code, sizeof (float) * self->latent);
  for (int i = 0; i < self->n_traversal; i++)
    {
      int d = self->traversal_dims[i];

      code[d] += (float) (gtk_range_get_value (self->dim_scales[i]) * self->spread[d]);
    }
  request_decode (self, self->traversal_job, code, 1);
}

static void
on_traversal_decoded (GObject *owner, gpointer input, gpointer output)
{
  LabGenerateView *self = LAB_GENERATE_VIEW (owner);
  g_autofree float *image = output;

  if (decode_fits (self, input, image))
    panel_show (self, &self->traversal_image, image, 1, 0);
}

static void
update_prior (LabGenerateView *self)
{
  if (self->snapshot != NULL)
    request_decode (self, self->prior_job, self->prior_codes, LAB_PRIOR_SAMPLES);
}

static void
on_prior_decoded (GObject *owner, gpointer input, gpointer output)
{
  LabGenerateView *self = LAB_GENERATE_VIEW (owner);
  g_autofree float *images = output;

  if (decode_fits (self, input, images))
    panel_show (self, &self->prior, images, LAB_PRIOR_SAMPLES, 8);
}

static void
new_prior_samples (LabGenerateView *self)
{
  lab_sequence_draw_codes (self->prior_codes, LAB_PRIOR_SAMPLES, self->latent, NULL, NULL,
                           self->rand);
  update_prior (self);
}

/* A page of the test samples whose codes the snapshot carries (the Latent view's). */
static void
update_gallery (LabGenerateView *self)
{
  const LabSnapshot *s = self->snapshot;
  g_autofree float *images = NULL;

  self->n_gallery = 0;
  if (s->code_indices == NULL || s->n_codes <= 0)
    return;
  images = g_new (float, (gsize) LAB_GALLERY_SIZE * self->dim);
  for (int i = 0; i < MIN (LAB_GALLERY_SIZE, s->n_codes); i++)
    {
      guint32 index = s->code_indices[(self->gallery_offset + i) % s->n_codes];
      const float *sample = lab_session_get_dataset_sample (lab_view_get_session (LAB_VIEW (self)), index, NULL);

      if (sample == NULL)
        break;
      memcpy (images + (gsize) i * self->dim, sample, sizeof (float) * self->dim);
      self->gallery_indices[self->n_gallery++] = index;
    }
  if (self->n_gallery > 0)
    panel_show (self, &self->gallery, images, self->n_gallery, LAB_GALLERY_COLUMNS);
}

static void
on_more_samples (LabGenerateView *self)
{
  if (self->snapshot == NULL || self->snapshot->n_codes <= 0)
    return;
  self->gallery_offset = (self->gallery_offset + LAB_GALLERY_SIZE) % self->snapshot->n_codes;
  update_gallery (self);
}

static void
on_gallery_clicked (LabGenerateView *self, double x, double y)
{
  GtkWidget *chart = GTK_WIDGET (self->gallery.chart);
  int row, index;

  if (self->n_gallery == 0
      || !lab_plot_image_grid_locate (gtk_widget_get_width (chart), gtk_widget_get_height (chart),
                                      &self->gallery.grid, lab_chart_get_style (self->gallery.chart),
                                      x, y, &row, &index, NULL, NULL))
    return;
  index += row * LAB_GALLERY_COLUMNS;
  if (index >= 0 && index < self->n_gallery)
    {
      int end = gtk_toggle_button_get_active (self->end_toggles[1]) ? 1 : 0;

      lab_generate_view_use_sample (self, end == 1, self->gallery_indices[index]);
      /* the next click sets the other end */
      gtk_toggle_button_set_active (self->end_toggles[1 - end], TRUE);
    }
}

/* Which dimensions get sliders, from the spread and KL per dimension (the pair's job). */
static void
update_statistics (LabGenerateView *self)
{
  const LabSnapshot *s = self->snapshot;
  int latent = self->latent;
  gboolean *used = g_new0 (gboolean, latent);
  char *text;

  /* sliders for the dimensions that carry the most: largest KL for a VAE, spread else */
  self->n_traversal = MIN (latent, LAB_MAX_TRAVERSAL);
  for (int i = 0; i < self->n_traversal; i++)
    {
      int best = -1;

      for (int d = 0; d < latent; d++)
        if (!used[d] && (best < 0 || (s->variational ? self->kl[d] > self->kl[best]
                                                      : self->spread[d] > self->spread[best])))
          best = d;
      used[best] = TRUE;
      self->traversal_dims[i] = best;
      {
        /* with known factors (shapes), the one this dimension tells most about */
        const char *factor = lab_snapshot_dimension_factor (s, best, NULL);
        char *name = factor != NULL ? g_strdup_printf ("z%d · %s", best + 1, factor)
                                    : g_strdup_printf ("z%d", best + 1);

        gtk_label_set_label (self->dim_labels[i], name);
        gtk_label_set_width_chars (self->dim_labels[i], factor != NULL ? 15 : 4);
        gtk_label_set_xalign (self->dim_labels[i], factor != NULL ? 0.0f : 0.5f);
        g_free (name);
      }
    }
  g_free (used);
  for (int i = 0; i < LAB_MAX_TRAVERSAL; i++)
    gtk_widget_set_visible (self->dim_rows[i], i < self->n_traversal);
  text = g_strdup_printf ("Each slider moves one dimension of the first sample's code by up to "
                          "±3 σ; %s of %d dimensions shown%s.",
                          s->variational ? "the most informative (largest KL)"
                                         : "the most spread", latent,
                          s->code_factor_share != NULL
                            ? ", each named by the factor it carries most information about" : "");
  gtk_label_set_label (self->traversal_label, text);
  g_free (text);

  gtk_widget_set_visible (self->kl_heading, s->variational);
  gtk_widget_set_visible (GTK_WIDGET (self->kl_chart), s->variational);
  self->kl_bars.values = self->kl;
  self->kl_bars.n = latent;
  self->kl_bars.first_number = 1;  /* numbered as the sliders name the dimensions: z1, z2, ... */
  self->kl_bars.color_index = 1;
  self->kl_bars.x_label = "latent dimension (1 is z1)";
  self->kl_bars.y_label = "KL (nats)";
  self->kl_bars.title = "KL per dimension: near 0 means unused";
  {
    char summary[256];

    lab_plot_bars_summary (&self->kl_bars, summary, sizeof summary);
    lab_chart_set_description (self->kl_chart, summary);
  }
  lab_chart_redraw (self->kl_chart);
}

/* Whether the data are time series, which this view leaves to the Sequences view */
static gboolean
update_page (LabGenerateView *self)
{
  gboolean sequences = lab_view_get_session (LAB_VIEW (self)) != NULL && lab_session_get_is_sequence (lab_view_get_session (LAB_VIEW (self)));

  gtk_stack_set_visible_child_name (self->stack, sequences ? "sequences" : "content");
  return sequences;
}

static void
on_data_changed (LabGenerateView *self)
{
  update_page (self);
}

static void
lab_generate_view_on_snapshot (LabView *view, LabSnapshot *snapshot)
{
  LabGenerateView *self = LAB_GENERATE_VIEW (view);

  if (update_page (self) || snapshot->codes == NULL || snapshot->latent <= 0)
    return;
  /* hidden, the view decodes nothing (it catches up on "map"); shown, it decodes again only
   * for new codes or new weights */
  if (!lab_view_get_shown (LAB_VIEW (self))
      || (self->snapshot != NULL && snapshot->codes == self->snapshot->codes
          && snapshot->weights == self->snapshot->weights))
    return;
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  self->snapshot = lab_snapshot_ref (snapshot);
  /* the pair's codes of another code size or data wait for the pair's job */
  if (snapshot->latent != self->latent || snapshot->dim != self->dim)
    self->has_mix = FALSE;
  self->dim = snapshot->dim;
  self->channels = MAX (snapshot->channels, 1);
  self->pixels = snapshot->height * snapshot->width;
  self->mix_decoded = g_renew (float, self->mix_decoded, self->dim);
  if (snapshot->latent != self->latent)
    {
      self->latent = snapshot->latent;
      self->first_code = g_renew (float, self->first_code, self->latent);
      self->second_code = g_renew (float, self->second_code, self->latent);
      self->spread = g_renew (float, self->spread, self->latent);
      self->center = g_renew (float, self->center, self->latent);
      self->kl = g_renew (float, self->kl, self->latent);
      self->prior_codes = g_renew (float, self->prior_codes, (gsize) LAB_PRIOR_SAMPLES * self->latent);
      for (int i = 0; i < LAB_MAX_TRAVERSAL; i++)
        self->traversal_dims[i] = -1;
      for (int i = 0; i < LAB_PRIOR_SAMPLES * self->latent; i++)
        self->prior_codes[i] = 0;
      new_prior_samples (self);
    }
  /* the first two samples of the gallery until the user picks; a pick lasts while the
   * dataset holds it (resets and new presets keep it), also one sent from the Latent view
   * before this view was first shown */
  if (snapshot->code_indices != NULL && snapshot->n_codes >= 2 && lab_view_get_session (LAB_VIEW (self)) != NULL)
    for (int end = 0; end < 2; end++)
      if (lab_session_get_dataset_sample (lab_view_get_session (LAB_VIEW (self)), self->pair[end], NULL) == NULL)
        {
          gboolean taken = self->pair[1 - end] == snapshot->code_indices[end];

          self->pair[end] = snapshot->code_indices[taken ? 1 - end : end];
          self->gallery_offset = 0;
        }
  update_gallery (self);
  update_pair (self);
  update_prior (self);
}

static void
lab_generate_view_refresh (LabView *view)
{
  if (lab_view_get_session (view) != NULL && lab_session_get_snapshot (lab_view_get_session (view)) != NULL)
    lab_generate_view_on_snapshot (view, lab_session_get_snapshot (lab_view_get_session (view)));
}

static void
lab_generate_view_session_changed (LabView *view, LabSession *session)
{
  if (session == NULL)
    return;
  g_signal_connect_swapped (session, "notify::generation", G_CALLBACK (on_data_changed), view);
  g_signal_connect_swapped (session, "notify::loading", G_CALLBACK (on_data_changed), view);
  update_page (LAB_GENERATE_VIEW (view));
}

/* --- public ----------------------------------------------------------------------------- */

void
lab_generate_view_set_pair (LabGenerateView *self, long first, long second)
{
  g_return_if_fail (LAB_IS_GENERATE_VIEW (self));
  self->pair[0] = first;
  self->pair[1] = second;
  update_pair (self);
}

void
lab_generate_view_use_sample (LabGenerateView *self, gboolean second, long index)
{
  g_return_if_fail (LAB_IS_GENERATE_VIEW (self));
  self->pair[second ? 1 : 0] = index;
  update_pair (self);
}

void
lab_generate_view_get_pair (LabGenerateView *self, long *first, long *second)
{
  g_return_if_fail (LAB_IS_GENERATE_VIEW (self));
  if (first != NULL)
    *first = self->pair[0];
  if (second != NULL)
    *second = self->pair[1];
}

GtkWidget *
lab_generate_view_get_gallery (LabGenerateView *self)
{
  g_return_val_if_fail (LAB_IS_GENERATE_VIEW (self), NULL);
  return GTK_WIDGET (self->gallery.chart);
}

const float *
lab_generate_view_get_comparison (LabGenerateView *self, gboolean variational)
{
  ImagePanel *panel = &self->compare;

  g_return_val_if_fail (LAB_IS_GENERATE_VIEW (self), NULL);
  if (!gtk_widget_get_visible (self->compare_box) || panel->grid.n_rows != N_KINDS)
    return NULL;
  return self->compare_rows[variational ? KIND_VARIATIONAL : KIND_PLAIN].pixels;
}

void
lab_generate_view_set_mix (LabGenerateView *self, double t)
{
  g_return_if_fail (LAB_IS_GENERATE_VIEW (self));
  /* a new value decodes through value-changed; the same value is decoded here, once */
  if (gtk_range_get_value (self->mix_scale) == CLAMP (t, 0.0, 1.0))
    update_mix (self);
  else
    gtk_range_set_value (self->mix_scale, t);
}

GtkRange *
lab_generate_view_get_mix_scale (LabGenerateView *self)
{
  g_return_val_if_fail (LAB_IS_GENERATE_VIEW (self), NULL);
  return self->mix_scale;
}

GtkRange *
lab_generate_view_get_traversal_scale (LabGenerateView *self, int i)
{
  g_return_val_if_fail (LAB_IS_GENERATE_VIEW (self), NULL);
  return i >= 0 && i < self->n_traversal ? self->dim_scales[i] : NULL;
}

const float *
lab_generate_view_get_decoded (LabGenerateView *self)
{
  g_return_val_if_fail (LAB_IS_GENERATE_VIEW (self), NULL);
  return self->has_mix && self->mix_image.grid.n_rows > 0 ? self->mix_decoded : NULL;
}

GtkWidget *
lab_generate_view_get_strip (LabGenerateView *self)
{
  g_return_val_if_fail (LAB_IS_GENERATE_VIEW (self), NULL);
  return GTK_WIDGET (self->strip.chart);
}

GtkWidget *
lab_generate_view_get_kl_chart (LabGenerateView *self)
{
  g_return_val_if_fail (LAB_IS_GENERATE_VIEW (self), NULL);
  return GTK_WIDGET (self->kl_chart);
}

GtkWidget *
lab_generate_view_get_sequences_button (LabGenerateView *self)
{
  g_return_val_if_fail (LAB_IS_GENERATE_VIEW (self), NULL);
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "sequences") == 0
         ? self->sequences_button : NULL;
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
lab_generate_view_dispose (GObject *object)
{
  LabGenerateView *self = LAB_GENERATE_VIEW (object);
  ImagePanel *panels[] = { &self->first_thumb, &self->second_thumb, &self->mix_image, &self->strip,
                           &self->traversal_image, &self->prior, &self->manifold, &self->gallery,
                           &self->compare };

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_GENERATE_VIEW);
  for (guint i = 0; i < G_N_ELEMENTS (panels); i++)
    g_clear_pointer (&panels[i]->pixels, g_free);
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->first_code, g_free);
  g_clear_pointer (&self->second_code, g_free);
  g_clear_pointer (&self->spread, g_free);
  g_clear_pointer (&self->center, g_free);
  g_clear_pointer (&self->kl, g_free);
  g_clear_pointer (&self->prior_codes, g_free);
  g_clear_pointer (&self->pair_job, lab_background_slot_free);
  g_clear_pointer (&self->mix_job, lab_background_slot_free);
  g_clear_pointer (&self->traversal_job, lab_background_slot_free);
  g_clear_pointer (&self->prior_job, lab_background_slot_free);
  g_clear_pointer (&self->mix_decoded, g_free);

  G_OBJECT_CLASS (lab_generate_view_parent_class)->dispose (object);
}

static void
lab_generate_view_class_init (LabGenerateViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_generate_view_dispose;
  LAB_VIEW_CLASS (klass)->session_changed = lab_generate_view_session_changed;
  LAB_VIEW_CLASS (klass)->snapshot = lab_generate_view_on_snapshot;
  LAB_VIEW_CLASS (klass)->refresh = lab_generate_view_refresh;

  lab_view_class_set_template (LAB_VIEW_CLASS (klass), GTK_TYPE_BIN_LAYOUT, "labgenerateview",
                               "lab-generate-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, stack);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, sequences_button);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, start_toggle);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, end_toggle);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, first_label);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, second_label);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, compare_box);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, compare_label);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, mix_scale);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, mix_label);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, traversal_label);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, sliders_box);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, kl_heading);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, kl_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, manifold_heading);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, manifold_frame);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, gallery_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, first_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, second_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, mix_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, strip_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, compare_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, traversal_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, prior_chart);
  gtk_widget_class_bind_template_child (widget_class, LabGenerateView, manifold_chart);
  gtk_widget_class_bind_template_callback (widget_class, on_more_samples);
  gtk_widget_class_bind_template_callback (widget_class, on_gallery_clicked);
  gtk_widget_class_bind_template_callback (widget_class, update_mix);
  gtk_widget_class_bind_template_callback (widget_class, new_prior_samples);
}

/* The traversal's sliders, one row per dimension shown: as many as LAB_MAX_TRAVERSAL. */
static void
add_traversal_rows (LabGenerateView *self)
{
  for (int i = 0; i < LAB_MAX_TRAVERSAL; i++)
    {
      GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, -LAB_TRAVERSAL_SIGMAS,
                                                   LAB_TRAVERSAL_SIGMAS, 0.1);

      self->dim_rows[i] = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      self->dim_labels[i] = GTK_LABEL (gtk_label_new (""));
      gtk_label_set_width_chars (self->dim_labels[i], 4);
      self->dim_scales[i] = GTK_RANGE (scale);
      gtk_scale_add_mark (GTK_SCALE (scale), 0, GTK_POS_BOTTOM, NULL);
      gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
      gtk_range_set_value (self->dim_scales[i], 0);
      gtk_widget_set_hexpand (scale, TRUE);
      gtk_widget_set_tooltip_text (scale, _("Moves this latent dimension of the first sample's code, "
                                            "in standard deviations of the codes"));
      gtk_box_append (GTK_BOX (self->dim_rows[i]), GTK_WIDGET (self->dim_labels[i]));
      gtk_box_append (GTK_BOX (self->dim_rows[i]), scale);
      gtk_box_append (GTK_BOX (self->sliders_box), self->dim_rows[i]);
      g_signal_connect_swapped (scale, "value-changed", G_CALLBACK (update_traversal), self);
    }
}

static void
lab_generate_view_init (LabGenerateView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->end_toggles[0] = self->start_toggle;
  self->end_toggles[1] = self->end_toggle;
  self->end_labels[0] = self->first_label;
  self->end_labels[1] = self->second_label;
  add_traversal_rows (self);
  /* the panels draw from data that lives in this view */
  panel_setup (&self->gallery, self->gallery_chart, _("The samples appear with the first report"));
  panel_setup (&self->first_thumb, self->first_chart, "");
  panel_setup (&self->second_thumb, self->second_chart, "");
  panel_setup (&self->mix_image, self->mix_chart, "");
  panel_setup (&self->strip, self->strip_chart, _("Waiting for the first model"));
  panel_setup (&self->compare, self->compare_chart, "");
  panel_setup (&self->traversal_image, self->traversal_chart, "");
  panel_setup (&self->prior, self->prior_chart, _("Waiting for the first model"));
  panel_setup (&self->manifold, self->manifold_chart, "");
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->gallery_chart), "pointer");
  self->kl_bars.empty_text = _("Only a variational autoencoder has a KL term");
  lab_chart_set_draw_func (self->kl_chart, lab_plot_bars_draw_func, &self->kl_bars, NULL);

  self->rand = g_rand_new_with_seed (1);
  self->pair[0] = self->pair[1] = -1;
  self->pair_job = lab_background_slot_new (G_OBJECT (self), pair_work, (GDestroyNotify) pair_job_free,
                                            on_pair_done, (GDestroyNotify) pair_result_free);
  self->mix_job = lab_background_slot_new (G_OBJECT (self), lab_decode_job_run,
                                           (GDestroyNotify) lab_decode_job_free, on_mix_decoded, g_free);
  self->traversal_job = lab_background_slot_new (G_OBJECT (self), lab_decode_job_run,
                                                 (GDestroyNotify) lab_decode_job_free,
                                                 on_traversal_decoded, g_free);
  self->prior_job = lab_background_slot_new (G_OBJECT (self), lab_decode_job_run,
                                             (GDestroyNotify) lab_decode_job_free, on_prior_decoded,
                                             g_free);
}
