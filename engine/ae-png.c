/* ae-png.c: PNG reading (any kind, to grey) and writing through libpng, and the PNG
 * dataset loaders (a folder of images, one image cut into patches).
 *
 * libpng reports errors by longjmp. Everything that must be freed after a jump lives in
 * a context struct owned by the caller of the function that calls setjmp, so no local
 * variable is clobbered. */
#include "ae-io.h"

#include <dirent.h>
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ae-io-private.h"

/* A PNG file is read whole; this bounds it (a 16384 x 16384 RGBA16 image fits). */
#define PNG_FILE_MAX ((size_t) 1 << 31)
/* Text and other ancillary chunks are small; a larger one is refused before allocation. */
#define PNG_CHUNK_MAX ((png_alloc_size_t) 8 << 20)
/* Deflate cannot shrink data by more than about 1032:1, so a file much smaller than its
 * pixels over this ratio is truncated or lying about its size. */
#define DEFLATE_MAX_RATIO 1100

/* Rec. 601 luma, as most imaging tools (PIL's "L" mode among them) compute it. */
#define LUMA_R 0.299f
#define LUMA_G 0.587f
#define LUMA_B 0.114f

typedef struct {
  const char *name;
  char message[256];
  char warning[128]; /* the last warning: libpng explains a refused IHDR in one */
  /* Reading from memory. */
  const uint8_t *buf;
  size_t len, pos;
  /* Owned while decoding or encoding. */
  png_structp png;
  png_infop info;
  uint8_t *image;
  png_bytep *rows;
  float *gray;
  AeBytes encoded;
} PngContext;

static void
on_png_error (png_structp png, png_const_charp message)
{
  PngContext *ctx = png_get_error_ptr (png);
  /* Keep the first message: libpng may add a generic one on the way out. */
  if (ctx->message[0] == '\0' && ctx->warning[0] != '\0')
    snprintf (ctx->message, sizeof ctx->message, "%s (%s)", message, ctx->warning);
  else if (ctx->message[0] == '\0')
    snprintf (ctx->message, sizeof ctx->message, "%s", message);
  png_longjmp (png, 1);
}

static void
on_png_warning (png_structp png, png_const_charp message)
{
  /* Warnings (an unknown chunk, a bad sRGB profile) do not stop the image from being read;
   * the last one is kept to explain an error that follows it. */
  PngContext *ctx = png_get_error_ptr (png);
  snprintf (ctx->warning, sizeof ctx->warning, "%s", message);
}

static void
read_from_memory (png_structp png, png_bytep out, size_t n)
{
  PngContext *ctx = png_get_io_ptr (png);
  if (n > ctx->len - ctx->pos)
    {
      snprintf (ctx->message, sizeof ctx->message, "truncated: needs %zu bytes at offset %zu but the file ends at %zu",
                n, ctx->pos, ctx->len);
      png_error (png, ctx->message);
    }
  memcpy (out, ctx->buf + ctx->pos, n);
  ctx->pos += n;
}

static void
free_context (PngContext *ctx, int reading)
{
  if (ctx->png != NULL)
    {
      if (reading)
        png_destroy_read_struct (&ctx->png, &ctx->info, NULL);
      else
        png_destroy_write_struct (&ctx->png, &ctx->info);
    }
  free (ctx->image);
  free (ctx->rows);
  free (ctx->gray);
  free (ctx->encoded.data);
  ctx->image = NULL;
  ctx->rows = NULL;
  ctx->gray = NULL;
  ctx->encoded.data = NULL;
}

/* Decodes ctx->buf into ctx->gray. Returns 0 on success, -1 with ctx->message set. */
static int
decode_gray (PngContext *ctx, int *width, int *height)
{
  ctx->png = png_create_read_struct (PNG_LIBPNG_VER_STRING, ctx, on_png_error, on_png_warning);
  if (ctx->png != NULL)
    ctx->info = png_create_info_struct (ctx->png);
  if (ctx->png == NULL || ctx->info == NULL)
    {
      snprintf (ctx->message, sizeof ctx->message, "out of memory for the PNG decoder");
      return -1;
    }
  if (setjmp (png_jmpbuf (ctx->png)))
    return -1;

  /* The limits come first, so that no declared size is believed before it is checked. */
  png_set_user_limits (ctx->png, AE_MAX_IMAGE_SIDE, AE_MAX_IMAGE_SIDE);
  png_set_chunk_malloc_max (ctx->png, PNG_CHUNK_MAX);
  png_set_read_fn (ctx->png, ctx, read_from_memory);
  png_read_info (ctx->png, ctx->info);

  png_uint_32 w, h;
  int depth, color, interlace;
  png_get_IHDR (ctx->png, ctx->info, &w, &h, &depth, &color, &interlace, NULL, NULL);
  /* The area too, before anything is decoded: a 32 KB 1-bit file of 16384 x 16384 made
   * 4 GB of floats. */
  if ((uint64_t) w * h > (uint64_t) AE_MAX_IMAGE_PIXELS)
    {
      snprintf (ctx->message, sizeof ctx->message,
                "%u x %u pixels: more than the %ld megapixels accepted (the image size limit)", w, h,
                AE_MAX_IMAGE_PIXELS >> 20);
      return -1;
    }

  /* Everything becomes 8- or 16-bit grey or RGB, with or without alpha. */
  if (color == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (ctx->png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (ctx->png);
  /* Alpha is ignored: grey is the luma of the colour, whatever its opacity. */
  if ((color & PNG_COLOR_MASK_ALPHA) || png_get_valid (ctx->png, ctx->info, PNG_INFO_tRNS))
    png_set_strip_alpha (ctx->png);
  png_set_interlace_handling (ctx->png);
  png_read_update_info (ctx->png, ctx->info);

  int channels = png_get_channels (ctx->png, ctx->info);
  int out_depth = png_get_bit_depth (ctx->png, ctx->info);
  size_t rowbytes = png_get_rowbytes (ctx->png, ctx->info);
  if ((channels != 1 && channels != 3) || (out_depth != 8 && out_depth != 16)
      || rowbytes != (size_t) w * channels * (out_depth / 8))
    {
      snprintf (ctx->message, sizeof ctx->message,
                "unexpected layout after conversion (%d channels of %d bits)", channels, out_depth);
      return -1;
    }
  /* One channel at the file's depth is the least any colour type holds per pixel. */
  size_t raw_rowbytes = ((size_t) w * (size_t) depth + 7) / 8 + 1;
  if ((size_t) h * raw_rowbytes / DEFLATE_MAX_RATIO > ctx->len)
    {
      snprintf (ctx->message, sizeof ctx->message,
                "declares %u x %u pixels but the file of %zu bytes cannot hold them (truncated?)", w,
                h, ctx->len);
      return -1;
    }

  ctx->image = malloc ((size_t) h * rowbytes);
  ctx->rows = malloc ((size_t) h * sizeof *ctx->rows);
  ctx->gray = malloc ((size_t) w * h * sizeof (float));
  if (ctx->image == NULL || ctx->rows == NULL || ctx->gray == NULL)
    {
      snprintf (ctx->message, sizeof ctx->message, "out of memory for %u x %u pixels", w, h);
      return -1;
    }
  for (png_uint_32 y = 0; y < h; y++)
    ctx->rows[y] = ctx->image + (size_t) y * rowbytes;
  png_read_image (ctx->png, ctx->rows);
  png_read_end (ctx->png, NULL);

  size_t n = (size_t) w * h;
  float scale = out_depth == 16 ? 1.0f / 65535.0f : 1.0f / 255.0f;
  for (size_t i = 0; i < n; i++)
    {
      float v[3];
      for (int c = 0; c < channels; c++)
        {
          size_t k = i * channels + c;
          v[c] = out_depth == 16 ? (float) (ctx->image[2 * k] << 8 | ctx->image[2 * k + 1])
                                 : (float) ctx->image[k];
        }
      float luma = channels == 1 ? v[0] : LUMA_R * v[0] + LUMA_G * v[1] + LUMA_B * v[2];
      float g = luma * scale;
      ctx->gray[i] = g < 0.0f ? 0.0f : g > 1.0f ? 1.0f : g;
    }
  *width = (int) w;
  *height = (int) h;
  return 0;
}

AeStatus
ae_png_read_gray_memory (const uint8_t *buf, size_t len, const char *name, float **pixels,
                         int *width, int *height, AeError *err)
{
  *pixels = NULL;
  *width = *height = 0;
  if (len < 8 || png_sig_cmp (buf, 0, 8) != 0)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: not a PNG file (no PNG signature in its first 8 bytes)",
                         name);
  /* libpng enforces png_set_chunk_malloc_max only as a benign error (a warning when reading)
   * and allocates and clears a chunk's declared length before reading it: a 134-byte file
   * declaring a 1.9 GB zTXt chunk cost 1.9 GB (found by fuzzing). The whole file is in
   * memory, so no chunk is believed longer than the bytes that follow its header. */
  for (size_t pos = 8; pos + 8 <= len;)
    {
      uint32_t chunk_len = ae_read_u32be (buf + pos);
      if (chunk_len > len - pos - 8)
        return ae_error_set (err, AE_ERR_FORMAT,
                             "%s: bad PNG: truncated: the chunk at offset %zu declares %u bytes but %zu follow",
                             name, pos, chunk_len, len - pos - 8);
      if (memcmp (buf + pos + 4, "IEND", 4) == 0)
        break;
      pos += 12 + (size_t) chunk_len;
    }
  PngContext ctx = { .name = name, .buf = buf, .len = len };
  int w = 0, h = 0;
  if (decode_gray (&ctx, &w, &h) != 0)
    {
      AeStatus status = strstr (ctx.message, "out of memory") ? AE_ERR_NOMEM
                        : strstr (ctx.message, "limit") ? AE_ERR_LIMIT
                                                        : AE_ERR_FORMAT;
      free_context (&ctx, 1);
      return ae_error_set (err, status, "%s: bad PNG: %s", name, ctx.message);
    }
  *pixels = ctx.gray;
  ctx.gray = NULL;
  *width = w;
  *height = h;
  free_context (&ctx, 1);
  return AE_OK;
}

AeStatus
ae_png_read_gray (const char *path, float **pixels, int *width, int *height, AeError *err)
{
  uint8_t *buf;
  size_t len;
  *pixels = NULL;
  AeStatus status = ae_file_read_all (path, PNG_FILE_MAX, &buf, &len, err);
  if (status != AE_OK)
    return status;
  status = ae_png_read_gray_memory (buf, len, path, pixels, width, height, err);
  free (buf);
  return status;
}

static void
write_to_bytes (png_structp png, png_bytep data, size_t n)
{
  PngContext *ctx = png_get_io_ptr (png);
  ae_bytes_put (&ctx->encoded, data, n);
  if (ctx->encoded.failed)
    png_error (png, "out of memory for the encoded image");
}

static void
flush_nothing (png_structp png)
{
  (void) png;
}

/* Encodes rows of 8-bit pixels (channels 1, 3 or 4) into ctx->encoded. */
static int
encode (PngContext *ctx, const uint8_t *pixels, int width, int height, int channels)
{
  static const int color_types[5] = { 0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA };
  ctx->png = png_create_write_struct (PNG_LIBPNG_VER_STRING, ctx, on_png_error, on_png_warning);
  if (ctx->png != NULL)
    ctx->info = png_create_info_struct (ctx->png);
  ctx->rows = malloc ((size_t) height * sizeof *ctx->rows);
  if (ctx->png == NULL || ctx->info == NULL || ctx->rows == NULL)
    {
      snprintf (ctx->message, sizeof ctx->message, "out of memory for the PNG encoder");
      return -1;
    }
  if (setjmp (png_jmpbuf (ctx->png)))
    return -1;
  png_set_write_fn (ctx->png, ctx, write_to_bytes, flush_nothing);
  png_set_IHDR (ctx->png, ctx->info, (png_uint_32) width, (png_uint_32) height, 8,
                color_types[channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  png_write_info (ctx->png, ctx->info);
  for (int y = 0; y < height; y++)
    ctx->rows[y] = (png_bytep) pixels + (size_t) y * width * channels;
  png_write_image (ctx->png, ctx->rows);
  png_write_end (ctx->png, NULL);
  return 0;
}

static AeStatus
write_png (const char *path, const uint8_t *pixels, int width, int height, int channels,
           AeError *err)
{
  if (width <= 0 || height <= 0 || width > AE_MAX_IMAGE_SIDE || height > AE_MAX_IMAGE_SIDE)
    return ae_error_set (err, AE_ERR_INVALID, "%s: cannot write a %d x %d image: each side must be 1 to %d",
                         path, width, height, AE_MAX_IMAGE_SIDE);
  PngContext ctx = { .name = path };
  AeStatus status = AE_OK;
  if (encode (&ctx, pixels, width, height, channels) != 0)
    status = ae_error_set (err, strstr (ctx.message, "out of memory") ? AE_ERR_NOMEM : AE_ERR_INVALID,
                           "%s: cannot encode PNG: %s", path, ctx.message);
  else
    status = ae_file_write_atomic (path, ctx.encoded.data, ctx.encoded.len, err);
  free_context (&ctx, 0);
  return status;
}

AeStatus
ae_png_write_gray (const char *path, const float *pixels, int width, int height, AeError *err)
{
  if (width <= 0 || height <= 0 || width > AE_MAX_IMAGE_SIDE || height > AE_MAX_IMAGE_SIDE)
    return write_png (path, NULL, width, height, 1, err);
  size_t n = (size_t) width * height;
  uint8_t *bytes = malloc (n);
  if (bytes == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for %d x %d pixels", path, width, height);
  for (size_t i = 0; i < n; i++)
    {
      float v = pixels[i];
      /* NaN fails both comparisons and becomes black. */
      bytes[i] = v >= 1.0f ? 255 : v > 0.0f ? (uint8_t) (v * 255.0f + 0.5f) : 0;
    }
  AeStatus status = write_png (path, bytes, width, height, 1, err);
  free (bytes);
  return status;
}

AeStatus
ae_png_write_rgb (const char *path, const uint8_t *pixels, int width, int height, int channels,
                  AeError *err)
{
  if (channels != 3 && channels != 4)
    return ae_error_set (err, AE_ERR_INVALID, "%s: %d channels: expected 3 (RGB) or 4 (RGBA)", path,
                         channels);
  return write_png (path, pixels, width, height, channels, err);
}

/* ---- loaders ---- */

static int
is_png_name (const char *name)
{
  size_t n = strlen (name);
  return name[0] != '.' && n > 4 && strcasecmp (name + n - 4, ".png") == 0;
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

/* Lists PNG files (want_dirs = 0) or sub-folders (want_dirs = 1) of dir, sorted. */
static AeStatus
list_folder (const char *dir, int want_dirs, NameList *out, AeError *err)
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
      int wanted = want_dirs ? S_ISDIR (st.st_mode) : S_ISREG (st.st_mode) && is_png_name (e->d_name);
      if (wanted && name_list_add (out, e->d_name) != 0)
        status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
    }
  closedir (d);
  if (out->n > 1)
    qsort (out->items, out->n, sizeof *out->items, compare_names);
  return status;
}

AeStatus
ae_png_folder_load (AeDataset **out, const char *dir, AeError *err)
{
  *out = NULL;
  NameList top = { 0 }, subdirs = { 0 }, files = { 0 };
  AeStatus status = list_folder (dir, 0, &top, err);
  if (status == AE_OK)
    status = list_folder (dir, 1, &subdirs, err);

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
      status = list_folder (sub, 0, &inside, err);
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
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: no PNG files in this folder or its sub-folders", dir);
  if (status == AE_OK && files.n > (size_t) AE_MAX_SAMPLES)
    status = ae_error_set (err, AE_ERR_LIMIT, "%s: %zu images: at most %ld", dir, files.n, AE_MAX_SAMPLES);

  AeDataset *ds = NULL;
  int width = 0, height = 0;
  char first_path[2048] = "";
  for (size_t i = 0; i < files.n && status == AE_OK; i++)
    {
      char *path = NULL;
      if (asprintf (&path, "%s/%s", dir, files.items[i]) < 0)
        {
          status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", dir);
          break;
        }
      float *pixels;
      int w, h;
      status = ae_png_read_gray (path, &pixels, &w, &h, err);
      if (status == AE_OK && i == 0)
        {
          width = w;
          height = h;
          snprintf (first_path, sizeof first_path, "%s", path);
          status = ae_dataset_new (&ds, (long) files.n, 1, h, w, (int) class_names.n, err);
          if (status != AE_OK)
            ae_error_prefix (err, "%s", dir);
        }
      else if (status == AE_OK && (w != width || h != height))
        status = ae_error_set (err, AE_ERR_FORMAT,
                               "%s: %d x %d pixels, but %s is %d x %d; every image must be the same size",
                               path, w, h, first_path, width, height);
      if (status == AE_OK)
        {
          memcpy (ds->x + i * (size_t) ds->dim, pixels, (size_t) ds->dim * sizeof (float));
          if (ds->labels != NULL)
            ds->labels[i] = file_class[i];
        }
      free (pixels);
      free (path);
    }
  if (status == AE_OK)
    {
      for (size_t c = 0; c < class_names.n; c++)
        snprintf (ds->class_names[c], AE_CLASS_NAME_MAX, "%s", class_names.items[c]);
      snprintf (ds->name, sizeof ds->name, "%s", ae_path_basename (dir));
      snprintf (ds->source, sizeof ds->source, "%s", dir);
      *out = ds;
    }
  else
    ae_dataset_free (ds);
  free (file_class);
  name_list_free (&class_names);
  name_list_free (&files);
  name_list_free (&subdirs);
  name_list_free (&top);
  return status;
}

AeStatus
ae_png_patches_load (AeDataset **out, const char *path, int side, int stride, AeError *err)
{
  *out = NULL;
  if (side <= 0 || stride <= 0)
    return ae_error_set (err, AE_ERR_INVALID, "%s: patches of side %d with stride %d: both must be positive",
                         path, side, stride);
  float *pixels;
  int w, h;
  AeStatus status = ae_png_read_gray (path, &pixels, &w, &h, err);
  if (status != AE_OK)
    return status;
  if (w < side || h < side)
    {
      free (pixels);
      return ae_error_set (err, AE_ERR_FORMAT, "%s: %d x %d pixels, smaller than one %d x %d patch",
                           path, w, h, side, side);
    }
  long across = (w - side) / stride + 1, down = (h - side) / stride + 1;
  status = ae_dataset_new (out, across * down, 1, side, side, 0, err);
  if (status != AE_OK)
    {
      free (pixels);
      return ae_error_prefix (err, "%s", path);
    }
  AeDataset *ds = *out;
  float *dst = ds->x;
  for (long py = 0; py < down; py++)
    for (long px = 0; px < across; px++)
      for (int y = 0; y < side; y++)
        {
          memcpy (dst, pixels + (size_t) (py * stride + y) * w + (size_t) px * stride,
                  (size_t) side * sizeof (float));
          dst += side;
        }
  free (pixels);
  snprintf (ds->name, sizeof ds->name, "%s", ae_path_basename (path));
  snprintf (ds->source, sizeof ds->source, "%s", path);
  return AE_OK;
}
