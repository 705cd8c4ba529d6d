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
#include "lab-draw-pad.h"
#include "lab-plot.h"
#include "lab-plane-job.h"
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

  /* template widgets */
  GtkWidget *toolbar;
  GtkDropDown *projection_menu;
  GtkSpinButton *dim_x, *dim_y;
  GtkToggleButton *sigma_toggle;
  GtkLabel *knn_label, *hover_label, *use_label;
  GtkWidget *use_start_button, *use_end_button;
  LabChart *scatter_chart, *baseline_chart, *hover_chart, *decoded_chart, *strip_chart;
  LabDrawPad *draw_pad;    /* draw to encode: the drawing, then its reconstruction */

  GtkWidget *use_buttons[2];

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

  gboolean drawing_placed;
  float drawing_point[2];   /* where the drawing fell in the plane */

  bool *hidden;           /* (n_hidden) classes hidden by a click on their legend entry */
  int n_hidden;

  long picked;            /* dataset index of the clicked sample, -1 for none */
  int drag_from;          /* index of the point a drag started on, -1 for a pan */
  double drag_x, drag_y;  /* last widget position while panning */
};

G_DEFINE_FINAL_TYPE (LabLatentView, lab_latent_view, LAB_TYPE_VIEW)

/* --- what a click, a drag and a drawing compute, on a worker (lab-plane-job.h) ----------- */

/* A job on the plane shown, with weights for its codes; NULL when there are none that fit. */
static LabPlaneJob *
plane_job_new (LabLatentView *self, LabWeights *weights, const float *points, int n)
{
  if (self->plane == NULL || weights == NULL
      || lab_weights_get_latent_dim (weights) != self->plane->latent
      || lab_weights_get_input_dim (weights) != self->projected->dim)
    return NULL;
  return lab_plane_job_new (weights, self->plane, self->projected, points, n);
}

/* Whether a result still fits what the view shows (a new model or dataset may have come). */
static gboolean
plane_result_fits (LabLatentView *self, const LabPlaneJob *job, const LabPlaneResult *r)
{
  return r != NULL && self->snapshot != NULL && self->projected != NULL
         && job->projected->generation == self->projected->generation
         && job->projected->dim == self->dim;
}

static void
on_click_decoded (GObject *owner, gpointer input, gpointer output)
{
  LabLatentView *self = LAB_LATENT_VIEW (owner);
  LabPlaneResult *r = output;

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
  g_clear_pointer (&r, lab_plane_result_free);
}

static void
on_path_decoded (GObject *owner, gpointer input, gpointer output)
{
  LabLatentView *self = LAB_LATENT_VIEW (owner);
  LabPlaneResult *r = output;

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
  g_clear_pointer (&r, lab_plane_result_free);
}

static void
on_drawing_encoded (GObject *owner, gpointer input, gpointer output)
{
  LabLatentView *self = LAB_LATENT_VIEW (owner);
  LabPlaneResult *r = output;
  g_autofree char *text = NULL;

  if (!plane_result_fits (self, input, r) || !lab_draw_pad_has_drawing (self->draw_pad))
    {
      g_clear_pointer (&r, lab_plane_result_free);
      return;
    }
  lab_draw_pad_show_reconstruction (self->draw_pad, r->images, MAX (self->snapshot->channels, 1));
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
  lab_draw_pad_set_caption (self->draw_pad, text);
  lab_plane_result_free (r);
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
  if (lab_draw_pad_has_drawing (self->draw_pad))
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
  LabSession *baseline_from = NULL;
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
  /* the raw-PCA baseline once per model, from the session's dataset, borrowed on the worker */
  if (!(self->baseline_ready && self->baseline_generation == s->generation) && s->code_indices != NULL)
    baseline_from = lab_view_get_session (LAB_VIEW (self));
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
                            gtk_spin_button_get_value_as_int (self->dim_y), previous, baseline_from,
                            self->cancellable, on_projection_done, req);
}

static void
lab_latent_view_refresh (LabLatentView *self)
{
  if (self->plane != NULL)
    lab_latent_view_show_projection (self, FALSE);
}

static void lab_latent_view_pick (LabLatentView *self, int index);

/* Stops the plane being made, and drops what it would deliver. */
static void
lab_latent_view_drop_plane_in_progress (LabLatentView *self)
{
  self->request++;
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  g_object_unref (self->cancellable);
}

/* A new model (or dataset) makes everything shown of the old one stale: its plane, the
 * hovered and clicked samples, what was decoded and the hidden classes. */
static void
lab_latent_view_forget_model (LabLatentView *self)
{
  /* a plane of the old model still being made is of no use now */
  lab_latent_view_drop_plane_in_progress (self);
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
      /* colour data are drawn in colour */
      lab_draw_pad_set_shape (self->draw_pad, snapshot->channels, snapshot->is_image ? snapshot->width : 0,
                              snapshot->height);
      self->decoded_grid.n_rows = self->strip_grid.n_rows = self->hover_grid.n_rows = 0;
    }
  self->hover_grid.image_width = self->decoded_grid.image_width = self->strip_grid.image_width
    = snapshot->width;
  self->hover_grid.image_height = self->decoded_grid.image_height = self->strip_grid.image_height
    = snapshot->height;
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
  const char *name;
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
  name = lab_snapshot_class_name (s, label);
  if (shown > 1)
    text = g_strdup_printf (_("Sample %u: %s, then its %d nearest codes (%d of its class)"),
                            s->code_indices[index], name != NULL ? name : _("unlabelled"),
                            shown - 1, alike);
  else
    text = g_strdup_printf ("Sample %u: %s", s->code_indices[index], name != NULL ? name : "unlabelled");
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
      if (lab_snapshot_class_name (s, label) != NULL)
        text = g_strdup_printf (_("Clicked sample %ld (%s): use it in the Generate view"),
                                self->picked, lab_snapshot_class_name (s, label));
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
  LabPlaneJob *job;

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
  lab_latent_view_drop_plane_in_progress (self);
  lab_latent_view_request (self);
}

/* --- draw to encode ---------------------------------------------------------------------- */

/* Encodes the drawing with the plane's weights on a worker, which shows its reconstruction
 * and reconstruction error and marks where it falls in the plane (t-SNE: among its nearest
 * codes). */
static void
lab_latent_view_encode_drawing (LabLatentView *self)
{
  const LabSnapshot *s = self->projected;
  LabPlaneJob *job;

  if (s == NULL || lab_view_get_session (LAB_VIEW (self)) == NULL)
    return;
  job = plane_job_new (self, s->weights != NULL ? s->weights : lab_session_get_weights (lab_view_get_session (LAB_VIEW (self))),
                       NULL, 0);
  if (job == NULL)
    return;
  job->drawing = g_new (float, s->dim);
  lab_draw_pad_copy_sample (self->draw_pad, job->drawing, MAX (s->channels, 1));
  self->drawing_placed = FALSE;
  lab_background_slot_request (self->drawing_job, job);
}

static void
on_draw_cleared (LabLatentView *self)
{
  self->scatter.show_marker = FALSE;
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
  LabPlaneJob *job;

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

  if (self->snapshot == NULL || !self->snapshot->is_image || self->plane == NULL)
    return FALSE;
  lab_draw_pad_set_drawing (self->draw_pad, grey);
  self->scatter.show_marker = FALSE;
  lab_latent_view_encode_drawing (self);
  return lab_background_slot_is_busy (self->drawing_job);
}

gboolean
lab_latent_view_get_drawing_point (LabLatentView *self, double *x, double *y)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), FALSE);

  if (!lab_draw_pad_has_drawing (self->draw_pad) || !self->drawing_placed)
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

LabDrawPad *
lab_latent_view_get_draw_pad (LabLatentView *self)
{
  g_return_val_if_fail (LAB_IS_LATENT_VIEW (self), NULL);
  return self->draw_pad;
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

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_LATENT_VIEW);
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
  reserve_two_lines (lab_draw_pad_get_caption_label (self->draw_pad));
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

  g_type_ensure (LAB_TYPE_DRAW_PAD);
  lab_view_class_set_template (LAB_VIEW_CLASS (klass), GTK_TYPE_BOX_LAYOUT, "lablatentview",
                               "lab-latent-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, toolbar);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, projection_menu);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, dim_x);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, dim_y);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, sigma_toggle);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, knn_label);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, hover_label);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, use_label);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, use_start_button);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, use_end_button);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, scatter_chart);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, baseline_chart);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, hover_chart);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, decoded_chart);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, strip_chart);
  gtk_widget_class_bind_template_child (widget_class, LabLatentView, draw_pad);
  gtk_widget_class_bind_template_callback (widget_class, on_projection_changed);
  gtk_widget_class_bind_template_callback (widget_class, lab_latent_view_refresh);
  gtk_widget_class_bind_template_callback (widget_class, on_reset_view);
  gtk_widget_class_bind_template_callback (widget_class, on_scatter_motion);
  gtk_widget_class_bind_template_callback (widget_class, on_scatter_leave);
  gtk_widget_class_bind_template_callback (widget_class, on_scatter_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_scatter_drag_begin);
  gtk_widget_class_bind_template_callback (widget_class, on_scatter_drag_update);
  gtk_widget_class_bind_template_callback (widget_class, on_scatter_scroll);
  gtk_widget_class_bind_template_callback (widget_class, lab_latent_view_encode_drawing);
  gtk_widget_class_bind_template_callback (widget_class, on_draw_cleared);
  gtk_widget_class_bind_template_callback (widget_class, on_use_clicked);
}

/* An image grid in a chart of the side panel, drawing from data in the view. */
static void
image_chart_setup (LabChart *chart, LabImageGridData *grid, const char *empty_text)
{
  grid->highlight_row = grid->highlight_index = -1;
  grid->empty_text = empty_text;
  lab_chart_set_draw_func (chart, lab_plot_image_grid_draw_func, grid, NULL);
}

static void
lab_latent_view_init (LabLatentView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  self->use_buttons[0] = self->use_start_button;
  self->use_buttons[1] = self->use_end_button;
  for (int end = 0; end < 2; end++)
    {
      GtkLabel *label = GTK_LABEL (gtk_button_get_child (GTK_BUTTON (self->use_buttons[end])));

      /* two lines rather than a side panel wider than a projector leaves it */
      gtk_label_set_wrap (label, TRUE);
      gtk_label_set_justify (label, GTK_JUSTIFY_CENTER);
    }

  self->scatter.highlight = -1;
  self->scatter.legend = LAB_PLOT_LEGEND_TOP_RIGHT;
  /* codes are real coordinates: one unit as long on both axes, so sigma ellipses and t-SNE's
   * distances keep their shape */
  self->scatter.equal_aspect = TRUE;
  self->scatter.empty_text = _(LAB_LATENT_NO_CODES);
  lab_chart_set_draw_func (self->scatter_chart, lab_plot_scatter_draw_func, &self->scatter, NULL);
  image_chart_setup (self->hover_chart, &self->hover_grid, _("Hover a point"));
  image_chart_setup (self->decoded_chart, &self->decoded_grid, _("Click in the plane"));
  image_chart_setup (self->strip_chart, &self->strip_grid, _("Drag from one point to another"));
  self->baseline.highlight = -1;
  self->baseline.legend = LAB_PLOT_LEGEND_NONE;
  /* short: the heading above says PCA, and on a projector the chart is ~70 pixels tall */
  self->baseline.x_label = _("component 1");
  self->baseline.y_label = _("component 2");
  self->baseline.empty_text = _("Computed with the first codes");
  lab_chart_set_draw_func (self->baseline_chart, lab_plot_scatter_draw_func, &self->baseline, NULL);

  self->click_job = lab_background_slot_new (G_OBJECT (self), lab_plane_job_decode_points,
                                             (GDestroyNotify) lab_plane_job_free, on_click_decoded,
                                             (GDestroyNotify) lab_plane_result_free);
  self->path_job = lab_background_slot_new (G_OBJECT (self), lab_plane_job_decode_points,
                                            (GDestroyNotify) lab_plane_job_free, on_path_decoded,
                                            (GDestroyNotify) lab_plane_result_free);
  self->drawing_job = lab_background_slot_new (G_OBJECT (self), lab_plane_job_encode_drawing,
                                               (GDestroyNotify) lab_plane_job_free, on_drawing_encoded,
                                               (GDestroyNotify) lab_plane_result_free);
  self->knn_accuracy = NAN;
  self->cancellable = g_cancellable_new ();
  self->drag_from = -1;
  self->picked = -1;
}
