/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-image.c: images of any kind (PNG or JPEG, told apart by their first bytes), their
 * resizing to a square, and the image dataset loaders (a folder of images, one image cut
 * into patches). */
#include "ae-io.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ae-io-private.h"
#include "ae-rng.h"

/* Without --image-size, a folder of mixed sizes is brought to its median short side, but
 * no larger than this: a model of 64 x 64 x 3 inputs still trains in minutes. */
#define DEFAULT_SIDE_MAX 64

static const uint8_t png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

AeStatus
ae_image_read_memory (const uint8_t *buf, size_t len, const char *name, int want_channels,
                      float **pixels, int *width, int *height, int *channels, AeError *err)
{
  if (ae_jpeg_signature (buf, len))
    return ae_jpeg_read_memory (buf, len, name, want_channels, pixels, width, height, channels, err);
  if (len >= 8 && memcmp (buf, png_signature, 8) == 0)
    return ae_png_read_memory (buf, len, name, want_channels, pixels, width, height, channels, err);
  *pixels = NULL;
  *width = *height = *channels = 0;
  return ae_error_set (err, AE_ERR_FORMAT, "%s: neither a PNG nor a JPEG file (by its first bytes)", name);
}

AeStatus
ae_image_read (const char *path, int want_channels, float **pixels, int *width, int *height,
               int *channels, AeError *err)
{
  uint8_t *buf;
  size_t len;
  *pixels = NULL;
  *width = *height = *channels = 0;
  AeStatus status = ae_file_read_all (path, AE_IMAGE_FILE_MAX, &buf, &len, err);
  if (status != AE_OK)
    return status;
  status = ae_image_read_memory (buf, len, path, want_channels, pixels, width, height, channels, err);
  free (buf);
  return status;
}

/* A PNG's size and kind from its IHDR chunk (always the first), and for a palette image
 * whether every entry is grey; the pixels are checked when the image is decoded. */
static AeStatus
probe_png (const uint8_t *buf, size_t len, const char *name, int *width, int *height,
           int *channels, AeError *err)
{
  if (len < 33 || memcmp (buf + 12, "IHDR", 4) != 0)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: bad PNG: no IHDR chunk at offset 8", name);
  uint32_t w = ae_read_u32be (buf + 16), h = ae_read_u32be (buf + 20);
  uint8_t color = buf[25];
  if (w == 0 || h == 0 || w > AE_MAX_IMAGE_SIDE || h > AE_MAX_IMAGE_SIDE)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: bad PNG: %u x %u pixels: each side must be 1 to %d",
                         name, w, h, AE_MAX_IMAGE_SIDE);
  int colour = (color & 2) != 0;
  if (color == 3)
    {
      colour = 0;
      for (size_t pos = 8; pos + 12 <= len;)
        {
          uint32_t n = ae_read_u32be (buf + pos);
          if (n > len - pos - 12)
            break;
          if (memcmp (buf + pos + 4, "PLTE", 4) == 0)
            for (uint32_t k = 0; k + 3 <= n; k += 3)
              {
                const uint8_t *rgb = buf + pos + 8 + k;
                colour |= rgb[0] != rgb[1] || rgb[1] != rgb[2];
              }
          if (memcmp (buf + pos + 4, "IDAT", 4) == 0)
            break;
          pos += 12 + (size_t) n;
        }
    }
  *width = (int) w;
  *height = (int) h;
  *channels = colour ? 3 : 1;
  return AE_OK;
}

AeStatus
ae_image_probe (const char *path, int *width, int *height, int *channels, AeError *err)
{
  uint8_t *buf;
  size_t len;
  *width = *height = *channels = 0;
  AeStatus status = ae_file_read_all (path, AE_IMAGE_FILE_MAX, &buf, &len, err);
  if (status != AE_OK)
    return status;
  if (ae_jpeg_signature (buf, len))
    status = ae_jpeg_probe_memory (buf, len, path, width, height, channels, err);
  else if (len >= 8 && memcmp (buf, png_signature, 8) == 0)
    status = probe_png (buf, len, path, width, height, channels, err);
  else
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: neither a PNG nor a JPEG file (by its first bytes)", path);
  free (buf);
  return status;
}

/* ---- resizing ---- */

/* How dst_n samples are made from src_n along one axis: output i is the weighted sum of
 * source samples first[i] .. first[i] + count[i] - 1 with weights weights[i * taps ..]. */
typedef struct {
  int taps;
  int *first, *count;
  float *weights;
} Resampler;

static int
resampler_init (Resampler *r, int src_n, int dst_n)
{
  double f = (double) src_n / dst_n;
  r->taps = f > 1.0 ? (int) ceil (f) + 1 : 2;
  r->first = malloc ((size_t) dst_n * sizeof (int));
  r->count = malloc ((size_t) dst_n * sizeof (int));
  r->weights = calloc ((size_t) dst_n * (size_t) r->taps, sizeof (float));
  if (r->first == NULL || r->count == NULL || r->weights == NULL)
    return -1;
  for (int i = 0; i < dst_n; i++)
    {
      float *w = r->weights + (size_t) i * r->taps;
      if (f > 1.0)
        {
          /* Shrinking: the mean over the source interval [i f, (i + 1) f), each source
           * sample weighted by how much of it lies inside. */
          double lo = i * f, hi = (i + 1) * f;
          int first = (int) floor (lo), last = (int) ceil (hi) - 1;
          if (last > src_n - 1)
            last = src_n - 1;
          r->first[i] = first;
          r->count[i] = last - first + 1;
          for (int j = first; j <= last; j++)
            w[j - first] = (float) ((fmin (hi, j + 1.0) - fmax (lo, (double) j)) / f);
        }
      else
        {
          /* Enlarging (or the same size): linear between the two nearest sample centres. */
          double x = (i + 0.5) * f - 0.5;
          x = x < 0 ? 0 : x > src_n - 1 ? src_n - 1 : x;
          int j = (int) floor (x);
          double t = x - j;
          r->first[i] = j;
          r->count[i] = j + 1 < src_n ? 2 : 1;
          w[0] = (float) (1.0 - t);
          w[1] = r->count[i] == 2 ? (float) t : 0.0f;
        }
    }
  return 0;
}

static void
resampler_free (Resampler *r)
{
  free (r->first);
  free (r->count);
  free (r->weights);
}

AeStatus
ae_image_square (float *dst, int side, const float *src, int width, int height, int channels,
                 AeError *err)
{
  int crop = width < height ? width : height;
  int ox = (width - crop) / 2, oy = (height - crop) / 2;
  Resampler r = { 0 };
  float *across = malloc ((size_t) crop * (size_t) side * sizeof (float));
  if (across == NULL || resampler_init (&r, crop, side) != 0)
    {
      free (across);
      resampler_free (&r);
      return ae_error_set (err, AE_ERR_NOMEM, "out of memory resizing %d x %d pixels to %d x %d", width,
                           height, side, side);
    }
  for (int c = 0; c < channels; c++)
    {
      const float *plane = src + (size_t) c * (size_t) width * (size_t) height;
      /* Along x first, over the crop's rows: (crop, side). */
      for (int y = 0; y < crop; y++)
        {
          const float *row = plane + (size_t) (oy + y) * (size_t) width + (size_t) ox;
          for (int i = 0; i < side; i++)
            {
              const float *w = r.weights + (size_t) i * r.taps;
              float sum = 0.0f;
              for (int k = 0; k < r.count[i]; k++)
                sum += w[k] * row[r.first[i] + k];
              across[(size_t) y * side + (size_t) i] = sum;
            }
        }
      /* Then along y: (side, side). */
      float *out = dst + (size_t) c * (size_t) side * (size_t) side;
      for (int i = 0; i < side; i++)
        {
          const float *w = r.weights + (size_t) i * r.taps;
          float *line = out + (size_t) i * side;
          for (int x = 0; x < side; x++)
            line[x] = 0.0f;
          for (int k = 0; k < r.count[i]; k++)
            {
              const float *src_line = across + (size_t) (r.first[i] + k) * side;
              for (int x = 0; x < side; x++)
                line[x] += w[k] * src_line[x];
            }
          for (int x = 0; x < side; x++)
            line[x] = line[x] < 0.0f ? 0.0f : line[x] > 1.0f ? 1.0f : line[x];
        }
    }
  free (across);
  resampler_free (&r);
  return AE_OK;
}

/* ---- loaders ---- */

static int
has_extension (const char *name, const char *ext)
{
  size_t n = strlen (name), e = strlen (ext);
  return n > e && strcasecmp (name + n - e, ext) == 0;
}

int
ae_image_name_is_image (const char *name)
{
  return name[0] != '.'
         && (has_extension (name, ".png") || has_extension (name, ".jpg") || has_extension (name, ".jpeg"));
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

typedef struct {
  char **items;
  size_t n, cap;
} NameList;

static int
name_list_add (NameList *list, const char *name)
{
  if (list->n == list->cap)
    {
      size_t cap = list->cap ? list->cap * 2 : 64;
      char **grown = realloc (list->items, cap * sizeof *grown);
      if (grown == NULL)
        return -1;
      list->items = grown;
      list->cap = cap;
    }
  list->items[list->n] = strdup (name);
  return list->items[list->n++] ? 0 : -1;
}

static void
name_list_free (NameList *list)
{
  for (size_t i = 0; i < list->n; i++)
    free (list->items[i]);
  free (list->items);
}

/* Lists image files (want_dirs = 0) or sub-folders (want_dirs = 1) of dir, sorted; other
 * regular files are counted in *skipped. Hidden entries are passed over. */
static AeStatus
list_folder (const char *dir, int want_dirs, NameList *out, long *skipped, AeError *err)
{
  DIR *d = opendir (dir);
  if (d == NULL)
    return ae_error_set (err, AE_ERR_IO, "%s: cannot open the folder: %s", dir, strerror (errno));
  AeStatus status = AE_OK;
  for (struct dirent *e; status == AE_OK && (e = readdir (d)) != NULL;)
    {
      if (e->d_name[0] == '.')
        continue;
      char *full = NULL;
      if (asprintf (&full, "%s/%s", dir, e->d_name) < 0)
        {
          status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
          break;
        }
      struct stat st;
      int ok = stat (full, &st) == 0;
      free (full);
      if (!ok)
        continue;
      int image = S_ISREG (st.st_mode) && ae_image_name_is_image (e->d_name);
      if (!want_dirs && S_ISREG (st.st_mode) && !image && skipped != NULL)
        (*skipped)++;
      int wanted = want_dirs ? S_ISDIR (st.st_mode) : image;
      if (wanted && name_list_add (out, e->d_name) != 0)
        status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
    }
  closedir (d);
  if (out->n > 1)
    qsort (out->items, out->n, sizeof *out->items, compare_names);
  return status;
}

static int
compare_ints (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

static AeStatus
check_options (const char *name, const AeImageOptions *opt, AeError *err)
{
  if (opt->channels != 0 && opt->channels != 1 && opt->channels != 3)
    return ae_error_set (err, AE_ERR_INVALID, "%s: %d channels: expected 1 (grey) or 3 (RGB)", name,
                         opt->channels);
  if (opt->image_size < 0 || opt->image_size > AE_MAX_IMAGE_SIDE)
    return ae_error_set (err, AE_ERR_INVALID, "%s: image size %d: expected 1 to %d", name, opt->image_size,
                         AE_MAX_IMAGE_SIDE);
  return AE_OK;
}

AeStatus
ae_image_folder_load (AeDataset **out, const char *dir, const AeImageOptions *options, AeError *err)
{
  static const AeImageOptions automatic = { 0 };
  const AeImageOptions *opt = options != NULL ? options : &automatic;
  *out = NULL;
  AeStatus status = check_options (dir, opt, err);
  if (status != AE_OK)
    return status;
  NameList top = { 0 }, subdirs = { 0 }, files = { 0 };
  long skipped = 0;
  status = list_folder (dir, 0, &top, &skipped, err);
  if (status == AE_OK)
    status = list_folder (dir, 1, &subdirs, NULL, err);

  /* Every image as "class/file" or "file", with the class index beside it. */
  int *file_class = NULL;
  NameList class_names = { 0 };
  for (size_t s = 0; s < subdirs.n && status == AE_OK; s++)
    {
      char *sub = NULL;
      NameList inside = { 0 };
      if (asprintf (&sub, "%s/%s", dir, subdirs.items[s]) < 0)
        {
          status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
          break;
        }
      status = list_folder (sub, 0, &inside, &skipped, err);
      free (sub);
      if (status == AE_OK && inside.n > 0)
        {
          /* A folder without images is not a class. */
          if (name_list_add (&class_names, subdirs.items[s]) != 0)
            status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
          int *grown = realloc (file_class, (files.n + inside.n) * sizeof *grown);
          if (grown == NULL)
            status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
          else
            file_class = grown;
          for (size_t i = 0; i < inside.n && status == AE_OK; i++)
            {
              char *rel = NULL;
              if (asprintf (&rel, "%s/%s", subdirs.items[s], inside.items[i]) < 0 || name_list_add (&files, rel) != 0)
                status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
              else
                file_class[files.n - 1] = (int) class_names.n - 1;
              free (rel);
            }
        }
      name_list_free (&inside);
    }
  if (status == AE_OK && class_names.n > 0 && top.n > 0)
    status = ae_error_set (err, AE_ERR_FORMAT,
                           "%s: %s lies beside the class folders; put every image in a class folder",
                           dir, top.items[0]);
  if (status == AE_OK && class_names.n == 0)
    for (size_t i = 0; i < top.n && status == AE_OK; i++)
      if (name_list_add (&files, top.items[i]) != 0)
        status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
  if (status == AE_OK && files.n == 0)
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: no PNG or JPEG files in this folder or its sub-folders",
                           dir);
  if (status == AE_OK && files.n > (size_t) AE_MAX_SAMPLES)
    status = ae_error_set (err, AE_ERR_LIMIT, "%s: %zu images: at most %ld", dir, files.n, AE_MAX_SAMPLES);

  /* First the sizes and kinds from the headers: the sample shape depends on all of them
   * (any colour image makes the dataset colour; mixed sizes meet at a median side). */
  char **paths = status == AE_OK ? calloc (files.n, sizeof *paths) : NULL;
  int *short_sides = status == AE_OK ? malloc (files.n * sizeof *short_sides) : NULL;
  if (status == AE_OK && (paths == NULL || short_sides == NULL))
    status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
  int channels = 1, width = 0, height = 0, same_size = 1;
  for (size_t i = 0; i < files.n && status == AE_OK; i++)
    {
      int w, h, c;
      if (asprintf (&paths[i], "%s/%s", dir, files.items[i]) < 0)
        {
          paths[i] = NULL;
          status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
          break;
        }
      status = ae_image_probe (paths[i], &w, &h, &c, err);
      if (status != AE_OK)
        break;
      if (i == 0)
        width = w, height = h;
      same_size &= w == width && h == height;
      short_sides[i] = w < h ? w : h;
      if (c == 3)
        channels = 3;
    }
  if (opt->channels != 0)
    channels = opt->channels;
  int side = opt->image_size;
  if (status == AE_OK && side == 0 && !same_size)
    {
      qsort (short_sides, files.n, sizeof *short_sides, compare_ints);
      side = short_sides[files.n / 2];
      side = side < DEFAULT_SIDE_MAX ? side : DEFAULT_SIDE_MAX;
    }
  if (status == AE_OK && side > 0)
    width = height = side;

  AeDataset *ds = NULL;
  if (status == AE_OK)
    {
      status = ae_dataset_new (&ds, (long) files.n, channels, height, width, (int) class_names.n, err);
      if (status != AE_OK)
        ae_error_prefix (err, "%s", dir);
    }
  long resized = 0;
  for (size_t i = 0; i < files.n && status == AE_OK; i++)
    {
      float *pixels;
      int w, h, c;
      status = ae_image_read (paths[i], channels, &pixels, &w, &h, &c, err);
      if (status != AE_OK)
        break;
      float *dst = ds->x + i * (size_t) ds->dim;
      if (side == 0 && (w != width || h != height))
        status = ae_error_set (err, AE_ERR_FORMAT, "%s: %d x %d pixels, but its header said %d x %d", paths[i],
                               w, h, width, height);
      else if (side == 0 || (w == side && h == side))
        memcpy (dst, pixels, (size_t) ds->dim * sizeof (float));
      else
        {
          status = ae_image_square (dst, side, pixels, w, h, channels, err);
          if (status != AE_OK)
            ae_error_prefix (err, "%s", paths[i]);
          resized++;
        }
      if (status == AE_OK && ds->labels != NULL)
        ds->labels[i] = file_class[i];
      free (pixels);
    }
  if (status == AE_OK)
    {
      for (size_t c = 0; c < class_names.n; c++)
        snprintf (ds->class_names[c], AE_CLASS_NAME_MAX, "%s", class_names.items[c]);
      snprintf (ds->name, sizeof ds->name, "%s", ae_path_basename (dir));
      snprintf (ds->source, sizeof ds->source, "%s", dir);
      int at = 0;
      if (resized > 0)
        at = snprintf (ds->note, sizeof ds->note, "%ld of %zu images resized to %d x %d (centre crop)",
                       resized, files.n, side, side);
      if (skipped > 0 && at >= 0 && (size_t) at < sizeof ds->note)
        snprintf (ds->note + at, sizeof ds->note - (size_t) at, "%s%ld %s not PNG or JPEG skipped",
                  at > 0 ? "; " : "", skipped, skipped == 1 ? "file" : "files");
      *out = ds;
    }
  else
    ae_dataset_free (ds);
  for (size_t i = 0; paths != NULL && i < files.n; i++)
    free (paths[i]);
  free (paths);
  free (short_sides);
  free (file_class);
  name_list_free (&class_names);
  name_list_free (&files);
  name_list_free (&subdirs);
  name_list_free (&top);
  return status;
}

AeStatus
ae_image_patches_load (AeDataset **out, const char *path, const AeImageOptions *options, int side,
                       int stride, AeError *err)
{
  static const AeImageOptions automatic = { 0 };
  const AeImageOptions *opt = options != NULL ? options : &automatic;
  *out = NULL;
  AeStatus status = check_options (path, opt, err);
  if (status != AE_OK)
    return status;
  if (opt->image_size > 0)
    side = opt->image_size, stride = (side + 1) / 2;
  if (side <= 0 || stride <= 0)
    return ae_error_set (err, AE_ERR_INVALID, "%s: patches of side %d with stride %d: both must be positive",
                         path, side, stride);
  float *pixels;
  int w, h, channels;
  status = ae_image_read (path, opt->channels, &pixels, &w, &h, &channels, err);
  if (status != AE_OK)
    return status;
  if (w < side || h < side)
    {
      free (pixels);
      return ae_error_set (err, AE_ERR_FORMAT, "%s: %d x %d pixels, smaller than one %d x %d patch",
                           path, w, h, side, side);
    }
  long across = (w - side) / stride + 1, down = (h - side) / stride + 1;
  status = ae_dataset_new (out, across * down, channels, side, side, 0, err);
  if (status != AE_OK)
    {
      free (pixels);
      return ae_error_prefix (err, "%s", path);
    }
  AeDataset *ds = *out;
  float *dst = ds->x;
  size_t plane = (size_t) w * (size_t) h;
  for (long py = 0; py < down; py++)
    for (long px = 0; px < across; px++)
      for (int c = 0; c < channels; c++)
        for (int y = 0; y < side; y++)
          {
            memcpy (dst, pixels + (size_t) c * plane + (size_t) (py * stride + y) * w + (size_t) px * stride,
                    (size_t) side * sizeof (float));
            dst += side;
          }
  free (pixels);
  snprintf (ds->name, sizeof ds->name, "%s", ae_path_basename (path));
  snprintf (ds->source, sizeof ds->source, "%s", path);
  return AE_OK;
}

AeStatus
ae_image_random_patches_load (AeDataset **out, const char *path, int channels, int side,
                              long count, uint64_t seed, AeError *err)
{
  *out = NULL;
  if (channels != 0 && channels != 1 && channels != 3)
    return ae_error_set (err, AE_ERR_INVALID, "%s: %d channels: expected 1 (grey) or 3 (RGB)", path,
                         channels);
  if (side <= 0 || side > AE_MAX_IMAGE_SIDE || count <= 0)
    return ae_error_set (err, AE_ERR_INVALID, "%s: %ld patches of side %d: both must be positive",
                         path, count, side);
  NameList names = { 0 };
  AeStatus status = AE_OK;
  struct stat st;
  int folder = stat (path, &st) == 0 && S_ISDIR (st.st_mode);
  if (folder)
    status = list_folder (path, 0, &names, NULL, err);
  else if (name_list_add (&names, path) != 0)
    status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
  if (status == AE_OK && names.n == 0)
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: the folder holds no PNG or JPEG file", path);
  /* Each image's share of the patch positions, from the headers alone. */
  double *positions = calloc (names.n + 1, sizeof (double)); /* cumulative */
  long *counts = calloc (names.n + 1, sizeof (long));
  if (status == AE_OK && (positions == NULL || counts == NULL))
    status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
  double total = 0;
  int any_colour = 0;
  for (size_t i = 0; status == AE_OK && i < names.n; i++)
    {
      char *full = NULL;
      if (folder && asprintf (&full, "%s/%s", path, names.items[i]) < 0)
        {
          status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
          break;
        }
      if (folder)
        {
          free (names.items[i]);
          names.items[i] = full;
        }
      int w, h, c;
      if ((status = ae_image_probe (names.items[i], &w, &h, &c, err)) != AE_OK)
        break;
      any_colour |= c == 3;
      if (w >= side && h >= side)
        total += (double) (w - side + 1) * (h - side + 1);
      positions[i] = total;
    }
  if (status == AE_OK && total <= 0)
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: no image of at least %d x %d pixels to cut "
                           "patches from", path, side, side);
  if (channels == 0)
    channels = any_colour ? 3 : 1;
  if (status == AE_OK)
    status = ae_dataset_new (out, count, channels, side, side, 0, err);
  AeRng rng;
  ae_rng_seed (&rng, seed);
  /* How many patches each image gives, then each image read once to cut them. */
  for (long n = 0; status == AE_OK && n < count; n++)
    {
      double pick = ae_rng_uniform (&rng) * total;
      size_t i = 0;
      while (i + 1 < names.n && pick >= positions[i])
        i++;
      counts[i]++;
    }
  float *dst = status == AE_OK ? (*out)->x : NULL;
  for (size_t i = 0; status == AE_OK && i < names.n; i++)
    {
      if (counts[i] == 0)
        continue;
      float *pixels = NULL;
      int w, h, c;
      if ((status = ae_image_read (names.items[i], channels, &pixels, &w, &h, &c, err)) != AE_OK)
        break;
      size_t plane = (size_t) w * h;
      for (long k = 0; k < counts[i]; k++)
        {
          int x = (int) ae_rng_below (&rng, (uint32_t) (w - side + 1));
          int y = (int) ae_rng_below (&rng, (uint32_t) (h - side + 1));
          for (int ch = 0; ch < channels; ch++)
            for (int row = 0; row < side; row++, dst += side)
              memcpy (dst, pixels + ch * plane + (size_t) (y + row) * w + x, (size_t) side * sizeof (float));
        }
      free (pixels);
    }
  if (status == AE_OK)
    {
      AeDataset *ds = *out;
      snprintf (ds->name, sizeof ds->name, "%s patches", ae_path_basename (path));
      snprintf (ds->source, sizeof ds->source, "%s", path);
      ae_dataset_split_random (ds, seed, 0.1, 0.1);
    }
  else
    {
      ae_dataset_free (*out);
      *out = NULL;
    }
  name_list_free (&names);
  free (positions);
  free (counts);
  return status;
}
