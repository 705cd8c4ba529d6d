/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-denoise.c: the Denoise view's helpers: noise statistics, filters, PSNR, patch-wise
 * denoising against a brute-force average, and PNG files with errors naming the file. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lab-denoise.h"
#include "lab-session-private.h"

#define SIDE 6

static void
test_noise_statistics (void)
{
  enum { N = 40000 };
  g_autofree float *x = g_new (float, N);
  g_autofree float *y = g_new (float, N);
  double sum = 0, sum2 = 0;
  long extremes = 0, zeros = 0;

  /* Gaussian sigma 0.1 around 0.5: clamping to [0, 1] is 5 sigma away, so mean and spread
   * are those of the noise itself. */
  for (int i = 0; i < N; i++)
    x[i] = 0.5f;
  lab_denoise_corrupt (x, N, LAB_NOISE_GAUSSIAN, 0.1f, 7);
  for (int i = 0; i < N; i++)
    {
      sum += x[i] - 0.5;
      sum2 += (x[i] - 0.5) * (x[i] - 0.5);
    }
  g_assert_cmpfloat (fabs (sum / N), <, 4 * 0.1 / sqrt (N));
  g_assert_cmpfloat (fabs (sqrt (sum2 / N) - 0.1), <, 0.005);

  /* The same seed gives the same noise, another seed other noise. */
  for (int i = 0; i < N; i++)
    y[i] = 0.5f;
  lab_denoise_corrupt (y, N, LAB_NOISE_GAUSSIAN, 0.1f, 7);
  g_assert_cmpmem (x, sizeof (float) * N, y, sizeof (float) * N);
  for (int i = 0; i < N; i++)
    y[i] = 0.5f;
  lab_denoise_corrupt (y, N, LAB_NOISE_GAUSSIAN, 0.1f, 8);
  g_assert_true (memcmp (x, y, sizeof (float) * N) != 0);

  /* Salt and pepper 20 %: that fraction becomes 0 or 1, the rest is untouched. */
  for (int i = 0; i < N; i++)
    x[i] = 0.5f;
  lab_denoise_corrupt (x, N, LAB_NOISE_SALT_PEPPER, 0.2f, 3);
  for (int i = 0; i < N; i++)
    {
      g_assert_true (x[i] == 0.0f || x[i] == 1.0f || x[i] == 0.5f);
      extremes += x[i] != 0.5f;
    }
  /* binomial: sd = sqrt (N p (1 - p)) = 80 */
  g_assert_cmpint (labs (extremes - N / 5), <, 4 * 80);

  /* Masking 30 %: that fraction becomes 0. */
  for (int i = 0; i < N; i++)
    x[i] = 1.0f;
  lab_denoise_corrupt (x, N, LAB_NOISE_MASKING, 0.3f, 5);
  for (int i = 0; i < N; i++)
    {
      g_assert_true (x[i] == 0.0f || x[i] == 1.0f);
      zeros += x[i] == 0.0f;
    }
  g_assert_cmpint (labs (zeros - 3 * N / 10), <, 4 * 92);
}

static void
test_filters_and_measures (void)
{
  float clean[25], noisy[25], out[25];

  for (int i = 0; i < 25; i++)
    clean[i] = noisy[i] = 0.25f;
  noisy[12] = 1.0f; /* one impulse in the middle */

  lab_denoise_filter (out, noisy, 5, 5, LAB_FILTER_MEDIAN);
  for (int i = 0; i < 25; i++)
    g_assert_cmpfloat (fabsf (out[i] - 0.25f), <, 1e-6f);

  /* A blur keeps the total of an interior impulse and spreads it. */
  lab_denoise_filter (out, noisy, 5, 5, LAB_FILTER_GAUSSIAN);
  g_assert_cmpfloat (out[12], <, 1.0f);
  g_assert_cmpfloat (out[12], >, out[11]);
  g_assert_cmpfloat (out[11], >, 0.25f);

  /* One pixel off by 0.75 in 25: MSE 0.5625 / 25, PSNR = 10 log10 (1 / MSE). */
  g_assert_cmpfloat (fabs (lab_denoise_psnr (clean, noisy, 25) - 10 * log10 (25 / 0.5625)), <, 1e-4);
  g_assert_cmpfloat (fabs (lab_denoise_ssim (clean, clean, 5, 5) - 1), <, 1e-6);
  g_assert_cmpfloat (lab_denoise_ssim (clean, noisy, 5, 5), <, 1);
}

/* A small dense model with SIDE x SIDE inputs and random weights. */
static LabWeights *
small_weights (void)
{
  AeConfig cfg;
  AeError err = { 0 };
  AeModel *model = NULL;

  g_assert_cmpint (ae_config_preset (&cfg, "undercomplete", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "channels", "1", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "height", G_STRINGIFY (SIDE), &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "width", G_STRINGIFY (SIDE), &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "hidden", "10", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "latent", "4", &err), ==, AE_OK);
  g_assert_cmpint (ae_model_new (&model, &cfg, &err), ==, AE_OK);
  return _lab_weights_new_take (model);
}

/* Each pixel lies between the smallest and the largest of the model's outputs over the
 * patches that cover it (a blend of them), the patches enumerated independently of the
 * code under test: every half patch and the last one flush with the border. */
static void
check_patchwise (LabWeights *weights, int w, int h)
{
  g_autofree float *image = g_new (float, (gsize) w * h);
  g_autofree float *out = g_new (float, (gsize) w * h);
  float patch[SIDE * SIDE], rec[SIDE * SIDE];
  GArray *xs = g_array_new (FALSE, FALSE, sizeof (int));
  GArray *ys = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree float *low = g_new (float, (gsize) w * h);
  g_autofree float *high = g_new (float, (gsize) w * h);
  g_autofree int *count = g_new0 (int, (gsize) w * h);

  for (int i = 0; i < w * h; i++)
    {
      image[i] = (float) ((i * 37) % 101) / 100.0f;
      low[i] = G_MAXFLOAT;
      high[i] = -G_MAXFLOAT;
    }
  g_assert_true (lab_denoise_patchwise (weights, out, image, w, h, SIDE));

  for (GArray *a = xs; a != NULL; a = a == xs ? ys : NULL)
    {
      int size = a == xs ? w : h, last = MAX (size - SIDE, 0);

      for (int at = 0; at < last; at += SIDE / 2)
        g_array_append_val (a, at);
      g_array_append_val (a, last);
    }
  for (guint j = 0; j < ys->len; j++)
    for (guint i = 0; i < xs->len; i++)
      {
        int ox = g_array_index (xs, int, i), oy = g_array_index (ys, int, j);

        for (int y = 0; y < SIDE; y++)
          for (int x = 0; x < SIDE; x++)
            patch[y * SIDE + x] = image[MIN (oy + y, h - 1) * w + MIN (ox + x, w - 1)];
        lab_weights_reconstruct (weights, rec, patch, 1);
        for (int y = 0; y < SIDE && oy + y < h; y++)
          for (int x = 0; x < SIDE && ox + x < w; x++)
            {
              int at = (oy + y) * w + ox + x;

              low[at] = MIN (low[at], rec[y * SIDE + x]);
              high[at] = MAX (high[at], rec[y * SIDE + x]);
              count[at]++;
            }
      }
  for (int i = 0; i < w * h; i++)
    {
      g_assert_cmpint (count[i], >, 0);
      g_assert_cmpfloat (out[i], >=, low[i] - 1e-5f);
      g_assert_cmpfloat (out[i], <=, high[i] + 1e-5f);
    }
  g_array_unref (xs);
  g_array_unref (ys);
}

static void
test_patchwise (void)
{
  g_autoptr (LabWeights) weights = small_weights ();
  float in[SIDE * SIDE], out[SIDE * SIDE], direct[SIDE * SIDE];
  float wrong[7 * 7];

  /* One patch: exactly the model's reconstruction. */
  for (int i = 0; i < SIDE * SIDE; i++)
    in[i] = (float) i / (SIDE * SIDE);
  g_assert_true (lab_denoise_patchwise (weights, out, in, SIDE, SIDE, SIDE));
  lab_weights_reconstruct (weights, direct, in, 1);
  for (int i = 0; i < SIDE * SIDE; i++)
    g_assert_cmpfloat (fabsf (out[i] - direct[i]), <, 1e-6f);

  check_patchwise (weights, 17, 11); /* sizes that half patches do not divide */
  check_patchwise (weights, 140, 90); /* many patches: more than one batch */
  check_patchwise (weights, 4, 3);    /* smaller than a patch: padded */

  /* A model of another input size is refused. */
  memset (wrong, 0, sizeof wrong);
  g_assert_false (lab_denoise_patchwise (weights, wrong, wrong, 7, 7, 7));
}

#define DIGIT 14

/* A linear model on DIGIT x DIGIT patches that gives back its input, halved on the
 * patch's border: what a denoiser trained on whole digits (whose borders are always dark)
 * does to the border of any patch. */
static LabWeights *
border_dimming_weights (void)
{
  AeConfig cfg;
  AeError err = { 0 };
  AeModel *model = NULL;
  AeTensor tensors[8];
  int n, dense = 0;

  g_assert_cmpint (ae_config_preset (&cfg, "linear", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "channels", "1", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "height", G_STRINGIFY (DIGIT), &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "width", G_STRINGIFY (DIGIT), &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "latent", "196" /* DIGIT * DIGIT */, &err), ==, AE_OK);
  g_assert_cmpint (ae_model_new (&model, &cfg, &err), ==, AE_OK);
  n = ae_model_tensors (model, tensors, G_N_ELEMENTS (tensors));
  for (int t = 0; t < n; t++)
    {
      memset (tensors[t].data, 0, sizeof (float) * ae_tensor_numel (&tensors[t]));
      if (tensors[t].rank != 2)
        continue;
      /* the encoder is the identity, the decoder keeps the centre and halves the border */
      for (int i = 0; i < DIGIT * DIGIT; i++)
        {
          int x = i % DIGIT, y = i / DIGIT;
          gboolean border = x == 0 || y == 0 || x == DIGIT - 1 || y == DIGIT - 1;

          tensors[t].data[i * DIGIT * DIGIT + i] = dense == 0 || !border ? 1.0f : 0.5f;
        }
      dense++;
    }
  g_assert_cmpint (dense, ==, 2);
  return _lab_weights_new_take (model);
}

/* A smooth image denoised patch by patch shows no grid: no pixel away from the image's
 * edge is darker than its surroundings every DIGIT pixels. */
static void
test_patchwise_no_grid (void)
{
  enum { W = 10 * DIGIT, H = 10 * DIGIT };
  g_autoptr (LabWeights) weights = border_dimming_weights ();
  g_autofree float *image = g_new (float, W * H);
  g_autofree float *out = g_new (float, W * H);
  float one[DIGIT * DIGIT], rec[DIGIT * DIGIT];
  double worst = 0;

  /* the model: the identity inside a patch, half on its border */
  for (int i = 0; i < DIGIT * DIGIT; i++)
    one[i] = 0.8f;
  lab_weights_reconstruct (weights, rec, one, 1);
  g_assert_cmpfloat (fabsf (rec[DIGIT + 1] - 0.8f), <, 1e-5f);
  g_assert_cmpfloat (fabsf (rec[0] - 0.4f), <, 1e-5f);

  /* a gentle ramp from 0.5 to 0.8 */
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      image[y * W + x] = 0.5f + 0.3f * (x + y) / (W + H);
  g_assert_true (lab_denoise_patchwise (weights, out, image, W, H, DIGIT));
  for (int y = 1; y < H - 1; y++)
    for (int x = 1; x < W - 1; x++)
      worst = MAX (worst, fabs (out[y * W + x] - image[y * W + x]) / image[y * W + x]);
  g_test_message ("largest change inside the image: %.2f %%", 100 * worst);
  /* an average of the overlapping patches dims every patch border by a quarter */
  g_assert_cmpfloat (worst, <, 0.01);
}

static void
on_curves (GObject *source, GAsyncResult *result, gpointer data)
{
  *(double **) data = lab_denoise_curves_finish (result, NULL);
}

/* The worker's PSNR curves are the mean PSNR of each image, computed here image by image
 * from the same noise (corrupted as one block, as the job does). */
static void
test_curves (void)
{
  g_autoptr (LabWeights) weights = small_weights ();
  const double levels[2] = { 0.2, 0.5 };
  const long n = 5;
  const int dim = SIDE * SIDE;
  float *clean = g_new (float, (gsize) n * dim);
  g_autofree float *noisy = g_new (float, (gsize) n * dim);
  float out[SIDE * SIDE];
  double *psnr = NULL;

  for (long i = 0; i < n * dim; i++)
    clean[i] = (float) ((i * 13) % 29) / 28.0f;
  g_autofree float *kept = g_memdup2 (clean, sizeof (float) * n * dim);
  lab_denoise_curves_async (weights, clean, n, 1, SIDE, LAB_NOISE_GAUSSIAN, levels, 2, 99, NULL,
                            on_curves, &psnr);
  while (psnr == NULL)
    g_main_context_iteration (NULL, TRUE);
  for (int l = 0; l < 2; l++)
    {
      double expected[LAB_DENOISE_CURVES] = { 0 };

      memcpy (noisy, kept, sizeof (float) * n * dim);
      lab_denoise_corrupt (noisy, n * dim, LAB_NOISE_GAUSSIAN, (float) levels[l], 99 + l);
      for (long i = 0; i < n; i++)
        {
          lab_weights_reconstruct (weights, out, noisy + i * dim, 1);
          expected[0] += lab_denoise_psnr (kept + i * dim, out, dim) / n;
          for (int f = 0; f < LAB_N_FILTERS; f++)
            {
              lab_denoise_filter (out, noisy + i * dim, SIDE, SIDE, f);
              expected[1 + f] += lab_denoise_psnr (kept + i * dim, out, dim) / n;
            }
        }
      for (int c = 0; c < LAB_DENOISE_CURVES; c++)
        g_assert_cmpfloat (fabs (psnr[c * 2 + l] - expected[c]), <, 1e-4);
    }
  /* more noise, a noisier median */
  g_assert_cmpfloat (psnr[1 * 2 + 1], <, psnr[1 * 2 + 0]);
  g_free (psnr);
}

static void
test_png (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-denoise-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "image.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", "out.png", NULL);
  float pixels[3 * 5];
  g_autofree float *back = NULL;
  g_autoptr (GError) error = NULL;
  int w = 0, h = 0;

  for (int i = 0; i < 15; i++)
    pixels[i] = (float) i / 14;
  g_assert_true (lab_denoise_png_write (path, pixels, 5, 3, &error));
  g_assert_no_error (error);
  g_assert_true (lab_denoise_png_read (path, &back, &w, &h, &error));
  g_assert_no_error (error);
  g_assert_cmpint (w, ==, 5);
  g_assert_cmpint (h, ==, 3);
  for (int i = 0; i < 15; i++)
    g_assert_cmpfloat (fabsf (back[i] - pixels[i]), <=, 0.5f / 255 + 1e-6f);

  /* A garbled file and an unwritable path: errors that name the file. */
  g_assert_true (g_file_set_contents (bad, "\x89PNG\r\n\x1a\nnot a png at all", -1, NULL));
  g_clear_pointer (&back, g_free);
  g_assert_false (lab_denoise_png_read (bad, &back, &w, &h, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "bad.png"));
  g_clear_error (&error);
  g_assert_false (lab_denoise_png_write (missing, pixels, 5, 3, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "out.png"));

  g_unlink (path);
  g_unlink (bad);
  g_rmdir (dir);
}

/* Where a side x side patch lies in a w x h image (exactly, pixel for pixel), or FALSE. */
static gboolean
find_patch (const float *patch, int side, const float *image, int w, int h)
{
  for (int y = 0; y + side <= h; y++)
    for (int x = 0; x + side <= w; x++)
      {
        gboolean same = TRUE;

        for (int r = 0; r < side && same; r++)
          same = memcmp (patch + r * side, image + (gsize) (y + r) * w + x, sizeof (float) * side) == 0;
        if (same)
          return TRUE;
      }
  return FALSE;
}

/* Training data cut from opened images: random patches of one PNG or of a folder of PNGs of
 * different sizes, each patch found in its image; refusals that name the file. */
static void
test_train_on_patches (void)
{
  enum { PATCH_SIDE = 28, PATCHES = 300 };
  g_autofree char *dir = g_dir_make_tmp ("test-patches-XXXXXX", NULL);
  g_autofree char *big = g_build_filename (dir, "big.png", NULL);
  g_autofree char *tall = g_build_filename (dir, "tall.png", NULL);
  g_autofree char *tiny = g_build_filename (dir, "tiny.png", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *garbled_dir = g_build_filename (dir, "garbled", NULL);
  g_autofree char *garbled = g_build_filename (garbled_dir, "broken.png", NULL);
  const int sizes[2][2] = { { 120, 90 }, { 40, 150 } };
  float *images[2];
  float *read_back[2] = { NULL, NULL };
  g_autoptr (LabSession) session = lab_session_new ();
  g_autoptr (GError) error = NULL;
  float tiny_pixels[10 * 10] = { 0 };
  long found[2] = { 0, 0 };
  int channels, height, width;

  /* a smooth pattern with a different phase in each image, so a patch belongs to one place */
  for (int k = 0; k < 2; k++)
    {
      int w = sizes[k][0], h = sizes[k][1];

      images[k] = g_new (float, (gsize) w * h);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          images[k][(gsize) y * w + x] = 0.5f + 0.5f * sinf (0.37f * x + 0.11f * y * y + k);
      g_assert_true (lab_denoise_png_write (k == 0 ? big : tall, images[k], w, h, &error));
      g_assert_no_error (error);
      /* what the patches are cut from: the 8-bit image as read back */
      g_assert_true (lab_denoise_png_read (k == 0 ? big : tall, &read_back[k], &w, &h, &error));
    }
  /* smaller than a patch: skipped in a folder */
  g_assert_true (lab_denoise_png_write (tiny, tiny_pixels, 10, 10, &error));

  /* one image */
  g_assert_true (lab_denoise_train_on_patches (session, big, "denoising", 1, PATCH_SIDE, PATCHES, 7, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lab_session_get_preset (session), ==, "denoising");
  g_assert_true (lab_session_get_sample_shape (session, &channels, &height, &width));
  g_assert_cmpint (channels, ==, 1);
  g_assert_cmpint (height, ==, PATCH_SIDE);
  g_assert_cmpint (width, ==, PATCH_SIDE);
  g_assert_cmpint (lab_session_get_split_size (session, LAB_SPLIT_TRAIN)
                   + lab_session_get_split_size (session, LAB_SPLIT_VAL)
                   + lab_session_get_split_size (session, LAB_SPLIT_TEST), ==, PATCHES);
  g_assert_cmpint (lab_session_get_split_size (session, LAB_SPLIT_TEST), >, 0);
  for (long i = 0; i < PATCHES; i++)
    g_assert_true (find_patch (lab_session_get_dataset_sample (session, i, NULL), PATCH_SIDE,
                               read_back[0], sizes[0][0], sizes[0][1]));

  /* a folder: both large images give patches, about in proportion to their positions
   * (93 x 63 = 5859 against 13 x 123 = 1599), the tiny one none */
  g_assert_true (lab_denoise_train_on_patches (session, dir, "denoising", 1, PATCH_SIDE, PATCHES, 8, &error));
  g_assert_no_error (error);
  for (long i = 0; i < PATCHES; i++)
    {
      const float *patch = lab_session_get_dataset_sample (session, i, NULL);
      gboolean in_big = find_patch (patch, PATCH_SIDE, read_back[0], sizes[0][0], sizes[0][1]);
      gboolean in_tall = find_patch (patch, PATCH_SIDE, read_back[1], sizes[1][0], sizes[1][1]);

      g_assert_true (in_big != in_tall);
      found[in_big ? 0 : 1]++;
    }
  g_test_message ("patches from big.png %ld, from tall.png %ld", found[0], found[1]);
  g_assert_cmpint (found[1], >, PATCHES / 10);
  g_assert_cmpint (found[0], >, 2 * found[1]);

  /* refusals name what was wrong */
  g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);
  g_assert_false (lab_denoise_train_on_patches (session, empty, "denoising", 1, PATCH_SIDE, PATCHES, 1, &error));
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);
  g_assert_false (lab_denoise_train_on_patches (session, tiny, "denoising", 1, PATCH_SIDE, PATCHES, 1, &error));
  g_assert_nonnull (strstr (error->message, "tiny.png"));
  g_clear_error (&error);
  g_assert_cmpint (g_mkdir (garbled_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (garbled, "\x89PNG\r\n\x1a\ntruncated", -1, NULL));
  g_assert_false (lab_denoise_train_on_patches (session, garbled_dir, "denoising", 1, PATCH_SIDE, PATCHES, 1, &error));
  g_assert_nonnull (strstr (error->message, "broken.png"));
  g_clear_error (&error);
  /* the session keeps the last good data */
  g_assert_cmpint (lab_session_get_split_size (session, LAB_SPLIT_TRAIN)
                   + lab_session_get_split_size (session, LAB_SPLIT_VAL)
                   + lab_session_get_split_size (session, LAB_SPLIT_TEST), ==, PATCHES);

  for (int k = 0; k < 2; k++)
    {
      g_free (images[k]);
      g_free (read_back[k]);
    }
  g_unlink (garbled);
  g_rmdir (garbled_dir);
  g_rmdir (empty);
  g_unlink (big);
  g_unlink (tall);
  g_unlink (tiny);
  g_rmdir (dir);
}

/* The photo denoiser: a colour photo of any (odd) size denoised whole, the same values as
 * the model gives on an input of its own size; a grey image is refused by a colour model;
 * and training on a folder of colour photos makes colour patches for its preset. */
#define MODEL_SIDE 12
static void
test_photo_denoiser (void)
{
  enum { W = 23, H = 17 };
  AeConfig cfg;
  AeError err = { 0 };
  AeModel *model = NULL;
  size_t n = 0;
  g_autoptr (LabWeights) weights = NULL;
  g_autofree float *photo = g_new (float, 3 * W * H);
  g_autofree float *out = g_new (float, 3 * W * H);
  float small[3 * MODEL_SIDE * MODEL_SIDE], whole[3 * MODEL_SIDE * MODEL_SIDE];
  float reconstructed[3 * MODEL_SIDE * MODEL_SIDE];
  g_autofree char *dir = g_dir_make_tmp ("test-photos-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "photo.png", NULL);
  g_autoptr (LabSession) session = lab_session_new ();
  g_autoptr (GError) error = NULL;
  g_autofree float *big = g_new (float, 3 * 60 * 50);
  int channels, height, width;
  float *params;

  g_assert_cmpint (ae_config_preset (&cfg, "photo-denoiser", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "channels", "3", &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "height", G_STRINGIFY (MODEL_SIDE), &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "width", G_STRINGIFY (MODEL_SIDE), &err), ==, AE_OK);
  g_assert_cmpint (ae_config_set (&cfg, "hidden", "5,4", &err), ==, AE_OK);
  g_assert_cmpint (ae_model_new (&model, &cfg, &err), ==, AE_OK);
  /* the preset starts as the identity: weights that do something */
  params = ae_model_params (model, &n);
  for (size_t i = 0; i < n; i++)
    params[i] += 0.05f * sinf (1.7f * (float) i);
  weights = _lab_weights_new_take (model);

  for (int i = 0; i < 3 * W * H; i++)
    photo[i] = 0.5f + 0.4f * sinf (0.31f * (float) i);
  g_assert_true (lab_denoise_image (weights, out, photo, 3, W, H, MODEL_SIDE));
  for (int i = 0; i < 3 * W * H; i++)
    g_assert_true (out[i] >= 0.0f && out[i] <= 1.0f);
  /* on an input of the model's size, the model's own output (clamped as an image's) */
  memcpy (small, photo, sizeof small);
  g_assert_true (lab_denoise_image (weights, whole, small, 3, MODEL_SIDE, MODEL_SIDE, MODEL_SIDE));
  lab_weights_reconstruct (weights, reconstructed, small, 1);
  for (int i = 0; i < 3 * MODEL_SIDE * MODEL_SIDE; i++)
    g_assert_cmpfloat_with_epsilon (whole[i], CLAMP (reconstructed[i], 0.0f, 1.0f), 1e-6);
  /* a grey image through a colour model: refused */
  g_assert_false (lab_denoise_image (weights, out, photo, 1, W, H, MODEL_SIDE));

  /* a folder of one colour photo: colour patches for the photo denoiser */
  for (int i = 0; i < 3 * 60 * 50; i++)
    big[i] = 0.5f + 0.4f * sinf (0.05f * (float) i + (float) (i / 3000));
  g_assert_true (lab_denoise_png_write_planar (path, big, 60, 50, 3, &error));
  g_assert_true (lab_denoise_train_on_patches (session, dir, "photo-denoiser", 0,
                                               LAB_PHOTO_PATCH_SIDE, 100, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lab_session_get_preset (session), ==, "photo-denoiser");
  g_assert_true (lab_session_get_sample_shape (session, &channels, &height, &width));
  g_assert_cmpint (channels, ==, 3);
  g_assert_cmpint (height, ==, LAB_PHOTO_PATCH_SIDE);
  g_assert_cmpint (width, ==, LAB_PHOTO_PATCH_SIDE);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/denoise/noise-statistics", test_noise_statistics);
  g_test_add_func ("/denoise/filters-and-measures", test_filters_and_measures);
  g_test_add_func ("/denoise/patchwise", test_patchwise);
  g_test_add_func ("/denoise/patchwise-no-grid", test_patchwise_no_grid);
  g_test_add_func ("/denoise/curves", test_curves);
  g_test_add_func ("/denoise/png", test_png);
  g_test_add_func ("/denoise/train-on-patches", test_train_on_patches);
  g_test_add_func ("/denoise/photo-denoiser", test_photo_denoiser);
  return g_test_run ();
}
