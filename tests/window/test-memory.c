/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-memory.c: the window's peak resident memory (VmHWM) while it trains the undercomplete
 * preset, after 15 s on the Training view and after every view has been shown once, with the
 * process prepared as the program prepares it. On the built-in digits the peak must stay
 * under LAB_DIGITS_BUDGET_MIB, a generous margin over the measured value (200-210 MB with
 * every view, 130-150 MB after 15 s): the GL driver loaded again (55 MB) or a copy of the
 * dataset per view passes it, the noise of a busy machine does not. A build with
 * AddressSanitizer only reports (its quarantine is not ours).
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-memory --tap` with GSK_RENDERER=cairo;
 * LATENTLAB_MEMORY_DATA=fashion measures another dataset (reported, no budget).
 */
#include "lab-background.h"
#include "lab-gui.h"
#include "lab-window-private.h"
#include "window-test-util.h"

#define LAB_DIGITS_BUDGET_MIB 256

#if defined(__SANITIZE_ADDRESS__)
#define LAB_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LAB_UNDER_ASAN 1
#endif
#endif

static gboolean
has_weights (gpointer session, gconstpointer data)
{
  return !lab_session_get_loading (session) && lab_session_get_weights (session) != NULL;
}

static gboolean
no_background_job (gpointer unused, gconstpointer data)
{
  return lab_background_count () == 0;
}

static void
test_every_view (void)
{
  static const char *const views[] = { "training", "latent", "generate", "denoise",
                                       "anomaly", "inside", "pca", "sequence" };
  const char *data = g_getenv ("LATENTLAB_MEMORY_DATA");
  const char *spec = data != NULL ? data : "digits";
  LabWindow *window = lab_window_new (NULL);
  LabSession *session = lab_window_get_session (window);
  long after_start, after_views;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  lab_window_start (window, spec, "undercomplete", TRUE, "training");
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_until (session, has_weights, NULL, 120));
  spin_for (15);
  after_start = proc_status_kib ("VmHWM");
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      lab_window_set_view (window, views[i]);
      spin_for (4);
      /* the view's measures (PCA fits, projections, curves) have run their course */
      g_assert_true (wait_until (NULL, no_background_job, NULL, 120));
      g_test_message ("after %s: peak %ld KiB, resident %ld KiB", views[i],
                      proc_status_kib ("VmHWM"), proc_status_kib ("VmRSS"));
    }
  after_views = proc_status_kib ("VmHWM");
  printf ("# %s: peak resident %ld KiB after 15 s of training, %ld KiB after every view\n", spec,
          after_start, after_views);
  fflush (stdout);
#ifndef LAB_UNDER_ASAN
  if (data == NULL)
    g_assert_cmpint (after_views, <, LAB_DIGITS_BUDGET_MIB * 1024L);
#endif

  lab_session_pause (session);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.5);
}

int
main (int argc, char **argv)
{
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  lab_gui_prepare_process (); /* as the program does, before GTK starts */
  window_test_init (&argc, &argv);

  g_test_add_func ("/memory/every-view", test_every_view);
  return g_test_run ();
}
