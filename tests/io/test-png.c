/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PNG: every colour type, bit depth and interlacing read back to the right grey; damaged
 * files refused with messages naming them; writing; the folder and patch loaders. */
#include "io-test-util.h"

#include <png.h>
#include <zlib.h>

#include "ae-io.h"

#define W 13
#define H 7

typedef struct {
  const char *label;
  int color, depth, interlace;
} PngCase;

static int
channels_of (int color)
{
  switch (color)
    {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1; /* palette index */
    }
}

static const png_color palette[16] = {
  { 0, 0, 0 },     { 255, 255, 255 }, { 255, 0, 0 },   { 0, 255, 0 },   { 0, 0, 255 },   { 10, 20, 30 },
  { 200, 100, 50 }, { 7, 250, 9 },    { 128, 128, 128 }, { 90, 0, 180 }, { 1, 2, 3 },    { 250, 240, 230 },
  { 33, 66, 99 },  { 99, 66, 33 },    { 0, 128, 255 }, { 255, 128, 0 },
};

/* Sample value c of pixel (x, y), below 2^depth. */
static unsigned
sample (int x, int y, int c, int depth)
{
  unsigned max = (1u << depth) - 1;
  return (unsigned) (x * 37 + y * 101 + c * 59 + x * y * 13) % (max + 1);
}

/* The colour of pixel (x, y) after compositing its alpha onto white (the background of a
 * file without a bKGD chunk). */
static void
expected_rgb (int x, int y, const PngCase *pc, double rgb[3])
{
  double alpha = 1.0;
  if (pc->color == PNG_COLOR_TYPE_PALETTE)
    {
      unsigned index = sample (x, y, 0, pc->depth) % 16;
      const png_color *p = &palette[index];
      rgb[0] = p->red / 255.0, rgb[1] = p->green / 255.0, rgb[2] = p->blue / 255.0;
      alpha = index * 16 / 255.0;
    }
  else
    {
      double max = (double) ((1u << pc->depth) - 1);
      int colour = (pc->color & PNG_COLOR_MASK_COLOR) != 0;
      for (int c = 0; c < 3; c++)
        rgb[c] = sample (x, y, colour ? c : 0, pc->depth) / max;
      if (pc->color & PNG_COLOR_MASK_ALPHA)
        alpha = sample (x, y, channels_of (pc->color) - 1, pc->depth) / max;
    }
  for (int c = 0; c < 3; c++)
    rgb[c] = alpha * rgb[c] + (1.0 - alpha);
}

static double
expected_gray (int x, int y, const PngCase *pc)
{
  double rgb[3];
  expected_rgb (x, y, pc, rgb);
  return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
}

/* Writes the test image of one case with libpng directly. */
static void
write_case (const char *path, const PngCase *pc)
{
  FILE *f = fopen (path, "wb");
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  if (setjmp (png_jmpbuf (png)))
    {
      CHECK (0, "libpng failed writing %s", pc->label);
      png_destroy_write_struct (&png, &info);
      fclose (f);
      return;
    }
  png_init_io (png, f);
  png_set_IHDR (png, info, W, H, pc->depth, pc->color, pc->interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  if (pc->color == PNG_COLOR_TYPE_PALETTE)
    {
      png_byte alpha[16];
      for (int i = 0; i < 16; i++)
        alpha[i] = (png_byte) (i * 16);
      png_set_PLTE (png, info, palette, 1 << (pc->depth < 4 ? pc->depth : 4));
      png_set_tRNS (png, info, alpha, 1 << (pc->depth < 4 ? pc->depth : 4), NULL);
    }
  png_write_info (png, info);
  int ch = channels_of (pc->color);
  size_t rowbytes = ((size_t) W * ch * pc->depth + 7) / 8;
  static png_byte image[H][W * 4 * 2];
  png_bytep rows[H];
  memset (image, 0, sizeof image);
  for (int y = 0; y < H; y++)
    {
      rows[y] = image[y];
      for (int x = 0; x < W; x++)
        for (int c = 0; c < ch; c++)
          {
            unsigned v = sample (x, y, c, pc->depth);
            if (pc->color == PNG_COLOR_TYPE_PALETTE)
              v %= 16;
            size_t bit = ((size_t) x * ch + c) * pc->depth;
            if (pc->depth == 16)
              {
                image[y][bit / 8] = (png_byte) (v >> 8);
                image[y][bit / 8 + 1] = (png_byte) v;
              }
            else /* packed from the most significant bit */
              image[y][bit / 8] |= (png_byte) (v << (8 - pc->depth - bit % 8));
          }
    }
  (void) rowbytes;
  png_write_image (png, rows);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  fclose (f);
}

static const PngCase cases_list[] = {
  { "gray1", PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_NONE },
  { "gray2", PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_NONE },
  { "gray4", PNG_COLOR_TYPE_GRAY, 4, PNG_INTERLACE_NONE },
  { "gray8", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE },
  { "gray16", PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE },
  { "gray-alpha8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE },
  { "gray-alpha16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, PNG_INTERLACE_NONE },
  { "rgb8", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE },
  { "rgb16", PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE },
  { "rgba8", PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE },
  { "rgba16", PNG_COLOR_TYPE_RGB_ALPHA, 16, PNG_INTERLACE_NONE },
  { "palette8", PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE },
  { "palette4", PNG_COLOR_TYPE_PALETTE, 4, PNG_INTERLACE_NONE },
  { "palette1", PNG_COLOR_TYPE_PALETTE, 1, PNG_INTERLACE_NONE },
  { "gray8-interlaced", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_ADAM7 },
  { "gray2-interlaced", PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_ADAM7 },
  { "rgb8-interlaced", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7 },
  { "rgba16-interlaced", PNG_COLOR_TYPE_RGB_ALPHA, 16, PNG_INTERLACE_ADAM7 },
  { "palette8-interlaced", PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_ADAM7 },
};

static void
test_colour_types (void)
{
  char *dir = io_test_mkdtemp ();
  for (size_t k = 0; k < sizeof cases_list / sizeof cases_list[0]; k++)
    {
      const PngCase *pc = &cases_list[k];
      char name[64];
      snprintf (name, sizeof name, "%s.png", pc->label);
      char *path = io_test_path (dir, name);
      write_case (path, pc);
      float *px = NULL;
      int w = 0, h = 0;
      AeError err = { 0 };
      CHECK (ae_png_read_gray (path, &px, &w, &h, &err) == AE_OK, "%s: %s", pc->label, err.message);
      CHECK (w == W && h == H, "%s: %d x %d", pc->label, w, h);
      if (px != NULL && w == W && h == H)
        {
          double worst = 0;
          for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
              worst = fmax (worst, fabs (px[y * W + x] - expected_gray (x, y, pc)));
          CHECK (worst < 1e-5, "%s: grey off by %g", pc->label, worst);
        }
      free (px);

      /* As the file is: grey files stay one channel, the rest are RGB, planar. */
      uint8_t *buf;
      size_t len;
      int channels = 0;
      buf = io_test_read (path, &len);
      CHECK (ae_png_read_memory (buf, len, path, 0, &px, &w, &h, &channels, &err) == AE_OK, "%s: %s",
             pc->label, err.message);
      /* A 1-bit palette holds black and white only: a grey image. */
      int colour = pc->color == PNG_COLOR_TYPE_PALETTE ? pc->depth > 1 : (pc->color & PNG_COLOR_MASK_COLOR) != 0;
      CHECK (channels == (colour ? 3 : 1), "%s: %d channels", pc->label, channels);
      if (px != NULL && w == W && h == H)
        {
          double worst = 0;
          for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
              {
                double rgb[3];
                expected_rgb (x, y, pc, rgb);
                for (int c = 0; c < channels; c++)
                  worst = fmax (worst, fabs (px[(c * H + y) * W + x] - rgb[c]));
              }
          CHECK (worst < 1e-5, "%s: colour off by %g", pc->label, worst);
        }
      free (px);
      free (buf);
      free (path);
    }
  io_test_rmdir (dir);
}

/* A valid RGB PNG in memory, to damage. */
static uint8_t *
valid_png (const char *dir, size_t *len)
{
  char *path = io_test_path (dir, "valid.png");
  write_case (path, &cases_list[7]);
  uint8_t *buf = io_test_read (path, len);
  free (path);
  return buf;
}

static void
expect_refused (const char *path, const uint8_t *buf, size_t len, AeStatus want, const char *needle,
                const char *what)
{
  io_test_write (path, buf, len);
  float *px = NULL;
  int w = -1, h = -1;
  AeError err = { 0 };
  AeStatus st = ae_png_read_gray (path, &px, &w, &h, &err);
  CHECK (st == want && px == NULL, "%s: status %d (%s), expected %d", what, st, err.message, want);
  CHECK_NAMES (err, path);
  if (needle != NULL)
    CHECK (strstr (err.message, needle) != NULL, "%s: '%s' not in: %s", what, needle, err.message);
  free (px);
}

static size_t
find_chunk (const uint8_t *buf, size_t len, const char *type)
{
  for (size_t i = 8; i + 8 <= len; i++)
    if (memcmp (buf + i + 4, type, 4) == 0)
      return i;
  return 0;
}

static void
put_u32be (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v >> 24), p[1] = (uint8_t) (v >> 16), p[2] = (uint8_t) (v >> 8), p[3] = (uint8_t) v;
}

static void
test_damaged_files (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "damaged.png");
  size_t len;
  uint8_t *good = valid_png (dir, &len);
  uint8_t *buf = malloc (len);

  /* A flipped byte inside the image data: the chunk's CRC no longer matches. */
  size_t idat = find_chunk (good, len, "IDAT");
  CHECK (idat > 0, "no IDAT");
  memcpy (buf, good, len);
  buf[idat + 10] ^= 0x20;
  expect_refused (path, buf, len, AE_ERR_FORMAT, NULL, "flipped data byte");
  /* A flipped byte in the stored CRC itself. */
  uint32_t idat_len = (uint32_t) good[idat] << 24 | good[idat + 1] << 16 | good[idat + 2] << 8 | good[idat + 3];
  memcpy (buf, good, len);
  buf[idat + 8 + idat_len] ^= 0x01;
  expect_refused (path, buf, len, AE_ERR_FORMAT, "CRC", "bad CRC");

  /* Truncated anywhere after the signature. */
  for (size_t cut = 0; cut < len; cut += (cut < 40 ? 1 : 7))
    {
      char what[32];
      snprintf (what, sizeof what, "cut at %zu", cut);
      expect_refused (path, good, cut, AE_ERR_FORMAT, NULL, what);
    }
  expect_refused (path, good, len - 1, AE_ERR_FORMAT, NULL, "last byte cut");

  /* Not a PNG at all. */
  for (size_t i = 0; i < len; i++)
    buf[i] = (uint8_t) (i * 131 + 7);
  expect_refused (path, buf, len, AE_ERR_FORMAT, "not a PNG", "garbage");
  expect_refused (path, (const uint8_t *) "", 0, AE_ERR_FORMAT, "not a PNG", "empty file");

  /* An absurd declared size with a valid CRC: refused by the limits before allocating. */
  size_t ihdr = find_chunk (good, len, "IHDR");
  memcpy (buf, good, len);
  put_u32be (buf + ihdr + 8, 100000);
  put_u32be (buf + ihdr + 12, 100000);
  put_u32be (buf + ihdr + 21, (uint32_t) crc32 (0, buf + ihdr + 4, 17));
  expect_refused (path, buf, len, AE_ERR_LIMIT, "limit", "100000 x 100000");
  /* Within the limits but far more pixels than the file can hold. */
  put_u32be (buf + ihdr + 8, 5000);
  put_u32be (buf + ihdr + 12, 5000);
  put_u32be (buf + ihdr + 21, (uint32_t) crc32 (0, buf + ihdr + 4, 17));
  expect_refused (path, buf, len, AE_ERR_FORMAT, "5000 x 5000", "5000 x 5000");

  /* The memory reader names what it was given. */
  float *px = NULL;
  int w, h;
  AeError err = { 0 };
  CHECK (ae_png_read_gray_memory (good, len / 2, "half.png", &px, &w, &h, &err) == AE_ERR_FORMAT, "half");
  CHECK_NAMES (err, "half.png");
  CHECK (ae_png_read_gray (dir, &px, &w, &h, &err) == AE_ERR_IO, "folder as PNG");
  CHECK_NAMES (err, dir);
  free (buf);
  free (good);
  free (path);
  io_test_rmdir (dir);
}

static void
test_write_round_trip (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "out.png");
  float gray[W * H];
  for (int i = 0; i < W * H; i++)
    gray[i] = (float) ((i * 37) % 256) / 255.0f;
  gray[0] = -3.0f; /* clamped to black */
  gray[1] = 7.0f;  /* clamped to white */
  AeError err = { 0 };
  CHECK (ae_png_write_gray (path, gray, W, H, &err) == AE_OK, "%s", err.message);
  float *px = NULL;
  int w, h;
  CHECK (ae_png_read_gray (path, &px, &w, &h, &err) == AE_OK, "%s", err.message);
  CHECK (px != NULL && w == W && h == H, "size %d x %d", w, h);
  if (px != NULL)
    {
      CHECK (px[0] == 0.0f && px[1] == 1.0f, "clamping: %g %g", px[0], px[1]);
      double worst = 0;
      for (int i = 2; i < W * H; i++)
        worst = fmax (worst, fabs (px[i] - gray[i]));
      CHECK (worst < 1e-6, "grey round trip off by %g", worst);
    }
  free (px);

  for (int channels = 3; channels <= 4; channels++)
    {
      uint8_t rgb[W * H * 4];
      for (int i = 0; i < W * H * channels; i++)
        rgb[i] = (uint8_t) (i * 29 + 3);
      CHECK (ae_png_write_rgb (path, rgb, W, H, channels, &err) == AE_OK, "%s", err.message);
      CHECK (ae_png_read_gray (path, &px, &w, &h, &err) == AE_OK, "%s", err.message);
      double worst = 0;
      for (int i = 0; px != NULL && i < W * H; i++)
        {
          const uint8_t *p = rgb + i * channels;
          double alpha = channels == 4 ? p[3] / 255.0 : 1.0, v[3];
          for (int c = 0; c < 3; c++)
            v[c] = alpha * p[c] / 255.0 + (1.0 - alpha);
          worst = fmax (worst, fabs (px[i] - (0.299 * v[0] + 0.587 * v[1] + 0.114 * v[2])));
        }
      CHECK (px != NULL && worst < 1e-5, "%d channels: off by %g", channels, worst);
      free (px);
    }
  CHECK (io_test_count_entries (dir) == 1, "temporary files left");
  uint8_t rgb[12] = { 0 };
  CHECK (ae_png_write_rgb (path, rgb, 2, 2, 2, &err) == AE_ERR_INVALID, "2 channels");
  CHECK_NAMES (err, path);
  CHECK (ae_png_write_gray (path, gray, 0, 5, &err) == AE_ERR_INVALID, "zero width");
  CHECK_NAMES (err, path);
  char *nowhere = io_test_path (dir, "missing/out.png");
  CHECK (ae_png_write_gray (nowhere, gray, W, H, &err) == AE_ERR_IO, "missing folder");
  CHECK_NAMES (err, nowhere);
  free (nowhere);
  free (path);
  io_test_rmdir (dir);
}

static void
test_folder_loader (void)
{
  char *dir = io_test_mkdtemp ();
  char *zebra = io_test_path (dir, "zebra"), *ant = io_test_path (dir, "ant"), *empty = io_test_path (dir, "empty");
  mkdir (zebra, 0755);
  mkdir (ant, 0755);
  mkdir (empty, 0755);
  io_test_write_grey_png (zebra, "b.png", 6, 5, 1.0f);
  io_test_write_grey_png (zebra, "a.PNG", 6, 5, 0.0f);
  io_test_write_grey_png (ant, "x.png", 6, 5, 0.5f);
  char *notes = io_test_path (ant, "notes.txt");
  io_test_write (notes, "not an image", 12);

  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_image_folder_load (&ds, dir, NULL, &err) == AE_OK, "%s", err.message);
  if (ds != NULL)
    {
      CHECK (ds->n == 3 && ds->height == 5 && ds->width == 6, "%ld images of %d x %d", ds->n, ds->width, ds->height);
      CHECK (ds->n_classes == 2 && strcmp (ds->class_names[0], "ant") == 0
             && strcmp (ds->class_names[1], "zebra") == 0, "classes");
      /* Sorted: ant/x, zebra/a.PNG, zebra/b.png. */
      CHECK (ds->labels[0] == 0 && ds->labels[1] == 1 && ds->labels[2] == 1, "labels");
      CHECK (fabsf (ds->x[0] - 128 / 255.0f) < 1e-6 && ds->x[ds->dim] == 0.0f && ds->x[2 * ds->dim] == 1.0f,
             "pixels %g %g %g", ds->x[0], ds->x[ds->dim], ds->x[2 * ds->dim]);
    }
  ae_dataset_free (ds);

  /* Through ae_dataset_load, with a seeded split. */
  CHECK (ae_dataset_load (&ds, dir, 5, &err) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->n_train + ds->n_val + ds->n_test == 3, "split");
  ae_dataset_free (ds);

  /* An image of another size: every image is brought to the median short side (5), and
   * the note says so, with the file that is not an image. */
  io_test_write_grey_png (zebra, "c.png", 7, 5, 0.2f);
  CHECK (ae_image_folder_load (&ds, dir, NULL, &err) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->width == 5 && ds->height == 5 && ds->n == 4, "mixed sizes: %d x %d",
         ds ? ds->width : 0, ds ? ds->height : 0);
  CHECK (ds != NULL && strstr (ds->note, "4 of 4 images resized to 5 x 5") != NULL
         && strstr (ds->note, "1 file not PNG or JPEG skipped") != NULL, "note: %s", ds ? ds->note : "");
  ae_dataset_free (ds);

  /* A damaged image is named. */
  char *bad = io_test_path (zebra, "c.png");
  io_test_write (bad, "\x89PNG\r\n\x1a\n", 8);
  CHECK (ae_image_folder_load (&ds, dir, NULL, &err) == AE_ERR_FORMAT && ds == NULL, "damaged accepted");
  CHECK_NAMES (err, bad);
  free (bad);

  /* A folder without images. */
  CHECK (ae_image_folder_load (&ds, empty, NULL, &err) == AE_ERR_FORMAT && ds == NULL, "empty folder");
  CHECK_NAMES (err, empty);

  /* A flat folder: unlabelled. */
  CHECK (ae_image_folder_load (&ds, ant, NULL, &err) == AE_OK, "%s", err.message);
  CHECK (ds != NULL && ds->n == 1 && ds->labels == NULL && ds->n_classes == 0, "flat folder");
  ae_dataset_free (ds);
  free (notes);
  free (zebra);
  free (ant);
  free (empty);
  io_test_rmdir (dir);
}

static void
test_patches (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "photo.png");
  int w = 60, h = 44;
  float *px = malloc ((size_t) w * h * sizeof (float));
  for (int i = 0; i < w * h; i++)
    px[i] = (float) ((i * 7) % 256) / 255.0f;
  AeError err = { 0 };
  CHECK (ae_png_write_gray (path, px, w, h, &err) == AE_OK, "%s", err.message);
  AeDataset *ds = NULL;
  CHECK (ae_image_patches_load (&ds, path, NULL, 28, 14, &err) == AE_OK, "%s", err.message);
  /* (60 - 28) / 14 + 1 = 3 across, (44 - 28) / 14 + 1 = 2 down. */
  CHECK (ds != NULL && ds->n == 6 && ds->height == 28 && ds->width == 28, "%ld patches", ds ? ds->n : 0);
  if (ds != NULL && ds->n == 6)
    {
      /* Patch 4 is the second row's second: origin (14, 14). */
      double worst = 0;
      for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++)
          worst = fmax (worst, fabs (ds->x[4 * 784 + y * 28 + x] - px[(14 + y) * w + 14 + x]));
      CHECK (worst < 1e-6, "patch content off by %g", worst);
    }
  ae_dataset_free (ds);
  CHECK (ae_dataset_load (&ds, path, 1, &err) == AE_OK && ds != NULL && ds->n == 6, "%s", err.message);
  CHECK (ds != NULL && strcmp (ds->name, "photo.png") == 0, "name");
  ae_dataset_free (ds);
  CHECK (ae_image_patches_load (&ds, path, NULL, 50, 14, &err) == AE_ERR_FORMAT && ds == NULL, "patch larger than image");
  CHECK_NAMES (err, path);
  free (px);
  free (path);
  io_test_rmdir (dir);
}

static int
read_gray_status (void *path)
{
  float *pixels = NULL;
  int w, h;
  AeError err = { 0 };
  AeStatus st = ae_png_read_gray (path, &pixels, &w, &h, &err);
  free (pixels);
  return (int) st;
}

/* A few kilobytes of 1-bit PNG can declare 67 megapixels, 268 MB as floats: refused from
 * its header, before any row is decoded. */
/* A black 1-bit grey PNG of w (at most 16384) x h; 0 when libpng fails. Apart from the
 * test, so that nothing live across setjmp can be clobbered. */
static int
write_1bit_png (const char *path, int w, int h)
{
  static png_byte row[16384 / 8];
  FILE *f = fopen (path, "wb");
  if (f == NULL)
    return 0;
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      fclose (f);
      return 0;
    }
  png_init_io (png, f);
  png_set_IHDR (png, info, w, h, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (int y = 0; y < h; y++)
    png_write_row (png, row);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  fclose (f);
  return 1;
}

static void
test_area_budget (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "wide.png");
  if (!write_1bit_png (path, 16384, 4096))
    {
      CHECK (0, "libpng failed writing %s", path);
      free (path);
      io_test_rmdir (dir);
      return;
    }

  float *pixels = NULL;
  int rw, rh;
  AeError err = { 0 };
  CHECK (ae_png_read_gray (path, &pixels, &rw, &rh, &err) == AE_ERR_LIMIT && pixels == NULL,
         "status %d: %s", err.status, err.message);
  CHECK_NAMES (err, path);
  CHECK (strstr (err.message, "16384 x 4096") != NULL, "the size is not said: %s", err.message);
  free (pixels);
  int result;
  long peak_mb = io_test_child_peak_mb (read_gray_status, path, &result);
  CHECK (result == AE_ERR_LIMIT && peak_mb >= 0 && (!IO_TEST_PEAK_MEASURED || peak_mb < 64),
         "status %d, peak %ld MiB", result, peak_mb);
  free (path);
  io_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/png/colour-types", test_colour_types },
    { "/png/damaged-files", test_damaged_files },
    { "/png/write-round-trip", test_write_round_trip },
    { "/png/folder-loader", test_folder_loader },
    { "/png/patches", test_patches },
    { "/png/area-budget", test_area_budget },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
