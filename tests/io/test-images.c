/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Images of any kind: JPEG (grey, colour, damaged and lying files), PNG backgrounds and
 * 16-bit precision, resizing to a square, and folders of mixed kinds and sizes. */
#include "io-test-util.h"

#include <math.h>
#include <png.h>
#include <setjmp.h>

#include <jpeglib.h>

#include "ae-io.h"

/* A smooth test pattern, channel c of pixel (x, y), in [0, 1]. */
static double
pattern (int x, int y, int c, int w, int h)
{
  return 0.5 + 0.4 * sin (2.0 * x / w + 1.3 * c) * cos (1.5 * y / h - 0.7 * c);
}

/* Writes a JPEG of the pattern with libjpeg itself (components 1 or 3), at quality 98. */
static void
write_jpeg (const char *path, int w, int h, int components)
{
  struct jpeg_compress_struct info;
  struct jpeg_error_mgr errors;
  info.err = jpeg_std_error (&errors);
  jpeg_create_compress (&info);
  FILE *f = fopen (path, "wb");
  CHECK (f != NULL, "cannot write %s", path);
  jpeg_stdio_dest (&info, f);
  info.image_width = (JDIMENSION) w;
  info.image_height = (JDIMENSION) h;
  info.input_components = components;
  info.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults (&info);
  jpeg_set_quality (&info, 98, TRUE);
  jpeg_start_compress (&info, TRUE);
  uint8_t *row = malloc ((size_t) w * components);
  for (int y = 0; y < h; y++)
    {
      for (int x = 0; x < w; x++)
        for (int c = 0; c < components; c++)
          row[x * components + c] = (uint8_t) lrint (255.0 * pattern (x, y, c, w, h));
      JSAMPROW rows[1] = { row };
      jpeg_write_scanlines (&info, rows, 1);
    }
  jpeg_finish_compress (&info);
  jpeg_destroy_compress (&info);
  fclose (f);
  free (row);
}

/* The largest difference between planar pixels and the pattern. */
static double
pattern_error (const float *px, int w, int h, int channels)
{
  double worst = 0;
  for (int c = 0; c < channels; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        worst = fmax (worst, fabs (px[((size_t) c * h + y) * w + x] - pattern (x, y, c, w, h)));
  return worst;
}

static void
test_jpeg (void)
{
  char *dir = io_test_mkdtemp ();
  char *grey = io_test_path (dir, "grey.jpg"), *colour = io_test_path (dir, "colour.JPEG");
  write_jpeg (grey, 40, 24, 1);
  write_jpeg (colour, 40, 24, 3);
  float *px = NULL;
  int w, h, c;
  AeError err = { 0 };

  /* A grey file stays one channel; a colour file is RGB, planar, close to what was written. */
  CHECK (ae_image_read (grey, 0, &px, &w, &h, &c, &err) == AE_OK, "%s", err.message);
  CHECK (w == 40 && h == 24 && c == 1, "grey: %d x %d x %d", c, h, w);
  CHECK (px != NULL && pattern_error (px, w, h, 1) < 0.03, "grey off by %g", px ? pattern_error (px, w, h, 1) : -1);
  free (px);
  CHECK (ae_image_read (colour, 0, &px, &w, &h, &c, &err) == AE_OK, "%s", err.message);
  CHECK (w == 40 && h == 24 && c == 3, "colour: %d x %d x %d", c, h, w);
  CHECK (px != NULL && pattern_error (px, w, h, 3) < 0.05, "colour off by %g", px ? pattern_error (px, w, h, 3) : -1);
  float *rgb = px;

  /* Asked for grey, a colour file gives the luma of its RGB; asked for RGB, a grey file
   * repeats its grey in each channel. */
  CHECK (ae_image_read (colour, 1, &px, &w, &h, &c, &err) == AE_OK && c == 1, "%s", err.message);
  double worst = 0;
  for (int i = 0; px != NULL && rgb != NULL && i < w * h; i++)
    worst = fmax (worst, fabs (px[i] - (0.299 * rgb[i] + 0.587 * rgb[w * h + i] + 0.114 * rgb[2 * w * h + i])));
  CHECK (worst < 1e-5, "luma off by %g", worst);
  free (px);
  free (rgb);
  float *one = NULL;
  CHECK (ae_image_read (grey, 1, &one, &w, &h, &c, &err) == AE_OK, "%s", err.message);
  CHECK (ae_image_read (grey, 3, &px, &w, &h, &c, &err) == AE_OK && c == 3, "%s", err.message);
  worst = 0;
  for (int i = 0; px != NULL && one != NULL && i < w * h; i++)
    for (int k = 0; k < 3; k++)
      worst = fmax (worst, fabs (px[k * w * h + i] - one[i]));
  CHECK (worst == 0, "grey as RGB off by %g", worst);
  free (px);
  free (one);

  /* The header alone gives the size and kind. */
  CHECK (ae_image_probe (colour, &w, &h, &c, &err) == AE_OK && w == 40 && h == 24 && c == 3, "probe");
  CHECK (ae_image_read (colour, 2, &px, &w, &h, &c, &err) == AE_ERR_INVALID && px == NULL, "2 channels");
  CHECK_NAMES (err, colour);
  free (grey);
  free (colour);
  io_test_rmdir (dir);
}

static void
put_u16be (uint8_t *p, unsigned v)
{
  p[0] = (uint8_t) (v >> 8), p[1] = (uint8_t) v;
}

/* Damaged and lying JPEG files are refused with the file's name, never decoded into grey
 * padding, and never allowed to allocate what their header claims. */
static void
test_hostile_jpeg (void)
{
  char *dir = io_test_mkdtemp ();
  char *good_path = io_test_path (dir, "good.jpg"), *path = io_test_path (dir, "bad.jpg");
  write_jpeg (good_path, 64, 48, 3);
  size_t len;
  uint8_t *good = io_test_read (good_path, &len);
  uint8_t *buf = malloc (len);
  float *px = NULL;
  int w, h, c;
  AeError err = { 0 };

  /* Cut anywhere: before the header ends, inside the scan, just before the end marker. */
  for (size_t cut = 0; cut < len - 2; cut += cut < 700 ? 13 : 97)
    {
      io_test_write (path, good, cut);
      AeStatus st = ae_image_read (path, 0, &px, &w, &h, &c, &err);
      CHECK (st == AE_ERR_FORMAT && px == NULL, "cut at %zu of %zu: status %d (%s)", cut, len, st, err.message);
      CHECK_NAMES (err, path);
      free (px);
      px = NULL;
    }

  /* The frame header (SOF) claiming 60000 x 60000 pixels: over the limit, refused before
   * anything of that size is allocated. Then 16000 x 16000, within the limit but far more
   * than this small file can hold. */
  size_t sof = 0;
  for (size_t i = 2; i + 9 < len; i++)
    if (good[i] == 0xFF && (good[i + 1] == 0xC0 || good[i + 1] == 0xC2))
      {
        sof = i;
        break;
      }
  CHECK (sof > 0, "no SOF marker in the test file");
  memcpy (buf, good, len);
  put_u16be (buf + sof + 5, 60000);
  put_u16be (buf + sof + 7, 60000);
  io_test_write (path, buf, len);
  CHECK (ae_image_read (path, 0, &px, &w, &h, &c, &err) == AE_ERR_LIMIT && px == NULL, "60000: %s", err.message);
  CHECK_NAMES (err, path);
  CHECK (strstr (err.message, "60000 x 60000") != NULL, "%s", err.message);
  CHECK (ae_image_probe (path, &w, &h, &c, &err) == AE_ERR_LIMIT, "probe of 60000: %s", err.message);
  put_u16be (buf + sof + 5, 16000);
  put_u16be (buf + sof + 7, 16000);
  io_test_write (path, buf, len);
  CHECK (ae_image_read (path, 0, &px, &w, &h, &c, &err) == AE_ERR_FORMAT && px == NULL, "16000: %s", err.message);
  CHECK (strstr (err.message, "cannot hold") != NULL, "%s", err.message);

  /* A JPEG start followed by garbage; a file that is neither format. */
  for (size_t i = 3; i < len; i++)
    buf[i] = (uint8_t) (i * 131 + 7);
  io_test_write (path, buf, len);
  CHECK (ae_image_read (path, 0, &px, &w, &h, &c, &err) == AE_ERR_FORMAT && px == NULL, "garbage: %s", err.message);
  CHECK_NAMES (err, path);
  io_test_write (path, "GIF89a....", 10);
  CHECK (ae_image_read (path, 0, &px, &w, &h, &c, &err) == AE_ERR_FORMAT, "GIF accepted");
  CHECK (strstr (err.message, "neither a PNG nor a JPEG") != NULL, "%s", err.message);
  io_test_write (path, "", 0);
  CHECK (ae_image_read (path, 0, &px, &w, &h, &c, &err) == AE_ERR_FORMAT, "empty accepted");

  free (buf);
  free (good);
  free (good_path);
  free (path);
  io_test_rmdir (dir);
}

/* An RGBA PNG with a bKGD chunk: transparent pixels take the background's colour, half
 * transparent ones a mix; a 16-bit grey PNG keeps steps of 1/65535. */
static void
test_png_background_and_depth (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "bkgd.png");
  FILE *f = fopen (path, "wb");
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  png_init_io (png, f);
  png_set_IHDR (png, info, 3, 1, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  png_color_16 background = { .red = 0, .green = 0, .blue = 255 };
  png_set_bKGD (png, info, &background);
  png_write_info (png, info);
  png_byte row[12] = { 255, 0, 0, 0, /* transparent red */ 255, 0, 0, 255, /* opaque red */
                       255, 0, 0, 51 /* 20 % red */ };
  png_write_row (png, row);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  fclose (f);

  float *px = NULL;
  int w, h, c;
  AeError err = { 0 };
  CHECK (ae_image_read (path, 0, &px, &w, &h, &c, &err) == AE_OK && c == 3 && w == 3, "%s", err.message);
  if (px != NULL)
    {
      /* Planar: red plane px[0..2], green px[3..5], blue px[6..8]. */
      CHECK (px[0] == 0.0f && px[3] == 0.0f && px[6] == 1.0f, "transparent: %g %g %g", px[0], px[3], px[6]);
      CHECK (px[1] == 1.0f && px[4] == 0.0f && px[7] == 0.0f, "opaque: %g %g %g", px[1], px[4], px[7]);
      CHECK (fabsf (px[2] - 0.2f) < 1e-6 && fabsf (px[8] - 0.8f) < 1e-6, "20 %%: %g %g", px[2], px[8]);
    }
  free (px);

  /* 16 bits: 0, 1, 2 and 65535 of 65535 are four different values. */
  f = fopen (path, "wb");
  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  info = png_create_info_struct (png);
  png_init_io (png, f);
  png_set_IHDR (png, info, 4, 1, 16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  png_byte deep[8] = { 0, 0, 0, 1, 0, 2, 255, 255 };
  png_write_row (png, deep);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  fclose (f);
  CHECK (ae_image_read (path, 0, &px, &w, &h, &c, &err) == AE_OK && c == 1 && w == 4, "%s", err.message);
  if (px != NULL)
    CHECK (px[0] == 0.0f && fabsf (px[1] - 1.0f / 65535) < 1e-9 && fabsf (px[2] - 2.0f / 65535) < 1e-9
           && px[3] == 1.0f, "16-bit: %.9g %.9g %.9g %.9g", px[0], px[1], px[2], px[3]);
  free (px);
  free (path);
  io_test_rmdir (dir);
}

/* Resizing: area means when shrinking, bilinear when enlarging, the centred square. */
static void
test_square (void)
{
  AeError err = { 0 };
  /* 4 x 4 to 2 x 2: each output is the mean of a 2 x 2 block. */
  float src[16], dst[16];
  for (int i = 0; i < 16; i++)
    src[i] = (float) i / 16.0f;
  CHECK (ae_image_square (dst, 2, src, 4, 4, 1, &err) == AE_OK, "%s", err.message);
  float want[4] = { (0 + 1 + 4 + 5) / 64.0f, (2 + 3 + 6 + 7) / 64.0f, (8 + 9 + 12 + 13) / 64.0f,
                    (10 + 11 + 14 + 15) / 64.0f };
  for (int i = 0; i < 4; i++)
    CHECK (fabsf (dst[i] - want[i]) < 1e-6, "shrink %d: %g, expected %g", i, dst[i], want[i]);

  /* 3 x 3 to 2 x 2: output 0 covers source [0, 1.5) in each direction, so pixel 0 counts
   * fully and pixel 1 by half: (1 * v0 + 0.5 * v1) / 1.5 along each axis. */
  float three[9] = { 0, 0.3f, 0.9f, 0, 0.3f, 0.9f, 0, 0.3f, 0.9f };
  CHECK (ae_image_square (dst, 2, three, 3, 3, 1, &err) == AE_OK, "%s", err.message);
  CHECK (fabsf (dst[0] - 0.1f) < 1e-6 && fabsf (dst[1] - (0.15f + 0.9f) / 1.5f) < 1e-6, "fractional: %g %g", dst[0],
         dst[1]);

  /* 2 x 2 to 4 x 4: sample centres at (i + 0.5) / 2 - 0.5, clamped at the edges. */
  float two[4] = { 0.0f, 1.0f, 0.0f, 1.0f };
  CHECK (ae_image_square (dst, 4, two, 2, 2, 1, &err) == AE_OK, "%s", err.message);
  float row[4] = { 0.0f, 0.25f, 0.75f, 1.0f };
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++)
      CHECK (fabsf (dst[y * 4 + x] - row[x]) < 1e-6, "enlarge (%d, %d): %g", x, y, dst[y * 4 + x]);

  /* A 6 x 2 image with two channels keeps its centre columns 2 and 3 at 2 x 2. */
  float wide[24];
  for (int i = 0; i < 24; i++)
    wide[i] = (float) i / 24.0f;
  CHECK (ae_image_square (dst, 2, wide, 6, 2, 2, &err) == AE_OK, "%s", err.message);
  float centre[8] = { 2, 3, 8, 9, 14, 15, 20, 21 };
  for (int i = 0; i < 8; i++)
    CHECK (fabsf (dst[i] - centre[i] / 24.0f) < 1e-6, "crop %d: %g", i, dst[i] * 24);
}

static void
write_rgb_png (const char *dir, const char *name, int w, int h, uint8_t r, uint8_t g, uint8_t b)
{
  char *path = io_test_path (dir, name);
  uint8_t *px = malloc ((size_t) w * h * 3);
  for (int i = 0; i < w * h; i++)
    px[3 * i] = r, px[3 * i + 1] = g, px[3 * i + 2] = b;
  AeError err = { 0 };
  CHECK (ae_png_write_rgb (path, px, w, h, 3, &err) == AE_OK, "%s", err.message);
  free (px);
  free (path);
}

/* Two classes of PNG and JPEG files in several sizes, one of them colour, and a text file:
 * colour unless asked for grey, one size chosen or given, the text file counted. */
static void
test_mixed_folder (void)
{
  char *dir = io_test_mkdtemp ();
  char *cats = io_test_path (dir, "cats"), *dogs = io_test_path (dir, "dogs");
  mkdir (cats, 0755);
  mkdir (dogs, 0755);
  io_test_write_grey_png (cats, "a.png", 40, 30, 0.25f);
  write_rgb_png (cats, "b.png", 20, 50, 255, 0, 0);
  char *jpeg = io_test_path (dogs, "c.jpg");
  write_jpeg (jpeg, 64, 48, 3);
  io_test_write_grey_png (dogs, "d.png", 100, 90, 1.0f);
  char *readme = io_test_path (dogs, "README.txt");
  io_test_write (readme, "photos of dogs", 14);

  AeDataset *ds = NULL;
  AeError err = { 0 };
  /* Short sides 30, 20, 48, 90: the median (the upper of the middle two) is 48. */
  CHECK (ae_image_folder_load (&ds, dir, NULL, &err) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->n == 4 && ds->channels == 3 && ds->height == 48 && ds->width == 48,
         "automatic: %ld of %d x %d x %d", ds ? ds->n : 0, ds ? ds->channels : 0, ds ? ds->height : 0,
         ds ? ds->width : 0);
  if (ds != NULL && ds->channels == 3)
    {
      CHECK (ds->n_classes == 2 && ds->labels[0] == 0 && ds->labels[3] == 1, "classes");
      /* The grey image repeats its grey in R, G and B; the red one is red. */
      size_t plane = (size_t) ds->height * ds->width;
      const float *a = ds->x, *b = ds->x + ds->dim;
      CHECK (fabsf (a[0] - 0.25f) < 0.003f && a[plane] == a[0] && a[2 * plane] == a[0], "grey as RGB");
      CHECK (b[0] == 1.0f && b[plane] == 0.0f && b[2 * plane] == 0.0f, "red: %g %g %g", b[0], b[plane], b[2 * plane]);
      CHECK (strstr (ds->note, "4 of 4 images resized to 48 x 48") != NULL
             && strstr (ds->note, "1 file not PNG or JPEG skipped") != NULL, "note: %s", ds->note);
    }
  ae_dataset_free (ds);

  /* Grey on request, at a size given: the red image becomes its luma. */
  AeImageOptions grey16 = { .channels = 1, .image_size = 16 };
  CHECK (ae_image_folder_load (&ds, dir, &grey16, &err) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->channels == 1 && ds->height == 16 && ds->width == 16, "grey 16");
  CHECK (ds != NULL && fabsf (ds->x[ds->dim] - 0.299f) < 1e-5, "red as grey: %g", ds ? ds->x[ds->dim] : -1);
  ae_dataset_free (ds);

  /* Through ae_dataset_load_with; options are refused for data that are not images. */
  AeImageOptions colour8 = { .channels = 3, .image_size = 8 };
  CHECK (ae_dataset_load_with (&ds, dir, &colour8, 3, &err) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->dim == 3 * 8 * 8 && ds->n_train + ds->n_val + ds->n_test == 4, "load_with");
  ae_dataset_free (ds);
  CHECK (ae_dataset_load_with (&ds, "digits", &colour8, 3, &err) == AE_ERR_INVALID && ds == NULL, "digits in colour");
  CHECK_NAMES (err, "digits");
  AeImageOptions bad = { .channels = 2 };
  CHECK (ae_image_folder_load (&ds, dir, &bad, &err) == AE_ERR_INVALID && ds == NULL, "2 channels");
  CHECK_NAMES (err, dir);

  /* One colour JPEG cut into patches of the size given. */
  AeImageOptions patch16 = { .image_size = 16 };
  CHECK (ae_image_patches_load (&ds, jpeg, &patch16, 28, 14, &err) == AE_OK, "%s", err.message);
  /* (64 - 16) / 8 + 1 = 7 across, (48 - 16) / 8 + 1 = 5 down. */
  CHECK (ds != NULL && ds->n == 35 && ds->channels == 3 && ds->height == 16, "patches: %ld", ds ? ds->n : 0);
  if (ds != NULL && ds->n == 35)
    {
      /* Patch 8 (second row, second column) starts at (8, 8); its blue plane follows. */
      const float *p = ds->x + 8 * (size_t) ds->dim + 2 * 256;
      CHECK (fabs (p[0] - pattern (8, 8, 2, 64, 48)) < 0.05, "patch blue %g", p[0]);
    }
  ae_dataset_free (ds);

  /* A damaged image in the folder is named. */
  io_test_write (jpeg, "\xff\xd8\xff\xe0", 4);
  CHECK (ae_image_folder_load (&ds, dir, NULL, &err) == AE_ERR_FORMAT && ds == NULL, "damaged accepted");
  CHECK_NAMES (err, jpeg);
  free (jpeg);
  free (readme);
  free (cats);
  free (dogs);
  io_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/images/jpeg", test_jpeg },
    { "/images/hostile-jpeg", test_hostile_jpeg },
    { "/images/png-background-and-depth", test_png_background_and_depth },
    { "/images/square", test_square },
    { "/images/mixed-folder", test_mixed_folder },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
