/* SPDX-License-Identifier: GPL-3.0-or-later */
/* make-corpus.c: writes the seed corpora of the fuzz targets.
 *
 *   make-corpus tests/fuzz/corpus
 *
 * Each format gets a few small valid files that reach deep into its parser (every PNG
 * colour type and bit depth, gzip and raw IDX, a model file written by the engine itself)
 * and a few malformed ones with the classic faults: truncation, wrong magic, absurd sizes,
 * bad checksums. Files are written only where absent, so that inputs added by hand (the
 * crashes fuzzers found, named crash-*) stay, and rerunning it changes nothing. */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "ae-io.h"

static const char *corpus_root;
static int written;

_Noreturn static void
die (const char *what, const char *detail)
{
  fprintf (stderr, "make-corpus: %s: %s\n", what, detail);
  exit (1);
}

static void
put_file (const char *format, const char *name, const void *data, size_t len)
{
  char dir[4096], path[4096];
  if ((size_t) snprintf (dir, sizeof dir, "%s/%s", corpus_root, format) >= sizeof dir
      || (size_t) snprintf (path, sizeof path, "%s/%s", dir, name) >= sizeof path)
    die (corpus_root, "path too long");
  if (mkdir (dir, 0777) != 0 && errno != EEXIST)
    die (dir, strerror (errno));
  struct stat st;
  if (stat (path, &st) == 0)
    return;
  FILE *f = fopen (path, "wb");
  if (f == NULL || fwrite (data, 1, len, f) != len || fclose (f) != 0)
    die (path, strerror (errno));
  written++;
}

static void
put_text (const char *format, const char *name, const char *text)
{
  put_file (format, name, text, strlen (text));
}

static uint32_t
crc32_of (const uint8_t *data, size_t len)
{
  return (uint32_t) crc32 (crc32 (0L, Z_NULL, 0), data, (uInt) len);
}

static void
set_u32le (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) v, p[1] = (uint8_t) (v >> 8), p[2] = (uint8_t) (v >> 16), p[3] = (uint8_t) (v >> 24);
}

static void
set_u32be (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v >> 24), p[1] = (uint8_t) (v >> 16), p[2] = (uint8_t) (v >> 8), p[3] = (uint8_t) v;
}

static void
set_u64le (uint8_t *p, uint64_t v)
{
  set_u32le (p, (uint32_t) v);
  set_u32le (p + 4, (uint32_t) (v >> 32));
}

/* gzip of data, in a malloc'ed buffer. */
static uint8_t *
gzip_of (const uint8_t *data, size_t len, size_t *out_len)
{
  z_stream zs;
  memset (&zs, 0, sizeof zs);
  if (deflateInit2 (&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    die ("gzip", "deflateInit2 failed");
  size_t cap = deflateBound (&zs, (uLong) len);
  uint8_t *out = malloc (cap);
  if (out == NULL)
    die ("gzip", "out of memory");
  zs.next_in = (Bytef *) data;
  zs.avail_in = (uInt) len;
  zs.next_out = out;
  zs.avail_out = (uInt) cap;
  if (deflate (&zs, Z_FINISH) != Z_STREAM_END)
    die ("gzip", "deflate did not finish");
  *out_len = cap - zs.avail_out;
  deflateEnd (&zs);
  return out;
}

/* --- IDX ---------------------------------------------------------------------------- */

/* An IDX file: magic 00 00 type rank, rank big-endian u32 dimensions, then the bytes. */
static size_t
idx_build (uint8_t *out, uint8_t type, int rank, const uint32_t *dims)
{
  out[0] = out[1] = 0;
  out[2] = type;
  out[3] = (uint8_t) rank;
  size_t pos = 4, count = 1;
  for (int d = 0; d < rank; d++, pos += 4)
    {
      set_u32be (out + pos, dims[d]);
      count *= dims[d];
    }
  for (size_t i = 0; i < count; i++)
    out[pos + i] = (uint8_t) (i * 37 % 256);
  return pos + count;
}

static void
make_idx (void)
{
  uint8_t images[4 + 12 + 3 * 4 * 5], labels[4 + 4 + 3], buf[256];
  size_t images_len = idx_build (images, 0x08, 3, (const uint32_t[]) { 3, 4, 5 });
  size_t labels_len = idx_build (labels, 0x08, 1, (const uint32_t[]) { 3 });
  for (int i = 0; i < 3; i++)
    labels[8 + i] = (uint8_t) (i * 4); /* classes 0, 4 and 8 */
  put_file ("idx", "images-3x4x5-idx3-ubyte", images, images_len);
  put_file ("idx", "labels-3-idx1-ubyte", labels, labels_len);

  size_t gz_len;
  uint8_t *gz = gzip_of (images, images_len, &gz_len);
  put_file ("idx", "images-3x4x5-idx3-ubyte.gz", gz, gz_len);
  put_file ("idx", "bad-gzip-truncated.gz", gz, gz_len - 6);
  gz[gz_len - 8] ^= 0xff; /* the CRC-32 of the trailer */
  put_file ("idx", "bad-gzip-crc.gz", gz, gz_len);
  gz[gz_len - 8] ^= 0xff;
  set_u32le (gz + gz_len - 4, 0x80000000u); /* a lying inflated size of 2 GiB */
  put_file ("idx", "bad-gzip-isize-lie.gz", gz, gz_len);
  free (gz);
  gz = gzip_of (labels, labels_len, &gz_len);
  put_file ("idx", "labels-3-idx1-ubyte.gz", gz, gz_len);
  free (gz);

  /* The smallest image, an image file with one dimension less, and no labels at all. */
  put_file ("idx", "images-1x1x1", buf, idx_build (buf, 0x08, 3, (const uint32_t[]) { 1, 1, 1 }));
  put_file ("idx", "rank-2-4x5", buf, idx_build (buf, 0x08, 2, (const uint32_t[]) { 4, 5 }));
  put_file ("idx", "labels-zero-count", buf, idx_build (buf, 0x08, 1, (const uint32_t[]) { 0 }));
  put_file ("idx", "bad-type-float", buf, idx_build (buf, 0x0d, 3, (const uint32_t[]) { 1, 2, 2 }));
  put_file ("idx", "bad-truncated", images, images_len - 7);
  put_file ("idx", "bad-header-only", images, 10);
  memcpy (buf, images, images_len);
  buf[2] = 0x07; /* not a type IDX defines */
  put_file ("idx", "bad-magic", buf, images_len);
  /* Sizes whose product overflows 32 and 64 bits, with hardly any data behind them. */
  idx_build (buf, 0x08, 3, (const uint32_t[]) { 0, 0, 0 });
  set_u32be (buf + 4, 0xffffffffu), set_u32be (buf + 8, 0xffffffffu), set_u32be (buf + 12, 0xffffffffu);
  put_file ("idx", "bad-absurd-dims", buf, 16);
  idx_build (buf, 0x08, 1, (const uint32_t[]) { 0 });
  set_u32be (buf + 4, 0x7fffffffu);
  put_file ("idx", "bad-absurd-labels", buf, 8);
  put_file ("idx", "empty", "", 0);
}

/* --- PNG ---------------------------------------------------------------------------- */

typedef struct {
  uint8_t *data;
  size_t len, cap;
} Buffer;

static void
png_to_buffer (png_structp png, png_bytep data, size_t len)
{
  Buffer *b = png_get_io_ptr (png);
  if (b->len + len > b->cap)
    {
      b->cap = (b->len + len) * 2;
      b->data = realloc (b->data, b->cap);
      if (b->data == NULL)
        die ("png", "out of memory");
    }
  memcpy (b->data + b->len, data, len);
  b->len += len;
}

static void
png_flush_nothing (png_structp png)
{
  (void) png;
}

/* A width x height PNG of the given colour type and depth, of a diagonal gradient, in a
 * malloc'ed buffer. */
static Buffer
png_build (int width, int height, int color_type, int depth, int interlace, int with_trns)
{
  Buffer b = { 0 };
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    die ("png", "cannot create the writer");
  if (setjmp (png_jmpbuf (png)))
    die ("png", "libpng failed while writing a seed");
  png_set_write_fn (png, &b, png_to_buffer, png_flush_nothing);
  png_set_IHDR (png, info, (png_uint_32) width, (png_uint_32) height, depth, color_type,
                interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (color_type == PNG_COLOR_TYPE_PALETTE)
    {
      png_color palette[16];
      for (int i = 0; i < 16; i++)
        palette[i] = (png_color) { (png_byte) (i * 16), (png_byte) (255 - i * 16), (png_byte) (i * 8) };
      png_set_PLTE (png, info, palette, 1 << (depth < 4 ? depth : 4));
      if (with_trns)
        {
          png_byte alpha[2] = { 0, 128 };
          png_set_tRNS (png, info, alpha, 2, NULL);
        }
    }
  else if (with_trns && (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_RGB))
    {
      png_color_16 key = { 0, 1, 1, 1, 1 };
      png_set_tRNS (png, info, NULL, 0, &key);
    }
  png_write_info (png, info);

  int channels = color_type == PNG_COLOR_TYPE_RGB ? 3
                 : color_type == PNG_COLOR_TYPE_RGB_ALPHA ? 4
                 : color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                                                           : 1;
  size_t row_bytes = ((size_t) width * (size_t) channels * (size_t) depth + 7) / 8;
  png_bytep row = calloc (row_bytes, 1);
  int passes = png_set_interlace_handling (png);
  for (int pass = 0; pass < passes; pass++)
    for (int y = 0; y < height; y++)
      {
        for (size_t i = 0; i < row_bytes; i++)
          row[i] = (png_byte) ((i + (size_t) y) * 29 % 256);
        if (color_type == PNG_COLOR_TYPE_PALETTE && depth == 8)
          for (size_t i = 0; i < row_bytes; i++)
            row[i] %= 16; /* only 16 palette entries */
        png_write_row (png, row);
      }
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  free (row);
  return b;
}

/* Recomputes the CRC of the chunk that starts at offset pos (its length field). */
static void
png_fix_crc (uint8_t *png, size_t pos)
{
  uint32_t len = (uint32_t) png[pos] << 24 | (uint32_t) png[pos + 1] << 16
                 | (uint32_t) png[pos + 2] << 8 | png[pos + 3];
  set_u32be (png + pos + 8 + len, crc32_of (png + pos + 4, 4 + len));
}

static void
make_png (void)
{
  static const struct {
    const char *name;
    int color_type, depth, interlace, trns;
  } kinds[] = {
    { "gray-1.png", PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_NONE, 0 },
    { "gray-2.png", PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_NONE, 0 },
    { "gray-4.png", PNG_COLOR_TYPE_GRAY, 4, PNG_INTERLACE_NONE, 0 },
    { "gray-8.png", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0 },
    { "gray-16.png", PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE, 0 },
    { "gray-8-trns.png", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 1 },
    { "gray-8-adam7.png", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_ADAM7, 0 },
    { "gray-alpha-8.png", PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE, 0 },
    { "gray-alpha-16.png", PNG_COLOR_TYPE_GRAY_ALPHA, 16, PNG_INTERLACE_NONE, 0 },
    { "rgb-8.png", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, 0 },
    { "rgb-16.png", PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE, 0 },
    { "rgb-8-trns.png", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, 1 },
    { "rgb-8-adam7.png", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7, 0 },
    { "rgba-8.png", PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE, 0 },
    { "rgba-16.png", PNG_COLOR_TYPE_RGB_ALPHA, 16, PNG_INTERLACE_NONE, 0 },
    { "palette-1.png", PNG_COLOR_TYPE_PALETTE, 1, PNG_INTERLACE_NONE, 0 },
    { "palette-2.png", PNG_COLOR_TYPE_PALETTE, 2, PNG_INTERLACE_NONE, 0 },
    { "palette-4.png", PNG_COLOR_TYPE_PALETTE, 4, PNG_INTERLACE_NONE, 0 },
    { "palette-8.png", PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE, 0 },
    { "palette-8-trns.png", PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE, 1 },
  };
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    {
      Buffer b = png_build (5, 3, kinds[k].color_type, kinds[k].depth, kinds[k].interlace,
                            kinds[k].trns);
      put_file ("png", kinds[k].name, b.data, b.len);
      free (b.data);
    }

  Buffer b = png_build (5, 3, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0);
  put_file ("png", "bad-truncated.png", b.data, b.len - 20);
  put_file ("png", "bad-signature-only.png", b.data, 8);
  /* IHDR starts at offset 8: length, "IHDR", width, height, ... */
  uint8_t *p = malloc (b.len);
  memcpy (p, b.data, b.len);
  p[0] = 'X';
  put_file ("png", "bad-signature.png", p, b.len);
  memcpy (p, b.data, b.len);
  p[b.len - 20] ^= 0x55; /* inside IDAT or its CRC: a checksum error */
  put_file ("png", "bad-crc.png", p, b.len);
  memcpy (p, b.data, b.len);
  set_u32be (p + 16, 1u << 30); /* a width beyond any limit, checksum kept right */
  set_u32be (p + 20, 1u << 30);
  png_fix_crc (p, 8);
  put_file ("png", "bad-huge-ihdr.png", p, b.len);
  memcpy (p, b.data, b.len);
  set_u32be (p + 16, 16385); /* just past AE_MAX_IMAGE_SIDE */
  png_fix_crc (p, 8);
  put_file ("png", "bad-wide-ihdr.png", p, b.len);
  memcpy (p, b.data, b.len);
  set_u32be (p + 20, 300); /* more rows declared than the data holds */
  png_fix_crc (p, 8);
  put_file ("png", "bad-short-idat.png", p, b.len);
  memcpy (p, b.data, b.len);
  p[24] = 3; /* bit depth 3 does not exist */
  png_fix_crc (p, 8);
  put_file ("png", "bad-depth.png", p, b.len);
  free (p);
  free (b.data);
}

/* --- CSV ---------------------------------------------------------------------------- */

/* One row of columns zeros, gzip'd (the loader inflates by magic): megabytes of cells
 * in a few kilobytes. */
static void
put_wide_csv (const char *name, size_t columns)
{
  size_t len = 2 * columns;
  uint8_t *text = malloc (len);
  if (text == NULL)
    die (name, "out of memory");
  for (size_t i = 0; i < columns; i++)
    text[2 * i] = '0', text[2 * i + 1] = ',';
  text[len - 1] = '\n';
  size_t gz_len;
  uint8_t *gz = gzip_of (text, len, &gz_len);
  put_file ("csv", name, gz, gz_len);
  free (gz);
  free (text);
}

static void
make_csv (void)
{
  /* At the column limit, and far beyond it. */
  put_wide_csv ("wide-1m-columns.csv.gz", AE_MAX_FEATURES);
  put_wide_csv ("bad-4m-columns.csv.gz", 4 * AE_MAX_FEATURES);
  put_text ("csv", "header-label.csv",
            "sepal_length,sepal_width,petal_length,petal_width,label\n"
            "5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n");
  put_text ("csv", "header-class-first.csv",
            "class,a,b\nsetosa,1,2\nversicolor,3,4\nsetosa,-5e-3,6.25E2\n");
  put_text ("csv", "no-header.csv", "0.5,1,2\n3,4,5\n6,7,8.75\n");
  put_text ("csv", "crlf-blank-lines.csv", "x,y\r\n1,2\r\n\r\n3,4\r\n");
  put_text ("csv", "one-column.csv", "value\n1\n2\n3\n");
  put_text ("csv", "constant-column.csv", "a,b\n1,7\n2,7\n3,7\n");
  put_text ("csv", "quoted-header.csv", "\"a\",\"b, c\",label\n1,2,0\n3,4,1\n");
  put_text ("csv", "no-final-newline.csv", "1,2\n3,4");
  put_text ("csv", "bad-ragged.csv", "a,b,c\n1,2,3\n4,5\n");
  put_text ("csv", "bad-text-value.csv", "a,b\n1,2\n3,abc\n");
  put_text ("csv", "bad-nan.csv", "a,b\n1,nan\n3,4\n");
  put_text ("csv", "bad-inf.csv", "a,b\n1,2\n3,-inf\n");
  put_text ("csv", "bad-huge-value.csv", "a,b\n1,2\n3,1e999\n");
  put_text ("csv", "bad-header-only.csv", "a,b,label\n");
  put_text ("csv", "bad-empty-fields.csv", ",,\n,,\n");
  put_text ("csv", "bad-trailing-comma.csv", "a,b,\n1,2,\n");
  put_file ("csv", "bad-nul-byte.csv", "a,b\n1,\0002\n", 10);
  put_file ("csv", "empty.csv", "", 0);
}

/* --- model files -------------------------------------------------------------------- */

static const char *model_config = "preset = undercomplete\narch = dense\nlatent = 2\nhidden = 4\n"
                                  "activation = relu\nlr = 0.001\n";

static void
make_modelfile (const char *tmp_path)
{
  float w1[4 * 3], b1[3], w2[2 * 1 * 2 * 2];
  for (int i = 0; i < 12; i++)
    w1[i] = (float) i / 8.0f - 0.75f;
  for (int i = 0; i < 3; i++)
    b1[i] = (float) -i;
  for (int i = 0; i < 8; i++)
    w2[i] = 1e-3f * (float) (i * i);
  AeTensor tensors[] = {
    { .name = "encoder.0.weight", .rank = 2, .shape = { 4, 3 }, .data = w1 },
    { .name = "encoder.0.bias", .rank = 1, .shape = { 3 }, .data = b1 },
    { .name = "decoder.conv", .rank = 4, .shape = { 2, 1, 2, 2 }, .data = w2 },
  };
  AeError err = { 0 };
  uint8_t *file;
  size_t len;

  if (ae_modelfile_write (tmp_path, "", NULL, 0, &err) != AE_OK
      || ae_file_read_all (tmp_path, 1 << 20, &file, &len, &err) != AE_OK)
    die ("model file", err.message);
  put_file ("modelfile", "empty-model.llmodel", file, len);
  free (file);

  if (ae_modelfile_write (tmp_path, model_config, tensors, 3, &err) != AE_OK
      || ae_file_read_all (tmp_path, 1 << 20, &file, &len, &err) != AE_OK)
    die ("model file", err.message);
  remove (tmp_path);
  put_file ("modelfile", "dense-3-tensors.llmodel", file, len);

  /* Faults, each with its checksum made right again so that the parser meets the fault
   * itself rather than the checksum. The first tensor's name length follows the magic
   * line (18 bytes), the configuration length and text, and the tensor count. */
  size_t first_tensor = 18 + 4 + strlen (model_config) + 4;
  size_t rank_pos = first_tensor + 4 + strlen ("encoder.0.weight");
  uint8_t *bad = malloc (len);
  put_file ("modelfile", "bad-truncated.llmodel", file, len / 2);
  memcpy (bad, file, len);
  bad[len - 1] ^= 1;
  put_file ("modelfile", "bad-checksum.llmodel", bad, len);
  memcpy (bad, file, len);
  bad[16] = '2';
  put_file ("modelfile", "bad-version.llmodel", bad, len);
  memcpy (bad, file, len);
  set_u32le (bad + first_tensor - 4, 0xffffffffu);
  set_u32le (bad + len - 4, crc32_of (bad, len - 4));
  put_file ("modelfile", "bad-tensor-count.llmodel", bad, len);
  memcpy (bad, file, len);
  set_u32le (bad + rank_pos + 4, 0x40000000u);
  set_u32le (bad + rank_pos + 8, 0x40000000u);
  set_u32le (bad + len - 4, crc32_of (bad, len - 4));
  put_file ("modelfile", "bad-absurd-shape.llmodel", bad, len);
  memcpy (bad, file, len);
  set_u32le (bad + rank_pos, 9);
  set_u32le (bad + len - 4, crc32_of (bad, len - 4));
  put_file ("modelfile", "bad-rank.llmodel", bad, len);
  memcpy (bad, file, len);
  bad[first_tensor + 4 + 3] = '\0';
  set_u32le (bad + len - 4, crc32_of (bad, len - 4));
  put_file ("modelfile", "bad-nul-in-name.llmodel", bad, len);
  memcpy (bad, file, len);
  set_u32le (bad + 18, 0x7fffffffu);
  put_file ("modelfile", "bad-config-length.llmodel", bad, len);
  free (bad);
  free (file);
}

/* --- safetensors -------------------------------------------------------------------- */

/* A safetensors file: u64 header length, the JSON header, then the data. */
static void
put_safetensors (const char *name, const char *header, const void *data, size_t data_len)
{
  size_t header_len = strlen (header);
  uint8_t *file = malloc (8 + header_len + data_len + 1);
  set_u64le (file, header_len);
  memcpy (file + 8, header, header_len);
  if (data_len > 0)
    memcpy (file + 8 + header_len, data, data_len);
  put_file ("safetensors", name, file, 8 + header_len + data_len);
  free (file);
}

static void
make_safetensors (void)
{
  uint8_t data[4 * (6 + 3)];
  for (int i = 0; i < 9; i++)
    {
      float v = (float) i * 0.25f - 1.0f;
      uint32_t bits;
      memcpy (&bits, &v, 4);
      set_u32le (data + 4 * i, bits);
    }
  /* The header as Python's safetensors writes it: keys sorted, metadata first, padded
   * with spaces to a multiple of 8. */
  put_safetensors ("two-tensors.safetensors",
                   "{\"__metadata__\":{\"config\":\"preset = undercomplete\\nlatent = 2\\n\","
                   "\"format\":\"pt\"},"
                   "\"decoder.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]},"
                   "\"encoder.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}   ",
                   data, sizeof data);
  put_safetensors ("no-metadata.safetensors",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,3],\"data_offsets\":[0,12]}}",
                   data, 12);
  put_safetensors ("spaces-escapes.safetensors",
                   " { \"__metadata__\" : { \"config\" : \"a = \\\"b\\\"\\t\\u00e9\\/\" } ,\n"
                   "  \"x\\u0041\" : { \"shape\" : [ 2 ] , \"data_offsets\" : [ 0 , 8 ] ,"
                   " \"dtype\" : \"F32\" } }",
                   data, 8);
  put_safetensors ("empty.safetensors", "{}", NULL, 0);
  put_safetensors ("bad-dtype-f16.safetensors",
                   "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", data, 4);
  put_safetensors ("bad-offsets-past-end.safetensors",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8000]}}", data, 8);
  put_safetensors ("bad-offsets-shape.safetensors",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data, 8);
  put_safetensors ("bad-offsets-reversed.safetensors",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", data, 8);
  put_safetensors ("bad-shape-overflow.safetensors",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],"
                   "\"data_offsets\":[0,0]}}", data, 0);
  put_safetensors ("bad-shape-negative.safetensors",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,-4],\"data_offsets\":[0,16]}}", data, 16);
  put_safetensors ("bad-rank-5.safetensors",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1],\"data_offsets\":[0,4]}}", data, 4);
  put_safetensors ("bad-long-name.safetensors",
                   "{\"a-name-of-seventy-bytes-that-does-not-fit-in-the-tensor-struct-xxxxxxxx\":"
                   "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data, 4);
  put_safetensors ("bad-duplicate-name.safetensors",
                   "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                   "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data, 8);
  put_safetensors ("bad-unterminated-string.safetensors", "{\"w\":{\"dtype\":\"F3", NULL, 0);
  put_safetensors ("bad-not-json.safetensors", "[1,2,3]", NULL, 0);
  put_safetensors ("bad-deep-nesting.safetensors",
                   "{\"__metadata__\":{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}",
                   NULL, 0);
  put_safetensors ("bad-bad-escape.safetensors", "{\"\\uZZZZ\":{}}", NULL, 0);
  uint8_t huge[8];
  set_u64le (huge, 0xffffffffffffff00u);
  put_file ("safetensors", "bad-header-length.safetensors", huge, 8);
  put_file ("safetensors", "bad-short.safetensors", huge, 5);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: %s CORPUS-FOLDER (tests/fuzz/corpus)\n", argv[0]);
      return 1;
    }
  corpus_root = argv[1];
  if (mkdir (corpus_root, 0777) != 0 && errno != EEXIST)
    die (corpus_root, strerror (errno));
  char tmp_path[4096];
  snprintf (tmp_path, sizeof tmp_path, "%s/.make-corpus-model.tmp", corpus_root);
  make_idx ();
  make_png ();
  make_csv ();
  make_modelfile (tmp_path);
  make_safetensors ();
  printf ("%d files written in %s\n", written, corpus_root);
  return 0;
}
