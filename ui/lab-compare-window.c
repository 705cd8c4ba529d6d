/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-compare-window.c: two runs side by side (see lab-compare-window.h).
 *
 * Both sessions keep training on their own threads; each "snapshot" of either redraws the
 * shared loss plot and the reconstruction rows from the two newest snapshots. B's
 * reconstructions are made on a worker from A's preview input with B's weights, so both
 * rows show the very same samples whatever B's dataset split.
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-background.h"
#include "lab-chart.h"
#include "lab-compare-window.h"
#include "lab-confirm.h"
#include "lab-plot.h"
#include "lab-session-file.h"

#define PREVIEW_COLUMNS 8

struct _LabCompareWindow {
  GtkWindow parent_instance;

  LabSession *a, *b;
  GtkWidget *run_button;
  GtkLabel *caption[2];
  LabChart *loss_chart;
  LabChart *image_chart;
  LabBackgroundSlot *images_job;  /* B's reconstructions */
};

G_DEFINE_FINAL_TYPE (LabCompareWindow, lab_compare_window, GTK_TYPE_WINDOW)

/* What the loss chart draws: four curves out of two snapshots it keeps alive. */
typedef struct {
  LabLossData data;
  LabSeries series[4];
  char names[4][64];
  char title[96];
  LabSnapshot *snapshots[2];
} LossPlot;

static void
loss_plot_free (gpointer data)
{
  LossPlot *plot = data;

  for (guint i = 0; i < 2; i++)
    g_clear_pointer (&plot->snapshots[i], lab_snapshot_unref);
  g_free (plot);
}

typedef struct {
  LabImageGridData data;
  LabImageRow rows[3];
  float *input, *output_a, *output_b;
} ImagePlot;

static void
image_plot_free (gpointer data)
{
  ImagePlot *plot = data;

  g_free (plot->input);
  g_free (plot->output_a);
  g_free (plot->output_b);
  g_free (plot);
}

typedef struct {
  LabWeights *weights;            /* B's */
  ImagePlot *plot;                /* input and A's output filled */
  int n, dim;
} ImagesJob;

static void
images_job_free (ImagesJob *job)
{
  lab_weights_unref (job->weights);
  if (job->plot != NULL)
    image_plot_free (job->plot);
  g_free (job);
}

static gpointer
reconstruct_work (gpointer input, GCancellable *cancellable)
{
  ImagesJob *job = input;
  ImagePlot *plot = g_steal_pointer (&job->plot);

  (void) cancellable;
  plot->output_b = g_new (float, (gsize) job->n * job->dim);
  lab_weights_reconstruct (job->weights, plot->output_b, plot->input, job->n);
  return plot;
}

/* The reconstruction rows (or, for NULL, the words of why there are none). */
static void
show_images (LabCompareWindow *self, ImagePlot *images)
{
  if (images == NULL)
    images = g_new0 (ImagePlot, 1);
  else
    {
      images->rows[2].pixels = images->output_b;
      images->data.rows = images->rows;
      images->data.n_rows = 3;
    }
  images->data.title = _("Reconstructions of the same samples");
  images->data.highlight_row = images->data.highlight_index = -1;
  images->data.empty_text = _("Pictures appear once both runs have weights (images only)");
  lab_chart_set_draw_func (self->image_chart, lab_plot_image_grid_draw_func, images,
                           image_plot_free);
  lab_chart_set_description (self->image_chart,
                             images->data.n_rows > 0
                             ? _("Input samples, and their reconstructions by run A and by run B")
                             : images->data.empty_text);
}

static void
on_reconstructed (GObject *owner, gpointer input, gpointer output)
{
  if (output != NULL)
    show_images (LAB_COMPARE_WINDOW (owner), output);
}

/* The term both runs are compared on: the total when both have one, else reconstruction. */
static LabLossTerm
shared_term (const LabSnapshot *a, const LabSnapshot *b)
{
  guint both = a->terms & b->terms;

  return (both & (1u << LAB_LOSS_TOTAL)) != 0 ? LAB_LOSS_TOTAL : LAB_LOSS_RECONSTRUCTION;
}

static char *
describe_run (LabSession *session, const char *which)
{
  LabSnapshot *snapshot = lab_session_get_snapshot (session);
  g_autofree char *seed = lab_session_dup_option (session, "seed");
  g_autofree char *lr = lab_session_dup_option (session, "lr");
  g_autofree char *architecture = lab_session_dup_architecture (session);
  double loss = snapshot != NULL ? lab_snapshot_last_value (snapshot, LAB_LOSS_RECONSTRUCTION, TRUE)
                                 : NAN;
  g_autofree char *loss_text = isnan (loss) ? g_strdup ("–") : g_strdup_printf ("%.4g", loss);
  /* the epoch in progress, as the header bar counts it; once all are done, the last one */
  int epoch_shown = snapshot == NULL ? 1
                    : snapshot->epoch < snapshot->epochs ? snapshot->epoch + 1 : snapshot->epoch;

  /* TRANSLATORS: "Run A: vae · 784 → 400 → 20 · seed 1 · learning rate 0.001 · epoch 3 · validation reconstruction 81.2" */
  return g_strdup_printf (_("%s: %s · %s · seed %s · learning rate %s · epoch %d · validation reconstruction %s"),
                          which, lab_session_get_preset (session), architecture, seed, lr,
                          epoch_shown, loss_text);
}

static void
lab_compare_window_update (LabCompareWindow *self)
{
  LabSnapshot *a = lab_session_get_snapshot (self->a);
  LabSnapshot *b = lab_session_get_snapshot (self->b);
  const char *which[2] = { _("Run A"), _("Run B") };
  LossPlot *loss;
  ImagePlot *images;
  LabLossTerm term;
  char summary[512];

  if (a == NULL || b == NULL)
    return;

  for (guint r = 0; r < 2; r++)
    {
      g_autofree char *text = describe_run (r == 0 ? self->a : self->b, which[r]);

      gtk_label_set_text (self->caption[r], text);
    }

  term = shared_term (a, b);
  loss = g_new0 (LossPlot, 1);
  loss->snapshots[0] = lab_snapshot_ref (a);
  loss->snapshots[1] = lab_snapshot_ref (b);
  for (guint r = 0; r < 2; r++)
    for (guint val = 0; val < 2; val++)
      {
        LabSeries *series = &loss->series[2 * r + val];
        const LabCurve *curve = val ? &loss->snapshots[r]->val[term]
                                    : &loss->snapshots[r]->train[term];

        g_snprintf (loss->names[2 * r + val], sizeof loss->names[0], "%s %s", which[r],
                    val ? _("validation") : _("train"));
        series->name = loss->names[2 * r + val];
        series->x = curve->x;
        series->y = curve->y;
        series->n = (int) curve->n;
        /* palette 0 and 3: blue and vermilion, apart for every kind of colour vision */
        series->color_index = r == 0 ? 0 : 3;
        series->dashed = val != 0;
        series->markers = val != 0 && curve->n < 30;
      }
  loss->data.series = loss->series;
  loss->data.n_series = 4;
  /* TRANSLATORS: the loss term both runs are plotted with, e.g. "total" */
  g_snprintf (loss->title, sizeof loss->title, _("Loss of both runs (%s)"), lab_loss_term_name (term));
  loss->data.title = loss->title;
  loss->data.x_label = _("epoch");
  loss->data.y_label = _("loss per example");
  loss->data.log_y = TRUE;
  loss->data.legend = LAB_PLOT_LEGEND_BEST;
  loss->data.empty_text = _("Press Run Both to train the two runs");
  lab_plot_loss_summary (&loss->data, summary, sizeof summary);
  lab_chart_set_draw_func (self->loss_chart, lab_plot_loss_draw_func, loss, loss_plot_free);
  lab_chart_set_description (self->loss_chart, summary);

  if (a->is_image && a->preview_input != NULL && a->preview_output != NULL && b->weights != NULL
      && lab_weights_get_input_dim (b->weights) == a->dim && a->channels == 1)
    {
      int n = MIN (a->n_preview, PREVIEW_COLUMNS);
      gsize size = (gsize) n * a->dim;
      ImagesJob *job = g_new0 (ImagesJob, 1);

      images = job->plot = g_new0 (ImagePlot, 1);
      images->input = g_memdup2 (a->preview_input, size * sizeof (float));
      images->output_a = g_memdup2 (a->preview_output, size * sizeof (float));
      images->rows[0] = (LabImageRow) { _("input"), images->input, n, LAB_IMAGE_GREY, 0, NULL };
      images->rows[1] = (LabImageRow) { which[0], images->output_a, n, LAB_IMAGE_GREY, 0, NULL };
      images->rows[2] = (LabImageRow) { which[1], NULL, n, LAB_IMAGE_GREY, 0, NULL };
      images->data.image_width = a->width;
      images->data.image_height = a->height;
      job->weights = lab_weights_ref (b->weights);
      job->n = n;
      job->dim = a->dim;
      lab_background_slot_request (self->images_job, job);
    }
  else
    {
      lab_background_slot_cancel (self->images_job);
      show_images (self, NULL);
    }

  gtk_button_set_label (GTK_BUTTON (self->run_button),
                        lab_session_get_running (self->a) || lab_session_get_running (self->b)
                        ? _("_Pause Both") : _("_Run Both"));
}

static void
on_snapshot (LabSession *session, LabSnapshot *snapshot, LabCompareWindow *self)
{
  lab_compare_window_update (self);
}

static void
on_run_clicked (GtkButton *button, LabCompareWindow *self)
{
  if (lab_session_get_running (self->a) || lab_session_get_running (self->b))
    {
      lab_session_pause (self->a);
      lab_session_pause (self->b);
    }
  else
    {
      lab_session_run (self->a);
      lab_session_run (self->b);
    }
  lab_compare_window_update (self);
}

static void
on_step_clicked (GtkButton *button, LabCompareWindow *self)
{
  lab_session_step_epoch (self->a);
  lab_session_step_epoch (self->b);
}

static void
reset_confirmed (gpointer owner, gpointer data, gboolean accepted)
{
  LabCompareWindow *self = owner;

  if (accepted && self->a != NULL && self->b != NULL)
    {
      lab_session_reset (self->a);
      lab_session_reset (self->b);
    }
}

/* A is the main window's trained run: asked like any new model. */
static void
on_reset_clicked (GtkButton *button, LabCompareWindow *self)
{
  lab_confirm_new_model (GTK_WIDGET (self), self->a,
                         _("Reset starts both networks again from random weights."),
                         reset_confirmed, NULL, NULL);
}

static void
lab_compare_window_dispose (GObject *object)
{
  LabCompareWindow *self = LAB_COMPARE_WINDOW (object);

  /* B trains for this window only: it stops (its thread joined) with it */
  if (self->b != NULL)
    g_signal_handlers_disconnect_by_data (self->b, self);
  if (self->a != NULL)
    g_signal_handlers_disconnect_by_data (self->a, self);
  g_clear_pointer (&self->images_job, lab_background_slot_free);
  if (self->b != NULL)
    lab_session_close (self->b);
  g_clear_object (&self->b);
  g_clear_object (&self->a);
  G_OBJECT_CLASS (lab_compare_window_parent_class)->dispose (object);
}

static void
lab_compare_window_class_init (LabCompareWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lab_compare_window_dispose;
}

static GtkWidget *
button_new (const char *label, const char *tooltip)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static void
lab_compare_window_init (LabCompareWindow *self)
{
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *step, *reset;

  self->images_job = lab_background_slot_new (G_OBJECT (self), reconstruct_work,
                                              (GDestroyNotify) images_job_free, on_reconstructed,
                                              image_plot_free);
  gtk_window_set_title (GTK_WINDOW (self), _("Compare Runs"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1100, 780);

  self->run_button = button_new (_("_Run Both"), _("Train both runs, or pause them"));
  gtk_widget_add_css_class (self->run_button, "suggested-action");
  step = button_new (_("Step _Epoch"), _("Train both runs for one more epoch"));
  reset = button_new (_("Re_set Both"), _("Start both runs again from their seeds"));
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->run_button);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), step);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), reset);
  gtk_window_set_titlebar (GTK_WINDOW (self), header);
  g_signal_connect (self->run_button, "clicked", G_CALLBACK (on_run_clicked), self);
  g_signal_connect (step, "clicked", G_CALLBACK (on_step_clicked), self);
  g_signal_connect (reset, "clicked", G_CALLBACK (on_reset_clicked), self);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  for (guint r = 0; r < 2; r++)
    {
      self->caption[r] = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (self->caption[r], 0);
      gtk_label_set_wrap (self->caption[r], TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->caption[r]), r == 0 ? "heading" : "heading");
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->caption[r]));
    }
  self->loss_chart = LAB_CHART (lab_chart_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->loss_chart), TRUE);
  gtk_widget_set_size_request (GTK_WIDGET (self->loss_chart), 600, 300);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->loss_chart));
  self->image_chart = LAB_CHART (lab_chart_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->image_chart), 600, 300);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->image_chart));
  gtk_window_set_child (GTK_WINDOW (self), box);
}

static GtkWidget *
lab_compare_window_new (GtkWindow *parent, LabSession *a, LabSession *b)
{
  LabCompareWindow *self = g_object_new (LAB_TYPE_COMPARE_WINDOW, NULL);

  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
  self->a = g_object_ref (a);
  self->b = b;
  g_signal_connect (a, "snapshot", G_CALLBACK (on_snapshot), self);
  g_signal_connect (b, "snapshot", G_CALLBACK (on_snapshot), self);
  /* a run under way is joined by the second one, so that both move together */
  if (lab_session_get_running (a))
    lab_session_run (b);
  lab_compare_window_update (self);
  return GTK_WIDGET (self);
}

/* Options as the sidebar names them; each is copied when it differs. */
static const char *const copied_options[] = {
  "hidden", "latent", "activation", "optimizer", "batch", "lr", "epochs", "l1", "rho", "beta",
  "contractive", "noise", "kl-beta", "warmup",
};

GtkWidget *
lab_compare_window_new_with_seed (GtkWindow *parent, LabSession *a, GError **error)
{
  LabSession *b;
  g_autofree char *seed = NULL;
  char next[32];

  g_return_val_if_fail (LAB_IS_SESSION (a), NULL);

  if (lab_session_get_dataset_spec (a) == NULL)
    {
      g_set_error (error, LAB_SESSION_ERROR, 0, "%s", _("There is no run to copy yet"));
      return NULL;
    }
  b = lab_session_new ();
  if (!lab_session_load (b, lab_session_get_dataset_spec (a), lab_session_get_preset (a), error))
    {
      g_object_unref (b);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (copied_options); i++)
    {
      g_autofree char *want = lab_session_dup_option (a, copied_options[i]);
      g_autofree char *have = lab_session_dup_option (b, copied_options[i]);

      if (want != NULL && g_strcmp0 (want, have) != 0
          && !lab_session_set_option (b, copied_options[i], want, error))
        {
          g_object_unref (b);
          return NULL;
        }
    }
  seed = lab_session_dup_option (a, "seed");
  g_snprintf (next, sizeof next, "%" G_GUINT64_FORMAT,
              g_ascii_strtoull (seed != NULL ? seed : "0", NULL, 10) + 1);
  if (!lab_session_set_option (b, "seed", next, error))
    {
      g_object_unref (b);
      return NULL;
    }
  return lab_compare_window_new (parent, a, b);
}

GtkWidget *
lab_compare_window_new_with_file (GtkWindow *parent, LabSession *a, const char *path,
                                  GError **error)
{
  LabSession *b = lab_session_new ();

  g_return_val_if_fail (LAB_IS_SESSION (a), NULL);

  if (!lab_session_open_file (b, path, error))
    {
      g_object_unref (b);
      return NULL;
    }
  return lab_compare_window_new (parent, a, b);
}

LabSession *
lab_compare_window_get_second (LabCompareWindow *self)
{
  g_return_val_if_fail (LAB_IS_COMPARE_WINDOW (self), NULL);
  return self->b;
}
