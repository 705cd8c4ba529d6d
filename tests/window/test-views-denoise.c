/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-views-denoise.c: the Denoise view under Xvfb, driven through its API: the four
 * panels and their PSNR, live noise, painting, the curves, and opening and saving PNGs.
 *
 * Run as `xvfb-run -a -s "-screen 0 1440x900x24" test-views-denoise --tap` with
 * GSK_RENDERER=cairo; `--output DIR` keeps the rendered view there.
 */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lab-chart.h"
#include "lab-denoise.h"
#include "lab-denoise-view.h"
#include "lab-view-export.h"
#include "window-test-util.h"

static void
spin_until_weights (LabSession *session, double timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  while (lab_session_get_snapshot (session) == NULL || lab_session_get_snapshot (session)->weights == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
test_denoise_view (void)
{
  g_autoptr (LabSession) session = lab_session_new ();
  g_autoptr (GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  LabDenoiseView *view = LAB_DENOISE_VIEW (lab_denoise_view_new ());
  g_autofree char *dir = g_dir_make_tmp ("test-views-denoise-XXXXXX", NULL);
  g_autofree char *photo = g_build_filename (dir, "photo.png", NULL);
  g_autofree char *result = g_build_filename (dir, "result.png", NULL);
  g_autofree char *garbled = g_build_filename (dir, "garbled.png", NULL);
  g_autofree float *big = NULL;
  g_autofree float *back = NULL;
  g_autofree float *before = NULL;
  const float *clean, *noisy, *model, *filter;
  double psnr[LAB_N_DENOISE_PANELS], ssim;
  int w, h, changed = 0;
  guint64 here;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));

  /* Before a dataset: nothing to show, nothing to save. */
  g_assert_null (lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_CLEAN, &w, &h, NULL, NULL));
  g_assert_false (lab_denoise_view_save_result (view, result, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (lab_session_load (session, "digits", "denoising", &error));
  g_assert_no_error (error);
  lab_view_set_session (LAB_VIEW (view), session);
  wait_for_view (view);
  clean = lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_CLEAN, &w, &h, NULL, NULL);
  g_assert_nonnull (clean);
  g_assert_cmpint (w, ==, 28);
  g_assert_cmpint (h, ==, 28);
  g_assert_cmpmem (clean, sizeof (float) * 28 * 28,
                   lab_session_get_sample (session, LAB_SPLIT_TEST, 0, NULL), sizeof (float) * 28 * 28);

  /* Train a little: the model panel and the curves fill in. */
  lab_session_run (session);
  spin_until_weights (session, 60);
  /* Trained by progress, not by the clock: a loaded machine trains slower, not worse. Two
   * minutes is far beyond the few hundred batches the denoiser needs to beat the noise. */
  for (int second = 0; second < 120; second++)
    {
      double model_db = 0, noisy_db = 0;
      spin_for (1);
      if (lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_MODEL, NULL, NULL, &model_db, NULL) &&
          lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_NOISY, NULL, NULL, &noisy_db, NULL) &&
          model_db > noisy_db + 1)
        break;
    }
  lab_session_pause (session);
  spin_for (0.5);
  /* the curves are measured on a worker */
  lab_denoise_view_update_curves (view);
  for (int tick = 0; tick < 600 && lab_denoise_view_get_n_curves (view) != 3; tick++)
    spin_for (0.1);
  g_assert_cmpint (lab_denoise_view_get_n_curves (view), ==, 3);
  /* the caption reads the curves at the slider's level, whatever it is */
  g_assert_nonnull (find_label_with (GTK_WIDGET (view), "At 0.50:"));
  lab_denoise_view_set_noise (view, LAB_NOISE_GAUSSIAN, 0.25);
  g_assert_nonnull (find_label_with (GTK_WIDGET (view), "At 0.25:"));
  lab_denoise_view_set_noise (view, LAB_NOISE_GAUSSIAN, 0.5);
  wait_for_view (view);
  /* from here on the view denoises on a worker only: the main thread passes nothing through
   * the model, an opened photo included */
  here = lab_weights_get_samples_computed_here ();

  for (int p = LAB_DENOISE_PANEL_NOISY; p < LAB_N_DENOISE_PANELS; p++)
    {
      g_assert_nonnull (lab_denoise_view_get_panel (view, p, NULL, NULL, &psnr[p], &ssim));
      g_assert_true (isfinite (psnr[p]) && isfinite (ssim));
    }
  /* σ 0.5 is heavy noise: the denoisers must both improve on the noisy input. */
  g_assert_cmpfloat (psnr[LAB_DENOISE_PANEL_MODEL], >, psnr[LAB_DENOISE_PANEL_NOISY]);
  g_assert_cmpfloat (psnr[LAB_DENOISE_PANEL_FILTER], >, psnr[LAB_DENOISE_PANEL_NOISY]);

  /* The filter panel is the chosen filter applied to the noisy panel. */
  noisy = lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_NOISY, NULL, NULL, NULL, NULL);
  filter = lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_FILTER, NULL, NULL, NULL, NULL);
  {
    float expected[28 * 28];

    lab_denoise_filter (expected, noisy, 28, 28, LAB_FILTER_MEDIAN);
    g_assert_cmpmem (filter, sizeof expected, expected, sizeof expected);
    lab_denoise_view_set_filter (view, LAB_FILTER_GAUSSIAN);
    wait_for_view (view);
    filter = lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_FILTER, NULL, NULL, NULL, NULL);
    lab_denoise_filter (expected, noisy, 28, 28, LAB_FILTER_GAUSSIAN);
    g_assert_cmpmem (filter, sizeof expected, expected, sizeof expected);
  }

  /* Less noise: a noisy panel closer to the clean one. */
  lab_denoise_view_set_noise (view, 0 /* Gaussian */, 0.1);
  wait_for_view (view);
  g_assert_nonnull (lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_NOISY, NULL, NULL, &psnr[0], NULL));
  g_assert_cmpfloat (psnr[0], >, psnr[LAB_DENOISE_PANEL_NOISY] + 5);

  /* Painting changes the noisy panel where painted, and the model's output follows. */
  model = lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_MODEL, NULL, NULL, NULL, NULL);
  before = g_memdup2 (model, sizeof (float) * 28 * 28);
  lab_denoise_view_paint (view, 5.5, 20.5, 1.0f);
  noisy = lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_NOISY, NULL, NULL, NULL, NULL);
  g_assert_cmpfloat (noisy[20 * 28 + 5], ==, 1.0f);
  g_assert_cmpfloat (noisy[20 * 28 + 6], ==, 1.0f);
  wait_for_view (view);
  model = lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_MODEL, NULL, NULL, NULL, NULL);
  for (int i = 0; i < 28 * 28; i++)
    changed += model[i] != before[i];
  g_assert_cmpint (changed, >, 0);
  lab_denoise_view_paint (view, 5.5, 20.5, 0.0f);
  g_assert_cmpfloat (noisy[20 * 28 + 5], ==, 0.0f);

  /* Another sample. */
  lab_denoise_view_set_sample (view, 3);
  wait_for_view (view);
  clean = lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_CLEAN, NULL, NULL, NULL, NULL);
  g_assert_cmpmem (clean, sizeof (float) * 28 * 28,
                   lab_session_get_sample (session, LAB_SPLIT_TEST, 3, NULL), sizeof (float) * 28 * 28);

  if (output_dir != NULL)
    {
      g_autofree char *shot = g_build_filename (output_dir, "denoise-images.png", NULL);

      spin_for (0.5);
      g_assert_true (lab_chart_export (LAB_CHART (lab_denoise_view_get_images_chart (view)), shot, &error));
      g_assert_no_error (error);
    }

  /* A larger PNG: denoised patch-wise at its own size, and saved. */
  big = g_new (float, 90 * 61);
  for (int i = 0; i < 90 * 61; i++)
    big[i] = (float) ((i % 90) / 10 % 2);
  g_assert_true (lab_denoise_png_write (photo, big, 90, 61, &error));
  g_assert_no_error (error);
  g_assert_true (lab_denoise_view_open_image (view, photo, &error));
  g_assert_no_error (error);
  wait_for_view (view);
  g_assert_cmpuint (lab_weights_get_samples_computed_here () - here, ==, 0);
  g_assert_nonnull (lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_MODEL, &w, &h, &psnr[0], NULL));
  g_assert_cmpint (w, ==, 90);
  g_assert_cmpint (h, ==, 61);
  g_assert_true (isfinite (psnr[0]));
  /* Frames draw the panels scaled once for the chart: redrawn, they are not scaled again. */
  {
    GdkTexture *frame = render_widget (lab_denoise_view_get_images_chart (view));
    unsigned long builds = lab_denoise_view_get_image_builds (view);

    g_object_unref (frame);
    g_assert_cmpuint (builds, >=, LAB_N_DENOISE_PANELS);
    for (int i = 0; i < 5; i++)
      {
        lab_chart_redraw (LAB_CHART (lab_denoise_view_get_images_chart (view)));
        g_object_unref (render_widget (lab_denoise_view_get_images_chart (view)));
      }
    g_assert_cmpuint (lab_denoise_view_get_image_builds (view), ==, builds);
  }
  g_assert_true (lab_denoise_view_save_result (view, result, &error));
  g_assert_no_error (error);
  g_assert_true (lab_denoise_png_read (result, &back, &w, &h, &error));
  g_assert_cmpint (w, ==, 90);
  g_assert_cmpint (h, ==, 61);

  /* A garbled file is refused with its name; the view keeps what it showed. */
  g_assert_true (g_file_set_contents (garbled, "\x89PNG\r\n\x1a\ngarbage", -1, NULL));
  g_assert_false (lab_denoise_view_open_image (view, garbled, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "garbled.png"));
  g_assert_nonnull (lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_MODEL, &w, NULL, NULL, NULL));
  g_assert_cmpint (w, ==, 90);

  /* Train the photo denoiser on patches of the opened image: the session's data become
   * 40 x 40 patches of it, the image stays open at its size and is denoised whole by the
   * new model. */
  g_clear_error (&error);
  g_assert_true (lab_denoise_view_train_on_patches (view, photo, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lab_session_get_preset (session), ==, "photo-denoiser");
  g_assert_cmpstr (lab_session_get_dataset_name (session), ==, "photo.png patches");
  g_assert_true (lab_session_get_running (session));
  {
    const float *patch = lab_session_get_sample (session, LAB_SPLIT_TEST, 0, NULL);
    int ones = 0;

    /* the photo is stripes of 0 and 1 ten pixels wide: a patch holds both */
    g_assert_nonnull (patch);
    for (int i = 0; i < LAB_PHOTO_PATCH_SIDE * LAB_PHOTO_PATCH_SIDE; i++)
      ones += patch[i] > 0.5f;
    g_assert_cmpint (ones, >, 0);
    g_assert_cmpint (ones, <, LAB_PHOTO_PATCH_SIDE * LAB_PHOTO_PATCH_SIDE);
  }
  spin_until_weights (session, 60);
  spin_for (2);
  lab_session_pause (session);
  spin_for (0.5);
  wait_for_view (view);
  g_assert_nonnull (lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_MODEL, &w, &h, &psnr[0], NULL));
  g_assert_cmpint (w, ==, 90);
  g_assert_cmpint (h, ==, 61);
  g_assert_true (isfinite (psnr[0]));
  if (output_dir != NULL)
    {
      g_autofree char *shot = g_build_filename (output_dir, "denoise-view-patches.png", NULL);

      g_assert_true (lab_view_export (GTK_WIDGET (view), LAB_VIEW_EXPORT_ALL, shot, &error));
      g_assert_no_error (error);
    }

  /* Back to the samples. */
  g_assert_true (lab_denoise_view_open_image (view, NULL, NULL));
  wait_for_view (view);
  g_assert_nonnull (lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_CLEAN, &w, NULL, NULL, NULL));
  g_assert_cmpint (w, ==, LAB_PHOTO_PATCH_SIDE);

  /* Another dataset: the status line about the patches goes with the old data. */
  g_assert_true (lab_denoise_view_train_on_patches (view, photo, &error));
  lab_session_pause (session);
  g_assert_nonnull (find_label_with (GTK_WIDGET (view), "patches of photo.png"));
  g_assert_true (lab_session_load (session, "sines", NULL, &error));
  g_assert_no_error (error);
  g_assert_null (find_label_with (GTK_WIDGET (view), "photo.png"));
  g_assert_null (lab_denoise_view_get_panel (view, LAB_DENOISE_PANEL_CLEAN, &w, NULL, NULL, NULL));

  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
  g_unlink (photo);
  g_unlink (result);
  g_unlink (garbled);
  g_rmdir (dir);
}

static void
assert_noise (LabDenoiseView *view, int kind, double level)
{
  int shown_kind = -1;
  double shown_level = -1;

  lab_denoise_view_get_noise (view, &shown_kind, &shown_level);
  g_assert_cmpint (shown_kind, ==, kind);
  g_assert_cmpfloat_with_epsilon (shown_level, level, 1e-9);
}

/* The noise controls start where the model trains: the denoising preset's mixed noise up to
 * 0.5 as Gaussian 0.5, a chosen noise option as it is, the photo denoiser's σ 0.1; a level
 * the user picks stays through a reset. */
static void
test_denoise_starts_at_training_noise (void)
{
  g_autoptr (LabSession) session = lab_session_new ();
  g_autoptr (GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  LabDenoiseView *view = LAB_DENOISE_VIEW (lab_denoise_view_new ());

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lab_session_load (session, "digits", "photo-denoiser", &error));
  g_assert_no_error (error);
  lab_view_set_session (LAB_VIEW (view), session);
  wait_for_view (view);
  assert_noise (view, LAB_NOISE_GAUSSIAN, 0.1);

  g_assert_true (lab_session_set_preset (session, "denoising", &error));
  g_assert_no_error (error);
  wait_for_view (view);
  assert_noise (view, LAB_NOISE_GAUSSIAN, 0.5);

  g_assert_true (lab_session_set_option (session, "noise", "salt-pepper:0.3", &error));
  g_assert_no_error (error);
  wait_for_view (view);
  assert_noise (view, LAB_NOISE_SALT_PEPPER, 0.3);

  lab_denoise_view_set_noise (view, LAB_NOISE_SALT_PEPPER, 0.25);
  lab_session_reset (session);
  wait_for_view (view);
  assert_noise (view, LAB_NOISE_SALT_PEPPER, 0.25);

  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (0.2);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output_dir, "keep the rendered view here", "DIR" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);

  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  /* no accessibility bus under Xvfb: its warning would be fatal in a test */
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_parse (context, &argc, &argv, NULL);
  g_test_add_func ("/views/denoise", test_denoise_view);
  g_test_add_func ("/views/denoise/starts-at-training-noise", test_denoise_starts_at_training_noise);
  return g_test_run ();
}
