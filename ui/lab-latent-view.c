/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-latent-view.c: the Latent space view.
 *
 * Each snapshot's codes are placed in a plane (t-SNE, their own 2-D PCA, or two chosen
 * dimensions) on a worker, only while the view is shown, the newest snapshot winning; t-SNE
 * starts from the previous plane and the points glide to their new places. The plane is
 * drawn by lab_plot_scatter; a click decodes the code behind a plane point with the
 * newest weights, a drag between two points decodes ten steps of the straight path between
 * them, a drawing is encoded and placed: each on a worker, the latest request winning
 * (lab_background_slot_request), while this thread only draws. A clicked
 * sample can be sent to the Generate view as one end of its interpolation (win.use-sample).
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-background.h"
#include "lab-chart.h"
#include "lab-plot.h"
#include "lab-projection.h"
#include "lab-latent-view.h"
#include "lab-reflow.h"

/* The plane before any codes (a plane being made says so instead). */
#define LAB_LATENT_NO_CODES N_("The codes appear with the first report: press Run")
#define LAB_STRIP_STEPS 10
#define LAB_PICK_DISTANCE 12.0
#define LAB_GLIDE_US (400 * G_TIME_SPAN_MILLISECOND)
/* While training runs, a warm t-SNE plane is followed by a rest of this many times the
 * processor time it took before the next: the worker then takes at most a thirteenth of one
 * core, which is about what it costs the trainer on two (whose threads wait for each other:
 * the worker's share of one core slows both). */
#define LAB_TSNE_REST_FACTOR 12

/* the projection menu's entries, in LabProjectionMethod order */
enum { PROJECT_PCA = LAB_PROJECTION_PCA, PROJECT_DIMENSIONS = LAB_PROJECTION_DIMENSIONS,
       PROJECT_TSNE = LAB_PROJECTION_TSNE };

struct _LabLatentView {
  LabView parent_instance;

  GtkWidget *toolbar;
  GtkDropDown *projection_menu;
  GtkSpinButton *dim_x, *dim_y;
  GtkToggleButton *sigma_toggle;
  GtkLabel *knn_label, *hover_label, *use_label;
  GtkWidget *use_buttons[2];
  LabChart *scatter_chart, *baseline_chart, *hover_chart, *decoded_chart, *strip_chart;

  LabSnapshot *snapshot;

  int latent, dim, pixels;
  float *points, *baseline_points;
  int capacity;
  gboolean baseline_ready;
  guint baseline_generation;
  double knn_accuracy;

  /* the worker's plane: one job at a time; a snapshot that comes meanwhile waits as `stale` */
  LabProjection *plane;
  LabSnapshot *projected;  /* the snapshot the projection was made from */
  GCancellable *cancellable;
  gboolean busy, stale;
  gint64 rest_until;       /* no t-SNE plane before this while training runs */
  guint rest_source;       /* the timeout that ends the rest */
  guint request;           /* bumped when the method changes: older results are dropped */
  float *glide_from;       /* (n, 2): where the points were when the new plane came */
  gint64 glide_start;
  guint glide_tick;
  /* decodes of a clicked point and of a dragged path, and the drawing's encoding */
  LabBackgroundSlot *click_job, *path_job, *drawing_job;

  LabScatterData scatter, baseline;

  float *hover_pixels, *decoded, *decoded_grey, *strip_grey;
  LabImageRow hover_row, decoded_row, strip_row;
  LabImageGridData hover_grid, decoded_grid, strip_grid;
  float path[2 * LAB_STRIP_STEPS];

  /* draw to encode: the drawing (grey pixels), then its reconstruction, side by side */
  LabChart *draw_chart;
  GtkLabel *draw_label;
  float *drawing;         /* (2, pixels): the drawing and its reconstruction */
  LabImageRow draw_row;
  LabImageGridData draw_grid;
  gboolean has_drawing;
  gboolean drawing_placed;
  float drawing_point[2];   /* where the drawing fell in the plane */

  bool *hidden;           /* (n_hidden) classes hidden by a click on their legend entry */
  int n_hidden;

  long picked;            /* dataset index of the clicked sample, -1 for none */
  int drag_from;          /* index of the point a drag started on, -1 for a pan */
  double drag_x, drag_y;  /* last widget position while panning */
};

G_DEFINE_FINAL_TYPE (LabLatentView, lab_latent_view, LAB_TYPE_VIEW)

/* The mean over channels: (channels, pixels) -> (pixels). */
static void
to_grey (float *out, const float *in, int channels, int pixels)
{
  for (int p = 0; p < pixels; p++)
    {
      float sum = 0;

      for (int c = 0; c < channels; c++)
        sum += in[(size_t) c * pixels + p];
      out[p] = sum / channels;
    }
}

/* --- what a click, a drag and a drawing compute, on a worker ----------------------------- */

typedef struct {
  LabWeights *weights;
  LabProjection *plane;
  LabSnapshot *projected;   /* the codes the plane was made of */
  int n;
  float *points;            /* (n, 2): plane points to decode the codes of */
  float *drawing;           /* (dim): a drawing to encode and place, or NULL */
} PlaneJob;

typedef struct {
  float *images;            /* (n, dim) */
  float error;              /* a drawing's reconstruction error */
  gboolean placed;
  float point[2], sigma[2]; /* where a drawing falls, and its sigma on a linear plane */
} PlaneResult;

static void
plane_job_free (PlaneJob *job)
{
  lab_weights_unref (job->weights);
  lab_projection_unref (job->plane);
  lab_snapshot_unref (job->projected);
  g_free (job->points);
  g_free (job->drawing);
  g_free (job);
}

static void
plane_result_free (PlaneResult *r)
{
  g_free (r->images);
  g_free (r);
}

/* A job on the plane shown, with weights for its codes; NULL when there are none that fit. */
static PlaneJob *
plane_job_new (LabLatentView *self, LabWeights *weights, const float *points, int n)
{
  PlaneJob *job;

  if (self->plane == NULL || weights == NULL
      || lab_weights_get_latent_dim (weights) != self->plane->latent
      || lab_weights_get_input_dim (weights) != self->projected->dim)
    return NULL;
  job = g_new0 (PlaneJob, 1);
  job->weights = lab_weights_ref (weights);
  job->plane = lab_projection_ref (self->plane);
  job->projected = lab_snapshot_ref (self->projected);
  job->n = n;
  job->points = points != NULL ? g_memdup2 (points, sizeof (float) * 2 * n) : NULL;
  return job;
}

/* Decodes the codes behind the job's plane points. */
static gpointer
decode_points_work (gpointer input, GCancellable *cancellable)
{
  PlaneJob *job = input;
  int latent = job->plane->latent;
  g_autofree float *codes = g_new (float, (gsize) job->n * latent);
  PlaneResult *r;

  (void) cancellable;
  for (int i = 0; i < job->n; i++)
    if (!lab_projection_code_at (job->plane, job->projected->codes, job->points[2 * i],
                                 job->points[2 * i + 1], codes + (gsize) i * latent))
      return NULL;
  r = g_new0 (PlaneResult, 1);
  r->images = g_new (float, (gsize) job->n * job->projected->dim);
  lab_weights_decode (job->weights, r->images, codes, job->n);
  return r;
}

/* Encodes the drawing, reconstructs it, scores it and places its code in the plane. */
static gpointer
encode_drawing_work (gpointer input, GCancellable *cancellable)
{
  PlaneJob *job = input;
  const LabSnapshot *s = job->projected;
  g_autofree float *code = g_new (float, s->latent), *logvar = NULL;
  PlaneResult *r = g_new0 (PlaneResult, 1);

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

/* Whether a result still fits what the view shows (a new model or dataset may have come). */
static gboolean
plane_result_fits (LabLatentView *self, const PlaneJob *job, const PlaneResult *r)
{
  return r != NULL && self->snapshot != NULL && self->projected != NULL
         && job->projected->generation == self->projected->generation
         && job->projected->dim == self->dim;
}

static void
on_click_decoded (GObject *owner, gpointer input, gpointer output)
{
  LabLatentView *self = LAB_LATENT_VIEW (owner);
  PlaneResult *r = output;

  if (plane_result_fits (self, input, r))
    {
      memcpy (self->decoded, r->images, sizeof (float) * self->dim);
      LabImageColormap map = lab_plot_images_as_row (self->decoded_grey, self->decoded, 1,
                                                     self->snapshot->channels, self->pixels);
      self->decoded_row = (LabImageRow) { .label = NULL, .pixels = self->decoded_grey,
                                          .n_images = 1, .colormap = map };
      self->decoded_grid.rows = &self->decoded_row;
      self->decoded_grid.n_rows = 1;
      lab_chart_redraw (self->decoded_chart);
    }
  g_clear_pointer (&r, plane_result_free);
}

static void
on_path_decoded (GObject *owner, gpointer input, gpointer output)
{
  LabLatentView *self = LAB_LATENT_VIEW (owner);
  PlaneResult *r = output;

  if (plane_result_fits (self, input, r))
    {
      LabImageColormap map = lab_plot_images_as_row (self->strip_grey, r->images, LAB_STRIP_STEPS,
                                                     self->snapshot->channels, self->pixels);
      self->strip_row = (LabImageRow) { .label = NULL, .pixels = self->strip_grey,
                                        .n_images = LAB_STRIP_STEPS, .colormap = map };
      self->strip_grid.rows = &self->strip_row;
      self->strip_grid.n_rows = 1;
      lab_chart_redraw (self->strip_chart);
    }
  g_clear_pointer (&r, plane_result_free);
}

static void
on_drawing_encoded (GObject *owner, gpointer input, gpointer output)
{
  LabLatentView *self = LAB_LATENT_VIEW (owner);
  PlaneResult *r = output;
  g_autofree char *text = NULL;

  if (!plane_result_fits (self, input, r) || !self->has_drawing)
    {
      g_clear_pointer (&r, plane_result_free);
      return;
    }
  to_grey (self->drawing + self->pixels, r->images, MAX (self->snapshot->channels, 1), self->pixels);
  lab_chart_redraw (self->draw_chart);
  self->drawing_placed = r->placed;
  if (r->placed)
    {
      memcpy (self->drawing_point, r->point, sizeof r->point);
      self->scatter.show_marker = TRUE;
      self->scatter.marker_x = r->point[0];
      self->scatter.marker_y = r->point[1];
      self->scatter.marker_sigma_x = r->sigma[0];
      self->scatter.marker_sigma_y = r->sigma[1];
      lab_chart_redraw (self->scatter_chart);
    }
  text = g_strdup_printf (_("Your drawing is the cross in the plane; reconstruction error %.1f "
                            "(the anomaly score)"), r->error);
  gtk_label_set_label (self->draw_label, text);
  plane_result_free (r);
}

static void lab_latent_view_encode_drawing (LabLatentView *self);

static LabProjectionMethod
lab_latent_view_method (LabLatentView *self)
{
  return (LabProjectionMethod) gtk_drop_down_get_selected (self->projection_menu);
}

static void
lab_latent_view_ensure_capacity (LabLatentView *self, int n, int latent)
{
  if (n > self->capacity)
    {
      self->points = g_renew (float, self->points, 2 * (gsize) n);
      self->baseline_points = g_renew (float, self->baseline_points, 2 * (gsize) n);
      self->glide_from = g_renew (float, self->glide_from, 2 * (gsize) n);
      self->capacity = n;
    }
  if (latent != self->latent)
    {
      self->latent = latent;
      gtk_spin_button_set_range (self->dim_x, 0, MAX (latent - 1, 0));
      gtk_spin_button_set_range (self->dim_y, 0, MAX (latent - 1, 0));
      gtk_spin_button_set_value (self->dim_y, MIN (1, latent - 1));
      gtk_widget_set_visible (self->toolbar, latent > 2);
      self->scatter.has_view = FALSE;
    }
}

static gboolean
on_glide_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  LabLatentView *self = LAB_LATENT_VIEW (widget);
  const LabProjection *p = self->plane;
  double t = (gdk_frame_clock_get_frame_time (clock) - self->glide_start) / (double) LAB_GLIDE_US;

  (void) data;
  if (p == NULL || t >= 1)
    t = 1;
  else
    t = t * t * (3 - 2 * t); /* ease in and out */
  if (p != NULL)
    for (int i = 0; i < 2 * p->n; i++)
      self->points[i] = (float) (self->glide_from[i] + t * (p->points[i] - self->glide_from[i]));
  lab_chart_redraw (self->scatter_chart);
  if (t < 1)
    return G_SOURCE_CONTINUE;
  self->glide_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
lab_latent_view_update_labels (LabLatentView *self)
{
  const LabProjection *p = self->plane;
  const LabSnapshot *s = self->projected;
  g_autofree char *text = NULL;
  const char *name = p->method == LAB_PROJECTION_TSNE && p->latent > 2 ? _("t-SNE")
                     : p->method == LAB_PROJECTION_PCA && p->latent > 2 ? _("PCA")
                                                                         : _("Two dimensions");

  self->knn_accuracy = p->knn_code;
  if (s->code_labels != NULL)
    text = g_strdup_printf (_("%s of %d codes (%d values): trustworthiness %.3f, 5-NN accuracy "
                              "%.1f%% in the plane, %.1f%% in the code"),
                            name, p->n, p->latent, p->trustworthiness, 100 * p->knn_plane,
                            100 * p->knn_code);
  else
    text = g_strdup_printf (_("%s of %d codes (%d values): trustworthiness %.3f"), name, p->n,
                            p->latent, p->trustworthiness);
  gtk_label_set_label (self->knn_label, text);
}

static void
lab_latent_view_show_projection (LabLatentView *self, gboolean glide)
{
  const LabSnapshot *s = self->projected;
  const LabProjection *p = self->plane;
  gboolean tsne = p->components == NULL, pca = p->method == LAB_PROJECTION_PCA && p->latent > 2;

  lab_latent_view_ensure_capacity (self, p->n, p->latent);
  if (glide && self->scatter.n_points == p->n)
    {
      memcpy (self->glide_from, self->points, sizeof (float) * 2 * (gsize) p->n);
      self->glide_start = g_get_monotonic_time ();
      if (self->glide_tick == 0)
        self->glide_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_glide_tick, NULL, NULL);
    }
  else
    memcpy (self->points, p->points, sizeof (float) * 2 * (gsize) p->n);

  self->scatter.points = self->points;
  self->scatter.n_points = p->n;
  self->scatter.labels = s->code_labels;
  self->scatter.class_names = s->class_names;
  self->scatter.n_classes = s->n_classes;
  self->scatter.hidden = self->n_hidden == s->n_classes ? self->hidden : NULL;
  self->scatter.sigmas = gtk_toggle_button_get_active (self->sigma_toggle) ? p->sigmas : NULL;
  self->scatter.title = tsne ? _("Codes (t-SNE: each code among its neighbours)")
                        : pca ? _("Codes (PCA of the latent space)") : _("Codes");
  self->scatter.x_label = tsne ? _("t-SNE x") : pca ? _("principal component 1") : _("latent dimension x");
  self->scatter.y_label = tsne ? _("t-SNE y") : pca ? _("principal component 2") : _("latent dimension y");
  {
    char summary[512];

    lab_plot_scatter_summary (&self->scatter, summary, sizeof summary);
    lab_chart_set_description (self->scatter_chart, summary);
  }
  lab_chart_redraw (self->scatter_chart);
  lab_latent_view_update_labels (self);

  if (p->baseline != NULL)
    {
      memcpy (self->baseline_points, p->baseline, sizeof (float) * 2 * (gsize) p->n);
      self->baseline_ready = TRUE;
      self->baseline_generation = s->generation;
      self->baseline.points = self->baseline_points;
      self->baseline.n_points = p->n;
      self->baseline.labels = s->code_labels;
      self->baseline.class_names = s->class_names;
      self->baseline.n_classes = s->n_classes;
      lab_chart_redraw (self->baseline_chart);
    }
  if (self->has_drawing)
    lab_latent_view_encode_drawing (self);
}

static void lab_latent_view_request (LabLatentView *self);

/* Only a VAE's encoder gives each code a spread to draw, and only a linear plane keeps its
 * shape: t-SNE has none. */
static void
lab_latent_view_update_sigma_toggle (LabLatentView *self)
{
  const LabSnapshot *s = self->snapshot;

  gtk_widget_set_sensitive (GTK_WIDGET (self->sigma_toggle),
                            s != NULL && s->code_logvar != NULL
                            && (s->latent <= 2 || lab_latent_view_method (self) != LAB_PROJECTION_TSNE));
}

typedef struct {
  LabLatentView *self;
  LabSnapshot *snapshot;
  guint request;
  gboolean warm;           /* t-SNE from the previous plane */
} ProjectionRequest;

static void
on_projection_done (GObject *source, GAsyncResult *result, gpointer data)
{
  ProjectionRequest *req = data;
  LabLatentView *self = req->self;
  g_autoptr (GError) error = NULL;
  LabProjection *p = lab_projection_run_finish (result, &error);

  (void) source;
  if (self == NULL)
    {
      /* the view has gone */
      lab_projection_unref (p);
      lab_snapshot_unref (req->snapshot);
      g_free (req);
      return;
    }
  g_object_remove_weak_pointer (G_OBJECT (self), (gpointer *) &req->self);
  self->busy = FALSE;
  /* after dispose (no cancellable) the widgets are gone */
  if (p != NULL && req->request == self->request && self->cancellable != NULL)
    {
      gboolean glide = self->plane != NULL && self->plane->method == p->method
                       && self->plane->n == p->n
                       && self->projected->generation == req->snapshot->generation;

      /* the first plane's longer schedule is paid once: the rest follows warm planes */
      if (req->warm && req->snapshot->state == LAB_TRAINING_RUNNING)
        self->rest_until = g_get_monotonic_time ()
                           + (gint64) (LAB_TSNE_REST_FACTOR * p->cpu_seconds * G_USEC_PER_SEC);
      g_debug ("a plane of %d codes in %.2f s of processor time", p->n, p->cpu_seconds);
      g_clear_pointer (&self->plane, lab_projection_unref);
      g_clear_pointer (&self->projected, lab_snapshot_unref);
      self->plane = p;
      self->projected = lab_snapshot_ref (req->snapshot);
      lab_latent_view_show_projection (self, glide);
    }
  else
    lab_projection_unref (p);
  lab_snapshot_unref (req->snapshot);
  g_free (req);
  if (self->stale && self->cancellable != NULL)
    lab_latent_view_request (self);
}

static gboolean
on_rest_over (gpointer data)
{
  LabLatentView *self = data;

  self->rest_source = 0;
  if (self->stale)
    lab_latent_view_request (self);
  return G_SOURCE_REMOVE;
}

/* Starts a plane for the newest snapshot, unless one is being made (then it waits), t-SNE
 * rests while training runs (then it waits for the rest's end) or the view is hidden (then
 * it is made when the view is shown). */
static void
lab_latent_view_request (LabLatentView *self)
{
  LabSnapshot *s = self->snapshot;
  LabProjectionMethod method = lab_latent_view_method (self);
  const float *previous = NULL;
  float *raw = NULL;
  ProjectionRequest *req;

  if (s == NULL || s->codes == NULL || s->n_codes <= 0 || s->latent <= 0)
    return;
  self->stale = TRUE;
  if (self->busy || !lab_view_get_shown (LAB_VIEW (self)))
    return;
  if (method == LAB_PROJECTION_TSNE && s->state == LAB_TRAINING_RUNNING && self->plane != NULL
      && self->plane->components == NULL && g_get_monotonic_time () < self->rest_until)
    {
      if (self->rest_source == 0)
        self->rest_source = g_timeout_add ((guint) ((self->rest_until - g_get_monotonic_time ()) / 1000 + 1),
                                           on_rest_over, self);
      return;
    }
  /* training stopped (the plane settles at once) or the rest is over */
  g_clear_handle_id (&self->rest_source, g_source_remove);
  self->stale = FALSE;
  if (method == LAB_PROJECTION_TSNE && self->plane != NULL
      && self->plane->method == LAB_PROJECTION_TSNE && self->plane->components == NULL
      && self->plane->n == s->n_codes && self->projected->generation == s->generation)
    previous = self->plane->points;
  if (!(self->baseline_ready && self->baseline_generation == s->generation) && lab_view_get_session (LAB_VIEW (self)) != NULL
      && s->code_indices != NULL)
    {
      /* a copy of the inputs, for the raw-PCA baseline on the worker */
      raw = g_new (float, (gsize) s->n_codes * s->dim);
      for (int i = 0; i < s->n_codes && raw != NULL; i++)
        {
          const float *sample = lab_session_get_dataset_sample (lab_view_get_session (LAB_VIEW (self)), s->code_indices[i], NULL);

          if (sample == NULL)
            g_clear_pointer (&raw, g_free);
          else
            memcpy (raw + (gsize) i * s->dim, sample, sizeof (float) * s->dim);
        }
    }
  req = g_new0 (ProjectionRequest, 1);
  /* weak: a plane still being made when the window closes must not keep the view (and
   * its session) alive; dispose cancels it */
  req->self = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &req->self);
  req->snapshot = lab_snapshot_ref (s);
  req->request = self->request;
  req->warm = previous != NULL;
  self->busy = TRUE;
  if (self->plane == NULL)
    {
      /* training runs: "press Run" would mislead while the first plane is being made */
      self->scatter.empty_text = method == LAB_PROJECTION_TSNE && s->latent > 2
                                   ? _("Placing the first codes among their neighbours (t-SNE)…")
                                   : _("Projecting the first codes…");
      lab_chart_redraw (self->scatter_chart);
    }
  lab_projection_run_async (s, method, gtk_spin_button_get_value_as_int (self->dim_x),
                            gtk_spin_button_get_value_as_int (self->dim_y), previous, raw, s->dim,
                            self->cancellable, on_projection_done, req);
}

static void
lab_latent_view_refresh (LabLatentView *self)
{
  if (self->plane != NULL)
    lab_latent_view_show_projection (self, FALSE);
}

static void lab_latent_view_pick (LabLatentView *self, int index);

/* A new model (or dataset) makes everything shown of the old one stale: its plane, the
 * hovered and clicked samples, what was decoded and the hidden classes. */
static void
lab_latent_view_forget_model (LabLatentView *self)
{
  /* a plane of the old model still being made is of no use now */
  self->request++;
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  g_object_unref (self->cancellable);
  g_clear_pointer (&self->plane, lab_projection_unref);
  g_clear_pointer (&self->projected, lab_snapshot_unref);
  lab_background_slot_cancel (self->click_job);
  lab_background_slot_cancel (self->path_job);
  lab_background_slot_cancel (self->drawing_job);
  self->scatter.empty_text = _(LAB_LATENT_NO_CODES);
  self->scatter.sigmas = NULL;
  self->scatter.n_points = self->baseline.n_points = 0;
  self->scatter.highlight = -1;
  self->scatter.has_view = FALSE;
  self->scatter.n_path = 0;
  self->scatter.show_marker = FALSE;
  self->scatter.hidden = NULL;
  self->n_hidden = 0;
  self->baseline_ready = FALSE;
  self->hover_grid.n_rows = self->decoded_grid.n_rows = self->strip_grid.n_rows = 0;
  gtk_label_set_label (self->hover_label, "—");
  gtk_label_set_label (self->knn_label, _("5-NN accuracy appears with the first codes"));
  lab_latent_view_pick (self, -1);
  lab_chart_redraw (self->scatter_chart);
  lab_chart_redraw (self->baseline_chart);
  lab_chart_redraw (self->hover_chart);
  lab_chart_redraw (self->decoded_chart);
  lab_chart_redraw (self->strip_chart);
}

static void
lab_latent_view_on_snapshot (LabView *view, LabSnapshot *snapshot)
{
  LabLatentView *self = LAB_LATENT_VIEW (view);

  if (self->snapshot != NULL && snapshot->generation != self->snapshot->generation)
    lab_latent_view_forget_model (self);
  if (snapshot->codes == NULL)
    return;
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  self->snapshot = lab_snapshot_ref (snapshot);
  if (snapshot->dim != self->dim)
    {
      self->dim = snapshot->dim;
      self->pixels = snapshot->height * snapshot->width;
      /* room for colour: the image rows hold RGB samples as they are */
      self->hover_pixels = g_renew (float, self->hover_pixels,
                                    (1 + LAB_PROJECTION_NEIGHBOURS) * (gsize) self->dim);
      self->decoded = g_renew (float, self->decoded, (gsize) LAB_STRIP_STEPS * self->dim);
      self->decoded_grey = g_renew (float, self->decoded_grey, self->dim);
      self->strip_grey = g_renew (float, self->strip_grey, (gsize) LAB_STRIP_STEPS * self->dim);
      self->drawing = g_renew (float, self->drawing, 2 * (gsize) self->pixels);
      memset (self->drawing, 0, sizeof (float) * 2 * self->pixels);
      self->has_drawing = FALSE;
      self->draw_row = (LabImageRow) { .label = NULL, .pixels = self->drawing, .n_images = 2 };
      self->draw_grid.rows = &self->draw_row;
      self->draw_grid.n_rows = snapshot->is_image ? 1 : 0;
      self->decoded_grid.n_rows = self->strip_grid.n_rows = self->hover_grid.n_rows = 0;
    }
  self->hover_grid.image_width = self->decoded_grid.image_width = self->strip_grid.image_width
    = snapshot->width;
  self->hover_grid.image_height = self->decoded_grid.image_height = self->strip_grid.image_height
    = snapshot->height;
  self->draw_grid.image_width = snapshot->width;
  self->draw_grid.image_height = snapshot->height;
  lab_latent_view_update_sigma_toggle (self);
  lab_latent_view_request (self);
}

/* --- interaction ----------------------------------------------------------------------- */

static gboolean
widget_to_plane (LabLatentView *self, double px, double py, double *x, double *y)
{
  GtkWidget *chart = GTK_WIDGET (self->scatter_chart);

  return lab_plot_scatter_to_data (gtk_widget_get_width (chart), gtk_widget_get_height (chart),
                                   &self->scatter, lab_chart_get_style (self->scatter_chart),
                                   px, py, x, y);
}

static int
nearest_point (LabLatentView *self, double px, double py)
{
  GtkWidget *chart = GTK_WIDGET (self->scatter_chart);

  if (self->snapshot == NULL)
    return -1;
  return lab_plot_scatter_nearest (gtk_widget_get_width (chart), gtk_widget_get_height (chart),
                                   &self->scatter, lab_chart_get_style (self->scatter_chart),
                                   px, py, LAB_PICK_DISTANCE);
}

static void
on_scatter_motion (LabLatentView *self, double px, double py)
{
  const LabSnapshot *s = self->snapshot;
  int index = nearest_point (self, px, py);
  const float *sample;
  int label = -1;
  char *text;

  if (index == self->scatter.highlight)
    return;
  self->scatter.highlight = index;
  lab_chart_redraw (self->scatter_chart);
  if (index < 0 || s->code_indices == NULL)
    return;
  sample = lab_session_get_dataset_sample (lab_view_get_session (LAB_VIEW (self)), s->code_indices[index], &label);
  if (sample == NULL)
    return;
  LabImageColormap map = lab_plot_images_as_row (self->hover_pixels, sample, 1, s->channels, self->pixels);
  /* then the inputs of its nearest codes (in the code, not in the plane) */
  int shown = 1, alike = 0;

  if (self->plane != NULL && self->plane->neighbours != NULL && index < self->plane->n)
    for (int k = 0; k < LAB_PROJECTION_NEIGHBOURS; k++)
      {
        long j = self->plane->neighbours[(gsize) index * LAB_PROJECTION_NEIGHBOURS + k];
        int other = -1;
        const float *near = lab_session_get_dataset_sample (lab_view_get_session (LAB_VIEW (self)), s->code_indices[j], &other);

        if (near == NULL)
          break;
        lab_plot_images_as_row (self->hover_pixels + lab_plot_images_row_size (shown++, s->channels, self->pixels),
                                near, 1, s->channels, self->pixels);
        alike += other == label;
      }
  self->hover_row = (LabImageRow) { .label = NULL, .pixels = self->hover_pixels, .n_images = shown,
                                    .colormap = map };
  self->hover_grid.rows = &self->hover_row;
  self->hover_grid.n_rows = 1;
  self->hover_grid.highlight_row = 0;
  self->hover_grid.highlight_index = 0;
  lab_chart_redraw (self->hover_chart);
  if (shown > 1)
    text = g_strdup_printf (_("Sample %u: %s, then its %d nearest codes (%d of its class)"),
                            s->code_indices[index],
                            label >= 0 && label < s->n_classes && s->class_names != NULL
                            ? s->class_names[label] : _("unlabelled"), shown - 1, alike);
  else
    text = g_strdup_printf ("Sample %u: %s", s->code_indices[index],
                            label >= 0 && label < s->n_classes && s->class_names != NULL
                            ? s->class_names[label] : "unlabelled");
  gtk_label_set_label (self->hover_label, text);
  g_free (text);
}

static void
on_use_clicked (GtkWidget *button, LabLatentView *self)
{
  lab_latent_view_send_picked (self, button == self->use_buttons[1]);
}

/* A click on a sample's point picks it for the Generate view (the pointer crosses other
 * points on its way to the buttons, so hovering cannot). */
static void
lab_latent_view_pick (LabLatentView *self, int index)
{
  const LabSnapshot *s = self->snapshot;
  g_autofree char *text = NULL;
  int label = -1;

  self->picked = index >= 0 && s->code_indices != NULL ? (long) s->code_indices[index] : -1;
  for (int end = 0; end < 2; end++)
    gtk_widget_set_sensitive (self->use_buttons[end], self->picked >= 0);
  if (self->picked >= 0)
    {
      lab_session_get_dataset_sample (lab_view_get_session (LAB_VIEW (self)), self->picked, &label);
      if (label >= 0 && label < s->n_classes && s->class_names != NULL)
        text = g_strdup_printf (_("Clicked sample %ld (%s): use it in the Generate view"),
                                self->picked, s->class_names[label]);
      else
        text = g_strdup_printf (_("Clicked sample %ld: use it in the Generate view"), self->picked);
    }
  gtk_label_set_label (self->use_label, text != NULL ? text
                                                     : _("Click a sample's point to use it in the "
                                                         "Generate view's interpolation"));
}

static void
on_scatter_leave (LabLatentView *self)
{
  self->scatter.highlight = -1;
  lab_chart_redraw (self->scatter_chart);
}

/* A click on a legend entry hides or shows that class. */
static gboolean
lab_latent_view_toggle_class (LabLatentView *self, double px, double py)
{
  GtkWidget *chart = GTK_WIDGET (self->scatter_chart);
  int c = lab_plot_scatter_legend_at (gtk_widget_get_width (chart), gtk_widget_get_height (chart),
                                      &self->scatter, lab_chart_get_style (self->scatter_chart),
                                      px, py);

  if (c < 0)
    return FALSE;
  if (self->n_hidden != self->scatter.n_classes)
    {
      self->n_hidden = self->scatter.n_classes;
      self->hidden = g_renew (bool, self->hidden, self->n_hidden);
      memset (self->hidden, 0, sizeof (bool) * self->n_hidden);
    }
  self->hidden[c] = !self->hidden[c];
  self->scatter.hidden = self->hidden;
  self->scatter.highlight = -1;
  lab_chart_redraw (self->scatter_chart);
  return TRUE;
}

static void
on_scatter_clicked (LabLatentView *self, double px, double py)
{
  double x, y;

  if (lab_latent_view_toggle_class (self, px, py))
    return;

  if (widget_to_plane (self, px, py, &x, &y))
    lab_latent_view_decode_at (self, x, y);
  lab_latent_view_pick (self, nearest_point (self, px, py));
}

static void
on_scatter_drag_begin (LabLatentView *self, double px, double py)
{
  self->drag_from = nearest_point (self, px, py);
  self->drag_x = px;
  self->drag_y = py;
}

/* Decodes LAB_STRIP_STEPS codes on the straight line between two plane points. */
static void
lab_latent_view_interpolate (LabLatentView *self, double x0, double y0, double x1, double y1)
{
  PlaneJob *job;

  for (int i = 0; i < LAB_STRIP_STEPS; i++)
    {
      double t = i / (double) (LAB_STRIP_STEPS - 1);

      self->path[2 * i] = (float) (x0 + t * (x1 - x0));
      self->path[2 * i + 1] = (float) (y0 + t * (y1 - y0));
    }
  self->scatter.path = self->path;
  self->scatter.n_path = LAB_STRIP_STEPS;
  job = plane_job_new (self, lab_session_get_weights (lab_view_get_session (LAB_VIEW (self))), self->path, LAB_STRIP_STEPS);
  if (job != NULL)
    lab_background_slot_request (self->path_job, job);
  lab_chart_redraw (self->scatter_chart);
}

static void
on_scatter_drag_update (LabLatentView *self, double px, double py)
{
  double x0, y0, x1, y1;

  if (self->snapshot == NULL)
    return;
  if (self->drag_from < 0)
    {
      /* pan: the data under the pointer follows it */
      if (widget_to_plane (self, self->drag_x, self->drag_y, &x0, &y0)
          && widget_to_plane (self, px, py, &x1, &y1))
        {
          self->scatter.view = lab_plot_scatter_visible_rect (&self->scatter);
          self->scatter.has_view = TRUE;
          lab_plot_rect_pan (&self->scatter.view, x0 - x1, y0 - y1);
          lab_chart_redraw (self->scatter_chart);
        }
      self->drag_x = px;
      self->drag_y = py;
      return;
    }
  x0 = self->points[2 * self->drag_from];
  y0 = self->points[2 * self->drag_from + 1];
  if (widget_to_plane (self, px, py, &x1, &y1))
    {
      int to = nearest_point (self, px, py);

      if (to >= 0)
        {
          x1 = self->points[2 * to];
          y1 = self->points[2 * to + 1];
        }
      lab_latent_view_interpolate (self, x0, y0, x1, y1);
    }
}

static void
on_scatter_scroll (LabLatentView *self, double px, double py, double dy)
{
  double x, y;

  if (self->snapshot == NULL || !widget_to_plane (self, px, py, &x, &y))
    return;
  self->scatter.view = lab_plot_scatter_visible_rect (&self->scatter);
  self->scatter.has_view = TRUE;
  lab_plot_rect_zoom (&self->scatter.view, x, y, dy > 0 ? 1.2 : 1 / 1.2);
  lab_chart_redraw (self->scatter_chart);
}

static void
on_reset_view (LabLatentView *self)
{
  self->scatter.has_view = FALSE;
  lab_chart_redraw (self->scatter_chart);
}

static void
on_projection_changed (LabLatentView *self)
{
  gboolean dims = gtk_drop_down_get_selected (self->projection_menu) == PROJECT_DIMENSIONS;

  gtk_widget_set_sensitive (GTK_WIDGET (self->dim_x), dims);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dim_y), dims);
  lab_latent_view_update_sigma_toggle (self);
  self->scatter.has_view = FALSE;
  self->scatter.n_path = 0;
  self->scatter.show_marker = FALSE;
  /* a plane of the old kind still being made is of no use now */
  self->request++;
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  g_object_unref (self->cancellable);
  lab_latent_view_request (self);
}

/* --- draw to encode ---------------------------------------------------------------------- */

#define LAB_PEN_RADIUS 1.4

/* Encodes the drawing with the plane's weights on a worker, which shows its reconstruction
 * and reconstruction error and marks where it falls in the plane (t-SNE: among its nearest
 * codes). */
static void
lab_latent_view_encode_drawing (LabLatentView *self)
{
  const LabSnapshot *s = self->projected;
  PlaneJob *job;

  if (s == NULL || lab_view_get_session (LAB_VIEW (self)) == NULL)
    return;
  job = plane_job_new (self, s->weights != NULL ? s->weights : lab_session_get_weights (lab_view_get_session (LAB_VIEW (self))),
                       NULL, 0);
  if (job == NULL)
    return;
  job->drawing = g_new (float, s->dim);
  for (int c = 0; c < MAX (s->channels, 1); c++)
    memcpy (job->drawing + (gsize) c * self->pixels, self->drawing, sizeof (float) * self->pixels);
  self->drawing_placed = FALSE;
  lab_background_slot_request (self->drawing_job, job);
}

static void
draw_at (LabLatentView *self, double px, double py)
{
  GtkWidget *widget = GTK_WIDGET (self->draw_chart);
  int row, index, w = self->draw_grid.image_width, h = self->draw_grid.image_height;
  double x, y;

  if (self->draw_grid.n_rows == 0
      || !lab_plot_image_grid_locate (gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                                      &self->draw_grid, lab_chart_get_style (self->draw_chart), px,
                                      py, &row, &index, &x, &y)
      || index != 0)
    return;
  /* a soft round pen, about as wide as an MNIST stroke */
  for (int iy = (int) floor (y - 2 * LAB_PEN_RADIUS); iy <= (int) ceil (y + 2 * LAB_PEN_RADIUS); iy++)
    for (int ix = (int) floor (x - 2 * LAB_PEN_RADIUS); ix <= (int) ceil (x + 2 * LAB_PEN_RADIUS); ix++)
      if (ix >= 0 && iy >= 0 && ix < w && iy < h)
        {
          double d = hypot (ix + 0.5 - x, iy + 0.5 - y);
          float ink = (float) CLAMP (1.5 - d / LAB_PEN_RADIUS, 0.0, 1.0);
          float *pixel = &self->drawing[(gsize) iy * w + ix];

          *pixel = MAX (*pixel, ink);
        }
  self->has_drawing = TRUE;
  lab_latent_view_encode_drawing (self);
}

static void
on_draw_clicked (LabLatentView *self, double px, double py)
{
  draw_at (self, px, py);
}

static void
on_draw_clear (LabLatentView *self)
{
  if (self->drawing == NULL)
    return;
  memset (self->drawing, 0, sizeof (float) * 2 * self->pixels);
  self->has_drawing = FALSE;
  self->scatter.show_marker = FALSE;
  gtk_label_set_label (self->draw_label, _("Drag on the left square to draw"));
  lab_chart_redraw (self->draw_chart);
  lab_chart_redraw (self->scatter_chart);
}

/* --- public ----------------------------------------------------------------------------- */

LabSnapshot *
lab_latent_view_get_snapshot (LabLatentView *self)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), NULL);
  return self->snapshot;
}

gboolean
lab_latent_view_code_at (LabLatentView *self, double x, double y, float *code)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), FALSE);

  return self->snapshot != NULL && self->plane != NULL
         && lab_projection_code_at (self->plane, self->projected->codes, x, y, code);
}

gboolean
lab_latent_view_decode_at (LabLatentView *self, double x, double y)
{
  const float point[2] = { (float) x, (float) y };
  PlaneJob *job;

  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), FALSE);

  if (self->snapshot == NULL || lab_view_get_session (LAB_VIEW (self)) == NULL
      || (job = plane_job_new (self, lab_session_get_weights (lab_view_get_session (LAB_VIEW (self))), point, 1)) == NULL)
    return FALSE;
  lab_background_slot_request (self->click_job, job);
  self->scatter.show_marker = TRUE;
  self->scatter.marker_x = x;
  self->scatter.marker_y = y;
  /* a clicked point is a code, not a distribution */
  self->scatter.marker_sigma_x = self->scatter.marker_sigma_y = 0;
  lab_chart_redraw (self->scatter_chart);
  return TRUE;
}

const float *
lab_latent_view_get_decoded (LabLatentView *self)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), NULL);
  return self->decoded_grid.n_rows > 0 ? self->decoded : NULL;
}

double
lab_latent_view_get_knn_accuracy (LabLatentView *self)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), NAN);
  return self->knn_accuracy;
}

gboolean
lab_latent_view_send_picked (LabLatentView *self, gboolean second)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), FALSE);

  if (self->picked < 0)
    return FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.use-sample", "(su)",
                              second ? "second" : "first", (guint32) self->picked);
  text = g_strdup_printf (second ? _("Sample %ld is the end of the Generate view's interpolation.")
                                 : _("Sample %ld is the start of the Generate view's interpolation."),
                          self->picked);
  gtk_label_set_label (self->use_label, text);
  return TRUE;
}

GtkWidget *
lab_latent_view_get_scatter (LabLatentView *self)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), NULL);
  return GTK_WIDGET (self->scatter_chart);
}

gboolean
lab_latent_view_set_drawing (LabLatentView *self, const float *grey)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), FALSE);
  g_return_val_if_fail (grey != NULL, FALSE);

  if (self->drawing == NULL || self->plane == NULL)
    return FALSE;
  memcpy (self->drawing, grey, sizeof (float) * self->pixels);
  self->has_drawing = TRUE;
  self->scatter.show_marker = FALSE;
  lab_latent_view_encode_drawing (self);
  return lab_background_slot_is_busy (self->drawing_job);
}

gboolean
lab_latent_view_get_drawing_point (LabLatentView *self, double *x, double *y)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), FALSE);

  if (!self->has_drawing || !self->drawing_placed)
    return FALSE;
  *x = self->drawing_point[0];
  *y = self->drawing_point[1];
  return TRUE;
}

gboolean
lab_latent_view_is_settled (LabLatentView *self)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), FALSE);
  return !self->busy && !self->stale && self->glide_tick == 0;
}

void
lab_latent_view_set_projection (LabLatentView *self, guint method)
{
  g_return_if_fail (LAB_IS_LATENT_VIEW (self));
  g_return_if_fail (method <= PROJECT_TSNE);
  gtk_drop_down_set_selected (self->projection_menu, method);
}

void
lab_latent_view_get_projection_choice (LabLatentView *self, long choice[3])
{
  g_return_if_fail (LAB_IS_LATENT_VIEW (self));
  choice[0] = gtk_drop_down_get_selected (self->projection_menu);
  choice[1] = gtk_spin_button_get_value_as_int (self->dim_x);
  choice[2] = gtk_spin_button_get_value_as_int (self->dim_y);
}

void
lab_latent_view_set_projection_choice (LabLatentView *self, const long choice[3])
{
  g_return_if_fail (LAB_IS_LATENT_VIEW (self));
  if (choice[0] < 0 || choice[0] > PROJECT_TSNE || choice[1] < 0 || choice[2] < 0)
    return;
  /* the axes first: the spin buttons' range follows the code size, so they may be cut */
  gtk_spin_button_set_range (self->dim_x, 0, MAX (MAX (self->latent - 1, choice[1]), 0));
  gtk_spin_button_set_range (self->dim_y, 0, MAX (MAX (self->latent - 1, choice[2]), 0));
  gtk_spin_button_set_value (self->dim_x, (double) choice[1]);
  gtk_spin_button_set_value (self->dim_y, (double) choice[2]);
  gtk_drop_down_set_selected (self->projection_menu, (guint) choice[0]);
}

double
lab_latent_view_get_trustworthiness (LabLatentView *self)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), NAN);
  return self->plane != NULL ? self->plane->trustworthiness : NAN;
}

GtkWidget *
lab_latent_view_get_sigma_toggle (LabLatentView *self)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), NULL);
  return GTK_WIDGET (self->sigma_toggle);
}

/* --- GObject ---------------------------------------------------------------------------- */

static void
lab_latent_view_dispose (GObject *object)
{
  LabLatentView *self = LAB_LATENT_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->glide_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->glide_tick);
  self->glide_tick = 0;
  g_clear_handle_id (&self->rest_source, g_source_remove);
  g_clear_pointer (&self->plane, lab_projection_unref);
  g_clear_pointer (&self->projected, lab_snapshot_unref);
  g_clear_pointer (&self->glide_from, g_free);
  g_clear_pointer (&self->click_job, lab_background_slot_free);
  g_clear_pointer (&self->path_job, lab_background_slot_free);
  g_clear_pointer (&self->drawing_job, lab_background_slot_free);
  g_clear_pointer (&self->snapshot, lab_snapshot_unref);
  g_clear_pointer (&self->points, g_free);
  g_clear_pointer (&self->baseline_points, g_free);
  g_clear_pointer (&self->hover_pixels, g_free);
  g_clear_pointer (&self->decoded, g_free);
  g_clear_pointer (&self->decoded_grey, g_free);
  g_clear_pointer (&self->strip_grey, g_free);
  g_clear_pointer (&self->drawing, g_free);
  g_clear_pointer (&self->hidden, g_free);

  G_OBJECT_CLASS (lab_latent_view_parent_class)->dispose (object);
}

/* The side panel's changing captions keep a fixed height of two lines (longer ones are
 * ellipsized), so that a hover or a click never moves the plane under the pointer. */
static void
reserve_two_lines (GtkLabel *label)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (label), "Xg\nXg");
  int height = 0;

  gtk_label_set_lines (label, 2);
  gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, NULL, &height);
  gtk_widget_set_size_request (GTK_WIDGET (label), -1, height);
  g_object_unref (layout);
}

/* the text size changes with presentation mode */
static void
lab_latent_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  LabLatentView *self = LAB_LATENT_VIEW (widget);

  GTK_WIDGET_CLASS (lab_latent_view_parent_class)->css_changed (widget, change);
  if (self->hover_label == NULL)
    return; /* still being built */
  reserve_two_lines (self->hover_label);
  reserve_two_lines (self->use_label);
  reserve_two_lines (self->draw_label);
}

/* A hidden view computes nothing: what came meanwhile is projected when it is shown. */
static void
lab_latent_view_on_shown (LabView *view)
{
  LabLatentView *self = LAB_LATENT_VIEW (view);

  LAB_VIEW_CLASS (lab_latent_view_parent_class)->refresh (view);
  if (self->stale)
    lab_latent_view_request (self);
}

static void
lab_latent_view_class_init (LabLatentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_latent_view_dispose;
  LAB_VIEW_CLASS (klass)->snapshot = lab_latent_view_on_snapshot;
  LAB_VIEW_CLASS (klass)->refresh = lab_latent_view_on_shown;
  widget_class->css_changed = lab_latent_view_css_changed;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lablatentview");
}

static LabChart *
new_chart (GtkWidget *box, LabPlotDrawFunc draw, gpointer data, int width, int height)
{
  GtkWidget *chart = lab_chart_new ();

  lab_chart_set_draw_func (LAB_CHART (chart), draw, data, NULL);
  gtk_widget_set_size_request (chart, width, height);
  gtk_box_append (GTK_BOX (box), chart);
  return LAB_CHART (chart);
}

static GtkWidget *
heading (GtkWidget *box, const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  return label;
}

static void
lab_latent_view_init (LabLatentView *self)
{
  static const char *const projections[] = { N_("PCA projection"), N_("Two dimensions"),
                                              N_("t-SNE (neighbours)"), NULL };
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  GtkWidget *main_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  /* the side panel's two groups: one below the other beside a normal window's sidebar, side
   * by side on a projector's whole width; close together, as each starts with a heading */
  GtkWidget *side_panels = lab_reflow_new (4);
  GtkWidget *side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *compare_group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *reset = gtk_button_new_with_label ("Reset zoom");
  GtkWidget *hint = gtk_label_new (_("Hover a point to see its input and its neighbours; click "
                                     "to decode (a click on a sample also picks it for the "
                                     "Generate view); drag from a point to another to "
                                     "interpolate, elsewhere to pan; scroll to zoom; click a "
                                     "class in the legend to hide or show it."));
  self->click_job = lab_background_slot_new (G_OBJECT (self), decode_points_work,
                                             (GDestroyNotify) plane_job_free, on_click_decoded,
                                             (GDestroyNotify) plane_result_free);
  self->path_job = lab_background_slot_new (G_OBJECT (self), decode_points_work,
                                            (GDestroyNotify) plane_job_free, on_path_decoded,
                                            (GDestroyNotify) plane_result_free);
  self->drawing_job = lab_background_slot_new (G_OBJECT (self), encode_drawing_work,
                                               (GDestroyNotify) plane_job_free, on_drawing_encoded,
                                               (GDestroyNotify) plane_result_free);

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  gtk_widget_set_parent (main_box, GTK_WIDGET (self));
  gtk_widget_set_parent (side_panels, GTK_WIDGET (self));
  gtk_widget_set_hexpand (main_box, TRUE);
  gtk_widget_set_size_request (side, 300, -1);
  gtk_widget_set_size_request (compare_group, 300, -1);
  lab_reflow_append (LAB_REFLOW (side_panels), side);
  lab_reflow_append (LAB_REFLOW (side_panels), compare_group);

  self->toolbar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->projection_menu = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (projections));
  self->dim_x = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 1, 1));
  self->dim_y = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 1, 1));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->projection_menu),
                               _("t-SNE (the default) places each code among its nearest codes, so "
                                 "classes show as islands; PCA keeps the two directions of largest "
                                 "spread; or show two chosen latent dimensions"));
  gtk_drop_down_set_selected (self->projection_menu, PROJECT_TSNE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->dim_x), "Latent dimension on the x axis");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->dim_y), "Latent dimension on the y axis");
  gtk_widget_set_sensitive (GTK_WIDGET (self->dim_x), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dim_y), FALSE);
  gtk_box_append (GTK_BOX (self->toolbar), GTK_WIDGET (self->projection_menu));
  gtk_box_append (GTK_BOX (self->toolbar), gtk_label_new ("x"));
  gtk_box_append (GTK_BOX (self->toolbar), GTK_WIDGET (self->dim_x));
  gtk_box_append (GTK_BOX (self->toolbar), gtk_label_new ("y"));
  gtk_box_append (GTK_BOX (self->toolbar), GTK_WIDGET (self->dim_y));
  gtk_widget_set_visible (self->toolbar, FALSE);

  {
    /* the projection's controls and the plot's, on two lines when the column is narrow */
    GtkWidget *bar = lab_reflow_new (12);
    GtkWidget *plot_buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

    lab_reflow_append (LAB_REFLOW (bar), self->toolbar);
    lab_reflow_append (LAB_REFLOW (bar), plot_buttons);
    self->sigma_toggle = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (_("σ ellipses (VAE)")));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->sigma_toggle),
                                 _("A variational encoder gives each code a mean and a spread: draw "
                                   "one standard deviation around each point (on a PCA or "
                                   "two-dimension plane; t-SNE has no axes to draw it on)"));
    gtk_widget_set_sensitive (GTK_WIDGET (self->sigma_toggle), FALSE);
    gtk_box_append (GTK_BOX (plot_buttons), GTK_WIDGET (self->sigma_toggle));
    gtk_box_append (GTK_BOX (plot_buttons), reset);
    gtk_box_append (GTK_BOX (main_box), bar);
    self->knn_label = GTK_LABEL (gtk_label_new (_("5-NN accuracy appears with the first codes")));
    gtk_label_set_xalign (self->knn_label, 0);
    gtk_label_set_wrap (self->knn_label, TRUE);
    gtk_box_append (GTK_BOX (main_box), GTK_WIDGET (self->knn_label));
  }

  self->scatter.highlight = -1;
  self->scatter.legend = LAB_PLOT_LEGEND_TOP_RIGHT;
  /* codes are real coordinates: one unit as long on both axes, so sigma ellipses and t-SNE's
   * distances keep their shape */
  self->scatter.equal_aspect = TRUE;
  self->scatter.empty_text = _(LAB_LATENT_NO_CODES);
  self->scatter_chart = new_chart (main_box, lab_plot_scatter_draw_func, &self->scatter, 480, 360);
  lab_chart_set_description (self->scatter_chart, _("The codes of the test samples, coloured by class"));
  gtk_widget_set_vexpand (GTK_WIDGET (self->scatter_chart), TRUE);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  /* as wide as the plot, not as the whole sentence: the side panel has the rest */
  gtk_label_set_max_width_chars (GTK_LABEL (hint), 50);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (main_box), hint);

  heading (side, _("Hovered input and its neighbours"));
  self->hover_label = GTK_LABEL (heading (side, "—"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->hover_label), "heading");
  gtk_label_set_wrap (self->hover_label, TRUE);
  self->hover_grid.highlight_row = self->hover_grid.highlight_index = -1;
  self->hover_grid.empty_text = _("Hover a point");
  self->hover_chart = new_chart (side, lab_plot_image_grid_draw_func, &self->hover_grid, 300, 40);
  lab_chart_set_description (self->hover_chart, _("The input of the sample under the pointer, "
                                                  "then those of its nearest codes"));
  GtkWidget *pair = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *side_column = side;

  /* drawing and decoding side by side: each is a small picture, and a projector's 720 lines
   * have no room for them one under the other */
  gtk_box_set_homogeneous (GTK_BOX (pair), TRUE);
  gtk_box_append (GTK_BOX (side), pair);
  side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (pair), side);
  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    GtkWidget *title = gtk_label_new (_("Draw to encode"));
    GtkWidget *clear = gtk_button_new_with_label (_("Clear"));

    gtk_widget_add_css_class (title, "heading");
    gtk_label_set_xalign (GTK_LABEL (title), 0);
    gtk_label_set_wrap (GTK_LABEL (title), TRUE);
    gtk_widget_set_hexpand (title, TRUE);
    gtk_widget_set_tooltip_text (clear, _("Wipe the drawing"));
    gtk_box_append (GTK_BOX (row), title);
    gtk_box_append (GTK_BOX (row), clear);
    gtk_box_append (GTK_BOX (side), row);
    g_signal_connect_swapped (clear, "clicked", G_CALLBACK (on_draw_clear), self);
  }
  self->draw_grid.highlight_row = self->draw_grid.highlight_index = -1;
  self->draw_grid.empty_text = _("Drawing needs image data");
  self->draw_chart = new_chart (side, lab_plot_image_grid_draw_func, &self->draw_grid, 140, 72);
  lab_chart_set_description (self->draw_chart,
                             _("A square to draw in, and the model's reconstruction of the drawing"));
  self->draw_label = GTK_LABEL (gtk_label_new (_("Drag on the left square to draw")));
  gtk_label_set_wrap (self->draw_label, TRUE);
  gtk_label_set_xalign (self->draw_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->draw_label), "dim-label");
  gtk_box_append (GTK_BOX (side), GTK_WIDGET (self->draw_label));
  g_signal_connect_swapped (self->draw_chart, "clicked", G_CALLBACK (on_draw_clicked), self);
  g_signal_connect_swapped (self->draw_chart, "drag-begin", G_CALLBACK (on_draw_clicked), self);
  g_signal_connect_swapped (self->draw_chart, "drag-update", G_CALLBACK (on_draw_clicked), self);
  side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (pair), side);
  gtk_label_set_wrap (GTK_LABEL (heading (side, _("Decoded at the clicked point"))), TRUE);
  self->decoded_grid.highlight_row = self->decoded_grid.highlight_index = -1;
  self->decoded_grid.empty_text = _("Click in the plane");
  self->decoded_chart = new_chart (side, lab_plot_image_grid_draw_func, &self->decoded_grid, 140, 72);
  side = side_column;
  lab_chart_set_description (self->decoded_chart, _("The image decoded at the clicked point of the plane"));
  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    for (int end = 0; end < 2; end++)
      {
        /* short, so that the two stay on one line in a projector's narrow side panel */
        self->use_buttons[end] = gtk_button_new_with_label (end == 0 ? _("Use as Start")
                                                                    : _("Use as End"));
        gtk_widget_set_tooltip_text (self->use_buttons[end],
                                     end == 0 ? _("Make the clicked sample the start of the "
                                                  "interpolation in the Generate view")
                                              : _("Make the clicked sample the end of the "
                                                  "interpolation in the Generate view"));
        gtk_widget_set_sensitive (self->use_buttons[end], FALSE);
        gtk_widget_set_hexpand (self->use_buttons[end], TRUE);
        /* two lines rather than a side panel wider than a projector leaves it */
        gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (self->use_buttons[end]))), TRUE);
        gtk_label_set_justify (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (self->use_buttons[end]))),
                               GTK_JUSTIFY_CENTER);
        g_signal_connect (self->use_buttons[end], "clicked", G_CALLBACK (on_use_clicked), self);
        gtk_box_append (GTK_BOX (row), self->use_buttons[end]);
      }
    gtk_box_append (GTK_BOX (side), row);
    self->use_label = GTK_LABEL (gtk_label_new (_("Click a sample's point to use it in the "
                                                  "Generate view's interpolation")));
    gtk_label_set_wrap (self->use_label, TRUE);
    gtk_label_set_xalign (self->use_label, 0);
    gtk_widget_add_css_class (GTK_WIDGET (self->use_label), "dim-label");
    gtk_box_append (GTK_BOX (side), GTK_WIDGET (self->use_label));
  }
  side = compare_group;
  heading (side, _("Interpolation (10 steps)"));
  self->strip_grid.highlight_row = self->strip_grid.highlight_index = -1;
  self->strip_grid.empty_text = _("Drag from one point to another");
  self->strip_chart = new_chart (side, lab_plot_image_grid_draw_func, &self->strip_grid, 300, 40);
  lab_chart_set_description (self->strip_chart, _("Ten images decoded along the dragged path"));
  heading (side, _("Baseline: PCA of the raw inputs"));
  self->baseline.highlight = -1;
  self->baseline.legend = LAB_PLOT_LEGEND_NONE;
  self->baseline.x_label = _("principal component 1");
  self->baseline.y_label = _("principal component 2");
  self->baseline.empty_text = _("Computed with the first codes");
  self->baseline_chart = new_chart (side, lab_plot_scatter_draw_func, &self->baseline, 300, 110);
  lab_chart_set_description (self->baseline_chart,
                             _("The same samples placed by the PCA of their raw inputs, coloured by class"));
  gtk_widget_set_vexpand (GTK_WIDGET (self->baseline_chart), TRUE);

  self->knn_accuracy = NAN;
  self->cancellable = g_cancellable_new ();
  self->drag_from = -1;
  self->picked = -1;

  g_signal_connect_swapped (self->projection_menu, "notify::selected", G_CALLBACK (on_projection_changed), self);
  g_signal_connect_swapped (self->dim_x, "value-changed", G_CALLBACK (on_projection_changed), self);
  g_signal_connect_swapped (self->dim_y, "value-changed", G_CALLBACK (on_projection_changed), self);
  g_signal_connect_swapped (self->sigma_toggle, "toggled", G_CALLBACK (lab_latent_view_refresh), self);
  g_signal_connect_swapped (reset, "clicked", G_CALLBACK (on_reset_view), self);
  g_signal_connect_swapped (self->scatter_chart, "motion", G_CALLBACK (on_scatter_motion), self);
  g_signal_connect_swapped (self->scatter_chart, "leave", G_CALLBACK (on_scatter_leave), self);
  g_signal_connect_swapped (self->scatter_chart, "clicked", G_CALLBACK (on_scatter_clicked), self);
  g_signal_connect_swapped (self->scatter_chart, "drag-begin", G_CALLBACK (on_scatter_drag_begin), self);
  g_signal_connect_swapped (self->scatter_chart, "drag-update", G_CALLBACK (on_scatter_drag_update), self);
  g_signal_connect_swapped (self->scatter_chart, "scroll", G_CALLBACK (on_scatter_scroll), self);
}
