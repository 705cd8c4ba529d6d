/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-window.c: the window's construction and what it shows of the session. */
#include <math.h>
#include <time.h>

#include <glib/gi18n.h>

#include "lab-window-private.h"
#include "lab-latent-view.h"
#include "lab-generate-view.h"
#include "lab-denoise-view.h"
#include "lab-anomaly-view.h"
#include "lab-inside-view.h"
#include "lab-pca-view.h"
#include "lab-sequence-view.h"

G_DEFINE_FINAL_TYPE (LabWindow, lab_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_PRESENTATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lab_window_inhibit_idle (LabWindow *self, gboolean inhibit);

/* The views, in the order of their tabs: a view is its row here and its own files. */
static const struct {
  const char *name;          /* for win.view, --view and session files */
  const char *title;         /* its tab */
  GType (*get_type) (void);  /* a LabView */
} lab_views[] = {
  { "training", N_("Training"), lab_training_view_get_type },
  { "latent", N_("Latent space"), lab_latent_view_get_type },
  { "generate", N_("Generate"), lab_generate_view_get_type },
  { "denoise", N_("Denoise"), lab_denoise_view_get_type },
  { "anomaly", N_("Anomaly"), lab_anomaly_view_get_type },
  { "inside", N_("Inside"), lab_inside_view_get_type },
  { "pca", N_("vs PCA"), lab_pca_view_get_type },
  { "sequence", N_("Sequences"), lab_sequence_view_get_type },
};

const char *const *
lab_window_get_view_names (void)
{
  static const char *names[G_N_ELEMENTS (lab_views) + 1];

  if (names[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (lab_views); i++)
      names[i] = lab_views[i].name;
  return names;
}

/* "0:14", "12:03", "1:02:03" */
static char *
format_elapsed (double seconds)
{
  long s = (long) MAX (seconds, 0);

  if (s >= 3600)
    return g_strdup_printf ("%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return g_strdup_printf ("%ld:%02ld", s / 60, s % 60);
}

/* 31234.5 -> "31,200": three significant digits are all that can be read while it moves. */
static char *
format_speed (double samples_per_s)
{
  double rounded;
  long value;
  GString *s = g_string_new (NULL);
  char digits[32];
  int len;

  if (!(samples_per_s > 0))
    return g_string_free (s, FALSE);
  rounded = samples_per_s >= 1000 ? round (samples_per_s / pow (10, floor (log10 (samples_per_s)) - 2))
                                      * pow (10, floor (log10 (samples_per_s)) - 2)
                                  : round (samples_per_s);
  value = (long) rounded;
  len = g_snprintf (digits, sizeof digits, "%ld", value);
  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static void
lab_window_update_progress (LabWindow *self)
{
  LabSession *session = self->session;
  int epoch, epochs;
  long batch, batches;
  double speed, elapsed;
  g_autofree char *speed_text = NULL;
  g_autofree char *elapsed_text = NULL;
  g_autofree char *text = NULL;
  double fraction = 0;

  g_object_get (session, "epoch", &epoch, "epochs", &epochs, "batch", &batch,
                "batches-per-epoch", &batches, "samples-per-s", &speed, "elapsed", &elapsed,
                NULL);
  speed_text = format_speed (speed);
  elapsed_text = format_elapsed (elapsed);

  /* Run again after the last epoch trains further: past the count, just the epoch. */
  if (epoch < epochs)
    text = g_strdup_printf (_("epoch %d / %d · batch %ld / %ld%s%s%s · %s"), epoch + 1, epochs,
                            batch, batches, speed_text[0] != '\0' ? " · " : "", speed_text,
                            speed_text[0] != '\0' ? _(" samples/s") : "", elapsed_text);
  else
    text = g_strdup_printf (_("epoch %d%s%s%s · %s"), epoch, speed_text[0] != '\0' ? " · " : "",
                            speed_text, speed_text[0] != '\0' ? _(" samples/s") : "", elapsed_text);
  gtk_label_set_label (self->progress_label, text);
  gtk_label_set_label (self->presentation_progress_label, text);

  if (epochs > 0 && batches > 0)
    fraction = epoch < epochs ? ((double) epoch + (double) batch / batches) / epochs : 1.0;
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
}

static void
lab_window_update_running (LabWindow *self)
{
  gboolean running = lab_session_get_running (self->session);

  gtk_image_set_from_icon_name (self->run_icon, running ? "media-playback-pause-symbolic"
                                                        : "media-playback-start-symbolic");
  gtk_label_set_label (self->run_label, running ? _("_Pause") : _("_Run"));
  gtk_button_set_label (GTK_BUTTON (self->presentation_run_button), running ? _("_Pause") : _("_Run"));
  gtk_widget_set_tooltip_text (self->run_button,
                               running ? _("Pause training after the current batch (Ctrl+R)")
                                       : _("Train continuously until paused or the epochs are done (Ctrl+R)"));
  /* a running button turns neutral so that the eye finds the curves, not the button */
  if (running)
    {
      gtk_widget_remove_css_class (self->run_button, "suggested-action");
      gtk_widget_remove_css_class (self->presentation_run_button, "suggested-action");
    }
  else
    {
      gtk_widget_add_css_class (self->run_button, "suggested-action");
      gtk_widget_add_css_class (self->presentation_run_button, "suggested-action");
    }
  _lab_window_update_actions (self);
}

/* Presentation mode folds the sidebar away, to slide over the plots on Settings (F9) and
 * leave them the projector's width; the normal window has it at the side. */
static void
lab_window_fold_sidebar (LabWindow *self, gboolean fold)
{
  adw_flap_set_fold_policy (self->flap, fold ? ADW_FLAP_FOLD_POLICY_ALWAYS : ADW_FLAP_FOLD_POLICY_NEVER);
  adw_flap_set_modal (self->flap, fold);
  /* the presentation's larger text needs a wider sidebar */
  gtk_widget_set_size_request (GTK_WIDGET (self->sidebar), fold ? 400 : 320, -1);
  adw_flap_set_reveal_flap (self->flap, !fold);
}

static void
lab_window_update_title (LabWindow *self)
{
  const char *preset = lab_session_get_preset (self->session);
  const char *dataset = lab_session_get_dataset_name (self->session);
  g_autofree char *subtitle = NULL;

  if (lab_session_get_loading (self->session))
    subtitle = g_strdup (_("Loading the dataset…"));
  else if (dataset[0] == '\0')
    subtitle = g_strdup ("");
  else
    /* TRANSLATORS: the preset's name and the dataset, "Variational autoencoder · MNIST digits" */
    subtitle = g_strdup_printf (_("%s autoencoder · %s"), lab_sidebar_preset_title (preset), dataset);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  _lab_window_update_actions (self);
}

static void
lab_window_on_snapshot (LabWindow *self, LabSnapshot *snapshot)
{
  gboolean diverged = snapshot->state == LAB_TRAINING_DIVERGED;

  if (snapshot->state == LAB_TRAINING_FINISHED && self->last_state == LAB_TRAINING_RUNNING)
    {
      int epochs = 0;
      g_autofree char *text = NULL;

      g_object_get (self->session, "epochs", &epochs, NULL);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Training finished: %d epoch",
                                           "Training finished: %d epochs", epochs), epochs);
      _lab_window_toast (self, text);
    }
  self->last_state = snapshot->state;

  if (diverged)
    {
      g_autofree char *lr = lab_session_dup_option (self->session, "lr");
      g_autofree char *text =
        g_strdup_printf (_("<b>Training stopped: the loss became infinite or not a number.</b> "
                           "The weights are back to the last good step. Learning rate %s is too "
                           "large for this model: try one ten times smaller, then press Run."), lr);

      /* the engine's own account (epoch, batch) for whoever wants it; one font size in the
       * banner keeps its height the same at every width */
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->banner_label), snapshot->message);
      gtk_label_set_markup (self->banner_label, text);
    }
  gtk_widget_set_visible (self->banner, diverged);
}

static void
lab_window_load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LabOpening *load = user_data;
  LabSession *session = LAB_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!lab_session_load_finish (session, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _lab_window_show_error (load->self, _("The dataset could not be opened"), error->message);
    }
  else if (load->run)
    lab_session_run (session);
  _lab_opening_free (load);
}

void
_lab_window_load (LabWindow *self, const char *data, const char *preset, gboolean run)
{
  g_return_if_fail (LAB_IS_WINDOW (self));
  g_return_if_fail (data != NULL);

  lab_session_load_async (self->session, data, preset, self->cancellable, lab_window_load_done,
                          _lab_opening_new (self, LAB_OPEN_DATASET, data, run));
}

void
_lab_window_show_error (LabWindow *self, const char *primary, const char *secondary)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), primary, secondary);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_lab_window_toast (LabWindow *self, const char *text)
{
  AdwToast *toast;

  g_return_if_fail (LAB_IS_WINDOW (self));

  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_lab_window_set_session_path (LabWindow *self, const char *path)
{
  g_return_if_fail (LAB_IS_WINDOW (self));

  if (path != self->session_path)
    {
      g_free (self->session_path);
      self->session_path = g_strdup (path);
    }
}

LabTrainingView *
_lab_window_get_training_view (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return self->training_view;
}

void
lab_window_start (LabWindow *self, const char *data, const char *preset, gboolean run,
                  const char *view)
{
  g_return_if_fail (LAB_IS_WINDOW (self));
  g_return_if_fail (data != NULL);

  if (view != NULL)
    lab_window_set_view (self, view);
  _lab_window_load (self, data, preset, run);
}

void
lab_window_set_view (LabWindow *self, const char *view)
{
  g_return_if_fail (LAB_IS_WINDOW (self));
  g_return_if_fail (view != NULL);

  if (gtk_stack_get_child_by_name (self->stack, view) != NULL)
    gtk_stack_set_visible_child_name (self->stack, view);
}

const char *
lab_window_get_view (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

LabSession *
lab_window_get_session (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return self->session;
}

/* --- frame statistics (a benchmark mode, not a test) ------------------------------------
 *
 * LATENTLAB_FRAME_STATS=SECONDS latentlab --run trains for that long, closes the window and
 * prints the duration of each frame (update to after-paint on the frame clock), the interval
 * between frames, how late a 10 ms main-loop timeout fires while training runs (a stall
 * shows there even when no frame is drawn), the main thread's CPU time per frame, per second
 * and per snapshot while training (these do not depend on the machine's load, the others do),
 * the median training speed and, when the run's epochs were done in that time, its training
 * time. */

#define PROBE_INTERVAL_MS 10

/* CPU time of the calling thread: the main thread's share does not depend on the load */
static gint64
thread_cpu_ns (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_GINT64_CONSTANT (1000000000) + now.tv_nsec;
}

static gboolean
on_loop_probe (gpointer data)
{
  LabWindow *self = data;
  gint64 now = g_get_monotonic_time ();
  double late = MAX (now - self->probe_due, 0) / 1000.0;

  /* while training: the window's start (the first layout of every view) is not a stall */
  if (lab_session_get_running (self->session))
    {
      g_array_append_val (self->loop_lateness, late);
      if (self->wall_start_us == 0)
        {
          self->wall_start_us = now;
          self->cpu_start_ns = thread_cpu_ns ();
        }
    }
  /* GLib counts the next interval from this dispatch */
  self->probe_due = now + PROBE_INTERVAL_MS * 1000;
  return G_SOURCE_CONTINUE;
}

static void
on_frame_update (GdkFrameClock *clock, LabWindow *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->last_frame_start != 0)
    {
      double interval = (now - self->last_frame_start) / 1000.0;

      g_array_append_val (self->frame_intervals, interval);
    }
  self->frame_start = self->last_frame_start = now;
  self->frame_cpu_start = thread_cpu_ns ();
}

static void
on_frame_after_paint (GdkFrameClock *clock, LabWindow *self)
{
  double duration;

  if (self->frame_start == 0)
    return;
  duration = (g_get_monotonic_time () - self->frame_start) / 1000.0;
  g_array_append_val (self->frame_durations, duration);
  duration = (thread_cpu_ns () - self->frame_cpu_start) / 1e6;
  g_array_append_val (self->frame_cpu, duration);
  self->frame_start = 0;
}

static void
on_speed_for_stats (LabWindow *self, LabSnapshot *snapshot)
{
  if (snapshot->state == LAB_TRAINING_RUNNING && snapshot->samples_per_s > 0)
    g_array_append_val (self->speeds, snapshot->samples_per_s);
  if (self->wall_start_us != 0)
    self->n_snapshots++;
  if (snapshot->state == LAB_TRAINING_FINISHED && self->finished_s == 0)
    {
      self->finished_s = snapshot->elapsed_s;
      self->finished_epochs = snapshot->epochs;
    }
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values, double p)
{
  guint index;

  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  index = (guint) MIN (values->len - 1, floor (p * (values->len - 1) + 0.5));
  return g_array_index (values, double, index);
}

static void
lab_window_print_frame_stats (LabWindow *self)
{
  guint over = 0;
  double wall_s = self->wall_start_us != 0 ? (g_get_monotonic_time () - self->wall_start_us) / 1e6 : 0;
  double cpu_ms = self->wall_start_us != 0 ? (thread_cpu_ns () - self->cpu_start_ns) / 1e6 : 0;
  g_autofree char *finished = self->finished_s > 0
                                ? g_strdup_printf ("; finished %d epochs in %.1f s", self->finished_epochs,
                                                   self->finished_s)
                                : g_strdup ("");

  for (guint i = 0; i < self->frame_intervals->len; i++)
    if (g_array_index (self->frame_intervals, double, i) > 33.4)
      over++;
  g_printerr ("frames %u: duration p50 %.1f ms, p99 %.1f ms, max %.1f ms (CPU p50 %.1f ms, p99 "
              "%.1f ms); interval p50 %.1f ms, "
              "p99 %.1f ms, max %.1f ms, %.2f %% over 33 ms; main thread CPU %.1f %% while "
              "training, %.1f ms per snapshot (%.1f snapshots/s); main loop late p99 %.1f ms, max "
              "%.1f ms; training %.0f samples/s (median while running)%s\n",
              self->frame_durations->len, percentile (self->frame_durations, 0.5),
              percentile (self->frame_durations, 0.99), percentile (self->frame_durations, 1.0),
              percentile (self->frame_cpu, 0.5), percentile (self->frame_cpu, 0.99),
              percentile (self->frame_intervals, 0.5), percentile (self->frame_intervals, 0.99),
              percentile (self->frame_intervals, 1.0),
              self->frame_intervals->len > 0 ? 100.0 * over / self->frame_intervals->len : 0.0,
              wall_s > 0 ? cpu_ms / (10 * wall_s) : 0.0,
              self->n_snapshots > 0 ? cpu_ms / self->n_snapshots : 0.0,
              wall_s > 0 ? self->n_snapshots / wall_s : 0.0,
              percentile (self->loop_lateness, 0.99), percentile (self->loop_lateness, 1.0),
              percentile (self->speeds, 0.5), finished);
}

static gboolean
close_window (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

/* The default size (the template's 1440 x 900) shrinks to the monitor the window opens
 * on: a 1280 x 720 projector or a 1366 x 768 laptop gets a window that fits, maximised. */
static void
lab_window_fit_default_size (LabWindow *self)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));
  GdkMonitor *monitor = gdk_display_get_monitor_at_surface (gdk_surface_get_display (surface), surface);
  GdkRectangle area;
  int width, height;

  if (monitor == NULL)
    return;
  gdk_monitor_get_geometry (monitor, &area);
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (area.width <= 0 || area.height <= 0 || (width <= area.width && height <= area.height))
    return;
  gtk_window_set_default_size (GTK_WINDOW (self), MIN (width, area.width), MIN (height, area.height));
  gtk_window_maximize (GTK_WINDOW (self));
}

static void
lab_window_realize (GtkWidget *widget)
{
  LabWindow *self = LAB_WINDOW (widget);
  GdkFrameClock *clock;

  GTK_WIDGET_CLASS (lab_window_parent_class)->realize (widget);
  lab_window_fit_default_size (self);

  if (self->frame_durations == NULL)
    return;
  clock = gtk_widget_get_frame_clock (widget);
  g_signal_connect_object (clock, "update", G_CALLBACK (on_frame_update), self, 0);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_frame_after_paint), self, 0);
}

static void
lab_window_dispose (GObject *object)
{
  LabWindow *self = LAB_WINDOW (object);

  if (self->frame_durations != NULL)
    {
      lab_window_print_frame_stats (self);
      g_clear_pointer (&self->frame_durations, g_array_unref);
      g_clear_pointer (&self->frame_cpu, g_array_unref);
      g_clear_pointer (&self->frame_intervals, g_array_unref);
      g_clear_pointer (&self->speeds, g_array_unref);
      g_clear_pointer (&self->loop_lateness, g_array_unref);
      g_clear_handle_id (&self->probe_source, g_source_remove);
    }

  _lab_window_save_settings (self);
  lab_window_inhibit_idle (self, FALSE);
  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  /* no gtk_widget_dispose_template: GtkWindow unparents its child and titlebar itself */
  /* Views' background jobs may hold the session a little longer: training stops now. */
  if (self->session != NULL)
    lab_session_close (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->session_path, g_free);

  G_OBJECT_CLASS (lab_window_parent_class)->dispose (object);
}

static void
lab_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LabWindow *self = LAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PRESENTATION: g_value_set_boolean (value, self->presenting); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LabWindow *self = LAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PRESENTATION: lab_window_set_presentation (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_window_class_init (LabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_window_dispose;
  object_class->get_property = lab_window_get_property;
  object_class->set_property = lab_window_set_property;

  properties[PROP_PRESENTATION] =
    g_param_spec_boolean ("presentation", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->realize = lab_window_realize;

  g_type_ensure (ADW_TYPE_FLAP);
  g_type_ensure (ADW_TYPE_SPLIT_BUTTON);
  g_type_ensure (ADW_TYPE_TOAST_OVERLAY);
  g_type_ensure (ADW_TYPE_WINDOW_TITLE);
  g_type_ensure (LAB_TYPE_SIDEBAR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/latentlab/LatentLab/ui/lab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LabWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, run_icon);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, run_label);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, step_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, reset_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, view_scroller);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, switcher);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, lesson_box);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, settings_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, presentation_bar);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, presentation_run_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, presentation_progress_label);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, toast_overlay);

  _lab_window_class_init_actions (widget_class);
  _lab_window_class_init_lesson (widget_class);
}

/* Each view opens at its top, not where the previous one was scrolled to. */
static void
lab_window_scroll_to_top (LabWindow *self)
{
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->view_scroller), 0);
  gtk_adjustment_set_value (gtk_scrolled_window_get_hadjustment (self->view_scroller), 0);
}

void
_lab_fullscreen_watch_start (LabFullscreenWatch *watch, gboolean fullscreen, gboolean mapped,
                             gint64 now_us)
{
  watch->shown_us = mapped ? now_us : 0;
  /* only a window already shown has a state its desktop gave */
  watch->confirmed = mapped && fullscreen;
}

LabFullscreenAnswer
_lab_fullscreen_watch_report (LabFullscreenWatch *watch, gboolean fullscreen, gboolean mapped,
                              gint64 now_us)
{
  if (!mapped)
    return LAB_FULLSCREEN_KEEP;
  if (fullscreen)
    {
      watch->confirmed = TRUE;
      return LAB_FULLSCREEN_KEEP;
    }
  if (!watch->confirmed && watch->shown_us > 0 && now_us - watch->shown_us < LAB_FULLSCREEN_SETTLE_US)
    return LAB_FULLSCREEN_ASK_AGAIN;
  return LAB_FULLSCREEN_LEAVE;
}

/* A presentation that stayed on in a normal window would keep its projector-sized text.
 * `latentlab --presentation` under Xvfb, with openbox started half a second to a second after
 * it and both cores busy, came up as a normal window in 6 of 16 starts without the watch. */
static void
lab_window_on_fullscreened (LabWindow *self)
{
  if (!self->presenting)
    return;
  switch (_lab_fullscreen_watch_report (&self->fullscreen_watch,
                                        gtk_window_is_fullscreen (GTK_WINDOW (self)),
                                        gtk_widget_get_mapped (GTK_WIDGET (self)),
                                        g_get_monotonic_time ()))
    {
    case LAB_FULLSCREEN_KEEP:
      break;
    case LAB_FULLSCREEN_ASK_AGAIN:
      gtk_window_fullscreen (GTK_WINDOW (self));
      break;
    case LAB_FULLSCREEN_LEAVE:
      lab_window_set_presentation (self, FALSE);
      break;
    }
}

/* A window that asked for full screen before it showed is reported full screen before its
 * desktop says so: the watch starts again, unconfirmed, when it shows. */
static void
lab_window_on_map (LabWindow *self)
{
  if (self->presenting)
    _lab_fullscreen_watch_start (&self->fullscreen_watch, FALSE, TRUE, g_get_monotonic_time ());
}

static void
lab_window_init (LabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->session = lab_session_new ();

  for (guint i = 0; i < G_N_ELEMENTS (lab_views); i++)
    gtk_stack_add_titled (self->stack,
                          g_object_new (lab_views[i].get_type (), "session", self->session, NULL),
                          lab_views[i].name, _(lab_views[i].title));
  self->training_view = LAB_TRAINING_VIEW (gtk_stack_get_child_by_name (self->stack, "training"));

  /* equal tabs would each be as wide as the widest title: each takes its own width */
  if (GTK_IS_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self->switcher))))
    gtk_box_layout_set_homogeneous (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self->switcher))),
                                    FALSE);

  lab_sidebar_set_session (self->sidebar, self->session);

  g_signal_connect_swapped (self->session, "notify::running", G_CALLBACK (lab_window_update_running), self);
  g_signal_connect_swapped (self->session, "notify::epoch", G_CALLBACK (lab_window_update_progress), self);
  g_signal_connect_swapped (self->session, "notify::batch", G_CALLBACK (lab_window_update_progress), self);
  g_signal_connect_swapped (self->session, "notify::elapsed", G_CALLBACK (lab_window_update_progress), self);
  g_signal_connect_swapped (self->session, "notify::epochs", G_CALLBACK (lab_window_update_progress), self);
  g_signal_connect_swapped (self->session, "notify::generation", G_CALLBACK (lab_window_update_progress), self);
  g_signal_connect_swapped (self->session, "notify::preset", G_CALLBACK (lab_window_update_title), self);
  g_signal_connect_swapped (self->session, "notify::dataset-name", G_CALLBACK (lab_window_update_title), self);
  g_signal_connect_swapped (self->session, "notify::loading", G_CALLBACK (lab_window_update_title), self);
  g_signal_connect_swapped (self->session, "snapshot", G_CALLBACK (lab_window_on_snapshot), self);
  g_signal_connect_swapped (self->stack, "notify::visible-child", G_CALLBACK (_lab_window_update_actions), self);
  g_signal_connect_swapped (self->stack, "notify::visible-child", G_CALLBACK (lab_window_scroll_to_top), self);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (lab_window_on_fullscreened), NULL);
  g_signal_connect (self, "map", G_CALLBACK (lab_window_on_map), NULL);
  _lab_window_init_drop (self);
  g_object_bind_property (self->flap, "reveal-flap", self->settings_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  if (g_getenv ("LATENTLAB_FRAME_STATS") != NULL)
    {
      /* a number of seconds closes the window after that long, so a script can measure */
      guint64 seconds = g_ascii_strtoull (g_getenv ("LATENTLAB_FRAME_STATS"), NULL, 10);

      if (seconds > 0)
        g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, (guint) seconds, close_window,
                                    g_object_ref (self), g_object_unref);
      self->frame_durations = g_array_new (FALSE, FALSE, sizeof (double));
      self->frame_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      self->frame_intervals = g_array_new (FALSE, FALSE, sizeof (double));
      self->speeds = g_array_new (FALSE, FALSE, sizeof (double));
      self->loop_lateness = g_array_new (FALSE, FALSE, sizeof (double));
      self->probe_due = g_get_monotonic_time () + PROBE_INTERVAL_MS * 1000;
      self->probe_source = g_timeout_add (PROBE_INTERVAL_MS, on_loop_probe, self);
      g_signal_connect_swapped (self->session, "snapshot", G_CALLBACK (on_speed_for_stats), self);
    }

  lab_window_update_running (self);
  lab_window_update_progress (self);
  lab_window_update_title (self);
}

LabWindow *
lab_window_new (GtkApplication *app)
{
  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);

  return g_object_new (LAB_TYPE_WINDOW, "application", app, NULL);
}

/* --- presentation mode ------------------------------------------------------------------ */

/* A class watches the plots, not the keyboard: no screen blanking while presenting. */
static void
lab_window_inhibit_idle (LabWindow *self, gboolean inhibit)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (inhibit && self->inhibit_cookie == 0 && app != NULL)
    self->inhibit_cookie = gtk_application_inhibit (app, GTK_WINDOW (self),
                                                    GTK_APPLICATION_INHIBIT_IDLE, _("Presenting"));
  else if (!inhibit && self->inhibit_cookie != 0)
    {
      if (app != NULL)
        gtk_application_uninhibit (app, self->inhibit_cookie);
      self->inhibit_cookie = 0;
    }
}

void
lab_window_set_presentation (LabWindow *self, gboolean presenting)
{
  g_return_if_fail (LAB_IS_WINDOW (self));

  presenting = !!presenting;
  if (self->presenting == presenting)
    return;
  self->presenting = presenting;

  /* style.css enlarges the text under window.presentation and every LabChart scales its
   * text and lines by the same class, so no view has to know about the mode */
  if (presenting)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "presentation");
      _lab_fullscreen_watch_start (&self->fullscreen_watch,
                                   gtk_window_is_fullscreen (GTK_WINDOW (self)),
                                   gtk_widget_get_mapped (GTK_WIDGET (self)), g_get_monotonic_time ());
      gtk_window_fullscreen (GTK_WINDOW (self));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "presentation");
      gtk_window_unfullscreen (GTK_WINDOW (self));
    }
  /* the plots get the width of the projector; Settings (F9) opens the sidebar over them */
  gtk_widget_set_visible (self->presentation_bar, presenting);
  lab_window_inhibit_idle (self, presenting);
  lab_window_fold_sidebar (self, presenting);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENTATION]);
}

gboolean
lab_window_get_presentation (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), FALSE);
  return self->presenting;
}
