/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-window-settings.c: what the window remembers between runs (GSettings): its size, the
 * run it showed last and the presentation scale. */
#include <string.h>

#include <glib/gi18n.h>

#include "lab-chart.h"
#include "lab-window-private.h"

/* style.css's window.presentation text size, which the presentation-scale setting multiplies */
#define PRESENTATION_TEXT_EM 1.3

/* One provider for the program: the setting is the same for every window. */
static void
lab_window_apply_presentation_scale (LabWindow *self)
{
  static GtkCssProvider *provider;
  double scale = g_settings_get_double (self->settings, "presentation-scale");
  char em[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *css = NULL;

  if (provider == NULL)
    {
      provider = gtk_css_provider_new ();
      gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                  GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
    }
  g_ascii_formatd (em, sizeof em, "%.3f", PRESENTATION_TEXT_EM * scale);
  css = g_strdup_printf ("window.presentation { font-size: %sem; }", em);
  /* before the CSS: loading it restyles every widget, and charts read the scale then */
  lab_chart_set_presentation_scale (scale);
  gtk_css_provider_load_from_data (provider, css, -1);
}

void
lab_window_set_settings (LabWindow *self, GSettings *settings)
{
  g_return_if_fail (LAB_IS_WINDOW (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_set_object (&self->settings, settings);
  if (settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  lab_window_apply_presentation_scale (self);
  g_signal_connect_swapped (settings, "changed::presentation-scale",
                            G_CALLBACK (lab_window_apply_presentation_scale), self);
}

void
_lab_window_save_settings (LabWindow *self)
{
  g_autoptr(GSettings) settings = g_steal_pointer (&self->settings);
  const char *dataset, *preset, *view;
  int width, height;

  if (settings == NULL)
    return;
  g_signal_handlers_disconnect_by_data (settings, self);

  /* the size the window has when neither maximized nor full screen */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));

  /* a run that never loaded is not worth coming back to: the next start has the default */
  dataset = self->session != NULL ? lab_session_get_dataset_spec (self->session) : NULL;
  preset = self->session != NULL ? lab_session_get_preset (self->session) : NULL;
  if (dataset != NULL && dataset[0] != '\0')
    {
      /* a file named relative to the folder the program was started in (built-in names
       * have neither a slash nor a dot) */
      gboolean is_path = strchr (dataset, G_DIR_SEPARATOR) != NULL || strchr (dataset, '.') != NULL;
      g_autofree char *absolute = is_path && g_file_test (dataset, G_FILE_TEST_EXISTS)
                                  ? g_canonicalize_filename (dataset, NULL) : g_strdup (dataset);

      g_settings_set_string (settings, "last-dataset", absolute);
      g_settings_set_string (settings, "last-preset", preset != NULL ? preset : "");
    }
  else
    {
      g_settings_reset (settings, "last-dataset");
      g_settings_reset (settings, "last-preset");
    }
  view = lab_window_get_view (self);
  if (view != NULL)
    g_settings_set_string (settings, "last-view", view);
  g_settings_apply (settings);
}
